//! Huge lengths from a hostile guest are refused before the host allocates
//! anything for them. The global allocator counts every allocation of the
//! process, so this binary holds a single test.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use support::{Arena, assert_host_trap, passed};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// More than a call's own bookkeeping, far less than any length below.
const SMALL: usize = 256 << 10;

/// `run` passes the `(ptr, len)` at 1024 to the import picked at 1032: 0
/// the bucket constructor (a string), 1 `put` (a `list<u8>` value).
const LENGTHS: &str = r#"
  (func (export "run") (result i32)
    (local $ptr i32) (local $len i32)
    (local.set $ptr (call $input (i32.const 1024)))
    (local.set $len (call $input (i32.const 1028)))
    (if (call $input (i32.const 1032))
      (then
        (call $bucket_put (call $new (i32.const 64) (i32.const 5))
          (i32.const 88) (i32.const 1) (local.get $ptr) (local.get $len) (i32.const 0)))
      (else (drop (call $new (local.get $ptr) (local.get $len)))))
    (call $ok))
"#;

#[test]
fn huge_lengths_are_refused_without_the_host_allocating_them() {
    let mut arena = Arena::new();
    let attacker = arena.attacker(LENGTHS);
    let mut attack = |ptr: u32, len: u32, list: bool| {
        let input: Vec<u8> = [ptr, len, u32::from(list)]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        arena.write(&attacker, 1024, &input);
        let region = Region::new(GLOBAL);
        let outcome = arena.run(&attacker);
        (outcome, region.change().bytes_allocated)
    };

    // The control: a name that fits is copied, and the copy is counted.
    let (outcome, allocated) = attack(4096, 60_000, false);
    assert!(passed(&outcome), "{outcome:?}");
    assert!(allocated >= 60_000, "the copy was not counted: {allocated}");

    let cases = [
        // Within the canonical ABI's limit, past the end of one page.
        (
            0,
            0x0fff_ffff,
            false,
            "pointer 0x0 + length 268435455 is past the end",
        ),
        (
            0,
            0x0fff_ffff,
            true,
            "pointer 0x0 + length 268435455 is past the end",
        ),
        // One byte past the end of memory.
        (
            1,
            65536,
            false,
            "pointer 0x1 + length 65536 is past the end",
        ),
        // Past the canonical ABI's limit.
        (
            0,
            0x1000_0000,
            false,
            "string of 268435456 bytes is longer than",
        ),
        (0, u32::MAX, true, "list of 4294967295 bytes is longer than"),
        // Wrapping around 2^32.
        (
            0xffff_0000,
            0x0fff_0000,
            true,
            "pointer 0xffff0000 + length 268369920",
        ),
    ];
    for (ptr, len, list, fault) in cases {
        let (outcome, allocated) = attack(ptr, len, list);
        let import = if list {
            "slots:host/buckets@0.1.0#[method]bucket.put"
        } else {
            "slots:host/buckets@0.1.0#[constructor]bucket"
        };
        assert_host_trap(outcome, &[import, fault]);
        assert!(
            allocated < SMALL,
            "({ptr:#x}, {len:#x}) made the host allocate {allocated} bytes"
        );
    }
    arena.finish();
}
