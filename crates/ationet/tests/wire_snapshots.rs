//! Every wire sample in fixtures/ationet decodes and re-encodes (ARCHITECTURE.md, Tests).
//!
//! Requests: decoded by the server's decoders (Debug snapshot of the domain value), re-encoded
//! by the client's wire structs (JSON snapshot; byte-equal to the compact spec samples).
//! Responses: decoded by the client-side structs, re-encoded by the server-side encoders from
//! the equivalent domain value, and compared byte for byte with the spec sample.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use payrig_ationet::domain::{CreateKind, Problem, TransactionSnapshot};
use payrig_ationet::state::{CancelCode, StateId};
use payrig_ationet::wire::{
    decode_cancel, decode_create, decode_prompt, encode_cancel_response, encode_create_request,
    encode_create_response, encode_problem, encode_prompt_response, encode_transaction,
    CancelRequestWire, CancelResponse, CreateResponse, GetTransactionResponse, ProblemBody,
    PromptRequestWire,
};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ationet")
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// A fixture without its final newline: the exact body.
fn body(name: &str) -> Vec<u8> {
    let mut b = bytes(name);
    while b.last() == Some(&b'\n') {
        b.pop();
    }
    b
}

fn utf8(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

const FIXTURES: &[&str] = &[
    "seed_mobile_payments.request.json",
    "seed_preauthorized_payments.request.json",
    "seed_get_transaction.request.json",
    "seed_cancel.request.json",
    "mobile_payments.request.json",
    "mobile_payments.response.json",
    "preauthorized_payments.request.json",
    "preauthorized_payments.response.json",
    "get_transaction.response.json",
    "cancel.request.json",
    "cancel.response.json",
    "cancel_fueling.response.json",
    "prompt.request.json",
    "prompt.response.json",
    "prompting_needed.payment_processor_message.json",
    "problem_amount.response.json",
];

#[test]
fn every_fixture_is_covered_and_listed_in_the_readme() {
    let readme = utf8(&bytes("README.md"));
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap())
        // Sub-folders (scenario TOMLs) are not wire samples.
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().into_string().unwrap())
        .filter(|n| n != "README.md")
        .collect();
    on_disk.sort();
    let mut known: Vec<String> = FIXTURES.iter().map(|s| (*s).to_owned()).collect();
    known.sort();
    assert_eq!(on_disk, known, "fixtures on disk vs. covered by this test");
    for f in FIXTURES {
        assert!(
            readme.contains(&format!("`{f}`")),
            "README.md does not list {f}"
        );
    }
}

// ---- requests -------------------------------------------------------------------------------

#[test]
fn seed_mobile_payments_request() {
    let req = decode_create(
        CreateKind::MobilePayments,
        &bytes("seed_mobile_payments.request.json"),
    )
    .unwrap();
    insta::assert_debug_snapshot!("seed_mobile_payments_request_decoded", req);
    insta::assert_snapshot!(
        "seed_mobile_payments_request_encoded",
        utf8(&encode_create_request(&req))
    );
    // The seed's sample and the spec's 3.1 sample are the same request.
    let spec = decode_create(
        CreateKind::MobilePayments,
        &bytes("mobile_payments.request.json"),
    )
    .unwrap();
    assert!(req.same_body(&spec));
}

#[test]
fn seed_preauthorized_payments_request() {
    let req = decode_create(
        CreateKind::PreAuthorizedPayments,
        &bytes("seed_preauthorized_payments.request.json"),
    )
    .unwrap();
    insta::assert_debug_snapshot!("seed_preauthorized_payments_request_decoded", req);
    insta::assert_snapshot!(
        "seed_preauthorized_payments_request_encoded",
        utf8(&encode_create_request(&req))
    );
}

#[test]
fn spec_mobile_payments_request_round_trips() {
    let fixture = body("mobile_payments.request.json");
    let req = decode_create(CreateKind::MobilePayments, &fixture).unwrap();
    insta::assert_debug_snapshot!("mobile_payments_request_decoded", req);
    assert_eq!(utf8(&encode_create_request(&req)), utf8(&fixture));
}

#[test]
fn spec_preauthorized_payments_request_round_trips() {
    let fixture = body("preauthorized_payments.request.json");
    let req = decode_create(CreateKind::PreAuthorizedPayments, &fixture).unwrap();
    insta::assert_debug_snapshot!("preauthorized_payments_request_decoded", req);
    assert_eq!(utf8(&encode_create_request(&req)), utf8(&fixture));
}

#[test]
fn cancel_requests_round_trip() {
    let fixture = body("cancel.request.json");
    let req = decode_cancel(&fixture).unwrap();
    insta::assert_debug_snapshot!("cancel_request_decoded", req);
    assert_eq!(
        utf8(&CancelRequestWire::from(&req).encode()),
        utf8(&fixture)
    );

    let seed = decode_cancel(&bytes("seed_cancel.request.json")).unwrap();
    insta::assert_debug_snapshot!("seed_cancel_request_decoded", seed);
    insta::assert_snapshot!(
        "seed_cancel_request_encoded",
        utf8(&CancelRequestWire::from(&seed).encode())
    );
}

