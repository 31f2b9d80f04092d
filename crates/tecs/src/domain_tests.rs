use super::*;
use crate::wire::{decode_request, TxidError};

/// The spec's 3.2 sale request with `changes` applied (`None` removes the field).
pub(crate) fn body(changes: &[(&str, Option<&str>)]) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_str(
        r#"{"amount":"1255","card_number":"","currency":"EUR","desired_currency":"EUR",
        "language":"EN","message_type":"0001","payment_reason":"Test Sale","receipt_layout":"01",
        "receipt_number":"1","terminal_number":"88091105","transaction_date_time":"20240521190912",
        "transaction_id":"20240521190912161","transaction_origin_identifier":"1",
        "transaction_origin_indicator":"0","transaction_place":"1010","transaction_source_id":"1"}"#,
    )
    .unwrap();
    let obj = v.as_object_mut().unwrap();
    for (k, val) in changes {
        match val {
            Some(s) => obj.insert((*k).to_owned(), serde_json::Value::String((*s).to_owned())),
            None => obj.remove(*k),
        };
    }
    serde_json::to_vec(&v).unwrap()
}

fn op(changes: &[(&str, Option<&str>)]) -> Operation {
    decode_request(&body(changes)).unwrap().operation
}

fn problem(changes: &[(&str, Option<&str>)]) -> RequestProblem {
    decode_request(&body(changes)).unwrap_err().0
}

#[test]
fn sale_preauth_and_moto_by_origin_and_indicator() {
    let r = decode_request(&body(&[])).unwrap();
    assert_eq!(
        r.operation,
        Operation::Sale {
            card: CardSource::Reader
        }
    );
    assert_eq!(r.amount, Money::from_minor(1255, Currency::EUR));
    assert_eq!(r.transaction_id, "20240521190912161");
    assert!(r.operation.needs_reader());
    assert_eq!(r.operation.transaction_type().code(), "01");

    let p = op(&[("transaction_origin_identifier", Some("5"))]);
    assert_eq!(
        p,
        Operation::Preauth {
            card: CardSource::Reader
        }
    );
    assert_eq!(p.transaction_type().code(), "02");

    let moto = op(&[
        ("transaction_origin_identifier", Some("2")),
        ("transaction_origin_indicator", Some("2")),
        ("card_number", Some("4111111111111111_2712")),
    ]);
    assert_eq!(
        moto,
        Operation::MotoSale {
            card: KeyedCard::Manual {
                pan: "4111111111111111".into(),
                expiry: "2712".into()
            }
        }
    );
    assert!(!moto.needs_reader());
    let by_ref = op(&[
        ("transaction_origin_indicator", Some("2")),
        ("card_number", Some("REF0001")),
    ]);
    assert_eq!(
        by_ref,
        Operation::MotoSale {
            card: KeyedCard::Reference("REF0001".into())
        }
    );
    let swiped = op(&[
        ("transaction_origin_indicator", Some("1")),
        ("card_number", Some(";4111111111111111=27122011234?")),
    ]);
    assert_eq!(
        swiped,
        Operation::Sale {
            card: CardSource::Keyed(KeyedCard::Track2 {
                pan: "4111111111111111".into(),
                expiry: "2712".into(),
                svc: "201".into()
            })
        }
    );
}

#[test]
fn moto_with_empty_card_number_is_3001() {
    // TEC-S-008
    let p = problem(&[("transaction_origin_indicator", Some("2"))]);
    assert_eq!(
        p,
        RequestProblem::new("card_number", ProblemReason::CardRequired)
    );
    assert_eq!(p.response_text(), "INVALID FIELD card_number");
}

#[test]
fn tip_refund_references_and_abort() {
    assert_eq!(op(&[("message_type", Some("0907"))]), Operation::SaleTip);
    assert_eq!(
        op(&[("message_type", Some("0011"))]),
        Operation::Refund {
            card: CardSource::Reader
        }
    );
    let long = "TXID00000000000001451003_01_11460019";
    match op(&[("message_type", Some("0011")), ("card_number", Some(long))]) {
        Operation::ReferencedRefund { reference } => assert!(reference.matches("1451003")),
        other => panic!("{other:?}"),
    }
    let short = "TXID00020240521190912161";
    match op(&[("message_type", Some("0013")), ("card_number", Some(short))]) {
        Operation::Cancel { reference } => assert!(reference.matches("20240521190912161")),
        other => panic!("{other:?}"),
    }
    let o = op(&[
        ("message_type", Some("0013")),
        ("card_number", Some("TXID00000000000007000001")),
        ("transaction_origin_identifier", Some("4")),
    ]);
    assert!(matches!(o, Operation::Capture { .. }));
    assert_eq!(o.transaction_type().code(), "03");
    assert_eq!(
        op(&[("message_type", Some("0017")), ("amount", Some("0"))]),
        Operation::Abort
    );
}

