//! The `/_payrig/v1` control API client (conformance.md section 3).

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ControlApiError;

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Health {
    /// payrig version.
    pub payrig: String,
    /// The first protocol served.
    #[serde(default)]
    pub protocol: Option<String>,
    /// Every protocol served.
    #[serde(default)]
    pub protocols: Vec<String>,
    /// `virtual` or `real`.
    pub clock: String,
    /// The server's now, RFC 3339.
    pub now: String,
    /// The run seed.
    pub seed: u64,
}

impl Health {
    /// True when the clock is virtual (advanced through [`ControlClient::advance_by_ms`]).
    pub fn is_virtual(&self) -> bool {
        self.clock == "virtual"
    }
}

/// `POST /reset`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ResetReply {
    /// The fresh world's now.
    pub now: String,
    /// The seed in use.
    pub seed: u64,
}

/// A timer fired by a clock advance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FiredTimer {
    /// When it fired, RFC 3339.
    pub at: String,
    /// Which timer.
    pub timer: String,
}

/// `POST /clock/advance`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AdvanceReply {
    /// Now after the advance.
    pub now: String,
    /// Timers fired on the way.
    #[serde(default)]
    pub fired: Vec<FiredTimer>,
}

/// `POST /pumps/{fp}/nozzle` and `GET /pumps/{fp}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PumpReply {
    /// The pump state name (`Calling`).
    pub state: String,
    /// The pump state id.
    pub state_id: u32,
    /// Metered volume, ml (GET only).
    #[serde(default)]
    pub volume_ml: Option<u64>,
    /// Metered amount, major-unit decimal string (GET only).
    #[serde(default)]
    pub amount: Option<String>,
    /// Currency (GET only).
    #[serde(default)]
    pub currency: Option<String>,
}

/// `GET /journal`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Journal {
    /// Entries in order (conformance.md section 3).
    pub entries: Vec<Value>,
    /// The `since` of the next page.
    #[serde(default)]
    pub next: u64,
}

/// One state entry of a transaction's history.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HistoryEntry {
    /// When, RFC 3339.
    pub at: String,
    /// `state_Id`.
    pub state_id: u8,
    /// `state_Name`.
    pub state_name: String,
}

/// `GET /transactions/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TransactionRecord {
    /// Transaction id.
    pub id: String,
    /// Protocol (`ationet`).
    pub protocol: String,
    /// Current state id.
    pub state_id: u8,
    /// Current state name.
    pub state_name: String,
    /// Every state entered, in order.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// The GetTransaction body.
    #[serde(default)]
    pub transaction: Value,
}

/// A client of payrig's control API.
#[derive(Debug, Clone)]
pub struct ControlClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl ControlClient {
    /// A client of the control API at `control_url`: either the server's base URL
    /// (`http://127.0.0.1:8080`, `/_payrig/v1` is appended) or the full prefix.
    pub fn new(control_url: impl Into<String>) -> ControlClient {
        ControlClient::with_http(reqwest::Client::new(), control_url, None)
    }

    /// As [`ControlClient::new`], over a given `reqwest::Client` and with an optional
    /// `X-Payrig-Control-Token`.
    pub fn with_http(
        http: reqwest::Client,
        control_url: impl Into<String>,
        token: Option<String>,
    ) -> ControlClient {
        let mut base = control_url.into().trim_end_matches('/').to_owned();
        if !base.ends_with("/_payrig/v1") {
            base.push_str("/_payrig/v1");
        }
        ControlClient { http, base, token }
    }

    /// The control prefix URL (ends with `/_payrig/v1`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `GET /health`.
    pub async fn health(&self) -> Result<Health, ControlApiError> {
        self.call(reqwest::Method::GET, "/health", None).await
    }

    /// `POST /reset`: a fresh world from the defaults plus the TOML's `[ationet]` table.
    pub async fn reset(
        &self,
        seed: Option<u64>,
        scenario_toml: Option<&str>,
    ) -> Result<ResetReply, ControlApiError> {
        let mut body = serde_json::Map::new();
        if let Some(s) = seed {
            body.insert("seed".into(), json!(s));
        }
        if let Some(t) = scenario_toml {
            body.insert("scenario_toml".into(), json!(t));
        }
        self.call(reqwest::Method::POST, "/reset", Some(Value::Object(body)))
            .await
    }

    /// `GET /clock`: `{"mode","now","next_deadline"}`.
    pub async fn clock(&self) -> Result<Value, ControlApiError> {
        self.call(reqwest::Method::GET, "/clock", None).await
    }

    /// The next deadline of the virtual clock, if any.
    pub async fn next_deadline(&self) -> Result<Option<String>, ControlApiError> {
        let c = self.clock().await?;
        Ok(c.get("next_deadline")
            .and_then(Value::as_str)
            .map(str::to_owned))
    }

    /// `POST /clock/advance {"by_ms"}`.
    pub async fn advance_by_ms(&self, ms: u64) -> Result<AdvanceReply, ControlApiError> {
        self.advance(json!({ "by_ms": ms })).await
    }

    /// `POST /clock/advance {"to"}`.
    pub async fn advance_to(&self, to: &str) -> Result<AdvanceReply, ControlApiError> {
        self.advance(json!({ "to": to })).await
    }

    /// `POST /clock/advance {"until_idle":true,"max_ms"}`.
    pub async fn advance_until_idle(&self, max_ms: u64) -> Result<AdvanceReply, ControlApiError> {
        self.advance(json!({ "until_idle": true, "max_ms": max_ms }))
            .await
    }

    async fn advance(&self, body: Value) -> Result<AdvanceReply, ControlApiError> {
        self.call(reqwest::Method::POST, "/clock/advance", Some(body))
            .await
    }

