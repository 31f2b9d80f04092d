//! Scenario tests for faults, removals, timeouts, queueing and refused inputs
//! (simulators.md 2.3 "any live" rows and 2.4 faults).

use payrig_core::Duration;

use super::tests::{answers, approve, customer, eur, sale, with, Harness};
use crate::customer::{Answers, Presentation, RemovePolicy};
use crate::event::{
    Begin, DoneReason, Fault, FaultKind, Input, Output, ReadErrorReason, Reject, TipMode, TxnKind,
};
use crate::{Cvm, Entry, ReaderConfig, SessionResult, SessionState};

#[test]
fn read_failure_then_success() {
    let mut h = with(customer("visa_ok", Entry::Insert, answers()));
    h.input(0, Input::Fault(Fault::ReadFailure { count: 2 }))
        .unwrap();
    h.input(0, sale(1_000)).unwrap();
    h.run_until(20_000);
    let errors: Vec<_> = h
        .out
        .iter()
        .filter_map(|(t, o)| match o {
            Output::ReadError { reason, .. } => Some((*t, *reason)),
            _ => None,
        })
        .collect();
    // Read at 2.5 s fails, the customer retries 2 s later, and so on.
    assert_eq!(
        errors,
        vec![
            (2_500, ReadErrorReason::ReadFailure),
            (5_000, ReadErrorReason::ReadFailure)
        ]
    );
    assert_eq!(h.card_data().unwrap().0, 7_500);
    // A fault that never ends reads as a read failure at the present timeout (TECS 2003).
    let mut h = with(customer("visa_ok", Entry::Insert, answers()));
    h.input(0, Input::Fault(Fault::ReadFailure { count: 1_000 }))
        .unwrap();
    h.input(0, sale(1_000)).unwrap();
    h.run_until(70_000);
    assert_eq!(h.done().unwrap().2, DoneReason::ReadFailure);
}

#[test]
fn chip_unreadable_falls_back_to_swipe_after_three() {
    let mut h = with(customer("mc_fallback", Entry::Insert, answers()));
    h.input(0, sale(15_000)).unwrap();
    h.run_until(20_000);
    let n = h
        .out
        .iter()
        .filter(|(_, o)| {
            matches!(
                o,
                Output::ReadError {
                    reason: ReadErrorReason::ChipUnreadable,
                    ..
                }
            )
        })
        .count();
    assert_eq!(n, 3);
    let d = h.card_data().unwrap().1;
    assert_eq!((d.entry, d.cvm), (Entry::FallbackSwipe, Cvm::Signature));
}

#[test]
fn swiping_a_chip_card_answers_use_chip() {
    let mut h = with(customer("visa_ok", Entry::Swipe, answers()));
    h.input(0, sale(1_000)).unwrap();
    h.run_until(20_000);
    assert!(h
        .has(|o| matches!(
            o,
            Output::ReadError {
                reason: ReadErrorReason::UseChip,
                ..
            }
        ))
        .is_some());
    assert_eq!(h.card_data().unwrap().1.entry, Entry::Insert);
    // A magstripe-only card swipes fine; manual entry has no track 2.
    let mut h = Harness::new(ReaderConfig::default());
    h.input(0, sale(1_000)).unwrap();
    h.input(
        1,
        Input::Present(Box::new(Presentation::of("visa_swipe_only", Entry::Manual))),
    )
    .unwrap();
    h.run_until(1_000);
    let d = h.card_data().unwrap().1;
    assert_eq!((d.entry, d.cvm, d.track2), (Entry::Manual, Cvm::None, None));
}

#[test]
fn card_removed_early_after_online_requires_a_reversal() {
    let a = Answers {
        remove: RemovePolicy::Early,
        ..answers()
    };
    let mut h = with(customer("visa_ok", Entry::Insert, a));
    h.input(0, sale(5_000)).unwrap();
    h.run_until(10_000);
    // Online at 2.5 s (signature), pulled at 3.5 s.
    let rev = h.has(|o| {
        matches!(
            o,
            Output::ReversalRequired {
                reason: DoneReason::CardRemovedEarly,
                ..
            }
        )
    });
    assert_eq!(rev, Some(3_500));
    assert_eq!(
        h.done().unwrap(),
        (
            3_500,
            SessionResult::Failed,
            DoneReason::CardRemovedEarly,
            None
        )
    );
    assert!(h.input(4_000, approve()).is_err());
    // Pulled during PIN entry: failed, but no card data went out, so no reversal.
    let mut h = with(customer("visa_ok", Entry::Insert, answers()));
    h.input(0, sale(15_000)).unwrap();
    h.run_until(3_000);
    h.input(3_000, Input::RemoveCard).unwrap();
    assert_eq!(h.done().unwrap().2, DoneReason::CardRemovedEarly);
    assert!(h
        .has(|o| matches!(o, Output::ReversalRequired { .. }))
        .is_none());
}

