//! What every operation and connection shares: the state behind its lock (committed to the data
//! directory when the lock is released), the signing key, the endpoint, the request ids.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::auth::jwt::Signer;
use crate::model::controls::{Baseline, Faults};
use crate::model::state::Inner;
use crate::model::store::{Store, Stored};

/// What every connection task shares.
pub(crate) struct Shared {
    state: Mutex<Stored>,
    pub signer: Signer,
    pub endpoint: String,
    pub io_timeout: Duration,
    /// Host names besides the loopback ones that the emulator answers to, and the only other
    /// hosts it calls (an identity provider's endpoints).
    pub allowed_hosts: Vec<String>,
    request_ids: AtomicU64,
    request_id_prefix: u64,
    /// Commits to the data directory that failed so far.
    write_failures: AtomicU64,
    /// What `POST /_emulator/reset` brings back (taken at the start, after the set-up).
    pub baseline: Mutex<Option<Baseline>>,
    /// The errors `POST /_emulator/faults` armed.
    pub faults: Mutex<Faults>,
    /// The sign-ins threat protection recorded (`auth/risk.rs`; not kept in the data directory).
    pub auth_events: Mutex<crate::model::risk::AuthEvents>,
}

/// The state, locked. Dropping it commits what changed to the data directory (if any) before
/// the lock is released, so whatever an answer says is already on disk.
pub(crate) struct Guard<'a> {
    inner: MutexGuard<'a, Stored>,
    failures: &'a AtomicU64,
}

impl Guard<'_> {
    /// The state with its store (the store's tests reach the database through it).
    #[cfg(test)]
    pub(crate) fn stored(&self) -> &Stored {
        &self.inner
    }
}

impl std::ops::Deref for Guard<'_> {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl std::ops::DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut Inner {
        &mut self.inner
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if let Err(why) = Store::commit(&mut self.inner) {
            self.failures.fetch_add(1, Ordering::SeqCst);
            eprintln!("cognito-emulator: {why}");
        }
    }
}

impl Shared {
    pub(crate) fn new(
        state: Inner,
        store: Option<Store>,
        signer: Signer,
        endpoint: String,
        io_timeout: Duration,
        prefix: u64,
    ) -> Self {
        Self {
            state: Mutex::new(Stored {
                inner: state,
                store,
            }),
            signer,
            endpoint,
            io_timeout,
            allowed_hosts: Vec::new(),
            request_ids: AtomicU64::new(0),
            request_id_prefix: prefix,
            write_failures: AtomicU64::new(0),
            baseline: Mutex::new(None),
            faults: Mutex::new(Faults::default()),
            auth_events: Mutex::new(crate::model::risk::AuthEvents::default()),
        }
    }

    /// The state, for bookkeeping only: never held across maths or I/O. What changed is
    /// committed when the guard is dropped.
    pub(crate) fn lock(&self) -> Guard<'_> {
        Guard {
            inner: self.state.lock().unwrap_or_else(|p| p.into_inner()),
            failures: &self.write_failures,
        }
    }

    /// Keeps the state as it is now as what a reset brings back.
    pub(crate) fn keep_baseline(&self) {
        let baseline = Baseline::of(&self.lock());
        *self.baseline.lock().unwrap_or_else(|p| p.into_inner()) = Some(baseline);
    }

    /// Brings the state back to the baseline (`Emulator::start` keeps one) and disarms every
    /// fault.
    pub(crate) fn reset(&self) {
        let baseline = self
            .baseline
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(baseline) = baseline {
            self.lock().reset_to(&baseline);
        }
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        *self.auth_events.lock().unwrap_or_else(|p| p.into_inner()) =
            crate::model::risk::AuthEvents::default();
    }

    /// The error an armed fault makes this call of `operation` answer, if any.
    pub(crate) fn injected_fault(&self, operation: &str) -> Option<&'static str> {
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take(operation)
    }

    /// The trigger timeouts armed for `operation`, if any (see `triggers::timing_out`).
    pub(crate) fn trigger_timeouts(
        &self,
        operation: &str,
    ) -> Option<std::sync::Arc<std::sync::atomic::AtomicU32>> {
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .trigger_timeouts(operation)
    }

    /// How many commits to the data directory failed so far.
    pub(crate) fn write_failures(&self) -> u64 {
        self.write_failures.load(Ordering::SeqCst)
    }

    /// A fresh `x-amzn-RequestId` (UUID-shaped).
    pub(crate) fn request_id(&self) -> String {
        let n = self.request_ids.fetch_add(1, Ordering::Relaxed);
        let p = self.request_id_prefix;
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            p >> 32,
            (p >> 16) & 0xffff,
            p & 0xfff,
            (n >> 48) & 0xfff,
            n & 0xffff_ffff_ffff
        )
    }
}
