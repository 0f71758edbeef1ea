//! Signing in: `USER_SRP_AUTH`, `USER_PASSWORD_AUTH` and `REFRESH_TOKEN_AUTH`, then whatever
//! challenges the pool asks for, until tokens arrive.
//!
//! ```text
//!  user_srp ──▶ InitiateSrp ──PASSWORD_VERIFIER──▶ (sign with SRP) ─┐
//!                    │                                             ▼
//!  user_password ──▶ Awaiting ◀────────────────────────────── Awaiting(RespondToAuthChallenge)
//!  refresh ───────▶    │  tokens ──▶ Done(SignedIn)                 ▲
//!                      │  other challenge ──▶ Challenge ──input─────┘
//!                      │                          ▲  correctable error (wrong code, weak password)
//!                      │                          └──────────────────────────────
//!                      └─ any other error ──▶ Failed
//! ```
//!
//! Out of scope here: confirming the new device that a sign-in may return (see
//! [`SignedIn::new_device`]).
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use cognito_flows::{Action, Entropy, Flow, SignIn, UserPool};
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let flow = SignIn::user_srp(&pool, "alice", "correct horse", Entropy::from([7; 32]));
//! let Action::Send(request) = flow.poll_action() else { unreachable!() };
//! assert_eq!(request.headers()["x-amz-target"], "AWSCognitoIdentityProviderService.InitiateAuth");
//! // ... send it, then: flow.handle_response(now, response)?; and poll again.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::mem;
use std::time::SystemTime;

use crate::call::{self, Parsed};
use crate::entropy::{Entropy, FlowRng};
use crate::error::{Error, Misuse, ProtocolReason};
use crate::flows::{Action, Flow, Input, Prompt};
use crate::pool::UserPool;
use crate::secret::{Password, SecretString};
use crate::srp::{self, SrpClient};
use crate::tokens::{RefreshToken, Tokens};
use crate::wire::{
    AnalyticsMetadata, ClientMetadata, InitiateAuthRequest, InitiateAuthResponse,
    NewDeviceMetadata, Operation, RespondToAuthChallengeRequest, UserContextData,
};

/// A finished sign-in.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SignedIn {
    /// The tokens.
    pub tokens: Tokens,
    /// The name Cognito knows the user by (not an alias): the key for SECRET_HASH on refresh,
    /// and for the JS SDK's storage keys.
    pub username: String,
    /// A device Cognito created for this sign-in, to confirm (and maybe remember).
    pub new_device: Option<NewDeviceMetadata>,
}

/// A sign-in, as a state machine. See the [module docs](self).
#[derive(Debug)]
pub struct SignIn {
    pool: UserPool,
    options: Options,
    /// The name Cognito knows the user by: what the caller typed until a challenge names them.
    username: String,
    device_key: Option<String>,
    state: State,
}

#[derive(Debug, Default, Clone)]
struct Options {
    client_metadata: Option<ClientMetadata>,
    analytics: Option<AnalyticsMetadata>,
    user_context: Option<UserContextData>,
}

#[derive(Debug)]
enum State {
    /// `InitiateAuth(USER_SRP_AUTH)` is in flight; the exchange waits for `PASSWORD_VERIFIER`.
    InitiateSrp {
        request: InitiateAuthRequest,
        srp: SrpClient,
        password: Password,
    },
    /// A request whose answer is tokens or a challenge is in flight.
    Awaiting {
        call: Call,
        /// The challenge to return to when the answer is a correctable error.
        retry: Option<Challenge>,
        /// On refresh, Cognito sends no refresh token: keep this one.
        keep_refresh: Option<RefreshToken>,
    },
    /// The user must answer a challenge.
    Challenge(Challenge),
    Done(SignedIn),
    Failed(Error),
}

#[derive(Debug)]
enum Call {
    Initiate(InitiateAuthRequest),
    Respond(RespondToAuthChallengeRequest),
}

#[derive(Debug, Clone)]
struct Challenge {
    name: String,
    parameters: BTreeMap<String, String>,
    session: Option<SecretString>,
    error: Option<crate::error::ServiceError>,
}

impl SignIn {
    fn start(
        pool: &UserPool,
        username: &str,
        entropy: &Entropy,
        state: impl FnOnce(&mut FlowRng) -> State,
    ) -> Self {
        let mut rng = FlowRng::new(entropy);
        let state = state(&mut rng);
        Self {
            pool: pool.clone(),
            options: Options::default(),
            username: username.to_owned(),
            device_key: None,
            state,
        }
    }

