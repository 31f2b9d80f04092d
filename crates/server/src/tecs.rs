//! TECS Cloud-iA endpoints (tecs spec sections 1-5): `POST {base}/makeTransaction` and
//! `GET {base}/version` under both base paths (D1).
//!
//! A makeTransaction blocks, as the real terminal does, until the simulated customer and
//! acquirer have finished. Order of checks: route (404) and method (405, empty bodies, D5),
//! auth (401 `3401`, D2), body and Content-Type (400 `3001`), fields (400 `3001`/`3005`),
//! credential scope (401 `3401`), then the terminal (3004, 3003, 3002, 504 `9001`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::Response;
use base64::Engine as _;
use payrig_core::journal::{Dir, EntryKind, JournalEntry};
use payrig_tecs::wire::{decode_request, format_date_time, TransactionResponse, VersionResponse};
use payrig_tecs::ResponseCode;
use payrig_world::tecs::{Credentials, Submitted};
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::faults;
use crate::http::{is_json, respond};
use crate::journal;
use crate::state::Shared;

const JSON: &str = "application/json; charset=utf-8";
const MAX_BODY: usize = 64 * 1024;

/// Who the caller is, once authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Caller {
    /// An authKey or Bearer token: every terminal.
    Any,
    /// A Basic user, limited to these terminals (empty = all).
    Scoped(Vec<String>),
}

fn eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).unwrap_u8() == 1
}

/// D2: `Bearer <token>`, `Basic base64(user:password)`, or a bare authKey.
fn authenticate(h: &HeaderMap, c: &Credentials) -> Option<Caller> {
    let v = h.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        let t = rest.trim();
        return c
            .bearer_tokens
            .iter()
            .any(|k| eq(k, t))
            .then_some(Caller::Any);
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (user, password) = text.split_once(':')?;
        return c
            .basic
            .iter()
            .find(|u| eq(&u.user, user) && eq(&u.password, password))
            .map(|u| Caller::Scoped(u.terminals.clone()));
    }
    c.auth_keys.iter().any(|k| eq(k, v)).then_some(Caller::Any)
}

fn tx_response(status: u16, r: &TransactionResponse) -> Response {
    respond(status, JSON, r.encode())
}

fn refusal(
    code: ResponseCode,
    text: &str,
    req: Option<&payrig_tecs::wire::TransactionRequest>,
    now: payrig_core::Timestamp,
) -> Response {
    let r = TransactionResponse::refusal(code, text, req, &format_date_time(now, 0));
    let mut resp = tx_response(code.http_status(), &r);
    if code == ResponseCode::Unauthorised {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"tecsclientrest\""),
        );
    }
    resp
}

/// `GET {base}/version` (D3: no authentication).
pub(crate) async fn version(State(s): State<Arc<Shared>>) -> Response {
    let cfg = s.tecs().config().clone();
    let v = VersionResponse {
        version: cfg.version,
        build_date: cfg.build_date,
        ..VersionResponse::default()
    };
    respond(200, JSON, v.encode())
}

/// Unknown TECS paths and methods: empty bodies (D5).
pub(crate) async fn not_found() -> Response {
    respond(404, JSON, Vec::new())
}

