//! Keyed opens as an embedder sees them: where each object came from
//! (interned, the host's cache, or created), a resource type that opts out
//! of the shared cache, and object identity of two handles.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use std::sync::Arc;

use host_wasmer::{Ctx, GuestWorld, HostConfig, HostError, Linker, SharedHost};
use slots_core::{Handle, Resource};
use support::{Guest, Log, log};
use wasmer::Value;

const WIT: &str = "
    package test:keyed@1.0.0;
    interface api {
        resource note {
            open: static func(key: string) -> note;
            same: func(other: borrow<note>) -> bool;
        }
        resource scratch {
            open: static func(key: string) -> scratch;
        }
    }
    world guest { import api; }";

const API: &str = "test:keyed/api@1.0.0";

/// Zero-sized, so that comparing references could not tell two apart.
struct Note;
impl Resource for Note {
    const NAME: &'static str = "note";
}

/// Opts out of the shared cache.
struct Scratch;
impl Resource for Scratch {
    const NAME: &'static str = "scratch";
    const CACHED: bool = false;
}

fn keyed_linker(host: Arc<SharedHost>) -> Linker<Log> {
    let mut linker = Linker::new(GuestWorld::from_str(WIT, "guest").unwrap(), host);
    linker
        .resource::<Note>(API, "note")
        .unwrap()
        .resource::<Scratch>(API, "scratch")
        .unwrap()
        .func(
            API,
            "[static]note.open",
            |cx: &mut Ctx<'_, Log>, key: String| {
                let opened = cx
                    .open(&key, |_| Ok::<_, HostError>(Note))
                    .map_err(|e| HostError::msg(e.to_string()))?;
                log(cx, format!("note {key}: {:?}", opened.from));
                Ok::<_, HostError>(opened.handle)
            },
        )
        .unwrap()
        .func(
            API,
            "[method]note.same",
            |cx: &mut Ctx<'_, Log>, this: Handle<Note>, other: Handle<Note>| {
                cx.same_object(this, other)
            },
        )
        .unwrap()
        .func(
            API,
            "[static]scratch.open",
            |cx: &mut Ctx<'_, Log>, key: String| {
                let opened = cx
                    .open(&key, |_| Ok::<_, HostError>(Scratch))
                    .map_err(|e| HostError::msg(e.to_string()))?;
                log(cx, format!("scratch {key}: {:?}", opened.from));
                Ok::<_, HostError>(opened.handle)
            },
        )
        .unwrap();
    linker
}

fn guest_wat() -> String {
    support::module(
        &format!(
            r#"(import "{API}" "[static]note.open" (func $note (param i32 i32) (result i32)))
               (import "{API}" "[method]note.same" (func $same (param i32 i32) (result i32)))
               (import "{API}" "[static]scratch.open" (func $scratch (param i32 i32) (result i32)))
               (import "{API}" "[resource-drop]note" (func $drop (param i32)))"#
        ),
        r#"(data (i32.const 2048) "ab")
           (func (export "note") (param i32) (result i32) (call $note (i32.const 2048) (local.get 0)))
           (func (export "scratch") (param i32) (result i32) (call $scratch (i32.const 2048) (local.get 0)))
           (func (export "same") (param i32 i32) (result i32) (call $same (local.get 0) (local.get 1)))
           (func (export "drop") (param i32) (call $drop (local.get 0)))"#,
    )
}

fn one(guest: &mut Guest, export: &str, args: &[i32]) -> i32 {
    let args: Vec<Value> = args.iter().map(|a| Value::I32(*a)).collect();
    match guest.call(export, &args).unwrap()[..] {
        [Value::I32(v)] => v,
        ref other => panic!("not one i32: {other:?}"),
    }
}

#[test]
fn a_keyed_open_says_whether_it_was_interned_a_cache_hit_or_a_creation() {
    let host = SharedHost::new(HostConfig::default());
    let linker = keyed_linker(host.clone());
    let mut first = Guest::new(&linker, &guest_wat());
    let a = one(&mut first, "note", &[1]);
    let again = one(&mut first, "note", &[1]);
    assert_eq!(a, again);
    let mut second = Guest::new(&linker, &guest_wat());
    one(&mut second, "note", &[1]);
    assert_eq!(first.log(), ["note a: Created", "note a: Interned"]);
    assert_eq!(second.log(), ["note a: Cache"]);
}

#[test]
fn a_resource_that_opts_out_of_the_cache_gets_an_object_per_instance() {
    let host = SharedHost::new(HostConfig::default());
    let linker = keyed_linker(host.clone());
    let mut first = Guest::new(&linker, &guest_wat());
    let a = one(&mut first, "scratch", &[1]);
    assert_eq!(
        one(&mut first, "scratch", &[1]),
        a,
        "interned within the instance"
    );
    let mut second = Guest::new(&linker, &guest_wat());
    one(&mut second, "scratch", &[1]);
    assert_eq!(first.log(), ["scratch a: Created", "scratch a: Interned"]);
    assert_eq!(second.log(), ["scratch a: Created"], "not from the cache");
    assert_eq!(host.cache_stats().entries, 0, "nothing was cached");
}

#[test]
fn two_handles_are_the_same_object_only_when_they_name_one_even_when_zero_sized() {
    let host = SharedHost::new(HostConfig::default());
    let linker = keyed_linker(host);
    let mut guest = Guest::new(&linker, &guest_wat());
    let a = one(&mut guest, "note", &[1]);
    let ab = one(&mut guest, "note", &[2]);
    assert_eq!(one(&mut guest, "same", &[a, a]), 1);
    assert_eq!(one(&mut guest, "same", &[a, ab]), 0, "two zero-sized notes");
}
