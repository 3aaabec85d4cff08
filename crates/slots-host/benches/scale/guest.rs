//! The scale guest and what it runs on: one engine, module and host shared
//! by every instance, and the guest's handle list.

use std::sync::Arc;

use host_wasmer::bindings::{BoundInstance, new_env};
use host_wasmer::{HostConfig, SharedHost};
use slots_core::TableLimits;
use slots_host::{Guest, HostData};
use wasmer::{
    Engine, ExternType, Function, Imports, Instance, Memory, Module, Store, Type, TypedFunction,
    Value,
};

/// The namespace every instance runs in, so that all share cached objects.
pub(crate) const NAMESPACE: &str = "tenant";

/// Where the guest keeps its handle list (see `guest.wat`).
const LIST_BASE: u64 = 131_072;

/// Where the guest expects a pattern source.
const SOURCE_AT: u64 = 1024;

/// A pattern for the keyed-open check: any key works, a costly one shows
/// what a hit saves.
pub(crate) const PATTERN: &str = r"(?:error|warn(?:ing)?|fatal)\s*[:=]\s*(\w+)\s+(?:at|in)\s+([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)";

/// What every instance of a run shares: the module is compiled once.
pub(crate) struct Shared {
    pub(crate) engine: Engine,
    pub(crate) module: Module,
    pub(crate) host: Arc<SharedHost>,
}

impl Shared {
    /// A host whose tables allow 2^20 live handles, with the guest compiled.
    pub(crate) fn new() -> Self {
        let engine = Engine::default();
        let module =
            Module::new(&engine, wat::parse_str(include_str!("guest.wat")).unwrap()).unwrap();
        let host = SharedHost::new(HostConfig {
            table: TableLimits::new(1 << 20).unwrap(),
            ..HostConfig::default()
        });
        Self {
            engine,
            module,
            host,
        }
    }

    /// A store on the shared engine.
    pub(crate) fn store(&self) -> Store {
        Store::new(self.engine.clone())
    }

    /// An instance of the guest in `store`, bound to the slots host through
    /// the generated bindings. The guest exports loops, not the world's
    /// `run`, so the instance is taken as it is.
    pub(crate) fn instantiate(&self, store: &mut Store) -> BoundInstance<HostData> {
        let env = new_env(store, HostData::default(), self.host.clone(), NAMESPACE);
        let mut imports = Imports::new();
        Guest::add_to_imports(store, &env, &mut imports);
        BoundInstance::instantiate(store, &self.module, &imports, env).unwrap()
    }

    /// An instance of the same module with stub imports that return zeros:
    /// what Wasmer alone costs, the baseline of an instance's cost.
    pub(crate) fn instantiate_bare(&self, store: &mut Store) -> Instance {
        let mut imports = Imports::new();
        for import in self.module.imports() {
            let ExternType::Function(ty) = import.ty() else {
                panic!("the scale guest imports only functions");
            };
            let results: Vec<Value> = ty.results().iter().map(|t| zero(*t)).collect();
            let stub = Function::new(store, ty, move |_| Ok(results.clone()));
            imports.define(import.module(), import.name(), stub);
        }
        Instance::new(store, &self.module, &imports).unwrap()
    }

    /// The guest in a store of its own, with its exports looked up.
    pub(crate) fn guest(&self) -> ScaleGuest {
        let mut store = self.store();
        let instance = self.instantiate(&mut store);
        ScaleGuest::from_parts(store, instance)
    }
}

fn zero(ty: Type) -> Value {
    match ty {
        Type::I64 => Value::I64(0),
        Type::F32 => Value::F32(0.0),
        Type::F64 => Value::F64(0.0),
        _ => Value::I32(0),
    }
}

