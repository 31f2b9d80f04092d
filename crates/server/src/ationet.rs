//! ATIONet HTTP endpoints (spec sections 1-5) over the world.
//!
//! Order of checks (section 5): route (404), method (405 with `Allow`), auth (401), body over
//! 64 KiB (413), a POST whose Content-Type is not JSON (415), syntax then fields (400), then key
//! and state (409 or 404). A request refused at any step changes nothing.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{to_bytes, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::Response;
use payrig_ationet::domain::{CreateKind, Problem, ProblemCode};
use payrig_ationet::wire;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::http::{is_json, respond};
use crate::journal;
use crate::state::Shared;

/// Largest body accepted (section 5).
const MAX_BODY: usize = 64 * 1024;
const JSON: &str = "application/json; charset=utf-8";
const PROBLEM: &str = "application/problem+json; charset=utf-8";

/// One routed ATIONet operation.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Create(CreateKind),
    Get(String),
    Cancel,
    Prompt,
}

impl Route {
    fn op(&self) -> &'static str {
        match self {
            Route::Create(k) => k.op(),
            Route::Get(_) => "GetTransaction",
            Route::Cancel => "Cancel",
            Route::Prompt => "PromptPreauthorizations",
        }
    }
}

/// Routing result: an operation, a known path with the wrong method, or nothing.
enum Routed {
    Op(Route),
    WrongMethod(&'static str),
    NotFound,
}

fn route(method: &Method, path: &str) -> Routed {
    // D2: paths are case-insensitive; the GetTransaction id keeps its own casing.
    let trimmed = path.trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase();
    let post = |r: Route| {
        if method == Method::POST {
            Routed::Op(r)
        } else {
            Routed::WrongMethod("POST")
        }
    };
    match lower.as_str() {
        "/api/mobilepayments" => post(Route::Create(CreateKind::MobilePayments)),
        "/api/preauthorizedpayments" => post(Route::Create(CreateKind::PreAuthorizedPayments)),
        "/api/mobilepayments/cancel" => post(Route::Cancel),
        "/api/mobilepayments/promptpreauthorizations" => post(Route::Prompt),
        _ => {
            const PREFIX: &str = "/api/mobilepayments/gettransaction/";
            if lower.starts_with(PREFIX) && lower.len() > PREFIX.len() {
                let raw = &trimmed[PREFIX.len()..];
                if raw.contains('/') {
                    return Routed::NotFound;
                }
                let id = percent_decode(raw);
                if method == Method::GET {
                    Routed::Op(Route::Get(id))
                } else {
                    Routed::WrongMethod("GET")
                }
            } else {
                Routed::NotFound
            }
        }
    }
}

/// Minimal percent-decoding of one path segment (ids are `[A-Za-z0-9._~-]`, so this only
/// matters for clients that encode needlessly).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn problem(p: &Problem) -> Response {
    let mut r = respond(p.status(), PROBLEM, wire::encode_problem(p));
    if p.code() == ProblemCode::Unauthorized {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    r
}

/// D1: `Authorization: Bearer <token>`, scheme case-insensitive, token compared exactly in
/// constant time against each configured token.
fn authorized(headers: &axum::http::HeaderMap, tokens: &[String]) -> bool {
    let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, token)) = v.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return false;
    }
    let token = token.trim().as_bytes();
    let mut ok = 0u8;
    for t in tokens {
        ok |= t.as_bytes().ct_eq(token).unwrap_u8();
    }
    ok == 1
}

