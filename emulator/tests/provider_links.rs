//! AdminLinkProviderForUser and AdminDisableProviderForUser: a federated identity (a user of
//! one of the pool's identity providers) linked to a native user, shown as Cognito shows it in
//! the user's `identities` attribute, and unlinked; a native user's password sign-in turned off.
//! Links survive a restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use cognito_flows_testkit::emulator::{self, Fixture, Options};
use common::{ok, refused};
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";

fn provider(f: &Fixture, name: &str, kind: &str) {
    let details = if kind == "OIDC" {
        json!({"client_id": "abc", "client_secret": "s3cret", "authorize_scopes": "openid email",
               "oidc_issuer": "https://idp.example.com", "attributes_request_method": "GET"})
    } else {
        json!({"client_id": "g", "client_secret": "gs", "authorize_scopes": "profile email openid"})
    };
    ok(
        &f.emulator,
        "CreateIdentityProvider",
        json!({"UserPoolId": f.pool_id, "ProviderName": name, "ProviderType": kind,
               "ProviderDetails": details}),
    );
}

fn world() -> Fixture {
    let f = common::alice();
    f.add_user("bob", PASSWORD, &[]);
    provider(&f, "Google", "Google");
    provider(&f, "Okta", "OIDC");
    f
}

fn link(f: &Fixture, user: &str, source: (&str, &str, &str)) -> Value {
    json!({"UserPoolId": f.pool_id,
           "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": user},
           "SourceUser": {"ProviderName": source.0, "ProviderAttributeName": source.1,
                          "ProviderAttributeValue": source.2}})
}

fn unlink(f: &Fixture, user: (&str, &str, &str)) -> Value {
    json!({"UserPoolId": f.pool_id,
           "User": {"ProviderName": user.0, "ProviderAttributeName": user.1,
                    "ProviderAttributeValue": user.2}})
}

/// The user's `identities` attribute, parsed (`None` when it has none).
fn identities(f: &Fixture, user: &str) -> Option<Value> {
    let described = ok(
        &f.emulator,
        "AdminGetUser",
        json!({"UserPoolId": f.pool_id, "Username": user}),
    );
    described["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "identities")
        .map(|a| serde_json::from_str(a["Value"].as_str().unwrap()).unwrap())
}

#[test]
fn linked_identities_show_in_identities_and_disabling_removes_them() {
    let f = world();
    ok(
        &f.emulator,
        "AdminLinkProviderForUser",
        link(&f, "alice", ("Google", "Cognito_Subject", "1234")),
    );
    ok(
        &f.emulator,
        "AdminLinkProviderForUser",
        link(&f, "alice", ("Okta", "email", "alice@idp.example.com")),
    );
    let linked = identities(&f, "alice").unwrap();
    let linked = linked.as_array().unwrap();
    assert_eq!(linked.len(), 2);
    let google = &linked[0];
    assert_eq!(google["userId"], "1234");
    assert_eq!(google["providerName"], "Google");
    assert_eq!(google["providerType"], "Google");
    assert_eq!(google["issuer"], Value::Null);
    assert_eq!(google["primary"], false);
    assert!(google["dateCreated"].as_u64().unwrap() > 1_000_000_000_000);
    assert_eq!(linked[1]["providerType"], "OIDC");
    assert_eq!(identities(&f, "bob"), None);

    ok(
        &f.emulator,
        "AdminDisableProviderForUser",
        unlink(&f, ("Google", "Cognito_Subject", "1234")),
    );
    let left = identities(&f, "alice").unwrap();
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["providerName"], "Okta");
    // Unlinked, the identity may be linked to someone else.
    ok(
        &f.emulator,
        "AdminLinkProviderForUser",
        link(&f, "bob", ("Google", "Cognito_Subject", "1234")),
    );
    ok(
        &f.emulator,
        "AdminDisableProviderForUser",
        unlink(&f, ("Okta", "email", "alice@idp.example.com")),
    );
    assert_eq!(identities(&f, "alice"), None);
}

