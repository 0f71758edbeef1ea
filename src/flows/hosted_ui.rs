//! The Hosted UI (OAuth 2.0 / OpenID Connect), Sans-IO: the authorization code flow with PKCE
//! (S256), `state` and `nonce`; the callback; the token exchange; refresh, revocation, userInfo
//! and the logout URL. What `amazon-cognito-auth-js` did (without PKCE), done right.
//!
//! ```text
//!  authorize ──▶ Prompt::Authorize { url } ──Input::Callback(redirect URL)──▶ check state
//!      code flow: ──▶ POST /oauth2/token (code + code_verifier) ──▶ Done(Tokens)   
//!      implicit:  ──▶ Done(Tokens from the fragment)
//!      error=... in the callback (with our state), or from /oauth2/token ──▶ Failed(Error::OAuth)
//!      no state, another state, a nonce not ours ──▶ Again: still waiting for the real callback
//! ```
//!
//! The callback is checked in this order: it goes to the redirect URI (scheme, host, port and
//! path, so custom schemes such as `com.example.app://callback` work), it carries our `state`
//! (so a forged `?error=access_denied` cannot end the flow), then its `error`, then its code or
//! tokens; an id token must carry our `nonce`. The implicit flow's tokens count as received when
//! the callback arrived ([`Input::CallbackAt`]; the adapters stamp every input with their clock).
//!
//! `amazon-cognito-auth-js` users will recognize: `getSession()` as [`HostedUi::authorize`] (open
//! the URL), `parseCognitoWebResponse(url)` as [`Input::Callback`], `refreshSession` as
//! [`HostedUi::refresh`], `signOut()` as [`HostedUi::logout_url`] (plus [`HostedUi::revoke`]).
//!
//! ```
//! use cognito_flows::flows::hosted_ui::HostedUi;
//! use cognito_flows::{Action, Entropy, Flow, Input, Prompt};
//!
//! let ui = HostedUi::new("https://example.auth.us-east-1.amazoncognito.com", "client", "https://app.example/cb")?
//!     .with_scopes(["openid", "email"]);
//! let mut flow = ui.authorize(Entropy::from([1; 32]));
//! let Action::Prompt(Prompt::Authorize { url }) = flow.poll_action() else { unreachable!() };
//! assert!(url.starts_with("https://example.auth.us-east-1.amazoncognito.com/oauth2/authorize?"));
//! assert!(url.contains("code_challenge_method=S256"));
//! // The browser comes back to https://app.example/cb?code=...&state=...:
//! let state = url.split("state=").nth(1).unwrap().split('&').next().unwrap();
//! flow.handle_input(Input::Callback(format!("https://app.example/cb?code=abc&state={state}")))?;
//! let Action::Send(request) = flow.poll_action() else { unreachable!() };
//! assert_eq!(request.uri().path(), "/oauth2/token");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use crate::entropy::{Entropy, FlowRng};
use crate::error::{Error, ProtocolError, ProtocolReason};
use crate::flows::client_credentials::MachineToken;
use crate::flows::machine::{self, Exchange, Machine, OneCall, Pending, Phase, Step};
use crate::flows::{Input, Prompt};
use crate::secret::{ClientSecret, SecretString};
use crate::tokens::{Jwt, Tokens, unix_seconds};
use crate::wire::Endpoint;

/// `response_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseType {
    /// The authorization code flow (with PKCE): the default, and the one to use.
    #[default]
    Code,
    /// The implicit flow (tokens in the URL fragment): legacy, no refresh token.
    Token,
}

pub use crate::error::{CallbackError, OAuthError, OAuthErrorCode};

/// The hosted UI's tokens are [`Tokens`], as a sign-in's are (`id_token` only with the
/// `openid` scope; [`Tokens::scopes`] reads what was granted). The old name, kept for callers.
pub type OAuthTokens = Tokens;

#[derive(Deserialize)]
struct TokenBody {
    access_token: Option<SecretString>,
    id_token: Option<SecretString>,
    refresh_token: Option<SecretString>,
    expires_in: Option<i64>,
    error: Option<String>,
    error_description: Option<String>,
}

/// A Cognito domain and app client, for the hosted UI.
#[derive(Debug, Clone)]
pub struct HostedUi {
    domain: url::Url,
    client_id: String,
    client_secret: Option<ClientSecret>,
    redirect_uri: String,
    scopes: Vec<String>,
    identity_provider: Option<String>,
    idp_identifier: Option<String>,
    response_type: ResponseType,
}

