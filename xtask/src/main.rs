//! `cargo xtask`: the project's tasks — test, demo, ci — as plain Rust.

mod bench;
mod ci;
mod demo;
mod fuzz;
mod fuzz_record;
mod guests;
mod layers;
mod profile;
mod run;
mod test;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test    every test: unit, property, integration, and each guest example end to end
  demo    build the example guests and run them on the host, showing handles,
          cache hits and a rejected stale handle
  ci      fmt check, clippy -D warnings, docs with warnings denied
  bench   the benchmark suite; writes BENCHMARKS.md (`--quick` for a smoke run;
          `--only wasi,scale` runs those alone and replaces their sections)
  profile-wasi
          where instantiating a WASI guest goes, from callgrind, against the
          same guest without WASI; writes its section of BENCHMARKS.md
          (`--count N` instances a side, default 200)
  fuzz    each fuzz target under libFuzzer for a bounded time or number of
          inputs (`--seconds N`, default 60; `--runs N`; `--parallel` to run
          the targets at once; target names to run only those), reporting
          inputs, inputs per second and crashes
";

fn main() -> ExitCode {
    // Run by cargo as the rustc wrapper of `cargo xtask fuzz`'s build.
    if let Some(root) = std::env::var_os(fuzz::WRAPPER_ROOT) {
        return fuzz::rustc_wrapper(std::path::Path::new(&root));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run(),
        Some("demo") => demo::run(),
        Some("ci") => ci::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("profile-wasi") => profile::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
