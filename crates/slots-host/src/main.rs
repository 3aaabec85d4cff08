//! `slots-host`: runs slots guests on the host and reports what their
//! handles did.
//!
//! ```text
//! slots-host run GUEST.wasm [--namespace NS] [--tell SUBJECT]... [--function NAME] [--expect-trap TEXT]
//! slots-host tenants TENANTS.wasm
//! slots-host grants GRANTS.wasm
//! ```
//!
//! `--tell` puts a message from the host in the guest's inbox before it
//! runs. Set `RUST_LOG=slots=debug` (or `trace`) to watch handles open, hit,
//! miss and drop, and grants being issued, redeemed and revoked.

mod runner;

use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match runner::parse(&args).and_then(runner::execute) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("slots-host: {message}");
            ExitCode::FAILURE
        }
    }
}
