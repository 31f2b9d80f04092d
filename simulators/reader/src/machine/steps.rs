//! Deadlines: the reader's own steps (read, complete), the customer's scripted acts
//! (present, tip, PIN, remove) and the timeouts of simulators.md 2.3. Every arm clears or moves
//! the deadline that fired.

use payrig_core::{Duration, Timestamp};

use super::{Due, Held, Reader, Session, State};
use crate::card::{Behaviour, Card, Entry};
use crate::customer::{AbortAt, Customer, Presentation, RemovePolicy};
use crate::cvm::{select_cvm, Cvm};
use crate::event::{CardData, DoneReason, FaultKind, OnlinePin, Output, ReadErrorReason};
use crate::pin::format0_pin_block;
use crate::{SessionResult, SessionState};

/// Chip read failures after which a chip card may be swiped (2.2 `fallback_swipe`).
const FALLBACK_AFTER: u8 = 3;

impl Reader {
    pub(super) fn fire(&mut self, t: Timestamp, due: Due) {
        match due {
            Due::Reconnect => {
                self.faults.disconnected = None;
                self.emit(t, Output::FaultCleared(FaultKind::Disconnect));
            }
            Due::ReadDone => self.read_done(t),
            Due::CompleteDone => self.complete_done(t),
            Due::CustomerPresent => self.customer_present(t),
            Due::TipAnswer => self.tip_answer(t),
            Due::PinAnswer => self.pin_answer(t),
            Due::CustomerRemove => self.card_removed(t),
            Due::PresentTimeout => {
                let Some(s) = self.session() else { return };
                // DECISION: a timeout after a read error reports the read failure (TECS 2003).
                let reason = match s.last_error {
                    Some(_) => DoneReason::ReadFailure,
                    None => DoneReason::PresentTimeout,
                };
                let txn = s.begin.txn.clone();
                let from = self.state.public();
                self.finish(t, from, txn, SessionResult::Aborted, reason, None);
            }
            Due::OnlineTimeout => {
                let Some(txn) = self.txn().map(str::to_owned) else {
                    return;
                };
                // The host may have sent the authorisation: card data is out, so reverse.
                let reason = DoneReason::OnlineTimeout;
                self.emit(
                    t,
                    Output::ReversalRequired {
                        txn: txn.clone(),
                        reason,
                    },
                );
                let from = self.state.public();
                self.finish(t, from, txn, SessionResult::Failed, reason, None);
            }
            Due::RemoveTimeout => {
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
                    other => self.state = other,
                }
            }
        }
    }

    /// Ends the session: terminal state, then `done`.
    pub(super) fn finish(
        &mut self,
        t: Timestamp,
        from: SessionState,
        txn: String,
        result: SessionResult,
        reason: DoneReason,
        code: Option<String>,
    ) {
        self.enter(t, from, State::Ended(result));
        self.emit(
            t,
            Output::Done {
                txn,
                result,
                reason,
                code,
            },
        );
    }

    /// The scripted customer's delay before presenting (none: no script, or `never`).
    pub(super) fn customer_delay(&mut self) -> Option<Duration> {
        let spec = self.customer.as_ref().and_then(|c| c.present_after)?;
        Some(spec.sample(&mut self.rng))
    }

    /// The scripted customer presents (or aborts at `present`).
    fn customer_present(&mut self, t: Timestamp) {
        let script = self.customer.clone();
        let card = script.as_ref().and_then(|c| self.cfg.cards.get(&c.card));
        let (Some(c), Some(card), State::WaitingForCard { s, .. }) = (&script, card, &self.state)
        else {
            // The script was removed meanwhile: nobody comes.
            if let State::WaitingForCard { customer_at, .. } = &mut self.state {
                *customer_at = None;
            }
            return;
        };
        if c.answers.abort_at == AbortAt::Present {
            let (txn, from) = (s.begin.txn.clone(), self.state.public());
            let r = DoneReason::CustomerAbort;
            self.finish(t, from, txn, SessionResult::Aborted, r, None);
            return;
        }
        let p = Presentation {
            card: crate::customer::CardRef::Id(card.id.clone()),
            entry: choose_entry(c, s, card),
            answers: c.answers.clone(),
        };
        self.present(t, p, true);
    }

    /// Reading -> next state, or back to WaitingForCard with `read_error`.
    fn read_done(&mut self, t: Timestamp) {
        let st = self.take();
        let from = st.public();
        let State::Reading { mut s, h, .. } = st else {
            self.state = st;
            return;
        };
        if let Some(reason) = self.read_error(&mut s, &h) {
            s.last_error = Some(reason);
            let entry = h.entry;
            // The script retries by itself, at least 1 ms later so time always moves on.
            let customer_at = match h.scripted {
                true => self.customer_delay().map(|d| t + d.max(Duration(1))),
                false => None,
            };
            self.emit(t, Output::ReadError { entry, reason });
            self.enter(t, from, State::WaitingForCard { s, customer_at });
            return;
        }
        let chip = matches!(h.entry, Entry::Insert | Entry::Tap);
        if chip && h.card.behaviour == Behaviour::Blocked {
            let r = DoneReason::CardBlocked;
            self.finish(t, from, s.begin.txn, SessionResult::Failed, r, None);
            return;
        }
        // SIM-R-03: a card whose PIN is blocked never reaches Approved, whatever the entry.
        if self.pin_tries_left(&h.card) == 0 {
            self.emit(t, Output::PinBlocked);
            let r = DoneReason::PinBlocked;
            self.finish(t, from, s.begin.txn, SessionResult::Failed, r, None);
            return;
        }
        if s.begin.tip == crate::TipMode::Ask && s.begin.kind.verifies_cardholder() {
            let answer_at = t + h.answers.tip_after.sample(&mut self.rng);
            self.enter(t, from, State::TipEntry { s, h, answer_at });
        } else {
            self.verify(t, from, s, h);
        }
    }

    /// Why the read fails, if it does (counting chip failures and injected failures).
    fn read_error(&mut self, s: &mut Session, h: &Held) -> Option<ReadErrorReason> {
        let (card, entry) = (&h.card, h.entry);
        if !s.allows(entry) {
            return Some(ReadErrorReason::ModeNotEnabled);
        }
        if !card.supports(entry) {
            return Some(ReadErrorReason::EntryNotSupported);
        }
        // 2.2: swiping a 2xx card outside fallback answers `use_chip`.
        let early_fallback = entry == Entry::FallbackSwipe && s.chip_failures < FALLBACK_AFTER;
        if card.has_chip() && (entry == Entry::Swipe || early_fallback) {
            return Some(ReadErrorReason::UseChip);
        }
        let failed = if entry != Entry::Manual && self.faults.read_failures > 0 {
            self.faults.read_failures -= 1;
            Some(ReadErrorReason::ReadFailure)
        } else if entry == Entry::Insert && card.behaviour == Behaviour::ChipUnreadable {
            Some(ReadErrorReason::ChipUnreadable)
        } else {
            None
        };
        if failed.is_some() && entry == Entry::Insert {
            s.chip_failures = s.chip_failures.saturating_add(1);
        }
        failed
    }

    /// The CVM for this session: none for refunds and voids, else the rules on the total.
    fn cvm_for(&self, s: &Session, h: &Held) -> Cvm {
        if !s.begin.kind.verifies_cardholder() {
            return Cvm::None;
        }
        select_cvm(&self.rules, &h.card, h.entry, s.total())
    }

    /// After the read (and tip): PinEntry for a PIN CVM, else straight online.
    fn verify(&mut self, t: Timestamp, from: SessionState, s: Session, h: Held) {
        let cvm = self.cvm_for(&s, &h);
        if cvm.needs_pin() {
            let answer_at = t + h.answers.pin_after.sample(&mut self.rng);
            self.enter(
                t,
                from,
                State::PinEntry {
                    s,
                    h,
                    cvm,
                    answer_at,
                },
            );
        } else {
            self.go_online(t, from, s, h, cvm, None);
        }
    }

    /// TipEntry -> PinEntry or Online (`tip_entered`; CVM chosen again on the total).
    fn tip_answer(&mut self, t: Timestamp) {
        let st = self.take();
        let from = st.public();
        let State::TipEntry { mut s, h, .. } = st else {
            self.state = st;
            return;
        };
        if h.answers.abort_at == AbortAt::Tip {
            let r = DoneReason::CustomerAbort;
            self.finish(t, from, s.begin.txn, SessionResult::Aborted, r, None);
            return;
        }
        s.tip = h.answers.tip.tip_for(s.begin.amount);
        let (tip, total) = (s.tip, s.total());
        self.emit(t, Output::TipEntered { tip, total });
        self.verify(t, from, s, h);
    }

    /// The customer types a PIN: offline PINs are checked by the chip, online PINs go out.
    fn pin_answer(&mut self, t: Timestamp) {
        let st = self.take();
        let from = st.public();
        let State::PinEntry { s, mut h, cvm, .. } = st else {
            self.state = st;
            return;
        };
        let typed = match h.answers.abort_at {
            AbortAt::Pin if h.pins_typed == 0 => None,
            _ => h.answers.pin.nth(h.pins_typed, &h.card.pin),
        };
        let Some(pin) = typed else {
            // Cancel at the PIN prompt, or out of PINs to try.
            let r = DoneReason::CustomerAbort;
            self.finish(t, from, s.begin.txn, SessionResult::Aborted, r, None);
            return;
        };
        h.pins_typed += 1;
        let correct = pin == h.card.pin;
        if cvm != Cvm::OfflinePin {
            let pin_block = format0_pin_block(&pin, &h.card.pan).unwrap_or_default();
            let op = OnlinePin { pin_block, correct };
            self.go_online(t, from, s, h, cvm, Some(op));
            return;
        }
        if correct {
            // EMV: a correct offline PIN resets the try counter.
            self.pin_tries.insert(h.card.pan.clone(), h.card.pin_tries);
            self.go_online(t, from, s, h, cvm, None);
            return;
        }
        let left = self.pin_tries_left(&h.card).saturating_sub(1);
        self.pin_tries.insert(h.card.pan.clone(), left);
        if left == 0 {
            self.emit(t, Output::PinBlocked);
            let r = DoneReason::PinBlocked;
            self.finish(t, from, s.begin.txn, SessionResult::Failed, r, None);
        } else {
            self.emit(t, Output::PinWrong { tries_left: left });
            let answer_at = t + h.answers.pin_after.sample(&mut self.rng);
            self.enter(
                t,
                from,
                State::PinEntry {
                    s,
                    h,
                    cvm,
                    answer_at,
                },
            );
        }
    }

    /// -> Online with `card_data` (`online_timeout`; an early remover's delay is drawn).
    fn go_online(
        &mut self,
        t: Timestamp,
        from: SessionState,
        s: Session,
        h: Held,
        cvm: Cvm,
        online_pin: Option<OnlinePin>,
    ) {
        let card = &h.card;
        let data = CardData {
            txn: s.begin.txn.clone(),
            entry: h.entry,
            card_id: card.id.clone(),
            brand: card.brand,
            masked_pan: card.masked_pan(),
            pan: card.pan.clone(),
            expiry: card.expiry.clone(),
            service_code: card.service_code.clone(),
            cvm,
            amount: s.begin.amount,
            tip: s.tip,
            total: s.total(),
            track2: h.entry.reads_track2().then(|| card.track2()),
            online_pin,
            enc: None,
            behaviour: card.behaviour.clone(),
            balance: card.balance,
        };
        let remove_at = match (h.entry.card_stays_in(), h.answers.remove) {
            (true, RemovePolicy::Early) => Some(t + h.answers.remove_after.sample(&mut self.rng)),
            _ => None,
        };
        let deadline = t + self.cfg.online_timeout;
        let next = State::Online {
            s,
            h,
            deadline,
            remove_at,
        };
        self.enter(t, from, next);
        self.emit(t, Output::CardData(Box::new(data)));
    }

    /// Completing -> RemoveCard (inserted card) or the result (tap, swipe, manual).
    fn complete_done(&mut self, t: Timestamp) {
        let st = self.take();
        let from = st.public();
        let State::Completing {
            s,
            h,
            approved,
            code,
            remove_at,
            ..
        } = st
        else {
            self.state = st;
            return;
        };
        let (result, reason) = match approved {
            // The fault models the contact chip's second GENERATE AC refusing.
            true if self.faults.chip_refuses && h.entry == Entry::Insert => {
                let txn = s.begin.txn.clone();
                let reason = DoneReason::ChipRefused;
                self.emit(t, Output::ReversalRequired { txn, reason });
                (SessionResult::Declined, reason)
            }
            true => (SessionResult::Approved, DoneReason::Approved),
            false => (SessionResult::Declined, DoneReason::Declined),
        };
        if !h.entry.card_stays_in() {
            self.finish(t, from, s.begin.txn, result, reason, Some(code));
            return;
        }
        let remove_at = match h.answers.remove {
            RemovePolicy::AfterResult => Some(t + h.answers.remove_after.sample(&mut self.rng)),
            RemovePolicy::Early => remove_at,
            RemovePolicy::Never => None,
        };
        let next = State::RemoveCard {
            s,
            h,
            result,
            reason,
            code: Some(code),
            deadline: t + self.cfg.remove_timeout,
            remove_at,
        };
        self.enter(t, from, next);
    }
}

/// The scripted customer's entry: fallback swipe after 3 chip failures, insert after
/// `use_chip`, else the preferred entry, else the first of insert, tap, swipe that both the
/// session and the card allow.
fn choose_entry(c: &Customer, s: &Session, card: &Card) -> Entry {
    let mut prefs = Vec::with_capacity(6);
    if s.chip_failures >= FALLBACK_AFTER {
        prefs.push(Entry::Swipe);
    }
    if s.last_error == Some(ReadErrorReason::UseChip) {
        prefs.push(Entry::Insert);
    }
    prefs.extend([c.entry, Entry::Insert, Entry::Tap, Entry::Swipe]);
    prefs
        .into_iter()
        .find(|e| s.allows(*e) && card.supports(*e))
        .unwrap_or(c.entry)
}
