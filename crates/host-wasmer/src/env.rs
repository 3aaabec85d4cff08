//! `InstanceEnv`: the state Wasmer keeps for one instance — its handle
//! table, its namespace, the embedder's data, and the guest's memory.

use std::sync::Arc;

use slots_core::{ResourceTable, TakenObject};
use wasmer::{Function, FunctionEnv, Imports, Instance, Memory, Module, Store, TypedFunction};

use crate::call_gate::CallGate;
use crate::{InstantiateError, SharedHost};

/// The guest's `cabi_realloc(old_ptr, old_len, align, new_len) -> ptr`.
pub(crate) type Realloc = TypedFunction<(i32, i32, i32, i32), i32>;

crate::wit_record! {
    /// What one instance has done, as its guest sees it through the
    /// `introspect` interface (the WIT record `counters`, field for field).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Counters {
        /// Handles the instance holds now.
        pub live_handles: u32,
        /// Opens and constructor results that gave the instance a handle.
        pub opens: u64,
        /// Keyed opens answered with a handle the instance already held.
        pub intern_hits: u64,
        /// Keyed opens served from the host's shared cache.
        pub cache_hits: u64,
        /// Keyed opens that created the object.
        pub cache_misses: u64,
        /// Objects this instance caused to be created.
        pub creations: u64,
        /// Objects evicted from the shared cache, host-wide.
        pub evictions: u64,
        /// Handle references the instance released.
        pub drops: u64,
    }
}

/// The per-instance state behind every host function of one instance.
///
/// Wasmer keeps it in the instance's `FunctionEnv`; it is dropped with the
/// store, and dropping it releases every handle the instance still holds.
pub struct InstanceEnv<D> {
    pub(crate) data: D,
    pub(crate) table: ResourceTable<String>,
    pub(crate) host: Arc<SharedHost>,
    pub(crate) namespace: Arc<str>,
    pub(crate) memory: Option<Memory>,
    pub(crate) realloc: Option<Realloc>,
    /// The objects the guest gave the dynamic host function being called.
    pub(crate) passed: Passed,
    /// Whether host functions take calls now: closed while the instance
    /// is instantiated, while a host function runs (so that a guest
    /// re-entering the host from `cabi_realloc` is refused instead of
    /// aliasing this state), and for good once it is torn down.
    pub(crate) gate: CallGate,
    pub(crate) cache_hits: u64,
    pub(crate) cache_misses: u64,
    pub(crate) creations: u64,
}

impl<D> InstanceEnv<D> {
    pub(crate) fn new(data: D, host: Arc<SharedHost>, namespace: Arc<str>) -> Self {
        host.instance_started();
        Self {
            data,
            table: ResourceTable::with_limits(host.config().table),
            host,
            namespace,
            memory: None,
            realloc: None,
            passed: Passed::default(),
            gate: CallGate::starting(),
            cache_hits: 0,
            cache_misses: 0,
            creations: 0,
        }
    }

    /// The embedder's data.
    pub fn data(&self) -> &D {
        &self.data
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut D {
        &mut self.data
    }

    /// The instance's handle table.
    pub fn table(&self) -> &ResourceTable<String> {
        &self.table
    }

    /// The instance's namespace (tenant).
    pub fn namespace(&self) -> &Arc<str> {
        &self.namespace
    }

    /// The host this instance belongs to.
    pub fn host(&self) -> &Arc<SharedHost> {
        &self.host
    }

    /// Whether the instance was torn down: its handles are released and
    /// its host functions refuse calls.
    pub fn is_torn_down(&self) -> bool {
        self.gate.is_torn_down()
    }

    /// The instance's counters now.
    pub fn counters(&self) -> Counters {
        let table = self.table.stats();
        Counters {
            live_handles: table.live,
            opens: table.opens,
            intern_hits: table.intern_hits,
            cache_hits: self.cache_hits,
            cache_misses: self.cache_misses,
            creations: self.creations,
            evictions: self.host.cache_stats().evictions,
            drops: table.drops,
        }
    }

    /// Releases every handle the instance holds and folds its counters into
    /// the host's totals. Runs once; dropping the environment calls it.
    pub(crate) fn teardown(&mut self) {
        if self.gate.is_torn_down() {
            return;
        }
        self.gate.tear_down();
        let live = self.table.len();
        let released = self.table.clear();
        if live > 0 {
            tracing::debug!(
                target: "slots::teardown",
                namespace = %self.namespace,
                live_handles = live,
                references = released,
                "instance ended holding handles; released them"
            );
        }
        let stats = self.table.stats();
        self.host
            .instance_ended(stats.opens, stats.drops, self.creations);
    }
}

/// Instantiates `module` with `imports` over the prepared `env`, then gives
/// `env` the guest's `memory` and `cabi_realloc` (where it exports them;
/// validation has checked them) and marks it ready. Also returns a marker
/// function made in `store`, to tell that store from others. If Wasmer
/// refuses the module or its start function traps, what the start function
/// opened is released and the instance is not counted.
pub(crate) fn start<D: Send + 'static>(
    store: &mut Store,
    module: &Module,
    imports: &Imports,
    env: &FunctionEnv<InstanceEnv<D>>,
) -> Result<(Instance, Function), InstantiateError> {
    let instance = match Instance::new(store, module, imports) {
        Ok(instance) => instance,
        Err(error) => {
            env.as_mut(store).teardown();
            return Err(InstantiateError::Wasmer(error.to_string()));
        }
    };
    let memory = instance.exports.get_memory("memory").ok().cloned();
    let realloc = instance
        .exports
        .get_typed_function(&*store, "cabi_realloc")
        .ok();
    let state = env.as_mut(store);
    state.memory = memory;
    state.realloc = realloc;
    state.gate.open();
    let marker = Function::new_typed(store, || {});
    Ok((instance, marker))
}

impl<D> Drop for InstanceEnv<D> {
    fn drop(&mut self) {
        self.teardown();
    }
}

/// The objects the guest gave the host function being called, by the
/// handle bits it passed.
#[derive(Debug, Default)]
pub(crate) struct Passed {
    objects: Vec<(u32, TakenObject)>,
}

impl Passed {
    /// The object given as `bits` in this call, taken out of the list.
    pub(crate) fn take(&mut self, bits: u32) -> Option<TakenObject> {
        let at = self.objects.iter().position(|(b, _)| *b == bits)?;
        Some(self.objects.swap_remove(at).1)
    }

    /// Drops every object the host function did not claim.
    pub(crate) fn clear(&mut self) {
        self.objects.clear();
    }

    pub(crate) fn push(&mut self, bits: u32, object: TakenObject) {
        self.objects.push((bits, object));
    }
}
