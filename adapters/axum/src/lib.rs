//! Bearer-token verification for axum and tower services: Cognito tokens checked by
//! [`cognito_flows::verify::Verifier`] against the pools' JWKS.
//!
//! - [`BearerAuth`]: the shared verifier and its JWKS transport (reqwest, a 5 s timeout per
//!   fetch, a 64 KiB body limit, redirects off). Clone it freely.
//! - [`BearerAuth::layer`]: a tower [`Layer`](tower_layer::Layer) that reads
//!   `Authorization: Bearer`, verifies, puts the [`Verified`] claims in the request extensions,
//!   and answers the errors of RFC 6750 itself.
//! - [`Verified`]: an axum extractor, for the claims the layer put there, or to verify in the
//!   handler itself when `BearerAuth` is in the router's state.
//!
//! The answers (RFC 6750, section 3): no token, `401` with `WWW-Authenticate: Bearer
//! realm="..."`; a refused token, `401` with `error="invalid_token"` and a description that
//! says only "expired" or "not valid"; a missing group or scope (the verifier's, or a route's:
//! [`BearerLayer::require_scopes`]), `403` with `error="insufficient_scope"`; a JWKS that cannot be fetched, `503`. The token and the
//! verifier's detailed error are never in the answer.
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{Router, routing::get};
//! use cognito_flows::UserPool;
//! use cognito_flows::verify::{Verifier, VerifyOptions};
//! use cognito_flows_axum::{BearerAuth, Verified};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let verifier = Verifier::new(&pool, VerifyOptions::access_tokens(["1example23456789"]));
//! let auth = BearerAuth::new(Arc::new(verifier))?;
//! auth.hydrate().await?; // fetch the keys before the first request
//! // With the state, the extractor verifies; or `.layer(auth.layer())` for every route.
//! let app: Router = Router::new()
//!     .route("/me", get(|Verified(claims): Verified| async move {
//!         claims.username().unwrap_or_default().to_owned()
//!     }))
//!     .with_state(auth);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts};
use axum::response::{IntoResponse, Response};
use cognito_flows::tokens::Claims;
use cognito_flows::verify::{MAX_JWKS_BYTES, Verifier, VerifyError, check_scopes};
use cognito_flows_async::TokioSleep;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode, header};

/// The verified claims of the request's Bearer token: in the request extensions after
/// [`BearerLayer`], and an extractor.
#[derive(Debug, Clone)]
pub struct Verified(pub Claims);

/// The JWKS transport: reqwest with a timeout, a body limit and no redirects.
#[derive(Debug, Clone)]
pub struct JwksTransport {
    client: reqwest::Client,
}

/// Why a JWKS fetch failed (its text never holds a token).
#[derive(Debug)]
pub struct FetchError(String);

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FetchError {}

impl JwksTransport {
    /// A client with a 5 s timeout (connection included) and redirects off.
    pub fn new() -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(cognito_flows_async::JWKS_TIMEOUT)
            .connect_timeout(Duration::from_secs(3))
            .user_agent(concat!("cognito-flows-axum/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client })
    }

    /// On your client (keep redirects off, set a timeout).
    pub fn with_client(client: reqwest::Client) -> Self {
        Self { client }
    }
}

impl cognito_flows_async::Transport for JwksTransport {
    type Error = FetchError;

    type Sending =
        Pin<Box<dyn Future<Output = Result<http::Response<Vec<u8>>, FetchError>> + Send>>;

    fn send(&self, request: http::Request<Vec<u8>>) -> Self::Sending {
        let client = self.client.clone();
        Box::pin(async move {
            let fail = |e: reqwest::Error| FetchError(e.without_url().to_string());
            let request = reqwest::Request::try_from(request).map_err(fail)?;
            let mut response = client.execute(request).await.map_err(fail)?;
            let too_large = || FetchError(format!("the answer is over {MAX_JWKS_BYTES} bytes"));
            if response
                .content_length()
                .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
            {
                return Err(too_large());
            }
            let mut body = Vec::new();
            // Read chunk by chunk, stopping at the limit.
            while let Some(chunk) = response.chunk().await.map_err(fail)? {
                if body.len() + chunk.len() > MAX_JWKS_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            let mut out = http::Response::new(body);
            *out.status_mut() = response.status();
            Ok(out)
        })
    }
}

/// The shared verifier and its JWKS transport. Cheap to clone.
#[derive(Debug, Clone)]
pub struct BearerAuth {
    verifier: Arc<Verifier>,
    transport: JwksTransport,
    realm: Arc<str>,
}

impl BearerAuth {
    /// `verifier` with a [`JwksTransport::new`], realm `api`.
    pub fn new(verifier: Arc<Verifier>) -> Result<Self, reqwest::Error> {
        Ok(Self::with_transport(verifier, JwksTransport::new()?))
    }

