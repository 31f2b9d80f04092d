//! The two clocks: wall time, or virtual time moved by the control API.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use payrig_core::Timestamp;

use crate::state::Shared;

/// Which clock drives the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClockMode {
    /// Real time: deadlines fire as they come due.
    #[default]
    Wall,
    /// Virtual time, starting at 2026-01-15T09:00:00Z; only `POST /clock/advance` moves it.
    Virtual,
}

/// Where virtual clocks start.
pub(crate) const VIRTUAL_START: Timestamp = Timestamp(1_768_467_600_000);

/// The clock of one server.
#[derive(Debug)]
pub(crate) struct Clock {
    mode: ClockMode,
    virtual_now: AtomicU64,
}

impl Clock {
    pub(crate) fn new(mode: ClockMode) -> Clock {
        Clock {
            mode,
            virtual_now: AtomicU64::new(VIRTUAL_START.as_millis()),
        }
    }

    pub(crate) fn mode(&self) -> ClockMode {
        self.mode
    }

    pub(crate) fn now(&self) -> Timestamp {
        match self.mode {
            ClockMode::Wall => wall_now(),
            ClockMode::Virtual => Timestamp(self.virtual_now.load(Ordering::SeqCst)),
        }
    }

    /// Moves virtual time forward (never back).
    pub(crate) fn set_virtual(&self, t: Timestamp) {
        self.virtual_now.fetch_max(t.as_millis(), Ordering::SeqCst);
    }

    /// Restarts virtual time (reset).
    pub(crate) fn restart_virtual(&self) {
        self.virtual_now
            .store(VIRTUAL_START.as_millis(), Ordering::SeqCst);
    }
}

pub(crate) fn wall_now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Fires world deadlines on the wall clock; idle on a virtual clock.
pub(crate) async fn drive(shared: Arc<Shared>, mut stop: tokio::sync::watch::Receiver<bool>) {
    if shared.clock.mode() != ClockMode::Wall {
        let _ = stop.changed().await;
        return;
    }
    loop {
        shared.clock_ticking();
        let now = shared.clock.now();
        let next = shared.tick(now);
        // Sleep to the next deadline, at most 1 s, or until a request adds an earlier one.
        let wait_ms = next
            .map(|t| t.as_millis().saturating_sub(now.as_millis()))
            .unwrap_or(1000)
            .clamp(1, 1000);
        shared.clock_sleeps_until(Timestamp(now.as_millis() + wait_ms));
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(wait_ms)) => {}
            _ = shared.wake.notified() => {}
            r = stop.changed() => { if r.is_err() || *stop.borrow() { return; } }
        }
    }
}
