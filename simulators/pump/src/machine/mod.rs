//! [`FuelPoint`]: the fuelling-point state machine (simulators.md 3.1-3.5).
//!
//! Every transition is one arm of `FuelPoint::step` (inputs) or `FuelPoint::fire`
//! (deadlines), matching on `(state, event)` by value: an arm either returns the next state or
//! hands the untouched state back with a [`Reject`]. States carry only their own data
//! (`Authorised`, `Delivery`); deadlines are read from that data, never stored apart, so a
//! state change cannot leave a stale timer behind.

use std::collections::{BTreeMap, VecDeque};

use payrig_core::{Duration, Machine, Timestamp, Volume};
use rand_chacha::ChaCha8Rng;

use crate::buffer::{Buffer, EndReason, GradeMeter, Sale};
use crate::config::{ConfigError, FuelPointConfig, InitialState};
use crate::delivery::{Authorised, Delivery};
use crate::event::{
    AuthEnd, Fault, FaultKind, Input, Output, Reject, ReservationEnd, ReserveRefusal,
};
use crate::flow::FlowProfile;
use crate::{FpState, Owner};

mod ops;

/// Machine state with the data valid in it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Inoperative {
        recover_at: Option<Timestamp>,
    },
    Closed,
    Idle,
    Calling,
    // Boxed: a transition moves the state out and back by value, and the delivery data is
    // several hundred bytes; a box keeps every move pointer-sized (one allocation per sale).
    Authorised(Box<Authorised>),
    Started {
        d: Box<Delivery>,
        motor_ready_at: Timestamp,
    },
    SuspendedStarted {
        d: Box<Delivery>,
    },
    Fuelling {
        d: Box<Delivery>,
    },
    SuspendedFuelling {
        d: Box<Delivery>,
    },
}

impl State {
    fn public(&self) -> FpState {
        match self {
            State::Inoperative { .. } => FpState::Inoperative,
            State::Closed => FpState::Closed,
            State::Idle => FpState::Idle,
            State::Calling => FpState::Calling,
            State::Authorised(_) => FpState::Authorised,
            State::Started { .. } => FpState::Started,
            State::SuspendedStarted { .. } => FpState::SuspendedStarted,
            State::Fuelling { .. } => FpState::Fuelling,
            State::SuspendedFuelling { .. } => FpState::SuspendedFuelling,
        }
    }

    fn delivery(&self) -> Option<&Delivery> {
        match self {
            State::Started { d, .. }
            | State::SuspendedStarted { d }
            | State::Fuelling { d }
            | State::SuspendedFuelling { d } => Some(d),
            _ => None,
        }
    }
}

/// Deadlines, in tie-break order: on equal instants the earlier variant fires first (the
/// limit before a progress sample, a lift before the auth timeout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    Recover,
    ReserveExpiry,
    MotorReady,
    Limit,
    FaultAtVolume,
    EarlyHangUp,
    Progress,
    StallEnd,
    NoFlow,
    CustomerHangUp,
    CustomerLift,
    AuthTimeout,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Reservation {
    owner: Owner,
    expires_at: Timestamp,
}

/// Persistent injected faults (simulators.md 3.4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Faults {
    reserved_by: Option<Owner>,
    reserve_refused: bool,
    authorise_refused: bool,
    stuck_nozzle: bool,
    unpaid_limit: bool,
    offline_at: Option<(Volume, Option<Duration>)>,
}

/// A simulated fuelling point. See the crate docs for the driving loop.
#[derive(Debug, Clone)]
pub struct FuelPoint {
    cfg: FuelPointConfig,
    profile: FlowProfile,
    src: String,
    rng: ChaCha8Rng,
    state: State,
    /// The physically lifted nozzle (kept apart from the IFSF state: a Closed point still has
    /// nozzles that can be lifted).
    nozzle: Option<u8>,
    reservation: Option<Reservation>,
    faults: Faults,
    buffer: Buffer,
    outputs: VecDeque<(Timestamp, Output)>,
    /// The latest instant processed.
    now: Timestamp,
    /// `compute_due()` as of the last change: drivers ask `poll_timeout` after every input,
    /// so it is kept up to date by each transition instead of recomputed per ask.
    due: Option<(Timestamp, Due)>,
}

type Step = (State, Result<(), Reject>);

fn reject(s: State, input: &'static str) -> Step {
    let state = s.public();
    (s, Err(Reject::NotInState { input, state }))
}

