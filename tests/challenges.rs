//! Every sign-in challenge path on canned Cognito answers, one transcript each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;

use cognito_flows::flows::sign_in::FirstFactor;
use cognito_flows::{
    Entropy, Error, ErrorKind, Input, MfaMethod, Misuse, Password, Prompt, SignIn, UserPool,
};
use common::*;
use serde_json::{Value, json};

fn pool() -> UserPool {
    UserPool::new("us-east-1_AbC123def", "client")
        .unwrap()
        .with_client_secret("client-secret")
}

fn entropy() -> Entropy {
    Entropy::from([7; 32])
}

fn challenge(name: &str, session: &str, params: Value) -> Value {
    let mut params = params;
    params["USERNAME"] = json!("alice");
    json!({"ChallengeName": name, "Session": session, "ChallengeParameters": params})
}

fn srp_to(name: &str, params: Value) -> Scenario<SignIn> {
    let mut s = Scenario::new(SignIn::user_srp(&pool(), "alice", "pw", entropy()));
    s.respond(ok(password_verifier_challenge("alice", "alice")));
    s.respond(ok(challenge(name, "session-2", params)));
    s
}

#[test]
fn sms_mfa_with_a_wrong_code_then_the_right_one() {
    let mut s = srp_to(
        "SMS_MFA",
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******1234"}),
    );
    let Prompt::SmsMfaCode { delivery, error } = s.prompt() else {
        panic!()
    };
    assert_eq!(delivery.destination.as_deref(), Some("+*******1234"));
    assert_eq!(delivery.medium.as_deref(), Some("SMS"));
    assert!(error.is_none());
    s.answer(Input::code("111111"));
    let sent = s.respond(common::error(
        400,
        "CodeMismatchException",
        "Invalid code or auth state for the user.",
    ));
    assert_eq!(sent["ChallengeResponses"]["SMS_MFA_CODE"], "111111");
    assert_eq!(sent["Session"], "session-2");
    let Prompt::SmsMfaCode { error, .. } = s.prompt() else {
        panic!()
    };
    assert_eq!(error.unwrap().kind, ErrorKind::CodeMismatch);
    s.answer(Input::code(" 123456 "));
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["ChallengeResponses"]["SMS_MFA_CODE"], "123456");
    assert_eq!(sent["ChallengeResponses"]["USERNAME"], "alice");
    assert_eq!(
        sent["ChallengeResponses"]["SECRET_HASH"],
        pool().secret_hash("alice").unwrap().expose()
    );
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn totp_mfa() {
    let mut s = Scenario::new(SignIn::user_password(&pool(), "alice", "pw", entropy()));
    s.respond(ok(challenge(
        "SOFTWARE_TOKEN_MFA",
        "s",
        json!({"FRIENDLY_DEVICE_NAME": "Phone"}),
    )));
    assert_eq!(
        s.prompt(),
        Prompt::TotpCode {
            device_name: Some("Phone".into()),
            error: None
        }
    );
    s.answer(Input::code("654321"));
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(
        sent["ChallengeResponses"]["SOFTWARE_TOKEN_MFA_CODE"],
        "654321"
    );
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn email_otp_mfa() {
    let mut s = srp_to(
        "EMAIL_OTP",
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "a***@e***"}),
    );
    let Prompt::EmailOtpCode { delivery, .. } = s.prompt() else {
        panic!()
    };
    assert_eq!(delivery.medium.as_deref(), Some("EMAIL"));
    s.answer(Input::code("12345678"));
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["ChallengeResponses"]["EMAIL_OTP_CODE"], "12345678");
    s.done();
}

