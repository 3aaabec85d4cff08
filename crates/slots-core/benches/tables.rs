//! slots-core's `SlotTable` beside slotmap's `SlotMap` and generational-arena's
//! `Arena`, in one process: one criterion group per operation and size, then
//! paired ratios from the same run, then memory per live handle.
//!
//! Operations, each over `N` = 1k and 1M entries of `u64`, handles in a
//! random (seeded, identical) order for all three tables:
//! - `insert`: `N` inserts into an empty table (its growth included);
//! - `get`: `N` lookups of live handles;
//! - `remove`: `N` removals from a full table;
//! - `reuse`: `N` times, remove a handle and insert into the freed slot.
//!
//! Each timed iteration gets a table built just before it, in setup that is
//! not timed (`iter_batched`, one table per iteration).
//!
//! **Ratios.** Criterion times the three tables one after another, seconds
//! apart; on a shared virtual machine, drift between those windows moves a
//! ratio by more than the 10% the bar allows (1M tables most of all). So
//! after the groups, the bench times the same routines itself, the same way
//! (fresh table from untimed setup, one timed pass): in each round the three
//! tables run back to back, in rotating order, and the ratio of that round is
//! kept; the verdict uses the median over rounds (1,500 rounds at 1k, 25 at
//! 1M). Criterion's own ratio (its typical estimate, read from
//! `<criterion home>/<group>/<table>/new/estimates.json` of this run) is
//! printed beside it.
//!
//! Run: `cargo bench -p slots-core --bench tables`; smoke run:
//! `SLOTS_BENCH_QUICK=1 cargo bench -p slots-core --bench tables`. The
//! results also go to `tables.md` for `cargo xtask bench`
//! (`slots_bench_support::report`).

#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, BenchmarkGroup, Criterion, Throughput, measurement::WallTime};
use generational_arena::Arena;
use slotmap::{DefaultKey, SlotMap};
use slots_bench_support::estimates::{CriterionRun, criterion_timed, quick};
use slots_bench_support::report::{self, Bar, Section};
use slots_bench_support::rounds::Rounds;
use slots_core::{Handle, SlotTable};

use support::SplitMix;
use support::memory;

/// The operations a table must offer to be benchmarked here. The adapters
/// are always inlined, so that they never decide inlining differently for
/// one table than for another.
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
    #[inline(always)]
    fn put(&mut self, value: u64) -> Self::Key {
        match self.insert(value) {
            Ok(handle) => handle,
            Err(error) => panic!("{error}"),
        }
    }
    #[inline(always)]
    fn find(&self, key: Self::Key) -> Option<&u64> {
        self.get(key).ok()
    }
    #[inline(always)]
    fn take(&mut self, key: Self::Key) -> Option<u64> {
        self.remove(key).ok()
    }
}

/// `Table` for a baseline whose `insert`, `get` and `remove` already have
/// the adapters' shape (no `Result`s to unwrap).
macro_rules! baseline_table {
    ($table:ty, $key:ty, $name:literal) => {
        impl Table for $table {
            type Key = $key;
            const NAME: &'static str = $name;
            #[inline(always)]
            fn put(&mut self, value: u64) -> Self::Key {
                self.insert(value)
            }
            #[inline(always)]
            fn find(&self, key: Self::Key) -> Option<&u64> {
                self.get(key)
            }
            #[inline(always)]
            fn take(&mut self, key: Self::Key) -> Option<u64> {
                self.remove(key)
            }
        }
    };
}

baseline_table!(SlotMap<DefaultKey, u64>, DefaultKey, "slotmap");
baseline_table!(Arena<u64>, generational_arena::Index, "generational-arena");

const SIZES: [(usize, &str); 2] = [(1_000, "1k"), (1_000_000, "1M")];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Insert,
    Get,
    Remove,
    Reuse,
}

const OPS: [(Op, &str); 4] = [
    (Op::Insert, "insert"),
    (Op::Get, "get"),
    (Op::Remove, "remove"),
    (Op::Reuse, "reuse"),
];

// The routines below are never inlined, so that criterion's groups and the
// paired rounds run the very same machine code: a tight loop's speed moves
// by tens of percent with its alignment alone.

/// A table of `n` entries and its handles in the shared random order.
fn filled<T: Table>(n: usize, order: &[usize]) -> (T, Vec<T::Key>) {
    let mut table = T::default();
    let keys: Vec<T::Key> = (0..n as u64).map(|v| table.put(v)).collect();
    (table, order.iter().map(|&i| keys[i]).collect())
}

