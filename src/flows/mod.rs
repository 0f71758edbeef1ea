//! The flows: explicit state machines that turn the caller's answers, Cognito's responses, the
//! time and 32 bytes of entropy into HTTP requests and typed outcomes. They never do I/O.
//!
//! Every flow implements [`Flow`], so one loop drives any of them:
//!
//! 1. [`Flow::poll_action`] says what the flow needs next: send a request ([`Action::Send`]), ask
//!    the user ([`Action::Prompt`]), or nothing more ([`Action::Done`] / [`Action::Failed`]). It
//!    is idempotent: call it as often as you like (a UI may re-render the prompt any time).
//! 2. [`Flow::handle_response`] takes Cognito's answer to the request just sent, with the time it
//!    arrived; [`Flow::handle_input`] takes the user's answer to the prompt.
//!
//! Cognito's flows are sequential: there is exactly one pending action and at most one request in
//! flight. An input the current state did not ask for is a [`Misuse`](crate::Misuse) error that
//! leaves the flow unchanged. A service error the user can correct (a wrong code, a weak
//! password) returns the flow to the same prompt, carrying the error; any other error ends the
//! flow, and `poll_action` reports it as [`Action::Failed`] from then on.

pub mod account;
pub mod challenge;
pub mod client_credentials;
pub mod device;
pub mod forgot_password;
pub mod hosted_ui;
pub mod refresh;
pub mod sign_in;

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use crate::error::{Error, ServiceError};
use crate::secret::{Password, SecretString};

pub use self::challenge::{ChallengeName, CodeDelivery, MfaMethod, PromptKind, TotpSetup};
pub use self::device::DeviceCredentials;
pub use self::forgot_password::ForgotPassword;
pub use self::refresh::{Refresh, RefreshMethod, RefreshOutcome};
pub use self::sign_in::{ConfirmedDevice, SignIn, SignedIn};

/// What a flow needs next.
///
/// Exhaustive: a new action is a compile error in drivers, not a surprise at run time.
///
/// `Debug` prints a request's method, URI and headers (credentials marked sensitive show as
/// `Sensitive`) and only the length of its body, which holds passwords, codes and tokens.
pub enum Action<O> {
    /// Send this request and give the response to [`Flow::handle_response`].
    Send(http::Request<Vec<u8>>),
    /// Wait this long, then poll again: a retry decided by the core. Flows themselves never emit
    /// it; the retry wrapper in [`retry`](crate::retry) does.
    Wait(std::time::Duration),
    /// Ask the user and give the answer to [`Flow::handle_input`].
    Prompt(Prompt),
    /// The flow has finished with this outcome.
    Done(O),
    /// The flow has failed for good with this error (the one `handle_*` returned).
    Failed(Error),
}

impl<O: fmt::Debug> fmt::Debug for Action<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Send(request) => f
                .debug_struct("Send")
                .field("method", request.method())
                .field("uri", request.uri())
                .field("headers", request.headers())
                .field(
                    "body",
                    &format_args!("[{} bytes redacted]", request.body().len()),
                )
                .finish(),
            Self::Wait(delay) => f.debug_tuple("Wait").field(delay).finish(),
            Self::Prompt(prompt) => f.debug_tuple("Prompt").field(prompt).finish(),
            Self::Done(outcome) => f.debug_tuple("Done").field(outcome).finish(),
            Self::Failed(error) => f.debug_tuple("Failed").field(error).finish(),
        }
    }
}

/// The contract every flow follows; adapters drive any flow with one loop.
///
/// ```
/// use cognito_flows::{Action, Flow, Input, Prompt};
///
/// fn drive<F: Flow, E>(
///     mut flow: F,
///     mut send: impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, E>,
///     mut ask: impl FnMut(Prompt) -> Result<Input, E>,
///     now: impl Fn() -> std::time::SystemTime,
/// ) -> Result<Result<F::Output, cognito_flows::Error>, E> {
///     loop {
///         let step = match flow.poll_action() {
///             Action::Send(request) => {
///                 let response = send(request)?;
///                 flow.handle_response(now(), response)
///             }
///             Action::Prompt(prompt) => flow.handle_input(ask(prompt)?),
///             Action::Wait(delay) => {
///                 std::thread::sleep(delay);
///                 Ok(())
///             }
///             Action::Done(outcome) => return Ok(Ok(outcome)),
///             Action::Failed(error) => return Ok(Err(error)),
///         };
///         // Errors are also reported by the next poll_action (as Failed, or as the prompt again).
///         let _ = step;
///     }
/// }
/// ```
pub trait Flow {
    /// What the flow produces.
    type Output;

