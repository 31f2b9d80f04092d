//! `TransactionRequest` (spec 3.1): the body of `POST {base}/makeTransaction`, field by field,
//! with the shape checks of the 400 class (every value a string, §3.1 lengths and patterns).
//!
//! Content rules (amount, currency, message type, card number forms) belong to the domain
//! conversion, [`crate::domain::Request::from_wire`].

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::code::ResponseCode;
use crate::wire::txid::TxidError;

/// One `makeTransaction` body as sent: every field of 3.1 with its exact name, each absent
/// (`None`) or a string. Fields serialize in alphabetical order, which is the order of both the
/// seed's and the spec's samples, and absent ones are left out, so a body re-encodes as it came.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionRequest {
    /// `amount`: digits, at most 11, minor units of `currency`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// `authorization_number`: at most 9 (gratuity only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_number: Option<String>,
    /// `card_number`: at most 40; `""`, `PAN_YYMM`, track 2, `REF…` or `TXID…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    /// `currency`: ISO 4217 alpha, exactly 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// `cvc2`: at most 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvc2: Option<String>,
    /// `desired_currency`: at most 3, `""` or equal to `currency` (D18).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired_currency: Option<String>,
    /// `ecr_data`: at most 250, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecr_data: Option<String>,
    /// `language`: at most 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// `message_type`: exactly 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// `password`: at most 8, unused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// `payment_reason`: at most 39 bytes of UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_reason: Option<String>,
    /// `payment_reasonAsByte`: an array per \[OAS\], `""` in the seed; kept as sent, ignored.
    #[serde(
        rename = "payment_reasonAsByte",
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_reason_as_byte: Option<Value>,
    /// `personal_id`: at most 50.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_id: Option<String>,
    /// `receipt_layout`: at most 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_layout: Option<String>,
    /// `receipt_number`: at most 20.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
    /// `terminal_number`: exactly 8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminal_number: Option<String>,
    /// `transaction_date_time`: `^[0-9]{14}$`, ECR local time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_date_time: Option<String>,
    /// `transaction_id`: 1 to 20, unique per terminal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// `transaction_origin_identifier`: exactly 1 (`1` `2` `4` `5` `7`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_origin_identifier: Option<String>,
    /// `transaction_origin_indicator`: at most 1 (`0` `1` `2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_origin_indicator: Option<String>,
    /// `transaction_place`: at most 13.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_place: Option<String>,
    /// `transaction_source_id`: at most 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_source_id: Option<String>,
}

/// A length rule of 3.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Len {
    /// At most n characters.
    Max(usize),
    /// Exactly n characters.
    Exact(usize),
    /// 1 to n characters.
    Between1(usize),
    /// At most n bytes of UTF-8.
    MaxBytes(usize),
}

/// The string fields of 3.1 in alphabetical order: name, length rule, required.
/// `payment_reasonAsByte` is not a string and is handled on its own.
const FIELDS: [(&str, Len, bool); 21] = [
    ("amount", Len::Max(11), true),
    ("authorization_number", Len::Max(9), false),
    ("card_number", Len::Max(40), true),
    ("currency", Len::Exact(3), true),
    ("cvc2", Len::Max(4), false),
    ("desired_currency", Len::Max(3), false),
    ("ecr_data", Len::Max(250), false),
    ("language", Len::Max(2), false),
    ("message_type", Len::Exact(4), true),
    ("password", Len::Max(8), false),
    ("payment_reason", Len::MaxBytes(39), false),
    ("personal_id", Len::Max(50), false),
    ("receipt_layout", Len::Max(2), false),
    ("receipt_number", Len::Max(20), false),
    ("terminal_number", Len::Exact(8), true),
    ("transaction_date_time", Len::Exact(14), true),
    ("transaction_id", Len::Between1(20), true),
    ("transaction_origin_identifier", Len::Exact(1), false),
    ("transaction_origin_indicator", Len::Max(1), false),
    ("transaction_place", Len::Max(13), false),
    ("transaction_source_id", Len::Max(2), false),
];

/// The name of `payment_reasonAsByte`.
pub const PAYMENT_REASON_AS_BYTE: &str = "payment_reasonAsByte";

