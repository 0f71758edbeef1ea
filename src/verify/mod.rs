//! Verifying Cognito tokens on the server side, Sans-IO: RS256 signatures against the pools'
//! JWKS, and Cognito's claims (`iss`, `token_use`, `aud` or `client_id`, `exp`, `nbf`, `iat`,
//! groups, scopes, and a check of your own). The JS SDK only decodes; generic JWT crates leave
//! the Cognito checks to you.
//!
//! # The fetch protocol
//!
//! The verifier never does I/O. When a token names a key it does not have, [`Verifier::verify`]
//! answers [`Verification::FetchKeys`] with a [`JwksFetch`]: send its
//! [`request`](JwksFetch::request), hand the response to [`Verifier::handle_jwks_response`]
//! (or a transport error to [`Verifier::handle_jwks_failure`]), and verify again.
//!
//! - **Single flight:** one fetch per JWKS is out at a time; tokens naming unknown keys meanwhile
//!   are refused with [`VerifyError::UnknownKey`] (no queue, no second fetch). A fetch that is
//!   never handled counts as failed after [`FetchPolicy::fetch_timeout`].
//! - **Penalty box:** the attempt is recorded when the fetch is issued; until
//!   [`FetchPolicy::refetch_interval`] has passed, unknown keys are refused without a fetch, so
//!   forged `kid`s cannot flood the JWKS endpoint. After failed fetches the wait doubles, up to
//!   [`FetchPolicy::max_backoff`].
//! - **Removed keys:** each fetch replaces the key set. A key that is gone is trusted only for
//!   [`FetchPolicy::removed_key_grace`] (zero by default: distrusted at once).
//! - **Hydrate:** [`Verifier::hydrate`] gives the fetches to make at startup.
//!
//! The adapters do this loop for you: `cognito_flows_ureq::verify` (blocking),
//! `cognito_flows_async::verify` (async, any executor), and the `cognito-flows-axum` crate's
//! tower layer and extractor for Bearer tokens.
//!
//! # Servers
//!
//! `verify` takes `&self`: share one verifier (`Arc<Verifier>`) across threads and tasks. The
//! hot path takes no lock: each JWKS's key set sits behind an atomic swap (`arc-swap`), read
//! with a few atomic operations and replaced whole when a fetch is handled; the fetch
//! bookkeeping has a mutex that only unknown keys and fetch answers touch. One verifier serves
//! several pools and app clients ([`Verifier::builder`]); a token is checked against the pool
//! its `iss` names.
//!
//! An optional cache of verified tokens ([`VerifierBuilder::cache`]) skips the signature for a
//! token seen before, until its `exp`; the checks that depend on `now` (expiry, not-before, the
//! key still being trusted, your own check) run on every hit.
//!
//! # Strictness
//!
//! Every part of the token is strict base64url without padding; the header must say
//! `alg: RS256`, name a `kid`, and carry no `crit`; the signature must be exactly as long as
//! the modulus. So `alg: none`, HS256 keyed with the public key, padded or re-encoded
//! signatures, and keys under 2048 bits or with `e = 1` are all refused.
//!
//! ```
//! # use cognito_flows::verify::*;
//! # use cognito_flows::UserPool;
//! # use std::time::{Duration, UNIX_EPOCH};
//! # let jwks = br#"{"keys":[]}"#.to_vec();
//! # let token = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJpc3MiOiJodHRwczovL2NvZ25pdG8taWRwLnVzLWVhc3QtMS5hbWF6b25hd3MuY29tL3VzLWVhc3QtMV9BYkMxMjMifQ.c2ln";
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let verifier = Verifier::new(&pool, VerifyOptions::access_tokens(["1example23456789"]));
//! let now = UNIX_EPOCH + Duration::from_secs(1_795_507_507);
//! let verdict = match verifier.verify(token, now) {
//!     Verification::FetchKeys(fetch) => {
//!         # let response = http::Response::new(jwks);
//!         // let response = send(fetch.request())?;
//!         verifier.handle_jwks_response(now, &fetch, response)?;
//!         verifier.verify(token, now)
//!     }
//!     other => other,
//! };
//! assert!(matches!(verdict, Verification::Invalid(VerifyError::UnknownKey(_))));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cache;
mod jwks;
pub(crate) mod rsa;

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value};

