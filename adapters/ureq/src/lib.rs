//! A blocking driver for [`cognito_flows`] over [ureq] 3: the loop that performs the I/O the
//! Sans-IO flows ask for. It holds no flow logic of its own.
//!
//! It is also the one place, with the async adapter, that reads the system clock and the
//! operating system's randomness (see [`entropy`]).
//!
//! ```no_run
//! use cognito_flows::{SignIn, UserPool};
//! use cognito_flows_ureq::{agent, drive, entropy};
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let flow = SignIn::user_srp(&pool, "alice", "correct horse", entropy()?);
//! let signed_in = drive(&agent(), flow, |prompt| -> Result<_, std::io::Error> {
//!     unimplemented!("ask the user: {prompt:?}")
//! })?;
//! println!("{}", signed_in.tokens.access_token.claims().sub().unwrap_or_default());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use cognito_flows::{Action, Entropy, Flow, Input, Prompt};

/// Why driving a flow stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum DriveError<P = std::convert::Infallible> {
    /// The request could not be sent or its response not read.
    Transport(ureq::Error),
    /// Cognito refused, answered something unusable, or an input did not fit the flow.
    Auth(cognito_flows::Error),
    /// The prompt callback gave up.
    Prompt(P),
}

impl<P: fmt::Display> fmt::Display for DriveError<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "could not reach Cognito: {e}"),
            Self::Auth(e) => e.fmt(f),
            Self::Prompt(e) => write!(f, "prompt failed: {e}"),
        }
    }
}

impl<P: std::error::Error + 'static> std::error::Error for DriveError<P> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(e) => Some(e),
            Self::Auth(e) => Some(e),
            Self::Prompt(e) => Some(e),
        }
    }
}

impl<P> From<cognito_flows::Error> for DriveError<P> {
    fn from(e: cognito_flows::Error) -> Self {
        Self::Auth(e)
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

/// Drives `flow` to its end: sends its requests with `agent`, asks `answer` for its prompts,
/// and returns its outcome.
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

/// [`drive`] with your own transport (to log, record or rewrite requests).
pub fn drive_with<F: Flow, P>(
    mut transport: impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, ureq::Error>,
    mut flow: F,
    mut answer: impl FnMut(Prompt) -> Result<Input, P>,
) -> Result<F::Output, DriveError<P>> {
    loop {
        match flow.poll_action() {
            Action::Send(request) => {
                let response = transport(request).map_err(DriveError::Transport)?;
                // The clock is read when the answer arrives: SRP's TIMESTAMP and token expiry.
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
            _ => {
                return Err(DriveError::Auth(cognito_flows::Error::Misuse(
                    cognito_flows::Misuse::Finished,
                )));
            }
        }
    }
}