#[inline(never)]
fn insert_all<T: Table>(table: &mut T, n: usize) {
    for v in 0..n as u64 {
        black_box(table.put(v));
    }
}

#[inline(never)]
fn get_all<T: Table>(table: &T, keys: &[T::Key]) -> u64 {
    let mut sum = 0u64;
    for &key in keys {
        if let Some(value) = table.find(key) {
            sum = sum.wrapping_add(*value);
        }
    }
    sum
}

#[inline(never)]
fn remove_all<T: Table>(table: &mut T, keys: &[T::Key]) {
    for &key in keys {
        black_box(table.take(key));
    }
}

#[inline(never)]
fn reuse_all<T: Table>(table: &mut T, keys: &[T::Key]) {
    for (v, &key) in (0..).zip(keys) {
        black_box(table.take(key));
        black_box(table.put(v));
    }
}

/// One table per timed iteration: built just before, it is warm in the
/// cache, as a guest's table is (batching many small tables would time
/// cache misses on tables built long before). Criterion's two clock reads
/// per iteration add a few percent to a 1k-entry routine, the same for
/// every table.
const ONE_TABLE: BatchSize = BatchSize::PerIteration;

fn bench_table<T: Table>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    op: Op,
    n: usize,
    order: &[usize],
) {
    group.bench_function(T::NAME, |b| match op {
        // Each table is dropped before the next is made, so the allocator
        // reuses its memory instead of faulting fresh pages in.
        Op::Insert => b.iter_batched(
            T::default,
            |mut table| {
                insert_all(&mut table, n);
                table
            },
            ONE_TABLE,
        ),
        Op::Get => {
            let (table, keys) = filled::<T>(n, order);
            b.iter(|| get_all(&table, &keys));
        }
        Op::Remove => b.iter_batched(
            || filled::<T>(n, order),
            |(mut table, keys)| {
                remove_all(&mut table, &keys);
                (table, keys)
            },
            ONE_TABLE,
        ),
        Op::Reuse => b.iter_batched(
            || filled::<T>(n, order),
            |(mut table, keys)| {
                reuse_all(&mut table, &keys);
                (table, keys)
            },
            ONE_TABLE,
        ),
    });
}

fn run_groups(c: &mut Criterion) {
    for (n, label) in SIZES {
        let order = SplitMix::new(0x5107_5C0E).permutation(n);
        for (op, name) in OPS {
            let mut group = c.benchmark_group(format!("{name}-{label}"));
            group.throughput(Throughput::Elements(n as u64));
            if n > 10_000 {
                group.sample_size(10);
                if !quick() {
                    group.measurement_time(Duration::from_secs(2));
                }
            }
            bench_table::<SlotTable<u64>>(&mut group, op, n, &order);
            bench_table::<SlotMap<DefaultKey, u64>>(&mut group, op, n, &order);
            bench_table::<Arena<u64>>(&mut group, op, n, &order);
            group.finish();
        }
    }
}

/// One timed pass of `op` over a fresh table of `n`: nanoseconds per entry.
fn sample<T: Table>(op: Op, n: usize, order: &[usize]) -> f64 {
    let elapsed = match op {
        Op::Insert => {
            let mut table = T::default();
            let start = Instant::now();
            insert_all(&mut table, n);
            let elapsed = start.elapsed();
            drop(black_box(table));
            elapsed
        }
        Op::Get => {
            let (table, keys) = filled::<T>(n, order);
            let start = Instant::now();
            black_box(get_all(&table, &keys));
            start.elapsed()
        }
        Op::Remove => {
            let (mut table, keys) = filled::<T>(n, order);
            let start = Instant::now();
            remove_all(&mut table, &keys);
            start.elapsed()
        }
        Op::Reuse => {
            let (mut table, keys) = filled::<T>(n, order);
            let start = Instant::now();
            reuse_all(&mut table, &keys);
            start.elapsed()
        }
    };
    elapsed.as_secs_f64() * 1e9 / n as f64
}

/// Paired figures of one operation and size: rounds of the three tables
/// back to back, in rotating order (slots, slotmap, arena).
fn paired(op: Op, n: usize, order: &[usize], rounds: usize) -> Rounds<3> {
    Rounds::run(
        rounds,
        [
            &mut || sample::<SlotTable<u64>>(op, n, order),
            &mut || sample::<SlotMap<DefaultKey, u64>>(op, n, order),
            &mut || sample::<Arena<u64>>(op, n, order),
        ],
    )
}

