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

use criterion::Criterion;
use host_wasmer::bindings::Caller;
use host_wasmer::{Ctx, HostConfig, HostError, SharedHost};
use slots_bench_support::clock::cpu_ns_per;
use slots_bench_support::estimates::{criterion, quick};
use slots_bench_support::report::{Bar, Section, load_note};
use slots_bench_support::rounds::{Paired, paired};
use slots_bench_support::timings::Timings;
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
            SharedHost::new(HostConfig::default()),
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
        cpu_ns_per(f64::from(n), || self.run(op, n))
    }
}

/// The four sides, in one process, in [`Side`]'s order.
struct Sides {
    loops: [Loops; 4],
    /// Keeps the generated instance (and its teardown) alive.
    _guest: Bench<Data>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Floor = 0,
    Hand = 1,
    Fallible = 2,
    Generated = 3,
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
            loops: [
                Loops::hand_written(Constant::Floor),
                Loops::hand_written(Constant::ReadsEnv),
                Loops::hand_written(Constant::Fallible),
                generated,
            ],
            _guest: guest,
        }
    }

    fn side(&mut self, side: Side) -> &mut Loops {
        &mut self.loops[side as usize]
    }

    /// Two different sides at once.
    fn two(&mut self, a: Side, b: Side) -> [&mut Loops; 2] {
        self.loops
            .get_disjoint_mut([a as usize, b as usize])
            .expect("a comparison has two different sides")
    }
}

/// One bar: `ours` against `base`, both measured on `op`.
struct Comparison {
    label: &'static str,
    ours: (Side, Op),
    base: (Side, Op),
    /// The bar, or none for a row that only explains another.
    bar: Option<Bar>,
}

const COMPARISONS: [Comparison; 5] = [
    Comparison {
        label: "constant import",
        ours: (Side::Generated, Op::Constant),
        base: (Side::Hand, Op::Constant),
        bar: Some(Bar::at_most(1.05)),
    },
    Comparison {
        label: "method on a handle",
        ours: (Side::Generated, Op::Method),
        base: (Side::Hand, Op::Method),
        bar: Some(Bar::at_most(1.10)),
    },
    Comparison {
        label: "constructor + method + drop",
        ours: (Side::Generated, Op::Lifecycle),
        base: (Side::Hand, Op::Lifecycle),
        bar: Some(Bar::at_most(1.10)),
    },
    Comparison {
        label: "hand-written method against the floor",
        ours: (Side::Hand, Op::Method),
        base: (Side::Floor, Op::Constant),
        bar: Some(Bar::at_most(1.5)),
    },
    Comparison {
        label: "(no bar) generated constant against a hand-written fallible one",
        ours: (Side::Generated, Op::Constant),
        base: (Side::Fallible, Op::Constant),
        bar: None,
    },
];

/// `rounds` paired rounds of `c`, each side running about a millisecond of
/// calls, timed by the thread's CPU time.
fn rounds_of(sides: &mut Sides, c: &Comparison, rounds: usize) -> Paired {
    let n = c.ours.1.round_calls().min(c.base.1.round_calls());
    let [ours, base] = sides.two(c.ours.0, c.base.0);
    paired(
        rounds,
        || ours.per_call(c.ours.1, n),
        || base.per_call(c.base.1, n),
    )
}

/// criterion's time of each benchmark, every iteration it ran (warm-up
/// included), by name.
static TIMES: Timings = Timings::new();

/// criterion's benchmarks: each side's loops, by name.
const BENCHES: [(&str, Side, Op); 8] = [
    (
        "floor: typed import returning a constant",
        Side::Floor,
        Op::Constant,
    ),
    (
        "hand-written constant reading its env",
        Side::Hand,
        Op::Constant,
    ),
    (
        "hand-written constant returning a Result",
        Side::Fallible,
        Op::Constant,
    ),
    ("generated constant", Side::Generated, Op::Constant),
    ("hand-written method", Side::Hand, Op::Method),
    ("generated method", Side::Generated, Op::Method),
    (
        "hand-written constructor + method + drop",
        Side::Hand,
        Op::Lifecycle,
    ),
    (
        "generated constructor + method + drop",
        Side::Generated,
        Op::Lifecycle,
    ),
];

/// criterion's mean ns per call of `side`'s `op` loop, every iteration it
/// ran.
fn criterion_mean((side, op): (Side, Op)) -> Option<f64> {
    let (name, _, _) = BENCHES.iter().find(|b| (b.1, b.2) == (side, op))?;
    TIMES.overall(name)
}

fn bindings(c: &mut Criterion, sides: &mut Sides) {
    let mut group = c.benchmark_group("bindgen");
    for (name, side, op) in BENCHES {
        let loops = sides.side(side);
        group.bench_function(name, TIMES.bench_loop(name, |n| loops.run(op, n as u32)));
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
    let mut sides = Sides::new();
    let mut criterion = criterion();
    bindings(&mut criterion, &mut sides);
    criterion.final_summary();
    let rounds = if quick() { 41 } else { ROUNDS };
    let results: Vec<Paired> = COMPARISONS
        .iter()
        .map(|c| rounds_of(&mut sides, c, rounds))
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
    let mut table = Paired::table("ns per call", "baseline ns", "ratio");
    for (c, p) in COMPARISONS.iter().zip(results) {
        let criterion = criterion_mean(c.ours)
            .zip(criterion_mean(c.base))
            .map(|(ours, base)| ours / base);
        table.row(p.row(c.label, criterion, c.bar));
    }
    Section::new("Generated bindings against hand-written imports")
        .paragraph(
            "`bindgen!` imports against `Function::new_typed_with_env` imports written by hand \
             in the bench over the same slots-core `ResourceTable`, on one WAT guest, in one \
             process. The hand-written constant reads its environment, as every slots import \
             must; the floor is a typed import that does not.",
        )
        .paragraph(&format!(
            "The verdict is on the paired figure: {rounds} rounds, each running both sides back \
             to back (about a millisecond each, the order alternating), timed by the thread's \
             CPU time (`CLOCK_THREAD_CPUTIME_ID`: the time other processes hold the core is not \
             charged), and the median of the rounds' ratios; a slow spell of a shared machine \
             falls on both sides of a round. The quartiles of the rounds' ratios show the \
             spread. criterion's means (wall clock, every iteration of its groups) are given \
             beside it; on a loaded machine they can differ by tens of percent between runs."
        ))
        .table(&table)
        .paragraph(&load_note())
        .write("bindgen")
        .expect("the bindgen fragment is written");
}
