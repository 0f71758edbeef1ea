//! Account operations on canned answers: the exact request of each (snapshots), typed outcomes,
//! typed errors; the forgot-password flow; the session.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use cognito_flows::flows::account::{self, Call, MfaPreferences, NewUser};
use cognito_flows::wire::{AttributeType, MfaSettings};
use cognito_flows::{
    Action, Entropy, Error, ErrorKind, Flow, ForgotPassword, Input, Misuse, Prompt, SignIn,
    StoredSession, UserPool,
};
use common::*;
use serde::de::DeserializeOwned;
use serde_json::json;

fn pool() -> UserPool {
    UserPool::new("us-east-1_AbC123def", "client")
        .unwrap()
        .with_client_secret("client-secret")
}

const TOKEN: &str = "eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6ImFsaWNlIn0.";

/// The canonical text of every operation's request.
#[test]
fn every_operation_sends_exactly_this() {
    let p = pool();
    let t = TOKEN.to_owned();
    let mut out = String::new();
    let mut record = |call: Action<()>| {
        let Action::Send(r) = call else { panic!() };
        out.push_str(&canonical(&r));
        out.push('\n');
    };
    fn erase<T: DeserializeOwned + Clone + std::fmt::Debug>(c: Call<T>) -> Action<()> {
        match c.poll_action() {
            Action::Send(r) => Action::Send(r),
            other => panic!("{other:?}"),
        }
    }
    let user = NewUser::new("alice", "Passw0rd!").attribute("email", "alice@example.com");
    record(erase(account::sign_up(&p, &user)));
    record(erase(account::confirm_sign_up(
        &p, "alice", " 123456 ", true,
    )));
    record(erase(account::resend_confirmation_code(&p, "alice")));
    record(erase(account::change_password(
        &p,
        &t,
        &"old".into(),
        &"new".into(),
    )));
    record(erase(account::get_user(&p, &t)));
    record(erase(account::update_user_attributes(
        &p,
        &t,
        vec![AttributeType::new("name", "Alice")],
    )));
    record(erase(account::delete_user_attributes(
        &p,
        &t,
        vec!["custom:team".into()],
    )));
    record(erase(account::get_user_attribute_verification_code(
        &p, &t, "email",
    )));
    record(erase(account::verify_user_attribute(
        &p, &t, "email", "654321",
    )));
    let on = Some(MfaSettings {
        enabled: true,
        preferred_mfa: true,
    });
    record(erase(account::set_user_mfa_preference(
        &p,
        &t,
        MfaPreferences {
            totp: on,
            ..Default::default()
        },
    )));
    record(erase(account::set_user_settings(&p, &t, true)));
    record(erase(account::set_user_settings(&p, &t, false)));
    record(erase(account::associate_software_token(&p, &t)));
    record(erase(account::verify_software_token(
        &p,
        &t,
        "123456",
        Some("Phone"),
    )));
    record(erase(account::global_sign_out(&p, &t)));
    record(erase(account::revoke_token(
        &p,
        &"refresh".into(),
        Some(&"client-secret".into()),
    )));
    record(erase(account::delete_user(&p, &t)));
    record(erase(account::list_devices(
        &p,
        &t,
        Some(10),
        Some("page-2"),
    )));
    record(erase(account::get_device(&p, &t, "us-east-1_d")));
    record(erase(account::forget_device(&p, &t, "us-east-1_d")));
    record(erase(account::update_device_status(
        &p,
        &t,
        "us-east-1_d",
        false,
    )));
    insta::assert_snapshot!(out);
}

