//! Refresh token rotation and `GetTokensFromRefreshToken`, end to end: the core's refresh flow
//! against the emulator, on rotating and non-rotating app clients, the grace period on the
//! emulator's settable clock, and `REFRESH_TOKEN_AUTH` refused where Cognito refuses it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use cognito_flows::flows::RefreshMethod;
use cognito_flows::flows::account;
use cognito_flows::session::SessionCheck;
use cognito_flows::{Action, Entropy, Error, ErrorKind, Flow, SignIn, StoredSession, UserPool};
use cognito_flows_emulator::{ClientConfig, DeviceTracking, Emulator, PoolConfig, RefreshRotation};
use cognito_flows_testkit::emulator::{self, Fixture, Options};
use cognito_flows_testkit::no_prompt;

use common::{agent, send};

const PASSWORD: &str = "Passw0rd!";

/// Drives a flow that never prompts against the emulator, with the emulator's clock.
fn drive<F: Flow>(e: &Emulator, flow: F) -> Result<F::Output, Error> {
    emulator::drive(e, flow, no_prompt)
}

/// An emulator, a pool, an app client (rotating or not, with a secret or not) and a signed-in
/// alice.
fn signed_in(
    rotation: Option<RefreshRotation>,
    secret: bool,
    devices: DeviceTracking,
) -> (Emulator, UserPool, StoredSession) {
    let Fixture {
        emulator: e, pool, ..
    } = Fixture::start(
        Options::default()
            .pool(PoolConfig {
                device_tracking: devices,
                ..PoolConfig::default()
            })
            .client(ClientConfig {
                refresh_rotation: rotation,
                ..ClientConfig::default()
            })
            .secret_if(secret)
            .user("alice", PASSWORD, &[("email", "alice@example.com")]),
    );
    let flow = SignIn::user_srp(&pool, "alice", PASSWORD, Entropy::from([3; 32]));
    let session = StoredSession::from(drive(&e, flow).unwrap());
    (e, pool, session)
}

fn rotating(grace: u32) -> Option<RefreshRotation> {
    Some(RefreshRotation {
        retry_grace_seconds: grace,
    })
}

#[test]
fn a_rotating_client_answers_a_new_refresh_token_each_time() {
    let (e, pool, first) = signed_in(rotating(0), true, DeviceTracking::Off);
    let second = drive(&e, first.refresh(&pool).unwrap()).unwrap();
    let (old, new) = (
        first.refresh_token().unwrap(),
        second.refresh_token().unwrap(),
    );
    assert_ne!(old.expose(), new.expose());
    let third = drive(&e, second.refresh(&pool).unwrap()).unwrap();
    assert_ne!(third.refresh_token().unwrap().expose(), new.expose());
    // The new tokens work; the rotated-out refresh token (no grace) does not.
    drive(&e, account::get_user(&pool, &third.tokens.access_token)).unwrap();
    let reused = drive(&e, first.refresh(&pool).unwrap()).unwrap_err();
    assert_eq!(reused.service_kind(), Some(&ErrorKind::RefreshTokenReuse));
}

#[test]
fn the_old_refresh_token_is_accepted_for_the_grace_period_then_refused() {
    let (e, pool, first) = signed_in(rotating(30), false, DeviceTracking::Off);
    let second = drive(&e, first.refresh(&pool).unwrap()).unwrap();
    // A client-side retry within the grace period: accepted, with yet another token.
    e.advance(Duration::from_secs(29));
    let retried = drive(&e, first.refresh(&pool).unwrap()).unwrap();
    assert_ne!(
        retried.refresh_token().unwrap().expose(),
        second.refresh_token().unwrap().expose()
    );
    e.advance(Duration::from_secs(2));
    let late = drive(&e, first.refresh(&pool).unwrap()).unwrap_err();
    assert_eq!(late.service_kind(), Some(&ErrorKind::RefreshTokenReuse));
    // The tokens rotated in still refresh.
    drive(&e, second.refresh(&pool).unwrap()).unwrap();
}

#[test]
fn refresh_token_auth_is_refused_on_rotating_clients_only() {
    let (e, pool, session) = signed_in(rotating(0), false, DeviceTracking::Off);
    let initiate = pool
        .clone()
        .with_refresh_method(RefreshMethod::InitiateAuth);
    let refused = drive(&e, session.refresh(&initiate).unwrap()).unwrap_err();
    let Error::Service(service) = &refused else {
        panic!("{refused:?}")
    };
    assert_eq!(service.kind, ErrorKind::InvalidParameter);
    assert_eq!(
        service.message,
        "REFRESH_TOKEN_AUTH flow not enabled for this client"
    );
    // The plain SignIn refresh too.
    let username = session.username.clone();
    let token = session.refresh_token().unwrap().clone();
    let plain = SignIn::refresh(&pool, &username, token, Entropy::from([4; 32]));
    assert_eq!(
        drive(&e, plain).unwrap_err().service_kind(),
        Some(&ErrorKind::InvalidParameter)
    );

    // A client without rotation takes both, and sends no new refresh token.
    let (e, pool, session) = signed_in(None, true, DeviceTracking::Off);
    let refreshed = drive(&e, session.refresh(&pool).unwrap()).unwrap();
    assert_eq!(refreshed.refresh_token(), session.refresh_token());
    let initiate = pool
        .clone()
        .with_refresh_method(RefreshMethod::InitiateAuth);
    let again = drive(&e, session.refresh(&initiate).unwrap()).unwrap();
    assert_eq!(again.refresh_token(), session.refresh_token());
}

