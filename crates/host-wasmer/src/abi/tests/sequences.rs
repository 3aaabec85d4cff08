//! Strings and lists: pointers, lengths, alignment, bounds and limits.

use wasmer::Value;
use wit_parser::Type;

use super::{Fixture, TestResult};
use crate::abi::{AbiError, GuestMemory, MAX_LIST_BYTE_LENGTH, Val, VecMemory};

const WIT: &str = "
  bytes: func(x: list<u8>);
  words: func(x: list<u32>);
  wides: func(x: list<u64>);
  texts: func(x: list<string>);
  nested: func(x: list<list<u8>>);
  empties: func(x: list<flags0>);
  flags flags0 {}
";

fn ptr_len(ptr: u32, len: u32) -> [Value; 2] {
    [Value::I32(ptr as i32), Value::I32(len as i32)]
}

#[test]
fn a_string_is_lifted_from_pointer_and_length() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mem = VecMemory::from_bytes("__héllo__".as_bytes().to_vec());
    let lifted = f.abi.lift_flat(&Type::String, &ptr_len(2, 6), &mem)?;
    assert_eq!(lifted, Val::from("héllo"));
    Ok(())
}

#[test]
fn invalid_utf8_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mem = VecMemory::from_bytes(vec![b'o', b'k', 0xC3, 0x28]);
    let lifted = f.abi.lift_flat(&Type::String, &ptr_len(0, 4), &mem);
    assert_eq!(
        lifted,
        Err(AbiError::InvalidUtf8 {
            ptr: 0,
            len: 4,
            valid_up_to: 2
        })
    );
    Ok(())
}

#[test]
fn a_string_past_the_end_of_memory_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mem = VecMemory::new(16);
    let lifted = f.abi.lift_flat(&Type::String, &ptr_len(10, 7), &mem);
    assert_eq!(
        lifted,
        Err(AbiError::OutOfBounds {
            ptr: 10,
            len: 7,
            size: 16
        })
    );
    let lifted = f.abi.lift_flat(&Type::String, &ptr_len(u32::MAX, 2), &mem);
    assert!(
        matches!(lifted, Err(AbiError::OutOfBounds { .. })),
        "{lifted:?}"
    );
    Ok(())
}

#[test]
fn a_string_longer_than_the_abi_limit_is_rejected_before_reading() -> TestResult {
    let f = Fixture::new(WIT)?;
    let lifted = f
        .abi
        .lift_flat(&Type::String, &ptr_len(0, 1 << 28), &VecMemory::new(0));
    assert!(
        matches!(lifted, Err(AbiError::TooLong { what: "string", .. })),
        "{lifted:?}"
    );
    Ok(())
}

#[test]
fn empty_strings_and_lists_may_point_anywhere_inside_memory_but_not_past_it() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mem = VecMemory::new(16);
    assert_eq!(
        f.abi.lift_flat(&Type::String, &ptr_len(16, 0), &mem)?,
        Val::from("")
    );
    assert_eq!(
        f.abi.lift_flat(&f.param("bytes")?, &ptr_len(7, 0), &mem)?,
        Val::List(vec![])
    );
    let lifted = f.abi.lift_flat(&Type::String, &ptr_len(17, 0), &mem);
    assert_eq!(
        lifted,
        Err(AbiError::OutOfBounds {
            ptr: 17,
            len: 0,
            size: 16
        })
    );
    Ok(())
}

#[test]
fn misaligned_list_pointer_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mem = VecMemory::new(64);
    let lifted = f.abi.lift_flat(&f.param("words")?, &ptr_len(6, 1), &mem);
    assert_eq!(
        lifted,
        Err(AbiError::Misaligned {
            what: "list",
            ptr: 6,
            align: 4
        })
    );
    // Alignment is checked for empty lists too, as the canonical ABI does.
    let lifted = f.abi.lift_flat(&f.param("wides")?, &ptr_len(4, 0), &mem);
    assert_eq!(
        lifted,
        Err(AbiError::Misaligned {
            what: "list",
            ptr: 4,
            align: 8
        })
    );
    Ok(())
}

#[test]
fn a_list_whose_byte_length_overflows_32_bits_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let lifted = f.abi.lift_flat(
        &f.param("wides")?,
        &ptr_len(8, u32::MAX),
        &VecMemory::new(64),
    );
    let expected = AbiError::TooLong {
        what: "list",
        len: u64::from(u32::MAX) * 8,
        max: u64::from(MAX_LIST_BYTE_LENGTH),
    };
    assert_eq!(lifted, Err(expected));
    Ok(())
}

