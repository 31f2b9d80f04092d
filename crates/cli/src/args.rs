//! Command-line arguments (clap derive) and the usage errors that exit with 2.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::gate::Gate;

/// payrig: a pre-certification harness for payment APIs.
///
/// payrig's verdicts measure conformance to payrig's reading of public documentation and its
/// documented decisions; they are not an official certification.
#[derive(Debug, Parser)]
#[command(name = "payrig", version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("PAYRIG_COMMIT"), ")"))]
pub(crate) struct Cli {
    /// Log filter: a level (`error`, `warn`, `info`, `debug`, `trace`) or a tracing filter
    /// (`payrig_server=debug`). Default: `RUST_LOG`, else `warn`.
    #[arg(long, global = true, value_name = "LEVEL")]
    pub(crate) log: Option<String>,
    /// Print only errors.
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,
    /// No ANSI colours in logs (also when `NO_COLOR` is set).
    #[arg(long, global = true)]
    pub(crate) no_color: bool,
    /// A payrig configuration file (not implemented yet).
    #[arg(long, global = true, value_name = "FILE", hide = true)]
    pub(crate) config: Option<PathBuf>,
    /// Async worker threads (default: one per core). Each protocol's world is one
    /// lock-protected state machine, so on a box shared with the load generator one worker
    /// serves more than two (BENCHMARKS.md).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) workers: Option<u16>,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run payrig's reference servers (with simulated sites, pumps and PFEP) until Ctrl-C.
    Serve(ServeArgs),
    /// Run the conformance suite and write the reports.
    #[command(subcommand_required = true)]
    Certify(CertifyArgs),
    /// Re-render reports from a run directory, or grade a saved journal.
    Report(ReportArgs),
}

/// `payrig report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// A run directory written by `certify` (re-rendered from its results.json).
    #[arg(value_name = "DIR", required_unless_present = "journal")]
    pub(crate) dir: Option<PathBuf>,
    /// A journal database written by `serve --journal FILE`: grade the clients in it.
    #[arg(long, value_name = "FILE", conflicts_with = "dir")]
    pub(crate) journal: Option<PathBuf>,
    /// Protocols to grade from a journal (default: every protocol in it).
    #[arg(long, value_enum, value_name = "P")]
    pub(crate) protocol: Vec<ProtocolArg>,
    /// Where to write (default: the run directory itself, or `payrig-report`).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
}

/// A protocol name as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProtocolArg {
    /// ATIONet Fleet Mobile Payment API.
    Ationet,
    /// TECS Cloud-iA (semi-integrated REST ECR API).
    Tecs,
    /// MobiTEF (not implemented yet).
    Mobitef,
    /// Payneteasy (not implemented yet).
    Payneteasy,
    /// GoChip (not implemented yet).
    Gochip,
    /// Every implemented protocol.
    All,
}

/// Protocols payrig implements today.
pub(crate) const IMPLEMENTED: &[&str] = &["ationet", "tecs"];

impl ProtocolArg {
    fn name(self) -> &'static str {
        match self {
            ProtocolArg::Ationet => "ationet",
            ProtocolArg::Tecs => "tecs",
            ProtocolArg::Mobitef => "mobitef",
            ProtocolArg::Payneteasy => "payneteasy",
            ProtocolArg::Gochip => "gochip",
            ProtocolArg::All => "all",
        }
    }
}

/// Resolves protocol arguments into implemented protocol names (`all` and none = every one);
/// an unimplemented protocol is a usage error.
pub(crate) fn resolve_protocols(given: &[ProtocolArg]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if given.is_empty() || given.contains(&ProtocolArg::All) {
        return IMPLEMENTED.iter().map(|p| (*p).to_owned()).collect();
    }
    for p in given {
        let name = p.name();
        if !IMPLEMENTED.contains(&name) {
            not_implemented(&format!(
                "protocol `{name}` (implemented: {})",
                IMPLEMENTED.join(", ")
            ));
        }
        if !out.iter().any(|o| o == name) {
            out.push(name.to_owned());
        }
    }
    out
}