    /// The one pending action. Idempotent: only `handle_*` move the flow.
    #[must_use]
    fn poll_action(&self) -> Action<Self::Output>;

    /// Cognito's response to the request of the last [`Action::Send`], received at `now`.
    fn handle_response(
        &mut self,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<(), Error>;

    /// The user's answer to the last [`Action::Prompt`].
    fn handle_input(&mut self, input: Input) -> Result<(), Error>;

    /// Whether the request [`poll_action`](Self::poll_action) asks to send may be sent again
    /// after an attempt the server may have processed (a timeout, a 5xx):
    /// [`Retrying`](crate::retry::Retrying) asks this, and reads no request bytes. Every flow of
    /// this crate declares it for each of its states. The default, for a flow of your own,
    /// never repeats such an attempt ([`Resend::Once`]).
    #[must_use]
    fn resend(&self) -> Resend {
        match self.poll_action() {
            Action::Send(_) => Resend::Once,
            _ => Resend::NoRequest,
        }
    }
}

/// What a flow says of the request it is sending, for retries ([`Flow::resend`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// No request is pending: the flow waits for the user, or for the end of a wait, or is
    /// finished.
    NoRequest,
    /// Sending it again does no harm, even after an attempt the server may have processed
    /// (`InitiateAuth`, `GetUser`, a token refresh, ...).
    Repeatable,
    /// Good once: after an attempt the server may have processed it is not sent again, since its
    /// session or code may have been consumed (`RespondToAuthChallenge`, `ConfirmSignUp`, the
    /// hosted UI's authorization-code exchange, ...). Sent again only when it was never sent or
    /// was throttled.
    Once,
}

/// The machine core: every flow in this crate is a [`Machine`], and this one generic
/// [`Flow`] impl owns the contract. It swaps the state out and back in, leaves the state unchanged
/// on misuse, keeps `Done` and `Failed` final, and writes the "expected ..." misuse message from
/// what the state is waiting for. A flow only says, for each of its states, what it needs
/// ([`Machine::pending`]) and where a response or an input leads ([`Step`]).
pub(crate) mod machine {
    use std::mem;
    use std::time::SystemTime;

    use super::{Action, Flow, Input, Prompt, Resend};
    use crate::error::{Error, Misuse};

    /// What a running state needs.
    pub enum Pending {
        /// A request to send.
        Send(http::Request<Vec<u8>>),
        /// A question for the user.
        Prompt(Prompt),
    }

    /// Where a response or an input leads.
    pub enum Step<S, O> {
        /// On to this state.
        Next(S),
        /// Finished with this outcome.
        Done(O),
        /// Back to this state (a prompt that carries the error now), and the error returned: a
        /// wrong code, a weak password, a forged callback.
        Again(S, Error),
        /// Failed for good.
        Fail(Error),
        /// Not an input this state takes: the state, unchanged.
        Unexpected(S),
        /// An input this state takes, but unusable: the state, unchanged, and why.
        Refuse(S, Misuse),
    }

    /// The one state of a single call: its request is out.
    #[derive(Debug)]
    pub struct Sending;

    /// Where a flow is: running in one of its states, or finished for good.
    pub enum Phase<S, O> {
        Running(S),
        Done(O),
        Failed(Error),
    }

