//! The times of criterion's `iter_custom` routines, kept by name.
//!
//! Criterion reports to the console and to its own files; a bench that
//! writes a report of ratios needs its figures back in the same process.
//! A routine records each call's total time and iteration count under a
//! name, and the report reads them after the groups: the last call's mean
//! (a sample with many iterations), the mean over every call, or the
//! median of the last few.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use criterion::Bencher;
use criterion::measurement::WallTime;

use crate::clock::in_chunks;
use crate::stats::median;

/// Recorded calls of named routines; a `static` in each bench.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use slots_bench_support::timings::Timings;
///
/// static TIMES: Timings = Timings::new();
///
/// TIMES.record("open", Duration::from_nanos(1_000), 10);
/// TIMES.record("open", Duration::from_nanos(3_000), 10);
/// assert_eq!(TIMES.latest("open"), Some(300.0));
/// assert_eq!(TIMES.overall("open"), Some(200.0));
/// assert_eq!(TIMES.latest("close"), None);
/// ```
#[derive(Debug, Default)]
pub struct Timings {
    /// Each call of a routine: (its total time, its iterations), in order.
    calls: Mutex<BTreeMap<String, Vec<(Duration, u64)>>>,
}

impl Timings {
    /// No routine recorded yet.
    pub const fn new() -> Self {
        Self {
            calls: Mutex::new(BTreeMap::new()),
        }
    }

    /// Records a call of routine `name`: `iters` iterations in `total`.
    /// Returns `total`, for `iter_custom` to return in turn.
    pub fn record(&self, name: &str, total: Duration, iters: u64) -> Duration {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.to_string())
            .or_default()
            .push((total, iters));
        total
    }

    /// Times `iters` iterations of a guest loop with
    /// [`in_chunks`] and records them as `name`:
    /// the whole body of a guest loop's `iter_custom`.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_bench_support::timings::Timings;
    ///
    /// static TIMES: Timings = Timings::new();
    /// let mut done = 0;
    /// TIMES.guest_loop("loop", 100, |n| done += n);
    /// assert_eq!(done, 100);
    /// assert!(TIMES.latest("loop").is_some());
    /// ```
    pub fn guest_loop(&self, name: &str, iters: u64, call: impl FnMut(i32)) -> Duration {
        self.record(name, in_chunks(iters, call), iters)
    }

    /// Times `iters` iterations of `routine`, each on a fresh value from
    /// `setup`, and records them as `name`. Only `routine` is timed: the
    /// setup, and dropping what `routine` returns, are not.
    ///
    /// # Examples
    ///
    /// ```
    /// use slots_bench_support::timings::Timings;
    ///
    /// let t = Timings::new();
    /// t.fresh_each("sort", 3, || vec![3, 1, 2], |mut v| {
    ///     v.sort();
    ///     v
    /// });
    /// assert!(t.latest("sort").is_some());
    /// ```
    pub fn fresh_each<T, U>(
        &self,
        name: &str,
        iters: u64,
        mut setup: impl FnMut() -> T,
        mut routine: impl FnMut(T) -> U,
    ) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let value = setup();
            let start = Instant::now();
            let left = routine(value);
            total += start.elapsed();
            drop(left);
        }
        self.record(name, total, iters)
    }

    /// The routine of a criterion benchmark of a guest loop: each call
    /// timed with [`guest_loop`](Self::guest_loop) and recorded as `name`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use slots_bench_support::timings::Timings;
    ///
    /// static TIMES: Timings = Timings::new();
    /// let mut c = criterion::Criterion::default();
    /// let mut group = c.benchmark_group("loops");
    /// group.bench_function(
    ///     "a loop of n",
    ///     TIMES.bench_loop("loop", |n| {
    ///         for i in 0..n {
    ///             std::hint::black_box(i);
    ///         }
    ///     }),
    /// );
    /// group.finish();
    /// println!("{:?} ns", TIMES.latest("loop"));
    /// ```
    pub fn bench_loop<'a>(
        &'a self,
        name: impl Into<String>,
        mut call: impl FnMut(i32) + 'a,
    ) -> impl FnMut(&mut Bencher<'_, WallTime>) + 'a {
        let name = name.into();
        move |b| b.iter_custom(|iters| self.guest_loop(&name, iters, &mut call))
    }

    /// Nanoseconds per iteration of each recorded call of `name`.
    fn per_iteration(&self, name: &str) -> Vec<f64> {
        let calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        calls.get(name).map_or_else(Vec::new, |calls| {
            calls
                .iter()
                .map(|(total, iters)| ns_per(*total, *iters))
                .collect()
        })
    }

    /// Nanoseconds per iteration of the last call of `name`: criterion's
    /// last sample, which has the most iterations.
    pub fn latest(&self, name: &str) -> Option<f64> {
        self.per_iteration(name).last().copied()
    }

    /// Nanoseconds per iteration over every call of `name`, warm-up
    /// included: criterion's mean of all it ran.
    pub fn overall(&self, name: &str) -> Option<f64> {
        let calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        let calls = calls.get(name)?;
        let total: Duration = calls.iter().map(|(t, _)| *t).sum();
        let iters: u64 = calls.iter().map(|(_, i)| *i).sum();
        Some(ns_per(total, iters))
    }

    /// The median nanoseconds per iteration of the last `calls` calls of
    /// `name`: criterion's samples, leaving out its warm-up calls (which
    /// come first, with few iterations).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use slots_bench_support::timings::Timings;
    ///
    /// let t = Timings::new();
    /// for ns in [900, 10, 30, 20] {
    ///     t.record("x", Duration::from_nanos(ns), 1);
    /// }
    /// assert_eq!(t.median_of_last("x", 3), Some(20.0));
    /// ```
    pub fn median_of_last(&self, name: &str, calls: usize) -> Option<f64> {
        let all = self.per_iteration(name);
        let last = &all[all.len().saturating_sub(calls)..];
        (!last.is_empty()).then(|| median(last))
    }
}

fn ns_per(total: Duration, iters: u64) -> f64 {
    total.as_secs_f64() * 1e9 / iters.max(1) as f64
}
