//! A blocking driver for [`cognito_flows`] over [ureq] 3: the loop that performs the I/O the
//! Sans-IO flows ask for, with the core's retries ([`cognito_flows::retry`]). It holds no flow
//! or retry logic of its own: it runs the async adapter's one loop
//! ([`cognito_flows_async::Driver`]) over a blocking transport, so nothing ever waits for a
//! wake-up, and shares its [`DriveError`], [`PromptError`], [`UnexpectedPrompt`] and [`Client`]
//! method list.
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
//!     other => Err(format!("cannot answer {}", other.kind()).into()),
//! })?;
//! let user = client.get_user(&signed_in.tokens.access_token)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A flow that should never prompt (a single call, a refresh, a sign-in without MFA) takes
//! [`no_prompt`]; a prompt then ends it with [`DriveError::Prompt`] holding an
//! [`UnexpectedPrompt`]. A callback that cannot be reached may simply panic:
//!
//! ```no_run
//! # let client = cognito_flows_ureq::Client::new(cognito_flows::UserPool::new("us-east-1_AbC123", "c")?);
//! let signed_in = client.sign_in_password("alice", "correct horse", |p| panic!("{p:?}"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # TOTP setup with an access token
//!
//! A signed-in user adds an authenticator app: associate a secret, show it (or its QR code),
//! verify the app's first code, and make TOTP the user's MFA. The next sign-in asks for a code
//! ([`Prompt::TotpCode`]). This runs against the embedded emulator:
//!
//! ```
//! # use cognito_flows_emulator::{ClientConfig, Emulator, EmulatorConfig, Mfa, PoolConfig};
//! use cognito_flows::flows::account::MfaPreferences;
//! use cognito_flows::wire::MfaSettings;
//! use cognito_flows::{Input, Prompt, UserPool, totp};
//! use cognito_flows_ureq::{Client, no_prompt};
//!
//! # let emulator = Emulator::start(EmulatorConfig::default())?;
//! # let pool_id = emulator.create_user_pool(PoolConfig { mfa: Mfa::Optional, ..PoolConfig::default() });
//! # let app = emulator.create_client(&pool_id, ClientConfig::default()).unwrap();
//! # emulator.admin_create_user(&pool_id, "alice", "Corr3ct-Horse!", &[]).unwrap();
//! # let pool = UserPool::new(&pool_id, app.id)?.with_endpoint(emulator.endpoint())?;
//! let client = Client::new(pool);
//! let signed_in = client.sign_in_srp("alice", "Corr3ct-Horse!", no_prompt)?;
//! let access = &signed_in.tokens.access_token;
//!
//! let associated = client.associate_software_token(access)?;
//! let secret = associated.secret_code.ok_or("no secret")?;
//! let qr_code = totp::otpauth_uri(secret.expose(), "Example", "alice"); // show it to the user
//! # let _ = qr_code;
//! // The user types the code their app shows; here we compute it.
//! let code = totp::code(secret.expose(), std::time::SystemTime::now())?;
//! client.verify_software_token(access, code.expose(), Some("Phone"))?;
//! let totp_first = MfaSettings { enabled: true, preferred_mfa: true };
//! client.set_user_mfa_preference(access, MfaPreferences { totp: Some(totp_first), ..Default::default() })?;
//!
//! let mut asked = 0;
//! client.sign_in_srp("alice", "Corr3ct-Horse!", |prompt| match prompt {
//!     Prompt::TotpCode { .. } => {
//!         asked += 1;
//!         Ok(Input::Code(totp::code(secret.expose(), std::time::SystemTime::now())?))
//!     }
//!     other => Err(format!("cannot answer {}", other.kind()).into()),
//! })?;
//! assert_eq!(asked, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Passkeys
//!
//! A signed-in user registers a passkey (Amplify's `associateWebAuthnCredential`): Cognito's
//! creation options go to the authenticator (`navigator.credentials.create` in a browser, a
//! platform API in an app), and what it returns, the `PublicKeyCredential` as JSON, goes back.
//! Then the user signs in with it alone: `USER_AUTH` preferring `WEB_AUTHN`
//! ([`Client::sign_in_passkey`]) prompts with [`Prompt::WebAuthn`], whose request options go to
//! the authenticator (`navigator.credentials.get`), and the assertion is the answer. The
//! credential's private key never leaves the authenticator; the library only passes JSON through.
//! This runs against the embedded emulator, with a software authenticator in the browser's place:
//!
//! ```
//! # use cognito_flows_emulator::{ClientConfig, Emulator, EmulatorConfig, PoolConfig, WebAuthnConfig};
//! # use cognito_flows_testkit::passkey::SoftwareAuthenticator;
//! use cognito_flows::{Input, Prompt, UserPool};
//! use cognito_flows_ureq::{Client, no_prompt};
//!
//! # let emulator = Emulator::start(EmulatorConfig::default())?;
//! # let web_authn = WebAuthnConfig { relying_party_id: "example.com".into(), ..WebAuthnConfig::default() };
//! # let pool_id = emulator.create_user_pool(PoolConfig { web_authn, ..PoolConfig::default() });
//! # let app = emulator.create_client(&pool_id, ClientConfig::default()).unwrap();
//! # emulator.admin_create_user(&pool_id, "alice", "Corr3ct-Horse!", &[]).unwrap();
//! # let pool = UserPool::new(&pool_id, app.id)?.with_endpoint(emulator.endpoint())?;
//! let client = Client::new(pool);
//! let mut authenticator = SoftwareAuthenticator::new("https://app.example.com")?;
//! let signed_in = client.sign_in_srp("alice", "Corr3ct-Horse!", no_prompt)?;
//! let access = &signed_in.tokens.access_token;
//!
//! let started = client.start_web_authn_registration(access)?;
//! let credential = authenticator.create(&started.credential_creation_options)?;
//! client.complete_web_authn_registration(access, credential)?;
//! let passkeys = client.web_authn_credentials(access)?; // every page of ListWebAuthnCredentials
//! assert_eq!(passkeys.len(), 1);
//!
//! let with_passkey = client.sign_in_passkey("alice", |prompt| match prompt {
//!     Prompt::WebAuthn { credential_request_options } => {
//!         let assertion = authenticator.get(&credential_request_options)?;
//!         Ok(Input::WebAuthnCredential(assertion.to_string()))
//!     }
//!     other => Err(format!("cannot answer {}", other.kind()).into()),
//! })?;
//! assert_eq!(with_passkey.username, "alice");
//!
//! client.delete_web_authn_credential(access, &passkeys[0].credential_id)?;
//! let factors = client.get_user_auth_factors(access)?;
//! assert_eq!(factors.configured_user_auth_factors, ["PASSWORD"]);
//! # Ok::<(), cognito_flows_ureq::PromptError>(())
//! ```