    /// `POST /pumps/{fp}/nozzle` with `{"action":"lift","nozzle":n}` or `{"action":"hang"}`.
    pub async fn nozzle(
        &self,
        fp: u8,
        lift: Option<u8>,
        site: Option<&str>,
    ) -> Result<PumpReply, ControlApiError> {
        let mut body = match lift {
            Some(n) => json!({ "action": "lift", "nozzle": n }),
            None => json!({ "action": "hang" }),
        };
        if let (Some(s), Some(o)) = (site, body.as_object_mut()) {
            o.insert("site".into(), json!(s));
        }
        self.call(
            reqwest::Method::POST,
            &format!("/pumps/{fp}/nozzle"),
            Some(body),
        )
        .await
    }

    /// `GET /pumps/{fp}?site=`.
    pub async fn pump(&self, fp: u8, site: Option<&str>) -> Result<PumpReply, ControlApiError> {
        let path = match site {
            Some(s) => format!("/pumps/{fp}?site={s}"),
            None => format!("/pumps/{fp}"),
        };
        self.call(reqwest::Method::GET, &path, None).await
    }

    /// `POST /devices/pump/{fp}/faults {"kind"}` (`offline`, `busy`, `clear`); returns the id.
    pub async fn pump_fault(
        &self,
        fp: u8,
        kind: &str,
        site: Option<&str>,
    ) -> Result<String, ControlApiError> {
        let mut body = json!({ "kind": kind });
        if let (Some(s), Some(o)) = (site, body.as_object_mut()) {
            o.insert("site".into(), json!(s));
        }
        let v: Value = self
            .call(
                reqwest::Method::POST,
                &format!("/devices/pump/{fp}/faults"),
                Some(body),
            )
            .await?;
        Ok(v.get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }

    /// `POST /sites/{code}/session {"up"}`.
    pub async fn session(&self, site: &str, up: bool) -> Result<Value, ControlApiError> {
        self.call(
            reqwest::Method::POST,
            &format!("/sites/{site}/session"),
            Some(json!({ "up": up })),
        )
        .await
    }

    /// `POST /acquirer/outcomes` with a whole override; returns the id.
    pub async fn add_outcome(&self, rule: Value) -> Result<String, ControlApiError> {
        let v: Value = self
            .call(reqwest::Method::POST, "/acquirer/outcomes", Some(rule))
            .await?;
        Ok(v.get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }

    /// `DELETE /acquirer/outcomes`.
    pub async fn clear_outcomes(&self) -> Result<(), ControlApiError> {
        self.call_empty(reqwest::Method::DELETE, "/acquirer/outcomes")
            .await
    }

    /// `GET /journal?since=&limit=&kind=`: one page.
    pub async fn journal(
        &self,
        since: Option<u64>,
        limit: Option<u64>,
        kind: Option<&str>,
    ) -> Result<Journal, ControlApiError> {
        let mut q = Vec::new();
        if let Some(s) = since {
            q.push(format!("since={s}"));
        }
        if let Some(l) = limit {
            q.push(format!("limit={l}"));
        }
        if let Some(k) = kind {
            q.push(format!("kind={k}"));
        }
        let path = if q.is_empty() {
            "/journal".to_owned()
        } else {
            format!("/journal?{}", q.join("&"))
        };
        self.call(reqwest::Method::GET, &path, None).await
    }

    /// Every journal entry (of `kind`, if given), following `next` page by page.
    pub async fn journal_all(&self, kind: Option<&str>) -> Result<Vec<Value>, ControlApiError> {
        let mut out = Vec::new();
        let mut since = None;
        loop {
            let page = self.journal(since, Some(1000), kind).await?;
            let n = page.entries.len();
            out.extend(page.entries);
            if n == 0 || since == Some(page.next) {
                return Ok(out);
            }
            since = Some(page.next);
        }
    }

    /// `DELETE /journal`.
    pub async fn clear_journal(&self) -> Result<(), ControlApiError> {
        self.call_empty(reqwest::Method::DELETE, "/journal").await
    }

    /// `GET /transactions/{id}`: state and history. 404 is `ControlApiError::Api`.
    pub async fn transaction(&self, id: &str) -> Result<TransactionRecord, ControlApiError> {
        self.call(reqwest::Method::GET, &format!("/transactions/{id}"), None)
            .await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Vec<u8>), ControlApiError> {
        let mut rb = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            rb = rb.header("X-Payrig-Control-Token", t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?.to_vec();
        if !(200..300).contains(&status) {
            let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let err = v.get("error");
            let text = |k: &str| err.and_then(|e| e.get(k)).and_then(Value::as_str);
            return Err(ControlApiError::Api {
                status,
                code: text("code")
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("http_{status}")),
                message: text("message")
                    .map(str::to_owned)
                    .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned()),
            });
        }
        Ok((status, bytes))
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, ControlApiError> {
        let (_, bytes) = self.send(method, path, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| ControlApiError::Decode {
            message: e.to_string(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    async fn call_empty(&self, method: reqwest::Method, path: &str) -> Result<(), ControlApiError> {
        self.send(method, path, None).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_appended_once() {
        assert_eq!(
            ControlClient::new("http://h:1/").base_url(),
            "http://h:1/_payrig/v1"
        );
        assert_eq!(
            ControlClient::new("http://h:1/_payrig/v1").base_url(),
            "http://h:1/_payrig/v1"
        );
    }

    #[test]
    fn records_decode() {
        let r: TransactionRecord = serde_json::from_str(
            r#"{"id":"k","protocol":"ationet","state_id":10,"state_name":"Complete",
               "history":[{"at":"2026-01-15T09:00:00.000Z","state_id":1,"state_name":"Created"}],
               "transaction":{"id":"k"}}"#,
        )
        .unwrap();
        assert_eq!(r.history[0].state_id, 1);
    }
}
