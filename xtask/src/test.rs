//! `cargo xtask test`: every test of the workspace, guests end to end included.

use crate::guests;
use crate::run::{cargo, root, step};

pub(crate) fn run() -> Result<(), String> {
    println!("slots: building and running every test.");
    println!(
        "The first run compiles Wasmer (about 4 minutes on 2 cores); later runs reuse target/."
    );
    let built = guests::build()?;
    println!(
        "built {} guest examples into {}",
        built.len(),
        guests::out_dir().display()
    );
    step(
        "running the workspace's tests (unit, property, integration, guests end to end)",
        cargo()
            .args(["test", "--workspace", "--locked"])
            .env("SLOTS_GUESTS_DIR", guests::out_dir())
            .current_dir(root()),
    )
}