use self::jwks::Key;
pub use self::jwks::{MAX_JWKS_BYTES, MAX_JWKS_KEYS};
use crate::pool::UserPool;
use crate::tokens::{Claims, unix_seconds};

/// The longest token read, in bytes (Cognito's are 1 to 4 KiB, more with many groups).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Which tokens to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    /// Id tokens (`token_use: id`, audience in `aud`).
    Id,
    /// Access tokens (`token_use: access`, audience in `client_id`).
    Access,
    /// Either (the audience is read from the claim that token use names).
    Either,
}

impl TokenUse {
    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Access => "access",
            Self::Either => "id or access",
        }
    }
}

/// A check of your own, run on the claims of every token that passed the others (and on every
/// cache hit). Its `Err` becomes [`VerifyError::Refused`].
///
/// ```
/// # use cognito_flows::verify::{CustomCheck, VerifyOptions};
/// let mut options = VerifyOptions::access_tokens(["1example23456789"]);
/// options.check = Some(CustomCheck::new(|claims| match claims.str("username") {
///     Some("banned") => Err("user banned".into()),
///     _ => Ok(()),
/// }));
/// ```
#[derive(Clone)]
#[allow(clippy::type_complexity, reason = "the closure's type, spelled once")]
pub struct CustomCheck(Arc<dyn Fn(&Claims) -> Result<(), String> + Send + Sync>);

impl CustomCheck {
    /// Wraps a check.
    pub fn new(check: impl Fn(&Claims) -> Result<(), String> + Send + Sync + 'static) -> Self {
        Self(Arc::new(check))
    }
}

impl fmt::Debug for CustomCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomCheck")
    }
}

/// What a pool's tokens must satisfy.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// `id`, `access` or either.
    pub token_use: TokenUse,
    /// The app client ids allowed (`aud` of id tokens, `client_id` of access tokens). Empty
    /// accepts any client of the pool.
    pub client_ids: Vec<String>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    pub leeway: Duration,
    /// Groups the user must all be in (`cognito:groups`).
    pub required_groups: Vec<String>,
    /// Scopes the token must all have (`scope`).
    pub required_scopes: Vec<String>,
    /// A check of your own.
    pub check: Option<CustomCheck>,
}

impl VerifyOptions {
    fn new(token_use: TokenUse, client_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            token_use,
            client_ids: client_ids.into_iter().map(Into::into).collect(),
            leeway: Duration::from_secs(60),
            required_groups: Vec::new(),
            required_scopes: Vec::new(),
            check: None,
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

    /// Id or access tokens of these app clients, 60 s leeway.
    pub fn any_tokens(client_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self::new(TokenUse::Either, client_ids)
    }

    /// The same options requiring every one of `scopes` in the token's `scope` claim as well
    /// (added to [`required_scopes`](Self::required_scopes)); a token without one of them is
    /// [`VerifyError::MissingScope`]. For a machine-to-machine API, the custom scopes of a
    /// resource server:
    ///
    /// ```
    /// use cognito_flows::verify::VerifyOptions;
    ///
    /// // Access tokens of the service's app client that may write orders.
    /// let options = VerifyOptions::access_tokens(["1example23456789"]).require_scopes(["orders/write"]);
    /// assert_eq!(options.required_scopes, ["orders/write"]);
    /// ```
    #[must_use]
    pub fn require_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.required_scopes
            .extend(scopes.into_iter().map(Into::into));
        self
    }
}