impl FuelPoint {
    /// A point in its `initial_state`, validated; `rng` should be
    /// `payrig_core::rng::stream_rng(seed, "pump/<fp>")`.
    pub fn new(cfg: FuelPointConfig, rng: ChaCha8Rng) -> Result<FuelPoint, ConfigError> {
        cfg.validate()?;
        let state = match cfg.initial_state {
            InitialState::Idle => State::Idle,
            InitialState::Closed => State::Closed,
            InitialState::Inoperative => State::Inoperative { recover_at: None },
        };
        let mut fp = FuelPoint {
            profile: cfg.flow_profile(),
            src: format!("pump/{}", cfg.fp),
            cfg,
            rng,
            state,
            nozzle: None,
            reservation: None,
            faults: Faults::default(),
            buffer: Buffer::default(),
            outputs: VecDeque::new(),
            now: Timestamp::EPOCH,
            due: None,
        };
        fp.refresh_due();
        Ok(fp)
    }

    /// The trace source name, `pump/<fp>`.
    pub fn src(&self) -> &str {
        &self.src
    }

    /// The configuration.
    pub fn config(&self) -> &FuelPointConfig {
        &self.cfg
    }

    /// Points the scripted customer at `nozzle` for the next lift (a site that authorises one
    /// grade sends the driver to that grade's nozzle). No effect without a script.
    pub fn set_customer_nozzle(&mut self, nozzle: u8) {
        if let Some(c) = self.cfg.customer.as_mut() {
            c.nozzle = nozzle;
        }
        self.refresh_due();
    }

    /// The IFSF state.
    pub fn state(&self) -> FpState {
        self.state.public()
    }

    /// The lifted nozzle, if any.
    pub fn nozzle_lifted(&self) -> Option<u8> {
        self.nozzle
    }

    /// The current reservation holder and its lapse instant.
    pub fn reservation(&self) -> Option<(&Owner, Timestamp)> {
        self.reservation.as_ref().map(|r| (&r.owner, r.expires_at))
    }

    /// The authoriser of the current authorisation or delivery.
    pub fn authorised_owner(&self) -> Option<&Owner> {
        match &self.state {
            State::Authorised(a) => Some(&a.auth.owner),
            s => s.delivery().map(|d| &d.auth.owner),
        }
    }

    /// Volume of the running delivery at `now` (`None` outside a delivery).
    pub fn dispensed(&self, now: Timestamp) -> Option<Volume> {
        self.state.delivery().map(|d| d.metered(now.max(self.now)))
    }

    /// L of the running delivery.
    pub fn delivery_limit(&self) -> Option<Volume> {
        self.state.delivery().map(|d| d.limit)
    }

    /// True while fuel flows: only in Fuelling, with a segment running (SIM-P-02).
    pub fn is_flowing(&self) -> bool {
        matches!(&self.state, State::Fuelling { d } if d.flowing())
    }

    /// Buffered sales, oldest first (cleared ones are kept for a while).
    pub fn sales(&self) -> impl Iterator<Item = &Sale> {
        self.buffer.sales()
    }

    /// One sale.
    pub fn sale(&self, seq: u32) -> Option<&Sale> {
        self.buffer.sale(seq)
    }

    /// Payable + Locked sales.
    pub fn unpaid_sales(&self) -> usize {
        self.buffer.unpaid()
    }

    /// Grade meters by grade code.
    pub fn meters(&self) -> &BTreeMap<String, GradeMeter> {
        self.buffer.meters()
    }

    /// Next output with the instant it happened (a deadline fired late by the driver is
    /// stamped with its own instant, not the driver's).
    pub fn poll_timed_output(&mut self) -> Option<(Timestamp, Output)> {
        self.outputs.pop_front()
    }

    fn emit(&mut self, t: Timestamp, out: Output) {
        self.outputs.push_back((t, out));
    }

    fn idle_or_calling(&self) -> State {
        if self.nozzle.is_some() {
            State::Calling
        } else {
            State::Idle
        }
    }

    /// Runs one transition and reports the IFSF state change it made, if any.
    fn transition(
        &mut self,
        t: Timestamp,
        f: impl FnOnce(&mut Self, State) -> Step,
    ) -> Result<(), Reject> {
        let from = self.state.public();
        let state = std::mem::replace(&mut self.state, State::Closed);
        let (next, res) = f(self, state);
        self.state = next;
        let to = self.state.public();
        if from != to {
            self.emit(t, Output::StateChanged { from, to });
        }
        if !matches!(self.state, State::Idle | State::Calling) {
            // A reservation lives only in Idle/Calling (simulators.md 3.1).
            self.reservation = None;
        }
        self.refresh_due();
        res
    }

