//! Every wire sample in fixtures/tecs decodes and re-encodes (ARCHITECTURE.md, Tests).
//!
//! Requests: parsed into `TransactionRequest` (Debug snapshot), validated into a domain
//! `Request` or a 3001 problem (Debug snapshot), and re-encoded (byte-equal to the compact
//! spec samples; snapshot for the verbatim seed samples). Responses: decoded and re-encoded byte
//! for byte; the sale, busy, cancel and capture responses are also produced by driving the
//! terminal machine through the spec's flows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use payrig_core::{Machine, Timestamp};
use payrig_tecs::messages::{
    AcquirerAnswer, CardData, Cvm, Entry, Input, Output, ReaderEvent, TerminalConfig,
};
use payrig_tecs::wire::{decode_request, TransactionRequest, TransactionResponse, VersionResponse};
use payrig_tecs::{Request, Terminal};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tecs")
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// A fixture without its final newline: the exact body.
fn body(name: &str) -> String {
    String::from_utf8(bytes(name))
        .unwrap()
        .trim_end_matches('\n')
        .to_owned()
}

fn utf8(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap()
}

const FIXTURES: &[&str] = &[
    "seed_sale.request.json",
    "seed_moto.request.json",
    "seed_cancel.request.json",
    "seed_referenced_refund.request.json",
    "sale.request.json",
    "sale.response.json",
    "cancel.request.json",
    "preauth.request.json",
    "capture.request.json",
    "busy.request.json",
    "busy.response.json",
    "version.response.json",
];

#[test]
fn every_fixture_is_covered_and_listed_in_the_readme() {
    let readme = body("README.md");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
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
fn seed_requests_parse_and_validate() {
    for name in [
        "seed_sale",
        "seed_moto",
        "seed_cancel",
        "seed_referenced_refund",
    ] {
        let raw = bytes(&format!("{name}.request.json"));
        let wire = TransactionRequest::parse(&raw).unwrap();
        insta::assert_debug_snapshot!(format!("{name}_parsed"), wire);
        // Compact re-encoding: same members, same (alphabetical) order as the seed.
        let encoded = utf8(wire.encode());
        let reparsed: serde_json::Value = serde_json::from_str(&encoded).unwrap();
        let original: serde_json::Value = serde_json::from_slice(&raw).unwrap();
        assert_eq!(reparsed, original, "{name}");
        insta::assert_snapshot!(format!("{name}_encoded"), encoded);
        let validated = Request::from_wire(&wire);
        insta::assert_debug_snapshot!(format!("{name}_validated"), validated);
    }
}

#[test]
fn seed_placeholders_are_3001_and_the_referenced_refund_is_valid() {
    let p = decode_request(&bytes("seed_sale.request.json"))
        .unwrap_err()
        .0;
    assert_eq!(p.response_text(), "INVALID FIELD amount");
    let r = decode_request(&bytes("seed_referenced_refund.request.json")).unwrap();
    assert_eq!(r.amount.to_major_string(), "1.01");
    assert!(matches!(
        r.operation,
        payrig_tecs::Operation::ReferencedRefund { ref reference } if reference.matches("1451003")
    ));
}

#[test]
fn spec_requests_round_trip_byte_for_byte() {
    for name in ["sale", "cancel", "preauth", "capture", "busy"] {
        let fixture = body(&format!("{name}.request.json"));
        let request = decode_request(fixture.as_bytes()).unwrap();
        insta::assert_debug_snapshot!(format!("{name}_request_decoded"), request.operation);
        assert_eq!(utf8(request.wire.encode()), fixture, "{name}");
    }
}

// ---- responses ------------------------------------------------------------------------------

#[test]
fn responses_round_trip_byte_for_byte() {
    for name in ["sale.response.json", "busy.response.json"] {
        let fixture = body(name);
        let resp: TransactionResponse = serde_json::from_str(&fixture).unwrap();
        assert_eq!(resp.message_type, "0002");
        assert_eq!(utf8(resp.encode()), fixture, "{name}");
    }
    let fixture = body("version.response.json");
    let v: VersionResponse = serde_json::from_str(&fixture).unwrap();
    assert_eq!(v, VersionResponse::default());
    assert_eq!(utf8(v.encode()), fixture);
}

// ---- the spec's flows through the machine ---------------------------------------------------

/// 2024-05-21T19:09:12Z.
const T0: u64 = 1_716_318_552_000;

fn at(secs: u64) -> Timestamp {
    Timestamp(T0 + secs * 1000)
}

fn card() -> CardData {
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
        tip_minor: 0,
    }
}

