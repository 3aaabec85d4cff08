//! Criterion as every bench configures it, and criterion's estimates read
//! back from the files it writes.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use criterion::Criterion;
use serde::Deserialize;

/// Whether `SLOTS_BENCH_QUICK` asks for a smoke run (set, and neither empty
/// nor `0`); `cargo xtask bench --quick` sets it.
pub fn quick() -> bool {
    std::env::var_os("SLOTS_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Criterion's defaults, shortened to a smoke run when [`quick`] is set,
/// then overridden by command-line flags such as `--quick`.
///
/// # Examples
///
/// ```no_run
/// criterion::criterion_group! {
///     name = benches;
///     config = slots_bench_support::estimates::criterion();
///     targets = my_bench
/// }
/// # fn my_bench(_: &mut criterion::Criterion) {}
/// # fn main() {}
/// ```
pub fn criterion() -> Criterion {
    configured(Criterion::default())
}

/// [`criterion()`] with `warm_up` and `measurement` times for a full run.
pub fn criterion_timed(warm_up: Duration, measurement: Duration) -> Criterion {
    configured(
        Criterion::default()
            .warm_up_time(warm_up)
            .measurement_time(measurement),
    )
}

fn configured(full: Criterion) -> Criterion {
    let base = if quick() {
        full.warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(500))
            .sample_size(10)
    } else {
        full
    };
    base.configure_from_args()
}

/// Where criterion writes its results, found the way criterion finds it:
/// `CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else beside the
/// running bench binary.
pub fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Path::new(&target).join("criterion");
    }
    // A bench runs as <target>/release/deps/<name>-<hash>.
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(|t| t.join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// The part of criterion's `estimates.json` a report reads.
#[derive(Deserialize)]
struct Estimates {
    mean: Estimate,
    /// Absent (`null`) when criterion sampled in flat mode.
    slope: Option<Estimate>,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
}

/// Criterion's typical time per iteration in the text of an
/// `estimates.json`: the slope of its linear fit, or its mean where it
/// made no fit.
///
/// # Examples
///
/// ```
/// use slots_bench_support::estimates::typical;
///
/// let json = r#"{"mean":{"point_estimate":12.5,"standard_error":0.1},"slope":null}"#;
/// assert_eq!(typical(json), Some(12.5));
/// let json = r#"{"mean":{"point_estimate":12.5},"slope":{"point_estimate":11.0}}"#;
/// assert_eq!(typical(json), Some(11.0));
/// assert_eq!(typical("not json"), None);
/// ```
pub fn typical(json: &str) -> Option<f64> {
    let estimates: Estimates = serde_json::from_str(json).ok()?;
    Some(estimates.slope.unwrap_or(estimates.mean).point_estimate)
}

/// One run of criterion's groups: its estimates, and only its own (a file
/// left by an earlier run is not read).
#[derive(Clone, Debug)]
pub struct CriterionRun {
    home: PathBuf,
    since: SystemTime,
}

impl CriterionRun {
    /// A run starting now. Call it before the groups run.
    pub fn start() -> Self {
        // Criterion's file times have whole-second precision on some
        // systems.
        Self {
            home: criterion_home(),
            since: SystemTime::now() - Duration::from_secs(1),
        }
    }

    /// Criterion's typical nanoseconds per iteration of `group/function`,
    /// if this run measured it.
    pub fn typical_ns(&self, group: &str, function: &str) -> Option<f64> {
        let file = self
            .home
            .join(group)
            .join(function)
            .join("new/estimates.json");
        let modified = std::fs::metadata(&file).ok()?.modified().ok()?;
        if modified < self.since {
            return None;
        }
        typical(&std::fs::read_to_string(file).ok()?)
    }
}
