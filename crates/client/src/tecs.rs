//! The typed TECS Cloud-iA client (tecs spec sections 2-3) and the TECS part of payrig's
//! control API (readers, terminals, acquirer records, wire faults).
//!
//! `makeTransaction` blocks until the terminal is done (a customer presented a card, the
//! acquirer answered), so a call against payrig's reference server on a virtual clock returns
//! only once something advances the clock ([`TecsControl::advance_until_idle`] from another
//! task). Every status (200, 400, 401, 504) carries a `TransactionResponse`, so
//! [`TecsClient::make_transaction`] returns it for all of them in a [`TecsAnswer`].

use base64::Engine as _;
use payrig_tecs::wire::{TransactionRequest, TransactionResponse, VersionResponse};
use serde_json::{json, Value};

use crate::ationet::RawResponse;
use crate::error::{ClientError, ControlApiError};

/// The `[REF]` base path.
pub const BASE_PATH: &str = "/tecsclientrest";
/// The `[OAS]` base path.
pub const AUTH_BASE_PATH: &str = "/tecsclientrest-auth";

/// The `Authorization` form to send (spec section 2, D2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TecsAuth {
    /// `Authorization: <authKey>` (no scheme word).
    AuthKey(String),
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Authorization: Basic base64(user:password)`.
    Basic {
        /// PAM user.
        user: String,
        /// Password.
        password: String,
    },
    /// No `Authorization` header.
    None,
}

impl TecsAuth {
    /// The header value, if any.
    pub fn header_value(&self) -> Option<String> {
        match self {
            TecsAuth::AuthKey(k) => Some(k.clone()),
            TecsAuth::Bearer(t) => Some(format!("Bearer {t}")),
            TecsAuth::Basic { user, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            )),
            TecsAuth::None => None,
        }
    }
}

/// A `makeTransaction` answer: HTTP status, the decoded TransactionResponse and the exact
/// bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TecsAnswer {
    /// HTTP status (200, 400, 401, 504).
    pub status: u16,
    /// The decoded body.
    pub response: TransactionResponse,
    /// The answer as it came.
    pub raw: RawResponse,
}

/// A client of one TECS `tecsclientrest` server (payrig's reference server or a vendor's).
///
/// Cheap to clone: clones share the connection pool.
#[derive(Debug, Clone)]
pub struct TecsClient {
    http: reqwest::Client,
    base: String,
    base_path: String,
    auth: TecsAuth,
}

impl TecsClient {
    /// A client of `base_url` (`http://127.0.0.1:8080`) under [`BASE_PATH`], sending `auth`.
    pub fn new(base_url: impl Into<String>, auth: TecsAuth) -> TecsClient {
        TecsClient::with_http(reqwest::Client::new(), base_url, BASE_PATH, auth)
    }

    /// A client over a caller-built `reqwest::Client` and base path (`/tecsclientrest-auth`).
    pub fn with_http(
        http: reqwest::Client,
        base_url: impl Into<String>,
        base_path: &str,
        auth: TecsAuth,
    ) -> TecsClient {
        TecsClient {
            http,
            base: base_url.into().trim_end_matches('/').to_owned(),
            base_path: base_path.trim_end_matches('/').to_owned(),
            auth,
        }
    }

    /// The same client under another base path.
    pub fn with_base_path(&self, base_path: &str) -> TecsClient {
        TecsClient {
            base_path: base_path.trim_end_matches('/').to_owned(),
            ..self.clone()
        }
    }

    /// The same client with other credentials.
    pub fn with_auth(&self, auth: TecsAuth) -> TecsClient {
        TecsClient {
            auth,
            ..self.clone()
        }
    }

    /// The server URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The base path (`/tecsclientrest`).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// `POST {base}/makeTransaction` with `req` as JSON. Any status with a TransactionResponse
    /// body is an answer; a body that does not decode is [`ClientError::Decode`].
    pub async fn make_transaction(
        &self,
        req: &TransactionRequest,
    ) -> Result<TecsAnswer, ClientError> {
        let body = serde_json::to_vec(req).map_err(|e| ClientError::Decode {
            status: 0,
            message: e.to_string(),
            body: String::new(),
        })?;
        self.make_transaction_bytes(body).await
    }

    /// `POST {base}/makeTransaction` with a body given as bytes (kept exactly).
    pub async fn make_transaction_bytes(&self, body: Vec<u8>) -> Result<TecsAnswer, ClientError> {
        let path = format!("{}/makeTransaction", self.base_path);
        let raw = self
            .raw(
                "POST",
                &path,
                &[("Content-Type".to_owned(), "application/json".to_owned())],
                Some(body),
            )
            .await?;
        let response: TransactionResponse =
            serde_json::from_slice(&raw.body).map_err(|e| ClientError::Decode {
                status: raw.status,
                message: e.to_string(),
                body: raw.text(),
            })?;
        Ok(TecsAnswer {
            status: raw.status,
            response,
            raw,
        })
    }

    /// `GET {base}/version` (no authentication, D3).
    pub async fn version(&self) -> Result<VersionResponse, ClientError> {
        let path = format!("{}/version", self.base_path);
        let raw = self.raw("GET", &path, &[], None).await?;
        if !(200..300).contains(&raw.status) {
            return Err(ClientError::Status {
                status: raw.status,
                problem: None,
                body: raw.text(),
            });
        }
        serde_json::from_slice(&raw.body).map_err(|e| ClientError::Decode {
            status: raw.status,
            message: e.to_string(),
            body: raw.text(),
        })
    }

    /// Sends any request: `path` is appended to the server URL as given (include the base
    /// path); `headers` are added as given, and an `Authorization` among them replaces the
    /// client's. Any status is returned.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
    ) -> Result<RawResponse, ClientError> {
        let overrides = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
        let mut all: Vec<(String, String)> = Vec::new();
        if let (Some(v), false) = (self.auth.header_value(), overrides) {
            all.push(("Authorization".to_owned(), v));
        }
        all.extend(headers.iter().cloned());
        let client = crate::AtionetClient::with_http(self.http.clone(), self.base.clone(), None);
        client.raw(method, path, &all, body).await
    }
}

