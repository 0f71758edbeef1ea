//! An app client's secrets: AddUserPoolClientSecret, DeleteUserPoolClientSecret,
//! ListUserPoolClientSecrets. Two secrets are valid at once, and every place that checks the
//! client's secret (SECRET_HASH, `ClientSecret`, the OAuth endpoints' Basic and body client
//! authentication) takes either; a deleted one is refused everywhere. Secrets survive a restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use base64::Engine as _;
use cognito_flows_testkit::emulator::{self, Fixture, Options};
use cognito_flows_testkit::{agent, secret_hash, send};
use common::{ok, refused};
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";

fn confidential() -> Fixture {
    Fixture::start(Options::default().secret().user("alice", PASSWORD, &[]))
}

fn ids(f: &Fixture) -> Value {
    json!({"UserPoolId": f.pool_id, "ClientId": f.client_id})
}

fn with(f: &Fixture, extra: Value) -> Value {
    let mut body = ids(f);
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// A USER_PASSWORD_AUTH sign-in of alice with the SECRET_HASH of `secret`: the status and answer.
fn sign_in(f: &Fixture, secret: &str) -> (u16, Value) {
    f.call(
        "InitiateAuth",
        &json!({"ClientId": f.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD,
                                   "SECRET_HASH": secret_hash(secret, "alice", &f.client_id)}}),
    )
}

/// `/oauth2/token`'s refresh grant, the client authenticated by Basic (`basic`) or in the body.
fn oauth_refresh(f: &Fixture, refresh: &str, secret: &str, basic: bool) -> u16 {
    let mut form = format!(
        "grant_type=refresh_token&client_id={}&refresh_token={refresh}",
        f.client_id
    );
    let mut request = http::Request::post(format!("{}oauth2/token", f.endpoint()))
        .header("Content-Type", "application/x-www-form-urlencoded");
    if basic {
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{secret}", f.client_id));
        request = request.header("Authorization", format!("Basic {credentials}"));
    } else {
        form.push_str(&format!("&client_secret={secret}"));
    }
    send(&agent(), request.body(form.into_bytes()).unwrap())
        .status()
        .as_u16()
}

#[test]
fn the_first_secret_is_listed_with_its_id_and_date_and_never_its_value() {
    let f = confidential();
    let client = ok(&f.emulator, "DescribeUserPoolClient", ids(&f));
    let created = client["UserPoolClient"]["CreationDate"].as_u64().unwrap();
    let listed = ok(&f.emulator, "ListUserPoolClientSecrets", ids(&f));
    assert_eq!(
        listed["ClientSecrets"],
        json!([{"ClientSecretId": format!("{}--{}", f.client_id, created * 1000),
                "ClientSecretCreateDate": created}])
    );
}

