//! What a pool configures besides its settings, as boto3 or Terraform set it up over HTTP:
//! tags on the pool's ARN, its domain, resource servers with custom scopes, identity providers. Each operation
//! answers and refuses as Cognito does, and what it stores survives a restart on a data
//! directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use cognito_flows_emulator::{EmulatorConfig, PoolConfig};
use cognito_flows_testkit::emulator;
use common::{ok, refused};
use serde_json::{Value, json};

fn arn(pool: &str) -> String {
    format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{pool}")
}

#[test]
fn tags_are_added_listed_removed_and_shown_by_describe_user_pool() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    ok(
        &e,
        "TagResource",
        json!({"ResourceArn": arn(&pool), "Tags": {"team": "auth", "env": "dev"}}),
    );
    ok(
        &e,
        "TagResource",
        json!({"ResourceArn": arn(&pool), "Tags": {"env": "test"}}),
    );
    let listed = ok(
        &e,
        "ListTagsForResource",
        json!({"ResourceArn": arn(&pool)}),
    );
    assert_eq!(listed["Tags"], json!({"team": "auth", "env": "test"}));
    let described = ok(&e, "DescribeUserPool", json!({"UserPoolId": pool}));
    assert_eq!(
        described["UserPool"]["UserPoolTags"],
        json!({"team": "auth", "env": "test"})
    );
    ok(
        &e,
        "UntagResource",
        json!({"ResourceArn": arn(&pool), "TagKeys": ["team", "absent"]}),
    );
    let listed = ok(
        &e,
        "ListTagsForResource",
        json!({"ResourceArn": arn(&pool)}),
    );
    assert_eq!(listed["Tags"], json!({"env": "test"}));
}

#[test]
fn tags_refuse_unknown_pools_bad_arns_and_bad_tags() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    let nowhere = arn("us-east-1_nowhere");
    assert_eq!(
        refused(&e, "ListTagsForResource", json!({"ResourceArn": nowhere})),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "TagResource",
            json!({"ResourceArn": nowhere, "Tags": {"a": "b"}})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "UntagResource",
            json!({"ResourceArn": nowhere, "TagKeys": ["a"]})
        ),
        "ResourceNotFoundException"
    );
    for bad in [
        "not-an-arn",
        "arn:aws:s3:::bucket",
        "arn:aws:cognito-idp:us-east-1:0:identitypool/x",
    ] {
        assert_eq!(
            refused(&e, "ListTagsForResource", json!({"ResourceArn": bad})),
            "InvalidParameterException",
            "{bad}"
        );
    }
    let too_long = "k".repeat(129);
    for tags in [
        json!({"aws:owner": "x"}),
        json!({too_long: "x"}),
        json!({"k": "v".repeat(257)}),
    ] {
        assert_eq!(
            refused(
                &e,
                "TagResource",
                json!({"ResourceArn": arn(&pool), "Tags": tags})
            ),
            "InvalidParameterException"
        );
    }
    let many: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    assert_eq!(
        refused(
            &e,
            "TagResource",
            json!({"ResourceArn": arn(&pool), "Tags": many})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(&e, "TagResource", json!({"ResourceArn": arn(&pool)})),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(&e, "UntagResource", json!({"ResourceArn": arn(&pool)})),
        "InvalidParameterException"
    );
    let listed = ok(
        &e,
        "ListTagsForResource",
        json!({"ResourceArn": arn(&pool)}),
    );
    assert_eq!(listed["Tags"], json!({}), "a refused call stores nothing");
}