    impl<S: std::fmt::Debug, O: std::fmt::Debug> std::fmt::Debug for Phase<S, O> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                Self::Running(s) => s.fmt(f),
                Self::Done(o) => f.debug_tuple("Done").field(o).finish(),
                Self::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
            }
        }
    }

    /// The accessors of a flow's phase field, in a `Machine` impl: `machine::phase!(field);`.
    macro_rules! phase {
        ($field:ident) => {
            fn phase(&self) -> &$crate::flows::machine::Phase<Self::State, Self::Output> {
                &self.$field
            }

            fn phase_mut(
                &mut self,
            ) -> &mut $crate::flows::machine::Phase<Self::State, Self::Output> {
                &mut self.$field
            }
        };
    }
    pub(crate) use phase;

    /// A flow's states and transitions; [`Flow`] comes with it.
    pub trait Machine {
        /// The states (a private enum).
        type State;
        /// What the flow produces.
        type Output: Clone;
        /// The current phase.
        fn phase(&self) -> &Phase<Self::State, Self::Output>;
        /// The current phase, to move it.
        fn phase_mut(&mut self) -> &mut Phase<Self::State, Self::Output>;
        /// Whether `state` waits for a response (otherwise for an input).
        fn sending(state: &Self::State) -> bool;
        /// What `state` needs.
        fn pending(&self, state: &Self::State) -> Pending;
        /// Whether the request of `state` (one that [`Machine::sending`]) may be sent again
        /// after an attempt the server may have processed ([`super::Resend`]).
        fn repeatable(&self, state: &Self::State) -> bool;
        /// The response to the request `state` sent.
        fn on_response(
            &mut self,
            state: Self::State,
            now: SystemTime,
            response: http::Response<Vec<u8>>,
        ) -> Step<Self::State, Self::Output>;
        /// The user's answer to the prompt of `state`; by default, no state takes input.
        fn on_input(
            &mut self,
            state: Self::State,
            input: Input,
        ) -> Step<Self::State, Self::Output> {
            let _ = input;
            Step::Unexpected(state)
        }
    }

    /// One request and how to read its answer: what a single call is made of. A Cognito
    /// operation ([`crate::flows::account::Call`]) and an OAuth endpoint
    /// ([`crate::flows::hosted_ui::TokenCall`]) differ only here.
    pub trait Exchange {
        /// What the answer reads as.
        type Output: Clone;
        /// The request, as sent (every time it is asked for, the same bytes).
        fn request(&self) -> http::Request<Vec<u8>>;
        /// Whether the request may be sent again after an attempt the server may have
        /// processed.
        fn repeatable(&self) -> bool;
        /// The answer, received at `now`.
        fn read(
            &self,
            now: SystemTime,
            response: http::Response<Vec<u8>>,
        ) -> Result<Self::Output, Error>;
    }

    /// The one call machine: an [`Exchange`]'s request out, its answer read, done or failed.
    pub struct OneCall<E, O> {
        pub(crate) exchange: E,
        phase: Phase<Sending, O>,
    }

    impl<E: Exchange<Output = O>, O> OneCall<E, O> {
        /// A call, its request pending.
        pub(crate) fn start(exchange: E) -> Self {
            Self {
                exchange,
                phase: Phase::Running(Sending),
            }
        }
    }

    impl<E: std::fmt::Debug, O> std::fmt::Debug for OneCall<E, O> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let state = match &self.phase {
                Phase::Running(Sending) => "sending",
                Phase::Done(_) => "done",
                Phase::Failed(_) => "failed",
            };
            f.debug_struct("Call")
                .field("exchange", &self.exchange)
                .field("state", &state)
                .finish()
        }
    }

    impl<E: Exchange<Output = O>, O: Clone> Machine for OneCall<E, O> {
        type State = Sending;
        type Output = O;

        phase!(phase);

        fn sending(_: &Sending) -> bool {
            true
        }

        fn pending(&self, _: &Sending) -> Pending {
            Pending::Send(self.exchange.request())
        }

        fn repeatable(&self, _: &Sending) -> bool {
            self.exchange.repeatable()
        }

        fn on_response(
            &mut self,
            _: Sending,
            now: SystemTime,
            response: http::Response<Vec<u8>>,
        ) -> Step<Sending, O> {
            match self.exchange.read(now, response) {
                Ok(out) => Step::Done(out),
                Err(e) => Step::Fail(e),
            }
        }
    }

    /// What the flow waits for, for misuse messages.
    fn expected<M: Machine>(flow: &M) -> &'static str {
        match flow.phase() {
            Phase::Running(state) if M::sending(state) => "a response",
            Phase::Running(state) => match flow.pending(state) {
                Pending::Prompt(prompt) => prompt.kind(),
                Pending::Send(_) => "a response",
            },
            Phase::Done(_) | Phase::Failed(_) => "nothing (finished)",
        }
    }

    /// Applies a step: the one place a flow's state changes.
    fn apply<M: Machine>(
        flow: &mut M,
        step: Step<M::State, M::Output>,
        unexpected: impl FnOnce(&'static str) -> Misuse,
    ) -> Result<(), Error> {
        let (phase, result) = match step {
            Step::Next(state) => (Phase::Running(state), Ok(())),
            Step::Done(out) => (Phase::Done(out), Ok(())),
            Step::Again(state, error) => (Phase::Running(state), Err(error)),
            Step::Fail(error) => (Phase::Failed(error.clone()), Err(error)),
            Step::Unexpected(state) => {
                *flow.phase_mut() = Phase::Running(state);
                return Err(unexpected(expected(flow)).into());
            }
            Step::Refuse(state, misuse) => (Phase::Running(state), Err(misuse.into())),
        };
        *flow.phase_mut() = phase;
        result
    }

    /// Takes the running state out, leaving a placeholder that `apply` always replaces.
    fn take<M: Machine>(flow: &mut M) -> Option<M::State> {
        let placeholder = Phase::Failed(Error::Misuse(Misuse::Finished));
        match mem::replace(flow.phase_mut(), placeholder) {
            Phase::Running(state) => Some(state),
            finished => {
                *flow.phase_mut() = finished;
                None
            }
        }
    }

    impl<M: Machine> Flow for M {
        type Output = M::Output;

        fn poll_action(&self) -> Action<M::Output> {
            match self.phase() {
                Phase::Running(state) => match self.pending(state) {
                    Pending::Send(request) => Action::Send(request),
                    Pending::Prompt(prompt) => Action::Prompt(prompt),
                },
                Phase::Done(out) => Action::Done(out.clone()),
                Phase::Failed(error) => Action::Failed(error.clone()),
            }
        }

        fn resend(&self) -> Resend {
            match self.phase() {
                Phase::Running(state) if M::sending(state) => {
                    if self.repeatable(state) {
                        Resend::Repeatable
                    } else {
                        Resend::Once
                    }
                }
                Phase::Running(_) | Phase::Done(_) | Phase::Failed(_) => Resend::NoRequest,
            }
        }

        fn handle_response(
            &mut self,
            now: SystemTime,
            response: http::Response<Vec<u8>>,
        ) -> Result<(), Error> {
            let waiting = matches!(self.phase(), Phase::Running(s) if M::sending(s));
            let state = match take(self) {
                Some(state) if waiting => state,
                Some(state) => {
                    return apply(self, Step::Unexpected(state), |expected| {
                        Misuse::UnexpectedResponse { expected }
                    });
                }
                None => {
                    return Err(Misuse::UnexpectedResponse {
                        expected: expected(self),
                    }
                    .into());
                }
            };
            let step = self.on_response(state, now, response);
            apply(self, step, |expected| Misuse::UnexpectedResponse {
                expected,
            })
        }

        fn handle_input(&mut self, input: Input) -> Result<(), Error> {
            let got = input.kind();
            let waiting = matches!(self.phase(), Phase::Running(s) if !M::sending(s));
            let unexpected = |expected| Misuse::UnexpectedInput { expected, got };
            let state = match take(self) {
                Some(state) if waiting => state,
                Some(state) => return apply(self, Step::Unexpected(state), unexpected),
                None => return Err(unexpected(expected(self)).into()),
            };
            let step = self.on_input(state, input);
            apply(self, step, unexpected)
        }
    }
}

