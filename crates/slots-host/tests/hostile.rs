//! Hostile guests against the real `slots:host` world: every attack ends in
//! a trap or an error value naming the fault, the host lives on, victims in
//! the same store and in another store are untouched, and no handle leaks.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::thread;

use host_wasmer::{CallError, HostConfig, InstantiateError, SharedHost};
use slots_core::TableLimits;
use slots_host::{Budget, Guest, HostData, Mailbox};
use slots_test_support::exports;
use support::{Arena, assert_core_trap, assert_host_trap, guest, le_u32, passed};
use wasmer::{Module, Store, Value};

const LEN: &str = "slots:host/buckets@0.1.0#[method]bucket.len";
const NAME: &str = "slots:host/buckets@0.1.0#[method]bucket.name";
const DROP_BUCKET: &str = "slots:host/buckets@0.1.0#[resource-drop]bucket";
const DROP_PATTERN: &str = "slots:host/patterns@0.1.0#[resource-drop]pattern";
const CONSTRUCTOR: &str = "slots:host/buckets@0.1.0#[constructor]bucket";

const BAD_BUCKET: &str = "bad `bucket` handle";

/// The first handle an instance gets with the default layout: slot 0,
/// generation 1.
const FIRST: &str = "0x00100000";

/// A guest whose `run` calls `[method]bucket.len` on the handle written at
/// 1024 and returns ok.
const LEN_OF_INPUT: &str = r#"
  (func (export "run") (result i32)
    (drop (call $bucket_len (call $input (i32.const 1024))))
    (call $ok))
"#;

/// An attack: an attacker made of `body` is given `inputs` (`u32`s written
/// from 1024 up) and run, which traps in a host function naming every
/// fragment of `traps`; then the attacker holds `live` handles, when given.
struct Attack {
    body: &'static str,
    inputs: &'static [u32],
    traps: &'static [&'static str],
    live: Option<u32>,
}

impl Attack {
    /// Runs the attack in `arena`, and leaves both for further checks.
    fn run(&self, mut arena: Arena) -> (Arena, Guest<HostData>) {
        let attacker = arena.attacker(self.body);
        arena.inputs(&attacker, self.inputs);
        assert_host_trap(arena.run(&attacker), self.traps);
        if let Some(live) = self.live {
            assert_eq!(arena.live(&attacker), live, "the attacker's handles after");
        }
        (arena, attacker)
    }

    /// Runs the attack in a fresh arena; the victims and the host are
    /// unharmed.
    fn check(&self) {
        let (arena, _attacker) = self.run(Arena::new());
        arena.finish();
    }
}

