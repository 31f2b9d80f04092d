//! The cucumber world of the TECS suite: one per scenario.
//!
//! As for ATIONet ([`crate::world`]), `Given` steps that change the server's configuration edit
//! [`TecsScenario`]; the first step that talks to the target applies it
//! ([`TecsWorld::prepare`]): the embedded target starts its own server (virtual clock), a
//! remote payrig gets `POST /_payrig/v1/reset` with the scenario TOML.
//!
//! `makeTransaction` blocks until the simulated customer and acquirer are done, so a request is
//! sent from a spawned task and [`TecsWorld::drive`] advances the virtual clock deadline by
//! deadline until the call returns (bounded). `When the ECR starts …` leaves the call pending
//! for later steps (an abort, a busy terminal, a lost connection).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use payrig_client::tecs::{TecsAuth, TecsClient, TecsControl, BASE_PATH};
use payrig_client::{ClientError, ControlClient, RawResponse};
use serde_json::{Map, Value};
use tokio::task::JoinHandle;

use crate::target::scenario_seed;
use crate::world::{toml_str, Embedded, RunContext, ScenarioFacts};

/// Environment variable with the whole `Authorization` value sent to a remote TECS target.
pub const TECS_AUTH_ENV: &str = "PAYRIG_TECS_AUTHORIZATION";

/// The default `Authorization` of payrig's TECS reference server (tecs spec 2, D2).
pub const DEFAULT_TECS_AUTHORIZATION: &str = "Bearer tecs-test-token";

/// The terminal scenarios use unless they name one.
pub const DEFAULT_TERMINAL: &str = "88091105";

/// The 26 members of a TransactionResponse (spec 3.2, D5: always all present).
pub const RESPONSE_FIELDS: [&str; 26] = [
    "message_type",
    "response_code",
    "response_text",
    "authorization_number",
    "transaction_id",
    "transaction_date_time",
    "transaction_type",
    "card_number",
    "credit_card_issuer_and_acquirer_company",
    "stan",
    "receipt_header",
    "receipt_footer",
    "svc",
    "vu_number",
    "merchant_name",
    "merchant_address",
    "operator_id",
    "orig_stan",
    "orig_tx_id",
    "serien_nr",
    "ecr_data",
    "balance_amount",
    "bonus_point",
    "exchange_rate",
    "ex_fee",
    "foreign_tx_amount",
];

/// The scenario's `[tecs]` configuration, written as TOML for the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TecsScenario {
    /// Top-level `[tecs]` keys, values as TOML literals.
    pub keys: BTreeMap<String, String>,
    /// `[[tecs.terminal]]` tables by number; empty = the three default terminals.
    pub terminals: BTreeMap<String, TerminalSpec>,
}

/// One `[[tecs.terminal]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminalSpec {
    /// Terminal keys (`reachable`, `no_customer`), values as TOML literals.
    pub keys: BTreeMap<String, String>,
    /// `customer` keys, values as TOML literals; empty = the default customer.
    pub customer: BTreeMap<String, String>,
}

impl TecsScenario {
    /// True when nothing differs from the defaults.
    pub fn is_default(&self) -> bool {
        self.keys.is_empty() && self.terminals.is_empty()
    }

    /// The terminal `number`; the first call lists the default terminals too, since any
    /// `[[tecs.terminal]]` replaces them.
    pub fn terminal(&mut self, number: &str) -> &mut TerminalSpec {
        if self.terminals.is_empty() {
            for t in payrig_world::tecs::DEFAULT_TERMINALS {
                self.terminals.insert(t.to_owned(), TerminalSpec::default());
            }
        }
        self.terminals.entry(number.to_owned()).or_default()
    }

    /// The scenario TOML.
    pub fn to_toml(&self) -> String {
        let mut out = String::from("[tecs]\n");
        for (k, v) in &self.keys {
            out.push_str(&format!("{k} = {v}\n"));
        }
        for (n, t) in &self.terminals {
            out.push_str(&format!("\n[[tecs.terminal]]\nnumber = {}\n", toml_str(n)));
            for (k, v) in &t.keys {
                out.push_str(&format!("{k} = {v}\n"));
            }
            if !t.customer.is_empty() {
                let parts: Vec<String> = t
                    .customer
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect();
                out.push_str(&format!("customer = {{ {} }}\n", parts.join(", ")));
            }
        }
        out
    }
}

