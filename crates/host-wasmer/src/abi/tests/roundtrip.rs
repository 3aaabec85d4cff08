//! Property tests: random WIT types and values survive lowering then
//! lifting, flat, in memory and through whole calls; random guest data
//! never panics the lifting code.

use proptest::collection::vec;
use proptest::prelude::*;
use wasmer::Value;
use wit_parser::Type;
use wit_parser::abi::{AbiVariant, WasmType};

use super::Fixture;
use super::arbitrary::{Func, call, lifted_form, single};
use crate::abi::{GuestMemory, Val, VecMemory, core_type};

fn fail(err: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(err.to_string())
}

/// A fixture with the interface of `func`.
fn fixture(func: &Func) -> Result<Fixture, TestCaseError> {
    let body = func.wit();
    Fixture::new(&body).map_err(|e| fail(format!("{e}\n{body}")))
}

/// A fixture with `func`, of one parameter: the parameter's type and value.
fn single_param(func: &Func) -> Result<(Fixture, Type, &Val), TestCaseError> {
    let fixture = fixture(func)?;
    let ty = fixture.param("f").map_err(fail)?;
    let (_, val) = func.params.first().ok_or_else(|| fail("no parameter"))?;
    Ok((fixture, ty, val))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn lowering_then_lifting_flat_values_round_trips(func in single()) {
        let (fixture, ty, val) = single_param(&func)?;
        let (t, val) = (&func.params[0].0, val.clone());
        let abi = &fixture.abi;
        let mut mem = VecMemory::new(0);
        let mut flat = Vec::new();
        abi.lower_flat(&ty, &val, &mut mem, &mut flat).map_err(fail)?;
        let types: Vec<_> = abi.flatten(&ty).map_err(fail)?.into_iter().map(core_type).collect();
        let flat_types: Vec<_> = flat.iter().map(Value::ty).collect();
        prop_assert_eq!(flat_types, types);
        let lifted = abi.lift_flat(&ty, &flat, &mem).map_err(fail)?;
        prop_assert!(lifted_form(t, &lifted), "not in lifted form: {:?}", lifted);
        prop_assert_eq!(lifted, val);
    }

    #[test]
    fn storing_then_loading_round_trips(func in single()) {
        let (fixture, ty, val) = single_param(&func)?;
        let (t, val) = (&func.params[0].0, val.clone());
        let abi = &fixture.abi;
        let mut mem = VecMemory::new(0);
        let (size, align) = (abi.size_of(&ty).map_err(fail)?, abi.align_of(&ty).map_err(fail)?);
        let ptr = mem.realloc(0, 0, align, size).map_err(fail)?;
        abi.store(&ty, &val, ptr, &mut mem).map_err(fail)?;
        let loaded = abi.load(&ty, ptr, &mem).map_err(fail)?;
        prop_assert!(lifted_form(t, &loaded), "not in lifted form: {:?}", loaded);
        prop_assert_eq!(loaded, val);
    }

    #[test]
    fn calls_round_trip_through_spilled_params_and_return_pointers(func in call()) {
        let fixture = fixture(&func)?;
        let (params, values, result) = (&func.params, func.values(), func.result.clone());
        let abi = &fixture.abi;
        let func = fixture.func("f").map_err(fail)?;
        let sig = abi.signature(AbiVariant::GuestImport, &func).map_err(fail)?;
        let mut mem = VecMemory::new(0);

        // `Abi::new` computed the signatures wit-parser gives, and the
        // calls look them up rather than compute them again.
        for variant in [AbiVariant::GuestImport, AbiVariant::GuestExport] {
            let computed = abi.signature(variant, &func).map_err(fail)?;
            prop_assert_eq!(abi.signatures.get(variant, &func), Some(&computed));
        }

        // The host calls an export, and the same values come back when a
        // guest import of the same signature lifts them.
        let mut args = abi.lower_export_params(&func, &values, &mut mem).map_err(fail)?;
        prop_assert_eq!(args.len(), sig.params.len() - usize::from(sig.retptr));
        let retptr = match (&func.result, sig.retptr) {
            (Some(ty), true) => {
                let (size, align) = (abi.size_of(ty).map_err(fail)?, abi.align_of(ty).map_err(fail)?);
                let ptr = mem.realloc(0, 0, align, size).map_err(fail)?;
                args.push(Value::I32(ptr as i32));
                Some(ptr)
            }
            _ => None,
        };
        let lifted = abi.lift_import_params(&func, &args, &mut mem).map_err(fail)?;
        prop_assert!(params.iter().zip(&lifted).all(|((t, _), v)| lifted_form(t, v)));
        prop_assert_eq!(&lifted, &values);
        let with_sig = abi.lift_import_params_with(&func, &sig, &args, &mut mem).map_err(fail)?;
        prop_assert_eq!(with_sig, lifted);

        // The host returns from the import, and the export side lifts it.
        let (ty, val) = match result {
            Some((_, val)) => (func.result, Some(val)),
            None => (None, None),
        };
        let results = abi
            .lower_import_result(&func, val.clone(), &args, &mut mem)
            .map_err(fail)?;
        let lifted = match retptr {
            Some(ptr) => {
                prop_assert!(results.is_empty());
                let ty = ty.ok_or_else(|| fail("retptr without result"))?;
                let expected = val.clone().ok_or_else(|| fail("retptr without value"))?;
                prop_assert_eq!(abi.load(&ty, ptr, &mem).map_err(fail)?, expected);
                abi.lift_export_result(&func, &[Value::I32(ptr as i32)], &mut mem).map_err(fail)?
            }
            None => {
                prop_assert!(results.len() <= 1);
                abi.lift_export_result(&func, &results, &mut mem).map_err(fail)?
            }
        };
        prop_assert_eq!(lifted, val);
    }

    #[test]
    fn lifting_random_guest_data_never_panics(
        func in single(),
        bytes in vec(any::<u8>(), 0..512),
        seeds in vec(any::<u64>(), 1..24),
        ptr in prop_oneof![0..520u32, any::<u32>()],
    ) {
        let (fixture, ty, _) = single_param(&func)?;
        let abi = &fixture.abi;
        let mem = VecMemory::from_bytes(bytes);
        let flat: Vec<Value> = abi
            .flatten(&ty)
            .map_err(fail)?
            .into_iter()
            .zip(seeds.iter().cycle())
            .map(|(w, seed)| {
                // Half the values are small, to hit valid pointers, cases
                // and lengths often.
                let raw = if seed & 1 == 0 { seed % 520 } else { *seed };
                match w {
                    WasmType::I64 | WasmType::PointerOrI64 => Value::I64(raw as i64),
                    WasmType::F32 => Value::F32(f32::from_bits(raw as u32)),
                    WasmType::F64 => Value::F64(f64::from_bits(raw)),
                    _ => Value::I32(raw as i32),
                }
            })
            .collect();
        let _ = abi.lift_flat(&ty, &flat, &mem);
        let _ = abi.load(&ty, ptr, &mem);
    }

    #[test]
    fn lowering_a_value_of_another_type_never_panics(
        func in single(),
        other in single(),
    ) {
        let (fixture, ty, _) = single_param(&func)?;
        let (_, val) = &other.params[0];
        let mut mem = VecMemory::new(64);
        let _ = fixture.abi.lower_flat(&ty, val, &mut mem, &mut Vec::new());
        let _ = fixture.abi.store(&ty, val, 8, &mut mem);
    }
}
