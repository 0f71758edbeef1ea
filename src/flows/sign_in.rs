//! Signing in: every `AuthFlow` (`USER_SRP_AUTH`, `USER_PASSWORD_AUTH`, `REFRESH_TOKEN_AUTH`,
//! `CUSTOM_AUTH` with or without SRP, `USER_AUTH`), every challenge Cognito may ask on the way
//! (MFA by SMS, TOTP or email, MFA selection and setup, new password, custom challenges, passkeys,
//! device SRP), and the confirmation of the new device a sign-in may create.
//!
//! ```text
//!                 ┌───────────────────────────── Sending ◀─────────────────────────────┐
//!  constructors ──▶ InitiateAuth / RespondToAuthChallenge                               │
//!                   │ PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER:      │
//!                   │     answered by the flow (SRP) ───────────────────────────────────▶│
//!                   │ MFA_SETUP (TOTP): AssociateSoftwareToken ─▶ Asking(TotpSetup)      │
//!                   │                   ─input─▶ VerifySoftwareToken ─▶ MFA_SETUP ───────▶│
//!                   │ any other challenge ─▶ Asking(Challenge) ─input──────────────────▶│
//!                   │ tokens + NewDeviceMetadata ─▶ ConfirmDevice                        │
//!                   │        ─▶ [Asking(RememberDevice) ─▶ UpdateDeviceStatus] ─▶ Done   │
//!                   │ tokens ─▶ Done(SignedIn)                                           │
//!                   │ correctable error (wrong code, weak password) ─▶ Asking, with it   │
//!                   └ any other error ─▶ Failed
//! ```
//!
//! The JS SDK's `authenticateUser` callbacks map to prompts: `mfaRequired` to
//! [`Prompt::SmsMfaCode`], `totpRequired` to [`Prompt::TotpCode`], `selectMFAType` to
//! [`Prompt::SelectMfa`], `mfaSetup`/`associateSecretCode` to [`Prompt::SelectMfaSetup`] and
//! [`Prompt::TotpSetup`], `newPasswordRequired` to [`Prompt::NewPassword`], `customChallenge` to
//! [`Prompt::CustomChallenge`], and `onSuccess(session, userConfirmationNecessary)` to
//! [`Prompt::RememberDevice`] then [`Action::Done`](crate::Action::Done).
//!
//! ```
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
use std::time::SystemTime;

use crate::call::{self, Parsed};
use crate::entropy::{Entropy, FlowRng};
use crate::error::{Error, ErrorKind, Misuse, ProtocolReason, ServiceError};
use crate::flows::challenge::{Challenge, TotpSetup};
use crate::flows::device::DeviceCredentials;
use crate::flows::machine::{self, Machine, Phase, Step};
use crate::flows::{Input, MfaMethod, Prompt};
use crate::pool::UserPool;
use crate::secret::{Password, SecretString};
use crate::srp::{self, SrpClient};
use crate::tokens::{RefreshToken, Tokens};

use crate::wire::{
    AnalyticsMetadata, AssociateSoftwareTokenRequest, AssociateSoftwareTokenResponse,
    ClientMetadata, ConfirmDeviceRequest, ConfirmDeviceResponse, DeviceSecretVerifierConfig,
    InitiateAuthRequest, InitiateAuthResponse, NewDeviceMetadata, Operation, Parameters,
    RespondToAuthChallengeRequest, UpdateDeviceStatusRequest, UserContextData,
    VerifySoftwareTokenRequest, VerifySoftwareTokenResponse,
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
    /// The name Cognito knows the user by: what the caller typed until a challenge names them.
    username: String,
    /// For SRP, and for `USER_AUTH` password methods chosen later.
    password: Option<Password>,
    device: Option<DeviceCredentials>,
    device_key: Option<String>,
    /// A device key Cognito said it does not know, reported in the outcome.
    forgotten: Option<String>,
    phase: Phase<Waiting, SignedIn>,
}

/// Nominally `pub` because the core's `Machine` trait names it; unreachable outside the crate.
#[allow(private_interfaces, reason = "a sealed state: the module is private")]
mod waiting {
    /// What a running sign-in waits for: Cognito's answer, or the user's.
    #[derive(Debug)]
    pub enum Waiting {
        /// A request is in flight.
        Sending(Box<super::Pending>),
        /// The user must answer.
        Asking(Box<super::Ask>),
    }
}
use waiting::Waiting;

