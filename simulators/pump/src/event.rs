//! What a [`crate::FuelPoint`] accepts ([`Input`]), produces ([`Output`]) and refuses
//! ([`Reject`]).
//!
//! Business outcomes (reserve refused, authorise refused, deauthorise refused once flow has
//! started) are outputs, not errors (ARCHITECTURE.md "Errors"); [`Reject`] is only for inputs
//! the point cannot take in its current state, and a rejected input changes nothing.

use payrig_core::{Duration, Money, Timestamp, Volume};
use serde::Serialize;

use crate::buffer::{EndReason, Sale};
use crate::price::Price;
use crate::{FpState, Owner};

/// A preset: volume, money, both (the tighter wins) or neither (hardware cap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Preset {
    /// Volume preset.
    pub volume: Option<Volume>,
    /// Money preset, in the point's currency.
    pub money: Option<Money>,
}

impl Preset {
    /// A volume preset.
    pub fn volume(v: Volume) -> Preset {
        Preset {
            volume: Some(v),
            money: None,
        }
    }

    /// A money preset.
    pub fn money(m: Money) -> Preset {
        Preset {
            volume: None,
            money: Some(m),
        }
    }
}

/// An authorisation request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthoriseRequest {
    /// Who authorises (and owns the resulting sale).
    pub owner: Owner,
    /// The limit.
    pub preset: Preset,
    /// Grade codes allowed; `None` allows every grade of the point.
    pub grades: Option<Vec<String>>,
    /// The sale goes straight to `Locked` by `owner` (prepay) instead of `Payable`.
    pub lock_sale: bool,
}

/// A fault to inject (simulators.md 3.4). The `at` of a scenario fault is the driver's
/// business: it delivers this input at that instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// Go Inoperative now; back online after `for` (never if `None`). A running delivery
    /// ends with reason `fault` and its metered volume is finalised.
    Offline {
        /// Outage length.
        #[serde(rename = "for")]
        duration: Option<Duration>,
    },
    /// Go offline as soon as a delivery reaches `volume` (ATIONet "fault at X ml").
    OfflineAt {
        /// Trigger volume.
        volume: Volume,
        /// Outage length.
        #[serde(rename = "for")]
        duration: Option<Duration>,
    },
    /// The point looks reserved by `owner`; others get `busy`.
    ReservedBy {
        /// The phantom holder.
        owner: Owner,
    },
    /// Every reserve is refused.
    ReserveRefused,
    /// Every authorise is refused.
    AuthoriseRefused,
    /// Hang-ups during a delivery are not seen; `no_flow_timeout` ends it.
    StuckNozzle,
    /// Flow stops for a while (only while flowing); the ramp restarts after.
    FlowStall {
        /// Stall length.
        #[serde(rename = "for")]
        duration: Duration,
    },
    /// The buffer is treated as full: authorise gets `unpaid_limit_reached`.
    UnpaidLimit,
}

/// Which persistent fault to clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// An armed [`Fault::OfflineAt`].
    OfflineAt,
    /// [`Fault::ReservedBy`].
    ReservedBy,
    /// [`Fault::ReserveRefused`].
    ReserveRefused,
    /// [`Fault::AuthoriseRefused`].
    AuthoriseRefused,
    /// [`Fault::StuckNozzle`].
    StuckNozzle,
    /// [`Fault::UnpaidLimit`].
    UnpaidLimit,
}

/// What a fuelling point accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Input {
    /// Fire every deadline due at `now`.
    Timeout,
    /// Operator opens a Closed point.
    Open,
    /// Operator closes an Idle, Calling or Authorised point (the authorisation is cancelled).
    Close,
    /// An Inoperative point comes back (Closed, or Idle if `open_on_recover`).
    Online,
    /// Reserve an Idle point for `owner` (`reserve_timeout`).
    Reserve {
        /// Who reserves.
        owner: Owner,
    },
    /// Give a reservation back.
    Release {
        /// The holder.
        owner: Owner,
    },
    /// Authorise a delivery.
    Authorise(AuthoriseRequest),
    /// Cancel an authorisation not yet lifted.
    Deauthorise {
        /// Who asks; must be the authoriser.
        owner: Owner,
    },
    /// The customer lifts nozzle `nozzle`.
    NozzleLift {
        /// Nozzle number.
        nozzle: u8,
    },
    /// The customer hangs the lifted nozzle up.
    NozzleHang,
    /// Suspend a Started or Fuelling point (flow 0).
    Suspend,
    /// Resume a suspended point (the ramp restarts).
    Resume,
    /// Inject a fault.
    Fault(Fault),
    /// Clear a persistent fault.
    ClearFault(FaultKind),
    /// Payable -> Locked by `owner`.
    LockSale {
        /// Sale sequence number.
        seq: u32,
        /// The payer.
        owner: Owner,
    },
    /// Locked -> Payable, by the locker.
    UnlockSale {
        /// Sale sequence number.
        seq: u32,
        /// The locker.
        owner: Owner,
    },
    /// Locked -> Cleared (paid), by the locker; terminal.
    ClearSale {
        /// Sale sequence number.
        seq: u32,
        /// The locker.
        owner: Owner,
    },
}