/// The fallback handler: every non-control request lands here.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let conn = peer.to_string();
    let path = parts.uri.path().to_owned();
    let path_q = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let routed = route(&parts.method, &path);
    let op = match &routed {
        Routed::Op(r) => Some(r.op()),
        _ => None,
    };
    let headers = &parts.headers;

    // Checks before the body is read: route, method, auth.
    let early: Option<Response> = match &routed {
        Routed::NotFound => Some(problem(&Problem::bare(ProblemCode::NotFound))),
        Routed::WrongMethod(allow) => {
            let mut r = problem(&Problem::bare(ProblemCode::MethodNotAllowed));
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
            Some(r)
        }
        Routed::Op(r) => {
            let authorised = authorized(&parts.headers, &shared.world().config().tokens);
            if !authorised {
                Some(problem(&Problem::field(
                    "Authorization",
                    ProblemCode::Unauthorized,
                    "a valid Bearer token is required",
                )))
            } else if *r == Route::Prompt && !shared.world().config().timers.prompting {
                // D8: the extension is off, so the endpoint does not exist.
                Some(problem(&Problem::bare(ProblemCode::NotFound)))
            } else {
                None
            }
        }
    };
    if let Some(resp) = early {
        return finish(
            &shared,
            &conn,
            op,
            &parts.method,
            &path_q,
            headers,
            None,
            resp,
            None,
        )
        .await;
    }
    let Routed::Op(route) = routed else {
        return problem(&Problem::bare(ProblemCode::NotFound));
    };

    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            let resp = problem(&Problem::bare(ProblemCode::PayloadTooLarge));
            return finish(
                &shared,
                &conn,
                op,
                &parts.method,
                &path_q,
                headers,
                None,
                resp,
                None,
            )
            .await;
        }
    };
    if parts.method == Method::POST && !is_json(&parts.headers) {
        let resp = problem(&Problem::bare(ProblemCode::UnsupportedMediaType));
        return finish(
            &shared,
            &conn,
            op,
            &parts.method,
            &path_q,
            headers,
            Some(bytes.clone()),
            resp,
            None,
        )
        .await;
    }

    // Journal the request first, so the simulation entries it causes follow it.
    let now = shared.clock.now();
    let req_seq = shared.journal().push_http(journal::HttpEntry::request(
        now,
        &conn,
        "ationet",
        op,
        &parts.method,
        &path_q,
        headers,
        Some(bytes.clone()),
    ));
    let op_name = op.unwrap_or("");
    let dropped = take_fault(&shared, op_name, true);
    if let Some(h) = dropped {
        // drop_request: closed before processing; nothing changes.
        shared.journal().push(crate::tecs::fault_entry(
            now, &conn, "ationet", op_name, req_seq, &h, None, None,
        ));
        return crate::faults::aborted();
    }
    let (resp, corr) = dispatch(&shared, route, &bytes);
    let next = shared.world().next_deadline();
    shared.nudge_clock(next);
    let Some(h) = take_fault(&shared, op_name, false) else {
        return response_entry(&shared, &conn, op, req_seq, corr, resp).await;
    };
    // The request was processed and committed; the fault decides what the client sees.
    shared.journal().push(crate::tecs::fault_entry(
        shared.clock.now(),
        &conn,
        "ationet",
        op_name,
        req_seq,
        &h,
        corr.clone(),
        None,
    ));
    let (parts, body) = resp.into_parts();
    let body = to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default()
        .to_vec();
    let faulted = crate::faults::apply(&h, parts.status, &parts.headers, body).await;
    if h.action.loses_response() {
        faulted
    } else {
        response_entry(&shared, &conn, op, req_seq, corr, faulted).await
    }
}

fn take_fault(shared: &Shared, op: &str, before: bool) -> Option<crate::faults::FaultHit> {
    shared
        .faults
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take("ationet", op, None, before)
}