/// A request the scenario sent, kept for repeats, references and facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentTx {
    /// The label the feature used (`S1`).
    pub label: String,
    /// Base path and endpoint (`/tecsclientrest/makeTransaction`).
    pub path: String,
    /// The body's members, when it was a JSON object of strings (for facts and references).
    pub fields: BTreeMap<String, String>,
    /// The exact body bytes.
    pub body: Vec<u8>,
    /// Extra headers (an `Authorization` here replaces the default one).
    pub headers: Vec<(String, String)>,
    /// Send no `Authorization` header at all.
    pub no_auth: bool,
    /// Virtual `now` when it was sent (RFC 3339), when the target has a virtual clock.
    pub sent_at: Option<String>,
}

/// A makeTransaction in flight.
#[derive(Debug)]
pub struct Pending {
    /// What was sent.
    pub sent: SentTx,
    /// The call.
    pub call: JoinHandle<Result<RawResponse, ClientError>>,
}

/// One answer with the request it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The request.
    pub sent: SentTx,
    /// The answer.
    pub answer: RawResponse,
}

impl Exchange {
    /// The answer as a JSON object (`Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.answer.body).unwrap_or(Value::Null)
    }

    /// A string member of the answer (`""` if absent).
    pub fn field(&self, name: &str) -> String {
        self.json()
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }
}

/// The per-scenario world.
#[derive(Debug, Default, cucumber::World)]
pub struct TecsWorld {
    /// Shared run context (set by the runner's before-hook).
    pub ctx: Option<Arc<RunContext>>,
    /// Scenario display name.
    pub scenario: String,
    /// Scenario seed.
    pub seed: u64,
    /// The embedded server, once started.
    pub server: Option<Embedded>,
    /// TECS client, once the target is up.
    pub tecs: Option<TecsClient>,
    /// TECS control client, if the target has a control API.
    pub control: Option<TecsControl>,
    /// Generic control client (reset), if the target has a control API.
    pub reset: Option<ControlClient>,
    /// Whether the target's clock is virtual.
    pub virtual_time: bool,
    /// Configuration to apply.
    pub config: TecsScenario,
    /// Whether `config` is in force on the target.
    pub applied: bool,
    /// Labels whose real transaction ids carry a suffix (targets without reset).
    pub id_suffix: String,
    /// Every answered exchange, in order.
    pub exchanges: Vec<Exchange>,
    /// Answered exchanges by label (the last one wins).
    pub by_label: BTreeMap<String, Exchange>,
    /// The request in flight, if any.
    pub pending: Option<Pending>,
    /// Facts for coverage.
    pub facts: ScenarioFacts,
    /// Labels minted so far.
    pub minted: u32,
    /// When the scenario started.
    pub started: Option<Instant>,
}

/// Hard bound of one driven call in wall time.
const DRIVE_WALL: Duration = Duration::from_secs(60);

impl TecsWorld {
    /// Binds the world to the run and the scenario (before-hook). A remote payrig with a
    /// control API is reset with the scenario seed.
    pub async fn bind(&mut self, ctx: Arc<RunContext>, scenario: &str) -> anyhow::Result<()> {
        self.started = Some(Instant::now());
        self.seed = scenario_seed(ctx.seed, scenario);
        self.scenario = scenario.to_owned();
        if let crate::target::TargetSpec::Remote { base_url, .. } = &ctx.target.spec {
            let auth = std::env::var(TECS_AUTH_ENV)
                .unwrap_or_else(|_| DEFAULT_TECS_AUTHORIZATION.to_owned());
            self.tecs = Some(TecsClient::new(base_url.clone(), parse_auth(&auth)));
            self.virtual_time = ctx.target.caps.virtual_time;
            if let Some(url) = &ctx.target.control_url {
                let reset = ControlClient::new(url.clone());
                reset
                    .reset(Some(self.seed), None)
                    .await
                    .context("POST /_payrig/v1/reset")?;
                self.reset = Some(reset);
                self.control = Some(TecsControl::new(url.clone()));
            } else {
                // Letters and digits only: the suffix ends up inside TXID references, whose
                // id part is alphanumeric (tecs spec 3.3).
                self.id_suffix = format!("x{:06x}", self.seed & 0xff_ffff);
            }
            self.applied = true;
        }
        self.ctx = Some(ctx);
        Ok(())
    }

