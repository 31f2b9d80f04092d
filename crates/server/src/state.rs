//! State shared by the handlers: the world, the clock, the journal.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use payrig_core::journal::JournalEntry;
use payrig_core::Timestamp;
use payrig_world::ationet::AtionetWorld;
use payrig_world::tecs::{TecsResponse, TecsWorld};
use tokio::sync::{oneshot, Notify};

use crate::clock::Clock;
use crate::journal::Journal;
use crate::ServerConfig;

/// Everything one server instance holds.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) cfg: ServerConfig,
    pub(crate) clock: Clock,
    world: Mutex<AtionetWorld>,
    tecs: Mutex<TecsWorld>,
    /// makeTransaction calls waiting for their terminal's answer.
    tecs_waiters: Mutex<HashMap<u64, oneshot::Sender<TecsResponse>>>,
    pub(crate) faults: Mutex<crate::faults::FaultRules>,
    journal: Mutex<Journal>,
    pub(crate) wake: Notify,
    /// When the clock task means to wake next (ms since the epoch); 0 while it is ticking.
    /// Requests compare their world's next deadline against it instead of waking the task on
    /// every call.
    clock_wake_at: AtomicU64,
    seed: Mutex<u64>,
}

impl Shared {
    pub(crate) fn new(cfg: ServerConfig, journal: Journal) -> Shared {
        let clock = Clock::new(cfg.clock);
        let world = AtionetWorld::journaled(cfg.ationet.clone(), cfg.seed, clock.now());
        let tecs = TecsWorld::journaled(cfg.tecs.clone(), cfg.seed, clock.now());
        Shared {
            seed: Mutex::new(cfg.seed),
            cfg,
            clock,
            world: Mutex::new(world),
            tecs: Mutex::new(tecs),
            tecs_waiters: Mutex::new(HashMap::new()),
            faults: Mutex::new(crate::faults::FaultRules::default()),
            journal: Mutex::new(journal),
            wake: Notify::new(),
            clock_wake_at: AtomicU64::new(0),
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

    /// Installs the `[[wire_fault]]` rules of a scenario TOML.
    pub(crate) fn install_wire_faults(&self, text: &str) -> Result<usize, String> {
        let rules = crate::faults::rules_from_toml(text)?;
        let n = rules.len();
        let seed = self.seed();
        let mut f = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        for r in rules {
            f.add(r, seed)?;
        }
        Ok(n)
    }

    pub(crate) fn tecs(&self) -> MutexGuard<'_, TecsWorld> {
        self.tecs.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn waiters(&self) -> MutexGuard<'_, HashMap<u64, oneshot::Sender<TecsResponse>>> {
        self.tecs_waiters.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a makeTransaction waiting for exchange `req_id`. Called with the TECS world
    /// locked, so its answer cannot come out before the waiter exists.
    pub(crate) fn tecs_wait(&self, req_id: u64) -> oneshot::Receiver<TecsResponse> {
        let (tx, rx) = oneshot::channel();
        self.waiters().insert(req_id, tx);
        rx
    }

    /// Hands finished TECS exchanges to their waiting HTTP calls; an exchange whose caller is
    /// gone (connection closed) is undeliverable (T9, TEC-S-018). Loops because reporting a
    /// fate can finish another exchange.
    pub(crate) fn tecs_settle(&self, w: &mut TecsWorld, now: Timestamp) {
        loop {
            let done = w.take_responses();
            if done.is_empty() {
                break;
            }
            for r in done {
                let id = r.req_id;
                let waiter = self.waiters().remove(&id);
                let delivered = match waiter {
                    Some(tx) => tx.send(r).is_ok(),
                    None => false,
                };
                if !delivered {
                    w.response_undelivered(now, id);
                }
            }
        }
        self.journal_tecs_trace(w);
    }

    /// Moves the TECS trace into the journal.
    pub(crate) fn journal_tecs_trace(&self, w: &mut TecsWorld) {
        self.journal_events("tecs", w.drain_trace());
    }

    /// Replaces both worlds (control reset). Calls still waiting on the old TECS world get no
    /// answer: their senders are dropped and they answer 504.
    pub(crate) fn replace_worlds(&self, w: AtionetWorld, t: TecsWorld) {
        *self.world() = w;
        *self.tecs() = t;
        self.waiters().clear();
        self.journal().clear();
        *self.faults.lock().unwrap_or_else(|p| p.into_inner()) =
            crate::faults::FaultRules::default();
        self.wake.notify_one();
    }

    /// Moves the world's trace into the journal. Called with the world lock held so journal
    /// order follows world order.
    pub(crate) fn journal_trace(&self, w: &mut AtionetWorld) {
        self.journal_events("ationet", w.drain_trace());
    }

    /// Appends simulation events to the journal, in order.
    pub(crate) fn journal_events(
        &self,
        protocol: &'static str,
        events: Vec<payrig_world::trace::TraceEvent>,
    ) {
        if events.is_empty() {
            return;
        }
        let mut j = self.journal();
        for e in events {
            j.push_sim(protocol, e);
        }
    }

    /// Wakes the clock task if `next` (a world's next deadline after a call) comes before the
    /// task's planned wake-up. A notify is never lost (tokio keeps one permit), and the task
    /// publishes 0 while ticking, so a deadline added during a tick always wakes it again.
    pub(crate) fn nudge_clock(&self, next: Option<Timestamp>) {
        if let Some(t) = next {
            if t.as_millis() < self.clock_wake_at.load(Ordering::SeqCst) {
                self.wake.notify_one();
            }
        }
    }

    /// The clock task is ticking: every nudge must wake it.
    pub(crate) fn clock_ticking(&self) {
        self.clock_wake_at.store(0, Ordering::SeqCst);
    }

    /// The clock task will sleep until `at` unless woken.
    pub(crate) fn clock_sleeps_until(&self, at: Timestamp) {
        self.clock_wake_at.store(at.as_millis(), Ordering::SeqCst);
    }

    /// Fires due deadlines (wall clock task); returns the next deadline.
    pub(crate) fn tick(&self, now: Timestamp) -> Option<Timestamp> {
        let a = {
            let mut w = self.world();
            w.advance(now);
            self.journal_trace(&mut w);
            w.next_deadline()
        };
        let t = {
            let mut w = self.tecs();
            w.advance(now);
            self.tecs_settle(&mut w, now);
            w.next_deadline()
        };
        match (a, t) {
            (Some(a), Some(t)) => Some(a.min(t)),
            (a, t) => a.or(t),
        }
    }

    /// What the health endpoint says of the journal.
    pub(crate) fn journal_stats(&self) -> serde_json::Value {
        let j = self.journal();
        serde_json::json!({
            "next_seq": j.next_seq(),
            "in_memory": j.len(),
            "capacity": j.capacity(),
            "evicted": j.evicted(),
            "sink_errors": j.sink_errors(),
        })
    }

    pub(crate) fn journal_entries(&self) -> Vec<JournalEntry> {
        self.journal().all()
    }
}
