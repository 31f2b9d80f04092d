//! Wire types with the spec's exact spellings: [`TransactionRequest`] (3.1),
//! [`TransactionResponse`] (3.2), `TXID` references ([`TxidRef`], 3.3) and
//! [`VersionResponse`] (3.4).
//!
//! In (server side): [`TransactionRequest::parse`] reads the JSON shape (every known member a
//! string, unknown members ignored) and [`crate::domain::Request::from_wire`] applies the
//! §3.1 limits and content rules; [`decode_request`] does both. Every refusal is one
//! [`RequestProblem`] naming the field, answered 400 `3001` (or `3005`).
//!
//! Out: [`TransactionResponse::encode`] writes all 26 fields, `""` when empty (D5), in the
//! spec sample's order. Pure: no IO, no clock.

mod request;
mod response;
pub mod txid;

pub use request::{
    Fingerprint, ProblemReason, RequestProblem, TransactionRequest, PAYMENT_REASON_AS_BYTE,
};
pub use response::{format_date_time, TransactionResponse, VersionResponse, RESPONSE_MESSAGE_TYPE};
pub use txid::{pad_id, same_source_id, TxidError, TxidRef};

/// Bytes to a validated [`crate::domain::Request`], or the problem to answer with 400.
///
/// On error the parsed wire request is returned too when the body got that far, so the
/// refusal can echo `transaction_id` and `ecr_data`
/// ([`TransactionResponse::for_problem`]).
#[allow(clippy::result_large_err)]
pub fn decode_request(
    body: &[u8],
) -> Result<crate::domain::Request, (RequestProblem, Option<TransactionRequest>)> {
    let wire = TransactionRequest::parse(body).map_err(|p| (p, None))?;
    crate::domain::Request::from_owned_wire(wire).map_err(|(p, wire)| (p, Some(wire)))
}
