//! ATIONet `Then` steps: answers (status, problem bodies, exact casing and order), states and
//! histories, Cancel answers, money arithmetic and journal facts.

use anyhow::{anyhow, bail, ensure, Context as _};
use cucumber::gherkin::Step;
use cucumber::then;
use payrig_ationet::wire::{CancelResponse, GetTransactionResponse, ProblemBody};
use payrig_ationet::{CancelCode, StateId};
use serde_json::Value;

use super::ationet::run_until_state;
use super::support::{
    decimal_of, json_eq, mul_round_half_up, ordered_keys, parse_literal, parse_states, raw_member,
};
use crate::world::AtnWorld;

/// GetTransaction's members in the seed's order, `idDispatch` last (3.3).
const SEED_FIELDS: [&str; 24] = [
    "id",
    "siteCode",
    "primaryTrack",
    "odometer",
    "terminalIdentification",
    "transactionSequenceNumber",
    "state_Name",
    "state_Id",
    "paymentProcessorReferenceId",
    "paymentProcessorMessage",
    "siteSystemMessage",
    "fuelPointNumber",
    "paymentMethod",
    "requestedAmount",
    "authorizedAmount",
    "dispatchedAmount",
    "dispatchedQuantity",
    "productCode",
    "productDescription",
    "productUnitPrice",
    "unitMeasure",
    "createDateTime",
    "updateDateTime",
    "idDispatch",
];

fn show(w: &AtnWorld) -> String {
    match (&w.last_sent, &w.last) {
        (Some(s), Some(r)) => format!(
            "\n  request: {} {} {}\n  answer: {} {}",
            s.method,
            s.path,
            s.body.as_deref().unwrap_or(""),
            r.status,
            r.text()
        ),
        _ => String::new(),
    }
}

// ---- answers ----

#[then(regex = r"^the response status is (\d+)$")]
fn status_is(w: &mut AtnWorld, status: u16) -> anyhow::Result<()> {
    let r = w.last()?;
    ensure!(r.status == status, "expected HTTP {status}{}", show(w));
    Ok(())
}

/// `Then the response is a 400 problem "invalid_value" naming "amount"`; the code and the
/// field are each optional.
#[then(regex = r#"^the response is a (\d+) problem(?: "([a-z_]+)")?(?: naming "([^"]+)")?$"#)]
fn problem_is(w: &mut AtnWorld, status: u16, code: String, field: String) -> anyhow::Result<()> {
    let r = w.last()?;
    ensure!(r.status == status, "expected HTTP {status}{}", show(w));
    let ct = r.header("content-type").unwrap_or_default();
    ensure!(
        ct.starts_with("application/problem+json"),
        "Content-Type `{ct}` is not application/problem+json{}",
        show(w)
    );
    let p: ProblemBody = serde_json::from_slice(&r.body)
        .map_err(|e| anyhow!("not an RFC 7807 body ({e}){}", show(w)))?;
    ensure!(
        p.status == status,
        "problem status {} != {status}",
        p.status
    );
    ensure!(
        field.is_empty() || p.errors.contains_key(&field),
        "errors does not name `{field}`{}",
        show(w)
    );
    ensure!(
        code.is_empty() || p.code == code,
        "code `{}` is not `{code}`{}",
        p.code,
        show(w)
    );
    Ok(())
}

#[then(regex = r#"^the response header "([^"]+)" is "([^"]*)"$"#)]
fn header_is(w: &mut AtnWorld, name: String, value: String) -> anyhow::Result<()> {
    let r = w.last()?;
    let got = r.header(&name);
    ensure!(
        got == Some(value.as_str()),
        "header {name} is {got:?}, expected `{value}`{}",
        show(w)
    );
    Ok(())
}

/// Byte-for-byte; `<id>` stands for the current transaction id.
#[then("the response body is exactly:")]
fn body_exactly(w: &mut AtnWorld, #[step] step: &Step) -> anyhow::Result<()> {
    let want = step
        .docstring
        .as_deref()
        .ok_or_else(|| anyhow!("a doc string is needed"))?
        .trim()
        .replace("<id>", &w.tx().unwrap_or_default());
    let got = w.last()?.text();
    ensure!(got == want, "body differs\n  want: {want}\n  got:  {got}");
    Ok(())
}

