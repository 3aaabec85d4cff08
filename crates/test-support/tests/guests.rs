//! The guest examples are found where `cargo xtask` builds them.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use slots_test_support::guests::{
    TARGET, WASI_GUESTS, WASI_TARGET, file_name, guest_workspace, names, out_dir_for,
};

#[test]
fn the_guest_examples_are_the_directories_with_a_manifest() {
    let names = names().unwrap();
    assert!(names.iter().any(|n| n == "identity"), "{names:?}");
    assert!(names.is_sorted());
    for wasi in WASI_GUESTS {
        assert!(names.iter().any(|n| n == wasi), "{wasi} is a guest example");
    }
    for name in &names {
        assert!(guest_workspace().join(name).join("Cargo.toml").is_file());
    }
}

#[test]
fn builds_land_in_the_guest_workspace_target_per_target() {
    assert!(out_dir_for(TARGET).ends_with("guest-examples/target/wasm32-unknown-unknown/release"));
    assert!(out_dir_for(WASI_TARGET).ends_with("guest-examples/target/wasm32-wasip1/release"));
    assert_eq!(file_name("two-words"), "two_words.wasm");
}