/// One test per [`Attack`], named by what it shows.
macro_rules! attacks {
    ($($(#[$meta:meta])* $name:ident: $attack:expr;)*) => {
        $($(#[$meta])* #[test] fn $name() { $attack.check() })*
    };
}

// Forged, stale and misused handles.

attacks! {
    handle_zero_traps_as_a_reserved_value: Attack {
        body: LEN_OF_INPUT,
        inputs: &[0],
        traps: &[LEN, BAD_BUCKET, "handle 0x00000000 is a reserved value"],
        live: None,
    };
}

#[test]
fn handle_u32_max_traps_as_a_reserved_value_in_methods_and_drops() {
    let mut arena = Arena::new();
    let attacker = arena.attacker(
        r#"(func (export "run") (result i32)
             (drop (call $bucket_len (i32.const -1)))
             (call $ok))
           (func (export "drop") (call $bucket_drop (i32.const -1)))"#,
    );
    let reserved = "handle 0xffffffff is a reserved value";
    assert_host_trap(arena.run(&attacker), &[LEN, BAD_BUCKET, reserved]);
    assert_core_trap(arena.core(&attacker, "drop", &[]), &[DROP_BUCKET, reserved]);
    arena.finish();
}

#[test]
fn random_handles_are_rejected_by_every_kind_of_import() {
    let mut arena = Arena::new();
    // The attacker holds a bucket and a pattern of its own, so the table is
    // not empty; input 1028 picks the import.
    let attacker = arena.attacker(
        r#"(global $made (mut i32) (i32.const 0))
           (func (export "run") (result i32)
             (local $h i32)
             (if (i32.eqz (global.get $made))
               (then
                 (global.set $made (i32.const 1))
                 (drop (call $new (i32.const 64) (i32.const 5)))
                 (drop (call $open))))
             (local.set $h (call $input (i32.const 1024)))
             (block $done
               (block $pattern_drop
                 (block $source
                   (block $bucket_drop
                     (block $len
                       (br_table $len $bucket_drop $source $pattern_drop
                         (call $input (i32.const 1028))))
                     (drop (call $bucket_len (local.get $h)))
                     (br $done))
                   (call $bucket_drop (local.get $h))
                   (br $done))
                 (call $pattern_source (local.get $h) (i32.const 0))
                 (br $done))
               (call $pattern_drop (local.get $h)))
             (call $ok))"#,
    );
    let imports = [
        (LEN, "bucket"),
        (DROP_BUCKET, "bucket"),
        (
            "slots:host/patterns@0.1.0#[method]pattern.source",
            "pattern",
        ),
        (DROP_PATTERN, "pattern"),
    ];
    // xorshift32: deterministic, and far from the few handles issued.
    let mut state = 0x2545_f491_u32;
    for round in 0..64u32 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let handle = state;
        if handle == 0x0010_0000 || handle == 0x0010_0001 {
            continue;
        }
        let (import, resource) = imports[(round % 4) as usize];
        arena.inputs(&attacker, &[handle, round % 4]);
        let hex = format!("handle {handle:#010x}");
        let bad = format!("bad `{resource}` handle");
        let outcome = arena.run(&attacker);
        let why = if handle == u32::MAX || handle == 0 {
            "is a reserved value"
        } else {
            "was never issued by this table"
        };
        assert_host_trap(outcome, &[import, &bad, &hex, why]);
    }
    assert_eq!(
        arena.live(&attacker),
        2,
        "the attacker's own handles survived"
    );
    arena.finish();
}

#[test]
fn the_handle_of_another_instance_never_reaches_that_instances_object() {
    let mut arena = Arena::new();
    let (near, far) = arena.victim_handles();
    assert_eq!(
        near, 0x0010_0000,
        "each table starts at slot 0, generation 1"
    );
    assert_eq!(near, far);
    // Input 1028: 0 asks for the name of the handle at 1024 (err carries
    // it), 1 makes a bucket `beta`.
    let attacker = arena.attacker(
        r#"(func (export "run") (result i32)
             (if (call $input (i32.const 1028))
               (then
                 (drop (call $new (i32.const 72) (i32.const 4)))
                 (return (call $ok))))
             (call $bucket_name (call $input (i32.const 1024)) (i32.const 0))
             (call $err (i32.load (i32.const 0)) (i32.load (i32.const 4))))"#,
    );
    arena.inputs(&attacker, &[near as u32]);
    // With an empty table, the victims' handle names nothing.
    assert_host_trap(
        arena.run(&attacker),
        &[NAME, "handle 0x00100000 was never issued by this table"],
    );
    // Once the attacker has a bucket, the same bits name its own bucket.
    arena.inputs(&attacker, &[near as u32, 1]);
    assert!(passed(&arena.run(&attacker)));
    arena.inputs(&attacker, &[near as u32, 0]);
    assert_eq!(arena.run(&attacker).unwrap(), Err("beta".to_string()));
    arena.finish();
}

attacks! {
    a_valid_index_with_a_generation_never_issued_traps_as_never_issued: Attack {
        body: r#"(func (export "run") (result i32)
             (local $h i32)
             (local.set $h (call $new (i32.const 64) (i32.const 5)))
             ;; Slot 0, generation 2: the next generation, never issued.
             (drop (call $bucket_len (i32.add (local.get $h) (i32.const 0x100000))))
             (call $ok))"#,
        inputs: &[],
        traps: &[LEN, BAD_BUCKET, "handle 0x00200000 was never issued by this table"],
        live: Some(1),
    };

    a_handle_used_after_its_drop_traps_as_stale: Attack {
        body: r#"(func (export "run") (result i32)
             (local $h i32)
             (local.set $h (call $new (i32.const 64) (i32.const 5)))
             (call $bucket_drop (local.get $h))
             (drop (call $bucket_len (local.get $h)))
             (call $ok))"#,
        inputs: &[],
        traps: &[LEN, BAD_BUCKET, "stale handle 0x00100000: its object was dropped"],
        live: Some(0),
    };

    a_stale_handle_stays_stale_after_its_slot_is_reused: Attack {
        body: r#"(func (export "run") (result i32)
             (local $h i32)
             (local.set $h (call $new (i32.const 64) (i32.const 5)))
             (call $bucket_drop (local.get $h))
             ;; The same slot, generation 2.
             (if (i32.ne (call $new (i32.const 72) (i32.const 4)) (i32.const 0x200000))
               (then unreachable))
             (drop (call $bucket_len (local.get $h)))
             (call $ok))"#,
        inputs: &[],
        traps: &[LEN, "stale handle 0x00100000"],
        live: Some(1),
    };

    a_double_drop_traps_as_stale_naming_the_drop: Attack {
        body: r#"(func (export "run") (result i32)
             (local $h i32)
             (local.set $h (call $new (i32.const 64) (i32.const 5)))
             (call $bucket_drop (local.get $h))
             (call $bucket_drop (local.get $h))
             (call $ok))"#,
        inputs: &[],
        traps: &[DROP_BUCKET, BAD_BUCKET, "stale handle 0x00100000"],
        live: None,
    };

    an_interned_handle_dropped_more_often_than_opened_traps_as_stale: Attack {
        body: r#"(func (export "run") (result i32)
             (local $p i32)
             (local.set $p (call $open))
             (if (i32.ne (call $open) (local.get $p)) (then unreachable))
             (call $pattern_drop (local.get $p))
             ;; One reference is left: the pattern still answers.
             (drop (call $is_match (local.get $p) (i32.const 64) (i32.const 5)))
             (call $pattern_drop (local.get $p))
             (call $pattern_drop (local.get $p))
             (call $ok))"#,
        inputs: &[],
        traps: &[DROP_PATTERN, "bad `pattern` handle", "stale handle 0x00100000"],
        live: Some(0),
    };
}

