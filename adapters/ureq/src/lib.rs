//! A blocking driver for [`cognito_flows`] over [ureq] 3: the loop that performs the I/O the
//! Sans-IO flows ask for, with bounded retries. It holds no flow logic of its own.
//!
//! It is also the one place, with the async adapter, that reads the system clock and the
//! operating system's randomness ([`entropy`]).
//!
//! ```no_run
//! use cognito_flows::{Input, Prompt, UserPool};
//! use cognito_flows_ureq::Client;
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let client = Client::new(pool);
//! let signed_in = client.sign_in_srp("alice", "correct horse", |prompt| match prompt {
//!     Prompt::TotpCode { .. } => Ok(Input::code("123456")), // ask the user
//!     other => Err(std::io::Error::other(format!("cannot answer {}", other.kind()))),
//! })?;
//! let user = client.get_user(&signed_in.tokens.access_token)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::convert::Infallible;
use std::fmt;
use std::time::{Duration, SystemTime};

use cognito_flows::flows::account::{self, AccessToken, NewUser};
use cognito_flows::retry::{self, Attempt, Decision, RetryPolicy};
use cognito_flows::wire::{
    CodeDeliveryResponse, ConfirmSignUpResponse, Empty, GetUserResponse, ListDevicesResponse,
    SignUpResponse,
};
use cognito_flows::{
    Action, Entropy, Flow, ForgotPassword, Input, Password, Prompt, SecretString, SignIn, SignedIn,
    StoredSession, UserPool,
};

/// Why driving a flow stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum DriveError<P = Infallible> {
    /// The request could not be sent or its response not read (after the retries allowed).
    Transport(ureq::Error),
    /// Cognito refused, answered something unusable, or an input did not fit the flow.
    Auth(cognito_flows::Error),
    /// The prompt callback gave up.
    Prompt(P),
    /// The operating system had no randomness to give.
    Entropy(String),
}

impl<P: fmt::Display> fmt::Display for DriveError<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "could not reach Cognito: {e}"),
            Self::Auth(e) => e.fmt(f),
            Self::Prompt(e) => write!(f, "prompt failed: {e}"),
            Self::Entropy(e) => write!(f, "no randomness from the OS: {e}"),
        }
    }
}

impl<P: std::error::Error + 'static> std::error::Error for DriveError<P> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(e) => Some(e),
            Self::Auth(e) => Some(e),
            Self::Prompt(e) => Some(e),
            Self::Entropy(_) => None,
        }
    }
}

impl<P> From<cognito_flows::Error> for DriveError<P> {
    fn from(e: cognito_flows::Error) -> Self {
        Self::Auth(e)
    }
}

impl<P> DriveError<P> {
    /// The exception kind, when Cognito answered with one.
    pub fn service_kind(&self) -> Option<&cognito_flows::ErrorKind> {
        match self {
            Self::Auth(e) => e.service_kind(),
            _ => None,
        }
    }
}

/// A ureq agent set up for Cognito: redirects never followed, HTTP error statuses returned as
/// responses (the flows classify them), 30 s overall timeout, 10 s to connect.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .max_redirects_will_error(false)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .timeout_connect(Some(Duration::from_secs(10)))
        .user_agent(concat!("cognito-flows-ureq/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// 32 bytes of entropy from the operating system, to seed a flow.
pub fn entropy() -> Result<Entropy, getrandom::Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)?;
    Ok(Entropy::from(seed))
}

