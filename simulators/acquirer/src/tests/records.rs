//! Overrides, the card hook, reversals, refunds, expiry, latency, ids and batches.

use payrig_core::{Currency, Decimal, Machine};

use super::*;
use crate::*;

// ---- overrides and the card hook (spec 4.2 steps 1-2) ---------------------------------------

#[test]
fn override_partial_with_times_and_ids() {
    let text = r#"
[acquirer]
profile = "payrig"
[[acquirer.override]]
match = { operation = "authorise", card = "4761730000000011", amount = "150.00" }
outcome = { code = "10", approved = "60.00" }
times = 1
"#;
    let mut h = H::new(AcquirerConfig::from_scenario_toml(text, &[]).unwrap(), 3);
    assert_eq!(h.acq.overrides().next().unwrap().0, "ov-1");
    let r = h.ask(auth(AuthKind::Preauth, usd(15_000), visa(), true));
    assert_eq!(auth_reply(&r).code, ResponseCode::PARTIAL);
    assert_eq!(auth_reply(&r).amount, usd(6000));
    assert_eq!(h.acq.overrides().count(), 0, "times = 1 is spent");
    let r = h.ask(auth(AuthKind::Preauth, usd(15_000), visa(), true));
    assert_eq!(auth_reply(&r).amount, usd(15_000));

    let ov = Override {
        matcher: OverrideMatch {
            operation: Some(OpKind::Capture),
            ..OverrideMatch::default()
        },
        outcome: Outcome::code(ResponseCode::SYSTEM_MALFUNCTION),
        times: None,
        latency: Some(payrig_core::rng::DurationSpec::fixed(5)),
    };
    let id = h.acq.add_override(ov);
    assert_eq!(id, "ov-2");
    let capture = Operation::Capture {
        reference: rrn_of(&r),
        amount: usd(100),
    };
    let sent = h.now;
    let cid = h.send(capture.clone());
    h.advance(10);
    let (t, c) = h.response(cid).unwrap();
    assert_eq!(t.0 - sent.0, 5);
    assert_eq!(record_reply(c).code, ResponseCode::SYSTEM_MALFUNCTION);
    assert_eq!(record_reply(c).moved, Some(usd(0)));
    assert!(h.acq.remove_override("ov-2"));
    assert!(!h.acq.remove_override("ov-2"));
    let c = h.ask(capture);
    assert_eq!(record_reply(&c).moved, Some(usd(100)));
}

struct Balance(i64);

impl CardBehaviour for Balance {
    fn outcome(&mut self, _: &Card, amount: &Amount, _: Option<&str>) -> Option<Outcome> {
        (amount.value > self.0).then(|| {
            Outcome::Answer(Answer {
                grant: Some(Grant::AtMost(Decimal::new(i128::from(self.0), 2))),
                ..Answer::code(ResponseCode::PARTIAL)
            })
        })
    }
}

#[test]
fn card_behaviour_hook_comes_before_the_profile() {
    let mut h = H::builtin("payrig");
    h.acq.set_card_behaviour(Box::new(Balance(4000)));
    // 10_151 would be `51` by the profile; the card's balance answers first.
    let r = h.ask(auth(AuthKind::Sale, usd(10_151), visa(), true));
    assert_eq!(auth_reply(&r).code, ResponseCode::PARTIAL);
    assert_eq!(auth_reply(&r).amount, usd(4000));
    let r = h.ask(auth(AuthKind::Sale, usd(10_151), visa(), false));
    assert_eq!(auth_reply(&r).code, ResponseCode::INSUFFICIENT_FUNDS);
}

#[test]
fn random_faults_are_exact_and_seeded() {
    let mut c = AcquirerConfig::builtin("off").unwrap();
    c.random_decline_rate = Ratio::new(1, 1);
    let mut h = H::new(c.clone(), 9);
    let r = h.ask(auth(AuthKind::Sale, usd(100), visa(), false));
    assert_eq!(auth_reply(&r).code, ResponseCode::DO_NOT_HONOUR);
    c.random_decline_rate = Ratio::ZERO;
    c.no_response_rate = Ratio::new(1, 1);
    let mut h = H::new(c, 9);
    let id = h.send(auth(AuthKind::Sale, usd(100), visa(), false));
    h.advance(10_000);
    assert!(h.response(id).is_none());
}

// ---- reversals, refunds, expiry (spec 4.3) -------------------------------------------------

