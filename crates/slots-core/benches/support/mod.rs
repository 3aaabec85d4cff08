//! Helpers shared by the slots-core benches: a seeded shuffle, the
//! quick-mode switch, the memory probe, and the fragment `cargo xtask bench`
//! gathers into BENCHMARKS.md.

#![allow(dead_code, reason = "each bench uses a part")]

pub(crate) mod memory;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use criterion::Criterion;

/// A splitmix64 generator: deterministic, so every table sees the same order.
pub(crate) struct SplitMix(u64);

impl SplitMix {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A random permutation of `0..n` (Fisher-Yates).
    pub(crate) fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        order
    }
}

/// Whether `SLOTS_BENCH_QUICK` asks for a smoke run.
pub(crate) fn quick() -> bool {
    std::env::var_os("SLOTS_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Criterion configured for this machine, shortened when [`quick`] is set,
/// then overridden by command-line flags such as `--quick`.
pub(crate) fn criterion() -> Criterion {
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

/// Writes `text` as the markdown fragment `name` for `cargo xtask bench`,
/// into `$SLOTS_BENCH_RESULTS` or else `target/bench-results`.
pub(crate) fn write_fragment(name: &str, text: &str) {
    let dir = std::env::var_os("SLOTS_BENCH_RESULTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-results")
        });
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(name), text);
    }
}

/// Where criterion writes its results, found the way criterion finds it.
pub(crate) fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Path::new(&target).join("criterion");
    }
    // A bench runs as <target>/release/deps/<name>-<hash>.
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .nth(3)
                .map(|target| target.join("criterion"))
        })
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// The point estimate of `which` ("slope", "mean") in an estimates.json.
fn point_estimate(json: &str, which: &str) -> Option<f64> {
    let rest = &json[json.find(&format!("\"{which}\":"))? + which.len() + 3..];
    if rest.trim_start().starts_with("null") {
        return None;
    }
    let rest = &rest[rest.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = rest.find([',', '}'])?;
    rest[..end].trim().parse().ok()
}

/// Criterion's typical time per iteration for `group/table`, if this run
/// measured it.
pub(crate) fn measured(home: &Path, group: &str, table: &str, since: SystemTime) -> Option<f64> {
    let file = home.join(group).join(table).join("new/estimates.json");
    let modified = std::fs::metadata(&file).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let json = std::fs::read_to_string(file).ok()?;
    point_estimate(&json, "slope").or_else(|| point_estimate(&json, "mean"))
}
