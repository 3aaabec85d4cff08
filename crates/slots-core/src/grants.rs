//! Grants: unforgeable, typed, single-use, expiring tokens that move a
//! [`Shared`] object from one table to another.

use std::any::Any;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;

use crate::{AsHandle, Handle, HandleError, InsertError, Resource, ResourceTable, Shared};

/// A claim on one object: 128 bits from the operating system's CSPRNG.
///
/// Its `Debug` form shows only the first four hex digits, so a token that
/// reaches a log cannot be replayed from it.
///
/// # Examples
///
/// ```
/// use slots_core::Token;
///
/// let token = Token::from_halves(0x0123_4567_89ab_cdef, 42);
/// assert_eq!(token.high(), 0x0123_4567_89ab_cdef);
/// assert_eq!(token.low(), 42);
/// assert_eq!(format!("{token:?}"), "Token(0123…)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token(u128);

impl Token {
    /// The token with these 128 bits.
    pub const fn from_bits(bits: u128) -> Self {
        Self(bits)
    }

    /// The token whose high and low 64 bits are these.
    pub const fn from_halves(high: u64, low: u64) -> Self {
        Self(((high as u128) << 64) | low as u128)
    }

    /// The token's 128 bits.
    pub const fn to_bits(self) -> u128 {
        self.0
    }

    /// The high 64 bits.
    pub const fn high(self) -> u64 {
        (self.0 >> 64) as u64
    }

    /// The low 64 bits.
    pub const fn low(self) -> u64 {
        self.0 as u64
    }

    fn random() -> Result<Self, GrantError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|error| GrantError::Entropy(error.to_string()))?;
        Ok(Self(u128::from_le_bytes(bytes)))
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token({:04x}…)", self.0 >> 112)
    }
}

/// How long tokens live and how many may wait to be redeemed.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use slots_core::GrantLimits;
///
/// let limits = GrantLimits {
///     ttl: Duration::from_secs(5),
///     ..GrantLimits::default()
/// };
/// assert_eq!(limits.max_outstanding, GrantLimits::default().max_outstanding);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GrantLimits {
    /// Time from issue after which a token is refused as expired.
    pub ttl: Duration,
    /// Unredeemed tokens the registry holds at most, from all issuers.
    pub max_outstanding: usize,
    /// Unredeemed tokens one issuer (tenant) may hold at most, so that one
    /// tenant cannot fill the registry for the others.
    pub max_per_issuer: usize,
}

impl GrantLimits {
    /// The default time to live: one minute.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(60);
}

impl Default for GrantLimits {
    fn default() -> Self {
        Self {
            ttl: Self::DEFAULT_TTL,
            max_outstanding: 65_536,
            max_per_issuer: 1_024,
        }
    }
}

/// A token could not be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GrantError {
    /// The handle to grant was refused by the issuer's table.
    #[error(transparent)]
    Handle(#[from] HandleError),
    /// The registry holds as many unredeemed tokens as it may.
    #[error("grant quota exceeded: {limit} unredeemed tokens is the host's limit")]
    HostQuota {
        /// The limit in force.
        limit: usize,
    },
    /// The issuer holds as many unredeemed tokens as one issuer may.
    #[error("grant quota exceeded: {limit} unredeemed tokens per tenant is the limit")]
    IssuerQuota {
        /// The limit in force.
        limit: usize,
    },
    /// The object was revoked: a revoked object cannot be granted.
    #[error("a revoked object cannot be granted")]
    Revoked,
    /// The operating system gave no random bytes.
    #[error("no random bytes for a token: {0}")]
    Entropy(String),
}

/// A token was not redeemed. Every attempt uses the token up, whatever its
/// outcome, so a token can be tried once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedeemError {
    /// No such token: never issued, redeemed already, or expired and
    /// forgotten.
    #[error("unknown token: never issued, or redeemed already")]
    Unknown,
    /// The token's time to live ran out before it was redeemed.
    #[error("the token expired")]
    Expired,
    /// The token names an object of another resource type.
    #[error("the token is for a `{found}`, not a `{expected}`")]
    WrongType {
        /// The type the redeemer asked for.
        expected: &'static str,
        /// The type the token was issued for.
        found: &'static str,
    },
    /// The host revoked the object after the token was issued.
    #[error("the token's object was revoked")]
    Revoked,
    /// The redeemer's table refused a new handle.
    #[error(transparent)]
    Insert(#[from] InsertError),
}

/// The host-wide register of unredeemed tokens.
///
/// It is bounded twice ([`GrantLimits`]): in total and per issuer. Expired
/// tokens are reported as [`RedeemError::Expired`] until the registry needs
/// their room, and are then forgotten.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use slots_core::{GrantLimits, GrantRegistry, RedeemError, Resource, ResourceTable};
///
/// struct Pattern(&'static str);
/// impl Resource for Pattern {
///     const NAME: &'static str = "pattern";
/// }
/// struct Bucket;
/// impl Resource for Bucket {
///     const NAME: &'static str = "bucket";
/// }
///
/// let grants = GrantRegistry::new(GrantLimits::default());
/// let (mut a, mut b) = (ResourceTable::<String>::new(), ResourceTable::<String>::new());
/// let tenant_a: Arc<str> = "tenant-a".into();
///
/// let mine = a.insert(Pattern("a+"))?;
/// let token = a.grant(mine, &grants, &tenant_a)?;
/// let theirs = b.redeem::<Pattern>(&grants, token)?;
/// assert_eq!(b.get(theirs)?.0, "a+");
///
/// // Single use, and typed.
/// assert_eq!(b.redeem::<Pattern>(&grants, token), Err(RedeemError::Unknown));
/// let token = a.grant(mine, &grants, &tenant_a)?;
/// assert!(matches!(b.redeem::<Bucket>(&grants, token), Err(RedeemError::WrongType { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct GrantRegistry {
    limits: GrantLimits,
    state: Mutex<Grants>,
}

