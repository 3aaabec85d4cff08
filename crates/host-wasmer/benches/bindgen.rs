//! Generated bindings against hand-written Wasmer imports: the same guest
//! loops on the same slots-core `ResourceTable`, each side measured in this
//! one process, ratios printed and written for BENCHMARKS.md.
//!
//! `SLOTS_BENCH_QUICK=1` shortens every measurement for a smoke run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
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

    /// The guest on hand-written typed imports; with `env`, the constant
    /// reads its environment, else it is the bare floor.
    fn hand_written(env_constant: bool) -> Self {
        let mut store = Store::default();
        let module = Module::new(&store, wat::parse_str(GUEST).unwrap()).unwrap();
        let env = FunctionEnv::new(
            &mut store,
            Env {
                table: ResourceTable::new(),
            },
        );
        let constant = if env_constant {
            Function::new_typed_with_env(&mut store, &env, |env: FunctionEnvMut<'_, Env>| {
                std::hint::black_box(env.data());
                7i32
            })
        } else {
            Function::new_typed(&mut store, || 7i32)
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

/// Mean time per guest-side iteration, by name.
static MEANS: Mutex<BTreeMap<&'static str, f64>> = Mutex::new(BTreeMap::new());

fn timed(name: &'static str, iters: u64, mut call: impl FnMut(i32)) -> Duration {
    let start = Instant::now();
    let mut left = iters;
    while left > 0 {
        let n = left.min(1 << 24);
        call(n as i32);
        left -= n;
    }
    let total = start.elapsed();
    let per = total.as_secs_f64() * 1e9 / iters.max(1) as f64;
    MEANS.lock().unwrap().insert(name, per);
    total
}

fn bindings(c: &mut Criterion) {
    let mut group = c.benchmark_group("bindgen");
    if std::env::var_os("SLOTS_BENCH_QUICK").is_some() {
        group.warm_up_time(Duration::from_millis(200));
        group.measurement_time(Duration::from_millis(500));
        group.sample_size(10);
    }
    let mut floor = Loops::hand_written(false);
    let mut hand = Loops::hand_written(true);
    let (mut generated, _guest) = Loops::generated();

    for (label, key, side) in [
        (
            "floor: typed import returning a constant",
            "floor",
            &mut floor,
        ),
        (
            "hand-written constant reading its env",
            "hand constant",
            &mut hand,
        ),
    ] {
        group.bench_function(label, |b| {
            b.iter_custom(|iters| {
                timed(key, iters, |n| {
                    side.constant.call(&mut side.store, n).unwrap()
                })
            })
        });
    }
    group.bench_function("generated constant", |b| {
        b.iter_custom(|iters| {
            timed("gen constant", iters, |n| {
                generated.constant.call(&mut generated.store, n).unwrap()
            })
        })
    });
    for (label, key, side) in [
        ("hand-written method", "hand method", &mut hand),
        ("generated method", "gen method", &mut generated),
    ] {
        group.bench_function(label, |b| {
            b.iter_custom(|iters| {
                timed(key, iters, |n| {
                    side.method.call(&mut side.store, side.thing, n).unwrap()
                })
            })
        });
    }
    for (label, key, side) in [
        (
            "hand-written constructor + method + drop",
            "hand lifecycle",
            &mut hand,
        ),
        (
            "generated constructor + method + drop",
            "gen lifecycle",
            &mut generated,
        ),
    ] {
        group.bench_function(label, |b| {
            b.iter_custom(|iters| {
                timed(key, iters, |n| {
                    side.lifecycle.call(&mut side.store, n).unwrap()
                })
            })
        });
    }
    group.finish();
    report();
}

fn report() {
    let means = MEANS.lock().unwrap();
    let get = |key: &str| means.get(key).copied();
    let rows: [(&str, &str, &str, f64); 4] = [
        ("constant import", "gen constant", "hand constant", 1.05),
        ("method on a handle", "gen method", "hand method", 1.10),
        (
            "constructor + method + drop",
            "gen lifecycle",
            "hand lifecycle",
            1.10,
        ),
        (
            "hand-written method against the floor",
            "hand method",
            "floor",
            1.5,
        ),
    ];
    let mut md = String::from(
        "## Generated bindings against hand-written imports\n\n\
         `bindgen!` imports against `Function::new_typed_with_env` imports written by hand \
         over the same slots-core `ResourceTable`, on one WAT guest, in one process. \
         The hand-written constant reads its environment, as every slots import must; the \
         floor is a typed import that does not.\n\n\
         | operation | ns per call | baseline ns | ratio | bar | verdict |\n\
         |---|---:|---:|---:|---:|---|\n",
    );
    println!("\nbindgen, generated against hand-written (same run):");
    for (label, ours, base, bar) in rows {
        let (Some(ours), Some(base)) = (get(ours), get(base)) else {
            continue;
        };
        let ratio = ours / base;
        let verdict = if ratio <= bar { "pass" } else { "miss" };
        println!(
            "  {label:<40} {ours:>8.1} ns vs {base:>8.1} ns  {ratio:>6.2}x  bar {bar}x {verdict}"
        );
        md.push_str(&format!(
            "| {label} | {ours:.1} | {base:.1} | {ratio:.2}x | {bar}x | {verdict} |\n"
        ));
    }
    if let (Some(ours), Some(floor)) = (get("gen constant"), get("floor")) {
        md.push_str(&format!(
            "\nThe generated constant against the floor: {:.2}x.\n",
            ours / floor
        ));
    }
    let dir = std::env::var_os("SLOTS_BENCH_RESULTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-results")
        });
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("bindgen.md"), md);
    }
}

criterion_group!(benches, bindings);
criterion_main!(benches);
