//! Refreshing: new id and access tokens from a refresh token, and a new refresh token when the
//! app client rotates them. The one refresh of the crate: [`StoredSession::refresh`] (and
//! [`StoredSession::get_session`]) build it with the session's device, and its outcome is the
//! session itself, its tokens replaced, its device kept; [`Refresh::new`] builds it from a bare
//! refresh token, and [`SignIn::refresh`](crate::SignIn::refresh) from a sign-in's options
//! (`REFRESH_TOKEN_AUTH`, as the JS SDK's `refreshSession`), and their outcome is a
//! [`SignedIn`].
//!
//! ```text
//!  StoredSession::refresh ─┬─▶ AwaitTokens (GetTokensFromRefreshToken) ──tokens──▶ Done(StoredSession)
//!  Refresh::new ───────────┘     or, chosen up front, (InitiateAuth REFRESH_TOKEN_AUTH)   or Done(SignedIn)
//!  SignIn::refresh ───▶ AwaitTokens (InitiateAuth REFRESH_TOKEN_AUTH)
//!     unknown operation (a server without it) ─▶ AwaitTokens (InitiateAuth REFRESH_TOKEN_AUTH)
//!     device gone (ResourceNotFoundException) ─▶ AwaitTokens (same method, no device key)
//!     any other error ─▶ Failed
//! ```
//!
//! # Which method
//!
//! Cognito refuses `REFRESH_TOKEN_AUTH` on app clients with refresh token rotation (they must
//! not allow that flow), while `GetTokensFromRefreshToken` works on every app client, rotating or
//! not: the refresh sends `GetTokensFromRefreshToken` by default
//! ([`RefreshMethod::GetTokensFromRefreshToken`]). Only when the server answers that it does not
//! know the operation (`UnknownOperationException`, `InvalidAction`, HTTP 404 or 501: an older
//! emulator) is it sent once more as `InitiateAuth` with `REFRESH_TOKEN_AUTH`. A server that
//! answers something else (moto answers a bare HTTP 500) needs the method chosen up front:
//! [`UserPool::with_refresh_method`](crate::UserPool::with_refresh_method) with
//! [`RefreshMethod::InitiateAuth`].
//!
//! When a new refresh token comes back (rotation), the session keeps it in place of the old one,
//! which Cognito stops accepting after the client's retry grace period: store the outcome.
//!
//! ```
//! use cognito_flows::testing::{self, Canned};
//! use cognito_flows::{Action, Entropy, Flow, SignIn, StoredSession, UserPool};
//! use serde_json::json;
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([testing::tokens("alice")]);
//! # let signed_in = cognito.run(SignIn::user_password(&pool, "alice", "pw", Entropy::from([1; 32])))?;
//! let session = StoredSession::from(signed_in);
//! let flow = session.refresh(&pool).ok_or("no refresh token")?;
//! let Action::Send(request) = flow.poll_action() else { unreachable!() };
//! assert_eq!(request.headers()["x-amz-target"], "AWSCognitoIdentityProviderService.GetTokensFromRefreshToken");
//!
//! // A rotating app client answers a new refresh token: the session keeps it.
//! let mut answer = testing::tokens("alice");
//! answer["AuthenticationResult"]["RefreshToken"] = json!("rotated");
//! let mut cognito = Canned::new([answer]);
//! let refreshed = cognito.run(flow)?;
//! assert_eq!(refreshed.refresh_token().map(|t| t.expose()), Some("rotated"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::SystemTime;

use crate::call;
use crate::error::{Error, ErrorKind, ProtocolReason};
use crate::flows::device::Device;
use crate::flows::machine::{self, Machine, Pending, Phase, Step};
use crate::flows::sign_in::SignedIn;
use crate::pool::UserPool;
use crate::secret::SecretString;
use crate::session::StoredSession;
use crate::tokens::{RefreshToken, Tokens};
use crate::wire::{
    AuthenticationResult, ClientMetadata, Context, GetTokensFromRefreshTokenRequest,
    GetTokensFromRefreshTokenResponse, InitiateAuthRequest, InitiateAuthResponse, Operation,
    Parameters,
};

