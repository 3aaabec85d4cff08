//! Lift/lower, differentially: random values of random WIT types through
//! host-wasmer's canonical ABI and through wasmtime's, compared.
//!
//! For each case a WIT world is written with an import `echo: func(x: T) ->
//! T` and an export `run: func(x: T) -> T`, and a core module that forwards
//! `run`'s core arguments to `echo` untouched. Before and after the
//! forwarding it hands its flat arguments and its heap to a second import,
//! `dump`. So each host, for the same value:
//! - lowers it into the guest (export parameters, through `cabi_realloc`),
//! - lifts it back out (import parameters) for `echo`,
//! - lowers `echo`'s result into the guest (import result, return area),
//! - lifts `run`'s result (export result).
//!
//! Both hosts must return the value unchanged, `echo` must see it
//! unchanged, and the guest memory each host wrote must be the same bytes,
//! flat argument for flat argument: the same allocations in the same order
//! with the same contents, as the canonical ABI prescribes.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod random_types;

use std::sync::{Arc, Mutex};

use host_wasmer::abi::Val as HwVal;
use host_wasmer::{GuestWorld, HostConfig, HostError, Linker, SlotsHost};
use random_types::{Defs, Rng, Value, ty, value, wit};
use wasmtime::component::Val as WtVal;
use wit_parser::abi::{AbiVariant, WasmType};

/// Cases run; each is one random type and one random value of it.
const CASES: u64 = 200;

/// Where the guest keeps its flat arguments for `dump`, its return area,
/// and the start of its heap.
const FLAT_AREA: u32 = 512;
const RETURN_AREA: u32 = 1024;
const HEAP: u32 = 16384;

/// What the guest handed to `dump` once: flat arguments (as u64s) and
/// memory.
type Dump = (Vec<u64>, Vec<u8>);
type Dumps = Arc<Mutex<Vec<Dump>>>;

/// What one host did with a value: `run`'s result, what `echo` saw, and
/// the guest's two dumps.
type Crossing<V> = (V, V, Vec<Dump>);

struct Case {
    wit: String,
    core: Vec<u8>,
}

fn case(ty: &random_types::Ty, defs: &Defs) -> Case {
    let t = wit(ty);
    let uses = match defs.names.is_empty() {
        true => String::new(),
        false => format!("  use t.{{{}}};\n", defs.names.join(", ")),
    };
    let wit = format!(
        "package test:diff;\n\ninterface t {{\n  {}\n  echo: func(x: {t}) -> {t};\n  dump: func(flat: list<u64>, heap: list<u8>);\n}}\n\nworld diff {{\n  import t;\n{uses}  export run: func(x: {t}) -> {t};\n}}\n",
        defs.text.join("\n  ")
    );
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_str("diff.wit", &wit).unwrap();
    let world = resolve.select_world(&[package], Some("diff")).unwrap();
    let interface = resolve.packages[package].interfaces["t"];
    let echo = &resolve.interfaces[interface].functions["echo"];
    let import = resolve.wasm_signature(AbiVariant::GuestImport, echo);
    let run = resolve.worlds[world]
        .exports
        .values()
        .find_map(|item| match item {
            wit_parser::WorldItem::Function(f) => Some(f),
            _ => None,
        })
        .unwrap();
    let export = resolve.wasm_signature(AbiVariant::GuestExport, run);
    let wat = core_module(&import, &export);
    let mut core = wat::parse_str(&wat).unwrap_or_else(|e| panic!("{e}\n{wat}"));
    wit_component::embed_component_metadata(
        &mut core,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .unwrap();
    Case { wit, core }
}

fn core_name(t: &WasmType) -> &'static str {
    match t {
        WasmType::I64 | WasmType::PointerOrI64 => "i64",
        WasmType::F32 => "f32",
        WasmType::F64 => "f64",
        _ => "i32",
    }
}

fn types(kind: &str, ts: &[WasmType]) -> String {
    match ts.is_empty() {
        true => String::new(),
        false => {
            let names: Vec<&str> = ts.iter().map(core_name).collect();
            format!("({kind} {})", names.join(" "))
        }
    }
}

