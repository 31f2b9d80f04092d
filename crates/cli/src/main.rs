//! The `payrig` command: `serve` runs payrig's reference servers, `certify server` runs the
//! conformance suite against a server (payrig's own or a vendor's) and writes the reports.
//!
//! What it is: a thin clap shell over payrig-server and payrig-conformance. Exit codes follow
//! the conformance spec, section 7 (see [`exit::Exit`]).
//!
//! What it is not: no protocol logic and no verdicts of its own.

mod args;
mod certify;
mod client;
mod exit;
mod features;
mod gate;
mod serve;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{CertifyCommand, Cli, Command};
use crate::exit::{CliError, Exit};

/// A served world allocates and frees many small objects per exchange (journal entries, trace
/// events, records) from several worker threads; glibc's allocator spent about a quarter of a
/// loaded server's CPU in malloc/free/consolidate (BENCHMARKS.md), mimalloc much less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The commit payrig was built from (`unknown` outside a git checkout).
pub(crate) const COMMIT: &str = env!("PAYRIG_COMMIT");

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli);
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = cli.workers {
        builder.worker_threads(usize::from(n));
    }
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Internal.into();
        }
    };
    let result = runtime.block_on(dispatch(cli));
    match result {
        Ok(code) => code.into(),
        Err(CliError { exit, error }) => {
            eprintln!("error: {error:#}");
            exit.into()
        }
    }
}

async fn dispatch(cli: Cli) -> Result<Exit, CliError> {
    let out = args::Output { quiet: cli.quiet };
    if cli.config.is_some() {
        args::not_implemented("--config FILE (a payrig configuration file)");
    }
    match cli.command {
        Command::Serve(a) => serve::run(a, out).await,
        Command::Certify(c) => match c.command {
            CertifyCommand::Server(a) => certify::run_server(*a, out).await,
            CertifyCommand::Client(a) => client::run(a, out).await,
        },
        Command::Report(a) => client::report(a, out),
    }
}

fn init_tracing(cli: &Cli) {
    use tracing_subscriber::EnvFilter;
    let filter = match &cli.log {
        Some(level) => EnvFilter::try_new(level),
        None => EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new("warn")),
    };
    let filter = match filter {
        Ok(f) => f,
        Err(e) => args::usage_error(&format!("--log: {e}")),
    };
    let color = !cli.no_color && std::env::var_os("NO_COLOR").is_none();
    let level = if cli.quiet {
        EnvFilter::new("error")
    } else {
        filter
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(level)
        .with_ansi(color)
        .with_writer(std::io::stderr)
        .try_init();
}
