//! payrig-pump: a fuelling-point simulator (IFSF-like), pure and seeded.
//!
//! What it is: one [`FuelPoint`] per pump, a sans-IO state machine with the IFSF `FP_State`
//! set ([`FpState`], ids 1-9), reservations, authorisations with volume and money presets,
//! exact prices ([`Price`], thousandths of a minor unit per litre), a flow model in which the
//! volume is a pure function of elapsed milliseconds ([`flow`]), an optional scripted customer
//! ([`CustomerScript`]), faults ([`Fault`]), a transaction buffer ([`Sale`]) and grade meters.
//! Specs: `shared/protocols/simulators.md` sections 1, 3 and 6; `ationet.md` 4.3, 4.4 and 7.
//!
//! What it is not: it owns no clock, thread, socket or global randomness; it speaks no wire
//! protocol (the ATIONet site model in payrig-world turns its [`Output`]s into `NozzleLifted`,
//! `BeginFueling`, `Progress`, `Finalize`, ...), and it never uses floating point: money is
//! integer minor units, volume integer millilitres.
//!
//! Driving loop (the [`payrig_core::Machine`] contract):
//!
//! ```text
//! let rng = payrig_core::rng::stream_rng(seed, "pump/1");
//! let mut fp = FuelPoint::new(config, rng)?;
//! loop {
//!     // an input (control API, site, fault schedule) at `now`, or Input::Timeout when
//!     // now >= fp.poll_timeout(); overdue deadlines fire first, at their own instants
//!     fp.handle_input(now, input)?;
//!     while let Some((at, out)) = fp.poll_timed_output() { /* route, trace::output_line */ }
//!     next_wake = fp.poll_timeout();
//! }
//! ```
//!
//! Deadlines only sample the flow: `Progress` every `progress_interval`, `LimitReached` at the
//! exact millisecond the curve reaches L, so another sampling step gives the same volumes,
//! amounts and states (SIM-G-01).

pub mod buffer;
pub mod config;
pub mod customer;
pub mod event;
pub mod flow;
pub mod machine;
pub mod price;
pub mod trace;

mod delivery;
#[cfg(test)]
mod props;

use std::fmt;

use serde::{Serialize, Serializer};

pub use buffer::{EndReason, GradeMeter, Sale, SaleStatus};
pub use config::{ConfigError, FuelPointConfig, Grade, GradeSpec, InitialState, NozzleConfig};
pub use customer::{CustomerScript, Target};
pub use event::{
    AuthEnd, AuthoriseRefusal, AuthoriseRequest, DeauthoriseRefusal, Fault, FaultKind, Input,
    Output, Preset, Reject, ReservationEnd, ReserveRefusal,
};
pub use flow::{FlowProfile, FlowRate, Segment};
pub use machine::FuelPoint;
pub use price::{Price, PriceError};

/// Who holds a reservation, an authorisation or a sale lock (`"ationet/1524"`, `"pos/1"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Owner(pub String);

impl From<&str> for Owner {
    fn from(s: &str) -> Owner {
        Owner(s.to_owned())
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// IFSF-like fuelling-point state (simulators.md 3.1), with the standard's ids.
///
/// ```text
///  Inoperative(1) --online--> Closed(2) --open--> Idle(3) <--hang-- Calling(4)
///        ^ fault{offline}, from any          |  \--lift------------>  |
///        |                                authorise                authorise
///        |                                   v                        v
///        |                            Authorised(5) --lift--> Started(6) <--resume-- Suspended_Started(7)
///        |                              | timeout,              | motor ready        --suspend-->
///        |                              v deauthorise           v
///        |                            Idle                  Fuelling(8) <--resume-- Suspended_Fuelling(9)
///        |                                                      | hang, no_flow_timeout --suspend-->
///        |                                                      v
///        |                                                    Idle (sale buffered)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FpState {
    /// 1: out of order (offline fault).
    Inoperative,
    /// 2: closed by the operator.
    Closed,
    /// 3: ready; may be reserved.
    Idle,
    /// 4: nozzle lifted, not authorised.
    Calling,
    /// 5: authorised, nozzle not lifted yet.
    Authorised,
    /// 6: authorised and lifted, motor starting, no flow yet.
    Started,
    /// 7: Started, suspended.
    SuspendedStarted,
    /// 8: delivering (flow may be 0 after the limit or in a stall).
    Fuelling,
    /// 9: Fuelling, suspended; flow 0.
    SuspendedFuelling,
}

impl FpState {
    /// The IFSF `FP_State` id, 1-9.
    pub fn id(self) -> u8 {
        match self {
            FpState::Inoperative => 1,
            FpState::Closed => 2,
            FpState::Idle => 3,
            FpState::Calling => 4,
            FpState::Authorised => 5,
            FpState::Started => 6,
            FpState::SuspendedStarted => 7,
            FpState::Fuelling => 8,
            FpState::SuspendedFuelling => 9,
        }
    }

    /// The IFSF spelling (`"Suspended_Fuelling"`).
    pub fn name(self) -> &'static str {
        match self {
            FpState::Inoperative => "Inoperative",
            FpState::Closed => "Closed",
            FpState::Idle => "Idle",
            FpState::Calling => "Calling",
            FpState::Authorised => "Authorised",
            FpState::Started => "Started",
            FpState::SuspendedStarted => "Suspended_Started",
            FpState::Fuelling => "Fuelling",
            FpState::SuspendedFuelling => "Suspended_Fuelling",
        }
    }
}

impl fmt::Display for FpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.id())
    }
}

/// Traces carry both the id and the name: `{"id":8,"name":"Fuelling"}`.
impl Serialize for FpState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FpState", 2)?;
        st.serialize_field("id", &self.id())?;
        st.serialize_field("name", self.name())?;
        st.end()
    }
}
