//! The sign-in flow on canned Cognito answers: snapshots of every request, transitions, errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;

use cognito_flows::srp::N_HEX;
use cognito_flows::{
    Action, Entropy, Error, ErrorKind, Flow, Input, Misuse, Prompt, ProtocolReason, SignIn,
    UserPool,
};
use common::*;
use serde_json::json;

fn pool() -> UserPool {
    UserPool::new("us-east-1_AbC123def", "client").unwrap()
}

fn secret_pool() -> UserPool {
    pool().with_client_secret("client-secret")
}

fn entropy() -> Entropy {
    Entropy::from([42; 32])
}

#[test]
fn srp_sign_in_transcript() {
    let flow = SignIn::user_srp(&pool(), "alice", "correct horse", entropy());
    let mut s = Scenario::new(flow);
    let initiate = s.respond(ok(password_verifier_challenge("alice", "alice")));
    assert_eq!(initiate["AuthFlow"], "USER_SRP_AUTH");
    let respond = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(respond["ChallengeName"], "PASSWORD_VERIFIER");
    assert_eq!(
        respond["ChallengeResponses"]["TIMESTAMP"],
        "Tue Nov 24 08:05:07 UTC 2026"
    );
    let out = s.done();
    assert_eq!(out.username, "alice");
    assert_eq!(
        out.tokens.refresh_token.as_ref().unwrap().expose(),
        "refresh-token-opaque"
    );
    assert!(out.tokens.is_valid(now()));
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn same_entropy_same_bytes() {
    let a = SignIn::user_srp(&pool(), "alice", "pw", entropy());
    let b = SignIn::user_srp(&pool(), "alice", "pw", entropy());
    let c = SignIn::user_srp(&pool(), "alice", "pw", Entropy::from([43; 32]));
    let text = |f: &SignIn| match f.poll_action() {
        Action::Send(r) => canonical(&r),
        other => panic!("{other:?}"),
    };
    assert_eq!(text(&a), text(&b));
    assert_ne!(text(&a), text(&c));
}

#[test]
fn poll_action_is_idempotent() {
    let mut flow = SignIn::user_srp(&pool(), "alice", "pw", entropy());
    let first = match flow.poll_action() {
        Action::Send(r) => canonical(&r),
        other => panic!("{other:?}"),
    };
    for _ in 0..3 {
        let Action::Send(r) = flow.poll_action() else {
            panic!()
        };
        assert_eq!(canonical(&r), first);
    }
    flow.handle_response(now(), ok(password_verifier_challenge("alice", "alice")))
        .unwrap();
    let Action::Send(a) = flow.poll_action() else {
        panic!()
    };
    let Action::Send(b) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(canonical(&a), canonical(&b));
}

#[test]
fn password_sign_in_with_a_secret() {
    let flow = SignIn::user_password(&secret_pool(), "alice", "correct horse", entropy());
    let mut s = Scenario::new(flow);
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["AuthParameters"]["PASSWORD"], "correct horse");
    assert_eq!(
        sent["AuthParameters"]["SECRET_HASH"],
        secret_pool().secret_hash("alice").unwrap().expose()
    );
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn refresh_keeps_the_refresh_token_and_sends_the_device_key() {
    let flow = SignIn::builder(&secret_pool())
        .with_device_key("us-east-1_0d7e5a2c-1111-4222-8333-944445555666")
        .refresh("5b1c0e4e-sub", "refresh-token-opaque".into(), entropy());
    let mut s = Scenario::new(flow);
    let sent = s.respond(ok(tokens_answer("5b1c0e4e-sub", false)));
    assert_eq!(sent["AuthFlow"], "REFRESH_TOKEN_AUTH");
    assert_eq!(
        sent["AuthParameters"]["SECRET_HASH"],
        secret_pool().secret_hash("5b1c0e4e-sub").unwrap().expose()
    );
    let out = s.done();
    assert_eq!(
        out.tokens.refresh_token.unwrap().expose(),
        "refresh-token-opaque"
    );
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn secret_hash_and_username_come_from_the_challenge_not_the_alias() {
    // The user typed an email alias; Cognito names them by their user name (moto: the sub is
    // USER_ID_FOR_SRP, the user name is USERNAME).
    let flow = SignIn::user_srp(&secret_pool(), "alice@example.com", "pw", entropy());
    let mut s = Scenario::new(flow);
    let initiate = s.respond(ok(password_verifier_challenge(
        "alice",
        "5b1c0e4e-0000-4000-8000-000000000001",
    )));
    assert_eq!(initiate["AuthParameters"]["USERNAME"], "alice@example.com");
    assert_eq!(
        initiate["AuthParameters"]["SECRET_HASH"],
        secret_pool()
            .secret_hash("alice@example.com")
            .unwrap()
            .expose()
    );
    let respond = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(respond["ChallengeResponses"]["USERNAME"], "alice");
    assert_eq!(
        respond["ChallengeResponses"]["SECRET_HASH"],
        secret_pool().secret_hash("alice").unwrap().expose()
    );
    assert_eq!(s.done().username, "alice");
}

#[test]
fn username_falls_back_to_user_id_for_srp() {
    let mut challenge = password_verifier_challenge("x", "alice-id");
    challenge["ChallengeParameters"]
        .as_object_mut()
        .unwrap()
        .remove("USERNAME");
    let mut s = Scenario::new(SignIn::user_srp(&pool(), "alice", "pw", entropy()));
    s.respond(ok(challenge));
    let respond = s.respond(ok(tokens_answer("alice-id", true)));
    assert_eq!(respond["ChallengeResponses"]["USERNAME"], "alice-id");
}

#[test]
fn client_metadata_rides_on_every_request() {
    let metadata = BTreeMap::from([("app".to_owned(), "web".to_owned())]);
    let flow = SignIn::builder(&pool())
        .with_client_metadata(metadata)
        .user_srp("alice", "pw", entropy());
    let mut s = Scenario::new(flow);
    let first = s.respond(ok(password_verifier_challenge("alice", "alice")));
    let second = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(first["ClientMetadata"], json!({"app": "web"}));
    assert_eq!(second["ClientMetadata"], json!({"app": "web"}));
}

fn unknown_challenge() -> serde_json::Value {
    json!({
        "ChallengeName": "SOME_NEW_CHALLENGE",
        "Session": "session-1",
        "ChallengeParameters": {"USERNAME": "alice", "question": "2+2?"},
    })
}

#[test]
fn unknown_challenges_are_prompts_answered_generically() {
    let mut s = Scenario::new(SignIn::user_password(
        &secret_pool(),
        "alice",
        "pw",
        entropy(),
    ));
    s.respond(ok(unknown_challenge()));
    let Prompt::Challenge {
        name,
        parameters,
        error,
    } = s.prompt()
    else {
        panic!()
    };
    assert_eq!(name, "SOME_NEW_CHALLENGE");
    assert_eq!(parameters["question"], "2+2?");
    assert_eq!(error, None);
    s.answer(Input::Challenge(BTreeMap::from([(
        "ANSWER".to_owned(),
        "4".to_owned(),
    )])));
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["Session"], "session-1");
    assert_eq!(sent["ChallengeResponses"]["ANSWER"], "4");
    assert_eq!(sent["ChallengeResponses"]["USERNAME"], "alice");
    assert_eq!(
        sent["ChallengeResponses"]["SECRET_HASH"],
        secret_pool().secret_hash("alice").unwrap().expose()
    );
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn a_wrong_code_returns_to_the_prompt_with_the_error() {
    let mut s = Scenario::new(SignIn::user_password(&pool(), "alice", "pw", entropy()));
    s.respond(ok(unknown_challenge()));
    s.answer(Input::Challenge(BTreeMap::from([(
        "ANSWER".into(),
        "5".into(),
    )])));
    s.respond(error(
        400,
        "CodeMismatchException",
        "Invalid code provided.",
    ));
    let Prompt::Challenge { error, .. } = s.prompt() else {
        panic!()
    };
    let error = error.expect("the prompt carries the error");
    assert_eq!(error.kind, ErrorKind::CodeMismatch);
    assert_eq!(error.message, "Invalid code provided.");
    s.answer(Input::Challenge(BTreeMap::from([(
        "ANSWER".into(),
        "4".into(),
    )])));
    let sent = s.respond(ok(tokens_answer("alice", true)));
    assert_eq!(sent["ChallengeResponses"]["ANSWER"], "4");
    s.done();
}

#[test]
fn a_fatal_error_ends_the_flow() {
    let mut flow = SignIn::user_password(&pool(), "alice", "bad", entropy());
    let err = flow
        .handle_response(
            now(),
            error(
                400,
                "NotAuthorizedException",
                "Incorrect username or password.",
            ),
        )
        .unwrap_err();
    assert_eq!(err.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert_eq!(
        err.to_string(),
        "InitiateAuth failed with NotAuthorizedException: Incorrect username or password."
    );
    let Action::Failed(again) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(again, err);
    assert_eq!(
        flow.handle_response(now(), ok(tokens_answer("alice", true))),
        Err(Error::Misuse(Misuse::UnexpectedResponse {
            expected: "nothing (finished)"
        }))
    );
}

#[test]
fn misuse_leaves_the_flow_unchanged() {
    let mut flow = SignIn::user_srp(&pool(), "alice", "pw", entropy());
    let before = match flow.poll_action() {
        Action::Send(r) => canonical(&r),
        other => panic!("{other:?}"),
    };
    let err = flow
        .handle_input(Input::Challenge(BTreeMap::new()))
        .unwrap_err();
    assert_eq!(
        err,
        Error::Misuse(Misuse::UnexpectedInput {
            expected: "a response",
            got: "a challenge answer"
        })
    );
    let Action::Send(r) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(canonical(&r), before);

    // At a prompt, a response is misuse too.
    let mut flow = SignIn::user_password(&pool(), "alice", "pw", entropy());
    flow.handle_response(now(), ok(unknown_challenge()))
        .unwrap();
    assert!(matches!(
        flow.handle_response(now(), ok(tokens_answer("alice", true))),
        Err(Error::Misuse(Misuse::UnexpectedResponse { .. }))
    ));
    assert!(matches!(flow.poll_action(), Action::Prompt(_)));
}

#[test]
fn done_is_terminal() {
    let mut flow = SignIn::user_password(&pool(), "alice", "pw", entropy());
    flow.handle_response(now(), ok(tokens_answer("alice", true)))
        .unwrap();
    assert!(matches!(flow.poll_action(), Action::Done(_)));
    assert!(
        flow.handle_input(Input::Challenge(BTreeMap::new()))
            .is_err()
    );
    assert!(matches!(flow.poll_action(), Action::Done(_)));
}

/// Every answer we can't use is a protocol error that keeps the body; none panics.
#[test]
fn unusable_answers_are_protocol_errors_with_the_body_kept() {
    let mut verifier = password_verifier_challenge("alice", "alice");
    let with = |field: &str, value: serde_json::Value| {
        let mut c = password_verifier_challenge("alice", "alice");
        c["ChallengeParameters"][field] = value;
        c
    };
    let without = |field: &str| {
        let mut c = password_verifier_challenge("alice", "alice");
        c["ChallengeParameters"]
            .as_object_mut()
            .unwrap()
            .remove(field);
        c
    };
    verifier["ChallengeParameters"]["SRP_B"] = json!("0");
    type Case = (
        &'static str,
        http::Response<Vec<u8>>,
        fn(&ProtocolReason) -> bool,
    );
    let cases: Vec<Case> = vec![
        ("empty 200", raw(200, b""), |r| {
            matches!(r, ProtocolReason::MissingField("AuthenticationResult"))
        }),
        ("html 502", raw(502, b"<html>Bad Gateway</html>"), |r| {
            *r == ProtocolReason::UnexpectedStatus
        }),
        ("empty 503", raw(503, b""), |r| {
            *r == ProtocolReason::UnexpectedStatus
        }),
        ("json 500 without __type", raw(500, br#"{"oops":1}"#), |r| {
            *r == ProtocolReason::UnexpectedStatus
        }),
        ("html 200", raw(200, b"<html>hi</html>"), |r| {
            matches!(r, ProtocolReason::InvalidJson(_))
        }),
        (
            "truncated",
            raw(200, br#"{"ChallengeName":"PASS"#),
            |r| matches!(r, ProtocolReason::InvalidJson(m) if m.starts_with("truncated")),
        ),
        ("wrong shape", raw(200, br#"{"ChallengeName":42}"#), |r| {
            matches!(r, ProtocolReason::InvalidJson(_))
        }),
        ("neither tokens nor challenge", ok(json!({})), |r| {
            matches!(r, ProtocolReason::MissingField("AuthenticationResult"))
        }),
        ("no SRP_B", ok(without("SRP_B")), |r| {
            *r == ProtocolReason::MissingField("SRP_B")
        }),
        ("no SALT", ok(without("SALT")), |r| {
            *r == ProtocolReason::MissingField("SALT")
        }),
        ("no SECRET_BLOCK", ok(without("SECRET_BLOCK")), |r| {
            *r == ProtocolReason::MissingField("SECRET_BLOCK")
        }),
        ("no USER_ID_FOR_SRP", ok(without("USER_ID_FOR_SRP")), |r| {
            *r == ProtocolReason::MissingField("USER_ID_FOR_SRP")
        }),
        ("B not hex", ok(with("SRP_B", json!("xyz"))), |r| {
            matches!(
                r,
                ProtocolReason::Srp(cognito_flows::srp::SrpError::InvalidB(_))
            )
        }),
        ("B = 0", ok(verifier.clone()), |r| {
            *r == ProtocolReason::Srp(cognito_flows::srp::SrpError::BIsZero)
        }),
        ("B = N", ok(with("SRP_B", json!(N_HEX))), |r| {
            *r == ProtocolReason::Srp(cognito_flows::srp::SrpError::BIsZero)
        }),
        (
            "B = -N",
            ok(with("SRP_B", json!(format!("-{N_HEX}")))),
            |r| *r == ProtocolReason::Srp(cognito_flows::srp::SrpError::BIsZero),
        ),
        (
            "B too long",
            ok(with("SRP_B", json!("1".repeat(1000)))),
            |r| {
                matches!(
                    r,
                    ProtocolReason::Srp(cognito_flows::srp::SrpError::InvalidB(_))
                )
            },
        ),
        ("salt not hex", ok(with("SALT", json!("12 34"))), |r| {
            matches!(
                r,
                ProtocolReason::Srp(cognito_flows::srp::SrpError::InvalidSalt(_))
            )
        }),
        (
            "a token is not a JWT",
            ok(json!({"AuthenticationResult": {"AccessToken": "x", "IdToken": "y"}})),
            |r| *r == ProtocolReason::InvalidToken("IdToken"),
        ),
        (
            "no access token",
            ok(json!({"AuthenticationResult": {"IdToken": "y"}})),
            |r| *r == ProtocolReason::MissingField("AccessToken"),
        ),
    ];
    for (name, response, expected) in cases {
        let body = response.body().clone();
        let status = response.status().as_u16();
        let mut flow = SignIn::user_srp(&pool(), "alice", "pw", entropy());
        let err = flow.handle_response(now(), response).unwrap_err();
        let Error::Protocol(p) = &err else {
            panic!("{name}: expected a protocol error, got {err:?}")
        };
        assert!(
            expected(&p.reason),
            "{name}: unexpected reason {:?}",
            p.reason
        );
        assert_eq!(p.body(), body.as_slice(), "{name}: the body is kept");
        assert_eq!(p.status, status, "{name}");
        assert!(
            !format!("{p:?}").contains("alice"),
            "{name}: Debug never prints the body"
        );
        assert!(matches!(flow.poll_action(), Action::Failed(_)), "{name}");
    }
}

#[test]
fn error_bodies_are_read_in_every_spelling() {
    let cases = [
        (br#"{"__type":"UserNotFoundException","message":"User does not exist."}"#.as_slice(), ErrorKind::UserNotFound, "User does not exist."),
        (br#"{"__type":"com.amazonaws#UserNotConfirmedException","Message":"User is not confirmed."}"#, ErrorKind::UserNotConfirmed, "User is not confirmed."),
        (br#"{"__type":"TooManyRequestsException"}"#, ErrorKind::TooManyRequests, ""),
        (br#"{"__type":"SomethingNewException","message":"m"}"#, ErrorKind::Unknown("SomethingNewException".into()), "m"),
    ];
    for (body, kind, message) in cases {
        let mut flow = SignIn::user_password(&pool(), "alice", "pw", entropy());
        let err = flow.handle_response(now(), raw(400, body)).unwrap_err();
        let Error::Service(e) = err else {
            panic!("{err:?}")
        };
        assert_eq!((e.kind, e.message.as_str(), e.status), (kind, message, 400));
    }
    // The exception may come in a header only (as with some proxies and AWS front ends).
    let mut response = raw(400, b"");
    response.headers_mut().insert(
        "x-amzn-errortype",
        "NotAuthorizedException:http://internal".parse().unwrap(),
    );
    let mut flow = SignIn::user_password(&pool(), "alice", "pw", entropy());
    let err = flow.handle_response(now(), response).unwrap_err();
    assert_eq!(err.service_kind(), Some(&ErrorKind::NotAuthorized));
}

#[test]
fn secrets_do_not_leak_through_debug() {
    let mut flow = SignIn::user_srp(&pool(), "alice", "hunter2-password", entropy());
    assert!(!format!("{flow:?}").contains("hunter2"));
    flow.handle_response(now(), ok(tokens_answer("alice", true)))
        .unwrap();
    let Action::Done(out) = flow.poll_action() else {
        panic!()
    };
    let printed = format!("{out:?}");
    assert!(!printed.contains("refresh-token-opaque"));
    assert!(!printed.contains(out.tokens.access_token.expose()));
}
