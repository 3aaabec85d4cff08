//! `own` and `borrow` handles as parameters and results of typed host
//! functions, and the traps a bad handle becomes, from a real guest.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::abi::Val;
use host_wasmer::typed::Own;
use host_wasmer::{Ctx, HostError, Linker};
use slots_core::{Handle, RawHandle};
use support::{API, BindApi, Gadget, Guest, Log, Thing, assert_trap, linker, log, module};
use wasmer::Value;

/// Every `thing` and `gadget` function bound to a typed closure.
fn thing_linker() -> Linker<Log> {
    let mut linker = thing_linker_without_merge();
    linker.bind(
        "[method]thing.merge",
        |cx: &mut Ctx<'_, Log>, this: Handle<Thing>, other: Own<Thing>| {
            let other = other
                .into_owned()
                .map_err(|_| HostError::msg("things are never shared"))?;
            let this = cx.get_mut(this)?;
            this.0.push_str(&other.0);
            Ok::<_, HostError>(this.0.len() as u32)
        },
    );
    linker
}

/// Every `thing` and `gadget` function but `merge` bound to a typed closure.
fn thing_linker_without_merge() -> Linker<Log> {
    let mut linker = linker("imports");
    linker
        .bind(
            "[constructor]thing",
            |cx: &mut Ctx<'_, Log>, name: String| {
                log(cx, format!("new {name}"));
                Ok::<_, HostError>(Own::new(Thing(name)))
            },
        )
        .bind(
            "[method]thing.name",
            |cx: &mut Ctx<'_, Log>, this: Handle<Thing>| {
                Ok::<_, HostError>(cx.get(this)?.0.clone())
            },
        )
        .bind(
            "[method]thing.split",
            |cx: &mut Ctx<'_, Log>, this: Handle<Thing>, suffix: String| {
                let name = format!("{}{suffix}", cx.get(this)?.0);
                Ok::<_, HostError>(Own::new(Thing(name)))
            },
        )
        .bind(
            "[static]thing.peek",
            |cx: &mut Ctx<'_, Log>, t: Handle<Thing>| {
                Ok::<_, HostError>(format!("<{}>", cx.get(t)?.0))
            },
        )
        .bind("make-thing", |cx: &mut Ctx<'_, Log>, name: String| {
            if name.is_empty() {
                return Ok::<_, HostError>(Err("empty name".to_string()));
            }
            let handle = cx
                .insert(Thing(name))
                .map_err(|e| HostError::msg(e.to_string()))?;
            Ok(Ok(handle))
        })
        .bind("[constructor]gadget", |_: &mut Ctx<'_, Log>| {
            Ok::<_, HostError>(Own::new(Gadget))
        });
    linker
}

/// A guest exporting one forwarder per `thing` and `gadget` import.
fn thing_guest() -> String {
    let imports = [
        (
            "[constructor]thing",
            "new",
            "(param i32 i32) (result i32)",
            2,
        ),
        ("[method]thing.name", "name", "(param i32 i32)", 2),
        (
            "[method]thing.merge",
            "merge",
            "(param i32 i32) (result i32)",
            2,
        ),
        (
            "[method]thing.split",
            "split",
            "(param i32 i32 i32) (result i32)",
            3,
        ),
        ("[static]thing.peek", "peek", "(param i32 i32)", 2),
        ("[resource-drop]thing", "drop", "(param i32)", 1),
        ("make-thing", "make", "(param i32 i32 i32)", 3),
        ("[constructor]gadget", "gadget", "(result i32)", 0),
        ("[resource-drop]gadget", "drop-gadget", "(param i32)", 1),
    ];
    let mut decls = String::new();
    let mut body = String::new();
    for (import, export, sig, params) in imports {
        decls.push_str(&format!(
            "(import \"{API}\" \"{import}\" (func ${export} {sig}))\n"
        ));
        let args: String = (0..params).map(|i| format!("(local.get {i}) ")).collect();
        body.push_str(&format!(
            "(func (export \"{export}\") {sig} (call ${export} {args}))\n"
        ));
    }
    module(&decls, &body)
}

/// [`thing_guest`] through [`thing_linker`], in its own store.
fn things() -> Guest {
    Guest::new(&thing_linker(), &thing_guest())
}