/// One instance of the scale guest, its store and its loops.
pub(crate) struct ScaleGuest {
    pub(crate) store: Store,
    pub(crate) instance: BoundInstance<HostData>,
    memory: Memory,
    open_n: TypedFunction<i32, ()>,
    drop_last_n: TypedFunction<i32, ()>,
    count: TypedFunction<(), i32>,
    pub(crate) method_random: TypedFunction<i32, ()>,
    pub(crate) pick_random: TypedFunction<i32, i32>,
    pub(crate) method_loop: TypedFunction<(i32, i32), ()>,
    open_pattern: TypedFunction<i32, i32>,
}

impl ScaleGuest {
    /// The guest `instance`, living in `store`.
    pub(crate) fn from_parts(store: Store, instance: BoundInstance<HostData>) -> Self {
        let exports = &instance.wasmer().exports;
        let memory = exports.get_memory("memory").unwrap().clone();
        let open_n = exports.get_typed_function(&store, "open-n").unwrap();
        let drop_last_n = exports.get_typed_function(&store, "drop-last-n").unwrap();
        let count = exports.get_typed_function(&store, "count").unwrap();
        let method_random = exports.get_typed_function(&store, "method-random").unwrap();
        let pick_random = exports.get_typed_function(&store, "pick-random").unwrap();
        let method_loop = exports.get_typed_function(&store, "method-loop").unwrap();
        let open_pattern = exports.get_typed_function(&store, "open-pattern").unwrap();
        Self {
            store,
            instance,
            memory,
            open_n,
            drop_last_n,
            count,
            method_random,
            pick_random,
            method_loop,
            open_pattern,
        }
    }

    /// Grows the guest's memory until its list holds `handles`, and touches
    /// the list's pages so that filling it later adds nothing to the
    /// process's resident memory: what grows then is the host's.
    pub(crate) fn reserve(&mut self, handles: u32) {
        let bytes = u64::from(handles) * 4;
        self.memory
            .grow_at_least(&mut self.store, LIST_BASE + bytes)
            .unwrap();
        let zeros = vec![0u8; bytes as usize];
        self.memory
            .view(&self.store)
            .write(LIST_BASE, &zeros)
            .unwrap();
    }

    /// Opens `n` buckets; their handles join the list.
    pub(crate) fn open(&mut self, n: u32) {
        self.open_n.call(&mut self.store, n as i32).unwrap();
    }

    /// Drops the last `n` buckets of the list.
    pub(crate) fn drop_last(&mut self, n: u32) {
        self.drop_last_n.call(&mut self.store, n as i32).unwrap();
    }

    /// Handles in the guest's list.
    pub(crate) fn count(&mut self) -> u32 {
        self.count.call(&mut self.store).unwrap() as u32
    }

    /// Every handle in the guest's list.
    pub(crate) fn handles(&mut self) -> Vec<u32> {
        let mut bytes = vec![0u8; self.count() as usize * 4];
        self.memory
            .view(&self.store)
            .read(LIST_BASE, &mut bytes)
            .unwrap();
        bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    /// A handle from the list (the first).
    pub(crate) fn first_handle(&self) -> i32 {
        let mut bytes = [0u8; 4];
        self.memory
            .view(&self.store)
            .read(LIST_BASE, &mut bytes)
            .unwrap();
        i32::from_le_bytes(bytes)
    }

    /// Live handles in the instance's table.
    pub(crate) fn live(&self) -> usize {
        self.instance.env(&self.store).table().len()
    }

    /// Slots the instance's table has allocated.
    pub(crate) fn slots_allocated(&self) -> usize {
        self.instance.env(&self.store).table().slots_allocated()
    }

    /// Opens [`PATTERN`] by key; its handle.
    pub(crate) fn open_pattern(&mut self) -> i32 {
        self.memory
            .view(&self.store)
            .write(SOURCE_AT, PATTERN.as_bytes())
            .unwrap();
        self.open_pattern
            .call(&mut self.store, PATTERN.len() as i32)
            .unwrap()
    }

    /// Releases every handle the instance holds.
    pub(crate) fn teardown(&mut self) {
        self.instance
            .teardown(&mut self.store)
            .expect("the guest is torn down in its own store");
    }
}
