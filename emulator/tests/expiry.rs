//! Expiry on the emulator's clock (`POST /_emulator/clock` moves it): a refresh token past its
//! app client's `RefreshTokenValidity` is refused on every path (REFRESH_TOKEN_AUTH,
//! GetTokensFromRefreshToken, `/oauth2/token`), and a temporary password past the pool's
//! `TemporaryPasswordValidityDays` no longer signs in until AdminCreateUser RESENDs a new one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use cognito_flows_emulator::Emulator;
use cognito_flows_testkit::emulator::{Fixture, Options};
use common::{agent, call, ok, send};
use serde_json::{Value, json};

fn advance(e: &Emulator, seconds: u64) {
    let response = send(
        &agent(),
        http::Request::post(format!("{}_emulator/clock", e.endpoint()))
            .header("Content-Type", "application/json")
            .body(
                json!({ "advance_seconds": seconds })
                    .to_string()
                    .into_bytes(),
            )
            .unwrap(),
    );
    assert_eq!(response.status().as_u16(), 200);
}

/// The three ways to refresh with `refresh`: each one's status and answer.
fn refresh_everywhere(e: &Emulator, client: &str, refresh: &str) -> Vec<(u16, Value)> {
    let auth = call(
        e.endpoint(),
        "InitiateAuth",
        &json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client,
                "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    );
    let get = call(
        e.endpoint(),
        "GetTokensFromRefreshToken",
        &json!({"ClientId": client, "RefreshToken": refresh}),
    );
    let response = send(
        &agent(),
        http::Request::post(format!("{}oauth2/token", e.endpoint()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(
                format!("grant_type=refresh_token&client_id={client}&refresh_token={refresh}")
                    .into_bytes(),
            )
            .unwrap(),
    );
    let token = (
        response.status().as_u16(),
        serde_json::from_slice(response.body()).unwrap_or(Value::Null),
    );
    vec![auth, get, token]
}

#[test]
fn a_refresh_token_expires_after_its_clients_refresh_token_validity() {
    let Fixture {
        emulator: e,
        pool_id: pool,
        ..
    } = Fixture::start(Options::default().user("alice", "Passw0rd!", &[]));
    let client = ok(
        &e,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "hour",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
               "RefreshTokenValidity": 60, "AccessTokenValidity": 5, "IdTokenValidity": 5,
               "TokenValidityUnits": {"RefreshToken": "minutes", "AccessToken": "minutes",
                                      "IdToken": "minutes"}}),
    )["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let tokens = ok(
        &e,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    );
    let refresh = tokens["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    // Within the hour every path refreshes (refreshing does not extend it).
    advance(&e, 3500);
    for (status, answer) in refresh_everywhere(&e, &client, &refresh) {
        assert_eq!(status, 200, "{answer}");
    }
    advance(&e, 100);
    let answers = refresh_everywhere(&e, &client, &refresh);
    for (status, answer) in &answers[..2] {
        assert_eq!(*status, 400, "{answer}");
        assert_eq!(answer["__type"], "NotAuthorizedException");
        assert_eq!(answer["message"], "Refresh Token has expired");
    }
    assert_eq!(answers[2].0, 400, "{}", answers[2].1);
    assert_eq!(answers[2].1["error"], "invalid_grant");
    // Signing in again gives a refresh token that works.
    let tokens = ok(
        &e,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    );
    let fresh = tokens["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap();
    assert_eq!(refresh_everywhere(&e, &client, fresh)[0].0, 200);
}

#[test]
fn a_temporary_password_expires_after_the_pools_validity_and_resend_issues_a_new_one() {
    let e = Fixture::start(Options::default()).emulator;
    let pool = ok(
        &e,
        "CreateUserPool",
        json!({"PoolName": "invites",
               "Policies": {"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 2}}}),
    )["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = ok(
        &e,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "app",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let sign_in = |password: &str| {
        call(
            e.endpoint(),
            "InitiateAuth",
            &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
                    "AuthParameters": {"USERNAME": "tim", "PASSWORD": password}}),
        )
    };
    ok(
        &e,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "tim", "TemporaryPassword": "Temp0rary!",
               "MessageAction": "SUPPRESS"}),
    );
    advance(&e, 2 * 86_400 - 60);
    let (status, answer) = sign_in("Temp0rary!");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    advance(&e, 120);
    let (status, answer) = sign_in("Temp0rary!");
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["__type"], "NotAuthorizedException");
    assert_eq!(
        answer["message"],
        "Temporary password has expired and must be reset by an administrator."
    );
    // A wrong password is still just a wrong password.
    let (_, answer) = sign_in("Wr0ngPassword!");
    assert_eq!(answer["message"], "Incorrect username or password.");
    // RESEND issues a new temporary password, valid for the pool's days again.
    ok(
        &e,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "tim", "TemporaryPassword": "Temp0rary2!",
               "MessageAction": "RESEND"}),
    );
    let (status, answer) = sign_in("Temp0rary2!");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let session = answer["Session"].clone();
    let answer = ok(
        &e,
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
               "ChallengeResponses": {"USERNAME": "tim", "NEW_PASSWORD": "Permanent1!"}}),
    );
    assert!(answer["AuthenticationResult"]["AccessToken"].is_string());
    // A permanent password does not expire.
    advance(&e, 30 * 86_400);
    assert_eq!(sign_in("Permanent1!").0, 200);

    // AdminSetUserPassword with Permanent false starts a new temporary password's days.
    ok(
        &e,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "tim", "Password": "Temp0rary3!",
               "Permanent": false}),
    );
    advance(&e, 86_400);
    assert_eq!(
        sign_in("Temp0rary3!").1["ChallengeName"],
        "NEW_PASSWORD_REQUIRED"
    );
    advance(&e, 2 * 86_400);
    assert_eq!(sign_in("Temp0rary3!").1["__type"], "NotAuthorizedException");
}
