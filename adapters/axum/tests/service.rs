//! The example service on 127.0.0.1 against the embedded emulator's tokens and JWKS: valid,
//! expired, wrong client, wrong token use, no token, unknown kids (the JWKS fetches counted:
//! no storm), and a pool key revoked. Every server here is on 127.0.0.1 and stops with the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(
    clippy::disallowed_methods,
    reason = "live servers run on the real clock"
)]

#[allow(dead_code, reason = "the example's main is not run here")]
#[path = "../examples/service.rs"]
mod service;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use cognito_flows::UserPool;
use cognito_flows::verify::{FetchPolicy, Verifier, VerifyOptions};
use cognito_flows_axum::{BearerAuth, Verified};
use cognito_flows_emulator::{ClientConfig, Emulator};
use cognito_flows_testkit::emulator::{Fixture, Options};
use serde_json::{Value, json};

struct Setup {
    emulator: Emulator,
    pool: UserPool,
    client: String,
    other_client: String,
}

fn setup() -> Setup {
    let w = Fixture::start(Options::default().user("alice", "Passw0rd!", &[]));
    let other_client = w
        .another_client(ClientConfig::default())
        .client_id()
        .to_owned();
    Setup {
        emulator: w.emulator,
        pool: w.pool,
        client: w.client_id,
        other_client,
    }
}

/// (access token, id token) of alice through `client`.
async fn sign_in(s: &Setup, client: &str) -> (String, String) {
    let body = json!({
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": client,
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}
    });
    let text = reqwest::Client::new()
        .post(s.emulator.endpoint())
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.InitiateAuth",
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let result: Value = serde_json::from_str(&text).unwrap();
    let r = &result["AuthenticationResult"];
    (
        r["AccessToken"].as_str().unwrap().to_owned(),
        r["IdToken"].as_str().unwrap().to_owned(),
    )
}

/// Serves `app` on 127.0.0.1; the task ends with the test's runtime.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

struct Answer {
    status: u16,
    challenge: String,
    body: String,
}

async fn get_me(base: &str, authorization: Option<&str>) -> Answer {
    let mut request = reqwest::Client::new().get(format!("{base}/me"));
    if let Some(a) = authorization {
        request = request.header("authorization", a);
    }
    let response = request.send().await.unwrap();
    Answer {
        status: response.status().as_u16(),
        challenge: response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        body: response.text().await.unwrap(),
    }
}

