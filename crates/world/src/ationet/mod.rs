//! The ATIONet world: transactions wired to site systems, pumps and the PFEP.
//!
//! ```text
//!  server/cucumber ──create/get/cancel/prompt──► AtionetWorld ──► Transaction (payrig-ationet)
//!                                                  │   ▲             │ ToSite / ToPfep
//!                                  deliveries ◄────┘   └── events ◄──┤
//!                                  (reply delay)                     ▼
//!                                               SiteSim ─► FuelPoint (payrig-pump)
//!                                               Pfep    ─► Acquirer  (payrig-acquirer)
//! ```
//!
//! Everything runs off one [`TimerQueue`]: transaction deadlines, pump deadlines, PFEP
//! answers and delayed site replies. Entries fire at their own time, never at `now`, so a run
//! in wall-clock time and one in virtual time take the same steps.

mod config;
mod index;
mod pfep;
mod site;

use rustc_hash::FxHashMap as HashMap;
use slab::Slab;

use payrig_ationet::domain::{CreateRequest, PromptRequest, TransactionSnapshot};
use payrig_ationet::machine::{Input, Output, PfepEvent, SiteEvent, SiteFacts, Transaction};
use payrig_ationet::{CancelCode, PresetUnit, Problem, ProblemCode, StateId};
use payrig_core::{Currency, Machine, Timestamp};
use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;
use serde_json::json;

pub use config::{
    AtionetConfig, AuthorizeBehaviour, CustomerConfig, GradeConfig, OnKeyMismatch, PumpCondition,
    PumpConfig, SiteConfig, TransactionIdMode,
};
pub use pfep::PfepOverride;
pub use site::PumpStatus;

use crate::queue::TimerQueue;
use crate::trace::{Trace, TraceEvent};
use payrig_core::chunked::Chunked;

use self::pfep::Pfep;
use self::site::{SiteOut, SiteSim};

/// Index of a transaction in the world's table.
type TxIdx = u32;

/// How long a key stays taken after its transaction's terminal state (3.6, D6).
const KEY_LIFETIME: payrig_core::Duration = payrig_core::Duration::from_secs(24 * 3600);

/// Marks "no site" for transactions naming an unknown site (D14).
const NO_SITE: u16 = u16::MAX;

/// What the queue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Tx(TxIdx),
    Pump(u16, u8),
    Pfep,
    Delivery(usize),
}

/// An event waiting for its delivery time.
#[derive(Debug, Clone)]
enum Delivery {
    Site(SiteEvent),
    Pfep(PfepEvent),
}

/// The answer to an accepted create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The transaction id to return.
    pub transaction_id: String,
    /// False for an identical repeat (nothing was created or re-sent, ATN-S-004).
    pub created: bool,
}

/// Why a control call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// No such site.
    #[error("unknown site `{0}`")]
    UnknownSite(String),
    /// No such pump at the site.
    #[error("unknown pump {1} at site `{0}`")]
    UnknownPump(String, u8),
    /// The pump refused the action in its state.
    #[error("pump refused: {0}")]
    Refused(String),
    /// A bad override or argument.
    #[error("{0}")]
    Invalid(String),
}

/// A transaction's state history (control API `GET /transactions/{ref}`).
pub type History = Vec<(Timestamp, StateId)>;

/// The ATIONet world.
#[derive(Debug)]
pub struct AtionetWorld {
    cfg: AtionetConfig,
    seed: u64,
    now: Timestamp,
    // Per-transaction storage lives as long as the world: chunked, so growing it never copies
    // every transaction under the lock (payrig_core::chunked).
    txs: Chunked<Transaction>,
    tx_site: Chunked<u16>,
    scheduled: Chunked<Option<Timestamp>>,
    histories: Chunked<History>,
    by_id: index::IdIndex,
    by_key: index::IdIndex,
    sites: Vec<SiteSim>,
    site_idx: HashMap<String, u16>,
    pfep: Pfep,
    pfep_scheduled: Option<Timestamp>,
    queue: TimerQueue<Key>,
    /// Events waiting for their delivery time; each is popped exactly once, so slots can be
    /// reused without stale heap entries.
    deliveries: Slab<(TxIdx, Delivery)>,
    sequence: u64,
    id_rng: ChaCha8Rng,
    trace: Trace,
    keep_history: bool,
    site_out: Vec<SiteOut>,
    pfep_out: Vec<(TxIdx, PfepEvent)>,
}

