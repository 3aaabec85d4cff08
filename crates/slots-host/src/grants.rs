//! `grants`: guests turn handles into tokens and tokens into handles.

use host_wasmer::{Ctx, HostError};
use slots_core::{GrantError, Handle, Resource};

use crate::generated::slots::host::grants::Host;
use crate::{Bucket, Error, HostData, Pattern, RedeemError, Token};

impl Host for HostData {
    fn grant_pattern(
        cx: &mut Ctx<'_, Self>,
        p: Handle<Pattern>,
    ) -> Result<Result<Token, Error>, HostError> {
        grant(cx, p)
    }

    fn redeem_pattern(
        cx: &mut Ctx<'_, Self>,
        t: Token,
    ) -> Result<Result<Handle<Pattern>, RedeemError>, HostError> {
        Ok(redeem(cx, t))
    }

    fn grant_bucket(
        cx: &mut Ctx<'_, Self>,
        b: Handle<Bucket>,
    ) -> Result<Result<Token, Error>, HostError> {
        grant(cx, b)
    }

    fn redeem_bucket(
        cx: &mut Ctx<'_, Self>,
        t: Token,
    ) -> Result<Result<Handle<Bucket>, RedeemError>, HostError> {
        Ok(redeem(cx, t))
    }
}

/// `grant-pattern` and `grant-bucket`: a token for the `T` behind
/// `handle`. A bad handle traps; a full registry is an error value. A
/// granted bucket is shared from then on.
fn grant<T: Resource>(
    cx: &mut Ctx<'_, HostData>,
    handle: Handle<T>,
) -> Result<Result<Token, Error>, HostError> {
    match cx.grant(handle)? {
        Ok(token) => Ok(Ok(token.into())),
        Err(error @ (GrantError::HostQuota { .. } | GrantError::IssuerQuota { .. })) => {
            Ok(Err(Error::QuotaExceeded(error.to_string())))
        }
        Err(error) => Err(HostError::msg(error.to_string())),
    }
}

/// `redeem-pattern` and `redeem-bucket`: a handle to the `T` that `token`
/// was issued for. Every refusal is an error value.
fn redeem<T: Resource>(cx: &mut Ctx<'_, HostData>, token: Token) -> Result<Handle<T>, RedeemError> {
    cx.redeem::<T>(token.into()).map_err(RedeemError::from)
}

impl From<slots_core::Token> for Token {
    fn from(token: slots_core::Token) -> Self {
        Self {
            high: token.high(),
            low: token.low(),
        }
    }
}

impl From<Token> for slots_core::Token {
    fn from(token: Token) -> Self {
        slots_core::Token::from_halves(token.high, token.low)
    }
}

impl From<slots_core::RedeemError> for RedeemError {
    fn from(error: slots_core::RedeemError) -> Self {
        use slots_core::RedeemError as Core;
        match error {
            Core::Unknown => Self::Unknown,
            Core::Expired => Self::Expired,
            Core::WrongType { found, .. } => Self::WrongType(found.to_string()),
            Core::Revoked => Self::Revoked,
            Core::Insert(error) => Self::QuotaExceeded(error.to_string()),
            // Future refusals are refusals all the same.
            other => Self::QuotaExceeded(other.to_string()),
        }
    }
}
