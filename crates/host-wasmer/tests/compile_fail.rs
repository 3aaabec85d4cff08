//! The mistakes an embedder makes with `bindgen!` are compile errors, and
//! their messages say what is wrong (`.stderr` snapshots beside each case;
//! `TRYBUILD=overwrite` refreshes them).

#[test]
fn bindgen_mistakes_are_compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile-fail/*.rs");
}
