//! Response bodies: one struct per body, with the exact names and order of section 3, shared by
//! the server (which encodes from domain values) and the clients (which decode).
//!
//! Numbers go out as the shortest exact decimal (D17) and come back in exactly, through the
//! raw JSON text; so these structs only (de)serialize with serde_json, from bytes or `&str`
//! (not through `serde_json::Value`).

use std::collections::BTreeMap;

use payrig_core::{Decimal, Timestamp};
use serde::{Deserialize, Serialize};

use super::number;
use super::timefmt::{format_ationet_time, parse_ationet_time};
use crate::domain::{PaymentMethod, Problem, ProblemCode, TransactionSnapshot};
use crate::state::{CancelCode, StateId};

/// Serializes a body. Cannot fail: the structs have string keys and every `Serialize` in them
/// is infallible (a [`Decimal`]'s text is always a valid JSON number).
fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// The body of a create answer (3.1, 3.2): `{"transactionId":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateResponse {
    /// `transactionId`.
    #[serde(rename = "transactionId")]
    pub transaction_id: String,
}

/// Encodes a create answer (ATN-S-001).
pub fn encode_create_response(transaction_id: &str) -> Vec<u8> {
    to_json(&CreateResponse {
        transaction_id: transaction_id.to_owned(),
    })
}

/// The body of GetTransaction (3.3): the seed's fields in the seed's order, `idDispatch` last.
///
/// Times are kept as their wire text (`yyyy-MM-ddTHH:mm:ss.fffffff`, D16), so a body decodes
/// and re-encodes byte for byte; [`GetTransactionResponse::to_snapshot`] parses them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetTransactionResponse {
    /// `id`.
    #[serde(rename = "id")]
    pub id: String,
    /// `siteCode`.
    #[serde(rename = "siteCode")]
    pub site_code: Option<String>,
    /// `primaryTrack` (null for PreAuthorizedPayments).
    #[serde(rename = "primaryTrack")]
    pub primary_track: Option<String>,
    /// `odometer` (a number).
    #[serde(rename = "odometer", with = "number")]
    pub odometer: Decimal,
    /// `terminalIdentification`.
    #[serde(rename = "terminalIdentification")]
    pub terminal_identification: Option<String>,
    /// `transactionSequenceNumber` (an integer).
    #[serde(rename = "transactionSequenceNumber")]
    pub transaction_sequence_number: u64,
    /// `state_Name` (display only; clients branch on `state_Id`, ATN-C-005).
    #[serde(rename = "state_Name")]
    pub state_name: Option<String>,
    /// `state_Id` (an integer).
    #[serde(rename = "state_Id")]
    pub state_id: u8,
    /// `paymentProcessorReferenceId`.
    #[serde(rename = "paymentProcessorReferenceId")]
    pub payment_processor_reference_id: Option<String>,
    /// `paymentProcessorMessage` (in state 25 a JSON object held as a string).
    #[serde(rename = "paymentProcessorMessage")]
    pub payment_processor_message: Option<String>,
    /// `siteSystemMessage`.
    #[serde(rename = "siteSystemMessage")]
    pub site_system_message: Option<String>,
    /// `fuelPointNumber` (an integer).
    #[serde(rename = "fuelPointNumber")]
    pub fuel_point_number: u8,
    /// `paymentMethod`.
    #[serde(rename = "paymentMethod")]
    pub payment_method: Option<String>,
    /// `requestedAmount`.
    #[serde(rename = "requestedAmount", with = "number")]
    pub requested_amount: Decimal,
    /// `authorizedAmount`.
    #[serde(rename = "authorizedAmount", with = "number")]
    pub authorized_amount: Decimal,
    /// `dispatchedAmount` (money).
    #[serde(rename = "dispatchedAmount", with = "number")]
    pub dispatched_amount: Decimal,
    /// `dispatchedQuantity` (litres).
    #[serde(rename = "dispatchedQuantity", with = "number")]
    pub dispatched_quantity: Decimal,
    /// `productCode`.
    #[serde(rename = "productCode")]
    pub product_code: Option<String>,
    /// `productDescription`.
    #[serde(rename = "productDescription")]
    pub product_description: Option<String>,
    /// `productUnitPrice` (per litre).
    #[serde(rename = "productUnitPrice", with = "number")]
    pub product_unit_price: Decimal,
    /// `unitMeasure`.
    #[serde(rename = "unitMeasure")]
    pub unit_measure: Option<String>,
    /// `createDateTime`, wire text.
    #[serde(rename = "createDateTime")]
    pub create_date_time: Option<String>,
    /// `updateDateTime`, wire text.
    #[serde(rename = "updateDateTime")]
    pub update_date_time: Option<String>,
    /// `idDispatch` (FI only; set at state 10 or 11).
    #[serde(rename = "idDispatch", default)]
    pub id_dispatch: Option<String>,
}

