//! Choice-based sign-in (`USER_AUTH`) and email MFA, over HTTP and through the core's flows:
//! each first factor (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP) preferred and picked at
//! `SELECT_CHALLENGE`, the pool's `AllowedFirstAuthFactors`, `GetUserAuthFactors` and
//! `AdminGetUserAuthFactors`, MFA after a password and never after a code, and each refusal: a
//! factor not allowed, three wrong codes, an expired code, a client without `ALLOW_USER_AUTH`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use cognito_flows::flows::MfaMethod;
use cognito_flows::flows::sign_in::FirstFactor;
use cognito_flows::{Entropy, Input, Prompt, SignIn};
use cognito_flows_emulator::{ClientConfig, ClientSettings, Mfa};
use cognito_flows_testkit::emulator::{Fixture, Options};
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";

/// alice's attributes: a verified email and a verified phone.
const ALICE: &[(&str, &str)] = &[
    ("email", "alice@example.com"),
    ("phone_number", "+15550100"),
];

/// alice: a verified email and a verified phone; bob: an unverified email.
fn fixture() -> Fixture {
    Fixture::start(
        Options::default()
            .user("alice", PASSWORD, ALICE)
            .user("bob", PASSWORD, &[]),
    )
}

/// Answers the email one-time-code prompt with alice's last code; any other prompt fails.
fn emailed_code(w: &Fixture) -> impl FnMut(&Prompt) -> Input + '_ {
    |p| match p {
        Prompt::EmailOtpCode { .. } => Input::code(w.code("alice")),
        other => panic!("unexpected prompt {other:?}"),
    }
}

/// alice ([`ALICE`]) in a pool of optional MFA that SetUserPoolMfaConfig gave email MFA (with
/// the members of `more`): the fixture and SetUserPoolMfaConfig's answer.
fn email_mfa(more: Value) -> (Fixture, Value) {
    let w = Fixture::start(
        Options::default()
            .mfa(Mfa::Optional)
            .user("alice", PASSWORD, ALICE),
    );
    let mut body = json!({"UserPoolId": w.pool_id, "MfaConfiguration": "OPTIONAL",
                          "EmailMfaConfiguration": {}});
    if let (Some(body), Value::Object(more)) = (body.as_object_mut(), more) {
        body.extend(more);
    }
    let (status, answer) = w.call("SetUserPoolMfaConfig", &body);
    assert_eq!(status, 200, "{answer}");
    (w, answer)
}

fn initiate(w: &Fixture, user: &str, preferred: Option<&str>, extra: &[(&str, &str)]) -> Value {
    let mut params = json!({"USERNAME": user});
    if let Some(p) = preferred {
        params["PREFERRED_CHALLENGE"] = json!(p);
    }
    for (k, v) in extra {
        params[*k] = json!(v);
    }
    let (status, answer) = w.call(
        "InitiateAuth",
        &json!({"ClientId": w.client_id, "AuthFlow": "USER_AUTH", "AuthParameters": params}),
    );
    assert_eq!(status, 200, "{answer}");
    answer
}

fn respond(
    w: &Fixture,
    user: &str,
    started: &Value,
    name: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut responses = json!({"USERNAME": user});
    for (k, v) in extra {
        responses[*k] = json!(v);
    }
    w.call(
        "RespondToAuthChallenge",
        &json!({"ClientId": w.client_id, "ChallengeName": name, "Session": started["Session"],
                "ChallengeResponses": responses}),
    )
}

fn refused(answer: &(u16, Value), kind: &str) {
    assert_eq!(answer.0, 400, "{answer:?}");
    assert_eq!(answer.1["__type"], kind, "{answer:?}");
}

fn signed_in(answer: &(u16, Value)) {
    assert_eq!(answer.0, 200, "{answer:?}");
    assert!(
        answer.1["AuthenticationResult"]["AccessToken"].is_string(),
        "{answer:?}"
    );
}

fn set_factors(w: &Fixture, factors: &[&str]) {
    let (status, answer) = w.call(
        "UpdateUserPool",
        &json!({"UserPoolId": w.pool_id, "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": factors}}}),
    );
    assert_eq!(status, 200, "{answer}");
}

