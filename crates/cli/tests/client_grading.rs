//! `payrig certify client` grades a real client over HTTP; `payrig report --journal` regrades
//! the saved journal to the same verdicts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_payrig");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn create(key: &str) -> String {
    format!(
        r#"{{"siteCode":"1524","pumpNumber":1,"fuelCode":"3","amount":9,"primaryTrack":"0000000000001","terminalCode":"T1","mobilePaymentMode":1,"potencyKeyId":"{key}"}}"#
    )
}

/// Runs `certify client` for a few seconds while `client` talks to it; returns the exit code
/// and summary.json.
fn graded(
    client: impl FnOnce(String),
    dir: &std::path::Path,
    journal: &std::path::Path,
) -> (i32, Value) {
    let port = free_port();
    let child = Command::new(BIN)
        .args([
            "certify",
            "client",
            "--protocol",
            "ationet",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--duration",
            "3s",
            "--clock",
            "virtual",
            "--journal",
            journal.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    client(base);
    let out = child.wait_with_output().unwrap();
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert!(
        dir.join("junit.xml").exists() && dir.join("report.html").exists(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    (out.status.code().unwrap(), summary)
}

fn verdict(summary: &Value, id: &str) -> String {
    summary["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .map(|r| r["verdict"].as_str().unwrap().to_owned())
        .unwrap()
}

fn http(method: &str, url: &str, body: Option<String>, auth: bool) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let mut rb = if method == "POST" {
            c.post(url)
        } else {
            c.get(url)
        };
        if auth {
            rb = rb.header("authorization", "Bearer atn-test-7f3c9a1e");
        }
        if let Some(b) = body {
            rb = rb.header("content-type", "application/json").body(b);
        }
        let _ = rb.send().await.unwrap().text().await;
    });
}

#[test]
fn a_polite_client_passes_and_a_hasty_one_fails_atn_c_004() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, s) = graded(
        |base| {
            http(
                "POST",
                &format!("{base}/api/MobilePayments"),
                Some(create("good-1")),
                true,
            );
            http(
                "GET",
                &format!("{base}/api/MobilePayments/GetTransaction/good-1"),
                None,
                true,
            );
        },
        &tmp.path().join("good"),
        &tmp.path().join("good.db"),
    );
    assert_eq!(code, 0, "{s}");
    assert_eq!(verdict(&s, "ATN-C-001"), "pass");
    assert_eq!(s["direction"], "client");

    let (code, s) = graded(
        |base| {
            http(
                "POST",
                &format!("{base}/api/MobilePayments"),
                Some(create("bad-1")),
                true,
            );
            for _ in 0..3 {
                http(
                    "GET",
                    &format!("{base}/api/MobilePayments/GetTransaction/bad-1"),
                    None,
                    true,
                );
            }
            // And one request without a token.
            http(
                "GET",
                &format!("{base}/api/MobilePayments/GetTransaction/bad-1"),
                None,
                false,
            );
        },
        &tmp.path().join("bad"),
        &tmp.path().join("bad.db"),
    );
    assert_eq!(code, 1, "{s}");
    assert_eq!(verdict(&s, "ATN-C-004"), "fail");
    assert_eq!(verdict(&s, "ATN-C-001"), "fail");
    let evidence = s["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ATN-C-004")
        .unwrap()["evidence"]
        .as_array()
        .unwrap()
        .len();
    assert!(evidence >= 2);

    // The saved journal regrades to the same verdicts.
    let out = Command::new(BIN)
        .args([
            "report",
            "--journal",
            tmp.path().join("bad.db").to_str().unwrap(),
            "--out",
            tmp.path().join("regraded").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again: Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("regraded/summary.json")).unwrap())
            .unwrap();
    assert_eq!(verdict(&again, "ATN-C-004"), "fail");
}

// ---------------------------------------------------------------------------------------------
// ATIONet and TECS together: a well-behaved client passes every rule it exercises; a
// misbehaving one fails exactly ATN-C-003, ATN-C-004 and TEC-C-002, with journal evidence.
// The traffic scripts are those of crates/conformance/tests/grading_e2e.rs, sent to the
// `payrig certify client` binary instead of an in-process server; faults and the virtual
// clock are driven through the control API of the server under grading.