/// Why a GetTransaction body does not map back onto a [`TransactionSnapshot`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// `state_Id` is not one of section 4.1's ids.
    #[error("state_Id {0} is not a known state")]
    UnknownState(u8),
    /// `paymentMethod` is neither `AtionetPrepaid` nor `ExternalPreAuthorized`.
    #[error("paymentMethod `{0}` is not known")]
    UnknownPaymentMethod(String),
    /// A required field is null.
    #[error("{0} is null")]
    Null(&'static str),
    /// A time is not `yyyy-MM-ddTHH:mm:ss.fffffff`.
    #[error("{field} `{value}` is not a yyyy-MM-ddTHH:mm:ss.fffffff time")]
    Time {
        /// The field name.
        field: &'static str,
        /// The text received.
        value: String,
    },
    /// `odometer` is not a non-negative integer.
    #[error("odometer {0} is not a non-negative integer")]
    Odometer(Decimal),
}

impl GetTransactionResponse {
    /// The body GetTransaction sends for `snap` (ATN-S-010).
    pub fn from_snapshot(snap: &TransactionSnapshot) -> GetTransactionResponse {
        GetTransactionResponse {
            id: snap.id.clone(),
            site_code: Some(snap.site_code.clone()),
            primary_track: snap.primary_track.clone(),
            odometer: Decimal::new(i128::from(snap.odometer), 0),
            terminal_identification: snap.terminal_identification.clone(),
            transaction_sequence_number: snap.transaction_sequence_number,
            state_name: Some(snap.state.name().to_owned()),
            state_id: snap.state.id(),
            payment_processor_reference_id: snap.payment_processor_reference_id.clone(),
            payment_processor_message: snap.payment_processor_message.clone(),
            site_system_message: snap.site_system_message.clone(),
            fuel_point_number: snap.fuel_point_number,
            payment_method: Some(snap.payment_method.as_str().to_owned()),
            requested_amount: snap.requested_amount,
            authorized_amount: snap.authorized_amount,
            dispatched_amount: snap.dispatched_amount,
            dispatched_quantity: snap.dispatched_quantity,
            product_code: snap.product_code.clone(),
            product_description: snap.product_description.clone(),
            product_unit_price: snap.product_unit_price,
            unit_measure: snap.unit_measure.clone(),
            create_date_time: Some(format_ationet_time(snap.create_date_time)),
            update_date_time: Some(format_ationet_time(snap.update_date_time)),
            id_dispatch: snap.id_dispatch.clone(),
        }
    }

    /// The state, if `state_Id` is known.
    pub fn state(&self) -> Option<StateId> {
        StateId::from_id(self.state_id)
    }

