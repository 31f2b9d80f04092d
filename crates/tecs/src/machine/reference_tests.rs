//! Unit tests of the reference rules (4.2) through the machine: referenced refunds with both
//! `TXID` forms, cancels, captures, and the 1201 / 1202 / 1203 outcomes.

use super::tests::{eur, respond, to_acquirer, visa, Run, TERMINAL, TXID_SALE};
use super::*;
use crate::messages::*;

#[test]
fn referenced_refunds_with_both_txid_forms() {
    // TEC-S-010, TEC-S-011, TEC-S-014
    let mut r = Run::new();
    r.card_tx(
        &[("transaction_id", Some("1451003"))],
        visa(0),
        "00",
        "000010",
    );
    let long = "TXID00000000000001451003_01_88091105";
    let refund = |id: &'static str, card: &'static str, amount: &'static str| {
        vec![
            ("message_type", Some("0011")),
            ("transaction_id", Some(id)),
            ("card_number", Some(card)),
            ("amount", Some(amount)),
        ]
    };
    let (req, out) = r.send(&refund("1451004", long, "500")).unwrap();
    assert!(matches!(
        to_acquirer(&out)[..],
        [AcquirerRequest::Refund { original, amount, .. }]
            if original.stan == "000010" && original.request_id == 1 && amount.minor == 500
    ));
    let resp = respond(&r.acquire("00", "000011"), req).1;
    r.written(req);
    assert_eq!(resp.response_code, "0000");
    assert_eq!(resp.transaction_type, "05");
    assert_eq!(resp.card_number, long); // TEC-S-020
    assert_eq!(
        (resp.orig_tx_id.as_str(), resp.orig_stan.as_str()),
        ("1451003", "000010")
    );
    let orig = r.t.record("1451003").unwrap();
    assert_eq!(
        (orig.status, orig.refunded_amount),
        (RecordStatus::Approved, eur(500))
    );

    // Too much: 1203. The rest, short and unpadded form: refunded.
    let resp = r.host_tx(&refund("1451005", "TXID1451003", "756"), "00", "x");
    assert_eq!(resp.response_code, "1203");
    assert_eq!(resp.orig_tx_id, "1451003");
    let resp = r.host_tx(&refund("1451006", "TXID1451003", "755"), "00", "000012");
    assert_eq!(resp.response_code, "0000");
    let orig = r.t.record("1451003").unwrap();
    assert_eq!(
        (orig.status, orig.refunded_amount),
        (RecordStatus::Refunded, eur(1255))
    );
    // Fully refunded: not eligible any more.
    let resp = r.host_tx(&refund("1451007", "TXID1451003", "1"), "00", "x");
    assert_eq!(resp.response_code, "1202");
    // Other terminal in the long form, other source id, unknown id: 1201.
    for (id, card, src) in [
        ("1451008", "TXID00000000000001451003_01_11460019", "1"),
        ("1451009", "TXID00000000000001451003_02_88091105", "1"),
        ("1451010", "TXID1451003", "2"),
        ("1451011", "TXID999", "1"),
    ] {
        let mut c = refund(id, card, "1");
        c.push(("transaction_source_id", Some(src)));
        let resp = r.host_tx(&c, "00", "x");
        assert_eq!(resp.response_code, "1201", "{card} src {src}");
        assert_eq!(resp.orig_tx_id, "");
        assert_eq!(r.t.record(id).unwrap().status, RecordStatus::Declined);
    }
}

#[test]
fn cancel_0013_reverses_and_returns_orig_fields() {
    // TEC-S-013, D10, D11
    let mut r = Run::new();
    r.card_tx(&[], visa(0), "00", "000042");
    let cancel = |id: &'static str, amount: &'static str| {
        vec![
            ("message_type", Some("0013")),
            ("transaction_id", Some(id)),
            ("card_number", Some(TXID_SALE)),
            ("amount", Some(amount)),
        ]
    };
    // D11: the amount must match.
    assert_eq!(
        r.host_tx(&cancel("c0", "1000"), "00", "x").response_code,
        "1203"
    );
    let (req, out) = r.send(&cancel("20240521191500001", "1255")).unwrap();
    assert!(matches!(
        to_acquirer(&out)[..],
        [AcquirerRequest::Reverse { reason: ReversalReason::Cancel, original, .. }]
            if original.stan == "000042"
    ));
    let resp = respond(&r.acquire("00", "000043"), req).1;
    r.written(req);
    assert_eq!(resp.response_code, "0000");
    assert_eq!(resp.transaction_type, "04");
    assert_eq!(resp.orig_tx_id, "20240521190912161");
    assert_eq!(resp.orig_stan, "000042");
    assert_eq!(resp.card_number, TXID_SALE);
    assert_eq!(
        resp.credit_card_issuer_and_acquirer_company,
        "PAYRIG ACQ;VISA"
    );
    assert_eq!(
        r.t.record("20240521190912161").unwrap().status,
        RecordStatus::Cancelled
    );
    // A second cancel: 1202. A cancel of the cancel: 1202.
    assert_eq!(
        r.host_tx(&cancel("c2", "1255"), "00", "x").response_code,
        "1202"
    );
    let mut c = cancel("c3", "1255");
    c[2] = ("card_number", Some("TXID20240521191500001"));
    assert_eq!(r.host_tx(&c, "00", "x").response_code, "1202");
    // D11 switched off: any amount.
    let mut config = TerminalConfig::new(TERMINAL);
    config.cancel_amount_must_match = false;
    let mut r = Run::with(config);
    r.card_tx(&[], visa(0), "00", "000042");
    assert_eq!(
        r.host_tx(&cancel("c0", "1"), "00", "2").response_code,
        "0000"
    );
}

