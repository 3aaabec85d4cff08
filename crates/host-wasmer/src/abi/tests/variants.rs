//! Variants, enums, options, results and flags: discriminants, payload
//! joining and flag words.

use std::fmt::Write;

use wasmer::Value;

use super::{Fixture, TestResult};
use crate::abi::{AbiError, GuestMemory, Val, VecMemory};

const WIT: &str = "
  variant mixed { a(u32), b(f32), c(u64), d }
  variant wide { big(u64), small(u8) }
  variant texty { text(string), pair(tuple<u64, f32>) }
  flags eight { f0, f1, f2, f3, f4, f5, f6, f7 }
  flags nine { f0, f1, f2, f3, f4, f5, f6, f7, f8 }
  enum color { red, green, blue }
  f-opt: func(x: option<f32>);
  f-res: func(x: result<f32, u32>);
  f-unit: func(x: result<_, string>);
";

fn lower(f: &Fixture, ty: &wit_parser::Type, val: &Val) -> Result<Vec<Value>, AbiError> {
    let mut out = Vec::new();
    f.abi
        .lower_flat(ty, val, &mut VecMemory::new(0), &mut out)?;
    Ok(out)
}

#[test]
fn an_f32_payload_is_bit_cast_into_an_i32_slot() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.param("f-res")?;
    let ok = Val::ok(Some(Val::F32(1.5)));
    let flat = lower(&f, &ty, &ok)?;
    assert_eq!(flat, [Value::I32(0), Value::I32(1.5f32.to_bits() as i32)]);
    assert_eq!(f.abi.lift_flat(&ty, &flat, &VecMemory::new(0))?, ok);
    Ok(())
}

#[test]
fn an_option_of_f32_keeps_its_f32_slot() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.param("f-opt")?;
    assert_eq!(f.abi.flatten(&ty)?.len(), 2);
    assert_eq!(
        lower(&f, &ty, &Val::none())?,
        [Value::I32(0), Value::F32(0.0)]
    );
    assert_eq!(
        lower(&f, &ty, &Val::some(Val::F32(2.0)))?,
        [Value::I32(1), Value::F32(2.0)]
    );
    Ok(())
}

#[test]
fn mixed_payloads_join_to_i64_with_i32_zero_extended_and_f32_bit_cast() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.ty("mixed")?;
    let a = lower(&f, &ty, &Val::variant(0, Some(Val::U32(u32::MAX))))?;
    assert_eq!(a, [Value::I32(0), Value::I64(0xffff_ffff)]);
    let b = lower(&f, &ty, &Val::variant(1, Some(Val::F32(-1.0))))?;
    assert_eq!(
        b,
        [Value::I32(1), Value::I64(i64::from((-1.0f32).to_bits()))]
    );
    let d = lower(&f, &ty, &Val::variant(3, None))?;
    assert_eq!(d, [Value::I32(3), Value::I64(0)]);
    let mem = VecMemory::new(0);
    for flat in [a, b, d] {
        let back = f.abi.lift_flat(&ty, &flat, &mem)?;
        assert_eq!(lower(&f, &ty, &back)?, flat);
    }
    Ok(())
}

#[test]
fn the_high_bits_of_an_i64_slot_are_ignored_for_a_32_bit_payload() -> TestResult {
    let f = Fixture::new(WIT)?;
    let flat = [Value::I32(0), Value::I64(0x7_0000_0005)];
    let lifted = f
        .abi
        .lift_flat(&f.ty("mixed")?, &flat, &VecMemory::new(0))?;
    assert_eq!(lifted, Val::variant(0, Some(Val::U32(5))));
    Ok(())
}

