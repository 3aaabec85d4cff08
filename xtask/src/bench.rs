//! `cargo xtask bench [--quick] [--only NAME,..]`: runs the benchmark suite
//! and writes BENCHMARKS.md from the fragments each benchmark leaves
//! behind. With `--only`, runs the benchmarks named and replaces their
//! sections in BENCHMARKS.md, keeping the others. After the `wasi`
//! benchmark, `profile-wasi` adds its callgrind profile when valgrind is
//! installed.

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

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let only: Option<Vec<String>> = args
        .iter()
        .position(|a| a == "--only")
        .map(|i| {
            args.get(i + 1)
                .map(|names| names.split(',').map(str::to_string).collect())
                .ok_or("--only takes benchmark names, e.g. `--only wasi`")
        })
        .transpose()?;
    let benches: Vec<(&str, &str)> = match &only {
        None => BENCHES.to_vec(),
        Some(names) => {
            let chosen: Vec<_> = BENCHES
                .iter()
                .copied()
                .filter(|(_, bench)| names.iter().any(|n| n == bench))
                .collect();
            if chosen.len() != names.len() {
                let known: Vec<_> = BENCHES.iter().map(|(_, b)| *b).collect();
                return Err(format!(
                    "unknown benchmark in {names:?}; known: {}",
                    known.join(", ")
                ));
            }
            chosen
        }
    };
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
    guests::build()?;
    for (package, bench) in &benches {
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
    // The profile of WASI instantiation goes right after the WASI figures.
    let profiled = benches.iter().any(|(_, bench)| *bench == "wasi")
        && Command::new("valgrind").arg("--version").output().is_ok();
    if profiled {
        crate::profile::profile(if quick { 20 } else { 200 })?;
    }
    let mut sections = Vec::new();
    for (_, bench) in &benches {
        sections.push(fragment(&results, bench)?);
        if *bench == "wasi" && profiled {
            sections.push(fragment(&results, "wasi-profile")?);
        }
    }
    if only.is_some() {
        let mut previous: Option<&str> = None;
        for section in &sections {
            splice_after(section, previous)?;
            previous = section.lines().next();
        }
        println!("\nreplaced {} sections of BENCHMARKS.md", sections.len());
        return Ok(());
    }
    let mut out = String::from(
        "# Benchmarks\n\n\
         Written by `cargo xtask bench`; every figure is a ratio to a baseline measured \
         in the same process and run, with the bar beside it.\n\n",
    );
    out.push_str(&machine());
    for section in sections {
        out.push('\n');
        out.push_str(&section);
    }
    let path = root().join("BENCHMARKS.md");
    std::fs::write(&path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("\nwrote {}", path.display());
    Ok(())
}

/// The fragment `name`.md a benchmark left in `results`.
fn fragment(results: &std::path::Path, name: &str) -> Result<String, String> {
    let path = results.join(format!("{name}.md"));
    std::fs::read_to_string(&path)
        .map_err(|e| format!("{name} left no results ({}: {e})", path.display()))
}

/// Replaces the section of BENCHMARKS.md titled as `section` (its first
/// line, `## ...`) with `section`, up to the next `## ` title; appends it
/// when there is none.
pub(crate) fn splice(section: &str) -> Result<(), String> {
    splice_after(section, None)
}

/// [`splice`], putting a section BENCHMARKS.md lacks right after the
/// section titled `after` (when there is one) instead of at the end.
fn splice_after(section: &str, after: Option<&str>) -> Result<(), String> {
    let path = root().join("BENCHMARKS.md");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let title = section.lines().next().unwrap_or_default();
    let section = format!("{}\n", section.trim_end());
    let out = match text.find(&format!("{title}\n")) {
        Some(start) => {
            let after = start + title.len();
            let end = text[after..]
                .find("\n## ")
                .map_or(text.len(), |i| after + i + 1);
            let gap = if end < text.len() { "\n" } else { "" };
            format!("{}{section}{gap}{}", &text[..start], &text[end..])
        }
        None => match after.and_then(|title| text.find(&format!("{title}\n"))) {
            Some(start) => {
                let end = text[start + 1..]
                    .find("\n## ")
                    .map_or(text.len(), |i| start + 1 + i + 1);
                format!("{}{section}\n{}", &text[..end], &text[end..])
            }
            None => format!("{}\n\n{section}", text.trim_end()),
        },
    };
    std::fs::write(&path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))
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
