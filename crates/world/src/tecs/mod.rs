//! The TECS world: per-terminal session machines (payrig-tecs) wired to a card reader each
//! (payrig-reader) and one acquirer (payrig-acquirer, profile `tecs-default`).
//!
//! ```text
//!  server ──submit──► Terminal ──ToReader──► Reader ──CardData──► Terminal
//!                        │  ▲                   ▲ HostResult
//!                        │  └── AcquirerAnswer ─┴─ Acquirer ◄── ToAcquirer
//!                        └── Respond ──► take_responses() ──► HTTP exchange
//!  written / undelivered ──► Terminal (idle; response_undelivered)
//! ```
//!
//! A `makeTransaction` blocks in the server until its `Respond` comes out of this world, so
//! in virtual time the HTTP call returns when the control API advances the clock.

mod bridge;
mod config;

use std::collections::HashMap;
use std::sync::Arc;

use payrig_acquirer::{Acquirer, AcquirerConfig};
use payrig_core::{Machine, Timestamp};
use payrig_reader::{Reader, ReaderConfig};
use payrig_tecs::machine::Terminal;
use payrig_tecs::messages::{Input as TInput, Output as TOutput, TerminalConfig};
use payrig_tecs::wire::{format_date_time, TransactionResponse};
use payrig_tecs::{Request, ResponseCode};
use serde_json::json;

pub use config::{BasicUser, Credentials, TecsConfig, TerminalSetup, DEFAULT_TERMINALS};

use crate::queue::TimerQueue;
use crate::trace::{DebugText, Deferred, Trace, TraceEvent};

/// A reader output's NDJSON line, rendered when the trace is read.
#[derive(Debug)]
struct ReaderLine {
    at: Timestamp,
    src: Arc<str>,
    out: payrig_reader::Output,
}

impl Deferred for ReaderLine {
    fn render(&self) -> serde_json::Value {
        serde_json::Value::String(payrig_reader::trace::output_line(
            self.at, &self.src, &self.out,
        ))
    }
}

/// `{"from": "<Debug>", "to": "<Debug>"}` of a terminal state change.
#[derive(Debug)]
struct StateLine(payrig_tecs::TerminalState, payrig_tecs::TerminalState);

impl Deferred for StateLine {
    fn render(&self) -> serde_json::Value {
        json!({"from": format!("{:?}", self.0), "to": format!("{:?}", self.1)})
    }
}

/// `{"reply": …}` of an acquirer answer.
#[derive(Debug)]
struct ReplyLine(payrig_acquirer::Reply);

impl Deferred for ReplyLine {
    fn render(&self) -> serde_json::Value {
        json!({ "reply": self.0 })
    }
}

/// `{"status": "<Debug>"}` of a record change.
#[derive(Debug)]
struct RecordLine(payrig_tecs::record::RecordStatus);

impl Deferred for RecordLine {
    fn render(&self) -> serde_json::Value {
        json!({"status": format!("{:?}", self.0)})
    }
}

/// What the queue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Terminal(u32),
    Reader(u32),
    Acquirer,
}

/// A finished exchange for the server to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TecsResponse {
    /// The exchange id [`TecsWorld::submit`] gave.
    pub req_id: u64,
    /// `terminal_number`.
    pub terminal: String,
    /// HTTP status.
    pub status: u16,
    /// The TransactionResponse body.
    pub body: Vec<u8>,
    /// `response_code`.
    pub code: String,
}

/// The answer to a submit: now, or later through [`TecsWorld::take_responses`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Submitted {
    /// Answered at once (busy, duplicate, unreachable, unknown terminal).
    Now {
        /// HTTP status.
        status: u16,
        /// Body.
        body: Vec<u8>,
        /// `response_code`.
        code: String,
    },
    /// The terminal took it; the response comes with this id.
    Pending(u64),
}