#[test]
fn each_preferred_first_factor_signs_in_over_http() {
    let w = fixture();
    // PASSWORD: the password in AuthParameters, tokens at once.
    let answer = initiate(&w, "alice", Some("PASSWORD"), &[("PASSWORD", PASSWORD)]);
    assert!(
        answer["AuthenticationResult"]["IdToken"].is_string(),
        "{answer}"
    );
    // A wrong password is the password's refusal.
    let (status, wrong) = w.call(
        "InitiateAuth",
        &json!({"ClientId": w.client_id, "AuthFlow": "USER_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wr0ng!pass"}}),
    );
    refused(&(status, wrong), "NotAuthorizedException");
    // EMAIL_OTP: a code in the outbox, answered with EMAIL_OTP_CODE.
    let started = initiate(&w, "alice", Some("EMAIL_OTP"), &[]);
    assert_eq!(started["ChallengeName"], "EMAIL_OTP", "{started}");
    assert_eq!(
        started["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "EMAIL"
    );
    let message = w.emulator.outbox().pop().unwrap();
    assert_eq!(message.destination, "alice@example.com");
    signed_in(&respond(
        &w,
        "alice",
        &started,
        "EMAIL_OTP",
        &[("EMAIL_OTP_CODE", &message.code)],
    ));
    // SMS_OTP: the code goes by SMS.
    let started = initiate(&w, "alice", Some("SMS_OTP"), &[]);
    assert_eq!(started["ChallengeName"], "SMS_OTP", "{started}");
    let message = w.emulator.outbox().pop().unwrap();
    assert_eq!(message.medium, "SMS");
    assert_eq!(message.destination, "+15550100");
    signed_in(&respond(
        &w,
        "alice",
        &started,
        "SMS_OTP",
        &[("SMS_OTP_CODE", &message.code)],
    ));
    // A code is good once: the session is gone after it signed in.
    refused(
        &respond(
            &w,
            "alice",
            &started,
            "SMS_OTP",
            &[("SMS_OTP_CODE", &message.code)],
        ),
        "NotAuthorizedException",
    );
}

#[test]
fn select_challenge_offers_the_users_factors_and_takes_each_answer() {
    let w = fixture();
    let started = initiate(&w, "alice", None, &[]);
    assert_eq!(started["ChallengeName"], "SELECT_CHALLENGE", "{started}");
    assert_eq!(
        started["AvailableChallenges"],
        json!(["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP"])
    );
    // bob's email is not verified: a password only.
    let bob = initiate(&w, "bob", None, &[]);
    assert_eq!(
        bob["AvailableChallenges"],
        json!(["PASSWORD_SRP", "PASSWORD"])
    );
    // A preference bob cannot use is not honoured: the choice instead.
    let bob = initiate(&w, "bob", Some("EMAIL_OTP"), &[]);
    assert_eq!(bob["ChallengeName"], "SELECT_CHALLENGE", "{bob}");
    // An answer that is not offered is refused, and the session stays for a good one.
    refused(
        &respond(
            &w,
            "bob",
            &bob,
            "SELECT_CHALLENGE",
            &[("ANSWER", "EMAIL_OTP")],
        ),
        "InvalidParameterException",
    );
    signed_in(&respond(
        &w,
        "bob",
        &bob,
        "SELECT_CHALLENGE",
        &[("ANSWER", "PASSWORD"), ("PASSWORD", PASSWORD)],
    ));
    // EMAIL_OTP picked: the code, then tokens.
    let emailed = respond(
        &w,
        "alice",
        &started,
        "SELECT_CHALLENGE",
        &[("ANSWER", "EMAIL_OTP")],
    );
    assert_eq!(emailed.0, 200, "{emailed:?}");
    assert_eq!(emailed.1["ChallengeName"], "EMAIL_OTP");
    let code = w.code("alice");
    signed_in(&respond(
        &w,
        "alice",
        &emailed.1,
        "EMAIL_OTP",
        &[("EMAIL_OTP_CODE", &code)],
    ));
}

