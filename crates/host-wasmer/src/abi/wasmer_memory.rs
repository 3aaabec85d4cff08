//! [`WasmerMemory`]: a Wasmer instance's exported memory and `cabi_realloc`.

use wasmer::{AsStoreMut, Memory, TypedFunction};

use super::memory::range_in;
use super::{AbiError, GuestMemory};

/// The core type of a guest's `cabi_realloc(old_ptr, old_len, align, new_len) -> ptr`.
pub type ReallocFn = TypedFunction<(i32, i32, i32, i32), i32>;

/// A Wasmer guest's exported `memory` and `cabi_realloc`, borrowed together
/// with the store they live in.
///
/// Every access takes a fresh [`Memory::view`]: `cabi_realloc` runs guest
/// code, which may grow the memory, so no view or size is kept across calls.
///
/// In a host function, build one from the `FunctionEnvMut`'s store half:
///
/// ```no_run
/// # use host_wasmer::abi::{ReallocFn, WasmerMemory};
/// # use wasmer::{FunctionEnvMut, Memory};
/// struct Env { memory: Memory, realloc: Option<ReallocFn> }
/// fn host_fn(mut env: FunctionEnvMut<'_, Env>) {
///     let (data, mut store) = env.data_and_store_mut();
///     let mem = WasmerMemory::new(&mut store, data.memory.clone(), data.realloc.clone());
///     // ... lift and lower with `mem`
/// # drop(mem);
/// }
/// ```
pub struct WasmerMemory<'a, S: AsStoreMut> {
    store: &'a mut S,
    /// `None` for a guest that exports no memory: its world passes nothing
    /// through memory, and any access is an error.
    memory: Option<Memory>,
    realloc: Option<ReallocFn>,
}

impl<'a, S: AsStoreMut> WasmerMemory<'a, S> {
    /// Wraps `memory` and the guest's `cabi_realloc`, if it exports one.
    pub fn new(store: &'a mut S, memory: Memory, realloc: Option<ReallocFn>) -> Self {
        Self::optional(store, Some(memory), realloc)
    }

    /// Wraps the guest's `memory` and `cabi_realloc`, either of which it
    /// may not export (a world of scalars and handles needs neither). An
    /// access to a memory the guest does not have is
    /// [`AbiError::NoMemory`].
    pub fn optional(store: &'a mut S, memory: Option<Memory>, realloc: Option<ReallocFn>) -> Self {
        Self {
            store,
            memory,
            realloc,
        }
    }

    /// The current size of the memory in bytes (0 without a memory).
    pub fn size(&self) -> u64 {
        self.memory
            .as_ref()
            .map_or(0, |memory| memory.view(&*self.store).data_size())
    }

    fn memory(&self, ptr: u32, len: u64) -> Result<&Memory, AbiError> {
        self.memory.as_ref().ok_or(AbiError::NoMemory { ptr, len })
    }

    /// The store, for calls the caller makes between ABI operations.
    pub fn store_mut(&mut self) -> &mut S {
        self.store
    }
}

impl<S: AsStoreMut> GuestMemory for WasmerMemory<'_, S> {
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), AbiError> {
        let view = self.memory(offset, buf.len() as u64)?.view(&*self.store);
        view.read(u64::from(offset), buf)
            .map_err(|_| AbiError::OutOfBounds {
                ptr: offset,
                len: buf.len() as u64,
                size: view.data_size(),
            })
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), AbiError> {
        let view = self.memory(offset, bytes.len() as u64)?.view(&*self.store);
        view.write(u64::from(offset), bytes)
            .map_err(|_| AbiError::OutOfBounds {
                ptr: offset,
                len: bytes.len() as u64,
                size: view.data_size(),
            })
    }

    fn realloc(
        &mut self,
        old_ptr: u32,
        old_len: u32,
        align: u32,
        new_len: u32,
    ) -> Result<u32, AbiError> {
        let realloc = self
            .realloc
            .as_ref()
            .ok_or(AbiError::ReallocMissing { len: new_len })?;
        // Wasm integers are sign-agnostic: the casts only reinterpret bits.
        let ptr = realloc
            .call(
                &mut *self.store,
                old_ptr as i32,
                old_len as i32,
                align as i32,
                new_len as i32,
            )
            .map_err(|trap| AbiError::ReallocFailed {
                len: new_len,
                message: trap.message(),
            })?;
        Ok(ptr as u32)
    }

    fn check_range(&self, offset: u32, len: u64) -> Result<(), AbiError> {
        self.memory(offset, len)?;
        range_in(self.size(), offset, len)
    }
}
