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

const CALLBACK: &str = "http://localhost:3000/callback";

fn hosted() -> Fixture {
    Fixture::start(
        Options::default()
            .client(ClientConfig {
                callback_urls: vec![CALLBACK.into()],
                ..ClientConfig::default()
            })
            .user("alice", PASSWORD, &[]),
    )
}

/// A browser's request: the status, the `Location`, the cookies it sets (`name=value`) and the
/// body.
fn browse(
    f: &Fixture,
    request: http::request::Builder,
    cookies: &[String],
    body: Vec<u8>,
) -> (u16, Option<String>, Vec<String>, String) {
    let response = send(
        &agent(),
        request
            .header("Cookie", cookies.join("; "))
            .body(body)
            .unwrap(),
    );
    let _ = f;
    let set: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let body = String::from_utf8(response.body().clone()).unwrap();
    (response.status().as_u16(), location, set, body)
}

fn authorize(f: &Fixture, path: &str) -> String {
    let redirect: String = url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect();
    format!(
        "{}{path}?response_type=code&client_id={}&redirect_uri={redirect}",
        f.endpoint(),
        f.client_id
    )
}

/// Alice signs in on the hosted UI's login page: the tokens of the code it hands out, and the
/// browser's cookies.
fn browser_sign_in(f: &Fixture) -> (Value, Vec<String>) {
    let (status, _, mut cookies, page) = browse(
        f,
        http::Request::get(authorize(f, "login")),
        &[],
        Vec::new(),
    );
    assert_eq!(status, 200);
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    let mut rest = page.as_str();
    while let Some(at) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[at + 27..];
        let name = &rest[..rest.find('"').unwrap()];
        let value_at = rest.find("value=\"").unwrap() + 7;
        let value = &rest[value_at..value_at + rest[value_at..].find('"').unwrap()];
        let value = value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        form.append_pair(name, &value);
    }
    form.append_pair("username", "alice");
    form.append_pair("password", PASSWORD);
    let (status, location, set, _) = browse(
        f,
        http::Request::post(format!("{}login", f.endpoint()))
            .header("Content-Type", "application/x-www-form-urlencoded"),
        &cookies,
        form.finish().into_bytes(),
    );
    assert_eq!(status, 302);
    cookies.extend(set);
    let location = url::Url::parse(&location.unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let redirect: String = url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect();
    let (status, _, _, tokens) = browse(
        f,
        http::Request::post(format!("{}oauth2/token", f.endpoint()))
            .header("Content-Type", "application/x-www-form-urlencoded"),
        &[],
        format!(
            "grant_type=authorization_code&client_id={}&code={code}&redirect_uri={redirect}",
            f.client_id
        )
        .into_bytes(),
    );
    assert_eq!(status, 200, "{tokens}");
    let tokens: Value = serde_json::from_str(&tokens).unwrap();
    (
        json!({"AccessToken": tokens["access_token"], "RefreshToken": tokens["refresh_token"]}),
        cookies,
    )
}

/// Whether the browser with `cookies` is still signed in to the hosted UI (`/oauth2/authorize`
/// redirects at once rather than showing the form).
fn still_signed_in(f: &Fixture, cookies: &[String]) -> bool {
    browse(
        f,
        http::Request::get(authorize(f, "oauth2/authorize")),
        cookies,
        Vec::new(),
    )
    .0 == 302
}

fn of_type<'a>(sessions: &'a [Value], kind: &str) -> Vec<&'a Value> {
    sessions
        .iter()
        .filter(|s| s["SessionType"] == kind)
        .collect()
}

#[test]
fn a_hosted_ui_sign_in_is_an_sso_session_that_linked_revocation_ends_with_its_tokens() {
    let f = hosted();
    let api = f.tokens("alice", PASSWORD);
    let (web, browser) = browser_sign_in(&f);
    let listed = admin_sessions(&f);
    assert_eq!(listed.len(), 3, "{listed:?}");
    let sso = of_type(&listed, "SSO");
    assert_eq!(sso.len(), 1);
    let sso_id = sso[0]["SessionId"].as_str().unwrap().to_owned();
    assert!(sso_id.starts_with("sso") && sso_id.len() == 28);
    assert!(sso[0].get("ClientId").is_none());
    let from_web: Vec<_> = of_type(&listed, "TOKEN")
        .into_iter()
        .filter(|s| s["OriginSessionId"] == json!(sso_id))
        .collect();
    assert_eq!(from_web.len(), 1);
    assert_eq!(from_web[0]["SessionId"], current(&f, &web["AccessToken"]));
    assert!(still_signed_in(&f, &browser));

    // The web sign-in's token session, LINKED: its SSO session goes too; the API's stays.
    ok(
        &f.emulator,
        "AdminRevokeUserSession",
        json!({"UserPoolId": f.pool_id, "Username": "alice",
               "SessionId": from_web[0]["SessionId"], "RevokeAssociatedSessions": "LINKED"}),
    );
    let left = admin_sessions(&f);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["SessionId"], current(&f, &api["AccessToken"]));
    assert!(!still_signed_in(&f, &browser));
    assert_eq!(
        kind(&f.call("GetUser", &json!({"AccessToken": web["AccessToken"]}))),
        "NotAuthorizedException"
    );
}

#[test]
fn revoking_an_sso_session_signs_the_browser_out_and_with_linked_its_token_sessions() {
    let f = hosted();
    let (first, first_browser) = browser_sign_in(&f);
    let (second, second_browser) = browser_sign_in(&f);
    let sso_of = |tokens: &Value| {
        let id = current(&f, &tokens["AccessToken"]);
        admin_sessions(&f)
            .into_iter()
            .find(|s| s["SessionId"] == id)
            .unwrap()["OriginSessionId"]
            .clone()
    };
    let (first_sso, second_sso) = (sso_of(&first), sso_of(&second));
    assert_ne!(first_sso, second_sso);
    // NONE: the browser is signed out, its tokens still work.
    ok(
        &f.emulator,
        "RevokeUserSession",
        json!({"AccessToken": second["AccessToken"], "SessionId": first_sso}),
    );
    assert!(!still_signed_in(&f, &first_browser));
    assert!(still_signed_in(&f, &second_browser));
    assert_eq!(uses(&f, &first), [true; 4]);
    // LINKED from one's own token session: refused, it would revoke the caller's session.
    assert_eq!(
        refused(
            &f.emulator,
            "RevokeUserSession",
            json!({"AccessToken": second["AccessToken"], "SessionId": second_sso,
                   "RevokeAssociatedSessions": "LINKED"})
        ),
        "InvalidParameterException"
    );
    // LINKED by the administrator: the browser and its tokens.
    ok(
        &f.emulator,
        "AdminRevokeUserSession",
        json!({"UserPoolId": f.pool_id, "Username": "alice", "SessionId": second_sso,
               "RevokeAssociatedSessions": "LINKED"}),
    );
    assert!(!still_signed_in(&f, &second_browser));
    assert_eq!(uses(&f, &second), [false; 4]);
    assert_eq!(uses(&f, &first), [true; 4]);
}
