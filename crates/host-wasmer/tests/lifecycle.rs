//! An instance's life as the host sees it: calls after teardown, a host
//! function that panics, an instance used with another store, and the
//! kind of each trap, told apart without matching text.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::abi::Val;
use host_wasmer::typed::Own;
use host_wasmer::{CallError, Ctx, HostError, Linker, TrapKind};
use slots_core::{Handle, HandleError, RawHandle};
use support::{API, Gadget, Guest, Log, Thing, linker, log, module};
use wasmer::{Store, Value};

/// A guest of the `both` world: `add(a, b)` is `echo-u32(a) + b`, and
/// `gadget` makes a gadget through the import, for the tests to hold.
fn guest_wat() -> String {
    module(
        &format!(
            r#"(import "{API}" "echo-u32" (func $echo (param i32) (result i32)))
               (import "{API}" "[constructor]gadget" (func $gadget (result i32)))"#
        ),
        r#"(func (export "add") (param i32 i32) (result i32)
             (i32.add (call $echo (local.get 0)) (local.get 1)))
           (func (export "gadget") (result i32) (call $gadget))"#,
    )
}

/// The `both` linker, with `echo-u32` doing `echo` and gadgets made.
fn both_linker(echo: fn(&mut Ctx<'_, Log>, u32) -> Result<u32, HostError>) -> Linker<Log> {
    let mut linker = linker("both");
    linker
        .func(API, "echo-u32", echo)
        .unwrap()
        .func(API, "[constructor]gadget", |_: &mut Ctx<'_, Log>| {
            Ok::<_, HostError>(Own::new(Gadget))
        })
        .unwrap();
    linker
}

fn echo(cx: &mut Ctx<'_, Log>, x: u32) -> Result<u32, HostError> {
    log(cx, x.to_string());
    Ok(x)
}

fn add(guest: &mut Guest, a: u32, b: u32) -> Result<Option<Val>, CallError> {
    guest
        .instance
        .call(&mut guest.store, "add", &[Val::U32(a), Val::U32(b)])
}

#[test]
fn a_torn_down_instance_refuses_calls_with_an_error_of_its_own() {
    let linker = both_linker(echo);
    let host = linker.host().clone();
    let mut guest = Guest::new(&linker, &guest_wat());
    assert_eq!(add(&mut guest, 1, 2).unwrap(), Some(Val::U32(3)));
    guest.call("gadget", &[]).unwrap();
    guest.instance.teardown(&mut guest.store).unwrap();
    assert!(guest.instance.is_torn_down(&guest.store));

    let refused = add(&mut guest, 1, 2).unwrap_err();
    assert!(
        matches!(&refused, CallError::TornDown { export } if export == "add"),
        "{refused:?}"
    );
    assert_eq!(refused.to_string(), "`add`: the instance was torn down");
    assert_eq!(guest.log(), ["1"], "the guest was not entered again");

    // Entered some other way, the guest finds every import refusing.
    support::assert_trap(
        guest.call("gadget", &[]),
        &["[constructor]gadget", "the instance was torn down"],
    );
    assert_eq!(guest.live_handles(), 0);
    let totals = host.totals();
    assert_eq!(totals.instances, 0, "the instance ended once");
    assert_eq!(totals.opened, 1);
    assert_eq!(totals.leaked(), 0);
    // Tearing down again changes nothing.
    guest.instance.teardown(&mut guest.store).unwrap();
    assert_eq!(host.totals().opened, 1);
}

#[test]
fn the_host_grant_api_refuses_a_torn_down_instance() {
    let linker = both_linker(echo);
    let mut guest = Guest::new(&linker, &guest_wat());
    let gadget = guest.call("gadget", &[]).unwrap();
    let [Value::I32(bits)] = gadget[..] else {
        panic!("one handle: {gadget:?}");
    };
    let handle = RawHandle::from_bits(bits as u32).unwrap();
    let shared = guest
        .instance
        .share::<Gadget>(&mut guest.store, handle)
        .unwrap();
    guest.instance.teardown(&mut guest.store).unwrap();
    let adopted = guest.instance.adopt(&mut guest.store, shared);
    assert!(matches!(adopted, Err(HostError::TornDown)), "{adopted:?}");
    assert_eq!(guest.live_handles(), 0);
    assert_eq!(linker.host().totals().leaked(), 0);
}

