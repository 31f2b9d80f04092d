//! Client grading rules ATN-C-001..009: pure judges of an MPA's traffic, read from payrig's
//! journal (conformance spec section 5, ationet spec section 6).
//!
//! Every rule implements [`ClientRule`]: it is fed the journal in order, keeps only entries with
//! `protocol == "ationet"` (requests, responses, `fault_applied` and the `sim` `state` lines
//! the world writes for each transaction), and judges on demand. The state each rule keeps is
//! the ATIONet exchange log it needs ([`Log`]: requests paired with their response or fault,
//! plus state changes); the judgement itself is a pure function of that log and `end`.
//!
//! What a journal cannot show is said in each rule's doc: the client's internal decisions
//! (ATN-C-005), the moment a client gave up waiting, and anything the server did not journal.
//! Thresholds come from [`RuleConfig`] (defaults: poll floor 1 s, D15; prompt window 300 s,
//! T_prompt).
//!
//! ```text
//! for e in journal { for r in rules { r.observe(e) } }   // journal order
//! let verdicts = rules.iter().map(|r| r.verdict(end));    // any time, repeatable
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};

use payrig_core::grading::{
    body_text, corr_str, entry_time, header, status, ClientRule, RuleVerdict,
};
use payrig_core::journal::{EntryKind, JournalEntry};
use payrig_core::{Duration, Timestamp};
use serde_json::{json, Value};

use crate::domain::{CreateKind, CreateRequest};
use crate::state::StateId;
use crate::wire::decode_create;

/// The protocol name the journal uses.
pub const PROTOCOL: &str = "ationet";

/// Thresholds of the ATN client rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleConfig {
    /// ATN-C-004: the least interval between two polls of one transaction (D15: 1 s).
    pub poll_floor: Duration,
    /// ATN-C-009: time to answer a state-25 prompt (T_prompt: 300 s).
    pub prompt_window: Duration,
    /// ATN-C-003: how long after a failed create its resend is awaited (and within which a
    /// same-body create under a new key counts as a retry, not a new purchase). Default 120 s.
    pub retry_window: Duration,
    /// ATN-C-006: after a Cancel answered `false`, a new create on the same pump within this
    /// window (without the transaction having ended) counts as "treated as cancelled".
    /// Default 30 s.
    pub cancel_followup_window: Duration,
    /// ATN-C-007: silence after which a transaction left in a cancellable state counts as
    /// abandoned. Default 60 s.
    pub abandon_after: Duration,
    /// ATN-C-008: most decimals allowed in `amount` (3 for volume presets; the currency
    /// exponent for money presets, D4). Default 3.
    pub amount_max_decimals: u32,
}

impl Default for RuleConfig {
    fn default() -> Self {
        RuleConfig {
            poll_floor: Duration::from_secs(1),
            prompt_window: Duration::from_secs(300),
            retry_window: Duration::from_secs(120),
            cancel_followup_window: Duration::from_secs(30),
            abandon_after: Duration::from_secs(60),
            amount_max_decimals: 3,
        }
    }
}

/// Every ATN client rule, ATN-C-001..009 in order.
pub fn all_rules(cfg: &RuleConfig) -> Vec<Box<dyn ClientRule>> {
    vec![
        Box::new(BearerOnEveryRequest::default()),
        Box::new(FreshPotencyKey::default()),
        Box::new(RetryRepeatsCreate::new(cfg)),
        Box::new(PollPacing::new(cfg)),
        Box::new(BranchesOnStateId),
        Box::new(CancelOnlyWhenSuccess::new(cfg)),
        Box::new(CancelsAbandoned::new(cfg)),
        Box::new(SeedNamesAndNumbers::new(cfg)),
        Box::new(AnswersPrompts::new(cfg)),
    ]
}

// ---------------------------------------------------------------------------------------------
// The exchange log every rule keeps.

/// A response as journaled.
#[derive(Debug, Clone)]
struct Resp {
    seq: u64,
    at: Option<Timestamp>,
    status: u16,
    body: Option<String>,
    corr_tx: Option<String>,
}

/// A request with its response or fault.
#[derive(Debug, Clone)]
struct Req {
    seq: u64,
    at: Option<Timestamp>,
    op: String,
    path: String,
    authorization: Option<String>,
    body: Option<String>,
    resp: Option<Resp>,
    /// `fault_applied` seq and kind.
    fault: Option<(u64, Option<Timestamp>, String)>,
}

impl Req {
    fn create_kind(&self) -> Option<CreateKind> {
        match self.op.as_str() {
            "MobilePayments" => Some(CreateKind::MobilePayments),
            "PreAuthorizedPayments" => Some(CreateKind::PreAuthorizedPayments),
            _ => None,
        }
    }

    /// The decoded create body (`None` for other operations and for bodies the server
    /// refuses with 400: those consume no key).
    fn create(&self) -> Option<CreateRequest> {
        let kind = self.create_kind()?;
        decode_create(kind, self.body.as_deref()?.as_bytes()).ok()
    }

    fn status(&self) -> Option<u16> {
        self.resp.as_ref().map(|r| r.status)
    }

