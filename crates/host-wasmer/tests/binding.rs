//! Binding closures to a WIT world (every mismatch refused when bound,
//! naming what does not fit) and validating guest modules against it
//! (every problem reported at once, before Wasmer sees the module).

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::typed::Own;
use host_wasmer::{BindError, Ctx, HostError, InstantiateError, Problem};
use slots_core::{Handle, Resource};
use support::{API, Log, Thing, assert_names, linker};
use wasmer::{Module, Store};

fn bind_error<T>(result: Result<T, BindError>) -> String {
    match result {
        Ok(_) => panic!("the binding was accepted"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn a_parameter_of_the_wrong_type_is_refused_naming_the_function_the_parameter_and_both_types() {
    let mut linker = linker("imports");
    let error = bind_error(linker.func(API, "echo-u8", |_: &mut Ctx<'_, Log>, x: u16| {
        Ok::<_, HostError>(x as u8)
    }));
    assert_names(
        &error,
        &[
            "function `echo-u8`",
            "parameter `x`",
            "WIT type `u8` does not fit Rust type `u16`",
        ],
    );
}

#[test]
fn a_compound_parameter_of_the_wrong_type_is_refused_naming_both_types() {
    let mut linker = linker("imports");
    let error = bind_error(linker.func(
        API,
        "echo-strings",
        |_: &mut Ctx<'_, Log>, l: Vec<u32>| Ok::<_, HostError>(l),
    ));
    assert_names(
        &error,
        &[
            "function `echo-strings`",
            "parameter `l`",
            "WIT type `string` does not fit Rust type `u32`",
        ],
    );
}

#[test]
fn a_result_of_the_wrong_type_is_refused_naming_both_types() {
    let mut linker = linker("imports");
    let error = bind_error(
        linker.func(API, "echo-string", |_: &mut Ctx<'_, Log>, s: String| {
            Ok::<_, HostError>(s.len() as u32)
        }),
    );
    assert_names(
        &error,
        &[
            "function `echo-string`",
            "result",
            "WIT type `string` does not fit Rust type `u32`",
        ],
    );
    let error = bind_error(
        linker.func(API, "echo-string", |_: &mut Ctx<'_, Log>, _: String| {
            Ok::<_, HostError>(())
        }),
    );
    assert_names(&error, &["function `echo-string`", "result", "`()`"]);
}

#[test]
fn a_closure_of_another_arity_is_refused_with_both_counts() {
    let mut linker = linker("imports");
    let error = bind_error(linker.func(API, "pair", |_: &mut Ctx<'_, Log>, a: u32| {
        Ok::<_, HostError>((a, 0u64))
    }));
    assert_names(
        &error,
        &[
            "function `pair`",
            "the WIT function takes 2 parameters, the closure 1",
        ],
    );
}

#[test]
fn an_unknown_function_or_resource_is_refused_naming_it() {
    let mut linker = linker("imports");
    let error = bind_error(linker.func(API, "echo-u128", |_: &mut Ctx<'_, Log>| {
        Ok::<_, HostError>(())
    }));
    assert_names(
        &error,
        &["the world imports no function `test:shapes/api@1.0.0#echo-u128`"],
    );
    let error = bind_error(linker.func(
        "test:shapes/api@2.0.0",
        "echo-u8",
        |_: &mut Ctx<'_, Log>, x: u8| Ok::<_, HostError>(x),
    ));
    assert_names(&error, &["no function `test:shapes/api@2.0.0#echo-u8`"]);
    let error = bind_error(linker.resource::<Thing>(API, "widget"));
    assert_names(
        &error,
        &["the world imports no resource `widget` from `test:shapes/api@1.0.0`"],
    );
}

