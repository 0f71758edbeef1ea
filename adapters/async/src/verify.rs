//! Verifying tokens with the pools' JWKS fetched through the driver's transport: the loop
//! around [`Verifier`]'s fetch protocol (see [`cognito_flows::verify`]), for both adapters:
//! [`Driver::verify`] and [`Driver::hydrate`] read the driver's clock; [`verify`] and
//! [`hydrate`] are the same on a transport and a sleep with the system clock.
//!
//! Each fetch has its own timeout ([`JWKS_TIMEOUT`], raced against the [`Sleep`] on an async
//! transport; the [`BlockingTransport::fetch_jwks`] of a blocking one), and a body over
//! [`MAX_JWKS_BYTES`] is refused (a transport that streams should stop reading there, as the
//! `cognito-flows-axum` and `cognito-flows-ureq` ones do). A failed
//! fetch is recorded with the verifier: while the JWKS endpoint is down, forged tokens cost no
//! fetch each, only one per backoff period.
//!
//! ```no_run
//! # #[cfg(feature = "reqwest")]
//! # async fn demo(token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use cognito_flows::UserPool;
//! use cognito_flows::verify::{Verifier, VerifyOptions};
//! use cognito_flows_async::{ReqwestTransport, TokioSleep};
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let verifier = Arc::new(Verifier::new(&pool, VerifyOptions::access_tokens(["1example23456789"])));
//! let transport = ReqwestTransport::new()?;
//! cognito_flows_async::hydrate(&transport, &TokioSleep, &verifier).await?; // at startup
//! let claims = cognito_flows_async::verify(&transport, &TokioSleep, &verifier, token).await?;
//! println!("hello {}", claims.username().unwrap_or("?"));
//! # Ok(())
//! # }
//! ```

use std::fmt::Display;
use std::future::poll_fn;
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, SystemTime};

use cognito_flows::tokens::Claims;
use cognito_flows::verify::{JwksFetch, MAX_JWKS_BYTES, Verification, Verifier, VerifyError};

use crate::{Blocking, BlockingTransport, Driver, Sleep, Transport};

/// How long one JWKS fetch may take, connection included.
pub const JWKS_TIMEOUT: Duration = Duration::from_secs(5);

/// Verifies `token` at the system clock's time, fetching a JWKS through `transport` when the
/// verifier asks (a key it does not have, and a fetch is due). A fetch that fails is
/// [`VerifyError::JwksFetch`] (or [`VerifyError::InvalidJwks`] for an unusable answer).
/// [`Driver::verify`] does the same with the driver's clock.
pub async fn verify<T, S>(
    transport: &T,
    sleep: &S,
    verifier: &Verifier,
    token: &str,
) -> Result<Claims, VerifyError>
where
    T: Transport<Error: Display>,
    S: Sleep,
{
    Fetcher::new(transport, sleep, SystemTime::now)
        .verify(verifier, token)
        .await
}

/// Fetches every JWKS of `verifier` now (at startup, so the first requests find the keys).
/// Returns the number of keys loaded; stops at the first failure. [`Driver::hydrate`] does the
/// same with the driver's clock.
pub async fn hydrate<T, S>(
    transport: &T,
    sleep: &S,
    verifier: &Verifier,
) -> Result<usize, VerifyError>
where
    T: Transport<Error: Display>,
    S: Sleep,
{
    Fetcher::new(transport, sleep, SystemTime::now)
        .hydrate(verifier)
        .await
}

/// An async transport, a sleep for the fetches' timeout, and a clock.
struct Fetcher<'t, T, S> {
    transport: &'t T,
    sleep: &'t S,
    clock: fn() -> SystemTime,
}

impl<'t, T: Transport<Error: Display>, S: Sleep> Fetcher<'t, T, S> {
    fn new(transport: &'t T, sleep: &'t S, clock: fn() -> SystemTime) -> Self {
        Self {
            transport,
            sleep,
            clock,
        }
    }

    async fn verify(&self, verifier: &Verifier, token: &str) -> Result<Claims, VerifyError> {
        match Verifying::start(verifier, token, self.clock) {
            Ok(done) => done,
            Err(due) => {
                let fetched = self.fetch(verifier, &due.fetch).await;
                due.fetched(fetched)
            }
        }
    }

    async fn hydrate(&self, verifier: &Verifier) -> Result<usize, VerifyError> {
        let mut total = 0;
        for f in verifier.hydrate((self.clock)()) {
            total += self.fetch(verifier, &f).await?;
        }
        Ok(total)
    }

