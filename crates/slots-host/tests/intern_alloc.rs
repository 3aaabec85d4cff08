//! A keyed open of a key the instance already holds (an intern hit)
//! allocates nothing on the host, through the generated bindings: the key
//! is lifted into a reused buffer and looked up before any copy is made.
//!
//! The global allocator counts every allocation of the process, so this
//! binary holds a single test.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use std::alloc::System;

use host_wasmer::{HostConfig, SharedHost};
use slots_host::HostData;
use slots_host::generated::Guest;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use wasmer::{Module, Store, Value};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A guest whose `run` opens the pattern whose source is at `$src` (2 bytes), then
/// `$n` times opens it again and drops the new handle. `a+` at 96 is held
/// from the first `run` on, so each of those opens is an intern hit; `b+`
/// at 112 is not, so each open of it takes the pattern from the host's
/// cache and gives the table a key of its own.
fn guest() -> String {
    slots_test_support::wat::module(
        r#"(import "slots:host/patterns@0.1.0" "[static]pattern.open" (func $open (param i32 i32 i32 i32)))
  (import "slots:host/patterns@0.1.0" "[resource-drop]pattern" (func $drop (param i32)))"#,
        r#"(data (i32.const 96) "a+")
  (data (i32.const 112) "b+")
  (global $held (mut i32) (i32.const 0))
  (global $n (export "n") (mut i32) (i32.const 0))
  (global $src (export "src") (mut i32) (i32.const 96))
  (func $open_src (result i32)
    (call $open (global.get $src) (i32.const 2) (i32.const 0) (i32.const 0))
    (if (i32.load8_u (i32.const 0)) (then unreachable))
    (i32.load (i32.const 4)))
  (func (export "run") (result i32)
    (local $i i32)
    (if (i32.eqz (global.get $held))
      (then (global.set $held (call $open_src))))
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $i) (global.get $n)))
        (call $drop (call $open_src))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again)))
    ;; ok: a zeroed result area.
    (i32.const 256))"#,
    )
}

#[test]
fn keyed_open_of_a_held_key_allocates_nothing_and_a_copy_would_be_counted() {
    let mut store = Store::default();
    let module = Module::new(&store, wat::parse_str(guest()).unwrap()).unwrap();
    let host = SharedHost::new(HostConfig::default());
    let guest = Guest::new(&mut store, &module, HostData::default(), host, "tenant").unwrap();
    let exports = guest.instance().wasmer().exports.clone();
    let n = exports.get_global("n").unwrap();
    let src = exports.get_global("src").unwrap();

    // Allocations (and reallocations) of the host while `run` opens and
    // drops the pattern at `source` `calls` times.
    let count = |store: &mut Store, source: i32, calls: i32| {
        src.set(store, Value::I32(source)).unwrap();
        n.set(store, Value::I32(calls)).unwrap();
        let region = Region::new(GLOBAL);
        let outcome = guest.call_run(store).unwrap();
        let change = region.change();
        assert_eq!(outcome, Ok(()));
        change.allocations + change.reallocations
    };

    // Warm up: the first open of `a+` compiles it and keeps its handle; the
    // reused buffers and the table's maps grow to what the loop needs.
    count(&mut store, 96, 100);
    // The counter sees every thread's allocations, and other threads of
    // the process (Wasmer's, the test harness's) allocate now and then,
    // most just after the module is compiled and first run. A host that
    // allocates per open does so on every attempt; a background thread
    // does not: the least of a few attempts is the host's.
    let least = |store: &mut Store, calls: i32| {
        (0..5)
            .map(|_| count(store, 96, calls))
            .min()
            .unwrap_or(usize::MAX)
    };
    let base = least(&mut store, 0);
    let hits = least(&mut store, 1000);
    assert_eq!(
        hits, base,
        "1,000 intern hits made {hits} allocation(s); a `run` without them makes {base}"
    );
    assert_eq!(base, 0, "a `run` alone allocated {base} times");

    // The control: an open of a key the instance does not hold copies the
    // key into the table, and the counter sees it.
    count(&mut store, 112, 10);
    let copies = count(&mut store, 112, 1000);
    assert!(
        copies >= 1000,
        "1,000 opens of a key not held made only {copies} allocations"
    );

    let counters = guest.instance().counters(&store);
    assert!(counters.intern_hits >= 1100, "{counters:?}");
}
