//! Lists, options, results and tuples, over any types that take part.

use std::any::Any;

use wit_parser::{Type, TypeDefKind};

use super::{Lift, LiftCx, Lower, LowerCx, Lowered, TypeCheck, TypeMismatch, WitType, shape};
use crate::HostError;
use crate::abi::Val;

impl<T: WitType> WitType for Vec<T> {
    fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match cx.kind(ty) {
            Some(TypeDefKind::List(elem)) => T::check(elem, cx),
            _ => Err(cx.mismatch::<Self>(ty)),
        }
    }
}

impl<T: Lift + 'static> Lift for Vec<T> {
    fn lift(val: Val, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        match val {
            // A `list<u8>` arrives as bytes: a `Vec<u8>` takes them whole.
            Val::Bytes(bytes) => match (Box::new(bytes) as Box<dyn Any>).downcast::<Self>() {
                Ok(same) => Ok(*same),
                Err(bytes) => match bytes.downcast::<Vec<u8>>() {
                    Ok(bytes) => bytes.into_iter().map(|b| T::lift(Val::U8(b), cx)).collect(),
                    Err(_) => Err(HostError::Shape {
                        rust: std::any::type_name::<Self>(),
                        found: "bytes",
                    }),
                },
            },
            Val::List(items) => items.into_iter().map(|v| T::lift(v, cx)).collect(),
            other => Err(shape::<Self>(&other)),
        }
    }
}

impl<T: Lower + 'static> Lower for Vec<T> {
    fn lower(self, cx: &mut LowerCx<'_>) -> Result<Val, HostError> {
        // A `Vec<u8>` goes down whole, as bytes.
        match (Box::new(self) as Box<dyn Any>).downcast::<Vec<u8>>() {
            Ok(bytes) => Ok(Val::Bytes(*bytes)),
            Err(items) => match items.downcast::<Self>() {
                Ok(items) => items
                    .into_iter()
                    .map(|v| v.lower(cx))
                    .collect::<Result<_, _>>()
                    .map(Val::List),
                Err(_) => Err(HostError::Shape {
                    rust: std::any::type_name::<Self>(),
                    found: "a list",
                }),
            },
        }
    }
}

impl<T: WitType> WitType for Option<T> {
    fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match cx.kind(ty) {
            Some(TypeDefKind::Option(inner)) => T::check(inner, cx),
            _ => Err(cx.mismatch::<Self>(ty)),
        }
    }
}

impl<T: Lift> Lift for Option<T> {
    fn lift(val: Val, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        match val {
            Val::Option(inner) => inner.map(|v| T::lift(*v, cx)).transpose(),
            other => Err(shape::<Self>(&other)),
        }
    }
}

impl<T: Lower> Lower for Option<T> {
    fn lower(self, cx: &mut LowerCx<'_>) -> Result<Val, HostError> {
        Ok(Val::Option(match self {
            Some(v) => Some(Box::new(v.lower(cx)?)),
            None => None,
        }))
    }
}

