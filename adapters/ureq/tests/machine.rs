//! The blocking client's machine-to-machine token against the emulator: the client-credentials
//! grant, a scope the app client is not allowed, and the cache that sends nothing while its
//! token is fresh.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use cognito_flows::TokenCache;
use cognito_flows::flows::hosted_ui::{OAuthError, OAuthErrorCode};
use cognito_flows::{Error, Jwt};
use cognito_flows_testkit::emulator::Fixture;
use cognito_flows_ureq::{Client, DriveError};

/// The driver's clock: the system's, moved as the emulator's is.
static OFFSET: AtomicU64 = AtomicU64::new(0);

fn clock() -> SystemTime {
    SystemTime::now() + Duration::from_secs(OFFSET.load(Ordering::SeqCst))
}

#[test]
fn a_service_gets_a_machine_token_and_keeps_it_until_near_expiry() {
    let w = Fixture::new();
    let credentials = w.machine_client("orders", &["read", "write"]);
    let client = Client::new(w.pool.clone()).configure(|d| d.with_clock(clock));

    let token = client
        .client_credentials(&credentials.clone().with_scopes(["orders/read"]))
        .unwrap();
    assert_eq!(token.scopes, ["orders/read"]);
    let claims = Jwt::decode(token.access_token.expose()).unwrap();
    assert_eq!(
        claims.claims().str("client_id"),
        Some(credentials.client_id())
    );
    assert_eq!(claims.claims().username(), None);

    let error = client
        .client_credentials(&credentials.clone().with_scopes(["orders/admin"]))
        .unwrap_err();
    let DriveError::Auth(Error::OAuth(OAuthError { code, .. })) = error else {
        panic!("not an OAuth error: {error:?}")
    };
    assert_eq!(code, OAuthErrorCode::InvalidScope);

    let mut cache = TokenCache::new();
    let first = client.machine_token(&credentials, &mut cache).unwrap();
    assert_eq!(first.scopes, ["orders/read", "orders/write"]);
    // Fresh: the same token, nothing sent.
    let again = client.machine_token(&credentials, &mut cache).unwrap();
    assert_eq!(again.access_token.expose(), first.access_token.expose());
    // Within a minute of its expiry (the emulator's clock, which the driver reads): a new one.
    w.emulator.advance(Duration::from_secs(3600 - 30));
    OFFSET.fetch_add(3600 - 30, Ordering::SeqCst);
    let renewed = client.machine_token(&credentials, &mut cache).unwrap();
    assert_ne!(renewed.access_token.expose(), first.access_token.expose());
    assert!(renewed.expires_at > clock() + Duration::from_secs(3000));
}