/// The forwarding guest for one pair of signatures.
fn core_module(
    import: &wit_parser::abi::WasmSignature,
    export: &wit_parser::abi::WasmSignature,
) -> String {
    let params = &export.params;
    let mut body = String::new();
    for (i, t) in params.iter().enumerate() {
        let widened = match core_name(t) {
            "i64" => format!("(local.get {i})"),
            "f32" => format!("(i64.extend_i32_u (i32.reinterpret_f32 (local.get {i})))"),
            "f64" => format!("(i64.reinterpret_f64 (local.get {i}))"),
            _ => format!("(i64.extend_i32_u (local.get {i}))"),
        };
        body.push_str(&format!(
            "(i64.store (i32.const {}) {widened})\n",
            FLAT_AREA + 8 * i as u32
        ));
    }
    body.push_str(&format!(
        "(call $dump (i32.const {FLAT_AREA}) (i32.const {}) (i32.const {HEAP}) (i32.sub (global.get $heap) (i32.const {HEAP})))\n",
        params.len()
    ));
    let args: String = (0..params.len())
        .map(|i| format!(" (local.get {i})"))
        .collect();
    let dump_after = format!(
        "(call $dump (i32.const 0) (i32.const 0) (i32.const {RETURN_AREA}) (i32.sub (global.get $heap) (i32.const {RETURN_AREA})))\n"
    );
    let result_local = export.results.first().map(core_name);
    if import.retptr {
        body.push_str(&format!(
            "(call $echo{args} (i32.const {RETURN_AREA}))\n{dump_after}(i32.const {RETURN_AREA})\n"
        ));
    } else if result_local.is_some() {
        body.push_str(&format!(
            "(local.set $r (call $echo{args}))\n{dump_after}(local.get $r)\n"
        ));
    } else {
        body.push_str(&format!("(call $echo{args})\n{dump_after}"));
    }
    let local = result_local.map_or(String::new(), |t| format!("(local $r {t})"));
    format!(
        r#"(module
  (import "test:diff/t" "echo" (func $echo {} {}))
  (import "test:diff/t" "dump" (func $dump (param i32 i32 i32 i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const {HEAP}))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $ptr) (local.get 3)))
    (local.get $ptr))
  (func (export "run") {} {}
    {local}
    {body}))"#,
        types("param", &import.params),
        types("result", &import.results),
        types("param", &export.params),
        types("result", &export.results),
    )
}

/// `echo`'s parameter and the dumps, on host-wasmer; returns `run`'s result.
fn on_wasmer(case: &Case, input: &HwVal) -> Crossing<HwVal> {
    let world = GuestWorld::from_str(&case.wit, "diff").unwrap();
    let mut linker = Linker::<()>::new(world, SlotsHost::new(HostConfig::default()));
    let seen: Arc<Mutex<Option<HwVal>>> = Arc::default();
    let dumps: Dumps = Arc::default();
    let (seen_in, dumps_in) = (seen.clone(), dumps.clone());
    linker
        .func_dynamic("test:diff/t", "echo", move |_, params| {
            let x = params.into_iter().next().ok_or(HostError::msg("no x"))?;
            *seen_in.lock().unwrap() = Some(x.clone());
            Ok(Some(x))
        })
        .unwrap()
        .func_dynamic("test:diff/t", "dump", move |_, params| {
            let [HwVal::List(flat), HwVal::Bytes(heap)] = &params[..] else {
                return Err(HostError::msg(format!("dump got {params:?}")));
            };
            let flat = flat
                .iter()
                .map(|v| match v {
                    HwVal::U64(n) => *n,
                    _ => u64::MAX,
                })
                .collect();
            dumps_in.lock().unwrap().push((flat, heap.clone()));
            Ok(None)
        })
        .unwrap();
    let mut store = wasmer::Store::default();
    let module = wasmer::Module::new(&store, &case.core).unwrap();
    let instance = linker.instantiate(&mut store, &module, (), "diff").unwrap();
    let result = instance
        .call(&mut store, "run", std::slice::from_ref(input))
        .unwrap_or_else(|e| panic!("host-wasmer: {e}\n{}", case.wit))
        .unwrap();
    let seen = seen.lock().unwrap().take().unwrap();
    let dumps = dumps.lock().unwrap().clone();
    (result, seen, dumps)
}

