//! Routing a fresh request from `idle` (T1, T2 and the reference rules of 4.2) and the card
//! read of T3.

use payrig_core::Timestamp;

use super::{Flow, State, Terminal};
use crate::answer::{brand_of, display_pan};
use crate::code::ResponseCode;
use crate::domain::{CardSource, KeyedCard, Operation, Request};
use crate::messages::{
    AcquirerCard, AcquirerRef, AcquirerRequest, AuthKind, CardData, Entry, Output, ReaderCommand,
    ReaderKind, ReversalReason,
};
use crate::record::{Record, RecordKind};
use crate::references::{self, RefOp, RefQuery};
use crate::state::Timer;

impl Terminal {
    /// T1 / T2 from idle, and the reference checks of 4.2.
    pub(super) fn route(&mut self, now: Timestamp, req_id: u64, request: Box<Request>) -> State {
        let kind = match record_kind(&request.operation) {
            Some(k) => k,
            None => {
                self.respond_plain(now, req_id, &request, ResponseCode::NothingToAbort);
                return State::Idle;
            }
        };
        let mut rec = Record::pending(
            now,
            &request.transaction_id,
            kind,
            request.fingerprint.clone(),
            request.amount,
            &request.source_id,
        );
        let flow = Flow {
            req_id,
            request,
            waiters: Vec::new(),
            ecr_gone: false,
            card: None,
        };
        let req = &flow.request;
        let reference = match &req.operation {
            Operation::Cancel { reference } => Some((RefOp::Cancel, reference)),
            Operation::Capture { reference } => Some((RefOp::Capture, reference)),
            Operation::ReferencedRefund { reference } => Some((RefOp::Refund, reference)),
            _ => None,
        };
        if let Some((op, reference)) = reference {
            rec.card_number = req.card_number().to_owned();
            let q = RefQuery {
                op,
                reference,
                source_id: &req.source_id,
                terminal_number: &self.config.terminal_number,
                amount_minor: req.amount.minor,
                currency: req.amount.currency,
                cancel_amount_must_match: self.config.cancel_amount_must_match,
            };
            let original = match references::check(&self.records, &q) {
                Ok(id) => id,
                Err(e) => {
                    // TEC-S-014: 1201 / 1202 / 1203, HTTP 200, stored like any outcome.
                    rec.original = e.original;
                    self.insert(rec);
                    return self.finish(now, flow, e.code, None);
                }
            };
            let (issuer, oref) = match self.records.get(&original) {
                Some(o) => (o.issuer.clone(), o.acquirer.clone().unwrap_or_default()),
                None => (String::new(), AcquirerRef::default()),
            };
            rec.issuer = issuer;
            rec.original = Some(original);
            let id = self.next_id();
            let amount = req.amount;
            let to = match op {
                RefOp::Cancel => AcquirerRequest::Reverse {
                    id,
                    original: oref,
                    reason: ReversalReason::Cancel,
                },
                RefOp::Capture => AcquirerRequest::Capture {
                    id,
                    original: oref,
                    amount,
                },
                RefOp::Refund => AcquirerRequest::Refund {
                    id,
                    original: oref,
                    amount,
                },
            };
            self.insert(rec);
            self.out.push_back(Output::ToAcquirer(to));
            self.arm(now, Timer::HostTimeout);
            return State::Authorizing { flow, pending: id };
        }
        match keyed_card(&req.operation) {
            // T1
            None => {
                let reader_kind = match kind {
                    RecordKind::Preauth => ReaderKind::Preauth,
                    RecordKind::SaleTip => ReaderKind::SaleTip,
                    RecordKind::Refund => ReaderKind::Refund,
                    _ => ReaderKind::Sale,
                };
                self.out.push_back(Output::ToReader(ReaderCommand::Begin {
                    kind: reader_kind,
                    amount: req.amount,
                    tip: kind == RecordKind::SaleTip,
                }));
                self.insert(rec);
                self.arm(now, Timer::CardWait);
                State::AwaitingCard(flow)
            }
            // T2, TEC-S-008
            Some(card) => {
                let (acq_card, entry) = match card {
                    KeyedCard::Manual { pan, expiry } => {
                        rec.card_number = display_pan(pan, expiry, self.config.mask_pan);
                        rec.issuer = self.issuer(brand_of(pan));
                        let c = AcquirerCard::Pan {
                            pan: pan.clone(),
                            expiry: expiry.clone(),
                        };
                        (c, Entry::Manual)
                    }
                    KeyedCard::Track2 { pan, expiry, svc } => {
                        rec.card_number = display_pan(pan, expiry, self.config.mask_pan);
                        rec.issuer = self.issuer(brand_of(pan));
                        rec.svc = svc.clone();
                        let c = AcquirerCard::Pan {
                            pan: pan.clone(),
                            expiry: expiry.clone(),
                        };
                        (c, Entry::Swipe)
                    }
                    KeyedCard::Reference(r) => {
                        rec.card_number = r.clone();
                        rec.issuer = self.issuer("CARD");
                        (AcquirerCard::Reference(r.clone()), Entry::Manual)
                    }
                };
                let cvc2 = Some(req.wire.text("cvc2").to_owned()).filter(|c| !c.is_empty());
                let id = self.next_id();
                self.out
                    .push_back(Output::ToAcquirer(AcquirerRequest::Authorise {
                        id,
                        kind: auth_kind(kind),
                        amount: req.amount,
                        card: acq_card,
                        entry,
                        pin: None,
                        cvc2,
                    }));
                self.insert(rec);
                self.arm(now, Timer::HostTimeout);
                State::Authorizing { flow, pending: id }
            }
        }
    }