#[test]
fn a_string_and_a_tuple_share_joined_slots() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.ty("texty")?;
    let core: Vec<_> = f
        .abi
        .flatten(&ty)?
        .into_iter()
        .map(crate::abi::core_type)
        .collect();
    assert_eq!(
        core,
        [wasmer::Type::I32, wasmer::Type::I64, wasmer::Type::I32]
    );
    let pair = Val::variant(1, Some(Val::Tuple(vec![Val::U64(u64::MAX), Val::F32(0.5)])));
    let flat = lower(&f, &ty, &pair)?;
    assert_eq!(flat[2], Value::I32(0.5f32.to_bits() as i32));
    assert_eq!(f.abi.lift_flat(&ty, &flat, &VecMemory::new(0))?, pair);
    Ok(())
}

#[test]
fn an_out_of_range_flat_discriminant_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let flat = [Value::I32(4), Value::I64(0)];
    let lifted = f.abi.lift_flat(&f.ty("mixed")?, &flat, &VecMemory::new(0));
    let expected = AbiError::BadDiscriminant {
        ty: "mixed".into(),
        value: 4,
        cases: 4,
    };
    assert_eq!(lifted, Err(expected));
    let lifted = f
        .abi
        .lift_flat(&f.ty("color")?, &[Value::I32(-1)], &VecMemory::new(0));
    assert!(matches!(
        lifted,
        Err(AbiError::BadDiscriminant {
            value: u32::MAX,
            ..
        })
    ));
    Ok(())
}

#[test]
fn an_out_of_range_stored_discriminant_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mem = VecMemory::from_bytes(vec![2, 0, 0, 0, 0, 0, 0, 0]);
    let lifted = f.abi.load(&f.param("f-opt")?, 0, &mem);
    assert!(matches!(
        lifted,
        Err(AbiError::BadDiscriminant {
            value: 2,
            cases: 2,
            ..
        })
    ));
    Ok(())
}

#[test]
fn a_variant_payload_is_stored_after_the_discriminant_aligned_to_the_widest_case() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.ty("wide")?;
    assert_eq!((f.abi.size_of(&ty)?, f.abi.align_of(&ty)?), (16, 8));
    let mut mem = VecMemory::new(16);
    // Garbage in the padding must not matter.
    mem.write(0, &[0xff; 16])?;
    f.abi
        .store(&ty, &Val::variant(1, Some(Val::U8(7))), 0, &mut mem)?;
    assert_eq!(mem.bytes()[0], 1);
    assert_eq!(mem.bytes()[8], 7);
    assert_eq!(f.abi.load(&ty, 0, &mem)?, Val::variant(1, Some(Val::U8(7))));
    Ok(())
}

#[test]
fn an_enum_of_more_than_256_cases_has_a_u16_discriminant() -> TestResult {
    let mut wit = String::from("enum many {");
    for i in 0..300 {
        write!(wit, " c{i},")?;
    }
    wit.push('}');
    let f = Fixture::new(&wit)?;
    let ty = f.ty("many")?;
    assert_eq!((f.abi.size_of(&ty)?, f.abi.align_of(&ty)?), (2, 2));
    let mut mem = VecMemory::new(4);
    f.abi.store(&ty, &Val::Enum(299), 2, &mut mem)?;
    assert_eq!(&mem.bytes()[2..4], &[0x2b, 0x01]);
    assert_eq!(f.abi.load(&ty, 2, &mem)?, Val::Enum(299));
    mem.write(2, &300u16.to_le_bytes())?;
    let loaded = f.abi.load(&ty, 2, &mem);
    assert!(matches!(
        loaded,
        Err(AbiError::BadDiscriminant {
            value: 300,
            cases: 300,
            ..
        })
    ));
    Ok(())
}

#[test]
fn a_host_case_out_of_range_or_with_the_wrong_payload_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.ty("mixed")?;
    let unknown = lower(&f, &ty, &Val::variant(9, None));
    assert_eq!(
        unknown,
        Err(AbiError::UnknownCase {
            ty: "mixed".into(),
            case: 9,
            cases: 4
        })
    );
    let missing = lower(&f, &ty, &Val::variant(0, None));
    assert_eq!(
        missing,
        Err(AbiError::PayloadMismatch {
            ty: "mixed".into(),
            case: 0,
            expected: true
        })
    );
    let extra = lower(&f, &f.param("f-unit")?, &Val::ok(Some(Val::U8(1))));
    assert!(
        matches!(
            extra,
            Err(AbiError::PayloadMismatch {
                expected: false,
                ..
            })
        ),
        "{extra:?}"
    );
    let wrong_kind = lower(&f, &ty, &Val::Enum(0));
    assert!(
        matches!(wrong_kind, Err(AbiError::ValueMismatch { .. })),
        "{wrong_kind:?}"
    );
    Ok(())
}

