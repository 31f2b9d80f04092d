//! Inputs: `check` (may reject, never mutates) and `apply` (infallible), one arm per row of
//! the simulators.md 2.3 table that an actor drives (host, customer, scenario).

use payrig_core::{Money, Timestamp};

use super::{Faults, Held, Reader, Session, State};
use crate::card::{Card, Entry};
use crate::customer::{CardRef, Presentation, MAX_AMOUNT_MINOR};
use crate::event::{Begin, DoneReason, Fault, FaultKind, Input, Output, Reject};
use crate::{SessionResult, SessionState};

impl Reader {
    /// Whether `input` is allowed now. Never mutates.
    pub(super) fn check(&self, input: &Input) -> Result<(), Reject> {
        let state = self.state.public();
        let not = || {
            Err(Reject::NotInState {
                input: input.name(),
                state,
            })
        };
        if input.from_host() && self.faults.disconnected.is_some() {
            return Err(Reject::Disconnected);
        }
        use SessionState as S;
        match input {
            Input::Timeout => Ok(()),
            Input::Begin(b) => {
                if !(state == S::Idle || state.is_terminal()) {
                    return not();
                }
                if self.faults.busy {
                    return Err(Reject::Busy);
                }
                if !(0..=MAX_AMOUNT_MINOR).contains(&b.amount.minor) {
                    return Err(Reject::BadAmount);
                }
                if self.session_modes(b).is_empty() {
                    return Err(Reject::NoModes);
                }
                Ok(())
            }
            Input::Cancel | Input::CustomerAbort => match state {
                S::WaitingForCard | S::Reading | S::TipEntry | S::PinEntry => Ok(()),
                _ => not(),
            },
            Input::HostResult { .. } if state == S::Online => Ok(()),
            Input::HostResult { .. } => not(),
            Input::Present(p) => {
                self.resolve(&p.card)?;
                p.answers.pin.validate().map_err(Reject::InvalidCard)?;
                match state {
                    S::WaitingForCard => Ok(()),
                    s if s == S::Idle || s.is_terminal() => match self.queued {
                        Some(_) => Err(Reject::AlreadyQueued),
                        None => Ok(()),
                    },
                    _ => not(),
                }
            }
            Input::RemoveCard => match self.state.held() {
                Some(h) if h.entry.card_stays_in() => Ok(()),
                Some(_) => Err(Reject::NoCardInReader),
                None => not(),
            },
            Input::SetCustomer(Some(c)) => {
                if self.cfg.cards.get(&c.card).is_none() {
                    return Err(Reject::UnknownCard(c.card.clone()));
                }
                c.answers.pin.validate().map_err(Reject::InvalidCard)
            }
            Input::SetCustomer(None) => Ok(()),
            Input::Fault(Fault::Slow { state, .. })
                if !matches!(state, S::Reading | S::Completing) =>
            {
                Err(Reject::BadFault)
            }
            Input::Fault(_) | Input::ClearFault(_) => Ok(()),
        }
    }

    /// Applies a checked input.
    pub(super) fn apply(&mut self, t: Timestamp, input: Input) {
        match input {
            Input::Timeout => {}
            Input::Begin(b) => self.begin(t, b),
            Input::Cancel => self.abort(t, DoneReason::HostCancel),
            Input::CustomerAbort => self.abort(t, DoneReason::CustomerAbort),
            Input::HostResult { code, approved } => self.host_result(t, code, approved),
            Input::Present(p) => {
                if matches!(self.state, State::WaitingForCard { .. }) {
                    self.present(t, *p, false);
                } else {
                    self.queued = Some(*p);
                }
            }
            Input::RemoveCard => self.card_removed(t),
            Input::SetCustomer(c) => self.customer = c.map(|c| *c),
            Input::Fault(f) => self.raise(t, f),
            Input::ClearFault(k) => self.clear(t, k),
        }
    }

    /// The begin's entries that the reader has (all the reader's when the begin lists none).
    fn session_modes(&self, b: &Begin) -> Vec<Entry> {
        if b.modes.is_empty() {
            return self.cfg.modes.clone();
        }
        let mut m: Vec<Entry> = Vec::new();
        for e in &b.modes {
            if self.cfg.modes.contains(e) && !m.contains(e) {
                m.push(*e);
            }
        }
        m
    }

    /// The card a presentation names, validated.
    pub(super) fn resolve(&self, card: &CardRef) -> Result<Card, Reject> {
        match card {
            CardRef::Id(id) => self
                .cfg
                .cards
                .get(id)
                .cloned()
                .ok_or_else(|| Reject::UnknownCard(id.clone())),
            CardRef::Card(c) => {
                c.validate().map_err(Reject::InvalidCard)?;
                Ok((**c).clone())
            }
        }
    }

