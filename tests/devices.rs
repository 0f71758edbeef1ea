//! Devices in the sign-in flow: confirm -> remember -> device SRP sign-in -> refresh -> stale
//! device retry, checked against an independent SRP server that uses the verifier the flow
//! registered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cognito_flows::{DeviceCredentials, Entropy, ErrorKind, Input, Prompt, SignIn, UserPool};
use common::srp_server::{Server, hex, stored_verifier};
use common::*;
use num_bigint::BigUint;
use serde_json::{Value, json};

const DEVICE_KEY: &str = "us-east-1_0d7e5a2c-1111-4222-8333-944445555666";
const GROUP_KEY: &str = "-Abc123def";

fn pool() -> UserPool {
    UserPool::new("us-east-1_AbC123def", "client").unwrap()
}

fn with_new_device(mut answer: Value) -> Value {
    answer["AuthenticationResult"]["NewDeviceMetadata"] =
        json!({"DeviceKey": DEVICE_KEY, "DeviceGroupKey": GROUP_KEY});
    answer
}

/// Signs in, confirms the new device and (optionally) remembers it; returns the credentials and
/// the ConfirmDevice request's body.
fn confirm(remember: Option<bool>) -> (Scenario<SignIn>, DeviceCredentials, Value) {
    let flow = SignIn::builder(&pool())
        .with_device_name("Alice's laptop")
        .user_password("alice", "pw", Entropy::from([5; 32]));
    let mut s = Scenario::new(flow);
    s.respond(ok(with_new_device(tokens_answer("alice", true))));
    let confirm = s.respond(ok(json!({"UserConfirmationNecessary": remember.is_some()})));
    if let Some(remember) = remember {
        assert_eq!(
            s.prompt(),
            Prompt::RememberDevice {
                device_key: DEVICE_KEY.into()
            }
        );
        s.answer(Input::RememberDevice(remember));
        let update = s.respond(ok(json!({})));
        assert_eq!(update["DeviceKey"], DEVICE_KEY);
        assert_eq!(
            update["DeviceRememberedStatus"],
            if remember {
                "remembered"
            } else {
                "not_remembered"
            }
        );
    }
    let out = s.done();
    let device = out.device.expect("the device is confirmed");
    assert_eq!(device.remembered, remember);
    (s, device.credentials, confirm)
}