/// Whether verified `claims` grant every one of `required` (their `scope` claim, split on
/// spaces): the first one missing is [`VerifyError::MissingScope`]. The check of
/// [`VerifyOptions::required_scopes`], for a route that needs more than the verifier asks of
/// every token (the axum layer's `require_scopes` runs it).
///
/// ```
/// use cognito_flows::Jwt;
/// use cognito_flows::verify::{VerifyError, check_scopes};
///
/// // The claims of a verified token (here an unsigned one with `scope: "orders/read orders/write"`).
/// let token = Jwt::decode("e30.eyJzY29wZSI6Im9yZGVycy9yZWFkIG9yZGVycy93cml0ZSJ9.")?;
/// let claims = token.claims();
/// assert_eq!(check_scopes(claims, &["orders/read"]), Ok(()));
/// assert_eq!(
///     check_scopes(claims, &["orders/admin"]),
///     Err(VerifyError::MissingScope("orders/admin".into()))
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_scopes<S: AsRef<str>>(claims: &Claims, required: &[S]) -> Result<(), VerifyError> {
    let granted: Vec<&str> = claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split(' ')
        .collect();
    match required
        .iter()
        .map(AsRef::as_ref)
        .find(|s| !granted.contains(s))
    {
        Some(missing) => Err(VerifyError::MissingScope(missing.to_owned())),
        None => Ok(()),
    }
}

/// When the verifier asks for the JWKS. The defaults are aws-jwt-verify's penalty box (10 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchPolicy {
    /// The shortest time between two fetch attempts of one JWKS (the penalty box).
    pub refetch_interval: Duration,
    /// After `k` failed fetches in a row the wait is `refetch_interval · 2^k`, up to this.
    pub max_backoff: Duration,
    /// How long a key removed from the JWKS is still trusted.
    pub removed_key_grace: Duration,
    /// A fetch that was issued and never handled counts as failed after this.
    pub fetch_timeout: Duration,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            refetch_interval: Duration::from_secs(10),
            max_backoff: Duration::from_secs(300),
            removed_key_grace: Duration::ZERO,
            fetch_timeout: Duration::from_secs(30),
        }
    }
}

/// Why a token was refused. Never contains the token; the strings it carries (a `kid`, an
/// issuer, a client id) are cut to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a JWT: not three parts, a part not strict base64url, not JSON, too long.
    Malformed(&'static str),
    /// `alg` is not `RS256` (`none`, `HS256`, ...).
    UnsupportedAlgorithm(String),
    /// The header has a `crit` parameter (no extension is understood here).
    CriticalHeader,
    /// The header has no `kid`.
    MissingKeyId,
    /// No trusted key with this `kid` (a fetch was not due, or brought no such key).
    UnknownKey(String),
    /// The signature does not verify.
    BadSignature,
    /// `iss` is none of the verifier's pools.
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
    /// Your [`CustomCheck`] refused the token, with its reason.
    Refused(String),
    /// The JWKS answer is unusable (an HTTP error status, not a JWKS, too large).
    InvalidJwks(String),
    /// The JWKS could not be fetched (a transport error, a timeout, a body over the limit).
    JwksFetch(String),
}

