//! When to send a request again, and after how long, decided in the core: [`Retrying`] wraps any
//! [`Flow`] and emits [`Action::Wait`] between attempts. Bounded exponential backoff with full
//! jitter; the jitter comes from seeded [`Entropy`], the time from the caller (`now`). Nothing
//! here sleeps or reads a clock: the adapter sleeps for the [`Duration`] of the wait, then says
//! the time with [`Retrying::handle_timeout`].
//!
//! A request is sent again only when that cannot do harm:
//!
//! - it was never sent (the connection could not be made): always;
//! - the server refused it for throttling (`TooManyRequestsException`, `ThrottlingException`,
//!   HTTP 429): it was not processed, so always;
//! - the server failed (HTTP 5xx, `InternalErrorException`) or the answer was lost (a timeout, a
//!   reset connection): only requests that can be repeated safely. A `RespondToAuthChallenge`
//!   is never repeated then, since its session or code may have been consumed; nor are
//!   `ConfirmSignUp`, `ConfirmForgotPassword`, `ChangePassword`, `VerifySoftwareToken`,
//!   `VerifyUserAttribute`, `SignUp`, `DeleteUser` and `ForgetDevice`, whose second attempt
//!   would fail (or act twice) after a first one that worked; nor the hosted UI's
//!   authorization-code exchange (a code is good once).
//!
//! The hosted UI's OAuth calls (token refresh, revoke, userInfo) follow the same rules as
//! Cognito's operations. Which requests can be repeated is declared by the flows
//! ([`Flow::resend`]: each state knows the operation it sends, an OAuth call is built knowing
//! whether it exchanges a code); which errors are worth a retry is [`ErrorKind::is_retryable`].
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use cognito_flows::retry::{RetryPolicy, Retrying};
//! use cognito_flows::{Action, Entropy, Flow, SignIn, UserPool};
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let flow = SignIn::user_password(&pool, "alice", "correct horse", Entropy::from([7; 32]));
//! let mut flow = Retrying::new(flow, RetryPolicy::default(), Entropy::from([9; 32]));
//! let now = UNIX_EPOCH + Duration::from_secs(1_764_000_000);
//!
//! let Action::Send(first) = flow.poll_action() else { unreachable!() };
//! let mut throttled = http::Response::new(br#"{"__type":"TooManyRequestsException"}"#.to_vec());
//! *throttled.status_mut() = http::StatusCode::BAD_REQUEST;
//! flow.handle_response(now, throttled)?;
//!
//! // The core decided to wait (at most 100 ms before the second attempt) ...
//! let Action::Wait(delay) = flow.poll_action() else { unreachable!() };
//! assert!(delay <= Duration::from_millis(100));
//! // ... and, once the wait is over, to send the same request again.
//! flow.handle_timeout(now + delay);
//! let Action::Send(again) = flow.poll_action() else { unreachable!() };
//! assert_eq!(again.body(), first.body());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::entropy::{Entropy, FlowRng};
use crate::error::{Error, ErrorKind, Misuse};
use crate::flows::{Action, Flow, Input, Resend};
use crate::wire::{ErrorBody, Operation};

/// How an attempt went, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The request never left (connection refused, no route, DNS).
    NotSent,
    /// Throttled: not processed.
    Throttled,
    /// Sent, and the server failed or the answer was lost: it may have been processed.
    Failed,
    /// An answer to give to the flow (a success, or an error retrying would not fix).
    Final,
}

/// Why a request got no answer, as the transport knows it: for
/// [`Retrying::handle_transport_error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// The request never left: the connection could not be made (refused, no route, DNS).
    /// Sending it again is always safe.
    NotSent,
    /// The request may have reached the server (a timeout, a reset connection, a truncated
    /// answer): sending it again is safe only for requests that can be repeated.
    MaybeSent,
}

/// Whether to send again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Decision {
    /// After this delay.
    Retry(Duration),
    /// Give the outcome to the flow (or, for a transport failure, report it).
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