    /// A create whose outcome the client cannot know: no response entry, a wire fault, or 5xx.
    fn lost(&self) -> bool {
        self.fault.is_some() || self.resp.is_none() || self.status().is_some_and(|s| s >= 500)
    }

    /// When the client learnt of the failure (fault, 5xx answer), else when it sent.
    fn lost_at(&self) -> Option<Timestamp> {
        if let Some((_, at, _)) = &self.fault {
            return *at;
        }
        self.resp.as_ref().and_then(|r| r.at).or(self.at)
    }

    /// The transaction a create produced (200 body or correlation), else its key (D5).
    fn created_tx(&self, c: &CreateRequest) -> String {
        self.resp
            .as_ref()
            .filter(|r| r.status == 200)
            .and_then(|r| {
                r.body
                    .as_deref()
                    .and_then(|b| serde_json::from_str::<Value>(b).ok())
                    .and_then(|v| v.get("transactionId")?.as_str().map(str::to_owned))
                    .or_else(|| r.corr_tx.clone())
            })
            .unwrap_or_else(|| c.potency_key_id.clone())
    }

    /// The transaction a GetTransaction, Cancel or PromptPreauthorizations is about.
    fn target_tx(&self) -> Option<String> {
        match self.op.as_str() {
            "GetTransaction" => self
                .resp
                .as_ref()
                .and_then(|r| r.corr_tx.clone())
                .or_else(|| {
                    let p = self.path.split('?').next().unwrap_or("");
                    p.rsplit('/').next().map(str::to_owned)
                }),
            "Cancel" => body_member(self.body.as_deref()?, "transactionId"),
            "PromptPreauthorizations" => body_member(self.body.as_deref()?, "idTransaction"),
            _ => None,
        }
    }

    /// `state_Id` of a 200 GetTransaction answer.
    fn polled_state(&self) -> Option<u8> {
        if self.op != "GetTransaction" {
            return None;
        }
        let r = self.resp.as_ref().filter(|r| r.status == 200)?;
        let v: Value = serde_json::from_str(r.body.as_deref()?).ok()?;
        v.get("state_Id")?
            .as_u64()
            .and_then(|n| u8::try_from(n).ok())
    }
}

/// A state change from the world's `sim` `state` lines.
#[derive(Debug, Clone)]
struct StateEv {
    seq: u64,
    at: Option<Timestamp>,
    tx: String,
    to: u8,
}

/// ATIONet requests (with answers and faults) and state changes, in journal order.
#[derive(Debug, Clone, Default)]
struct Log {
    reqs: Vec<Req>,
    by_seq: HashMap<u64, usize>,
    states: Vec<StateEv>,
}

impl Log {
    /// Takes in one journal entry (non-ATIONet entries are ignored).
    fn observe(&mut self, e: &JournalEntry) {
        if e.protocol.as_deref() != Some(PROTOCOL) {
            return;
        }
        match e.kind {
            EntryKind::HttpRequest => {
                let http = e.http.as_ref();
                self.by_seq.insert(e.seq, self.reqs.len());
                self.reqs.push(Req {
                    seq: e.seq,
                    at: entry_time(e),
                    op: e.op.clone().unwrap_or_default(),
                    path: http.and_then(|h| h.path.clone()).unwrap_or_default(),
                    authorization: header(e, "authorization").map(str::to_owned),
                    body: body_text(e).map(str::to_owned),
                    resp: None,
                    fault: None,
                });
            }
            EntryKind::HttpResponse => {
                if let Some(r) = self.req_mut(e.reply_to) {
                    r.resp = Some(Resp {
                        seq: e.seq,
                        at: entry_time(e),
                        status: status(e).unwrap_or(0),
                        body: body_text(e).map(str::to_owned),
                        corr_tx: corr_str(e, "transaction_id").map(str::to_owned),
                    });
                }
            }
            EntryKind::FaultApplied => {
                let kind = e.fault.clone().unwrap_or_default();
                if is_delay(&kind) {
                    return;
                }
                let at = entry_time(e);
                if let Some(r) = self.req_mut(e.reply_to) {
                    r.fault = Some((e.seq, at, kind));
                }
            }
            EntryKind::Sim if e.op.as_deref() == Some("state") => {
                let to = e
                    .data
                    .as_ref()
                    .and_then(|d| d.get("to"))
                    .and_then(Value::as_u64)
                    .and_then(|n| u8::try_from(n).ok());
                if let (Some(tx), Some(to)) = (corr_str(e, "transaction_id"), to) {
                    self.states.push(StateEv {
                        seq: e.seq,
                        at: entry_time(e),
                        tx: tx.to_owned(),
                        to,
                    });
                }
            }
            _ => {}
        }
    }

    fn req_mut(&mut self, seq: Option<u64>) -> Option<&mut Req> {
        let i = *self.by_seq.get(&seq?)?;
        self.reqs.get_mut(i)
    }

    fn creates(&self) -> impl Iterator<Item = (&Req, CreateRequest)> {
        self.reqs.iter().filter_map(|r| r.create().map(|c| (r, c)))
    }

    /// The transaction's state just before journal position `seq` (from the sim lines).
    fn state_before(&self, tx: &str, seq: u64) -> Option<u8> {
        self.states
            .iter()
            .rfind(|s| s.tx == tx && s.seq < seq)
            .map(|s| s.to)
    }
}

