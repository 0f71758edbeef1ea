//! The checks of an OpenID Connect provider's id token, as Cognito makes them when a user signs
//! in through the provider: an RS256 signature by a key of the provider's JWKS (the key the
//! header's `kid` names, or the only RSA key when it names none), the issuer the provider is
//! configured with (`oidc_issuer`), the provider's client id in `aud` (a string or a list),
//! the nonce the sign-in sent, and the expiry (with no leeway, and `iat` not in the future by
//! more than five minutes). Pure: the caller fetched the token and the JWKS.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::{Map, Value};

use crate::auth::crypto::rsa_verify_public;

/// What the id token must say.
pub(crate) struct Expected<'a> {
    /// The provider's `oidc_issuer`.
    pub issuer: &'a str,
    /// The provider's `client_id`.
    pub audience: &'a str,
    /// The nonce sent to the provider's authorization endpoint.
    pub nonce: &'a str,
    /// Unix seconds.
    pub now: u64,
}

/// How far in the future an `iat` may be (clocks differ).
const SKEW: u64 = 300;

/// Why an id token was refused, in words for the error page (never the token itself).
pub(crate) type Refusal = &'static str;

fn decode(part: &str) -> Option<Value> {
    serde_json::from_slice(&B64URL.decode(part).ok()?).ok()
}

/// The claims of `token` once every check passed.
pub(crate) fn check_id_token(
    token: &str,
    jwks: &Value,
    expected: &Expected<'_>,
) -> Result<Map<String, Value>, Refusal> {
    let malformed = "the provider's id token is not a signed JWT";
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed);
    };
    let header = decode(header).ok_or(malformed)?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err("the provider's id token is not signed with RS256");
    }
    let signature = B64URL.decode(signature).map_err(|_| malformed)?;
    let kid = header.get("kid").and_then(Value::as_str);
    let keys: Vec<&Value> = jwks
        .get("keys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|k| k.get("kty").and_then(Value::as_str) == Some("RSA"))
        .filter(|k| k.get("alg").is_none_or(|a| a == "RS256"))
        .filter(|k| k.get("use").is_none_or(|u| u == "sig"))
        .collect();
    let key = match kid {
        Some(kid) => keys
            .iter()
            .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid)),
        None if keys.len() == 1 => keys.first(),
        None => None,
    }
    .ok_or("no key of the provider's JWKS signed its id token")?;
    let component = |name: &str| {
        key.get(name)
            .and_then(Value::as_str)
            .and_then(|v| B64URL.decode(v).ok())
    };
    let (Some(n), Some(e)) = (component("n"), component("e")) else {
        return Err("no key of the provider's JWKS signed its id token");
    };
    let signed = token.len() - token.rsplit('.').next().map_or(0, str::len) - 1;
    let input = token.get(..signed).ok_or(malformed)?;
    if !rsa_verify_public(&n, &e, input.as_bytes(), &signature) {
        return Err("the signature of the provider's id token is wrong");
    }
    let Some(Value::Object(claims)) = decode(payload) else {
        return Err(malformed);
    };
    if claims.get("iss").and_then(Value::as_str) != Some(expected.issuer) {
        return Err("the provider's id token names another issuer");
    }
    let audience = match claims.get("aud") {
        Some(Value::String(aud)) => aud == expected.audience,
        Some(Value::Array(list)) => list.iter().any(|a| a == expected.audience),
        _ => false,
    };
    if !audience {
        return Err("the provider's id token is for another client (aud)");
    }
    if claims.get("nonce").and_then(Value::as_str) != Some(expected.nonce) {
        return Err("the provider's id token carries another nonce");
    }
    let exp = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
    if exp <= expected.now {
        return Err("the provider's id token has expired");
    }
    if claims
        .get("iat")
        .and_then(Value::as_u64)
        .is_some_and(|iat| iat > expected.now + SKEW)
    {
        return Err("the provider's id token was issued in the future");
    }
    match claims.get("sub").and_then(Value::as_str) {
        Some(sub) if !sub.is_empty() && sub.len() <= 255 && !sub.chars().any(char::is_control) => {
            Ok(claims)
        }
        _ => Err("the provider's id token names no subject"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use serde_json::json;

    use super::*;
    use crate::auth::jwt::Signer;

    const NOW: u64 = 1_800_000_000;

    fn expected() -> Expected<'static> {
        Expected {
            issuer: "https://idp.example",
            audience: "client-1",
            nonce: "n-1",
            now: NOW,
        }
    }

    fn token(change: impl FnOnce(&mut Value)) -> String {
        let mut claims = json!({"iss": "https://idp.example", "aud": "client-1", "nonce": "n-1",
                                "sub": "user-1", "exp": NOW + 60, "iat": NOW});
        change(&mut claims);
        Signer::new().unwrap().sign(&claims).unwrap()
    }

    fn jwks() -> Value {
        Signer::new().unwrap().jwks().clone()
    }

    #[test]
    fn a_good_token_passes() {
        let claims = check_id_token(&token(|_| {}), &jwks(), &expected()).unwrap();
        assert_eq!(claims["sub"], "user-1");
        let listed = token(|c| c["aud"] = json!(["other", "client-1"]));
        assert!(check_id_token(&listed, &jwks(), &expected()).is_ok());
    }

    #[test]
    fn each_check_refuses() {
        let refused = |t: String| check_id_token(&t, &jwks(), &expected()).unwrap_err();
        assert!(refused(token(|c| c["iss"] = json!("https://evil.example"))).contains("issuer"));
        assert!(refused(token(|c| c["aud"] = json!("client-2"))).contains("aud"));
        assert!(refused(token(|c| c["aud"] = json!(["client-2"]))).contains("aud"));
        assert!(refused(token(|c| c["nonce"] = json!("n-2"))).contains("nonce"));
        assert!(
            refused(token(|c| drop(c.as_object_mut().unwrap().remove("nonce")))).contains("nonce")
        );
        assert!(refused(token(|c| c["exp"] = json!(NOW))).contains("expired"));
        assert!(refused(token(|c| c["iat"] = json!(NOW + 3600))).contains("future"));
        assert!(refused(token(|c| c["sub"] = json!(""))).contains("subject"));
    }

    #[test]
    fn a_forged_or_unsigned_token_is_refused() {
        let good = token(|_| {});
        let (input, _) = good.rsplit_once('.').unwrap();
        let (header, _) = input.split_once('.').unwrap();
        // Another payload under the same signature.
        let forged_payload = B64URL.encode(
            json!({"iss": "https://idp.example", "aud": "client-1", "nonce": "n-1",
                   "sub": "admin", "exp": NOW + 60})
            .to_string(),
        );
        let signature = good.rsplit('.').next().unwrap();
        let forged = format!("{header}.{forged_payload}.{signature}");
        assert!(
            check_id_token(&forged, &jwks(), &expected())
                .unwrap_err()
                .contains("signature")
        );
        // `alg: none`.
        let none = format!("{}.{forged_payload}.", B64URL.encode(r#"{"alg":"none"}"#));
        assert!(
            check_id_token(&none, &jwks(), &expected())
                .unwrap_err()
                .contains("RS256")
        );
        // A JWKS without the key.
        let empty = json!({"keys": []});
        assert!(
            check_id_token(&good, &empty, &expected())
                .unwrap_err()
                .contains("JWKS")
        );
        assert!(check_id_token("x.y", &jwks(), &expected()).is_err());
    }
}
