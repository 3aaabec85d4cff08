//! Random values of random WIT types through host-wasmer and wasmtime,
//! compared byte for byte.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    slots_conformance::lift_lower(data);
});
