//! `cargo xtask profile-wasi [--count N]`: where instantiating a WASI guest
//! goes, from callgrind, against the same guest without WASI.
//!
//! It runs the `wasi` benchmark binary in its profile mode
//! (`SLOTS_WASI_PROFILE=N`: each side instantiated and torn down N times,
//! one function per phase) under `valgrind --tool=callgrind`, collecting
//! only inside `profile_run`, and writes the instructions per instance by
//! phase, and the wasmer-wasix functions that cost the most, to
//! `target/bench-results/wasi-profile.md`, then into BENCHMARKS.md.
//! Instruction counts are deterministic: a loaded machine does not move
//! them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use crate::guests;
use crate::run::{cargo, root, step};

/// The title of the section this command writes.
pub(crate) const TITLE: &str = "## Where a WASI instantiation goes (callgrind)";

/// The phases, in the order an instance goes through them: (function
/// suffix, what it does).
const PHASES: &[(&str, &str)] = &[
    ("store", "`Store::new` on the shared engine"),
    (
        "state",
        "`WasiState::new`: wasmer-wasix's environment (`WasiEnvBuilder::finalize`) and its imports",
    ),
    ("env", "`bindings::new_env`: the slots instance state"),
    ("imports", "the world's imports (`Guest::add_to_imports`)"),
    (
        "instantiate",
        "`Guest::instantiate` (`wasmer::Instance::new`)",
    ),
    (
        "start",
        "`WasiState::start_guest`: `WasiFunctionEnv::initialize`, `_initialize`",
    ),
    (
        "teardown",
        "teardown: the handle table; for WASI `on_exit` too",
    ),
    ("drop", "dropping the guest and its store"),
];

/// The functions the WASI side calls that the plain side does not, as
/// (what to look for in a function's name, how to show it).
const WASI_FUNCTIONS: &[(&str, &str)] = &[
    (
        "generate_import_object_from_env",
        "`generate_import_object_from_env`: every `wasi_snapshot_preview1` function (47, and `wasi`'s 1) made for the instance and named in an `Imports`",
    ),
    (
        "Imports::register_namespace",
        "of which `Imports::register_namespace` (the names, hashed)",
    ),
    ("WasiEnvBuilder::build_init", "`WasiEnvBuilder::build_init`"),
    ("WasiFs::new_with_preopen", "`WasiFs::new_with_preopen`"),
    (
        "WasiFs::create_stdout",
        "`WasiFs::create_stdout` (and stdin, stderr)",
    ),
    (
        "WasiEnv::from_init",
        "`WasiEnv::from_init` (process, thread)",
    ),
    (
        "WasiControlPlane::new_process",
        "`WasiControlPlane::new_process`",
    ),
    (
        "WasiFunctionEnv::initialize",
        "`WasiFunctionEnv::initialize`",
    ),
    (
        "WasiModuleInstanceHandles::new",
        "`WasiModuleInstanceHandles::new` (the exports it looks up by name)",
    ),
    ("WasiFunctionEnv::on_exit", "`WasiFunctionEnv::on_exit`"),
    (
        "drop_in_place<wasmer_wasix::state::env::WasiEnv>",
        "dropping the `WasiEnv`",
    ),
];

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let count: u64 = match args.iter().position(|a| a == "--count") {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .ok_or("--count takes a number")?,
        None => 200,
    };
    let fragment = profile(count)?;
    crate::bench::splice(&fragment)?;
    println!(
        "\nwrote the profile into {}",
        root().join("BENCHMARKS.md").display()
    );
    Ok(())
}

/// Profiles `count` instantiations of each side; returns the section and
/// leaves it in `target/bench-results/wasi-profile.md`.
pub(crate) fn profile(count: u64) -> Result<String, String> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        return Err("valgrind is not installed (the profile runs under callgrind)".into());
    }
    guests::build()?;
    let exe = bench_binary()?;
    let results = root().join("target/bench-results");
    std::fs::create_dir_all(&results)
        .map_err(|e| format!("cannot create {}: {e}", results.display()))?;
    let out = results.join("wasi.callgrind");
    step(
        &format!("profiling {count} instantiations of each side under callgrind (a few minutes)"),
        Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg("--toggle-collect=*profile_run*")
            .arg(&exe)
            .env("SLOTS_WASI_PROFILE", count.to_string())
            .env("SLOTS_GUESTS_DIR", guests::out_dir())
            .env("SLOTS_WASI_GUESTS_DIR", guests::wasi_out_dir())
            .current_dir(root()),
    )?;
    let annotated = Command::new("callgrind_annotate")
        .args(["--inclusive=yes", "--tree=calling", "--threshold=100"])
        .arg(&out)
        .output()
        .map_err(|e| format!("cannot run callgrind_annotate: {e}"))?;
    if !annotated.status.success() {
        return Err(format!(
            "callgrind_annotate failed: {}",
            String::from_utf8_lossy(&annotated.stderr)
        ));
    }
    let tree = call_tree(&String::from_utf8_lossy(&annotated.stdout));
    // The warm-up round adds one instance to each side.
    let instances = count + 1;
    let text = render(&tree, instances)?;
    let path = results.join("wasi-profile.md");
    std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(text)
}

