//! Running one guest example on both hosts, step by step, and what each
//! step reported.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use host_wasmer::{CallError, HostConfig, SharedHost};
use slots_conformance::{Tenant, WasmtimeHost, componentize};
use slots_host::{Census, HostData, Mailbox};
use slots_test_support::guests::wasm;

/// The counters `$c` of either host (each has its own `Counters` type, of
/// the same fields), in the order of the WIT record.
macro_rules! counters {
    ($c:expr) => {{
        let c = $c;
        [
            u64::from(c.live_handles),
            c.opens,
            c.intern_hits,
            c.cache_hits,
            c.cache_misses,
            c.creations,
            c.evictions,
            c.drops,
        ]
    }};
}

/// What one `run` of a guest reported: its result (a trap as `Err`), and
/// the instance's counters after it, in the order of the WIT record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Report {
    pub(crate) result: Result<Result<(), String>, String>,
    pub(crate) counters: [u64; 8],
}

/// A host that runs instances of one guest, each in a namespace.
pub(crate) trait Side {
    /// Starts an instance in `namespace`, with an inbox, unless there is one.
    fn start(&mut self, namespace: &str);
    /// Puts `tells` in `namespace`'s inbox, then runs its instance.
    fn step(&mut self, namespace: &str, tells: &[&str]) -> Report;
}

/// host-wasmer, through slots-host's generated bindings.
pub(crate) struct OnWasmer {
    host: Arc<SharedHost>,
    mailbox: Arc<Mailbox>,
    census: Arc<Census>,
    module: wasmer::Module,
    store: wasmer::Store,
    instances: HashMap<String, slots_host::Guest<HostData>>,
}

impl OnWasmer {
    pub(crate) fn new(guest: &str) -> Self {
        let host = SharedHost::new(HostConfig::default());
        let store = wasmer::Store::default();
        let module = wasmer::Module::new(&store, wasm(guest)).unwrap();
        Self {
            host,
            mailbox: Mailbox::new(Mailbox::DEFAULT_CAPACITY),
            census: Census::new(),
            module,
            store,
            instances: HashMap::new(),
        }
    }
}

impl Side for OnWasmer {
    fn start(&mut self, namespace: &str) {
        self.mailbox.open(namespace);
        if !self.instances.contains_key(namespace) {
            let data = HostData::shared(&self.mailbox, &self.census);
            let instance = slots_host::Guest::new(
                &mut self.store,
                &self.module,
                data,
                self.host.clone(),
                namespace,
            )
            .unwrap();
            self.instances.insert(namespace.to_string(), instance);
        }
    }

    fn step(&mut self, namespace: &str, tells: &[&str]) -> Report {
        self.start(namespace);
        for tell in tells {
            self.mailbox
                .send("host", namespace, tell.to_string(), None)
                .unwrap();
        }
        let instance = &self.instances[namespace];
        let result = match instance.call_run(&mut self.store) {
            Ok(result) => Ok(result),
            Err(CallError::Trap { message, kind, .. }) => {
                Err(kind.host().map_or(message, |trap| trap.to_string()))
            }
            Err(other) => Err(other.to_string()),
        };
        let c = instance.instance().counters(&self.store);
        Report {
            result,
            counters: counters!(c),
        }
    }
}

/// wasmtime's component model, through the conformance crate's host.
pub(crate) struct OnWasmtime {
    host: WasmtimeHost,
    component: wasmtime::component::Component,
    instances: HashMap<String, Tenant>,
}

impl OnWasmtime {
    pub(crate) fn new(guest: &str) -> Self {
        let host = WasmtimeHost::new().unwrap();
        let component = host.compile(&componentize(&wasm(guest)).unwrap()).unwrap();
        Self {
            host,
            component,
            instances: HashMap::new(),
        }
    }
}

impl Side for OnWasmtime {
    fn start(&mut self, namespace: &str) {
        if !self.instances.contains_key(namespace) {
            let tenant = self.host.start(&self.component, namespace).unwrap();
            self.instances.insert(namespace.to_string(), tenant);
        }
    }

    fn step(&mut self, namespace: &str, tells: &[&str]) -> Report {
        self.start(namespace);
        for tell in tells {
            self.host
                .mailbox
                .send("host", namespace, tell.to_string(), None)
                .unwrap();
        }
        let tenant = self.instances.get_mut(namespace).unwrap();
        let result = tenant.run().map_err(|trap| format!("{trap:?}"));
        let c = tenant.counters();
        Report {
            result,
            counters: counters!(c),
        }
    }
}

/// Runs `steps` of guest `guest` on both hosts; the two reports per step.
pub(crate) fn both(guest: &str, steps: &[(&str, &[&str])]) -> Vec<(Report, Report)> {
    let (mut wasmer, mut wasmtime) = (OnWasmer::new(guest), OnWasmtime::new(guest));
    for (namespace, _) in steps {
        wasmer.start(namespace);
        wasmtime.start(namespace);
    }
    steps
        .iter()
        .map(|(namespace, tells)| {
            (
                wasmer.step(namespace, tells),
                wasmtime.step(namespace, tells),
            )
        })
        .collect()
}
