//! The WAT pieces parse inside a module.

use slots_bench_support::wat::BUMP_CABI_REALLOC;

#[test]
fn bump_allocator_parses_in_a_module_with_a_heap() {
    let guest = format!(
        "(module (memory (export \"memory\") 1)
           (global $heap (mut i32) (i32.const 1024))
           {BUMP_CABI_REALLOC})"
    );
    wat::parse_str(guest).expect("the allocator is valid text");
}
