//! Unit tests of the wire layer: every error class of section 5 and the decoding rules of 3.

use payrig_core::{Decimal, Timestamp};

use super::*;
use crate::domain::{CreateKind, PaymentMethod, Problem, ProblemCode, TransactionSnapshot};
use crate::state::{CancelCode, StateId};

const MOBILE: &str = r#"{"siteCode":"1524","pumpNumber":1,"fuelCode":"3","amount":9,"primaryTrack":"0000000000001","terminalCode":"S2G321","mobilePaymentMode":1,"potencyKeyId":"5734cbb9-f78f-4ad4-aa87-79ed95181c5a"}"#;
const PREAUTH: &str = r#"{"siteCode":"1524","pumpNumber":2,"fuelCode":"3","amount":9,"mobilePaymentMode":1,"potencyKeyId":"0f9e3c1a-2b7d-4c55-9a61-3d2e8b7f4a10","externalReferanceID":"854712"}"#;

fn mobile(body: &str) -> Result<crate::domain::CreateRequest, Problem> {
    decode_create(CreateKind::MobilePayments, body.as_bytes())
}

fn preauth(body: &str) -> Result<crate::domain::CreateRequest, Problem> {
    decode_create(CreateKind::PreAuthorizedPayments, body.as_bytes())
}

/// MOBILE with `field` replaced by `value` (raw JSON), or removed when `value` is `None`.
fn mobile_with(field: &str, value: Option<&str>) -> String {
    let mut v: Vec<(String, String)> = Vec::new();
    let obj = super::object::parse_object(MOBILE.as_bytes()).unwrap();
    for (k, raw) in &obj.0 {
        v.push((k.clone(), raw.get().to_owned()));
    }
    v.retain(|(k, _)| k != field);
    if let Some(value) = value {
        v.push((field.to_owned(), value.to_owned()));
    }
    let members: Vec<String> = v.iter().map(|(k, r)| format!("\"{k}\":{r}")).collect();
    format!("{{{}}}", members.join(","))
}

/// The single (field, code, messages) of a problem, or a panic listing all.
fn only(p: &Problem) -> (&str, ProblemCode, &[String]) {
    assert_eq!(p.errors.len(), 1, "{p:?}");
    let (k, f) = p.errors.iter().next().unwrap();
    (k.as_str(), f.code, f.messages.as_slice())
}

fn expect_one(
    r: Result<crate::domain::CreateRequest, Problem>,
    field: &str,
    code: ProblemCode,
) -> Vec<String> {
    let p = r.expect_err("should fail");
    let (k, c, m) = only(&p);
    assert_eq!((k, c), (field, code), "{p:?}");
    assert_eq!(p.code(), code);
    m.to_vec()
}

#[test]
fn decodes_the_spec_samples() {
    let r = mobile(MOBILE).unwrap();
    assert_eq!(r.kind, CreateKind::MobilePayments);
    assert_eq!(r.site_code, "1524");
    assert_eq!(r.pump_number, 1);
    assert_eq!(r.amount, Decimal::from_int(9));
    assert_eq!(r.primary_track.as_deref(), Some("0000000000001"));
    assert_eq!(r.terminal_code.as_deref(), Some("S2G321"));
    assert_eq!(r.external_reference_id, None);
    assert!(r.numeric_strings.is_empty());

    let r = preauth(PREAUTH).unwrap();
    assert_eq!(r.external_reference_id.as_deref(), Some("854712"));
    assert_eq!(r.primary_track, None);
    assert_eq!(r.terminal_code, None);
}

#[test]
fn malformed_json_is_dollar() {
    for body in [
        "",
        "{",
        "{\"siteCode\":}",
        "{} {}",
        "{\"amount\":NaN}",
        "{\"amount\":Infinity}",
        "{'a':1}",
    ] {
        let p = mobile(body).unwrap_err();
        let (k, c, m) = only(&p);
        assert_eq!((k, c), ("$", ProblemCode::MalformedJson), "{body}");
        assert!(m[0].starts_with("is not valid JSON"), "{m:?}");
        assert_eq!(p.status(), 400);
    }
    // The seed's GetTransaction body (unquoted id) is not JSON (D11: the server ignores it).
    assert!(decode_cancel(b"{\n  \"id\": 5734cbb9-f78f-4ad4-aa87-79ed95181c5a\n}").is_err());
}

