//! `slots-runner`: runs guests of the `slots:host` world (the
//! `slots-host` crate) and reports what their handles did.
//!
//! ```text
//! slots-runner run GUEST.wasm [--namespace NS] [--tell SUBJECT]... [--expect-trap TEXT]
//!                     [--instances N] [--dir HOST[:GUEST]]... [--env KEY=VALUE]... [-- ARGS...]
//! slots-runner tenants TENANTS.wasm
//! slots-runner grants GRANTS.wasm
//! slots-runner --help
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
//!
//! The runner is a crate of its own so that its dependencies (a log
//! subscriber, an argument parser, WASI) stay out of the `slots-host`
//! library.

mod args;
mod outcome;
mod report;
mod scenarios;
mod stage;

use std::process::ExitCode;

use args::{Command, USAGE};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match args::parse(std::env::args_os().skip(1)).and_then(execute) {
        Ok(None) => ExitCode::SUCCESS,
        // A WASI guest's exit code is the runner's, as with `wasmer run`.
        Ok(Some(code)) => ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX)),
        Err(message) => {
            eprintln!("slots-runner: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Carries out `command`; `Some(code)` when a WASI guest exited with one.
fn execute(command: Command) -> Result<Option<u32>, String> {
    match command {
        Command::Run(args) => scenarios::single(&args),
        Command::Tenants(wasm) => scenarios::tenants(&wasm).map(|()| None),
        Command::Grants(wasm) => scenarios::grants(&wasm).map(|()| None),
        Command::Help => {
            println!("{USAGE}");
            Ok(None)
        }
    }
}
