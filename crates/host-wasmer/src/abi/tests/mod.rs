//! Tests of the canonical ABI: fixed shapes, errors, round-trip properties
//! and a real Wasmer guest memory.