    /// `verifier` with your transport.
    pub fn with_transport(verifier: Arc<Verifier>, transport: JwksTransport) -> Self {
        Self {
            verifier,
            transport,
            realm: Arc::from("api"),
        }
    }

    /// The realm in `WWW-Authenticate` (quotes and backslashes are dropped).
    #[must_use]
    pub fn with_realm(mut self, realm: &str) -> Self {
        self.realm = Arc::from(
            realm
                .chars()
                .filter(|c| !matches!(c, '"' | '\\'))
                .collect::<String>(),
        );
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Arc<Verifier> {
        &self.verifier
    }

    /// Fetches every JWKS now: at startup, and whenever you want keys removed from a JWKS to
    /// stop being trusted (a fetch also happens when a token names an unknown key, at most
    /// once per the verifier's refetch interval). Returns the number of keys loaded.
    pub async fn hydrate(&self) -> Result<usize, VerifyError> {
        cognito_flows_async::hydrate(&self.transport, &TokioSleep, &self.verifier).await
    }

    /// Verifies the Bearer token of `headers`.
    pub async fn check(&self, headers: &HeaderMap) -> Result<Claims, Rejection> {
        let token = bearer(headers, &self.realm)?;
        cognito_flows_async::verify(&self.transport, &TokioSleep, &self.verifier, token)
            .await
            .map_err(|e| Rejection::new(Reason::Refused(e), &self.realm))
    }

    /// The tower layer.
    pub fn layer(&self) -> BearerLayer {
        BearerLayer {
            auth: self.clone(),
            scopes: Arc::from([]),
        }
    }
}

/// The token of `Authorization: Bearer <token>` (the scheme is case-insensitive).
fn bearer<'h>(headers: &'h HeaderMap, realm: &str) -> Result<&'h str, Rejection> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(Rejection::new(Reason::NoToken, realm));
    };
    let value = value
        .to_str()
        .map_err(|_| Rejection::new(Reason::BadRequest, realm))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() => {
            Ok(token.trim())
        }
        _ => Err(Rejection::new(Reason::BadRequest, realm)),
    }
}

#[derive(Debug)]
enum Reason {
    NoToken,
    BadRequest,
    Refused(VerifyError),
}

/// A request refused: its answer follows RFC 6750. The verifier's error is kept for your logs
/// ([`Rejection::error`]) and never sent.
#[derive(Debug)]
pub struct Rejection {
    reason: Reason,
    realm: String,
}

impl Rejection {
    fn new(reason: Reason, realm: &str) -> Self {
        Self {
            reason,
            realm: realm.to_owned(),
        }
    }

    /// The verifier's error, when a token was there and refused.
    pub fn error(&self) -> Option<&VerifyError> {
        match &self.reason {
            Reason::Refused(e) => Some(e),
            _ => None,
        }
    }

    /// The status: 400, 401, 403 or 503.
    pub fn status(&self) -> StatusCode {
        match &self.reason {
            Reason::NoToken => StatusCode::UNAUTHORIZED,
            Reason::BadRequest => StatusCode::BAD_REQUEST,
            Reason::Refused(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Reason::Refused(VerifyError::MissingGroup(_) | VerifyError::MissingScope(_)) => {
                StatusCode::FORBIDDEN
            }
            Reason::Refused(_) => StatusCode::UNAUTHORIZED,
        }
    }

    /// The `WWW-Authenticate` value (none for 503).
    fn challenge(&self) -> Option<String> {
        let realm = &self.realm;
        let (error, description) = match &self.reason {
            Reason::NoToken => return Some(format!("Bearer realm=\"{realm}\"")),
            Reason::BadRequest => (
                "invalid_request",
                "the Authorization header is not a Bearer token",
            ),
            Reason::Refused(e) if e.is_unavailable() => return None,
            Reason::Refused(VerifyError::MissingGroup(_) | VerifyError::MissingScope(_)) => (
                "insufficient_scope",
                "the token does not grant access to this resource",
            ),
            Reason::Refused(VerifyError::Expired { .. }) => ("invalid_token", "the token expired"),
            Reason::Refused(_) => ("invalid_token", "the token is not valid"),
        };
        Some(format!(
            "Bearer realm=\"{realm}\", error=\"{error}\", error_description=\"{description}\""
        ))
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Reason::NoToken => f.write_str("no Bearer token"),
            Reason::BadRequest => f.write_str("the Authorization header is not a Bearer token"),
            Reason::Refused(e) => write!(f, "token refused: {e}"),
        }
    }
}

