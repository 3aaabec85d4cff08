//! A guest's core exports, below the canonical ABI: functions called with
//! exact core values, memory read and written, `i32` globals. For the
//! tests that forge what a guest would do (feature `wasmer`).
//!
//! Each function panics, naming the export, when the guest lacks it: a
//! test's guest is the test's own, so a missing export is a broken test.

use wasmer::{AsStoreMut, AsStoreRef, Exports, Function, Memory, RuntimeError, Value};

/// The exported function `name`.
pub fn function(exports: &Exports, name: &str) -> Function {
    match exports.get_function(name) {
        Ok(function) => function.clone(),
        Err(e) => missing(name, e),
    }
}

/// Calls the exported function `name` with exact core values.
pub fn call(
    exports: &Exports,
    store: &mut impl AsStoreMut,
    name: &str,
    args: &[Value],
) -> Result<Vec<Value>, RuntimeError> {
    function(exports, name).call(store, args).map(Vec::from)
}

/// The exported memory, `memory`.
pub fn memory(exports: &Exports) -> &Memory {
    match exports.get_memory("memory") {
        Ok(memory) => memory,
        Err(e) => missing("memory", e),
    }
}

/// `len` bytes of the exported memory at `ptr`.
pub fn read(exports: &Exports, store: &impl AsStoreRef, ptr: u32, len: usize) -> Vec<u8> {
    let mut bytes = vec![0; len];
    if let Err(e) = memory(exports).view(store).read(u64::from(ptr), &mut bytes) {
        outside(ptr, len, e);
    }
    bytes
}

/// Writes `bytes` into the exported memory at `ptr`.
pub fn write(exports: &Exports, store: &impl AsStoreRef, ptr: u32, bytes: &[u8]) {
    if let Err(e) = memory(exports).view(store).write(u64::from(ptr), bytes) {
        outside(ptr, bytes.len(), e);
    }
}

/// The value of the exported `i32` global `name`.
pub fn global_i32(exports: &Exports, store: &mut impl AsStoreMut, name: &str) -> i32 {
    let global = match exports.get_global(name) {
        Ok(global) => global,
        Err(e) => missing(name, e),
    };
    match global.get(store) {
        Value::I32(v) => v,
        other => wrong(name, &other),
    }
}

// A test's harness reports a broken guest by panicking.
#[allow(clippy::panic)]
fn missing(name: &str, e: impl std::fmt::Display) -> ! {
    panic!("the guest has no export `{name}`: {e}")
}

#[allow(clippy::panic)]
fn outside(ptr: u32, len: usize, e: impl std::fmt::Display) -> ! {
    panic!("{len} bytes at {ptr:#x} are outside the guest's memory: {e}")
}

#[allow(clippy::panic)]
fn wrong(name: &str, value: &Value) -> ! {
    panic!("the global `{name}` is not an i32: {value:?}")
}