#[derive(Default)]
struct Grants {
    tokens: HashMap<Token, Grant, RandomState>,
    per_issuer: HashMap<Arc<str>, usize, RandomState>,
}

struct Grant {
    /// An `Arc<Shared<T>>`, erased.
    object: Arc<dyn Any + Send + Sync>,
    resource: &'static str,
    issuer: Arc<str>,
    expires: Instant,
}

impl GrantRegistry {
    /// An empty registry enforcing `limits`.
    pub fn new(limits: GrantLimits) -> Self {
        Self {
            limits,
            state: Mutex::new(Grants::default()),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> GrantLimits {
        self.limits
    }

    /// Tokens issued and not yet redeemed or forgotten.
    pub fn outstanding(&self) -> usize {
        self.lock().tokens.len()
    }

    /// Issues a token for `object` on behalf of `issuer`.
    pub fn issue<T: Resource>(
        &self,
        object: Arc<Shared<T>>,
        issuer: &Arc<str>,
    ) -> Result<Token, GrantError> {
        if object.is_revoked() {
            return Err(GrantError::Revoked);
        }
        let now = Instant::now();
        let mut grants = self.lock();
        if grants.tokens.len() >= self.limits.max_outstanding
            || grants.issued_by(issuer) >= self.limits.max_per_issuer
        {
            grants.forget_expired(now);
        }
        if grants.tokens.len() >= self.limits.max_outstanding {
            return Err(GrantError::HostQuota {
                limit: self.limits.max_outstanding,
            });
        }
        if grants.issued_by(issuer) >= self.limits.max_per_issuer {
            return Err(GrantError::IssuerQuota {
                limit: self.limits.max_per_issuer,
            });
        }
        let mut token = Token::random()?;
        // A collision of 128 random bits will not happen; if it did, draw again.
        while grants.tokens.contains_key(&token) {
            token = Token::random()?;
        }
        grants.tokens.insert(
            token,
            Grant {
                object,
                resource: T::NAME,
                issuer: issuer.clone(),
                expires: now.checked_add(self.limits.ttl).unwrap_or(now),
            },
        );
        *grants.per_issuer.entry(issuer.clone()).or_default() += 1;
        Ok(token)
    }

    /// Redeems `token` for the `T` it was issued for, using it up.
    pub fn redeem<T: Resource>(&self, token: Token) -> Result<Arc<Shared<T>>, RedeemError> {
        let now = Instant::now();
        let grant = {
            let mut grants = self.lock();
            let grant = grants.tokens.remove(&token).ok_or(RedeemError::Unknown)?;
            grants.redeemed_from(&grant.issuer);
            grant
        };
        if now >= grant.expires {
            return Err(RedeemError::Expired);
        }
        let object = grant
            .object
            .downcast::<Shared<T>>()
            .map_err(|_| RedeemError::WrongType {
                expected: T::NAME,
                found: grant.resource,
            })?;
        if object.is_revoked() {
            return Err(RedeemError::Revoked);
        }
        Ok(object)
    }

    /// Forgets every expired token now, and returns how many.
    pub fn forget_expired(&self) -> usize {
        self.lock().forget_expired(Instant::now())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Grants> {
        // Nothing panics while the lock is held, so a poisoned lock still
        // guards consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Grants {
    fn issued_by(&self, issuer: &Arc<str>) -> usize {
        self.per_issuer.get(issuer).copied().unwrap_or(0)
    }

    fn redeemed_from(&mut self, issuer: &Arc<str>) {
        if let Some(count) = self.per_issuer.get_mut(issuer) {
            *count -= 1;
            if *count == 0 {
                self.per_issuer.remove(issuer);
            }
        }
    }

    fn forget_expired(&mut self, now: Instant) -> usize {
        let before = self.tokens.len();
        let per_issuer = &mut self.per_issuer;
        self.tokens.retain(|_, grant| {
            let live = now < grant.expires;
            if !live && let Some(count) = per_issuer.get_mut(&grant.issuer) {
                *count -= 1;
                if *count == 0 {
                    per_issuer.remove(&grant.issuer);
                }
            }
            live
        });
        before - self.tokens.len()
    }
}

impl<K: Hash + Eq + Clone> ResourceTable<K> {
    /// Issues a token for the `T` behind `handle`, on behalf of `issuer`.
    /// An owned object becomes shared (see [`ResourceTable::share`]).
    pub fn grant<T: Resource>(
        &mut self,
        handle: impl AsHandle<T>,
        registry: &GrantRegistry,
        issuer: &Arc<str>,
    ) -> Result<Token, GrantError> {
        let object = self.share(handle)?;
        registry.issue(object, issuer)
    }

    /// Redeems `token` for a handle of this table's own to the `T` it was
    /// issued for.
    pub fn redeem<T: Resource>(
        &mut self,
        registry: &GrantRegistry,
        token: Token,
    ) -> Result<Handle<T>, RedeemError> {
        let object = registry.redeem::<T>(token)?;
        Ok(self.insert_shared(object)?)
    }
}
