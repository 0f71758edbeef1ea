//! Signing in: every `AuthFlow` (`USER_SRP_AUTH`, `USER_PASSWORD_AUTH`, `CUSTOM_AUTH` with or
//! without SRP, `USER_AUTH`), every challenge Cognito may ask on the way (MFA by SMS, TOTP or
//! email, MFA selection and setup, new password, custom challenges, passkeys, device SRP), and
//! the confirmation of the new device a sign-in may create. `REFRESH_TOKEN_AUTH`
//! ([`SignIn::refresh`]) is the crate's one refresh flow, [`Refresh`](super::refresh).
//!
//! The states, one flat enum named by what each waits for (each holds only what is valid in it;
//! the user and the device travel inside them; a state waiting for the answer to a prompt keeps
//! the challenge it answers, and which prompt asked it, never the prompt's state itself):
//!
//! ```text
//!  constructors ─┬─▶ AwaitInitiate ────────────┐  (password, custom, USER_AUTH, after sign-up)
//!                └─▶ AwaitSrpChallenge ────────┤  PASSWORD_VERIFIER ─▶ AwaitPasswordVerifierAnswer
//!                                              ▼
//!       tokens or a challenge ◀── AwaitPasswordVerifierAnswer, AwaitChallengeAnswer,
//!                                 AwaitSelectedSrpChallenge, AwaitDeviceSrpChallenge
//!   DEVICE_SRP_AUTH ─▶ AwaitDeviceSrpChallenge ─DEVICE_PASSWORD_VERIFIER─▶ AwaitPasswordVerifierAnswer
//!   MFA_SETUP (TOTP) ─▶ AwaitAssociateSoftwareToken ─▶ AskTotpSetup ─input─▶
//!                       AwaitVerifySoftwareToken ─▶ AwaitPasswordVerifierAnswer (MFA_SETUP)
//!   MFA_SETUP (email) ─▶ AskEmailMfaSetup ─input─▶ AwaitChallengeAnswer
//!   any other challenge ─▶ AskChallenge ─input─▶ AwaitChallengeAnswer
//!                          (SELECT_CHALLENGE with PASSWORD_SRP ─▶ AwaitSelectedSrpChallenge)
//!   tokens + NewDeviceMetadata ─▶ AwaitConfirmDevice
//!                                 ─▶ [AskRememberDevice ─▶ AwaitUpdateDeviceStatus] ─▶ Done
//!   tokens ─▶ Done(SignedIn)
//!   correctable error (wrong code, weak password) ─▶ back to the Ask* state, with the error
//!   any other error ─▶ Failed
//! ```
//!
//! The JS SDK's `authenticateUser` callbacks map to prompts: `mfaRequired` to
//! [`Prompt::SmsMfaCode`], `totpRequired` to [`Prompt::TotpCode`], `selectMFAType` to
//! [`Prompt::SelectMfa`], `mfaSetup`/`associateSecretCode` to [`Prompt::SelectMfaSetup`] and
//! [`Prompt::TotpSetup`], `newPasswordRequired` to [`Prompt::NewPassword`], `customChallenge` to
//! [`Prompt::CustomChallenge`], and `onSuccess(session, userConfirmationNecessary)` to
//! [`Prompt::RememberDevice`] then [`Action::Done`](crate::Action::Done).
//!
//! Options (a remembered device, metadata, the device name) are fixed when the flow is built,
//! with [`SignIn::builder`]; the plain constructors ([`SignIn::user_srp`], ...) take none.
//!
//! ```
//! use cognito_flows::{Action, Entropy, Flow, SignIn, UserPool};
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let flow = SignIn::user_srp(&pool, "alice", "correct horse", Entropy::from([7; 32]));
//! let Action::Send(request) = flow.poll_action() else { unreachable!() };
//! assert_eq!(request.headers()["x-amz-target"], "AWSCognitoIdentityProviderService.InitiateAuth");
//! // ... send it, then: flow.handle_response(now, response)?; and poll again.
//!
//! // A remembered device, with metadata for the pool's triggers:
//! let device = cognito_flows::DeviceCredentials {
//!     device_key: "us-east-1_d3v1c3".into(),
//!     device_group_key: "-g".into(),
//!     password: "device password".into(),
//! };
//! let flow = SignIn::builder(&pool)
//!     .with_device(device)
//!     .with_client_metadata([("app".to_owned(), "web".to_owned())].into())
//!     .user_srp("alice", "correct horse", Entropy::from([7; 32]));
//! # let _ = flow;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::time::SystemTime;

use crate::call::{self, Parsed};
use crate::entropy::{Entropy, FlowRng};
use crate::error::{Error, ErrorKind, Misuse, ProtocolReason, ServiceError};
use crate::flows::challenge::{Challenge, ChallengeName, TotpSetup};
use crate::flows::device::{Device, DeviceCredentials};
use crate::flows::machine::{self, Machine, Phase, Step};
use crate::flows::refresh::{Refresh, RefreshMethod};
use crate::flows::{Input, MfaMethod, Prompt};
use crate::pool::UserPool;
use crate::secret::{Password, SecretString};
use crate::srp::{self, SrpClient};
use crate::tokens::{RefreshToken, Tokens};
use crate::wire::{
    AnalyticsMetadata, AssociateSoftwareTokenRequest, AssociateSoftwareTokenResponse,
    ClientMetadata, ConfirmDeviceRequest, ConfirmDeviceResponse, Context,
    DeviceSecretVerifierConfig, InitiateAuthRequest, InitiateAuthResponse, NewDeviceMetadata,
    Operation, Parameters, RespondToAuthChallengeRequest, UpdateDeviceStatusRequest,
    UserContextData, VerifySoftwareTokenRequest, VerifySoftwareTokenResponse,
};

