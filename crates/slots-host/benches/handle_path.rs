//! The handle path against the floor: guest loops on real Wasmer, each side
//! of every comparison measured in this one process, ratios printed at the end.
//!
//! `SLOTS_BENCH_QUICK=1` shortens every measurement for a smoke run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use host_wasmer::bindings::{BoundInstance, new_env};
use host_wasmer::{HostConfig, SharedHost};
use slots_bench_support::report::{Bar, Section, Table};
use slots_bench_support::timings::Timings;
use slots_host::{HostData, MatchOptions, Pattern};
use wasmer::{
    Function, FunctionEnv, FunctionEnvMut, Imports, Instance, Module, Store, TypedFunction, imports,
};

/// A pattern that is costly to compile, as real ones are: alternatives of
/// words with classes and repetition.
const COSTLY_PATTERN: &str = r"(?:error|warn(?:ing)?|fatal|panic|fail(?:ed|ure)?)\s*[:=]\s*(\w+)\s+(?:at|in)\s+([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)\s*\((\d{1,5})\)";

/// Time per guest-side iteration, by benchmark name: criterion's last
/// sample of each.
static TIMES: Timings = Timings::new();

struct Guest {
    store: Store,
    instance: BoundInstance<HostData>,
}

impl Guest {
    fn new() -> Self {
        let mut store = Store::default();
        let module = Module::new(
            &store,
            wat::parse_str(include_str!("bench_guest.wat")).unwrap(),
        )
        .unwrap();
        // The bench guest exports loops, not the world's `run`: the world's
        // imports are defined, and the instance taken as it is.
        let host = SharedHost::new(HostConfig::default());
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
    let module = Module::new(
        &store,
        wat::parse_str(include_str!("floor_guest.wat")).unwrap(),
    )
    .unwrap();
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

    let (mut floor_store, floor_loop) = floor(false);
    group.bench_function(
        "floor: import returning a constant",
        TIMES.bench_loop("floor", |n| {
            floor_loop.call(&mut floor_store, 1, n).unwrap()
        }),
    );
    let (mut env_store, env_loop) = floor(true);
    group.bench_function(
        "constant import with an environment",
        TIMES.bench_loop("constant with env", |n| {
            env_loop.call(&mut env_store, 1, n).unwrap()
        }),
    );

    let mut guest = Guest::new();
    guest.write(1024, b"bench bucket");
    let new_bucket = guest.func::<i32, i32>("new-bucket");
    let bucket = new_bucket.call(&mut guest.store, 12).unwrap();
    let method = guest.func::<(i32, i32), ()>("method-loop");
    group.bench_function(
        "method on a handle (bucket.len)",
        TIMES.bench_loop("method", |n| {
            method.call(&mut guest.store, bucket, n).unwrap()
        }),
    );

    guest.write(64, COSTLY_PATTERN.as_bytes());
    let source_len = COSTLY_PATTERN.len() as i32;
    let open = guest.func::<i32, i32>("open");
    let open_drop = guest.func::<(i32, i32), ()>("open-drop-loop");
    // Holding one handle to the key makes every open an intern hit.
    let held = open.call(&mut guest.store, source_len).unwrap();
    group.bench_function(
        "open + drop, interned",
        TIMES.bench_loop("open+drop interned", |n| {
            open_drop.call(&mut guest.store, source_len, n).unwrap()
        }),
    );
    let drop_pattern = guest.func::<i32, ()>("drop-pattern");
    drop_pattern.call(&mut guest.store, held).unwrap();
    group.bench_function(
        "open + drop, cache hit",
        TIMES.bench_loop("open+drop cache hit", |n| {
            open_drop.call(&mut guest.store, source_len, n).unwrap()
        }),
    );
    group.bench_function("create the pattern anew", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                std::hint::black_box(
                    Pattern::compile(COSTLY_PATTERN, MatchOptions::default()).unwrap(),
                );
            }
            TIMES.record("create", start.elapsed(), iters)
        })
    });

    let pattern = open.call(&mut guest.store, source_len).unwrap();
    let string_arg = guest.func::<(i32, i32, i32), ()>("string-arg-loop");
    let string_result = guest.func::<(i32, i32), ()>("string-result-loop");
    let list_round_trip = guest.func::<(i32, i32, i32), ()>("list-round-trip-loop");
    for (size, label) in [(16usize, "16 B"), (4096, "4 KiB")] {
        guest.write(1024, &vec![b'z'; size]);
        let named = new_bucket.call(&mut guest.store, size as i32).unwrap();
        for kind in ["string arg", "string result", "list<u8> round trip"] {
            let name = format!("{kind} {label}");
            let mut guest_loop = |n| match kind {
                "string arg" => string_arg.call(&mut guest.store, pattern, size as i32, n),
                "string result" => string_result.call(&mut guest.store, named, n),
                _ => list_round_trip.call(&mut guest.store, named, size as i32, n),
            };
            group.bench_function(
                &name,
                TIMES.bench_loop(name.as_str(), |n| guest_loop(n).unwrap()),
            );
        }
    }
    group.finish();
    report();
}

/// The rows of the report: (benchmark name, what it measures, bar on the
/// ratio to the floor).
const ROWS: [(&str, &str, Option<Bar>); 10] = [
    (
        "constant with env",
        "constant import with an environment (Wasmer's own cost)",
        None,
    ),
    (
        "method",
        "method on a handle (`bucket.len`)",
        Some(Bar::at_most(1.15)),
    ),
    (
        "open+drop interned",
        "keyed open + drop, interned",
        Some(Bar::at_most(2.5)),
    ),
    (
        "open+drop cache hit",
        "keyed open + drop, shared-cache hit",
        Some(Bar::at_most(2.5)),
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

/// A cache hit against creating the object anew: at least this much faster.
const CACHE_BAR: Bar = Bar::at_least(50.0);

fn report() {
    let Some(floor) = TIMES.latest("floor") else {
        return;
    };
    let mut table = Table::new(&[
        "operation",
        "ns per call",
        "ratio to floor",
        "bar",
        "verdict",
    ])
    .left(4);
    for (key, label, bar) in ROWS {
        if let Some(mean) = TIMES.latest(key) {
            let ratio = mean / floor;
            let [bar, verdict] = Bar::cells(bar, ratio);
            table.row([
                label.to_string(),
                format!("{mean:.1}"),
                format!("{ratio:.2}x"),
                bar,
                verdict,
            ]);
        }
    }
    let mut md = Section::new("Handle path against the floor");
    md.paragraph(&format!(
        "Guest loops on Wasmer, time per call as a ratio to the floor measured in the same run \
         (an import returning a constant: {floor:.1} ns)."
    ))
    .table(&table);
    if let (Some(create), Some(hit)) = (TIMES.latest("create"), TIMES.latest("open+drop cache hit"))
    {
        let speedup = create / hit;
        md.paragraph(&format!(
            "A cache hit (open + drop of a warm compiled pattern) against compiling it anew \
             ({create:.0} ns): **{speedup:.0}x faster** (bar: {CACHE_BAR}, {}).",
            CACHE_BAR.verdict(speedup)
        ));
    }
    md.write("handle_path")
        .expect("the handle_path fragment is written");
}

criterion_group! {
    name = benches;
    config = slots_bench_support::estimates::criterion();
    targets = handle_path
}
criterion_main!(benches);
