//! `cargo xtask demo`: the example guests, run on the host for people to see.

use std::path::PathBuf;

use crate::guests;
use crate::run::{cargo, root, step};

pub(crate) fn run() -> Result<(), String> {
    println!("slots demo: building the example guests and running each on the host.");
    println!("The first run compiles Wasmer (about 4 minutes on 2 cores); later runs are quick.");
    let built = guests::build()?;
    step(
        "building the host runner (slots-runner)",
        cargo()
            .args([
                "build",
                "--locked",
                "--release",
                "--package",
                "slots-runner",
            ])
            .current_dir(root()),
    )?;
    let runner = target_dir().join("release/slots-runner");
    let mut failed = Vec::new();
    for guest in &built {
        let (name, wasm) = (&guest.name, &guest.wasm);
        let mut command = std::process::Command::new(&runner);
        // `tenants` and `grants` take several tenants of one host: the
        // runner has a scenario for each. Every other guest runs alone.
        match name.as_str() {
            "tenants" | "grants" => command.arg(name).arg(wasm),
            _ => command.arg("run").arg(wasm),
        };
        match name.as_str() {
            // A WASI guest reading pattern files from a preopened directory,
            // run twice on one host: the second instance finds every pattern
            // warm. Its arguments are paths it must not reach.
            "files" => {
                let patterns = root().join("guest-examples/files/patterns");
                command
                    .arg("--dir")
                    .arg(format!("{}:/patterns", patterns.display()))
                    .args(["--instances", "2", "--", "/patterns/../../etc/passwd"]);
            }
            // A WASI guest printing beside its handles, given arguments and
            // an environment variable.
            "printing" => {
                command.args(["--env", "LINES=4", "--", "hello", "from", "the", "host"]);
            }
            _ => {}
        }
        // Show each handle event (open, intern hit, cache hit or miss, drop,
        // rejection), except for the guest that makes tens of thousands.
        if name != "many" {
            command.env("RUST_LOG", "slots=trace");
        }
        // The stale guest is expected to trap: the runner says so and
        // succeeds only if the trap names a stale handle.
        if name == "stale" {
            command.args(["--expect-trap", "stale"]);
        }
        let what = if guest.wasi {
            format!("guest `{name}` (WASI, {})", guests::WASI_TARGET)
        } else {
            format!("guest `{name}`")
        };
        if let Err(e) = step(&what, command.current_dir(root())) {
            failed.push(e);
        }
    }
    if failed.is_empty() {
        println!("\nAll {} guests behaved as expected.", built.len());
        Ok(())
    } else {
        Err(failed.join("\n"))
    }
}

/// Where cargo builds the runner: `CARGO_TARGET_DIR` (relative to the
/// workspace root, where cargo runs) if set, `target/` otherwise.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}
