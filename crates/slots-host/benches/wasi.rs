//! WASI guests against the same guests without WASI, both sides in this one
//! process, ratios printed at the end, both on the generated bindings
//! (`slots_host::generated::Guest`):
//! - instantiating the `printing` example built for wasm32-wasip1 (a
//!   `WasiState` of its own, the WASI functions it imports beside the
//!   world's) against its wasm32-unknown-unknown build, everything
//!   wasmer-wasix lets a host build ahead of time (`WasiHost`, the compiled
//!   modules) built once;
//! - a method on a handle (`bucket.len`) in a loop of a WASI guest against
//!   the same loop in a plain one.
//!
//! The guests come from `cargo xtask bench`, which builds them first.
//! `SLOTS_BENCH_QUICK=1` shortens every measurement for a smoke run.
//! `SLOTS_WASI_PROFILE=N` runs no benchmark: it instantiates and tears down
//! each side N times, one function per phase (`profile_plain_*`,
//! `profile_wasi_*`), for `cargo xtask profile-wasi` to run under callgrind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use host_wasmer::bindings;
use host_wasmer::wasi::{WasiConfig, WasiGuest, WasiHost, WasiState};
use host_wasmer::{HostConfig, InstanceEnv, SharedHost};
use slots_bench_support::clock::in_chunks;
use slots_bench_support::estimates::quick;
use slots_bench_support::report::{Bar, Section, Table, load_average};
use slots_bench_support::rounds::{Paired, paired};
use slots_bench_support::timings::Timings;
use slots_host::HostData;
use slots_host::generated::Guest;
use wasmer::{Engine, FunctionEnv, Imports, Module, Store, TypedFunction};

/// Time per iteration, by benchmark name: criterion's last sample of each.
static TIMES: Timings = Timings::new();

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

/// What is built once per host.
struct Bench {
    host: Arc<SharedHost>,
    wasi: Arc<WasiHost>,
    engine: Engine,
}

impl Bench {
    /// A plain guest on the generated bindings.
    fn plain(&self, store: &mut Store, module: &Module) -> Guest<HostData> {
        Guest::new(
            store,
            module,
            HostData::default(),
            self.host.clone(),
            "bench",
        )
        .unwrap()
    }

    /// A WASI guest on the generated bindings, as an embedder sets it up.
    fn wasi(
        &self,
        store: &mut Store,
        module: &Module,
        config: &WasiConfig,
    ) -> WasiGuest<Guest<HostData>> {
        let mut state = WasiState::new(store, module, &self.wasi, config).unwrap();
        let env = bindings::new_env(store, HostData::default(), self.host.clone(), "bench");
        Guest::add_to_imports(store, &env, state.imports_mut());
        let guest = Guest::instantiate(store, module, state.imports(), env).unwrap();
        state.start_guest(store, guest).unwrap()
    }

