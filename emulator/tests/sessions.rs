//! A user's sessions (AdminListUserSessions, ListUserSessions, AdminRevokeUserSession,
//! RevokeUserSession): each sign-in is a token session, which its refreshes (rotations
//! included) continue; revoking one refuses its refresh and access tokens on every path (the user
//! API, GetTokensFromRefreshToken, REFRESH_TOKEN_AUTH, `/oauth2/token`) and leaves the others
//! working. Sessions survive a restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use cognito_flows_emulator::{ClientConfig, RefreshRotation};
use cognito_flows_testkit::emulator::{self, Fixture, Options};
use cognito_flows_testkit::{agent, send};
use common::{ok, refused};
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";

fn admin(f: &Fixture, user: &str) -> Value {
    json!({"UserPoolId": f.pool_id, "Username": user})
}

fn admin_sessions(f: &Fixture) -> Vec<Value> {
    ok(&f.emulator, "AdminListUserSessions", admin(f, "alice"))["Sessions"]
        .as_array()
        .unwrap()
        .clone()
}

fn user_sessions(f: &Fixture, access: &Value) -> Vec<Value> {
    ok(
        &f.emulator,
        "ListUserSessions",
        json!({"AccessToken": access}),
    )["Sessions"]
        .as_array()
        .unwrap()
        .clone()
}

/// The id of the session `access` belongs to.
fn current(f: &Fixture, access: &Value) -> Value {
    let sessions = user_sessions(f, access);
    let mine: Vec<_> = sessions
        .iter()
        .filter(|s| s["IsCurrentSession"] == true)
        .collect();
    assert_eq!(mine.len(), 1, "{sessions:?}");
    mine[0]["SessionId"].clone()
}

fn kind(answer: &(u16, Value)) -> &str {
    answer.1["__type"].as_str().unwrap_or("(none)")
}

