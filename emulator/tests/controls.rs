//! The test controls under `/_emulator/`, as a suite in any language drives them over HTTP:
//! reset (and moto's `/moto-api/reset`), the clock, fault injection; each refused to a foreign
//! `Host`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, UNIX_EPOCH};

use cognito_flows_emulator::{Emulator, PoolConfig, Webhooks};
use cognito_flows_testkit::emulator::{self, Fixture, Options};
use common::{agent, call, send};
use serde_json::{Value, json};

/// `method path` with a JSON body (and a `Host`): the status and the JSON answer.
fn control(e: &Emulator, method: &str, path: &str, body: &str, host: Option<&str>) -> (u16, Value) {
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", e.endpoint()))
        .header("Content-Type", "application/json");
    if let Some(host) = host {
        request = request.header("Host", host);
    }
    let response = send(&agent(), request.body(body.as_bytes().to_vec()).unwrap());
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(response.body()).unwrap_or(Value::Null),
    )
}

fn post(e: &Emulator, path: &str, body: &str) -> (u16, Value) {
    control(e, "POST", path, body, None)
}

/// An emulator with one pool, client and user `alice`, kept as its start.
fn world() -> (Emulator, String, String) {
    let Fixture {
        emulator: e,
        pool_id: pool,
        client_id: client,
        ..
    } = common::alice();
    e.keep_as_start();
    (e, pool, client)
}

fn sign_in(e: &Emulator, client: &str, user: &str) -> (u16, Value) {
    call(
        e.endpoint(),
        "InitiateAuth",
        &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
                "AuthParameters": {"USERNAME": user, "PASSWORD": "Passw0rd!"}}),
    )
}

