//! slots-core's `SlotTable` beside slotmap's `SlotMap` and generational-arena's
//! `Arena`, one criterion group per operation and size, then the ratios.
//!
//! Operations, each over `N` = 1k and 1M entries of `u64`, handles in a
//! random (seeded, identical) order for all three tables:
//! - `insert`: `N` inserts into an empty table (its growth included);
//! - `get`: `N` lookups of live handles;
//! - `remove`: `N` removals from a full table;
//! - `reuse`: `N` times, remove a handle and insert into the freed slot.
//!
//! Tables are built in `iter_batched` setup, which criterion does not time.
//! After the groups, the bench reads criterion's own results from this run
//! (`<criterion home>/<group>/<table>/new/estimates.json`, the typical
//! estimate: slope when criterion sampled linearly, else mean, the figure it
//! prints as `time:`) and prints slots/slotmap and slots/arena per group.
//! Results older than this run are not used.
//!
//! Run: `cargo bench -p slots-core --bench tables`; smoke run:
//! `SLOTS_BENCH_QUICK=1 cargo bench -p slots-core --bench tables`.

#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, BenchmarkGroup, Criterion, Throughput, measurement::WallTime};
use generational_arena::Arena;
use slotmap::{DefaultKey, SlotMap};
use slots_core::{Handle, SlotTable};

use support::SplitMix;

/// The operations a table must offer to be benchmarked here.
trait Table: Default {
    type Key: Copy;
    const NAME: &'static str;
    fn put(&mut self, value: u64) -> Self::Key;
    fn find(&self, key: Self::Key) -> Option<&u64>;
    fn take(&mut self, key: Self::Key) -> Option<u64>;
}

impl Table for SlotTable<u64> {
    type Key = Handle<u64>;
    const NAME: &'static str = "slots";
    #[inline]
    fn put(&mut self, value: u64) -> Self::Key {
        match self.insert(value) {
            Ok(handle) => handle,
            Err(error) => panic!("{error}"),
        }
    }
    #[inline]
    fn find(&self, key: Self::Key) -> Option<&u64> {
        self.get(key).ok()
    }
    #[inline]
    fn take(&mut self, key: Self::Key) -> Option<u64> {
        self.remove(key).ok()
    }
}

impl Table for SlotMap<DefaultKey, u64> {
    type Key = DefaultKey;
    const NAME: &'static str = "slotmap";
    #[inline]
    fn put(&mut self, value: u64) -> Self::Key {
        self.insert(value)
    }
    #[inline]
    fn find(&self, key: Self::Key) -> Option<&u64> {
        self.get(key)
    }
    #[inline]
    fn take(&mut self, key: Self::Key) -> Option<u64> {
        self.remove(key)
    }
}

impl Table for Arena<u64> {
    type Key = generational_arena::Index;
    const NAME: &'static str = "generational-arena";
    #[inline]
    fn put(&mut self, value: u64) -> Self::Key {
        self.insert(value)
    }
    #[inline]
    fn find(&self, key: Self::Key) -> Option<&u64> {
        self.get(key)
    }
    #[inline]
    fn take(&mut self, key: Self::Key) -> Option<u64> {
        self.remove(key)
    }
}

const SIZES: [(usize, &str); 2] = [(1_000, "1k"), (1_000_000, "1M")];
const OPERATIONS: [&str; 4] = ["insert", "get", "remove", "reuse"];

/// A table of `n` entries and its handles in the shared random order.
fn filled<T: Table>(n: usize, order: &[usize]) -> (T, Vec<T::Key>) {
    let mut table = T::default();
    let keys: Vec<T::Key> = (0..n as u64).map(|v| table.put(v)).collect();
    (table, order.iter().map(|&i| keys[i]).collect())
}

fn bench_insert<T: Table>(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    group.bench_function(T::NAME, |b| {
        b.iter_batched(
            T::default,
            |mut table| {
                for v in 0..n as u64 {
                    black_box(table.put(v));
                }
                table
            },
            // Each table is dropped before the next is made, so the
            // allocator reuses its memory instead of faulting fresh pages in.
            batch_size(n),
        );
    });
}

fn bench_get<T: Table>(group: &mut BenchmarkGroup<'_, WallTime>, n: usize, order: &[usize]) {
    let (table, keys) = filled::<T>(n, order);
    group.bench_function(T::NAME, |b| {
        b.iter(|| {
            let mut sum = 0u64;
            for &key in &keys {
                if let Some(value) = table.find(key) {
                    sum = sum.wrapping_add(*value);
                }
            }
            sum
        });
    });
}

fn bench_remove<T: Table>(group: &mut BenchmarkGroup<'_, WallTime>, n: usize, order: &[usize]) {
    group.bench_function(T::NAME, |b| {
        b.iter_batched(
            || filled::<T>(n, order),
            |(mut table, keys)| {
                for &key in &keys {
                    black_box(table.take(key));
                }
                (table, keys)
            },
            batch_size(n),
        );
    });
}

