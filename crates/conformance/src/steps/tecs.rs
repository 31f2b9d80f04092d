//! TECS `Given` and `When` steps: server configuration, customers at the readers, reader and
//! acquirer faults, lost connections, makeTransaction requests (valid and broken) and the
//! virtual clock.

use anyhow::{anyhow, bail, Context as _};
use cucumber::gherkin::Step;
use cucumber::{given, when};
use serde_json::{json, Value};

use super::support::{lit, Body};
use crate::tecs_world::{make_path, string_fields, SentTx, TecsWorld, DEFAULT_TERMINAL};
use crate::world::toml_str;

// ---- Given: configuration (before the first request) ----

/// `Given the TECS setting "host_timeout" is "5s"` (a TOML literal).
#[given(regex = r#"^the TECS setting "([a-z_]+)" is (.+)$"#)]
fn setting(w: &mut TecsWorld, key: String, literal: String) -> anyhow::Result<()> {
    w.configure()?.keys.insert(key, literal);
    Ok(())
}

#[given(regex = r#"^terminal "(\d+)" has no customer$"#)]
fn no_customer(w: &mut TecsWorld, terminal: String) -> anyhow::Result<()> {
    w.configure()?
        .terminal(&terminal)
        .keys
        .insert("no_customer".into(), "true".into());
    Ok(())
}

#[given(regex = r#"^terminal "(\d+)" starts unreachable$"#)]
fn starts_unreachable(w: &mut TecsWorld, terminal: String) -> anyhow::Result<()> {
    w.configure()?
        .terminal(&terminal)
        .keys
        .insert("reachable".into(), "false".into());
    Ok(())
}

/// `Given the customer of terminal "88091105" is scripted with:` `| key | TOML literal |`
/// rows of the `[[tecs.terminal]] customer` table.
#[given(regex = r#"^the customer of terminal "(\d+)" is scripted with:$"#)]
fn scripted(w: &mut TecsWorld, terminal: String, #[step] step: &Step) -> anyhow::Result<()> {
    let rows = table(step)?;
    let t = w.configure()?.terminal(&terminal);
    for (k, v) in rows {
        t.customer.insert(k, v);
    }
    Ok(())
}

#[given(
    regex = r#"^the Basic user "([^"]+)" with password "([^"]+)" may only use terminal "(\d+)"$"#
)]
fn scoped_basic(
    w: &mut TecsWorld,
    user: String,
    password: String,
    terminal: String,
) -> anyhow::Result<()> {
    w.configure()?.keys.insert(
        "basic".into(),
        format!(
            "[{{ user = {}, password = {}, terminals = [{}] }}]",
            toml_str(&user),
            toml_str(&password),
            toml_str(&terminal)
        ),
    );
    Ok(())
}

fn table(step: &Step) -> anyhow::Result<Vec<(String, String)>> {
    let Some(t) = &step.table else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for row in &t.rows {
        let [k, v] = row.as_slice() else {
            bail!("table rows must be | name | value |");
        };
        if (k == "field" || k == "key") && v == "value" {
            continue;
        }
        out.push((k.clone(), v.clone()));
    }
    Ok(out)
}

// ---- Given / When: the simulated world at run time (control API) ----

/// `| field | JSON literal |` rows of `POST /readers/{t}/present` (`card`, `entry`,
/// `after_ms`, `pin`, `tip`, `remove`, `abort_at`).
#[given(regex = r#"^the customer at terminal "(\d+)" will present:$"#)]
async fn will_present(
    w: &mut TecsWorld,
    terminal: String,
    #[step] step: &Step,
) -> anyhow::Result<()> {
    let mut body = serde_json::Map::new();
    for (k, v) in table(step)? {
        let v: Value =
            serde_json::from_str(&v).map_err(|e| anyhow!("`{v}` is not a JSON literal: {e}"))?;
        body.insert(k, v);
    }
    w.prepare().await?;
    w.control()?
        .present(&terminal, Value::Object(body))
        .await
        .context("POST /_payrig/v1/readers/{t}/present")?;
    Ok(())
}

