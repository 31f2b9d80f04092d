//! ATIONet PFEP rules (ationet spec 7) and the payrig magic amounts (simulators spec 4.2).

use payrig_core::Timestamp;

use super::*;
use crate::*;

// ---- ATIONet PFEP (ationet spec 7) ---------------------------------------------------------

#[test]
fn pfep_default_approves_in_300ms_with_sequential_codes() {
    let mut h = H::builtin("ationet-default");
    let id = h.send(auth(
        AuthKind::Preauth,
        litres(9000),
        fleet("0000000000001"),
        true,
    ));
    h.advance(299);
    assert!(h.response(id).is_none());
    h.advance(1);
    let (t, r) = h.response(id).unwrap();
    assert_eq!(t, Timestamp(T0 + 300));
    let a = auth_reply(r);
    assert_eq!(a.code, ResponseCode::APPROVED);
    assert_eq!(a.text, "Approved");
    assert_eq!(a.auth_code.as_deref(), Some("A00001"));
    assert_eq!(a.amount, litres(9000));
    let r2 = h.ask(auth(AuthKind::Preauth, litres(9000), fleet("7"), true));
    assert_eq!(auth_reply(&r2).auth_code.as_deref(), Some("A00002"));
    // T22/T23: completion approved.
    let c = h.ask(Operation::Capture {
        reference: rrn_of(&r2),
        amount: litres(8500),
    });
    let c = record_reply(&c);
    assert_eq!(c.code, ResponseCode::APPROVED);
    assert_eq!(c.moved, Some(litres(8500)));
    assert_eq!(c.record.as_ref().unwrap().state, RecordState::Captured);
}

#[test]
fn pfep_91_declines() {
    let mut h = H::builtin("ationet-default");
    let r = h.ask(auth(
        AuthKind::Preauth,
        litres(9000),
        fleet("0000000000091"),
        true,
    ));
    let a = auth_reply(&r);
    assert_eq!(a.code, ResponseCode::DO_NOT_HONOUR);
    assert!(!a.approved);
    assert_eq!(a.text, "Declined");
    assert_eq!(a.auth_code.as_deref(), Some("A00001"));
    let v = h.acq.record(&rrn_of(&r)).unwrap();
    assert_eq!(v.state, RecordState::Declined);
}

#[test]
fn pfep_92_grants_at_most_20_units() {
    let mut h = H::builtin("ationet-default");
    let r = h.ask(auth(
        AuthKind::Preauth,
        litres(30_000),
        fleet("0000000000092"),
        true,
    ));
    let a = auth_reply(&r);
    assert_eq!(a.code, ResponseCode::PARTIAL);
    assert!(a.approved);
    assert_eq!(a.amount, litres(20_000));
    // At most what was asked: 9 units are approved in full.
    let r = h.ask(auth(
        AuthKind::Preauth,
        litres(9000),
        fleet("0000000000092"),
        true,
    ));
    assert_eq!(auth_reply(&r).code, ResponseCode::APPROVED);
    assert_eq!(auth_reply(&r).amount, litres(9000));
    // Money presets too (D4 `preset_unit = money`).
    let r = h.ask(auth(
        AuthKind::Preauth,
        usd(5000),
        fleet("0000000000092"),
        true,
    ));
    assert_eq!(auth_reply(&r).amount, usd(2000));
}

#[test]
fn pfep_93_rejects_the_completion() {
    let mut h = H::builtin("ationet-default");
    let r = h.ask(auth(
        AuthKind::Preauth,
        litres(9000),
        fleet("0000000000093"),
        true,
    ));
    assert_eq!(auth_reply(&r).code, ResponseCode::APPROVED);
    let reference = rrn_of(&r);
    let c = h.ask(Operation::Capture {
        reference: reference.clone(),
        amount: litres(9000),
    });
    let c = record_reply(&c);
    assert_eq!(c.code, ResponseCode::DO_NOT_HONOUR);
    assert_eq!(c.text, "Completion rejected");
    assert_eq!(c.moved, Some(litres(0)));
    assert_eq!(c.record.as_ref().unwrap().state, RecordState::Approved);
    let v = h.ask(Operation::Reverse {
        reference,
        amount: None,
        reason: ReversalReason::Error,
    });
    assert_eq!(
        record_reply(&v).record.as_ref().unwrap().state,
        RecordState::Reversed
    );
}

