//! Scalars: integers, bools, floats and chars, flat and in memory.

use wasmer::Value;
use wit_parser::{Resolve, Type};

use super::TestResult;
use crate::abi::{Abi, AbiError, GuestMemory, Val, VecMemory};

fn abi() -> Abi {
    Abi::new(Resolve::default())
}

#[test]
fn any_nonzero_i32_lifts_as_true() -> TestResult {
    let (abi, mem) = (abi(), VecMemory::new(0));
    for (core, expected) in [(0, false), (1, true), (2, true), (-1, true)] {
        assert_eq!(
            abi.lift_flat(&Type::Bool, &[Value::I32(core)], &mem)?,
            Val::Bool(expected)
        );
    }
    Ok(())
}

#[test]
fn any_nonzero_byte_loads_as_true() -> TestResult {
    let abi = abi();
    let mem = VecMemory::from_bytes(vec![0, 1, 0x80]);
    assert_eq!(abi.load(&Type::Bool, 0, &mem)?, Val::Bool(false));
    assert_eq!(abi.load(&Type::Bool, 1, &mem)?, Val::Bool(true));
    assert_eq!(abi.load(&Type::Bool, 2, &mem)?, Val::Bool(true));
    Ok(())
}

#[test]
fn narrow_integers_keep_only_their_low_bits_when_lifted() -> TestResult {
    let (abi, mem) = (abi(), VecMemory::new(0));
    let lift = |ty: Type, core: i32| abi.lift_flat(&ty, &[Value::I32(core)], &mem);
    assert_eq!(lift(Type::U8, 0x1234_56ff)?, Val::U8(0xff));
    assert_eq!(lift(Type::S8, 0x1234_56ff)?, Val::S8(-1));
    assert_eq!(lift(Type::U16, -1)?, Val::U16(0xffff));
    assert_eq!(lift(Type::S16, 0x0001_8000)?, Val::S16(i16::MIN));
    assert_eq!(lift(Type::U32, -1)?, Val::U32(u32::MAX));
    Ok(())
}

#[test]
fn signed_integers_lower_sign_extended_and_unsigned_zero_extended() -> TestResult {
    let (abi, mut mem) = (abi(), VecMemory::new(0));
    let mut lower = |ty: Type, val: Val| -> Result<Vec<Value>, AbiError> {
        let mut out = Vec::new();
        abi.lower_flat(&ty, &val, &mut mem, &mut out)?;
        Ok(out)
    };
    assert_eq!(lower(Type::S8, Val::S8(-2))?, [Value::I32(-2)]);
    assert_eq!(lower(Type::S16, Val::S16(-2))?, [Value::I32(-2)]);
    assert_eq!(lower(Type::U8, Val::U8(0xfe))?, [Value::I32(0xfe)]);
    assert_eq!(lower(Type::U16, Val::U16(0xfffe))?, [Value::I32(0xfffe)]);
    assert_eq!(lower(Type::U32, Val::U32(u32::MAX))?, [Value::I32(-1)]);
    assert_eq!(lower(Type::U64, Val::U64(u64::MAX))?, [Value::I64(-1)]);
    assert_eq!(
        lower(Type::Char, Val::Char('\u{10FFFF}'))?,
        [Value::I32(0x10FFFF)]
    );
    Ok(())
}

#[test]
fn integers_are_stored_little_endian_at_their_size() -> TestResult {
    let (abi, mut mem) = (abi(), VecMemory::new(16));
    abi.store(&Type::S16, &Val::S16(-2), 2, &mut mem)?;
    abi.store(&Type::U64, &Val::U64(0x0102_0304_0506_0708), 8, &mut mem)?;
    assert_eq!(
        &mem.bytes()[..16],
        &[0, 0, 0xfe, 0xff, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1]
    );
    assert_eq!(abi.load(&Type::S16, 2, &mem)?, Val::S16(-2));
    assert_eq!(
        abi.load(&Type::U64, 8, &mem)?,
        Val::U64(0x0102_0304_0506_0708)
    );
    Ok(())
}