/// The TECS endpoints of payrig's control API (`/_payrig/v1`): readers and their customers,
/// terminals, acquirer outcomes and records, wire faults, the clock.
#[derive(Debug, Clone)]
pub struct TecsControl {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl TecsControl {
    /// A client of the control API at `control_url` (the server URL; `/_payrig/v1` is
    /// appended unless present).
    pub fn new(control_url: impl Into<String>) -> TecsControl {
        let mut base = control_url.into().trim_end_matches('/').to_owned();
        if !base.ends_with("/_payrig/v1") {
            base.push_str("/_payrig/v1");
        }
        TecsControl {
            http: reqwest::Client::new(),
            base,
            token: None,
        }
    }

    /// With `X-Payrig-Control-Token`.
    pub fn with_token(mut self, token: Option<String>) -> TecsControl {
        self.token = token;
        self
    }

    /// Any control call; a non-2xx answer is [`ControlApiError::Api`].
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ControlApiError> {
        let mut rb = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            rb = rb.header("X-Payrig-Control-Token", t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await?;
        let status = resp.status().as_u16();
        let text = resp.text().await?;
        let v: Value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|e| ControlApiError::Decode {
                message: e.to_string(),
                body: text.clone(),
            })?
        };
        if !(200..300).contains(&status) {
            let e = &v["error"];
            return Err(ControlApiError::Api {
                status,
                code: e["code"]
                    .as_str()
                    .map_or_else(|| format!("http_{status}"), str::to_owned),
                message: e["message"].as_str().unwrap_or(&text).to_owned(),
            });
        }
        Ok(v)
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, ControlApiError> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// `POST /readers/{terminal}/present`: `{"card","entry","after_ms","pin","tip","remove",
    /// "abort_at"}`; presents now if the reader waits for a card, else scripts the next session.
    pub async fn present(&self, terminal: &str, body: Value) -> Result<Value, ControlApiError> {
        self.post(&format!("/readers/{terminal}/present"), body)
            .await
    }

    /// `POST /readers/{terminal}/customer` with an action (`abort`, `remove_card`,
    /// `never_present`, `script` with `customer`).
    pub async fn customer(
        &self,
        terminal: &str,
        action: &str,
        customer: Option<Value>,
    ) -> Result<Value, ControlApiError> {
        let mut b = json!({ "action": action });
        if let Some(c) = customer {
            b["customer"] = c;
        }
        self.post(&format!("/readers/{terminal}/customer"), b).await
    }