    /// Idle or terminal -> WaitingForCard (`present_timeout`); a queued presentation is
    /// presented at once, else the scripted customer's delay is drawn.
    fn begin(&mut self, t: Timestamp, b: Begin) {
        let from = self.state.public();
        let s = Session {
            modes: self.session_modes(&b),
            present_deadline: t + self.cfg.present_timeout,
            chip_failures: 0,
            last_error: None,
            tip: Money::zero(b.amount.currency),
            begin: b,
        };
        match self.queued.take() {
            Some(p) => {
                let next = State::WaitingForCard {
                    s,
                    customer_at: None,
                };
                self.enter(t, from, next);
                self.present(t, p, false);
            }
            None => {
                let customer_at = self.customer_delay().map(|d| t + d);
                self.enter(t, from, State::WaitingForCard { s, customer_at });
            }
        }
    }

    /// WaitingForCard -> Reading (`card_detected{entry}`).
    pub(super) fn present(&mut self, t: Timestamp, p: Presentation, scripted: bool) {
        let Ok(card) = self.resolve(&p.card) else {
            return;
        };
        let st = self.take();
        let from = st.public();
        let State::WaitingForCard { s, .. } = st else {
            self.state = st;
            return;
        };
        // After 3 chip failures a swipe of a chip card is a fallback swipe (2.2).
        let entry = match p.entry {
            Entry::Swipe | Entry::FallbackSwipe if card.has_chip() && s.chip_failures >= 3 => {
                Entry::FallbackSwipe
            }
            Entry::FallbackSwipe if !card.has_chip() => Entry::Swipe,
            e => e,
        };
        let h = Held {
            card,
            entry,
            answers: p.answers,
            scripted,
            pins_typed: 0,
        };
        let done_at = t + self.cfg.read_time + self.faults.slow_read;
        self.emit(t, Output::CardDetected { entry });
        self.enter(t, from, State::Reading { s, h, done_at });
    }

    /// Cancel (host) or abort (customer) before going online -> Aborted.
    fn abort(&mut self, t: Timestamp, reason: DoneReason) {
        let Some(txn) = self.txn().map(str::to_owned) else {
            return;
        };
        let from = self.state.public();
        self.finish(t, from, txn, SessionResult::Aborted, reason, None);
    }

    /// Online -> Completing (the chip's second step takes `complete_time`).
    fn host_result(&mut self, t: Timestamp, code: String, approved: bool) {
        let st = self.take();
        let from = st.public();
        let State::Online {
            s, h, remove_at, ..
        } = st
        else {
            self.state = st;
            return;
        };
        let done_at = t + self.cfg.complete_time + self.faults.slow_complete;
        let next = State::Completing {
            s,
            h,
            approved,
            code,
            done_at,
            remove_at,
        };
        self.enter(t, from, next);
    }

    /// The inserted card leaves the reader: the end of RemoveCard, or pulled early (Failed,
    /// with `reversal_required` once card data is out).
    pub(super) fn card_removed(&mut self, t: Timestamp) {
        let st = self.take();
        let from = st.public();
        match st {
            State::RemoveCard {
                s,
                result,
                reason,
                code,
                ..
            } => self.finish(t, from, s.begin.txn, result, reason, code),
            State::Online { s, .. } | State::Completing { s, .. } => {
                let txn = s.begin.txn;
                self.emit(
                    t,
                    Output::ReversalRequired {
                        txn: txn.clone(),
                        reason: DoneReason::CardRemovedEarly,
                    },
                );
                let r = DoneReason::CardRemovedEarly;
                self.finish(t, from, txn, SessionResult::Failed, r, None);
            }
            State::Reading { s, .. } | State::TipEntry { s, .. } | State::PinEntry { s, .. } => {
                let r = DoneReason::CardRemovedEarly;
                self.finish(t, from, s.begin.txn, SessionResult::Failed, r, None);
            }
            other => self.state = other,
        }
    }

    fn raise(&mut self, t: Timestamp, f: Fault) {
        let faults = &mut self.faults;
        match &f {
            Fault::ReadFailure { count } => faults.read_failures = *count,
            Fault::ChipRefusesAfterApproval => faults.chip_refuses = true,
            Fault::Disconnect { duration } => faults.disconnected = Some(duration.map(|d| t + d)),
            Fault::Busy => faults.busy = true,
            Fault::Slow { state, delay } => {
                if *state == SessionState::Reading {
                    faults.slow_read = *delay;
                } else {
                    faults.slow_complete = *delay;
                }
            }
        }
        self.emit(t, Output::FaultRaised(f));
    }

    pub(super) fn clear(&mut self, t: Timestamp, k: FaultKind) {
        let d = Faults::default();
        let f = &mut self.faults;
        match k {
            FaultKind::ReadFailure => f.read_failures = 0,
            FaultKind::ChipRefusesAfterApproval => f.chip_refuses = false,
            FaultKind::Disconnect => f.disconnected = None,
            FaultKind::Busy => f.busy = false,
            FaultKind::Slow => (f.slow_read, f.slow_complete) = (d.slow_read, d.slow_complete),
        }
        self.emit(t, Output::FaultCleared(k));
    }
}