#[given(regex = r#"^the customer at terminal "(\d+)" never presents a card$"#)]
async fn never_presents(w: &mut TecsWorld, terminal: String) -> anyhow::Result<()> {
    w.prepare().await?;
    w.control()?
        .customer(&terminal, "never_present", None)
        .await?;
    Ok(())
}

#[when(regex = r#"^the customer at terminal "(\d+)" cancels at the reader$"#)]
async fn customer_cancels(w: &mut TecsWorld, terminal: String) -> anyhow::Result<()> {
    w.prepare().await?;
    w.control()?.customer(&terminal, "abort", None).await?;
    Ok(())
}

#[given(regex = r#"^the reader of terminal "(\d+)" fails to read the next (\d+) cards?$"#)]
async fn read_failures(w: &mut TecsWorld, terminal: String, n: u32) -> anyhow::Result<()> {
    w.prepare().await?;
    w.control()?
        .reader_fault(&terminal, json!({"kind": "read_failure", "count": n}))
        .await?;
    Ok(())
}

#[given(
    regex = r#"^the acquirer answers "(\d{2})" to the next authorisation on terminal "(\d+)"$"#
)]
async fn acquirer_code(w: &mut TecsWorld, code: String, terminal: String) -> anyhow::Result<()> {
    w.prepare().await?;
    w.control()?
        .add_outcome(
            json!({"match": {"terminal": terminal}, "outcome": {"code": code}, "times": 1}),
        )
        .await?;
    Ok(())
}

#[given(regex = r#"^the acquirer never answers the next authorisation on terminal "(\d+)"$"#)]
async fn acquirer_silent(w: &mut TecsWorld, terminal: String) -> anyhow::Result<()> {
    w.prepare().await?;
    w.control()?
        .add_outcome(
            json!({"match": {"terminal": terminal, "operation": "authorise"}, "outcome": "no_response", "times": 1}),
        )
        .await?;
    Ok(())
}

#[given("the response to the next makeTransaction is lost")]
async fn lost(w: &mut TecsWorld) -> anyhow::Result<()> {
    w.prepare().await?;
    w.control()?
        .add_fault(
            json!({"match": {"protocol": "tecs", "op": "makeTransaction"},
                          "action": {"kind": "close_before_response"}, "times": 1}),
        )
        .await?;
    Ok(())
}

#[given(regex = r#"^terminal "(\d+)" is unreachable$"#)]
#[when(regex = r#"^terminal "(\d+)" becomes unreachable$"#)]
async fn unreachable(w: &mut TecsWorld, terminal: String) -> anyhow::Result<()> {
    w.prepare().await?;
    w.control()?.set_reachable(&terminal, false).await?;
    Ok(())
}

#[when(regex = r"^(\d+) (seconds?|milliseconds?) pass(?:es)?$")]
async fn time_passes(w: &mut TecsWorld, n: u64, unit: String) -> anyhow::Result<()> {
    w.prepare().await?;
    let ms = if unit.starts_with("second") {
        n * 1000
    } else {
        n
    };
    w.control()?.advance_by_ms(ms).await?;
    // Let the server settle what the clock produced.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    Ok(())
}

// ---- When: requests ----

/// The default body: the spec's sale sample (3.2) with the given id and amount.
fn sale_body(id: &str, amount: &str, terminal: &str) -> Body {
    let mut b = Body::default();
    for (k, v) in [
        ("amount", amount),
        ("card_number", ""),
        ("currency", "EUR"),
        ("desired_currency", "EUR"),
        ("ecr_data", ""),
        ("language", "EN"),
        ("message_type", "0001"),
        ("payment_reason", "Test Sale"),
        ("receipt_layout", "01"),
        ("receipt_number", "1"),
        ("terminal_number", terminal),
        ("transaction_date_time", "20240521190912"),
        ("transaction_id", id),
        ("transaction_origin_identifier", "1"),
        ("transaction_origin_indicator", "0"),
        ("transaction_place", "1010"),
        ("transaction_source_id", "1"),
    ] {
        b.set(k, Some(lit(v)));
    }
    b
}

