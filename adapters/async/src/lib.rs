//! An async driver for [`cognito_flows`] that runs on any executor: it needs a [`Transport`]
//! (send a request, get a response) and a [`Sleep`] (for the waits between retries), nothing
//! else. With the default `reqwest` feature, [`ReqwestTransport`] and [`TokioSleep`] are ready
//! to use, and [`Client::reqwest`] builds a client on them.
//!
//! The driver runs a flow over [`cognito_flows::retry::Retrying`]: the retry rules, the waits
//! and every flow's logic live in the core, and what to do next is decided in one place
//! ([`Job`]). The blocking adapter (`cognito-flows-ureq`) uses this same [`Driver`] and
//! [`Client`] on a [`Blocking`] transport: there each run is a plain loop and returns its
//! result, here it is a future ([`Running`]). The settings ([`Driver::with_retry_policy`],
//! [`Driver::with_clock`], ...), the [`Client`] methods, [`DriveError`], [`PromptError`] and
//! [`UnexpectedPrompt`] are written once for both.
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
mod driver;
mod error;
mod session_file;
mod verify;

use std::future::Future;
use std::time::Duration;

use cognito_flows::retry::TransportFailure;
use cognito_flows::{Entropy, Input, Prompt};

pub use crate::client::{Call, Client, Run};
pub use crate::driver::{Ask, Drive, Driver, Job, Refuse, Running};
pub use crate::error::{DriveError, PromptError, UnexpectedPrompt};
pub use crate::session_file::{load_session, save_session, write_private};
pub use crate::verify::{JWKS_TIMEOUT, hydrate, verify};

/// Sends a request and reads the whole response. Implemented for async closures
/// `Fn(http::Request<Vec<u8>>) -> impl Future<Output = Result<http::Response<Vec<u8>>, E>>`.
pub trait Transport {
    /// The transport's error.
    type Error;

    /// The future of one request (named, so that a run's future is `Send` when it is).
    type Sending: Future<Output = Result<http::Response<Vec<u8>>, Self::Error>>;

    /// Sends `request`.
    fn send(&self, request: http::Request<Vec<u8>>) -> Self::Sending;

    /// Whether `error` happened before the request left (so that resending it is safe).
    /// The default, `false`, only retries what may safely be repeated.
    fn not_sent(&self, error: &Self::Error) -> bool {
        let _ = error;
        false
    }

    /// How `error` failed the request, as the retry rules need it: from [`not_sent`](Self::not_sent).
    fn failure(&self, error: &Self::Error) -> TransportFailure {
        failure(self.not_sent(error))
    }
}

fn failure(not_sent: bool) -> TransportFailure {
    if not_sent {
        TransportFailure::NotSent
    } else {
        TransportFailure::MaybeSent
    }
}

impl<F, Fut, E> Transport for F
where
    F: Fn(http::Request<Vec<u8>>) -> Fut,
    Fut: Future<Output = Result<http::Response<Vec<u8>>, E>>,
{
    type Error = E;
    type Sending = Fut;

    fn send(&self, request: http::Request<Vec<u8>>) -> Fut {
        self(request)
    }
}

/// Waits, for retry backoff. Implemented for closures `Fn(Duration) -> impl Future<Output = ()>`.
///
/// The wait must let the time pass: after it the driver reads the clock, and a wait that ended
/// early goes on for what is left.
pub trait Sleep {
    /// The future of one wait.
    type Sleeping: Future<Output = ()>;

    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> Self::Sleeping;
}

impl<F, Fut> Sleep for F
where
    F: Fn(Duration) -> Fut,
    Fut: Future<Output = ()>,
{
    type Sleeping = Fut;

    fn sleep(&self, duration: Duration) -> Fut {
        self(duration)
    }
}

/// Sends a request and reads the whole response, blocking: the transport of a blocking
/// [`Driver`] (wrapped in [`Blocking`]). Implemented for closures
/// `Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, E>`; `cognito-flows-ureq`
/// implements it on ureq.
pub trait BlockingTransport {
    /// The transport's error.
    type Error;

    /// Sends `request`.
    fn send(&self, request: http::Request<Vec<u8>>)
    -> Result<http::Response<Vec<u8>>, Self::Error>;

    /// Fetches a JWKS: [`send`](Self::send) by default. A transport that can should give up
    /// after [`JWKS_TIMEOUT`] and stop reading past
    /// [`MAX_JWKS_BYTES`](cognito_flows::verify::MAX_JWKS_BYTES) (a larger answer is refused
    /// all the same).
    fn fetch_jwks(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, Self::Error> {
        self.send(request)
    }

    /// Whether `error` happened before the request left (so that resending it is safe).
    /// The default, `false`, only retries what may safely be repeated.
    fn not_sent(&self, error: &Self::Error) -> bool {
        let _ = error;
        false
    }

    /// How `error` failed the request, as the retry rules need it: from [`not_sent`](Self::not_sent).
    fn failure(&self, error: &Self::Error) -> TransportFailure {
        failure(self.not_sent(error))
    }
}

impl<F, E> BlockingTransport for F
where
    F: Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, E>,
{
    type Error = E;

    fn send(&self, request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, E> {
        self(request)
    }
}

/// Waits, blocking, for retry backoff. Implemented for closures `Fn(Duration)`; [`ThreadSleep`]
/// is `std::thread::sleep`. The wait must let the time pass.
pub trait BlockingSleep {
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration);
}

impl<F: Fn(Duration)> BlockingSleep for F {
    fn sleep(&self, duration: Duration) {
        self(duration);
    }
}

/// [`BlockingSleep`] with `std::thread::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleep;

impl BlockingSleep for ThreadSleep {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// A [`BlockingTransport`] as a [`Driver`]'s transport: the driver's runs then block and
/// return their result, where with a [`Transport`] they are futures.
#[derive(Debug, Clone, Copy, Default)]
pub struct Blocking<T>(pub T);

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

#[cfg(feature = "reqwest")]
mod reqwest_transport {
    use std::future::Future;
    use std::pin::Pin;
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

        type Sending =
            Pin<Box<dyn Future<Output = Result<http::Response<Vec<u8>>, reqwest::Error>> + Send>>;

        fn send(&self, request: http::Request<Vec<u8>>) -> Self::Sending {
            let client = self.client.clone();
            Box::pin(async move {
                let request = reqwest::Request::try_from(request)?;
                let response = client.execute(request).await?;
                let status = response.status();
                let headers = response.headers().clone();
                let body = response.bytes().await?.to_vec();
                let mut out = http::Response::new(body);
                *out.status_mut() = status;
                *out.headers_mut() = headers;
                Ok(out)
            })
        }

        fn not_sent(&self, error: &reqwest::Error) -> bool {
            error.is_connect()
        }
    }

    /// [`Sleep`](crate::Sleep) with `tokio::time::sleep`.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct TokioSleep;

    impl crate::Sleep for TokioSleep {
        type Sleeping = tokio::time::Sleep;

        fn sleep(&self, duration: Duration) -> tokio::time::Sleep {
            tokio::time::sleep(duration)
        }
    }
}

#[cfg(feature = "reqwest")]
pub use reqwest_transport::{ReqwestTransport, TokioSleep};
