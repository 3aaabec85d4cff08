//! `cargo xtask test`: every test of the workspace, guests end to end included.

use crate::guests;
use crate::run::{cargo, root, step};

pub(crate) fn run() -> Result<(), String> {
    println!("slots: building and running every test.");
    println!(
        "The first run compiles Wasmer and wasmtime (about 10 minutes on 2 cores); later runs reuse target/."
    );
    let built = guests::build()?;
    println!(
        "built {} guest examples into {}",
        built.len(),
        guests::out_dir().display()
    );
    println!("and for WASI into {}", guests::wasi_out_dir().display());
    step(
        "running the workspace's tests (unit, property, integration, guests end to end)",
        cargo()
            .args([
                "test",
                "--locked",
                "--workspace",
                "--exclude",
                "slots-conformance",
            ])
            .env("SLOTS_GUESTS_DIR", guests::out_dir())
            .env("SLOTS_WASI_GUESTS_DIR", guests::wasi_out_dir())
            .current_dir(root()),
    )?;
    step(
        "running guest examples on Wasmer's Singlepass backend (host-wasmer's `singlepass` feature)",
        cargo()
            .args([
                "test",
                "--locked",
                "--package",
                "slots-host",
                "--features",
                "singlepass",
                "--test",
                "singlepass",
            ])
            .env("SLOTS_GUESTS_DIR", guests::out_dir())
            .current_dir(root()),
    )?;
    step(
        "running the conformance suite: every guest on host-wasmer and on wasmtime's component model \
         (the first run compiles wasmtime, a few minutes)",
        cargo()
            .args(["test", "--locked", "--package", "slots-conformance"])
            .env("SLOTS_GUESTS_DIR", guests::out_dir())
            .env("SLOTS_WASI_GUESTS_DIR", guests::wasi_out_dir())
            .current_dir(root()),
    )
}
