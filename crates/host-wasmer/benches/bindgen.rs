//! Generated bindings against hand-written Wasmer imports: the same guest
//! loops on the same slots-core `ResourceTable`, each side measured in this
//! one process, ratios printed and written for BENCHMARKS.md.
//!
//! The verdicts rest on paired rounds, not on criterion's groups: on a
//! shared machine a slow spell lasting a second falls on one side of a
//! group and flips the ratio. Each round runs both sides for about a
//! millisecond, back to back, in alternating order, timed by the thread's
//! CPU time (so a round in which another process took the core is not
//! charged for the wait), and the figure is the median of the rounds'
//! ratios; criterion's means (wall clock) are printed beside it.
//!
//! `SLOTS_BENCH_QUICK=1` shortens every measurement for a smoke run.
//! `SLOTS_BINDGEN_PROFILE=<side>:<loop>:<calls>` (side `floor`, `hand`,
//! `fallible` or `gen`; loop `constant`, `method` or `lifecycle`) runs that one loop and
//! exits, for `valgrind --tool=callgrind`: two runs with different call
//! counts give the instructions of one call.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::Criterion;
use host_wasmer::bindings::Caller;
use host_wasmer::{Ctx, HostConfig, HostError, SlotsHost};
use slots_core::{Borrowed, RawHandle, Resource, ResourceTable};
use wasmer::{
    Function, FunctionEnv, FunctionEnvMut, Imports, Instance, Module, RuntimeError, Store,
    TypedFunction,
};

host_wasmer::bindgen!({
    inline: "package bench:calls;
             interface api {
                 constant: func() -> u32;
                 resource thing {
                     constructor(n: u32);
                     len: func() -> u32;
                 }
             }
             world bench { import api; }",
    world: "bench",
    with: { "thing": Thing },
});

use bench::calls::api;

const MODULE: &str = "bench:calls/api";