/// `TXID` + the original's id padded to 20; the long form adds `_<src>_<terminal>`.
pub(crate) fn txid(w: &TecsWorld, label: &str, long: bool) -> anyhow::Result<String> {
    let (id, src, terminal) = match w.by_label.get(label) {
        Some(ex) => {
            let f = |n: &str| ex.sent.fields.get(n).cloned().unwrap_or_default();
            (
                f("transaction_id"),
                f("transaction_source_id"),
                f("terminal_number"),
            )
        }
        None => (w.id_of(label), "1".to_owned(), DEFAULT_TERMINAL.to_owned()),
    };
    let mut s = format!("TXID{}", payrig_tecs::wire::pad_id(&id));
    if long {
        s.push_str(&format!("_{src:0>2}_{terminal}"));
    }
    Ok(s)
}

/// Replaces `<id X>`, `<padded X>` (X's id left-padded with `0` to 20), `<TXID X>`,
/// `<TXID-long X>` and `<field X>` (a member of X's answer) in a feature value.
pub(crate) fn expand(w: &TecsWorld, text: &str) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else { break };
        let inner = &rest[i + 1..i + j];
        out.push_str(&rest[..i]);
        let replaced = match inner.split_once(' ') {
            Some(("id", l)) => w.id_of(l),
            Some(("padded", l)) => payrig_tecs::wire::pad_id(&w.id_of(l)),
            Some(("TXID", l)) => txid(w, l, false)?,
            Some(("TXID-long", l)) => txid(w, l, true)?,
            Some((field, l)) if w.by_label.contains_key(l) => w.answer_of(l)?.field(field),
            _ => format!("<{inner}>"),
        };
        out.push_str(&replaced);
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Applies `| field | value |` rows: a plain string value; `<absent>` (or `(absent)` in outlines) removes the field.
fn apply_rows(w: &TecsWorld, body: &mut Body, step: &Step) -> anyhow::Result<()> {
    for (k, v) in table(step)? {
        if v == "<absent>" || v == "(absent)" {
            body.set(&k, None);
        } else {
            body.set(&k, Some(lit(&expand(w, &v)?)));
        }
    }
    Ok(())
}

fn sent_tx(label: &str, path: String, body: &Body) -> SentTx {
    let bytes = body.render().into_bytes();
    SentTx {
        label: label.to_owned(),
        path,
        fields: string_fields(&bytes),
        body: bytes,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        no_auth: false,
        sent_at: None,
    }
}