impl AtionetWorld {
    /// A world at `start` with `seed`. `keep_trace` keeps trace events for draining (servers)
    /// and per-transaction histories; otherwise the trace is only hashed.
    pub fn new(cfg: AtionetConfig, seed: u64, start: Timestamp, keep_trace: bool) -> AtionetWorld {
        AtionetWorld::with_trace(cfg, seed, start, Trace::new(keep_trace), keep_trace)
    }

    /// A world for a server: trace events and histories are kept for the journal, the trace
    /// is not hashed.
    pub fn journaled(cfg: AtionetConfig, seed: u64, start: Timestamp) -> AtionetWorld {
        AtionetWorld::with_trace(cfg, seed, start, Trace::unhashed(), true)
    }

    /// A world with the trace switched off entirely (load benches).
    pub fn without_trace(cfg: AtionetConfig, seed: u64, start: Timestamp) -> AtionetWorld {
        AtionetWorld::with_trace(cfg, seed, start, Trace::off(), false)
    }

    fn with_trace(
        cfg: AtionetConfig,
        seed: u64,
        start: Timestamp,
        trace: Trace,
        keep_history: bool,
    ) -> AtionetWorld {
        let mut sites = Vec::new();
        let mut site_idx = HashMap::default();
        for (i, s) in cfg.sites.values().enumerate() {
            let i = u16::try_from(i).unwrap_or(NO_SITE - 1);
            site_idx.insert(s.code.clone(), i);
            sites.push(SiteSim::new(s, seed));
        }
        let pfep = Pfep::new(&cfg, seed);
        let mut w = AtionetWorld {
            seed,
            now: start,
            txs: Chunked::default(),
            tx_site: Chunked::default(),
            scheduled: Chunked::default(),
            histories: Chunked::default(),
            by_id: index::IdIndex::default(),
            by_key: index::IdIndex::default(),
            sites,
            site_idx,
            pfep,
            pfep_scheduled: None,
            queue: TimerQueue::default(),
            deliveries: Slab::new(),
            sequence: 0,
            id_rng: payrig_core::rng::stream_rng(seed, "ationet/ids"),
            trace,
            keep_history,
            site_out: Vec::new(),
            pfep_out: Vec::new(),
            cfg,
        };
        for s in 0..w.sites.len() {
            w.schedule_pumps(s as u16);
        }
        w
    }