const BAR: Bar = Bar::at_most(1.10);

fn report(run: &CriterionRun) {
    let mut times = report::Table::new(&[
        "operation",
        "entries",
        "slots ns/op",
        "slotmap ns/op",
        "arena ns/op",
        "slots/slotmap",
        "slots/arena",
        "criterion slots/slotmap",
        "bar",
        "verdict",
    ])
    .left(9);
    let mut misses = 0;
    for (n, label) in SIZES {
        let order = SplitMix::new(0x5107_5C0E).permutation(n);
        let rounds = match (n > 10_000, quick()) {
            (false, false) => 1_500,
            (false, true) => 200,
            (true, false) => 25,
            (true, true) => 3,
        };
        for (op, name) in OPS {
            let p = paired(op, n, &order, rounds);
            let group = format!("{name}-{label}");
            let criterion = match (
                run.typical_ns(&group, "slots"),
                run.typical_ns(&group, "slotmap"),
            ) {
                (Some(slots), Some(slotmap)) => format!("{:.3}", slots / slotmap),
                _ => "-".to_string(),
            };
            let ratio = p.ratio(0, 1).median;
            if !BAR.passes(ratio) {
                misses += 1;
            }
            times.row([
                name.to_string(),
                label.to_string(),
                format!("{:.2}", p.median(0)),
                format!("{:.2}", p.median(1)),
                format!("{:.2}", p.median(2)),
                format!("{ratio:.2}x"),
                format!("{:.2}x", p.ratio(0, 2).median),
                criterion,
                BAR.to_string(),
                BAR.verdict(ratio).to_string(),
            ]);
        }
    }

    let mut per_handle =
        report::Table::new(&["structure", "handle", "bytes per live handle", "counts"]).left(3);
    for (case, figure) in memory::CASES.iter().zip(memory::measure_all()) {
        per_handle.row([
            case.name.to_string(),
            format!("{} B", case.handle),
            figure,
            case.counts.to_string(),
        ]);
    }

    let mut md = Section::new("slots-core tables against slotmap and generational-arena");
    md.paragraph(
        "`SlotTable<u64>` beside slotmap's `SlotMap` and generational-arena's `Arena`, \
         handles in one random order, a fresh table per timed pass (built in untimed setup). \
         Times are medians of paired rounds run in the same process after the criterion \
         groups: in each round the three tables run back to back, and the ratio is the \
         median of the rounds' ratios. Criterion's own ratio from the same run is beside it \
         (its windows for the three tables are seconds apart, so drift on a shared machine \
         moves it more).",
    )
    .table(&times)
    .paragraph(&format!(
        "Memory per live handle with {} live handles, measured as the growth of the \
         resident set of a fresh process while the structure is built (objects behind an \
         `Arc` made beforehand):",
        memory::LIVE
    ))
    .table(&per_handle)
    .paragraph(&format!(
        "The bar is slots at most {BAR} slotmap's time on each operation; the verdict uses \
         the paired ratio; {misses} of {} rows miss it this run.",
        SIZES.len() * OPS.len()
    ));
    if misses > 0 {
        md.paragraph(WHY_SLOTS_PAYS_MORE);
    }
    md.paragraph(
        "Reproduce: `cargo bench -p slots-core --bench tables` (`SLOTS_BENCH_QUICK=1` for a \
         smoke run). The memory figures come from the same bench, one child process per \
         structure (Linux `/proc/self/status`).",
    );
    md.write("tables").expect("the tables fragment is written");
}

/// Where a slots table's extra instructions go, for a run that misses the
/// bar: what the code does, not a figure of any run.
const WHY_SLOTS_PAYS_MORE: &str = "A slots handle is 32 bits and its slot is checked harder \
than slotmap's, and each check costs an instruction or two that slotmap does not spend: masking \
the index out of the handle, the live-handle quota, the count of handles issued, the retirement \
check when a slot is freed (a slot never wraps its generation), and, in safe Rust with no \
unions, a look at the enum tag before a free slot is reused. A lookup is one comparison, as in \
slotmap; reuse (remove, then insert into the freed slot) pays every check at once.";

fn main() {
    if memory::run_child() {
        return;
    }
    let run = CriterionRun::start();
    let mut c = criterion_timed(Duration::from_secs(1), Duration::from_secs(3));
    run_groups(&mut c);
    c.final_summary();
    report(&run);
}