    /// T3: the card is read; ask the acquirer for `amount` + tip.
    pub(super) fn card_read(
        &mut self,
        now: Timestamp,
        mut flow: Flow,
        mut card: CardData,
    ) -> State {
        let id = self.next_id();
        let issuer = self.issuer(&card.brand);
        let display = display_pan(&card.pan, &card.expiry, self.config.mask_pan);
        let Some(rec) = self.records.get_mut(&flow.request.transaction_id) else {
            return self.finish(now, flow, ResponseCode::CardReadError, None);
        };
        if rec.kind == RecordKind::SaleTip {
            // D12: the reader supplies the tip.
            let max = i64::MAX - rec.amount.minor;
            rec.tip_amount.minor = i64::try_from(card.tip_minor).unwrap_or(max).min(max);
        }
        rec.card_read = true;
        rec.card_number = display;
        rec.issuer = issuer;
        rec.svc = std::mem::take(&mut card.svc);
        rec.updated = now;
        let mut amount = rec.amount;
        amount.minor += rec.tip_amount.minor;
        let kind = auth_kind(rec.kind);
        // The flow keeps the card for the receipt footer only (CVM, AID, cryptogram), so the
        // PAN, expiry, PIN and service code move on instead of being copied.
        self.out
            .push_back(Output::ToAcquirer(AcquirerRequest::Authorise {
                id,
                kind,
                amount,
                card: AcquirerCard::Pan {
                    pan: std::mem::take(&mut card.pan),
                    expiry: std::mem::take(&mut card.expiry),
                },
                entry: card.entry,
                pin: card.pin.take(),
                cvc2: None,
            }));
        flow.card = Some(Box::new(card));
        self.arm(now, Timer::HostTimeout);
        State::Authorizing { flow, pending: id }
    }
}

fn record_kind(op: &Operation) -> Option<RecordKind> {
    Some(match op {
        Operation::Sale { .. } => RecordKind::Sale,
        Operation::MotoSale { .. } => RecordKind::MotoSale,
        Operation::Preauth { .. } => RecordKind::Preauth,
        Operation::SaleTip => RecordKind::SaleTip,
        Operation::Refund { .. } => RecordKind::Refund,
        Operation::ReferencedRefund { .. } => RecordKind::ReferencedRefund,
        Operation::Cancel { .. } => RecordKind::Cancel,
        Operation::Capture { .. } => RecordKind::Capture,
        _ => return None,
    })
}

fn keyed_card(op: &Operation) -> Option<&KeyedCard> {
    match op {
        Operation::MotoSale { card }
        | Operation::Sale {
            card: CardSource::Keyed(card),
        }
        | Operation::Preauth {
            card: CardSource::Keyed(card),
        }
        | Operation::Refund {
            card: CardSource::Keyed(card),
        } => Some(card),
        _ => None,
    }
}

fn auth_kind(kind: RecordKind) -> AuthKind {
    match kind {
        RecordKind::Preauth => AuthKind::Preauth,
        RecordKind::Refund => AuthKind::Refund,
        _ => AuthKind::Sale,
    }
}
