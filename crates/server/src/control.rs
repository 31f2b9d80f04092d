//! The `/_payrig/v1` control API (conformance spec section 3): reset, clock, pumps, sites,
//! PFEP outcomes, journal, transactions. Errors are `{"error":{"code","message"}}`.

// Handlers bail out with a finished `Response`; these paths are control-plane, not hot, so the
// size of the error variant does not matter.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use payrig_core::{Duration, Timestamp};
use payrig_world::ationet::{AtionetConfig, AtionetWorld, PfepOverride, PumpCondition, PumpStatus};
use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use crate::clock::ClockMode;
use crate::http::respond;
use crate::journal::Journal;
use crate::state::Shared;

const JSON: &str = "application/json";

type S = State<Arc<Shared>>;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance))
        .route("/pumps/{fp}", get(pump_get))
        .route("/pumps/{fp}/nozzle", post(pump_nozzle))
        .route("/devices/pump/{fp}/faults", post(pump_fault))
        .route("/sites/{code}/session", post(site_session))
        .route(
            "/acquirer/outcomes",
            post(outcome_add).delete(outcome_clear),
        )
        .route("/acquirer/outcomes/{id}", delete(outcome_delete))
        .route("/journal", get(journal_get).delete(journal_clear))
        .route("/transactions/{id}", get(transaction))
        .fallback(not_found)
}

fn ok(status: u16, v: Value) -> Response {
    respond(status, JSON, v.to_string().into_bytes())
}

fn err(status: u16, code: &str, message: impl Into<String>) -> Response {
    ok(
        status,
        json!({"error": {"code": code, "message": message.into()}}),
    )
}

async fn not_found() -> Response {
    err(404, "not_found", "no such control endpoint")
}

/// With `--control-token`, every control call must carry it (constant-time compare).
fn guard(shared: &Shared, h: &HeaderMap) -> Result<(), Response> {
    let Some(want) = &shared.cfg.control_token else {
        return Ok(());
    };
    let got = h
        .get("x-payrig-control-token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if got.ct_eq(want.as_bytes()).unwrap_u8() == 1 {
        Ok(())
    } else {
        Err(err(
            401,
            "unauthorized",
            "X-Payrig-Control-Token missing or wrong",
        ))
    }
}

/// Parses an optional JSON body; an empty body is `{}`.
fn body<T: for<'de> Deserialize<'de> + Default>(b: &Bytes) -> Result<T, Response> {
    if b.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(b).map_err(|e| err(400, "bad_request", format!("invalid body: {e}")))
}

macro_rules! guarded {
    ($shared:expr, $h:expr) => {
        if let Err(r) = guard(&$shared, &$h) {
            return r;
        }
    };
}

fn mode_name(m: ClockMode) -> &'static str {
    match m {
        ClockMode::Virtual => "virtual",
        _ => "real",
    }
}