/// The guest's handle for a new `thing` called `name`.
fn new_thing(guest: &mut Guest, name: &str) -> i32 {
    guest.write(2048, name.as_bytes());
    let result = guest
        .call("new", &[Value::I32(2048), Value::I32(name.len() as i32)])
        .unwrap();
    let [Value::I32(handle)] = result[..] else {
        panic!("not one i32: {result:?}");
    };
    handle
}

/// The name of the `thing` behind `handle`, as the guest reads it.
fn name_of(guest: &mut Guest, handle: i32) -> Result<String, wasmer::RuntimeError> {
    guest.call("name", &[Value::I32(handle), Value::I32(0)])?;
    Ok(guest.string_at(0))
}

/// Asserts that the guest holds exactly `things`: each handle names its
/// thing, and no other handle is live.
fn assert_holds(guest: &mut Guest, things: &[(i32, &str)]) {
    for (handle, name) in things {
        assert_eq!(
            name_of(guest, *handle).unwrap(),
            *name,
            "handle {handle:#x}"
        );
    }
    assert_eq!(guest.live_handles() as usize, things.len());
}

/// Asserts that `handle` traps as `stale` as the `thing` of
/// `[method]thing.name` and in `[resource-drop]thing`.
fn assert_stale(guest: &mut Guest, handle: i32, stale: &str) {
    assert_trap(
        name_of(guest, handle),
        &["#[method]thing.name", "bad `thing` handle", stale],
    );
    let dropped = guest.call("drop", &[Value::I32(handle)]);
    assert_trap(dropped, &["#[resource-drop]thing", stale]);
}

fn one_i32(result: Vec<Value>) -> i32 {
    let [Value::I32(value)] = result[..] else {
        panic!("not one i32: {result:?}");
    };
    value
}

#[test]
fn a_constructor_gives_an_own_handle_that_methods_and_static_functions_borrow() {
    let mut guest = things();
    let h = new_thing(&mut guest, "alpha");
    assert!(h != 0 && h != -1, "handles are never 0 or u32::MAX: {h:#x}");
    assert_eq!(name_of(&mut guest, h).unwrap(), "alpha");
    guest.call("peek", &[Value::I32(h), Value::I32(8)]).unwrap();
    assert_eq!(guest.string_at(8), "<alpha>");
    assert_eq!(guest.live_handles(), 1, "borrows took no handle");
    assert_eq!(guest.log(), ["new alpha"]);
}

#[test]
fn an_own_result_is_a_new_handle_to_a_new_object() {
    let mut guest = things();
    let h = new_thing(&mut guest, "alpha");
    guest.write(2048, b"-2");
    let split = one_i32(
        guest
            .call("split", &[Value::I32(h), Value::I32(2048), Value::I32(2)])
            .unwrap(),
    );
    assert_ne!(split, h);
    assert_holds(&mut guest, &[(split, "alpha-2"), (h, "alpha")]);
}

#[test]
fn an_own_handle_inside_a_result_is_given_to_the_guest() {
    let mut guest = things();
    guest.write(2048, b"made");
    guest
        .call("make", &[Value::I32(2048), Value::I32(4), Value::I32(0)])
        .unwrap();
    assert_eq!(guest.read(0, 1), [0], "ok");
    let made = guest.u32_at(4) as i32;
    assert_eq!(name_of(&mut guest, made).unwrap(), "made");
    guest
        .call("make", &[Value::I32(2048), Value::I32(0), Value::I32(16)])
        .unwrap();
    assert_eq!(guest.read(16, 1), [1], "err");
    assert_eq!(guest.string_at(20), "empty name");
    assert_eq!(guest.live_handles(), 1);
}

#[test]
fn an_own_param_moves_the_object_out_of_the_guest_table() {
    let mut guest = things();
    let keep = new_thing(&mut guest, "alpha");
    let given = new_thing(&mut guest, "beta");
    let len = guest
        .call("merge", &[Value::I32(keep), Value::I32(given)])
        .unwrap();
    assert_eq!(one_i32(len), 9);
    assert_eq!(name_of(&mut guest, keep).unwrap(), "alphabeta");
    assert_eq!(guest.live_handles(), 1, "the given handle left the table");
    let stale = format!("stale handle {:#010x}", given as u32);
    assert_trap(
        name_of(&mut guest, given),
        &[
            "test:shapes/api@1.0.0#[method]thing.name",
            "bad `thing` handle",
            &stale,
        ],
    );
    assert_trap(
        guest.call("drop", &[Value::I32(given)]),
        &["test:shapes/api@1.0.0#[resource-drop]thing", &stale],
    );
}

