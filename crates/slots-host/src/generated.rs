//! The bindings `bindgen!` generates from `wit/`: a Rust type per WIT
//! record, variant, enum and flags, a trait per imported interface and
//! resource (implemented on [`HostData`](crate::HostData) in the module
//! named after the interface), and [`Guest`], the world's instance with a
//! typed method per export.
//!
//! # Examples
//!
//! ```no_run
//! use host_wasmer::{HostConfig, SharedHost};
//! use slots_host::HostData;
//! use slots_host::generated::Guest;
//! use wasmer::{Module, Store};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut store = Store::default();
//! let module = Module::new(&store, std::fs::read("guest.wasm")?)?;
//! let host = SharedHost::new(HostConfig::default());
//! let guest = Guest::new(&mut store, &module, HostData::default(), host, "tenant-a")?;
//! let outcome: Result<(), String> = guest.call_run(&mut store)?;
//! # let _ = outcome; Ok(()) }
//! ```

host_wasmer::bindgen!({
    path: "../../wit",
    world: "guest",
    with: {
        "slots:host/patterns/pattern": crate::Pattern,
        "slots:host/buckets/bucket": crate::Bucket,
    },
    // Strings the host only reads, lent as `&str` from a reused buffer: the
    // key of a keyed open is looked up without a copy of its own (an intern
    // hit allocates nothing), and a searched text is not copied twice.
    borrow_strings: [
        "slots:host/patterns/pattern.open",
        "slots:host/patterns/pattern.is-match",
        "slots:host/patterns/pattern.find",
        "slots:host/patterns/pattern.find-all",
    ],
});
