//! ATIONet `Given` and `When` steps: site configuration, requests (valid and malformed), the
//! pump, the session and the virtual clock.

use anyhow::{anyhow, bail, ensure, Context as _};
use cucumber::gherkin::Step;
use cucumber::{given, when};
use payrig_client::RawResponse;
use serde_json::Value;

use super::support::{lit, Body};
use crate::world::{toml_str, AtnWorld, Sent};

/// The default site of the reference server.
pub(crate) const SITE: &str = "1524";

const CREATE_MOBILE: &str = "/api/MobilePayments";
const CREATE_PREAUTH: &str = "/api/PreAuthorizedPayments";
const CANCEL: &str = "/api/MobilePayments/Cancel";
const PROMPTS: &str = "/api/MobilePayments/PromptPreauthorizations";

// ---- Given: configuration ----

#[given(regex = r#"^the site "([^"]+)" has pump (\d+) (idle|busy|offline)$"#)]
fn pump_condition(w: &mut AtnWorld, site: String, pump: u8, state: String) -> anyhow::Result<()> {
    w.configure()?.site(&site).pumps.insert(pump, (state, None));
    Ok(())
}

#[given(regex = r#"^pump (\d+) of site "([^"]+)" only carries grades "([^"]*)"$"#)]
fn pump_grades(w: &mut AtnWorld, pump: u8, site: String, grades: String) -> anyhow::Result<()> {
    let list: Vec<String> = grades.split(',').map(|g| toml_str(g.trim())).collect();
    w.configure()?.site(&site).pumps.insert(
        pump,
        ("idle".to_owned(), Some(format!("[{}]", list.join(", ")))),
    );
    Ok(())
}

#[given("prompting is enabled")]
fn prompting_enabled(w: &mut AtnWorld) -> anyhow::Result<()> {
    w.configure()?.api.insert("prompting".into(), "true".into());
    Ok(())
}

#[given("the site never replies")]
fn site_never_replies(w: &mut AtnWorld) -> anyhow::Result<()> {
    site_key(w, "reply_delay", &toml_str("none"))
}

#[given("the site session is down")]
fn session_down(w: &mut AtnWorld) -> anyhow::Result<()> {
    site_key(w, "session", &toml_str("down"))
}

#[given(regex = r"^the site (refuses|fails) fuel point authorizations$")]
fn site_authorize(w: &mut AtnWorld, how: String) -> anyhow::Result<()> {
    let v = if how == "refuses" { "refused" } else { "fail" };
    site_key(w, "authorize", &toml_str(v))
}

#[given("the site's preauthorization timeout is off")]
fn t_site_off(w: &mut AtnWorld) -> anyhow::Result<()> {
    site_key(w, "t_site", &toml_str("off"))
}

#[given("the driver never lifts the nozzle")]
fn never_lifts(w: &mut AtnWorld) -> anyhow::Result<()> {
    w.configure()?
        .site(SITE)
        .customer
        .insert("lift_delay".into(), toml_str("never"));
    Ok(())
}

#[given(regex = r#"^the driver hangs up at "([^"]+)"$"#)]
fn hangs_up_at(w: &mut AtnWorld, volume: String) -> anyhow::Result<()> {
    w.configure()?
        .site(SITE)
        .customer
        .insert("hang_up_at".into(), toml_str(&volume));
    Ok(())
}

#[given("the create queue is faulty")]
fn queue_fault(w: &mut AtnWorld) -> anyhow::Result<()> {
    w.configure()?
        .api
        .insert("queue_fault".into(), "true".into());
    Ok(())
}

/// `Given the ATIONet setting "on_key_mismatch" is "return_existing"` (a TOML literal).
#[given(regex = r#"^the ATIONet setting "([a-z_]+)" is (.+)$"#)]
fn api_setting(w: &mut AtnWorld, key: String, literal: String) -> anyhow::Result<()> {
    w.configure()?.api.insert(key, literal);
    Ok(())
}

/// `Given the site setting "preset_unit" is "money"` (a TOML literal, site 1524).
#[given(regex = r#"^the site setting "([a-z_]+)" is (.+)$"#)]
fn site_setting(w: &mut AtnWorld, key: String, literal: String) -> anyhow::Result<()> {
    site_key(w, &key, &literal)
}

fn site_key(w: &mut AtnWorld, key: &str, literal: &str) -> anyhow::Result<()> {
    w.configure()?
        .site(SITE)
        .keys
        .insert(key.to_owned(), literal.to_owned());
    Ok(())
}

// ---- When: creates ----