impl VerifyError {
    /// A short, stable name of the check that failed (`"expired"`, `"bad_signature"`, ...):
    /// for metrics and logs, and safe to show a client.
    pub fn check(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::UnsupportedAlgorithm(_) => "algorithm",
            Self::CriticalHeader => "crit",
            Self::MissingKeyId => "kid",
            Self::UnknownKey(_) => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::WrongIssuer(_) => "issuer",
            Self::WrongTokenUse { .. } => "token_use",
            Self::WrongAudience(_) => "audience",
            Self::MissingClaim(_) => "claim",
            Self::Expired { .. } => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::MissingGroup(_) => "group",
            Self::MissingScope(_) => "scope",
            Self::Refused(_) => "refused",
            Self::InvalidJwks(_) => "invalid_jwks",
            Self::JwksFetch(_) => "jwks_fetch",
        }
    }

    /// Whether the fault is on the verifying side (the JWKS could not be had), not the token's.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::InvalidJwks(_) | Self::JwksFetch(_))
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed token: {why}"),
            Self::UnsupportedAlgorithm(alg) => {
                write!(f, "unsupported algorithm {alg:?} (only RS256)")
            }
            Self::CriticalHeader => f.write_str("the token's header has a crit parameter"),
            Self::MissingKeyId => f.write_str("the token names no key (kid)"),
            Self::UnknownKey(kid) => write!(f, "no trusted key {kid:?} in the pool's JWKS"),
            Self::BadSignature => f.write_str("the signature does not verify"),
            Self::WrongIssuer(iss) => write!(f, "issued by {iss:?}, not a pool of this verifier"),
            Self::WrongTokenUse { expected, found } => {
                write!(f, "token_use is {found:?} where {expected} is required")
            }
            Self::WrongAudience(aud) => write!(f, "issued to client {aud:?}, which is not allowed"),
            Self::MissingClaim(name) => write!(f, "missing claim {name}"),
            Self::Expired { exp } => write!(f, "expired at {exp}"),
            Self::NotYetValid => f.write_str("not valid yet"),
            Self::MissingGroup(g) => write!(f, "not in group {g:?}"),
            Self::MissingScope(s) => write!(f, "lacks scope {s:?}"),
            Self::Refused(why) => write!(f, "refused by the custom check: {why}"),
            Self::InvalidJwks(why) => write!(f, "unusable JWKS: {why}"),
            Self::JwksFetch(why) => write!(f, "could not fetch the JWKS: {why}"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// A string from the token, cut to 64 characters for an error.
fn short(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The answer of [`Verifier::verify`]. Exhaustive, as [`Action`](crate::Action) is: a driver
/// matches these three and nothing else.
#[derive(Debug)]
pub enum Verification {
    /// The token is valid; its claims.
    Valid(Claims),
    /// The token names a key the verifier does not have, and a fetch is due: send
    /// [`JwksFetch::request`], give the answer to [`Verifier::handle_jwks_response`] (or the
    /// failure to [`Verifier::handle_jwks_failure`]), and verify again.
    FetchKeys(JwksFetch),
    /// The token is refused.
    Invalid(VerifyError),
}

/// A JWKS fetch the verifier asks for: the attempt is already recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a fetch that is never handled blocks the next one until its timeout"]
pub struct JwksFetch {
    source: usize,
    uri: String,
}

impl JwksFetch {
    /// The JWKS address.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The `GET` to send.
    pub fn request(&self) -> http::Request<Vec<u8>> {
        let mut request = http::Request::new(Vec::new());
        if let Ok(uri) = self.uri.parse() {
            *request.uri_mut() = uri;
        }
        request.headers_mut().insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        );
        request
    }
}

/// A pool the verifier accepts tokens of.
#[derive(Debug)]
struct Issuer {
    issuer: String,
    source: usize,
    options: VerifyOptions,
}

/// One JWKS address: its keys and its fetch bookkeeping.
#[derive(Debug)]
struct Source {
    uri: String,
    keys: ArcSwap<KeySet>,
    fetch: Mutex<FetchState>,
}

#[derive(Debug, Default)]
struct KeySet {
    keys: Vec<Arc<Key>>,
    /// Keys gone from the JWKS, with when they went.
    removed: Vec<(Arc<Key>, SystemTime)>,
}

impl KeySet {
    /// The key named `kid`, if trusted at `now`.
    fn get(&self, kid: &str, now: SystemTime, grace: Duration) -> Option<&Arc<Key>> {
        self.keys.iter().find(|k| k.kid == kid).or_else(|| {
            self.removed
                .iter()
                .find(|(k, at)| k.kid == kid && within(now, *at, grace))
                .map(|(k, _)| k)
        })
    }
}

/// Whether `now` is before `at + span`.
fn within(now: SystemTime, at: SystemTime, span: Duration) -> bool {
    now.duration_since(at).is_ok_and(|d| d < span) || now < at
}

#[derive(Debug, Default)]
struct FetchState {
    /// When the last fetch was issued.
    last_attempt: Option<SystemTime>,
    /// The fetch out now, issued at this time.
    in_flight: Option<SystemTime>,
    /// Failed fetches in a row.
    failures: u32,
}

/// Builds a [`Verifier`] for one or more pools. See [`Verifier::builder`].
#[derive(Debug, Default)]
pub struct VerifierBuilder {
    issuers: Vec<(String, String, VerifyOptions)>,
    policy: FetchPolicy,
    cache: usize,
}

impl VerifierBuilder {
    /// Accepts `pool`'s tokens: issuer `https://cognito-idp.{region}.amazonaws.com/{pool id}`
    /// (whatever the pool's endpoint), keys at the pool's [`jwks_uri`](UserPool::jwks_uri),
    /// which follows a custom endpoint.
    pub fn pool(self, pool: &UserPool, options: VerifyOptions) -> Self {
        self.issuer(pool.issuer(), pool.jwks_uri(), options)
    }

    /// Accepts the tokens of another issuer (a local server, a proxy), with keys at `jwks_uri`.
    pub fn issuer(
        mut self,
        issuer: impl Into<String>,
        jwks_uri: impl Into<String>,
        options: VerifyOptions,
    ) -> Self {
        self.issuers.push((issuer.into(), jwks_uri.into(), options));
        self
    }

    /// When to fetch the JWKS (shared by every pool).
    pub fn fetch_policy(mut self, policy: FetchPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Keeps up to `capacity` verified tokens (keyed by their SHA-256, never the token itself)
    /// until their `exp`, so that a repeated token skips the signature check. The checks that
    /// depend on the time, the key still being trusted, and your own check run on every hit.
    /// 0 (the default) keeps none.
    pub fn cache(mut self, capacity: usize) -> Self {
        self.cache = capacity;
        self
    }

    /// The verifier.
    pub fn build(self) -> Verifier {
        let mut sources: Vec<Source> = Vec::new();
        let mut issuers = Vec::new();
        for (issuer, uri, options) in self.issuers {
            let source = match sources.iter().position(|s| s.uri == uri) {
                Some(i) => i,
                None => {
                    sources.push(Source {
                        uri,
                        keys: ArcSwap::default(),
                        fetch: Mutex::default(),
                    });
                    sources.len() - 1
                }
            };
            issuers.push(Issuer {
                issuer,
                source,
                options,
            });
        }
        Verifier {
            issuers,
            sources,
            policy: self.policy,
            cache: (self.cache > 0).then(|| cache::Cache::new(self.cache)),
        }
    }
}

/// Verifies Cognito tokens: `Send + Sync`, share it. See the [module docs](self).
#[derive(Debug)]
pub struct Verifier {
    issuers: Vec<Issuer>,
    sources: Vec<Source>,
    policy: FetchPolicy,
    cache: Option<cache::Cache>,
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: Option<Cow<'a, str>>,
    #[serde(borrow)]
    kid: Option<Cow<'a, str>>,
    #[serde(default)]
    crit: Present,
}

/// Whether a header parameter is there at all (even as `null`).
#[derive(Default)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Self(true))
    }
}

