//! `Stage`: one host with its mailbox and census, on which the runner
//! starts tenants.

use std::path::Path;
use std::sync::Arc;

use host_wasmer::abi::Val;
use host_wasmer::{CallError, GuestInstance, HostConfig, Linker, SlotsHost};
use slots_host::{Census, HostData, Mailbox, linker};
use wasmer::{Module, Store};

/// One host, shared by every tenant the runner starts.
pub(crate) struct Stage {
    pub(crate) host: Arc<SlotsHost>,
    pub(crate) mailbox: Arc<Mailbox>,
    pub(crate) census: Arc<Census>,
    linker: Linker<HostData>,
    bytes: Vec<u8>,
    name: String,
}

/// One instance of the guest, in a namespace.
pub(crate) struct Tenant {
    pub(crate) namespace: String,
    pub(crate) store: Store,
    pub(crate) instance: GuestInstance<HostData>,
}

impl Stage {
    /// A host for the guest module in `wasm`.
    pub(crate) fn new(wasm: &Path) -> Result<Self, String> {
        let bytes =
            std::fs::read(wasm).map_err(|e| format!("cannot read `{}`: {e}", wasm.display()))?;
        if !bytes.starts_with(b"\0asm") {
            return Err(format!(
                "`{}` is not a WebAssembly module (no \\0asm header)",
                wasm.display()
            ));
        }
        let host = SlotsHost::new(HostConfig::default());
        Ok(Self {
            linker: linker(host.clone()).map_err(|e| e.to_string())?,
            host,
            mailbox: Mailbox::new(Mailbox::DEFAULT_CAPACITY),
            census: Census::new(),
            bytes,
            name: wasm.display().to_string(),
        })
    }

    /// Starts an instance of the guest in `namespace`, with an inbox.
    pub(crate) fn start(&self, namespace: &str) -> Result<Tenant, String> {
        self.mailbox.open(namespace);
        let mut store = Store::default();
        let module =
            Module::new(&store, &self.bytes).map_err(|e| format!("`{}`: {e}", self.name))?;
        let data = HostData::shared(&self.mailbox, &self.census);
        let instance = self
            .linker
            .instantiate(&mut store, &module, data, namespace)
            .map_err(|e| format!("`{}`: {e}", self.name))?;
        Ok(Tenant {
            namespace: namespace.to_string(),
            store,
            instance,
        })
    }

    /// Sends `namespace` an instruction from the host.
    pub(crate) fn tell(&self, namespace: &str, subject: &str) -> Result<(), String> {
        self.mailbox
            .send("host", namespace, subject.to_string(), None)
            .map_err(|e| format!("telling `{namespace}`: {e:?}"))
    }
}

impl Tenant {
    /// Calls the export `function`.
    pub(crate) fn call(&mut self, function: &str) -> Result<Option<Val>, CallError> {
        self.instance.call(&mut self.store, function, &[])
    }
}
