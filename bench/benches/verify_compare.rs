//! One warm-key verify of a Cognito access token (RS256, RSA-2048; checks on the signature,
//! `iss`, `token_use`, `client_id` and `exp`), side by side in one process:
//!
//! - `cognito_flows::verify::Verifier`, and the same with its cache of verified tokens (a hit);
//! - jsonwebtoken 12 with aws-lc-rs, the claims checked as the verifier does;
//! - aws-lc-rs's bare RSA verify with the key parsed once (the floor).
//!
//! The contestants take turns, round after round (`cognito_flows_testkit::race`): the median
//! per verify of each is printed with the min, median and max of its ratio to jsonwebtoken
//! within each round. The token and JWKS are written to
//! `target/verify-bench/token.json` for `bench/node/verify.mjs` (aws-jwt-verify's
//! `verifySync`), so both runs measure the very same token:
//!
//! ```text
//! cargo bench -p cognito-flows-bench --bench verify_compare
//! cargo bench -p cognito-flows-bench --bench verify_compare --features aws-lc-rs
//! node bench/node/verify.mjs target/verify-bench/token.json
//! ```
//!
//! On a loaded machine, count instructions as well: `VERIFY_BENCH_ROUNDS=20` without
//! `--bench` makes 23 calls of each contestant (3 to warm up), and under
//! `valgrind --tool=callgrind` the inclusive counts of `cognito_flows::verify::rsa::PublicKey::verify_rs256`
//! (ours), `jsonwebtoken::decoding::verify_signature_body` and aws-lc-rs's `parsed_verify_sig`
//! (the bare verify), divided by their calls (`callgrind_annotate --inclusive=yes --tree=caller`
//! shows them), compare the RSA work alone. The workspace crates must be built optimised
//! (`cargo bench`, or the dev profile with `opt-level=3`, no debug assertions or overflow checks
//! for `cognito-flows` and `cognito-flows-bench`): the dev profile optimises only dependencies.
//! Instructions and time need not agree (aws-lc's assembly and our Rust retire instructions at
//! different rates): quote both.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use cognito_flows::UserPool;
use cognito_flows::verify::{Verification, Verifier, VerifyOptions};
use cognito_flows_testkit::race::{Contestant, race};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::json;

const POOL: &str = "us-east-1_AbC123";
const CLIENT: &str = "3n4b5urk1ft4fl3mg5e62d9ado";
const KID: &str = "1ZJzOVRhSDVaR1FQVm5WeVh2bHlJS1pOMnJibGY0S3FtUm9uczgwT3dNND0";

struct Fixture {
    token: String,
    n: String,
    e: String,
    pkcs8: Vec<u8>,
}

fn fixture() -> Fixture {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/verify-key-1.pem"
    ))
    .unwrap();
    let key = rsa::PrivateKey::from_pkcs8_pem(&pem).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let pkcs8 = STANDARD.decode(body).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // The claims of a real Cognito access token, in Cognito's order.
    let claims = json!({
        "sub": "9418a4b8-9071-70b6-2a4b-6c1fa4a1e5c2",
        "cognito:groups": ["admins"],
        "iss": format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}"),
        "client_id": CLIENT,
        "origin_jti": "4b2ac9a6-8f8e-4a4b-9d54-0d1f2e3c4b5a",
        "event_id": "3c0a1f6e-2d4b-4e8a-9b7c-1a2b3c4d5e6f",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": "7f3e9b2a-1c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "username": "9418a4b8-9071-70b6-2a4b-6c1fa4a1e5c2"
    });
    let input = format!(
        "{}.{}",
        B64.encode(json!({"kid": KID, "alg": "RS256"}).to_string()),
        B64.encode(claims.to_string())
    );
    let signature = key
        .pkcs1v15_sign::<rsa::sha2::Sha256>(input.as_bytes())
        .unwrap();
    let public = key.to_public_key();
    Fixture {
        token: format!("{input}.{}", B64.encode(signature)),
        n: B64.encode(public.n_bytes()),
        e: B64.encode(public.e_bytes()),
        pkcs8,
    }
}

fn jwks(f: &Fixture) -> serde_json::Value {
    json!({"keys": [{"alg": "RS256", "e": f.e, "kid": KID, "kty": "RSA", "n": f.n, "use": "sig"}]})
}

