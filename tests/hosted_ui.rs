//! The hosted UI flows: the exact authorize URL and token requests, the callback parser's edge
//! cases, PKCE's invariant, OAuth errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_flows::flows::hosted_ui::{
    CallbackError, HostedUi, OAuthErrorCode, ResponseType, Revoked, parse_callback,
};
use cognito_flows::{Action, Entropy, Error, Flow, Input, Prompt};
use common::*;
use proptest::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};

const DOMAIN: &str = "https://example.auth.us-east-1.amazoncognito.com";
const REDIRECT: &str = "https://app.example/callback";

fn ui() -> HostedUi {
    HostedUi::new(DOMAIN, "client", REDIRECT)
        .unwrap()
        .with_scopes(["openid", "email"])
}

fn url_of(flow: &impl Flow) -> String {
    match flow.poll_action() {
        Action::Prompt(Prompt::Authorize { url }) => url,
        _ => panic!("no authorize prompt"),
    }
}

fn param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

fn canonical_form(request: &http::Request<Vec<u8>>) -> String {
    let mut headers: Vec<String> = request
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap()))
        .collect();
    headers.sort();
    format!(
        "{} {}\n{}\n\n{}\n",
        request.method(),
        request.uri(),
        headers.join("\n"),
        String::from_utf8_lossy(request.body())
    )
}

fn token_answer() -> serde_json::Value {
    let t = tokens_answer("alice", true);
    let r = &t["AuthenticationResult"];
    json!({"access_token": r["AccessToken"], "id_token": r["IdToken"], "refresh_token": "rt", "expires_in": 3600, "token_type": "Bearer"})
}

#[test]
fn the_code_flow_with_pkce_and_a_client_secret() {
    let ui = ui()
        .with_client_secret("s3cret")
        .with_identity_provider("Google");
    let mut flow = ui.authorize(Entropy::from([1; 32]));
    let url = url_of(&flow);
    let state = param(&url, "state");
    flow.handle_input(Input::Callback(format!(
        "{REDIRECT}?code=the-code&state={state}"
    )))
    .unwrap();
    let Action::Send(request) = flow.poll_action() else {
        panic!()
    };
    let exchange = canonical_form(&request);
    let verifier = url::form_urlencoded::parse(request.body())
        .find(|(k, _)| k == "code_verifier")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(
        param(&url, "code_challenge"),
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
    );
    flow.handle_response(now(), ok(token_answer())).unwrap();
    let Action::Done(tokens) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(tokens.refresh_token.unwrap().expose(), "rt");
    assert!(tokens.id_token.is_some());
    insta::assert_snapshot!(format!("{url}\n\n{exchange}"));
}

#[test]
fn refresh_revoke_user_info_and_logout() {
    let ui = ui();
    let mut refresh = ui.refresh("rt".into());
    let Action::Send(r) = refresh.poll_action() else {
        panic!()
    };
    let mut text = canonical_form(&r);
    let mut answer = token_answer();
    answer.as_object_mut().unwrap().remove("refresh_token");
    refresh.handle_response(now(), ok(answer)).unwrap();
    // The outcome's type is known when the call is built: a refresh ends in tokens.
    let Action::Done(t) = refresh.poll_action() else {
        panic!()
    };
    assert_eq!(
        t.refresh_token.unwrap().expose(),
        "rt",
        "the refresh token is kept"
    );
    let mut revoke = ui.revoke(&"rt".into());
    let Action::Send(r) = revoke.poll_action() else {
        panic!()
    };
    text.push_str(&canonical_form(&r));
    revoke.handle_response(now(), raw(200, b"")).unwrap();
    assert!(matches!(revoke.poll_action(), Action::Done(Revoked)));
    let access = cognito_flows::Jwt::decode(jwt(&json!({"sub": "x"}))).unwrap();
    let mut info = ui.user_info(&access);
    let Action::Send(r) = info.poll_action() else {
        panic!()
    };
    assert_eq!(
        r.headers()["authorization"],
        format!("Bearer {}", access.expose())
    );
    info.handle_response(now(), ok(json!({"sub": "x", "email": "a@e.com"})))
        .unwrap();
    let Action::Done(claims) = info.poll_action() else {
        panic!()
    };
    assert_eq!(claims["email"], "a@e.com");
    text.push_str(&ui.logout_url("https://app.example/signed-out"));
    insta::assert_snapshot!(text);
}

