//! An async driver for [`cognito_flows`] that runs on any executor: it needs a [`Transport`]
//! (send a request, get a response) and a [`Sleep`] (for the waits between retries), nothing
//! else. With the default `reqwest` feature, [`ReqwestTransport`] and [`TokioSleep`] are ready
//! to use, and [`Client::new`] builds a client on them.
//!
//! The driver is one loop over [`cognito_flows::retry::Retrying`]: the retry rules, the waits
//! and every flow's logic live in the core. The blocking adapter (`cognito-flows-ureq`) runs this
//! same loop with a transport that never waits, and shares its [`DriveError`], [`PromptError`],
//! [`UnexpectedPrompt`] and [`Client`] method list.
//!
//! [`Driver`], [`Client`] and the futures of their methods are `Send` whenever the transport and
//! the sleep are (and `Sync`, as methods take `&self`), so `tokio::spawn` and axum handlers take
//! them.
//!
//! ```no_run
//! # #[cfg(feature = "reqwest")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_flows::{Input, Prompt, SignIn, UserPool};
//! use cognito_flows_async::{Driver, ReqwestTransport, TokioSleep, entropy};
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let driver = Driver::new(ReqwestTransport::new()?, TokioSleep);
//! let flow = SignIn::user_srp(&pool, "alice", "correct horse", entropy()?);
//! let signed_in = driver
//!     .run(flow, async |prompt| match prompt {
//!         Prompt::TotpCode { .. } => Ok(Input::code("123456")), // ask the user
//!         other => Err(format!("cannot answer {}", other.kind()).into()),
//!     })
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! A flow that should never prompt (a single call, a refresh, a sign-in without MFA) takes
//! [`no_prompt`]; a prompt then ends it with [`DriveError::Prompt`] holding an
//! [`UnexpectedPrompt`] ([`DriveError::unexpected_prompt`]).

mod client;
mod error;
mod session_file;

mod verify;

pub use crate::verify::{JWKS_TIMEOUT, hydrate, verify};

use std::future::Future;
use std::time::{Duration, SystemTime};

use cognito_flows::retry::{Decision, RetryPolicy, Retrying, TransportFailure};
use cognito_flows::{Action, Entropy, Flow, Input, Prompt, UserAgent};

pub use crate::client::Client;
pub use crate::error::{DriveError, PromptError, UnexpectedPrompt};
pub use crate::session_file::{load_session, save_session};

#[doc(hidden)]
pub mod __private {
    pub use cognito_flows;
    pub use serde_json;
}

/// Sends a request and reads the whole response. Implemented for async closures
/// `Fn(http::Request<Vec<u8>>) -> impl Future<Output = Result<http::Response<Vec<u8>>, E>>`.
pub trait Transport {
    /// The transport's error.
    type Error;

    /// Sends `request`.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, Self::Error>>;

    /// Whether `error` happened before the request left (so that resending it is safe).
    /// The default, `false`, only retries what may safely be repeated.
    fn not_sent(&self, error: &Self::Error) -> bool {
        let _ = error;
        false
    }

    /// How `error` failed the request, as the retry rules need it: from [`not_sent`](Self::not_sent).
    fn failure(&self, error: &Self::Error) -> TransportFailure {
        if self.not_sent(error) {
            TransportFailure::NotSent
        } else {
            TransportFailure::MaybeSent
        }
    }
}

impl<F, Fut, E> Transport for F
where
    F: Fn(http::Request<Vec<u8>>) -> Fut,
    Fut: Future<Output = Result<http::Response<Vec<u8>>, E>>,
{
    type Error = E;

    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, E>> {
        self(request)
    }
}

/// Waits, for retry backoff. Implemented for closures `Fn(Duration) -> impl Future<Output = ()>`.
///
/// The wait must let the time pass: after it the driver reads the clock, and a wait that ended
/// early goes on for what is left.
pub trait Sleep {
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()>;
}

impl<F, Fut> Sleep for F
where
    F: Fn(Duration) -> Fut,
    Fut: Future<Output = ()>,
{
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        self(duration)
    }
}

/// 32 bytes of entropy from the operating system, to seed a flow.
pub fn entropy() -> Result<Entropy, getrandom::Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)?;
    Ok(Entropy::from(seed))
}

/// A prompt callback for flows that should never prompt: it refuses every prompt with
/// [`UnexpectedPrompt`].
///
/// ```no_run
/// # #[cfg(feature = "reqwest")]
/// # async fn demo(session: &mut cognito_flows::StoredSession) -> Result<(), Box<dyn std::error::Error>> {
/// use cognito_flows::{UserPool, flows::account};
/// use cognito_flows_async::{Driver, ReqwestTransport, TokioSleep, no_prompt};
///
/// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
/// let driver = Driver::new(ReqwestTransport::new()?, TokioSleep);
/// let user = driver.run(account::get_user(&pool, &session.tokens.access_token), no_prompt).await?;
/// # Ok(())
/// # }
/// ```
pub async fn no_prompt(prompt: Prompt) -> Result<Input, PromptError> {
    Err(Box::new(UnexpectedPrompt::of(&prompt)))
}

/// A transport, a sleep, and a retry policy: drives any flow.
#[derive(Debug, Clone)]
pub struct Driver<T, S> {
    transport: T,
    sleep: S,
    policy: RetryPolicy,
    jitter: Option<Entropy>,
    user_agent: UserAgent,
    clock: fn() -> SystemTime,
}

impl<T, S> Driver<T, S> {
    /// A driver with [`RetryPolicy::default`], jitter seeded from the OS at each run, and the
    /// default [`UserAgent`].
    pub fn new(transport: T, sleep: S) -> Self {
        Self {
            transport,
            sleep,
            policy: RetryPolicy::default(),
            jitter: None,
            user_agent: UserAgent::default(),
            clock: SystemTime::now,
        }
    }

