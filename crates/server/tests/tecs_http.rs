//! End-to-end: TECS makeTransaction over real HTTP on 127.0.0.1, virtual clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use payrig_server::{start, ClockMode, RunningServer, ServerConfig};
use payrig_world::tecs::TecsConfig;
use serde_json::{json, Value};

const AUTH: &str = "Bearer tecs-test-token";

async fn server(clock: ClockMode, toml: &str) -> RunningServer {
    start(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        clock,
        seed: 3,
        ationet: Default::default(),
        tecs: TecsConfig::from_toml(toml).unwrap(),
        control: true,
        control_token: None,
        journal_capacity: payrig_server::journal::DEFAULT_CAPACITY,
    })
    .await
    .unwrap()
}

fn sale(id: &str, amount: &str) -> Value {
    json!({"amount": amount, "card_number": "", "currency": "EUR", "desired_currency": "EUR",
           "language": "EN", "message_type": "0001", "payment_reason": "Test Sale",
           "receipt_layout": "01", "receipt_number": "1", "terminal_number": "88091105",
           "transaction_date_time": "20240521190912", "transaction_id": id,
           "transaction_origin_identifier": "1", "transaction_origin_indicator": "0",
           "transaction_place": "1010", "transaction_source_id": "1", "ecr_data": "till 7"})
}

async fn make(base: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/tecsclientrest-auth/makeTransaction"))
        .header("authorization", AUTH)
        .json(&body)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap())
}

