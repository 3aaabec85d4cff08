//! Handles in signatures: `Handle<T>` for borrows and for owned results
//! already in the table, [`Own<T>`] for ownership crossing the boundary.

use std::any::TypeId;
use std::ops::Deref;
use std::sync::Arc;

use slots_core::{Handle, HandleError, RawHandle, Resource, Shared};
use wit_parser::{Handle as WitHandle, Type, TypeDefKind};

use wasmer::Value;

use super::{DirectCall, Lift, LiftCx, Lower, LowerCx, TypeCheck, TypeMismatch, WitType, shape};
use crate::HostError;
use crate::abi::Val;

/// Checks that `ty` is a handle to the resource bound to `T`; returns
/// whether it is an `own`.
fn check_handle<T: Resource, R: ?Sized>(
    ty: &Type,
    cx: &TypeCheck<'_>,
) -> Result<bool, TypeMismatch> {
    let Some(TypeDefKind::Handle(handle)) = cx.kind(ty) else {
        return Err(cx.mismatch::<R>(ty));
    };
    let resource = cx.resource_of(handle);
    match cx.bound(resource) {
        Some(bound) if bound.rust == TypeId::of::<T>() => Ok(matches!(handle, WitHandle::Own(_))),
        Some(bound) => Err(cx.mismatch_because::<R>(
            ty,
            format!("the resource is bound to `{}`", bound.rust_name),
        )),
        None => Err(cx.mismatch_because::<R>(
            ty,
            "the resource has no Rust type bound; call `Linker::resource` first",
        )),
    }
}

/// The raw bits a guest passed, or the error naming why they are no handle.
fn raw<T: Resource>(bits: u32) -> Result<RawHandle, HostError> {
    RawHandle::from_bits(bits).ok_or_else(|| HostError::handle::<T>(HandleError::Reserved { bits }))
}

/// `Handle<T>` stands for `borrow<T>` (a parameter the host looks up in the
/// table: it arrives checked to be a live `T`) and for `own<T>` results the
/// host already put in the table (with `Ctx::insert` or `Ctx::open`).
///
/// As an `own<T>` *parameter* it is refused when bound: taking ownership
/// needs [`Own<T>`], or the object would stay behind in the guest's table.
impl<T: Resource> WitType for Handle<T> {
    fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        check_handle::<T, Self>(ty, cx).map(|_| ())
    }
}

impl<T: Resource> Lift for Handle<T> {
    fn check_param(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match check_handle::<T, Self>(ty, cx)? {
            false => Ok(()),
            true => Err(cx.mismatch_because::<Self>(
                ty,
                "an `own` parameter moves the object to the host: take it as `Own<T>`",
            )),
        }
    }

    #[inline]
    fn lift(val: Val, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        match val {
            Val::Borrow(bits) => Self::lend(bits, cx),
            other => Err(shape::<Self>(&other)),
        }
    }

    #[inline]
    fn lift_direct(call: &mut DirectCall<'_>, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        Self::lend(call.next_i32()? as u32, cx)
    }
}

/// Checks a borrowed handle and records it as lent to the call.
trait Lend: Sized {
    fn lend(bits: u32, cx: &mut LiftCx<'_>) -> Result<Self, HostError>;
}

impl<T: Resource> Lend for Handle<T> {
    #[inline]
    fn lend(bits: u32, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        let handle = cx
            .table
            .check::<T>(raw::<T>(bits)?)
            .map_err(HostError::handle::<T>)?;
        cx.lent.add(bits);
        Ok(handle)
    }
}

impl<T: Resource> Lower for Handle<T> {
    #[inline]
    fn lower(self, _: &mut LowerCx<'_>) -> Result<Val, HostError> {
        Ok(Val::Own(self.to_bits()))
    }

