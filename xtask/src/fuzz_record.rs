//! `cargo xtask fuzz --record`: the run's figures, written into SECURITY.md
//! as its "Fuzzing record" section, so that the figures there are always a
//! run's output.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::run::root;

/// Where the section starts and ends in SECURITY.md.
const START: &str = "<!-- fuzz record: written by `cargo xtask fuzz --record` -->";
const END: &str = "<!-- end of fuzz record -->";

/// What one target's run did, from libFuzzer's log.
pub(crate) struct Figures {
    pub(crate) target: &'static str,
    pub(crate) inputs: u64,
    pub(crate) seconds: f64,
    pub(crate) crashes: usize,
    /// Edges covered at the end (`cov:`).
    pub(crate) coverage: Option<u64>,
    /// Inputs in the corpus at the end (`corp:`).
    pub(crate) corpus: Option<u64>,
    pub(crate) peak_rss_mb: Option<u64>,
}

impl Figures {
    /// The figures of `target`'s run, read from its libFuzzer `log`.
    pub(crate) fn from_log(target: &'static str, log: &str, seconds: f64, crashes: usize) -> Self {
        // The last status line: `#1000000 DONE cov: 2116 ft: 9001 corp: 1568/1Mb ...`.
        let status = log.lines().rev().find(|l| l.contains(" cov: "));
        let after = |key: &str| {
            status.and_then(|l| l.split(key).nth(1)).and_then(|rest| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|n| n.parse().ok())
            })
        };
        Self {
            target,
            inputs: super::fuzz::stat(log, "stat::number_of_executed_units:").unwrap_or(0),
            seconds,
            crashes,
            coverage: after(" cov: "),
            corpus: after(" corp: "),
            peak_rss_mb: super::fuzz::stat(log, "stat::peak_rss_mb:"),
        }
    }
}

/// Replaces SECURITY.md's record section with `figures`, run by `command`
/// on the code of `commit`.
pub(crate) fn write(figures: &[Figures], command: &str, commit: &str) -> Result<(), String> {
    let path = root().join("SECURITY.md");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        return Err(format!(
            "{} has no section between `{START}` and `{END}`",
            path.display()
        ));
    };
    let section = section(figures, command, commit);
    let out = format!("{}{section}{}", &text[..start], &text[end + END.len()..]);
    std::fs::write(&path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("recorded the run in {}", path.display());
    Ok(())
}

fn section(figures: &[Figures], command: &str, commit: &str) -> String {
    let mut out = format!("{START}\n");
    out.push_str(&format!(
        "`{command}`, recorded {} (UTC), at commit {commit}, on {} cores (load average {} when it was recorded):\n\n",
        today(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
    ));
    out.push_str(
        "| target | inputs | seconds | inputs/s | crashes | edges covered | corpus | peak RSS |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    let or_dash = |n: Option<u64>| n.map_or("-".to_string(), |n| n.to_string());
    for f in figures {
        out.push_str(&format!(
            "| `{}` | {} | {:.0} | {:.0} | {} | {} | {} | {} |\n",
            f.target,
            f.inputs,
            f.seconds,
            f.inputs as f64 / f.seconds.max(1e-9),
            f.crashes,
            or_dash(f.coverage),
            or_dash(f.corpus),
            f.peak_rss_mb
                .map_or("-".to_string(), |mb| format!("{mb} MB")),
        ));
    }
    out.push('\n');
    out.push_str(END);
    out
}

/// Today's date, `YYYY-MM-DD`, in UTC.
fn today() -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The commit checked out, short.
pub(crate) fn commit() -> String {
    Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(root())
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "?".into(), |s| s.trim().to_string())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(String::from))
        .unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "#524288\tpulse  cov: 700 ft: 900 corp: 1400/80Kb exec/s: 11000\n\
                       #1000000\tDONE   cov: 714 ft: 950 corp: 1416/90Kb lim: 4096 exec/s: 11627\n\
                       stat::number_of_executed_units: 1000000\n\
                       stat::peak_rss_mb:              121\n";

    #[test]
    fn figures_come_from_the_log() {
        let f = Figures::from_log("table_ops", LOG, 86.0, 0);
        assert_eq!(f.inputs, 1_000_000);
        assert_eq!(f.coverage, Some(714));
        assert_eq!(f.corpus, Some(1416));
        assert_eq!(f.peak_rss_mb, Some(121));
    }

    #[test]
    fn the_section_is_a_table_between_its_markers() {
        let f = Figures::from_log("table_ops", LOG, 86.0, 0);
        let section = section(&[f], "cargo xtask fuzz --runs 1000000", "abc1234");
        assert!(section.starts_with(START) && section.ends_with(END));
        assert!(
            section.contains("| `table_ops` | 1000000 | 86 | 11628 | 0 | 714 | 1416 | 121 MB |")
        );
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(today().len(), 10);
        assert!(today().starts_with("20"));
    }
}
