//! The `slots-host` command line: run one guest, or a scenario of several
//! tenants on one host.

mod outcome;
mod report;
mod scenarios;
mod stage;

use std::path::PathBuf;

pub(crate) const USAGE: &str = "\
usage: slots-host run GUEST.wasm [--namespace NS] [--tell SUBJECT]... [--function NAME] [--expect-trap TEXT]
       slots-host tenants TENANTS.wasm   two tenants open one key; a restarted tenant finds it warm
       slots-host grants GRANTS.wasm     a grant between tenants, then a revocation";

/// One guest, run once.
pub(crate) struct RunArgs {
    pub(crate) wasm: PathBuf,
    pub(crate) namespace: String,
    pub(crate) tell: Vec<String>,
    pub(crate) function: String,
    pub(crate) expect_trap: Option<String>,
}

/// What the command line asks for.
pub(crate) enum Command {
    Run(RunArgs),
    Tenants(PathBuf),
    Grants(PathBuf),
}

/// Parses the arguments after the program name.
pub(crate) fn parse(args: &[String]) -> Result<Command, String> {
    let mut rest = args.iter();
    let command = rest.next().ok_or(USAGE)?;
    let wasm: PathBuf = rest.next().ok_or(USAGE)?.into();
    match command.as_str() {
        "run" => {}
        "tenants" | "grants" if rest.len() > 0 => {
            return Err(format!("`{command}` takes no options\n{USAGE}"));
        }
        "tenants" => return Ok(Command::Tenants(wasm)),
        "grants" => return Ok(Command::Grants(wasm)),
        other => return Err(format!("unknown command `{other}`\n{USAGE}")),
    }
    let mut run = RunArgs {
        wasm,
        namespace: "demo".into(),
        tell: Vec::new(),
        function: "run".into(),
        expect_trap: None,
    };
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?
            .clone();
        match flag.as_str() {
            "--namespace" => run.namespace = value,
            "--tell" => run.tell.push(value),
            "--function" => run.function = value,
            "--expect-trap" => run.expect_trap = Some(value),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    Ok(Command::Run(run))
}

/// Carries out `command`.
pub(crate) fn execute(command: Command) -> Result<(), String> {
    match command {
        Command::Run(args) => scenarios::single(&args),
        Command::Tenants(wasm) => scenarios::tenants(&wasm),
        Command::Grants(wasm) => scenarios::grants(&wasm),
    }
}
