//! Client grading rules TEC-C-001..011: pure judges of an ECR's `makeTransaction` traffic,
//! read from payrig's journal (conformance spec section 5, tecs spec sections 4.3, 6, 8).
//!
//! Every rule implements [`ClientRule`]: it is fed the journal in order and keeps only entries
//! with `protocol == "tecs"`: the `makeTransaction` requests (bodies parsed as the JSON object
//! of strings they should be; `TXID` references with [`TxidRef`]), their responses
//! (`response_code`), `fault_applied` entries (`reply_to` = the request), and the world's `sim`
//! lines `request`, `respond` and `response_undelivered` (linked to the request by
//! `transaction_id`, terminal and `req_id`). The judgement is a pure function of that log and
//! `end`.
//!
//! A response is **lost** when a non-delay wire fault took it (e.g. `close_before_response`),
//! when the journal has no response entry for the request (the ECR closed the connection), or
//! when it was a 5xx (`504` `9001` after sending). The **financial** requests are `0001`,
//! `0907`, `0011` and `0013`; `0017` aborts are not. Thresholds come from [`RuleConfig`]
//! (grader settings of tecs spec section 7: undelivered-cancel deadline 300 s, minimum client
//! timeout 120 s).

use std::collections::BTreeMap;

use payrig_core::grading::{
    body_text, corr_str, entry_time, header, status, ClientRule, RuleVerdict,
};
use payrig_core::journal::{EntryKind, JournalEntry};
use payrig_core::{Duration, Timestamp};
use serde_json::{json, Value};

use crate::wire::{pad_id, same_source_id, Fingerprint, TransactionRequest, TxidRef};

/// The protocol name the journal uses.
pub const PROTOCOL: &str = "tecs";

/// Thresholds of the TEC client rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleConfig {
    /// TEC-C-002: a lost response must be cancelled within this (D14: 300 s).
    pub cancel_deadline: Duration,
    /// TEC-C-005: the least time a call must be kept open (D15: 120 s).
    pub min_client_timeout: Duration,
    /// TEC-C-003: how long after a lost response a same-operation, same-amount request under a
    /// new id counts as a resubmission. Default 300 s.
    pub resubmit_window: Duration,
}

impl Default for RuleConfig {
    fn default() -> Self {
        RuleConfig {
            cancel_deadline: Duration::from_secs(300),
            min_client_timeout: Duration::from_secs(120),
            resubmit_window: Duration::from_secs(300),
        }
    }
}

/// Every TEC client rule, TEC-C-001..011 in order.
pub fn all_rules(cfg: &RuleConfig) -> Vec<Box<dyn ClientRule>> {
    vec![
        Box::new(UniqueTransactionId::default()),
        Box::new(CancelsLostResponse::new(cfg)),
        Box::new(NoResubmitUnderNewId::new(cfg)),
        Box::new(OneOutstandingPerTerminal::default()),
        Box::new(KeepsCallOpen::new(cfg)),
        Box::new(AmountDigits::default()),
        Box::new(TxidPadding::default()),
        Box::new(ReferencesCarryOriginal::default()),
        Box::new(PreauthAndCapture::default()),
        Box::new(HeadersAndDateTime::default()),
        Box::new(NoIdenticalResendAfter400::default()),
    ]
}

// ---------------------------------------------------------------------------------------------
// The exchange log every rule keeps.

#[derive(Debug, Clone)]
struct Resp {
    seq: u64,
    at: Option<Timestamp>,
    status: u16,
    code: String,
    text: String,
}

/// A `sim` line about one exchange: its seq and time.
type Mark = (u64, Option<Timestamp>);

#[derive(Debug, Clone)]
struct Req {
    seq: u64,
    at: Option<Timestamp>,
    authorization: Option<String>,
    content_type: Option<String>,
    body: Option<String>,
    fields: serde_json::Map<String, Value>,
    resp: Option<Resp>,
    /// `fault_applied` seq, time and kind (delays excluded).
    fault: Option<(u64, Option<Timestamp>, String)>,
    req_id: Option<u64>,
    undelivered: Option<Mark>,
}

