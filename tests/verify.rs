//! Verifying tokens: every refusal with its own error, the JWKS fetch and its rate limit, and
//! real tokens from moto and from the emulator.
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

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use cognito_flows::UserPool;
use cognito_flows::verify::{Verification, Verifier, VerifyError, VerifyOptions};
use common::{jwks, sign_jwt as sign, signed_jwt, test_key as key, verifier};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

use common::TEST_ISSUER as ISSUER;
const NOW: u64 = 1_795_507_507;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn access_claims() -> Value {
    json!({"iss": ISSUER, "token_use": "access", "client_id": "client-1", "sub": "5b1c", "username": "alice",
           "iat": NOW - 10, "exp": NOW + 3600, "scope": "aws.cognito.signin.user.admin openid", "cognito:groups": ["admins"]})
}

fn token(claims: &Value) -> String {
    signed_jwt(claims)
}

fn refused(v: &Verifier, token: &str) -> VerifyError {
    match v.verify(token, now()) {
        Verification::Invalid(e) => e,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_good_token_passes_with_its_claims() {
    let mut options = VerifyOptions::access_tokens(["client-1"]);
    options.required_groups = vec!["admins".into()];
    options.required_scopes = vec!["openid".into()];
    let Verification::Valid(claims) = verifier(options).verify(&token(&access_claims()), now())
    else {
        panic!()
    };
    assert_eq!(claims.username(), Some("alice"));
}

#[test]
fn every_check_has_its_own_error() {
    let v = verifier(VerifyOptions::access_tokens(["client-1"]));
    let with = |k: &str, val: Value| {
        let mut c = access_claims();
        c[k] = val;
        token(&c)
    };
    assert_eq!(
        refused(
            &v,
            &with("iss", json!("https://evil.example/us-east-1_AbC123"))
        ),
        VerifyError::WrongIssuer("https://evil.example/us-east-1_AbC123".into())
    );
    assert_eq!(
        refused(&v, &with("token_use", json!("id"))),
        VerifyError::WrongTokenUse {
            expected: "access",
            found: "id".into()
        }
    );
    assert_eq!(
        refused(&v, &with("client_id", json!("other"))),
        VerifyError::WrongAudience("other".into())
    );
    assert_eq!(
        refused(&v, &with("exp", json!(NOW - 61))),
        VerifyError::Expired {
            exp: (NOW - 61) as i64
        }
    );
    // Within the leeway, still valid.
    assert!(matches!(
        v.verify(&with("exp", json!(NOW - 59)), now()),
        Verification::Valid(_)
    ));
    assert_eq!(
        refused(&v, &with("nbf", json!(NOW + 3600))),
        VerifyError::NotYetValid
    );
    assert_eq!(
        refused(&v, &with("iat", json!(NOW + 3600))),
        VerifyError::NotYetValid
    );
    let mut no_exp = access_claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        refused(&v, &token(&no_exp)),
        VerifyError::MissingClaim("exp")
    );

    let ids = verifier(VerifyOptions::id_tokens(["client-1"]));
    let id = token(&json!({"iss": ISSUER, "token_use": "id", "aud": "client-9", "exp": NOW + 10}));
    assert_eq!(
        refused(&ids, &id),
        VerifyError::WrongAudience("client-9".into())
    );

    let mut options = VerifyOptions::access_tokens(["client-1"]);
    options.required_groups = vec!["owners".into()];
    assert_eq!(
        refused(&verifier(options), &token(&access_claims())),
        VerifyError::MissingGroup("owners".into())
    );
    let mut options = VerifyOptions::access_tokens(["client-1"]);
    options.required_scopes = vec!["email".into()];
    assert_eq!(
        refused(&verifier(options), &token(&access_claims())),
        VerifyError::MissingScope("email".into())
    );
}

#[test]
fn forged_tampered_and_trick_tokens_are_refused() {
    let v = verifier(VerifyOptions::access_tokens(["client-1"]));
    let good = token(&access_claims());
    // Another key, same kid.
    let forged = sign(
        &key(2),
        &json!({"alg": "RS256", "kid": "k1"}),
        &access_claims(),
    );
    assert_eq!(refused(&v, &forged), VerifyError::BadSignature);
    // A payload swapped under a valid signature.
    let mut parts: Vec<&str> = good.split('.').collect();
    let mut evil = access_claims();
    evil["username"] = json!("root");
    let evil_payload = B64.encode(evil.to_string());
    parts[1] = &evil_payload;
    assert_eq!(refused(&v, &parts.join(".")), VerifyError::BadSignature);
    // alg: none.
    let none = format!(
        "{}.{}.",
        B64.encode(r#"{"alg":"none","kid":"k1"}"#),
        B64.encode(access_claims().to_string())
    );
    assert_eq!(
        refused(&v, &none),
        VerifyError::UnsupportedAlgorithm("none".into())
    );
    // HS256 keyed with the public key's bytes.
    let input = format!(
        "{}.{}",
        B64.encode(r#"{"alg":"HS256","kid":"k1"}"#),
        B64.encode(access_claims().to_string())
    );
    let public = key(1).to_public_key().n_bytes();
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&public).unwrap();
    mac.update(input.as_bytes());
    let hs = format!("{input}.{}", B64.encode(mac.finalize().into_bytes()));
    assert_eq!(
        refused(&v, &hs),
        VerifyError::UnsupportedAlgorithm("HS256".into())
    );
    // No kid.
    assert_eq!(
        refused(
            &v,
            &sign(&key(1), &json!({"alg": "RS256"}), &access_claims())
        ),
        VerifyError::MissingKeyId
    );
    // Garbage.
    for junk in ["", "a.b", "a.b.c.d", "!!!.e30.sig", "e30.!!!.sig"] {
        assert!(
            matches!(
                refused(&v, junk),
                VerifyError::Malformed(_) | VerifyError::UnsupportedAlgorithm(_)
            ),
            "{junk}"
        );
    }
    assert!(!format!("{}", refused(&v, &forged)).contains(&forged[..20]));
}

#[test]
fn unknown_keys_are_fetched_at_most_once_per_interval() {
    let pool = UserPool::new("us-east-1_AbC123", "client-1").unwrap();
    let mut v = Verifier::new(&pool, VerifyOptions::access_tokens(["client-1"]));
    let rotated = sign(
        &key(2),
        &json!({"alg": "RS256", "kid": "k2"}),
        &access_claims(),
    );
    // Nothing cached: fetch.
    let Verification::FetchKeys(request) = v.verify(&rotated, now()) else {
        panic!()
    };
    assert_eq!(
        request.uri().to_string(),
        format!("{ISSUER}/.well-known/jwks.json")
    );
    v.handle_jwks_response(now(), jwks(&[("k1", &key(1))]))
        .unwrap();
    // Still unknown within the interval: refused, no second fetch.
    assert_eq!(refused(&v, &rotated), VerifyError::UnknownKey("k2".into()));
    // After the interval, one more fetch: the rotated key arrives.
    let later = now() + Duration::from_secs(301);
    let Verification::FetchKeys(_) = v.verify(&rotated, later) else {
        panic!()
    };
    v.handle_jwks_response(later, jwks(&[("k1", &key(1)), ("k2", &key(2))]))
        .unwrap();
    assert_eq!(v.key_count(), 2);
    assert!(matches!(v.verify(&rotated, later), Verification::Valid(_)));
    // Bad JWKS answers are typed.
    assert!(matches!(
        v.handle_jwks_response(later, http::Response::new(b"<html>".to_vec())),
        Err(VerifyError::InvalidJwks(_))
    ));
}

fn live_verify(issuer: &str, jwks_url: &str, token: &str, options: VerifyOptions) -> Verification {
    let mut v = Verifier::with_issuer(issuer, options);
    let agent = common::live::agent();
    let response = common::live::send(
        &agent,
        http::Request::get(jwks_url).body(Vec::new()).unwrap(),
    );
    v.handle_jwks_response(SystemTime::now(), response).unwrap();
    v.verify(token, SystemTime::now())
}

#[test]
fn moto_tokens_verify_against_motos_jwks() {
    use cognito_flows_testkit::{ClientOptions, Moto, PoolOptions};
    let moto = Moto::start();
    let pool = moto.create_pool(PoolOptions::default());
    let client = moto.create_client(&pool.id, ClientOptions::default());
    moto.create_confirmed_user(&pool.id, "alice", "Corr3ct-Horse!", &[]);
    let tokens = moto
        .password_auth(&client, "alice", "Corr3ct-Horse!")
        .unwrap();
    let access = tokens["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap();
    let iss = cognito_flows::Jwt::decode(access)
        .unwrap()
        .claims()
        .str("iss")
        .unwrap()
        .to_owned();
    let jwks_url = format!("{}{}/.well-known/jwks.json", moto.endpoint(), pool.id);
    let v = live_verify(
        &iss,
        &jwks_url,
        access,
        VerifyOptions::access_tokens([client.id.clone()]),
    );
    assert!(matches!(v, Verification::Valid(_)), "{v:?}");
    let id = tokens["AuthenticationResult"]["IdToken"].as_str().unwrap();
    let v = live_verify(
        &iss,
        &jwks_url,
        id,
        VerifyOptions::id_tokens([client.id.clone()]),
    );
    assert!(matches!(v, Verification::Valid(_)), "{v:?}");
    let v = live_verify(
        &iss,
        &jwks_url,
        id,
        VerifyOptions::access_tokens([client.id]),
    );
    assert!(
        matches!(v, Verification::Invalid(VerifyError::WrongTokenUse { .. })),
        "{v:?}"
    );
}
