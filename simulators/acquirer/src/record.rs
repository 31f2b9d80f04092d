//! Records: authorisations and refunds with their states and money (simulators spec 4.1).
//!
//! ```text
//!  authorise ──> Pending ──┬──> Approved (preauth) ──capture──> Captured ──close──> Settled
//!      │      (answer in   │       │    │                          │
//!      │       flight, or  │       │    └──after auth_validity──> Expired
//!      │       prompting)  │       └──reverse (all)──> Reversed <──void (all)──┘
//!      │                   ├──> Captured (sale, captured at once)
//!      │                   └──> Declined
//!      └──no_response──> Lost ──reverse (all)──> Reversed
//!  refund ──> Refunded ──close──> Settled
//!                └──reverse──> Reversed
//! ```
//!
//! Terminal (SIM-G-02): `Declined`, `Reversed`, `Expired`, `Settled`. Money per record
//! (SIM-A-01): `captured <= approved <= requested`, `captured + reversed <= approved`,
//! `refunded <= captured`. A void (reversal of a captured, unsettled record) moves money from
//! `captured` to `reversed`, so the sum never exceeds what was approved.

use payrig_core::{MaskedPan, Timestamp};
use serde::Serialize;

use crate::amount::{Amount, Unit};
use crate::code::ResponseCode;
use crate::ops::AuthKind;
use crate::outcome::PromptRule;

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordKind {
    /// An authorisation (sale or preauth).
    Authorisation(AuthKind),
    /// A refund, referenced or standalone.
    Refund,
}

/// The observable state of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordState {
    /// Decided but not yet answered, or waiting for prompt answers.
    Pending,
    /// Approved preauth, not captured.
    Approved,
    /// Declined (terminal).
    Declined,
    /// Never answered; the hold counts until reversed.
    Lost,
    /// Captured (a sale at once, a preauth on capture).
    Captured,
    /// Fully reversed or voided (terminal).
    Reversed,
    /// Uncaptured preauth past `auth_validity` (terminal).
    Expired,
    /// Settled by a batch close (terminal).
    Settled,
    /// A refund booked, not yet settled.
    Refunded,
}

impl RecordState {
    /// True for the states no transition leaves (SIM-G-02).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            RecordState::Declined
                | RecordState::Reversed
                | RecordState::Expired
                | RecordState::Settled
        )
    }
}

/// Internal phase: the state plus the data valid only in it.
#[derive(Debug, Clone)]
pub(crate) enum Phase {
    /// Decided (`approved` minor units, 0 = declined); the answer is in flight.
    Pending {
        approved: i64,
    },
    /// Prompt flags sent; waiting for `prompt_answer`.
    AwaitingPrompt {
        rule: PromptRule,
        allow_partial: bool,
    },
    Approved {
        /// The queue key of the expiry deadline, removed when the record leaves `Approved`.
        expiry: (Timestamp, u64),
    },
    Declined,
    Lost,
    Captured,
    Reversed,
    Expired,
    Settled,
    Refunded,
}

impl Phase {
    pub(crate) fn state(&self) -> RecordState {
        match self {
            Phase::Pending { .. } | Phase::AwaitingPrompt { .. } => RecordState::Pending,
            Phase::Approved { .. } => RecordState::Approved,
            Phase::Declined => RecordState::Declined,
            Phase::Lost => RecordState::Lost,
            Phase::Captured => RecordState::Captured,
            Phase::Reversed => RecordState::Reversed,
            Phase::Expired => RecordState::Expired,
            Phase::Settled => RecordState::Settled,
            Phase::Refunded => RecordState::Refunded,
        }
    }
}

/// One record. Amount fields are integer values in `requested.unit`.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) kind: RecordKind,
    /// Index into `Acquirer::terminals` (the name is stored once there).
    pub(crate) terminal: usize,
    pub(crate) stan: u32,
    pub(crate) rrn: String,
    pub(crate) card: Option<String>,
    pub(crate) auth_code: Option<String>,
    /// Authorisation: requested. Refund: the refund amount.
    pub(crate) requested: Amount,
    pub(crate) approved: i64,
    pub(crate) captured: i64,
    pub(crate) reversed: i64,
    /// Authorisation: refunded against it. Refund: its live amount (0 once reversed).
    pub(crate) refunded: i64,
    /// Refund: the authorisation it refunds.
    pub(crate) original: Option<usize>,
    /// ATIONet `93`: the capture (completion) is refused with this code and text.
    pub(crate) capture_refusal: Option<(ResponseCode, Option<String>)>,
    pub(crate) phase: Phase,
}