#[test]
fn not_an_object_is_dollar() {
    for body in [
        "[]",
        "null",
        "1",
        "\"x\"",
        "true",
        "[{\"siteCode\":\"1524\"}]",
    ] {
        let p = mobile(body).unwrap_err();
        let (k, c, m) = only(&p);
        assert_eq!((k, c), ("$", ProblemCode::MalformedJson), "{body}");
        assert_eq!(m, ["must be a JSON object"]);
    }
    let p = decode_cancel(b"[]").unwrap_err();
    assert_eq!(only(&p).0, "$");
    let p = decode_prompt(b"7").unwrap_err();
    assert_eq!(only(&p).0, "$");
}

#[test]
fn missing_and_null_are_missing_field() {
    for field in [
        "siteCode",
        "pumpNumber",
        "fuelCode",
        "amount",
        "primaryTrack",
        "terminalCode",
        "mobilePaymentMode",
        "potencyKeyId",
    ] {
        let m = expect_one(
            mobile(&mobile_with(field, None)),
            field,
            ProblemCode::MissingField,
        );
        assert_eq!(m, ["is required"]);
        expect_one(
            mobile(&mobile_with(field, Some("null"))),
            field,
            ProblemCode::MissingField,
        );
    }
    let p = preauth(&PREAUTH.replace(",\"externalReferanceID\":\"854712\"", "")).unwrap_err();
    assert_eq!(only(&p).0, "externalReferanceID");
    assert_eq!(only(&p).1, ProblemCode::MissingField);
    let p = preauth(&PREAUTH.replace("\"854712\"", "null")).unwrap_err();
    assert_eq!(only(&p).1, ProblemCode::MissingField);
}

#[test]
fn empty_object_names_every_required_field() {
    let p = mobile("{}").unwrap_err();
    let keys: Vec<&str> = p.errors.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "amount",
            "fuelCode",
            "mobilePaymentMode",
            "potencyKeyId",
            "primaryTrack",
            "pumpNumber",
            "siteCode",
            "terminalCode"
        ]
    );
    assert!(p
        .errors
        .values()
        .all(|f| f.code == ProblemCode::MissingField));
    let p = preauth("{}").unwrap_err();
    assert!(p.errors.contains_key("externalReferanceID"));
    assert!(!p.errors.contains_key("primaryTrack"));
}

#[test]
fn wrong_types_are_invalid_type() {
    let cases = [
        ("siteCode", "1524"),
        ("siteCode", "true"),
        ("fuelCode", "[\"3\"]"),
        ("primaryTrack", "1"),
        ("terminalCode", "{}"),
        ("potencyKeyId", "5"),
        ("pumpNumber", "true"),
        ("pumpNumber", "[1]"),
        ("amount", "{\"v\":9}"),
        ("amount", "\"NaN\""),
        ("amount", "\"nine\""),
        ("amount", "\"\""),
        ("amount", "\" 9\""),
        ("mobilePaymentMode", "\"FullIntegrated\""),
    ];
    for (field, value) in cases {
        let m = expect_one(
            mobile(&mobile_with(field, Some(value))),
            field,
            ProblemCode::InvalidType,
        );
        assert!(m[0].starts_with("must be a"), "{field}={value}: {m:?}");
    }
    let p = preauth(&PREAUTH.replace("\"854712\"", "854712")).unwrap_err();
    assert_eq!(only(&p).1, ProblemCode::InvalidType);
}

