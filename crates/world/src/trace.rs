//! The simulation trace: one NDJSON line per state change, device message and fired timer.
//!
//! Same binary, scenario and seed give identical bytes (SIM-G-01). The trace is also hashed as
//! it is written, so long runs can be compared without keeping every line.

use std::fmt::Debug;
use std::sync::Arc;

use payrig_core::Timestamp;
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Event details whose JSON is built only when someone reads them.
///
/// A served world journals every event but under load almost none are read (or they leave the
/// bounded journal unread), so rendering a reader's NDJSON line or a `Debug` text per event
/// was most of a TECS sale's cost. The rendering must be a pure function of the value, so a
/// deferred event hashes and journals to exactly the bytes an eager one would.
pub trait Deferred: Debug + Send + Sync {
    /// The event's `data`.
    fn render(&self) -> serde_json::Value;
}

/// The `data` of a trace event: JSON, or a value rendered to JSON when read.
#[derive(Debug, Clone)]
pub enum TraceData {
    /// Already JSON.
    Json(serde_json::Value),
    /// Rendered by [`Deferred::render`] when read.
    Deferred(Arc<dyn Deferred>),
}

impl TraceData {
    /// The JSON value.
    pub fn into_value(self) -> serde_json::Value {
        match self {
            TraceData::Json(v) => v,
            TraceData::Deferred(d) => d.render(),
        }
    }

    /// The JSON value, rendered if deferred.
    pub fn to_value(&self) -> serde_json::Value {
        self.clone().into_value()
    }
}

impl From<serde_json::Value> for TraceData {
    fn from(v: serde_json::Value) -> TraceData {
        TraceData::Json(v)
    }
}

impl PartialEq for TraceData {
    fn eq(&self, other: &TraceData) -> bool {
        self.to_value() == other.to_value()
    }
}

impl Serialize for TraceData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TraceData::Json(v) => v.serialize(s),
            TraceData::Deferred(d) => d.render().serialize(s),
        }
    }
}

/// A value whose trace data is its `Debug` text, as a JSON string.
#[derive(Debug)]
pub struct DebugText<T>(pub T);

impl<T: Debug + Send + Sync> Deferred for DebugText<T> {
    fn render(&self) -> serde_json::Value {
        serde_json::Value::String(format!("{:?}", self.0))
    }
}

/// One trace event, as the server journals it (`kind: "sim"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEvent {
    /// Virtual or wall time of the event, ms since the epoch.
    pub t: u64,
    /// Source: `ationet/<id>`, `site/1524`, `pump/1524/1`, `pfep`. Shared, because a device
    /// writes many events under one name.
    #[serde(serialize_with = "str_ref")]
    pub src: Arc<str>,
    /// What happened: `state`, `to_site`, `to_pfep`, `site_event`, `pfep_event`, `timer`...
    pub kind: &'static str,
    /// Details.
    pub data: TraceData,
    /// The transaction the event belongs to, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tx: Option<String>,
}

fn str_ref<S: Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

/// Collects trace events: keeps them for draining (bounded) and hashes every line.
#[derive(Debug, Clone)]
pub struct Trace {
    pending: Vec<TraceEvent>,
    keep: bool,
    off: bool,
    /// False for a journal trace: servers drain events and never read the hash, so they skip
    /// serialising every line for it.
    hash: bool,
    hasher: Sha256,
    lines: u64,
}

/// Most events kept between drains; older ones are only hashed.
const MAX_PENDING: usize = 100_000;

impl Trace {
    /// A trace that keeps events for draining when `keep` is true (servers), or only hashes
    /// them (benches, proptests).
    pub fn new(keep: bool) -> Trace {
        Trace {
            pending: Vec::new(),
            keep,
            off: false,
            hash: true,
            hasher: Sha256::new(),
            lines: 0,
        }
    }

    /// A trace that keeps events for draining and hashes nothing (servers, which journal the
    /// events): `hash_hex` is then the hash of no lines.
    pub fn unhashed() -> Trace {
        Trace {
            hash: false,
            ..Trace::new(true)
        }
    }