/// Why a reservation was refused (ationet.md 4.3 texts in brackets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReserveRefusal {
    /// Not Idle, or reserved by someone else ["Fueling Position in use"].
    Busy,
    /// Inoperative ["Fueling Position inaccessible/offline"].
    Offline,
    /// Closed ["Fueling Position inaccessible/offline"].
    Closed,
    /// Refused by an injected fault.
    Refused,
}

/// How a reservation ended without an authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReservationEnd {
    /// `reserve_timeout` elapsed.
    Timeout,
    /// The holder released it.
    Released,
    /// The point was closed.
    Closed,
    /// The point went offline.
    Fault,
}

/// Why an authorisation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthoriseRefusal {
    /// Not Idle or Calling (already authorised or delivering).
    Busy,
    /// Inoperative.
    Offline,
    /// Closed.
    Closed,
    /// Reserved by another owner.
    ReservedByOther,
    /// None of the allowed grades is on this point ["Product not available on fuel point"].
    GradeNotAvailable,
    /// Calling, and the lifted nozzle's grade is not allowed.
    LiftedGradeNotAllowed,
    /// Payable + Locked sales reached `unpaid_limit`.
    UnpaidLimitReached,
    /// Refused by an injected fault.
    Refused,
}

/// How an authorisation ended before a lift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthEnd {
    /// `auth_timeout` elapsed with no lift (ATIONet `SitePreauthTimeout`).
    Timeout,
    /// The owner deauthorised.
    Deauthorised,
    /// The point was closed.
    Closed,
    /// The point went offline.
    Fault,
}

/// Why a deauthorise was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeauthoriseRefusal {
    /// The nozzle is lifted and the delivery started (ATIONet T28).
    FlowStarted,
    /// Nothing is authorised.
    NotAuthorised,
    /// Authorised by someone else.
    NotOwner,
}

