//! Sessions on canned answers: the refresh with `GetTokensFromRefreshToken` (rotation, the
//! fallback for servers without it, a forgotten device), `get_session`, sign-out, the JS SDK's
//! storage and cookies, and hosted-UI tokens kept as a session. Exact requests are snapshots.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, UNIX_EPOCH};

use cognito_flows::flows::hosted_ui::{HostedUi, custom_state};
use cognito_flows::flows::{DeviceCredentials, RefreshMethod};
use cognito_flows::session::SessionCheck;
use cognito_flows::storage::Saved;
use cognito_flows::storage::cookie::{CookieError, CookieStorage, SameSite, parse_cookie_header};
use cognito_flows::{
    Action, Entropy, Error, ErrorKind, Flow, Input, SignIn, StoredSession, UserPool,
};
use common::*;
use serde_json::json;

fn pool() -> UserPool {
    UserPool::new("us-east-1_AbC123def", "client")
        .unwrap()
        .with_client_secret("client-secret")
}

fn device() -> DeviceCredentials {
    DeviceCredentials {
        device_key: "us-east-1_d3v1c3".into(),
        device_group_key: "-g".into(),
        password: "device password".into(),
    }
}

/// A session signed in at the fixed clock, with a refresh token and a remembered device.
fn session(pool: &UserPool) -> StoredSession {
    let mut flow = SignIn::user_password(pool, "alice", "pw", Entropy::from([1; 32]));
    flow.handle_response(now(), ok(tokens_answer("alice", true)))
        .unwrap();
    let Action::Done(signed_in) = flow.poll_action() else {
        panic!()
    };
    let mut session = StoredSession::from(signed_in);
    session.device = Some(device());
    session
}

fn rotated(token: &str) -> serde_json::Value {
    let mut answer = tokens_answer("alice", false);
    answer["AuthenticationResult"]["RefreshToken"] = json!(token);
    answer
}

fn send<F: Flow>(flow: &F) -> http::Request<Vec<u8>> {
    match flow.poll_action() {
        Action::Send(r) => r,
        _ => panic!("not sending"),
    }
}

/// Every request of the refresh paths and of sign-out, as canonical text.
#[test]
fn refresh_and_sign_out_send_exactly_this() {
    let p = pool();
    let s = session(&p);
    let mut out = String::new();

    // The default: GetTokensFromRefreshToken with the client secret, the device key, metadata.
    let mut flow = s
        .refresh(&p)
        .unwrap()
        .with_client_metadata([("app".to_owned(), "cli".to_owned())].into());
    out.push_str(&canonical(&send(&flow)));
    // A server without the operation: once more as REFRESH_TOKEN_AUTH (SECRET_HASH, DEVICE_KEY).
    flow.handle_response(
        now(),
        error(400, "UnknownOperationException", "unknown operation"),
    )
    .unwrap();
    out.push_str(&canonical(&send(&flow)));

    // Chosen up front on the pool: REFRESH_TOKEN_AUTH only.
    let initiate = p.clone().with_refresh_method(RefreshMethod::InitiateAuth);
    out.push_str(&canonical(&send(&s.refresh(&initiate).unwrap())));

    // The device is gone: the same request without DeviceKey.
    let mut flow = s.refresh(&p).unwrap();
    flow.handle_response(
        now(),
        error(400, "ResourceNotFoundException", "Device does not exist."),
    )
    .unwrap();
    out.push_str(&canonical(&send(&flow)));

    // Sign-out: RevokeToken with the client secret.
    out.push_str(&canonical(&send(&s.sign_out(&p).unwrap())));
    insta::assert_snapshot!(out);
}

#[test]
fn a_rotated_refresh_token_replaces_the_old_one_and_the_device_is_kept() {
    let p = pool();
    let s = session(&p);
    let mut flow = s.refresh(&p).unwrap();
    flow.handle_response(now() + Duration::from_secs(60), ok(rotated("rotated-1")))
        .unwrap();
    let Action::Done(refreshed) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(refreshed.refresh_token().unwrap().expose(), "rotated-1");
    assert_eq!(refreshed.device, Some(device()));
    assert_eq!(refreshed.username, "alice");
    // Rotated again from the new one.
    let mut again = refreshed.refresh(&p).unwrap();
    assert_eq!(testing_body(&send(&again))["RefreshToken"], "rotated-1");
    again
        .handle_response(now(), ok(rotated("rotated-2")))
        .unwrap();
    let Action::Done(twice) = again.poll_action() else {
        panic!()
    };
    assert_eq!(twice.refresh_token().unwrap().expose(), "rotated-2");
}

