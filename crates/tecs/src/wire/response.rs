//! `TransactionResponse` (spec 3.2) and `VersionResponse` (3.4).

use payrig_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::code::{clip_bytes, ResponseCode};
use crate::wire::request::{RequestProblem, TransactionRequest};

/// The response `message_type`, always `0002` (TEC-S-004).
pub const RESPONSE_MESSAGE_TYPE: &str = "0002";

/// The body of every `makeTransaction` answer, whatever its status (200/400/401/504).
///
/// Every field is always present, `""` when empty (D5), in the order of the spec's sample, so
/// an encoded response is byte-stable and a stored one replays byte for byte. Decoding accepts
/// missing fields as `""`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct TransactionResponse {
    /// `message_type`: `0002`.
    pub message_type: String,
    /// `response_code` (4), 5.2.
    pub response_code: String,
    /// `response_text` (at most 80 bytes), 5.2.
    pub response_text: String,
    /// `authorization_number` (9): the host's approval code.
    pub authorization_number: String,
    /// `transaction_id` (20): echo.
    pub transaction_id: String,
    /// `transaction_date_time` (14): server time, `yyyymmddhhmmss`.
    pub transaction_date_time: String,
    /// `transaction_type` (2), D16.
    pub transaction_type: String,
    /// `card_number` (40): masked `PAN_YYMM` (D17), or the request's `TXID…`.
    pub card_number: String,
    /// `credit_card_issuer_and_acquirer_company` (40): `<acquirer>;<BRAND>`.
    pub credit_card_issuer_and_acquirer_company: String,
    /// `stan` (6).
    pub stan: String,
    /// `receipt_header` (100).
    pub receipt_header: String,
    /// `receipt_footer` (100): CVM, `AID:`, `AC:`, and for `0907` `TIP:` `TOTAL:` (D12).
    pub receipt_footer: String,
    /// `svc` (3): the card's service code.
    pub svc: String,
    /// `vu_number` (15): merchant contract.
    pub vu_number: String,
    /// `merchant_name` (25).
    pub merchant_name: String,
    /// `merchant_address` (50).
    pub merchant_address: String,
    /// `operator_id` (12).
    pub operator_id: String,
    /// `orig_stan` (6): the original's (references).
    pub orig_stan: String,
    /// `orig_tx_id` (20): the original `transaction_id` (references).
    pub orig_tx_id: String,
    /// `serien_nr` (9): serial number.
    pub serien_nr: String,
    /// `ecr_data` (250): echo.
    pub ecr_data: String,
    /// `balance_amount` (20): `""`.
    pub balance_amount: String,
    /// `bonus_point` (100): `""`.
    pub bonus_point: String,
    /// `exchange_rate` (20): `""`.
    pub exchange_rate: String,
    /// `ex_fee` (100): `""`.
    pub ex_fee: String,
    /// `foreign_tx_amount` (20): `""`.
    pub foreign_tx_amount: String,
}

impl TransactionResponse {
    /// An empty response with `message_type` `0002` and the code's text.
    pub fn with_code(code: ResponseCode) -> TransactionResponse {
        TransactionResponse {
            message_type: RESPONSE_MESSAGE_TYPE.to_owned(),
            response_code: code.code().to_owned(),
            response_text: code.text().to_owned(),
            ..TransactionResponse::default()
        }
    }

    /// The body of a refusal before routing (400 `3001`-`3005`, 401 `3401`, 504 `9001`):
    /// the code and text, server time, and the request's `transaction_id` and `ecr_data` echoed
    /// when the body got that far. Nothing else is filled: no transaction took place.
    pub fn refusal(
        code: ResponseCode,
        text: &str,
        request: Option<&TransactionRequest>,
        date_time: &str,
    ) -> TransactionResponse {
        TransactionResponse::refusal_at(code, text, request, date_time.to_owned())
    }

    /// [`TransactionResponse::refusal`] taking the time text it stores.
    pub(crate) fn refusal_at(
        code: ResponseCode,
        text: &str,
        request: Option<&TransactionRequest>,
        date_time: String,
    ) -> TransactionResponse {
        let echo = |name: &str| request.map(|r| r.text(name).to_owned()).unwrap_or_default();
        TransactionResponse {
            message_type: RESPONSE_MESSAGE_TYPE.to_owned(),
            response_code: code.code().to_owned(),
            response_text: clip_bytes(text, 80),
            transaction_id: echo("transaction_id"),
            ecr_data: echo("ecr_data"),
            transaction_date_time: date_time,
            ..TransactionResponse::default()
        }
    }