#[derive(Debug, Clone)]
struct Options {
    client_metadata: Option<ClientMetadata>,
    analytics: Option<AnalyticsMetadata>,
    user_context: Option<UserContextData>,
    device_name: String,
    confirm_devices: bool,
    totp_issuer: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            client_metadata: None,
            analytics: None,
            user_context: None,
            device_name: "cognito-flows".into(),
            confirm_devices: true,
            totp_issuer: "AWSCognito".into(),
        }
    }
}

impl State {
    fn sending(pending: Pending) -> Self {
        Self::Sending(Box::new(pending))
    }

    fn asking(ask: Ask) -> Self {
        Self::Asking(Box::new(ask))
    }
}

/// Where a transition leads, inside this module; [`SignIn::step`] turns it into the core's
/// [`Step`].
#[derive(Debug)]
enum State {
    /// A request is in flight.
    Sending(Box<Pending>),
    /// The user must answer.
    Asking(Box<Ask>),
    Done(Box<SignedIn>),
    Failed(Error),
}

#[derive(Debug)]
enum Pending {
    /// InitiateAuth or RespondToAuthChallenge: the answer is tokens or a challenge.
    Auth {
        call: AuthCall,
        /// The SRP exchange waiting for `PASSWORD_VERIFIER` / `DEVICE_PASSWORD_VERIFIER`.
        srp: Option<SrpClient>,
        /// The prompt to return to on a correctable error.
        retry: Option<Ask>,
        /// A refresh: the token to keep (Cognito sends none back) and the device key sent.
        refresh: Option<(RefreshToken, Option<String>)>,
    },
    /// AssociateSoftwareToken for `MFA_SETUP`.
    Associate { challenge: Challenge },
    /// VerifySoftwareToken for `MFA_SETUP`.
    Verify {
        challenge: Challenge,
        setup: TotpSetup,
        request: VerifySoftwareTokenRequest,
    },
    /// ConfirmDevice, once tokens arrived.
    ConfirmDevice {
        signed_in: Box<SignedIn>,
        credentials: DeviceCredentials,
        request: ConfirmDeviceRequest,
    },
    /// UpdateDeviceStatus, once the user chose.
    UpdateDevice {
        signed_in: Box<SignedIn>,
        credentials: DeviceCredentials,
        remembered: bool,
    },
}

#[derive(Debug)]
enum AuthCall {
    Initiate(Box<InitiateAuthRequest>),
    Respond(Box<RespondToAuthChallengeRequest>),
}

#[derive(Debug)]
enum Ask {
    Challenge(Challenge),
    TotpSetup {
        challenge: Challenge,
        setup: TotpSetup,
        error: Option<ServiceError>,
    },
    EmailSetup {
        challenge: Challenge,
    },
    RememberDevice {
        signed_in: Box<SignedIn>,
        credentials: DeviceCredentials,
    },
}

impl Ask {
    /// Whether the user may answer again after `kind`.
    fn is_correctable(&self, kind: &ErrorKind) -> bool {
        match self {
            Self::Challenge(c) | Self::EmailSetup { challenge: c } => c.is_correctable(kind),
            Self::TotpSetup { .. } | Self::RememberDevice { .. } => kind.is_correctable(),
        }
    }

    /// The same prompt, carrying the error of the previous answer.
    fn with_error(mut self, error: ServiceError) -> Self {
        match &mut self {
            Self::Challenge(c) | Self::EmailSetup { challenge: c } => c.error = Some(error),
            Self::TotpSetup { error: slot, .. } => *slot = Some(error),
            Self::RememberDevice { .. } => {}
        }
        self
    }
}

fn params<const N: usize>(pairs: [(&str, String); N]) -> Parameters {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), SecretString::from(v)))
        .collect()
}

impl SignIn {
    fn start(
        pool: &UserPool,
        username: &str,
        password: Option<Password>,
        entropy: &Entropy,
        flow: &str,
        parameters: impl FnOnce(&mut FlowRng, Option<&Password>) -> (Parameters, Option<SrpClient>),
    ) -> Self {
        let mut rng = FlowRng::new(entropy);
        let (mut parameters, srp) = parameters(&mut rng, password.as_ref());
        if let Some(hash) = pool.secret_hash(username) {
            parameters.insert("SECRET_HASH".into(), hash);
        }
        let request = InitiateAuthRequest {
            auth_flow: flow.into(),
            auth_parameters: parameters,
            client_id: pool.client_id().into(),
            client_metadata: None,
            analytics_metadata: None,
            user_context_data: None,
            session: None,
        };
        Self {
            pool: pool.clone(),
            rng,
            options: Options::default(),
            username: username.to_owned(),
            password,
            device: None,
            device_key: None,
            forgotten: None,
            phase: Phase::Running(Waiting::Sending(Box::new(Pending::Auth {
                call: AuthCall::Initiate(Box::new(request)),
                srp,
                retry: None,
                refresh: None,
            }))),
        }
    }

