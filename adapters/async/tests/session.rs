//! getSession and sign-out in one line on tokio and reqwest, against the emulator: the driver's
//! clock and the emulator's move together, so the tokens really expire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use cognito_flows::{ErrorKind, StoredSession};
use cognito_flows_async::{Client, Driver, ReqwestTransport, TokioSleep, no_prompt};
use cognito_flows_emulator::{ClientConfig, RefreshRotation};
use cognito_flows_testkit::emulator::{Fixture, Options};

static OFFSET: AtomicU64 = AtomicU64::new(0);

fn clock() -> SystemTime {
    SystemTime::now() + Duration::from_secs(OFFSET.load(Ordering::SeqCst))
}

#[tokio::test(flavor = "current_thread")]
async fn get_session_refreshes_when_expired_and_sign_out_revokes() {
    let Fixture {
        emulator: e, pool, ..
    } = Fixture::start(
        Options::default()
            .client(ClientConfig {
                refresh_rotation: Some(RefreshRotation {
                    retry_grace_seconds: 10,
                }),
                ..ClientConfig::default()
            })
            .user("alice", "Corr3ct-Horse!", &[]),
    );
    let driver = Driver::new(ReqwestTransport::new().unwrap(), TokioSleep).with_clock(clock);
    let client = Client::with_driver(pool, driver);
    let signed_in = client
        .sign_in_srp("alice", "Corr3ct-Horse!", no_prompt)
        .await
        .unwrap();
    let mut session = StoredSession::from(signed_in);
    let first = session.clone();
    assert!(!client.get_session(&mut session).await.unwrap());

    e.advance(Duration::from_secs(3600));
    OFFSET.fetch_add(3600, Ordering::SeqCst);
    assert!(client.get_session(&mut session).await.unwrap());
    assert_ne!(session.refresh_token(), first.refresh_token());
    client.get_user(&session.tokens.access_token).await.unwrap();

    let kept = session.clone();
    client.sign_out(session).await.unwrap();
    let mut revoked = kept;
    let error = client.refresh(&mut revoked).await.unwrap_err();
    assert_eq!(error.service_kind(), Some(&ErrorKind::NotAuthorized));
}
