//! The `slots:host` world implemented on the bindings `host_wasmer::bindgen!`
//! generates from `wit/`: compiled patterns opened by key and cached,
//! buckets made by constructor, grants, a mailbox between tenants and the
//! introspection interface. It is both the host the runner uses and an
//! example of how an embedder builds on host-wasmer.
//!
//! Each WIT interface is implemented in the module named after it, as the
//! trait `bindgen!` generates for it on [`HostData`]; [`Guest`] instantiates
//! a guest with every import bound.
//!
//! # Examples
//!
//! ```no_run
//! use host_wasmer::{HostConfig, SharedHost};
//! use slots_host::{Guest, HostData};
//! use wasmer::{Module, Store};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut store = Store::default();
//! let module = Module::new(&store, std::fs::read("guest.wasm")?)?;
//! let host = SharedHost::new(HostConfig::default());
//! let guest = Guest::new(&mut store, &module, HostData::default(), host, "tenant-a")?;
//! let outcome: Result<(), String> = guest.call_run(&mut store)?;
//! guest.instance().teardown(&mut store);
//! # let _ = outcome; Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod buckets;
mod budget;
mod census;
pub mod generated;
pub mod grants;
mod introspect;
pub mod mailbox;
pub mod patterns;

use std::sync::Arc;

use host_wasmer::{GuestWorld, WorldError};

pub use buckets::Bucket;
pub use budget::Budget;
pub use census::{Census, Counted};
pub use generated::Guest;
pub use generated::slots::host::buckets::Entry;
pub use generated::slots::host::grants::{RedeemError, Token};
pub use generated::slots::host::mailbox::Message;
pub use generated::slots::host::patterns::{MatchOptions, Span};
pub use generated::slots::host::types::Error;
pub use mailbox::Mailbox;
pub use patterns::Pattern;

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

/// The `slots:host` world, parsed from [`WIT`] at run time: what a tool
/// that inspects the world (or validates a module against it) needs; the
/// host itself is bound at compile time ([`Guest`]).
pub fn world() -> Result<GuestWorld, WorldError> {
    GuestWorld::from_str(WIT, WORLD)
}
