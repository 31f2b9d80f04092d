//! What goes in and comes out of the [`Acquirer`](crate::Acquirer): operations, replies, events.
//!
//! Operations follow simulators spec 4.1, plus `prompt_answer` for the fleet prompt flow
//! (ationet spec 4.2, P2-P4).

use serde::Serialize;

use crate::amount::{Amount, Unit};
use crate::code::ResponseCode;
use crate::record::{RecordKind, RecordState, RecordView};

/// A request id chosen by the caller; the response carries it back. Ids must not be reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RequestId(pub u64);

/// What the machine accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// An operation from a terminal or host.
    Request(Request),
    /// Fires deadlines due at `now` (responses, preauth expiry).
    Timeout,
}

/// One operation, tagged with the caller's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Echoed in the [`Response`]; also a [`Ref`] to the record an authorise or refund creates.
    pub id: RequestId,
    /// The operation.
    pub op: Operation,
}

/// The operations of simulators spec 4.1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// Ask for an authorisation (a sale is captured at once).
    Authorise(Authorise),
    /// Capture (fleet: "completion") an approved preauth.
    Capture {
        /// The authorisation.
        reference: Ref,
        /// Amount to capture, at most the approved amount.
        amount: Amount,
    },
    /// Reverse (release or void) an authorisation, or a refund.
    Reverse {
        /// The record.
        reference: Ref,
        /// Amount; `None` means the whole unreversed remainder.
        amount: Option<Amount>,
        /// Why the terminal reverses.
        reason: ReversalReason,
    },
    /// Give money back, against a captured record or standalone.
    Refund {
        /// The original; `None` for a standalone refund.
        reference: Option<Ref>,
        /// The terminal the refund is booked on (its batch).
        terminal: String,
        /// Amount.
        amount: Amount,
    },
    /// Look a record up.
    Inquire {
        /// The record.
        reference: Ref,
    },
    /// Settle a terminal's batch.
    CloseBatch {
        /// The terminal.
        terminal: String,
        /// What the terminal believes the totals are; a difference answers `95`.
        claimed: Option<Vec<BatchTotals>>,
    },
    /// Answers to the prompts of a [`Reply::PromptNeeded`] (fleet prompting).
    PromptAnswer {
        /// The authorisation that asked.
        reference: Ref,
        /// `(name, value)` pairs, names without `Prompt` (`("Odometer", "152")`).
        answers: Vec<(String, String)>,
    },
}

/// An authorisation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorise {
    /// Sale or preauth.
    pub kind: AuthKind,
    /// The terminal (STAN counter, batch).
    pub terminal: String,
    /// Requested amount: money, or fleet units.
    pub amount: Amount,
    /// The card as read.
    pub card: Card,
    /// Online PIN block, handed to the card-behaviour hook.
    pub pin_block: Option<String>,
    /// How the card was read.
    pub entry: Entry,
    /// The terminal accepts a partial approval (else partials answer `51`).
    pub allow_partial: bool,
}

/// Sale (captured at once) or preauth (captured later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthKind {
    /// Authorised and captured in one step.
    Sale,
    /// Authorised now, captured (completed) later or reversed.
    Preauth,
}

/// The card as the acquirer receives it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Card {
    /// A PAN with an optional `YYMM` expiry; Luhn and expiry are checked (spec 4.1).
    Pan {
        /// Digits.
        pan: String,
        /// `YYMM`, when known.
        expiry: Option<String>,
    },
    /// ISO 7813 track 2 (`;PAN=YYMMSSS...?` or without sentinels); PAN and expiry are taken
    /// from it and checked.
    Track2(String),
    /// A fleet card track as the host sends it (ATIONet `primaryTrack`): no Luhn or expiry, rules
    /// match on its last characters.
    Fleet(String),
}

impl Card {
    /// The text rules and overrides match on: the PAN for PAN and track 2, the whole track for a
    /// fleet card.
    pub fn match_text(&self) -> &str {
        match self {
            Card::Pan { pan, .. } => pan,
            Card::Track2(t) => track2_parts(t).0,
            Card::Fleet(t) => t,
        }
    }

    /// [`Card::match_text`] as an owned string, reusing the card's own buffer (no copy).
    pub(crate) fn into_match_text(self) -> String {
        match self {
            Card::Pan { pan, .. } => pan,
            Card::Track2(mut t) => {
                // The PAN is a substring of the track: cut around it in place.
                let pan = track2_parts(&t).0;
                let start = pan.as_ptr() as usize - t.as_ptr() as usize;
                let end = start + pan.len();
                t.truncate(end);
                t.drain(..start);
                t
            }
            Card::Fleet(t) => t,
        }
    }

    /// The `YYMM` expiry, when the card carries one.
    pub fn expiry(&self) -> Option<&str> {
        match self {
            Card::Pan { expiry, .. } => expiry.as_deref(),
            Card::Track2(t) => track2_parts(t).1,
            Card::Fleet(_) => None,
        }
    }
}

/// Splits track 2 into PAN and `YYMM` expiry (sentinels tolerated; malformed parts come back
/// as they are and fail the Luhn/expiry checks).
fn track2_parts(track: &str) -> (&str, Option<&str>) {
    let t = track.trim_start_matches(';');
    let t = t.split('?').next().unwrap_or(t);
    match t.split_once(['=', 'D']) {
        Some((pan, rest)) => (pan, rest.get(..4)),
        None => (t, None),
    }
}

/// How the card was presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Entry {
    /// Contactless.
    Tap,
    /// Chip.
    Insert,
    /// Magnetic stripe.
    Swipe,
    /// Keyed PAN.
    Keyed,
    /// Sent by a mobile or host application (fleet `primaryTrack`).
    Mobile,
}

