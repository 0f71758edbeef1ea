//! The sign-up sessions and UpdateAuthEventFeedback against a hostile client speaking raw JSON:
//! a sign-up session answers no challenge, serves one user and client once, a malformed one is a
//! typed error, and a feedback request is checked before it is refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use cognito_flows_emulator::{ClientConfig, Emulator};
use cognito_flows_testkit::emulator::Fixture;
use serde_json::{Value, json};

fn call(e: &Emulator, operation: &str, body: &Value) -> (u16, Value) {
    common::call(e.endpoint(), operation, body)
}

fn refused(answer: &(u16, Value), kind: &str) {
    assert_eq!(answer.0, 400, "{answer:?}");
    assert_eq!(answer.1["__type"], kind, "{answer:?}");
}

#[test]
fn sign_up_sessions_serve_their_user_and_client_once_and_answer_no_challenge() {
    let w = Fixture::new();
    let (e, client) = (&w.emulator, w.client_id.clone());
    let other = w.another_client(ClientConfig::default());
    let other = other.client_id();
    let sign_up = |name: &str| {
        let (status, body) = call(
            e,
            "SignUp",
            &json!({"ClientId": client, "Username": name, "Password": "Passw0rd!"}),
        );
        assert_eq!(status, 200, "{body}");
        body["Session"].as_str().unwrap().to_owned()
    };
    let session = sign_up("alice");
    let code = e.last_code("alice").unwrap();
    let confirm = |session: Value| {
        call(
            e,
            "ConfirmSignUp",
            &json!({"ClientId": client, "Username": "alice", "ConfirmationCode": code, "Session": session}),
        )
    };
    // Not a string, not a session, another user's: typed refusals, and alice stays unconfirmed.
    refused(&confirm(json!(42)), "SerializationException");
    refused(&confirm(json!("made-up")), "NotAuthorizedException");
    refused(&confirm(json!(sign_up("bob"))), "NotAuthorizedException");
    // A sign-up session answers no challenge.
    refused(
        &call(
            e,
            "RespondToAuthChallenge",
            &json!({"ClientId": client, "ChallengeName": "SMS_MFA", "Session": session,
                    "ChallengeResponses": {"USERNAME": "alice", "SMS_MFA_CODE": "123456"}}),
        ),
        "NotAuthorizedException",
    );
    let (status, confirmed) = confirm(json!(session));
    assert_eq!(status, 200, "{confirmed}");
    let confirmed = confirmed["Session"].as_str().unwrap().to_owned();
    // SignUp's session is spent: the confirmation cannot be replayed with it.
    refused(&confirm(json!(session)), "NotAuthorizedException");
    let user_auth = |client: &str, name: &str, session: &str| {
        call(
            e,
            "InitiateAuth",
            &json!({"ClientId": client, "AuthFlow": "USER_AUTH", "Session": session,
                    "AuthParameters": {"USERNAME": name}}),
        )
    };
    // SignUp's session (spent anyway) and made-up ones do not sign in.
    refused(
        &user_auth(&client, "alice", &session),
        "NotAuthorizedException",
    );
    refused(
        &user_auth(&client, "alice", "made-up"),
        "NotAuthorizedException",
    );
    refused(
        &user_auth(other, "alice", &confirmed),
        "NotAuthorizedException",
    );
    refused(
        &user_auth(&client, "bob", &confirmed),
        "NotAuthorizedException",
    );
    refused(
        &user_auth(&client, "nobody", &confirmed),
        "NotAuthorizedException",
    );
    let (status, tokens) = user_auth(&client, "alice", &confirmed);
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["AuthenticationResult"]["TokenType"], "Bearer");
    refused(
        &user_auth(&client, "alice", &confirmed),
        "NotAuthorizedException",
    );
}

#[test]
fn update_auth_event_feedback_checks_its_request_then_refuses() {
    let w = Fixture::new();
    let (e, pool) = (&w.emulator, &w.pool_id);
    let feedback = |body: Value| call(e, "UpdateAuthEventFeedback", &body);
    let good = json!({"UserPoolId": pool, "Username": "alice", "EventId": "event-1",
                      "FeedbackToken": "token.1", "FeedbackValue": "Valid"});
    refused(&feedback(good.clone()), "UserPoolAddOnNotEnabledException");
    for (field, value) in [
        ("EventId", json!("")),
        ("EventId", json!("x".repeat(51))),
        ("EventId", json!("spaces here")),
        ("FeedbackToken", json!("not a token!")),
        ("FeedbackValue", json!("valid")),
    ] {
        let mut body = good.clone();
        body[field] = value;
        refused(&feedback(body), "InvalidParameterException");
    }
    for field in [
        "UserPoolId",
        "Username",
        "EventId",
        "FeedbackToken",
        "FeedbackValue",
    ] {
        let mut body = good.clone();
        body[field] = json!(7);
        let answer = feedback(body);
        assert_eq!(answer.0, 400, "{field}: {answer:?}");
    }
    let mut body = good;
    body["UserPoolId"] = json!("us-east-1_Nope");
    refused(&feedback(body), "ResourceNotFoundException");
}
