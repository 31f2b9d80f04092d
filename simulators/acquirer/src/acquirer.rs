//! The acquirer machine: event queue, outcome choice, overrides, lookups.
//!
//! Operation handlers are in `handlers.rs`; this module owns the parts they share.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

use payrig_core::chunked::Chunked;
use payrig_core::rng::{chance, DurationSpec};
use payrig_core::{Duration, Machine, Timestamp};
use rand_chacha::ChaCha8Rng;

use crate::amount::Unit;
use crate::code::ResponseCode;
use crate::config::AcquirerConfig;
use crate::ids::{self, HourFacts};
use crate::ops::{
    AuthKind, Event, Input, Operation, Output, Ref, Reject, Reply, Request, RequestId, Response,
};
use crate::outcome::{CardBehaviour, MatchFacts, OpKind, Outcome, Override};
use crate::profile::{AuthCodeStyle, Profile};
use crate::record::{Ledger, Phase, Record, RecordKind, RecordState, RecordView};

/// A deadline in the queue.
#[derive(Debug, Clone)]
pub(crate) enum Timer {
    /// Emit a response; first resolve the `Pending` record it answers, if any.
    Respond {
        /// Slot in `Acquirer::in_flight` holding the response.
        slot: usize,
        resolve: Option<usize>,
    },
    /// An approved preauth reaches `auth_validity` (spec 4.1).
    Expire(usize),
}

/// Per-terminal counters, the open batch and the STAN index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Terminal {
    /// The terminal's name, kept once here; records refer to the terminal by index.
    pub(crate) name: String,
    pub(crate) stan: u32,
    pub(crate) batch: u32,
    /// Records of this terminal not yet in a terminal state or settled.
    pub(crate) open: BTreeSet<usize>,
    /// Reversal count and sum per unit since the last close.
    pub(crate) reversals: BTreeMap<Unit, (u64, i128)>,
    /// STAN -> record, the latest one with that STAN (STANs wrap).
    pub(crate) by_stan: BTreeMap<u32, usize>,
}

/// `requests` value of a request that created no record.
const NO_RECORD: usize = usize::MAX;

/// The fields the outcome choice uses, borrowed apart from the records (see `choose`).
pub(crate) struct Choosing<'a> {
    pub(crate) overrides: &'a mut Vec<(String, Override)>,
    pub(crate) card_behaviour: &'a mut Option<Box<dyn CardBehaviour>>,
    pub(crate) config: &'a AcquirerConfig,
    pub(crate) rng: &'a mut ChaCha8Rng,
    pub(crate) hour: &'a mut Option<HourFacts>,
}

/// The acquirer / payment-processor simulator. See the crate docs for the driving loop.
pub struct Acquirer {
    pub(crate) config: AcquirerConfig,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) overrides: Vec<(String, Override)>,
    override_seq: u64,
    pub(crate) card_behaviour: Option<Box<dyn CardBehaviour>>,
    /// Every record of the batch; chunked so a growing batch is never copied at once.
    pub(crate) records: Chunked<Record>,
    // Ordered maps, not hash maps, on purpose: a batch holds every sale since the last close,
    // and a hash map's resize rehashes all of it under the world's lock at once (a measured
    // 16 ms p99 under load, against 6 ms with these). Keys are integers where they can be, so
    // indexing a record copies no string.
    /// RRN (its 12 digits as an integer, see `ids::rrn_key`) -> record.
    by_rrn: BTreeMap<u64, usize>,
    /// Every request id seen -> the record it created, or `NO_RECORD`: one map serves both the
    /// duplicate check and `Ref::Request`.
    requests: BTreeMap<RequestId, usize>,
    /// Terminal name -> index in `terminals`.
    terminal_ids: BTreeMap<Box<str>, usize>,
    /// Terminals in order of first sight; `Record::terminal` indexes this.
    pub(crate) terminals: Vec<Terminal>,
    /// Calendar facts of the hour last seen.
    pub(crate) hour: Option<HourFacts>,
    rrn_seq: u32,
    auth_seq: u64,
    /// Per unit Σ captured − Σ refunded: the headroom refunds and voids must stay within
    /// (SIM-A-01 `refunded <= captured`).
    pub(crate) net: BTreeMap<Unit, i128>,
    queue: BTreeMap<(Timestamp, u64), Timer>,
    queue_seq: u64,
    /// Responses waiting for their deadline, by slot; freed slots are reused (`free_slots`), so
    /// a response in flight costs no allocation of its own (a `Box` per response did).
    in_flight: Vec<Option<Response>>,
    free_slots: Vec<usize>,
    outputs: VecDeque<Output>,
}

impl fmt::Debug for Acquirer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquirer")
            .field("profile", &self.config.profile.name)
            .field("records", &self.records.len())
            .field("pending", &self.queue.len())
            .field("overrides", &self.overrides.len())
            .finish_non_exhaustive()
    }
}

