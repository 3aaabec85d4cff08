//! Every `slots:host` import, called with random core arguments and memory.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    slots_fuzz_targets::import_calls(data);
});
