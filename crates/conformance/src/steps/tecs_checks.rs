//! TECS `Then` steps: answers (status, code, members, headers, timing), the terminal's
//! transaction records and the acquirer's records, through the control API.

use anyhow::{anyhow, bail, ensure, Context as _};
use cucumber::gherkin::Step;
use cucumber::then;
use serde_json::Value;

use super::tecs::expand;
use crate::tecs_world::{check_complete, Exchange, TecsWorld};

fn show(ex: &Exchange) -> String {
    format!(
        "\n  request `{}` {}: {}\n  answer: HTTP {} {}",
        ex.sent.label,
        ex.sent.path,
        String::from_utf8_lossy(&ex.sent.body),
        ex.answer.status,
        ex.answer.text()
    )
}

fn pick<'a>(w: &'a TecsWorld, label: &str) -> anyhow::Result<&'a Exchange> {
    if label.is_empty() {
        w.last()
    } else {
        w.answer_of(label)
    }
}

/// `Then the response is 200 "0000"`, `Then the response to "S1" is 400 "3003"`.
#[then(regex = r#"^the response(?: to "([^"]+)")? is (\d{3}) "(\d{4})"$"#)]
fn response_is(w: &mut TecsWorld, label: String, status: u16, code: String) -> anyhow::Result<()> {
    let ex = pick(w, &label)?;
    ensure!(
        ex.answer.status == status && ex.field("response_code") == code,
        "expected HTTP {status} `{code}`{}",
        show(ex)
    );
    Ok(())
}

#[then(regex = r#"^the response is (\d{3}) with an empty body$"#)]
fn empty_body(w: &mut TecsWorld, status: u16) -> anyhow::Result<()> {
    let ex = w.last()?;
    ensure!(
        ex.answer.status == status && ex.answer.body.is_empty(),
        "expected HTTP {status} with no body{}",
        show(ex)
    );
    Ok(())
}

/// `| field | value |`: string members of the last answer; placeholders as in `When`.
#[then(regex = r#"^the response(?: to "([^"]+)")? fields are:$"#)]
fn fields_are(w: &mut TecsWorld, label: String, #[step] step: &Step) -> anyhow::Result<()> {
    let rows = step
        .table
        .as_ref()
        .ok_or_else(|| anyhow!("a table is needed"))?;
    let ex = pick(w, &label)?;
    let v = ex.json();
    for row in &rows.rows {
        let [name, want] = row.as_slice() else {
            bail!("rows must be | field | value |");
        };
        if name == "field" && want == "value" {
            continue;
        }
        let want = expand(w, want)?;
        let got = v
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("member `{name}` missing or not a string{}", show(ex)))?;
        ensure!(
            got == want,
            "{name} is `{got}`, expected `{want}`{}",
            show(ex)
        );
    }
    Ok(())
}

#[then(regex = r#"^the response field "([a-z_A-Z]+)" (is not|contains|starts with) "(.*)"$"#)]
fn field_relation(
    w: &mut TecsWorld,
    name: String,
    rel: String,
    text: String,
) -> anyhow::Result<()> {
    let text = expand(w, &text)?;
    let ex = w.last()?;
    let got = ex.field(&name);
    let ok = match rel.as_str() {
        "is not" => got != text,
        "contains" => got.contains(&text),
        _ => got.starts_with(&text),
    };
    ensure!(ok, "{name} `{got}` {rel} `{text}`: no{}", show(ex));
    Ok(())
}

#[then(regex = r#"^the response field "([a-z_]+)" is (\d+) capital letters or digits$"#)]
fn field_alnum(w: &mut TecsWorld, name: String, n: usize) -> anyhow::Result<()> {
    let ex = w.last()?;
    let got = ex.field(&name);
    ensure!(
        got.len() == n
            && got
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "{name} `{got}` is not {n} capitals or digits{}",
        show(ex)
    );
    Ok(())
}

