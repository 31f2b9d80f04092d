//! Unit tests of the terminal machine: every message type, every code it produces, busy,
//! idempotency, reachability, timers and undelivered responses.

use super::*;
use crate::domain::tests::body;
use crate::messages::*;
use crate::record::RecordKind;
use crate::wire::decode_request;
use payrig_core::{Currency, Duration, Money};

/// 2024-05-21T19:09:12Z, the spec sample's `transaction_date_time`.
pub(crate) const T0: Timestamp = Timestamp(1_716_318_552_000);
pub(crate) const TERMINAL: &str = "88091105";

pub(crate) fn visa(tip_minor: u64) -> CardData {
    CardData {
        pan: "4111111111111111".into(),
        expiry: "2712".into(),
        brand: "VISA".into(),
        svc: "201".into(),
        entry: Entry::Insert,
        cvm: Cvm::OnlinePin,
        pin: Some("1234".into()),
        aid: "A0000000031010".into(),
        cryptogram: "8F3A1C2B".into(),
        tip_minor,
    }
}

pub(crate) fn answer(id: u64, code: &str, stan: &str) -> AcquirerAnswer {
    AcquirerAnswer {
        id,
        code: code.into(),
        approved_minor: None,
        auth_code: if code == "00" {
            "K7Q2M9".into()
        } else {
            String::new()
        },
        stan: stan.into(),
        rrn: format!("RRN{stan}"),
    }
}

pub(crate) struct Run {
    pub(crate) t: Terminal,
    pub(crate) now: Timestamp,
    next_req: u64,
}

impl Run {
    pub(crate) fn new() -> Run {
        Run::with(TerminalConfig::new(TERMINAL))
    }

    pub(crate) fn with(config: TerminalConfig) -> Run {
        Run {
            t: Terminal::new(config),
            now: T0,
            next_req: 0,
        }
    }

    pub(crate) fn drain(&mut self) -> Vec<Output> {
        std::iter::from_fn(|| self.t.poll_output()).collect()
    }

    pub(crate) fn input(&mut self, input: Input) -> Vec<Output> {
        self.t.handle_input(self.now, input).unwrap();
        self.drain()
    }

    /// Sends the spec's sale request with `changes`; the req id and outputs, or the reject.
    pub(crate) fn send(
        &mut self,
        changes: &[(&str, Option<&str>)],
    ) -> Result<(u64, Vec<Output>), Reject> {
        let request = decode_request(&body(changes)).unwrap();
        self.send_request(request)
    }

    pub(crate) fn send_request(&mut self, request: Request) -> Result<(u64, Vec<Output>), Reject> {
        self.next_req += 1;
        let req_id = self.next_req;
        let input = Input::Request {
            req_id,
            request: Box::new(request),
        };
        match self.t.handle_input(self.now, input) {
            Ok(()) => Ok((req_id, self.drain())),
            Err(r) => {
                assert!(self.drain().is_empty(), "a reject produces no output");
                Err(r)
            }
        }
    }

    pub(crate) fn card(&mut self, card: CardData) -> Vec<Output> {
        self.input(Input::Reader(ReaderEvent::CardRead(card)))
    }

    pub(crate) fn acquire(&mut self, code: &str, stan: &str) -> Vec<Output> {
        let id = self.pending_id();
        self.input(Input::Acquirer(answer(id, code, stan)))
    }

    pub(crate) fn pending_id(&self) -> u64 {
        match &self.t.state {
            State::Authorizing { pending, .. } => *pending,
            s => panic!("not authorizing: {s:?}"),
        }
    }

    pub(crate) fn fire(&mut self) -> Vec<Output> {
        self.now = self.t.poll_timeout().expect("a deadline");
        self.input(Input::Timeout)
    }

    pub(crate) fn written(&mut self, req_id: u64) -> Vec<Output> {
        self.input(Input::ResponseWritten { req_id })
    }

