//! An async driver for [`cognito_flows`] that runs on any executor: it needs a [`Transport`]
//! (send a request, get a response) and a [`Sleep`] (for retry backoff), nothing else. With the
//! default `reqwest` feature, [`ReqwestTransport`] and [`TokioSleep`] are ready to use.
//!
//! The loop is the same as the blocking adapter's, with the same retry rules
//! ([`cognito_flows::retry`]): it holds no flow logic.
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
//!     .run(flow, |prompt| async move {
//!         match prompt {
//!             Prompt::TotpCode { .. } => Ok(Input::code("123456")), // ask the user
//!             other => Err(format!("cannot answer {}", other.kind())),
//!         }
//!     })
//!     .await?;
//! # Ok(())
//! # }
//! ```

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::time::{Duration, SystemTime};

use cognito_flows::retry::{self, Attempt, Decision, RetryPolicy};
use cognito_flows::{Action, Entropy, Flow, Input, Prompt};

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

/// Why driving a flow stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum DriveError<T, P> {
    /// The transport failed (after the retries allowed).
    Transport(T),
    /// Cognito refused, answered something unusable, or an input did not fit the flow.
    Auth(cognito_flows::Error),
    /// The prompt callback gave up.
    Prompt(P),
}

impl<T: fmt::Display, P: fmt::Display> fmt::Display for DriveError<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "could not reach Cognito: {e}"),
            Self::Auth(e) => e.fmt(f),
            Self::Prompt(e) => write!(f, "prompt failed: {e}"),
        }
    }
}

impl<T: fmt::Debug + fmt::Display, P: fmt::Debug + fmt::Display> std::error::Error
    for DriveError<T, P>
{
}

impl<T, P> DriveError<T, P> {
    /// The exception kind, when Cognito answered with one.
    pub fn service_kind(&self) -> Option<&cognito_flows::ErrorKind> {
        match self {
            Self::Auth(e) => e.service_kind(),
            _ => None,
        }
    }
}

/// 32 bytes of entropy from the operating system, to seed a flow.
pub fn entropy() -> Result<Entropy, getrandom::Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)?;
    Ok(Entropy::from(seed))
}

/// A transport, a sleep, and a retry policy: drives any flow.
pub struct Driver<T, S> {
    transport: T,
    sleep: S,
    policy: RetryPolicy,
    jitter: RefCell<Box<dyn FnMut() -> u32>>,
}

impl<T: Transport, S: Sleep> Driver<T, S> {
    /// A driver with [`RetryPolicy::default`] and jitter from the OS.
    pub fn new(transport: T, sleep: S) -> Self {
        Self {
            transport,
            sleep,
            policy: RetryPolicy::default(),
            jitter: RefCell::new(Box::new(|| getrandom::u32().unwrap_or(u32::MAX / 2))),
        }
    }

    /// Another retry policy ([`RetryPolicy::none`] to disable retries).
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Another source of jitter (tests pin it).
    #[must_use]
    pub fn with_jitter(self, jitter: impl FnMut() -> u32 + 'static) -> Self {
        *self.jitter.borrow_mut() = Box::new(jitter);
        self
    }

    /// Drives `flow` to its end, asking `answer` for its prompts.
    pub async fn run<F, A, AF, P>(
        &self,
        mut flow: F,
        mut answer: A,
    ) -> Result<F::Output, DriveError<T::Error, P>>
    where
        F: Flow,
        A: FnMut(Prompt) -> AF,
        AF: Future<Output = Result<Input, P>>,
    {
        loop {
            match flow.poll_action() {
                Action::Send(request) => {
                    let response = self.send(&flow, request).await?;
                    // The clock is read when the answer arrives: SRP's TIMESTAMP, token expiry.
                    let now = SystemTime::now();
                    let _ = flow.handle_response(now, response);
                }
                Action::Prompt(prompt) => {
                    let input = answer(prompt).await.map_err(DriveError::Prompt)?;
                    flow.handle_input(input).map_err(DriveError::Auth)?;
                }
                Action::Done(outcome) => return Ok(outcome),
                Action::Failed(error) => return Err(DriveError::Auth(error)),
                Action::Wait(delay) => self.sleep.sleep(delay).await,
            }
        }
    }

    /// Verifies `token` with `verifier`, fetching the pool's JWKS through the transport when the
    /// verifier asks (at most once per refetch interval). `Err(Err(..))` is a transport error.
    pub async fn verify(
        &self,
        verifier: &mut cognito_flows::verify::Verifier,
        token: &str,
    ) -> Result<cognito_flows::tokens::Claims, Result<cognito_flows::verify::VerifyError, T::Error>>
    {
        use cognito_flows::verify::{Verification, VerifyError};
        for _ in 0..2 {
            let now = SystemTime::now();
            match verifier.verify(token, now) {
                Verification::Valid(claims) => return Ok(claims),
                Verification::Invalid(e) => return Err(Ok(e)),
                Verification::FetchKeys(request) => {
                    let response = self.transport.send(*request).await.map_err(Err)?;
                    verifier.handle_jwks_response(now, response).map_err(Ok)?;
                }
                _ => break,
            }
        }
        Err(Ok(VerifyError::UnknownKey(String::new())))
    }

    async fn send<F: Flow, P>(
        &self,
        flow: &F,
        first: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, DriveError<T::Error, P>> {
        let operation = cognito_flows::wire::Operation::of(&first);
        let mut request = first;
        let mut attempt = 1;
        loop {
            let result = self.transport.send(request).await;
            let outcome = match &result {
                Ok(response) => retry::classify(response),
                Err(e) if self.transport.not_sent(e) => Attempt::NotSent,
                Err(_) => Attempt::Failed,
            };
            let decision = match operation {
                Some(op) => self
                    .policy
                    .decide(attempt, op, outcome, (self.jitter.borrow_mut())()),
                None => Decision::GiveUp,
            };
            match decision {
                Decision::Retry(delay) => self.sleep.sleep(delay).await,
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
