//! payrig-reader: a simulated card reader / PIN pad, pure and seeded.
//!
//! What it is: one [`Reader`] per terminal, a sans-IO state machine with the session states of
//! simulators.md 2.3 ([`SessionState`]); payrig's published test cards ([`CardTable`], from
//! `fixtures/cards/test-cards.toml`, Luhn-valid, track 2); CVM selection as a pure function
//! ([`select_cvm`], 2.2); offline PIN tries counted per card across sessions (SIM-R-03); online
//! PINs handed to the host in a format-0 PIN block; exact tips (`"2.00"`, `"10%"` half-up); a
//! scripted [`Customer`] and one-off [`Presentation`]s (2.4); the faults `read_failure`,
//! `chip_refuses_after_approval`, `disconnect`, `busy` and `slow` ([`Fault`]); NDJSON traces
//! ([`trace`]). Specs: `shared/protocols/simulators.md` sections 1, 2.1-2.4 and 6;
//! `tecs.md` section 7 (the `tecs_visa` card and [`Customer::tecs_default`]).
//!
//! What it is not: it owns no clock, thread, socket, serial port or global randomness, and it
//! uses no floating point. It does not speak any protocol and does not authorise: the host
//! (a protocol machine in payrig-world) takes [`CardData`] to the acquirer and answers with
//! [`Input::HostResult`]. Not built yet (a later issue): DUKPT encryption (2.5; the seam is
//! [`CardData::enc`], always `None`, and the clear PIN block in [`OnlinePin`]) and the serial
//! link (2.6; `transport`/`port`/`bdk`/`ksn` are accepted in the config but unused).
//!
//! TECS hooks (tecs.md 7) map as: card profile -> the `tecs_visa` card or any [`Card`]; entry
//! -> [`Customer::entry`]; CVM online PIN / signature / none -> one catch-all [`CvmRule`] in
//! [`ReaderConfig::cvm_rules`]; time to present -> [`Customer::present_after`] (`None`: never
//! presents, [`DoneReason::PresentTimeout`], 2002); customer cancel -> [`AbortAt`] or
//! [`Input::CustomerAbort`]; wrong PIN -> [`PinAnswers::Wrong`], sent online with
//! [`OnlinePin::correct`] false for the issuer's `55` (1055); read failure ->
//! [`Fault::ReadFailure`], ending in [`DoneReason::ReadFailure`] (2003); `0907` tip ->
//! [`TipSpec::Minor`] or [`TipSpec::Percent`] with [`TipMode::Ask`].
//!
//! Driving loop (the [`payrig_core::Machine`] contract):
//!
//! ```text
//! let cfg = ReaderConfig::default().with_id("R1");            // or from [reader.R1] TOML
//! let rng = payrig_core::rng::stream_rng(seed, &cfg.src());     // "reader/R1"
//! let mut r = Reader::new(cfg, rng)?;
//! r.handle_input(now, Input::Begin(Begin { txn, kind: TxnKind::Sale, amount, modes, tip }))?;
//! loop {
//!     // an input (host, customer, scenario) at `now`, or Input::Timeout when
//!     // now >= r.poll_timeout(); overdue deadlines fire first, each at its own instant
//!     r.handle_input(now, input)?;
//!     while let Some((at, out)) = r.poll_timed_output() {
//!         // Output::CardData -> authorise with the acquirer, later
//!         //   r.handle_input(t, Input::HostResult { code, approved })
//!         // Output::ReversalRequired -> reverse; Output::Done -> the session's outcome
//!     }
//!     next_wake = r.poll_timeout();
//! }
//! ```

pub mod card;
pub mod config;
pub mod customer;
pub mod cvm;
pub mod event;
pub mod machine;
pub mod pin;
pub mod table;
pub mod trace;

#[cfg(test)]
mod props;

use serde::Serialize;

pub use card::{luhn_valid, Behaviour, Brand, Card, CardSpec, Entry};
pub use config::{ConfigError, ReaderConfig};
pub use customer::{
    AbortAt, Answers, CardRef, Customer, PinAnswers, Presentation, RemovePolicy, TipSpec,
};
pub use cvm::{default_rules, select_cvm, Cvm, CvmRule};
pub use event::{
    Begin, CardData, DoneReason, EncryptedData, Fault, FaultKind, Input, OnlinePin, Output,
    ReadErrorReason, Reject, TipMode, TxnKind,
};
pub use machine::Reader;
pub use table::CardTable;

/// A reader session's state (simulators.md 2.3).
///
/// ```text
///  Idle --begin--> WaitingForCard --present--> Reading --ok--> [TipEntry] --> [PinEntry]
///                    |  ^   timeout, cancel,       | read error       |  wrong PIN (loop)
///                    |  |   customer abort         v                  |  0 tries -> Failed
///                    |  +----------------------- (back)               v
///                    v                                              Online --host_result-->
///                 Aborted                          online_timeout -> Failed
///  Completing --chip accepts/refuses--> RemoveCard --removed or 30 s--> Approved | Declined
///  any live state --card pulled early--> Failed (+ reversal_required once card data is out)
///  Approved | Declined | Aborted | Failed take no events; `begin` opens the next session.
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SessionState {
    /// No session yet.
    Idle,
    /// Waiting for the customer to present a card (`present_timeout`).
    WaitingForCard,
    /// Reading the presented card.
    Reading,
    /// Waiting for the customer's tip.
    TipEntry,
    /// Waiting for the customer's PIN.
    PinEntry,
    /// Card data is out; waiting for the host result (`online_timeout`).
    Online,
    /// The chip's second step after the host result.
    Completing,
    /// Waiting for the customer to take the card out (`remove_timeout`).
    RemoveCard,
    /// Terminal: approved.
    Approved,
    /// Terminal: declined (by the host or the chip).
    Declined,
    /// Terminal: cancelled or timed out before going online.
    Aborted,
    /// Terminal: failed (PIN blocked, card blocked, online timeout, card pulled early).
    Failed,
}

impl SessionState {
    /// True for Approved, Declined, Aborted and Failed.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            SessionState::Approved
                | SessionState::Declined
                | SessionState::Aborted
                | SessionState::Failed
        )
    }
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SessionResult {
    /// Approved.
    Approved,
    /// Declined.
    Declined,
    /// Aborted.
    Aborted,
    /// Failed.
    Failed,
}

impl SessionResult {
    /// The terminal state of this result.
    pub fn state(self) -> SessionState {
        match self {
            SessionResult::Approved => SessionState::Approved,
            SessionResult::Declined => SessionState::Declined,
            SessionResult::Aborted => SessionState::Aborted,
            SessionResult::Failed => SessionState::Failed,
        }
    }
}