impl std::error::Error for Rejection {}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        if let Some(value) = self
            .challenge()
            .and_then(|c| HeaderValue::from_str(&c).ok())
        {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        if self.status() == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
        }
        response
    }
}

/// Verifies every request's Bearer token before the inner service sees it. See
/// [`BearerAuth::layer`].
#[derive(Debug, Clone)]
pub struct BearerLayer {
    auth: BearerAuth,
    scopes: Arc<[String]>,
}

impl BearerLayer {
    /// The same layer also requiring every one of `scopes` in the token (on top of what the
    /// verifier asks of every token): a token without one is answered `403` with
    /// `error="insufficient_scope"`. For the routes of a machine-to-machine API that each need
    /// a custom scope of a resource server:
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use axum::{Router, routing::{get, post}};
    /// use cognito_flows::UserPool;
    /// use cognito_flows::verify::{Verifier, VerifyOptions};
    /// use cognito_flows_axum::BearerAuth;
    ///
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
    /// // The access tokens of the calling service's app client.
    /// let verifier = Verifier::new(&pool, VerifyOptions::access_tokens(["4service5client6"]));
    /// let auth = BearerAuth::new(Arc::new(verifier))?;
    /// let app: Router = Router::new()
    ///     .route("/orders", get(|| async { "the orders" }))
    ///     .layer(auth.layer().require_scopes(["orders/read"]))
    ///     .merge(
    ///         Router::new()
    ///             .route("/orders", post(|| async { "created" }))
    ///             .layer(auth.layer().require_scopes(["orders/write"])),
    ///     );
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn require_scopes(self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let scopes = self
            .scopes
            .iter()
            .cloned()
            .chain(scopes.into_iter().map(Into::into))
            .collect();
        Self { scopes, ..self }
    }
}

impl<S> tower_layer::Layer<S> for BearerLayer {
    type Service = BearerService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BearerService {
            inner,
            auth: self.auth.clone(),
            scopes: Arc::clone(&self.scopes),
        }
    }
}

/// The service of [`BearerLayer`].
#[derive(Debug, Clone)]
pub struct BearerService<S> {
    inner: S,
    auth: BearerAuth,
    scopes: Arc<[String]>,
}

impl<S, B> tower_service::Service<http::Request<B>> for BearerService<S>
where
    S: tower_service::Service<http::Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The clone is ready (poll_ready was called on self.inner): swap it in.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let auth = self.auth.clone();
        let scopes = Arc::clone(&self.scopes);
        Box::pin(async move {
            let checked = auth.check(request.headers()).await.and_then(|claims| {
                check_scopes(&claims, &scopes)
                    .map(|()| claims)
                    .map_err(|e| Rejection::new(Reason::Refused(e), &auth.realm))
            });
            match checked {
                Ok(claims) => {
                    request.extensions_mut().insert(Verified(claims));
                    inner.call(request).await
                }
                Err(rejection) => Ok(rejection.into_response()),
            }
        })
    }
}

impl<S> FromRequestParts<S> for Verified
where
    S: Send + Sync,
    BearerAuth: FromRef<S>,
{
    type Rejection = Rejection;

    /// The claims [`BearerLayer`] verified; without the layer, verifies the token with the
    /// router state's `BearerAuth`. (Behind the layer on a router whose state has no
    /// `BearerAuth`, take `axum::Extension<Verified>` instead.)
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(verified) = parts.extensions.get::<Verified>() {
            return Ok(verified.clone());
        }
        BearerAuth::from_ref(state)
            .check(&parts.headers)
            .await
            .map(Verified)
    }
}
