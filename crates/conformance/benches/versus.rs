//! host-wasmer against wasmtime's component model, in one process: the same
//! guest loops (a core module, made a component for wasmtime) on both, the
//! ratio printed at the end and written for BENCHMARKS.md.
//!
//! Each guest's `run` repeats one operation 1,000 times, so the cost of the
//! export call itself is spread thin; times are per operation.
//! `SLOTS_BENCH_QUICK=1` shortens every measurement for a smoke run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use host_wasmer::{HostConfig, SlotsHost};
use slots_conformance::{WasmtimeHost, componentize};
use slots_host::HostData;
use slots_host::generated::Guest;
use wit_component::StringEncoding;

/// Operations per `run`.
const REPEAT: u32 = 1000;

/// The operations: a name, the WAT that does one of it, and the bar on
/// host-wasmer / wasmtime, if the design sets one. `$b` is a bucket named
/// by the 16 bytes at 64, `$p` the pattern `a+` (held, so every open of it
/// is interned), both made on the first run.
const OPERATIONS: &[(&str, &str, Option<f64>)] = &[
    (
        "method on a handle (`bucket.len`)",
        "(drop (call $len (global.get $b)))",
        None,
    ),
    (
        "keyed open + drop of a held key (interned)",
        "(call $open (i32.const 96) (i32.const 2) (i32.const 0) (i32.const 0))
         (call $pattern_drop (i32.load (i32.const 4)))",
        Some(0.5),
    ),
    (
        "string argument, 16 B (`pattern.is-match`)",
        "(drop (call $is_match (global.get $p) (i32.const 128) (i32.const 16)))",
        Some(0.8),
    ),
    (
        "string result, 16 B (`bucket.name`)",
        "(call $name (global.get $b) (i32.const 0))",
        Some(0.8),
    ),
];

fn guest(body: &str) -> String {
    format!(
        r#"(module
  (import "slots:host/buckets@0.1.0" "[constructor]bucket" (func $new (param i32 i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.len" (func $len (param i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.name" (func $name (param i32 i32)))
  (import "slots:host/patterns@0.1.0" "[static]pattern.open" (func $open (param i32 i32 i32 i32)))
  (import "slots:host/patterns@0.1.0" "[method]pattern.is-match" (func $is_match (param i32 i32 i32) (result i32)))
  (import "slots:host/patterns@0.1.0" "[resource-drop]pattern" (func $pattern_drop (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "bench-bucket-16b")
  (data (i32.const 96) "a+")
  (data (i32.const 128) "xxxxxxxxaaaaaaab")
  (global $b (mut i32) (i32.const 0))
  (global $p (mut i32) (i32.const 0))
  (global $heap (mut i32) (i32.const 32768))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $ptr) (local.get 3)))
    (local.get $ptr))
  (func (export "run") (result i32)
    (local $i i32)
    (global.set $heap (i32.const 32768))
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
    (i32.const 256)))"#
    )
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
    bar: Option<f64>,
    wasmer: Box<dyn FnMut()>,
    wasmtime: Box<dyn FnMut()>,
}

impl Sides {
    fn new(operation: &'static str, body: &str, bar: Option<f64>) -> Self {
        let module = with_world(&guest(body));

        // host-wasmer through the bindings `bindgen!` generates from wit/.
        let mut store = wasmer::Store::default();
        let compiled = wasmer::Module::new(&store, &module).unwrap();
        let instance = Guest::new(
            &mut store,
            &compiled,
            HostData::default(),
            SlotsHost::new(HostConfig::default()),
            "bench",
        )
        .unwrap();
        assert_eq!(instance.call_run(&mut store).unwrap(), Ok(()));

        let host = WasmtimeHost::new().unwrap();
        let component = host.compile(&componentize(&module).unwrap()).unwrap();
        let mut tenant = host.start(&component, "bench").unwrap();
        assert_eq!(tenant.run().unwrap(), Ok(()));

        Self {
            operation,
            bar,
            wasmer: Box::new(move || {
                instance.call_run(&mut store).unwrap().unwrap();
            }),
            wasmtime: Box::new(move || {
                // The host outlives its tenant, as when both were locals.
                let _host = &host;
                tenant.run().unwrap().unwrap();
            }),
        }
    }
}

