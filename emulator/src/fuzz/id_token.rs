//! The checks of an OIDC provider's id token (`auth/federation.rs`), against a model: the fuzzer
//! picks each claim right or wrong (issuer, audience as a string or a list, nonce, expiry, issued
//! at, subject), the key and header, and now and then a byte of the signed token or of the JWKS
//! to change; the token is signed with the emulator's key. The check must accept exactly the
//! tokens the model accepts, and refuse any changed one; arbitrary bytes as a token and a JWKS
//! must be refused without a panic.

use arbitrary::{Result, Unstructured};
use serde_json::{Value, json};

use crate::auth::federation::{Expected, check_id_token};
use crate::auth::jwt::Signer;

const ISSUER: &str = "http://127.0.0.1:9/idp";
const AUDIENCE: &str = "provider-client";
const NONCE: &str = "nonce-1";
const NOW: u64 = 1_800_000_000;

fn signer() -> &'static Signer {
    static SIGNER: std::sync::OnceLock<Signer> = std::sync::OnceLock::new();
    SIGNER.get_or_init(|| Signer::new().unwrap_or_else(|e| panic!("the emulator's key: {e}")))
}

/// A claim right (`Some(true)`), wrong (`Some(false)`) or left out (`None`), and its value.
fn pick(u: &mut Unstructured<'_>, right: Value, wrong: Value) -> Result<(Option<bool>, Value)> {
    Ok(match u.int_in_range(0..=4u8)? {
        0 => (None, Value::Null),
        1 => (Some(false), wrong),
        _ => (Some(true), right),
    })
}

fn model(u: &mut Unstructured<'_>) -> Result<()> {
    let mut claims = serde_json::Map::new();
    let mut good = true;
    let mut set = |name: &str, (right, value): (Option<bool>, Value)| {
        good &= right == Some(true);
        if right.is_some() {
            claims.insert(name.to_owned(), value);
        }
    };
    set("iss", pick(u, json!(ISSUER), json!(format!("{ISSUER}/")))?);
    let audience = if u.arbitrary()? {
        pick(u, json!(AUDIENCE), json!("another-client"))?
    } else {
        pick(u, json!(["x", AUDIENCE]), json!(["x", "y"]))?
    };
    set("aud", audience);
    set("nonce", pick(u, json!(NONCE), json!("nonce-2"))?);
    let ttl = u.int_in_range(0..=7200u64)?;
    set(
        "exp",
        pick(u, json!(NOW + 1 + ttl), json!(NOW.saturating_sub(ttl)))?,
    );
    set("sub", pick(u, json!("user-1"), json!(""))?);
    // `iat` may be absent; in the future by more than 5 minutes, it is wrong.
    let iat = u.int_in_range(0..=2u8)?;
    if iat > 0 {
        let late = iat == 2;
        good &= !late;
        claims.insert(
            "iat".into(),
            json!(if late { NOW + 301 + ttl } else { NOW - ttl }),
        );
    }
    let mut token = signer()
        .sign(&Value::Object(claims))
        .unwrap_or_else(|e| panic!("signing: {e}"));
    let mut jwks = signer().jwks().clone();
    // The key named by another kid, or the token's header changed: refused.
    if u.int_in_range(0..=5u8)? == 0 {
        jwks["keys"][0]["kid"] = json!("another");
        good = false;
    }
    // A changed character of the token (another one, always): refused.
    if u.int_in_range(0..=3u8)? == 0 && !token.is_empty() {
        let at = u.choose_index(token.len())?;
        let bytes = replaced(&token, at, u.arbitrary()?);
        if bytes != token {
            token = bytes;
            good = false;
        }
    }
    let expected = Expected {
        issuer: ISSUER,
        audience: AUDIENCE,
        nonce: NONCE,
        now: NOW,
    };
    let checked = check_id_token(&token, &jwks, &expected);
    assert_eq!(
        checked.is_ok(),
        good,
        "model says {good}, check says {checked:?} for {token}"
    );
    if let Ok(claims) = checked {
        assert_eq!(claims.get("sub"), Some(&json!("user-1")));
    }
    Ok(())
}

/// `text` with the character at byte `at` (or the next character boundary) replaced by one of
/// the base64url alphabet or a dot.
fn replaced(text: &str, at: usize, pick: u8) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    let replacement = char::from(ALPHABET[usize::from(pick) % ALPHABET.len()]);
    text.char_indices()
        .map(|(i, c)| if i == at { replacement } else { c })
        .collect()
}

/// The fuzz body: the first byte chooses the model (even) or arbitrary bytes (odd: the rest
/// split into a token and a JWKS, which must be refused).
pub fn id_token(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let _ = model(&mut Unstructured::new(rest));
        return;
    }
    let split = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
    let (token, jwks) = rest.split_at(split);
    let token = String::from_utf8_lossy(token);
    let jwks: Value = serde_json::from_slice(jwks.get(1..).unwrap_or_default())
        .unwrap_or_else(|_| signer().jwks().clone());
    let expected = Expected {
        issuer: ISSUER,
        audience: AUDIENCE,
        nonce: NONCE,
        now: NOW,
    };
    assert!(
        check_id_token(&token, &jwks, &expected).is_err(),
        "an id token not signed by the emulator's key was accepted: {token}"
    );
}