#[test]
fn a_handle_of_one_resource_type_where_another_is_expected_traps_naming_both() {
    let mut arena = Arena::new();
    // Input 1024 picks the misuse: 0 a bucket as the pattern filter of
    // keys-matching, 1 a bucket dropped as a pattern, 2 a pattern as the
    // bucket of `len`, 3 a pattern given away as an owned bucket.
    let attacker = arena.attacker(
        r#"(global $b (mut i32) (i32.const 0))
           (global $p (mut i32) (i32.const 0))
           (func (export "run") (result i32)
             (if (i32.eqz (global.get $b))
               (then
                 (global.set $b (call $new (i32.const 64) (i32.const 5)))
                 (global.set $p (call $open))))
             (block $done
               (block $drain
                 (block $len
                   (block $drop
                     (block $filter
                       (br_table $filter $drop $len $drain (call $input (i32.const 1024))))
                     (call $keys_matching (global.get $b) (global.get $b) (i32.const 0))
                     (br $done))
                   (call $pattern_drop (global.get $b))
                   (br $done))
                 (drop (call $bucket_len (global.get $p)))
                 (br $done))
               (call $drain (global.get $p) (i32.const 0)))
             (call $ok))"#,
    );
    let bucket_not_pattern = "handle 0x00100000 is a `bucket`, not a `pattern`";
    let pattern_not_bucket = "handle 0x00100001 is a `pattern`, not a `bucket`";
    let misuses: [(u32, &[&str]); 4] = [
        (
            0,
            &[
                "slots:host/buckets@0.1.0#[method]bucket.keys-matching",
                "bad `pattern` handle",
                bucket_not_pattern,
            ],
        ),
        (1, &[DROP_PATTERN, bucket_not_pattern]),
        (2, &[LEN, BAD_BUCKET, pattern_not_bucket]),
        (
            3,
            &[
                "slots:host/buckets@0.1.0#drain",
                BAD_BUCKET,
                pattern_not_bucket,
            ],
        ),
    ];
    for (misuse, traps) in misuses {
        arena.inputs(&attacker, &[misuse]);
        assert_host_trap(arena.run(&attacker), traps);
    }
    assert_eq!(arena.live(&attacker), 2, "the refused calls took nothing");
    arena.finish();
}

#[test]
fn dropping_a_handle_after_lending_it_is_an_ordinary_drop() {
    let mut arena = Arena::new();
    let attacker = arena.attacker(
        r#"(global $p (mut i32) (i32.const 0))
           (func (export "run") (result i32)
             (local $b i32)
             (local.set $b (call $new (i32.const 64) (i32.const 5)))
             (call $put_kv (local.get $b))
             (global.set $p (call $open))
             ;; Lend the pattern, then drop it.
             (call $keys_matching (local.get $b) (global.get $p) (i32.const 0))
             (call $pattern_drop (global.get $p))
             (call $ok))
           (func (export "use") (result i32)
             (call $is_match (global.get $p) (i32.const 64) (i32.const 5)))"#,
    );
    assert!(passed(&arena.run(&attacker)));
    assert_eq!(arena.live(&attacker), 1, "only the bucket is left");
    assert_core_trap(
        arena.core(&attacker, "use", &[]),
        &[
            "slots:host/patterns@0.1.0#[method]pattern.is-match",
            "stale handle 0x00100001",
        ],
    );
    arena.finish();
}

#[test]
fn the_same_bucket_as_self_and_as_the_bucket_to_absorb_traps_before_taking_it() {
    let mut arena = Arena::new();
    let data = HostData::default();
    let budget = data.budget.clone();
    let attacker = arena.attacker_with(
        r#"(global $b (mut i32) (i32.const 0))
           (func (export "run") (result i32)
             (global.set $b (call $new (i32.const 64) (i32.const 5)))
             (call $put_kv (global.get $b))
             (drop (call $bucket_absorb (global.get $b) (global.get $b)))
             (call $ok))
           (func (export "len") (result i32) (call $bucket_len (global.get $b)))"#,
        data,
    );
    assert_host_trap(
        arena.run(&attacker),
        &[
            "slots:host/buckets@0.1.0#[method]bucket.absorb",
            "`own` `bucket` handle",
            FIRST,
            "also lent to this call as a `borrow`",
        ],
    );
    // Nothing was taken: the bucket and its entry are still the guest's.
    assert_eq!(arena.live(&attacker), 1);
    assert!(budget.used() > 0);
    let len = arena.core(&attacker, "len", &[]).unwrap();
    assert_eq!(len[0].unwrap_i32(), 1);
    arena.finish();
}

// Pointers, lengths and encodings.

attacks! {
    a_string_past_the_end_of_memory_traps_naming_the_pointer_and_length: Attack {
        body: r#"(func (export "run") (result i32)
             (drop (call $new (i32.const 0xffff) (i32.const 16)))
             (call $ok))"#,
        inputs: &[],
        traps: &[
            CONSTRUCTOR,
            "pointer 0xffff + length 16 is past the end of memory (65536 bytes)",
        ],
        live: Some(0),
    };
}

#[test]
fn a_pointer_and_length_that_wrap_around_2_pow_32_trap_as_out_of_bounds() {
    let mut arena = Arena::new();
    let attacker = arena.attacker(
        r#"(func (export "run") (result i32)
             (drop (call $new (i32.const 0xffffff00) (i32.const 0x200)))
             (call $ok))
           (func (export "put") (param $ptr i32) (param $len i32)
             (call $bucket_put (call $new (i32.const 64) (i32.const 5))
               (i32.const 88) (i32.const 1) (local.get $ptr) (local.get $len) (i32.const 0)))"#,
    );
    assert_host_trap(
        arena.run(&attacker),
        &[
            CONSTRUCTOR,
            "pointer 0xffffff00 + length 512 is past the end of memory",
        ],
    );
    assert_core_trap(
        arena.core(&attacker, "put", &[Value::I32(-1), Value::I32(2)]),
        &[
            "slots:host/buckets@0.1.0#[method]bucket.put",
            "pointer 0xffffffff + length 2 is past the end of memory",
        ],
    );
    arena.finish();
}

