//! The typed ATIONet client (spec section 3).

use payrig_ationet::wire::{
    CancelRequestWire, CancelResponse, CreateResponse, GetTransactionResponse,
    MobilePaymentsRequest, PreAuthorizedPaymentsRequest, ProblemBody, PromptRequestWire,
};
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::ClientError;

/// An answer exactly as it came back, for [`AtionetClient::raw`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// The HTTP status.
    pub status: u16,
    /// Headers in arrival order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as an RFC 7807 problem, if it is one.
    pub fn problem(&self) -> Option<ProblemBody> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A client of one ATIONet server (payrig's reference server or a vendor's).
///
/// Cheap to clone: clones share the connection pool.
#[derive(Debug, Clone)]
pub struct AtionetClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl AtionetClient {
    /// A client of `base_url` (`http://127.0.0.1:8080`, no trailing path) sending
    /// `Authorization: Bearer <token>` on every request (ATN-C-001).
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> AtionetClient {
        AtionetClient::with_http(reqwest::Client::new(), base_url, Some(token.into()))
    }

    /// A client over a caller-built `reqwest::Client`; `token: None` sends no `Authorization`.
    pub fn with_http(
        http: reqwest::Client,
        base_url: impl Into<String>,
        token: Option<String>,
    ) -> AtionetClient {
        let base = base_url.into().trim_end_matches('/').to_owned();
        AtionetClient { http, base, token }
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `POST /api/MobilePayments` (3.1): ATIONet authorizes the card.
    pub async fn mobile_payments(
        &self,
        req: &MobilePaymentsRequest,
    ) -> Result<CreateResponse, ClientError> {
        self.post_json("/api/MobilePayments", req.encode()).await
    }

    /// `POST /api/PreAuthorizedPayments` (3.2): an external PFEP authorized beforehand.
    pub async fn preauthorized_payments(
        &self,
        req: &PreAuthorizedPaymentsRequest,
    ) -> Result<CreateResponse, ClientError> {
        self.post_json("/api/PreAuthorizedPayments", req.encode())
            .await
    }

    /// `GET /api/MobilePayments/GetTransaction/{id}` (3.3). An unknown id is
    /// [`ClientError::Status`] 404 `unknown_transaction`.
    pub async fn get_transaction(&self, id: &str) -> Result<GetTransactionResponse, ClientError> {
        let path = format!("/api/MobilePayments/GetTransaction/{}", encode_segment(id));
        let resp = self.raw("GET", &path, &[], None).await?;
        decode(resp)
    }

    /// `POST /api/MobilePayments/Cancel` (3.4). Every valid body gets 200; the outcome is in
    /// `isSuccessCanceled` and `responseCode`.
    pub async fn cancel(&self, transaction_id: &str) -> Result<CancelResponse, ClientError> {
        let body = CancelRequestWire {
            transaction_id: transaction_id.to_owned(),
        }
        .encode();
        self.post_json("/api/MobilePayments/Cancel", body).await
    }

    /// `POST /api/MobilePayments/PromptPreauthorizations` (3.5, extension): answers the
    /// prompts of a transaction in state 25. The success body is `{}`.
    pub async fn prompt_preauthorizations(
        &self,
        req: &PromptRequestWire,
    ) -> Result<(), ClientError> {
        let resp = self
            .raw(
                "POST",
                "/api/MobilePayments/PromptPreauthorizations",
                &[("Content-Type".to_owned(), "application/json".to_owned())],
                Some(req.encode()),
            )
            .await?;
        let _: serde_json::Value = decode(resp)?;
        Ok(())
    }

    /// Sends any request, for bad-input scenarios: `path` is appended to the base URL as
    /// given; `headers` are added as given (an `Authorization` header here replaces the
    /// client's token). Returns whatever came back, any status; only transport failures and
    /// invalid method or header names are errors.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
    ) -> Result<RawResponse, ClientError> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| ClientError::Method(method.to_owned()))?;
        let url = format!("{}{}", self.base, path);
        let mut rb = self.http.request(method, url);
        let overrides_auth = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(AUTHORIZATION.as_str()));
        if let (Some(token), false) = (&self.token, overrides_auth) {
            rb = rb.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        for (k, v) in headers {
            let name =
                HeaderName::from_bytes(k.as_bytes()).map_err(|_| ClientError::Header(k.clone()))?;
            let value =
                HeaderValue::from_str(v).map_err(|_| ClientError::Header(format!("{k}: {v}")))?;
            rb = rb.header(name, value);
        }
        if let Some(b) = body {
            rb = rb.body(b);
        }
        let resp = rb.send().await?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp.bytes().await?.to_vec();
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    async fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Vec<u8>,
    ) -> Result<T, ClientError> {
        let resp = self
            .raw(
                "POST",
                path,
                &[(
                    CONTENT_TYPE.as_str().to_owned(),
                    "application/json".to_owned(),
                )],
                Some(body),
            )
            .await?;
        decode(resp)
    }
}

/// Percent-encodes what cannot stand in a path segment.
fn encode_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode<T: DeserializeOwned>(resp: RawResponse) -> Result<T, ClientError> {
    if !(200..300).contains(&resp.status) {
        return Err(ClientError::Status {
            status: resp.status,
            problem: resp.problem().map(Box::new),
            body: resp.text(),
        });
    }
    serde_json::from_slice(&resp.body).map_err(|e| ClientError::Decode {
        status: resp.status,
        message: e.to_string(),
        body: resp.text(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("5734cbb9-f78f.x_~"), "5734cbb9-f78f.x_~");
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
    }

    #[test]
    fn base_url_loses_its_trailing_slash() {
        let c = AtionetClient::new("http://127.0.0.1:1/", "t");
        assert_eq!(c.base_url(), "http://127.0.0.1:1");
    }

    #[test]
    fn non_2xx_is_a_status_error_with_the_problem() {
        let resp = RawResponse {
            status: 400,
            headers: vec![],
            body: br#"{"type":"t","title":"x","status":400,"code":"invalid_value","errors":{"amount":["must be greater than 0"]}}"#.to_vec(),
        };
        let err = decode::<CreateResponse>(resp).unwrap_err();
        assert_eq!(err.status(), Some(400));
        assert_eq!(
            err.problem().map(|p| p.code.as_str()),
            Some("invalid_value")
        );
        assert_eq!(err.to_string(), "HTTP 400 invalid_value [amount]");
    }
}