#[then(regex = r#"^the response has the keys "([^"]*)" in order$"#)]
fn keys_in_order(w: &mut AtnWorld, keys: String) -> anyhow::Result<()> {
    let want: Vec<&str> = keys.split(',').map(str::trim).collect();
    let got = ordered_keys(&w.last()?.body)?;
    ensure!(got == want, "keys {got:?}, expected {want:?}");
    Ok(())
}

/// `| field | JSON literal |` rows against the last answer's members (exact casing).
#[then("the response fields are:")]
fn fields_are(w: &mut AtnWorld, #[step] step: &Step) -> anyhow::Result<()> {
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| anyhow!("a table is needed"))?;
    let body = w.last()?.body.clone();
    let id = w.tx.clone().unwrap_or_default();
    for row in &table.rows {
        let [name, value] = row.as_slice() else {
            bail!("rows must be | field | value |");
        };
        if name == "field" && value == "value" {
            continue;
        }
        let raw = raw_member(&body, name)?
            .ok_or_else(|| anyhow!("member `{name}` missing{}", show(w)))?;
        let got: Value = serde_json::from_str(&raw)?;
        let want = parse_literal(&value.replace("<id>", &id))?;
        ensure!(
            json_eq(&got, &want),
            "{name} is {raw}, expected {value}{}",
            show(w)
        );
    }
    Ok(())
}

#[then("the transaction id equals the potencyKeyId")]
fn id_is_key(w: &mut AtnWorld) -> anyhow::Result<()> {
    let key = w
        .last_sent
        .as_ref()
        .and_then(|s| s.key.clone())
        .ok_or_else(|| anyhow!("no key sent"))?;
    ensure!(
        w.tx()? == key,
        "transactionId {} != potencyKeyId {key}",
        w.tx()?
    );
    Ok(())
}

#[then(regex = r"^all (\d+) responses are 200 with the same transaction id$")]
fn burst_equal(w: &mut AtnWorld, n: usize) -> anyhow::Result<()> {
    ensure!(
        w.burst.len() == n,
        "{} answers, expected {n}",
        w.burst.len()
    );
    let mut ids = std::collections::BTreeSet::new();
    for r in &w.burst {
        ensure!(
            r.status == 200,
            "an answer was HTTP {}: {}",
            r.status,
            r.text()
        );
        ids.insert(r.text());
    }
    ensure!(ids.len() == 1, "answers differ: {ids:?}");
    Ok(())
}

// ---- Cancel ----

