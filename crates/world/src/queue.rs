//! The event queue: a min-heap of deadlines with lazy invalidation.
//!
//! Entities (transactions, pumps, the PFEP) change their next deadline often; instead of
//! removing stale heap entries, the world pushes the new one and skips popped entries whose
//! time no longer matches the entity's live entry. Ties break by insertion order, so a run is
//! deterministic.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use payrig_core::Timestamp;

/// A heap entry. `rank` packs the time (high 64 bits) and the insertion number (low 64
/// bits), so ordering is one `u128` comparison and never looks at the key; reversed, so the
/// std max-heap pops the earliest entry first.
#[derive(Debug, Clone)]
struct Entry<K> {
    rank: u128,
    key: K,
}

impl<K> Entry<K> {
    fn at(&self) -> Timestamp {
        // The high half is the time by construction.
        Timestamp((self.rank >> 64) as u64)
    }
}

impl<K> PartialEq for Entry<K> {
    fn eq(&self, other: &Self) -> bool {
        self.rank == other.rank
    }
}

impl<K> Eq for Entry<K> {}

impl<K> PartialOrd for Entry<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> Ord for Entry<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.rank.cmp(&self.rank)
    }
}

/// A deterministic timer queue keyed by `K`.
#[derive(Debug, Clone)]
pub struct TimerQueue<K> {
    heap: BinaryHeap<Entry<K>>,
    seq: u64,
}

impl<K> Default for TimerQueue<K> {
    fn default() -> Self {
        TimerQueue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<K: Copy> TimerQueue<K> {
    /// Schedules `key` at `at`.
    pub fn push(&mut self, at: Timestamp, key: K) {
        self.seq += 1;
        let rank = (u128::from(at.0) << 64) | u128::from(self.seq);
        self.heap.push(Entry { rank, key });
    }

    /// The earliest scheduled time (possibly stale).
    pub fn peek(&self) -> Option<Timestamp> {
        self.heap.peek().map(Entry::at)
    }

    /// The earliest entry without removing it.
    pub fn head(&self) -> Option<(Timestamp, K)> {
        self.heap.peek().map(|e| (e.at(), e.key))
    }

    /// Pops the earliest entry if it is due at `now`.
    pub fn pop_due(&mut self, now: Timestamp) -> Option<(Timestamp, K)> {
        match self.heap.peek() {
            Some(e) if e.at() <= now => self.pop(),
            _ => None,
        }
    }

    /// Pops the earliest entry whatever its time.
    pub fn pop(&mut self) -> Option<(Timestamp, K)> {
        self.heap.pop().map(|e| (e.at(), e.key))
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

    #[test]
    fn extreme_times_keep_their_order() {
        let mut q = TimerQueue::default();
        q.push(Timestamp(u64::MAX), 'z');
        q.push(Timestamp(0), 'a');
        q.push(Timestamp(u64::MAX), 'y');
        assert_eq!(q.head(), Some((Timestamp(0), 'a')));
        assert_eq!(q.pop(), Some((Timestamp(0), 'a')));
        assert_eq!(q.pop(), Some((Timestamp(u64::MAX), 'z')));
        assert_eq!(q.pop(), Some((Timestamp(u64::MAX), 'y')));
        assert_eq!(q.pop(), None);
    }
}