    /// Applies the configuration if needed: starts the embedded server, or resets the remote
    /// payrig with the scenario TOML. Every step that talks to the target calls it.
    pub async fn prepare(&mut self) -> anyhow::Result<()> {
        let ctx = self
            .ctx
            .clone()
            .ok_or_else(|| anyhow!("world not bound to a run"))?;
        if ctx.target.is_embedded() {
            if self.server.is_some() {
                return Ok(());
            }
            let toml = self.config.to_toml();
            let tecs = payrig_world::tecs::TecsConfig::from_toml(&toml)
                .map_err(|e| anyhow!("scenario TOML rejected: {e}\n{toml}"))?;
            let cfg = payrig_server::ServerConfig {
                listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                clock: payrig_server::ClockMode::Virtual,
                seed: self.seed,
                ationet: payrig_world::ationet::AtionetConfig::default(),
                tecs,
                control: true,
                control_token: None,
                journal_capacity: payrig_server::journal::DEFAULT_CAPACITY,
            };
            let server = payrig_server::start(cfg)
                .await
                .map_err(|e| anyhow!("embedded server did not start: {e}"))?;
            let base = server.base_url();
            self.tecs = Some(TecsClient::new(
                base.clone(),
                parse_auth(DEFAULT_TECS_AUTHORIZATION),
            ));
            self.control = Some(TecsControl::new(base.clone()));
            self.reset = Some(ControlClient::new(base));
            self.server = Some(Embedded(server));
            self.virtual_time = true;
            self.applied = true;
            return Ok(());
        }
        if !self.applied {
            let reset = self
                .reset
                .as_ref()
                .ok_or_else(|| anyhow!("this step needs the target's control API"))?;
            let toml = self.config.to_toml();
            reset
                .reset(Some(self.seed), Some(&toml))
                .await
                .with_context(|| format!("POST /_payrig/v1/reset with\n{toml}"))?;
            self.applied = true;
        }
        Ok(())
    }

    /// The configuration, for a `Given` step that changes it.
    pub fn configure(&mut self) -> anyhow::Result<&mut TecsScenario> {
        if self.server.is_some() || (self.applied && self.reset.is_none()) {
            bail!("configuration steps must come before the first request");
        }
        if self.reset.is_none() && self.ctx.as_ref().is_some_and(|c| !c.target.is_embedded()) {
            bail!("configuring the server needs the target's control API");
        }
        self.applied = false;
        Ok(&mut self.config)
    }

    /// The TECS client (after [`TecsWorld::prepare`]).
    pub fn tecs(&self) -> anyhow::Result<&TecsClient> {
        self.tecs
            .as_ref()
            .ok_or_else(|| anyhow!("target not prepared"))
    }

    /// The control client; an error on targets without one.
    pub fn control(&self) -> anyhow::Result<&TecsControl> {
        self.control
            .as_ref()
            .ok_or_else(|| anyhow!("this step needs the target's control API"))
    }

    /// The real `transaction_id` of a label.
    pub fn id_of(&self, label: &str) -> String {
        format!("{label}{}", self.id_suffix)
    }

    /// A fresh label (`X1`, `X2`...).
    pub fn mint(&mut self) -> String {
        self.minted += 1;
        format!("X{}", self.minted)
    }

    /// The last answered exchange.
    pub fn last(&self) -> anyhow::Result<&Exchange> {
        self.exchanges
            .last()
            .ok_or_else(|| anyhow!("no answer was received yet"))
    }

    /// The answered exchange of `label`.
    pub fn answer_of(&self, label: &str) -> anyhow::Result<&Exchange> {
        self.by_label
            .get(label)
            .ok_or_else(|| anyhow!("no answer for `{label}` yet"))
    }

    /// Virtual `now`, if the target has a control API.
    async fn clock_now(&self) -> Option<String> {
        let c = self.control.as_ref()?;
        let v = c.clock().await.ok()?;
        v["now"].as_str().map(str::to_owned)
    }

