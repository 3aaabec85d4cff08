//! Guest `lifecycle`: one bucket from creation to drop, and the handle that
//! replaces it.
//!
//! Checks every bucket method on a live handle, that dropping the handle
//! releases it (live handles back to where they were, one more drop counted),
//! and that a bucket created afterwards works and has a different handle
//! value: even if it reuses the freed slot, the generation has moved on.

use slots_guest_sdk::{
    Bucket, Entry, Error, Guest, counters, ensure, ensure_eq, ensure_matches, ensure_ne,
};

/// The guest; see the crate documentation.
struct Lifecycle;

impl Guest for Lifecycle {
    fn run() -> Result<(), String> {
        let base = counters();

        let bucket = Bucket::new("lifecycle");
        let created = counters();
        ensure_eq!(created.live_handles, base.live_handles + 1);
        ensure_eq!(created.opens, base.opens + 1);
        ensure_eq!(created.creations, base.creations + 1);

        ensure_eq!(bucket.name(), "lifecycle");
        ensure!(bucket.is_empty());
        ensure_eq!(bucket.put("b", b"2")?, None);
        ensure_eq!(bucket.put("c", b"3")?, None);
        ensure_eq!(bucket.put("a", b"1")?, None);
        ensure_eq!(bucket.put("b", b"two")?, Some(b"2".to_vec()));
        ensure_eq!(bucket.len(), 3);
        ensure_eq!(bucket.get("b"), Some(b"two".to_vec()));
        ensure_eq!(bucket.get("absent"), None);

        ensure_eq!(bucket.remove("c"), Ok(b"3".to_vec()));
        ensure_matches!(bucket.remove("c"), Err(Error::NotFound(_)));
        ensure_matches!(bucket.remove("absent"), Err(Error::NotFound(_)));
        ensure_eq!(bucket.len(), 2);
        ensure_eq!(bucket.get("c"), None);

        ensure_eq!(bucket.entries(), [entry("a", b"1"), entry("b", b"two")]);
        ensure_eq!(bucket.put("", b"")?, None, "the empty key is a key");
        ensure_eq!(
            bucket.entries(),
            [entry("", b""), entry("a", b"1"), entry("b", b"two")],
            "entries are sorted by key"
        );

        // The raw value is read for comparison only; it never becomes a handle.
        let dropped_handle = bucket.handle();
        let before_drop = counters();
        drop(bucket);
        let after_drop = counters();
        ensure_eq!(after_drop.live_handles, base.live_handles);
        ensure_eq!(after_drop.drops, before_drop.drops + 1);

        let fresh = Bucket::new("lifecycle");
        ensure!(
            fresh.is_empty(),
            "a new bucket under an old name starts empty"
        );
        ensure_eq!(fresh.name(), "lifecycle");
        ensure_eq!(fresh.put("k", b"v")?, None);
        ensure_eq!(fresh.get("k"), Some(b"v".to_vec()));
        ensure_ne!(
            fresh.handle(),
            dropped_handle,
            "a new handle must differ from a dropped one (generation)"
        );
        ensure_eq!(counters().live_handles, base.live_handles + 1);
        ensure_eq!(
            counters().drops,
            after_drop.drops,
            "nothing else was dropped"
        );
        Ok(())
    }
}

fn entry(key: &str, value: &[u8]) -> Entry {
    Entry {
        key: key.to_string(),
        value: value.to_vec(),
    }
}

slots_guest_sdk::export!(Lifecycle);
