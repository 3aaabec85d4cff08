//! The harness of the hostile-guest tests: WAT guests of the real
//! `slots:host` world, built from a body snippet, and an arena that keeps
//! two well-behaved victim instances beside each attacker.

// Each test binary uses its own part of the harness.
#![allow(dead_code)]

pub(crate) mod wasi;

use std::sync::Arc;

use host_wasmer::{CallError, HostConfig, InstantiateError, SharedHost};
use slots_host::{Guest, HostData};
use slots_test_support::exports;
use wasmer::{Module, RuntimeError, Store, Value};

/// What a call of `run` gives: the guest's own result, or why the call
/// failed.
pub(crate) type Outcome = Result<Result<(), String>, CallError>;

/// Every import of the world, as a guest declares it, with the core
/// signatures wit-bindgen gives them.
const IMPORTS: &str = r#"
  (import "slots:host/buckets@0.1.0" "[constructor]bucket" (func $bucket_new (param i32 i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.name" (func $bucket_name (param i32 i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.put" (func $bucket_put (param i32 i32 i32 i32 i32 i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.get" (func $bucket_get (param i32 i32 i32 i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.len" (func $bucket_len (param i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.entries" (func $bucket_entries (param i32 i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.keys-matching" (func $keys_matching (param i32 i32 i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.absorb" (func $bucket_absorb (param i32 i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "drain" (func $drain (param i32 i32)))
  (import "slots:host/buckets@0.1.0" "[resource-drop]bucket" (func $bucket_drop (param i32)))
  (import "slots:host/patterns@0.1.0" "[static]pattern.open" (func $pattern_open (param i32 i32 i32 i32)))
  (import "slots:host/patterns@0.1.0" "[method]pattern.source" (func $pattern_source (param i32 i32)))
  (import "slots:host/patterns@0.1.0" "[method]pattern.is-match" (func $is_match (param i32 i32 i32) (result i32)))
  (import "slots:host/patterns@0.1.0" "[resource-drop]pattern" (func $pattern_drop (param i32)))
  (import "slots:host/introspect@0.1.0" "snapshot" (func $snapshot (param i32)))
  (import "slots:host/grants@0.1.0" "grant-pattern" (func $grant_pattern (param i32 i32)))
  (import "slots:host/grants@0.1.0" "redeem-pattern" (func $redeem_pattern (param i64 i64 i32)))
  (import "slots:host/grants@0.1.0" "grant-bucket" (func $grant_bucket (param i32 i32)))
  (import "slots:host/grants@0.1.0" "redeem-bucket" (func $redeem_bucket (param i64 i64 i32)))
  (import "slots:host/mailbox@0.1.0" "send" (func $send (param i32 i32 i32 i32 i32 i64 i64 i32)))
  (import "slots:host/mailbox@0.1.0" "receive" (func $receive (param i32)))
"#;

/// Constants, `cabi_realloc` and helpers every guest shares.
///
/// Layout: 0..16 the return area of imports, 16..28 `run`'s return area,
/// 64..256 constant strings, 1024..32768 inputs the tests write, 32768..
/// the heap `cabi_realloc` hands out.
///
/// `cabi_realloc` allocates with `$bump`, which counts its calls in the
/// exported global `allocs`. It misbehaves as the global `$mode` says: 0
/// allocates, 1 returns null, 2 a pointer past the end of memory, 3 a
/// misaligned pointer, 4 traps, 5 calls `[method]bucket.len` on `$target`
/// first, 6 drops `$target` first.
const PRELUDE: &str = r#"
  (data (i32.const 64) "alpha")
  (data (i32.const 72) "beta")
  (data (i32.const 80) "\ff\fe")
  (data (i32.const 88) "k")
  (data (i32.const 96) "v")
  (data (i32.const 104) "a+")
  (data (i32.const 112) "victim")
  (data (i32.const 128) "victim broken")

  (global $mode (mut i32) (i32.const 0))
  (global $target (mut i32) (i32.const 0))

  (func (export "cabi_realloc") (param $old i32) (param $old_len i32) (param $align i32) (param $len i32) (result i32)
    (if (i32.eq (global.get $mode) (i32.const 1)) (then (return (i32.const 0))))
    (if (i32.eq (global.get $mode) (i32.const 2)) (then (return (i32.const -16))))
    (if (i32.eq (global.get $mode) (i32.const 3))
      (then (return (i32.add (call $bump (local.get $align) (local.get $len)) (i32.const 1)))))
    (if (i32.eq (global.get $mode) (i32.const 4)) (then unreachable))
    (if (i32.eq (global.get $mode) (i32.const 5))
      (then (drop (call $bucket_len (global.get $target)))))
    (if (i32.eq (global.get $mode) (i32.const 6))
      (then (call $bucket_drop (global.get $target))))
    (call $bump (local.get $align) (local.get $len)))

  ;; `run`'s result: ok.
  (func $ok (result i32)
    (i32.store8 (i32.const 16) (i32.const 0))
    (i32.const 16))

  ;; `run`'s result: err with the string at `ptr`.
  (func $err (param $ptr i32) (param $len i32) (result i32)
    (i32.store8 (i32.const 16) (i32.const 1))
    (i32.store (i32.const 20) (local.get $ptr))
    (i32.store (i32.const 24) (local.get $len))
    (i32.const 16))

  ;; A bucket named by the `len` bytes at `ptr`.
  (func $new (param $ptr i32) (param $len i32) (result i32)
    (call $bucket_new (local.get $ptr) (local.get $len)))

  ;; The pattern `a+`, with no options; traps if the open fails.
  (func $open (result i32)
    (call $pattern_open (i32.const 104) (i32.const 2) (i32.const 0) (i32.const 0))
    (if (i32.load8_u (i32.const 0)) (then unreachable))
    (i32.load (i32.const 4)))

  ;; Stores `v` under `k` in `bucket`; traps if the put fails.
  (func $put_kv (param $bucket i32)
    (call $bucket_put (local.get $bucket) (i32.const 88) (i32.const 1) (i32.const 96) (i32.const 1) (i32.const 0))
    (if (i32.load8_u (i32.const 0)) (then unreachable)))

  ;; Reads the i32 input the test wrote at `at`.
  (func $input (param $at i32) (result i32)
    (i32.load (local.get $at)))
"#;

/// A well-behaved guest: its first `run` makes a bucket `victim` holding
/// `k = v`; every `run` checks that the bucket is still exactly that.
const VICTIM: &str = r#"
  (global $mine (export "mine") (mut i32) (i32.const 0))
  (func (export "run") (result i32)
    (if (i32.eqz (global.get $mine))
      (then
        (global.set $mine (call $new (i32.const 112) (i32.const 6)))
        (call $put_kv (global.get $mine))))
    (if (i32.ne (call $bucket_len (global.get $mine)) (i32.const 1))
      (then (return (call $err (i32.const 128) (i32.const 13)))))
    ;; name() == "victim"
    (call $bucket_name (global.get $mine) (i32.const 0))
    (if (i32.ne (i32.load (i32.const 4)) (i32.const 6))
      (then (return (call $err (i32.const 128) (i32.const 13)))))
    (if (i32.ne (i32.load (i32.load (i32.const 0))) (i32.load (i32.const 112)))
      (then (return (call $err (i32.const 128) (i32.const 13)))))
    ;; get("k") == some("v")
    (call $bucket_get (global.get $mine) (i32.const 88) (i32.const 1) (i32.const 0))
    (if (i32.ne (i32.load8_u (i32.const 0)) (i32.const 1))
      (then (return (call $err (i32.const 128) (i32.const 13)))))
    (if (i32.ne (i32.load8_u (i32.load (i32.const 4))) (i32.const 118))
      (then (return (call $err (i32.const 128) (i32.const 13)))))
    (call $ok))
"#;

/// A guest of the world: every import, memory and the bump allocator of
/// [`slots_test_support::wat`] from 32768, the prelude, then `body`, which
/// defines at least `(func (export "run") (result i32) ...)`.
pub(crate) fn guest(body: &str) -> String {
    slots_test_support::wat::module(IMPORTS, &format!("{PRELUDE}\n{body}"))
}

/// Compiles the guest `wasm` for `store` and instantiates it with `data`,
/// on `host`, in `namespace`.
pub(crate) fn start(
    store: &mut Store,
    wasm: &[u8],
    data: HostData,
    host: &Arc<SharedHost>,
    namespace: &str,
) -> Guest<HostData> {
    let module = Module::new(store, wasm).expect("the guest compiles");
    Guest::new(store, &module, data, host.clone(), namespace)
        .unwrap_or_else(|e| panic!("instantiation in `{namespace}` failed: {e}"))
}

/// A host of the `slots:host` world.
pub(crate) struct World {
    pub(crate) host: Arc<SharedHost>,
}

impl World {
    /// A host with `config`.
    pub(crate) fn new(config: HostConfig) -> Self {
        Self {
            host: SharedHost::new(config),
        }
    }

    /// Compiles the guest made of `body`.
    pub(crate) fn module(&self, store: &Store, body: &str) -> Module {
        let wat = guest(body);
        let bytes = wat::parse_str(&wat).unwrap_or_else(|e| panic!("bad WAT: {e}\n{wat}"));
        Module::new(store, bytes).expect("the guest compiles")
    }

    /// Instantiates `module` in `store` with `data`, in the namespace `test`.
    pub(crate) fn instantiate(
        &self,
        store: &mut Store,
        module: &Module,
        data: HostData,
    ) -> Guest<HostData> {
        self.try_instantiate(store, module, data)
            .unwrap_or_else(|e| panic!("instantiation failed: {e}"))
    }

    /// Instantiates `module` in `store` with `data`, in the namespace
    /// `test`, or says why not.
    pub(crate) fn try_instantiate(
        &self,
        store: &mut Store,
        module: &Module,
        data: HostData,
    ) -> Result<Guest<HostData>, InstantiateError> {
        Guest::new(store, module, data, self.host.clone(), "test")
    }
}

/// `run` passed.
pub(crate) fn passed(outcome: &Outcome) -> bool {
    matches!(outcome, Ok(Ok(())))
}

/// Asserts that `outcome` is a trap raised by a host function, whose message
/// holds every fragment.
pub(crate) fn assert_host_trap<T: std::fmt::Debug>(
    outcome: Result<T, CallError>,
    fragments: &[&str],
) {
    let (message, host) = match outcome {
        Err(CallError::Trap { message, kind, .. }) => {
            (message, kind.host().map(|trap| trap.to_string()))
        }
        other => panic!("expected a trap naming {fragments:?}, got {other:?}"),
    };
    let Some(host) = host else {
        panic!("the trap did not come from a host function: {message}");
    };
    for fragment in fragments {
        assert!(
            host.contains(fragment) && message.contains(fragment),
            "the trap does not name {fragment:?}: {message}"
        );
    }
}

/// Asserts that a core call trapped with a message holding every fragment.
pub(crate) fn assert_core_trap<T: std::fmt::Debug>(
    outcome: Result<T, RuntimeError>,
    fragments: &[&str],
) {
    let message = match outcome {
        Err(error) => error.message(),
        Ok(value) => panic!("expected a trap naming {fragments:?}, got {value:?}"),
    };
    for fragment in fragments {
        assert!(
            message.contains(fragment),
            "the trap does not name {fragment:?}: {message}"
        );
    }
}

/// An attacker's store, shared with one victim, and a second victim in a
/// store of its own; all three on one host.
pub(crate) struct Arena {
    pub(crate) world: World,
    /// The attacker's store, with `near` in it.
    pub(crate) store: Store,
    near: Guest<HostData>,
    far_store: Store,
    far: Guest<HostData>,
}

impl Arena {
    /// An arena on a host with the default configuration.
    pub(crate) fn new() -> Self {
        Self::with(HostConfig::default())
    }

    /// An arena on a host with `config`; both victims have run once.
    pub(crate) fn with(config: HostConfig) -> Self {
        let world = World::new(config);
        let mut store = Store::default();
        let module = world.module(&store, VICTIM);
        let near = world.instantiate(&mut store, &module, HostData::default());
        let mut far_store = Store::default();
        let far_module = world.module(&far_store, VICTIM);
        let far = world.instantiate(&mut far_store, &far_module, HostData::default());
        let mut arena = Self {
            world,
            store,
            near,
            far_store,
            far,
        };
        arena.check_victims();
        arena
    }

    /// Instantiates an attacker made of `body` in the shared store.
    pub(crate) fn attacker(&mut self, body: &str) -> Guest<HostData> {
        self.attacker_with(body, HostData::default())
    }

    /// Instantiates an attacker made of `body`, with `data`.
    pub(crate) fn attacker_with(&mut self, body: &str, data: HostData) -> Guest<HostData> {
        let module = self.world.module(&self.store, body);
        self.world.instantiate(&mut self.store, &module, data)
    }

    /// Calls `run` on `instance`. The harness's WAT guests keep no state a
    /// trap could break, so an attacker may be run again after a trap.
    pub(crate) fn run(&mut self, instance: &Guest<HostData>) -> Outcome {
        instance.instance().clear_poison();
        instance.call_run(&mut self.store)
    }

    /// Calls the core export `name` of `instance` with exact core values.
    pub(crate) fn core(
        &mut self,
        instance: &Guest<HostData>,
        name: &str,
        args: &[Value],
    ) -> Result<Vec<Value>, RuntimeError> {
        exports::call(exports_of(instance), &mut self.store, name, args)
    }

    /// Writes `inputs` into `instance`'s memory as `u32`s from 1024 up,
    /// where the harness's guests read them with `$input`.
    pub(crate) fn inputs(&self, instance: &Guest<HostData>, inputs: &[u32]) {
        let bytes: Vec<u8> = inputs.iter().flat_map(|i| i.to_le_bytes()).collect();
        self.write(instance, 1024, &bytes);
    }

    /// Writes `bytes` into `instance`'s memory at `ptr`.
    pub(crate) fn write(&self, instance: &Guest<HostData>, ptr: u32, bytes: &[u8]) {
        exports::write(exports_of(instance), &self.store, ptr, bytes);
    }

    /// `len` bytes of `instance`'s memory at `ptr`.
    pub(crate) fn read(&self, instance: &Guest<HostData>, ptr: u32, len: usize) -> Vec<u8> {
        exports::read(exports_of(instance), &self.store, ptr, len)
    }

    /// The value of `instance`'s exported i32 global `name`.
    pub(crate) fn global(&mut self, instance: &Guest<HostData>, name: &str) -> i32 {
        exports::global_i32(exports_of(instance), &mut self.store, name)
    }

    /// Handles `instance` holds now.
    pub(crate) fn live(&self, instance: &Guest<HostData>) -> u32 {
        instance.instance().counters(&self.store).live_handles
    }

    /// The handles of the victims' buckets: near, far.
    pub(crate) fn victim_handles(&mut self) -> (i32, i32) {
        (
            exports::global_i32(exports_of(&self.near), &mut self.store, "mine"),
            exports::global_i32(exports_of(&self.far), &mut self.far_store, "mine"),
        )
    }

    /// Both victims still pass, each holding exactly its one bucket.
    pub(crate) fn check_victims(&mut self) {
        let near = self.near.call_run(&mut self.store);
        assert!(
            passed(&near),
            "the victim in the attacker's store: {near:?}"
        );
        assert_eq!(self.near.instance().counters(&self.store).live_handles, 1);
        let far = self.far.call_run(&mut self.far_store);
        assert!(passed(&far), "the victim in another store: {far:?}");
        assert_eq!(
            self.far.instance().counters(&self.far_store).live_handles,
            1
        );
    }

    /// Checks the victims once more, then ends the attacker's store and
    /// the other one, and checks that every handle was accounted for.
    pub(crate) fn finish(mut self) {
        self.check_victims();
        let host = self.world.host.clone();
        drop(self.near);
        drop(self.store);
        assert_eq!(host.totals().instances, 1, "only the far victim is left");
        assert_eq!(host.totals().leaked(), 0, "the attack leaked handles");
        let far = self.far.call_run(&mut self.far_store);
        assert!(passed(&far), "the far victim after the attack: {far:?}");
        drop(self.far);
        drop(self.far_store);
        let totals = host.totals();
        assert_eq!(totals.instances, 0);
        assert_eq!(totals.leaked(), 0);
    }
}

/// The core exports of `instance`.
pub(crate) fn exports_of(instance: &Guest<HostData>) -> &wasmer::Exports {
    &instance.instance().wasmer().exports
}

/// The little-endian `u32` at `at` in `bytes`.
pub(crate) fn le_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}