/// The default body of each create operation (the seed's samples), with a fresh key.
fn default_body(w: &mut AtnWorld, op: &str) -> Body {
    let key = w.mint_key();
    let mut b = Body::default();
    b.set("siteCode", Some(lit(SITE)));
    b.set("pumpNumber", Some("1".into()));
    b.set("fuelCode", Some(lit("3")));
    b.set("amount", Some("9".into()));
    if op == "MobilePayments" {
        b.set("primaryTrack", Some(lit("0000000000001")));
        b.set("terminalCode", Some(lit("S2G321")));
        b.set("mobilePaymentMode", Some("1".into()));
        b.set("potencyKeyId", Some(lit(&key)));
    } else {
        b.set("mobilePaymentMode", Some("1".into()));
        b.set("potencyKeyId", Some(lit(&key)));
        b.set("externalReferanceID", Some(lit("854712")));
    }
    b
}

/// Applies a `| field | value |` table: values are JSON literals, `<absent>` removes the
/// field, `<same key>` is the previous request's key, `<new key>` a fresh one.
fn apply_table(w: &mut AtnWorld, body: &mut Body, step: &Step) -> anyhow::Result<()> {
    let Some(table) = &step.table else {
        return Ok(());
    };
    for row in &table.rows {
        let [name, value] = row.as_slice() else {
            bail!("table rows must be | field | value |");
        };
        if name == "field" && value == "value" {
            continue;
        }
        let literal = match value.as_str() {
            "<absent>" => None,
            "<same key>" => Some(lit(w
                .last_sent
                .as_ref()
                .and_then(|s| s.key.clone())
                .ok_or_else(|| anyhow!("no previous key"))?
                .as_str())),
            "<new key>" => Some(lit(&w.mint_key())),
            v => Some(v.to_owned()),
        };
        body.set(name, literal);
    }
    Ok(())
}

fn key_of(body: &Body) -> Option<String> {
    body.get("potencyKeyId")
        .and_then(|v| serde_json::from_str::<String>(v).ok())
}

/// Sends a request and records it; a 200 create answer sets the current transaction.
pub(crate) async fn send(
    w: &mut AtnWorld,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<String>,
    key: Option<String>,
) -> anyhow::Result<RawResponse> {
    w.prepare().await?;
    let resp = w
        .atn()?
        .raw(method, path, headers, body.clone().map(String::into_bytes))
        .await
        .with_context(|| format!("{method} {path}"))?;
    let is_create =
        path.eq_ignore_ascii_case(CREATE_MOBILE) || path.eq_ignore_ascii_case(CREATE_PREAUTH);
    if is_create && resp.status == 200 {
        if let Ok(Some(id)) = super::support::raw_member(&resp.body, "transactionId") {
            if let Ok(id) = serde_json::from_str::<String>(&id) {
                w.tx = Some(id);
            }
        }
    }
    if path.eq_ignore_ascii_case(CANCEL) && resp.status == 200 {
        let v: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
        if let Some(code) = v.get("responseCode").and_then(Value::as_str) {
            w.facts.cancel_codes.insert(code.to_owned());
        }
    }
    w.last_sent = Some(Sent {
        method: method.to_owned(),
        path: path.to_owned(),
        body,
        key,
    });
    w.last = Some(resp.clone());
    Ok(resp)
}

fn json_headers() -> Vec<(String, String)> {
    vec![("Content-Type".to_owned(), "application/json".to_owned())]
}

fn create_path(op: &str) -> &'static str {
    if op == "MobilePayments" {
        CREATE_MOBILE
    } else {
        CREATE_PREAUTH
    }
}

#[when(regex = r"^the MPA sends an? (MobilePayments|PreAuthorizedPayments) request(?: with:)?$")]
async fn send_create(w: &mut AtnWorld, op: String, #[step] step: &Step) -> anyhow::Result<()> {
    let mut body = default_body(w, &op);
    apply_table(w, &mut body, step)?;
    let key = key_of(&body);
    send(
        w,
        "POST",
        create_path(&op),
        &json_headers(),
        Some(body.render()),
        key,
    )
    .await?;
    Ok(())
}

/// Uses the typed client (`payrig-client`) for a plain MobilePayments purchase.
#[when(
    regex = r#"^the MPA buys (\d+(?:\.\d+)?) of grade "([^"]+)" at pump (\d+) with card "([^"]+)"$"#
)]
async fn buy(
    w: &mut AtnWorld,
    amount: String,
    grade: String,
    pump: u8,
    card: String,
) -> anyhow::Result<()> {
    w.prepare().await?;
    let key = w.mint_key();
    let req = payrig_ationet::wire::MobilePaymentsRequest {
        site_code: SITE.to_owned(),
        pump_number: pump,
        fuel_code: grade,
        amount: payrig_core::Decimal::parse(&amount).map_err(|e| anyhow!("{amount}: {e}"))?,
        primary_track: card,
        terminal_code: "S2G321".to_owned(),
        mobile_payment_mode: 1,
        potency_key_id: key.clone(),
        external_referance_id: None,
    };
    let created = w
        .atn()?
        .mobile_payments(&req)
        .await
        .context("POST /api/MobilePayments")?;
    w.tx = Some(created.transaction_id.clone());
    w.last_sent = Some(Sent {
        method: "POST".into(),
        path: CREATE_MOBILE.into(),
        body: Some(String::from_utf8_lossy(&req.encode()).into_owned()),
        key: Some(key),
    });
    w.last = Some(RawResponse {
        status: 200,
        headers: Vec::new(),
        body: payrig_ationet::wire::encode_create_response(&created.transaction_id),
    });
    Ok(())
}