fn bench_reuse<T: Table>(group: &mut BenchmarkGroup<'_, WallTime>, n: usize, order: &[usize]) {
    group.bench_function(T::NAME, |b| {
        b.iter_batched(
            || filled::<T>(n, order),
            |(mut table, keys)| {
                for (v, &key) in keys.iter().enumerate() {
                    black_box(table.take(key));
                    black_box(table.put(v as u64));
                }
                (table, keys)
            },
            batch_size(n),
        );
    });
}

/// One table per timed iteration, even of 1k entries: built just before,
/// it is warm in the cache, as a guest's table is. Batching many small
/// tables would time cache misses on tables built long before instead.
/// Criterion's two clock reads per iteration (tens of nanoseconds) add
/// under 3% to a 1k-entry routine, the same for every table.
fn batch_size(_n: usize) -> BatchSize {
    BatchSize::PerIteration
}

fn run_groups(c: &mut Criterion) {
    for (n, label) in SIZES {
        let order = SplitMix::new(0x5107_5C0E).permutation(n);
        for op in OPERATIONS {
            let mut group = c.benchmark_group(format!("{op}-{label}"));
            group.throughput(Throughput::Elements(n as u64));
            if n > 10_000 {
                group.sample_size(10);
                if !support::quick() {
                    group.measurement_time(Duration::from_secs(2));
                }
            }
            match op {
                "insert" => {
                    bench_insert::<SlotTable<u64>>(&mut group, n);
                    bench_insert::<SlotMap<DefaultKey, u64>>(&mut group, n);
                    bench_insert::<Arena<u64>>(&mut group, n);
                }
                "get" => {
                    bench_get::<SlotTable<u64>>(&mut group, n, &order);
                    bench_get::<SlotMap<DefaultKey, u64>>(&mut group, n, &order);
                    bench_get::<Arena<u64>>(&mut group, n, &order);
                }
                "remove" => {
                    bench_remove::<SlotTable<u64>>(&mut group, n, &order);
                    bench_remove::<SlotMap<DefaultKey, u64>>(&mut group, n, &order);
                    bench_remove::<Arena<u64>>(&mut group, n, &order);
                }
                _ => {
                    bench_reuse::<SlotTable<u64>>(&mut group, n, &order);
                    bench_reuse::<SlotMap<DefaultKey, u64>>(&mut group, n, &order);
                    bench_reuse::<Arena<u64>>(&mut group, n, &order);
                }
            }
            group.finish();
        }
    }
}

/// Where criterion writes its results, found the way criterion finds it.
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Path::new(&target).join("criterion");
    }
    // The bench runs as <target>/release/deps/tables-<hash>.
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

/// Criterion's typical time per iteration for `group/table`, if this run made it.
fn measured(home: &Path, group: &str, table: &str, since: SystemTime) -> Option<f64> {
    let file = home.join(group).join(table).join("new/estimates.json");
    let modified = std::fs::metadata(&file).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let json = std::fs::read_to_string(file).ok()?;
    point_estimate(&json, "slope").or_else(|| point_estimate(&json, "mean"))
}

fn print_ratios(since: SystemTime) {
    let home = criterion_home();
    println!();
    println!(
        "slots-core vs slotmap and generational-arena, this run ({})",
        home.display()
    );
    println!("bar: slots/slotmap <= 1.10");
    println!(
        "{:<12} {:>12} {:>12} {:>12} {:>14} {:>12}  bar",
        "group", "slots ns/op", "slotmap", "arena", "slots/slotmap", "slots/arena"
    );
    for (n, label) in SIZES {
        for op in OPERATIONS {
            let group = format!("{op}-{label}");
            let time = |table: &str| measured(&home, &group, table, since).map(|t| t / n as f64);
            let (Some(slots), Some(slotmap), Some(arena)) = (
                time(<SlotTable<u64> as Table>::NAME),
                time(<SlotMap<DefaultKey, u64> as Table>::NAME),
                time(<Arena<u64> as Table>::NAME),
            ) else {
                println!("{group:<12} (not measured in this run)");
                continue;
            };
            let ratio = slots / slotmap;
            println!(
                "{group:<12} {slots:>12.2} {slotmap:>12.2} {arena:>12.2} {ratio:>14.3} {:>12.3}  {}",
                slots / arena,
                if ratio <= 1.10 { "pass" } else { "MISS" }
            );
        }
    }
}

fn main() {
    // Criterion's file times have whole-second precision on some systems.
    let since = SystemTime::now() - Duration::from_secs(1);
    let mut c = support::criterion();
    run_groups(&mut c);
    c.final_summary();
    print_ratios(since);
}
