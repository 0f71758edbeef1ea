//! Retries, decided in the core: the exact requests sent again, the waits between them, and the
//! requests never sent twice, pinned as transcripts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fmt::Write as _;
use std::time::Duration;

use cognito_flows::flows::Resend;
use cognito_flows::flows::hosted_ui::HostedUi;
use cognito_flows::retry::{Decision, RetryPolicy, Retrying, TransportFailure};
use cognito_flows::{
    Action, Entropy, ErrorKind, Flow, Input, SecretString, SignIn, UserPool, account,
};
use common::*;
use serde_json::json;

fn pool() -> UserPool {
    UserPool::new("us-east-1_AbC123def", "client")
        .unwrap()
        .with_client_secret("shh")
}

fn retrying<F: Flow>(flow: F) -> Scenario<Retrying<F>>
where
    F::Output: std::fmt::Debug,
{
    Scenario::new(Retrying::new(
        flow,
        RetryPolicy::default(),
        Entropy::from([9; 32]),
    ))
}

/// Alice's password sign-in, with retries.
fn alice() -> Scenario<Retrying<SignIn>> {
    retrying(SignIn::user_password(
        &pool(),
        "alice",
        "hunter2",
        Entropy::from([1; 32]),
    ))
}

/// Alice's sign-in, the SMS code just answered: RespondToAuthChallenge is pending.
fn at_the_sms_code() -> Scenario<Retrying<SignIn>> {
    let mut s = alice();
    s.respond(ok(json!({
        "ChallengeName": "SMS_MFA",
        "Session": "session-1",
        "ChallengeParameters": {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "USERNAME": "alice"},
    })));
    s.answer(Input::code("123456"));
    s
}

/// Expects a wait, records it, and ends it at the right time; returns the delay.
fn wait<F: Flow>(s: &mut Scenario<Retrying<F>>) -> Duration
where
    F::Output: std::fmt::Debug,
{
    let Action::Wait(delay) = s.flow.poll_action() else {
        panic!("expected a wait, got {:?}", s.flow.poll_action());
    };
    writeln!(s.transcript, "... wait {delay:?}\n").unwrap();
    // Early: still waiting, for what is left.
    s.flow.handle_timeout(now() + delay / 2);
    let Action::Wait(left) = s.flow.poll_action() else {
        panic!("the wait ended early");
    };
    assert_eq!(left, delay - delay / 2);
    s.flow.handle_timeout(now() + delay);
    delay
}

/// The request the flow is sending now.
fn pending<F: Flow>(flow: &F) -> http::Request<Vec<u8>> {
    match flow.poll_action() {
        Action::Send(request) => request,
        _ => panic!("no request pending"),
    }
}

fn transport_error<F: Flow>(s: &mut Scenario<Retrying<F>>, failure: TransportFailure) -> Decision
where
    F::Output: std::fmt::Debug,
{
    write!(s.transcript, "--> {}", canonical(&pending(&s.flow))).unwrap();
    let decision = s.flow.handle_transport_error(now(), failure);
    writeln!(
        s.transcript,
        "<-- transport error ({failure:?}): {decision:?}\n"
    )
    .unwrap();
    decision
}

/// Sends the pending request (any body: JSON or a form) and answers it, recording both.
fn exchange<F: Flow>(s: &mut Scenario<Retrying<F>>, response: http::Response<Vec<u8>>)
where
    F::Output: std::fmt::Debug,
{
    write!(s.transcript, "--> {}", canonical(&pending(&s.flow))).unwrap();
    writeln!(
        s.transcript,
        "<-- {} {}\n",
        response.status(),
        String::from_utf8_lossy(response.body())
    )
    .unwrap();
    let _ = s.flow.handle_response(now(), response);
}

