//! The PFEP: ATIONet's fleet-card authoriser, played by payrig-acquirer with the
//! `ationet-default` profile (spec section 7: by the last two digits of `primaryTrack`,
//! 91 decline, 92 grant of 20 units, 93 completion rejected, 94 odometer prompt, 95 no answer).

use rustc_hash::FxHashMap as HashMap;

use payrig_acquirer::{
    Acquirer, AcquirerConfig, Amount, AuthCodeStyle, AuthKind, Authorise, Card, Entry, Latencies,
    Operation, Output, Profile, Ref, Reply, Request, RequestId, ReversalReason, TextStyle, Unit,
};
use payrig_ationet::machine::{PfepEvent, PfepRequest};
use payrig_core::{Machine, Timestamp};
use serde_json::json;

use super::{AtionetConfig, ControlError, TxIdx};
use crate::trace::Trace;

/// A PFEP outcome override as the control API and scenario files write it
/// (`{"match":{"card":"…"},"outcome":{"code":"05"},"times":1}`).
pub type PfepOverride = payrig_acquirer::OverrideToml;

/// What a pending PFEP request was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Authorise,
    PromptAnswer,
    Completion,
    Reverse,
}

/// The PFEP and the bookkeeping that ties its answers back to transactions.
#[derive(Debug)]
pub(crate) struct Pfep {
    acq: Acquirer,
    next_id: u64,
    pending: HashMap<u64, (TxIdx, Pending)>,
    /// The authorisation record of each transaction that asked for one.
    auth: HashMap<TxIdx, (Ref, Unit)>,
    /// The instant of the last request the acquirer took: it fired every answer due by then.
    requested_at: Option<Timestamp>,
}

impl Pfep {
    pub(crate) fn new(cfg: &AtionetConfig, seed: u64) -> Pfep {
        // The built-in profile always parses; fall back to `off` rather than failing a world.
        // The built-in profile is compiled in and covered by the acquirer's tests; an empty
        // profile (approve everything) is the only sane fallback if it ever failed to parse.
        let mut ac = AcquirerConfig::builtin("ationet-default").unwrap_or_else(|_| {
            AcquirerConfig::with_profile(Profile {
                name: "ationet-default".to_owned(),
                rules: Vec::new(),
                latency: Latencies::default(),
                auth_codes: AuthCodeStyle::Random,
                texts: TextStyle::default(),
            })
        });
        ac.profile.latency.authorise = cfg.pfep_latency;
        ac.profile.latency.capture = cfg.pfep_latency;
        ac.profile.latency.reverse = cfg.pfep_latency;
        ac.profile.latency.prompt_answer = cfg.pfep_latency;
        Pfep {
            acq: Acquirer::new(ac, payrig_core::rng::stream_rng(seed, "acquirer/main")),
            next_id: 0,
            pending: HashMap::default(),
            auth: HashMap::default(),
            requested_at: None,
        }
    }

    pub(crate) fn timeout(&self) -> Option<Timestamp> {
        self.acq.poll_timeout()
    }

    fn send(&mut self, now: Timestamp, tx: TxIdx, what: Pending, op: Operation) -> RequestId {
        self.next_id += 1;
        let id = RequestId(self.next_id);
        // Ids are fresh, so the acquirer cannot refuse them as duplicates.
        if self
            .acq
            .handle_input(now, payrig_acquirer::Input::Request(Request { id, op }))
            .is_ok()
        {
            self.pending.insert(id.0, (tx, what));
            self.requested_at = Some(now);
        }
        id
    }

