//! `cargo xtask fuzz [--seconds N] [--runs N] [--parallel] [--record]
//! [--from-logs] [TARGET ...]`: each fuzz target under libFuzzer for a
//! bounded time or number of inputs, one after the other or all at once,
//! with the inputs run, inputs per second and the crashes found. With
//! `--record`, the figures go into SECURITY.md; with `--from-logs`, nothing
//! runs and the figures of the last run are read from `fuzz/logs/`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Instant;

use crate::fuzz_record::{self, Figures};
use crate::run::{cargo, root, step};

/// The targets of `fuzz/`, in the order they run.
const TARGETS: &[&str] = &["table_ops", "import_calls", "lift_lower"];

/// Seconds per target when neither `--seconds` nor `--runs` is given.
const DEFAULT_SECONDS: u64 = 60;

/// How long, or how many inputs, each target runs.
struct Budget {
    seconds: Option<u64>,
    runs: Option<u64>,
}

impl Budget {
    fn parse(args: &[String]) -> Result<Self, String> {
        let number = |flag: &str| -> Result<Option<u64>, String> {
            match args.iter().position(|a| a == flag) {
                Some(i) => args
                    .get(i + 1)
                    .and_then(|s| s.replace('_', "").parse::<u64>().ok())
                    .map(Some)
                    .ok_or(format!("{flag} needs a whole number")),
                None => Ok(None),
            }
        };
        let (seconds, runs) = (number("--seconds")?, number("--runs")?);
        Ok(match (seconds, runs) {
            (None, None) => Self {
                seconds: Some(DEFAULT_SECONDS),
                runs: None,
            },
            _ => Self { seconds, runs },
        })
    }

    /// libFuzzer's flags for this budget.
    fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        if let Some(seconds) = self.seconds {
            flags.push(format!("-max_total_time={seconds}"));
        }
        if let Some(runs) = self.runs {
            flags.push(format!("-runs={runs}"));
        }
        flags
    }

    fn describe(&self) -> String {
        match (self.seconds, self.runs) {
            (Some(s), Some(r)) => format!("{r} inputs or {s} s, whichever comes first"),
            (Some(s), None) => format!("{s} s"),
            (None, Some(r)) => format!("{r} inputs"),
            (None, None) => "ever".into(),
        }
    }
}

/// What one target's run did.
struct Outcome {
    target: &'static str,
    executions: u64,
    seconds: f64,
    crashes: Vec<String>,
    log: String,
    ok: bool,
}

impl Outcome {
    fn per_second(&self) -> f64 {
        self.executions as f64 / self.seconds.max(1e-9)
    }
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let budget = Budget::parse(args)?;
    let named: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            // Neither a flag nor the number after one.
            let after_flag = i
                .checked_sub(1)
                .and_then(|previous| args.get(previous))
                .is_some_and(|flag| matches!(flag.as_str(), "--seconds" | "--runs"));
            !(a.starts_with("--") || after_flag)
        })
        .map(|(_, a)| a)
        .collect();
    if let Some(unknown) = named.iter().find(|n| !TARGETS.contains(&n.as_str())) {
        return Err(format!(
            "no fuzz target `{unknown}`; the targets are {}",
            TARGETS.join(", ")
        ));
    }
    let targets: Vec<&'static str> = TARGETS
        .iter()
        .copied()
        .filter(|t| named.is_empty() || named.iter().any(|n| n == t))
        .collect();
    let fuzz = root().join("fuzz");
    // The run's command, as SECURITY.md's record names it.
    let run_args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !matches!(*a, "--record" | "--from-logs"))
        .collect();
    let command = format!("cargo xtask fuzz {}", run_args.join(" "));
    if args.iter().any(|a| a == "--from-logs") {
        // A run made earlier (or elsewhere): its logs are all there is.
        let figures = targets
            .iter()
            .map(|&target| from_log(&fuzz, target))
            .collect::<Result<Vec<_>, _>>()?;
        // The commit the logged run built, which the run wrote beside them.
        let commit = std::fs::read_to_string(fuzz.join("logs").join("commit"))
            .map_or_else(|_| "?".into(), |c| c.trim().to_string());
        return fuzz_record::write(&figures, &command, &commit);
    }
    ensure_cargo_fuzz()?;
    step(
        "building the fuzz targets (release; this project's crates coverage-instrumented, \
         Wasmer, Cranelift and wasmtime not; the first build compiles them, many minutes)",
        fuzz_command(&fuzz)?.args(["build", "-O", "--sanitizer", "none"]),
    )?;
    let logs = fuzz.join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
    std::fs::write(logs.join("commit"), fuzz_record::commit())
        .map_err(|e| format!("cannot write {}: {e}", logs.display()))?;
    let mut report = Vec::new();
    if args.iter().any(|a| a == "--parallel") {
        // All at once: each run is one thread, so on a machine with cores
        // to spare the whole takes as long as the slowest target.
        let running: Vec<Running> = targets
            .iter()
            .map(|target| start(&fuzz, target, &budget))
            .collect::<Result<_, _>>()?;
        for run in running {
            report.push(run.finish()?);
        }
    } else {
        for target in targets {
            report.push(start(&fuzz, target, &budget)?.finish()?);
        }
    }
    let mode = if args.iter().any(|a| a == "--parallel") {
        ", in parallel"
    } else {
        ""
    };
    println!(
        "\nfuzzing summary ({} per target{mode}):",
        budget.describe()
    );
    println!(
        "  {:<14} {:>12} {:>10} {:>12} {:>8}",
        "target", "inputs", "seconds", "inputs/s", "crashes"
    );
    let mut failed = false;
    for outcome in &report {
        println!(
            "  {:<14} {:>12} {:>10.0} {:>12.0} {:>8}{}",
            outcome.target,
            outcome.executions,
            outcome.seconds,
            outcome.per_second(),
            outcome.crashes.len(),
            if outcome.ok { "" } else { "  (run failed)" }
        );
    }
    for outcome in &report {
        for crash in &outcome.crashes {
            println!(
                "    reproduce: fuzz/target/{}/release/{} {crash}",
                host_triple(),
                outcome.target
            );
        }
        if !outcome.ok {
            println!("    {}: see {}", outcome.target, outcome.log);
        }
        failed |= !outcome.ok || !outcome.crashes.is_empty();
    }
    if args.iter().any(|a| a == "--record") {
        let figures: Vec<Figures> = report
            .iter()
            .map(|o| {
                let log = std::fs::read_to_string(&o.log).unwrap_or_default();
                Figures::from_log(o.target, &log, o.seconds, o.crashes.len())
            })
            .collect();
        fuzz_record::write(&figures, &command, &fuzz_record::commit())?;
    }
    if failed {
        return Err("a fuzz target crashed or failed; see the artifacts above".into());
    }
    Ok(())
}

