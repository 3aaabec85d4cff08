//! The command line: run one guest, or a scenario of several tenants on
//! one host.

use std::ffi::OsString;
use std::path::PathBuf;

use lexopt::{Arg, Parser, ValueExt};

pub(crate) const USAGE: &str = "\
usage: slots-runner run GUEST.wasm [--namespace NS] [--tell SUBJECT]... [--expect-trap TEXT]
                    [--instances N] [--dir HOST[:GUEST]]... [--env KEY=VALUE]... [-- ARGS...]
       slots-runner tenants TENANTS.wasm   two tenants open one key; a restarted tenant finds it warm
       slots-runner grants GRANTS.wasm     a grant between tenants, then a revocation
       slots-runner --help                 this text

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
    /// `--help` (or `-h`) anywhere before `--`: print [`USAGE`].
    Help,
}

/// Parses the arguments after the program name.
pub(crate) fn parse(
    args: impl IntoIterator<Item = impl Into<OsString>>,
) -> Result<Command, String> {
    let mut parser = Parser::from_args(args);
    // `--help` wins over everything else on the line, as in most tools, so
    // that a half-written command still shows how to finish it.
    match parse_command(&mut parser) {
        Err(Problem::Help) => Ok(Command::Help),
        Err(Problem::Usage(message)) => Err(message),
        Ok(command) => Ok(command),
    }
}

/// Why parsing stopped short of a command.
enum Problem {
    Help,
    Usage(String),
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Self::Usage(message)
    }
}

impl From<lexopt::Error> for Problem {
    fn from(error: lexopt::Error) -> Self {
        Self::Usage(format!("{error}\n{USAGE}"))
    }
}

fn parse_command(parser: &mut Parser) -> Result<Command, Problem> {
    let command = match next(parser)? {
        Some(Arg::Value(command)) => command.string()?,
        Some(other) => return Err(unknown(other)),
        None => return Err(USAGE.to_string().into()),
    };
    match command.as_str() {
        "run" => parse_run(parser),
        "tenants" | "grants" => {
            let wasm = match next(parser)? {
                Some(Arg::Value(wasm)) => PathBuf::from(wasm),
                Some(other) => return Err(unknown(other)),
                None => return Err(USAGE.to_string().into()),
            };
            if next(parser)?.is_some() || !raw_rest(parser)?.is_empty() {
                return Err(format!("`{command}` takes no options\n{USAGE}").into());
            }
            Ok(if command == "tenants" {
                Command::Tenants(wasm)
            } else {
                Command::Grants(wasm)
            })
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}").into()),
    }
}

/// `run GUEST.wasm` and its options, in any order; everything after `--`
/// is the guest's.
fn parse_run(parser: &mut Parser) -> Result<Command, Problem> {
    let mut wasm = None;
    let mut run = RunArgs {
        wasm: PathBuf::new(),
        namespace: "demo".into(),
        tell: Vec::new(),
        expect_trap: None,
        instances: 1,
        wasi: WasiArgs::default(),
    };
    while let Some(arg) = next(parser)? {
        let flag = match arg {
            Arg::Value(path) if wasm.is_none() => {
                wasm = Some(PathBuf::from(path));
                continue;
            }
            Arg::Long(
                flag @ ("namespace" | "tell" | "expect-trap" | "instances" | "dir" | "env"),
            ) => flag.to_string(),
            other => return Err(unknown(other)),
        };
        let value = parser
            .value()
            .map_err(|_| format!("--{flag} needs a value\n{USAGE}"))?
            .string()?;
        match flag.as_str() {
            "namespace" => run.namespace = value,
            "tell" => run.tell.push(value),
            "expect-trap" => run.expect_trap = Some(value),
            "instances" => {
                run.instances =
                    value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("--instances takes a positive number, not `{value}`")
                    })?;
            }
            "dir" => run.wasi.dirs.push(dir(&value)),
            _ => {
                let (key, value) = value
                    .split_once('=')
                    .ok_or_else(|| format!("--env takes KEY=VALUE, not `{value}`"))?;
                run.wasi.env.push((key.into(), value.into()));
            }
        }
    }
    run.wasi.args = raw_rest(parser)?;
    run.wasm = wasm.ok_or_else(|| USAGE.to_string())?;
    Ok(Command::Run(run))
}

/// The next argument before `--`, or `None` at `--` or the end; `--help`
/// and `-h` stop parsing.
fn next(parser: &mut Parser) -> Result<Option<Arg<'_>>, Problem> {
    // lexopt consumes `--` itself and hands on what follows as plain
    // values; the guest's arguments are told apart by looking first.
    if parser
        .try_raw_args()
        .is_some_and(|raw| raw.peek().is_some_and(|arg| arg == "--"))
    {
        return Ok(None);
    }
    match parser.next()? {
        Some(Arg::Long("help") | Arg::Short('h')) => Err(Problem::Help),
        arg => Ok(arg),
    }
}

/// The arguments after `--`, which go to the guest untouched.
fn raw_rest(parser: &mut Parser) -> Result<Vec<String>, Problem> {
    let mut raw = parser.raw_args()?;
    if raw.next_if(|arg| arg == "--").is_none() {
        return Ok(Vec::new());
    }
    raw.map(|arg| {
        arg.into_string()
            .map_err(|arg| Problem::from(lexopt::Error::NonUnicodeValue(arg)))
    })
    .collect()
}