#[test]
fn a_remembered_device_is_sent_and_kept_through_rotation() {
    let (e, pool, session) = signed_in(rotating(5), false, DeviceTracking::Always);
    let device = session
        .device
        .clone()
        .expect("the sign-in confirmed the device");
    let refreshed = drive(&e, session.refresh(&pool).unwrap()).unwrap();
    assert_eq!(refreshed.device.as_ref(), Some(&device));
    let claims = refreshed.tokens.access_token.claims();
    assert_eq!(claims.str("device_key"), Some(device.device_key.as_str()));
    // A device the pool forgot is forgotten by the session, and the refresh goes on without it.
    drive(
        &e,
        account::forget_device(&pool, &refreshed.tokens.access_token, &device.device_key),
    )
    .unwrap();
    let without = drive(&e, refreshed.refresh(&pool).unwrap()).unwrap();
    assert_eq!(without.device, None);
}

#[test]
fn get_session_refreshes_only_expired_tokens_on_the_emulator_clock() {
    let (e, pool, session) = signed_in(rotating(0), false, DeviceTracking::Off);
    assert!(matches!(
        session.get_session(&pool, e.now()),
        SessionCheck::Valid
    ));
    e.advance(Duration::from_secs(3600));
    // The emulator refuses the expired access token; getSession brings new ones.
    let expired = drive(&e, account::get_user(&pool, &session.tokens.access_token)).unwrap_err();
    assert_eq!(expired.service_kind(), Some(&ErrorKind::NotAuthorized));
    let SessionCheck::Refresh(flow) = session.get_session(&pool, e.now()) else {
        panic!("expired tokens are not valid")
    };
    let fresh = drive(&e, flow).unwrap();
    assert!(fresh.is_valid(e.now()));
    assert_ne!(fresh.refresh_token(), session.refresh_token());
    drive(&e, account::get_user(&pool, &fresh.tokens.access_token)).unwrap();
    // Sign-out revokes the refresh token: it refreshes no more.
    drive(&e, fresh.sign_out(&pool).unwrap()).unwrap();
    let revoked = drive(&e, fresh.refresh(&pool).unwrap()).unwrap_err();
    assert_eq!(revoked.service_kind(), Some(&ErrorKind::NotAuthorized));
}

#[test]
fn hosted_ui_tokens_are_a_session_that_get_session_refreshes_and_the_token_grant_rotates() {
    use cognito_flows::flows::hosted_ui::HostedUi;
    use cognito_flows::{Input, Prompt};

    let redirect = "https://app.example/cb";
    let Fixture {
        emulator: e,
        pool,
        client_id,
        ..
    } = Fixture::start(
        Options::default()
            .client(ClientConfig {
                callback_urls: vec![redirect.into()],
                refresh_rotation: rotating(0),
                ..ClientConfig::default()
            })
            .user("lee", PASSWORD, &[("email", "lee@example.com")]),
    );
    let ui = HostedUi::new(e.endpoint(), client_id, redirect)
        .unwrap()
        .with_scopes(["openid", "email"]);
    let agent = agent();

    let mut flow = ui.authorize_with_state(Entropy::from([8; 32]), "/after/sign-in");
    let Action::Prompt(Prompt::Authorize { url }) = flow.poll_action() else {
        panic!()
    };
    // The emulator has no login page: credentials in the query, the redirect comes back at once.
    let url = format!("{url}&username=lee&password={PASSWORD}");
    let response = send(&agent, http::Request::get(url).body(Vec::new()).unwrap());
    let callback = response.headers()["location"].to_str().unwrap().to_owned();
    flow.handle_input(Input::Callback(callback)).unwrap();
    assert_eq!(flow.custom_state().as_deref(), Some("/after/sign-in"));
    let Action::Send(exchange) = flow.poll_action() else {
        panic!()
    };
    flow.handle_response(e.now(), send(&agent, exchange))
        .unwrap();
    let Action::Done(tokens) = flow.poll_action() else {
        panic!()
    };

    // Stored and checked like a sign-in's tokens.
    let session = StoredSession::from(tokens);
    assert_eq!(session.username, "lee");
    let json = serde_json::to_string(&session).unwrap();
    let session: StoredSession = serde_json::from_str(&json).unwrap();
    assert!(matches!(
        session.get_session(&pool, e.now()),
        SessionCheck::Valid
    ));
    e.advance(Duration::from_secs(3600));
    let SessionCheck::Refresh(refresh) = session.get_session(&pool, e.now()) else {
        panic!("expired")
    };
    let refreshed = drive(&e, refresh).unwrap();
    assert_ne!(refreshed.refresh_token(), session.refresh_token());
    assert!(refreshed.is_valid(e.now()));

    // The hosted UI's refresh grant rotates too, and the rotated-out token is refused after.
    let mut grant = ui.refresh(refreshed.refresh_token().unwrap().clone());
    let Action::Send(r) = grant.poll_action() else {
        panic!()
    };
    grant.handle_response(e.now(), send(&agent, r)).unwrap();
    let Action::Done(rotated) = grant.poll_action() else {
        panic!()
    };
    assert_ne!(rotated.refresh_token.as_ref(), refreshed.refresh_token());
    let reused = drive(&e, refreshed.refresh(&pool).unwrap()).unwrap_err();
    assert_eq!(reused.service_kind(), Some(&ErrorKind::RefreshTokenReuse));
}