/// Wire-fault kinds after which the answer still arrives (a `status` replacement is judged
/// by its status, like any 5xx).
fn is_delay(kind: &str) -> bool {
    kind.starts_with("delay") || kind == "dribble" || kind == "status"
}

/// A string member of a JSON object body, name compared case-insensitively (D2).
fn body_member(body: &str, name: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str().map(str::to_owned))
}

fn is_terminal(state: u8) -> bool {
    StateId::from_id(state).is_some_and(StateId::is_terminal)
}

/// States a Cancel answers `00000` in (4.1): 1, 2, 4, 5, 7, 25, 27, 28.
fn is_cancellable(state: u8) -> bool {
    matches!(state, 1 | 2 | 4 | 5 | 7 | 25 | 27 | 28)
}

fn ms_between(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(b.since(a).as_millis()),
        _ => None,
    }
}

/// At most this many seqs are listed as evidence of a pass.
const MAX_PASS_EVIDENCE: usize = 20;

fn capped(mut v: Vec<u64>) -> Vec<u64> {
    v.truncate(MAX_PASS_EVIDENCE);
    v
}

fn same_purchase(a: &CreateRequest, b: &CreateRequest) -> bool {
    let mut b = b.clone();
    b.potency_key_id.clone_from(&a.potency_key_id);
    a.same_body(&b)
}

fn same_pump(a: &CreateRequest, b: &CreateRequest) -> bool {
    a.site_code == b.site_code && a.pump_number == b.pump_number
}

// ---------------------------------------------------------------------------------------------

/// ATN-C-001: sends `Authorization: Bearer` on every request (D1).
///
/// Situation: any ATIONet request. Obligation: an `Authorization` header whose scheme word is
/// `Bearer` (any casing) followed by a token. The journal masks tokens (`Bearer ***`), so the
/// token's value is not judged here; a wrong token shows as the server's 401 (ATN-S-009).
/// Fail evidence: every offending request seq.
#[derive(Debug, Default)]
pub struct BearerOnEveryRequest {
    log: Log,
}

impl ClientRule for BearerOnEveryRequest {
    fn id(&self) -> &'static str {
        "ATN-C-001"
    }
    fn observe(&mut self, e: &JournalEntry) {
        self.log.observe(e);
    }
    fn verdict(&self, _end: Timestamp) -> RuleVerdict {
        let reqs = &self.log.reqs;
        if reqs.is_empty() {
            return RuleVerdict::not_applicable("no ATIONet request");
        }
        let bad: Vec<u64> = reqs
            .iter()
            .filter(|r| !is_bearer(r.authorization.as_deref()))
            .map(|r| r.seq)
            .collect();
        let measured = json!({"requests": reqs.len(), "without_bearer": bad.len()});
        if bad.is_empty() {
            RuleVerdict::pass(
                capped(reqs.iter().map(|r| r.seq).collect()),
                format!("all {} requests carry Authorization: Bearer", reqs.len()),
            )
        } else {
            RuleVerdict::fail(
                bad.clone(),
                format!(
                    "{} of {} requests lack Authorization: Bearer",
                    bad.len(),
                    reqs.len()
                ),
            )
        }
        .with_measured(measured)
    }
}

fn is_bearer(v: Option<&str>) -> bool {
    v.and_then(|v| v.trim().split_once(' '))
        .is_some_and(|(scheme, token)| {
            scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()
        })
}

/// ATN-C-002: a fresh `potencyKeyId` for each purchase, never reused with another body.
///
/// Situation: creates that take a key (answered 200, or whose outcome was lost; a 4xx consumes
/// no key, 3.6). Fail when: a create gets 409 `idempotency_key_reused`; a create reuses a taken
/// key with a different body (values compared as the server does, 3.6); or a create reuses a key
/// after the client was shown that key's transaction in a terminal state (a new purchase under
/// an old key). An identical repeat before that is a retry and is fine. Evidence: the key's
/// first use and the offending create (and its 409 answer).
#[derive(Debug, Default)]
pub struct FreshPotencyKey {
    log: Log,
}

