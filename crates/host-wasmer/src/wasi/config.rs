//! `WasiConfig`: what one WASI instance is granted. Nothing by default.

use std::path::{Component, Path, PathBuf};

use super::WasiSetupError;

/// Where a guest's stdout or stderr goes.
///
/// # Examples
///
/// ```
/// use host_wasmer::wasi::{Output, WasiConfig};
///
/// assert_eq!(Output::default(), Output::Null);
/// let config = WasiConfig::new("guest")
///     .stdout(Output::Capture { limit: 1 << 16 })
///     .stderr(Output::Inherit);
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Discarded (the default): the guest's writes succeed and go nowhere.
    #[default]
    Null,
    /// The host process's own stream. A guest printing without end prints
    /// without end: use it for guests the embedder trusts with its output.
    Inherit,
    /// Kept in host memory, at most `limit` bytes; writes past it are
    /// dropped and counted ([`Captured`](super::Captured)).
    Capture {
        /// The most bytes kept.
        limit: usize,
    },
}

/// A host directory the guest may open files in, and where it sees it.
///
/// # Examples
///
/// ```
/// use host_wasmer::wasi::WasiConfig;
///
/// let config = WasiConfig::new("guest").dir_writable("/srv/out", "/out");
/// let preopen = &config.preopens()[0];
/// assert_eq!((preopen.guest.as_str(), preopen.writable), ("/out", true));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preopen {
    /// The directory on the host.
    pub host: PathBuf,
    /// The absolute path the guest opens it by (`/data`).
    pub guest: String,
    /// Whether the guest may create, write and remove files in it.
    pub writable: bool,
}

/// What one WASI instance is granted: preopened directories, environment
/// variables, arguments, and where its output goes.
///
/// Deny by default: [`WasiConfig::new`] grants no directory, no variable,
/// no argument but the program name, an stdin at its end, and discards
/// stdout and stderr.
///
/// # Examples
///
/// ```
/// use host_wasmer::wasi::{Output, WasiConfig};
///
/// let config = WasiConfig::new("guest")
///     .dir("/srv/patterns", "/patterns")
///     .env("MODE", "strict")
///     .args(["--verbose"])
///     .stdout(Output::Capture { limit: 4096 });
/// assert_eq!(config.preopens()[0].guest, "/patterns");
/// assert!(!config.preopens()[0].writable);
/// assert_eq!(WasiConfig::new("guest").preopens(), []);
/// ```
#[derive(Debug, Clone, Default)]
pub struct WasiConfig {
    pub(crate) program: String,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) preopens: Vec<Preopen>,
    pub(crate) stdout: Output,
    pub(crate) stderr: Output,
}

impl WasiConfig {
    /// Nothing granted; `program` is the guest's `argv[0]`.
    pub fn new(program: impl Into<String>) -> Self {
        Self {
            program: program.into(),
            ..Self::default()
        }
    }

    /// Grants read access to the host directory `host`, seen by the guest
    /// as `guest` (an absolute path; a relative one is taken from `/`).
    pub fn dir(mut self, host: impl Into<PathBuf>, guest: impl Into<String>) -> Self {
        self.preopens.push(Preopen {
            host: host.into(),
            guest: guest.into(),
            writable: false,
        });
        self
    }

    /// Grants read and write access to the host directory `host`, seen by
    /// the guest as `guest`.
    pub fn dir_writable(mut self, host: impl Into<PathBuf>, guest: impl Into<String>) -> Self {
        self.preopens.push(Preopen {
            host: host.into(),
            guest: guest.into(),
            writable: true,
        });
        self
    }

    /// Sets the environment variable `key` to `value` for the guest.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Appends arguments after the program name.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Where the guest's stdout goes.
    pub fn stdout(mut self, output: Output) -> Self {
        self.stdout = output;
        self
    }

    /// Where the guest's stderr goes.
    pub fn stderr(mut self, output: Output) -> Self {
        self.stderr = output;
        self
    }

    /// The directories granted.
    pub fn preopens(&self) -> &[Preopen] {
        &self.preopens
    }
}

/// The guest path of a preopen, made absolute and checked: no `..`, not
/// the root itself (a preopen of `/` would stand for every mount).
pub(crate) fn guest_path(guest: &str) -> Result<PathBuf, WasiSetupError> {
    let mut path = PathBuf::from("/");
    for component in Path::new(guest).components() {
        match component {
            Component::RootDir | Component::CurDir => {}
            Component::Normal(part) => path.push(part),
            Component::ParentDir | Component::Prefix(_) => {
                return Err(WasiSetupError::GuestPath {
                    guest: guest.into(),
                });
            }
        }
    }
    if path == Path::new("/") {
        return Err(WasiSetupError::GuestPath {
            guest: guest.into(),
        });
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::guest_path;

    #[test]
    fn guest_paths_are_made_absolute_and_never_climb() {
        assert_eq!(guest_path("data").ok(), Some("/data".into()));
        assert_eq!(guest_path("/a/./b").ok(), Some("/a/b".into()));
        assert!(guest_path("/a/../b").is_err());
        assert!(guest_path("/").is_err());
        assert!(guest_path("").is_err());
    }
}
