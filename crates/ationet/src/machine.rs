//! The per-transaction machine of spec section 4.
//!
//! ```text
//!  create ──► 1 Created ──step──► (Reserve) ──ok──► 5 PumpReserveAccepted ──step──┐
//!    │            │ no session ► 16   refused ► 6   T_reply ► 18                 │
//!    └ queue fault ► 17                                                           │
//!   FI: ask PFEP ◄──────────────────────────────────────────────────────────────┘
//!     approve ► 2 ──step──► 4 ◄── step (EX, authorized = requested)
//!     decline / T_pfep ► 3     prompts (ext) ► 25 ─answer─► 27 ─accept─► 28 ─step─► 4
//!                                          T_prompt ► 19    refuse/T_pfep ► 24
//!   4 FuelPointAuthorizationRequested ─ok─► 7 ─BeginFueling─► 9 ─Finalize─► 10 (EX)
//!        refused ► 8, fail/T_reply ► 18      SitePreauthTimeout ► 14    FI: completion ► 10 | 11
//!                                            T_mppa ► 19
//!   Cancel in 1,2,4,5,7(nozzle down),25,27,28 ► 12 ─step─► 15 (Deauthorize)
//!        15 ─ok / no session─► 13    refused, flow started ─► 9    T_reply ─► 18
//! ```
//!
//! Time is an argument; the machine never reads a clock. Business outcomes are states;
//! [`Reject`] only answers the MPA's Cancel and prompt inputs with the protocol's own code.

use std::collections::VecDeque;

use payrig_core::{Currency, Decimal, Duration, Machine, Money, Timestamp, Volume};

use crate::domain::{
    CreateKind, CreateRequest, PaymentMethod, PresetUnit, ProductInfo, TransactionSnapshot,
};
use crate::state::{CancelCode, StateId};

/// Timers and switches shared by every transaction of a server (spec section 4.4 and 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// `step_delay` before each automatic move (D15), default 100 ms.
    pub step_delay: Duration,
    /// T_reply: a site command until its reply (D15), default 30 s.
    pub t_reply: Duration,
    /// T_pfep: a PFEP request until its answer (D15), default 30 s.
    pub t_pfep: Duration,
    /// T_mppa in state 7, default 300 s.
    pub t_mppa: Duration,
    /// T_prompt in state 25, default 300 s.
    pub t_prompt: Duration,
    /// The prompting extension (D8), default off.
    pub prompting: bool,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            step_delay: Duration::from_millis(100),
            t_reply: Duration::from_secs(30),
            t_pfep: Duration::from_secs(30),
            t_mppa: Duration::from_secs(300),
            t_prompt: Duration::from_secs(300),
            prompting: false,
        }
    }
}

/// A preset as the site receives it with `Authorize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Preset {
    /// Litres, as millilitres.
    Volume(Volume),
    /// Money in the site currency.
    Money(Money),
}

/// What the MPPA asks the site system (Conexxus-style pairs, 4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SiteCommand {
    /// MobilePumpReserve.
    Reserve {
        /// Fuel point.
        pump: u8,
    },
    /// MobileAuth with the preset.
    Authorize {
        /// Fuel point.
        pump: u8,
        /// Grade code.
        fuel_code: String,
        /// Limit in the site's `preset_unit`.
        preset: Preset,
    },
    /// MobileCancel: release the pump (also the "rel" side effect).
    Deauthorize {
        /// Fuel point.
        pump: u8,
    },
}