/// An invalid domain or redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidUrl(pub String);

impl fmt::Display for InvalidUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an absolute http(s) URL: {:?}", self.0)
    }
}

impl std::error::Error for InvalidUrl {}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

impl HostedUi {
    /// A hosted UI on `domain` (`https://{prefix}.auth.{region}.amazoncognito.com` or a custom
    /// domain), for an app client and one of its redirect URIs.
    pub fn new(
        domain: &str,
        client_id: impl Into<String>,
        redirect_uri: &str,
    ) -> Result<Self, InvalidUrl> {
        let parsed = url::Url::parse(domain).map_err(|_| InvalidUrl(domain.into()))?;
        if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
            return Err(InvalidUrl(domain.into()));
        }
        url::Url::parse(redirect_uri).map_err(|_| InvalidUrl(redirect_uri.into()))?;
        Ok(Self {
            domain: parsed,
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri: redirect_uri.into(),
            scopes: vec!["openid".into()],
            identity_provider: None,
            idp_identifier: None,
            response_type: ResponseType::Code,
        })
    }

    /// The app client's secret (sent as HTTP Basic to the token endpoint).
    #[must_use]
    pub fn with_client_secret(mut self, secret: impl Into<ClientSecret>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The scopes (default `openid`).
    #[must_use]
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Go straight to an identity provider (`identity_provider`, e.g. `Google`).
    #[must_use]
    pub fn with_identity_provider(mut self, provider: impl Into<String>) -> Self {
        self.identity_provider = Some(provider.into());
        self
    }

    /// Pick the identity provider by identifier (`idp_identifier`).
    #[must_use]
    pub fn with_idp_identifier(mut self, identifier: impl Into<String>) -> Self {
        self.idp_identifier = Some(identifier.into());
        self
    }

    /// The response type (default: code).
    #[must_use]
    pub fn with_response_type(mut self, response_type: ResponseType) -> Self {
        self.response_type = response_type;
        self
    }

    fn endpoint(&self, path: &str) -> String {
        let base = self.domain.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }

    /// The scopes asked for (`with_scopes`, `openid` by default): what the sign-in requests.
    /// What was granted is in the tokens ([`Tokens::scopes`]).
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// [`HostedUi::authorize`] with caller data carried through the browser in `state`, as
    /// `amazon-cognito-auth-js`'s `setState` and Amplify's `customState` do: the state sent is
    /// the random one, `.`, and the data in hex (Amplify's form, with a separator outside the
    /// random part's base64url alphabet), so the callback is still checked in full. Read it back with [`Authorize::custom_state`] or, from
    /// the callback URL alone, with [`custom_state`]. It is visible in the URL: no secrets.
    ///
    /// ```
    /// use cognito_flows::flows::hosted_ui::{HostedUi, custom_state};
    /// use cognito_flows::Entropy;
    ///
    /// let ui = HostedUi::new("https://example.auth.us-east-1.amazoncognito.com", "client", "https://app.example/cb")?;
    /// let flow = ui.authorize_with_state(Entropy::from([1; 32]), "/orders/42");
    /// assert_eq!(flow.custom_state().as_deref(), Some("/orders/42"));
    /// let url = url::Url::parse(&flow.url())?;
    /// let state = url.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).unwrap_or_default();
    /// assert_eq!(custom_state(&state).as_deref(), Some("/orders/42"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize_with_state(&self, entropy: Entropy, data: &str) -> Authorize {
        let mut flow = self.authorize(entropy);
        let hex: String = data.bytes().map(|b| format!("{b:02x}")).collect();
        flow.state_param = format!("{}.{hex}", flow.state_param);
        flow
    }

    /// The sign-in: a prompt with the URL to open, then the callback URL as input.
    pub fn authorize(&self, entropy: Entropy) -> Authorize {
        let mut rng = FlowRng::new(&entropy);
        let verifier = SecretString::new(URL_SAFE_NO_PAD.encode(rng.bytes::<32>()));
        let state = URL_SAFE_NO_PAD.encode(rng.bytes::<16>());
        let nonce = URL_SAFE_NO_PAD.encode(rng.bytes::<16>());
        Authorize {
            ui: self.clone(),
            verifier,
            state_param: state,
            nonce,
            phase: Phase::Running(AuthState::AwaitCallback),
        }
    }

    fn token_request(&self, body: &[(&str, &str)]) -> http::Request<Vec<u8>> {
        let mut request = http::Request::new(form(body));
        *request.method_mut() = http::Method::POST;
        if let Ok(uri) = self.endpoint("/oauth2/token").parse() {
            *request.uri_mut() = uri;
        }
        let headers = request.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        if let Some(secret) = &self.client_secret {
            let basic = Zeroizing::new(format!("{}:{}", self.client_id, secret.expose()));
            let basic = Zeroizing::new(format!("Basic {}", STANDARD.encode(basic.as_bytes())));
            if let Ok(mut v) = http::HeaderValue::from_str(&basic) {
                v.set_sensitive(true);
                headers.insert(http::header::AUTHORIZATION, v);
            }
        }
        request
    }

    /// New tokens from a refresh token (`grant_type=refresh_token`).
    pub fn refresh(&self, refresh_token: SecretString) -> TokenCall<Tokens> {
        let request = self.token_request(&[
            ("grant_type", "refresh_token"),
            ("client_id", &self.client_id),
            ("refresh_token", refresh_token.expose()),
        ]);
        OneCall::start(TokenRequest::new(
            request,
            Some(refresh_token),
            Repeat::Repeatable,
        ))
    }

    /// Revokes a refresh token (`POST /oauth2/revoke`): the outcome is [`Revoked`].
    pub fn revoke(&self, refresh_token: &SecretString) -> TokenCall<Revoked> {
        let mut request = self.token_request(&[
            ("token", refresh_token.expose()),
            ("client_id", &self.client_id),
        ]);
        if let Ok(uri) = self.endpoint("/oauth2/revoke").parse() {
            *request.uri_mut() = uri;
        }
        OneCall::start(TokenRequest::new(request, None, Repeat::Repeatable))
    }

    /// The user's claims (`GET /oauth2/userInfo` with the access token).
    pub fn user_info(&self, access_token: &Jwt) -> TokenCall<UserInfo> {
        let mut request = http::Request::new(Vec::<u8>::new());
        if let Ok(uri) = self.endpoint("/oauth2/userInfo").parse() {
            *request.uri_mut() = uri;
        }
        let bearer = Zeroizing::new(format!("Bearer {}", access_token.expose()));
        if let Ok(mut v) = http::HeaderValue::from_str(&bearer) {
            v.set_sensitive(true);
            request.headers_mut().insert(http::header::AUTHORIZATION, v);
        }
        OneCall::start(TokenRequest::new(request, None, Repeat::Repeatable))
    }

    /// The URL that signs the user out of the hosted UI and comes back to `logout_uri` (one of
    /// the client's sign-out URLs).
    pub fn logout_url(&self, logout_uri: &str) -> String {
        let query = String::from_utf8(form(&[
            ("client_id", &self.client_id),
            ("logout_uri", logout_uri),
        ]))
        .unwrap_or_default();
        format!("{}?{query}", self.endpoint("/logout"))
    }
}