/// `real` or `virtual`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ClockArg {
    /// Wall clock: deadlines fire as they come due.
    Real,
    /// Virtual clock, moved only by `POST /_payrig/v1/clock/advance`.
    Virtual,
}

/// `payrig serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Protocols to serve (default: every implemented one, i.e. `ationet` and `tecs`; the
    /// server always answers both on the same listener).
    #[arg(value_enum, value_name = "PROTOCOL")]
    pub(crate) protocols: Vec<ProtocolArg>,
    /// Listen address.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub(crate) listen: SocketAddr,
    /// Scenario TOML; its `[ationet]` table configures tokens, sites, pumps and switches, its
    /// `[tecs]` table terminals, customers, credentials and timers (`cards_file` and
    /// `acquirer_profile_file` are read relative to the scenario file).
    /// Default: the built-in default scenario (fixtures/ationet/scenarios/default.toml).
    #[arg(long, value_name = "FILE")]
    pub(crate) scenario: Option<PathBuf>,
    /// Run seed: fixes every simulated draw.
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub(crate) seed: u64,
    /// Clock driving the simulation.
    #[arg(long, value_enum, default_value = "real", value_name = "real|virtual")]
    pub(crate) clock: ClockArg,
    /// Serve the /_payrig/v1 control API. On by default on a loopback address; elsewhere it
    /// needs --control-token.
    #[arg(long, conflicts_with = "no_control")]
    pub(crate) control: bool,
    /// Do not serve the control API.
    #[arg(long)]
    pub(crate) no_control: bool,
    /// Control requests must send `X-Payrig-Control-Token: T`. Implies --control.
    #[arg(long, value_name = "T")]
    pub(crate) control_token: Option<String>,
    /// Keep the journal in this SQLite file (WAL); `payrig report --journal FILE` reads it.
    #[arg(long, value_name = "FILE")]
    pub(crate) journal: Option<PathBuf>,
    /// Journal entries kept in memory for the control API, oldest dropped first (0: no
    /// bound). A TECS sale journals about 20 entries; --journal FILE keeps them all.
    #[arg(long, value_name = "N", default_value_t = payrig_server::journal::DEFAULT_CAPACITY)]
    pub(crate) journal_capacity: usize,
}

/// `payrig certify`.
#[derive(Debug, Args)]
pub(crate) struct CertifyArgs {
    /// Which direction.
    #[command(subcommand)]
    pub(crate) command: CertifyCommand,
}

/// `certify server` or `certify client`.
#[derive(Debug, Subcommand)]
pub(crate) enum CertifyCommand {
    /// payrig is the client: run the feature suite against a server and write the reports.
    Server(Box<CertifyServerArgs>),
    /// payrig serves and grades a vendor's client (not implemented yet).
    Client(CertifyClientArgs),
}

/// `payrig certify server`.
#[derive(Debug, Args)]
pub(crate) struct CertifyServerArgs {
    /// Protocol to certify (repeatable, or `all`).
    #[arg(long, value_enum, required = true, value_name = "P")]
    pub(crate) protocol: Vec<ProtocolArg>,
    /// `embedded` (payrig's reference server, in-process) or the base URL of a server.
    #[arg(long, default_value = "embedded", value_name = "embedded|URL")]
    pub(crate) target: String,
    /// Control API of a remote payrig (default: probed on the target itself).
    #[arg(long, value_name = "URL")]
    pub(crate) control_url: Option<String>,
    /// Feature files root (default: `features/` in the current directory or an ancestor, else
    /// the copies built into this binary).
    #[arg(long, value_name = "DIR")]
    pub(crate) features: Option<PathBuf>,
    /// Cucumber tag expression (`@server and not @slow`).
    #[arg(long, value_name = "EXPR")]
    pub(crate) tags: Option<String>,
    /// Run seed.
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub(crate) seed: u64,
    /// Scenarios run at once (default: the number of CPUs).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub(crate) concurrency: Option<u32>,
    /// Report directory.
    #[arg(long, default_value = "payrig-report", value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Report formats, comma-separated: `json`, `junit` (`ndjson` and `html` are not
    /// implemented yet). Default: json,junit.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub(crate) format: Vec<String>,
    /// Gate: exit 4 if the conformance index is below F (`0.9` or `90%`).
    #[arg(long, value_name = "F")]
    pub(crate) min_index: Option<Gate>,
    /// Gate: exit 4 if the conformance score is below F (`0.9` or `90%`).
    #[arg(long, value_name = "F")]
    pub(crate) min_score: Option<Gate>,
    /// Gate: exit 4 if any scenario was skipped.
    #[arg(long)]
    pub(crate) fail_on_skip: bool,
}

