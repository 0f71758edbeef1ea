//! A model-based property test of the sign-in state machine: random sequences of canned Cognito
//! answers and user inputs, fed to every kind of sign-in. It must never panic, refuse what its
//! state did not ask for without changing, only answer the challenge it was asked, and stay
//! finished once finished.
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
    Action, DeviceCredentials, Entropy, Error, Flow, Input, MfaMethod, Misuse, SignIn, SignedIn,
    UserPool,
};
use common::*;
use proptest::prelude::*;
use serde_json::{Value, json};

fn challenge(name: &str) -> Value {
    let mut params = json!({"USERNAME": "alice"});
    match name {
        "PASSWORD_VERIFIER" | "DEVICE_PASSWORD_VERIFIER" => {
            return password_verifier_challenge("alice", "alice")
                .as_object()
                .cloned()
                .map(|mut o| {
                    o.insert("ChallengeName".into(), json!(name));
                    o.insert("Session".into(), json!("s"));
                    Value::Object(o)
                })
                .unwrap();
        }
        "MFA_SETUP" => params["MFAS_CAN_SETUP"] = json!("[\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]"),
        "SELECT_MFA_TYPE" => params["MFAS_CAN_CHOOSE"] = json!("['SMS_MFA','SOFTWARE_TOKEN_MFA']"),
        _ => {}
    }
    json!({"ChallengeName": name, "Session": "s", "ChallengeParameters": params,
           "AvailableChallenges": ["PASSWORD_SRP", "EMAIL_OTP"]})
}

const CHALLENGES: &[&str] = &[
    "PASSWORD_VERIFIER",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
    "SMS_MFA",
    "SOFTWARE_TOKEN_MFA",
    "EMAIL_OTP",
    "SMS_OTP",
    "SELECT_MFA_TYPE",
    "MFA_SETUP",
    "NEW_PASSWORD_REQUIRED",
    "CUSTOM_CHALLENGE",
    "SELECT_CHALLENGE",
    "WEB_AUTHN",
    "NEW_THING",
];