    fn srp_parameters(rng: &mut FlowRng, username: &str) -> (Parameters, Option<SrpClient>) {
        let srp = SrpClient::from_private_key(&rng.bytes());
        let p = params([
            ("USERNAME", username.to_owned()),
            ("SRP_A", srp.public_key_hex()),
        ]);
        (p, Some(srp))
    }

    /// Secure Remote Password sign-in (`USER_SRP_AUTH`): the password never leaves this process.
    /// `username` may be an alias (email, phone) when the pool allows it.
    pub fn user_srp(
        pool: &UserPool,
        username: &str,
        password: impl Into<Password>,
        entropy: Entropy,
    ) -> Self {
        Self::start(
            pool,
            username,
            Some(password.into()),
            &entropy,
            "USER_SRP_AUTH",
            |rng, _| Self::srp_parameters(rng, username),
        )
    }

    /// Plain password sign-in (`USER_PASSWORD_AUTH`): the password goes to Cognito over TLS.
    /// Needs the app client to allow it; prefer [`SignIn::user_srp`].
    pub fn user_password(
        pool: &UserPool,
        username: &str,
        password: impl Into<Password>,
        entropy: Entropy,
    ) -> Self {
        Self::start(
            pool,
            username,
            Some(password.into()),
            &entropy,
            "USER_PASSWORD_AUTH",
            |_, pw| {
                let pw = pw.map(|p| p.expose().to_owned()).unwrap_or_default();
                (
                    params([("USERNAME", username.to_owned()), ("PASSWORD", pw)]),
                    None,
                )
            },
        )
    }

    /// Custom authentication (`CUSTOM_AUTH`) driven by the pool's Lambda triggers; each
    /// `CUSTOM_CHALLENGE` becomes a [`Prompt::CustomChallenge`].
    pub fn custom(pool: &UserPool, username: &str, entropy: Entropy) -> Self {
        Self::start(pool, username, None, &entropy, "CUSTOM_AUTH", |_, _| {
            (params([("USERNAME", username.to_owned())]), None)
        })
    }

