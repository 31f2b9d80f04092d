//! A vector that grows by whole chunks and never moves what it holds.
//!
//! A world keeps one entry per transaction for as long as it lives. In a `Vec`, each doubling
//! copies every transaction at once under the world's lock: a served ATIONet world stalled for
//! tens of milliseconds per doubling under load (p99 20-36 ms, against 3-5 ms with the storage
//! reserved up front). Chunks are allocated one at a time, so a push costs at most one chunk
//! allocation and never a copy of the older entries.

use std::ops::{Index, IndexMut};

/// Entries per chunk (a power of two).
const CHUNK_BITS: u32 = 12;
const CHUNK: usize = 1 << CHUNK_BITS;

/// Append-only storage indexed like a slice.
#[derive(Debug, Clone)]
pub(crate) struct Chunked<T> {
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
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn push(&mut self, v: T) {
        if self.len % CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(last) = self.chunks.last_mut() {
            last.push(v);
            self.len += 1;
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> CHUNK_BITS)?.get(i & (CHUNK - 1))
    }

    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks
            .get_mut(i >> CHUNK_BITS)?
            .get_mut(i & (CHUNK - 1))
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
    }
}
