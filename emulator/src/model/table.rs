//! Maps and logs that remember what changed, so the data directory gets every change and only
//! the changes ([`crate::model::store`]).
//!
//! A [`Table`] reads like a `BTreeMap<String, V>` (it derefs to one) but gives no `&mut` access
//! except through its own methods, each of which marks the keys it touches. Code that changes a
//! record therefore cannot forget to say so: there is no other way to get at it. When the state
//! lock is released the store writes the marked records, and clears the marks once they are
//! committed.
//!
//! A table may keep an [`Index`] of its records (the users' emails, phone numbers, subs and names:
//! `model::users`), updated by the same methods: at once when a record is inserted, restored or
//! removed, and for a record handed out by `get_mut` or `values_mut`, at the table's next change
//! (until then [`Table::index`] names it as stale, and a lookup checks its record itself).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;

/// An index of a table's records, kept in step by the table.
pub(crate) trait Index<V>: Default {
    /// Whether there is anything to keep in step (`false` for [`NoIndex`]).
    const ACTIVE: bool = true;
    /// Indexes the record under `key`, which has no entries.
    fn add(&mut self, key: &str, value: &V);
    /// Forgets the entries of the record under `key`, if any.
    fn remove(&mut self, key: &str);
}

/// No index: the tables that are only read by key.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NoIndex;

impl<V> Index<V> for NoIndex {
    const ACTIVE: bool = false;
    fn add(&mut self, _: &str, _: &V) {}
    fn remove(&mut self, _: &str) {}
}

/// Which records the index may not describe as they are now.
#[derive(Debug, Clone, Default)]
enum Stale {
    /// None: the index is up to date.
    #[default]
    None,
    /// The record of this key (handed out by `get_mut`).
    Key(String),
    /// Every record (handed out by `values_mut`).
    All,
}

/// A map from a string key to records, stored one row per record.
pub(crate) struct Table<V, X = NoIndex> {
    rows: BTreeMap<String, V>,
    /// Keys changed since the last commit: `true` when the record was inserted or removed
    /// (replaced as a whole), `false` when it was changed in place.
    dirty: BTreeMap<String, bool>,
    index: X,
    /// The records changed in place since the index was last brought up to date.
    stale: Stale,
}

impl<V, X: Default> Default for Table<V, X> {
    fn default() -> Self {
        Self {
            rows: BTreeMap::new(),
            dirty: BTreeMap::new(),
            index: X::default(),
            stale: Stale::None,
        }
    }
}

/// A copy of the records and their index, with no marks (the copy has nothing to write yet).
impl<V: Clone, X: Clone> Clone for Table<V, X> {
    fn clone(&self) -> Self {
        Self {
            rows: self.rows.clone(),
            dirty: BTreeMap::new(),
            index: self.index.clone(),
            stale: self.stale.clone(),
        }
    }
}

impl<V: fmt::Debug, X> fmt::Debug for Table<V, X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.rows.fmt(f)
    }
}

impl<V, X> Deref for Table<V, X> {
    type Target = BTreeMap<String, V>;

    fn deref(&self) -> &Self::Target {
        &self.rows
    }
}

impl<'a, V, X> IntoIterator for &'a Table<V, X> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::collections::btree_map::Iter<'a, String, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

impl<V, X: Index<V>> Table<V, X> {
    /// The index, and the keys of the records it may not describe as they are now (a lookup
    /// checks their records itself); `None`: it describes none of them (a lookup scans every
    /// record).
    pub(crate) fn index(&self) -> Option<(&X, Option<&str>)> {
        match &self.stale {
            Stale::None => Some((&self.index, None)),
            Stale::Key(key) => Some((&self.index, Some(key))),
            Stale::All => None,
        }
    }

    /// Brings the index up to date with the records changed in place; every other way to change
    /// a record updates it at once.
    fn reindex(&mut self) {
        if !X::ACTIVE {
            return;
        }
        match std::mem::take(&mut self.stale) {
            Stale::None => {}
            Stale::Key(key) => {
                self.index.remove(&key);
                if let Some(value) = self.rows.get(&key) {
                    self.index.add(&key, value);
                }
            }
            Stale::All => {
                self.index = X::default();
                for (key, value) in &self.rows {
                    self.index.add(key, value);
                }
            }
        }
    }

    /// Puts back a record read from the store: nothing to write.
    pub(crate) fn restore(&mut self, key: String, value: V) {
        self.reindex();
        self.index.remove(&key);
        self.index.add(&key, &value);
        self.rows.insert(key, value);
    }

    /// Inserts or replaces a record.
    pub(crate) fn insert(&mut self, key: String, value: V) -> Option<V> {
        self.reindex();
        self.index.remove(&key);
        self.index.add(&key, &value);
        self.dirty.insert(key.clone(), true);
        self.rows.insert(key, value)
    }

