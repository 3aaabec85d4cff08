//! `WasiInstance`: a guest instantiated with its own WASI state beside the
//! world's imports, and `Linker::instantiate_wasi`, which makes one.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use wasmer::{ExternType, Function, Imports, Module, RuntimeError, Store};
use wasmer_wasix::virtual_fs::{MountFileSystem, NullFile, host_fs};
use wasmer_wasix::{WasiEnvBuilder, WasiFunctionEnv};

use super::capture::EmptyInput;
use super::config::guest_path;
use super::{Captured, GuestExit, Output, WasiConfig, WasiHost, WasiSetupError, is_wasi_module};
use crate::abi::Val;
use crate::{CallError, GuestInstance, HostError, InstantiateOptions, Linker};

/// A guest with a WASI state of its own beside its handle table.
///
/// Tear it down with [`WasiInstance::teardown`] (or drop its store): its
/// handles are released as for any [`GuestInstance`], and its WASI files
/// are closed.
///
/// # Examples
///
/// ```no_run
/// use host_wasmer::wasi::{Output, WasiConfig, WasiHost};
/// # fn f(linker: &host_wasmer::Linker<()>, module: &wasmer::Module) -> Result<(), Box<dyn std::error::Error>> {
/// let wasi = WasiHost::new()?;
/// let config = WasiConfig::new("printing").args(["--exit", "3"]).stdout(Output::Inherit);
/// let mut store = wasmer::Store::default();
/// let instance = linker.instantiate_wasi(&mut store, module, (), "tenant", &wasi, &config)?;
/// let _trapped = instance.call(&mut store, "run", &[]);
/// assert_eq!(instance.exit_code(), Some(3));
/// instance.teardown(&mut store)?;
/// assert_eq!(wasi.live_environments(), 0);
/// # Ok(()) }
/// ```
pub struct WasiInstance<D> {
    guest: GuestInstance<D>,
    wasi: WasiFunctionEnv,
    stdout: Option<Captured>,
    stderr: Option<Captured>,
    exit: Arc<OnceLock<u32>>,
    torn_down: AtomicBool,
}

impl<D: Send + 'static> WasiInstance<D> {
    /// The guest, as any instance of the world.
    pub fn guest(&self) -> &GuestInstance<D> {
        &self.guest
    }

    /// Calls the world export `name`, as [`GuestInstance::call`] does. A
    /// guest that exits (`std::process::exit`) traps with [`GuestExit`];
    /// [`WasiInstance::exit_code`] then has its code.
    pub fn call(
        &self,
        store: &mut Store,
        name: &str,
        params: &[Val],
    ) -> Result<Option<Val>, CallError> {
        self.guest.call(store, name, params)
    }

    /// The code the guest exited with, if it called `proc_exit`.
    pub fn exit_code(&self) -> Option<u32> {
        self.exit.get().copied()
    }

    /// The guest's stdout, when the configuration captures it.
    pub fn stdout(&self) -> Option<&Captured> {
        self.stdout.as_ref()
    }

    /// The guest's stderr, when the configuration captures it.
    pub fn stderr(&self) -> Option<&Captured> {
        self.stderr.as_ref()
    }

    /// Releases every handle the instance holds, as
    /// [`GuestInstance::teardown`] does, and closes its WASI files (its
    /// preopens among them). Tearing down twice does nothing more; a store
    /// the instance does not belong to is refused ([`HostError::WrongStore`]).
    pub fn teardown(&self, store: &mut Store) -> Result<(), HostError> {
        self.guest.teardown(store)?;
        if !self.torn_down.swap(true, Ordering::Relaxed) {
            let code = self.exit_code().map(|code| (code as i32).into());
            self.wasi.on_exit(store, code);
        }
        Ok(())
    }
}

