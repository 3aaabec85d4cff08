//! WASI guests against the same guests without WASI, both sides in this one
//! process, ratios printed at the end:
//! - instantiating the `printing` example built for wasm32-wasip1 (a WASI
//!   state of its own, wasmer-wasix's imports beside the world's) against
//!   its wasm32-unknown-unknown build, everything wasmer-wasix lets a host
//!   build ahead of time (`WasiHost`, the compiled modules, the linker)
//!   built once;
//! - a method on a handle (`bucket.len`) in a loop of a WASI guest against
//!   the same loop in a plain one.
//!
//! The guests come from `cargo xtask bench`, which builds them first.
//! `SLOTS_BENCH_QUICK=1` shortens every measurement for a smoke run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use host_wasmer::wasi::{WasiConfig, WasiHost};
use host_wasmer::{HostConfig, Linker, SlotsHost};
use slots_host::{HostData, linker};
use wasmer::{Engine, Module, Store, TypedFunction};

/// Mean time per iteration, by benchmark name.
static MEANS: Mutex<BTreeMap<&'static str, f64>> = Mutex::new(BTreeMap::new());

fn record(name: &'static str, total: Duration, iters: u64) {
    let per = total.as_secs_f64() * 1e9 / iters.max(1) as f64;
    MEANS.lock().unwrap().insert(name, per);
}

/// The bytes of guest example `name` as xtask builds it for `target`.
fn guest(name: &str, target: &str, var: &str) -> Vec<u8> {
    let dir = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../guest-examples/target")
            .join(target)
            .join("release")
    });
    let path = dir.join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; `cargo xtask bench` builds the guests first",
            path.display()
        )
    })
}

/// The benchmark guest of `handle_path`, and the same declaring one WASI
/// import, which makes it a WASI guest with a WASI state of its own.
fn loop_guests() -> (String, String) {
    let plain = include_str!("bench_guest.wat").to_string();
    let wasi = plain.replacen(
        "(module",
        "(module\n  (import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32 i32 i32 i32) (result i32)))",
        1,
    );
    assert_ne!(plain, wasi, "the WASI import went in");
    (plain, wasi)
}

struct Bench {
    linker: Linker<HostData>,
    wasi: Arc<WasiHost>,
    engine: Engine,
}

impl Bench {
    /// A bucket's method loop in a new instance, plain or WASI.
    fn method_loop(&self, wat: &str, wasi: bool) -> (Store, TypedFunction<(i32, i32), ()>, i32) {
        let mut store = Store::new(self.engine.clone());
        let module = Module::new(&store, wat::parse_str(wat).unwrap()).unwrap();
        let instance = if wasi {
            let config = WasiConfig::new("bench");
            let wasi = self
                .linker
                .instantiate_wasi(
                    &mut store,
                    &module,
                    HostData::default(),
                    "bench",
                    &self.wasi,
                    &config,
                )
                .unwrap();
            wasi.guest().wasmer().clone()
        } else {
            self.linker
                .instantiate(&mut store, &module, HostData::default(), "bench")
                .unwrap()
                .wasmer()
                .clone()
        };
        let memory = instance.exports.get_memory("memory").unwrap().clone();
        memory.view(&store).write(1024, b"bench bucket").unwrap();
        let new_bucket: TypedFunction<i32, i32> = instance
            .exports
            .get_typed_function(&store, "new-bucket")
            .unwrap();
        let bucket = new_bucket.call(&mut store, 12).unwrap();
        let method = instance
            .exports
            .get_typed_function(&store, "method-loop")
            .unwrap();
        (store, method, bucket)
    }
}