#[test]
fn a_domain_is_created_described_by_name_updated_and_deleted() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    let created = ok(
        &e,
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": "my-app-auth"}),
    );
    assert_eq!(created["ManagedLoginVersion"], 1);
    assert!(
        created.get("CloudFrontDomain").is_none(),
        "a prefix domain has none"
    );
    let described = ok(
        &e,
        "DescribeUserPoolDomain",
        json!({"Domain": "my-app-auth"}),
    );
    let d = &described["DomainDescription"];
    assert_eq!(
        (
            d["UserPoolId"].as_str(),
            d["Domain"].as_str(),
            d["Status"].as_str()
        ),
        (Some(pool.as_str()), Some("my-app-auth"), Some("ACTIVE"))
    );
    let updated = ok(
        &e,
        "UpdateUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": "my-app-auth", "ManagedLoginVersion": 2}),
    );
    assert_eq!(updated["ManagedLoginVersion"], 2);
    ok(
        &e,
        "DeleteUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": "my-app-auth"}),
    );
    let described = ok(
        &e,
        "DescribeUserPoolDomain",
        json!({"Domain": "my-app-auth"}),
    );
    assert_eq!(
        described["DomainDescription"],
        json!({}),
        "an unknown domain: an empty description"
    );
    // A custom domain, with its certificate: a CloudFront distribution.
    let custom = ok(
        &e,
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": "auth.example.com",
        "CustomDomainConfig": {"CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/abc"}}),
    );
    assert!(
        custom["CloudFrontDomain"]
            .as_str()
            .unwrap()
            .ends_with(".cloudfront.net")
    );
}

#[test]
fn domains_refuse_what_cognito_refuses() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    let other = e.create_user_pool(PoolConfig::default());
    for bad in [
        "My-App",
        "-app",
        "app-",
        "has.dot",
        "my-cognito-app",
        "aws-app",
        "",
    ] {
        assert_eq!(
            refused(
                &e,
                "CreateUserPoolDomain",
                json!({"UserPoolId": pool, "Domain": bad})
            ),
            "InvalidParameterException",
            "{bad}"
        );
    }
    assert_eq!(
        refused(
            &e,
            "CreateUserPoolDomain",
            json!({"UserPoolId": "us-east-1_nowhere", "Domain": "fine"})
        ),
        "ResourceNotFoundException"
    );
    ok(
        &e,
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": "taken"}),
    );
    assert_eq!(
        refused(
            &e,
            "CreateUserPoolDomain",
            json!({"UserPoolId": other, "Domain": "taken"})
        ),
        "InvalidParameterException",
        "another pool's"
    );
    assert_eq!(
        refused(
            &e,
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "second"})
        ),
        "InvalidParameterException",
        "one a pool"
    );
    assert_eq!(
        refused(
            &e,
            "UpdateUserPoolDomain",
            json!({"UserPoolId": other, "Domain": "taken", "ManagedLoginVersion": 2})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "UpdateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "taken", "ManagedLoginVersion": 3})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            &e,
            "DeleteUserPoolDomain",
            json!({"UserPoolId": other, "Domain": "taken"})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(&e, "DescribeUserPoolDomain", json!({})),
        "InvalidParameterException"
    );
    let described = ok(&e, "DescribeUserPoolDomain", json!({"Domain": "taken"}));
    assert_eq!(
        described["DomainDescription"]["UserPoolId"],
        json!(pool),
        "still the first pool's"
    );
}

fn scopes() -> Value {
    json!([{"ScopeName": "read", "ScopeDescription": "Reads"}, {"ScopeName": "write", "ScopeDescription": "Writes"}])
}

