//! The hosted UI's callback checks: the state before anything else (a forged `error=` cannot end
//! the flow), the id token's nonce (implicit and code flows), the time implicit tokens arrived,
//! and custom-scheme redirect URIs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, SystemTime};

use cognito_flows::flows::hosted_ui::{
    CallbackError, HostedUi, OAuthErrorCode, ResponseType, parse_callback,
};
use cognito_flows::{Action, Entropy, Error, Flow, Input, Prompt};
use common::*;
use serde_json::json;

const DOMAIN: &str = "https://example.auth.us-east-1.amazoncognito.com";
const REDIRECT: &str = "https://app.example/callback";

fn ui(redirect: &str) -> HostedUi {
    HostedUi::new(DOMAIN, "client", redirect).unwrap()
}

fn param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

fn authorize_url(flow: &impl Flow) -> String {
    match flow.poll_action() {
        Action::Prompt(Prompt::Authorize { url }) => url,
        _ => panic!("no authorize prompt"),
    }
}

fn waiting(flow: &impl Flow) -> bool {
    matches!(flow.poll_action(), Action::Prompt(Prompt::Authorize { .. }))
}

#[test]
fn a_forged_error_without_the_state_is_refused_and_the_real_callback_still_works() {
    let mut flow = ui(REDIRECT).authorize(Entropy::from([1; 32]));
    let state = param(&authorize_url(&flow), "state");
    for forged in [
        format!("{REDIRECT}?error=access_denied"),
        format!("{REDIRECT}?error=access_denied&state=not-ours"),
    ] {
        let err = flow.handle_input(Input::Callback(forged.clone()));
        assert!(matches!(err, Err(Error::Callback(_))), "{forged}: {err:?}");
        assert!(waiting(&flow), "{forged}");
    }
    flow.handle_input(Input::Callback(format!("{REDIRECT}?code=c&state={state}")))
        .unwrap();
    assert!(matches!(flow.poll_action(), Action::Send(_)));

    // The hosted UI's own error, with our state, ends the flow.
    let mut flow = ui(REDIRECT).authorize(Entropy::from([2; 32]));
    let state = param(&authorize_url(&flow), "state");
    let err = flow
        .handle_input(Input::Callback(format!(
            "{REDIRECT}?error=access_denied&state={state}"
        )))
        .unwrap_err();
    assert!(
        matches!(err, Error::OAuth(ref e) if e.code == OAuthErrorCode::AccessDenied),
        "{err:?}"
    );
    assert!(matches!(
        flow.poll_action(),
        Action::Failed(Error::OAuth(_))
    ));
}

#[test]
fn custom_scheme_redirect_uris_match_on_scheme_host_port_and_path() {
    let app = "com.example.app://callback";
    let mut flow = ui(app).authorize(Entropy::from([3; 32]));
    let state = param(&authorize_url(&flow), "state");
    for (url, expected) in [
        ("com.example.app://callback?code=c", Ok(())),
        (
            "com.example.app://other?code=c",
            Err(CallbackError::WrongRedirect),
        ),
        (
            "com.evil.app://callback?code=c",
            Err(CallbackError::WrongRedirect),
        ),
        (
            "com.example.app://callback/more?code=c",
            Err(CallbackError::WrongRedirect),
        ),
        (
            "com.example.app://callback:8443?code=c",
            Err(CallbackError::WrongRedirect),
        ),
    ] {
        assert_eq!(parse_callback(url, app).map(|_| ()), expected, "{url}");
    }
    for (url, redirect) in [
        ("http://127.0.0.1:8080/cb?x=1", "http://127.0.0.1:8080/cb"),
        ("https://app.example:443/callback", REDIRECT),
        ("myapp:/callback?code=c", "myapp:/callback"),
    ] {
        assert!(parse_callback(url, redirect).is_ok(), "{url}");
    }
    for (url, redirect) in [
        ("http://127.0.0.1:8081/cb", "http://127.0.0.1:8080/cb"),
        ("http://app.example/callback", REDIRECT),
    ] {
        assert_eq!(
            parse_callback(url, redirect),
            Err(CallbackError::WrongRedirect),
            "{url}"
        );
    }
    flow.handle_input(Input::Callback(format!("{app}?code=c&state={state}")))
        .unwrap();
    let Action::Send(request) = flow.poll_action() else {
        panic!()
    };
    let body = String::from_utf8(request.body().clone()).unwrap();
    assert!(
        body.contains("redirect_uri=com.example.app%3A%2F%2Fcallback"),
        "{body}"
    );
}

fn implicit_callback(state: &str, nonce: Option<&str>) -> String {
    let access = jwt(&json!({"sub": "x", "iat": 1_700_000_000, "exp": 1_700_003_600}));
    let mut claims = json!({"sub": "x", "iat": 1_700_000_000, "exp": 1_700_003_600});
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    let id = jwt(&claims);
    format!(
        "{REDIRECT}#access_token={access}&id_token={id}&token_type=Bearer&expires_in=3600&state={state}"
    )
}

#[test]
fn the_implicit_flow_checks_the_nonce_and_records_when_the_tokens_arrived() {
    let ui = ui(REDIRECT).with_response_type(ResponseType::Token);
    let mut flow = ui.authorize(Entropy::from([4; 32]));
    let url = authorize_url(&flow);
    let (state, nonce) = (param(&url, "state"), param(&url, "nonce"));
    assert_eq!(nonce, flow.nonce());
    for bad in [None, Some("another-nonce"), Some("")] {
        let err = flow.handle_input(Input::Callback(implicit_callback(&state, bad)));
        assert_eq!(
            err,
            Err(Error::Callback(CallbackError::NonceMismatch)),
            "{bad:?}"
        );
        assert!(waiting(&flow));
    }
    // The tokens arrived 25 s after they were issued (by this machine's clock).
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_025);
    flow.handle_input(Input::Callback(implicit_callback(&state, Some(&nonce))).at(now))
        .unwrap();
    let Action::Done(tokens) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(tokens.received_at, 1_700_000_025);
    assert_eq!(tokens.clock_drift, 25);
    assert!(tokens.id_token.is_some());
}

#[test]
fn the_code_flow_refuses_an_id_token_with_another_nonce() {
    let run = |nonce: Option<&str>| {
        let mut flow = ui(REDIRECT).authorize(Entropy::from([5; 32]));
        let url = authorize_url(&flow);
        let state = param(&url, "state");
        flow.handle_input(Input::Callback(format!("{REDIRECT}?code=c&state={state}")))
            .unwrap();
        let ours = param(&url, "nonce");
        let mut claims = json!({"sub": "x", "iat": 1_700_000_000, "exp": 1_700_003_600});
        match nonce {
            Some("ours") => claims["nonce"] = json!(ours),
            Some(other) => claims["nonce"] = json!(other),
            None => {}
        }
        let access = jwt(&json!({"sub": "x", "iat": 1_700_000_000, "exp": 1_700_003_600}));
        let answer = json!({"access_token": access, "id_token": jwt(&claims), "expires_in": 3600, "token_type": "Bearer"});
        let result = flow.handle_response(now(), ok(answer));
        (result, flow.poll_action())
    };
    let (result, action) = run(Some("injected"));
    assert_eq!(result, Err(Error::Callback(CallbackError::NonceMismatch)));
    assert!(matches!(action, Action::Failed(_)));
    assert!(matches!(run(Some("ours")).1, Action::Done(_)));
    // Without a nonce claim the PKCE-bound answer is taken as it is.
    assert!(matches!(run(None).1, Action::Done(_)));
}