/// The figures of `target`'s last run, from its log in `fuzz/logs/` (the
/// time libFuzzer reports) and the crash files in its artifacts.
fn from_log(fuzz: &Path, target: &'static str) -> Result<Figures, String> {
    let path = fuzz.join("logs").join(format!("{target}.log"));
    let log = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // `Done 1000000 runs in 948 second(s)`
    let seconds = log
        .lines()
        .find_map(|l| l.strip_prefix("Done ")?.split(" runs in ").nth(1))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .ok_or(format!("{}: the run did not finish", path.display()))?;
    let crashes = crash_files(&fuzz.join("artifacts").join(target)).len();
    Ok(Figures::from_log(target, &log, seconds, crashes))
}

/// One target's libFuzzer run, started.
struct Running {
    target: &'static str,
    child: Child,
    start: Instant,
    log_path: PathBuf,
    artifacts: PathBuf,
    earlier: Vec<String>,
}

/// Starts `target` under libFuzzer within `budget`, its log in `fuzz/logs/`.
fn start(fuzz: &Path, target: &'static str, budget: &Budget) -> Result<Running, String> {
    println!("\n==> fuzzing `{target}` for {}", budget.describe());
    let corpus = fuzz.join("corpus").join(target);
    let logs = fuzz.join("logs");
    for dir in [&corpus, &logs] {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let log_path = logs.join(format!("{target}.log"));
    let log_file = std::fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    println!("    libFuzzer's output goes to {}", log_path.display());
    let artifacts = fuzz.join("artifacts").join(target);
    let earlier = crash_files(&artifacts);
    let child = fuzz_command(fuzz)?
        .args(["run", "-O", "--sanitizer", "none", target])
        .arg("--")
        .args(budget.flags())
        .arg("-max_len=4096")
        .arg("-print_final_stats=1")
        .args(target_flags(target))
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
    Ok(Running {
        target,
        child,
        start: Instant::now(),
        log_path,
        artifacts,
        earlier,
    })
}

impl Running {
    /// Waits for the run to end and reads what it did from its log.
    fn finish(mut self) -> Result<Outcome, String> {
        let target = self.target;
        let status = self
            .child
            .wait()
            .map_err(|e| format!("waiting for `{target}`: {e}"))?;
        let seconds = self.start.elapsed().as_secs_f64();
        let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let outcome = Outcome {
            target,
            executions: stat(&log, "stat::number_of_executed_units:").unwrap_or(0),
            seconds,
            crashes: crash_files(&self.artifacts)
                .into_iter()
                .filter(|f| !self.earlier.contains(f))
                .collect(),
            log: self.log_path.display().to_string(),
            ok: status.success(),
        };
        println!(
            "    {target}: {} inputs in {seconds:.0} s, {:.0} inputs/s, {} crash file(s){}",
            outcome.executions,
            outcome.per_second(),
            outcome.crashes.len(),
            if outcome.ok { "" } else { " (the run failed)" }
        );
        if !outcome.ok {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            for line in tail.into_iter().rev() {
                println!("    | {line}");
            }
        }
        Ok(outcome)
    }
}

/// libFuzzer flags of one target.
///
/// One `lift_lower` input runs two runtimes instantiating and calling a
/// guest, and libFuzzer's entropic scheduling and input reduction do work
/// per edge and per input: when every crate was instrumented, with them on,
/// 95% of the target's time went to libFuzzer's feature bookkeeping, and it
/// ran 22 inputs a second; without, 4 to 5 times more.
fn target_flags(target: &str) -> &'static [&'static str] {
    match target {
        "lift_lower" => &["-entropic=0", "-reduce_inputs=0"],
        _ => &[],
    }
}

