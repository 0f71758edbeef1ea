//! A user pool and its app client: where requests go and how they are signed.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::flows::refresh::RefreshMethod;
use crate::secret::{ClientSecret, SecretString};

/// A user pool id that is not `{region}_{name}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PoolError {
    /// The pool id is not `{region}_{name}` (e.g. `us-east-1_AbC123`).
    InvalidPoolId(String),
    /// The endpoint is not an absolute `http` or `https` URI.
    InvalidEndpoint(String),
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidPoolId(id) => write!(
                f,
                "invalid user pool id {id:?}: expected {{region}}_{{name}}, e.g. us-east-1_AbC123"
            ),
            Self::InvalidEndpoint(e) => {
                write!(f, "invalid endpoint {e:?}: expected http(s)://host/")
            }
        }
    }
}

impl std::error::Error for PoolError {}

/// A Cognito user pool seen through one app client.
///
/// ```
/// use cognito_flows::UserPool;
///
/// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
/// assert_eq!(pool.region(), "us-east-1");
/// assert_eq!(pool.name(), "AbC123");
/// assert_eq!(pool.endpoint().to_string(), "https://cognito-idp.us-east-1.amazonaws.com/");
///
/// // An app client with a secret: every call that names a user carries SECRET_HASH.
/// let pool = pool.with_client_secret("s3cr3t");
/// assert!(pool.secret_hash("alice").is_some());
///
/// // A local emulator, a proxy or a FIPS endpoint:
/// let pool = pool.with_endpoint("http://127.0.0.1:9229/")?;
/// # Ok::<(), cognito_flows::PoolError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct UserPool {
    id: String,
    /// Index of the `_` in `id`.
    split: usize,
    client_id: String,
    client_secret: Option<ClientSecret>,
    endpoint: http::Uri,
    refresh_method: RefreshMethod,
}

impl fmt::Debug for UserPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserPool")
            .field("id", &self.id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("endpoint", &self.endpoint)
            .field("refresh_method", &self.refresh_method)
            .finish()
    }
}

