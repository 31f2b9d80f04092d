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
use payrig_world::tecs::{TecsConfig, TecsControlError, TecsWorld};
use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use crate::clock::ClockMode;
use crate::http::respond;
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
        .route("/acquirer/records", get(acquirer_records))
        .route("/readers/{id}/present", post(reader_present))
        .route("/readers/{id}/customer", post(reader_customer))
        .route("/devices/reader/{id}/faults", post(reader_fault))
        .route("/terminals/{id}", get(terminal_get))
        .route("/terminals/{id}/reachable", post(terminal_reachable))
        .route(
            "/faults",
            post(fault_add).get(fault_list).delete(fault_clear),
        )
        .route("/faults/{id}", delete(fault_delete))
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
            "protocols": ["ationet", "tecs"],
            "clock": mode_name(s.clock.mode()),
            "now": s.clock.now().to_rfc3339_ms(),
            "seed": s.seed(),
            "journal": s.journal_stats(),
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
    let (cfg, tecs_cfg) = match &b.scenario_toml {
        Some(t) => match (AtionetConfig::from_toml(t), TecsConfig::from_toml(t)) {
            (Ok(a), Ok(c)) => (a, c),
            (Err(e), _) | (_, Err(e)) => return err(400, "invalid_scenario", e.to_string()),
        },
        None => (s.cfg.ationet.clone(), s.cfg.tecs.clone()),
    };
    let seed = b.seed.unwrap_or(s.cfg.seed);
    if s.clock.mode() == ClockMode::Virtual {
        s.clock.restart_virtual();
    }
    let now = s.clock.now();
    s.set_seed(seed);
    // Check the [[wire_fault]] rules before anything changes: a refused reset changes nothing.
    if let Some(t) = &b.scenario_toml {
        let check = crate::faults::rules_from_toml(t).and_then(|rules| {
            let mut trial = crate::faults::FaultRules::default();
            rules
                .into_iter()
                .try_for_each(|r| trial.add(r, seed).map(|_| ()))
        });
        if let Err(e) = check {
            return err(400, "invalid_scenario", e);
        }
    }
    s.replace_worlds(
        AtionetWorld::journaled(cfg, seed, now),
        TecsWorld::journaled(tecs_cfg, seed, now),
    );
    if let Some(t) = &b.scenario_toml {
        if let Err(e) = s.install_wire_faults(t) {
            return err(400, "invalid_scenario", e);
        }
    }
    ok(200, json!({"now": now.to_rfc3339_ms(), "seed": seed}))
}

async fn clock(State(s): S, h: HeaderMap) -> Response {
    guarded!(s, h);
    let a = s.world().next_deadline();
    let t = s.tecs().next_deadline();
    let next = match (a, t) {
        (Some(a), Some(t)) => Some(a.min(t)),
        (a, t) => a.or(t),
    }
    .map(Timestamp::to_rfc3339_ms);
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
    let (target, until_idle) = match (b.by_ms, b.to.as_deref(), b.until_idle) {
        (Some(ms), None, None) => (start + Duration(ms), false),
        (None, Some(t), None) => match Timestamp::parse_rfc3339(t) {
            Some(t) if t >= start => (t, false),
            Some(_) => return err(400, "bad_request", "`to` is in the past"),
            None => return err(400, "bad_request", "`to` must be RFC 3339"),
        },
        (None, None, Some(true)) => (start + Duration(b.max_ms.unwrap_or(600_000)), true),
        _ => {
            return err(
                400,
                "bad_request",
                "give exactly one of by_ms, to, or until_idle: true",
            )
        }
    };
    // Both worlds step together, deadline by deadline, so TECS calls blocked on the clock
    // are answered at the right virtual instant.
    let mut fired = Vec::new();
    let mut now = start;
    loop {
        let next = {
            let a = s.world().next_deadline();
            let t = s.tecs().next_deadline();
            match (a, t) {
                (Some(a), Some(t)) => Some(a.min(t)),
                (a, t) => a.or(t),
            }
        };
        let Some(next) = next.filter(|n| *n <= target) else {
            break;
        };
        now = now.max(next);
        step_worlds(&s, now, &mut fired);
    }
    if !until_idle {
        now = target;
        step_worlds(&s, now, &mut fired);
    }
    s.clock.set_virtual(now);
    ok(200, json!({"now": now.to_rfc3339_ms(), "fired": fired}))
}

