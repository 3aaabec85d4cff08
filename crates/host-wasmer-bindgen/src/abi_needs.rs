//! Which of the canonical ABI's guest exports a world's signatures need:
//! `memory` whenever a value crosses through linear memory, and
//! `cabi_realloc` whenever the host must allocate in the guest.
//!
//! Shared by the generator (the shape of a generated world) and
//! host-wasmer's run-time `GuestWorld`, so that both paths ask a module for
//! the same exports.

use wit_parser::abi::{AbiVariant, WasmSignature, WasmType};
use wit_parser::{Function, Resolve, Type, TypeDefKind, WorldId, WorldItem};

use crate::walk::any_part;

/// The guest exports a world needs beside its functions.
///
/// # Examples
///
/// ```
/// use host_wasmer_bindgen::AbiNeeds;
/// use wit_parser::Resolve;
///
/// let mut resolve = Resolve::default();
/// let pkg = resolve.push_str("w.wit", "package demo:w;
///     world scalars { import tick: func(n: u32) -> u32; export run: func(); }
///     world strings { import name: func() -> string; export run: func(); }")?;
/// let scalars = resolve.select_world(&[pkg], Some("scalars"))?;
/// assert_eq!(AbiNeeds::of_world(&resolve, scalars), AbiNeeds { memory: false, realloc: false });
/// let strings = resolve.select_world(&[pkg], Some("strings"))?;
/// assert_eq!(AbiNeeds::of_world(&resolve, strings), AbiNeeds { memory: true, realloc: true });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AbiNeeds {
    /// Some value crosses through linear memory: a string or list, a
    /// spilled parameter list, a result behind a return pointer.
    pub memory: bool,
    /// The host allocates in the guest: a string or list in an import's
    /// result, or in an export's parameters, or spilled export parameters.
    pub realloc: bool,
}

impl AbiNeeds {
    /// What the imported and exported functions of one world need.
    pub fn of<'a>(
        resolve: &Resolve,
        imports: impl Iterator<Item = &'a Function>,
        exports: impl Iterator<Item = &'a Function>,
    ) -> Self {
        let mut needs = Self::default();
        for import in imports {
            let signature = resolve.wasm_signature(AbiVariant::GuestImport, import);
            needs.memory |= through_memory(&signature);
            if let Some(result) = &import.result {
                needs.realloc |= holds_lists(resolve, result);
            }
        }
        for export in exports {
            let signature = resolve.wasm_signature(AbiVariant::GuestExport, export);
            needs.memory |= through_memory(&signature);
            needs.realloc |= signature.indirect_params
                || export
                    .params
                    .iter()
                    .any(|param| holds_lists(resolve, &param.ty));
        }
        needs.memory |= needs.realloc;
        needs
    }

    /// What world `world` needs: its functions, those of the interfaces it
    /// imports, and its exported functions.
    pub fn of_world(resolve: &Resolve, world: WorldId) -> Self {
        let world = &resolve.worlds[world];
        Self::of(
            resolve,
            functions(resolve, world.imports.values()),
            functions(resolve, world.exports.values()),
        )
    }
}

/// The functions of world items: free functions, and those of interfaces.
fn functions<'a>(
    resolve: &'a Resolve,
    items: impl Iterator<Item = &'a WorldItem> + 'a,
) -> impl Iterator<Item = &'a Function> + 'a {
    items.flat_map(move |item| {
        let (one, many) = match item {
            WorldItem::Function(func) => (Some(func), None),
            WorldItem::Interface { id, .. } => {
                (None, Some(resolve.interfaces[*id].functions.values()))
            }
            WorldItem::Type { .. } => (None, None),
        };
        one.into_iter().chain(many.into_iter().flatten())
    })
}

/// Whether a call of `signature` reads or writes linear memory.
fn through_memory(signature: &WasmSignature) -> bool {
    signature.indirect_params
        || signature.retptr
        || signature.params.iter().chain(&signature.results).any(|t| {
            matches!(
                t,
                WasmType::Pointer | WasmType::Length | WasmType::PointerOrI64
            )
        })
}

/// Whether a value of `ty` can hold a string or a list.
fn holds_lists(resolve: &Resolve, ty: &Type) -> bool {
    any_part(resolve, ty, |t, kind| {
        matches!(t, Type::String)
            || matches!(kind, Some(TypeDefKind::List(_) | TypeDefKind::Map(..)))
    })
}
