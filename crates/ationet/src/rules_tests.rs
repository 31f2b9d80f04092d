//! Unit tests of ATN-C-001..009 on hand-built journals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use payrig_core::grading::Verdict;
use payrig_core::journal::{Body, Dir, HttpRecord};

/// 2026-01-15T09:00:00Z.
const T0: u64 = 1_768_467_600_000;
const AUTH: Option<&str> = Some("Bearer ***");

#[derive(Default)]
struct J {
    entries: Vec<JournalEntry>,
}

fn entry(kind: EntryKind, ms: u64) -> JournalEntry {
    JournalEntry {
        seq: 0,
        at: Timestamp(T0 + ms).to_rfc3339_ms(),
        conn: Some("c1".into()),
        dir: Dir::In,
        kind,
        protocol: Some("ationet".into()),
        op: None,
        corr: None,
        http: None,
        data: None,
        reply_to: None,
        fault: None,
        requirements: Vec::new(),
    }
}

fn body(key: &str, amount: &str, pump: u8) -> String {
    format!(
        r#"{{"siteCode":"1524","pumpNumber":{pump},"fuelCode":"3","amount":{amount},"primaryTrack":"0000000000001","terminalCode":"S2G321","mobilePaymentMode":1,"potencyKeyId":"{key}"}}"#
    )
}

impl J {
    fn push(&mut self, mut e: JournalEntry) -> u64 {
        e.seq = self.entries.len() as u64 + 1;
        self.entries.push(e);
        self.entries.len() as u64
    }

    fn req(&mut self, ms: u64, op: &str, path: &str, auth: Option<&str>, b: Option<&str>) -> u64 {
        let mut e = entry(EntryKind::HttpRequest, ms);
        e.op = Some(op.into());
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        if let Some(a) = auth {
            headers.push(("authorization".into(), a.into()));
        }
        e.http = Some(HttpRecord {
            method: Some(
                if op == "GetTransaction" {
                    "GET"
                } else {
                    "POST"
                }
                .into(),
            ),
            path: Some(path.into()),
            status: None,
            headers,
            body: b.map(|b| Body::from_bytes(b.as_bytes())),
        });
        self.push(e)
    }

    fn resp(&mut self, ms: u64, reply_to: u64, status: u16, b: &str, tx: Option<&str>) -> u64 {
        let mut e = entry(EntryKind::HttpResponse, ms);
        e.dir = Dir::Out;
        e.reply_to = Some(reply_to);
        e.corr = tx.map(|t| json!({"transaction_id": t}));
        e.http = Some(HttpRecord {
            status: Some(status),
            body: Some(Body::from_bytes(b.as_bytes())),
            ..HttpRecord::default()
        });
        self.push(e)
    }

    fn state(&mut self, ms: u64, tx: &str, to: u8) -> u64 {
        let mut e = entry(EntryKind::Sim, ms);
        e.dir = Dir::Internal;
        e.op = Some("state".into());
        e.corr = Some(json!({"transaction_id": tx}));
        e.data = Some(json!({"to": to, "src": "ationet"}));
        self.push(e)
    }

    fn fault(&mut self, ms: u64, reply_to: u64, kind: &str) -> u64 {
        let mut e = entry(EntryKind::FaultApplied, ms);
        e.reply_to = Some(reply_to);
        e.fault = Some(kind.into());
        self.push(e)
    }