/// Checks the whole Cancel answer: 200, the code, `isSuccessCanceled`, the seed's message and
/// the echoed id.
#[then(regex = r#"^the cancel answer is "(-?\d+)"$"#)]
fn cancel_answer(w: &mut AtnWorld, code: String) -> anyhow::Result<()> {
    let r = w.last()?;
    ensure!(
        r.status == 200,
        "Cancel answered HTTP {}{}",
        r.status,
        show(w)
    );
    let c: CancelResponse = serde_json::from_slice(&r.body)
        .map_err(|e| anyhow!("Cancel body does not decode: {e}{}", show(w)))?;
    let expect = payrig_ationet::state::ALL_CANCEL_CODES
        .iter()
        .copied()
        .find(|k: &CancelCode| k.code() == code)
        .ok_or_else(|| anyhow!("`{code}` is not a cancel code"))?;
    ensure!(
        c.response_code == code,
        "responseCode `{}` is not `{code}`{}",
        c.response_code,
        show(w)
    );
    ensure!(
        c.is_success_canceled == expect.is_success(),
        "isSuccessCanceled is {}{}",
        c.is_success_canceled,
        show(w)
    );
    ensure!(
        c.response_message == expect.message(),
        "responseMessage `{}` is not `{}`",
        c.response_message,
        expect.message()
    );
    let sent_id = w
        .last_sent
        .as_ref()
        .and_then(|s| s.body.as_deref())
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .and_then(|v| {
            v.get("transactionId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    ensure!(
        sent_id.as_deref() == Some(c.transaction_id.as_str()),
        "transactionId not echoed: {}",
        c.transaction_id
    );
    Ok(())
}

// ---- states ----

async fn get_typed(w: &mut AtnWorld) -> anyhow::Result<(GetTransactionResponse, Vec<u8>)> {
    w.prepare().await?;
    let id = w.tx()?;
    let path = format!("/api/MobilePayments/GetTransaction/{id}");
    let resp = w.atn()?.raw("GET", &path, &[], None).await?;
    ensure!(
        resp.status == 200,
        "GetTransaction answered {}: {}",
        resp.status,
        resp.text()
    );
    let t: GetTransactionResponse = serde_json::from_slice(&resp.body)
        .map_err(|e| anyhow!("GetTransaction body does not decode ({e}): {}", resp.text()))?;
    w.facts.states.insert(t.state_id);
    Ok((t, resp.body))
}

#[then(regex = r#"^the transaction (reaches|is in) state (\d+) "([^"]+)"$"#)]
async fn state_is(w: &mut AtnWorld, how: String, state: u8, name: String) -> anyhow::Result<()> {
    if how == "reaches" {
        run_until_state(w, state).await?;
    }
    let (t, body) = get_typed(w).await?;
    ensure!(
        t.state_id == state,
        "state_Id {} \"{}\", expected {state}: {}",
        t.state_id,
        t.state_name.as_deref().unwrap_or(""),
        String::from_utf8_lossy(&body)
    );
    ensure!(
        t.state_name.as_deref() == Some(name.as_str()),
        "state_Name {:?}, expected {name:?}",
        t.state_name
    );
    let spec = StateId::from_id(state).map(StateId::name);
    ensure!(
        spec == Some(name.as_str()),
        "feature bug: state {state} is named {spec:?}"
    );
    Ok(())
}

async fn history(w: &mut AtnWorld) -> anyhow::Result<Vec<u8>> {
    w.prepare().await?;
    let id = w.tx()?;
    let rec = w
        .control()?
        .transaction(&id)
        .await
        .with_context(|| format!("GET /_payrig/v1/transactions/{id}"))?;
    let ids: Vec<u8> = rec.history.iter().map(|h| h.state_id).collect();
    w.facts.states.extend(ids.iter().copied());
    Ok(ids)
}

/// Runs the clock until the last listed state, then compares the whole history.
#[then(regex = r"^the transaction passes through states ([\d, ]+)$")]
async fn passes_through(w: &mut AtnWorld, list: String) -> anyhow::Result<()> {
    let want = parse_states(&list)?;
    if let Some(last) = want.last() {
        run_until_state(w, *last).await?;
    }
    let got = history(w).await?;
    ensure!(got == want, "history {got:?}, expected {want:?}");
    Ok(())
}

#[then(regex = r"^the transaction never entered states ([\d, ]+)$")]
async fn never_entered(w: &mut AtnWorld, list: String) -> anyhow::Result<()> {
    let banned = parse_states(&list)?;
    let got = history(w).await?;
    let bad: Vec<u8> = got.iter().copied().filter(|s| banned.contains(s)).collect();
    ensure!(bad.is_empty(), "history {got:?} has {bad:?}");
    Ok(())
}

#[then("no state id of 20 or more appears")]
async fn no_prompting_states(w: &mut AtnWorld) -> anyhow::Result<()> {
    let got = history(w).await?;
    ensure!(got.iter().all(|s| *s < 20), "history {got:?}");
    for e in w.control()?.journal_all(Some("sim")).await? {
        if e.get("op").and_then(Value::as_str) == Some("state") {
            let to = e
                .get("data")
                .and_then(|d| d.get("to"))
                .and_then(Value::as_u64);
            ensure!(to.is_some_and(|t| t < 20), "journal state entry {e}");
        }
    }
    Ok(())
}

/// `Then the transaction's "siteSystemMessage" is "Fueling Position in use"` (JSON literal).
#[then(regex = r#"^the transaction's "([A-Za-z_]+)" is (.+)$"#)]
async fn tx_field(w: &mut AtnWorld, name: String, literal: String) -> anyhow::Result<()> {
    let (_, body) = get_typed(w).await?;
    let raw = raw_member(&body, &name)?.ok_or_else(|| anyhow!("no member `{name}`"))?;
    let got: Value = serde_json::from_str(&raw)?;
    let want = parse_literal(&literal)?;
    ensure!(json_eq(&got, &want), "{name} is {raw}, expected {literal}");
    Ok(())
}

#[then("GetTransaction returns the seed's fields in order")]
async fn seed_order(w: &mut AtnWorld) -> anyhow::Result<()> {
    let (_, body) = get_typed(w).await?;
    let got = ordered_keys(&body)?;
    ensure!(
        got == SEED_FIELDS,
        "members {got:?}\nexpected {SEED_FIELDS:?}"
    );
    Ok(())
}

#[then("the dispatched amount is the quantity times the unit price, rounded half up")]
async fn amount_rounding(w: &mut AtnWorld) -> anyhow::Result<()> {
    let (_, body) = get_typed(w).await?;
    let v: Value = serde_json::from_slice(&body)?;
    let q = decimal_of(&v, "dispatchedQuantity")?;
    let p = decimal_of(&v, "productUnitPrice")?;
    let a = decimal_of(&v, "dispatchedAmount")?;
    ensure!(q.is_positive(), "nothing was dispensed");
    let want = mul_round_half_up(q, p, 2)?;
    ensure!(
        a == want,
        "dispatchedAmount {a}, but {q} x {p} rounds to {want}"
    );
    Ok(())
}

#[then(
    "nothing dispensed exceeds the authorized amount, which does not exceed the requested amount"
)]
async fn amounts_bounded(w: &mut AtnWorld) -> anyhow::Result<()> {
    let (t, _) = get_typed(w).await?;
    ensure!(
        t.authorized_amount <= t.requested_amount,
        "authorizedAmount {} > requestedAmount {}",
        t.authorized_amount,
        t.requested_amount
    );
    // Volume presets (the default site): quantity is in the preset unit.
    ensure!(
        t.dispatched_quantity <= t.authorized_amount,
        "dispatchedQuantity {} > authorizedAmount {}",
        t.dispatched_quantity,
        t.authorized_amount
    );
    Ok(())
}