#[test]
fn resource_servers_are_created_described_listed_updated_and_deleted() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    let created = ok(
        &e,
        "CreateResourceServer",
        json!({"UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "My API", "Scopes": scopes()}),
    );
    assert_eq!(
        created["ResourceServer"],
        json!({"UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "My API", "Scopes": scopes()})
    );
    let described = ok(
        &e,
        "DescribeResourceServer",
        json!({"UserPoolId": pool, "Identifier": "https://api.example.com"}),
    );
    assert_eq!(described, created);
    for i in 0..3 {
        ok(
            &e,
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": format!("svc{i}"), "Name": "svc"}),
        );
    }
    let first = ok(
        &e,
        "ListResourceServers",
        json!({"UserPoolId": pool, "MaxResults": 3}),
    );
    assert_eq!(first["ResourceServers"].as_array().unwrap().len(), 3);
    let rest = ok(
        &e,
        "ListResourceServers",
        json!({"UserPoolId": pool, "MaxResults": 3, "NextToken": first["NextToken"]}),
    );
    assert_eq!(rest["ResourceServers"].as_array().unwrap().len(), 1);
    assert!(rest.get("NextToken").is_none());
    let updated = ok(
        &e,
        "UpdateResourceServer",
        json!({"UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "Renamed",
        "Scopes": [{"ScopeName": "admin", "ScopeDescription": "Everything"}]}),
    );
    assert_eq!(
        updated["ResourceServer"]["Scopes"],
        json!([{"ScopeName": "admin", "ScopeDescription": "Everything"}])
    );
    ok(
        &e,
        "DeleteResourceServer",
        json!({"UserPoolId": pool, "Identifier": "https://api.example.com"}),
    );
    assert_eq!(
        refused(
            &e,
            "DescribeResourceServer",
            json!({"UserPoolId": pool, "Identifier": "https://api.example.com"})
        ),
        "ResourceNotFoundException"
    );
}

#[test]
fn resource_servers_refuse_what_cognito_refuses() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    let create = |identifier: &str, name: &str, scopes: Value| json!({"UserPoolId": pool, "Identifier": identifier, "Name": name, "Scopes": scopes});
    assert_eq!(
        refused(
            &e,
            "CreateResourceServer",
            json!({"UserPoolId": "us-east-1_nowhere", "Identifier": "a", "Name": "a"})
        ),
        "ResourceNotFoundException"
    );
    for body in [
        create("has space", "n", json!([])),
        create("quote\"", "n", json!([])),
        create("ok", "bad/name", json!([])),
        create(
            "ok",
            "n",
            json!([{"ScopeName": "a/b", "ScopeDescription": "d"}]),
        ),
        create(
            "ok",
            "n",
            json!([{"ScopeName": "a", "ScopeDescription": ""}]),
        ),
        create(
            "ok",
            "n",
            json!([{"ScopeName": "a", "ScopeDescription": "d"}, {"ScopeName": "a", "ScopeDescription": "e"}]),
        ),
        json!({"UserPoolId": pool, "Identifier": "ok"}),
    ] {
        assert_eq!(
            refused(&e, "CreateResourceServer", body.clone()),
            "InvalidParameterException",
            "{body}"
        );
    }
    ok(&e, "CreateResourceServer", create("api", "n", scopes()));
    assert_eq!(
        refused(&e, "CreateResourceServer", create("api", "n", json!([]))),
        "InvalidParameterException",
        "twice"
    );
    for i in 1..25 {
        ok(
            &e,
            "CreateResourceServer",
            create(&format!("api{i}"), "n", json!([])),
        );
    }
    assert_eq!(
        refused(
            &e,
            "CreateResourceServer",
            create("one-more", "n", json!([]))
        ),
        "LimitExceededException"
    );
    assert_eq!(
        refused(&e, "UpdateResourceServer", create("absent", "n", json!([]))),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "DeleteResourceServer",
            json!({"UserPoolId": pool, "Identifier": "absent"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "ListResourceServers",
            json!({"UserPoolId": pool, "MaxResults": 51})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            &e,
            "ListResourceServers",
            json!({"UserPoolId": pool, "NextToken": "forged"})
        ),
        "InvalidParameterException"
    );
    // A refused update changes nothing.
    assert_eq!(
        refused(
            &e,
            "UpdateResourceServer",
            create("api", "bad/name", json!([]))
        ),
        "InvalidParameterException"
    );
    let described = ok(
        &e,
        "DescribeResourceServer",
        json!({"UserPoolId": pool, "Identifier": "api"}),
    );
    assert_eq!(described["ResourceServer"]["Scopes"], scopes());
}

/// An app client's `AllowedOAuthScopes` are the standard scopes and
/// `<resource server identifier>/<scope name>` of the pool's resource servers: any other is
/// refused with ScopeDoesNotExistException, `Invalid scope requested: <scope>` (as Cognito words
/// it), by CreateUserPoolClient and UpdateUserPoolClient alike, and a refused update changes
/// nothing.
#[test]
fn app_clients_refuse_scopes_no_resource_server_has() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    ok(
        &e,
        "CreateResourceServer",
        json!({"UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "API", "Scopes": scopes()}),
    );
    let client = |scopes: Value| {
        json!({"UserPoolId": pool, "ClientName": "web", "AllowedOAuthFlows": ["code"],
               "AllowedOAuthFlowsUserPoolClient": true, "CallbackURLs": ["https://app.example.com/cb"],
               "AllowedOAuthScopes": scopes})
    };
    let scope_refusal = |operation: &str, body: Value| {
        let (status, answer) = common::call(e.endpoint(), operation, &body);
        assert_eq!(status, 400, "{operation} {body}: {answer}");
        assert_eq!(answer["__type"], "ScopeDoesNotExistException", "{answer}");
        answer["message"].as_str().unwrap().to_owned()
    };
    let created = ok(
        &e,
        "CreateUserPoolClient",
        client(json!([
            "openid",
            "email",
            "phone",
            "profile",
            "aws.cognito.signin.user.admin",
            "https://api.example.com/read"
        ])),
    );
    let id = created["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    for (scope, body) in [
        ("orders/read", client(json!(["openid", "orders/read"]))),
        (
            "https://api.example.com/delete",
            client(json!(["https://api.example.com/delete"])),
        ),
        ("read", client(json!(["read"]))),
        ("Cognito", client(json!(["Cognito"]))),
    ] {
        assert_eq!(
            scope_refusal("CreateUserPoolClient", body),
            format!("Invalid scope requested: {scope}")
        );
    }
    let mut update = client(json!([
        "openid",
        "https://api.example.com/write",
        "billing/read"
    ]));
    update["ClientId"] = json!(id);
    assert_eq!(
        scope_refusal("UpdateUserPoolClient", update),
        "Invalid scope requested: billing/read"
    );
    let described = ok(
        &e,
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": id}),
    );
    assert_eq!(
        described["UserPoolClient"]["AllowedOAuthScopes"],
        json!([
            "openid",
            "email",
            "phone",
            "profile",
            "aws.cognito.signin.user.admin",
            "https://api.example.com/read"
        ])
    );
    // Another pool's resource server is not this pool's.
    let other = e.create_user_pool(PoolConfig::default());
    let mut elsewhere = client(json!(["https://api.example.com/read"]));
    elsewhere["UserPoolId"] = json!(other);
    assert_eq!(
        scope_refusal("CreateUserPoolClient", elsewhere),
        "Invalid scope requested: https://api.example.com/read"
    );
}

#[test]
fn what_a_pool_configures_survives_a_restart() {
    let dir = emulator::TempDir::new("emulator-pool-resources");
    let config = dir.config();
    let pool;
    {
        let e = emulator::start(config.clone());
        pool = e.create_user_pool(PoolConfig::default());
        ok(
            &e,
            "TagResource",
            json!({"ResourceArn": arn(&pool), "Tags": {"team": "auth"}}),
        );
        ok(
            &e,
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "kept"}),
        );
        ok(
            &e,
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "api", "Name": "API", "Scopes": scopes()}),
        );
        ok(&e, "CreateIdentityProvider", oidc(&pool, "Okta"));
        ok(
            &e,
            "SetUICustomization",
            json!({"UserPoolId": pool, "CSS": ".a {}"}),
        );
    }
    let e = emulator::start(config);
    assert_eq!(
        ok(
            &e,
            "ListTagsForResource",
            json!({"ResourceArn": arn(&pool)})
        )["Tags"],
        json!({"team": "auth"})
    );
    assert_eq!(
        ok(&e, "DescribeUserPoolDomain", json!({"Domain": "kept"}))["DomainDescription"]["UserPoolId"],
        json!(pool)
    );
    assert_eq!(
        ok(
            &e,
            "DescribeResourceServer",
            json!({"UserPoolId": pool, "Identifier": "api"})
        )["ResourceServer"]["Scopes"],
        scopes()
    );
    let found = ok(
        &e,
        "GetIdentityProviderByIdentifier",
        json!({"UserPoolId": pool, "IdpIdentifier": "example.com"}),
    );
    assert_eq!(found["IdentityProvider"]["ProviderName"], "Okta");
    let ui = ok(&e, "GetUICustomization", json!({"UserPoolId": pool}));
    assert_eq!(ui["UICustomization"]["CSS"], ".a {}");
    drop(e);
}