/// Something only the user (or the application) can answer, with the [`Input`] that answers it.
///
/// A prompt that may be answered again after a correctable error (a wrong code, a weak password)
/// carries that error in `error`.
///
/// Exhaustive, like [`Action`]: a prompt added to the core is a compile error in every `match`
/// that shows prompts (the CLI's, the Python binding's), until it is shown there. Its
/// [`PromptKind`] comes from the `challenges!` table (`challenge.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// A challenge this version has no typed prompt for. Answer with [`Input::Challenge`]:
    /// the responses Cognito expects for it (the flow adds `USERNAME` and `SECRET_HASH`).
    Challenge {
        /// `ChallengeName`, e.g. `SOME_NEW_CHALLENGE`.
        name: String,
        /// `ChallengeParameters`, untouched.
        parameters: BTreeMap<String, String>,
        /// The error of the previous answer, when the user may try again.
        error: Option<ServiceError>,
    },
    /// `SMS_MFA`: the code texted to the user. Answer with [`Input::Code`].
    SmsMfaCode {
        /// Where the code went.
        delivery: CodeDelivery,
        /// The error of the previous answer.
        error: Option<ServiceError>,
    },
    /// `EMAIL_OTP`: the code emailed to the user (MFA, or a first factor of `USER_AUTH`).
    /// Answer with [`Input::Code`].
    EmailOtpCode {
        /// Where the code went.
        delivery: CodeDelivery,
        /// The error of the previous answer.
        error: Option<ServiceError>,
    },
    /// `SMS_OTP`: the code texted as a first factor of `USER_AUTH`. Answer with [`Input::Code`].
    SmsOtpCode {
        /// Where the code went.
        delivery: CodeDelivery,
        /// The error of the previous answer.
        error: Option<ServiceError>,
    },
    /// `SOFTWARE_TOKEN_MFA`: the code of the user's authenticator app. Answer with
    /// [`Input::Code`].
    TotpCode {
        /// The authenticator's name, when Cognito says it (`FRIENDLY_DEVICE_NAME`).
        device_name: Option<String>,
        /// The error of the previous answer.
        error: Option<ServiceError>,
    },
    /// `SELECT_MFA_TYPE`: the user has several MFA methods; which one now? Answer with
    /// [`Input::SelectMfa`].
    SelectMfa {
        /// `MFAS_CAN_CHOOSE`.
        options: Vec<MfaMethod>,
    },
    /// `MFA_SETUP` with several methods: which one to set up? Answer with [`Input::SelectMfa`].
    SelectMfaSetup {
        /// `MFAS_CAN_SETUP`.
        options: Vec<MfaMethod>,
    },
    /// Set up an authenticator app: show the secret (or its QR code, from
    /// [`TotpSetup::uri`]), then answer with [`Input::TotpSetup`] and the app's current code.
    TotpSetup {
        /// The secret and its `otpauth://` URI.
        setup: TotpSetup,
        /// The error of the previous answer (a wrong code).
        error: Option<ServiceError>,
    },
    /// Set up email MFA: which address? Answer with [`Input::Email`].
    EmailMfaSetup {
        /// The error of the previous answer.
        error: Option<ServiceError>,
    },
    /// `NEW_PASSWORD_REQUIRED`: the user signed in with a temporary password and must choose a
    /// new one. Answer with [`Input::NewPassword`].
    NewPassword {
        /// The user's current attributes (without those Cognito refuses back, like
        /// `email_verified` and `sub`).
        user_attributes: BTreeMap<String, String>,
        /// Attributes the user must provide, e.g. `name`.
        required_attributes: Vec<String>,
        /// The error of the previous answer (a weak password, a missing attribute).
        error: Option<ServiceError>,
    },
    /// `CUSTOM_CHALLENGE`: your Lambda triggers' question. Answer with [`Input::Answer`] (or
    /// [`Input::Challenge`] for extra responses).
    CustomChallenge {
        /// `ChallengeParameters`, untouched (your create-challenge trigger's public ones).
        parameters: BTreeMap<String, String>,
        /// The error of the previous answer.
        error: Option<ServiceError>,
    },
    /// `SELECT_CHALLENGE` (`USER_AUTH`): how does the user want to sign in? Answer with
    /// [`Input::SelectChallenge`].
    SelectChallenge {
        /// `AvailableChallenges`, e.g. `PASSWORD_SRP`, `EMAIL_OTP`, `WEB_AUTHN`.
        available: Vec<String>,
    },
    /// `WEB_AUTHN`: sign with a passkey. Give `credential_request_options` to the
    /// authenticator (`navigator.credentials.get`) and answer with
    /// [`Input::WebAuthnCredential`].
    WebAuthn {
        /// `CREDENTIAL_REQUEST_OPTIONS`, JSON, untouched.
        credential_request_options: String,
    },
    /// Open this URL in a browser (the hosted UI); answer with [`Input::Callback`] and the URL
    /// the browser is redirected to.
    Authorize {
        /// The `/oauth2/authorize` URL.
        url: String,
    },
    /// Reset the password: the code Cognito sent and a new password. Answer with
    /// [`Input::PasswordReset`], or [`Input::ResendCode`] for a new code.
    PasswordReset {
        /// Where the code went.
        delivery: CodeDelivery,
        /// The error of the previous answer (a wrong code, a weak password).
        error: Option<ServiceError>,
    },
    /// Remember this device, so that it can skip MFA next time? (Pools where users opt in.)
    /// Answer with [`Input::RememberDevice`].
    RememberDevice {
        /// The device's key.
        device_key: String,
    },
}