    /// The configuration in force.
    pub fn config(&self) -> &AtionetConfig {
        &self.cfg
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The world's time: the latest instant it has processed.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Transactions held.
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    /// True when no transaction exists.
    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    fn key_expired(&self, i: TxIdx, now: Timestamp) -> bool {
        let tx = &self.txs[i as usize];
        tx.state().is_terminal() && now.since(tx.updated()) >= KEY_LIFETIME
    }

    /// Drops a transaction's id and key from the indexes (its slot stays, unreachable).
    fn forget(&mut self, i: TxIdx) {
        let txs = &self.txs;
        let tx = &txs[i as usize];
        let id = tx.id().to_owned();
        let key = tx.request().potency_key_id.clone();
        self.by_id.remove(&id, |j| txs[j as usize].id());
        if self.cfg.transaction_id_mode == TransactionIdMode::Uuid {
            self.by_key
                .remove(&key, |j| txs[j as usize].request().potency_key_id.as_str());
        }
    }

    fn find_id(&self, id: &str) -> Option<TxIdx> {
        let txs = &self.txs;
        self.by_id.get(id, |i| txs[i as usize].id())
    }

    /// The next deadline of anything in the world.
    pub fn next_deadline(&mut self) -> Option<Timestamp> {
        while let Some(at) = self.queue.peek() {
            if self.head_is_live() {
                return Some(at);
            }
            self.queue.pop();
        }
        None
    }

    /// True if the queue's head is a live entry. Each entity remembers the time of its one
    /// live entry (`scheduled`, `pfep_scheduled`, a pump's own); every change to an entity
    /// is followed by a re-sync, so the remembered time is trusted instead of re-asking the
    /// entity. Older entries are stale and skipped.
    fn head_is_live(&self) -> bool {
        match self.queue.head() {
            Some((at, Key::Tx(i))) => self.scheduled.get(i as usize) == Some(&Some(at)),
            Some((at, Key::Pump(s, fp))) => self
                .sites
                .get(s as usize)
                .is_some_and(|site| site.pump_scheduled(fp) == Some(at)),
            Some((at, Key::Pfep)) => self.pfep_scheduled == Some(at),
            Some((_, Key::Delivery(id))) => self.deliveries.contains(id),
            None => false,
        }
    }

    /// Fires every deadline up to `now`, in time order, and moves the world's time to `now`.
    /// Returns the number of deadlines fired.
    pub fn advance(&mut self, now: Timestamp) -> usize {
        let mut fired = 0;
        while let Some((at, key)) = self.queue.pop_due(now) {
            let at = at.max(self.now);
            self.now = at;
            match key {
                Key::Tx(i) => {
                    if let Some(s) = self.scheduled.get_mut(i as usize) {
                        if *s == Some(at) {
                            // Used up: the transaction's next deadline gets a new entry.
                            *s = None;
                            fired += 1;
                            self.feed(at, i, Input::Timeout);
                        }
                    }
                }
                Key::Pump(s, fp) => {
                    let claimed = self
                        .sites
                        .get_mut(s as usize)
                        .is_some_and(|site| site.claim_pump(fp, at));
                    if claimed {
                        fired += 1;
                        if let Some(site) = self.sites.get_mut(s as usize) {
                            site.fire_pump(at, fp, &mut self.site_out, &mut self.trace);
                        }
                        self.route_site_out(at, true);
                        self.schedule_pump(s, fp);
                    }
                }
                Key::Pfep => {
                    if self.pfep_scheduled == Some(at) {
                        self.pfep_scheduled = None;
                        fired += 1;
                        self.pfep.fire(at, &mut self.pfep_out, &mut self.trace);
                        self.route_pfep_out(at, true);
                        self.schedule_pfep();
                    }
                }
                Key::Delivery(id) => {
                    if let Some((tx, d)) = self.deliveries.try_remove(id) {
                        fired += 1;
                        let input = match d {
                            Delivery::Site(e) => Input::Site(e),
                            Delivery::Pfep(e) => Input::Pfep(e),
                        };
                        self.feed(at, tx, input);
                    }
                }
            }
        }
        self.now = self.now.max(now);
        fired
    }

    /// Accepts a create (MobilePayments or PreAuthorizedPayments) that passed wire validation.
    ///
    /// Site limits are checked here (`amount` precision for the site's `preset_unit`, and
    /// `max_preset`), then the key (3.6). A refused request creates nothing and consumes no key.
    pub fn create(&mut self, now: Timestamp, req: CreateRequest) -> Result<Created, Problem> {
        self.advance(now);
        let site = self.site_idx.get(&req.site_code).copied();
        self.check_amount(site, &req)?;
        // ATN-S-004/006: the key decides before anything is created.
        let existing = match self.cfg.transaction_id_mode {
            TransactionIdMode::EchoKey => self.find_id(&req.potency_key_id),
            TransactionIdMode::Uuid => {
                let txs = &self.txs;
                self.by_key.get(&req.potency_key_id, |i| {
                    txs[i as usize].request().potency_key_id.as_str()
                })
            }
        };
        // 3.6 limits: a key lives until 24 h after its transaction's terminal state; after
        // that it is free again and the old transaction is forgotten.
        let existing = match existing {
            Some(i) if self.key_expired(i, now) => {
                self.forget(i);
                None
            }
            other => other,
        };
        if let Some(i) = existing {
            let tx = &self.txs[i as usize];
            if tx.request().same_body(&req)
                || self.cfg.on_key_mismatch == OnKeyMismatch::ReturnExisting
            {
                return Ok(Created {
                    transaction_id: tx.id().to_owned(),
                    created: false,
                });
            }
            return Err(Problem::field(
                "potencyKeyId",
                ProblemCode::IdempotencyKeyReused,
                "already used for a different request; repeat the identical body or use a new key",
            ));
        }
        let id = match self.cfg.transaction_id_mode {
            TransactionIdMode::EchoKey => req.potency_key_id.clone(),
            TransactionIdMode::Uuid => self.fresh_uuid(),
        };
        let facts = match site {
            Some(s) => self.sites[s as usize].facts(),
            None => SiteFacts {
                session_up: false,
                preset_unit: PresetUnit::Volume,
                currency: Currency::USD,
            },
        };
        self.sequence += 1;
        let key = req.potency_key_id.clone();
        let kind = req.kind;
        let tx = Transaction::create(
            now,
            id.clone(),
            self.sequence,
            req,
            facts,
            self.cfg.timers,
            self.cfg.queue_fault,
        );
        let i = TxIdx::try_from(self.txs.len()).map_err(|_| {
            Problem::field("$", ProblemCode::InvalidValue, "transaction table is full")
        })?;
        self.txs.push(tx);
        self.tx_site.push(site.unwrap_or(NO_SITE));
        self.scheduled.push(None);
        // Histories exist only when kept: a million unkept empty Vecs would cost 24 MB.
        if self.keep_history {
            self.histories.push(vec![(now, StateId::Created)]);
        }
        if self.cfg.transaction_id_mode == TransactionIdMode::Uuid {
            self.by_key.insert(&key, i);
        }
        self.by_id.insert(&id, i);
        if self.trace.enabled() {
            self.trace.record(
                now,
                "ationet",
                "create",
                json!({"op": kind.op(), "sequence": self.sequence}),
                Some(&id),
            );
        }
        self.drain_tx(now, i);
        Ok(Created {
            transaction_id: id,
            created: true,
        })
    }

    fn check_amount(&self, site: Option<u16>, req: &CreateRequest) -> Result<(), Problem> {
        let (unit, exp, max) = match site {
            Some(s) => {
                let c = self.sites[s as usize].config();
                (
                    c.preset_unit,
                    u32::from(c.currency.exponent()),
                    c.max_preset,
                )
            }
            None => (PresetUnit::Volume, 3, self.cfg.unknown_site_max_preset),
        };
        let places = match unit {
            PresetUnit::Volume => 3,
            PresetUnit::Money => exp,
        };
        // ATN-S-018
        if req.amount.scale() > places {
            let unit_name = match unit {
                PresetUnit::Volume => "litres".to_owned(),
                PresetUnit::Money => format!("money at this site ({places} decimals)"),
            };
            return Err(Problem::field(
                "amount",
                ProblemCode::InvalidValue,
                format!("at most {places} decimals for {unit_name}"),
            ));
        }
        if req.amount > max {
            return Err(Problem::field(
                "amount",
                ProblemCode::InvalidValue,
                format!("must not exceed max_preset {max}"),
            ));
        }
        Ok(())
    }

    fn fresh_uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        self.id_rng.fill_bytes(&mut b);
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
    }

