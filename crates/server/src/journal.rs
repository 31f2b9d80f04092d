//! The in-memory journal: every exchange and simulated event, append-only, in order.

use std::collections::VecDeque;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method};

use payrig_core::journal::{Body, Dir, EntryKind, HttpRecord, JournalEntry};
use payrig_core::Timestamp;
use payrig_world::trace::TraceEvent;
use serde_json::json;

/// Entries a served journal keeps in memory unless told otherwise (`--journal-capacity`):
/// enough for any certification run, and a bound on memory under sustained load (a TECS sale
/// journals about 20 entries). `--journal FILE` keeps every entry on disk regardless.
pub const DEFAULT_CAPACITY: usize = 200_000;

/// Append-only list of journal entries with sequence numbers from 1, optionally persisted to
/// SQLite (`--journal FILE`): each entry is committed before the response it belongs to is
/// written, so a killed server loses no exchange a client got an answer for.
///
/// In memory it is a ring of at most `capacity` entries (0: unbounded): the oldest are dropped
/// first and counted in [`Journal::evicted`]; sequence numbers never restart. Simulation
/// events are kept as the world produced them and rendered to [`JournalEntry`] only when read,
/// because a loaded server journals far more of them than anyone reads.
#[derive(Debug)]
pub struct Journal {
    entries: VecDeque<Stored>,
    /// The seq of `entries[0]`.
    first_seq: u64,
    capacity: usize,
    evicted: u64,
    sink: Option<Sink>,
    /// Entries the sink failed to store (reported by the health endpoint, never fatal).
    sink_errors: u64,
}

#[derive(Debug)]
enum Stored {
    /// Boxed: most entries of a loaded server are `Sim`, and a ring of small slots moves less.
    Entry(Box<JournalEntry>),
    Http(Box<HttpEntry>),
    Sim(&'static str, TraceEvent),
}

impl Stored {
    fn kind(&self) -> EntryKind {
        match self {
            Stored::Entry(e) => e.kind,
            Stored::Http(h) if h.method.is_some() => EntryKind::HttpRequest,
            Stored::Http(_) => EntryKind::HttpResponse,
            Stored::Sim(..) => EntryKind::Sim,
        }
    }

    fn render(&self, seq: u64) -> JournalEntry {
        let mut e = match self {
            Stored::Entry(e) => return (**e).clone(),
            Stored::Http(h) => h.render(),
            Stored::Sim(protocol, ev) => sim(protocol, ev.clone()),
        };
        e.seq = seq;
        e
    }
}

/// One HTTP message as it crossed the wire (headers and body shared, not copied), rendered
/// to a journal entry with masked credentials when read.
#[derive(Debug)]
pub(crate) struct HttpEntry {
    at: Timestamp,
    conn: String,
    protocol: &'static str,
    op: Option<&'static str>,
    /// Set for a request.
    method: Option<Method>,
    path: String,
    status: u16,
    headers: HeaderMap,
    body: Option<Bytes>,
    reply_to: u64,
    corr: Option<serde_json::Value>,
}

impl HttpEntry {
    /// A request as received.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn request(
        at: Timestamp,
        conn: &str,
        protocol: &'static str,
        op: Option<&'static str>,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: Option<Bytes>,
    ) -> HttpEntry {
        HttpEntry {
            at,
            conn: conn.to_owned(),
            protocol,
            op,
            method: Some(method.clone()),
            path: path.to_owned(),
            status: 0,
            headers: headers.clone(),
            body,
            reply_to: 0,
            corr: None,
        }
    }

    /// A response as sent, answering entry `reply_to`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn response(
        at: Timestamp,
        conn: &str,
        protocol: &'static str,
        op: Option<&'static str>,
        status: u16,
        headers: &HeaderMap,
        body: Bytes,
        reply_to: u64,
        corr: Option<serde_json::Value>,
    ) -> HttpEntry {
        HttpEntry {
            at,
            conn: conn.to_owned(),
            protocol,
            op,
            method: None,
            path: String::new(),
            status,
            headers: headers.clone(),
            body: Some(body),
            reply_to,
            corr,
        }
    }

    fn render(&self) -> JournalEntry {
        let headers = crate::http::journal_headers(&self.headers);
        match &self.method {
            Some(m) => http_request(
                self.at,
                &self.conn,
                self.protocol,
                self.op,
                m.as_str(),
                &self.path,
                headers,
                self.body.as_deref(),
            ),
            None => http_response(
                self.at,
                &self.conn,
                self.protocol,
                self.op,
                self.status,
                headers,
                self.body.as_deref().unwrap_or_default(),
                self.reply_to,
                self.corr.clone(),
            ),
        }
    }
}