#[test]
fn confirm_and_remember_a_new_device() {
    let (s, credentials, confirm) = confirm(Some(true));
    assert_eq!(confirm["DeviceKey"], DEVICE_KEY);
    assert_eq!(confirm["DeviceName"], "Alice's laptop");
    assert!(confirm["AccessToken"].as_str().unwrap().starts_with("eyJ"));
    assert_eq!(
        (
            credentials.device_key.as_str(),
            credentials.device_group_key.as_str()
        ),
        (DEVICE_KEY, GROUP_KEY)
    );
    // The password is base64 of 40 random bytes; the salt 15 to 17 bytes once padded.
    assert_eq!(
        BASE64.decode(credentials.password.expose()).unwrap().len(),
        40
    );
    let config = &confirm["DeviceSecretVerifierConfig"];
    let salt = BASE64.decode(config["Salt"].as_str().unwrap()).unwrap();
    assert!((15..=17).contains(&salt.len()));
    // The verifier is g^x with x from the DeviceKey (not the user name) and that password.
    let (v, salt) = stored_verifier(
        config["PasswordVerifier"].as_str().unwrap(),
        config["Salt"].as_str().unwrap(),
    );
    let expected = Server::new(
        GROUP_KEY,
        DEVICE_KEY,
        credentials.password.expose(),
        salt.clone(),
        BigUint::from(1u8),
    );
    let fresh = Server::with_verifier(GROUP_KEY, DEVICE_KEY, salt, v, BigUint::from(1u8));
    assert_eq!(
        expected.big_b, fresh.big_b,
        "the registered verifier is g^x of the device's password"
    );
    assert!(!format!("{credentials:?}").contains(credentials.password.expose()));
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn devices_that_need_no_opt_in_are_confirmed_silently() {
    let (_, credentials, _) = confirm(None);
    assert_eq!(credentials.device_key, DEVICE_KEY);
}

#[test]
fn not_remembering_is_a_choice_too() {
    confirm(Some(false));
}

#[test]
fn a_failed_confirmation_keeps_the_tokens() {
    let mut s = Scenario::new(SignIn::user_password(
        &pool(),
        "alice",
        "pw",
        Entropy::from([5; 32]),
    ));
    s.respond(ok(with_new_device(tokens_answer("alice", true))));
    s.respond(error(400, "InvalidParameterException", "bad verifier"));
    let out = s.done();
    assert!(out.device.is_none());
    assert_eq!(out.new_device.unwrap().device_key, DEVICE_KEY);
    assert_eq!(
        out.device_error.unwrap().service_kind(),
        Some(&ErrorKind::InvalidParameter)
    );
    assert!(out.tokens.refresh_token.is_some());
}

#[test]
fn confirmation_can_be_turned_off() {
    let flow = SignIn::builder(&pool())
        .without_device_confirmation()
        .user_password("alice", "pw", Entropy::from([5; 32]));
    let mut s = Scenario::new(flow);
    s.respond(ok(with_new_device(tokens_answer("alice", true))));
    let out = s.done();
    assert_eq!(out.new_device.unwrap().device_group_key, GROUP_KEY);
    assert!(out.device.is_none());
}

/// The remembered device signs in with device SRP, and an independent server holding only the
/// verifier from ConfirmDevice accepts its signature.
#[test]
fn device_srp_sign_in_is_accepted_by_the_verifier_it_registered() {
    let (_, credentials, confirm) = confirm(Some(true));
    let config = &confirm["DeviceSecretVerifierConfig"];
    let (v, salt) = stored_verifier(
        config["PasswordVerifier"].as_str().unwrap(),
        config["Salt"].as_str().unwrap(),
    );
    let server = Server::with_verifier(
        GROUP_KEY,
        DEVICE_KEY,
        salt.clone(),
        v,
        BigUint::from(0xC0FFEEu32),
    );

    let flow = SignIn::builder(&pool()).with_device(credentials).user_srp(
        "alice",
        "pw",
        Entropy::from([6; 32]),
    );
    let mut s = Scenario::new(flow);
    let initiate = s.respond(ok(password_verifier_challenge("alice", "alice")));
    assert_eq!(initiate["AuthParameters"]["DEVICE_KEY"], DEVICE_KEY);
    let verifier = s.respond(ok(json!({
        "ChallengeName": "DEVICE_SRP_AUTH", "Session": "d1",
        "ChallengeParameters": {"USERNAME": "alice"},
    })));
    assert_eq!(verifier["ChallengeResponses"]["DEVICE_KEY"], DEVICE_KEY);
    let block = b"device secret block";
    let device_srp = s.respond(ok(json!({
        "ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": "d2",
        "ChallengeParameters": {
            "USERNAME": "alice", "DEVICE_KEY": DEVICE_KEY,
            "SRP_B": hex(&server.big_b), "SALT": hex(&salt), "SECRET_BLOCK": BASE64.encode(block),
        },
    })));
    assert_eq!(device_srp["ChallengeName"], "DEVICE_SRP_AUTH");
    assert_eq!(device_srp["ChallengeResponses"]["USERNAME"], "alice");
    let a = device_srp["ChallengeResponses"]["SRP_A"]
        .as_str()
        .unwrap()
        .to_owned();
    let claim = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(claim["ChallengeName"], "DEVICE_PASSWORD_VERIFIER");
    assert_eq!(claim["Session"], "d2");
    let responses = &claim["ChallengeResponses"];
    assert_eq!(responses["DEVICE_KEY"], DEVICE_KEY);
    let timestamp = responses["TIMESTAMP"].as_str().unwrap();
    assert_eq!(
        responses["PASSWORD_CLAIM_SIGNATURE"].as_str().unwrap(),
        server.expected_signature(&a, block, timestamp),
        "the server accepts the device's claim"
    );
    s.done();
}

#[test]
fn refresh_retries_once_without_a_device_cognito_forgot() {
    let flow = SignIn::builder(&pool())
        .with_device_key(DEVICE_KEY)
        .refresh(
            "alice",
            "refresh-token-opaque".into(),
            Entropy::from([1; 32]),
        );
    let mut s = Scenario::new(flow);
    let first = s.respond(error(
        400,
        "ResourceNotFoundException",
        "Device does not exist.",
    ));
    assert_eq!(first["AuthParameters"]["DEVICE_KEY"], DEVICE_KEY);
    let second = s.respond(ok(tokens_answer("alice", false)));
    assert!(second["AuthParameters"].get("DEVICE_KEY").is_none());
    assert_eq!(
        second["AuthParameters"]["REFRESH_TOKEN"],
        "refresh-token-opaque"
    );
    let out = s.done();
    assert_eq!(out.forgotten_device.as_deref(), Some(DEVICE_KEY));
    assert_eq!(
        out.tokens.refresh_token.unwrap().expose(),
        "refresh-token-opaque"
    );
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn refresh_fails_for_good_when_the_retry_fails_too() {
    let flow = SignIn::builder(&pool())
        .with_device_key(DEVICE_KEY)
        .refresh("alice", "r".into(), Entropy::from([1; 32]));
    let mut s = Scenario::new(flow);
    s.respond(error(
        400,
        "ResourceNotFoundException",
        "Device does not exist.",
    ));
    s.respond(error(
        400,
        "ResourceNotFoundException",
        "Device does not exist.",
    ));
    assert_eq!(
        s.failed().service_kind(),
        Some(&ErrorKind::ResourceNotFound)
    );
}

#[test]
fn device_credentials_round_trip_through_serde() {
    let (_, credentials, _) = confirm(None);
    let json = serde_json::to_string(&credentials).unwrap();
    let back: DeviceCredentials = serde_json::from_str(&json).unwrap();
    assert_eq!(back, credentials);
}
