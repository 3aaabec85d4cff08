//! `slots-host`: runs slots guests on the host and reports what their
//! handles did.
//!
//! ```text
//! slots-host run GUEST.wasm [--namespace NS] [--tell SUBJECT]... [--expect-trap TEXT]
//!                   [--instances N] [--dir HOST[:GUEST]]... [--env KEY=VALUE]... [-- ARGS...]
//! slots-host tenants TENANTS.wasm
//! slots-host grants GRANTS.wasm
//! ```
//!
//! A WASI guest (`wasm32-wasip1`) runs as with `wasmer run`: `--dir`
//! preopens a host directory, `--env` sets a variable, the arguments after
//! `--` follow the program name, its output is the runner's and its exit
//! code too. It is granted nothing else. `--instances` runs the guest that
//! many times on one host, in one namespace, to show the cache warm.
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
        Ok(None) => ExitCode::SUCCESS,
        // A WASI guest's exit code is the runner's, as with `wasmer run`.
        Ok(Some(code)) => ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX)),
        Err(message) => {
            eprintln!("slots-host: {message}");
            ExitCode::FAILURE
        }
    }
}