/// The operations that had no types (sign-in factors and passkeys), pinned the same way; each
/// request goes to its own operation, and its answer is read as its own type.
#[test]
fn the_factor_and_passkey_operations_send_exactly_this() {
    let p = pool();
    let t = TOKEN.to_owned();
    let mut out = String::new();
    let mut record = |r: http::Request<Vec<u8>>| {
        out.push_str(&canonical(&r));
        out.push('\n');
    };
    fn sent<T: DeserializeOwned + Clone + std::fmt::Debug>(c: &Call<T>) -> http::Request<Vec<u8>> {
        match c.poll_action() {
            Action::Send(r) => r,
            other => panic!("{other:?}"),
        }
    }
    let mut factors = account::get_user_auth_factors(&p, &t);
    record(sent(&factors));
    let credential = serde_json::json!({"id": "cred", "type": "public-key"});
    let start = account::start_web_authn_registration(&p, &t);
    record(sent(&start));
    record(sent(&account::complete_web_authn_registration(
        &p, &t, credential,
    )));
    let mut list = account::list_web_authn_credentials(&p, &t, Some(5), Some("page-2"));
    record(sent(&list));
    record(sent(&account::delete_web_authn_credential(&p, &t, "cred")));
    insta::assert_snapshot!(out);

    let answer = ok(serde_json::json!({
        "Username": "alice", "ConfiguredUserAuthFactors": ["PASSWORD", "WEB_AUTHN"],
        "UserMFASettingList": ["SOFTWARE_TOKEN_MFA"], "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA",
    }));
    factors.handle_response(now(), answer).unwrap();
    let Action::Done(factors) = factors.poll_action() else {
        panic!()
    };
    assert_eq!(
        factors.configured_user_auth_factors,
        ["PASSWORD", "WEB_AUTHN"]
    );
    assert_eq!(factors.user_mfa_setting_list, ["SOFTWARE_TOKEN_MFA"]);
    let page = ok(serde_json::json!({
        "Credentials": [{"CredentialId": "cred", "FriendlyCredentialName": "laptop", "AuthenticatorTransports": ["internal"], "CreatedAt": 1.7e9}],
        "NextToken": "page-3",
    }));
    list.handle_response(now(), page).unwrap();
    let Action::Done(page) = list.poll_action() else {
        panic!()
    };
    assert_eq!(
        page.credentials[0].friendly_credential_name.as_deref(),
        Some("laptop")
    );
    assert_eq!(page.next_token.as_deref(), Some("page-3"));
}

fn answer<T: DeserializeOwned + Clone + std::fmt::Debug>(
    mut call: Call<T>,
    response: http::Response<Vec<u8>>,
) -> Result<T, Error> {
    let _ = call.handle_response(now(), response);
    match call.poll_action() {
        Action::Done(out) => Ok(out),
        Action::Failed(e) => Err(e),
        other => panic!("{other:?}"),
    }
}

#[test]
fn outcomes_are_typed() {
    let p = pool();
    let signed_up = answer(
        account::sign_up(&p, &NewUser::new("alice", "pw")),
        ok(json!({"UserSub": "5b1c", "UserConfirmed": false,
                  "CodeDeliveryDetails": {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}})),
    )
    .unwrap();
    assert_eq!(
        (signed_up.user_sub.as_str(), signed_up.user_confirmed),
        ("5b1c", false)
    );
    assert_eq!(
        signed_up
            .code_delivery_details
            .unwrap()
            .attribute_name
            .as_deref(),
        Some("email")
    );

    let user = answer(
        account::get_user(&p, TOKEN),
        ok(json!({"Username": "alice", "UserAttributes": [{"Name": "email", "Value": "a@e.com"}, {"Name": "sub", "Value": "5b1c"}],
                  "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
                  "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA", "UserMFASettingList": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]})),
    )
    .unwrap();
    assert_eq!(user.attribute("email"), Some("a@e.com"));
    assert_eq!(user.attributes().len(), 2);
    assert_eq!(
        user.preferred_mfa_setting.as_deref(),
        Some("SOFTWARE_TOKEN_MFA")
    );
    assert_eq!(user.mfa_options[0].attribute_name, "phone_number");

    let devices = answer(
        account::list_devices(&p, TOKEN, None, None),
        ok(json!({"Devices": [{"DeviceKey": "k1", "DeviceAttributes": [{"Name": "device_name", "Value": "laptop"}],
                               "DeviceCreateDate": 1.7e9}], "PaginationToken": "next"})),
    )
    .unwrap();
    assert_eq!(devices.devices[0].attribute("device_name"), Some("laptop"));
    assert_eq!(devices.pagination_token.as_deref(), Some("next"));

    // Operations that answer nothing accept an empty body or {}.
    answer(account::global_sign_out(&p, TOKEN), raw(200, b"")).unwrap();
    answer(account::delete_user(&p, TOKEN), ok(json!({}))).unwrap();
    let updated = answer(
        account::update_user_attributes(&p, TOKEN, vec![]),
        ok(json!({"CodeDeliveryDetailsList": [{"Destination": "+***9", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}]})),
    )
    .unwrap();
    assert_eq!(updated.code_delivery_details_list.len(), 1);
}