#[test]
fn the_implicit_flow_reads_the_fragment() {
    let ui = ui().with_response_type(ResponseType::Token);
    let mut flow = ui.authorize(Entropy::from([2; 32]));
    let url = url_of(&flow);
    assert!(!url.contains("code_challenge"));
    let state = param(&url, "state");
    let access = jwt(&json!({"sub": "x", "exp": 9_999_999_999u64}));
    flow.handle_input(Input::Callback(format!(
        "{REDIRECT}#access_token={access}&token_type=Bearer&expires_in=3600&state={state}"
    )))
    .unwrap();
    let Action::Done(tokens) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(tokens.expires_in, Some(3600));
    assert!(tokens.refresh_token.is_none());
}

#[test]
fn bad_callbacks_are_refused_and_the_flow_keeps_waiting() {
    let mut flow = ui().authorize(Entropy::from([3; 32]));
    let state = param(&url_of(&flow), "state");
    let cases = [
        ("not a url".to_owned(), CallbackError::NotAUrl),
        (
            format!("https://evil.example/callback?code=c&state={state}"),
            CallbackError::WrongRedirect,
        ),
        (
            format!("{REDIRECT}/other?code=c&state={state}"),
            CallbackError::WrongRedirect,
        ),
        (format!("{REDIRECT}?code=c"), CallbackError::MissingState),
        (
            format!("{REDIRECT}?code=c&state=forged"),
            CallbackError::StateMismatch,
        ),
        (
            format!("{REDIRECT}?state={state}"),
            CallbackError::MissingCode,
        ),
        (
            format!("{REDIRECT}?code=a&code=b&state={state}"),
            CallbackError::DuplicateParameter,
        ),
    ];
    for (url, expected) in cases {
        assert_eq!(
            flow.handle_input(Input::Callback(url.clone())),
            Err(Error::Callback(expected)),
            "{url}"
        );
        assert!(
            matches!(flow.poll_action(), Action::Prompt(Prompt::Authorize { .. })),
            "{url}"
        );
    }
    // The real one still works.
    flow.handle_input(Input::Callback(format!("{REDIRECT}?code=c&state={state}")))
        .unwrap();
}

#[test]
fn oauth_errors_are_typed() {
    let mut flow = ui().authorize(Entropy::from([4; 32]));
    let state = param(&url_of(&flow), "state");
    let err = flow
        .handle_input(Input::Callback(format!(
            "{REDIRECT}?error=access_denied&error_description=User+cancelled&state={state}"
        )))
        .unwrap_err();
    let Error::OAuth(e) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (e.code, e.description.as_deref()),
        (OAuthErrorCode::AccessDenied, Some("User cancelled"))
    );
    assert!(matches!(
        flow.poll_action(),
        Action::Failed(Error::OAuth(_))
    ));

    let mut flow = ui().authorize(Entropy::from([5; 32]));
    let state = param(&url_of(&flow), "state");
    flow.handle_input(Input::Callback(format!("{REDIRECT}?code=c&state={state}")))
        .unwrap();
    let err = flow
        .handle_response(now(), raw(400, br#"{"error":"invalid_grant"}"#))
        .unwrap_err();
    assert!(
        matches!(err, Error::OAuth(ref e) if e.code == OAuthErrorCode::InvalidGrant),
        "{err:?}"
    );
    let mut flow = ui().refresh("r".into());
    let err = flow
        .handle_response(now(), raw(502, b"<html>"))
        .unwrap_err();
    assert!(matches!(err, Error::Protocol(_)), "{err:?}");
}

proptest! {
    #[test]
    fn pkce_challenge_is_always_the_hash_of_the_verifier(seed in any::<[u8; 32]>()) {
        let mut flow = ui().authorize(Entropy::from(seed));
        let url = url_of(&flow);
        let state = param(&url, "state");
        prop_assert!(state.len() >= 22);
        flow.handle_input(Input::Callback(format!("{REDIRECT}?code=c&state={state}"))).unwrap();
        let Action::Send(request) = flow.poll_action() else { panic!() };
        let verifier = url::form_urlencoded::parse(request.body()).find(|(k, _)| k == "code_verifier").unwrap().1.into_owned();
        prop_assert_eq!(verifier.len(), 43);
        prop_assert_eq!(param(&url, "code_challenge"), URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())));
    }

    #[test]
    fn the_callback_parser_never_panics(url in "\\PC{0,200}", redirect in prop::sample::select(vec![REDIRECT, "x", "https://a/b"])) {
        let _ = parse_callback(&url, redirect);
    }
}

