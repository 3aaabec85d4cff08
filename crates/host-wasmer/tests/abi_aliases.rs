//! WIT aliases (`type my-string = string`, aliases of aliases) of every
//! scalar, `char` and `string` bind to the Rust type of what they name, and
//! cross both ways in parameters, results, records, lists and variants.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::{Ctx, HostError};
use support::{API, Guest, Log, forwarding, forwarding_to, linker, log};
use wasmer::Value;

host_wasmer::wit_record! {
    #[derive(Debug, Clone, PartialEq)]
    struct TaggedPoint { label: String, x: f32, initial: char, big: u64, on: bool }
}

host_wasmer::wit_variant! {
    #[derive(Debug, Clone, PartialEq)]
    enum Token { Word(String), Number(i64), Letter(char), Yes(bool) }
}

fn le32(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Binds `echo-my-<wit>` to a closure taking and returning `$rust` that
/// returns `$change(x)`, and checks that the core value `$input` comes back
/// as `$output`.
macro_rules! scalar_alias {
    ($test:ident, $name:literal, $rust:ty, $core:literal, $input:expr, $change:expr, $output:expr) => {
        #[test]
        fn $test() {
            let mut linker = linker("imports");
            linker
                .func(API, $name, |cx: &mut Ctx<'_, Log>, x: $rust| {
                    log(cx, format!("{x:?}"));
                    let change: fn($rust) -> $rust = $change;
                    Ok::<_, HostError>(change(x))
                })
                .unwrap_or_else(|e| panic!("an alias binds to its Rust type: {e}"));
            let sig = concat!("(param ", $core, ") (result ", $core, ")");
            let mut guest = Guest::new(&linker, &forwarding($name, sig, 1));
            assert_eq!(guest.call("go", &[$input]).unwrap(), [$output]);
            assert_eq!(guest.log().len(), 1);
        }
    };
}

scalar_alias!(
    an_alias_of_bool_binds_to_bool,
    "echo-my-bool",
    bool,
    "i32",
    Value::I32(5),
    |x| !x,
    Value::I32(0)
);
scalar_alias!(
    an_alias_of_u8_binds_to_u8,
    "echo-my-u8",
    u8,
    "i32",
    Value::I32(0x1FE),
    |x| x.wrapping_add(1),
    Value::I32(255)
);
scalar_alias!(
    an_alias_of_u16_binds_to_u16,
    "echo-my-u16",
    u16,
    "i32",
    Value::I32(7),
    |x| x * 2,
    Value::I32(14)
);
scalar_alias!(
    an_alias_of_u32_binds_to_u32,
    "echo-my-u32",
    u32,
    "i32",
    Value::I32(-1),
    |x| x - 1,
    Value::I32(-2)
);
scalar_alias!(
    an_alias_of_u64_binds_to_u64,
    "echo-my-u64",
    u64,
    "i64",
    Value::I64(40),
    |x| x + 2,
    Value::I64(42)
);
scalar_alias!(
    an_alias_of_s8_binds_to_i8,
    "echo-my-s8",
    i8,
    "i32",
    Value::I32(-3),
    |x| x * 2,
    Value::I32(-6)
);
scalar_alias!(
    an_alias_of_s16_binds_to_i16,
    "echo-my-s16",
    i16,
    "i32",
    Value::I32(-300),
    |x| x + 1,
    Value::I32(-299)
);
scalar_alias!(
    an_alias_of_s32_binds_to_i32,
    "echo-my-s32",
    i32,
    "i32",
    Value::I32(-7),
    |x| -x,
    Value::I32(7)
);
scalar_alias!(
    an_alias_of_s64_binds_to_i64,
    "echo-my-s64",
    i64,
    "i64",
    Value::I64(-9),
    |x| x * 3,
    Value::I64(-27)
);
scalar_alias!(
    an_alias_of_f32_binds_to_f32,
    "echo-my-f32",
    f32,
    "f32",
    Value::F32(1.5),
    |x| x * 2.0,
    Value::F32(3.0)
);
scalar_alias!(
    an_alias_of_f64_binds_to_f64,
    "echo-my-f64",
    f64,
    "f64",
    Value::F64(0.25),
    |x| x + 1.0,
    Value::F64(1.25)
);
scalar_alias!(
    an_alias_of_char_binds_to_char,
    "echo-my-char",
    char,
    "i32",
    Value::I32('a' as i32),
    |x| x.to_ascii_uppercase(),
    Value::I32('A' as i32)
);