impl ClientRule for FreshPotencyKey {
    fn id(&self) -> &'static str {
        "ATN-C-002"
    }
    fn observe(&mut self, e: &JournalEntry) {
        self.log.observe(e);
    }
    fn verdict(&self, _end: Timestamp) -> RuleVerdict {
        let mut taken: BTreeMap<String, (u64, CreateRequest, String)> = BTreeMap::new();
        let mut fails = Vec::new();
        let mut creates = 0usize;
        for r in &self.log.reqs {
            if r.create_kind().is_none() {
                continue;
            }
            creates += 1;
            let reused_409 = r.status() == Some(409)
                && r.resp
                    .as_ref()
                    .and_then(|x| x.body.as_deref())
                    .is_some_and(|b| b.contains("idempotency_key_reused"));
            let Some(c) = r.create() else { continue };
            let key = c.potency_key_id.clone();
            if let Some((first, fc, tx)) = taken.get(&key) {
                if reused_409 || !fc.same_body(&c) {
                    let mut ev = vec![*first, r.seq];
                    ev.extend(r.resp.as_ref().filter(|_| reused_409).map(|x| x.seq));
                    fails.push(RuleVerdict::fail(
                        ev,
                        format!("potencyKeyId `{key}` reused with another body"),
                    ));
                } else if let Some(seen) = self
                    .log
                    .reqs
                    .iter()
                    .filter(|g| g.seq < r.seq && g.target_tx().as_deref() == Some(tx.as_str()))
                    .find(|g| g.polled_state().is_some_and(is_terminal))
                {
                    let shown = seen.resp.as_ref().map_or(seen.seq, |x| x.seq);
                    fails.push(RuleVerdict::fail(
                        vec![*first, shown, r.seq],
                        format!(
                            "potencyKeyId `{key}` reused after its purchase was shown in a \
                             terminal state"
                        ),
                    ));
                }
                continue;
            }
            if reused_409 {
                fails.push(RuleVerdict::fail(
                    [r.seq]
                        .into_iter()
                        .chain(r.resp.as_ref().map(|x| x.seq))
                        .collect(),
                    format!("409 idempotency_key_reused for `{key}`"),
                ));
                continue;
            }
            if r.status() == Some(200) || r.lost() {
                let tx = r.created_tx(&c);
                taken.insert(key, (r.seq, c, tx));
            }
        }
        if !fails.is_empty() {
            return RuleVerdict::merge(fails, "");
        }
        if taken.is_empty() {
            return RuleVerdict::not_applicable(if creates == 0 {
                "no create"
            } else {
                "no create took a key"
            });
        }
        let mut first: Vec<u64> = taken.values().map(|(s, _, _)| *s).collect();
        first.sort_unstable();
        RuleVerdict::pass(
            capped(first),
            format!("{} keys, each used for one body", taken.len()),
        )
        .with_measured(json!({"keys": taken.len(), "creates": creates}))
    }
}

/// ATN-C-003: after a timeout, lost connection or 5xx on a create, resends the same body and key.
///
/// Situation: a create whose outcome the client could not know: no response entry, a
/// non-delay `fault_applied` on it, or a 5xx. Obligation: the next create on the same site and
/// pump repeats the body under the same key. Fail when that next create uses the same key with
/// another body, or a new key with the same purchase (body equal but for the key) within
/// `retry_window` of the failure; or when no resend came within `retry_window`. A create on
/// the same pump with a new key and a different body is a different purchase and is skipped.
/// Inconclusive: the session ended inside the window with no resend. Evidence: both requests.
/// Not observable: a client-side timeout on a create the server answered in time (the journal
/// shows the answer).
#[derive(Debug)]
pub struct RetryRepeatsCreate {
    log: Log,
    window: Duration,
}

impl RetryRepeatsCreate {
    /// With `cfg.retry_window`.
    pub fn new(cfg: &RuleConfig) -> Self {
        RetryRepeatsCreate {
            log: Log::default(),
            window: cfg.retry_window,
        }
    }
}

impl ClientRule for RetryRepeatsCreate {
    fn id(&self) -> &'static str {
        "ATN-C-003"
    }
    fn observe(&mut self, e: &JournalEntry) {
        self.log.observe(e);
    }
    fn verdict(&self, end: Timestamp) -> RuleVerdict {
        let creates: Vec<(&Req, CreateRequest)> = self.log.creates().collect();
        let mut parts = Vec::new();
        for (i, (c, cb)) in creates.iter().enumerate() {
            if !c.lost() {
                continue;
            }
            let lost_at = c.lost_at();
            let within =
                |d: &Req| ms_between(lost_at, d.at).is_none_or(|ms| ms <= self.window.as_millis());
            let mut verdict = None;
            for (d, db) in creates.iter().skip(i + 1) {
                if !same_pump(cb, db) {
                    continue;
                }
                if db.potency_key_id == cb.potency_key_id {
                    verdict = Some(if cb.same_body(db) {
                        RuleVerdict::pass(vec![c.seq, d.seq], "resent with the same body and key")
                    } else {
                        RuleVerdict::fail(
                            vec![c.seq, d.seq],
                            format!("resend under `{}` changed the body", cb.potency_key_id),
                        )
                    });
                    break;
                }
                if same_purchase(cb, db) && within(d) {
                    verdict = Some(RuleVerdict::fail(
                        vec![c.seq, d.seq],
                        format!(
                            "create failed, then the same purchase was sent under a new \
                             potencyKeyId `{}` (was `{}`)",
                            db.potency_key_id, cb.potency_key_id
                        ),
                    ));
                    break;
                }
            }
            let v = verdict.unwrap_or_else(|| {
                if ms_between(lost_at, Some(end)).is_some_and(|ms| ms >= self.window.as_millis()) {
                    RuleVerdict::fail(
                        vec![c.seq],
                        format!("no resend of the failed create within {}", self.window),
                    )
                } else {
                    RuleVerdict::inconclusive(
                        vec![c.seq],
                        "the session ended before a resend of the failed create",
                    )
                }
            });
            parts.push(v);
        }
        RuleVerdict::merge(parts, "no create failed (no lost response, fault or 5xx)")
    }
}

