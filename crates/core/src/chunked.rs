//! A vector that grows by whole chunks and never moves what it holds.
//!
//! Worlds and simulators keep one entry per transaction or record for as long as it lives. In
//! a `Vec`, each doubling copies every entry at once, under the served world's lock: an ATIONet
//! server stalled for tens of milliseconds per doubling under load (p99 20-36 ms, against 3 ms
//! with chunks), and the acquirer's record list added about 2 ms to a TECS p99. Chunks are
//! allocated one at a time, so a push costs at most one chunk allocation and never a copy of
//! the older entries.

use std::ops::{Index, IndexMut};

/// Entries per chunk (a power of two).
const CHUNK_BITS: u32 = 12;
const CHUNK: usize = 1 << CHUNK_BITS;

/// Append-only storage indexed like a slice, whose entries never move.
#[derive(Debug, Clone)]
pub struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// Entries held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends at index `len()`.
    pub fn push(&mut self, v: T) {
        if self.len % CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(last) = self.chunks.last_mut() {
            last.push(v);
            self.len += 1;
        }
    }

    /// The entry at `i`, if any.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> CHUNK_BITS)?.get(i & (CHUNK - 1))
    }

    /// The entry at `i`, mutably, if any.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks
            .get_mut(i >> CHUNK_BITS)?
            .get_mut(i & (CHUNK - 1))
    }
}

impl<T> Chunked<T> {
    /// Every entry, in index order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flatten()
    }
}

impl<'a, T> IntoIterator for &'a Chunked<T> {
    type Item = &'a T;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<T>>>;
    fn into_iter(self) -> Self::IntoIter {
        self.chunks.iter().flatten()
    }
}

impl<T> Index<usize> for Chunked<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }
}

impl<T> IndexMut<usize> for Chunked<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_like_a_vec_across_chunks_and_never_moves_entries() {
        let mut c = Chunked::default();
        let mut v = Vec::new();
        assert!(c.is_empty());
        let n = 3 * CHUNK + 5;
        for i in 0..n {
            c.push(i * 7);
            v.push(i * 7);
        }
        let first: *const usize = &c[0];
        c.push(0);
        v.push(0);
        assert_eq!(
            first, &c[0] as *const usize,
            "older entries stay where they were"
        );
        assert_eq!(c.len(), v.len());
        for (i, want) in v.iter().enumerate() {
            assert_eq!(c[i], *want);
            assert_eq!(c.get(i), Some(want));
        }
        assert_eq!(c.get(v.len()), None);
        *c.get_mut(CHUNK).unwrap() = 1;
        c[CHUNK + 1] = 2;
        assert_eq!((c[CHUNK], c[CHUNK + 1]), (1, 2));
        assert!(c.get_mut(v.len()).is_none());
        (v[CHUNK], v[CHUNK + 1]) = (1, 2);
        assert!(c.iter().eq(v.iter()));
        assert!((&c).into_iter().eq(v.iter()));
    }
}