    #[inline]
    fn lower_core(self, _: &mut LowerCx<'_>) -> Result<Result<Value, Val>, HostError> {
        Ok(Ok(Value::I32(self.to_bits() as i32)))
    }
}

/// An object whose ownership crosses the boundary: an `own<T>`.
///
/// - As a parameter, the guest gives the object to the host: the handle is
///   taken out of the guest's table (it is stale from then on), and the host
///   gets the object itself, or an `Arc` of it when it is shared.
/// - As a result, the host gives a new object to the guest: it is put in the
///   guest's table and the guest gets its handle.
///
/// # Examples
///
/// ```
/// use host_wasmer::typed::Own;
/// use slots_core::Resource;
///
/// struct Bucket(Vec<u8>);
/// impl Resource for Bucket {
///     const NAME: &'static str = "bucket";
/// }
///
/// // A constructor returns the new object.
/// let made = Own::new(Bucket(vec![1, 2]));
/// assert_eq!(made.0, vec![1, 2]); // Own derefs to the object
/// assert!(made.into_owned().is_ok());
/// ```
pub struct Own<T> {
    object: Object<T>,
}

enum Object<T> {
    Owned(T),
    Shared(Arc<Shared<T>>),
}

impl<T: Resource> Own<T> {
    /// A new object, owned by the guest it is returned to.
    pub fn new(value: T) -> Self {
        Self {
            object: Object::Owned(value),
        }
    }

    /// A shared object: the guest gets a handle to it, others keep theirs.
    pub fn shared(object: Arc<Shared<T>>) -> Self {
        Self {
            object: Object::Shared(object),
        }
    }

    /// The object, if the guest was its only holder; else its shared cell.
    pub fn into_owned(self) -> Result<T, Arc<Shared<T>>> {
        match self.object {
            Object::Owned(value) => Ok(value),
            Object::Shared(object) => Err(object),
        }
    }

    /// The object in a shared cell, shared before or not.
    pub fn into_shared(self) -> Arc<Shared<T>> {
        match self.object {
            Object::Owned(value) => Shared::new(value),
            Object::Shared(object) => object,
        }
    }
}

impl<T> Deref for Own<T> {
    type Target = T;

    fn deref(&self) -> &T {
        match &self.object {
            Object::Owned(value) => value,
            Object::Shared(object) => object.value(),
        }
    }
}

impl<T: Resource> WitType for Own<T> {
    fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match check_handle::<T, Self>(ty, cx)? {
            true => Ok(()),
            false => Err(cx.mismatch_because::<Self>(
                ty,
                "a `borrow` leaves the object with the guest: take it as `Handle<T>`",
            )),
        }
    }
}

impl<T: Resource> Own<T> {
    /// Takes the object the guest's handle `bits` names out of its table.
    fn take(bits: u32, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        let handle = raw::<T>(bits)?;
        if cx.lent.contains(bits) {
            return Err(HostError::Lent {
                resource: T::NAME,
                handle,
            });
        }
        match cx.table.take::<T>(handle) {
            Ok(value) => Ok(Self::new(value)),
            Err(HandleError::Shared { .. }) => cx
                .table
                .take_shared::<T>(handle)
                .map(Self::shared)
                .map_err(HostError::handle::<T>),
            Err(error) => Err(HostError::handle::<T>(error)),
        }
    }
}

impl<T: Resource> Lift for Own<T> {
    fn lift(val: Val, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        match val {
            Val::Own(bits) => Self::take(bits, cx),
            other => Err(shape::<Self>(&other)),
        }
    }

    #[inline]
    fn lift_direct(call: &mut DirectCall<'_>, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        Self::take(call.next_i32()? as u32, cx)
    }
}

impl<T: Resource> Own<T> {
    /// Gives the object to the guest: a new handle in its table.
    fn give(self, cx: &mut LowerCx<'_>) -> Result<u32, HostError> {
        let handle = match self.object {
            Object::Owned(value) => {
                *cx.creations += 1;
                cx.table.insert(value)
            }
            Object::Shared(object) => cx.table.insert_shared(object),
        }
        .map_err(|error| HostError::Quota {
            resource: T::NAME,
            error,
        })?;
        Ok(handle.to_bits())
    }
}

impl<T: Resource> Lower for Own<T> {
    fn lower(self, cx: &mut LowerCx<'_>) -> Result<Val, HostError> {
        self.give(cx).map(Val::Own)
    }

    #[inline]
    fn lower_core(self, cx: &mut LowerCx<'_>) -> Result<Result<Value, Val>, HostError> {
        Ok(Ok(Value::I32(self.give(cx)? as i32)))
    }
}
