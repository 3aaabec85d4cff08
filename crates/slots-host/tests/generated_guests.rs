//! Every single-instance guest example, run end to end on the bindings
//! `bindgen!` generates for `wit/` (`slots_host::generated`), with the
//! results and counters the run-time `Linker` host gives.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use std::sync::Arc;

use host_wasmer::{CallError, Counters, HostConfig, SlotsHost};
use slots_host::HostData;
use slots_host::generated::Guest;
use support::built::wasm;
use wasmer::{Module, Store};

struct Run {
    outcome: Result<Result<(), String>, CallError>,
    counters: Counters,
    slots: usize,
}

fn run_on(host: &Arc<SlotsHost>, name: &str, namespace: &str) -> Run {
    let mut store = Store::default();
    let module = Module::new(&store, wasm(name)).unwrap();
    let guest = Guest::new(
        &mut store,
        &module,
        HostData::default(),
        host.clone(),
        namespace,
    )
    .unwrap();
    let outcome = guest.call_run(&mut store);
    let counters = guest.instance().counters(&store);
    let slots = guest.instance().env(&store).table().slots_allocated();
    Run {
        outcome,
        counters,
        slots,
    }
}

fn run_guest(name: &str) -> Run {
    let host = SlotsHost::new(HostConfig::default());
    let run = run_on(&host, name, "test");
    assert!(
        matches!(run.outcome, Ok(Ok(()))),
        "guest `{name}` did not pass: {:?}",
        run.outcome
    );
    assert_eq!(
        host.totals().instances,
        0,
        "the store is gone, so is the instance"
    );
    assert_eq!(host.totals().leaked(), 0, "teardown released every handle");
    run
}

#[test]
fn lifecycle_guest_passes_on_generated_bindings() {
    let run = run_guest("lifecycle");
    assert_eq!(run.counters.live_handles, 0);
    assert!(run.slots <= 2, "{} slots allocated", run.slots);
}

#[test]
fn caching_guest_passes_on_generated_bindings_and_finds_its_patterns_warm() {
    let host = SlotsHost::new(HostConfig::default());
    let first = run_on(&host, "caching", "tenant");
    assert!(matches!(first.outcome, Ok(Ok(()))), "{:?}", first.outcome);
    assert!(first.counters.intern_hits >= 1 && first.counters.cache_misses >= 1);
    let second = run_on(&host, "caching", "tenant");
    assert!(matches!(second.outcome, Ok(Ok(()))), "{:?}", second.outcome);
    assert_eq!(second.counters.cache_misses, 0, "every pattern was warm");
}

#[test]
fn identity_guest_passes_on_generated_bindings() {
    let run = run_guest("identity");
    assert_eq!(run.counters.live_handles, 0);
}

#[test]
fn many_guest_passes_on_generated_bindings() {
    let run = run_guest("many");
    assert!(run.counters.opens >= 30_000);
    assert!(run.slots <= 11_000, "{} slots", run.slots);
}

#[test]
fn stale_guest_is_trapped_on_generated_bindings_naming_the_import_and_handle() {
    let host = SlotsHost::new(HostConfig::default());
    let run = run_on(&host, "stale", "test");
    let Err(error @ CallError::Trap { message, .. }) = &run.outcome else {
        panic!("the stale handle was not trapped: {:?}", run.outcome);
    };
    let Some(trap) = error.trap_kind().and_then(|kind| kind.host()) else {
        panic!("the trap is not the host's: {error:?}");
    };
    let trap = trap.to_string();
    assert!(message.contains("stale handle"), "{message}");
    assert!(
        trap.contains("slots:host/buckets@0.1.0#[method]bucket.len"),
        "{trap}"
    );
    assert!(trap.contains("bad `bucket` handle"), "{trap}");
    assert_eq!(host.totals().leaked(), 0);
}

#[test]
fn a_grant_between_tenants_on_generated_bindings_gives_each_the_same_object() {
    use slots_host::{Census, Mailbox};

    let host = SlotsHost::new(HostConfig::default());
    let mailbox = Mailbox::new(Mailbox::DEFAULT_CAPACITY);
    let census = Census::new();
    let start = |namespace: &'static str| {
        mailbox.open(namespace);
        let mut store = Store::default();
        let module = Module::new(&store, wasm("grants")).unwrap();
        let data = HostData::shared(&mailbox, &census);
        let guest = Guest::new(&mut store, &module, data, host.clone(), namespace).unwrap();
        (store, guest)
    };
    let tell = |namespace: &str, subject: &str| {
        mailbox
            .send("host", namespace, subject.to_string(), None)
            .unwrap();
    };
    let (mut store_a, a) = start("tenant-a");
    let (mut store_b, b) = start("tenant-b");
    tell("tenant-a", "give pattern tenant-b take pattern ok");
    tell("tenant-a", "give bucket tenant-b take bucket ok");
    assert_eq!(a.call_run(&mut store_a).unwrap(), Ok(()));
    assert_eq!(host.grants().outstanding(), 2);
    assert_eq!(b.call_run(&mut store_b).unwrap(), Ok(()));
    assert_eq!(host.grants().outstanding(), 0);
    let live =
        |guest: &Guest<HostData>, store: &Store| guest.instance().counters(store).live_handles;
    assert_eq!((live(&a, &store_a), live(&b, &store_b)), (2, 2));
    // A sees B's write: one bucket, two holders.
    tell("tenant-a", "expect-entry from-taker hi");
    assert_eq!(a.call_run(&mut store_a).unwrap(), Ok(()));
    assert_eq!(census.made(), 2, "granting copied nothing");
    drop((store_a, store_b));
    assert_eq!(host.totals().leaked(), 0, "every handle was released");
}
