//! One call of a generated import: the re-entrancy guard, the guest's
//! memory, the host function run with its panics caught, and every failure
//! turned into a trap that names the import.

use std::sync::Arc;

use slots_core::{Handle, HandleError, RawHandle, Resource, ResourceTable};
use wasmer::{FunctionEnvMut, RuntimeError};

use super::canon::{Layout, LiftCx, LowerGuest, check_store};
use super::lower_memory::{LowerMemory, View};
use crate::abi::{AbiError, GuestMemory, ViewMemory, WasmerMemory};
use crate::host_call::{admit, guarded, trap};
use crate::{Ctx, HostError, InstanceEnv, SharedHost};

/// What a resource method sees of its instance besides its receiver: the
/// embedder's data, the namespace and the host. The handle table is not
/// here: the method's `&T` (or `&mut T`) is lent from it for the call.
///
/// A method that needs the table (to give out a new handle, say) is one
/// whose WIT result holds an `own<T>`; `bindgen!` gives such methods the
/// whole [`Ctx`] and their receiver as a checked handle instead.
pub struct Caller<'a, D> {
    data: &'a mut D,
    namespace: &'a Arc<str>,
    host: &'a Arc<SharedHost>,
}

impl<D> Caller<'_, D> {
    /// The embedder's data for this instance.
    #[inline]
    pub fn data(&self) -> &D {
        self.data
    }

    /// The embedder's data for this instance, mutably.
    #[inline]
    pub fn data_mut(&mut self) -> &mut D {
        self.data
    }

    /// The instance's namespace (tenant).
    pub fn namespace(&self) -> &Arc<str> {
        self.namespace
    }

    /// The host whose cache and limits the instance shares.
    pub fn host(&self) -> &Arc<SharedHost> {
        self.host
    }
}

impl<D> Ctx<'_, D> {
    /// Releases one reference to the `T` behind `handle`: a guest's
    /// `[resource-drop]`. Returns whether the slot was freed (the object is
    /// dropped then, or lives on where others share it).
    #[inline]
    pub fn release<T: Resource>(&mut self, handle: RawHandle) -> Result<bool, HostError> {
        let freed = self
            .env
            .table
            .release::<T>(handle)
            .map_err(HostError::handle::<T>)?;
        tracing::trace!(target: "slots::handle", resource = T::NAME, handle = %handle, freed, "drop");
        Ok(freed)
    }
}

/// A memory for calls that touch none: every access is an error.
#[derive(Debug, Clone, Copy)]
pub struct NoMemory;

impl GuestMemory for NoMemory {
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), AbiError> {
        Err(AbiError::OutOfBounds {
            ptr: offset,
            len: buf.len() as u64,
            size: 0,
        })
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), AbiError> {
        Err(AbiError::OutOfBounds {
            ptr: offset,
            len: bytes.len() as u64,
            size: 0,
        })
    }

    fn realloc(&mut self, _: u32, _: u32, _: u32, len: u32) -> Result<u32, AbiError> {
        Err(AbiError::ReallocMissing { len })
    }
}

/// A lift context over `mem` and the instance's table, with the host's
/// lift limit.
#[inline]
pub fn lift_cx<'a, D, M: GuestMemory + ?Sized>(
    env: &'a mut InstanceEnv<D>,
    mem: &'a M,
) -> LiftCx<'a, M> {
    let limit = env.host.config().lift_limit;
    LiftCx::new(mem, Some(&mut env.table), limit)
}

/// A lift context for parameters that need neither memory nor the table:
/// scalars and handles looked up after lifting.
#[inline]
pub fn plain_cx() -> LiftCx<'static, NoMemory> {
    LiftCx::new(&NoMemory, None, 0)
}

/// The instance as a free function sees it.
#[inline]
pub fn ctx<D>(env: &mut InstanceEnv<D>) -> Ctx<'_, D> {
    Ctx::new(env)
}

/// The instance split for a method: the table its receiver is lent from,
/// and the rest.
#[inline]
pub fn split<D>(env: &mut InstanceEnv<D>) -> (&mut ResourceTable<String>, Caller<'_, D>) {
    let InstanceEnv {
        table,
        data,
        namespace,
        host,
        ..
    } = env;
    (
        table,
        Caller {
            data,
            namespace,
            host,
        },
    )
}

/// Stores `value` at the guest's return pointer, after checking it.
#[inline]
pub fn store_return<T: LowerGuest, M: GuestMemory + ?Sized>(
    mem: &mut M,
    retptr: i32,
    value: &T,
) -> Result<(), HostError> {
    let ptr = retptr as u32;
    check_store(mem, "return area", ptr, T::SIZE, T::ALIGN)?;
    value.store(mem, ptr)
}

/// Checks the parameter area of a call whose parameters spilled to memory.
#[inline]
pub fn param_area<M: GuestMemory + ?Sized>(
    mem: &M,
    ptr: i32,
    size: u32,
    align: u32,
) -> Result<u32, HostError> {
    let ptr = ptr as u32;
    check_store(mem, "parameter area", ptr, size, align)?;
    Ok(ptr)
}

/// The one flat result of a value, as 64 bits.
#[inline]
pub fn flat_result<T: LowerGuest>(value: &T) -> Result<u64, HostError> {
    let mut out = [0u64; 1];
    value.lower_flat(&mut NoMemory, &mut super::flat::FlatOut::new(&mut out))?;
    let [bits] = out;
    Ok(bits)
}

