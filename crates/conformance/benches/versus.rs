//! host-wasmer against wasmtime's component model, in one process: the same
//! guest loops (a core module, made a component for wasmtime) on both, the
//! ratio printed at the end and written for BENCHMARKS.md.
//!
//! Each guest's `run` repeats one operation 1,000 times, so the cost of the
//! export call itself is spread thin; times are per operation.
//! `SLOTS_BENCH_QUICK=1` shortens every measurement for a smoke run.
//! `SLOTS_VERSUS_PROFILE=<host>:<n>:<runs>` runs operation `n` (0-based, in
//! the table's order) `runs` times on one host (`wasmer` or `wasmtime`)
//! alone and exits, for `valgrind --tool=callgrind`: two runs with
//! different counts give the instructions of one operation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::Criterion;
use host_wasmer::{HostConfig, SharedHost};
use slots_bench_support::clock::cpu_ns_per;
use slots_bench_support::estimates::quick;
use slots_bench_support::report::{Bar, Section, load_note};
use slots_bench_support::rounds::{Paired, paired};
use slots_bench_support::timings::Timings;
use slots_conformance::{WasmtimeHost, componentize};
use slots_host::HostData;
use slots_host::generated::Guest;
use slots_test_support::wat::HEAP;
use wit_component::StringEncoding;

/// Operations per `run`.
const REPEAT: u32 = 1000;

/// The operations: a name, the WAT that does one of it, and the bar on
/// host-wasmer / wasmtime, if the design sets one. `$b` is a bucket named
/// by the 16 bytes at 64, `$p` the pattern `a+` (held, so every open of it
/// is interned), both made on the first run.
const OPERATIONS: &[(&str, &str, Option<Bar>)] = &[
    (
        "method on a handle (`bucket.len`)",
        "(drop (call $len (global.get $b)))",
        None,
    ),
    (
        "keyed open + drop of a held key (interned)",
        "(call $open (i32.const 96) (i32.const 2) (i32.const 0) (i32.const 0))
         (call $pattern_drop (i32.load (i32.const 4)))",
        Some(Bar::at_most(0.5)),
    ),
    (
        "string argument, 16 B (`pattern.is-match`)",
        "(drop (call $is_match (global.get $p) (i32.const 128) (i32.const 16)))",
        Some(Bar::at_most(0.8)),
    ),
    (
        "string result, 16 B (`bucket.name`)",
        "(call $name (global.get $b) (i32.const 0))",
        Some(Bar::at_most(0.8)),
    ),
];

fn guest(body: &str) -> String {
    let imports = r#"
  (import "slots:host/buckets@0.1.0" "[constructor]bucket" (func $new (param i32 i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.len" (func $len (param i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.name" (func $name (param i32 i32)))
  (import "slots:host/patterns@0.1.0" "[static]pattern.open" (func $open (param i32 i32 i32 i32)))
  (import "slots:host/patterns@0.1.0" "[method]pattern.is-match" (func $is_match (param i32 i32 i32) (result i32)))
  (import "slots:host/patterns@0.1.0" "[resource-drop]pattern" (func $pattern_drop (param i32)))"#;
    let run = format!(
        r#"
  (data (i32.const 64) "bench-bucket-16b")
  (data (i32.const 96) "a+")
  (data (i32.const 128) "xxxxxxxxaaaaaaab")
  (global $b (mut i32) (i32.const 0))
  (global $p (mut i32) (i32.const 0))
  (func (export "run") (result i32)
    (local $i i32)
    (global.set $heap (i32.const {HEAP}))
    (if (i32.eqz (global.get $b))
      (then
        (global.set $b (call $new (i32.const 64) (i32.const 16)))
        (call $open (i32.const 96) (i32.const 2) (i32.const 0) (i32.const 0))
        (global.set $p (i32.load (i32.const 4)))))
    (loop $again
      {body}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const {REPEAT}))))
    ;; ok: a zeroed result area.
    (i32.const 256))"#
    );
    slots_test_support::wat::module(imports, &run)
}

/// The core module of `wat` with the `guest` world embedded, as
/// wit-bindgen leaves it, so that wit-component can make it a component.
fn with_world(wat: &str) -> Vec<u8> {
    let mut module = wat::parse_str(wat).unwrap();
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_str("world.wit", slots_host::WIT).unwrap();
    let world = resolve.select_world(&[package], Some("guest")).unwrap();
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)
        .unwrap();
    module
}

/// One operation on both hosts: each side runs the guest's `run` once.
struct Sides {
    operation: &'static str,
    bar: Option<Bar>,
    wasmer: Box<dyn FnMut()>,
    wasmtime: Box<dyn FnMut()>,
}

impl Sides {
    fn new(operation: &'static str, body: &str, bar: Option<Bar>) -> Self {
        let module = with_world(&guest(body));
        let wasmer = on_wasmer(&module);
        let wasmtime = on_wasmtime(&module);

        Self {
            operation,
            bar,
            wasmer,
            wasmtime,
        }
    }
}

/// The guest `module` on host-wasmer, through the bindings `bindgen!`
/// generates from wit/: one call runs it once.
fn on_wasmer(module: &[u8]) -> Box<dyn FnMut()> {
    let mut store = wasmer::Store::default();
    let compiled = wasmer::Module::new(&store, module).unwrap();
    let instance = Guest::new(
        &mut store,
        &compiled,
        HostData::default(),
        SharedHost::new(HostConfig::default()),
        "bench",
    )
    .unwrap();
    assert_eq!(instance.call_run(&mut store).unwrap(), Ok(()));
    Box::new(move || {
        instance.call_run(&mut store).unwrap().unwrap();
    })
}