/// ATN-C-004: polls a transaction at most once per second, and stops at a terminal state.
///
/// Situation: GetTransaction requests. Obligation: two polls of one id are at least
/// `poll_floor` apart (journal `at`, the server's clock); no poll of an id after a
/// GetTransaction answer showed it in a terminal state. Evidence on fail: the offending pair
/// (or the terminal answer and the later poll). `measured`: the least interval seen.
#[derive(Debug)]
pub struct PollPacing {
    log: Log,
    floor: Duration,
}

impl PollPacing {
    /// With `cfg.poll_floor`.
    pub fn new(cfg: &RuleConfig) -> Self {
        PollPacing {
            log: Log::default(),
            floor: cfg.poll_floor,
        }
    }
}

impl ClientRule for PollPacing {
    fn id(&self) -> &'static str {
        "ATN-C-004"
    }
    fn observe(&mut self, e: &JournalEntry) {
        self.log.observe(e);
    }
    fn verdict(&self, _end: Timestamp) -> RuleVerdict {
        let mut by_id: BTreeMap<String, Vec<&Req>> = BTreeMap::new();
        for r in self.log.reqs.iter().filter(|r| r.op == "GetTransaction") {
            if let Some(id) = r.target_tx() {
                by_id.entry(id).or_default().push(r);
            }
        }
        if by_id.is_empty() {
            return RuleVerdict::not_applicable("no GetTransaction poll");
        }
        let mut fails = Vec::new();
        let mut min: Option<(u64, u64, u64)> = None; // (ms, prev, next)
        let mut polls = 0usize;
        for (id, list) in &by_id {
            polls += list.len();
            for w in list.windows(2) {
                let (a, b) = (w[0], w[1]);
                if let Some(ms) = ms_between(a.at, b.at) {
                    if min.is_none_or(|(m, _, _)| ms < m) {
                        min = Some((ms, a.seq, b.seq));
                    }
                    if ms < self.floor.as_millis() {
                        fails.push(
                            RuleVerdict::fail(
                                vec![a.seq, b.seq],
                                format!("`{id}` polled twice {ms} ms apart"),
                            )
                            .with_measured(json!({"interval_ms": ms, "id": id})),
                        );
                    }
                }
            }
            if let Some(t) = list
                .iter()
                .find(|r| r.polled_state().is_some_and(is_terminal))
            {
                let shown = t.resp.as_ref().map_or(t.seq, |x| x.seq);
                if let Some(after) = list.iter().find(|r| r.seq > shown) {
                    fails.push(RuleVerdict::fail(
                        vec![shown, after.seq],
                        format!(
                            "`{id}` polled again after a terminal state ({}) was returned",
                            t.polled_state().unwrap_or(0)
                        ),
                    ));
                }
            }
        }
        let min_ms = min.map(|(m, _, _)| m);
        let measured = json!({"min_interval_ms": min_ms, "polls": polls,
                              "floor_ms": self.floor.as_millis()});
        if !fails.is_empty() {
            return RuleVerdict::merge(fails, "").with_measured(measured);
        }
        let ev = match min {
            Some((_, a, b)) => vec![a, b],
            None => by_id.values().flatten().map(|r| r.seq).take(1).collect(),
        };
        RuleVerdict::pass(
            ev,
            match min_ms {
                Some(ms) => format!("{polls} polls, least interval {ms} ms"),
                None => format!("{polls} poll(s), no interval to measure"),
            },
        )
        .with_measured(measured)
    }
}

/// ATN-C-005: branches on `state_Id`, never on `state_Name`.
///
/// Not observable from traffic alone: the journal shows what the client sent, not why. Judging
/// it needs a driver scenario that serves a changed `state_Name` for a known `state_Id` and
/// checks the client's next action. Always `NotApplicable` here.
#[derive(Debug, Default)]
pub struct BranchesOnStateId;

impl ClientRule for BranchesOnStateId {
    fn id(&self) -> &'static str {
        "ATN-C-005"
    }
    fn observe(&mut self, _e: &JournalEntry) {}
    fn verdict(&self, _end: Timestamp) -> RuleVerdict {
        RuleVerdict::not_applicable(
            "not observable from traffic: needs a driver scenario that serves an altered \
             state_Name for a known state_Id and checks what the client does next",
        )
    }
}

/// ATN-C-006: treats a Cancel as done only when `isSuccessCanceled` is true.
///
/// Situation: a Cancel answered 200 with `isSuccessCanceled: false` for a transaction whose
/// create is in the journal (so its pump is known). Approximation of "does not behave as if
/// cancelled": within `cancel_followup_window` of that answer, the client does not create a
/// new purchase on the same site and pump, unless it was first shown the transaction in a
/// terminal state or a later Cancel of it succeeded. Pass: the window passed (or the
/// transaction ended) without such a create; evidence the Cancel answer and the client's
/// follow-ups (polls, re-cancels). Inconclusive: the session ended inside the window.
/// Not observable: whether the client accepts `0` as well as `00000` (the server sends one).
#[derive(Debug)]
pub struct CancelOnlyWhenSuccess {
    log: Log,
    window: Duration,
}