#[test]
fn lengths_over_the_canonical_abi_limits_are_refused_before_reading() {
    let mut arena = Arena::new();
    let attacker = arena.attacker(
        r#"(func (export "run") (result i32)
             (drop (call $new (i32.const 0) (i32.const 0x10000000)))
             (call $ok))
           (func (export "put") (param $len i32)
             (call $bucket_put (call $new (i32.const 64) (i32.const 5))
               (i32.const 88) (i32.const 1) (i32.const 0) (local.get $len) (i32.const 0)))"#,
    );
    assert_host_trap(
        arena.run(&attacker),
        &[
            CONSTRUCTOR,
            "string of 268435456 bytes is longer than the canonical abi limit of 268435455 bytes",
        ],
    );
    assert_core_trap(
        arena.core(&attacker, "put", &[Value::I32(-1)]),
        &[
            "#[method]bucket.put",
            "list of 4294967295 bytes is longer than the canonical abi limit",
        ],
    );
    // Within the limits but past the end of a one-page memory.
    assert_core_trap(
        arena.core(&attacker, "put", &[Value::I32(0x0fff_ffff)]),
        &[
            "#[method]bucket.put",
            "pointer 0x0 + length 268435455 is past the end",
        ],
    );
    arena.finish();
}

#[test]
fn a_misaligned_or_out_of_bounds_return_area_traps_before_anything_is_allocated() {
    let mut arena = Arena::new();
    let attacker = arena.attacker(
        r#"(func (export "run") (result i32)
             (call $bucket_name (call $new (i32.const 64) (i32.const 5)) (call $input (i32.const 1024)))
             (call $ok))"#,
    );
    for (area, fault) in [
        (1, "return area pointer 0x1 is not aligned to 4 bytes"),
        (
            0xfffc,
            "pointer 0xfffc + length 8 is past the end of memory",
        ),
    ] {
        arena.inputs(&attacker, &[area]);
        assert_host_trap(arena.run(&attacker), &[NAME, fault]);
    }
    assert_eq!(
        arena.global(&attacker, "allocs"),
        0,
        "cabi_realloc never ran"
    );
    arena.finish();
}

#[test]
fn bad_utf8_in_a_string_param_traps_naming_the_offset() {
    let mut arena = Arena::new();
    let attacker = arena.attacker(
        r#"(func (export "run") (result i32)
             (drop (call $new (i32.const 80) (i32.const 2)))
             (call $ok))
           (func (export "put") (result i32)
             (call $bucket_put (call $new (i32.const 64) (i32.const 5))
               (i32.const 1100) (i32.const 3) (i32.const 96) (i32.const 1) (i32.const 0))
             (i32.const 0))"#,
    );
    assert_host_trap(
        arena.run(&attacker),
        &[
            CONSTRUCTOR,
            "string at 0x50 (2 bytes) is not valid utf-8: bad byte at offset 0",
        ],
    );
    // A key cut in the middle of a two-byte sequence.
    arena.write(&attacker, 1100, &[b'o', b'k', 0xc3]);
    assert_core_trap(
        arena.core(&attacker, "put", &[]),
        &[
            "#[method]bucket.put",
            "string at 0x44c (3 bytes) is not valid utf-8: bad byte at offset 2",
        ],
    );
    arena.finish();
}

#[test]
fn flag_bits_past_the_last_flag_are_ignored_so_they_cannot_split_a_key() {
    let mut arena = Arena::new();
    let attacker = arena.attacker(
        r#"(func (export "run") (result i32)
             (local $p i32)
             (local.set $p (call $open))
             ;; case-insensitive (bit 0) plus every bit that names no flag.
             (call $pattern_open (i32.const 104) (i32.const 2) (i32.const -4) (i32.const 0))
             (if (i32.load8_u (i32.const 0)) (then unreachable))
             (if (i32.ne (i32.load (i32.const 4)) (local.get $p))
               (then (return (call $err (i32.const 64) (i32.const 5)))))
             (call $ok))"#,
    );
    assert!(passed(&arena.run(&attacker)));
    let counters = attacker.instance().counters(&arena.store);
    assert_eq!(counters.intern_hits, 1, "the second open was the same key");
    assert_eq!(counters.live_handles, 1);
    arena.finish();
}

#[test]
fn an_import_called_from_a_start_function_fails_instantiation_not_the_host() {
    let world = support::World::new(HostConfig::default());
    let mut store = Store::default();
    let module = world.module(
        &store,
        r#"(func $start (drop (call $new (i32.const 64) (i32.const 5))))
           (start $start)
           (func (export "run") (result i32) (call $ok))"#,
    );
    let Err(InstantiateError::Wasmer(message)) =
        world.try_instantiate(&mut store, &module, HostData::default())
    else {
        panic!("the start function's call was not refused");
    };
    assert!(message.contains(CONSTRUCTOR), "{message}");
    assert!(
        message.contains("the guest called an import before instantiation finished"),
        "{message}"
    );
    drop(store);
    assert_eq!(world.host.totals().instances, 0);
    assert_eq!(world.host.totals().leaked(), 0);
}