#[test]
fn amount_values() {
    let bad = [
        ("0", "must be greater than 0"),
        ("0.0", "must be greater than 0"),
        ("-9", "must be greater than 0"),
        ("9.0001", "must have at most 3 decimals"),
        ("1000000.001", "must be at most 1000000"),
        ("1e7", "must be at most 1000000"),
        ("1e400", "is too large or too precise to be read exactly"),
        ("1e-400", "is too large or too precise to be read exactly"),
        (
            "123456789012345678901234567890123456789012345",
            "is too large or too precise to be read exactly",
        ),
        (
            "\"1e400\"",
            "is too large or too precise to be read exactly",
        ),
    ];
    for (value, msg) in bad {
        let m = expect_one(
            mobile(&mobile_with("amount", Some(value))),
            "amount",
            ProblemCode::InvalidValue,
        );
        assert_eq!(m, [msg], "{value}");
    }
    // Both rules broken: both named.
    let m = expect_one(
        mobile(&mobile_with("amount", Some("-0.0001"))),
        "amount",
        ProblemCode::InvalidValue,
    );
    assert_eq!(
        m,
        ["must be greater than 0", "must have at most 3 decimals"]
    );

    for (value, exact) in [
        ("9", "9"),
        ("9.0", "9"),
        ("9.000", "9"),
        ("9.5E0", "9.5"),
        ("0.001", "0.001"),
        ("1000000", "1000000"),
        ("13.130", "13.13"),
    ] {
        let r = mobile(&mobile_with("amount", Some(value))).unwrap();
        assert_eq!(r.amount.to_string(), exact, "{value}");
        assert!(r.numeric_strings.is_empty());
    }
    let a = mobile(&mobile_with("amount", Some("9"))).unwrap();
    let b = mobile(&mobile_with("amount", Some("9.000"))).unwrap();
    assert!(a.same_body(&b));
}

#[test]
fn numeric_strings_are_accepted_and_recorded() {
    let body = mobile_with("amount", Some("\"9.5\""));
    let body = body.replace("\"pumpNumber\":1", "\"pumpNumber\":\"1\"");
    let body = body.replace("\"mobilePaymentMode\":1", "\"mobilePaymentMode\":\"1\"");
    let r = mobile(&body).unwrap();
    assert_eq!(r.amount, Decimal::new(95, 1));
    assert_eq!(r.pump_number, 1);
    let mut seen = r.numeric_strings.clone();
    seen.sort_unstable();
    assert_eq!(seen, ["amount", "mobilePaymentMode", "pumpNumber"]);
    assert!(r.same_body(&mobile(&mobile_with("amount", Some("9.50"))).unwrap()));
}

#[test]
fn integer_fields() {
    for (v, msg) in [
        ("0", "must be between 1 and 99"),
        ("100", "must be between 1 and 99"),
        ("-1", "must be between 1 and 99"),
        ("1.5", "must be an integer"),
        ("1e400", "is too large or too precise to be read exactly"),
    ] {
        let m = expect_one(
            mobile(&mobile_with("pumpNumber", Some(v))),
            "pumpNumber",
            ProblemCode::InvalidValue,
        );
        assert_eq!(m, [msg], "{v}");
    }
    for v in ["1.0", "99", "\"99\"", "1E1"] {
        assert!(mobile(&mobile_with("pumpNumber", Some(v))).is_ok(), "{v}");
    }
    for v in ["0", "2", "1.5", "256"] {
        let m = expect_one(
            mobile(&mobile_with("mobilePaymentMode", Some(v))),
            "mobilePaymentMode",
            ProblemCode::InvalidValue,
        );
        assert!(
            m[0] == "must be 1 (FullIntegrated)" || m[0] == "must be an integer",
            "{v}: {m:?}"
        );
    }
}

