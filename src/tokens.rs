//! Tokens: the id and access JWTs (decoded, not verified: see the verifier for that), the opaque
//! refresh token, their expiry, and the clock drift between this machine and Cognito.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::secret::SecretString;
use crate::wire::AuthenticationResult;

/// Why a string is not a decodable JWT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtError {
    /// Not three dot-separated parts.
    Shape,
    /// The payload is not base64url.
    Base64,
    /// The payload is not a JSON object.
    Json,
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Shape => "not a JWT (header.payload.signature)",
            Self::Base64 => "the JWT payload is not base64url",
            Self::Json => "the JWT payload is not a JSON object",
        })
    }
}

impl std::error::Error for JwtError {}

/// The decoded claims of a JWT.
#[derive(Clone, PartialEq)]
pub struct Claims(Map<String, Value>);

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Claims carry personal data (email, phone): print only their names.
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Claims {
    /// Claims from a decoded JSON object (the verifier decodes payloads itself, strictly).
    pub(crate) fn from_map(map: Map<String, Value>) -> Self {
        Self(map)
    }

    /// A claim as a string.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// A claim as an integer (JWT times are seconds since the epoch).
    pub fn int(&self, name: &str) -> Option<i64> {
        self.0
            .get(name)
            .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
    }

    /// Any claim, raw.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// All claims.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// `exp`: expiry, seconds since the epoch (Cognito's clock).
    pub fn exp(&self) -> Option<i64> {
        self.int("exp")
    }

    /// `iat`: issue time, seconds since the epoch (Cognito's clock).
    pub fn iat(&self) -> Option<i64> {
        self.int("iat")
    }

    /// `sub`: the user's immutable id.
    pub fn sub(&self) -> Option<&str> {
        self.str("sub")
    }

    /// `token_use`: `id` or `access`.
    pub fn token_use(&self) -> Option<&str> {
        self.str("token_use")
    }

    /// The name Cognito knows the user by: `username` in access tokens, `cognito:username` in
    /// id tokens.
    pub fn username(&self) -> Option<&str> {
        self.str("username")
            .or_else(|| self.str("cognito:username"))
    }

    /// `cognito:groups`.
    pub fn groups(&self) -> Vec<&str> {
        match self.0.get("cognito:groups") {
            Some(Value::Array(groups)) => groups.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// A JWT: the raw string (secret) and its decoded claims.
#[derive(Clone, PartialEq)]
pub struct Jwt {
    raw: SecretString,
    claims: Claims,
}

impl fmt::Debug for Jwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwt")
            .field("raw", &self.raw)
            .field("claims", &self.claims)
            .finish()
    }
}

impl Jwt {
    /// Decodes (does not verify) a JWT.
    ///
    /// ```
    /// let token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhYmMiLCJleHAiOjE3fQ.";
    /// let jwt = cognito_flows::tokens::Jwt::decode(token)?;
    /// assert_eq!(jwt.claims().sub(), Some("abc"));
    /// assert_eq!(jwt.claims().exp(), Some(17));
    /// # Ok::<(), cognito_flows::tokens::JwtError>(())
    /// ```
    pub fn decode(raw: impl Into<SecretString>) -> Result<Self, JwtError> {
        let raw = raw.into();
        let mut parts = raw.expose().split('.');
        let (Some(_header), Some(payload), Some(_signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Shape);
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| JwtError::Base64)?;
        let claims = match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Claims(map),
            _ => return Err(JwtError::Json),
        };
        Ok(Self { raw, claims })
    }

    /// The token as sent (`Authorization: Bearer ...`). Don't log it.
    pub fn expose(&self) -> &str {
        self.raw.expose()
    }

    /// The decoded claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
}

impl Serialize for Jwt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Jwt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = SecretString::deserialize(d)?;
        Self::decode(raw).map_err(serde::de::Error::custom)
    }
}

/// The opaque refresh token.
pub type RefreshToken = SecretString;

