//! Verifying tokens with the pools' JWKS fetched through a [`Transport`]: the loop around
//! [`Verifier`]'s fetch protocol (see [`cognito_flows::verify`]), the same shape as
//! `cognito_flows_ureq::verify`, on any executor.
//!
//! Each fetch has its own timeout ([`JWKS_TIMEOUT`], raced against the [`Sleep`]), and a body
//! over [`MAX_JWKS_BYTES`](cognito_flows::verify::MAX_JWKS_BYTES) is refused (a transport
//! that streams should stop reading there, as the `cognito-flows-axum` one does). A failed
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
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, SystemTime};

use cognito_flows::tokens::Claims;
use cognito_flows::verify::{JwksFetch, MAX_JWKS_BYTES, Verification, Verifier, VerifyError};

use crate::{Sleep, Transport};

/// How long one JWKS fetch may take, connection included.
pub const JWKS_TIMEOUT: Duration = Duration::from_secs(5);

/// Verifies `token` at the system clock's time, fetching a JWKS through `transport` when the
/// verifier asks (a key it does not have, and a fetch is due). A fetch that fails is
/// [`VerifyError::JwksFetch`] (or [`VerifyError::InvalidJwks`] for an unusable answer).
pub async fn verify<T, S>(
    transport: &T,
    sleep: &S,
    verifier: &Verifier,
    token: &str,
) -> Result<Claims, VerifyError>
where
    T: Transport,
    T::Error: Display,
    S: Sleep,
{
    match verifier.verify(token, SystemTime::now()) {
        Verification::Valid(claims) => Ok(claims),
        Verification::Invalid(e) => Err(e),
        Verification::FetchKeys(f) => {
            fetch(transport, sleep, verifier, &f).await?;
            verifier.verify_without_fetch(token, SystemTime::now())
        }
        _ => Err(VerifyError::JwksFetch("unexpected answer".into())),
    }
}

/// Fetches every JWKS of `verifier` now (at startup, so the first requests find the keys).
/// Returns the number of keys loaded; stops at the first failure.
pub async fn hydrate<T, S>(
    transport: &T,
    sleep: &S,
    verifier: &Verifier,
) -> Result<usize, VerifyError>
where
    T: Transport,
    T::Error: Display,
    S: Sleep,
{
    let mut total = 0;
    for f in verifier.hydrate(SystemTime::now()) {
        total += fetch(transport, sleep, verifier, &f).await?;
    }
    Ok(total)
}

/// One fetch, raced against [`JWKS_TIMEOUT`], its answer or its failure handed to the verifier.
async fn fetch<T, S>(
    transport: &T,
    sleep: &S,
    verifier: &Verifier,
    fetch: &JwksFetch,
) -> Result<usize, VerifyError>
where
    T: Transport,
    T::Error: Display,
    S: Sleep,
{
    let outcome = {
        let mut send = pin!(transport.send(fetch.request()));
        let mut timer = pin!(sleep.sleep(JWKS_TIMEOUT));
        poll_fn(|cx| match send.as_mut().poll(cx) {
            Poll::Ready(result) => Poll::Ready(Some(result)),
            Poll::Pending => timer.as_mut().poll(cx).map(|()| None),
        })
        .await
    };
    let now = SystemTime::now();
    match outcome {
        None => Err(verifier.handle_jwks_failure(now, fetch, "timed out")),
        Some(Err(e)) => Err(verifier.handle_jwks_failure(now, fetch, e)),
        Some(Ok(response)) if response.body().len() > MAX_JWKS_BYTES => {
            Err(verifier.handle_jwks_failure(now, fetch, "the answer is over the size limit"))
        }
        Some(Ok(response)) => verifier.handle_jwks_response(now, fetch, response),
    }
}
