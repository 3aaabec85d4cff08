//! What can go wrong when a table is asked to resolve, insert or release a handle.

use crate::RawHandle;

/// A handle a table refused to resolve.
///
/// Every variant names the handle as the guest passed it, so a host can put
/// the message in a trap as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandleError {
    /// 0 or `u32::MAX`: values no table ever issues.
    #[error("handle {bits:#010x} is a reserved value no table issues")]
    Reserved {
        /// The bits the guest passed.
        bits: u32,
    },
    /// The handle's slot or generation was never issued by this table.
    #[error("handle {handle} was never issued by this table")]
    NotFound {
        /// The handle as passed.
        handle: RawHandle,
    },
    /// The handle was issued, but its object has been released since.
    #[error("stale handle {handle}: its object was dropped")]
    Stale {
        /// The handle as passed.
        handle: RawHandle,
    },
    /// The handle names an object of another resource type.
    #[error("handle {handle} is a `{found}`, not a `{expected}`")]
    WrongType {
        /// The handle as passed.
        handle: RawHandle,
        /// The type the caller asked for.
        expected: &'static str,
        /// The type the handle's object has.
        found: &'static str,
    },
    /// The handle names a shared object, which cannot be changed or taken.
    #[error("handle {handle} names a shared `{resource}` that cannot be changed or taken")]
    Shared {
        /// The handle as passed.
        handle: RawHandle,
        /// The object's resource type.
        resource: &'static str,
    },
    /// The handle's object was revoked by the host.
    #[error("handle {handle} was revoked by the host")]
    Revoked {
        /// The handle as passed.
        handle: RawHandle,
    },
    /// The table broke one of its own invariants while resolving the
    /// handle: a bug in slots-core, not the caller's fault. The table is
    /// unchanged; the message says which invariant, to report.
    #[error("internal error resolving handle {handle}: {invariant} (a bug in slots-core)")]
    Internal {
        /// The handle as passed.
        handle: RawHandle,
        /// What the table expected and did not find.
        invariant: &'static str,
    },
}

impl HandleError {
    /// The handle bits the error is about.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_core::{HandleError, RawHandle};
    ///
    /// assert_eq!(HandleError::Reserved { bits: 0 }.bits(), 0);
    /// let handle = RawHandle::from_bits(0x0010_0003).unwrap();
    /// let internal = HandleError::Internal { handle, invariant: "slots stay put" };
    /// assert_eq!(internal.bits(), 0x0010_0003);
    /// assert!(internal.to_string().ends_with("slots stay put (a bug in slots-core)"));
    /// ```
    pub fn bits(&self) -> u32 {
        match self {
            Self::Reserved { bits } => *bits,
            Self::NotFound { handle }
            | Self::Stale { handle }
            | Self::WrongType { handle, .. }
            | Self::Shared { handle, .. }
            | Self::Revoked { handle }
            | Self::Internal { handle, .. } => handle.to_bits(),
        }
    }
}

/// A table refused to issue a new handle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InsertError {
    /// The table already holds as many live handles as its limit allows.
    #[error("handle quota exceeded: {limit} live handles is the limit")]
    QuotaExceeded {
        /// The limit in force.
        limit: u32,
    },
    /// Every slot the handle layout can address is live or retired.
    #[error("handle space exhausted: all {slots} slots are live or retired")]
    Exhausted {
        /// Slots the layout can address.
        slots: u32,
    },
}

/// A table configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The live-handle limit must be between 1 and `2^30`.
    #[error("live handle limit {limit} is outside 1..=2^30")]
    LiveLimit {
        /// The limit asked for.
        limit: u32,
    },
}
