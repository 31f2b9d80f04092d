//! What a [`crate::Reader`] accepts ([`Input`]), produces ([`Output`]) and refuses
//! ([`Reject`]).
//!
//! Business outcomes (declined, aborted, PIN blocked, read errors, timeouts) are outputs, not
//! errors (ARCHITECTURE.md "Errors"); [`Reject`] is only for inputs the reader cannot take in
//! its current state, and a rejected input changes nothing.

use payrig_core::{Duration, MaskedPan, Money, Timestamp};
use serde::Serialize;

use crate::card::{Behaviour, Brand, Entry};
use crate::config::ConfigError;
use crate::customer::{Customer, Presentation};
use crate::cvm::Cvm;
use crate::{SessionResult, SessionState};

/// What the host asks the reader to do with the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TxnKind {
    /// A purchase.
    Sale,
    /// An authorisation to capture later.
    Preauth,
    /// Money back to the card.
    Refund,
    /// Cancel an earlier transaction with the card present.
    Void,
}

impl TxnKind {
    /// DECISION: only sales and pre-authorisations verify the cardholder and ask for a tip;
    /// refunds and voids are authorised by the merchant (CVM `none`, no tip prompt).
    pub fn verifies_cardholder(self) -> bool {
        matches!(self, TxnKind::Sale | TxnKind::Preauth)
    }
}

/// Whether the reader prompts for a tip after reading the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TipMode {
    /// No tip prompt.
    #[default]
    None,
    /// Prompt (TipEntry state); the customer's answer sets the tip.
    Ask,
}

/// The host's `begin` (simulators.md 2.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Begin {
    /// The host's transaction reference, echoed in card data and results.
    pub txn: String,
    /// What kind of transaction.
    pub kind: TxnKind,
    /// Amount before tip; 0 to 10^15 minor units.
    pub amount: Money,
    /// Entries this session accepts; empty means every entry the reader has.
    pub modes: Vec<Entry>,
    /// Tip prompt.
    pub tip: TipMode,
}

/// A fault to inject (simulators.md 2.4; those that matter before DUKPT and serial).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// The next `count` physical reads fail with `read_error` (then cards read again).
    ReadFailure {
        /// Reads to fail.
        count: u32,
    },
    /// The chip refuses an approved transaction in Completing (`reversal_required`).
    ChipRefusesAfterApproval,
    /// The host link is down (host inputs are refused) for a while, or until cleared.
    Disconnect {
        /// Outage length; `None` until cleared.
        #[serde(rename = "for")]
        duration: Option<Duration>,
    },
    /// `begin` is refused as busy until cleared.
    Busy,
    /// The reader's own step out of `state` (Reading or Completing) takes `delay` longer.
    Slow {
        /// `Reading` or `Completing`.
        state: SessionState,
        /// Extra delay.
        delay: Duration,
    },
}

/// Which fault to clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// [`Fault::ReadFailure`] (the remaining count drops to 0).
    ReadFailure,
    /// [`Fault::ChipRefusesAfterApproval`].
    ChipRefusesAfterApproval,
    /// [`Fault::Disconnect`].
    Disconnect,
    /// [`Fault::Busy`].
    Busy,
    /// Every [`Fault::Slow`].
    Slow,
}

/// What a reader accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Input {
    /// Fire every deadline due at `now`.
    Timeout,
    /// Host: open a session (from Idle or a terminal session).
    Begin(Begin),
    /// Host: cancel a session that has not gone online.
    Cancel,
    /// Host: the authorisation result for the card data it got.
    HostResult {
        /// ISO 8583 field-39 (or the protocol's) response code.
        code: String,
        /// Whether the host approved.
        approved: bool,
    },
    /// Customer: a card is presented. While no session waits for a card it is queued and
    /// presented at the next `begin`.
    Present(Box<Presentation>),
    /// Customer: presses cancel on the pad.
    CustomerAbort,
    /// Customer: takes the inserted card out.
    RemoveCard,
    /// Scenario: replace (or remove) the scripted customer. It acts from the next `begin` (or
    /// the next retry after a read error) on; a pending scripted act of a removed customer
    /// does not happen.
    SetCustomer(Option<Box<Customer>>),
    /// Scenario: inject a fault.
    Fault(Fault),
    /// Scenario: clear a fault.
    ClearFault(FaultKind),
}

impl Input {
    /// A short name for rejects and traces.
    pub fn name(&self) -> &'static str {
        match self {
            Input::Timeout => "timeout",
            Input::Begin(_) => "begin",
            Input::Cancel => "cancel",
            Input::HostResult { .. } => "host_result",
            Input::Present(_) => "present",
            Input::CustomerAbort => "customer_abort",
            Input::RemoveCard => "remove_card",
            Input::SetCustomer(_) => "set_customer",
            Input::Fault(_) => "fault",
            Input::ClearFault(_) => "clear_fault",
        }
    }

    /// True for inputs that come over the host link (refused while it is down).
    pub fn from_host(&self) -> bool {
        matches!(
            self,
            Input::Begin(_) | Input::Cancel | Input::HostResult { .. }
        )
    }
}

/// Why a read went back to WaitingForCard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReadErrorReason {
    /// Injected `read_failure`.
    ReadFailure,
    /// The chip cannot be read (`chip_unreadable` card).
    ChipUnreadable,
    /// A chip card was swiped before fallback was allowed: insert it.
    UseChip,
    /// The card does not support that entry (e.g. tapping a magstripe-only card).
    EntryNotSupported,
    /// The session or the reader does not accept that entry.
    ModeNotEnabled,
}

