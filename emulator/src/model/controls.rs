//! The state the test controls work on: the [`Baseline`] that `POST /_emulator/reset` brings
//! back (the pools, clients, users and clock of the emulator's start), and the [`Faults`] that
//! `POST /_emulator/faults` arms (the next N calls of an operation answer an error, or the next
//! N trigger calls an operation makes time out).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::model::state::{Clock, Inner, Pool};

/// The state right after the start: what a reset brings back.
#[derive(Debug, Clone)]
pub(crate) struct Baseline {
    pools: Vec<(String, Pool)>,
    clock: Clock,
}

impl Baseline {
    /// The pools (with their clients, users, devices and groups) and the clock of `inner` now.
    pub(crate) fn of(inner: &Inner) -> Self {
        Self {
            pools: inner
                .pools
                .iter()
                .map(|(id, pool)| (id.clone(), pool.clone()))
                .collect(),
            clock: inner.clock,
        }
    }
}

impl Inner {
    /// Brings the state back to `baseline`: its pools, clients, users, devices and groups, its
    /// clock; no token, session, OAuth code, hosted-UI sign-in or message in the outbox. Every
    /// change is marked, so a data directory gets it at the next commit.
    pub(crate) fn reset_to(&mut self, baseline: &Baseline) {
        self.pools.retain(|_, _| false);
        for (id, pool) in &baseline.pools {
            let mut pool = pool.clone();
            pool.clients.mark_all();
            pool.users.mark_all();
            pool.devices.mark_all();
            self.pools.insert(id.clone(), pool);
        }
        self.refresh_tokens.retain(|_, _| false);
        self.access_tokens.retain(|_, _| false);
        self.outbox.clear();
        self.sessions.clear();
        self.grants.clear();
        self.login = crate::model::hosted_ui::Logins::default();
        self.code_sends.clear();
        self.provisioned_limits.clear();
        self.clock = baseline.clock;
    }
}

/// The longest error type a fault may name.
const MAX_KIND: usize = 64;

/// One armed fault as `GET /_emulator/faults` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Armed {
    /// The next `count` calls of the operation answer the error type.
    Error(&'static str),
    /// The next `count` trigger (webhook) calls the operation makes time out.
    TriggerTimeout,
}

/// Armed faults: by operation, the error type and how many calls are left; and by operation, how
/// many of its trigger calls are still to time out.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    armed: BTreeMap<String, (&'static str, u32)>,
    /// Shared with the calls running now (each trigger call takes one, see `triggers`).
    timeouts: BTreeMap<String, Arc<AtomicU32>>,
    /// Every error type named so far, each kept once for the whole run (errors name their type
    /// as `&'static str`).
    kinds: BTreeSet<&'static str>,
}

impl Faults {
    /// Arms `count` answers of `kind` for `operation` (0: disarms it). `Err`: `kind` is not an
    /// error type's name (letters and digits ending in `Exception`, at most 64 characters).
    pub(crate) fn arm(&mut self, operation: &str, kind: &str, count: u32) -> Result<(), String> {
        let valid = kind.len() <= MAX_KIND
            && kind.len() > "Exception".len()
            && kind.ends_with("Exception")
            && kind.bytes().all(|b| b.is_ascii_alphanumeric());
        if !valid {
            return Err(format!(
                "error must be an error type such as TooManyRequestsException, not {kind:?}"
            ));
        }
        if count == 0 {
            self.armed.remove(operation);
            return Ok(());
        }
        let kind = match self.kinds.get(kind) {
            Some(k) => *k,
            None => {
                let k: &'static str = Box::leak(kind.to_owned().into_boxed_str());
                self.kinds.insert(k);
                k
            }
        };
        self.armed.insert(operation.to_owned(), (kind, count));
        Ok(())
    }

    /// Arms `count` timeouts of the triggers `operation` calls (0: disarms them).
    pub(crate) fn arm_trigger_timeout(&mut self, operation: &str, count: u32) {
        if let Some(left) = self.timeouts.remove(operation) {
            // A call running now sees no more timeouts.
            left.store(0, Ordering::SeqCst);
        }
        if count > 0 {
            self.timeouts
                .insert(operation.to_owned(), Arc::new(AtomicU32::new(count)));
        }
    }

    /// The trigger timeouts still armed for `operation`: a call of it takes one for each trigger
    /// it calls, until none is left.
    pub(crate) fn trigger_timeouts(&mut self, operation: &str) -> Option<Arc<AtomicU32>> {
        let left = self.timeouts.get(operation)?;
        if left.load(Ordering::SeqCst) == 0 {
            self.timeouts.remove(operation);
            return None;
        }
        Some(Arc::clone(left))
    }

    /// The error a call of `operation` must answer now, if one is armed (one fewer left).
    pub(crate) fn take(&mut self, operation: &str) -> Option<&'static str> {
        let (kind, left) = self.armed.get_mut(operation)?;
        let kind = *kind;
        *left -= 1;
        if *left == 0 {
            self.armed.remove(operation);
        }
        Some(kind)
    }

    /// Disarms every fault.
    pub(crate) fn clear(&mut self) {
        self.armed.clear();
        for left in std::mem::take(&mut self.timeouts).into_values() {
            left.store(0, Ordering::SeqCst);
        }
    }

    /// The armed faults: by operation, what and how many are left.
    pub(crate) fn armed(&self) -> Vec<(String, Armed, u32)> {
        let errors = self
            .armed
            .iter()
            .map(|(op, (kind, n))| (op.clone(), Armed::Error(kind), *n));
        let timeouts = self.timeouts.iter().filter_map(|(op, left)| {
            let n = left.load(Ordering::SeqCst);
            (n > 0).then(|| (op.clone(), Armed::TriggerTimeout, n))
        });
        errors.chain(timeouts).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_answers_its_count_then_stops() {
        let mut faults = Faults::default();
        assert!(faults.arm("InitiateAuth", "TooManyRequests", 1).is_err());
        assert!(faults.arm("InitiateAuth", "Bad Exception", 1).is_err());
        faults
            .arm("InitiateAuth", "TooManyRequestsException", 2)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(faults.take("SignUp"), None);
        assert_eq!(
            faults.take("InitiateAuth"),
            Some("TooManyRequestsException")
        );
        assert_eq!(
            faults.take("InitiateAuth"),
            Some("TooManyRequestsException")
        );
        assert_eq!(faults.take("InitiateAuth"), None);
    }

    #[test]
    fn trigger_timeouts_are_shared_with_the_calls_and_disarmed_at_zero() {
        let mut faults = Faults::default();
        assert!(faults.trigger_timeouts("SignUp").is_none());
        faults.arm_trigger_timeout("SignUp", 1);
        let left = faults.trigger_timeouts("SignUp").unwrap_or_default();
        assert_eq!(
            faults.armed(),
            vec![("SignUp".to_owned(), Armed::TriggerTimeout, 1)]
        );
        left.store(0, Ordering::SeqCst);
        assert!(faults.armed().is_empty());
        assert!(faults.trigger_timeouts("SignUp").is_none());
        faults.arm_trigger_timeout("SignUp", 3);
        let left = faults.trigger_timeouts("SignUp").unwrap_or_default();
        faults.clear();
        assert_eq!(
            left.load(Ordering::SeqCst),
            0,
            "a reset reaches running calls"
        );
    }
}
