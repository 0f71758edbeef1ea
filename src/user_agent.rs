//! The `x-amz-user-agent` header: the library's name and version, and what the caller appends,
//! as the JS SDK's `appendToCognitoUserAgent` does (it sends `X-Amz-User-Agent:
//! aws-amplify/<version> js` plus the appended words; `User-Agent` stays the HTTP client's).
//!
//! The adapters' drivers set it on every request they send
//! (`cognito_flows_async::Driver::with_user_agent`, and the `Client`s' `with_user_agent`); a
//! hand-written loop calls [`UserAgent::apply`]. The flows themselves do not add it, so the
//! bytes a flow emits do not depend on who drives it.
//!
//! ```
//! use cognito_flows::UserAgent;
//!
//! let agent = UserAgent::default().append("my-app/2.1")?;
//! assert_eq!(agent.as_str(), concat!("cognito-flows/", env!("CARGO_PKG_VERSION"), " my-app/2.1"));
//! // A value that would end the header line is refused.
//! assert!(UserAgent::default().append("x\r\nAuthorization: forged").is_err());
//! # Ok::<(), cognito_flows::InvalidUserAgent>(())
//! ```

use std::fmt;

/// The header's name.
pub const HEADER: &str = "x-amz-user-agent";

/// The value of `x-amz-user-agent`: `cognito-flows/<version>`, then each appended part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgent {
    value: String,
}

impl Default for UserAgent {
    /// `cognito-flows/<version>`.
    fn default() -> Self {
        Self {
            value: concat!("cognito-flows/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// An appended part that cannot go into a header: empty, too long, or with a byte that is not
/// printable ASCII (a CR or LF would end the header line and start another).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidUserAgent {
    /// The offending byte's position, or `None` when the part is empty or too long.
    pub position: Option<usize>,
}

impl fmt::Display for InvalidUserAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(at) => write!(
                f,
                "the user agent has a byte that is not printable ASCII at {at}"
            ),
            None => write!(
                f,
                "the user agent part is empty or longer than {MAX_PART} bytes"
            ),
        }
    }
}

impl std::error::Error for InvalidUserAgent {}

/// The longest part one may append.
pub const MAX_PART: usize = 256;

impl UserAgent {
    /// Appends `part` (e.g. `my-app/2.1`), after a space. It must be printable ASCII (spaces
    /// included), 1 to [`MAX_PART`] bytes after trimming.
    pub fn append(mut self, part: &str) -> Result<Self, InvalidUserAgent> {
        let part = part.trim_matches(' ');
        if part.is_empty() || part.len() > MAX_PART {
            return Err(InvalidUserAgent { position: None });
        }
        if let Some(at) = part.bytes().position(|b| !(b' '..=b'~').contains(&b)) {
            return Err(InvalidUserAgent { position: Some(at) });
        }
        self.value.push(' ');
        self.value.push_str(part);
        Ok(self)
    }

    /// The header's value.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Sets `x-amz-user-agent` on `request` (replacing one already there).
    ///
    /// ```
    /// use cognito_flows::{Action, Entropy, Flow, SignIn, UserAgent, UserPool};
    ///
    /// let pool = UserPool::new("us-east-1_AbC123", "client")?;
    /// let flow = SignIn::user_srp(&pool, "alice", "pw", Entropy::from([1; 32]));
    /// let Action::Send(mut request) = flow.poll_action() else { unreachable!() };
    /// UserAgent::default().append("my-app/2.1")?.apply(&mut request);
    /// assert!(request.headers()["x-amz-user-agent"].to_str()?.ends_with(" my-app/2.1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply<B>(&self, request: &mut http::Request<B>) {
        // Printable ASCII only (checked by `append`): always a valid header value.
        if let Ok(value) = http::HeaderValue::from_str(&self.value) {
            request.headers_mut().insert(HEADER, value);
        }
    }
}

impl fmt::Display for UserAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_printable_ascii_is_appended() {
        for bad in ["", "   ", "a\rb", "a\nb", "tab\there", "caf\u{e9}", "nul\0"] {
            assert!(UserAgent::default().append(bad).is_err(), "{bad:?}");
        }
        let long = "x".repeat(MAX_PART + 1);
        assert!(UserAgent::default().append(&long).is_err());
        let agent = UserAgent::default()
            .append(" a/1 ")
            .and_then(|a| a.append("b/2 (linux)"));
        assert_eq!(
            agent.map(|a| a.to_string()),
            Ok(format!(
                "cognito-flows/{} a/1 b/2 (linux)",
                env!("CARGO_PKG_VERSION")
            ))
        );
    }
}