const ATN_TOKEN: &str = "Bearer atn-test-7f3c9a1e";
const TECS_TOKEN: &str = "Bearer tecs-test-token";

/// A `payrig certify client` child, killed when dropped so a failed assertion leaks nothing.
struct Certifying {
    child: std::process::Child,
    port: u16,
    log: std::path::PathBuf,
}

impl Drop for Certifying {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Certifying {
    /// `payrig certify client --protocol ationet --protocol tecs --clock virtual --duration 6s`,
    /// reports to `dir`, stdout and stderr to `dir.log`; returns once the port accepts.
    fn start(dir: &std::path::Path) -> Certifying {
        let port = free_port();
        let log = dir.with_extension("log");
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(BIN)
            .args([
                "certify",
                "client",
                "--protocol",
                "ationet",
                "--protocol",
                "tecs",
                "--clock",
                "virtual",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--duration",
                "6s",
                "--out",
                dir.to_str().unwrap(),
            ])
            .env_remove("RUST_LOG")
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let mut c = Certifying { child, port, log };
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(st) = c.child.try_wait().unwrap() {
                panic!("certify client exited early ({st}): {}", c.output());
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no listener on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        c
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for the recording to end and grading to finish; the exit code and the output.
    fn finish(mut self) -> (i32, String) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return (st.code().unwrap_or(-1), self.output());
            }
            assert!(
                std::time::Instant::now() < deadline,
                "certify client did not end: {}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn control(base: &str, path: &str, body: Value) -> Value {
    let r = client()
        .post(format!("{base}/_payrig/v1{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

async fn advance_ms(base: &str, ms: u64) {
    control(base, "/clock/advance", serde_json::json!({"by_ms": ms})).await;
}

/// Arms a one-shot wire fault on the next `op` of `protocol`.
async fn arm(base: &str, protocol: &str, op: &str, action: Value) {
    control(
        base,
        "/faults",
        serde_json::json!({"match": {"protocol": protocol, "op": op}, "action": action, "times": 1}),
    )
    .await;
}

fn create_body(key: &str) -> String {
    format!(
        r#"{{"siteCode":"1524","pumpNumber":1,"fuelCode":"3","amount":9,"primaryTrack":"0000000000001","terminalCode":"S2G321","mobilePaymentMode":1,"potencyKeyId":"{key}"}}"#
    )
}

/// An ATIONet POST with the Bearer token; `None` when the connection broke unanswered.
async fn atn_post(base: &str, path: &str, body: String) -> Option<(u16, Value)> {
    let r = client()
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

/// GetTransaction with the Bearer token; the `state_Id` answered.
async fn atn_poll(base: &str, id: &str) -> u64 {
    let r = client()
        .get(format!("{base}/api/MobilePayments/GetTransaction/{id}"))
        .header("authorization", ATN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["state_Id"].as_u64().unwrap()
}

fn sale(id: &str, amount: &str) -> Value {
    serde_json::json!({"amount": amount, "card_number": "", "currency": "EUR",
        "desired_currency": "EUR", "language": "EN", "message_type": "0001",
        "payment_reason": "Test Sale", "receipt_layout": "01", "receipt_number": "1",
        "terminal_number": "88091105", "transaction_date_time": "20240521190912",
        "transaction_id": id, "transaction_origin_identifier": "1",
        "transaction_origin_indicator": "0", "transaction_place": "1010",
        "transaction_source_id": "1"})
}

/// A blocking makeTransaction while another task moves the virtual clock until it ends;
/// `None` when the connection closed without an answer.
async fn tecs_run(base: &str, body: Value) -> Option<(u16, Value)> {
    let b = base.to_owned();
    let call = tokio::spawn(async move {
        let r = client()
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
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        control(
            base,
            "/clock/advance",
            serde_json::json!({"until_idle": true}),
        )
        .await;
        if call.is_finished() {
            break;
        }
    }
    call.await.unwrap()
}

/// Runs `script` against a fresh `certify client`; exit code, summary.json, journal.ndjson.
fn certify_client_with<F, Fut>(dir: &std::path::Path, script: F) -> (i32, Value, Vec<Value>)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let c = Certifying::start(dir);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let t0 = std::time::Instant::now();
    rt.block_on(script(c.base()));
    let scripted = t0.elapsed();
    assert!(
        scripted < Duration::from_secs(5),
        "the script took {scripted:?}, too close to --duration 6s"
    );
    let (code, out) = c.finish();
    let summary: Value = serde_json::from_slice(
        &std::fs::read(dir.join("summary.json")).unwrap_or_else(|e| panic!("{e}\n{out}")),
    )
    .unwrap();
    let journal: Vec<Value> = std::fs::read_to_string(dir.join("journal.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    eprintln!("{}: exit {code}, script {scripted:?}\n{out}", dir.display());
    (code, summary, journal)
}

fn rule<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no rule {id} in {summary:#}"))
}

fn rules_with(summary: &Value, verdict: &str) -> std::collections::BTreeSet<String> {
    summary["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["verdict"] == verdict)
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn show_rules(summary: &Value) -> String {
    summary["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {}",
                r["id"].as_str().unwrap_or(""),
                r["verdict"].as_str().unwrap_or(""),
                r["evidence"],
                r["note"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn evidence(summary: &Value, id: &str) -> Vec<u64> {
    rule(summary, id)["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect()
}

fn entry(journal: &[Value], seq: u64) -> &Value {
    journal
        .iter()
        .find(|e| e["seq"] == seq)
        .unwrap_or_else(|| panic!("evidence seq {seq} is not in journal.ndjson"))
}

/// The entry `seq`, asserted to be an HTTP request of `protocol`/`op`.
fn request<'a>(journal: &'a [Value], seq: u64, protocol: &str, op: &str) -> &'a Value {
    let e = entry(journal, seq);
    assert_eq!(e["kind"], "http_request", "seq {seq}: {e}");
    assert_eq!(e["protocol"], protocol, "seq {seq}: {e}");
    assert_eq!(e["op"], op, "seq {seq}: {e}");
    e
}

fn body_json(e: &Value) -> Value {
    serde_json::from_str(e["http"]["body"]["text"].as_str().unwrap()).unwrap()
}

/// The `fault_applied` entry for request `seq`, if any.
fn fault_on(journal: &[Value], seq: u64) -> Option<&Value> {
    journal
        .iter()
        .find(|e| e["kind"] == "fault_applied" && e["reply_to"] == seq)
}

/// The `http_response` entry answering request `seq`, if any.
fn response_to(journal: &[Value], seq: u64) -> Option<&Value> {
    journal
        .iter()
        .find(|e| e["kind"] == "http_response" && e["reply_to"] == seq)
}

fn at_ms(e: &Value) -> u64 {
    let t = payrig_core::Timestamp::parse_rfc3339(e["at"].as_str().unwrap()).unwrap();
    t.since(payrig_core::Timestamp(0)).as_millis()
}

/// TECS: a sale whose response is dropped, then a `0013` naming it (`TXID` short form).
/// ATIONet: a create answered 503 resent identically; one poll, a cancel, then polls 1.5 s
/// apart in virtual time until the end state; Bearer on every call.
async fn well_behaved(base: String) {
    let base = base.as_str();
    arm(
        base,
        "tecs",
        "makeTransaction",
        serde_json::json!({"kind": "close_before_response"}),
    )
    .await;
    assert!(tecs_run(base, sale("20240521190912161", "1255"))
        .await
        .is_none());
    let mut cancel = sale("20240521191500001", "1255");
    cancel["message_type"] = "0013".into();
    cancel["transaction_origin_identifier"] = "2".into();
    cancel["card_number"] = "TXID00020240521190912161".into();
    let (st, r) = tecs_run(base, cancel).await.unwrap();
    assert_eq!(
        (st, r["response_code"].as_str()),
        (200, Some("0000")),
        "{r}"
    );

    let key = "0f9e3c1a-2b7d-4c55-9a61-3d2e8b7f4a10";
    arm(
        base,
        "ationet",
        "MobilePayments",
        serde_json::json!({"kind": "status", "code": 503}),
    )
    .await;
    let (st, _) = atn_post(base, "/api/MobilePayments", create_body(key))
        .await
        .unwrap();
    assert_eq!(st, 503);
    let (st, _) = atn_post(base, "/api/MobilePayments", create_body(key))
        .await
        .unwrap();
    assert_eq!(st, 200);
    atn_poll(base, key).await;
    let (st, v) = atn_post(
        base,
        "/api/MobilePayments/Cancel",
        format!(r#"{{"transactionId":"{key}"}}"#),
    )
    .await
    .unwrap();
    assert_eq!(
        (st, v["isSuccessCanceled"].as_bool()),
        (200, Some(true)),
        "{v}"
    );
    let mut state = 0;
    for _ in 0..10 {
        advance_ms(base, 1500).await;
        state = atn_poll(base, key).await;
        if state == 13 {
            break;
        }
    }
    assert_eq!(state, 13);
}

/// TECS: after the dropped response, a new `0001` instead of the `0013`. ATIONet: a lost
/// create resent under a new `potencyKeyId` with the same body; that transaction polled twice
/// without the clock moving. Bearer on every call.
async fn misbehaving(base: String) {
    let base = base.as_str();
    arm(
        base,
        "tecs",
        "makeTransaction",
        serde_json::json!({"kind": "close_before_response"}),
    )
    .await;
    assert!(tecs_run(base, sale("L1", "1255")).await.is_none());
    let (st, r) = tecs_run(base, sale("N1", "500")).await.unwrap();
    assert_eq!(
        (st, r["response_code"].as_str()),
        (200, Some("0000")),
        "{r}"
    );

    arm(
        base,
        "ationet",
        "MobilePayments",
        serde_json::json!({"kind": "empty_response"}),
    )
    .await;
    assert!(
        atn_post(base, "/api/MobilePayments", create_body("k-lost-1"))
            .await
            .is_none()
    );
    let (st, _) = atn_post(base, "/api/MobilePayments", create_body("k-new-2"))
        .await
        .unwrap();
    assert_eq!(st, 200);
    atn_poll(base, "k-new-2").await;
    atn_poll(base, "k-new-2").await;
}

#[test]
fn certify_client_passes_a_well_behaved_client_and_fails_a_misbehaving_one_exactly() {
    let tmp = tempfile::tempdir().unwrap();

    // ----- the well-behaved client: exit 0, every exercised rule passes, none fails.
    let (code, s, j) = certify_client_with(&tmp.path().join("good"), well_behaved);
    let all = show_rules(&s);
    assert_eq!(code, 0, "{all}");
    assert_eq!(s["direction"], "client");
    assert_eq!(rules_with(&s, "fail"), Default::default(), "{all}");
    assert_eq!(rules_with(&s, "inconclusive"), Default::default(), "{all}");
    let passed = rules_with(&s, "pass");
    for id in [
        "ATN-C-001",
        "ATN-C-003",
        "ATN-C-004",
        "ATN-C-007",
        "TEC-C-002",
    ] {
        assert!(passed.contains(id), "{id} should pass:\n{all}");
    }
    assert!(
        s["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["verdict"] == "pass" || r["verdict"] == "not_applicable"),
        "{all}"
    );
    assert_eq!(s["scenarios"]["failed"], 0, "{s:#}");
    // The evidence of the deliberately provoked situations: the dropped sale and its 0013; the
    // 503 create and its identical resend.
    let ev = evidence(&s, "TEC-C-002");
    assert_eq!(ev.len(), 2, "{all}");
    let lost = request(&j, ev[0], "tecs", "makeTransaction");
    assert_eq!(body_json(lost)["transaction_id"], "20240521190912161");
    assert_eq!(
        fault_on(&j, ev[0]).map(|f| f["fault"].clone()),
        Some("close_before_response".into())
    );
    let c0013 = body_json(request(&j, ev[1], "tecs", "makeTransaction"));
    assert_eq!(c0013["message_type"], "0013");
    assert_eq!(c0013["card_number"], "TXID00020240521190912161");
    let ev = evidence(&s, "ATN-C-003");
    assert_eq!(ev.len(), 2, "{all}");
    let (c1, c2) = (
        request(&j, ev[0], "ationet", "MobilePayments"),
        request(&j, ev[1], "ationet", "MobilePayments"),
    );
    assert_eq!(body_json(c1), body_json(c2));
    assert_eq!(response_to(&j, ev[0]).unwrap()["http"]["status"], 503);
    assert_eq!(response_to(&j, ev[1]).unwrap()["http"]["status"], 200);

    // ----- the misbehaving client: exit 1, exactly ATN-C-003, ATN-C-004 and TEC-C-002 fail.
    let (code, s, j) = certify_client_with(&tmp.path().join("bad"), misbehaving);
    let all = show_rules(&s);
    assert_eq!(code, 1, "{all}");
    let want: std::collections::BTreeSet<String> = ["ATN-C-003", "ATN-C-004", "TEC-C-002"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(rules_with(&s, "fail"), want, "{all}");
    let junit = std::fs::read_to_string(tmp.path().join("bad/junit.xml")).unwrap();
    assert_eq!(junit.matches("<failure").count(), 3, "{junit}");

    // ATN-C-003: both requests, the first lost to a wire fault, the second the same purchase
    // under a new potencyKeyId.
    let ev = evidence(&s, "ATN-C-003");
    assert_eq!(ev.len(), 2, "{all}");
    let (c1, c2) = (
        request(&j, ev[0], "ationet", "MobilePayments"),
        request(&j, ev[1], "ationet", "MobilePayments"),
    );
    assert!(ev[0] < ev[1]);
    assert_eq!(
        fault_on(&j, ev[0]).map(|f| f["fault"].clone()),
        Some("empty_response".into()),
        "the first create should have lost its answer to the armed fault"
    );
    assert!(response_to(&j, ev[0]).is_none());
    let (mut b1, mut b2) = (body_json(c1), body_json(c2));
    assert_eq!(b1["potencyKeyId"], "k-lost-1");
    assert_eq!(b2["potencyKeyId"], "k-new-2");
    b1["potencyKeyId"] = Value::Null;
    b2["potencyKeyId"] = Value::Null;
    assert_eq!(b1, b2, "the resend should be the same purchase");

    // ATN-C-004: the offending pair of polls of one transaction, less than 1 s apart.
    let ev = evidence(&s, "ATN-C-004");
    assert_eq!(ev.len(), 2, "{all}");
    let (p1, p2) = (
        request(&j, ev[0], "ationet", "GetTransaction"),
        request(&j, ev[1], "ationet", "GetTransaction"),
    );
    assert!(ev[0] < ev[1]);
    assert_eq!(p1["http"]["path"], p2["http"]["path"]);
    assert!(p1["http"]["path"].as_str().unwrap().ends_with("/k-new-2"));
    assert!(at_ms(p2) - at_ms(p1) < 1000, "{p1}\n{p2}");
    assert!(
        rule(&s, "ATN-C-004")["measured"]["min_interval_ms"]
            .as_u64()
            .unwrap()
            < 1000
    );

    // TEC-C-002: the faulted request, then the next financial request (a new 0001).
    let ev = evidence(&s, "TEC-C-002");
    assert_eq!(ev.len(), 2, "{all}");
    let lost = body_json(request(&j, ev[0], "tecs", "makeTransaction"));
    assert_eq!(
        (
            lost["transaction_id"].as_str(),
            lost["message_type"].as_str()
        ),
        (Some("L1"), Some("0001"))
    );
    assert_eq!(
        fault_on(&j, ev[0]).map(|f| f["fault"].clone()),
        Some("close_before_response".into())
    );
    assert!(ev[0] < ev[1]);
    let next = body_json(request(&j, ev[1], "tecs", "makeTransaction"));
    assert_eq!(
        (
            next["transaction_id"].as_str(),
            next["message_type"].as_str()
        ),
        (Some("N1"), Some("0001"))
    );
}
