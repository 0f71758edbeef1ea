//! Verifying tokens with the pools' JWKS fetched over ureq: the loop around
//! [`Verifier`]'s fetch protocol (see [`cognito_flows::verify`]), the same shape as
//! `cognito_flows_async::verify`.
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

use std::time::{Duration, SystemTime};

use cognito_flows::tokens::Claims;
use cognito_flows::verify::{JwksFetch, MAX_JWKS_BYTES, Verification, Verifier, VerifyError};
use ureq::RequestExt as _;

/// How long one JWKS fetch may take, connection included.
pub const JWKS_TIMEOUT: Duration = Duration::from_secs(5);

/// Verifies `token` at the system clock's time, fetching a JWKS with `agent` when the verifier
/// asks (a key it does not have, and a fetch is due). A fetch that fails is
/// [`VerifyError::JwksFetch`] (or [`VerifyError::InvalidJwks`] for an unusable answer).
pub fn verify(
    agent: &ureq::Agent,
    verifier: &Verifier,
    token: &str,
) -> Result<Claims, VerifyError> {
    match verifier.verify(token, SystemTime::now()) {
        Verification::Valid(claims) => Ok(claims),
        Verification::Invalid(e) => Err(e),
        Verification::FetchKeys(f) => {
            fetch(agent, verifier, &f)?;
            verifier.verify_without_fetch(token, SystemTime::now())
        }
        _ => Err(VerifyError::JwksFetch("unexpected answer".into())),
    }
}

/// Fetches every JWKS of `verifier` now (at startup, so the first requests find the keys).
/// Returns the number of keys loaded; stops at the first failure.
pub fn hydrate(agent: &ureq::Agent, verifier: &Verifier) -> Result<usize, VerifyError> {
    let mut total = 0;
    for f in verifier.hydrate(SystemTime::now()) {
        total += fetch(agent, verifier, &f)?;
    }
    Ok(total)
}

/// One fetch, its answer or its failure handed to the verifier.
fn fetch(
    agent: &ureq::Agent,
    verifier: &Verifier,
    fetch: &JwksFetch,
) -> Result<usize, VerifyError> {
    match get(agent, fetch) {
        Ok(response) => verifier.handle_jwks_response(SystemTime::now(), fetch, response),
        Err(e) => Err(verifier.handle_jwks_failure(SystemTime::now(), fetch, e)),
    }
}

fn get(agent: &ureq::Agent, fetch: &JwksFetch) -> Result<http::Response<Vec<u8>>, ureq::Error> {
    let request = fetch
        .request()
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
