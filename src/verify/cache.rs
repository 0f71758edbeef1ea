//! The optional cache of verified tokens: keyed by the token's SHA-256 (the token itself is
//! never kept), bounded, first in first out.
//!
//! It is split into shards, each behind its own `RwLock`: a hit takes a read lock on one shard
//! (threads reading the same shard do not wait for each other), an insert a write lock on one.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, RwLock};

use sha2::{Digest as _, Sha256};

use super::jwks::Key;
use crate::tokens::Claims;

const SHARDS: usize = 16;

/// A token's SHA-256.
pub(super) type TokenDigest = [u8; 32];

pub(super) fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

/// What a verified token left behind.
#[derive(Clone)]
pub(super) struct Entry {
    pub(super) claims: Claims,
    /// The pool entry whose options it passed.
    pub(super) issuer: usize,
    /// The key that signed it.
    pub(super) key: Arc<Key>,
}

/// The digest is already uniform: its first bytes are the hash.
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().take(8) {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
}

#[derive(Default)]
struct Shard {
    map: HashMap<TokenDigest, Entry, BuildHasherDefault<DigestHasher>>,
    order: VecDeque<TokenDigest>,
}

pub(super) struct Cache {
    shards: Vec<RwLock<Shard>>,
    per_shard: usize,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("capacity", &(self.per_shard * SHARDS))
            .finish()
    }
}

impl Cache {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            per_shard: capacity.div_ceil(SHARDS),
        }
    }

    fn shard(&self, digest: &TokenDigest) -> Option<&RwLock<Shard>> {
        self.shards
            .get(usize::from(digest.last().copied().unwrap_or(0)) % SHARDS)
    }

    pub(super) fn get(&self, digest: &TokenDigest) -> Option<Entry> {
        let shard = self.shard(digest)?.read().ok()?;
        shard.map.get(digest).cloned()
    }

    pub(super) fn insert(&self, digest: TokenDigest, entry: Entry) {
        let Some(Ok(mut shard)) = self.shard(&digest).map(RwLock::write) else {
            return;
        };
        if shard.map.insert(digest, entry).is_none() {
            shard.order.push_back(digest);
        }
        while shard.order.len() > self.per_shard {
            if let Some(oldest) = shard.order.pop_front() {
                shard.map.remove(&oldest);
            }
        }
    }
}
