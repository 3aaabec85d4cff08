//! Guest `identity`: borrowed and owned handles, and which objects are one.
//!
//! A method taking `borrow<pattern>` lends the handle and leaves it with the
//! guest. `absorb` and `drain` take `own<bucket>`: the handle moves to the host
//! and the guest's live handles drop by one. Buckets are not keyed: two created
//! under one name are two objects.

use slots_guest_sdk::{
    Bucket, Entry, Guest, MatchOptions, Pattern, counters, drain, ensure, ensure_eq, ensure_ne,
};

/// The guest; see the crate documentation.
struct Identity;

impl Guest for Identity {
    fn run() -> Result<(), String> {
        let base = counters();

        let pattern = Pattern::open("^k[0-9]$", MatchOptions::empty())?;
        let bucket = Bucket::new("identity");
        for key in ["k2", "x1", "k1", "k10"] {
            ensure_eq!(bucket.put(key, key.as_bytes())?, None);
        }
        let held = counters();
        ensure_eq!(held.live_handles, base.live_handles + 2);

        ensure_eq!(bucket.keys_matching(&pattern), ["k1", "k2"]);
        ensure_eq!(
            counters().live_handles,
            held.live_handles,
            "a borrow moves no handle"
        );
        ensure_eq!(
            pattern.source(),
            "^k[0-9]$",
            "the lent pattern is still usable"
        );
        ensure!(pattern.is_match("k7"));
        ensure_eq!(
            bucket.keys_matching(&pattern),
            ["k1", "k2"],
            "and can be lent again"
        );

        let other = Bucket::new("other");
        ensure_eq!(other.put("k3", b"3")?, None);
        ensure_eq!(other.put("o1", b"o")?, None);
        let before_absorb = counters();
        ensure_eq!(bucket.absorb(other), 2);
        let absorbed = counters();
        ensure_eq!(
            absorbed.live_handles,
            before_absorb.live_handles - 1,
            "absorb consumes `other`"
        );
        ensure_eq!(bucket.len(), 6);
        ensure_eq!(bucket.keys_matching(&pattern), ["k1", "k2", "k3"]);
        ensure_eq!(bucket.get("o1"), Some(b"o".to_vec()));

        let twin = Bucket::new("twin");
        let other_twin = Bucket::new("twin");
        ensure_ne!(twin, other_twin, "a bucket name is not a key");
        ensure!(!Bucket::same(&twin, &other_twin));
        ensure!(Bucket::same(&twin, &twin));
        ensure_eq!(counters().creations, absorbed.creations + 2);
        ensure_eq!(twin.put("only-here", b"1")?, None);
        ensure_eq!(other_twin.get("only-here"), None);
        ensure_eq!(other_twin.name(), "twin");
        drop(twin);
        drop(other_twin);

        let before_drain = counters();
        let entries = drain(bucket);
        ensure_eq!(
            counters().live_handles,
            before_drain.live_handles - 1,
            "drain consumes the bucket"
        );
        let keys: Vec<&str> = entries.iter().map(|e: &Entry| e.key.as_str()).collect();
        ensure_eq!(
            keys,
            ["k1", "k10", "k2", "k3", "o1", "x1"],
            "drained entries are sorted"
        );
        ensure_eq!(entries[2].value, b"k2");

        ensure_eq!(pattern.find("k5").map(|s| s.range()), Some(0..2));
        drop(pattern);
        ensure_eq!(counters().live_handles, base.live_handles);
        Ok(())
    }
}

slots_guest_sdk::export!(Identity);
