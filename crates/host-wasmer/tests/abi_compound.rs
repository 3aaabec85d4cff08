//! Strings, lists, records, tuples, variants, enums, options, results and
//! flags as parameters and results of typed host functions; parameters
//! spilled to memory; results through the return pointer. Each is called by
//! a real guest with exact bytes, and results the host allocates come from
//! the guest's `cabi_realloc`.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::{Ctx, HostError};
use support::{API, Guest, HEAP, Log, assert_trap, forwarding, forwarding_to, linker, log, module};
use wasmer::Value;

host_wasmer::wit_record! {
    #[derive(Debug, Clone, PartialEq)]
    struct Point { x: i32, y: i32 }
}

host_wasmer::wit_record! {
    #[derive(Debug, Clone, PartialEq)]
    struct Person { name: String, age: u8, tags: Vec<String> }
}

host_wasmer::wit_record! {
    #[derive(Debug, Clone, PartialEq)]
    struct Nine { a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, h: u32, i: u32 }
}

host_wasmer::wit_enum! {
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Color { Red, Green, Blue }
}

host_wasmer::wit_flags! {
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Perms { read: bool, write: bool, exec: bool }
}

host_wasmer::wit_variant! {
    #[derive(Debug, Clone, PartialEq)]
    enum Shape { Circle(f64), Square(u32), Named(String), Empty }
}

fn i32s(values: &[i32]) -> Vec<Value> {
    values.iter().map(|v| Value::I32(*v)).collect()
}

fn le32(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[test]
fn string_params_are_read_from_guest_memory_and_results_allocated_by_cabi_realloc() {
    let mut guest = forwarding_to(
        "echo-string",
        "(param i32 i32 i32)",
        3,
        |cx: &mut Ctx<'_, Log>, s: String| {
            log(cx, s.clone());
            Ok::<_, HostError>(s.to_uppercase() + "!")
        },
    );
    guest.write(1024, "héllo".as_bytes());
    assert_eq!(guest.call("go", &i32s(&[1024, 6, 0])).unwrap(), []);
    assert_eq!(guest.log(), ["héllo"]);
    assert_eq!(guest.string_at(0), "HÉLLO!");
    assert!(guest.u32_at(0) >= HEAP, "the string is in the guest's heap");
    assert_eq!(guest.allocs(), 1);
}

#[test]
fn an_empty_string_crosses_both_ways() {
    let mut guest = forwarding_to(
        "echo-string",
        "(param i32 i32 i32)",
        3,
        |cx: &mut Ctx<'_, Log>, s: String| {
            log(cx, format!("[{s}]"));
            Ok::<_, HostError>(s)
        },
    );
    // An empty string may point anywhere, even past the end of memory.
    guest.call("go", &i32s(&[65536, 0, 0])).unwrap();
    assert_eq!(guest.log(), ["[]"]);
    assert_eq!(guest.u32_at(4), 0);
}

#[test]
fn list_params_and_results_keep_their_element_layout() {
    let mut guest = forwarding_to(
        "echo-list",
        "(param i32 i32 i32)",
        3,
        |cx: &mut Ctx<'_, Log>, l: Vec<u32>| {
            log(cx, format!("{l:?}"));
            let sum = l.iter().sum();
            Ok::<_, HostError>(l.into_iter().rev().chain([sum]).collect::<Vec<u32>>())
        },
    );
    guest.write(1024, &le32(&[1, 2, u32::MAX - 10]));
    guest.call("go", &i32s(&[1024, 3, 8])).unwrap();
    assert_eq!(guest.log(), [format!("[1, 2, {}]", u32::MAX - 10)]);
    let (ptr, len) = (guest.u32_at(8), guest.u32_at(12));
    assert_eq!(len, 4);
    assert_eq!(ptr % 4, 0, "the list is aligned for u32");
    assert_eq!(
        guest.read(ptr, 16),
        le32(&[u32::MAX - 10, 2, 1, u32::MAX - 7])
    );
}

