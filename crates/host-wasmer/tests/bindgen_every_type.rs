//! `bindgen!` at run time, on the every-type world and a WAT guest whose
//! trampolines call each import with arguments the run-time ABI layer
//! lowered: every value comes back equal, so the generated lift and lower
//! agree with `host_wasmer::abi` byte for byte on what the guest sees.

#![allow(clippy::unwrap_used, clippy::panic, missing_docs, unreachable_pub)]

use std::sync::Arc;

use host_wasmer::abi::{Abi, Val, WasmerMemory};
use host_wasmer::bindings::Caller;
use host_wasmer::typed::Own;
use host_wasmer::{CallError, Ctx, HostConfig, HostError, SharedHost};
use slots_core::{Borrowed, Handle, Resource};
use slots_test_support::exports;
use wasmer::{Module, Store, Value};
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{Function, Resolve};

host_wasmer::bindgen!({
    path: "tests/codegen/every-type",
    world: "everything",
    with: { "counter": Counter },
});

use demo::everything::kinds::{self, Color, Many, Perms, Scalars, Shape};
use demo::shapes::{v1_0_0, v2_0_0};

const KINDS: &str = "demo:everything/kinds@1.0.0";

/// The host type of the `counter` resource.
#[derive(Debug)]
pub struct Counter(u64);

impl Resource for Counter {
    const NAME: &'static str = "counter";
}

/// Per-instance data: what the host saw.
#[derive(Default)]
pub struct Data {
    log: Vec<String>,
    panic_in_log: bool,
}

impl EverythingImports for Data {
    fn log(cx: &mut Ctx<'_, Self>, msg: String) -> Result<(), HostError> {
        if cx.data().panic_in_log {
            panic!("the log is on fire");
        }
        cx.data_mut().log.push(msg);
        Ok(())
    }
}

impl kinds::Host for Data {
    fn echo_scalars(_: &mut Ctx<'_, Self>, s: Scalars) -> Result<Scalars, HostError> {
        Ok(s)
    }
    fn echo_person(_: &mut Ctx<'_, Self>, p: Person) -> Result<Person, HostError> {
        Ok(p)
    }
    fn echo_people(_: &mut Ctx<'_, Self>, p: kinds::People) -> Result<kinds::People, HostError> {
        Ok(p)
    }
    fn echo_shape(_: &mut Ctx<'_, Self>, s: Shape) -> Result<Shape, HostError> {
        Ok(s)
    }
    fn echo_color(_: &mut Ctx<'_, Self>, c: Color) -> Result<Color, HostError> {
        Ok(c)
    }
    fn echo_perms(_: &mut Ctx<'_, Self>, p: Perms) -> Result<Perms, HostError> {
        Ok(p)
    }
    fn echo_many(_: &mut Ctx<'_, Self>, m: Many) -> Result<Many, HostError> {
        Ok(m)
    }
    fn echo_option(
        _: &mut Ctx<'_, Self>,
        o: Option<Option<u32>>,
    ) -> Result<Option<Option<u32>>, HostError> {
        Ok(o)
    }
    fn echo_result(
        _: &mut Ctx<'_, Self>,
        r: Result<String, u32>,
    ) -> Result<Result<String, u32>, HostError> {
        Ok(r)
    }
    fn echo_char(_: &mut Ctx<'_, Self>, c: char) -> Result<char, HostError> {
        Ok(c)
    }
    fn echo_id(_: &mut Ctx<'_, Self>, i: kinds::Id) -> Result<kinds::Id, HostError> {
        Ok(i)
    }
    fn echo_bytes(_: &mut Ctx<'_, Self>, b: Vec<u8>) -> Result<Vec<u8>, HostError> {
        Ok(b)
    }
    fn add_floats(_: &mut Ctx<'_, Self>, a: f32, b: f64) -> Result<f64, HostError> {
        Ok(f64::from(a) + b)
    }
    fn pair(_: &mut Ctx<'_, Self>, a: u32, b: String) -> Result<(u32, String), HostError> {
        Ok((a, b))
    }
    #[allow(clippy::too_many_arguments)]
    fn spilled(
        _: &mut Ctx<'_, Self>,
        p1: u32,
        p2: u64,
        p3: f32,
        p4: f64,
        p5: String,
        p6: u8,
        p7: i8,
        p8: u16,
        p9: i16,
        p10: i32,
        p11: i64,
        p12: bool,
        p13: char,
        p14: u32,
        p15: u32,
        p16: u32,
    ) -> Result<u64, HostError> {
        // Every parameter, folded into one number the test recomputes.
        let sum = u64::from(p1)
            + p2
            + p3 as u64
            + p4 as u64
            + p5.len() as u64
            + u64::from(p6)
            + p7.unsigned_abs() as u64
            + u64::from(p8)
            + p9.unsigned_abs() as u64
            + u64::from(p10.unsigned_abs())
            + p11.unsigned_abs()
            + u64::from(p12)
            + u64::from(u32::from(p13))
            + u64::from(p14)
            + u64::from(p15)
            + u64::from(p16);
        Ok(sum)
    }
    fn peek(cx: &mut Ctx<'_, Self>, c: Option<Handle<Counter>>) -> Result<Option<u64>, HostError> {
        c.map(|c| cx.get(c).map(|c| c.0)).transpose()
    }
    fn consume(_: &mut Ctx<'_, Self>, c: Own<Counter>) -> Result<u64, HostError> {
        Ok(c.0)
    }
}

