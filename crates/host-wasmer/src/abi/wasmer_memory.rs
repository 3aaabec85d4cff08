//! [`WasmerMemory`]: a Wasmer instance's exported memory and `cabi_realloc`.

use std::cell::Cell;

use wasmer::{AsStoreMut, Memory, TypedFunction};

use super::memory::range_in;
use super::{AbiError, GuestMemory};

/// The core type of a guest's `cabi_realloc(old_ptr, old_len, align, new_len) -> ptr`.
pub type ReallocFn = TypedFunction<(i32, i32, i32, i32), i32>;

/// A Wasmer guest's exported `memory` and `cabi_realloc`, borrowed together
/// with the store they live in.
///
/// Every access takes a fresh [`Memory::view`]: `cabi_realloc` runs guest
/// code, which may grow the memory, so no view is kept across calls. The
/// memory's size, which bounds checks ask for, is kept until
/// `cabi_realloc` runs: nothing else can grow the memory while this holds
/// the store.
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
    /// The memory's size in bytes, once asked for; forgotten when
    /// `cabi_realloc` runs.
    size: Cell<Option<u64>>,
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
            size: Cell::new(None),
        }
    }

    /// The current size of the memory in bytes (0 without a memory).
    pub fn size(&self) -> u64 {
        if let Some(size) = self.size.get() {
            return size;
        }
        let size = self
            .memory
            .as_ref()
            .map_or(0, |memory| memory.view(&*self.store).data_size());
        self.size.set(Some(size));
        size
    }

    fn memory(&self, ptr: u32, len: u64) -> Result<&Memory, AbiError> {
        // A `match`, not `ok_or`: the error is built only when it is returned,
        // not built and dropped on every access.
        match &self.memory {
            Some(memory) => Ok(memory),
            None => Err(AbiError::NoMemory { ptr, len }),
        }
    }

    /// The store, for calls the caller makes between ABI operations.
    pub fn store_mut(&mut self) -> &mut S {
        // The caller may grow the memory through it.
        self.size.set(None);
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
        let Some(realloc) = self.realloc.as_ref() else {
            return Err(AbiError::ReallocMissing { len: new_len });
        };
        // Guest code runs: it may grow the memory.
        self.size.set(None);
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
