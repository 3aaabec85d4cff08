//! Running the WASI guest examples (wasm32-wasip1) on the real host, through
//! the generated bindings (`slots_host::generated::Guest`) with a WASI state
//! of their own, and scratch directories for them to read.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use host_wasmer::bindings;
use host_wasmer::wasi::{Output, WasiConfig, WasiGuest, WasiHost, WasiSetupError, WasiState};
use host_wasmer::{CallError, Counters, SharedHost};
use slots_host::HostData;
use slots_host::generated::Guest;
use wasmer::{Module, Store};

use slots_test_support::guests::wasi_wasm;

/// What one run of a WASI guest left behind.
pub(crate) struct WasiRun {
    pub(crate) outcome: Result<Result<(), String>, CallError>,
    pub(crate) counters: Counters,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) dropped: u64,
    pub(crate) exit: Option<u32>,
}

impl WasiRun {
    /// Whether `run` returned `ok`.
    pub(crate) fn passed(&self) -> bool {
        matches!(self.outcome, Ok(Ok(())))
    }

    /// Panics, showing the guest's output, unless `run` returned `ok`.
    pub(crate) fn assert_passed(&self, name: &str) {
        assert!(
            self.passed(),
            "guest `{name}` did not pass: {:?}\nstdout:\n{}\nstderr:\n{}",
            self.outcome,
            self.stdout,
            self.stderr
        );
    }
}

/// The capture cap of these tests' stdout and stderr.
pub(crate) const CAP: usize = 64 * 1024;

/// Instantiates `module` on the generated `slots:host` bindings with a WASI
/// state of its own, as an embedder of `bindgen!` does: WASI's functions
/// first, the world's beside them, then WASI's start.
pub(crate) fn start_wasi(
    store: &mut Store,
    module: &Module,
    host: &Arc<SharedHost>,
    wasi: &WasiHost,
    namespace: &str,
    config: &WasiConfig,
) -> Result<WasiGuest<Guest<HostData>>, WasiSetupError> {
    let mut state = WasiState::new(store, module, wasi, config)?;
    let env = bindings::new_env(store, HostData::default(), host.clone(), namespace);
    Guest::add_to_imports(store, &env, state.imports_mut());
    let guest = Guest::instantiate(store, module, state.imports(), env)?;
    state.start_guest(store, guest)
}

/// Runs WASI guest `name` once on `host`, in `namespace`, granted what
/// `config` says, with stdout and stderr captured; tears it down.
pub(crate) fn run_wasi(
    host: &Arc<SharedHost>,
    wasi: &WasiHost,
    name: &str,
    namespace: &str,
    config: WasiConfig,
) -> WasiRun {
    let config = config
        .stdout(Output::Capture { limit: CAP })
        .stderr(Output::Capture { limit: CAP });
    let mut store = Store::default();
    let module = Module::new(&store, wasi_wasm(name)).unwrap();
    let guest = start_wasi(&mut store, &module, host, wasi, namespace, &config).unwrap();
    let outcome = guest.call_run(&mut store);
    let counters = guest.instance().counters(&store);
    guest.teardown(&mut store).unwrap();
    let text = |c: Option<&host_wasmer::wasi::Captured>| {
        String::from_utf8_lossy(&c.map(|c| c.bytes()).unwrap_or_default()).into_owned()
    };
    WasiRun {
        stdout: text(guest.stdout()),
        stderr: text(guest.stderr()),
        dropped: guest.stdout().map_or(0, |c| c.dropped()),
        exit: guest.exit_code(),
        outcome,
        counters,
    }
}

/// A directory of its own under the system's temporary directory, removed
/// when dropped.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(label: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("slots-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `name` inside, making parent directories.
    pub(crate) fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A directory of pattern files as the `files` guest reads them: one source
/// per file, and texts each must match.
pub(crate) fn pattern_files(scratch: &Scratch) -> PathBuf {
    scratch.write("patterns/digits.re", "[0-9]+\n# match: slots-42\n");
    scratch.write("patterns/words.re", "^[a-z]+$\n# match: handle\n");
    scratch.write("patterns/wasi.re", "(?i)wasi\n# match: WASI guests\n");
    scratch.write("patterns/notes.txt", "not a pattern: ignored\n");
    scratch.path().join("patterns")
}