impl Prompt {
    /// What the prompt asks for, in words, used in misuse errors: [`PromptKind::words`].
    pub fn kind(&self) -> &'static str {
        self.prompt_kind().words()
    }

    /// The error of the previous answer, when the user is asked again.
    pub fn error(&self) -> Option<&ServiceError> {
        match self {
            Self::Challenge { error, .. }
            | Self::SmsMfaCode { error, .. }
            | Self::EmailOtpCode { error, .. }
            | Self::SmsOtpCode { error, .. }
            | Self::TotpCode { error, .. }
            | Self::TotpSetup { error, .. }
            | Self::EmailMfaSetup { error }
            | Self::NewPassword { error, .. }
            | Self::CustomChallenge { error, .. }
            | Self::PasswordReset { error, .. } => error.as_ref(),
            Self::SelectMfa { .. }
            | Self::SelectMfaSetup { .. }
            | Self::SelectChallenge { .. }
            | Self::WebAuthn { .. }
            | Self::RememberDevice { .. }
            | Self::Authorize { .. } => None,
        }
    }
}

/// The user's answer to a [`Prompt`].
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// Raw `ChallengeResponses` (without `USERNAME` and `SECRET_HASH`, which the flow adds), for
    /// [`Prompt::Challenge`] and, as an escape hatch, any prompt for a Cognito challenge.
    Challenge(BTreeMap<String, String>),
    /// A code: SMS, email, TOTP.
    Code(SecretString),
    /// An MFA method, for [`Prompt::SelectMfa`] and [`Prompt::SelectMfaSetup`].
    SelectMfa(MfaMethod),
    /// The authenticator's current code, and a name for it.
    TotpSetup {
        /// The code.
        code: SecretString,
        /// A name the user will recognize, e.g. "Phone".
        device_name: Option<String>,
    },
    /// An email address, for [`Prompt::EmailMfaSetup`].
    Email(String),
    /// The new password and the attributes to set (e.g. the required ones).
    NewPassword {
        /// The new password.
        password: Password,
        /// Attributes to set, by name (`name`, `custom:team`, ...).
        attributes: BTreeMap<String, String>,
    },
    /// The answer to a custom challenge (`ANSWER`).
    Answer(SecretString),
    /// The sign-in method picked at [`Prompt::SelectChallenge`], and the password when it is
    /// `PASSWORD` or `PASSWORD_SRP` (unless the flow was started with one).
    SelectChallenge {
        /// One of `AvailableChallenges`.
        challenge: String,
        /// The password, for the password methods.
        password: Option<Password>,
    },
    /// The authenticator's response (`PublicKeyCredential` as JSON).
    WebAuthnCredential(String),
    /// Whether to remember the device.
    RememberDevice(bool),
    /// The code Cognito sent and the new password, for [`Prompt::PasswordReset`].
    PasswordReset {
        /// The code.
        code: SecretString,
        /// The new password.
        password: Password,
    },
    /// Send the code again.
    ResendCode,
    /// The URL the hosted UI redirected the browser to, for [`Prompt::Authorize`]. Prefer
    /// [`Input::CallbackAt`] (the adapters' drivers turn this one into it with their clock): the
    /// implicit flow's tokens arrive with the callback, and only the time they arrived gives
    /// their clock drift.
    Callback(String),
    /// [`Input::Callback`] with the time it arrived ([`Input::at`]).
    CallbackAt {
        /// The callback URL.
        url: String,
        /// When it arrived (this machine's clock).
        received_at: SystemTime,
    },
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Answers are codes and passwords: print only which input it is.
        write!(f, "Input({})", self.kind())
    }
}

