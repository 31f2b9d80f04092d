//! Request bodies as clients send them: the seed's exact names and order, `externalReferanceID`
//! with the seed's spelling, `amount` as an exact JSON number (ATN-C-008).
//!
//! The typed client and the conformance suite send these; the server reads requests with the
//! lenient decoders (`decode_create` and friends) instead.

use payrig_core::Decimal;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::number;
use crate::domain::{CancelRequest, CreateKind, CreateRequest, PromptRequest};

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Infallible: string keys and infallible field serializers (see `response::to_json`).
    serde_json::to_vec(value).unwrap_or_default()
}

/// `POST /api/MobilePayments` (3.1), fields in the seed sample's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MobilePaymentsRequest {
    /// `siteCode`.
    #[serde(rename = "siteCode")]
    pub site_code: String,
    /// `pumpNumber`.
    #[serde(rename = "pumpNumber")]
    pub pump_number: u8,
    /// `fuelCode`.
    #[serde(rename = "fuelCode")]
    pub fuel_code: String,
    /// `amount`, an exact JSON number.
    #[serde(rename = "amount", with = "number")]
    pub amount: Decimal,
    /// `primaryTrack`.
    #[serde(rename = "primaryTrack")]
    pub primary_track: String,
    /// `terminalCode`.
    #[serde(rename = "terminalCode")]
    pub terminal_code: String,
    /// `mobilePaymentMode` (1).
    #[serde(rename = "mobilePaymentMode")]
    pub mobile_payment_mode: u8,
    /// `potencyKeyId`.
    #[serde(rename = "potencyKeyId")]
    pub potency_key_id: String,
    /// `externalReferanceID` (optional here; omitted when `None`).
    #[serde(
        rename = "externalReferanceID",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_referance_id: Option<String>,
}

/// `POST /api/PreAuthorizedPayments` (3.2), fields in the seed sample's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreAuthorizedPaymentsRequest {
    /// `siteCode`.
    #[serde(rename = "siteCode")]
    pub site_code: String,
    /// `pumpNumber`.
    #[serde(rename = "pumpNumber")]
    pub pump_number: u8,
    /// `fuelCode`.
    #[serde(rename = "fuelCode")]
    pub fuel_code: String,
    /// `amount`, an exact JSON number.
    #[serde(rename = "amount", with = "number")]
    pub amount: Decimal,
    /// `mobilePaymentMode` (1).
    #[serde(rename = "mobilePaymentMode")]
    pub mobile_payment_mode: u8,
    /// `potencyKeyId`.
    #[serde(rename = "potencyKeyId")]
    pub potency_key_id: String,
    /// `externalReferanceID`: the external authorization reference (required).
    #[serde(rename = "externalReferanceID")]
    pub external_referance_id: String,
}

impl From<&CreateRequest> for MobilePaymentsRequest {
    /// Missing `primaryTrack`/`terminalCode` (a PreAuthorized request) become `""`.
    fn from(r: &CreateRequest) -> Self {
        MobilePaymentsRequest {
            site_code: r.site_code.clone(),
            pump_number: r.pump_number,
            fuel_code: r.fuel_code.clone(),
            amount: r.amount,
            primary_track: r.primary_track.clone().unwrap_or_default(),
            terminal_code: r.terminal_code.clone().unwrap_or_default(),
            mobile_payment_mode: r.mobile_payment_mode,
            potency_key_id: r.potency_key_id.clone(),
            external_referance_id: r.external_reference_id.clone(),
        }
    }
}

impl From<&CreateRequest> for PreAuthorizedPaymentsRequest {
    /// A missing external reference becomes `""`.
    fn from(r: &CreateRequest) -> Self {
        PreAuthorizedPaymentsRequest {
            site_code: r.site_code.clone(),
            pump_number: r.pump_number,
            fuel_code: r.fuel_code.clone(),
            amount: r.amount,
            mobile_payment_mode: r.mobile_payment_mode,
            potency_key_id: r.potency_key_id.clone(),
            external_referance_id: r.external_reference_id.clone().unwrap_or_default(),
        }
    }
}

impl MobilePaymentsRequest {
    /// The JSON body.
    pub fn encode(&self) -> Vec<u8> {
        to_json(self)
    }
}

impl PreAuthorizedPaymentsRequest {
    /// The JSON body.
    pub fn encode(&self) -> Vec<u8> {
        to_json(self)
    }
}

/// Encodes `req` as its operation's body (`req.kind` picks the struct).
pub fn encode_create_request(req: &CreateRequest) -> Vec<u8> {
    match req.kind {
        CreateKind::MobilePayments => MobilePaymentsRequest::from(req).encode(),
        CreateKind::PreAuthorizedPayments => PreAuthorizedPaymentsRequest::from(req).encode(),
    }
}

/// `POST /api/MobilePayments/Cancel` (3.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CancelRequestWire {
    /// `transactionId`.
    #[serde(rename = "transactionId")]
    pub transaction_id: String,
}

impl From<&CancelRequest> for CancelRequestWire {
    fn from(r: &CancelRequest) -> Self {
        CancelRequestWire {
            transaction_id: r.transaction_id.clone(),
        }
    }
}

impl CancelRequestWire {
    /// The JSON body.
    pub fn encode(&self) -> Vec<u8> {
        to_json(self)
    }
}

/// `POST /api/MobilePayments/PromptPreauthorizations` (3.5, extension).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptRequestWire {
    /// `idTransaction`.
    #[serde(rename = "idTransaction")]
    pub id_transaction: String,
    /// `customerData`: answers named without `Prompt`, sent in this order.
    #[serde(rename = "customerData", serialize_with = "ordered_map")]
    pub customer_data: Vec<(String, String)>,
}

fn ordered_map<S: Serializer>(
    pairs: &[(String, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

impl From<&PromptRequest> for PromptRequestWire {
    fn from(r: &PromptRequest) -> Self {
        PromptRequestWire {
            id_transaction: r.id_transaction.clone(),
            customer_data: r.customer_data.clone(),
        }
    }
}

impl PromptRequestWire {
    /// The JSON body.
    pub fn encode(&self) -> Vec<u8> {
        to_json(self)
    }
}
