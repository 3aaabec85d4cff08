//! Which of the canonical ABI's guest exports a world's signatures need:
//! `memory` whenever a value crosses through linear memory, and
//! `cabi_realloc` whenever the host must allocate in the guest.

use wit_parser::abi::{WasmSignature, WasmType};
use wit_parser::{Resolve, Type, TypeDefKind};

use super::{ExportFunc, ImportFunc};

/// The guest exports a world needs beside its functions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct AbiNeeds {
    /// Some value crosses through linear memory: a string or list, a
    /// spilled parameter list, a result behind a return pointer.
    pub(crate) memory: bool,
    /// The host allocates in the guest: a string or list in an import's
    /// result, or in an export's parameters, or spilled export parameters.
    pub(crate) realloc: bool,
}

impl AbiNeeds {
    /// What the imports and exports of one world need.
    pub(crate) fn of<'a>(
        resolve: &Resolve,
        imports: impl Iterator<Item = &'a ImportFunc>,
        exports: &[ExportFunc],
    ) -> Self {
        let mut needs = Self::default();
        for import in imports {
            needs.memory |= through_memory(&import.signature);
            if let Some(result) = &import.func.result {
                needs.realloc |= holds_lists(resolve, result);
            }
        }
        for export in exports {
            needs.memory |= through_memory(&export.signature);
            needs.realloc |= export.signature.indirect_params
                || export
                    .func
                    .params
                    .iter()
                    .any(|param| holds_lists(resolve, &param.ty));
        }
        needs.memory |= needs.realloc;
        needs
    }
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
    let Type::Id(id) = ty else {
        return matches!(ty, Type::String);
    };
    match &resolve.types[*id].kind {
        TypeDefKind::List(_) | TypeDefKind::Map(..) => true,
        TypeDefKind::Type(t) | TypeDefKind::Option(t) | TypeDefKind::FixedLengthList(t, _) => {
            holds_lists(resolve, t)
        }
        TypeDefKind::Record(r) => r.fields.iter().any(|f| holds_lists(resolve, &f.ty)),
        TypeDefKind::Tuple(t) => t.types.iter().any(|t| holds_lists(resolve, t)),
        TypeDefKind::Result(r) => [r.ok, r.err]
            .iter()
            .flatten()
            .any(|t| holds_lists(resolve, t)),
        TypeDefKind::Variant(v) => v
            .cases
            .iter()
            .filter_map(|c| c.ty.as_ref())
            .any(|t| holds_lists(resolve, t)),
        _ => false,
    }
}
