//! End-to-end: the ATIONet API and the control API over real HTTP on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use payrig_server::{start, ClockMode, RunningServer, ServerConfig};
use payrig_world::ationet::AtionetConfig;
use serde_json::{json, Value};

const TOKEN: &str = "Bearer atn-test-7f3c9a1e";

async fn server(clock: ClockMode, toml: &str) -> RunningServer {
    let cfg = ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        clock,
        seed: 7,
        ationet: AtionetConfig::from_toml(toml).unwrap(),
        tecs: payrig_world::tecs::TecsConfig::from_toml(toml).unwrap(),
        control: true,
        control_token: None,
        journal_capacity: payrig_server::journal::DEFAULT_CAPACITY,
    };
    start(cfg).await.unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn create_body(key: &str, amount: &str) -> String {
    format!(
        r#"{{"siteCode":"1524","pumpNumber":1,"fuelCode":"3","amount":{amount},"primaryTrack":"0000000000001","terminalCode":"S2G321","mobilePaymentMode":1,"potencyKeyId":"{key}"}}"#
    )
}

async fn post(c: &reqwest::Client, url: &str, body: String) -> (u16, String) {
    let r = c
        .post(url)
        .header("authorization", TOKEN)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.text().await.unwrap())
}

async fn control(c: &reqwest::Client, base: &str, path: &str, body: Value) -> Value {
    let r = c
        .post(format!("{base}/_payrig/v1{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

async fn journal(c: &reqwest::Client, base: &str) -> Vec<Value> {
    let v: Value = c
        .get(format!("{base}/_payrig/v1/journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["entries"].as_array().unwrap().clone()
}

fn count_sim(entries: &[Value], op: &str, pred: impl Fn(&Value) -> bool) -> usize {
    entries
        .iter()
        .filter(|e| e["kind"] == "sim" && e["op"] == op && pred(e))
        .count()
}

#[tokio::test]
async fn full_fuelling_over_http_in_virtual_time() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let c = client();
    let key = "5734cbb9-f78f-4ad4-aa87-79ed95181c5a";
    let (st, body) = post(
        &c,
        &format!("{base}/api/MobilePayments"),
        create_body(key, "9"),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(body, format!(r#"{{"transactionId":"{key}"}}"#));
    control(&c, &base, "/clock/advance", json!({"until_idle": true})).await;
    let r = c
        .get(format!("{base}/api/mobilepayments/gettransaction/{key}"))
        .header("authorization", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let text = r.text().await.unwrap();
    assert!(
        text.contains(r#""state_Name":"Complete","state_Id":10"#),
        "{text}"
    );
    assert!(
        text.contains(r#""dispatchedAmount":13.13,"dispatchedQuantity":9"#),
        "{text}"
    );
    assert!(text.ends_with(r#""idDispatch":"1524-000001"}"#), "{text}");
    let t: Value = c
        .get(format!("{base}/_payrig/v1/transactions/{key}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<u64> = t["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["state_id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![1, 5, 2, 4, 7, 9, 10]);
    s.shutdown().await;
}

#[tokio::test]
async fn cancel_before_lift_and_cancel_codes_over_http() {
    let s = server(
        ClockMode::Virtual,
        "[[ationet.site]]\ncode = \"1524\"\n[ationet.site.customer]\nlift_delay = \"never\"\n",
    )
    .await;
    let base = s.base_url();
    let c = client();
    post(
        &c,
        &format!("{base}/api/MobilePayments"),
        create_body("k1", "9"),
    )
    .await;
    control(&c, &base, "/clock/advance", json!({"by_ms": 3000})).await;
    let (st, body) = post(
        &c,
        &format!("{base}/api/MobilePayments/Cancel"),
        r#"{"transactionId":"k1"}"#.into(),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(
        body,
        r#"{"transactionId":"k1","isSuccessCanceled":true,"responseCode":"00000","responseMessage":"Successfully Canceled"}"#
    );
    let (_, again) = post(
        &c,
        &format!("{base}/api/MobilePayments/Cancel"),
        r#"{"transactionId":"k1"}"#.into(),
    )
    .await;
    assert!(again.contains(r#""responseCode":"04008""#), "{again}");
    let (_, unknown) = post(
        &c,
        &format!("{base}/api/MobilePayments/Cancel"),
        r#"{"transactionId":"nope"}"#.into(),
    )
    .await;
    assert!(unknown.contains(r#""isSuccessCanceled":false,"responseCode":"04007""#));
    control(&c, &base, "/clock/advance", json!({"until_idle": true})).await;
    let t: Value = c
        .get(format!("{base}/_payrig/v1/transactions/k1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(t["state_id"], 13);
    s.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_problems_and_changes_nothing() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let c = client();
    let url = format!("{base}/api/MobilePayments");
    let cases: Vec<(String, u16, &str, &str)> = vec![
        ("{".into(), 400, "malformed_json", "$"),
        ("[1,2]".into(), 400, "malformed_json", "$"),
        (create_body("k", "\"nine\""), 400, "invalid_type", "amount"),
        (create_body("k", "-1"), 400, "invalid_value", "amount"),
        (create_body("k", "0"), 400, "invalid_value", "amount"),
        (create_body("k", "\"NaN\""), 400, "invalid_type", "amount"),
        (create_body("k", "1e400"), 400, "invalid_value", "amount"),
        (create_body("k", "9.0001"), 400, "invalid_value", "amount"),
        (create_body("k", "1000.5"), 400, "invalid_value", "amount"),
        (
            r#"{"siteCode":"1524","pumpNumber":1}"#.into(),
            400,
            "missing_field",
            "amount",
        ),
        (
            create_body("k", "9").replace(r#""pumpNumber":1"#, r#""pumpNumber":"x""#),
            400,
            "invalid_type",
            "pumpNumber",
        ),
        (
            create_body("k", "9")
                .replace(r#""fuelCode""#, r#""amount":9,"FUELCODE":"3","fuelCode""#),
            400,
            "duplicate_field",
            "amount",
        ),
    ];
    for (body, status, code, key) in cases {
        let (st, text) = post(&c, &url, body.clone()).await;
        assert_eq!(st, status, "{body} -> {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["status"], status);
        assert!(
            v["errors"].get(key).is_some(),
            "{body}: errors must name `{key}`: {text}"
        );
        let first = v["errors"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .clone();
        if first == key {
            assert_eq!(v["code"], code, "{body} -> {text}");
        }
    }
    // Auth: missing, wrong scheme, wrong token.
    for auth in [None, Some("Basic x"), Some("Bearer atn-test-7f3c9a1f")] {
        let mut rb = c
            .post(&url)
            .header("content-type", "application/json")
            .body(create_body("k", "9"));
        if let Some(a) = auth {
            rb = rb.header("authorization", a);
        }
        let r = rb.send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["code"], "unauthorized");
        assert!(v["errors"].get("Authorization").is_some());
    }
    // Nothing was created by any of it.
    let entries = journal(&c, &base).await;
    assert_eq!(count_sim(&entries, "create", |_| true), 0);
    let r = c
        .get(format!("{base}/_payrig/v1/transactions/k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // And the key is still free.
    let (st, _) = post(&c, &url, create_body("k", "9")).await;
    assert_eq!(st, 200);
    s.shutdown().await;
}

#[tokio::test]
async fn order_of_checks_404_405_413_415() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let c = client();
    let r = c.get(format!("{base}/api/nothing")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = c
        .get(format!("{base}/api/MobilePayments"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let big = "x".repeat(70 * 1024);
    let r = c
        .post(format!("{base}/api/MobilePayments"))
        .header("authorization", TOKEN)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let r = c
        .post(format!("{base}/api/MobilePayments"))
        .header("authorization", TOKEN)
        .header("content-type", "text/plain")
        .body(create_body("k", "9"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // Prompting is off: the endpoint does not exist (ATN-S-019).
    let r = c
        .post(format!("{base}/api/MobilePayments/PromptPreauthorizations"))
        .header("authorization", TOKEN)
        .header("content-type", "application/json")
        .body(r#"{"idTransaction":"x","customerData":{}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    s.shutdown().await;
}

#[tokio::test]
async fn hundred_concurrent_creates_with_one_key_make_one_transaction() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let c = client();
    let url = format!("{base}/api/MobilePayments");
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let c = c.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            post(&c, &url, create_body("same-key", "9")).await
        }));
    }
    for t in tasks {
        let (st, body) = t.await.unwrap();
        assert_eq!(st, 200);
        assert_eq!(body, r#"{"transactionId":"same-key"}"#);
    }
    control(&c, &base, "/clock/advance", json!({"by_ms": 1000})).await;
    let entries = journal(&c, &base).await;
    assert_eq!(count_sim(&entries, "create", |_| true), 1);
    assert_eq!(
        count_sim(&entries, "to_site", |e| e["data"]["command"] == "Reserve"),
        1
    );
    s.shutdown().await;
}

#[tokio::test]
async fn gzip_only_when_allowed() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let c = reqwest::Client::builder().no_gzip().build().unwrap();
    post(
        &c,
        &format!("{base}/api/MobilePayments"),
        create_body("g", "9"),
    )
    .await;
    let url = format!("{base}/api/MobilePayments/GetTransaction/g");
    let r = c
        .get(&url)
        .header("authorization", TOKEN)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers().get("content-encoding").unwrap(), "gzip");
    let r = c
        .get(&url)
        .header("authorization", TOKEN)
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    s.shutdown().await;
}

#[tokio::test]
async fn wall_clock_drives_a_fast_site_to_completion() {
    let toml = r#"
[ationet]
step_delay = "5ms"
pfep_latency = "5ms"
[[ationet.site]]
code = "1524"
reply_delay = "5ms"
[ationet.site.customer]
lift_delay = "10ms"
motor_delay = "10ms"
hangup_delay = "10ms"
progress_interval = "50ms"
flow = "6000 L/min"
"#;
    let s = server(ClockMode::Wall, toml).await;
    let base = s.base_url();
    let c = client();
    post(
        &c,
        &format!("{base}/api/MobilePayments"),
        create_body("w", "1"),
    )
    .await;
    let mut state = Value::Null;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        let t: Value = c
            .get(format!("{base}/_payrig/v1/transactions/w"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        state = t["state_id"].clone();
        if state == 10 {
            break;
        }
    }
    assert_eq!(state, 10);
    // The virtual clock API refuses on a wall clock.
    let r = c
        .post(format!("{base}/_payrig/v1/clock/advance"))
        .json(&json!({"by_ms": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    s.shutdown().await;
}

#[tokio::test]
async fn control_reset_pumps_and_sessions() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let c = client();
    let h: Value = c
        .get(format!("{base}/_payrig/v1/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["clock"], "virtual");
    let r = c
        .post(format!("{base}/_payrig/v1/reset"))
        .json(&json!({"scenario_toml": "[ationet]\nstep_delay = \"soon\""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("step_delay"));
    control(
        &c,
        &base,
        "/reset",
        json!({"seed": 9, "scenario_toml": "[ationet]\nprompting = true"}),
    )
    .await;
    control(
        &c,
        &base,
        "/devices/pump/2/faults",
        json!({"kind": "offline"}),
    )
    .await;
    let p: Value = c
        .get(format!("{base}/_payrig/v1/pumps/2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["state_id"], 1);
    let lifted = control(
        &c,
        &base,
        "/pumps/3/nozzle",
        json!({"action": "lift", "nozzle": 1}),
    )
    .await;
    assert_eq!(lifted["state"], "Calling");
    control(&c, &base, "/sites/1524/session", json!({"up": false})).await;
    post(
        &c,
        &format!("{base}/api/MobilePayments"),
        create_body("s", "9"),
    )
    .await;
    control(&c, &base, "/clock/advance", json!({"until_idle": true})).await;
    let t: Value = c
        .get(format!("{base}/_payrig/v1/transactions/s"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(t["state_id"], 16);
    s.shutdown().await;
}

#[tokio::test]
async fn wire_faults_status_drop_malformed_delay() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let c = client();
    let url = format!("{base}/api/MobilePayments");
    let rule = |action: Value| json!({"match": {"protocol": "ationet", "op": "MobilePayments"}, "action": action, "times": 1});
    // status: processed and committed, but the client sees a 503 with Retry-After.
    control(
        &c,
        &base,
        "/faults",
        rule(json!({"kind": "status", "code": 503, "retry_after": 2})),
    )
    .await;
    let r = c
        .post(&url)
        .header("authorization", TOKEN)
        .header("content-type", "application/json")
        .body(create_body("f1", "9"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "2");
    // The identical retry gets the stored id (ATN-C-003's happy case).
    let (st, body) = post(&c, &url, create_body("f1", "9")).await;
    assert_eq!((st, body.as_str()), (200, r#"{"transactionId":"f1"}"#));
    // drop_request: closed before processing, nothing created.
    control(&c, &base, "/faults", rule(json!({"kind": "drop_request"}))).await;
    let r = c
        .post(&url)
        .header("authorization", TOKEN)
        .header("content-type", "application/json")
        .body(create_body("f2", "9"))
        .send()
        .await;
    assert!(r.is_err() || r.unwrap().text().await.is_err());
    let t = c
        .get(format!("{base}/_payrig/v1/transactions/f2"))
        .send()
        .await
        .unwrap();
    assert_eq!(t.status(), 404);
    // malformed_body: a valid status with a cut body.
    control(
        &c,
        &base,
        "/faults",
        rule(json!({"kind": "malformed_body", "mode": "truncate"})),
    )
    .await;
    let (st, body) = post(&c, &url, create_body("f3", "9")).await;
    assert_eq!(st, 200);
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
    // delay_fixed: the answer waits.
    control(
        &c,
        &base,
        "/faults",
        rule(json!({"kind": "delay_fixed", "ms": 120})),
    )
    .await;
    let t0 = std::time::Instant::now();
    let (st, _) = post(&c, &url, create_body("f4", "9")).await;
    assert_eq!(st, 200);
    assert!(t0.elapsed() >= Duration::from_millis(120));
    // Unsupported kinds are refused with the reason.
    let r = c
        .post(format!("{base}/_payrig/v1/faults"))
        .json(&rule(json!({"kind": "duplicate", "copies": 2})))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let entries = journal(&c, &base).await;
    let applied = entries
        .iter()
        .filter(|e| e["kind"] == "fault_applied")
        .count();
    assert_eq!(applied, 4);
    s.shutdown().await;
}

#[tokio::test]
async fn wire_faults_from_a_scenario_toml() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let c = client();
    // A bad rule refuses the reset and changes nothing.
    let r = c
        .post(format!("{base}/_payrig/v1/reset"))
        .json(&json!({"scenario_toml": "[[wire_fault]]\naction = { kind = \"status\", code = 99 }\n"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let toml = "[[wire_fault]]\nmatch = { protocol = \"ationet\", op = \"MobilePayments\" }\naction = { kind = \"status\", code = 503 }\ntimes = 1\n";
    control(&c, &base, "/reset", json!({"scenario_toml": toml})).await;
    let (st, _) = post(
        &c,
        &format!("{base}/api/MobilePayments"),
        create_body("w1", "9"),
    )
    .await;
    assert_eq!(st, 503);
    let (st, _) = post(
        &c,
        &format!("{base}/api/MobilePayments"),
        create_body("w1", "9"),
    )
    .await;
    assert_eq!(st, 200);
    s.shutdown().await;
}
