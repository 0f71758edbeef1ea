//! The async verify helpers over closure transports: a JWKS endpoint that is down, one that
//! never answers, one that answers too much, and emulator tokens through reqwest. Every fetch
//! is counted: forged tokens must not each cost one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cognito_flows::verify::{Verifier, VerifyError, VerifyOptions};
use futures::executor::block_on;

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Down";

fn forged(kid: &str) -> String {
    let b64 = |s: &str| data_b64(s.as_bytes());
    format!(
        "{}.{}.{}",
        b64(&format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#)),
        b64(&format!(
            r#"{{"iss":"{ISSUER}","token_use":"access","client_id":"c","exp":9999999999}}"#
        )),
        b64("sig")
    )
}

/// base64url without padding, spelled out to keep the dev-dependencies as they are.
fn data_b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn verifier() -> Verifier {
    Verifier::builder()
        .issuer(
            ISSUER,
            "https://jwks.invalid/jwks.json",
            VerifyOptions::access_tokens(["c"]),
        )
        .build()
}

async fn no_wait(_: Duration) {}

async fn long_wait(_: Duration) {
    std::future::pending::<()>().await;
}

#[test]
fn forged_tokens_cost_one_fetch_while_the_endpoint_is_down() {
    let calls = AtomicUsize::new(0);
    let down = |_: http::Request<Vec<u8>>| {
        calls.fetch_add(1, Ordering::SeqCst);
        async { Err::<http::Response<Vec<u8>>, _>("connection refused") }
    };
    let v = verifier();
    let first = block_on(cognito_flows_async::verify(
        &down,
        &long_wait,
        &v,
        &forged("k0"),
    ));
    assert_eq!(
        first.unwrap_err(),
        VerifyError::JwksFetch("connection refused".into())
    );
    for i in 1..20 {
        let e = block_on(cognito_flows_async::verify(
            &down,
            &long_wait,
            &v,
            &forged(&format!("k{i}")),
        ));
        assert_eq!(e.unwrap_err(), VerifyError::UnknownKey(format!("k{i}")));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn a_silent_endpoint_times_out_and_is_recorded() {
    let calls = AtomicUsize::new(0);
    let silent = |_: http::Request<Vec<u8>>| {
        calls.fetch_add(1, Ordering::SeqCst);
        std::future::pending::<Result<http::Response<Vec<u8>>, String>>()
    };
    let v = verifier();
    // The sleep is the timeout: here it ends at once.
    let e = block_on(cognito_flows_async::verify(
        &silent,
        &no_wait,
        &v,
        &forged("k0"),
    ));
    assert_eq!(e.unwrap_err(), VerifyError::JwksFetch("timed out".into()));
    let e = block_on(cognito_flows_async::hydrate(&silent, &no_wait, &v));
    assert_eq!(e.unwrap_err(), VerifyError::JwksFetch("timed out".into()));
    let e = block_on(cognito_flows_async::verify(
        &silent,
        &no_wait,
        &v,
        &forged("k1"),
    ));
    assert_eq!(e.unwrap_err(), VerifyError::UnknownKey("k1".into()));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn a_body_over_the_limit_is_refused() {
    let big = |_: http::Request<Vec<u8>>| async {
        let body = format!(r#"{{"keys":[],"x":"{}"}}"#, "x".repeat(100_000));
        Ok::<_, String>(http::Response::new(body.into_bytes()))
    };
    let v = verifier();
    let e = block_on(cognito_flows_async::hydrate(&big, &long_wait, &v)).unwrap_err();
    assert!(e.is_unavailable(), "{e:?}");
    assert_eq!(v.key_count(), 0);
}

#[cfg(feature = "reqwest")]
#[tokio::test]
async fn emulator_tokens_verify_through_reqwest() {
    use cognito_flows_async::{ReqwestTransport, TokioSleep};
    use cognito_flows_testkit::emulator::{Fixture, Options};
    let w = Fixture::start(Options::default().user("alice", "Passw0rd!", &[]));
    let transport = ReqwestTransport::new().unwrap();
    let pool = w.pool.clone();
    // The core's own password sign-in, through the adapter's Client.
    let signed_in = cognito_flows_async::Client::reqwest(pool.clone())
        .unwrap()
        .sign_in_password("alice", "Passw0rd!", cognito_flows_async::no_prompt)
        .await
        .unwrap();
    let access = signed_in.tokens.access_token.expose();
    let v = Verifier::new(&pool, VerifyOptions::access_tokens([w.client_id.clone()]));
    assert_eq!(
        cognito_flows_async::hydrate(&transport, &TokioSleep, &v).await,
        Ok(1)
    );
    let claims = cognito_flows_async::verify(&transport, &TokioSleep, &v, access)
        .await
        .unwrap();
    assert_eq!(claims.username(), Some("alice"));
}

/// How far the test clock is ahead of the system clock, in seconds.
static AHEAD: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn ahead() -> std::time::SystemTime {
    std::time::SystemTime::now() + Duration::from_secs(AHEAD.load(Ordering::SeqCst))
}

#[test]
fn the_drivers_verification_reads_the_drivers_clock() {
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&calls);
    let down = move |_: http::Request<Vec<u8>>| {
        counted.fetch_add(1, Ordering::SeqCst);
        async { Err::<http::Response<Vec<u8>>, _>("connection refused") }
    };
    let driver = cognito_flows_async::Driver::new(down, long_wait).with_clock(ahead);
    let v = verifier();
    assert!(block_on(driver.verify(&v, &forged("a"))).is_err());
    assert!(block_on(driver.verify(&v, &forged("b"))).is_err());
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the failure is backed off");
    // An hour later by the driver's clock (not the system's), the backoff is over.
    AHEAD.store(3600, Ordering::SeqCst);
    assert!(block_on(driver.verify(&v, &forged("c"))).is_err());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
