//! A blocking driver for [`cognito_flows`] over [ureq 3](https://docs.rs/ureq/3): the loop that
//! performs the I/O the Sans-IO flows ask for, with the core's retries
//! ([`cognito_flows::retry`]). It holds no flow or retry logic of its own: its [`Driver`] and
//! [`Client`] are the async adapter's ([`cognito_flows_async::Driver`],
//! [`cognito_flows_async::Client`]) on a [`Blocking`] transport, [`Ureq`], whose runs block and
//! return their result: the same settings, the same method list, the same [`DriveError`],
//! [`PromptError`] and [`UnexpectedPrompt`].
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
use std::time::Duration;

use cognito_flows::retry::RetryPolicy;
use cognito_flows::{Flow, Input, Prompt};
use cognito_flows_async::BlockingTransport;
pub use cognito_flows_async::{
    Blocking, PromptError, ThreadSleep, UnexpectedPrompt, entropy, load_session, save_session,
    write_private,
};

/// Why driving a flow stopped: the async adapter's [`DriveError`](cognito_flows_async::DriveError)
/// with ureq's transport error.
pub type DriveError = cognito_flows_async::DriveError<ureq::Error>;

/// The driver: [`Ureq`] as a blocking transport, `std::thread::sleep` between retries. Its
/// settings are the async driver's ([`with_retry_policy`](cognito_flows_async::Driver::with_retry_policy),
/// [`with_clock`](cognito_flows_async::Driver::with_clock), ...), its
/// [`run`](cognito_flows_async::Driver::run) blocks.
pub type Driver = cognito_flows_async::Driver<Blocking<Ureq>, ThreadSleep>;

/// A user pool and a [`Driver`], with a method per flow and per account call: the blocking client
/// most applications need. Every call is retried by the rules of [`cognito_flows::retry`]. It is
/// the async adapter's [`Client`](cognito_flows_async::Client) on [`Ureq`]: the same methods,
/// each returning its result.
///
/// The client is cheap to clone: a server acting for many users sets each user's context on a
/// clone.
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
///
/// Its `x-amz-user-agent` (`User-Agent` stays the agent's):
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
pub type Client = cognito_flows_async::Client<Blocking<Ureq>, ThreadSleep>;

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

/// The blocking transport on a ureq agent ([`agent`] by default). Keep redirects off and
/// `http_status_as_error(false)` on your own agent.
#[derive(Debug, Clone)]
pub struct Ureq {
    agent: ureq::Agent,
}

impl Default for Ureq {
    /// On [`agent`].
    fn default() -> Self {
        Self::new(agent())
    }
}

impl Ureq {
    /// On `agent` (proxies, TLS settings).
    pub fn new(agent: ureq::Agent) -> Self {
        Self { agent }
    }

    /// The agent.
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }
}

impl BlockingTransport for Ureq {
    type Error = ureq::Error;

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, ureq::Error> {
        send(&self.agent, request)
    }

    fn fetch_jwks(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, ureq::Error> {
        verify::fetch_jwks(&self.agent, request)
    }

    fn not_sent(&self, error: &ureq::Error) -> bool {
        not_sent(error)
    }
}

/// Your function that sends with ureq (to log, record or rewrite requests, or to show
/// progress), as a blocking transport whose errors are classified as [`Ureq`]'s.
#[derive(Debug, Clone, Copy)]
pub struct SendWith<F>(pub F);

impl<F> BlockingTransport for SendWith<F>
where
    F: Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, ureq::Error>,
{
    type Error = ureq::Error;

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, ureq::Error> {
        (self.0)(request)
    }

    fn not_sent(&self, error: &ureq::Error) -> bool {
        not_sent(error)
    }
}

/// A driver sending with `send`, with the default retry policy (the library's, as [`Client`]
/// has it).
pub fn driver_with<F>(send: F) -> cognito_flows_async::Driver<Blocking<SendWith<F>>, ThreadSleep>
where
    F: Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, ureq::Error>,
{
    cognito_flows_async::Driver::new(Blocking(SendWith(send)), ThreadSleep)
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

/// Drives `flow` to its end with `agent`, no retries: see [`Driver`] and [`Client`] for retries.
///
/// A service error the user can correct (a wrong code) comes back to `answer` as the same prompt,
/// carrying the error; any other error ends the flow and is returned.
pub fn drive<F>(
    agent: &ureq::Agent,
    flow: F,
    answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
) -> Result<F::Output, DriveError>
where
    F: Flow + Send,
    F::Output: Send,
{
    drive_with(|request| send(agent, request), flow, answer)
}

/// [`drive`] with your own transport (to log, record or rewrite requests), no retries: see
/// [`driver_with`] for retries.
pub fn drive_with<F>(
    transport: impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, ureq::Error>,
    flow: F,
    answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
) -> Result<F::Output, DriveError>
where
    F: Flow + Send,
    F::Output: Send,
{
    let transport = RefCell::new(transport);
    driver_with(|request| (transport.borrow_mut())(request))
        .with_retry_policy(RetryPolicy::none())
        .run(flow, answer)
}
