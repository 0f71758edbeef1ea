//! SELECT_MFA_TYPE: a user with more than one MFA method and no preferred one chooses at
//! sign-in, and the answer leads to the chosen challenge.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, UNIX_EPOCH};

use cognito_flows_emulator::{Mfa, PoolConfig};
use cognito_flows_testkit::emulator::{Fixture, Options};
use cognito_flows_testkit::totp_code;
use common::ok;
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";

fn sign_in(f: &Fixture) -> Value {
    ok(
        &f.emulator,
        "InitiateAuth",
        json!({"ClientId": f.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
    )
}

fn now(f: &Fixture) -> u64 {
    f.emulator
        .now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Alice has TOTP (verified, not preferred) and SMS MFA, and no preferred method.
fn two_methods() -> (Fixture, String) {
    let f = Fixture::start(Options::default().pool(PoolConfig {
        mfa: Mfa::Optional,
        ..PoolConfig::default()
    }));
    f.add_user("alice", PASSWORD, &[("phone_number", "+15555550100")]);
    let access = sign_in(&f)["AuthenticationResult"]["AccessToken"].clone();
    let secret = ok(
        &f.emulator,
        "AssociateSoftwareToken",
        json!({"AccessToken": access}),
    )["SecretCode"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &f.emulator,
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": totp_code(&secret, now(&f))}),
    );
    ok(
        &f.emulator,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": f.pool_id, "Username": "alice",
               "SMSMfaSettings": {"Enabled": true}}),
    );
    (f, secret)
}

fn respond(f: &Fixture, name: &str, session: &Value, responses: Value) -> Value {
    ok(
        &f.emulator,
        "RespondToAuthChallenge",
        json!({"ClientId": f.client_id, "ChallengeName": name, "Session": session,
               "ChallengeResponses": responses}),
    )
}

#[test]
fn a_user_with_sms_and_totp_and_no_preference_chooses() {
    let (f, secret) = two_methods();
    let select = sign_in(&f);
    assert_eq!(select["ChallengeName"], "SELECT_MFA_TYPE", "{select}");
    let params = &select["ChallengeParameters"];
    assert_eq!(params["USERNAME"], "alice");
    let choices: Vec<String> =
        serde_json::from_str(params["MFAS_CAN_CHOOSE"].as_str().unwrap()).unwrap();
    assert_eq!(choices, ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]);

    // TOTP chosen: its challenge, then tokens.
    let totp = respond(
        &f,
        "SELECT_MFA_TYPE",
        &select["Session"],
        json!({"USERNAME": "alice", "ANSWER": "SOFTWARE_TOKEN_MFA"}),
    );
    assert_eq!(totp["ChallengeName"], "SOFTWARE_TOKEN_MFA", "{totp}");
    f.emulator.advance(Duration::from_secs(30));
    let done = respond(
        &f,
        "SOFTWARE_TOKEN_MFA",
        &totp["Session"],
        json!({"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": totp_code(&secret, now(&f))}),
    );
    assert!(
        done["AuthenticationResult"]["AccessToken"].is_string(),
        "{done}"
    );

    // SMS chosen: a code sent, then tokens.
    let select = sign_in(&f);
    assert_eq!(select["ChallengeName"], "SELECT_MFA_TYPE");
    let sms = respond(
        &f,
        "SELECT_MFA_TYPE",
        &select["Session"],
        json!({"USERNAME": "alice", "ANSWER": "SMS_MFA"}),
    );
    assert_eq!(sms["ChallengeName"], "SMS_MFA", "{sms}");
    assert_eq!(
        sms["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "SMS"
    );
    let code = f.emulator.last_code("alice").unwrap();
    let done = respond(
        &f,
        "SMS_MFA",
        &sms["Session"],
        json!({"USERNAME": "alice", "SMS_MFA_CODE": code}),
    );
    assert!(
        done["AuthenticationResult"]["AccessToken"].is_string(),
        "{done}"
    );
}

/// A preferred method is asked at once.
#[test]
fn a_preferred_method_is_asked_without_a_choice() {
    let (f, _) = two_methods();
    ok(
        &f.emulator,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": f.pool_id, "Username": "alice",
               "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    assert_eq!(sign_in(&f)["ChallengeName"], "SMS_MFA");
}