/// Sends one request and reads the whole response.
pub fn send(
    agent: &ureq::Agent,
    request: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, ureq::Error> {
    let response = agent.run(request)?;
    let (parts, mut body) = response.into_parts();
    let bytes = body.read_to_vec()?;
    Ok(http::Response::from_parts(parts, bytes))
}

/// Whether a transport error happened before the request left.
pub fn not_sent(error: &ureq::Error) -> bool {
    matches!(
        error,
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound
    )
}

/// Drives `flow` to its end with `agent`, no retries: see [`Driver`] for retries.
///
/// A service error the user can correct (a wrong code) comes back to `answer` as the same prompt,
/// carrying the error; any other error ends the flow and is returned.
pub fn drive<F: Flow, P>(
    agent: &ureq::Agent,
    flow: F,
    answer: impl FnMut(Prompt) -> Result<Input, P>,
) -> Result<F::Output, DriveError<P>> {
    drive_with(|request| send(agent, request), flow, answer)
}

/// [`drive`] with your own transport (to log, record or rewrite requests), no retries.
pub fn drive_with<F: Flow, P>(
    transport: impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, ureq::Error>,
    flow: F,
    answer: impl FnMut(Prompt) -> Result<Input, P>,
) -> Result<F::Output, DriveError<P>> {
    Driver {
        policy: RetryPolicy::none(),
        sleep: |_| {},
        jitter: || 0,
    }
    .run(transport, flow, answer)
}

/// The loop, with a retry policy, a sleep and a source of jitter (so tests can record delays
/// instead of sleeping).
pub struct Driver<S, J> {
    /// When to send again.
    pub policy: RetryPolicy,
    /// How to wait.
    pub sleep: S,
    /// A random `u32` per retry.
    pub jitter: J,
}

/// The driver with the system's sleep and the OS's randomness.
pub type SystemDriver = Driver<fn(Duration), fn() -> u32>;

impl Default for SystemDriver {
    /// [`RetryPolicy::default`], `std::thread::sleep`, jitter from the OS.
    fn default() -> Self {
        Self {
            policy: RetryPolicy::default(),
            sleep: std::thread::sleep,
            jitter: || getrandom::u32().unwrap_or(u32::MAX / 2),
        }
    }
}

impl<S: FnMut(Duration), J: FnMut() -> u32> Driver<S, J> {
    /// Drives `flow` to its end.
    pub fn run<F: Flow, P>(
        &mut self,
        mut transport: impl FnMut(
            http::Request<Vec<u8>>,
        ) -> Result<http::Response<Vec<u8>>, ureq::Error>,
        mut flow: F,
        mut answer: impl FnMut(Prompt) -> Result<Input, P>,
    ) -> Result<F::Output, DriveError<P>> {
        loop {
            match flow.poll_action() {
                Action::Send(request) => {
                    let response = self.send(&mut transport, &flow, request)?;
                    // The clock is read when the answer arrives: SRP's TIMESTAMP, token expiry.
                    let now = SystemTime::now();
                    // Errors are reported by the next poll: Failed, or the prompt again.
                    let _ = flow.handle_response(now, response);
                }
                Action::Prompt(prompt) => {
                    let input = answer(prompt).map_err(DriveError::Prompt)?;
                    flow.handle_input(input)?;
                }
                Action::Done(outcome) => return Ok(outcome),
                Action::Failed(error) => return Err(DriveError::Auth(error)),
                Action::Wait(delay) => (self.sleep)(delay),
            }
        }
    }

    /// Sends a request, and again while the policy allows (polling the flow for an equal one).
    fn send<F: Flow, P>(
        &mut self,
        transport: &mut impl FnMut(
            http::Request<Vec<u8>>,
        ) -> Result<http::Response<Vec<u8>>, ureq::Error>,
        flow: &F,
        first: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, DriveError<P>> {
        let Some(operation) = cognito_flows::wire::Operation::of(&first) else {
            return transport(first).map_err(DriveError::Transport);
        };
        let mut request = first;
        let mut attempt = 1;
        loop {
            let result = transport(request);
            let outcome = match &result {
                Ok(response) => retry::classify(response),
                Err(e) if not_sent(e) => Attempt::NotSent,
                Err(_) => Attempt::Failed,
            };
            match self
                .policy
                .decide(attempt, operation, outcome, (self.jitter)())
            {
                Decision::Retry(delay) => (self.sleep)(delay),
                Decision::GiveUp => return result.map_err(DriveError::Transport),
            }
            attempt += 1;
            request = match flow.poll_action() {
                Action::Send(again) => again,
                _ => return result.map_err(DriveError::Transport),
            };
        }
    }
}

/// A user pool and an agent, with a method per flow: the blocking client most applications need.
pub struct Client {
    pool: UserPool,
    agent: ureq::Agent,
    driver: SystemDriver,
}

impl Client {
    /// A client with [`agent`] and the default retry policy.
    pub fn new(pool: UserPool) -> Self {
        Self {
            pool,
            agent: agent(),
            driver: Driver::default(),
        }
    }

    /// The same client with another agent (proxies, TLS settings). Keep redirects off and
    /// `http_status_as_error(false)`.
    #[must_use]
    pub fn with_agent(mut self, agent: ureq::Agent) -> Self {
        self.agent = agent;
        self
    }

    /// The same client with another retry policy ([`RetryPolicy::none`] to disable).
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.driver.policy = policy;
        self
    }

    /// The pool.
    pub fn pool(&self) -> &UserPool {
        &self.pool
    }

    fn entropy<P>(&self) -> Result<Entropy, DriveError<P>> {
        entropy().map_err(|e| DriveError::Entropy(e.to_string()))
    }

    /// Runs any flow.
    pub fn run<F: Flow, P>(
        &self,
        flow: F,
        answer: impl FnMut(Prompt) -> Result<Input, P>,
    ) -> Result<F::Output, DriveError<P>> {
        let mut driver = Driver {
            policy: self.driver.policy,
            sleep: self.driver.sleep,
            jitter: self.driver.jitter,
        };
        driver.run(|request| send(&self.agent, request), flow, answer)
    }

    fn call<T: serde::de::DeserializeOwned + Clone>(
        &self,
        call: account::Call<T>,
    ) -> Result<T, CallError> {
        self.run(call, |prompt| Err(unexpected(prompt)))
    }

    /// SRP sign-in, answering challenges with `answer`.
    pub fn sign_in_srp<P>(
        &self,
        username: &str,
        password: impl Into<Password>,
        answer: impl FnMut(Prompt) -> Result<Input, P>,
    ) -> Result<SignedIn, DriveError<P>> {
        let flow = SignIn::user_srp(&self.pool, username, password, self.entropy()?);
        self.run(flow, answer)
    }

    /// Password sign-in (`USER_PASSWORD_AUTH`).
    pub fn sign_in_password<P>(
        &self,
        username: &str,
        password: impl Into<Password>,
        answer: impl FnMut(Prompt) -> Result<Input, P>,
    ) -> Result<SignedIn, DriveError<P>> {
        let flow = SignIn::user_password(&self.pool, username, password, self.entropy()?);
        self.run(flow, answer)
    }

    /// Refreshes a session (with its device, if any) and updates it.
    pub fn refresh(&self, session: &mut StoredSession) -> Result<(), CallError> {
        let flow = session
            .refresh(&self.pool, self.entropy()?)
            .ok_or(DriveError::Auth(
                cognito_flows::Misuse::InvalidInput("the session has no refresh token".into())
                    .into(),
            ))?;
        let refreshed = self.run(flow, |prompt| Err(unexpected(prompt)))?;
        session.update(refreshed);
        Ok(())
    }

    /// Registers a user.
    pub fn sign_up(&self, user: &NewUser) -> Result<SignUpResponse, CallError> {
        self.call(account::sign_up(&self.pool, user))
    }

    /// Confirms a registration.
    pub fn confirm_sign_up(
        &self,
        username: &str,
        code: &str,
    ) -> Result<ConfirmSignUpResponse, CallError> {
        self.call(account::confirm_sign_up(&self.pool, username, code, false))
    }

    /// Sends the registration code again.
    pub fn resend_confirmation_code(
        &self,
        username: &str,
    ) -> Result<CodeDeliveryResponse, CallError> {
        self.call(account::resend_confirmation_code(&self.pool, username))
    }

    /// Resets a forgotten password, asking `answer` for the code and the new password.
    pub fn forgot_password<P>(
        &self,
        username: &str,
        answer: impl FnMut(Prompt) -> Result<Input, P>,
    ) -> Result<(), DriveError<P>> {
        self.run(ForgotPassword::new(&self.pool, username), answer)
    }

    /// Changes the password.
    pub fn change_password(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        previous: &Password,
        proposed: &Password,
    ) -> Result<Empty, CallError> {
        self.call(account::change_password(
            &self.pool,
            access_token,
            previous,
            proposed,
        ))
    }

    /// The signed-in user.
    pub fn get_user(
        &self,
        access_token: &(impl AccessToken + ?Sized),
    ) -> Result<GetUserResponse, CallError> {
        self.call(account::get_user(&self.pool, access_token))
    }

    /// One page of the user's devices.
    pub fn list_devices(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        page: Option<&str>,
    ) -> Result<ListDevicesResponse, CallError> {
        self.call(account::list_devices(
            &self.pool,
            access_token,
            Some(60),
            page,
        ))
    }

    /// Forgets a device.
    pub fn forget_device(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        device_key: &str,
    ) -> Result<Empty, CallError> {
        self.call(account::forget_device(&self.pool, access_token, device_key))
    }

    /// Signs the user out everywhere.
    pub fn global_sign_out(
        &self,
        access_token: &(impl AccessToken + ?Sized),
    ) -> Result<Empty, CallError> {
        self.call(account::global_sign_out(&self.pool, access_token))
    }

    /// Revokes a refresh token.
    pub fn revoke_token(&self, refresh_token: &SecretString) -> Result<Empty, CallError> {
        self.call(account::revoke_token(&self.pool, refresh_token, None))
    }

    /// Deletes the user.
    pub fn delete_user(
        &self,
        access_token: &(impl AccessToken + ?Sized),
    ) -> Result<Empty, CallError> {
        self.call(account::delete_user(&self.pool, access_token))
    }
}

/// A flow asked something where none was expected (single calls and refreshes never prompt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnexpectedPrompt(pub &'static str);

impl fmt::Display for UnexpectedPrompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected prompt for {}", self.0)
    }
}