/// Advances both worlds to `now`, journals their traces and collects the timers that fired.
fn step_worlds(s: &Shared, now: Timestamp, fired: &mut Vec<Value>) {
    let mut note = |protocol: &'static str, e: payrig_world::trace::TraceEvent| {
        if e.kind == "timer" {
            fired.push(json!({
                "at": Timestamp(e.t).to_rfc3339_ms(),
                "timer": format!("{}/{}", e.src, e.data.to_value().as_str().unwrap_or("timer")),
                "transaction_id": e.tx,
            }));
        }
        s.journal().push_sim(protocol, e);
    };
    {
        let mut w = s.world();
        w.advance(now);
        for e in w.drain_trace() {
            note("ationet", e);
        }
    }
    let mut t = s.tecs();
    t.advance(now);
    for e in t.drain_trace() {
        note("tecs", e);
    }
    s.tecs_settle(&mut t, now);
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

/// Outcome overrides go to the ATIONet PFEP or the TECS acquirer: `"protocol"` says which;
/// without it, a `match.terminal` means TECS, anything else ATIONet.
async fn outcome_add(State(s): S, h: HeaderMap, b: Bytes) -> Response {
    guarded!(s, h);
    let mut v: Value = match serde_json::from_slice(&b) {
        Ok(v) => v,
        Err(e) => return err(400, "bad_request", format!("invalid override: {e}")),
    };
    let protocol = v
        .as_object_mut()
        .and_then(|m| m.remove("protocol"))
        .and_then(|p| p.as_str().map(str::to_owned));
    let tecs = match protocol.as_deref() {
        Some("tecs") => true,
        Some("ationet") => false,
        Some(other) => {
            return err(
                400,
                "bad_request",
                format!("protocol: `{other}` is not ationet or tecs"),
            )
        }
        None => v["match"].get("terminal").is_some(),
    };
    // conformance.md 3 writes `{"kind":"no_response"}` and `{"kind":"late",...}`; the
    // acquirer's TOML form is `"no_response"` and `{"late":{...}}`.
    if let Some(o) = v.get_mut("outcome") {
        match o
            .get("kind")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .as_deref()
        {
            Some("no_response") => *o = json!("no_response"),
            Some("late") => {
                let after_ms = o.get("after_ms").cloned();
                let code = o.get("code").cloned();
                *o = json!({"late": {"after_ms": after_ms, "code": code}});
            }
            _ => {}
        }
    }
    let o: PfepOverride = match serde_json::from_value(v) {
        Ok(o) => o,
        Err(e) => return err(400, "bad_request", format!("invalid override: {e}")),
    };
    let r = if tecs {
        s.tecs().add_override(o).map_err(tecs_error)
    } else {
        s.world().add_pfep_override(o).map_err(control_error)
    };
    match r {
        Ok(id) => ok(
            201,
            json!({"id": id, "protocol": if tecs { "tecs" } else { "ationet" }}),
        ),
        Err(r) => r,
    }
}

async fn outcome_clear(State(s): S, h: HeaderMap) -> Response {
    guarded!(s, h);
    s.world().remove_pfep_override(None);
    s.tecs().remove_override(None);
    respond(204, JSON, Vec::new())
}

