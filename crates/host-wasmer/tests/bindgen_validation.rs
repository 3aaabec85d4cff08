//! A generated world's `instantiate` checks the module first, against the
//! world's shape and the imports it is given, and lists every problem at
//! once, as the run-time `Linker` does.

#![allow(clippy::unwrap_used, clippy::panic, missing_docs, unreachable_pub)]

use host_wasmer::bindings::{Caller, new_env};
use host_wasmer::{Ctx, HostConfig, HostError, InstantiateError, Problem, SharedHost};
use slots_core::{Borrowed, Resource};
use wasmer::{Function, Imports, Module, Store, imports};

host_wasmer::bindgen!({
    inline: "package demo:check@1.0.0;
        interface api {
            resource counter {
                constructor();
                get: func() -> u32;
            }
            name: func() -> string;
        }
        world checked {
            import api;
            export run: func() -> string;
        }",
    world: "checked",
    with: { "demo:check/api/counter": Counter },
});

use demo::check::api;

const API: &str = "demo:check/api@1.0.0";

#[derive(Debug)]
pub struct Counter(u32);

impl Resource for Counter {
    const NAME: &'static str = "counter";
}

#[derive(Default)]
pub struct Data;

impl api::Host for Data {
    fn name(_: &mut Ctx<'_, Self>) -> Result<String, HostError> {
        Ok("checked".into())
    }
}

impl api::HostCounter for Data {
    fn new(_: &mut Ctx<'_, Self>) -> Result<Counter, HostError> {
        Ok(Counter(7))
    }
    fn get(_: &mut Caller<'_, Self>, this: Borrowed<'_, Counter>) -> Result<u32, HostError> {
        Ok(this.0)
    }
}

/// A guest of the world, with `imports` of its own first: `run` returns
/// the host's `name`.
fn good(imports: &str) -> String {
    slots_test_support::wat::module_with_heap(
        1024,
        &format!(
            r#"{imports}
  (import "demo:check/api@1.0.0" "name" (func $name (param i32)))
  (import "demo:check/api@1.0.0" "[constructor]counter" (func $new (result i32)))
  (import "demo:check/api@1.0.0" "[method]counter.get" (func $get (param i32) (result i32)))
  (import "demo:check/api@1.0.0" "[resource-drop]counter" (func $drop (param i32)))"#
        ),
        r#"(func (export "run") (result i32)
    (call $drop (call $new))
    (call $name (i32.const 16))
    (i32.const 16))
  (func (export "cabi_post_run") (param i32))"#,
    )
}

fn module(store: &Store, wat: &str) -> Module {
    Module::new(store, wat::parse_str(wat).unwrap()).unwrap()
}

fn problems(error: InstantiateError) -> Vec<Problem> {
    match error {
        InstantiateError::Validation(error) => error.problems,
        other => panic!("expected the module to be refused before instantiation: {other}"),
    }
}

#[test]
fn a_guest_of_the_world_passes_the_check_and_runs() {
    let mut store = Store::default();
    let host = SharedHost::new(HostConfig::default());
    let module = module(&store, &good(""));
    let guest = Checked::new(&mut store, &module, Data, host.clone(), "t").unwrap();
    assert_eq!(guest.call_run(&mut store).unwrap(), "checked");
    drop(store);
    assert_eq!(host.totals().leaked(), 0);
}

#[test]
fn every_problem_of_a_module_is_listed_at_once_and_nothing_is_instantiated() {
    let mut store = Store::default();
    let host = SharedHost::new(HostConfig::default());
    let bad = module(
        &store,
        r#"(module
          (import "demo:check/api@1.0.0" "name" (func (param i64)))
          (import "demo:check/api@1.0.0" "nope" (func))
          (import "demo:check/api@2.0.0" "name" (func (param i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
          (func (export "run") (result i64) (i64.const 0)))"#,
    );
    let error = Checked::new(&mut store, &bad, Data, host.clone(), "t").err();
    let problems = problems(error.expect("the module is refused"));
    let names: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 7, "{names:#?}");
    assert!(matches!(&problems[0], Problem::SignatureMismatch { name, .. } if name == "name"));
    assert!(matches!(&problems[1], Problem::UnknownImport { name, .. } if name == "nope"));
    assert!(
        matches!(&problems[2], Problem::VersionMismatch { expected, .. } if expected == "1.0.0")
    );
    assert!(matches!(&problems[3], Problem::Undefined { name, .. } if name == "fd_write"));
    assert!(matches!(&problems[4], Problem::MissingExport { name, .. } if name == "memory"));
    assert!(matches!(&problems[5], Problem::MissingExport { name, .. } if name == "cabi_realloc"));
    assert!(matches!(&problems[6], Problem::BadExport { name, .. } if name == "run"));
    assert_eq!(host.totals().instances, 0, "no instance was made");
}

#[test]
fn imports_without_the_worlds_functions_are_unbound_problems() {
    let mut store = Store::default();
    let host = SharedHost::new(HostConfig::default());
    let module = module(&store, &good(""));
    let env = new_env(&mut store, Data, host, "t");
    // `Checked::add_to_imports` was not called on these imports.
    let error = Checked::instantiate(&mut store, &module, &Imports::new(), env).err();
    let problems = problems(error.expect("the module is refused"));
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(
        problems
            .iter()
            .all(|p| matches!(p, Problem::Unbound { module, .. } if module == API))
    );
}

#[test]
fn imports_of_other_modules_are_checked_against_what_the_embedder_defined() {
    let wat = good(r#"(import "env" "tick" (func (param i32)))"#);
    let host = SharedHost::new(HostConfig::default());

    // Defined with the module's type: it instantiates.
    let mut store = Store::default();
    let module = module(&store, &wat);
    let env = new_env(&mut store, Data, host.clone(), "t");
    let mut imports =
        imports! { "env" => { "tick" => Function::new_typed(&mut store, |_: i32| {}) } };
    Checked::add_to_imports(&mut store, &env, &mut imports);
    Checked::instantiate(&mut store, &module, &imports, env).unwrap();

    // Defined with another type: refused, naming both types.
    let mut store = Store::default();
    let module = self::module(&store, &wat);
    let env = new_env(&mut store, Data, host, "t");
    let mut imports = imports! { "env" => { "tick" => Function::new_typed(&mut store, || {}) } };
    Checked::add_to_imports(&mut store, &env, &mut imports);
    let error = Checked::instantiate(&mut store, &module, &imports, env).err();
    let problems = problems(error.expect("the module is refused"));
    assert!(
        matches!(&problems[..], [Problem::ImportType { name, expected, found, .. }]
            if name == "tick" && expected == "(param i32)" && found == "(func)"),
        "{problems:#?}"
    );
}

#[test]
fn the_shape_names_every_import_with_its_core_signature() {
    let shape = Checked::<Data>::SHAPE;
    let names: Vec<&str> = shape.imports.iter().map(|i| i.name).collect();
    assert_eq!(
        names,
        [
            "[constructor]counter",
            "[method]counter.get",
            "name",
            "[resource-drop]counter"
        ]
    );
    assert!(shape.imports.iter().all(|i| i.module == API));
    assert!(shape.needs_memory && shape.needs_realloc);
    assert_eq!(shape.exports[0].name, "run");
    assert_eq!(shape.exports[0].post_return, "cabi_post_run");
}