/// Why a request body was refused before reaching a terminal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProblemReason {
    /// Not JSON (syntax, truncation, bad UTF-8).
    #[error("is not valid JSON")]
    NotJson,
    /// JSON, but not an object.
    #[error("must be a JSON object")]
    NotAnObject,
    /// A number, boolean, null, array or object where a string belongs.
    #[error("must be a string")]
    NotAString,
    /// A required field is absent (or `""` where it may not be).
    #[error("is required")]
    Missing,
    /// Breaks the 3.1 length.
    #[error("breaks its length limit")]
    Length,
    /// Breaks a pattern or an allowed-values list of 3.1.
    #[error("has an invalid value")]
    Pattern,
    /// `amount` is 0 on a type that moves money.
    #[error("must not be 0")]
    ZeroAmount,
    /// `currency` is not an ISO 4217 code.
    #[error("is not an ISO 4217 currency")]
    UnknownCurrency,
    /// `desired_currency` differs from `currency` (D18: no DCC).
    #[error("must be empty or equal to currency")]
    CurrencyMismatch,
    /// MOTO with an empty `card_number` (TEC-S-008).
    #[error("is required for MOTO")]
    CardRequired,
    /// `card_number` is not a form this message type takes.
    #[error("is not a card form this message type accepts")]
    CardForm,
    /// A `TXID` reference that does not parse.
    #[error("bad TXID reference: {0}")]
    Txid(TxidError),
    /// A `message_type` outside `0001 0907 0011 0013 0017` (D21).
    #[error("message type is not supported")]
    UnsupportedMessageType,
    /// Origin identifier `7` (balance inquiry, TEC-S-021).
    #[error("balance inquiry is not supported")]
    BalanceInquiry,
}

/// A request refused before routing: 400 with `3001` naming the field, or `3005`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {reason}")]
pub struct RequestProblem {
    /// The field (3.1 name), or `body` for the whole body.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: ProblemReason,
}

impl RequestProblem {
    /// A problem with one field.
    pub const fn new(field: &'static str, reason: ProblemReason) -> RequestProblem {
        RequestProblem { field, reason }
    }

    /// `3005` for unsupported types and origin `7`, `3001` for everything else.
    pub fn code(&self) -> ResponseCode {
        match self.reason {
            ProblemReason::UnsupportedMessageType | ProblemReason::BalanceInquiry => {
                ResponseCode::MessageTypeNotSupported
            }
            _ => ResponseCode::InvalidField,
        }
    }

    /// The `response_text`: `INVALID FIELD <name>` or `MESSAGE TYPE NOT SUPPORTED`.
    pub fn response_text(&self) -> String {
        match self.code() {
            ResponseCode::InvalidField => ResponseCode::text_for_field(self.field),
            c => c.text().to_owned(),
        }
    }

    /// The HTTP status (400).
    pub fn http_status(&self) -> u16 {
        self.code().http_status()
    }
}

impl TransactionRequest {
    /// Reads a body: a JSON object whose known members are strings (`payment_reasonAsByte`
    /// may also be an array). Unknown members are ignored (5.2). Lengths are not checked here.
    pub fn parse(body: &[u8]) -> Result<TransactionRequest, RequestProblem> {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        // Read member by member into the fields instead of building a `Value` map first (its
        // keys, inserts and removals were half of decoding). Every member value is still read
        // as a `Value`, so what is valid JSON is unchanged.
        let token_first = Cell::new(false);
        let mut de = serde_json::Deserializer::from_slice(body);
        let parsed = BodySeed(&token_first)
            .deserialize(&mut de)
            .and_then(|b| de.end().map(|()| b));
        if token_first.get() {
            // serde_json's `Value` gives this first key a meaning of its own: keep its reading.
            return TransactionRequest::parse_value(body);
        }
        match parsed {
            Err(_) => Err(RequestProblem::new("body", ProblemReason::NotJson)),
            Ok(Body::Other) => Err(RequestProblem::new("body", ProblemReason::NotAnObject)),
            Ok(Body::Object(members)) => TransactionRequest::from_members(members),
        }
    }