#[test]
fn reversals_unknown_settled_and_replayed() {
    let mut h = H::builtin("off");
    let unknown = h.ask(Operation::Reverse {
        reference: Ref::Rrn("000000000000".into()),
        amount: None,
        reason: ReversalReason::Cancelled,
    });
    assert_eq!(record_reply(&unknown).code, ResponseCode::NOT_FOUND);
    assert_eq!(record_reply(&unknown).record, None);

    let pre = h.ask(auth(AuthKind::Preauth, usd(5000), visa(), false));
    let reverse = Operation::Reverse {
        reference: rrn_of(&pre),
        amount: Some(usd(2000)),
        reason: ReversalReason::Unused,
    };
    let r1 = h.ask(reverse.clone());
    assert_eq!(record_reply(&r1).moved, Some(usd(2000)));
    let rest = h.ask(Operation::Reverse {
        reference: rrn_of(&pre),
        amount: None,
        reason: ReversalReason::Unused,
    });
    assert_eq!(record_reply(&rest).moved, Some(usd(3000)));
    let before = h.acq.ledger();
    let again = h.ask(reverse);
    assert_eq!(record_reply(&again).code, ResponseCode::APPROVED);
    assert_eq!(record_reply(&again).moved, Some(usd(0)));
    assert_eq!(h.acq.ledger(), before, "SIM-A-02: a replay moves nothing");

    let sale = h.ask(auth(AuthKind::Sale, usd(700), visa(), false));
    h.ask(Operation::CloseBatch {
        terminal: "T1".into(),
        claimed: None,
    });
    let settled = h.ask(Operation::Reverse {
        reference: rrn_of(&sale),
        amount: None,
        reason: ReversalReason::Cancelled,
    });
    assert_eq!(
        record_reply(&settled).code,
        ResponseCode::INVALID_TRANSACTION
    );
}

#[test]
fn captures_replay_and_respect_the_approval() {
    let mut h = H::builtin("off");
    let pre = h.ask(auth(AuthKind::Preauth, usd(5000), visa(), false));
    let too_much = h.ask(Operation::Capture {
        reference: rrn_of(&pre),
        amount: usd(5001),
    });
    assert_eq!(record_reply(&too_much).code, ResponseCode::INVALID_AMOUNT);
    let cap = Operation::Capture {
        reference: rrn_of(&pre),
        amount: usd(4321),
    };
    assert_eq!(record_reply(&h.ask(cap.clone())).moved, Some(usd(4321)));
    let before = h.acq.ledger();
    let replay = h.ask(cap);
    assert_eq!(record_reply(&replay).code, ResponseCode::APPROVED);
    assert_eq!(record_reply(&replay).moved, Some(usd(0)));
    assert_eq!(h.acq.ledger(), before);
    // Refunds stay within what was captured.
    let refund = |amount| Operation::Refund {
        reference: Some(rrn_of(&pre)),
        terminal: "T1".into(),
        amount,
    };
    assert_eq!(
        record_reply(&h.ask(refund(usd(5000)))).code,
        ResponseCode::INVALID_AMOUNT
    );
    let r = h.ask(refund(usd(1000)));
    assert_eq!(
        record_reply(&r).record.as_ref().unwrap().state,
        RecordState::Refunded
    );
    // A void cannot take back what was refunded.
    let void = h.ask(Operation::Reverse {
        reference: rrn_of(&pre),
        amount: None,
        reason: ReversalReason::Cancelled,
    });
    assert_eq!(record_reply(&void).moved, Some(usd(3321)));
    assert!(h.acq.ledger().values().all(Ledger::conserves));
}

#[test]
fn uncaptured_preauths_expire_after_7_days() {
    let mut h = H::builtin("off");
    let pre = h.ask(auth(AuthKind::Preauth, usd(5000), visa(), false));
    h.advance(7 * 24 * 3_600_000 - 120_000);
    assert_eq!(
        h.acq.record(&rrn_of(&pre)).unwrap().state,
        RecordState::Approved
    );
    h.advance(120_000);
    assert_eq!(
        h.acq.record(&rrn_of(&pre)).unwrap().state,
        RecordState::Expired
    );
    let c = h.ask(Operation::Capture {
        reference: rrn_of(&pre),
        amount: usd(1),
    });
    assert_eq!(record_reply(&c).code, ResponseCode::INVALID_TRANSACTION);
    assert_eq!(h.acq.poll_timeout(), None);
}

// ---- latency, ids, batches ------------------------------------------------------------------