#[test]
fn a_failed_instantiation_is_not_counted_as_a_live_instance() {
    let world = support::World::new(HostConfig::default());
    let mut store = Store::default();
    let module = world.module(
        &store,
        r#"(func $start unreachable)
           (start $start)
           (func (export "run") (result i32) (call $ok))"#,
    );
    assert!(
        world
            .try_instantiate(&mut store, &module, HostData::default())
            .is_err()
    );
    // The store lives on, serving other instances; the failed one is not one.
    assert_eq!(world.host.totals().instances, 0);
}

// Results the host lifts from the guest's `run`.

/// A guest whose `run` returns the pointer written at 1024, after storing
/// the 12 bytes written at 1028 at 16.
const RUN_RETURNS_INPUT: &str = r#"
  (func (export "run") (result i32)
    (i64.store (i32.const 16) (i64.load (i32.const 1028)))
    (i32.store (i32.const 24) (i32.load (i32.const 1036)))
    (call $input (i32.const 1024)))
"#;

/// What `run` returns: the pointer, and the 12 bytes stored at 16 first.
type Returned = (u32, [u32; 3]);

/// Asserts that each of `returns`, by a new attacker in one arena, is an
/// ABI error of the host naming every fragment; the arena lives on.
fn assert_abi_errors(returns: &[(Returned, &[&str])]) {
    let mut arena = Arena::new();
    for ((ptr, [a, b, c]), fragments) in returns {
        let attacker = arena.attacker(RUN_RETURNS_INPUT);
        arena.inputs(&attacker, &[*ptr, *a, *b, *c]);
        let error = match arena.run(&attacker) {
            Err(error @ CallError::Abi { .. }) => error.to_string(),
            other => panic!("expected an ABI error naming {fragments:?}, got {other:?}"),
        };
        for fragment in *fragments {
            assert!(error.contains(fragment), "{fragment:?} is not in: {error}");
        }
    }
    arena.finish();
}

#[test]
fn a_result_discriminant_out_of_range_from_an_export_is_an_error() {
    let fault = ["discriminant 7 of `result", "is out of range (2 cases)"];
    assert_abi_errors(&[((16, [7, 0, 0]), &["calling `run`", fault[0], fault[1]])]);
}

#[test]
fn an_error_string_of_bad_utf8_from_an_export_is_an_error() {
    let fault = "string at 0x50 (2 bytes) is not valid utf-8";
    assert_abi_errors(&[((16, [1, 80, 2]), &["calling `run`", fault])]);
}

#[test]
fn return_pointers_of_an_export_out_of_bounds_or_misaligned_are_errors() {
    assert_abi_errors(&[
        (
            (0xffff_fff8, [0, 0, 0]),
            &[
                "calling `run`",
                "pointer 0xfffffff8 + length 12 is past the end of memory",
            ],
        ),
        (
            (17, [0, 0, 0]),
            &["return area pointer 0x11 is not aligned to 4 bytes"],
        ),
        (
            (16, [1, 0xffff_0000, 0x100]),
            &["pointer 0xffff0000 + length 256 is past the end of memory"],
        ),
        (
            (16, [1, 0, 0x1000_0000]),
            &["string of 268435456 bytes is longer than the canonical abi limit"],
        ),
    ]);
}

// A `cabi_realloc` that misbehaves while the host returns a string or list.

/// A guest whose `run` makes a bucket `alpha` holding `k = v`, sets the
/// realloc mode written at 1024, and asks for the bucket's name (0 at
/// 1028) or its entries (1); the bucket outlives the failed call.
const NAME_WITH_MODE: &str = r#"
  (func (export "run") (result i32)
    (local $b i32)
    (local.set $b (call $new (i32.const 64) (i32.const 5)))
    (call $put_kv (local.get $b))
    (global.set $target (local.get $b))
    (global.set $mode (call $input (i32.const 1024)))
    (if (call $input (i32.const 1028))
      (then (call $bucket_entries (local.get $b) (i32.const 0)))
      (else (call $bucket_name (local.get $b) (i32.const 0))))
    (global.set $mode (i32.const 0))
    (call $ok))
"#;

attacks! {
    a_cabi_realloc_returning_null_for_a_string_traps: Attack {
        body: NAME_WITH_MODE,
        inputs: &[1, 0],
        traps: &[NAME, "`cabi_realloc` returned null for an allocation of 5 bytes"],
        live: Some(1),
    };

    a_cabi_realloc_returning_a_pointer_past_the_end_traps: Attack {
        body: NAME_WITH_MODE,
        inputs: &[2, 0],
        traps: &[
            NAME,
            "`cabi_realloc` returned 0xfffffff0 for 5 bytes, past the end of memory (65536 bytes)",
        ],
        live: Some(1),
    };

    a_cabi_realloc_returning_a_misaligned_pointer_for_a_list_traps: Attack {
        body: NAME_WITH_MODE,
        inputs: &[3, 1],
        traps: &[
            "slots:host/buckets@0.1.0#[method]bucket.entries",
            "`cabi_realloc` returned 0x8001, which is not aligned to 4 bytes",
        ],
        live: Some(1),
    };

    a_trapping_cabi_realloc_traps_the_import_that_called_it: Attack {
        body: NAME_WITH_MODE,
        inputs: &[4, 0],
        traps: &[NAME, "`cabi_realloc` failed allocating 5 bytes", "unreachable"],
        live: Some(1),
    };

    a_cabi_realloc_calling_a_method_while_the_host_lowers_traps_as_re_entrant: Attack {
        body: NAME_WITH_MODE,
        inputs: &[5, 0],
        traps: &[
            NAME,
            "`cabi_realloc` failed allocating 5 bytes",
            LEN,
            "re-entrant call: the guest called the host while a host function was running",
        ],
        live: Some(1),
    };

    a_cabi_realloc_dropping_a_handle_while_the_host_lowers_traps_as_re_entrant: Attack {
        body: NAME_WITH_MODE,
        inputs: &[6, 1],
        traps: &["#[method]bucket.entries", "`cabi_realloc` failed", DROP_BUCKET, "re-entrant call"],
        live: Some(1),
    };
}