#[test]
fn content_rules_give_3001_naming_the_field() {
    use ProblemReason as R;
    type Case<'a> = (Vec<(&'a str, Option<&'a str>)>, &'a str, ProblemReason);
    let cases: Vec<Case<'_>> = vec![
        (vec![("amount", Some("0"))], "amount", R::ZeroAmount),
        (
            vec![("amount", Some("0")), ("message_type", Some("0907"))],
            "amount",
            R::ZeroAmount,
        ),
        (
            vec![("amount", Some("0")), ("message_type", Some("0011"))],
            "amount",
            R::ZeroAmount,
        ),
        (vec![("amount", Some("12.55"))], "amount", R::Pattern),
        (vec![("amount", Some("+1255"))], "amount", R::Pattern),
        (vec![("amount", None)], "amount", R::Missing),
        (
            vec![("currency", Some("XYZ"))],
            "currency",
            R::UnknownCurrency,
        ),
        (
            vec![("currency", Some("eur"))],
            "currency",
            R::UnknownCurrency,
        ),
        (
            vec![("desired_currency", Some("USD"))],
            "desired_currency",
            R::CurrencyMismatch,
        ),
        (
            vec![("card_number", Some("4111"))],
            "card_number",
            R::CardForm,
        ),
        (
            vec![("card_number", Some("4111111111111111_2713"))],
            "card_number",
            R::CardForm,
        ),
        (
            vec![("message_type", Some("0013"))],
            "card_number",
            R::CardForm,
        ),
        (
            vec![
                ("message_type", Some("0013")),
                ("card_number", Some("TXID")),
            ],
            "card_number",
            R::Txid(TxidError::EmptyId),
        ),
        (
            vec![("card_number", Some("TXID00020240521190912161"))],
            "card_number",
            R::CardForm,
        ),
        (
            vec![
                ("message_type", Some("0907")),
                ("card_number", Some("4111111111111111_2712")),
            ],
            "card_number",
            R::CardForm,
        ),
        (
            vec![("transaction_origin_identifier", Some("4"))],
            "transaction_origin_identifier",
            R::Pattern,
        ),
        (
            vec![("transaction_date_time", Some("2024052119091a"))],
            "transaction_date_time",
            R::Pattern,
        ),
    ];
    for (changes, field, reason) in cases {
        let p = problem(&changes);
        assert_eq!(p, RequestProblem::new(field, reason), "{changes:?}");
        assert_eq!(p.http_status(), 400);
        assert_eq!(p.code(), crate::code::ResponseCode::InvalidField);
    }
}

#[test]
fn unsupported_types_and_balance_inquiry_are_3005() {
    // TEC-S-021, D21
    for mt in ["0005", "0009", "0015", "9043", "abcd"] {
        let p = problem(&[("message_type", Some(mt))]);
        assert_eq!(p.code(), crate::code::ResponseCode::MessageTypeNotSupported);
        assert_eq!(p.response_text(), "MESSAGE TYPE NOT SUPPORTED");
    }
    let p = problem(&[("transaction_origin_identifier", Some("7"))]);
    assert_eq!(p.reason, ProblemReason::BalanceInquiry);
    assert_eq!(p.code().code(), "3005");
    // A wrong length is still a field error.
    assert_eq!(
        problem(&[("message_type", Some("01"))]).code().code(),
        "3001"
    );
}

#[test]
fn amounts_follow_the_currency_exponent() {
    let r = decode_request(&body(&[
        ("currency", Some("JPY")),
        ("desired_currency", Some("")),
        ("amount", Some("500")),
    ]))
    .unwrap();
    assert_eq!(r.amount.to_major_string(), "500");
    let r = decode_request(&body(&[
        ("currency", Some("BHD")),
        ("desired_currency", None),
        ("amount", Some("00001255")),
    ]))
    .unwrap();
    assert_eq!(r.amount.minor, 1255);
    assert_eq!(r.amount.to_major_string(), "1.255");
    let r = decode_request(&body(&[("amount", Some("99999999999"))])).unwrap();
    assert_eq!(r.amount.minor, 99_999_999_999);
}

#[test]
fn keyed_card_forms() {
    assert_eq!(KeyedCard::parse(""), None);
    assert_eq!(KeyedCard::parse("REF"), None);
    assert_eq!(KeyedCard::parse("4111111111111111_12"), None);
    assert_eq!(KeyedCard::parse("4111111111111111_2700"), None);
    assert_eq!(KeyedCard::parse("41111111111_2712"), None);
    assert_eq!(KeyedCard::parse("4111111111111111=27"), None);
    assert!(matches!(
        KeyedCard::parse("4111111111111111=2712"),
        Some(KeyedCard::Track2 { svc, .. }) if svc.is_empty()
    ));
}