    /// A create answered 200, with its state line 1; returns (request, response).
    fn create(&mut self, ms: u64, key: &str, amount: &str, pump: u8) -> (u64, u64) {
        let r = self.req(
            ms,
            "MobilePayments",
            "/api/MobilePayments",
            AUTH,
            Some(&body(key, amount, pump)),
        );
        self.state(ms, key, 1);
        let s = self.resp(
            ms,
            r,
            200,
            &format!(r#"{{"transactionId":"{key}"}}"#),
            Some(key),
        );
        (r, s)
    }

    fn create_raw(&mut self, ms: u64, b: &str) -> u64 {
        self.req(ms, "MobilePayments", "/api/MobilePayments", AUTH, Some(b))
    }

    fn poll(&mut self, ms: u64, id: &str, state: u8) -> (u64, u64) {
        let r = self.req(
            ms,
            "GetTransaction",
            &format!("/api/MobilePayments/GetTransaction/{id}"),
            AUTH,
            None,
        );
        let s = self.resp(
            ms,
            r,
            200,
            &format!(r#"{{"id":"{id}","state_Id":{state}}}"#),
            Some(id),
        );
        (r, s)
    }

    fn cancel(&mut self, ms: u64, id: &str, ok: bool) -> (u64, u64) {
        let r = self.req(
            ms,
            "Cancel",
            "/api/MobilePayments/Cancel",
            AUTH,
            Some(&format!(r#"{{"transactionId":"{id}"}}"#)),
        );
        let s = self.resp(
            ms,
            r,
            200,
            &format!(r#"{{"transactionId":"{id}","isSuccessCanceled":{ok},"responseCode":"x"}}"#),
            Some(id),
        );
        (r, s)
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

#[test]
fn all_rules_are_the_nine_in_order() {
    let ids: Vec<&str> = all_rules(&cfg()).iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "ATN-C-001",
            "ATN-C-002",
            "ATN-C-003",
            "ATN-C-004",
            "ATN-C-005",
            "ATN-C-006",
            "ATN-C-007",
            "ATN-C-008",
            "ATN-C-009"
        ]
    );
    for id in ids {
        assert!(crate::requirements::requirement(id).is_some(), "{id}");
    }
}

#[test]
fn c001_bearer_on_every_request() {
    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    j.poll(2000, "k1", 5);
    let v = j.run(Box::new(BearerOnEveryRequest::default()), 5000);
    assert_eq!(v.verdict, Verdict::Pass, "{v:?}");

    let missing = j.req(
        3000,
        "GetTransaction",
        "/api/MobilePayments/GetTransaction/k1",
        None,
        None,
    );
    let basic = j.req(
        4000,
        "GetTransaction",
        "/api/MobilePayments/GetTransaction/k1",
        Some("Basic ***"),
        None,
    );
    let masked_bare = j.req(
        4500,
        "Cancel",
        "/api/MobilePayments/Cancel",
        Some("***"),
        Some("{}"),
    );
    let v = j.run(Box::new(BearerOnEveryRequest::default()), 5000);
    assert_eq!(v.verdict, Verdict::Fail);
    assert_eq!(v.evidence, vec![missing, basic, masked_bare]);

    let v = J::default().run(Box::new(BearerOnEveryRequest::default()), 0);
    assert_eq!(v.verdict, Verdict::NotApplicable);
    // Other protocols are ignored.
    let mut t = J::default();
    let mut e = entry(EntryKind::HttpRequest, 0);
    e.protocol = Some("tecs".into());
    t.push(e);
    assert_eq!(
        t.run(Box::new(BearerOnEveryRequest::default()), 0).verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c002_fresh_keys_and_no_reuse_with_another_body() {
    let mut j = J::default();
    let (a, _) = j.create(0, "k1", "9", 1);
    // An identical repeat (numbers compared exactly) is a retry.
    let r = j.create_raw(500, &body("k1", "9.0", 1));
    j.resp(500, r, 200, r#"{"transactionId":"k1"}"#, Some("k1"));
    let (b, _) = j.create(1000, "k2", "9", 2);
    // A 400 consumes no key: reusing it with a fixed body is fine.
    let bad = j.create_raw(1500, &body("k3", "-1", 3));
    j.resp(1500, bad, 400, r#"{"code":"invalid_value"}"#, None);
    let (c, _) = j.create(2000, "k3", "5", 3);
    let v = j.run(Box::new(FreshPotencyKey::default()), 5000);
    assert_eq!(v.verdict, Verdict::Pass, "{v:?}");
    assert_eq!(v.evidence, vec![a, b, c]);

    // Reuse with another body, answered 409.
    let r2 = j.create_raw(3000, &body("k1", "10", 1));
    let s2 = j.resp(3000, r2, 409, r#"{"code":"idempotency_key_reused"}"#, None);
    let v = j.run(Box::new(FreshPotencyKey::default()), 5000);
    assert_eq!(v.verdict, Verdict::Fail);
    assert_eq!(v.evidence, vec![a, r2, s2]);

    // Reuse for a new purchase after the old one was shown terminal.
    let mut k = J::default();
    let (a, _) = k.create(0, "k1", "9", 1);
    let (_, shown) = k.poll(60_000, "k1", 10);
    let again = k.create_raw(70_000, &body("k1", "9", 1));
    k.resp(70_000, again, 200, r#"{"transactionId":"k1"}"#, Some("k1"));
    let v = k.run(Box::new(FreshPotencyKey::default()), 80_000);
    assert_eq!(v.verdict, Verdict::Fail);
    assert_eq!(v.evidence, vec![a, shown, again]);

    assert_eq!(
        J::default()
            .run(Box::new(FreshPotencyKey::default()), 0)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c003_retry_after_a_lost_create() {
    // Fault, then an identical resend: pass.
    let mut j = J::default();
    let c = j.create_raw(0, &body("k1", "9", 1));
    j.state(0, "k1", 1);
    j.fault(0, c, "close_before_response");
    let r = j.create_raw(3000, &body("k1", "9", 1));
    j.resp(3000, r, 200, r#"{"transactionId":"k1"}"#, Some("k1"));
    let v = j.run(Box::new(RetryRepeatsCreate::new(&cfg())), 10_000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Pass, vec![c, r]),
        "{v:?}"
    );

    // 503, then the same purchase under a new key: fail.
    let mut j = J::default();
    let c = j.create_raw(0, &body("k1", "9", 1));
    j.resp(0, c, 503, "{}", None);
    let other_pump = j.create_raw(1000, &body("x9", "20", 2));
    j.resp(
        1000,
        other_pump,
        200,
        r#"{"transactionId":"x9"}"#,
        Some("x9"),
    );
    let r = j.create_raw(2000, &body("k2", "9", 1));
    j.resp(2000, r, 200, r#"{"transactionId":"k2"}"#, Some("k2"));
    let v = j.run(Box::new(RetryRepeatsCreate::new(&cfg())), 10_000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Fail, vec![c, r]),
        "{v:?}"
    );

    // No response entry at all, resend under the same key with another body: fail.
    let mut j = J::default();
    let c = j.create_raw(0, &body("k1", "9", 1));
    let r = j.create_raw(2000, &body("k1", "8", 1));
    j.resp(2000, r, 409, r#"{"code":"idempotency_key_reused"}"#, None);
    let v = j.run(Box::new(RetryRepeatsCreate::new(&cfg())), 10_000);
    assert_eq!((v.verdict, v.evidence.clone()), (Verdict::Fail, vec![c, r]));

    // Lost and nothing yet: inconclusive inside the window, fail after it.
    let mut j = J::default();
    let c = j.create_raw(0, &body("k1", "9", 1));
    j.fault(0, c, "connection_reset");
    let v = j.run(Box::new(RetryRepeatsCreate::new(&cfg())), 60_000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Inconclusive, vec![c])
    );
    let v = j.run(Box::new(RetryRepeatsCreate::new(&cfg())), 120_000);
    assert_eq!((v.verdict, v.evidence.clone()), (Verdict::Fail, vec![c]));

    // Answered creates: not applicable; a delay fault is not a loss.
    let mut j = J::default();
    let (c, _) = j.create(0, "k1", "9", 1);
    j.fault(0, c, "delay_fixed");
    let v = j.run(Box::new(RetryRepeatsCreate::new(&cfg())), 1_000_000);
    assert_eq!(v.verdict, Verdict::NotApplicable);
}

#[test]
fn c004_poll_pacing_and_stop_at_terminal() {
    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    let (p1, _) = j.poll(1000, "k1", 5);
    let (p2, _) = j.poll(2200, "k1", 7);
    j.poll(3200, "k1", 10);
    let v = j.run(Box::new(PollPacing::new(&cfg())), 5000);
    assert_eq!(v.verdict, Verdict::Pass, "{v:?}");
    assert_eq!(v.measured.as_ref().unwrap()["min_interval_ms"], 1000);
    let _ = (p1, p2);

    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    j.poll(1000, "k1", 5);
    let (a, _) = j.poll(3000, "k1", 5);
    let (b, _) = j.poll(3400, "k1", 7);
    let v = j.run(Box::new(PollPacing::new(&cfg())), 5000);
    assert_eq!((v.verdict, v.evidence.clone()), (Verdict::Fail, vec![a, b]));
    assert_eq!(v.measured.as_ref().unwrap()["min_interval_ms"], 400);

    let mut j = J::default();
    let (_, shown) = j.poll(1000, "k1", 13);
    let (after, _) = j.poll(5000, "k1", 13);
    let v = j.run(Box::new(PollPacing::new(&cfg())), 6000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Fail, vec![shown, after])
    );

    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    assert_eq!(
        j.run(Box::new(PollPacing::new(&cfg())), 5000).verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c005_is_honestly_not_applicable() {
    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    let v = j.run(Box::new(BranchesOnStateId), 1000);
    assert_eq!(v.verdict, Verdict::NotApplicable);
    assert!(v.note.contains("driver scenario"));
}

#[test]
fn c006_refused_cancel_is_not_treated_as_done() {
    // Refused, then the client keeps polling until the end: pass.
    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    let (c, s) = j.cancel(10_000, "k1", false);
    let (p, _) = j.poll(12_000, "k1", 9);
    let (q, _) = j.poll(40_000, "k1", 10);
    let (n, _) = j.create(41_000, "k2", "9", 1);
    let v = j.run(Box::new(CancelOnlyWhenSuccess::new(&cfg())), 50_000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Pass, vec![c, s, p, q]),
        "{v:?}"
    );
    let _ = n;

    // Refused, then at once a new purchase on the same pump: fail.
    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    let (c, s) = j.cancel(10_000, "k1", false);
    j.create(11_000, "k9", "9", 2); // another pump: fine
    let (n, _) = j.create(12_000, "k2", "9", 1);
    let v = j.run(Box::new(CancelOnlyWhenSuccess::new(&cfg())), 50_000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Fail, vec![c, s, n])
    );

    // Refused and the session ends inside the window: inconclusive.
    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    let (c, s) = j.cancel(10_000, "k1", false);
    let v = j.run(Box::new(CancelOnlyWhenSuccess::new(&cfg())), 20_000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Inconclusive, vec![c, s])
    );

    // Only successful cancels: not applicable.
    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    j.cancel(1000, "k1", true);
    assert_eq!(
        j.run(Box::new(CancelOnlyWhenSuccess::new(&cfg())), 90_000)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c007_cancels_what_it_abandons() {
    // Cancelled while in state 7: pass.
    let mut j = J::default();
    let (c, _) = j.create(0, "k1", "9", 1);
    j.state(500, "k1", 5);
    j.state(700, "k1", 7);
    j.poll(1000, "k1", 7);
    let (k, _) = j.cancel(2000, "k1", true);
    j.state(2000, "k1", 12);
    let v = j.run(Box::new(CancelsAbandoned::new(&cfg())), 3000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Pass, vec![c, k]),
        "{v:?}"
    );

    // Left in 7, then the site timed out to 14: fail with the timeout line.
    let mut j = J::default();
    let (c, _) = j.create(0, "k1", "9", 1);
    j.state(700, "k1", 7);
    let (p, _) = j.poll(1000, "k1", 7);
    let t = j.state(180_700, "k1", 14);
    let v = j.run(Box::new(CancelsAbandoned::new(&cfg())), 200_000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Fail, vec![c, p, t])
    );

    // Left in 7 and the session ends soon after: inconclusive; long after: fail.
    let mut j = J::default();
    let (c, _) = j.create(0, "k1", "9", 1);
    j.state(700, "k1", 7);
    let (p, _) = j.poll(1000, "k1", 7);
    let v = j.run(Box::new(CancelsAbandoned::new(&cfg())), 10_000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Inconclusive, vec![c, p])
    );
    let v = j.run(Box::new(CancelsAbandoned::new(&cfg())), 61_000);
    assert_eq!((v.verdict, v.evidence.clone()), (Verdict::Fail, vec![c, p]));

    // Followed to completion: not applicable.
    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    j.state(700, "k1", 9);
    j.state(9000, "k1", 10);
    j.poll(10_000, "k1", 10);
    assert_eq!(
        j.run(Box::new(CancelsAbandoned::new(&cfg())), 500_000)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c008_names_and_numbers() {
    let mut j = J::default();
    j.create(0, "k1", "9.125", 1);
    j.create(10, "k2", "9.1000", 2);
    let v = j.run(Box::new(SeedNamesAndNumbers::new(&cfg())), 100);
    assert_eq!(v.verdict, Verdict::Pass, "{v:?}");

    let ok = j.create_raw(
        20,
        r#"{"siteCode":"1524","pumpNumber":1,"amount":9,"externalReferanceID":"854712"}"#,
    );
    let table = j.create_raw(
        30,
        r#"{"siteCode":"1524","pumpNumber":1,"amount":9,"externalReferenceID":"854712"}"#,
    );
    let strings = j.create_raw(40, r#"{"siteCode":"1524","pumpNumber":"1","amount":"9"}"#);
    let precise = j.create_raw(50, r#"{"siteCode":"1524","pumpNumber":1,"amount":9.0001}"#);
    let v = j.run(Box::new(SeedNamesAndNumbers::new(&cfg())), 100);
    assert_eq!(v.verdict, Verdict::Fail);
    assert_eq!(v.evidence, vec![table, strings, precise]);
    assert!(v.note.contains("externalReferanceID"), "{}", v.note);
    let _ = ok;

    assert_eq!(significant_decimals("9"), Some(0));
    assert_eq!(significant_decimals("9.10"), Some(1));
    assert_eq!(significant_decimals("1e-3"), Some(3));
    assert_eq!(significant_decimals("100e-2"), Some(0));
    assert_eq!(significant_decimals("-2.5E1"), Some(0));
    assert_eq!(significant_decimals("x"), None);

    assert_eq!(
        J::default()
            .run(Box::new(SeedNamesAndNumbers::new(&cfg())), 0)
            .verdict,
        Verdict::NotApplicable
    );
}

#[test]
fn c009_prompts_answered_in_time_with_the_asked_keys() {
    let prompt = |j: &mut J, ms: u64, names: &str| {
        let r = j.req(
            ms,
            "PromptPreauthorizations",
            "/api/MobilePayments/PromptPreauthorizations",
            AUTH,
            Some(&format!(
                r#"{{"idTransaction":"k1","customerData":{{{names}}}}}"#
            )),
        );
        let s = j.resp(ms, r, 200, "{}", Some("k1"));
        (r, s)
    };
    let state25 = |j: &mut J| {
        j.create(0, "k1", "9", 1);
        let s = j.state(1000, "k1", 25);
        let g = j.req(
            2000,
            "GetTransaction",
            "/api/MobilePayments/GetTransaction/k1",
            AUTH,
            None,
        );
        j.resp(
            2000,
            g,
            200,
            r#"{"id":"k1","state_Id":25,"paymentProcessorMessage":"{\"PromptOdometer\":\"true\",\"MinOdometer\":\"150\"}"}"#,
            Some("k1"),
        );
        s
    };
    let mut j = J::default();
    let s = state25(&mut j);
    let (p, _) = prompt(&mut j, 30_000, r#""Odometer":"152""#);
    let v = j.run(Box::new(AnswersPrompts::new(&cfg())), 40_000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Pass, vec![s, p]),
        "{v:?}"
    );

    let mut j = J::default();
    let s = state25(&mut j);
    let (p, _) = prompt(&mut j, 30_000, r#""Odometer":"152","DriverId":"7""#);
    let v = j.run(Box::new(AnswersPrompts::new(&cfg())), 40_000);
    assert_eq!((v.verdict, v.evidence.clone()), (Verdict::Fail, vec![s, p]));

    let mut j = J::default();
    let s = state25(&mut j);
    let (p, _) = prompt(&mut j, 302_000, r#""Odometer":"152""#);
    let v = j.run(Box::new(AnswersPrompts::new(&cfg())), 400_000);
    assert_eq!((v.verdict, v.evidence.clone()), (Verdict::Fail, vec![s, p]));

    let mut j = J::default();
    let s = state25(&mut j);
    let v = j.run(Box::new(AnswersPrompts::new(&cfg())), 100_000);
    assert_eq!(
        (v.verdict, v.evidence.clone()),
        (Verdict::Inconclusive, vec![s])
    );
    let v = j.run(Box::new(AnswersPrompts::new(&cfg())), 301_000);
    assert_eq!((v.verdict, v.evidence.clone()), (Verdict::Fail, vec![s]));

    let mut j = J::default();
    j.create(0, "k1", "9", 1);
    assert_eq!(
        j.run(Box::new(AnswersPrompts::new(&cfg())), 400_000)
            .verdict,
        Verdict::NotApplicable
    );
}