// Exhaustion.

fn small_table() -> HostConfig {
    HostConfig {
        table: TableLimits::new(1000).unwrap(),
        ..HostConfig::default()
    }
}

#[test]
fn a_guest_constructing_buckets_forever_stops_at_the_handle_quota() {
    let attack = Attack {
        body: r#"(func (export "run") (result i32)
             (loop $forever
               (drop (call $new (i32.const 0) (i32.const 0)))
               (br $forever))
             (call $ok))"#,
        inputs: &[],
        traps: &[
            CONSTRUCTOR,
            "cannot give out a `bucket` handle: handle quota exceeded: 1000 live handles is the limit",
        ],
        live: Some(1000),
    };
    let (arena, attacker) = attack.run(Arena::with(small_table()));
    let slots = attacker
        .instance()
        .env(&arena.store)
        .table()
        .slots_allocated();
    assert!(slots <= 1024, "{slots} slots for a quota of 1000");
    arena.finish();
}

#[test]
fn a_guest_opening_patterns_forever_gets_quota_exceeded_as_an_error_value() {
    let mut arena = Arena::with(small_table());
    // Opens a new pattern, named by four letters of a counter, until the
    // open fails; returns the error's message, checking it is
    // `quota-exceeded`.
    let attacker = arena.attacker(
        r#"(func (export "run") (result i32)
             (local $n i32) (local $i i32)
             (loop $forever
               (local.set $i (i32.const 0))
               (loop $letters
                 (i32.store8 (i32.add (i32.const 1024) (local.get $i))
                   (i32.add (i32.const 97)
                     (i32.and (i32.shr_u (local.get $n) (i32.shl (local.get $i) (i32.const 2))) (i32.const 15))))
                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
                 (br_if $letters (i32.lt_u (local.get $i) (i32.const 4))))
               (call $pattern_open (i32.const 1024) (i32.const 4) (i32.const 0) (i32.const 0))
               (local.set $n (i32.add (local.get $n) (i32.const 1)))
               (br_if $forever (i32.eqz (i32.load8_u (i32.const 0)))))
             ;; err(error::quota-exceeded(message))
             (if (i32.ne (i32.load8_u (i32.const 4)) (i32.const 1)) (then unreachable))
             (call $err (i32.load (i32.const 8)) (i32.load (i32.const 12))))"#,
    );
    assert_eq!(
        arena.run(&attacker).unwrap(),
        Err("handle quota exceeded: 1000 live handles is the limit".to_string())
    );
    assert_eq!(arena.live(&attacker), 1000);
    assert!(
        attacker
            .instance()
            .env(&arena.store)
            .table()
            .slots_allocated()
            <= 1024
    );
    arena.finish();
}

#[test]
fn a_bucket_growing_past_the_data_budget_gets_quota_exceeded_as_an_error_value() {
    let mut arena = Arena::new();
    let budget = Arc::new(Budget::new(64));
    let data = HostData {
        budget: budget.clone(),
        ..HostData::default()
    };
    // Two buckets share the instance's budget: 40 bytes fit, 40 more do not.
    let attacker = arena.attacker_with(
        r#"(func (export "run") (result i32)
             (local $a i32) (local $b i32)
             (local.set $a (call $new (i32.const 64) (i32.const 5)))
             (local.set $b (call $new (i32.const 72) (i32.const 4)))
             (call $bucket_put (local.get $a) (i32.const 88) (i32.const 1) (i32.const 1024) (i32.const 39) (i32.const 0))
             (if (i32.load8_u (i32.const 0)) (then unreachable))
             (call $bucket_put (local.get $b) (i32.const 88) (i32.const 1) (i32.const 1024) (i32.const 39) (i32.const 0))
             (if (i32.eqz (i32.load8_u (i32.const 0))) (then unreachable))
             ;; err(error::quota-exceeded(message)), and nothing was stored.
             (if (i32.ne (i32.load8_u (i32.const 4)) (i32.const 1)) (then unreachable))
             (if (call $bucket_len (local.get $b)) (then unreachable))
             (call $err (i32.load (i32.const 8)) (i32.load (i32.const 12))))"#,
        data,
    );
    assert_eq!(
        arena.run(&attacker).unwrap(),
        Err("bucket data: 49 of 64 bytes in use, 40 more do not fit".to_string())
    );
    assert_eq!(budget.used(), 49);
    arena.finish();
    assert_eq!(budget.used(), 0, "teardown gave every byte back");
}

// Many instances on many threads.

