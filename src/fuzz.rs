//! Fuzz target bodies (feature `fuzzing`). They live in the library so that normal builds keep
//! them compiling; each `fuzz/fuzz_targets/*.rs` is a one-liner, and `tests/fuzz_corpus.rs`
//! replays the committed corpus on stable.
//!
//! Every body asserts only what must hold for any input: no panic, and errors of the right kind.

#![allow(
    clippy::panic,
    reason = "a fuzz body panics when an invariant breaks: that is the finding"
)]

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use crate::call;
use crate::flows::{Action, Flow, Input};
use crate::srp::{ChallengeParameters, SrpClient, SrpError};
use crate::tokens::{Jwt, Tokens};
use crate::wire::{self, Operation};
use crate::{Entropy, Error, SignIn, UserPool};

/// Splits `data` into up to `N` strings at 0xFF bytes (lossy UTF-8).
fn fields<const N: usize>(data: &[u8]) -> [String; N] {
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for (slot, part) in out.iter_mut().zip(data.splitn(N, |&b| b == 0xFF)) {
        *slot = String::from_utf8_lossy(part).into_owned();
    }
    out
}

/// The SRP arithmetic (Montgomery products, squares, differences) on arbitrary values, against
/// crypto-bigint's: byte 0 holds flags, then up to two 384-byte values.
pub fn srp_arithmetic(data: &[u8]) {
    crate::srp::fuzz_against_crypto_bigint(data);
}

/// SRP's challenge inputs (`SRP_B`, `SALT`, `SECRET_BLOCK`) as arbitrary strings.
pub fn srp_challenge(data: &[u8]) {
    let [srp_b, salt, secret_block] = fields::<3>(data);
    let client = SrpClient::from_private_key(&[0x11; 32]);
    let challenge = ChallengeParameters {
        srp_b: &srp_b,
        salt: &salt,
        secret_block: &secret_block,
    };
    match client.password_claim("pool", "user", b"pw", &challenge, "t") {
        Ok(signature) => assert_eq!(signature.len(), 44),
        Err(
            SrpError::InvalidB(_)
            | SrpError::InvalidSalt(_)
            | SrpError::BIsZero
            | SrpError::UIsZero,
        ) => {}
    }
}

/// A sign-in fed arbitrary responses: each is `[status][len: u16 be][body]`, and prompts are
/// answered with a fixed generic answer. The flow must never panic, and must always be in a
/// state whose action is consistent with what `handle_*` returned.
pub fn sign_in(data: &[u8]) {
    let Ok(pool) = UserPool::new("us-east-1_Fuzz", "client") else {
        return;
    };
    let pool = pool.with_client_secret("secret");
    let mut flow = SignIn::user_srp(&pool, "alice", "pw", Entropy::from([3; 32]));
    let now = UNIX_EPOCH + Duration::from_secs(1_795_507_507);
    let mut rest = data;
    for _ in 0..16 {
        match flow.poll_action() {
            Action::Send(_) => {
                let [status, hi, lo, tail @ ..] = rest else {
                    return;
                };
                let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
                let (body, tail) = tail.split_at(len);
                rest = tail;
                let mut response = http::Response::new(body.to_vec());
                if let Ok(code) = http::StatusCode::from_u16(100 + u16::from(*status) * 2) {
                    *response.status_mut() = code;
                }
                if let Err(e) = flow.handle_response(now, response) {
                    assert!(
                        !matches!(e, Error::Misuse(_)),
                        "a response while sending is no misuse"
                    );
                }
            }
            Action::Prompt(_) => {
                let answer = BTreeMap::from([("ANSWER".to_owned(), "42".to_owned())]);
                if flow.handle_input(Input::Challenge(answer)).is_err() {
                    return;
                }
            }
            // Flows never wait; a wait is only the retry wrapper's, and costs nothing here.
            Action::Wait(_) => {}
            Action::Done(_) | Action::Failed(_) => return,
        }
    }
}