/// What the site system reports back (4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SiteEvent {
    /// Reply to `Reserve`: product fields, or the refusal text.
    ReserveResult(Result<ProductInfo, String>),
    /// Reply to `Authorize`: Overall and Response results with the site's text.
    AuthorizeResult {
        /// The site handled the command.
        overall_ok: bool,
        /// The pump accepted the preset.
        response_ok: bool,
        /// The site's text on refusal.
        message: Option<String>,
    },
    /// Reply to `Deauthorize`.
    DeauthorizeResult {
        /// Released.
        ok: bool,
        /// Refused because fuel already flows (T28).
        flow_started: bool,
    },
    /// The driver lifted the nozzle.
    NozzleLifted,
    /// The driver put the nozzle back.
    NozzleReplaced,
    /// Fuel started flowing.
    BeginFueling,
    /// Running figures.
    Progress {
        /// Dispensed so far.
        volume: Volume,
        /// Its price in minor units.
        amount_minor: i64,
    },
    /// Final figures with the site's dispatch id.
    Finalize {
        /// Dispensed.
        volume: Volume,
        /// Its price in minor units.
        amount_minor: i64,
        /// `idDispatch`.
        id_dispatch: String,
    },
    /// The site's outdoor preauthorization timeout (T_site).
    SitePreauthTimeout,
    /// The site session went down.
    SessionDown,
    /// The site session came back.
    SessionUp,
}

/// What the MPPA asks the PFEP (FI only).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PfepRequest {
    /// Authorize the card for the requested amount.
    Authorize {
        /// The fleet card track.
        primary_track: String,
        /// The ATIONet terminal.
        terminal_code: String,
        /// Requested amount in `preset_unit`.
        amount: Decimal,
    },
    /// Forward the prompt answers (P2).
    PromptAnswers {
        /// The answers, names without `Prompt`.
        answers: Vec<(String, String)>,
    },
    /// Complete the sale with the final figures (T22).
    Completion {
        /// Dispensed volume.
        volume: Volume,
        /// Money dispensed, minor units.
        amount_minor: i64,
    },
    /// Reverse an approved preauthorization (cancel, late approval).
    Reverse,
}

/// What the PFEP answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PfepEvent {
    /// Approved with a grant in `preset_unit` (T9, P3).
    Approved {
        /// Granted amount; the machine keeps at most the requested amount.
        grant: Decimal,
        /// Reference code (`A00001`).
        reference: String,
        /// Text (`Approved`).
        message: String,
    },
    /// Declined (T10, P4).
    Declined {
        /// Reference code, when the PFEP gave one.
        reference: Option<String>,
        /// Text.
        message: String,
    },
    /// Prompts needed (P1): flags and ranges, e.g. `PromptOdometer = "true"`.
    PromptsNeeded {
        /// The flags, in the PFEP's order.
        flags: Vec<(String, String)>,
    },
    /// Completion approved (T23).
    CompletionApproved,
    /// Completion rejected (T24).
    CompletionRejected {
        /// Text.
        message: String,
    },
}

/// Inputs of the transaction machine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// The deadline of [`Machine::poll_timeout`] is due.
    Timeout,
    /// From the site system.
    Site(SiteEvent),
    /// From the PFEP.
    Pfep(PfepEvent),
    /// The MPA's Cancel (T25).
    Cancel,
    /// The MPA's PromptPreauthorizations answers (P2), already validated by the world.
    PromptAnswers(Vec<(String, String)>),
}

/// Outputs: messages to peers and events for observers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Send to the site system.
    ToSite(SiteCommand),
    /// Send to the PFEP.
    ToPfep(PfepRequest),
    /// The state changed (every entry sets `updateDateTime`).
    StateChanged {
        /// Previous state.
        from: StateId,
        /// New state.
        to: StateId,
    },
    /// A timer fired.
    TimerFired(Timer),
    /// An event arrived for which 4.2 has no row; logged and ignored (ATN-S-011).
    Ignored {
        /// The state it arrived in.
        state: StateId,
        /// A short description of the event.
        event: &'static str,
    },
}

/// Why the MPA's input was refused. The state is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reject {
    /// Cancel in a state whose 4.1 answer is not `00000`.
    #[error("cancel refused: {} {}", .0.code(), .0.message())]
    Cancel(CancelCode),
    /// Prompt answers outside state 25 (409 `invalid_state`).
    #[error("prompts are only accepted in state 25 (now {0:?})")]
    NotPrompting(StateId),
}

