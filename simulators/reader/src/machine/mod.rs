//! [`Reader`]: the card-reader session machine (simulators.md 2.3).
//!
//! Inputs go through `Reader::check` (may reject, never mutates) and then `Reader::apply`
//! (infallible), so a refused input changes nothing. Deadlines are read from the state's own
//! data, never stored apart, so a state change cannot leave a stale timer behind; overdue
//! deadlines fire one by one at their own instants before the input at `now`.

use std::collections::{BTreeMap, VecDeque};

use payrig_core::{Duration, Machine, Money, Timestamp};
use rand_chacha::ChaCha8Rng;

use crate::card::{Card, Entry};
use crate::config::{ConfigError, ReaderConfig};
use crate::customer::{Answers, Customer, Presentation};
use crate::cvm::{Cvm, CvmRule};
use crate::event::{Begin, DoneReason, Input, Output, ReadErrorReason, Reject};
use crate::{SessionResult, SessionState};

mod inputs;
mod steps;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_faults;

/// What the session knows from `begin` on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Session {
    begin: Begin,
    /// Entries usable in this session (begin's modes that the reader has).
    modes: Vec<Entry>,
    present_deadline: Timestamp,
    /// Chip read failures so far; at 3, a swipe is a fallback swipe.
    chip_failures: u8,
    last_error: Option<ReadErrorReason>,
    tip: Money,
}

impl Session {
    fn allows(&self, entry: Entry) -> bool {
        match entry {
            Entry::FallbackSwipe => self.modes.contains(&Entry::Swipe),
            e => self.modes.contains(&e),
        }
    }

    fn total(&self) -> Money {
        // Amount and tip are each at most 10^15 minor units: the sum cannot overflow.
        Money::from_minor(
            self.begin.amount.minor.saturating_add(self.tip.minor),
            self.begin.amount.currency,
        )
    }
}

/// The card in (or at) the reader and how the customer will answer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Held {
    card: Card,
    entry: Entry,
    answers: Answers,
    /// From the scripted customer (who retries after a read error by itself).
    scripted: bool,
    pins_typed: usize,
}

/// Machine state with the data valid in it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Idle,
    WaitingForCard {
        s: Session,
        customer_at: Option<Timestamp>,
    },
    Reading {
        s: Session,
        h: Held,
        done_at: Timestamp,
    },
    TipEntry {
        s: Session,
        h: Held,
        answer_at: Timestamp,
    },
    PinEntry {
        s: Session,
        h: Held,
        cvm: Cvm,
        answer_at: Timestamp,
    },
    Online {
        s: Session,
        h: Held,
        deadline: Timestamp,
        remove_at: Option<Timestamp>,
    },
    Completing {
        s: Session,
        h: Held,
        approved: bool,
        code: String,
        done_at: Timestamp,
        remove_at: Option<Timestamp>,
    },
    RemoveCard {
        s: Session,
        h: Held,
        result: SessionResult,
        reason: DoneReason,
        code: Option<String>,
        deadline: Timestamp,
        remove_at: Option<Timestamp>,
    },
    Ended(SessionResult),
}

impl State {
    fn public(&self) -> SessionState {
        match self {
            State::Idle => SessionState::Idle,
            State::WaitingForCard { .. } => SessionState::WaitingForCard,
            State::Reading { .. } => SessionState::Reading,
            State::TipEntry { .. } => SessionState::TipEntry,
            State::PinEntry { .. } => SessionState::PinEntry,
            State::Online { .. } => SessionState::Online,
            State::Completing { .. } => SessionState::Completing,
            State::RemoveCard { .. } => SessionState::RemoveCard,
            State::Ended(r) => r.state(),
        }
    }

    fn held(&self) -> Option<&Held> {
        match self {
            State::Reading { h, .. }
            | State::TipEntry { h, .. }
            | State::PinEntry { h, .. }
            | State::Online { h, .. }
            | State::Completing { h, .. }
            | State::RemoveCard { h, .. } => Some(h),
            _ => None,
        }
    }
}

/// Deadlines, in tie-break order: on equal instants the earlier variant fires first (the
/// reader's own steps, then the customer, then timeouts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    Reconnect,
    ReadDone,
    CompleteDone,
    CustomerPresent,
    TipAnswer,
    PinAnswer,
    CustomerRemove,
    PresentTimeout,
    OnlineTimeout,
    RemoveTimeout,
}

/// Injected faults (simulators.md 2.4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Faults {
    read_failures: u32,
    chip_refuses: bool,
    /// `Some(None)`: down until cleared; `Some(Some(t))`: down until `t`.
    disconnected: Option<Option<Timestamp>>,
    busy: bool,
    slow_read: Duration,
    slow_complete: Duration,
}

/// A simulated card reader / PIN pad. See the crate docs for the driving loop.
#[derive(Debug, Clone)]
pub struct Reader {
    cfg: ReaderConfig,
    rules: Vec<CvmRule>,
    src: String,
    rng: ChaCha8Rng,
    state: State,
    customer: Option<Customer>,
    queued: Option<Presentation>,
    /// Offline PIN tries left per PAN; lives on the chip, so it outlasts sessions (SIM-R-03).
    pin_tries: BTreeMap<String, u8>,
    faults: Faults,
    outputs: VecDeque<(Timestamp, Output)>,
    /// The latest instant processed.
    now: Timestamp,
}

