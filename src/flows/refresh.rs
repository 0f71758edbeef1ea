//! Refreshing a stored session: new id and access tokens from its refresh token, and a new
//! refresh token when the app client rotates them. The outcome is the session itself, its tokens
//! replaced, its device kept.
//!
//! ```text
//!  StoredSession::refresh ─▶ AwaitTokens (GetTokensFromRefreshToken) ──tokens──▶ Done(StoredSession)
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

use std::time::SystemTime;

use crate::call;
use crate::error::{Error, ErrorKind, ProtocolReason};
use crate::flows::machine::{self, Machine, Pending, Phase, Step};
use crate::pool::UserPool;
use crate::secret::SecretString;
use crate::session::StoredSession;
use crate::tokens::Tokens;
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

/// The refresh of a [`StoredSession`]: a flow whose outcome is the session with its new tokens.
/// Built by [`StoredSession::refresh`] (or [`StoredSession::get_session`] when the tokens have
/// expired). See the [module docs](self).
#[derive(Debug)]
pub struct Refresh {
    pool: UserPool,
    session: Box<StoredSession>,
    context: Context,
    phase: Phase<State, StoredSession>,
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

impl Refresh {
    /// The refresh of `session` (which must hold a refresh token) through `pool`.
    pub(crate) fn start(pool: &UserPool, session: StoredSession) -> Self {
        Self {
            pool: pool.clone(),
            session: Box::new(session),
            context: Context::default(),
            phase: Phase::Running(State {
                method: pool.refresh_method(),
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

    fn refresh_token(&self) -> SecretString {
        self.session
            .tokens
            .refresh_token
            .clone()
            .unwrap_or_else(|| SecretString::new(""))
    }

    fn device_key(&self, state: &State) -> Option<String> {
        let device = self.session.device.as_ref().filter(|_| state.with_device)?;
        Some(device.device_key.clone())
    }

    fn request(&self, state: &State) -> http::Request<Vec<u8>> {
        match state.method {
            RefreshMethod::GetTokensFromRefreshToken => call::request(
                &self.pool,
                &GetTokensFromRefreshTokenRequest {
                    refresh_token: self.refresh_token(),
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
                let username = self
                    .session
                    .tokens
                    .username()
                    .unwrap_or(&self.session.username);
                let mut parameters = Parameters::new();
                parameters.insert("REFRESH_TOKEN".into(), self.refresh_token());
                if let Some(hash) = self.pool.secret_hash(username) {
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
        let previous = self.session.tokens.refresh_token.as_ref();
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

impl Machine for Refresh {
    type State = State;
    type Output = StoredSession;

    machine::phase!(phase);

    fn sending(_: &State) -> bool {
        true
    }

    fn pending(&self, state: &State) -> Pending {
        Pending::Send(self.request(state))
    }

    fn on_response(
        &mut self,
        state: State,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Step<State, StoredSession> {
        match self.tokens(&state, now, response) {
            Ok(tokens) => {
                let mut session = (*self.session).clone();
                if !state.with_device {
                    session.device = None;
                }
                if let Some(name) = tokens.username() {
                    session.username = name.to_owned();
                }
                session.tokens = tokens;
                Step::Done(session)
            }
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
                    && self.session.device.is_some() =>
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