/// The machine's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Timer {
    /// The automatic move after `step_delay`.
    Step,
    /// T_reply.
    Reply,
    /// T_pfep.
    Pfep,
    /// T_mppa.
    Mppa,
    /// T_prompt.
    Prompt,
}

impl Timer {
    /// Name as traces write it.
    pub const fn name(self) -> &'static str {
        match self {
            Timer::Step => "step",
            Timer::Reply => "T_reply",
            Timer::Pfep => "T_pfep",
            Timer::Mppa => "T_mppa",
            Timer::Prompt => "T_prompt",
        }
    }
}

/// Phase flags that only exist inside one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No extra data.
    Plain,
    /// State 1: `Reserve` sent. State 5: PFEP asked.
    Sent,
    /// State 7: the nozzle is lifted.
    NozzleLifted,
    /// State 9: finalized; waiting for the completion.
    Finalized,
}

/// Site facts a transaction needs at creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFacts {
    /// Whether a site session is up (false for an unknown site, D14).
    pub session_up: bool,
    /// `preset_unit` of the site.
    pub preset_unit: PresetUnit,
    /// Site currency.
    pub currency: Currency,
}

/// One ATIONet transaction.
#[derive(Debug, Clone)]
pub struct Transaction {
    request: CreateRequest,
    /// The id when it differs from `potencyKeyId` (uuid mode); by default (D5) the key is the
    /// id and is not stored twice.
    id: Option<String>,
    sequence: u64,
    site: SiteFacts,
    timers: Timers,
    state: StateId,
    phase: Phase,
    deadline: Option<(Timestamp, Timer)>,
    created: Timestamp,
    updated: Timestamp,
    product: Option<ProductInfo>,
    authorized: Decimal,
    pfep_reference: Option<String>,
    pfep_message: Option<String>,
    pfep_approved: bool,
    site_message: Option<String>,
    dispatched: Volume,
    dispatched_minor: i64,
    id_dispatch: Option<String>,
    odometer: u64,
    prompt_flags: Vec<(String, String)>,
    out: VecDeque<Output>,
}

impl Transaction {
    /// T1/T2: a new transaction in state 1 (or 17 with `queue_fault`).
    pub fn create(
        now: Timestamp,
        id: String,
        sequence: u64,
        request: CreateRequest,
        site: SiteFacts,
        timers: Timers,
        queue_fault: bool,
    ) -> Transaction {
        let id = (id != request.potency_key_id).then_some(id);
        let pfep_reference = match request.kind {
            CreateKind::PreAuthorizedPayments => request.external_reference_id.clone(),
            CreateKind::MobilePayments => None,
        };
        let mut t = Transaction {
            request,
            id,
            sequence,
            site,
            timers,
            state: StateId::Created,
            phase: Phase::Plain,
            deadline: None,
            created: now,
            updated: now,
            product: None,
            authorized: Decimal::ZERO,
            pfep_reference,
            pfep_message: None,
            pfep_approved: false,
            site_message: None,
            dispatched: Volume::ZERO,
            dispatched_minor: 0,
            id_dispatch: None,
            odometer: 0,
            prompt_flags: Vec::new(),
            out: VecDeque::new(),
        };
        if queue_fault {
            // T2: still 200 with the id, but the request never reached the site connector.
            t.enter(now, StateId::UnknownError, Phase::Plain);
        } else {
            t.step_after(now);
        }
        t
    }

