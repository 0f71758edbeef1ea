//! RS256 JWTs and their JWKS, signed with the emulator's built-in key (a fixed test key: tokens
//! from the emulator are for testing only), by the backend of [`super::crypto`].

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64URL};
use serde_json::{Value, json};

use super::crypto::RsaKey;

const KEY_PEM: &str = include_str!("emulator-key.pem");
pub(crate) const KID: &str = "cognito-flows-emulator-1";

pub(crate) struct Signer {
    key: RsaKey,
    header: String,
    jwks: Value,
}

impl Signer {
    pub(crate) fn new() -> Result<Self, String> {
        let base64: String = KEY_PEM
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let der = STANDARD.decode(base64).map_err(|e| e.to_string())?;
        let key = RsaKey::from_pkcs8(&der)?;
        let (n, e) = key.public_components();
        let jwks = json!({"keys": [{
            "kid": KID, "alg": "RS256", "kty": "RSA", "use": "sig",
            "n": B64URL.encode(&n),
            "e": B64URL.encode(&e),
        }]});
        // Keys in sorted order whichever way serde_json keeps maps (a workspace build turns on
        // its `preserve_order`): the same claims always give the same token.
        let mut header = json!({"kid": KID, "alg": "RS256", "typ": "JWT"});
        header.sort_all_objects();
        let header = B64URL.encode(header.to_string());
        Ok(Self { key, header, jwks })
    }

    pub(crate) fn sign(&self, claims: &Value) -> Result<String, String> {
        let mut claims = claims.clone();
        claims.sort_all_objects();
        let input = format!("{}.{}", self.header, B64URL.encode(claims.to_string()));
        let signature = self.key.sign(input.as_bytes())?;
        Ok(format!("{input}.{}", B64URL.encode(signature)))
    }

    /// Whether `token` is an RS256 JWT signed by this key (the header names the key; `alg: none`
    /// and every other algorithm are refused).
    pub(crate) fn verify(&self, token: &str) -> bool {
        let Some((input, signature)) = token.rsplit_once('.') else {
            return false;
        };
        let Some((header, payload)) = input.split_once('.') else {
            return false;
        };
        let header: Option<Value> = B64URL
            .decode(header)
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok());
        let Some(header) = header else { return false };
        if header.get("alg").and_then(Value::as_str) != Some("RS256")
            || header.get("kid").and_then(Value::as_str) != Some(KID)
            || payload.contains('.')
        {
            return false;
        }
        let Ok(signature) = B64URL.decode(signature) else {
            return false;
        };
        self.key.verify(input.as_bytes(), &signature)
    }

    pub(crate) fn jwks(&self) -> &Value {
        &self.jwks
    }
}

/// The claims of a JWT. Read only after [`Signer::verify`] accepted it, or for the emulator's
/// own records.
pub(crate) fn claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&B64URL.decode(payload).ok()?).ok()
}