/// ns of CPU time per operation of `runs` calls of `side`.
fn per_operation(side: &mut dyn FnMut(), runs: u32) -> f64 {
    let start = cpu_now();
    for _ in 0..runs {
        side();
    }
    (cpu_now() - start).as_secs_f64() * 1e9 / (f64::from(runs) * f64::from(REPEAT))
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

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// What the paired rounds of one operation found.
struct Paired {
    wasmer: f64,
    wasmtime: f64,
    /// The median of the rounds' ratios.
    ratio: f64,
    /// Its first and third quartiles.
    spread: (f64, f64),
}

/// Paired rounds, each running both sides back to back in alternating
/// order, so that a slow spell of a shared machine falls on both.
fn paired(sides: &mut Sides, rounds: usize) -> Paired {
    let (mut w, mut t, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (a, b) = if round % 2 == 0 {
            let a = per_operation(&mut sides.wasmer, RUNS_PER_ROUND);
            (a, per_operation(&mut sides.wasmtime, RUNS_PER_ROUND))
        } else {
            let b = per_operation(&mut sides.wasmtime, RUNS_PER_ROUND);
            (per_operation(&mut sides.wasmer, RUNS_PER_ROUND), b)
        };
        w.push(a);
        t.push(b);
        r.push(a / b);
    }
    let r = sorted(r);
    Paired {
        wasmer: quantile(&sorted(w), 0.5),
        wasmtime: quantile(&sorted(t), 0.5),
        ratio: quantile(&r, 0.5),
        spread: (quantile(&r, 0.25), quantile(&r, 0.75)),
    }
}

/// ns per operation over every `run` criterion made of one side.
fn criterion_mean(total: &(Duration, u64)) -> f64 {
    total.0.as_secs_f64() * 1e9 / (total.1.max(1) as f64 * f64::from(REPEAT))
}

fn versus(c: &mut Criterion) {
    let quick = std::env::var_os("SLOTS_BENCH_QUICK").is_some();
    let mut group = c.benchmark_group("versus");
    if quick {
        group.warm_up_time(Duration::from_millis(200));
        group.measurement_time(Duration::from_millis(500));
        group.sample_size(10);
    }
    let mut all: Vec<Sides> = OPERATIONS
        .iter()
        .map(|&(operation, body, bar)| Sides::new(operation, body, bar))
        .collect();
    let mut means = Vec::new();
    for sides in &mut all {
        let operation = sides.operation;
        let mut totals = [(Duration::ZERO, 0u64); 2];
        let [wasmer_total, wasmtime_total] = &mut totals;
        for (side, total, name) in [
            (&mut sides.wasmer, wasmer_total, "host-wasmer"),
            (&mut sides.wasmtime, wasmtime_total, "wasmtime"),
        ] {
            group.bench_function(format!("{name}: {operation}"), |b| {
                b.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        side();
                    }
                    let elapsed = start.elapsed();
                    total.0 += elapsed;
                    total.1 += iters;
                    elapsed
                })
            });
        }
        means.push((criterion_mean(&totals[0]), criterion_mean(&totals[1])));
    }
    group.finish();
    let rounds = if quick { 21 } else { ROUNDS };
    let rows = all
        .iter_mut()
        .zip(means)
        .map(|(sides, means)| Row {
            operation: sides.operation,
            bar: sides.bar,
            paired: paired(sides, rounds),
            criterion: means,
        })
        .collect();
    report(rows, rounds);
}

/// Paired rounds per operation in a full run.
const ROUNDS: usize = 201;

/// Guest `run`s per host in each paired round: a few milliseconds.
const RUNS_PER_ROUND: u32 = 5;

/// Where the time goes, from profiles; printed under the table.
const WHERE_TIME_GOES: &str = "Below 1.00x host-wasmer is faster. On host-wasmer, `pattern.open` and `pattern.is-match` are named in `bindgen!`'s `borrow_strings`: the key (or the searched text) is lifted into a per-thread buffer reused from call to call and lent as `&str`, and the pattern's cache key is built in a reused buffer too, so an open of a key the instance holds allocates nothing (`crates/slots-host/tests/intern_alloc.rs` counts it); wasmtime's host lifts a fresh `String` and builds a fresh key on every open. A string result still costs a host `String` and a call into the guest's `cabi_realloc` on both hosts.";

/// One operation's figures.
struct Row {
    operation: &'static str,
    bar: Option<f64>,
    paired: Paired,
    /// criterion's means, ns per operation: (host-wasmer, wasmtime).
    criterion: (f64, f64),
}

fn report(rows: Vec<Row>, rounds: usize) {
    let mut md = String::from("## host-wasmer against wasmtime's component model\n\n");
    md.push_str(&format!(
        "The same guest (a core module; wit-component makes it a component for wasmtime) runs \
         each operation 1,000 times per `run` on both hosts in this process; both keep their \
         objects in slots-core. host-wasmer through the bindings `bindgen!` generates from \
         wit/ (`slots_host::generated::Guest`); wasmtime 48, default engine (Cranelift), host \
         built with wasmtime's `bindgen!`, trappable imports. The verdict is on the paired \
         figure: {rounds} rounds after criterion's groups, in each of which both hosts run \
         {RUNS_PER_ROUND} `run`s back to back (the order alternating), timed by the thread's \
         CPU time (`CLOCK_THREAD_CPUTIME_ID`), and the ratio is the median of the rounds' \
         ratios, its quartiles beside it. criterion's means (wall clock, every `run` of its \
         groups) give a second ratio.\n\n\
         | operation | host-wasmer ns | wasmtime ns | host-wasmer / wasmtime (median of rounds) | quartiles | criterion's ratio | bar | verdict |\n\
         |---|---:|---:|---:|---:|---:|---:|---|\n",
    ));
    println!("\nhost-wasmer against wasmtime, ns per operation, paired rounds:");
    for row in rows {
        let p = &row.paired;
        let crit = row.criterion.0 / row.criterion.1;
        let (bar, verdict) = match row.bar {
            Some(bar) if p.ratio <= bar => (format!("{bar}x"), "pass"),
            Some(bar) => (format!("{bar}x"), "miss"),
            None => ("-".into(), "-"),
        };
        println!(
            "  {:<48} {:>9.1} {:>9.1}  {:.2}x [{:.2}x..{:.2}x]  criterion {crit:.2}x  bar {bar} {verdict}",
            row.operation, p.wasmer, p.wasmtime, p.ratio, p.spread.0, p.spread.1
        );
        md.push_str(&format!(
            "| {} | {:.1} | {:.1} | {:.2}x | {:.2}x - {:.2}x | {crit:.2}x | {bar} | {verdict} |\n",
            row.operation, p.wasmer, p.wasmtime, p.ratio, p.spread.0, p.spread.1
        ));
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let one = load.split_whitespace().next().unwrap_or("?");
        md.push_str(&format!(
            "\nLoad average (1 min) when the rounds ended: {one}.\n"
        ));
    }
    md.push_str(&format!("\n{WHERE_TIME_GOES}\n"));
    let dir = std::env::var_os("SLOTS_BENCH_RESULTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-results")
        });
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("versus.md"), md);
    }
}

criterion_group!(benches, versus);
criterion_main!(benches);
