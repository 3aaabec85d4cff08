//! `DirectCall`: one call of a typed host function on the direct path,
//! where parameters are lifted straight from the core arguments into Rust
//! types and scalar results go straight back, with no `Val` in between.
//!
//! Types without a direct form (strings, lists, records, ...) still go
//! through the ABI layer, one parameter at a time, from the same cursor.

use wasmer::Value;
use wit_parser::Function;

use crate::HostError;
use crate::abi::{Abi, AbiError, GuestMemory, Val};

/// The state of one direct call: the WIT function, its core arguments, and
/// the guest's memory.
pub struct DirectCall<'a> {
    pub(crate) abi: &'a Abi,
    pub(crate) func: &'a Function,
    pub(crate) args: &'a [Value],
    /// Whether the guest passed a return pointer as its last argument.
    pub(crate) retptr: bool,
    pub(crate) mem: &'a mut dyn GuestMemory,
    /// Index of the next core argument to lift.
    next_arg: usize,
    /// Index of the next WIT parameter to lift.
    next_param: usize,
}

impl<'a> DirectCall<'a> {
    pub(crate) fn new(
        abi: &'a Abi,
        func: &'a Function,
        args: &'a [Value],
        retptr: bool,
        mem: &'a mut dyn GuestMemory,
    ) -> Self {
        Self {
            abi,
            func,
            args,
            retptr,
            mem,
            next_arg: 0,
            next_param: 0,
        }
    }

    /// The next parameter's single core value, for types that flatten to
    /// one value.
    #[inline]
    pub(crate) fn next_core(&mut self) -> Result<&'a Value, HostError> {
        let value = self
            .args
            .get(self.next_arg)
            .ok_or(AbiError::WrongCoreCount {
                expected: self.next_arg + 1,
                found: self.args.len(),
            })?;
        self.next_arg += 1;
        self.next_param += 1;
        Ok(value)
    }

    /// The next parameter's single core value as an `i32`.
    #[inline]
    pub(crate) fn next_i32(&mut self) -> Result<i32, HostError> {
        match self.next_core()? {
            Value::I32(v) => Ok(*v),
            other => Err(core_mismatch(self.next_arg - 1, "i32", other)),
        }
    }

    /// The next parameter's single core value as an `i64`.
    #[inline]
    pub(crate) fn next_i64(&mut self) -> Result<i64, HostError> {
        match self.next_core()? {
            Value::I64(v) => Ok(*v),
            other => Err(core_mismatch(self.next_arg - 1, "i64", other)),
        }
    }

    /// The next parameter's single core value as an `f32`.
    #[inline]
    pub(crate) fn next_f32(&mut self) -> Result<f32, HostError> {
        match self.next_core()? {
            Value::F32(v) => Ok(*v),
            other => Err(core_mismatch(self.next_arg - 1, "f32", other)),
        }
    }

    /// The next parameter's single core value as an `f64`.
    #[inline]
    pub(crate) fn next_f64(&mut self) -> Result<f64, HostError> {
        match self.next_core()? {
            Value::F64(v) => Ok(*v),
            other => Err(core_mismatch(self.next_arg - 1, "f64", other)),
        }
    }

    /// Lifts the next parameter through the ABI layer, as a `Val`.
    pub(crate) fn next_val(&mut self) -> Result<Val, HostError> {
        let param = self
            .func
            .params
            .get(self.next_param)
            .ok_or(HostError::Shape {
                rust: "a parameter",
                found: "no more WIT parameters",
            })?;
        let count = self.abi.flat_slice(&param.ty)?.len();
        let end = self.next_arg + count;
        let flat = self
            .args
            .get(self.next_arg..end)
            .ok_or(AbiError::WrongCoreCount {
                expected: end,
                found: self.args.len(),
            })?;
        let val = self.abi.lift_flat(&param.ty, flat, &*self.mem)?;
        self.next_arg = end;
        self.next_param += 1;
        Ok(val)
    }

    /// Lowers the function's result through the ABI layer: to the return
    /// pointer, or as the single core result. May call `cabi_realloc`.
    pub(crate) fn result_val(&mut self, val: Val) -> Result<Option<Value>, HostError> {
        let ty = self.func.result.as_ref().ok_or(HostError::Shape {
            rust: "a result",
            found: "a function with no result",
        })?;
        if self.retptr {
            let retptr = match self.args.last() {
                Some(Value::I32(ptr)) => *ptr as u32,
                _ => {
                    return Err(AbiError::WrongCoreCount {
                        expected: 1,
                        found: 0,
                    }
                    .into());
                }
            };
            self.abi.store_return(ty, &val, retptr, &mut *self.mem)?;
            return Ok(None);
        }
        let mut out = Vec::with_capacity(1);
        self.abi.lower_flat(ty, &val, &mut *self.mem, &mut out)?;
        Ok(out.pop())
    }
}

#[cold]
fn core_mismatch(index: usize, expected: &'static str, found: &Value) -> HostError {
    HostError::Abi(AbiError::WrongCoreType {
        index,
        expected,
        found: match found {
            Value::I32(_) => "i32",
            Value::I64(_) => "i64",
            Value::F32(_) => "f32",
            Value::F64(_) => "f64",
            _ => "a reference or vector",
        },
    })
}