#[test]
fn documented_errors_are_typed() {
    for (name, kind) in [
        ("NotAuthorizedException", ErrorKind::NotAuthorized),
        ("CodeMismatchException", ErrorKind::CodeMismatch),
        ("ExpiredCodeException", ErrorKind::ExpiredCode),
        ("LimitExceededException", ErrorKind::LimitExceeded),
        ("TooManyRequestsException", ErrorKind::TooManyRequests),
        (
            "TooManyFailedAttemptsException",
            ErrorKind::TooManyFailedAttempts,
        ),
        ("InvalidPasswordException", ErrorKind::InvalidPassword),
        ("InvalidParameterException", ErrorKind::InvalidParameter),
        ("UsernameExistsException", ErrorKind::UsernameExists),
        ("AliasExistsException", ErrorKind::AliasExists),
        ("UserNotFoundException", ErrorKind::UserNotFound),
        ("UserNotConfirmedException", ErrorKind::UserNotConfirmed),
        (
            "PasswordResetRequiredException",
            ErrorKind::PasswordResetRequired,
        ),
        (
            "PasswordHistoryPolicyViolationException",
            ErrorKind::PasswordHistoryPolicyViolation,
        ),
        (
            "CodeDeliveryFailureException",
            ErrorKind::CodeDeliveryFailure,
        ),
        (
            "InvalidLambdaResponseException",
            ErrorKind::InvalidLambdaResponse,
        ),
        ("UnexpectedLambdaException", ErrorKind::UnexpectedLambda),
        (
            "UserLambdaValidationException",
            ErrorKind::UserLambdaValidation,
        ),
        ("InternalErrorException", ErrorKind::InternalError),
        ("ForbiddenException", ErrorKind::Forbidden),
        (
            "SomethingElseException",
            ErrorKind::Unknown("SomethingElseException".into()),
        ),
    ] {
        let err = answer(
            account::sign_up(&pool(), &NewUser::new("a", "b")),
            error(400, name, "m"),
        )
        .unwrap_err();
        assert_eq!(err.service_kind(), Some(&kind), "{name}");
        assert_eq!(kind.name(), name);
    }
}

#[test]
fn a_call_takes_no_input_and_one_response() {
    let mut call = account::get_user(&pool(), TOKEN);
    assert!(matches!(
        call.handle_input(Input::ResendCode),
        Err(Error::Misuse(Misuse::UnexpectedInput {
            expected: "a response",
            ..
        }))
    ));
    call.handle_response(now(), ok(json!({"Username": "a"})))
        .unwrap();
    assert!(matches!(
        call.handle_response(now(), ok(json!({}))),
        Err(Error::Misuse(Misuse::UnexpectedResponse { .. }))
    ));
    assert!(matches!(call.poll_action(), Action::Done(_)));
}

