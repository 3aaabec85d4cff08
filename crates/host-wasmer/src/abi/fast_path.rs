//! The direct path's shortcuts past `Val`: a `string` parameter read
//! straight into a `String`, and an `ok(x)` or `string` result stored
//! straight at the return pointer.

use wasmer::Value;
use wit_parser::Type;

use super::MAX_STRING_BYTE_LENGTH;
use super::lifter::STACK_COPY;
use super::lowerer::Lowerer;
use super::memory::check_aligned;
use super::shape::{Cases, Shape};
use super::{Abi, AbiError, GuestMemory};

/// Copies the UTF-8 string `[ptr, ptr + len)` out of guest memory. The
/// caller has checked the bounds and charged the length to its budget.
pub(crate) fn read_utf8<M: GuestMemory + ?Sized>(
    mem: &M,
    ptr: u32,
    len: u32,
) -> Result<String, AbiError> {
    let mut bytes = vec![0; len as usize];
    mem.read(ptr, &mut bytes)?;
    String::from_utf8(bytes).map_err(|err| AbiError::InvalidUtf8 {
        ptr,
        len,
        valid_up_to: err.utf8_error().valid_up_to(),
    })
}

/// Refuses a string longer than the canonical ABI allows.
pub(crate) fn check_string_len(len: u32) -> Result<(), AbiError> {
    if len > MAX_STRING_BYTE_LENGTH {
        return Err(AbiError::TooLong {
            what: "string",
            len: u64::from(len),
            max: u64::from(MAX_STRING_BYTE_LENGTH),
        });
    }
    Ok(())
}

impl Abi {
    /// Lifts a `string` parameter from its `(ptr, len)` pair: the length
    /// limit, the bounds, the lift limit, then the copy and UTF-8 check.
    pub(crate) fn lift_string<M: GuestMemory + ?Sized>(
        &self,
        ptr: u32,
        len: u32,
        mem: &M,
    ) -> Result<String, AbiError> {
        check_string_len(len)?;
        mem.check_range(ptr, u64::from(len))?;
        if u64::from(len) > self.lift_limit {
            return Err(AbiError::LiftLimitExceeded {
                limit: self.lift_limit,
            });
        }
        read_utf8(mem, ptr, len)
    }

    /// Stores `ok(payload)` of the `result` type `ty` at `retptr`: the
    /// discriminant 0, then the payload's little-endian bytes at the
    /// payload offset, which for a two-case `result` is its alignment.
    /// The bytes are those [`Abi::store_return`] writes for the same value.
    pub(crate) fn store_ok<M: GuestMemory + ?Sized>(
        &self,
        ty: &Type,
        payload: Option<&Value>,
        retptr: u32,
        mem: &mut M,
    ) -> Result<(), AbiError> {
        let Shape::Cases(Cases::Result(result)) = self.shape(ty)? else {
            return Err(self.not_ok(ty, "a value of another type"));
        };
        let size = self.size_of(ty)?;
        let align = self.align_of(ty)?;
        check_aligned("return area", retptr, align)?;
        mem.check_range(retptr, u64::from(size))?;
        let mut stack = [0; STACK_COPY];
        let area = stack
            .get_mut(..size as usize)
            .ok_or_else(|| self.not_ok(ty, "a result too large for the fast path"))?;
        match (payload, result.ok.as_ref()) {
            (None, None) => {}
            (Some(value), Some(ok)) => {
                let width = self.size_of(ok)? as usize;
                let bytes = le_bytes(value).ok_or_else(|| self.not_ok(ty, "a reference"))?;
                let at = align as usize;
                let (Some(to), Some(from)) = (area.get_mut(at..at + width), bytes.get(..width))
                else {
                    return Err(self.not_ok(ty, "a payload wider than its slot"));
                };
                to.copy_from_slice(from);
            }
            (Some(_), None) => return Err(self.not_ok(ty, "a payload for `ok` with no type")),
            (None, Some(_)) => return Err(self.not_ok(ty, "`ok` without its payload")),
        }
        mem.write(retptr, area)
    }

    /// Stores a `string` result `s` at `retptr`: the return area is
    /// checked first, then `s` is copied into memory from the guest's
    /// `cabi_realloc` and its `(ptr, len)` written. The bytes and the
    /// allocation are those [`Abi::store_return`] makes for the same value.
    pub(crate) fn store_string_return<M: GuestMemory + ?Sized>(
        &self,
        ty: &Type,
        s: &str,
        retptr: u32,
        mem: &mut M,
    ) -> Result<(), AbiError> {
        let Shape::String = self.shape(ty)? else {
            return Err(AbiError::ValueMismatch {
                expected: self.type_name(ty),
                found: "a `string` value".to_string(),
            });
        };
        // A string is a pointer and a length: two aligned u32s.
        check_aligned("return area", retptr, 4)?;
        mem.check_range(retptr, 8)?;
        let (ptr, len) = Lowerer::new(self, mem).store_string(s)?;
        let mut area = [0; 8];
        area[..4].copy_from_slice(&ptr.to_le_bytes());
        area[4..].copy_from_slice(&len.to_le_bytes());
        mem.write(retptr, &area)
    }

    #[cold]
    fn not_ok(&self, ty: &Type, found: &str) -> AbiError {
        AbiError::ValueMismatch {
            expected: self.type_name(ty),
            found: found.to_string(),
        }
    }
}

/// The little-endian bytes of a core value, zero-extended to eight.
fn le_bytes(value: &Value) -> Option<[u8; 8]> {
    Some(match value {
        Value::I32(v) => u64::from(*v as u32).to_le_bytes(),
        Value::I64(v) => v.to_le_bytes(),
        Value::F32(v) => u64::from(v.to_bits()).to_le_bytes(),
        Value::F64(v) => v.to_bits().to_le_bytes(),
        _ => return None,
    })
}
