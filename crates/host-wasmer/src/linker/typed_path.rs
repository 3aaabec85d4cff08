//! Imports on the direct path: typed Wasmer functions, so that a call costs
//! what a plain Wasmer host call costs plus the work the host function does.
//!
//! Wasmer's dynamic functions box their arguments and results in vectors on
//! every call; typed functions pass core values in registers. A typed
//! function needs its core signature at compile time, so this module has one
//! for each signature of up to eight `i32` parameters and no result or one
//! `i32` result, which covers handles, integers, strings and lists
//! (`ptr, len`) and every result returned through a return pointer. Other
//! signatures take the dynamic path.

use std::sync::Arc;

use wasmer::{Function, FunctionEnv, FunctionEnvMut, RuntimeError, Store, Value};
use wit_parser::abi::{WasmSignature, WasmType};

use crate::abi::{Abi, GuestMemory, ViewMemory, WasmerMemory};
use crate::host_call::{admit, guarded, trap};
use crate::typed::{DirectCall, Lowered};
use crate::world::ImportFunc;
use crate::{HostError, InstanceEnv};

/// A typed host function on the direct path: lifts from core arguments.
pub(crate) type DirectHostFn<D> = Arc<
    dyn Fn(&mut InstanceEnv<D>, &mut DirectCall<'_>) -> Result<Option<Lowered>, HostError>
        + Send
        + Sync,
>;

/// The most `i32` parameters a direct-path signature may have.
const MAX_DIRECT_PARAMS: usize = 8;

/// Whether a core signature has a typed function on the direct path.
pub(crate) fn eligible(signature: &WasmSignature) -> bool {
    let is_i32 = |t: &WasmType| matches!(t, WasmType::I32 | WasmType::Pointer | WasmType::Length);
    !signature.indirect_params
        && signature.params.len() <= MAX_DIRECT_PARAMS
        && signature.params.iter().all(is_i32)
        && signature.results.len() <= 1
        && signature.results.iter().all(is_i32)
}

/// What one direct import needs at every call.
struct DirectImport<D> {
    import: Arc<ImportFunc>,
    abi: Arc<Abi>,
    call: DirectHostFn<D>,
}

impl<D> DirectImport<D> {
    /// One call of this import with the core `args`, through `mem`.
    fn call_with<'a>(&'a self, args: &'a [Value], mem: &'a mut dyn GuestMemory) -> DirectCall<'a> {
        DirectCall::new(
            &self.abi,
            &self.import.func,
            args,
            self.import.signature.retptr,
            mem,
        )
    }
}

/// Runs one call: refuses re-entry, then lifts, calls and lowers.
///
/// Parameters are lifted, and a result that allocates nothing is stored,
/// through one memory view taken for the call (no guest code runs while it
/// is held). Only a result that needs the guest's `cabi_realloc` is
/// lowered through the memory and allocator, with the instance marked
/// busy first, so that a guest re-entering the host from its allocator is
/// refused instead of aliasing the state.
#[inline]
fn run<D: Send + 'static>(
    fenv: &mut FunctionEnvMut<'_, InstanceEnv<D>>,
    import: &DirectImport<D>,
    args: &[Value],
) -> Result<Option<Value>, RuntimeError> {
    let (state, mut store) = fenv.data_and_store_mut();
    admit(state, || import.import.qualified_name())?;
    let pending = {
        let mut view = ViewMemory::new(&store, state.memory.clone());
        let mut call = import.call_with(args, &mut view);
        match (import.call)(state, &mut call) {
            Ok(None) => return Ok(None),
            Ok(Some(Lowered::Core(value))) => return Ok(Some(value)),
            // Stored with no call into the guest: nothing to guard.
            Ok(Some(Lowered::Ok(payload))) => {
                return call
                    .store_ok(payload)
                    .map_err(|error| trap(import.import.qualified_name(), error));
            }
            Ok(Some(pending)) => pending,
            Err(error) => return Err(trap(import.import.qualified_name(), error)),
        }
    };
    // Lowering may run the guest's `cabi_realloc`: the state is marked busy
    // and no longer borrowed while it does.
    state.gate.set_busy(true);
    let mut mem = WasmerMemory::optional(&mut store, state.memory.clone(), state.realloc.clone());
    let result = import.call_with(args, &mut mem).lower_result(pending);
    fenv.data_mut().gate.set_busy(false);
    result.map_err(|error| trap(import.import.qualified_name(), error))
}

/// The single `i32` result of a call, as Wasmer wants it.
fn one_i32(result: Option<Value>) -> Result<i32, RuntimeError> {
    match result {
        Some(Value::I32(v)) => Ok(v),
        other => Err(RuntimeError::new(format!(
            "host bug: a direct call produced {other:?} where one i32 was due"
        ))),
    }
}

macro_rules! typed {
    ($store:ident, $env:ident, $shared:ident, $results:expr, $($arg:ident),*) => {
        if $results == 0 {
            Function::new_typed_with_env($store, $env, move |mut fenv: FunctionEnvMut<'_, InstanceEnv<D>>, $($arg: i32),*| -> Result<(), RuntimeError> {
                guarded(&mut fenv, || $shared.import.qualified_name(), |fenv| {
                    run(fenv, &$shared, &[$(Value::I32($arg)),*]).map(|_| ())
                })
            })
        } else {
            Function::new_typed_with_env($store, $env, move |mut fenv: FunctionEnvMut<'_, InstanceEnv<D>>, $($arg: i32),*| -> Result<i32, RuntimeError> {
                guarded(&mut fenv, || $shared.import.qualified_name(), |fenv| {
                    run(fenv, &$shared, &[$(Value::I32($arg)),*]).and_then(one_i32)
                })
            })
        }
    };
}

/// The typed Wasmer function for an [`eligible`] import.
pub(crate) fn function<D: Send + 'static>(
    store: &mut Store,
    env: &FunctionEnv<InstanceEnv<D>>,
    import: Arc<ImportFunc>,
    abi: Arc<Abi>,
    call: DirectHostFn<D>,
) -> Function {
    let params = import.signature.params.len();
    let results = import.signature.results.len();
    let shared = Arc::new(DirectImport { import, abi, call });
    match params {
        0 => typed!(store, env, shared, results,),
        1 => typed!(store, env, shared, results, a),
        2 => typed!(store, env, shared, results, a, b),
        3 => typed!(store, env, shared, results, a, b, c),
        4 => typed!(store, env, shared, results, a, b, c, d),
        5 => typed!(store, env, shared, results, a, b, c, d, e),
        6 => typed!(store, env, shared, results, a, b, c, d, e, f),
        7 => typed!(store, env, shared, results, a, b, c, d, e, f, g),
        _ => typed!(store, env, shared, results, a, b, c, d, e, f, g, h),
    }
}