#[test]
fn pattern_and_length_failures() {
    let key_msg = "must match ^[A-Za-z0-9._~-]{1,64}$";
    let cases: &[(&str, &str, &str)] = &[
        ("siteCode", "\"\"", "must match ^[A-Za-z0-9._-]{1,32}$"),
        ("siteCode", "\"15 24\"", "must match ^[A-Za-z0-9._-]{1,32}$"),
        (
            "siteCode",
            "\"123456789012345678901234567890123\"",
            "must match ^[A-Za-z0-9._-]{1,32}$",
        ),
        (
            "fuelCode",
            "\"12345678901234567\"",
            "must match ^[A-Za-z0-9._-]{1,16}$",
        ),
        ("fuelCode", "\"ñ\"", "must match ^[A-Za-z0-9._-]{1,16}$"),
        ("potencyKeyId", "\"\"", key_msg),
        ("potencyKeyId", "\"a/b\"", key_msg),
        ("potencyKeyId", "\"{5734cbb9}\"", key_msg),
        (
            "primaryTrack",
            "\"\"",
            "must be 1 to 79 printable ASCII characters",
        ),
        (
            "primaryTrack",
            "\";0000000000001=2512?\\n\"",
            "must be 1 to 79 printable ASCII characters",
        ),
        ("terminalCode", "\"\"", "must be 1 to 32 characters long"),
        (
            "externalReferanceID",
            "\"\"",
            "must be 1 to 64 characters long",
        ),
    ];
    for (field, value, msg) in cases {
        let m = expect_one(
            mobile(&mobile_with(field, Some(value))),
            field,
            ProblemCode::InvalidValue,
        );
        assert_eq!(m, [*msg], "{field}={value}");
    }
    let long_key = format!("\"{}\"", "k".repeat(65));
    expect_one(
        mobile(&mobile_with("potencyKeyId", Some(&long_key))),
        "potencyKeyId",
        ProblemCode::InvalidValue,
    );
    let ok_key = format!("\"{}\"", "a.B_c~d-9".repeat(8).get(..64).unwrap());
    assert!(mobile(&mobile_with("potencyKeyId", Some(&ok_key))).is_ok());
    // terminalCode and externalReferanceID count characters, not bytes.
    let t = format!("\"{}\"", "é".repeat(32));
    assert!(mobile(&mobile_with("terminalCode", Some(&t))).is_ok());
}

#[test]
fn every_bad_field_is_reported_sorted_and_code_is_the_first_keys() {
    let body = r#"{"siteCode":"15 24","pumpNumber":"x","fuelCode":"3","amount":0,"primaryTrack":"1","terminalCode":"T","mobilePaymentMode":1}"#;
    let p = mobile(body).unwrap_err();
    let got: Vec<(&str, ProblemCode)> =
        p.errors.iter().map(|(k, f)| (k.as_str(), f.code)).collect();
    assert_eq!(
        got,
        [
            ("amount", ProblemCode::InvalidValue),
            ("potencyKeyId", ProblemCode::MissingField),
            ("pumpNumber", ProblemCode::InvalidType),
            ("siteCode", ProblemCode::InvalidValue),
        ]
    );
    assert_eq!(p.code(), ProblemCode::InvalidValue);
}

