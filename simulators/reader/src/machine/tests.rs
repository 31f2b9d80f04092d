//! Scenario tests: the simulators.md 2.3 table row by row, 2.4 customers and faults, and the
//! TECS hooks of tecs.md 7.

use payrig_core::rng::{stream_rng, DurationSpec};
use payrig_core::{Currency, Duration, Machine, Money, Timestamp};

use crate::customer::{AbortAt, Answers, Customer, PinAnswers, Presentation};
use crate::event::{Begin, DoneReason, Input, Output, Reject, TipMode, TxnKind};
use crate::{Cvm, Entry, Reader, ReaderConfig, SessionResult, SessionState, TipSpec};

/// A driver in virtual time that records every timed output.
pub(super) struct Harness {
    pub(super) r: Reader,
    pub(super) out: Vec<(u64, Output)>,
}

impl Harness {
    pub(super) fn new(cfg: ReaderConfig) -> Harness {
        Harness {
            r: Reader::new(cfg, stream_rng(42, "reader/R1")).unwrap(),
            out: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Some((t, o)) = self.r.poll_timed_output() {
            self.out.push((t.as_millis(), o));
        }
    }

    /// Fires deadlines up to `ms`, then gives `input` at `ms`.
    pub(super) fn input(&mut self, ms: u64, input: Input) -> Result<(), Reject> {
        let r = self.r.handle_input(Timestamp(ms), input);
        self.drain();
        r
    }

    pub(super) fn run_until(&mut self, ms: u64) {
        let _ = self.input(ms, Input::Timeout);
    }

    pub(super) fn done(&self) -> Option<(u64, SessionResult, DoneReason, Option<String>)> {
        self.out.iter().rev().find_map(|(t, o)| match o {
            Output::Done {
                result,
                reason,
                code,
                ..
            } => Some((*t, *result, *reason, code.clone())),
            _ => None,
        })
    }

    pub(super) fn card_data(&self) -> Option<(u64, crate::CardData)> {
        self.out.iter().find_map(|(t, o)| match o {
            Output::CardData(d) => Some((*t, (**d).clone())),
            _ => None,
        })
    }

    pub(super) fn states(&self) -> Vec<SessionState> {
        self.out
            .iter()
            .filter_map(|(_, o)| match o {
                Output::StateChanged { to, .. } => Some(*to),
                _ => None,
            })
            .collect()
    }

    pub(super) fn has(&self, f: impl Fn(&Output) -> bool) -> Option<u64> {
        self.out.iter().find(|(_, o)| f(o)).map(|(t, _)| *t)
    }
}

pub(super) fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

pub(super) fn begin(kind: TxnKind, minor: i64, tip: TipMode) -> Input {
    Input::Begin(Begin {
        txn: "T1".into(),
        kind,
        amount: eur(minor),
        modes: vec![],
        tip,
    })
}

pub(super) fn sale(minor: i64) -> Input {
    begin(TxnKind::Sale, minor, TipMode::None)
}

/// Fixed timings: present at 2 s, PIN/tip 1 s after the prompt, card out 1 s after asked.
pub(super) fn answers() -> Answers {
    Answers {
        pin_after: DurationSpec::fixed(1_000),
        tip_after: DurationSpec::fixed(1_000),
        remove_after: DurationSpec::fixed(1_000),
        ..Answers::default()
    }
}

pub(super) fn customer(card: &str, entry: Entry, a: Answers) -> Customer {
    Customer {
        card: card.into(),
        entry,
        present_after: Some(DurationSpec::fixed(2_000)),
        answers: a,
    }
}

pub(super) fn with(c: Customer) -> Harness {
    Harness::new(ReaderConfig::default().with_customer(Some(c)))
}

pub(super) fn approve() -> Input {
    Input::HostResult {
        code: "00".into(),
        approved: true,
    }
}

#[test]
fn full_sale_insert_with_offline_pin() {
    let mut h = with(customer("visa_ok", Entry::Insert, answers()));
    h.input(0, sale(15_000)).unwrap();
    h.run_until(3_500);
    // Present 2000, read 500 ms, PIN 1 s after the prompt.
    assert_eq!(
        h.has(|o| matches!(
            o,
            Output::CardDetected {
                entry: Entry::Insert
            }
        )),
        Some(2_000)
    );
    let (t, d) = h.card_data().unwrap();
    assert_eq!(t, 3_500);
    assert_eq!(
        (d.cvm, d.entry, d.total),
        (Cvm::OfflinePin, Entry::Insert, eur(15_000))
    );
    assert_eq!(d.masked_pan.as_str(), "476173******0011");
    assert_eq!(
        d.track2.as_deref(),
        Some("4761730000000011=31122010000100000")
    );
    assert_eq!((d.online_pin, d.enc), (None, None));
    h.input(4_000, approve()).unwrap();
    h.run_until(10_000);
    assert_eq!(
        h.states(),
        vec![
            SessionState::WaitingForCard,
            SessionState::Reading,
            SessionState::PinEntry,
            SessionState::Online,
            SessionState::Completing,
            SessionState::RemoveCard,
            SessionState::Approved,
        ]
    );
    // Completing 300 ms, removed 1 s after RemoveCard.
    let done = h.done().unwrap();
    assert_eq!(
        done,
        (
            5_300,
            SessionResult::Approved,
            DoneReason::Approved,
            Some("00".into())
        )
    );
    assert_eq!(h.r.poll_timeout(), None);
}

#[test]
fn online_pin_goes_out_in_a_pin_block_and_a_wrong_one_is_flagged() {
    let mut h = with(customer("visa_ok", Entry::Insert, answers()));
    h.input(0, sale(25_000)).unwrap();
    h.run_until(4_000);
    let (_, d) = h.card_data().unwrap();
    assert_eq!(d.cvm, Cvm::OnlinePin);
    let op = d.online_pin.unwrap();
    assert_eq!(
        (op.pin_block.as_str(), op.correct),
        ("041223CFFFFFFFFE", true)
    );
    // TECS: a wrong PIN is not checked by the reader; the issuer declines 55 (1055).
    let a = Answers {
        pin: PinAnswers::Wrong,
        ..answers()
    };
    let mut h = with(customer("tecs_visa", Entry::Insert, a));
    h.input(0, sale(25_000)).unwrap();
    h.run_until(4_000);
    assert!(!h.card_data().unwrap().1.online_pin.unwrap().correct);
    h.input(
        4_000,
        Input::HostResult {
            code: "55".into(),
            approved: false,
        },
    )
    .unwrap();
    h.run_until(10_000);
    assert_eq!(h.done().unwrap().1, SessionResult::Declined);
    assert_eq!(h.done().unwrap().3.as_deref(), Some("55"));
}

#[test]
fn tap_under_the_limit_needs_no_cvm_and_no_removal() {
    let mut h = with(customer("visa_ok", Entry::Tap, answers()));
    h.input(0, sale(5_000)).unwrap();
    h.run_until(2_500);
    let (t, d) = h.card_data().unwrap();
    assert_eq!((t, d.cvm, d.entry), (2_500, Cvm::None, Entry::Tap));
    assert!(!h.states().contains(&SessionState::PinEntry));
    h.input(3_000, approve()).unwrap();
    h.run_until(3_300);
    assert_eq!(h.done().unwrap().0, 3_300);
    assert!(!h.states().contains(&SessionState::RemoveCard));
    // Just above the limit: online PIN; a wallet uses CDCVM.
    let mut h = with(customer("visa_wallet", Entry::Tap, answers()));
    h.input(0, sale(5_001)).unwrap();
    h.run_until(2_500);
    assert_eq!(h.card_data().unwrap().1.cvm, Cvm::Cdcvm);
}

#[test]
fn never_presents_aborts_at_60_s() {
    let mut h = Harness::new(ReaderConfig::default());
    h.input(0, sale(1_000)).unwrap();
    assert_eq!(h.r.poll_timeout(), Some(Timestamp(60_000)));
    h.run_until(59_999);
    assert_eq!(h.r.state(), SessionState::WaitingForCard);
    h.run_until(120_000);
    assert_eq!(
        h.done().unwrap(),
        (
            60_000,
            SessionResult::Aborted,
            DoneReason::PresentTimeout,
            None
        )
    );
    // TECS card_wait: a customer that never comes, with a shorter present timeout.
    let mut cfg = ReaderConfig::default().with_customer(Some(Customer {
        present_after: None,
        ..Customer::tecs_default()
    }));
    cfg.present_timeout = Duration::from_secs(5);
    let mut h = Harness::new(cfg);
    h.input(0, sale(1_000)).unwrap();
    h.run_until(10_000);
    assert_eq!(h.done().unwrap().0, 5_000);
}

#[test]
fn customer_aborts_at_present_and_at_pin() {
    let a = Answers {
        abort_at: AbortAt::Present,
        ..answers()
    };
    let mut h = with(customer("visa_ok", Entry::Insert, a));
    h.input(0, sale(15_000)).unwrap();
    h.run_until(10_000);
    let done = h.done().unwrap();
    assert_eq!(
        done,
        (
            2_000,
            SessionResult::Aborted,
            DoneReason::CustomerAbort,
            None
        )
    );
    assert!(h.card_data().is_none());

    let a = Answers {
        abort_at: AbortAt::Pin,
        ..answers()
    };
    let mut h = with(customer("visa_ok", Entry::Insert, a));
    h.input(0, sale(15_000)).unwrap();
    h.run_until(10_000);
    assert_eq!(h.done().unwrap().0, 3_500);
    assert_eq!(h.done().unwrap().2, DoneReason::CustomerAbort);
    assert!(h.states().contains(&SessionState::PinEntry));
    assert!(h.card_data().is_none());
}

#[test]
fn host_cancel_and_customer_abort_inputs() {
    let mut h = Harness::new(ReaderConfig::default());
    h.input(0, sale(1_000)).unwrap();
    h.input(10, Input::Cancel).unwrap();
    assert_eq!(h.done().unwrap().2, DoneReason::HostCancel);
    h.input(20, sale(1_000)).unwrap();
    h.input(
        30,
        Input::Present(Box::new(Presentation::of("visa_ok", Entry::Insert))),
    )
    .unwrap();
    h.input(40, Input::CustomerAbort).unwrap();
    assert_eq!(
        h.done().unwrap(),
        (40, SessionResult::Aborted, DoneReason::CustomerAbort, None)
    );
}

#[test]
fn wrong_pin_then_right() {
    let a = Answers {
        pin: PinAnswers::List(vec!["9999".into(), "1234".into()]),
        ..answers()
    };
    let mut h = with(customer("visa_ok", Entry::Insert, a));
    h.input(0, sale(15_000)).unwrap();
    h.run_until(5_000);
    assert_eq!(
        h.has(|o| *o == Output::PinWrong { tries_left: 2 }),
        Some(3_500)
    );
    assert_eq!(h.card_data().unwrap().0, 4_500);
    // The correct PIN reset the card's counter.
    let card = h.r.config().cards.get("visa_ok").unwrap().clone();
    assert_eq!(h.r.pin_tries_left(&card), 3);
}

#[test]
fn pin_blocked_after_three_and_the_card_never_approves_again() {
    let a = Answers {
        pin: PinAnswers::Wrong,
        ..answers()
    };
    let mut h = with(customer("visa_ok", Entry::Insert, a));
    h.input(0, sale(15_000)).unwrap();
    h.run_until(10_000);
    let wrong: Vec<_> = h
        .out
        .iter()
        .filter_map(|(t, o)| match o {
            Output::PinWrong { tries_left } => Some((*t, *tries_left)),
            _ => None,
        })
        .collect();
    assert_eq!(wrong, vec![(3_500, 2), (4_500, 1)]);
    assert_eq!(h.has(|o| *o == Output::PinBlocked), Some(5_500));
    assert_eq!(
        h.done().unwrap(),
        (5_500, SessionResult::Failed, DoneReason::PinBlocked, None)
    );
    // SIM-R-03: next session, correct PIN, even by swipe-free tap: still blocked.
    h.input(
        20_000,
        Input::SetCustomer(Some(Box::new(customer("visa_ok", Entry::Tap, answers())))),
    )
    .unwrap();
    h.input(20_000, sale(1_000)).unwrap();
    h.run_until(30_000);
    assert_eq!(h.done().unwrap().2, DoneReason::PinBlocked);
    assert!(h.card_data().is_none());
    // Terminal sessions take no events.
    let before = h.r.state();
    assert!(h.input(30_001, approve()).is_err());
    assert!(h.input(30_002, Input::Cancel).is_err());
    assert_eq!(h.r.state(), before);
}

#[test]
fn tip_percent_is_half_up_and_tip_amount_is_exact() {
    let a = Answers {
        tip: TipSpec::parse("10%").unwrap(),
        ..answers()
    };
    let mut h = with(customer("visa_ok", Entry::Insert, a));
    h.input(0, begin(TxnKind::Sale, 1_235, TipMode::Ask))
        .unwrap();
    h.run_until(10_000);
    // 10 % of 12.35 = 1.235 -> 1.24.
    let tip = Output::TipEntered {
        tip: eur(124),
        total: eur(1_359),
    };
    assert_eq!(h.has(|o| *o == tip), Some(3_500));
    let d = h.card_data().unwrap().1;
    assert_eq!(
        (d.amount, d.tip, d.total),
        (eur(1_235), eur(124), eur(1_359))
    );

    // A 2.00 tip pushes 99.00 over 100.00: the CVM is chosen again on the total.
    let a = Answers {
        tip: TipSpec::parse("2.00").unwrap(),
        ..answers()
    };
    let mut h = with(customer("visa_ok", Entry::Insert, a));
    h.input(0, begin(TxnKind::Sale, 9_900, TipMode::Ask))
        .unwrap();
    h.run_until(10_000);
    let d = h.card_data().unwrap().1;
    assert_eq!(
        (d.tip, d.total, d.cvm),
        (eur(200), eur(10_100), Cvm::OfflinePin)
    );
    assert!(h.states().contains(&SessionState::TipEntry));
}

#[test]
fn refund_needs_no_cvm_and_no_tip() {
    let mut h = with(customer("visa_ok", Entry::Insert, answers()));
    h.input(0, begin(TxnKind::Refund, 25_000, TipMode::Ask))
        .unwrap();
    h.run_until(2_500);
    let d = h.card_data().unwrap().1;
    assert_eq!((d.cvm, d.tip, d.total), (Cvm::None, eur(0), eur(25_000)));
    h.input(3_000, approve()).unwrap();
    h.run_until(10_000);
    assert_eq!(h.done().unwrap().1, SessionResult::Approved);
    assert!(!h.states().contains(&SessionState::TipEntry));
    assert!(!h.states().contains(&SessionState::PinEntry));
}
