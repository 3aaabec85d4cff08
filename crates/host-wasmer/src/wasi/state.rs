//! `WasiState`: the WASI side of one instance, from before instantiation
//! (its environment and the WASI functions the module imports) to its
//! teardown. Both the run-time `Linker` and the generated bindings set WASI
//! up through it.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use wasmer::{
    Extern, ExternType, Function, Imports, Instance, Memory, Module, RuntimeError, Store,
};
use wasmer_wasix::virtual_fs::{MountFileSystem, NullFile, host_fs};
use wasmer_wasix::{WasiEnvBuilder, WasiFunctionEnv, WasiVersion};

use super::capture::EmptyInput;
use super::config::guest_path;
use super::{Captured, GuestExit, Output, WasiConfig, WasiHost, WasiSetupError};
use crate::HostError;

/// The WASI state of one instance: its own environment (files, preopens,
/// arguments, variables), the WASI functions its module imports, its
/// captured output and its exit code.
///
/// It is made before the instance, for the module to instantiate
/// ([`WasiState::new`]); the world's imports go into
/// [`WasiState::imports_mut`] beside WASI's; the module is instantiated
/// with [`WasiState::imports`]; [`WasiState::start`] then binds the state
/// to the instance and runs the guest's `_initialize`.
/// [`Linker::instantiate_wasi`](crate::Linker::instantiate_wasi) does all
/// of it for a run-time linker, and [`WasiState::start_guest`] pairs it
/// with a world type `bindgen!` generated.
///
/// Only the WASI functions the module imports are defined, each made for
/// this instance; `proc_exit` records the exit code and traps with
/// [`GuestExit`].
///
/// # Examples
///
/// The steps for a world type `bindgen!` generated, here for a guest that
/// prints through WASI's `fd_write`:
///
/// ```
/// use host_wasmer::wasi::{Output, WasiConfig, WasiHost, WasiState};
/// use host_wasmer::{HostConfig, SharedHost, bindings};
/// use wasmer::{Module, Store};
///
/// host_wasmer::bindgen!({
///     inline: "package demo:hello@1.0.0; world hello { export run: func(); }",
///     world: "hello",
/// });
///
/// const GUEST: &str = r#"(module
///   (import "wasi_snapshot_preview1" "fd_write"
///     (func $fd_write (param i32 i32 i32 i32) (result i32)))
///   (memory (export "memory") 1)
///   (data (i32.const 16) "hello\n")
///   (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
///   (func (export "run")
///     ;; One buffer (16, 6) described at 0; the count written lands at 8.
///     (i32.store (i32.const 0) (i32.const 16))
///     (i32.store (i32.const 4) (i32.const 6))
///     (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;
///
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let host = SharedHost::new(HostConfig::default());
///     let wasi = WasiHost::new()?; // once per host
///     let mut store = Store::default();
///     let module = Module::new(&store, wat::parse_str(GUEST)?)?;
///     let config = WasiConfig::new("hello").stdout(Output::Capture { limit: 1 << 16 });
///
///     // WASI's functions for this instance, then the world's beside them.
///     let mut state = WasiState::new(&mut store, &module, &wasi, &config)?;
///     let env = bindings::new_env(&mut store, (), host.clone(), "tenant");
///     Hello::add_to_imports(&mut store, &env, state.imports_mut());
///     let guest = Hello::instantiate(&mut store, &module, state.imports(), env)?;
///     let guest = state.start_guest(&mut store, guest)?;
///
///     guest.call_run(&mut store)?;
///     assert_eq!(guest.stdout().map(|out| out.bytes()), Some(b"hello\n".to_vec()));
///     guest.teardown(&mut store)?;
///     assert_eq!(host.totals().leaked(), 0);
///     assert_eq!(wasi.live_environments(), 0);
///     Ok(())
/// }
/// ```
pub struct WasiState {
    env: WasiFunctionEnv,
    /// WASI's functions for this instance, and whatever the embedder adds.
    imports: Imports,
    stdout: Option<Captured>,
    stderr: Option<Captured>,
    exit: Arc<OnceLock<u32>>,
    /// The host's tokio runtime, entered while the environment is ended.
    runtime: tokio::runtime::Handle,
    /// The instance's memory, set once wasmer-wasix's environment is bound
    /// to the instance: only then may it be ended (`on_exit`, which reads
    /// the instance), and it tells the instance's store from others.
    started: OnceLock<Memory>,
    torn_down: AtomicBool,
}