    /// Spawns the HTTP call of `sent` (the virtual time of sending is noted first).
    async fn spawn(&mut self, mut sent: SentTx) -> anyhow::Result<Pending> {
        self.prepare().await?;
        sent.sent_at = self.clock_now().await;
        let client = if sent.no_auth {
            self.tecs()?.with_auth(TecsAuth::None)
        } else {
            self.tecs()?.clone()
        };
        let (path, headers, body) = (sent.path.clone(), sent.headers.clone(), sent.body.clone());
        let get = body.is_empty() && path.ends_with("/version");
        let call = tokio::spawn(async move {
            if get {
                client.raw("GET", &path, &headers, None).await
            } else {
                client.raw("POST", &path, &headers, Some(body)).await
            }
        });
        Ok(Pending { sent, call })
    }

    /// Sends a request and leaves it pending (one at a time) for later steps.
    pub async fn start(&mut self, sent: SentTx) -> anyhow::Result<()> {
        if let Some(p) = &self.pending {
            bail!(
                "request `{}` is still pending; finish it before starting another",
                p.sent.label
            );
        }
        let p = self.spawn(sent).await?;
        self.pending = Some(p);
        Ok(())
    }

    /// Sends a request and drives the clock until it is answered (a pending request, if any,
    /// stays pending).
    pub async fn send(&mut self, sent: SentTx) -> anyhow::Result<Exchange> {
        let mut p = self.spawn(sent).await?;
        match self.drive(&mut p.call, Some(&p.sent)).await {
            Ok(a) => self.record(p.sent, a),
            Err(e) => {
                p.call.abort();
                Err(e.context(format!("request `{}`", p.sent.label)))
            }
        }
    }

    /// Drives the clock until the pending call returns, then records its answer.
    pub async fn finish_pending(&mut self) -> anyhow::Result<Exchange> {
        let Some(mut p) = self.pending.take() else {
            bail!("no request is pending");
        };
        match self.drive(&mut p.call, Some(&p.sent)).await {
            Ok(a) => self.record(p.sent, a),
            Err(e) => {
                p.call.abort();
                Err(e.context(format!("request `{}`", p.sent.label)))
            }
        }
    }

