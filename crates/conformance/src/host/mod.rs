//! The `slots:host` world on wasmtime, its objects kept in slots-core.

mod buckets;
mod grants;
mod patterns;

use std::sync::Arc;

use slots_core::{
    CacheLimits, GrantLimits, GrantRegistry, HandleError, ObjectCache, RawHandle, Resource,
    ResourceTable, Shared,
};
use slots_host::{Census, HostData, Mailbox, Pattern};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Engine, Store};

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "guest",
    with: {
        "slots:host/patterns.pattern": slots_host::Pattern,
        "slots:host/buckets.bucket": slots_host::Bucket,
    },
    // A bad handle is a trap, as on host-wasmer.
    imports: { default: trappable },
});

pub(crate) use slots::host::types::Error as WitError;

/// What every tenant of one wasmtime host shares: the engine, the linker,
/// the keyed-object cache, the grant registry, the mailbox and the census.
pub struct WasmtimeHost {
    engine: Engine,
    linker: Linker<TenantState>,
    shared: Arc<SharedState>,
    /// The mailbox tenants send to each other through.
    pub mailbox: Arc<Mailbox>,
    /// Counts the objects the tenants make and drop.
    pub census: Arc<Census>,
}

/// The host-wide state tenants reach from their host functions.
pub(crate) struct SharedState {
    pub(crate) cache: ObjectCache<(Arc<str>, String), Shared<Pattern>>,
    pub(crate) grants: GrantRegistry,
}

/// One instance of a guest component, in its own store and namespace.
pub struct Tenant {
    store: Store<TenantState>,
    bindings: Guest,
}

/// The per-instance state behind the host functions: the instance's
/// slots-core handle table and counters.
pub(crate) struct TenantState {
    pub(crate) table: ResourceTable<String>,
    pub(crate) shared: Arc<SharedState>,
    pub(crate) namespace: Arc<str>,
    pub(crate) data: HostData,
    pub(crate) cache_hits: u64,
    pub(crate) cache_misses: u64,
    pub(crate) creations: u64,
}

impl WasmtimeHost {
    /// A host with the default limits of slots-core.
    pub fn new() -> wasmtime::Result<Self> {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        Guest::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
        Ok(Self {
            engine,
            linker,
            shared: Arc::new(SharedState {
                cache: ObjectCache::new(CacheLimits::default()),
                grants: GrantRegistry::new(GrantLimits::default()),
            }),
            mailbox: Mailbox::new(Mailbox::DEFAULT_CAPACITY),
            census: Census::new(),
        })
    }

    /// Compiles a component.
    pub fn compile(&self, component: &[u8]) -> wasmtime::Result<Component> {
        Component::new(&self.engine, component)
    }

    /// Instantiates `component` in `namespace`, with an inbox.
    pub fn start(&self, component: &Component, namespace: &str) -> wasmtime::Result<Tenant> {
        self.mailbox.open(namespace);
        let state = TenantState {
            table: ResourceTable::new(),
            shared: self.shared.clone(),
            namespace: namespace.into(),
            data: HostData::shared(&self.mailbox, &self.census),
            cache_hits: 0,
            cache_misses: 0,
            creations: 0,
        };
        let mut store = Store::new(&self.engine, state);
        let bindings = Guest::instantiate(&mut store, component, &self.linker)?;
        Ok(Tenant { store, bindings })
    }

    /// Objects in the keyed-object cache.
    pub fn cached(&self) -> u64 {
        self.shared.cache.stats().entries
    }

    /// Unredeemed grant tokens.
    pub fn outstanding_grants(&self) -> usize {
        self.shared.grants.outstanding()
    }
}

impl Tenant {
    /// Calls the guest's `run`: its result, or the trap as an error.
    pub fn run(&mut self) -> wasmtime::Result<Result<(), String>> {
        self.bindings.call_run(&mut self.store)
    }

    /// The instance's counters, as the guest's introspection reports them.
    pub fn counters(&self) -> slots::host::introspect::Counters {
        self.store.data().counters()
    }

    /// Handles the instance holds.
    pub fn live(&self) -> usize {
        self.store.data().table.len()
    }
}

impl TenantState {
    /// The `T` behind the guest's resource `rep`, or the trap for a bad one.
    pub(crate) fn object<T: Resource>(&self, rep: u32) -> wasmtime::Result<&T> {
        let raw = raw(rep)?;
        self.table.get::<T>(raw).map_err(|e| bad::<T>(&e))
    }

    pub(crate) fn counters(&self) -> slots::host::introspect::Counters {
        let stats = self.table.stats();
        slots::host::introspect::Counters {
            live_handles: stats.live,
            opens: stats.opens,
            intern_hits: stats.intern_hits,
            cache_hits: self.cache_hits,
            cache_misses: self.cache_misses,
            creations: self.creations,
            evictions: self.shared.cache.stats().evictions,
            drops: stats.drops,
        }
    }
}

impl Drop for TenantState {
    fn drop(&mut self) {
        self.table.clear();
    }
}

/// The slots-core handle a resource rep stands for.
pub(crate) fn raw(rep: u32) -> wasmtime::Result<RawHandle> {
    RawHandle::from_bits(rep)
        .ok_or_else(|| wasmtime::format_err!("rep {rep:#x} is no slots handle"))
}

/// The trap for a bad handle of resource type `T`, worded as host-wasmer's.
pub(crate) fn bad<T: Resource>(error: &HandleError) -> wasmtime::Error {
    wasmtime::format_err!("bad `{}` handle: {error}", T::NAME)
}

/// slots-host's error as the WIT `error`.
pub(crate) fn wit_error(error: slots_host::Error) -> WitError {
    match error {
        slots_host::Error::Invalid(m) => WitError::Invalid(m),
        slots_host::Error::QuotaExceeded(m) => WitError::QuotaExceeded(m),
        slots_host::Error::NotFound(m) => WitError::NotFound(m),
    }
}

impl slots::host::types::Host for TenantState {}