    /// A full reader transaction: request, card, acquirer answer, write. The response.
    pub(crate) fn card_tx(
        &mut self,
        changes: &[(&str, Option<&str>)],
        card: CardData,
        code: &str,
        stan: &str,
    ) -> TransactionResponse {
        let (req_id, _) = self.send(changes).unwrap();
        self.card(card);
        let out = self.acquire(code, stan);
        self.written(req_id);
        assert_eq!(self.t.state(), TerminalState::Idle);
        respond(&out, req_id).1
    }

    /// A full request needing no card: request, acquirer answer, write. The response.
    pub(crate) fn host_tx(
        &mut self,
        changes: &[(&str, Option<&str>)],
        code: &str,
        stan: &str,
    ) -> TransactionResponse {
        let (req_id, out) = self.send(changes).unwrap();
        let out = if self.t.state() == TerminalState::Authorizing {
            self.acquire(code, stan)
        } else {
            out
        };
        self.written(req_id);
        assert_eq!(self.t.state(), TerminalState::Idle);
        respond(&out, req_id).1
    }
}

/// The `Respond` for `req_id` among `out`.
pub(crate) fn respond(out: &[Output], req_id: u64) -> (u16, TransactionResponse) {
    out.iter()
        .find_map(|o| match o {
            Output::Respond {
                req_id: r,
                status,
                response,
            } if *r == req_id => Some((*status, (**response).clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no response for {req_id} in {out:#?}"))
}

pub(crate) fn to_acquirer(out: &[Output]) -> Vec<&AcquirerRequest> {
    out.iter()
        .filter_map(|o| match o {
            Output::ToAcquirer(a) => Some(a),
            _ => None,
        })
        .collect()
}

pub(crate) fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

pub(crate) const TXID_SALE: &str = "TXID00020240521190912161";

#[test]
fn sale_runs_t1_t3_t6_t8_and_reproduces_the_spec_response() {
    let mut r = Run::new();
    let (req, out) = r.send(&[]).unwrap();
    assert!(out.contains(&Output::ToReader(ReaderCommand::Begin {
        kind: ReaderKind::Sale,
        amount: eur(1255),
        tip: false
    })));
    assert_eq!(r.t.state(), TerminalState::AwaitingCard);
    assert_eq!(r.t.poll_timeout(), Some(T0 + Duration::from_secs(60)));
    let rec = r.t.record("20240521190912161").unwrap();
    assert_eq!(rec.status, RecordStatus::Pending);

    let out = r.card(visa(0));
    assert_eq!(
        to_acquirer(&out),
        [&AcquirerRequest::Authorise {
            id: 1,
            kind: AuthKind::Sale,
            amount: eur(1255),
            card: AcquirerCard::Pan {
                pan: "4111111111111111".into(),
                expiry: "2712".into()
            },
            entry: Entry::Insert,
            pin: Some("1234".into()),
            cvc2: None,
        }]
    );
    assert_eq!(r.t.state(), TerminalState::Authorizing);
    assert_eq!(r.t.poll_timeout(), Some(T0 + Duration::from_secs(30)));

    r.now = Timestamp(1_716_318_571_000); // 19:09:31
    let out = r.acquire("00", "000042");
    let (status, resp) = respond(&out, req);
    assert_eq!(status, 200);
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/tecs/sale.response.json"
    );
    let expected = std::fs::read_to_string(fixture).unwrap();
    assert_eq!(
        String::from_utf8(resp.encode()).unwrap(),
        expected.trim_end()
    );
    assert_eq!(r.t.state(), TerminalState::Done);
    assert_eq!(r.t.poll_timeout(), None);

    r.written(req);
    assert_eq!(r.t.state(), TerminalState::Idle);
    let rec = r.t.record("20240521190912161").unwrap();
    assert_eq!(rec.status, RecordStatus::Approved);
    assert_eq!(rec.approved_amount, eur(1255));
    assert!(rec.card_read && !rec.response_undelivered);
}

#[test]
fn preauth_by_origin_5() {
    // TEC-S-007
    let mut r = Run::new();
    let (_, out) = r
        .send(&[("transaction_origin_identifier", Some("5"))])
        .unwrap();
    assert!(out.iter().any(|o| matches!(
        o,
        Output::ToReader(ReaderCommand::Begin {
            kind: ReaderKind::Preauth,
            ..
        })
    )));
    let out = r.card(visa(0));
    assert!(matches!(
        to_acquirer(&out)[..],
        [AcquirerRequest::Authorise {
            kind: AuthKind::Preauth,
            ..
        }]
    ));
    let resp = respond(&r.acquire("00", "000001"), 1).1;
    assert_eq!(resp.transaction_type, "02");
    assert_eq!(
        r.t.record("20240521190912161").unwrap().kind,
        RecordKind::Preauth
    );
}

#[test]
fn moto_by_indicator_2_skips_the_reader() {
    // TEC-S-008, T2
    let mut r = Run::new();
    let moto = [
        ("transaction_origin_identifier", Some("2")),
        ("transaction_origin_indicator", Some("2")),
        ("card_number", Some("5555555555554444_2612")),
        ("cvc2", Some("123")),
    ];
    let (req, out) = r.send(&moto).unwrap();
    assert!(!out.iter().any(|o| matches!(o, Output::ToReader(_))));
    assert_eq!(r.t.state(), TerminalState::Authorizing);
    assert!(matches!(
        to_acquirer(&out)[..],
        [AcquirerRequest::Authorise { entry: Entry::Manual, pin: None, cvc2: Some(c), .. }] if c == "123"
    ));
    let resp = respond(&r.acquire("00", "000002"), req).1;
    assert_eq!(resp.response_code, "0000");
    assert_eq!(resp.transaction_type, "01");
    assert_eq!(resp.card_number, "555555******4444_2612"); // TEC-S-020, D17
    assert_eq!(
        resp.credit_card_issuer_and_acquirer_company,
        "PAYRIG ACQ;MASTERCARD"
    );
    assert_eq!(resp.receipt_footer, "");
    let rec = r.t.record("20240521190912161").unwrap();
    assert_eq!((rec.kind, rec.card_read), (RecordKind::MotoSale, false));

    // Unmasked when D17's switch is off; REF card references go to the acquirer as they are.
    let mut config = TerminalConfig::new(TERMINAL);
    config.mask_pan = false;
    let mut r = Run::with(config);
    let resp = r.host_tx(&moto, "00", "1");
    assert_eq!(resp.card_number, "5555555555554444_2612");
    let (_, out) = r
        .send(&[
            ("transaction_id", Some("m2")),
            ("transaction_origin_indicator", Some("2")),
            ("card_number", Some("REF42")),
        ])
        .unwrap();
    assert!(matches!(
        to_acquirer(&out)[..],
        [AcquirerRequest::Authorise { card: AcquirerCard::Reference(c), .. }] if c == "REF42"
    ));
}

#[test]
fn sale_tip_0907_approves_amount_plus_tip() {
    // TEC-S-009, D12
    let mut r = Run::new();
    let (req, out) = r.send(&[("message_type", Some("0907"))]).unwrap();
    assert!(out.contains(&Output::ToReader(ReaderCommand::Begin {
        kind: ReaderKind::SaleTip,
        amount: eur(1255),
        tip: true
    })));
    let out = r.card(visa(200));
    assert!(matches!(
        to_acquirer(&out)[..],
        [AcquirerRequest::Authorise { amount, .. }] if amount.minor == 1455
    ));
    let resp = respond(&r.acquire("00", "000003"), req).1;
    assert_eq!(resp.transaction_type, "06");
    assert_eq!(
        resp.receipt_footer,
        "PIN VERIFIED AID:A0000000031010 AC:8F3A1C2B TIP:2.00 TOTAL:14.55"
    );
    let rec = r.t.record("20240521190912161").unwrap();
    assert_eq!((rec.tip_amount, rec.approved_amount), (eur(200), eur(1455)));
}

#[test]
fn card_present_refund_0011() {
    // TEC-S-010
    let mut r = Run::new();
    let (_, out) = r.send(&[("message_type", Some("0011"))]).unwrap();
    assert!(out.iter().any(|o| matches!(
        o,
        Output::ToReader(ReaderCommand::Begin {
            kind: ReaderKind::Refund,
            ..
        })
    )));
    let out = r.card(visa(0));
    assert!(matches!(
        to_acquirer(&out)[..],
        [AcquirerRequest::Authorise {
            kind: AuthKind::Refund,
            ..
        }]
    ));
    let resp = respond(&r.acquire("00", "000004"), 1).1;
    assert_eq!(
        (resp.response_code.as_str(), resp.transaction_type.as_str()),
        ("0000", "05")
    );
}

#[test]
fn abort_0017_in_awaiting_card_and_otherwise() {
    // TEC-S-015, T4, T12, D13
    let abort = |id: &'static str| {
        vec![
            ("message_type", Some("0017")),
            ("transaction_id", Some(id)),
            ("amount", Some("0")),
        ]
    };
    let mut r = Run::new();
    let resp = respond(&r.send(&abort("a0")).unwrap().1, 1).1;
    assert_eq!(
        (resp.response_code.as_str(), resp.transaction_type.as_str()),
        ("2004", "17")
    );
    assert_eq!(r.t.state(), TerminalState::Idle);

    let (sale, _) = r.send(&[]).unwrap();
    let (a, out) = r.send(&abort("a1")).unwrap();
    assert!(out.contains(&Output::ToReader(ReaderCommand::Cancel)));
    assert_eq!(respond(&out, sale).1.response_code, "2001");
    let resp = respond(&out, a).1;
    assert_eq!(
        (resp.response_code.as_str(), resp.transaction_type.as_str()),
        ("0000", "17")
    );
    assert_eq!(r.t.state(), TerminalState::Done);
    r.written(sale);
    assert_eq!(
        r.t.record("20240521190912161").unwrap().status,
        RecordStatus::Aborted
    );
    // 0017 ids are not stored: the same id again is not a duplicate.
    assert!(r.t.record("a1").is_none());
    let (a, out) = r.send(&abort("a1")).unwrap();
    assert_eq!(respond(&out, a).1.response_code, "2004");

    // In authorizing: 2004 and the flow goes on.
    r.send(&[("transaction_id", Some("s2"))]).unwrap();
    r.card(visa(0));
    let (a, out) = r.send(&abort("a2")).unwrap();
    assert_eq!(respond(&out, a).1.response_code, "2004");
    assert_eq!(r.t.state(), TerminalState::Authorizing);
}

#[test]
fn busy_terminal_refuses_with_3003_and_consumes_no_id() {
    // TEC-S-016, T11, D6
    let mut r = Run::new();
    let (sale, _) = r.send(&[]).unwrap();
    let other = [("transaction_id", Some("20240521190915001"))];
    let e = r.send(&other).unwrap_err();
    assert_eq!((e.code, e.status()), (ResponseCode::TerminalBusy, 400));
    assert_eq!(e.response.response_code, "3003");
    assert_eq!(e.response.response_text, "TERMINAL BUSY");
    assert_eq!(e.response.transaction_id, "20240521190915001");
    assert!(r.t.record("20240521190915001").is_none());
    r.card(visa(0));
    assert_eq!(r.send(&other).unwrap_err().code, ResponseCode::TerminalBusy);
    r.acquire("00", "1");
    // Still busy in done, until the write.
    assert_eq!(r.send(&other).unwrap_err().code, ResponseCode::TerminalBusy);
    r.written(sale);
    let resp = r.card_tx(&other, visa(0), "00", "2");
    assert_eq!(resp.response_code, "0000");
}

#[test]
fn identical_retry_replays_and_other_content_is_3002() {
    // TEC-S-017, D7
    let mut r = Run::new();
    let first = r.card_tx(&[], visa(0), "00", "000042");
    // Member order and absent-versus-empty do not matter.
    let (req, out) = r.send(&[("ecr_data", Some(""))]).unwrap();
    assert!(to_acquirer(&out).is_empty());
    let (status, replay) = respond(&out, req);
    assert_eq!(status, 200);
    assert_eq!(replay.encode(), first.encode());
    assert_eq!(r.t.state(), TerminalState::Idle);
    let e = r.send(&[("amount", Some("1256"))]).unwrap_err();
    assert_eq!((e.code.code(), e.status()), ("3002", 400));
    assert_eq!(e.response.response_text, "DUPLICATE TRANSACTION ID");

    // A retry while the original runs waits for the same outcome: one authorisation.
    let mut r = Run::new();
    let (a, _) = r.send(&[]).unwrap();
    let (b, out) = r.send(&[]).unwrap();
    assert!(out.is_empty());
    r.card(visa(0));
    let out = r.acquire("00", "7");
    assert_eq!(respond(&out, a).1, respond(&out, b).1);
    assert_eq!(r.t.state(), TerminalState::Done);
    r.written(b); // the retry's write does not end `done`
    assert_eq!(r.t.state(), TerminalState::Done);
    r.written(a);
    assert_eq!(r.t.state(), TerminalState::Idle);
}

#[test]
fn unreachable_terminal_gives_504_9001() {
    // TEC-S-006, T13, TEC-S-018
    let mut r = Run::new();
    r.input(Input::SetReachable(false));
    let e = r.send(&[]).unwrap_err();
    assert_eq!((e.code.code(), e.status()), ("9001", 504));
    assert_eq!(e.response.response_text, "TERMINAL NOT REACHABLE");
    assert!(r.t.records().next().is_none());
    r.input(Input::SetReachable(true));

    let (req, _) = r.send(&[]).unwrap();
    r.card(visa(0));
    let out = r.input(Input::SetReachable(false));
    assert_eq!(respond(&out, req).0, 504);
    assert_eq!(r.t.state(), TerminalState::Authorizing);
    let out = r.acquire("00", "1");
    assert!(!out.iter().any(|o| matches!(o, Output::Respond { .. })));
    assert_eq!(r.t.state(), TerminalState::Idle);
    let rec = r.t.record("20240521190912161").unwrap();
    assert_eq!(rec.status, RecordStatus::Approved);
    assert!(rec.response_undelivered);
}

#[test]
fn timers_card_wait_2002_and_host_timeout_1091_with_reversal() {
    // TEC-S-019, T5, T7
    let mut r = Run::new();
    let (req, _) = r.send(&[]).unwrap();
    let out = r.fire();
    assert_eq!(r.now, T0 + Duration::from_secs(60));
    assert!(out.contains(&Output::TimerFired(Timer::CardWait)));
    assert!(out.contains(&Output::ToReader(ReaderCommand::Cancel)));
    assert_eq!(respond(&out, req).1.response_code, "2002");
    r.written(req);
    assert_eq!(
        r.t.record("20240521190912161").unwrap().status,
        RecordStatus::Aborted
    );

    let mut config = TerminalConfig::new(TERMINAL);
    config.host_timeout = Duration::from_secs(5);
    let mut r = Run::with(config);
    let (req, _) = r.send(&[]).unwrap();
    r.card(visa(0));
    let pending = r.pending_id();
    let out = r.fire();
    assert_eq!(r.now, T0 + Duration::from_secs(5));
    assert!(to_acquirer(&out).iter().any(|a| matches!(
        a,
        AcquirerRequest::Reverse { reason: ReversalReason::Timeout, original, .. }
            if original.request_id == pending
    )));
    let resp = respond(&out, req).1;
    assert_eq!(
        (resp.response_code.as_str(), resp.response_text.as_str()),
        ("1091", "ISSUER UNAVAILABLE")
    );
    // A late answer is ignored.
    let out = r.input(Input::Acquirer(answer(pending, "00", "1")));
    assert!(matches!(out[..], [Output::Ignored { .. }]));
    assert_eq!(
        r.t.record("20240521190912161").unwrap().status,
        RecordStatus::Declined
    );
}

#[test]
fn reader_outcomes_and_issuer_declines() {
    let mut r = Run::new();
    let (req, _) = r.send(&[]).unwrap();
    let out = r.input(Input::Reader(ReaderEvent::CustomerCancel));
    assert_eq!(respond(&out, req).1.response_code, "2001");
    r.written(req);
    let (req, _) = r.send(&[("transaction_id", Some("t2"))]).unwrap();
    let out = r.input(Input::Reader(ReaderEvent::ReadFailure));
    assert_eq!(respond(&out, req).1.response_code, "2003");
    r.written(req);
    for (i, (iso, tecs, text)) in [
        ("05", "1005", "DECLINED"),
        ("51", "1051", "INSUFFICIENT FUNDS"),
        ("54", "1054", "EXPIRED CARD"),
        ("55", "1055", "INCORRECT PIN"),
        ("91", "1091", "ISSUER UNAVAILABLE"),
        ("96", "1091", "ISSUER UNAVAILABLE"),
        ("14", "1005", "DECLINED"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("d{i}");
        let resp = r.card_tx(&[("transaction_id", Some(&id))], visa(0), iso, "9");
        assert_eq!(
            (resp.response_code.as_str(), resp.response_text.as_str()),
            (tecs, text)
        );
        assert_eq!(resp.authorization_number, "");
        assert_eq!(r.t.record(&id).unwrap().status, RecordStatus::Declined);
    }
}

#[test]
fn undelivered_response_is_flagged_t9() {
    // TEC-S-018
    let mut r = Run::new();
    let (req, _) = r.send(&[]).unwrap();
    r.card(visa(0));
    r.acquire("00", "1");
    let out = r.input(Input::ResponseUndelivered { req_id: req });
    assert!(out.contains(&Output::RecordChanged {
        transaction_id: "20240521190912161".into(),
        status: RecordStatus::Approved
    }));
    assert_eq!(r.t.state(), TerminalState::Idle);
    assert!(
        r.t.record("20240521190912161")
            .unwrap()
            .response_undelivered
    );
}

#[test]
fn other_terminal_is_3004_and_stray_events_are_ignored() {
    let mut r = Run::new();
    let e = r
        .send(&[("terminal_number", Some("11460019"))])
        .unwrap_err();
    assert_eq!(e.code, ResponseCode::UnknownTerminal);
    let out = r.input(Input::Reader(ReaderEvent::CustomerCancel));
    assert!(matches!(
        out[..],
        [Output::Ignored {
            state: TerminalState::Idle,
            ..
        }]
    ));
    let out = r.input(Input::Timeout);
    assert!(matches!(out[..], [Output::Ignored { .. }]));
}

#[test]
fn retention_drops_old_records() {
    let mut r = Run::new();
    r.card_tx(&[], visa(0), "00", "1");
    r.now = r.now + Duration::from_secs(31 * 24 * 3600);
    // The same id is fresh again once the record is gone.
    let (_, out) = r.send(&[("amount", Some("1"))]).unwrap();
    assert!(out.iter().any(|o| matches!(o, Output::ToReader(_))));
}

#[test]
fn retention_is_exact_although_purge_scans_are_skipped() {
    let keep = Duration::from_secs(30 * 24 * 3600);
    let mut r = Run::new();
    r.card_tx(&[("transaction_id", Some("1"))], visa(0), "00", "1");
    let first_done = r.now;
    // A second record ten days later; the request in between scans nothing.
    r.now = r.now + Duration::from_secs(10 * 24 * 3600);
    r.card_tx(&[("transaction_id", Some("2"))], visa(0), "00", "2");
    assert!(r.t.record("1").is_some() && r.t.record("2").is_some());
    // One millisecond before the first record's expiry it is kept...
    r.now = first_done + Duration(keep.0 - 1);
    r.card_tx(&[("transaction_id", Some("3"))], visa(0), "00", "3");
    assert!(r.t.record("1").is_some());
    // ...and at its expiry it goes, while the younger ones stay.
    r.now = first_done + keep;
    r.card_tx(&[("transaction_id", Some("4"))], visa(0), "00", "4");
    assert!(r.t.record("1").is_none());
    assert!(r.t.record("2").is_some() && r.t.record("3").is_some());
}
