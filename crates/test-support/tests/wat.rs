//! The WAT pieces parse as the tests use them: the bump `cabi_realloc`, or
//! the body's own.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use slots_test_support::wat::{CABI_REALLOC, module, module_with_heap};

#[test]
fn a_module_gets_the_bump_cabi_realloc_unless_its_body_brings_one() {
    let plain = module("", r#"(func (export "go"))"#);
    assert!(plain.contains(CABI_REALLOC));
    assert!(plain.contains("(i32.const 32768)"));
    let own = module_with_heap(
        1024,
        "",
        r#"(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (unreachable))"#,
    );
    assert!(!own.contains(CABI_REALLOC));
    assert!(own.contains("(i32.const 1024)"));
    assert_eq!(own.matches(r#"(export "cabi_realloc")"#).count(), 1);
}
