//! The site system (a Commander-like POS/FDC) and its pumps.
//!
//! Turns the MPPA's `Reserve` / `Authorize` / `Deauthorize` into fuelling-point inputs, and
//! the points' outputs into the site events of spec 4.3 (`NozzleLifted`, `BeginFueling`,
//! `Progress`, `Finalize`, `SitePreauthTimeout`). Replies to commands come after
//! `reply_delay`; events from the forecourt come when they happen.

use payrig_ationet::domain::ProductInfo;
use payrig_ationet::machine::{Preset, SiteCommand, SiteEvent, SiteFacts};
use payrig_core::{Decimal, Machine, Money, Timestamp};
use payrig_pump::{
    AuthEnd, AuthoriseRefusal, AuthoriseRequest, CustomerScript, DeauthoriseRefusal, Fault,
    FpState, FuelPoint, FuelPointConfig, Grade, Input as PumpInput, NozzleConfig,
    Output as PumpOutput, Owner, Price, ReserveRefusal,
};
use serde::Serialize;
use serde_json::json;

use super::{AuthorizeBehaviour, ControlError, PumpCondition, SiteConfig, TxIdx};
use crate::trace::Trace;

/// 4.3 refusal texts (the Commander's).
const IN_USE: &str = "Fueling Position in use";
const OFFLINE: &str = "Fueling Position inaccessible/offline";
const UNKNOWN: &str = "Unknown POS or Fueling Position";
const NO_PRODUCT: &str = "Product not available on fuel point";

/// Something the site wants delivered to a transaction at a given time.
#[derive(Debug, Clone)]
pub(crate) enum SiteOut {
    Deliver {
        at: Timestamp,
        tx: TxIdx,
        event: SiteEvent,
    },
}

/// A pump as the control API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PumpStatus {
    /// Site code.
    pub site: String,
    /// Fuelling point number.
    pub fp: u8,
    /// IFSF state name (`Fuelling`).
    pub state: String,
    /// IFSF state id (8).
    pub state_id: u8,
    /// Volume of the current or last delivery, ml.
    pub volume_ml: u64,
    /// Its amount in major units.
    pub amount: String,
    /// Currency.
    pub currency: String,
    /// The lifted nozzle.
    pub nozzle_lifted: Option<u8>,
    /// Transaction holding the pump, if any.
    pub owner: Option<String>,
    /// Unpaid sales in the buffer.
    pub unpaid_sales: usize,
}

#[derive(Debug)]
struct Pump {
    fp: FuelPoint,
    owner: Option<TxIdx>,
    /// A busy condition set by the control API: someone else holds the pump.
    busy: bool,
    /// The time of the pump's one live entry in the world's queue (`None`: none is live).
    /// An entry is live exactly when its time equals this; the world trusts it instead of
    /// asking the pump again.
    scheduled: Option<Timestamp>,
    last_volume_ml: u64,
    last_amount_minor: i64,
}

/// Pumps indexed by their number (1-99), so a lookup is one index, not a tree search.
type Pumps = Vec<Option<Pump>>;

fn slot(pumps: &Pumps, fp: u8) -> Option<&Pump> {
    pumps.get(usize::from(fp)).and_then(Option::as_ref)
}

fn slot_mut(pumps: &mut Pumps, fp: u8) -> Option<&mut Pump> {
    pumps.get_mut(usize::from(fp)).and_then(Option::as_mut)
}

/// A finished delivery's sale the MPPA pays: `(instant, sale number, owner)`.
type Paid = (Timestamp, u32, Owner);

