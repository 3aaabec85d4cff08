//! Every guest example on both hosts: host-wasmer (core module on Wasmer)
//! and wasmtime's component model (the same module made a component). Where
//! an example does not depend on handle numbering, the two report the same
//! results and counters, step by step; where it does, each side's behaviour
//! is pinned here and explained in ARCHITECTURE.md.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use slots_test_support::guests::names;
use support::{Report, both};

/// Examples both hosts must agree on, step by step.
const SAME: &[&str] = &["grants", "identity", "tenants"];
/// Examples that differ by design, each with its test below.
const DIFFERENT: &[&str] = &["caching", "lifecycle", "many", "stale"];
/// WASI guests (wasm32-wasip1), not compared: this suite's wasmtime host
/// serves the `slots:host` world alone, without wasmtime-wasi, and their
/// wasm32-unknown-unknown builds cannot print or open files (std's output
/// goes nowhere and its file calls fail there). They run on host-wasmer in
/// `crates/slots-host/tests/wasi.rs` and `hostile_wasi.rs`.
const WASI: &[&str] = &["files", "printing"];

fn passed(report: &Report) -> bool {
    report.result == Ok(Ok(()))
}

#[track_caller]
fn assert_same(guest: &str, steps: &[(&str, &[&str])]) {
    for (i, (wasmer, wasmtime)) in both(guest, steps).into_iter().enumerate() {
        assert!(
            passed(&wasmer),
            "`{guest}` step {i} on host-wasmer: {wasmer:?}"
        );
        assert_eq!(
            wasmer, wasmtime,
            "`{guest}` step {i}: host-wasmer, then wasmtime"
        );
    }
}

#[test]
fn every_guest_example_is_compared_or_its_difference_pinned() {
    let found = names().unwrap();
    let mut known: Vec<&str> = SAME.iter().chain(DIFFERENT).chain(WASI).copied().collect();
    known.sort();
    assert_eq!(found, known);
}

#[test]
fn identity_reports_the_same_on_both_hosts() {
    assert_same("identity", &[("solo", &[])]);
}

#[test]
fn tenants_report_the_same_on_both_hosts() {
    assert_same(
        "tenants",
        &[
            ("tenant-a", &["expect miss"]),
            ("tenant-b", &["expect miss"]),
        ],
    );
}

#[test]
fn grants_between_tenants_report_the_same_on_both_hosts() {
    assert_same(
        "grants",
        &[
            (
                "tenant-a",
                &[
                    "give pattern tenant-b take pattern ok",
                    "give bucket tenant-b take bucket ok",
                    "give pattern tenant-b take bucket wrong-type",
                ],
            ),
            ("tenant-b", &[]),
            ("tenant-a", &["expect-entry from-taker hi"]),
        ],
    );
}

/// slots interns keyed opens: opening a key the instance holds returns the
/// handle it holds. The component model gives every `own` result a fresh
/// handle, even for the same object (the same rep), so the guests' identity
/// checks fail there, with their own message. The counters up to that
/// check agree: the objects are the same, only the handles differ.
#[test]
fn a_reopened_key_is_the_same_handle_on_slots_and_a_fresh_one_on_the_component_model() {
    for guest in ["caching", "many"] {
        let steps = both(guest, &[("solo", &[])]);
        let (wasmer, wasmtime) = &steps[0];
        assert!(passed(wasmer), "`{guest}` on host-wasmer: {wasmer:?}");
        let Ok(Err(message)) = &wasmtime.result else {
            panic!("`{guest}` on wasmtime: {wasmtime:?}");
        };
        assert!(message.contains("same handle"), "{message}");
    }
}

/// slots handles carry a generation: a dropped handle stays stale after
/// its slot is reused. The component model's handle table reuses an index
/// as it is: the `stale` guest's forged handle reaches the bucket that took
/// its slot, and the `lifecycle` guest sees a new handle equal to the one
/// it dropped.
#[test]
fn a_dropped_handle_is_stale_on_slots_and_reused_by_the_component_model() {
    let steps = both("stale", &[("solo", &[])]);
    let (wasmer, wasmtime) = &steps[0];
    let Err(trap) = &wasmer.result else {
        panic!("host-wasmer did not trap the stale handle: {wasmer:?}");
    };
    assert!(trap.contains("stale handle"), "{trap}");
    let Ok(Err(message)) = &wasmtime.result else {
        panic!("wasmtime: {wasmtime:?}");
    };
    assert!(message.contains("stale handle was accepted"), "{message}");

    let steps = both("lifecycle", &[("solo", &[])]);
    let (wasmer, wasmtime) = &steps[0];
    assert!(passed(wasmer), "{wasmer:?}");
    let Ok(Err(message)) = &wasmtime.result else {
        panic!("wasmtime: {wasmtime:?}");
    };
    assert!(
        message.contains("must differ from a dropped one"),
        "{message}"
    );
}