    /// Sends what a transaction asked for. `unit` is the site's preset unit as the acquirer
    /// counts it (fleet units of scale 3 for litres, or the site currency).
    pub(crate) fn request(
        &mut self,
        now: Timestamp,
        tx: TxIdx,
        unit: Unit,
        req: PfepRequest,
        trace: &mut Trace,
    ) {
        match req {
            PfepRequest::Authorize {
                primary_track,
                terminal_code,
                amount,
            } => {
                let Some(amount) = Amount::from_decimal_floor(amount, unit) else {
                    return;
                };
                let op = Operation::Authorise(Authorise {
                    kind: AuthKind::Preauth,
                    terminal: terminal_code,
                    amount,
                    card: Card::Fleet(primary_track),
                    pin_block: None,
                    entry: Entry::Mobile,
                    allow_partial: true,
                });
                let id = self.send(now, tx, Pending::Authorise, op);
                self.auth.insert(tx, (Ref::Request(id), unit));
            }
            PfepRequest::PromptAnswers { answers } => {
                let Some((reference, _)) = self.auth.get(&tx).cloned() else {
                    return;
                };
                let op = Operation::PromptAnswer { reference, answers };
                self.send(now, tx, Pending::PromptAnswer, op);
            }
            PfepRequest::Completion {
                volume,
                amount_minor,
            } => {
                let Some((reference, unit)) = self.auth.get(&tx).cloned() else {
                    return;
                };
                let amount = match unit {
                    Unit::Money(c) => {
                        Amount::money(payrig_core::Money::from_minor(amount_minor, c))
                    }
                    _ => Amount::units(i64::try_from(volume.ml()).unwrap_or(i64::MAX), 3),
                };
                self.send(
                    now,
                    tx,
                    Pending::Completion,
                    Operation::Capture { reference, amount },
                );
            }
            PfepRequest::Reverse => {
                let Some((reference, _)) = self.auth.get(&tx).cloned() else {
                    return;
                };
                let op = Operation::Reverse {
                    reference,
                    amount: None,
                    reason: ReversalReason::Cancelled,
                };
                self.send(now, tx, Pending::Reverse, op);
            }
            _ => {
                if trace.enabled() {
                    trace.record(now, "pfep", "ignored", json!(format!("{req:?}")), None);
                }
            }
        }
    }

    /// Fires due answers and turns them into transaction events.
    pub(crate) fn fire(
        &mut self,
        now: Timestamp,
        out: &mut Vec<(TxIdx, PfepEvent)>,
        trace: &mut Trace,
    ) {
        let _ = self.acq.handle_input(now, payrig_acquirer::Input::Timeout);
        self.collect(now, out, trace);
    }

    /// The answers due at `now`, right after [`Self::request`]. A request the acquirer took at
    /// `now` already fired everything due (zero-latency answers included), so they only need
    /// collecting; otherwise they are fired as by [`Self::fire`].
    pub(crate) fn answers_after_request(
        &mut self,
        now: Timestamp,
        out: &mut Vec<(TxIdx, PfepEvent)>,
        trace: &mut Trace,
    ) {
        if self.requested_at == Some(now) {
            self.collect(now, out, trace);
        } else {
            self.fire(now, out, trace);
        }
    }

    /// Turns answers already produced into transaction events.
    fn collect(&mut self, now: Timestamp, out: &mut Vec<(TxIdx, PfepEvent)>, trace: &mut Trace) {
        while let Some(o) = self.acq.poll_output() {
            let Output::Response(r) = o else {
                continue;
            };
            let Some((tx, what)) = self.pending.remove(&r.id.0) else {
                continue;
            };
            if trace.enabled() {
                trace.record(
                    now,
                    "pfep",
                    "pfep",
                    json!({"request": r.id.0, "reply": r.result}),
                    None,
                );
            }
            if let Some(e) = event(what, r.result) {
                out.push((tx, e));
            }
        }
    }

    pub(crate) fn add_override(&mut self, o: PfepOverride) -> Result<String, ControlError> {
        let o = o
            .resolve()
            .map_err(|e| ControlError::Invalid(e.to_string()))?;
        Ok(self.acq.add_override(o))
    }

    pub(crate) fn remove_override(&mut self, id: Option<&str>) -> bool {
        match id {
            Some(id) => self.acq.remove_override(id),
            None => {
                self.acq.clear_overrides();
                true
            }
        }
    }
}

fn event(what: Pending, reply: Reply) -> Option<PfepEvent> {
    match (what, reply) {
        (Pending::Authorise | Pending::PromptAnswer, Reply::Authorisation(a)) => {
            if a.code.is_approval() && a.approved {
                Some(PfepEvent::Approved {
                    grant: a.amount.to_decimal(),
                    reference: a.auth_code.unwrap_or_else(|| a.rrn.clone()),
                    message: a.text,
                })
            } else {
                Some(PfepEvent::Declined {
                    reference: a.auth_code,
                    message: a.text,
                })
            }
        }
        (Pending::Authorise, Reply::PromptNeeded { flags, .. }) => {
            Some(PfepEvent::PromptsNeeded { flags })
        }
        (Pending::Completion, Reply::Record(r)) => Some(if r.code.is_approval() {
            PfepEvent::CompletionApproved
        } else {
            PfepEvent::CompletionRejected { message: r.text }
        }),
        _ => None,
    }
}

/// The acquirer unit of a site's presets.
pub(crate) fn unit_for(
    preset: payrig_ationet::PresetUnit,
    currency: payrig_core::Currency,
) -> Unit {
    match preset {
        payrig_ationet::PresetUnit::Money => Unit::Money(currency),
        _ => Unit::Units { scale: 3 },
    }
}
