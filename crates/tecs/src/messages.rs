//! What the [`Terminal`](crate::machine::Terminal) exchanges with its world: the ECR's requests,
//! the card reader, the acquirer (host), the server's write results and the scenario's
//! reachability switch; plus its configuration and its [`Reject`].

use payrig_core::{Duration, Money};

use crate::code::ResponseCode;
use crate::domain::Request;
use crate::record::RecordStatus;
use crate::state::{TerminalState, Timer};
use crate::wire::TransactionResponse;

/// How the card was presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Entry {
    /// Contactless.
    Tap,
    /// Chip.
    Insert,
    /// Magnetic stripe (also a track 2 swiped on the ECR).
    Swipe,
    /// Keyed (MOTO, `PAN_YYMM`, card reference).
    Manual,
}

/// The cardholder verification the reader performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cvm {
    /// Online PIN (the default card profile): footer `PIN VERIFIED`.
    OnlinePin,
    /// Signature: footer `SIGNATURE`.
    Signature,
    /// No CVM.
    NoCvm,
}

/// What the reader read (T3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CardData {
    /// The PAN as read; masked in responses when [`TerminalConfig::mask_pan`] is on (D17).
    pub pan: String,
    /// `YYMM`.
    pub expiry: String,
    /// Scheme name for `credit_card_issuer_and_acquirer_company` (`VISA`).
    pub brand: String,
    /// Service code (`201`).
    pub svc: String,
    /// How it was presented.
    pub entry: Entry,
    /// How the cardholder was verified.
    pub cvm: Cvm,
    /// The online PIN as entered, passed to the acquirer (`None` without online PIN).
    pub pin: Option<String>,
    /// EMV application id (`A0000000031010`), `""` for a swipe.
    pub aid: String,
    /// EMV application cryptogram (`8F3A1C2B`), `""` for a swipe.
    pub cryptogram: String,
    /// Tip keyed on the terminal in minor units; used for `0907` only (D12).
    pub tip_minor: u64,
}

/// An event from the terminal's card reader.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReaderEvent {
    /// Card read, PIN entered, tip keyed (T3).
    CardRead(CardData),
    /// The customer pressed cancel (T5, `2001`).
    CustomerCancel,
    /// The card could not be read (T5, `2003`).
    ReadFailure,
}

/// What the reader is asked to collect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReaderKind {
    /// A sale.
    Sale,
    /// A preauthorization.
    Preauth,
    /// A sale with a tip prompt.
    SaleTip,
    /// A card-present refund.
    Refund,
}

/// A command to the card reader.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReaderCommand {
    /// Prompt for a card (T1).
    Begin {
        /// What is being paid.
        kind: ReaderKind,
        /// The request's `amount`.
        amount: Money,
        /// Ask for a tip (`0907`).
        tip: bool,
    },
    /// Stop prompting (`0017`, `card_wait`).
    Cancel,
}

/// Authorisation kind at the acquirer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthKind {
    /// Authorised and captured at once (sale, MOTO, sale + tip).
    Sale,
    /// A hold, captured later.
    Preauth,
    /// Money back to a presented or keyed card.
    Refund,
}

/// The card an authorisation is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AcquirerCard {
    /// PAN and `YYMM` expiry.
    Pan {
        /// Digits.
        pan: String,
        /// `YYMM`.
        expiry: String,
    },
    /// A stored card reference (`REF…`, D20).
    Reference(String),
}

/// The acquirer's identifiers of an earlier operation, for captures, reversals and refunds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AcquirerRef {
    /// The [`AcquirerRequest`] id the world echoed for it.
    pub request_id: u64,
    /// Its STAN.
    pub stan: String,
    /// Its RRN.
    pub rrn: String,
}

/// Why a reversal is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReversalReason {
    /// `host_timeout` fired (T7): undo whatever the host may have done.
    Timeout,
    /// A `0013` cancel.
    Cancel,
}

/// A request to the acquirer. Each carries an id the world echoes in [`AcquirerAnswer::id`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcquirerRequest {
    /// Authorise a card (T2, T3).
    Authorise {
        /// Echo id.
        id: u64,
        /// Sale, preauth or refund.
        kind: AuthKind,
        /// `amount` + tip.
        amount: Money,
        /// The card.
        card: AcquirerCard,
        /// How it was presented.
        entry: Entry,
        /// Online PIN, when entered.
        pin: Option<String>,
        /// `cvc2` of a MOTO request, when sent.
        cvc2: Option<String>,
    },
    /// Capture a preauthorization (`0013` origin `4`).
    Capture {
        /// Echo id.
        id: u64,
        /// The preauthorization.
        original: AcquirerRef,
        /// Amount to capture.
        amount: Money,
    },
    /// Reverse an operation (cancel, or timeout reversal).
    Reverse {
        /// Echo id.
        id: u64,
        /// What to reverse.
        original: AcquirerRef,
        /// Why.
        reason: ReversalReason,
    },
    /// Refund against an earlier sale or capture.
    Refund {
        /// Echo id.
        id: u64,
        /// The original.
        original: AcquirerRef,
        /// Amount to refund.
        amount: Money,
    },
}

impl AcquirerRequest {
    /// The echo id.
    pub fn id(&self) -> u64 {
        match self {
            AcquirerRequest::Authorise { id, .. }
            | AcquirerRequest::Capture { id, .. }
            | AcquirerRequest::Reverse { id, .. }
            | AcquirerRequest::Refund { id, .. } => *id,
        }
    }
}