/// Every way `tokens` could still be used: the user API with the access token, and the refresh
/// token through GetTokensFromRefreshToken, REFRESH_TOKEN_AUTH and `/oauth2/token`.
fn uses(f: &Fixture, tokens: &Value) -> [bool; 4] {
    let refresh = tokens["RefreshToken"].as_str().unwrap();
    let get_user = f.call("GetUser", &json!({"AccessToken": tokens["AccessToken"]}));
    let get_tokens = f.call(
        "GetTokensFromRefreshToken",
        &json!({"ClientId": f.client_id, "RefreshToken": refresh}),
    );
    let refresh_auth = f.call(
        "InitiateAuth",
        &json!({"ClientId": f.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    );
    let oauth = send(
        &agent(),
        http::Request::post(format!("{}oauth2/token", f.endpoint()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(
                format!(
                    "grant_type=refresh_token&client_id={}&refresh_token={refresh}",
                    f.client_id
                )
                .into_bytes(),
            )
            .unwrap(),
    );
    for refused in [&get_user, &get_tokens, &refresh_auth] {
        if refused.0 != 200 {
            assert_eq!(kind(refused), "NotAuthorizedException", "{}", refused.1);
        }
    }
    [
        get_user.0 == 200,
        get_tokens.0 == 200,
        refresh_auth.0 == 200,
        oauth.status().as_u16() == 200,
    ]
}

#[test]
fn each_sign_in_is_a_token_session_that_its_refreshes_continue() {
    let f = common::alice();
    let first = f.tokens("alice", PASSWORD);
    let second = f.tokens("alice", PASSWORD);
    let listed = admin_sessions(&f);
    assert_eq!(listed.len(), 2, "{listed:?}");
    for s in &listed {
        let id = s["SessionId"].as_str().unwrap();
        assert_eq!(id.len(), 28);
        assert!(id.starts_with("tkn"));
        assert!(
            id[3..]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_eq!(s["SessionType"], "TOKEN");
        assert_eq!(s["ClientId"], json!(f.client_id));
        assert_eq!(s["IsCurrentSession"], false);
        assert!(s["CreateDate"].as_u64().unwrap() > 0);
        assert!(s["LastActiveDate"].as_u64() >= s["CreateDate"].as_u64());
    }
    // The user sees the same sessions, theirs marked.
    let mine = current(&f, &first["AccessToken"]);
    let theirs = current(&f, &second["AccessToken"]);
    assert_ne!(mine, theirs);
    // A refresh is no new session.
    let refreshed = ok(
        &f.emulator,
        "GetTokensFromRefreshToken",
        json!({"ClientId": f.client_id, "RefreshToken": first["RefreshToken"]}),
    );
    assert_eq!(admin_sessions(&f).len(), 2);
    assert_eq!(
        current(&f, &refreshed["AuthenticationResult"]["AccessToken"]),
        mine
    );
}

#[test]
fn revoking_a_session_refuses_its_tokens_everywhere_and_leaves_the_others() {
    let f = common::alice();
    let kept = f.tokens("alice", PASSWORD);
    let gone = f.tokens("alice", PASSWORD);
    assert_eq!(uses(&f, &gone), [true; 4]);
    let gone_id = current(&f, &gone["AccessToken"]);
    ok(
        &f.emulator,
        "RevokeUserSession",
        json!({"AccessToken": kept["AccessToken"], "SessionId": gone_id}),
    );
    assert_eq!(uses(&f, &gone), [false; 4]);
    assert_eq!(uses(&f, &kept), [true; 4]);
    let left = user_sessions(&f, &kept["AccessToken"]);
    assert_eq!(left.len(), 1);
    assert_ne!(left[0]["SessionId"], gone_id);
}

#[test]
fn the_admin_revokes_a_session_with_its_rotated_tokens() {
    let f = Fixture::start(
        Options::default()
            .client(ClientConfig {
                refresh_rotation: Some(RefreshRotation {
                    retry_grace_seconds: 60,
                }),
                ..ClientConfig::default()
            })
            .user("alice", PASSWORD, &[]),
    );
    let signed_in = f.tokens("alice", PASSWORD);
    let rotated = ok(
        &f.emulator,
        "GetTokensFromRefreshToken",
        json!({"ClientId": f.client_id, "RefreshToken": signed_in["RefreshToken"]}),
    )["AuthenticationResult"]
        .clone();
    assert_ne!(rotated["RefreshToken"], signed_in["RefreshToken"]);
    let listed = admin_sessions(&f);
    assert_eq!(listed.len(), 1);
    ok(
        &f.emulator,
        "AdminRevokeUserSession",
        json!({"UserPoolId": f.pool_id, "Username": "alice",
               "SessionId": listed[0]["SessionId"], "RevokeAssociatedSessions": "LINKED"}),
    );
    assert!(admin_sessions(&f).is_empty());
    for tokens in [&signed_in, &rotated] {
        assert_eq!(
            kind(&f.call("GetUser", &json!({"AccessToken": tokens["AccessToken"]}))),
            "NotAuthorizedException"
        );
        assert_eq!(
            kind(&f.call(
                "GetTokensFromRefreshToken",
                &json!({"ClientId": f.client_id, "RefreshToken": tokens["RefreshToken"]}),
            )),
            "NotAuthorizedException"
        );
    }
}

#[test]
fn sessions_are_refused_as_cognito_refuses_them() {
    let f = common::alice();
    f.add_user("bob", PASSWORD, &[]);
    let alice = f.tokens("alice", PASSWORD);
    let bob = f.tokens("bob", PASSWORD);
    let own = current(&f, &alice["AccessToken"]);
    let bobs = current(&f, &bob["AccessToken"]);
    // Not the caller's own session, nor someone else's.
    assert_eq!(
        refused(
            &f.emulator,
            "RevokeUserSession",
            json!({"AccessToken": alice["AccessToken"], "SessionId": own})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            &f.emulator,
            "RevokeUserSession",
            json!({"AccessToken": alice["AccessToken"], "SessionId": bobs})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &f.emulator,
            "AdminRevokeUserSession",
            json!({"UserPoolId": f.pool_id, "Username": "alice", "SessionId": bobs})
        ),
        "ResourceNotFoundException"
    );
    // Ids and modes out of the model's patterns and enums.
    for (id, mode) in [
        ("tkn123", "NONE"),
        ("abc0000000000000000000000000", "NONE"),
        (own.as_str().unwrap(), "ALL"),
    ] {
        assert_eq!(
            refused(
                &f.emulator,
                "AdminRevokeUserSession",
                json!({"UserPoolId": f.pool_id, "Username": "alice", "SessionId": id,
                       "RevokeAssociatedSessions": mode})
            ),
            "InvalidParameterException",
            "{id} {mode}"
        );
    }
    // Unknown users and pools.
    assert_eq!(
        refused(&f.emulator, "AdminListUserSessions", admin(&f, "nobody")),
        "UserNotFoundException"
    );
    assert_eq!(
        refused(
            &f.emulator,
            "AdminListUserSessions",
            json!({"UserPoolId": "us-east-1_nowhere", "Username": "alice"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &f.emulator,
            "AdminRevokeUserSession",
            json!({"UserPoolId": f.pool_id, "Username": "nobody", "SessionId": own})
        ),
        "UserNotFoundException"
    );
    // After a global sign-out no session is left, and its tokens cannot list them.
    ok(
        &f.emulator,
        "GlobalSignOut",
        json!({"AccessToken": alice["AccessToken"]}),
    );
    assert!(admin_sessions(&f).is_empty());
    assert_eq!(
        refused(
            &f.emulator,
            "ListUserSessions",
            json!({"AccessToken": alice["AccessToken"]})
        ),
        "NotAuthorizedException"
    );
}

#[test]
fn sessions_survive_a_restart() {
    let dir = emulator::TempDir::new("emulator-sessions");
    let f = Fixture::start(
        Options::default()
            .data(dir.path())
            .user("alice", PASSWORD, &[]),
    );
    let kept = f.tokens("alice", PASSWORD);
    let gone = f.tokens("alice", PASSWORD);
    let before = admin_sessions(&f);
    let f = f.restart();
    assert_eq!(admin_sessions(&f), before);
    let gone_id = current(&f, &gone["AccessToken"]);
    ok(
        &f.emulator,
        "AdminRevokeUserSession",
        json!({"UserPoolId": f.pool_id, "Username": "alice", "SessionId": gone_id}),
    );
    let f = f.restart();
    assert_eq!(uses(&f, &gone), [false; 4]);
    assert_eq!(uses(&f, &kept), [true; 4]);
}