/// The authorization flow. See the [module docs](self).
pub struct Authorize {
    ui: HostedUi,
    verifier: SecretString,
    state_param: String,
    nonce: String,
    phase: Phase<AuthState, Tokens>,
}

impl fmt::Debug for Authorize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorize")
            .field("ui", &self.ui)
            .field("verifier", &self.verifier)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

/// Nominally `pub` because the core's `Machine` trait names it; unreachable outside the crate.
#[allow(private_interfaces, reason = "a sealed state: the module is private")]
mod state {
    /// What a running authorization waits for.
    #[derive(Debug)]
    pub enum AuthState {
        /// The browser's redirect to the callback URL.
        AwaitCallback,
        /// The token endpoint's answer to the code exchange.
        AwaitTokens(Box<super::TokenRequest<super::Tokens>>),
    }
}
use state::AuthState;

impl Authorize {
    /// The URL to open in the browser.
    pub fn url(&self) -> String {
        let challenge =
            URL_SAFE_NO_PAD.encode(crate::crypto::sha256(&[self.verifier.expose().as_bytes()]));
        let response_type = match self.ui.response_type {
            ResponseType::Code => "code",
            ResponseType::Token => "token",
        };
        let scope = self.ui.scopes.join(" ");
        let mut pairs = vec![
            ("response_type", response_type),
            ("client_id", self.ui.client_id.as_str()),
            ("redirect_uri", self.ui.redirect_uri.as_str()),
            ("scope", scope.as_str()),
            ("state", self.state_param.as_str()),
            ("nonce", self.nonce.as_str()),
        ];
        if self.ui.response_type == ResponseType::Code {
            pairs.push(("code_challenge", challenge.as_str()));
            pairs.push(("code_challenge_method", "S256"));
        }
        if let Some(p) = &self.ui.identity_provider {
            pairs.push(("identity_provider", p));
        }
        if let Some(p) = &self.ui.idp_identifier {
            pairs.push(("idp_identifier", p));
        }
        let query = String::from_utf8(form(&pairs)).unwrap_or_default();
        format!("{}?{query}", self.ui.endpoint("/oauth2/authorize"))
    }