// ---- journal ----

async fn sim_entries(w: &mut AtnWorld, op: &str) -> anyhow::Result<Vec<Value>> {
    w.prepare().await?;
    Ok(w.control()?
        .journal_all(Some("sim"))
        .await?
        .into_iter()
        .filter(|e| e.get("op").and_then(Value::as_str) == Some(op))
        .collect())
}

#[then(regex = r"^the site received exactly (\d+) (Reserve|Authorize|Deauthorize) commands?$")]
async fn site_commands(w: &mut AtnWorld, n: usize, command: String) -> anyhow::Result<()> {
    let all = sim_entries(w, "to_site").await?;
    let count = all
        .iter()
        .filter(|e| {
            e.get("data")
                .and_then(|d| d.get("command"))
                .and_then(Value::as_str)
                == Some(command.as_str())
        })
        .count();
    ensure!(
        count == n,
        "{count} {command} commands in the journal, expected {n}; to_site entries: {}",
        Value::Array(all)
    );
    Ok(())
}

#[then(regex = r"^exactly (\d+) transactions? (?:was|were) created$")]
async fn created_count(w: &mut AtnWorld, n: usize) -> anyhow::Result<()> {
    let count = sim_entries(w, "create").await?.len();
    ensure!(
        count == n,
        "{count} create entries in the journal, expected {n}"
    );
    Ok(())
}

/// A 4xx created nothing: no `create` in the journal, and the key is unknown.
#[then("no transaction was created")]
async fn nothing_created(w: &mut AtnWorld) -> anyhow::Result<()> {
    let count = sim_entries(w, "create").await?.len();
    ensure!(
        count == 0,
        "{count} create entries in the journal{}",
        show(w)
    );
    if let Some(key) = w.last_sent.as_ref().and_then(|s| s.key.clone()) {
        let path = format!("/api/MobilePayments/GetTransaction/{key}");
        let r = w.atn()?.raw("GET", &path, &[], None).await?;
        ensure!(
            r.status == 404,
            "GetTransaction of the key answered {}",
            r.status
        );
    }
    Ok(())
}
