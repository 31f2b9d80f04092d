//! One handler per operation (simulators spec 4.1-4.3). Each decides on arrival, changes the
//! records at once (an authorisation stays `Pending` until its answer leaves) and queues its
//! answer after the sampled latency.

use std::collections::BTreeMap;

use payrig_core::rng::DurationSpec;
use payrig_core::{Duration, Timestamp};

use crate::acquirer::{Acquirer, Choosing};
use crate::amount::{Amount, Unit};
use crate::code::ResponseCode;
use crate::ids;
use crate::ops::{
    AuthReply, Authorise, BatchReply, BatchTotals, Event, Operation, RecordReply, Ref, Reply,
    RequestId,
};
use crate::outcome::{Answer, Grant, MatchFacts, OpKind, Outcome};
use crate::record::{Phase, Record, RecordKind};

/// A refusal forced by an override on a non-authorise operation: code and optional text.
type Refusal = (ResponseCode, Option<String>);

impl Acquirer {
    pub(crate) fn handle_request(&mut self, now: Timestamp, id: RequestId, op: Operation) {
        let kind = OpKind::of(&op);
        let target = match &op {
            Operation::Capture { reference, .. }
            | Operation::Reverse { reference, .. }
            | Operation::Inquire { reference }
            | Operation::PromptAnswer { reference, .. } => self.lookup(reference),
            Operation::Refund {
                reference: Some(r), ..
            } => self.lookup(r),
            _ => None,
        };
        // The facts borrow the request and the record in place (no copies): `choose` gets the
        // acquirer's other fields, borrowed apart from these.
        let Acquirer {
            records,
            terminals,
            overrides,
            card_behaviour,
            config,
            rng,
            hour,
            ..
        } = self;
        let rec = target.and_then(|i| records.get(i));
        let rec_card = rec.and_then(|r| r.card.as_deref());
        let rec_terminal = rec.map(|r| terminals.get(r.terminal).map_or("", |t| t.name.as_str()));
        let rec_requested = rec.map(|r| r.requested);
        let (card, terminal, amount) = match &op {
            Operation::Authorise(a) => (
                Some(a.card.match_text()),
                Some(a.terminal.as_str()),
                Some(a.amount),
            ),
            Operation::Capture { amount, .. } => (rec_card, rec_terminal, Some(*amount)),
            Operation::Reverse { amount, .. } => (rec_card, rec_terminal, amount.or(rec_requested)),
            Operation::Refund {
                terminal, amount, ..
            } => (rec_card, Some(terminal.as_str()), Some(*amount)),
            Operation::Inquire { .. } => (rec_card, rec_terminal, None),
            Operation::CloseBatch { terminal, .. } => (None, Some(terminal.as_str()), None),
            Operation::PromptAnswer { .. } => (rec_card, rec_terminal, rec_requested),
        };
        let facts = MatchFacts {
            op: kind,
            card,
            amount,
            terminal,
        };
        // Spec 4.2 `13`: a non-positive amount is answered before any rule or override.
        let (outcome, latency) = match &op {
            Operation::Authorise(a) if a.amount.value <= 0 => {
                (Outcome::code(ResponseCode::INVALID_AMOUNT), None)
            }
            _ => {
                let parts = Choosing {
                    overrides,
                    card_behaviour,
                    config,
                    rng,
                    hour,
                };
                Acquirer::choose(parts, now, &facts, &op)
            }
        };
        if let Operation::Authorise(a) = op {
            self.authorise(now, id, a, outcome, latency);
            return;
        }
        // For the other operations the outcome is a gate: `no_response` drops the request
        // unapplied, a code other than `00` refuses it, anything else lets it proceed.
        let (delay, refusal): (Duration, Option<Refusal>) = match outcome {
            Outcome::NoResponse => return,
            Outcome::Answer(a) => (self.latency(kind, latency), refusal_of(a)),
            Outcome::Late { after, answer } => (after, refusal_of(answer)),
            Outcome::Prompt(_) => (self.latency(kind, latency), None),
        };
        match op {
            Operation::PromptAnswer { answers, .. } => {
                self.prompt_answer(now, id, delay, target, &answers, refusal);
            }
            Operation::CloseBatch { terminal, claimed } => match refusal {
                Some((code, text)) => {
                    let text = text.unwrap_or_else(|| self.text(code));
                    let reply = Reply::Batch(BatchReply {
                        code,
                        text,
                        terminal,
                        batch_number: String::new(),
                        totals: Vec::new(),
                    });
                    self.respond(now, delay, id, reply, None);
                }
                None => self.close_batch(now, id, delay, terminal, claimed),
            },
            op => {
                if let Some((code, text)) = refusal {
                    let unit = amount.map(|a| a.unit).or(rec_requested.map(|a| a.unit));
                    self.record_reply(now, delay, id, target, code, text, unit, 0);
                    return;
                }
                match op {
                    Operation::Capture { amount, .. } => {
                        self.capture(now, id, delay, target, amount);
                    }
                    Operation::Reverse { amount, .. } => {
                        self.reverse(now, id, delay, target, amount);
                    }
                    Operation::Refund {
                        reference,
                        terminal,
                        amount,
                    } => self.refund(now, id, delay, reference, target, terminal, amount),
                    _ => {
                        // Inquire: a read; the record is reported as it is (`Pending` included).
                        let unit = rec_requested.map(|a| a.unit);
                        self.record_reply(now, delay, id, target, ok(), None, unit, 0);
                    }
                }
            }
        }
    }