    /// GetTransaction: the id matched exactly (D11).
    pub fn get(&self, id: &str) -> Option<TransactionSnapshot> {
        self.find_id(id).map(|i| self.txs[i as usize].snapshot())
    }

    /// The state history of a transaction (kept when the world keeps its trace).
    pub fn history(&self, id: &str) -> Option<&History> {
        self.find_id(id)
            .and_then(|i| self.histories.get(i as usize))
    }

    /// Cancel (3.4): the 4.1 answer for the state at arrival. Unknown ids get `04007`.
    pub fn cancel(&mut self, now: Timestamp, id: &str) -> CancelCode {
        self.advance(now);
        let Some(i) = self.find_id(id) else {
            return CancelCode::UnknownTransaction;
        };
        let r = self.txs[i as usize].handle_input(now, Input::Cancel);
        self.drain_tx(now, i);
        match r {
            Ok(()) => CancelCode::Success,
            Err(payrig_ationet::machine::Reject::Cancel(c)) => c,
            Err(_) => CancelCode::NotUpdated,
        }
    }

    /// PromptPreauthorizations (3.5): exactly the requested answers, each 1-64 characters;
    /// `Odometer` and `EngineHours` are digits.
    pub fn prompt(&mut self, now: Timestamp, req: PromptRequest) -> Result<(), Problem> {
        self.advance(now);
        let Some(i) = self.find_id(&req.id_transaction) else {
            return Err(Problem::field(
                "idTransaction",
                ProblemCode::UnknownTransaction,
                "no transaction with this id",
            ));
        };
        let tx = &self.txs[i as usize];
        if tx.state() != StateId::PromptingNeeded {
            return Err(Problem::field(
                "idTransaction",
                ProblemCode::InvalidState,
                format!(
                    "prompts are answered only in state 25; the transaction is in state {}",
                    tx.state().id()
                ),
            ));
        }
        let wanted: Vec<&str> = tx
            .prompt_flags()
            .iter()
            .filter(|(_, v)| v.eq_ignore_ascii_case("true"))
            .filter_map(|(k, _)| k.strip_prefix("Prompt"))
            .collect();
        let mut p = Problem::default();
        for w in &wanted {
            if !req.customer_data.iter().any(|(k, _)| k == w) {
                p.push(
                    &format!("customerData.{w}"),
                    ProblemCode::MissingField,
                    "requested by the PFEP but not answered",
                );
            }
        }
        for (k, v) in &req.customer_data {
            let field = format!("customerData.{k}");
            if !wanted.contains(&k.as_str()) {
                p.push(
                    &field,
                    ProblemCode::InvalidValue,
                    "not requested by the PFEP",
                );
            } else if (k == "Odometer" || k == "EngineHours")
                && !v.bytes().all(|b| b.is_ascii_digit())
            {
                p.push(&field, ProblemCode::InvalidValue, "must be digits");
            }
        }
        if !p.is_empty() {
            return Err(p);
        }
        let odometer = req
            .customer_data
            .iter()
            .find(|(k, _)| k == "Odometer")
            .and_then(|(_, v)| v.parse::<u64>().ok());
        let tx = &mut self.txs[i as usize];
        let r = tx.handle_input(now, Input::PromptAnswers(req.customer_data));
        if r.is_ok() {
            if let Some(o) = odometer {
                tx.set_odometer(o);
            }
        }
        self.drain_tx(now, i);
        r.map_err(|_| {
            Problem::field(
                "idTransaction",
                ProblemCode::InvalidState,
                "prompts are answered only in state 25",
            )
        })
    }

