//! RS256 JWTs and their JWKS, signed with the emulator's built-in key (a fixed test key: tokens
//! from the emulator are for testing only).
//!
//! aws-lc-rs signs: AWS-LC's RSA (AVX-512 IFMA where the CPU has it, as OpenSSL 3) is several times
//! faster than the pure-Rust `rsa` crate and twice ring's, and a sign-in makes two signatures.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, KeyPair as _, RsaKeyPair, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64URL};
use serde_json::{Value, json};

const KEY_PEM: &str = include_str!("emulator-key.pem");
pub(crate) const KID: &str = "cognito-flows-emulator-1";

pub(crate) struct Signer {
    key: RsaKeyPair,
    rng: SystemRandom,
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
        let key = RsaKeyPair::from_pkcs8(&der).map_err(|e| e.to_string())?;
        let public: RsaPublicKeyComponents<Vec<u8>> = key.public_key().into();
        let jwks = json!({"keys": [{
            "kid": KID, "alg": "RS256", "kty": "RSA", "use": "sig",
            "n": B64URL.encode(&public.n),
            "e": B64URL.encode(&public.e),
        }]});
        // Keys in sorted order whichever way serde_json keeps maps (a workspace build turns on
        // its `preserve_order`): the same claims always give the same token.
        let mut header = json!({"kid": KID, "alg": "RS256", "typ": "JWT"});
        header.sort_all_objects();
        let header = B64URL.encode(header.to_string());
        Ok(Self {
            key,
            rng: SystemRandom::new(),
            header,
            jwks,
        })
    }

    pub(crate) fn sign(&self, claims: &Value) -> Result<String, String> {
        let mut claims = claims.clone();
        claims.sort_all_objects();
        let input = format!("{}.{}", self.header, B64URL.encode(claims.to_string()));
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &self.rng,
                input.as_bytes(),
                &mut signature,
            )
            .map_err(|e| e.to_string())?;
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
        signature::UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            self.key.public_key().as_ref(),
        )
        .verify(input.as_bytes(), &signature)
        .is_ok()
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
