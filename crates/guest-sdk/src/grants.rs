//! Grants from the guest's side: turning a handle into a [`Token`] for
//! another module, and a token into a handle of this module's own.

use crate::bindings::slots::host::grants;
use crate::{Bucket, Error, Pattern};

pub use grants::{RedeemError, Token};

impl Pattern {
    /// A token for this pattern, to pass to another module (through the
    /// [`mailbox`](crate::mailbox), say), which redeems it with
    /// [`Pattern::redeem`] for a handle of its own to the same compiled
    /// pattern. This module keeps its handle.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use slots_guest_sdk::{MatchOptions, Pattern, mailbox};
    ///
    /// let pattern = Pattern::open("[a-z]+", MatchOptions::empty())?;
    /// let token = pattern.grant()?;
    /// mailbox::send("tenant-b", "pattern", Some(token))?;
    /// # Ok::<(), slots_guest_sdk::Error>(())
    /// ```
    pub fn grant(&self) -> Result<Token, Error> {
        grants::grant_pattern(self)
    }

    /// Redeems `token` for a handle to the pattern it was issued for. A
    /// token is used up by any attempt, and is refused when unknown,
    /// already used, expired, issued for another resource type, or revoked.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use slots_guest_sdk::{Pattern, RedeemError, mailbox};
    ///
    /// while let Some(message) = mailbox::receive() {
    ///     let Some(token) = message.token else { continue };
    ///     match Pattern::redeem(token) {
    ///         Ok(pattern) => assert!(pattern.is_match("abc")),
    ///         Err(RedeemError::Expired) => {} // too late: ask again
    ///         Err(other) => panic!("refused: {}", other.describe()),
    ///     }
    /// }
    /// ```
    pub fn redeem(token: Token) -> Result<Pattern, RedeemError> {
        grants::redeem_pattern(token)
    }
}

impl Bucket {
    /// A token for this bucket, redeemed by another module with
    /// [`Bucket::redeem`]. From then on the bucket is shared: each holder
    /// sees the others' changes.
    pub fn grant(&self) -> Result<Token, Error> {
        grants::grant_bucket(self)
    }

    /// Redeems `token` for a handle to the bucket it was issued for; see
    /// [`Pattern::redeem`] for when a token is refused.
    pub fn redeem(token: Token) -> Result<Bucket, RedeemError> {
        grants::redeem_bucket(token)
    }
}

impl RedeemError {
    /// What went wrong, in words; `?` into a `String` uses this too.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_guest_sdk::RedeemError;
    ///
    /// let error = RedeemError::WrongType("bucket".to_string());
    /// assert_eq!(error.describe(), "the token is for a `bucket`");
    /// ```
    pub fn describe(&self) -> String {
        match self {
            Self::Unknown => "unknown token: never issued, or redeemed already".to_string(),
            Self::Expired => "the token expired".to_string(),
            Self::WrongType(found) => format!("the token is for a `{found}`"),
            Self::Revoked => "the token's object was revoked".to_string(),
            Self::QuotaExceeded(what) => format!("quota exceeded: {what}"),
        }
    }
}

/// Lets `?` turn a refused redemption into the `Err(String)` of `run`.
impl From<RedeemError> for String {
    fn from(error: RedeemError) -> Self {
        error.describe()
    }
}
