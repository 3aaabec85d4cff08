//! [`ViewMemory`]: a guest's memory through one Wasmer view, for a stretch
//! of a host call in which no guest code runs.

use std::cell::OnceCell;

use wasmer::{AsStoreRef, Memory, MemoryView};

use super::memory::range_in;
use super::{AbiError, GuestMemory};

/// A Wasmer guest's exported `memory`, seen through one [`MemoryView`]
/// taken at its first access.
///
/// Taking a view looks the memory up in the store each time, so
/// [`WasmerMemory`](super::WasmerMemory), which takes one per access,
/// pays that on every read and write. A `ViewMemory` pays it once. It
/// cannot call `cabi_realloc` ([`AbiError::ReallocUnavailable`]): guest
/// code may grow the memory, and the view holds the store borrowed, so
/// nothing that could grow it runs while the view lives. Use it to lift
/// parameters, and to lower results that allocate nothing.
///
/// ```no_run
/// # use host_wasmer::abi::{GuestMemory, ViewMemory};
/// # use wasmer::{FunctionEnvMut, Memory};
/// struct Env { memory: Memory }
/// fn host_fn(env: FunctionEnvMut<'_, Env>, ptr: i32) -> Result<u32, wasmer::RuntimeError> {
///     let mem = ViewMemory::new(&env, Some(env.data().memory.clone()));
///     let mut word = [0; 4];
///     mem.read(ptr as u32, &mut word).map_err(|e| wasmer::RuntimeError::new(e.to_string()))?;
///     Ok(u32::from_le_bytes(word))
/// }
/// ```
pub struct ViewMemory<'a, S: AsStoreRef> {
    store: &'a S,
    /// `None` for a guest that exports no memory: any access is an error.
    memory: Option<Memory>,
    /// The view and the memory's size in bytes, taken at the first access:
    /// a call that reads and writes nothing takes none.
    view: OnceCell<(MemoryView<'a>, u64)>,
}

impl<'a, S: AsStoreRef> ViewMemory<'a, S> {
    /// The guest's `memory` in `store`; `None` for a guest without one.
    #[inline]
    pub fn new(store: &'a S, memory: Option<Memory>) -> Self {
        Self {
            store,
            memory,
            view: OnceCell::new(),
        }
    }

    /// The size of the memory in bytes (0 without a memory).
    #[inline]
    pub fn size(&self) -> u64 {
        match &self.memory {
            Some(memory) => self.view_of(memory).1,
            None => 0,
        }
    }

    #[inline]
    fn view(&self, ptr: u32, len: u64) -> Result<&(MemoryView<'a>, u64), AbiError> {
        match &self.memory {
            Some(memory) => Ok(self.view_of(memory)),
            None => Err(AbiError::NoMemory { ptr, len }),
        }
    }

    #[inline]
    fn view_of(&self, memory: &Memory) -> &(MemoryView<'a>, u64) {
        self.view.get_or_init(|| {
            let view = memory.view(self.store);
            let size = view.data_size();
            (view, size)
        })
    }
}

impl<S: AsStoreRef> GuestMemory for ViewMemory<'_, S> {
    #[inline]
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), AbiError> {
        let (view, size) = self.view(offset, buf.len() as u64)?;
        match view.read(u64::from(offset), buf) {
            Ok(()) => Ok(()),
            Err(_) => Err(out_of_bounds(offset, buf.len(), *size)),
        }
    }

    #[inline]
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), AbiError> {
        let (view, size) = self.view(offset, bytes.len() as u64)?;
        match view.write(u64::from(offset), bytes) {
            Ok(()) => Ok(()),
            Err(_) => Err(out_of_bounds(offset, bytes.len(), *size)),
        }
    }

    fn realloc(&mut self, _: u32, _: u32, _: u32, len: u32) -> Result<u32, AbiError> {
        Err(AbiError::ReallocUnavailable { len })
    }

    #[inline]
    fn check_range(&self, offset: u32, len: u64) -> Result<(), AbiError> {
        let (_, size) = self.view(offset, len)?;
        range_in(*size, offset, len)
    }
}

#[cold]
fn out_of_bounds(ptr: u32, len: usize, size: u64) -> AbiError {
    AbiError::OutOfBounds {
        ptr,
        len: len as u64,
        size,
    }
}