    /// Waits for `call`, advancing the virtual clock deadline by deadline meanwhile (bounded
    /// by wall time; on a real clock it only waits). With `sent`, the clock stays put until the
    /// request has reached its terminal (its record exists) or was answered, so that no
    /// deadline fires before the request arrives.
    pub async fn drive(
        &self,
        call: &mut JoinHandle<Result<RawResponse, ClientError>>,
        sent: Option<&SentTx>,
    ) -> anyhow::Result<RawResponse> {
        let t0 = Instant::now();
        if let (Some(c), Some(sent), true) = (&self.control, sent, self.virtual_time) {
            let terminal = sent.fields.get("terminal_number");
            let id = sent.fields.get("transaction_id");
            if let (Some(t), Some(id)) = (terminal, id) {
                while !call.is_finished() && t0.elapsed() < Duration::from_secs(2) {
                    let arrived = c.terminal(t).await.is_ok_and(|v| {
                        v["records"]
                            .as_array()
                            .is_some_and(|r| r.iter().any(|x| x["transaction_id"] == id.as_str()))
                    });
                    if arrived {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
        }
        let bound = if self.virtual_time {
            DRIVE_WALL
        } else {
            Duration::from_secs(200)
        };
        loop {
            if call.is_finished() {
                let r = call.await.context("client task")?;
                return r.map_err(|e| anyhow!("makeTransaction failed: {e}"));
            }
            if t0.elapsed() > bound {
                bail!("no answer within {} s of wall time", bound.as_secs());
            }
            let mut advanced = false;
            if self.virtual_time {
                if let Some(c) = &self.control {
                    let clock = c.clock().await.context("GET /_payrig/v1/clock")?;
                    if let Some(next) = clock["next_deadline"].as_str() {
                        c.call(
                            reqwest::Method::POST,
                            "/clock/advance",
                            Some(serde_json::json!({ "to": next })),
                        )
                        .await
                        .context("POST /_payrig/v1/clock/advance")?;
                        advanced = true;
                    }
                }
            }
            // Let the server write an answer the clock just produced before moving on.
            let nap = if advanced { 1 } else { 5 };
            tokio::time::sleep(Duration::from_millis(nap)).await;
        }
    }

    /// Records an answer and the facts it proves.
    pub fn record(&mut self, sent: SentTx, answer: RawResponse) -> anyhow::Result<Exchange> {
        let ex = Exchange { sent, answer };
        if ex.sent.path.ends_with("/makeTransaction") && !matches!(ex.answer.status, 404 | 405) {
            check_complete(&ex)?;
            self.facts_of(&ex);
        }
        if ex.sent.path.ends_with("/version") && ex.answer.status == 200 {
            let v = ex.json();
            if v.get("appName").and_then(Value::as_str) == Some("tecsclientrest") {
                let base = ex.sent.path.trim_end_matches("/version");
                self.facts.messages.insert(format!("version {base}"));
            }
        }
        self.by_label.insert(ex.sent.label.clone(), ex.clone());
        self.exchanges.push(ex.clone());
        Ok(ex)
    }

    /// The message kinds and codes an answer proves (from the request sent and the answer
    /// received, never from feature text).
    fn facts_of(&mut self, ex: &Exchange) {
        let code = ex.field("response_code");
        if code.is_empty() {
            return;
        }
        self.facts.codes.insert(code.clone());
        let f = |n: &str| ex.sent.fields.get(n).cloned().unwrap_or_default();
        let (mt, origin, indicator, card) = (
            f("message_type"),
            f("transaction_origin_identifier"),
            f("transaction_origin_indicator"),
            f("card_number"),
        );
        let tt = ex.field("transaction_type");
        let ok = code == "0000" && ex.answer.status == 200;
        let m = &mut self.facts.messages;
        if ex.answer.status == 200 {
            let base = ex.sent.path.trim_end_matches("/makeTransaction");
            m.insert(format!("makeTransaction {base}"));
        }
        let label = match mt.as_str() {
            "0001" if ok && origin == "5" && tt == "02" => Some("0001 preauth"),
            "0001" if ok && indicator == "2" && !card.is_empty() && tt == "01" => Some("0001 moto"),
            "0001" if indicator == "2" && card.is_empty() && code == "3001" => {
                Some("0001 moto empty card_number 3001")
            }
            "0001" if ok && card.is_empty() && tt == "01" && origin != "5" => Some("0001 sale"),
            "0907" => {
                let footer = ex.field("receipt_footer");
                (ok && tt == "06" && footer.contains("TIP:") && footer.contains("TOTAL:"))
                    .then_some("0907 sale+tip")
            }
            "0011" if ok && tt == "05" && card.is_empty() => Some("0011 refund"),
            "0011" if ok && tt == "05" && card.starts_with("TXID") && card.contains('_') => {
                Some("0011 referenced refund long")
            }
            "0011" if ok && tt == "05" && card.starts_with("TXID") => {
                Some("0011 referenced refund short")
            }
            "0013" if origin == "4" && ok && tt == "03" => Some("0013 capture"),
            "0013" if origin == "4" && code == "1202" => Some("0013 capture again 1202"),
            "0013"
                if ok
                    && tt == "04"
                    && !ex.field("orig_tx_id").is_empty()
                    && !ex.field("orig_stan").is_empty() =>
            {
                Some("0013 cancel")
            }
            "0017" if ok => Some("0017 abort"),
            "0017" if code == "2004" => Some("0017 nothing to abort"),
            _ => None,
        };
        if let Some(l) = label {
            m.insert(l.to_owned());
        }
        // A pending request ended 2001 by an abort answered 0000 (TEC-S-015).
        if code == "2001" && m.contains("0017 abort") {
            m.insert("0017 abort ended the pending request 2001".to_owned());
        }
    }

    /// Gathers the scenario's facts and stops the embedded server (after-hook).
    pub async fn finish(&mut self) -> ScenarioFacts {
        if let Some(p) = self.pending.take() {
            p.call.abort();
        }
        if let Some(Embedded(server)) = self.server.take() {
            server.shutdown().await;
        }
        self.facts.clone()
    }
}

/// `Bearer x`, `Basic b64` or an authKey, as a [`TecsAuth`].
pub fn parse_auth(value: &str) -> TecsAuth {
    let v = value.trim();
    if let Some(t) = strip_scheme(v, "bearer") {
        return TecsAuth::Bearer(t.to_owned());
    }
    if let Some(b) = strip_scheme(v, "basic") {
        use base64::Engine as _;
        if let Some((u, p)) = base64::engine::general_purpose::STANDARD
            .decode(b)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|t| t.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())))
        {
            return TecsAuth::Basic {
                user: u,
                password: p,
            };
        }
    }
    if v.is_empty() {
        TecsAuth::None
    } else {
        TecsAuth::AuthKey(v.to_owned())
    }
}