#[test]
fn cancel_of_declined_and_of_refund() {
    // D14: a declined original gets 1202.
    let mut r = Run::new();
    r.card_tx(&[], visa(0), "05", "000001");
    let cancel = vec![
        ("message_type", Some("0013")),
        ("transaction_id", Some("c1")),
        ("card_number", Some(TXID_SALE)),
    ];
    assert_eq!(r.host_tx(&cancel, "00", "x").response_code, "1202");
    // Cancelling a refund gives the amount back; a refunded original returns to approved.
    let mut r = Run::new();
    r.card_tx(&[], visa(0), "00", "1");
    let refund = [
        ("message_type", Some("0011")),
        ("transaction_id", Some("r1")),
        ("card_number", Some(TXID_SALE)),
    ];
    r.host_tx(&refund, "00", "2");
    assert_eq!(
        r.t.record("20240521190912161").unwrap().status,
        RecordStatus::Refunded
    );
    // An original with refunds cannot be cancelled.
    let c0 = [
        ("message_type", Some("0013")),
        ("transaction_id", Some("c0")),
        ("card_number", Some(TXID_SALE)),
    ];
    assert_eq!(r.host_tx(&c0, "00", "x").response_code, "1202");
    let c = [
        ("message_type", Some("0013")),
        ("transaction_id", Some("c1")),
        ("card_number", Some("TXIDr1")),
    ];
    assert_eq!(r.host_tx(&c, "00", "3").response_code, "0000");
    let orig = r.t.record("20240521190912161").unwrap();
    assert_eq!(
        (orig.status, orig.refunded_amount.minor),
        (RecordStatus::Approved, 0)
    );
    assert_eq!(r.t.record("r1").unwrap().status, RecordStatus::Cancelled);
}

#[test]
fn capture_0013_origin_4() {
    // TEC-S-012
    let mut r = Run::new();
    let preauth = [
        ("transaction_origin_identifier", Some("5")),
        ("transaction_id", Some("7000001")),
        ("amount", Some("5000")),
    ];
    r.card_tx(&preauth, visa(0), "00", "000100");
    let capture = |id: &'static str, amount: &'static str| {
        vec![
            ("message_type", Some("0013")),
            ("transaction_origin_identifier", Some("4")),
            ("transaction_id", Some(id)),
            ("card_number", Some("TXID00000000000007000001")),
            ("amount", Some(amount)),
        ]
    };
    assert_eq!(
        r.host_tx(&capture("k0", "5001"), "00", "x").response_code,
        "1203"
    );
    let (req, out) = r.send(&capture("7000002", "4000")).unwrap();
    assert!(matches!(
        to_acquirer(&out)[..],
        [AcquirerRequest::Capture { original, amount, .. }]
            if original.stan == "000100" && amount.minor == 4000
    ));
    let resp = respond(&r.acquire("00", "000101"), req).1;
    r.written(req);
    assert_eq!(
        (resp.response_code.as_str(), resp.transaction_type.as_str()),
        ("0000", "03")
    );
    assert_eq!(resp.orig_stan, "000100");
    let p = r.t.record("7000001").unwrap();
    assert_eq!(
        (p.status, p.captured_amount),
        (RecordStatus::Captured, eur(4000))
    );
    // Once only.
    assert_eq!(
        r.host_tx(&capture("k2", "1"), "00", "x").response_code,
        "1202"
    );
    // A capture of a sale: 1202.
    r.card_tx(&[("transaction_id", Some("s1"))], visa(0), "00", "7");
    let mut c = capture("k3", "1");
    c[3] = ("card_number", Some("TXIDs1"));
    assert_eq!(r.host_tx(&c, "00", "x").response_code, "1202");
    // Cancelling the capture cancels the preauth too.
    let cancel = [
        ("message_type", Some("0013")),
        ("transaction_id", Some("k4")),
        ("card_number", Some("TXID7000002")),
        ("amount", Some("4000")),
    ];
    assert_eq!(r.host_tx(&cancel, "00", "9").response_code, "0000");
    assert_eq!(
        r.t.record("7000001").unwrap().status,
        RecordStatus::Cancelled
    );
    assert_eq!(
        r.t.record("7000002").unwrap().status,
        RecordStatus::Cancelled
    );
}
