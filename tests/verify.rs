//! Verifying tokens: every refusal with its own error, the JWKS fetch protocol under attack
//! (forged kids, a JWKS endpoint that is down, removed keys), strict encoding, several pools,
//! threads, the cache of verified tokens, and real tokens from moto.
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

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use cognito_flows::UserPool;
use cognito_flows::verify::{
    CustomCheck, FetchPolicy, JwksFetch, Verification, Verifier, VerifyError, VerifyOptions,
};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

use common::{jwks, sign_jwt as sign, test_key as key};

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123";
const NOW: u64 = 1_795_507_507;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn access_claims() -> Value {
    json!({"iss": ISSUER, "token_use": "access", "client_id": "client-1", "sub": "5b1c", "username": "alice",
           "iat": NOW - 10, "exp": NOW + 3600, "scope": "aws.cognito.signin.user.admin openid", "cognito:groups": ["admins"]})
}

fn token(claims: &Value) -> String {
    sign(&key(1), &json!({"alg": "RS256", "kid": "k1"}), claims)
}

fn pool() -> UserPool {
    UserPool::new("us-east-1_AbC123", "client-1").unwrap()
}

/// Answers every fetch the verifier asks for at startup with `response`.
fn load(v: &Verifier, at: SystemTime, response: http::Response<Vec<u8>>) -> usize {
    let fetches = v.hydrate(at);
    assert_eq!(fetches.len(), 1);
    v.handle_jwks_response(at, &fetches[0], response).unwrap()
}

fn verifier(options: VerifyOptions) -> Verifier {
    let v = Verifier::new(&pool(), options);
    load(
        &v,
        now() - Duration::from_secs(3600),
        jwks(&[("k1", &key(1))]),
    );
    v
}

fn fetch(v: &Verifier, token: &str, at: SystemTime) -> JwksFetch {
    match v.verify(token, at) {
        Verification::FetchKeys(fetch) => fetch,
        other => panic!("expected a fetch, got {other:?}"),
    }
}

fn refused_at(v: &Verifier, token: &str, at: SystemTime) -> VerifyError {
    match v.verify(token, at) {
        Verification::Invalid(e) => e,
        other => panic!("{other:?}"),
    }
}

fn valid_at(v: &Verifier, token: &str, at: SystemTime) -> cognito_flows::tokens::Claims {
    match v.verify(token, at) {
        Verification::Valid(claims) => claims,
        other => panic!("{other:?}"),
    }
}

fn signed_with(n: u8, kid: &str) -> String {
    sign(
        &key(n),
        &json!({"alg": "RS256", "kid": kid}),
        &access_claims(),
    )
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
    let v = Verifier::new(&pool(), VerifyOptions::access_tokens(["client-1"]));
    let rotated = signed_with(2, "k2");
    // Nothing cached: fetch.
    let first = fetch(&v, &rotated, now());
    assert_eq!(first.uri(), format!("{ISSUER}/.well-known/jwks.json"));
    assert_eq!(first.request().method(), http::Method::GET);
    assert_eq!(
        v.handle_jwks_response(now(), &first, jwks(&[("k1", &key(1))])),
        Ok(1)
    );
    // Still unknown within the interval: refused, no second fetch.
    assert_eq!(refused(&v, &rotated), VerifyError::UnknownKey("k2".into()));
    // After the interval (10 s by default), one more fetch: the rotated key arrives.
    let later = now() + Duration::from_secs(11);
    let second = fetch(&v, &rotated, later);
    v.handle_jwks_response(later, &second, jwks(&[("k1", &key(1)), ("k2", &key(2))]))
        .unwrap();
    assert_eq!(v.key_count(), 2);
    valid_at(&v, &rotated, later);
}