    /// Reads the time from `clock`, not the system clock: when answers arrive, when waits end,
    /// and when [`Client::get_session`] checks the tokens. Tests move it with the emulator's.
    #[must_use]
    pub fn with_clock(mut self, clock: fn() -> SystemTime) -> Self {
        self.clock = clock;
        self
    }

    /// The time, from the driver's clock ([`Driver::with_clock`]; the system clock by default).
    pub fn now(&self) -> SystemTime {
        (self.clock)()
    }

    /// The `x-amz-user-agent` set on every request this driver sends (default
    /// `cognito-flows/<version>`; [`UserAgent::append`] adds yours, as the JS SDK's
    /// `appendToCognitoUserAgent` does). `User-Agent` stays the transport's.
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: UserAgent) -> Self {
        self.user_agent = user_agent;
        self
    }

    /// Another retry policy ([`RetryPolicy::none`] to disable retries).
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Seeds the retries' jitter with `seed` at every run, not from the OS (tests fix it, and
    /// the waits are then reproducible).
    #[must_use]
    pub fn with_jitter_seed(mut self, seed: Entropy) -> Self {
        self.jitter = Some(seed);
        self
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// `flow` with this driver's retries.
    fn retrying<F: Flow>(&self, flow: F) -> Result<Retrying<F>, getrandom::Error> {
        if self.policy.max_attempts <= 1 {
            return Ok(Retrying::without_retries(flow));
        }
        let seed = match &self.jitter {
            Some(seed) => seed.clone(),
            None => entropy()?,
        };
        Ok(Retrying::new(flow, self.policy, seed))
    }
}

impl<T: Transport, S: Sleep> Driver<T, S> {
    /// Drives `flow` to its end, asking `answer` for its prompts ([`no_prompt`] when there
    /// should be none). A service error the user can correct (a wrong code) comes back to
    /// `answer` as the same prompt, carrying the error; any other error ends the flow.
    pub async fn run<F: Flow, A: Future<Output = Result<Input, PromptError>>>(
        &self,
        flow: F,
        mut answer: impl FnMut(Prompt) -> A,
    ) -> Result<F::Output, DriveError<T::Error>> {
        let mut flow = self.retrying(flow).map_err(DriveError::Entropy)?;
        loop {
            // The clock is read when an answer arrives (SRP's TIMESTAMP, token expiry) and when
            // a wait ends. Errors come back from the next poll: Failed, or the prompt again.
            match flow.poll_action() {
                Action::Send(mut request) => {
                    self.user_agent.apply(&mut request);
                    match self.transport.send(request).await {
                        Ok(response) => drop(flow.handle_response(self.now(), response)),
                        Err(e) => self.lost(&mut flow, e)?,
                    }
                }
                Action::Wait(delay) => {
                    self.sleep.sleep(delay).await;
                    flow.handle_timeout(self.now());
                }
                Action::Prompt(prompt) => {
                    // A callback is stamped with the time it arrived (implicit tokens' drift).
                    let input = answer(prompt).await.map_err(DriveError::Prompt)?;
                    flow.handle_input(input.at(self.now()))?;
                }
                Action::Done(outcome) => return Ok(outcome),
                Action::Failed(error) => return Err(DriveError::Auth(error)),
            }
        }
    }

    /// The request failed in the transport: the flow waits and sends it again when the rules
    /// allow; otherwise the failure is reported.
    fn lost<F: Flow>(
        &self,
        flow: &mut Retrying<F>,
        error: T::Error,
    ) -> Result<(), DriveError<T::Error>> {
        match flow.handle_transport_error(self.now(), self.transport.failure(&error)) {
            Decision::Retry(_) => Ok(()),
            Decision::GiveUp => Err(DriveError::Transport(error)),
        }
    }
}

#[cfg(feature = "reqwest")]
mod reqwest_transport {
    use std::future::Future;
    use std::time::Duration;

    /// A [`Transport`](crate::Transport) on reqwest (rustls), redirects off, 30 s timeout.
    #[derive(Debug, Clone)]
    pub struct ReqwestTransport {
        client: reqwest::Client,
    }

    impl ReqwestTransport {
        /// A transport with its own client.
        pub fn new() -> Result<Self, reqwest::Error> {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .connect_timeout(Duration::from_secs(10))
                .user_agent(concat!("cognito-flows-async/", env!("CARGO_PKG_VERSION")))
                .build()?;
            Ok(Self { client })
        }

        /// A transport on your client (keep redirects off).
        pub fn with_client(client: reqwest::Client) -> Self {
            Self { client }
        }
    }

    impl crate::Transport for ReqwestTransport {
        type Error = reqwest::Error;

        fn send(
            &self,
            request: http::Request<Vec<u8>>,
        ) -> impl Future<Output = Result<http::Response<Vec<u8>>, reqwest::Error>> {
            let client = self.client.clone();
            async move {
                let request = reqwest::Request::try_from(request)?;
                let response = client.execute(request).await?;
                let status = response.status();
                let headers = response.headers().clone();
                let body = response.bytes().await?.to_vec();
                let mut out = http::Response::new(body);
                *out.status_mut() = status;
                *out.headers_mut() = headers;
                Ok(out)
            }
        }

        fn not_sent(&self, error: &reqwest::Error) -> bool {
            error.is_connect()
        }
    }

    /// [`Sleep`](crate::Sleep) with `tokio::time::sleep`.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct TokioSleep;

    impl crate::Sleep for TokioSleep {
        fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
            tokio::time::sleep(duration)
        }
    }
}

#[cfg(feature = "reqwest")]
pub use reqwest_transport::{ReqwestTransport, TokioSleep};