    /// Takes the trace events recorded since the last call (servers journal them).
    pub fn drain_trace(&mut self) -> Vec<TraceEvent> {
        self.trace.drain()
    }

    /// SHA-256 of the whole trace so far (same seed, same hash).
    pub fn trace_hash(&self) -> String {
        self.trace.hash_hex()
    }

    /// Trace lines recorded so far.
    pub fn trace_lines(&self) -> u64 {
        self.trace.lines()
    }

    // ---- control ----

    fn site_index(&self, code: &str) -> Result<u16, ControlError> {
        self.site_idx
            .get(code)
            .copied()
            .ok_or_else(|| ControlError::UnknownSite(code.to_owned()))
    }

    /// Lifts or hangs up a nozzle at `fp` (the control API's pump nozzle action).
    pub fn nozzle(
        &mut self,
        now: Timestamp,
        site: &str,
        fp: u8,
        lift: Option<u8>,
    ) -> Result<PumpStatus, ControlError> {
        self.advance(now);
        let s = self.site_index(site)?;
        let st =
            self.sites[s as usize].nozzle(now, fp, lift, &mut self.site_out, &mut self.trace)?;
        self.route_site_out(now, true);
        self.schedule_pump(s, fp);
        Ok(st)
    }

    /// A pump's state and figures.
    pub fn pump_status(&self, site: &str, fp: u8) -> Result<PumpStatus, ControlError> {
        let s = self.site_index(site)?;
        self.sites[s as usize]
            .pump_status(fp)
            .ok_or_else(|| ControlError::UnknownPump(site.to_owned(), fp))
    }

    /// Sets a pump busy, offline or idle (section 7: each pump can be set busy or offline).
    pub fn set_pump_condition(
        &mut self,
        now: Timestamp,
        site: &str,
        fp: u8,
        condition: PumpCondition,
    ) -> Result<PumpStatus, ControlError> {
        self.advance(now);
        let s = self.site_index(site)?;
        let st = self.sites[s as usize].set_condition(
            now,
            fp,
            condition,
            &mut self.site_out,
            &mut self.trace,
        )?;
        self.route_site_out(now, true);
        self.schedule_pump(s, fp);
        Ok(st)
    }

