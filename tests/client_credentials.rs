//! The client-credentials grant (machine-to-machine): the exact requests (HTTP Basic and body
//! authentication), the token read from the answer, typed OAuth errors, the retries, the cache,
//! the secret never printed; and the grant end to end against the emulator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use cognito_flows::flows::client_credentials::{
    ClientAuth, ClientCredentials, MachineToken, TokenCache,
};
use cognito_flows::flows::hosted_ui::OAuthErrorCode;
use cognito_flows::retry::{Decision, RetryPolicy, Retrying, TransportFailure};
use cognito_flows::{Action, Entropy, Error, Flow};
use common::*;
use serde_json::json;

const DOMAIN: &str = "https://example.auth.us-east-1.amazoncognito.com";

fn credentials() -> ClientCredentials {
    ClientCredentials::new(DOMAIN, "1example23456789", "the-client-secret").unwrap()
}

fn pending<F: Flow>(flow: &F) -> http::Request<Vec<u8>> {
    match flow.poll_action() {
        Action::Send(request) => request,
        _ => panic!("no request pending"),
    }
}

/// An answer of the token endpoint: an access token issued 10 s before `now()` by Cognito's
/// clock, for an hour.
fn answer(scope: &str) -> http::Response<Vec<u8>> {
    let iat = NOW_SECS - 10;
    let access = jwt(
        &json!({"sub": "1example23456789", "client_id": "1example23456789",
                             "token_use": "access", "scope": scope, "iat": iat, "exp": iat + 3600}),
    );
    ok(json!({"access_token": access, "expires_in": 3600, "token_type": "Bearer"}))
}

#[test]
fn basic_and_body_authentication_send_exactly_this() {
    let basic = credentials().with_scopes(["orders/read", "orders/write"]);
    let body = credentials().with_auth(ClientAuth::Body);
    let text = format!(
        "{}\n{}",
        canonical(&pending(&basic.token())),
        canonical(&pending(&body.token()))
    );
    insta::assert_snapshot!(text);
}

#[test]
fn the_answer_is_a_token_with_its_expiry_and_scopes() {
    let mut call = credentials().token();
    call.handle_response(now(), answer("orders/read orders/write"))
        .unwrap();
    let Action::Done(token) = call.poll_action() else {
        panic!("no token")
    };
    assert_eq!(token.scopes, ["orders/read", "orders/write"]);
    assert!(token.has_scope("orders/write"));
    assert!(!token.has_scope("orders/admin"));
    // Issued 10 s before it arrived by Cognito's clock: it expires an hour after it arrived,
    // in this machine's clock.
    assert_eq!(token.expires_at, now() + Duration::from_secs(3600));
    assert_eq!(
        token.access_token.claims().str("client_id"),
        Some("1example23456789")
    );
}