impl Acquirer {
    /// A new acquirer. `rng` is the caller's `stream_rng(seed, "acquirer/main")`; it is the only
    /// source of randomness (latencies, auth codes, random faults).
    pub fn new(config: AcquirerConfig, rng: ChaCha8Rng) -> Acquirer {
        let initial = config.overrides.clone();
        let mut a = Acquirer {
            config,
            rng,
            overrides: Vec::new(),
            override_seq: 0,
            card_behaviour: None,
            records: Chunked::default(),
            by_rrn: BTreeMap::new(),
            requests: BTreeMap::new(),
            terminal_ids: BTreeMap::new(),
            terminals: Vec::new(),
            hour: None,
            rrn_seq: 0,
            auth_seq: 0,
            net: BTreeMap::new(),
            queue: BTreeMap::new(),
            queue_seq: 0,
            in_flight: Vec::new(),
            free_slots: Vec::new(),
            outputs: VecDeque::new(),
        };
        for o in initial {
            a.add_override(o);
        }
        a
    }

    /// The profile in use.
    pub fn profile(&self) -> &Profile {
        &self.config.profile
    }

    /// Installs the card-behaviour hook (step 2 of the outcome choice).
    pub fn set_card_behaviour(&mut self, hook: Box<dyn CardBehaviour>) {
        self.card_behaviour = Some(hook);
    }

    /// Adds an override at the end of the list (earlier ones match first); returns its id
    /// (`ov-1`, `ov-2`, ...).
    pub fn add_override(&mut self, o: Override) -> String {
        self.override_seq += 1;
        let id = format!("ov-{}", self.override_seq);
        self.overrides.push((id.clone(), o));
        id
    }

    /// Removes an override; false when the id is unknown or already used up.
    pub fn remove_override(&mut self, id: &str) -> bool {
        let before = self.overrides.len();
        self.overrides.retain(|(i, _)| i != id);
        self.overrides.len() != before
    }

    /// Removes every override.
    pub fn clear_overrides(&mut self) {
        self.overrides.clear();
    }

    /// The live overrides with their ids, in match order.
    pub fn overrides(&self) -> impl Iterator<Item = (&str, &Override)> {
        self.overrides.iter().map(|(i, o)| (i.as_str(), o))
    }

    /// A record by reference.
    pub fn record(&self, r: &Ref) -> Option<RecordView> {
        self.lookup(r)
            .and_then(|i| self.records.get(i))
            .map(|r| self.view(r))
    }