/// Builds the `wasi` benchmark and returns its executable.
fn bench_binary() -> Result<PathBuf, String> {
    println!("\n==> building the `wasi` benchmark (release)");
    let output = cargo()
        .args([
            "bench",
            "--locked",
            "--package",
            "slots-host",
            "--bench",
            "wasi",
            "--no-run",
            "--message-format=json",
        ])
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "building the benchmark failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    // One JSON message a line; the benchmark's names its executable.
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.contains(r#""kind":["bench"]"#) && l.contains(r#""name":"wasi""#))
        .find_map(|l| {
            let start = l.find(r#""executable":""#)? + r#""executable":""#.len();
            let end = l[start..].find('"')? + start;
            Some(PathBuf::from(&l[start..end]))
        })
        .ok_or_else(|| "cargo named no executable for the `wasi` benchmark".into())
}

/// What callgrind_annotate's call tree (`--tree=calling`) says: the
/// inclusive instructions of each function (its `*` lines; a function
/// split over several source files keeps its largest), and those of the
/// calls each function makes (its `>` lines, added up over its blocks).
#[derive(Default)]
struct Tree {
    inclusive: BTreeMap<String, u64>,
    calls: BTreeMap<(String, String), u64>,
}

/// Reads lines `  1,234 (5.6%)  *  file:function [object]` and
/// `  1,234 (5.6%)  >   file:function (3x) [object]` (the percentage only
/// in newer valgrind).
fn call_tree(text: &str) -> Tree {
    let mut tree = Tree::default();
    let mut caller: Option<String> = None;
    for line in text.lines() {
        let mut rest = line.trim_start();
        let Some(end) = rest.find(' ') else {
            continue;
        };
        let Ok(ir) = rest[..end].replace(',', "").parse::<u64>() else {
            continue;
        };
        rest = rest[end..].trim_start();
        if rest.starts_with('(') {
            let Some(close) = rest.find(')') else {
                continue;
            };
            rest = rest[close + 1..].trim_start();
        }
        let (call, rest) = match rest.as_bytes().first() {
            Some(b'*') => (false, rest[1..].trim_start()),
            Some(b'>') => (true, rest[1..].trim_start()),
            _ => continue,
        };
        let Some(name) = function_name(rest) else {
            continue;
        };
        if call {
            if let Some(caller) = &caller {
                *tree.calls.entry((caller.clone(), name)).or_insert(0) += ir;
            }
        } else {
            let entry = tree.inclusive.entry(name.clone()).or_insert(0);
            *entry = (*entry).max(ir);
            caller = Some(name);
        }
    }
    tree
}

/// The function of `file:function (3x) [object]`, without a legacy
/// mangling hash.
fn function_name(text: &str) -> Option<String> {
    let colon = text.find(':')?;
    let mut name = &text[colon + 1..];
    if let Some(object) = name.rfind(" [") {
        name = &name[..object];
    }
    if let Some(count) = name.rfind(" (")
        && name.ends_with("x)")
    {
        name = &name[..count];
    }
    let mut name = name.trim();
    // A legacy-mangled name may keep its hash (`::h0123456789abcdef`).
    if let Some(hash) = name.rfind("::h")
        && name.len() - hash == 19
        && name[hash + 3..].chars().all(|c| c.is_ascii_hexdigit())
    {
        name = &name[..hash];
    }
    Some(name.to_string())
}

/// The instructions of the calls the benchmark's function `caller` makes
/// to its function `callee`.
fn call_cost(tree: &Tree, caller: &str, callee: &str) -> Option<u64> {
    let (caller, callee) = (format!("::{caller}"), format!("::{callee}"));
    let total: u64 = tree
        .calls
        .iter()
        .filter(|((from, to), _)| from.ends_with(&caller) && to.ends_with(&callee))
        .map(|(_, ir)| *ir)
        .sum();
    (total > 0).then_some(total)
}

/// The largest inclusive cost of a function whose name contains `needle`.
fn cost_of(costs: &BTreeMap<String, u64>, needle: &str) -> Option<u64> {
    costs
        .iter()
        .filter(|(name, _)| name.contains(needle))
        .map(|(_, ir)| *ir)
        .max()
}

/// The section: a table of phases, the functions of the WASI side, and
/// what the counts say.
fn render(tree: &Tree, instances: u64) -> Result<String, String> {
    let costs = &tree.inclusive;
    let per = |ir: u64| ir as f64 / instances as f64;
    let plain_total = call_cost(tree, "profile_run", "profile_plain").ok_or(
        "the profile has no `profile_plain`: was the benchmark built with its profile mode?",
    )?;
    let wasi_total = call_cost(tree, "profile_run", "profile_wasi")
        .ok_or("the profile has no `profile_wasi`")?;
    let mut md = format!("{TITLE}\n\n");
    md.push_str(&format!(
        "Written by `cargo xtask profile-wasi`: the `wasi` benchmark's profile mode instantiates \
         and tears down the `printing` guest {instances} times on each side (plain \
         wasm32-unknown-unknown, and wasm32-wasip1 with a `WasiState`), one function per phase, \
         under `valgrind --tool=callgrind`. Figures are instructions (Ir) per instance, inclusive \
         of everything a phase calls; instruction counts do not move with the machine's load, \
         but they weigh a cache miss or a system call like any instruction, so their ratio is a \
         guide to the time ratio, not the same figure.\n\n"
    ));
    md.push_str("| phase | plain Ir | WASI Ir | WASI extra | share of the extra |\n");
    md.push_str("|---|---:|---:|---:|---:|\n");
    let extra_total = wasi_total.saturating_sub(plain_total) as f64;
    for (phase, label) in PHASES {
        let plain =
            call_cost(tree, "profile_plain", &format!("profile_plain_{phase}")).unwrap_or(0);
        let wasi = call_cost(tree, "profile_wasi", &format!("profile_wasi_{phase}")).unwrap_or(0);
        let extra = wasi as f64 - plain as f64;
        md.push_str(&format!(
            "| {label} | {} | {} | {} | {:.0}% |\n",
            thousands(per(plain)),
            thousands(per(wasi)),
            signed(per_f(extra, instances)),
            if extra_total > 0.0 {
                100.0 * extra / extra_total
            } else {
                0.0
            }
        ));
    }
    let mut shares: Vec<(&str, f64)> = PHASES
        .iter()
        .map(|(phase, _)| {
            let plain =
                call_cost(tree, "profile_plain", &format!("profile_plain_{phase}")).unwrap_or(0);
            let wasi =
                call_cost(tree, "profile_wasi", &format!("profile_wasi_{phase}")).unwrap_or(0);
            (*phase, wasi as f64 - plain as f64)
        })
        .collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1));
    md.push_str(&format!(
        "| **whole instance** | **{}** | **{}** | **{}** | **{:.2}x** instructions |\n\n",
        thousands(per(plain_total)),
        thousands(per(wasi_total)),
        signed(per_f(extra_total, instances)),
        wasi_total as f64 / plain_total as f64
    ));
    md.push_str(
        "wasmer-wasix's own functions on the WASI side (inclusive, so a function's figure holds \
         those it calls; shares are of the WASI side's extra instructions):\n\n\
         | function | Ir per instance | share of the extra |\n|---|---:|---:|\n",
    );
    for (needle, label) in WASI_FUNCTIONS {
        if let Some(ir) = cost_of(costs, needle) {
            md.push_str(&format!(
                "| {label} | {} | {:.0}% |\n",
                thousands(per(ir)),
                if extra_total > 0.0 {
                    100.0 * ir as f64 / extra_total
                } else {
                    0.0
                }
            ));
        }
    }
    if extra_total > 0.0 {
        let top: Vec<String> = shares
            .iter()
            .take(3)
            .map(|(phase, extra)| format!("`{phase}` {:.0}%", 100.0 * extra / extra_total))
            .collect();
        md.push_str(&format!(
            "\nThe phases that carry most of the WASI side's extra instructions: {}.\n",
            top.join(", ")
        ));
    }
    md.push_str(
        "\nWhat the host cannot cut: wasmer-wasix's syscalls are private, so the only way to \
         get WASI functions for an environment is a whole version's import object \
         (`generate_import_object_from_env`), every function made in the instance's store and \
         named, though the guest imports a handful; `WasiState` passes on only those imported, \
         which trims instantiation and the store, not the making. `WasiEnvBuilder` makes a \
         control plane, a process and a thread, a file system with its stdio inodes and a \
         command table for every environment, and takes none of them prebuilt; `initialize` \
         looks the instance's exports up by name. What the host builds once is `WasiHost` \
         (the tokio runtime, task manager and wasmer-wasix `Runtime`) and the compiled module.\n",
    );
    md.push('\n');
    Ok(md)
}

