//! payrig-server: the reference servers and the `/_payrig/v1` control API.
//!
//! What it is: the only payrig crate that owns a listening socket. It turns HTTP traffic into
//! calls on the pure world (payrig-world), journals every exchange and every simulated event,
//! and drives the world's clock: the wall clock (a task fires deadlines as they come due) or a
//! virtual clock advanced through the control API, so scenarios against a served instance are
//! fast and deterministic.
//!
//! What it is not: no protocol logic. Validation, state machines and devices live in the
//! protocol and simulator crates; this crate only routes, authenticates, limits and encodes.
//!
//! Driving loop of one request:
//!
//! ```text
//! route (404/405) -> auth (401) -> body limit (413) -> content type (415) -> decode (400)
//!   -> lock world: advance(now); call; drain trace into the journal -> encode -> journal reply
//! ```

mod ationet;
mod clock;
mod control;
mod faults;
mod http;
pub mod journal;
mod state;
mod tecs;

use std::net::SocketAddr;
use std::sync::Arc;

use payrig_world::ationet::AtionetConfig;
use payrig_world::tecs::TecsConfig;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use clock::ClockMode;
pub use journal::Journal;

use state::Shared;

/// How to run a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Listen address (`127.0.0.1:8080`; port 0 picks a free one).
    pub listen: SocketAddr,
    /// Wall clock, or a virtual clock advanced through the control API.
    pub clock: ClockMode,
    /// Run seed: fixes every simulated draw.
    pub seed: u64,
    /// The ATIONet world configuration (sites, pumps, switches, tokens).
    pub ationet: AtionetConfig,
    /// The TECS world configuration (terminals, customers, credentials, timers).
    pub tecs: TecsConfig,
    /// Serve the `/_payrig/v1` control API.
    pub control: bool,
    /// When set, control requests must send `X-Payrig-Control-Token`.
    pub control_token: Option<String>,
    /// Journal entries kept in memory, oldest dropped first (0: unbounded;
    /// [`journal::DEFAULT_CAPACITY`] by default). A `--journal FILE` keeps every entry.
    pub journal_capacity: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            clock: ClockMode::Wall,
            seed: 42,
            ationet: AtionetConfig::default(),
            tecs: TecsConfig::default(),
            control: true,
            control_token: None,
            journal_capacity: journal::DEFAULT_CAPACITY,
        }
    }
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The journal database could not be opened.
    #[error(transparent)]
    Journal(#[from] journal::JournalError),
    /// Control on a non-loopback address needs a token.
    #[error("the control API on non-loopback address {0} requires a control token")]
    ControlWithoutToken(SocketAddr),
}

/// A server running on a tokio runtime.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    shared: Arc<Shared>,
}

impl RunningServer {
    /// The bound address (with the real port when 0 was asked).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A copy of the journal so far.
    pub fn journal_snapshot(&self) -> Vec<payrig_core::journal::JournalEntry> {
        self.shared.journal_entries()
    }

    /// Stops accepting, finishes in-flight requests and the clock task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Installs the `[[wire_fault]]` rules of a scenario TOML (conformance spec section 4);
    /// returns how many, or why the table was refused.
    pub fn add_wire_faults_toml(&self, text: &str) -> Result<usize, String> {
        self.shared.install_wire_faults(text)
    }

    /// Waits until the server stops (Ctrl-C handling is the caller's).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

/// Binds and starts serving every implemented protocol plus the control API, with the
/// journal in memory.
pub async fn start(cfg: ServerConfig) -> Result<RunningServer, ServerError> {
    start_with_journal(cfg, None).await
}

/// Like [`start`], persisting the journal to the SQLite file `journal` (`--journal FILE`).
pub async fn start_with_journal(
    cfg: ServerConfig,
    journal: Option<&std::path::Path>,
) -> Result<RunningServer, ServerError> {
    if cfg.control && cfg.control_token.is_none() && !cfg.listen.ip().is_loopback() {
        return Err(ServerError::ControlWithoutToken(cfg.listen));
    }
    let listener = TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: cfg.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: cfg.listen,
        source,
    })?;
    let journal = match journal {
        Some(p) => Journal::with_sqlite(&p.to_string_lossy(), cfg.journal_capacity)?,
        None => Journal::with_capacity(cfg.journal_capacity),
    };
    let shared = Arc::new(Shared::new(cfg, journal));
    let app = http::router(shared.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let (stop_clock_tx, stop_clock_rx) = tokio::sync::watch::channel(false);
    let clock_task = tokio::spawn(clock::drive(shared.clone(), stop_clock_rx));
    let task = tokio::spawn(async move {
        let serve = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("server stopped: {e}");
        }
        let _ = stop_clock_tx.send(true);
        let _ = clock_task.await;
    });
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task,
        shared,
    })
}