    /// Every record, in creation order.
    pub fn records(&self) -> impl Iterator<Item = RecordView> + '_ {
        self.records.iter().map(|r| self.view(r))
    }

    /// The snapshot of `r`.
    pub(crate) fn view(&self, r: &Record) -> RecordView {
        let terminal = self
            .terminals
            .get(r.terminal)
            .map_or("", |t| t.name.as_str());
        r.view(terminal)
    }

    /// Sums per unit over all records (SIM-A-01).
    pub fn ledger(&self) -> BTreeMap<Unit, Ledger> {
        let mut m: BTreeMap<Unit, Ledger> = BTreeMap::new();
        for r in &self.records {
            m.entry(r.unit()).or_default().add(r);
        }
        m
    }

    pub(crate) fn lookup(&self, r: &Ref) -> Option<usize> {
        match r {
            Ref::Rrn(s) => ids::parse_rrn(s).and_then(|k| self.by_rrn.get(&k).copied()),
            Ref::Stan { terminal, stan } => self
                .terminal_ids
                .get(terminal.as_str())
                .and_then(|&t| self.terminals.get(t))
                .and_then(|t| t.by_stan.get(stan).copied()),
            Ref::Request(id) => self.requests.get(id).copied().filter(|&i| i != NO_RECORD),
        }
    }

    /// The index of `terminal`, created on first sight (the only time its name is copied).
    pub(crate) fn terminal_index(&mut self, terminal: &str) -> usize {
        if let Some(&t) = self.terminal_ids.get(terminal) {
            return t;
        }
        let t = self.terminals.len();
        self.terminals.push(Terminal {
            name: terminal.to_owned(),
            ..Terminal::default()
        });
        self.terminal_ids.insert(terminal.into(), t);
        t
    }

    // ---- ids -----------------------------------------------------------------------------

    /// Allocates STAN and RRN (text and index key) for a new record on terminal `t` (an index
    /// from `terminal_index`).
    pub(crate) fn allocate_ids(&mut self, now: Timestamp, t: usize) -> (u32, String, u64) {
        let stan = self
            .terminals
            .get_mut(t)
            .map_or(0, |t| ids::next_six(&mut t.stan));
        let seq = ids::next_six(&mut self.rrn_seq);
        let prefix = HourFacts::cached(&mut self.hour, now).rrn_prefix;
        let key = ids::rrn_key(prefix, seq);
        (stan, ids::rrn_text(key), key)
    }

    /// The approval code of a decision, per the profile's style (spec 4.3; ationet spec 7).
    pub(crate) fn auth_code(&mut self, approved: bool) -> Option<String> {
        match &self.config.profile.auth_codes {
            AuthCodeStyle::Random => approved.then(|| ids::random_auth_code(&mut self.rng)),
            AuthCodeStyle::Sequential { prefix, digits } => {
                self.auth_seq = if self.auth_seq >= ids::sequential_max(*digits) {
                    1
                } else {
                    self.auth_seq + 1
                };
                Some(ids::sequential_code(prefix, *digits, self.auth_seq))
            }
        }
    }

    /// Stores a new record and indexes it; `rrn_key` is its RRN's key from `allocate_ids`.
    pub(crate) fn insert_record(&mut self, id: RequestId, rrn_key: u64, r: Record) -> usize {
        let idx = self.records.len();
        self.by_rrn.insert(rrn_key, idx);
        self.requests.insert(id, idx);
        if let Some(t) = self.terminals.get_mut(r.terminal) {
            t.by_stan.insert(r.stan, idx);
            t.open.insert(idx);
        }
        self.emit(Event::RecordChanged {
            rrn: r.rrn.clone(),
            kind: r.kind,
            from: None,
            to: r.phase.state(),
        });
        self.records.push(r);
        idx
    }

    /// Moves a record to `phase`, emitting the change; terminal records never move (SIM-G-02).
    pub(crate) fn set_phase(&mut self, idx: usize, phase: Phase) {
        let Some(r) = self.records.get_mut(idx) else {
            return;
        };
        let from = r.phase.state();
        if from.is_terminal() {
            return;
        }
        if let Phase::Approved { expiry } = r.phase {
            self.queue.remove(&expiry);
        }
        r.phase = phase;
        let to = r.phase.state();
        let event = Event::RecordChanged {
            rrn: r.rrn.clone(),
            kind: r.kind,
            from: Some(from),
            to,
        };
        if to.is_terminal() || to == RecordState::Settled {
            if let Some(t) = self.terminals.get_mut(r.terminal) {
                t.open.remove(&idx);
            }
        }
        if from != to {
            self.emit(event);
        }
    }

    pub(crate) fn emit(&mut self, e: Event) {
        self.outputs.push_back(Output::Event(e));
    }

    // ---- queue -----------------------------------------------------------------------------

    pub(crate) fn schedule(&mut self, at: Timestamp, timer: Timer) -> (Timestamp, u64) {
        self.queue_seq += 1;
        let key = (at, self.queue_seq);
        self.queue.insert(key, timer);
        key
    }

    /// Queues `reply` after `delay`.
    pub(crate) fn respond(
        &mut self,
        now: Timestamp,
        delay: Duration,
        id: RequestId,
        result: Reply,
        resolve: Option<usize>,
    ) {
        let response = Some(Response { id, result });
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                if let Some(s) = self.in_flight.get_mut(slot) {
                    *s = response;
                }
                slot
            }
            None => {
                self.in_flight.push(response);
                self.in_flight.len() - 1
            }
        };
        self.schedule(now + delay, Timer::Respond { slot, resolve });
    }

    /// Samples a latency (the override's, else the profile's for `op`).
    pub(crate) fn latency(&mut self, op: OpKind, over: Option<DurationSpec>) -> Duration {
        let l = &self.config.profile.latency;
        let spec = over.unwrap_or(match op {
            OpKind::Authorise => l.authorise,
            OpKind::Capture => l.capture,
            OpKind::Reverse => l.reverse,
            OpKind::Refund => l.refund,
            OpKind::Inquire => l.inquire,
            OpKind::CloseBatch => l.close_batch,
            OpKind::PromptAnswer => l.prompt_answer,
        });
        spec.sample(&mut self.rng)
    }

    fn fire_due(&mut self, now: Timestamp) {
        while let Some(entry) = self.queue.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let at = entry.key().0;
            match entry.remove() {
                Timer::Respond { slot, resolve } => {
                    if let Some(idx) = resolve {
                        self.resolve(idx, at);
                    }
                    let response = self.in_flight.get_mut(slot).and_then(Option::take);
                    self.free_slots.push(slot);
                    if let Some(response) = response {
                        self.outputs.push_back(Output::Response(response));
                    }
                }
                Timer::Expire(idx) => {
                    if matches!(
                        self.records.get(idx).map(|r| &r.phase),
                        Some(Phase::Approved { .. })
                    ) {
                        self.set_phase(idx, Phase::Expired);
                    }
                }
            }
        }
    }

    /// `Pending` -> the decided state. The decision was taken on arrival; this is the moment the
    /// answer leaves (or another operation touches the record first: the acquirer had decided,
    /// only the answer was in flight).
    pub(crate) fn resolve(&mut self, idx: usize, at: Timestamp) {
        let Some(r) = self.records.get_mut(idx) else {
            return;
        };
        let Phase::Pending { approved } = r.phase else {
            return;
        };
        if approved <= 0 {
            self.set_phase(idx, Phase::Declined);
            return;
        }
        r.approved = approved;
        if r.kind == RecordKind::Authorisation(AuthKind::Sale) {
            // Spec 4.1: a sale is captured at once.
            r.captured = approved;
            let unit = r.unit();
            *self.net.entry(unit).or_default() += i128::from(approved);
            self.set_phase(idx, Phase::Captured);
        } else {
            let expiry = self.schedule(at + self.config.auth_validity, Timer::Expire(idx));
            self.set_phase(idx, Phase::Approved { expiry });
        }
    }

    // ---- outcome choice (spec 4.2, first match wins) -------------------------------------------

    /// Steps 1-5 for one request. Returns the outcome and an override's latency.
    ///
    /// Takes the parts it needs rather than `&mut self`, so `facts` can borrow the record
    /// (card, terminal name) in place instead of copying them per request.
    pub(crate) fn choose(
        parts: Choosing<'_>,
        now: Timestamp,
        facts: &MatchFacts<'_>,
        op: &Operation,
    ) -> (Outcome, Option<DurationSpec>) {
        let Choosing {
            overrides,
            card_behaviour,
            config,
            rng,
            hour,
        } = parts;
        // (1) Overrides, in insertion order; `times` counts matches, spent ones go.
        if let Some(pos) = overrides.iter().position(|(_, o)| o.matcher.matches(facts)) {
            let (outcome, latency, spent) = {
                let o = &mut overrides[pos].1;
                if let Some(t) = o.times.as_mut() {
                    *t = t.saturating_sub(1);
                }
                (o.outcome.clone(), o.latency, o.times == Some(0))
            };
            if spent {
                overrides.remove(pos);
            }
            return (outcome, latency);
        }
        let Operation::Authorise(a) = op else {
            // Steps 2-4 are about authorisations; other operations proceed.
            return (Outcome::approve(), None);
        };
        // (2) The card's behaviour (card-reader crate hook).
        if let Some(hook) = card_behaviour.as_mut() {
            if let Some(o) = hook.outcome(&a.card, &a.amount, a.pin_block.as_deref()) {
                return (o, None);
            }
        }
        // Spec 4.1: Luhn and expiry are checked before the issuer's tables.
        if let Some(code) = ids::card_check_in(&a.card, HourFacts::cached(hour, now).year_month) {
            return (Outcome::code(code), None);
        }
        // (3) The profile's rules.
        if let Some(rule) = config.profile.rule_for(&a.amount, a.card.match_text()) {
            return (rule.outcome.clone(), None);
        }
        // (4) Seeded random faults; `chance` draws nothing at rate 0, so default runs keep
        // their RNG sequence.
        let (nr, dr) = (config.no_response_rate, config.random_decline_rate);
        if !nr.is_zero() && chance(rng, nr.num, nr.den) {
            return (Outcome::NoResponse, None);
        }
        if !dr.is_zero() && chance(rng, dr.num, dr.den) {
            return (Outcome::code(config.random_decline_code), None);
        }
        // (5) Approve.
        (Outcome::approve(), None)
    }

    /// The profile's text for `code`.
    pub(crate) fn text(&self, code: ResponseCode) -> String {
        self.config.profile.texts.text(code).to_owned()
    }
}

impl Machine for Acquirer {
    type Input = Input;
    type Output = Output;
    type Reject = Reject;

    fn handle_input(&mut self, now: Timestamp, input: Input) -> Result<(), Reject> {
        match input {
            Input::Timeout => {
                self.fire_due(now);
                Ok(())
            }
            Input::Request(Request { id, op }) => {
                if self.requests.contains_key(&id) {
                    return Err(Reject::DuplicateRequest(id));
                }
                // Deadlines already due happen before this request, whoever forgot to fire them.
                self.fire_due(now);
                // A request creates at most one record, and `insert_record` marks the id used
                // then; the others are marked here (one map insertion either way).
                let before = self.records.len();
                self.handle_request(now, id, op);
                if self.records.len() == before {
                    self.requests.insert(id, NO_RECORD);
                }
                // Zero-latency answers leave at once.
                self.fire_due(now);
                Ok(())
            }
        }
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    fn poll_timeout(&self) -> Option<Timestamp> {
        self.queue.keys().next().map(|k| k.0)
    }
}
