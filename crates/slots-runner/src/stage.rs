//! `Stage`: one host with its mailbox and census, on which the runner
//! starts tenants, plain or WASI.

use std::path::Path;
use std::sync::Arc;

use host_wasmer::bindings::new_env;
use host_wasmer::wasi::{Output, WasiConfig, WasiGuest, WasiHost, WasiState, is_wasi_module};
use host_wasmer::{CallError, HostConfig, SharedHost};
use slots_host::{Census, Guest, HostData, Mailbox};
use wasmer::{Module, Store};

use crate::args::WasiArgs;

/// One host, shared by every tenant the runner starts.
pub(crate) struct Stage {
    pub(crate) host: Arc<SharedHost>,
    pub(crate) mailbox: Arc<Mailbox>,
    pub(crate) census: Arc<Census>,
    bytes: Vec<u8>,
    name: String,
    /// Set for a WASI guest: the runtime and what the guest is granted.
    wasi: Option<(Arc<WasiHost>, WasiConfig)>,
}

/// How a tenant was instantiated.
enum Kind {
    Plain(Guest<HostData>),
    Wasi(WasiGuest<Guest<HostData>>),
}

/// One instance of the guest, in a namespace.
pub(crate) struct Tenant {
    pub(crate) namespace: String,
    pub(crate) store: Store,
    kind: Kind,
}

impl Stage {
    /// A host for the guest module in `wasm`; a WASI guest is granted
    /// what `grants` says, and nothing else.
    pub(crate) fn new(wasm: &Path, grants: &WasiArgs) -> Result<Self, String> {
        let bytes =
            std::fs::read(wasm).map_err(|e| format!("cannot read `{}`: {e}", wasm.display()))?;
        if !bytes.starts_with(b"\0asm") {
            return Err(format!(
                "`{}` is not a WebAssembly module (no \\0asm header)",
                wasm.display()
            ));
        }
        let name = wasm.display().to_string();
        let module =
            Module::new(&Store::default(), &bytes).map_err(|e| format!("`{name}`: {e}"))?;
        let wasi = if is_wasi_module(&module) {
            let program = wasm
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.clone());
            let mut config = WasiConfig::new(program)
                .args(grants.args.iter().cloned())
                .stdout(Output::Inherit)
                .stderr(Output::Inherit);
            for (key, value) in &grants.env {
                config = config.env(key, value);
            }
            for (host, guest) in &grants.dirs {
                config = config.dir(host, guest);
            }
            Some((WasiHost::new().map_err(|e| e.to_string())?, config))
        } else if !grants.is_empty() {
            return Err(format!(
                "`{name}` imports no WASI: --dir, --env and arguments are for WASI guests"
            ));
        } else {
            None
        };
        Ok(Self {
            host: SharedHost::new(HostConfig::default()),
            mailbox: Mailbox::new(Mailbox::DEFAULT_CAPACITY),
            census: Census::new(),
            bytes,
            name,
            wasi,
        })
    }

    /// Starts an instance of the guest in `namespace`, with an inbox.
    pub(crate) fn start(&self, namespace: &str) -> Result<Tenant, String> {
        self.mailbox.open(namespace);
        let mut store = Store::default();
        let module =
            Module::new(&store, &self.bytes).map_err(|e| format!("`{}`: {e}", self.name))?;
        let data = HostData::shared(&self.mailbox, &self.census);
        let kind = match &self.wasi {
            Some((wasi, config)) => Kind::Wasi(
                start_wasi(
                    &mut store, &module, data, &self.host, namespace, wasi, config,
                )
                .map_err(|e| format!("`{}`: {e}", self.name))?,
            ),
            None => Kind::Plain(
                Guest::new(&mut store, &module, data, self.host.clone(), namespace)
                    .map_err(|e| format!("`{}`: {e}", self.name))?,
            ),
        };
        Ok(Tenant {
            namespace: namespace.to_string(),
            store,
            kind,
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
    /// The instance, as any guest of the world.
    pub(crate) fn guest(&self) -> &Guest<HostData> {
        match &self.kind {
            Kind::Plain(guest) => guest,
            Kind::Wasi(wasi) => wasi.guest(),
        }
    }

    /// Calls the guest's `run`.
    pub(crate) fn run(&mut self) -> Result<Result<(), String>, CallError> {
        let guest = match &self.kind {
            Kind::Plain(guest) => guest,
            Kind::Wasi(wasi) => wasi.guest(),
        };
        let outcome = guest.call_run(&mut self.store);
        // The guest's output, inherited, goes out before the runner's report.
        use std::io::Write;
        let _ = std::io::stdout().flush();
        outcome
    }

    /// The code a WASI guest exited with, if it called `proc_exit`.
    pub(crate) fn exit_code(&self) -> Option<u32> {
        match &self.kind {
            Kind::Plain(_) => None,
            Kind::Wasi(wasi) => wasi.exit_code(),
        }
    }

    /// Releases the instance's handles and, for a WASI guest, its files.
    pub(crate) fn end(mut self) -> Result<(), String> {
        match &self.kind {
            Kind::Plain(guest) => guest.instance().teardown(&mut self.store),
            Kind::Wasi(wasi) => wasi.teardown(&mut self.store),
        }
        .map_err(|e| format!("teardown: {e}"))
    }
}

/// Instantiates a WASI guest on the generated bindings: a WASI state of its
/// own for `module`, the world's imports beside WASI's, then WASI's start.
fn start_wasi(
    store: &mut Store,
    module: &Module,
    data: HostData,
    host: &Arc<SharedHost>,
    namespace: &str,
    wasi: &WasiHost,
    config: &WasiConfig,
) -> Result<WasiGuest<Guest<HostData>>, String> {
    let mut state = WasiState::new(store, module, wasi, config).map_err(|e| e.to_string())?;
    let env = new_env(store, data, host.clone(), namespace);
    Guest::add_to_imports(store, &env, state.imports_mut());
    let guest = match Guest::instantiate(store, module, state.imports(), env) {
        Ok(guest) => guest,
        Err(error) => {
            // The WASI state was made in `store`: ending it cannot fail.
            let _ = state.teardown(store);
            return Err(error.to_string());
        }
    };
    state.start_guest(store, guest).map_err(|e| e.to_string())
}