/// A guest that makes a bucket named by the `len` bytes at 1024 (`len` at
/// 1020), plus one more bucket per unit of the count at 1016, and opens
/// the shared pattern `a+`. `probe(h)` asks for the name of bucket `h`.
const WORKER: &str = r#"
  (func (export "run") (result i32)
    (local $b i32) (local $extra i32)
    (local.set $b (call $new (i32.const 1024) (call $input (i32.const 1020))))
    (call $put_kv (local.get $b))
    (i32.store (i32.const 2000) (local.get $b))
    (local.set $extra (call $input (i32.const 1016)))
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $extra)))
        (i32.store (i32.const 2000) (call $new (i32.const 1024) (call $input (i32.const 1020))))
        (local.set $extra (i32.sub (local.get $extra) (i32.const 1)))
        (br $more)))
    (i32.store (i32.const 2004) (call $open))
    (i32.store (i32.const 2008)
      (call $is_match (i32.load (i32.const 2004)) (i32.const 1024) (call $input (i32.const 1020))))
    (call $ok))
  (func (export "probe") (param $h i32)
    (call $bucket_name (local.get $h) (i32.const 32)))
"#;

/// What one worker instance reports: its name, its last bucket's handle,
/// its pattern's handle, whether the pattern matched its name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Report {
    name: String,
    bucket: u32,
    pattern: u32,
    matched: u32,
    /// What probing every other instance of its store with its last bucket
    /// handle found: the prober's own name, or the trap.
    probes: Vec<String>,
}

/// Runs `count` worker instances in one store, named `{prefix}-{i}`, then
/// has each probe the others with its bucket handle.
fn run_workers(
    host: &Arc<SharedHost>,
    module_bytes: &[u8],
    prefix: &str,
    count: usize,
) -> Vec<Report> {
    let mut store = Store::default();
    let module = Module::new(&store, module_bytes).unwrap();
    let mut instances = Vec::new();
    let mut reports = Vec::new();
    for i in 0..count {
        let instance: Guest<HostData> = Guest::new(
            &mut store,
            &module,
            HostData::default(),
            host.clone(),
            "tenant",
        )
        .unwrap();
        let name = format!("{prefix}-{i:02}");
        let memory = exports::memory(support::exports_of(&instance)).clone();
        let view = memory.view(&store);
        view.write(1024, name.as_bytes()).unwrap();
        view.write(1020, &(name.len() as u32).to_le_bytes())
            .unwrap();
        view.write(1016, &((i % 3) as u32).to_le_bytes()).unwrap();
        let outcome = instance.call_run(&mut store);
        assert!(passed(&outcome), "{name}: {outcome:?}");
        let mut out = [0u8; 12];
        memory.view(&store).read(2000, &mut out).unwrap();
        reports.push(Report {
            name,
            bucket: le_u32(&out, 0),
            pattern: le_u32(&out, 4),
            matched: le_u32(&out, 8),
            probes: Vec::new(),
        });
        instances.push((instance, memory));
    }
    for (i, report) in reports.iter_mut().enumerate() {
        for (j, (prober, memory)) in instances.iter().enumerate() {
            if i == j {
                continue;
            }
            let probe = exports::function(support::exports_of(prober), "probe");
            let found = match probe.call(&mut store, &[Value::I32(report.bucket as i32)]) {
                Ok(_) => {
                    let mut area = [0u8; 8];
                    memory.view(&store).read(32, &mut area).unwrap();
                    let mut name = vec![0u8; le_u32(&area, 4) as usize];
                    memory
                        .view(&store)
                        .read(u64::from(le_u32(&area, 0)), &mut name)
                        .unwrap();
                    String::from_utf8(name).unwrap()
                }
                Err(trap) => trap.message(),
            };
            let own = format!("{prefix}-{j:02}");
            assert_ne!(found, report.name, "a handle crossed instances");
            assert!(
                found == own || found.contains("bad `bucket` handle"),
                "{}'s handle {:#x} used by {own} found {found:?}",
                report.name,
                report.bucket
            );
            report.probes.push(found);
        }
    }
    for (instance, _) in &instances {
        assert_eq!(
            instance.instance().counters(&store).live_handles,
            instance.instance().env(&store).table().len() as u32
        );
    }
    reports
}

#[test]
fn many_instances_on_many_threads_never_cross_handles_and_match_a_single_threaded_run() {
    const THREADS: usize = 4;
    const PER_STORE: usize = 6;
    let module_bytes = wat::parse_str(guest(WORKER)).unwrap();

    let single = SharedHost::new(HostConfig::default());
    let expected: Vec<Vec<Report>> = (0..THREADS)
        .map(|t| run_workers(&single, &module_bytes, &format!("t{t}"), PER_STORE))
        .collect();
    assert_eq!(single.totals().instances, 0);
    assert_eq!(single.totals().leaked(), 0);
    assert_eq!(single.cache_stats().creations, 1, "one `a+` for the tenant");

    let shared = SharedHost::new(HostConfig::default());
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let host = shared.clone();
            let bytes = module_bytes.clone();
            thread::spawn(move || run_workers(&host, &bytes, &format!("t{t}"), PER_STORE))
        })
        .collect();
    let found: Vec<Vec<Report>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(found, expected);
    let totals = shared.totals();
    assert_eq!(totals.instances, 0);
    assert_eq!(totals.leaked(), 0);
    assert_eq!(totals.opened, single.totals().opened);
    assert_eq!(
        shared.cache_stats().creations,
        1,
        "concurrent opens of one key compiled it once"
    );
}

// Grants and the mailbox.

/// Where the grant and mailbox calls of these tests put their results:
/// past the 16-byte return area, 8-aligned for a `result<token, error>`.
const RET: i32 = 2048;