    fn authorise(
        &mut self,
        now: Timestamp,
        id: RequestId,
        a: Authorise,
        outcome: Outcome,
        latency: Option<DurationSpec>,
    ) {
        let terminal = self.terminal_index(&a.terminal);
        let (stan, rrn, rrn_key) = self.allocate_ids(now, terminal);
        let mut rec = Record {
            kind: RecordKind::Authorisation(a.kind),
            terminal,
            stan,
            rrn: rrn.clone(),
            // The request is ours: its card text moves into the record.
            card: Some(a.card.into_match_text()),
            auth_code: None,
            requested: a.amount,
            approved: 0,
            captured: 0,
            reversed: 0,
            refunded: 0,
            original: None,
            capture_refusal: None,
            phase: Phase::Pending { approved: 0 },
        };
        let (answer, delay) = match outcome {
            Outcome::NoResponse => {
                // DECISION (spec 4.3): never answered, yet recorded `Lost` with its hold
                // counted until reversed, so client reversals after timeouts can be tested.
                rec.approved = a.amount.value;
                rec.phase = Phase::Lost;
                self.insert_record(id, rrn_key, rec);
                return;
            }
            Outcome::Prompt(rule) => {
                // Fleet P1: the decision waits for `prompt_answer`.
                let flags = rule.flags.clone();
                rec.phase = Phase::AwaitingPrompt {
                    rule,
                    allow_partial: a.allow_partial,
                };
                self.insert_record(id, rrn_key, rec);
                let delay = self.latency(OpKind::Authorise, latency);
                let reply = Reply::PromptNeeded { rrn, stan, flags };
                self.respond(now, delay, id, reply, None);
                return;
            }
            Outcome::Answer(answer) => {
                let d = self.latency(OpKind::Authorise, latency);
                (answer, d)
            }
            Outcome::Late { after, answer } => (answer, after),
        };
        let (code, approved, text) = self.decide(&answer, a.amount, a.allow_partial);
        rec.auth_code = self.auth_code(approved > 0);
        if approved > 0 {
            rec.capture_refusal = answer.capture_code.map(|c| (c, answer.capture_text));
        }
        rec.phase = Phase::Pending { approved };
        let reply = Reply::Authorisation(AuthReply {
            code,
            text,
            approved: approved > 0,
            rrn,
            stan,
            auth_code: rec.auth_code.clone(),
            requested: a.amount,
            amount: a.amount.with_value(approved),
        });
        let idx = self.insert_record(id, rrn_key, rec);
        self.respond(now, delay, id, reply, Some(idx));
    }

    /// Applies an answer to a request: `(code, approved value, text)` (spec 4.3 partials).
    fn decide(
        &self,
        answer: &Answer,
        requested: Amount,
        allow_partial: bool,
    ) -> (ResponseCode, i64, String) {
        let (code, approved) = if answer.grant.is_some() || answer.code == ResponseCode::PARTIAL {
            let grant = match answer.grant {
                None | Some(Grant::Half) => requested.value / 2,
                Some(Grant::AtMost(d)) => {
                    Amount::from_decimal_floor(d, requested.unit).map_or(i64::MAX, |g| g.value)
                }
            };
            if grant >= requested.value {
                (ResponseCode::APPROVED, requested.value)
            } else if !allow_partial || grant <= 0 {
                // Spec 4.3: partials only with `allow_partial`, else `51`.
                (ResponseCode::INSUFFICIENT_FUNDS, 0)
            } else {
                (ResponseCode::PARTIAL, grant)
            }
        } else if answer.code == ResponseCode::APPROVED {
            (ResponseCode::APPROVED, requested.value)
        } else {
            (answer.code, 0)
        };
        let text = match &answer.text {
            Some(t) if code == answer.code => t.clone(),
            _ => self.text(code),
        };
        (code, approved, text)
    }