/// `POST {base}/makeTransaction`.
pub(crate) async fn make_transaction(
    State(s): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let conn = peer.to_string();
    let path = parts.uri.path().to_owned();
    let now = s.clock.now();
    if parts.method != Method::POST {
        let mut r = respond(405, JSON, Vec::new());
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let caller = authenticate(&parts.headers, &s.tecs().config().credentials);
    let bytes = to_bytes(body, MAX_BODY).await;
    let body_bytes: Option<Bytes> = bytes.as_ref().ok().cloned();
    let req_seq = s.journal().push_http(journal::HttpEntry::request(
        now,
        &conn,
        "tecs",
        Some("makeTransaction"),
        &parts.method,
        &path,
        &parts.headers,
        body_bytes.clone(),
    ));
    let finish = |resp: Response, corr: Option<serde_json::Value>| {
        let s = s.clone();
        let conn = conn.clone();
        async move { journal_response(&s, &conn, req_seq, corr, resp).await }
    };
    // TEC-S-002: anything but a configured credential is 401, recording nothing.
    let Some(caller) = caller else {
        return finish(
            refusal(
                ResponseCode::Unauthorised,
                ResponseCode::Unauthorised.text(),
                None,
                now,
            ),
            None,
        )
        .await;
    };
    let Some(bytes) = body_bytes else {
        let text = ResponseCode::text_for_field("body");
        return finish(refusal(ResponseCode::InvalidField, &text, None, now), None).await;
    };
    if !is_json(&parts.headers) {
        let text = ResponseCode::text_for_field("Content-Type");
        return finish(refusal(ResponseCode::InvalidField, &text, None, now), None).await;
    }
    let request = match decode_request(&bytes) {
        Ok(r) => r,
        Err((problem, wire)) => {
            // TEC-S-003 / TEC-S-021
            let r = TransactionResponse::for_problem(
                &problem,
                wire.as_ref(),
                &format_date_time(now, 0),
            );
            return finish(tx_response(problem.http_status(), &r), None).await;
        }
    };
    let terminal = request.terminal_number.clone();
    let tx_id = request.transaction_id.clone();
    let corr = Some(json!({"transaction_id": tx_id, "terminal": terminal}));
    // TEC-S-022: a terminal outside the credential's scope is 401.
    if let Caller::Scoped(list) = &caller {
        if !list.is_empty() && !list.contains(&terminal) {
            return finish(
                refusal(
                    ResponseCode::Unauthorised,
                    ResponseCode::Unauthorised.text(),
                    Some(&request.wire),
                    now,
                ),
                corr,
            )
            .await;
        }
    }
    let dropped = s.faults.lock().unwrap_or_else(|p| p.into_inner()).take(
        "tecs",
        "makeTransaction",
        Some(&terminal),
        true,
    );
    if let Some(h) = dropped {
        // drop_request: closed before processing; nothing changes.
        s.journal().push(fault_entry(
            now,
            &conn,
            "tecs",
            "makeTransaction",
            req_seq,
            &h,
            corr,
            None,
        ));
        return faults::aborted();
    }
    let (rx, req_id) = match submit(&s, request) {
        Ok(pending) => pending,
        Err(resp) => return finish(*resp, corr).await,
    };
    // Blocks until the terminal answers. If the ECR goes away meanwhile this future is dropped,
    // the answer finds no waiter, and the world marks it undelivered (T9, TEC-S-018).
    let answer = rx.await;
    let now = s.clock.now();
    let Ok(answer) = answer else {
        // The world was reset under this call.
        return finish(
            refusal(
                ResponseCode::TerminalNotReachable,
                ResponseCode::TerminalNotReachable.text(),
                None,
                now,
            ),
            corr,
        )
        .await;
    };
    let hit = s.faults.lock().unwrap_or_else(|p| p.into_inner()).take(
        "tecs",
        "makeTransaction",
        Some(&terminal),
        false,
    );
    report_fate(
        &s,
        &conn,
        req_seq,
        req_id,
        hit.as_ref(),
        &answer,
        corr.clone(),
    );
    match hit {
        None => finish(respond(answer.status, JSON, answer.body), corr).await,
        // The ECR gets nothing usable: no response entry, the fault entry says why.
        Some(h) if h.action.loses_response() => {
            let headers = HeaderMap::new();
            let st = axum::http::StatusCode::from_u16(answer.status)
                .unwrap_or(axum::http::StatusCode::OK);
            faults::apply(&h, st, &headers, answer.body).await
        }
        Some(h) => {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
            let st = axum::http::StatusCode::from_u16(answer.status)
                .unwrap_or(axum::http::StatusCode::OK);
            let r = faults::apply(&h, st, &headers, answer.body).await;
            finish(r, corr).await
        }
    }
}

/// Reports the exchange's fate to the terminal (written, or undelivered when a fault takes the
/// answer away: T9, TEC-S-018) and journals the fault.
fn report_fate(
    s: &Shared,
    conn: &str,
    req_seq: u64,
    req_id: u64,
    hit: Option<&faults::FaultHit>,
    answer: &payrig_world::tecs::TecsResponse,
    corr: Option<serde_json::Value>,
) {
    let now = s.clock.now();
    let mut w = s.tecs();
    if hit.is_some_and(|h| h.action.loses_response()) {
        w.response_undelivered(now, req_id);
    } else {
        w.response_written(now, req_id);
    }
    if let Some(h) = hit {
        s.journal().push(fault_entry(
            now,
            conn,
            "tecs",
            "makeTransaction",
            req_seq,
            h,
            corr,
            Some(&answer.code),
        ));
    }
    s.tecs_settle(&mut w, now);
    let next = w.next_deadline();
    drop(w);
    s.nudge_clock(next);
}

/// A `fault_applied` journal entry.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fault_entry(
    now: payrig_core::Timestamp,
    conn: &str,
    protocol: &str,
    op: &str,
    reply_to: u64,
    h: &faults::FaultHit,
    corr: Option<serde_json::Value>,
    response_code: Option<&str>,
) -> JournalEntry {
    JournalEntry {
        seq: 0,
        at: now.to_rfc3339_ms(),
        conn: Some(conn.to_owned()),
        dir: Dir::Out,
        kind: EntryKind::FaultApplied,
        protocol: Some(protocol.to_owned()),
        op: Some(op.to_owned()),
        corr,
        http: None,
        data: Some(json!({
            "rule": h.id,
            "kind": h.action.kind(),
            "wait_ms": h.wait.map(|w| w.as_millis() as u64),
            "response_code": response_code,
        })),
        reply_to: Some(reply_to),
        fault: Some(h.action.kind().to_owned()),
        requirements: if protocol == "tecs" && h.action.loses_response() {
            vec!["TEC-S-018".to_owned()]
        } else {
            Vec::new()
        },
    }
}