/// How a session's refresh token is turned into new tokens. See the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RefreshMethod {
    /// `GetTokensFromRefreshToken`, the only one rotating app clients accept; once more as
    /// `REFRESH_TOKEN_AUTH` if the server does not know the operation. The default.
    #[default]
    GetTokensFromRefreshToken,
    /// `InitiateAuth` with `REFRESH_TOKEN_AUTH` only: for servers without
    /// `GetTokensFromRefreshToken` that do not say so (moto). Fails on rotating app clients.
    InitiateAuth,
}

/// What a [`Refresh`] ends in: the refreshed [`StoredSession`] (the default), or a
/// [`SignedIn`]. Sealed: these two only.
pub trait RefreshOutcome: sealed::Sealed {}

impl RefreshOutcome for StoredSession {}
impl RefreshOutcome for SignedIn {}

mod sealed {
    use crate::flows::DeviceCredentials;
    use crate::tokens::Tokens;

    /// How a refresh's outcome is made of its new tokens.
    pub trait Sealed: Clone + std::fmt::Debug {
        /// The outcome: `tokens` for `username` (the name before the refresh), with the device
        /// credentials still valid, and the key of a device Cognito no longer knows.
        fn refreshed(
            username: &str,
            tokens: Tokens,
            device: Option<DeviceCredentials>,
            forgotten_device: Option<String>,
        ) -> Self;
    }

    impl Sealed for crate::StoredSession {
        /// The session with its new tokens, its device kept (unless Cognito forgot it).
        fn refreshed(
            username: &str,
            tokens: Tokens,
            device: Option<DeviceCredentials>,
            _: Option<String>,
        ) -> Self {
            Self {
                username: tokens.username().unwrap_or(username).to_owned(),
                tokens,
                device,
            }
        }
    }

    impl Sealed for crate::SignedIn {
        /// The tokens, and the device to forget.
        fn refreshed(
            username: &str,
            tokens: Tokens,
            _: Option<DeviceCredentials>,
            forgotten_device: Option<String>,
        ) -> Self {
            Self {
                username: tokens.username().unwrap_or(username).to_owned(),
                tokens,
                device: None,
                new_device: None,
                device_error: None,
                forgotten_device,
            }
        }
    }
}

/// A refresh, as a flow: a stored session's ([`StoredSession::refresh`], the outcome is the
/// session with its new tokens) or a bare refresh token's ([`Refresh::new`],
/// [`SignIn::refresh`](crate::SignIn::refresh): the outcome is a [`SignedIn`]). See the
/// [module docs](self).
pub struct Refresh<O: RefreshOutcome = StoredSession> {
    pool: UserPool,
    grant: Grant,
    context: Context,
    phase: Phase<State, O>,
}

impl<O: RefreshOutcome> fmt::Debug for Refresh<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refresh")
            .field("pool", &self.pool)
            .field("grant", &self.grant)
            .field("context", &self.context)
            .field("phase", &self.phase)
            .finish()
    }
}

/// What a refresh sends, fixed when it is built.
#[derive(Debug, Clone)]
struct Grant {
    /// The name `SECRET_HASH` is computed from (the access token's `username`, else the name).
    hash_name: String,
    /// The name Cognito knows the user by, when the new tokens do not say it.
    username: String,
    refresh_token: RefreshToken,
    /// The device whose key is sent.
    device: Option<Device>,
}

/// Nominally `pub` because the core's `Machine` trait names it; unreachable outside the crate.
#[allow(private_interfaces, unnameable_types, reason = "a sealed state")]
mod state {
    use super::RefreshMethod;

    /// The one state: the request is out.
    #[derive(Debug)]
    pub struct State {
        /// The method of this request.
        pub method: RefreshMethod,
        /// Whether the device key is still sent (not after Cognito said it is gone).
        pub with_device: bool,
        /// Whether this request is the second method, after "unknown operation".
        pub fell_back: bool,
    }
}
use state::State;

impl Refresh<StoredSession> {
    /// The refresh of `session` (which must hold a refresh token) through `pool`.
    pub(crate) fn start(pool: &UserPool, session: StoredSession) -> Self {
        let grant = Grant {
            hash_name: session
                .tokens
                .username()
                .unwrap_or(&session.username)
                .to_owned(),
            refresh_token: session
                .tokens
                .refresh_token
                .clone()
                .unwrap_or_else(|| SecretString::new("")),
            device: session.device.map(Device::Credentials),
            username: session.username,
        };
        Self::with_grant(pool, grant, pool.refresh_method(), Context::default())
    }
}