/// Why a TECS control call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TecsControlError {
    /// No such terminal.
    #[error("unknown terminal `{0}`")]
    UnknownTerminal(String),
    /// The device refused.
    #[error("{0}")]
    Refused(String),
    /// A bad argument.
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug)]
struct Slot {
    number: String,
    /// Trace sources `tecs/<number>` and `reader/<number>`, built once.
    src: Arc<str>,
    reader_src: Arc<str>,
    term: Terminal,
    reader: Reader,
    term_sched: Option<Timestamp>,
    reader_sched: Option<Timestamp>,
    /// The last card the reader handed over (its PIN and issuer behaviour decide the
    /// acquirer's answer).
    last_card: Option<Box<payrig_reader::CardData>>,
    /// Failed reads in the current card wait.
    read_errors: u32,
}

/// Failed reads after which the terminal gives up on the card wait with `2003`. Five leaves
/// room for the chip-fallback path (three chip failures, then a swipe). payrig's choice: the
/// spec names the outcome (T5) but not the count.
const MAX_READ_ERRORS: u32 = 5;

/// The TECS world.
#[derive(Debug)]
pub struct TecsWorld {
    cfg: TecsConfig,
    seed: u64,
    now: Timestamp,
    slots: Vec<Slot>,
    by_number: HashMap<String, u32>,
    acquirer: Acquirer,
    acq_sched: Option<Timestamp>,
    acq: bridge::AcquirerLinks,
    queue: TimerQueue<Key>,
    responses: Vec<TecsResponse>,
    exchanges: HashMap<u64, u32>,
    next_req: u64,
    trace: Trace,
}

impl TecsWorld {
    /// A world at `start` with `seed`; `keep_trace` keeps trace events for draining (else the
    /// trace is only hashed).
    pub fn new(cfg: TecsConfig, seed: u64, start: Timestamp, keep_trace: bool) -> TecsWorld {
        TecsWorld::with_trace(cfg, seed, start, Trace::new(keep_trace))
    }

    /// A world for a server: trace events are kept for the journal, the trace is not hashed.
    pub fn journaled(cfg: TecsConfig, seed: u64, start: Timestamp) -> TecsWorld {
        TecsWorld::with_trace(cfg, seed, start, Trace::unhashed())
    }

    /// A world with the trace switched off entirely (load benches).
    pub fn without_trace(cfg: TecsConfig, seed: u64, start: Timestamp) -> TecsWorld {
        TecsWorld::with_trace(cfg, seed, start, Trace::off())
    }