impl kinds::HostCounter for Data {
    fn new(_: &mut Ctx<'_, Self>, start: u64) -> Result<Counter, HostError> {
        Ok(Counter(start))
    }
    fn bump(
        _: &mut Caller<'_, Self>,
        mut this: Borrowed<'_, Counter>,
        by: u32,
    ) -> Result<u64, HostError> {
        let counter = this
            .get_mut()
            .ok_or_else(|| HostError::msg("a shared counter cannot be bumped"))?;
        counter.0 += u64::from(by);
        Ok(counter.0)
    }
    fn get(_: &mut Caller<'_, Self>, this: Borrowed<'_, Counter>) -> Result<u64, HostError> {
        Ok(this.0)
    }
    fn merge(
        _: &mut Caller<'_, Self>,
        this: Borrowed<'_, Counter>,
        other: &Counter,
    ) -> Result<u64, HostError> {
        Ok(this.0 + other.0)
    }
    fn absorb(
        _: &mut Caller<'_, Self>,
        mut this: Borrowed<'_, Counter>,
        other: Own<Counter>,
    ) -> Result<u64, HostError> {
        let counter = this
            .get_mut()
            .ok_or_else(|| HostError::msg("a shared counter cannot absorb"))?;
        counter.0 += other.0;
        Ok(counter.0)
    }
    fn fork(cx: &mut Ctx<'_, Self>, this: Handle<Counter>) -> Result<Handle<Counter>, HostError> {
        let value = cx.get(this)?.0;
        cx.insert(Counter(value))
            .map_err(|e| HostError::msg(e.to_string()))
    }
    fn zero(cx: &mut Ctx<'_, Self>) -> Result<Handle<Counter>, HostError> {
        cx.insert(Counter(0))
            .map_err(|e| HostError::msg(e.to_string()))
    }
}

impl v1_0_0::geometry::Host for Data {
    fn area(_: &mut Ctx<'_, Self>, side: f64) -> Result<f64, HostError> {
        Ok(side * side)
    }
}

impl v2_0_0::geometry::Host for Data {
    fn area(_: &mut Ctx<'_, Self>, side: f64) -> Result<f64, HostError> {
        Ok(side * side)
    }
    fn volume(_: &mut Ctx<'_, Self>, side: f64) -> Result<f64, HostError> {
        Ok(side * side * side)
    }
}

fn resolve() -> (Resolve, wit_parser::WorldId) {
    let mut resolve = Resolve::default();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/codegen/every-type");
    let (pkg, _) = resolve.push_path(dir).unwrap();
    let world = resolve.select_world(&[pkg], Some("everything")).unwrap();
    (resolve, world)
}

