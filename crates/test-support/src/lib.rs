//! What the workspace's tests share, written once.
//!
//! - [`wat`]: the pieces of hand-written WAT guests, above all the bump
//!   `cabi_realloc` most of them need and the module around it.
//! - [`guests`]: where the guest examples are and how they are built, for
//!   `cargo xtask` and for the tests that load them.
//! - [`random`]: the one generator of random WIT types and of values of
//!   them, driven by a seed or by a fuzzer's bytes. Values are neutral: a
//!   host-wasmer test converts them into `abi::Val`, the conformance suite
//!   into `abi::Val` and wasmtime's `component::Val` too.
//! - `exports` (feature `wasmer`): a Wasmer guest's core exports, called,
//!   read and written below the canonical ABI.
//!
//! Architecture invariant: without features this crate has no
//! dependencies, for xtask depends on it and must compile in seconds; and
//! it never depends on host-wasmer, whose own unit tests use it (a second
//! copy of host-wasmer would be linked into them).

#[cfg(feature = "wasmer")]
pub mod exports;
pub mod guests;
pub mod random;
pub mod wat;