#[test]
fn forgot_password_with_a_wrong_code_a_resend_and_the_right_code() {
    let mut s = Scenario::new(ForgotPassword::new(&pool(), "alice"));
    let delivery = json!({"CodeDeliveryDetails": {"Destination": "a***@e***.com", "DeliveryMedium": "EMAIL", "AttributeName": "email"}});
    let sent = s.respond(ok(delivery.clone()));
    assert_eq!(
        sent["SecretHash"],
        pool().secret_hash("alice").unwrap().expose()
    );
    let reset = |code: &str| Input::PasswordReset {
        code: code.into(),
        password: "N3w-Passw0rd!".into(),
    };
    s.answer(reset("111111"));
    let confirm = s.respond(error(
        400,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    ));
    assert_eq!(confirm["ConfirmationCode"], "111111");
    assert_eq!(confirm["Password"], "N3w-Passw0rd!");
    let Prompt::PasswordReset { delivery: d, error } = s.prompt() else {
        panic!()
    };
    assert_eq!(d.medium.as_deref(), Some("EMAIL"));
    assert_eq!(error.unwrap().kind, ErrorKind::CodeMismatch);
    s.answer(Input::ResendCode);
    s.respond(ok(delivery));
    s.answer(reset("222222"));
    s.respond(ok(json!({})));
    s.done();
    insta::assert_snapshot!(s.transcript);
}

#[test]
fn forgot_password_ends_on_an_expired_code() {
    let mut s = Scenario::new(ForgotPassword::new(&pool(), "alice"));
    s.respond(ok(json!({})));
    s.answer(Input::PasswordReset {
        code: "1".into(),
        password: "p".into(),
    });
    s.respond(error(
        400,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    ));
    assert_eq!(s.failed().service_kind(), Some(&ErrorKind::ExpiredCode));
}

#[test]
fn a_confirmation_session_signs_in_without_the_password() {
    let confirmed = answer(
        account::confirm_sign_up(&pool(), "alice", "1", false),
        ok(json!({"Session": "s1"})),
    )
    .unwrap();
    let flow =
        account::sign_in_after_confirmation(&pool(), "alice", &confirmed, Entropy::from([1; 32]))
            .unwrap();
    let Action::Send(r) = flow.poll_action() else {
        panic!()
    };
    assert_eq!(body(&r)["Session"], "s1");
    let none = answer(
        account::confirm_sign_up(&pool(), "alice", "1", false),
        ok(json!({})),
    )
    .unwrap();
    assert!(
        account::sign_in_after_confirmation(&pool(), "alice", &none, Entropy::from([1; 32]))
            .is_none()
    );
}

#[test]
fn sessions_know_when_to_refresh_and_how() {
    let mut flow = SignIn::user_password(&pool(), "alice", "pw", Entropy::from([1; 32]));
    flow.handle_response(now(), ok(tokens_answer("alice", true)))
        .unwrap();
    let Action::Done(signed_in) = flow.poll_action() else {
        panic!()
    };
    let mut session = StoredSession::from(signed_in);
    assert!(session.is_valid(now()));
    assert!(!session.needs_refresh(now(), Duration::from_secs(300)));
    assert!(session.needs_refresh(now() + Duration::from_secs(3400), Duration::from_secs(300)));
    assert!(!session.is_valid(now() + Duration::from_secs(3600)));
    let json = serde_json::to_string(&session).unwrap();
    assert_eq!(
        serde_json::from_str::<StoredSession>(&json).unwrap(),
        session
    );
    let mut refresh = session.refresh(&pool()).unwrap();
    let Action::Send(r) = refresh.poll_action() else {
        panic!()
    };
    assert_eq!(body(&r)["RefreshToken"], "refresh-token-opaque");
    refresh
        .handle_response(now(), ok(tokens_answer("alice", false)))
        .unwrap();
    let Action::Done(refreshed) = refresh.poll_action() else {
        panic!()
    };
    session = refreshed;
    assert_eq!(
        session.tokens.refresh_token.as_ref().unwrap().expose(),
        "refresh-token-opaque"
    );
}
