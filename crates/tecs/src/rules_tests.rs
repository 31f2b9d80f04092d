//! Unit tests of TEC-C-001..011 on hand-built journals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use payrig_core::grading::Verdict;
use payrig_core::journal::{Body, Dir, HttpRecord};

/// 2026-01-15T09:00:00Z.
const T0: u64 = 1_768_467_600_000;
const TERM: &str = "88091105";

#[derive(Default)]
struct J {
    entries: Vec<JournalEntry>,
    req_ids: u64,
}

fn entry(kind: EntryKind, ms: u64) -> JournalEntry {
    JournalEntry {
        seq: 0,
        at: Timestamp(T0 + ms).to_rfc3339_ms(),
        conn: Some("c1".into()),
        dir: Dir::In,
        kind,
        protocol: Some("tecs".into()),
        op: Some("makeTransaction".into()),
        corr: None,
        http: None,
        data: None,
        reply_to: None,
        fault: None,
        requirements: Vec::new(),
    }
}

/// A sale body; `patch` overrides fields.
fn tx(id: &str, amount: &str, patch: Value) -> Value {
    let mut b = json!({"amount": amount, "card_number": "", "currency": "EUR",
        "message_type": "0001", "terminal_number": TERM,
        "transaction_date_time": "20240521190912", "transaction_id": id,
        "transaction_origin_identifier": "1", "transaction_origin_indicator": "0",
        "transaction_source_id": "1"});
    for (k, v) in patch.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

fn cancel_of(id: &str, orig: &str, amount: &str) -> Value {
    tx(
        id,
        amount,
        json!({"message_type": "0013", "transaction_origin_identifier": "2",
               "card_number": txid_short(orig)}),
    )
}

impl J {
    fn push(&mut self, mut e: JournalEntry) -> u64 {
        e.seq = self.entries.len() as u64 + 1;
        self.entries.push(e);
        self.entries.len() as u64
    }

    fn raw_req(&mut self, ms: u64, headers: Vec<(&str, &str)>, body: &str) -> u64 {
        let mut e = entry(EntryKind::HttpRequest, ms);
        e.http = Some(HttpRecord {
            method: Some("POST".into()),
            path: Some("/tecsclientrest-auth/makeTransaction".into()),
            status: None,
            headers: headers
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect(),
            body: Some(Body::from_bytes(body.as_bytes())),
        });
        self.push(e)
    }

    /// A request journaled as the server does: the request, then its `sim` `request` line.
    fn req(&mut self, ms: u64, b: &Value) -> u64 {
        let s = self.raw_req(
            ms,
            vec![
                ("authorization", "Bearer ***"),
                ("content-type", "application/json"),
            ],
            &b.to_string(),
        );
        self.req_ids += 1;
        let mut e = entry(EntryKind::Sim, ms);
        e.dir = Dir::Internal;
        e.op = Some("request".into());
        e.corr = Some(json!({"transaction_id": b["transaction_id"]}));
        e.data = Some(
            json!({"req_id": self.req_ids, "src": format!("tecs/{}", b["terminal_number"].as_str().unwrap())}),
        );
        self.push(e);
        s
    }

    fn resp(&mut self, ms: u64, reply_to: u64, status: u16, code: &str) -> u64 {
        let mut e = entry(EntryKind::HttpResponse, ms);
        e.dir = Dir::Out;
        e.reply_to = Some(reply_to);
        e.http = Some(HttpRecord {
            status: Some(status),
            body: Some(Body::from_bytes(
                json!({"message_type": "0002", "response_code": code, "response_text": "X"})
                    .to_string()
                    .as_bytes(),
            )),
            ..HttpRecord::default()
        });
        self.push(e)
    }

    /// Request answered 200 `0000` after `took` ms.
    fn ok(&mut self, ms: u64, b: &Value, took: u64) -> u64 {
        let r = self.req(ms, b);
        self.resp(ms + took, r, 200, "0000");
        r
    }

    fn fault(&mut self, ms: u64, reply_to: u64) -> u64 {
        let mut e = entry(EntryKind::FaultApplied, ms);
        e.dir = Dir::Out;
        e.reply_to = Some(reply_to);
        e.fault = Some("close_before_response".into());
        self.push(e)
    }

    fn undelivered(&mut self, ms: u64, req_id: u64) -> u64 {
        let mut e = entry(EntryKind::Sim, ms);
        e.dir = Dir::Internal;
        e.op = Some("response_undelivered".into());
        e.data = Some(json!({"req_id": req_id, "src": format!("tecs/{TERM}")}));
        self.push(e)
    }

    fn run(&self, mut rule: Box<dyn ClientRule>, end_ms: u64) -> RuleVerdict {
        for e in &self.entries {
            rule.observe(e);
        }
        rule.verdict(Timestamp(T0 + end_ms))
    }
}

fn cfg() -> RuleConfig {
    RuleConfig::default()
}

fn check(v: &RuleVerdict, verdict: Verdict, evidence: &[u64]) {
    assert_eq!(
        (v.verdict, v.evidence.as_slice()),
        (verdict, evidence),
        "{v:?}"
    );
}

#[test]
fn all_rules_are_the_eleven_in_order() {
    let ids: Vec<&str> = all_rules(&cfg()).iter().map(|r| r.id()).collect();
    assert_eq!(ids.len(), 11);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(*id, format!("TEC-C-{:03}", i + 1));
        assert!(crate::requirements::requirement(id).is_some(), "{id}");
    }
}