    /// The transaction id.
    pub fn id(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.request.potency_key_id)
    }

    /// The current state.
    pub fn state(&self) -> StateId {
        self.state
    }

    /// When the state last changed (`updateDateTime`).
    pub fn updated(&self) -> Timestamp {
        self.updated
    }

    /// The create request it was made from (for the identical-repeat test).
    pub fn request(&self) -> &CreateRequest {
        &self.request
    }

    /// True when the nozzle is lifted in state 7.
    pub fn nozzle_lifted(&self) -> bool {
        self.state == StateId::FuelPointAuthorized && self.phase == Phase::NozzleLifted
    }

    /// The Cancel answer the current state would give.
    pub fn cancel_code(&self) -> CancelCode {
        self.state.cancel_code(self.nozzle_lifted())
    }

    /// Prompt flags the PFEP asked for (state 25), names with `Prompt`.
    pub fn prompt_flags(&self) -> &[(String, String)] {
        &self.prompt_flags
    }

    /// Authorized amount in `preset_unit`.
    pub fn authorized(&self) -> Decimal {
        self.authorized
    }

    /// Dispensed volume so far.
    pub fn dispatched_volume(&self) -> Volume {
        self.dispatched
    }

    /// Dispensed money so far, minor units.
    pub fn dispatched_minor(&self) -> i64 {
        self.dispatched_minor
    }

    /// Records the prompted odometer value (shown by GetTransaction).
    pub fn set_odometer(&mut self, odometer: u64) {
        self.odometer = odometer;
    }

    /// Everything GetTransaction shows.
    pub fn snapshot(&self) -> TransactionSnapshot {
        let exp = u32::from(self.site.currency.exponent());
        let product = self.product.as_ref();
        TransactionSnapshot {
            id: self.id().to_owned(),
            site_code: self.request.site_code.clone(),
            primary_track: match self.request.kind {
                CreateKind::MobilePayments => self.request.primary_track.clone(),
                CreateKind::PreAuthorizedPayments => None,
            },
            odometer: self.odometer,
            terminal_identification: product.map(|p| p.terminal_identification.clone()),
            transaction_sequence_number: self.sequence,
            state: self.state,
            payment_processor_reference_id: self.pfep_reference.clone(),
            payment_processor_message: self.pfep_message.clone(),
            site_system_message: self.site_message.clone(),
            fuel_point_number: self.request.pump_number,
            payment_method: self.payment_method(),
            requested_amount: self.request.amount,
            authorized_amount: self.authorized,
            dispatched_amount: Decimal::new(i128::from(self.dispatched_minor), exp),
            dispatched_quantity: self.dispatched.to_litres_decimal(),
            product_code: product.map(|p| p.product_code.clone()),
            product_description: product.map(|p| p.product_description.clone()),
            product_unit_price: product.map(|p| p.unit_price).unwrap_or(Decimal::ZERO),
            unit_measure: product.map(|_| "L".to_owned()),
            create_date_time: self.created,
            update_date_time: self.updated,
            id_dispatch: self.id_dispatch.clone(),
        }
    }

    fn payment_method(&self) -> PaymentMethod {
        self.request.kind.payment_method()
    }

    fn is_fi(&self) -> bool {
        self.request.kind == CreateKind::MobilePayments
    }

    fn enter(&mut self, now: Timestamp, to: StateId, phase: Phase) {
        let from = self.state;
        self.state = to;
        self.phase = phase;
        self.updated = now;
        self.deadline = None;
        if from != to {
            self.out.push_back(Output::StateChanged { from, to });
        }
    }

    fn arm(&mut self, now: Timestamp, timer: Timer) {
        let d = match timer {
            Timer::Step => self.timers.step_delay,
            Timer::Reply => self.timers.t_reply,
            Timer::Pfep => self.timers.t_pfep,
            Timer::Mppa => self.timers.t_mppa,
            Timer::Prompt => self.timers.t_prompt,
        };
        self.deadline = Some((now + d, timer));
    }

    fn step_after(&mut self, now: Timestamp) {
        self.arm(now, Timer::Step);
    }

    fn send_site(&mut self, c: SiteCommand) {
        self.out.push_back(Output::ToSite(c));
    }

    fn release(&mut self) {
        let pump = self.request.pump_number;
        self.send_site(SiteCommand::Deauthorize { pump });
    }

    fn reverse_if_approved(&mut self) {
        if self.pfep_approved {
            self.pfep_approved = false;
            self.out.push_back(Output::ToPfep(PfepRequest::Reverse));
        }
    }

    /// The preset sent with `Authorize`, from the authorized amount in `preset_unit`.
    fn preset(&self) -> Preset {
        match self.site.preset_unit {
            PresetUnit::Volume => {
                Preset::Volume(Volume::from_litres_decimal(self.authorized).unwrap_or(Volume::ZERO))
            }
            PresetUnit::Money => {
                let exp = u32::from(self.site.currency.exponent());
                let minor = self
                    .authorized
                    .to_scaled(exp)
                    .and_then(|v| i64::try_from(v).ok())
                    .unwrap_or(0);
                Preset::Money(Money::from_minor(minor, self.site.currency))
            }
        }
    }

    fn send_authorize(&mut self, now: Timestamp) {
        let c = SiteCommand::Authorize {
            pump: self.request.pump_number,
            fuel_code: self.request.fuel_code.clone(),
            preset: self.preset(),
        };
        self.send_site(c);
        self.enter(now, StateId::FuelPointAuthorizationRequested, Phase::Plain);
        self.arm(now, Timer::Reply);
    }

    fn on_timeout(&mut self, now: Timestamp) {
        let Some((at, timer)) = self.deadline else {
            return;
        };
        if now < at {
            return;
        }
        self.deadline = None;
        self.out.push_back(Output::TimerFired(timer));
        use StateId as S;
        match (self.state, self.phase, timer) {
            // T3 / T4
            (S::Created, Phase::Plain, Timer::Step) => {
                if self.site.session_up {
                    let pump = self.request.pump_number;
                    self.send_site(SiteCommand::Reserve { pump });
                    self.phase = Phase::Sent;
                    self.arm(now, Timer::Reply);
                } else {
                    self.site_message = Some(S::SessionError.name().to_owned());
                    self.enter(now, S::SessionError, Phase::Plain);
                }
            }
            // T7
            (S::Created, Phase::Sent, Timer::Reply) => {
                self.enter(now, S::SiteSystemError, Phase::Plain);
                self.release();
            }
            // T8 / T12
            (S::PumpReserveAccepted, Phase::Plain, Timer::Step) => {
                if self.is_fi() {
                    let r = PfepRequest::Authorize {
                        primary_track: self.request.primary_track.clone().unwrap_or_default(),
                        terminal_code: self.request.terminal_code.clone().unwrap_or_default(),
                        amount: self.request.amount,
                    };
                    self.out.push_back(Output::ToPfep(r));
                    self.phase = Phase::Sent;
                    self.arm(now, Timer::Pfep);
                } else {
                    self.authorized = self.request.amount;
                    self.send_authorize(now);
                }
            }
            // T10 (no answer)
            (S::PumpReserveAccepted, Phase::Sent, Timer::Pfep) => {
                self.pfep_message = Some("PFEP did not answer".to_owned());
                self.enter(now, S::PreauthorizationRejected, Phase::Plain);
                self.release();
            }
            // T11, and P3's step from 28 to 4
            (S::PreauthorizationAccepted | S::PromptingSuccess, _, Timer::Step) => {
                self.send_authorize(now);
            }
            // T15 (no reply)
            (S::FuelPointAuthorizationRequested, _, Timer::Reply) => {
                self.enter(now, S::SiteSystemError, Phase::Plain);
                self.release();
            }
            // T19
            (S::FuelPointAuthorized, _, Timer::Mppa) => {
                self.enter(now, S::CancelledByMppa, Phase::Plain);
                self.release();
            }
            // T24 (no answer to the completion)
            (S::Fueling, Phase::Finalized, Timer::Pfep) => {
                self.pfep_message = Some("PFEP did not answer the completion".to_owned());
                self.enter(now, S::CompleteFailed, Phase::Plain);
            }
            // T26
            (S::CancelationRequested, _, Timer::Step) => {
                self.release();
                self.enter(now, S::FuelPointDeauthorizationRequested, Phase::Plain);
                self.arm(now, Timer::Reply);
            }
            // T29
            (S::FuelPointDeauthorizationRequested, _, Timer::Reply) => {
                self.enter(now, S::SiteSystemError, Phase::Plain);
            }
            // P5
            (S::PromptingNeeded, _, Timer::Prompt) => {
                self.enter(now, S::CancelledByMppa, Phase::Plain);
                self.release();
            }
            // P4 (no answer)
            (S::PromptingSent, _, Timer::Pfep) => {
                self.pfep_message = Some("PFEP did not answer the prompts".to_owned());
                self.enter(now, S::TransactionRefused, Phase::Plain);
                self.release();
            }
            (state, _, _) => self.out.push_back(Output::Ignored {
                state,
                event: "stale timer",
            }),
        }
    }

    fn on_site(&mut self, now: Timestamp, e: SiteEvent) {
        use StateId as S;
        match (self.state, self.phase, e) {
            // T5 / T6
            (S::Created, Phase::Sent, SiteEvent::ReserveResult(Ok(product))) => {
                self.product = Some(product);
                self.enter(now, S::PumpReserveAccepted, Phase::Plain);
                self.step_after(now);
            }
            (S::Created, Phase::Sent, SiteEvent::ReserveResult(Err(message))) => {
                self.site_message = Some(message);
                self.enter(now, S::PumpReserveRefused, Phase::Plain);
            }
            // T13 / T14 / T15
            (
                S::FuelPointAuthorizationRequested,
                _,
                SiteEvent::AuthorizeResult {
                    overall_ok,
                    response_ok,
                    message,
                },
            ) => {
                if overall_ok && response_ok {
                    self.enter(now, S::FuelPointAuthorized, Phase::Plain);
                    self.arm(now, Timer::Mppa);
                } else if overall_ok {
                    self.site_message = message;
                    self.enter(now, S::CanceledByFuelPoint, Phase::Plain);
                } else {
                    self.site_message = message;
                    self.enter(now, S::SiteSystemError, Phase::Plain);
                    self.release();
                }
            }
            // T16: the flag only; the state and its timer stay.
            (S::FuelPointAuthorized, _, SiteEvent::NozzleLifted) => {
                self.phase = Phase::NozzleLifted;
            }
            (S::FuelPointAuthorized, _, SiteEvent::NozzleReplaced) => {
                self.phase = Phase::Plain;
            }
            // T17
            (S::FuelPointAuthorized, _, SiteEvent::BeginFueling) => {
                self.enter(now, S::Fueling, Phase::Plain);
            }
            // T18
            (S::FuelPointAuthorized, _, SiteEvent::SitePreauthTimeout) => {
                self.enter(now, S::CanceledBySiteSystem, Phase::Plain);
            }
            // T20
            (
                S::Fueling,
                Phase::Plain,
                SiteEvent::Progress {
                    volume,
                    amount_minor,
                },
            ) => {
                self.dispatched = volume;
                self.dispatched_minor = amount_minor;
            }
            // T21 / T22
            (
                S::Fueling,
                Phase::Plain,
                SiteEvent::Finalize {
                    volume,
                    amount_minor,
                    id_dispatch,
                },
            ) => {
                self.dispatched = volume;
                self.dispatched_minor = amount_minor;
                self.id_dispatch = Some(id_dispatch);
                if self.is_fi() {
                    self.out.push_back(Output::ToPfep(PfepRequest::Completion {
                        volume,
                        amount_minor,
                    }));
                    self.phase = Phase::Finalized;
                    self.arm(now, Timer::Pfep);
                } else {
                    self.enter(now, S::Complete, Phase::Plain);
                }
            }
            // T27
            (
                S::FuelPointDeauthorizationRequested,
                _,
                SiteEvent::DeauthorizeResult { ok: true, .. },
            )
            | (S::FuelPointDeauthorizationRequested, _, SiteEvent::SessionDown) => {
                self.reverse_if_approved();
                self.enter(now, S::CanceledByUser, Phase::Plain);
            }
            // T28: the deauthorize lost the race with the driver; carry on fuelling.
            (
                S::FuelPointDeauthorizationRequested,
                _,
                SiteEvent::DeauthorizeResult {
                    ok: false,
                    flow_started: true,
                },
            ) => {
                self.enter(now, S::Fueling, Phase::Plain);
            }
            (_, _, SiteEvent::SessionDown) => self.site.session_up = false,
            (_, _, SiteEvent::SessionUp) => self.site.session_up = true,
            (state, _, e) => self.out.push_back(Output::Ignored {
                state,
                event: site_event_name(&e),
            }),
        }
    }

    fn on_pfep(&mut self, now: Timestamp, e: PfepEvent) {
        use StateId as S;
        match (self.state, self.phase, e) {
            // T9 / P3
            (
                S::PumpReserveAccepted,
                Phase::Sent,
                PfepEvent::Approved {
                    grant,
                    reference,
                    message,
                },
            )
            | (
                S::PromptingSent,
                _,
                PfepEvent::Approved {
                    grant,
                    reference,
                    message,
                },
            ) => {
                // ATN-S-016: authorized never exceeds requested.
                self.authorized = grant.min(self.request.amount).max(Decimal::ZERO);
                self.pfep_reference = Some(reference);
                self.pfep_message = Some(message);
                self.pfep_approved = true;
                let to = if self.state == S::PromptingSent {
                    S::PromptingSuccess
                } else {
                    S::PreauthorizationAccepted
                };
                self.enter(now, to, Phase::Plain);
                self.step_after(now);
            }
            // T10
            (S::PumpReserveAccepted, Phase::Sent, PfepEvent::Declined { reference, message }) => {
                if reference.is_some() {
                    self.pfep_reference = reference;
                }
                self.pfep_message = Some(message);
                self.enter(now, S::PreauthorizationRejected, Phase::Plain);
                self.release();
            }
            // P1, or T10 when the extension is off (ATN-S-019: no id of 20 or more).
            (S::PumpReserveAccepted, Phase::Sent, PfepEvent::PromptsNeeded { flags }) => {
                if self.timers.prompting {
                    self.pfep_message = Some(flags_json(&flags));
                    self.prompt_flags = flags;
                    self.enter(now, S::PromptingNeeded, Phase::Plain);
                    self.arm(now, Timer::Prompt);
                } else {
                    self.pfep_message =
                        Some("Prompting required but the extension is off".to_owned());
                    self.enter(now, S::PreauthorizationRejected, Phase::Plain);
                    self.release();
                }
            }
            // P4
            (S::PromptingSent, _, PfepEvent::Declined { reference, message }) => {
                if reference.is_some() {
                    self.pfep_reference = reference;
                }
                self.pfep_message = Some(message);
                self.enter(now, S::TransactionRefused, Phase::Plain);
                self.release();
            }
            // T23 / T24
            (S::Fueling, Phase::Finalized, PfepEvent::CompletionApproved) => {
                self.enter(now, S::Complete, Phase::Plain);
            }
            (S::Fueling, Phase::Finalized, PfepEvent::CompletionRejected { message }) => {
                self.pfep_message = Some(message);
                self.enter(now, S::CompleteFailed, Phase::Plain);
            }
            // A late approval after a cancel is reversed (4.2 notes).
            (
                S::CancelationRequested | S::FuelPointDeauthorizationRequested | S::CanceledByUser,
                _,
                PfepEvent::Approved { .. },
            ) => {
                self.out.push_back(Output::ToPfep(PfepRequest::Reverse));
            }
            (state, _, e) => self.out.push_back(Output::Ignored {
                state,
                event: pfep_event_name(&e),
            }),
        }
    }

    fn on_cancel(&mut self, now: Timestamp) -> Result<(), Reject> {
        let code = self.cancel_code();
        if !code.is_success() {
            // ATN-S-015: any other code leaves the state unchanged.
            return Err(Reject::Cancel(code));
        }
        // T25: answer 00000 with the state already 12; stop the timers; reverse the preauth.
        self.reverse_if_approved();
        self.enter(now, StateId::CancelationRequested, Phase::Plain);
        self.step_after(now);
        Ok(())
    }

    fn on_prompt(&mut self, now: Timestamp, answers: Vec<(String, String)>) -> Result<(), Reject> {
        if self.state != StateId::PromptingNeeded {
            return Err(Reject::NotPrompting(self.state));
        }
        // P2
        self.out
            .push_back(Output::ToPfep(PfepRequest::PromptAnswers { answers }));
        self.enter(now, StateId::PromptingSent, Phase::Plain);
        self.arm(now, Timer::Pfep);
        Ok(())
    }
}

