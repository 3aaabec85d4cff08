//! Every WIT scalar type as a parameter and a result of a typed host
//! function, called by a real guest with exact core values.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::abi::Val;
use host_wasmer::{Ctx, HostError};
use support::{API, Guest, Log, assert_trap, forwarding, linker, log};
use wasmer::Value;

/// A guest whose `go` forwards one `core` value to `name` and returns the
/// one `core` value it returns.
fn scalar_guest(name: &str, core: &str) -> String {
    forwarding(name, &format!("(param {core}) (result {core})"), 1)
}

#[test]
fn bool_is_any_nonzero_i32_going_in_and_zero_or_one_coming_out() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-bool", |cx: &mut Ctx<'_, Log>, x: bool| {
            log(cx, x.to_string());
            Ok::<_, HostError>(!x)
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-bool", "i32"));
    assert_eq!(guest.call("go", &[Value::I32(7)]).unwrap(), [Value::I32(0)]);
    assert_eq!(
        guest.call("go", &[Value::I32(-1)]).unwrap(),
        [Value::I32(0)]
    );
    assert_eq!(guest.call("go", &[Value::I32(0)]).unwrap(), [Value::I32(1)]);
    assert_eq!(guest.log(), ["true", "true", "false"]);
}

#[test]
fn u8_keeps_the_low_bits_going_in_and_is_zero_extended_coming_out() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-u8", |cx: &mut Ctx<'_, Log>, x: u8| {
            log(cx, x.to_string());
            Ok::<_, HostError>(x.wrapping_add(1))
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-u8", "i32"));
    assert_eq!(
        guest.call("go", &[Value::I32(0x1FE)]).unwrap(),
        [Value::I32(255)]
    );
    assert_eq!(
        guest.call("go", &[Value::I32(-1)]).unwrap(),
        [Value::I32(0)]
    );
    assert_eq!(guest.log(), ["254", "255"]);
}

#[test]
fn u16_keeps_the_low_bits_going_in_and_is_zero_extended_coming_out() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-u16", |cx: &mut Ctx<'_, Log>, x: u16| {
            log(cx, x.to_string());
            Ok::<_, HostError>(x.wrapping_add(1))
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-u16", "i32"));
    assert_eq!(
        guest.call("go", &[Value::I32(0x1_FFFE)]).unwrap(),
        [Value::I32(0xFFFF)]
    );
    assert_eq!(guest.log(), ["65534"]);
}

#[test]
fn u32_crosses_as_the_bits_of_an_i32() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-u32", |cx: &mut Ctx<'_, Log>, x: u32| {
            log(cx, x.to_string());
            Ok::<_, HostError>(x - 1)
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-u32", "i32"));
    assert_eq!(
        guest.call("go", &[Value::I32(-1)]).unwrap(),
        [Value::I32(-2)]
    );
    assert_eq!(guest.log(), [u32::MAX.to_string()]);
}

#[test]
fn u64_crosses_as_the_bits_of_an_i64() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-u64", |cx: &mut Ctx<'_, Log>, x: u64| {
            log(cx, x.to_string());
            Ok::<_, HostError>(x - 1)
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-u64", "i64"));
    assert_eq!(
        guest.call("go", &[Value::I64(-1)]).unwrap(),
        [Value::I64(-2)]
    );
    assert_eq!(guest.log(), [u64::MAX.to_string()]);
}

#[test]
fn s8_keeps_the_low_bits_going_in_and_is_sign_extended_coming_out() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-s8", |cx: &mut Ctx<'_, Log>, x: i8| {
            log(cx, x.to_string());
            Ok::<_, HostError>(x.wrapping_sub(1))
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-s8", "i32"));
    assert_eq!(
        guest.call("go", &[Value::I32(0xFF)]).unwrap(),
        [Value::I32(-2)]
    );
    assert_eq!(
        guest.call("go", &[Value::I32(0x180)]).unwrap(),
        [Value::I32(127)]
    );
    assert_eq!(guest.log(), ["-1", "-128"]);
}

#[test]
fn s16_keeps_the_low_bits_going_in_and_is_sign_extended_coming_out() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-s16", |cx: &mut Ctx<'_, Log>, x: i16| {
            log(cx, x.to_string());
            Ok::<_, HostError>(x.wrapping_add(1))
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-s16", "i32"));
    assert_eq!(
        guest.call("go", &[Value::I32(0x1_8000)]).unwrap(),
        [Value::I32(-32767)]
    );
    assert_eq!(guest.log(), ["-32768"]);
}

#[test]
fn s32_crosses_unchanged() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-s32", |cx: &mut Ctx<'_, Log>, x: i32| {
            log(cx, x.to_string());
            Ok::<_, HostError>(x.wrapping_sub(1))
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-s32", "i32"));
    assert_eq!(
        guest.call("go", &[Value::I32(i32::MIN)]).unwrap(),
        [Value::I32(i32::MAX)]
    );
    assert_eq!(guest.log(), [i32::MIN.to_string()]);
}

#[test]
fn s64_crosses_unchanged() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-s64", |cx: &mut Ctx<'_, Log>, x: i64| {
            log(cx, x.to_string());
            Ok::<_, HostError>(x.wrapping_sub(1))
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-s64", "i64"));
    assert_eq!(
        guest.call("go", &[Value::I64(i64::MIN)]).unwrap(),
        [Value::I64(i64::MAX)]
    );
    assert_eq!(guest.log(), [i64::MIN.to_string()]);
}

#[test]
fn f32_crosses_with_its_value() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-f32", |cx: &mut Ctx<'_, Log>, x: f32| {
            log(cx, x.to_string());
            Ok::<_, HostError>(x * 2.0)
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-f32", "f32"));
    assert_eq!(
        guest.call("go", &[Value::F32(-1.25)]).unwrap(),
        [Value::F32(-2.5)]
    );
    assert_eq!(guest.log(), ["-1.25"]);
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
    let mut linker = linker("imports");
    linker
        .func(API, "echo-char", |cx: &mut Ctx<'_, Log>, x: char| {
            log(cx, x.to_string());
            Ok::<_, HostError>(char::from_u32(u32::from(x) + 1).unwrap_or('?'))
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-char", "i32"));
    assert_eq!(
        guest.call("go", &[Value::I32(0xE9)]).unwrap(),
        [Value::I32(0xEA)]
    );
    assert_eq!(
        guest.call("go", &[Value::I32(0x1F600)]).unwrap(),
        [Value::I32(0x1F601)]
    );
    assert_eq!(guest.log(), ["é", "😀"]);
}

#[test]
fn a_surrogate_or_out_of_range_char_traps_naming_the_import_and_the_value() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-char", |cx: &mut Ctx<'_, Log>, x: char| {
            log(cx, x.to_string());
            Ok::<_, HostError>(x)
        })
        .unwrap();
    let mut guest = Guest::new(&linker, &scalar_guest("echo-char", "i32"));
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
    assert_eq!(
        guest.call("go", &[Value::I32(0x1FF)]).unwrap(),
        [Value::I32(-2)]
    );
    assert_eq!(guest.log(), ["[S8(-1)]"]);
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
