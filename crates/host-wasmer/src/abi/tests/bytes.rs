//! Byte lists: `list<u8>` lifts to `Val::Bytes` at any depth, lowers from
//! either form with one allocation, and keeps every check of other lists.

use wasmer::Value;
use wit_parser::Type;

use super::{Fixture, TestResult};
use crate::abi::lifter::VAL_COST;
use crate::abi::{AbiError, GuestMemory, MAX_LIST_BYTE_LENGTH, Val, VecMemory};

const WIT: &str = "
  variant error { invalid(string), not-found(string) }
  type byte = u8;
  record entry { key: string, value: list<u8> }
  bytes: func(x: list<u8>);
  aliased: func(x: list<byte>);
  maybe: func(x: option<list<u8>>);
  put-result: func(x: result<option<list<u8>>, error>);
  entries: func(x: list<entry>);
  nested: func(x: list<list<u8>>);
  signed: func(x: list<s8>);
  words: func(x: list<u16>);
";

fn ptr_len(ptr: u32, len: u32) -> [Value; 2] {
    [Value::I32(ptr as i32), Value::I32(len as i32)]
}

fn u8s(bytes: &[u8]) -> Val {
    Val::List(bytes.iter().copied().map(Val::U8).collect())
}

/// Lowers `val` flat into a fresh memory and lifts it back.
fn round_trip(f: &Fixture, ty: &Type, val: &Val) -> Result<Val, AbiError> {
    let mut mem = VecMemory::new(0);
    let mut flat = Vec::new();
    f.abi.lower_flat(ty, val, &mut mem, &mut flat)?;
    f.abi.lift_flat(ty, &flat, &mem)
}

/// Stores `val` in a fresh memory and loads it back.
fn store_load(f: &Fixture, ty: &Type, val: &Val) -> Result<Val, AbiError> {
    let mut mem = VecMemory::new(0);
    let ptr = mem.realloc(0, 0, f.abi.align_of(ty)?, f.abi.size_of(ty)?)?;
    f.abi.store(ty, val, ptr, &mut mem)?;
    f.abi.load(ty, ptr, &mem)
}

#[test]
fn a_byte_list_lifts_as_bytes_flat_and_from_memory() -> TestResult {
    let f = Fixture::new(WIT)?;
    for name in ["bytes", "aliased"] {
        let ty = f.param(name)?;
        let lifted = round_trip(&f, &ty, &u8s(b"abc"))?;
        assert!(
            matches!(&lifted, Val::Bytes(b) if b == b"abc"),
            "{lifted:?}"
        );
        let loaded = store_load(&f, &ty, &u8s(b"abc"))?;
        assert!(
            matches!(&loaded, Val::Bytes(b) if b == b"abc"),
            "{loaded:?}"
        );
    }
    Ok(())
}

#[test]
fn nested_byte_lists_lift_as_bytes() -> TestResult {
    let f = Fixture::new(WIT)?;
    let some = Val::some(u8s(b"v"));
    for lifted in [
        round_trip(&f, &f.param("maybe")?, &some)?,
        store_load(&f, &f.param("maybe")?, &some)?,
    ] {
        let Val::Option(Some(inner)) = &lifted else {
            return Err(format!("not some: {lifted:?}").into());
        };
        assert_eq!(**inner, Val::Bytes(b"v".to_vec()));
        assert!(matches!(**inner, Val::Bytes(_)));
    }

    let previous = Val::ok(Some(Val::some(u8s(b"old"))));
    for lifted in [
        round_trip(&f, &f.param("put-result")?, &previous)?,
        store_load(&f, &f.param("put-result")?, &previous)?,
    ] {
        let Val::Result(Ok(Some(option))) = &lifted else {
            return Err(format!("not ok: {lifted:?}").into());
        };
        assert!(
            matches!(&**option, Val::Option(Some(b)) if matches!(&**b, Val::Bytes(b) if b == b"old")),
            "{lifted:?}"
        );
    }

    let entries = Val::List(vec![Val::Record(vec![Val::from("k"), u8s(b"value")])]);
    let lifted = round_trip(&f, &f.param("entries")?, &entries)?;
    let Val::List(items) = &lifted else {
        return Err(format!("not a list: {lifted:?}").into());
    };
    assert!(
        matches!(items.as_slice(), [Val::Record(fields)] if matches!(fields.as_slice(), [Val::String(_), Val::Bytes(b)] if b == b"value")),
        "{lifted:?}"
    );

    let nested = Val::List(vec![u8s(b"a"), Val::Bytes(vec![]), u8s(b"bc")]);
    let lifted = round_trip(&f, &f.param("nested")?, &nested)?;
    assert!(
        matches!(&lifted, Val::List(lists) if lists.iter().all(|l| matches!(l, Val::Bytes(_)))),
        "{lifted:?}"
    );
    assert_eq!(lifted, nested);
    Ok(())
}

