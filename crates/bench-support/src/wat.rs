//! Pieces of WebAssembly text that bench guests written inline repeat.

/// A bump allocator exported as `cabi_realloc`, for a guest that keeps its
/// next free address in a mutable `i32` global named `$heap`: it aligns
/// `$heap` up to the requested alignment, hands that address out, and
/// moves `$heap` past the new length. It never frees; a guest that wants
/// its memory back resets `$heap` between runs.
///
/// # Examples
///
/// ```
/// use slots_bench_support::wat::BUMP_CABI_REALLOC;
///
/// let guest = format!(
///     "(module (memory (export \"memory\") 1)
///        (global $heap (mut i32) (i32.const 1024))
///        {BUMP_CABI_REALLOC})"
/// );
/// assert!(guest.contains("(export \"cabi_realloc\")"));
/// ```
pub const BUMP_CABI_REALLOC: &str = r#"(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $ptr) (local.get 3)))
    (local.get $ptr))"#;