/// The tokens of a sign-in, as the JS SDK's `CognitoUserSession` holds them: from Cognito's
/// `AuthenticationResult` or from the hosted UI's token endpoint, kept and checked the same way.
///
/// `Debug` redacts the tokens; serde writes them in full (persist them where secrets belong).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use cognito_flows::Tokens;
///
/// // {"exp":2000,"iat":1000,"scope":"openid email"}
/// let access = "e30.eyJleHAiOjIwMDAsImlhdCI6MTAwMCwic2NvcGUiOiJvcGVuaWQgZW1haWwifQ.";
/// let stored = format!(r#"{{"id_token":null,"access_token":"{access}","refresh_token":null,"expires_in":3600,"received_at":1010,"clock_drift":10}}"#);
/// let tokens: Tokens = serde_json::from_str(&stored)?;
/// assert_eq!(tokens.scopes(), ["openid", "email"]);
/// assert_eq!(tokens.expires_at(), UNIX_EPOCH + Duration::from_secs(2010));
/// assert!(tokens.is_valid(UNIX_EPOCH + Duration::from_secs(2009)));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tokens {
    /// The id token: who the user is. Cognito's sign-in always sends one; the hosted UI only
    /// when the `openid` scope was asked.
    #[serde(default)]
    pub id_token: Option<Jwt>,
    /// The access token: what the user may do (sent as `AccessToken` to account calls).
    pub access_token: Jwt,
    /// The refresh token, for new id and access tokens without the password.
    pub refresh_token: Option<RefreshToken>,
    /// `ExpiresIn`: the access token's lifetime in seconds, as Cognito announced it.
    pub expires_in: Option<i64>,
    /// When the tokens arrived, seconds since the epoch (this machine's clock).
    pub received_at: i64,
    /// This machine's clock minus Cognito's, in seconds: `now - min(iat)` at arrival.
    pub clock_drift: i64,
}

pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

fn from_unix_seconds(s: i64) -> SystemTime {
    if s >= 0 {
        UNIX_EPOCH + Duration::from_secs(s.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(s.unsigned_abs())
    }
}

impl Tokens {
    /// Reads the tokens of an `AuthenticationResult`, received at `now`. On refresh Cognito sends
    /// no refresh token; `previous_refresh` is kept then.
    pub fn from_result(
        result: &AuthenticationResult,
        now: SystemTime,
        previous_refresh: Option<&RefreshToken>,
    ) -> Result<Self, crate::error::ProtocolReason> {
        use crate::error::ProtocolReason::{InvalidToken, MissingField};
        let id = result.id_token.clone().ok_or(MissingField("IdToken"))?;
        let access = result
            .access_token
            .clone()
            .ok_or(MissingField("AccessToken"))?;
        let id_token = Jwt::decode(id).map_err(|_| InvalidToken("IdToken"))?;
        let access_token = Jwt::decode(access).map_err(|_| InvalidToken("AccessToken"))?;
        Ok(Self::new(
            Some(id_token),
            access_token,
            result
                .refresh_token
                .clone()
                .or_else(|| previous_refresh.cloned()),
            result.expires_in,
            unix_seconds(now),
        ))
    }

    /// Tokens received at `received_at` (seconds since the epoch, this machine's clock); the
    /// clock drift is `received_at - min(iat)`, 0 when the tokens carry no `iat`.
    pub(crate) fn new(
        id_token: Option<Jwt>,
        access_token: Jwt,
        refresh_token: Option<RefreshToken>,
        expires_in: Option<i64>,
        received_at: i64,
    ) -> Self {
        let issued = [
            access_token.claims.iat(),
            id_token.as_ref().and_then(|t| t.claims.iat()),
        ]
        .into_iter()
        .flatten()
        .min();
        Self {
            clock_drift: issued.map_or(0, |iat| received_at.saturating_sub(iat)),
            id_token,
            access_token,
            refresh_token,
            expires_in,
            received_at,
        }
    }

    /// The access token's scopes (its `scope` claim, split on spaces): what the hosted UI
    /// granted, e.g. `["openid", "email"]`; `aws.cognito.signin.user.admin` for a sign-in.
    pub fn scopes(&self) -> Vec<&str> {
        self.access_token
            .claims
            .str("scope")
            .map(|s| s.split_whitespace().collect())
            .unwrap_or_default()
    }

    /// The earliest `exp` of the id and access tokens, in Cognito's clock.
    fn exp(&self) -> Option<i64> {
        [
            self.access_token.claims.exp(),
            self.id_token.as_ref().and_then(|t| t.claims.exp()),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// When the first of the id and access tokens expires, in this machine's clock: their
    /// earliest `exp` plus the clock drift, or `received_at + ExpiresIn` when they carry none.
    pub fn expires_at(&self) -> SystemTime {
        let local = match self.exp() {
            Some(exp) => exp.saturating_add(self.clock_drift),
            None => self
                .received_at
                .saturating_add(self.expires_in.unwrap_or_default()),
        };
        from_unix_seconds(local)
    }

    /// Whether the id and access tokens are both still valid at `now` (this machine's clock),
    /// correcting for the clock drift as the JS SDK's `isValid()` does.
    pub fn is_valid(&self, now: SystemTime) -> bool {
        now < self.expires_at()
    }

    /// The name Cognito knows the user by (the access token's `username` claim): what
    /// `SECRET_HASH` is computed from when refreshing.
    pub fn username(&self) -> Option<&str> {
        self.access_token
            .claims
            .username()
            .or_else(|| self.id_token.as_ref()?.claims.username())
    }
}
