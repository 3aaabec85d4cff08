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
//!
//! Architecture invariant: this crate has no dependencies. xtask depends on
//! it and must compile in seconds, and host-wasmer's unit tests use it: a
//! dependency on host-wasmer would link a second copy of it into them.

pub mod guests;
pub mod random;
pub mod wat;