/// The same on wasmtime's component model.
fn on_wasmtime(case: &Case, input: &WtVal) -> Crossing<WtVal> {
    let engine = wasmtime::Engine::default();
    let component = wasmtime::component::Component::new(
        &engine,
        slots_conformance::componentize(&case.core).unwrap(),
    )
    .unwrap();
    let mut linker = wasmtime::component::Linker::<()>::new(&engine);
    let seen: Arc<Mutex<Option<WtVal>>> = Arc::default();
    let dumps: Dumps = Arc::default();
    let (seen_in, dumps_in) = (seen.clone(), dumps.clone());
    let mut t = linker.instance("test:diff/t").unwrap();
    t.func_new("echo", move |_, _, params, results| {
        *seen_in.lock().unwrap() = Some(params[0].clone());
        results[0] = params[0].clone();
        Ok(())
    })
    .unwrap();
    t.func_new("dump", move |_, _, params, _| {
        let [WtVal::List(flat), WtVal::List(heap)] = params else {
            panic!("dump got {params:?}");
        };
        let flat = flat
            .iter()
            .map(|v| match v {
                WtVal::U64(n) => *n,
                _ => u64::MAX,
            })
            .collect();
        let heap = heap
            .iter()
            .map(|v| match v {
                WtVal::U8(b) => *b,
                _ => 0,
            })
            .collect();
        dumps_in.lock().unwrap().push((flat, heap));
        Ok(())
    })
    .unwrap();
    let mut store = wasmtime::Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let run = instance.get_func(&mut store, "run").unwrap();
    let mut results = [WtVal::Bool(false)];
    run.call(&mut store, std::slice::from_ref(input), &mut results)
        .unwrap_or_else(|e| panic!("wasmtime: {e:?}\n{}", case.wit));
    let seen = seen.lock().unwrap().take().unwrap();
    let dumps = dumps.lock().unwrap().clone();
    let [result] = results;
    (result, seen, dumps)
}

#[test]
fn random_values_of_random_types_cross_both_hosts_byte_for_byte_alike() {
    // Bytes the hosts allocated in the guest and wrote, compared: so that
    // the test shows it compared something (strings, lists, spilled
    // parameters all land on the heap).
    let mut allocated = 0;
    for seed in 0..CASES {
        let mut rng = Rng::new(seed);
        let mut defs = Defs::default();
        let ty = ty(&mut rng, 1 + (seed % 3) as u32, &mut defs);
        let Value { wasmer, wasmtime } = value(&mut rng, &ty);
        let case = case(&ty, &defs);
        let context = || format!("seed {seed}, type {}\n{}", wit(&ty), case.wit);

        let (hw_result, hw_seen, hw_dumps) = on_wasmer(&case, &wasmer);
        assert_eq!(
            hw_seen,
            wasmer,
            "host-wasmer's echo saw another value; {}",
            context()
        );
        assert_eq!(
            hw_result,
            wasmer,
            "host-wasmer returned another value; {}",
            context()
        );

        let (wt_result, wt_seen, wt_dumps) = on_wasmtime(&case, &wasmtime);
        assert_eq!(
            wt_seen,
            wasmtime,
            "wasmtime's echo saw another value; {}",
            context()
        );
        assert_eq!(
            wt_result,
            wasmtime,
            "wasmtime returned another value; {}",
            context()
        );

        assert_eq!(hw_dumps.len(), 2, "{}", context());
        assert_eq!(
            hw_dumps[0],
            wt_dumps[0],
            "the export's arguments, as each host lowered them into the guest, differ; {}",
            context()
        );
        assert_eq!(
            hw_dumps[1],
            wt_dumps[1],
            "the import's result, as each host lowered it into the guest, differs; {}",
            context()
        );
        allocated += hw_dumps[1].1.len() - (HEAP - RETURN_AREA) as usize;
    }
    eprintln!("{allocated} bytes of guest heap written by the hosts, compared");
    assert!(allocated > 1_000, "only {allocated} bytes compared");
}