impl Machine for Transaction {
    type Input = Input;
    type Output = Output;
    type Reject = Reject;

    fn handle_input(&mut self, now: Timestamp, input: Input) -> Result<(), Reject> {
        if self.state.is_terminal() {
            // Terminal states absorb every event (ATN-S-011); the MPA still gets its code.
            return match input {
                Input::Cancel => Err(Reject::Cancel(self.cancel_code())),
                Input::PromptAnswers(_) => Err(Reject::NotPrompting(self.state)),
                Input::Timeout => Ok(()),
                Input::Site(e) => {
                    self.out.push_back(Output::Ignored {
                        state: self.state,
                        event: site_event_name(&e),
                    });
                    Ok(())
                }
                Input::Pfep(e) => {
                    if matches!(e, PfepEvent::Approved { .. }) {
                        // A late approval for a dead transaction must not leave money held.
                        self.out.push_back(Output::ToPfep(PfepRequest::Reverse));
                    } else {
                        self.out.push_back(Output::Ignored {
                            state: self.state,
                            event: pfep_event_name(&e),
                        });
                    }
                    Ok(())
                }
            };
        }
        match input {
            Input::Timeout => {
                self.on_timeout(now);
                Ok(())
            }
            Input::Site(e) => {
                self.on_site(now, e);
                Ok(())
            }
            Input::Pfep(e) => {
                self.on_pfep(now, e);
                Ok(())
            }
            Input::Cancel => self.on_cancel(now),
            Input::PromptAnswers(a) => self.on_prompt(now, a),
        }
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    fn poll_timeout(&self) -> Option<Timestamp> {
        self.deadline.map(|(at, _)| at)
    }
}

fn site_event_name(e: &SiteEvent) -> &'static str {
    match e {
        SiteEvent::ReserveResult(_) => "ReserveResult",
        SiteEvent::AuthorizeResult { .. } => "AuthorizeResult",
        SiteEvent::DeauthorizeResult { .. } => "DeauthorizeResult",
        SiteEvent::NozzleLifted => "NozzleLifted",
        SiteEvent::NozzleReplaced => "NozzleReplaced",
        SiteEvent::BeginFueling => "BeginFueling",
        SiteEvent::Progress { .. } => "Progress",
        SiteEvent::Finalize { .. } => "Finalize",
        SiteEvent::SitePreauthTimeout => "SitePreauthTimeout",
        SiteEvent::SessionDown => "SessionDown",
        SiteEvent::SessionUp => "SessionUp",
    }
}

fn pfep_event_name(e: &PfepEvent) -> &'static str {
    match e {
        PfepEvent::Approved { .. } => "PfepApproved",
        PfepEvent::Declined { .. } => "PfepDeclined",
        PfepEvent::PromptsNeeded { .. } => "PfepPromptsNeeded",
        PfepEvent::CompletionApproved => "PfepCompletionApproved",
        PfepEvent::CompletionRejected { .. } => "PfepCompletionRejected",
    }
}

/// The prompt flags as the JSON object string held in `paymentProcessorMessage` (3.5), in the
/// PFEP's order (a map would sort them).
fn flags_json(flags: &[(String, String)]) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in flags.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&serde_json::Value::String(k.clone()).to_string());
        s.push(':');
        s.push_str(&serde_json::Value::String(v.clone()).to_string());
    }
    s.push('}');
    s
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
