//! Printing what an instance's handles did.

use crate::stage::{Stage, Tenant};

/// Prints the counters of `tenant`.
pub(crate) fn counters(tenant: &Tenant) {
    let instance = tenant.guest().instance();
    let counters = instance.counters(&tenant.store);
    let slots = instance.env(&tenant.store).table().slots_allocated();
    println!(
        "  handles issued   {:>8}   (opens, constructor results, redeemed grants)",
        counters.opens
    );
    println!("  slots allocated  {slots:>8}   (freed slots are reused)");
    println!("  live at the end  {:>8}", counters.live_handles);
    println!("  drops            {:>8}", counters.drops);
    println!(
        "  intern hits      {:>8}   (same key, same live handle)",
        counters.intern_hits
    );
    println!(
        "  cache hits       {:>8}   (released object, still warm)",
        counters.cache_hits
    );
    println!("  cache misses     {:>8}", counters.cache_misses);
    println!("  objects created  {:>8}", counters.creations);
}

/// Prints the host's totals once its tenants are gone; fails on a leak.
pub(crate) fn totals(stage: &Stage) -> Result<(), String> {
    let totals = stage.host.totals();
    let cached = stage.host.cache_stats().entries;
    println!(
        "  teardown: {} references released in all, {} leaked",
        totals.released,
        totals.leaked()
    );
    println!(
        "  objects: {} made = {} dropped + {} cached",
        stage.census.made(),
        stage.census.dropped(),
        cached
    );
    if totals.leaked() != 0 || stage.census.made() != stage.census.dropped() + cached {
        return Err("the host's accounts do not balance".into());
    }
    Ok(())
}