/// The error for an argument nothing expected here.
fn unknown(arg: Arg<'_>) -> Problem {
    let what = match arg {
        Arg::Long(name) => format!("unknown option `--{name}`"),
        Arg::Short(letter) => format!("unknown option `-{letter}`"),
        Arg::Value(value) => format!("unexpected argument `{}`", value.to_string_lossy()),
    };
    Problem::Usage(format!("{what}\n{USAGE}"))
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

#[cfg(test)]
#[allow(clippy::panic, reason = "a test fails by panicking")]
mod tests {
    use super::{Command, USAGE, dir, parse};

    fn run(args: &[&str]) -> super::RunArgs {
        match parse(args) {
            Ok(Command::Run(run)) => run,
            Ok(_) => panic!("`{args:?}` is not `run`"),
            Err(message) => panic!("`{args:?}` was refused: {message}"),
        }
    }

    fn error(args: &[&str]) -> String {
        match parse(args) {
            Ok(_) => panic!("`{args:?}` was accepted"),
            Err(message) => message,
        }
    }

    #[test]
    fn a_dir_is_mapped_where_asked_or_at_its_own_path() {
        assert_eq!(dir("pats:/patterns"), ("pats".into(), "/patterns".into()));
        assert_eq!(dir("/srv/p"), ("/srv/p".into(), "/srv/p".into()));
        assert_eq!(dir("p"), ("p".into(), "/p".into()));
    }

    #[test]
    fn run_takes_every_option_and_gives_the_rest_after_dashes_to_the_guest() {
        let args = run(&[
            "run",
            "g.wasm",
            "--namespace",
            "ns",
            "--tell",
            "a",
            "--tell=b",
            "--expect-trap",
            "stale",
            "--instances",
            "2",
            "--dir",
            "pats:/patterns",
            "--env",
            "LINES=4",
            "--",
            "--namespace",
            "-h",
            "x",
        ]);
        assert_eq!(args.wasm, std::path::Path::new("g.wasm"));
        assert_eq!(args.namespace, "ns");
        assert_eq!(args.tell, ["a", "b"]);
        assert_eq!(args.expect_trap.as_deref(), Some("stale"));
        assert_eq!(args.instances, 2);
        assert_eq!(args.wasi.dirs, [("pats".into(), "/patterns".to_string())]);
        assert_eq!(args.wasi.env, [("LINES".to_string(), "4".to_string())]);
        assert_eq!(args.wasi.args, ["--namespace", "-h", "x"]);
    }

    #[test]
    fn run_defaults_to_one_instance_in_the_demo_namespace_granted_nothing() {
        let args = run(&["run", "g.wasm"]);
        assert_eq!(args.namespace, "demo");
        assert_eq!(args.instances, 1);
        assert!(args.tell.is_empty() && args.expect_trap.is_none() && args.wasi.is_empty());
        assert!(run(&["run", "g.wasm", "--"]).wasi.is_empty());
    }

    #[test]
    fn the_scenarios_take_their_guest_and_nothing_else() {
        assert!(
            matches!(parse(["tenants", "t.wasm"]), Ok(Command::Tenants(p)) if p.ends_with("t.wasm"))
        );
        assert!(
            matches!(parse(["grants", "g.wasm"]), Ok(Command::Grants(p)) if p.ends_with("g.wasm"))
        );
        for extra in [&["--namespace", "x"][..], &["more"], &["--", "x"]] {
            let args: Vec<&str> = ["tenants", "t.wasm"].iter().chain(extra).copied().collect();
            assert_eq!(error(&args), format!("`tenants` takes no options\n{USAGE}"));
        }
    }

    #[test]
    fn help_is_asked_for_anywhere_before_the_guests_arguments() {
        for args in [
            &["--help"][..],
            &["-h"],
            &["run", "--help"],
            &["run", "g.wasm", "-h"],
        ] {
            assert!(matches!(parse(args), Ok(Command::Help)), "{args:?}");
        }
        assert_eq!(
            run(&["run", "g.wasm", "--", "--help"]).wasi.args,
            ["--help"]
        );
    }

    #[test]
    fn mistakes_are_named_with_the_usage() {
        let cases: &[(&[&str], &str)] = &[
            (&[], USAGE),
            (&["run"], USAGE),
            (&["tenants"], USAGE),
            (&["walk", "g.wasm"], "unknown command `walk`"),
            (&["run", "g.wasm", "--fast"], "unknown option `--fast`"),
            (&["run", "g.wasm", "-f"], "unknown option `-f`"),
            (&["run", "g.wasm", "extra"], "unexpected argument `extra`"),
            (&["run", "g.wasm", "--tell"], "--tell needs a value"),
        ];
        for (args, expected) in cases {
            let message = error(args);
            assert!(message.starts_with(expected), "{args:?}: {message}");
            assert!(message.ends_with(USAGE), "{args:?}: {message}");
        }
        assert_eq!(
            error(&["run", "g.wasm", "--instances", "0"]),
            "--instances takes a positive number, not `0`"
        );
        assert_eq!(
            error(&["run", "g.wasm", "--env", "LINES"]),
            "--env takes KEY=VALUE, not `LINES`"
        );
    }
}