#[test]
fn reset_brings_back_the_start_and_drops_what_came_after() {
    for path in ["_emulator/reset", "moto-api/reset"] {
        let (e, pool, client) = world();
        let (status, tokens) = sign_in(&e, &client, "alice");
        assert_eq!(status, 200, "{tokens}");
        let access = tokens["AuthenticationResult"]["AccessToken"].clone();
        // After the start: a new pool, a new user who signs up (a code in the outbox), a change.
        let (status, _) = call(
            e.endpoint(),
            "CreateUserPool",
            &json!({"PoolName": "later"}),
        );
        assert_eq!(status, 200);
        let (status, _) = call(
            e.endpoint(),
            "SignUp",
            &json!({"ClientId": client, "Username": "bob", "Password": "Passw0rd!",
                    "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
        );
        assert_eq!(status, 200);
        let (status, _) = call(
            e.endpoint(),
            "AdminDeleteUser",
            &json!({"UserPoolId": pool, "Username": "alice"}),
        );
        assert_eq!(status, 200);
        assert!(!e.outbox().is_empty());

        assert_eq!(post(&e, path, ""), (200, json!({"status": "ok"})), "{path}");
        assert_eq!(
            e.pool_ids(),
            vec![pool.clone()],
            "{path}: only the start's pool"
        );
        assert!(e.outbox().is_empty(), "{path}: the outbox is emptied");
        let (status, answer) = call(
            e.endpoint(),
            "AdminGetUser",
            &json!({"UserPoolId": pool, "Username": "bob"}),
        );
        assert_eq!(
            (status, answer["__type"].as_str()),
            (400, Some("UserNotFoundException"))
        );
        // alice is back with her password; her old access token is gone with the state.
        assert_eq!(sign_in(&e, &client, "alice").0, 200, "{path}");
        let (status, answer) = call(e.endpoint(), "GetUser", &json!({"AccessToken": access}));
        assert_eq!(status, 400, "{path}: {answer}");
        assert_eq!(answer["__type"], "NotAuthorizedException");
    }
}

#[test]
fn reset_on_a_data_directory_survives_a_restart() {
    let dir = emulator::TempDir::new("emulator-controls");
    let config = dir.config();
    let pool;
    {
        let e = emulator::start(config.clone());
        pool = e.create_user_pool(PoolConfig::default());
        e.admin_create_user(&pool, "alice", "Passw0rd!", &[])
            .unwrap();
        e.keep_as_start();
        let second = e.create_user_pool(PoolConfig::default());
        e.admin_create_user(&pool, "bob", "Passw0rd!", &[]).unwrap();
        e.admin_create_user(&second, "carol", "Passw0rd!", &[])
            .unwrap();
        assert_eq!(post(&e, "_emulator/reset", "{}").0, 200);
    }
    let e = emulator::start(config);
    assert_eq!(e.pool_ids(), vec![pool.clone()]);
    for (user, there) in [("alice", true), ("bob", false)] {
        let (status, _) = call(
            e.endpoint(),
            "AdminGetUser",
            &json!({"UserPoolId": pool, "Username": user}),
        );
        assert_eq!(status == 200, there, "{user}");
    }
    drop(e);
}

#[test]
fn the_clock_is_read_moved_and_set_and_tokens_expire_on_it() {
    let (e, pool, client) = world();
    let (status, start) = control(&e, "GET", "_emulator/clock", "", None);
    assert_eq!(status, 200);
    let start = start["now"].as_u64().unwrap();
    let (status, moved) = post(&e, "_emulator/clock", r#"{"advance_seconds": 3600}"#);
    assert_eq!(status, 200);
    assert!(moved["now"].as_u64().unwrap() >= start + 3600);
    let (status, set) = post(&e, "_emulator/clock", r#"{"set": 2000000000}"#);
    assert_eq!((status, set["now"].as_u64()), (200, Some(2_000_000_000)));
    assert_eq!(e.now(), UNIX_EPOCH + Duration::from_secs(2_000_000_000));

    // An access token expires on the emulator's clock (an hour by default).
    let (status, tokens) = sign_in(&e, &client, "alice");
    assert_eq!(status, 200);
    let access = tokens["AuthenticationResult"]["AccessToken"].clone();
    assert_eq!(
        call(e.endpoint(), "GetUser", &json!({"AccessToken": access})).0,
        200
    );
    assert_eq!(
        post(&e, "_emulator/clock", r#"{"advance_seconds": 7200}"#).0,
        200
    );
    let (status, answer) = call(e.endpoint(), "GetUser", &json!({"AccessToken": access}));
    assert_eq!(
        (status, answer["__type"].as_str()),
        (400, Some("NotAuthorizedException")),
        "{answer}"
    );
    let _ = pool;

    for bad in [
        r#"{"advance_seconds": -5}"#,
        r#"{"set": "tomorrow"}"#,
        r#"{"advance_seconds": 1, "set": 5}"#,
        "{}",
        "[1]",
    ] {
        let (status, answer) = post(&e, "_emulator/clock", bad);
        assert_eq!(status, 400, "{bad}");
        assert!(answer["message"].is_string(), "{bad}");
    }
    // A reset brings back the start's clock.
    assert_eq!(post(&e, "_emulator/reset", "{}").0, 200);
    assert!(e.now() < UNIX_EPOCH + Duration::from_secs(2_000_000_000));
}

#[test]
fn an_armed_fault_answers_the_next_calls_then_the_operation_runs_again() {
    let (e, _pool, client) = world();
    let (status, armed) = post(
        &e,
        "_emulator/faults",
        r#"{"operation": "InitiateAuth", "error": "TooManyRequestsException", "count": 2}"#,
    );
    assert_eq!(status, 200, "{armed}");
    let (_, listed) = control(&e, "GET", "_emulator/faults", "", None);
    assert_eq!(
        listed["faults"],
        json!([{"operation": "InitiateAuth", "error": "TooManyRequestsException", "count": 2}])
    );
    // Another operation is untouched.
    let (status, _) = call(e.endpoint(), "ListUserPools", &json!({"MaxResults": 10}));
    assert_eq!(status, 200);
    for _ in 0..2 {
        let (status, answer) = sign_in(&e, &client, "alice");
        assert_eq!(
            (status, answer["__type"].as_str()),
            (400, Some("TooManyRequestsException"))
        );
    }
    assert_eq!(sign_in(&e, &client, "alice").0, 200);

    // An internal error is a 500; a reset disarms what is left.
    post(
        &e,
        "_emulator/faults",
        r#"{"operation": "InitiateAuth", "error": "InternalErrorException", "count": 5}"#,
    );
    assert_eq!(sign_in(&e, &client, "alice").0, 500);
    assert_eq!(post(&e, "_emulator/reset", "").0, 200);
    assert_eq!(sign_in(&e, &client, "alice").0, 200);

    for bad in [
        r#"{"operation": "NoSuchOperation", "error": "TooManyRequestsException"}"#,
        r#"{"error": "TooManyRequestsException"}"#,
        r#"{"operation": "InitiateAuth", "error": "not an error"}"#,
        r#"{"operation": "InitiateAuth", "count": -1}"#,
    ] {
        let (status, answer) = post(&e, "_emulator/faults", bad);
        assert_eq!(status, 400, "{bad}: {answer}");
    }
    assert_eq!(sign_in(&e, &client, "alice").0, 200, "nothing was armed");
}

/// A trigger armed to time out fails the next calls of its operation with Cognito's answer to a
/// Lambda that does not answer in time; a call that invokes no trigger leaves the count alone;
/// then the webhook runs again.
#[test]
fn an_armed_trigger_timeout_fails_the_next_calls_as_cognito_does_then_the_webhook_runs() {
    let hooks = common::hooks::Hooks::start();
    let Fixture {
        emulator: e,
        pool_id: pool,
        client_id: client,
        ..
    } = Fixture::start(
        Options::default()
            .user("alice", "Passw0rd!", &[("email", "alice@example.com")])
            .pool(PoolConfig {
                webhooks: Webhooks {
                    pre_sign_up: hooks.url("/pre-sign-up"),
                    ..Webhooks::default()
                },
                ..PoolConfig::default()
            }),
    );
    let sign_up = |name: &str| {
        call(
            e.endpoint(),
            "SignUp",
            &json!({"ClientId": client, "Username": name, "Password": "Passw0rd!",
                    "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")}]}),
        )
    };
    let (status, armed) = post(
        &e,
        "_emulator/faults",
        r#"{"operation": "SignUp", "trigger": "timeout", "count": 2}"#,
    );
    assert_eq!(status, 200, "{armed}");
    let (_, listed) = control(&e, "GET", "_emulator/faults", "", None);
    assert_eq!(
        listed["faults"],
        json!([{"operation": "SignUp", "trigger": "timeout", "count": 2}])
    );
    for name in ["zed", "zoe"] {
        let (status, answer) = sign_up(name);
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["__type"], "UnexpectedLambdaException");
        assert_eq!(
            answer["message"],
            "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
        );
        // Nothing was created.
        let (status, _) = call(
            e.endpoint(),
            "AdminGetUser",
            &json!({"UserPoolId": pool, "Username": name}),
        );
        assert_eq!(status, 400, "{name}");
    }
    let (_, listed) = control(&e, "GET", "_emulator/faults", "", None);
    assert_eq!(listed["faults"], json!([]));
    let (status, answer) = sign_up("zed");
    assert_eq!(status, 200, "the webhook answers again: {answer}");
    assert_eq!(hooks.events("/pre-sign-up").len(), 1);

    // InitiateAuth invokes no trigger on this pool: the armed timeout waits for one.
    assert_eq!(
        post(
            &e,
            "_emulator/faults",
            r#"{"operation": "InitiateAuth", "trigger": "timeout"}"#
        )
        .0,
        200
    );
    assert_eq!(sign_in(&e, &client, "alice").0, 200);
    let (_, listed) = control(&e, "GET", "_emulator/faults", "", None);
    assert_eq!(
        listed["faults"],
        json!([{"operation": "InitiateAuth", "trigger": "timeout", "count": 1}])
    );
    // Count 0 disarms it; a reset disarms what is left.
    assert_eq!(
        post(
            &e,
            "_emulator/faults",
            r#"{"operation": "InitiateAuth", "trigger": "timeout", "count": 0}"#
        )
        .0,
        200
    );
    let (_, listed) = control(&e, "GET", "_emulator/faults", "", None);
    assert_eq!(listed["faults"], json!([]));
    e.keep_as_start();
    post(
        &e,
        "_emulator/faults",
        r#"{"operation": "SignUp", "trigger": "timeout", "count": 3}"#,
    );
    assert_eq!(post(&e, "_emulator/reset", "").0, 200);
    assert_eq!(sign_up("ann").0, 200);

    for bad in [
        r#"{"operation": "SignUp", "trigger": "slow"}"#,
        r#"{"operation": "SignUp", "trigger": "timeout", "error": "TooManyRequestsException"}"#,
        r#"{"operation": "SignUp", "trigger": 5}"#,
    ] {
        let (status, answer) = post(&e, "_emulator/faults", bad);
        assert_eq!(status, 400, "{bad}: {answer}");
        assert!(answer["message"].is_string(), "{bad}");
    }
    assert_eq!(sign_up("bea").0, 200, "nothing was armed");
}

#[test]
fn every_control_refuses_a_foreign_host_and_other_methods() {
    let (e, _pool, client) = world();
    for (method, path, body) in [
        ("POST", "_emulator/reset", ""),
        ("POST", "moto-api/reset", ""),
        ("GET", "_emulator/clock", ""),
        ("POST", "_emulator/clock", r#"{"advance_seconds": 100000}"#),
        (
            "POST",
            "_emulator/faults",
            r#"{"operation": "InitiateAuth", "count": 3}"#,
        ),
    ] {
        let (status, _) = control(&e, method, path, body, Some("evil.example"));
        assert_eq!(status, 403, "{method} {path}");
    }
    assert_eq!(sign_in(&e, &client, "alice").0, 200, "no fault was armed");
    assert_eq!(control(&e, "GET", "_emulator/reset", "", None).0, 405);
    assert_eq!(control(&e, "DELETE", "_emulator/clock", "", None).0, 405);
}