/// The acquirer's answer to an [`AcquirerRequest`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AcquirerAnswer {
    /// The request's id.
    pub id: u64,
    /// ISO 8583 field 39 (`00`, `05`, `51`, `54`, `55`, `91`, …), mapped by
    /// [`crate::code::from_iso_field_39`].
    pub code: String,
    /// Approved amount in minor units when it differs from the requested one (partial
    /// approval); `None` = as requested.
    pub approved_minor: Option<i64>,
    /// Approval code (6 alphanumerics).
    pub auth_code: String,
    /// Trace number (per terminal).
    pub stan: String,
    /// Retrieval reference number.
    pub rrn: String,
}

/// Merchant and acquirer texts printed in every terminal response (3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    /// `<acquirer>` of `credit_card_issuer_and_acquirer_company`.
    pub acquirer_name: String,
    /// `receipt_header`.
    pub receipt_header: String,
    /// `vu_number`.
    pub vu_number: String,
    /// `merchant_name`.
    pub merchant_name: String,
    /// `merchant_address`.
    pub merchant_address: String,
    /// `operator_id`.
    pub operator_id: String,
    /// `serien_nr`.
    pub serien_nr: String,
}

impl Default for Merchant {
    /// The values of the spec's 3.2 sample.
    fn default() -> Self {
        Merchant {
            acquirer_name: "PAYRIG ACQ".to_owned(),
            receipt_header: "PAYRIG TEST".to_owned(),
            vu_number: "100200300".to_owned(),
            merchant_name: "PAYRIG TEST".to_owned(),
            merchant_address: "1 TEST ST WIEN".to_owned(),
            operator_id: "PAYRIG".to_owned(),
            serien_nr: String::new(),
        }
    }
}

/// One terminal's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalConfig {
    /// `terminal_number` (8).
    pub terminal_number: String,
    /// `card_wait`, default 60 s (D15).
    pub card_wait: Duration,
    /// `host_timeout`, default 30 s (D15).
    pub host_timeout: Duration,
    /// Mask PANs first-6/last-4 in responses (D17), default on.
    pub mask_pan: bool,
    /// A cancel's amount must equal the original request `amount` (D11), default on.
    pub cancel_amount_must_match: bool,
    /// Offset of the terminal's local time from UTC, for `transaction_date_time`.
    pub utc_offset_minutes: i32,
    /// How long records are kept for idempotency and references (4.3), default 30 days.
    pub retention: Duration,
    /// Receipt and merchant texts.
    pub merchant: Merchant,
}

impl TerminalConfig {
    /// Defaults for `terminal_number`.
    pub fn new(terminal_number: &str) -> TerminalConfig {
        TerminalConfig {
            terminal_number: terminal_number.to_owned(),
            card_wait: Duration::from_secs(60),
            host_timeout: Duration::from_secs(30),
            mask_pan: true,
            cancel_amount_must_match: true,
            utc_offset_minutes: 0,
            retention: Duration::from_secs(30 * 24 * 3600),
            merchant: Merchant::default(),
        }
    }
}

/// Inputs of the terminal machine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// A validated `makeTransaction` for this terminal; `req_id` names the HTTP exchange.
    Request {
        /// The world's id of the exchange; [`Output::Respond`] echoes it.
        req_id: u64,
        /// The request.
        request: Box<Request>,
    },
    /// From the card reader.
    Reader(ReaderEvent),
    /// From the acquirer.
    Acquirer(AcquirerAnswer),
    /// The deadline of `poll_timeout` is due (`card_wait`, `host_timeout`).
    Timeout,
    /// The response to `req_id` was fully written (T8).
    ResponseWritten {
        /// The exchange.
        req_id: u64,
    },
    /// The response to `req_id` could not be written: closed, reset, unreachable (T9).
    ResponseUndelivered {
        /// The exchange.
        req_id: u64,
    },
    /// The scenario switches reachability (T13).
    SetReachable(bool),
}

/// Outputs: messages to peers and events for observers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Answer the exchange `req_id` with this status and body.
    Respond {
        /// The exchange.
        req_id: u64,
        /// HTTP status (200 or 504).
        status: u16,
        /// The body (boxed: it has 26 fields).
        response: Box<TransactionResponse>,
    },
    /// To the card reader.
    ToReader(ReaderCommand),
    /// To the acquirer.
    ToAcquirer(AcquirerRequest),
    /// A transaction record was created or changed.
    RecordChanged {
        /// Its `transaction_id`.
        transaction_id: String,
        /// Its status now.
        status: RecordStatus,
    },
    /// The terminal state changed.
    StateChanged {
        /// Before.
        from: TerminalState,
        /// After.
        to: TerminalState,
    },
    /// A timer fired.
    TimerFired(Timer),
    /// An event with no row in 4.1 for the current state (late answers, stray reader events);
    /// logged and ignored.
    Ignored {
        /// The state it arrived in.
        state: TerminalState,
        /// What it was.
        event: &'static str,
    },
}

/// A request refused before reaching the terminal (400 `3002`/`3003`, 504 `9001`). Nothing
/// changed and no `transaction_id` was consumed; answer with [`Reject::status`] and
/// [`Reject::response`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {}", .code.code(), .code.text())]
pub struct Reject {
    /// The protocol's code.
    pub code: ResponseCode,
    /// The body to send.
    pub response: Box<TransactionResponse>,
}

impl Reject {
    /// The HTTP status of the code.
    pub fn status(&self) -> u16 {
        self.code.http_status()
    }
}