fn decode(part: &str, what: &'static str) -> Result<Vec<u8>, VerifyError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| VerifyError::Malformed(what))
}

impl Verifier {
    /// A verifier for `pool`'s tokens: see [`VerifierBuilder::pool`].
    pub fn new(pool: &UserPool, options: VerifyOptions) -> Self {
        Self::builder().pool(pool, options).build()
    }

    /// A verifier for another issuer, with keys at `{issuer}/.well-known/jwks.json`.
    pub fn with_issuer(issuer: impl Into<String>, options: VerifyOptions) -> Self {
        let issuer = issuer.into();
        let jwks_uri = format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'));
        Self::builder().issuer(issuer, jwks_uri, options).build()
    }

    /// A verifier for several pools, app clients and token uses, with a fetch policy and a
    /// cache.
    ///
    /// ```
    /// # use cognito_flows::verify::*;
    /// # use cognito_flows::UserPool;
    /// let users = UserPool::new("us-east-1_Users1", "webclient")?;
    /// let staff = UserPool::new("eu-west-1_Staff1", "staffapp")?;
    /// let verifier = Verifier::builder()
    ///     .pool(&users, VerifyOptions::access_tokens(["webclient", "mobileclient"]))
    ///     .pool(&staff, VerifyOptions::id_tokens(["staffapp"]))
    ///     .cache(10_000)
    ///     .build();
    /// assert_eq!(verifier.issuers().count(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// The issuers tokens may name.
    pub fn issuers(&self) -> impl Iterator<Item = &str> {
        self.issuers.iter().map(|i| i.issuer.as_str())
    }

