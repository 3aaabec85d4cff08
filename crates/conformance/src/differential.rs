//! Lift/lower, differentially: a value of a WIT type through host-wasmer's
//! canonical ABI and through wasmtime's, compared.
//!
//! For a type `T` a [`Case`] writes a WIT world with an import `echo:
//! func(x: T) -> T` and an export `run: func(x: T) -> T`, and a core module
//! that forwards `run`'s core arguments to `echo` untouched. Before and
//! after the forwarding it hands its flat arguments and its heap to a
//! second import, `dump`. So each host, for the same value:
//! - lowers it into the guest (export parameters, through `cabi_realloc`),
//! - lifts it back out (import parameters) for `echo`,
//! - lowers `echo`'s result into the guest (import result, return area),
//! - lifts `run`'s result (export result).
//!
//! [`Compiled::cross`] checks that both hosts return the value unchanged,
//! that `echo` sees it unchanged, and that the guest memory each host wrote
//! is the same bytes, flat argument for flat argument: the same
//! allocations in the same order with the same contents, as the canonical
//! ABI prescribes. A case is compiled once ([`Compiled::new`]) and crosses
//! any number of values, each in a fresh store and instance.

use anyhow::Context;
use host_wasmer::abi::Val as HwVal;
use host_wasmer::{GuestWorld, HostConfig, HostError, Linker, SharedHost};
use wasmtime::component::{Component, InstancePre, Val as WtVal};
use wit_parser::abi::{AbiVariant, WasmSignature, WasmType};

use crate::random_types::{Defs, Ty, Value, wit};

/// Where the guest keeps its flat arguments for `dump`.
const FLAT_AREA: u32 = 512;
/// Where the guest's return area is.
const RETURN_AREA: u32 = 1024;
/// Where the guest's heap starts; it ends at the end of memory.
const HEAP: u32 = 16384;

/// What the guest handed to `dump` once: flat arguments (as u64s) and
/// memory.
pub type Dump = (Vec<u64>, Vec<u8>);

/// What a host function saw during one crossing, kept in the store.
struct Probe<V> {
    /// `echo`'s argument.
    seen: Option<V>,
    /// The guest's dumps, before and after the forwarding.
    dumps: Vec<Dump>,
}

impl<V> Default for Probe<V> {
    fn default() -> Self {
        Self {
            seen: None,
            dumps: Vec::new(),
        }
    }
}

/// The world and the forwarding guest for one type.
pub struct Case {
    /// The WIT package, with the world `diff`.
    pub wit: String,
    /// The core module, with the world in its `component-type` section.
    pub core: Vec<u8>,
}

impl Case {
    /// The WIT package of the case for `ty` (whose named types are in
    /// `defs`): also what identifies a case, cheaply, before building it.
    pub fn wit(ty: &Ty, defs: &Defs) -> String {
        let t = wit(ty);
        let uses = match defs.names.is_empty() {
            true => String::new(),
            false => format!("  use t.{{{}}};\n", defs.names.join(", ")),
        };
        format!(
            "package test:diff;\n\ninterface t {{\n  {}\n  echo: func(x: {t}) -> {t};\n  dump: func(flat: list<u64>, heap: list<u8>);\n}}\n\nworld diff {{\n  import t;\n{uses}  export run: func(x: {t}) -> {t};\n}}\n",
            defs.text.join("\n  ")
        )
    }