async fn journal_response(
    s: &Shared,
    conn: &str,
    reply_to: u64,
    corr: Option<serde_json::Value>,
    resp: Response,
) -> Response {
    let (parts, body) = resp.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    s.journal().push_http(journal::HttpEntry::response(
        s.clock.now(),
        conn,
        "tecs",
        Some("makeTransaction"),
        parts.status.as_u16(),
        &parts.headers,
        bytes.clone(),
        reply_to,
        corr,
    ));
    Response::from_parts(parts, Body::from(bytes))
}

/// Submits under the TECS lock; `Err` is an immediate answer (busy, duplicate, unreachable).
#[allow(clippy::type_complexity)]
fn submit(
    s: &Shared,
    request: payrig_tecs::Request,
) -> Result<
    (
        tokio::sync::oneshot::Receiver<payrig_world::tecs::TecsResponse>,
        u64,
    ),
    Box<Response>,
> {
    let mut w = s.tecs();
    let now = s.clock.now();
    match w.submit(now, request) {
        Submitted::Now { status, body, .. } => {
            s.journal_tecs_trace(&mut w);
            Err(Box::new(respond(status, JSON, body)))
        }
        Submitted::Pending(id) => {
            let rx = s.tecs_wait(id);
            // An instant sale is already answered (the world ran what was due at once): it is
            // handed over here, without a round trip through the clock task.
            s.tecs_settle(&mut w, now);
            let next = w.next_deadline();
            drop(w);
            s.nudge_clock(next);
            Ok((rx, id))
        }
        _ => Err(Box::new(refusal(
            ResponseCode::TerminalNotReachable,
            ResponseCode::TerminalNotReachable.text(),
            None,
            now,
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payrig_world::tecs::BasicUser;

    fn creds() -> Credentials {
        Credentials {
            auth_keys: vec!["key-1".into()],
            bearer_tokens: vec!["tok".into()],
            basic: vec![BasicUser {
                user: "ecr88091105".into(),
                password: "Tecs-Test-Pass1".into(),
                terminals: vec!["88091105".into()],
            }],
        }
    }

    fn h(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn three_auth_forms() {
        let c = creds();
        assert_eq!(authenticate(&h("key-1"), &c), Some(Caller::Any));
        assert_eq!(authenticate(&h("Bearer tok"), &c), Some(Caller::Any));
        assert_eq!(authenticate(&h("bearer tok"), &c), Some(Caller::Any));
        // The spec's worked example.
        assert_eq!(
            authenticate(&h("Basic ZWNyODgwOTExMDU6VGVjcy1UZXN0LVBhc3Mx"), &c),
            Some(Caller::Scoped(vec!["88091105".into()]))
        );
        assert_eq!(authenticate(&h("Bearer nope"), &c), None);
        assert_eq!(authenticate(&h("Basic !!!"), &c), None);
        assert_eq!(authenticate(&h("key-2"), &c), None);
        assert_eq!(authenticate(&HeaderMap::new(), &c), None);
    }
}