    /// Maps the body back onto domain values. Times are truncated to milliseconds (the
    /// domain's resolution), so `…16.6157799` reads as `…16.615`.
    pub fn to_snapshot(&self) -> Result<TransactionSnapshot, SnapshotError> {
        let state = self
            .state()
            .ok_or(SnapshotError::UnknownState(self.state_id))?;
        let payment_method = match self.payment_method.as_deref() {
            Some("AtionetPrepaid") => PaymentMethod::AtionetPrepaid,
            Some("ExternalPreAuthorized") => PaymentMethod::ExternalPreAuthorized,
            Some(other) => return Err(SnapshotError::UnknownPaymentMethod(other.to_owned())),
            None => return Err(SnapshotError::Null("paymentMethod")),
        };
        let time =
            |field: &'static str, value: &Option<String>| -> Result<Timestamp, SnapshotError> {
                let text = value.as_deref().ok_or(SnapshotError::Null(field))?;
                parse_ationet_time(text).ok_or_else(|| SnapshotError::Time {
                    field,
                    value: text.to_owned(),
                })
            };
        let odometer = self
            .odometer
            .to_scaled(0)
            .and_then(|v| u64::try_from(v).ok())
            .ok_or(SnapshotError::Odometer(self.odometer))?;
        Ok(TransactionSnapshot {
            id: self.id.clone(),
            site_code: self
                .site_code
                .clone()
                .ok_or(SnapshotError::Null("siteCode"))?,
            primary_track: self.primary_track.clone(),
            odometer,
            terminal_identification: self.terminal_identification.clone(),
            transaction_sequence_number: self.transaction_sequence_number,
            state,
            payment_processor_reference_id: self.payment_processor_reference_id.clone(),
            payment_processor_message: self.payment_processor_message.clone(),
            site_system_message: self.site_system_message.clone(),
            fuel_point_number: self.fuel_point_number,
            payment_method,
            requested_amount: self.requested_amount,
            authorized_amount: self.authorized_amount,
            dispatched_amount: self.dispatched_amount,
            dispatched_quantity: self.dispatched_quantity,
            product_code: self.product_code.clone(),
            product_description: self.product_description.clone(),
            product_unit_price: self.product_unit_price,
            unit_measure: self.unit_measure.clone(),
            create_date_time: time("createDateTime", &self.create_date_time)?,
            update_date_time: time("updateDateTime", &self.update_date_time)?,
            id_dispatch: self.id_dispatch.clone(),
        })
    }

    /// Encodes this body exactly (field order of 3.3, shortest numbers).
    pub fn encode(&self) -> Vec<u8> {
        to_json(self)
    }
}

/// Encodes GetTransaction's body for `snap` (3.3, ATN-S-010).
pub fn encode_transaction(snap: &TransactionSnapshot) -> Vec<u8> {
    GetTransactionResponse::from_snapshot(snap).encode()
}

/// The body of a Cancel answer (3.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelResponse {
    /// `transactionId`, echoed.
    #[serde(rename = "transactionId")]
    pub transaction_id: String,
    /// `isSuccessCanceled`: true only with the success code.
    #[serde(rename = "isSuccessCanceled")]
    pub is_success_canceled: bool,
    /// `responseCode` (`00000`, or `0` when configured; D9).
    #[serde(rename = "responseCode")]
    pub response_code: String,
    /// `responseMessage`, the seed's text with its typos.
    #[serde(rename = "responseMessage")]
    pub response_message: String,
}

impl CancelResponse {
    /// The answer for `code`; `success_code_text` is the `cancel_success_code` hook (D9).
    pub fn new(transaction_id: &str, code: CancelCode, success_code_text: &str) -> CancelResponse {
        CancelResponse {
            transaction_id: transaction_id.to_owned(),
            is_success_canceled: code.is_success(),
            response_code: if code.is_success() {
                success_code_text.to_owned()
            } else {
                code.code().to_owned()
            },
            response_message: code.message().to_owned(),
        }
    }

    /// The code, accepting `0` as well as `00000` for success (ATN-C-006).
    pub fn cancel_code(&self) -> Option<CancelCode> {
        if self.response_code == "0" {
            return Some(CancelCode::Success);
        }
        crate::state::ALL_CANCEL_CODES
            .iter()
            .copied()
            .find(|c| c.code() == self.response_code && c.message() == self.response_message)
            .or_else(|| {
                crate::state::ALL_CANCEL_CODES
                    .iter()
                    .copied()
                    .find(|c| c.code() == self.response_code)
            })
    }
}

/// Encodes a Cancel answer (3.4, ATN-S-014/015). `success_code_text` is what `00000` is sent
/// as (`"00000"` by default, `"0"` when `cancel_success_code` says so, D9).
pub fn encode_cancel_response(
    transaction_id: &str,
    code: CancelCode,
    success_code_text: &str,
) -> Vec<u8> {
    to_json(&CancelResponse::new(
        transaction_id,
        code,
        success_code_text,
    ))
}

