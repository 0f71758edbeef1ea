//! The flow contract, owned by one machine core: every flow (sign-in, forgot password, the
//! single calls, the hosted UI's authorize and token calls) refuses a misplaced input or response
//! without moving, says what it waits for, and stays finished once done or failed.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::fmt::Debug;

use cognito_flows::flows::account;
use cognito_flows::flows::hosted_ui::HostedUi;
use cognito_flows::{
    Action, Entropy, Error, Flow, ForgotPassword, Input, Misuse, SignIn, UserPool,
};
use common::{error, now, ok, tokens_answer};
use serde_json::json;

fn pool() -> UserPool {
    UserPool::new("us-east-1_AbC123", "client").unwrap()
}

fn ui() -> HostedUi {
    HostedUi::new(
        "https://example.auth.us-east-1.amazoncognito.com",
        "client",
        "https://app.example/cb",
    )
    .unwrap()
}

fn fingerprint<O: Debug>(action: &Action<O>) -> String {
    match action {
        Action::Send(r) => format!("send {} {:?}", r.uri(), r.body()),
        other => format!("{other:?}"),
    }
}

/// A misplaced input or response leaves the flow where it was, with this message.
fn refuses_misplaced<F: Flow>(flow: &mut F, waits_for: &str)
where
    F::Output: Debug,
{
    let before = fingerprint(&flow.poll_action());
    let sending = matches!(flow.poll_action(), Action::Send(_));
    let misplaced = if sending {
        flow.handle_input(Input::ResendCode)
    } else {
        flow.handle_response(now(), ok(json!({})))
    };
    let expected = match misplaced {
        Err(Error::Misuse(Misuse::UnexpectedInput { expected, .. }))
        | Err(Error::Misuse(Misuse::UnexpectedResponse { expected })) => expected,
        other => panic!("{other:?}"),
    };
    assert_eq!(expected, waits_for);
    assert_eq!(fingerprint(&flow.poll_action()), before, "the flow moved");
}

/// Once finished, the flow says so to both inputs and responses, and stays as it is.
fn stays_finished<F: Flow>(flow: &mut F)
where
    F::Output: Debug,
{
    let before = fingerprint(&flow.poll_action());
    assert!(matches!(
        flow.poll_action(),
        Action::Done(_) | Action::Failed(_)
    ));
    for result in [
        flow.handle_input(Input::ResendCode),
        flow.handle_response(now(), ok(tokens_answer("alice", true))),
    ] {
        match result {
            Err(Error::Misuse(Misuse::UnexpectedInput { expected, .. }))
            | Err(Error::Misuse(Misuse::UnexpectedResponse { expected })) => {
                assert_eq!(expected, "nothing (finished)");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(fingerprint(&flow.poll_action()), before);
}

#[test]
fn sign_in_refuses_misplaced_answers_and_stays_finished() {
    let mut flow = SignIn::user_password(&pool(), "alice", "pw", Entropy::from([1; 32]));
    refuses_misplaced(&mut flow, "a response");
    flow.handle_response(
        now(),
        ok(json!({"ChallengeName": "SMS_MFA", "Session": "s", "ChallengeParameters": {}})),
    )
    .unwrap();
    refuses_misplaced(&mut flow, "an SMS MFA code");
    flow.handle_input(Input::code("123456")).unwrap();
    let _ = flow.handle_response(now(), error(400, "ExpiredCodeException", "expired"));
    stays_finished(&mut flow);
}

#[test]
fn forgot_password_refuses_misplaced_answers_and_stays_finished() {
    let mut flow = ForgotPassword::new(&pool(), "alice");
    refuses_misplaced(&mut flow, "a response");
    flow.handle_response(now(), ok(json!({}))).unwrap();
    refuses_misplaced(&mut flow, "a code and a new password");
    // An empty code is refused without moving.
    let empty = flow.handle_input(Input::PasswordReset {
        code: "  ".into(),
        password: "N3w-Passw0rd!".into(),
    });
    assert!(matches!(empty, Err(Error::Misuse(Misuse::InvalidInput(_)))));
    refuses_misplaced(&mut flow, "a code and a new password");
    flow.handle_input(Input::PasswordReset {
        code: "123456".into(),
        password: "N3w-Passw0rd!".into(),
    })
    .unwrap();
    flow.handle_response(now(), ok(json!({}))).unwrap();
    stays_finished(&mut flow);
}

#[test]
fn a_single_call_stays_finished_done_or_failed() {
    let mut call = account::resend_confirmation_code(&pool(), "alice");
    refuses_misplaced(&mut call, "a response");
    call.handle_response(now(), ok(json!({}))).unwrap();
    stays_finished(&mut call);
    let mut failed = account::resend_confirmation_code(&pool(), "alice");
    let _ = failed.handle_response(now(), error(400, "UserNotFoundException", "no"));
    stays_finished(&mut failed);
}

/// The hosted UI's flows said "waiting for a response" after they had finished.
#[test]
fn hosted_ui_flows_say_they_have_finished() {
    let mut revoke = ui().revoke(&"refresh".into());
    refuses_misplaced(&mut revoke, "a response");
    revoke.handle_response(now(), ok(json!({}))).unwrap();
    stays_finished(&mut revoke);

    let mut flow = ui().authorize(Entropy::from([2; 32]));
    refuses_misplaced(&mut flow, "the callback URL");
    // A forged callback is refused, and the flow still waits for the real one.
    let forged = flow.handle_input(Input::Callback(
        "https://app.example/cb?code=c&state=x".into(),
    ));
    assert!(matches!(forged, Err(Error::Callback(_))), "{forged:?}");
    refuses_misplaced(&mut flow, "the callback URL");
    let Action::Prompt(cognito_flows::Prompt::Authorize { url }) = flow.poll_action() else {
        panic!()
    };
    let state = url
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    flow.handle_input(Input::Callback(format!(
        "https://app.example/cb?code=c&state={state}"
    )))
    .unwrap();
    refuses_misplaced(&mut flow, "a response");
    let _ = flow.handle_response(now(), common::raw(400, br#"{"error":"invalid_grant"}"#));
    stays_finished(&mut flow);
}