impl Default for Journal {
    /// An unbounded in-memory journal.
    fn default() -> Self {
        Journal::with_capacity(0)
    }
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
    /// An in-memory journal keeping at most `capacity` entries (0: unbounded).
    pub fn with_capacity(capacity: usize) -> Journal {
        Journal {
            // Reserved up front (pages are touched only as it fills) so the ring never moves
            // its entries while serving.
            entries: VecDeque::with_capacity(capacity),
            first_seq: 1,
            capacity,
            evicted: 0,
            sink: None,
            sink_errors: 0,
        }
    }

    /// A journal persisted to the SQLite file at `path` (created if absent; a previous run's
    /// entries are kept and numbering continues after them). At most `capacity` entries stay
    /// in memory (0: unbounded); the file keeps them all.
    pub fn with_sqlite(path: &str, capacity: usize) -> Result<Journal, JournalError> {
        let mut j = Journal::with_capacity(capacity);
        for e in read_sqlite(path)? {
            j.store(Stored::Entry(Box::new(e)));
        }
        j.sink = Some(Sink {
            conn: open_db(path)?,
            path: path.to_owned(),
        });
        Ok(j)
    }

    /// Appends an entry, giving it the next `seq`; returns that seq. With a database, the
    /// entry is committed before this returns.
    pub fn push(&mut self, mut e: JournalEntry) -> u64 {
        e.seq = self.next_seq();
        self.persist(&e);
        self.store(Stored::Entry(Box::new(e)))
    }

    /// Appends an HTTP message; returns its seq. With a database, it is rendered and committed
    /// before this returns.
    pub(crate) fn push_http(&mut self, h: HttpEntry) -> u64 {
        if self.sink.is_some() {
            let mut e = h.render();
            e.seq = self.next_seq();
            self.persist(&e);
        }
        self.store(Stored::Http(Box::new(h)))
    }

    /// Appends a simulation event of `protocol`'s world; returns its seq. It is rendered as a
    /// `sim` entry when read (or at once, when a database must store it).
    pub fn push_sim(&mut self, protocol: &'static str, ev: TraceEvent) -> u64 {
        if self.sink.is_some() {
            let mut e = sim(protocol, ev.clone());
            e.seq = self.next_seq();
            self.persist(&e);
        }
        self.store(Stored::Sim(protocol, ev))
    }

    fn persist(&mut self, e: &JournalEntry) {
        let Some(sink) = &self.sink else {
            return;
        };
        let text = serde_json::to_string(e).unwrap_or_default();
        let r = sink.conn.execute(
            "INSERT INTO journal (seq, at, kind, protocol, entry) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![e.seq as i64, e.at, kind_name(e.kind), e.protocol, text],
        );
        if let Err(err) = r {
            self.sink_errors += 1;
            tracing::error!("journal {}: entry {} not stored: {err}", sink.path, e.seq);
        }
    }

    fn store(&mut self, s: Stored) -> u64 {
        let seq = self.next_seq();
        if self.capacity > 0 && self.entries.len() >= self.capacity {
            self.entries.pop_front();
            self.first_seq += 1;
            self.evicted += 1;
        }
        self.entries.push_back(s);
        seq
    }

    /// Entries the database failed to store.
    pub fn sink_errors(&self) -> u64 {
        self.sink_errors
    }

    /// Entries dropped from memory to stay within the capacity.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// The in-memory bound (0: unbounded).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entries held in memory.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is held in memory.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries with `seq >= since` still in memory, at most `limit`, optionally of one kind.
    pub fn query(&self, since: u64, limit: usize, kind: Option<&str>) -> Vec<JournalEntry> {
        let start = since.saturating_sub(self.first_seq) as usize;
        self.entries
            .iter()
            .enumerate()
            .skip(start)
            .filter(|(_, e)| kind.is_none_or(|k| kind_name(e.kind()) == k))
            .take(limit)
            .map(|(i, e)| e.render(self.first_seq + i as u64))
            .collect()
    }

    /// Every entry still in memory, rendered.
    pub fn all(&self) -> Vec<JournalEntry> {
        self.query(self.first_seq, usize::MAX, None)
    }

    /// The seq the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.entries.len() as u64
    }

    /// Forgets everything (control reset), in the database too; numbering starts again at 1.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.first_seq = 1;
        self.evicted = 0;
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

