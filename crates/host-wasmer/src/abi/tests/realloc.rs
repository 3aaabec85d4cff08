//! A misbehaving `cabi_realloc`: every block it returns is checked.

use wit_parser::{Resolve, Type};

use super::{Fixture, TestResult};
use crate::abi::{Abi, AbiError, GuestMemory, Val, VecMemory};

/// A memory whose allocator always returns `answer`.
struct FixedRealloc {
    mem: VecMemory,
    answer: Result<u32, AbiError>,
}

impl GuestMemory for FixedRealloc {
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), AbiError> {
        self.mem.read(offset, buf)
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), AbiError> {
        self.mem.write(offset, bytes)
    }

    fn realloc(&mut self, _: u32, _: u32, _: u32, _: u32) -> Result<u32, AbiError> {
        self.answer.clone()
    }
}

fn lower_with(answer: Result<u32, AbiError>, ty: &Type, val: &Val) -> Result<(), AbiError> {
    let abi = Abi::new(Resolve::default());
    let mut mem = FixedRealloc {
        mem: VecMemory::new(64),
        answer,
    };
    abi.lower_flat(ty, val, &mut mem, &mut Vec::new())
}

#[test]
fn a_null_pointer_for_a_non_empty_allocation_is_rejected() {
    let lowered = lower_with(Ok(0), &Type::String, &Val::from("abc"));
    assert_eq!(lowered, Err(AbiError::ReallocNull { len: 3 }));
}

#[test]
fn a_null_pointer_for_an_empty_allocation_is_accepted() {
    assert_eq!(lower_with(Ok(0), &Type::String, &Val::from("")), Ok(()));
}

#[test]
fn a_misaligned_allocation_is_rejected() -> TestResult {
    let f = Fixture::new("f: func(x: list<u64>);")?;
    let ty = f.param("f")?;
    let abi = f.abi;
    let mut mem = FixedRealloc {
        mem: VecMemory::new(64),
        answer: Ok(12),
    };
    let lowered = abi.lower_flat(
        &ty,
        &Val::List(vec![Val::U64(1)]),
        &mut mem,
        &mut Vec::new(),
    );
    assert_eq!(
        lowered,
        Err(AbiError::ReallocMisaligned { ptr: 12, align: 8 })
    );
    Ok(())
}

#[test]
fn an_allocation_past_the_end_of_memory_is_rejected() {
    let lowered = lower_with(Ok(60), &Type::String, &Val::from("too long"));
    assert_eq!(
        lowered,
        Err(AbiError::ReallocOutOfBounds {
            ptr: 60,
            len: 8,
            size: 64
        })
    );
    let lowered = lower_with(Ok(u32::MAX), &Type::String, &Val::from("x"));
    assert!(
        matches!(lowered, Err(AbiError::ReallocOutOfBounds { .. })),
        "{lowered:?}"
    );
}

#[test]
fn a_failing_allocator_is_reported() {
    let failure = AbiError::ReallocFailed {
        len: 1,
        message: "boom".into(),
    };
    assert_eq!(
        lower_with(Err(failure.clone()), &Type::String, &Val::from("x")),
        Err(failure)
    );
}

#[test]
fn the_default_bounds_check_probes_with_reads() {
    let mem = FixedRealloc {
        mem: VecMemory::new(16),
        answer: Ok(0),
    };
    assert_eq!(mem.check_range(16, 0), Ok(()));
    assert_eq!(mem.check_range(8, 8), Ok(()));
    assert!(mem.check_range(17, 0).is_err());
    assert!(mem.check_range(8, 9).is_err());
    assert!(mem.check_range(u32::MAX, 2).is_err());
}

#[test]
fn vec_memory_grows_to_serve_allocations_up_to_its_maximum() -> TestResult {
    let mut mem = VecMemory::new(10).with_max_size(64);
    let first = mem.realloc(0, 0, 4, 8)?;
    assert_eq!((first, mem.len()), (12, 20));
    mem.write(first, b"12345678")?;
    let moved = mem.realloc(first, 8, 8, 16)?;
    assert_eq!(moved % 8, 0);
    let mut copied = [0; 8];
    mem.read(moved, &mut copied)?;
    assert_eq!(&copied, b"12345678");
    assert!(matches!(
        mem.realloc(0, 0, 1, 64),
        Err(AbiError::ReallocFailed { .. })
    ));
    assert!(matches!(
        mem.realloc(0, 0, 3, 1),
        Err(AbiError::ReallocFailed { .. })
    ));
    Ok(())
}
