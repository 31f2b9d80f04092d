//! A JSON object read as an ordered list of `(name, raw value)` pairs.
//!
//! serde's derive would fold `transactionId` and `TransactionId` silently, or keep the last of two
//! equal names; D2 wants both cases reported. So the decoders read the object shallowly, keep
//! every member with its raw text, and look names up case-insensitively afterwards.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::domain::{Problem, ProblemCode};

/// The members of one JSON object, in arrival order, values unparsed.
#[derive(Debug)]
pub(crate) struct RawObject(pub(crate) Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for RawObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor)
    }
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = RawObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawObject, A::Error> {
        // The size hint comes from the input: cap it so a hostile body cannot reserve much.
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(16));
        while let Some(name) = map.next_key::<String>()? {
            let value: Box<RawValue> = map.next_value()?;
            pairs.push((name, value));
        }
        Ok(RawObject(pairs))
    }
}

/// Why a body is not a JSON object; both are `malformed_json` on `$`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ObjectError {
    /// Not JSON at all (syntax, truncation, trailing bytes, bad UTF-8).
    #[error("is not valid JSON: {0}")]
    Syntax(String),
    /// Valid JSON, but an array, string, number, boolean or null.
    #[error("must be a JSON object")]
    NotAnObject,
}

/// Parses `body` as one JSON object. A leading UTF-8 byte order mark is skipped (RFC 8259
/// section 8.1 lets a parser ignore it, and .NET clients send one).
pub(crate) fn parse_object(body: &[u8]) -> Result<RawObject, ObjectError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    serde_json::from_slice::<RawObject>(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ObjectError::NotAnObject,
        _ => ObjectError::Syntax(e.to_string()),
    })
}

/// A JSON value classified by its first byte; strings are unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Json<'a> {
    /// `true` / `false`.
    Bool,
    /// A number, as its exact source text.
    Number(&'a str),
    /// A string, unescaped.
    String(String),
    /// An object, as its raw text.
    Object(&'a str),
    /// An array.
    Array,
}

impl Json<'_> {
    /// The JSON type name, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Json::Bool => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Object(_) => "an object",
            Json::Array => "an array",
        }
    }
}

/// Classifies a raw value; `None` for `null` (which counts as absent, D13).
pub(crate) fn classify(raw: &RawValue) -> Option<Json<'_>> {
    let text = raw.get().trim_start();
    match text.as_bytes().first() {
        None | Some(b'n') => None,
        Some(b't' | b'f') => Some(Json::Bool),
        Some(b'{') => Some(Json::Object(text)),
        Some(b'[') => Some(Json::Array),
        // serde_json validated the raw text, so unescaping cannot fail; if it ever did, the
        // value would be reported as the wrong type rather than accepted.
        Some(b'"') => match serde_json::from_str::<String>(text) {
            Ok(s) => Some(Json::String(s)),
            Err(_) => Some(Json::Array),
        },
        Some(_) => Some(Json::Number(text.trim_end())),
    }
}

/// One member that survived duplicate detection and is not `null`.
#[derive(Debug)]
pub(crate) struct Member<'a> {
    /// The canonical spelling for known names, else the name as received.
    pub(crate) name: String,
    /// The value.
    pub(crate) value: Json<'a>,
}

/// Resolves names case-insensitively (D2) against `known` (`(name, error key)` pairs), reports
/// every name given more than once under `prefix` + its error key (`duplicate_field`) and drops
/// those, drops `null`s (D13), and keeps unknown names only when `keep_unknown`.
pub(crate) fn members<'a>(
    obj: &'a RawObject,
    known: &[(&'static str, &'static str)],
    keep_unknown: bool,
    prefix: &str,
    problem: &mut Problem,
) -> Vec<Member<'a>> {
    let mut counts: HashMap<String, usize> = HashMap::with_capacity(obj.0.len());
    for (name, _) in &obj.0 {
        *counts.entry(name.to_ascii_lowercase()).or_insert(0) += 1;
    }
    let mut reported: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (name, raw) in &obj.0 {
        let lower = name.to_ascii_lowercase();
        let canonical = known.iter().find(|(k, _)| k.eq_ignore_ascii_case(name));
        if counts.get(&lower).copied().unwrap_or(0) > 1 {
            if reported.insert(lower) {
                let key = canonical.map_or(name.as_str(), |(_, key)| key);
                problem.push(
                    &format!("{prefix}{key}"),
                    ProblemCode::DuplicateField,
                    "is given more than once (names are case-insensitive)",
                );
            }
            continue;
        }
        let name = match canonical {
            Some((k, _)) => (*k).to_owned(),
            None if keep_unknown => name.clone(),
            None => continue,
        };
        if let Some(value) = classify(raw) {
            out.push(Member { name, value });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_raw_number_text() {
        let obj = parse_object(br#"{"b": 9.000 , "a":"x\u0041","c":null}"#).unwrap();
        let names: Vec<_> = obj.0.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
        assert_eq!(classify(&obj.0[0].1), Some(Json::Number("9.000")));
        assert_eq!(classify(&obj.0[1].1), Some(Json::String("xA".into())));
        assert_eq!(classify(&obj.0[2].1), None);
    }

    #[test]
    fn distinguishes_syntax_from_shape() {
        assert!(matches!(parse_object(b"{"), Err(ObjectError::Syntax(_))));
        assert!(matches!(parse_object(b""), Err(ObjectError::Syntax(_))));
        assert!(matches!(parse_object(b"{} x"), Err(ObjectError::Syntax(_))));
        assert!(matches!(
            parse_object(b"{\"a\":NaN}"),
            Err(ObjectError::Syntax(_))
        ));
        assert_eq!(parse_object(b"[]").unwrap_err(), ObjectError::NotAnObject);
        assert_eq!(parse_object(b"null").unwrap_err(), ObjectError::NotAnObject);
        assert_eq!(
            parse_object(b"\"{}\"").unwrap_err(),
            ObjectError::NotAnObject
        );
        assert!(parse_object(b"\xEF\xBB\xBF{}").is_ok());
    }
}
