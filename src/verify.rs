//! Verifying Cognito tokens on the server side, Sans-IO: RS256 signatures against the pool's
//! JWKS, and Cognito's claims (`iss`, `token_use`, `aud` or `client_id`, `exp`, `nbf`, `iat`,
//! groups, scopes). The JS SDK only decodes; generic JWT crates leave the Cognito checks to you.
//!
//! The JWKS is fetched the Sans-IO way: when a token names a key the verifier does not have,
//! [`Verifier::verify`] answers [`Verification::FetchKeys`] with the `GET` to send; give the
//! response to [`Verifier::handle_jwks_response`] and verify again. An unknown `kid` causes at
//! most one fetch per [`VerifyOptions::refetch_interval`], so key rotation works without a
//! refetch storm from forged tokens.
//!
//! ```
//! # use cognito_flows::verify::*;
//! # use cognito_flows::UserPool;
//! # use std::time::{Duration, UNIX_EPOCH};
//! # let jwks = br#"{"keys":[]}"#.to_vec();
//! # let token = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.e30.c2ln";
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let mut verifier = Verifier::new(&pool, VerifyOptions::access_tokens(["1example23456789"]));
//! let now = UNIX_EPOCH + Duration::from_secs(1_795_507_507);
//! let verdict = match verifier.verify(token, now) {
//!     Verification::FetchKeys(request) => {
//!         # let response = http::Response::new(jwks);
//!         // let response = send(request)?;
//!         verifier.handle_jwks_response(now, response)?;
//!         verifier.verify(token, now)
//!     }
//!     other => other,
//! };
//! assert!(matches!(verdict, Verification::Invalid(VerifyError::UnknownKey(_))));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;

use crate::pool::UserPool;
use crate::tokens::{Claims, Jwt, unix_seconds};

/// Which tokens to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    /// Id tokens (`token_use: id`, audience in `aud`).
    Id,
    /// Access tokens (`token_use: access`, audience in `client_id`).
    Access,
}

impl TokenUse {
    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Access => "access",
        }
    }
}

/// What a token must satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// `id` or `access`.
    pub token_use: TokenUse,
    /// The app client ids allowed (`aud` of id tokens, `client_id` of access tokens). Empty
    /// accepts any client of the pool.
    pub client_ids: Vec<String>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    pub leeway: Duration,
    /// Groups the user must all be in (`cognito:groups`).
    pub required_groups: Vec<String>,
    /// Scopes the access token must all have (`scope`).
    pub required_scopes: Vec<String>,
    /// The shortest time between two JWKS fetches caused by unknown keys.
    pub refetch_interval: Duration,
}

impl VerifyOptions {
    fn new(token_use: TokenUse, client_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            token_use,
            client_ids: client_ids.into_iter().map(Into::into).collect(),
            leeway: Duration::from_secs(60),
            required_groups: Vec::new(),
            required_scopes: Vec::new(),
            refetch_interval: Duration::from_secs(300),
        }
    }

    /// Access tokens of these app clients, 60 s leeway.
    pub fn access_tokens(client_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self::new(TokenUse::Access, client_ids)
    }

    /// Id tokens of these app clients, 60 s leeway.
    pub fn id_tokens(client_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self::new(TokenUse::Id, client_ids)
    }
}