/// Reads a response as an [`Attempt`]: throttled ([`ErrorKind::is_throttling`], HTTP 429), failed
/// (the other [`ErrorKind::is_retryable`] kinds, any 5xx), or final.
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
        Some(kind) if kind.is_throttling() => Attempt::Throttled,
        Some(kind) if kind.is_retryable() => Attempt::Failed,
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

    /// After attempt number `attempt` (1 for the first) went as `outcome`: send again after a
    /// delay, or give up. `repeatable`: whether the request may be sent twice after an attempt
    /// that may have been processed ([`Flow::resend`]). `jitter` is a random `u32`.
    pub fn decide(
        &self,
        attempt: u32,
        repeatable: bool,
        outcome: Attempt,
        jitter: u32,
    ) -> Decision {
        let safe = match outcome {
            Attempt::NotSent | Attempt::Throttled => true,
            Attempt::Failed => repeatable,
            Attempt::Final => false,
        };
        if !safe || attempt >= self.max_attempts {
            return Decision::GiveUp;
        }
        Decision::Retry(self.delay(attempt, jitter))
    }

    /// The wait after attempt number `attempt`: uniform in [0, min(base · 2^(attempt-1),
    /// max_delay)] by `jitter` (full jitter).
    fn delay(&self, attempt: u32, jitter: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(
                1u32.checked_shl(attempt.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_delay);
        let nanos = exp.as_nanos().saturating_mul(u128::from(jitter)) / u128::from(u32::MAX);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

/// A wait in progress: until when, and how long is left as last told.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    until: SystemTime,
    left: Duration,
}

/// Any [`Flow`], with retries: a response or a transport failure that the [rules](self) allow to
/// retry is held back from the flow, [`poll_action`](Flow::poll_action) says
/// [`Action::Wait`], and after [`handle_timeout`](Self::handle_timeout) the same request is
/// [`Action::Send`] again. Everything else goes to the flow untouched.
///
/// The loop that drives it (this is the whole of each adapter's driver):
///
/// ```
/// use std::time::SystemTime;
/// use cognito_flows::retry::{Decision, Retrying, TransportFailure};
/// use cognito_flows::{Action, Flow, Input, Prompt};
///
/// fn drive<F: Flow, E>(
///     mut flow: Retrying<F>,
///     mut send: impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, E>,
///     mut ask: impl FnMut(Prompt) -> Input,
/// ) -> Result<Result<F::Output, cognito_flows::Error>, E> {
///     loop {
///         match flow.poll_action() {
///             Action::Send(request) => match send(request) {
///                 Ok(response) => drop(flow.handle_response(SystemTime::now(), response)),
///                 Err(e) => match flow.handle_transport_error(SystemTime::now(), TransportFailure::MaybeSent) {
///                     Decision::Retry(_) => {}
///                     Decision::GiveUp => return Err(e),
///                 },
///             },
///             Action::Wait(delay) => {
///                 std::thread::sleep(delay);
///                 flow.handle_timeout(SystemTime::now());
///             }
///             Action::Prompt(prompt) => drop(flow.handle_input(ask(prompt))),
///             Action::Done(outcome) => return Ok(Ok(outcome)),
///             Action::Failed(error) => return Ok(Err(error)),
///         }
///     }
/// }
/// ```
pub struct Retrying<F> {
    flow: F,
    policy: RetryPolicy,
    rng: FlowRng,
    /// Attempts made so far of the request the flow is sending now.
    attempt: u32,
    waiting: Option<Waiting>,
}

impl<F: fmt::Debug> fmt::Debug for Retrying<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retrying")
            .field("flow", &self.flow)
            .field("policy", &self.policy)
            .field("attempt", &self.attempt)
            .field("waiting", &self.waiting.map(|w| w.left))
            .finish_non_exhaustive()
    }
}

impl<F: Flow> Retrying<F> {
    /// `flow` with retries by `policy`; `entropy` seeds the jitter (take it from the operating
    /// system, or fix it in tests: the delays are then reproducible).
    pub fn new(flow: F, policy: RetryPolicy, entropy: Entropy) -> Self {
        Self {
            flow,
            policy,
            rng: FlowRng::new(&entropy),
            attempt: 1,
            waiting: None,
        }
    }

    /// `flow` without retries: every answer and failure goes to the flow (or back to the caller).
    pub fn without_retries(flow: F) -> Self {
        // With one attempt allowed, no jitter is ever drawn.
        Self::new(flow, RetryPolicy::none(), Entropy::from([0; 32]))
    }

    /// The flow inside.
    pub fn inner(&self) -> &F {
        &self.flow
    }

    /// The flow inside, e.g. to go on without retries.
    pub fn into_inner(self) -> F {
        self.flow
    }

    /// The request could not be sent or its answer not read. [`Decision::Retry`]: the flow now
    /// waits ([`Action::Wait`]) and then sends the request again. [`Decision::GiveUp`]: report
    /// the failure; the flow is unchanged, still asking to send the same request (sending it
    /// again is then your decision: do not, for a request that is not repeatable). Also
    /// `GiveUp` when no request is pending.
    pub fn handle_transport_error(
        &mut self,
        now: SystemTime,
        failure: TransportFailure,
    ) -> Decision {
        let outcome = match failure {
            TransportFailure::NotSent => Attempt::NotSent,
            TransportFailure::MaybeSent => Attempt::Failed,
        };
        let decision = match self.resend() {
            Resend::Repeatable => self.decide(now, true, outcome),
            Resend::Once => self.decide(now, false, outcome),
            Resend::NoRequest => Decision::GiveUp,
        };
        if decision == Decision::GiveUp {
            self.attempt = 1;
        }
        decision
    }

