//! Clean domain types: what the wire decodes into and what GetTransaction encodes from.

use std::collections::BTreeMap;

use payrig_core::{Decimal, Timestamp};
use serde::Serialize;

use crate::state::StateId;

/// Which create operation a request came through (they share one key space, 3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum CreateKind {
    /// `POST /api/MobilePayments`: ATIONet's PFEP authorizes the card (FI).
    MobilePayments,
    /// `POST /api/PreAuthorizedPayments`: an external processor authorized beforehand (EX).
    PreAuthorizedPayments,
}

impl CreateKind {
    /// The operation name as journals and the spec write it.
    pub const fn op(self) -> &'static str {
        match self {
            CreateKind::MobilePayments => "MobilePayments",
            CreateKind::PreAuthorizedPayments => "PreAuthorizedPayments",
        }
    }

    /// `paymentMethod` of transactions created this way.
    pub const fn payment_method(self) -> PaymentMethod {
        match self {
            CreateKind::MobilePayments => PaymentMethod::AtionetPrepaid,
            CreateKind::PreAuthorizedPayments => PaymentMethod::ExternalPreAuthorized,
        }
    }
}

/// `paymentMethod` (D19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum PaymentMethod {
    /// MobilePayments.
    AtionetPrepaid,
    /// PreAuthorizedPayments.
    ExternalPreAuthorized,
}

impl PaymentMethod {
    /// The wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::AtionetPrepaid => "AtionetPrepaid",
            PaymentMethod::ExternalPreAuthorized => "ExternalPreAuthorized",
        }
    }
}

/// What `amount` means at a site (D4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PresetUnit {
    /// Litres, at most 3 decimals (the seed's reading; default).
    #[default]
    Volume,
    /// Money in the site currency, at most its exponent's decimals.
    Money,
}

/// A validated create request (MobilePayments or PreAuthorizedPayments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRequest {
    /// Which operation.
    pub kind: CreateKind,
    /// `siteCode`.
    pub site_code: String,
    /// `pumpNumber`, 1-99.
    pub pump_number: u8,
    /// `fuelCode`.
    pub fuel_code: String,
    /// `amount`, exact, > 0, at most 3 decimals; site limits are checked by the world.
    pub amount: Decimal,
    /// `primaryTrack` (MobilePayments only).
    pub primary_track: Option<String>,
    /// `terminalCode` (MobilePayments only).
    pub terminal_code: Option<String>,
    /// `mobilePaymentMode` (always 1).
    pub mobile_payment_mode: u8,
    /// `potencyKeyId`: the idempotency key, and by default the transaction id (D5).
    pub potency_key_id: String,
    /// `externalReferanceID` / `externalReferenceID` (D3); required for PreAuthorizedPayments.
    pub external_reference_id: Option<String>,
    /// Fields that arrived as numeric strings: accepted, but graded (D13, ATN-C-008).
    pub numeric_strings: Vec<&'static str>,
}

impl CreateRequest {
    /// Identical repeat test of 3.6: same operation and equal values (numbers as exact
    /// decimals, strings byte for byte); how numbers were spelled does not matter.
    pub fn same_body(&self, other: &CreateRequest) -> bool {
        self.kind == other.kind
            && self.site_code == other.site_code
            && self.pump_number == other.pump_number
            && self.fuel_code == other.fuel_code
            && self.amount == other.amount
            && self.primary_track == other.primary_track
            && self.terminal_code == other.terminal_code
            && self.mobile_payment_mode == other.mobile_payment_mode
            && self.potency_key_id == other.potency_key_id
            && self.external_reference_id == other.external_reference_id
    }
}

/// A validated Cancel request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelRequest {
    /// `transactionId`.
    pub transaction_id: String,
}

/// A validated PromptPreauthorizations request (extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptRequest {
    /// `idTransaction`.
    pub id_transaction: String,
    /// `customerData`, names without `Prompt` (`Odometer`), in arrival order.
    pub customer_data: Vec<(String, String)>,
}

/// The `code` of an RFC 7807 problem (section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemCode {
    /// 404: unknown path, or prompts while the extension is off.
    NotFound,
    /// 405: method not allowed on this path.
    MethodNotAllowed,
    /// 401: token missing or wrong.
    Unauthorized,
    /// 413: body over 64 KiB.
    PayloadTooLarge,
    /// 415: a POST whose Content-Type is not JSON.
    UnsupportedMediaType,
    /// 400: not JSON, or not an object.
    MalformedJson,
    /// 400: a required field is missing or null.
    MissingField,
    /// 400: a field has the wrong JSON type.
    InvalidType,
    /// 400: pattern, range, enum or precision.
    InvalidValue,
    /// 400: the same property twice, in any casing.
    DuplicateField,
    /// 404: unknown transaction id.
    UnknownTransaction,
    /// 409: key reused with another body.
    IdempotencyKeyReused,
    /// 409: prompts outside state 25.
    InvalidState,
}