#[test]
fn c001_unique_ids() {
    let mut j = J::default();
    let a = j.ok(0, &tx("A1", "100", json!({})), 3000);
    // Identical retry: fine. A refused id (400) is not taken.
    j.ok(5000, &tx("A1", "100", json!({})), 10);
    let bad = j.req(6000, &tx("B1", "1.00", json!({})));
    j.resp(6000, bad, 400, "3001");
    let b = j.ok(7000, &tx("B1", "100", json!({})), 3000);
    check(
        &j.run(Box::new(UniqueTransactionId::default()), 20_000),
        Verdict::Pass,
        &[a, b],
    );

    let again = j.req(30_000, &tx("A1", "999", json!({})));
    let dup = j.resp(30_000, again, 400, "3002");
    let long = j.ok(40_000, &tx("X12345678901234567890", "5", json!({})), 10);
    let v = j.run(Box::new(UniqueTransactionId::default()), 50_000);
    check(&v, Verdict::Fail, &[a, again, dup, long]);
    assert_eq!(
        J::default()
            .run(Box::new(UniqueTransactionId::default()), 0)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c002_cancel_after_a_lost_response() {
    // Fault, then the 0013 for it: pass.
    let mut j = J::default();
    let l = j.req(0, &tx("L1", "1255", json!({})));
    j.fault(3000, l);
    j.req(4000, &tx("AB1", "0", json!({"message_type": "0017"}))); // aborts do not count
    let c = j.ok(5000, &cancel_of("C1", "L1", "1255"), 1000);
    check(
        &j.run(Box::new(CancelsLostResponse::new(&cfg())), 10_000),
        Verdict::Pass,
        &[l, c],
    );

    // Long form naming the terminal also counts.
    let mut j = J::default();
    let l = j.req(0, &tx("L1", "1255", json!({})));
    j.fault(3000, l);
    let long = format!("{}_01_{TERM}", txid_short("L1"));
    let c = j.ok(
        5000,
        &tx(
            "C1",
            "1255",
            json!({"message_type": "0013", "card_number": long}),
        ),
        10,
    );
    check(
        &j.run(Box::new(CancelsLostResponse::new(&cfg())), 10_000),
        Verdict::Pass,
        &[l, c],
    );

    // Fault, then a new sale instead: fail with the offending request.
    let mut j = J::default();
    let l = j.req(0, &tx("L1", "1255", json!({})));
    j.fault(3000, l);
    let n = j.ok(5000, &tx("N1", "500", json!({})), 3000);
    check(
        &j.run(Box::new(CancelsLostResponse::new(&cfg())), 10_000),
        Verdict::Fail,
        &[l, n],
    );

    // 504 after sending, another terminal's traffic does not matter; nothing yet: inconclusive,
    // after 300 s: fail; a late 0013: fail.
    let mut j = J::default();
    let l = j.req(0, &tx("L1", "1255", json!({})));
    j.resp(2000, l, 504, "9001");
    j.ok(
        3000,
        &tx("O1", "100", json!({"terminal_number": "88091106"})),
        10,
    );
    check(
        &j.run(Box::new(CancelsLostResponse::new(&cfg())), 100_000),
        Verdict::Inconclusive,
        &[l],
    );
    check(
        &j.run(Box::new(CancelsLostResponse::new(&cfg())), 303_000),
        Verdict::Fail,
        &[l],
    );
    let c = j.ok(310_000, &cancel_of("C1", "L1", "1255"), 10);
    check(
        &j.run(Box::new(CancelsLostResponse::new(&cfg())), 400_000),
        Verdict::Fail,
        &[l, c],
    );

    // ECR closed the call (no response entry); an identical retry is tolerated, then cancel.
    let mut j = J::default();
    let l = j.req(0, &tx("L1", "1255", json!({})));
    j.undelivered(130_000, 1);
    j.ok(131_000, &tx("L1", "1255", json!({})), 10);
    let c = j.ok(132_000, &cancel_of("C1", "L1", "1255"), 10);
    check(
        &j.run(Box::new(CancelsLostResponse::new(&cfg())), 200_000),
        Verdict::Pass,
        &[l, c],
    );

    // Nothing lost.
    let mut j = J::default();
    j.ok(0, &tx("A1", "100", json!({})), 10);
    assert_eq!(
        j.run(Box::new(CancelsLostResponse::new(&cfg())), 1_000_000)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c003_no_resubmission_under_a_new_id() {
    let mut j = J::default();
    let l = j.req(0, &tx("L1", "1255", json!({})));
    j.fault(3000, l);
    let n = j.ok(5000, &tx("L2", "1255", json!({})), 3000);
    check(
        &j.run(Box::new(NoResubmitUnderNewId::new(&cfg())), 10_000),
        Verdict::Fail,
        &[l, n],
    );

    let mut j = J::default();
    let l = j.req(0, &tx("L1", "1255", json!({})));
    j.fault(3000, l);
    let c = j.ok(5000, &cancel_of("C1", "L1", "1255"), 10);
    j.ok(6000, &tx("L2", "1255", json!({})), 3000);
    check(
        &j.run(Box::new(NoResubmitUnderNewId::new(&cfg())), 10_000),
        Verdict::Pass,
        &[l, c],
    );

    // Another amount is not a resubmission: inconclusive inside the window, pass after.
    let mut j = J::default();
    let l = j.req(0, &tx("L1", "1255", json!({})));
    j.fault(3000, l);
    j.ok(5000, &tx("N1", "500", json!({})), 3000);
    check(
        &j.run(Box::new(NoResubmitUnderNewId::new(&cfg())), 10_000),
        Verdict::Inconclusive,
        &[l],
    );
    check(
        &j.run(Box::new(NoResubmitUnderNewId::new(&cfg())), 400_000),
        Verdict::Pass,
        &[l],
    );
}

#[test]
fn c004_one_outstanding_per_terminal() {
    let mut j = J::default();
    let a = j.ok(0, &tx("A1", "100", json!({})), 3000);
    let b = j.ok(4000, &tx("B1", "100", json!({})), 3000);
    // A 0017 while waiting is allowed.
    let c = j.req(8000, &tx("C1", "100", json!({})));
    j.ok(8500, &tx("AB", "0", json!({"message_type": "0017"})), 10);
    j.resp(9000, c, 200, "2001");
    check(
        &j.run(Box::new(OneOutstandingPerTerminal::default()), 20_000),
        Verdict::Pass,
        &[a, b, c],
    );

    let mut j = J::default();
    let a = j.req(0, &tx("A1", "100", json!({})));
    let b = j.req(500, &tx("B1", "100", json!({})));
    let busy = j.resp(500, b, 400, "3003");
    j.resp(3000, a, 200, "0000");
    check(
        &j.run(Box::new(OneOutstandingPerTerminal::default()), 5000),
        Verdict::Fail,
        &[a, b, busy],
    );

    assert_eq!(
        J::default()
            .run(Box::new(OneOutstandingPerTerminal::default()), 0)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c005_keeps_the_call_open() {
    // Waited 125 s for an answer: pass.
    let mut j = J::default();
    let a = j.req(0, &tx("A1", "100", json!({})));
    let s = j.resp(125_000, a, 200, "0000");
    let v = j.run(Box::new(KeepsCallOpen::new(&cfg())), 200_000);
    check(&v, Verdict::Pass, &[a, s]);
    assert_eq!(v.measured.unwrap()["waited_ms"], 125_000);

    // Gone when the terminal answered after 40 s: fail, measured.
    let mut j = J::default();
    let a = j.req(0, &tx("A1", "100", json!({})));
    let u = j.undelivered(40_000, 1);
    let v = j.run(Box::new(KeepsCallOpen::new(&cfg())), 200_000);
    check(&v, Verdict::Fail, &[a, u]);
    assert_eq!(v.measured.unwrap()["closed_within_ms"], 40_000);

    // Unanswered, and a new request 30 s later: fail.
    let mut j = J::default();
    let a = j.req(0, &tx("A1", "100", json!({})));
    let b = j.ok(30_000, &tx("B1", "100", json!({})), 10);
    check(
        &j.run(Box::new(KeepsCallOpen::new(&cfg())), 200_000),
        Verdict::Fail,
        &[a, b],
    );

    // Unanswered at the end of a short session: inconclusive. Fault-cut calls are not judged.
    let mut j = J::default();
    let a = j.req(0, &tx("A1", "100", json!({})));
    check(
        &j.run(Box::new(KeepsCallOpen::new(&cfg())), 10_000),
        Verdict::Inconclusive,
        &[a],
    );
    let mut j = J::default();
    let f = j.req(0, &tx("A1", "100", json!({})));
    j.fault(1000, f);
    j.ok(2000, &tx("B1", "100", json!({})), 1000);
    assert_eq!(
        j.run(Box::new(KeepsCallOpen::new(&cfg())), 10_000).verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c006_amount_digits() {
    let mut j = J::default();
    let a = j.ok(0, &tx("A1", "1255", json!({})), 10);
    check(
        &j.run(Box::new(AmountDigits::default()), 100),
        Verdict::Pass,
        &[a],
    );
    let b = j.req(100, &tx("B1", "12.55", json!({})));
    let s = j.resp(100, b, 400, "3001");
    j.entries.last_mut().unwrap().http.as_mut().unwrap().body = Some(Body::from_bytes(
        br#"{"response_code":"3001","response_text":"INVALID FIELD AMOUNT"}"#,
    ));
    let c = j.req(200, &tx("C1", "", json!({"amount": 1255})));
    check(
        &j.run(Box::new(AmountDigits::default()), 300),
        Verdict::Fail,
        &[b, s, c],
    );
    assert_eq!(
        J::default()
            .run(Box::new(AmountDigits::default()), 0)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c007_txid_padding_and_long_refunds() {
    let mut j = J::default();
    j.ok(0, &tx("A1", "100", json!({})), 10);
    let c = j.ok(100, &cancel_of("C1", "A1", "100"), 10);
    let long = format!("{}_01_{TERM}", txid_short("A1"));
    let r = j.ok(
        200,
        &tx(
            "R1",
            "50",
            json!({"message_type": "0011", "card_number": long}),
        ),
        10,
    );
    check(
        &j.run(Box::new(TxidPadding::default()), 300),
        Verdict::Pass,
        &[c, r],
    );

    let short = j.ok(
        300,
        &tx(
            "R2",
            "50",
            json!({"message_type": "0011", "card_number": txid_short("A1")}),
        ),
        10,
    );
    let unpadded = j.ok(
        400,
        &tx(
            "C2",
            "100",
            json!({"message_type": "0013", "card_number": "TXIDA1"}),
        ),
        10,
    );
    check(
        &j.run(Box::new(TxidPadding::default()), 500),
        Verdict::Fail,
        &[short, unpadded],
    );
    assert_eq!(
        J::default()
            .run(Box::new(TxidPadding::default()), 0)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c008_references_carry_the_original() {
    let mut j = J::default();
    let o = j.ok(
        0,
        &tx("A1", "100", json!({"transaction_source_id": "1"})),
        10,
    );
    let c = j.ok(100, &tx("C1", "100", json!({"message_type": "0013", "transaction_source_id": "01", "card_number": txid_short("A1")})), 10);
    check(
        &j.run(Box::new(ReferencesCarryOriginal::default()), 300),
        Verdict::Pass,
        &[o, c],
    );

    let bad = j.ok(200, &tx("C2", "100", json!({"message_type": "0013", "transaction_source_id": "2", "card_number": txid_short("A1")})), 10);
    let other_term = j.ok(
        300,
        &tx(
            "R1",
            "50",
            json!({"message_type": "0011", "terminal_number": "88091106",
                             "card_number": format!("{}_01_{TERM}", txid_short("A1"))}),
        ),
        10,
    );
    check(
        &j.run(Box::new(ReferencesCarryOriginal::default()), 400),
        Verdict::Fail,
        &[o, bad, other_term],
    );

    let mut j = J::default();
    j.ok(0, &cancel_of("C1", "UNSEEN", "100"), 10);
    assert_eq!(
        j.run(Box::new(ReferencesCarryOriginal::default()), 100)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c009_preauth_and_capture() {
    let capture = |id: &str, of: &str, amount: &str| {
        tx(
            id,
            amount,
            json!({"message_type": "0013", "transaction_origin_identifier": "4",
                              "card_number": txid_short(of)}),
        )
    };
    let mut j = J::default();
    let p = j.ok(
        0,
        &tx("P1", "5000", json!({"transaction_origin_identifier": "5"})),
        10,
    );
    let c = j.ok(100, &capture("K1", "P1", "4200"), 10);
    check(
        &j.run(Box::new(PreauthAndCapture::default()), 200),
        Verdict::Pass,
        &[p, c],
    );

    let over = j.req(200, &capture("K2", "P1", "6000"));
    let refused = j.resp(200, over, 200, "1203");
    let s = j.ok(300, &tx("S1", "5000", json!({})), 10);
    let cs = j.ok(400, &capture("K3", "S1", "100"), 10);
    check(
        &j.run(Box::new(PreauthAndCapture::default()), 500),
        Verdict::Fail,
        &[p, over, refused, s, cs],
    );

    let mut j = J::default();
    j.ok(
        0,
        &tx("P1", "5000", json!({"transaction_origin_identifier": "5"})),
        10,
    );
    let v = j.run(Box::new(PreauthAndCapture::default()), 100);
    assert_eq!(v.verdict, Verdict::NotApplicable);
    assert!(v.note.contains("no capture"), "{}", v.note);
}

#[test]
fn c010_headers_and_date_time() {
    let mut j = J::default();
    let a = j.ok(0, &tx("A1", "100", json!({})), 10);
    check(
        &j.run(Box::new(HeadersAndDateTime::default()), 100),
        Verdict::Pass,
        &[a],
    );
    let body = tx("B1", "100", json!({})).to_string();
    let no_auth = j.raw_req(100, vec![("content-type", "application/json")], &body);
    let form = j.raw_req(
        200,
        vec![("authorization", "***"), ("content-type", "text/plain")],
        &body,
    );
    let date = j.ok(
        300,
        &tx("C1", "100", json!({"transaction_date_time": "2024-05-21"})),
        10,
    );
    let v = j.run(Box::new(HeadersAndDateTime::default()), 400);
    check(&v, Verdict::Fail, &[no_auth, form, date]);
    assert_eq!(
        J::default()
            .run(Box::new(HeadersAndDateTime::default()), 0)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c011_no_identical_resend_after_400() {
    let mut j = J::default();
    let a = j.req(0, &tx("A1", "12.55", json!({})));
    let s = j.resp(0, a, 400, "3001");
    j.ok(100, &tx("A1", "1255", json!({})), 10);
    // A 3003 may be retried unchanged.
    let b = j.req(200, &tx("B1", "100", json!({})));
    j.resp(200, b, 400, "3003");
    j.ok(300, &tx("B1", "100", json!({})), 10);
    check(
        &j.run(Box::new(NoIdenticalResendAfter400::default()), 400),
        Verdict::Pass,
        &[a, s],
    );

    let again = j.req(500, &tx("A1", "12.55", json!({})));
    j.resp(500, again, 400, "3001");
    let v = j.run(Box::new(NoIdenticalResendAfter400::default()), 600);
    assert_eq!(v.verdict, Verdict::Fail);
    assert_eq!(&v.evidence[..3], &[a, s, again]);
    assert_eq!(
        J::default()
            .run(Box::new(NoIdenticalResendAfter400::default()), 0)
            .verdict,
        Verdict::NotApplicable
    );
}