    /// Fires every deadline at or before `now`, each at its own instant.
    fn advance(&mut self, now: Timestamp) {
        let mut last: Option<(Timestamp, Due)> = None;
        while let Some((t, due)) = self.next_due() {
            if t > now || last == Some((t, due)) {
                // The second test is a guard: every arm of `fire` clears or moves its
                // deadline, so a repeat would be a bug, never a livelock.
                break;
            }
            last = Some((t, due));
            self.now = t.max(self.now);
            let at = self.now;
            if due == Due::Progress && self.progress_in_place(at) {
                continue;
            }
            // Deadlines never reject; the result is always Ok.
            let _ = self.transition(at, |fp, s| (fp.fire(at, s, due), Ok(())));
        }
        if now > self.now {
            self.now = now;
            // Volume triggers already behind us are due "now": they depend on `self.now`.
            self.refresh_due();
        }
    }

    /// The `Progress` sample, most of a delivery's deadlines, taken in place: it changes
    /// neither the state nor a reservation (none lives in Fuelling), only the next sample's
    /// time, so it skips the by-value `transition`. Same effect as `fire`'s Progress arm.
    fn progress_in_place(&mut self, t: Timestamp) -> bool {
        let period = self.cfg.progress_interval;
        let State::Fuelling { d } = &mut self.state else {
            return false;
        };
        let volume = d.metered(t);
        let amount = d.grade.price.amount(volume);
        d.progress_done(t, period);
        self.outputs
            .push_back((t, Output::Progress { volume, amount }));
        self.refresh_due();
        true
    }

    /// The next deadline, as cached by the last transition.
    fn next_due(&self) -> Option<(Timestamp, Due)> {
        self.due
    }

    fn refresh_due(&mut self) {
        self.due = self.compute_due();
    }

    fn compute_due(&self) -> Option<(Timestamp, Due)> {
        let mut best: Option<(Timestamp, Due)> = None;
        let mut consider = |t: Option<Timestamp>, due: Due| {
            if let Some(t) = t {
                if best.is_none_or(|(b, _)| t < b) {
                    best = Some((t, due));
                }
            }
        };
        match &self.state {
            State::Inoperative { recover_at } => consider(*recover_at, Due::Recover),
            State::Closed => {}
            State::Idle | State::Calling => consider(
                self.reservation.as_ref().map(|r| r.expires_at),
                Due::ReserveExpiry,
            ),
            State::Authorised(a) => {
                consider(a.hang_at, Due::CustomerHangUp);
                consider(a.lift_at, Due::CustomerLift);
                consider(a.expires_at, Due::AuthTimeout);
            }
            State::Started { motor_ready_at, .. } => {
                consider(Some(*motor_ready_at), Due::MotorReady)
            }
            State::SuspendedStarted { .. } => {}
            State::Fuelling { d } => {
                consider(d.limit_at(), Due::Limit);
                // Volume triggers may already be behind us when armed: fire them now.
                let fault_at = self.faults.offline_at.and_then(|(v, _)| d.reach_at(v));
                consider(fault_at.map(|x| x.max(self.now)), Due::FaultAtVolume);
                consider(
                    self.early_hang_at(d).map(|x| x.max(self.now)),
                    Due::EarlyHangUp,
                );
                consider(d.next_progress(), Due::Progress);
                consider(d.stall_until, Due::StallEnd);
                consider(d.no_flow_at, Due::NoFlow);
                consider(d.hang_at, Due::CustomerHangUp);
            }
            State::SuspendedFuelling { d } => {
                consider(d.stall_until, Due::StallEnd);
                consider(d.no_flow_at, Due::NoFlow);
                consider(d.hang_at, Due::CustomerHangUp);
            }
        }
        best
    }

    fn early_hang_at(&self, d: &Delivery) -> Option<Timestamp> {
        let x = self.cfg.customer.as_ref()?.hang_up_at?;
        if d.early_hang_done || x >= d.limit {
            return None;
        }
        d.reach_at(x)
    }
}

impl Machine for FuelPoint {
    type Input = Input;
    type Output = Output;
    type Reject = Reject;

    fn handle_input(&mut self, now: Timestamp, input: Input) -> Result<(), Reject> {
        if now < self.now {
            return Err(Reject::TimeWentBackwards {
                now,
                last: self.now,
            });
        }
        self.advance(now);
        // A pattern, not `==`: no comparison call, and no drop glue on the Timeout path.
        if matches!(input, Input::Timeout) {
            return Ok(());
        }
        self.transition(now, |fp, s| fp.step(now, s, input))
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front().map(|(_, o)| o)
    }