#[then(regex = r#"^the response header "([^"]+)" is "(.*)"$"#)]
fn header_is(w: &mut TecsWorld, name: String, value: String) -> anyhow::Result<()> {
    let ex = w.last()?;
    let got = ex.answer.header(&name);
    ensure!(
        got == Some(value.as_str()),
        "header {name} is {got:?}, expected `{value}`{}",
        show(ex)
    );
    Ok(())
}

/// TEC-S-004, stated (every answer is also checked as it arrives).
#[then("the response is a complete TransactionResponse")]
fn complete(w: &mut TecsWorld) -> anyhow::Result<()> {
    let ex = w.last()?;
    check_complete(ex)?;
    let n = ex.json().as_object().map_or(0, |m| m.len());
    ensure!(n == 26, "{n} members, expected the 26 of 3.2{}", show(ex));
    Ok(())
}

/// Server time of the answer minus virtual time at sending, in whole seconds.
fn elapsed_s(ex: &Exchange) -> anyhow::Result<i64> {
    let sent = ex
        .sent
        .sent_at
        .as_deref()
        .ok_or_else(|| anyhow!("the target reported no virtual time"))?;
    let sent = time::OffsetDateTime::parse(sent, &time::format_description::well_known::Rfc3339)
        .with_context(|| format!("clock `{sent}`"))?;
    let fmt = time::macros::format_description!("[year][month][day][hour][minute][second]");
    let dt = ex.field("transaction_date_time");
    let at = time::PrimitiveDateTime::parse(&dt, &fmt)
        .with_context(|| format!("transaction_date_time `{dt}`"))?
        .assume_utc();
    Ok((at - sent.replace_millisecond(0).unwrap_or(sent)).whole_seconds())
}

#[then(regex = r#"^the response came (\d+)(?: to (\d+))? seconds after the request$"#)]
fn came_after(w: &mut TecsWorld, lo: i64, hi: String) -> anyhow::Result<()> {
    let hi: i64 = hi.parse().unwrap_or(lo);
    let ex = w.last()?;
    let s = elapsed_s(ex)?;
    ensure!(
        (lo..=hi).contains(&s),
        "answered {s} s after the request, expected {lo}..={hi}{}",
        show(ex)
    );
    Ok(())
}

// ---- records (control API) ----

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn record(w: &TecsWorld, label: &str) -> anyhow::Result<Value> {
    let id = w.id_of(label);
    let v = w
        .control()?
        .transaction(&id)
        .await
        .with_context(|| format!("GET /_payrig/v1/transactions/{id}"))?;
    Ok(v["record"].clone())
}

/// `| field | value |` against the terminal's record (`status`, `amount`, `kind`...).
#[then(regex = r#"^the record "([^"]+)" has:$"#)]
async fn record_has(w: &mut TecsWorld, label: String, #[step] step: &Step) -> anyhow::Result<()> {
    let rec = record(w, &label).await?;
    let rows = step
        .table
        .as_ref()
        .ok_or_else(|| anyhow!("a table is needed"))?;
    for row in &rows.rows {
        let [name, want] = row.as_slice() else {
            bail!("rows must be | field | value |");
        };
        if name == "field" && want == "value" {
            continue;
        }
        let got = as_text(&rec[name.as_str()]);
        ensure!(
            got == expand(w, want)?,
            "record `{label}`: {name} is `{got}`, expected `{want}`\n  {rec}"
        );
    }
    Ok(())
}

#[then(regex = r#"^the record "([^"]+)" has status "([a-z_]+)"$"#)]
async fn record_status(w: &mut TecsWorld, label: String, status: String) -> anyhow::Result<()> {
    let rec = record(w, &label).await?;
    ensure!(
        rec["status"] == status.as_str(),
        "record `{label}` is {}, expected {status}\n  {rec}",
        rec["status"]
    );
    Ok(())
}