#[test]
fn prompt_request_round_trips() {
    let fixture = body("prompt.request.json");
    let req = decode_prompt(&fixture).unwrap();
    insta::assert_debug_snapshot!("prompt_request_decoded", req);
    assert_eq!(
        utf8(&PromptRequestWire::from(&req).encode()),
        utf8(&fixture)
    );
}

#[test]
fn seed_get_transaction_body_is_not_json() {
    // D11: GetTransaction takes its id from the path; the seed's body is not even JSON, and a
    // server must ignore it rather than parse it. Were it parsed, it would be malformed_json.
    let raw = bytes("seed_get_transaction.request.json");
    assert!(serde_json::from_slice::<serde_json::Value>(&raw).is_err());
    let problem = decode_cancel(&raw).unwrap_err();
    assert_eq!(problem.errors.keys().collect::<Vec<_>>(), ["$"]);
}

// ---- responses ------------------------------------------------------------------------------

#[test]
fn create_responses_round_trip() {
    for name in [
        "mobile_payments.response.json",
        "preauthorized_payments.response.json",
    ] {
        let fixture = body(name);
        let resp: CreateResponse = serde_json::from_slice(&fixture).unwrap();
        assert_eq!(
            utf8(&encode_create_response(&resp.transaction_id)),
            utf8(&fixture),
            "{name}"
        );
    }
}

#[test]
fn get_transaction_response_round_trips_byte_for_byte() {
    let fixture = body("get_transaction.response.json");
    let resp: GetTransactionResponse = serde_json::from_slice(&fixture).unwrap();
    // Through the struct the server encodes with: exact.
    assert_eq!(utf8(&resp.encode()), utf8(&fixture));

    // Through the domain: exact but for createDateTime, whose 100 ns digits the
    // millisecond Timestamp cannot hold (6157799 -> 6150000).
    let snap: TransactionSnapshot = resp.to_snapshot().unwrap();
    assert_eq!(snap.state, StateId::Complete);
    insta::assert_debug_snapshot!("get_transaction_response_snapshot", snap);
    let encoded = utf8(&encode_transaction(&snap));
    assert_eq!(
        encoded,
        utf8(&fixture).replace("13:43:16.6157799", "13:43:16.6150000")
    );
    insta::assert_snapshot!("get_transaction_response_encoded", encoded);
}

#[test]
fn prompting_needed_transaction_carries_the_flags_as_a_string() {
    let message = utf8(&body("prompting_needed.payment_processor_message.json"));
    let flags: std::collections::BTreeMap<String, String> = serde_json::from_str(&message).unwrap();
    assert_eq!(flags["PromptOdometer"], "true");
    let fixture = body("get_transaction.response.json");
    let resp: GetTransactionResponse = serde_json::from_slice(&fixture).unwrap();
    let mut snap = resp.to_snapshot().unwrap();
    snap.state = StateId::PromptingNeeded;
    snap.payment_processor_message = Some(message.clone());
    snap.id_dispatch = None;
    let encoded = utf8(&encode_transaction(&snap));
    insta::assert_snapshot!("prompting_needed_transaction_encoded", encoded);
    let back: GetTransactionResponse = serde_json::from_str(&encoded).unwrap();
    assert_eq!(back.payment_processor_message.as_deref(), Some(&*message));
    assert_eq!(back.state(), Some(StateId::PromptingNeeded));
}

#[test]
fn cancel_responses_round_trip() {
    for (name, expected) in [
        ("cancel.response.json", CancelCode::Success),
        ("cancel_fueling.response.json", CancelCode::DispenserFueling),
    ] {
        let fixture = body(name);
        let resp: CancelResponse = serde_json::from_slice(&fixture).unwrap();
        let code = resp.cancel_code().unwrap();
        assert_eq!(code, expected, "{name}");
        assert_eq!(resp.is_success_canceled, code.is_success());
        assert_eq!(
            utf8(&encode_cancel_response(&resp.transaction_id, code, "00000")),
            utf8(&fixture),
            "{name}"
        );
    }
}

#[test]
fn prompt_response_round_trips() {
    assert_eq!(encode_prompt_response(), body("prompt.response.json"));
}

#[test]
fn problem_response_round_trips() {
    let fixture = body("problem_amount.response.json");
    let resp: ProblemBody = serde_json::from_slice(&fixture).unwrap();
    let problem = resp.to_problem().unwrap();
    insta::assert_debug_snapshot!("problem_amount_decoded", problem);
    assert_eq!(utf8(&encode_problem(&problem)), utf8(&fixture));
    // And the same body from the decoder itself (ATN-S-018).
    let bad = utf8(&body("mobile_payments.request.json")).replace("\"amount\":9", "\"amount\":0");
    let decoded = decode_create(CreateKind::MobilePayments, bad.as_bytes()).unwrap_err();
    assert_eq!(utf8(&encode_problem(&decoded)), utf8(&fixture));
}