/// Why a token was refused. Never contains the token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a JWT, or a part is not base64url JSON.
    Malformed(&'static str),
    /// `alg` is not `RS256` (`none`, `HS256`, ...).
    UnsupportedAlgorithm(String),
    /// The header has no `kid`.
    MissingKeyId,
    /// No key with this `kid`, even after fetching the JWKS.
    UnknownKey(String),
    /// The signature does not verify.
    BadSignature,
    /// `iss` is not the pool's.
    WrongIssuer(String),
    /// `token_use` is not the one asked for.
    WrongTokenUse {
        /// Asked for.
        expected: &'static str,
        /// Found (empty when missing).
        found: String,
    },
    /// `aud` / `client_id` is not an allowed client.
    WrongAudience(String),
    /// A required claim is missing or has the wrong type.
    MissingClaim(&'static str),
    /// `exp` has passed (beyond the leeway).
    Expired {
        /// `exp`.
        exp: i64,
    },
    /// `nbf` or `iat` is in the future (beyond the leeway).
    NotYetValid,
    /// A required group is missing.
    MissingGroup(String),
    /// A required scope is missing.
    MissingScope(String),
    /// The JWKS answer is unusable.
    InvalidJwks(String),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed token: {why}"),
            Self::UnsupportedAlgorithm(alg) => {
                write!(f, "unsupported algorithm {alg:?} (only RS256)")
            }
            Self::MissingKeyId => f.write_str("the token names no key (kid)"),
            Self::UnknownKey(kid) => write!(f, "no key {kid:?} in the pool's JWKS"),
            Self::BadSignature => f.write_str("the signature does not verify"),
            Self::WrongIssuer(iss) => write!(f, "issued by {iss:?}, not this pool"),
            Self::WrongTokenUse { expected, found } => {
                write!(f, "a {found:?} token where an {expected} token is required")
            }
            Self::WrongAudience(aud) => write!(f, "issued to client {aud:?}, which is not allowed"),
            Self::MissingClaim(name) => write!(f, "missing claim {name}"),
            Self::Expired { exp } => write!(f, "expired at {exp}"),
            Self::NotYetValid => f.write_str("not valid yet"),
            Self::MissingGroup(g) => write!(f, "not in group {g:?}"),
            Self::MissingScope(s) => write!(f, "lacks scope {s:?}"),
            Self::InvalidJwks(why) => write!(f, "unusable JWKS: {why}"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// The answer of [`Verifier::verify`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Verification {
    /// The token is valid; its claims.
    Valid(Claims),
    /// The token names a key the verifier does not have: send this request, give the response to
    /// [`Verifier::handle_jwks_response`], and verify again.
    FetchKeys(Box<http::Request<Vec<u8>>>),
    /// The token is refused.
    Invalid(VerifyError),
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kid: Option<String>,
    kty: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

#[derive(Deserialize)]
struct Header {
    alg: Option<String>,
    kid: Option<String>,
}

/// Verifies a pool's tokens. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Verifier {
    issuer: String,
    jwks_uri: String,
    options: VerifyOptions,
    keys: BTreeMap<String, rsa::PublicKey>,
    last_fetch: Option<SystemTime>,
}

impl Verifier {
    /// A verifier for `pool`'s tokens: issuer `https://cognito-idp.{region}.amazonaws.com/{pool
    /// id}` (whatever the pool's endpoint), keys at the pool's [`jwks_uri`](UserPool::jwks_uri),
    /// which follows a custom endpoint.
    pub fn new(pool: &UserPool, options: VerifyOptions) -> Self {
        Self {
            jwks_uri: pool.jwks_uri(),
            ..Self::with_issuer(pool.issuer(), options)
        }
    }

    /// A verifier for another issuer (a local server, a proxy).
    pub fn with_issuer(issuer: impl Into<String>, options: VerifyOptions) -> Self {
        let issuer = issuer.into();
        let jwks_uri = format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'));
        Self {
            issuer,
            jwks_uri,
            options,
            keys: BTreeMap::new(),
            last_fetch: None,
        }
    }

    /// The issuer tokens must name.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `GET` of the pool's JWKS.
    pub fn jwks_request(&self) -> http::Request<Vec<u8>> {
        let mut request = http::Request::new(Vec::new());
        if let Ok(uri) = self.jwks_uri.parse() {
            *request.uri_mut() = uri;
        }
        request
    }

    /// Reads the JWKS answer (keeping the keys it already had, for tokens still in flight).
    pub fn handle_jwks_response(
        &mut self,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<(), VerifyError> {
        self.last_fetch = Some(now);
        if !response.status().is_success() {
            return Err(VerifyError::InvalidJwks(format!(
                "HTTP {}",
                response.status().as_u16()
            )));
        }
        let jwks: Jwks = serde_json::from_slice(response.body())
            .map_err(|_| VerifyError::InvalidJwks("not a JWKS document".into()))?;
        for key in jwks.keys {
            let (Some(kid), Some("RSA"), Some(n), Some(e)) =
                (key.kid, key.kty.as_deref(), key.n, key.e)
            else {
                continue;
            };
            let decode = |s: &str| URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok();
            let (Some(n), Some(e)) = (decode(&n), decode(&e)) else {
                continue;
            };
            let n = rsa::BoxedUint::from_be_slice_vartime(&n);
            let e = rsa::BoxedUint::from_be_slice_vartime(&e);
            if let Ok(public) = rsa::PublicKey::new(n, e) {
                self.keys.insert(kid, public);
            }
        }
        Ok(())
    }

    /// The number of keys known.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    fn may_fetch(&self, now: SystemTime) -> bool {
        self.last_fetch.is_none_or(|at| {
            now.duration_since(at)
                .map_or(true, |d| d >= self.options.refetch_interval)
        })
    }

    /// Verifies `token` at `now`.
    pub fn verify(&self, token: &str, now: SystemTime) -> Verification {
        match self.check(token, now) {
            Ok(claims) => Verification::Valid(claims),
            Err(VerifyError::UnknownKey(_)) if self.may_fetch(now) => {
                Verification::FetchKeys(Box::new(self.jwks_request()))
            }
            Err(e) => Verification::Invalid(e),
        }
    }

    fn check(&self, token: &str, now: SystemTime) -> Result<Claims, VerifyError> {
        let mut parts = token.split('.');
        let (Some(header), Some(_payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(VerifyError::Malformed("not three dot-separated parts"));
        };
        let decode = |s: &str, what| {
            URL_SAFE_NO_PAD
                .decode(s.trim_end_matches('='))
                .map_err(|_| VerifyError::Malformed(what))
        };
        let header: Header =
            serde_json::from_slice(&decode(header, "the header is not base64url")?)
                .map_err(|_| VerifyError::Malformed("the header is not a JSON object"))?;
        match header.alg.as_deref() {
            Some("RS256") => {}
            other => {
                return Err(VerifyError::UnsupportedAlgorithm(
                    other.unwrap_or("").to_owned(),
                ));
            }
        }
        let kid = header.kid.ok_or(VerifyError::MissingKeyId)?;
        let key = self
            .keys
            .get(&kid)
            .ok_or_else(|| VerifyError::UnknownKey(kid.clone()))?;
        let signature = decode(signature, "the signature is not base64url")?;
        let signed = token
            .get(..token.rfind('.').unwrap_or(0))
            .unwrap_or_default();
        key.pkcs1v15_verify::<sha2::Sha256>(signed.as_bytes(), &signature)
            .map_err(|_| VerifyError::BadSignature)?;
        let jwt = Jwt::decode(token)
            .map_err(|_| VerifyError::Malformed("the payload is not a JSON object"))?;
        self.check_claims(jwt.claims(), now)?;
        Ok(jwt.claims().clone())
    }

    fn check_claims(&self, claims: &Claims, now: SystemTime) -> Result<(), VerifyError> {
        let o = &self.options;
        let iss = claims.str("iss").ok_or(VerifyError::MissingClaim("iss"))?;
        if iss != self.issuer {
            return Err(VerifyError::WrongIssuer(iss.to_owned()));
        }
        let token_use = claims.token_use().unwrap_or_default();
        if token_use != o.token_use.name() {
            return Err(VerifyError::WrongTokenUse {
                expected: o.token_use.name(),
                found: token_use.to_owned(),
            });
        }
        let (audience_claim, audience) = match o.token_use {
            TokenUse::Id => ("aud", claims.str("aud")),
            TokenUse::Access => ("client_id", claims.str("client_id")),
        };
        let audience = audience.ok_or(VerifyError::MissingClaim(audience_claim))?;
        if !o.client_ids.is_empty() && !o.client_ids.iter().any(|c| c == audience) {
            return Err(VerifyError::WrongAudience(audience.to_owned()));
        }
        let now = unix_seconds(now);
        let leeway = i64::try_from(o.leeway.as_secs()).unwrap_or(i64::MAX);
        let exp = claims.exp().ok_or(VerifyError::MissingClaim("exp"))?;
        if now >= exp.saturating_add(leeway) {
            return Err(VerifyError::Expired { exp });
        }
        for name in ["nbf", "iat"] {
            if claims
                .int(name)
                .is_some_and(|t| t > now.saturating_add(leeway))
            {
                return Err(VerifyError::NotYetValid);
            }
        }
        let groups = claims.groups();
        if let Some(missing) = o
            .required_groups
            .iter()
            .find(|g| !groups.contains(&g.as_str()))
        {
            return Err(VerifyError::MissingGroup(missing.clone()));
        }
        let scopes: Vec<&str> = claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or("")
            .split(' ')
            .collect();
        if let Some(missing) = o
            .required_scopes
            .iter()
            .find(|s| !scopes.contains(&s.as_str()))
        {
            return Err(VerifyError::MissingScope(missing.clone()));
        }
        Ok(())
    }
}
