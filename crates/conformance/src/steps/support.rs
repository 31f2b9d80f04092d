//! Helpers shared by the steps: request bodies as ordered name/value pairs, key order of a JSON
//! object, JSON value comparison, state lists, decimal arithmetic.

use std::fmt;

use anyhow::{anyhow, bail, ensure, Context as _};
use payrig_core::Decimal;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

/// A JSON object body as ordered `(name, JSON literal)` pairs, so tests can send names in any
/// casing, twice, or in any order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Body {
    pub(crate) fields: Vec<(String, String)>,
}

impl Body {
    /// Replaces the value of `name` (exact match) or appends it; `None` removes it.
    pub(crate) fn set(&mut self, name: &str, literal: Option<String>) {
        match (self.fields.iter().position(|(k, _)| k == name), literal) {
            (Some(i), Some(v)) => self.fields[i].1 = v,
            (Some(i), None) => {
                self.fields.remove(i);
            }
            (None, Some(v)) => self.fields.push((name.to_owned(), v)),
            (None, None) => {}
        }
    }

    /// The literal of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `{"a":1,...}` in order.
    pub(crate) fn render(&self) -> String {
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), v))
            .collect();
        format!("{{{}}}", parts.join(","))
    }
}

/// A JSON string literal.
pub(crate) fn lit(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

struct OrderedKeys(Vec<String>);

impl<'de> serde::Deserialize<'de> for OrderedKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some((k, _)) = map.next_entry::<String, Box<RawValue>>()? {
                    keys.push(k);
                }
                Ok(OrderedKeys(keys))
            }
        }
        d.deserialize_map(V)
    }
}

/// The member names of a JSON object body, in wire order.
pub(crate) fn ordered_keys(body: &[u8]) -> anyhow::Result<Vec<String>> {
    let k: OrderedKeys = serde_json::from_slice(body).context("body is not a JSON object")?;
    Ok(k.0)
}

/// The raw JSON text of member `name` (exact casing) of an object body.
pub(crate) fn raw_member(body: &[u8], name: &str) -> anyhow::Result<Option<String>> {
    let m: std::collections::BTreeMap<String, Box<RawValue>> =
        serde_json::from_slice(body).context("body is not a JSON object")?;
    Ok(m.get(name).map(|r| r.get().to_owned()))
}

/// Equality of JSON values where numbers compare as exact decimals (`9` = `9.0`).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (
                Decimal::parse(&x.to_string()),
                Decimal::parse(&y.to_string()),
            ) {
                (Ok(x), Ok(y)) => x == y,
                _ => x == y,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Parses a JSON literal written in a feature (`"04003"`, `false`, `9`, `null`).
pub(crate) fn parse_literal(text: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text.trim())
        .map_err(|e| anyhow!("`{text}` is not a JSON literal (quote strings): {e}"))
}

/// `1, 5, 2` -> `[1, 5, 2]`.
pub(crate) fn parse_states(list: &str) -> anyhow::Result<Vec<u8>> {
    list.split(',')
        .map(|s| {
            s.trim()
                .parse::<u8>()
                .map_err(|_| anyhow!("`{s}` is not a state id"))
        })
        .collect()
}

/// `round_half_up(a x b)` at `scale` decimals, exactly.
pub(crate) fn mul_round_half_up(a: Decimal, b: Decimal, scale: u32) -> anyhow::Result<Decimal> {
    let m = a
        .mantissa()
        .checked_mul(b.mantissa())
        .ok_or_else(|| anyhow!("overflow"))?;
    let s = a.scale() + b.scale();
    if s <= scale {
        return Ok(Decimal::new(m, s));
    }
    let div = 10i128
        .checked_pow(s - scale)
        .ok_or_else(|| anyhow!("overflow"))?;
    ensure!(m >= 0, "negative product");
    let q = (m + div / 2) / div;
    Ok(Decimal::new(q, scale))
}

/// A number member of a JSON value as an exact decimal.
pub(crate) fn decimal_of(v: &Value, name: &str) -> anyhow::Result<Decimal> {
    match v.get(name) {
        Some(Value::Number(n)) => {
            Decimal::parse(&n.to_string()).map_err(|e| anyhow!("{name} `{n}`: {e}"))
        }
        other => bail!("{name} is not a number: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_keep_order_duplicates_and_removals() {
        let mut b = Body::default();
        b.set("siteCode", Some(lit("1524")));
        b.set("amount", Some("9".into()));
        b.set("SiteCode", Some(lit("1524")));
        b.set("amount", None);
        assert_eq!(b.render(), r#"{"siteCode":"1524","SiteCode":"1524"}"#);
    }

    #[test]
    fn keys_in_wire_order() {
        assert_eq!(
            ordered_keys(br#"{"b":1,"a":{"x":2},"c":null}"#).unwrap(),
            ["b", "a", "c"]
        );
        assert_eq!(
            raw_member(br#"{"a":9.0}"#, "a").unwrap().as_deref(),
            Some("9.0")
        );
    }

    #[test]
    fn numbers_compare_exactly() {
        assert!(json_eq(
            &parse_literal("9").unwrap(),
            &parse_literal("9.0").unwrap()
        ));
        assert!(!json_eq(
            &parse_literal("9").unwrap(),
            &parse_literal("\"9\"").unwrap()
        ));
    }

    #[test]
    fn rounding_is_half_up() {
        let q = Decimal::parse("9").unwrap();
        let p = Decimal::parse("1.459").unwrap();
        assert_eq!(mul_round_half_up(q, p, 2).unwrap().to_string(), "13.13");
        let q = Decimal::parse("0.5").unwrap();
        let p = Decimal::parse("0.01").unwrap();
        assert_eq!(mul_round_half_up(q, p, 2).unwrap().to_string(), "0.01");
    }
}
