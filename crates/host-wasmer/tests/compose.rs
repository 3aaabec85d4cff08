//! Composition: the world's imports defined into the embedder's
//! `wasmer::Imports`, beside WASI or any other module. World imports are
//! still validated, every problem listed at once; other modules' imports
//! are the embedder's, and one nobody defines is refused before
//! instantiation, or traps when called if the embedder asks.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::{
    Ctx, HostError, InstantiateError, InstantiateOptions, Problem, UndefinedImportCalled,
    UndefinedImports,
};
use support::{API, Log, linker};
use wasmer::{Function, Memory, MemoryType, Module, Store, Value, imports};

const PRELUDE: &str = r#"
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
"#;

fn module(store: &Store, imports: &str, body: &str) -> Module {
    let wat = format!("(module {imports} {PRELUDE} {body})");
    Module::new(store, wat::parse_str(wat).unwrap()).unwrap()
}

#[test]
fn the_embedders_imports_are_checked_beside_the_worlds_and_every_problem_listed() {
    let linker = linker("imports");
    let mut store = Store::default();
    let module = module(
        &store,
        r#"
        (import "env" "tick" (func))
        (import "env" "missing" (func (param i32)))
        (import "env" "wrong" (func (param i64)))
        (import "env" "pages" (memory 1))
        (import "test:shapes/api@1.0.0" "echo-u32" (func (param i32) (result i32)))
        "#,
        "",
    );
    let imports = imports! {
        "env" => {
            "tick" => Function::new_typed(&mut store, || {}),
            "wrong" => Function::new_typed(&mut store, |_: i32| {}),
            "pages" => Memory::new(&mut store, MemoryType::new(1, None, false)).unwrap(),
        }
    };
    let options = InstantiateOptions::new().imports(imports);
    let error = linker.validate_with(&store, &module, &options).unwrap_err();
    let problems: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "import `env#missing`: neither the world nor the embedder's imports define it",
            "import `env#wrong`: the module declares (param i64) but the embedder's import is (param i32)",
            "import `test:shapes/api@1.0.0#echo-u32`: the host has not bound this function",
        ]
    );
    assert!(matches!(
        error.problems[..],
        [
            Problem::Undefined { .. },
            Problem::ImportType { .. },
            Problem::Unbound { .. }
        ]
    ));
    let Err(InstantiateError::Validation(refused)) =
        linker.instantiate_with(&mut store, &module, Log::new(), "t", options)
    else {
        panic!("the module was instantiated");
    };
    assert_eq!(
        refused, error,
        "instantiation refuses it before Wasmer sees it"
    );
}

#[test]
fn the_worlds_binding_wins_over_the_embedders_definition_of_a_world_import() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-u8", |_: &mut Ctx<'_, Log>, x: u8| {
            Ok::<_, HostError>(x)
        })
        .unwrap();
    let mut store = Store::default();
    let module = module(
        &store,
        r#"(import "test:shapes/api@1.0.0" "echo-u8" (func $echo (param i32) (result i32)))
           (import "env" "base" (func $base (result i32)))"#,
        r#"(func (export "probe") (result i32)
             (i32.add (call $echo (i32.const 5)) (call $base)))"#,
    );
    let imports = imports! {
        API => { "echo-u8" => Function::new_typed(&mut store, |_: i32| -> i32 { 99 }) },
        "env" => { "base" => Function::new_typed(&mut store, || -> i32 { 100 }) },
    };
    let instance = linker
        .instantiate_with_imports(&mut store, &module, Log::new(), "t", imports)
        .unwrap();
    let probe = instance.wasmer().exports.get_function("probe").unwrap();
    assert_eq!(probe.call(&mut store, &[]).unwrap()[..], [Value::I32(105)]);
}

#[test]
fn an_undefined_function_can_trap_when_called_naming_the_import() {
    let linker = linker("imports");
    let mut store = Store::default();
    let module = module(
        &store,
        r#"(import "env" "later" (func $later (param i32)))"#,
        r#"(func (export "probe") (call $later (i32.const 1)))
           (func (export "fine") (result i32) (i32.const 7))"#,
    );
    let options = InstantiateOptions::new().undefined(UndefinedImports::Trap);
    let instance = linker
        .instantiate_with(&mut store, &module, Log::new(), "t", options)
        .unwrap();
    let exports = &instance.wasmer().exports;
    let fine = exports.get_function("fine").unwrap();
    assert_eq!(fine.call(&mut store, &[]).unwrap()[..], [Value::I32(7)]);
    let error = exports
        .get_function("probe")
        .unwrap()
        .call(&mut store, &[])
        .unwrap_err();
    let called = error.downcast_ref::<UndefinedImportCalled>().unwrap();
    assert_eq!(
        (called.module.as_str(), called.name.as_str()),
        ("env", "later")
    );
    assert_eq!(
        error.message(),
        "import `env#later` was called, but nothing defines it"
    );
}

#[test]
fn an_undefined_memory_is_refused_even_when_functions_may_trap() {
    let linker = linker("imports");
    let store = Store::default();
    let module = module(&store, r#"(import "env" "pages" (memory 1))"#, "");
    let options = InstantiateOptions::new().undefined(UndefinedImports::Trap);
    let error = linker.validate_with(&store, &module, &options).unwrap_err();
    assert!(matches!(
        &error.problems[..],
        [Problem::Undefined { module, name }] if module == "env" && name == "pages"
    ));
}