    /// A record to change.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.reindex();
        let value = self.rows.get_mut(key)?;
        if !self.dirty.contains_key(key) {
            self.dirty.insert(key.to_owned(), false);
        }
        if X::ACTIVE {
            self.stale = Stale::Key(key.to_owned());
        }
        Some(value)
    }

    /// Removes a record.
    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        self.reindex();
        let value = self.rows.remove(key)?;
        self.index.remove(key);
        self.dirty.insert(key.to_owned(), true);
        Some(value)
    }

    /// Keeps the records for which `keep` is true (it sees them, it cannot change them).
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&str, &V) -> bool) {
        self.reindex();
        let dirty = &mut self.dirty;
        let index = &mut self.index;
        self.rows.retain(|k, v| {
            let kept = keep(k, v);
            if !kept {
                index.remove(k);
                dirty.insert(k.clone(), true);
            }
            kept
        });
    }

    /// Marks every record as changed, so that the next commit writes them all (a table put
    /// back as a whole by a reset).
    pub(crate) fn mark_all(&mut self) {
        for k in self.rows.keys() {
            if !self.dirty.contains_key(k) {
                self.dirty.insert(k.clone(), false);
            }
        }
    }

    /// Every record, to change: all of them are marked.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.mark_all();
        if X::ACTIVE {
            self.stale = Stale::All;
        }
        self.rows.values_mut()
    }

    /// Whether any record changed since the last commit.
    pub(crate) fn is_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// The changed keys, each with its record (`None`: removed) and whether it was replaced
    /// as a whole (inserted or removed) rather than changed in place.
    pub(crate) fn changes(&self) -> impl Iterator<Item = (&str, Option<&V>, bool)> {
        self.dirty
            .iter()
            .map(|(k, replaced)| (k.as_str(), self.rows.get(k), *replaced))
    }

    /// The changed records that are there, to write their own tables too (see
    /// [`crate::model::store`]).
    pub(crate) fn changed_mut(&mut self) -> impl Iterator<Item = (&String, &mut V)> {
        if X::ACTIVE {
            self.stale = Stale::All;
        }
        let dirty = &self.dirty;
        self.rows
            .iter_mut()
            .filter(|(k, _)| dirty.contains_key(k.as_str()))
    }

    /// Forgets the marks: the changes are committed (or there is nowhere to commit them).
    pub(crate) fn clean(&mut self) {
        self.dirty.clear();
    }
}

/// An append-only list (the outbox), stored one row per entry.
pub(crate) struct Log<T> {
    items: Vec<T>,
    /// How many entries are committed.
    committed: usize,
    /// Emptied since the last commit: the stored entries go too.
    cleared: bool,
}

impl<T> Default for Log<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            committed: 0,
            cleared: false,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Log<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

impl<T> Deref for Log<T> {
    type Target = Vec<T>;

    fn deref(&self) -> &Self::Target {
        &self.items
    }
}

impl<'a, T> IntoIterator for &'a Log<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T> Log<T> {
    /// A log read back from the store.
    pub(crate) fn loaded(items: Vec<T>) -> Self {
        let committed = items.len();
        Self {
            items,
            committed,
            cleared: false,
        }
    }

    /// Removes every entry (a reset); the next commit removes the stored ones.
    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.committed = 0;
        self.cleared = true;
    }

    /// Whether the log was emptied since the last commit.
    pub(crate) fn was_cleared(&self) -> bool {
        self.cleared
    }

    /// Appends an entry.
    pub(crate) fn push(&mut self, item: T) {
        self.items.push(item);
    }

    /// The entries not yet committed, with their positions.
    pub(crate) fn uncommitted(&self) -> impl Iterator<Item = (usize, &T)> {
        self.items.iter().enumerate().skip(self.committed)
    }

    /// Whether some entries are not committed yet.
    pub(crate) fn is_dirty(&self) -> bool {
        self.cleared || self.committed < self.items.len()
    }

    /// Every entry is committed.
    pub(crate) fn clean(&mut self) {
        self.committed = self.items.len();
        self.cleared = false;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_way_to_change_a_record_marks_it() {
        let mut t: Table<u32> = Table::default();
        t.restore("a".into(), 1);
        t.restore("b".into(), 2);
        assert!(!t.is_dirty());
        assert!(t.get_mut("zzz").is_none());
        assert!(!t.is_dirty(), "a miss changes nothing");
        *t.get_mut("a").unwrap() = 10;
        t.insert("c".into(), 3);
        t.retain(|k, _| k != "b");
        let changes: Vec<_> = t
            .changes()
            .map(|(k, v, replaced)| (k.to_owned(), v.copied(), replaced))
            .collect();
        assert_eq!(
            changes,
            [
                ("a".into(), Some(10), false),
                ("b".into(), None, true),
                ("c".into(), Some(3), true)
            ]
        );
        t.clean();
        assert!(!t.is_dirty());
        t.values_mut().for_each(|v| *v += 1);
        assert_eq!(t.changes().count(), 2);
        t.clean();
        t.remove("a");
        assert_eq!(t.changes().collect::<Vec<_>>(), [("a", None, true)]);
        // Reads change nothing.
        assert_eq!((&t).into_iter().count() + t.values().count() + t.len(), 3);
        assert_eq!(t.changes().count(), 1);
    }

    #[test]
    fn a_log_commits_what_was_appended() {
        let mut log = Log::loaded(vec![1, 2]);
        assert!(!log.is_dirty());
        log.push(3);
        assert_eq!(log.uncommitted().collect::<Vec<_>>(), [(2, &3)]);
        log.clean();
        assert!(!log.is_dirty());
        assert_eq!(*log, [1, 2, 3]);
        assert_eq!((&log).into_iter().sum::<i32>(), 6);
    }
}
