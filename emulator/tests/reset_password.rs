//! AdminResetUserPassword: the user's status becomes `RESET_REQUIRED`, sign-in answers
//! `PasswordResetRequiredException`, the code in the outbox and ConfirmForgotPassword set a new
//! password; refusals for an unknown user, an unknown pool, and a user with no verified contact.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use cognito_flows_emulator::Emulator;
use cognito_flows_testkit::emulator::{Fixture, Options};
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";

fn sign_in(e: &Emulator, client_id: &str, password: &str) -> (u16, Value) {
    common::call(
        e.endpoint(),
        "InitiateAuth",
        &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": password}}),
    )
}

#[test]
fn a_reset_user_must_choose_a_new_password_with_the_code_sent() {
    let f = Fixture::start(Options::default().user(
        "alice",
        PASSWORD,
        &[("email", "alice@example.com")],
    ));
    let (e, pool, client) = (&f.emulator, &f.pool_id, &f.client_id);
    assert_eq!(sign_in(e, client, PASSWORD).0, 200);

    let (status, answer) = common::call(
        e.endpoint(),
        "AdminResetUserPassword",
        &json!({"UserPoolId": pool, "Username": "alice"}),
    );
    assert_eq!((status, answer), (200, json!({})));
    let (_, user) = common::call(
        e.endpoint(),
        "AdminGetUser",
        &json!({"UserPoolId": pool, "Username": "alice"}),
    );
    assert_eq!(user["UserStatus"], "RESET_REQUIRED");
    let message = e.outbox().pop().unwrap();
    assert_eq!(
        (
            message.username.as_str(),
            message.medium.as_str(),
            message.destination.as_str()
        ),
        ("alice", "EMAIL", "alice@example.com")
    );

    // The old password signs in no more.
    let (status, refused) = sign_in(e, client, PASSWORD);
    assert_eq!(status, 400);
    assert_eq!(refused["__type"], "PasswordResetRequiredException");
    assert_eq!(refused["message"], "Password reset required for the user");

    // ConfirmForgotPassword with the code sent: the new password, the user confirmed again.
    let (status, _) = common::call(
        e.endpoint(),
        "ConfirmForgotPassword",
        &json!({"ClientId": client, "Username": "alice", "ConfirmationCode": message.code,
                "Password": "N3w-Passw0rd!"}),
    );
    assert_eq!(status, 200);
    assert_eq!(sign_in(e, client, "N3w-Passw0rd!").0, 200);
    let (_, user) = common::call(
        e.endpoint(),
        "AdminGetUser",
        &json!({"UserPoolId": pool, "Username": "alice"}),
    );
    assert_eq!(user["UserStatus"], "CONFIRMED");
}

#[test]
fn resets_of_unknown_or_unreachable_users_are_refused() {
    let f = Fixture::start(Options::default().user("mute", PASSWORD, &[]));
    let (e, pool) = (&f.emulator, &f.pool_id);
    for (body, kind, message) in [
        (
            json!({"UserPoolId": pool, "Username": "nobody"}),
            "UserNotFoundException",
            "User does not exist.",
        ),
        (
            json!({"UserPoolId": "us-east-1_nope", "Username": "mute"}),
            "ResourceNotFoundException",
            "User pool us-east-1_nope does not exist.",
        ),
        (
            json!({"UserPoolId": pool, "Username": "mute"}),
            "InvalidParameterException",
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ),
    ] {
        let (status, answer) = common::call(e.endpoint(), "AdminResetUserPassword", &body);
        assert_eq!(
            (
                status,
                answer["__type"].as_str(),
                answer["message"].as_str()
            ),
            (400, Some(kind), Some(message))
        );
    }
    assert!(e.outbox().is_empty(), "nothing was sent");
}
