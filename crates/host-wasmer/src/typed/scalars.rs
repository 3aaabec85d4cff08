//! Scalars and strings: each Rust type stands for exactly one WIT type.

use wit_parser::Type;

use wasmer::Value;

use super::{
    DirectCall, Lift, LiftCx, Lower, LowerCx, Lowered, TypeCheck, TypeMismatch, WitType, shape,
};
use crate::HostError;
use crate::abi::{AbiError, Val};

macro_rules! scalar {
    ($($rust:ty => $wit:ident, $next:ident, |$c:ident| $from_core:expr, |$r:ident| $to_core:expr;)*) => {$(
        impl WitType for $rust {
            fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
                match cx.unalias(ty) {
                    Type::$wit => Ok(()),
                    _ => Err(cx.mismatch::<Self>(ty)),
                }
            }
        }

        impl Lift for $rust {
            #[inline]
            fn lift(val: Val, _: &mut LiftCx<'_>) -> Result<Self, HostError> {
                match val {
                    Val::$wit(value) => Ok(value),
                    other => Err(shape::<Self>(&other)),
                }
            }

            #[inline]
            fn lift_direct(call: &mut DirectCall<'_>, _: &mut LiftCx<'_>) -> Result<Self, HostError> {
                let $c = call.$next()?;
                $from_core
            }
        }

        impl Lower for $rust {
            #[inline]
            fn lower(self, _: &mut LowerCx<'_>) -> Result<Val, HostError> {
                Ok(Val::$wit(self))
            }

            #[inline]
            fn lower_core(self, _: &mut LowerCx<'_>) -> Result<Result<Value, Val>, HostError> {
                let $r = self;
                Ok(Ok($to_core))
            }
        }
    )*};
}

// Lifting follows the canonical ABI: narrow integers take the low bits of
// their i32, a bool is any nonzero i32, a char must be a scalar value.
// Lowering extends narrow integers by their signedness.
scalar! {
    bool => Bool, next_i32, |c| Ok(c != 0), |r| Value::I32(i32::from(r));
    u8 => U8, next_i32, |c| Ok(c as u8), |r| Value::I32(i32::from(r));
    u16 => U16, next_i32, |c| Ok(c as u16), |r| Value::I32(i32::from(r));
    u32 => U32, next_i32, |c| Ok(c as u32), |r| Value::I32(r as i32);
    u64 => U64, next_i64, |c| Ok(c as u64), |r| Value::I64(r as i64);
    i8 => S8, next_i32, |c| Ok(c as i8), |r| Value::I32(i32::from(r));
    i16 => S16, next_i32, |c| Ok(c as i16), |r| Value::I32(i32::from(r));
    i32 => S32, next_i32, |c| Ok(c), |r| Value::I32(r);
    i64 => S64, next_i64, |c| Ok(c), |r| Value::I64(r);
    f32 => F32, next_f32, |c| Ok(c), |r| Value::F32(r);
    f64 => F64, next_f64, |c| Ok(c), |r| Value::F64(r);
    char => Char, next_i32, |c| char::from_u32(c as u32).ok_or(HostError::Abi(AbiError::InvalidChar { value: c as u32 })), |r| Value::I32(r as i32);
}

impl WitType for String {
    fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match cx.unalias(ty) {
            Type::String => Ok(()),
            _ => Err(cx.mismatch::<Self>(ty)),
        }
    }
}

impl Lift for String {
    fn lift(val: Val, _: &mut LiftCx<'_>) -> Result<Self, HostError> {
        match val {
            Val::String(value) => Ok(value),
            other => Err(shape::<Self>(&other)),
        }
    }

    #[inline]
    fn lift_direct(call: &mut DirectCall<'_>, _: &mut LiftCx<'_>) -> Result<Self, HostError> {
        call.next_string()
    }
}

impl Lower for String {
    fn lower(self, _: &mut LowerCx<'_>) -> Result<Val, HostError> {
        Ok(Val::String(self))
    }

    #[inline]
    fn lower_direct(self, _: &mut LowerCx<'_>) -> Result<Lowered, HostError> {
        Ok(Lowered::String(self))
    }
}

impl WitType for &str {
    fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        String::check(ty, cx)
    }
}

impl Lower for &str {
    fn lower(self, _: &mut LowerCx<'_>) -> Result<Val, HostError> {
        Ok(Val::String(self.to_string()))
    }
}

/// `Val` stands for any WIT type: the function sees values as the ABI
/// lifted them, raw handles included, and the ABI checks what it returns.
impl WitType for Val {
    fn check(_: &Type, _: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        Ok(())
    }
}

impl Lift for Val {
    /// A `Val` parameter holds raw handle bits: it cannot follow the
    /// ownership rules, so it is refused for parameters that hold handles.
    fn check_param(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match cx.holds_handles(ty) {
            false => Ok(()),
            true => Err(cx.mismatch_because::<Self>(
                ty,
                "a `Val` parameter cannot hold handles: take them as `Handle<T>` or `Own<T>`, \
                 or bind the function with `func_dynamic`",
            )),
        }
    }

    fn lift(val: Val, _: &mut LiftCx<'_>) -> Result<Self, HostError> {
        Ok(val)
    }
}

impl Lower for Val {
    fn lower(self, _: &mut LowerCx<'_>) -> Result<Val, HostError> {
        Ok(self)
    }
}