impl Refresh<SignedIn> {
    /// New tokens from a bare refresh token, by the pool's method
    /// ([`UserPool::with_refresh_method`], `GetTokensFromRefreshToken` by default, which every
    /// app client accepts). `username` is the name Cognito knows the user by
    /// ([`Tokens::username`]); it is only used for `SECRET_HASH` when the app client has a
    /// secret. The outcome keeps this refresh token unless the app client rotates it. Prefer
    /// [`StoredSession::refresh`] when you have the session.
    ///
    /// ```
    /// use cognito_flows::flows::Refresh;
    /// use cognito_flows::testing::{self, Canned};
    /// use cognito_flows::UserPool;
    ///
    /// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
    /// let flow = Refresh::new(&pool, "alice", "refresh-token".into()).with_device_key("us-east-1_d3v1c3");
    /// let mut cognito = Canned::new([testing::tokens_answer("alice", false)]);
    /// let signed_in = cognito.run(flow)?;
    /// assert_eq!(cognito.requests()[0].target, "GetTokensFromRefreshToken");
    /// assert_eq!(cognito.requests()[0].body["DeviceKey"], "us-east-1_d3v1c3");
    /// assert_eq!(signed_in.tokens.refresh_token.as_ref().map(|t| t.expose()), Some("refresh-token"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(pool: &UserPool, username: &str, refresh_token: RefreshToken) -> Self {
        Self::of_token(pool, username, refresh_token, None, pool.refresh_method())
    }

    /// The refresh of [`SignIn::refresh`](crate::SignIn::refresh): `method`, the device and the
    /// context of the sign-in's builder.
    pub(crate) fn of_token(
        pool: &UserPool,
        username: &str,
        refresh_token: RefreshToken,
        device: Option<Device>,
        method: RefreshMethod,
    ) -> Self {
        let grant = Grant {
            hash_name: username.to_owned(),
            username: username.to_owned(),
            refresh_token,
            device,
        };
        Self::with_grant(pool, grant, method, Context::default())
    }

    /// Sends `DEVICE_KEY` (`DeviceKey`): the refresh of a remembered device. If Cognito answers
    /// that the device does not exist, the refresh is sent once more without it and the
    /// outcome's [`SignedIn::forgotten_device`] says so.
    #[must_use]
    pub fn with_device_key(mut self, device_key: impl Into<String>) -> Self {
        self.grant.device = Some(Device::Key(device_key.into()));
        self
    }
}

impl<O: RefreshOutcome> Refresh<O> {
    fn with_grant(pool: &UserPool, grant: Grant, method: RefreshMethod, context: Context) -> Self {
        Self {
            pool: pool.clone(),
            grant,
            context,
            phase: Phase::Running(State {
                method,
                with_device: true,
                fell_back: false,
            }),
        }
    }

    /// Sends `ClientMetadata` for the pool's Lambda triggers (pre token generation).
    #[must_use]
    pub fn with_client_metadata(mut self, metadata: ClientMetadata) -> Self {
        self.context.client_metadata = Some(metadata);
        self
    }

    /// Sends what `context` holds that the refresh takes: `ClientMetadata` with
    /// `GetTokensFromRefreshToken`; all of it with `REFRESH_TOKEN_AUTH`.
    #[must_use]
    pub fn with_context(mut self, context: &Context) -> Self {
        self.context = context.clone();
        self
    }

    fn device_key(&self, state: &State) -> Option<String> {
        let device = self.grant.device.as_ref().filter(|_| state.with_device)?;
        Some(device.key().to_owned())
    }

