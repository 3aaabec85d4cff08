//! Whole calls: spilled parameters, return pointers and signature checks.

use wasmer::Value;
use wit_parser::abi::AbiVariant;

use super::{Fixture, TestResult};
use crate::abi::{AbiError, Val, VecMemory};

const WIT: &str = "
  record point { x: u32, y: u32 }
  seventeen: func(a0: u32, a1: u32, a2: u32, a3: u32, a4: u32, a5: u32, a6: u32, a7: u32,
                  a8: u32, a9: u32, a10: u32, a11: u32, a12: u32, a13: u32, a14: u32,
                  a15: u32, a16: u8) -> u64;
  sixteen: func(a: tuple<u64, u64, u64, u64, u64, u64, u64, u64>,
                b: tuple<f32, f32, f32, f32, f32, f32, f32, f32>);
  make-point: func(x: u32) -> point;
  nothing: func();
  maybe: func(x: bool) -> option<u8>;
  take-future: func(x: future<u32>);
  give-stream: func() -> stream<u8>;
  slow: async func();
";

fn u32s(n: u32) -> Vec<Val> {
    (0..n).map(Val::U32).collect()
}

#[test]
fn more_than_16_flat_params_spill_to_a_parameter_area() -> TestResult {
    let f = Fixture::new(WIT)?;
    let func = f.func("seventeen")?;
    let sig = f.abi.signature(AbiVariant::GuestImport, &func)?;
    assert!(sig.indirect_params && !sig.retptr);
    let mut params = u32s(16);
    params.push(Val::U8(200));
    let mut mem = VecMemory::new(16);
    let args = f.abi.lower_export_params(&func, &params, &mut mem)?;
    assert_eq!(args.len(), 1);
    assert_eq!(mem.realloc_calls(), 1);
    assert_eq!(f.abi.lift_import_params(&func, &args, &mut mem)?, params);
    Ok(())
}

#[test]
fn exactly_16_flat_params_stay_flat() -> TestResult {
    let f = Fixture::new(WIT)?;
    let func = f.func("sixteen")?;
    let a = Val::Tuple((0..8).map(Val::U64).collect());
    let b = Val::Tuple((0..8).map(|i| Val::F32(i as f32)).collect());
    let mut mem = VecMemory::new(0);
    let args = f
        .abi
        .lower_export_params(&func, &[a.clone(), b.clone()], &mut mem)?;
    assert_eq!(args.len(), 16);
    assert_eq!(mem.realloc_calls(), 0);
    assert_eq!(f.abi.lift_import_params(&func, &args, &mut mem)?, [a, b]);
    Ok(())
}

#[test]
fn a_misaligned_parameter_area_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let lifted = f.abi.lift_import_params(
        &f.func("seventeen")?,
        &[Value::I32(2)],
        &mut VecMemory::new(256),
    );
    assert_eq!(
        lifted,
        Err(AbiError::Misaligned {
            what: "parameter area",
            ptr: 2,
            align: 4
        })
    );
    Ok(())
}

#[test]
fn a_multi_value_result_is_written_to_the_return_pointer_passed_last() -> TestResult {
    let f = Fixture::new(WIT)?;
    let func = f.func("make-point")?;
    let sig = f.abi.signature(AbiVariant::GuestImport, &func)?;
    assert!(sig.retptr && sig.results.is_empty());
    let args = [Value::I32(7), Value::I32(16)];
    let mut mem = VecMemory::new(32);
    assert_eq!(
        f.abi.lift_import_params(&func, &args, &mut mem)?,
        [Val::U32(7)]
    );
    let point = Val::Record(vec![Val::U32(7), Val::U32(9)]);
    let results = f
        .abi
        .lower_import_result(&func, Some(point.clone()), &args, &mut mem)?;
    assert!(results.is_empty());
    assert_eq!(&mem.bytes()[16..24], &[7, 0, 0, 0, 9, 0, 0, 0]);
    // The export side returns a pointer to its return area instead.
    let lifted = f
        .abi
        .lift_export_result(&func, &[Value::I32(16)], &mut mem)?;
    assert_eq!(lifted, Some(point));
    Ok(())
}

#[test]
fn a_misaligned_or_out_of_bounds_return_pointer_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let func = f.func("make-point")?;
    let point = Val::Record(vec![Val::U32(1), Val::U32(2)]);
    let mut mem = VecMemory::new(32);
    let misaligned = f.abi.lower_import_result(
        &func,
        Some(point.clone()),
        &[Value::I32(0), Value::I32(6)],
        &mut mem,
    );
    assert_eq!(
        misaligned,
        Err(AbiError::Misaligned {
            what: "return area",
            ptr: 6,
            align: 4
        })
    );
    let outside = f.abi.lower_import_result(
        &func,
        Some(point),
        &[Value::I32(0), Value::I32(28)],
        &mut mem,
    );
    assert_eq!(
        outside,
        Err(AbiError::OutOfBounds {
            ptr: 28,
            len: 8,
            size: 32
        })
    );
    let lifted = f.abi.lift_export_result(&func, &[Value::I32(30)], &mut mem);
    assert!(
        matches!(lifted, Err(AbiError::Misaligned { .. })),
        "{lifted:?}"
    );
    Ok(())
}

