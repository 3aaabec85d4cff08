//! What a guest's `run` returned, judged against what was expected.

use host_wasmer::CallError;

/// `Ok` when the guest passed, or trapped as expected (`expect_trap`
/// names a fragment of the trap); the reason otherwise.
pub(crate) fn judge(
    outcome: Result<Result<(), String>, CallError>,
    expect_trap: Option<&str>,
) -> Result<(), String> {
    match (outcome, expect_trap) {
        (Ok(Ok(())), None) => {
            println!("  result: ok");
            Ok(())
        }
        (Ok(Err(message)), _) => Err(format!("the guest's check failed: {message}")),
        (Ok(Ok(())), Some(expected)) => Err(format!(
            "expected a trap mentioning `{expected}`, but the guest returned"
        )),
        (Err(CallError::Trap { message, .. }), Some(expected)) if message.contains(expected) => {
            println!("  rejected, as expected: {message}");
            Ok(())
        }
        (Err(error), _) => Err(error.to_string()),
    }
}