#[test]
fn a_rust_type_whose_resource_name_differs_from_the_wit_name_is_refused() {
    struct Thingy;
    impl Resource for Thingy {
        const NAME: &'static str = "thingy";
    }
    let mut linker = linker("imports");
    let error = bind_error(linker.resource::<Thingy>(API, "thing"));
    assert_names(
        &error,
        &[
            "resource `thing` is bound to a Rust type named `thingy`",
            "make `Resource::NAME` \"thing\"",
        ],
    );
}

#[test]
fn handle_types_must_match_the_bound_resource_and_own_or_borrow() {
    let mut linker = linker("imports");
    // A borrow taken as `Own<T>` would take the guest's object.
    let error = bind_error(linker.func(
        API,
        "[method]thing.name",
        |_: &mut Ctx<'_, Log>, _: Own<Thing>| Ok::<_, HostError>(String::new()),
    ));
    assert_names(
        &error,
        &[
            "function `[method]thing.name`",
            "parameter `self`",
            "WIT type `borrow<thing>`",
            "take it as `Handle<T>`",
        ],
    );
    // An own taken as `Handle<T>` would leave the object in the guest's table.
    let error = bind_error(linker.func(
        API,
        "[method]thing.merge",
        |_: &mut Ctx<'_, Log>, _: Handle<Thing>, _: Handle<Thing>| Ok::<_, HostError>(0u32),
    ));
    assert_names(
        &error,
        &[
            "parameter `other`",
            "WIT type `own<thing>`",
            "take it as `Own<T>`",
        ],
    );
    // A handle to the wrong resource.
    let error = bind_error(linker.func(
        API,
        "[static]thing.peek",
        |_: &mut Ctx<'_, Log>, _: Handle<support::Gadget>| Ok::<_, HostError>(String::new()),
    ));
    assert_names(
        &error,
        &["parameter `t`", "WIT type `borrow<thing>`", "bound to `"],
    );
}

#[test]
fn a_handle_to_a_resource_with_no_rust_type_bound_is_refused() {
    let mut linker = host_wasmer::Linker::<Log>::new(
        support::world("imports"),
        host_wasmer::SharedHost::new(host_wasmer::HostConfig::default()),
    );
    let error = bind_error(linker.func(
        API,
        "[method]thing.name",
        |_: &mut Ctx<'_, Log>, _: Handle<Thing>| Ok::<_, HostError>(String::new()),
    ));
    assert_names(&error, &["call `Linker::resource` first"]);
}

host_wasmer::wit_record! {
    struct BadPoint { x: i32, z: i32 }
}

host_wasmer::wit_enum! {
    #[derive(Clone, Copy)]
    enum TwoColors { Red, Green }
}

host_wasmer::wit_flags! {
    struct BadPerms { read: bool, write: bool, run: bool }
}

host_wasmer::wit_variant! {
    enum BadShape { Circle(f64), Square(u32), Named, Empty }
}

#[test]
fn records_enums_flags_and_variants_are_checked_name_by_name() {
    let mut linker = linker("imports");
    let error = bind_error(
        linker.func(API, "echo-point", |_: &mut Ctx<'_, Log>, p: BadPoint| {
            Ok::<_, HostError>(p)
        }),
    );
    assert_names(
        &error,
        &[
            "parameter `p`",
            "WIT type `point`",
            "fields `y` against Rust `z`",
        ],
    );
    let error = bind_error(
        linker.func(API, "echo-color", |_: &mut Ctx<'_, Log>, c: TwoColors| {
            Ok::<_, HostError>(c)
        }),
    );
    assert_names(&error, &["WIT type `color`", "3 cases against 2"]);
    let error = bind_error(
        linker.func(API, "echo-perms", |_: &mut Ctx<'_, Log>, p: BadPerms| {
            Ok::<_, HostError>(p)
        }),
    );
    assert_names(
        &error,
        &["WIT type `perms`", "flags `exec` against Rust `run`"],
    );
    let error = bind_error(
        linker.func(API, "echo-shape", |_: &mut Ctx<'_, Log>, s: BadShape| {
            Ok::<_, HostError>(s)
        }),
    );
    assert_names(&error, &["WIT type `shape`", "case `named` has a payload"]);
}

