//! The simulation trace: one NDJSON line per state change, device message and fired timer.
//!
//! Same binary, scenario and seed give identical bytes (SIM-G-01). The trace is also hashed as
//! it is written, so long runs can be compared without keeping every line.

use payrig_core::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One trace event, as the server journals it (`kind: "sim"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEvent {
    /// Virtual or wall time of the event, ms since the epoch.
    pub t: u64,
    /// Source: `ationet/<id>`, `site/1524`, `pump/1524/1`, `pfep`.
    pub src: String,
    /// What happened: `state`, `to_site`, `to_pfep`, `site_event`, `pfep_event`, `timer`...
    pub kind: &'static str,
    /// Details.
    pub data: serde_json::Value,
    /// The transaction the event belongs to, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tx: Option<String>,
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
        src: impl Into<String>,
        kind: &'static str,
        data: serde_json::Value,
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
}
