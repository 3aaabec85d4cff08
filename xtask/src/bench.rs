//! `cargo xtask bench [--quick] [bench ...]`: runs the benchmark suite and
//! writes BENCHMARKS.md from the fragments each benchmark leaves behind.
//! Named benches run alone, and only their sections of BENCHMARKS.md are
//! replaced.

use std::process::Command;

use crate::guests;
use crate::run::{cargo, root, step};

/// The benchmarks, in the order BENCHMARKS.md shows them: (package, bench).
const BENCHES: &[(&str, &str)] = &[
    ("slots-core", "tables"),
    ("slots-core", "interning"),
    ("slots-host", "handle_path"),
    ("host-wasmer", "bindgen"),
    ("slots-host", "scale"),
    ("slots-host", "wasi"),
    ("slots-conformance", "versus"),
];

pub(crate) fn run(quick: bool, only: Vec<String>) -> Result<(), String> {
    for name in &only {
        if !BENCHES.iter().any(|(_, bench)| bench == name) {
            let known: Vec<&str> = BENCHES.iter().map(|(_, bench)| *bench).collect();
            return Err(format!(
                "no bench `{name}` (the benches: {})",
                known.join(", ")
            ));
        }
    }
    let selected: Vec<(&str, &str)> = BENCHES
        .iter()
        .copied()
        .filter(|(_, bench)| only.is_empty() || only.iter().any(|name| name == bench))
        .collect();
    let results = root().join("target/bench-results");
    let _ = std::fs::remove_dir_all(&results);
    std::fs::create_dir_all(&results)
        .map_err(|e| format!("cannot create {}: {e}", results.display()))?;
    println!(
        "slots bench: {} mode.",
        if quick { "quick (smoke)" } else { "full" }
    );
    println!("The first run builds Wasmer in release mode (about 10 minutes on 2 cores).");
    // The WASI benchmark runs the `printing` example built for both targets.
    // bindgen and versus carry their guests as WAT.
    if selected
        .iter()
        .any(|(_, bench)| !matches!(*bench, "bindgen" | "versus"))
    {
        guests::build()?;
    }
    for (package, bench) in &selected {
        let mut command = cargo();
        command
            .args(["bench", "--locked", "--package", package, "--bench", bench])
            .env("SLOTS_BENCH_RESULTS", &results)
            .env("SLOTS_GUESTS_DIR", guests::out_dir())
            .env("SLOTS_WASI_GUESTS_DIR", guests::wasi_out_dir())
            .current_dir(root());
        if quick {
            command.env("SLOTS_BENCH_QUICK", "1");
        }
        step(&format!("benchmark {package}/{bench}"), &mut command)?;
    }
    if !only.is_empty() {
        return replace_sections(&results, &selected);
    }
    let mut out = String::from(
        "# Benchmarks\n\n\
         Written by `cargo xtask bench`; every figure is a ratio to a baseline measured \
         in the same process and run, with the bar beside it.\n\n",
    );
    out.push_str(&machine());
    for (_, bench) in BENCHES {
        let fragment = results.join(format!("{bench}.md"));
        match std::fs::read_to_string(&fragment) {
            Ok(text) => {
                out.push('\n');
                out.push_str(&text);
            }
            Err(e) => {
                return Err(format!(
                    "{bench} left no results ({}: {e})",
                    fragment.display()
                ));
            }
        }
    }
    let path = root().join("BENCHMARKS.md");
    std::fs::write(&path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("\nwrote {}", path.display());
    Ok(())
}

/// Replaces the sections of `benches` in BENCHMARKS.md by their fresh
/// fragments; a section runs from its `## ` heading to the next one.
fn replace_sections(results: &std::path::Path, benches: &[(&str, &str)]) -> Result<(), String> {
    let path = root().join("BENCHMARKS.md");
    let mut doc = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    for (_, bench) in benches {
        let fragment = results.join(format!("{bench}.md"));
        let text = std::fs::read_to_string(&fragment)
            .map_err(|e| format!("{bench} left no results ({}: {e})", fragment.display()))?;
        let heading = text.lines().next().unwrap_or_default();
        let start = doc.find(&format!("{heading}\n"));
        match start {
            Some(start) => {
                let end = doc[start + heading.len()..]
                    .find("\n## ")
                    .map_or(doc.len(), |at| start + heading.len() + at + 1);
                let mut section = text.trim_end().to_string();
                section.push('\n');
                if end < doc.len() {
                    section.push('\n');
                }
                doc.replace_range(start..end, &section);
            }
            None => {
                doc.push('\n');
                doc.push_str(&text);
            }
        }
    }
    std::fs::write(&path, doc).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("\nupdated {}", path.display());
    Ok(())
}

/// What the figures were measured on.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let rustc = Command::new("rustc")
        .arg("--version")
        .current_dir(root())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "rustc (unknown version)".into());
    format!("Machine: {cpu}, {cores} cores; {rustc}; Wasmer 7.4 (cranelift), release profile.\n")
}