/// A finished sign-in.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SignedIn {
    /// The tokens.
    pub tokens: Tokens,
    /// The name Cognito knows the user by (not an alias): the key for `SECRET_HASH` on refresh
    /// and for the JS SDK's storage keys.
    pub username: String,
    /// The device this sign-in confirmed: persist its credentials for device sign-ins.
    pub device: Option<ConfirmedDevice>,
    /// A device Cognito created that was not confirmed (confirmation turned off, or it failed:
    /// see `device_error`).
    pub new_device: Option<NewDeviceMetadata>,
    /// Why confirming the new device failed. The sign-in itself succeeded.
    pub device_error: Option<Error>,
    /// The device key Cognito no longer knows (it answered "device does not exist" on refresh):
    /// forget the stored credentials of this device. The refresh was retried without it.
    pub forgotten_device: Option<String>,
}

/// A device confirmed during sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedDevice {
    /// Its credentials.
    pub credentials: DeviceCredentials,
    /// Whether the user chose to remember it; `None` when Cognito did not ask (the pool
    /// remembers devices always, or never).
    pub remembered: Option<bool>,
}

/// How a `USER_AUTH` (choice-based) sign-in starts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FirstFactor {
    /// Let Cognito offer the choice (`SELECT_CHALLENGE`).
    Select,
    /// Prefer the password, sent to Cognito.
    Password(Password),
    /// Prefer the password, proven with SRP.
    PasswordSrp(Password),
    /// Prefer a code by email.
    EmailOtp,
    /// Prefer a code by SMS.
    SmsOtp,
    /// Prefer a passkey.
    WebAuthn,
}

/// A sign-in, as a state machine. See the [module docs](self).
#[derive(Debug)]
pub struct SignIn {
    pool: UserPool,
    rng: FlowRng,
    options: Options,
    phase: Phase<State, SignedIn>,
}

/// What every request of the flow carries, fixed when it is built.
#[derive(Debug, Clone)]
struct Options {
    context: Context,
    device_name: String,
    confirm_devices: bool,
    totp_issuer: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            context: Context::default(),
            device_name: "cognito-flows".into(),
            confirm_devices: true,
            totp_issuer: "AWSCognito".into(),
        }
    }
}

/// The options of a sign-in, fixed before it starts; then one of the constructors. See
/// [`SignIn::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SignInBuilder {
    pool: UserPool,
    options: Options,
    device: Option<Device>,
}

/// Who signs in: travels inside the states that need it.
#[derive(Debug, Clone)]
pub(crate) struct User {
    /// The name Cognito knows the user by: what the caller typed until a challenge names them.
    name: String,
    /// For SRP, and for `USER_AUTH` password methods chosen later.
    password: Option<Password>,
    /// The remembered device, when signing in or refreshing as one.
    device: Option<Device>,
}

/// The states are nominally `pub` because the core's `Machine` trait names them; the module is
/// private, so they are unreachable outside the crate.
#[allow(private_interfaces, reason = "a sealed state: the module is private")]
mod state {
    use super::{
        Asked, Challenge, ConfirmDeviceRequest, DeviceCredentials, InitiateAuthRequest,
        RespondToAuthChallengeRequest, ServiceError, SignedIn, SrpClient, TotpSetup, User,
        VerifySoftwareTokenRequest,
    };

    /// Every state of a running sign-in, named by what it waits for.
    #[derive(Debug)]
    pub enum State {
        /// InitiateAuth without SRP (password, custom, `USER_AUTH`, after sign-up): tokens or a
        /// challenge.
        AwaitInitiate {
            user: User,
            request: Box<InitiateAuthRequest>,
        },
        /// InitiateAuth with `SRP_A`: `PASSWORD_VERIFIER` (or tokens, or another challenge).
        AwaitSrpChallenge {
            user: User,
            request: Box<InitiateAuthRequest>,
            srp: SrpClient,
        },
        /// An answer the flow gave itself (an SRP claim, `MFA_SETUP` after a verified TOTP):
        /// tokens or the next challenge.
        AwaitPasswordVerifierAnswer {
            user: User,
            request: Box<RespondToAuthChallengeRequest>,
        },
        /// `DEVICE_SRP_AUTH` answered with `SRP_A`: `DEVICE_PASSWORD_VERIFIER`.
        AwaitDeviceSrpChallenge {
            user: User,
            request: Box<RespondToAuthChallengeRequest>,
            srp: SrpClient,
        },
        /// The user's answer to `challenge`, asked by the `asked` prompt: tokens or the next
        /// challenge; a correctable error goes back to that prompt.
        AwaitChallengeAnswer {
            user: User,
            request: Box<RespondToAuthChallengeRequest>,
            challenge: Challenge,
            asked: Asked,
        },
        /// `SELECT_CHALLENGE` (`challenge`) answered with `PASSWORD_SRP`: `PASSWORD_VERIFIER`;
        /// a correctable error goes back to the choice.
        AwaitSelectedSrpChallenge {
            user: User,
            request: Box<RespondToAuthChallengeRequest>,
            srp: SrpClient,
            challenge: Challenge,
        },
        /// AssociateSoftwareToken for `MFA_SETUP`: the TOTP secret.
        AwaitAssociateSoftwareToken { user: User, challenge: Challenge },
        /// VerifySoftwareToken for `MFA_SETUP`.
        AwaitVerifySoftwareToken {
            user: User,
            challenge: Challenge,
            setup: TotpSetup,
            request: Box<VerifySoftwareTokenRequest>,
        },
        /// ConfirmDevice, once tokens arrived.
        AwaitConfirmDevice {
            signed_in: Box<SignedIn>,
            credentials: DeviceCredentials,
            request: Box<ConfirmDeviceRequest>,
        },
        /// UpdateDeviceStatus, once the user chose.
        AwaitUpdateDeviceStatus {
            signed_in: Box<SignedIn>,
            credentials: DeviceCredentials,
            remembered: bool,
        },
        /// A challenge for the user (a code, a new password, a choice, ...).
        AskChallenge { user: User, challenge: Challenge },
        /// The TOTP secret to set up, and the app's code to verify it.
        AskTotpSetup {
            user: User,
            challenge: Challenge,
            setup: TotpSetup,
            error: Option<ServiceError>,
        },
        /// The address for email MFA.
        AskEmailMfaSetup { user: User, challenge: Challenge },
        /// Whether to remember the new device.
        AskRememberDevice {
            signed_in: Box<SignedIn>,
            credentials: DeviceCredentials,
        },
    }
}
use state::State;