#[test]
fn flags_are_stored_in_the_smallest_word_and_passed_as_i32() -> TestResult {
    let f = Fixture::new(WIT)?;
    let (eight, nine) = (f.ty("eight")?, f.ty("nine")?);
    assert_eq!(f.abi.size_of(&eight)?, 1);
    assert_eq!(f.abi.size_of(&nine)?, 2);
    let val = Val::Flags(vec![0, 8]);
    assert_eq!(lower(&f, &nine, &val)?, [Value::I32(0x101)]);
    let mut mem = VecMemory::new(4);
    f.abi.store(&nine, &val, 2, &mut mem)?;
    assert_eq!(&mem.bytes()[2..4], &[1, 1]);
    assert_eq!(f.abi.load(&nine, 2, &mem)?, val);
    Ok(())
}

#[test]
fn more_than_64_flags_use_one_i32_per_32_flags() -> TestResult {
    let mut wit = String::from("flags lots {");
    for i in 0..70 {
        write!(wit, " g{i},")?;
    }
    wit.push('}');
    let f = Fixture::new(&wit)?;
    let ty = f.ty("lots")?;
    assert_eq!(f.abi.size_of(&ty)?, 12);
    let val = Val::Flags(vec![1, 33, 69]);
    let flat = lower(&f, &ty, &val)?;
    assert_eq!(flat, [Value::I32(2), Value::I32(2), Value::I32(0x20)]);
    assert_eq!(f.abi.lift_flat(&ty, &flat, &VecMemory::new(0))?, val);
    // Bits past the last flag are ignored.
    let noisy = [Value::I32(2), Value::I32(2), Value::I32(-0x20)];
    assert_eq!(f.abi.lift_flat(&ty, &noisy, &VecMemory::new(0))?, val);
    Ok(())
}

#[test]
fn flags_lower_in_any_order_and_lift_ascending() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.ty("eight")?;
    let flat = lower(&f, &ty, &Val::Flags(vec![7, 2, 7]))?;
    assert_eq!(flat, [Value::I32(0x84)]);
    assert_eq!(
        f.abi.lift_flat(&ty, &flat, &VecMemory::new(0))?,
        Val::Flags(vec![2, 7])
    );
    Ok(())
}

#[test]
fn an_unknown_host_flag_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let lowered = lower(&f, &f.ty("eight")?, &Val::Flags(vec![8]));
    assert_eq!(
        lowered,
        Err(AbiError::UnknownFlag {
            ty: "eight".into(),
            flag: 8,
            count: 8
        })
    );
    Ok(())
}

#[test]
fn values_can_be_built_by_name() -> TestResult {
    let f = Fixture::new(WIT)?;
    let abi = &f.abi;
    assert_eq!(
        abi.variant(&f.ty("mixed")?, "d", None)?,
        Val::variant(3, None)
    );
    assert_eq!(
        abi.variant(&f.param("f-opt")?, "some", Some(Val::F32(1.0)))?,
        Val::some(Val::F32(1.0))
    );
    assert_eq!(abi.variant(&f.ty("color")?, "blue", None)?, Val::Enum(2));
    assert_eq!(
        abi.flags(&f.ty("eight")?, &["f3", "f1"])?,
        Val::Flags(vec![1, 3])
    );
    let unknown = abi.case_index(&f.ty("color")?, "purple");
    let expected = AbiError::UnknownName {
        ty: "color".into(),
        what: "case",
        name: "purple".into(),
    };
    assert_eq!(unknown, Err(expected));
    Ok(())
}