    /// The issuer of the first pool (the only one for [`Verifier::new`]).
    pub fn issuer(&self) -> &str {
        self.issuers.first().map_or("", |i| i.issuer.as_str())
    }

    /// The number of keys trusted now, over all JWKS (keys removed but within their grace
    /// period included).
    pub fn key_count(&self) -> usize {
        self.sources
            .iter()
            .map(|s| {
                let set = s.keys.load();
                set.keys.len() + set.removed.len()
            })
            .sum()
    }

    /// The fetches to make at startup, one per JWKS not already being fetched: prefetching
    /// keeps the first requests from waiting on (or being refused during) a fetch.
    pub fn hydrate(&self, now: SystemTime) -> Vec<JwksFetch> {
        (0..self.sources.len())
            .filter_map(|i| {
                let source = self.sources.get(i)?;
                let mut state = lock(&source.fetch);
                if state
                    .in_flight
                    .is_some_and(|at| within(now, at, self.policy.fetch_timeout))
                {
                    return None;
                }
                Some(self.issue(i, source, &mut state, now))
            })
            .collect()
    }

    fn issue(
        &self,
        index: usize,
        source: &Source,
        state: &mut FetchState,
        now: SystemTime,
    ) -> JwksFetch {
        state.last_attempt = Some(now);
        state.in_flight = Some(now);
        JwksFetch {
            source: index,
            uri: source.uri.clone(),
        }
    }

    /// Whether a fetch of `source` is due at `now`; if so it is recorded as issued.
    fn fetch_if_due(&self, index: usize, now: SystemTime) -> Option<JwksFetch> {
        let source = self.sources.get(index)?;
        let mut state = lock(&source.fetch);
        let policy = &self.policy;
        if let Some(at) = state.in_flight {
            if within(now, at, policy.fetch_timeout) {
                return None;
            }
            // Never handled: a failure.
            state.in_flight = None;
            state.failures = state.failures.saturating_add(1);
        }
        if let Some(last) = state.last_attempt {
            let factor = 1u32 << state.failures.min(16);
            let wait = policy
                .refetch_interval
                .saturating_mul(factor)
                .min(policy.max_backoff.max(policy.refetch_interval));
            if within(now, last, wait) {
                return None;
            }
        }
        Some(self.issue(index, source, &mut state, now))
    }

    /// Reads the answer to `fetch`: the key set is replaced by the usable keys of the JWKS
    /// (keys gone from it are kept for [`FetchPolicy::removed_key_grace`]). Returns the number
    /// of usable keys. An error status or an unusable body counts as a failed fetch.
    pub fn handle_jwks_response(
        &self,
        now: SystemTime,
        fetch: &JwksFetch,
        response: http::Response<Vec<u8>>,
    ) -> Result<usize, VerifyError> {
        let Some(source) = self.sources.get(fetch.source) else {
            return Err(VerifyError::InvalidJwks(
                "not a fetch of this verifier".into(),
            ));
        };
        let mut state = lock(&source.fetch);
        state.in_flight = None;
        let previous = source.keys.load();
        let parsed = if response.status().is_success() {
            jwks::parse(response.body(), &previous.keys).map_err(|e| e.reason().to_owned())
        } else {
            Err(format!("HTTP {}", response.status().as_u16()))
        };
        let keys = match parsed {
            Ok(keys) => keys,
            Err(why) => {
                state.failures = state.failures.saturating_add(1);
                return Err(VerifyError::InvalidJwks(why));
            }
        };
        state.failures = 0;
        let grace = self.policy.removed_key_grace;
        let mut removed: Vec<(Arc<Key>, SystemTime)> = previous
            .removed
            .iter()
            .filter(|(_, at)| within(now, *at, grace))
            .cloned()
            .collect();
        for old in &previous.keys {
            if !keys.iter().any(|k| Arc::ptr_eq(k, old)) && within(now, now, grace) {
                removed.push((Arc::clone(old), now));
            }
        }
        removed.retain(|(old, _)| keys.iter().all(|k| k.kid != old.kid));
        let count = keys.len();
        source.keys.store(Arc::new(KeySet { keys, removed }));
        Ok(count)
    }