    /// The case of the WIT package `wit` (from [`Case::wit`]).
    pub fn new(wit: String) -> anyhow::Result<Self> {
        let mut resolve = wit_parser::Resolve::default();
        let package = resolve.push_str("diff.wit", &wit)?;
        let world = resolve.select_world(&[package], Some("diff"))?;
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
            .context("the world exports `run`")?;
        let export = resolve.wasm_signature(AbiVariant::GuestExport, run);
        let wat = core_module(&import, &export);
        let mut core = wat::parse_str(&wat).with_context(|| wat.clone())?;
        wit_component::embed_component_metadata(
            &mut core,
            &resolve,
            world,
            wit_component::StringEncoding::UTF8,
        )?;
        Ok(Self { wit, core })
    }
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
fn core_module(import: &WasmSignature, export: &WasmSignature) -> String {
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
    // Four pages: room for the largest values the generator makes, lowered
    // twice (export arguments and import result) by a bump allocator.
    format!(
        r#"(module
  (import "test:diff/t" "echo" (func $echo {} {}))
  (import "test:diff/t" "dump" (func $dump (param i32 i32 i32 i32)))
  (memory (export "memory") 4)
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

/// The two runtimes, shared by every case of a process.
pub struct Engines {
    wasmer: wasmer::Engine,
    wasmtime: wasmtime::Engine,
}

impl Engines {
    /// Both runtimes, compiling without optimisation: a case's guest only
    /// forwards its arguments, the canonical ABI under test is each host's
    /// own code, and a fuzzer compiles a case for every new type it tries.
    pub fn new() -> Self {
        let mut cranelift = wasmer::sys::Cranelift::default();
        cranelift.opt_level(wasmer::sys::CraneliftOptLevel::None);
        let mut config = wasmtime::Config::new();
        config.cranelift_opt_level(wasmtime::OptLevel::None);
        Self {
            wasmer: cranelift.into(),
            wasmtime: wasmtime::Engine::new(&config).unwrap_or_default(),
        }
    }
}

impl Default for Engines {
    fn default() -> Self {
        Self::new()
    }
}

/// One case compiled on both hosts, with its host functions bound.
pub struct Compiled {
    wit: String,
    wasmer: (Linker<Probe<HwVal>>, wasmer::Module),
    wasmtime: InstancePre<Probe<WtVal>>,
}

impl Compiled {
    /// Compiles `case` on both hosts of `engines`.
    pub fn new(engines: &Engines, case: &Case) -> anyhow::Result<Self> {
        Ok(Self {
            wit: case.wit.clone(),
            wasmer: on_wasmer(engines, case)?,
            wasmtime: on_wasmtime(engines, case)?,
        })
    }

    /// The case's WIT package.
    pub fn wit(&self) -> &str {
        &self.wit
    }

    /// Crosses `value` through both hosts and compares what each did;
    /// returns the bytes of guest memory the hosts wrote and were compared,
    /// or what differed.
    pub fn cross(&self, engines: &Engines, value: &Value) -> Result<usize, String> {
        let (hw_result, hw) = self.cross_wasmer(engines, &value.wasmer)?;
        if hw.seen.as_ref() != Some(&value.wasmer) {
            return Err(format!(
                "host-wasmer's echo saw {:?}, not {:?}",
                hw.seen, value.wasmer
            ));
        }
        if hw_result != value.wasmer {
            return Err(format!(
                "host-wasmer returned {hw_result:?}, not {:?}",
                value.wasmer
            ));
        }
        let (wt_result, wt) = self.cross_wasmtime(&value.wasmtime)?;
        if wt.seen.as_ref() != Some(&value.wasmtime) {
            return Err(format!(
                "wasmtime's echo saw {:?}, not {:?}",
                wt.seen, value.wasmtime
            ));
        }
        if wt_result != value.wasmtime {
            return Err(format!(
                "wasmtime returned {wt_result:?}, not {:?}",
                value.wasmtime
            ));
        }
        let ([hw_args, hw_result], [wt_args, wt_result]) = (&hw.dumps[..], &wt.dumps[..]) else {
            return Err(format!(
                "the guest dumped {} times on host-wasmer, {} on wasmtime, not twice",
                hw.dumps.len(),
                wt.dumps.len()
            ));
        };
        if hw_args != wt_args {
            return Err(format!(
                "the export's arguments, as each host lowered them into the guest, differ: \
                 host-wasmer {hw_args:?}, wasmtime {wt_args:?}"
            ));
        }
        if hw_result != wt_result {
            return Err(format!(
                "the import's result, as each host lowered it into the guest, differs: \
                 host-wasmer {hw_result:?}, wasmtime {wt_result:?}"
            ));
        }
        Ok(hw_result
            .1
            .len()
            .saturating_sub((HEAP - RETURN_AREA) as usize))
    }

    fn cross_wasmer(
        &self,
        engines: &Engines,
        input: &HwVal,
    ) -> Result<(HwVal, Probe<HwVal>), String> {
        let (linker, module) = &self.wasmer;
        let mut store = wasmer::Store::new(engines.wasmer.clone());
        let instance = linker
            .instantiate(&mut store, module, Probe::default(), "diff")
            .map_err(|e| format!("host-wasmer does not instantiate the guest: {e}"))?;
        let result = instance
            .call(&mut store, "run", std::slice::from_ref(input))
            .map_err(|e| format!("host-wasmer: {e}"))?
            .ok_or("host-wasmer: `run` returned nothing")?;
        let probe = std::mem::take(instance.env_mut(&mut store).data_mut());
        Ok((result, probe))
    }

    fn cross_wasmtime(&self, input: &WtVal) -> Result<(WtVal, Probe<WtVal>), String> {
        let mut store = wasmtime::Store::new(self.wasmtime.engine(), Probe::default());
        let instance = self
            .wasmtime
            .instantiate(&mut store)
            .map_err(|e| format!("wasmtime does not instantiate the guest: {e:?}"))?;
        let run = instance
            .get_func(&mut store, "run")
            .ok_or("wasmtime: no `run`")?;
        let mut results = [WtVal::Bool(false)];
        run.call(&mut store, std::slice::from_ref(input), &mut results)
            .map_err(|e| format!("wasmtime: {e:?}"))?;
        let [result] = results;
        Ok((result, std::mem::take(store.data_mut())))
    }
}

/// `echo` and `dump` bound on host-wasmer, and the module compiled.
fn on_wasmer(
    engines: &Engines,
    case: &Case,
) -> anyhow::Result<(Linker<Probe<HwVal>>, wasmer::Module)> {
    let world = GuestWorld::from_str(&case.wit, "diff")?;
    let mut linker = Linker::<Probe<HwVal>>::new(world, SharedHost::new(HostConfig::default()));
    linker
        .func_dynamic("test:diff/t", "echo", |ctx, params| {
            let x = params.into_iter().next().ok_or(HostError::msg("no x"))?;
            ctx.data_mut().seen = Some(x.clone());
            Ok(Some(x))
        })?
        .func_dynamic("test:diff/t", "dump", |ctx, params| {
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
            ctx.data_mut().dumps.push((flat, heap.clone()));
            Ok(None)
        })?;
    let module = wasmer::Module::new(&engines.wasmer, &case.core)?;
    Ok((linker, module))
}

/// The same on wasmtime's component model.
fn on_wasmtime(engines: &Engines, case: &Case) -> anyhow::Result<InstancePre<Probe<WtVal>>> {
    let component = Component::new(&engines.wasmtime, crate::componentize(&case.core)?)?;
    let mut linker = wasmtime::component::Linker::<Probe<WtVal>>::new(&engines.wasmtime);
    let mut t = linker.instance("test:diff/t")?;
    t.func_new("echo", |mut store, _, params, results| {
        let x = params
            .first()
            .ok_or_else(|| wasmtime::format_err!("no x"))?
            .clone();
        store.data_mut().seen = Some(x.clone());
        if let Some(result) = results.first_mut() {
            *result = x;
        }
        Ok(())
    })?;
    t.func_new("dump", |mut store, _, params, _| {
        let [WtVal::List(flat), WtVal::List(heap)] = params else {
            return Err(wasmtime::format_err!("dump got {params:?}"));
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
        store.data_mut().dumps.push((flat, heap));
        Ok(())
    })?;
    Ok(linker.instantiate_pre(&component)?)
}
