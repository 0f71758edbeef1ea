//! The JWKS document: which keys to trust, parsed once into Montgomery form.
//!
//! A key is kept when it is an RSA key (`kty: RSA`) with a `kid`, a `use` that is absent or
//! `sig`, an `alg` that is absent or `RS256`, and an `n` and `e` in strict base64url (no
//! padding) that make a usable key: 2048 to 4096 bits, odd, `e` odd in `[3, 2^33]`. Any other
//! key is skipped (a JWKS may carry encryption keys or other algorithms); a second key with a
//! `kid` already seen is skipped too.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::rsa::PublicKey;

/// The largest JWKS body read, in bytes: Cognito's is under 2 KiB.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;

/// The most keys read from one JWKS (each costs a parse): Cognito publishes two.
pub const MAX_JWKS_KEYS: usize = 32;

#[derive(Deserialize)]
struct Document {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Jwk {
    kid: Option<String>,
    kty: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

/// One trusted key.
#[derive(Debug)]
pub(crate) struct Key {
    pub(crate) kid: String,
    pub(crate) public: PublicKey,
    /// `n` and `e` as published, to recognise the same key in the next fetch.
    material: (String, String),
}

/// Why a JWKS body is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JwksError {
    /// Over [`MAX_JWKS_BYTES`].
    TooLarge,
    /// Not a JSON object with a `keys` array.
    NotJwks,
    /// Over [`MAX_JWKS_KEYS`] keys.
    TooManyKeys,
}

impl JwksError {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::TooLarge => "the document is over 64 KiB",
            Self::NotJwks => "not a JWKS document",
            Self::TooManyKeys => "more than 32 keys",
        }
    }
}

/// The usable keys of a JWKS body, reusing a key of `previous` when its `kid`, `n` and `e`
/// are unchanged (so it keeps its identity, and verified tokens cached under it stay valid).
pub(crate) fn parse(body: &[u8], previous: &[Arc<Key>]) -> Result<Vec<Arc<Key>>, JwksError> {
    if body.len() > MAX_JWKS_BYTES {
        return Err(JwksError::TooLarge);
    }
    let document: Document = serde_json::from_slice(body).map_err(|_| JwksError::NotJwks)?;
    if document.keys.len() > MAX_JWKS_KEYS {
        return Err(JwksError::TooManyKeys);
    }
    let mut keys: Vec<Arc<Key>> = Vec::new();
    for value in document.keys {
        let Ok(jwk) = serde_json::from_value::<Jwk>(value) else {
            continue;
        };
        let Some(key) = usable(jwk, previous) else {
            continue;
        };
        if keys.iter().all(|k| k.kid != key.kid) {
            keys.push(key);
        }
    }
    Ok(keys)
}

fn usable(jwk: Jwk, previous: &[Arc<Key>]) -> Option<Arc<Key>> {
    let (Some(kid), Some("RSA"), Some(n), Some(e)) = (jwk.kid, jwk.kty.as_deref(), jwk.n, jwk.e)
    else {
        return None;
    };
    if jwk.use_.as_deref().is_some_and(|u| u != "sig")
        || jwk.alg.as_deref().is_some_and(|a| a != "RS256")
    {
        return None;
    }
    if let Some(same) = previous
        .iter()
        .find(|k| k.kid == kid && k.material.0 == n && k.material.1 == e)
    {
        return Some(Arc::clone(same));
    }
    let public = PublicKey::new(
        &URL_SAFE_NO_PAD.decode(&n).ok()?,
        &URL_SAFE_NO_PAD.decode(&e).ok()?,
    )
    .ok()?;
    Some(Arc::new(Key {
        kid,
        public,
        material: (n, e),
    }))
}