/// `When the ECR sends a sale "S1" of "1255"`, `… a capture "C1" of "4000" for "P1"`,
/// `… a referenced refund "R1" of "300" for "S1" in long form`, `… a MOTO sale "M1" of
/// "700" for card "4111111111111111_2712"`, optionally `on terminal "T"`, `under
/// "/tecsclientrest-auth"` and `with:` field rows. `sends` waits for the answer (driving the
/// clock); `starts` leaves it pending.
#[when(
    regex = r#"^the ECR (sends|starts) an? (sale with tip|sale|preauthorization|MOTO sale|referenced refund|refund|cancel|capture|abort) "([^"]+)"(?: of "([^"]*)")?(?: for (?:card )?"([^"]*)")?( in long form)?(?: on terminal "(\d+)")?(?: under "([^"]+)")?(?: with:)?$"#
)]
#[allow(clippy::too_many_arguments)]
async fn ecr_sends(
    w: &mut TecsWorld,
    how: String,
    kind: String,
    label: String,
    amount: String,
    reference: String,
    long: String,
    terminal: String,
    base: String,
    #[step] step: &Step,
) -> anyhow::Result<()> {
    w.prepare().await?;
    let terminal = if terminal.is_empty() {
        DEFAULT_TERMINAL.to_owned()
    } else {
        terminal
    };
    let amount = match (amount.is_empty(), kind.as_str()) {
        (false, _) => amount,
        (true, "abort") => "0".to_owned(),
        (true, _) => "1255".to_owned(),
    };
    let id = w.id_of(&label);
    let mut b = sale_body(&id, &amount, &terminal);
    let mut set = |k: &str, v: &str| b.set(k, Some(lit(v)));
    // Without `for "<original>"` the `with:` rows must give card_number.
    let reference_card = |w: &TecsWorld| -> anyhow::Result<String> {
        if reference.is_empty() {
            return Ok(String::new());
        }
        txid(w, &reference, !long.is_empty())
    };
    match kind.as_str() {
        "sale" => {}
        "preauthorization" => set("transaction_origin_identifier", "5"),
        "MOTO sale" => {
            set("transaction_origin_identifier", "2");
            set("transaction_origin_indicator", "2");
            set("card_number", &reference);
            set("cvc2", "");
        }
        "sale with tip" => set("message_type", "0907"),
        "refund" => set("message_type", "0011"),
        "referenced refund" => {
            let card = reference_card(w)?;
            set("message_type", "0011");
            set("transaction_origin_identifier", "2");
            set("transaction_origin_indicator", "2");
            set("card_number", &card);
        }
        "cancel" => {
            let card = reference_card(w)?;
            set("message_type", "0013");
            set("transaction_origin_identifier", "2");
            set("transaction_origin_indicator", "2");
            set("card_number", &card);
        }
        "capture" => {
            let card = reference_card(w)?;
            set("message_type", "0013");
            set("transaction_origin_identifier", "4");
            set("card_number", &card);
        }
        "abort" => set("message_type", "0017"),
        other => bail!("unknown request kind `{other}`"),
    }
    apply_rows(w, &mut b, step)?;
    let base = (!base.is_empty()).then_some(base.as_str());
    let sent = sent_tx(&label, make_path(base), &b);
    if how == "sends" {
        w.send(sent).await?;
    } else {
        w.start(sent).await?;
        // Let the request reach the terminal before the next step.
        settle(w).await?;
    }
    Ok(())
}

/// Waits until the pending request has reached its terminal (or was answered at once).
async fn settle(w: &TecsWorld) -> anyhow::Result<()> {
    let Some(p) = &w.pending else { return Ok(()) };
    let terminal = p.sent.fields.get("terminal_number").cloned();
    let id = p.sent.fields.get("transaction_id").cloned();
    for _ in 0..400 {
        if p.call.is_finished() {
            return Ok(());
        }
        if let (Some(c), Some(t), Some(id)) = (&w.control, &terminal, &id) {
            if let Ok(v) = c.terminal(t).await {
                let known = v["records"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|x| x["transaction_id"] == id.as_str()));
                if known && v["state"] != "Idle" {
                    return Ok(());
                }
            }
        } else {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    bail!("the pending request did not reach its terminal")
}

/// A sale with one header replaced, or without `Authorization`.
#[when(
    regex = r#"^the ECR sends a sale "([^"]+)"(?: on terminal "(\d+)")? (?:with the header "([^"]+)" set to "([^"]*)"|(without an Authorization header))$"#
)]
async fn sale_with_header(
    w: &mut TecsWorld,
    label: String,
    terminal: String,
    name: String,
    value: String,
    without: String,
) -> anyhow::Result<()> {
    w.prepare().await?;
    let terminal = if terminal.is_empty() {
        DEFAULT_TERMINAL.to_owned()
    } else {
        terminal
    };
    let b = sale_body(&w.id_of(&label), "1255", &terminal);
    let mut sent = sent_tx(&label, make_path(None), &b);
    if without.is_empty() {
        sent.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
        sent.headers.push((name, value));
    } else {
        sent.no_auth = true;
    }
    w.send(sent).await?;
    Ok(())
}

