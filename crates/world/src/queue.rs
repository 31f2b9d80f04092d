//! The event queue: a min-heap of deadlines with lazy invalidation.
//!
//! Entities (transactions, pumps, the PFEP) change their next deadline often; instead of
//! removing stale heap entries, the world pushes the new one and skips popped entries whose
//! time no longer matches the entity's `poll_timeout()`. Ties break by insertion order, so a
//! run is deterministic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use payrig_core::Timestamp;

/// A deterministic timer queue keyed by `K`.
#[derive(Debug, Clone)]
pub struct TimerQueue<K: Ord> {
    heap: BinaryHeap<Reverse<(Timestamp, u64, K)>>,
    seq: u64,
}

impl<K: Ord> Default for TimerQueue<K> {
    fn default() -> Self {
        TimerQueue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<K: Ord + Copy> TimerQueue<K> {
    /// Schedules `key` at `at`.
    pub fn push(&mut self, at: Timestamp, key: K) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, key)));
    }

    /// The earliest scheduled time (possibly stale).
    pub fn peek(&self) -> Option<Timestamp> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// The earliest entry without removing it.
    pub fn head(&self) -> Option<(Timestamp, K)> {
        self.heap.peek().map(|Reverse((at, _, k))| (*at, *k))
    }

    /// Pops the earliest entry if it is due at `now`.
    pub fn pop_due(&mut self, now: Timestamp) -> Option<(Timestamp, K)> {
        match self.heap.peek() {
            Some(Reverse((at, _, _))) if *at <= now => {
                self.heap.pop().map(|Reverse((at, _, k))| (at, k))
            }
            _ => None,
        }
    }

    /// Pops the earliest entry whatever its time.
    pub fn pop(&mut self) -> Option<(Timestamp, K)> {
        self.heap.pop().map(|Reverse((at, _, k))| (at, k))
    }

    /// Entries held (stale ones included).
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Drops every entry.
    pub fn clear(&mut self) {
        self.heap.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = TimerQueue::default();
        q.push(Timestamp(5), 'b');
        q.push(Timestamp(1), 'a');
        q.push(Timestamp(5), 'c');
        assert_eq!(q.pop_due(Timestamp(0)), None);
        assert_eq!(q.pop_due(Timestamp(10)), Some((Timestamp(1), 'a')));
        assert_eq!(q.pop_due(Timestamp(10)), Some((Timestamp(5), 'b')));
        assert_eq!(q.pop_due(Timestamp(10)), Some((Timestamp(5), 'c')));
        assert!(q.is_empty());
    }
}