/// The guest: loops over each import, so that one call from the host
/// measures many imports.
const GUEST: &str = r#"(module
  (import "bench:calls/api" "constant" (func $constant (result i32)))
  (import "bench:calls/api" "[constructor]thing" (func $new (param i32) (result i32)))
  (import "bench:calls/api" "[method]thing.len" (func $len (param i32) (result i32)))
  (import "bench:calls/api" "[resource-drop]thing" (func $drop (param i32)))
  (memory (export "memory") 1)
  (func (export "constant-loop") (param $n i32)
    (loop $l
      (drop (call $constant))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
  (func (export "method-loop") (param $h i32) (param $n i32)
    (loop $l
      (drop (call $len (local.get $h)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
  (func (export "lifecycle-loop") (param $n i32) (local $h i32)
    (loop $l
      (local.set $h (call $new (i32.const 3)))
      (drop (call $len (local.get $h)))
      (call $drop (local.get $h))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
  (func (export "new") (param i32) (result i32) (call $new (local.get 0))))"#;

/// The host type behind `thing`.
pub struct Thing(u32);

impl Resource for Thing {
    const NAME: &'static str = "thing";
}

/// The generated side's per-instance data.
pub struct Data;

impl api::Host for Data {
    fn constant(_: &mut Ctx<'_, Self>) -> Result<u32, HostError> {
        Ok(7)
    }
}

impl api::HostThing for Data {
    fn new(_: &mut Ctx<'_, Self>, n: u32) -> Result<Thing, HostError> {
        Ok(Thing(n))
    }

    fn len(_: &mut Caller<'_, Self>, this: Borrowed<'_, Thing>) -> Result<u32, HostError> {
        Ok(this.0)
    }
}

/// The hand-written side's environment: the same table.
struct Env {
    table: ResourceTable<String>,
}

fn raw(h: i32) -> Result<RawHandle, RuntimeError> {
    RawHandle::from_bits(h as u32).ok_or_else(|| RuntimeError::new("reserved handle"))
}

fn trap(error: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::new(error.to_string())
}

/// The guest's loops on one side.
struct Loops {
    store: Store,
    constant: TypedFunction<i32, ()>,
    method: TypedFunction<(i32, i32), ()>,
    lifecycle: TypedFunction<i32, ()>,
    thing: i32,
}

impl Loops {
    fn from(mut store: Store, instance: &Instance) -> Self {
        let exports = &instance.exports;
        let new: TypedFunction<i32, i32> = exports.get_typed_function(&store, "new").unwrap();
        let thing = new.call(&mut store, 5).unwrap();
        Self {
            constant: exports.get_typed_function(&store, "constant-loop").unwrap(),
            method: exports.get_typed_function(&store, "method-loop").unwrap(),
            lifecycle: exports
                .get_typed_function(&store, "lifecycle-loop")
                .unwrap(),
            thing,
            store,
        }
    }

    /// The guest on imports from `bindgen!`.
    fn generated() -> (Self, Bench<Data>) {
        let mut store = Store::default();
        let module = Module::new(&store, wat::parse_str(GUEST).unwrap()).unwrap();
        let guest = Bench::new(
            &mut store,
            &module,
            Data,
            SlotsHost::new(HostConfig::default()),
            "bench",
        )
        .unwrap();
        let wasmer = guest.instance().wasmer().clone();
        (Self::from(store, &wasmer), guest)
    }

    /// The guest on hand-written typed imports, with the constant `kind`.
    fn hand_written(kind: Constant) -> Self {
        let mut store = Store::default();
        let module = Module::new(&store, wat::parse_str(GUEST).unwrap()).unwrap();
        let env = FunctionEnv::new(
            &mut store,
            Env {
                table: ResourceTable::new(),
            },
        );
        let constant = match kind {
            Constant::Floor => Function::new_typed(&mut store, || 7i32),
            Constant::ReadsEnv => {
                Function::new_typed_with_env(&mut store, &env, |env: FunctionEnvMut<'_, Env>| {
                    std::hint::black_box(env.data());
                    7i32
                })
            }
            Constant::Fallible => Function::new_typed_with_env(
                &mut store,
                &env,
                |env: FunctionEnvMut<'_, Env>| -> Result<i32, RuntimeError> {
                    std::hint::black_box(env.data());
                    Ok(7)
                },
            ),
        };
        let new = Function::new_typed_with_env(
            &mut store,
            &env,
            |mut env: FunctionEnvMut<'_, Env>, n: i32| -> Result<i32, RuntimeError> {
                let handle = env.data_mut().table.insert(Thing(n as u32)).map_err(trap)?;
                Ok(handle.to_bits() as i32)
            },
        );
        let len = Function::new_typed_with_env(
            &mut store,
            &env,
            |env: FunctionEnvMut<'_, Env>, h: i32| -> Result<i32, RuntimeError> {
                let thing = env.data().table.get::<Thing>(raw(h)?).map_err(trap)?;
                Ok(thing.0 as i32)
            },
        );
        let drop = Function::new_typed_with_env(
            &mut store,
            &env,
            |mut env: FunctionEnvMut<'_, Env>, h: i32| -> Result<(), RuntimeError> {
                env.data_mut()
                    .table
                    .release::<Thing>(raw(h)?)
                    .map_err(trap)?;
                Ok(())
            },
        );
        let mut imports = Imports::new();
        imports.define(MODULE, "constant", constant);
        imports.define(MODULE, "[constructor]thing", new);
        imports.define(MODULE, "[method]thing.len", len);
        imports.define(MODULE, "[resource-drop]thing", drop);
        let instance = Instance::new(&mut store, &module, &imports).unwrap();
        Self::from(store, &instance)
    }
}

/// The hand-written constant import of one side.
#[derive(Clone, Copy)]
enum Constant {
    /// A typed import that does not read its environment: the floor.
    Floor,
    /// Reads its environment, as every slots import must.
    ReadsEnv,
    /// Reads its environment and returns a `Result`, as an import that can
    /// fail (every generated one) must.
    Fallible,
}

/// A guest loop: one import called over and over.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Constant,
    Method,
    Lifecycle,
}

impl Op {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "constant" => Self::Constant,
            "method" => Self::Method,
            "lifecycle" => Self::Lifecycle,
            _ => return None,
        })
    }

    /// Calls per paired round: about a millisecond on each side.
    fn round_calls(self) -> u32 {
        match self {
            Self::Constant | Self::Method => 20_000,
            Self::Lifecycle => 8_000,
        }
    }
}