    fn initiate(
        pool: &UserPool,
        flow: &str,
        mut parameters: BTreeMap<String, String>,
        username: Option<&str>,
    ) -> InitiateAuthRequest {
        if let Some(hash) = username.and_then(|u| pool.secret_hash(u)) {
            parameters.insert("SECRET_HASH".into(), hash);
        }
        InitiateAuthRequest {
            auth_flow: flow.into(),
            auth_parameters: parameters,
            client_id: pool.client_id().into(),
            client_metadata: None,
            analytics_metadata: None,
            user_context_data: None,
            session: None,
        }
    }

    /// Secure Remote Password sign-in (`USER_SRP_AUTH`): the password never leaves this process.
    /// `username` may be an alias (email, phone) when the pool allows it.
    pub fn user_srp(
        pool: &UserPool,
        username: &str,
        password: impl Into<Password>,
        entropy: Entropy,
    ) -> Self {
        let password = password.into();
        Self::start(pool, username, &entropy, |rng| {
            let srp = SrpClient::from_private_key(&rng.bytes());
            let parameters = BTreeMap::from([
                ("USERNAME".to_owned(), username.to_owned()),
                ("SRP_A".to_owned(), srp.public_key_hex()),
            ]);
            State::InitiateSrp {
                request: Self::initiate(pool, "USER_SRP_AUTH", parameters, Some(username)),
                srp,
                password,
            }
        })
    }

    /// Plain password sign-in (`USER_PASSWORD_AUTH`): the password goes to Cognito over TLS.
    /// Needs the app client to allow it; prefer [`SignIn::user_srp`].
    pub fn user_password(
        pool: &UserPool,
        username: &str,
        password: impl Into<Password>,
        entropy: Entropy,
    ) -> Self {
        let password = password.into();
        Self::start(pool, username, &entropy, |_| {
            let parameters = BTreeMap::from([
                ("USERNAME".to_owned(), username.to_owned()),
                ("PASSWORD".to_owned(), password.expose().to_owned()),
            ]);
            State::Awaiting {
                call: Call::Initiate(Self::initiate(
                    pool,
                    "USER_PASSWORD_AUTH",
                    parameters,
                    Some(username),
                )),
                retry: None,
                keep_refresh: None,
            }
        })
    }

    /// New id and access tokens from a refresh token (`REFRESH_TOKEN_AUTH`).
    ///
    /// `username` is the name Cognito knows the user by ([`Tokens::username`], the access
    /// token's `username` claim); it is only used for `SECRET_HASH` when the app client has a
    /// secret. The outcome keeps this refresh token, since Cognito sends none back (unless the
    /// pool rotates refresh tokens, in which case the new one is kept).
    pub fn refresh(
        pool: &UserPool,
        username: &str,
        refresh_token: RefreshToken,
        entropy: Entropy,
    ) -> Self {
        Self::start(pool, username, &entropy, |_| {
            let parameters = BTreeMap::from([(
                "REFRESH_TOKEN".to_owned(),
                refresh_token.expose().to_owned(),
            )]);
            State::Awaiting {
                call: Call::Initiate(Self::initiate(
                    pool,
                    "REFRESH_TOKEN_AUTH",
                    parameters,
                    Some(username),
                )),
                retry: None,
                keep_refresh: Some(refresh_token),
            }
        })
    }

    /// Sends `DEVICE_KEY` with the sign-in (a remembered device), so that Cognito can skip MFA
    /// for it and, on refresh, accept the device's tokens.
    #[must_use]
    pub fn with_device_key(mut self, device_key: impl Into<String>) -> Self {
        let key = device_key.into();
        match &mut self.state {
            State::InitiateSrp { request, .. }
            | State::Awaiting {
                call: Call::Initiate(request),
                ..
            } => {
                request
                    .auth_parameters
                    .insert("DEVICE_KEY".into(), key.clone());
            }
            _ => {}
        }
        self.device_key = Some(key);
        self
    }

    /// Sends `ClientMetadata` (for the pool's Lambda triggers) with every request of the flow.
    #[must_use]
    pub fn with_client_metadata(mut self, metadata: ClientMetadata) -> Self {
        self.options.client_metadata = Some(metadata);
        self
    }