#[test]
fn an_alias_of_char_still_refuses_a_surrogate() {
    let mut guest = forwarding_to(
        "echo-my-char",
        "(param i32) (result i32)",
        1,
        |_: &mut Ctx<'_, Log>, x: char| Ok::<_, HostError>(x),
    );
    support::assert_trap(
        guest.call("go", &[Value::I32(0xD800)]),
        &["echo-my-char", "char"],
    );
}

#[test]
fn an_alias_of_a_scalar_refuses_a_rust_type_of_another_scalar() {
    let mut linker = linker("imports");
    let Err(error) = linker.func(API, "echo-my-u8", |_: &mut Ctx<'_, Log>, x: u16| {
        Ok::<_, HostError>(x as u8)
    }) else {
        panic!("a u16 is no alias of u8");
    };
    support::assert_names(&error.to_string(), &["my-u8", "u16"]);
}

/// The guest passes `hello` as `(ptr, len)`; the host's result comes back
/// through the return pointer at 0.
fn string_round_trip(name: &str) {
    let mut linker = linker("imports");
    linker
        .func(API, name, |cx: &mut Ctx<'_, Log>, s: String| {
            log(cx, s.clone());
            Ok::<_, HostError>(s.to_uppercase())
        })
        .unwrap_or_else(|e| panic!("an alias of string binds to String: {e}"));
    let mut guest = Guest::new(&linker, &forwarding(name, "(param i32 i32 i32)", 3));
    guest.write(2048, b"hello");
    guest
        .call("go", &[Value::I32(2048), Value::I32(5), Value::I32(0)])
        .unwrap();
    assert_eq!(guest.log(), ["hello"]);
    assert_eq!(guest.string_at(0), "HELLO");
}

#[test]
fn an_alias_of_string_binds_to_string_both_ways() {
    string_round_trip("echo-my-string");
}

#[test]
fn an_alias_of_an_alias_of_string_binds_to_string_both_ways() {
    string_round_trip("echo-label");
}

#[test]
fn an_alias_of_string_binds_to_str_as_a_result() {
    let mut guest = forwarding_to(
        "echo-label",
        "(param i32 i32 i32)",
        3,
        |_: &mut Ctx<'_, Log>, s: String| {
            Ok::<_, HostError>(if s.is_empty() { "empty" } else { "full" })
        },
    );
    guest
        .call("go", &[Value::I32(2048), Value::I32(0), Value::I32(0)])
        .unwrap();
    assert_eq!(guest.string_at(0), "empty");
}