impl CancelOnlyWhenSuccess {
    /// With `cfg.cancel_followup_window`.
    pub fn new(cfg: &RuleConfig) -> Self {
        CancelOnlyWhenSuccess {
            log: Log::default(),
            window: cfg.cancel_followup_window,
        }
    }
}

fn cancel_success(r: &Req) -> Option<bool> {
    if r.op != "Cancel" {
        return None;
    }
    let resp = r.resp.as_ref().filter(|x| x.status == 200)?;
    let v: Value = serde_json::from_str(resp.body.as_deref()?).ok()?;
    v.get("isSuccessCanceled")?.as_bool()
}

impl ClientRule for CancelOnlyWhenSuccess {
    fn id(&self) -> &'static str {
        "ATN-C-006"
    }
    fn observe(&mut self, e: &JournalEntry) {
        self.log.observe(e);
    }
    fn verdict(&self, end: Timestamp) -> RuleVerdict {
        let creates: Vec<(&Req, CreateRequest)> = self.log.creates().collect();
        let pump_of = |tx: &str| {
            creates
                .iter()
                .find(|(r, c)| r.created_tx(c) == tx)
                .map(|(_, c)| c.clone())
        };
        let mut parts = Vec::new();
        for c in &self.log.reqs {
            if cancel_success(c) != Some(false) {
                continue;
            }
            let (Some(tx), Some(resp)) = (c.target_tx(), c.resp.as_ref()) else {
                continue;
            };
            let Some(orig) = pump_of(&tx) else { continue };
            let answered = resp.at;
            let mut follow = Vec::new();
            let mut verdict = None;
            for r in self.log.reqs.iter().filter(|r| r.seq > resp.seq) {
                let in_window =
                    ms_between(answered, r.at).is_none_or(|ms| ms <= self.window.as_millis());
                if !in_window {
                    break;
                }
                if r.target_tx().as_deref() == Some(tx.as_str()) {
                    follow.push(r.seq);
                    let ended = r.polled_state().is_some_and(is_terminal)
                        || cancel_success(r) == Some(true);
                    if ended {
                        verdict = Some(RuleVerdict::pass(
                            [c.seq, resp.seq]
                                .into_iter()
                                .chain(follow.clone())
                                .collect(),
                            "after the refused Cancel the client followed the transaction \
                             to its end",
                        ));
                        break;
                    }
                    continue;
                }
                if let Some(nb) = r.create() {
                    if same_pump(&orig, &nb) && nb.potency_key_id != orig.potency_key_id {
                        verdict = Some(RuleVerdict::fail(
                            vec![c.seq, resp.seq, r.seq],
                            format!(
                                "Cancel of `{tx}` answered isSuccessCanceled=false, yet a new \
                                 purchase was created on pump {} right after",
                                orig.pump_number
                            ),
                        ));
                        break;
                    }
                }
            }
            let v = verdict.unwrap_or_else(|| {
                let elapsed =
                    ms_between(answered, Some(end)).is_some_and(|ms| ms >= self.window.as_millis());
                let ev: Vec<u64> = [c.seq, resp.seq].into_iter().chain(follow).collect();
                if elapsed {
                    RuleVerdict::pass(
                        ev,
                        format!(
                            "no new purchase on the pump within {} of the refused Cancel",
                            self.window
                        ),
                    )
                } else {
                    RuleVerdict::inconclusive(
                        ev,
                        "the session ended before the follow-up window after a refused Cancel",
                    )
                }
            });
            parts.push(v);
        }
        RuleVerdict::merge(parts, "no Cancel of a known transaction was answered false")
    }
}

/// ATN-C-007: cancels a purchase it abandons before state 9.
///
/// Situation, per transaction created with 200: the client's last request about it (create,
/// poll, Cancel, prompt answer) left it in a cancellable state (1, 2, 4, 5, 7, 25, 27, 28;
/// from the poll answer, else the journal's state lines). Pass: a Cancel of it was sent while
/// it was cancellable. Fail: no such Cancel, and it then timed out (14 or 19) without the client
/// touching it again, or it was still open `abandon_after` after the client's last request.
/// Inconclusive: the session ended sooner. Transactions the client followed to state 9 or a
/// terminal state, or that went on to 9 or ended some other way, are not abandoned.
/// Not covered: the "repeat a lost create first" half (ATN-C-003 judges resends).
#[derive(Debug)]
pub struct CancelsAbandoned {
    log: Log,
    after: Duration,
}

impl CancelsAbandoned {
    /// With `cfg.abandon_after`.
    pub fn new(cfg: &RuleConfig) -> Self {
        CancelsAbandoned {
            log: Log::default(),
            after: cfg.abandon_after,
        }
    }
}

