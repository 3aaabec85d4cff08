//! [`Lifter`]: the state of one lift (guest to host), with its host memory
//! budget, and the public entry points [`Abi::lift_flat`] and [`Abi::load`].

use wasmer::Value;
use wit_parser::Type;

use super::core::Cursor;
use super::memory::check_aligned;
use super::{Abi, AbiError, GuestMemory, Val};

/// What one lifted [`Val`] costs against the lift limit.
pub(crate) const VAL_COST: u64 = size_of::<Val>() as u64;

/// Host copies of guest memory up to this many bytes (a return area, most
/// spilled parameter areas) are made on the stack rather than the heap.
pub(crate) const STACK_COPY: usize = 64;

/// Lifts guest values, reading guest memory and counting the host memory it
/// allocates against [`Abi::lift_limit`].
///
/// Invariant: every host allocation whose size the guest chooses (a string,
/// a list's bytes, a list's elements) is checked against guest memory
/// bounds and charged to `remaining` before it is made.
pub(crate) struct Lifter<'a, M: ?Sized> {
    pub(crate) abi: &'a Abi,
    pub(crate) mem: &'a M,
    remaining: u64,
}

impl<'a, M: GuestMemory + ?Sized> Lifter<'a, M> {
    pub(crate) fn new(abi: &'a Abi, mem: &'a M) -> Self {
        Self {
            abi,
            mem,
            remaining: abi.lift_limit,
        }
    }

    /// Takes `bytes` from the budget.
    pub(crate) fn charge(&mut self, bytes: u64) -> Result<(), AbiError> {
        self.afford(bytes)?;
        self.remaining -= bytes;
        Ok(())
    }

    /// Checks that `bytes` are still in the budget, without taking them.
    pub(crate) fn afford(&self, bytes: u64) -> Result<(), AbiError> {
        if bytes > self.remaining {
            return Err(AbiError::LiftLimitExceeded {
                limit: self.abi.lift_limit,
            });
        }
        Ok(())
    }

    /// Copies `[ptr, ptr + len)` out of guest memory, after checking bounds
    /// and budget.
    pub(crate) fn read_bytes(&mut self, ptr: u32, len: u32) -> Result<Vec<u8>, AbiError> {
        self.mem.check_range(ptr, u64::from(len))?;
        self.charge(u64::from(len))?;
        let mut bytes = vec![0; len as usize];
        self.mem.read(ptr, &mut bytes)?;
        Ok(bytes)
    }

    /// Copies `[ptr, ptr + len)` out of guest memory, after checking bounds
    /// and budget as [`Lifter::read_bytes`] does, and decodes the copy with
    /// `decode`. Small copies stay on the stack.
    fn with_copy<R>(
        &mut self,
        ptr: u32,
        len: u32,
        decode: impl FnOnce(&mut Self, &[u8]) -> Result<R, AbiError>,
    ) -> Result<R, AbiError> {
        let mut stack = [0; STACK_COPY];
        let Some(copy) = stack.get_mut(..len as usize) else {
            let bytes = self.read_bytes(ptr, len)?;
            return decode(self, &bytes);
        };
        self.mem.check_range(ptr, u64::from(len))?;
        self.charge(u64::from(len))?;
        self.mem.read(ptr, copy)?;
        decode(self, copy)
    }

    /// Loads a value of type `ty` from `ptr`, checking the pointer's
    /// alignment and bounds first; `what` names the pointer in errors.
    pub(crate) fn load_at(
        &mut self,
        ty: &Type,
        ptr: u32,
        what: &'static str,
    ) -> Result<Val, AbiError> {
        let size = self.abi.size_of(ty)?;
        check_aligned(what, ptr, self.abi.align_of(ty)?)?;
        self.with_copy(ptr, size, |lifter, bytes| lifter.decode(ty, bytes))
    }

    /// Loads a tuple of `types` (a spilled parameter list) from `ptr`.
    pub(crate) fn load_tuple<'t>(
        &mut self,
        types: impl Iterator<Item = &'t Type> + Clone,
        ptr: u32,
        what: &'static str,
    ) -> Result<Vec<Val>, AbiError> {
        let (size, align) = self.abi.tuple_layout(types.clone())?;
        check_aligned(what, ptr, align)?;
        self.with_copy(ptr, size, |lifter, bytes| {
            lifter.decode_fields(types, bytes)
        })
    }
}

impl Abi {
    /// Lifts one value of type `ty` from its flat core values, which must
    /// be exactly [`Abi::flatten`]`(ty)` in number and type.
    ///
    /// ```
    /// use host_wasmer::abi::{Abi, Val, VecMemory};
    /// use wasmer::Value;
    /// use wit_parser::{Resolve, Type};
    ///
    /// let resolve = Resolve::default();
    /// let abi = Abi::new(&resolve);
    /// let mem = VecMemory::from_bytes(b"hi there".to_vec());
    /// let s = abi.lift_flat(&Type::String, &[Value::I32(3), Value::I32(5)], &mem)?;
    /// assert_eq!(s, Val::from("there"));
    /// # Ok::<(), host_wasmer::abi::AbiError>(())
    /// ```
    pub fn lift_flat<M: GuestMemory + ?Sized>(
        &self,
        ty: &Type,
        flat: &[Value],
        mem: &M,
    ) -> Result<Val, AbiError> {
        super::core::check_core(self.flat_slice(ty)?, flat)?;
        let mut cursor = Cursor::new(flat);
        let val = Lifter::new(self, mem).lift_flat(ty, &mut cursor)?;
        cursor.finish()?;
        Ok(val)
    }

    /// Loads one value of type `ty` from guest memory at `ptr`, which must
    /// be aligned for `ty`.
    ///
    /// ```
    /// use host_wasmer::abi::{Abi, Val, VecMemory};
    /// use wit_parser::{Resolve, Type};
    ///
    /// let resolve = Resolve::default();
    /// let abi = Abi::new(&resolve);
    /// let mem = VecMemory::from_bytes(vec![0, 0, 0, 0, 0x2a, 0, 0, 0]);
    /// assert_eq!(abi.load(&Type::U32, 4, &mem)?, Val::U32(42));
    /// assert!(abi.load(&Type::U32, 2, &mem).is_err()); // misaligned
    /// # Ok::<(), host_wasmer::abi::AbiError>(())
    /// ```
    pub fn load<M: GuestMemory + ?Sized>(
        &self,
        ty: &Type,
        ptr: u32,
        mem: &M,
    ) -> Result<Val, AbiError> {
        Lifter::new(self, mem).load_at(ty, ptr, "value")
    }
}