#[test]
fn the_same_handle_as_borrow_and_own_in_one_call_traps_before_taking_anything() {
    let mut guest = things();
    let h = new_thing(&mut guest, "alpha");
    let other = new_thing(&mut guest, "other");
    let hex = format!("{:#010x}", h as u32);
    assert_trap(
        guest.call("merge", &[Value::I32(h), Value::I32(h)]),
        &[
            "test:shapes/api@1.0.0#[method]thing.merge",
            "`own` `thing` handle",
            &hex,
            "also lent to this call as a `borrow`",
        ],
    );
    // As the canonical ABI requires, nothing was taken: both handles still
    // work, and the table still answers.
    assert_holds(&mut guest, &[(h, "alpha"), (other, "other")]);
}

#[test]
fn a_handle_of_another_resource_type_is_rejected_naming_both_types() {
    let mut guest = things();
    let thing = new_thing(&mut guest, "alpha");
    let gadget = one_i32(guest.call("gadget", &[]).unwrap());
    let wrong = format!(
        "handle {:#010x} is a `gadget`, not a `thing`",
        gadget as u32
    );
    assert_trap(
        name_of(&mut guest, gadget),
        &[
            "test:shapes/api@1.0.0#[method]thing.name",
            "bad `thing` handle",
            &wrong,
        ],
    );
    assert_trap(
        guest.call("merge", &[Value::I32(thing), Value::I32(gadget)]),
        &["#[method]thing.merge", &wrong],
    );
    assert_trap(
        guest.call("drop", &[Value::I32(gadget)]),
        &["test:shapes/api@1.0.0#[resource-drop]thing", &wrong],
    );
    assert_trap(
        guest.call("drop-gadget", &[Value::I32(thing)]),
        &[
            "test:shapes/api@1.0.0#[resource-drop]gadget",
            &format!("handle {:#010x} is a `thing`, not a `gadget`", thing as u32),
        ],
    );
    // Nothing was consumed by the refused calls.
    assert_eq!(guest.live_handles(), 2);
    guest.call("drop-gadget", &[Value::I32(gadget)]).unwrap();
    assert_eq!(name_of(&mut guest, thing).unwrap(), "alpha");
}

#[test]
fn a_dropped_handle_is_stale_for_methods_and_for_a_second_drop() {
    let mut guest = things();
    let h = new_thing(&mut guest, "alpha");
    guest.call("drop", &[Value::I32(h)]).unwrap();
    assert_eq!(guest.live_handles(), 0);
    let stale = format!("stale handle {:#010x}: its object was dropped", h as u32);
    assert_stale(&mut guest, h, &stale);
    // The slot is reused under a new generation; the old handle stays stale.
    let reused = new_thing(&mut guest, "beta");
    assert_ne!(reused, h);
    assert_trap(name_of(&mut guest, h), &[&stale]);
    assert_eq!(name_of(&mut guest, reused).unwrap(), "beta");
}

#[test]
fn forged_handles_are_rejected_as_reserved_or_never_issued() {
    let mut guest = things();
    let h = new_thing(&mut guest, "alpha");
    assert_trap(
        name_of(&mut guest, 0),
        &[
            "#[method]thing.name",
            "handle 0x00000000 is a reserved value",
        ],
    );
    assert_trap(
        name_of(&mut guest, -1),
        &[
            "#[method]thing.name",
            "handle 0xffffffff is a reserved value",
        ],
    );
    // The live slot's index with the next generation, which was never issued.
    let next_generation = h + (1 << 20);
    assert_trap(
        name_of(&mut guest, next_generation),
        &[
            "#[method]thing.name",
            &format!("handle {:#010x} was never issued", next_generation as u32),
        ],
    );
    assert_trap(
        guest.call("drop", &[Value::I32(h + 1)]),
        &[
            "#[resource-drop]thing",
            &format!("handle {:#010x} was never issued", (h + 1) as u32),
        ],
    );
    assert_eq!(name_of(&mut guest, h).unwrap(), "alpha");
}