impl Loops {
    /// `n` calls of `op`'s import, from one call into the guest.
    fn run(&mut self, op: Op, n: u32) {
        let n = n as i32;
        match op {
            Op::Constant => self.constant.call(&mut self.store, n).unwrap(),
            Op::Method => self.method.call(&mut self.store, self.thing, n).unwrap(),
            Op::Lifecycle => self.lifecycle.call(&mut self.store, n).unwrap(),
        }
    }

    /// ns of CPU time per call of `n` calls of `op`.
    fn per_call(&mut self, op: Op, n: u32) -> f64 {
        let start = cpu_now();
        self.run(op, n);
        (cpu_now() - start).as_secs_f64() * 1e9 / f64::from(n)
    }
}

/// The calling thread's CPU time: what it ran, not the time it waited
/// while other processes of a shared machine ran. Elsewhere than Linux,
/// the wall clock.
fn cpu_now() -> Duration {
    #[cfg(target_os = "linux")]
    if let Ok(now) = nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID.now() {
        return Duration::from(now);
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// The three sides, in one process.
struct Sides {
    floor: Loops,
    hand: Loops,
    fallible: Loops,
    generated: Loops,
    /// Keeps the generated instance (and its teardown) alive.
    _guest: Bench<Data>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Floor,
    Hand,
    Fallible,
    Generated,
}

impl Side {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "floor" => Self::Floor,
            "hand" => Self::Hand,
            "fallible" => Self::Fallible,
            "gen" => Self::Generated,
            _ => return None,
        })
    }
}

impl Sides {
    fn new() -> Self {
        let (generated, guest) = Loops::generated();
        Self {
            floor: Loops::hand_written(Constant::Floor),
            hand: Loops::hand_written(Constant::ReadsEnv),
            fallible: Loops::hand_written(Constant::Fallible),
            generated,
            _guest: guest,
        }
    }

    fn side(&mut self, side: Side) -> &mut Loops {
        match side {
            Side::Floor => &mut self.floor,
            Side::Hand => &mut self.hand,
            Side::Fallible => &mut self.fallible,
            Side::Generated => &mut self.generated,
        }
    }
}

/// One bar: `ours` against `base`, both measured on `op`.
struct Comparison {
    label: &'static str,
    ours: (Side, Op),
    base: (Side, Op),
    /// The bar, or none for a row that only explains another.
    bar: Option<f64>,
    /// criterion's names of the two sides, for their means.
    names: (&'static str, &'static str),
}

const COMPARISONS: [Comparison; 5] = [
    Comparison {
        label: "constant import",
        ours: (Side::Generated, Op::Constant),
        base: (Side::Hand, Op::Constant),
        bar: Some(1.05),
        names: (
            "generated constant",
            "hand-written constant reading its env",
        ),
    },
    Comparison {
        label: "method on a handle",
        ours: (Side::Generated, Op::Method),
        base: (Side::Hand, Op::Method),
        bar: Some(1.10),
        names: ("generated method", "hand-written method"),
    },
    Comparison {
        label: "constructor + method + drop",
        ours: (Side::Generated, Op::Lifecycle),
        base: (Side::Hand, Op::Lifecycle),
        bar: Some(1.10),
        names: (
            "generated constructor + method + drop",
            "hand-written constructor + method + drop",
        ),
    },
    Comparison {
        label: "hand-written method against the floor",
        ours: (Side::Hand, Op::Method),
        base: (Side::Floor, Op::Constant),
        bar: Some(1.5),
        names: (
            "hand-written method",
            "floor: typed import returning a constant",
        ),
    },
    Comparison {
        label: "(no bar) generated constant against a hand-written fallible one",
        ours: (Side::Generated, Op::Constant),
        base: (Side::Fallible, Op::Constant),
        bar: None,
        names: (
            "generated constant",
            "hand-written constant returning a Result",
        ),
    },
];

