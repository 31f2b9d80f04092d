//! Translations between the TECS terminal machine and its devices: reader commands and
//! events, acquirer requests and answers (with the world's global request ids).

use std::collections::{BTreeMap, HashMap};

use payrig_acquirer::{
    Acquirer, Amount, AuthKind as AcqAuthKind, Authorise, Card, Entry as AcqEntry, OpKind,
    Operation, Outcome, Override, OverrideMatch, Ref, Reply, Request, RequestId, Response,
    ResponseCode, ReversalReason as AcqReversal,
};
use payrig_core::{Machine, Timestamp};
use payrig_reader::{
    Behaviour, Brand, CardTable, Cvm as RCvm, DoneReason, Entry as REntry, Input as RInput,
    Output as ROutput, SessionResult,
};
use payrig_tecs::messages::{
    AcquirerAnswer, AcquirerCard, AcquirerRef, AcquirerRequest, AuthKind, CardData, Cvm, Entry,
    ReaderCommand, ReaderEvent, ReaderKind, ReversalReason,
};
use payrig_tecs::Record;
use serde_json::json;

/// Reader inputs for a terminal command. A session still finishing (card not yet removed) is
/// closed first: the terminal has moved on.
pub(super) fn reader_inputs(terminal: &str, cmd: &ReaderCommand) -> Vec<RInput> {
    match cmd {
        ReaderCommand::Begin { kind, amount, tip } => {
            let kind = match kind {
                ReaderKind::Preauth => payrig_reader::TxnKind::Preauth,
                ReaderKind::Refund => payrig_reader::TxnKind::Refund,
                _ => payrig_reader::TxnKind::Sale,
            };
            vec![
                RInput::RemoveCard,
                RInput::Begin(payrig_reader::Begin {
                    txn: terminal.to_owned(),
                    kind,
                    amount: *amount,
                    modes: vec![REntry::Tap, REntry::Insert, REntry::Swipe],
                    tip: if *tip {
                        payrig_reader::TipMode::Ask
                    } else {
                        payrig_reader::TipMode::None
                    },
                }),
            ]
        }
        ReaderCommand::Cancel => vec![RInput::Cancel],
        _ => Vec::new(),
    }
}

fn aid(brand: Brand) -> &'static str {
    match brand {
        Brand::Visa => "A0000000031010",
        Brand::Mastercard => "A0000000041010",
        Brand::Maestro => "A0000000043060",
        Brand::Amex => "A00000002501",
        Brand::Discover => "A0000001523010",
        Brand::Jcb => "A0000000651010",
        _ => "A0000000000000",
    }
}

/// A deterministic application cryptogram stand-in: 8 hex digits from the PAN and amount.
fn cryptogram(pan: &str, total: i64) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in pan.bytes().chain(total.to_le_bytes()) {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{h:08X}")
}

/// The terminal event for a reader output, if the terminal cares.
pub(super) fn terminal_event(out: &ROutput) -> Option<ReaderEvent> {
    match out {
        ROutput::CardData(cd) => {
            let entry = match cd.entry {
                REntry::Tap => Entry::Tap,
                REntry::Swipe | REntry::FallbackSwipe => Entry::Swipe,
                REntry::Manual => Entry::Manual,
                _ => Entry::Insert,
            };
            let cvm = match cd.cvm {
                RCvm::OnlinePin | RCvm::OfflinePin => Cvm::OnlinePin,
                RCvm::Signature => Cvm::Signature,
                _ => Cvm::NoCvm,
            };
            Some(ReaderEvent::CardRead(CardData {
                pan: cd.pan.clone(),
                expiry: cd.expiry.clone(),
                brand: format!("{:?}", cd.brand).to_uppercase(),
                svc: cd.service_code.clone(),
                entry,
                cvm,
                pin: cd.online_pin.as_ref().map(|p| p.pin_block.clone()),
                aid: aid(cd.brand).to_owned(),
                cryptogram: cryptogram(&cd.pan, cd.total.minor),
                tip_minor: u64::try_from(cd.tip.minor).unwrap_or(0),
            }))
        }
        ROutput::Done {
            result: SessionResult::Aborted | SessionResult::Failed,
            reason,
            ..
        } => match reason {
            DoneReason::CustomerAbort => Some(ReaderEvent::CustomerCancel),
            DoneReason::ReadFailure | DoneReason::CardBlocked | DoneReason::PinBlocked => {
                Some(ReaderEvent::ReadFailure)
            }
            // Present timeouts are the terminal's own card_wait; host cancels come from it.
            _ => None,
        },
        _ => None,
    }
}