fn testing_body(request: &http::Request<Vec<u8>>) -> serde_json::Value {
    body(request)
}

#[test]
fn without_rotation_the_refresh_token_is_kept() {
    let p = pool();
    let s = session(&p);
    let mut flow = s.refresh(&p).unwrap();
    flow.handle_response(now(), ok(tokens_answer("alice", false)))
        .unwrap();
    let Action::Done(refreshed) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(
        refreshed.refresh_token().unwrap().expose(),
        "refresh-token-opaque"
    );
}

#[test]
fn only_an_unknown_operation_falls_back_and_only_once() {
    let p = pool();
    let s = session(&p);
    // Cognito said no: no second method.
    let mut flow = s.refresh(&p).unwrap();
    let e = flow
        .handle_response(
            now(),
            error(400, "NotAuthorizedException", "Invalid Refresh Token"),
        )
        .unwrap_err();
    assert_eq!(e.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert!(matches!(flow.poll_action(), Action::Failed(_)));
    // A 404 from a proxy falls back; the second method's refusal ends it.
    let mut flow = s.refresh(&p).unwrap();
    flow.handle_response(now(), raw(404, b"<html>not found</html>"))
        .unwrap();
    assert_eq!(
        send(&flow).headers()["x-amz-target"],
        "AWSCognitoIdentityProviderService.InitiateAuth"
    );
    let e = flow
        .handle_response(
            now(),
            error(400, "UnknownOperationException", "unknown operation"),
        )
        .unwrap_err();
    assert!(matches!(e, Error::Service(_)), "{e:?}");
    assert!(matches!(flow.poll_action(), Action::Failed(_)));
}

#[test]
fn a_device_cognito_forgot_is_forgotten_by_the_session() {
    let p = pool();
    let s = session(&p);
    let mut flow = s.refresh(&p).unwrap();
    flow.handle_response(
        now(),
        error(400, "ResourceNotFoundException", "Device does not exist."),
    )
    .unwrap();
    assert!(testing_body(&send(&flow)).get("DeviceKey").is_none());
    flow.handle_response(now(), ok(tokens_answer("alice", false)))
        .unwrap();
    let Action::Done(refreshed) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(refreshed.device, None);
    // Without a device to forget, the same answer ends the refresh.
    let mut plain = s.clone();
    plain.device = None;
    let mut flow = plain.refresh(&p).unwrap();
    assert!(
        flow.handle_response(
            now(),
            error(400, "ResourceNotFoundException", "Device does not exist.")
        )
        .is_err()
    );
}

#[test]
fn get_session_answers_valid_refresh_or_signed_out_with_the_clock_drift() {
    let p = pool();
    let s = session(&p);
    assert!(matches!(s.get_session(&p, now()), SessionCheck::Valid));
    // Within the margin of the expiry: refresh.
    let late = now() + Duration::from_secs(3600) - StoredSession::REFRESH_MARGIN;
    assert!(matches!(s.get_session(&p, late), SessionCheck::Refresh(_)));
    // This machine's clock is 10 minutes ahead of Cognito's: the drift keeps the tokens valid
    // when this clock says 50 minutes later, not when Cognito's does.
    let mut flow = SignIn::user_password(&p, "alice", "pw", Entropy::from([1; 32]));
    flow.handle_response(
        now() + Duration::from_secs(600),
        ok(tokens_answer("alice", true)),
    )
    .unwrap();
    let Action::Done(signed_in) = flow.poll_action() else {
        panic!()
    };
    let ahead = StoredSession::from(signed_in);
    assert_eq!(ahead.tokens.clock_drift, 600);
    assert!(matches!(
        ahead.get_session(&p, now() + Duration::from_secs(600 + 3000)),
        SessionCheck::Valid
    ));
    // Expired without a refresh token: signed out.
    let mut no_refresh = s.clone();
    no_refresh.tokens.refresh_token = None;
    assert!(matches!(
        no_refresh.get_session(&p, now() + Duration::from_secs(7200)),
        SessionCheck::SignedOut
    ));
    assert!(no_refresh.sign_out(&p).is_none());
    // The refresh does not print the tokens it carries.
    let SessionCheck::Refresh(flow) = s.get_session(&p, late) else {
        panic!()
    };
    let printed = format!("{flow:?}");
    assert!(!printed.contains("refresh-token-opaque"), "{printed}");
    assert!(
        !printed.contains(s.tokens.access_token.expose()),
        "{printed}"
    );
    assert!(!printed.contains("device password"), "{printed}");
}

#[test]
fn js_storage_and_stored_sessions_convert_both_ways() {
    let p = pool();
    let mut s = session(&p);
    s.tokens.clock_drift = -42;
    let items = s.storage_items(p.client_id());
    let names: Vec<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
    for key in [
        "CognitoIdentityServiceProvider.client.alice.idToken",
        "CognitoIdentityServiceProvider.client.alice.accessToken",
        "CognitoIdentityServiceProvider.client.alice.refreshToken",
        "CognitoIdentityServiceProvider.client.alice.clockDrift",
        "CognitoIdentityServiceProvider.client.alice.deviceKey",
        "CognitoIdentityServiceProvider.client.alice.deviceGroupKey",
        "CognitoIdentityServiceProvider.client.alice.randomPasswordKey",
        "CognitoIdentityServiceProvider.client.LastAuthUser",
    ] {
        assert!(names.contains(&key), "{key} missing from {names:?}");
    }
    let store: std::collections::BTreeMap<String, String> = items
        .into_iter()
        .map(|(k, v)| (k, v.expose().to_owned()))
        .collect();
    let saved = Saved::read(p.client_id(), |k| store.get(k).cloned()).unwrap();
    assert_eq!(saved.clock_drift, -42);
    let restored = saved.clone().into_session().unwrap();
    assert_eq!(restored.username, "alice");
    assert_eq!(restored.device, Some(device()));
    assert_eq!(restored.tokens.clock_drift, -42);
    assert_eq!(restored.tokens.access_token, s.tokens.access_token);
    assert_eq!(restored.tokens.id_token, s.tokens.id_token);
    assert_eq!(restored.tokens.refresh_token, s.tokens.refresh_token);
    assert_eq!(restored.tokens.expires_at(), s.tokens.expires_at());
    assert_eq!(Saved::from(&restored), saved);
    // Nothing stored but the user: no session.
    let only_user = [(
        "CognitoIdentityServiceProvider.client.LastAuthUser".to_owned(),
        "alice".to_owned(),
    )];
    let bare = Saved::read(p.client_id(), |k| {
        only_user
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    })
    .unwrap();
    assert!(bare.into_session().is_none());
}

#[test]
fn cookies_are_written_and_read_as_js_cookie_does() {
    let at = UNIX_EPOCH + Duration::from_secs(NOW_SECS);
    let storage = CookieStorage::new()
        .with_domain("app.example")
        .with_path("/app")
        .with_expires_days(Some(7))
        .with_same_site(SameSite::Lax)
        .unwrap();
    // js-cookie: encodeURIComponent, then #$&+/:<=>?@[]^`{|} back for values and #$&+^`| for
    // names, whose ( ) are escaped.
    let cookie = storage.set_cookie("a(b) c;d#$", "v =;,\"é#$&+/:<=>?@[]^`{|}", at);
    assert_eq!(
        cookie.expose(),
        "a%28b%29%20c%3Bd#$=v%20=%3B%2C%22%C3%A9#$&+/:<=>?@[]^`{|}; path=/app; \
         expires=Tue, 01 Dec 2026 08:05:07 GMT; domain=app.example; secure; sameSite=lax"
    );
    let header = cookie.expose().split("; path").next().unwrap().to_owned();
    let jar = parse_cookie_header(&header);
    assert_eq!(jar["a(b) c;d#$"].expose(), "v =;,\"é#$&+/:<=>?@[]^`{|}");
    assert_eq!(
        storage.remove_cookie("x", at),
        "x=; path=/app; expires=Mon, 23 Nov 2026 08:05:07 GMT; domain=app.example; secure; sameSite=lax"
    );
    // Session cookies, no secure.
    let plain = CookieStorage::new()
        .with_expires_days(None)
        .with_secure(false);
    assert_eq!(plain.set_cookie("k", "v", at).expose(), "k=v; path=/");
    assert_eq!(
        CookieStorage::new()
            .with_secure(false)
            .with_same_site(SameSite::None),
        Err(CookieError::SameSiteNoneNeedsSecure)
    );
    // Reading: quotes dropped, the first of a name kept, undecodable cookies skipped.
    let jar = parse_cookie_header("a=\"x%20y\"; a=second; b=%E2%82%AC; c=%FF; %FF=1; d=e=f");
    assert_eq!(jar["a"].expose(), "x y");
    assert_eq!(jar["b"].expose(), "€");
    assert_eq!(jar["d"].expose(), "e=f");
    assert!(!jar.contains_key("c"));
    assert_eq!(jar.len(), 3);
}

#[test]
fn a_session_survives_cookies_both_ways() {
    let p = pool();
    let s = session(&p);
    let storage = CookieStorage::new();
    let cookies = storage.set_cookies(&s.storage_items(p.client_id()), now());
    // The browser sends back name=value pairs.
    let header: Vec<String> = cookies
        .iter()
        .map(|c| c.expose().split("; ").next().unwrap().to_owned())
        .collect();
    let saved = Saved::from_cookie_header(p.client_id(), &header.join("; ")).unwrap();
    let restored = saved.into_session().unwrap();
    assert_eq!(restored.tokens.access_token, s.tokens.access_token);
    assert_eq!(restored.device, s.device);
    assert!(matches!(
        restored.get_session(&p, now()),
        SessionCheck::Valid
    ));
}

#[test]
fn hosted_ui_tokens_are_a_session_with_their_scopes_and_state() {
    let ui = HostedUi::new(
        "https://example.auth.us-east-1.amazoncognito.com",
        "client",
        "https://app.example/cb",
    )
    .unwrap()
    .with_scopes(["openid", "email", "profile"]);
    assert_eq!(ui.scopes(), ["openid", "email", "profile"]);
    let mut flow = ui.authorize_with_state(Entropy::from([4; 32]), "/orders/42?x=1");
    assert_eq!(flow.scopes(), ["openid", "email", "profile"]);
    assert_eq!(flow.custom_state().as_deref(), Some("/orders/42?x=1"));
    let Action::Prompt(cognito_flows::Prompt::Authorize { url }) = flow.poll_action() else {
        panic!()
    };
    let url = url::Url::parse(&url).unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(custom_state(&state).as_deref(), Some("/orders/42?x=1"));
    // A forged state with other data is refused: the whole state is checked.
    let forged = format!("{}.{}", state.split('.').next().unwrap(), "2f61646d696e");
    assert!(
        flow.handle_input(Input::Callback(format!(
            "https://app.example/cb?code=c&state={forged}"
        )))
        .is_err()
    );
    flow.handle_input(Input::Callback(format!(
        "https://app.example/cb?code=c&state={state}"
    )))
    .unwrap();
    let r = tokens_answer("alice", true);
    let r = &r["AuthenticationResult"];
    flow.handle_response(
        now(),
        ok(json!({"access_token": r["AccessToken"], "id_token": r["IdToken"], "refresh_token": "rt", "expires_in": 3600, "token_type": "Bearer"})),
    )
    .unwrap();
    let Action::Done(tokens) = flow.poll_action() else {
        panic!()
    };
    let session = StoredSession::from(tokens);
    assert_eq!(session.username, "alice");
    let json = serde_json::to_string(&session).unwrap();
    let session: StoredSession = serde_json::from_str(&json).unwrap();
    let p = pool();
    assert!(matches!(
        session.get_session(&p, now()),
        SessionCheck::Valid
    ));
    let SessionCheck::Refresh(refresh) = session.get_session(&p, now() + Duration::from_secs(3600))
    else {
        panic!()
    };
    assert_eq!(testing_body(&send(&refresh))["RefreshToken"], "rt");
    assert_eq!(custom_state("no-data-here"), None);
}
