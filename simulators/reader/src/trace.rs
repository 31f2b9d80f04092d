//! NDJSON trace lines (simulators.md 1): `{"t":ms,"src":"reader/R1","kind":"…","data":{…}}`.
//!
//! Outputs keep their own kind (`card_data`, `done`); inputs are prefixed `in.` (`in.begin`)
//! so a reader of the trace can tell a command from what it caused. The key order is fixed and
//! `data` is serde_json's canonical rendering, so the same run gives the same bytes
//! (SIM-G-01). Card data is redacted the way a host should log it: the PAN and track 2 are
//! masked 6+4 and the PIN block is replaced by `"redacted"`.

use payrig_core::{MaskedPan, Timestamp};
use serde::Serialize;
use serde_json::Value;

use crate::event::{Input, Output};

/// Renders one line (no trailing newline) for a value tagged `{"kind","data"}`.
fn line(t: Timestamp, src: &str, prefix: &str, value: &impl Serialize) -> String {
    // The event types serialise to plain JSON (string keys only), so this cannot fail; a
    // failure would still yield a valid line rather than a panic.
    let v = serde_json::to_value(value).unwrap_or(Value::Null);
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("unknown");
    let mut data = v.get("data").cloned().unwrap_or(Value::Null);
    if kind == "card_data" {
        redact(&mut data);
    }
    format!(
        "{{\"t\":{},\"src\":{},\"kind\":{},\"data\":{}}}",
        t.as_millis(),
        Value::from(src),
        Value::from(format!("{prefix}{kind}")),
        data
    )
}

fn redact(data: &mut Value) {
    for key in ["pan", "track2"] {
        if let Some(Value::String(s)) = data.get_mut(key) {
            *s = MaskedPan::new(s).as_str().to_owned();
        }
    }
    if let Some(Value::String(s)) = data.pointer_mut("/online_pin/pin_block") {
        *s = "redacted".to_owned();
    }
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
    use crate::event::{Begin, TipMode, TxnKind};
    use crate::{Entry, SessionState};
    use payrig_core::{Currency, Money};

    #[test]
    fn renders_spec_shaped_lines() {
        let sc = Output::StateChanged {
            from: SessionState::Idle,
            to: SessionState::WaitingForCard,
        };
        assert_eq!(
            output_line(Timestamp(5), "reader/R1", &sc),
            r#"{"t":5,"src":"reader/R1","kind":"state_changed","data":{"from":"idle","to":"waiting_for_card"}}"#
        );
        assert_eq!(
            output_line(
                Timestamp(7),
                "reader/R1",
                &Output::CardDetected { entry: Entry::Tap }
            ),
            r#"{"t":7,"src":"reader/R1","kind":"card_detected","data":{"entry":"tap"}}"#
        );
        assert_eq!(
            input_line(Timestamp(0), "reader/R1", &Input::Timeout),
            r#"{"t":0,"src":"reader/R1","kind":"in.timeout","data":null}"#
        );
        let b = Input::Begin(Begin {
            txn: "T1".into(),
            kind: TxnKind::Sale,
            amount: Money::from_minor(1_250, Currency::EUR),
            modes: vec![],
            tip: TipMode::None,
        });
        assert_eq!(
            input_line(Timestamp(1), "reader/R1", &b),
            r#"{"t":1,"src":"reader/R1","kind":"in.begin","data":{"amount":{"currency":"EUR","minor":1250},"kind":"sale","modes":[],"tip":"none","txn":"T1"}}"#
        );
    }

    #[test]
    fn card_data_is_redacted() {
        let mut v = serde_json::json!({
            "pan": "4761730000000011",
            "track2": "4761730000000011=31122010000100000",
            "online_pin": { "pin_block": "041223CFFFFFFFFE", "correct": true }
        });
        redact(&mut v);
        assert_eq!(v["pan"], "476173******0011");
        assert_eq!(v["track2"], "476173************************0000");
        assert_eq!(v["online_pin"]["pin_block"], "redacted");
    }
}