#[test]
fn byte_lists_cross_both_ways_as_vec_u8() {
    let mut guest = forwarding_to(
        "echo-bytes",
        "(param i32 i32 i32)",
        3,
        |cx: &mut Ctx<'_, Log>, b: Vec<u8>| {
            log(cx, format!("{b:?}"));
            Ok::<_, HostError>(
                b.iter()
                    .rev()
                    .map(|x| x.wrapping_add(1))
                    .collect::<Vec<u8>>(),
            )
        },
    );
    guest.write(1025, &[0, 1, 255]);
    guest.call("go", &i32s(&[1025, 3, 0])).unwrap();
    assert_eq!(guest.log(), ["[0, 1, 255]"]);
    let (ptr, len) = (guest.u32_at(0), guest.u32_at(4));
    assert_eq!(guest.read(ptr, len as usize), [0, 2, 1]);
}

#[test]
fn a_misaligned_list_of_u32_traps_naming_the_import_and_the_alignment() {
    let mut guest = forwarding_to(
        "echo-list",
        "(param i32 i32 i32)",
        3,
        |_: &mut Ctx<'_, Log>, l: Vec<u32>| Ok::<_, HostError>(l),
    );
    assert_trap(
        guest.call("go", &i32s(&[1026, 1, 0])),
        &[
            "test:shapes/api@1.0.0#echo-list",
            "list pointer 0x402 is not aligned to 4 bytes",
        ],
    );
}

#[test]
fn a_misaligned_return_area_of_a_direct_import_is_named_as_the_return_area() {
    let mut guest = forwarding_to(
        "echo-string",
        "(param i32 i32 i32)",
        3,
        |_: &mut Ctx<'_, Log>, s: String| Ok::<_, HostError>(s),
    );
    assert_trap(
        guest.call("go", &i32s(&[1024, 0, 2])),
        &[
            "test:shapes/api@1.0.0#echo-string",
            "return area pointer 0x2 is not aligned to 4 bytes",
        ],
    );
    assert_trap(
        guest.call("go", &i32s(&[1024, 0, 65532])),
        &[
            "#echo-string",
            "pointer 0xfffc + length 8 is past the end of memory",
        ],
    );
    assert_eq!(guest.allocs(), 0, "nothing was allocated");
}

#[test]
fn lists_of_strings_allocate_every_element_through_cabi_realloc() {
    let mut guest = forwarding_to(
        "echo-strings",
        "(param i32 i32 i32)",
        3,
        |cx: &mut Ctx<'_, Log>, l: Vec<String>| {
            log(cx, l.join(","));
            Ok::<_, HostError>(
                l.into_iter()
                    .rev()
                    .map(|s| s.to_uppercase())
                    .collect::<Vec<_>>(),
            )
        },
    );
    guest.write(2048, b"abcde");
    guest.write(1024, &le32(&[2048, 3, 2051, 2]));
    guest.call("go", &i32s(&[1024, 2, 0])).unwrap();
    assert_eq!(guest.log(), ["abc,de"]);
    let (list, len) = (guest.u32_at(0), guest.u32_at(4));
    assert_eq!(len, 2);
    assert_eq!(guest.string_at(list), "DE");
    assert_eq!(guest.string_at(list + 8), "ABC");
    assert_eq!(guest.allocs(), 3, "the list and its two strings");
}

#[test]
fn records_are_flattened_going_in_and_stored_at_the_return_pointer_coming_out() {
    let mut guest = forwarding_to(
        "echo-point",
        "(param i32 i32 i32)",
        3,
        |cx: &mut Ctx<'_, Log>, p: Point| {
            log(cx, format!("{p:?}"));
            Ok::<_, HostError>(Point { x: p.y, y: p.x })
        },
    );
    guest.call("go", &i32s(&[-3, 4, 16])).unwrap();
    assert_eq!(guest.log(), ["Point { x: -3, y: 4 }"]);
    assert_eq!(guest.read(16, 8), [4, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff]);
}

#[test]
fn records_with_strings_and_lists_cross_both_ways() {
    let mut guest = forwarding_to(
        "echo-person",
        "(param i32 i32 i32 i32 i32 i32)",
        6,
        |cx: &mut Ctx<'_, Log>, p: Person| {
            log(cx, format!("{p:?}"));
            let mut tags = p.tags;
            tags.push("seen".into());
            Ok::<_, HostError>(Person {
                name: p.name.to_uppercase(),
                age: p.age.wrapping_add(1),
                tags,
            })
        },
    );
    guest.write(2048, b"adax");
    guest.write(1024, &le32(&[2051, 1]));
    // The age is a u8: only the low byte of its i32 counts.
    guest
        .call("go", &i32s(&[2048, 3, 0x124, 1024, 1, 0]))
        .unwrap();
    assert_eq!(
        guest.log(),
        [r#"Person { name: "ada", age: 36, tags: ["x"] }"#]
    );
    assert_eq!(guest.string_at(0), "ADA");
    assert_eq!(guest.read(8, 1), [37]);
    let (tags, len) = (guest.u32_at(12), guest.u32_at(16));
    assert_eq!(len, 2);
    assert_eq!(guest.string_at(tags), "x");
    assert_eq!(guest.string_at(tags + 8), "seen");
}

