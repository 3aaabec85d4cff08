//! The canonical ABI's handle rules for parameters lifted as [`Val`]s: a
//! `borrow` must name a live handle of its resource type, an `own` leaves
//! the caller's table before the host function runs, and one handle cannot
//! be both lent and given in the same call.
//!
//! Typed parameters follow the rules as they are lifted ([`Handle<T>`] and
//! [`Own<T>`](crate::typed::Own)); this module applies them to functions
//! bound with [`Linker::func_dynamic`](crate::Linker::func_dynamic), whose
//! parameters stay `Val`s. The objects taken wait in the instance's
//! [`Passed`] until the host function claims them with
//! [`Ctx::take_own`](crate::Ctx::take_own); whatever it leaves is dropped
//! when the call ends, as the callee of an `own` would drop it.
//!
//! [`Handle<T>`]: slots_core::Handle

use std::collections::HashMap;

use slots_core::{HandleError, RawHandle, ResourceTable};
use wit_parser::{Handle as WitHandle, Param, Resolve, Type, TypeDefKind, TypeId};

use crate::HostError;
use crate::abi::Val;
use crate::env::Passed;
use crate::typed::{BoundResource, Lent, TypeCheck};

/// One handle found in a lifted parameter.
struct Found {
    own: bool,
    resource: TypeId,
    bits: u32,
}

/// Applies the handle rules to the lifted `vals` of `params`: checks every
/// `borrow`, then takes every `own` out of `table` into `passed`. Nothing
/// is taken when any borrow is bad or an `own` is also lent.
pub(crate) fn claim(
    resolve: &Resolve,
    resources: &HashMap<TypeId, BoundResource>,
    params: &[Param],
    vals: &[Val],
    table: &mut ResourceTable<String>,
    passed: &mut Passed,
) -> Result<(), HostError> {
    let cx = TypeCheck::new(resolve, resources);
    let mut found = Vec::new();
    for (param, val) in params.iter().zip(vals) {
        collect(&cx, &param.ty, val, &mut found);
    }
    if found.is_empty() {
        return Ok(());
    }
    let mut lent = Lent::default();
    for handle in found.iter().filter(|h| !h.own) {
        let (bound, raw) = resolve_handle(&cx, handle)?;
        table
            .check_as(raw, bound.rust, bound.name)
            .map_err(|error| HostError::BadHandle {
                resource: bound.name,
                error,
            })?;
        lent.add(handle.bits);
    }
    for handle in found.iter().filter(|h| h.own) {
        let (bound, raw) = resolve_handle(&cx, handle)?;
        if lent.contains(handle.bits) {
            return Err(HostError::Lent {
                resource: bound.name,
                handle: raw,
            });
        }
    }
    for handle in found.iter().filter(|h| h.own) {
        let (bound, raw) = resolve_handle(&cx, handle)?;
        let object = table
            .take_as(raw, bound.rust, bound.name)
            .map_err(|error| HostError::BadHandle {
                resource: bound.name,
                error,
            })?;
        tracing::trace!(target: "slots::handle", resource = bound.name, handle = %raw, "own passed to the host");
        passed.push(handle.bits, object);
    }
    Ok(())
}

/// The Rust type bound to the handle's resource, and its bits as a handle.
fn resolve_handle<'a>(
    cx: &'a TypeCheck<'_>,
    handle: &Found,
) -> Result<(&'a BoundResource, RawHandle), HostError> {
    let bound = cx
        .bound(handle.resource)
        .ok_or_else(|| HostError::Unbound {
            resource: cx.resolve().types[handle.resource]
                .name
                .clone()
                .unwrap_or_default(),
        })?;
    let raw = RawHandle::from_bits(handle.bits).ok_or(HostError::BadHandle {
        resource: bound.name,
        error: HandleError::Reserved { bits: handle.bits },
    })?;
    Ok((bound, raw))
}

/// Every handle inside `val`, a lifted value of type `ty`, in order.
fn collect(cx: &TypeCheck<'_>, ty: &Type, val: &Val, found: &mut Vec<Found>) {
    let Some(kind) = cx.kind(ty) else {
        return;
    };
    match (kind, val) {
        (TypeDefKind::Handle(handle), Val::Own(bits) | Val::Borrow(bits)) => found.push(Found {
            own: matches!(handle, WitHandle::Own(_)),
            resource: cx.resource_of(handle),
            bits: *bits,
        }),
        (TypeDefKind::List(elem), Val::List(items)) => {
            for item in items {
                collect(cx, elem, item, found);
            }
        }
        (TypeDefKind::Record(record), Val::Record(fields)) => {
            for (field, val) in record.fields.iter().zip(fields) {
                collect(cx, &field.ty, val, found);
            }
        }
        (TypeDefKind::Tuple(tuple), Val::Tuple(items)) => {
            for (ty, val) in tuple.types.iter().zip(items) {
                collect(cx, ty, val, found);
            }
        }
        (TypeDefKind::Option(inner), Val::Option(Some(val))) => collect(cx, inner, val, found),
        (TypeDefKind::Result(result), Val::Result(side)) => {
            let (ty, val) = match side {
                Ok(val) => (result.ok.as_ref(), val),
                Err(val) => (result.err.as_ref(), val),
            };
            if let (Some(ty), Some(val)) = (ty, val) {
                collect(cx, ty, val, found);
            }
        }
        (TypeDefKind::Variant(variant), Val::Variant { case, payload }) => {
            let ty = variant
                .cases
                .get(*case as usize)
                .and_then(|case| case.ty.as_ref());
            if let (Some(ty), Some(val)) = (ty, payload) {
                collect(cx, ty, val, found);
            }
        }
        _ => {}
    }
}