    fn prompt_answer(
        &mut self,
        now: Timestamp,
        id: RequestId,
        delay: Duration,
        target: Option<usize>,
        answers: &[(String, String)],
        refusal: Option<Refusal>,
    ) {
        let Some((idx, r)) = target.and_then(|i| self.records.get(i).map(|r| (i, r))) else {
            return self.record_reply(now, delay, id, None, not_found(), None, None, 0);
        };
        let Phase::AwaitingPrompt {
            rule,
            allow_partial,
        } = &r.phase
        else {
            let unit = Some(r.unit());
            let code = ResponseCode::INVALID_TRANSACTION;
            return self.record_reply(now, delay, id, target, code, None, unit, 0);
        };
        let (rule, allow_partial, requested) = (rule.clone(), *allow_partial, r.requested);
        let (code, approved, text) = match refusal {
            Some((c, t)) => (c, 0, t.unwrap_or_else(|| self.text(c))),
            // P3 accept, P4 refuse.
            None if rule.accepts(answers) => self.decide(&rule.then, requested, allow_partial),
            None => (rule.refuse_code, 0, self.text(rule.refuse_code)),
        };
        let auth_code = self.auth_code(approved > 0);
        let Some(r) = self.records.get_mut(idx) else {
            return;
        };
        r.auth_code = auth_code.clone();
        if approved > 0 {
            r.capture_refusal = rule.then.capture_code.map(|c| (c, rule.then.capture_text));
        }
        // Still `Pending`: only the kind of wait changes, so no event.
        r.phase = Phase::Pending { approved };
        let reply = Reply::Authorisation(AuthReply {
            code,
            text,
            approved: approved > 0,
            rrn: r.rrn.clone(),
            stan: r.stan,
            auth_code,
            requested,
            amount: requested.with_value(approved),
        });
        self.respond(now, delay, id, reply, Some(idx));
    }

    fn capture(
        &mut self,
        now: Timestamp,
        id: RequestId,
        delay: Duration,
        target: Option<usize>,
        amount: Amount,
    ) {
        let Some(idx) = target else {
            return self.record_reply(now, delay, id, None, not_found(), None, None, 0);
        };
        self.resolve(idx, now);
        let Some(r) = self.records.get_mut(idx) else {
            return;
        };
        let unit = Some(r.unit());
        let (code, text, moved) = match (r.kind, &r.phase) {
            (RecordKind::Authorisation(_), Phase::Approved { .. }) => {
                if let Some((c, t)) = r.capture_refusal.clone() {
                    // ATIONet 93 / T24: the completion is rejected; the hold stays until the
                    // host reverses it.
                    (c, t, 0)
                } else if amount.unit != r.unit()
                    || amount.value <= 0
                    || amount.value > r.approved - r.reversed
                {
                    (ResponseCode::INVALID_AMOUNT, None, 0)
                } else {
                    // SIM-A-01: captured <= approved - reversed. The uncaptured remainder is
                    // released by the capture (single completion, as fuel hosts do).
                    r.captured = amount.value;
                    *self.net.entry(amount.unit).or_default() += i128::from(amount.value);
                    self.set_phase(idx, Phase::Captured);
                    (ok(), None, amount.value)
                }
            }
            // SIM-A-02: a replayed capture answers `00` and moves nothing.
            (RecordKind::Authorisation(_), Phase::Captured | Phase::Settled) => (ok(), None, 0),
            _ => (ResponseCode::INVALID_TRANSACTION, None, 0),
        };
        self.record_reply(now, delay, id, target, code, text, unit, moved);
    }

