//! Scalars and strings: each Rust type stands for exactly one WIT type.

use wit_parser::Type;

use super::{Lift, LiftCx, Lower, LowerCx, TypeCheck, TypeMismatch, WitType, shape};
use crate::HostError;
use crate::abi::Val;

macro_rules! scalar {
    ($($rust:ty => $wit:ident),* $(,)?) => {$(
        impl WitType for $rust {
            fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
                match ty {
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
        }

        impl Lower for $rust {
            #[inline]
            fn lower(self, _: &mut LowerCx<'_>) -> Result<Val, HostError> {
                Ok(Val::$wit(self))
            }
        }
    )*};
}

scalar! {
    bool => Bool,
    u8 => U8,
    u16 => U16,
    u32 => U32,
    u64 => U64,
    i8 => S8,
    i16 => S16,
    i32 => S32,
    i64 => S64,
    f32 => F32,
    f64 => F64,
    char => Char,
    String => String,
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
    fn lift(val: Val, _: &mut LiftCx<'_>) -> Result<Self, HostError> {
        Ok(val)
    }
}

impl Lower for Val {
    fn lower(self, _: &mut LowerCx<'_>) -> Result<Val, HostError> {
        Ok(self)
    }
}
