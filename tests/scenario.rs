//! The shared `Scenario` starts a sign-in at any stage, each waiting for what it says.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use cognito_flows::{Action, Flow, Input, Prompt, UserPool};
use common::{Scenario, Stage, ok, tokens};

fn pool() -> UserPool {
    UserPool::new("us-east-1_AbC123", "client").unwrap()
}

#[test]
fn every_stage_waits_for_its_prompt() {
    let cases = [
        (Stage::SmsMfaCode, "an SMS MFA code"),
        (Stage::TotpCode, "a TOTP code"),
        (Stage::EmailOtpCode, "an email code"),
        (Stage::SelectMfa, "an MFA method"),
        (Stage::NewPassword, "a new password"),
        (Stage::CustomChallenge, "a custom challenge answer"),
        (Stage::TotpSetup, "a TOTP setup code"),
        (Stage::RememberDevice, "whether to remember the device"),
    ];
    for (stage, kind) in cases {
        let s = Scenario::sign_in_at(&pool(), "alice", stage);
        assert_eq!(s.prompt().kind(), kind, "{stage:?}");
    }
    let s = Scenario::sign_in_at(&pool(), "alice", Stage::PasswordVerifierAnswer);
    let Action::Send(request) = s.flow.poll_action() else {
        panic!("{stage:?}", stage = Stage::PasswordVerifierAnswer)
    };
    let body = common::body(&request);
    assert_eq!(body["ChallengeName"], "PASSWORD_VERIFIER");
}

#[test]
fn a_scenario_goes_on_from_its_stage() {
    let mut s = Scenario::sign_in_at(&pool(), "alice", Stage::SmsMfaCode);
    let sent = {
        s.answer(Input::code("123456"));
        s.respond(ok(tokens("alice")))
    };
    assert_eq!(sent["ChallengeResponses"]["SMS_MFA_CODE"], "123456");
    assert_eq!(s.done().username, "alice");
    let Prompt::SmsMfaCode { delivery, .. } =
        Scenario::sign_in_at(&pool(), "alice", Stage::SmsMfaCode).prompt()
    else {
        panic!()
    };
    assert_eq!(delivery.destination.as_deref(), Some("+*******1234"));
}
