//! The in-memory journal: every exchange and simulated event, append-only, in order.

use payrig_core::journal::{Body, Dir, EntryKind, HttpRecord, JournalEntry};
use payrig_core::Timestamp;
use payrig_world::trace::TraceEvent;
use serde_json::json;

/// Append-only list of journal entries with sequence numbers from 1, optionally persisted to
/// SQLite (`--journal FILE`): each entry is committed before the response it belongs to is
/// written, so a killed server loses no exchange a client got an answer for.
#[derive(Debug, Default)]
pub struct Journal {
    entries: Vec<JournalEntry>,
    sink: Option<Sink>,
    /// Entries the sink failed to store (reported by the health endpoint, never fatal).
    sink_errors: u64,
}

/// Why the journal file could not be opened or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// SQLite refused.
    #[error("journal database {path}: {source}")]
    Sqlite {
        /// The file.
        path: String,
        /// The error.
        source: rusqlite::Error,
    },
    /// A stored entry is not a journal entry.
    #[error("journal database {path}: entry {seq} is not valid: {reason}")]
    Corrupt {
        /// The file.
        path: String,
        /// The entry.
        seq: u64,
        /// Why.
        reason: String,
    },
}

struct Sink {
    conn: rusqlite::Connection,
    path: String,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink").field("path", &self.path).finish()
    }
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    protocol TEXT,
    entry TEXT NOT NULL
)";

fn open_db(path: &str) -> Result<rusqlite::Connection, JournalError> {
    let err = |source| JournalError::Sqlite {
        path: path.to_owned(),
        source,
    };
    let conn = rusqlite::Connection::open(path).map_err(err)?;
    // WAL + NORMAL: a committed row survives a killed process (not a power cut), and readers
    // (`payrig report --journal`) do not block the writer.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(err)?;
    conn.execute(SCHEMA, []).map_err(err)?;
    Ok(conn)
}

/// Reads every entry of a journal database, in order.
pub fn read_sqlite(path: &str) -> Result<Vec<JournalEntry>, JournalError> {
    let conn = open_db(path)?;
    let err = |source| JournalError::Sqlite {
        path: path.to_owned(),
        source,
    };
    let mut st = conn
        .prepare("SELECT seq, entry FROM journal ORDER BY seq")
        .map_err(err)?;
    let rows = st
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .map_err(err)?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, text) = row.map_err(err)?;
        let e: JournalEntry = serde_json::from_str(&text).map_err(|e| JournalError::Corrupt {
            path: path.to_owned(),
            seq: seq as u64,
            reason: e.to_string(),
        })?;
        out.push(e);
    }
    Ok(out)
}

/// Header names whose values are credentials: masked unless raw journaling is asked for.
const SECRET_HEADERS: [&str; 3] = ["authorization", "x-payrig-control-token", "cookie"];

impl Journal {
    /// A journal persisted to the SQLite file at `path` (created if absent; a previous run's
    /// entries are kept and numbering continues after them).
    pub fn with_sqlite(path: &str) -> Result<Journal, JournalError> {
        let entries = read_sqlite(path)?;
        let conn = open_db(path)?;
        Ok(Journal {
            entries,
            sink: Some(Sink {
                conn,
                path: path.to_owned(),
            }),
            sink_errors: 0,
        })
    }

    /// Appends an entry, giving it the next `seq`; returns that seq. With a database, the
    /// entry is committed before this returns.
    pub fn push(&mut self, mut e: JournalEntry) -> u64 {
        let seq = self.entries.len() as u64 + 1;
        e.seq = seq;
        if let Some(sink) = &self.sink {
            let text = serde_json::to_string(&e).unwrap_or_default();
            let r = sink.conn.execute(
                "INSERT INTO journal (seq, at, kind, protocol, entry) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![seq as i64, e.at, kind_name(e.kind), e.protocol, text],
            );
            if let Err(err) = r {
                self.sink_errors += 1;
                tracing::error!("journal {}: entry {seq} not stored: {err}", sink.path);
            }
        }
        self.entries.push(e);
        seq
    }

    /// Entries the database failed to store.
    pub fn sink_errors(&self) -> u64 {
        self.sink_errors
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

    /// Forgets everything (control reset), in the database too.
    pub fn clear(&mut self) {
        self.entries.clear();
        if let Some(sink) = &self.sink {
            if let Err(err) = sink.conn.execute("DELETE FROM journal", []) {
                self.sink_errors += 1;
                tracing::error!("journal {}: not cleared: {err}", sink.path);
            }
        }
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
