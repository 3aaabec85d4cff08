//! The guest examples on Wasmer's Singlepass backend, which host-wasmer's
//! `singlepass` feature passes through to Wasmer: the bindings do not
//! depend on the compiler. Built with `--features singlepass`, as
//! `cargo xtask test` does.

#![cfg(feature = "singlepass")]
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod support;

use host_wasmer::{HostConfig, SharedHost};
use slots_host::HostData;
use slots_test_support::guests::wasm;
use wasmer::Store;
use wasmer::sys::Singlepass;

#[test]
fn guest_examples_pass_on_singlepass() {
    for name in ["identity", "caching", "stale"] {
        let host = SharedHost::new(HostConfig::default());
        let mut store = Store::new(Singlepass::default());
        let guest = support::start(&mut store, &wasm(name), HostData::default(), &host, "test");
        let outcome = guest.call_run(&mut store);
        match name {
            // The stale guest is trapped on its stale handle, on any backend.
            "stale" => {
                let error = outcome.unwrap_err();
                assert!(error.to_string().contains("stale handle"), "{error}");
            }
            _ => assert!(
                matches!(outcome, Ok(Ok(()))),
                "`{name}` on singlepass: {outcome:?}"
            ),
        }
        drop(store);
        assert_eq!(host.totals().leaked(), 0, "`{name}` leaked");
    }
}