impl Pump {
    /// Turns one pump output into a site event for the owning transaction. A sale to clear
    /// is queued in `paid`, not cleared here, so the clearing's own outputs never mix with
    /// the batch being read (they are not forecourt events).
    #[allow(clippy::too_many_arguments)]
    fn forecourt_one(
        &mut self,
        code: &str,
        fp: u8,
        dispatch_seq: &mut u64,
        at: Timestamp,
        o: PumpOutput,
        out: &mut Vec<SiteOut>,
        trace: &mut Trace,
        paid: &mut Vec<Paid>,
    ) {
        if trace.enabled() {
            trace.record(
                at,
                format!("pump/{code}/{fp}"),
                "pump",
                serde_json::to_value(&o).unwrap_or_default(),
                None,
            );
        }
        let Some(tx) = self.owner else {
            return;
        };
        let event = match o {
            PumpOutput::NozzleLifted { .. } => Some(SiteEvent::NozzleLifted),
            PumpOutput::NozzleHung { .. } => Some(SiteEvent::NozzleReplaced),
            PumpOutput::FuellingStarted { .. } => Some(SiteEvent::BeginFueling),
            PumpOutput::Progress { volume, amount }
            | PumpOutput::LimitReached { volume, amount } => {
                self.last_volume_ml = volume.ml();
                self.last_amount_minor = amount.minor;
                Some(SiteEvent::Progress {
                    volume,
                    amount_minor: amount.minor,
                })
            }
            PumpOutput::DeliveryEnd {
                volume,
                amount,
                sale,
                owner,
                ..
            } => {
                *dispatch_seq += 1;
                self.last_volume_ml = volume.ml();
                self.last_amount_minor = amount.minor;
                // The MPPA pays the sale: clear it so the buffer never blocks the pump.
                if let Some(s) = sale {
                    paid.push((at, s.seq, owner));
                }
                self.owner = None;
                // `format!("{code}-{seq:06}")`, built directly.
                let mut id_dispatch = String::with_capacity(code.len() + 8);
                id_dispatch.push_str(code);
                id_dispatch.push('-');
                push_decimal(&mut id_dispatch, *dispatch_seq, 6);
                Some(SiteEvent::Finalize {
                    volume,
                    amount_minor: amount.minor,
                    id_dispatch,
                })
            }
            PumpOutput::AuthEnded { reason, .. } => {
                self.owner = None;
                (reason == AuthEnd::Timeout).then_some(SiteEvent::SitePreauthTimeout)
            }
            PumpOutput::ReservationEnded { .. } => {
                if self.fp.state() == FpState::Idle {
                    self.owner = None;
                }
                None
            }
            _ => None,
        };
        if let Some(event) = event {
            out.push(SiteOut::Deliver { at, tx, event });
        }
    }

    /// Clears the paid sales (their own outputs are bookkeeping, not forecourt events).
    fn clear_paid(&mut self, paid: Vec<Paid>) {
        for (at, seq, owner) in paid {
            let _ = self
                .fp
                .handle_input(at, PumpInput::ClearSale { seq, owner });
            while self.fp.poll_timed_output().is_some() {}
        }
    }
}

#[derive(Debug)]
pub(crate) struct SiteSim {
    cfg: SiteConfig,
    session_up: bool,
    pumps: Pumps,
    dispatch_seq: u64,
}

fn owner_of(tx: TxIdx) -> Owner {
    // `format!("mppa/{tx}")` without the formatting machinery (called per command).
    let mut s = String::with_capacity(16);
    s.push_str("mppa/");
    push_decimal(&mut s, u64::from(tx), 0);
    Owner(s)
}

/// Appends `n` in decimal, zero-padded to `width` digits: `format!("{n:0width$}")` for the
/// hot path.
fn push_decimal(s: &mut String, mut n: u64, width: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in buf.len() - i..width {
        s.push('0');
    }
    for &b in &buf[i..] {
        s.push(char::from(b));
    }
}

/// The site's grades in order, as pump grades with prices in thousandths of a minor unit.
fn grades(cfg: &SiteConfig) -> Vec<Grade> {
    cfg.grades
        .iter()
        .filter_map(|(code, g)| {
            let exp = u32::from(cfg.currency.exponent()) + 3;
            let thousandths = g.price.to_scaled(exp).and_then(|v| u64::try_from(v).ok())?;
            let price = Price::from_thousandths(thousandths, cfg.currency)?;
            Some(Grade::new(code.clone(), g.name.clone(), price))
        })
        .collect()
}

fn customer(cfg: &SiteConfig) -> CustomerScript {
    let c = &cfg.customer;
    CustomerScript {
        lift_after: c.lift_delay.unwrap_or_default(),
        never_lift: c.lift_delay.is_none(),
        hang_up_after: c.hangup_delay,
        hang_up_at: c.hang_up_at_ml.map(payrig_core::Volume),
        ..CustomerScript::default()
    }
}