/// Runs an import that touches no guest memory: scalars and handles in,
/// one scalar or handle (or nothing) out. A call the instance cannot serve
/// now (re-entered, torn down, not ready) traps before `run`; a panic in
/// `run` becomes a trap naming the import.
#[inline]
pub fn import<D: Send + 'static, R>(
    caller: &mut FunctionEnvMut<'_, InstanceEnv<D>>,
    name: &'static str,
    run: impl FnOnce(&mut InstanceEnv<D>) -> Result<R, HostError>,
) -> Result<R, RuntimeError> {
    guarded(
        caller,
        || name.to_string(),
        |caller| {
            let env = caller.data_mut();
            admit(env, || name.to_string())?;
            run(env).map_err(|error| trap(name.to_string(), error))
        },
    )
}

/// Runs an import that reads or writes guest memory and whose result
/// allocates nothing in it. `run` lifts the parameters and calls the host
/// function; `lower` stores its result. Both see the memory through one
/// [`ViewMemory`], taken once for the call: no guest code runs in between.
#[inline]
pub fn import_mem<D: Send + 'static, R, O>(
    caller: &mut FunctionEnvMut<'_, InstanceEnv<D>>,
    name: &'static str,
    run: impl FnOnce(&mut InstanceEnv<D>, &mut View<'_, '_>) -> Result<R, HostError>,
    lower: impl FnOnce(&mut View<'_, '_>, &R) -> Result<O, HostError>,
) -> Result<O, RuntimeError> {
    guarded(
        caller,
        || name.to_string(),
        |caller| {
            let (env, store) = caller.data_and_store_mut();
            admit(env, || name.to_string())?;
            let mut view = ViewMemory::new(&store, env.memory.clone());
            let result = run(env, &mut view).map_err(|error| trap(name.to_string(), error))?;
            lower(&mut view, &result).map_err(|error| trap(name.to_string(), error))
        },
    )
}

/// Runs an import whose result may allocate in guest memory: `run` lifts
/// the parameters through one [`ViewMemory`] and calls the host function;
/// `lower` stores the result through the memory and the guest's
/// `cabi_realloc`. The instance is marked busy while the allocator runs,
/// so a guest calling back into the host from it traps instead of
/// aliasing the state.
///
/// With `view_first`, for a result that allocates only in some cases (a
/// `result` whose error holds a string, say), `lower` first stores the
/// result through the view the parameters were lifted through, and again
/// from the start through the memory and allocator only if it must
/// allocate (see [`LowerMemory`]). A result that always allocates (a
/// `string`) goes straight to the allocator.
#[inline]
pub fn import_alloc<D: Send + 'static, R, O>(
    caller: &mut FunctionEnvMut<'_, InstanceEnv<D>>,
    name: &'static str,
    view_first: bool,
    run: impl FnOnce(&mut InstanceEnv<D>, &mut View<'_, '_>) -> Result<R, HostError>,
    lower: impl Fn(&mut LowerMemory<'_, '_, '_>, &R) -> Result<O, HostError>,
) -> Result<O, RuntimeError> {
    guarded(
        caller,
        || name.to_string(),
        |caller| {
            let (env, mut store) = caller.data_and_store_mut();
            admit(env, || name.to_string())?;
            let (result, viewed) = {
                let mut view = ViewMemory::new(&store, env.memory.clone());
                let result = run(env, &mut view).map_err(|error| trap(name.to_string(), error))?;
                let viewed = view_first.then(|| lower(&mut LowerMemory::View(&mut view), &result));
                (result, viewed)
            };
            match viewed {
                None | Some(Err(HostError::Abi(AbiError::ReallocUnavailable { .. }))) => {}
                Some(done) => return done.map_err(|error| trap(name.to_string(), error)),
            }
            let mut mem =
                WasmerMemory::optional(&mut store, env.memory.clone(), env.realloc.clone());
            env.gate.set_busy(true);
            let lowered = lower(&mut LowerMemory::Full(&mut mem), &result);
            caller.data_mut().gate.set_busy(false);
            lowered.map_err(|error| trap(name.to_string(), error))
        },
    )
}

/// A `[resource-drop]` import: the guest lets go of one handle.
#[inline]
pub fn drop_import<D: Send + 'static>(
    caller: &mut FunctionEnvMut<'_, InstanceEnv<D>>,
    name: &'static str,
    resource: &'static str,
    bits: i32,
    drop: impl FnOnce(&mut Ctx<'_, D>, RawHandle) -> Result<(), HostError>,
) -> Result<(), RuntimeError> {
    import(caller, name, |env| {
        let bits = bits as u32;
        let Some(handle) = RawHandle::from_bits(bits) else {
            return Err(HostError::BadHandle {
                resource,
                error: HandleError::Reserved { bits },
            });
        };
        drop(&mut Ctx::new(env), handle)
    })
}

/// The default `[resource-drop]` of a `T`: its reference released.
#[inline]
pub fn release<T: Resource, D>(cx: &mut Ctx<'_, D>, handle: RawHandle) -> Result<(), HostError> {
    cx.release::<T>(handle).map(|_| ())
}

/// Gives the guest a handle to `value`, owned by its instance: a
/// constructor's result.
#[inline]
pub fn give<T: Resource, D>(env: &mut InstanceEnv<D>, value: T) -> Result<Handle<T>, HostError> {
    Ctx::new(env)
        .insert(value)
        .map_err(|error| HostError::Quota {
            resource: T::NAME,
            error,
        })
}

/// A handle the host gives the guest, as its bits.
#[inline]
pub fn handle_bits<T>(handle: Handle<T>) -> u32 {
    handle.to_bits()
}

/// The layout constants of `T`, for generated assertions.
pub const fn layout_of<T: Layout>() -> (u32, u32, usize) {
    (T::SIZE, T::ALIGN, T::FLAT)
}
