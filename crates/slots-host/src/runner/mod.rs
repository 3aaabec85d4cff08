//! The `slots-host` command line: run one guest, or a scenario of several
//! tenants on one host.

mod outcome;
mod report;
mod scenarios;
mod stage;

use std::path::PathBuf;

pub(crate) const USAGE: &str = "\
usage: slots-host run GUEST.wasm [--namespace NS] [--tell SUBJECT]... [--expect-trap TEXT]
                  [--instances N] [--dir HOST[:GUEST]]... [--env KEY=VALUE]... [-- ARGS...]
       slots-host tenants TENANTS.wasm   two tenants open one key; a restarted tenant finds it warm
       slots-host grants GRANTS.wasm     a grant between tenants, then a revocation

A WASI guest (wasm32-wasip1) gets only what is granted: each --dir preopens
HOST as GUEST (default: HOST's path, taken from /), each --env sets a
variable, ARGS follow the program name; its output is the runner's, and
its exit code the runner's.";

/// One guest, run once (or `instances` times on one host).
pub(crate) struct RunArgs {
    pub(crate) wasm: PathBuf,
    pub(crate) namespace: String,
    pub(crate) tell: Vec<String>,
    pub(crate) expect_trap: Option<String>,
    pub(crate) instances: usize,
    /// What a WASI guest is granted.
    pub(crate) wasi: WasiArgs,
}

/// The grants of a WASI guest, as `wasmer run` takes them.
#[derive(Default)]
pub(crate) struct WasiArgs {
    pub(crate) dirs: Vec<(PathBuf, String)>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) args: Vec<String>,
}

impl WasiArgs {
    /// Whether anything is granted.
    pub(crate) fn is_empty(&self) -> bool {
        self.dirs.is_empty() && self.env.is_empty() && self.args.is_empty()
    }
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
        expect_trap: None,
        instances: 1,
        wasi: WasiArgs::default(),
    };
    while let Some(flag) = rest.next() {
        if flag == "--" {
            run.wasi.args = rest.cloned().collect();
            break;
        }
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?
            .clone();
        match flag.as_str() {
            "--namespace" => run.namespace = value,
            "--tell" => run.tell.push(value),
            "--expect-trap" => run.expect_trap = Some(value),
            "--instances" => {
                run.instances =
                    value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("--instances takes a positive number, not `{value}`")
                    })?;
            }
            "--dir" => run.wasi.dirs.push(dir(&value)),
            "--env" => {
                let (key, value) = value
                    .split_once('=')
                    .ok_or_else(|| format!("--env takes KEY=VALUE, not `{value}`"))?;
                run.wasi.env.push((key.into(), value.into()));
            }
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    Ok(Command::Run(run))
}

/// `HOST[:GUEST]`: the guest path defaults to the host path, from `/`.
fn dir(value: &str) -> (PathBuf, String) {
    match value.rsplit_once(':') {
        Some((host, guest)) if !host.is_empty() && guest.starts_with('/') => {
            (host.into(), guest.into())
        }
        _ => (value.into(), format!("/{}", value.trim_start_matches('/'))),
    }
}

/// Carries out `command`; `Some(code)` when a WASI guest exited with one.
pub(crate) fn execute(command: Command) -> Result<Option<u32>, String> {
    match command {
        Command::Run(args) => scenarios::single(&args),
        Command::Tenants(wasm) => scenarios::tenants(&wasm).map(|()| None),
        Command::Grants(wasm) => scenarios::grants(&wasm).map(|()| None),
    }
}

#[cfg(test)]
mod tests {
    use super::dir;

    #[test]
    fn a_dir_is_mapped_where_asked_or_at_its_own_path() {
        assert_eq!(dir("pats:/patterns"), ("pats".into(), "/patterns".into()));
        assert_eq!(dir("/srv/p"), ("/srv/p".into(), "/srv/p".into()));
        assert_eq!(dir("p"), ("p".into(), "/p".into()));
    }
}
