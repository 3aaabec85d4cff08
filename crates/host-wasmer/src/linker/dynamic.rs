//! The dynamic call path: a host function bound to any core signature
//! through `Function::new_with_env`, its parameters lifted as [`Val`]s and
//! its result lowered from one. Untyped closures
//! ([`Linker::func_dynamic`](crate::Linker::func_dynamic)) always take it;
//! typed closures take it where [`typed_path`](super::typed_path) has no
//! typed Wasmer function for the signature.

use std::collections::HashMap;
use std::sync::Arc;

use wasmer::{Function, FunctionEnv, FunctionEnvMut, Store, Value};

use super::ownership;
use crate::abi::{Abi, Val, WasmerMemory};
use crate::host_call::{admit, guarded, trap};
use crate::shape::signature_type;
use crate::typed::BoundResource;
use crate::world::ImportFunc;
use crate::{HostError, InstanceEnv};

/// An untyped host function: lifted parameters in, result to lower out.
pub(crate) type DynHostFn<D> =
    Arc<dyn Fn(&mut InstanceEnv<D>, Vec<Val>) -> Result<Option<Val>, HostError> + Send + Sync>;

/// A `[resource-drop]` function: releases one handle of its type.
pub(crate) type DropFn<D> =
    Arc<dyn Fn(&mut InstanceEnv<D>, u32) -> Result<(), HostError> + Send + Sync>;

/// What an untyped host function needs to apply the handle rules to its
/// parameters.
pub(crate) struct Claims {
    pub(crate) resolve: Arc<wit_parser::Resolve>,
    pub(crate) resources: Arc<HashMap<wit_parser::TypeId, BoundResource>>,
}

pub(crate) fn host_function<D: Send + 'static>(
    store: &mut Store,
    env: &FunctionEnv<InstanceEnv<D>>,
    import: Arc<ImportFunc>,
    abi: Arc<Abi>,
    call: DynHostFn<D>,
    claims: Option<Claims>,
) -> Function {
    let ty = signature_type(&import.signature);
    Function::new_with_env(
        store,
        env,
        ty,
        move |mut fenv: FunctionEnvMut<'_, InstanceEnv<D>>, args: &[Value]| {
            admit(fenv.data(), || import.qualified_name())?;
            guarded(
                &mut fenv,
                || import.qualified_name(),
                |fenv| {
                    // Set before anything can run guest code (`cabi_realloc`,
                    // while lowering), cleared on every path out.
                    fenv.data_mut().gate.set_busy(true);
                    let result = dispatch(fenv, &import, &abi, &call, claims.as_ref(), args);
                    fenv.data_mut().gate.set_busy(false);
                    result.map_err(|error| trap(import.qualified_name(), error))
                },
            )
        },
    )
}

/// Lifts the guest's arguments, runs the host function, lowers its result.
fn dispatch<D: Send + 'static>(
    fenv: &mut FunctionEnvMut<'_, InstanceEnv<D>>,
    import: &ImportFunc,
    abi: &Abi,
    call: &DynHostFn<D>,
    claims: Option<&Claims>,
    args: &[Value],
) -> Result<Vec<Value>, HostError> {
    let (state, mut store) = fenv.data_and_store_mut();
    let (memory, realloc) = (state.memory.clone(), state.realloc.clone());
    let params = {
        let mut mem = WasmerMemory::optional(&mut store, memory.clone(), realloc.clone());
        abi.lift_import_params(&import.func, args, &mut mem)?
    };
    if let Some(claims) = claims {
        ownership::claim(
            &claims.resolve,
            &claims.resources,
            &import.func.params,
            &params,
            &mut state.table,
            &mut state.passed,
        )?;
    }
    let result = call(state, params);
    // An `own` the function did not take is dropped, as its callee would.
    state.passed.clear();
    let result = result?;
    // From here on only the store is used: `cabi_realloc` may run guest code.
    let mut mem = WasmerMemory::optional(&mut store, memory, realloc);
    Ok(abi.lower_import_result(&import.func, result, args, &mut mem)?)
}

pub(crate) fn drop_function<D: Send + 'static>(
    store: &mut Store,
    env: &FunctionEnv<InstanceEnv<D>>,
    module: String,
    name: String,
    call: DropFn<D>,
) -> Function {
    Function::new_typed_with_env(
        store,
        env,
        move |mut fenv: FunctionEnvMut<'_, InstanceEnv<D>>, handle: i32| {
            let import = || format!("{module}#{name}");
            admit(fenv.data(), import)?;
            // Releasing a handle runs the object's destructor, which is the
            // embedder's code and may panic.
            guarded(&mut fenv, import, |fenv| {
                call(fenv.data_mut(), handle as u32).map_err(|error| trap(import(), error))
            })
        },
    )
}