/// Links terminal-local acquirer ids to the acquirer's global request ids.
#[derive(Debug, Default)]
pub(super) struct AcquirerLinks {
    next: u64,
    /// global id -> (terminal slot, terminal-local id)
    pending: HashMap<u64, (u32, u64)>,
    /// (terminal slot, terminal-local id) -> global id. It keeps every request (references
    /// may name any of them), so it is ordered: a hash map's resize would rehash all of it at
    /// once under the world's lock, a latency spike under load.
    global: BTreeMap<(u32, u64), u64>,
}

impl AcquirerLinks {
    pub(super) fn sent(&self) -> u64 {
        self.next
    }

    fn reference(&self, slot: u32, original: &AcquirerRef) -> Ref {
        if !original.rrn.is_empty() {
            return Ref::Rrn(original.rrn.clone());
        }
        let g = self
            .global
            .get(&(slot, original.request_id))
            .copied()
            .unwrap_or(u64::MAX);
        Ref::Request(RequestId(g))
    }

    /// Sends one terminal request. The issuer's view of the card (a wrong online PIN, a test
    /// card's behaviour) becomes a one-time override for this authorisation.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send(
        &mut self,
        now: Timestamp,
        acquirer: &mut Acquirer,
        slot: u32,
        terminal: &str,
        req: &AcquirerRequest,
        card: Option<&payrig_reader::CardData>,
        cards: &CardTable,
    ) {
        self.next += 1;
        let id = self.next;
        let op = match req {
            AcquirerRequest::Authorise {
                kind,
                amount,
                card: c,
                entry,
                pin,
                ..
            } => {
                let acq_card = match c {
                    AcquirerCard::Pan { pan, expiry } => Card::Pan {
                        pan: pan.clone(),
                        expiry: Some(expiry.clone()),
                    },
                    AcquirerCard::Reference(r) => {
                        // D20: `REF<card id>` names a card of the reader's table.
                        match r.strip_prefix("REF").and_then(|id| cards.get(id)) {
                            Some(k) => Card::Pan {
                                pan: k.pan.clone(),
                                expiry: Some(k.expiry.clone()),
                            },
                            None => Card::Fleet(r.clone()),
                        }
                    }
                    _ => Card::Fleet(String::new()),
                };
                issuer_override(acquirer, &acq_card, card);
                let entry = match entry {
                    Entry::Tap => AcqEntry::Tap,
                    Entry::Swipe => AcqEntry::Swipe,
                    Entry::Manual => AcqEntry::Keyed,
                    _ => AcqEntry::Insert,
                };
                let amount = Amount::money(*amount);
                match kind {
                    AuthKind::Refund => Operation::Refund {
                        reference: None,
                        terminal: terminal.to_owned(),
                        amount,
                    },
                    k => Operation::Authorise(Authorise {
                        kind: if matches!(k, AuthKind::Preauth) {
                            AcqAuthKind::Preauth
                        } else {
                            AcqAuthKind::Sale
                        },
                        terminal: terminal.to_owned(),
                        amount,
                        card: acq_card,
                        pin_block: pin.clone(),
                        entry,
                        allow_partial: false,
                    }),
                }
            }
            AcquirerRequest::Capture {
                original, amount, ..
            } => Operation::Capture {
                reference: self.reference(slot, original),
                amount: Amount::money(*amount),
            },
            AcquirerRequest::Reverse {
                original, reason, ..
            } => Operation::Reverse {
                reference: self.reference(slot, original),
                amount: None,
                reason: match reason {
                    ReversalReason::Timeout => AcqReversal::Timeout,
                    _ => AcqReversal::Cancelled,
                },
            },
            AcquirerRequest::Refund {
                original, amount, ..
            } => Operation::Refund {
                reference: Some(self.reference(slot, original)),
                terminal: terminal.to_owned(),
                amount: Amount::money(*amount),
            },
            _ => return,
        };
        let local = req.id();
        if acquirer
            .handle_input(
                now,
                payrig_acquirer::Input::Request(Request {
                    id: RequestId(id),
                    op,
                }),
            )
            .is_ok()
        {
            self.pending.insert(id, (slot, local));
            self.global.insert((slot, local), id);
        }
    }

    /// The terminal answer for an acquirer response.
    pub(super) fn answer(&mut self, r: &Response) -> Option<(u32, AcquirerAnswer)> {
        let (slot, local) = self.pending.remove(&r.id.0)?;
        let a = match &r.result {
            Reply::Authorisation(a) => AcquirerAnswer {
                id: local,
                code: a.code.as_str().to_owned(),
                approved_minor: a.approved.then_some(a.amount.value),
                auth_code: a.auth_code.clone().unwrap_or_default(),
                stan: format!("{:06}", a.stan),
                rrn: a.rrn.clone(),
            },
            Reply::Record(rec) => AcquirerAnswer {
                id: local,
                code: rec.code.as_str().to_owned(),
                approved_minor: rec.moved.map(|m| m.value),
                auth_code: rec
                    .record
                    .as_ref()
                    .and_then(|v| v.auth_code.clone())
                    .unwrap_or_default(),
                stan: rec
                    .record
                    .as_ref()
                    .map(|v| format!("{:06}", v.stan))
                    .unwrap_or_default(),
                rrn: rec
                    .record
                    .as_ref()
                    .map(|v| v.rrn.clone())
                    .unwrap_or_default(),
            },
            _ => return None,
        };
        Some((slot, a))
    }
}

