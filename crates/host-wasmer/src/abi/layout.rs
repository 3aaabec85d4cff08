//! The layouts of an [`Abi`]'s types: size, alignment and flat core types,
//! and the checks that keep unsupported types out.

use wit_parser::abi::{FlatTypes, WasmType};
use wit_parser::{Resolve, SizeAlign, Type, TypeDefKind};

use super::signatures::Signatures;
use super::{Abi, AbiError, IntoResolve};

impl Abi {
    /// Computes the layouts of every type of `resolve`.
    ///
    /// The `Abi` keeps the `Resolve` in an `Arc`, so that it can be moved
    /// into `'static` host functions: pass an `Arc<Resolve>` to share one,
    /// or a `Resolve` or `&Resolve` (which is cloned); see [`IntoResolve`].
    ///
    /// `resolve` must be well formed, as one built by parsing WIT is: a type
    /// refers only to types defined before it. (wit-parser's own layout
    /// code indexes by that order.)
    pub fn new(resolve: impl IntoResolve) -> Self {
        let resolve = resolve.into_resolve();
        let mut sizes = SizeAlign::default();
        sizes.fill(&resolve);
        let flat = flat_types(&resolve);
        let mut abi = Self {
            resolve,
            sizes,
            flat,
            lift_limit: super::DEFAULT_LIFT_LIMIT,
            signatures: Signatures::default(),
        };
        abi.signatures =
            Signatures::compute(&abi.resolve, |variant, func| abi.signature(variant, func));
        abi
    }

    /// Checks that `ty` can cross this ABI.
    ///
    /// ```
    /// use host_wasmer::abi::{Abi, AbiError};
    /// use wit_parser::{Resolve, Type};
    /// let resolve = Resolve::default();
    /// let abi = Abi::new(&resolve);
    /// assert!(abi.check_supported(&Type::Char).is_ok());
    /// assert!(matches!(
    ///     abi.check_supported(&Type::ErrorContext),
    ///     Err(AbiError::UnsupportedType { .. })
    /// ));
    /// ```
    pub fn check_supported(&self, ty: &Type) -> Result<(), AbiError> {
        self.flat_slice(ty).map(|_| ())
    }

    /// The size of `ty` in linear memory, in bytes (`elem_size`).
    pub fn size_of(&self, ty: &Type) -> Result<u32, AbiError> {
        self.check_supported(ty)?;
        u32::try_from(self.sizes.size(ty).size_wasm32()).map_err(|_| self.too_large(ty))
    }

    /// The alignment of `ty` in linear memory, in bytes.
    pub fn align_of(&self, ty: &Type) -> Result<u32, AbiError> {
        self.check_supported(ty)?;
        u32::try_from(self.sizes.align(ty).align_wasm32()).map_err(|_| self.too_large(ty))
    }

    /// The flat core types of `ty`, without any limit on their number:
    /// what `lower_flat` produces and `lift_flat` consumes.
    ///
    /// ```
    /// use host_wasmer::abi::Abi;
    /// use wit_parser::abi::WasmType;
    /// use wit_parser::{Resolve, Type};
    /// let resolve = Resolve::default();
    /// let abi = Abi::new(&resolve);
    /// assert_eq!(abi.flatten(&Type::String)?, [WasmType::Pointer, WasmType::Length]);
    /// # Ok::<(), host_wasmer::abi::AbiError>(())
    /// ```
    pub fn flatten(&self, ty: &Type) -> Result<Vec<WasmType>, AbiError> {
        self.flat_slice(ty).map(<[WasmType]>::to_vec)
    }

    /// The flat core types of `ty`, borrowed from the precomputed table.
    pub(crate) fn flat_slice(&self, ty: &Type) -> Result<&[WasmType], AbiError> {
        use WasmType as W;
        Ok(match ty {
            Type::Bool
            | Type::U8
            | Type::U16
            | Type::U32
            | Type::S8
            | Type::S16
            | Type::S32
            | Type::Char => &[W::I32],
            Type::U64 | Type::S64 => &[W::I64],
            Type::F32 => &[W::F32],
            Type::F64 => &[W::F64],
            Type::String => &[W::Pointer, W::Length],
            Type::ErrorContext => return Err(self.unsupported(ty)),
            Type::Id(id) => {
                // `get` checks the arena too, so an id from another
                // `Resolve` is rejected instead of aliasing a local type.
                if self.resolve.types.get(*id).is_none() {
                    return Err(self.unsupported(ty));
                }
                match self.flat.get(id.index()) {
                    Some(Some(flat)) => flat,
                    _ => return Err(self.unsupported(ty)),
                }
            }
        })
    }

