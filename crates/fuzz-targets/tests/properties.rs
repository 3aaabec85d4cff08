//! The fuzz targets on random bytes, without a fuzzer: every `cargo xtask
//! test` runs them, so a regression shows without a fuzzing session.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use slots_fuzz_targets::{import_calls, table_ops};

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn table_operations_agree_with_the_model(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        table_ops(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_import_calls_never_panic_nor_leak(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        import_calls(&data);
    }
}

/// The random inputs reach the host: across a fixed set of them, calls are
/// made, some succeed and some trap. Without this, a harness that called
/// nothing would pass the property above.
#[test]
fn random_inputs_make_calls_that_succeed_and_calls_that_trap() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut total = slots_fuzz_targets::Calls::default();
    for _ in 0..64 {
        let data: Vec<u8> = (0..2048)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let calls = import_calls(&data);
        total.made += calls.made;
        total.trapped += calls.trapped;
    }
    eprintln!("{total:?}");
    assert!(total.made >= 200, "{total:?}");
    assert!(total.trapped > 0 && total.trapped < total.made, "{total:?}");
}