#[test]
fn disabling_a_native_user_turns_off_their_password_sign_in() {
    let f = world();
    let sign_in = || {
        f.call(
            "InitiateAuth",
            &json!({"ClientId": f.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
        )
    };
    assert_eq!(sign_in().0, 200);
    ok(
        &f.emulator,
        "AdminDisableProviderForUser",
        unlink(&f, ("Cognito", "Cognito_Subject", "alice")),
    );
    let (status, answer) = sign_in();
    assert_eq!(
        (status, answer["__type"].as_str()),
        (400, Some("NotAuthorizedException"))
    );
}

#[test]
fn links_are_refused_as_cognito_refuses_them() {
    let f = world();
    let refuse = |body: Value| refused(&f.emulator, "AdminLinkProviderForUser", body);
    // Unknown providers, a native user as the source, a social source without Cognito_Subject.
    assert_eq!(
        refuse(link(&f, "alice", ("Nowhere", "Cognito_Subject", "1"))),
        "InvalidParameterException"
    );
    assert_eq!(
        refuse(link(&f, "alice", ("Cognito", "Cognito_Subject", "bob"))),
        "InvalidParameterException"
    );
    assert_eq!(
        refuse(link(&f, "alice", ("Google", "email", "a@gmail.com"))),
        "InvalidParameterException"
    );
    // Unknown destination users and pools.
    assert_eq!(
        refuse(link(&f, "nobody", ("Google", "Cognito_Subject", "1"))),
        "UserNotFoundException"
    );
    let mut nowhere = link(&f, "alice", ("Google", "Cognito_Subject", "1"));
    nowhere["UserPoolId"] = json!("us-east-1_nowhere");
    assert_eq!(refuse(nowhere), "ResourceNotFoundException");
    // One identity links to one user; one provider's identity per user.
    ok(
        &f.emulator,
        "AdminLinkProviderForUser",
        link(&f, "alice", ("Google", "Cognito_Subject", "1")),
    );
    assert_eq!(
        refuse(link(&f, "bob", ("Google", "Cognito_Subject", "1"))),
        "AliasExistsException"
    );
    assert_eq!(
        refuse(link(&f, "alice", ("Google", "Cognito_Subject", "2"))),
        "InvalidParameterException"
    );
    // At most five identities a user.
    for i in 0..4 {
        provider(&f, &format!("Idp{i}"), "OIDC");
        ok(
            &f.emulator,
            "AdminLinkProviderForUser",
            link(&f, "alice", (&format!("Idp{i}"), "Cognito_Subject", "x")),
        );
    }
    provider(&f, "Idp4", "OIDC");
    assert_eq!(
        refuse(link(&f, "alice", ("Idp4", "Cognito_Subject", "x"))),
        "LimitExceededException"
    );
    // Unlinking: an unknown provider, an identity linked to no one, an unknown native user.
    let refuse = |body: Value| refused(&f.emulator, "AdminDisableProviderForUser", body);
    assert_eq!(
        refuse(unlink(&f, ("Nowhere", "Cognito_Subject", "1"))),
        "InvalidParameterException"
    );
    assert_eq!(
        refuse(unlink(&f, ("Okta", "Cognito_Subject", "nobody"))),
        "UserNotFoundException"
    );
    assert_eq!(
        refuse(unlink(&f, ("Google", "email", "1"))),
        "InvalidParameterException"
    );
    assert_eq!(
        refuse(unlink(&f, ("Cognito", "Cognito_Subject", "nobody"))),
        "UserNotFoundException"
    );
}

#[test]
fn links_survive_a_restart() {
    let dir = emulator::TempDir::new("emulator-provider-links");
    let f = Fixture::start(
        Options::default()
            .data(dir.path())
            .user("alice", PASSWORD, &[]),
    );
    provider(&f, "Google", "Google");
    ok(
        &f.emulator,
        "AdminLinkProviderForUser",
        link(&f, "alice", ("Google", "Cognito_Subject", "1234")),
    );
    let before = identities(&f, "alice");
    let f = f.restart();
    assert_eq!(identities(&f, "alice"), before);
    ok(
        &f.emulator,
        "AdminDisableProviderForUser",
        unlink(&f, ("Google", "Cognito_Subject", "1234")),
    );
    assert_eq!(identities(&f, "alice"), None);
}