/// A module with one of each problem validation finds.
const BROKEN: &str = r#"
(module
  (import "nowhere:pkg/iface@1.0.0" "f" (func (param i32)))
  (import "test:shapes/api@1.0.0" "echo-u128" (func (param i32) (result i32)))
  (import "test:shapes/api@2.0.0" "echo-u8" (func (param i32) (result i32)))
  (import "test:shapes/api@1.0.0" "echo-u16" (func (param i64) (result i32)))
  (import "test:shapes/api@1.0.0" "echo-u32" (func (param i32) (result i32)))
  (import "test:shapes/api@1.0.0" "echo-s32" (global i32))
  (import "test:shapes/api@1.0.0" "[resource-drop]thing" (func (param i32) (result i32)))
  (import "test:shapes/api@1.0.0" "[resource-drop]gadget" (func (param i32)))
  (import "test:shapes/api@1.0.0" "echo-u8" (func (param i32) (result i32)))
)
"#;

#[test]
fn validation_reports_every_problem_of_a_module_at_once() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-u8", |_: &mut Ctx<'_, Log>, x: u8| {
            Ok::<_, HostError>(x)
        })
        .unwrap();
    let store = Store::default();
    let module = Module::new(&store, wat::parse_str(BROKEN).unwrap()).unwrap();
    let error = linker.validate(&module).unwrap_err();
    let problems: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "import `nowhere:pkg/iface@1.0.0#f`: the world has no interface `nowhere:pkg/iface@1.0.0`",
            "import `test:shapes/api@1.0.0#echo-u128`: `test:shapes/api@1.0.0` has no function `echo-u128`",
            "import `test:shapes/api@2.0.0#echo-u8`: interface version mismatch, the host serves @1.0.0",
            "import `test:shapes/api@1.0.0#echo-u16`: signature mismatch, the WIT gives (param i32) (result i32) but the module declares (param i64) (result i32)",
            "import `test:shapes/api@1.0.0#echo-u32`: the host has not bound this function",
            "import `test:shapes/api@1.0.0#echo-s32`: expected a function",
            "import `test:shapes/api@1.0.0#[resource-drop]thing`: signature mismatch, the WIT gives (param i32) but the module declares (param i32) (result i32)",
            "missing export `memory` (the canonical ABI's linear memory)",
            "missing export `cabi_realloc` (the canonical ABI's allocator)",
        ]
    );
    assert!(matches!(
        error.problems[..],
        [
            Problem::UnknownModule { .. },
            Problem::UnknownImport { .. },
            Problem::VersionMismatch { .. },
            Problem::SignatureMismatch { .. },
            Problem::Unbound { .. },
            Problem::NotAFunction { .. },
            Problem::SignatureMismatch { .. },
            Problem::MissingExport { .. },
            Problem::MissingExport { .. },
        ]
    ));
    assert_names(
        &error.to_string(),
        &["the module does not fit the world (9 problems)"],
    );
}

#[test]
fn instantiation_refuses_a_module_that_does_not_validate_with_every_problem() {
    let linker = linker("exports");
    let mut store = Store::default();
    let wat = r#"(module
      (import "test:shapes/api@1.0.0" "echo-u8" (func (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "cabi_realloc") (param i32 i32 i32) (result i32) (i32.const 0))
      (func (export "add") (param i32 i32) (result i32) (i32.const 0)))"#;
    let module = Module::new(&store, wat::parse_str(wat).unwrap()).unwrap();
    let Err(InstantiateError::Validation(error)) =
        linker.instantiate(&mut store, &module, Log::new(), "test")
    else {
        panic!("the module was instantiated");
    };
    let problems: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "import `test:shapes/api@1.0.0#echo-u8`: the host has not bound this function",
            "export `cabi_realloc`: expected (param i32 i32 i32 i32) (result i32), found (param i32 i32 i32) (result i32)",
            "missing export `greet` (a function of the world)",
            "missing export `measure` (a function of the world)",
            "missing export `wide` (a function of the world)",
            "missing export `run` (a function of the world)",
        ]
    );
    assert_eq!(linker.host().totals().instances, 0, "no instance was made");
}

