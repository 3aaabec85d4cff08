//! What a guest's `run` returned, judged against what was expected.

use host_wasmer::CallError;
use host_wasmer::abi::Val;

/// `Ok` when the guest passed, or trapped as expected (`expect_trap`
/// names a fragment of the trap); the reason otherwise.
pub(crate) fn judge(
    outcome: Result<Option<Val>, CallError>,
    expect_trap: Option<&str>,
) -> Result<(), String> {
    match (outcome, expect_trap) {
        (Ok(Some(Val::Result(Ok(_)))) | Ok(None), None) => {
            println!("  result: ok");
            Ok(())
        }
        (Ok(Some(Val::Result(Err(Some(message))))), _) => match *message {
            Val::String(message) => Err(format!("the guest's check failed: {message}")),
            other => Err(format!("the guest failed with {other:?}")),
        },
        (Ok(other), None) => {
            println!("  result: {other:?}");
            Ok(())
        }
        (Ok(_), Some(expected)) => Err(format!(
            "expected a trap mentioning `{expected}`, but the guest returned"
        )),
        (Err(CallError::Trap { message, .. }), Some(expected)) if message.contains(expected) => {
            println!("  rejected, as expected: {message}");
            Ok(())
        }
        (Err(error), _) => Err(error.to_string()),
    }
}
