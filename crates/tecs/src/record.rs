//! Per-transaction records (spec 4.2), keyed by `terminal_number` + `transaction_id`.
//!
//! ```text
//!            ┌──► approved ──► cancelled          (0013 of it)
//! pending ───┤        ├──────► captured ──► cancelled   (preauth; its capture cancelled)
//!            │        └──────► refunded ──► approved    (refunds reach approved_amount;
//!            ├──► declined                               a refund of it cancelled)
//!            └──► aborted
//! ```

use payrig_core::{Money, Timestamp};
use serde::Serialize;

use crate::messages::AcquirerRef;
use crate::wire::{Fingerprint, TransactionResponse};

/// What a record is (4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordKind {
    /// `0001` sale.
    Sale,
    /// `0001` MOTO.
    MotoSale,
    /// `0001` origin `5`.
    Preauth,
    /// `0907`.
    SaleTip,
    /// `0011`, card present or keyed.
    Refund,
    /// `0011` with `TXID`.
    ReferencedRefund,
    /// `0013` cancel.
    Cancel,
    /// `0013` origin `4`.
    Capture,
}

impl RecordKind {
    /// The spec's name (`moto_sale`).
    pub const fn name(self) -> &'static str {
        match self {
            RecordKind::Sale => "sale",
            RecordKind::MotoSale => "moto_sale",
            RecordKind::Preauth => "preauth",
            RecordKind::SaleTip => "sale_tip",
            RecordKind::Refund => "refund",
            RecordKind::ReferencedRefund => "referenced_refund",
            RecordKind::Cancel => "cancel",
            RecordKind::Capture => "capture",
        }
    }

    /// True for the kinds that reference an original (`0011` TXID, `0013`).
    pub const fn is_reference(self) -> bool {
        matches!(
            self,
            RecordKind::ReferencedRefund | RecordKind::Cancel | RecordKind::Capture
        )
    }
}

/// A record's status (4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordStatus {
    /// The flow is running.
    Pending,
    /// Approved (`0000`).
    Approved,
    /// Declined by the host, timed out, or a reference error. Final.
    Declined,
    /// Aborted before the host: `2001`, `2002`, `2003`. Final.
    Aborted,
    /// Cancelled by a `0013`. Final.
    Cancelled,
    /// A preauth that was captured.
    Captured,
    /// Refunds reached `approved_amount`.
    Refunded,
}

impl RecordStatus {
    /// The spec's name.
    pub const fn name(self) -> &'static str {
        match self {
            RecordStatus::Pending => "pending",
            RecordStatus::Approved => "approved",
            RecordStatus::Declined => "declined",
            RecordStatus::Aborted => "aborted",
            RecordStatus::Cancelled => "cancelled",
            RecordStatus::Captured => "captured",
            RecordStatus::Refunded => "refunded",
        }
    }
}

/// A stored response, replayed byte for byte on an identical retry (TEC-S-017).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Body.
    pub body: TransactionResponse,
}

/// One transaction of one terminal. All amounts are integer minor units of the request's
/// currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `transaction_id`.
    pub transaction_id: String,
    /// Kind.
    pub kind: RecordKind,
    /// The request fields, for idempotency (4.3).
    pub fingerprint: Fingerprint,
    /// Status.
    pub status: RecordStatus,
    /// The request's `amount`.
    pub amount: Money,
    /// Tip keyed on the terminal (`0907`).
    pub tip_amount: Money,
    /// `amount` + tip once approved (or the acquirer's partial amount); 0 before.
    pub approved_amount: Money,
    /// Captured of a preauth.
    pub captured_amount: Money,
    /// Refunded by referenced refunds.
    pub refunded_amount: Money,
    /// The original's `transaction_id` (references that resolved).
    pub original: Option<String>,
    /// `transaction_source_id` as sent.
    pub source_id: String,
    /// Trace number from the acquirer.
    pub stan: String,
    /// Approval code.
    pub authorization_number: String,
    /// The acquirer's identifiers of the operation that approved it.
    pub acquirer: Option<AcquirerRef>,
    /// True when the terminal's reader read a card for it.
    pub card_read: bool,
    /// `card_number` as returned (masked `PAN_YYMM`, `TXID…` or `REF…`).
    pub card_number: String,
    /// `credit_card_issuer_and_acquirer_company`.
    pub issuer: String,
    /// Service code.
    pub svc: String,
    /// The response, once the outcome is known.
    pub response: Option<StoredResponse>,
    /// The response could not be delivered (TEC-S-018).
    pub response_undelivered: bool,
    /// Created.
    pub created: Timestamp,
    /// Last changed.
    pub updated: Timestamp,
}

impl Record {
    /// A new `pending` record.
    pub(crate) fn pending(
        now: Timestamp,
        transaction_id: &str,
        kind: RecordKind,
        fingerprint: Fingerprint,
        amount: Money,
        source_id: &str,
    ) -> Record {
        let zero = Money::zero(amount.currency);
        Record {
            transaction_id: transaction_id.to_owned(),
            kind,
            fingerprint,
            status: RecordStatus::Pending,
            amount,
            tip_amount: zero,
            approved_amount: zero,
            captured_amount: zero,
            refunded_amount: zero,
            original: None,
            source_id: source_id.to_owned(),
            stan: String::new(),
            authorization_number: String::new(),
            acquirer: None,
            card_read: false,
            card_number: String::new(),
            issuer: String::new(),
            svc: String::new(),
            response: None,
            response_undelivered: false,
            created: now,
            updated: now,
        }
    }

    /// `approved_amount` − `refunded_amount`, what a referenced refund may still take.
    pub fn refundable_minor(&self) -> i64 {
        self.approved_amount.minor - self.refunded_amount.minor
    }
}
