//! Every WIT scalar type as a parameter and a result of a typed host
//! function, called by a real guest with exact core values.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::abi::Val;
use host_wasmer::typed::{Lift, Lower};
use host_wasmer::{Ctx, HostError};
use support::{API, Guest, Log, assert_trap, forwarding, linker, log};
use wasmer::Value;

/// A guest whose `go` forwards one `core` value to `name` and returns the
/// one `core` value it returns.
fn scalar_guest(name: &str, core: &str) -> String {
    forwarding(name, &format!("(param {core}) (result {core})"), 1)
}

/// A [`scalar_guest`] of `name`, bound to a typed host function that logs
/// its argument and returns `f` of it.
fn echo<T>(name: &str, core: &str, f: fn(T) -> T) -> Guest
where
    T: Lift + Lower + ToString + 'static,
{
    let mut linker = linker("imports");
    linker
        .func(API, name, move |cx: &mut Ctx<'_, Log>, x: T| {
            log(cx, x.to_string());
            Ok::<_, HostError>(f(x))
        })
        .unwrap();
    Guest::new(&linker, &scalar_guest(name, core))
}

/// Asserts that `go` returns `out` for each `(in, out)` of `crossings`, and
/// that the host function logged `logged`, in order.
fn assert_crossings(guest: &mut Guest, crossings: &[(Value, Value)], logged: &[&str]) {
    for (input, output) in crossings {
        let back = guest.call("go", std::slice::from_ref(input)).unwrap();
        assert_eq!(back, std::slice::from_ref(output), "for {input:?}");
    }
    assert_eq!(guest.log(), logged);
}

#[test]
fn bool_is_any_nonzero_i32_going_in_and_zero_or_one_coming_out() {
    let mut guest = echo("echo-bool", "i32", |x: bool| !x);
    let crossings = [(7, 0), (-1, 0), (0, 1)].map(|(i, o)| (Value::I32(i), Value::I32(o)));
    assert_crossings(&mut guest, &crossings, &["true", "true", "false"]);
}

#[test]
fn u8_keeps_the_low_bits_going_in_and_is_zero_extended_coming_out() {
    let mut guest = echo("echo-u8", "i32", |x: u8| x.wrapping_add(1));
    let crossings = [(0x1FE, 255), (-1, 0)].map(|(i, o)| (Value::I32(i), Value::I32(o)));
    assert_crossings(&mut guest, &crossings, &["254", "255"]);
}

#[test]
fn u16_keeps_the_low_bits_going_in_and_is_zero_extended_coming_out() {
    let mut guest = echo("echo-u16", "i32", |x: u16| x.wrapping_add(1));
    let crossings = [(Value::I32(0x1_FFFE), Value::I32(0xFFFF))];
    assert_crossings(&mut guest, &crossings, &["65534"]);
}

#[test]
fn u32_crosses_as_the_bits_of_an_i32() {
    let mut guest = echo("echo-u32", "i32", |x: u32| x - 1);
    let crossings = [(Value::I32(-1), Value::I32(-2))];
    assert_crossings(&mut guest, &crossings, &[&u32::MAX.to_string()]);
}

#[test]
fn u64_crosses_as_the_bits_of_an_i64() {
    let mut guest = echo("echo-u64", "i64", |x: u64| x - 1);
    let crossings = [(Value::I64(-1), Value::I64(-2))];
    assert_crossings(&mut guest, &crossings, &[&u64::MAX.to_string()]);
}

#[test]
fn s8_keeps_the_low_bits_going_in_and_is_sign_extended_coming_out() {
    let mut guest = echo("echo-s8", "i32", |x: i8| x.wrapping_sub(1));
    let crossings = [(0xFF, -2), (0x180, 127)].map(|(i, o)| (Value::I32(i), Value::I32(o)));
    assert_crossings(&mut guest, &crossings, &["-1", "-128"]);
}

#[test]
fn s16_keeps_the_low_bits_going_in_and_is_sign_extended_coming_out() {
    let mut guest = echo("echo-s16", "i32", |x: i16| x.wrapping_add(1));
    let crossings = [(Value::I32(0x1_8000), Value::I32(-32767))];
    assert_crossings(&mut guest, &crossings, &["-32768"]);
}