    /// The `nonce` sent. The flow checks it against the id token's `nonce` claim itself (in
    /// constant time): the implicit flow's id token must carry it, the code flow's must not
    /// carry another.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The scopes this sign-in asks for ([`HostedUi::scopes`]).
    pub fn scopes(&self) -> &[String] {
        &self.ui.scopes
    }

    /// The caller data given to [`HostedUi::authorize_with_state`], if any.
    pub fn custom_state(&self) -> Option<String> {
        custom_state(&self.state_param)
    }

    /// Checks the id token's `nonce` against the one sent, in constant time. `required`: the
    /// implicit flow, where the id token comes through the browser and its nonce is the only
    /// thing that binds it to this request, so it must have one. In the code flow the token
    /// comes from the token endpoint, bound by PKCE; its nonce, when it has one (Cognito's has),
    /// must still match. No id token (no `openid` scope): nothing to check.
    fn check_nonce(&self, id_token: Option<&Jwt>, required: bool) -> Result<(), Error> {
        let Some(id_token) = id_token else {
            return Ok(());
        };
        match id_token.claims().str("nonce") {
            Some(n) if bool::from(n.as_bytes().ct_eq(self.nonce.as_bytes())) => Ok(()),
            None if !required => Ok(()),
            _ => Err(Error::Callback(CallbackError::NonceMismatch)),
        }
    }

    fn callback(
        &self,
        url: &str,
        now: Option<SystemTime>,
    ) -> Result<Step<AuthState, Tokens>, Error> {
        let parsed = parse_callback(url, &self.ui.redirect_uri).map_err(Error::Callback)?;
        let param = |k: &str| parsed.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        // The state first: an `error=` without our state is forged, and must not end the flow.
        let state = param("state").ok_or(Error::Callback(CallbackError::MissingState))?;
        if !bool::from(state.as_bytes().ct_eq(self.state_param.as_bytes())) {
            return Err(Error::Callback(CallbackError::StateMismatch));
        }
        if let Some(code) = param("error") {
            return Err(Error::OAuth(OAuthError {
                code: OAuthErrorCode::parse(code),
                description: param("error_description").map(str::to_owned),
            }));
        }
        match self.ui.response_type {
            ResponseType::Code => {
                let code = param("code").ok_or(Error::Callback(CallbackError::MissingCode))?;
                let request = self.ui.token_request(&[
                    ("grant_type", "authorization_code"),
                    ("client_id", &self.ui.client_id),
                    ("code", code),
                    ("redirect_uri", &self.ui.redirect_uri),
                    ("code_verifier", self.verifier.expose()),
                ]);
                // A code is good once: its exchange is never repeated after it may have
                // counted.
                Ok(Step::Next(AuthState::AwaitTokens(Box::new(
                    TokenRequest::new(request, None, Repeat::Once),
                ))))
            }
            ResponseType::Token => {
                let access =
                    param("access_token").ok_or(Error::Callback(CallbackError::MissingCode))?;
                let bad = |_| Error::Callback(CallbackError::InvalidToken);
                let access_token = Jwt::decode(access).map_err(bad)?;
                let id_token = param("id_token")
                    .map(Jwt::decode)
                    .transpose()
                    .map_err(bad)?;
                self.check_nonce(id_token.as_ref(), true)?;
                // Received now ([`Input::CallbackAt`], which the adapters send); a bare
                // [`Input::Callback`] has no clock, so the tokens count as received at their
                // own `iat` (no drift known) and expire at their own `exp`.
                let received_at = match now {
                    Some(now) => unix_seconds(now),
                    None => access_token.claims().iat().unwrap_or(0),
                };
                Ok(Step::Done(Tokens::new(
                    id_token,
                    access_token,
                    None,
                    param("expires_in").and_then(|e| e.parse().ok()),
                    received_at,
                )))
            }
        }
    }
}