/// The prompt that asked a challenge's answer, which a correctable error goes back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked {
    /// `AskChallenge`.
    Challenge,
    /// `AskEmailMfaSetup`.
    EmailMfaSetup,
}

impl Asked {
    /// The prompt again, for `user` and `challenge`, carrying the error of the answer.
    fn again(self, user: User, mut challenge: Challenge, error: ServiceError) -> State {
        challenge.error = Some(error);
        match self {
            Self::Challenge => State::AskChallenge { user, challenge },
            Self::EmailMfaSetup => State::AskEmailMfaSetup { user, challenge },
        }
    }
}

fn params<const N: usize>(pairs: [(&str, String); N]) -> Parameters {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), SecretString::from(v)))
        .collect()
}

/// How the first request starts: with the SRP exchange it opens, or without.
enum Start {
    Plain,
    Srp(SrpClient),
}

impl SignInBuilder {
    /// Signs in as a remembered device: sends `DEVICE_KEY`, and answers `DEVICE_SRP_AUTH` with
    /// the device's credentials, so that Cognito can skip MFA for it.
    pub fn with_device(mut self, device: DeviceCredentials) -> Self {
        self.device = Some(Device::Credentials(device));
        self
    }

    /// Sends `DEVICE_KEY` without the device's credentials (enough for refresh).
    pub fn with_device_key(mut self, device_key: impl Into<String>) -> Self {
        self.device = Some(Device::Key(device_key.into()));
        self
    }

    /// Sends `ClientMetadata` (for the pool's Lambda triggers) with every request of the flow.
    pub fn with_client_metadata(mut self, metadata: ClientMetadata) -> Self {
        self.options.context.client_metadata = Some(metadata);
        self
    }

    /// Sends `AnalyticsMetadata` with every request of the flow.
    pub fn with_analytics_metadata(mut self, metadata: AnalyticsMetadata) -> Self {
        self.options.context.analytics_metadata = Some(metadata);
        self
    }

    /// Sends `UserContextData` (threat protection) with every request of the flow.
    pub fn with_user_context_data(mut self, data: UserContextData) -> Self {
        self.options.context.user_context_data = Some(data);
        self
    }

    /// Sends the metadata trio (`ClientMetadata`, `AnalyticsMetadata`, `UserContextData`) with
    /// every request of the flow; it replaces what the three `with_*` above set.
    pub fn with_context(mut self, context: Context) -> Self {
        self.options.context = context;
        self
    }

    /// The name a new device is confirmed with (default `cognito-flows`).
    pub fn with_device_name(mut self, name: impl Into<String>) -> Self {
        self.options.device_name = name.into();
        self
    }

    /// Leaves a new device unconfirmed: the outcome carries its [`SignedIn::new_device`].
    pub fn without_device_confirmation(mut self) -> Self {
        self.options.confirm_devices = false;
        self
    }

    /// The issuer shown by authenticator apps for a TOTP set up during sign-in (default
    /// `AWSCognito`).
    pub fn with_totp_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.options.totp_issuer = issuer.into();
        self
    }

    /// Builds the flow and its first request.
    fn start(
        self,
        username: &str,
        password: Option<Password>,
        entropy: &Entropy,
        flow: &str,
        parameters: impl FnOnce(&mut FlowRng, Option<&Password>) -> (Parameters, Start),
    ) -> SignIn {
        let mut rng = FlowRng::new(entropy);
        let (mut parameters, start) = parameters(&mut rng, password.as_ref());
        if let Some(hash) = self.pool.secret_hash(username) {
            parameters.insert("SECRET_HASH".into(), hash);
        }
        if let Some(device) = &self.device {
            parameters.insert("DEVICE_KEY".into(), device.key().into());
        }
        let request = Box::new(InitiateAuthRequest {
            auth_flow: flow.into(),
            auth_parameters: parameters,
            client_id: self.pool.client_id().into(),
            context: Context::default(),
            session: None,
        });
        let user = User {
            name: username.to_owned(),
            password,
            device: self.device,
        };
        let state = match start {
            Start::Plain => State::AwaitInitiate { user, request },
            Start::Srp(srp) => State::AwaitSrpChallenge { user, request, srp },
        };
        SignIn {
            pool: self.pool,
            rng,
            options: self.options,
            phase: Phase::Running(state),
        }
    }

    fn srp_parameters(rng: &mut FlowRng, username: &str) -> (Parameters, Start) {
        let srp = SrpClient::from_private_key(&rng.bytes());
        let p = params([
            ("USERNAME", username.to_owned()),
            ("SRP_A", srp.public_key_hex()),
        ]);
        (p, Start::Srp(srp))
    }

    /// [`SignIn::user_srp`] with these options.
    pub fn user_srp(
        self,
        username: &str,
        password: impl Into<Password>,
        entropy: Entropy,
    ) -> SignIn {
        self.start(
            username,
            Some(password.into()),
            &entropy,
            "USER_SRP_AUTH",
            |rng, _| Self::srp_parameters(rng, username),
        )
    }

    /// [`SignIn::user_password`] with these options.
    pub fn user_password(
        self,
        username: &str,
        password: impl Into<Password>,
        entropy: Entropy,
    ) -> SignIn {
        self.start(
            username,
            Some(password.into()),
            &entropy,
            "USER_PASSWORD_AUTH",
            |_, pw| {
                let pw = pw.map(|p| p.expose().to_owned()).unwrap_or_default();
                (
                    params([("USERNAME", username.to_owned()), ("PASSWORD", pw)]),
                    Start::Plain,
                )
            },
        )
    }

    /// [`SignIn::custom`] with these options.
    pub fn custom(self, username: &str, entropy: Entropy) -> SignIn {
        self.start(username, None, &entropy, "CUSTOM_AUTH", |_, _| {
            (params([("USERNAME", username.to_owned())]), Start::Plain)
        })
    }

    /// [`SignIn::custom_with_srp`] with these options.
    pub fn custom_with_srp(
        self,
        username: &str,
        password: impl Into<Password>,
        entropy: Entropy,
    ) -> SignIn {
        self.start(
            username,
            Some(password.into()),
            &entropy,
            "CUSTOM_AUTH",
            |rng, _| {
                let (mut p, srp) = Self::srp_parameters(rng, username);
                p.insert("CHALLENGE_NAME".into(), "SRP_A".into());
                (p, srp)
            },
        )
    }

    /// [`SignIn::user_auth`] with these options.
    pub fn user_auth(self, username: &str, first: FirstFactor, entropy: Entropy) -> SignIn {
        let (preferred, password) = match first {
            FirstFactor::Select => (None, None),
            FirstFactor::Password(p) => (Some(ChallengeName::Password), Some(p)),
            FirstFactor::PasswordSrp(p) => (Some(ChallengeName::PasswordSrp), Some(p)),
            FirstFactor::EmailOtp => (Some(ChallengeName::EmailOtp), None),
            FirstFactor::SmsOtp => (Some(ChallengeName::SmsOtp), None),
            FirstFactor::WebAuthn => (Some(ChallengeName::WebAuthn), None),
        };
        self.start(username, password, &entropy, "USER_AUTH", |rng, pw| {
            let (mut p, start) = match preferred {
                Some(ChallengeName::PasswordSrp) => Self::srp_parameters(rng, username),
                _ => (params([("USERNAME", username.to_owned())]), Start::Plain),
            };
            if let Some(preferred) = &preferred {
                p.insert("PREFERRED_CHALLENGE".into(), preferred.as_str().into());
            }
            if let (Some(ChallengeName::Password), Some(pw)) = (&preferred, pw) {
                p.insert("PASSWORD".into(), pw.expose().into());
            }
            (p, start)
        })
    }

    /// [`SignIn::after_sign_up`] with these options.
    pub fn after_sign_up(self, username: &str, session: SecretString, entropy: Entropy) -> SignIn {
        let mut flow = self.start(username, None, &entropy, "USER_AUTH", |_, _| {
            (params([("USERNAME", username.to_owned())]), Start::Plain)
        });
        if let Phase::Running(State::AwaitInitiate { request, .. }) = &mut flow.phase {
            request.session = Some(session);
        }
        flow
    }

    /// [`SignIn::refresh`] with these options: with a device ([`SignInBuilder::with_device`] or
    /// [`SignInBuilder::with_device_key`]) `DEVICE_KEY` is sent, and the context
    /// ([`SignInBuilder::with_context`]) goes with the request. The other options concern
    /// sign-ins only. The flow is the crate's one refresh, [`Refresh`].
    pub fn refresh(
        self,
        username: &str,
        refresh_token: RefreshToken,
        entropy: Entropy,
    ) -> Refresh<SignedIn> {
        // A refresh draws no randomness: the entropy is taken for the signature's sake.
        let _ = entropy;
        Refresh::of_token(
            &self.pool,
            username,
            refresh_token,
            self.device,
            RefreshMethod::InitiateAuth,
        )
        .with_context(&self.options.context)
    }
}

