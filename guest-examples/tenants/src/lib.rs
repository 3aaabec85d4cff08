//! Guest `tenants`: keyed objects resolve only within the opener's
//! namespace.
//!
//! The guest opens one well-known pattern and checks, through its own
//! counters, how the host served it. The host tells it what to expect in a
//! mailbox message, because only the host knows which namespace the
//! instance runs in and what ran there before:
//!
//! - `expect miss`: no instance of this namespace has opened the key, so
//!   the pattern must be compiled anew, even if another tenant holds the
//!   very same key at this moment;
//! - `expect hit`: an instance of this namespace (perhaps one that has
//!   ended) opened it, so the host's cache must serve it, compiling nothing.
//!
//! Opening it a second time while held is always an intern hit.

use slots_guest_sdk::{Guest, MatchOptions, Pattern, counters, ensure, ensure_eq, mailbox};

/// The guest; see the crate documentation.
struct Tenants;

/// The key every tenant opens.
pub const SOURCE: &str = "tenant-[0-9]+";

impl Guest for Tenants {
    fn run() -> Result<(), String> {
        let message = mailbox::receive().ok_or("the host sent no expectation")?;
        ensure_eq!(message.sender, "host", "instructions come from the host");
        let expect_hit = match message.subject.as_str() {
            "expect hit" => true,
            "expect miss" => false,
            other => return Err(format!("unknown instruction `{other}`")),
        };

        let before = counters();
        let pattern = Pattern::open(SOURCE, MatchOptions::empty())?;
        let opened = counters();
        if expect_hit {
            ensure_eq!(opened.cache_hits, before.cache_hits + 1, "served warm");
            ensure_eq!(opened.creations, before.creations, "nothing compiled");
        } else {
            ensure_eq!(opened.cache_misses, before.cache_misses + 1, "a miss");
            ensure_eq!(opened.creations, before.creations + 1, "compiled anew");
        }
        ensure!(pattern.is_match("tenant-7"));
        ensure!(!pattern.is_match("tenant-x"));

        // Held, so interned: no lookup, no creation. (The check reads the
        // counters, not the handles, so that it holds on any host.)
        let again = Pattern::open(SOURCE, MatchOptions::empty())?;
        let reopened = counters();
        ensure_eq!(reopened.intern_hits, opened.intern_hits + 1);
        ensure_eq!(reopened.creations, opened.creations);
        ensure!(again.is_match("tenant-1"));
        drop((pattern, again));
        ensure_eq!(counters().live_handles, before.live_handles);
        Ok(())
    }
}

slots_guest_sdk::export!(Tenants);
