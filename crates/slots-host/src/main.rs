//! `slots-host`: runs a slots guest on the host and reports what its handles did.
//!
//! ```text
//! slots-host run GUEST.wasm [--function NAME] [--expect-trap TEXT]
//! ```
//!
//! Set `RUST_LOG=slots=debug` (or `trace`) to watch handles open, hit, miss
//! and drop.

use std::path::PathBuf;
use std::process::ExitCode;

use host_wasmer::abi::Val;
use host_wasmer::{CallError, HostConfig, SlotsHost};
use slots_host::{HostData, linker};
use wasmer::{Module, Store};

const USAGE: &str = "usage: slots-host run GUEST.wasm [--function NAME] [--expect-trap TEXT]";

struct Args {
    wasm: PathBuf,
    function: String,
    expect_trap: Option<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut rest = args.iter();
    if rest.next().map(String::as_str) != Some("run") {
        return Err(USAGE.into());
    }
    let wasm = rest.next().ok_or(USAGE)?.into();
    let (mut function, mut expect_trap) = ("run".to_string(), None);
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--function" => function = value.clone(),
            "--expect-trap" => expect_trap = Some(value.clone()),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    Ok(Args {
        wasm,
        function,
        expect_trap,
    })
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args).and_then(|args| run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("slots-host: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let bytes = std::fs::read(&args.wasm)
        .map_err(|e| format!("cannot read `{}`: {e}", args.wasm.display()))?;
    if !bytes.starts_with(b"\0asm") {
        return Err(format!(
            "`{}` is not a WebAssembly module (no \\0asm header)",
            args.wasm.display()
        ));
    }
    let host = SlotsHost::new(HostConfig::default());
    let linker = linker(host.clone()).map_err(|e| e.to_string())?;
    let mut store = Store::default();
    let module =
        Module::new(&store, &bytes).map_err(|e| format!("`{}`: {e}", args.wasm.display()))?;
    let instance = linker
        .instantiate(&mut store, &module, HostData::default(), "demo")
        .map_err(|e| format!("`{}`: {e}", args.wasm.display()))?;

    let outcome = instance.call(&mut store, &args.function, &[]);
    let counters = instance.counters(&store);
    let slots = instance.env(&store).table().slots_allocated();
    println!(
        "  handles issued   {:>8}   (opens and constructor results)",
        counters.opens
    );
    println!("  slots allocated  {:>8}   (freed slots are reused)", slots);
    println!("  live at the end  {:>8}", counters.live_handles);
    println!("  drops            {:>8}", counters.drops);
    println!(
        "  intern hits      {:>8}   (same key, same live handle)",
        counters.intern_hits
    );
    println!(
        "  cache hits       {:>8}   (released object, still warm)",
        counters.cache_hits
    );
    println!("  cache misses     {:>8}", counters.cache_misses);
    println!("  objects created  {:>8}", counters.creations);
    instance.teardown(&mut store);
    let totals = host.totals();
    println!(
        "  teardown: {} references released in all, {} leaked",
        totals.released,
        totals.leaked()
    );

    match (outcome, &args.expect_trap) {
        (Ok(Some(Val::Result(Ok(_)))) | Ok(None), None) => {
            println!("  result: ok");
            Ok(())
        }
        (Ok(Some(Val::Result(Err(Some(message))))), _) => match *message {
            Val::String(message) => Err(format!("the guest's check failed: {message}")),
            other => Err(format!("the guest failed with {other:?}")),
        },
        (Ok(other), None) => {
            println!("  result: {other:?}");
            Ok(())
        }
        (Ok(_), Some(expected)) => Err(format!(
            "expected a trap mentioning `{expected}`, but the guest returned"
        )),
        (Err(CallError::Trap { message, .. }), Some(expected))
            if message.contains(expected.as_str()) =>
        {
            println!("  rejected, as expected: {message}");
            Ok(())
        }
        (Err(error), _) => Err(error.to_string()),
    }
}