    /// The size and alignment of a tuple of `types`: the layout of a
    /// spilled parameter list.
    pub(crate) fn tuple_layout<'t>(
        &self,
        types: impl Iterator<Item = &'t Type> + Clone,
    ) -> Result<(u32, u32), AbiError> {
        for ty in types.clone() {
            self.check_supported(ty)?;
        }
        let info = self.sizes.record(types);
        let too_large = || AbiError::TypeTooLarge {
            ty: "parameter list".to_owned(),
        };
        let size = u32::try_from(info.size.size_wasm32()).map_err(|_| too_large())?;
        let align = u32::try_from(info.align.align_wasm32()).map_err(|_| too_large())?;
        Ok((size, align))
    }

    pub(crate) fn unsupported(&self, ty: &Type) -> AbiError {
        AbiError::UnsupportedType {
            ty: self.type_name(ty),
        }
    }

    fn too_large(&self, ty: &Type) -> AbiError {
        AbiError::TypeTooLarge {
            ty: self.type_name(ty),
        }
    }
}

/// The flat core types of each entry of `resolve.types`, by arena index;
/// `None` for a type that cannot cross the ABI.
fn flat_types(resolve: &Resolve) -> Vec<Option<Vec<WasmType>>> {
    let supported = support::compute(resolve);
    resolve
        .types
        .iter()
        .map(|(id, _)| {
            let ok = supported.get(id.index()).copied().unwrap_or(false);
            ok.then(|| flatten_supported(resolve, &Type::Id(id)))
                .flatten()
        })
        .collect()
}

/// Flattens a type already known to be supported, growing the buffer until
/// wit-parser's `push_flat` stops reporting overflow.
fn flatten_supported(resolve: &Resolve, ty: &Type) -> Option<Vec<WasmType>> {
    let mut capacity = 32;
    // A type that flattens to more than a million core values is treated
    // as unsupported rather than searched for forever.
    while capacity <= 1 << 20 {
        let mut storage = vec![WasmType::I32; capacity];
        let mut flat = FlatTypes::new(&mut storage);
        if resolve.push_flat(ty, &mut flat) {
            return Some(flat.to_vec());
        }
        capacity *= 2;
    }
    None
}

/// Which types of a `Resolve` can cross the sync canonical ABI.
mod support {
    use super::*;

    #[derive(Clone, Copy)]
    enum Mark {
        Unvisited,
        Visiting,
        Done(bool),
    }

    /// How deep a chain of type references may go before the `Resolve` is
    /// considered malformed.
    const MAX_DEPTH: usize = 512;

    /// Support of every type, by arena index. Recursion follows type
    /// definitions, which the host wrote, and is memoized and depth-bounded.
    pub(super) fn compute(resolve: &Resolve) -> Vec<bool> {
        let mut marks = vec![Mark::Unvisited; resolve.types.len()];
        for (id, _) in resolve.types.iter() {
            visit(resolve, &Type::Id(id), &mut marks, 0);
        }
        marks
            .into_iter()
            .map(|mark| matches!(mark, Mark::Done(true)))
            .collect()
    }

    fn visit(resolve: &Resolve, ty: &Type, marks: &mut [Mark], depth: usize) -> bool {
        let id = match ty {
            Type::ErrorContext => return false,
            Type::Id(id) => *id,
            _ => return true,
        };
        let Some(def) = resolve.types.get(id) else {
            return false;
        };
        match marks.get(id.index()) {
            Some(Mark::Done(ok)) => return *ok,
            // A cycle: no WIT type refers to itself.
            Some(Mark::Visiting) | None => return false,
            Some(Mark::Unvisited) => {}
        }
        if depth > MAX_DEPTH {
            return false;
        }
        if let Some(mark) = marks.get_mut(id.index()) {
            *mark = Mark::Visiting;
        }
        let mut ok = |t: &Type| visit(resolve, t, marks, depth + 1);
        let ok = match &def.kind {
            TypeDefKind::Type(t) | TypeDefKind::List(t) | TypeDefKind::Option(t) => ok(t),
            TypeDefKind::Record(r) => r.fields.iter().all(|f| ok(&f.ty)),
            TypeDefKind::Tuple(t) => t.types.iter().all(ok),
            TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty.as_ref()).all(ok),
            TypeDefKind::Result(r) => r.ok.iter().chain(r.err.iter()).all(ok),
            TypeDefKind::Flags(_) | TypeDefKind::Enum(_) | TypeDefKind::Handle(_) => true,
            TypeDefKind::Resource
            | TypeDefKind::Map(..)
            | TypeDefKind::FixedLengthList(..)
            | TypeDefKind::Future(_)
            | TypeDefKind::Stream(_)
            | TypeDefKind::Unknown => false,
        };
        if let Some(mark) = marks.get_mut(id.index()) {
            *mark = Mark::Done(ok);
        }
        ok
    }
}