    fn reverse(
        &mut self,
        now: Timestamp,
        id: RequestId,
        delay: Duration,
        target: Option<usize>,
        amount: Option<Amount>,
    ) {
        let Some(idx) = target else {
            return self.record_reply(now, delay, id, None, not_found(), None, None, 0);
        };
        self.resolve(idx, now);
        let Some(r) = self.records.get(idx) else {
            return;
        };
        let unit = r.unit();
        let reply = |a: &mut Acquirer, code, moved| {
            a.record_reply(now, delay, id, target, code, None, Some(unit), moved);
        };
        if amount.is_some_and(|a| a.unit != unit || a.value <= 0) {
            return reply(self, ResponseCode::INVALID_AMOUNT, 0);
        }
        let headroom = self.net.get(&unit).copied().unwrap_or(0);
        let (kind, terminal) = (r.kind, r.terminal);
        // How much this reversal may move, and from where.
        let avail = match (kind, &r.phase) {
            (_, Phase::AwaitingPrompt { .. }) => {
                // The host gave up while prompting: nothing was approved.
                self.set_phase(idx, Phase::Reversed);
                return reply(self, ok(), 0);
            }
            (RecordKind::Authorisation(_), Phase::Approved { .. } | Phase::Lost) => {
                r.approved - r.reversed
            }
            // A void must leave what was refunded against the record, and overall (SIM-A-01).
            (RecordKind::Authorisation(_), Phase::Captured) => {
                let h = i64::try_from(headroom).unwrap_or(i64::MAX);
                (r.captured - r.refunded).min(h)
            }
            (RecordKind::Refund, Phase::Refunded) => r.refunded,
            // Spec 4.3: repeats and reversals of declined records answer `00`, move nothing.
            (_, Phase::Declined | Phase::Reversed | Phase::Expired) => {
                return reply(self, ok(), 0);
            }
            // Spec 4.3: settled -> `12`.
            _ => return reply(self, ResponseCode::INVALID_TRANSACTION, 0),
        };
        let x = amount.map_or(avail, |a| a.value);
        let partial_refund_void = kind == RecordKind::Refund && x != avail;
        if avail <= 0 || x > avail || partial_refund_void {
            let code = if avail <= 0 {
                ResponseCode::INVALID_TRANSACTION
            } else {
                ResponseCode::INVALID_AMOUNT
            };
            return reply(self, code, 0);
        }
        let mut original = None;
        let mut done = false;
        if let Some(r) = self.records.get_mut(idx) {
            match r.phase {
                Phase::Captured => {
                    r.captured -= x;
                    r.reversed += x;
                    *self.net.entry(unit).or_default() -= i128::from(x);
                    done = r.captured == 0;
                }
                Phase::Refunded => {
                    r.refunded = 0;
                    r.reversed = x;
                    *self.net.entry(unit).or_default() += i128::from(x);
                    original = r.original;
                    done = true;
                }
                _ => {
                    r.reversed += x;
                    done = r.reversed >= r.approved;
                }
            }
        }
        if let Some(o) = original.and_then(|o| self.records.get_mut(o)) {
            o.refunded -= x;
        }
        if done {
            self.set_phase(idx, Phase::Reversed);
        }
        if let Some(t) = self.terminals.get_mut(terminal) {
            let (c, s) = t.reversals.entry(unit).or_default();
            *c += 1;
            *s += i128::from(x);
        }
        reply(self, ok(), x);
    }

    #[allow(clippy::too_many_arguments)]
    fn refund(
        &mut self,
        now: Timestamp,
        id: RequestId,
        delay: Duration,
        reference: Option<Ref>,
        target: Option<usize>,
        terminal: String,
        amount: Amount,
    ) {
        let unit = Some(amount.unit);
        let refuse = |a: &mut Acquirer, target, code| {
            a.record_reply(now, delay, id, target, code, None, unit, 0);
        };
        if amount.value <= 0 {
            return refuse(self, None, ResponseCode::INVALID_AMOUNT);
        }
        let mut card = None;
        if reference.is_some() {
            let Some(o) = target else {
                return refuse(self, None, not_found());
            };
            self.resolve(o, now);
            let Some(r) = self.records.get(o) else {
                return;
            };
            if !matches!(r.kind, RecordKind::Authorisation(_))
                || !matches!(r.phase, Phase::Captured | Phase::Settled)
            {
                return refuse(self, target, ResponseCode::INVALID_TRANSACTION);
            }
            if r.unit() != amount.unit || amount.value > r.captured - r.refunded {
                return refuse(self, target, ResponseCode::INVALID_AMOUNT);
            }
            card = r.card.clone();
        }
        // SIM-A-01 `refunded <= captured` per unit also binds standalone refunds.
        if i128::from(amount.value) > self.net.get(&amount.unit).copied().unwrap_or(0) {
            return refuse(self, target, ResponseCode::INVALID_AMOUNT);
        }
        let original = reference.and(target);
        if let Some(o) = original.and_then(|o| self.records.get_mut(o)) {
            o.refunded += amount.value;
        }
        *self.net.entry(amount.unit).or_default() -= i128::from(amount.value);
        let terminal = self.terminal_index(&terminal);
        let (stan, rrn, rrn_key) = self.allocate_ids(now, terminal);
        let rec = Record {
            kind: RecordKind::Refund,
            terminal,
            stan,
            rrn,
            card,
            auth_code: None,
            requested: amount,
            approved: 0,
            captured: 0,
            reversed: 0,
            refunded: amount.value,
            original,
            capture_refusal: None,
            phase: Phase::Refunded,
        };
        let idx = self.insert_record(id, rrn_key, rec);
        self.record_reply(now, delay, id, Some(idx), ok(), None, unit, amount.value);
    }

