//! The handle path against the floor: guest loops on real Wasmer, each side
//! of every comparison measured in this one process, ratios printed at the end.
//!
//! `SLOTS_BENCH_QUICK=1` shortens every measurement for a smoke run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use host_wasmer::bindings::{BoundInstance, new_env};
use host_wasmer::{HostConfig, SlotsHost};
use slots_host::{HostData, MatchOptions, Pattern};
use wasmer::{
    Function, FunctionEnv, FunctionEnvMut, Imports, Instance, Module, Store, TypedFunction, imports,
};

/// A pattern that is costly to compile, as real ones are: alternatives of
/// words with classes and repetition.
const COSTLY_PATTERN: &str = r"(?:error|warn(?:ing)?|fatal|panic|fail(?:ed|ure)?)\s*[:=]\s*(\w+)\s+(?:at|in)\s+([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)\s*\((\d{1,5})\)";

/// Mean time per guest-side iteration, by benchmark name.
static MEANS: Mutex<BTreeMap<&'static str, f64>> = Mutex::new(BTreeMap::new());

fn record(name: &'static str, total: Duration, iters: u64) {
    let per = total.as_secs_f64() * 1e9 / iters.max(1) as f64;
    MEANS.lock().unwrap().insert(name, per);
}

/// Runs `call(n)` until `iters` iterations are done, in chunks an i32 holds.
fn timed(iters: u64, mut call: impl FnMut(i32)) -> Duration {
    let start = Instant::now();
    let mut left = iters;
    while left > 0 {
        let n = left.min(1 << 24);
        call(n as i32);
        left -= n;
    }
    start.elapsed()
}

struct Guest {
    store: Store,
    instance: BoundInstance<HostData>,
}

impl Guest {
    fn new() -> Self {
        let mut store = Store::default();
        let module = Module::new(&store, include_str!("bench_guest.wat")).unwrap();
        // The bench guest exports loops, not the world's `run`: the world's
        // imports are defined, and the instance taken as it is.
        let host = SlotsHost::new(HostConfig::default());
        let env = new_env(&mut store, HostData::default(), host, "bench");
        let mut imports = Imports::new();
        slots_host::Guest::add_to_imports(&mut store, &env, &mut imports);
        let instance = BoundInstance::instantiate(&mut store, &module, &imports, env).unwrap();
        Self { store, instance }
    }

    fn func<A: wasmer::WasmTypeList, R: wasmer::WasmTypeList>(
        &self,
        name: &str,
    ) -> TypedFunction<A, R> {
        self.instance
            .wasmer()
            .exports
            .get_typed_function(&self.store, name)
            .unwrap()
    }

    fn write(&mut self, offset: u64, bytes: &[u8]) {
        let memory = self
            .instance
            .wasmer()
            .exports
            .get_memory("memory")
            .unwrap()
            .clone();
        memory.view(&self.store).write(offset, bytes).unwrap();
    }
}

/// The floor guest's loop over a constant import; with `env`, the import
/// is a host function with a (unit) environment, as every slots import is.
fn floor(env: bool) -> (Store, TypedFunction<(i32, i32), ()>) {
    let mut store = Store::default();
    let module = Module::new(&store, include_str!("floor_guest.wat")).unwrap();
    let constant = if env {
        let env = FunctionEnv::new(&mut store, ());
        Function::new_typed_with_env(
            &mut store,
            &env,
            |_: FunctionEnvMut<'_, ()>, _: i32| -> i32 { 7 },
        )
    } else {
        Function::new_typed(&mut store, |_: i32| -> i32 { 7 })
    };
    let instance = Instance::new(
        &mut store,
        &module,
        &imports! { "floor" => { "constant" => constant } },
    )
    .unwrap();
    let method = instance
        .exports
        .get_typed_function(&store, "method-loop")
        .unwrap();
    (store, method)
}

