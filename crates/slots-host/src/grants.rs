//! `grants`: guests turn handles into tokens and tokens into handles.

use host_wasmer::{Ctx, HostError};
use slots_core::{GrantError, Handle, Resource};

use crate::HostData;
use crate::types::{Error, RedeemError, Token};

/// `grant-pattern` and `grant-bucket`: a token for the `T` behind
/// `handle`. A bad handle traps; a full registry is an error value. A
/// granted bucket is shared from then on.
pub fn grant<T: Resource>(
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
pub fn redeem<T: Resource>(
    cx: &mut Ctx<'_, HostData>,
    token: Token,
) -> Result<Result<Handle<T>, RedeemError>, HostError> {
    Ok(cx.redeem::<T>(token.into()).map_err(RedeemError::from))
}