#[test]
fn tuples_cross_both_ways_with_their_padding() {
    let mut guest = forwarding_to(
        "echo-tuple",
        "(param i32 i32 i32 f64 i32)",
        5,
        |cx: &mut Ctx<'_, Log>, t: (u8, String, f64)| {
            log(cx, format!("{t:?}"));
            Ok::<_, HostError>((t.0 + 1, t.1.chars().rev().collect::<String>(), t.2 * 2.0))
        },
    );
    guest.write(2048, b"abc");
    let args = [
        Value::I32(9),
        Value::I32(2048),
        Value::I32(3),
        Value::F64(1.5),
        Value::I32(0),
    ];
    guest.call("go", &args).unwrap();
    assert_eq!(guest.log(), [r#"(9, "abc", 1.5)"#]);
    assert_eq!(guest.read(0, 1), [10]);
    assert_eq!(guest.string_at(4), "cba");
    assert_eq!(f64::from_bits(guest.u64_at(16)), 3.0);
}

#[test]
fn a_return_area_misaligned_for_its_result_traps_before_the_host_writes() {
    let mut guest = forwarding_to(
        "echo-tuple",
        "(param i32 i32 i32 f64 i32)",
        5,
        |_: &mut Ctx<'_, Log>, t: (u8, String, f64)| Ok::<_, HostError>(t),
    );
    guest.write(0, &[0xAA; 32]);
    let args = [
        Value::I32(1),
        Value::I32(0),
        Value::I32(0),
        Value::F64(0.0),
        Value::I32(4),
    ];
    assert_trap(
        guest.call("go", &args),
        &[
            "test:shapes/api@1.0.0#echo-tuple",
            "return area pointer 0x4 is not aligned to 8 bytes",
        ],
    );
    assert_eq!(guest.read(0, 32), [0xAA; 32], "nothing was written");
    assert_eq!(guest.allocs(), 0, "nothing was allocated");
}

#[test]
fn every_variant_case_crosses_with_its_payload_in_the_joined_slots() {
    let mut guest = forwarding_to(
        "echo-shape",
        "(param i32 i64 i32 i32)",
        4,
        |cx: &mut Ctx<'_, Log>, s: Shape| {
            log(cx, format!("{s:?}"));
            Ok::<_, HostError>(match s {
                Shape::Circle(r) => Shape::Square((r * 10.0) as u32),
                Shape::Square(n) => Shape::Named(format!("#{n}")),
                Shape::Named(_) => Shape::Empty,
                Shape::Empty => Shape::Circle(0.5),
            })
        },
    );
    let go = |guest: &mut Guest, case: i32, slot: i64, len: i32| {
        let args = [
            Value::I32(case),
            Value::I64(slot),
            Value::I32(len),
            Value::I32(0),
        ];
        guest.call("go", &args).unwrap();
    };
    go(&mut guest, 0, 2.5f64.to_bits() as i64, 0);
    assert_eq!(guest.read(0, 1), [1]);
    assert_eq!(guest.u32_at(8), 25);
    go(&mut guest, 1, 7, 0);
    assert_eq!(guest.read(0, 1), [2]);
    assert_eq!(guest.string_at(8), "#7");
    guest.write(2048, b"hey");
    go(&mut guest, 2, 2048, 3);
    assert_eq!(guest.read(0, 1), [3]);
    go(&mut guest, 3, 0, 0);
    assert_eq!(guest.read(0, 1), [0]);
    assert_eq!(f64::from_bits(guest.u64_at(8)), 0.5);
    assert_eq!(
        guest.log(),
        ["Circle(2.5)", "Square(7)", r#"Named("hey")"#, "Empty"]
    );
}

#[test]
fn a_variant_discriminant_out_of_range_traps_naming_the_type() {
    let mut guest = forwarding_to(
        "echo-shape",
        "(param i32 i64 i32 i32)",
        4,
        |_: &mut Ctx<'_, Log>, s: Shape| Ok::<_, HostError>(s),
    );
    let args = [Value::I32(4), Value::I64(0), Value::I32(0), Value::I32(0)];
    assert_trap(
        guest.call("go", &args),
        &[
            "test:shapes/api@1.0.0#echo-shape",
            "discriminant 4 of `shape` is out of range (4 cases)",
        ],
    );
}

#[test]
fn enums_cross_as_their_case_index() {
    let mut guest = forwarding_to(
        "echo-color",
        "(param i32) (result i32)",
        1,
        |cx: &mut Ctx<'_, Log>, c: Color| {
            log(cx, format!("{c:?}"));
            Ok::<_, HostError>(match c {
                Color::Red => Color::Green,
                Color::Green => Color::Blue,
                Color::Blue => Color::Red,
            })
        },
    );
    assert_eq!(guest.call("go", &[Value::I32(0)]).unwrap(), [Value::I32(1)]);
    assert_eq!(guest.call("go", &[Value::I32(2)]).unwrap(), [Value::I32(0)]);
    assert_trap(
        guest.call("go", &[Value::I32(3)]),
        &[
            "test:shapes/api@1.0.0#echo-color",
            "discriminant 3 of `color` is out of range (3 cases)",
        ],
    );
    assert_eq!(guest.log(), ["Red", "Blue"]);
}