    /// A trace that records nothing (load benches measure the engine without it).
    pub fn off() -> Trace {
        Trace {
            off: true,
            ..Trace::new(false)
        }
    }

    /// False when the trace is off: callers skip building events.
    pub fn enabled(&self) -> bool {
        !self.off
    }

    /// Records one event.
    pub fn record(
        &mut self,
        t: Timestamp,
        src: impl Into<Arc<str>>,
        kind: &'static str,
        data: serde_json::Value,
        tx: Option<&str>,
    ) {
        self.record_data(t, src, kind, TraceData::Json(data), tx);
    }

    /// Records one event whose data is rendered only if the event is read (or hashed).
    pub fn record_deferred(
        &mut self,
        t: Timestamp,
        src: impl Into<Arc<str>>,
        kind: &'static str,
        data: impl Deferred + 'static,
        tx: Option<&str>,
    ) {
        if self.off {
            return;
        }
        self.record_data(t, src, kind, TraceData::Deferred(Arc::new(data)), tx);
    }

    fn record_data(
        &mut self,
        t: Timestamp,
        src: impl Into<Arc<str>>,
        kind: &'static str,
        data: TraceData,
        tx: Option<&str>,
    ) {
        if self.off {
            return;
        }
        let e = TraceEvent {
            t: t.as_millis(),
            src: src.into(),
            kind,
            data,
            tx: tx.map(str::to_owned),
        };
        if self.hash {
            if let Ok(line) = serde_json::to_vec(&e) {
                self.hasher.update(&line);
                self.hasher.update(b"\n");
            }
        }
        self.lines += 1;
        if self.keep && self.pending.len() < MAX_PENDING {
            self.pending.push(e);
        }
    }

    /// Takes the events recorded since the last drain.
    pub fn drain(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.pending)
    }

    /// SHA-256 of every line so far, hex.
    pub fn hash_hex(&self) -> String {
        let d = self.hasher.clone().finalize();
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Lines recorded so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Whether events are kept for draining.
    pub fn keeps(&self) -> bool {
        self.keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unhashed_keeps_events_and_hashes_nothing() {
        let mut hashed = Trace::new(true);
        let mut journal = Trace::unhashed();
        for tr in [&mut hashed, &mut journal] {
            tr.record(
                Timestamp(1),
                "a",
                "state",
                serde_json::json!({"to": 2}),
                Some("t"),
            );
        }
        assert_eq!(hashed.drain(), journal.drain());
        assert_eq!(journal.lines(), 1);
        assert_eq!(journal.hash_hex(), Trace::new(false).hash_hex());
        assert_ne!(hashed.hash_hex(), journal.hash_hex());
    }

    #[test]
    fn deferred_data_hashes_and_reads_like_eager_json() {
        let mut eager = Trace::new(true);
        let mut lazy = Trace::new(true);
        eager.record(
            Timestamp(5),
            "t",
            "to_reader",
            serde_json::json!("Begin { amount: 1 }"),
            None,
        );
        lazy.record_deferred(
            Timestamp(5),
            "t",
            "to_reader",
            DebugText("Begin { amount: 1 }".to_owned()),
            None,
        );
        // DebugText renders `{:?}` of a String: quoted. Compare against what that is.
        let mut eager2 = Trace::new(true);
        eager2.record(
            Timestamp(5),
            "t",
            "to_reader",
            serde_json::json!(format!("{:?}", "Begin { amount: 1 }")),
            None,
        );
        assert_eq!(lazy.hash_hex(), eager2.hash_hex());
        assert_ne!(lazy.hash_hex(), eager.hash_hex());
        let (l, e) = (lazy.drain(), eager2.drain());
        assert_eq!(l, e);
        assert_eq!(
            serde_json::to_string(&l[0]).unwrap(),
            serde_json::to_string(&e[0]).unwrap()
        );
    }
}
