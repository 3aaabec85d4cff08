//! Typed handles to slots host objects, for Wasm guests.
//!
//! A slots host keeps its objects (compiled patterns, buckets) in a table per
//! guest instance and hands the guest 32-bit handles to them. This crate is the
//! guest's side of that contract: the bindings [wit-bindgen] generates from the
//! `slots:host` WIT package (world `guest`), re-exported under short names, plus
//! what the generated code does not give by itself.
//!
//! # Writing a guest
//!
//! A guest is a `cdylib` built for `wasm32-unknown-unknown`, or for
//! `wasm32-wasip1` when it uses Rust `std` (`println!`, files, arguments,
//! environment; the host then runs it with WASI beside the world), that
//! implements [`Guest`] and exports it with [`export!`]. Its `run` checks what it expects
//! with [`ensure!`], [`ensure_eq!`], [`ensure_ne!`] and [`ensure_matches!`], which
//! return the first failure as `Err` with its file and line; a host
//! [`Error`] converts into that `String` with `?`.
//!
//! ```no_run
//! use slots_guest_sdk::{Bucket, Error, Guest, MatchOptions, Pattern, ensure_eq, ensure_matches};
//!
//! struct MyGuest;
//!
//! impl Guest for MyGuest {
//!     fn run() -> Result<(), String> {
//!         let bucket = Bucket::new("greetings");
//!         bucket.put("hello", b"world")?;
//!         ensure_eq!(bucket.get("hello"), Some(b"world".to_vec()));
//!         ensure_matches!(bucket.remove("absent"), Err(Error::NotFound(_)));
//!
//!         let pattern = Pattern::open("h.llo", MatchOptions::empty())?;
//!         ensure_eq!(bucket.keys_matching(&pattern), ["hello"]);
//!         Ok(())
//!     }
//! }
//!
//! slots_guest_sdk::export!(MyGuest);
//! # fn main() {}
//! ```
//!
//! # Handles
//!
//! [`Pattern`] and [`Bucket`] each own one handle. The guarantees:
//!
//! - **Dropping releases.** Each handle type calls the host's
//!   `[resource-drop]` import when dropped, exactly once, so scope ends and
//!   [`drop`] release host objects. A handle passed by value (to
//!   [`Bucket::absorb`] or [`drain`]) moves to the host and is not dropped
//!   again.
//! - **Borrowing lends.** A method that takes `&Pattern` (such as
//!   [`Bucket::keys_matching`]) lends the handle for the call; the guest keeps
//!   it.
//! - **Identity is handle equality.** Two handles are the same host object
//!   exactly when their values are equal: see [`Pattern::same`] and
//!   [`Bucket::same`], or use `==`. Opening a pattern whose source and
//!   options the guest already holds returns the handle it holds.
//! - **No handles from integers.** The SDK has no safe way to make a handle
//!   from a raw integer. wit-bindgen's `from_handle` is `unsafe` and hidden; a
//!   handle made with it that the host did not issue, or one already dropped,
//!   makes the host trap (the generation in every handle catches reuse).
//!
//! # Sharing with other modules
//!
//! Objects move between modules only by grant. [`Pattern::grant`] and
//! [`Bucket::grant`] turn a handle into a [`Token`] (128 random bits, typed,
//! single-use, expiring); the [`mailbox`] carries it to another tenant, and
//! [`Pattern::redeem`] or [`Bucket::redeem`] there gives that module a handle
//! of its own to the same object. The host may revoke a shared object:
//! every handle to it then traps on use, saying it was revoked.
//!
//! [`counters`] reads the host's counters for the instance (live handles,
//! opens, cache hits and misses, creations, drops), so a guest can watch its
//! handles come and go.
//!
//! # Host builds
//!
//! The crate also compiles for the host target, so that `cargo doc`, `clippy`
//! and its unit tests run there; on a non-wasm target the imports are stubs
//! that panic when called, which is why the examples that reach the host are
//! `no_run`.
//!
//! [wit-bindgen]: https://docs.rs/wit-bindgen

pub mod bindings;
mod check;

#[doc(hidden)]
pub use check::comparison_failed as __comparison_failed;
mod error;
mod grants;
mod identity;
mod span;

#[doc(inline)]
pub use bindings::Guest;
#[doc(inline)]
pub use bindings::export;
pub use bindings::slots::host::{buckets, introspect, mailbox, patterns};
#[doc(inline)]
pub use buckets::{Bucket, Entry, drain};
#[doc(inline)]
pub use error::Error;
#[doc(inline)]
pub use grants::{RedeemError, Token};
#[doc(inline)]
pub use introspect::Counters;
#[doc(inline)]
pub use mailbox::Message;
#[doc(inline)]
pub use patterns::{MatchOptions, Pattern, Span};

/// The host's counters for this instance and its shared cache, as they are
/// now.
///
/// Each call asks the host; compare two snapshots to see what happened in
/// between.
///
/// # Examples
///
/// ```no_run
/// use slots_guest_sdk::{Bucket, counters};
///
/// let before = counters();
/// let bucket = Bucket::new("counted");
/// assert_eq!(counters().live_handles, before.live_handles + 1);
/// drop(bucket);
/// assert_eq!(counters().drops, before.drops + 1);
/// ```
pub fn counters() -> Counters {
    introspect::snapshot()
}