fn per_f(ir: f64, instances: u64) -> f64 {
    ir / instances as f64
}

/// `1234567.8` as `1,234,568`.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

fn signed(value: f64) -> String {
    if value >= 0.0 {
        format!("+{}", thousands(value))
    } else {
        thousands(value)
    }
}

#[cfg(test)]
mod tests {
    use super::{call_cost, call_tree, thousands};

    #[test]
    fn call_tree_lines_are_read_with_or_without_percentages() {
        let tree = call_tree(
            "  1,234,567 (50.0%)  *  ???:wasi::profile_wasi::h0123456789abcdef [/x/wasi-1]\n\
             1,000 ( 0.1%)  >   a.rs:wasi::profile_wasi_state (201x) [/x/wasi-1]\n\
             \n\
             9,876  *  /src/b.rs:wasi::profile_wasi [/x/wasi-1]\n\
             500  >   a.rs:wasi::profile_wasi_state (201x) [/x/wasi-1]\n\
             Ir  file:function\n",
        );
        assert_eq!(tree.inclusive.get("wasi::profile_wasi"), Some(&1_234_567));
        assert_eq!(
            call_cost(&tree, "profile_wasi", "profile_wasi_state"),
            Some(1_500)
        );
        assert_eq!(tree.inclusive.len(), 1);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-1000.0), "-1,000");
    }
}
