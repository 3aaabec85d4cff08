//! The core signatures `Abi::new` computes once: keyed by content, equal
//! to wit-parser's, and optional (a function from elsewhere still works).

use wasmer::Value;
use wit_parser::abi::AbiVariant;
use wit_parser::{Function, FunctionKind, Resolve};

use super::TestResult;
use crate::abi::{Abi, AbiError, Val, VecMemory};

const WIT: &str = "
package test:sigs;

interface a {
  resource res { get: func(x: u32) -> u32; }
  get: func(x: u32) -> u32;
}

interface b {
  get: func(x: string) -> string;
  slow: async func();
}

world w {
  import a;
  export run: func() -> result<_, string>;
}
";

fn function(
    resolve: &Resolve,
    iface: &str,
    name: &str,
) -> Result<Function, Box<dyn std::error::Error>> {
    let (_, iface) = resolve
        .interfaces
        .iter()
        .find(|(_, i)| i.name.as_deref() == Some(iface))
        .ok_or("no such interface")?;
    Ok(iface.functions.get(name).ok_or("no such function")?.clone())
}

#[test]
fn functions_of_the_same_name_keep_their_own_signatures() -> TestResult {
    let mut resolve = Resolve::default();
    resolve.push_str("sigs.wit", WIT)?;
    let (get_a, get_b) = (
        function(&resolve, "a", "get")?,
        function(&resolve, "b", "get")?,
    );
    let abi = Abi::new(resolve);
    for variant in [AbiVariant::GuestImport, AbiVariant::GuestExport] {
        for func in [&get_a, &get_b] {
            let computed = abi.signature(variant, func)?;
            assert_eq!(abi.signatures.get(variant, func), Some(&computed));
        }
    }
    let (a, b) = (
        abi.signatures.get(AbiVariant::GuestImport, &get_a),
        abi.signatures.get(AbiVariant::GuestImport, &get_b),
    );
    assert_ne!(a, b);
    Ok(())
}

#[test]
fn an_exported_method_has_its_own_signature() -> TestResult {
    let mut resolve = Resolve::default();
    resolve.push_str("sigs.wit", WIT)?;
    let method = function(&resolve, "a", "[method]res.get")?;
    assert!(matches!(method.kind, FunctionKind::Method(_)));
    let abi = Abi::new(resolve);
    let export = abi.signature(AbiVariant::GuestExport, &method)?;
    assert_eq!(
        abi.signatures.get(AbiVariant::GuestExport, &method),
        Some(&export)
    );
    Ok(())
}

#[test]
fn world_functions_are_computed_and_async_ones_are_not() -> TestResult {
    let mut resolve = Resolve::default();
    resolve.push_str("sigs.wit", WIT)?;
    let slow = function(&resolve, "b", "slow")?;
    let run = resolve
        .worlds
        .iter()
        .find_map(|(_, w)| {
            w.exports.values().find_map(|item| match item {
                wit_parser::WorldItem::Function(f) => Some(f.clone()),
                _ => None,
            })
        })
        .ok_or("no run")?;
    let abi = Abi::new(resolve);
    assert!(abi.signatures.get(AbiVariant::GuestExport, &run).is_some());
    assert_eq!(abi.signatures.get(AbiVariant::GuestImport, &slow), None);
    let lifted = abi.lift_import_params(&slow, &[], &mut VecMemory::new(0));
    assert!(
        matches!(lifted, Err(AbiError::UnsupportedFunction { .. })),
        "{lifted:?}"
    );
    Ok(())
}

#[test]
fn a_function_the_resolve_does_not_hold_is_computed_per_call() -> TestResult {
    let mut resolve = Resolve::default();
    resolve.push_str("sigs.wit", WIT)?;
    let mut twice = function(&resolve, "a", "get")?;
    twice.params.push(twice.params[0].clone());
    twice.params[1].name = "y".into();
    let abi = Abi::new(resolve);
    assert_eq!(abi.signatures.get(AbiVariant::GuestImport, &twice), None);
    let args = [Value::I32(1), Value::I32(2)];
    let mut mem = VecMemory::new(0);
    assert_eq!(
        abi.lift_import_params(&twice, &args, &mut mem)?,
        [Val::U32(1), Val::U32(2)]
    );
    assert_eq!(
        abi.lower_import_result(&twice, Some(Val::U32(3)), &args, &mut mem)?,
        [Value::I32(3)]
    );
    Ok(())
}