impl Input {
    /// A code, e.g. `Input::code("123456")`.
    pub fn code(code: impl Into<String>) -> Self {
        Self::Code(SecretString::new(code.into()))
    }

    /// The same input, received at `now`: a callback becomes [`Input::CallbackAt`]; any other
    /// input is unchanged. A driver calls it on every input it hands over.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use cognito_flows::Input;
    ///
    /// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let stamped = Input::Callback("https://app.example/cb#access_token=t".into()).at(now);
    /// assert!(matches!(stamped, Input::CallbackAt { received_at, .. } if received_at == now));
    /// ```
    #[must_use]
    pub fn at(self, now: SystemTime) -> Self {
        match self {
            Self::Callback(url) => Self::CallbackAt {
                url,
                received_at: now,
            },
            other => other,
        }
    }

    /// A short name for the input, used in misuse errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Challenge(_) => "a challenge answer",
            Self::Code(_) => "a code",
            Self::SelectMfa(_) => "an MFA method",
            Self::TotpSetup { .. } => "a TOTP setup code",
            Self::Email(_) => "an email address",
            Self::NewPassword { .. } => "a new password",
            Self::Answer(_) => "a custom challenge answer",
            Self::SelectChallenge { .. } => "a sign-in method",
            Self::WebAuthnCredential(_) => "a WebAuthn credential",
            Self::RememberDevice(_) => "whether to remember the device",
            Self::PasswordReset { .. } => "a code and a new password",
            Self::ResendCode => "a request for a new code",
            Self::Callback(_) | Self::CallbackAt { .. } => "the callback URL",
        }
    }
}