mod verify;

/// The README's Rust blocks: each is compiled as a doc test, and the emulator one runs, so the
/// README stays true as pasted.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

pub use crate::verify::{JWKS_TIMEOUT, hydrate, verify};

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use cognito_flows::retry::RetryPolicy;
use cognito_flows::{Entropy, Flow, Input, Prompt, UserAgent, UserPool};
pub use cognito_flows_async::{PromptError, UnexpectedPrompt, entropy, load_session, save_session};

/// Why driving a flow stopped: the async adapter's [`DriveError`](cognito_flows_async::DriveError)
/// with ureq's transport error.
pub type DriveError = cognito_flows_async::DriveError<ureq::Error>;

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

/// A prompt callback for flows that should never prompt: it refuses every prompt with
/// [`UnexpectedPrompt`].
///
/// ```no_run
/// use cognito_flows::{UserPool, flows::account};
/// use cognito_flows_ureq::{agent, drive, no_prompt};
///
/// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
/// # let access_token = String::new();
/// let user = drive(&agent(), account::get_user(&pool, &access_token), no_prompt)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn no_prompt(prompt: Prompt) -> Result<Input, PromptError> {
    Err(Box::new(UnexpectedPrompt::of(&prompt)))
}

/// Drives `flow` to its end with `agent`, no retries: see [`Driver`] for retries.
///
/// A service error the user can correct (a wrong code) comes back to `answer` as the same prompt,
/// carrying the error; any other error ends the flow and is returned.
pub fn drive<F: Flow>(
    agent: &ureq::Agent,
    flow: F,
    answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
) -> Result<F::Output, DriveError> {
    drive_with(|request| send(agent, request), flow, answer)
}

/// [`drive`] with your own transport (to log, record or rewrite requests), no retries.
pub fn drive_with<F: Flow>(
    transport: impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, ureq::Error>,
    flow: F,
    answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
) -> Result<F::Output, DriveError> {
    Driver {
        policy: RetryPolicy::none(),
        ..Driver::default()
    }
    .run(transport, flow, answer)
}

/// The loop, with a retry policy and a sleep (so tests can record the waits instead of
/// sleeping), and the seed of the retries' jitter.
#[derive(Debug, Clone)]
pub struct Driver<S = fn(Duration)> {
    /// When to send again.
    pub policy: RetryPolicy,
    /// How to wait. It must let the time pass: after it the driver reads the clock, and a wait
    /// that ended early goes on for what is left.
    pub sleep: S,
    /// The seed of the retries' jitter: `None` draws one from the OS at each run.
    pub jitter: Option<Entropy>,
}

impl Default for Driver {
    /// [`RetryPolicy::default`], `std::thread::sleep`, jitter from the OS.
    fn default() -> Self {
        Self {
            policy: RetryPolicy::default(),
            sleep: std::thread::sleep,
            jitter: None,
        }
    }
}

impl<S: FnMut(Duration)> Driver<S> {
    /// Drives `flow` to its end with `transport`, asking `answer` for its prompts.
    pub fn run<F: Flow>(
        &mut self,
        transport: impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, ureq::Error>,
        flow: F,
        answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
    ) -> Result<F::Output, DriveError> {
        self.run_on(SystemTime::now, transport, flow, answer)
    }