/// The caller data in a `state` written by [`HostedUi::authorize_with_state`] (the part after
/// the `.`, hex of UTF-8), e.g. from the callback URL's `state` parameter. `None` when
/// there is none or it does not decode. It is not authenticated by itself: trust it only once
/// the flow has accepted the callback (its random part matched).
pub fn custom_state(state: &str) -> Option<String> {
    let (_, hex) = state.split_once('.')?;
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

/// Splits a callback URL into its parameters (query, then fragment), checking it goes to the
/// redirect URI and repeats nothing.
pub fn parse_callback(
    url: &str,
    redirect_uri: &str,
) -> Result<Vec<(String, String)>, CallbackError> {
    let parsed = url::Url::parse(url).map_err(|_| CallbackError::NotAUrl)?;
    let expected = url::Url::parse(redirect_uri).map_err(|_| CallbackError::WrongRedirect)?;
    // Scheme, host, port and path, not the origin: a custom scheme's origin
    // (`com.example.app://callback`) is opaque, and opaque origins never compare equal.
    let same = parsed.scheme() == expected.scheme()
        && parsed.host() == expected.host()
        && parsed.port_or_known_default() == expected.port_or_known_default()
        && parsed.path() == expected.path();
    if !same {
        return Err(CallbackError::WrongRedirect);
    }
    let mut pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some(fragment) = parsed.fragment() {
        pairs.extend(
            url::form_urlencoded::parse(fragment.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
    }
    let mut names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w.first() == w.get(1)) {
        return Err(CallbackError::DuplicateParameter);
    }
    Ok(pairs)
}

impl Machine for Authorize {
    type State = AuthState;
    type Output = Tokens;

    machine::phase!(phase);

    fn sending(state: &AuthState) -> bool {
        matches!(state, AuthState::AwaitTokens(_))
    }

    fn pending(&self, state: &AuthState) -> Pending {
        match state {
            AuthState::AwaitCallback => Pending::Prompt(Prompt::Authorize { url: self.url() }),
            AuthState::AwaitTokens(request) => Pending::Send(request.build()),
        }
    }

    fn repeatable(&self, state: &AuthState) -> bool {
        match state {
            AuthState::AwaitCallback => false,
            AuthState::AwaitTokens(request) => request.repeat == Repeat::Repeatable,
        }
    }

    fn on_response(
        &mut self,
        state: AuthState,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Step<AuthState, Tokens> {
        let AuthState::AwaitTokens(request) = state else {
            return Step::Unexpected(state);
        };
        match request.read(now, response) {
            Ok(tokens) => match self.check_nonce(tokens.id_token.as_ref(), false) {
                Ok(()) => Step::Done(tokens),
                Err(e) => Step::Fail(e),
            },
            Err(e) => Step::Fail(e),
        }
    }

    fn on_input(&mut self, state: AuthState, input: Input) -> Step<AuthState, Tokens> {
        let (url, now) = match (&state, &input) {
            (AuthState::AwaitCallback, Input::Callback(url)) => (url, None),
            (AuthState::AwaitCallback, Input::CallbackAt { url, received_at }) => {
                (url, Some(*received_at))
            }
            _ => return Step::Unexpected(state),
        };
        match self.callback(url, now) {
            Ok(step) => step,
            // A forged or garbled callback leaves the flow waiting for the real one.
            Err(e @ Error::Callback(_)) => Step::Again(state, e),
            Err(e) => Step::Fail(e),
        }
    }
}

/// What a successful revocation ends in (`POST /oauth2/revoke` answers nothing else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revoked;

/// The userInfo claims (`GET /oauth2/userInfo`), as JSON.
pub type UserInfo = serde_json::Map<String, serde_json::Value>;

/// Whether an OAuth request may be sent again after an attempt the server may have processed,
/// fixed when it is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Repeatable,
    Once,
}

/// What an OAuth call ends in, known when the call is built: [`Tokens`] (the code exchange, a
/// refresh), [`Revoked`], [`UserInfo`] or [`MachineToken`] (the client-credentials grant).
/// Sealed: these four only.
pub trait OAuthOutcome: sealed::Sealed + Clone {}

#[allow(unnameable_types, reason = "sealed: the module is private")]
mod sealed {
    use std::time::SystemTime;

    use crate::error::Error;
    use crate::wire::Endpoint;

    /// How an outcome is read from its endpoint's successful answer.
    pub trait Sealed: Sized {
        /// The endpoint that answers it.
        const ENDPOINT: Endpoint;
        /// A 2xx answer of `ENDPOINT`, read.
        fn success(
            request: &super::TokenRequest<Self>,
            now: SystemTime,
            status: http::StatusCode,
            body: Vec<u8>,
        ) -> Result<Self, Error>;
    }
}

impl OAuthOutcome for Tokens {}
impl OAuthOutcome for Revoked {}
impl OAuthOutcome for UserInfo {}
impl OAuthOutcome for MachineToken {}

impl sealed::Sealed for Tokens {
    const ENDPOINT: Endpoint = Endpoint::OAuthToken;

    fn success(
        request: &TokenRequest<Self>,
        now: SystemTime,
        status: http::StatusCode,
        body: Vec<u8>,
    ) -> Result<Self, Error> {
        request.tokens(now, status, body)
    }
}

impl sealed::Sealed for MachineToken {
    const ENDPOINT: Endpoint = Endpoint::OAuthToken;

    fn success(
        request: &TokenRequest<Self>,
        now: SystemTime,
        status: http::StatusCode,
        body: Vec<u8>,
    ) -> Result<Self, Error> {
        request
            .tokens(now, status, body)
            .map(MachineToken::from_tokens)
    }
}

impl sealed::Sealed for Revoked {
    const ENDPOINT: Endpoint = Endpoint::OAuthRevoke;

    fn success(
        _: &TokenRequest<Self>,
        _: SystemTime,
        _: http::StatusCode,
        _: Vec<u8>,
    ) -> Result<Self, Error> {
        Ok(Revoked)
    }
}

impl sealed::Sealed for UserInfo {
    const ENDPOINT: Endpoint = Endpoint::UserInfo;

    fn success(
        request: &TokenRequest<Self>,
        _: SystemTime,
        status: http::StatusCode,
        body: Vec<u8>,
    ) -> Result<Self, Error> {
        match serde_json::from_slice(&body) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            _ => Err(request.fail(
                status.as_u16(),
                ProtocolReason::InvalidJson("not a JSON object".into()),
                body,
            )),
        }
    }
}

/// One request to the OAuth endpoints (token, revoke, userInfo), as a flow: the one call
/// machine, as [`crate::flows::account::Call`] is, sending an OAuth request. Its outcome is
/// known when it is built: `TokenCall<Tokens>` ([`HostedUi::refresh`]), `TokenCall<Revoked>`
/// ([`HostedUi::revoke`]), `TokenCall<UserInfo>` ([`HostedUi::user_info`]),
/// `TokenCall<MachineToken>` ([`ClientCredentials::token`](crate::flows::client_credentials::ClientCredentials::token)).
pub type TokenCall<O> = OneCall<TokenRequest<O>, O>;

/// A repeatable OAuth call sending `request` (the client-credentials grant builds its own).
pub(crate) fn token_call<O: OAuthOutcome>(request: http::Request<Vec<u8>>) -> TokenCall<O> {
    OneCall::start(TokenRequest::new(request, None, Repeat::Repeatable))
}

/// Nominally `pub` because [`TokenCall`] names it; unreachable outside the crate.
#[allow(unnameable_types, reason = "sealed: the module is private")]
mod exchange {
    use zeroize::Zeroizing;

    use crate::secret::SecretString;

    /// A request to an OAuth endpoint, and how to read its answer as an `O`.
    pub struct TokenRequest<O> {
        /// The request without its body; its credentials are marked sensitive.
        pub(super) request: http::Request<()>,
        /// The body (codes, verifiers, refresh tokens), zeroized on drop.
        pub(super) body: Zeroizing<Vec<u8>>,
        pub(super) keep_refresh: Option<SecretString>,
        /// Whether it may be sent again after an attempt that may have counted.
        pub(super) repeat: super::Repeat,
        pub(super) outcome: std::marker::PhantomData<fn() -> O>,
    }
}
use exchange::TokenRequest;

impl<O: OAuthOutcome> fmt::Debug for TokenRequest<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("uri", self.request.uri())
            .field("endpoint", &O::ENDPOINT)
            .field(
                "body",
                &format_args!("[{} bytes redacted]", self.body.len()),
            )
            .field("keep_refresh", &self.keep_refresh)
            .field("repeat", &self.repeat)
            .finish()
    }
}

