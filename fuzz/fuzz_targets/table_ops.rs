//! slots-core's `ResourceTable` and grants against a model.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    slots_fuzz_targets::table_ops(data);
});
