//! Handles in generated bindings: `borrow<T>` parameters looked up once,
//! `own<T>` parameters taken out of the guest's table before the host
//! function runs, and `own<T>` results the host already put in the table.

use slots_core::{Borrowed, Handle, HandleError, RawHandle, Resource, ResourceTable};

use super::canon::{Layout, LiftCx, LiftGuest, LowerGuest};
use super::flat::{Flat, FlatOut};
use crate::HostError;
use crate::abi::GuestMemory;
use crate::typed::Own;

/// The raw bits a guest passed, or the error naming why they are no handle.
#[inline]
pub fn raw<T: Resource>(bits: u32) -> Result<RawHandle, HostError> {
    RawHandle::from_bits(bits).ok_or_else(|| HostError::handle::<T>(HandleError::Reserved { bits }))
}

/// The `T` a method's `borrow<T>` parameter names: one checked lookup.
#[inline]
pub fn borrow<T: Resource>(table: &ResourceTable<String>, bits: u32) -> Result<&T, HostError> {
    table
        .get::<T>(raw::<T>(bits)?)
        .map_err(HostError::handle::<T>)
}

/// The `T` a method's receiver names: one checked lookup, mutable when the
/// instance owns the object.
#[inline]
pub fn receiver<T: Resource>(
    table: &mut ResourceTable<String>,
    bits: u32,
) -> Result<Borrowed<'_, T>, HostError> {
    table
        .borrow_mut::<T>(raw::<T>(bits)?)
        .map_err(HostError::handle::<T>)
}

/// A free function's `borrow<T>` parameter: checked to be a live `T`.
#[inline]
pub fn check<T: Resource>(
    table: &ResourceTable<String>,
    bits: u32,
) -> Result<Handle<T>, HostError> {
    table
        .check::<T>(raw::<T>(bits)?)
        .map_err(HostError::handle::<T>)
}

/// An `own<T>` parameter: the object taken out of the guest's table, unless
/// the same call lends the handle as a `borrow` (the canonical ABI traps).
pub fn take<T: Resource, M: GuestMemory + ?Sized>(
    cx: &mut LiftCx<'_, M>,
    bits: u32,
) -> Result<Own<T>, HostError> {
    let handle = raw::<T>(bits)?;
    if cx.lent.contains(bits) {
        return Err(HostError::Lent {
            resource: T::NAME,
            handle,
        });
    }
    let Some(table) = cx.table.as_deref_mut() else {
        return Err(HostError::Shape {
            rust: "Own<T>",
            found: "a handle where no handle table is at hand",
        });
    };
    match table.take::<T>(handle) {
        Ok(value) => Ok(Own::new(value)),
        Err(HandleError::Shared { .. }) => table
            .take_shared::<T>(handle)
            .map(Own::shared)
            .map_err(HostError::handle::<T>),
        Err(error) => Err(HostError::handle::<T>(error)),
    }
}

impl<T> Layout for Handle<T> {
    const SIZE: u32 = 4;
    const ALIGN: u32 = 4;
    const FLAT: usize = 1;
}

/// A `borrow<T>` inside another type (an `option<borrow<T>>`, say): checked
/// and lent to the call as it is lifted.
impl<T: Resource> LiftGuest for Handle<T> {
    #[inline]
    fn lift_flat<M: GuestMemory + ?Sized>(
        cx: &mut LiftCx<'_, M>,
        flat: &mut Flat<'_>,
    ) -> Result<Self, HostError> {
        lend(cx, flat.next_bits() as u32)
    }

    fn load<M: GuestMemory + ?Sized>(cx: &mut LiftCx<'_, M>, ptr: u32) -> Result<Self, HostError> {
        let bits = u32::load(cx, ptr)?;
        lend(cx, bits)
    }
}

fn lend<T: Resource, M: GuestMemory + ?Sized>(
    cx: &mut LiftCx<'_, M>,
    bits: u32,
) -> Result<Handle<T>, HostError> {
    let Some(table) = cx.table.as_deref() else {
        return Err(HostError::Shape {
            rust: "Handle<T>",
            found: "a handle where no handle table is at hand",
        });
    };
    let handle = check::<T>(table, bits)?;
    cx.lend(bits);
    Ok(handle)
}

/// An `own<T>` result the host already put in the guest's table.
impl<T> LowerGuest for Handle<T> {
    #[inline]
    fn lower_flat<M: GuestMemory + ?Sized>(
        &self,
        _: &mut M,
        out: &mut FlatOut<'_>,
    ) -> Result<(), HostError> {
        out.push(u64::from(self.to_bits()));
        Ok(())
    }

    fn store<M: GuestMemory + ?Sized>(&self, mem: &mut M, ptr: u32) -> Result<(), HostError> {
        self.to_bits().store(mem, ptr)
    }
}

impl<T> Layout for Own<T> {
    const SIZE: u32 = 4;
    const ALIGN: u32 = 4;
    const FLAT: usize = 1;
}

/// An `own<T>` inside another type (a `list<own<T>>`, say): taken as it is
/// lifted.
impl<T: Resource> LiftGuest for Own<T> {
    #[inline]
    fn lift_flat<M: GuestMemory + ?Sized>(
        cx: &mut LiftCx<'_, M>,
        flat: &mut Flat<'_>,
    ) -> Result<Self, HostError> {
        take(cx, flat.next_bits() as u32)
    }

    fn load<M: GuestMemory + ?Sized>(cx: &mut LiftCx<'_, M>, ptr: u32) -> Result<Self, HostError> {
        let bits = u32::load(cx, ptr)?;
        take(cx, bits)
    }
}