#[test]
fn handles_still_held_when_the_store_goes_are_released_and_counted() {
    let linker = thing_linker();
    let host = linker.host().clone();
    {
        let mut guest = Guest::new(&linker, &thing_guest());
        new_thing(&mut guest, "alpha");
        let dropped = new_thing(&mut guest, "beta");
        guest.call("drop", &[Value::I32(dropped)]).unwrap();
        guest.call("gadget", &[]).unwrap();
        assert_eq!(host.totals().instances, 1);
    }
    let totals = host.totals();
    assert_eq!(totals.instances, 0);
    assert_eq!(totals.opened, 3);
    assert_eq!(totals.released, 3);
    assert_eq!(totals.leaked(), 0);
}

#[test]
fn the_host_grants_an_object_of_one_instance_to_another_and_revokes_it_for_both() {
    let linker = thing_linker();
    let mut a = Guest::new(&linker, &thing_guest());
    let mut b = Guest::new(&linker, &thing_guest());
    new_thing(&mut b, "b's own");
    let mine = new_thing(&mut a, "alpha");
    let raw = |h: i32| RawHandle::from_bits(h as u32).unwrap();

    // The same object, in a slot of B's own.
    let object = a.instance.share::<Thing>(&mut a.store, raw(mine)).unwrap();
    let theirs = b.instance.adopt(&mut b.store, object.clone()).unwrap();
    let theirs = theirs.to_bits() as i32;
    assert_eq!(name_of(&mut b, theirs).unwrap(), "alpha");
    assert_eq!(b.live_handles(), 2);

    // Each instance counts its own reference: A dropping its handle leaves
    // B's working.
    a.call("drop", &[Value::I32(mine)]).unwrap();
    assert_eq!(a.live_handles(), 0);
    assert_eq!(name_of(&mut b, theirs).unwrap(), "alpha");

    // Revoking through B reaches A's new handle too.
    let again = a.instance.adopt(&mut a.store, object.clone()).unwrap();
    let again = again.to_bits() as i32;
    assert!(
        b.instance
            .revoke::<Thing>(&mut b.store, raw(theirs))
            .unwrap()
    );
    for (guest, handle) in [(&mut a, again), (&mut b, theirs)] {
        let hex = format!("{:#010x}", handle as u32);
        assert_trap(
            name_of(guest, handle),
            &[
                "#[method]thing.name",
                "bad `thing` handle",
                &hex,
                "was revoked by the host",
            ],
        );
        // A revoked handle can still be dropped.
        guest.call("drop", &[Value::I32(handle)]).unwrap();
    }
    assert_eq!((a.live_handles(), b.live_handles()), (0, 1));
    drop((a, b));
    assert_eq!(
        std::sync::Arc::strong_count(&object),
        1,
        "nothing else holds it"
    );
}