impl std::error::Error for UnexpectedPrompt {}

/// The error of the client's calls that never prompt.
pub type CallError = DriveError<UnexpectedPrompt>;

fn unexpected(prompt: Prompt) -> UnexpectedPrompt {
    UnexpectedPrompt(prompt.kind())
}

/// Why a token could not be verified.
#[derive(Debug)]
#[non_exhaustive]
pub enum VerifyFailure {
    /// The JWKS could not be fetched.
    Transport(ureq::Error),
    /// The token is refused.
    Invalid(cognito_flows::verify::VerifyError),
}

impl fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "could not fetch the JWKS: {e}"),
            Self::Invalid(e) => write!(f, "invalid token: {e}"),
        }
    }
}

impl std::error::Error for VerifyFailure {}

/// Verifies `token` with `verifier`, fetching the pool's JWKS with `agent` when the verifier
/// asks (at most once per refetch interval), at the system clock's time.
pub fn verify(
    agent: &ureq::Agent,
    verifier: &mut cognito_flows::verify::Verifier,
    token: &str,
) -> Result<cognito_flows::tokens::Claims, VerifyFailure> {
    use cognito_flows::verify::Verification;
    for _ in 0..2 {
        let now = SystemTime::now();
        match verifier.verify(token, now) {
            Verification::Valid(claims) => return Ok(claims),
            Verification::Invalid(e) => return Err(VerifyFailure::Invalid(e)),
            Verification::FetchKeys(request) => {
                let response = send(agent, *request).map_err(VerifyFailure::Transport)?;
                verifier
                    .handle_jwks_response(now, response)
                    .map_err(VerifyFailure::Invalid)?;
            }
            _ => break,
        }
    }
    Err(VerifyFailure::Invalid(
        cognito_flows::verify::VerifyError::UnknownKey(String::new()),
    ))
}