impl Req {
    /// A string field, `""` when absent or not a string.
    fn s(&self, name: &str) -> &str {
        self.fields.get(name).and_then(Value::as_str).unwrap_or("")
    }
    fn mt(&self) -> &str {
        self.s("message_type")
    }
    fn terminal(&self) -> &str {
        self.s("terminal_number")
    }
    fn tid(&self) -> &str {
        self.s("transaction_id")
    }
    fn is_abort(&self) -> bool {
        self.mt() == "0017"
    }
    fn is_financial(&self) -> bool {
        matches!(self.mt(), "0001" | "0907" | "0011" | "0013")
    }
    fn is_capture(&self) -> bool {
        self.mt() == "0013" && self.s("transaction_origin_identifier") == "4"
    }
    /// Financial requests whose loss obliges a cancel: all but cancels themselves.
    fn needs_cancel_when_lost(&self) -> bool {
        matches!(self.mt(), "0001" | "0907" | "0011") || self.is_capture()
    }
    fn reference(&self) -> Option<TxidRef> {
        let c = self.s("card_number");
        c.starts_with("TXID")
            .then(|| TxidRef::parse(c).ok())
            .flatten()
    }
    /// A `0013` cancelling `tid` on `terminal` (short form, or long form naming that terminal).
    fn cancels(&self, tid: &str, terminal: &str) -> bool {
        self.mt() == "0013"
            && self.terminal() == terminal
            && self.reference().is_some_and(|r| {
                r.matches(tid) && r.terminal.as_deref().is_none_or(|t| t == terminal)
            })
    }
    fn status(&self) -> Option<u16> {
        self.resp.as_ref().map(|r| r.status)
    }
    fn lost(&self) -> bool {
        self.fault.is_some() || self.resp.is_none() || self.status().is_some_and(|s| s >= 500)
    }
    /// When the response was lost: the fault, the 5xx, the undelivered mark, else the request.
    fn lost_at(&self) -> Option<Timestamp> {
        if let Some((_, at, _)) = &self.fault {
            return *at;
        }
        if let Some(r) = &self.resp {
            return r.at;
        }
        self.undelivered.and_then(|(_, at)| at).or(self.at)
    }
    /// The journal seq that closes this exchange, when known.
    fn end_seq(&self) -> Option<u64> {
        self.resp
            .as_ref()
            .map(|r| r.seq)
            .or(self.fault.as_ref().map(|f| f.0))
            .or(self.undelivered.map(|u| u.0))
    }
    fn fingerprint(&self) -> Option<Fingerprint> {
        TransactionRequest::parse(self.body.as_deref()?.as_bytes())
            .ok()
            .map(|w| w.fingerprint())
    }
    /// The same request: equal 4.3 fingerprints, else byte-equal bodies.
    fn same_request(&self, other: &Req) -> bool {
        match (self.fingerprint(), other.fingerprint()) {
            (Some(a), Some(b)) => a == b,
            _ => self.body == other.body,
        }
    }
    fn amount(&self) -> Option<u128> {
        let a = self.s("amount");
        (!a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
            .then(|| a.parse().ok())
            .flatten()
    }
}

/// `makeTransaction` exchanges in journal order.
#[derive(Debug, Clone, Default)]
struct Log {
    reqs: Vec<Req>,
    by_seq: BTreeMap<u64, usize>,
    by_req_id: BTreeMap<u64, usize>,
}

/// Wire-fault kinds after which the ECR still gets an answer.
fn answer_survives(kind: &str) -> bool {
    kind.starts_with("delay") || kind == "dribble" || kind == "status"
}

impl Log {
    fn observe(&mut self, e: &JournalEntry) {
        if e.protocol.as_deref() != Some(PROTOCOL) {
            return;
        }
        match e.kind {
            EntryKind::HttpRequest => {
                let body = body_text(e).map(str::to_owned);
                let fields = body
                    .as_deref()
                    .and_then(|b| serde_json::from_str::<Value>(b).ok())
                    .and_then(|v| match v {
                        Value::Object(m) => Some(m),
                        _ => None,
                    })
                    .unwrap_or_default();
                self.by_seq.insert(e.seq, self.reqs.len());
                self.reqs.push(Req {
                    seq: e.seq,
                    at: entry_time(e),
                    authorization: header(e, "authorization").map(str::to_owned),
                    content_type: header(e, "content-type").map(str::to_owned),
                    body,
                    fields,
                    resp: None,
                    fault: None,
                    req_id: None,
                    undelivered: None,
                });
            }
            EntryKind::HttpResponse => {
                let parsed: Option<Value> = body_text(e).and_then(|b| serde_json::from_str(b).ok());
                let get = |k: &str| {
                    parsed
                        .as_ref()
                        .and_then(|v| v.get(k))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned()
                };
                let resp = Resp {
                    seq: e.seq,
                    at: entry_time(e),
                    status: status(e).unwrap_or(0),
                    code: get("response_code"),
                    text: get("response_text"),
                };
                if let Some(r) = self.req_mut(e.reply_to) {
                    r.resp = Some(resp);
                }
            }
            EntryKind::FaultApplied => {
                let kind = e.fault.clone().unwrap_or_default();
                if answer_survives(&kind) {
                    return;
                }
                let at = entry_time(e);
                if let Some(r) = self.req_mut(e.reply_to) {
                    r.fault = Some((e.seq, at, kind));
                }
            }
            EntryKind::Sim => self.sim(e),
            _ => {}
        }
    }