#[test]
fn a_throttled_initiate_auth_waits_and_is_sent_again() {
    let mut s = alice();
    let first = pending(&s.flow);
    s.respond(error(400, "TooManyRequestsException", "Rate exceeded"));
    let d1 = wait(&mut s);
    assert!(d1 <= Duration::from_millis(100), "{d1:?}");
    assert_eq!(canonical(&pending(&s.flow)), canonical(&first));
    s.respond(raw(503, b"<html>Service Unavailable</html>"));
    let d2 = wait(&mut s);
    assert!(d2 <= Duration::from_millis(200), "{d2:?}");
    s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(s.done().username, "alice");
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn retries_stop_at_the_limit_and_the_flow_gets_the_last_answer() {
    let mut s = alice();
    for _ in 0..2 {
        s.respond(error(500, "InternalErrorException", "oops"));
        wait(&mut s);
    }
    s.respond(error(500, "InternalErrorException", "oops"));
    assert_eq!(s.failed().service_kind(), Some(&ErrorKind::InternalError));
}

#[test]
fn a_challenge_answer_is_not_resent_after_a_transport_failure() {
    let mut s = at_the_sms_code();
    // The connection was never made: safe to send again.
    assert!(matches!(
        transport_error(&mut s, TransportFailure::NotSent),
        Decision::Retry(_)
    ));
    wait(&mut s);
    // It may have reached Cognito: the session and the code may be spent, so not again.
    assert_eq!(
        transport_error(&mut s, TransportFailure::MaybeSent),
        Decision::GiveUp
    );
    // The flow is unchanged: sending again is the caller's decision, and the adapters do not.
    assert!(matches!(s.flow.poll_action(), Action::Send(_)));
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn a_challenge_answer_is_not_resent_after_a_5xx() {
    let mut s = at_the_sms_code();
    s.respond(error(500, "InternalErrorException", "oops"));
    assert_eq!(s.failed().service_kind(), Some(&ErrorKind::InternalError));
}

#[test]
fn a_throttled_challenge_answer_is_sent_again() {
    let mut s = at_the_sms_code();
    s.respond(raw(429, b""));
    wait(&mut s);
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["ChallengeResponses"]["SMS_MFA_CODE"], "123456");
    s.done();
}

const DOMAIN: &str = "https://example.auth.us-east-1.amazoncognito.com";

fn ui() -> HostedUi {
    HostedUi::new(DOMAIN, "client", "https://app.example/callback").unwrap()
}

#[test]
fn an_oauth_token_refresh_is_retried_on_5xx() {
    let mut s = retrying(ui().refresh(SecretString::new("refresh-token-opaque")));
    exchange(&mut s, raw(503, b"Service Unavailable"));
    wait(&mut s);
    let access = jwt(&json!({"token_use": "access", "exp": NOW_SECS + 3600}));
    exchange(
        &mut s,
        ok(json!({"access_token": access, "expires_in": 3600, "token_type": "Bearer"})),
    );
    let tokens = s.done();
    assert_eq!(
        tokens.refresh_token.unwrap().expose(),
        "refresh-token-opaque"
    );
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn an_authorization_code_is_not_exchanged_twice() {
    let mut flow = Retrying::new(
        ui().authorize(Entropy::from([3; 32])),
        RetryPolicy::default(),
        Entropy::from([9; 32]),
    );
    let Action::Prompt(cognito_flows::Prompt::Authorize { url }) = flow.poll_action() else {
        panic!()
    };
    let state = state_of(&url);
    flow.handle_input(Input::Callback(format!(
        "https://app.example/callback?code=the-code&state={state}"
    )))
    .unwrap();
    assert_eq!(
        flow.handle_transport_error(now(), TransportFailure::MaybeSent),
        Decision::GiveUp
    );
    assert!(flow.handle_response(now(), raw(502, b"")).is_err());
    assert!(matches!(flow.poll_action(), Action::Failed(_)));
}

#[test]
fn a_wait_takes_no_response_and_no_input() {
    let mut s = alice();
    s.respond(raw(429, b""));
    assert!(s.flow.handle_response(now(), raw(200, b"{}")).is_err());
    assert!(s.flow.handle_input(Input::code("1")).is_err());
    assert_eq!(
        s.flow
            .handle_transport_error(now(), TransportFailure::NotSent),
        Decision::GiveUp
    );
    // Unchanged by the misuse: the same wait, then the same request.
    let delay = wait(&mut s);
    assert!(delay <= Duration::from_millis(100));
    s.respond(ok(tokens_answer("alice", true)));
    s.done();
}

#[test]
fn a_clock_set_back_does_not_lengthen_the_wait() {
    let mut flow = alice().flow;
    flow.handle_response(now(), raw(429, b"")).unwrap();
    let Action::Wait(delay) = flow.poll_action() else {
        panic!()
    };
    flow.handle_timeout(now() - Duration::from_secs(3600));
    let Action::Wait(left) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(left, delay);
}

#[test]
fn the_same_seed_gives_the_same_delays() {
    let delays = |seed: u8| {
        let mut flow = Retrying::new(
            SignIn::user_password(&pool(), "alice", "hunter2", Entropy::from([1; 32])),
            RetryPolicy::default(),
            Entropy::from([seed; 32]),
        );
        let mut out = Vec::new();
        for _ in 0..2 {
            flow.handle_response(now(), raw(503, b"")).unwrap();
            let Action::Wait(d) = flow.poll_action() else {
                panic!()
            };
            out.push(d);
            flow.handle_timeout(now() + d);
        }
        out
    };
    assert_eq!(delays(9), delays(9));
    assert_ne!(delays(9), delays(10));
}

/// Each flow declares whether the request it is sending may be sent again after an attempt the
/// server may have processed: retries read no request bytes.
#[test]
fn flows_declare_whether_their_request_may_be_sent_again() {
    let pool = pool();
    // InitiateAuth may be repeated; the answer to a challenge may not (its session or code may
    // be consumed); a prompt sends nothing.
    let s = alice();
    assert_eq!(s.flow.resend(), Resend::Repeatable);
    let s = at_the_sms_code();
    assert_eq!(s.flow.resend(), Resend::Once);
    let mut s = alice();
    s.respond(ok(json!({
        "ChallengeName": "SMS_MFA",
        "Session": "session-1",
        "ChallengeParameters": {"USERNAME": "alice"},
    })));
    assert_eq!(s.flow.resend(), Resend::NoRequest);
    assert_eq!(
        account::get_user(&pool, "access-token").resend(),
        Resend::Repeatable
    );
    assert_eq!(
        account::confirm_sign_up(&pool, "alice", "123456", false).resend(),
        Resend::Once
    );
    // OAuth: a refresh, a revocation and userInfo may be repeated; a code is good once.
    let token = SecretString::new("refresh-token-opaque");
    assert_eq!(ui().refresh(token.clone()).resend(), Resend::Repeatable);
    assert_eq!(ui().revoke(&token).resend(), Resend::Repeatable);
    let mut authorize = ui().authorize(Entropy::from([3; 32]));
    assert_eq!(authorize.resend(), Resend::NoRequest);
    let Action::Prompt(cognito_flows::Prompt::Authorize { url }) = authorize.poll_action() else {
        panic!()
    };
    let state = state_of(&url);
    authorize
        .handle_input(Input::Callback(format!(
            "https://app.example/callback?code=the-code&state={state}"
        )))
        .unwrap();
    assert_eq!(authorize.resend(), Resend::Once);
}

/// A flow of the caller's own that does not declare it: its requests are sent again only when
/// that cannot do harm (never sent, throttled), never after an attempt that may have counted.
#[test]
fn an_undeclared_flow_is_not_repeated_after_it_may_have_been_processed() {
    use cognito_flows::wire::GetUserResponse;
    struct Mine(cognito_flows::Call<GetUserResponse>);
    impl Flow for Mine {
        type Output = GetUserResponse;
        fn poll_action(&self) -> Action<GetUserResponse> {
            self.0.poll_action()
        }
        fn handle_response(
            &mut self,
            now: std::time::SystemTime,
            response: http::Response<Vec<u8>>,
        ) -> Result<(), cognito_flows::Error> {
            self.0.handle_response(now, response)
        }
        fn handle_input(&mut self, input: Input) -> Result<(), cognito_flows::Error> {
            self.0.handle_input(input)
        }
    }
    let mut flow = Retrying::new(
        Mine(account::get_user(&pool(), "access-token")),
        RetryPolicy::default(),
        Entropy::from([9; 32]),
    );
    assert_eq!(flow.resend(), Resend::Once);
    assert_eq!(
        flow.handle_transport_error(now(), TransportFailure::MaybeSent),
        Decision::GiveUp
    );
    assert!(matches!(
        flow.handle_transport_error(now(), TransportFailure::NotSent),
        Decision::Retry(_)
    ));
    assert_eq!(flow.resend(), Resend::NoRequest, "waiting, nothing to send");
}

/// The errors retried are those `ErrorKind::is_retryable` names, and only those.
#[test]
fn retried_errors_are_the_retryable_kinds() {
    for (name, retried) in [
        ("TooManyRequestsException", true),
        ("ThrottlingException", true),
        ("InternalErrorException", true),
        ("ServiceUnavailableException", true),
        ("NotAuthorizedException", false),
        ("CodeMismatchException", false),
    ] {
        assert_eq!(ErrorKind::from_type(name).is_retryable(), retried, "{name}");
        let mut s = alice();
        let held_back = s
            .flow
            .handle_response(now(), error(400, name, "try again"))
            .is_ok();
        assert_eq!(held_back, retried, "{name}");
        let waits = matches!(s.flow.poll_action(), Action::Wait(_));
        assert_eq!(waits, retried, "{name}");
    }
}

#[test]
fn without_retries_everything_goes_to_the_flow() {
    let mut flow = Retrying::without_retries(SignIn::user_password(
        &pool(),
        "alice",
        "hunter2",
        Entropy::from([1; 32]),
    ));
    assert_eq!(
        flow.handle_transport_error(now(), TransportFailure::NotSent),
        Decision::GiveUp
    );
    assert!(flow.handle_response(now(), raw(429, b"")).is_err());
    assert!(matches!(flow.poll_action(), Action::Failed(_)));
}

/// What happens to one attempt, in the property test.
#[derive(Debug, Clone, Copy)]
enum Fate {
    Throttled,
    ServerError,
    NotSent,
    MaybeSent,
    Refused,
}

fn fate() -> impl proptest::strategy::Strategy<Value = Fate> {
    proptest::prop_oneof![
        proptest::strategy::Just(Fate::Throttled),
        proptest::strategy::Just(Fate::ServerError),
        proptest::strategy::Just(Fate::NotSent),
        proptest::strategy::Just(Fate::MaybeSent),
        proptest::strategy::Just(Fate::Refused),
    ]
}

proptest::proptest! {
    /// Whatever happens to each attempt: at most `max_attempts` sends of one request, every wait
    /// within its backoff, and a challenge answer that may have been processed never sent again.
    #[test]
    fn retries_keep_their_bounds(
        fates in proptest::collection::vec(fate(), 1..12),
        max_attempts in 1u32..6,
        seed in proptest::prelude::any::<[u8; 32]>(),
        at_the_answer in proptest::prelude::any::<bool>(),
    ) {
        let policy = RetryPolicy { max_attempts, ..RetryPolicy::default() };
        let inner = if at_the_answer { at_the_sms_code().flow.into_inner() } else { alice().flow.into_inner() };
        let mut flow = Retrying::new(inner, policy, Entropy::from(seed));
        let (mut sends, mut clock) = (0u32, now());
        for fate in fates {
            let Action::Send(_) = flow.poll_action() else { break };
            sends += 1;
            proptest::prop_assert!(sends <= max_attempts);
            let may_have_been_processed = matches!(fate, Fate::ServerError | Fate::MaybeSent);
            match fate {
                Fate::Throttled => drop(flow.handle_response(clock, raw(429, b""))),
                Fate::ServerError => drop(flow.handle_response(clock, raw(503, b""))),
                Fate::Refused => drop(flow.handle_response(clock, error(400, "NotAuthorizedException", "no"))),
                Fate::NotSent | Fate::MaybeSent => {
                    let failure = if matches!(fate, Fate::NotSent) { TransportFailure::NotSent } else { TransportFailure::MaybeSent };
                    if flow.handle_transport_error(clock, failure) == Decision::GiveUp {
                        break;
                    }
                }
            }
            match flow.poll_action() {
                Action::Wait(delay) => {
                    proptest::prop_assert!(!(at_the_answer && may_have_been_processed));
                    proptest::prop_assert!(!matches!(fate, Fate::Refused));
                    let backoff = policy.base.saturating_mul(1 << (sends - 1)).min(policy.max_delay);
                    proptest::prop_assert!(delay <= backoff, "{:?} > {:?}", delay, backoff);
                    clock += delay;
                    flow.handle_timeout(clock);
                }
                _ => break,
            }
        }
    }
}

/// The `state` parameter of an authorize URL.
fn state_of(url: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned()
}
