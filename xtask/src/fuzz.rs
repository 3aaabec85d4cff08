//! `cargo xtask fuzz [--seconds N]`: each fuzz target under libFuzzer for a
//! bounded time, with the executions run and the crashes found.

use std::path::Path;
use std::process::Command;

use crate::run::{cargo, root, step};

/// The targets of `fuzz/`, in the order they run.
const TARGETS: &[&str] = &["table_ops", "import_calls"];

/// Seconds per target unless `--seconds` says otherwise.
const DEFAULT_SECONDS: u64 = 60;

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let seconds = match args.iter().position(|a| a == "--seconds") {
        Some(i) => args
            .get(i + 1)
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or("--seconds needs a whole number")?,
        None => DEFAULT_SECONDS,
    };
    ensure_cargo_fuzz()?;
    let fuzz = root().join("fuzz");
    // cargo-fuzz passes `-Z` flags (coverage); stable rustc takes them when
    // told it is bootstrapping.
    step(
        "building the fuzz targets (release, coverage-instrumented; the first build takes minutes)",
        fuzz_command(&fuzz).args(["build", "-O", "--sanitizer", "none"]),
    )?;
    let mut report = Vec::new();
    for target in TARGETS {
        println!("\n==> fuzzing `{target}` for {seconds} s");
        let corpus = fuzz.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let output = fuzz_command(&fuzz)
            .args(["run", "-O", "--sanitizer", "none", target])
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg("-max_len=4096")
            .arg("-print_final_stats=1")
            .output()
            .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&output.stderr);
        let executions = stat(&log, "stat::number_of_executed_units:").unwrap_or(0);
        let crashes = crash_files(&fuzz.join("artifacts").join(target));
        println!(
            "    {target}: {executions} executions, {} crash file(s){}",
            crashes.len(),
            if output.status.success() {
                ""
            } else {
                " (the run failed)"
            }
        );
        if !output.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            for line in tail.into_iter().rev() {
                println!("    | {line}");
            }
        }
        report.push((target, executions, crashes, output.status.success()));
    }
    println!("\nfuzzing summary ({seconds} s per target):");
    let mut failed = false;
    for (target, executions, crashes, ok) in &report {
        println!(
            "  {target:<14} {executions:>10} executions  {} crashes",
            crashes.len()
        );
        for crash in crashes {
            println!(
                "    reproduce: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -O --sanitizer none {target} {crash}"
            );
        }
        failed |= !ok || !crashes.is_empty();
    }
    if failed {
        return Err("a fuzz target crashed; see the artifacts above".into());
    }
    Ok(())
}

/// The targets run without AddressSanitizer: the code they reach forbids
/// `unsafe`, so memory errors would be Wasmer's, and ASan cannot follow
/// Wasmer's traps, which leave host calls by switching stacks (it reports
/// every trap as a stack-buffer-overflow). A panic, an assertion or an
/// abort is still a crash.
fn fuzz_command(dir: &Path) -> Command {
    let mut command = cargo();
    command
        .arg("fuzz")
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(dir);
    command
}

/// Installs cargo-fuzz when it is missing.
fn ensure_cargo_fuzz() -> Result<(), String> {
    let present = cargo()
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    step(
        "installing cargo-fuzz (once)",
        cargo().args(["install", "cargo-fuzz", "--locked"]),
    )
}

/// The number after `key` in libFuzzer's final stats.
fn stat(log: &str, key: &str) -> Option<u64> {
    log.lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.trim().parse().ok())
}

/// The crash, leak and timeout files libFuzzer left for `target`.
fn crash_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<String> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                ["crash-", "leak-", "timeout-", "oom-"]
                    .iter()
                    .any(|k| n.starts_with(k))
            })
        })
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    files
}