#[test]
fn options_cross_as_a_discriminant_and_a_payload() {
    let mut guest = forwarding_to(
        "echo-option",
        "(param i32 i32 i32)",
        3,
        |cx: &mut Ctx<'_, Log>, o: Option<u32>| {
            log(cx, format!("{o:?}"));
            Ok::<_, HostError>(match o {
                None => Some(0),
                Some(u32::MAX) => None,
                Some(n) => Some(n + 1),
            })
        },
    );
    guest.call("go", &i32s(&[0, 0, 0])).unwrap();
    assert_eq!((guest.read(0, 1)[0], guest.u32_at(4)), (1, 0));
    guest.call("go", &i32s(&[1, 41, 0])).unwrap();
    assert_eq!((guest.read(0, 1)[0], guest.u32_at(4)), (1, 42));
    guest.call("go", &i32s(&[1, -1, 0])).unwrap();
    assert_eq!(guest.read(0, 1), [0]);
    assert_trap(
        guest.call("go", &i32s(&[2, 0, 0])),
        &[
            "test:shapes/api@1.0.0#echo-option",
            "discriminant 2 of `option<u32>` is out of range (2 cases)",
        ],
    );
    assert_eq!(guest.log(), ["None", "Some(41)", "Some(4294967295)"]);
}

#[test]
fn results_cross_with_either_payload() {
    let mut guest = forwarding_to(
        "echo-result",
        "(param i32 i32 i32 i32)",
        4,
        |cx: &mut Ctx<'_, Log>, r: Result<u32, String>| {
            log(cx, format!("{r:?}"));
            Ok::<_, HostError>(match r {
                Ok(n) => Err(n.to_string()),
                Err(s) => Ok(s.len() as u32),
            })
        },
    );
    guest.call("go", &i32s(&[0, 1234, 0, 0])).unwrap();
    assert_eq!(guest.read(0, 1), [1]);
    assert_eq!(guest.string_at(4), "1234");
    guest.write(2048, b"four");
    guest.call("go", &i32s(&[1, 2048, 4, 0])).unwrap();
    assert_eq!(guest.read(0, 1), [0]);
    assert_eq!(guest.u32_at(4), 4);
    assert_trap(
        guest.call("go", &i32s(&[2, 0, 0, 0])),
        &[
            "#echo-result",
            "discriminant 2 of `result<u32, string>` is out of range (2 cases)",
        ],
    );
    assert_eq!(guest.log(), [r#"Ok(1234)"#, r#"Err("four")"#]);
}

#[test]
fn flags_cross_as_bits_and_bits_past_the_last_flag_are_ignored() {
    let mut linker = linker("imports");
    linker
        .func(API, "echo-perms", |cx: &mut Ctx<'_, Log>, p: Perms| {
            log(cx, format!("{p:?}"));
            Ok::<_, HostError>(Perms {
                write: !p.write,
                ..p
            })
        })
        .unwrap();
    let mut guest = Guest::new(
        &linker,
        &forwarding("echo-perms", "(param i32) (result i32)", 1),
    );
    assert_eq!(
        guest.call("go", &[Value::I32(0b101)]).unwrap(),
        [Value::I32(0b111)]
    );
    // The canonical ABI ignores the bits of no flag.
    assert_eq!(
        guest.call("go", &[Value::I32(-8 | 0b011)]).unwrap(),
        [Value::I32(0b001)]
    );
    assert_eq!(
        guest.log(),
        [
            "Perms { read: true, write: false, exec: true }",
            "Perms { read: true, write: true, exec: false }"
        ]
    );
}

