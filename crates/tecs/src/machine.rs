//! The per-terminal session machine of spec 4.1 (T1-T13), owning its transaction records (4.2)
//! and the idempotency store (4.3).
//!
//! ```text
//!            request needing a card (T1)             card read (T3)
//!   ┌──────┐ ─────────────────────────► ┌───────────────┐ ──────────► ┌─────────────┐
//!   │ idle │                            │ awaiting_card │             │ authorizing │
//!   └──────┘ ─────────────────────────────────────────────────────────►└─────────────┘
//!      ▲      request needing no card: MOTO, PAN_YYMM, track 2, TXID (T2)      │
//!      │                                    │ 0017 (T4) 2001                   │ answer (T6)
//!      │                                    │ cancel/read error/card_wait (T5) │ host_timeout (T7)
//!      │ written (T8)                       ▼                                  ▼  1091 + reversal
//!      │ undelivered (T9)              ┌──────┐ ◄────────────────────────────────┘
//!      └────────────────────────────── │ done │
//!                                      └──────┘
//!  awaiting_card, authorizing: other request -> 400 3003 (T11); reachable := false -> the
//!  waiting ECR gets 504 9001 and the flow ends straight in idle, undelivered (T13, T9);
//!  idle, authorizing: 0017 -> 2004 (T12). ECR disconnects change nothing (T10).
//! ```
//!
//! Time is an argument; the machine reads no clock. Business outcomes (declines, aborts,
//! reference errors) are 200 responses and record states; [`Reject`] is for requests refused
//! before the terminal (`3002`, `3003`, `3004`, `9001`), which change nothing.

use std::collections::{BTreeMap, VecDeque};

use payrig_core::{Machine, Timestamp};

use crate::answer::{terminal_response, Answer};
use crate::code::{from_iso_field_39, ResponseCode};
use crate::domain::{Operation, Request};
use crate::messages::{
    AcquirerAnswer, AcquirerRef, AcquirerRequest, CardData, Input, Output, ReaderCommand,
    ReaderEvent, Reject, ReversalReason, TerminalConfig,
};
use crate::record::{Record, RecordStatus, StoredResponse};
use crate::references;
use crate::state::{TerminalState, Timer};
use crate::wire::{format_date_time, TransactionResponse};

/// A running request: the one the terminal is busy with.
#[derive(Debug, Clone)]
struct Flow {
    /// The exchange that started it.
    req_id: u64,
    /// The request.
    request: Box<Request>,
    /// Identical retries waiting for the same outcome (4.3).
    waiters: Vec<u64>,
    /// The ECR already got 504 `9001` (T13).
    ecr_gone: bool,
    /// The card the reader read (T3).
    card: Option<Box<CardData>>,
}

/// The terminal's state with the data valid in it (see the module diagram).
#[derive(Debug, Clone)]
enum State {
    Idle,
    AwaitingCard(Flow),
    Authorizing {
        flow: Flow,
        /// The id of the acquirer request whose answer ends the flow.
        pending: u64,
    },
    Done {
        /// The exchange whose write ends `done`.
        req_id: u64,
        /// The record it answered.
        transaction_id: String,
    },
}

impl State {
    fn id(&self) -> TerminalState {
        match self {
            State::Idle => TerminalState::Idle,
            State::AwaitingCard(_) => TerminalState::AwaitingCard,
            State::Authorizing { .. } => TerminalState::Authorizing,
            State::Done { .. } => TerminalState::Done,
        }
    }
}

/// One TECS terminal (`terminal_number`): session machine, records and idempotency store.
#[derive(Debug, Clone)]
pub struct Terminal {
    config: TerminalConfig,
    state: State,
    reachable: bool,
    /// Boxed: a `Record` is about 1 KB, so inline values made each B-tree node about 12 KB
    /// and every insertion shift kilobytes.
    records: BTreeMap<String, Box<Record>>,
    /// No record can expire before this instant, so `purge` skips its scan until then (a scan
    /// per request made the terminal O(records) per sale under load).
    purge_due: Timestamp,
    deadline: Option<(Timestamp, Timer)>,
    next_acquirer_id: u64,
    out: VecDeque<Output>,
}