impl WasiState {
    /// A WASI environment of its own for one instance of `module`, made
    /// from `config` on the shared `host` runtime, and the WASI functions
    /// `module` imports, defined against it.
    ///
    /// A module that imports no WASI gets the same environment (its output
    /// and preopens unused) and no WASI function.
    pub fn new(
        store: &mut Store,
        module: &Module,
        host: &WasiHost,
        config: &WasiConfig,
    ) -> Result<Self, WasiSetupError> {
        // wasmer-wasix makes its default stdio and host files on the
        // current tokio runtime: the host's, entered while setting up.
        let _runtime = host.handle().enter();
        let mut builder = WasiEnvBuilder::new(config.program.clone()).runtime(host.runtime());
        // No built-in commands to spawn: a guest runs alone.
        builder.set_disable_default_builtins(true);
        builder.add_args(&config.args);
        builder.add_envs(config.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        preopen(&mut builder, host, config)?;
        builder.set_stdin(Box::new(EmptyInput {
            _alive: host.alive(),
        }));
        let stdout = output(config.stdout, |file| builder.set_stdout(file));
        let stderr = output(config.stderr, |file| builder.set_stderr(file));
        let env = builder
            .finalize(store)
            .map_err(|e| WasiSetupError::Wasi(e.to_string()))?;
        let exit = Arc::new(OnceLock::new());
        let versions = wasi_versions(module);
        let imports = if versions.is_empty() {
            Imports::new()
        } else {
            let mut imports = Imports::new();
            for version in versions {
                let all = wasmer_wasix::generate_import_object_from_env(store, &env.env, version);
                imported(module, &all, &mut imports);
            }
            catch_exit(store, module, &mut imports, &exit);
            imports
        };
        Ok(Self {
            env,
            imports,
            stdout,
            stderr,
            exit,
            runtime: host.handle().clone(),
            started: OnceLock::new(),
            torn_down: AtomicBool::new(false),
        })
    }

    /// The imports to instantiate the module with: WASI's, and what was
    /// added through [`WasiState::imports_mut`].
    pub fn imports(&self) -> &Imports {
        &self.imports
    }

    /// The imports, to add the world's (a generated `add_to_imports`) or
    /// the embedder's own beside WASI's.
    pub fn imports_mut(&mut self) -> &mut Imports {
        &mut self.imports
    }

    /// Takes the imports out, leaving none (for a linker that takes them by
    /// value).
    pub(crate) fn take_imports(&mut self) -> Imports {
        std::mem::take(&mut self.imports)
    }

    /// Binds the WASI environment to `instance` (its memory and stack
    /// layout), then runs the guest's `_initialize` when it exports one
    /// (Rust's constructors, for a `wasm32-wasip1` reactor). Call it once,
    /// right after instantiating with [`WasiState::imports`].
    ///
    /// On an error the WASI environment is ended; the embedder tears the
    /// instance's own state down ([`WasiState::start_guest`] does both).
    pub fn start(&self, store: &mut Store, instance: &Instance) -> Result<(), WasiSetupError> {
        let mut env = self.env.clone();
        env.initialize(store, instance.clone())
            .map_err(|e| WasiSetupError::Initialize(e.to_string()))?;
        // `initialize` has found an exported memory: the first, as it took.
        if let Some(memory) = instance.exports.iter().find_map(|(_, e)| match e {
            Extern::Memory(memory) => Some(memory.clone()),
            _ => None,
        }) {
            let _ = self.started.set(memory);
        }
        if let Ok(init) = instance.exports.get_function("_initialize") {
            let init = init.clone();
            if let Err(error) = init.call(store, &[]) {
                // The store is the instance's own: teardown cannot refuse it.
                let _ = self.teardown(store);
                return Err(WasiSetupError::Initialize(error.message()));
            }
        }
        Ok(())
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

    /// Whether [`WasiState::teardown`] has run.
    pub fn is_torn_down(&self) -> bool {
        self.torn_down.load(Ordering::Relaxed)
    }

    /// Ends the WASI environment: closes its files (its preopens among
    /// them). Runs once; later calls do nothing. A store other than the
    /// instance's is refused ([`HostError::WrongStore`]). Dropping the store
    /// ends it as well; before [`WasiState::start`], only that does.
    pub fn teardown(&self, store: &mut Store) -> Result<(), HostError> {
        let Some(memory) = self.started.get() else {
            return Ok(());
        };
        if !memory.is_from_store(store) {
            return Err(HostError::WrongStore);
        }
        if !self.torn_down.swap(true, Ordering::Relaxed) {
            // wasmer-wasix closes the files of a process that exits, and
            // only then: an instance that ends without `proc_exit` ends as
            // one that exited with 0.
            let code = self.exit_code().unwrap_or(0);
            let _runtime = self.runtime.enter();
            self.env.on_exit(store, Some((code as i32).into()));
        }
        Ok(())
    }
}

impl std::fmt::Debug for WasiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiState")
            .field("exit_code", &self.exit_code())
            .field("started", &self.started.get().is_some())
            .field("torn_down", &self.torn_down)
            .finish_non_exhaustive()
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

/// The WASI versions `module` imports, found in one walk of its imports
/// (wasmer-wasix's `import_object_for_all_wasi_versions` walks them into
/// a set, then copies every function it made into a second `Imports`).
fn wasi_versions(module: &Module) -> Vec<WasiVersion> {
    let mut versions = Vec::new();
    for import in module.imports() {
        let version = match import.module() {
            "wasi_snapshot_preview1" => WasiVersion::Snapshot1,
            "wasi_unstable" => WasiVersion::Snapshot0,
            "wasix_32v1" => WasiVersion::Wasix32v1,
            "wasix_64v1" => WasiVersion::Wasix64v1,
            _ => continue,
        };
        if !versions.contains(&version) {
            versions.push(version);
        }
    }
    versions
}

/// Defines in `imports` the functions of `all` that `module` imports.
/// wasmer-wasix makes every function of a WASI version (its syscalls are
/// not public, so they cannot be made one by one); only those imported go
/// on, so that the instance's imports, and what validation walks, stay
/// small.
fn imported(module: &Module, all: &Imports, imports: &mut Imports) {
    for import in module.imports() {
        if let Some(function) = all.get_export(import.module(), import.name()) {
            imports.define(import.module(), import.name(), function);
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