    /// [`TransactionRequest::parse`] through a `serde_json::Value` (BOM already stripped).
    fn parse_value(body: &[u8]) -> Result<TransactionRequest, RequestProblem> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| RequestProblem::new("body", ProblemReason::NotJson))?;
        let Value::Object(mut map) = value else {
            return Err(RequestProblem::new("body", ProblemReason::NotAnObject));
        };
        let mut members: Members = Default::default();
        for ((name, _, _), slot) in FIELDS.iter().zip(members.iter_mut()) {
            *slot = map.remove(*name);
        }
        members[PAYMENT_REASON_AS_BYTE_SLOT] = map.remove(PAYMENT_REASON_AS_BYTE);
        TransactionRequest::from_members(members)
    }

    /// The fields from the members' values; the first non-string in [`FIELDS`] order is the
    /// problem, then `payment_reasonAsByte`.
    fn from_members(members: Members) -> Result<TransactionRequest, RequestProblem> {
        let mut req = TransactionRequest::default();
        let [strings @ .., as_byte] = members;
        for (((name, _, _), value), slot) in FIELDS.iter().zip(strings).zip(req.strings_mut()) {
            match value {
                None => {}
                Some(Value::String(s)) => *slot = Some(s),
                // TEC-S-003: non-string values are a 3001 naming the field.
                Some(_) => return Err(RequestProblem::new(name, ProblemReason::NotAString)),
            }
        }
        match as_byte {
            None => {}
            Some(v @ (Value::String(_) | Value::Array(_))) => {
                req.payment_reason_as_byte = Some(v);
            }
            Some(_) => {
                return Err(RequestProblem::new(
                    PAYMENT_REASON_AS_BYTE,
                    ProblemReason::NotAString,
                ))
            }
        }
        Ok(req)
    }

    /// Checks presence and the §3.1 lengths and patterns, in alphabetical field order; the first
    /// failure is reported (TEC-S-003). Optional fields may be `""`.
    pub fn check_shape(&self) -> Result<(), RequestProblem> {
        for ((name, len, required), value) in FIELDS.into_iter().zip(self.strings()) {
            let v = match value.as_deref() {
                None if required => {
                    return Err(RequestProblem::new(name, ProblemReason::Missing));
                }
                None => continue,
                Some(v) => v,
            };
            // `card_number` is required but may be empty; other optional fields may be empty.
            if v.is_empty() && (!required || name == "card_number") {
                continue;
            }
            if v.is_empty() {
                return Err(RequestProblem::new(name, ProblemReason::Missing));
            }
            let chars = v.chars().count();
            let ok = match len {
                Len::Max(n) => chars <= n,
                Len::Exact(n) => chars == n,
                Len::Between1(n) => (1..=n).contains(&chars),
                Len::MaxBytes(n) => v.len() <= n,
            };
            if !ok {
                return Err(RequestProblem::new(name, ProblemReason::Length));
            }
            let pattern_ok = match name {
                "transaction_date_time" => v.bytes().all(|b| b.is_ascii_digit()),
                // Digits only: no sign, decimal point or space (TEC-S-003, 5.2).
                "amount" => v.bytes().all(|b| b.is_ascii_digit()),
                "transaction_origin_identifier" => matches!(v, "1" | "2" | "4" | "5" | "7"),
                "transaction_origin_indicator" => matches!(v, "0" | "1" | "2"),
                "transaction_source_id" => v.bytes().all(|b| b.is_ascii_digit()),
                _ => true,
            };
            if !pattern_ok {
                return Err(RequestProblem::new(name, ProblemReason::Pattern));
            }
        }
        Ok(())
    }

    /// The value of a string field by its 3.1 name (`None` when absent or unknown).
    pub fn get(&self, name: &str) -> Option<&str> {
        let v = match name {
            "amount" => &self.amount,
            "authorization_number" => &self.authorization_number,
            "card_number" => &self.card_number,
            "currency" => &self.currency,
            "cvc2" => &self.cvc2,
            "desired_currency" => &self.desired_currency,
            "ecr_data" => &self.ecr_data,
            "language" => &self.language,
            "message_type" => &self.message_type,
            "password" => &self.password,
            "payment_reason" => &self.payment_reason,
            "personal_id" => &self.personal_id,
            "receipt_layout" => &self.receipt_layout,
            "receipt_number" => &self.receipt_number,
            "terminal_number" => &self.terminal_number,
            "transaction_date_time" => &self.transaction_date_time,
            "transaction_id" => &self.transaction_id,
            "transaction_origin_identifier" => &self.transaction_origin_identifier,
            "transaction_origin_indicator" => &self.transaction_origin_indicator,
            "transaction_place" => &self.transaction_place,
            "transaction_source_id" => &self.transaction_source_id,
            _ => return None,
        };
        v.as_deref()
    }

    /// A string field by name, `""` when absent.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    #[cfg(test)]
    fn slot(&mut self, name: &str) -> &mut Option<String> {
        match name {
            "amount" => &mut self.amount,
            "authorization_number" => &mut self.authorization_number,
            "card_number" => &mut self.card_number,
            "currency" => &mut self.currency,
            "cvc2" => &mut self.cvc2,
            "desired_currency" => &mut self.desired_currency,
            "ecr_data" => &mut self.ecr_data,
            "language" => &mut self.language,
            "message_type" => &mut self.message_type,
            "password" => &mut self.password,
            "payment_reason" => &mut self.payment_reason,
            "personal_id" => &mut self.personal_id,
            "receipt_layout" => &mut self.receipt_layout,
            "receipt_number" => &mut self.receipt_number,
            "terminal_number" => &mut self.terminal_number,
            "transaction_date_time" => &mut self.transaction_date_time,
            "transaction_id" => &mut self.transaction_id,
            "transaction_origin_identifier" => &mut self.transaction_origin_identifier,
            "transaction_origin_indicator" => &mut self.transaction_origin_indicator,
            "transaction_place" => &mut self.transaction_place,
            _ => &mut self.transaction_source_id,
        }
    }

    /// The idempotency fingerprint of 4.3: every 3.1 field as a map, absent = `""`, so member
    /// order and absent-versus-empty do not matter. `payment_reasonAsByte` counts as its
    /// compact JSON text (`""` when absent or the empty string).
    pub fn fingerprint(&self) -> Fingerprint {
        let strings = self.strings();
        let json;
        let as_byte = match &self.payment_reason_as_byte {
            None => "",
            Some(Value::String(s)) => s,
            Some(v) => {
                json = v.to_string();
                &json
            }
        };
        // FIELDS with `payment_reasonAsByte` after `payment_reason`: FINGERPRINT_NAMES' order.
        let (head, tail) = strings.split_at(PAYMENT_REASON_AS_BYTE_AT);
        Fingerprint::from_values(
            head.iter()
                .copied()
                .map(text)
                .chain(std::iter::once(as_byte))
                .chain(tail.iter().copied().map(text)),
        )
    }

    /// The string fields in [`FIELDS`] order, to fill.
    fn strings_mut(&mut self) -> [&mut Option<String>; 21] {
        [
            &mut self.amount,
            &mut self.authorization_number,
            &mut self.card_number,
            &mut self.currency,
            &mut self.cvc2,
            &mut self.desired_currency,
            &mut self.ecr_data,
            &mut self.language,
            &mut self.message_type,
            &mut self.password,
            &mut self.payment_reason,
            &mut self.personal_id,
            &mut self.receipt_layout,
            &mut self.receipt_number,
            &mut self.terminal_number,
            &mut self.transaction_date_time,
            &mut self.transaction_id,
            &mut self.transaction_origin_identifier,
            &mut self.transaction_origin_indicator,
            &mut self.transaction_place,
            &mut self.transaction_source_id,
        ]
    }

    /// The string fields in [`FIELDS`] order.
    fn strings(&self) -> [&Option<String>; 21] {
        [
            &self.amount,
            &self.authorization_number,
            &self.card_number,
            &self.currency,
            &self.cvc2,
            &self.desired_currency,
            &self.ecr_data,
            &self.language,
            &self.message_type,
            &self.password,
            &self.payment_reason,
            &self.personal_id,
            &self.receipt_layout,
            &self.receipt_number,
            &self.terminal_number,
            &self.transaction_date_time,
            &self.transaction_id,
            &self.transaction_origin_identifier,
            &self.transaction_origin_indicator,
            &self.transaction_place,
            &self.transaction_source_id,
        ]
    }

    /// Compact JSON, fields in alphabetical order, absent ones left out.
    pub fn encode(&self) -> Vec<u8> {
        // Cannot fail: string keys, string or JSON values.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The values of the members [`TransactionRequest::parse`] reads: the [`FIELDS`] in order,
/// then `payment_reasonAsByte`. A repeated member keeps its last value, as a JSON map does.
type Members = [Option<Value>; 22];

/// Where `payment_reasonAsByte` is in [`Members`].
const PAYMENT_REASON_AS_BYTE_SLOT: usize = 21;

/// A body read by [`BodySeed`].
// One per parse, on the stack and moved once: boxing the members would cost an allocation.
#[allow(clippy::large_enum_variant)]
enum Body {
    Object(Members),
    /// Valid JSON, not an object.
    Other,
}

/// Reads a body; sets its flag when the object's first key is one of serde_json's
/// [`VALUE_TOKENS`], which `Value` (and so the map reading) treats specially.
struct BodySeed<'a>(&'a Cell<bool>);

