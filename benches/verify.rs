//! Token verification with a warm key cache: RS256 (2048-bit) plus the claim checks, and the
//! same token again through the cache of verified tokens. (The comparison with jsonwebtoken
//! and aws-jwt-verify is bench/benches/verify_compare.rs.)
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use cognito_flows::verify::{Verification, Verifier, VerifyOptions};
use criterion::{Criterion, criterion_group, criterion_main};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::json;

fn verify(c: &mut Criterion) {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/verify-key-1.pem"
    ))
    .unwrap();
    let key = rsa::PrivateKey::from_pkcs8_pem(&pem).unwrap();
    let issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123";
    let now = 1_795_507_507u64;
    let claims = json!({"iss": issuer, "token_use": "access", "client_id": "c", "exp": now + 3600, "iat": now, "username": "alice"});
    let input = format!(
        "{}.{}",
        B64.encode(r#"{"alg":"RS256","kid":"k1"}"#),
        B64.encode(claims.to_string())
    );
    let token = format!(
        "{input}.{}",
        B64.encode(
            key.pkcs1v15_sign::<rsa::sha2::Sha256>(input.as_bytes())
                .unwrap()
        )
    );
    let public = key.to_public_key();
    let jwks = json!({"keys": [{"kid": "k1", "kty": "RSA", "n": B64.encode(public.n_bytes()), "e": B64.encode(public.e_bytes())}]});
    let at = UNIX_EPOCH + Duration::from_secs(now);
    let body = jwks.to_string().into_bytes();
    let load = |verifier: &Verifier| {
        for fetch in verifier.hydrate(at) {
            verifier
                .handle_jwks_response(at, &fetch, http::Response::new(body.clone()))
                .unwrap();
        }
        assert!(matches!(
            verifier.verify(&token, at),
            Verification::Valid(_)
        ));
    };
    let verifier = Verifier::with_issuer(issuer, VerifyOptions::access_tokens(["c"]));
    load(&verifier);
    c.bench_function("verify/access token, warm keys", |b| {
        b.iter(|| verifier.verify(black_box(&token), at))
    });
    let cached = Verifier::builder()
        .issuer(
            issuer,
            format!("{issuer}/.well-known/jwks.json"),
            VerifyOptions::access_tokens(["c"]),
        )
        .cache(1024)
        .build();
    load(&cached);
    c.bench_function("verify/access token, cache hit", |b| {
        b.iter(|| cached.verify(black_box(&token), at))
    });
}

criterion_group!(benches, verify);
criterion_main!(benches);
