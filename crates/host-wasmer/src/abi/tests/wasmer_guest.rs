//! [`WasmerMemory`] and [`ViewMemory`] against real Wasmer instances of
//! small WAT modules.

use std::sync::Arc;

use slots_test_support::wat::module_with_heap;
use wasmer::{
    Function, FunctionEnv, FunctionEnvMut, Instance, Memory, Module, RuntimeError, Store, Value,
    imports,
};
use wit_parser::abi::AbiVariant;

use super::{Fixture, TestResult};
use crate::abi::{Abi, AbiError, GuestMemory, ReallocFn, Val, ViewMemory, WasmerMemory};

/// The guests' heap: below it the tests read and write at fixed addresses.
const HEAP: u32 = 1024;

/// No `cabi_realloc` of the test's own: [`module_with_heap`] adds its bump
/// allocator, which grows memory when it runs out.
const BUMP: &str = "";

const MISALIGNED: &str = r#"
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1025))
"#;

const TRAPPING: &str = r#"
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (unreachable))
"#;

/// Instantiates a module with one page of exported memory and `realloc`
/// ([`BUMP`], or a `cabi_realloc` of its own).
fn guest(realloc: &str) -> Result<(Store, Memory, Option<ReallocFn>), Box<dyn std::error::Error>> {
    let mut store = Store::default();
    let wat = module_with_heap(HEAP, "", realloc);
    let module = Module::new(&store, wat::parse_str(&wat)?)?;
    let instance = Instance::new(&mut store, &module, &imports! {})?;
    let memory = instance.exports.get_memory("memory")?.clone();
    let realloc = instance
        .exports
        .get_typed_function(&store, "cabi_realloc")
        .ok();
    Ok((store, memory, realloc))
}

#[test]
fn wasmer_memory_reads_and_writes_with_bounds_checks() -> TestResult {
    let (mut store, memory, realloc) = guest(BUMP)?;
    let mut mem = WasmerMemory::new(&mut store, memory, realloc);
    mem.write(100, b"abc")?;
    let mut buf = [0; 3];
    mem.read(100, &mut buf)?;
    assert_eq!(&buf, b"abc");
    assert_eq!(mem.size(), 65536);
    assert_eq!(
        mem.read(65535, &mut buf),
        Err(AbiError::OutOfBounds {
            ptr: 65535,
            len: 3,
            size: 65536
        })
    );
    assert!(mem.write(u32::MAX, b"x").is_err());
    assert_eq!(mem.check_range(65536, 0), Ok(()));
    assert!(mem.check_range(65536, 1).is_err());
    Ok(())
}

#[test]
fn memory_grown_inside_realloc_is_seen_by_the_next_access() -> TestResult {
    let f = Fixture::new("f: func(x: list<string>);")?;
    let ty = f.param("f")?;
    let (mut store, memory, realloc) = guest(BUMP)?;
    let mut mem = WasmerMemory::new(&mut store, memory, realloc);
    let big = Val::List(vec![Val::from("x".repeat(100_000)), Val::from("tail")]);
    let mut flat = Vec::new();
    f.abi.lower_flat(&ty, &big, &mut mem, &mut flat)?;
    assert!(
        mem.size() >= 2 * 65536,
        "memory did not grow: {}",
        mem.size()
    );
    assert_eq!(f.abi.lift_flat(&ty, &flat, &mem)?, big);
    Ok(())
}

#[test]
fn a_misaligned_pointer_from_the_guest_realloc_is_rejected() -> TestResult {
    let f = Fixture::new("f: func(x: list<u32>);")?;
    let (mut store, memory, realloc) = guest(MISALIGNED)?;
    let mut mem = WasmerMemory::new(&mut store, memory, realloc);
    let lowered = f.abi.lower_flat(
        &f.param("f")?,
        &Val::List(vec![Val::U32(1)]),
        &mut mem,
        &mut Vec::new(),
    );
    assert_eq!(
        lowered,
        Err(AbiError::ReallocMisaligned {
            ptr: 1025,
            align: 4
        })
    );
    Ok(())
}

#[test]
fn a_trapping_guest_realloc_is_reported_not_propagated() -> TestResult {
    let (mut store, memory, realloc) = guest(TRAPPING)?;
    let mut mem = WasmerMemory::new(&mut store, memory, realloc);
    let lowered = Abi::new(wit_parser::Resolve::default()).lower_flat(
        &wit_parser::Type::String,
        &Val::from("hi"),
        &mut mem,
        &mut Vec::new(),
    );
    let Err(AbiError::ReallocFailed { len: 2, message }) = lowered else {
        return Err(format!("not a realloc failure: {lowered:?}").into());
    };
    assert!(message.contains("unreachable"), "{message}");
    Ok(())
}