#[test]
fn nan_payloads_pass_through_unchanged() -> TestResult {
    let (abi, mut mem) = (abi(), VecMemory::new(16));
    let nan = f32::from_bits(0x7fa0_0001);
    abi.store(&Type::F32, &Val::F32(nan), 0, &mut mem)?;
    let Val::F32(back) = abi.load(&Type::F32, 0, &mem)? else {
        return Err("not an f32".into());
    };
    assert_eq!(back.to_bits(), 0x7fa0_0001);
    let nan = f64::from_bits(0x7ff0_0000_dead_beef);
    let Val::F64(back) = abi.lift_flat(&Type::F64, &[Value::F64(nan)], &mem)? else {
        return Err("not an f64".into());
    };
    assert_eq!(back.to_bits(), 0x7ff0_0000_dead_beef);
    Ok(())
}

#[test]
fn surrogate_and_out_of_range_chars_are_rejected() -> TestResult {
    let (abi, mut mem) = (abi(), VecMemory::new(8));
    for bad in [0xD800, 0xDFFF, 0x11_0000, -1] {
        let lifted = abi.lift_flat(&Type::Char, &[Value::I32(bad)], &mem);
        assert_eq!(lifted, Err(AbiError::InvalidChar { value: bad as u32 }));
    }
    mem.write(4, &0xDC00u32.to_le_bytes())?;
    assert_eq!(
        abi.load(&Type::Char, 4, &mem),
        Err(AbiError::InvalidChar { value: 0xDC00 })
    );
    assert_eq!(
        abi.lift_flat(&Type::Char, &[Value::I32(0xE000)], &mem)?,
        Val::Char('\u{E000}')
    );
    Ok(())
}

#[test]
fn a_core_value_of_the_wrong_type_is_rejected() {
    let (abi, mem) = (abi(), VecMemory::new(0));
    let lifted = abi.lift_flat(&Type::U64, &[Value::I32(1)], &mem);
    assert!(
        matches!(
            lifted,
            Err(AbiError::WrongCoreType {
                index: 0,
                expected: "i64",
                found: "i32"
            })
        ),
        "{lifted:?}"
    );
    let lifted = abi.lift_flat(&Type::U32, &[Value::V128(1)], &mem);
    assert!(
        matches!(lifted, Err(AbiError::WrongCoreType { found: "v128", .. })),
        "{lifted:?}"
    );
}

#[test]
fn the_wrong_number_of_core_values_is_rejected() {
    let (abi, mem) = (abi(), VecMemory::new(0));
    let lifted = abi.lift_flat(&Type::String, &[Value::I32(0)], &mem);
    assert_eq!(
        lifted,
        Err(AbiError::WrongCoreCount {
            expected: 2,
            found: 1
        })
    );
    let lifted = abi.lift_flat(&Type::U8, &[Value::I32(0), Value::I32(0)], &mem);
    assert_eq!(
        lifted,
        Err(AbiError::WrongCoreCount {
            expected: 1,
            found: 2
        })
    );
}

#[test]
fn a_host_value_of_the_wrong_kind_is_rejected() {
    let (abi, mut mem) = (abi(), VecMemory::new(8));
    let lowered = abi.lower_flat(&Type::U32, &Val::S32(1), &mut mem, &mut Vec::new());
    assert_eq!(
        lowered,
        Err(AbiError::ValueMismatch {
            expected: "u32".into(),
            found: "a `s32` value".into()
        })
    );
    let stored = abi.store(&Type::String, &Val::Bool(true), 0, &mut mem);
    assert!(
        matches!(stored, Err(AbiError::ValueMismatch { .. })),
        "{stored:?}"
    );
}

#[test]
fn misaligned_and_out_of_bounds_loads_are_rejected() {
    let (abi, mem) = (abi(), VecMemory::new(16));
    assert_eq!(
        abi.load(&Type::U32, 6, &mem),
        Err(AbiError::Misaligned {
            what: "value",
            ptr: 6,
            align: 4
        })
    );
    assert_eq!(
        abi.load(&Type::U64, 16, &mem),
        Err(AbiError::OutOfBounds {
            ptr: 16,
            len: 8,
            size: 16
        })
    );
    assert_eq!(
        abi.load(&Type::U64, u32::MAX - 7, &mem),
        Err(AbiError::OutOfBounds {
            ptr: u32::MAX - 7,
            len: 8,
            size: 16
        })
    );
}

#[test]
fn error_context_is_unsupported() {
    let (abi, mem) = (abi(), VecMemory::new(0));
    assert_eq!(
        abi.lift_flat(&Type::ErrorContext, &[Value::I32(1)], &mem),
        Err(AbiError::UnsupportedType {
            ty: "error-context".into()
        })
    );
}