#[when("the MPA sends the same request again")]
async fn send_again(w: &mut AtnWorld) -> anyhow::Result<()> {
    let sent = w
        .last_sent
        .clone()
        .ok_or_else(|| anyhow!("nothing was sent yet"))?;
    send(
        w,
        &sent.method,
        &sent.path,
        &json_headers(),
        sent.body,
        sent.key,
    )
    .await?;
    Ok(())
}

/// Any request; `<id>` in the path or body stands for the current transaction. An optional
/// header replaces the default one of the same name.
#[when(
    regex = r#"^the MPA sends "([A-Z]+)" "([^"]+)"(?: with the header "([^"]+)" set to "([^"]*)")?(?: (?:with|and) body:)?$"#
)]
async fn send_raw(
    w: &mut AtnWorld,
    method: String,
    path: String,
    header: String,
    value: String,
    #[step] step: &Step,
) -> anyhow::Result<()> {
    let id = w.tx.clone().unwrap_or_default();
    let path = path.replace("<id>", &id);
    let body = step
        .docstring
        .as_ref()
        .map(|d| d.trim().replace("<id>", &id));
    let mut headers = if body.is_some() {
        json_headers()
    } else {
        Vec::new()
    };
    if !header.is_empty() {
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&header));
        headers.push((header, value));
    }
    send(w, &method, &path, &headers, body, None).await?;
    Ok(())
}

#[when(
    regex = r#"^the MPA sends a MobilePayments request with the header "([^"]+)" set to "([^"]*)"$"#
)]
async fn send_with_header(w: &mut AtnWorld, name: String, value: String) -> anyhow::Result<()> {
    let body = default_body(w, "MobilePayments");
    let mut headers = json_headers();
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
    headers.push((name, value));
    let key = key_of(&body);
    send(w, "POST", CREATE_MOBILE, &headers, Some(body.render()), key).await?;
    Ok(())
}

#[when("the MPA sends a MobilePayments request without a token")]
async fn send_without_token(w: &mut AtnWorld) -> anyhow::Result<()> {
    w.prepare().await?;
    let body = default_body(w, "MobilePayments");
    let key = key_of(&body);
    let base = w.atn()?.base_url().to_owned();
    let bare = payrig_client::AtionetClient::with_http(reqwest::Client::new(), base, None);
    let resp = bare
        .raw(
            "POST",
            CREATE_MOBILE,
            &json_headers(),
            Some(body.render().into_bytes()),
        )
        .await?;
    w.last_sent = Some(Sent {
        method: "POST".into(),
        path: CREATE_MOBILE.into(),
        body: Some(body.render()),
        key,
    });
    w.last = Some(resp);
    Ok(())
}

/// Creates one more purchase and keeps its id as the current transaction.
#[when(regex = r"^(\d+) clients send the same MobilePayments request concurrently$")]
async fn burst(w: &mut AtnWorld, n: usize) -> anyhow::Result<()> {
    ensure!(n > 0, "at least one client");
    w.prepare().await?;
    let body = default_body(w, "MobilePayments");
    let key = key_of(&body);
    let text = body.render();
    let client = w.atn()?.clone();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let c = client.clone();
        let b = text.clone().into_bytes();
        set.spawn(async move { c.raw("POST", CREATE_MOBILE, &json_headers(), Some(b)).await });
    }
    let mut out = Vec::with_capacity(n);
    while let Some(r) = set.join_next().await {
        out.push(r.context("client task")??);
    }
    w.tx = key.clone();
    w.last_sent = Some(Sent {
        method: "POST".into(),
        path: CREATE_MOBILE.into(),
        body: Some(text),
        key,
    });
    w.last = out.first().cloned();
    w.burst = out;
    Ok(())
}

// ---- When: GetTransaction, Cancel, prompts ----

#[when(regex = r#"^the MPA gets the transaction(?: "([^"]+)")?$"#)]
async fn get_tx(w: &mut AtnWorld, id: String) -> anyhow::Result<()> {
    let id = if id.is_empty() { w.tx()? } else { id };
    let path = format!("/api/MobilePayments/GetTransaction/{id}");
    let resp = send(w, "GET", &path, &[], None, None).await?;
    if resp.status == 200 {
        let v: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
        if let Some(s) = v.get("state_Id").and_then(Value::as_u64) {
            w.facts.states.extend(u8::try_from(s).ok());
        }
    }
    Ok(())
}

