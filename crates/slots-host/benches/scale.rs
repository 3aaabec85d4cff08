//! Performance at scale: a million live handles in one instance, a thousand
//! instances on one host, and teardown, each figure measured beside its
//! baseline in this one process and reported as a ratio.
//!
//! Time per open and per method call is measured at 1k, 10k, 100k and 1M
//! live handles; memory per handle and per instance comes from probes run
//! in fresh child processes (this binary again, see `scale/probe.rs`). The
//! results go to `scale.md` and `scale.svg` under `SLOTS_BENCH_RESULTS`
//! (default `target/bench-results`) and to stdout.
//!
//! `SLOTS_BENCH_QUICK=1` shortens every measurement and scales the run
//! down (100k handles, 100 instances) for a smoke run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "scale/guest.rs"]
mod guest;
#[path = "scale/probe.rs"]
mod probe;
#[path = "scale/report.rs"]
mod report;

use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};
use slots_bench_support::estimates::{criterion_timed, quick};
use slots_bench_support::timings::Timings;
use slots_core::RawHandle;
use slots_host::Bucket;

use crate::guest::Shared;
use crate::probe::sizes;

/// Handles opened (then dropped) per chunk by the open benchmark, so the
/// table stays near its size however many iterations criterion asks for.
const CHUNK: u32 = 4096;

/// Every call of each benchmark, by key.
static TIMES: Timings = Timings::new();

/// Criterion calls a routine during warm-up, with few iterations, and then
/// once per sample; the figure is the median of the last calls, which are
/// samples (every group takes at least this many) with the most iterations.
const MEASURED_CALLS: usize = 10;

/// How big and how long a run is.
struct Mode {
    quick: bool,
    max_handles: u32,
    instances: u32,
    teardown_handles: u32,
}

impl Mode {
    fn from_env() -> Self {
        let quick = quick();
        if quick {
            Self {
                quick,
                max_handles: 100_000,
                instances: 100,
                teardown_handles: 10_000,
            }
        } else {
            Self {
                quick,
                max_handles: 1_000_000,
                instances: 1_000,
                teardown_handles: 100_000,
            }
        }
    }

    /// A full run takes 30 samples a benchmark (criterion's 100 would take
    /// an hour at a million handles); a quick one keeps the quick setting.
    fn configure(&self, group: &mut BenchmarkGroup<'_, WallTime>) {
        if !self.quick {
            group.sample_size(30);
        }
    }
}

/// Open and method call at each table size, in one instance filled a decade
/// at a time.
fn table_sizes(c: &mut Criterion, mode: &Mode) {
    let shared = Shared::new();
    let mut guest = shared.guest();
    guest.reserve(mode.max_handles + CHUNK);
    let mut group = c.benchmark_group("scale/table");
    mode.configure(&mut group);
    for size in sizes(mode.max_handles) {
        let missing = size - guest.count();
        guest.open(missing);
        assert_eq!(guest.live(), size as usize);
        let one = guest.first_handle();

        let key = format!("open.{size}");
        group.bench_function(BenchmarkId::new("open", size), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let k = left.min(u64::from(CHUNK)) as u32;
                    let start = Instant::now();
                    guest.open(k);
                    total += start.elapsed();
                    guest.drop_last(k);
                    left -= u64::from(k);
                }
                TIMES.record(&key, total, iters)
            })
        });
        group.bench_function(
            BenchmarkId::new("method on a random handle", size),
            TIMES.bench_loop(format!("method_random.{size}"), |n| {
                guest.method_random.call(&mut guest.store, n).unwrap()
            }),
        );
        group.bench_function(
            BenchmarkId::new("pick only (guest share)", size),
            TIMES.bench_loop(format!("pick.{size}"), |n| {
                std::hint::black_box(guest.pick_random.call(&mut guest.store, n).unwrap());
            }),
        );
        group.bench_function(
            BenchmarkId::new("method on one handle", size),
            TIMES.bench_loop(format!("method_one.{size}"), |n| {
                guest.method_loop.call(&mut guest.store, one, n).unwrap()
            }),
        );
        let handles: Vec<RawHandle> = guest
            .handles()
            .into_iter()
            .map(|bits| RawHandle::from_bits(bits).unwrap())
            .collect();
        let table = guest.instance.env(&guest.store).table();
        let key = format!("lookup.{size}");
        group.bench_function(
            BenchmarkId::new("table lookup alone (no Wasm)", size),
            |b| {
                b.iter_custom(|iters| {
                    let mut rng = Rng(0x2545_f491);
                    let start = Instant::now();
                    for _ in 0..iters {
                        let raw = handles[rng.below(handles.len())];
                        std::hint::black_box(table.get::<Bucket>(raw).unwrap());
                    }
                    TIMES.record(&key, start.elapsed(), iters)
                })
            },
        );
    }
    group.finish();
}