/// What the paired rounds of one comparison found.
struct Paired {
    ours: f64,
    base: f64,
    ratio: f64,
    /// The first and third quartiles of the rounds' ratios.
    spread: (f64, f64),
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[at]
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

/// `rounds` paired rounds of `c`: both sides back to back, the order
/// alternating, so that neither always runs on a warmer cache or right
/// after the other's slow spell.
fn paired(sides: &mut Sides, c: &Comparison, rounds: usize) -> Paired {
    let n = c.ours.1.round_calls().min(c.base.1.round_calls());
    let (mut ours, mut base, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    // Warm both sides (code, caches, the table's free list) first.
    sides.side(c.ours.0).run(c.ours.1, n);
    sides.side(c.base.0).run(c.base.1, n);
    for round in 0..rounds {
        let (a, b) = if round % 2 == 0 {
            let a = sides.side(c.ours.0).per_call(c.ours.1, n);
            (a, sides.side(c.base.0).per_call(c.base.1, n))
        } else {
            let b = sides.side(c.base.0).per_call(c.base.1, n);
            (sides.side(c.ours.0).per_call(c.ours.1, n), b)
        };
        ours.push(a);
        base.push(b);
        ratios.push(a / b);
    }
    let ratios = sorted(ratios);
    Paired {
        ours: quantile(&sorted(ours), 0.5),
        base: quantile(&sorted(base), 0.5),
        ratio: quantile(&ratios, 0.5),
        spread: (quantile(&ratios, 0.25), quantile(&ratios, 0.75)),
    }
}

/// criterion's mean per call of each benchmark: every iteration it ran
/// (warm-up included), by name.
static MEANS: Mutex<BTreeMap<&'static str, (Duration, u64)>> = Mutex::new(BTreeMap::new());

fn timed(name: &'static str, iters: u64, mut call: impl FnMut(u32)) -> Duration {
    let start = Instant::now();
    let mut left = iters;
    while left > 0 {
        let n = left.min(1 << 24);
        call(n as u32);
        left -= n;
    }
    let total = start.elapsed();
    let mut means = MEANS.lock().unwrap();
    let entry = means.entry(name).or_default();
    entry.0 += total;
    entry.1 += iters;
    total
}

fn criterion_mean(name: &str) -> Option<f64> {
    let means = MEANS.lock().unwrap();
    let (total, iters) = means.get(name)?;
    Some(total.as_secs_f64() * 1e9 / (*iters).max(1) as f64)
}

fn bindings(c: &mut Criterion, sides: &mut Sides, quick: bool) {
    let mut group = c.benchmark_group("bindgen");
    if quick {
        group.warm_up_time(Duration::from_millis(200));
        group.measurement_time(Duration::from_millis(500));
        group.sample_size(10);
    }
    let benches: [(&'static str, Side, Op); 8] = [
        (COMPARISONS[3].names.1, Side::Floor, Op::Constant),
        (COMPARISONS[0].names.1, Side::Hand, Op::Constant),
        (COMPARISONS[4].names.1, Side::Fallible, Op::Constant),
        (COMPARISONS[0].names.0, Side::Generated, Op::Constant),
        (COMPARISONS[1].names.1, Side::Hand, Op::Method),
        (COMPARISONS[1].names.0, Side::Generated, Op::Method),
        (COMPARISONS[2].names.1, Side::Hand, Op::Lifecycle),
        (COMPARISONS[2].names.0, Side::Generated, Op::Lifecycle),
    ];
    for (name, side, op) in benches {
        let loops = sides.side(side);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| timed(name, iters, |n| loops.run(op, n)))
        });
    }
    group.finish();
}

/// Paired rounds per comparison in a full run (about 2 ms each).
const ROUNDS: usize = 401;

