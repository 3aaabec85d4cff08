//! The boundary every call from a guest into a host function crosses: the
//! checks made before the host function runs (re-entry, teardown), and the
//! conversion of its failures, panics included, into traps that name the
//! import.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use wasmer::{FunctionEnvMut, RuntimeError};

use crate::{GuestTrap, HostError, InstanceEnv};

/// The trap a guest gets when the host function behind `import` fails.
///
/// Built without the Wasm backtrace `RuntimeError::user` captures: that
/// walks the native stack with libunwind on every trap (a quarter of the
/// `import_calls` fuzz target's time, most of a trapping call), and nothing
/// reads it: a `CallError` keeps the message and the `GuestTrap`.
pub(crate) fn trap(import: String, error: HostError) -> RuntimeError {
    match &error {
        HostError::BadHandle { .. } => {
            tracing::warn!(target: "slots::handle", %import, %error, "rejected handle");
        }
        HostError::Panicked { .. } => {
            tracing::error!(target: "slots::host", %import, %error, "host function panicked");
        }
        _ => {}
    }
    let user = wasmer::sys::vm::Trap::user(Box::new(GuestTrap { import, error }));
    RuntimeError::new_from_source(wasmer::BackendTrap::Sys(user), Vec::new(), None)
}

/// Admits a host call to `import`, or refuses it with a trap naming the
/// import when the instance cannot serve it now: it is still being
/// instantiated (a start function called an import), a host function is
/// already running (the guest re-entered from `cabi_realloc`), or the
/// instance was torn down. The first step of every host function; the
/// refusal is built out of line, so that an admitted call tests one byte
/// (the instance's [`CallGate`](crate::call_gate::CallGate)).
#[inline(always)]
pub(crate) fn admit<D>(
    state: &InstanceEnv<D>,
    import: impl FnOnce() -> String,
) -> Result<(), RuntimeError> {
    if !state.gate.admits() {
        return Err(refuse(state, import));
    }
    Ok(())
}

/// The trap of a call [`admit`] refuses.
#[cold]
#[inline(never)]
fn refuse<D>(state: &InstanceEnv<D>, import: impl FnOnce() -> String) -> RuntimeError {
    // `admit` refuses only a closed gate, which names its reason.
    let error = state.gate.refusal().unwrap_or(HostError::Reentrant);
    trap(import(), error)
}

/// Runs the host call `body`; a panic in it becomes a trap naming the
/// import instead of unwinding through the guest. The instance's per-call
/// state is reset, since the panic may have left it set.
#[inline]
pub(crate) fn guarded<D, R>(
    fenv: &mut FunctionEnvMut<'_, InstanceEnv<D>>,
    import: impl FnOnce() -> String,
    body: impl FnOnce(&mut FunctionEnvMut<'_, InstanceEnv<D>>) -> Result<R, RuntimeError>,
) -> Result<R, RuntimeError>
where
    D: Send + 'static,
{
    match catch_unwind(AssertUnwindSafe(|| body(&mut *fenv))) {
        Ok(result) => result,
        Err(payload) => Err(panicked(fenv.data_mut(), import, payload)),
    }
}

/// The trap of a host call that panicked with `payload`. The instance's
/// per-call state is reset, since the panic may have left it set. Built
/// out of line, so that an admitted call's path keeps no room for it.
#[cold]
#[inline(never)]
fn panicked<D>(
    state: &mut InstanceEnv<D>,
    import: impl FnOnce() -> String,
    payload: Box<dyn Any + Send>,
) -> RuntimeError {
    state.gate.set_busy(false);
    state.passed.clear();
    let message = panic_message(payload.as_ref());
    trap(import(), HostError::Panicked { message })
}

/// The message a panic carried, if it was a string.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        return (*message).to_string();
    }
    match payload.downcast_ref::<String>() {
        Some(message) => message.clone(),
        None => "(a panic without a message)".to_string(),
    }
}