#[test]
fn a_second_secret_works_beside_the_first_and_a_deleted_one_is_refused_everywhere() {
    let f = confidential();
    let first = f.client_secret.clone().unwrap();
    let added = ok(&f.emulator, "AddUserPoolClientSecret", ids(&f));
    let descriptor = &added["ClientSecretDescriptor"];
    let second = descriptor["ClientSecretValue"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert!(second.len() >= 24 && second.chars().all(char::is_alphanumeric));
    let second_id = descriptor["ClientSecretId"].as_str().unwrap().to_owned();
    assert!(second_id.starts_with(&format!("{}--", f.client_id)));
    let listed = ok(&f.emulator, "ListUserPoolClientSecrets", ids(&f));
    let listed = listed["ClientSecrets"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1]["ClientSecretId"], json!(second_id));
    assert!(listed.iter().all(|s| s.get("ClientSecretValue").is_none()));

    // Either secret signs in, refreshes and authenticates at the token endpoint.
    for secret in [&first, &second] {
        let (status, answer) = sign_in(&f, secret);
        assert_eq!(status, 200, "{answer}");
        let refresh = answer["AuthenticationResult"]["RefreshToken"]
            .as_str()
            .unwrap()
            .to_owned();
        ok(
            &f.emulator,
            "GetTokensFromRefreshToken",
            json!({"ClientId": f.client_id, "ClientSecret": secret, "RefreshToken": refresh}),
        );
        assert_eq!(oauth_refresh(&f, &refresh, secret, true), 200);
        assert_eq!(oauth_refresh(&f, &refresh, secret, false), 200);
    }

    // Deleting the first: it is refused everywhere, the second still works and is the client's.
    let refresh = sign_in(&f, &second).1["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let first_id = listed[0]["ClientSecretId"].clone();
    ok(
        &f.emulator,
        "DeleteUserPoolClientSecret",
        with(&f, json!({"ClientSecretId": first_id})),
    );
    let (status, answer) = sign_in(&f, &first);
    assert_eq!(
        (status, answer["__type"].as_str()),
        (400, Some("NotAuthorizedException"))
    );
    assert_eq!(
        refused(
            &f.emulator,
            "GetTokensFromRefreshToken",
            json!({"ClientId": f.client_id, "ClientSecret": first, "RefreshToken": refresh}),
        ),
        "NotAuthorizedException"
    );
    assert_eq!(oauth_refresh(&f, &refresh, &first, true), 400);
    assert_eq!(oauth_refresh(&f, &refresh, &first, false), 400);
    assert_eq!(sign_in(&f, &second).0, 200);
    assert_eq!(oauth_refresh(&f, &refresh, &second, false), 200);
    let client = ok(&f.emulator, "DescribeUserPoolClient", ids(&f));
    assert_eq!(client["UserPoolClient"]["ClientSecret"], json!(second));
    let listed = ok(&f.emulator, "ListUserPoolClientSecrets", ids(&f));
    assert_eq!(
        listed["ClientSecrets"],
        json!([{"ClientSecretId": second_id, "ClientSecretCreateDate": descriptor["ClientSecretCreateDate"]}])
    );
}

#[test]
fn a_secret_given_is_not_echoed_and_works() {
    let f = confidential();
    let mine = "my+own_secret_of_thirty_two_chars";
    let added = ok(
        &f.emulator,
        "AddUserPoolClientSecret",
        with(&f, json!({"ClientSecret": mine})),
    );
    assert!(
        added["ClientSecretDescriptor"]
            .get("ClientSecretValue")
            .is_none()
    );
    assert!(added["ClientSecretDescriptor"]["ClientSecretId"].is_string());
    assert_eq!(sign_in(&f, mine).0, 200);
}

#[test]
fn secrets_are_refused_as_cognito_refuses_them() {
    let f = confidential();
    // A third secret: Cognito keeps two at most.
    ok(&f.emulator, "AddUserPoolClientSecret", ids(&f));
    assert_eq!(
        refused(&f.emulator, "AddUserPoolClientSecret", ids(&f)),
        "LimitExceededException"
    );
    // A secret of the wrong length or characters.
    let g = confidential();
    for bad in [
        "short",
        &"a".repeat(65),
        "has spaces in it, and more than 24",
    ] {
        assert_eq!(
            refused(
                &g.emulator,
                "AddUserPoolClientSecret",
                with(&g, json!({"ClientSecret": bad}))
            ),
            "InvalidParameterException",
            "{bad}"
        );
    }
    // The last secret cannot be deleted; an unknown id is not found.
    let only =
        ok(&g.emulator, "ListUserPoolClientSecrets", ids(&g))["ClientSecrets"][0]["ClientSecretId"]
            .clone();
    assert_eq!(
        refused(
            &g.emulator,
            "DeleteUserPoolClientSecret",
            with(&g, json!({"ClientSecretId": only}))
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            &g.emulator,
            "DeleteUserPoolClientSecret",
            with(&g, json!({"ClientSecretId": format!("{}--1", g.client_id)}))
        ),
        "ResourceNotFoundException"
    );
    // A public client has no secret to add to.
    let public = Fixture::start(Options::default());
    assert_eq!(
        refused(&public.emulator, "AddUserPoolClientSecret", ids(&public)),
        "InvalidParameterException"
    );
    assert_eq!(
        ok(&public.emulator, "ListUserPoolClientSecrets", ids(&public))["ClientSecrets"],
        json!([])
    );
    // Unknown pools and clients.
    for body in [
        json!({"UserPoolId": "us-east-1_nowhere", "ClientId": g.client_id}),
        json!({"UserPoolId": g.pool_id, "ClientId": "nosuchclient"}),
    ] {
        for operation in ["AddUserPoolClientSecret", "ListUserPoolClientSecrets"] {
            assert_eq!(
                refused(&g.emulator, operation, body.clone()),
                "ResourceNotFoundException"
            );
        }
    }
    assert_eq!(
        refused(&g.emulator, "DeleteUserPoolClientSecret", ids(&g)),
        "InvalidParameterException"
    );
}

#[test]
fn secrets_survive_a_restart() {
    let dir = emulator::TempDir::new("emulator-client-secrets");
    let f = Fixture::start(Options::default().secret().data(dir.path()).user(
        "alice",
        PASSWORD,
        &[],
    ));
    let second = ok(&f.emulator, "AddUserPoolClientSecret", ids(&f))["ClientSecretDescriptor"]
        ["ClientSecretValue"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = ok(&f.emulator, "ListUserPoolClientSecrets", ids(&f));
    let f = f.restart();
    assert_eq!(
        ok(&f.emulator, "ListUserPoolClientSecrets", ids(&f)),
        before
    );
    assert_eq!(sign_in(&f, &second).0, 200);
    assert_eq!(sign_in(&f, f.client_secret.as_deref().unwrap()).0, 200);
}
