//! payrig-client: typed async clients for payrig's protocols.
//!
//! What it is: [`AtionetClient`], a typed client for the ATIONet Fleet Mobile Payment API
//! (create, GetTransaction, Cancel, PromptPreauthorizations, plus [`AtionetClient::raw`] for
//! deliberately broken requests); [`tecs::TecsClient`] for TECS Cloud-iA `makeTransaction` and
//! `version`, with [`tecs::TecsControl`] for payrig's TECS control endpoints (readers,
//! terminals, acquirer, wire faults); and [`ControlClient`] for payrig's `/_payrig/v1` control
//! API (reset, virtual clock, pumps, faults, journal). The conformance suite, the CLI and vendors
//! use them as a library.
//!
//! What it is not: no protocol logic and no retries. Request and response bodies are the wire
//! structs of [`payrig_ationet::wire`], so what goes out uses the seed's exact names (ATN-C-008)
//! and what comes back decodes exactly (numbers through their JSON text).
//!
//! ```no_run
//! # async fn demo() -> Result<(), payrig_client::ClientError> {
//! use payrig_client::AtionetClient;
//! let atn = AtionetClient::new("http://127.0.0.1:8080", "atn-test-7f3c9a1e");
//! let tx = atn.get_transaction("5734cbb9-f78f-4ad4-aa87-79ed95181c5a").await?;
//! println!("state {} {:?}", tx.state_id, tx.state_name);
//! # Ok(()) }
//! ```
//!
//! Every call returns either the typed success body or a [`ClientError`]; a non-2xx answer is
//! [`ClientError::Status`], carrying the status and the RFC 7807 problem body when there is one.

mod ationet;
mod control;
mod error;
pub mod tecs;

pub use ationet::{AtionetClient, RawResponse};
pub use control::{
    AdvanceReply, ControlClient, FiredTimer, Health, HistoryEntry, Journal, PumpReply, ResetReply,
    TransactionRecord,
};
pub use error::{ClientError, ControlApiError};