/// Why a reversal was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReversalReason {
    /// No answer in time (the authorisation may be `Lost`).
    Timeout,
    /// The customer or host cancelled.
    Cancelled,
    /// Nothing or less was delivered (fuel: 0 ml ends in a reversal, SIM-X-01).
    Unused,
    /// A terminal-side failure.
    Error,
}

/// A reference to an existing record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Ref {
    /// The record's RRN.
    Rrn(String),
    /// Terminal + STAN (the latest record with that STAN; STANs wrap).
    Stan {
        /// The terminal.
        terminal: String,
        /// The STAN, 1..=999999.
        stan: u32,
    },
    /// The caller's id of the request that created the record; works for `Lost` authorisations,
    /// whose RRN never reached the caller.
    Request(RequestId),
}

/// Totals of one unit (currency) in a batch (simulators spec 4.3). Sums are `i128` so a batch
/// of many large amounts is still exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct BatchTotals {
    /// The currency or units.
    pub unit: Unit,
    /// Captured authorisations settled.
    pub sale_count: u64,
    /// Their captured sum.
    pub sale_sum: i128,
    /// Refunds settled.
    pub refund_count: u64,
    /// Their sum.
    pub refund_sum: i128,
    /// Reversals booked since the last close.
    pub reversal_count: u64,
    /// Their sum.
    pub reversal_sum: i128,
    /// `sale_sum - refund_sum` (SIM-A-01).
    pub net: i128,
}

/// An answer to a request, emitted after the sampled latency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    /// The request's id.
    pub id: RequestId,
    /// What the acquirer says.
    pub result: Reply,
}

/// The acquirer's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reply {
    /// Answer to `authorise` or `prompt_answer`.
    Authorisation(AuthReply),
    /// The issuer needs prompted data first (fleet P1); answer with `prompt_answer`.
    PromptNeeded {
        /// RRN of the pending authorisation (use as `Ref::Rrn`).
        rrn: String,
        /// Its STAN.
        stan: u32,
        /// Flags in order, e.g. `[("PromptOdometer","true"),("MinOdometer","150"),...]`.
        flags: Vec<(String, String)>,
    },
    /// Answer to capture, reverse, refund or inquire.
    Record(RecordReply),
    /// Answer to close_batch.
    Batch(BatchReply),
}

impl Reply {
    /// The response code (`PromptNeeded` has none: it is not a decision yet).
    pub fn code(&self) -> Option<ResponseCode> {
        match self {
            Reply::Authorisation(a) => Some(a.code),
            Reply::PromptNeeded { .. } => None,
            Reply::Record(r) => Some(r.code),
            Reply::Batch(b) => Some(b.code),
        }
    }
}

/// An authorisation decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthReply {
    /// `00` full, `10` partial, anything else declined.
    pub code: ResponseCode,
    /// The profile's text for the code, or the rule's own text.
    pub text: String,
    /// True when money was approved (`approved` is then positive).
    pub approved: bool,
    /// RRN (`YDDDHH` + 6-digit sequence).
    pub rrn: String,
    /// STAN, 1..=999999 per terminal.
    pub stan: u32,
    /// Approval code: 6 chars `[0-9A-Z]` on approvals, or `A00001`-style on every decision when
    /// the profile numbers them.
    pub auth_code: Option<String>,
    /// What was asked.
    pub requested: Amount,
    /// What was approved (zero when declined).
    pub amount: Amount,
}

/// Answer about one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordReply {
    /// `00` done (or a replay that moved nothing), else why not.
    pub code: ResponseCode,
    /// Text of the code.
    pub text: String,
    /// Money this request moved (zero for replays, refusals and inquiries); `None` when no
    /// unit is known (unknown reference).
    pub moved: Option<Amount>,
    /// The record after the operation; `None` for an unknown reference (`25`).
    pub record: Option<RecordView>,
}

/// Answer to close_batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchReply {
    /// `00`, or `95` when the claimed totals differ (the acquirer's totals stand).
    pub code: ResponseCode,
    /// Text of the code.
    pub text: String,
    /// The terminal.
    pub terminal: String,
    /// 6-digit batch number, per terminal from `000001`.
    pub batch_number: String,
    /// The acquirer's totals per unit.
    pub totals: Vec<BatchTotals>,
}

/// What the machine produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Output {
    /// An answer to the caller.
    Response(Response),
    /// A change observers journal.
    Event(Event),
}

/// Observer events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A record was created or changed state.
    RecordChanged {
        /// RRN of the record.
        rrn: String,
        /// Authorisation or refund.
        kind: RecordKind,
        /// Previous state (`None` on creation).
        from: Option<RecordState>,
        /// New state.
        to: RecordState,
    },
    /// A batch was closed.
    BatchClosed {
        /// The terminal.
        terminal: String,
        /// Its number.
        batch_number: String,
        /// True when claimed totals differed (`95`).
        mismatch: bool,
    },
}

/// Why an input was refused. A refused input changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reject {
    /// The request id was used before.
    #[error("request id {0:?} already used")]
    DuplicateRequest(RequestId),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track2_gives_pan_and_expiry() {
        let c = Card::Track2(";4761730000000011=31122011234567890?".into());
        assert_eq!(c.match_text(), "4761730000000011");
        assert_eq!(c.expiry(), Some("3112"));
        assert_eq!(c.clone().into_match_text(), c.match_text());
        let c = Card::Track2("4761730000000011D3112".into());
        assert_eq!(c.clone().into_match_text(), c.match_text());
        assert_eq!(c.expiry(), Some("3112"));
        let f = Card::Fleet("0000000000091".into());
        assert_eq!(f.match_text(), "0000000000091");
        assert_eq!(f.expiry(), None);
    }
}