#[test]
fn binding_an_import_twice_is_refused_naming_it() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-u8", |_: &mut Ctx<'_, Log>, x: u8| {
            Ok::<_, HostError>(x)
        })
        .unwrap();
    let again = bind_error(linker.func(API, "echo-u8", |_: &mut Ctx<'_, Log>, x: u8| {
        Ok::<_, HostError>(x.wrapping_add(1))
    }));
    assert_eq!(again, "`test:shapes/api@1.0.0#echo-u8` is bound already");
    let dynamic = bind_error(linker.func_dynamic(API, "echo-u8", |_, _| Ok(None)));
    assert_eq!(dynamic, again);
    // `linker("imports")` bound `thing` already.
    let resource = bind_error(linker.resource::<Thing>(API, "thing"));
    assert_eq!(
        resource,
        "`test:shapes/api@1.0.0#[resource-drop]thing` is bound already"
    );
}

#[test]
fn counts_of_one_read_in_the_singular() {
    let mut linker = linker("imports");
    let error = bind_error(linker.func(API, "echo-u8", |_: &mut Ctx<'_, Log>| {
        Ok::<_, HostError>(0u8)
    }));
    assert_names(
        &error,
        &["the WIT function takes 1 parameter, the closure 0"],
    );
    // A module of the scalars world missing only its export.
    let store = Store::default();
    let module = Module::new(&store, wat::parse_str("(module)").unwrap()).unwrap();
    let linker = host_wasmer::Linker::<()>::new(
        host_wasmer::GuestWorld::from_str(SCALARS, "guest").unwrap(),
        host_wasmer::SharedHost::new(host_wasmer::HostConfig::default()),
    );
    let error = linker.validate(&module).unwrap_err().to_string();
    assert_names(&error, &["the module does not fit the world (1 problem)"]);
}

/// A world of scalars and handles: no value crosses through memory.
const SCALARS: &str = "
    package test:scalars@1.0.0;
    interface api {
        resource counter {
            constructor(start: u64);
            bump: func(by: u32) -> u64;
        }
    }
    world guest {
        import api;
        export run: func() -> u64;
    }";

struct Counter(u64);
impl Resource for Counter {
    const NAME: &'static str = "counter";
}

#[test]
fn a_world_of_scalars_and_handles_needs_no_memory_or_cabi_realloc() {
    let world = host_wasmer::GuestWorld::from_str(SCALARS, "guest").unwrap();
    assert!(!world.needs_memory() && !world.needs_realloc());
    let module_name = "test:scalars/api@1.0.0";
    let mut linker = host_wasmer::Linker::<()>::new(
        world,
        host_wasmer::SharedHost::new(host_wasmer::HostConfig::default()),
    );
    linker
        .resource::<Counter>(module_name, "counter")
        .unwrap()
        .func(
            module_name,
            "[constructor]counter",
            |_: &mut Ctx<'_, ()>, start: u64| Ok::<_, HostError>(Own::new(Counter(start))),
        )
        .unwrap()
        .func(
            module_name,
            "[method]counter.bump",
            |cx: &mut Ctx<'_, ()>, this: Handle<Counter>, by: u32| {
                let counter = cx.get_mut(this)?;
                counter.0 += u64::from(by);
                Ok::<_, HostError>(counter.0)
            },
        )
        .unwrap();
    // No `memory`, no `cabi_realloc`.
    let wat = format!(
        r#"(module
          (import "{module_name}" "[constructor]counter" (func $new (param i64) (result i32)))
          (import "{module_name}" "[method]counter.bump" (func $bump (param i32 i32) (result i64)))
          (import "{module_name}" "[resource-drop]counter" (func $drop (param i32)))
          (func (export "run") (result i64) (local $c i32) (local $n i64)
            (local.set $c (call $new (i64.const 40)))
            (drop (call $bump (local.get $c) (i32.const 1)))
            (local.set $n (call $bump (local.get $c) (i32.const 1)))
            (call $drop (local.get $c))
            (local.get $n)))"#
    );
    let mut store = Store::default();
    let module = Module::new(&store, wat::parse_str(&wat).unwrap()).unwrap();
    let instance = linker.instantiate(&mut store, &module, (), "test").unwrap();
    let result = instance.call(&mut store, "run", &[]).unwrap();
    assert_eq!(result, Some(host_wasmer::abi::Val::U64(42)));
    assert_eq!(instance.counters(&store).live_handles, 0);
}