#[derive(Debug, Clone)]
enum Step {
    Challenge(usize),
    Tokens { device: bool },
    Error(&'static str),
    Garbage(Vec<u8>),
    Misc(usize),
    Input(usize),
}

fn answer(step: &Step) -> Option<(http::Response<Vec<u8>>, Option<String>)> {
    Some(match step {
        Step::Challenge(i) => {
            let name = CHALLENGES[i % CHALLENGES.len()];
            (ok(challenge(name)), Some(name.to_owned()))
        }
        Step::Tokens { device } => {
            let mut t = tokens_answer("alice", true);
            if *device {
                t["AuthenticationResult"]["NewDeviceMetadata"] =
                    json!({"DeviceKey": "k", "DeviceGroupKey": "g"});
            }
            (ok(t), None)
        }
        Step::Error(kind) => (error(400, kind, "m"), None),
        Step::Garbage(bytes) => (raw(200, bytes), None),
        Step::Misc(i) => {
            let bodies = [
                json!({"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "s2"}),
                json!({"Status": "SUCCESS", "Session": "s3"}),
                json!({"Status": "ERROR"}),
                json!({"UserConfirmationNecessary": true}),
                json!({}),
            ];
            (ok(bodies[i % bodies.len()].clone()), None)
        }
        Step::Input(_) => return None,
    })
}

fn input(i: usize) -> Input {
    let inputs = [
        Input::code("123456"),
        Input::code(""),
        Input::SelectMfa(MfaMethod::Totp),
        Input::SelectMfa(MfaMethod::Email),
        Input::TotpSetup {
            code: "1".into(),
            device_name: None,
        },
        Input::Email("a@b.c".into()),
        Input::NewPassword {
            password: "P4ss!".into(),
            attributes: BTreeMap::new(),
        },
        Input::Answer("x".into()),
        Input::SelectChallenge {
            challenge: "PASSWORD_SRP".into(),
            password: None,
        },
        Input::SelectChallenge {
            challenge: "EMAIL_OTP".into(),
            password: None,
        },
        Input::WebAuthnCredential("{}".into()),
        Input::RememberDevice(true),
        Input::Challenge(BTreeMap::from([("X".into(), "y".into())])),
    ];
    inputs[i % inputs.len()].clone()
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..CHALLENGES.len()).prop_map(Step::Challenge),
        2 => any::<bool>().prop_map(|device| Step::Tokens { device }),
        1 => prop::sample::select(vec![
            "CodeMismatchException", "NotAuthorizedException", "InvalidPasswordException",
            "ResourceNotFoundException", "EnableSoftwareTokenMFAException", "TooManyRequestsException",
        ]).prop_map(Step::Error),
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(Step::Garbage),
        2 => (0..5usize).prop_map(Step::Misc),
        4 => (0..13usize).prop_map(Step::Input),
    ]
}

/// A sign-in of every kind, and the refresh that `SignIn::refresh` builds.
fn flow(kind: usize) -> Box<dyn Flow<Output = SignedIn>> {
    let pool = UserPool::new("us-east-1_Model", "client")
        .unwrap()
        .with_client_secret("s");
    let e = || Entropy::from([9; 32]);
    let device = DeviceCredentials {
        device_key: "dk".into(),
        device_group_key: "gk".into(),
        password: "p".into(),
    };
    match kind % 7 {
        0 => Box::new(
            SignIn::builder(&pool)
                .with_device(device)
                .user_srp("alice", "pw", e()),
        ),
        1 => Box::new(SignIn::user_password(&pool, "alice", "pw", e())),
        2 => Box::new(SignIn::builder(&pool).with_device_key("dk").refresh(
            "alice",
            "r".into(),
            e(),
        )),
        3 => Box::new(SignIn::custom(&pool, "alice", e())),
        4 => Box::new(SignIn::custom_with_srp(&pool, "alice", "pw", e())),
        5 => Box::new(SignIn::user_auth(&pool, "alice", FirstFactor::Select, e())),
        _ => Box::new(SignIn::user_auth(
            &pool,
            "alice",
            FirstFactor::PasswordSrp("pw".into()),
            e(),
        )),
    }
}

/// A fingerprint of the pending action, to check that refused calls change nothing.
fn fingerprint(action: &Action<cognito_flows::SignedIn>) -> String {
    match action {
        Action::Send(r) => canonical(r),
        other => format!("{other:?}"),
    }
}

const ALLOWED: &[&str] = &[
    "InitiateAuth",
    "RespondToAuthChallenge",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "ConfirmDevice",
    "UpdateDeviceStatus",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_sign_in_machine_keeps_its_contract(kind in 0usize..7, steps in prop::collection::vec(step(), 0..24)) {
        let mut flow = flow(kind);
        let mut asked: Option<String> = None;
        let mut finished = false;
        for step in &steps {
            let before = flow.poll_action();
            let before_print = fingerprint(&before);
            if let Action::Send(request) = &before {
                let target = request.headers()["x-amz-target"].to_str().unwrap();
                let op = target.trim_start_matches("AWSCognitoIdentityProviderService.");
                prop_assert!(ALLOWED.contains(&op), "unexpected operation {op}");
                let body: Value = serde_json::from_slice(request.body()).unwrap();
                if op == "RespondToAuthChallenge" {
                    // Only the challenge Cognito asked is ever answered.
                    prop_assert_eq!(body["ChallengeName"].as_str(), asked.as_deref());
                    prop_assert_eq!(&body["ChallengeResponses"]["USERNAME"], "alice");
                    prop_assert!(body["ChallengeResponses"]["SECRET_HASH"].is_string());
                }
            }
            if finished {
                prop_assert!(matches!(before, Action::Done(_) | Action::Failed(_)));
            }
            match (answer(step), &before) {
                (Some((response, challenge)), Action::Send(_)) => {
                    let _ = flow.handle_response(now(), response);
                    if challenge.is_some() {
                        asked = challenge;
                    }
                }
                (Some((response, _)), _) => {
                    let refused = flow.handle_response(now(), response);
                    prop_assert!(matches!(refused, Err(Error::Misuse(Misuse::UnexpectedResponse { .. }))), "{:?}", refused);
                    prop_assert_eq!(fingerprint(&flow.poll_action()), before_print);
                }
                (None, Action::Prompt(_)) => {
                    let Step::Input(i) = step else { unreachable!() };
                    if let Err(Error::Misuse(_)) = flow.handle_input(input(*i)) {
                        prop_assert_eq!(fingerprint(&flow.poll_action()), before_print);
                    }
                }
                (None, _) => {
                    let Step::Input(i) = step else { unreachable!() };
                    let refused = flow.handle_input(input(*i));
                    prop_assert!(matches!(refused, Err(Error::Misuse(Misuse::UnexpectedInput { .. }))), "{:?}", refused);
                    prop_assert_eq!(fingerprint(&flow.poll_action()), before_print);
                }
            }
            finished = matches!(flow.poll_action(), Action::Done(_) | Action::Failed(_));
        }
    }
}