#[test]
fn oauth_errors_are_typed() {
    for (code, expected) in [
        ("invalid_client", OAuthErrorCode::InvalidClient),
        ("unauthorized_client", OAuthErrorCode::UnauthorizedClient),
        ("invalid_scope", OAuthErrorCode::InvalidScope),
    ] {
        let mut call = credentials().token();
        let refusal = raw(400, format!(r#"{{"error":"{code}"}}"#).as_bytes());
        let Err(Error::OAuth(error)) = call.handle_response(now(), refusal) else {
            panic!("{code} is not an OAuth error")
        };
        assert_eq!(error.code, expected);
        assert!(matches!(
            call.poll_action(),
            Action::Failed(Error::OAuth(_))
        ));
    }
}

/// A 5xx or a connection that may have been used: the same request again, after a wait, as for
/// every OAuth call (a second token harms no one).
#[test]
fn the_request_is_sent_again_after_a_5xx_or_a_transport_failure() {
    let mut flow = Retrying::new(
        credentials().token(),
        RetryPolicy::default(),
        Entropy::from([9; 32]),
    );
    let first = pending(&flow);
    flow.handle_response(now(), raw(503, b"Service Unavailable"))
        .unwrap();
    let Action::Wait(delay) = flow.poll_action() else {
        panic!("no wait after a 503")
    };
    flow.handle_timeout(now() + delay);
    assert_eq!(canonical(&pending(&flow)), canonical(&first));
    let decision = flow.handle_transport_error(now() + delay, TransportFailure::MaybeSent);
    assert!(matches!(decision, Decision::Retry(_)), "{decision:?}");
    let Action::Wait(delay2) = flow.poll_action() else {
        panic!("no wait after a transport failure")
    };
    flow.handle_timeout(now() + delay + delay2);
    assert_eq!(canonical(&pending(&flow)), canonical(&first));
    flow.handle_response(now(), answer("orders/read")).unwrap();
    assert!(matches!(flow.poll_action(), Action::Done(_)));
}

#[test]
fn the_cache_answers_the_token_until_its_margin() {
    let mut call = credentials().token();
    call.handle_response(now(), answer("orders/read")).unwrap();
    let Action::Done(token) = call.poll_action() else {
        panic!()
    };
    let mut cache = TokenCache::new();
    assert!(cache.get(now()).is_none());
    cache.store(token.clone());
    assert_eq!(cache.get(now()), Some(&token));
    // Valid for an hour; renewed a minute before.
    let almost = now() + Duration::from_secs(3600 - 61);
    assert_eq!(cache.get(almost), Some(&token));
    assert!(cache.get(now() + Duration::from_secs(3600 - 60)).is_none());
    assert!(cache.get(now() + Duration::from_secs(7200)).is_none());
    let wide = TokenCache::new().with_margin(Duration::from_secs(1800));
    let mut wide = wide;
    wide.store(token);
    assert!(wide.get(now() + Duration::from_secs(1800)).is_none());
    cache.clear();
    assert!(cache.get(now()).is_none());
}

#[test]
fn the_secret_is_never_printed() {
    for auth in [ClientAuth::Basic, ClientAuth::Body] {
        let c = credentials().with_auth(auth);
        let call = c.token();
        for printed in [
            format!("{c:?}"),
            format!("{call:?}"),
            format!("{:?}", call.poll_action()),
        ] {
            assert!(!printed.contains("the-client-secret"), "{printed}");
            // base64("1example23456789:the-client-secret") starts with this.
            assert!(!printed.contains("MWV4YW1wbGUy"), "{printed}");
        }
    }
}

#[test]
fn a_domain_that_is_not_a_url_is_refused() {
    assert!(ClientCredentials::new("example.auth.amazoncognito.com", "c", "s").is_err());
    assert!(ClientCredentials::new("ftp://example.com", "c", "s").is_err());
}

/// Against the emulator (the testkit's resource server and confidential M2M client): the grant
/// with Basic and with body authentication, and a scope the client is not allowed.
#[test]
fn the_emulator_grants_a_machine_token() {
    use cognito_flows_testkit::emulator::Fixture;
    let w = Fixture::new();
    let credentials = w.machine_client("orders", &["read", "write"]);
    let token: MachineToken = w.drive(credentials.token(), |_| panic!()).unwrap();
    assert_eq!(token.scopes, ["orders/read", "orders/write"]);
    assert!(token.expires_at > w.emulator.now());

    let body = credentials
        .clone()
        .with_auth(ClientAuth::Body)
        .with_scopes(["orders/write"]);
    let token = w.drive(body.token(), |_| panic!()).unwrap();
    assert_eq!(token.scopes, ["orders/write"]);
    assert_eq!(token.access_token.claims().username(), None);

    let Err(Error::OAuth(error)) = w.drive(
        credentials.with_scopes(["orders/admin"]).token(),
        |_| panic!(),
    ) else {
        panic!("a scope the client is not allowed was granted")
    };
    assert_eq!(error.code, OAuthErrorCode::InvalidScope);
}

proptest::proptest! {
    /// Whatever the id, secret and scopes: the request names the client, carries exactly the
    /// secret (in the Basic header, or form-encoded in the body) and exactly the scopes, and
    /// nothing printed shows the secret.
    #[test]
    fn any_credentials_make_a_request_that_carries_them_exactly(
        id in "[A-Za-z0-9]{1,40}",
        secret in "[ -~]{8,64}",
        scopes in proptest::collection::vec("[!#-\\[\\]-~]{1,30}", 0..4),
        body in proptest::bool::ANY,
    ) {
        use base64::Engine as _;
        let auth = if body { ClientAuth::Body } else { ClientAuth::Basic };
        let c = ClientCredentials::new(DOMAIN, id.clone(), secret.clone())
            .unwrap()
            .with_auth(auth)
            .with_scopes(scopes.clone());
        let call = c.token();
        let request = pending(&call);
        let form: Vec<(String, String)> = url::form_urlencoded::parse(request.body())
            .into_owned()
            .collect();
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        proptest::prop_assert_eq!(field("grant_type"), Some("client_credentials".to_owned()));
        proptest::prop_assert_eq!(field("client_id"), Some(id.clone()));
        let joined = scopes.join(" ");
        proptest::prop_assert_eq!(field("scope"), (!joined.is_empty()).then_some(joined));
        let basic = request
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned());
        if body {
            proptest::prop_assert_eq!(field("client_secret"), Some(secret.clone()));
            proptest::prop_assert!(basic.is_none());
        } else {
            proptest::prop_assert!(field("client_secret").is_none());
            let encoded = basic.unwrap();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.strip_prefix("Basic ").unwrap())
                .unwrap();
            proptest::prop_assert_eq!(decoded, format!("{id}:{secret}").into_bytes());
            proptest::prop_assert!(request.headers()["authorization"].is_sensitive());
        }
        for printed in [format!("{c:?}"), format!("{call:?}"), format!("{:?}", call.poll_action())] {
            proptest::prop_assert!(!printed.contains(&secret), "{}", printed);
        }
    }
}