fn handle_path(c: &mut Criterion) {
    let mut group = c.benchmark_group("handle_path");
    if std::env::var_os("SLOTS_BENCH_QUICK").is_some() {
        group.warm_up_time(Duration::from_millis(200));
        group.measurement_time(Duration::from_millis(500));
        group.sample_size(10);
    }

    let (mut floor_store, floor_loop) = floor(false);
    group.bench_function("floor: import returning a constant", |b| {
        b.iter_custom(|iters| {
            let t = timed(iters, |n| floor_loop.call(&mut floor_store, 1, n).unwrap());
            record("floor", t, iters);
            t
        })
    });
    let (mut env_store, env_loop) = floor(true);
    group.bench_function("constant import with an environment", |b| {
        b.iter_custom(|iters| {
            let t = timed(iters, |n| env_loop.call(&mut env_store, 1, n).unwrap());
            record("constant with env", t, iters);
            t
        })
    });

    let mut guest = Guest::new();
    guest.write(1024, b"bench bucket");
    let new_bucket = guest.func::<i32, i32>("new-bucket");
    let bucket = new_bucket.call(&mut guest.store, 12).unwrap();
    let method = guest.func::<(i32, i32), ()>("method-loop");
    group.bench_function("method on a handle (bucket.len)", |b| {
        b.iter_custom(|iters| {
            let t = timed(iters, |n| method.call(&mut guest.store, bucket, n).unwrap());
            record("method", t, iters);
            t
        })
    });

    guest.write(64, COSTLY_PATTERN.as_bytes());
    let source_len = COSTLY_PATTERN.len() as i32;
    let open = guest.func::<i32, i32>("open");
    let open_drop = guest.func::<(i32, i32), ()>("open-drop-loop");
    // Holding one handle to the key makes every open an intern hit.
    let held = open.call(&mut guest.store, source_len).unwrap();
    group.bench_function("open + drop, interned", |b| {
        b.iter_custom(|iters| {
            let t = timed(iters, |n| {
                open_drop.call(&mut guest.store, source_len, n).unwrap()
            });
            record("open+drop interned", t, iters);
            t
        })
    });
    let drop_pattern: TypedFunction<i32, ()> = guest
        .instance
        .wasmer()
        .exports
        .get_typed_function(&guest.store, "drop-pattern")
        .unwrap();
    drop_pattern.call(&mut guest.store, held).unwrap();
    group.bench_function("open + drop, cache hit", |b| {
        b.iter_custom(|iters| {
            let t = timed(iters, |n| {
                open_drop.call(&mut guest.store, source_len, n).unwrap()
            });
            record("open+drop cache hit", t, iters);
            t
        })
    });
    group.bench_function("create the pattern anew", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                std::hint::black_box(
                    Pattern::compile(COSTLY_PATTERN, MatchOptions::default()).unwrap(),
                );
            }
            let t = start.elapsed();
            record("create", t, iters);
            t
        })
    });

    let pattern = open.call(&mut guest.store, source_len).unwrap();
    let string_arg = guest.func::<(i32, i32, i32), ()>("string-arg-loop");
    let string_result = guest.func::<(i32, i32), ()>("string-result-loop");
    let list_round_trip = guest.func::<(i32, i32, i32), ()>("list-round-trip-loop");
    for (size, label_arg, label_result, label_list) in [
        (
            16usize,
            "string arg 16 B",
            "string result 16 B",
            "list<u8> round trip 16 B",
        ),
        (
            4096,
            "string arg 4 KiB",
            "string result 4 KiB",
            "list<u8> round trip 4 KiB",
        ),
    ] {
        guest.write(1024, &vec![b'z'; size]);
        let named = new_bucket.call(&mut guest.store, size as i32).unwrap();
        group.bench_function(label_arg, |b| {
            b.iter_custom(|iters| {
                let t = timed(iters, |n| {
                    string_arg
                        .call(&mut guest.store, pattern, size as i32, n)
                        .unwrap()
                });
                record(label_arg, t, iters);
                t
            })
        });
        group.bench_function(label_result, |b| {
            b.iter_custom(|iters| {
                let t = timed(iters, |n| {
                    string_result.call(&mut guest.store, named, n).unwrap()
                });
                record(label_result, t, iters);
                t
            })
        });
        group.bench_function(label_list, |b| {
            b.iter_custom(|iters| {
                let t = timed(iters, |n| {
                    list_round_trip
                        .call(&mut guest.store, named, size as i32, n)
                        .unwrap()
                });
                record(label_list, t, iters);
                t
            })
        });
    }
    group.finish();
    report();
}

fn report() {
    let means = MEANS.lock().unwrap();
    let Some(&floor) = means.get("floor") else {
        return;
    };
    let rows: [(&str, &str, Option<f64>); 10] = [
        (
            "constant with env",
            "constant import with an environment (Wasmer's own cost)",
            None,
        ),
        ("method", "method on a handle (`bucket.len`)", Some(1.15)),
        (
            "open+drop interned",
            "keyed open + drop, interned",
            Some(2.5),
        ),
        (
            "open+drop cache hit",
            "keyed open + drop, shared-cache hit",
            Some(2.5),
        ),
        ("string arg 16 B", "string argument, 16 B", None),
        ("string arg 4 KiB", "string argument, 4 KiB", None),
        ("string result 16 B", "string result, 16 B", None),
        ("string result 4 KiB", "string result, 4 KiB", None),
        (
            "list<u8> round trip 16 B",
            "`list<u8>` put + get, 16 B",
            None,
        ),
        (
            "list<u8> round trip 4 KiB",
            "`list<u8>` put + get, 4 KiB",
            None,
        ),
    ];
    let mut md = String::from("## Handle path against the floor\n\n");
    md.push_str(&format!(
        "Guest loops on Wasmer, time per call as a ratio to the floor measured in the same run \
         (an import returning a constant: {floor:.1} ns).\n\n\
         | operation | ns per call | ratio to floor | bar | verdict |\n|---|---:|---:|---:|---|\n"
    ));
    println!("\nhandle path, time per call as a ratio to the floor ({floor:.1} ns), same run:");
    for (key, label, bar) in rows {
        let Some(&mean) = means.get(key) else {
            continue;
        };
        let ratio = mean / floor;
        let (bar_text, verdict) = match bar {
            Some(bar) if ratio <= bar => (format!("{bar}x"), "pass"),
            Some(bar) => (format!("{bar}x"), "miss"),
            None => (String::from("-"), "-"),
        };
        println!("  {label:<60} {mean:>10.1} ns  {ratio:>8.2}x  bar {bar_text:<6} {verdict}");
        md.push_str(&format!(
            "| {label} | {mean:.1} | {ratio:.2}x | {bar_text} | {verdict} |\n"
        ));
    }
    if let (Some(create), Some(hit)) = (means.get("create"), means.get("open+drop cache hit")) {
        let speedup = create / hit;
        let verdict = if speedup >= 50.0 { "pass" } else { "miss" };
        println!(
            "  cache hit vs compiling the pattern anew: {speedup:.0}x faster (bar 50x: {verdict})"
        );
        md.push_str(&format!(
            "\nA cache hit (open + drop of a warm compiled pattern) against compiling it anew \
             ({create:.0} ns): **{speedup:.0}x faster** (bar: at least 50x, {verdict}).\n"
        ));
    }
    write_fragment("handle_path.md", &md);
}

/// Writes a markdown fragment for `cargo xtask bench` to gather.
fn write_fragment(name: &str, text: &str) {
    let dir = std::env::var_os("SLOTS_BENCH_RESULTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-results")
        });
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(name), text);
    }
}

criterion_group!(benches, handle_path);
criterion_main!(benches);