#[test]
fn both_forms_lower_to_the_same_guest_bytes_with_one_allocation() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.param("bytes")?;
    let data: Vec<u8> = (0..=255).collect();
    let mut images = Vec::new();
    for val in [Val::Bytes(data.clone()), u8s(&data)] {
        let mut mem = VecMemory::new(0);
        let mut flat = Vec::new();
        f.abi.lower_flat(&ty, &val, &mut mem, &mut flat)?;
        assert_eq!(mem.realloc_calls(), 1);
        let [Value::I32(ptr), Value::I32(len)] = flat[..] else {
            return Err(format!("not a pointer and length: {flat:?}").into());
        };
        assert_eq!(len, 256);
        let mut stored = vec![0; 256];
        mem.read(ptr as u32, &mut stored)?;
        assert_eq!(stored, data);
        images.push(mem.bytes().to_vec());
    }
    assert_eq!(images[0], images[1]);
    Ok(())
}

#[test]
fn bytes_are_a_mismatch_for_any_other_type() -> TestResult {
    let f = Fixture::new(WIT)?;
    let bytes = Val::Bytes(vec![1, 2]);
    for ty in [
        f.param("signed")?,
        f.param("words")?,
        Type::String,
        Type::U8,
    ] {
        let mut mem = VecMemory::new(16);
        let lowered = f.abi.lower_flat(&ty, &bytes, &mut mem, &mut Vec::new());
        assert!(
            matches!(lowered, Err(AbiError::ValueMismatch { .. })),
            "{lowered:?}"
        );
        let stored = f.abi.store(&ty, &bytes, 8, &mut mem);
        assert!(
            matches!(stored, Err(AbiError::ValueMismatch { .. })),
            "{stored:?}"
        );
        assert_eq!(mem.realloc_calls(), 0);
    }
    Ok(())
}

#[test]
fn a_byte_list_with_another_item_is_rejected_before_allocating() -> TestResult {
    let f = Fixture::new(WIT)?;
    let val = Val::List(vec![Val::U8(1), Val::S8(2)]);
    let mut mem = VecMemory::new(0);
    let lowered = f
        .abi
        .lower_flat(&f.param("bytes")?, &val, &mut mem, &mut Vec::new());
    let Err(AbiError::ValueMismatch { expected, found }) = lowered else {
        return Err(format!("not a mismatch: {lowered:?}").into());
    };
    assert_eq!((expected.as_str(), found.as_str()), ("u8", "a `s8` value"));
    assert_eq!(mem.realloc_calls(), 0);
    Ok(())
}

#[test]
fn a_byte_list_keeps_the_bounds_and_length_checks_of_lists() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.param("bytes")?;
    let mem = VecMemory::new(16);
    assert_eq!(
        f.abi.lift_flat(&ty, &ptr_len(10, 7), &mem),
        Err(AbiError::OutOfBounds {
            ptr: 10,
            len: 7,
            size: 16
        })
    );
    assert_eq!(
        f.abi.lift_flat(&ty, &ptr_len(17, 0), &mem),
        Err(AbiError::OutOfBounds {
            ptr: 17,
            len: 0,
            size: 16
        })
    );
    assert_eq!(
        f.abi
            .lift_flat(&ty, &ptr_len(0, MAX_LIST_BYTE_LENGTH + 1), &mem),
        Err(AbiError::TooLong {
            what: "list",
            len: u64::from(MAX_LIST_BYTE_LENGTH) + 1,
            max: u64::from(MAX_LIST_BYTE_LENGTH),
        })
    );
    assert_eq!(
        f.abi.lift_flat(&ty, &ptr_len(16, 0), &mem)?,
        Val::Bytes(vec![])
    );
    Ok(())
}

#[test]
fn a_byte_list_is_charged_its_bytes_against_the_lift_limit() -> TestResult {
    let mem = VecMemory::new(4096);
    // The list's own `Val`, then its bytes: no `Val` per byte.
    let exact = VAL_COST + 4096;
    for (limit, fits) in [(exact, true), (exact - 1, false)] {
        let f = Fixture::new(WIT)?;
        let ty = f.param("bytes")?;
        let abi = f.abi.with_lift_limit(limit);
        let lifted = abi.lift_flat(&ty, &ptr_len(0, 4096), &mem);
        if fits {
            assert_eq!(lifted?, Val::Bytes(vec![0; 4096]));
        } else {
            assert_eq!(lifted, Err(AbiError::LiftLimitExceeded { limit }));
        }
    }
    Ok(())
}

#[test]
fn the_two_forms_of_a_byte_list_are_equal() {
    assert_eq!(Val::Bytes(vec![1, 2]), u8s(&[1, 2]));
    assert_eq!(u8s(&[1, 2]), Val::Bytes(vec![1, 2]));
    assert_eq!(Val::Bytes(vec![]), Val::List(vec![]));
    assert_eq!(Val::some(Val::Bytes(vec![3])), Val::some(u8s(&[3])));
    assert_ne!(Val::Bytes(vec![1, 2]), u8s(&[1, 3]));
    assert_ne!(Val::Bytes(vec![1, 2]), u8s(&[1]));
    assert_ne!(Val::Bytes(vec![1]), Val::List(vec![Val::S8(1)]));
    assert_ne!(Val::Bytes(vec![1]), Val::U8(1));
}