#[test]
fn s32_crosses_unchanged() {
    let mut guest = echo("echo-s32", "i32", |x: i32| x.wrapping_sub(1));
    let crossings = [(Value::I32(i32::MIN), Value::I32(i32::MAX))];
    assert_crossings(&mut guest, &crossings, &[&i32::MIN.to_string()]);
}

#[test]
fn s64_crosses_unchanged() {
    let mut guest = echo("echo-s64", "i64", |x: i64| x.wrapping_sub(1));
    let crossings = [(Value::I64(i64::MIN), Value::I64(i64::MAX))];
    assert_crossings(&mut guest, &crossings, &[&i64::MIN.to_string()]);
}

#[test]
fn f32_crosses_with_its_value() {
    let mut guest = echo("echo-f32", "f32", |x: f32| x * 2.0);
    let crossings = [(Value::F32(-1.25), Value::F32(-2.5))];
    assert_crossings(&mut guest, &crossings, &["-1.25"]);
}

#[test]
fn f64_crosses_with_its_value_and_nan_payloads_pass_through() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-f64", |cx: &mut Ctx<'_, Log>, x: f64| {
            log(cx, format!("{:#018x}", x.to_bits()));
            Ok::<_, HostError>(x)
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-f64", "f64"));
    assert_eq!(
        guest.call("go", &[Value::F64(0.1)]).unwrap(),
        [Value::F64(0.1)]
    );
    let nan = f64::from_bits(0x7ff8_0000_dead_beef);
    let back = guest.call("go", &[Value::F64(nan)]).unwrap();
    let [Value::F64(back)] = back[..] else {
        panic!("not one f64: {back:?}");
    };
    assert_eq!(back.to_bits(), 0x7ff8_0000_dead_beef);
    assert_eq!(
        guest.log(),
        [
            format!("{:#018x}", 0.1f64.to_bits()),
            "0x7ff80000deadbeef".to_string()
        ]
    );
}

#[test]
fn char_crosses_as_its_scalar_value() {
    let next = |x: char| char::from_u32(u32::from(x) + 1).unwrap_or('?');
    let mut guest = echo("echo-char", "i32", next);
    let crossings = [(0xE9, 0xEA), (0x1F600, 0x1F601)].map(|(i, o)| (Value::I32(i), Value::I32(o)));
    assert_crossings(&mut guest, &crossings, &["é", "😀"]);
}

#[test]
fn a_surrogate_or_out_of_range_char_traps_naming_the_import_and_the_value() {
    let mut guest = echo("echo-char", "i32", |x: char| x);
    assert_trap(
        guest.call("go", &[Value::I32(0xD800)]),
        &[
            "test:shapes/api@1.0.0#echo-char",
            "0xd800 is not a valid char",
        ],
    );
    assert_trap(
        guest.call("go", &[Value::I32(0x11_0000)]),
        &["#echo-char", "0x110000 is not a valid char"],
    );
    assert!(guest.log().is_empty(), "the host function never ran");
    // The instance survives its traps.
    assert_eq!(
        guest.call("go", &[Value::I32('a' as i32)]).unwrap(),
        [Value::I32('a' as i32)]
    );
}

#[test]
fn the_dynamic_path_lifts_and_lowers_narrow_integers_the_same_way() {
    let mut linker = linker("imports");
    linker
        .func_dynamic(API, "echo-s8", |cx: &mut Ctx<'_, Log>, params: Vec<Val>| {
            log(cx, format!("{params:?}"));
            Ok(Some(Val::S8(-2)))
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-s8", "i32"));
    let crossings = [(Value::I32(0x1FF), Value::I32(-2))];
    assert_crossings(&mut guest, &crossings, &["[S8(-1)]"]);
}

#[test]
fn a_dynamic_function_returning_a_value_of_the_wrong_type_traps_naming_both() {
    let mut linker = linker("imports");
    linker
        .func_dynamic(API, "echo-u8", |_: &mut Ctx<'_, Log>, _: Vec<Val>| {
            Ok(Some(Val::U32(1)))
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-u8", "i32"));
    assert_trap(
        guest.call("go", &[Value::I32(1)]),
        &[
            "test:shapes/api@1.0.0#echo-u8",
            "expected a value of type `u8`, found a `u32` value",
        ],
    );
}
