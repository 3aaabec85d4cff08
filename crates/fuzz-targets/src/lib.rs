//! The bodies of slots' fuzz targets, as plain functions of the fuzzer's
//! bytes, so that they run two ways:
//!
//! - under libFuzzer, from the cargo-fuzz project in `fuzz/`
//!   (`cargo xtask fuzz`), coverage-guided;
//! - as property tests of this crate, on random bytes, in every
//!   `cargo xtask test`.
//!
//! Each target turns the bytes into a sequence of operations with
//! [`arbitrary`] and checks its invariants with `assert!`: in a fuzz target
//! a failed assertion, like any panic, is the crash the fuzzer reports.
//!
//! - [`table_ops`]: slots-core's `ResourceTable` (owned and shared objects,
//!   keyed opens, release, take, share, revoke, grants) against a model.
//! - [`import_calls`]: the generated `slots:host` bindings on Wasmer, called
//!   through every import with raw core arguments and random guest memory,
//!   with a `cabi_realloc` that misbehaves on command.
//!
//! # Examples
//!
//! ```
//! // Any bytes at all are a valid input; none may panic.
//! slots_fuzz_targets::table_ops(&[0x13, 0x37, 0xff, 0x00, 0x42]);
//! ```

// The invariants are assertions by design: a failed one is a finding.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod import_calls;
mod table_ops;
mod wat;

pub use import_calls::{Calls, import_calls};
pub use table_ops::table_ops;

use arbitrary::{Arbitrary, Unstructured};

/// As many `T`s as `data` makes, up to `max`: every byte is used, so longer
/// inputs mean longer sequences.
fn steps<'a, T: Arbitrary<'a>>(data: &'a [u8], max: usize) -> Vec<T> {
    let mut input = Unstructured::new(data);
    let mut steps = Vec::new();
    while !input.is_empty() && steps.len() < max {
        match T::arbitrary(&mut input) {
            Ok(step) => steps.push(step),
            Err(_) => break,
        }
    }
    steps
}
