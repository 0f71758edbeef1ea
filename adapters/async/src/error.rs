//! Why driving a flow stopped, and what a prompt callback may fail with: one shape for this crate
//! and the blocking adapter (`cognito-flows-ureq` uses these very types).

use std::fmt;

use cognito_flows::Prompt;

/// What a prompt callback fails with: any error, boxed. `?` converts any `std::error::Error`
/// (an `io::Error` from a terminal, ...), and `.into()` a `String` or a `&str`:
///
/// ```
/// use cognito_flows::{Input, Prompt};
/// use cognito_flows_async::PromptError;
///
/// fn answer(prompt: Prompt) -> Result<Input, PromptError> {
///     match prompt {
///         Prompt::TotpCode { .. } => Ok(Input::code(std::fs::read_to_string("code.txt")?)),
///         other => Err(format!("cannot answer {}", other.kind()).into()),
///     }
/// }
/// # let _ = answer;
/// ```
pub type PromptError = Box<dyn std::error::Error + Send + Sync>;

/// A flow asked something where none was expected: what [`no_prompt`](crate::no_prompt) answers
/// every prompt with. Single calls and refreshes never prompt; a sign-in of a user without MFA
/// does not either. Find it in a [`DriveError`] with [`DriveError::unexpected_prompt`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnexpectedPrompt(pub &'static str);

impl UnexpectedPrompt {
    /// The refusal of `prompt`.
    pub fn of(prompt: &Prompt) -> Self {
        Self(prompt.kind())
    }
}

impl fmt::Display for UnexpectedPrompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected prompt for {}", self.0)
    }
}

impl std::error::Error for UnexpectedPrompt {}

/// Why driving a flow stopped. `T` is the transport's error.
#[derive(Debug)]
#[non_exhaustive]
pub enum DriveError<T> {
    /// The request could not be sent or its response not read (after the retries allowed).
    Transport(T),
    /// Cognito refused, answered something unusable, or an input did not fit the flow.
    Auth(cognito_flows::Error),
    /// The prompt callback gave up.
    Prompt(PromptError),
    /// The operating system had no randomness to give (to seed a flow or the retries' jitter).
    Entropy(getrandom::Error),
    /// The session has expired and holds no refresh token: the user must sign in again.
    SignedOut,
    /// Reading or writing the saved session failed.
    Storage(std::io::Error),
}

impl<T: fmt::Display> fmt::Display for DriveError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "could not reach Cognito: {e}"),
            Self::Auth(e) => e.fmt(f),
            Self::Prompt(e) => write!(f, "prompt failed: {e}"),
            Self::Entropy(e) => write!(f, "no randomness from the OS: {e}"),
            Self::SignedOut => {
                f.write_str("the session has expired and has no refresh token: sign in again")
            }
            Self::Storage(e) => write!(f, "the saved session: {e}"),
        }
    }
}

impl<T: std::error::Error + 'static> std::error::Error for DriveError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(e) => Some(e),
            Self::Auth(e) => Some(e),
            Self::Prompt(e) => Some(&**e),
            Self::Entropy(e) => Some(e),
            Self::SignedOut => None,
            Self::Storage(e) => Some(e),
        }
    }
}

impl<T> From<cognito_flows::Error> for DriveError<T> {
    fn from(e: cognito_flows::Error) -> Self {
        Self::Auth(e)
    }
}

impl<T> DriveError<T> {
    /// The exception kind, when Cognito answered with one.
    pub fn service_kind(&self) -> Option<&cognito_flows::ErrorKind> {
        match self {
            Self::Auth(e) => e.service_kind(),
            _ => None,
        }
    }

    /// The prompt that [`no_prompt`](crate::no_prompt) refused, when that is why the flow
    /// stopped.
    pub fn unexpected_prompt(&self) -> Option<&UnexpectedPrompt> {
        match self {
            Self::Prompt(e) => e.downcast_ref(),
            _ => None,
        }
    }
}