/// Why a session ended, or why a reversal is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DoneReason {
    /// The host approved and the chip agreed.
    Approved,
    /// The host declined (its code is in `Done::code`).
    Declined,
    /// The chip refused after the host approved.
    ChipRefused,
    /// No card within `present_timeout` (TECS `card_wait`, 2002).
    PresentTimeout,
    /// `present_timeout` after at least one read error (TECS 2003).
    ReadFailure,
    /// The host cancelled.
    HostCancel,
    /// The customer cancelled (or ran out of PINs to try).
    CustomerAbort,
    /// The chip refused the card (`card_blocked`).
    CardBlocked,
    /// Too many wrong offline PINs, now or in an earlier session (SIM-R-03).
    PinBlocked,
    /// No host result within `online_timeout`.
    OnlineTimeout,
    /// The card was pulled out before the reader asked for it.
    CardRemovedEarly,
}

/// Encrypted card data (`enc{type,data}`, simulators.md 2.3). DUKPT is a later issue: the
/// reader always sends `None` for now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncryptedData {
    /// `encrypted-type`, e.g. `dukpt-tdes-track2`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Hex of the blob.
    pub data: String,
}

/// An online PIN for the host to forward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnlinePin {
    /// ISO 9564 format 0 block, in clear until DUKPT encrypts it.
    pub pin_block: String,
    /// Whether it matches the card's PIN (lets a simulated issuer decline `55`).
    pub correct: bool,
}

/// What the host needs to go online (simulators.md 2.3 `card_data`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardData {
    /// The session's transaction reference.
    pub txn: String,
    /// How the card was read.
    pub entry: Entry,
    /// Table id of the card.
    pub card_id: String,
    /// Scheme.
    pub brand: Brand,
    /// First 6 and last 4 digits: what a host should log.
    pub masked_pan: MaskedPan,
    /// Full PAN, for the acquirer; the host decides what to log.
    pub pan: String,
    /// `YYMM`.
    pub expiry: String,
    /// Service code.
    pub service_code: String,
    /// Chosen CVM.
    pub cvm: Cvm,
    /// Amount before tip.
    pub amount: Money,
    /// Tip (0 without a tip prompt).
    pub tip: Money,
    /// amount + tip (SIM-R-02).
    pub total: Money,
    /// Track 2 equivalent (`PAN=YYMM<svc>...`), none for manual entry.
    pub track2: Option<String>,
    /// The PIN for online verification, when the CVM is online PIN.
    pub online_pin: Option<OnlinePin>,
    /// DUKPT-encrypted data: always `None` until simulators.md 2.5 is built.
    pub enc: Option<EncryptedData>,
    /// The card's issuer behaviour, for a simulated acquirer.
    pub behaviour: Behaviour,
    /// The card's balance, for a simulated acquirer.
    pub balance: Option<Money>,
}

/// What a reader produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Output {
    /// The session state changed.
    StateChanged {
        /// Previous state.
        from: SessionState,
        /// New state.
        to: SessionState,
    },
    /// A card was presented (`card_detected{entry}`).
    CardDetected {
        /// How.
        entry: Entry,
    },
    /// The read failed; the reader waits for a card again.
    ReadError {
        /// How the card was presented.
        entry: Entry,
        /// Why it failed.
        reason: ReadErrorReason,
    },
    /// The customer entered a tip; the CVM was chosen again on the new total.
    TipEntered {
        /// The tip.
        tip: Money,
        /// amount + tip.
        total: Money,
    },
    /// A wrong offline PIN; the customer may try again.
    PinWrong {
        /// Tries left on the card.
        tries_left: u8,
    },
    /// The card's PIN is blocked (no tries left).
    PinBlocked,
    /// Card data for the host: go online now.
    CardData(Box<CardData>),
    /// Card data went out and the session did not complete: the host must reverse.
    ReversalRequired {
        /// The session's transaction reference.
        txn: String,
        /// Why.
        reason: DoneReason,
    },
    /// The session ended (`done{result}`).
    Done {
        /// The session's transaction reference.
        txn: String,
        /// Outcome.
        result: SessionResult,
        /// Why.
        reason: DoneReason,
        /// The host's response code, when it answered.
        code: Option<String>,
    },
    /// A fault was injected.
    FaultRaised(Fault),
    /// A fault was cleared.
    FaultCleared(FaultKind),
}

/// An input the reader cannot take now; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reject {
    /// The input is not allowed in this state.
    #[error("`{input}` not allowed in state {state:?}")]
    NotInState {
        /// The input's name.
        input: &'static str,
        /// The current state.
        state: SessionState,
    },
    /// `now` is earlier than an instant already processed.
    #[error("time went backwards: {now:?} < {last:?}")]
    TimeWentBackwards {
        /// The input's time.
        now: Timestamp,
        /// The latest instant processed.
        last: Timestamp,
    },
    /// The host link is down (`disconnect` fault).
    #[error("reader disconnected")]
    Disconnected,
    /// The reader is busy (`busy` fault).
    #[error("reader busy")]
    Busy,
    /// The amount is negative or above 10^15 minor units.
    #[error("bad amount")]
    BadAmount,
    /// No entry of the `begin` is one the reader has.
    #[error("no usable entry mode")]
    NoModes,
    /// The presented card id is not in the table.
    #[error("unknown card `{0}`")]
    UnknownCard(String),
    /// The presented card is invalid.
    #[error("invalid card: {0}")]
    InvalidCard(ConfigError),
    /// A presentation is already queued for the next session.
    #[error("a presentation is already queued")]
    AlreadyQueued,
    /// No card is in the reader to take out.
    #[error("no card in the reader")]
    NoCardInReader,
    /// `slow` applies only to Reading and Completing.
    #[error("slow applies to Reading and Completing only")]
    BadFault,
}