impl SiteSim {
    pub(crate) fn new(cfg: &SiteConfig, seed: u64) -> SiteSim {
        let all = grades(cfg);
        let mut pumps: Pumps = Vec::new();
        for (&n, p) in &cfg.pumps {
            let mine: Vec<Grade> = if p.grades.is_empty() {
                all.clone()
            } else {
                all.iter()
                    .filter(|g| p.grades.contains(&g.code))
                    .cloned()
                    .collect()
            };
            let mut fc = FuelPointConfig::default_for(n, mine);
            fc.nozzles = fc
                .grades
                .iter()
                .zip(1u8..)
                .map(|(g, no)| NozzleConfig {
                    no,
                    grade: g.code.clone(),
                })
                .collect();
            fc.motor_start = cfg.customer.motor_delay;
            fc.progress_interval = cfg.customer.progress_interval;
            fc.flow = payrig_pump::FlowRate::from_ml_per_min(cfg.customer.flow_ml_per_min);
            // T_site runs from state 7, which the MPPA reaches one reply delay after the pump
            // was authorised.
            fc.auth_timeout = cfg.t_site.map(|t| t + cfg.reply_delay.unwrap_or_default());
            fc.customer = Some(customer(cfg));
            let rng = payrig_core::rng::stream_rng(seed, &format!("pump/{}/{n}", cfg.code));
            let Ok(mut fp) = FuelPoint::new(fc, rng) else {
                continue;
            };
            let busy = p.condition == PumpCondition::Busy;
            if p.condition == PumpCondition::Offline {
                let _ = fp.handle_input(
                    Timestamp::EPOCH,
                    PumpInput::Fault(Fault::Offline { duration: None }),
                );
                while fp.poll_output().is_some() {}
            }
            let n = usize::from(n);
            if pumps.len() <= n {
                pumps.resize_with(n + 1, || None);
            }
            pumps[n] = Some(Pump {
                fp,
                owner: None,
                busy,
                scheduled: None,
                last_volume_ml: 0,
                last_amount_minor: 0,
            });
        }
        SiteSim {
            cfg: cfg.clone(),
            session_up: cfg.session_up,
            pumps,
            dispatch_seq: 0,
        }
    }

    pub(crate) fn config(&self) -> &SiteConfig {
        &self.cfg
    }

    pub(crate) fn facts(&self) -> SiteFacts {
        SiteFacts {
            session_up: self.session_up,
            preset_unit: self.cfg.preset_unit,
            currency: self.cfg.currency,
        }
    }

    pub(crate) fn set_session(&mut self, up: bool) {
        self.session_up = up;
    }