impl SignIn {
    /// Options first (a remembered device, metadata, the device name), then a constructor:
    /// `SignIn::builder(&pool).with_device(device).user_srp("alice", password, entropy)`.
    pub fn builder(pool: &UserPool) -> SignInBuilder {
        SignInBuilder {
            pool: pool.clone(),
            options: Options::default(),
            device: None,
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
        Self::builder(pool).user_srp(username, password, entropy)
    }

    /// Plain password sign-in (`USER_PASSWORD_AUTH`): the password goes to Cognito over TLS.
    /// Needs the app client to allow it; prefer [`SignIn::user_srp`].
    pub fn user_password(
        pool: &UserPool,
        username: &str,
        password: impl Into<Password>,
        entropy: Entropy,
    ) -> Self {
        Self::builder(pool).user_password(username, password, entropy)
    }

    /// Custom authentication (`CUSTOM_AUTH`) driven by the pool's Lambda triggers; each
    /// `CUSTOM_CHALLENGE` becomes a [`Prompt::CustomChallenge`].
    pub fn custom(pool: &UserPool, username: &str, entropy: Entropy) -> Self {
        Self::builder(pool).custom(username, entropy)
    }

    /// Custom authentication that starts with the password, proven by SRP
    /// (`CUSTOM_AUTH` with `CHALLENGE_NAME=SRP_A`), then the triggers' custom challenges.
    pub fn custom_with_srp(
        pool: &UserPool,
        username: &str,
        password: impl Into<Password>,
        entropy: Entropy,
    ) -> Self {
        Self::builder(pool).custom_with_srp(username, password, entropy)
    }

    /// Choice-based sign-in (`USER_AUTH`): passwords, one-time codes or passkeys, as the pool
    /// allows; with [`FirstFactor::Select`] Cognito offers the choice
    /// ([`Prompt::SelectChallenge`]).
    pub fn user_auth(
        pool: &UserPool,
        username: &str,
        first: FirstFactor,
        entropy: Entropy,
    ) -> Self {
        Self::builder(pool).user_auth(username, first, entropy)
    }

    /// The sign-in that follows a `ConfirmSignUp` which returned a `Session`: `USER_AUTH` with
    /// that session, without asking for the password again.
    pub fn after_sign_up(
        pool: &UserPool,
        username: &str,
        session: SecretString,
        entropy: Entropy,
    ) -> Self {
        Self::builder(pool).after_sign_up(username, session, entropy)
    }

    /// New id and access tokens from a refresh token with `REFRESH_TOKEN_AUTH`, as the JS SDK's
    /// `refreshSession`: the crate's one refresh flow, [`Refresh`], with that method. App clients
    /// that rotate refresh tokens refuse `REFRESH_TOKEN_AUTH`: [`Refresh::new`] (or
    /// [`StoredSession::refresh`](crate::StoredSession::refresh)) sends
    /// `GetTokensFromRefreshToken`, which every app client accepts.
    ///
    /// `username` is the name Cognito knows the user by ([`Tokens::username`], the access
    /// token's `username` claim); it is only used for `SECRET_HASH` when the app client has a
    /// secret. The outcome keeps this refresh token, since Cognito sends none back (unless the
    /// pool rotates refresh tokens, in which case the new one is kept). With a device
    /// ([`SignInBuilder::with_device`]) `DEVICE_KEY` is sent; if Cognito answers that the device
    /// does not exist, the refresh is retried once without it and the outcome's
    /// [`SignedIn::forgotten_device`] says so.
    pub fn refresh(
        pool: &UserPool,
        username: &str,
        refresh_token: RefreshToken,
        entropy: Entropy,
    ) -> Refresh<SignedIn> {
        Self::builder(pool).refresh(username, refresh_token, entropy)
    }

    fn initiate(&self, r: &InitiateAuthRequest) -> http::Request<Vec<u8>> {
        let r = InitiateAuthRequest {
            context: self.options.context.clone(),
            ..r.clone()
        };
        call::request(&self.pool, &r)
    }

    fn respond_request(&self, r: &RespondToAuthChallengeRequest) -> http::Request<Vec<u8>> {
        let r = RespondToAuthChallengeRequest {
            context: self.options.context.clone(),
            ..r.clone()
        };
        call::request(&self.pool, &r)
    }

    /// What a state needs: the request it sends, or the prompt it shows.
    fn need(&self, state: &State) -> machine::Pending {
        let send = machine::Pending::Send;
        let prompt = machine::Pending::Prompt;
        match state {
            State::AwaitInitiate { request, .. } | State::AwaitSrpChallenge { request, .. } => {
                send(self.initiate(request))
            }
            State::AwaitPasswordVerifierAnswer { request, .. }
            | State::AwaitDeviceSrpChallenge { request, .. }
            | State::AwaitChallengeAnswer { request, .. }
            | State::AwaitSelectedSrpChallenge { request, .. } => {
                send(self.respond_request(request))
            }
            State::AwaitAssociateSoftwareToken { challenge, .. } => send(call::request(
                &self.pool,
                &AssociateSoftwareTokenRequest {
                    access_token: None,
                    session: challenge.session.clone(),
                },
            )),
            State::AwaitVerifySoftwareToken { request, .. } => {
                send(call::request(&self.pool, request))
            }
            State::AwaitConfirmDevice { request, .. } => send(call::request(&self.pool, request)),
            State::AwaitUpdateDeviceStatus {
                signed_in,
                credentials,
                remembered,
            } => send(call::request(
                &self.pool,
                &UpdateDeviceStatusRequest {
                    access_token: SecretString::new(signed_in.tokens.access_token.expose()),
                    device_key: credentials.device_key.clone(),
                    device_remembered_status: Some(
                        if *remembered {
                            "remembered"
                        } else {
                            "not_remembered"
                        }
                        .into(),
                    ),
                },
            )),
            State::AskChallenge { challenge, .. } => prompt(challenge.prompt()),
            State::AskTotpSetup { setup, error, .. } => prompt(Prompt::TotpSetup {
                setup: setup.clone(),
                error: error.clone(),
            }),
            State::AskEmailMfaSetup { challenge, .. } => prompt(Prompt::EmailMfaSetup {
                error: challenge.error.clone(),
            }),
            State::AskRememberDevice { credentials, .. } => prompt(Prompt::RememberDevice {
                device_key: credentials.device_key.clone(),
            }),
        }
    }

    /// `RespondToAuthChallenge` for `name`, adding `USERNAME`, `SECRET_HASH` and `DEVICE_KEY`.
    fn respond(
        &self,
        user: &User,
        name: &str,
        mut responses: Parameters,
        session: Option<&SecretString>,
    ) -> Box<RespondToAuthChallengeRequest> {
        responses.insert("USERNAME".into(), user.name.clone().into());
        if let Some(hash) = self.pool.secret_hash(&user.name) {
            responses.insert("SECRET_HASH".into(), hash);
        }
        if let Some(device) = &user.device {
            responses
                .entry("DEVICE_KEY".into())
                .or_insert_with(|| device.key().into());
        }
        Box::new(RespondToAuthChallengeRequest {
            challenge_name: name.into(),
            challenge_responses: responses,
            client_id: self.pool.client_id().into(),
            session: session.cloned(),
            context: Context::default(),
        })
    }

    /// Reads the answer to InitiateAuth or RespondToAuthChallenge: tokens or the next challenge.
    fn on_auth_answer(
        &mut self,
        now: SystemTime,
        parsed: &Parsed<InitiateAuthResponse>,
        mut user: User,
        srp: Option<SrpClient>,
    ) -> Result<Step<State, SignedIn>, Error> {
        let answer = &parsed.value;
        if let Some(result) = &answer.authentication_result {
            let tokens = Tokens::from_result(result, now, None).map_err(|r| parsed.fail(r))?;
            if let Some(name) = tokens.username() {
                user.name = name.to_owned();
            }
            let signed_in = Box::new(SignedIn {
                tokens,
                username: user.name,
                device: None,
                new_device: result.new_device_metadata.clone(),
                device_error: None,
                forgotten_device: None,
            });
            return Ok(self.confirm_device(signed_in));
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
            user.name.clone_from(username);
        }
        let challenge = Challenge {
            name: ChallengeName::parse(name),
            parameters,
            session: answer.session.clone(),
            available: answer.available_challenges.clone().unwrap_or_default(),
            error: None,
        };
        let invalid = |detail: String| {
            parsed.fail(ProtocolReason::InvalidField {
                field: "ChallengeName",
                detail,
            })
        };
        let next = match (&challenge.name, srp) {
            (ChallengeName::PasswordVerifier, Some(srp)) => {
                let password = user
                    .password
                    .clone()
                    .ok_or_else(|| invalid("PASSWORD_VERIFIER without a password".into()))?;
                let user_id = Self::field(parsed, &challenge, "USER_ID_FOR_SRP")?.to_owned();
                let realm = self.pool.name().to_owned();
                let responses = Self::password_claim(
                    now,
                    parsed,
                    &challenge,
                    &srp,
                    &realm,
                    &user_id,
                    password.expose(),
                )?;
                let request = self.respond(&user, name, responses, challenge.session.as_ref());
                State::AwaitPasswordVerifierAnswer { user, request }
            }
            (ChallengeName::DevicePasswordVerifier, Some(srp)) => {
                let Some(Device::Credentials(device)) = user.device.clone() else {
                    return Err(invalid(
                        "DEVICE_PASSWORD_VERIFIER without device credentials".into(),
                    ));
                };
                let responses = Self::password_claim(
                    now,
                    parsed,
                    &challenge,
                    &srp,
                    &device.device_group_key,
                    &device.device_key,
                    device.password.expose(),
                )?;
                let request = self.respond(&user, name, responses, challenge.session.as_ref());
                State::AwaitPasswordVerifierAnswer { user, request }
            }
            (ChallengeName::PasswordVerifier | ChallengeName::DevicePasswordVerifier, None) => {
                return Err(invalid(format!("{name} without an SRP exchange")));
            }
            (ChallengeName::DeviceSrpAuth, _) => {
                let Some(Device::Credentials(device)) = &user.device else {
                    return Err(invalid("DEVICE_SRP_AUTH without device credentials".into()));
                };
                let srp = SrpClient::from_private_key(&self.rng.bytes());
                let responses = params([
                    ("DEVICE_KEY", device.device_key.clone()),
                    ("SRP_A", srp.public_key_hex()),
                ]);
                let request = self.respond(
                    &user,
                    ChallengeName::DeviceSrpAuth.as_str(),
                    responses,
                    challenge.session.as_ref(),
                );
                State::AwaitDeviceSrpChallenge { user, request, srp }
            }
            (ChallengeName::MfaSetup, _) => {
                let options = challenge.methods("MFAS_CAN_SETUP");
                if options.iter().all(|m| *m == MfaMethod::Totp) {
                    State::AwaitAssociateSoftwareToken { user, challenge }
                } else {
                    State::AskChallenge { user, challenge }
                }
            }
            _ => State::AskChallenge { user, challenge },
        };
        Ok(Step::Next(next))
    }

    fn field<'a>(
        parsed: &Parsed<InitiateAuthResponse>,
        challenge: &'a Challenge,
        name: &'static str,
    ) -> Result<&'a str, Error> {
        challenge
            .parameters
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| parsed.fail(ProtocolReason::MissingField(name)))
    }

    /// The responses to `PASSWORD_VERIFIER` or `DEVICE_PASSWORD_VERIFIER`.
    #[allow(clippy::too_many_arguments)]
    fn password_claim(
        now: SystemTime,
        parsed: &Parsed<InitiateAuthResponse>,
        challenge: &Challenge,
        srp: &SrpClient,
        realm: &str,
        identity: &str,
        password: &str,
    ) -> Result<Parameters, Error> {
        let secret_block = Self::field(parsed, challenge, "SECRET_BLOCK")?;
        let parameters = srp::ChallengeParameters {
            srp_b: Self::field(parsed, challenge, "SRP_B")?,
            salt: Self::field(parsed, challenge, "SALT")?,
            secret_block,
        };
        let timestamp = srp::timestamp(now).ok_or(Misuse::ClockOutOfRange)?;
        let signature = srp
            .password_claim(
                realm,
                identity,
                password.as_bytes(),
                &parameters,
                &timestamp,
            )
            .map_err(|e| parsed.fail(ProtocolReason::Srp(e)))?;
        Ok(params([
            ("PASSWORD_CLAIM_SECRET_BLOCK", secret_block.to_owned()),
            ("PASSWORD_CLAIM_SIGNATURE", signature),
            ("TIMESTAMP", timestamp),
        ]))
    }

    /// After tokens: confirm the new device, or finish.
    fn confirm_device(&mut self, mut signed_in: Box<SignedIn>) -> Step<State, SignedIn> {
        let Some(meta) = signed_in
            .new_device
            .clone()
            .filter(|_| self.options.confirm_devices)
        else {
            return Step::Done(*signed_in);
        };
        let (credentials, verifier) =
            DeviceCredentials::generate(&mut self.rng, &meta.device_key, &meta.device_group_key);
        let request = Box::new(ConfirmDeviceRequest {
            access_token: SecretString::new(signed_in.tokens.access_token.expose()),
            device_key: meta.device_key,
            device_secret_verifier_config: DeviceSecretVerifierConfig {
                password_verifier: verifier.password_verifier,
                salt: verifier.salt,
            },
            device_name: Some(self.options.device_name.clone()),
        });
        signed_in.new_device = None;
        Step::Next(State::AwaitConfirmDevice {
            signed_in,
            credentials,
            request,
        })
    }

    /// The answer to InitiateAuth or RespondToAuthChallenge, with what to do on a service error:
    /// back to the prompt that asked the answer (`asked`, its challenge) when it is correctable.
    #[allow(clippy::too_many_arguments)]
    fn on_auth(
        &mut self,
        now: SystemTime,
        operation: Operation,
        response: http::Response<Vec<u8>>,
        user: User,
        srp: Option<SrpClient>,
        asked: Option<(Asked, Challenge)>,
    ) -> Step<State, SignedIn> {
        // Only Cognito's answer carries a service error: the rest of the reading is protocol.
        let parsed = match call::parse::<InitiateAuthResponse>(operation, response) {
            Ok(parsed) => parsed,
            Err(Error::Service(e)) => {
                return match asked {
                    Some((asked, challenge)) if challenge.is_correctable(&e.kind) => {
                        let back = asked.again(user, challenge, e.clone());
                        Step::Again(back, Error::Service(e))
                    }
                    _ => Step::Fail(Error::Service(e)),
                };
            }
            Err(e) => return Step::Fail(e),
        };
        match self.on_auth_answer(now, &parsed, user, srp) {
            Ok(step) => step,
            Err(e) => Step::Fail(e),
        }
    }

    fn on_verified(
        &mut self,
        response: http::Response<Vec<u8>>,
        user: User,
        mut challenge: Challenge,
        setup: TotpSetup,
    ) -> Step<State, SignedIn> {
        match call::parse::<VerifySoftwareTokenResponse>(Operation::VerifySoftwareToken, response) {
            Ok(parsed)
                if parsed
                    .value
                    .status
                    .as_deref()
                    .is_none_or(|s| s == "SUCCESS") =>
            {
                if let Some(session) = parsed.value.session.clone() {
                    challenge.session = Some(session);
                }
                let request = self.respond(
                    &user,
                    ChallengeName::MfaSetup.as_str(),
                    BTreeMap::new(),
                    challenge.session.as_ref(),
                );
                Step::Next(State::AwaitPasswordVerifierAnswer { user, request })
            }
            Ok(parsed) => {
                let error = ServiceError {
                    operation: Operation::VerifySoftwareToken,
                    kind: ErrorKind::EnableSoftwareTokenMfa,
                    message: format!("status {}", parsed.value.status.clone().unwrap_or_default()),
                    status: 200,
                };
                let back = State::AskTotpSetup {
                    user,
                    challenge,
                    setup,
                    error: Some(error.clone()),
                };
                Step::Again(back, Error::Service(error))
            }
            Err(Error::Service(e)) if e.kind.is_correctable() => {
                let back = State::AskTotpSetup {
                    user,
                    challenge,
                    setup,
                    error: Some(e.clone()),
                };
                Step::Again(back, Error::Service(e))
            }
            Err(e) => Step::Fail(e),
        }
    }

    /// The user's answer to a challenge prompt.
    fn on_challenge_input(
        &mut self,
        user: User,
        challenge: Challenge,
        input: Input,
    ) -> Step<State, SignedIn> {
        match (&challenge.name, input) {
            (ChallengeName::MfaSetup, Input::SelectMfa(MfaMethod::Totp)) => {
                Step::Next(State::AwaitAssociateSoftwareToken { user, challenge })
            }
            (ChallengeName::MfaSetup, Input::SelectMfa(MfaMethod::Email)) => {
                Step::Next(State::AskEmailMfaSetup { user, challenge })
            }
            (
                ChallengeName::SelectChallenge,
                Input::SelectChallenge {
                    challenge: choice,
                    password,
                },
            ) => {
                let mut user = user;
                let password = password.or_else(|| user.password.clone());
                let mut responses = params([("ANSWER", choice.clone())]);
                let mut srp = None;
                match (ChallengeName::parse(&choice), password) {
                    (ChallengeName::Password, Some(p)) => {
                        responses.insert("PASSWORD".into(), p.expose().into());
                    }
                    (ChallengeName::PasswordSrp, Some(p)) => {
                        let client = SrpClient::from_private_key(&self.rng.bytes());
                        responses.insert("SRP_A".into(), client.public_key_hex().into());
                        srp = Some(client);
                        user.password = Some(p);
                    }
                    (ChallengeName::Password | ChallengeName::PasswordSrp, None) => {
                        let misuse = Misuse::InvalidInput(format!("{choice} needs the password"));
                        return Step::Refuse(State::AskChallenge { user, challenge }, misuse);
                    }
                    _ => {}
                }
                let request = self.respond(
                    &user,
                    ChallengeName::SelectChallenge.as_str(),
                    responses,
                    challenge.session.as_ref(),
                );
                Step::Next(match srp {
                    Some(srp) => State::AwaitSelectedSrpChallenge {
                        user,
                        request,
                        srp,
                        challenge,
                    },
                    None => State::AwaitChallengeAnswer {
                        user,
                        request,
                        challenge,
                        asked: Asked::Challenge,
                    },
                })
            }
            (_, input) => match challenge.responses(input) {
                Ok(responses) => {
                    let request = self.respond(
                        &user,
                        challenge.name.as_str(),
                        responses,
                        challenge.session.as_ref(),
                    );
                    Step::Next(State::AwaitChallengeAnswer {
                        user,
                        request,
                        challenge,
                        asked: Asked::Challenge,
                    })
                }
                Err(misuse) => Step::Refuse(State::AskChallenge { user, challenge }, misuse),
            },
        }
    }
}

