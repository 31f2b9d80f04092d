//! An id index that stores only transaction indices: the ids themselves live once, in the
//! transactions. With a million live transactions this saves a second copy of every id (a
//! `String` plus its heap block) compared with a `HashMap<String, u32>`.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use super::TxIdx;

/// Maps a string key (held elsewhere) to a transaction index.
///
/// Each slot keeps its key's hash beside the index, so a resize rehashes from the table
/// alone. Recomputing the hashes would read every transaction's id, a cache miss each: a stall
/// of tens of milliseconds under the world's lock once a server holds a few hundred thousand.
#[derive(Default)]
pub(crate) struct IdIndex {
    table: HashTable<(u64, TxIdx)>,
    hasher: FxBuildHasher,
}

impl std::fmt::Debug for IdIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdIndex")
            .field("len", &self.table.len())
            .finish()
    }
}

impl IdIndex {
    /// The index whose key (`key_of(index)`) equals `key`.
    pub(crate) fn get<'a>(&self, key: &str, key_of: impl Fn(TxIdx) -> &'a str) -> Option<TxIdx> {
        let h = self.hasher.hash_one(key);
        self.table
            .find(h, |&(eh, i)| eh == h && key_of(i) == key)
            .map(|&(_, i)| i)
    }

    /// Forgets `key`; true when it was there.
    pub(crate) fn remove<'a>(&mut self, key: &str, key_of: impl Fn(TxIdx) -> &'a str) -> bool {
        let h = self.hasher.hash_one(key);
        match self
            .table
            .find_entry(h, |&(eh, i)| eh == h && key_of(i) == key)
        {
            Ok(e) => {
                e.remove();
                true
            }
            Err(_) => false,
        }
    }

    /// Adds `idx` under `key`; the caller has checked the key is new.
    pub(crate) fn insert(&mut self, key: &str, idx: TxIdx) {
        let h = self.hasher.hash_one(key);
        self.table.insert_unique(h, (h, idx), |&(eh, _)| eh);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted() {
        let keys: Vec<String> = (0..1000).map(|i| format!("k-{i}")).collect();
        let mut ix = IdIndex::default();
        for (i, k) in keys.iter().enumerate() {
            ix.insert(k, i as TxIdx);
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(ix.get(k, |j| &keys[j as usize]), Some(i as TxIdx));
        }
        assert_eq!(ix.get("nope", |j| &keys[j as usize]), None);
        assert!(ix.remove("k-7", |j| &keys[j as usize]));
        assert!(!ix.remove("k-7", |j| &keys[j as usize]));
        assert_eq!(ix.get("k-7", |j| &keys[j as usize]), None);
        assert_eq!(ix.get("k-8", |j| &keys[j as usize]), Some(8));
    }
}