/// Masks credentials: `Bearer abc` -> `Bearer ***`; other headers pass through uncopied.
pub(crate) fn mask_owned(name: &str, value: String) -> String {
    if SECRET_HEADERS.contains(&name) {
        match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} ***"),
            None => "***".to_owned(),
        }
    } else {
        value
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
    let mut data = match e.data.into_value() {
        serde_json::Value::Object(m) => serde_json::Value::Object(m),
        other => json!({ "value": other }),
    };
    if let Some(m) = data.as_object_mut() {
        m.insert(
            "src".to_owned(),
            serde_json::Value::String(e.src.to_string()),
        );
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
        let m = |n: &str, v: &str| mask_owned(n, v.to_owned());
        assert_eq!(m("authorization", "Bearer abc"), "Bearer ***");
        assert_eq!(m("authorization", "abc"), "***");
        assert_eq!(m("content-type", "application/json"), "application/json");
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
                    data: json!({}).into(),
                    tx: None,
                },
            );
            assert_eq!(j.push(e), i + 1);
        }
        assert_eq!(j.query(3, 10, None).len(), 3);
        assert_eq!(j.query(1, 2, Some("sim")).len(), 2);
        assert_eq!(j.query(1, 10, Some("http_request")).len(), 0);
    }

    fn ev(t: u64) -> TraceEvent {
        TraceEvent {
            t,
            src: "tecs/88091105".into(),
            kind: "state",
            data: json!({"from": "Idle", "to": "AwaitingCard"}).into(),
            tx: Some("7000001".into()),
        }
    }

    #[test]
    fn sim_events_render_as_sim_entries_when_read() {
        let mut lazy = Journal::default();
        let mut eager = Journal::default();
        for t in 0..3 {
            lazy.push_sim("tecs", ev(t));
            eager.push(sim("tecs", ev(t)));
        }
        assert_eq!(lazy.all(), eager.all());
        let e = &lazy.all()[1];
        assert_eq!(
            (e.seq, e.kind, e.at.as_str()),
            (2, EntryKind::Sim, "1970-01-01T00:00:00.001Z")
        );
        assert_eq!(e.data.as_ref().unwrap()["src"], "tecs/88091105");
        assert_eq!(e.corr, Some(json!({"transaction_id": "7000001"})));
    }

    #[test]
    fn http_messages_render_as_the_eager_entries_with_credentials_masked() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer s3cret".parse().unwrap());
        h.insert("content-type", "application/json".parse().unwrap());
        let body = Bytes::from_static(b"{\"amount\":\"1255\"}");
        let mut j = Journal::default();
        let at = Timestamp(1_716_318_552_000);
        let req = j.push_http(HttpEntry::request(
            at,
            "127.0.0.1:5000",
            "tecs",
            Some("makeTransaction"),
            &Method::POST,
            "/tecsclientrest-auth/makeTransaction",
            &h,
            Some(body.clone()),
        ));
        let corr = Some(json!({"transaction_id": "1"}));
        j.push_http(HttpEntry::response(
            at,
            "127.0.0.1:5000",
            "tecs",
            Some("makeTransaction"),
            200,
            &h,
            body.clone(),
            req,
            corr.clone(),
        ));
        let headers = crate::http::journal_headers(&h);
        let mut want_req = http_request(
            at,
            "127.0.0.1:5000",
            "tecs",
            Some("makeTransaction"),
            "POST",
            "/tecsclientrest-auth/makeTransaction",
            headers.clone(),
            Some(&body),
        );
        want_req.seq = 1;
        let mut want_resp = http_response(
            at,
            "127.0.0.1:5000",
            "tecs",
            Some("makeTransaction"),
            200,
            headers,
            &body,
            1,
            corr,
        );
        want_resp.seq = 2;
        assert_eq!(j.all(), vec![want_req, want_resp]);
        let text = serde_json::to_string(&j.all()).unwrap();
        assert!(
            text.contains("Bearer ***") && !text.contains("s3cret"),
            "{text}"
        );
        assert_eq!(j.query(1, 10, Some("http_response")).len(), 1);
    }

    #[test]
    fn a_bounded_journal_drops_the_oldest_and_keeps_numbering() {
        let mut j = Journal::with_capacity(3);
        for t in 0..5 {
            j.push_sim("ationet", ev(t));
        }
        assert_eq!(j.len(), 3);
        assert_eq!(j.evicted(), 2);
        assert_eq!(j.next_seq(), 6);
        let seqs: Vec<u64> = j.all().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [3, 4, 5]);
        // A cursor from before the window starts at the oldest entry kept.
        assert_eq!(j.query(1, 10, None)[0].seq, 3);
        assert_eq!(j.query(4, 10, None)[0].seq, 4);
        assert!(j.query(6, 10, None).is_empty());
        j.clear();
        assert_eq!((j.next_seq(), j.evicted(), j.len()), (1, 0, 0));
    }
}