/// Every response parser: `[selector][status][body...]` parsed as one of the wire types; errors
/// must be typed and keep the body.
pub fn responses(data: &[u8]) {
    let [selector, status, body @ ..] = data else {
        return;
    };
    let mut response = http::Response::new(body.to_vec());
    if let Ok(code) = http::StatusCode::from_u16(100 + u16::from(*status) * 2) {
        *response.status_mut() = code;
    }
    fn check<T: serde::de::DeserializeOwned>(op: Operation, response: http::Response<Vec<u8>>) {
        let body = response.body().clone();
        match call::parse::<T>(op, response) {
            Ok(_) | Err(Error::Service(_)) => {}
            Err(Error::Protocol(p)) => assert_eq!(p.body(), body.as_slice()),
            Err(other) => panic!("parse returned {other:?}"),
        }
    }
    match selector % 9 {
        0 => check::<wire::InitiateAuthResponse>(Operation::InitiateAuth, response),
        1 => check::<wire::AssociateSoftwareTokenResponse>(
            Operation::AssociateSoftwareToken,
            response,
        ),
        2 => check::<wire::VerifySoftwareTokenResponse>(Operation::VerifySoftwareToken, response),
        3 => check::<wire::ConfirmDeviceResponse>(Operation::ConfirmDevice, response),
        4 => check::<wire::AuthenticationResult>(Operation::InitiateAuth, response),
        5 => check::<wire::GetUserAuthFactorsResponse>(Operation::GetUserAuthFactors, response),
        6 => check::<wire::ListWebAuthnCredentialsResponse>(
            Operation::ListWebAuthnCredentials,
            response,
        ),
        7 => check::<wire::StartWebAuthnRegistrationResponse>(
            Operation::StartWebAuthnRegistration,
            response,
        ),
        _ => check::<serde_json::Value>(Operation::GetUser, response),
    }
}

/// JWT decoding and token reading: arbitrary strings as the id and access tokens.
pub fn jwt(data: &[u8]) {
    let [id, access] = fields::<2>(data);
    let decoded = Jwt::decode(id.as_str());
    if let Ok(jwt) = &decoded {
        let claims = jwt.claims();
        let _ = (
            claims.exp(),
            claims.iat(),
            claims.username(),
            claims.groups(),
        );
    }
    let result = wire::AuthenticationResult {
        id_token: Some(id.into()),
        access_token: Some(access.into()),
        expires_in: Some(3600),
        ..Default::default()
    };
    if let Ok(tokens) = Tokens::from_result(&result, UNIX_EPOCH + Duration::from_secs(1), None) {
        assert!(decoded.is_ok());
        let _ = (
            tokens.is_valid(UNIX_EPOCH),
            tokens.expires_at(),
            tokens.username(),
        );
    }
}

/// The JWKS of `tests/fixtures/verify-key-1.pem`.
const FUZZ_JWKS: &str = r#"{"keys":[{"kid":"k1","kty":"RSA","alg":"RS256","n":"rA2viM-8ZpBAHrbmszdv-gzxuRunDS8fNWtbi7zhhlQmFfdFsbVgVROLuMoE3MEra8q_1MHRno90_SRo7dhaD62pypLLU9OA_fZO2df4ji_lJNSmoVNb4mNjmsM2qtENdx6zU8EbC2Dfv2JXAGW9MQI6LOTnPkRF5-0gNFelN0Haj5Ft6yjODCNszs1tT5Pl5XoWIbxl1uRIyOFFLbx5muI_Vg134rqAwQr4APfZesRG0qMAUo-UXJw2VawpnQbQRi2QeyOJ5NvnHWQMHwk6vAbXOYeLp7RCRo5GyarFlRoUqerEYG4dj7N6VcdqcCslWeh4Vnp9ltZMgVVsIFBuSQ","e":"AQAB"}]}"#;