impl ClientRule for CancelsAbandoned {
    fn id(&self) -> &'static str {
        "ATN-C-007"
    }
    fn observe(&mut self, e: &JournalEntry) {
        self.log.observe(e);
    }
    fn verdict(&self, end: Timestamp) -> RuleVerdict {
        let mut seen = BTreeSet::new();
        let mut parts = Vec::new();
        for (c, cb) in self.log.creates() {
            if c.status() != Some(200) {
                continue;
            }
            let tx = c.created_tx(&cb);
            if !seen.insert(tx.clone()) {
                continue;
            }
            let touches: Vec<&Req> = self
                .log
                .reqs
                .iter()
                .filter(|r| {
                    r.seq >= c.seq
                        && (r.target_tx().as_deref() == Some(tx.as_str())
                            || r.create()
                                .is_some_and(|b| b.potency_key_id == cb.potency_key_id))
                })
                .collect();
            // A new transaction is in state 1 (Created) until its first state line.
            let state_at = |seq: u64| self.log.state_before(&tx, seq).unwrap_or(1);
            let cancel = touches
                .iter()
                .find(|r| r.op == "Cancel" && is_cancellable(state_at(r.seq)));
            if let Some(k) = cancel {
                parts.push(RuleVerdict::pass(
                    vec![c.seq, k.seq],
                    format!("`{tx}` cancelled while cancellable"),
                ));
                continue;
            }
            let Some(last) = touches.last() else { continue };
            let after_seq = last.resp.as_ref().map_or(last.seq, |r| r.seq);
            let left_in = last
                .polled_state()
                .unwrap_or_else(|| state_at(after_seq + 1));
            if !is_cancellable(left_in) {
                continue;
            }
            let later: Vec<&StateEv> = self
                .log
                .states
                .iter()
                .filter(|s| s.tx == tx && s.seq > after_seq)
                .collect();
            if later.iter().any(|s| s.to == 9) {
                continue;
            }
            if let Some(t) = later.iter().find(|s| is_terminal(s.to)) {
                if matches!(t.to, 14 | 19) {
                    parts.push(RuleVerdict::fail(
                        vec![c.seq, last.seq, t.seq],
                        format!(
                            "`{tx}` left in state {left_in} without a Cancel; it timed out \
                             to {}",
                            t.to
                        ),
                    ));
                }
                continue;
            }
            let quiet = ms_between(last.at, Some(end));
            if quiet.is_some_and(|ms| ms >= self.after.as_millis()) {
                parts.push(RuleVerdict::fail(
                    vec![c.seq, last.seq],
                    format!(
                        "`{tx}` left in state {left_in} without a Cancel and untouched for {}",
                        self.after
                    ),
                ));
            } else {
                parts.push(RuleVerdict::inconclusive(
                    vec![c.seq, last.seq],
                    format!("`{tx}` still in state {left_in} when the session ended"),
                ));
            }
        }
        RuleVerdict::merge(parts, "no purchase was left before state 9")
    }
}

/// ATN-C-008: sends the seed's names and JSON numbers within the unit's precision.
///
/// Situation: create requests with a JSON object body. Fail, per create: the table spelling
/// `externalReferenceID` instead of the seed's `externalReferanceID` (D3); `pumpNumber`,
/// `amount` or `mobilePaymentMode` sent as a string (D13); `amount` with more than
/// `amount_max_decimals` significant decimals (D4). Casing differences are accepted by the
/// server (D2) and not judged. Evidence: the offending requests.
#[derive(Debug)]
pub struct SeedNamesAndNumbers {
    log: Log,
    max_decimals: u32,
}

impl SeedNamesAndNumbers {
    /// With `cfg.amount_max_decimals`.
    pub fn new(cfg: &RuleConfig) -> Self {
        SeedNamesAndNumbers {
            log: Log::default(),
            max_decimals: cfg.amount_max_decimals,
        }
    }
}

/// Significant decimals of a JSON number's text (`9.10` -> 1, `1e-3` -> 3, `100e-2` -> 0).
fn significant_decimals(raw: &str) -> Option<u32> {
    let t = raw.trim().trim_start_matches('-');
    let (mant, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut scale = i64::try_from(frac.len()).ok()? - exp;
    while scale > 0 && digits.last() == Some(&b'0') {
        digits.pop();
        scale -= 1;
    }
    u32::try_from(scale.max(0)).ok()
}

impl ClientRule for SeedNamesAndNumbers {
    fn id(&self) -> &'static str {
        "ATN-C-008"
    }
    fn observe(&mut self, e: &JournalEntry) {
        self.log.observe(e);
    }
    fn verdict(&self, _end: Timestamp) -> RuleVerdict {
        let mut checked = Vec::new();
        let mut fails = Vec::new();
        for r in self.log.reqs.iter().filter(|r| r.create_kind().is_some()) {
            let Some(body) = r.body.as_deref() else {
                continue;
            };
            let Ok(obj) =
                serde_json::from_str::<BTreeMap<String, Box<serde_json::value::RawValue>>>(body)
            else {
                continue;
            };
            checked.push(r.seq);
            let mut why = Vec::new();
            for (k, v) in &obj {
                let raw = v.get().trim();
                if k.eq_ignore_ascii_case("externalReferenceID") {
                    why.push(format!(
                        "`{k}` is the table spelling; the seed's name is `externalReferanceID`"
                    ));
                }
                let numeric = ["pumpNumber", "amount", "mobilePaymentMode"]
                    .iter()
                    .any(|n| k.eq_ignore_ascii_case(n));
                if numeric && raw.starts_with('"') {
                    why.push(format!("`{k}` sent as a string ({raw}), not a JSON number"));
                }
                if k.eq_ignore_ascii_case("amount") && !raw.starts_with('"') {
                    if let Some(d) = significant_decimals(raw) {
                        if d > self.max_decimals {
                            why.push(format!(
                                "`amount` {raw} has {d} decimals (at most {})",
                                self.max_decimals
                            ));
                        }
                    }
                }
            }
            if !why.is_empty() {
                fails.push(RuleVerdict::fail(vec![r.seq], why.join("; ")));
            }
        }
        if !fails.is_empty() {
            return RuleVerdict::merge(fails, "");
        }
        if checked.is_empty() {
            return RuleVerdict::not_applicable("no create with a JSON object body");
        }
        RuleVerdict::pass(
            capped(checked.clone()),
            format!(
                "{} creates use the seed's names and JSON numbers",
                checked.len()
            ),
        )
    }
}