#[test]
fn names_are_case_insensitive() {
    let body = r#"{"SITECODE":"1524","PumpNumber":1,"fuelcode":"3","Amount":9,"PrimaryTrack":"0000000000001","TERMINALcode":"S2G321","MobilePaymentMode":1,"POTENCYKEYID":"k1","ExternalReferanceId":"r"}"#;
    let r = mobile(body).unwrap();
    assert_eq!(r.site_code, "1524");
    assert_eq!(r.potency_key_id, "k1");
    assert_eq!(r.external_reference_id.as_deref(), Some("r"));
    let c = decode_cancel(br#"{"TransactionId":"abc"}"#).unwrap();
    assert_eq!(c.transaction_id, "abc");
    let c = decode_cancel(br#"{"TRANSACTIONID":"abc","extra":[1,2]}"#).unwrap();
    assert_eq!(c.transaction_id, "abc");
}

#[test]
fn unknown_names_are_ignored_and_null_is_absent() {
    let body = mobile_with("externalReferanceID", Some("null"))
        .replace('}', ",\"foo\":{\"bar\":[1,2,{}]},\"x\":null}");
    let r = mobile(&body).unwrap();
    assert_eq!(r.external_reference_id, None);
    // PreAuthorizedPayments ignores primaryTrack and terminalCode, whatever they hold.
    let body = PREAUTH.replace('}', ",\"primaryTrack\":5,\"terminalCode\":\"\"}");
    let r = preauth(&body).unwrap();
    assert_eq!((r.primary_track, r.terminal_code), (None, None));
}

#[test]
fn duplicates_in_any_casing_are_duplicate_field() {
    let body = MOBILE.replace('}', ",\"SiteCode\":\"1524\"}");
    let m = expect_one(mobile(&body), "siteCode", ProblemCode::DuplicateField);
    assert_eq!(m, ["is given more than once (names are case-insensitive)"]);
    // Exact repeat too, and reported alongside other problems.
    let body = MOBILE.replace("\"amount\":9", "\"amount\":0,\"pumpNumber\":1");
    let p = mobile(&body).unwrap_err();
    assert_eq!(p.errors["pumpNumber"].code, ProblemCode::DuplicateField);
    assert_eq!(p.errors["amount"].code, ProblemCode::InvalidValue);
    assert_eq!(p.errors.len(), 2);
    // Unknown names too, keyed as first sent.
    let body = MOBILE.replace('}', ",\"Foo\":1,\"fOO\":2}");
    expect_one(mobile(&body), "Foo", ProblemCode::DuplicateField);
    // The same spelling of the external reference twice.
    let body = PREAUTH.replace('}', ",\"EXTERNALREFERANCEID\":\"854712\"}");
    let p = preauth(&body).unwrap_err();
    assert_eq!(only(&p).0, "externalReferanceID");
    assert_eq!(only(&p).1, ProblemCode::DuplicateField);
    let p = decode_cancel(br#"{"transactionId":"a","TransactionId":"a"}"#).unwrap_err();
    assert_eq!(only(&p).1, ProblemCode::DuplicateField);
}

#[test]
fn both_external_reference_spellings() {
    // Equal values: fine (D3).
    let body = PREAUTH.replace('}', ",\"externalReferenceID\":\"854712\"}");
    assert_eq!(
        preauth(&body).unwrap().external_reference_id.as_deref(),
        Some("854712")
    );
    // The table spelling alone, any casing.
    let body = PREAUTH.replace("externalReferanceID", "EXTERNALreferenceid");
    assert_eq!(
        preauth(&body).unwrap().external_reference_id.as_deref(),
        Some("854712")
    );
    // Differing values: 400 invalid_value on the seed's spelling.
    let body = PREAUTH.replace('}', ",\"externalReferenceID\":\"854713\"}");
    let p = preauth(&body).unwrap_err();
    let (k, c, m) = only(&p);
    assert_eq!((k, c), ("externalReferanceID", ProblemCode::InvalidValue));
    assert!(m[0].contains("different values"));
    let body = MOBILE.replace(
        '}',
        ",\"externalReferanceID\":\"a\",\"externalReferenceID\":\"b\"}",
    );
    expect_one(
        mobile(&body),
        "externalReferanceID",
        ProblemCode::InvalidValue,
    );
}

#[test]
fn cancel_bodies() {
    assert!(decode_cancel(br#"{"transactionId":"5664cbb9-f78f-4ad4-aa87-79ed95181c5a"}"#).is_ok());
    let p = decode_cancel(b"{}").unwrap_err();
    assert_eq!(
        only(&p),
        (
            "transactionId",
            ProblemCode::MissingField,
            &["is required".to_owned()][..]
        )
    );
    let p = decode_cancel(br#"{"transactionId":5}"#).unwrap_err();
    assert_eq!(only(&p).1, ProblemCode::InvalidType);
    let p = decode_cancel(br#"{"transactionId":""}"#).unwrap_err();
    assert_eq!(only(&p).1, ProblemCode::InvalidValue);
    let long = format!("{{\"transactionId\":\"{}\"}}", "x".repeat(65));
    assert_eq!(
        only(&decode_cancel(long.as_bytes()).unwrap_err()).1,
        ProblemCode::InvalidValue
    );
    // Unknown ids are not a decoding matter (04007 comes from the world).
    assert!(decode_cancel(br#"{"transactionId":"nope"}"#).is_ok());
}

#[test]
fn prompt_bodies() {
    let r = decode_prompt(br#"{"idTransaction":"e0593f2d","customerData":{"odometer":"152","DriverID":"77","Custom":"x"}}"#).unwrap();
    assert_eq!(r.id_transaction, "e0593f2d");
    assert_eq!(
        r.customer_data,
        [
            ("Odometer".to_owned(), "152".to_owned()),
            ("DriverId".to_owned(), "77".to_owned()),
            ("Custom".to_owned(), "x".to_owned())
        ]
    );
    let p = decode_prompt(br#"{"idTransaction":"t","customerData":{"Odometer":"15a","EngineHours":152,"DriverId":"","VehicleId":null}}"#).unwrap_err();
    let got: Vec<(&str, ProblemCode)> =
        p.errors.iter().map(|(k, f)| (k.as_str(), f.code)).collect();
    assert_eq!(
        got,
        [
            ("customerData.DriverId", ProblemCode::InvalidValue),
            ("customerData.EngineHours", ProblemCode::InvalidType),
            ("customerData.Odometer", ProblemCode::InvalidValue),
        ]
    );
    let p =
        decode_prompt(br#"{"idTransaction":"t","customerData":{"Odometer":"1","ODOMETER":"1"}}"#)
            .unwrap_err();
    assert_eq!(only(&p).0, "customerData.Odometer");
    assert_eq!(only(&p).1, ProblemCode::DuplicateField);
    let p = decode_prompt(br#"{"customerData":"152"}"#).unwrap_err();
    let got: Vec<(&str, ProblemCode)> =
        p.errors.iter().map(|(k, f)| (k.as_str(), f.code)).collect();
    assert_eq!(
        got,
        [
            ("customerData", ProblemCode::InvalidType),
            ("idTransaction", ProblemCode::MissingField)
        ]
    );
    let p = decode_prompt(br#"{"idTransaction":"t"}"#).unwrap_err();
    assert_eq!(only(&p).1, ProblemCode::MissingField);
    // An empty answer set decodes; which answers are missing is the world's check.
    assert!(decode_prompt(br#"{"idTransaction":"t","customerData":{}}"#).is_ok());
}

fn sample_snapshot() -> TransactionSnapshot {
    TransactionSnapshot {
        id: "5734cbb9-f78f-4ad4-aa87-79ed95181c5a".into(),
        site_code: "1524".into(),
        primary_track: Some("0000000000001".into()),
        odometer: 0,
        terminal_identification: Some("ST01".into()),
        transaction_sequence_number: 1,
        state: StateId::Complete,
        payment_processor_reference_id: Some("A00001".into()),
        payment_processor_message: Some("Approved".into()),
        site_system_message: None,
        fuel_point_number: 1,
        payment_method: PaymentMethod::AtionetPrepaid,
        requested_amount: Decimal::from_int(9),
        authorized_amount: Decimal::parse("9.000").unwrap(),
        dispatched_amount: Decimal::new(1313, 2),
        dispatched_quantity: Decimal::new(9000, 3),
        product_code: Some("3".into()),
        product_description: Some("Diesel".into()),
        product_unit_price: Decimal::new(1459, 3),
        unit_measure: Some("L".into()),
        create_date_time: Timestamp(1_630_676_596_615),
        update_date_time: Timestamp(1_630_676_642_000),
        id_dispatch: Some("1524-000001".into()),
    }
}

#[test]
fn transaction_encoding_is_exact() {
    let body = String::from_utf8(encode_transaction(&sample_snapshot())).unwrap();
    assert_eq!(
        body,
        concat!(
            r#"{"id":"5734cbb9-f78f-4ad4-aa87-79ed95181c5a","siteCode":"1524","primaryTrack":"0000000000001","#,
            r#""odometer":0,"terminalIdentification":"ST01","transactionSequenceNumber":1,"state_Name":"Complete","#,
            r#""state_Id":10,"paymentProcessorReferenceId":"A00001","paymentProcessorMessage":"Approved","#,
            r#""siteSystemMessage":null,"fuelPointNumber":1,"paymentMethod":"AtionetPrepaid","requestedAmount":9,"#,
            r#""authorizedAmount":9,"dispatchedAmount":13.13,"dispatchedQuantity":9,"productCode":"3","#,
            r#""productDescription":"Diesel","productUnitPrice":1.459,"unitMeasure":"L","#,
            r#""createDateTime":"2021-09-03T13:43:16.6150000","updateDateTime":"2021-09-03T13:44:02.0000000","#,
            r#""idDispatch":"1524-000001"}"#
        )
    );
    let back: GetTransactionResponse = serde_json::from_str(&body).unwrap();
    assert_eq!(back.to_snapshot().unwrap(), sample_snapshot());
    assert_eq!(back.state(), Some(StateId::Complete));
}

#[test]
fn preauthorized_snapshot_has_nulls_not_omissions() {
    let mut s = sample_snapshot();
    s.primary_track = None;
    s.id_dispatch = None;
    s.state = StateId::PumpReserveRefused;
    s.payment_method = PaymentMethod::ExternalPreAuthorized;
    let body = String::from_utf8(encode_transaction(&s)).unwrap();
    assert!(body.contains(r#""primaryTrack":null"#));
    assert!(body.ends_with(r#""idDispatch":null}"#));
    assert!(body.contains(r#""state_Name":"Site System not Accept Pump Reserve","state_Id":6"#));
    assert!(body.contains(r#""paymentMethod":"ExternalPreAuthorized""#));
}

#[test]
fn client_side_numbers_are_exact_and_strict() {
    let body = String::from_utf8(encode_transaction(&sample_snapshot())).unwrap();
    let odd = body.replace("\"dispatchedAmount\":13.13", "\"dispatchedAmount\":13.130");
    let back: GetTransactionResponse = serde_json::from_str(&odd).unwrap();
    assert_eq!(back.dispatched_amount, Decimal::new(1313, 2));
    let quoted = body.replace(
        "\"dispatchedAmount\":13.13",
        "\"dispatchedAmount\":\"13.13\"",
    );
    assert!(serde_json::from_str::<GetTransactionResponse>(&quoted).is_err());
    let bad_state = body.replace("\"state_Id\":10", "\"state_Id\":26");
    let back: GetTransactionResponse = serde_json::from_str(&bad_state).unwrap();
    assert_eq!(back.to_snapshot(), Err(SnapshotError::UnknownState(26)));
}

#[test]
fn cancel_response_encoding() {
    let ok = encode_cancel_response("t1", CancelCode::Success, "00000");
    assert_eq!(
        ok,
        br#"{"transactionId":"t1","isSuccessCanceled":true,"responseCode":"00000","responseMessage":"Successfully Canceled"}"#
    );
    let zero = encode_cancel_response("t1", CancelCode::Success, "0");
    assert!(String::from_utf8(zero.clone())
        .unwrap()
        .contains(r#""responseCode":"0","#));
    let back: CancelResponse = serde_json::from_slice(&zero).unwrap();
    assert_eq!(back.cancel_code(), Some(CancelCode::Success));
    // The success text only replaces the success code.
    let fueling = encode_cancel_response("t1", CancelCode::DispenserFueling, "0");
    assert_eq!(
        fueling,
        br#"{"transactionId":"t1","isSuccessCanceled":false,"responseCode":"04003","responseMessage":"Invalid state - dispenser is fueling"}"#
    );
    for code in crate::state::ALL_CANCEL_CODES {
        let back: CancelResponse =
            serde_json::from_slice(&encode_cancel_response("x", code, "00000")).unwrap();
        assert_eq!(back.cancel_code(), Some(code));
        assert_eq!(back.is_success_canceled, code.is_success());
    }
}

#[test]
fn problem_encoding() {
    let p = Problem::field(
        "amount",
        ProblemCode::InvalidValue,
        "must be greater than 0",
    );
    assert_eq!(
        encode_problem(&p),
        br#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"code":"invalid_value","errors":{"amount":["must be greater than 0"]}}"#
    );
    let bare = encode_problem(&Problem::bare(ProblemCode::NotFound));
    assert_eq!(
        bare,
        br#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.4","title":"Not Found","status":404,"code":"not_found","errors":{}}"#
    );
    let cases = [
        (
            ProblemCode::Unauthorized,
            401,
            "https://tools.ietf.org/html/rfc7235#section-3.1",
            "Unauthorized",
        ),
        (
            ProblemCode::MethodNotAllowed,
            405,
            "https://tools.ietf.org/html/rfc7231#section-6.5.5",
            "Method Not Allowed",
        ),
        (
            ProblemCode::IdempotencyKeyReused,
            409,
            "https://tools.ietf.org/html/rfc7231#section-6.5.8",
            "Conflict",
        ),
        (
            ProblemCode::InvalidState,
            409,
            "https://tools.ietf.org/html/rfc7231#section-6.5.8",
            "Conflict",
        ),
        (
            ProblemCode::PayloadTooLarge,
            413,
            "https://tools.ietf.org/html/rfc7231#section-6.5.11",
            "Payload Too Large",
        ),
        (
            ProblemCode::UnsupportedMediaType,
            415,
            "https://tools.ietf.org/html/rfc7231#section-6.5.13",
            "Unsupported Media Type",
        ),
        (
            ProblemCode::UnknownTransaction,
            404,
            "https://tools.ietf.org/html/rfc7231#section-6.5.4",
            "Not Found",
        ),
    ];
    for (code, status, ty, title) in cases {
        let body: ProblemBody =
            serde_json::from_slice(&encode_problem(&Problem::field("f", code, "m"))).unwrap();
        assert_eq!(
            (body.status, body.problem_type.as_str(), body.title.as_str()),
            (status, ty, title)
        );
        assert_eq!(body.code, code.as_str());
        assert_eq!(problem_code_from_str(code.as_str()), Some(code));
    }
    // Keys sorted, `$` first, top-level code from the first key.
    let mut p = Problem::default();
    p.push("siteCode", ProblemCode::InvalidValue, "a");
    p.push("amount", ProblemCode::MissingField, "is required");
    let body: ProblemBody = serde_json::from_slice(&encode_problem(&p)).unwrap();
    assert_eq!(body.code, "missing_field");
    assert_eq!(
        body.errors.keys().collect::<Vec<_>>(),
        ["amount", "siteCode"]
    );
    assert_eq!(body.to_problem().unwrap().code(), ProblemCode::MissingField);
}

#[test]
fn create_and_prompt_responses() {
    assert_eq!(encode_create_response("k-1"), br#"{"transactionId":"k-1"}"#);
    assert_eq!(encode_prompt_response(), b"{}");
    let escaped = encode_create_response("a\"b");
    let back: CreateResponse = serde_json::from_slice(&escaped).unwrap();
    assert_eq!(back.transaction_id, "a\"b");
}

#[test]
fn client_requests_use_the_seed_names() {
    let r = mobile(MOBILE).unwrap();
    assert_eq!(encode_create_request(&r), MOBILE.as_bytes());
    let r = preauth(PREAUTH).unwrap();
    assert_eq!(encode_create_request(&r), PREAUTH.as_bytes());
    let r = preauth(
        &PREAUTH
            .replace("externalReferanceID", "externalReferenceID")
            .replace("\"amount\":9", "\"amount\":9.250"),
    )
    .unwrap();
    let sent = String::from_utf8(encode_create_request(&r)).unwrap();
    assert!(sent.contains("\"amount\":9.25,"));
    assert!(sent.contains("\"externalReferanceID\":\"854712\""));
    let p =
        decode_prompt(br#"{"idTransaction":"t","customerData":{"Odometer":"152","DriverId":"7"}}"#)
            .unwrap();
    assert_eq!(
        PromptRequestWire::from(&p).encode(),
        br#"{"idTransaction":"t","customerData":{"Odometer":"152","DriverId":"7"}}"#
    );
    let c = decode_cancel(br#"{"TransactionId":"t"}"#).unwrap();
    assert_eq!(
        CancelRequestWire::from(&c).encode(),
        br#"{"transactionId":"t"}"#
    );
}