fn oidc(pool: &str, name: &str) -> Value {
    json!({"UserPoolId": pool, "ProviderName": name, "ProviderType": "OIDC",
           "ProviderDetails": {"client_id": "abc", "client_secret": "s3cret", "authorize_scopes": "openid email",
                               "oidc_issuer": "https://idp.example.com", "attributes_request_method": "GET"},
           "AttributeMapping": {"email": "email", "username": "sub"},
           "IdpIdentifiers": ["example.com"]})
}

#[test]
fn identity_providers_are_created_described_found_listed_updated_and_deleted() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    let created = ok(&e, "CreateIdentityProvider", oidc(&pool, "Okta"));
    let provider = &created["IdentityProvider"];
    assert_eq!(provider["ProviderType"], "OIDC");
    assert_eq!(
        provider["AttributeMapping"],
        json!({"email": "email", "username": "sub"})
    );
    let described = ok(
        &e,
        "DescribeIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Okta"}),
    );
    assert_eq!(described, created);
    let found = ok(
        &e,
        "GetIdentityProviderByIdentifier",
        json!({"UserPoolId": pool, "IdpIdentifier": "example.com"}),
    );
    assert_eq!(found["IdentityProvider"]["ProviderName"], "Okta");
    ok(
        &e,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Google", "ProviderType": "Google",
        "ProviderDetails": {"client_id": "g", "client_secret": "gs", "authorize_scopes": "profile email openid"}}),
    );
    ok(
        &e,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Corp", "ProviderType": "SAML",
        "ProviderDetails": {"MetadataURL": "https://corp.example.com/metadata.xml"}}),
    );
    let listed = ok(
        &e,
        "ListIdentityProviders",
        json!({"UserPoolId": pool, "MaxResults": 2}),
    );
    let names: Vec<&str> = listed["Providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ProviderName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Corp", "Google"]);
    let rest = ok(
        &e,
        "ListIdentityProviders",
        json!({"UserPoolId": pool, "MaxResults": 2, "NextToken": listed["NextToken"]}),
    );
    assert_eq!(rest["Providers"][0]["ProviderName"], "Okta");
    let updated = ok(
        &e,
        "UpdateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Okta",
        "AttributeMapping": {"email": "mail"}, "IdpIdentifiers": ["example.org"]}),
    );
    assert_eq!(
        updated["IdentityProvider"]["AttributeMapping"],
        json!({"email": "mail"})
    );
    assert_eq!(
        updated["IdentityProvider"]["ProviderDetails"]["client_id"], "abc",
        "details not given stay"
    );
    ok(
        &e,
        "DeleteIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Okta"}),
    );
    assert_eq!(
        refused(
            &e,
            "DescribeIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Okta"})
        ),
        "ResourceNotFoundException"
    );
}

