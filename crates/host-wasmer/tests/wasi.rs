//! WASI beside a world's imports (feature `wasi`), on both ways to bind:
//! the run-time `Linker` (`instantiate_wasi`) and a world type `bindgen!`
//! generated (`WasiState` + `start_guest`), with small hand-written guests.
//! The real `wasm32-wasip1` guest examples run in slots-host's tests.

#![cfg(feature = "wasi")]
#![allow(clippy::unwrap_used, clippy::panic, unreachable_pub, missing_docs)]

use std::sync::Arc;

use host_wasmer::wasi::{GuestExit, Output, WasiConfig, WasiHost, WasiSetupError, WasiState};
use host_wasmer::{
    GuestWorld, HostConfig, InstantiateError, InstantiateOptions, Linker, Problem, SharedHost,
    UndefinedImports, bindings,
};
use wasmer::{Imports, Module, Store};

host_wasmer::bindgen!({
    inline: "package demo:hello@1.0.0; world hello { export run: func(); }",
    world: "hello",
});

const WORLD: &str = "package demo:hello@1.0.0; world hello { export run: func(); }";

/// Prints `hello\n` to stdout through `fd_write`; exits with code 7 when
/// its first argument count is 2 or more (one argument after the name).
const PRINTER: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "run")
    (drop (call $args_sizes_get (i32.const 32) (i32.const 36)))
    (if (i32.ge_u (i32.load (i32.const 32)) (i32.const 2))
      (then (call $proc_exit (i32.const 7))))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

/// A reactor whose `_initialize` traps.
const BAD_INIT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "_initialize") unreachable)
  (func (export "run")))"#;

fn module(store: &Store, wat: &str) -> Module {
    Module::new(store, wat::parse_str(wat).unwrap()).unwrap()
}

fn linker(host: &Arc<SharedHost>) -> Linker<()> {
    Linker::new(GuestWorld::from_str(WORLD, "hello").unwrap(), host.clone())
}

fn captured() -> WasiConfig {
    WasiConfig::new("hello").stdout(Output::Capture { limit: 1024 })
}

#[test]
fn the_linker_and_generated_bindings_run_one_wasi_guest_alike() {
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let mut store = Store::default();
    let module = module(&store, PRINTER);

    let linked = linker(&host)
        .instantiate_wasi(&mut store, &module, (), "a", &wasi, &captured())
        .unwrap();
    linked.call(&mut store, "run", &[]).unwrap();

    let mut state = WasiState::new(&mut store, &module, &wasi, &captured()).unwrap();
    let env = bindings::new_env(&mut store, (), host.clone(), "b");
    Hello::add_to_imports(&mut store, &env, state.imports_mut());
    let guest = Hello::instantiate(&mut store, &module, state.imports(), env).unwrap();
    let generated = state.start_guest(&mut store, guest).unwrap();
    generated.call_run(&mut store).unwrap();

    assert_eq!(wasi.live_environments(), 2);
    for stdout in [linked.stdout(), generated.stdout()] {
        assert_eq!(stdout.unwrap().bytes(), b"hello\n");
    }
    linked.teardown(&mut store).unwrap();
    generated.teardown(&mut store).unwrap();
    assert_eq!(wasi.live_environments(), 0);
    assert_eq!(host.totals().instances, 0);
    assert_eq!(host.totals().leaked(), 0);
}

#[test]
fn only_the_wasi_functions_a_module_imports_are_defined() {
    let wasi = WasiHost::new().unwrap();
    let mut store = Store::default();
    let module = module(&store, PRINTER);
    let state = WasiState::new(&mut store, &module, &wasi, &WasiConfig::new("p")).unwrap();
    let mut defined: Vec<String> = state
        .imports()
        .iter()
        .map(|(module, name, _)| format!("{module}#{name}"))
        .collect();
    defined.sort();
    assert_eq!(
        defined,
        [
            "wasi_snapshot_preview1#args_sizes_get",
            "wasi_snapshot_preview1#fd_write",
            "wasi_snapshot_preview1#proc_exit",
        ]
    );
}

