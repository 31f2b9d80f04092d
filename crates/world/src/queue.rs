//! The event queue: a min-heap of deadlines with lazy invalidation.
//!
//! Entities (transactions, pumps, the PFEP) change their next deadline often; instead of
//! removing stale heap entries, the world pushes the new one and skips popped entries whose
//! time no longer matches the entity's live entry. Ties break by insertion order, so a run is
//! deterministic.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use payrig_core::Timestamp;
use rustc_hash::FxHashMap;

/// A deterministic timer queue keyed by `K`.
///
/// Entries are grouped by instant: a min-heap holds each distinct instant once and a FIFO per
/// instant holds its keys in insertion order, which is exactly the (time, insertion) order of
/// one heap of entries. Worlds schedule many entries at the same instant (every pump that
/// started together samples `Progress` together), so most pushes and pops touch a FIFO, not
/// the heap, and the heap stays as small as the number of distinct instants.
#[derive(Debug, Clone)]
pub struct TimerQueue<K> {
    times: BinaryHeap<Reverse<Timestamp>>,
    buckets: FxHashMap<Timestamp, VecDeque<K>>,
    /// Emptied FIFOs kept for reuse, so a new instant does not allocate.
    spare: Vec<VecDeque<K>>,
    len: usize,
}

impl<K> Default for TimerQueue<K> {
    fn default() -> Self {
        TimerQueue {
            times: BinaryHeap::new(),
            buckets: FxHashMap::default(),
            spare: Vec::new(),
            len: 0,
        }
    }
}

impl<K: Copy> TimerQueue<K> {
    /// Schedules `key` at `at`.
    pub fn push(&mut self, at: Timestamp, key: K) {
        self.len += 1;
        if let Some(q) = self.buckets.get_mut(&at) {
            q.push_back(key);
            return;
        }
        let mut q = self.spare.pop().unwrap_or_default();
        q.push_back(key);
        self.buckets.insert(at, q);
        self.times.push(Reverse(at));
    }

    /// The earliest scheduled time (possibly stale).
    pub fn peek(&self) -> Option<Timestamp> {
        self.times.peek().map(|Reverse(at)| *at)
    }

    /// The earliest entry without removing it.
    pub fn head(&self) -> Option<(Timestamp, K)> {
        let at = self.peek()?;
        let key = self.buckets.get(&at).and_then(|q| q.front().copied())?;
        Some((at, key))
    }

    /// Pops the earliest entry if it is due at `now`.
    pub fn pop_due(&mut self, now: Timestamp) -> Option<(Timestamp, K)> {
        match self.peek() {
            Some(at) if at <= now => self.pop(),
            _ => None,
        }
    }

    /// Pops the earliest entry whatever its time.
    pub fn pop(&mut self) -> Option<(Timestamp, K)> {
        let at = self.peek()?;
        // A listed instant always has a non-empty FIFO: the last pop of one removes both.
        let q = self.buckets.get_mut(&at)?;
        let key = q.pop_front()?;
        if q.is_empty() {
            self.times.pop();
            if let Some(q) = self.buckets.remove(&at) {
                self.spare.push(q);
            }
        }
        self.len -= 1;
        Some((at, key))
    }

    /// Entries held (stale ones included).
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Drops every entry.
    pub fn clear(&mut self) {
        self.times.clear();
        for (_, mut q) in self.buckets.drain() {
            q.clear();
            self.spare.push(q);
        }
        self.len = 0;
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

    proptest::proptest! {
        /// Same order as one heap of (time, insertion number) entries, with pops and
        /// pushes interleaved.
        #[test]
        fn pops_in_time_then_insertion_order_like_one_heap(
            ops in proptest::collection::vec((0u64..20, proptest::bool::ANY), 0..200),
        ) {
            let mut q = TimerQueue::default();
            let mut reference: BinaryHeap<Reverse<(Timestamp, u64)>> = BinaryHeap::new();
            for (n, (at, pop)) in (0u64..).zip(ops) {
                if pop {
                    let want = reference.pop().map(|Reverse((t, k))| (t, k));
                    proptest::prop_assert_eq!(q.head(), want);
                    proptest::prop_assert_eq!(q.pop(), want);
                } else {
                    q.push(Timestamp(at), n);
                    reference.push(Reverse((Timestamp(at), n)));
                }
                proptest::prop_assert_eq!(q.len(), reference.len());
            }
            while let Some(Reverse((t, k))) = reference.pop() {
                proptest::prop_assert_eq!(q.pop(), Some((t, k)));
            }
            proptest::prop_assert!(q.is_empty());
            proptest::prop_assert_eq!(q.pop(), None);
        }
    }

    #[test]
    fn clear_empties_and_the_queue_works_after() {
        let mut q = TimerQueue::default();
        q.push(Timestamp(3), 'a');
        q.push(Timestamp(3), 'b');
        q.push(Timestamp(1), 'c');
        q.clear();
        assert!(q.is_empty());
        assert_eq!(q.head(), None);
        q.push(Timestamp(3), 'd');
        assert_eq!(q.pop(), Some((Timestamp(3), 'd')));
        assert_eq!(q.len(), 0);
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