    /// The body for a decode problem (400 `3001` / `3005`).
    pub fn for_problem(
        problem: &RequestProblem,
        request: Option<&TransactionRequest>,
        date_time: &str,
    ) -> TransactionResponse {
        TransactionResponse::refusal(problem.code(), &problem.response_text(), request, date_time)
    }

    /// The response code, if it is one of 5.2.
    pub fn code(&self) -> Option<ResponseCode> {
        ResponseCode::from_code(&self.response_code)
    }

    /// Compact JSON in the fixed field order.
    pub fn encode(&self) -> Vec<u8> {
        // Cannot fail: a struct of strings.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The body of `GET {base}/version` (3.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionResponse {
    /// `appName`.
    #[serde(rename = "appName")]
    pub app_name: String,
    /// `version`.
    pub version: String,
    /// `buildDate`.
    #[serde(rename = "buildDate")]
    pub build_date: String,
}

impl Default for VersionResponse {
    /// The spec's configurable default: `tecsclientrest`, `0.14.15-payrig`, `2025-01-01`.
    fn default() -> Self {
        VersionResponse {
            app_name: "tecsclientrest".to_owned(),
            version: "0.14.15-payrig".to_owned(),
            build_date: "2025-01-01".to_owned(),
        }
    }
}

impl VersionResponse {
    /// Compact JSON: `appName`, `version`, `buildDate`.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// `yyyymmddhhmmss` of `now` shifted by `utc_offset_minutes` (the terminal's local time).
pub fn format_date_time(now: Timestamp, utc_offset_minutes: i32) -> String {
    let dt = now.to_datetime() + time::Duration::minutes(i64::from(utc_offset_minutes));
    // Every response carries one, so the usual years skip the formatting machinery.
    if let Ok(year @ 0..=9999) = u32::try_from(dt.year()) {
        let mut s = String::with_capacity(14);
        for (value, width) in [
            (year, 1000),
            (u32::from(u8::from(dt.month())), 10),
            (u32::from(dt.day()), 10),
            (u32::from(dt.hour()), 10),
            (u32::from(dt.minute()), 10),
            (u32::from(dt.second()), 10),
        ] {
            let mut unit = width;
            while unit > 0 {
                s.push(char::from(b'0' + ((value / unit) % 10) as u8));
                unit /= 10;
            }
        }
        return s;
    }
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_present_in_the_sample_order() {
        let r = TransactionResponse::with_code(ResponseCode::TerminalBusy);
        let json = String::from_utf8(r.encode()).unwrap();
        assert!(json.starts_with(
            r#"{"message_type":"0002","response_code":"3003","response_text":"TERMINAL BUSY","authorization_number":"","#
        ));
        assert!(json.ends_with(r#""ex_fee":"","foreign_tx_amount":""}"#));
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 26);
        let back: TransactionResponse = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.code(), Some(ResponseCode::TerminalBusy));
    }

    #[test]
    fn refusal_echoes_id_and_ecr_data() {
        let req = TransactionRequest {
            transaction_id: Some("42".into()),
            ecr_data: Some("till 3".into()),
            ..TransactionRequest::default()
        };
        let r = TransactionResponse::refusal(
            ResponseCode::TerminalBusy,
            "TERMINAL BUSY",
            Some(&req),
            "20240521190931",
        );
        assert_eq!(r.transaction_id, "42");
        assert_eq!(r.ecr_data, "till 3");
        assert_eq!(r.transaction_type, "");
        let none = TransactionResponse::refusal(ResponseCode::InvalidField, "x", None, "");
        assert_eq!(none.transaction_id, "");
    }

    #[test]
    fn version_and_time() {
        assert_eq!(
            VersionResponse::default().encode(),
            br#"{"appName":"tecsclientrest","version":"0.14.15-payrig","buildDate":"2025-01-01"}"#
        );
        // 2024-05-21T19:09:31Z
        let t = Timestamp(1_716_318_571_000);
        assert_eq!(format_date_time(t, 0), "20240521190931");
        assert_eq!(format_date_time(t, 120), "20240521210931");
        assert_eq!(format_date_time(Timestamp(0), 0), "19700101000000");
        assert_eq!(format_date_time(Timestamp(0), -61), "19691231225900");
        assert_eq!(
            format_date_time(Timestamp(253_402_300_799_000), 0),
            "99991231235959"
        );
    }
}