#[test]
fn identity_providers_refuse_what_cognito_refuses() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    assert_eq!(
        refused(
            &e,
            "CreateIdentityProvider",
            oidc("us-east-1_nowhere", "Okta")
        ),
        "ResourceNotFoundException"
    );
    let mut no_issuer = oidc(&pool, "Okta");
    no_issuer["ProviderDetails"]
        .as_object_mut()
        .unwrap()
        .remove("oidc_issuer");
    let mut bad_method = oidc(&pool, "Okta");
    bad_method["ProviderDetails"]["attributes_request_method"] = json!("PUT");
    for body in [
        no_issuer,
        bad_method,
        oidc(&pool, "has space"),
        oidc(&pool, "under_score"),
        oidc(&pool, "ab"),
        oidc(&pool, "Google"),
        json!({"UserPoolId": pool, "ProviderName": "Corp", "ProviderType": "SAML", "ProviderDetails": {}}),
        json!({"UserPoolId": pool, "ProviderName": "Gmail", "ProviderType": "Google",
               "ProviderDetails": {"client_id": "g", "client_secret": "gs", "authorize_scopes": "openid"}}),
        json!({"UserPoolId": pool, "ProviderName": "Okta", "ProviderType": "Twitter", "ProviderDetails": {}}),
    ] {
        assert_eq!(
            refused(&e, "CreateIdentityProvider", body.clone()),
            "InvalidParameterException",
            "{body}"
        );
    }
    ok(&e, "CreateIdentityProvider", oidc(&pool, "Okta"));
    assert_eq!(
        refused(&e, "CreateIdentityProvider", oidc(&pool, "Okta")),
        "DuplicateProviderException"
    );
    assert_eq!(
        refused(&e, "CreateIdentityProvider", oidc(&pool, "Auth0")),
        "DuplicateProviderException",
        "the same identifier"
    );
    assert_eq!(
        refused(
            &e,
            "UpdateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Absent"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "UpdateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Okta", "ProviderDetails": {"client_id": "x"}})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            &e,
            "DeleteIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": "Absent"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "GetIdentityProviderByIdentifier",
            json!({"UserPoolId": pool, "IdpIdentifier": "nobody.example"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "ListIdentityProviders",
            json!({"UserPoolId": pool, "MaxResults": 61})
        ),
        "InvalidParameterException"
    );
    let described = ok(
        &e,
        "DescribeIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Okta"}),
    );
    assert_eq!(
        described["IdentityProvider"]["ProviderDetails"]["oidc_issuer"], "https://idp.example.com",
        "a refused update changes nothing"
    );
}