/// Runs one decoded operation against the world; returns the response and its correlation.
fn dispatch(shared: &Shared, route: Route, body: &[u8]) -> (Response, Option<serde_json::Value>) {
    match route {
        Route::Create(kind) => {
            let req = match wire::decode_create(kind, body) {
                Ok(r) => r,
                Err(p) => return (problem(&p), None),
            };
            let key = req.potency_key_id.clone();
            let mut w = shared.world();
            let now = shared.clock.now();
            let r = w.create(now, req);
            shared.journal_trace(&mut w);
            drop(w);
            match r {
                Ok(c) => {
                    let corr = json!({"transaction_id": c.transaction_id, "potency_key_id": key});
                    (
                        respond(200, JSON, wire::encode_create_response(&c.transaction_id)),
                        Some(corr),
                    )
                }
                Err(p) => (problem(&p), Some(json!({"potency_key_id": key}))),
            }
        }
        Route::Get(id) => {
            let mut w = shared.world();
            w.advance(shared.clock.now());
            shared.journal_trace(&mut w);
            let snap = w.get(&id);
            drop(w);
            let corr = Some(json!({"transaction_id": id}));
            match snap {
                Some(s) => (respond(200, JSON, wire::encode_transaction(&s)), corr),
                None => (
                    problem(&Problem::field(
                        "id",
                        ProblemCode::UnknownTransaction,
                        "no transaction with this id",
                    )),
                    corr,
                ),
            }
        }
        Route::Cancel => {
            let req = match wire::decode_cancel(body) {
                Ok(r) => r,
                Err(p) => return (problem(&p), None),
            };
            let mut w = shared.world();
            let code = w.cancel(shared.clock.now(), &req.transaction_id);
            let success = w.config().cancel_success_code.clone();
            shared.journal_trace(&mut w);
            drop(w);
            let body = wire::encode_cancel_response(&req.transaction_id, code, &success);
            (
                respond(200, JSON, body),
                Some(json!({"transaction_id": req.transaction_id, "cancel_code": code.code()})),
            )
        }
        Route::Prompt => {
            let req = match wire::decode_prompt(body) {
                Ok(r) => r,
                Err(p) => return (problem(&p), None),
            };
            let id = req.id_transaction.clone();
            let mut w = shared.world();
            let r = w.prompt(shared.clock.now(), req);
            shared.journal_trace(&mut w);
            drop(w);
            let corr = Some(json!({"transaction_id": id}));
            match r {
                Ok(()) => (respond(200, JSON, b"{}".to_vec()), corr),
                Err(p) => (problem(&p), corr),
            }
        }
    }
}

/// Journals a response (buffering its body) and returns it.
async fn response_entry(
    shared: &Shared,
    conn: &str,
    op: Option<&'static str>,
    reply_to: u64,
    corr: Option<serde_json::Value>,
    resp: Response,
) -> Response {
    let (parts, body) = resp.into_parts();
    // Our own bodies are small and already in memory.
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let status = parts.status.as_u16();
    shared.journal().push_http(journal::HttpEntry::response(
        shared.clock.now(),
        conn,
        "ationet",
        op,
        status,
        &parts.headers,
        bytes.clone(),
        reply_to,
        corr,
    ));
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Journals a request refused before dispatch, then its response.
#[allow(clippy::too_many_arguments)]
async fn finish(
    shared: &Shared,
    conn: &str,
    op: Option<&'static str>,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: Option<Bytes>,
    resp: Response,
    corr: Option<serde_json::Value>,
) -> Response {
    let now = shared.clock.now();
    let seq = shared.journal().push_http(journal::HttpEntry::request(
        now, conn, "ationet", op, method, path, headers, body,
    ));
    response_entry(shared, conn, op, seq, corr, resp).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_case_insensitively() {
        assert!(matches!(
            route(&Method::POST, "/API/mobilePayments"),
            Routed::Op(Route::Create(CreateKind::MobilePayments))
        ));
        assert!(matches!(
            route(&Method::GET, "/api/MobilePayments/GetTransaction/AbC-1"),
            Routed::Op(Route::Get(ref id)) if id == "AbC-1"
        ));
        assert!(matches!(
            route(&Method::GET, "/api/MobilePayments"),
            Routed::WrongMethod("POST")
        ));
        assert!(matches!(
            route(&Method::GET, "/api/nothing"),
            Routed::NotFound
        ));
        assert!(matches!(
            route(&Method::GET, "/api/MobilePayments/GetTransaction/"),
            Routed::NotFound
        ));
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_token_exact() {
        let tokens = vec!["atn-test-7f3c9a1e".to_owned()];
        let mut h = axum::http::HeaderMap::new();
        for (v, ok) in [
            ("Bearer atn-test-7f3c9a1e", true),
            ("bearer atn-test-7f3c9a1e", true),
            ("Bearer atn-test-7f3c9a1f", false),
            ("Basic atn-test-7f3c9a1e", false),
            ("atn-test-7f3c9a1e", false),
        ] {
            h.insert(header::AUTHORIZATION, HeaderValue::from_static(v));
            assert_eq!(authorized(&h, &tokens), ok, "{v}");
        }
        h.clear();
        assert!(!authorized(&h, &tokens));
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%2Db"), "a-b");
        assert_eq!(percent_decode("a%zz"), "a%zz");
        assert_eq!(percent_decode("abc%"), "abc%");
    }
}