async fn outcome_delete(State(s): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    guarded!(s, h);
    let a = s.world().remove_pfep_override(Some(&id));
    if a || s.tecs().remove_override(Some(&id)) {
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
    s.journal().clear();
    respond(204, JSON, Vec::new())
}

async fn transaction(State(s): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    guarded!(s, h);
    let mut w = s.world();
    w.advance(s.clock.now());
    s.journal_trace(&mut w);
    let Some(snap) = w.get(&id) else {
        drop(w);
        // TECS records are per terminal; the first match by transaction_id answers.
        let mut t = s.tecs();
        t.advance(s.clock.now());
        s.tecs_settle(&mut t, s.clock.now());
        return match t.find_record(&id) {
            Some(r) => ok(200, json!({"id": id, "protocol": "tecs", "record": r})),
            None => err(404, "unknown_transaction", format!("no transaction `{id}`")),
        };
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

fn tecs_error(e: TecsControlError) -> Response {
    match e {
        TecsControlError::UnknownTerminal(_) => err(404, "unknown_device", e.to_string()),
        TecsControlError::Refused(_) => err(409, "refused", e.to_string()),
        _ => err(400, "bad_request", e.to_string()),
    }
}

/// Runs a TECS world call at the clock's now and settles what it produced.
fn with_tecs<T>(s: &Shared, f: impl FnOnce(&mut TecsWorld, Timestamp) -> T) -> T {
    let now = s.clock.now();
    let mut t = s.tecs();
    t.advance(now);
    let r = f(&mut t, now);
    s.tecs_settle(&mut t, now);
    drop(t);
    s.wake.notify_one();
    r
}

#[derive(Debug, Default, Deserialize)]
struct TerminalQuery {
    terminal: Option<String>,
}

async fn acquirer_records(State(s): S, h: HeaderMap, Query(q): Query<TerminalQuery>) -> Response {
    guarded!(s, h);
    let v = with_tecs(&s, |t, _| t.acquirer_records(q.terminal.as_deref()));
    ok(200, json!({"records": v}))
}

/// A customer script from a control body: `{"card","entry","after_ms","pin","tip","remove",
/// "abort_at"}` (conformance spec section 3); the card defaults to the TECS profile card.
fn customer_from(body: &Value) -> Result<payrig_reader::Customer, String> {
    let mut m = body.as_object().cloned().unwrap_or_default();
    if let Some(ms) = m.remove("after_ms") {
        let ms = ms
            .as_u64()
            .ok_or("after_ms: a whole number of milliseconds")?;
        m.insert("present_after".into(), json!(format!("{ms}ms")));
    }
    if !m.contains_key("present_after") {
        m.insert("present_after".into(), json!("0ms"));
    }
    if !m.contains_key("card") {
        m.insert("card".into(), json!("tecs_visa"));
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| format!("invalid customer: {e}"))
}

async fn reader_present(State(s): S, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> Response {
    guarded!(s, h);
    let v: Value = match body(&b) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let customer = match customer_from(&v) {
        Ok(c) => c,
        Err(e) => return err(400, "bad_request", e),
    };
    let r = with_tecs(&s, |t, now| {
        let waiting = t.reader_state(&id)? == payrig_reader::SessionState::WaitingForCard;
        if waiting && customer.present_after == Some(payrig_core::rng::DurationSpec::fixed(0)) {
            let p = payrig_reader::Presentation {
                card: payrig_reader::CardRef::Id(customer.card.clone()),
                entry: customer.entry,
                answers: customer.answers.clone(),
            };
            t.reader_input(now, &id, payrig_reader::Input::Present(Box::new(p)))?;
            Ok(json!({"session": "current"}))
        } else {
            t.reader_input(
                now,
                &id,
                payrig_reader::Input::SetCustomer(Some(Box::new(customer))),
            )?;
            Ok(json!({"queued_for": "next_session"}))
        }
    });
    match r {
        Ok(v) => ok(202, v),
        Err(e) => tecs_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerAction {
    action: String,
    customer: Option<Value>,
}

async fn reader_customer(State(s): S, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> Response {
    guarded!(s, h);
    let a: CustomerAction = match body(&b) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let input = match a.action.as_str() {
        "abort" => payrig_reader::Input::CustomerAbort,
        "remove_card" => payrig_reader::Input::RemoveCard,
        "never_present" => payrig_reader::Input::SetCustomer(None),
        "script" => match customer_from(a.customer.as_ref().unwrap_or(&Value::Null)) {
            Ok(c) => payrig_reader::Input::SetCustomer(Some(Box::new(c))),
            Err(e) => return err(400, "bad_request", e),
        },
        other => {
            return err(
                400,
                "bad_request",
                format!("action: `{other}` is not abort, remove_card, never_present or script"),
            )
        }
    };
    match with_tecs(&s, |t, now| t.reader_input(now, &id, input)) {
        Ok(()) => ok(202, json!({"reader": id, "action": a.action})),
        Err(e) => tecs_error(e),
    }
}

async fn reader_fault(State(s): S, h: HeaderMap, Path(id): Path<String>, b: Bytes) -> Response {
    guarded!(s, h);
    let v: Value = match body(&b) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let fault = match v["kind"].as_str() {
        Some("read_failure") => payrig_reader::Fault::ReadFailure {
            count: v["count"]
                .as_u64()
                .and_then(|c| u32::try_from(c).ok())
                .unwrap_or(1),
        },
        Some("busy") => payrig_reader::Fault::Busy,
        Some("chip_refuses_after_approval") => payrig_reader::Fault::ChipRefusesAfterApproval,
        Some(other) => {
            return err(
                400,
                "bad_request",
                format!("kind: `{other}` is not read_failure, busy or chip_refuses_after_approval"),
            )
        }
        None => return err(400, "bad_request", "kind is required"),
    };
    let n = s.journal().next_seq();
    match with_tecs(&s, |t, now| {
        t.reader_input(now, &id, payrig_reader::Input::Fault(fault))
    }) {
        Ok(()) => ok(201, json!({"id": format!("df-{n}")})),
        Err(e) => tecs_error(e),
    }
}

async fn terminal_get(State(s): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    guarded!(s, h);
    match with_tecs(&s, |t, _| t.terminal_records(&id)) {
        Ok(v) => ok(200, v),
        Err(e) => tecs_error(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReachableBody {
    reachable: bool,
}

async fn terminal_reachable(
    State(s): S,
    h: HeaderMap,
    Path(id): Path<String>,
    b: Bytes,
) -> Response {
    guarded!(s, h);
    let r: ReachableBody = match serde_json::from_slice(&b) {
        Ok(r) => r,
        Err(e) => return err(400, "bad_request", format!("invalid body: {e}")),
    };
    match with_tecs(&s, |t, now| t.set_reachable(now, &id, r.reachable)) {
        Ok(()) => ok(200, json!({"terminal": id, "reachable": r.reachable})),
        Err(e) => tecs_error(e),
    }
}

async fn fault_add(State(s): S, h: HeaderMap, b: Bytes) -> Response {
    guarded!(s, h);
    let rule: crate::faults::FaultRule = match serde_json::from_slice(&b) {
        Ok(r) => r,
        Err(e) => return err(400, "bad_request", format!("invalid fault rule: {e}")),
    };
    let seed = s.seed();
    match s
        .faults
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .add(rule, seed)
    {
        Ok(id) => ok(201, json!({"id": id})),
        Err(e) => err(400, "unsupported_fault", e),
    }
}

async fn fault_list(State(s): S, h: HeaderMap) -> Response {
    guarded!(s, h);
    let f = s.faults.lock().unwrap_or_else(|p| p.into_inner());
    ok(200, json!({"faults": f.list()}))
}

async fn fault_clear(State(s): S, h: HeaderMap) -> Response {
    guarded!(s, h);
    s.faults
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(None);
    respond(204, JSON, Vec::new())
}

async fn fault_delete(State(s): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    guarded!(s, h);
    if s.faults
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(Some(&id))
    {
        respond(204, JSON, Vec::new())
    } else {
        err(404, "unknown_fault", format!("no fault rule `{id}`"))
    }
}