    /// Sends `AnalyticsMetadata` with every request of the flow.
    #[must_use]
    pub fn with_analytics_metadata(mut self, metadata: AnalyticsMetadata) -> Self {
        self.options.analytics = Some(metadata);
        self
    }

    /// Sends `UserContextData` (threat protection) with every request of the flow.
    #[must_use]
    pub fn with_user_context_data(mut self, data: UserContextData) -> Self {
        self.options.user_context = Some(data);
        self
    }

    fn expected(&self) -> &'static str {
        match &self.state {
            State::InitiateSrp { .. } | State::Awaiting { .. } => "a response",
            State::Challenge(_) => "a challenge answer",
            State::Done(_) | State::Failed(_) => "nothing (finished)",
        }
    }

    fn request(&self, call: &Call) -> http::Request<Vec<u8>> {
        let o = &self.options;
        match call {
            Call::Initiate(r) => {
                let mut r = r.clone();
                r.client_metadata.clone_from(&o.client_metadata);
                r.analytics_metadata.clone_from(&o.analytics);
                r.user_context_data.clone_from(&o.user_context);
                call::request(&self.pool, Operation::InitiateAuth, &r)
            }
            Call::Respond(r) => {
                let mut r = r.clone();
                r.client_metadata.clone_from(&o.client_metadata);
                r.analytics_metadata.clone_from(&o.analytics);
                r.user_context_data.clone_from(&o.user_context);
                call::request(&self.pool, Operation::RespondToAuthChallenge, &r)
            }
        }
    }

    /// `RespondToAuthChallenge` for `name`, adding `USERNAME`, `SECRET_HASH` and `DEVICE_KEY`.
    fn respond(
        &self,
        name: &str,
        mut responses: BTreeMap<String, String>,
        session: Option<&SecretString>,
    ) -> Call {
        responses.insert("USERNAME".into(), self.username.clone());
        if let Some(hash) = self.pool.secret_hash(&self.username) {
            responses.insert("SECRET_HASH".into(), hash);
        }
        if let Some(key) = &self.device_key {
            responses
                .entry("DEVICE_KEY".into())
                .or_insert_with(|| key.clone());
        }
        Call::Respond(RespondToAuthChallengeRequest {
            challenge_name: name.into(),
            challenge_responses: responses,
            client_id: self.pool.client_id().into(),
            session: session.map(|s| s.expose().to_owned()),
            client_metadata: None,
            analytics_metadata: None,
            user_context_data: None,
        })
    }

    /// Reads the answer to InitiateAuth or RespondToAuthChallenge.
    fn on_answer(
        &mut self,
        now: SystemTime,
        operation: Operation,
        response: http::Response<Vec<u8>>,
        srp: Option<(SrpClient, Password)>,
        keep_refresh: Option<RefreshToken>,
    ) -> Result<State, Error> {
        let parsed: Parsed<InitiateAuthResponse> = call::parse(operation, response)?;
        let answer = &parsed.value;
        if let Some(result) = &answer.authentication_result {
            let tokens = Tokens::from_result(result, now, keep_refresh.as_ref())
                .map_err(|r| parsed.fail(r))?;
            if let Some(name) = tokens.username() {
                self.username = name.to_owned();
            }
            return Ok(State::Done(SignedIn {
                tokens,
                username: self.username.clone(),
                new_device: result.new_device_metadata.clone(),
            }));
        }
        let name = answer
            .challenge_name
            .as_deref()
            .ok_or_else(|| parsed.fail(ProtocolReason::MissingField("AuthenticationResult")))?;
        let parameters = answer.challenge_parameters.clone().unwrap_or_default();
        if let Some(username) = parameters
            .get("USERNAME")
            .or_else(|| parameters.get("USER_ID_FOR_SRP"))
        {
            self.username.clone_from(username);
        }
        match (name, srp) {
            ("PASSWORD_VERIFIER", Some((srp, password))) => {
                let call = self.password_verifier(now, &parsed, &parameters, &srp, &password)?;
                Ok(State::Awaiting {
                    call,
                    retry: None,
                    keep_refresh: None,
                })
            }
            ("PASSWORD_VERIFIER", None) => Err(parsed.fail(ProtocolReason::InvalidField {
                field: "ChallengeName",
                detail: "PASSWORD_VERIFIER without an SRP exchange".into(),
            })),
            (name, _) => Ok(State::Challenge(Challenge {
                name: name.to_owned(),
                parameters,
                session: answer.session.clone(),
                error: None,
            })),
        }
    }

    fn password_verifier(
        &self,
        now: SystemTime,
        parsed: &Parsed<InitiateAuthResponse>,
        parameters: &BTreeMap<String, String>,
        srp: &SrpClient,
        password: &Password,
    ) -> Result<Call, Error> {
        let field = |name: &'static str| {
            parameters
                .get(name)
                .map(String::as_str)
                .ok_or_else(|| parsed.fail(ProtocolReason::MissingField(name)))
        };
        let user_id = field("USER_ID_FOR_SRP")?;
        let secret_block = field("SECRET_BLOCK")?;
        let challenge = srp::ChallengeParameters {
            srp_b: field("SRP_B")?,
            salt: field("SALT")?,
            secret_block,
        };
        let timestamp = srp::timestamp(now).ok_or(Misuse::ClockOutOfRange)?;
        let signature = srp
            .password_claim(
                self.pool.name(),
                user_id,
                password.expose().as_bytes(),
                &challenge,
                &timestamp,
            )
            .map_err(|e| parsed.fail(ProtocolReason::Srp(e)))?;
        let responses = BTreeMap::from([
            (
                "PASSWORD_CLAIM_SECRET_BLOCK".to_owned(),
                secret_block.to_owned(),
            ),
            ("PASSWORD_CLAIM_SIGNATURE".to_owned(), signature),
            ("TIMESTAMP".to_owned(), timestamp),
        ]);
        Ok(self.respond(
            "PASSWORD_VERIFIER",
            responses,
            parsed.value.session.as_ref(),
        ))
    }
}