/// What a fuelling point produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Output {
    /// The IFSF state changed.
    StateChanged {
        /// Previous state.
        from: FpState,
        /// New state.
        to: FpState,
    },
    /// Reservation granted (or renewed) until `expires_at`.
    ReserveAccepted {
        /// Holder.
        owner: Owner,
        /// Lapse instant.
        expires_at: Timestamp,
    },
    /// Reservation refused.
    ReserveRefused {
        /// Who asked.
        owner: Owner,
        /// Why.
        reason: ReserveRefusal,
    },
    /// A reservation ended without an authorisation.
    ReservationEnded {
        /// Holder.
        owner: Owner,
        /// How.
        reason: ReservationEnd,
    },
    /// Authorisation accepted.
    Authorised {
        /// Authoriser.
        owner: Owner,
        /// The preset.
        preset: Preset,
        /// Allowed grades (`None` = all).
        grades: Option<Vec<String>>,
    },
    /// Authorisation refused.
    AuthoriseRefused {
        /// Who asked.
        owner: Owner,
        /// Why.
        reason: AuthoriseRefusal,
    },
    /// An authorisation ended before any lift.
    AuthEnded {
        /// Authoriser.
        owner: Owner,
        /// How.
        reason: AuthEnd,
    },
    /// Deauthorise refused.
    DeauthoriseRefused {
        /// Who asked.
        owner: Owner,
        /// Why.
        reason: DeauthoriseRefusal,
    },
    /// A nozzle was lifted (ATIONet `NozzleLifted`).
    NozzleLifted {
        /// Nozzle number.
        nozzle: u8,
        /// Its grade code.
        grade: String,
    },
    /// A nozzle was hung up (ATIONet `NozzleReplaced`).
    NozzleHung {
        /// Nozzle number.
        nozzle: u8,
    },
    /// The lifted nozzle's grade is not allowed; the point stays Authorised.
    GradeNotAllowed {
        /// Nozzle number.
        nozzle: u8,
        /// Its grade code.
        grade: String,
    },
    /// Motor ready, flow begins (ATIONet `BeginFueling`).
    FuellingStarted {
        /// Authoriser.
        owner: Owner,
        /// Nozzle number.
        nozzle: u8,
        /// Grade code.
        grade: String,
        /// Unit price.
        price: Price,
        /// L = min(volume preset, money preset volume, customer target, hardware cap).
        limit: Volume,
    },
    /// Metered so far (ATIONet `Progress(ml, minor)`).
    Progress {
        /// Volume.
        volume: Volume,
        /// amount(volume).
        amount: Money,
    },
    /// Flow stopped exactly on L.
    LimitReached {
        /// Volume (= L).
        volume: Volume,
        /// amount(volume).
        amount: Money,
    },
    /// Flow stalled (fault) until `until`.
    FlowStalled {
        /// Volume at the stall.
        volume: Volume,
        /// When flow resumes.
        until: Timestamp,
    },
    /// The delivery ended (ATIONet `Finalize`); `sale` is the buffered sale, none at 0 ml.
    DeliveryEnd {
        /// Authoriser.
        owner: Owner,
        /// Nozzle number.
        nozzle: u8,
        /// Grade code.
        grade: String,
        /// Final volume.
        volume: Volume,
        /// amount(volume).
        amount: Money,
        /// Why it ended.
        reason: EndReason,
        /// The sale, when volume > 0.
        sale: Option<Box<Sale>>,
    },
    /// A sale was locked.
    SaleLocked {
        /// Sequence number.
        seq: u32,
        /// Locker.
        owner: Owner,
    },
    /// A sale was unlocked.
    SaleUnlocked {
        /// Sequence number.
        seq: u32,
        /// Former locker.
        owner: Owner,
    },
    /// A sale was cleared (paid).
    SaleCleared {
        /// Sequence number.
        seq: u32,
        /// Payer.
        owner: Owner,
    },
    /// A fault was injected.
    FaultRaised(Fault),
    /// A persistent fault was cleared.
    FaultCleared(FaultKind),
}

/// An input the point cannot take now; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reject {
    /// The input is not allowed in this state.
    #[error("`{input}` not allowed in state {state}")]
    NotInState {
        /// The input's name.
        input: &'static str,
        /// The current state.
        state: FpState,
    },
    /// No such nozzle on this point.
    #[error("unknown nozzle {0}")]
    UnknownNozzle(u8),
    /// A nozzle is already lifted.
    #[error("nozzle {0} is already lifted")]
    NozzleAlreadyLifted(u8),
    /// No nozzle is lifted.
    #[error("no nozzle is lifted")]
    NoNozzleLifted,
    /// The preset is zero, negative, in another currency, or allows no grade.
    #[error("bad preset: {0}")]
    BadPreset(&'static str),
    /// `release` by someone who holds no reservation.
    #[error("{0} holds no reservation")]
    NotReserved(Owner),
    /// No such sale.
    #[error("unknown sale {0}")]
    UnknownSale(u32),
    /// The sale is not in a status that allows this.
    #[error("sale {0} does not allow this in its status")]
    SaleStatus(u32),
    /// The sale is locked by someone else.
    #[error("sale {0} is locked by another owner")]
    NotSaleOwner(u32),
    /// `now` is earlier than an instant already processed.
    #[error("time went backwards: {now:?} < {last:?}")]
    TimeWentBackwards {
        /// The input's time.
        now: Timestamp,
        /// The latest instant processed.
        last: Timestamp,
    },
}

impl Input {
    /// A short name for rejects and traces.
    pub fn name(&self) -> &'static str {
        match self {
            Input::Timeout => "timeout",
            Input::Open => "open",
            Input::Close => "close",
            Input::Online => "online",
            Input::Reserve { .. } => "reserve",
            Input::Release { .. } => "release",
            Input::Authorise(_) => "authorise",
            Input::Deauthorise { .. } => "deauthorise",
            Input::NozzleLift { .. } => "nozzle_lift",
            Input::NozzleHang => "nozzle_hang",
            Input::Suspend => "suspend",
            Input::Resume => "resume",
            Input::Fault(_) => "fault",
            Input::ClearFault(_) => "clear_fault",
            Input::LockSale { .. } => "lock_sale",
            Input::UnlockSale { .. } => "unlock_sale",
            Input::ClearSale { .. } => "clear_sale",
        }
    }
}
