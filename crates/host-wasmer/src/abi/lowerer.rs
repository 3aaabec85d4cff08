//! [`Lowerer`]: the state of one lowering (host to guest), and the public
//! entry points [`Abi::lower_flat`] and [`Abi::store`].

use wasmer::Value;
use wit_parser::Type;

use super::lifter::STACK_COPY;
use super::memory::check_aligned;
use super::shape::Cases;
use super::{Abi, AbiError, GuestMemory, Val};

/// A case's payload type and value.
pub(crate) type Payload<'t, 'v> = (&'t Type, &'v Val);

/// Lowers host values into guest memory and core values, type checking
/// them on the way.
///
/// Lowering allocates guest memory with `cabi_realloc` as it goes; if a
/// value turns out not to match its type halfway, what was already
/// allocated stays allocated. The caller traps in that case, so the guest
/// never sees the half-written value.
pub(crate) struct Lowerer<'a, M: ?Sized> {
    pub(crate) abi: &'a Abi,
    pub(crate) mem: &'a mut M,
}

impl<'a, M: GuestMemory + ?Sized> Lowerer<'a, M> {
    pub(crate) fn new(abi: &'a Abi, mem: &'a mut M) -> Self {
        Self { abi, mem }
    }

    /// Stores `val` at `ptr`, checking the pointer's alignment and bounds
    /// first; `what` names the pointer in errors.
    pub(crate) fn store_at(
        &mut self,
        ty: &Type,
        val: &Val,
        ptr: u32,
        what: &'static str,
    ) -> Result<(), AbiError> {
        let size = self.abi.size_of(ty)?;
        check_aligned(what, ptr, self.abi.align_of(ty)?)?;
        self.mem.check_range(ptr, u64::from(size))?;
        let mut stack = [0; STACK_COPY];
        if let Some(bytes) = stack.get_mut(..size as usize) {
            self.encode(ty, val, bytes)?;
            return self.mem.write(ptr, bytes);
        }
        let mut bytes = vec![0; size as usize];
        self.encode(ty, val, &mut bytes)?;
        self.mem.write(ptr, &bytes)
    }

    /// The error for a value that is not of type `ty`.
    pub(crate) fn mismatch(&self, ty: &Type, val: &Val) -> AbiError {
        AbiError::ValueMismatch {
            expected: self.abi.type_name(ty),
            found: format!("a `{}` value", val.kind()),
        }
    }

    /// Splits a variant-like value into its case and, for a case with a
    /// type, the payload and its type; checks kind, case and payload.
    pub(crate) fn split<'v>(
        &self,
        ty: &Type,
        cases: Cases<'a>,
        val: &'v Val,
    ) -> Result<(u32, Option<Payload<'a, 'v>>), AbiError> {
        let (case, payload) = cases.split(val).ok_or_else(|| self.mismatch(ty, val))?;
        let payload_type = cases.case(case).ok_or_else(|| AbiError::UnknownCase {
            ty: self.abi.type_name(ty),
            case,
            cases: cases.len(),
        })?;
        match (payload_type, payload) {
            (Some(t), Some(p)) => Ok((case, Some((t, p)))),
            (None, None) => Ok((case, None)),
            (expected, _) => Err(AbiError::PayloadMismatch {
                ty: self.abi.type_name(ty),
                case,
                expected: expected.is_some(),
            }),
        }
    }

    /// Checks that a record or tuple value has one value per field.
    pub(crate) fn check_fields(
        &self,
        ty: &Type,
        expected: usize,
        found: &[Val],
    ) -> Result<(), AbiError> {
        if expected != found.len() {
            return Err(AbiError::WrongFieldCount {
                ty: self.abi.type_name(ty),
                expected,
                found: found.len(),
            });
        }
        Ok(())
    }
}

impl Abi {
    /// Lowers `val`, of type `ty`, to flat core values appended to `out`;
    /// strings and lists are copied into memory allocated with the guest's
    /// `cabi_realloc`.
    ///
    /// ```
    /// use host_wasmer::abi::{Abi, Val, VecMemory};
    /// use wasmer::Value;
    /// use wit_parser::{Resolve, Type};
    ///
    /// let resolve = Resolve::default();
    /// let abi = Abi::new(&resolve);
    /// let mut mem = VecMemory::new(0);
    /// let mut out = Vec::new();
    /// abi.lower_flat(&Type::S8, &Val::S8(-1), &mut mem, &mut out)?;
    /// assert_eq!(out, [Value::I32(-1)]);
    /// assert!(abi.lower_flat(&Type::S8, &Val::U8(1), &mut mem, &mut out).is_err());
    /// # Ok::<(), host_wasmer::abi::AbiError>(())
    /// ```
    pub fn lower_flat<M: GuestMemory + ?Sized>(
        &self,
        ty: &Type,
        val: &Val,
        mem: &mut M,
        out: &mut Vec<Value>,
    ) -> Result<(), AbiError> {
        Lowerer::new(self, mem).lower_flat(ty, val, out)
    }

    /// Stores `val`, of type `ty`, in guest memory at `ptr`, which must be
    /// aligned for `ty` and leave room for `size_of(ty)` bytes.
    ///
    /// ```
    /// use host_wasmer::abi::{Abi, Val, VecMemory};
    /// use wit_parser::{Resolve, Type};
    ///
    /// let resolve = Resolve::default();
    /// let abi = Abi::new(&resolve);
    /// let mut mem = VecMemory::new(8);
    /// abi.store(&Type::U16, &Val::U16(0x1234), 2, &mut mem)?;
    /// assert_eq!(&mem.bytes()[2..4], &[0x34, 0x12]);
    /// # Ok::<(), host_wasmer::abi::AbiError>(())
    /// ```
    pub fn store<M: GuestMemory + ?Sized>(
        &self,
        ty: &Type,
        val: &Val,
        ptr: u32,
        mem: &mut M,
    ) -> Result<(), AbiError> {
        Lowerer::new(self, mem).store_at(ty, val, ptr, "value")
    }

    /// [`Abi::store`] for a function's result at the return pointer the
    /// guest passed: errors name the pointer as the return area.
    pub fn store_return<M: GuestMemory + ?Sized>(
        &self,
        ty: &Type,
        val: &Val,
        retptr: u32,
        mem: &mut M,
    ) -> Result<(), AbiError> {
        Lowerer::new(self, mem).store_at(ty, val, retptr, "return area")
    }
}