    pub(crate) fn pump_numbers(&self) -> impl Iterator<Item = u8> + '_ {
        self.pumps
            .iter()
            .zip(0u8..)
            .filter(|(p, _)| p.is_some())
            .map(|(_, n)| n)
    }

    /// The time of the pump's live queue entry.
    pub(crate) fn pump_scheduled(&self, fp: u8) -> Option<Timestamp> {
        slot(&self.pumps, fp).and_then(|p| p.scheduled)
    }

    /// True (and the entry is used up) if a queue entry at `at` is the pump's live one.
    pub(crate) fn claim_pump(&mut self, fp: u8, at: Timestamp) -> bool {
        match slot_mut(&mut self.pumps, fp) {
            Some(p) if p.scheduled == Some(at) => {
                p.scheduled = None;
                true
            }
            _ => false,
        }
    }

    /// The pump's deadline if it has no live queue entry for it yet. Every change to a pump
    /// is followed by this call, so the live entry always names the pump's deadline.
    pub(crate) fn take_reschedule(&mut self, fp: u8) -> Option<Timestamp> {
        let p = slot_mut(&mut self.pumps, fp)?;
        let d = p.fp.poll_timeout();
        if d != p.scheduled {
            p.scheduled = d;
            d
        } else {
            None
        }
    }

    fn reply(&self, now: Timestamp, tx: TxIdx, event: SiteEvent, out: &mut Vec<SiteOut>) {
        // reply_delay None: the site never answers (T_reply fires).
        if let Some(d) = self.cfg.reply_delay {
            out.push(SiteOut::Deliver {
                at: now + d,
                tx,
                event,
            });
        }
    }

    fn product(&self, fuel_code: &str) -> ProductInfo {
        let g = self.cfg.grades.get(fuel_code);
        ProductInfo {
            terminal_identification: self.cfg.terminal.clone(),
            product_code: fuel_code.to_owned(),
            product_description: g.map_or_else(|| "Unknown product".to_owned(), |g| g.name.clone()),
            unit_price: g.map_or(Decimal::ZERO, |g| g.price),
        }
    }

    /// A command from transaction `tx` (whose grade is `fuel_code`).
    pub(crate) fn command(
        &mut self,
        now: Timestamp,
        tx: TxIdx,
        fuel_code: &str,
        cmd: &SiteCommand,
        out: &mut Vec<SiteOut>,
        trace: &mut Trace,
    ) {
        if !self.session_up {
            // No session: the command is lost; the MPPA's T_reply decides.
            if trace.enabled() {
                trace.record(
                    now,
                    format!("site/{}", self.cfg.code),
                    "site",
                    json!({"dropped": "no session"}),
                    None,
                );
            }
            return;
        }
        match cmd {
            SiteCommand::Reserve { pump } => {
                let r = self.reserve(now, tx, *pump, out, trace);
                let event = SiteEvent::ReserveResult(r.map(|()| self.product(fuel_code)));
                self.reply(now, tx, event, out);
            }
            SiteCommand::Authorize {
                pump,
                fuel_code,
                preset,
            } => {
                let event = self.authorize(now, tx, *pump, fuel_code, *preset, out, trace);
                self.reply(now, tx, event, out);
            }
            SiteCommand::Deauthorize { pump } => {
                let event = self.deauthorize(now, tx, *pump, out, trace);
                self.reply(now, tx, event, out);
            }
            _ => {}
        }
    }

    fn reserve(
        &mut self,
        now: Timestamp,
        tx: TxIdx,
        pump: u8,
        out: &mut Vec<SiteOut>,
        trace: &mut Trace,
    ) -> Result<(), String> {
        let Some(p) = slot_mut(&mut self.pumps, pump) else {
            return Err(UNKNOWN.to_owned());
        };
        if p.busy || p.owner.is_some() {
            return Err(IN_USE.to_owned());
        }
        let r = p.fp.handle_input(
            now,
            PumpInput::Reserve {
                owner: owner_of(tx),
            },
        );
        let mut result = Err(IN_USE.to_owned());
        let mut outs = drain(&mut p.fp);
        for (_, o) in &outs {
            match o {
                PumpOutput::ReserveAccepted { .. } => result = Ok(()),
                PumpOutput::ReserveRefused { reason, .. } => {
                    result = Err(match reason {
                        ReserveRefusal::Offline | ReserveRefusal::Closed => OFFLINE.to_owned(),
                        _ => IN_USE.to_owned(),
                    })
                }
                _ => {}
            }
        }
        if r.is_err() && result.is_err() && p.fp.state() == FpState::Inoperative {
            result = Err(OFFLINE.to_owned());
        }
        if result.is_ok() {
            p.owner = Some(tx);
        }
        self.forecourt(pump, &mut outs, out, trace);
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn authorize(
        &mut self,
        now: Timestamp,
        tx: TxIdx,
        pump: u8,
        fuel_code: &str,
        preset: Preset,
        out: &mut Vec<SiteOut>,
        trace: &mut Trace,
    ) -> SiteEvent {
        let refused = |m: &str| SiteEvent::AuthorizeResult {
            overall_ok: true,
            response_ok: false,
            message: Some(m.to_owned()),
        };
        match self.cfg.authorize {
            AuthorizeBehaviour::Fail => {
                return SiteEvent::AuthorizeResult {
                    overall_ok: false,
                    response_ok: false,
                    message: Some("Site System Generic error".to_owned()),
                }
            }
            AuthorizeBehaviour::Refused => return refused("Fuel point authorization refused"),
            _ => {}
        }
        let currency = self.cfg.currency;
        let fault_at = self.cfg.customer.fault_at_ml;
        let Some(p) = slot_mut(&mut self.pumps, pump) else {
            return refused(UNKNOWN);
        };
        let Some(nozzle) =
            p.fp.config()
                .nozzles
                .iter()
                .find(|n| n.grade == fuel_code)
                .map(|n| n.no)
        else {
            // D14: unknown grade -> state 8.
            return refused(NO_PRODUCT);
        };
        p.fp.set_customer_nozzle(nozzle);
        let pump_preset = match preset {
            Preset::Volume(v) => payrig_pump::Preset::volume(v),
            Preset::Money(m) => payrig_pump::Preset::money(Money::from_minor(m.minor, currency)),
            _ => return refused(NO_PRODUCT),
        };
        let req = AuthoriseRequest {
            owner: owner_of(tx),
            preset: pump_preset,
            grades: Some(vec![fuel_code.to_owned()]),
            lock_sale: true,
        };
        let _ = p.fp.handle_input(now, PumpInput::Authorise(req));
        let outs = drain(&mut p.fp);
        let mut event = refused(IN_USE);
        for (_, o) in &outs {
            match o {
                PumpOutput::Authorised { .. } => {
                    event = SiteEvent::AuthorizeResult {
                        overall_ok: true,
                        response_ok: true,
                        message: None,
                    }
                }
                PumpOutput::AuthoriseRefused { reason, .. } => {
                    event = refused(match reason {
                        AuthoriseRefusal::GradeNotAvailable
                        | AuthoriseRefusal::LiftedGradeNotAllowed => NO_PRODUCT,
                        AuthoriseRefusal::Offline | AuthoriseRefusal::Closed => OFFLINE,
                        _ => IN_USE,
                    })
                }
                _ => {}
            }
        }
        if let (
            Some(ml),
            SiteEvent::AuthorizeResult {
                response_ok: true, ..
            },
        ) = (fault_at, &event)
        {
            let _ = p.fp.handle_input(
                now,
                PumpInput::Fault(Fault::OfflineAt {
                    volume: payrig_core::Volume(ml),
                    duration: None,
                }),
            );
        }
        let mut outs = outs;
        outs.extend(drain(&mut p.fp));
        self.forecourt(pump, &mut outs, out, trace);
        event
    }

    fn deauthorize(
        &mut self,
        now: Timestamp,
        tx: TxIdx,
        pump: u8,
        out: &mut Vec<SiteOut>,
        trace: &mut Trace,
    ) -> SiteEvent {
        let ok = SiteEvent::DeauthorizeResult {
            ok: true,
            flow_started: false,
        };
        let race = self.cfg.deauthorize_race;
        let Some(p) = slot_mut(&mut self.pumps, pump) else {
            return ok;
        };
        if p.owner != Some(tx) {
            // Nothing of ours to release (refused reserve, another owner).
            return ok;
        }
        let owner = owner_of(tx);
        let mut outs = Vec::new();
        if race && p.fp.state() == FpState::Authorised {
            // The driver lifts just as the Deauthorize arrives (T28).
            let n = p.fp.config().customer.as_ref().map_or(1, |c| c.nozzle);
            let _ = p.fp.handle_input(now, PumpInput::NozzleLift { nozzle: n });
            outs.extend(drain(&mut p.fp));
        }
        let event = match p.fp.state() {
            FpState::Authorised => {
                let _ = p.fp.handle_input(now, PumpInput::Deauthorise { owner });
                outs.extend(drain(&mut p.fp));
                let refused = outs.iter().any(|(_, o)| {
                    matches!(
                        o,
                        PumpOutput::DeauthoriseRefused {
                            reason: DeauthoriseRefusal::FlowStarted,
                            ..
                        }
                    )
                });
                if refused {
                    SiteEvent::DeauthorizeResult {
                        ok: false,
                        flow_started: true,
                    }
                } else {
                    p.owner = None;
                    ok
                }
            }
            FpState::Started
            | FpState::Fuelling
            | FpState::SuspendedStarted
            | FpState::SuspendedFuelling => SiteEvent::DeauthorizeResult {
                ok: false,
                flow_started: true,
            },
            _ => {
                let _ = p.fp.handle_input(now, PumpInput::Release { owner });
                outs.extend(drain(&mut p.fp));
                p.owner = None;
                ok
            }
        };
        self.forecourt(pump, &mut outs, out, trace);
        event
    }

    /// Fires a pump deadline.
    pub(crate) fn fire_pump(
        &mut self,
        now: Timestamp,
        fp: u8,
        out: &mut Vec<SiteOut>,
        trace: &mut Trace,
    ) {
        let Some(p) = slot_mut(&mut self.pumps, fp) else {
            return;
        };
        let _ = p.fp.handle_input(now, PumpInput::Timeout);
        // Straight from the pump's queue: no copy through a Vec for the common case.
        let mut paid = Vec::new();
        while let Some((at, o)) = p.fp.poll_timed_output() {
            let seq = &mut self.dispatch_seq;
            p.forecourt_one(&self.cfg.code, fp, seq, at, o, out, trace, &mut paid);
        }
        p.clear_paid(paid);
    }

    /// Turns pump outputs (taken from `outs`, left empty) into site events for the owning
    /// transaction.
    fn forecourt(
        &mut self,
        fp: u8,
        outs: &mut Vec<(Timestamp, PumpOutput)>,
        out: &mut Vec<SiteOut>,
        trace: &mut Trace,
    ) {
        let code = &self.cfg.code;
        let Some(p) = slot_mut(&mut self.pumps, fp) else {
            outs.clear();
            return;
        };
        let mut paid = Vec::new();
        for (at, o) in outs.drain(..) {
            p.forecourt_one(
                code,
                fp,
                &mut self.dispatch_seq,
                at,
                o,
                out,
                trace,
                &mut paid,
            );
        }
        p.clear_paid(paid);
    }

    /// Control API: lift (`Some(nozzle)`) or hang up.
    pub(crate) fn nozzle(
        &mut self,
        now: Timestamp,
        fp: u8,
        lift: Option<u8>,
        out: &mut Vec<SiteOut>,
        trace: &mut Trace,
    ) -> Result<PumpStatus, ControlError> {
        let code = self.cfg.code.clone();
        let p = self
            .pumps
            .get_mut(usize::from(fp))
            .and_then(Option::as_mut)
            .ok_or_else(|| ControlError::UnknownPump(code.clone(), fp))?;
        let input = match lift {
            Some(nozzle) => PumpInput::NozzleLift { nozzle },
            None => PumpInput::NozzleHang,
        };
        p.fp.handle_input(now, input)
            .map_err(|e| ControlError::Refused(e.to_string()))?;
        let mut outs = drain(&mut p.fp);
        self.forecourt(fp, &mut outs, out, trace);
        self.pump_status(fp)
            .ok_or(ControlError::UnknownPump(code, fp))
    }

    /// Control API: busy, offline or back to idle.
    pub(crate) fn set_condition(
        &mut self,
        now: Timestamp,
        fp: u8,
        c: PumpCondition,
        out: &mut Vec<SiteOut>,
        trace: &mut Trace,
    ) -> Result<PumpStatus, ControlError> {
        let code = self.cfg.code.clone();
        let p = self
            .pumps
            .get_mut(usize::from(fp))
            .and_then(Option::as_mut)
            .ok_or_else(|| ControlError::UnknownPump(code.clone(), fp))?;
        match c {
            PumpCondition::Busy => p.busy = true,
            PumpCondition::Offline => {
                p.fp.handle_input(now, PumpInput::Fault(Fault::Offline { duration: None }))
                    .map_err(|e| ControlError::Refused(e.to_string()))?;
            }
            PumpCondition::Idle => {
                p.busy = false;
                if p.fp.state() == FpState::Inoperative {
                    p.fp.handle_input(now, PumpInput::Online)
                        .map_err(|e| ControlError::Refused(e.to_string()))?;
                }
            }
        }
        let mut outs = drain(&mut p.fp);
        self.forecourt(fp, &mut outs, out, trace);
        self.pump_status(fp)
            .ok_or(ControlError::UnknownPump(code, fp))
    }

    pub(crate) fn pump_status(&self, fp: u8) -> Option<PumpStatus> {
        let p = slot(&self.pumps, fp)?;
        let st = p.fp.state();
        let amount = Money::from_minor(p.last_amount_minor, self.cfg.currency);
        Some(PumpStatus {
            site: self.cfg.code.clone(),
            fp,
            state: st.name().to_owned(),
            state_id: st.id(),
            volume_ml: p.last_volume_ml,
            amount: amount.to_major_string(),
            currency: self.cfg.currency.code().to_owned(),
            nozzle_lifted: p.fp.nozzle_lifted(),
            owner: p.owner.map(|t| format!("mppa/{t}")),
            unpaid_sales: p.fp.unpaid_sales(),
        })
    }
}

fn drain(fp: &mut FuelPoint) -> Vec<(Timestamp, PumpOutput)> {
    let mut v = Vec::new();
    while let Some(o) = fp.poll_timed_output() {
        v.push(o);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_match_format() {
        for (n, w) in [
            (0u64, 0usize),
            (7, 0),
            (42, 6),
            (123_456, 6),
            (1_234_567, 6),
            (u64::MAX, 0),
        ] {
            let mut s = String::from("x");
            push_decimal(&mut s, n, w);
            assert_eq!(s, format!("x{n:0w$}"));
        }
        assert_eq!(owner_of(17).0, "mppa/17");
        assert_eq!(owner_of(u32::MAX).0, format!("mppa/{}", u32::MAX));
    }
}
