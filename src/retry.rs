//! When an adapter may send a request again, and after how long: bounded exponential backoff
//! with full jitter. Pure: the adapter sleeps, and brings the randomness.
//!
//! A request is sent again only when that cannot do harm:
//!
//! - it was never sent (the connection could not be made): always;
//! - Cognito refused it for throttling (`TooManyRequestsException`, `ThrottlingException`,
//!   HTTP 429): it was not processed, so always;
//! - Cognito failed (HTTP 5xx, `InternalErrorException`) or the answer was lost (a timeout, a
//!   reset connection): only operations that can be repeated safely. A `RespondToAuthChallenge`
//!   is never repeated then, since its session or code may have been consumed; nor are
//!   `ConfirmSignUp`, `ConfirmForgotPassword`, `ChangePassword`, `VerifySoftwareToken`,
//!   `VerifyUserAttribute`, `SignUp`, `DeleteUser` and `ForgetDevice`, whose second attempt
//!   would fail (or act twice) after a first one that worked.
//!
//! ```
//! use std::time::Duration;
//! use cognito_flows::retry::{Attempt, Decision, RetryPolicy};
//! use cognito_flows::wire::Operation;
//!
//! let policy = RetryPolicy::default();
//! let throttled = Attempt::Throttled;
//! match policy.decide(1, Operation::RespondToAuthChallenge, throttled, 0x8000_0000) {
//!     Decision::Retry(delay) => assert!(delay <= Duration::from_millis(200)),
//!     Decision::GiveUp => unreachable!(),
//! }
//! assert_eq!(policy.decide(1, Operation::RespondToAuthChallenge, Attempt::Failed, 0), Decision::GiveUp);
//! ```

use std::time::Duration;

use crate::error::ErrorKind;
use crate::wire::{ErrorBody, Operation};

/// How an attempt went, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The request never left (connection refused, no route, DNS).
    NotSent,
    /// Throttled: not processed.
    Throttled,
    /// Sent, and Cognito failed or the answer was lost: it may have been processed.
    Failed,
    /// An answer to give to the flow (a success, or an error retrying would not fix).
    Final,
}

/// Whether to send again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// After this delay.
    Retry(Duration),
    /// Give the outcome to the flow.
    GiveUp,
}

/// Bounded exponential backoff with full jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The most attempts in all (1 disables retries).
    pub max_attempts: u32,
    /// The delay before the first retry, before jitter.
    pub base: Duration,
    /// The longest delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 100 ms then 200 ms (before jitter), at most 2 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        }
    }
}

/// Whether `operation` may be sent twice after an attempt that may have been processed.
pub fn is_repeatable(operation: Operation) -> bool {
    !matches!(
        operation,
        Operation::RespondToAuthChallenge
            | Operation::ConfirmSignUp
            | Operation::ConfirmForgotPassword
            | Operation::ChangePassword
            | Operation::VerifySoftwareToken
            | Operation::VerifyUserAttribute
            | Operation::SignUp
            | Operation::DeleteUser
            | Operation::ForgetDevice
            | Operation::CompleteWebAuthnRegistration
            | Operation::DeleteWebAuthnCredential
    )
}

/// Reads a response as an [`Attempt`]: throttled, failed (5xx, `InternalErrorException`), or
/// final.
pub fn classify(response: &http::Response<Vec<u8>>) -> Attempt {
    let status = response.status();
    if status == http::StatusCode::TOO_MANY_REQUESTS {
        return Attempt::Throttled;
    }
    let kind = serde_json::from_slice::<ErrorBody>(response.body())
        .ok()
        .and_then(|b| b.error_type)
        .map(|t| ErrorKind::from_type(&t));
    match kind {
        Some(ErrorKind::TooManyRequests | ErrorKind::Throttling) => Attempt::Throttled,
        Some(ErrorKind::InternalError | ErrorKind::ServiceUnavailable) => Attempt::Failed,
        _ if status.is_server_error() => Attempt::Failed,
        _ => Attempt::Final,
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// After attempt number `attempt` (1 for the first) of `operation` went as `outcome`: send
    /// again after a delay, or give up. `jitter` is a random `u32` from the adapter.
    pub fn decide(
        &self,
        attempt: u32,
        operation: Operation,
        outcome: Attempt,
        jitter: u32,
    ) -> Decision {
        let safe = match outcome {
            Attempt::NotSent | Attempt::Throttled => true,
            Attempt::Failed => is_repeatable(operation),
            Attempt::Final => false,
        };
        if !safe || attempt >= self.max_attempts {
            return Decision::GiveUp;
        }
        let exp = self
            .base
            .saturating_mul(
                1u32.checked_shl(attempt.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_delay);
        // Full jitter: uniform in [0, exp].
        let nanos = exp.as_nanos().saturating_mul(u128::from(jitter)) / u128::from(u32::MAX);
        Decision::Retry(Duration::from_nanos(
            u64::try_from(nanos).unwrap_or(u64::MAX),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        let mut r = http::Response::new(body.as_bytes().to_vec());
        *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
        r
    }

    #[test]
    fn responses_are_classified() {
        assert_eq!(classify(&response(200, "{}")), Attempt::Final);
        assert_eq!(
            classify(&response(400, r#"{"__type":"NotAuthorizedException"}"#)),
            Attempt::Final
        );
        assert_eq!(
            classify(&response(400, r#"{"__type":"TooManyRequestsException"}"#)),
            Attempt::Throttled
        );
        assert_eq!(classify(&response(429, "")), Attempt::Throttled);
        assert_eq!(
            classify(&response(500, r#"{"__type":"InternalErrorException"}"#)),
            Attempt::Failed
        );
        assert_eq!(classify(&response(503, "<html>")), Attempt::Failed);
    }

    #[test]
    fn backoff_is_bounded_and_exponential() {
        let p = RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        let full = |n| match p.decide(n, Operation::InitiateAuth, Attempt::Failed, u32::MAX) {
            Decision::Retry(d) => d,
            Decision::GiveUp => panic!(),
        };
        assert_eq!(full(1), Duration::from_millis(100));
        assert_eq!(full(2), Duration::from_millis(200));
        assert_eq!(full(4), Duration::from_millis(800));
        assert_eq!(full(5), Duration::from_secs(1));
        assert_eq!(full(9), Duration::from_secs(1));
        assert_eq!(
            p.decide(1, Operation::InitiateAuth, Attempt::Failed, 0),
            Decision::Retry(Duration::ZERO)
        );
        assert_eq!(
            p.decide(10, Operation::InitiateAuth, Attempt::Failed, 7),
            Decision::GiveUp
        );
        assert_eq!(
            p.decide(1, Operation::InitiateAuth, Attempt::Final, 7),
            Decision::GiveUp
        );
    }

    #[test]
    fn answers_that_may_have_been_consumed_are_not_repeated() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide(1, Operation::RespondToAuthChallenge, Attempt::Failed, 1),
            Decision::GiveUp
        );
        assert!(matches!(
            p.decide(1, Operation::RespondToAuthChallenge, Attempt::NotSent, 1),
            Decision::Retry(_)
        ));
        assert!(matches!(
            p.decide(1, Operation::RespondToAuthChallenge, Attempt::Throttled, 1),
            Decision::Retry(_)
        ));
        assert_eq!(
            RetryPolicy::none().decide(1, Operation::InitiateAuth, Attempt::NotSent, 1),
            Decision::GiveUp
        );
    }
}