impl Reader {
    /// A reader in Idle, validated; `rng` should be
    /// `payrig_core::rng::stream_rng(seed, &cfg.src())` (`reader/<id>`).
    pub fn new(cfg: ReaderConfig, rng: ChaCha8Rng) -> Result<Reader, ConfigError> {
        cfg.validate()?;
        Ok(Reader {
            rules: cfg.effective_rules(),
            src: cfg.src(),
            customer: cfg.customer.clone(),
            cfg,
            rng,
            state: State::Idle,
            queued: None,
            pin_tries: BTreeMap::new(),
            faults: Faults::default(),
            outputs: VecDeque::new(),
            now: Timestamp::EPOCH,
        })
    }

    /// The trace source name, `reader/<id>`.
    pub fn src(&self) -> &str {
        &self.src
    }

    /// The configuration.
    pub fn config(&self) -> &ReaderConfig {
        &self.cfg
    }

    /// The CVM rules in force (scenario rules, then defaults).
    pub fn cvm_rules(&self) -> &[CvmRule] {
        &self.rules
    }

    /// The session state.
    pub fn state(&self) -> SessionState {
        self.state.public()
    }

    /// The current session's transaction reference, while a session is live.
    pub fn txn(&self) -> Option<&str> {
        self.session().map(|s| s.begin.txn.as_str())
    }

    /// The scripted customer now in force.
    pub fn customer(&self) -> Option<&Customer> {
        self.customer.as_ref()
    }

    /// The presentation queued for the next session.
    pub fn queued(&self) -> Option<&Presentation> {
        self.queued.as_ref()
    }

    /// The card in or at the reader during a live session.
    pub fn card(&self) -> Option<&Card> {
        self.state.held().map(|h| &h.card)
    }

    /// Offline PIN tries left on the card with `pan` (its table value until first used).
    pub fn pin_tries_left(&self, card: &Card) -> u8 {
        self.pin_tries
            .get(&card.pan)
            .copied()
            .unwrap_or(card.pin_tries)
    }

    /// Next output with the instant it happened (a deadline fired late by the driver is
    /// stamped with its own instant, not the driver's).
    pub fn poll_timed_output(&mut self) -> Option<(Timestamp, Output)> {
        self.outputs.pop_front()
    }

    fn session(&self) -> Option<&Session> {
        match &self.state {
            State::WaitingForCard { s, .. }
            | State::Reading { s, .. }
            | State::TipEntry { s, .. }
            | State::PinEntry { s, .. }
            | State::Online { s, .. }
            | State::Completing { s, .. }
            | State::RemoveCard { s, .. } => Some(s),
            State::Idle | State::Ended(_) => None,
        }
    }

    fn emit(&mut self, t: Timestamp, out: Output) {
        self.outputs.push_back((t, out));
    }

    /// Takes the state out (leaving Idle) to move it by value into the next one.
    fn take(&mut self) -> State {
        std::mem::replace(&mut self.state, State::Idle)
    }

    /// Enters `next`, reporting the state change from `from` if the public state differs.
    fn enter(&mut self, t: Timestamp, from: SessionState, next: State) {
        self.state = next;
        let to = self.state.public();
        if from != to {
            self.emit(t, Output::StateChanged { from, to });
        }
    }

    /// Fires every deadline at or before `now`, each at its own instant.
    fn advance(&mut self, now: Timestamp) {
        let mut last: Option<(Timestamp, Due)> = None;
        while let Some((t, due)) = self.next_due() {
            if t > now || last == Some((t, due)) {
                // The second test is a guard: every arm of `fire` clears or moves its
                // deadline, so a repeat would be a bug, never a livelock.
                break;
            }
            last = Some((t, due));
            self.now = t.max(self.now);
            self.fire(self.now, due);
        }
        self.now = now.max(self.now);
    }

    fn next_due(&self) -> Option<(Timestamp, Due)> {
        let mut best: Option<(Timestamp, Due)> = None;
        let mut consider = |t: Option<Timestamp>, due: Due| {
            if let Some(t) = t {
                if best.is_none_or(|(b, _)| t < b) {
                    best = Some((t, due));
                }
            }
        };
        consider(self.faults.disconnected.flatten(), Due::Reconnect);
        match &self.state {
            State::Idle | State::Ended(_) => {}
            State::WaitingForCard { s, customer_at } => {
                consider(*customer_at, Due::CustomerPresent);
                consider(Some(s.present_deadline), Due::PresentTimeout);
            }
            State::Reading { done_at, .. } => consider(Some(*done_at), Due::ReadDone),
            State::TipEntry { answer_at, .. } => consider(Some(*answer_at), Due::TipAnswer),
            State::PinEntry { answer_at, .. } => consider(Some(*answer_at), Due::PinAnswer),
            State::Online {
                deadline,
                remove_at,
                ..
            } => {
                consider(*remove_at, Due::CustomerRemove);
                consider(Some(*deadline), Due::OnlineTimeout);
            }
            State::Completing {
                done_at, remove_at, ..
            } => {
                consider(Some(*done_at), Due::CompleteDone);
                consider(*remove_at, Due::CustomerRemove);
            }
            State::RemoveCard {
                deadline,
                remove_at,
                ..
            } => {
                consider(*remove_at, Due::CustomerRemove);
                consider(Some(*deadline), Due::RemoveTimeout);
            }
        }
        best
    }
}

impl Machine for Reader {
    type Input = Input;
    type Output = Output;
    type Reject = Reject;

    fn handle_input(&mut self, now: Timestamp, input: Input) -> Result<(), Reject> {
        if now < self.now {
            return Err(Reject::TimeWentBackwards {
                now,
                last: self.now,
            });
        }
        self.advance(now);
        if input == Input::Timeout {
            return Ok(());
        }
        self.check(&input)?;
        self.apply(now, input);
        Ok(())
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front().map(|(_, o)| o)
    }

    fn poll_timeout(&self) -> Option<Timestamp> {
        self.next_due().map(|(t, _)| t)
    }
}