/// A `merge` bound with `func_dynamic` whose closure is `body`.
fn dynamic_merge_linker(
    body: impl Fn(&mut Ctx<'_, Log>, Vec<Val>) -> Result<Option<Val>, HostError> + Send + Sync + 'static,
) -> Linker<Log> {
    let mut linker = thing_linker_without_merge();
    linker
        .func_dynamic(API, "[method]thing.merge", body)
        .unwrap();
    linker
}

#[test]
fn a_dynamic_function_that_ignores_an_own_leaves_no_handle_behind() {
    let linker = dynamic_merge_linker(|cx, params| {
        log(cx, format!("{params:?}"));
        Ok(Some(Val::U32(0)))
    });
    let mut guest = Guest::new(&linker, &thing_guest());
    let keep = new_thing(&mut guest, "alpha");
    let given = new_thing(&mut guest, "beta");
    guest
        .call("merge", &[Value::I32(keep), Value::I32(given)])
        .unwrap();
    assert_eq!(
        guest.live_handles(),
        1,
        "the `own` left the guest's table before the function ran"
    );
    let stale = format!("stale handle {:#010x}", given as u32);
    assert_stale(&mut guest, given, &stale);
    let counters = guest.instance.counters(&guest.store);
    assert_eq!(
        counters.drops, 1,
        "the given handle was counted as released"
    );
}

#[test]
fn a_dynamic_function_takes_the_object_an_own_gave_it() {
    let linker = dynamic_merge_linker(|cx, params| {
        let [Val::Borrow(this), Val::Own(other)] = params[..] else {
            return Err(HostError::msg(format!("unexpected params {params:?}")));
        };
        let other = cx.take_own::<Thing>(other)?;
        let again = cx.take_own::<Thing>(other_bits(&params));
        let this = RawHandle::from_bits(this).ok_or(HostError::msg("reserved"))?;
        let this = cx.get_mut::<Thing>(this)?;
        this.0.push_str(&other.0);
        let len = this.0.len() as u32;
        log(
            cx,
            format!(
                "again: {}",
                again.err().map(|e| e.to_string()).unwrap_or_default()
            ),
        );
        Ok(Some(Val::U32(len)))
    });
    let mut guest = Guest::new(&linker, &thing_guest());
    let keep = new_thing(&mut guest, "alpha");
    let given = new_thing(&mut guest, "beta");
    let len = guest
        .call("merge", &[Value::I32(keep), Value::I32(given)])
        .unwrap();
    assert_eq!(one_i32(len), 9);
    assert_eq!(name_of(&mut guest, keep).unwrap(), "alphabeta");
    assert_eq!(
        guest.log()[2..],
        [format!(
            "again: no `own` `thing` handle {:#010x} was passed to this call",
            given as u32
        )]
    );
}

/// A guest whose dynamic `merge` logs `ran` and returns 0, holding one
/// thing, `alpha`: the guest and the thing's handle.
fn alpha_with_logging_merge() -> (Guest, i32) {
    let linker = dynamic_merge_linker(|cx, _| {
        log(cx, "ran");
        Ok(Some(Val::U32(0)))
    });
    let mut guest = Guest::new(&linker, &thing_guest());
    let h = new_thing(&mut guest, "alpha");
    (guest, h)
}

fn other_bits(params: &[Val]) -> u32 {
    match params.get(1) {
        Some(Val::Own(bits)) => *bits,
        _ => 0,
    }
}

#[test]
fn a_dynamic_function_given_one_handle_as_borrow_and_own_traps_before_taking_anything() {
    let (mut guest, h) = alpha_with_logging_merge();
    assert_trap(
        guest.call("merge", &[Value::I32(h), Value::I32(h)]),
        &[
            "[method]thing.merge",
            "also lent to this call as a `borrow`",
            &format!("{:#010x}", h as u32),
        ],
    );
    assert!(
        !guest.log().contains(&"ran".to_string()),
        "the function never ran"
    );
    guest.instance.clear_poison();
    assert_holds(&mut guest, &[(h, "alpha")]);
}

#[test]
fn a_dynamic_function_given_a_bad_borrow_or_own_traps_before_it_runs() {
    let (mut guest, h) = alpha_with_logging_merge();
    let gadget = one_i32(guest.call("gadget", &[]).unwrap());
    assert_trap(
        guest.call("merge", &[Value::I32(0x7777), Value::I32(h)]),
        &["[method]thing.merge", "bad `thing` handle", "0x00007777"],
    );
    guest.instance.clear_poison();
    assert_trap(
        guest.call("merge", &[Value::I32(h), Value::I32(gadget)]),
        &["[method]thing.merge", "`gadget`", "`thing`"],
    );
    assert!(
        !guest.log().contains(&"ran".to_string()),
        "the function never ran"
    );
    guest.instance.clear_poison();
    assert_eq!(guest.live_handles(), 2, "nothing was taken");
}

#[test]
fn a_typed_val_parameter_holding_handles_is_refused_when_bound() {
    let mut linker = thing_linker_without_merge();
    let Err(error) = linker.func(
        API,
        "[method]thing.merge",
        |_: &mut Ctx<'_, Log>, this: Handle<Thing>, other: Val| {
            let _ = (this, other);
            Ok::<_, HostError>(0u32)
        },
    ) else {
        panic!("a Val cannot take an own");
    };
    support::assert_names(&error.to_string(), &["parameter `other`", "func_dynamic"]);
}
