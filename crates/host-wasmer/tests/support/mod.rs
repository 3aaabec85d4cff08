//! The harness shared by the tests that run WAT guests of `shapes.wit` on
//! real Wasmer through the real `Linker`.

// Each test binary uses its own part of the harness.
#![allow(dead_code)]

use std::fmt::Debug;

use host_wasmer::HostFunc;
use host_wasmer::{Ctx, GuestInstance, GuestWorld, HostConfig, Linker, SharedHost};
use slots_core::Resource;
use slots_test_support::exports;
use wasmer::{Module, RuntimeError, Store, Value};

/// The test world: one function per canonical ABI shape.
pub(crate) const WIT: &str = include_str!("shapes.wit");

/// The core import module of the `api` interface.
pub(crate) const API: &str = "test:shapes/api@1.0.0";

/// Where guests keep their heap, and the module around a guest's imports
/// and functions, with a bump `cabi_realloc` that counts its calls in the
/// exported global `allocs`.
#[allow(unused_imports)] // Each test binary uses its own part of the harness.
pub(crate) use slots_test_support::wat::{HEAP, module};

/// What each instance's host functions saw, in call order.
pub(crate) type Log = Vec<String>;

/// The Rust type bound to the WIT resource `thing`.
#[derive(Debug)]
pub(crate) struct Thing(pub(crate) String);

impl Resource for Thing {
    const NAME: &'static str = "thing";
}

/// The Rust type bound to the WIT resource `gadget`.
#[derive(Debug)]
pub(crate) struct Gadget;

impl Resource for Gadget {
    const NAME: &'static str = "gadget";
}

/// The world `name` of the test package.
pub(crate) fn world(name: &str) -> GuestWorld {
    GuestWorld::from_str(WIT, name).expect("the test WIT parses")
}

/// A linker for the world `name`, with `thing` and `gadget` bound and no
/// function yet.
pub(crate) fn linker(name: &str) -> Linker<Log> {
    let mut linker = Linker::new(world(name), SharedHost::new(HostConfig::default()));
    linker
        .resource::<Thing>(API, "thing")
        .expect("`thing` binds")
        .resource::<Gadget>(API, "gadget")
        .expect("`gadget` binds");
    linker
}

/// Binds the imports of [`API`] to typed host functions; an import that
/// does not bind is a broken test.
pub(crate) trait BindApi {
    /// Binds the import `name` of [`API`] to `f`.
    fn bind<M, F: HostFunc<Log, M>>(&mut self, name: &str, f: F) -> &mut Self;
}

impl BindApi for Linker<Log> {
    fn bind<M, F: HostFunc<Log, M>>(&mut self, name: &str, f: F) -> &mut Self {
        self.func(API, name, f)
            .unwrap_or_else(|e| panic!("`{name}` does not bind: {e}"))
    }
}

/// Appends what a host function saw to the instance's log.
pub(crate) fn log(cx: &mut Ctx<'_, Log>, entry: impl Into<String>) {
    cx.data_mut().push(entry.into());
}

