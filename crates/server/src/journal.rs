//! The in-memory journal: every exchange and simulated event, append-only, in order.

use payrig_core::journal::{Body, Dir, EntryKind, HttpRecord, JournalEntry};
use payrig_core::Timestamp;
use payrig_world::trace::TraceEvent;
use serde_json::json;

/// Append-only list of journal entries with sequence numbers from 1.
#[derive(Debug, Default)]
pub struct Journal {
    entries: Vec<JournalEntry>,
}

/// Header names whose values are credentials: masked unless raw journaling is asked for.
const SECRET_HEADERS: [&str; 3] = ["authorization", "x-payrig-control-token", "cookie"];

impl Journal {
    /// Appends an entry, giving it the next `seq`; returns that seq.
    pub fn push(&mut self, mut e: JournalEntry) -> u64 {
        let seq = self.entries.len() as u64 + 1;
        e.seq = seq;
        self.entries.push(e);
        seq
    }

    /// Entries with `seq >= since`, at most `limit`, optionally of one kind.
    pub fn query(&self, since: u64, limit: usize, kind: Option<&str>) -> Vec<JournalEntry> {
        let start = since.saturating_sub(1) as usize;
        self.entries
            .iter()
            .skip(start)
            .filter(|e| kind.is_none_or(|k| kind_name(e.kind) == k))
            .take(limit)
            .cloned()
            .collect()
    }

    /// Every entry.
    pub fn all(&self) -> &[JournalEntry] {
        &self.entries
    }

    /// The seq the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.entries.len() as u64 + 1
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// The journal name of a kind (`http_request`).
pub fn kind_name(k: EntryKind) -> &'static str {
    match k {
        EntryKind::ConnOpen => "conn_open",
        EntryKind::ConnClose => "conn_close",
        EntryKind::HttpRequest => "http_request",
        EntryKind::HttpResponse => "http_response",
        EntryKind::WsIn => "ws_in",
        EntryKind::WsOut => "ws_out",
        EntryKind::SseOut => "sse_out",
        EntryKind::CallbackRequest => "callback_request",
        EntryKind::CallbackResponse => "callback_response",
        EntryKind::FaultApplied => "fault_applied",
        EntryKind::Timer => "timer",
        EntryKind::Sim => "sim",
        _ => "other",
    }
}

/// Masks credentials: `Bearer abc` -> `Bearer ***`.
pub(crate) fn mask_header(name: &str, value: &str) -> String {
    if SECRET_HEADERS.contains(&name) {
        match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} ***"),
            None => "***".to_owned(),
        }
    } else {
        value.to_owned()
    }
}

/// An HTTP request entry.
#[allow(clippy::too_many_arguments)]
pub(crate) fn http_request(
    at: Timestamp,
    conn: &str,
    protocol: &str,
    op: Option<&str>,
    method: &str,
    path: &str,
    headers: Vec<(String, String)>,
    body: Option<&[u8]>,
) -> JournalEntry {
    JournalEntry {
        seq: 0,
        at: at.to_rfc3339_ms(),
        conn: Some(conn.to_owned()),
        dir: Dir::In,
        kind: EntryKind::HttpRequest,
        protocol: Some(protocol.to_owned()),
        op: op.map(str::to_owned),
        corr: None,
        http: Some(HttpRecord {
            method: Some(method.to_owned()),
            path: Some(path.to_owned()),
            status: None,
            headers,
            body: body.filter(|b| !b.is_empty()).map(Body::from_bytes),
        }),
        data: None,
        reply_to: None,
        fault: None,
        requirements: Vec::new(),
    }
}

/// An HTTP response entry answering `reply_to`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn http_response(
    at: Timestamp,
    conn: &str,
    protocol: &str,
    op: Option<&str>,
    status: u16,
    headers: Vec<(String, String)>,
    body: &[u8],
    reply_to: u64,
    corr: Option<serde_json::Value>,
) -> JournalEntry {
    JournalEntry {
        seq: 0,
        at: at.to_rfc3339_ms(),
        conn: Some(conn.to_owned()),
        dir: Dir::Out,
        kind: EntryKind::HttpResponse,
        protocol: Some(protocol.to_owned()),
        op: op.map(str::to_owned),
        corr,
        http: Some(HttpRecord {
            method: None,
            path: None,
            status: Some(status),
            headers,
            body: Some(Body::from_bytes(body)),
        }),
        data: None,
        reply_to: Some(reply_to),
        fault: None,
        requirements: Vec::new(),
    }
}

/// A simulation entry from a world trace event.
pub(crate) fn sim(protocol: &str, e: TraceEvent) -> JournalEntry {
    let mut data = match e.data {
        serde_json::Value::Object(m) => serde_json::Value::Object(m),
        other => json!({ "value": other }),
    };
    if let Some(m) = data.as_object_mut() {
        m.insert("src".to_owned(), serde_json::Value::String(e.src));
    }
    JournalEntry {
        seq: 0,
        at: Timestamp(e.t).to_rfc3339_ms(),
        conn: None,
        dir: Dir::Internal,
        kind: EntryKind::Sim,
        protocol: Some(protocol.to_owned()),
        op: Some(e.kind.to_owned()),
        corr: e.tx.map(|t| json!({ "transaction_id": t })),
        http: None,
        data: Some(data),
        reply_to: None,
        fault: None,
        requirements: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_bearer_tokens() {
        assert_eq!(mask_header("authorization", "Bearer abc"), "Bearer ***");
        assert_eq!(mask_header("authorization", "abc"), "***");
        assert_eq!(
            mask_header("content-type", "application/json"),
            "application/json"
        );
    }

    #[test]
    fn sequences_and_queries() {
        let mut j = Journal::default();
        for i in 0..5 {
            let e = sim(
                "ationet",
                TraceEvent {
                    t: i,
                    src: "x".into(),
                    kind: "state",
                    data: json!({}),
                    tx: None,
                },
            );
            assert_eq!(j.push(e), i + 1);
        }
        assert_eq!(j.query(3, 10, None).len(), 3);
        assert_eq!(j.query(1, 2, Some("sim")).len(), 2);
        assert_eq!(j.query(1, 10, Some("http_request")).len(), 0);
    }
}