/// Regression: `last_fetch` was set only when a response was handled, so every forged kid
/// answered `FetchKeys` while a fetch was out.
#[test]
fn forged_kids_cause_one_fetch_in_flight_and_none_in_the_penalty_box() {
    let v = verifier(VerifyOptions::access_tokens(["client-1"]));
    let t0 = now();
    let mut fetches = Vec::new();
    for (i, second) in (0..40u64).enumerate() {
        let at = t0 + Duration::from_secs(second / 8);
        match v.verify(&signed_with(1, &format!("forged-{i}")), at) {
            Verification::FetchKeys(f) => fetches.push(f),
            Verification::Invalid(VerifyError::UnknownKey(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    // One fetch, issued for the first forged kid and never answered: single flight.
    assert_eq!(fetches.len(), 1);
    // Answered: the penalty box holds for 10 s from the attempt.
    v.handle_jwks_response(
        t0 + Duration::from_secs(5),
        &fetches[0],
        jwks(&[("k1", &key(1))]),
    )
    .unwrap();
    for second in 5..10 {
        assert_eq!(
            refused_at(
                &v,
                &signed_with(1, "forged-x"),
                t0 + Duration::from_secs(second)
            ),
            VerifyError::UnknownKey("forged-x".into())
        );
    }
    let again = fetch(
        &v,
        &signed_with(1, "forged-y"),
        t0 + Duration::from_secs(10),
    );
    v.handle_jwks_response(
        t0 + Duration::from_secs(10),
        &again,
        jwks(&[("k1", &key(1))]),
    )
    .unwrap();
    // Good tokens were never held up.
    valid_at(&v, &token(&access_claims()), t0 + Duration::from_secs(10));
}

/// Regression: a transport error was never recorded, so while the endpoint was down every
/// forged token cost one outbound fetch.
#[test]
fn failed_fetches_back_off_and_lost_fetches_time_out() {
    let policy = FetchPolicy {
        refetch_interval: Duration::from_secs(10),
        max_backoff: Duration::from_secs(60),
        ..FetchPolicy::default()
    };
    let v = Verifier::builder()
        .pool(&pool(), VerifyOptions::access_tokens(["client-1"]))
        .fetch_policy(policy)
        .build();
    let good = token(&access_claims());
    let t0 = now();
    let at = |s: u64| t0 + Duration::from_secs(s);
    // The endpoint is down: each failure doubles the wait (10, 20, 40, then 60 at most).
    let mut issued = Vec::new();
    for s in 0..300 {
        if let Verification::FetchKeys(f) = v.verify(&good, at(s)) {
            issued.push(s);
            let e = v.handle_jwks_failure(at(s), &f, "connection refused");
            assert_eq!(e, VerifyError::JwksFetch("connection refused".into()));
            assert_eq!(
                e.to_string(),
                "could not fetch the JWKS: connection refused"
            );
        }
    }
    assert_eq!(issued, [0, 20, 60, 120, 180, 240]);
    // An error status and a body that is no JWKS are failures too.
    let f = fetch(&v, &good, at(300));
    let mut unavailable = http::Response::new(b"{}".to_vec());
    *unavailable.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
    assert_eq!(
        v.handle_jwks_response(at(300), &f, unavailable),
        Err(VerifyError::InvalidJwks("HTTP 503".into()))
    );
    assert_eq!(
        refused_at(&v, &good, at(359)),
        VerifyError::UnknownKey("k1".into())
    );
    // A fetch that is issued and never handled blocks others until its timeout (30 s), then
    // counts as failed.
    let lost = fetch(&v, &good, at(360));
    drop(lost);
    assert_eq!(
        refused_at(&v, &good, at(389)),
        VerifyError::UnknownKey("k1".into())
    );
    assert_eq!(
        refused_at(&v, &good, at(390)),
        VerifyError::UnknownKey("k1".into())
    );
    // Back up: one success resets the backoff.
    let f = fetch(&v, &good, at(420));
    v.handle_jwks_response(at(420), &f, jwks(&[("k1", &key(1))]))
        .unwrap();
    valid_at(&v, &good, at(420));
    let f = fetch(&v, &signed_with(2, "k2"), at(430));
    v.handle_jwks_response(at(430), &f, jwks(&[("k1", &key(1))]))
        .unwrap();
}

/// Regression: the key set only grew, so a key removed from the JWKS stayed trusted forever.
#[test]
fn keys_removed_from_the_jwks_stop_being_trusted() {
    let v = verifier(VerifyOptions::access_tokens(["client-1"]));
    let old = token(&access_claims());
    valid_at(&v, &old, now());
    // k1 is revoked: the next fetch (for the new key k2) replaces the set.
    let f = fetch(&v, &signed_with(2, "k2"), now());
    v.handle_jwks_response(now(), &f, jwks(&[("k2", &key(2))]))
        .unwrap();
    assert_eq!(v.key_count(), 1);
    valid_at(&v, &signed_with(2, "k2"), now());
    assert_eq!(refused(&v, &old), VerifyError::UnknownKey("k1".into()));

    // With a grace period, a removed key is trusted for that long, then no more.
    let policy = FetchPolicy {
        removed_key_grace: Duration::from_secs(120),
        ..FetchPolicy::default()
    };
    let v = Verifier::builder()
        .pool(&pool(), VerifyOptions::access_tokens(["client-1"]))
        .fetch_policy(policy)
        .build();
    load(&v, now(), jwks(&[("k1", &key(1))]));
    let later = now() + Duration::from_secs(60);
    let f = fetch(&v, &signed_with(2, "k2"), later);
    v.handle_jwks_response(later, &f, jwks(&[("k2", &key(2))]))
        .unwrap();
    assert_eq!(v.key_count(), 2);
    valid_at(&v, &old, later + Duration::from_secs(119));
    // Past the grace period, k1 is unknown: a fetch is due, and the JWKS still lacks k1.
    let end = later + Duration::from_secs(120);
    let f = fetch(&v, &old, end);
    v.handle_jwks_response(end, &f, jwks(&[("k2", &key(2))]))
        .unwrap();
    assert_eq!(v.key_count(), 1);
    assert_eq!(
        refused_at(&v, &old, end + Duration::from_secs(1)),
        VerifyError::UnknownKey("k1".into())
    );
}

/// Regression: padding was trimmed, so `sig`, `sig=` and `sig=====` all verified.
#[test]
fn every_part_is_strict_base64url_without_padding() {
    let v = verifier(VerifyOptions::access_tokens(["client-1"]));
    let good = token(&access_claims());
    valid_at(&v, &good, now());
    let parts: Vec<&str> = good.split('.').collect();
    let with = |i: usize, part: &str| {
        let mut p = parts.clone();
        p[i] = part;
        p.join(".")
    };
    for (i, part) in parts.iter().enumerate() {
        for pad in ["=", "==", "=====", "%3D"] {
            let padded = format!("{}{pad}", part);
            assert!(
                matches!(refused(&v, &with(i, &padded)), VerifyError::Malformed(_)),
                "part {i} with {pad}"
            );
        }
        // Standard base64 characters are not base64url.
        let std_alphabet = part.replace('-', "+").replace('_', "/");
        if std_alphabet != *part {
            assert!(matches!(
                refused(&v, &with(i, &std_alphabet)),
                VerifyError::Malformed(_)
            ));
        }
    }
    // A 256-byte signature ends in 2 bits of padding: other values of them are refused.
    let sig = parts[2];
    let last = sig.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.find(last).unwrap();
    let twin = alphabet.chars().nth(index ^ 1).unwrap();
    let tweaked = format!("{}{twin}", &sig[..sig.len() - 1]);
    assert!(matches!(
        refused(&v, &with(2, &tweaked)),
        VerifyError::Malformed(_)
    ));
    // A signature of the wrong length (a leading zero byte added) is refused.
    let mut long = vec![0u8];
    long.extend(B64.decode(sig).unwrap());
    assert_eq!(
        refused(&v, &with(2, &B64.encode(&long))),
        VerifyError::BadSignature
    );
    // No part may be missing or extra.
    assert!(matches!(
        refused(&v, &format!("{good}.")),
        VerifyError::Malformed(_)
    ));
    assert!(matches!(
        refused(&v, &"A".repeat(17 * 1024)),
        VerifyError::Malformed(_)
    ));
}

#[test]
fn crit_headers_are_refused() {
    let v = verifier(VerifyOptions::access_tokens(["client-1"]));
    for crit in [json!(["exp"]), json!([]), json!(null)] {
        let t = sign(
            &key(1),
            &json!({"alg": "RS256", "kid": "k1", "crit": crit, "exp": 1}),
            &access_claims(),
        );
        assert_eq!(refused(&v, &t), VerifyError::CriticalHeader, "{crit}");
    }
}

fn raw_jwk(kid: &str, n: &[u8], e: &[u8], extra: Value) -> Value {
    let mut jwk = json!({"kid": kid, "kty": "RSA", "n": B64.encode(n), "e": B64.encode(e)});
    for (k, val) in extra.as_object().unwrap() {
        jwk[k] = val.clone();
    }
    jwk
}

#[test]
fn unusable_keys_are_skipped() {
    let public = key(1).to_public_key();
    let (n, e) = (public.n_bytes(), public.e_bytes());
    let keys = json!({"keys": [
        raw_jwk("enc", &n, &e, json!({"use": "enc"})),
        raw_jwk("rs512", &n, &e, json!({"alg": "RS512"})),
        raw_jwk("ec", &n, &e, json!({"kty": "EC"})),
        raw_jwk("small", &n[..128], &e, json!({})),
        raw_jwk("e1", &n, &[1], json!({})),
        raw_jwk("e2", &n, &[2], json!({})),
        {"kid": "padded", "kty": "RSA", "n": format!("{}=", B64.encode(&n)), "e": "AQAB"},
        {"kid": "nokey", "kty": "RSA"},
        "not an object",
        raw_jwk("k1", &n, &e, json!({"use": "sig", "alg": "RS256"})),
        // A second k1 is ignored: the first wins.
        raw_jwk("k1", &key(2).to_public_key().n_bytes(), &e, json!({})),
    ]});
    let v = Verifier::new(&pool(), VerifyOptions::access_tokens(["client-1"]));
    assert_eq!(
        load(
            &v,
            now(),
            http::Response::new(keys.to_string().into_bytes())
        ),
        1
    );
    valid_at(&v, &token(&access_claims()), now());
    for kid in ["enc", "rs512", "ec", "small", "e1", "e2", "padded"] {
        assert_eq!(
            refused_at(&v, &signed_with(1, kid), now() + Duration::from_secs(1)),
            VerifyError::UnknownKey(kid.into())
        );
    }
    // Documents that are no JWKS, or too large.
    for body in [&b"<html>"[..], b"{}", b"[]", b"{\"keys\": 3}"] {
        let v = Verifier::new(&pool(), VerifyOptions::access_tokens(["client-1"]));
        let f = v.hydrate(now()).remove(0);
        assert!(matches!(
            v.handle_jwks_response(now(), &f, http::Response::new(body.to_vec())),
            Err(VerifyError::InvalidJwks(_))
        ));
    }
    let huge = format!(r#"{{"keys": [], "pad": "{}"}}"#, "x".repeat(70_000));
    let f = v.hydrate(now()).remove(0);
    assert_eq!(
        v.handle_jwks_response(now(), &f, http::Response::new(huge.into_bytes())),
        Err(VerifyError::InvalidJwks(
            "the document is over 64 KiB".into()
        ))
    );
}

#[test]
fn the_issuer_is_the_aws_one_and_the_jwks_follows_a_custom_endpoint() {
    let pool = pool()
        .with_endpoint("https://vpce-1234.cognito-idp.us-east-1.vpce.amazonaws.com/")
        .unwrap();
    let v = Verifier::new(&pool, VerifyOptions::access_tokens(["client-1"]));
    assert_eq!(v.issuer(), ISSUER);
    let f = fetch(&v, &token(&access_claims()), now());
    assert_eq!(
        f.uri(),
        "https://vpce-1234.cognito-idp.us-east-1.vpce.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json"
    );
    v.handle_jwks_response(now(), &f, jwks(&[("k1", &key(1))]))
        .unwrap();
    // A real token names the AWS issuer, whatever endpoint the JWKS came from.
    valid_at(&v, &token(&access_claims()), now());
    let mut claims = access_claims();
    claims["iss"] =
        json!("https://vpce-1234.cognito-idp.us-east-1.vpce.amazonaws.com/us-east-1_AbC123");
    assert!(matches!(
        refused(&v, &token(&claims)),
        VerifyError::WrongIssuer(_)
    ));
}

#[test]
fn one_verifier_for_several_pools_clients_and_token_uses() {
    const OTHER: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Staff1";
    let staff = UserPool::new("eu-west-1_Staff1", "staffapp").unwrap();
    let v = Verifier::builder()
        .pool(
            &pool(),
            VerifyOptions::access_tokens(["client-1", "client-2"]),
        )
        .pool(&staff, VerifyOptions::any_tokens(["staffapp"]))
        .build();
    let fetches = v.hydrate(now());
    assert_eq!(fetches.len(), 2);
    // Each pool has its own JWKS, with its own keys (both named k1 here).
    for f in &fetches {
        let k = if f.uri().contains("Staff1") { 2 } else { 1 };
        v.handle_jwks_response(now(), f, jwks(&[("k1", &key(k))]))
            .unwrap();
    }
    assert_eq!(v.hydrate(now() + Duration::from_secs(1)).len(), 2);
    let mut c2 = access_claims();
    c2["client_id"] = json!("client-2");
    valid_at(&v, &token(&c2), now());
    let staff_access =
        json!({"iss": OTHER, "token_use": "access", "client_id": "staffapp", "exp": NOW + 60});
    let staff_id = json!({"iss": OTHER, "token_use": "id", "aud": "staffapp", "exp": NOW + 60});
    let k2 = json!({"alg": "RS256", "kid": "k1"});
    valid_at(&v, &sign(&key(2), &k2, &staff_access), now());
    valid_at(&v, &sign(&key(2), &k2, &staff_id), now());
    // Another pool's key does not sign for this one.
    assert_eq!(
        refused(&v, &sign(&key(1), &k2, &staff_id)),
        VerifyError::BadSignature
    );
    // staffapp is not a client of the first pool.
    let mut wrong = access_claims();
    wrong["client_id"] = json!("staffapp");
    assert_eq!(
        refused(&v, &token(&wrong)),
        VerifyError::WrongAudience("staffapp".into())
    );
    // Neither id nor access.
    let refresh = json!({"iss": OTHER, "token_use": "refresh", "aud": "staffapp", "exp": NOW + 60});
    let e = refused(&v, &sign(&key(2), &k2, &refresh));
    assert_eq!(
        e,
        VerifyError::WrongTokenUse {
            expected: "id or access",
            found: "refresh".into()
        }
    );
    // Issue 20: the message read `a "access" token where an id token is required`.
    let ids = verifier(VerifyOptions::id_tokens(["client-1"]));
    assert_eq!(
        refused(&ids, &token(&access_claims())).to_string(),
        r#"token_use is "access" where id is required"#
    );
}

#[test]
fn the_custom_check_runs_last_and_says_why() {
    let mut options = VerifyOptions::access_tokens(["client-1"]);
    options.check = Some(CustomCheck::new(|claims| match claims.username() {
        Some("alice") => Err("alice is suspended".into()),
        _ => Ok(()),
    }));
    let v = verifier(options);
    let e = refused(&v, &token(&access_claims()));
    assert_eq!(e, VerifyError::Refused("alice is suspended".into()));
    assert_eq!(e.check(), "refused");
    let mut bob = access_claims();
    bob["username"] = json!("bob");
    valid_at(&v, &token(&bob), now());
    // Other checks come first.
    bob["exp"] = json!(NOW - 100);
    assert!(matches!(
        refused(&v, &token(&bob)),
        VerifyError::Expired { .. }
    ));
}

#[test]
fn many_threads_verify_while_keys_rotate() {
    fn shareable<T: Send + Sync>(_: &T) {}
    let v = Arc::new(verifier(VerifyOptions::access_tokens(["client-1"])));
    shareable(&*v);
    let good = token(&access_claims());
    let k2 = signed_with(2, "k2");
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (v, good) = (Arc::clone(&v), good.clone());
            std::thread::spawn(move || {
                for _ in 0..50 {
                    valid_at(&v, &good, now());
                }
                t
            })
        })
        .collect();
    // Meanwhile a fetch adds k2 (keeping k1): the readers never see a set without k1.
    let f = fetch(&v, &k2, now());
    v.handle_jwks_response(now(), &f, jwks(&[("k1", &key(1)), ("k2", &key(2))]))
        .unwrap();
    for t in threads {
        t.join().unwrap();
    }
    valid_at(&v, &k2, now());
}

#[test]
fn the_cache_skips_the_signature_but_not_the_clock_the_key_or_the_check() {
    let banned = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut options = VerifyOptions::access_tokens(["client-1"]);
    let list = Arc::clone(&banned);
    options.check = Some(CustomCheck::new(move |claims| {
        let user = claims.username().unwrap_or_default();
        match list.lock().unwrap().iter().any(|b| b == user) {
            true => Err("banned".into()),
            false => Ok(()),
        }
    }));
    let v = Verifier::builder().pool(&pool(), options).cache(4).build();
    load(&v, now(), jwks(&[("k1", &key(1))]));
    let good = token(&access_claims());
    assert_eq!(valid_at(&v, &good, now()).username(), Some("alice"));
    assert_eq!(valid_at(&v, &good, now()).username(), Some("alice"));
    // Expiry still applies on a hit.
    let expired_at = now() + Duration::from_secs(3600 + 60);
    assert_eq!(
        refused_at(&v, &good, expired_at),
        VerifyError::Expired {
            exp: (NOW + 3600) as i64
        }
    );
    // So does the custom check.
    banned.lock().unwrap().push("alice".into());
    assert_eq!(refused(&v, &good), VerifyError::Refused("banned".into()));
    banned.lock().unwrap().clear();
    valid_at(&v, &good, now());
    // A bad token is never cached as good, however often it comes.
    let tampered = format!("{}A", &good[..good.len() - 1]);
    for _ in 0..3 {
        assert!(matches!(
            v.verify(&tampered, now()),
            Verification::Invalid(_)
        ));
    }
    // More tokens than the capacity: all still verify (the oldest are evicted).
    for i in 0..20 {
        let mut c = access_claims();
        c["jti"] = json!(i);
        valid_at(&v, &token(&c), now());
    }
    // Once the key is revoked, its cached tokens fail too.
    let later = now() + Duration::from_secs(11);
    let f = fetch(&v, &signed_with(2, "k2"), later);
    v.handle_jwks_response(later, &f, jwks(&[("k2", &key(2))]))
        .unwrap();
    assert_eq!(
        refused_at(&v, &good, later),
        VerifyError::UnknownKey("k1".into())
    );
}

#[test]
fn errors_never_show_the_token() {
    let v = verifier(VerifyOptions::access_tokens(["client-1"]));
    let mut claims = access_claims();
    let long = "x".repeat(500);
    claims["client_id"] = json!(long);
    let t = token(&claims);
    let e = refused(&v, &t);
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(&t[..40]));
    assert!(!shown.contains(&t[t.len() - 40..]));
    // Strings taken from the token are cut short.
    assert!(shown.len() < 300, "{shown}");
    assert_eq!(e.check(), "audience");
}

fn live_verify(issuer: &str, jwks_url: &str, token: &str, options: VerifyOptions) -> Verification {
    let v = Verifier::builder()
        .issuer(issuer, jwks_url, options)
        .build();
    let agent = common::live::agent();
    for f in v.hydrate(SystemTime::now()) {
        let response = common::live::send(&agent, f.request());
        v.handle_jwks_response(SystemTime::now(), &f, response)
            .unwrap();
    }
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

#[test]
fn verify_without_fetch_never_asks_for_one() {
    let v = Verifier::builder()
        .pool(&pool(), VerifyOptions::access_tokens(["client-1"]))
        .fetch_policy(FetchPolicy {
            refetch_interval: Duration::ZERO,
            ..FetchPolicy::default()
        })
        .build();
    // With no interval every unknown key asks for a fetch; the second try after one does not.
    let f = fetch(&v, &token(&access_claims()), now());
    v.handle_jwks_response(now(), &f, jwks(&[("k2", &key(2))]))
        .unwrap();
    assert_eq!(
        v.verify_without_fetch(&token(&access_claims()), now()),
        Err(VerifyError::UnknownKey("k1".into()))
    );
    let f = fetch(&v, &token(&access_claims()), now());
    v.handle_jwks_response(now(), &f, jwks(&[("k1", &key(1))]))
        .unwrap();
    assert_eq!(
        v.verify_without_fetch(&token(&access_claims()), now())
            .unwrap()
            .username(),
        Some("alice")
    );
}

/// A real machine-to-machine token of the emulator: it verifies as an access token of its app
/// client, carries no user, and is refused, with a typed error, where a scope it lacks is
/// required (in the options, or by `check_scopes` on its claims, as a route does).
#[test]
fn emulator_machine_tokens_verify_and_need_their_scopes() {
    use cognito_flows::verify::check_scopes;
    use cognito_flows_testkit::emulator::Fixture;
    let w = Fixture::new();
    let credentials = w
        .machine_client("orders", &["read", "write"])
        .with_scopes(["orders/read"]);
    let token = w.drive(credentials.token(), |_| panic!()).unwrap();
    let token = token.access_token.expose();
    let jwks_url = format!("{}{}/.well-known/jwks.json", w.endpoint(), w.pool_id);
    let options = || VerifyOptions::access_tokens([credentials.client_id()]);

    let Verification::Valid(claims) = live_verify(
        &w.pool.issuer(),
        &jwks_url,
        token,
        options().require_scopes(["orders/read"]),
    ) else {
        panic!("the machine token does not verify")
    };
    assert_eq!(claims.username(), None);
    assert_eq!(claims.sub(), Some(credentials.client_id()));
    assert_eq!(check_scopes(&claims, &["orders/read"]), Ok(()));
    assert_eq!(
        check_scopes(&claims, &["orders/read", "orders/write"]),
        Err(VerifyError::MissingScope("orders/write".into()))
    );

    let refused = live_verify(
        &w.pool.issuer(),
        &jwks_url,
        token,
        options().require_scopes(["orders/write"]),
    );
    assert!(
        matches!(&refused, Verification::Invalid(VerifyError::MissingScope(s)) if s == "orders/write"),
        "{refused:?}"
    );
    // Another app client's verifier refuses it.
    let other = live_verify(
        &w.pool.issuer(),
        &jwks_url,
        token,
        VerifyOptions::access_tokens([w.client_id.clone()]),
    );
    assert!(
        matches!(other, Verification::Invalid(VerifyError::WrongAudience(_))),
        "{other:?}"
    );
}
