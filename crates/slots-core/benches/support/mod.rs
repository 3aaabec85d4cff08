//! Helpers shared by the slots-core benches: a seeded shuffle and the quick-mode switch.

use std::time::Duration;

use criterion::Criterion;

/// A splitmix64 generator: deterministic, so every table sees the same order.
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A random permutation of `0..n` (Fisher-Yates).
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        order
    }
}

/// Whether `SLOTS_BENCH_QUICK` asks for a smoke run.
pub fn quick() -> bool {
    std::env::var_os("SLOTS_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Criterion configured for this machine, shortened when [`quick`] is set,
/// then overridden by command-line flags such as `--quick`.
pub fn criterion() -> Criterion {
    let base = if quick() {
        Criterion::default()
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(500))
            .sample_size(10)
    } else {
        Criterion::default()
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
    };
    base.configure_from_args()
}