#[test]
fn pfep_94_prompts_for_the_odometer() {
    let mut h = H::builtin("ationet-default");
    let track = fleet("0000000000094");
    let id = h.send(auth(AuthKind::Preauth, litres(9000), track.clone(), true));
    h.advance(300);
    let Some((_, Reply::PromptNeeded { rrn, flags, .. })) = h.response(id) else {
        panic!("{:?}", h.out)
    };
    let expected: Vec<(String, String)> = [
        ("PromptOdometer", "true"),
        ("MinOdometer", "150"),
        ("MaxOdometer", "1000"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(*flags, expected);
    let reference = Ref::Rrn(rrn.clone());
    assert_eq!(
        h.acq.record(&reference).unwrap().state,
        RecordState::Pending
    );
    let answer = |v: &str| Operation::PromptAnswer {
        reference: reference.clone(),
        answers: vec![("Odometer".into(), v.into())],
    };
    // P3: accepted.
    let r = h.ask(answer("152"));
    assert_eq!(auth_reply(&r).code, ResponseCode::APPROVED);
    assert_eq!(auth_reply(&r).auth_code.as_deref(), Some("A00001"));
    assert_eq!(
        h.acq.record(&reference).unwrap().state,
        RecordState::Approved
    );
    // Answering again is not allowed.
    let again = h.ask(answer("152"));
    assert_eq!(record_reply(&again).code, ResponseCode::INVALID_TRANSACTION);
    // P4: out of range, and missing, are refused.
    for bad in [vec![("Odometer".to_string(), "1001".to_string())], vec![]] {
        let id = h.send(auth(AuthKind::Preauth, litres(9000), track.clone(), true));
        h.advance(300);
        let Some((_, Reply::PromptNeeded { rrn, .. })) = h.response(id) else {
            panic!()
        };
        let reference = Ref::Rrn(rrn.clone());
        let r = h.ask(Operation::PromptAnswer {
            reference: reference.clone(),
            answers: bad,
        });
        assert_eq!(auth_reply(&r).code, ResponseCode::DO_NOT_HONOUR);
        assert!(!auth_reply(&r).approved);
        assert_eq!(
            h.acq.record(&reference).unwrap().state,
            RecordState::Declined
        );
    }
}

#[test]
fn pfep_95_never_answers_and_records_lost() {
    let mut h = H::builtin("ationet-default");
    let id = h.send(auth(
        AuthKind::Preauth,
        litres(9000),
        fleet("0000000000095"),
        true,
    ));
    h.advance(3_600_000);
    assert!(h.response(id).is_none());
    assert_eq!(h.acq.poll_timeout(), None);
    let lost = h.acq.record(&Ref::Request(id)).unwrap();
    assert_eq!(lost.state, RecordState::Lost);
    assert_eq!(lost.approved, litres(9000));
    // The host reverses by its own request id (it never saw the RRN).
    let r = h.ask(Operation::Reverse {
        reference: Ref::Request(id),
        amount: None,
        reason: ReversalReason::Timeout,
    });
    assert_eq!(record_reply(&r).moved, Some(litres(9000)));
    assert_eq!(
        h.acq.record(&Ref::Request(id)).unwrap().state,
        RecordState::Reversed
    );
}

// ---- payrig magic amounts (simulators spec 4.2) --------------------------------------------

#[test]
fn every_magic_amount() {
    let table = [
        (104, "04"),
        (105, "05"),
        (112, "12"),
        (114, "14"),
        (141, "41"),
        (143, "43"),
        (151, "51"),
        (154, "54"),
        (155, "55"),
        (157, "57"),
        (161, "61"),
        (162, "62"),
        (175, "75"),
        (191, "91"),
        (196, "96"),
    ];
    let mut h = H::builtin("payrig");
    for (last, code) in table {
        let r = h.ask(auth(AuthKind::Sale, usd(10_000 + last), visa(), true));
        let a = auth_reply(&r);
        assert_eq!(a.code.as_str(), code, "{last}");
        assert!(!a.approved);
        assert_eq!(a.auth_code, None, "random codes are for approvals only");
    }
    // 110: half, only with allow_partial.
    let r = h.ask(auth(AuthKind::Sale, usd(10_110), visa(), true));
    assert_eq!(auth_reply(&r).code, ResponseCode::PARTIAL);
    assert_eq!(auth_reply(&r).amount, usd(5055));
    let r = h.ask(auth(AuthKind::Sale, usd(10_110), visa(), false));
    assert_eq!(auth_reply(&r).code, ResponseCode::INSUFFICIENT_FUNDS);
    // 168: no response.
    let id = h.send(auth(AuthKind::Sale, usd(10_168), visa(), true));
    h.advance(120_000);
    assert!(h.response(id).is_none());
    assert_eq!(
        h.acq.record(&Ref::Request(id)).unwrap().state,
        RecordState::Lost
    );
    // 169: `00` late by 35 s.
    let id = h.send(auth(AuthKind::Sale, usd(10_169), visa(), true));
    let sent = h.now;
    h.advance(34_999);
    assert!(h.response(id).is_none());
    h.advance(1);
    let (t, r) = h.response(id).unwrap();
    assert_eq!(t.0 - sent.0, 35_000);
    assert_eq!(auth_reply(r).code, ResponseCode::APPROVED);
    // Anything else approves, with a 6-char code.
    let r = h.ask(auth(AuthKind::Sale, usd(10_000), visa(), true));
    let code = auth_reply(&r).auth_code.clone().unwrap();
    assert_eq!(code.len(), 6);
    assert!(code
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
}

#[test]
fn off_approves_magic_amounts() {
    let mut h = H::builtin("off");
    let r = h.ask(auth(AuthKind::Sale, usd(10_151), visa(), false));
    assert_eq!(auth_reply(&r).code, ResponseCode::APPROVED);
}

#[test]
fn card_checks_give_14_and_54() {
    let mut h = H::builtin("off");
    let bad = Card::Pan {
        pan: "4761730000000012".into(),
        expiry: None,
    };
    let r = h.ask(auth(AuthKind::Sale, usd(100), bad, false));
    assert_eq!(auth_reply(&r).code, ResponseCode::INVALID_CARD);
    let old = Card::Track2(";4761730000000011=25122011?".into());
    let r = h.ask(auth(AuthKind::Sale, usd(100), old, false));
    assert_eq!(auth_reply(&r).code, ResponseCode::EXPIRED_CARD);
    let r = h.ask(auth(AuthKind::Sale, usd(0), visa(), false));
    assert_eq!(auth_reply(&r).code, ResponseCode::INVALID_AMOUNT);
}