    fn poll_timeout(&self) -> Option<Timestamp> {
        self.next_due().map(|(t, _)| t)
    }
}

// Transitions.
impl FuelPoint {
    /// Inputs: one arm per row of the simulators.md 3.1 table.
    fn step(&mut self, t: Timestamp, state: State, input: Input) -> Step {
        use State as S;
        let name = input.name();
        match (state, input) {
            (s, Input::Timeout) => (s, Ok(())),
            (S::Closed, Input::Open) => (self.idle_or_calling(), Ok(())),
            (S::Idle | S::Calling, Input::Close) => {
                self.end_reservation(t, ReservationEnd::Closed);
                (S::Closed, Ok(()))
            }
            (S::Authorised(a), Input::Close) => {
                self.emit(
                    t,
                    Output::AuthEnded {
                        owner: a.auth.owner,
                        reason: AuthEnd::Closed,
                    },
                );
                (S::Closed, Ok(()))
            }
            (S::Inoperative { .. }, Input::Online) => (self.recovered(), Ok(())),
            (s, Input::Open | Input::Close | Input::Online) => reject(s, name),

            (S::Idle, Input::Reserve { owner }) => {
                self.reserve(t, owner);
                (S::Idle, Ok(()))
            }
            (s, Input::Reserve { owner }) => {
                // ationet.md 4.3: Reserve needs an Idle pump.
                let reason = match s {
                    S::Inoperative { .. } => ReserveRefusal::Offline,
                    S::Closed => ReserveRefusal::Closed,
                    _ => ReserveRefusal::Busy,
                };
                self.emit(t, Output::ReserveRefused { owner, reason });
                (s, Ok(()))
            }
            (s, Input::Release { owner }) => {
                if self.reservation.as_ref().is_some_and(|r| r.owner == owner) {
                    self.end_reservation(t, ReservationEnd::Released);
                    (s, Ok(()))
                } else {
                    (s, Err(Reject::NotReserved(owner)))
                }
            }

            (s, Input::Authorise(req)) => self.authorise(t, s, req),
            (s, Input::Deauthorise { owner }) => self.deauthorise(t, s, owner),
            (s, Input::NozzleLift { nozzle }) => self.lift(t, s, nozzle),
            (s, Input::NozzleHang) => self.hang(t, s),

            (S::Started { d, .. }, Input::Suspend) => (S::SuspendedStarted { d }, Ok(())),
            (S::Fuelling { mut d }, Input::Suspend) => {
                d.stop_flow(t, self.cfg.no_flow_timeout);
                (S::SuspendedFuelling { d }, Ok(()))
            }
            (S::SuspendedStarted { d }, Input::Resume) => {
                let motor_ready_at = t + self.cfg.motor_start;
                (S::Started { d, motor_ready_at }, Ok(()))
            }
            (S::SuspendedFuelling { mut d }, Input::Resume) => {
                // simulators.md 3.1: resume restarts the ramp.
                d.start_flow(t, &self.profile, self.cfg.progress_interval);
                (S::Fuelling { d }, Ok(()))
            }
            (s, Input::Suspend | Input::Resume) => reject(s, name),

            (s, Input::Fault(f)) => (self.fault(t, s, f), Ok(())),
            (s, Input::ClearFault(kind)) => {
                match kind {
                    FaultKind::OfflineAt => self.faults.offline_at = None,
                    FaultKind::ReservedBy => self.faults.reserved_by = None,
                    FaultKind::ReserveRefused => self.faults.reserve_refused = false,
                    FaultKind::AuthoriseRefused => self.faults.authorise_refused = false,
                    FaultKind::StuckNozzle => self.faults.stuck_nozzle = false,
                    FaultKind::UnpaidLimit => self.faults.unpaid_limit = false,
                }
                self.emit(t, Output::FaultCleared(kind));
                (s, Ok(()))
            }

            (s, Input::LockSale { seq, owner }) => {
                let r = self.buffer.lock(seq, &owner);
                self.buffer_result(t, s, seq, r, Output::SaleLocked { seq, owner })
            }
            (s, Input::UnlockSale { seq, owner }) => {
                let r = self.buffer.unlock(seq, &owner);
                self.buffer_result(t, s, seq, r, Output::SaleUnlocked { seq, owner })
            }
            (s, Input::ClearSale { seq, owner }) => {
                let r = self.buffer.clear(seq, &owner);
                self.buffer_result(t, s, seq, r, Output::SaleCleared { seq, owner })
            }
        }
    }