impl<D: Send + 'static> Linker<D> {
    /// Instantiates a WASI guest (`wasm32-wasip1`): a WASI state of its own
    /// made from `config` on the shared `wasi` runtime, wasmer-wasix's
    /// imports beside the world's, then WASI's initialisation
    /// (`_initialize`, which runs the guest's constructors).
    ///
    /// A module that imports no WASI gets the same state (its output and
    /// preopens unused) and runs as with [`Linker::instantiate`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use host_wasmer::wasi::{Output, WasiConfig, WasiHost};
    /// # fn f(linker: &host_wasmer::Linker<()>, module: &wasmer::Module) -> Result<(), Box<dyn std::error::Error>> {
    /// let wasi = WasiHost::new()?;
    /// let config = WasiConfig::new("printer").stdout(Output::Capture { limit: 1 << 16 });
    /// let mut store = wasmer::Store::default();
    /// let instance = linker.instantiate_wasi(&mut store, module, (), "tenant", &wasi, &config)?;
    /// instance.call(&mut store, "run", &[])?;
    /// let printed = instance.stdout().map(|out| out.bytes()).unwrap_or_default();
    /// instance.teardown(&mut store)?;
    /// # Ok(()) }
    /// ```
    pub fn instantiate_wasi(
        &self,
        store: &mut Store,
        module: &Module,
        data: D,
        namespace: impl Into<Arc<str>>,
        wasi: &WasiHost,
        config: &WasiConfig,
    ) -> Result<WasiInstance<D>, WasiSetupError> {
        // wasmer-wasix makes its default stdio and host files on the
        // current tokio runtime: the host's, entered while setting up.
        let _runtime = wasi.handle().enter();
        let mut builder = WasiEnvBuilder::new(config.program.clone()).runtime(wasi.runtime());
        // No built-in commands to spawn: a guest runs alone.
        builder.set_disable_default_builtins(true);
        builder.add_args(&config.args);
        builder.add_envs(config.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        preopen(&mut builder, wasi, config)?;
        builder.set_stdin(Box::new(EmptyInput {
            _alive: wasi.alive(),
        }));
        let stdout = output(config.stdout, |file| builder.set_stdout(file));
        let stderr = output(config.stderr, |file| builder.set_stderr(file));
        let mut wasi_env = builder
            .finalize(store)
            .map_err(|e| WasiSetupError::Wasi(e.to_string()))?;
        let exit = Arc::new(OnceLock::new());
        let imports = if is_wasi_module(module) {
            let mut imports = wasi_env
                .import_object_for_all_wasi_versions(store, module)
                .map_err(|e| WasiSetupError::Wasi(e.to_string()))?;
            catch_exit(store, module, &mut imports, &exit);
            imports
        } else {
            Imports::new()
        };
        let options = InstantiateOptions::new().imports(imports);
        let guest = self.instantiate_with(store, module, data, namespace, options)?;
        let instance = WasiInstance {
            guest,
            wasi: wasi_env.clone(),
            stdout,
            stderr,
            exit,
            torn_down: AtomicBool::new(false),
        };
        wasi_env
            .initialize(store, instance.guest.wasmer().clone())
            .map_err(|e| WasiSetupError::Initialize(e.to_string()))?;
        if let Ok(init) = instance.guest.wasmer().exports.get_function("_initialize") {
            let init = init.clone();
            if let Err(error) = init.call(store, &[]) {
                // The store is the instance's own: teardown cannot refuse it.
                let _ = instance.teardown(store);
                return Err(WasiSetupError::Initialize(error.message()));
            }
        }
        Ok(instance)
    }
}

/// Mounts and preopens each directory `config` grants, each at its guest
/// path, on a root that holds nothing else.
fn preopen(
    builder: &mut WasiEnvBuilder,
    wasi: &WasiHost,
    config: &WasiConfig,
) -> Result<(), WasiSetupError> {
    let mounts = MountFileSystem::new();
    for dir in &config.preopens {
        let guest = guest_path(&dir.guest)?;
        let refused = |reason: String| WasiSetupError::Dir {
            host: dir.host.clone(),
            reason,
        };
        if !Path::new(&dir.host).is_dir() {
            return Err(refused("not a directory".into()));
        }
        // host_fs confines every path to its root; wasmer-wasix resolves
        // `..` and symlinks itself, inside the guest's view.
        let fs = host_fs::FileSystem::new(wasi.handle().clone(), &dir.host)
            .map_err(|e| refused(e.to_string()))?;
        mounts
            .mount(&guest, Arc::new(fs))
            .map_err(|e| refused(e.to_string()))?;
        let writable = dir.writable;
        builder
            .add_preopen_build(|p| {
                p.directory(&guest)
                    .read(true)
                    .write(writable)
                    .create(writable)
            })
            .map_err(|e| WasiSetupError::Wasi(e.to_string()))?;
    }
    builder.set_mount_fs(mounts);
    Ok(())
}

/// Sets the file a stream goes to, returning the capture if it is one.
fn output(
    output: Output,
    set: impl FnOnce(Box<dyn wasmer_wasix::VirtualFile + Send + Sync + 'static>),
) -> Option<Captured> {
    match output {
        // wasmer-wasix's default streams are the host process's.
        Output::Inherit => None,
        Output::Null => {
            set(Box::new(NullFile::default()));
            None
        }
        Output::Capture { limit } => {
            let captured = Captured::new(limit);
            set(captured.file());
            Some(captured)
        }
    }
}

/// Replaces each `proc_exit` the module imports with one that records the
/// code and traps with [`GuestExit`], so the host sees the code itself
/// rather than a message to parse.
fn catch_exit(
    store: &mut Store,
    module: &Module,
    imports: &mut Imports,
    exit: &Arc<OnceLock<u32>>,
) {
    for import in module.imports() {
        let ExternType::Function(ty) = import.ty() else {
            continue;
        };
        if import.name() != "proc_exit" || !imports.exists(import.module(), "proc_exit") {
            continue;
        }
        if ty.params() != [wasmer::Type::I32] || !ty.results().is_empty() {
            continue;
        }
        let exit = exit.clone();
        let function = Function::new_typed(store, move |code: i32| -> Result<(), RuntimeError> {
            let code = code as u32;
            let _ = exit.set(code);
            Err(RuntimeError::user(Box::new(GuestExit { code })))
        });
        imports.define(import.module(), import.name(), function);
    }
}
