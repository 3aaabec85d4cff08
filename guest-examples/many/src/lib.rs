//! Guest `many`: rounds of ten thousand buckets and many keyed patterns,
//! opened and dropped.
//!
//! After each round the instance's live handles are back to where they were,
//! and every handle opened was dropped: the opens and drops counters moved by
//! the same amount.

use std::collections::HashSet;

use slots_guest_sdk::{Bucket, Guest, MatchOptions, Pattern, counters, ensure, ensure_eq};

/// The guest; see the crate documentation.
struct Many;

const ROUNDS: usize = 3;
const BUCKETS: usize = 10_000;
const PATTERNS: usize = 500;

impl Guest for Many {
    fn run() -> Result<(), String> {
        let base = counters();
        for round in 0..ROUNDS {
            let start = counters();

            let buckets: Vec<Bucket> = (0..BUCKETS)
                .map(|i| Bucket::new(&format!("b{i}")))
                .collect();
            ensure_eq!(
                counters().live_handles,
                start.live_handles + BUCKETS as u32,
                "round {round}"
            );
            let distinct: HashSet<u32> = buckets.iter().map(Bucket::handle).collect();
            ensure_eq!(distinct.len(), BUCKETS, "every bucket is its own object");
            for i in [0, BUCKETS / 2, BUCKETS - 1] {
                ensure_eq!(buckets[i].put("i", i.to_string().as_bytes())?, None);
                ensure_eq!(buckets[i].name(), format!("b{i}"));
            }
            ensure_eq!(
                buckets[BUCKETS / 2].get("i"),
                Some((BUCKETS / 2).to_string().into_bytes())
            );

            let patterns = open_patterns()?;
            ensure_eq!(
                counters().live_handles,
                start.live_handles + (BUCKETS + PATTERNS) as u32,
                "round {round}"
            );
            let interned = open_patterns()?;
            ensure!(
                patterns
                    .iter()
                    .zip(&interned)
                    .all(|(a, b)| Pattern::same(a, b)),
                "round {round}: a key opened while held is the same handle"
            );
            ensure!(patterns[7].is_match("key-7") && !patterns[7].is_match("key-70"));

            drop(buckets);
            drop(patterns);
            drop(interned);
            let end = counters();
            ensure_eq!(
                end.live_handles,
                start.live_handles,
                "round {round}: every handle released"
            );
            let opened = end.opens - start.opens;
            let dropped = end.drops - start.drops;
            ensure_eq!(opened, (BUCKETS + 2 * PATTERNS) as u64, "round {round}");
            ensure_eq!(opened, dropped, "round {round}: opens and drops agree");
        }
        ensure_eq!(counters().live_handles, base.live_handles);
        Ok(())
    }
}

fn open_patterns() -> Result<Vec<Pattern>, String> {
    let mut patterns = Vec::with_capacity(PATTERNS);
    for i in 0..PATTERNS {
        patterns.push(Pattern::open(&format!("^key-{i}$"), MatchOptions::empty())?);
    }
    Ok(patterns)
}

slots_guest_sdk::export!(Many);