/// `payrig certify client`: payrig serves and grades the vendor client that talks to it.
#[derive(Debug, Args)]
pub(crate) struct CertifyClientArgs {
    /// Protocol(s) to serve and grade (repeatable, or `all`).
    #[arg(long, value_enum, required = true, value_name = "P")]
    pub(crate) protocol: Vec<ProtocolArg>,
    /// Where the vendor's client connects.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub(crate) listen: SocketAddr,
    /// Plan: only `observe` (record for --duration and grade whatever happened) exists yet.
    #[arg(long, default_value = "observe", value_name = "observe")]
    pub(crate) plan: String,
    /// How long to record (`90s`, `10m`); Ctrl-C ends it early and still grades.
    #[arg(long, default_value = "10m", value_name = "DUR")]
    pub(crate) duration: String,
    /// Scenario TOML for the served sites and terminals.
    #[arg(long, value_name = "FILE")]
    pub(crate) scenario: Option<PathBuf>,
    /// Run seed.
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub(crate) seed: u64,
    /// Clock: `real` (default: the client lives in real time) or `virtual`.
    #[arg(long, value_enum, default_value = "real", value_name = "real|virtual")]
    pub(crate) clock: ClockArg,
    /// Also keep the journal in this SQLite file.
    #[arg(long, value_name = "FILE")]
    pub(crate) journal: Option<PathBuf>,
    /// Report directory.
    #[arg(long, default_value = "payrig-report", value_name = "DIR")]
    pub(crate) out: PathBuf,
}

/// Output switches shared by the commands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    /// Print only errors.
    pub(crate) quiet: bool,
}

impl Output {
    /// Prints a line to stdout unless quiet.
    pub(crate) fn say(&self, line: impl AsRef<str>) {
        if !self.quiet {
            println!("{}", line.as_ref());
        }
    }
}

/// Exits with 2 and a clap-formatted usage error.
pub(crate) fn usage_error(message: &str) -> ! {
    Cli::command()
        .error(ErrorKind::InvalidValue, message)
        .exit()
}

/// Exits with 2: a seam that is parsed but not built yet.
pub(crate) fn not_implemented(what: &str) -> ! {
    Cli::command()
        .error(
            ErrorKind::InvalidValue,
            format!(
                "{what} is not implemented yet in payrig {}",
                env!("CARGO_PKG_VERSION")
            ),
        )
        .exit()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn the_command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_defaults() {
        let cli = Cli::try_parse_from(["payrig", "serve"]).unwrap();
        let Command::Serve(a) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(a.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(a.seed, 42);
        assert_eq!(a.clock, ClockArg::Real);
        assert!(a.protocols.is_empty());
        assert_eq!(resolve_protocols(&a.protocols), ["ationet", "tecs"]);
    }

    #[test]
    fn certify_server_needs_a_protocol() {
        let e = Cli::try_parse_from(["payrig", "certify", "server"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let cli = Cli::try_parse_from([
            "payrig",
            "certify",
            "server",
            "--protocol",
            "ationet",
            "--min-index",
            "90%",
            "--format",
            "json,junit",
        ])
        .unwrap();
        let Command::Certify(CertifyArgs {
            command: CertifyCommand::Server(a),
        }) = cli.command
        else {
            panic!("not certify server")
        };
        assert_eq!(a.target, "embedded");
        assert_eq!(a.out, PathBuf::from("payrig-report"));
        assert_eq!(a.format, ["json", "junit"]);
        assert!(a.min_index.is_some());
    }
}