/// The parameter area of `spill`: u8 at 0, u64 at 8, string at 16, two
/// `nine`s at 24 and 60; 96 bytes aligned to 8.
fn spill_area(name_ptr: u32) -> Vec<u8> {
    let mut area = vec![0u8; 96];
    area[0] = 200;
    area[8..16].copy_from_slice(&(u64::MAX - 1).to_le_bytes());
    area[16..24].copy_from_slice(&le32(&[name_ptr, 5]));
    area[24..96].copy_from_slice(&le32(&(1..=18).collect::<Vec<_>>()));
    area
}

fn spill_linker() -> host_wasmer::Linker<Log> {
    let mut linker = linker("imports");
    linker
        .func(
            API,
            "spill",
            |cx: &mut Ctx<'_, Log>, head: u8, wide: u64, name: String, left: Nine, right: Nine| {
                log(cx, format!("{head} {wide} {name} {left:?} {right:?}"));
                let sum = |n: &Nine| n.a + n.b + n.c + n.d + n.e + n.f + n.g + n.h + n.i;
                Ok::<_, HostError>(sum(&left) + sum(&right))
            },
        )
        .unwrap();
    linker
}

#[test]
fn more_than_sixteen_flat_params_are_read_from_the_area_the_guest_points_to() {
    let mut guest = Guest::new(
        &spill_linker(),
        &forwarding("spill", "(param i32) (result i32)", 1),
    );
    guest.write(2048, b"spill");
    guest.write(1024, &spill_area(2048));
    assert_eq!(
        guest.call("go", &[Value::I32(1024)]).unwrap(),
        [Value::I32(171)]
    );
    let nine = |from: u32| {
        let v: Vec<u32> = (from..from + 9).collect();
        format!(
            "Nine {{ a: {}, b: {}, c: {}, d: {}, e: {}, f: {}, g: {}, h: {}, i: {} }}",
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
        )
    };
    assert_eq!(
        guest.log(),
        [format!(
            "200 {} spill {} {}",
            u64::MAX - 1,
            nine(1),
            nine(10)
        )]
    );
}

#[test]
fn a_spilled_parameter_area_misaligned_or_past_the_end_traps() {
    let mut guest = Guest::new(
        &spill_linker(),
        &forwarding("spill", "(param i32) (result i32)", 1),
    );
    guest.write(2048, b"spill");
    guest.write(1028, &spill_area(2048));
    assert_trap(
        guest.call("go", &[Value::I32(1028)]),
        &[
            "test:shapes/api@1.0.0#spill",
            "parameter area pointer 0x404 is not aligned to 8 bytes",
        ],
    );
    assert_trap(
        guest.call("go", &[Value::I32(65536 - 88)]),
        &[
            "#spill",
            "pointer 0xffa8 + length 96 is past the end of memory",
        ],
    );
    assert!(guest.log().is_empty());
}

#[test]
fn a_result_of_several_values_goes_through_the_return_pointer() {
    let mut guest = forwarding_to(
        "pair",
        "(param i32 i64 i32)",
        3,
        |cx: &mut Ctx<'_, Log>, a: u32, b: u64| {
            log(cx, format!("{a} {b}"));
            Ok::<_, HostError>((a + 1, b * 2))
        },
    );
    let go = |ret: i32| [Value::I32(41), Value::I64(1 << 40), Value::I32(ret)];
    assert_eq!(guest.call("go", &go(24)).unwrap(), []);
    assert_eq!(guest.u32_at(24), 42);
    assert_eq!(guest.u64_at(32), 1 << 41);
    assert_trap(
        guest.call("go", &go(4)),
        &[
            "test:shapes/api@1.0.0#pair",
            "return area pointer 0x4 is not aligned to 8 bytes",
        ],
    );
    assert_trap(
        guest.call("go", &go(65536 - 8)),
        &[
            "#pair",
            "pointer 0xfff8 + length 16 is past the end of memory",
        ],
    );
}