/// The problem body of each section 5 case this layer produces, one line per case.
#[test]
fn problem_bodies() {
    let mobile = utf8(&body("mobile_payments.request.json"));
    let preauth = utf8(&body("preauthorized_payments.request.json"));
    let m = |from: &str, to: &str| mobile.replacen(from, to, 1);
    let cases: Vec<(&str, CreateKind, String)> = vec![
        (
            "not JSON",
            CreateKind::MobilePayments,
            "{\"siteCode\":".into(),
        ),
        ("not an object", CreateKind::MobilePayments, "[1,2]".into()),
        ("empty object", CreateKind::MobilePayments, "{}".into()),
        ("null", CreateKind::MobilePayments, m("\"1524\"", "null")),
        (
            "wrong type",
            CreateKind::MobilePayments,
            m("\"pumpNumber\":1", "\"pumpNumber\":true"),
        ),
        (
            "amount 0",
            CreateKind::MobilePayments,
            m("\"amount\":9", "\"amount\":0"),
        ),
        (
            "amount negative",
            CreateKind::MobilePayments,
            m("\"amount\":9", "\"amount\":-9"),
        ),
        (
            "amount 9.0001",
            CreateKind::MobilePayments,
            m("\"amount\":9", "\"amount\":9.0001"),
        ),
        (
            "amount 1e400",
            CreateKind::MobilePayments,
            m("\"amount\":9", "\"amount\":1e400"),
        ),
        (
            "amount \"NaN\"",
            CreateKind::MobilePayments,
            m("\"amount\":9", "\"amount\":\"NaN\""),
        ),
        (
            "pattern",
            CreateKind::MobilePayments,
            m("5734cbb9-", "5734cbb9/"),
        ),
        (
            "duplicate",
            CreateKind::MobilePayments,
            m("\"fuelCode\"", "\"FUELCODE\":\"3\",\"fuelCode\""),
        ),
        (
            "both external spellings differ",
            CreateKind::PreAuthorizedPayments,
            preauth.replacen("}", ",\"externalReferenceID\":\"854713\"}", 1),
        ),
        (
            "several at once",
            CreateKind::MobilePayments,
            m("\"siteCode\":\"1524\"", "\"siteCode\":\"\",\"SITECODE\":1")
                .replacen("\"amount\":9", "\"amount\":0.0001", 1)
                .replacen("\"mobilePaymentMode\":1", "\"mobilePaymentMode\":2", 1),
        ),
    ];
    let mut out = String::new();
    for (label, kind, body) in &cases {
        let problem: Problem = decode_create(*kind, body.as_bytes()).unwrap_err();
        out.push_str(&format!("{label}\n  {}\n", utf8(&encode_problem(&problem))));
    }
    for (label, body) in [
        ("cancel missing", "{}"),
        ("cancel wrong type", "{\"transactionId\":1}"),
    ] {
        let problem = decode_cancel(body.as_bytes()).unwrap_err();
        out.push_str(&format!("{label}\n  {}\n", utf8(&encode_problem(&problem))));
    }
    let problem = decode_prompt(
        br#"{"idTransaction":"e0593f2d","customerData":{"Odometer":"15x","DriverId":7}}"#,
    )
    .unwrap_err();
    out.push_str(&format!(
        "prompt answers\n  {}\n",
        utf8(&encode_problem(&problem))
    ));
    for code in [
        payrig_ationet::ProblemCode::NotFound,
        payrig_ationet::ProblemCode::MethodNotAllowed,
        payrig_ationet::ProblemCode::PayloadTooLarge,
        payrig_ationet::ProblemCode::UnsupportedMediaType,
    ] {
        let problem = Problem::bare(code);
        out.push_str(&format!(
            "bare {}\n  {}\n",
            code.as_str(),
            utf8(&encode_problem(&problem))
        ));
    }
    for (field, code, message) in [
        (
            "Authorization",
            payrig_ationet::ProblemCode::Unauthorized,
            "a Bearer token is required",
        ),
        (
            "id",
            payrig_ationet::ProblemCode::UnknownTransaction,
            "no such transaction",
        ),
        (
            "potencyKeyId",
            payrig_ationet::ProblemCode::IdempotencyKeyReused,
            "was used with another body",
        ),
        (
            "idTransaction",
            payrig_ationet::ProblemCode::InvalidState,
            "is not waiting for prompts",
        ),
    ] {
        let problem = Problem::field(field, code, message);
        out.push_str(&format!(
            "{}\n  {}\n",
            code.as_str(),
            utf8(&encode_problem(&problem))
        ));
    }
    insta::assert_snapshot!("problem_bodies", out);
}
