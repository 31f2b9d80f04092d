//! Journal records: every exchange and state change, append-only, in order.
//!
//! The shape follows the control API's journal (conformance spec section 3); `dir` is seen from
//! payrig. Reports and client grading read these records.

use serde::{Deserialize, Serialize};

/// Direction of an exchange, seen from payrig.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    /// Received by payrig.
    In,
    /// Sent by payrig.
    Out,
    /// Internal (timers, simulator events).
    Internal,
}

/// Kind of a journal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntryKind {
    /// A connection opened.
    ConnOpen,
    /// A connection closed.
    ConnClose,
    /// An HTTP request payrig received (or sent, when acting as a client).
    HttpRequest,
    /// An HTTP response.
    HttpResponse,
    /// A websocket frame received.
    WsIn,
    /// A websocket frame sent.
    WsOut,
    /// A server-sent event.
    SseOut,
    /// An outbound callback request.
    CallbackRequest,
    /// The answer to a callback.
    CallbackResponse,
    /// A wire fault was applied.
    FaultApplied,
    /// A timer fired.
    Timer,
    /// A simulator or machine trace line (state changes, device messages).
    Sim,
}

/// An HTTP message as journaled. Credentials are masked before they get here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct HttpRecord {
    /// Method (requests only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path and query (requests only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Status (responses only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Header pairs in arrival order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// A journaled body: text when UTF-8, else base64; cut at 64 KiB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    /// UTF-8 text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Base64 for non-UTF-8 bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
    /// True when the body was cut at 64 KiB.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub truncated: bool,
}

/// Largest body kept in the journal.
pub const MAX_JOURNAL_BODY: usize = 64 * 1024;

impl Body {
    /// Builds a journal body from bytes, cutting at [`MAX_JOURNAL_BODY`].
    pub fn from_bytes(bytes: &[u8]) -> Body {
        let truncated = bytes.len() > MAX_JOURNAL_BODY;
        let bytes = &bytes[..bytes.len().min(MAX_JOURNAL_BODY)];
        match std::str::from_utf8(bytes) {
            Ok(t) => Body {
                text: Some(t.to_owned()),
                base64: None,
                truncated,
            },
            Err(_) => Body {
                text: None,
                base64: Some(base64_encode(bytes)),
                truncated,
            },
        }
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// One journal record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Position in the journal, from 1.
    pub seq: u64,
    /// When, RFC 3339 UTC with ms.
    pub at: String,
    /// Connection id (`c7`), when the entry belongs to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conn: Option<String>,
    /// Direction.
    pub dir: Dir,
    /// Kind.
    pub kind: EntryKind,
    /// Protocol (`ationet`, `tecs`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Operation (`MobilePayments`, `makeTransaction`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    /// Correlation keys (`{"transaction_id": "..."}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corr: Option<serde_json::Value>,
    /// The HTTP message, for HTTP kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpRecord>,
    /// Free-form data for `sim`, `timer` and `fault_applied` entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    /// The request entry this response answers.
    pub reply_to: Option<u64>,
    /// The wire fault applied to this exchange, if any.
    pub fault: Option<String>,
    /// Requirement ids this entry touches.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub requirements: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(i.as_bytes()), o);
        }
    }

    #[test]
    fn bodies_are_cut_at_64k() {
        let b = Body::from_bytes(&vec![b'a'; MAX_JOURNAL_BODY + 1]);
        assert!(b.truncated);
        assert_eq!(b.text.unwrap().len(), MAX_JOURNAL_BODY);
        assert!(Body::from_bytes(&[0xff]).base64.is_some());
    }
}