/// ATN-C-009: with prompting on, answers within 300 s with exactly the requested keys.
///
/// Situation: a transaction entering state 25 (the journal's state line). Obligation: a
/// PromptPreauthorizations for it within `prompt_window`, whose `customerData` names are
/// exactly the flags set in `paymentProcessorMessage` (read from the client's own state-25
/// poll; when the client never polled it, the server's 400 naming `customerData.*` decides).
/// Fail: a late or wrong answer, or none by the deadline (evidence: the state line, the
/// answer). Inconclusive: the session ended before the deadline. NotApplicable: prompting off.
#[derive(Debug)]
pub struct AnswersPrompts {
    log: Log,
    window: Duration,
}

impl AnswersPrompts {
    /// With `cfg.prompt_window`.
    pub fn new(cfg: &RuleConfig) -> Self {
        AnswersPrompts {
            log: Log::default(),
            window: cfg.prompt_window,
        }
    }
}

/// The answer names a state-25 poll asks for: `Prompt*` flags set to `"true"`, without `Prompt`.
fn requested_prompts(r: &Req) -> Option<BTreeSet<String>> {
    if r.polled_state() != Some(25) {
        return None;
    }
    let body: Value = serde_json::from_str(r.resp.as_ref()?.body.as_deref()?).ok()?;
    let msg: Value = serde_json::from_str(body.get("paymentProcessorMessage")?.as_str()?).ok()?;
    Some(
        msg.as_object()?
            .iter()
            .filter(|(_, v)| v.as_str() == Some("true") || v.as_bool() == Some(true))
            .filter_map(|(k, _)| k.strip_prefix("Prompt").map(str::to_owned))
            .collect(),
    )
}

fn answered_names(r: &Req) -> Option<BTreeSet<String>> {
    let v: Value = serde_json::from_str(r.body.as_deref()?).ok()?;
    let data = v
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("customerData"))?
        .1
        .as_object()?;
    Some(data.keys().cloned().collect())
}

impl ClientRule for AnswersPrompts {
    fn id(&self) -> &'static str {
        "ATN-C-009"
    }
    fn observe(&mut self, e: &JournalEntry) {
        self.log.observe(e);
    }
    fn verdict(&self, end: Timestamp) -> RuleVerdict {
        let mut parts = Vec::new();
        for s in self.log.states.iter().filter(|s| s.to == 25) {
            let deadline_ms = self.window.as_millis();
            let asked = self
                .log
                .reqs
                .iter()
                .filter(|r| r.seq > s.seq && r.target_tx().as_deref() == Some(s.tx.as_str()))
                .find_map(requested_prompts);
            let answer = self.log.reqs.iter().find(|r| {
                r.seq > s.seq
                    && r.op == "PromptPreauthorizations"
                    && r.target_tx().as_deref() == Some(s.tx.as_str())
            });
            let v = match answer {
                Some(a) => {
                    let late = ms_between(s.at, a.at).is_some_and(|ms| ms > deadline_ms);
                    let names = answered_names(a).unwrap_or_default();
                    let mut ev = vec![s.seq, a.seq];
                    if late {
                        RuleVerdict::fail(
                            ev,
                            format!("prompt for `{}` answered after {}", s.tx, self.window),
                        )
                    } else if let Some(want) = asked.as_ref().filter(|w| **w != names) {
                        RuleVerdict::fail(
                            ev,
                            format!(
                                "prompt for `{}` answered with {:?}, asked for {:?}",
                                s.tx, names, want
                            ),
                        )
                    } else if a.status() == Some(400) {
                        ev.extend(a.resp.as_ref().map(|x| x.seq));
                        RuleVerdict::fail(
                            ev,
                            format!("prompt answer for `{}` refused with 400", s.tx),
                        )
                    } else {
                        RuleVerdict::pass(ev, format!("prompt for `{}` answered in time", s.tx))
                    }
                }
                None => {
                    if ms_between(s.at, Some(end)).is_some_and(|ms| ms >= deadline_ms) {
                        RuleVerdict::fail(
                            vec![s.seq],
                            format!("no prompt answer for `{}` within {}", s.tx, self.window),
                        )
                    } else {
                        RuleVerdict::inconclusive(
                            vec![s.seq],
                            format!("the session ended before the prompt deadline of `{}`", s.tx),
                        )
                    }
                }
            };
            parts.push(v);
        }
        RuleVerdict::merge(parts, "no transaction needed prompting (state 25)")
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