#[test]
fn a_panicking_host_function_traps_naming_the_import_and_poisons_the_instance() {
    let linker = both_linker(|_, x| {
        if x == 13 {
            panic!("unlucky {x}");
        }
        Ok(x)
    });
    let mut guest = Guest::new(&linker, &guest_wat());
    assert_eq!(add(&mut guest, 1, 1).unwrap(), Some(Val::U32(2)));
    let error = add(&mut guest, 13, 1).unwrap_err();
    let Some(TrapKind::Host(trap)) = error.trap_kind() else {
        panic!("not a host trap: {error:?}");
    };
    assert_eq!(trap.import, "test:shapes/api@1.0.0#echo-u32");
    assert!(
        matches!(&trap.error, HostError::Panicked { message } if message == "unlucky 13"),
        "{trap:?}"
    );
    assert!(guest.instance.is_poisoned());
    assert!(matches!(
        add(&mut guest, 1, 1),
        Err(CallError::Poisoned { .. })
    ));

    // The host and its other instances go on.
    let mut other = Guest::new(&linker, &guest_wat());
    assert_eq!(add(&mut other, 2, 2).unwrap(), Some(Val::U32(4)));
}

#[test]
fn a_panicking_dynamic_host_function_traps_and_resets_the_call_state() {
    let mut linker = linker("both");
    linker
        .func_dynamic(API, "echo-u32", |_, params| match params[..] {
            [Val::U32(0)] => panic!("zero"),
            [Val::U32(x)] => Ok(Some(Val::U32(x))),
            _ => Err(HostError::msg("one u32")),
        })
        .unwrap()
        .func(API, "[constructor]gadget", |_: &mut Ctx<'_, Log>| {
            Ok::<_, HostError>(Own::new(Gadget))
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &guest_wat());
    let error = add(&mut guest, 0, 1).unwrap_err();
    let trap = error.trap_kind().and_then(TrapKind::host).unwrap();
    assert!(matches!(trap.error, HostError::Panicked { .. }), "{trap:?}");
    // The panic left no call marked as running: a hand-written guest that
    // is let in again is served, not refused as re-entrant.
    guest.instance.clear_poison();
    assert_eq!(add(&mut guest, 5, 1).unwrap(), Some(Val::U32(6)));
}

#[test]
fn an_instance_used_with_another_store_is_an_error_not_a_panic() {
    let linker = both_linker(echo);
    let mut guest = Guest::new(&linker, &guest_wat());
    let gadget = guest.call("gadget", &[]).unwrap();
    let [Value::I32(bits)] = gadget[..] else {
        panic!("one handle: {gadget:?}");
    };
    let handle: Handle<Gadget> = Handle::from_raw(RawHandle::from_bits(bits as u32).unwrap());
    let mut stranger = Store::default();
    assert!(!guest.instance.belongs_to(&stranger));
    assert!(guest.instance.belongs_to(&guest.store));

    let error = guest
        .instance
        .call(&mut stranger, "add", &[Val::U32(1), Val::U32(2)])
        .unwrap_err();
    assert!(matches!(error, CallError::WrongStore { .. }), "{error:?}");
    assert!(matches!(
        guest.instance.share(&mut stranger, handle),
        Err(HostError::WrongStore)
    ));
    assert!(matches!(
        guest.instance.revoke(&mut stranger, handle),
        Err(HostError::WrongStore)
    ));
    assert!(matches!(
        guest.instance.teardown(&mut stranger),
        Err(HostError::WrongStore)
    ));
    // Nothing happened to the instance.
    assert!(!guest.instance.is_poisoned());
    assert_eq!(add(&mut guest, 1, 2).unwrap(), Some(Val::U32(3)));
    assert_eq!(guest.live_handles(), 1);
}

#[test]
fn a_bad_handle_trap_says_its_kind_resource_and_handle() {
    let mut linker = linker("imports");
    linker
        .func(
            API,
            "[method]thing.name",
            |cx: &mut Ctx<'_, Log>, this: Handle<Thing>| {
                Ok::<_, HostError>(cx.get(this)?.0.clone())
            },
        )
        .unwrap();
    let mut guest = Guest::new(
        &linker,
        &support::forwarding("[method]thing.name", "(param i32 i32)", 2),
    );
    let error = guest
        .call("go", &[Value::I32(0x0030_0001), Value::I32(0)])
        .unwrap_err();
    let trap = error.downcast::<host_wasmer::GuestTrap>().unwrap();
    assert_eq!(trap.error.resource(), Some("thing"));
    assert_eq!(trap.error.handle_bits(), Some(0x0030_0001));
    assert!(matches!(
        trap.error.handle_error(),
        Some(HandleError::NotFound { .. })
    ));
}