fn invalid_token(description: &str) -> String {
    format!(r#"Bearer realm="api", error="invalid_token", error_description="{description}""#)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_expired_wrong_client_and_wrong_use() {
    let s = setup();
    // The JWKS straight from the emulator, through the pool's endpoint.
    let verifier = Verifier::new(&s.pool, VerifyOptions::access_tokens([s.client.clone()]));
    let auth = BearerAuth::new(Arc::new(verifier)).unwrap();
    let base = serve(service::app(&auth)).await;
    let (access, id) = sign_in(&s, &s.client).await;

    // Valid, with no hydrate: the first request fetches the keys.
    let ok = get_me(&base, Some(&format!("Bearer {access}"))).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let me: Value = serde_json::from_str(&ok.body).unwrap();
    assert_eq!(me["username"], "alice");
    // The scheme is case-insensitive.
    assert_eq!(
        get_me(&base, Some(&format!("bearer {access}")))
            .await
            .status,
        200
    );

    // No token, and not a Bearer token.
    let none = get_me(&base, None).await;
    assert_eq!(
        (none.status, none.challenge.as_str()),
        (401, r#"Bearer realm="api""#)
    );
    let basic = get_me(&base, Some("Basic YWxpY2U6cHc=")).await;
    assert_eq!(basic.status, 400);
    assert!(basic.challenge.contains(r#"error="invalid_request""#));

    // Expired: signed in two hours ago on the emulator's clock.
    s.emulator
        .set_clock(SystemTime::now() - Duration::from_secs(7200));
    let (old_access, _) = sign_in(&s, &s.client).await;
    let expired = get_me(&base, Some(&format!("Bearer {old_access}"))).await;
    assert_eq!(
        (expired.status, expired.challenge.as_str()),
        (401, invalid_token("the token expired").as_str())
    );
    s.emulator.set_clock(SystemTime::now());

    // Another app client of the same pool.
    let (other_access, _) = sign_in(&s, &s.other_client).await;
    let wrong_client = get_me(&base, Some(&format!("Bearer {other_access}"))).await;
    assert_eq!(
        (wrong_client.status, wrong_client.challenge.as_str()),
        (401, invalid_token("the token is not valid").as_str())
    );
    // An id token where an access token is required.
    let wrong_use = get_me(&base, Some(&format!("Bearer {id}"))).await;
    assert_eq!(
        (wrong_use.status, wrong_use.challenge.as_str()),
        (401, invalid_token("the token is not valid").as_str())
    );
    // Nothing of the token, nor of the check that failed, in the answers.
    for answer in [&expired, &wrong_client, &wrong_use] {
        assert!(answer.body.is_empty(), "{}", answer.body);
        assert!(!answer.challenge.contains("client"));
    }

    // The extractor alone, with the BearerAuth as the router's state.
    let app = Router::new()
        .route(
            "/me",
            get(|Verified(claims): Verified| async move {
                claims.username().unwrap_or_default().to_owned()
            }),
        )
        .with_state(auth.clone());
    let base = serve(app).await;
    let ok = get_me(&base, Some(&format!("Bearer {access}"))).await;
    assert_eq!((ok.status, ok.body.as_str()), (200, "alice"));
    let wrong_use = get_me(&base, Some(&format!("Bearer {id}"))).await;
    assert_eq!(wrong_use.status, 401);
}

/// The emulator's JWKS on another port, counting fetches, switchable to "k1 revoked".
struct JwksServer {
    url: String,
    hits: Arc<AtomicUsize>,
    revoked: Arc<AtomicBool>,
}

async fn jwks_server(jwks: Value) -> JwksServer {
    let hits = Arc::new(AtomicUsize::new(0));
    let revoked = Arc::new(AtomicBool::new(false));
    let (h, r) = (Arc::clone(&hits), Arc::clone(&revoked));
    let app = Router::new().route(
        "/jwks.json",
        get(move || {
            h.fetch_add(1, Ordering::SeqCst);
            let body = match r.load(Ordering::SeqCst) {
                true => json!({"keys": []}),
                false => jwks.clone(),
            };
            async move { axum::Json(body) }
        }),
    );
    let base = serve(app).await;
    JwksServer {
        url: format!("{base}/jwks.json"),
        hits,
        revoked,
    }
}

fn counted_auth(s: &Setup, jwks: &JwksServer, policy: FetchPolicy) -> BearerAuth {
    let verifier = Verifier::builder()
        .issuer(
            s.pool.issuer(),
            jwks.url.clone(),
            VerifyOptions::access_tokens([s.client.clone()]),
        )
        .fetch_policy(policy)
        .build();
    BearerAuth::new(Arc::new(verifier)).unwrap()
}

fn forged(s: &Setup, kid: &str) -> String {
    let header = json!({"alg": "RS256", "kid": kid});
    let claims = json!({"iss": s.pool.issuer(), "token_use": "access", "client_id": s.client,
                        "username": "root", "exp": 4_000_000_000u64});
    format!(
        "{}.{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string()),
        B64.encode([7u8; 256])
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kids_cause_no_fetch_storm() {
    let s = setup();
    let jwks = jwks_server(s.emulator.jwks()).await;
    let auth = counted_auth(&s, &jwks, FetchPolicy::default());
    assert_eq!(auth.hydrate().await.unwrap(), 1);
    assert_eq!(jwks.hits.load(Ordering::SeqCst), 1);
    let base = serve(service::app(&auth)).await;
    // 40 forged tokens at once, each with its own kid.
    let requests: Vec<_> = (0..40)
        .map(|i| {
            let (base, token) = (base.clone(), forged(&s, &format!("forged-{i}")));
            tokio::spawn(async move { get_me(&base, Some(&format!("Bearer {token}"))).await })
        })
        .collect();
    for r in requests {
        let answer = r.await.unwrap();
        assert_eq!(
            (answer.status, answer.challenge.as_str()),
            (401, invalid_token("the token is not valid").as_str())
        );
    }
    assert_eq!(
        jwks.hits.load(Ordering::SeqCst),
        1,
        "no fetch for forged kids"
    );
    let (access, _) = sign_in(&s, &s.client).await;
    assert_eq!(
        get_me(&base, Some(&format!("Bearer {access}")))
            .await
            .status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_pool_key_stops_being_trusted() {
    let s = setup();
    let jwks = jwks_server(s.emulator.jwks()).await;
    let (access, _) = sign_in(&s, &s.client).await;
    let bearer = format!("Bearer {access}");

    // Revocation picked up by a hydrate (a periodic refresh, say).
    let auth = counted_auth(&s, &jwks, FetchPolicy::default());
    auth.hydrate().await.unwrap();
    let base = serve(service::app(&auth)).await;
    assert_eq!(get_me(&base, Some(&bearer)).await.status, 200);
    jwks.revoked.store(true, Ordering::SeqCst);
    assert_eq!(auth.hydrate().await.unwrap(), 0);
    let refused = get_me(&base, Some(&bearer)).await;
    assert_eq!(
        (refused.status, refused.challenge.as_str()),
        (401, invalid_token("the token is not valid").as_str())
    );

    // Or by the fetch that a token naming an unknown key causes once the interval is over.
    jwks.revoked.store(false, Ordering::SeqCst);
    let policy = FetchPolicy {
        refetch_interval: Duration::ZERO,
        ..FetchPolicy::default()
    };
    let auth = counted_auth(&s, &jwks, policy);
    auth.hydrate().await.unwrap();
    let base = serve(service::app(&auth)).await;
    assert_eq!(get_me(&base, Some(&bearer)).await.status, 200);
    jwks.revoked.store(true, Ordering::SeqCst);
    let before = jwks.hits.load(Ordering::SeqCst);
    assert_eq!(
        get_me(&base, Some(&format!("Bearer {}", forged(&s, "new"))))
            .await
            .status,
        401
    );
    assert_eq!(jwks.hits.load(Ordering::SeqCst), before + 1);
    assert_eq!(get_me(&base, Some(&bearer)).await.status, 401);
}

/// A service calling another with a machine-to-machine token of the emulator: the route that
/// requires a scope the token has answers, the one that requires a scope it lacks answers 403
/// with RFC 6750's `insufficient_scope`, and a user's token (no such scope) gets the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_require_scopes_of_machine_tokens() {
    let w = Fixture::start(Options::default().user("alice", "Passw0rd!", &[]));
    let credentials = w
        .machine_client("orders", &["read", "write"])
        .with_scopes(["orders/read"]);
    let token = w.drive(credentials.token(), |_| panic!()).unwrap();
    let user_token = w.access_token("alice", "Passw0rd!");
    let verifier = Verifier::new(
        &w.pool,
        VerifyOptions::access_tokens([credentials.client_id(), w.client_id.as_str()]),
    );
    let auth = BearerAuth::new(Arc::new(verifier)).unwrap();
    let client = |claims: &cognito_flows::tokens::Claims| {
        claims.str("client_id").unwrap_or_default().to_owned()
    };
    let app = Router::new()
        .route(
            "/orders",
            get(
                move |axum::Extension(Verified(claims)): axum::Extension<Verified>| async move {
                    client(&claims)
                },
            ),
        )
        .layer(auth.layer().require_scopes(["orders/read"]))
        .merge(
            Router::new()
                .route("/orders/new", get(|| async { "created" }))
                .layer(auth.layer().require_scopes(["orders/write"])),
        );
    let base = serve(app).await;
    let get = |path: &'static str, token: String| {
        let base = base.clone();
        async move {
            let response = reqwest::Client::new()
                .get(format!("{base}{path}"))
                .header("authorization", format!("Bearer {token}"))
                .send()
                .await
                .unwrap();
            let challenge = response
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (
                response.status().as_u16(),
                challenge,
                response.text().await.unwrap(),
            )
        }
    };
    let machine = token.access_token.expose().to_owned();
    let (status, _, body) = get("/orders", machine.clone()).await;
    assert_eq!((status, body.as_str()), (200, credentials.client_id()));
    let insufficient = r#"Bearer realm="api", error="insufficient_scope", error_description="the token does not grant access to this resource""#;
    let (status, challenge, body) = get("/orders/new", machine).await;
    assert_eq!((status, challenge.as_str()), (403, insufficient));
    assert!(body.is_empty(), "{body}");
    let (status, challenge, _) = get("/orders", user_token).await;
    assert_eq!((status, challenge.as_str()), (403, insufficient));
}