/// A tiny PNG's first bytes, base64.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABpfZFQAAAAABJRU5ErkJggg==";

#[test]
fn ui_customization_is_set_for_the_pool_and_a_client_and_read_back() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    let client = e
        .create_client(&pool, cognito_flows_emulator::ClientConfig::default())
        .unwrap()
        .id;
    let other = e
        .create_client(&pool, cognito_flows_emulator::ClientConfig::default())
        .unwrap()
        .id;
    ok(
        &e,
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": "styled"}),
    );
    let empty = ok(&e, "GetUICustomization", json!({"UserPoolId": pool}));
    assert!(empty["UICustomization"].get("CSS").is_none(), "{empty}");
    let set = ok(
        &e,
        "SetUICustomization",
        json!({"UserPoolId": pool, "CSS": ".banner-customizable {background-color: blue;}", "ImageFile": PNG}),
    );
    assert_eq!(set["UICustomization"]["ClientId"], "ALL");
    ok(
        &e,
        "SetUICustomization",
        json!({"UserPoolId": pool, "ClientId": client, "CSS": ".submitButton-customizable {color: red;}"}),
    );
    let own = ok(
        &e,
        "GetUICustomization",
        json!({"UserPoolId": pool, "ClientId": client}),
    );
    assert_eq!(
        own["UICustomization"]["CSS"],
        ".submitButton-customizable {color: red;}"
    );
    let inherited = ok(
        &e,
        "GetUICustomization",
        json!({"UserPoolId": pool, "ClientId": other}),
    );
    assert_eq!(
        inherited["UICustomization"]["CSS"], ".banner-customizable {background-color: blue;}",
        "the pool's"
    );
    assert_eq!(inherited["UICustomization"]["ClientId"], json!(other));
}

#[test]
fn ui_customization_refuses_what_cognito_refuses() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    assert_eq!(
        refused(
            &e,
            "SetUICustomization",
            json!({"UserPoolId": pool, "CSS": ".a {}"})
        ),
        "InvalidParameterException",
        "no domain"
    );
    ok(
        &e,
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": "styled"}),
    );
    assert_eq!(
        refused(
            &e,
            "SetUICustomization",
            json!({"UserPoolId": pool, "ClientId": "nosuchclient", "CSS": ".a {}"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "GetUICustomization",
            json!({"UserPoolId": pool, "ClientId": "nosuchclient"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "GetUICustomization",
            json!({"UserPoolId": "us-east-1_nowhere"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "SetUICustomization",
            json!({"UserPoolId": pool, "ImageFile": "R0lGODlhAQABAAAAACw="})
        ),
        "InvalidParameterException",
        "a GIF"
    );
    let big = {
        use base64::Engine as _;
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.resize(100 * 1024 + 1, 0);
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    assert_eq!(
        refused(
            &e,
            "SetUICustomization",
            json!({"UserPoolId": pool, "ImageFile": big})
        ),
        "InvalidParameterException",
        "too big"
    );
    let none = ok(&e, "GetUICustomization", json!({"UserPoolId": pool}));
    assert!(
        none["UICustomization"].get("CreationDate").is_none(),
        "nothing was stored: {none}"
    );
}