/// An unusable answer of the hosted UI names the endpoint it came from (it used to say
/// `InitiateAuth`), and the endpoint of every request the hosted UI sends is known.
#[test]
fn hosted_ui_errors_and_requests_name_their_endpoint() {
    use cognito_flows::wire::Endpoint;
    let mut refresh = ui().refresh("r".into());
    let Action::Send(request) = refresh.poll_action() else {
        panic!()
    };
    assert_eq!(Endpoint::of(&request), Some(Endpoint::OAuthToken));
    let err = refresh
        .handle_response(now(), raw(200, b"<html>"))
        .unwrap_err();
    let Error::Protocol(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.endpoint, Endpoint::OAuthToken);
    assert!(err.to_string().contains("OAuth token"), "{err}");

    let mut revoke = ui().revoke(&"r".into());
    let Action::Send(request) = revoke.poll_action() else {
        panic!()
    };
    assert_eq!(Endpoint::of(&request), Some(Endpoint::OAuthRevoke));
    let access = jwt(&json!({"token_use": "access"}));
    let info = ui().user_info(&cognito_flows::Jwt::decode(access).unwrap());
    let Action::Send(request) = info.poll_action() else {
        panic!()
    };
    assert_eq!(Endpoint::of(&request), Some(Endpoint::UserInfo));
    let _ = revoke.handle_response(now(), raw(200, b""));
}

#[test]
fn hosted_ui_tokens_are_tokens_kept_and_checked_like_a_sign_ins() {
    use std::time::Duration;
    // Cognito's clock runs 30 s behind this machine's: the token endpoint's tokens were
    // issued at NOW - 30 and expire an hour later.
    let iat = NOW_SECS - 30;
    let access = jwt(
        &json!({"sub": "u", "token_use": "access", "username": "alice",
        "scope": "openid email", "iat": iat, "exp": iat + 3600}),
    );
    let mut refresh = ui().refresh("rt".into());
    refresh
        .handle_response(
            now(),
            ok(json!({"access_token": access, "expires_in": 3600, "token_type": "Bearer"})),
        )
        .unwrap();
    let Action::Done(tokens) = refresh.poll_action() else {
        panic!()
    };
    let tokens: cognito_flows::Tokens = tokens;
    // No openid scope answer: no id token, and the scopes read as granted.
    assert_eq!(tokens.id_token, None);
    assert_eq!(tokens.scopes(), ["openid", "email"]);
    assert_eq!(tokens.username(), Some("alice"));
    // Expiry corrects for the drift, as a sign-in's tokens do.
    assert_eq!(tokens.clock_drift, 30);
    assert_eq!(tokens.expires_at(), now() + Duration::from_secs(3600));
    assert!(tokens.is_valid(now() + Duration::from_secs(3599)));
    assert!(!tokens.is_valid(now() + Duration::from_secs(3600)));
    // Stored and read back whole (the refresh token given is kept).
    let stored = serde_json::to_string(&tokens).unwrap();
    let back: cognito_flows::Tokens = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, tokens);
    assert_eq!(back.refresh_token.unwrap().expose(), "rt");
}