    /// One fetch, raced against [`JWKS_TIMEOUT`], its answer or its failure handed to the
    /// verifier.
    async fn fetch(&self, verifier: &Verifier, fetch: &JwksFetch) -> Result<usize, VerifyError> {
        let outcome = {
            let mut send = pin!(self.transport.send(fetch.request()));
            let mut timer = pin!(self.sleep.sleep(JWKS_TIMEOUT));
            poll_fn(|cx| match send.as_mut().poll(cx) {
                Poll::Ready(result) => Poll::Ready(Some(result)),
                Poll::Pending => timer.as_mut().poll(cx).map(|()| None),
            })
            .await
        };
        fetched(verifier, fetch, (self.clock)(), outcome)
    }
}

/// A verification that waits for a fetch: the decision of both adapters, taken in one place.
struct Verifying<'v> {
    verifier: &'v Verifier,
    token: &'v str,
    clock: fn() -> SystemTime,
    fetch: JwksFetch,
}

impl<'v> Verifying<'v> {
    /// The outcome without a fetch, or the fetch that is due.
    fn start(
        verifier: &'v Verifier,
        token: &'v str,
        clock: fn() -> SystemTime,
    ) -> Result<Result<Claims, VerifyError>, Self> {
        match verifier.verify(token, clock()) {
            Verification::Valid(claims) => Ok(Ok(claims)),
            Verification::Invalid(e) => Ok(Err(e)),
            Verification::FetchKeys(fetch) => Err(Self {
                verifier,
                token,
                clock,
                fetch,
            }),
        }
    }

    /// The outcome once the fetch is done: the token verified again, without a fetch.
    fn fetched(self, fetched: Result<usize, VerifyError>) -> Result<Claims, VerifyError> {
        fetched?;
        self.verifier
            .verify_without_fetch(self.token, (self.clock)())
    }
}

impl<T: Transport<Error: Display>, S: Sleep> Driver<T, S> {
    /// Verifies `token` at the driver's time ([`Driver::with_clock`]), fetching a JWKS
    /// through the driver's transport when the verifier asks: see [`verify`].
    pub async fn verify(&self, verifier: &Verifier, token: &str) -> Result<Claims, VerifyError> {
        Fetcher::new(self.transport(), self.sleep(), self.clock())
            .verify(verifier, token)
            .await
    }

    /// Fetches every JWKS of `verifier` now, at the driver's time: see [`hydrate`].
    pub async fn hydrate(&self, verifier: &Verifier) -> Result<usize, VerifyError> {
        Fetcher::new(self.transport(), self.sleep(), self.clock())
            .hydrate(verifier)
            .await
    }
}

impl<T: BlockingTransport<Error: Display>, S> Driver<Blocking<T>, S> {
    /// Verifies `token` at the driver's time ([`Driver::with_clock`]), fetching a JWKS with
    /// [`BlockingTransport::fetch_jwks`] when the verifier asks (a key it does not have, and a
    /// fetch is due). A fetch that fails is [`VerifyError::JwksFetch`] (or
    /// [`VerifyError::InvalidJwks`] for an unusable answer).
    pub fn verify(&self, verifier: &Verifier, token: &str) -> Result<Claims, VerifyError> {
        match Verifying::start(verifier, token, self.clock()) {
            Ok(done) => done,
            Err(due) => {
                let fetched = self.fetch_jwks(verifier, &due.fetch);
                due.fetched(fetched)
            }
        }
    }

    /// Fetches every JWKS of `verifier` now (at startup, so the first requests find the keys).
    /// Returns the number of keys loaded; stops at the first failure.
    pub fn hydrate(&self, verifier: &Verifier) -> Result<usize, VerifyError> {
        let mut total = 0;
        for f in verifier.hydrate(self.now()) {
            total += self.fetch_jwks(verifier, &f)?;
        }
        Ok(total)
    }

    fn fetch_jwks(&self, verifier: &Verifier, fetch: &JwksFetch) -> Result<usize, VerifyError> {
        let outcome = self.transport().0.fetch_jwks(fetch.request());
        fetched(verifier, fetch, self.now(), Some(outcome))
    }
}

/// A fetch's outcome (`None`: it timed out) handed to the verifier.
fn fetched<E: Display>(
    verifier: &Verifier,
    fetch: &JwksFetch,
    now: SystemTime,
    outcome: Option<Result<http::Response<Vec<u8>>, E>>,
) -> Result<usize, VerifyError> {
    match outcome {
        None => Err(verifier.handle_jwks_failure(now, fetch, "timed out")),
        Some(Err(e)) => Err(verifier.handle_jwks_failure(now, fetch, e)),
        Some(Ok(response)) if response.body().len() > MAX_JWKS_BYTES => {
            Err(verifier.handle_jwks_failure(now, fetch, "the answer is over the size limit"))
        }
        Some(Ok(response)) => verifier.handle_jwks_response(now, fetch, response),
    }
}