impl ProblemCode {
    /// The snake_case wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProblemCode::NotFound => "not_found",
            ProblemCode::MethodNotAllowed => "method_not_allowed",
            ProblemCode::Unauthorized => "unauthorized",
            ProblemCode::PayloadTooLarge => "payload_too_large",
            ProblemCode::UnsupportedMediaType => "unsupported_media_type",
            ProblemCode::MalformedJson => "malformed_json",
            ProblemCode::MissingField => "missing_field",
            ProblemCode::InvalidType => "invalid_type",
            ProblemCode::InvalidValue => "invalid_value",
            ProblemCode::DuplicateField => "duplicate_field",
            ProblemCode::UnknownTransaction => "unknown_transaction",
            ProblemCode::IdempotencyKeyReused => "idempotency_key_reused",
            ProblemCode::InvalidState => "invalid_state",
        }
    }

    /// The HTTP status the spec gives this code.
    pub const fn status(self) -> u16 {
        match self {
            ProblemCode::NotFound | ProblemCode::UnknownTransaction => 404,
            ProblemCode::MethodNotAllowed => 405,
            ProblemCode::Unauthorized => 401,
            ProblemCode::PayloadTooLarge => 413,
            ProblemCode::UnsupportedMediaType => 415,
            ProblemCode::MalformedJson
            | ProblemCode::MissingField
            | ProblemCode::InvalidType
            | ProblemCode::InvalidValue
            | ProblemCode::DuplicateField => 400,
            ProblemCode::IdempotencyKeyReused | ProblemCode::InvalidState => 409,
        }
    }
}

/// One bad field: its code and human messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The code of this field's first problem.
    pub code: ProblemCode,
    /// Messages, e.g. `must be greater than 0`.
    pub messages: Vec<String>,
}

/// An RFC 7807 problem (D12): `errors` names every bad field, keys sorted; `$` is the whole
/// body; the top-level `code` belongs to the first key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problem {
    /// Bad fields by name.
    pub errors: BTreeMap<String, FieldProblem>,
    /// Set for problems without a field (404 unknown path, 405, 413, 415).
    pub bare: Option<ProblemCode>,
}

impl Problem {
    /// A problem naming one field.
    pub fn field(field: &str, code: ProblemCode, message: impl Into<String>) -> Problem {
        let mut p = Problem::default();
        p.push(field, code, message);
        p
    }

    /// A problem with no field (404, 405, 413, 415).
    pub fn bare(code: ProblemCode) -> Problem {
        Problem {
            errors: BTreeMap::new(),
            bare: Some(code),
        }
    }

    /// Adds a message for `field`; the field keeps the code of its first problem.
    pub fn push(&mut self, field: &str, code: ProblemCode, message: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_insert_with(|| FieldProblem {
                code,
                messages: Vec::new(),
            })
            .messages
            .push(message.into());
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.bare.is_none()
    }

    /// The top-level code: the bare code, else the first (sorted) key's.
    pub fn code(&self) -> ProblemCode {
        self.bare
            .or_else(|| self.errors.values().next().map(|f| f.code))
            .unwrap_or(ProblemCode::MalformedJson)
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.code().status()
    }
}

/// Product fields the site reports when it reserves the pump (T5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductInfo {
    /// `terminalIdentification` (the site's terminal, e.g. `ST01`).
    pub terminal_identification: String,
    /// `productCode`.
    pub product_code: String,
    /// `productDescription`.
    pub product_description: String,
    /// `productUnitPrice` per litre, exact, in major units.
    pub unit_price: Decimal,
}

/// Everything GetTransaction reports, as clean types (the wire layer fixes order and casing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionSnapshot {
    /// `id`.
    pub id: String,
    /// `siteCode`.
    pub site_code: String,
    /// `primaryTrack` (None for PreAuthorizedPayments).
    pub primary_track: Option<String>,
    /// `odometer`: the prompted value, or 0.
    pub odometer: u64,
    /// `terminalIdentification` (None until state 5).
    pub terminal_identification: Option<String>,
    /// `transactionSequenceNumber`, from 1.
    pub transaction_sequence_number: u64,
    /// `state_Id` / `state_Name`.
    pub state: StateId,
    /// `paymentProcessorReferenceId`: PFEP code, or `externalReferanceID`.
    pub payment_processor_reference_id: Option<String>,
    /// `paymentProcessorMessage`.
    pub payment_processor_message: Option<String>,
    /// `siteSystemMessage`.
    pub site_system_message: Option<String>,
    /// `fuelPointNumber`.
    pub fuel_point_number: u8,
    /// `paymentMethod`.
    pub payment_method: PaymentMethod,
    /// `requestedAmount`, in `preset_unit`.
    pub requested_amount: Decimal,
    /// `authorizedAmount`, in `preset_unit` (0 until granted).
    pub authorized_amount: Decimal,
    /// `dispatchedAmount`, money in major units.
    pub dispatched_amount: Decimal,
    /// `dispatchedQuantity`, litres.
    pub dispatched_quantity: Decimal,
    /// `productCode` (None until state 5).
    pub product_code: Option<String>,
    /// `productDescription` (None until state 5).
    pub product_description: Option<String>,
    /// `productUnitPrice` per litre (0 until state 5).
    pub product_unit_price: Decimal,
    /// `unitMeasure` (`L` from state 5).
    pub unit_measure: Option<String>,
    /// `createDateTime`.
    pub create_date_time: Timestamp,
    /// `updateDateTime`.
    pub update_date_time: Timestamp,
    /// `idDispatch`, set at state 10 or 11.
    pub id_dispatch: Option<String>,
}