#[when(regex = r#"^the MPA cancels the transaction(?: "([^"]+)")?$"#)]
async fn cancel(w: &mut AtnWorld, id: String) -> anyhow::Result<()> {
    let id = if id.is_empty() { w.tx()? } else { id };
    let body = format!(r#"{{"transactionId":{}}}"#, lit(&id));
    send(w, "POST", CANCEL, &json_headers(), Some(body), None).await?;
    Ok(())
}

#[when("the MPA answers the prompts with:")]
async fn answer_prompts(w: &mut AtnWorld, #[step] step: &Step) -> anyhow::Result<()> {
    let mut data = Body::default();
    if let Some(t) = &step.table {
        for row in &t.rows {
            let [name, value] = row.as_slice() else {
                bail!("table rows must be | name | answer |");
            };
            data.set(name, Some(lit(value)));
        }
    }
    let body = format!(
        r#"{{"idTransaction":{},"customerData":{}}}"#,
        lit(&w.tx()?),
        data.render()
    );
    send(w, "POST", PROMPTS, &json_headers(), Some(body), None).await?;
    Ok(())
}

// ---- When: pump, session, clock ----

#[when(regex = r"^the driver (lifts|hangs up) the nozzle(?: (\d+))? of pump (\d+)$")]
async fn nozzle(w: &mut AtnWorld, action: String, which: String, pump: u8) -> anyhow::Result<()> {
    w.prepare().await?;
    let lift = if action == "lifts" {
        Some(which.parse::<u8>().unwrap_or(1))
    } else {
        None
    };
    w.control()?
        .nozzle(pump, lift, Some(SITE))
        .await
        .context("POST /_payrig/v1/pumps/{fp}/nozzle")?;
    Ok(())
}

#[when(regex = r"^pump (\d+) goes (offline|busy|back to normal)$")]
async fn pump_fault(w: &mut AtnWorld, pump: u8, kind: String) -> anyhow::Result<()> {
    w.prepare().await?;
    let kind = if kind == "back to normal" {
        "clear"
    } else {
        kind.as_str()
    };
    w.control()?.pump_fault(pump, kind, Some(SITE)).await?;
    Ok(())
}

#[when(regex = r"^the site session goes (down|up)$")]
async fn session(w: &mut AtnWorld, dir: String) -> anyhow::Result<()> {
    w.prepare().await?;
    w.control()?.session(SITE, dir == "up").await?;
    Ok(())
}

#[when(regex = r"^(\d+) (seconds?|milliseconds?) pass(?:es)?$")]
async fn time_passes(w: &mut AtnWorld, n: u64, unit: String) -> anyhow::Result<()> {
    w.prepare().await?;
    let ms = if unit.starts_with("second") {
        n * 1000
    } else {
        n
    };
    w.control()?.advance_by_ms(ms).await?;
    Ok(())
}

#[when("the clock runs until idle")]
async fn until_idle(w: &mut AtnWorld) -> anyhow::Result<()> {
    w.prepare().await?;
    w.control()?.advance_until_idle(3_600_000).await?;
    Ok(())
}

#[when(regex = r"^the clock runs until the transaction is in state (\d+)$")]
async fn until_state(w: &mut AtnWorld, state: u8) -> anyhow::Result<()> {
    run_until_state(w, state).await
}

/// Advances the virtual clock deadline by deadline until the current transaction is in
/// `state`; fails if it ends in another terminal state or the clock goes idle first.
pub(crate) async fn run_until_state(w: &mut AtnWorld, state: u8) -> anyhow::Result<()> {
    w.prepare().await?;
    let id = w.tx()?;
    let mut seen = Vec::new();
    for _ in 0..20_000 {
        let rec = w
            .control()?
            .transaction(&id)
            .await
            .with_context(|| format!("GET /_payrig/v1/transactions/{id}"))?;
        w.facts
            .states
            .extend(rec.history.iter().map(|h| h.state_id));
        if seen.last() != Some(&rec.state_id) {
            seen.push(rec.state_id);
        }
        if rec.state_id == state {
            return Ok(());
        }
        if payrig_ationet::StateId::from_id(rec.state_id).is_some_and(|s| s.is_terminal()) {
            bail!(
                "transaction {id} ended in state {} \"{}\" without reaching state {state} (seen {seen:?})",
                rec.state_id,
                rec.state_name
            );
        }
        let Some(next) = w.control()?.next_deadline().await? else {
            bail!(
                "clock idle in state {} \"{}\" before state {state} (seen {seen:?})",
                rec.state_id,
                rec.state_name
            );
        };
        w.control()?.advance_to(&next).await?;
    }
    bail!("state {state} not reached after 20000 deadlines (seen {seen:?})")
}