async fn advance(base: &str) {
    let r = reqwest::Client::new()
        .post(format!("{base}/_payrig/v1/clock/advance"))
        .json(&json!({"until_idle": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// Sends a blocking makeTransaction and drives the virtual clock until it is answered.
async fn run(base: &str, body: Value) -> (u16, Value) {
    let b = base.to_owned();
    let call = tokio::spawn(async move { make(&b, body).await });
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        advance(base).await;
        if call.is_finished() {
            break;
        }
    }
    call.await.unwrap()
}

#[tokio::test]
async fn sale_blocks_until_card_and_host_then_answers() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let (st, r) = run(&base, sale("20240521190912161", "1255")).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["response_code"], "0000");
    assert_eq!(r["message_type"], "0002");
    assert_eq!(r["transaction_type"], "01");
    assert_eq!(r["ecr_data"], "till 7");
    assert_eq!(r["card_number"], "411111******1111_2712");
    assert_eq!(r.as_object().unwrap().len(), 26);
    // Cancel it (0013, TXID short form): orig_tx_id and orig_stan come back.
    let mut c = sale("20240521191500001", "1255");
    c["message_type"] = json!("0013");
    c["transaction_origin_identifier"] = json!("2");
    c["card_number"] = json!("TXID00020240521190912161");
    let (st, r2) = run(&base, c).await;
    assert_eq!(
        (st, r2["response_code"].as_str()),
        (200, Some("0000")),
        "{r2}"
    );
    assert_eq!(r2["transaction_type"], "04");
    assert_eq!(r2["orig_tx_id"], "20240521190912161");
    assert_eq!(r2["orig_stan"], r["stan"]);
    s.shutdown().await;
}

#[tokio::test]
async fn version_under_both_bases_and_auth_forms() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let c = reqwest::Client::new();
    for b in ["/tecsclientrest", "/tecsclientrest-auth"] {
        let v: Value = c
            .get(format!("{base}{b}/version"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["appName"], "tecsclientrest");
    }
    for auth in [Some("nope"), Some("Bearer nope"), None] {
        let mut rb = c
            .post(format!("{base}/tecsclientrest/makeTransaction"))
            .json(&sale("A1", "100"));
        if let Some(a) = auth {
            rb = rb.header("authorization", a);
        }
        let r = rb.send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(
            r.headers()["www-authenticate"],
            "Basic realm=\"tecsclientrest\""
        );
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["response_code"], "3401");
    }
    let r = c
        .get(format!("{base}/tecsclientrest/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    s.shutdown().await;
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_and_changes_nothing() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (json!({"amount": "12.55"}), 400, "3001", "amount"),
        (json!({"amount": "-1"}), 400, "3001", "amount"),
        (json!({"amount": 1255}), 400, "3001", "amount"),
        (
            json!({"transaction_date_time": "2024-05-21"}),
            400,
            "3001",
            "transaction_date_time",
        ),
        (json!({"message_type": "0005"}), 400, "3005", ""),
        (
            json!({"message_type": "0013", "card_number": "TXID0000000000000000000001_01"}),
            400,
            "3001",
            "card_number",
        ),
        (
            json!({"terminal_number": "1234"}),
            400,
            "3001",
            "terminal_number",
        ),
        (json!({"terminal_number": "99999999"}), 400, "3004", ""),
        (json!({"currency": "XXX"}), 400, "3001", "currency"),
    ];
    for (patch, status, code, field) in cases {
        let mut b = sale("BAD1", "1255");
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (st, r) = make(&base, b.clone()).await;
        assert_eq!(
            (st, r["response_code"].as_str()),
            (status, Some(code)),
            "{b} -> {r}"
        );
        assert!(
            r["response_text"]
                .as_str()
                .unwrap()
                .contains(&field.to_uppercase())
                || r["response_text"].as_str().unwrap().contains(field),
            "{r}"
        );
    }
    let t: Value = reqwest::get(format!("{base}/_payrig/v1/terminals/88091105"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(t["records"].as_array().unwrap().len(), 0, "{t}");
    s.shutdown().await;
}

#[tokio::test]
async fn busy_terminal_gets_3003_and_dropped_response_is_undelivered_but_kept() {
    let s = server(ClockMode::Virtual, "").await;
    let base = s.base_url();
    let c = reqwest::Client::new();
    let r = c
        .post(format!("{base}/_payrig/v1/faults"))
        .json(
            &json!({"match": {"protocol": "tecs", "op": "makeTransaction"},
                      "action": {"kind": "close_before_response"}, "times": 1}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let b = base.clone();
    let first = tokio::spawn(async move {
        reqwest::Client::new()
            .post(format!("{b}/tecsclientrest/makeTransaction"))
            .header("authorization", AUTH)
            .json(&sale("L1", "1255"))
            .send()
            .await
            .map(|r| r.status())
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    // A second request on the same terminal while the first waits for a card.
    let (st, busy) = make(&base, sale("L2", "100")).await;
    assert_eq!((st, busy["response_code"].as_str()), (400, Some("3003")));
    for _ in 0..50 {
        advance(&base).await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        if first.is_finished() {
            break;
        }
    }
    let got = first.await.unwrap();
    // The connection was closed without a complete response.
    let complete = matches!(&got, Ok(st) if st.is_success());
    let t: Value = reqwest::get(format!("{base}/_payrig/v1/terminals/88091105"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rec = &t["records"][0];
    assert_eq!(rec["transaction_id"], "L1");
    assert_eq!(rec["status"], "approved");
    assert_eq!(
        rec["response_undelivered"], true,
        "{t} (client saw {got:?}, complete={complete})"
    );
    let acq: Value = reqwest::get(format!(
        "{base}/_payrig/v1/acquirer/records?terminal=88091105"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(acq["records"].as_array().unwrap().len(), 1);
    let j: Value = reqwest::get(format!("{base}/_payrig/v1/journal?kind=fault_applied"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(j["entries"][0]["fault"], "close_before_response");
    // "L2" was never recorded: a busy refusal consumes no id (TEC-S-016).
    assert_eq!(t["records"].as_array().unwrap().len(), 1);
    s.shutdown().await;
}

#[tokio::test]
async fn wall_clock_sale_completes() {
    let toml = r#"
[tecs]
acquirer_profile = "off"
[[tecs.terminal]]
number = "88091105"
customer = { card = "tecs_visa", present_after = "10ms", pin_after = "10ms" }
"#;
    let s = server(ClockMode::Wall, toml).await;
    let (st, r) = make(&s.base_url(), sale("W1", "1000")).await;
    assert_eq!(
        (st, r["response_code"].as_str()),
        (200, Some("0000")),
        "{r}"
    );
    s.shutdown().await;
}

/// With every simulated step instant, a sale is answered by the request itself: no clock
/// advance (virtual time never moves here), no round trip through the clock task. The
/// journal still holds the sale's simulated events, rendered when read.
#[tokio::test]
async fn an_instant_sale_answers_without_the_clock() {
    let toml = format!(
        "{}\n[[tecs.terminal]]\nnumber = \"88091105\"\n\
         customer = {{ card = \"tecs_visa\", present_after = \"0ms\", pin_after = \"0ms\", tip = \"none\" }}\n",
        include_str!("../../../fixtures/tecs/scenarios/instant-approve.toml")
    );
    let s = server(ClockMode::Virtual, &toml).await;
    let base = s.base_url();
    let (st, r) = make(&base, sale("20240521190912177", "1255")).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["response_code"], "0000", "{r}");
    let j = s.journal_snapshot();
    let reader_lines = j
        .iter()
        .filter(|e| e.op.as_deref() == Some("reader"))
        .filter_map(|e| e.data.as_ref()?.get("value")?.as_str().map(str::to_owned))
        .collect::<Vec<_>>();
    assert!(
        reader_lines
            .iter()
            .any(|l| l.contains("\"kind\":\"card_data\"")),
        "{reader_lines:#?}"
    );
    // The PAN is masked in the rendered line, as it was when rendered eagerly.
    assert!(reader_lines.iter().all(|l| !l.contains("4111111111111111")));
    let states = j
        .iter()
        .filter(|e| e.op.as_deref() == Some("state"))
        .count();
    assert!(states >= 4, "state changes journaled: {states}");
}
