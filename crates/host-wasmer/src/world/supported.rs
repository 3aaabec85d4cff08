//! What slots' canonical ABI serves: the synchronous ABI over every WIT
//! value type except `map` and fixed-length lists, which a world using them
//! is refused for when it is loaded, naming the function and the type.

use host_wasmer_bindgen::walk::find_part;
use wit_parser::{Function, Resolve, Type, TypeDefKind};

use super::error::WorldError;

/// Checks that slots can serve `func`: a synchronous function whose
/// parameters and result use only supported types.
pub(crate) fn check_function(resolve: &Resolve, func: &Function) -> Result<(), WorldError> {
    if func.kind.is_async() {
        return Err(WorldError::Unsupported {
            item: func.name.clone(),
            reason: "async functions need the async ABI, which slots does not implement",
        });
    }
    let params = func
        .params
        .iter()
        .map(|p| (format!("parameter `{}`", p.name), &p.ty));
    let result = func.result.iter().map(|ty| ("the result".to_string(), ty));
    for (place, ty) in params.chain(result) {
        if let Some((kind, reason)) = unsupported_in(resolve, ty) {
            return Err(WorldError::Unsupported {
                item: format!(
                    "function `{}`, {place}: `{}` holds a `{kind}`",
                    func.name,
                    crate::abi::type_name_in(resolve, ty, 0),
                ),
                reason,
            });
        }
    }
    Ok(())
}

/// The first unsupported kind of type inside `ty`, and why it is refused.
fn unsupported_in(resolve: &Resolve, ty: &Type) -> Option<(&'static str, &'static str)> {
    find_part(resolve, ty, &mut |t, kind| match (t, kind) {
        (Type::ErrorContext, _) => Some(("error-context", ASYNC)),
        (_, Some(TypeDefKind::Map(..))) => Some(("map", MAP)),
        (_, Some(TypeDefKind::FixedLengthList(..))) => Some(("fixed-length list", FIXED)),
        (_, Some(TypeDefKind::Future(_))) => Some(("future", ASYNC)),
        (_, Some(TypeDefKind::Stream(_))) => Some(("stream", ASYNC)),
        _ => None,
    })
}

const MAP: &str = "`map` is not implemented by slots' canonical ABI; pass a `list<tuple<K, V>>`";
const FIXED: &str =
    "fixed-length lists are not implemented by slots' canonical ABI; pass a `list` or a `tuple`";
const ASYNC: &str =
    "futures, streams and error contexts need the async ABI, which slots does not implement";