struct World {
    t: Terminal,
    next_req: u64,
    acquirer_id: u64,
}

impl World {
    fn new() -> World {
        World {
            t: Terminal::new(TerminalConfig::new("88091105")),
            next_req: 0,
            acquirer_id: 0,
        }
    }

    fn feed(&mut self, now: Timestamp, input: Input) -> Vec<Output> {
        self.t.handle_input(now, input).unwrap();
        let out: Vec<Output> = std::iter::from_fn(|| self.t.poll_output()).collect();
        for o in &out {
            if let Output::ToAcquirer(a) = o {
                self.acquirer_id = a.id();
            }
        }
        out
    }

    fn request(&mut self, now: Timestamp, fixture: &str) -> u64 {
        self.next_req += 1;
        let request = decode_request(body(fixture).as_bytes()).unwrap();
        let req_id = self.next_req;
        self.feed(
            now,
            Input::Request {
                req_id,
                request: Box::new(request),
            },
        );
        req_id
    }

    fn approve(&mut self, now: Timestamp, req_id: u64, stan: &str) -> TransactionResponse {
        let answer = AcquirerAnswer {
            id: self.acquirer_id,
            code: "00".into(),
            approved_minor: None,
            auth_code: "K7Q2M9".into(),
            stan: stan.into(),
            rrn: format!("RRN{stan}"),
        };
        let out = self.feed(now, Input::Acquirer(answer));
        self.feed(now, Input::ResponseWritten { req_id });
        out.into_iter()
            .find_map(|o| match o {
                Output::Respond {
                    req_id: r,
                    status: 200,
                    response,
                } if r == req_id => Some(*response),
                _ => None,
            })
            .expect("a 200 response")
    }
}

#[test]
fn sale_busy_and_cancel_flows_of_the_spec() {
    let mut w = World::new();
    let sale = w.request(at(0), "sale.request.json");
    w.feed(at(1), Input::Reader(ReaderEvent::CardRead(card())));

    // Busy (3.2): a second sale while the first runs.
    w.next_req += 1;
    let busy = decode_request(body("busy.request.json").as_bytes()).unwrap();
    let reject =
        w.t.handle_input(
            at(3),
            Input::Request {
                req_id: w.next_req,
                request: Box::new(busy),
            },
        )
        .unwrap_err();
    assert_eq!(reject.status(), 400);
    assert_eq!(utf8(reject.response.encode()), body("busy.response.json"));

    // The sale's response is the spec's sample.
    let resp = w.approve(at(19), sale, "000042");
    assert_eq!(utf8(resp.encode()), body("sale.response.json"));

    // Cancel of it (seed): transaction_type 04, orig_tx_id, orig_stan 000042.
    let cancel = w.request(at(348), "cancel.request.json");
    let resp = w.approve(at(349), cancel, "000043");
    assert_eq!(resp.transaction_type, "04");
    assert_eq!(resp.orig_tx_id, "20240521190912161");
    assert_eq!(resp.orig_stan, "000042");
    insta::assert_snapshot!("cancel_response_encoded", utf8(resp.encode()));
}

#[test]
fn preauth_and_capture_flow_of_the_spec() {
    let mut w = World::new();
    let preauth = w.request(at(648), "preauth.request.json");
    w.feed(at(650), Input::Reader(ReaderEvent::CardRead(card())));
    let resp = w.approve(at(651), preauth, "000050");
    assert_eq!(resp.transaction_type, "02");
    insta::assert_snapshot!("preauth_response_encoded", utf8(resp.encode()));
    let capture = w.request(at(1248), "capture.request.json");
    let resp = w.approve(at(1249), capture, "000051");
    assert_eq!(
        (resp.response_code.as_str(), resp.transaction_type.as_str()),
        ("0000", "03")
    );
    assert_eq!(resp.orig_tx_id, "7000001");
    insta::assert_snapshot!("capture_response_encoded", utf8(resp.encode()));
    let p = w.t.record("7000001").unwrap();
    assert_eq!(p.captured_amount.minor, 4000);
}