#[test]
fn view_memory_reads_and_writes_through_one_view_with_bounds_checks() -> TestResult {
    let (store, memory, _) = guest(BUMP)?;
    let mut mem = ViewMemory::new(&store, Some(memory));
    mem.write(100, b"abc")?;
    let mut buf = [0; 3];
    mem.read(100, &mut buf)?;
    assert_eq!(&buf, b"abc");
    assert_eq!(mem.size(), 65536);
    let past = AbiError::OutOfBounds {
        ptr: 65535,
        len: 3,
        size: 65536,
    };
    assert_eq!(mem.read(65535, &mut buf), Err(past.clone()));
    assert_eq!(mem.write(65535, b"abc"), Err(past.clone()));
    assert_eq!(mem.check_range(65535, 3), Err(past));
    assert_eq!(mem.check_range(65533, 3), Ok(()));
    Ok(())
}

#[test]
fn view_memory_refuses_to_allocate_and_to_reach_a_missing_memory() -> TestResult {
    let (store, memory, _) = guest(BUMP)?;
    let mut mem = ViewMemory::new(&store, Some(memory));
    let lowered = Abi::new(wit_parser::Resolve::default()).lower_flat(
        &wit_parser::Type::String,
        &Val::from("hi"),
        &mut mem,
        &mut Vec::new(),
    );
    assert_eq!(lowered, Err(AbiError::ReallocUnavailable { len: 2 }));
    assert!(lowered.is_err_and(|e| {
        e.to_string()
            .contains("cannot run while the memory is viewed")
    }));

    let mut none = ViewMemory::new(&store, None);
    assert_eq!(none.size(), 0);
    assert_eq!(
        none.write(8, b"x"),
        Err(AbiError::NoMemory { ptr: 8, len: 1 })
    );
    assert_eq!(
        none.read(8, &mut [0; 2]),
        Err(AbiError::NoMemory { ptr: 8, len: 2 })
    );
    Ok(())
}

#[test]
fn a_missing_guest_realloc_is_reported() -> TestResult {
    let (mut store, memory, _) = guest(BUMP)?;
    let mut mem = WasmerMemory::new(&mut store, memory, None);
    let lowered = Abi::new(wit_parser::Resolve::default()).lower_flat(
        &wit_parser::Type::String,
        &Val::from("hi"),
        &mut mem,
        &mut Vec::new(),
    );
    assert_eq!(lowered, Err(AbiError::ReallocMissing { len: 2 }));
    Ok(())
}

/// What the `echo` host function keeps in its `FunctionEnv`.
struct EchoEnv {
    abi: Arc<Abi>,
    func: wit_parser::Function,
    memory: Option<Memory>,
    realloc: Option<ReallocFn>,
}

fn echo(mut env: FunctionEnvMut<'_, EchoEnv>, args: &[Value]) -> Result<Vec<Value>, RuntimeError> {
    let (data, mut store) = env.data_and_store_mut();
    let memory = data
        .memory
        .clone()
        .ok_or_else(|| RuntimeError::new("no memory"))?;
    let mut mem = WasmerMemory::new(&mut store, memory, data.realloc.clone());
    let trap = |e: AbiError| RuntimeError::new(e.to_string());
    let params = data
        .abi
        .lift_import_params(&data.func, args, &mut mem)
        .map_err(trap)?;
    let Some(Val::String(text)) = params.into_iter().next() else {
        return Err(RuntimeError::new("echo takes a string"));
    };
    let result = Val::String(format!("{text}!"));
    data.abi
        .lower_import_result(&data.func, Some(result), args, &mut mem)
        .map_err(trap)
}

#[test]
fn a_guest_calls_a_host_import_that_takes_and_returns_a_string() -> TestResult {
    let f = Fixture::new("echo: func(s: string) -> string;")?;
    let func = f.func("echo")?;
    let ty = f.abi.function_type(AbiVariant::GuestImport, &func)?;
    let abi = Arc::new(f.abi);
    let wat = module_with_heap(
        HEAP,
        r#"(import "test" "echo" (func $echo (param i32 i32 i32)))"#,
        r#"(data (i32.const 256) "hello")
           (func (export "run") (result i32)
             (call $echo (i32.const 256) (i32.const 5) (i32.const 512))
             (i32.load (i32.const 516)))"#,
    );
    let mut store = Store::default();
    let module = Module::new(&store, wat::parse_str(&wat)?)?;
    let env = FunctionEnv::new(
        &mut store,
        EchoEnv {
            abi,
            func,
            memory: None,
            realloc: None,
        },
    );
    let host = Function::new_with_env(&mut store, &env, ty, echo);
    let instance = Instance::new(
        &mut store,
        &module,
        &imports! { "test" => { "echo" => host } },
    )?;
    let memory = instance.exports.get_memory("memory")?.clone();
    let realloc = instance
        .exports
        .get_typed_function(&store, "cabi_realloc")?;
    let data = env.as_mut(&mut store);
    data.memory = Some(memory.clone());
    data.realloc = Some(realloc);

    let run = instance
        .exports
        .get_typed_function::<(), i32>(&store, "run")?;
    assert_eq!(run.call(&mut store)?, 6);
    let view = memory.view(&store);
    let mut ptr = [0; 4];
    view.read(512, &mut ptr)?;
    let mut text = [0; 6];
    view.read(u64::from(u32::from_le_bytes(ptr)), &mut text)?;
    assert_eq!(&text, b"hello!");
    Ok(())
}