/// Token verification: arbitrary strings as tokens, never a panic, never accepted without a
/// signature of the fixture key.
pub fn verify_token(data: &[u8]) {
    use crate::verify::{Verification, Verifier, VerifyOptions};
    let issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Fuzz";
    let verifier = Verifier::with_issuer(issuer, VerifyOptions::any_tokens(Vec::<String>::new()));
    let now = UNIX_EPOCH + Duration::from_secs(1_795_507_507);
    let loaded = verifier.hydrate(now).iter().all(|fetch| {
        verifier
            .handle_jwks_response(
                now,
                fetch,
                http::Response::new(FUZZ_JWKS.as_bytes().to_vec()),
            )
            .is_ok_and(|count| count == 1)
    });
    if !loaded {
        panic!("the fixture JWKS must load");
    }
    let token = String::from_utf8_lossy(data);
    match verifier.verify(&token, now) {
        Verification::Valid(_) => panic!("accepted a token nobody signed"),
        Verification::FetchKeys(_) | Verification::Invalid(_) => {}
    }
}

/// The JWKS parser on arbitrary bodies: never a panic, never more keys than asked for, and a
/// verifier fed the body stays usable.
pub fn verify_jwks(data: &[u8]) {
    use crate::verify::{MAX_JWKS_KEYS, Verification, Verifier, VerifyError, VerifyOptions};
    if let Ok(count) = crate::verify::fuzz_jwks(data) {
        assert!(count <= MAX_JWKS_KEYS);
    }
    let verifier = Verifier::with_issuer(
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Fuzz",
        VerifyOptions::access_tokens(["c"]),
    );
    let now = UNIX_EPOCH + Duration::from_secs(1_795_507_507);
    for fetch in verifier.hydrate(now) {
        match verifier.handle_jwks_response(now, &fetch, http::Response::new(data.to_vec())) {
            Ok(count) => assert_eq!(verifier.key_count(), count),
            Err(VerifyError::InvalidJwks(_)) => assert_eq!(verifier.key_count(), 0),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    // A token nobody signed still fails, whatever the keys.
    let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2NvZ25pdG8taWRwLnVzLWVhc3QtMS5hbWF6b25hd3MuY29tL3VzLWVhc3QtMV9GdXp6In0.AAAA";
    if let Verification::Valid(_) = verifier.verify(token, now) {
        panic!("accepted a token nobody signed");
    }
}

/// The RSA public-key arithmetic (2048, 3072 and 4096 bits, several exponents) against
/// crypto-bigint's: byte 0 picks the size and the exponent, then a modulus and a base.
pub fn rsa_arithmetic(data: &[u8]) {
    crate::verify::rsa::fuzz_against_crypto_bigint(data);
}

/// The hosted UI callback parser and the authorize flow's input handling: arbitrary URLs.
pub fn callback(data: &[u8]) {
    use crate::flows::hosted_ui::{HostedUi, parse_callback};
    let url = String::from_utf8_lossy(data);
    let _ = parse_callback(&url, "https://app.example/cb");
    let Ok(ui) = HostedUi::new(
        "https://example.auth.us-east-1.amazoncognito.com",
        "client",
        "https://app.example/cb",
    ) else {
        return;
    };
    let mut flow = ui.authorize(Entropy::from([5; 32]));
    match flow.handle_input(Input::Callback(url.into_owned())) {
        // No state can match: the fuzzer cannot know it.
        Ok(()) => panic!("a callback without our state was accepted"),
        Err(Error::Callback(_) | Error::OAuth(_)) => {}
        Err(other) => panic!("unexpected {other:?}"),
    }
}

/// The `Cookie` header parser (the JS SDK's `CookieStorage`, `js-cookie`'s reading): arbitrary
/// headers never panic, and every cookie read is written back by the encoders to a header that
/// reads the same.
pub fn cookie(data: &[u8]) {
    use crate::storage::cookie::{encode_name, encode_value, parse_cookie_header};
    let header = String::from_utf8_lossy(data);
    let jar = parse_cookie_header(&header);
    for (name, value) in &jar {
        let written = format!("{}={}", encode_name(name), encode_value(value.expose()));
        let again = parse_cookie_header(&written);
        if again.len() != 1 || again.get(name) != Some(value) {
            panic!("{name:?} did not survive its own encoding");
        }
    }
    let _ = crate::storage::Saved::from_cookie_header("client", &header);
}