#[test]
fn a_guest_granting_forever_stops_at_its_tenants_grant_quota() {
    let mut arena = Arena::new();
    let attacker = arena.attacker(&format!(
        r#"(global $granted (export "granted") (mut i32) (i32.const 0))
           (func (export "run") (result i32)
             (local $p i32)
             (local.set $p (call $open))
             (block $full
               (loop $again
                 (call $grant_pattern (local.get $p) (i32.const {RET}))
                 (br_if $full (i32.load8_u (i32.const {RET})))
                 (global.set $granted (i32.add (global.get $granted) (i32.const 1)))
                 (br $again)))
             ;; err(quota-exceeded(..)): the error's case sits at offset 8.
             (if (i32.ne (i32.load8_u (i32.const {})) (i32.const 1)) (then unreachable))
             (call $ok))"#,
        RET + 8
    ));
    let outcome = arena.run(&attacker);
    assert!(passed(&outcome), "{outcome:?}");
    let limit = slots_core::GrantLimits::default().max_per_issuer;
    assert_eq!(arena.global(&attacker, "granted") as usize, limit);
    assert_eq!(arena.world.host.grants().outstanding(), limit);
    arena.finish();
}

#[test]
fn forged_tokens_are_refused_as_unknown_however_many_the_guest_tries() {
    let mut arena = Arena::new();
    let attacker = arena.attacker(&format!(
        r#"(global $refused (export "refused") (mut i32) (i32.const 0))
           (func (export "run") (result i32)
             (local $i i64)
             (loop $again
               (call $redeem_pattern (local.get $i) (i64.mul (local.get $i) (i64.const 0x9e3779b97f4a7c15)) (i32.const {RET}))
               ;; err(unknown): discriminant 1, redeem-error case 0 at offset 4.
               (if (i32.and (i32.eq (i32.load8_u (i32.const {RET})) (i32.const 1))
                            (i32.eqz (i32.load8_u (i32.const {}))))
                 (then (global.set $refused (i32.add (global.get $refused) (i32.const 1)))))
               (call $redeem_bucket (i64.const -1) (local.get $i) (i32.const {RET}))
               (if (i32.and (i32.eq (i32.load8_u (i32.const {RET})) (i32.const 1))
                            (i32.eqz (i32.load8_u (i32.const {}))))
                 (then (global.set $refused (i32.add (global.get $refused) (i32.const 1)))))
               (local.set $i (i64.add (local.get $i) (i64.const 1)))
               (br_if $again (i64.lt_u (local.get $i) (i64.const 5000))))
             (call $ok))"#,
        RET + 4,
        RET + 4
    ));
    let outcome = arena.run(&attacker);
    assert!(passed(&outcome), "{outcome:?}");
    assert_eq!(arena.global(&attacker, "refused"), 10_000);
    assert_eq!(arena.live(&attacker), 0);
    arena.finish();
}

#[test]
fn a_guest_flooding_the_mailbox_gets_error_values_and_the_inbox_stays_bounded() {
    let mut arena = Arena::new();
    let data = HostData::default();
    data.mailbox.open("victim");
    let mailbox = data.mailbox.clone();
    // 64 "victim", 72 "beta", 80 "\ff\fe" (not UTF-8 as a recipient).
    let attacker = arena.attacker_with(
        &format!(
            r#"(global $sent (export "sent") (mut i32) (i32.const 0))
               (global $errors (export "errors") (mut i32) (i32.const 0))
               (func $send_to (param $to i32) (param $len i32) (param $subject_len i32) (result i32)
                 (call $send (local.get $to) (local.get $len) (i32.const 1024) (local.get $subject_len)
                   (i32.const 0) (i64.const 0) (i64.const 0) (i32.const {RET}))
                 ;; 0 when sent, else 1 + the error's case.
                 (if (result i32) (i32.load8_u (i32.const {RET}))
                   (then (i32.add (i32.const 1) (i32.load8_u (i32.const {}))))
                   (else (i32.const 0))))
               (func (export "run") (result i32)
                 ;; An unknown tenant: not-found (case 2).
                 (if (i32.ne (call $send_to (i32.const 72) (i32.const 4) (i32.const 1)) (i32.const 3))
                   (then unreachable))
                 ;; A subject over 256 bytes: invalid (case 0).
                 (if (i32.ne (call $send_to (i32.const 112) (i32.const 6) (i32.const 300)) (i32.const 1))
                   (then unreachable))
                 (block $full
                   (loop $again
                     (br_if $full (call $send_to (i32.const 112) (i32.const 6) (i32.const 1)))
                     (global.set $sent (i32.add (global.get $sent) (i32.const 1)))
                     (br $again)))
                 ;; The full inbox: quota-exceeded (case 1).
                 (if (i32.ne (call $send_to (i32.const 112) (i32.const 6) (i32.const 1)) (i32.const 2))
                   (then unreachable))
                 (call $ok))"#,
            RET + 4
        ),
        data,
    );
    let outcome = arena.run(&attacker);
    assert!(passed(&outcome), "{outcome:?}");
    assert_eq!(
        arena.global(&attacker, "sent") as usize,
        Mailbox::DEFAULT_CAPACITY
    );
    assert_eq!(mailbox.pending("victim"), Mailbox::DEFAULT_CAPACITY);
    assert_eq!(mailbox.receive("victim").unwrap().sender, "test");
    arena.finish();
}
