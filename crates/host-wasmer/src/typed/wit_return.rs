//! `WitReturn`: what a typed host function may return.

use wit_parser::Type;

use super::{Lower, LowerCx, Lowered, TypeCheck, TypeMismatch};
use crate::HostError;
use crate::abi::Val;

/// What a host function returns: `()` for a WIT function with no result, or
/// any [`Lower`] type for its result.
pub trait WitReturn {
    /// Checks against the WIT function's result type.
    fn check_result(ty: Option<&Type>, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch>;
    /// Lowers the result, if there is one.
    fn lower_result(self, cx: &mut LowerCx<'_>) -> Result<Option<Val>, HostError>;
    /// Lowers the result of a direct call, if there is one.
    fn lower_result_direct(self, cx: &mut LowerCx<'_>) -> Result<Option<Lowered>, HostError>;
}

impl WitReturn for () {
    fn check_result(ty: Option<&Type>, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match ty {
            None => Ok(()),
            Some(ty) => Err(cx.mismatch_because::<()>(ty, "the function has a result")),
        }
    }

    fn lower_result(self, _: &mut LowerCx<'_>) -> Result<Option<Val>, HostError> {
        Ok(None)
    }

    #[inline]
    fn lower_result_direct(self, _: &mut LowerCx<'_>) -> Result<Option<Lowered>, HostError> {
        Ok(None)
    }
}

impl<T: Lower> WitReturn for T {
    fn check_result(ty: Option<&Type>, cx: &TypeCheck<'_>) -> Result<(), TypeMismatch> {
        match ty {
            Some(ty) => T::check(ty, cx),
            None => Err(TypeMismatch {
                wit: "(no result)".into(),
                rust: std::any::type_name::<T>(),
                detail: Some("return `()`".into()),
            }),
        }
    }

    #[inline]
    fn lower_result(self, cx: &mut LowerCx<'_>) -> Result<Option<Val>, HostError> {
        self.lower(cx).map(Some)
    }

    #[inline]
    fn lower_result_direct(self, cx: &mut LowerCx<'_>) -> Result<Option<Lowered>, HostError> {
        self.lower_direct(cx).map(Some)
    }
}
