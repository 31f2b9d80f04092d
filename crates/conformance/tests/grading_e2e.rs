//! End-to-end client grading: the real embedded server (virtual clock) on 127.0.0.1, two
//! scripted clients over reqwest, the journal fetched from `/_payrig/v1/journal`, graded.
//!
//! The well-behaved client: Bearer on every call, fresh keys, an identical resend after a lost
//! create, polls at least 1 s apart in virtual time, cancels what it abandons; on TECS it sends
//! a `0013` for a sale whose response was dropped. The misbehaving client: resends a lost
//! create under a new `potencyKeyId` (ATN-C-003), polls twice within 1 s (ATN-C-004), and
//! after a dropped TECS response sends a new sale instead of a `0013` (TEC-C-002).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use payrig_conformance::grading::{grade, journal_end, RuleResult};
use payrig_core::grading::Verdict;
use payrig_core::journal::{EntryKind, JournalEntry};
use payrig_server::{start, ClockMode, RunningServer, ServerConfig};
use payrig_world::ationet::AtionetConfig;
use payrig_world::tecs::TecsConfig;
use serde_json::{json, Value};

const ATN_TOKEN: &str = "Bearer atn-test-7f3c9a1e";
const TECS_TOKEN: &str = "Bearer tecs-test-token";

async fn server() -> RunningServer {
    start(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        clock: ClockMode::Virtual,
        seed: 11,
        ationet: AtionetConfig::from_toml("").unwrap(),
        tecs: TecsConfig::from_toml("").unwrap(),
        control: true,
        control_token: None,
        journal_capacity: payrig_server::journal::DEFAULT_CAPACITY,
    })
    .await
    .unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn control(base: &str, path: &str, body: Value) -> Value {
    let r = http()
        .post(format!("{base}/_payrig/v1{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

async fn advance_ms(base: &str, ms: u64) {
    control(base, "/clock/advance", json!({"by_ms": ms})).await;
}

async fn lose_next(base: &str, protocol: &str, op: &str) {
    control(
        base,
        "/faults",
        json!({"match": {"protocol": protocol, "op": op},
               "action": {"kind": "close_before_response"}, "times": 1}),
    )
    .await;
}

async fn journal(base: &str) -> Vec<JournalEntry> {
    let v: Value = http()
        .get(format!("{base}/_payrig/v1/journal?limit=100000"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    serde_json::from_value(v["entries"].clone()).unwrap()
}

// ----- ATIONet client calls

fn create_body(key: &str) -> String {
    format!(
        r#"{{"siteCode":"1524","pumpNumber":1,"fuelCode":"3","amount":9,"primaryTrack":"0000000000001","terminalCode":"S2G321","mobilePaymentMode":1,"potencyKeyId":"{key}"}}"#
    )
}

/// POST with the Bearer token; `None` when the connection broke without an answer.
async fn atn_post(base: &str, path: &str, body: String) -> Option<(u16, Value)> {
    let r = http()
        .post(format!("{base}{path}"))
        .header("authorization", ATN_TOKEN)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .ok()?;
    let s = r.status().as_u16();
    let text = r.text().await.ok()?;
    Some((s, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

async fn atn_poll(base: &str, id: &str) -> u64 {
    let r = http()
        .get(format!("{base}/api/MobilePayments/GetTransaction/{id}"))
        .header("authorization", ATN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["state_Id"].as_u64().unwrap()
}

async fn atn_cancel(base: &str, id: &str) -> bool {
    let (s, v) = atn_post(
        base,
        "/api/MobilePayments/Cancel",
        format!(r#"{{"transactionId":"{id}"}}"#),
    )
    .await
    .unwrap();
    assert_eq!(s, 200);
    v["isSuccessCanceled"].as_bool().unwrap()
}

// ----- TECS client calls

fn sale(id: &str, amount: &str) -> Value {
    json!({"amount": amount, "card_number": "", "currency": "EUR", "desired_currency": "EUR",
           "language": "EN", "message_type": "0001", "payment_reason": "Test Sale",
           "receipt_layout": "01", "receipt_number": "1", "terminal_number": "88091105",
           "transaction_date_time": "20240521190912", "transaction_id": id,
           "transaction_origin_identifier": "1", "transaction_origin_indicator": "0",
           "transaction_place": "1010", "transaction_source_id": "1"})
}

/// A blocking makeTransaction, with the virtual clock driven until it ends; `None` when the
/// connection closed without an answer.
async fn tecs_run(base: &str, body: Value) -> Option<(u16, Value)> {
    let b = base.to_owned();
    let call = tokio::spawn(async move {
        let r = http()
            .post(format!("{b}/tecsclientrest-auth/makeTransaction"))
            .header("authorization", TECS_TOKEN)
            .json(&body)
            .send()
            .await
            .ok()?;
        let s = r.status().as_u16();
        let v: Value = r.json().await.ok()?;
        Some((s, v))
    });
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        control(base, "/clock/advance", json!({"until_idle": true})).await;
        if call.is_finished() {
            break;
        }
    }
    call.await.unwrap()
}

// ----- journal look-ups

fn requests<'a>(j: &'a [JournalEntry], protocol: &str, op: &str) -> Vec<&'a JournalEntry> {
    j.iter()
        .filter(|e| {
            e.kind == EntryKind::HttpRequest
                && e.protocol.as_deref() == Some(protocol)
                && e.op.as_deref() == Some(op)
        })
        .collect()
}

fn body_has(e: &JournalEntry, needle: &str) -> bool {
    e.http
        .as_ref()
        .and_then(|h| h.body.as_ref())
        .and_then(|b| b.text.as_deref())
        .is_some_and(|t| t.contains(needle))
}

fn seq_of(j: &[JournalEntry], protocol: &str, op: &str, needle: &str, nth: usize) -> u64 {
    requests(j, protocol, op)
        .into_iter()
        .filter(|e| {
            body_has(e, needle)
                || e.http
                    .as_ref()
                    .and_then(|h| h.path.as_deref())
                    .is_some_and(|p| p.contains(needle))
        })
        .nth(nth)
        .unwrap_or_else(|| panic!("no {op} #{nth} with {needle}"))
        .seq
}

fn by_id<'a>(r: &'a [RuleResult], id: &str) -> &'a RuleResult {
    r.iter().find(|x| x.id == id).unwrap()
}

fn show(r: &[RuleResult]) -> String {
    r.iter()
        .map(|x| format!("{} {:?} {:?} {}", x.id, x.verdict, x.evidence, x.note))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn well_behaved_client_passes_every_exercised_rule() {
    let s = server().await;
    let base = s.base_url();

    // TECS: a sale whose response is dropped, then the 0013 cancelling it.
    lose_next(&base, "tecs", "makeTransaction").await;
    assert!(tecs_run(&base, sale("20240521190912161", "1255"))
        .await
        .is_none());
    let mut cancel = sale("20240521191500001", "1255");
    cancel["message_type"] = json!("0013");
    cancel["transaction_origin_identifier"] = json!("2");
    cancel["card_number"] = json!("TXID00020240521190912161");
    let (st, r) = tecs_run(&base, cancel).await.unwrap();
    assert_eq!(
        (st, r["response_code"].as_str()),
        (200, Some("0000")),
        "{r}"
    );

    // ATIONet: a lost create resent identically, polls 1.5 s apart, cancel, poll to the end.
    let key = "0f9e3c1a-2b7d-4c55-9a61-3d2e8b7f4a10";
    lose_next(&base, "ationet", "MobilePayments").await;
    assert!(atn_post(&base, "/api/MobilePayments", create_body(key))
        .await
        .is_none());
    let (st, _) = atn_post(&base, "/api/MobilePayments", create_body(key))
        .await
        .unwrap();
    assert_eq!(st, 200);
    atn_poll(&base, key).await;
    assert!(atn_cancel(&base, key).await);
    let mut state = 0;
    for _ in 0..10 {
        advance_ms(&base, 1500).await;
        state = atn_poll(&base, key).await;
        if state == 13 {
            break;
        }
    }
    assert_eq!(state, 13);

    let j = journal(&base).await;
    let end = journal_end(&j).unwrap();
    let results = grade(&j, &["ationet", "tecs"], end);
    let all = show(&results);
    let must_pass = [
        "ATN-C-001",
        "ATN-C-002",
        "ATN-C-003",
        "ATN-C-004",
        "ATN-C-007",
        "ATN-C-008",
        "TEC-C-001",
        "TEC-C-002",
        "TEC-C-003",
        "TEC-C-004",
        "TEC-C-006",
        "TEC-C-007",
        "TEC-C-008",
        "TEC-C-010",
    ];
    for r in &results {
        let want = if must_pass.contains(&r.id.as_str()) {
            Verdict::Pass
        } else {
            Verdict::NotApplicable
        };
        assert_eq!(r.verdict, want, "{}\n{all}", r.id);
    }
    // The evidence points at the right exchanges.
    let lost = seq_of(&j, "tecs", "makeTransaction", "20240521190912161", 0);
    let c0013 = seq_of(&j, "tecs", "makeTransaction", "TXID00020240521190912161", 0);
    assert_eq!(
        by_id(&results, "TEC-C-002").evidence,
        vec![lost, c0013],
        "{all}"
    );
    let c1 = seq_of(&j, "ationet", "MobilePayments", key, 0);
    let c2 = seq_of(&j, "ationet", "MobilePayments", key, 1);
    assert_eq!(by_id(&results, "ATN-C-003").evidence, vec![c1, c2], "{all}");
    let fault = j
        .iter()
        .find(|e| e.kind == EntryKind::FaultApplied && e.protocol.as_deref() == Some("ationet"))
        .unwrap();
    assert_eq!(fault.reply_to, Some(c1));
    s.shutdown().await;
}

#[tokio::test]
async fn misbehaving_client_fails_exactly_the_provoked_rules() {
    let s = server().await;
    let base = s.base_url();

    // TECS: the response is dropped and the ECR just sells again (another amount).
    lose_next(&base, "tecs", "makeTransaction").await;
    assert!(tecs_run(&base, sale("L1", "1255")).await.is_none());
    let (st, r) = tecs_run(&base, sale("N1", "500")).await.unwrap();
    assert_eq!(
        (st, r["response_code"].as_str()),
        (200, Some("0000")),
        "{r}"
    );

    // ATIONet: a lost create resent under a new key, two polls in the same second.
    let (k1, k2) = ("k-lost-1", "k-new-2");
    lose_next(&base, "ationet", "MobilePayments").await;
    assert!(atn_post(&base, "/api/MobilePayments", create_body(k1))
        .await
        .is_none());
    let (st, _) = atn_post(&base, "/api/MobilePayments", create_body(k2))
        .await
        .unwrap();
    assert_eq!(st, 200);
    atn_poll(&base, k2).await;
    advance_ms(&base, 300).await;
    // The pump is still held by the lost create's transaction, so `k2` is refused (state 6,
    // terminal): the client stops polling there.
    assert_eq!(atn_poll(&base, k2).await, 6);

    let j = journal(&base).await;
    let end = journal_end(&j).unwrap();
    let results = grade(&j, &["ationet", "tecs"], end);
    let all = show(&results);
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| r.verdict == Verdict::Fail)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(failed, ["ATN-C-003", "ATN-C-004", "TEC-C-002"], "{all}");

    let lost = seq_of(&j, "tecs", "makeTransaction", "\"L1\"", 0);
    let next = seq_of(&j, "tecs", "makeTransaction", "\"N1\"", 0);
    assert_eq!(
        by_id(&results, "TEC-C-002").evidence,
        vec![lost, next],
        "{all}"
    );
    let tecs_fault = j
        .iter()
        .find(|e| e.kind == EntryKind::FaultApplied && e.protocol.as_deref() == Some("tecs"))
        .unwrap();
    assert_eq!(tecs_fault.reply_to, Some(lost));

    let c1 = seq_of(&j, "ationet", "MobilePayments", k1, 0);
    let c2 = seq_of(&j, "ationet", "MobilePayments", k2, 0);
    assert_eq!(by_id(&results, "ATN-C-003").evidence, vec![c1, c2], "{all}");

    let p1 = seq_of(&j, "ationet", "GetTransaction", k2, 0);
    let p2 = seq_of(&j, "ationet", "GetTransaction", k2, 1);
    let c004 = by_id(&results, "ATN-C-004");
    assert_eq!(c004.evidence, vec![p1, p2], "{all}");
    assert_eq!(c004.measured.as_ref().unwrap()["min_interval_ms"], 300);
    s.shutdown().await;
}
