//! The metadata trio (`ClientMetadata`, `AnalyticsMetadata`, `UserContextData`), set once, on
//! exactly the operations that take it; the sign-up sessions; `ForceAliasCreation`; the client
//! secret on `RevokeToken`; `UpdateAuthEventFeedback`; the user agent header. Exact requests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use cognito_flows::flows::account::{self, Confirmation, NewUser};
use cognito_flows::wire::{
    AnalyticsMetadata, AttributeType, Context, FeedbackValue, Operation, SignUpResponse,
    UserContextData,
};
use cognito_flows::{
    Action, Entropy, Flow, ForgotPassword, Input, SecretString, SignIn, UserAgent, UserPool,
};
use common::*;
use serde_json::json;

fn pool() -> UserPool {
    UserPool::new("us-east-1_AbC123def", "client")
        .unwrap()
        .with_client_secret("client-secret")
}

fn context() -> Context {
    Context {
        client_metadata: Some([("app".to_owned(), "web".to_owned())].into()),
        analytics_metadata: Some(AnalyticsMetadata {
            analytics_endpoint_id: Some("endpoint-1".into()),
        }),
        user_context_data: Some(UserContextData {
            ip_address: Some("192.0.2.1".into()),
            encoded_data: Some("fingerprint".into()),
        }),
    }
}

fn sent(flow: &impl Flow) -> http::Request<Vec<u8>> {
    match flow.poll_action() {
        Action::Send(request) => request,
        _ => panic!("nothing to send"),
    }
}

#[test]
fn the_context_goes_on_every_operation_that_takes_it_and_only_there() {
    let p = pool();
    let c = context();
    let t = "access-token";
    let mut out = String::new();
    let mut record = |request: http::Request<Vec<u8>>| {
        out.push_str(&canonical(&request));
        out.push('\n');
    };
    // NewUser's own ClientMetadata gives way to the context's.
    let mut user = NewUser::new("alice", "Passw0rd!").attribute("email", "alice@example.com");
    user.client_metadata = Some([("own".to_owned(), "x".to_owned())].into());
    record(sent(&account::sign_up(&p, &user).with_context(&c)));
    let signed_up: SignUpResponse = serde_json::from_value(
        json!({"UserSub": "s", "UserConfirmed": false, "Session": "sign-up-session"}),
    )
    .unwrap();
    let confirmation = Confirmation::after(&signed_up, "alice", " 123456 ").force_alias_creation();
    record(sent(
        &account::confirm_registration(&p, &confirmation).with_context(&c),
    ));
    record(sent(
        &account::resend_confirmation_code(&p, "alice").with_context(&c),
    ));
    let mut reset = ForgotPassword::new(&p, "alice").with_context(c.clone());
    record(sent(&reset));
    reset
        .handle_response(now(), ok(json!({"CodeDeliveryDetails": {}})))
        .unwrap();
    reset
        .handle_input(Input::PasswordReset {
            code: "654321".into(),
            password: "N3w-pass!".into(),
        })
        .unwrap();
    record(sent(&reset));
    // ClientMetadata only:
    record(sent(
        &account::update_user_attributes(&p, t, vec![AttributeType::new("name", "Alice")])
            .with_context(&c),
    ));
    record(sent(
        &account::get_user_attribute_verification_code(&p, t, "email").with_context(&c),
    ));
    // None of it:
    record(sent(
        &account::verify_user_attribute(&p, t, "email", "1").with_context(&c),
    ));
    record(sent(&account::get_user(&p, t).with_context(&c)));
    // The sign-in after confirmation, and any sign-in, with the context on every request.
    let after = SignIn::builder(&p).with_context(c.clone()).after_sign_up(
        "alice",
        SecretString::new("confirm-session"),
        Entropy::from([1; 32]),
    );
    record(sent(&after));
    let mut sign_in = SignIn::builder(&p).with_context(c.clone()).user_password(
        "alice",
        "Passw0rd!",
        Entropy::from([2; 32]),
    );
    record(sent(&sign_in));
    sign_in
        .handle_response(
            now(),
            ok(json!({"ChallengeName": "SMS_MFA", "Session": "s1", "ChallengeParameters": {"USER_ID_FOR_SRP": "alice"}})),
        )
        .unwrap();
    sign_in.handle_input(Input::code("123456")).unwrap();
    record(sent(&sign_in));
    insta::assert_snapshot!(out);
}

#[test]
fn revoke_token_feedback_and_the_user_agent_send_exactly_this() {
    let mut out = String::new();
    // The pool's secret when the caller gives none; the caller's when it does.
    let refresh = SecretString::new("refresh");
    out.push_str(&canonical(&sent(&account::revoke_token(
        &pool(),
        &refresh,
        None,
    ))));
    let given = SecretString::new("given-secret");
    out.push_str(&canonical(&sent(&account::revoke_token(
        &pool(),
        &refresh,
        Some(&given),
    ))));
    let call = account::update_auth_event_feedback(
        &pool(),
        "alice",
        "event-1",
        &SecretString::new("feedback-token"),
        FeedbackValue::Invalid,
    );
    assert_eq!(call.operation(), Operation::UpdateAuthEventFeedback);
    out.push_str(&canonical(&sent(&call)));
    let mut request = sent(&account::get_user(&pool(), "token"));
    UserAgent::default()
        .append("my-app/2.1")
        .unwrap()
        .append("(linux)")
        .unwrap()
        .apply(&mut request);
    // The version changes with releases; the snapshot pins the rest.
    let text = canonical(&request).replace(env!("CARGO_PKG_VERSION"), "<version>");
    out.push_str(&text);
    insta::assert_snapshot!(out);
}

#[test]
fn feedback_answers_are_typed() {
    let mut call = account::update_auth_event_feedback(
        &pool(),
        "alice",
        "event-1",
        &SecretString::new("t"),
        FeedbackValue::Valid,
    );
    let err = call
        .handle_response(
            now(),
            error(
                400,
                "UserPoolAddOnNotEnabledException",
                "Threat protection is not enabled",
            ),
        )
        .unwrap_err();
    assert_eq!(
        err.service_kind(),
        Some(&cognito_flows::ErrorKind::UserPoolAddOnNotEnabled)
    );
}