    /// Brings a site session up or down; live transactions of the site hear of it.
    pub fn set_session(
        &mut self,
        now: Timestamp,
        site: &str,
        up: bool,
    ) -> Result<(), ControlError> {
        self.advance(now);
        let s = self.site_index(site)?;
        self.sites[s as usize].set_session(up);
        if self.trace.enabled() {
            self.trace.record(
                now,
                format!("site/{site}"),
                "session",
                json!({"up": up}),
                None,
            );
        }
        let event = if up {
            SiteEvent::SessionUp
        } else {
            SiteEvent::SessionDown
        };
        for i in 0..self.txs.len() {
            if self.tx_site[i] == s && !self.txs[i].state().is_terminal() {
                let i = i as TxIdx;
                self.feed(now, i, Input::Site(event.clone()));
            }
        }
        Ok(())
    }

    /// Adds a PFEP outcome override; returns its id.
    pub fn add_pfep_override(&mut self, o: PfepOverride) -> Result<String, ControlError> {
        self.pfep.add_override(o)
    }

    /// Removes PFEP overrides (one, or all with `None`).
    pub fn remove_pfep_override(&mut self, id: Option<&str>) -> bool {
        self.pfep.remove_override(id)
    }

    // ---- routing ----

    /// Feeds one input to a transaction, then routes what it produced.
    fn feed(&mut self, now: Timestamp, i: TxIdx, input: Input) {
        let Some(tx) = self.txs.get_mut(i as usize) else {
            return;
        };
        // Business outcomes are states; a Reject here can only be a stray MPA input.
        let _ = tx.handle_input(now, input);
        self.drain_tx(now, i);
    }

    /// Records a trace event of transaction `idx`; `data` is only built when tracing.
    fn trace_tx(
        &mut self,
        now: Timestamp,
        idx: usize,
        kind: &'static str,
        data: impl FnOnce() -> serde_json::Value,
    ) {
        if self.trace.enabled() {
            let id = self.txs[idx].id().to_owned();
            self.trace.record(now, "ationet", kind, data(), Some(&id));
        }
    }

    fn drain_tx(&mut self, now: Timestamp, i: TxIdx) {
        let idx = i as usize;
        while let Some(out) = self.txs[idx].poll_output() {
            match out {
                Output::ToSite(cmd) => {
                    self.trace_tx(now, idx, "to_site", || site_command_json(&cmd));
                    let s = self.tx_site[idx];
                    if let Some(site) = self.sites.get_mut(s as usize) {
                        let fuel = &self.txs[idx].request().fuel_code;
                        site.command(now, i, fuel, &cmd, &mut self.site_out, &mut self.trace);
                        // Inside a drain: replies wait in the queue even with no delay, so
                        // the transaction's outputs are all drained before its next input.
                        self.route_site_out(now, false);
                        if let Some(fp) = site_command_pump(&cmd) {
                            self.schedule_pump(s, fp);
                        }
                    }
                }
                Output::ToPfep(req) => {
                    self.trace_tx(
                        now,
                        idx,
                        "to_pfep",
                        || json!({"request": format!("{req:?}")}),
                    );
                    let unit = match self.sites.get(self.tx_site[idx] as usize) {
                        Some(site) => {
                            let c = site.config();
                            pfep::unit_for(c.preset_unit, c.currency)
                        }
                        None => pfep::unit_for(PresetUnit::Volume, Currency::USD),
                    };
                    self.pfep.request(now, i, unit, req, &mut self.trace);
                    // A zero-latency PFEP answers inside the request: take it now.
                    self.pfep
                        .answers_after_request(now, &mut self.pfep_out, &mut self.trace);
                    self.route_pfep_out(now, false);
                    self.schedule_pfep();
                }
                Output::StateChanged { from, to } => {
                    if self.keep_history {
                        self.histories[idx].push((now, to));
                    }
                    self.trace_tx(
                        now,
                        idx,
                        "state",
                        || json!({"from": from.id(), "to": to.id(), "name": to.name()}),
                    );
                }
                Output::TimerFired(t) => self.trace_tx(now, idx, "timer", || json!(t.name())),
                Output::Ignored { state, event } => self.trace_tx(
                    now,
                    idx,
                    "ignored",
                    || json!({"state": state.id(), "event": event}),
                ),
                _ => {}
            }
        }
        let d = self.txs[idx].poll_timeout();
        if let Some(at) = d.filter(|_| d != self.scheduled[idx]) {
            self.queue.push(at, Key::Tx(i));
        }
        self.scheduled[idx] = d;
    }