    /// Records that `fetch` failed (a transport error, a timeout, a body over the limit): the
    /// next fetch waits longer. Returns the error to report, [`VerifyError::JwksFetch`].
    pub fn handle_jwks_failure(
        &self,
        _now: SystemTime,
        fetch: &JwksFetch,
        reason: impl fmt::Display,
    ) -> VerifyError {
        if let Some(source) = self.sources.get(fetch.source) {
            let mut state = lock(&source.fetch);
            state.in_flight = None;
            state.failures = state.failures.saturating_add(1);
        }
        VerifyError::JwksFetch(reason.to_string())
    }

    /// Verifies `token` at `now`. Never does I/O, never blocks on a lock held by another
    /// verification.
    pub fn verify(&self, token: &str, now: SystemTime) -> Verification {
        match self.check(token, now, true) {
            Ok(claims) => Verification::Valid(claims),
            Err(Refusal::Fetch(fetch)) => Verification::FetchKeys(fetch),
            Err(Refusal::Invalid(e)) => Verification::Invalid(e),
        }
    }

    /// Verifies `token` at `now` with the keys at hand, never asking for a fetch: an unknown
    /// key is [`VerifyError::UnknownKey`]. For the second try, once a fetch was handled.
    pub fn verify_without_fetch(
        &self,
        token: &str,
        now: SystemTime,
    ) -> Result<Claims, VerifyError> {
        match self.check(token, now, false) {
            Ok(claims) => Ok(claims),
            Err(Refusal::Invalid(e)) => Err(e),
            Err(Refusal::Fetch(f)) => Err(VerifyError::JwksFetch(format!(
                "unexpected fetch of {}",
                f.uri
            ))),
        }
    }

    fn check(&self, token: &str, now: SystemTime, may_fetch: bool) -> Result<Claims, Refusal> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(VerifyError::Malformed("longer than 16 KiB").into());
        }
        let digest = self.cache.as_ref().map(|_| cache::digest(token));
        if let (Some(cache), Some(digest)) = (&self.cache, &digest)
            && let Some(hit) = cache.get(digest)
        {
            return self.recheck(hit, now);
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(VerifyError::Malformed("not three dot-separated parts").into());
        };
        let signed_len = header.len() + 1 + payload.len();
        let header_bytes = decode(header, "the header is not base64url")?;
        let header: Header = serde_json::from_slice(&header_bytes)
            .map_err(|_| VerifyError::Malformed("the header is not a JSON object"))?;
        match header.alg.as_deref() {
            Some("RS256") => {}
            other => {
                return Err(VerifyError::UnsupportedAlgorithm(short(other.unwrap_or(""))).into());
            }
        }
        if header.crit.0 {
            return Err(VerifyError::CriticalHeader.into());
        }
        let kid = header.kid.ok_or(VerifyError::MissingKeyId)?;
        let claims: Map<String, Value> =
            serde_json::from_slice(&decode(payload, "the payload is not base64url")?)
                .map_err(|_| VerifyError::Malformed("the payload is not a JSON object"))?;
        let claims = Claims::from_map(claims);
        let iss = claims.str("iss").ok_or(VerifyError::MissingClaim("iss"))?;
        let Some(first) = self.issuers.iter().position(|i| i.issuer == iss) else {
            return Err(VerifyError::WrongIssuer(short(iss)).into());
        };
        let source_index = self.issuers.get(first).map_or(0, |i| i.source);
        let Some(source) = self.sources.get(source_index) else {
            return Err(VerifyError::WrongIssuer(short(iss)).into());
        };
        let keys = source.keys.load();
        let Some(key) = keys.get(&kid, now, self.policy.removed_key_grace) else {
            let fetch = may_fetch
                .then(|| self.fetch_if_due(source_index, now))
                .flatten();
            return Err(match fetch {
                Some(fetch) => Refusal::Fetch(fetch),
                None => VerifyError::UnknownKey(short(&kid)).into(),
            });
        };
        let signature = decode(signature, "the signature is not base64url")?;
        let signed = token.get(..signed_len).unwrap_or_default();
        if !key.public.verify_rs256(signed.as_bytes(), &signature) {
            return Err(VerifyError::BadSignature.into());
        }
        let mut outcome = Err(VerifyError::WrongIssuer(short(iss)));
        for (index, issuer) in self.issuers.iter().enumerate().skip(first) {
            if issuer.issuer != iss {
                continue;
            }
            match check_claims(&issuer.options, &claims, now) {
                Ok(()) => {
                    outcome = Ok(index);
                    break;
                }
                Err(e) if outcome.is_err() && index == first => outcome = Err(e),
                Err(_) => {}
            }
        }
        let index = outcome?;
        if let (Some(cache), Some(digest)) = (&self.cache, digest) {
            cache.insert(
                digest,
                cache::Entry {
                    claims: claims.clone(),
                    issuer: index,
                    key: Arc::clone(key),
                },
            );
        }
        Ok(claims)
    }

    /// A cache hit: the key must still be trusted, and the time checks and the custom check
    /// must still pass.
    fn recheck(&self, hit: cache::Entry, now: SystemTime) -> Result<Claims, Refusal> {
        let Some(issuer) = self.issuers.get(hit.issuer) else {
            return Err(VerifyError::WrongIssuer(String::new()).into());
        };
        let trusted = self.sources.get(issuer.source).is_some_and(|source| {
            source
                .keys
                .load()
                .get(&hit.key.kid, now, self.policy.removed_key_grace)
                .is_some_and(|k| Arc::ptr_eq(k, &hit.key))
        });
        if !trusted {
            return Err(VerifyError::UnknownKey(short(&hit.key.kid)).into());
        }
        check_times(&issuer.options, &hit.claims, now)?;
        custom_check(&issuer.options, &hit.claims)?;
        Ok(hit.claims)
    }
}