async fn health(State(s): S, h: HeaderMap) -> Response {
    guarded!(s, h);
    ok(
        200,
        json!({
            "payrig": env!("CARGO_PKG_VERSION"),
            "protocol": "ationet",
            "protocols": ["ationet"],
            "clock": mode_name(s.clock.mode()),
            "now": s.clock.now().to_rfc3339_ms(),
            "seed": s.seed(),
        }),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    seed: Option<u64>,
    scenario_toml: Option<String>,
    scenario: Option<String>,
}

async fn reset(State(s): S, h: HeaderMap, b: Bytes) -> Response {
    guarded!(s, h);
    let b: ResetBody = match body(&b) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Some(name) = b.scenario {
        return err(
            400,
            "unknown_scenario",
            format!("no built-in scenario named `{name}`; send scenario_toml instead"),
        );
    }
    let cfg = match &b.scenario_toml {
        Some(t) => match AtionetConfig::from_toml(t) {
            Ok(c) => c,
            Err(e) => return err(400, "invalid_scenario", e.to_string()),
        },
        None => s.cfg.ationet.clone(),
    };
    let seed = b.seed.unwrap_or(s.cfg.seed);
    if s.clock.mode() == ClockMode::Virtual {
        s.clock.restart_virtual();
    }
    let now = s.clock.now();
    s.set_seed(seed);
    s.replace_world(AtionetWorld::new(cfg, seed, now, true));
    ok(200, json!({"now": now.to_rfc3339_ms(), "seed": seed}))
}

async fn clock(State(s): S, h: HeaderMap) -> Response {
    guarded!(s, h);
    let next = s.world().next_deadline().map(Timestamp::to_rfc3339_ms);
    ok(
        200,
        json!({"mode": mode_name(s.clock.mode()), "now": s.clock.now().to_rfc3339_ms(), "next_deadline": next}),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    by_ms: Option<u64>,
    to: Option<String>,
    until_idle: Option<bool>,
    max_ms: Option<u64>,
}

async fn advance(State(s): S, h: HeaderMap, b: Bytes) -> Response {
    guarded!(s, h);
    if s.clock.mode() != ClockMode::Virtual {
        return err(
            409,
            "clock_not_virtual",
            "the server runs on the wall clock",
        );
    }
    let b: AdvanceBody = match body(&b) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let start = s.clock.now();
    let mut w = s.world();
    let mut fired = Vec::new();
    let collect = |w: &mut AtionetWorld, fired: &mut Vec<Value>| {
        for e in w.drain_trace() {
            if e.kind == "timer" || e.kind == "pump_timer" {
                fired.push(json!({
                    "at": Timestamp(e.t).to_rfc3339_ms(),
                    "timer": format!("{}/{}", e.src, e.data.as_str().unwrap_or("timer")),
                    "transaction_id": e.tx,
                }));
            }
            s.journal().push(crate::journal::sim("ationet", e));
        }
    };
    let target = match (b.by_ms, b.to.as_deref(), b.until_idle) {
        (Some(ms), None, None) => start + Duration(ms),
        (None, Some(t), None) => match Timestamp::parse_rfc3339(t) {
            Some(t) if t >= start => t,
            Some(_) => return err(400, "bad_request", "`to` is in the past"),
            None => return err(400, "bad_request", "`to` must be RFC 3339"),
        },
        (None, None, Some(true)) => {
            // Fire deadlines one by one until nothing is left or max_ms is spent.
            let limit = start + Duration(b.max_ms.unwrap_or(600_000));
            let mut now = start;
            while let Some(next) = w.next_deadline() {
                if next > limit {
                    break;
                }
                now = now.max(next);
                w.advance(now);
                collect(&mut w, &mut fired);
            }
            s.clock.set_virtual(now);
            drop(w);
            return ok(200, json!({"now": now.to_rfc3339_ms(), "fired": fired}));
        }
        _ => {
            return err(
                400,
                "bad_request",
                "give exactly one of by_ms, to, or until_idle: true",
            )
        }
    };
    w.advance(target);
    collect(&mut w, &mut fired);
    s.clock.set_virtual(target);
    drop(w);
    ok(200, json!({"now": target.to_rfc3339_ms(), "fired": fired}))
}

fn pump_json(p: &PumpStatus) -> Value {
    serde_json::to_value(p).unwrap_or(Value::Null)
}

fn site_or_default(w: &AtionetWorld, site: Option<String>) -> Option<String> {
    site.or_else(|| w.config().sites.keys().next().cloned())
}

#[derive(Debug, Default, Deserialize)]
struct SiteQuery {
    site: Option<String>,
}

fn control_error(e: payrig_world::ationet::ControlError) -> Response {
    use payrig_world::ationet::ControlError as C;
    match e {
        C::UnknownSite(_) | C::UnknownPump(..) => err(404, "unknown_device", e.to_string()),
        C::Refused(_) => err(409, "refused", e.to_string()),
        _ => err(400, "bad_request", e.to_string()),
    }
}

async fn pump_get(
    State(s): S,
    h: HeaderMap,
    Path(fp): Path<u8>,
    Query(q): Query<SiteQuery>,
) -> Response {
    guarded!(s, h);
    let mut w = s.world();
    w.advance(s.clock.now());
    s.journal_trace(&mut w);
    let Some(site) = site_or_default(&w, q.site) else {
        return err(404, "unknown_device", "no site configured");
    };
    match w.pump_status(&site, fp) {
        Ok(p) => ok(200, pump_json(&p)),
        Err(e) => control_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NozzleBody {
    action: String,
    nozzle: Option<u8>,
    site: Option<String>,
}

async fn pump_nozzle(State(s): S, h: HeaderMap, Path(fp): Path<u8>, b: Bytes) -> Response {
    guarded!(s, h);
    let b: NozzleBody = match body(&b) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let lift = match b.action.as_str() {
        "lift" => Some(b.nozzle.unwrap_or(1)),
        "hang" => None,
        other => {
            return err(
                400,
                "bad_request",
                format!("action: `{other}` is not lift or hang"),
            )
        }
    };
    let mut w = s.world();
    let Some(site) = site_or_default(&w, b.site) else {
        return err(404, "unknown_device", "no site configured");
    };
    let r = w.nozzle(s.clock.now(), &site, fp, lift);
    s.journal_trace(&mut w);
    drop(w);
    s.wake.notify_one();
    match r {
        Ok(p) => ok(200, pump_json(&p)),
        Err(e) => control_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultBody {
    kind: String,
    site: Option<String>,
    for_ms: Option<u64>,
}

async fn pump_fault(State(s): S, h: HeaderMap, Path(fp): Path<u8>, b: Bytes) -> Response {
    guarded!(s, h);
    let b: FaultBody = match body(&b) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let cond = match b.kind.as_str() {
        "offline" => PumpCondition::Offline,
        "busy" | "reserved_by" => PumpCondition::Busy,
        "clear" | "online" | "idle" => PumpCondition::Idle,
        other => {
            return err(
                400,
                "bad_request",
                format!("kind: `{other}` is not one of offline, busy, clear"),
            )
        }
    };
    if b.for_ms.is_some() {
        return err(
            400,
            "bad_request",
            "for_ms: timed pump faults are not supported yet; set and clear the fault instead",
        );
    }
    let mut w = s.world();
    let Some(site) = site_or_default(&w, b.site) else {
        return err(404, "unknown_device", "no site configured");
    };
    let r = w.set_pump_condition(s.clock.now(), &site, fp, cond);
    s.journal_trace(&mut w);
    let n = s.journal().next_seq();
    drop(w);
    match r {
        Ok(p) => ok(201, json!({"id": format!("df-{n}"), "pump": pump_json(&p)})),
        Err(e) => control_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionBody {
    up: bool,
}

async fn site_session(State(s): S, h: HeaderMap, Path(code): Path<String>, b: Bytes) -> Response {
    guarded!(s, h);
    let b: SessionBody = match serde_json::from_slice(&b) {
        Ok(b) => b,
        Err(e) => return err(400, "bad_request", format!("invalid body: {e}")),
    };
    let mut w = s.world();
    let r = w.set_session(s.clock.now(), &code, b.up);
    s.journal_trace(&mut w);
    drop(w);
    s.wake.notify_one();
    match r {
        Ok(()) => ok(
            200,
            json!({"site": code, "session": if b.up { "up" } else { "down" }}),
        ),
        Err(e) => control_error(e),
    }
}

async fn outcome_add(State(s): S, h: HeaderMap, b: Bytes) -> Response {
    guarded!(s, h);
    let o: PfepOverride = match serde_json::from_slice(&b) {
        Ok(o) => o,
        Err(e) => return err(400, "bad_request", format!("invalid override: {e}")),
    };
    match s.world().add_pfep_override(o) {
        Ok(id) => ok(201, json!({"id": id})),
        Err(e) => control_error(e),
    }
}

async fn outcome_clear(State(s): S, h: HeaderMap) -> Response {
    guarded!(s, h);
    s.world().remove_pfep_override(None);
    respond(204, JSON, Vec::new())
}

async fn outcome_delete(State(s): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    guarded!(s, h);
    if s.world().remove_pfep_override(Some(&id)) {
        respond(204, JSON, Vec::new())
    } else {
        err(404, "unknown_override", format!("no override `{id}`"))
    }
}

#[derive(Debug, Default, Deserialize)]
struct JournalQuery {
    since: Option<u64>,
    limit: Option<usize>,
    kind: Option<String>,
}

async fn journal_get(State(s): S, h: HeaderMap, Query(q): Query<JournalQuery>) -> Response {
    guarded!(s, h);
    {
        let mut w = s.world();
        w.advance(s.clock.now());
        s.journal_trace(&mut w);
    }
    let j = s.journal();
    let entries = j.query(
        q.since.unwrap_or(1),
        q.limit.unwrap_or(10_000),
        q.kind.as_deref(),
    );
    let next = entries.last().map(|e| e.seq + 1).unwrap_or(j.next_seq());
    ok(200, json!({"entries": entries, "next": next}))
}

async fn journal_clear(State(s): S, h: HeaderMap) -> Response {
    guarded!(s, h);
    *s.journal() = Journal::default();
    respond(204, JSON, Vec::new())
}

async fn transaction(State(s): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    guarded!(s, h);
    let mut w = s.world();
    w.advance(s.clock.now());
    s.journal_trace(&mut w);
    let Some(snap) = w.get(&id) else {
        return err(404, "unknown_transaction", format!("no transaction `{id}`"));
    };
    let history: Vec<Value> = w
        .history(&id)
        .map(|h| {
            h.iter()
                .map(|(at, st)| json!({"at": at.to_rfc3339_ms(), "state_id": st.id(), "state_name": st.name()}))
                .collect()
        })
        .unwrap_or_default();
    let body = payrig_ationet::wire::encode_transaction(&snap);
    let tx: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    ok(
        200,
        json!({
            "id": id,
            "protocol": "ationet",
            "state_id": snap.state.id(),
            "state_name": snap.state.name(),
            "history": history,
            "transaction": tx,
        }),
    )
}