    /// The time, after an [`Action::Wait`]: once the wait is over, the request is sent again.
    /// Early (or with no wait pending), nothing changes but the time left, which is never more
    /// than the wait first said (so a clock set back cannot stall the flow).
    pub fn handle_timeout(&mut self, now: SystemTime) {
        if let Some(waiting) = &mut self.waiting {
            match waiting.until.duration_since(now) {
                Ok(left) if !left.is_zero() => waiting.left = left.min(waiting.left),
                _ => self.waiting = None,
            }
        }
    }

    fn decide(&mut self, now: SystemTime, repeatable: bool, outcome: Attempt) -> Decision {
        let decision = match self.policy.decide(self.attempt, repeatable, outcome, 0) {
            // Draw jitter only for a retry, so that the delays depend on retries alone.
            Decision::Retry(_) => {
                let jitter = u32::from_le_bytes(self.rng.bytes());
                self.policy
                    .decide(self.attempt, repeatable, outcome, jitter)
            }
            Decision::GiveUp => Decision::GiveUp,
        };
        if let Decision::Retry(delay) = decision {
            self.attempt = self.attempt.saturating_add(1);
            self.waiting = Some(Waiting {
                until: now.checked_add(delay).unwrap_or(now),
                left: delay,
            });
        }
        decision
    }
}

impl<F: Flow> Flow for Retrying<F> {
    type Output = F::Output;

    fn poll_action(&self) -> Action<F::Output> {
        match self.waiting {
            Some(waiting) => Action::Wait(waiting.left),
            None => self.flow.poll_action(),
        }
    }

    /// A response that the rules allow to retry (throttling, 5xx) starts a wait; any other goes
    /// to the flow.
    fn handle_response(
        &mut self,
        now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<(), Error> {
        if self.waiting.is_some() {
            return Err(Misuse::UnexpectedResponse {
                expected: "the end of a wait (handle_timeout)",
            }
            .into());
        }
        let repeatable = match self.flow.resend() {
            Resend::Repeatable => Some(true),
            Resend::Once => Some(false),
            Resend::NoRequest => None,
        };
        if let Some(repeatable) = repeatable
            && let Decision::Retry(_) = self.decide(now, repeatable, classify(&response))
        {
            return Ok(());
        }
        self.attempt = 1;
        self.flow.handle_response(now, response)
    }

    /// Nothing while waiting; otherwise what the flow says.
    fn resend(&self) -> Resend {
        match self.waiting {
            Some(_) => Resend::NoRequest,
            None => self.flow.resend(),
        }
    }

    fn handle_input(&mut self, input: Input) -> Result<(), Error> {
        if self.waiting.is_some() {
            return Err(Misuse::UnexpectedInput {
                expected: "the end of a wait (handle_timeout)",
                got: input.kind(),
            }
            .into());
        }
        self.flow.handle_input(input)
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
        assert_eq!(
            classify(&response(400, r#"{"error":"invalid_grant"}"#)),
            Attempt::Final
        );
    }

    #[test]
    fn backoff_is_bounded_and_exponential() {
        let p = RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        let full = |n| match p.decide(n, true, Attempt::Failed, u32::MAX) {
            Decision::Retry(d) => d,
            Decision::GiveUp => panic!(),
        };
        assert_eq!(full(1), Duration::from_millis(100));
        assert_eq!(full(2), Duration::from_millis(200));
        assert_eq!(full(4), Duration::from_millis(800));
        assert_eq!(full(5), Duration::from_secs(1));
        assert_eq!(full(9), Duration::from_secs(1));
        assert_eq!(
            p.decide(1, true, Attempt::Failed, 0),
            Decision::Retry(Duration::ZERO)
        );
        assert_eq!(p.decide(10, true, Attempt::Failed, 7), Decision::GiveUp);
        assert_eq!(p.decide(1, true, Attempt::Final, 7), Decision::GiveUp);
    }

    #[test]
    fn answers_that_may_have_been_consumed_are_not_repeated() {
        let p = RetryPolicy::default();
        let respond = is_repeatable(Operation::RespondToAuthChallenge);
        assert!(!respond);
        assert_eq!(p.decide(1, respond, Attempt::Failed, 1), Decision::GiveUp);
        assert!(matches!(
            p.decide(1, respond, Attempt::NotSent, 1),
            Decision::Retry(_)
        ));
        assert!(matches!(
            p.decide(1, respond, Attempt::Throttled, 1),
            Decision::Retry(_)
        ));
        assert_eq!(
            RetryPolicy::none().decide(1, true, Attempt::NotSent, 1),
            Decision::GiveUp
        );
    }
}