/// Why [`Verifier::check`] gave no claims.
enum Refusal {
    Fetch(JwksFetch),
    Invalid(VerifyError),
}

impl From<VerifyError> for Refusal {
    fn from(e: VerifyError) -> Self {
        Self::Invalid(e)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn check_claims(o: &VerifyOptions, claims: &Claims, now: SystemTime) -> Result<(), VerifyError> {
    let token_use = claims.token_use().unwrap_or_default();
    let audience_claim = match (o.token_use, token_use) {
        (TokenUse::Id | TokenUse::Either, "id") => "aud",
        (TokenUse::Access | TokenUse::Either, "access") => "client_id",
        _ => {
            return Err(VerifyError::WrongTokenUse {
                expected: o.token_use.name(),
                found: short(token_use),
            });
        }
    };
    let audience = claims
        .str(audience_claim)
        .ok_or(VerifyError::MissingClaim(audience_claim))?;
    if !o.client_ids.is_empty() && !o.client_ids.iter().any(|c| c == audience) {
        return Err(VerifyError::WrongAudience(short(audience)));
    }
    check_times(o, claims, now)?;
    if !o.required_groups.is_empty() {
        let groups = claims.groups();
        if let Some(missing) = o
            .required_groups
            .iter()
            .find(|g| !groups.contains(&g.as_str()))
        {
            return Err(VerifyError::MissingGroup(missing.clone()));
        }
    }
    check_scopes(claims, &o.required_scopes)?;
    custom_check(o, claims)
}

fn check_times(o: &VerifyOptions, claims: &Claims, now: SystemTime) -> Result<(), VerifyError> {
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
    Ok(())
}

fn custom_check(o: &VerifyOptions, claims: &Claims) -> Result<(), VerifyError> {
    match &o.check {
        Some(CustomCheck(check)) => check(claims).map_err(VerifyError::Refused),
        None => Ok(()),
    }
}

/// The JWKS parser on arbitrary bytes (the fuzz target's body).
#[cfg(feature = "fuzzing")]
pub(crate) fn fuzz_jwks(data: &[u8]) -> Result<usize, &'static str> {
    jwks::parse(data, &[])
        .map(|k| k.len())
        .map_err(|e| e.reason())
}