    /// A bucket's method loop in a new instance, plain or WASI.
    #[allow(clippy::type_complexity)]
    fn method_loop(
        &self,
        wat: &str,
        wasi: bool,
    ) -> (
        Store,
        TypedFunction<(i32, i32), ()>,
        i32,
        Option<WasiGuest<Guest<HostData>>>,
    ) {
        let mut store = Store::new(self.engine.clone());
        let module = Module::new(&store, wat::parse_str(wat).unwrap()).unwrap();
        let (instance, kept) = if wasi {
            let guest = self.wasi(&mut store, &module, &WasiConfig::new("bench"));
            (guest.instance().wasmer().clone(), Some(guest))
        } else {
            let guest = self.plain(&mut store, &module);
            (guest.instance().wasmer().clone(), None)
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
        (store, method, bucket, kept)
    }
}

/// The guests and what is built once, for the benchmark and the profile.
fn setup() -> (Bench, Module, Module) {
    let engine = Store::default().engine().clone();
    let bench = Bench {
        host: SharedHost::new(HostConfig::default()),
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
    (bench, plain, wasi)
}

fn wasi(c: &mut Criterion) {
    if let Some(n) = std::env::var_os("SLOTS_WASI_PROFILE") {
        let n = n
            .to_string_lossy()
            .parse()
            .expect("SLOTS_WASI_PROFILE=<count>");
        profile(n);
        return;
    }
    let load_before = load_average();
    let mut group = c.benchmark_group("wasi");
    let (bench, plain, wasi) = setup();
    let config = WasiConfig::new("printing");

    let instantiate_plain = |iters: u64| {
        let start = Instant::now();
        for _ in 0..iters {
            let mut store = Store::new(bench.engine.clone());
            let guest = bench.plain(&mut store, &plain);
            guest
                .instance()
                .teardown(&mut store)
                .expect("the guest's own store");
            drop((guest, store));
        }
        start.elapsed()
    };
    let instantiate_wasi = |iters: u64| {
        let start = Instant::now();
        for _ in 0..iters {
            let mut store = Store::new(bench.engine.clone());
            let guest = bench.wasi(&mut store, &wasi, &config);
            guest.teardown(&mut store).unwrap();
            drop((guest, store));
        }
        start.elapsed()
    };
    group.bench_function("instantiate + teardown, plain guest", |b| {
        b.iter_custom(|iters| TIMES.record("instantiate plain", instantiate_plain(iters), iters))
    });
    group.bench_function("instantiate + teardown, WASI guest", |b| {
        b.iter_custom(|iters| TIMES.record("instantiate wasi", instantiate_wasi(iters), iters))
    });

    let (plain_wat, wasi_wat) = loop_guests();
    let (mut plain_store, plain_loop, plain_bucket, _) = bench.method_loop(&plain_wat, false);
    let (mut wasi_store, wasi_loop, wasi_bucket, _wasi_guest) = bench.method_loop(&wasi_wat, true);
    let mut method_plain = |n| plain_loop.call(&mut plain_store, plain_bucket, n).unwrap();
    let mut method_wasi = |n| wasi_loop.call(&mut wasi_store, wasi_bucket, n).unwrap();
    group.bench_function(
        "method on a handle, plain guest",
        TIMES.bench_loop("method plain", &mut method_plain),
    );
    group.bench_function(
        "method on a handle, WASI guest",
        TIMES.bench_loop("method wasi", &mut method_wasi),
    );
    group.finish();

    // Paired rounds: both sides back to back in each round, the median of
    // the rounds' ratios, so that drift on a shared machine cancels.
    let (rounds, instances, calls) = if quick() {
        (5, 20, 200_000)
    } else {
        (21, 100, 2_000_000)
    };
    let seconds = |d: Duration| d.as_secs_f64();
    let instantiate = paired(
        rounds,
        || seconds(instantiate_wasi(instances)),
        || seconds(instantiate_plain(instances)),
    );
    let method = paired(
        rounds,
        || seconds(in_chunks(calls, &mut method_wasi)),
        || seconds(in_chunks(calls, &mut method_plain)),
    );
    report(&[instantiate, method], load_before, load_average());
}

/// The rows of the report: (label, criterion's names of the plain and WASI
/// sides, bar on WASI / plain).
const ROWS: [(&str, [&str; 2], Bar); 2] = [
    (
        "instantiate + teardown of `printing` (wasip1 against wasm32-unknown-unknown)",
        ["instantiate plain", "instantiate wasi"],
        Bar::at_most(2.0),
    ),
    (
        "method on a handle (`bucket.len`), WASI guest against plain",
        ["method plain", "method wasi"],
        Bar::at_most(1.05),
    ),
];

/// `paired` holds the rounds of each row of [`ROWS`], WASI against plain.
fn report(paired: &[Paired; 2], load_before: Option<[String; 3]>, load_after: Option<[String; 3]>) {
    let mut table = Table::new(&[
        "operation",
        "plain",
        "WASI",
        "ratio (paired)",
        "criterion ratio",
        "bar",
        "verdict",
    ])
    .left(6);
    for ((label, [plain, wasi], bar), p) in ROWS.iter().zip(paired) {
        let (Some(plain), Some(wasi)) = (TIMES.latest(plain), TIMES.latest(wasi)) else {
            continue;
        };
        let ratio = p.ratio.median;
        let unit = |ns: f64| {
            if ns >= 10_000.0 {
                format!("{:.1} µs", ns / 1000.0)
            } else {
                format!("{ns:.1} ns")
            }
        };
        table.row([
            label.to_string(),
            unit(plain),
            unit(wasi),
            format!("{ratio:.2}x"),
            format!("{:.2}x", wasi / plain),
            bar.to_string(),
            bar.verdict(ratio).to_string(),
        ]);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = |l: Option<[String; 3]>| l.map_or_else(|| "unknown".into(), |l| l.join(", "));
    Section::new("WASI guests against plain ones")
        .paragraph(
            "The same guest with and without WASI, both measured in this run; `WasiHost` \
             (wasmer-wasix's runtime and task manager) and the compiled modules are built \
             once.",
        )
        .paragraph(
            "The ratio is the median of paired rounds run after the criterion groups (both sides \
             back to back in each round, the order alternating); criterion's own ratio, from \
             windows seconds apart, is beside it.",
        )
        .table(&table)
        .paragraph(&format!(
            "Both sides on the generated bindings (`slots_host::generated::Guest`; the WASI side \
             through `WasiState`, as in its docs), each instance torn down explicitly, then its \
             store dropped. Load average (1, 5, 15 min) on this {cores}-core machine: {} before \
             the benchmark, {} after. Where a WASI instantiation's time goes, by phase and by \
             function, is in the next section (`cargo xtask profile-wasi`, callgrind).",
            load(load_before),
            load(load_after),
        ))
        .write("wasi")
        .expect("the wasi fragment is written");
}

/// Instantiates and tears down each side `n` times, every phase in a
/// function of its own so that a profiler's inclusive costs split the
/// time by phase: `profile_plain_*` for the plain guest, `profile_wasi_*`
/// for the WASI one, both under `profile_run`.
fn profile(n: u64) {
    let (bench, plain, wasi) = setup();
    let config = WasiConfig::new("printing");
    // One of each first, so that lazily built state is not counted.
    profile_run(&bench, &plain, &wasi, &config, 1);
    profile_run(&bench, &plain, &wasi, &config, n);
}

#[inline(never)]
fn profile_run(bench: &Bench, plain: &Module, wasi: &Module, config: &WasiConfig, n: u64) {
    profile_plain(bench, plain, n);
    profile_wasi(bench, wasi, config, n);
}

#[inline(never)]
fn profile_plain(bench: &Bench, module: &Module, n: u64) {
    for _ in 0..n {
        let mut store = profile_plain_store(bench);
        let env = profile_plain_env(bench, &mut store);
        let imports = profile_plain_imports(&mut store, &env);
        let guest = profile_plain_instantiate(&mut store, module, &imports, env);
        profile_plain_teardown(&mut store, &guest);
        profile_plain_drop(store, guest, imports);
    }
}

#[inline(never)]
fn profile_wasi(bench: &Bench, module: &Module, config: &WasiConfig, n: u64) {
    for _ in 0..n {
        let mut store = profile_wasi_store(bench);
        let mut state = profile_wasi_state(bench, &mut store, module, config);
        let env = profile_wasi_env(bench, &mut store);
        profile_wasi_imports(&mut store, &env, &mut state);
        let guest = profile_wasi_instantiate(&mut store, module, &state, env);
        let guest = profile_wasi_start(&mut store, state, guest);
        profile_wasi_teardown(&mut store, &guest);
        profile_wasi_drop(store, guest);
    }
}

#[inline(never)]
fn profile_plain_store(bench: &Bench) -> Store {
    // A body of its own, so that the linker does not fold the two sides'.
    black_box("plain");
    Store::new(bench.engine.clone())
}

#[inline(never)]
fn profile_plain_env(bench: &Bench, store: &mut Store) -> FunctionEnv<InstanceEnv<HostData>> {
    black_box("plain");
    bindings::new_env(store, HostData::default(), bench.host.clone(), "bench")
}

#[inline(never)]
fn profile_plain_imports(store: &mut Store, env: &FunctionEnv<InstanceEnv<HostData>>) -> Imports {
    let mut imports = Imports::new();
    Guest::add_to_imports(store, env, &mut imports);
    imports
}

#[inline(never)]
fn profile_plain_instantiate(
    store: &mut Store,
    module: &Module,
    imports: &Imports,
    env: FunctionEnv<InstanceEnv<HostData>>,
) -> Guest<HostData> {
    Guest::instantiate(store, module, imports, env).unwrap()
}

#[inline(never)]
fn profile_plain_teardown(store: &mut Store, guest: &Guest<HostData>) {
    guest
        .instance()
        .teardown(store)
        .expect("the guest's own store");
}

#[inline(never)]
fn profile_plain_drop(store: Store, guest: Guest<HostData>, imports: Imports) {
    drop(black_box((guest, imports, store)));
}

#[inline(never)]
fn profile_wasi_store(bench: &Bench) -> Store {
    // A body of its own, so that the linker does not fold the two sides'.
    black_box("wasi");
    Store::new(bench.engine.clone())
}

#[inline(never)]
fn profile_wasi_state(
    bench: &Bench,
    store: &mut Store,
    module: &Module,
    config: &WasiConfig,
) -> WasiState {
    WasiState::new(store, module, &bench.wasi, config).unwrap()
}

#[inline(never)]
fn profile_wasi_env(bench: &Bench, store: &mut Store) -> FunctionEnv<InstanceEnv<HostData>> {
    black_box("wasi");
    bindings::new_env(store, HostData::default(), bench.host.clone(), "bench")
}

#[inline(never)]
fn profile_wasi_imports(
    store: &mut Store,
    env: &FunctionEnv<InstanceEnv<HostData>>,
    state: &mut WasiState,
) {
    Guest::add_to_imports(store, env, state.imports_mut());
}

#[inline(never)]
fn profile_wasi_instantiate(
    store: &mut Store,
    module: &Module,
    state: &WasiState,
    env: FunctionEnv<InstanceEnv<HostData>>,
) -> Guest<HostData> {
    Guest::instantiate(store, module, state.imports(), env).unwrap()
}

#[inline(never)]
fn profile_wasi_start(
    store: &mut Store,
    state: WasiState,
    guest: Guest<HostData>,
) -> WasiGuest<Guest<HostData>> {
    state.start_guest(store, guest).unwrap()
}

#[inline(never)]
fn profile_wasi_teardown(store: &mut Store, guest: &WasiGuest<Guest<HostData>>) {
    guest.teardown(store).unwrap();
}

#[inline(never)]
fn profile_wasi_drop(store: Store, guest: WasiGuest<Guest<HostData>>) {
    drop(black_box((guest, store)));
}

criterion_group! {
    name = benches;
    config = slots_bench_support::estimates::criterion();
    targets = wasi
}
criterion_main!(benches);
