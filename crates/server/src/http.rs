//! Router assembly and small HTTP helpers shared by the protocol and control modules.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use tower_http::compression::CompressionLayer;

use axum::routing::{any, get};

use crate::state::Shared;
use crate::{ationet, control, tecs};

/// Every route of one server: the control API (when on) and the protocols behind a fallback,
/// since ATIONet paths are case-insensitive (D2) and axum routes are not.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut r = Router::new();
    if shared.cfg.control {
        r = r.nest("/_payrig/v1", control::router());
    }
    // D1: both TECS base paths serve the same operations.
    for base in ["/tecsclientrest", "/tecsclientrest-auth"] {
        r = r
            .route(
                &format!("{base}/makeTransaction"),
                any(tecs::make_transaction),
            )
            .route(&format!("{base}/version"), get(tecs::version))
            .route(&format!("{base}/{{*rest}}"), any(tecs::not_found));
    }
    r.fallback(ationet::handle)
        .with_state(shared)
        // D18: gzip only when the client's Accept-Encoding allows it.
        .layer(CompressionLayer::new().gzip(true))
}

/// A response with a body and content type.
pub(crate) fn respond(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// Header pairs for the journal: names lower-case, credentials masked.
pub(crate) fn journal_headers(h: &HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            let name = k.as_str().to_owned();
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            let value = crate::journal::mask_owned(&name, value);
            (name, value)
        })
        .collect()
}

/// True when a Content-Type names JSON (`application/json`, `…+json`, with parameters).
pub(crate) fn is_json(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let essence = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"))
        })
        .unwrap_or(false)
}
