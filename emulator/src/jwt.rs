//! RS256 JWTs and their JWKS, signed with the emulator's built-in key (a fixed test key: tokens
//! from the emulator are for testing only).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

const KEY_PEM: &str = include_str!("emulator-key.pem");
pub(crate) const KID: &str = "cognito-flows-emulator-1";

pub(crate) struct Signer {
    key: rsa::PrivateKey,
}

impl Signer {
    pub(crate) fn new() -> Result<Self, String> {
        let key = rsa::PrivateKey::from_pkcs8_pem(KEY_PEM).map_err(|e| e.to_string())?;
        Ok(Self { key })
    }

    pub(crate) fn sign(&self, claims: &Value) -> Result<String, String> {
        let header = B64URL.encode(json!({"kid": KID, "alg": "RS256", "typ": "JWT"}).to_string());
        let payload = B64URL.encode(claims.to_string());
        let input = format!("{header}.{payload}");
        let signature = self
            .key
            .pkcs1v15_sign::<rsa::sha2::Sha256>(input.as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(format!("{input}.{}", B64URL.encode(signature)))
    }

    pub(crate) fn jwks(&self) -> Value {
        let public = self.key.to_public_key();
        json!({"keys": [{
            "kid": KID, "alg": "RS256", "kty": "RSA", "use": "sig",
            "n": B64URL.encode(public.n_bytes()), "e": B64URL.encode(public.e_bytes()),
        }]})
    }
}

/// The claims of a JWT (no verification: the emulator only reads its own tokens, which it also
/// records by `jti`).
pub(crate) fn claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&B64URL.decode(payload).ok()?).ok()
}