#[test]
fn lists_of_aliased_strings_and_chars_cross_both_ways() {
    let mut linker = linker("imports");
    linker
        .func(
            API,
            "echo-labels",
            |cx: &mut Ctx<'_, Log>, l: Vec<String>| {
                log(cx, format!("{l:?}"));
                Ok::<_, HostError>(l.into_iter().rev().collect::<Vec<_>>())
            },
        )
        .unwrap()
        .func(
            API,
            "echo-letters",
            |cx: &mut Ctx<'_, Log>, l: Vec<char>| {
                log(cx, format!("{l:?}"));
                Ok::<_, HostError>(l.iter().map(|c| c.to_ascii_uppercase()).collect::<Vec<_>>())
            },
        )
        .unwrap();
    let wat = support::module(
        &format!(
            r#"(import "{API}" "echo-labels" (func $labels (param i32 i32 i32)))
               (import "{API}" "echo-letters" (func $letters (param i32 i32 i32)))"#
        ),
        r#"(func (export "labels") (param i32 i32 i32) (call $labels (local.get 0) (local.get 1) (local.get 2)))
           (func (export "letters") (param i32 i32 i32) (call $letters (local.get 0) (local.get 1) (local.get 2)))"#,
    );
    let mut guest = Guest::new(&linker, &wat);
    guest.write(3000, b"abcd");
    guest.write(2048, &le32(&[3000, 2, 3002, 2]));
    guest
        .call("labels", &[Value::I32(2048), Value::I32(2), Value::I32(0)])
        .unwrap();
    let (list, len) = (guest.u32_at(0), guest.u32_at(4));
    assert_eq!(len, 2);
    assert_eq!(guest.string_at(list), "cd");
    assert_eq!(guest.string_at(list + 8), "ab");

    guest.write(2100, &le32(&['x' as u32, 'y' as u32]));
    guest
        .call(
            "letters",
            &[Value::I32(2100), Value::I32(2), Value::I32(16)],
        )
        .unwrap();
    let (list, len) = (guest.u32_at(16), guest.u32_at(20));
    assert_eq!(len, 2);
    assert_eq!(guest.read(list, 8), le32(&['X' as u32, 'Y' as u32]));
    assert_eq!(guest.log(), [r#"["ab", "cd"]"#, "['x', 'y']"]);
}

#[test]
fn a_record_of_aliased_fields_crosses_both_ways() {
    let mut linker = linker("imports");
    linker
        .func(
            API,
            "echo-tagged-point",
            |cx: &mut Ctx<'_, Log>, p: TaggedPoint| {
                log(cx, format!("{p:?}"));
                Ok::<_, HostError>(TaggedPoint {
                    label: format!("{}!", p.label),
                    x: p.x * 2.0,
                    initial: p.initial.to_ascii_uppercase(),
                    big: p.big + 1,
                    on: !p.on,
                })
            },
        )
        .unwrap_or_else(|e| panic!("a record of aliases binds: {e}"));
    // label (ptr, len), x f32, initial i32, big i64, on i32, return pointer.
    let wat = support::module(
        &format!(
            r#"(import "{API}" "echo-tagged-point" (func $f (param i32 i32 f32 i32 i64 i32 i32)))"#
        ),
        r#"(func (export "go") (param i32 i32 f32 i32 i64 i32 i32)
             (call $f (local.get 0) (local.get 1) (local.get 2) (local.get 3)
                      (local.get 4) (local.get 5) (local.get 6)))"#,
    );
    let mut guest = Guest::new(&linker, &wat);
    guest.write(2048, b"pt");
    guest
        .call(
            "go",
            &[
                Value::I32(2048),
                Value::I32(2),
                Value::F32(1.25),
                Value::I32('q' as i32),
                Value::I64(99),
                Value::I32(1),
                Value::I32(0),
            ],
        )
        .unwrap();
    assert_eq!(
        guest.log(),
        [r#"TaggedPoint { label: "pt", x: 1.25, initial: 'q', big: 99, on: true }"#]
    );
    // Layout: label at 0 (8 bytes), x at 8, initial at 12, big at 16, on at 24.
    assert_eq!(guest.string_at(0), "pt!");
    assert_eq!(
        f32::from_le_bytes(guest.read(8, 4).try_into().unwrap()),
        2.5
    );
    assert_eq!(guest.u32_at(12), 'Q' as u32);
    assert_eq!(guest.u64_at(16), 100);
    assert_eq!(guest.read(24, 1), [0]);
}

#[test]
fn a_variant_of_aliased_payloads_crosses_both_ways() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-token", |cx: &mut Ctx<'_, Log>, t: Token| {
            log(cx, format!("{t:?}"));
            Ok::<_, HostError>(match t {
                Token::Word(w) => Token::Number(w.len() as i64),
                Token::Number(n) => Token::Letter(if n < 0 { '-' } else { '+' }),
                Token::Letter(c) => Token::Yes(c.is_alphabetic()),
                Token::Yes(b) => Token::Word(b.to_string()),
            })
        })
        .unwrap_or_else(|e| panic!("a variant of aliases binds: {e}"));
    // Flat: discriminant, an i64 joined slot, a length slot, return pointer.
    let mut guest = Guest::new(
        &linker,
        &forwarding("echo-token", "(param i32 i64 i32 i32)", 4),
    );
    let go = |guest: &mut Guest, case: i32, slot: i64, len: i32| {
        guest
            .call(
                "go",
                &[
                    Value::I32(case),
                    Value::I64(slot),
                    Value::I32(len),
                    Value::I32(0),
                ],
            )
            .unwrap();
    };
    go(&mut guest, 1, -5, 0);
    go(&mut guest, 2, 'z' as i64, 0);
    go(&mut guest, 3, 0, 0);
    guest.write(2048, b"abc");
    go(&mut guest, 0, 2048, 3);
    assert_eq!(guest.read(0, 1), [1], "a word comes back as a number");
    assert_eq!(guest.u64_at(8), 3);
    assert_eq!(
        guest.log(),
        ["Number(-5)", "Letter('z')", "Yes(false)", r#"Word("abc")"#]
    );
}