/// xorshift32, as the guest picks its handles.
struct Rng(u32);

impl Rng {
    /// An index below `n`, uniformly: `(x * n) >> 32`, no division.
    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        ((u64::from(x) * n as u64) >> 32) as usize
    }
}

/// Instantiating the guest on the slots host against Wasmer alone.
fn instantiate(c: &mut Criterion, mode: &Mode) {
    let shared = Shared::new();
    let mut group = c.benchmark_group("scale/instances");
    mode.configure(&mut group);
    group.bench_function("instantiate (slots host)", |b| {
        b.iter_custom(|iters| {
            TIMES.fresh_each(
                "instantiate.slots",
                iters,
                || shared.store(),
                |mut store| (shared.instantiate(&mut store), store),
            )
        })
    });
    group.bench_function("instantiate (bare Wasmer, stub imports)", |b| {
        b.iter_custom(|iters| {
            TIMES.fresh_each(
                "instantiate.bare",
                iters,
                || shared.store(),
                |mut store| (shared.instantiate_bare(&mut store), store),
            )
        })
    });
    group.finish();
}

/// Teardown of an instance holding many handles against one holding none:
/// `GuestInstance::teardown`, and dropping the store.
fn teardown(c: &mut Criterion, mode: &Mode) {
    let shared = Shared::new();
    let mut group = c.benchmark_group("scale/teardown");
    mode.configure(&mut group);
    group.sample_size(10);
    for handles in [mode.teardown_handles, 0] {
        let filled = || {
            let mut guest = shared.guest();
            guest.reserve(handles);
            guest.open(handles);
            guest
        };
        group.bench_function(BenchmarkId::new("teardown()", handles), |b| {
            b.iter_custom(|iters| {
                TIMES.fresh_each(
                    &format!("teardown.{handles}"),
                    iters,
                    filled,
                    |mut guest| {
                        guest.teardown();
                        guest
                    },
                )
            })
        });
        group.bench_function(BenchmarkId::new("drop the store", handles), |b| {
            b.iter_custom(|iters| {
                TIMES.fresh_each(&format!("drop_store.{handles}"), iters, filled, drop)
            })
        });
    }
    group.finish();
    assert_eq!(
        shared.host.totals().leaked(),
        0,
        "teardown left handles unreleased"
    );
}

fn main() {
    if probe::run_if_child() {
        return;
    }
    let mode = Mode::from_env();
    if mode.quick {
        println!(
            "scale: QUICK run (SLOTS_BENCH_QUICK): {} handles instead of 1,000,000, {} instances instead of 1,000, \
             teardown of {} handles instead of 100,000, short measurements",
            mode.max_handles, mode.instances, mode.teardown_handles
        );
    }
    println!("scale: probing memory in fresh processes");
    let handles_probe = probe::spawn("handles", mode.max_handles);
    let instances_probe = probe::spawn("instances", mode.instances);
    let bare_probe = probe::spawn("bare", mode.instances);

    // Criterion's own plots would take longer than the measurements; the
    // report draws the chart that matters.
    let mut c = criterion_timed(Duration::from_secs(1), Duration::from_secs(3)).without_plots();
    table_sizes(&mut c, &mode);
    instantiate(&mut c, &mode);
    teardown(&mut c, &mode);
    c.final_summary();

    report::write(&report::Run {
        quick: mode.quick,
        sizes: sizes(mode.max_handles),
        max_handles: mode.max_handles,
        instances: mode.instances,
        teardown_handles: mode.teardown_handles,
        medians: |key| TIMES.median_of_last(key, MEASURED_CALLS),
        handles_probe,
        instances_probe,
        bare_probe,
        bucket_size: std::mem::size_of::<Bucket>(),
    });
}