#[test]
fn a_generated_guest_exit_code_reaches_the_host() {
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let mut store = Store::default();
    let module = module(&store, PRINTER);
    let config = captured().args(["--exit"]);
    let mut state = WasiState::new(&mut store, &module, &wasi, &config).unwrap();
    let env = bindings::new_env(&mut store, (), host.clone(), "t");
    Hello::add_to_imports(&mut store, &env, state.imports_mut());
    let guest = Hello::instantiate(&mut store, &module, state.imports(), env).unwrap();
    let guest = state.start_guest(&mut store, guest).unwrap();
    let error = guest.call_run(&mut store).unwrap_err();
    assert!(
        error
            .to_string()
            .contains(&GuestExit { code: 7 }.to_string()),
        "{error}"
    );
    assert_eq!(guest.exit_code(), Some(7));
    assert_eq!(guest.stdout().unwrap().bytes(), b"", "it exited first");
    guest.teardown(&mut store).unwrap();
    assert_eq!(wasi.live_environments(), 0);
    assert_eq!(host.totals().leaked(), 0);
}

#[test]
fn an_initialize_that_traps_releases_the_guest_and_its_wasi_state() {
    let host = SharedHost::new(HostConfig::default());
    let wasi = WasiHost::new().unwrap();
    let mut store = Store::default();
    let module = module(&store, BAD_INIT);

    let Err(error) =
        linker(&host).instantiate_wasi(&mut store, &module, (), "a", &wasi, &captured())
    else {
        panic!("`_initialize` traps");
    };
    assert!(matches!(error, WasiSetupError::Initialize(_)), "{error}");

    let mut state = WasiState::new(&mut store, &module, &wasi, &captured()).unwrap();
    let env = bindings::new_env(&mut store, (), host.clone(), "b");
    Hello::add_to_imports(&mut store, &env, state.imports_mut());
    let guest = Hello::instantiate(&mut store, &module, state.imports(), env).unwrap();
    let Err(error) = state.start_guest(&mut store, guest) else {
        panic!("`_initialize` traps");
    };
    assert!(matches!(error, WasiSetupError::Initialize(_)), "{error}");

    assert_eq!(wasi.live_environments(), 0, "both WASI states ended");
    assert_eq!(host.totals().instances, 0, "both guests torn down");
    assert_eq!(host.totals().leaked(), 0);
}

#[test]
fn a_wasi_guest_without_wasi_imports_is_refused_naming_each_import() {
    let host = SharedHost::new(HostConfig::default());
    let mut store = Store::default();
    let module = module(&store, PRINTER);
    let Err(InstantiateError::Validation(error)) =
        linker(&host).instantiate_with_imports(&mut store, &module, (), "t", Imports::new())
    else {
        panic!("nothing defines WASI here");
    };
    let mut undefined: Vec<&str> = error
        .problems
        .iter()
        .filter_map(|p| match p {
            Problem::Undefined { module, name } if module == "wasi_snapshot_preview1" => {
                Some(name.as_str())
            }
            _ => None,
        })
        .collect();
    undefined.sort();
    assert_eq!(
        undefined,
        ["args_sizes_get", "fd_write", "proc_exit"],
        "{error}"
    );
    assert_eq!(undefined.len(), error.problems.len(), "only those: {error}");
    assert!(
        error.to_string().contains(
            "import `wasi_snapshot_preview1#fd_write`: neither the world nor the embedder's imports define it"
        ),
        "{error}"
    );
}

#[test]
fn undefined_imports_can_become_functions_that_trap_naming_the_import() {
    let host = SharedHost::new(HostConfig::default());
    let mut store = Store::default();
    let module = module(&store, PRINTER);
    let options = InstantiateOptions::new().undefined(UndefinedImports::Trap);
    let instance = linker(&host)
        .instantiate_with(&mut store, &module, (), "t", options)
        .unwrap();
    let error = instance.call(&mut store, "run", &[]).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("import `wasi_snapshot_preview1#args_sizes_get`"),
        "the trap names the import: {error}"
    );
    assert!(error.to_string().contains("nothing defines it"), "{error}");
    drop(store);
    assert_eq!(host.totals().leaked(), 0);
}