/// Encodes PromptPreauthorizations' success answer (3.5): `{}`.
pub fn encode_prompt_response() -> Vec<u8> {
    b"{}".to_vec()
}

/// `Content-Type` of problem bodies (D12).
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json; charset=utf-8";

/// `Content-Type` of every other body.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// An RFC 7807 body (section 5, D12). `errors` is always present, `{}` for problems without a
/// field (404 unknown path, 405, 413, 415), so clients can read it unconditionally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemBody {
    /// `type`: the RFC section of the status.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// `title`.
    #[serde(rename = "title")]
    pub title: String,
    /// `status`.
    #[serde(rename = "status")]
    pub status: u16,
    /// `code`: the code of the first key (section 5).
    #[serde(rename = "code")]
    pub code: String,
    /// `errors`: messages by field, keys sorted, `$` for the whole body.
    #[serde(rename = "errors", default)]
    pub errors: BTreeMap<String, Vec<String>>,
}

/// Every problem code, for reading `code` back.
const ALL_PROBLEM_CODES: [ProblemCode; 13] = [
    ProblemCode::NotFound,
    ProblemCode::MethodNotAllowed,
    ProblemCode::Unauthorized,
    ProblemCode::PayloadTooLarge,
    ProblemCode::UnsupportedMediaType,
    ProblemCode::MalformedJson,
    ProblemCode::MissingField,
    ProblemCode::InvalidType,
    ProblemCode::InvalidValue,
    ProblemCode::DuplicateField,
    ProblemCode::UnknownTransaction,
    ProblemCode::IdempotencyKeyReused,
    ProblemCode::InvalidState,
];

/// Reads a `code` text (`invalid_value`) back into its [`ProblemCode`].
pub fn problem_code_from_str(text: &str) -> Option<ProblemCode> {
    ALL_PROBLEM_CODES
        .iter()
        .copied()
        .find(|c| c.as_str() == text)
}

/// The RFC 7807 `type` URI for a status (RFC 7231 section 6.5.x; 401 is RFC 7235 3.1).
pub fn problem_type(status: u16) -> &'static str {
    match status {
        400 => "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        401 => "https://tools.ietf.org/html/rfc7235#section-3.1",
        404 => "https://tools.ietf.org/html/rfc7231#section-6.5.4",
        405 => "https://tools.ietf.org/html/rfc7231#section-6.5.5",
        409 => "https://tools.ietf.org/html/rfc7231#section-6.5.8",
        413 => "https://tools.ietf.org/html/rfc7231#section-6.5.11",
        415 => "https://tools.ietf.org/html/rfc7231#section-6.5.13",
        _ => "about:blank",
    }
}

/// The RFC 7807 `title` for a status: ASP.NET's validation title for 400, else the reason phrase.
pub fn problem_title(status: u16) -> &'static str {
    match status {
        400 => "One or more validation errors occurred.",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        _ => "Error",
    }
}

impl ProblemBody {
    /// The body for `problem`.
    pub fn from_problem(problem: &Problem) -> ProblemBody {
        let status = problem.status();
        ProblemBody {
            problem_type: problem_type(status).to_owned(),
            title: problem_title(status).to_owned(),
            status,
            code: problem.code().as_str().to_owned(),
            errors: problem
                .errors
                .iter()
                .map(|(k, v)| (k.clone(), v.messages.clone()))
                .collect(),
        }
    }

    /// Back to a [`Problem`] (every field gets the top-level code, which is all the body
    /// carries); `None` when `code` is not one of section 5's.
    pub fn to_problem(&self) -> Option<Problem> {
        let code = problem_code_from_str(&self.code)?;
        let mut problem = if self.errors.is_empty() {
            Problem::bare(code)
        } else {
            Problem::default()
        };
        for (field, messages) in &self.errors {
            for m in messages {
                problem.push(field, code, m.clone());
            }
        }
        Some(problem)
    }

    /// Encodes this body.
    pub fn encode(&self) -> Vec<u8> {
        to_json(self)
    }
}

/// Encodes an RFC 7807 body for `problem` (section 5, D12).
pub fn encode_problem(problem: &Problem) -> Vec<u8> {
    ProblemBody::from_problem(problem).encode()
}