/// TEC-S-018: the outcome is kept and the record is marked `response_undelivered`.
#[then(regex = r#"^the record "([^"]+)" is approved and marked response_undelivered$"#)]
async fn undelivered(w: &mut TecsWorld, label: String) -> anyhow::Result<()> {
    let rec = record(w, &label).await?;
    ensure!(
        rec["status"] == "approved" && rec["response_undelivered"] == true,
        "record `{label}` is not an approved, undelivered one\n  {rec}"
    );
    w.facts
        .messages
        .insert("response_undelivered, approval kept".to_owned());
    Ok(())
}

#[then(regex = r#"^terminal "(\d+)" has (no|\d+) records?$"#)]
async fn record_count(w: &mut TecsWorld, terminal: String, n: String) -> anyhow::Result<()> {
    let n: usize = n.parse().unwrap_or(0);
    w.prepare().await?;
    let v = w.control()?.terminal(&terminal).await?;
    let got = v["records"].as_array().map_or(0, Vec::len);
    ensure!(
        got == n,
        "terminal {terminal} has {got} records, expected {n}\n  {v}"
    );
    Ok(())
}

#[then(regex = r#"^the acquirer has (no|\d+) records? for terminal "(\d+)"$"#)]
async fn acquirer_count(w: &mut TecsWorld, n: String, terminal: String) -> anyhow::Result<()> {
    let n: usize = n.parse().unwrap_or(0);
    let recs = w.control()?.acquirer_records(Some(&terminal)).await?;
    ensure!(
        recs.len() == n,
        "the acquirer has {} records for {terminal}, expected {n}\n  {recs:?}",
        recs.len()
    );
    Ok(())
}

/// TEC-S-017: the repeats of `label` got byte-identical answers and the acquirer authorised
/// once on its terminal.
#[then(
    regex = r#"^every answer to "([^"]+)" is byte-identical and the acquirer authorised it once$"#
)]
async fn replayed(w: &mut TecsWorld, label: String) -> anyhow::Result<()> {
    let all: Vec<&Exchange> = w
        .exchanges
        .iter()
        .filter(|e| e.sent.label == label)
        .collect();
    ensure!(
        all.len() >= 2,
        "`{label}` was answered {} time(s)",
        all.len()
    );
    for e in &all[1..] {
        ensure!(
            e.answer.status == all[0].answer.status && e.answer.body == all[0].answer.body,
            "answers differ:\n  {}\n  {}",
            all[0].answer.text(),
            e.answer.text()
        );
    }
    let terminal = all[0]
        .sent
        .fields
        .get("terminal_number")
        .cloned()
        .unwrap_or_default();
    let recs = w.control()?.acquirer_records(Some(&terminal)).await?;
    let auths = recs
        .iter()
        .filter(|r| r["kind"].get("authorisation").is_some())
        .count();
    ensure!(
        auths == 1,
        "{auths} authorisations at the acquirer\n  {recs:?}"
    );
    w.facts
        .messages
        .insert("replay identical, one authorisation".to_owned());
    Ok(())
}

/// TEC-S-019: the `1091` answer of `label` came with a timeout reversal of its authorisation.
#[then(regex = r#"^the acquirer reversed the authorisation of "([^"]+)"$"#)]
async fn reversed(w: &mut TecsWorld, label: String) -> anyhow::Result<()> {
    let ex = w.answer_of(&label)?.clone();
    ensure!(
        ex.field("response_code") == "1091",
        "`{label}` was not answered 1091{}",
        show(&ex)
    );
    let terminal = ex
        .sent
        .fields
        .get("terminal_number")
        .cloned()
        .unwrap_or_default();
    let recs = w.control()?.acquirer_records(Some(&terminal)).await?;
    let ok = recs.iter().any(|r| {
        r["state"] == "reversed"
            && r["reversed"]["value"].as_u64().is_some_and(|v| v > 0)
            && r["reversed"]["value"] == r["requested"]["value"]
    });
    ensure!(ok, "no reversed authorisation at the acquirer\n  {recs:?}");
    w.facts.messages.insert("timeout reversal".to_owned());
    Ok(())
}