#[test]
fn a_list_past_the_end_of_memory_is_rejected_before_allocating() -> TestResult {
    let f = Fixture::new(WIT)?;
    let lifted = f.abi.lift_flat(
        &f.param("words")?,
        &ptr_len(8, 1 << 20),
        &VecMemory::new(64),
    );
    assert_eq!(
        lifted,
        Err(AbiError::OutOfBounds {
            ptr: 8,
            len: 4 << 20,
            size: 64
        })
    );
    Ok(())
}

#[test]
fn a_list_of_zero_sized_elements_is_bounded_by_the_lift_limit() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.param("empties")?;
    let mem = VecMemory::new(8);
    let lifted = f.abi.lift_flat(&ty, &ptr_len(0, u32::MAX), &mem);
    assert!(
        matches!(lifted, Err(AbiError::LiftLimitExceeded { .. })),
        "{lifted:?}"
    );
    let three = f.abi.lift_flat(&ty, &ptr_len(0, 3), &mem)?;
    assert_eq!(three, Val::List(vec![Val::Flags(vec![]); 3]));
    Ok(())
}

#[test]
fn lists_sharing_their_bytes_cannot_exhaust_host_memory() -> TestResult {
    // 4096 inner lists all point at the same 4 KiB: 16 MiB once lifted.
    let f = Fixture::new(WIT)?;
    let ty = f.param("nested")?;
    let abi = f.abi.with_lift_limit(1 << 20);
    let mut mem = VecMemory::new(4096 + 4096 * 8);
    for i in 0..4096u32 {
        mem.write(4096 + i * 8, &0u32.to_le_bytes())?;
        mem.write(4096 + i * 8 + 4, &4096u32.to_le_bytes())?;
    }
    let lifted = abi.lift_flat(&ty, &ptr_len(4096, 4096), &mem);
    assert_eq!(lifted, Err(AbiError::LiftLimitExceeded { limit: 1 << 20 }));
    Ok(())
}

#[test]
fn lists_are_stored_with_their_element_layout() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mut mem = VecMemory::new(0);
    let words = Val::List(vec![Val::U32(1), Val::U32(0x0a0b_0c0d)]);
    let mut out = Vec::new();
    f.abi
        .lower_flat(&f.param("words")?, &words, &mut mem, &mut out)?;
    let [Value::I32(ptr), Value::I32(len)] = out[..] else {
        return Err(format!("not a pointer and length: {out:?}").into());
    };
    assert_eq!((ptr % 4, len), (0, 2));
    let start = ptr as usize;
    assert_eq!(
        &mem.bytes()[start..start + 8],
        &[1, 0, 0, 0, 0x0d, 0x0c, 0x0b, 0x0a]
    );
    assert_eq!(f.abi.lift_flat(&f.param("words")?, &out, &mem)?, words);
    Ok(())
}

#[test]
fn a_list_of_strings_round_trips_through_memory() -> TestResult {
    let f = Fixture::new(WIT)?;
    let ty = f.param("texts")?;
    let mut mem = VecMemory::new(64);
    let val = Val::List(vec![Val::from("a"), Val::from(""), Val::from("ünïcode")]);
    f.abi.store(&ty, &val, 8, &mut mem)?;
    assert_eq!(f.abi.load(&ty, 8, &mem)?, val);
    Ok(())
}

#[test]
fn empty_strings_and_lists_are_still_allocated_with_realloc() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mut mem = VecMemory::new(0);
    let mut out = Vec::new();
    f.abi
        .lower_flat(&Type::String, &Val::from(""), &mut mem, &mut out)?;
    f.abi
        .lower_flat(&f.param("wides")?, &Val::List(vec![]), &mut mem, &mut out)?;
    assert_eq!(mem.realloc_calls(), 2);
    assert_eq!(out[1], Value::I32(0));
    assert_eq!(out[3], Value::I32(0));
    Ok(())
}

#[test]
fn a_list_element_of_the_wrong_type_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let val = Val::List(vec![Val::U8(1), Val::U16(2)]);
    let lowered = f.abi.lower_flat(
        &f.param("bytes")?,
        &val,
        &mut VecMemory::new(0),
        &mut Vec::new(),
    );
    assert!(
        matches!(lowered, Err(AbiError::ValueMismatch { .. })),
        "{lowered:?}"
    );
    Ok(())
}
