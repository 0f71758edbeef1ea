//! Verifying tokens with the pools' JWKS fetched over ureq: the driver's verification
//! ([`Driver::verify`](cognito_flows_async::Driver::verify), the one loop around
//! [`Verifier`]'s fetch protocol, see [`cognito_flows::verify`]) on an agent, with the system
//! clock. A [`Client`](crate::Client)'s `driver().verify(..)` reads the client's clock.
//!
//! Each fetch has its own timeout ([`JWKS_TIMEOUT`]) and body limit
//! ([`MAX_JWKS_BYTES`](cognito_flows::verify::MAX_JWKS_BYTES)), and a failed one is recorded
//! with the verifier: while the JWKS endpoint is down, forged tokens cost no fetch each, only
//! one per backoff period.
//!
//! ```no_run
//! use std::sync::Arc;
//! use cognito_flows::UserPool;
//! use cognito_flows::verify::{Verifier, VerifyOptions};
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let verifier = Arc::new(Verifier::new(&pool, VerifyOptions::access_tokens(["1example23456789"])));
//! let agent = cognito_flows_ureq::agent();
//! cognito_flows_ureq::hydrate(&agent, &verifier)?; // at startup
//! # let token = "";
//! let claims = cognito_flows_ureq::verify(&agent, &verifier, token)?; // per request, any thread
//! println!("hello {}", claims.username().unwrap_or("?"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use cognito_flows::tokens::Claims;
use cognito_flows::verify::{MAX_JWKS_BYTES, Verifier, VerifyError};
pub use cognito_flows_async::JWKS_TIMEOUT;
use ureq::RequestExt as _;

use crate::{Blocking, Driver, ThreadSleep, Ureq};

fn driver(agent: &ureq::Agent) -> Driver {
    Driver::new(Blocking(Ureq::new(agent.clone())), ThreadSleep)
}

/// Verifies `token` at the system clock's time, fetching a JWKS with `agent` when the verifier
/// asks (a key it does not have, and a fetch is due). A fetch that fails is
/// [`VerifyError::JwksFetch`] (or [`VerifyError::InvalidJwks`] for an unusable answer).
pub fn verify(
    agent: &ureq::Agent,
    verifier: &Verifier,
    token: &str,
) -> Result<Claims, VerifyError> {
    driver(agent).verify(verifier, token)
}

/// Fetches every JWKS of `verifier` now (at startup, so the first requests find the keys).
/// Returns the number of keys loaded; stops at the first failure.
pub fn hydrate(agent: &ureq::Agent, verifier: &Verifier) -> Result<usize, VerifyError> {
    driver(agent).hydrate(verifier)
}

/// One JWKS fetch: [`JWKS_TIMEOUT`], no redirect, the body read up to [`MAX_JWKS_BYTES`].
pub(crate) fn fetch_jwks(
    agent: &ureq::Agent,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, ureq::Error> {
    let request = request
        .with_agent(agent)
        .configure()
        .timeout_global(Some(JWKS_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .build();
    let response = request.run()?;
    let (parts, mut body) = response.into_parts();
    let bytes = body
        .with_config()
        .limit(MAX_JWKS_BYTES as u64)
        .read_to_vec()?;
    Ok(http::Response::from_parts(parts, bytes))
}