fn strip_scheme<'a>(v: &'a str, scheme: &str) -> Option<&'a str> {
    let (s, rest) = v.split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// TEC-S-004 on every makeTransaction answer: a TransactionResponse with all 26 members as
/// strings, `message_type` `0002` and a `response_text` of at most 80 bytes.
pub fn check_complete(ex: &Exchange) -> anyhow::Result<()> {
    let v = ex.json();
    let Some(obj) = v.as_object() else {
        bail!(
            "HTTP {} answer is not a TransactionResponse: {}",
            ex.answer.status,
            ex.answer.text()
        );
    };
    let missing: Vec<&str> = RESPONSE_FIELDS
        .iter()
        .copied()
        .filter(|f| !obj.get(*f).is_some_and(Value::is_string))
        .collect();
    anyhow::ensure!(
        missing.is_empty(),
        "TransactionResponse lacks string members {missing:?}: {}",
        ex.answer.text()
    );
    anyhow::ensure!(
        ex.field("message_type") == "0002",
        "message_type is not 0002: {}",
        ex.answer.text()
    );
    anyhow::ensure!(
        ex.field("response_text").len() <= 80,
        "response_text is longer than 80 bytes"
    );
    Ok(())
}

/// The string members of a JSON object body.
pub fn string_fields(body: &[u8]) -> BTreeMap<String, String> {
    let m: Map<String, Value> = serde_json::from_slice(body).unwrap_or_default();
    m.into_iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
        .collect()
}

/// The codes and message kinds of the coverage bar of the TECS suite.
pub fn coverage_bar() -> (BTreeSet<&'static str>, BTreeSet<&'static str>) {
    let codes = [
        "0000", "1005", "1051", "1054", "1055", "1091", "1201", "1202", "1203", "2001", "2002",
        "2003", "2004", "3001", "3002", "3003", "3004", "3005", "3401", "9001",
    ];
    let messages = [
        "0001 sale",
        "0001 preauth",
        "0001 moto",
        "0001 moto empty card_number 3001",
        "0907 sale+tip",
        "0011 refund",
        "0011 referenced refund short",
        "0011 referenced refund long",
        "0013 cancel",
        "0013 capture",
        "0013 capture again 1202",
        "0017 abort",
        "0017 abort ended the pending request 2001",
        "0017 nothing to abort",
        "replay identical, one authorisation",
        "response_undelivered, approval kept",
        "timeout reversal",
        "makeTransaction /tecsclientrest",
        "makeTransaction /tecsclientrest-auth",
        "version /tecsclientrest",
        "version /tecsclientrest-auth",
    ];
    (codes.into_iter().collect(), messages.into_iter().collect())
}

/// The default path of makeTransaction.
pub fn make_path(base: Option<&str>) -> String {
    format!("{}/makeTransaction", base.unwrap_or(BASE_PATH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_toml_loads_and_keeps_the_default_terminals() {
        let mut c = TecsScenario::default();
        c.keys.insert("host_timeout".into(), toml_str("5s"));
        let t = c.terminal("88091234");
        t.keys.insert("no_customer".into(), "true".into());
        c.terminal("88091105")
            .customer
            .insert("pin".into(), toml_str("wrong"));
        let cfg = payrig_world::tecs::TecsConfig::from_toml(&c.to_toml()).unwrap();
        assert_eq!(cfg.terminals.len(), 3);
        assert!(cfg.terminals["88091234"].customer.is_none());
        assert!(cfg.terminals["11460019"].customer.is_some());
        assert_eq!(cfg.host_timeout, payrig_core::Duration::from_secs(5));
    }

    #[test]
    fn auth_values_parse() {
        assert_eq!(
            parse_auth("Bearer tecs-test-token"),
            TecsAuth::Bearer("tecs-test-token".into())
        );
        assert_eq!(
            parse_auth("Basic ZWNyODgwOTExMDU6VGVjcy1UZXN0LVBhc3Mx"),
            TecsAuth::Basic {
                user: "ecr88091105".into(),
                password: "Tecs-Test-Pass1".into()
            }
        );
        assert_eq!(parse_auth("k"), TecsAuth::AuthKey("k".into()));
    }
}