impl Terminal {
    /// An idle, reachable terminal with no records.
    pub fn new(config: TerminalConfig) -> Terminal {
        Terminal {
            config,
            state: State::Idle,
            reachable: true,
            records: BTreeMap::new(),
            purge_due: Timestamp(0),
            deadline: None,
            next_acquirer_id: 1,
            // A card flow emits up to 8 outputs per input; sized once here, not per flow.
            out: VecDeque::with_capacity(8),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &TerminalConfig {
        &self.config
    }

    /// The current state.
    pub fn state(&self) -> TerminalState {
        self.state.id()
    }

    /// The `reachable` flag.
    pub fn reachable(&self) -> bool {
        self.reachable
    }

    /// The record of `transaction_id`, if stored.
    pub fn record(&self, transaction_id: &str) -> Option<&Record> {
        self.records.get(transaction_id).map(|r| &**r)
    }

    /// Every stored record, by `transaction_id`.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.values().map(|r| &**r)
    }

    fn due(&self, now: Timestamp) -> Option<Timer> {
        match self.deadline {
            Some((at, t)) if now >= at => Some(t),
            _ => None,
        }
    }

    fn arm(&mut self, now: Timestamp, timer: Timer) {
        let d = match timer {
            Timer::CardWait => self.config.card_wait,
            Timer::HostTimeout => self.config.host_timeout,
        };
        self.deadline = Some((now + d, timer));
    }

    fn next_id(&mut self) -> u64 {
        let id = self.next_acquirer_id;
        self.next_acquirer_id += 1;
        id
    }

    fn ignored(&mut self, state: State, event: &'static str) -> State {
        self.out.push_back(Output::Ignored {
            state: state.id(),
            event,
        });
        state
    }

    fn reject(&self, now: Timestamp, code: ResponseCode, request: &Request) -> Reject {
        let date = format_date_time(now, self.config.utc_offset_minutes);
        Reject {
            code,
            response: Box::new(TransactionResponse::refusal_at(
                code,
                code.text(),
                Some(&request.wire),
                date,
            )),
        }
    }

    fn changed(&mut self, transaction_id: &str) {
        if let Some(r) = self.records.get(transaction_id) {
            self.out.push_back(Output::RecordChanged {
                transaction_id: r.transaction_id.clone(),
                status: r.status,
            });
        }
    }

    /// The single match of 4.1: every (state, input) pair that has a row, the rest ignored.
    fn step(
        &mut self,
        now: Timestamp,
        state: State,
        input: Input,
    ) -> Result<State, (State, Reject)> {
        let due = self.due(now);
        Ok(match (state, input) {
            (s, Input::Request { req_id, request }) => {
                return self.on_request(now, s, req_id, request);
            }
            // T3
            (State::AwaitingCard(flow), Input::Reader(ReaderEvent::CardRead(card))) => {
                self.card_read(now, flow, card)
            }
            // T5
            (State::AwaitingCard(flow), Input::Reader(ReaderEvent::CustomerCancel)) => {
                self.finish(now, flow, ResponseCode::Aborted, None)
            }
            (State::AwaitingCard(flow), Input::Reader(ReaderEvent::ReadFailure)) => {
                self.finish(now, flow, ResponseCode::CardReadError, None)
            }
            // T5, TEC-S-019: card_wait -> 2002
            (State::AwaitingCard(flow), Input::Timeout) if due == Some(Timer::CardWait) => {
                self.out.push_back(Output::TimerFired(Timer::CardWait));
                self.out.push_back(Output::ToReader(ReaderCommand::Cancel));
                self.finish(now, flow, ResponseCode::NoCardPresented, None)
            }
            // T6
            (State::Authorizing { flow, pending }, Input::Acquirer(a)) if a.id == pending => {
                let code = from_iso_field_39(&a.code);
                self.finish(now, flow, code, Some(a))
            }
            // T7, TEC-S-019: host_timeout -> 1091 and a timeout reversal
            (State::Authorizing { flow, pending }, Input::Timeout)
                if due == Some(Timer::HostTimeout) =>
            {
                self.out.push_back(Output::TimerFired(Timer::HostTimeout));
                if !matches!(flow.request.operation, Operation::Cancel { .. }) {
                    let id = self.next_id();
                    self.out
                        .push_back(Output::ToAcquirer(AcquirerRequest::Reverse {
                            id,
                            original: AcquirerRef {
                                request_id: pending,
                                ..AcquirerRef::default()
                            },
                            reason: ReversalReason::Timeout,
                        }));
                }
                self.finish(now, flow, ResponseCode::IssuerUnavailable, None)
            }
            // T8
            (State::Done { req_id, .. }, Input::ResponseWritten { req_id: r }) if r == req_id => {
                State::Idle
            }
            // T9, TEC-S-018
            (
                State::Done {
                    req_id,
                    transaction_id,
                },
                Input::ResponseUndelivered { req_id: r },
            ) if r == req_id => {
                if let Some(rec) = self.records.get_mut(&transaction_id) {
                    rec.response_undelivered = true;
                    rec.updated = now;
                }
                self.changed(&transaction_id);
                State::Idle
            }
            // T13
            (State::AwaitingCard(mut flow), Input::SetReachable(false)) => {
                self.reachable = false;
                self.ecr_gone(now, &mut flow);
                State::AwaitingCard(flow)
            }
            (State::Authorizing { mut flow, pending }, Input::SetReachable(false)) => {
                self.reachable = false;
                self.ecr_gone(now, &mut flow);
                State::Authorizing { flow, pending }
            }
            (s, Input::SetReachable(r)) => {
                self.reachable = r;
                s
            }
            (s, Input::Reader(_)) => self.ignored(s, "reader event outside awaiting_card"),
            (s, Input::Acquirer(_)) => self.ignored(s, "acquirer answer not awaited"),
            (s, Input::Timeout) => self.ignored(s, "timeout not due"),
            (s, Input::ResponseWritten { .. }) => self.ignored(s, "write of another response"),
            (s, Input::ResponseUndelivered { .. }) => {
                self.ignored(s, "failed write of another response")
            }
        })
    }

    /// A `makeTransaction` in any state: 504, `0017` (T4/T12), replay or `3002` (4.3), busy
    /// (T11), or routing (T1/T2).
    fn on_request(
        &mut self,
        now: Timestamp,
        state: State,
        req_id: u64,
        request: Box<Request>,
    ) -> Result<State, (State, Reject)> {
        if request.terminal_number != self.config.terminal_number {
            let r = self.reject(now, ResponseCode::UnknownTerminal, &request);
            return Err((state, r));
        }
        // TEC-S-006: never reached the terminal, nothing created.
        if !self.reachable {
            let r = self.reject(now, ResponseCode::TerminalNotReachable, &request);
            return Err((state, r));
        }
        // TEC-S-015, D13: 0017 ids are not stored (4.3).
        if request.operation == Operation::Abort {
            return Ok(match state {
                State::AwaitingCard(flow) => {
                    // T4
                    self.out.push_back(Output::ToReader(ReaderCommand::Cancel));
                    let s = self.finish(now, flow, ResponseCode::Aborted, None);
                    self.respond_plain(now, req_id, &request, ResponseCode::Approved);
                    s
                }
                s => {
                    // T12
                    self.respond_plain(now, req_id, &request, ResponseCode::NothingToAbort);
                    s
                }
            });
        }
        self.purge(now);
        // TEC-S-017, D7
        if let Some(rec) = self.records.get(&request.transaction_id) {
            if rec.fingerprint != request.fingerprint {
                let r = self.reject(now, ResponseCode::DuplicateTransactionId, &request);
                return Err((state, r));
            }
            if let Some(stored) = &rec.response {
                self.out.push_back(Output::Respond {
                    req_id,
                    status: stored.status,
                    response: Box::new(stored.body.clone()),
                });
                return Ok(state);
            }
            // Still running: the identical retry waits for the same outcome.
            return match state {
                State::AwaitingCard(mut flow) => {
                    flow.waiters.push(req_id);
                    Ok(State::AwaitingCard(flow))
                }
                State::Authorizing { mut flow, pending } => {
                    flow.waiters.push(req_id);
                    Ok(State::Authorizing { flow, pending })
                }
                s => {
                    let r = self.reject(now, ResponseCode::TerminalBusy, &request);
                    Err((s, r))
                }
            };
        }
        // T11, TEC-S-016, D6: refuse at once, consume no id.
        if !matches!(state, State::Idle) {
            let r = self.reject(now, ResponseCode::TerminalBusy, &request);
            return Err((state, r));
        }
        Ok(self.route(now, req_id, request))
    }

    /// The outcome is known: update the records, store and send the response, enter `done`
    /// (or `idle` at once when the ECR already got 504, T13 -> T9).
    fn finish(
        &mut self,
        now: Timestamp,
        mut flow: Flow,
        code: ResponseCode,
        answer: Option<AcquirerAnswer>,
    ) -> State {
        self.deadline = None;
        let txid = &flow.request.transaction_id;
        let mut also_changed = Vec::new();
        if let Some(rec) = self.records.get_mut(txid) {
            rec.updated = now;
            rec.status = match code {
                ResponseCode::Approved => RecordStatus::Approved,
                ResponseCode::Aborted
                | ResponseCode::NoCardPresented
                | ResponseCode::CardReadError => RecordStatus::Aborted,
                _ => RecordStatus::Declined,
            };
            match answer {
                Some(a) if code == ResponseCode::Approved => {
                    let total = rec.amount.minor + rec.tip_amount.minor;
                    rec.approved_amount.minor = a
                        .approved_minor
                        .filter(|m| (1..=total).contains(m))
                        .unwrap_or(total);
                    rec.authorization_number = a.auth_code;
                    rec.stan.clone_from(&a.stan);
                    rec.acquirer = Some(AcquirerRef {
                        request_id: a.id,
                        stan: a.stan,
                        rrn: a.rrn,
                    });
                    // Only references have an original to update.
                    if let Some(original) = rec.original.clone() {
                        let (kind, amount) = (rec.kind, rec.approved_amount.minor);
                        also_changed =
                            references::apply(&mut self.records, now, original, kind, amount);
                    }
                }
                Some(a) => rec.stan = a.stan,
                None => {}
            }
        }
        let record = self.records.get(txid).map(|r| &**r);
        let original = record
            .and_then(|r| r.original.as_ref())
            .and_then(|o| self.records.get(o))
            .map(|r| &**r);
        let answer = Answer {
            code,
            request: &flow.request,
            record,
            card: flow.card.as_deref(),
            original,
        };
        let body = terminal_response(&self.config, now, &answer);
        let status = code.http_status();
        if let Some(rec) = self.records.get_mut(txid) {
            rec.response = Some(StoredResponse {
                status,
                body: body.clone(),
            });
            rec.response_undelivered = flow.ecr_gone;
        }
        self.changed(txid);
        for id in also_changed {
            self.changed(&id);
        }
        for w in &flow.waiters {
            self.out.push_back(Output::Respond {
                req_id: *w,
                status,
                response: Box::new(body.clone()),
            });
        }
        if flow.ecr_gone {
            // T13 then T9: the outcome is kept, flagged undelivered (TEC-S-018).
            return State::Idle;
        }
        self.out.push_back(Output::Respond {
            req_id: flow.req_id,
            status,
            response: Box::new(body),
        });
        State::Done {
            req_id: flow.req_id,
            // The flow ends here, so its id moves rather than being copied.
            transaction_id: std::mem::take(&mut flow.request.transaction_id),
        }
    }

    /// T13: the waiting ECR (and identical retries) get 504 `9001`; the flow goes on.
    fn ecr_gone(&mut self, now: Timestamp, flow: &mut Flow) {
        if flow.ecr_gone {
            return;
        }
        flow.ecr_gone = true;
        let r = self.reject(now, ResponseCode::TerminalNotReachable, &flow.request);
        for req_id in std::iter::once(flow.req_id).chain(flow.waiters.drain(..)) {
            self.out.push_back(Output::Respond {
                req_id,
                status: r.status(),
                response: r.response.clone(),
            });
        }
    }

    /// A response of the terminal that creates no record (`0017`).
    fn respond_plain(
        &mut self,
        now: Timestamp,
        req_id: u64,
        request: &Request,
        code: ResponseCode,
    ) {
        let answer = Answer {
            code,
            request,
            record: None,
            card: None,
            original: None,
        };
        let response = terminal_response(&self.config, now, &answer);
        self.out.push_back(Output::Respond {
            req_id,
            status: code.http_status(),
            response: Box::new(response),
        });
    }

    fn issuer(&self, brand: &str) -> String {
        let acquirer = &self.config.merchant.acquirer_name;
        let mut s = String::with_capacity(acquirer.len() + 1 + brand.len());
        s.push_str(acquirer);
        s.push(';');
        s.push_str(brand);
        s
    }

    fn insert(&mut self, rec: Record) {
        let changed = Output::RecordChanged {
            transaction_id: rec.transaction_id.clone(),
            status: rec.status,
        };
        self.records
            .insert(rec.transaction_id.clone(), Box::new(rec));
        self.out.push_back(changed);
    }

    /// Drops finished records older than the retention (4.3: 30 days).
    ///
    /// `updated` only moves forward with `now`, so the earliest `updated + retention` over the
    /// records left after a scan bounds every later expiry from below; records created later
    /// expire later still.
    fn purge(&mut self, now: Timestamp) {
        if now < self.purge_due {
            return;
        }
        let keep = self.config.retention;
        self.records
            .retain(|_, r| r.response.is_none() || now.since(r.updated) < keep);
        let earliest = self.records.values().map(|r| r.updated).min();
        self.purge_due = earliest.unwrap_or(now) + keep;
    }
}

impl Machine for Terminal {
    type Input = Input;
    type Output = Output;
    type Reject = Reject;

    fn handle_input(&mut self, now: Timestamp, input: Input) -> Result<(), Reject> {
        let state = std::mem::replace(&mut self.state, State::Idle);
        let from = state.id();
        let result = match self.step(now, state, input) {
            Ok(s) => {
                self.state = s;
                Ok(())
            }
            Err((s, reject)) => {
                self.state = s;
                Err(reject)
            }
        };
        let to = self.state.id();
        if from != to {
            self.out.push_back(Output::StateChanged { from, to });
        }
        result
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Timestamp> {
        self.deadline.map(|(at, _)| at)
    }
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod reference_tests;
mod route;
#[cfg(test)]
mod tests;
