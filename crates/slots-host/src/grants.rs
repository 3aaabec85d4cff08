//! `grants`: guests turn handles into tokens and tokens into handles.

use host_wasmer::{Ctx, HostError};
use slots_core::{GrantError, Handle, Resource};

use crate::types::{Error, RedeemError, Token};
use crate::{Bucket, HostData, Pattern};

/// Issues a token for the `T` behind `handle`. A bad handle traps; a full
/// registry is an error value.
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

/// Redeems `token` for a `T`. Every refusal is an error value.
fn redeem<T: Resource>(
    cx: &mut Ctx<'_, HostData>,
    token: Token,
) -> Result<Result<Handle<T>, RedeemError>, HostError> {
    Ok(cx.redeem::<T>(token.into()).map_err(RedeemError::from))
}

/// `grant-pattern`.
pub fn grant_pattern(
    cx: &mut Ctx<'_, HostData>,
    pattern: Handle<Pattern>,
) -> Result<Result<Token, Error>, HostError> {
    grant(cx, pattern)
}

/// `redeem-pattern`.
pub fn redeem_pattern(
    cx: &mut Ctx<'_, HostData>,
    token: Token,
) -> Result<Result<Handle<Pattern>, RedeemError>, HostError> {
    redeem(cx, token)
}

/// `grant-bucket`: from then on the bucket is shared.
pub fn grant_bucket(
    cx: &mut Ctx<'_, HostData>,
    bucket: Handle<Bucket>,
) -> Result<Result<Token, Error>, HostError> {
    grant(cx, bucket)
}

/// `redeem-bucket`.
pub fn redeem_bucket(
    cx: &mut Ctx<'_, HostData>,
    token: Token,
) -> Result<Result<Handle<Bucket>, RedeemError>, HostError> {
    redeem(cx, token)
}