#[test]
fn latencies_stay_within_bounds() {
    let mut h = H::builtin("payrig");
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let sent = h.now;
        let id = h.send(auth(AuthKind::Sale, usd(1000), visa(), false));
        h.advance(2000);
        let (t, _) = h.response(id).unwrap();
        let d = t.0 - sent.0;
        assert!((500..=1100).contains(&d), "{d}");
        seen.insert(d);
    }
    assert!(seen.len() > 50, "latencies are sampled, not fixed");
    let sent = h.now;
    let id = h.send(Operation::Inquire {
        reference: Ref::Request(RequestId(1)),
    });
    h.advance(1000);
    let d = h.response(id).unwrap().0 .0 - sent.0;
    assert!((100..=200).contains(&d), "{d}");
}

#[test]
fn stan_and_rrn_formats() {
    let mut h = H::builtin("off");
    let a = h.ask(auth(AuthKind::Sale, usd(100), visa(), false));
    let b = h.ask(auth(AuthKind::Sale, usd(100), visa(), false));
    let mut other = auth(AuthKind::Sale, usd(100), visa(), false);
    if let Operation::Authorise(x) = &mut other {
        x.terminal = "T2".into();
    }
    let c = h.ask(other);
    let (a, b, c) = (auth_reply(&a), auth_reply(&b), auth_reply(&c));
    assert_eq!((a.stan, b.stan, c.stan), (1, 2, 1), "STAN per terminal");
    assert_eq!(a.rrn, "601509000001");
    assert_eq!(b.rrn, "601509000002");
    assert_eq!(c.rrn, "601509000003", "RRN sequence is global");
    let by_stan = h.acq.record(&Ref::Stan {
        terminal: "T1".into(),
        stan: 2,
    });
    assert_eq!(by_stan.unwrap().rrn, b.rrn);
}

#[test]
fn close_batch_totals_and_mismatch() {
    let mut h = H::builtin("off");
    let s1 = h.ask(auth(AuthKind::Sale, usd(1000), visa(), false));
    h.ask(auth(AuthKind::Sale, usd(2500), visa(), false));
    let pre = h.ask(auth(AuthKind::Preauth, usd(9000), visa(), false));
    let open = h.ask(auth(AuthKind::Preauth, usd(4000), visa(), false));
    h.ask(Operation::Capture {
        reference: rrn_of(&pre),
        amount: usd(6000),
    });
    h.ask(Operation::Refund {
        reference: Some(rrn_of(&s1)),
        terminal: "T1".into(),
        amount: usd(400),
    });
    h.ask(Operation::Reverse {
        reference: rrn_of(&open),
        amount: Some(usd(1000)),
        reason: ReversalReason::Unused,
    });
    let expected = BatchTotals {
        unit: Unit::Money(Currency::USD),
        sale_count: 3,
        sale_sum: 9500,
        refund_count: 1,
        refund_sum: 400,
        reversal_count: 1,
        reversal_sum: 1000,
        net: 9100,
    };
    let b = h.ask(Operation::CloseBatch {
        terminal: "T1".into(),
        claimed: Some(vec![expected]),
    });
    let Reply::Batch(b) = b else { panic!() };
    assert_eq!(b.code, ResponseCode::APPROVED);
    assert_eq!(b.batch_number, "000001");
    assert_eq!(b.totals, vec![expected]);
    // The open preauth carries over; a wrong claim answers 95 and the acquirer's totals stand.
    assert_eq!(
        h.acq.record(&rrn_of(&open)).unwrap().state,
        RecordState::Approved
    );
    h.ask(auth(AuthKind::Sale, usd(100), visa(), false));
    let claimed = BatchTotals {
        sale_sum: 999,
        ..expected
    };
    let b = h.ask(Operation::CloseBatch {
        terminal: "T1".into(),
        claimed: Some(vec![claimed]),
    });
    let Reply::Batch(b) = b else { panic!() };
    assert_eq!(b.code, ResponseCode::RECONCILE_ERROR);
    assert_eq!(b.batch_number, "000002");
    assert_eq!(b.totals[0].sale_sum, 100);
    assert_eq!(b.totals[0].net, 100);
}

#[test]
fn reused_request_ids_are_rejected() {
    let mut h = H::builtin("off");
    h.send(auth(AuthKind::Sale, usd(100), visa(), false));
    let again = Input::Request(Request {
        id: RequestId(1),
        op: auth(AuthKind::Sale, usd(100), visa(), false),
    });
    assert_eq!(
        h.acq.handle_input(h.now, again),
        Err(Reject::DuplicateRequest(RequestId(1)))
    );
    assert_eq!(h.acq.records().count(), 1);
}