/// The issuer's part the acquirer cannot see from the request: a wrong online PIN (`55`) and
/// the test card's own behaviour (simulators spec 2.1: `05`, `51`, `54`, no answer...).
fn issuer_override(
    acquirer: &mut Acquirer,
    acq_card: &Card,
    card: Option<&payrig_reader::CardData>,
) {
    let Some(cd) = card else {
        return;
    };
    let outcome = if cd.online_pin.as_ref().is_some_and(|p| !p.correct) {
        ResponseCode::parse("55").ok().map(Outcome::code)
    } else {
        match &cd.behaviour {
            Behaviour::Code(c) if c != "00" => ResponseCode::parse(c).ok().map(Outcome::code),
            Behaviour::NoResponse => Some(Outcome::NoResponse),
            _ => None,
        }
    };
    let Some(outcome) = outcome else {
        return;
    };
    acquirer.add_override(Override {
        matcher: OverrideMatch {
            operation: Some(OpKind::Authorise),
            card: Some(acq_card.match_text().to_owned()),
            ..OverrideMatch::default()
        },
        outcome,
        times: Some(1),
        latency: None,
    });
}

/// A record as the control API shows it.
pub(super) fn record_json(r: &Record) -> serde_json::Value {
    json!({
        "transaction_id": r.transaction_id,
        "kind": r.kind,
        "status": r.status,
        "currency": r.amount.currency.code(),
        "amount": r.amount.minor,
        "tip_amount": r.tip_amount.minor,
        "approved_amount": r.approved_amount.minor,
        "captured_amount": r.captured_amount.minor,
        "refunded_amount": r.refunded_amount.minor,
        "original": r.original,
        "stan": r.stan,
        "authorization_number": r.authorization_number,
        "card_number": r.card_number,
        "response_code": r.response.as_ref().map(|s| s.body.response_code.clone()),
        "response_undelivered": r.response_undelivered,
    })
}