    /// Custom authentication that starts with the password, proven by SRP
    /// (`CUSTOM_AUTH` with `CHALLENGE_NAME=SRP_A`), then the triggers' custom challenges.
    pub fn custom_with_srp(
        pool: &UserPool,
        username: &str,
        password: impl Into<Password>,
        entropy: Entropy,
    ) -> Self {
        Self::start(
            pool,
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

    /// Choice-based sign-in (`USER_AUTH`): passwords, one-time codes or passkeys, as the pool
    /// allows; with [`FirstFactor::Select`] Cognito offers the choice
    /// ([`Prompt::SelectChallenge`]).
    pub fn user_auth(
        pool: &UserPool,
        username: &str,
        first: FirstFactor,
        entropy: Entropy,
    ) -> Self {
        let (preferred, password) = match first {
            FirstFactor::Select => (None, None),
            FirstFactor::Password(p) => (Some("PASSWORD"), Some(p)),
            FirstFactor::PasswordSrp(p) => (Some("PASSWORD_SRP"), Some(p)),
            FirstFactor::EmailOtp => (Some("EMAIL_OTP"), None),
            FirstFactor::SmsOtp => (Some("SMS_OTP"), None),
            FirstFactor::WebAuthn => (Some("WEB_AUTHN"), None),
        };
        Self::start(
            pool,
            username,
            password,
            &entropy,
            "USER_AUTH",
            |rng, pw| {
                let (mut p, srp) = match preferred {
                    Some("PASSWORD_SRP") => Self::srp_parameters(rng, username),
                    _ => (params([("USERNAME", username.to_owned())]), None),
                };
                if let Some(preferred) = preferred {
                    p.insert("PREFERRED_CHALLENGE".into(), preferred.into());
                }
                if let (Some("PASSWORD"), Some(pw)) = (preferred, pw) {
                    p.insert("PASSWORD".into(), pw.expose().into());
                }
                (p, srp)
            },
        )
    }

    /// The sign-in that follows a `ConfirmSignUp` which returned a `Session`: `USER_AUTH` with
    /// that session, without asking for the password again.
    pub fn after_sign_up(
        pool: &UserPool,
        username: &str,
        session: SecretString,
        entropy: Entropy,
    ) -> Self {
        let mut flow = Self::start(pool, username, None, &entropy, "USER_AUTH", |_, _| {
            (params([("USERNAME", username.to_owned())]), None)
        });
        if let Phase::Running(Waiting::Sending(pending)) = &mut flow.phase
            && let Pending::Auth {
                call: AuthCall::Initiate(request),
                ..
            } = &mut **pending
        {
            request.session = Some(session);
        }
        flow
    }

    /// New id and access tokens from a refresh token (`REFRESH_TOKEN_AUTH`).
    ///
    /// `username` is the name Cognito knows the user by ([`Tokens::username`], the access
    /// token's `username` claim); it is only used for `SECRET_HASH` when the app client has a
    /// secret. The outcome keeps this refresh token, since Cognito sends none back (unless the
    /// pool rotates refresh tokens, in which case the new one is kept). With a device
    /// ([`SignIn::with_device`]) `DEVICE_KEY` is sent; if Cognito answers that the device does
    /// not exist, the refresh is retried once without it and the outcome's
    /// [`SignedIn::forgotten_device`] says so.
    pub fn refresh(
        pool: &UserPool,
        username: &str,
        refresh_token: RefreshToken,
        entropy: Entropy,
    ) -> Self {
        let mut flow = Self::start(
            pool,
            username,
            None,
            &entropy,
            "REFRESH_TOKEN_AUTH",
            |_, _| {
                (
                    params([("REFRESH_TOKEN", refresh_token.expose().to_owned())]),
                    None,
                )
            },
        );
        if let Phase::Running(Waiting::Sending(pending)) = &mut flow.phase
            && let Pending::Auth { refresh, .. } = &mut **pending
        {
            *refresh = Some((refresh_token, None));
        }
        flow
    }

    /// Signs in as a remembered device: sends `DEVICE_KEY`, and answers `DEVICE_SRP_AUTH` with
    /// the device's credentials, so that Cognito can skip MFA for it.
    #[must_use]
    pub fn with_device(mut self, device: DeviceCredentials) -> Self {
        self = self.with_device_key(device.device_key.clone());
        self.device = Some(device);
        self
    }

    /// Sends `DEVICE_KEY` without the device's credentials (enough for refresh).
    #[must_use]
    pub fn with_device_key(mut self, device_key: impl Into<String>) -> Self {
        let key = device_key.into();
        if let Phase::Running(Waiting::Sending(pending)) = &mut self.phase
            && let Pending::Auth {
                call: AuthCall::Initiate(request),
                refresh,
                ..
            } = &mut **pending
        {
            request
                .auth_parameters
                .insert("DEVICE_KEY".into(), key.clone().into());
            if let Some((_, sent)) = refresh {
                *sent = Some(key.clone());
            }
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

    /// The name a new device is confirmed with (default `cognito-flows`).
    #[must_use]
    pub fn with_device_name(mut self, name: impl Into<String>) -> Self {
        self.options.device_name = name.into();
        self
    }

    /// Leaves a new device unconfirmed: the outcome carries its [`SignedIn::new_device`].
    #[must_use]
    pub fn without_device_confirmation(mut self) -> Self {
        self.options.confirm_devices = false;
        self
    }

    /// The issuer shown by authenticator apps for a TOTP set up during sign-in (default
    /// `AWSCognito`).
    #[must_use]
    pub fn with_totp_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.options.totp_issuer = issuer.into();
        self
    }

    fn prompt(&self, ask: &Ask) -> Prompt {
        match ask {
            Ask::Challenge(c) => c.prompt(),
            Ask::TotpSetup { setup, error, .. } => Prompt::TotpSetup {
                setup: setup.clone(),
                error: error.clone(),
            },
            Ask::EmailSetup { challenge } => Prompt::EmailMfaSetup {
                error: challenge.error.clone(),
            },
            Ask::RememberDevice { credentials, .. } => Prompt::RememberDevice {
                device_key: credentials.device_key.clone(),
            },
        }
    }

    fn request(&self, pending: &Pending) -> http::Request<Vec<u8>> {
        let o = &self.options;
        match pending {
            Pending::Auth {
                call: AuthCall::Initiate(r),
                ..
            } => {
                let r = InitiateAuthRequest {
                    client_metadata: o.client_metadata.clone(),
                    analytics_metadata: o.analytics.clone(),
                    user_context_data: o.user_context.clone(),
                    ..(**r).clone()
                };
                call::request(&self.pool, Operation::InitiateAuth, &r)
            }
            Pending::Auth {
                call: AuthCall::Respond(r),
                ..
            } => {
                let r = RespondToAuthChallengeRequest {
                    client_metadata: o.client_metadata.clone(),
                    analytics_metadata: o.analytics.clone(),
                    user_context_data: o.user_context.clone(),
                    ..(**r).clone()
                };
                call::request(&self.pool, Operation::RespondToAuthChallenge, &r)
            }
            Pending::Associate { challenge } => call::request(
                &self.pool,
                Operation::AssociateSoftwareToken,
                &AssociateSoftwareTokenRequest {
                    access_token: None,
                    session: challenge.session.clone(),
                },
            ),
            Pending::Verify { request, .. } => {
                call::request(&self.pool, Operation::VerifySoftwareToken, request)
            }
            Pending::ConfirmDevice { request, .. } => {
                call::request(&self.pool, Operation::ConfirmDevice, request)
            }
            Pending::UpdateDevice {
                signed_in,
                credentials,
                remembered,
            } => call::request(
                &self.pool,
                Operation::UpdateDeviceStatus,
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
            ),
        }
    }

    /// `RespondToAuthChallenge` for `name`, adding `USERNAME`, `SECRET_HASH` and `DEVICE_KEY`.
    fn respond(
        &self,
        name: &str,
        mut responses: Parameters,
        session: Option<&SecretString>,
    ) -> AuthCall {
        responses.insert("USERNAME".into(), self.username.clone().into());
        if let Some(hash) = self.pool.secret_hash(&self.username) {
            responses.insert("SECRET_HASH".into(), hash);
        }
        if let Some(key) = &self.device_key {
            responses
                .entry("DEVICE_KEY".into())
                .or_insert_with(|| key.clone().into());
        }
        AuthCall::Respond(Box::new(RespondToAuthChallengeRequest {
            challenge_name: name.into(),
            challenge_responses: responses,
            client_id: self.pool.client_id().into(),
            session: session.cloned(),
            client_metadata: None,
            analytics_metadata: None,
            user_context_data: None,
        }))
    }

    fn send(&self, call: AuthCall, srp: Option<SrpClient>, retry: Option<Ask>) -> State {
        State::sending(Pending::Auth {
            call,
            srp,
            retry,
            refresh: None,
        })
    }

    /// Reads the answer to InitiateAuth or RespondToAuthChallenge.
    fn on_auth_answer(
        &mut self,
        now: SystemTime,
        operation: Operation,
        response: http::Response<Vec<u8>>,
        srp: Option<SrpClient>,
        refresh: Option<&(RefreshToken, Option<String>)>,
    ) -> Result<State, Error> {
        let parsed: Parsed<InitiateAuthResponse> = call::parse(operation, response)?;
        let answer = &parsed.value;
        if let Some(result) = &answer.authentication_result {
            let tokens = Tokens::from_result(result, now, refresh.map(|(token, _)| token))
                .map_err(|r| parsed.fail(r))?;
            if let Some(name) = tokens.username() {
                self.username = name.to_owned();
            }
            let signed_in = Box::new(SignedIn {
                tokens,
                username: self.username.clone(),
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
            self.username.clone_from(username);
        }
        let challenge = Challenge {
            name: name.to_owned(),
            parameters,
            session: answer.session.clone(),
            available: answer.available_challenges.clone().unwrap_or_default(),
            error: None,
        };
        match (name, srp) {
            ("PASSWORD_VERIFIER", Some(srp)) => {
                let password = self.password.clone().ok_or_else(|| {
                    parsed.fail(ProtocolReason::InvalidField {
                        field: "ChallengeName",
                        detail: "PASSWORD_VERIFIER without a password".into(),
                    })
                })?;
                let user_id = self
                    .field(&parsed, &challenge, "USER_ID_FOR_SRP")?
                    .to_owned();
                let realm = self.pool.name().to_owned();
                let call = self.password_claim(
                    now,
                    &parsed,
                    &challenge,
                    &srp,
                    &realm,
                    &user_id,
                    password.expose(),
                )?;
                Ok(self.send(call, None, None))
            }
            ("DEVICE_PASSWORD_VERIFIER", Some(srp)) => {
                let device = self.device.clone().ok_or_else(|| {
                    parsed.fail(ProtocolReason::InvalidField {
                        field: "ChallengeName",
                        detail: "DEVICE_PASSWORD_VERIFIER without device credentials".into(),
                    })
                })?;
                let call = self.password_claim(
                    now,
                    &parsed,
                    &challenge,
                    &srp,
                    &device.device_group_key,
                    &device.device_key,
                    device.password.expose(),
                )?;
                Ok(self.send(call, None, None))
            }
            ("PASSWORD_VERIFIER" | "DEVICE_PASSWORD_VERIFIER", None) => {
                Err(parsed.fail(ProtocolReason::InvalidField {
                    field: "ChallengeName",
                    detail: format!("{name} without an SRP exchange"),
                }))
            }
            ("DEVICE_SRP_AUTH", _) => {
                let device = self.device.as_ref().ok_or_else(|| {
                    parsed.fail(ProtocolReason::InvalidField {
                        field: "ChallengeName",
                        detail: "DEVICE_SRP_AUTH without device credentials".into(),
                    })
                })?;
                let srp = SrpClient::from_private_key(&self.rng.bytes());
                let responses = params([
                    ("DEVICE_KEY", device.device_key.clone()),
                    ("SRP_A", srp.public_key_hex()),
                ]);
                let call = self.respond("DEVICE_SRP_AUTH", responses, challenge.session.as_ref());
                Ok(self.send(call, Some(srp), None))
            }
            ("MFA_SETUP", _) => {
                let options = challenge.methods("MFAS_CAN_SETUP");
                if options.iter().all(|m| *m == MfaMethod::Totp) {
                    Ok(State::sending(Pending::Associate { challenge }))
                } else {
                    Ok(State::asking(Ask::Challenge(challenge)))
                }
            }
            _ => Ok(State::asking(Ask::Challenge(challenge))),
        }
    }

    fn field<'a>(
        &self,
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

    /// Answers `PASSWORD_VERIFIER` or `DEVICE_PASSWORD_VERIFIER`.
    #[allow(clippy::too_many_arguments)]
    fn password_claim(
        &self,
        now: SystemTime,
        parsed: &Parsed<InitiateAuthResponse>,
        challenge: &Challenge,
        srp: &SrpClient,
        realm: &str,
        identity: &str,
        password: &str,
    ) -> Result<AuthCall, Error> {
        let secret_block = self.field(parsed, challenge, "SECRET_BLOCK")?;
        let parameters = srp::ChallengeParameters {
            srp_b: self.field(parsed, challenge, "SRP_B")?,
            salt: self.field(parsed, challenge, "SALT")?,
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
        let responses = params([
            ("PASSWORD_CLAIM_SECRET_BLOCK", secret_block.to_owned()),
            ("PASSWORD_CLAIM_SIGNATURE", signature),
            ("TIMESTAMP", timestamp),
        ]);
        Ok(self.respond(&challenge.name, responses, challenge.session.as_ref()))
    }

    /// After tokens: confirm the new device, or finish.
    fn confirm_device(&mut self, mut signed_in: Box<SignedIn>) -> State {
        let Some(meta) = signed_in
            .new_device
            .clone()
            .filter(|_| self.options.confirm_devices)
        else {
            return State::Done(signed_in);
        };
        let (credentials, verifier) =
            DeviceCredentials::generate(&mut self.rng, &meta.device_key, &meta.device_group_key);
        let request = ConfirmDeviceRequest {
            access_token: SecretString::new(signed_in.tokens.access_token.expose()),
            device_key: meta.device_key,
            device_secret_verifier_config: DeviceSecretVerifierConfig {
                password_verifier: verifier.password_verifier,
                salt: verifier.salt,
            },
            device_name: Some(self.options.device_name.clone()),
        };
        signed_in.new_device = None;
        State::sending(Pending::ConfirmDevice {
            signed_in,
            credentials,
            request,
        })
    }

    /// Moves the flow with a response; errors come back with the state to resume.
    #[allow(
        clippy::result_large_err,
        reason = "private, and moved once per response"
    )]
    fn on_sent(
        &mut self,
        pending: Pending,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<State, (Error, Option<State>)> {
        match pending {
            Pending::Auth {
                call,
                srp,
                retry,
                refresh,
            } => {
                let operation = match call {
                    AuthCall::Initiate(_) => Operation::InitiateAuth,
                    AuthCall::Respond(_) => Operation::RespondToAuthChallenge,
                };
                let e = match self.on_auth_answer(now, operation, response, srp, refresh.as_ref()) {
                    Ok(state) => return Ok(state),
                    Err(Error::Service(e)) => e,
                    Err(e) => return Err((e, None)),
                };
                match (retry, refresh) {
                    (Some(ask), _) if ask.is_correctable(&e.kind) => {
                        let resume = ask.with_error(e.clone());
                        Err((Error::Service(e), Some(State::asking(resume))))
                    }
                    (_, Some((token, Some(stale)))) if e.kind == ErrorKind::ResourceNotFound => {
                        // The device is gone: forget it and refresh once without it.
                        Ok(self.refresh_without_device(call, token, stale))
                    }
                    _ => Err((Error::Service(e), None)),
                }
            }
            Pending::Associate { challenge } => {
                let parsed: Parsed<AssociateSoftwareTokenResponse> =
                    call::parse(Operation::AssociateSoftwareToken, response)
                        .map_err(|e| (e, None))?;
                let secret = parsed.value.secret_code.clone().ok_or_else(|| {
                    (
                        parsed.fail(ProtocolReason::MissingField("SecretCode")),
                        None,
                    )
                })?;
                let mut challenge = challenge;
                if let Some(session) = parsed.value.session.clone() {
                    challenge.session = Some(session);
                }
                let setup = TotpSetup::new(secret, &self.options.totp_issuer, &self.username);
                Ok(State::asking(Ask::TotpSetup {
                    challenge,
                    setup,
                    error: None,
                }))
            }
            Pending::Verify {
                mut challenge,
                setup,
                ..
            } => match call::parse::<VerifySoftwareTokenResponse>(
                Operation::VerifySoftwareToken,
                response,
            ) {
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
                    let call =
                        self.respond("MFA_SETUP", BTreeMap::new(), challenge.session.as_ref());
                    Ok(self.send(call, None, None))
                }
                Ok(parsed) => {
                    let error = ServiceError {
                        operation: Operation::VerifySoftwareToken,
                        kind: ErrorKind::EnableSoftwareTokenMfa,
                        message: format!(
                            "status {}",
                            parsed.value.status.clone().unwrap_or_default()
                        ),
                        status: 200,
                    };
                    let resume = Ask::TotpSetup {
                        challenge,
                        setup,
                        error: Some(error.clone()),
                    };
                    Err((Error::Service(error), Some(State::asking(resume))))
                }
                Err(Error::Service(e)) if e.kind.is_correctable() => {
                    let resume = Ask::TotpSetup {
                        challenge,
                        setup,
                        error: Some(e.clone()),
                    };
                    Err((Error::Service(e), Some(State::asking(resume))))
                }
                Err(e) => Err((e, None)),
            },
            Pending::ConfirmDevice {
                mut signed_in,
                credentials,
                request,
            } => match call::parse::<ConfirmDeviceResponse>(Operation::ConfirmDevice, response) {
                Ok(parsed) if parsed.value.user_confirmation_necessary => {
                    Ok(State::asking(Ask::RememberDevice {
                        signed_in,
                        credentials,
                    }))
                }
                Ok(_) => {
                    signed_in.device = Some(ConfirmedDevice {
                        credentials,
                        remembered: None,
                    });
                    Ok(State::Done(signed_in))
                }
                Err(e) => {
                    // The sign-in succeeded: keep the tokens, report the device.
                    signed_in.new_device = Some(NewDeviceMetadata {
                        device_key: request.device_key.clone(),
                        device_group_key: credentials.device_group_key.clone(),
                    });
                    signed_in.device_error = Some(e);
                    Ok(State::Done(signed_in))
                }
            },
            Pending::UpdateDevice {
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
                Ok(State::Done(signed_in))
            }
        }
    }

    fn refresh_without_device(
        &mut self,
        mut call: AuthCall,
        token: RefreshToken,
        stale: String,
    ) -> State {
        let AuthCall::Initiate(request) = &mut call else {
            return State::Failed(Error::Misuse(Misuse::Finished));
        };
        request.auth_parameters.remove("DEVICE_KEY");
        self.device_key = None;
        self.device = None;
        self.forgotten = Some(stale);
        State::sending(Pending::Auth {
            call,
            srp: None,
            retry: None,
            refresh: Some((token, None)),
        })
    }

    fn on_answer(&mut self, ask: Ask, input: Input) -> Result<State, (Misuse, Box<Ask>)> {
        match ask {
            Ask::Challenge(challenge) => match (challenge.name.as_str(), input) {
                ("MFA_SETUP", Input::SelectMfa(MfaMethod::Totp)) => {
                    Ok(State::sending(Pending::Associate { challenge }))
                }
                ("MFA_SETUP", Input::SelectMfa(MfaMethod::Email)) => {
                    Ok(State::asking(Ask::EmailSetup { challenge }))
                }
                (
                    "SELECT_CHALLENGE",
                    Input::SelectChallenge {
                        challenge: choice,
                        password,
                    },
                ) => {
                    let password = password.or_else(|| self.password.clone());
                    let mut responses = params([("ANSWER", choice.clone())]);
                    let mut srp = None;
                    match (choice.as_str(), password) {
                        ("PASSWORD", Some(p)) => {
                            responses.insert("PASSWORD".into(), p.expose().into());
                        }
                        ("PASSWORD_SRP", Some(p)) => {
                            let client = SrpClient::from_private_key(&self.rng.bytes());
                            responses.insert("SRP_A".into(), client.public_key_hex().into());
                            srp = Some(client);
                            self.password = Some(p);
                        }
                        ("PASSWORD" | "PASSWORD_SRP", None) => {
                            return Err((
                                Misuse::InvalidInput(format!("{choice} needs the password")),
                                Box::new(Ask::Challenge(challenge)),
                            ));
                        }
                        _ => {}
                    }
                    let call =
                        self.respond("SELECT_CHALLENGE", responses, challenge.session.as_ref());
                    Ok(self.send(call, srp, Some(Ask::Challenge(challenge))))
                }
                (_, input) => match challenge.responses(input) {
                    Ok(responses) => {
                        let call =
                            self.respond(&challenge.name, responses, challenge.session.as_ref());
                        Ok(self.send(call, None, Some(Ask::Challenge(challenge))))
                    }
                    Err(misuse) => Err((misuse, Box::new(Ask::Challenge(challenge)))),
                },
            },
            Ask::TotpSetup {
                challenge,
                setup,
                error,
            } => {
                let (code, device_name) = match input {
                    Input::TotpSetup { code, device_name } => (code, device_name),
                    Input::Code(code) => (code, None),
                    other => {
                        let misuse = Misuse::UnexpectedInput {
                            expected: "a TOTP setup code",
                            got: other.kind(),
                        };
                        return Err((
                            misuse,
                            Box::new(Ask::TotpSetup {
                                challenge,
                                setup,
                                error,
                            }),
                        ));
                    }
                };
                let request = VerifySoftwareTokenRequest {
                    access_token: None,
                    session: challenge.session.clone(),
                    user_code: SecretString::new(code.expose().trim()),
                    friendly_device_name: device_name,
                };
                Ok(State::sending(Pending::Verify {
                    challenge,
                    setup,
                    request,
                }))
            }
            Ask::EmailSetup { challenge } => match input {
                Input::Email(email) => {
                    let call = self.respond(
                        "MFA_SETUP",
                        params([("EMAIL", email)]),
                        challenge.session.as_ref(),
                    );
                    Ok(self.send(call, None, Some(Ask::EmailSetup { challenge })))
                }
                other => Err((
                    Misuse::UnexpectedInput {
                        expected: "an email address for MFA",
                        got: other.kind(),
                    },
                    Box::new(Ask::EmailSetup { challenge }),
                )),
            },
            Ask::RememberDevice {
                signed_in,
                credentials,
            } => match input {
                Input::RememberDevice(remembered) => Ok(State::sending(Pending::UpdateDevice {
                    signed_in,
                    credentials,
                    remembered,
                })),
                other => Err((
                    Misuse::UnexpectedInput {
                        expected: "whether to remember the device",
                        got: other.kind(),
                    },
                    Box::new(Ask::RememberDevice {
                        signed_in,
                        credentials,
                    }),
                )),
            },
        }
    }
}

impl SignIn {
    /// The core's step for a transition.
    fn step(&mut self, next: State) -> Step<Waiting, SignedIn> {
        match next {
            State::Sending(pending) => Step::Next(Waiting::Sending(pending)),
            State::Asking(ask) => Step::Next(Waiting::Asking(ask)),
            State::Done(mut out) => {
                out.forgotten_device = self.forgotten.take();
                Step::Done(*out)
            }
            State::Failed(e) => Step::Fail(e),
        }
    }
}

impl Machine for SignIn {
    type State = Waiting;
    type Output = SignedIn;

    machine::phase!(phase);

    fn sending(state: &Waiting) -> bool {
        matches!(state, Waiting::Sending(_))
    }

    fn pending(&self, state: &Waiting) -> machine::Pending {
        match state {
            Waiting::Sending(pending) => machine::Pending::Send(self.request(pending)),
            Waiting::Asking(ask) => machine::Pending::Prompt(self.prompt(ask)),
        }
    }

    fn on_response(
        &mut self,
        state: Waiting,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Step<Waiting, SignedIn> {
        let Waiting::Sending(pending) = state else {
            return Step::Unexpected(state);
        };
        match self.on_sent(*pending, now, response) {
            Ok(next) => self.step(next),
            Err((error, Some(State::Asking(ask)))) => Step::Again(Waiting::Asking(ask), error),
            Err((error, Some(State::Sending(pending)))) => {
                Step::Again(Waiting::Sending(pending), error)
            }
            Err((error, _)) => Step::Fail(error),
        }
    }

    fn on_input(&mut self, state: Waiting, input: Input) -> Step<Waiting, SignedIn> {
        let Waiting::Asking(ask) = state else {
            return Step::Unexpected(state);
        };
        match self.on_answer(*ask, input) {
            Ok(next) => self.step(next),
            Err((misuse, ask)) => Step::Refuse(Waiting::Asking(ask), misuse),
        }
    }
}