fn ours(f: &Fixture, cache: usize) -> Verifier {
    let pool = UserPool::new(POOL, CLIENT).unwrap();
    let verifier = Verifier::builder()
        .pool(&pool, VerifyOptions::access_tokens([CLIENT]))
        .cache(cache)
        .build();
    let now = SystemTime::now();
    for fetch in verifier.hydrate(now) {
        let body = jwks(f).to_string().into_bytes();
        verifier
            .handle_jwks_response(now, &fetch, http::Response::new(body))
            .unwrap();
    }
    assert!(matches!(
        verifier.verify(&f.token, now),
        Verification::Valid(_)
    ));
    verifier
}

#[derive(serde::Deserialize)]
struct AccessClaims {
    token_use: String,
    client_id: String,
    #[allow(dead_code, reason = "read so that both sides decode the same claims")]
    username: String,
}

struct Jsonwebtoken {
    key: jsonwebtoken::DecodingKey,
    validation: jsonwebtoken::Validation,
}

impl Jsonwebtoken {
    fn new(f: &Fixture) -> Self {
        let key = jsonwebtoken::DecodingKey::from_rsa_components(&f.n, &f.e).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.set_issuer(&[format!(
            "https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
        )]);
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss"]);
        Self { key, validation }
    }

    /// A verify with the same checks: the kid looked up, then token_use and client_id.
    fn verify(&self, token: &str) -> bool {
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return false;
        };
        if header.kid.as_deref() != Some(KID) {
            return false;
        }
        match jsonwebtoken::decode::<AccessClaims>(token, &self.key, &self.validation) {
            Ok(data) => data.claims.token_use == "access" && data.claims.client_id == CLIENT,
            Err(_) => false,
        }
    }
}

fn main() {
    let f = fixture();
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/verify-bench");
    std::fs::create_dir_all(out).unwrap();
    let shared =
        json!({"token": f.token, "jwks": jwks(&f), "userPoolId": POOL, "clientId": CLIENT});
    std::fs::write(format!("{out}/token.json"), shared.to_string()).unwrap();

    let plain = ours(&f, 0);
    let cached = ours(&f, 1024);
    let jwt = Jsonwebtoken::new(&f);
    assert!(jwt.verify(&f.token));
    let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&f.pkcs8).unwrap();
    let bare = aws_lc_rs::signature::ParsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        aws_lc_rs::signature::KeyPair::public_key(&pair).as_ref(),
    )
    .unwrap();
    let (signed, signature) = f.token.rsplit_once('.').unwrap();
    let signature = B64.decode(signature).unwrap();
    let token = f.token.as_str();

    let mut run_ours = || {
        matches!(
            plain.verify(black_box(token), SystemTime::now()),
            Verification::Valid(_)
        )
    };
    let mut run_cached = || {
        matches!(
            cached.verify(black_box(token), SystemTime::now()),
            Verification::Valid(_)
        )
    };
    let mut run_jwt = || jwt.verify(black_box(token));
    let mut run_bare = || {
        bare.verify_sig(black_box(signed.as_bytes()), &signature)
            .is_ok()
    };
    let ours_name = if cfg!(feature = "aws-lc-rs") {
        "cognito_flows Verifier (aws-lc-rs)"
    } else {
        "cognito_flows Verifier"
    };
    let mut contestants = [
        Contestant::new(ours_name, &mut run_ours),
        Contestant::new("cognito_flows Verifier, cache hit", &mut run_cached),
        Contestant::new("jsonwebtoken 12 + aws_lc_rs", &mut run_jwt),
        Contestant::new("aws-lc-rs bare RSA verify (key parsed once)", &mut run_bare),
    ];
    // `cargo test --all-targets` runs this without `--bench`: then one quick round, a check
    // that every contestant still verifies.
    let benching = std::env::args().any(|a| a == "--bench");
    let rounds = std::env::var("VERIFY_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(if benching { 101 } else { 1 });
    let batch = if benching { 100 } else { 1 };
    let report = race(&mut contestants, 2, rounds, batch);
    println!("verify one Cognito access token (RS256, RSA-2048):");
    print!("{}", report.table());
    println!("token and JWKS for bench/node/verify.mjs: {out}/token.json");
}