#[test]
fn the_core_signs_in_with_each_first_factor() {
    let w = fixture();
    let no_prompt = |p: &Prompt| panic!("unexpected prompt {p:?}");
    let out = w
        .drive(
            SignIn::user_auth(
                &w.pool,
                "alice",
                FirstFactor::Password(PASSWORD.into()),
                Entropy::from([1; 32]),
            ),
            no_prompt,
        )
        .unwrap();
    assert_eq!(out.username, "alice");
    w.drive(
        SignIn::user_auth(
            &w.pool,
            "alice",
            FirstFactor::PasswordSrp(PASSWORD.into()),
            Entropy::from([2; 32]),
        ),
        no_prompt,
    )
    .unwrap();
    w.drive(
        SignIn::user_auth(
            &w.pool,
            "alice",
            FirstFactor::EmailOtp,
            Entropy::from([3; 32]),
        ),
        emailed_code(&w),
    )
    .unwrap();
    w.drive(
        SignIn::user_auth(
            &w.pool,
            "alice",
            FirstFactor::SmsOtp,
            Entropy::from([4; 32]),
        ),
        |p| match p {
            Prompt::SmsOtpCode { .. } => Input::code(w.code("alice")),
            other => panic!("unexpected prompt {other:?}"),
        },
    )
    .unwrap();
    // SELECT_CHALLENGE answered with PASSWORD_SRP: the SRP exchange follows.
    w.drive(
        SignIn::user_auth(
            &w.pool,
            "alice",
            FirstFactor::Select,
            Entropy::from([5; 32]),
        ),
        |p| match p {
            Prompt::SelectChallenge { available } => {
                assert!(
                    available.iter().any(|a| a == "PASSWORD_SRP"),
                    "{available:?}"
                );
                Input::SelectChallenge {
                    challenge: "PASSWORD_SRP".into(),
                    password: Some(PASSWORD.into()),
                }
            }
            other => panic!("unexpected prompt {other:?}"),
        },
    )
    .unwrap();
    // ... and with EMAIL_OTP: the code follows.
    w.drive(
        SignIn::user_auth(
            &w.pool,
            "alice",
            FirstFactor::Select,
            Entropy::from([6; 32]),
        ),
        |p| match p {
            Prompt::SelectChallenge { .. } => Input::SelectChallenge {
                challenge: "EMAIL_OTP".into(),
                password: None,
            },
            Prompt::EmailOtpCode { .. } => Input::code(w.code("alice")),
            other => panic!("unexpected prompt {other:?}"),
        },
    )
    .unwrap();
}