/// A guest that imports `name` from [`API`] with the core signature `sig`
/// (e.g. `(param i32) (result i32)`) and exports `go`, which forwards its
/// parameters to it and returns what it returns.
pub(crate) fn forwarding(name: &str, sig: &str, params: usize) -> String {
    let args: String = (0..params).map(|i| format!("(local.get {i}) ")).collect();
    module(
        &format!(r#"(import "{API}" "{name}" (func $f {sig}))"#),
        &format!(r#"(func (export "go") {sig} (call $f {args}))"#),
    )
}

/// A [`forwarding`] guest of the world `imports`, its import `name` bound
/// to the typed host function `f`.
pub(crate) fn forwarding_to<M, F: HostFunc<Log, M>>(
    name: &str,
    sig: &str,
    params: usize,
    f: F,
) -> Guest {
    let mut linker = linker("imports");
    linker.bind(name, f);
    Guest::new(&linker, &forwarding(name, sig, params))
}

/// One instantiated guest in its own store.
pub(crate) struct Guest {
    pub(crate) store: Store,
    pub(crate) instance: GuestInstance<Log>,
}

impl Guest {
    /// Compiles `wat` and instantiates it through `linker`.
    pub(crate) fn new(linker: &Linker<Log>, wat: &str) -> Self {
        let mut store = Store::default();
        let bytes = wat::parse_str(wat).unwrap_or_else(|e| panic!("bad WAT: {e}\n{wat}"));
        let module = Module::new(&store, bytes).expect("the module compiles");
        let instance = linker
            .instantiate(&mut store, &module, Log::new(), "test")
            .unwrap_or_else(|e| panic!("instantiation failed: {e}"));
        Self { store, instance }
    }

    /// Calls the guest's core export `name` with exact core values,
    /// bypassing the canonical ABI.
    pub(crate) fn call(&mut self, name: &str, args: &[Value]) -> Result<Vec<Value>, RuntimeError> {
        exports::call(&self.instance.wasmer().exports, &mut self.store, name, args)
    }

    /// The guest's core exports.
    pub(crate) fn exports(&self) -> &wasmer::Exports {
        &self.instance.wasmer().exports
    }

    /// `len` bytes of guest memory at `ptr`.
    pub(crate) fn read(&self, ptr: u32, len: usize) -> Vec<u8> {
        exports::read(self.exports(), &self.store, ptr, len)
    }

    /// Writes `bytes` to guest memory at `ptr`.
    pub(crate) fn write(&self, ptr: u32, bytes: &[u8]) {
        exports::write(self.exports(), &self.store, ptr, bytes);
    }

    /// The value of the guest's exported i32 global `name`.
    pub(crate) fn global(&mut self, name: &str) -> i32 {
        exports::global_i32(&self.instance.wasmer().exports, &mut self.store, name)
    }

    /// The little-endian `u32` at `ptr`.
    pub(crate) fn u32_at(&self, ptr: u32) -> u32 {
        u32::from_le_bytes(self.read(ptr, 4).try_into().unwrap())
    }

    /// The little-endian `u64` at `ptr`.
    pub(crate) fn u64_at(&self, ptr: u32) -> u64 {
        u64::from_le_bytes(self.read(ptr, 8).try_into().unwrap())
    }

    /// The string whose `(ptr, len)` pair is stored at `at`.
    pub(crate) fn string_at(&self, at: u32) -> String {
        let (ptr, len) = (self.u32_at(at), self.u32_at(at + 4));
        String::from_utf8(self.read(ptr, len as usize)).expect("the host wrote UTF-8")
    }

    /// What the instance's host functions saw.
    pub(crate) fn log(&self) -> Vec<String> {
        self.instance.env(&self.store).data().clone()
    }

    /// How many times the host called the guest's `cabi_realloc`.
    pub(crate) fn allocs(&mut self) -> i32 {
        self.global("allocs")
    }

    /// Handles the instance holds now.
    pub(crate) fn live_handles(&self) -> u32 {
        self.instance.counters(&self.store).live_handles
    }
}

/// Asserts that `result` is a trap whose message holds every fragment.
pub(crate) fn assert_trap<T: Debug>(result: Result<T, RuntimeError>, fragments: &[&str]) {
    let error = match result {
        Ok(value) => panic!("expected a trap naming {fragments:?}, got Ok({value:?})"),
        Err(error) => error,
    };
    let message = error.message();
    for fragment in fragments {
        assert!(
            message.contains(fragment),
            "the trap does not name {fragment:?}: {message}"
        );
    }
}

/// Asserts that `text` holds every fragment.
pub(crate) fn assert_names(text: &str, fragments: &[&str]) {
    for fragment in fragments {
        assert!(text.contains(fragment), "{fragment:?} is not in: {text}");
    }
}