    fn request(&self, state: &State) -> http::Request<Vec<u8>> {
        let refresh_token = self.grant.refresh_token.clone();
        match state.method {
            RefreshMethod::GetTokensFromRefreshToken => call::request(
                &self.pool,
                &GetTokensFromRefreshTokenRequest {
                    refresh_token,
                    client_id: self.pool.client_id().into(),
                    client_secret: self
                        .pool
                        .client_secret()
                        .map(|s| SecretString::new(s.expose())),
                    device_key: self.device_key(state),
                    client_metadata: self.context.client_metadata.clone(),
                },
            ),
            RefreshMethod::InitiateAuth => {
                let mut parameters = Parameters::new();
                parameters.insert("REFRESH_TOKEN".into(), refresh_token);
                if let Some(hash) = self.pool.secret_hash(&self.grant.hash_name) {
                    parameters.insert("SECRET_HASH".into(), hash);
                }
                if let Some(key) = self.device_key(state) {
                    parameters.insert("DEVICE_KEY".into(), key.into());
                }
                call::request(
                    &self.pool,
                    &InitiateAuthRequest {
                        auth_flow: "REFRESH_TOKEN_AUTH".into(),
                        auth_parameters: parameters,
                        client_id: self.pool.client_id().into(),
                        context: self.context.clone(),
                        session: None,
                    },
                )
            }
        }
    }

    /// The new tokens of the answer, received at `now`.
    fn tokens(
        &self,
        state: &State,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<Tokens, Error> {
        let previous = Some(&self.grant.refresh_token);
        let read = |result: Option<&AuthenticationResult>,
                    fail: &dyn Fn(ProtocolReason) -> Error| {
            let result =
                result.ok_or_else(|| fail(ProtocolReason::MissingField("AuthenticationResult")))?;
            Tokens::from_result(result, now, previous).map_err(fail)
        };
        match state.method {
            RefreshMethod::GetTokensFromRefreshToken => {
                let parsed = call::parse::<GetTokensFromRefreshTokenResponse>(
                    Operation::GetTokensFromRefreshToken,
                    response,
                )?;
                read(parsed.value.authentication_result.as_ref(), &|r| {
                    parsed.fail(r)
                })
            }
            RefreshMethod::InitiateAuth => {
                let parsed =
                    call::parse::<InitiateAuthResponse>(Operation::InitiateAuth, response)?;
                read(parsed.value.authentication_result.as_ref(), &|r| {
                    parsed.fail(r)
                })
            }
        }
    }

    /// The outcome: the new tokens, the device kept or forgotten.
    fn refreshed(&self, state: &State, tokens: Tokens) -> O {
        let (kept, forgotten) = match &self.grant.device {
            Some(device) if !state.with_device => (None, Some(device.key().to_owned())),
            Some(Device::Credentials(credentials)) => (Some(credentials.clone()), None),
            Some(Device::Key(_)) | None => (None, None),
        };
        O::refreshed(&self.grant.username, tokens, kept, forgotten)
    }
}

/// Whether an answer says the server does not know the operation at all.
fn unknown_operation(error: &Error) -> bool {
    match error {
        Error::Service(e) => matches!(
            &e.kind,
            ErrorKind::Unknown(name) if name == "UnknownOperationException" || name == "InvalidAction"
        ),
        Error::Protocol(e) => matches!(e.status, 404 | 501),
        _ => false,
    }
}

impl<O: RefreshOutcome> Machine for Refresh<O> {
    type State = State;
    type Output = O;

    machine::phase!(phase);

    fn sending(_: &State) -> bool {
        true
    }

    fn pending(&self, state: &State) -> Pending {
        Pending::Send(self.request(state))
    }

    fn repeatable(&self, state: &State) -> bool {
        crate::retry::is_repeatable(match state.method {
            RefreshMethod::GetTokensFromRefreshToken => Operation::GetTokensFromRefreshToken,
            RefreshMethod::InitiateAuth => Operation::InitiateAuth,
        })
    }

    fn on_response(
        &mut self,
        state: State,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Step<State, O> {
        match self.tokens(&state, now, response) {
            Ok(tokens) => Step::Done(self.refreshed(&state, tokens)),
            Err(e)
                if state.method == RefreshMethod::GetTokensFromRefreshToken
                    && !state.fell_back
                    && unknown_operation(&e) =>
            {
                Step::Next(State {
                    method: RefreshMethod::InitiateAuth,
                    fell_back: true,
                    ..state
                })
            }
            Err(Error::Service(e))
                if e.kind == ErrorKind::ResourceNotFound
                    && state.with_device
                    && self.grant.device.is_some() =>
            {
                // The device is gone: forget it and refresh once without it.
                Step::Next(State {
                    with_device: false,
                    ..state
                })
            }
            Err(e) => Step::Fail(e),
        }
    }
}