    /// Deadlines. Every arm clears or moves the deadline it fired.
    fn fire(&mut self, t: Timestamp, state: State, due: Due) -> State {
        use State as S;
        match (state, due) {
            (S::Inoperative { .. }, Due::Recover) => self.recovered(),
            (s, Due::ReserveExpiry) => {
                self.end_reservation(t, ReservationEnd::Timeout);
                s
            }
            (S::Authorised(a), Due::AuthTimeout) => {
                // ationet.md 4.3: never lifted -> SitePreauthTimeout at 180 s.
                let owner = a.auth.owner;
                self.emit(
                    t,
                    Output::AuthEnded {
                        owner,
                        reason: AuthEnd::Timeout,
                    },
                );
                self.idle_or_calling()
            }
            (S::Authorised(mut a), Due::CustomerLift) => {
                a.lift_at = None;
                let nozzle = self.cfg.customer.as_ref().map_or(1, |c| c.nozzle);
                if self.nozzle.is_some() {
                    return S::Authorised(a);
                }
                match self.lift(t, S::Authorised(a), nozzle) {
                    (S::Authorised(mut a), _) => {
                        // Grade not allowed: the customer puts the nozzle back and leaves.
                        let delay = self.draw_hang_up_delay();
                        a.hang_at = Some(t + delay);
                        S::Authorised(a)
                    }
                    (s, _) => s,
                }
            }
            (S::Authorised(mut a), Due::CustomerHangUp) => {
                a.hang_at = None;
                self.hang(t, S::Authorised(a)).0
            }
            (S::Started { d, .. }, Due::MotorReady) => self.begin_flow(t, d),
            (S::Fuelling { mut d }, Due::Limit) => {
                d.stop_flow(t, self.cfg.no_flow_timeout);
                d.at_limit = true;
                let volume = d.metered(t);
                let amount = d.grade.price.amount(volume);
                self.emit(t, Output::LimitReached { volume, amount });
                if self.cfg.customer.is_some() {
                    // ationet.md 4.3: Finalize comes hangup_delay after the flow stops.
                    d.hang_at = Some(t + self.draw_hang_up_delay());
                }
                S::Fuelling { d }
            }
            (s @ S::Fuelling { .. }, Due::FaultAtVolume) => {
                let outage = self.faults.offline_at.take().and_then(|(_, dur)| dur);
                self.emit(t, Output::FaultRaised(Fault::Offline { duration: outage }));
                self.go_offline(t, s, outage)
            }
            (S::Fuelling { mut d }, Due::EarlyHangUp) => {
                // ationet.md 7: early hang-up at X ml finalises the partial figures.
                d.early_hang_done = true;
                self.hang(t, S::Fuelling { d }).0
            }
            (S::Fuelling { mut d }, Due::Progress) => {
                let volume = d.metered(t);
                let amount = d.grade.price.amount(volume);
                self.emit(t, Output::Progress { volume, amount });
                d.progress_done(t, self.cfg.progress_interval);
                S::Fuelling { d }
            }
            (S::Fuelling { mut d }, Due::StallEnd) => {
                d.stall_until = None;
                d.start_flow(t, &self.profile, self.cfg.progress_interval);
                S::Fuelling { d }
            }
            (S::SuspendedFuelling { mut d }, Due::StallEnd) => {
                d.stall_until = None;
                S::SuspendedFuelling { d }
            }
            (S::Fuelling { d } | S::SuspendedFuelling { d }, Due::NoFlow) => {
                // DECISION: the point treats the nozzle as replaced, so it goes Idle as the
                // 3.1 table says even when the hang-up was never seen (stuck_nozzle).
                self.nozzle = None;
                self.finish(t, d, EndReason::NoFlowTimeout);
                S::Idle
            }
            (S::Fuelling { mut d }, Due::CustomerHangUp) => {
                d.hang_at = None;
                self.hang(t, S::Fuelling { d }).0
            }
            (S::SuspendedFuelling { mut d }, Due::CustomerHangUp) => {
                d.hang_at = None;
                self.hang(t, S::SuspendedFuelling { d }).0
            }
            // `next_due` only reports deadlines of the current state; nothing else can fire.
            (s, _) => s,
        }
    }
}

#[cfg(test)]
mod tests;