fn is_region(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

impl UserPool {
    /// A pool from its id (`{region}_{name}`) and an app client id.
    pub fn new(pool_id: &str, client_id: impl Into<String>) -> Result<Self, PoolError> {
        let invalid = || PoolError::InvalidPoolId(pool_id.to_owned());
        let (region, name) = pool_id.split_once('_').ok_or_else(invalid)?;
        if !is_region(region) || name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(invalid());
        }
        let endpoint = format!("https://cognito-idp.{region}.amazonaws.com/")
            .parse()
            .map_err(|_| invalid())?;
        Ok(Self {
            id: pool_id.to_owned(),
            split: region.len(),
            client_id: client_id.into(),
            client_secret: None,
            endpoint,
            refresh_method: RefreshMethod::default(),
        })
    }

    /// The same pool through an app client that has a secret.
    #[must_use]
    pub fn with_client_secret(mut self, secret: impl Into<ClientSecret>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The same pool behind another endpoint (an emulator, a proxy, a FIPS endpoint).
    pub fn with_endpoint(mut self, endpoint: &str) -> Result<Self, PoolError> {
        let invalid = || PoolError::InvalidEndpoint(endpoint.to_owned());
        let uri: http::Uri = endpoint.parse().map_err(|_| invalid())?;
        match uri.scheme_str() {
            Some("http" | "https") if uri.authority().is_some() => {}
            _ => return Err(invalid()),
        }
        self.endpoint = uri;
        Ok(self)
    }

    /// The same pool, refreshing sessions with `method` ([`StoredSession::refresh`]). The
    /// default, [`RefreshMethod::GetTokensFromRefreshToken`], works on every app client of
    /// Cognito, rotating or not; choose [`RefreshMethod::InitiateAuth`] for a server that lacks
    /// the operation and answers its request with something other than "unknown operation"
    /// (moto answers a bare HTTP 500).
    ///
    /// [`StoredSession::refresh`]: crate::StoredSession::refresh
    #[must_use]
    pub fn with_refresh_method(mut self, method: RefreshMethod) -> Self {
        self.refresh_method = method;
        self
    }

    /// How sessions are refreshed ([`UserPool::with_refresh_method`]).
    pub fn refresh_method(&self) -> RefreshMethod {
        self.refresh_method
    }

    /// The pool id, e.g. `us-east-1_AbC123`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The region, e.g. `us-east-1`.
    pub fn region(&self) -> &str {
        self.id.get(..self.split).unwrap_or_default()
    }

    /// The pool name, the part after `_`, e.g. `AbC123`: SRP's realm.
    pub fn name(&self) -> &str {
        self.id.get(self.split + 1..).unwrap_or_default()
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Whether the app client has a secret.
    pub fn has_client_secret(&self) -> bool {
        self.client_secret.is_some()
    }

    /// Where requests go.
    pub fn endpoint(&self) -> &http::Uri {
        &self.endpoint
    }

    /// The token issuer for this pool: always `https://cognito-idp.{region}.amazonaws.com/{pool
    /// id}`, whatever [endpoint](Self::with_endpoint) requests go to. Real Cognito names this
    /// issuer in every token, also behind a FIPS, VPC or proxy endpoint.
    pub fn issuer(&self) -> String {
        format!(
            "https://cognito-idp.{}.amazonaws.com/{}",
            self.region(),
            self.id
        )
    }

    /// Where the pool's signing keys are: `{endpoint}/{pool id}/.well-known/jwks.json`. Unlike
    /// the [issuer](Self::issuer), this follows a custom endpoint (a proxy, a local emulator).
    pub fn jwks_uri(&self) -> String {
        let base = self.endpoint.to_string();
        format!(
            "{}/{}/.well-known/jwks.json",
            base.trim_end_matches('/'),
            self.id
        )
    }

    /// The app client's secret, for the calls that send it whole (`RevokeToken`,
    /// `GetTokensFromRefreshToken`).
    pub(crate) fn client_secret(&self) -> Option<&ClientSecret> {
        self.client_secret.as_ref()
    }

    /// `SECRET_HASH = base64(HMAC-SHA256(client secret, username || client id))`, or `None` when
    /// the app client has no secret. `username` must be the name Cognito knows the user by (the
    /// challenge's `USERNAME`, or the `username` claim of the access token), not an alias.
    pub fn secret_hash(&self, username: &str) -> Option<SecretString> {
        let secret = self.client_secret.as_ref()?;
        let mac = crate::crypto::hmac_sha256(
            secret.expose().as_bytes(),
            &[username.as_bytes(), self.client_id.as_bytes()],
        );
        Some(SecretString::new(BASE64.encode(mac)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_ids_are_parsed_strictly() {
        let pool = UserPool::new("us-gov-west-1_Zz9", "c").unwrap();
        assert_eq!((pool.region(), pool.name()), ("us-gov-west-1", "Zz9"));
        for bad in [
            "",
            "us-east-1",
            "_AbC",
            "us-east-1_",
            "us-east-1_Ab_C",
            "US-EAST-1_AbC",
            "us-east-1_Ab-C",
            "-us_AbC",
            "us east_1",
        ] {
            assert_eq!(
                UserPool::new(bad, "c"),
                Err(PoolError::InvalidPoolId(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn endpoints_must_be_absolute_http() {
        let pool = UserPool::new("eu-west-2_A1", "c").unwrap();
        assert!(pool.clone().with_endpoint("http://127.0.0.1:5000/").is_ok());
        assert!(pool.clone().with_endpoint("ftp://x/").is_err());
        assert!(pool.clone().with_endpoint("/relative").is_err());
        assert_eq!(
            pool.issuer(),
            "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_A1"
        );
    }

    #[test]
    fn the_issuer_never_follows_a_custom_endpoint_but_the_jwks_does() {
        let pool = UserPool::new("us-east-1_A1", "c")
            .unwrap()
            .with_endpoint("https://cognito-idp-fips.us-east-1.amazonaws.com/")
            .unwrap();
        assert_eq!(
            pool.issuer(),
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A1"
        );
        assert_eq!(
            pool.jwks_uri(),
            "https://cognito-idp-fips.us-east-1.amazonaws.com/us-east-1_A1/.well-known/jwks.json"
        );
        let local = pool.with_endpoint("http://127.0.0.1:9229").unwrap();
        assert_eq!(
            local.issuer(),
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A1"
        );
        assert_eq!(
            local.jwks_uri(),
            "http://127.0.0.1:9229/us-east-1_A1/.well-known/jwks.json"
        );
    }

    #[test]
    fn secret_hash_matches_a_known_value() {
        // python3 -c "import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b'secret',
        //   b'alice'+b'client',hashlib.sha256).digest()).decode())"
        let pool = UserPool::new("us-east-1_A", "client")
            .unwrap()
            .with_client_secret("secret");
        assert_eq!(
            pool.secret_hash("alice").as_ref().map(SecretString::expose),
            Some("RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0=")
        );
        assert_eq!(
            UserPool::new("us-east-1_A", "c").unwrap().secret_hash("a"),
            None
        );
    }
}