/// The guest `module` on wasmtime's component model: one call runs it
/// once.
fn on_wasmtime(module: &[u8]) -> Box<dyn FnMut()> {
    let host = WasmtimeHost::new().unwrap();
    let component = host.compile(&componentize(module).unwrap()).unwrap();
    let mut tenant = host.start(&component, "bench").unwrap();
    assert_eq!(tenant.run().unwrap(), Ok(()));
    Box::new(move || {
        // The host outlives its tenant, as when both were locals.
        let _host = &host;
        tenant.run().unwrap().unwrap();
    })
}

/// Runs one operation on one host alone, for a profiler: `spec` is
/// `<host>:<operation>:<runs>`.
fn profile(spec: &str) {
    let usage = "SLOTS_VERSUS_PROFILE is <wasmer|wasmtime>:<operation>:<runs>";
    let mut parts = spec.split(':');
    let (Some(host), Some(operation), Some(runs)) = (parts.next(), parts.next(), parts.next())
    else {
        panic!("{usage}");
    };
    let (_, body, _) = OPERATIONS[operation.parse::<usize>().expect(usage)];
    let module = with_world(&guest(body));
    let mut run = match host {
        "wasmer" => on_wasmer(&module),
        "wasmtime" => on_wasmtime(&module),
        _ => panic!("{usage}"),
    };
    for _ in 0..runs.parse::<u32>().expect(usage) {
        run();
    }
}

/// ns of CPU time per operation of `runs` calls of `side`.
fn per_operation(side: &mut dyn FnMut(), runs: u32) -> f64 {
    cpu_ns_per(f64::from(runs) * f64::from(REPEAT), || {
        for _ in 0..runs {
            side();
        }
    })
}

/// Paired rounds of one operation, each running both hosts back to back
/// in alternating order, so that a slow spell of a shared machine falls on
/// both.
fn rounds_of(sides: &mut Sides, rounds: usize) -> Paired {
    let Sides {
        wasmer, wasmtime, ..
    } = sides;
    paired(
        rounds,
        || per_operation(wasmer, RUNS_PER_ROUND),
        || per_operation(wasmtime, RUNS_PER_ROUND),
    )
}

/// Every `run` criterion made of each side, by benchmark name.
static TIMES: Timings = Timings::new();

fn versus(c: &mut Criterion) {
    let mut group = c.benchmark_group("versus");
    let mut all: Vec<Sides> = OPERATIONS
        .iter()
        .map(|&(operation, body, bar)| Sides::new(operation, body, bar))
        .collect();
    for sides in &mut all {
        let operation = sides.operation;
        for (side, host) in [
            (&mut sides.wasmer, "host-wasmer"),
            (&mut sides.wasmtime, "wasmtime"),
        ] {
            let name = format!("{host}: {operation}");
            group.bench_function(
                &name,
                TIMES.bench_loop(name.as_str(), |n| {
                    for _ in 0..n {
                        side();
                    }
                }),
            );
        }
    }
    group.finish();
    let rounds = if quick() { 21 } else { ROUNDS };
    let rows = all
        .iter_mut()
        .map(|sides| {
            // criterion's means, ns per operation.
            let mean = |host: &str| {
                TIMES
                    .overall(&format!("{host}: {}", sides.operation))
                    .map_or(f64::NAN, |ns| ns / f64::from(REPEAT))
            };
            Row {
                operation: sides.operation,
                bar: sides.bar,
                criterion: (mean("host-wasmer"), mean("wasmtime")),
                paired: rounds_of(sides, rounds),
            }
        })
        .collect();
    report(rows, rounds);
}

/// Paired rounds per operation in a full run.
const ROUNDS: usize = 201;

/// Guest `run`s per host in each paired round: a few milliseconds.
const RUNS_PER_ROUND: u32 = 5;

/// One operation's figures.
struct Row {
    operation: &'static str,
    bar: Option<Bar>,
    paired: Paired,
    /// criterion's means, ns per operation: (host-wasmer, wasmtime).
    criterion: (f64, f64),
}

fn report(rows: Vec<Row>, rounds: usize) {
    let mut table = Paired::table("host-wasmer ns", "wasmtime ns", "host-wasmer / wasmtime");
    for row in rows {
        let criterion = row.criterion.0 / row.criterion.1;
        table.row(row.paired.row(row.operation, Some(criterion), row.bar));
    }
    Section::new("host-wasmer against wasmtime's component model")
        .paragraph(&format!(
            "The same guest (a core module; wit-component makes it a component for wasmtime) runs \
             each operation 1,000 times per `run` on both hosts in this process; both keep their \
             objects in slots-core. host-wasmer through the bindings `bindgen!` generates from \
             wit/ (`slots_host::generated::Guest`); wasmtime 48, default engine (Cranelift), host \
             built with wasmtime's `bindgen!`, trappable imports. The verdict is on the paired \
             figure: {rounds} rounds after criterion's groups, in each of which both hosts run \
             {RUNS_PER_ROUND} `run`s back to back (the order alternating), timed by the thread's \
             CPU time (`CLOCK_THREAD_CPUTIME_ID`), and the ratio is the median of the rounds' \
             ratios, its quartiles beside it. criterion's means (wall clock, every `run` of its \
             groups) give a second ratio. Below 1.00x host-wasmer is faster."
        ))
        .table(&table)
        .paragraph(&load_note())
        .write("versus")
        .expect("the versus fragment is written");
}

fn main() {
    if let Ok(spec) = std::env::var("SLOTS_VERSUS_PROFILE") {
        profile(&spec);
        return;
    }
    let mut criterion = slots_bench_support::estimates::criterion().configure_from_args();
    versus(&mut criterion);
    criterion.final_summary();
}
