//! Pieces of hand-written WAT guests: the bump allocator behind
//! `cabi_realloc`, and the module around a test's imports and functions.
//!
//! # Examples
//!
//! ```
//! use slots_test_support::wat;
//!
//! let text = wat::module(
//!     r#"(import "test:shapes/api@1.0.0" "tick" (func $tick))"#,
//!     r#"(func (export "go") (call $tick))"#,
//! );
//! assert!(text.contains(r#"(export "cabi_realloc")"#));
//! assert!(text.contains(r#"(memory (export "memory") 1)"#));
//! ```

/// Where [`module`]'s `cabi_realloc` starts handing out memory. Below it,
/// 0..1024 holds return areas and 1024..32768 the inputs tests write.
pub const HEAP: u32 = 32768;

/// The `cabi_realloc` of [`module`]: it allocates with `$bump` and ignores
/// the old allocation, as the canonical ABI lets a bump allocator do.
pub const CABI_REALLOC: &str = r#"(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (call $bump (local.get 2) (local.get 3)))"#;

/// A bump allocator, `$bump (param $align i32) (param $len i32) (result
/// i32)`, handing out memory from `heap` upwards in the global `$heap`. It
/// grows memory a page at a time when it runs out (and hands out memory
/// past the end when it cannot grow, for the host to reject), and counts
/// its calls in the exported global `allocs`.
pub fn bump(heap: u32) -> String {
    format!(
        r#"
  (global $heap (mut i32) (i32.const {heap}))
  (global $allocs (export "allocs") (mut i32) (i32.const 0))
  (func $bump (param $align i32) (param $len i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $grow
        (br_if $done (i32.le_u (local.get $end) (i32.mul (memory.size) (i32.const 65536))))
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $grow)))
    (global.set $heap (local.get $end))
    (global.set $allocs (i32.add (global.get $allocs) (i32.const 1)))
    (local.get $ptr))
"#
    )
}

/// A guest module with the allocator at [`HEAP`]: see [`module_with_heap`].
pub fn module(imports: &str, body: &str) -> String {
    module_with_heap(HEAP, imports, body)
}

/// A guest module: `imports` (WAT import lines), one page of memory
/// exported as `memory`, [`bump`] from `heap`, [`CABI_REALLOC`] unless
/// `body` exports a `cabi_realloc` of its own (which may call `$bump`), and
/// `body`.
pub fn module_with_heap(heap: u32, imports: &str, body: &str) -> String {
    let realloc = match body.contains(r#"(export "cabi_realloc")"#) {
        true => "",
        false => CABI_REALLOC,
    };
    let bump = bump(heap);
    format!(
        r#"(module
  {imports}
  (memory (export "memory") 1)
  {bump}
  {realloc}
  {body}
)"#
    )
}