#[test]
fn maps_and_fixed_length_lists_are_refused_when_the_world_is_loaded() {
    for (ty, kind) in [
        ("map<string, u32>", "map"),
        ("list<u8, 4>", "fixed-length list"),
        ("option<list<map<u32, u32>>>", "map"),
    ] {
        let wit = format!(
            "package test:edges@1.0.0;
             interface api {{ take: func(value: {ty}) -> u32; }}
             world guest {{ import api; }}"
        );
        let error = match host_wasmer::GuestWorld::from_str(&wit, "guest") {
            Ok(_) => panic!("`{ty}` was accepted"),
            Err(error) => error.to_string(),
        };
        assert_names(
            &error,
            &[
                "function `take`, parameter `value`",
                &format!("holds a `{kind}`"),
                "is not supported",
            ],
        );
    }
}

#[test]
fn an_interface_imported_in_two_versions_is_ambiguous_by_its_short_name() {
    let world = host_wasmer::GuestWorld::from_str(
        "package test:app@1.0.0;
         package test:log@1.0.0 { interface sink { write: func(line: string); } }
         package test:log@2.0.0 { interface sink { write: func(line: string, level: u8); } }
         world guest { import test:log/sink@1.0.0; import test:log/sink@2.0.0; }",
        "guest",
    )
    .unwrap();
    let error = world.interface_module("sink").unwrap_err();
    assert!(
        matches!(&error, host_wasmer::WorldError::Ambiguous { candidates, .. } if candidates.len() == 2)
    );
    assert_names(
        &error.to_string(),
        &[
            "`sink` is ambiguous",
            "test:log/sink@1.0.0",
            "test:log/sink@2.0.0",
        ],
    );
    assert_eq!(
        world.interface_module("sink@1.0.0").unwrap(),
        "test:log/sink@1.0.0"
    );
    assert_eq!(
        world.interface_module("test:log/sink@2.0.0").unwrap(),
        "test:log/sink@2.0.0"
    );
    assert!(world.interface_module("sink@3.0.0").is_err());
}

#[test]
fn a_linker_copied_for_another_host_runs_its_instances_there() {
    use host_wasmer::{GuestWorld, HostConfig, Linker, SharedHost};
    let world = GuestWorld::from_str(
        "package demo:hosts; world guest { export run: func(); }",
        "guest",
    )
    .unwrap();
    let first = SharedHost::new(HostConfig::default());
    let linker = Linker::<()>::new(world, first.clone());
    let second = SharedHost::new(HostConfig::default());
    let copy = linker.with_host(second.clone());
    let mut store = Store::default();
    let wat = r#"(module
      (memory (export "memory") 1)
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 8))
      (func (export "run")))"#;
    let module = Module::new(&store, wat::parse_str(wat).unwrap()).unwrap();
    let instance = copy.instantiate(&mut store, &module, (), "t").unwrap();
    instance.call(&mut store, "run", &[]).unwrap();
    assert_eq!(second.totals().instances, 1);
    assert_eq!(first.totals().instances, 0);
    drop(store);
    assert_eq!(second.totals().instances, 0);
}
