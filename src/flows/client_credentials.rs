//! Machine-to-machine: OAuth 2.0's client-credentials grant on the token endpoint, Sans-IO. A
//! service authenticates as its app client (id and secret, by HTTP Basic or in the body) and
//! gets an access token for the custom scopes of the pool's resource servers; no user, no id
//! token, no refresh token: when the token nears its expiry, ask for another.
//!
//! ```text
//!  ClientCredentials::token ──▶ POST /oauth2/token (grant_type=client_credentials, scope)
//!      2xx with an access token ──▶ Done(MachineToken)
//!      invalid_client, unauthorized_client, invalid_scope, ... ──▶ Failed(Error::OAuth)
//!      429 / 5xx / a transport failure ──▶ sent again by `retry::Retrying` (the call is repeatable)
//! ```
//!
//! The call is a [`TokenCall`], the one-call machine every OAuth call of
//! [`HostedUi`](crate::HostedUi) runs on, so it retries by the same rules. [`TokenCache`] keeps a
//! token and answers it until shortly before it expires; the time is always passed in.
//!
//! ```
//! use cognito_flows::flows::client_credentials::{ClientCredentials, TokenCache};
//! use cognito_flows::{Action, Flow};
//! use std::time::{Duration, UNIX_EPOCH};
//!
//! let credentials = ClientCredentials::new(
//!     "https://example.auth.us-east-1.amazoncognito.com",
//!     "1example23456789",
//!     "the-client-secret",
//! )?
//! .with_scopes(["orders/read"]);
//! let mut cache = TokenCache::new();
//! let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
//! if cache.get(now).is_none() {
//!     let mut call = credentials.token();
//!     let Action::Send(request) = call.poll_action() else { unreachable!() };
//!     assert_eq!(request.uri().path(), "/oauth2/token");
//!     // Send it; hand the answer to `call.handle_response(now, response)`; on
//!     // `Action::Done(token)`, `cache.store(token)`.
//! }
//! assert!(!format!("{credentials:?}").contains("the-client-secret"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::flows::hosted_ui::{InvalidUrl, TokenCall};
use crate::secret::ClientSecret;
use crate::tokens::{Jwt, Tokens};

/// How the client proves who it is at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuth {
    /// `Authorization: Basic base64(client_id:client_secret)` (`client_secret_basic`, the
    /// default, as Cognito's documentation shows it).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Body,
}

/// A confidential app client allowed the `client_credentials` OAuth flow, on the pool's domain:
/// what [`ClientCredentials::token`] asks for. The secret is a [`ClientSecret`]: zeroized when
/// dropped, `[redacted]` when printed.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    domain: url::Url,
    client_id: String,
    client_secret: ClientSecret,
    auth: ClientAuth,
    scopes: Vec<String>,
}

impl ClientCredentials {
    /// An app client on `domain` (`https://{prefix}.auth.{region}.amazoncognito.com`, a custom
    /// domain, or an emulator's endpoint), with HTTP Basic authentication and no scope asked
    /// (Cognito then grants every scope the client allows).
    pub fn new(
        domain: &str,
        client_id: impl Into<String>,
        client_secret: impl Into<ClientSecret>,
    ) -> Result<Self, InvalidUrl> {
        let domain = url::Url::parse(domain)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| InvalidUrl(domain.to_owned()))?;
        Ok(Self {
            domain,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            auth: ClientAuth::Basic,
            scopes: Vec::new(),
        })
    }

    /// The scopes to ask for (`resource-server-identifier/scope-name`), sent space-separated in
    /// `scope`; none asks for every scope the client allows.
    #[must_use]
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// How the client authenticates (default: [`ClientAuth::Basic`]).
    #[must_use]
    pub fn with_auth(mut self, auth: ClientAuth) -> Self {
        self.auth = auth;
        self
    }

    /// The app client's id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The scopes asked for (empty: every scope the client allows).
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The token request: `POST /oauth2/token` with `grant_type=client_credentials`, as a flow
    /// that ends in a [`MachineToken`]. It may be sent again after a failed attempt (a second
    /// token harms no one), so `retry::Retrying` retries it as it retries a refresh.
    pub fn token(&self) -> TokenCall<MachineToken> {
        let scope = self.scopes.join(" ");
        let mut pairs: Vec<(&str, &str)> = vec![
            ("grant_type", "client_credentials"),
            ("client_id", &self.client_id),
        ];
        if self.auth == ClientAuth::Body {
            pairs.push(("client_secret", self.client_secret.expose()));
        }
        if !scope.is_empty() {
            pairs.push(("scope", &scope));
        }
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(pairs);
        let mut request = http::Request::new(form.finish().into_bytes());
        *request.method_mut() = http::Method::POST;
        let base = self.domain.as_str().trim_end_matches('/');
        if let Ok(uri) = format!("{base}/oauth2/token").parse() {
            *request.uri_mut() = uri;
        }
        let headers = request.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        if self.auth == ClientAuth::Basic {
            let pair = Zeroizing::new(format!(
                "{}:{}",
                self.client_id,
                self.client_secret.expose()
            ));
            let basic = Zeroizing::new(format!("Basic {}", STANDARD.encode(pair.as_bytes())));
            if let Ok(mut value) = http::HeaderValue::from_str(&basic) {
                value.set_sensitive(true);
                headers.insert(http::header::AUTHORIZATION, value);
            }
        }
        crate::flows::hosted_ui::token_call(request)
    }
}

