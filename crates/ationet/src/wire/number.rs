//! `#[serde(with = "number")]`: a [`Decimal`] as a JSON number, exactly, both ways (D17).
//!
//! Out: the shortest exact text (`9`, `13.13`) through a raw value, never through `f64`.
//! In: the number's source text through a raw value, parsed by [`Decimal::parse`]; a string,
//! `null` or a number too large to hold exactly is an error. serde_json only.

use payrig_core::Decimal;
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// Writes `d` as its shortest exact decimal text.
pub(crate) fn serialize<S: Serializer>(d: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(d.to_string()).map_err(S::Error::custom)?;
    raw.serialize(serializer)
}

/// Reads a JSON number exactly.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    let text = raw.get();
    if text.starts_with('"') {
        return Err(D::Error::custom(format!(
            "expected a JSON number, got the string {text}"
        )));
    }
    Decimal::parse(text).map_err(|e| D::Error::custom(format!("`{text}`: {e}")))
}
