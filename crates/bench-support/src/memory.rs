//! Resident memory, and probes run in a fresh child process.
//!
//! A figure of memory is the growth of the resident set (`VmRSS` in
//! `/proc/self/status`) while a structure is built. In the process that
//! ran the benchmarks, the allocator hands back memory an earlier
//! measurement freed, which hides part of the growth; so a probe runs in a
//! child process of its own, the bench binary started again with an
//! environment variable naming the probe, and prints its figures as lines
//! `figure <name> <value>` that the parent gathers.

use std::collections::BTreeMap;
use std::process::Command;

/// Figures by name, as a probe reported them.
pub type Figures = BTreeMap<String, f64>;

/// This process's resident memory in bytes; `None` where
/// `/proc/self/status` does not tell (elsewhere than Linux).
///
/// # Examples
///
/// ```
/// use slots_bench_support::memory::resident_bytes;
///
/// if cfg!(target_os = "linux") {
///     assert!(resident_bytes().unwrap() > 0);
/// }
/// ```
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A kind of probe a bench runs in child processes, named by the
/// environment variable that tells a child which one to run.
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    var: &'static str,
}

/// The prefix of a line that carries a figure.
const FIGURE: &str = "figure ";

impl Probe {
    /// Probes told apart by the environment variable `var`.
    pub const fn new(var: &'static str) -> Self {
        Self { var }
    }

    /// The probe this process was started to run, when it is a child.
    pub fn this_child(&self) -> Option<String> {
        std::env::var(self.var).ok()
    }

    /// Runs this bench binary again as a child with the variable set to
    /// `which`, and gathers the figures it printed with [`emit`].
    ///
    /// # Errors
    ///
    /// When the child cannot start or fails; the message holds its stderr.
    pub fn spawn(&self, which: &str) -> Result<Figures, String> {
        let exe = std::env::current_exe().map_err(|e| format!("no bench binary: {e}"))?;
        let output = Command::new(exe)
            .env(self.var, which)
            .output()
            .map_err(|e| format!("probe {which}: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "probe {which} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(parse_figures(&String::from_utf8_lossy(&output.stdout)))
    }
}

/// Prints figure `name` for the parent of a probe to gather.
pub fn emit(name: &str, value: f64) {
    println!("{FIGURE}{name} {value}");
}

/// The figures in a probe's output; other lines are passed over.
///
/// # Examples
///
/// ```
/// use slots_bench_support::memory::parse_figures;
///
/// let f = parse_figures("warming up\nfigure rss 160.5\nfigure live 1000\n");
/// assert_eq!(f["rss"], 160.5);
/// assert_eq!(f.len(), 2);
/// ```
pub fn parse_figures(output: &str) -> Figures {
    output
        .lines()
        .filter_map(|line| line.strip_prefix(FIGURE))
        .filter_map(|line| {
            let (name, value) = line.split_once(' ')?;
            Some((name.to_string(), value.trim().parse().ok()?))
        })
        .collect()
}
