//! One authorisation and the delivery it runs: the data carried by the Authorised, Started,
//! Suspended_* and Fuelling states, and the flow bookkeeping that samples [`crate::flow`].

use payrig_core::{Duration, Timestamp, Volume};

use crate::config::Grade;
use crate::event::Preset;
use crate::flow::{FlowProfile, Segment};
use crate::Owner;

/// An accepted authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Auth {
    pub(crate) owner: Owner,
    pub(crate) preset: Preset,
    pub(crate) grades: Option<Vec<String>>,
    pub(crate) lock_sale: bool,
}

impl Auth {
    pub(crate) fn allows(&self, grade: &str) -> bool {
        self.grades
            .as_ref()
            .is_none_or(|g| g.iter().any(|c| c == grade))
    }
}

/// Data of the Authorised state: its deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Authorised {
    pub(crate) auth: Auth,
    /// `auth_timeout` instant, if on.
    pub(crate) expires_at: Option<Timestamp>,
    /// The scripted customer's lift.
    pub(crate) lift_at: Option<Timestamp>,
    /// The scripted customer hangs a refused nozzle back up.
    pub(crate) hang_at: Option<Timestamp>,
}

/// A delivery from the authorised lift to the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delivery {
    pub(crate) auth: Auth,
    pub(crate) nozzle: u8,
    pub(crate) grade: Grade,
    /// L (simulators.md 3.2).
    pub(crate) limit: Volume,
    pub(crate) started_at: Timestamp,
    /// Volume metered when no segment runs.
    volume: Volume,
    /// The running flow segment and its start.
    segment: Option<(Timestamp, Segment)>,
    next_progress: Option<Timestamp>,
    /// Flow stopped on L; it never restarts in this delivery.
    pub(crate) at_limit: bool,
    pub(crate) stall_until: Option<Timestamp>,
    pub(crate) no_flow_at: Option<Timestamp>,
    /// The scripted customer's hang-up after flow stopped.
    pub(crate) hang_at: Option<Timestamp>,
    /// The scripted early hang-up (`hang_up_at`) has been attempted.
    pub(crate) early_hang_done: bool,
}

impl Delivery {
    pub(crate) fn new(
        auth: Auth,
        nozzle: u8,
        grade: Grade,
        limit: Volume,
        started_at: Timestamp,
    ) -> Delivery {
        Delivery {
            auth,
            nozzle,
            grade,
            limit,
            started_at,
            volume: Volume::ZERO,
            segment: None,
            next_progress: None,
            at_limit: false,
            stall_until: None,
            no_flow_at: None,
            hang_at: None,
            early_hang_done: false,
        }
    }

    /// Volume at `t`: sampled from the running segment, else the frozen value (SIM-P-02:
    /// never decreases, because segments start from the frozen value).
    pub(crate) fn metered(&self, t: Timestamp) -> Volume {
        match &self.segment {
            Some((start, seg)) => seg.volume_at(t.since(*start).as_millis()),
            None => self.volume,
        }
    }

    /// True while a segment runs (flow > 0 only then, and only in Fuelling).
    pub(crate) fn flowing(&self) -> bool {
        self.segment.is_some()
    }

    /// Starts a segment at `t` unless stalled or already on L; the ramp restarts.
    pub(crate) fn start_flow(&mut self, t: Timestamp, profile: &FlowProfile, progress: Duration) {
        if self.at_limit || self.stall_until.is_some() || self.segment.is_some() {
            return;
        }
        self.segment = Some((t, profile.segment(self.volume, self.limit)));
        self.next_progress = Some(t + progress);
        self.no_flow_at = None;
    }

    /// Stops flow at `t`, keeping what was metered, and arms `no_flow_timeout` if not armed.
    pub(crate) fn stop_flow(&mut self, t: Timestamp, no_flow_timeout: Duration) {
        self.volume = self.metered(t);
        self.segment = None;
        self.next_progress = None;
        if self.no_flow_at.is_none() {
            self.no_flow_at = Some(t + no_flow_timeout);
        }
    }

    /// When the running segment stops exactly on L.
    pub(crate) fn limit_at(&self) -> Option<Timestamp> {
        let (start, seg) = self.segment.as_ref()?;
        seg.elapsed_to_limit().map(|ms| *start + Duration(ms))
    }

    /// When the running segment reaches `v` (`None` if it never does in this segment).
    pub(crate) fn reach_at(&self, v: Volume) -> Option<Timestamp> {
        let (start, seg) = self.segment.as_ref()?;
        seg.elapsed_to_reach(v).map(|ms| *start + Duration(ms))
    }

    pub(crate) fn next_progress(&self) -> Option<Timestamp> {
        self.next_progress
    }

    /// Moves the progress deadline one period on.
    pub(crate) fn progress_done(&mut self, t: Timestamp, period: Duration) {
        if self.segment.is_some() {
            self.next_progress = Some(t + period);
        }
    }
}
