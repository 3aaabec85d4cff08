//! The direct path's shortcuts write and read exactly what the ABI layer
//! does: `store_ok` and `store_string_return` against `store_return`,
//! `lift_string` against `load_string`.

use wasmer::Value;

use super::{Fixture, TestResult};
use crate::abi::{AbiError, Val, VecMemory};

const WIT: &str = "
  record big { a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64, h: u64, i: u64 }
  r-u8: func() -> result<u8, string>;
  r-s16: func() -> result<s16, string>;
  r-u32: func() -> result<u32, string>;
  r-u64: func() -> result<u64, u8>;
  r-f32: func() -> result<f32, string>;
  r-f64: func() -> result<f64, string>;
  r-char: func() -> result<char, string>;
  r-bool: func() -> result<bool, tuple<u64, u64>>;
  r-own: func() -> result<res, string>;
  r-unit: func() -> result<_, string>;
  r-big: func() -> result<u32, big>;
  s: func(x: string);
  name: func() -> string;
";

/// The result type of function `name`.
fn result_of(f: &Fixture, name: &str) -> Result<wit_parser::Type, Box<dyn std::error::Error>> {
    Ok(f.func(name)?.result.ok_or("no result")?)
}

/// Memory of 64 bytes of a pattern, so that bytes left alone show.
fn memory() -> VecMemory {
    VecMemory::from_bytes((0..64).map(|i| 0xa0 ^ i as u8).collect())
}

#[test]
fn store_ok_writes_the_bytes_store_return_writes() -> TestResult {
    let f = Fixture::new(WIT)?;
    let cases = [
        ("r-u8", Some(Value::I32(0xfe)), Val::U8(0xfe)),
        ("r-s16", Some(Value::I32(-2)), Val::S16(-2)),
        ("r-u32", Some(Value::I32(-7)), Val::U32(-7i32 as u32)),
        ("r-u64", Some(Value::I64(-3)), Val::U64(-3i64 as u64)),
        ("r-f32", Some(Value::F32(1.5)), Val::F32(1.5)),
        ("r-f64", Some(Value::F64(-0.25)), Val::F64(-0.25)),
        ("r-char", Some(Value::I32(0x1f600)), Val::Char('😀')),
        ("r-bool", Some(Value::I32(1)), Val::Bool(true)),
        (
            "r-own",
            Some(Value::I32(0x0010_0001)),
            Val::Own(0x0010_0001),
        ),
        ("r-unit", None, Val::Bool(false)),
    ];
    for (name, core, val) in cases {
        let ty = result_of(&f, name)?;
        let val = match name {
            "r-unit" => Val::Result(Ok(None)),
            _ => Val::Result(Ok(Some(Box::new(val)))),
        };
        for retptr in [0, 8, 16] {
            let (mut expected, mut found) = (memory(), memory());
            f.abi.store_return(&ty, &val, retptr, &mut expected)?;
            f.abi.store_ok(&ty, core.as_ref(), retptr, &mut found)?;
            assert_eq!(found.bytes(), expected.bytes(), "`{name}` at {retptr}");
        }
    }
    Ok(())
}

#[test]
fn store_ok_checks_the_return_area_as_store_return_does() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = result_of(&f, "r-u64")?;
    let mut mem = memory();
    let misaligned = f.abi.store_ok(&ty, Some(&Value::I64(1)), 4, &mut mem);
    assert!(
        matches!(misaligned, Err(AbiError::Misaligned { .. })),
        "{misaligned:?}"
    );
    let past_end = f.abi.store_ok(&ty, Some(&Value::I64(1)), 56, &mut mem);
    assert!(
        matches!(past_end, Err(AbiError::OutOfBounds { .. })),
        "{past_end:?}"
    );
    assert_eq!(mem.bytes(), memory().bytes(), "nothing was written");
    // A payload that does not fit the type is refused, not truncated.
    let unit = result_of(&f, "r-unit")?;
    assert!(
        f.abi
            .store_ok(&unit, Some(&Value::I32(1)), 0, &mut mem)
            .is_err()
    );
    let u8_ = result_of(&f, "r-u8")?;
    assert!(f.abi.store_ok(&u8_, None, 0, &mut mem).is_err());
    // A result too large for the stack buffer is left to the ABI layer.
    let big = result_of(&f, "r-big")?;
    let mut large = VecMemory::new(256);
    assert!(
        f.abi
            .store_ok(&big, Some(&Value::I32(1)), 0, &mut large)
            .is_err()
    );
    Ok(())
}

#[test]
fn lift_string_refuses_what_the_abi_layer_refuses() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mut mem = VecMemory::new(64);
    mem.bytes_mut()[8..13].copy_from_slice(b"hello");
    mem.bytes_mut()[16..18].copy_from_slice(&[0xff, 0xfe]);
    assert_eq!(f.abi.lift_string(8, 5, &mem)?, "hello");
    assert_eq!(f.abi.lift_string(8, 0, &mem)?, "");
    assert!(matches!(
        f.abi.lift_string(60, 5, &mem),
        Err(AbiError::OutOfBounds { .. })
    ));
    assert!(matches!(
        f.abi.lift_string(16, 2, &mem),
        Err(AbiError::InvalidUtf8 { valid_up_to: 0, .. })
    ));
    assert!(matches!(
        f.abi.lift_string(0, u32::MAX, &mem),
        Err(AbiError::TooLong { .. })
    ));
    let limited = crate::abi::Abi::new(f.abi.resolve().clone()).with_lift_limit(4);
    assert!(matches!(
        limited.lift_string(8, 5, &mem),
        Err(AbiError::LiftLimitExceeded { limit: 4 })
    ));
    Ok(())
}

#[test]
fn store_string_return_allocates_and_writes_what_store_return_does() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = result_of(&f, "name")?;
    for (text, retptr) in [("", 0), ("bucket", 8), ("naïve ✓", 16)] {
        let (mut expected, mut found) = (memory(), memory());
        f.abi
            .store_return(&ty, &Val::String(text.to_string()), retptr, &mut expected)?;
        f.abi.store_string_return(&ty, text, retptr, &mut found)?;
        assert_eq!(found.bytes(), expected.bytes(), "{text:?} at {retptr}");
        assert_eq!(found.realloc_calls(), expected.realloc_calls());
    }
    Ok(())
}

#[test]
fn store_string_return_checks_the_return_area_before_it_allocates() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = result_of(&f, "name")?;
    let mut mem = memory();
    let misaligned = f.abi.store_string_return(&ty, "x", 2, &mut mem);
    assert!(
        matches!(misaligned, Err(AbiError::Misaligned { .. })),
        "{misaligned:?}"
    );
    let past_end = f.abi.store_string_return(&ty, "x", 60, &mut mem);
    assert!(
        matches!(past_end, Err(AbiError::OutOfBounds { .. })),
        "{past_end:?}"
    );
    assert_eq!(mem.realloc_calls(), 0, "nothing was allocated");
    assert_eq!(mem.bytes(), memory().bytes(), "nothing was written");
    // A type other than `string` is refused, naming it.
    let other = result_of(&f, "r-u8")?;
    let refused = f.abi.store_string_return(&other, "x", 0, &mut mem);
    assert!(
        matches!(refused, Err(AbiError::ValueMismatch { .. })),
        "{refused:?}"
    );
    Ok(())
}
