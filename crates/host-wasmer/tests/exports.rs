//! Calling a guest's exports through `GuestInstance::call`: parameters
//! lowered into the guest (allocated with its `cabi_realloc` when they need
//! memory or spill), results lifted back, post-return functions run.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::abi::Val;
use host_wasmer::{CallError, TrapCode, TrapKind};
use support::{Guest, HEAP, assert_names, linker, module};

/// A guest of the `exports` world.
const EXPORTS: &str = r#"
  (global $posts (export "posts") (mut i32) (i32.const 0))
  (global $wide_at (export "wide-at") (mut i32) (i32.const 0))
  (data (i32.const 2048) "nope")

  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))

  ;; Capitalises its argument in place and returns it.
  (func (export "greet") (param $ptr i32) (param $len i32) (result i32)
    (i32.store8 (local.get $ptr) (i32.sub (i32.load8_u (local.get $ptr)) (i32.const 32)))
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (i32.const 0))
  (func (export "cabi_post_greet") (param i32)
    (global.set $posts (i32.add (global.get $posts) (i32.const 1))))

  ;; x * y + the sum of the values.
  (func (export "measure") (param $x i32) (param $y i32) (param $ptr i32) (param $len i32) (result i64)
    (local $sum i64) (local $i i32)
    (local.set $sum (i64.extend_i32_s (i32.mul (local.get $x) (local.get $y))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $sum
          (i64.add (local.get $sum)
            (i64.extend_i32_s
              (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  ;; The sum of the 18 fields of two `nine`s, read from the parameter area.
  (func (export "wide") (param $ptr i32) (result i32)
    (local $sum i32) (local $i i32)
    (global.set $wide_at (local.get $ptr))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 18)))
        (local.set $sum
          (i32.add (local.get $sum)
            (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  ;; err("nope")
  (func (export "run") (result i32)
    (i32.store8 (i32.const 16) (i32.const 1))
    (i32.store (i32.const 20) (i32.const 2048))
    (i32.store (i32.const 24) (i32.const 4))
    (i32.const 16))
"#;

fn exporter() -> Guest {
    Guest::new(&linker("exports"), &module("", EXPORTS))
}

fn global(guest: &mut Guest, name: &str) -> i32 {
    guest.global(name)
}

fn call(guest: &mut Guest, name: &str, params: &[Val]) -> Result<Option<Val>, CallError> {
    guest.instance.call(&mut guest.store, name, params)
}

fn nine(from: u32) -> Val {
    Val::Record((from..from + 9).map(Val::U32).collect())
}

#[test]
fn an_export_with_scalar_params_and_result_is_called_through_the_abi() {
    let mut guest = exporter();
    assert_eq!(
        call(&mut guest, "add", &[Val::U32(2), Val::U32(40)]).unwrap(),
        Some(Val::U32(42))
    );
    assert_eq!(
        call(&mut guest, "add", &[Val::U32(u32::MAX), Val::U32(2)]).unwrap(),
        Some(Val::U32(1))
    );
}

#[test]
fn a_string_param_goes_through_cabi_realloc_and_the_string_result_is_lifted_before_post_return() {
    let mut guest = exporter();
    assert_eq!(
        call(&mut guest, "greet", &[Val::from("slots")]).unwrap(),
        Some(Val::from("Slots"))
    );
    assert_eq!(guest.allocs(), 1, "the host allocated the argument");
    assert!(
        guest.u32_at(0) >= HEAP,
        "the argument is in the guest's heap"
    );
    assert_eq!(global(&mut guest, "posts"), 1, "cabi_post_greet ran once");
}

#[test]
fn record_and_list_params_are_flattened_for_an_export() {
    let mut guest = exporter();
    let point = Val::Record(vec![Val::S32(3), Val::S32(4)]);
    let values = Val::List(vec![Val::S32(1), Val::S32(2), Val::S32(-10)]);
    assert_eq!(
        call(&mut guest, "measure", &[point, values]).unwrap(),
        Some(Val::S64(5))
    );
    assert_eq!(guest.allocs(), 1, "the list was allocated in the guest");
}

#[test]
fn more_than_sixteen_flat_export_params_are_stored_in_an_area_from_cabi_realloc() {
    let mut guest = exporter();
    assert_eq!(
        call(&mut guest, "wide", &[nine(1), nine(10)]).unwrap(),
        Some(Val::U32(171))
    );
    let area = global(&mut guest, "wide-at") as u32;
    assert!(area >= HEAP && area.is_multiple_of(4), "area at {area:#x}");
    assert_eq!(guest.allocs(), 1);
}

#[test]
fn a_result_through_the_return_area_is_lifted() {
    let mut guest = exporter();
    assert_eq!(
        call(&mut guest, "run", &[]).unwrap(),
        Some(Val::err(Some(Val::from("nope"))))
    );
}

#[test]
fn calls_that_do_not_fit_the_export_are_refused_before_the_guest_runs() {
    let mut guest = exporter();
    let missing = call(&mut guest, "subtract", &[]).unwrap_err();
    assert!(matches!(&missing, CallError::NoExport(name) if name == "subtract"));
    assert_names(
        &missing.to_string(),
        &["the world exports no function `subtract`"],
    );
    let short = call(&mut guest, "add", &[Val::U32(1)]).unwrap_err();
    assert_names(
        &short.to_string(),
        &[
            "calling `add`",
            "function `add` takes 2 parameters, 1 given",
        ],
    );
    let wrong = call(&mut guest, "add", &[Val::from("one"), Val::U32(1)]).unwrap_err();
    assert_names(
        &wrong.to_string(),
        &[
            "calling `add`",
            "expected a value of type `u32`, found a `string` value",
        ],
    );
    assert_eq!(guest.allocs(), 0);
}

#[test]
fn an_export_that_traps_is_reported_as_a_trap_and_poisons_the_instance() {
    let body = EXPORTS.replace("(i32.add (local.get 0) (local.get 1)))", "(unreachable))");
    let mut guest = Guest::new(&linker("exports"), &module("", &body));
    let error = call(&mut guest, "add", &[Val::U32(1), Val::U32(2)]).unwrap_err();
    let CallError::Trap {
        export,
        message,
        kind,
    } = &error
    else {
        panic!("not a trap: {error:?}");
    };
    assert_eq!(export, "add");
    assert!(message.contains("unreachable"), "{message}");
    assert!(
        matches!(kind, TrapKind::Wasm(TrapCode::UnreachableCodeReached)),
        "{kind:?}"
    );
    // The trap may have left the guest's state half-changed: it is not
    // entered again, whichever export is called.
    assert!(guest.instance.is_poisoned());
    let again = call(&mut guest, "run", &[]).unwrap_err();
    assert!(matches!(&again, CallError::Poisoned { export } if export == "run"));
    assert_eq!(
        again.to_string(),
        "`run`: the instance trapped earlier and is not entered again"
    );
}