impl Machine for SignIn {
    type State = State;
    type Output = SignedIn;

    machine::phase!(phase);

    fn sending(state: &State) -> bool {
        !matches!(
            state,
            State::AskChallenge { .. }
                | State::AskTotpSetup { .. }
                | State::AskEmailMfaSetup { .. }
                | State::AskRememberDevice { .. }
        )
    }

    fn pending(&self, state: &State) -> machine::Pending {
        self.need(state)
    }

    fn repeatable(&self, state: &State) -> bool {
        let operation = match state {
            State::AwaitInitiate { .. } | State::AwaitSrpChallenge { .. } => {
                Operation::InitiateAuth
            }
            State::AwaitPasswordVerifierAnswer { .. }
            | State::AwaitDeviceSrpChallenge { .. }
            | State::AwaitChallengeAnswer { .. }
            | State::AwaitSelectedSrpChallenge { .. } => Operation::RespondToAuthChallenge,
            State::AwaitAssociateSoftwareToken { .. } => Operation::AssociateSoftwareToken,
            State::AwaitVerifySoftwareToken { .. } => Operation::VerifySoftwareToken,
            State::AwaitConfirmDevice { .. } => Operation::ConfirmDevice,
            State::AwaitUpdateDeviceStatus { .. } => Operation::UpdateDeviceStatus,
            State::AskChallenge { .. }
            | State::AskTotpSetup { .. }
            | State::AskEmailMfaSetup { .. }
            | State::AskRememberDevice { .. } => return false,
        };
        crate::retry::is_repeatable(operation)
    }