#[test]
fn online_timeout_chip_refusal_blocked_card_and_remove_timeout() {
    let mut h = with(customer("visa_ok", Entry::Insert, answers()));
    h.input(0, sale(5_000)).unwrap();
    h.run_until(100_000);
    assert_eq!(
        h.done().unwrap(),
        (
            47_500,
            SessionResult::Failed,
            DoneReason::OnlineTimeout,
            None
        )
    );
    assert!(h
        .has(|o| matches!(o, Output::ReversalRequired { .. }))
        .is_some());

    let mut h = with(customer("visa_ok", Entry::Insert, answers()));
    h.input(0, Input::Fault(Fault::ChipRefusesAfterApproval))
        .unwrap();
    h.input(0, sale(5_000)).unwrap();
    h.input(3_000, approve()).unwrap();
    h.run_until(10_000);
    assert_eq!(h.done().unwrap().1, SessionResult::Declined);
    assert_eq!(
        h.has(|o| matches!(
            o,
            Output::ReversalRequired {
                reason: DoneReason::ChipRefused,
                ..
            }
        )),
        Some(3_300)
    );

    let mut h = with(customer("mc_blocked", Entry::Insert, answers()));
    h.input(0, sale(5_000)).unwrap();
    h.run_until(10_000);
    assert_eq!(
        h.done().unwrap(),
        (2_500, SessionResult::Failed, DoneReason::CardBlocked, None)
    );

    let a = Answers {
        remove: RemovePolicy::Never,
        ..answers()
    };
    let mut h = with(customer("visa_ok", Entry::Insert, a));
    h.input(0, sale(5_000)).unwrap();
    h.input(3_000, approve()).unwrap();
    h.run_until(100_000);
    assert_eq!(h.done().unwrap().0, 3_300 + 30_000);
    assert_eq!(h.done().unwrap().1, SessionResult::Approved);
}

#[test]
fn queued_presentation_is_read_at_the_next_begin() {
    let mut h = Harness::new(ReaderConfig::default());
    let p = || Input::Present(Box::new(Presentation::of("mc_ok", Entry::Tap)));
    h.input(0, p()).unwrap();
    assert_eq!(h.input(1, p()), Err(Reject::AlreadyQueued));
    assert!(h.r.queued().is_some());
    h.input(10, sale(1_000)).unwrap();
    assert_eq!(
        h.has(|o| matches!(o, Output::CardDetected { .. })),
        Some(10)
    );
    h.run_until(510);
    assert_eq!(h.card_data().unwrap().1.card_id, "mc_ok");
    assert!(h.r.queued().is_none());
}

#[test]
fn refused_inputs_change_nothing() {
    let mut h = Harness::new(ReaderConfig::default());
    let not = |input, state| Err(Reject::NotInState { input, state });
    assert_eq!(
        h.input(0, approve()),
        not("host_result", SessionState::Idle)
    );
    assert_eq!(h.input(0, Input::Cancel), not("cancel", SessionState::Idle));
    assert_eq!(
        h.input(0, Input::RemoveCard),
        not("remove_card", SessionState::Idle)
    );
    assert_eq!(h.input(0, sale(-1)), Err(Reject::BadAmount));
    let unknown = Input::Present(Box::new(Presentation::of("nobody", Entry::Tap)));
    assert_eq!(
        h.input(0, unknown),
        Err(Reject::UnknownCard("nobody".into()))
    );
    let slow = Fault::Slow {
        state: SessionState::Online,
        delay: Duration(1),
    };
    assert_eq!(h.input(0, Input::Fault(slow)), Err(Reject::BadFault));
    h.input(0, Input::Fault(Fault::Busy)).unwrap();
    assert_eq!(h.input(0, sale(1)), Err(Reject::Busy));
    h.input(0, Input::ClearFault(FaultKind::Busy)).unwrap();
    let only_manual = Input::Begin(Begin {
        txn: "T1".into(),
        kind: TxnKind::Sale,
        amount: eur(1),
        modes: vec![Entry::FallbackSwipe],
        tip: TipMode::None,
    });
    assert_eq!(h.input(0, only_manual), Err(Reject::NoModes));
    h.input(
        0,
        Input::Fault(Fault::Disconnect {
            duration: Some(Duration(1_000)),
        }),
    )
    .unwrap();
    assert_eq!(h.input(10, sale(1)), Err(Reject::Disconnected));
    h.input(1_000, sale(1)).unwrap();
    assert!(h
        .has(|o| *o == Output::FaultCleared(FaultKind::Disconnect))
        .is_some());
    assert_eq!(
        h.input(1_001, sale(1)),
        not("begin", SessionState::WaitingForCard)
    );
    assert_eq!(
        h.input(1_002, Input::RemoveCard),
        not("remove_card", SessionState::WaitingForCard)
    );
    assert!(matches!(
        h.input(5, Input::Cancel),
        Err(Reject::TimeWentBackwards { .. })
    ));
    assert_eq!(h.r.state(), SessionState::WaitingForCard);
    // A tapped card is not in the reader.
    h.input(
        1_003,
        Input::Present(Box::new(Presentation::of("mc_ok", Entry::Tap))),
    )
    .unwrap();
    assert_eq!(
        h.input(1_004, Input::RemoveCard),
        Err(Reject::NoCardInReader)
    );
}

#[test]
fn slow_reading_delays_the_read() {
    let mut h = with(customer("visa_ok", Entry::Tap, answers()));
    let slow = Fault::Slow {
        state: SessionState::Reading,
        delay: Duration(4_000),
    };
    h.input(0, Input::Fault(slow)).unwrap();
    h.input(0, sale(1_000)).unwrap();
    h.run_until(10_000);
    assert_eq!(h.card_data().unwrap().0, 6_500);
}