#[test]
fn the_pool_chooses_the_first_factors() {
    let w = fixture();
    set_factors(&w, &["PASSWORD"]);
    let (status, pool) = w.call("DescribeUserPool", &json!({"UserPoolId": w.pool_id}));
    assert_eq!(status, 200);
    assert_eq!(
        pool["UserPool"]["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"],
        json!(["PASSWORD"])
    );
    // EMAIL_OTP is not allowed: not offered, not honoured, not accepted as an answer.
    let started = initiate(&w, "alice", Some("EMAIL_OTP"), &[]);
    assert_eq!(started["ChallengeName"], "SELECT_CHALLENGE", "{started}");
    assert_eq!(
        started["AvailableChallenges"],
        json!(["PASSWORD_SRP", "PASSWORD"])
    );
    refused(
        &respond(
            &w,
            "alice",
            &started,
            "SELECT_CHALLENGE",
            &[("ANSWER", "EMAIL_OTP")],
        ),
        "InvalidParameterException",
    );
    assert!(w.emulator.outbox().is_empty(), "no code was sent");
    let access = w.access_token("alice", PASSWORD);
    let (_, factors) = w.call("GetUserAuthFactors", &json!({"AccessToken": access}));
    assert_eq!(factors["ConfiguredUserAuthFactors"], json!(["PASSWORD"]));
    // Allowed again: GetUserAuthFactors and AdminGetUserAuthFactors tell it.
    set_factors(&w, &["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]);
    let (_, factors) = w.call("GetUserAuthFactors", &json!({"AccessToken": access}));
    assert_eq!(
        factors["ConfiguredUserAuthFactors"],
        json!(["PASSWORD", "EMAIL_OTP", "SMS_OTP"])
    );
    let (status, bob) = w.call(
        "AdminGetUserAuthFactors",
        &json!({"UserPoolId": w.pool_id, "Username": "bob"}),
    );
    assert_eq!(status, 200, "{bob}");
    assert_eq!(bob["Username"], "bob");
    assert_eq!(bob["ConfiguredUserAuthFactors"], json!(["PASSWORD"]));
    let unknown = w.call(
        "AdminGetUserAuthFactors",
        &json!({"UserPoolId": w.pool_id, "Username": "nobody"}),
    );
    refused(&unknown, "UserNotFoundException");
    // A factor Cognito does not know is a validation error.
    let bad = w.call(
        "UpdateUserPool",
        &json!({"UserPoolId": w.pool_id, "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["MAGIC_LINK"]}}}),
    );
    refused(&bad, "InvalidParameterException");
}

#[test]
fn three_wrong_codes_end_the_session_and_codes_expire() {
    let w = fixture();
    let started = initiate(&w, "alice", Some("EMAIL_OTP"), &[]);
    let code = w.code("alice");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..2 {
        refused(
            &respond(
                &w,
                "alice",
                &started,
                "EMAIL_OTP",
                &[("EMAIL_OTP_CODE", wrong)],
            ),
            "CodeMismatchException",
        );
    }
    refused(
        &respond(
            &w,
            "alice",
            &started,
            "EMAIL_OTP",
            &[("EMAIL_OTP_CODE", wrong)],
        ),
        "NotAuthorizedException",
    );
    // The right code comes too late: the session is over.
    refused(
        &respond(
            &w,
            "alice",
            &started,
            "EMAIL_OTP",
            &[("EMAIL_OTP_CODE", &code)],
        ),
        "NotAuthorizedException",
    );
    // A code lives three minutes on the emulator's clock.
    let started = initiate(&w, "alice", Some("SMS_OTP"), &[]);
    let code = w.code("alice");
    w.emulator.advance(Duration::from_secs(181));
    refused(
        &respond(&w, "alice", &started, "SMS_OTP", &[("SMS_OTP_CODE", &code)]),
        "NotAuthorizedException",
    );
}

#[test]
fn a_client_without_allow_user_auth_refuses_it() {
    let w = Fixture::start(
        Options::default()
            .client(ClientConfig {
                settings: ClientSettings {
                    explicit_auth_flows: Some(vec![
                        "ALLOW_USER_SRP_AUTH".into(),
                        "ALLOW_REFRESH_TOKEN_AUTH".into(),
                    ]),
                    ..ClientSettings::default()
                },
                ..ClientConfig::default()
            })
            .user("alice", PASSWORD, &[("email", "alice@example.com")]),
    );
    let answer = w.call(
        "InitiateAuth",
        &json!({"ClientId": w.client_id, "AuthFlow": "USER_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"}}),
    );
    refused(&answer, "InvalidParameterException");
    assert_eq!(answer.1["message"], "Auth flow not enabled for this client");
    assert!(w.emulator.outbox().is_empty(), "no code was sent");
    // The same pool's client that allows it signs alice in.
    let allowed = w.another_client(ClientConfig {
        settings: ClientSettings {
            explicit_auth_flows: Some(vec!["ALLOW_USER_AUTH".into()]),
            ..ClientSettings::default()
        },
        ..ClientConfig::default()
    });
    let out = w.drive(
        SignIn::user_auth(
            &allowed,
            "alice",
            FirstFactor::EmailOtp,
            Entropy::from([8; 32]),
        ),
        emailed_code(&w),
    );
    assert_eq!(out.unwrap().username, "alice");
}

#[test]
fn several_mfa_methods_with_email_let_the_user_choose() {
    let (w, _) = email_mfa(json!({"SmsMfaConfiguration": {"SmsConfiguration": {}}}));
    let (status, answer) = w.call(
        "AdminSetUserMFAPreference",
        &json!({"UserPoolId": w.pool_id, "Username": "alice",
                "SMSMfaSettings": {"Enabled": true}, "EmailMfaSettings": {"Enabled": true}}),
    );
    assert_eq!(status, 200, "{answer}");
    let (_, factors) = w.call(
        "AdminGetUserAuthFactors",
        &json!({"UserPoolId": w.pool_id, "Username": "alice"}),
    );
    assert_eq!(
        factors["UserMFASettingList"],
        json!(["SMS_MFA", "EMAIL_OTP"])
    );
    let started = initiate(&w, "alice", Some("PASSWORD"), &[("PASSWORD", PASSWORD)]);
    assert_eq!(started["ChallengeName"], "SELECT_MFA_TYPE", "{started}");
    assert_eq!(
        started["ChallengeParameters"]["MFAS_CAN_CHOOSE"],
        "[\"SMS_MFA\",\"EMAIL_OTP\"]"
    );
    refused(
        &respond(
            &w,
            "alice",
            &started,
            "SELECT_MFA_TYPE",
            &[("ANSWER", "SOFTWARE_TOKEN_MFA")],
        ),
        "InvalidParameterException",
    );
    // Through the core: the choice, then the emailed code.
    let out = w.drive(
        SignIn::user_password(&w.pool, "alice", PASSWORD, Entropy::from([9; 32])),
        |p| match p {
            Prompt::SelectMfa { options } => {
                assert!(options.contains(&MfaMethod::Email), "{options:?}");
                Input::SelectMfa(MfaMethod::Email)
            }
            Prompt::EmailOtpCode { .. } => {
                let message = w.emulator.outbox().pop().unwrap();
                assert_eq!(message.medium, "EMAIL");
                Input::code(message.code)
            }
            other => panic!("unexpected prompt {other:?}"),
        },
    );
    assert_eq!(out.unwrap().username, "alice");
}

#[test]
fn mfa_follows_a_password_never_a_code() {
    let (w, answer) = email_mfa(json!({}));
    assert!(answer["EmailMfaConfiguration"].is_object(), "{answer}");
    let (_, config) = w.call("GetUserPoolMfaConfig", &json!({"UserPoolId": w.pool_id}));
    assert!(config["EmailMfaConfiguration"].is_object(), "{config}");
    let access = w.access_token("alice", PASSWORD);
    let (status, answer) = w.call(
        "SetUserMFAPreference",
        &json!({"AccessToken": access, "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    assert_eq!(status, 200, "{answer}");
    let (_, factors) = w.call("GetUserAuthFactors", &json!({"AccessToken": access}));
    assert_eq!(factors["UserMFASettingList"], json!(["EMAIL_OTP"]));
    assert_eq!(factors["PreferredMfaSetting"], "EMAIL_OTP");
    // A password first: the EMAIL_OTP challenge of email MFA.
    let started = initiate(&w, "alice", Some("PASSWORD"), &[("PASSWORD", PASSWORD)]);
    assert_eq!(started["ChallengeName"], "EMAIL_OTP", "{started}");
    let code = w.code("alice");
    signed_in(&respond(
        &w,
        "alice",
        &started,
        "EMAIL_OTP",
        &[("EMAIL_OTP_CODE", &code)],
    ));
    // USER_PASSWORD_AUTH too, through the core's MFA prompt.
    let out = w.drive(
        SignIn::user_password(&w.pool, "alice", PASSWORD, Entropy::from([7; 32])),
        emailed_code(&w),
    );
    out.unwrap();
    // A code first (SMS_OTP): tokens, no MFA after it.
    let started = initiate(&w, "alice", Some("SMS_OTP"), &[]);
    let code = w.code("alice");
    signed_in(&respond(
        &w,
        "alice",
        &started,
        "SMS_OTP",
        &[("SMS_OTP_CODE", &code)],
    ));
    // Email MFA needs the pool's EmailMfaConfiguration.
    let other = Fixture::start(Options::default().mfa(Mfa::Optional).user(
        "carol",
        PASSWORD,
        &[("email", "carol@example.com")],
    ));
    let access = other.access_token("carol", PASSWORD);
    let refusal = other.call(
        "SetUserMFAPreference",
        &json!({"AccessToken": access, "EmailMfaSettings": {"Enabled": true}}),
    );
    refused(&refusal, "InvalidParameterException");
}