    /// `POST /devices/reader/{terminal}/faults` (`{"kind":"read_failure","count":N}`).
    pub async fn reader_fault(
        &self,
        terminal: &str,
        fault: Value,
    ) -> Result<Value, ControlApiError> {
        self.post(&format!("/devices/reader/{terminal}/faults"), fault)
            .await
    }

    /// `POST /terminals/{terminal}/reachable`.
    pub async fn set_reachable(
        &self,
        terminal: &str,
        reachable: bool,
    ) -> Result<Value, ControlApiError> {
        self.post(
            &format!("/terminals/{terminal}/reachable"),
            json!({ "reachable": reachable }),
        )
        .await
    }

    /// `GET /terminals/{terminal}`: state, reachability and the transaction records.
    pub async fn terminal(&self, terminal: &str) -> Result<Value, ControlApiError> {
        self.call(
            reqwest::Method::GET,
            &format!("/terminals/{terminal}"),
            None,
        )
        .await
    }

    /// `GET /acquirer/records?terminal=`.
    pub async fn acquirer_records(
        &self,
        terminal: Option<&str>,
    ) -> Result<Vec<Value>, ControlApiError> {
        let path = match terminal {
            Some(t) => format!("/acquirer/records?terminal={t}"),
            None => "/acquirer/records".to_owned(),
        };
        let v = self.call(reqwest::Method::GET, &path, None).await?;
        Ok(v["records"].as_array().cloned().unwrap_or_default())
    }

    /// `POST /acquirer/outcomes` for the TECS acquirer (`"protocol":"tecs"` is added).
    pub async fn add_outcome(&self, mut rule: Value) -> Result<Value, ControlApiError> {
        if let Some(m) = rule.as_object_mut() {
            m.insert("protocol".to_owned(), json!("tecs"));
        }
        self.post("/acquirer/outcomes", rule).await
    }

    /// `POST /faults`: a wire fault rule.
    pub async fn add_fault(&self, rule: Value) -> Result<Value, ControlApiError> {
        self.post("/faults", rule).await
    }

    /// `GET /transactions/{id}`: the TECS record (`{"id","protocol","record"}`).
    pub async fn transaction(&self, id: &str) -> Result<Value, ControlApiError> {
        self.call(reqwest::Method::GET, &format!("/transactions/{id}"), None)
            .await
    }

    /// `GET /clock`.
    pub async fn clock(&self) -> Result<Value, ControlApiError> {
        self.call(reqwest::Method::GET, "/clock", None).await
    }

    /// `POST /clock/advance {"by_ms"}`.
    pub async fn advance_by_ms(&self, ms: u64) -> Result<Value, ControlApiError> {
        self.post("/clock/advance", json!({ "by_ms": ms })).await
    }

    /// `POST /clock/advance {"until_idle":true,"max_ms"}`.
    pub async fn advance_until_idle(&self, max_ms: u64) -> Result<Value, ControlApiError> {
        self.post(
            "/clock/advance",
            json!({ "until_idle": true, "max_ms": max_ms }),
        )
        .await
    }

    /// `GET /journal?kind=` (every entry).
    pub async fn journal(&self, kind: Option<&str>) -> Result<Vec<Value>, ControlApiError> {
        let path = match kind {
            Some(k) => format!("/journal?kind={k}"),
            None => "/journal".to_owned(),
        };
        let v = self.call(reqwest::Method::GET, &path, None).await?;
        Ok(v["entries"].as_array().cloned().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_headers() {
        // The spec's worked example (section 2).
        let b = TecsAuth::Basic {
            user: "ecr88091105".into(),
            password: "Tecs-Test-Pass1".into(),
        };
        assert_eq!(
            b.header_value().as_deref(),
            Some("Basic ZWNyODgwOTExMDU6VGVjcy1UZXN0LVBhc3Mx")
        );
        let rfc = TecsAuth::Basic {
            user: "Aladdin".into(),
            password: "open sesame".into(),
        };
        assert_eq!(
            rfc.header_value().as_deref(),
            Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        );
        assert_eq!(
            TecsAuth::AuthKey("k".into()).header_value().as_deref(),
            Some("k")
        );
        assert_eq!(
            TecsAuth::Bearer("t".into()).header_value().as_deref(),
            Some("Bearer t")
        );
        assert_eq!(TecsAuth::None.header_value(), None);
    }

    #[test]
    fn control_prefix() {
        assert_eq!(
            TecsControl::new("http://h:1/").base,
            "http://h:1/_payrig/v1"
        );
    }
}