impl Record {
    pub(crate) fn unit(&self) -> Unit {
        self.requested.unit
    }

    pub(crate) fn amount(&self, v: i64) -> Amount {
        self.requested.with_value(v)
    }

    /// The snapshot; `terminal` is the name of `self.terminal`.
    pub(crate) fn view(&self, terminal: &str) -> RecordView {
        RecordView {
            kind: self.kind,
            state: self.phase.state(),
            terminal: terminal.to_owned(),
            stan: self.stan,
            rrn: self.rrn.clone(),
            card: self.card.as_deref().map(MaskedPan::new),
            auth_code: self.auth_code.clone(),
            requested: self.requested,
            approved: self.amount(self.approved),
            captured: self.amount(self.captured),
            reversed: self.amount(self.reversed),
            refunded: self.amount(self.refunded),
        }
    }
}

/// A read-only snapshot of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordView {
    /// Authorisation or refund.
    pub kind: RecordKind,
    /// State.
    pub state: RecordState,
    /// Terminal.
    pub terminal: String,
    /// STAN.
    pub stan: u32,
    /// RRN.
    pub rrn: String,
    /// Masked card (authorisations).
    pub card: Option<MaskedPan>,
    /// Approval code, when one was issued.
    pub auth_code: Option<String>,
    /// Requested (refund: the refund amount).
    pub requested: Amount,
    /// Approved so far (refund: zero).
    pub approved: Amount,
    /// Captured and not voided.
    pub captured: Amount,
    /// Released or voided.
    pub reversed: Amount,
    /// Authorisation: refunded against it. Refund: its live amount.
    pub refunded: Amount,
}

/// Sums over all records of one unit (SIM-A-01 checks these).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Ledger {
    /// Σ requested over authorisations.
    pub requested: i128,
    /// Σ approved (holds of `Lost` records included).
    pub approved: i128,
    /// Σ captured, net of voids.
    pub captured: i128,
    /// Σ reversed (authorisations).
    pub reversed: i128,
    /// Σ live refunds.
    pub refunded: i128,
}

impl Ledger {
    pub(crate) fn add(&mut self, r: &Record) {
        match r.kind {
            RecordKind::Authorisation(_) => {
                self.requested += i128::from(r.requested.value);
                self.approved += i128::from(r.approved);
                self.captured += i128::from(r.captured);
                self.reversed += i128::from(r.reversed);
            }
            RecordKind::Refund => self.refunded += i128::from(r.refunded),
        }
    }

    /// SIM-A-01: `captured <= approved <= requested`, `captured + reversed <= approved`,
    /// `refunded <= captured`, nothing negative.
    pub fn conserves(&self) -> bool {
        self.captured >= 0
            && self.reversed >= 0
            && self.refunded >= 0
            && self.captured <= self.approved
            && self.approved <= self.requested
            && self.captured + self.reversed <= self.approved
            && self.refunded <= self.captured
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_states() {
        let t: Vec<_> = [
            RecordState::Pending,
            RecordState::Approved,
            RecordState::Declined,
            RecordState::Lost,
            RecordState::Captured,
            RecordState::Reversed,
            RecordState::Expired,
            RecordState::Settled,
            RecordState::Refunded,
        ]
        .into_iter()
        .filter(RecordState::is_terminal)
        .collect();
        assert_eq!(
            t,
            [
                RecordState::Declined,
                RecordState::Reversed,
                RecordState::Expired,
                RecordState::Settled
            ]
        );
    }

    #[test]
    fn ledger_checks_conservation() {
        let ok = Ledger {
            requested: 100,
            approved: 80,
            captured: 50,
            reversed: 30,
            refunded: 50,
        };
        assert!(ok.conserves());
        assert!(!Ledger { reversed: 31, ..ok }.conserves());
        assert!(!Ledger { refunded: 51, ..ok }.conserves());
        assert!(!Ledger {
            approved: 101,
            ..ok
        }
        .conserves());
    }
}