fn main() {
    if let Ok(spec) = std::env::var("SLOTS_BINDGEN_PROFILE") {
        profile(&spec);
        return;
    }
    let quick = std::env::var_os("SLOTS_BENCH_QUICK").is_some();
    let mut sides = Sides::new();
    let mut criterion = Criterion::default().configure_from_args();
    bindings(&mut criterion, &mut sides, quick);
    criterion.final_summary();
    let rounds = if quick { 41 } else { ROUNDS };
    let results: Vec<Paired> = COMPARISONS
        .iter()
        .map(|c| paired(&mut sides, c, rounds))
        .collect();
    report(&results, rounds);
}

/// Runs one loop alone, for a profiler.
fn profile(spec: &str) {
    let parts: Vec<&str> = spec.split(':').collect();
    let (Some(side), Some(op), Some(Ok(calls))) = (
        parts.first().and_then(|s| Side::parse(s)),
        parts.get(1).and_then(|s| Op::parse(s)),
        parts.get(2).map(|s| s.parse::<u32>()),
    ) else {
        panic!(
            "SLOTS_BINDGEN_PROFILE is <floor|hand|fallible|gen>:<constant|method|lifecycle>:<calls>"
        );
    };
    let mut sides = Sides::new();
    if calls > 0 {
        sides.side(side).run(op, calls);
    }
}

fn report(results: &[Paired], rounds: usize) {
    let mut md = format!(
        "## Generated bindings against hand-written imports\n\n\
         `bindgen!` imports against `Function::new_typed_with_env` imports written by hand \
         in the bench over the same slots-core `ResourceTable`, on one WAT guest, in one \
         process. The hand-written constant reads its environment, as every slots import \
         must; the floor is a typed import that does not.\n\n\
         The verdict is on the paired figure: {rounds} rounds, each running both sides back \
         to back (about a millisecond each, the order alternating), timed by the thread's \
         CPU time (`CLOCK_THREAD_CPUTIME_ID`: the time other processes hold the core is not \
         charged), and the median of the rounds' ratios; a slow spell of a shared machine \
         falls on both sides of a round. The quartiles of the rounds' ratios show the \
         spread. criterion's means (wall clock, every iteration of its groups) are given \
         beside it; on a loaded machine they can differ by tens of percent between runs.\n\n\
         | operation | ns per call | baseline ns | ratio (median of rounds) | quartiles | criterion's ratio | bar | verdict |\n\
         |---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    println!("\nbindgen, generated against hand-written: median of {rounds} paired rounds");
    for (c, p) in COMPARISONS.iter().zip(results) {
        let crit = match (criterion_mean(c.names.0), criterion_mean(c.names.1)) {
            (Some(a), Some(b)) => format!("{:.2}x", a / b),
            _ => "-".into(),
        };
        let (bar, verdict) = match c.bar {
            Some(bar) if p.ratio <= bar => (format!("{bar}x"), "pass"),
            Some(bar) => (format!("{bar}x"), "miss"),
            None => ("-".to_string(), "-"),
        };
        println!(
            "  {:<40} {:>7.1} ns vs {:>7.1} ns  {:.2}x [{:.2}x..{:.2}x]  criterion {crit}  bar {bar} {verdict}",
            c.label, p.ours, p.base, p.ratio, p.spread.0, p.spread.1
        );
        md.push_str(&format!(
            "| {} | {:.1} | {:.1} | {:.2}x | {:.2}x - {:.2}x | {crit} | {bar} | {verdict} |\n",
            c.label, p.ours, p.base, p.ratio, p.spread.0, p.spread.1
        ));
    }
    md.push_str(&load_note());
    let dir = std::env::var_os("SLOTS_BENCH_RESULTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-results")
        });
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("bindgen.md"), md);
    }
}

/// The machine's load while the rounds ran, so a reader can weigh them.
fn load_note() -> String {
    match std::fs::read_to_string("/proc/loadavg") {
        Ok(load) => {
            let one = load.split_whitespace().next().unwrap_or("?");
            format!("\nLoad average (1 min) when the rounds ended: {one}.\n")
        }
        Err(_) => String::new(),
    }
}