/// A raw body (`<id X>` and the other placeholders are expanded).
#[when(regex = r#"^the ECR sends the request "([^"]+)" with the body:$"#)]
async fn raw_body(w: &mut TecsWorld, label: String, #[step] step: &Step) -> anyhow::Result<()> {
    w.prepare().await?;
    let text = step
        .docstring
        .as_deref()
        .ok_or_else(|| anyhow!("a doc string is needed"))?
        .trim()
        .to_owned();
    let text = expand(w, &text)?;
    let bytes = text.into_bytes();
    let sent = SentTx {
        label,
        path: make_path(None),
        fields: string_fields(&bytes),
        body: bytes,
        headers: vec![("Content-Type".into(), "application/json".into())],
        no_auth: false,
        sent_at: None,
    };
    w.send(sent).await?;
    Ok(())
}

/// The exact bytes of an earlier request again (same id, same content).
#[when(regex = r#"^the ECR (sends|starts) the request "([^"]+)" again$"#)]
async fn again(w: &mut TecsWorld, how: String, label: String) -> anyhow::Result<()> {
    let sent = w
        .exchanges
        .iter()
        .rev()
        .find(|e| e.sent.label == label)
        .map(|e| e.sent.clone())
        .or_else(|| {
            w.pending
                .as_ref()
                .filter(|p| p.sent.label == label)
                .map(|p| p.sent.clone())
        })
        .ok_or_else(|| anyhow!("`{label}` was not sent yet"))?;
    if how == "sends" {
        w.send(sent).await?;
    } else {
        w.start(sent).await?;
    }
    Ok(())
}

#[when(regex = r#"^the ECR asks for the version under "([^"]+)"$"#)]
async fn version(w: &mut TecsWorld, base: String) -> anyhow::Result<()> {
    w.prepare().await?;
    let sent = SentTx {
        label: format!("version {base}"),
        path: format!("{base}/version"),
        fields: Default::default(),
        body: Vec::new(),
        headers: Vec::new(),
        no_auth: true,
        sent_at: None,
    };
    w.send(sent).await?;
    Ok(())
}

#[when(regex = r#"^the ECR sends "([A-Z]+)" "([^"]+)"$"#)]
async fn any_request(w: &mut TecsWorld, method: String, path: String) -> anyhow::Result<()> {
    w.prepare().await?;
    let resp = w
        .tecs()?
        .raw(&method, &path, &[], None)
        .await
        .with_context(|| format!("{method} {path}"))?;
    let sent = SentTx {
        label: format!("{method} {path}"),
        path,
        fields: Default::default(),
        body: Vec::new(),
        headers: Vec::new(),
        no_auth: false,
        sent_at: None,
    };
    w.record(sent, resp)?;
    Ok(())
}

/// Drives the clock until the pending request is answered.
#[when("the pending request is answered")]
async fn pending_answered(w: &mut TecsWorld) -> anyhow::Result<()> {
    w.finish_pending().await?;
    Ok(())
}

/// The pending request's connection is closed unanswered (a lost response): drives the clock
/// until the call ends and expects a transport failure, not an answer.
#[when("the pending request loses its connection")]
async fn pending_lost(w: &mut TecsWorld) -> anyhow::Result<()> {
    let Some(mut p) = w.pending.take() else {
        bail!("no request is pending");
    };
    match w.drive(&mut p.call, Some(&p.sent)).await {
        Err(e) if format!("{e:#}").contains("makeTransaction failed") => Ok(()),
        Err(e) => Err(e),
        Ok(r) => bail!(
            "`{}` got a complete answer, HTTP {}: {}",
            p.sent.label,
            r.status,
            r.text()
        ),
    }
}