/// The answer of a client-credentials grant: the access token, when it expires (in this
/// machine's clock, corrected for the drift between it and Cognito's, as [`Tokens`] are) and
/// the scopes Cognito granted (the token's `scope` claim, which a PreTokenGeneration trigger
/// may have changed from the ones asked).
#[derive(Debug, Clone, PartialEq)]
pub struct MachineToken {
    /// The access token, sent as `Authorization: Bearer ...` to the resource server.
    pub access_token: Jwt,
    /// When it expires, in this machine's clock.
    pub expires_at: SystemTime,
    /// The scopes granted.
    pub scopes: Vec<String>,
}

impl MachineToken {
    /// The token endpoint's answer, read as the hosted UI's tokens are.
    pub(crate) fn from_tokens(tokens: Tokens) -> Self {
        let expires_at = tokens.expires_at();
        let scopes = tokens.scopes().into_iter().map(str::to_owned).collect();
        Self {
            access_token: tokens.access_token,
            expires_at,
            scopes,
        }
    }

    /// Whether the token is still valid at `now`, and for at least `margin` more.
    pub fn is_valid_for(&self, now: SystemTime, margin: Duration) -> bool {
        now.checked_add(margin)
            .is_some_and(|later| later < self.expires_at)
    }

    /// Whether the token carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// One [`MachineToken`] kept until shortly before it expires: [`TokenCache::get`] answers it
/// while it is valid for longer than the margin (a minute by default), and nothing after, when
/// it is time to ask for another. The time is passed in; the cache reads no clock. Keep one
/// cache per app client and set of scopes.
///
/// ```
/// use cognito_flows::flows::client_credentials::TokenCache;
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let cache = TokenCache::new().with_margin(Duration::from_secs(300));
/// assert!(cache.get(UNIX_EPOCH + Duration::from_secs(1_800_000_000)).is_none());
/// ```
#[derive(Debug, Clone)]
pub struct TokenCache {
    token: Option<MachineToken>,
    margin: Duration,
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenCache {
    /// The margin of [`TokenCache::new`]: a token is renewed a minute before it expires.
    pub const DEFAULT_MARGIN: Duration = Duration::from_secs(60);

    /// An empty cache with the default margin.
    pub fn new() -> Self {
        Self {
            token: None,
            margin: Self::DEFAULT_MARGIN,
        }
    }

    /// The same cache renewing its token `margin` before it expires.
    #[must_use]
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The cached token, if it is valid at `now` for longer than the margin.
    pub fn get(&self, now: SystemTime) -> Option<&MachineToken> {
        self.token
            .as_ref()
            .filter(|t| t.is_valid_for(now, self.margin))
    }

    /// Keeps `token` (in place of the one kept before) and answers it.
    pub fn store(&mut self, token: MachineToken) -> &MachineToken {
        self.token.insert(token)
    }

    /// Forgets the token (say, after the resource server refused it).
    pub fn clear(&mut self) {
        self.token = None;
    }
}