impl Flow for SignIn {
    type Output = SignedIn;

    fn poll_action(&self) -> Action<SignedIn> {
        match &self.state {
            State::InitiateSrp { request, .. } => {
                Action::Send(self.request(&Call::Initiate(request.clone())))
            }
            State::Awaiting { call, .. } => Action::Send(self.request(call)),
            State::Challenge(c) => Action::Prompt(Prompt::Challenge {
                name: c.name.clone(),
                parameters: c.parameters.clone(),
                error: c.error.clone(),
            }),
            State::Done(out) => Action::Done(out.clone()),
            State::Failed(e) => Action::Failed(e.clone()),
        }
    }

    fn handle_response(
        &mut self,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<(), Error> {
        let state = mem::replace(
            &mut self.state,
            State::Failed(Error::Misuse(Misuse::Finished)),
        );
        let (next, retry) = match state {
            State::InitiateSrp { srp, password, .. } => (
                self.on_answer(
                    now,
                    Operation::InitiateAuth,
                    response,
                    Some((srp, password)),
                    None,
                ),
                None,
            ),
            State::Awaiting {
                call,
                retry,
                keep_refresh,
            } => {
                let operation = match call {
                    Call::Initiate(_) => Operation::InitiateAuth,
                    Call::Respond(_) => Operation::RespondToAuthChallenge,
                };
                (
                    self.on_answer(now, operation, response, None, keep_refresh),
                    retry,
                )
            }
            other => {
                self.state = other;
                return Err(Misuse::UnexpectedResponse {
                    expected: self.expected(),
                }
                .into());
            }
        };
        match (next, retry) {
            (Ok(state), _) => {
                self.state = state;
                Ok(())
            }
            (Err(Error::Service(e)), Some(mut challenge)) if e.kind.is_correctable() => {
                challenge.error = Some(e.clone());
                self.state = State::Challenge(challenge);
                Err(Error::Service(e))
            }
            (Err(e), _) => {
                self.state = State::Failed(e.clone());
                Err(e)
            }
        }
    }

    fn handle_input(&mut self, input: Input) -> Result<(), Error> {
        let State::Challenge(challenge) = &self.state else {
            return Err(Misuse::UnexpectedInput {
                expected: self.expected(),
                got: input.kind(),
            }
            .into());
        };
        let Input::Challenge(responses) = input;
        let call = self.respond(&challenge.name, responses, challenge.session.as_ref());
        let retry = Some(challenge.clone());
        self.state = State::Awaiting {
            call,
            retry,
            keep_refresh: None,
        };
        Ok(())
    }
}
