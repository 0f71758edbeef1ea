//! Replays the committed fuzz corpus (fuzz/corpus/<target>/*) through the fuzz target bodies on
//! stable, so every finding stays fixed. Run with `--features fuzzing`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        body(&std::fs::read(&path).unwrap());
        count += 1;
    }
    assert!(count > 0, "no corpus in {}", dir.display());
    count
}

#[test]
fn srp_challenge_corpus() {
    replay("srp_challenge", cognito_flows::fuzz::srp_challenge);
}

#[test]
fn srp_arithmetic_corpus() {
    replay("srp_arithmetic", cognito_flows::fuzz::srp_arithmetic);
}

#[test]
fn sign_in_corpus() {
    replay("sign_in", cognito_flows::fuzz::sign_in);
}

#[test]
fn responses_corpus() {
    replay("responses", cognito_flows::fuzz::responses);
}

#[test]
fn jwt_corpus() {
    replay("jwt", cognito_flows::fuzz::jwt);
}

#[test]
fn verify_token_corpus() {
    replay("verify_token", cognito_flows::fuzz::verify_token);
}

#[test]
fn verify_jwks_corpus() {
    replay("verify_jwks", cognito_flows::fuzz::verify_jwks);
}

#[test]
fn rsa_arithmetic_corpus() {
    replay("rsa_arithmetic", cognito_flows::fuzz::rsa_arithmetic);
}

#[test]
fn callback_corpus() {
    replay("callback", cognito_flows::fuzz::callback);
}

#[test]
fn cookie_corpus() {
    replay("cookie", cognito_flows::fuzz::cookie);
}