#[test]
fn select_mfa_type() {
    let mut s = srp_to(
        "SELECT_MFA_TYPE",
        json!({"MFAS_CAN_CHOOSE": "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]"}),
    );
    assert_eq!(
        s.prompt(),
        Prompt::SelectMfa {
            options: vec![MfaMethod::Sms, MfaMethod::Totp]
        }
    );
    // A code is not what this prompt asks: misuse, and the prompt stays.
    let misuse = cognito_flows::Flow::handle_input(&mut s.flow, Input::code("1")).unwrap_err();
    assert!(matches!(
        misuse,
        Error::Misuse(Misuse::UnexpectedInput {
            expected: "an MFA method",
            got: "a code"
        })
    ));
    s.answer(Input::SelectMfa(MfaMethod::Totp));
    let sent = s.respond(ok(challenge("SOFTWARE_TOKEN_MFA", "s3", json!({}))));
    assert_eq!(sent["ChallengeName"], "SELECT_MFA_TYPE");
    assert_eq!(sent["ChallengeResponses"]["ANSWER"], "SOFTWARE_TOKEN_MFA");
    s.answer(Input::code("000000"));
    s.respond(ok(tokens_answer("alice", true)));
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn mfa_setup_with_totp_only_goes_straight_to_the_secret() {
    // moto writes MFAS_CAN_SETUP as a Python list.
    let mut s = srp_to(
        "MFA_SETUP",
        json!({"MFAS_CAN_SETUP": "['SOFTWARE_TOKEN_MFA']"}),
    );
    let sent = s.respond(ok(
        json!({"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "session-3"}),
    ));
    assert_eq!(sent, json!({"Session": "session-2"}));
    let Prompt::TotpSetup { setup, error } = s.prompt() else {
        panic!()
    };
    assert!(error.is_none());
    assert_eq!(setup.secret.expose(), "JBSWY3DPEHPK3PXP");
    assert_eq!(
        setup.uri(),
        "otpauth://totp/AWSCognito:alice?secret=JBSWY3DPEHPK3PXP&issuer=AWSCognito"
    );
    assert_eq!(format!("{setup:?}"), "TotpSetup([redacted])");
    s.answer(Input::TotpSetup {
        code: "111111".into(),
        device_name: Some("Phone".into()),
    });
    let sent = s.respond(common::error(
        400,
        "EnableSoftwareTokenMFAException",
        "Code mismatch",
    ));
    assert_eq!(
        sent,
        json!({"Session": "session-3", "UserCode": "111111", "FriendlyDeviceName": "Phone"})
    );
    let Prompt::TotpSetup { error, .. } = s.prompt() else {
        panic!()
    };
    assert_eq!(error.unwrap().kind, ErrorKind::EnableSoftwareTokenMfa);
    s.answer(Input::code("222222"));
    s.respond(ok(json!({"Status": "SUCCESS", "Session": "session-4"})));
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["ChallengeName"], "MFA_SETUP");
    assert_eq!(sent["Session"], "session-4");
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn mfa_setup_with_a_choice_of_email() {
    let mut s = srp_to(
        "MFA_SETUP",
        json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]"}),
    );
    assert_eq!(
        s.prompt(),
        Prompt::SelectMfaSetup {
            options: vec![MfaMethod::Totp, MfaMethod::Email]
        }
    );
    s.answer(Input::SelectMfa(MfaMethod::Email));
    assert_eq!(s.prompt(), Prompt::EmailMfaSetup { error: None });
    s.answer(Input::Email("alice@example.com".into()));
    let sent = s.respond(ok(challenge(
        "EMAIL_OTP",
        "s5",
        json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"}),
    )));
    assert_eq!(sent["ChallengeName"], "MFA_SETUP");
    assert_eq!(sent["ChallengeResponses"]["EMAIL"], "alice@example.com");
    s.answer(Input::code("31415926"));
    s.respond(ok(tokens_answer("alice", true)));
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn new_password_required() {
    let mut s = Scenario::new(SignIn::user_password(
        &pool(),
        "alice",
        "temporary",
        entropy(),
    ));
    s.respond(ok(challenge(
        "NEW_PASSWORD_REQUIRED",
        "s",
        json!({
            "userAttributes": "{\"email_verified\":\"true\",\"email\":\"alice@example.com\",\"phone_number_verified\":false}",
            "requiredAttributes": "[\"userAttributes.name\"]",
        }),
    )));
    let Prompt::NewPassword {
        user_attributes,
        required_attributes,
        error,
    } = s.prompt()
    else {
        panic!()
    };
    assert_eq!(
        user_attributes,
        BTreeMap::from([("email".into(), "alice@example.com".into())])
    );
    assert_eq!(required_attributes, vec!["name".to_owned()]);
    assert!(error.is_none());
    let answer = |pw: &str| Input::NewPassword {
        password: Password::new(pw),
        attributes: BTreeMap::from([
            ("name".into(), "Alice".into()),
            ("email_verified".into(), "true".into()),
        ]),
    };
    s.answer(answer("weak"));
    s.respond(common::error(
        400,
        "InvalidPasswordException",
        "Password does not conform to policy",
    ));
    assert_eq!(s.prompt().error().unwrap().kind, ErrorKind::InvalidPassword);
    s.answer(answer("Str0ng&Long!"));
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["ChallengeResponses"]["NEW_PASSWORD"], "Str0ng&Long!");
    assert_eq!(sent["ChallengeResponses"]["userAttributes.name"], "Alice");
    assert!(
        sent["ChallengeResponses"]
            .get("userAttributes.email_verified")
            .is_none()
    );
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn missing_requirements_also_return_to_the_new_password_prompt() {
    let mut s = Scenario::new(SignIn::user_password(&pool(), "alice", "t", entropy()));
    s.respond(ok(challenge("NEW_PASSWORD_REQUIRED", "s", json!({}))));
    let Prompt::NewPassword {
        user_attributes,
        required_attributes,
        ..
    } = s.prompt()
    else {
        panic!()
    };
    assert!(user_attributes.is_empty() && required_attributes.is_empty());
    s.answer(Input::NewPassword {
        password: "P4ssword!".into(),
        attributes: BTreeMap::new(),
    });
    s.respond(common::error(
        400,
        "InvalidParameterException",
        "name is missing",
    ));
    assert_eq!(
        s.prompt().error().unwrap().kind,
        ErrorKind::InvalidParameter
    );
}

#[test]
fn custom_auth_loops_any_number_of_rounds() {
    let mut s = Scenario::new(SignIn::custom(&pool(), "alice", entropy()));
    let initiate = s.respond(ok(challenge(
        "CUSTOM_CHALLENGE",
        "c1",
        json!({"question": "2+2"}),
    )));
    assert_eq!(initiate["AuthFlow"], "CUSTOM_AUTH");
    for (round, answer) in [("c1", "4"), ("c2", "9")] {
        let Prompt::CustomChallenge { parameters, .. } = s.prompt() else {
            panic!()
        };
        assert!(parameters.contains_key("question"));
        s.answer(Input::Answer(answer.into()));
        let next = if round == "c1" {
            ok(challenge(
                "CUSTOM_CHALLENGE",
                "c2",
                json!({"question": "3*3"}),
            ))
        } else {
            ok(tokens_answer("alice", true))
        };
        let sent = s.respond(next);
        assert_eq!(sent["Session"], round);
        assert_eq!(sent["ChallengeResponses"]["ANSWER"], answer);
    }
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn custom_auth_with_srp_first() {
    let mut s = Scenario::new(SignIn::custom_with_srp(&pool(), "alice", "pw", entropy()));
    let initiate = s.respond(ok(password_verifier_challenge("alice", "alice")));
    assert_eq!(initiate["AuthFlow"], "CUSTOM_AUTH");
    assert_eq!(initiate["AuthParameters"]["CHALLENGE_NAME"], "SRP_A");
    assert!(initiate["AuthParameters"]["SRP_A"].as_str().unwrap().len() > 700);
    let verifier = s.respond(ok(challenge(
        "CUSTOM_CHALLENGE",
        "c1",
        json!({"hint": "x"}),
    )));
    assert_eq!(verifier["ChallengeName"], "PASSWORD_VERIFIER");
    s.answer(Input::Answer("x".into()));
    s.respond(ok(tokens_answer("alice", true)));
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn user_auth_select_challenge_then_password_srp() {
    let mut s = Scenario::new(SignIn::user_auth(
        &pool(),
        "alice",
        FirstFactor::Select,
        entropy(),
    ));
    let initiate = s.respond(ok(json!({
        "ChallengeName": "SELECT_CHALLENGE", "Session": "u1",
        "ChallengeParameters": {"USERNAME": "alice"},
        "AvailableChallenges": ["PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"],
    })));
    assert_eq!(initiate["AuthFlow"], "USER_AUTH");
    assert!(
        initiate["AuthParameters"]
            .get("PREFERRED_CHALLENGE")
            .is_none()
    );
    let Prompt::SelectChallenge { available } = s.prompt() else {
        panic!()
    };
    assert_eq!(available, ["PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]);
    let err = cognito_flows::Flow::handle_input(
        &mut s.flow,
        Input::SelectChallenge {
            challenge: "PASSWORD_SRP".into(),
            password: None,
        },
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::Misuse(Misuse::InvalidInput(
            "PASSWORD_SRP needs the password".into()
        ))
    );
    s.answer(Input::SelectChallenge {
        challenge: "PASSWORD_SRP".into(),
        password: Some("pw".into()),
    });
    let select = s.respond(ok(password_verifier_challenge("alice", "alice")));
    assert_eq!(select["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(select["ChallengeResponses"]["ANSWER"], "PASSWORD_SRP");
    assert!(select["ChallengeResponses"]["SRP_A"].is_string());
    let verifier = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(verifier["ChallengeName"], "PASSWORD_VERIFIER");
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn user_auth_preferring_each_first_factor() {
    let start = |first| {
        let mut s = Scenario::new(SignIn::user_auth(&pool(), "alice", first, entropy()));
        let sent = s.respond(ok(tokens_answer("alice", true)));
        sent["AuthParameters"].clone()
    };
    let p = start(FirstFactor::Password("pw".into()));
    assert_eq!(
        (p["PREFERRED_CHALLENGE"].as_str(), p["PASSWORD"].as_str()),
        (Some("PASSWORD"), Some("pw"))
    );
    let p = start(FirstFactor::PasswordSrp("pw".into()));
    assert_eq!(p["PREFERRED_CHALLENGE"], "PASSWORD_SRP");
    assert!(p["SRP_A"].is_string() && p.get("PASSWORD").is_none());
    assert_eq!(
        start(FirstFactor::EmailOtp)["PREFERRED_CHALLENGE"],
        "EMAIL_OTP"
    );
    assert_eq!(start(FirstFactor::SmsOtp)["PREFERRED_CHALLENGE"], "SMS_OTP");
    assert_eq!(
        start(FirstFactor::WebAuthn)["PREFERRED_CHALLENGE"],
        "WEB_AUTHN"
    );
}

#[test]
fn user_auth_with_email_and_sms_codes() {
    for (first, name, field) in [
        (FirstFactor::EmailOtp, "EMAIL_OTP", "EMAIL_OTP_CODE"),
        (FirstFactor::SmsOtp, "SMS_OTP", "SMS_OTP_CODE"),
    ] {
        let mut s = Scenario::new(SignIn::user_auth(&pool(), "alice", first, entropy()));
        s.respond(ok(challenge(
            name,
            "o1",
            json!({"CODE_DELIVERY_DESTINATION": "x"}),
        )));
        assert!(matches!(
            s.prompt(),
            Prompt::EmailOtpCode { .. } | Prompt::SmsOtpCode { .. }
        ));
        s.answer(Input::code("424242"));
        let sent = s.respond(ok(tokens_answer("alice", true)));
        assert_eq!(sent["ChallengeResponses"][field], "424242");
        s.done();
    }
}

#[test]
fn passkeys_pass_the_json_through() {
    let options = r#"{"challenge":"abc","rpId":"example.com","allowCredentials":[]}"#;
    let mut s = Scenario::new(SignIn::user_auth(
        &pool(),
        "alice",
        FirstFactor::WebAuthn,
        entropy(),
    ));
    s.respond(ok(challenge(
        "WEB_AUTHN",
        "w1",
        json!({"CREDENTIAL_REQUEST_OPTIONS": options}),
    )));
    assert_eq!(
        s.prompt(),
        Prompt::WebAuthn {
            credential_request_options: options.into()
        }
    );
    let credential = r#"{"id":"cred","response":{"signature":"sig"}}"#;
    s.answer(Input::WebAuthnCredential(credential.into()));
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["ChallengeResponses"]["CREDENTIAL"], credential);
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn the_sign_in_after_sign_up_sends_the_session() {
    let mut s = Scenario::new(SignIn::after_sign_up(
        &pool(),
        "alice",
        "signup-session".into(),
        entropy(),
    ));
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["AuthFlow"], "USER_AUTH");
    assert_eq!(sent["Session"], "signup-session");
    assert_eq!(sent["AuthParameters"]["USERNAME"], "alice");
    s.done();
}

#[test]
fn empty_codes_are_refused_before_sending() {
    let mut s = srp_to("SMS_MFA", json!({}));
    let err = cognito_flows::Flow::handle_input(&mut s.flow, Input::code("  ")).unwrap_err();
    assert_eq!(
        err,
        Error::Misuse(Misuse::InvalidInput("the answer is empty".into()))
    );
    assert!(matches!(s.prompt(), Prompt::SmsMfaCode { .. }));
}

#[test]
fn any_challenge_prompt_takes_raw_responses() {
    let mut s = srp_to("SMS_MFA", json!({}));
    s.answer(Input::Challenge(BTreeMap::from([(
        "SMS_MFA_CODE".into(),
        "777777".into(),
    )])));
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["ChallengeResponses"]["SMS_MFA_CODE"], "777777");
}
