//! The `slots:host` guests on a second runtime: wasmtime's component model,
//! the canonical ABI's reference implementation, beside host-wasmer.
//!
//! - [`componentize`] turns a guest example's core module into a component
//!   with wit-component (the module carries its world in a custom section).
//! - [`WasmtimeHost`] implements the `slots:host` world on wasmtime with
//!   bindings from `wasmtime::component::bindgen!`, and keeps its objects
//!   in slots-core: resource reps are slots-core handle bits, keyed opens go
//!   through `ResourceTable` interning and an `ObjectCache`, grants through
//!   a `GrantRegistry`. The objects themselves are slots-host's.
//!
//! - [`differential`] passes values of WIT types through both canonical
//!   ABI implementations and compares them byte for byte, on types and
//!   values made by [`random_types`]: from seeds in the differential test,
//!   from a fuzzer's bytes in [`lift_lower()`], the body of the `lift_lower`
//!   fuzz target.
//!
//! The tests run each guest example on both hosts and compare what they
//! report, and pass random values of random WIT types through both
//! canonical ABI implementations. The crate is left out of the default
//! build; `cargo xtask test` runs it.
//!
//! # Examples
//!
//! ```no_run
//! use slots_conformance::{WasmtimeHost, componentize};
//!
//! let core = std::fs::read("guest-examples/target/wasm32-unknown-unknown/release/lifecycle.wasm")?;
//! let host = WasmtimeHost::new()?;
//! let component = host.compile(&componentize(&core)?)?;
//! let mut tenant = host.start(&component, "tenant-a")?;
//! assert_eq!(tenant.run()?, Ok(()));
//! # Ok::<(), anyhow::Error>(())
//! ```

mod component;
pub mod differential;
mod host;
pub mod lift_lower;
pub mod random_types;

pub use component::componentize;
pub use host::{Tenant, WasmtimeHost};
pub use lift_lower::lift_lower;