/// `cargo fuzz` in `dir`, building as [`rustc_wrapper`] says.
///
/// The targets run without AddressSanitizer: the code they reach forbids
/// `unsafe` (but for slots-core's two casts after a type id comparison),
/// so memory errors would be Wasmer's, and ASan cannot follow
/// Wasmer's traps, which leave host calls by switching stacks (it reports
/// every trap as a stack-buffer-overflow). A panic, an assertion or an
/// abort is still a crash. cargo-fuzz passes `-Z` flags, which stable
/// rustc takes when told it is bootstrapping.
fn fuzz_command(dir: &Path) -> Result<Command, String> {
    let wrapper =
        std::env::current_exe().map_err(|e| format!("cannot find the xtask binary: {e}"))?;
    let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    // Sets these builds apart from plain `cargo fuzz` ones (which
    // instrument every crate) in cargo's fingerprints, so that neither
    // reuses the other's artifacts.
    flags.push_str(" --cfg slots_fuzz_project_coverage");
    let mut command = cargo();
    command
        .arg("fuzz")
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTC_WRAPPER", wrapper)
        .env(WRAPPER_ROOT, root())
        .env("RUSTFLAGS", flags.trim())
        .current_dir(dir);
    Ok(command)
}

/// Set to the repository's root, it makes the xtask binary a rustc
/// wrapper (see [`rustc_wrapper`]).
pub(crate) const WRAPPER_ROOT: &str = "SLOTS_XTASK_FUZZ_ROOT";

/// cargo's rustc wrapper for the fuzz build: runs rustc (the first
/// argument) with the rest, minus cargo-fuzz's coverage flags for every
/// crate from outside `root`.
///
/// cargo-fuzz puts its sanitizer-coverage flags in `RUSTFLAGS`, so every
/// crate gets them: Wasmer, Cranelift and wasmtime too. Their edges are
/// noise for targets aimed at this project's code, instrumented code runs
/// slower, and libFuzzer scans every counter after each input. Crates whose
/// manifest is under `root` (this project's, the fuzz targets) keep the
/// flags; `--cfg fuzzing` and the rest stay for all.
pub(crate) fn rustc_wrapper(root: &Path) -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(rustc) = args.next() else {
        eprintln!("xtask: as a rustc wrapper, the first argument is rustc");
        return ExitCode::FAILURE;
    };
    let args: Vec<OsString> = args.collect();
    let ours =
        std::env::var_os("CARGO_MANIFEST_DIR").is_some_and(|dir| Path::new(&dir).starts_with(root));
    let args = if ours { args } else { without_coverage(args) };
    match Command::new(&rustc).args(&args).status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(
            status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1),
        ),
        Err(e) => {
            eprintln!("xtask: cannot run {}: {e}", rustc.to_string_lossy());
            ExitCode::FAILURE
        }
    }
}

/// `args` without cargo-fuzz's coverage instrumentation: the sancov pass,
/// its options, and the branch folding it turns off.
fn without_coverage(args: Vec<OsString>) -> Vec<OsString> {
    let coverage = |codegen: &str| {
        codegen == "passes=sancov-module"
            || codegen.starts_with("llvm-args=-sanitizer-coverage")
            || codegen.starts_with("llvm-args=-simplifycfg-branch-fold-threshold")
    };
    let mut kept = Vec::with_capacity(args.len());
    let mut args = args.into_iter().peekable();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if let Some(codegen) = text.strip_prefix("-C")
            && !codegen.is_empty()
        {
            if coverage(codegen) {
                continue;
            }
        } else if text == "-C"
            && args
                .peek()
                .is_some_and(|next| coverage(&next.to_string_lossy()))
        {
            args.next();
            continue;
        }
        kept.push(arg);
    }
    kept
}

/// The target triple cargo-fuzz builds for: this machine's.
fn host_triple() -> String {
    let output = Command::new("rustc").arg("-vV").output();
    output
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        })
        .unwrap_or_else(|| "<host triple>".into())
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
pub(crate) fn stat(log: &str, key: &str) -> Option<u64> {
    log.lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.trim().parse().ok())
}

/// The crash, leak and timeout files libFuzzer left in `dir`.
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