fn wasi(c: &mut Criterion) {
    let mut group = c.benchmark_group("wasi");
    if std::env::var_os("SLOTS_BENCH_QUICK").is_some() {
        group.warm_up_time(Duration::from_millis(200));
        group.measurement_time(Duration::from_millis(500));
        group.sample_size(10);
    }
    let engine = Store::default().engine().clone();
    let bench = Bench {
        linker: linker(SlotsHost::new(HostConfig::default())).unwrap(),
        wasi: WasiHost::new().unwrap(),
        engine: engine.clone(),
    };
    let plain = Module::new(
        &engine,
        guest("printing", "wasm32-unknown-unknown", "SLOTS_GUESTS_DIR"),
    )
    .unwrap();
    let wasi = Module::new(
        &engine,
        guest("printing", "wasm32-wasip1", "SLOTS_WASI_GUESTS_DIR"),
    )
    .unwrap();
    let config = WasiConfig::new("printing");

    let instantiate_plain = |iters: u64| {
        let start = Instant::now();
        for _ in 0..iters {
            let mut store = Store::new(engine.clone());
            let instance = bench
                .linker
                .instantiate(&mut store, &plain, HostData::default(), "bench")
                .unwrap();
            drop((instance, store));
        }
        start.elapsed()
    };
    let instantiate_wasi = |iters: u64| {
        let start = Instant::now();
        for _ in 0..iters {
            let mut store = Store::new(engine.clone());
            let instance = bench
                .linker
                .instantiate_wasi(
                    &mut store,
                    &wasi,
                    HostData::default(),
                    "bench",
                    &bench.wasi,
                    &config,
                )
                .unwrap();
            drop((instance, store));
        }
        start.elapsed()
    };
    group.bench_function("instantiate + teardown, plain guest", |b| {
        b.iter_custom(|iters| {
            let t = instantiate_plain(iters);
            record("instantiate plain", t, iters);
            t
        })
    });
    group.bench_function("instantiate + teardown, WASI guest", |b| {
        b.iter_custom(|iters| {
            let t = instantiate_wasi(iters);
            record("instantiate wasi", t, iters);
            t
        })
    });

    let (plain_wat, wasi_wat) = loop_guests();
    let (mut plain_store, plain_loop, plain_bucket) = bench.method_loop(&plain_wat, false);
    let (mut wasi_store, wasi_loop, wasi_bucket) = bench.method_loop(&wasi_wat, true);
    let timed = |store: &mut Store, f: &TypedFunction<(i32, i32), ()>, h: i32, iters: u64| {
        let start = Instant::now();
        let mut left = iters;
        while left > 0 {
            let n = left.min(1 << 24);
            f.call(store, h, n as i32).unwrap();
            left -= n;
        }
        start.elapsed()
    };
    group.bench_function("method on a handle, plain guest", |b| {
        b.iter_custom(|iters| {
            let t = timed(&mut plain_store, &plain_loop, plain_bucket, iters);
            record("method plain", t, iters);
            t
        })
    });
    group.bench_function("method on a handle, WASI guest", |b| {
        b.iter_custom(|iters| {
            let t = timed(&mut wasi_store, &wasi_loop, wasi_bucket, iters);
            record("method wasi", t, iters);
            t
        })
    });
    group.finish();

    // Paired rounds: both sides back to back in each round, the median of
    // the rounds' ratios, so that drift on a shared machine cancels.
    let quick = std::env::var_os("SLOTS_BENCH_QUICK").is_some();
    let rounds = if quick { 5 } else { 21 };
    let (instances, calls) = if quick {
        (20, 200_000)
    } else {
        (100, 2_000_000)
    };
    let mut instantiate = Vec::new();
    let mut method = Vec::new();
    for _ in 0..rounds {
        let plain = instantiate_plain(instances);
        let wasi = instantiate_wasi(instances);
        instantiate.push(wasi.as_secs_f64() / plain.as_secs_f64());
        let plain = timed(&mut plain_store, &plain_loop, plain_bucket, calls);
        let wasi = timed(&mut wasi_store, &wasi_loop, wasi_bucket, calls);
        method.push(wasi.as_secs_f64() / plain.as_secs_f64());
    }
    let mut paired = PAIRED.lock().unwrap();
    paired.insert("instantiate", median(instantiate));
    paired.insert("method", median(method));
    drop(paired);
    report();
}

/// Median ratio of the paired rounds, by comparison.
static PAIRED: Mutex<BTreeMap<&'static str, f64>> = Mutex::new(BTreeMap::new());

fn median(mut ratios: Vec<f64>) -> f64 {
    ratios.sort_by(f64::total_cmp);
    ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN)
}

fn report() {
    let means = MEANS.lock().unwrap();
    let rows = [
        (
            "instantiate",
            "instantiate + teardown of `printing` (wasip1 against wasm32-unknown-unknown)",
            2.0,
        ),
        (
            "method",
            "method on a handle (`bucket.len`), WASI guest against plain",
            1.05,
        ),
    ];
    let mut md = String::from("## WASI guests against plain ones\n\n");
    md.push_str(
        "The same guest with and without WASI, both measured in this run; `WasiHost` \
         (wasmer-wasix's runtime and task manager), the compiled modules and the linker \
         are built once.\n\n\
         The ratio is the median of paired rounds run after the criterion groups (both sides \
         back to back in each round); criterion's own ratio, from windows seconds apart, is \
         beside it.\n\n\
         | operation | plain | WASI | ratio (paired) | criterion ratio | bar | verdict |\n\
         |---|---:|---:|---:|---:|---:|---|\n",
    );
    println!("\nWASI guests against plain ones, same run:");
    for (key, label, bar) in rows {
        let plain_key = if key == "method" {
            "method plain"
        } else {
            "instantiate plain"
        };
        let wasi_key = if key == "method" {
            "method wasi"
        } else {
            "instantiate wasi"
        };
        let (Some(&plain), Some(&wasi)) = (means.get(plain_key), means.get(wasi_key)) else {
            continue;
        };
        let criterion = wasi / plain;
        let ratio = PAIRED
            .lock()
            .unwrap()
            .get(key)
            .copied()
            .unwrap_or(criterion);
        let verdict = if ratio <= bar { "pass" } else { "miss" };
        let unit = |ns: f64| {
            if ns >= 10_000.0 {
                format!("{:.1} µs", ns / 1000.0)
            } else {
                format!("{ns:.1} ns")
            }
        };
        println!(
            "  {label:<78} {:>10} {:>10} {ratio:>6.2}x (criterion {criterion:.2}x)  bar {bar}x {verdict}",
            unit(plain),
            unit(wasi)
        );
        md.push_str(&format!(
            "| {label} | {} | {} | {ratio:.2}x | {criterion:.2}x | {bar}x | {verdict} |\n",
            unit(plain),
            unit(wasi)
        ));
    }
    write_fragment("wasi.md", &md);
}

/// Writes a markdown fragment for `cargo xtask bench` to gather.
fn write_fragment(name: &str, text: &str) {
    let dir = std::env::var_os("SLOTS_BENCH_RESULTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-results")
        });
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(name), text);
    }
}

criterion_group!(benches, wasi);
criterion_main!(benches);
