//! Guest `stale`: the attack generations exist to stop.
//!
//! The guest drops a bucket, lets a new bucket take its place, then forges a
//! handle from the dropped one's raw value and calls a method through it.
//! Without generations the forged handle would reach the new bucket; the host
//! must trap instead, with a message that says the handle is stale. If the
//! call returns, `run` reports that the stale handle was accepted.

use std::mem::ManuallyDrop;

use slots_guest_sdk::{Bucket, Guest, ensure_eq};

/// The guest; see the crate documentation.
struct Stale;

impl Guest for Stale {
    fn run() -> Result<(), String> {
        let bucket = Bucket::new("stale");
        ensure_eq!(bucket.put("k", b"v")?, None);
        let raw = bucket.handle();
        drop(bucket);

        // A live bucket that a stale handle to the freed slot could reach.
        let successor = Bucket::new("successor");
        ensure_eq!(successor.put("a", b"1")?, None);
        ensure_eq!(successor.put("b", b"2")?, None);

        // SAFETY: none; this is the attack being demonstrated. `raw` was
        // issued by the host but has been dropped, so rebuilding a `Bucket`
        // from it forges a handle the guest no longer owns. The host must trap
        // on the call below. `ManuallyDrop` keeps the forged value from being
        // dropped, so the `len` call is the only use of the stale handle.
        #[allow(unsafe_code)]
        let forged = ManuallyDrop::new(unsafe { Bucket::from_handle(raw) });
        let len = forged.len();

        Err(format!(
            "stale handle was accepted: {raw:#010x} answered len() = {len} \
             (the successor holds {})",
            successor.len()
        ))
    }
}

slots_guest_sdk::export!(Stale);