impl<O: OAuthOutcome> Exchange for TokenRequest<O> {
    type Output = O;

    fn request(&self) -> http::Request<Vec<u8>> {
        self.build()
    }

    fn repeatable(&self) -> bool {
        self.repeat == Repeat::Repeatable
    }

    fn read(&self, now: SystemTime, response: http::Response<Vec<u8>>) -> Result<O, Error> {
        let status = response.status();
        let body = response.into_body();
        if status.is_success() {
            O::success(self, now, status, body)
        } else {
            Err(self.error(status, body))
        }
    }
}

impl<O: OAuthOutcome> TokenRequest<O> {
    fn new(
        request: http::Request<Vec<u8>>,
        keep_refresh: Option<SecretString>,
        repeat: Repeat,
    ) -> Self {
        let (parts, body) = request.into_parts();
        Self {
            request: http::Request::from_parts(parts, ()),
            body: Zeroizing::new(body),
            keep_refresh,
            repeat,
            outcome: std::marker::PhantomData,
        }
    }

    /// The request, with a copy of its body.
    fn build(&self) -> http::Request<Vec<u8>> {
        let mut request = http::Request::new(self.body.to_vec());
        *request.method_mut() = self.request.method().clone();
        *request.uri_mut() = self.request.uri().clone();
        *request.headers_mut() = self.request.headers().clone();
        request
    }