/// One side of a `result`: a type, or `()` for a side with no payload.
pub trait ResultSide: Sized {
    /// Checks the side against the WIT side (`None` when it has no type).
    fn check_side(ty: Option<&Type>, whole: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch>;
    /// Lifts the side's payload.
    fn lift_side(val: Option<Box<Val>>, cx: &mut LiftCx<'_>) -> Result<Self, HostError>;
    /// Lowers the side's payload.
    fn lower_side(self, cx: &mut LowerCx<'_>) -> Result<Option<Box<Val>>, HostError>;
    /// Lowers the side's payload for a direct call: one core value when it
    /// has one, else as [`ResultSide::lower_side`] does.
    fn lower_side_direct(self, cx: &mut LowerCx<'_>) -> Result<Side, HostError>;
}

/// A side of a `result` lowered for a direct call.
pub enum Side {
    /// No payload.
    Empty,
    /// A payload of one core value.
    Core(wasmer::Value),
    /// A payload the ABI layer lowers.
    Val(Box<Val>),
}

impl ResultSide for () {
    fn check_side(ty: Option<&Type>, whole: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match ty {
            None => Ok(()),
            Some(_) => Err(cx.mismatch_because::<()>(whole, "`()` stands for a side with no type")),
        }
    }
    fn lift_side(_: Option<Box<Val>>, _: &mut LiftCx<'_>) -> Result<Self, HostError> {
        Ok(())
    }
    fn lower_side(self, _: &mut LowerCx<'_>) -> Result<Option<Box<Val>>, HostError> {
        Ok(None)
    }
    fn lower_side_direct(self, _: &mut LowerCx<'_>) -> Result<Side, HostError> {
        Ok(Side::Empty)
    }
}

impl<T: Lift + Lower> ResultSide for T {
    fn check_side(ty: Option<&Type>, whole: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match ty {
            Some(ty) => T::check(ty, cx),
            None => Err(cx.mismatch_because::<T>(whole, "this side has no type: use `()`")),
        }
    }
    fn lift_side(val: Option<Box<Val>>, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        match val {
            Some(v) => T::lift(*v, cx),
            None => Err(HostError::Shape {
                rust: std::any::type_name::<T>(),
                found: "no payload",
            }),
        }
    }
    fn lower_side(self, cx: &mut LowerCx<'_>) -> Result<Option<Box<Val>>, HostError> {
        Ok(Some(Box::new(self.lower(cx)?)))
    }
    #[inline]
    fn lower_side_direct(self, cx: &mut LowerCx<'_>) -> Result<Side, HostError> {
        Ok(match self.lower_core(cx)? {
            Ok(value) => Side::Core(value),
            Err(val) => Side::Val(Box::new(val)),
        })
    }
}

impl<T: ResultSide, E: ResultSide> WitType for Result<T, E> {
    fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match cx.kind(ty) {
            Some(TypeDefKind::Result(r)) => {
                T::check_side(r.ok.as_ref(), ty, cx)?;
                E::check_side(r.err.as_ref(), ty, cx)
            }
            _ => Err(cx.mismatch::<Self>(ty)),
        }
    }
}

impl<T: ResultSide, E: ResultSide> Lift for Result<T, E> {
    fn lift(val: Val, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
        match val {
            Val::Result(Ok(v)) => Ok(Ok(T::lift_side(v, cx)?)),
            Val::Result(Err(v)) => Ok(Err(E::lift_side(v, cx)?)),
            other => Err(shape::<Self>(&other)),
        }
    }
}

impl<T: ResultSide, E: ResultSide> Lower for Result<T, E> {
    fn lower(self, cx: &mut LowerCx<'_>) -> Result<Val, HostError> {
        Ok(Val::Result(match self {
            Ok(v) => Ok(v.lower_side(cx)?),
            Err(e) => Err(e.lower_side(cx)?),
        }))
    }

    /// `ok` with a payload of at most one core value (a handle, say) is
    /// stored without a `Val`; anything else goes through the ABI layer.
    #[inline]
    fn lower_direct(self, cx: &mut LowerCx<'_>) -> Result<Lowered, HostError> {
        Ok(match self {
            Ok(v) => match v.lower_side_direct(cx)? {
                Side::Empty => Lowered::Ok(None),
                Side::Core(value) => Lowered::Ok(Some(value)),
                Side::Val(val) => Lowered::Val(Val::Result(Ok(Some(val)))),
            },
            Err(e) => Lowered::Val(Val::Result(Err(e.lower_side(cx)?))),
        })
    }
}

macro_rules! tuple {
    ($($name:ident),+) => {
        impl<$($name: WitType),+> WitType for ($($name,)+) {
            fn check(ty: &Type, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
                let Some(TypeDefKind::Tuple(tuple)) = cx.kind(ty) else {
                    return Err(cx.mismatch::<Self>(ty));
                };
                let arity = [$(stringify!($name)),+].len();
                if tuple.types.len() != arity {
                    return Err(cx.mismatch_because::<Self>(ty, format!("{} elements against {arity}", tuple.types.len())));
                }
                let mut types = tuple.types.iter();
                $( $name::check(types.next().unwrap_or(&Type::Bool), cx)?; )+
                Ok(())
            }
        }

        impl<$($name: Lift),+> Lift for ($($name,)+) {
            fn lift(val: Val, cx: &mut LiftCx<'_>) -> Result<Self, HostError> {
                let Val::Tuple(items) = val else {
                    return Err(shape::<Self>(&val));
                };
                let mut items = items.into_iter();
                Ok(($(
                    $name::lift(items.next().ok_or(HostError::Shape {
                        rust: std::any::type_name::<Self>(),
                        found: "a shorter tuple",
                    })?, cx)?,
                )+))
            }
        }

        impl<$($name: Lower),+> Lower for ($($name,)+) {
            #[allow(non_snake_case)]
            fn lower(self, cx: &mut LowerCx<'_>) -> Result<Val, HostError> {
                let ($($name,)+) = self;
                Ok(Val::Tuple(vec![$($name.lower(cx)?),+]))
            }
        }
    };
}

tuple!(A);
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);
tuple!(A, B, C, D, E);
tuple!(A, B, C, D, E, F);
tuple!(A, B, C, D, E, F, G);
tuple!(A, B, C, D, E, F, G, H);