    fn close_batch(
        &mut self,
        now: Timestamp,
        id: RequestId,
        delay: Duration,
        terminal: String,
        claimed: Option<Vec<BatchTotals>>,
    ) {
        let t = self.terminal_index(&terminal);
        let Some(t) = self.terminals.get_mut(t) else {
            return;
        };
        let open: Vec<usize> = t.open.iter().copied().collect();
        let reversals = std::mem::take(&mut t.reversals);
        let batch_number = format!("{:06}", ids::next_six(&mut t.batch));
        let mut totals: BTreeMap<Unit, BatchTotals> = BTreeMap::new();
        let blank = |unit| BatchTotals {
            unit,
            sale_count: 0,
            sale_sum: 0,
            refund_count: 0,
            refund_sum: 0,
            reversal_count: 0,
            reversal_sum: 0,
            net: 0,
        };
        for (unit, (c, s)) in reversals {
            let e = totals.entry(unit).or_insert_with(|| blank(unit));
            e.reversal_count += c;
            e.reversal_sum += s;
        }
        for idx in open {
            let Some(r) = self.records.get(idx) else {
                continue;
            };
            let unit = r.unit();
            match (r.kind, &r.phase) {
                (RecordKind::Authorisation(_), Phase::Captured) => {
                    let e = totals.entry(unit).or_insert_with(|| blank(unit));
                    e.sale_count += 1;
                    e.sale_sum += i128::from(r.captured);
                }
                (RecordKind::Refund, Phase::Refunded) => {
                    let e = totals.entry(unit).or_insert_with(|| blank(unit));
                    e.refund_count += 1;
                    e.refund_sum += i128::from(r.refunded);
                }
                // Spec 4.3: open preauths (and pending or lost ones) carry over.
                _ => continue,
            }
            self.set_phase(idx, Phase::Settled);
        }
        let totals: Vec<BatchTotals> = totals
            .into_values()
            .map(|mut t| {
                // SIM-A-01: batch net = captured - refunded.
                t.net = t.sale_sum - t.refund_sum;
                t
            })
            .collect();
        // Spec 4.3: differing claimed totals answer `95`; the acquirer's totals stand.
        let mismatch = claimed.is_some_and(|mut c| {
            c.sort_by_key(|t| t.unit);
            c != totals
        });
        let code = if mismatch {
            ResponseCode::RECONCILE_ERROR
        } else {
            ok()
        };
        self.emit(Event::BatchClosed {
            terminal: terminal.clone(),
            batch_number: batch_number.clone(),
            mismatch,
        });
        let reply = Reply::Batch(BatchReply {
            code,
            text: self.text(code),
            terminal,
            batch_number,
            totals,
        });
        self.respond(now, delay, id, reply, None);
    }

    /// Queues a [`RecordReply`] describing record `target` as it is now.
    #[allow(clippy::too_many_arguments)]
    fn record_reply(
        &mut self,
        now: Timestamp,
        delay: Duration,
        id: RequestId,
        target: Option<usize>,
        code: ResponseCode,
        text: Option<String>,
        unit: Option<Unit>,
        moved: i64,
    ) {
        let record = target
            .and_then(|i| self.records.get(i))
            .map(|r| self.view(r));
        let reply = Reply::Record(RecordReply {
            code,
            text: text.unwrap_or_else(|| self.text(code)),
            moved: unit.map(|u| Amount {
                value: moved,
                unit: u,
            }),
            record,
        });
        self.respond(now, delay, id, reply, None);
    }
}

fn ok() -> ResponseCode {
    ResponseCode::APPROVED
}

fn not_found() -> ResponseCode {
    ResponseCode::NOT_FOUND
}

fn refusal_of(a: Answer) -> Option<Refusal> {
    (a.code != ResponseCode::APPROVED).then_some((a.code, a.text))
}