#[test]
fn a_string_result_on_the_dynamic_path_is_allocated_by_cabi_realloc() {
    let mut linker = linker("imports");
    linker
        .func(
            API,
            "describe",
            |cx: &mut Ctx<'_, Log>, scale: f64, name: String| {
                log(cx, format!("{scale} {name}"));
                Ok::<_, HostError>(format!("{name} x{scale}"))
            },
        )
        .unwrap();
    let mut guest = Guest::new(
        &linker,
        &forwarding("describe", "(param f64 i32 i32 i32)", 4),
    );
    guest.write(2048, b"box");
    let args = [
        Value::F64(2.5),
        Value::I32(2048),
        Value::I32(3),
        Value::I32(0),
    ];
    guest.call("go", &args).unwrap();
    assert_eq!(guest.string_at(0), "box x2.5");
    assert_eq!(guest.allocs(), 1);
}

/// A guest whose `cabi_realloc` calls the import `$again` before it
/// allocates, and whose `go` calls `name` with the core signature `sig`.
fn reentrant_guest(name: &str, sig: &str, params: usize, again: &str) -> String {
    let args: String = (0..params).map(|i| format!("(local.get {i}) ")).collect();
    module(
        &format!(
            r#"(import "{API}" "{name}" (func $f {sig}))
               (import "{API}" "{again}" (func $again (param i32) (result i32)))"#
        ),
        &format!(
            r#"(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
                 (drop (call $again (i32.const 1)))
                 (call $bump (local.get 2) (local.get 3)))
               (func (export "go") {sig} (call $f {args}))
               (func (export "again") (param i32) (result i32) (call $again (local.get 0)))"#
        ),
    )
}

fn reentrancy_linker() -> host_wasmer::Linker<Log> {
    let mut linker = linker("imports");
    linker
        .func(
            API,
            "describe",
            |_: &mut Ctx<'_, Log>, scale: f64, name: String| {
                Ok::<_, HostError>(format!("{name} x{scale}"))
            },
        )
        .unwrap()
        .func(API, "echo-string", |_: &mut Ctx<'_, Log>, s: String| {
            Ok::<_, HostError>(s + "!")
        })
        .unwrap()
        .func(API, "echo-u32", |cx: &mut Ctx<'_, Log>, x: u32| {
            log(cx, format!("echo-u32 {x}"));
            Ok::<_, HostError>(x)
        })
        .unwrap();
    linker
}

#[test]
fn an_import_called_from_cabi_realloc_while_a_dynamic_import_lowers_traps_as_re_entrant() {
    let mut guest = Guest::new(
        &reentrancy_linker(),
        &reentrant_guest("describe", "(param f64 i32 i32 i32)", 4, "echo-u32"),
    );
    guest.write(2048, b"box");
    let args = [
        Value::F64(1.0),
        Value::I32(2048),
        Value::I32(3),
        Value::I32(0),
    ];
    assert_trap(
        guest.call("go", &args),
        &[
            "test:shapes/api@1.0.0#describe",
            "`cabi_realloc` failed",
            "test:shapes/api@1.0.0#echo-u32",
            "re-entrant call",
        ],
    );
    assert!(guest.log().is_empty(), "the re-entrant call never ran");
}

#[test]
fn an_import_called_from_cabi_realloc_while_a_direct_import_lowers_traps_as_re_entrant() {
    let mut guest = Guest::new(
        &reentrancy_linker(),
        &reentrant_guest("echo-string", "(param i32 i32 i32)", 3, "echo-u32"),
    );
    guest.write(2048, b"box");
    assert_trap(
        guest.call("go", &i32s(&[2048, 3, 0])),
        &[
            "test:shapes/api@1.0.0#echo-string",
            "`cabi_realloc` failed",
            "test:shapes/api@1.0.0#echo-u32",
            "re-entrant call",
        ],
    );
    assert!(guest.log().is_empty(), "the re-entrant call never ran");
    // The instance is no longer marked busy once the trap has unwound.
    assert_eq!(
        guest.call("again", &[Value::I32(5)]).unwrap(),
        [Value::I32(5)]
    );
    assert_eq!(guest.log(), ["echo-u32 5"]);
}