fn core(ty: &WasmType) -> &'static str {
    match ty {
        WasmType::I64 | WasmType::PointerOrI64 => "i64",
        WasmType::F32 => "f32",
        WasmType::F64 => "f64",
        _ => "i32",
    }
}

fn sig_text(params: &[WasmType], results: &[WasmType]) -> String {
    let params: Vec<_> = params.iter().map(core).collect();
    let results: Vec<_> = results.iter().map(core).collect();
    format!(
        "(param {}) (result {})",
        params.join(" "),
        results.join(" ")
    )
}

/// The guest: a trampoline `t:<name>` per import of `kinds`, forwarding its
/// core arguments, and the world's exports.
fn guest_wat(resolve: &Resolve, reentrant: bool) -> String {
    let kinds = resolve
        .interfaces
        .iter()
        .find(|(_, i)| i.name.as_deref() == Some("kinds"))
        .map(|(_, i)| i)
        .unwrap();
    let mut imports = String::new();
    let mut body = String::new();
    for (index, func) in kinds.functions.values().enumerate() {
        let sig = resolve.wasm_signature(AbiVariant::GuestImport, func);
        let text = sig_text(&sig.params, &sig.results);
        imports.push_str(&format!(
            "(import \"{KINDS}\" \"{}\" (func $f{index} {text}))\n",
            func.name
        ));
        let args: String = (0..sig.params.len())
            .map(|i| format!("(local.get {i}) "))
            .collect();
        body.push_str(&format!(
            "(func (export \"t:{}\") {text} (call $f{index} {args}))\n",
            func.name
        ));
    }
    imports.push_str(&format!(
        "(import \"{KINDS}\" \"[resource-drop]counter\" (func $drop (param i32)))\n\
         (import \"$root\" \"log\" (func $log (param i32 i32)))\n"
    ));
    body.push_str(
        r#"
        (func (export "t:drop") (param i32) (call $drop (local.get 0)))
        (data (i32.const 64) "running")
        (data (i32.const 80) "ok")
        (global $posts (export "posts") (mut i32) (i32.const 0))
        (func (export "run") (param i32) (result i32)
          (call $log (i32.const 64) (i32.const 7))
          (i32.store8 (i32.const 256) (i32.const 0))
          (i32.store (i32.const 260) (i32.const 80))
          (i32.store (i32.const 264) (i32.const 2))
          (i32.const 256))
        (func (export "sum") (param i32 i32) (result i32)
          (i32.add (local.get 0) (local.get 1)))
        (func (export "describe") (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
          (i32.store (i32.const 272) (local.get 0))
          (i32.store (i32.const 276) (local.get 1))
          (i32.const 272))
        (func (export "cabi_post_describe") (param i32)
          (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
        "#,
    );
    if reentrant {
        // An allocator that calls back into the host, as the canonical ABI
        // forbids.
        imports.push_str(&format!(
            "(import \"{KINDS}\" \"echo-char\" (func $echo_char (param i32) (result i32)))\n"
        ));
        body.push_str(
            r#"(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
                 (drop (call $echo_char (i32.const 65)))
                 (call $bump (local.get 2) (local.get 3)))"#,
        );
    }
    support::module(&imports, &body)
}

#[path = "support/mod.rs"]
mod support;

struct Run {
    store: Store,
    guest: Everything<Data>,
    resolve: Resolve,
}

impl Run {
    fn new() -> Self {
        Self::with_guest(false)
    }

    fn with_guest(reentrant: bool) -> Self {
        let (resolve, _) = resolve();
        let wat = guest_wat(&resolve, reentrant);
        let mut store = Store::default();
        let module = Module::new(&store, wat::parse_str(&wat).unwrap()).unwrap();
        let guest = Everything::new(
            &mut store,
            &module,
            Data::default(),
            SharedHost::new(HostConfig::default()),
            "test",
        )
        .unwrap();
        Self {
            store,
            guest,
            resolve,
        }
    }

    fn func(&self, name: &str) -> Function {
        self.resolve
            .interfaces
            .iter()
            .find_map(|(_, i)| {
                i.functions
                    .get(name)
                    .filter(|_| i.name.as_deref() == Some("kinds"))
            })
            .cloned()
            .unwrap()
    }

    /// Calls import `name` through its trampoline with `params` lowered by
    /// the run-time ABI layer, and lifts its result with that layer.
    fn call(&mut self, name: &str, params: &[Val]) -> Result<Option<Val>, wasmer::RuntimeError> {
        let func = self.func(name);
        let abi = Abi::new(&self.resolve);
        let sig = self.resolve.wasm_signature(AbiVariant::GuestImport, &func);
        let memory = exports::memory(self.exports()).clone();
        let realloc = self
            .exports()
            .get_typed_function(&self.store, "cabi_realloc")
            .ok();
        let mut args = {
            let mut mem = WasmerMemory::new(&mut self.store, memory.clone(), realloc.clone());
            abi.lower_export_params(&func, params, &mut mem).unwrap()
        };
        const RETPTR: i32 = 512;
        if sig.retptr {
            args.push(Value::I32(RETPTR));
        }
        let trampoline = exports::function(self.exports(), &format!("t:{name}"));
        let results = trampoline.call(&mut self.store, &args)?;
        let results: Vec<Value> = if sig.retptr {
            vec![Value::I32(RETPTR)]
        } else {
            results.to_vec()
        };
        let mut mem = WasmerMemory::new(&mut self.store, memory, realloc);
        Ok(abi.lift_export_result(&func, &results, &mut mem).unwrap())
    }

    /// The guest's core exports.
    fn exports(&self) -> &wasmer::Exports {
        &self.guest.instance().wasmer().exports
    }

    /// Calls the guest's core export `name` with `args`, all `i32`s.
    fn core(&mut self, name: &str, args: &[i32]) -> Result<Vec<Value>, wasmer::RuntimeError> {
        let args: Vec<Value> = args.iter().map(|&a| Value::I32(a)).collect();
        let exports = &self.guest.instance().wasmer().exports;
        exports::call(exports, &mut self.store, name, &args)
    }

    /// Writes `bytes` into the guest's memory at `ptr`.
    fn write(&mut self, ptr: u32, bytes: &[u8]) {
        exports::write(self.exports(), &self.store, ptr, bytes);
    }

    fn echo(&mut self, name: &str, value: Val) {
        let back = self.call(name, std::slice::from_ref(&value)).unwrap();
        assert_eq!(back, Some(value), "`{name}` did not echo its argument");
    }
}

fn s(text: &str) -> Val {
    Val::String(text.into())
}

fn some(v: Val) -> Val {
    Val::Option(Some(Box::new(v)))
}

fn person(name: &str, age: u32, tags: &[&str], nickname: Option<&str>) -> Val {
    Val::Record(vec![
        s(name),
        Val::U32(age),
        Val::List(tags.iter().map(|t| s(t)).collect()),
        Val::Option(nickname.map(|n| Box::new(s(n)))),
    ])
}

#[test]
fn records_of_every_scalar_come_back_equal() {
    let mut run = Run::new();
    run.echo(
        "echo-scalars",
        Val::Record(vec![
            Val::Bool(true),
            Val::U8(200),
            Val::S8(-100),
            Val::U16(60_000),
            Val::S16(-30_000),
            Val::U32(4_000_000_000),
            Val::S32(-2_000_000_000),
            Val::U64(u64::MAX - 1),
            Val::S64(i64::MIN + 1),
            Val::F32(1.5),
            Val::F64(-2.25e300),
            Val::Char('🦀'),
        ]),
    );
}

#[test]
fn records_with_strings_lists_and_options_come_back_equal() {
    let mut run = Run::new();
    run.echo(
        "echo-person",
        person("Ada", 36, &["math", "engines"], Some("countess")),
    );
    run.echo("echo-person", person("", 0, &[], None));
    run.echo(
        "echo-people",
        Val::List(vec![
            person("a", 1, &["x"], None),
            person("b", 2, &[], Some("bee")),
        ]),
    );
}

#[test]
fn variants_of_every_case_come_back_equal() {
    let mut run = Run::new();
    let cases = [
        (0, Some(Val::F32(3.5))),
        (1, Some(Val::Tuple(vec![Val::F64(1.0), Val::F64(-2.0)]))),
        (2, None),
        (3, Some(s("named shape"))),
        (4, Some(Val::U64(1 << 40))),
    ];
    for (case, payload) in cases {
        run.echo(
            "echo-shape",
            Val::Variant {
                case,
                payload: payload.map(Box::new),
            },
        );
    }
}

#[test]
fn enums_flags_options_results_chars_and_aliases_come_back_equal() {
    let mut run = Run::new();
    run.echo("echo-color", Val::Enum(2));
    run.echo("echo-perms", Val::Flags(vec![0, 2]));
    run.echo("echo-perms", Val::Flags(vec![]));
    run.echo("echo-many", Val::Flags(vec![0, 31, 32, 39]));
    run.echo("echo-option", Val::Option(None));
    run.echo("echo-option", some(Val::Option(None)));
    run.echo("echo-option", some(some(Val::U32(7))));
    run.echo("echo-result", Val::Result(Ok(Some(Box::new(s("fine"))))));
    run.echo("echo-result", Val::Result(Err(Some(Box::new(Val::U32(9))))));
    run.echo("echo-char", Val::Char('é'));
    run.echo("echo-id", Val::U64(1234567890123));
    run.echo("echo-bytes", Val::Bytes(b"\x00\x01bytes\xff".to_vec()));
}

#[test]
fn floats_and_tuple_results_cross() {
    let mut run = Run::new();
    let sum = run
        .call("add-floats", &[Val::F32(1.5), Val::F64(2.25)])
        .unwrap();
    assert_eq!(sum, Some(Val::F64(3.75)));
    let pair = run.call("pair", &[Val::U32(5), s("five")]).unwrap();
    assert_eq!(pair, Some(Val::Tuple(vec![Val::U32(5), s("five")])));
}

#[test]
fn more_than_sixteen_flat_parameters_spill_to_memory() {
    let mut run = Run::new();
    let params = [
        Val::U32(1),
        Val::U64(2),
        Val::F32(3.0),
        Val::F64(4.0),
        s("five!"),
        Val::U8(6),
        Val::S8(-7),
        Val::U16(8),
        Val::S16(-9),
        Val::S32(-10),
        Val::S64(-11),
        Val::Bool(true),
        Val::Char('\u{d}'),
        Val::U32(14),
        Val::U32(15),
        Val::U32(16),
    ];
    let sum = run.call("spilled", &params).unwrap();
    // Parameter 12 is `true`, which counts 1.
    assert_eq!(sum, Some(Val::U64((1..=16).sum::<u64>() - 11)));
}

fn handle(val: Option<Val>) -> u32 {
    match val {
        Some(Val::Own(bits)) => bits,
        other => panic!("expected a handle, got {other:?}"),
    }
}

#[test]
fn resources_are_made_lent_taken_and_dropped() {
    let mut run = Run::new();
    let a = handle(run.call("[constructor]counter", &[Val::U64(10)]).unwrap());
    let b = handle(run.call("[constructor]counter", &[Val::U64(5)]).unwrap());
    assert_eq!(
        run.call("[method]counter.bump", &[Val::Borrow(a), Val::U32(2)])
            .unwrap(),
        Some(Val::U64(12))
    );
    // The same handle lent twice in one call is fine.
    assert_eq!(
        run.call("[method]counter.merge", &[Val::Borrow(a), Val::Borrow(a)])
            .unwrap(),
        Some(Val::U64(24))
    );
    assert_eq!(
        run.call("peek", &[some(Val::Borrow(b))]).unwrap(),
        Some(some(Val::U64(5)))
    );
    let forked = handle(run.call("[method]counter.fork", &[Val::Borrow(a)]).unwrap());
    assert_eq!(
        run.call("[method]counter.get", &[Val::Borrow(forked)])
            .unwrap(),
        Some(Val::U64(12))
    );
    // `own` takes the object out of the table before the host runs.
    assert_eq!(
        run.call("[method]counter.absorb", &[Val::Borrow(a), Val::Own(b)])
            .unwrap(),
        Some(Val::U64(17))
    );
    let stale = run.call("[method]counter.get", &[Val::Borrow(b)]);
    support::assert_trap(stale, &["[method]counter.get", "counter", "stale"]);
    let zero = handle(run.call("[static]counter.zero", &[]).unwrap());
    assert_eq!(
        run.call("consume", &[Val::Own(zero)]).unwrap(),
        Some(Val::U64(0))
    );
    let live = run.guest.instance().counters(&run.store).live_handles;
    assert_eq!(live, 2, "a and its fork remain");
    run.core("t:drop", &[forked as i32]).unwrap();
    assert_eq!(run.guest.instance().counters(&run.store).live_handles, 1);
    let again = run.core("t:drop", &[forked as i32]);
    support::assert_trap(again, &["[resource-drop]counter", "counter"]);
}

#[test]
fn a_handle_lent_and_given_in_one_call_traps_before_anything_is_taken() {
    let mut run = Run::new();
    let a = handle(run.call("[constructor]counter", &[Val::U64(1)]).unwrap());
    let both = run.call("[method]counter.absorb", &[Val::Borrow(a), Val::Own(a)]);
    support::assert_trap(both, &["[method]counter.absorb", "also lent"]);
    assert_eq!(
        run.call("[method]counter.get", &[Val::Borrow(a)]).unwrap(),
        Some(Val::U64(1)),
        "the counter is still there"
    );
}

#[test]
fn forged_handles_and_bad_guest_data_trap_naming_the_import() {
    let mut run = Run::new();
    let forged = run.call("[method]counter.get", &[Val::Borrow(0x0bad_0001)]);
    support::assert_trap(
        forged,
        &["kinds@1.0.0#[method]counter.get", "counter", "0x0bad0001"],
    );
    let zero = run.call("[method]counter.get", &[Val::Borrow(0)]);
    support::assert_trap(zero, &["[method]counter.get", "counter"]);

    // A string argument pointing past memory, and one of bad UTF-8.
    let bad_char = run.core("t:echo-char", &[0xD800]);
    support::assert_trap(bad_char, &["echo-char", "not a valid char"]);
    let past_end = run.core("t:pair", &[1, -16, 64, 512]);
    support::assert_trap(past_end, &["#pair", "past the end of memory"]);
    run.write(1000, &[0xff, 0xfe]);
    let bad_utf8 = run.core("t:pair", &[1, 1000, 2, 512]);
    support::assert_trap(bad_utf8, &["#pair", "utf-8"]);
    let misaligned = run.core("t:pair", &[1, 0, 0, 513]);
    support::assert_trap(misaligned, &["#pair", "not aligned"]);
}

#[test]
fn a_guest_allocator_calling_the_host_traps_as_reentrant() {
    let mut run = Run::with_guest(true);
    run.write(1000, b"abc");
    let result = run.core("t:pair", &[1, 1000, 3, 512]);
    support::assert_trap(result, &["#pair", "cabi_realloc", "re-entrant"]);
    // The instance is usable again once the call is over.
    let echoed = run.core("t:echo-char", &[66]).unwrap();
    assert_eq!(echoed.to_vec(), [Value::I32(66)]);
}

#[test]
fn exports_are_typed_methods_with_post_return() {
    let mut run = Run::new();
    assert_eq!(run.guest.call_sum(&mut run.store, 2, 40).unwrap(), 42);
    assert_eq!(
        run.guest.call_run(&mut run.store, 7).unwrap(),
        Ok("ok".to_string())
    );
    assert_eq!(run.guest.instance().env(&run.store).data().log, ["running"]);
    let ada = Person {
        name: "Ada".into(),
        age: 36,
        tags: vec!["math".into()],
        nickname: None,
    };
    assert_eq!(run.guest.call_describe(&mut run.store, ada).unwrap(), "Ada");
    let posts = exports::global_i32(
        &run.guest.instance().wasmer().exports,
        &mut run.store,
        "posts",
    );
    assert_eq!(posts, 1);
}

#[test]
fn a_panicking_host_function_traps_naming_the_import_and_poisons_the_instance() {
    let mut run = Run::new();
    run.guest
        .instance()
        .env_mut(&mut run.store)
        .data_mut()
        .panic_in_log = true;
    let err = run.guest.call_run(&mut run.store, 1).unwrap_err();
    let Some(trap) = err.trap_kind().and_then(|kind| kind.host()) else {
        panic!("expected a host trap, got {err:?}");
    };
    assert!(matches!(trap.error, HostError::Panicked { .. }), "{trap}");
    support::assert_names(
        &trap.to_string(),
        &["$root#log", "panicked", "the log is on fire"],
    );
    assert!(run.guest.instance().is_poisoned());
    assert!(matches!(
        run.guest.call_sum(&mut run.store, 1, 2),
        Err(CallError::Poisoned { .. })
    ));
}

#[test]
fn generated_types_mirror_the_wit() {
    let shape = Shape::Rect((1.0, 2.0));
    assert_ne!(shape, Shape::Point);
    let perms = Perms {
        read: true,
        ..Perms::default()
    };
    assert!(perms.read && !perms.exec);
    let _ = Color::Green;
    let _: kinds::People = vec![];
    let _ = Arc::new(());
}

/// Stores `value` with the generated code and `val` with the run-time ABI
/// layer, each in a fresh memory, and compares every byte, allocations
/// included.
fn same_bytes<T: host_wasmer::bindings::LowerGuest>(type_name: &str, value: &T, val: &Val) {
    use host_wasmer::abi::VecMemory;
    let (resolve, _) = resolve();
    let abi = Abi::new(&resolve);
    let ty = resolve
        .types
        .iter()
        .find(|(_, def)| def.name.as_deref() == Some(type_name))
        .map(|(id, _)| wit_parser::Type::Id(id))
        .unwrap();
    let (mut generated, mut runtime) = (VecMemory::new(256), VecMemory::new(256));
    value.store(&mut generated, 64).unwrap();
    abi.store(&ty, val, 64, &mut runtime).unwrap();
    assert_eq!(
        generated.bytes(),
        runtime.bytes(),
        "`{type_name}` is stored differently"
    );
    assert_eq!(generated.realloc_calls(), runtime.realloc_calls());
}

#[test]
fn generated_stores_match_the_runtime_abi_byte_for_byte() {
    same_bytes(
        "person",
        &Person {
            name: "Ada".into(),
            age: 36,
            tags: vec!["math".into(), "engines".into()],
            nickname: Some("countess".into()),
        },
        &person("Ada", 36, &["math", "engines"], Some("countess")),
    );
    same_bytes(
        "shape",
        &Shape::Rect((1.0, -2.0)),
        &Val::Variant {
            case: 1,
            payload: Some(Box::new(Val::Tuple(vec![Val::F64(1.0), Val::F64(-2.0)]))),
        },
    );
    same_bytes(
        "shape",
        &Shape::Named("n".into()),
        &Val::Variant {
            case: 3,
            payload: Some(Box::new(s("n"))),
        },
    );
    same_bytes("color", &Color::Blue, &Val::Enum(2));
    same_bytes(
        "perms",
        &Perms {
            read: true,
            write: false,
            exec: true,
        },
        &Val::Flags(vec![0, 2]),
    );
    let many = Many {
        g0: true,
        g33: true,
        ..Many::default()
    };
    same_bytes("many", &many, &Val::Flags(vec![0, 33]));
    same_bytes(
        "scalars",
        &Scalars {
            a: true,
            b: 1,
            c: -2,
            d: 3,
            e: -4,
            f: 5,
            g: -6,
            h: 7,
            i: -8,
            j: 9.5,
            k: -10.25,
            l: 'x',
        },
        &Val::Record(vec![
            Val::Bool(true),
            Val::U8(1),
            Val::S8(-2),
            Val::U16(3),
            Val::S16(-4),
            Val::U32(5),
            Val::S32(-6),
            Val::U64(7),
            Val::S64(-8),
            Val::F32(9.5),
            Val::F64(-10.25),
            Val::Char('x'),
        ]),
    );
}