#[test]
fn a_single_flat_result_is_returned_as_a_core_value() -> TestResult {
    let f = Fixture::new(WIT)?;
    let func = f.func("seventeen")?;
    let results = f.abi.lower_import_result(
        &func,
        Some(Val::U64(5)),
        &[Value::I32(0)],
        &mut VecMemory::new(0),
    )?;
    assert_eq!(results, [Value::I64(5)]);
    let lifted = f
        .abi
        .lift_export_result(&func, &results, &mut VecMemory::new(0))?;
    assert_eq!(lifted, Some(Val::U64(5)));
    Ok(())
}

#[test]
fn a_function_without_result_returns_nothing() -> TestResult {
    let f = Fixture::new(WIT)?;
    let func = f.func("nothing")?;
    let mut mem = VecMemory::new(0);
    assert_eq!(f.abi.lift_import_params(&func, &[], &mut mem)?, []);
    assert_eq!(f.abi.lower_import_result(&func, None, &[], &mut mem)?, []);
    assert_eq!(f.abi.lower_export_params(&func, &[], &mut mem)?, []);
    assert_eq!(f.abi.lift_export_result(&func, &[], &mut mem)?, None);
    Ok(())
}

#[test]
fn a_missing_or_unexpected_host_result_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mut mem = VecMemory::new(8);
    let missing = f.abi.lower_import_result(
        &f.func("maybe")?,
        None,
        &[Value::I32(0), Value::I32(0)],
        &mut mem,
    );
    assert_eq!(
        missing,
        Err(AbiError::WrongResult {
            func: "maybe".into(),
            expected: true
        })
    );
    let unexpected =
        f.abi
            .lower_import_result(&f.func("nothing")?, Some(Val::U8(1)), &[], &mut mem);
    assert_eq!(
        unexpected,
        Err(AbiError::WrongResult {
            func: "nothing".into(),
            expected: false
        })
    );
    Ok(())
}

#[test]
fn wrong_core_arguments_are_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let func = f.func("make-point")?;
    let mut mem = VecMemory::new(8);
    let short = f.abi.lift_import_params(&func, &[Value::I32(0)], &mut mem);
    assert_eq!(
        short,
        Err(AbiError::WrongCoreCount {
            expected: 2,
            found: 1
        })
    );
    let typed = f
        .abi
        .lift_import_params(&func, &[Value::I32(0), Value::I64(0)], &mut mem);
    assert!(
        matches!(typed, Err(AbiError::WrongCoreType { index: 1, .. })),
        "{typed:?}"
    );
    Ok(())
}

#[test]
fn the_wrong_number_of_host_params_is_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let lowered =
        f.abi
            .lower_export_params(&f.func("seventeen")?, &u32s(3), &mut VecMemory::new(0));
    let expected = AbiError::WrongParamCount {
        func: "seventeen".into(),
        expected: 17,
        found: 3,
    };
    assert_eq!(lowered, Err(expected));
    Ok(())
}

#[test]
fn futures_streams_and_async_functions_are_rejected() -> TestResult {
    let f = Fixture::new(WIT)?;
    let mut mem = VecMemory::new(0);
    let future = f
        .abi
        .lift_import_params(&f.func("take-future")?, &[Value::I32(1)], &mut mem);
    assert_eq!(
        future,
        Err(AbiError::UnsupportedType {
            ty: "future<u32>".into()
        })
    );
    let stream = f
        .abi
        .signature(AbiVariant::GuestExport, &f.func("give-stream")?);
    assert!(
        matches!(stream, Err(AbiError::UnsupportedType { .. })),
        "{stream:?}"
    );
    let slow = f.abi.signature(AbiVariant::GuestImport, &f.func("slow")?);
    assert_eq!(
        slow,
        Err(AbiError::UnsupportedFunction {
            func: "slow".into()
        })
    );
    let async_variant = f
        .abi
        .signature(AbiVariant::GuestImportAsync, &f.func("nothing")?);
    assert!(matches!(
        async_variant,
        Err(AbiError::UnsupportedFunction { .. })
    ));
    Ok(())
}

#[test]
fn a_bare_resource_type_is_rejected_but_its_handles_are_not() -> TestResult {
    let f = Fixture::new("take: func(r: own<res>, b: borrow<res>);")?;
    let res = f.ty("res")?;
    assert!(matches!(
        f.abi.size_of(&res),
        Err(AbiError::UnsupportedType { .. })
    ));
    let func = f.func("take")?;
    let params = f.abi.lift_import_params(
        &func,
        &[Value::I32(5), Value::I32(-1)],
        &mut VecMemory::new(0),
    )?;
    assert_eq!(params, [Val::Own(5), Val::Borrow(u32::MAX)]);
    Ok(())
}