    fn fail(&self, status: u16, reason: ProtocolReason, body: Vec<u8>) -> Error {
        Error::Protocol(ProtocolError::new(O::ENDPOINT, status, reason, body))
    }

    /// A failed answer: the OAuth error it carries, or why it is unusable.
    fn error(&self, status: http::StatusCode, body: Vec<u8>) -> Error {
        match serde_json::from_slice::<TokenBody>(&body) {
            Err(e) => self.fail(status.as_u16(), crate::call::json_reason(&e), body),
            Ok(TokenBody {
                error: Some(code),
                error_description,
                ..
            }) => Error::OAuth(OAuthError {
                code: OAuthErrorCode::parse(&code),
                description: error_description,
            }),
            Ok(_) => self.fail(status.as_u16(), ProtocolReason::UnexpectedStatus, body),
        }
    }

    /// A 2xx answer of the token endpoint: the tokens (or the OAuth error it carries).
    fn tokens(
        &self,
        now: SystemTime,
        status: http::StatusCode,
        body: Vec<u8>,
    ) -> Result<Tokens, Error> {
        let parsed: TokenBody = match serde_json::from_slice(&body) {
            Ok(p) => p,
            Err(e) => return Err(self.fail(status.as_u16(), crate::call::json_reason(&e), body)),
        };
        if let Some(code) = parsed.error {
            return Err(Error::OAuth(OAuthError {
                code: OAuthErrorCode::parse(&code),
                description: parsed.error_description,
            }));
        }
        let access = parsed.access_token.ok_or_else(|| {
            self.fail(
                status.as_u16(),
                ProtocolReason::MissingField("access_token"),
                body.clone(),
            )
        })?;
        let access_token = Jwt::decode(access).map_err(|_| {
            self.fail(
                status.as_u16(),
                ProtocolReason::InvalidToken("access_token"),
                body.clone(),
            )
        })?;
        let id_token = match parsed.id_token {
            Some(t) => Some(Jwt::decode(t).map_err(|_| {
                self.fail(
                    status.as_u16(),
                    ProtocolReason::InvalidToken("id_token"),
                    body.clone(),
                )
            })?),
            None => None,
        };
        Ok(Tokens::new(
            id_token,
            access_token,
            parsed.refresh_token.or_else(|| self.keep_refresh.clone()),
            parsed.expires_in,
            unix_seconds(now),
        ))
    }
}
