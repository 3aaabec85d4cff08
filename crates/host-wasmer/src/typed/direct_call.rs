//! `DirectCall`: one call of a typed host function on the direct path,
//! where parameters are lifted straight from the core arguments into Rust
//! types and scalar results go straight back, with no `Val` in between.
//!
//! Types without a direct form (strings, lists, records, ...) still go
//! through the ABI layer, one parameter at a time, from the same cursor.

use wasmer::Value;
use wit_parser::{Function, Type};

use super::Lowered;
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

    /// Lifts the next parameter, a `string`, straight from its `(ptr, len)`
    /// pair, with the checks the ABI layer makes.
    #[inline]
    pub(crate) fn next_string(&mut self) -> Result<String, HostError> {
        let (ptr, len) = match self.args.get(self.next_arg..self.next_arg + 2) {
            Some([Value::I32(ptr), Value::I32(len)]) => (*ptr as u32, *len as u32),
            _ => {
                return self.next_val().and_then(|val| match val {
                    Val::String(value) => Ok(value),
                    other => Err(HostError::Shape {
                        rust: "String",
                        found: other.kind(),
                    }),
                });
            }
        };
        self.next_arg += 2;
        self.next_param += 1;
        Ok(self.abi.lift_string(ptr, len, &*self.mem)?)
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

    /// Stores the result `ok(payload)` without the ABI layer: at the return
    /// pointer, or as the single core result of a `result` with no payload.
    /// Never calls the guest.
    pub(crate) fn store_ok(&mut self, payload: Option<Value>) -> Result<Option<Value>, HostError> {
        let ty = self.result_type("a result")?;
        if !self.retptr {
            // Only a `result` with no payload on either side flattens to one
            // core value: its discriminant.
            return match payload {
                None => Ok(Some(Value::I32(0))),
                Some(_) => Err(HostError::Shape {
                    rust: "a result",
                    found: "a payload where the result has none",
                }),
            };
        }
        let retptr = self.retptr()?;
        self.abi
            .store_ok(ty, payload.as_ref(), retptr, &mut *self.mem)?;
        Ok(None)
    }

    /// Stores a `string` result at the return pointer without the ABI
    /// layer. Calls `cabi_realloc`.
    pub(crate) fn store_string(&mut self, s: &str) -> Result<Option<Value>, HostError> {
        let ty = self.result_type("a string")?;
        let retptr = self.retptr()?;
        self.abi
            .store_string_return(ty, s, retptr, &mut *self.mem)?;
        Ok(None)
    }

    /// Lowers what the host function returned: a ready core value as it
    /// is, the rest at the return pointer or as the single core result.
    /// May call `cabi_realloc`.
    pub(crate) fn lower_result(&mut self, lowered: Lowered) -> Result<Option<Value>, HostError> {
        match lowered {
            Lowered::Core(value) => Ok(Some(value)),
            Lowered::Ok(payload) => self.store_ok(payload),
            Lowered::String(s) => self.store_string(&s),
            Lowered::Val(val) => self.result_val(val),
        }
    }

    /// The WIT type of the function's result; `rust` names what the host
    /// function returned, for the error when the function has none.
    fn result_type(&self, rust: &'static str) -> Result<&'a Type, HostError> {
        self.func.result.as_ref().ok_or(HostError::Shape {
            rust,
            found: "a function with no result",
        })
    }

    /// The return pointer: the last core argument.
    fn retptr(&self) -> Result<u32, HostError> {
        match self.args.last() {
            Some(Value::I32(ptr)) => Ok(*ptr as u32),
            _ => Err(AbiError::WrongCoreCount {
                expected: 1,
                found: 0,
            }
            .into()),
        }
    }

    /// Lowers the function's result through the ABI layer: to the return
    /// pointer, or as the single core result. May call `cabi_realloc`.
    pub(crate) fn result_val(&mut self, val: Val) -> Result<Option<Value>, HostError> {
        let ty = self.result_type("a result")?;
        if self.retptr {
            let retptr = self.retptr()?;
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

/// The word of a `flags` parameter of `count` flags on the direct path:
/// `Ok` with its one `i32` when the flags fit in it, else `Err` with the
/// parameter lifted as a `Val`. Used by [`wit_flags!`](crate::wit_flags).
#[doc(hidden)]
#[inline]
pub fn flags_word(call: &mut DirectCall<'_>, count: usize) -> Result<Result<u32, Val>, HostError> {
    if count <= 32 {
        return Ok(Ok(call.next_i32()? as u32));
    }
    call.next_val().map(Err)
}
