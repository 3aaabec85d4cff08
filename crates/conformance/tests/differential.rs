//! Lift/lower, differentially: random values of random WIT types through
//! host-wasmer's canonical ABI and through wasmtime's, compared (see
//! `slots_conformance::differential` for what is compared).
//!
//! Two ways to choose the types and values, one generator
//! (`slots_conformance::random_types`): 200 seeds, each a type and a value,
//! and random bytes read as the `lift_lower` fuzz target reads them.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use proptest::prelude::*;
use slots_conformance::differential::{Case, Compiled, Engines};
use slots_conformance::random_types::{Defs, Rng, Value, ty, value, wit};

/// Cases run; each is one random type and one random value of it.
const CASES: u64 = 200;

#[test]
fn random_values_of_random_types_cross_both_hosts_byte_for_byte_alike() {
    // Bytes the hosts allocated in the guest and wrote, compared: so that
    // the test shows it compared something (strings, lists, spilled
    // parameters all land on the heap).
    let engines = Engines::new();
    let mut allocated = 0;
    for seed in 0..CASES {
        let mut rng = Rng::new(seed);
        let mut defs = Defs::default();
        let ty = ty(&mut rng, 1 + (seed % 3) as u32, &mut defs);
        let value: Value = value(&mut rng, &ty);
        let case = Case::new(Case::wit(&ty, &defs)).unwrap();
        let compiled = Compiled::new(&engines, &case).unwrap();
        match compiled.cross(&engines, &value) {
            Ok(bytes) => allocated += bytes,
            Err(difference) => panic!("{difference}\nseed {seed}, type {}\n{}", wit(&ty), case.wit),
        }
    }
    eprintln!("{allocated} bytes of guest heap written by the hosts, compared");
    assert!(allocated > 1_000, "only {allocated} bytes compared");
}

/// A compiled case crosses many values, each in a fresh store: what the
/// fuzz target relies on to compile each type once.
#[test]
fn one_compiled_case_crosses_many_values() {
    let engines = Engines::new();
    let mut rng = Rng::new(7);
    let mut defs = Defs::default();
    let ty = ty(&mut rng, 3, &mut defs);
    let compiled = Compiled::new(&engines, &Case::new(Case::wit(&ty, &defs)).unwrap()).unwrap();
    for _ in 0..20 {
        let value = value(&mut rng, &ty);
        compiled.cross(&engines, &value).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("regressions"),
        )),
        ..ProptestConfig::default()
    })]

    /// The fuzz target's body on random bytes: without a corpus, without
    /// libFuzzer, so that a regression shows in every `cargo xtask test`.
    #[test]
    fn random_bytes_cross_both_hosts_alike(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        slots_conformance::lift_lower(&data);
    }
}

/// The fuzz target compiles each of its types once, whatever the value:
/// the first two bytes choose the type, the rest are the value.
#[test]
fn the_fuzz_target_compiles_each_type_once() {
    let before = slots_conformance::lift_lower::stats();
    let input = [7u8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    slots_conformance::lift_lower(&input);
    let mut other_value = input;
    other_value[13] ^= 0xff;
    slots_conformance::lift_lower(&other_value);
    slots_conformance::lift_lower(&input[..5]);
    let after = slots_conformance::lift_lower::stats();
    assert_eq!(after.inputs - before.inputs, 3);
    assert_eq!(after.compiled - before.compiled, 1, "{after:?}");
}
