//! NDJSON trace lines (simulators.md 1): `{"t":ms,"src":"pump/1","kind":"…","data":{…}}`.
//!
//! Outputs keep their own kind (`progress`, `delivery_end`); inputs are prefixed `in.`
//! (`in.authorise`) so a reader can tell a command from what it caused. The key order is fixed
//! and `data` is serde_json's canonical rendering of the value, so the same run gives the same
//! bytes (SIM-G-01).

use payrig_core::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::event::{Input, Output};

/// Renders one line (no trailing newline) for a value tagged `{"kind","data"}`.
fn line(t: Timestamp, src: &str, prefix: &str, value: &impl Serialize) -> String {
    // The event types serialise to plain JSON (string keys only), so this cannot fail; a
    // failure would still yield a valid line rather than a panic.
    let v = serde_json::to_value(value).unwrap_or(Value::Null);
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("unknown");
    let data = v.get("data").cloned().unwrap_or(Value::Null);
    format!(
        "{{\"t\":{},\"src\":{},\"kind\":{},\"data\":{}}}",
        t.as_millis(),
        Value::from(src),
        Value::from(format!("{prefix}{kind}")),
        data
    )
}

/// The trace line of an input given at `t`.
pub fn input_line(t: Timestamp, src: &str, input: &Input) -> String {
    line(t, src, "in.", input)
}

/// The trace line of an output produced at `t`.
pub fn output_line(t: Timestamp, src: &str, output: &Output) -> String {
    line(t, src, "", output)
}

/// Accumulates NDJSON lines (one per input and output, `\n`-terminated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorder {
    text: String,
}

impl Recorder {
    /// An empty trace.
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// Appends an input line.
    pub fn input(&mut self, t: Timestamp, src: &str, input: &Input) {
        self.text.push_str(&input_line(t, src, input));
        self.text.push('\n');
    }

    /// Appends an output line.
    pub fn output(&mut self, t: Timestamp, src: &str, output: &Output) {
        self.text.push_str(&output_line(t, src, output));
        self.text.push('\n');
    }

    /// The NDJSON text so far.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Takes the text.
    pub fn into_string(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{AuthoriseRequest, Preset};
    use crate::{FpState, Owner};
    use payrig_core::{Currency, Money, Volume};

    #[test]
    fn renders_spec_shaped_lines() {
        let out = Output::Progress {
            volume: Volume(583),
            amount: Money::from_minor(104, Currency::EUR),
        };
        assert_eq!(
            output_line(Timestamp(7_000), "pump/1", &out),
            r#"{"t":7000,"src":"pump/1","kind":"progress","data":{"amount":{"currency":"EUR","minor":104},"volume":583}}"#
        );
        let sc = Output::StateChanged {
            from: FpState::Idle,
            to: FpState::Authorised,
        };
        assert_eq!(
            output_line(Timestamp(1), "pump/1", &sc),
            r#"{"t":1,"src":"pump/1","kind":"state_changed","data":{"from":{"id":3,"name":"Idle"},"to":{"id":5,"name":"Authorised"}}}"#
        );
        assert_eq!(
            input_line(Timestamp(0), "pump/1", &Input::Timeout),
            r#"{"t":0,"src":"pump/1","kind":"in.timeout","data":null}"#
        );
        let auth = Input::Authorise(AuthoriseRequest {
            owner: Owner::from("ationet/1524"),
            preset: Preset::volume(Volume(9_000)),
            grades: Some(vec!["3".into()]),
            lock_sale: true,
        });
        let l = input_line(Timestamp(5), "pump/2", &auth);
        assert!(l.starts_with(r#"{"t":5,"src":"pump/2","kind":"in.authorise","data":{"#));
        assert!(l.contains(r#""owner":"ationet/1524""#));
        let _: Value = serde_json::from_str(&l).unwrap();
    }
}