    fn on_response(
        &mut self,
        state: State,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Step<State, SignedIn> {
        let initiate = Operation::InitiateAuth;
        let respond = Operation::RespondToAuthChallenge;
        match state {
            State::AwaitInitiate { user, .. } => {
                self.on_auth(now, initiate, response, user, None, None)
            }
            State::AwaitSrpChallenge { user, srp, .. } => {
                self.on_auth(now, initiate, response, user, Some(srp), None)
            }
            State::AwaitPasswordVerifierAnswer { user, .. } => {
                self.on_auth(now, respond, response, user, None, None)
            }
            State::AwaitDeviceSrpChallenge { user, srp, .. } => {
                self.on_auth(now, respond, response, user, Some(srp), None)
            }
            State::AwaitChallengeAnswer {
                user,
                challenge,
                asked,
                ..
            } => self.on_auth(now, respond, response, user, None, Some((asked, challenge))),
            State::AwaitSelectedSrpChallenge {
                user,
                srp,
                challenge,
                ..
            } => self.on_auth(
                now,
                respond,
                response,
                user,
                Some(srp),
                Some((Asked::Challenge, challenge)),
            ),
            State::AwaitAssociateSoftwareToken {
                user,
                mut challenge,
            } => {
                let parsed: Parsed<AssociateSoftwareTokenResponse> =
                    match call::parse(Operation::AssociateSoftwareToken, response) {
                        Ok(parsed) => parsed,
                        Err(e) => return Step::Fail(e),
                    };
                let Some(secret) = parsed.value.secret_code.clone() else {
                    return Step::Fail(parsed.fail(ProtocolReason::MissingField("SecretCode")));
                };
                if let Some(session) = parsed.value.session.clone() {
                    challenge.session = Some(session);
                }
                let setup = TotpSetup::new(secret, &self.options.totp_issuer, &user.name);
                Step::Next(State::AskTotpSetup {
                    user,
                    challenge,
                    setup,
                    error: None,
                })
            }
            State::AwaitVerifySoftwareToken {
                user,
                challenge,
                setup,
                ..
            } => self.on_verified(response, user, challenge, setup),
            State::AwaitConfirmDevice {
                mut signed_in,
                credentials,
                request,
            } => match call::parse::<ConfirmDeviceResponse>(Operation::ConfirmDevice, response) {
                Ok(parsed) if parsed.value.user_confirmation_necessary => {
                    Step::Next(State::AskRememberDevice {
                        signed_in,
                        credentials,
                    })
                }
                Ok(_) => {
                    signed_in.device = Some(ConfirmedDevice {
                        credentials,
                        remembered: None,
                    });
                    Step::Done(*signed_in)
                }
                Err(e) => {
                    // The sign-in succeeded: keep the tokens, report the device.
                    signed_in.new_device = Some(NewDeviceMetadata {
                        device_key: request.device_key.clone(),
                        device_group_key: credentials.device_group_key.clone(),
                    });
                    signed_in.device_error = Some(e);
                    Step::Done(*signed_in)
                }
            },
            State::AwaitUpdateDeviceStatus {
                mut signed_in,
                credentials,
                remembered,
            } => {
                let result =
                    call::parse::<serde_json::Value>(Operation::UpdateDeviceStatus, response);
                signed_in.device_error = result.err();
                signed_in.device = Some(ConfirmedDevice {
                    credentials,
                    remembered: Some(remembered),
                });
                Step::Done(*signed_in)
            }
            ask => Step::Unexpected(ask),
        }
    }

    fn on_input(&mut self, state: State, input: Input) -> Step<State, SignedIn> {
        match (state, input) {
            (State::AskChallenge { user, challenge }, input) => {
                self.on_challenge_input(user, challenge, input)
            }
            (
                State::AskTotpSetup {
                    user,
                    challenge,
                    setup,
                    ..
                },
                Input::TotpSetup { code, device_name },
            ) => Step::Next(Self::verify_totp(
                user,
                challenge,
                setup,
                &code,
                device_name,
            )),
            (
                State::AskTotpSetup {
                    user,
                    challenge,
                    setup,
                    ..
                },
                Input::Code(code),
            ) => Step::Next(Self::verify_totp(user, challenge, setup, &code, None)),
            (State::AskEmailMfaSetup { user, challenge }, Input::Email(email)) => {
                let request = self.respond(
                    &user,
                    ChallengeName::MfaSetup.as_str(),
                    params([("EMAIL", email)]),
                    challenge.session.as_ref(),
                );
                Step::Next(State::AwaitChallengeAnswer {
                    user,
                    request,
                    challenge,
                    asked: Asked::EmailMfaSetup,
                })
            }
            (
                State::AskRememberDevice {
                    signed_in,
                    credentials,
                },
                Input::RememberDevice(remembered),
            ) => Step::Next(State::AwaitUpdateDeviceStatus {
                signed_in,
                credentials,
                remembered,
            }),
            (state, _) => Step::Unexpected(state),
        }
    }
}

impl SignIn {
    fn verify_totp(
        user: User,
        challenge: Challenge,
        setup: TotpSetup,
        code: &SecretString,
        device_name: Option<String>,
    ) -> State {
        let request = Box::new(VerifySoftwareTokenRequest {
            access_token: None,
            session: challenge.session.clone(),
            user_code: SecretString::new(code.expose().trim()),
            friendly_device_name: device_name,
        });
        State::AwaitVerifySoftwareToken {
            user,
            challenge,
            setup,
            request,
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every variant of the state enum, as written in its definition.
    fn variants() -> Vec<String> {
        let source = include_str!("sign_in.rs");
        let start = source.find("pub enum State {").unwrap_or_default();
        let body = source.get(start..).unwrap_or_default();
        let end = body.find("\n    }\n").unwrap_or(body.len());
        body.get(..end)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let line = line.strip_prefix("        ")?;
                let name: String = line
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                (name.starts_with("Await") || name.starts_with("Ask")).then_some(name)
            })
            .collect()
    }

    #[test]
    fn no_state_holds_another_state() {
        let source = include_str!("sign_in.rs");
        let start = source.find("pub enum State {").unwrap_or_default();
        let body = source.get(start..).unwrap_or_default();
        let end = body.find("\n    }\n").unwrap_or(body.len());
        let body = body.get(..end).unwrap_or_default();
        assert!(
            body.contains("AwaitChallengeAnswer"),
            "the parser read {body}"
        );
        assert!(
            !body.contains("State>") && !body.contains(": State"),
            "a state holds another: {body}"
        );
    }

    #[test]
    fn the_module_diagram_names_every_state() {
        let source = include_str!("sign_in.rs");
        let diagram: String = source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        let variants = variants();
        assert!(variants.len() >= 14, "the parser found {variants:?}");
        for variant in &variants {
            assert!(
                diagram.contains(variant.as_str()),
                "the diagram misses {variant}"
            );
        }
    }
}
