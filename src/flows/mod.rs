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

pub mod sign_in;

use std::collections::BTreeMap;
use std::time::SystemTime;

use crate::error::{Error, ServiceError};

pub use self::sign_in::{SignIn, SignedIn};

/// What a flow needs next.
#[derive(Debug)]
#[non_exhaustive]
pub enum Action<O> {
    /// Send this request and give the response to [`Flow::handle_response`].
    Send(http::Request<Vec<u8>>),
    /// Ask the user and give the answer to [`Flow::handle_input`].
    Prompt(Prompt),
    /// The flow has finished with this outcome.
    Done(O),
    /// The flow has failed for good with this error (the one `handle_*` returned).
    Failed(Error),
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
///             Action::Done(outcome) => return Ok(Ok(outcome)),
///             Action::Failed(error) => return Ok(Err(error)),
///             _ => unreachable!("Action is non_exhaustive; these are all its variants today"),
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
}

/// Something only the user (or the application) can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Prompt {
    /// A challenge this version has no typed prompt for. Answer with [`Input::Challenge`]:
    /// the responses Cognito expects for it (the flow adds `USERNAME` and `SECRET_HASH`).
    Challenge {
        /// `ChallengeName`, e.g. `CUSTOM_CHALLENGE`.
        name: String,
        /// `ChallengeParameters`, untouched.
        parameters: BTreeMap<String, String>,
        /// The error of the previous answer, when the user may try again.
        error: Option<ServiceError>,
    },
}

impl Prompt {
    /// A short name for the prompt, used in misuse errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Challenge { .. } => "a challenge answer",
        }
    }
}

/// The user's answer to a [`Prompt`].
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// Answers to a [`Prompt::Challenge`]: `ChallengeResponses` without `USERNAME` and
    /// `SECRET_HASH`, which the flow adds.
    Challenge(BTreeMap<String, String>),
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Answers are codes and passwords: print only which input it is.
        f.write_str(self.kind())
    }
}

impl Input {
    /// A short name for the input, used in misuse errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Challenge(_) => "a challenge answer",
        }
    }
}
