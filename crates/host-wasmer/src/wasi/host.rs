//! `WasiHost`: what wasmer-wasix lets a host build once and share between
//! all its WASI instances.

use std::sync::Arc;

use wasmer_wasix::runtime::task_manager::tokio::TokioTaskManager;
use wasmer_wasix::{PluggableRuntime, Runtime};

use super::WasiSetupError;

/// The WASI runtime a host shares between its instances: a tokio runtime
/// of one worker thread (wasmer-wasix's task manager runs timers and
/// blocking file work on it), and wasmer-wasix's [`Runtime`] over it,
/// with no networking, no HTTP client and no package loader.
///
/// Build it once per host: every instance then only makes its own WASI
/// state ([`WasiConfig`](super::WasiConfig)).
///
/// # Examples
///
/// ```
/// use host_wasmer::wasi::WasiHost;
///
/// let wasi = WasiHost::new()?;
/// assert_eq!(wasi.live_environments(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct WasiHost {
    runtime: Arc<dyn Runtime + Send + Sync>,
    handle: tokio::runtime::Handle,
    /// One clone per live WASI environment (held by its stdin).
    alive: Arc<()>,
    /// Dropped last: the task manager and file systems hold its handle.
    _tokio: tokio::runtime::Runtime,
}

impl WasiHost {
    /// Starts the runtime.
    pub fn new() -> Result<Arc<Self>, WasiSetupError> {
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("slots-wasi")
            .enable_time()
            .build()
            .map_err(WasiSetupError::Runtime)?;
        let handle = tokio.handle().clone();
        let tasks = TokioTaskManager::new(handle.clone());
        let runtime = PluggableRuntime::new(Arc::new(tasks));
        Ok(Arc::new(Self {
            runtime: Arc::new(runtime),
            handle,
            alive: Arc::new(()),
            _tokio: tokio,
        }))
    }

    /// WASI environments of this host not yet torn down (their store still
    /// alive, or [`WasiInstance::teardown`](super::WasiInstance::teardown)
    /// not called).
    pub fn live_environments(&self) -> usize {
        Arc::strong_count(&self.alive) - 1
    }

    pub(crate) fn runtime(&self) -> Arc<dyn Runtime + Send + Sync> {
        self.runtime.clone()
    }

    pub(crate) fn handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }

    pub(crate) fn alive(&self) -> Arc<()> {
        self.alive.clone()
    }
}

impl std::fmt::Debug for WasiHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiHost")
            .field("live_environments", &self.live_environments())
            .finish_non_exhaustive()
    }
}