    fn with_trace(cfg: TecsConfig, seed: u64, start: Timestamp, trace: Trace) -> TecsWorld {
        let mut slots = Vec::new();
        let mut by_number = HashMap::new();
        for t in cfg.terminals.values() {
            let mut tc = TerminalConfig::new(&t.number);
            tc.card_wait = cfg.card_wait;
            tc.host_timeout = cfg.host_timeout;
            tc.mask_pan = cfg.mask_pan;
            tc.cancel_amount_must_match = cfg.cancel_amount_must_match;
            let mut term = Terminal::new(tc);
            if !t.reachable {
                let _ = term.handle_input(start, TInput::SetReachable(false));
                while term.poll_output().is_some() {}
            }
            let mut rc = ReaderConfig::default()
                .with_id(t.number.clone())
                .with_cards(cfg.cards.clone())
                .with_customer(t.customer.clone());
            rc.cvm_rules = cfg.cvm_rules.clone();
            rc.read_time = cfg.read_time;
            rc.complete_time = cfg.complete_time;
            // The reader gives up 1 ms before the terminal's card_wait, so a session that only
            // saw read errors ends as a read failure (2003); one where nobody presented ends
            // with the terminal's own card_wait (2002).
            rc.present_timeout =
                payrig_core::Duration(cfg.card_wait.as_millis().saturating_sub(1).max(1));
            let rng = payrig_core::rng::stream_rng(seed, &format!("reader/{}", t.number));
            let Ok(reader) = Reader::new(rc, rng) else {
                continue;
            };
            let i = slots.len() as u32;
            by_number.insert(t.number.clone(), i);
            slots.push(Slot {
                number: t.number.clone(),
                src: Arc::from(format!("tecs/{}", t.number)),
                reader_src: Arc::from(format!("reader/{}", t.number)),
                term,
                reader,
                term_sched: None,
                reader_sched: None,
                last_card: None,
                read_errors: 0,
            });
        }
        let own = cfg
            .acquirer_profile_toml
            .as_deref()
            .and_then(|t| payrig_acquirer::Profile::from_toml_str(t).ok())
            .map(AcquirerConfig::with_profile);
        let ac = match own {
            Some(c) => Ok(c),
            None => AcquirerConfig::builtin(&cfg.acquirer_profile)
                .or_else(|_| AcquirerConfig::builtin("tecs-default")),
        };
        let acquirer = match ac {
            Ok(c) => Acquirer::new(c, payrig_core::rng::stream_rng(seed, "acquirer/main")),
            Err(_) => Acquirer::new(
                AcquirerConfig::with_profile(payrig_acquirer::Profile {
                    name: "approve".to_owned(),
                    rules: Vec::new(),
                    latency: payrig_acquirer::Latencies::default(),
                    auth_codes: payrig_acquirer::AuthCodeStyle::Random,
                    texts: payrig_acquirer::TextStyle::default(),
                }),
                payrig_core::rng::stream_rng(seed, "acquirer/main"),
            ),
        };
        TecsWorld {
            cfg,
            seed,
            now: start,
            slots,
            by_number,
            acquirer,
            acq_sched: None,
            acq: bridge::AcquirerLinks::default(),
            queue: TimerQueue::default(),
            responses: Vec::new(),
            exchanges: HashMap::new(),
            next_req: 0,
            trace,
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &TecsConfig {
        &self.cfg
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// True when `terminal_number` is configured.
    pub fn has_terminal(&self, number: &str) -> bool {
        self.by_number.contains_key(number)
    }

    /// Hands a decoded request to its terminal (TEC-S-022: unknown terminals get `3004`).
    pub fn submit(&mut self, now: Timestamp, request: Request) -> Submitted {
        self.advance(now);
        let Some(&i) = self.by_number.get(&request.terminal_number) else {
            let r = TransactionResponse::refusal(
                ResponseCode::UnknownTerminal,
                ResponseCode::UnknownTerminal.text(),
                Some(&request.wire),
                &format_date_time(now, 0),
            );
            return Submitted::Now {
                status: ResponseCode::UnknownTerminal.http_status(),
                body: r.encode(),
                code: r.response_code.clone(),
            };
        };
        self.next_req += 1;
        let req_id = self.next_req;
        let tx = request.transaction_id.clone();
        let r = self.slots[i as usize].term.handle_input(
            now,
            TInput::Request {
                req_id,
                request: Box::new(request),
            },
        );
        match r {
            Err(reject) => Submitted::Now {
                status: reject.code.http_status(),
                body: reject.response.encode(),
                code: reject.code.code().to_owned(),
            },
            Ok(()) => {
                if self.trace.enabled() {
                    let src = self.slots[i as usize].src.clone();
                    self.trace
                        .record(now, src, "request", json!({"req_id": req_id}), Some(&tx));
                }
                self.exchanges.insert(req_id, i);
                self.drain_terminal(now, i);
                // What the request made due at once (an instant customer, reader or acquirer)
                // runs now, so such a sale's answer is ready when submit returns.
                self.advance(now);
                Submitted::Pending(req_id)
            }
        }
    }

    /// Takes the responses produced since the last call.
    pub fn take_responses(&mut self) -> Vec<TecsResponse> {
        std::mem::take(&mut self.responses)
    }

    /// The server wrote the whole response (T8).
    pub fn response_written(&mut self, now: Timestamp, req_id: u64) {
        self.response_fate(now, req_id, true);
    }

    /// The response could not be written: connection closed, reset or dropped (T9, TEC-S-018).
    pub fn response_undelivered(&mut self, now: Timestamp, req_id: u64) {
        self.response_fate(now, req_id, false);
    }

    fn response_fate(&mut self, now: Timestamp, req_id: u64, written: bool) {
        self.advance(now);
        let Some(i) = self.exchanges.remove(&req_id) else {
            return;
        };
        let input = if written {
            TInput::ResponseWritten { req_id }
        } else {
            TInput::ResponseUndelivered { req_id }
        };
        if self.trace.enabled() {
            let src = self.slots[i as usize].src.clone();
            let kind = if written {
                "response_written"
            } else {
                "response_undelivered"
            };
            self.trace
                .record(now, src, kind, json!({"req_id": req_id}), None);
        }
        let _ = self.slots[i as usize].term.handle_input(now, input);
        self.drain_terminal(now, i);
    }

    /// Fires every deadline up to `now`, in time order. Returns how many fired.
    pub fn advance(&mut self, now: Timestamp) -> usize {
        let mut fired = 0;
        while let Some((at, key)) = self.queue.pop_due(now) {
            let at = at.max(self.now);
            self.now = at;
            match key {
                Key::Terminal(i) => {
                    let due = self.slots[i as usize]
                        .term
                        .poll_timeout()
                        .is_some_and(|d| d <= at);
                    self.slots[i as usize].term_sched = None;
                    if due {
                        fired += 1;
                        let _ = self.slots[i as usize]
                            .term
                            .handle_input(at, TInput::Timeout);
                        self.drain_terminal(at, i);
                    } else {
                        self.schedule_terminal(i);
                    }
                }
                Key::Reader(i) => {
                    let due = self.slots[i as usize]
                        .reader
                        .poll_timeout()
                        .is_some_and(|d| d <= at);
                    self.slots[i as usize].reader_sched = None;
                    if due {
                        fired += 1;
                        let _ = self.slots[i as usize]
                            .reader
                            .handle_input(at, payrig_reader::Input::Timeout);
                        self.drain_reader(at, i);
                    } else {
                        self.schedule_reader(i);
                    }
                }
                Key::Acquirer => {
                    self.acq_sched = None;
                    if self.acquirer.poll_timeout().is_some_and(|d| d <= at) {
                        fired += 1;
                        let _ = self
                            .acquirer
                            .handle_input(at, payrig_acquirer::Input::Timeout);
                        self.drain_acquirer(at);
                    }
                    self.schedule_acquirer();
                }
            }
        }
        self.now = self.now.max(now);
        fired
    }

    /// The next deadline of anything in this world.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.slots
            .iter()
            .flat_map(|s| [s.term.poll_timeout(), s.reader.poll_timeout()])
            .chain([self.acquirer.poll_timeout()])
            .flatten()
            .min()
    }

    /// Takes the trace events recorded since the last call.
    pub fn drain_trace(&mut self) -> Vec<TraceEvent> {
        self.trace.drain()
    }

    /// SHA-256 of the trace so far.
    pub fn trace_hash(&self) -> String {
        self.trace.hash_hex()
    }

    // ---- scheduling ----

    fn schedule_terminal(&mut self, i: u32) {
        let s = &mut self.slots[i as usize];
        let d = s.term.poll_timeout();
        if let Some(at) = d.filter(|_| d != s.term_sched) {
            self.queue.push(at, Key::Terminal(i));
        }
        s.term_sched = d;
    }

    fn schedule_reader(&mut self, i: u32) {
        let s = &mut self.slots[i as usize];
        let d = s.reader.poll_timeout();
        if let Some(at) = d.filter(|_| d != s.reader_sched) {
            self.queue.push(at, Key::Reader(i));
        }
        s.reader_sched = d;
    }

    fn schedule_acquirer(&mut self) {
        let d = self.acquirer.poll_timeout();
        if let Some(at) = d.filter(|_| d != self.acq_sched) {
            self.queue.push(at, Key::Acquirer);
        }
        self.acq_sched = d;
    }

    // ---- routing ----

    fn drain_terminal(&mut self, now: Timestamp, i: u32) {
        let idx = i as usize;
        while let Some(out) = self.slots[idx].term.poll_output() {
            let src = || self.slots[idx].src.clone();
            match out {
                TOutput::Respond {
                    req_id,
                    status,
                    response,
                } => {
                    if self.trace.enabled() {
                        let s = src();
                        self.trace.record(
                            now,
                            s,
                            "respond",
                            json!({"req_id": req_id, "status": status, "code": response.response_code}),
                            Some(&response.transaction_id),
                        );
                    }
                    self.responses.push(TecsResponse {
                        req_id,
                        terminal: self.slots[idx].number.clone(),
                        status,
                        code: response.response_code.clone(),
                        body: response.encode(),
                    });
                }
                TOutput::ToReader(cmd) => {
                    if self.trace.enabled() {
                        let s = src();
                        self.trace.record_deferred(
                            now,
                            s,
                            "to_reader",
                            DebugText(cmd.clone()),
                            None,
                        );
                    }
                    self.slots[idx].read_errors = 0;
                    let inputs = bridge::reader_inputs(&self.slots[idx].number, &cmd);
                    for input in inputs {
                        let _ = self.slots[idx].reader.handle_input(now, input);
                    }
                    self.drain_reader(now, i);
                }
                TOutput::ToAcquirer(req) => {
                    if self.trace.enabled() {
                        let s = src();
                        self.trace.record_deferred(
                            now,
                            s,
                            "to_acquirer",
                            DebugText(req.clone()),
                            None,
                        );
                    }
                    let number = self.slots[idx].number.clone();
                    let card = self.slots[idx].last_card.take();
                    self.acq.send(
                        now,
                        &mut self.acquirer,
                        i,
                        &number,
                        &req,
                        card.as_deref(),
                        &self.cfg.cards,
                    );
                    self.schedule_acquirer();
                    // A zero-latency profile answers inside the request: take it now.
                    self.drain_acquirer(now);
                }
                TOutput::RecordChanged {
                    transaction_id,
                    status,
                } => {
                    if self.trace.enabled() {
                        let s = src();
                        self.trace.record_deferred(
                            now,
                            s,
                            "record",
                            RecordLine(status),
                            Some(&transaction_id),
                        );
                    }
                }
                TOutput::StateChanged { from, to } => {
                    if self.trace.enabled() {
                        let s = src();
                        self.trace
                            .record_deferred(now, s, "state", StateLine(from, to), None);
                    }
                }
                TOutput::TimerFired(t) => {
                    if self.trace.enabled() {
                        let s = src();
                        self.trace.record(now, s, "timer", json!(t.name()), None);
                    }
                }
                other => {
                    if self.trace.enabled() {
                        let s = src();
                        self.trace
                            .record_deferred(now, s, "terminal", DebugText(other), None);
                    }
                }
            }
        }
        self.schedule_terminal(i);
    }

    fn drain_reader(&mut self, now: Timestamp, i: u32) {
        let idx = i as usize;
        let mut to_terminal = Vec::new();
        while let Some((at, out)) = self.slots[idx].reader.poll_timed_output() {
            if let payrig_reader::Output::CardData(cd) = &out {
                self.slots[idx].last_card = Some(cd.clone());
                self.slots[idx].read_errors = 0;
            }
            if let payrig_reader::Output::ReadError { .. } = &out {
                self.slots[idx].read_errors += 1;
                if self.slots[idx].read_errors == MAX_READ_ERRORS {
                    to_terminal
                        .push((at.max(now), payrig_tecs::messages::ReaderEvent::ReadFailure));
                }
            }
            if let Some(e) = bridge::terminal_event(&out) {
                to_terminal.push((at.max(now), e));
            }
            if self.trace.enabled() {
                let src = self.slots[idx].reader_src.clone();
                let line = ReaderLine {
                    at,
                    src: src.clone(),
                    out,
                };
                self.trace.record_deferred(at, src, "reader", line, None);
            }
        }
        self.schedule_reader(i);
        for (at, e) in to_terminal {
            let _ = self.slots[idx].term.handle_input(at, TInput::Reader(e));
            self.drain_terminal(at, i);
        }
    }

    fn drain_acquirer(&mut self, now: Timestamp) {
        while let Some(out) = self.acquirer.poll_output() {
            let payrig_acquirer::Output::Response(r) = out else {
                continue;
            };
            if self.trace.enabled() {
                self.trace.record_deferred(
                    now,
                    "acquirer",
                    "acquirer",
                    ReplyLine(r.result.clone()),
                    None,
                );
            }
            let Some((i, answer)) = self.acq.answer(&r) else {
                continue;
            };
            let idx = i as usize;
            // The reader finishes its session with the host's verdict.
            if self.slots[idx].reader.state() == payrig_reader::SessionState::Online {
                let approved = answer.code == "00" || answer.code == "10";
                let _ = self.slots[idx].reader.handle_input(
                    now,
                    payrig_reader::Input::HostResult {
                        code: answer.code.clone(),
                        approved,
                    },
                );
                self.drain_reader(now, i);
            }
            let _ = self.slots[idx]
                .term
                .handle_input(now, TInput::Acquirer(answer));
            self.drain_terminal(now, i);
        }
    }

    // ---- control ----

    fn slot(&self, terminal: &str) -> Result<u32, TecsControlError> {
        self.by_number
            .get(terminal)
            .copied()
            .ok_or_else(|| TecsControlError::UnknownTerminal(terminal.to_owned()))
    }

    /// Makes a terminal (un)reachable (T13; TEC-S-006).
    pub fn set_reachable(
        &mut self,
        now: Timestamp,
        terminal: &str,
        reachable: bool,
    ) -> Result<(), TecsControlError> {
        self.advance(now);
        let i = self.slot(terminal)?;
        let _ = self.slots[i as usize]
            .term
            .handle_input(now, TInput::SetReachable(reachable));
        self.drain_terminal(now, i);
        Ok(())
    }

    /// Feeds the reader of `terminal` a customer or scenario input (present a card, abort,
    /// remove the card, set the script, raise a fault).
    pub fn reader_input(
        &mut self,
        now: Timestamp,
        terminal: &str,
        input: payrig_reader::Input,
    ) -> Result<(), TecsControlError> {
        self.advance(now);
        let i = self.slot(terminal)?;
        self.slots[i as usize]
            .reader
            .handle_input(now, input)
            .map_err(|e| TecsControlError::Refused(e.to_string()))?;
        self.drain_reader(now, i);
        Ok(())
    }

    /// The reader's session state (`WaitingForCard`...).
    pub fn reader_state(
        &self,
        terminal: &str,
    ) -> Result<payrig_reader::SessionState, TecsControlError> {
        let i = self.slot(terminal)?;
        Ok(self.slots[i as usize].reader.state())
    }

    /// Adds an acquirer outcome override; returns its id.
    pub fn add_override(
        &mut self,
        o: payrig_acquirer::OverrideToml,
    ) -> Result<String, TecsControlError> {
        let o = o
            .resolve()
            .map_err(|e| TecsControlError::Invalid(e.to_string()))?;
        Ok(self.acquirer.add_override(o))
    }

    /// Removes overrides: one by id, or all.
    pub fn remove_override(&mut self, id: Option<&str>) -> bool {
        match id {
            Some(id) => self.acquirer.remove_override(id),
            None => {
                self.acquirer.clear_overrides();
                true
            }
        }
    }

    /// The acquirer's records, optionally for one terminal, as JSON.
    pub fn acquirer_records(&self, terminal: Option<&str>) -> serde_json::Value {
        let v: Vec<serde_json::Value> = self
            .acquirer
            .records()
            .filter(|r| terminal.is_none_or(|t| r.terminal == t))
            .map(|r| serde_json::to_value(&r).unwrap_or_default())
            .collect();
        json!(v)
    }

    /// The terminal's transaction records (4.2) as JSON, with `response_undelivered`.
    pub fn terminal_records(&self, terminal: &str) -> Result<serde_json::Value, TecsControlError> {
        let i = self.slot(terminal)?;
        let s = &self.slots[i as usize];
        let v: Vec<serde_json::Value> = s.term.records().map(bridge::record_json).collect();
        Ok(json!({
            "terminal": s.number,
            "state": format!("{:?}", s.term.state()),
            "reachable": s.term.reachable(),
            "records": v,
        }))
    }

    /// One record by `transaction_id` on any terminal.
    pub fn find_record(&self, transaction_id: &str) -> Option<serde_json::Value> {
        self.slots.iter().find_map(|s| {
            s.term.record(transaction_id).map(|r| {
                let mut v = bridge::record_json(r);
                if let Some(m) = v.as_object_mut() {
                    m.insert("terminal".to_owned(), json!(s.number));
                }
                v
            })
        })
    }

    /// Requests sent to the acquirer so far (authorisations, captures, reversals, refunds).
    pub fn acquirer_request_count(&self) -> u64 {
        self.acq.sent()
    }
}

#[cfg(test)]
mod tests;
