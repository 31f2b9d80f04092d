//! State shared by the handlers: the world, the clock, the journal.

use std::sync::{Mutex, MutexGuard};

use payrig_core::journal::JournalEntry;
use payrig_core::Timestamp;
use payrig_world::ationet::AtionetWorld;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::journal::{self, Journal};
use crate::ServerConfig;

/// Everything one server instance holds.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) cfg: ServerConfig,
    pub(crate) clock: Clock,
    world: Mutex<AtionetWorld>,
    journal: Mutex<Journal>,
    pub(crate) wake: Notify,
    seed: Mutex<u64>,
}

impl Shared {
    pub(crate) fn new(cfg: ServerConfig) -> Shared {
        let clock = Clock::new(cfg.clock);
        let world = AtionetWorld::new(cfg.ationet.clone(), cfg.seed, clock.now(), true);
        Shared {
            seed: Mutex::new(cfg.seed),
            cfg,
            clock,
            world: Mutex::new(world),
            journal: Mutex::new(Journal::default()),
            wake: Notify::new(),
        }
    }

    /// Locks the world. A panic while holding the lock must not take the server down with it,
    /// so a poisoned lock is recovered: the world's own invariants are per-call.
    pub(crate) fn world(&self) -> MutexGuard<'_, AtionetWorld> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn journal(&self) -> MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn seed(&self) -> u64 {
        *self.seed.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn set_seed(&self, s: u64) {
        *self.seed.lock().unwrap_or_else(|p| p.into_inner()) = s;
    }

    /// Replaces the world (control reset).
    pub(crate) fn replace_world(&self, w: AtionetWorld) {
        *self.world() = w;
        self.journal().clear();
        self.wake.notify_one();
    }

    /// Moves the world's trace into the journal. Called with the world lock held so journal
    /// order follows world order.
    pub(crate) fn journal_trace(&self, w: &mut AtionetWorld) {
        let events = w.drain_trace();
        if events.is_empty() {
            return;
        }
        let mut j = self.journal();
        for e in events {
            j.push(journal::sim("ationet", e));
        }
    }

    /// Fires due deadlines (wall clock task); returns the next deadline.
    pub(crate) fn tick(&self, now: Timestamp) -> Option<Timestamp> {
        let mut w = self.world();
        w.advance(now);
        self.journal_trace(&mut w);
        w.next_deadline()
    }

    pub(crate) fn journal_entries(&self) -> Vec<JournalEntry> {
        self.journal().all().to_vec()
    }
}
