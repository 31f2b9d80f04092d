//! payrig-tecs: the Bluefin TECS Cloud-iA `makeTransaction` protocol, pure.
//!
//! What it is: the wire types with the spec's exact names ([`wire`]: `TransactionRequest`,
//! `TransactionResponse`, `TXID` references, `VersionResponse`), the validated domain request
//! ([`domain`]), the response codes of 5.2 with the ISO 8583 field-39 table ([`code`]), the
//! per-terminal session machine of 4.1 with its transaction records of 4.2 and the idempotency
//! store of 4.3 ([`machine::Terminal`], [`record`]), and the TEC requirement catalogue
//! ([`requirements`]).
//!
//! What it is not: no HTTP, no authentication (D2 is the server's), no clock, no randomness.
//! The card reader and the acquirer are simulated elsewhere and wired by the world.
//!
//! Driving loop: the server decodes a body with [`wire::decode_request`] (400 `3001`/`3005`
//! on error), checks credentials and the terminal (401, 400 `3004`), and the world feeds
//! `Input::Request` to that terminal's [`machine::Terminal`]. A `Reject` is answered at once
//! (400 `3002`/`3003`, 504 `9001`). Otherwise the world drains `poll_output()`: `ToReader` and
//! `ToAcquirer` go to the device simulators, whose events come back as `Input::Reader` and
//! `Input::Acquirer`; `Respond` is written to the HTTP exchange and its fate reported with
//! `Input::ResponseWritten` / `Input::ResponseUndelivered`; `Input::Timeout` fires
//! `poll_timeout()`.
//!
//! ```text
//! ECR ─Request─► Terminal ─ToReader(Begin)─► reader ─Reader(CardRead)─► Terminal
//!     ─ToAcquirer(Authorise)─► acquirer ─Acquirer(answer)─► Terminal ─Respond─► ECR
//!     ─ResponseWritten─► Terminal (idle)
//! ```

mod answer;
pub mod code;
pub mod domain;
pub mod machine;
pub mod messages;
pub mod record;
mod references;
pub mod requirements;
pub mod rules;
pub mod state;
pub mod wire;

pub use code::{ResponseCode, TransactionType};
pub use domain::{Operation, Request};
pub use machine::Terminal;
pub use messages::{Input, Output, Reject, TerminalConfig};
pub use record::{Record, RecordKind, RecordStatus};
pub use state::{TerminalState, Timer};
