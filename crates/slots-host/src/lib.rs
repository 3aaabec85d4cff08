//! The `slots:host` world implemented on host-wasmer's public API: compiled
//! patterns opened by key and cached, buckets made by constructor, and the
//! introspection interface. It is both the host the runner uses and an
//! example of how an embedder builds on host-wasmer.
//!
//! # Examples
//!
//! ```
//! use slots_host::linker;
//! use host_wasmer::{HostConfig, SlotsHost};
//!
//! let linker = linker(SlotsHost::new(HostConfig::default()))?;
//! assert!(linker.world().export("run").is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod buckets;
mod budget;
mod census;
pub mod generated;
pub mod grants;
pub mod mailbox;
pub mod patterns;
mod types;

use std::sync::Arc;

use host_wasmer::{BindError, GuestWorld, Linker, SlotsHost, WorldError, add_introspection};

pub use buckets::Bucket;
pub use budget::Budget;
pub use census::{Census, Counted};
pub use mailbox::Mailbox;
pub use patterns::Pattern;
pub use types::{Entry, Error, MatchOptions, Message, RedeemError, Span, Token};

/// The WIT package, compiled into the host so the runner works anywhere.
pub const WIT: &str = include_str!("../../../wit/world.wit");

/// The world guests are built for.
pub const WORLD: &str = "guest";

/// What the host keeps for each instance besides its handles.
///
/// Instances that should reach each other's inboxes share one [`Mailbox`]:
/// clone it into each instance's data.
#[derive(Debug, Clone)]
pub struct HostData {
    /// The bytes of bucket data the instance may keep.
    pub budget: Arc<Budget>,
    /// The mailbox the instance sends to and receives from.
    pub mailbox: Arc<Mailbox>,
    /// Counts the objects the instance makes, and their drops.
    pub census: Arc<Census>,
}

impl Default for HostData {
    fn default() -> Self {
        Self {
            budget: Arc::new(Budget::new(Budget::DEFAULT_LIMIT)),
            mailbox: Mailbox::new(Mailbox::DEFAULT_CAPACITY),
            census: Census::new(),
        }
    }
}

impl HostData {
    /// Data for one instance of a host whose instances share `mailbox` and
    /// `census`, with a budget of its own.
    pub fn shared(mailbox: &Arc<Mailbox>, census: &Arc<Census>) -> Self {
        Self {
            mailbox: mailbox.clone(),
            census: census.clone(),
            ..Self::default()
        }
    }
}

/// The `slots:host` world, parsed from [`WIT`].
pub fn world() -> Result<GuestWorld, WorldError> {
    GuestWorld::from_str(WIT, WORLD)
}

/// The host could not be set up: the WIT and the bindings disagree.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The WIT did not load.
    #[error(transparent)]
    World(#[from] WorldError),
    /// A binding did not fit the WIT.
    #[error(transparent)]
    Bind(#[from] BindError),
}

/// A linker with every function of the `slots:host` world bound.
pub fn linker(host: Arc<SlotsHost>) -> Result<Linker<HostData>, SetupError> {
    let world = world()?;
    let patterns = world.interface_module("patterns")?;
    let buckets = world.interface_module("buckets")?;
    let grants = world.interface_module("grants")?;
    let mailbox = world.interface_module("mailbox")?;
    let mut linker = Linker::new(world, host);

    linker
        .resource::<Pattern>(&patterns, "pattern")?
        .func(&patterns, "[static]pattern.open", patterns::open)?
        .func(&patterns, "[method]pattern.source", patterns::source)?
        .func(&patterns, "[method]pattern.is-match", patterns::is_match)?
        .func(&patterns, "[method]pattern.find", patterns::find)?
        .func(&patterns, "[method]pattern.find-all", patterns::find_all)?;

    linker
        .resource::<Bucket>(&buckets, "bucket")?
        .func(&buckets, "[constructor]bucket", buckets::new)?
        .func(&buckets, "[method]bucket.name", buckets::name)?
        .func(&buckets, "[method]bucket.put", buckets::put)?
        .func(&buckets, "[method]bucket.get", buckets::get)?
        .func(&buckets, "[method]bucket.remove", buckets::remove)?
        .func(&buckets, "[method]bucket.len", buckets::len)?
        .func(&buckets, "[method]bucket.entries", buckets::entries)?
        .func(
            &buckets,
            "[method]bucket.keys-matching",
            buckets::keys_matching,
        )?
        .func(&buckets, "[method]bucket.absorb", buckets::absorb)?
        .func(&buckets, "drain", buckets::drain)?;

    linker
        .func(&grants, "grant-pattern", grants::grant::<Pattern>)?
        .func(&grants, "redeem-pattern", grants::redeem::<Pattern>)?
        .func(&grants, "grant-bucket", grants::grant::<Bucket>)?
        .func(&grants, "redeem-bucket", grants::redeem::<Bucket>)?;

    linker
        .func(&mailbox, "send", mailbox::send)?
        .func(&mailbox, "receive", mailbox::receive)?;

    add_introspection(&mut linker)?;
    Ok(linker)
}