    /// [`Driver::run`] reading the time from `clock`.
    fn run_on<F: Flow>(
        &mut self,
        clock: fn() -> SystemTime,
        transport: impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, ureq::Error>,
        flow: F,
        mut answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
    ) -> Result<F::Output, DriveError> {
        let mut driver = cognito_flows_async::Driver::new(
            Blocking(RefCell::new(transport)),
            Blocking(RefCell::new(&mut self.sleep)),
        )
        .with_retry_policy(self.policy)
        .with_clock(clock);
        if let Some(seed) = &self.jitter {
            driver = driver.with_jitter_seed(seed.clone());
        }
        run_to_end(driver.run(flow, |prompt| std::future::ready(answer(prompt))))
    }
}

/// A blocking transport or sleep, as the async driver's: its futures are ready at once.
struct Blocking<F>(RefCell<F>);

impl<F> cognito_flows_async::Transport for Blocking<F>
where
    F: FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, ureq::Error>,
{
    type Error = ureq::Error;

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, ureq::Error>> {
        std::future::ready((self.0.borrow_mut())(request))
    }

    fn not_sent(&self, error: &ureq::Error) -> bool {
        not_sent(error)
    }
}

impl<F: FnMut(Duration)> cognito_flows_async::Sleep for Blocking<F> {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        (self.0.borrow_mut())(duration);
        std::future::ready(())
    }
}

/// Runs a future whose every part is blocking (transport, sleep, prompt): it never waits for a
/// wake-up, so the first poll completes it. The loop only guards that invariant, so no
/// executor is needed.
fn run_to_end<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::yield_now();
    }
}

/// A user pool and an agent, with a method per flow and per account call: the blocking client
/// most applications need. Every call is retried by the rules of [`cognito_flows::retry`]. Its
/// methods are those of the async [`cognito_flows_async::Client`], from the same list.
#[derive(Debug, Clone)]
pub struct Client {
    pool: UserPool,
    agent: ureq::Agent,
    policy: RetryPolicy,
    context: cognito_flows::wire::Context,
    user_agent: UserAgent,
    clock: fn() -> SystemTime,
}

impl Client {
    /// A client with [`agent`], the default retry policy and the default [`UserAgent`].
    pub fn new(pool: UserPool) -> Self {
        Self {
            pool,
            agent: agent(),
            policy: RetryPolicy::default(),
            context: cognito_flows::wire::Context::default(),
            user_agent: UserAgent::default(),
            clock: SystemTime::now,
        }
    }

    /// The same client reading the time from `clock`, not the system clock: when answers
    /// arrive and when [`Client::get_session`] checks the tokens. Tests move it with the
    /// emulator's clock.
    #[must_use]
    pub fn with_clock(mut self, clock: fn() -> SystemTime) -> Self {
        self.clock = clock;
        self
    }

    /// The time, from the client's clock.
    pub fn now(&self) -> SystemTime {
        (self.clock)()
    }

    /// The same client sending `context` (`ClientMetadata`, `AnalyticsMetadata`,
    /// `UserContextData`) with every sign-in, password reset and account call it makes (each
    /// request carries the fields its operation takes). The client is cheap to clone: a server
    /// acting for many users sets each user's context on a clone.
    ///
    /// ```no_run
    /// use cognito_flows::UserPool;
    /// use cognito_flows::wire::{Context, UserContextData};
    /// use cognito_flows_ureq::{Client, no_prompt};
    ///
    /// let client = Client::new(UserPool::new("us-east-1_AbC123", "1example23456789")?);
    /// let for_this_user = client.clone().with_context(Context {
    ///     user_context_data: Some(UserContextData { ip_address: Some("192.0.2.1".into()), encoded_data: None }),
    ///     ..Context::default()
    /// });
    /// for_this_user.sign_in_srp("alice", "correct horse", no_prompt)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_context(mut self, context: cognito_flows::wire::Context) -> Self {
        self.context = context;
        self
    }

    /// The same client with this `x-amz-user-agent` (`User-Agent` stays the agent's).
    ///
    /// ```
    /// use cognito_flows::{UserAgent, UserPool};
    /// use cognito_flows_ureq::Client;
    ///
    /// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
    /// let client = Client::new(pool).with_user_agent(UserAgent::default().append("my-app/2.1")?);
    /// # let _ = client;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: UserAgent) -> Self {
        self.user_agent = user_agent;
        self
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
        self.policy = policy;
        self
    }

    /// The pool.
    pub fn pool(&self) -> &UserPool {
        &self.pool
    }

    /// Runs any flow, asking `answer` for its prompts.
    pub fn run<F: Flow>(
        &self,
        flow: F,
        answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
    ) -> Result<F::Output, DriveError> {
        let mut driver = Driver {
            policy: self.policy,
            ..Driver::default()
        };
        // The driver sets the default `x-amz-user-agent`; this client's replaces it.
        let transport = |mut request: http::Request<Vec<u8>>| {
            self.user_agent.apply(&mut request);
            send(&self.agent, request)
        };
        driver.run_on(self.clock, transport, flow, answer)
    }

    cognito_flows_async::__client_methods! {
        fn: {fn},
        await: {},
        generics: {},
        answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
        no_prompt: no_prompt,
        error: DriveError,
    }
}
