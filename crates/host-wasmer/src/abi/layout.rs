//! [`Abi`]: a WIT `Resolve` with the size, alignment and flat core types of
//! each of its types, and the checks that keep unsupported types out.

use std::sync::Arc;

use wit_parser::abi::{FlatTypes, WasmType};
use wit_parser::{Resolve, SizeAlign, Type, TypeDefKind};

use super::AbiError;
use super::signatures::Signatures;

/// The canonical ABI's limit on the byte length of a string
/// (`MAX_STRING_BYTE_LENGTH`), enforced when lifting and when lowering.
pub const MAX_STRING_BYTE_LENGTH: u32 = (1 << 28) - 1;

/// The canonical ABI's limit on the byte length of a list
/// (`MAX_LIST_BYTE_LENGTH`), enforced when lifting and when lowering.
pub const MAX_LIST_BYTE_LENGTH: u32 = (1 << 28) - 1;

/// How much host memory lifting one guest value may take by default: 256 MiB.
pub const DEFAULT_LIFT_LIMIT: u64 = 256 << 20;

/// The canonical ABI for the types of one [`Resolve`], for a 32-bit guest
/// with UTF-8 strings and the synchronous calling convention that
/// wit-bindgen uses for core modules.
///
/// Building one computes the layout of every type once
/// ([`SizeAlign`]), the flat core types of every type the ABI supports, and
/// the core signature of every function, so that calls only look them up.
/// Sizes, alignments and flattening come from wit-parser, so they agree with
/// the guest's bindings by construction.
///
/// Supported: every WIT value type of the component model's sync ABI (bool,
/// integers, floats, char, string, list, record, tuple, variant, enum,
/// option, result, flags, own, borrow). Rejected with
/// [`AbiError::UnsupportedType`]: `future`, `stream`, `error-context`, `map`,
/// fixed-length lists and async functions.
///
/// # Examples
///
/// ```
/// use host_wasmer::abi::Abi;
/// use wit_parser::{Resolve, Type};
///
/// let resolve = Resolve::default();
/// let abi = Abi::new(&resolve);
/// assert_eq!(abi.size_of(&Type::String)?, 8);
/// assert_eq!(abi.align_of(&Type::U64)?, 8);
/// # Ok::<(), host_wasmer::abi::AbiError>(())
/// ```
pub struct Abi {
    pub(crate) resolve: Arc<Resolve>,
    pub(crate) sizes: SizeAlign,
    /// Flat core types of each entry of `resolve.types`, by arena index;
    /// `None` for a type that cannot cross this ABI.
    flat: Vec<Option<Vec<WasmType>>>,
    /// Host bytes one lift may allocate; see [`Abi::with_lift_limit`].
    pub(crate) lift_limit: u64,
    /// The core signatures of the `Resolve`'s functions, computed once.
    pub(crate) signatures: Signatures,
}

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
        let supported = support::compute(&resolve);
        let flat = resolve
            .types
            .iter()
            .map(|(id, _)| {
                let ok = supported.get(id.index()).copied().unwrap_or(false);
                ok.then(|| flatten_supported(&resolve, &Type::Id(id)))
                    .flatten()
            })
            .collect();
        let mut abi = Self {
            resolve,
            sizes,
            flat,
            lift_limit: DEFAULT_LIFT_LIMIT,
            signatures: Signatures::default(),
        };
        abi.signatures =
            Signatures::compute(&abi.resolve, |variant, func| abi.signature(variant, func));
        abi
    }

    /// Sets how much host memory lifting one value (or one function's
    /// parameters) may allocate, in bytes.
    ///
    /// The guest controls list lengths and may point many list elements at
    /// the same bytes, so without a limit a small guest memory could make
    /// the host build an enormous [`Val`](super::Val). Every lifted `Val`
    /// counts its size, and every string or list counts its bytes.
    ///
    /// ```
    /// use host_wasmer::abi::Abi;
    /// let resolve = wit_parser::Resolve::default();
    /// let abi = Abi::new(&resolve).with_lift_limit(1 << 20);
    /// assert_eq!(abi.lift_limit(), 1 << 20);
    /// ```
    pub fn with_lift_limit(mut self, bytes: u64) -> Self {
        self.lift_limit = bytes;
        self
    }

    /// The limit set by [`Abi::with_lift_limit`].
    pub fn lift_limit(&self) -> u64 {
        self.lift_limit
    }

    /// The `Resolve` the types come from.
    pub fn resolve(&self) -> &Resolve {
        &self.resolve
    }

    /// The `Resolve` the types come from, shared.
    pub fn resolve_arc(&self) -> &Arc<Resolve> {
        &self.resolve
    }

    /// wit-parser's layouts of the types, for a typed fast path.
    pub fn sizes(&self) -> &SizeAlign {
        &self.sizes
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

/// What [`Abi::new`] accepts as its `Resolve`.
///
/// ```
/// use std::sync::Arc;
/// use host_wasmer::abi::Abi;
/// use wit_parser::Resolve;
///
/// let shared = Arc::new(Resolve::default());
/// let abi = Abi::new(shared.clone());
/// assert!(Arc::ptr_eq(abi.resolve_arc(), &shared));
/// let borrowed = Abi::new(&Resolve::default()); // clones the Resolve
/// # drop(borrowed);
/// ```
pub trait IntoResolve {
    /// The `Resolve`, shared.
    fn into_resolve(self) -> Arc<Resolve>;
}

impl IntoResolve for Arc<Resolve> {
    fn into_resolve(self) -> Arc<Resolve> {
        self
    }
}

impl IntoResolve for &Arc<Resolve> {
    fn into_resolve(self) -> Arc<Resolve> {
        Arc::clone(self)
    }
}

impl IntoResolve for Resolve {
    fn into_resolve(self) -> Arc<Resolve> {
        Arc::new(self)
    }
}

impl IntoResolve for &Resolve {
    fn into_resolve(self) -> Arc<Resolve> {
        Arc::new(self.clone())
    }
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