    /// Routes what a site produced. With `inline` (not inside a transaction's drain), an
    /// event due by `now` goes straight to its transaction instead of through the queue: the
    /// same instant and the same order among that site's events, one queue round trip less
    /// (every `Progress` used to cost two deadlines). Only the interleaving with other
    /// entities' entries at the same instant differs, and those are independent.
    fn route_site_out(&mut self, now: Timestamp, inline: bool) {
        let mut outs = std::mem::take(&mut self.site_out);
        for o in outs.drain(..) {
            match o {
                SiteOut::Deliver { at, tx, event } => {
                    if inline && at <= now {
                        self.feed(now, tx, Input::Site(event));
                    } else {
                        self.deliver(at.max(now), tx, Delivery::Site(event));
                    }
                }
            }
        }
        // Keep the buffer for the next event unless a nested route left one in place.
        if self.site_out.is_empty() {
            self.site_out = outs;
        }
    }

    /// Routes PFEP answers (due at `now`); `inline` as for [`Self::route_site_out`].
    fn route_pfep_out(&mut self, now: Timestamp, inline: bool) {
        let mut outs = std::mem::take(&mut self.pfep_out);
        for (tx, e) in outs.drain(..) {
            if inline {
                self.feed(now, tx, Input::Pfep(e));
            } else {
                self.deliver(now, tx, Delivery::Pfep(e));
            }
        }
        if self.pfep_out.is_empty() {
            self.pfep_out = outs;
        }
    }

    fn deliver(&mut self, at: Timestamp, tx: TxIdx, d: Delivery) {
        let id = self.deliveries.insert((tx, d));
        self.queue.push(at, Key::Delivery(id));
    }

    fn schedule_pump(&mut self, s: u16, fp: u8) {
        if let Some(at) = self
            .sites
            .get_mut(s as usize)
            .and_then(|x| x.take_reschedule(fp))
        {
            self.queue.push(at, Key::Pump(s, fp));
        }
    }

    fn schedule_pumps(&mut self, s: u16) {
        let fps: Vec<u8> = self
            .sites
            .get(s as usize)
            .map(|x| x.pump_numbers().collect())
            .unwrap_or_default();
        for fp in fps {
            self.schedule_pump(s, fp);
        }
    }

    fn schedule_pfep(&mut self) {
        let d = self.pfep.timeout();
        if d.is_some() && d != self.pfep_scheduled {
            if let Some(at) = d {
                self.queue.push(at, Key::Pfep);
            }
        }
        self.pfep_scheduled = d;
    }
}

fn site_command_json(cmd: &payrig_ationet::machine::SiteCommand) -> serde_json::Value {
    use payrig_ationet::machine::{Preset, SiteCommand as C};
    match cmd {
        C::Reserve { pump } => json!({"command": "Reserve", "pump": pump}),
        C::Authorize {
            pump,
            fuel_code,
            preset,
        } => {
            let (unit, value) = match preset {
                Preset::Volume(v) => ("volume_ml", v.ml().to_string()),
                Preset::Money(m) => ("money", m.to_major_string()),
                _ => ("other", String::new()),
            };
            json!({"command": "Authorize", "pump": pump, "fuel_code": fuel_code, "preset": {unit: value}})
        }
        C::Deauthorize { pump } => json!({"command": "Deauthorize", "pump": pump}),
        _ => json!({"command": "other"}),
    }
}

fn site_command_pump(cmd: &payrig_ationet::machine::SiteCommand) -> Option<u8> {
    use payrig_ationet::machine::SiteCommand as C;
    match cmd {
        C::Reserve { pump } | C::Authorize { pump, .. } | C::Deauthorize { pump } => Some(*pump),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