/// First keys serde_json's `Value` reads as an embedded raw value or (with its
/// `arbitrary_precision` feature) a number.
const VALUE_TOKENS: [&str; 2] = [
    "$serde_json::private::RawValue",
    "$serde_json::private::Number",
];

impl<'de> DeserializeSeed<'de> for BodySeed<'_> {
    type Value = Body;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Body, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BodySeed<'_> {
    type Value = Body;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Body, E> {
        Ok(Body::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Body, E> {
        Ok(Body::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Body, E> {
        Ok(Body::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Body, E> {
        Ok(Body::Other)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Body, E> {
        Ok(Body::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Body, E> {
        Ok(Body::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Body, A::Error> {
        while seq.next_element::<Value>()?.is_some() {}
        Ok(Body::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Body, A::Error> {
        let mut members: Members = Default::default();
        let mut first = true;
        while let Some(key) = map.next_key::<Key>()? {
            if first && key == Key::RawValueToken {
                self.0.set(true);
            }
            first = false;
            let value: Value = map.next_value()?;
            if let Key::Member(i) = key {
                members[i] = Some(value);
            }
        }
        Ok(Body::Object(members))
    }
}

/// A member name: its slot in [`Members`], or not one parse reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Member(usize),
    RawValueToken,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
                Ok(match FIELDS.iter().position(|(n, _, _)| *n == name) {
                    Some(i) => Key::Member(i),
                    None if name == PAYMENT_REASON_AS_BYTE => {
                        Key::Member(PAYMENT_REASON_AS_BYTE_SLOT)
                    }
                    None if VALUE_TOKENS.contains(&name) => Key::RawValueToken,
                    None => Key::Other,
                })
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Where `payment_reasonAsByte` sorts among [`FIELDS`]: right after `payment_reason`.
const PAYMENT_REASON_AS_BYTE_AT: usize = 11;

/// The fingerprint's members in byte order, as a `BTreeMap` of them would iterate.
const FINGERPRINT_NAMES: [&str; 22] = [
    "amount",
    "authorization_number",
    "card_number",
    "currency",
    "cvc2",
    "desired_currency",
    "ecr_data",
    "language",
    "message_type",
    "password",
    "payment_reason",
    PAYMENT_REASON_AS_BYTE,
    "personal_id",
    "receipt_layout",
    "receipt_number",
    "terminal_number",
    "transaction_date_time",
    "transaction_id",
    "transaction_origin_identifier",
    "transaction_origin_indicator",
    "transaction_place",
    "transaction_source_id",
];

/// The request fields as a map (4.3): two requests with equal fingerprints are the same
/// request, whatever their member order.
///
/// Stored as one shared buffer of the 22 values in [`Fingerprint::iter`] order, each behind its
/// length, because every request, record and retry carries one: a map of 22 `String`s made each
/// copy 22 allocations. Equal maps give equal buffers and vice versa (the lengths keep the
/// encoding unambiguous). `Debug` prints it as the map it stands for.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Fingerprint(Arc<[u8]>);

impl Fingerprint {
    fn from_values<'a>(values: impl Iterator<Item = &'a str> + Clone) -> Fingerprint {
        let len = values.clone().map(|v| v.len() + 10).sum();
        let mut buf = Vec::with_capacity(len);
        for v in values {
            let mut n = v.len() as u64;
            // LEB128 length: 1 byte for the short values of 3.1.
            loop {
                let low = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    buf.push(low);
                    break;
                }
                buf.push(low | 0x80);
            }
            buf.extend_from_slice(v.as_bytes());
        }
        Fingerprint(Arc::from(buf))
    }

    /// Every member with its value (absent = `""`), in byte order of the names.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        let mut rest: &[u8] = &self.0;
        FINGERPRINT_NAMES.iter().map_while(move |name| {
            let mut n: usize = 0;
            let mut shift = 0;
            loop {
                let (&b, r) = rest.split_first()?;
                rest = r;
                n |= usize::from(b & 0x7f).checked_shl(shift)?;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            let (v, r) = (rest.get(..n)?, rest.get(n..)?);
            rest = r;
            // Built from `&str`s only, so this never falls back.
            Some((*name, std::str::from_utf8(v).unwrap_or_default()))
        })
    }

    /// The value of member `name` (a 3.1 name or `payment_reasonAsByte`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

fn text(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Members<'a>(&'a Fingerprint);
        impl fmt::Debug for Members<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.iter()).finish()
            }
        }
        f.debug_tuple("Fingerprint").field(&Members(self)).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale() -> TransactionRequest {
        TransactionRequest::parse(
            br#"{"amount":"1255","card_number":"","currency":"EUR","message_type":"0001",
                "terminal_number":"88091105","transaction_date_time":"20240521190912",
                "transaction_id":"20240521190912161","extra":{"x":1}}"#,
        )
        .unwrap()
    }

    #[test]
    fn parses_strings_and_ignores_unknown_fields() {
        let r = sale();
        assert_eq!(r.amount.as_deref(), Some("1255"));
        assert_eq!(r.ecr_data, None);
        assert_eq!(r.check_shape(), Ok(()));
    }

    #[test]
    fn non_strings_name_the_field() {
        for (body, field) in [
            (r#"{"amount":1255}"#, "amount"),
            (r#"{"currency":null}"#, "currency"),
            (r#"{"ecr_data":["a"]}"#, "ecr_data"),
            (r#"{"payment_reasonAsByte":5}"#, "payment_reasonAsByte"),
        ] {
            let p = TransactionRequest::parse(body.as_bytes()).unwrap_err();
            assert_eq!(p.field, field);
            assert_eq!(p.reason, ProblemReason::NotAString);
            assert_eq!(p.code(), ResponseCode::InvalidField);
            assert_eq!(p.response_text(), format!("INVALID FIELD {field}"));
        }
        let p = TransactionRequest::parse(b"[1]").unwrap_err();
        assert_eq!((p.field, p.reason), ("body", ProblemReason::NotAnObject));
        let p = TransactionRequest::parse(b"{\"amount\":").unwrap_err();
        assert_eq!(p.reason, ProblemReason::NotJson);
        assert!(TransactionRequest::parse(br#"{"payment_reasonAsByte":[1,2]}"#).is_ok());
    }

    #[test]
    fn lengths_and_patterns() {
        let (long_card, long_reason, long_ecr) = ("4".repeat(41), "é".repeat(20), "x".repeat(251));
        let cases: Vec<(&str, &str, ProblemReason)> = vec![
            ("amount", "123456789012", ProblemReason::Length),
            ("amount", "-125", ProblemReason::Pattern),
            ("amount", "12.5", ProblemReason::Pattern),
            ("amount", "12 5", ProblemReason::Pattern),
            ("amount", "", ProblemReason::Missing),
            ("currency", "EURO", ProblemReason::Length),
            ("terminal_number", "8809110", ProblemReason::Length),
            (
                "transaction_date_time",
                "2024052119091",
                ProblemReason::Length,
            ),
            (
                "transaction_date_time",
                "2024-05-21T190",
                ProblemReason::Pattern,
            ),
            (
                "transaction_date_time",
                "2024052119091x",
                ProblemReason::Pattern,
            ),
            ("transaction_id", "", ProblemReason::Missing),
            (
                "transaction_id",
                "123456789012345678901",
                ProblemReason::Length,
            ),
            ("message_type", "01", ProblemReason::Length),
            ("card_number", &long_card, ProblemReason::Length),
            ("transaction_origin_identifier", "3", ProblemReason::Pattern),
            ("transaction_origin_indicator", "3", ProblemReason::Pattern),
            ("payment_reason", &long_reason, ProblemReason::Length),
            ("ecr_data", &long_ecr, ProblemReason::Length),
            ("transaction_source_id", "1a", ProblemReason::Pattern),
        ];
        for (field, value, reason) in cases {
            let mut r = sale();
            *r.slot(field) = Some(value.to_owned());
            assert_eq!(
                r.check_shape(),
                Err(RequestProblem::new(
                    FIELDS.iter().find(|f| f.0 == field).unwrap().0,
                    reason
                )),
                "{field}={value}"
            );
        }
        let mut r = sale();
        r.payment_reason = Some("é".repeat(19));
        assert_eq!(r.check_shape(), Ok(()));
        r.terminal_number = None;
        assert_eq!(
            r.check_shape(),
            Err(RequestProblem::new(
                "terminal_number",
                ProblemReason::Missing
            ))
        );
    }

    #[test]
    fn fingerprint_ignores_order_and_absent_versus_empty() {
        let a = TransactionRequest::parse(br#"{"amount":"1","ecr_data":""}"#).unwrap();
        let b = TransactionRequest::parse(br#"{"ecr_data":"","amount":"1","cvc2":""}"#).unwrap();
        let c = TransactionRequest::parse(br#"{"amount":"2"}"#).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    /// The compact fingerprint stands for the map of 4.3: same members, same order, same
    /// `Debug` text, and equal exactly when the maps are equal.
    #[test]
    fn fingerprint_is_the_map_of_every_field() {
        use std::collections::BTreeMap;
        mod old {
            /// The type this one replaced, for its `Debug` text.
            #[derive(Debug)]
            pub(super) struct Fingerprint(
                #[allow(dead_code)] pub(super) std::collections::BTreeMap<&'static str, String>,
            );
        }
        let map = |r: &TransactionRequest| -> BTreeMap<&'static str, String> {
            let mut m: BTreeMap<&'static str, String> = FIELDS
                .iter()
                .map(|(name, _, _)| (*name, r.text(name).to_owned()))
                .collect();
            let bytes = match &r.payment_reason_as_byte {
                None => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            };
            m.insert(PAYMENT_REASON_AS_BYTE, bytes);
            m
        };
        let long = "é".repeat(100);
        let bodies = [
            r#"{}"#.to_owned(),
            r#"{"amount":"1","ecr_data":"","payment_reasonAsByte":[1,2]}"#.to_owned(),
            r#"{"amount":"1","ecr_data":"x","payment_reasonAsByte":"ab"}"#.to_owned(),
            r#"{"amount":"","ecr_data":"1"}"#.to_owned(),
            format!(r#"{{"payment_reason":"{long}","transaction_source_id":"9"}}"#),
            format!(r#"{{"payment_reason":"","personal_id":"{long}"}}"#),
        ];
        let reqs: Vec<TransactionRequest> = bodies
            .iter()
            .map(|b| TransactionRequest::parse(b.as_bytes()).unwrap())
            .collect();
        for a in &reqs {
            let (fp, m) = (a.fingerprint(), map(a));
            let members: Vec<(&str, String)> = fp.iter().map(|(k, v)| (k, v.to_owned())).collect();
            let expected: Vec<(&str, String)> = m.clone().into_iter().collect();
            assert_eq!(members, expected);
            let before = old::Fingerprint(m.clone());
            assert_eq!(format!("{fp:?}"), format!("{before:?}"));
            assert_eq!(format!("{fp:#?}"), format!("{before:#?}"));
            assert_eq!(fp.get("ecr_data"), m.get("ecr_data").map(String::as_str));
            for b in &reqs {
                assert_eq!(fp == b.fingerprint(), m == map(b));
            }
        }
        assert_eq!(format!("{:?}", Fingerprint::default()), "Fingerprint({})");
    }

    /// Member-by-member parsing reads every body as the `Value` map reading does: same fields,
    /// same problem, for objects with repeated, unknown, non-string and token members, other
    /// JSON values and broken text.
    mod parse_matches_value_reading {
        use super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = String> {
            let leaf = prop_oneof![
                "[a-z0-9 é\\\\\"]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
                Just("12".to_owned()),
                Just("-1.5e3".to_owned()),
                Just("1e400".to_owned()),
                Just("null".to_owned()),
                Just("true".to_owned()),
                Just("\"\\u0041\"".to_owned()),
            ];
            leaf.prop_recursive(3, 12, 3, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..3)
                        .prop_map(|v| format!("[{}]", v.join(","))),
                    prop::collection::vec((key(), inner), 0..3).prop_map(|v| {
                        let m: Vec<String> =
                            v.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                        format!("{{{}}}", m.join(","))
                    }),
                ]
            })
        }

        fn key() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => prop::sample::select(FIELDS.iter().map(|f| f.0).collect::<Vec<_>>())
                    .prop_map(|k| format!("\"{k}\"")),
                1 => Just(format!("\"{PAYMENT_REASON_AS_BYTE}\"")),
                1 => Just("\"\\u0061mount\"".to_owned()),
                1 => Just("\"extra\"".to_owned()),
                1 => prop::sample::select(VALUE_TOKENS.to_vec()).prop_map(|k| format!("\"{k}\"")),
            ]
        }

        fn body() -> impl Strategy<Value = Vec<u8>> {
            let object = prop::collection::vec((key(), value()), 0..8).prop_map(|v| {
                let m: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                format!("{{{}}}", m.join(","))
            });
            let text = prop_oneof![6 => object, 1 => value()];
            (
                text,
                any::<bool>(),
                0usize..4,
                any::<usize>(),
                "[ ,\\]}x\"]{0,2}",
            )
                .prop_map(|(t, bom, cut, at, tail)| {
                    let mut b = t.into_bytes();
                    // Sometimes broken: cut short or with trailing text.
                    match cut {
                        0 if !b.is_empty() => b.truncate(at % b.len()),
                        1 => b.extend_from_slice(tail.as_bytes()),
                        _ => {}
                    }
                    if bom {
                        b.splice(0..0, *b"\xEF\xBB\xBF");
                    }
                    b
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn same_reading(b in body()) {
                let stripped = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&b);
                prop_assert_eq!(
                    TransactionRequest::parse(&b),
                    TransactionRequest::parse_value(stripped),
                    "{}", String::from_utf8_lossy(&b)
                );
            }
        }

        #[test]
        fn tokens_and_repeats() {
            for body in [
                r#"{"$serde_json::private::RawValue":"{\"amount\":\"1\"}"}"#,
                r#"{"$serde_json::private::RawValue":"[1]"}"#,
                r#"{"amount":"1","$serde_json::private::RawValue":"[1]"}"#,
                r#"{"amount":1,"amount":"2"}"#,
                r#"{"amount":"2","amount":1}"#,
                r#"{"cvc2":1,"amount":[]}"#,
                r#"{"payment_reasonAsByte":[1],"payment_reasonAsByte":"x"}"#,
                r#"{"x":1e400}"#,
                r#"[1e400]"#,
                r#""a" "b""#,
                "",
            ] {
                assert_eq!(
                    TransactionRequest::parse(body.as_bytes()),
                    TransactionRequest::parse_value(body.as_bytes()),
                    "{body}"
                );
            }
        }
    }

    #[test]
    fn encodes_alphabetically_without_absent_fields() {
        let r = TransactionRequest::parse(br#"{"currency":"EUR","amount":"1"}"#).unwrap();
        assert_eq!(r.encode(), br#"{"amount":"1","currency":"EUR"}"#);
    }
}
