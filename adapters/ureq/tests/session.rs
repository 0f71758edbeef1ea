//! getSession and sign-out in one line, against the emulator: the client's clock and the
//! emulator's move together (an hour passes for both), so the tokens really expire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use cognito_flows::{ErrorKind, StoredSession};
use cognito_flows_emulator::{ClientConfig, DeviceTracking, Emulator, PoolConfig, RefreshRotation};
use cognito_flows_testkit::emulator::{Fixture, Options};
use cognito_flows_ureq::{Client, DriveError, load_session, no_prompt, save_session};

const PASSWORD: &str = "Corr3ct-Horse!";

/// Seconds the test clock runs ahead of the system clock. Each test has its own (a `fn` clock
/// cannot capture), moved with its emulator's.
macro_rules! test_clock {
    ($offset:ident, $clock:ident) => {
        static $offset: AtomicU64 = AtomicU64::new(0);
        fn $clock() -> SystemTime {
            SystemTime::now() + Duration::from_secs($offset.load(Ordering::SeqCst))
        }
    };
}

/// An hour passes for the emulator and for the client.
fn an_hour_later(e: &Emulator, offset: &AtomicU64) {
    e.advance(Duration::from_secs(3600));
    offset.fetch_add(3600, Ordering::SeqCst);
}

/// An emulator whose app client rotates refresh tokens and whose pool remembers devices; a
/// client on `clock`; alice signed in.
fn signed_in(clock: fn() -> SystemTime, secret: bool) -> (Emulator, Client, StoredSession) {
    let Fixture {
        emulator: e, pool, ..
    } = Fixture::start(
        Options::default()
            .pool(PoolConfig {
                device_tracking: DeviceTracking::Always,
                ..PoolConfig::default()
            })
            .client(ClientConfig {
                refresh_rotation: Some(RefreshRotation {
                    retry_grace_seconds: 0,
                }),
                ..ClientConfig::default()
            })
            .secret_if(secret)
            .user("alice", PASSWORD, &[]),
    );
    let client = Client::new(pool).configure(|driver| driver.with_clock(clock));
    let session = StoredSession::from(client.sign_in_srp("alice", PASSWORD, no_prompt).unwrap());
    assert!(session.device.is_some(), "the pool remembers devices");
    (e, client, session)
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cognito-flows-session-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn get_session_refreshes_only_expired_tokens_and_keeps_the_rotated_token_and_device() {
    test_clock!(OFFSET, clock);
    let (e, client, mut session) = signed_in(clock, true);
    let before = session.clone();
    assert!(!client.get_session(&mut session).unwrap());
    assert_eq!(session, before, "valid tokens are left alone");

    an_hour_later(&e, &OFFSET);
    let expired = client.get_user(&session.tokens.access_token).unwrap_err();
    assert_eq!(expired.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert!(client.get_session(&mut session).unwrap());
    assert_ne!(session.refresh_token(), before.refresh_token(), "rotated");
    assert_eq!(session.device, before.device);
    assert!(session.is_valid(clock()));
    assert_eq!(
        client
            .get_user(&session.tokens.access_token)
            .unwrap()
            .username,
        "alice"
    );
    // The rotated-out token is refused now (no grace period).
    let mut stale = before.clone();
    assert_eq!(
        client.refresh(&mut stale).unwrap_err().service_kind(),
        Some(&ErrorKind::RefreshTokenReuse)
    );
}

#[test]
fn a_saved_session_is_refreshed_and_saved_again_then_signed_out_and_deleted() {
    test_clock!(OFFSET, clock);
    let (e, client, session) = signed_in(clock, false);
    let dir = temp("saved");
    let path = dir.join("session.json");
    save_session(&path, &session).unwrap();
    assert_eq!(client.saved_session(&path).unwrap(), session);

    an_hour_later(&e, &OFFSET);
    let refreshed = client.saved_session(&path).unwrap();
    assert_ne!(refreshed.refresh_token(), session.refresh_token());
    assert_eq!(load_session(&path).unwrap(), refreshed, "saved again");

    client.sign_out_saved(&path).unwrap();
    assert!(!path.exists());
    // Revoked: the refresh token brings no tokens any more, and a second sign-out is a no-op.
    let mut revoked = refreshed.clone();
    assert_eq!(
        client.refresh(&mut revoked).unwrap_err().service_kind(),
        Some(&ErrorKind::NotAuthorized)
    );
    client.sign_out_saved(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_expired_session_without_a_refresh_token_is_signed_out() {
    test_clock!(OFFSET, clock);
    let (e, client, mut session) = signed_in(clock, false);
    session.tokens.refresh_token = None;
    an_hour_later(&e, &OFFSET);
    assert!(matches!(
        client.get_session(&mut session),
        Err(DriveError::SignedOut)
    ));
    // Nothing to revoke: signing out succeeds without a request.
    client.sign_out(session).unwrap();
}
