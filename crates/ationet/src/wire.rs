//! Wire types and codecs: bytes to domain values and back, with the document's exact spellings.
//!
//! In (server side): [`decode_create`], [`decode_cancel`], [`decode_prompt`] read a body as an
//! ordered list of `(name, raw value)` pairs, so names match in any casing and a name given
//! twice is caught (D2), numbers are read exactly from their JSON text (`9` = `9.0`), `null`
//! is absent and unknown names are ignored (D13). Every bad field lands in one [`Problem`](crate::domain::Problem).
//!
//! Out (server side): [`encode_create_response`], [`encode_transaction`],
//! [`encode_cancel_response`], [`encode_prompt_response`], [`encode_problem`] write the exact
//! casing and order of section 3, numbers as the shortest exact decimal (D17) and times as
//! `yyyy-MM-ddTHH:mm:ss.fffffff` UTC without a zone ([`format_ationet_time`], D16).
//!
//! Clients: [`MobilePaymentsRequest`], [`PreAuthorizedPaymentsRequest`], [`CancelRequestWire`]
//! and [`PromptRequestWire`] send the seed's names (ATN-C-008); the response structs
//! ([`CreateResponse`], [`GetTransactionResponse`], [`CancelResponse`], [`ProblemBody`]) are
//! the ones the server encodes through, so what a client decodes re-encodes byte for byte.
//!
//! Pure: no IO, no clock. The site limits (`max_preset`, money precision) and prompt names
//! against the requested flags are checked later by the world.

mod decode;
pub mod names;
mod number;
mod object;
mod request;
mod response;
mod timefmt;

pub use decode::{
    decode_cancel, decode_create, decode_prompt, AMOUNT_MAX_DECIMALS, MAX_AMOUNT,
    PROMPT_ANSWER_NAMES,
};
pub use request::{
    encode_create_request, CancelRequestWire, MobilePaymentsRequest, PreAuthorizedPaymentsRequest,
    PromptRequestWire,
};
pub use response::{
    encode_cancel_response, encode_create_response, encode_problem, encode_prompt_response,
    encode_transaction, problem_code_from_str, problem_title, problem_type, CancelResponse,
    CreateResponse, GetTransactionResponse, ProblemBody, SnapshotError, JSON_CONTENT_TYPE,
    PROBLEM_CONTENT_TYPE,
};
pub use timefmt::{format_ationet_time, parse_ationet_time};

#[cfg(test)]
mod tests;