    fn sim(&mut self, e: &JournalEntry) {
        let data = e.data.as_ref();
        let Some(req_id) = data.and_then(|d| d.get("req_id")).and_then(Value::as_u64) else {
            return;
        };
        match e.op.as_deref() {
            Some("request") => {
                let tx = corr_str(e, "transaction_id").unwrap_or("");
                let src = data
                    .and_then(|d| d.get("src"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let terminal = src.rsplit('/').next().unwrap_or("");
                let found = self
                    .reqs
                    .iter()
                    .rposition(|r| r.req_id.is_none() && r.tid() == tx && r.terminal() == terminal);
                if let Some(i) = found {
                    if let Some(r) = self.reqs.get_mut(i) {
                        r.req_id = Some(req_id);
                    }
                    self.by_req_id.insert(req_id, i);
                }
            }
            Some("response_undelivered") => {
                let at = entry_time(e);
                if let Some(r) = self
                    .by_req_id
                    .get(&req_id)
                    .copied()
                    .and_then(|i| self.reqs.get_mut(i))
                {
                    r.undelivered = Some((e.seq, at));
                }
            }
            _ => {}
        }
    }

    fn req_mut(&mut self, seq: Option<u64>) -> Option<&mut Req> {
        let i = *self.by_seq.get(&seq?)?;
        self.reqs.get_mut(i)
    }

    /// Requests after `r` on `r`'s terminal.
    fn later_on_terminal<'a>(&'a self, r: &'a Req) -> impl Iterator<Item = &'a Req> + 'a {
        self.reqs
            .iter()
            .filter(move |x| x.seq > r.seq && x.terminal() == r.terminal())
    }

    /// The original a reference points at: the latest earlier request with that id, on
    /// `prefer` terminal if there is one, else on any terminal.
    fn original(&self, reference: &TxidRef, before: u64, prefer: &str) -> Option<&Req> {
        let candidates = || {
            self.reqs
                .iter()
                .filter(move |x| x.seq < before && !x.is_abort() && reference.matches(x.tid()))
        };
        candidates()
            .rfind(|x| x.terminal() == prefer)
            .or_else(|| candidates().next_back())
    }
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

macro_rules! log_rule {
    ($t:ty, $id:literal) => {
        impl ClientRule for $t {
            fn id(&self) -> &'static str {
                $id
            }
            fn observe(&mut self, e: &JournalEntry) {
                self.log.observe(e);
            }
            fn verdict(&self, end: Timestamp) -> RuleVerdict {
                self.judge(end)
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------

/// TEC-C-001: a new `transaction_id` (1-20 chars) per transaction on a terminal, never reused
/// for different content.
///
/// Situation: requests other than `0017` (whose ids are not stored). An id is taken by a
/// request answered 200 or whose answer was lost; refusals (400/401) take nothing (4.3).
/// Fail: an id of 0 or more than 20 characters; a `3002` answer; a taken id sent again on the
/// same terminal with a different 4.3 fingerprint. An identical repeat is a retry and is fine.
/// Evidence: the first use and the offending request (and its `3002`).
#[derive(Debug, Default)]
pub struct UniqueTransactionId {
    log: Log,
}
log_rule!(UniqueTransactionId, "TEC-C-001");

impl UniqueTransactionId {
    fn judge(&self, _end: Timestamp) -> RuleVerdict {
        let mut taken: BTreeMap<(String, String), &Req> = BTreeMap::new();
        let mut fails = Vec::new();
        let mut n = 0usize;
        for r in self.log.reqs.iter().filter(|r| !r.is_abort()) {
            n += 1;
            let tid = r.tid();
            if tid.is_empty() || tid.chars().count() > 20 {
                fails.push(RuleVerdict::fail(
                    vec![r.seq],
                    format!("transaction_id `{tid}` is not 1-20 characters"),
                ));
                continue;
            }
            let key = (r.terminal().to_owned(), tid.to_owned());
            let dup = r.resp.as_ref().filter(|x| x.code == "3002").map(|x| x.seq);
            if let Some(first) = taken.get(&key) {
                if dup.is_some() || !first.same_request(r) {
                    fails.push(RuleVerdict::fail(
                        [first.seq, r.seq].into_iter().chain(dup).collect(),
                        format!(
                            "transaction_id `{tid}` reused on {} for other content",
                            key.0
                        ),
                    ));
                }
                continue;
            }
            if let Some(d) = dup {
                fails.push(RuleVerdict::fail(
                    vec![r.seq, d],
                    format!("`3002` for transaction_id `{tid}`: used before for other content"),
                ));
                continue;
            }
            if r.status() == Some(200) || r.lost() {
                taken.insert(key, r);
            }
        }
        if !fails.is_empty() {
            return RuleVerdict::merge(fails, "");
        }
        if taken.is_empty() {
            return RuleVerdict::not_applicable(if n == 0 {
                "no makeTransaction"
            } else {
                "no request took a transaction_id"
            });
        }
        let mut seqs: Vec<u64> = taken.values().map(|r| r.seq).collect();
        seqs.sort_unstable();
        RuleVerdict::pass(
            capped(seqs),
            format!("{} transaction_ids, each for one content", taken.len()),
        )
    }
}

/// TEC-C-002: after a lost response, a `0013` cancelling that `transaction_id` before the next
/// financial request to that terminal, within 300 s.
///
/// Situation: a lost response (see the module doc) to a `0001`, `0907`, `0011` or capture.
/// Obligation: the next request on that terminal that is not a `0017` and not an identical
/// retry of the lost one (tolerated, TEC-C-003) is a `0013` whose `card_number` references
/// the lost `transaction_id` (`TXID` short or long form naming this terminal), sent within
/// `cancel_deadline` of the loss (the fault, the 5xx, the undelivered mark, else the request).
/// Pass evidence: the lost request and the `0013`. Fail evidence: the lost request and the
/// offending next request (or the late `0013`), or the lost request alone when the deadline
/// passed with nothing. Inconclusive: the session ended before the deadline with no financial
/// request on that terminal. A `1202` answer to the cancel (declined original) still counts
/// (D14).
#[derive(Debug)]
pub struct CancelsLostResponse {
    log: Log,
    deadline: Duration,
}

impl CancelsLostResponse {
    /// With `cfg.cancel_deadline`.
    pub fn new(cfg: &RuleConfig) -> Self {
        CancelsLostResponse {
            log: Log::default(),
            deadline: cfg.cancel_deadline,
        }
    }

    fn judge(&self, end: Timestamp) -> RuleVerdict {
        let mut parts = Vec::new();
        for l in self
            .log
            .reqs
            .iter()
            .filter(|r| r.needs_cancel_when_lost() && r.lost())
        {
            let (tid, term) = (l.tid(), l.terminal());
            let lost_at = l.lost_at();
            let limit = self.deadline.as_millis();
            let measured = |r: &Req| json!({"cancel_after_ms": ms_between(lost_at, r.at)});
            let mut v = None;
            for r in self.log.later_on_terminal(l) {
                if r.is_abort() || (r.tid() == tid && r.same_request(l)) {
                    continue;
                }
                if r.cancels(tid, term) {
                    let late = ms_between(lost_at, r.at).is_some_and(|ms| ms > limit);
                    v = Some(
                        if late {
                            RuleVerdict::fail(
                                vec![l.seq, r.seq],
                                format!("`0013` for lost `{tid}` came after {}", self.deadline),
                            )
                        } else {
                            RuleVerdict::pass(
                                vec![l.seq, r.seq],
                                format!("lost `{tid}` cancelled with `0013`"),
                            )
                        }
                        .with_measured(measured(r)),
                    );
                    break;
                }
                if r.is_financial() {
                    v = Some(RuleVerdict::fail(
                        vec![l.seq, r.seq],
                        format!(
                            "response to `{tid}` was lost, but the next request on {term} was \
                             `{}` `{}`, not a `0013` cancelling it",
                            r.mt(),
                            r.tid()
                        ),
                    ));
                    break;
                }
            }
            let v = v.unwrap_or_else(|| {
                if ms_between(lost_at, Some(end)).is_some_and(|ms| ms >= limit) {
                    RuleVerdict::fail(
                        vec![l.seq],
                        format!("no `0013` for lost `{tid}` within {}", self.deadline),
                    )
                } else {
                    RuleVerdict::inconclusive(
                        vec![l.seq],
                        format!("the session ended before the cancel deadline of `{tid}`"),
                    )
                }
            });
            parts.push(v);
        }
        RuleVerdict::merge(parts, "no response to a financial request was lost")
    }
}
log_rule!(CancelsLostResponse, "TEC-C-002");

/// TEC-C-003: never resubmits an unanswered transaction under a new `transaction_id`.
///
/// Situation: a lost response, as in TEC-C-002. Fail: before any `0013` for it, and within
/// `resubmit_window` of the loss, a request on the same terminal with a different
/// `transaction_id` but the same `message_type`, origin identifier, amount and currency
/// (evidence: both). Pass: a `0013` came first, or the window passed without such a request.
/// Inconclusive: the session ended inside the window. Approximation: "the same transaction" is
/// read from those fields; a genuinely new sale of the same amount right after a loss is
/// indistinguishable and counts as a resubmission.
#[derive(Debug)]
pub struct NoResubmitUnderNewId {
    log: Log,
    window: Duration,
}

impl NoResubmitUnderNewId {
    /// With `cfg.resubmit_window`.
    pub fn new(cfg: &RuleConfig) -> Self {
        NoResubmitUnderNewId {
            log: Log::default(),
            window: cfg.resubmit_window,
        }
    }

    fn judge(&self, end: Timestamp) -> RuleVerdict {
        let same_op = |a: &Req, b: &Req| {
            a.mt() == b.mt()
                && a.s("transaction_origin_identifier") == b.s("transaction_origin_identifier")
                && a.s("amount") == b.s("amount")
                && a.s("currency") == b.s("currency")
        };
        let mut parts = Vec::new();
        for l in self
            .log
            .reqs
            .iter()
            .filter(|r| r.needs_cancel_when_lost() && r.lost())
        {
            let (tid, term) = (l.tid(), l.terminal());
            let lost_at = l.lost_at();
            let mut v = None;
            for r in self.log.later_on_terminal(l) {
                if ms_between(lost_at, r.at).is_some_and(|ms| ms > self.window.as_millis()) {
                    break;
                }
                if r.cancels(tid, term) {
                    v = Some(RuleVerdict::pass(
                        vec![l.seq, r.seq],
                        format!("lost `{tid}` was cancelled before any resubmission"),
                    ));
                    break;
                }
                if r.tid() != tid && same_op(l, r) {
                    v = Some(RuleVerdict::fail(
                        vec![l.seq, r.seq],
                        format!(
                            "unanswered `{tid}` resubmitted as `{}` ({} {})",
                            r.tid(),
                            r.mt(),
                            r.s("amount")
                        ),
                    ));
                    break;
                }
            }
            let v = v.unwrap_or_else(|| {
                if ms_between(lost_at, Some(end)).is_some_and(|ms| ms >= self.window.as_millis()) {
                    RuleVerdict::pass(
                        vec![l.seq],
                        format!("no resubmission of lost `{tid}` within {}", self.window),
                    )
                } else {
                    RuleVerdict::inconclusive(
                        vec![l.seq],
                        format!("the session ended inside the resubmission window of `{tid}`"),
                    )
                }
            });
            parts.push(v);
        }
        RuleVerdict::merge(parts, "no response to a financial request was lost")
    }
}
log_rule!(NoResubmitUnderNewId, "TEC-C-003");

/// TEC-C-004: at most one request outstanding per terminal, `0017` excepted.
///
/// An exchange runs from its request to its response, its fault, or (for a call the ECR
/// closed) the terminal's undelivered mark. Fail: a request other than `0017` (and other than
/// an identical retry of the open one) sent on a terminal while another exchange there is
/// open; a `3003` answer counts as proof even when the open exchange's end is unknown.
/// Evidence: the open request, the overlapping one, and its `3003` when there is one.
#[derive(Debug, Default)]
pub struct OneOutstandingPerTerminal {
    log: Log,
}
log_rule!(OneOutstandingPerTerminal, "TEC-C-004");

impl OneOutstandingPerTerminal {
    fn judge(&self, _end: Timestamp) -> RuleVerdict {
        let reqs: Vec<&Req> = self.log.reqs.iter().filter(|r| !r.is_abort()).collect();
        if reqs.is_empty() {
            return RuleVerdict::not_applicable("no makeTransaction other than 0017");
        }
        let mut fails = Vec::new();
        for (i, b) in reqs.iter().enumerate() {
            let busy = b.resp.as_ref().filter(|x| x.code == "3003").map(|x| x.seq);
            let open = reqs[..i].iter().rev().find(|a| {
                a.terminal() == b.terminal()
                    && !(a.tid() == b.tid() && a.same_request(b))
                    && match a.end_seq() {
                        Some(end) => b.seq < end,
                        None => busy.is_some(),
                    }
            });
            match (open, busy) {
                (Some(a), _) => fails.push(RuleVerdict::fail(
                    [a.seq, b.seq].into_iter().chain(busy).collect(),
                    format!(
                        "`{}` sent on {} while `{}` was outstanding",
                        b.tid(),
                        b.terminal(),
                        a.tid()
                    ),
                )),
                (None, Some(s)) => fails.push(RuleVerdict::fail(
                    vec![b.seq, s],
                    format!("`{}` answered 3003 TERMINAL BUSY", b.tid()),
                )),
                (None, None) => {}
            }
        }
        if !fails.is_empty() {
            return RuleVerdict::merge(fails, "");
        }
        RuleVerdict::pass(
            capped(reqs.iter().map(|r| r.seq).collect()),
            format!(
                "{} requests, never two outstanding on a terminal",
                reqs.len()
            ),
        )
    }
}

/// TEC-C-005: keeps a call open at least 120 s before treating it as lost.
///
/// The journal has no connection-close time, so this is bounded from what it does show.
/// Situations: (a) a call the ECR abandoned (no response entry, no fault); (b) a call answered
/// only after `min_client_timeout` or more (the ECR demonstrably waited). Fail (a): the
/// terminal found the ECR gone (`response_undelivered`) less than `min_client_timeout` after
/// the request, or the ECR sent another non-`0017` request on that terminal sooner than that
/// while the call was unanswered; `measured` gives the bound. Pass (b), evidence the request
/// and its late answer. Inconclusive (a) otherwise: closed at an unknown time.
#[derive(Debug)]
pub struct KeepsCallOpen {
    log: Log,
    min: Duration,
}

impl KeepsCallOpen {
    /// With `cfg.min_client_timeout`.
    pub fn new(cfg: &RuleConfig) -> Self {
        KeepsCallOpen {
            log: Log::default(),
            min: cfg.min_client_timeout,
        }
    }

    fn judge(&self, end: Timestamp) -> RuleVerdict {
        let min = self.min.as_millis();
        let mut parts = Vec::new();
        for r in self.log.reqs.iter().filter(|r| !r.is_abort()) {
            if let Some(resp) = &r.resp {
                if let Some(ms) = ms_between(r.at, resp.at).filter(|ms| *ms >= min) {
                    parts.push(
                        RuleVerdict::pass(
                            vec![r.seq, resp.seq],
                            format!("`{}` waited {ms} ms for its answer", r.tid()),
                        )
                        .with_measured(json!({"waited_ms": ms})),
                    );
                }
                continue;
            }
            if r.fault.is_some() {
                continue;
            }
            if let Some((u, at)) = r.undelivered {
                if let Some(ms) = ms_between(r.at, at).filter(|ms| *ms < min) {
                    parts.push(
                        RuleVerdict::fail(
                            vec![r.seq, u],
                            format!(
                                "`{}`: the ECR had closed the call within {ms} ms (< {})",
                                r.tid(),
                                self.min
                            ),
                        )
                        .with_measured(json!({"closed_within_ms": ms})),
                    );
                    continue;
                }
            }
            let gone_before = r.undelivered.map_or(u64::MAX, |(u, _)| u);
            let next = self.log.later_on_terminal(r).find(|x| {
                !x.is_abort()
                    && x.seq < gone_before
                    && !(x.tid() == r.tid() && x.same_request(r))
                    && ms_between(r.at, x.at).is_some_and(|ms| ms < min)
            });
            if let Some(x) = next {
                let ms = ms_between(r.at, x.at).unwrap_or(0);
                parts.push(
                    RuleVerdict::fail(
                        vec![r.seq, x.seq],
                        format!(
                            "`{}` unanswered, yet `{}` was sent {ms} ms later (< {})",
                            r.tid(),
                            x.tid(),
                            self.min
                        ),
                    )
                    .with_measured(json!({"gave_up_within_ms": ms})),
                );
                continue;
            }
            let note = if ms_between(r.at, Some(end)).is_some_and(|ms| ms < min) {
                format!("`{}` still unanswered when the session ended", r.tid())
            } else {
                format!("`{}` abandoned at a time the journal cannot show", r.tid())
            };
            parts.push(RuleVerdict::inconclusive(vec![r.seq], note));
        }
        RuleVerdict::merge(
            parts,
            "no call was abandoned by the ECR and none took the minimum timeout",
        )
    }
}
log_rule!(KeepsCallOpen, "TEC-C-005");

/// TEC-C-006: `amount` as a digits-only string of minor units.
///
/// Situation: any request. Fail: `amount` missing, not a JSON string, empty, not all ASCII
/// digits, or longer than 11 (evidence: the request, and its `3001` answer when there is
/// one). Not observable: whether the digits use the currency's exponent (`1255` could be
/// 12.55 or 1255.00); that needs a driver action with a known amount.
#[derive(Debug, Default)]
pub struct AmountDigits {
    log: Log,
}
log_rule!(AmountDigits, "TEC-C-006");

impl AmountDigits {
    fn judge(&self, _end: Timestamp) -> RuleVerdict {
        if self.log.reqs.is_empty() {
            return RuleVerdict::not_applicable("no makeTransaction");
        }
        let mut fails = Vec::new();
        for r in &self.log.reqs {
            let ok = r
                .fields
                .get("amount")
                .and_then(Value::as_str)
                .is_some_and(|a| {
                    (1..=11).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_digit())
                });
            if !ok {
                let shown = r
                    .fields
                    .get("amount")
                    .map_or("absent".to_owned(), Value::to_string);
                let answer = r
                    .resp
                    .as_ref()
                    .filter(|x| x.code == "3001" && x.text.to_ascii_uppercase().contains("AMOUNT"))
                    .map(|x| x.seq);
                fails.push(RuleVerdict::fail(
                    [r.seq].into_iter().chain(answer).collect(),
                    format!("amount {shown} is not a digits-only string"),
                ));
            }
        }
        if !fails.is_empty() {
            return RuleVerdict::merge(fails, "");
        }
        RuleVerdict::pass(
            capped(self.log.reqs.iter().map(|r| r.seq).collect()),
            "every amount is a digits-only string",
        )
    }
}

/// TEC-C-007: `TXID` ids padded with `0` to 20, and the long form for referenced refunds.
///
/// Situation: a request whose `card_number` starts with `TXID`. Fail: the id part is not
/// exactly 20 characters, or a `0011` uses the short form (no `_<src>_<terminal>`), or the
/// reference does not parse. Evidence: the offending requests.
#[derive(Debug, Default)]
pub struct TxidPadding {
    log: Log,
}
log_rule!(TxidPadding, "TEC-C-007");

impl TxidPadding {
    fn judge(&self, _end: Timestamp) -> RuleVerdict {
        let mut checked = Vec::new();
        let mut fails = Vec::new();
        for r in &self.log.reqs {
            let card = r.s("card_number");
            let Some(rest) = card.strip_prefix("TXID") else {
                continue;
            };
            checked.push(r.seq);
            let id = rest.split('_').next().unwrap_or("");
            let mut why = Vec::new();
            if id.len() != 20 {
                why.push(format!(
                    "`{card}`: id part has {} characters, not 20",
                    id.len()
                ));
            }
            match TxidRef::parse(card) {
                Err(e) => why.push(format!("`{card}`: {e}")),
                Ok(t) if r.mt() == "0011" && !t.is_long() => why.push(format!(
                    "`{card}`: a referenced refund needs the `_<src>_<terminal>` form"
                )),
                Ok(_) => {}
            }
            if !why.is_empty() {
                fails.push(RuleVerdict::fail(vec![r.seq], why.join("; ")));
            }
        }
        if !fails.is_empty() {
            return RuleVerdict::merge(fails, "");
        }
        if checked.is_empty() {
            return RuleVerdict::not_applicable("no TXID reference sent");
        }
        RuleVerdict::pass(
            capped(checked),
            "TXID references padded to 20; refunds in long form",
        )
    }
}

/// TEC-C-008: references (`0011`/`0013`) carry the original's `terminal_number` and
/// `transaction_source_id`.
///
/// Situation: a `0011`/`0013` with a `TXID` reference whose original request is in the journal
/// (the latest earlier request with that id, on the same terminal if any). Fail: the
/// reference's `terminal_number` or `transaction_source_id` differs from the original's
/// (`01` = `1`, D9), or the long form names another terminal or source id. Evidence: the
/// original and the reference. References to originals not in the journal are not judged.
#[derive(Debug, Default)]
pub struct ReferencesCarryOriginal {
    log: Log,
}
log_rule!(ReferencesCarryOriginal, "TEC-C-008");

impl ReferencesCarryOriginal {
    fn judge(&self, _end: Timestamp) -> RuleVerdict {
        let mut parts = Vec::new();
        for r in self
            .log
            .reqs
            .iter()
            .filter(|r| matches!(r.mt(), "0011" | "0013"))
        {
            let Some(t) = r.reference() else { continue };
            let Some(o) = self.log.original(&t, r.seq, r.terminal()) else {
                continue;
            };
            let mut why = Vec::new();
            if r.terminal() != o.terminal() {
                why.push(format!(
                    "terminal_number {} differs from the original's {}",
                    r.terminal(),
                    o.terminal()
                ));
            }
            let (rs, os) = (r.s("transaction_source_id"), o.s("transaction_source_id"));
            if !same_source_id(rs, os) {
                why.push(format!(
                    "transaction_source_id `{rs}` differs from the original's `{os}`"
                ));
            }
            if let (Some(ls), Some(lt)) = (t.source_id.as_deref(), t.terminal.as_deref()) {
                if lt != o.terminal() || !same_source_id(ls, os) {
                    why.push(format!(
                        "long form `_{ls}_{lt}` does not name the original's `{os}` / {}",
                        o.terminal()
                    ));
                }
            }
            parts.push(if why.is_empty() {
                RuleVerdict::pass(vec![o.seq, r.seq], "")
            } else {
                RuleVerdict::fail(
                    vec![o.seq, r.seq],
                    format!("reference to `{}`: {}", o.tid(), why.join("; ")),
                )
            });
        }
        let v = RuleVerdict::merge(parts, "no reference to an original in the journal");
        if v.verdict == payrig_core::grading::Verdict::Pass {
            RuleVerdict::pass(
                v.evidence,
                "references carry the original's terminal and source id",
            )
        } else {
            v
        }
    }
}

/// TEC-C-009: preauth as `0001` + origin `5`; capture as `0013` + origin `4` for at most the
/// preauth amount.
///
/// Situation: a capture (`0013`, origin `4`) whose original is in the journal. Fail: the
/// original was not sent as `0001` with origin `5`; the capture amount exceeds the original's;
/// or the capture was answered `1203`. Evidence: the original and the capture (and the `1203`).
/// Not observable: a preauth the ECR meant but sent with another origin and never captured.
#[derive(Debug, Default)]
pub struct PreauthAndCapture {
    log: Log,
}
log_rule!(PreauthAndCapture, "TEC-C-009");

impl PreauthAndCapture {
    fn judge(&self, _end: Timestamp) -> RuleVerdict {
        let mut parts = Vec::new();
        for c in self.log.reqs.iter().filter(|r| r.is_capture()) {
            let Some(t) = c.reference() else { continue };
            let Some(o) = self.log.original(&t, c.seq, c.terminal()) else {
                continue;
            };
            let mut ev = vec![o.seq, c.seq];
            let preauth = o.mt() == "0001" && o.s("transaction_origin_identifier") == "5";
            let over = matches!((c.amount(), o.amount()), (Some(a), Some(b)) if a > b);
            let refused = c.resp.as_ref().filter(|x| x.code == "1203").map(|x| x.seq);
            let v = if !preauth {
                RuleVerdict::fail(
                    ev,
                    format!(
                        "capture of `{}`, which was sent as `{}` origin `{}`, not `0001` origin `5`",
                        o.tid(),
                        o.mt(),
                        o.s("transaction_origin_identifier")
                    ),
                )
            } else if over || refused.is_some() {
                ev.extend(refused);
                RuleVerdict::fail(
                    ev,
                    format!(
                        "capture amount {} exceeds the preauth's {}",
                        c.s("amount"),
                        o.s("amount")
                    ),
                )
            } else {
                RuleVerdict::pass(ev, format!("`{}` captured within its preauth", o.tid()))
            };
            parts.push(v);
        }
        let v = RuleVerdict::merge(parts, "");
        if v.verdict == payrig_core::grading::Verdict::NotApplicable {
            let preauths = self
                .log
                .reqs
                .iter()
                .filter(|r| r.mt() == "0001" && r.s("transaction_origin_identifier") == "5")
                .count();
            return RuleVerdict::not_applicable(if preauths > 0 {
                format!("{preauths} preauth(s), no capture of one in the journal")
            } else {
                "no capture".to_owned()
            });
        }
        v
    }
}

/// TEC-C-010: `Authorization`, `Content-Type: application/json` and a 14-digit
/// `transaction_date_time` on every request.
///
/// Situation: any request. Fail: no (or an empty) `Authorization` header (values are masked;
/// their validity shows as the server's 401), a `Content-Type` whose media type is not
/// `application/json`, or a `transaction_date_time` that is not a string of 14 digits.
/// Evidence: the offending requests.
#[derive(Debug, Default)]
pub struct HeadersAndDateTime {
    log: Log,
}
log_rule!(HeadersAndDateTime, "TEC-C-010");

impl HeadersAndDateTime {
    fn judge(&self, _end: Timestamp) -> RuleVerdict {
        if self.log.reqs.is_empty() {
            return RuleVerdict::not_applicable("no makeTransaction");
        }
        let mut fails = Vec::new();
        for r in &self.log.reqs {
            let mut why = Vec::new();
            if r.authorization
                .as_deref()
                .is_none_or(|a| a.trim().is_empty())
            {
                why.push("no Authorization".to_owned());
            }
            let ct = r.content_type.as_deref().unwrap_or("");
            let essence = ct.split(';').next().unwrap_or("").trim();
            if !essence.eq_ignore_ascii_case("application/json") {
                why.push(format!("Content-Type `{ct}`"));
            }
            let dt = r.fields.get("transaction_date_time");
            let dt_ok = dt
                .and_then(Value::as_str)
                .is_some_and(|d| d.len() == 14 && d.bytes().all(|b| b.is_ascii_digit()));
            if !dt_ok {
                why.push(format!(
                    "transaction_date_time {}",
                    dt.map_or("absent".to_owned(), Value::to_string)
                ));
            }
            if !why.is_empty() {
                fails.push(RuleVerdict::fail(vec![r.seq], why.join(", ")));
            }
        }
        if !fails.is_empty() {
            return RuleVerdict::merge(fails, "");
        }
        RuleVerdict::pass(
            capped(self.log.reqs.iter().map(|r| r.seq).collect()),
            "every request has Authorization, JSON Content-Type and a 14-digit date-time",
        )
    }
}

/// TEC-C-011: after a 400 other than `3003`, the request is not resent unchanged.
///
/// Situation: a request answered 400 with a code other than `3003`. Fail: a later request with
/// the same 4.3 fingerprint (or, when the body is not a valid request object, the same bytes).
/// Evidence: the refused request, its answer, the resend.
#[derive(Debug, Default)]
pub struct NoIdenticalResendAfter400 {
    log: Log,
}
log_rule!(NoIdenticalResendAfter400, "TEC-C-011");

impl NoIdenticalResendAfter400 {
    fn judge(&self, _end: Timestamp) -> RuleVerdict {
        let mut parts = Vec::new();
        for r in &self.log.reqs {
            let Some(resp) = r
                .resp
                .as_ref()
                .filter(|x| x.status == 400 && x.code != "3003")
            else {
                continue;
            };
            let again = self
                .log
                .reqs
                .iter()
                .find(|x| x.seq > resp.seq && x.same_request(r));
            parts.push(match again {
                Some(x) => RuleVerdict::fail(
                    vec![r.seq, resp.seq, x.seq],
                    format!("request refused with `{}` was resent unchanged", resp.code),
                ),
                None => RuleVerdict::pass(
                    vec![r.seq, resp.seq],
                    format!("`{}` refusal not resent unchanged", resp.code),
                ),
            });
        }
        RuleVerdict::merge(parts, "no 400 other than 3003")
    }
}

/// `TXID<20>` for an id: `TXID` + the id left-padded with `0` (3.3), for tests and drivers.
pub fn txid_short(transaction_id: &str) -> String {
    format!("TXID{}", pad_id(transaction_id))
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
