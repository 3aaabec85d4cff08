//! Every guest example, built for wasm32 by `cargo xtask test`, run end to
//! end on the real host.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use std::sync::Arc;

use host_wasmer::{CallError, Counters, HostConfig, SharedHost, TrapKind, validate_module};
use slots_core::HandleError;
use slots_host::{HostData, world};
use slots_test_support::guests::{names, wasm};
use wasmer::{Module, Store};

/// The guests with a test; `every_guest_example_has_a_test` keeps it equal
/// to the folders of guest-examples/. `grants` and `tenants` take several
/// instances each, and are run in `tests/tenants.rs`; `files` and
/// `printing` are WASI guests, run from their wasm32-wasip1 builds in
/// `tests/wasi.rs` and `tests/hostile_wasi.rs`.
const TESTED: &[&str] = &[
    "caching",
    "files",
    "grants",
    "identity",
    "lifecycle",
    "many",
    "printing",
    "stale",
    "tenants",
];

struct Run {
    outcome: Result<Result<(), String>, CallError>,
    counters: Counters,
    slots: usize,
}

fn run_on(host: &Arc<SharedHost>, name: &str, namespace: &str) -> Run {
    let mut store = Store::default();
    let guest = support::start(
        &mut store,
        &wasm(name),
        HostData::default(),
        host,
        namespace,
    );
    let outcome = guest.call_run(&mut store);
    let counters = guest.instance().counters(&store);
    let slots = guest.instance().env(&store).table().slots_allocated();
    Run {
        outcome,
        counters,
        slots,
    }
}

fn assert_passed(run: &Run, name: &str) {
    match &run.outcome {
        Ok(Ok(())) => {}
        other => panic!("guest `{name}` did not pass: {other:?}"),
    }
}

fn run_guest(name: &str) -> Run {
    let host = SharedHost::new(HostConfig::default());
    let run = run_on(&host, name, "test");
    assert_passed(&run, name);
    assert_eq!(
        host.totals().instances,
        0,
        "the store is gone, so is the instance"
    );
    assert_eq!(host.totals().leaked(), 0, "teardown released every handle");
    run
}

#[test]
fn every_guest_example_has_a_test() {
    let found = names().unwrap();
    assert_eq!(found, TESTED, "each guest example needs a test here");
}

#[test]
fn every_guest_validates_against_the_world() {
    let world = world().unwrap();
    let store = Store::default();
    for name in TESTED {
        let module = Module::new(&store, wasm(name)).unwrap();
        validate_module(&world, &module, |_, _| true)
            .unwrap_or_else(|e| panic!("guest `{name}`: {e}"));
        for import in module.imports() {
            let derived = world.import(import.module(), import.name());
            let drop = world.resource_drop(import.module(), import.name());
            assert!(
                derived.is_some() || drop.is_some(),
                "guest `{name}` imports `{}#{}`, which the linker did not derive",
                import.module(),
                import.name()
            );
        }
    }
}

#[test]
fn lifecycle_guest_passes_and_reuses_freed_slots() {
    let run = run_guest("lifecycle");
    assert_eq!(run.counters.live_handles, 0);
    assert!(
        run.slots <= 2,
        "dropped buckets' slots were reused, {} allocated",
        run.slots
    );
}

#[test]
fn caching_guest_passes_and_hits_the_cache() {
    let run = run_guest("caching");
    assert!(run.counters.intern_hits >= 1);
    assert!(run.counters.cache_hits >= 1);
    assert!(run.counters.cache_misses >= 1);
}

#[test]
fn caching_guest_run_twice_finds_its_patterns_warm() {
    let host = SharedHost::new(HostConfig::default());
    let first = run_on(&host, "caching", "tenant");
    assert_passed(&first, "caching");
    let second = run_on(&host, "caching", "tenant");
    assert_passed(&second, "caching");
    assert_eq!(second.counters.cache_misses, 0, "every pattern was warm");
    assert_eq!(second.counters.creations, 0);
    assert_eq!(host.cache_stats().creations, first.counters.creations);
}

#[test]
fn identity_guest_passes() {
    let run = run_guest("identity");
    assert_eq!(run.counters.live_handles, 0);
}

#[test]
fn many_guest_passes_and_its_table_stays_bounded() {
    let run = run_guest("many");
    assert!(run.counters.opens >= 30_000);
    assert_eq!(
        run.counters.opens,
        run.counters.drops + u64::from(run.counters.live_handles)
    );
    assert!(
        run.slots <= 11_000,
        "{} slots for 10,000 live at most",
        run.slots
    );
}

#[test]
fn stale_guest_is_trapped_naming_the_import_the_resource_and_the_handle() {
    let host = SharedHost::new(HostConfig::default());
    let run = run_on(&host, "stale", "test");
    let Err(CallError::Trap {
        message,
        kind: TrapKind::Host(trap),
        ..
    }) = &run.outcome
    else {
        panic!("the stale handle was not trapped: {:?}", run.outcome);
    };
    assert!(
        matches!(trap.error.handle_error(), Some(HandleError::Stale { .. })),
        "the trap's kind says stale: {trap:?}"
    );
    assert_eq!(trap.error.resource(), Some("bucket"));
    let trap = trap.to_string();
    assert!(message.contains("stale handle"), "{message}");
    assert!(
        trap.contains("slots:host/buckets@0.1.0#[method]bucket.len"),
        "{trap}"
    );
    assert!(trap.contains("bad `bucket` handle"), "{trap}");
    assert!(trap.contains("0x"), "the handle is named: {trap}");
    assert_eq!(host.totals().leaked(), 0);
}
