//! GetClientToken (an access token for machine-to-machine calls, for a client's id and secret)
//! and GetDerivedToken (RFC 8693 token exchange: a token of the pool exchanged for one bound to
//! an audience or a resource server, with the intersection of scopes, and an `act` claim when an
//! actor takes part). The tokens are signed by the pool's key (checked against its JWKS).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_flows_emulator::Emulator;
use cognito_flows_testkit::emulator::Fixture;
use common::{get_json, ok, refused};
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";

/// The token's claims, once its signature checks out against the pool's JWKS.
fn verified(e: &Emulator, pool: &str, token: &Value) -> Value {
    let token = token.as_str().unwrap();
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(signed.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let jwks = get_json(e.endpoint(), &format!("{pool}/.well-known/jwks.json"));
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .unwrap();
    let part = |name: &str| URL_SAFE_NO_PAD.decode(key[name].as_str().unwrap()).unwrap();
    ring::signature::RsaPublicKeyComponents {
        n: part("n"),
        e: part("e"),
    }
    .verify(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        signed.as_bytes(),
        &URL_SAFE_NO_PAD.decode(signature).unwrap(),
    )
    .unwrap();
    serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(signed.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap()
}

/// A confidential client of `f`'s pool with these auth flows and OAuth scopes: its id and
/// secret.
fn client(f: &Fixture, flows: &[&str], scopes: &[&str]) -> (String, String) {
    let created = ok(
        &f.emulator,
        "CreateUserPoolClient",
        json!({"UserPoolId": f.pool_id, "ClientName": "m2m", "GenerateSecret": true,
               "ExplicitAuthFlows": flows, "AllowedOAuthFlows": ["client_credentials"],
               "AllowedOAuthScopes": scopes, "AllowedOAuthFlowsUserPoolClient": true}),
    );
    let c = &created["UserPoolClient"];
    (
        c["ClientId"].as_str().unwrap().to_owned(),
        c["ClientSecret"].as_str().unwrap().to_owned(),
    )
}

fn world() -> Fixture {
    let f = common::alice();
    ok(
        &f.emulator,
        "CreateResourceServer",
        json!({"UserPoolId": f.pool_id, "Identifier": "api", "Name": "API",
               "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"},
                          {"ScopeName": "write", "ScopeDescription": "Write"}]}),
    );
    f
}

#[test]
fn a_client_gets_an_access_token_for_its_scopes() {
    let f = world();
    let (id, secret) = client(&f, &["ALLOW_CLIENT_TOKEN_AUTH"], &["api/read", "api/write"]);
    let answer = ok(
        &f.emulator,
        "GetClientToken",
        json!({"ClientId": id, "Secret": secret}),
    );
    let result = &answer["ClientAuthenticationResult"];
    assert_eq!(result["TokenType"], "Bearer");
    assert_eq!(result["ExpiresIn"], 3600);
    let claims = verified(&f.emulator, &f.pool_id, &result["AccessToken"]);
    assert_eq!(claims["sub"], json!(id));
    assert_eq!(claims["client_id"], json!(id));
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["scope"], "api/read api/write");
    assert_eq!(
        claims["iss"],
        json!(format!(
            "https://cognito-idp.us-east-1.amazonaws.com/{}",
            f.pool_id
        ))
    );
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );
    // Some of its scopes, with a second secret of the client.
    let second = ok(
        &f.emulator,
        "AddUserPoolClientSecret",
        json!({"UserPoolId": f.pool_id, "ClientId": id}),
    )["ClientSecretDescriptor"]["ClientSecretValue"]
        .clone();
    let answer = ok(
        &f.emulator,
        "GetClientToken",
        json!({"ClientId": id, "Secret": second, "Scopes": ["api/read"]}),
    );
    let claims = verified(
        &f.emulator,
        &f.pool_id,
        &answer["ClientAuthenticationResult"]["AccessToken"],
    );
    assert_eq!(claims["scope"], "api/read");
}

#[test]
fn client_tokens_are_refused_as_cognito_refuses_them() {
    let f = world();
    let (id, secret) = client(&f, &["ALLOW_CLIENT_TOKEN_AUTH"], &["api/read"]);
    let refuse = |body: Value| refused(&f.emulator, "GetClientToken", body);
    assert_eq!(
        refuse(json!({"ClientId": id, "Secret": "wrong_secret_of_24_chars_x"})),
        "NotAuthorizedException"
    );
    for scope in ["api/write", "api/delete", "other/read"] {
        assert_eq!(
            refuse(json!({"ClientId": id, "Secret": secret, "Scopes": [scope]})),
            "InvalidParameterException",
            "{scope}"
        );
    }
    assert_eq!(
        refuse(json!({"ClientId": "nosuchclient", "Secret": secret})),
        "ResourceNotFoundException"
    );
    // A client without the flow, or without a secret.
    let (user_client, user_secret) = client(&f, &["ALLOW_USER_SRP_AUTH"], &["api/read"]);
    assert_eq!(
        refuse(json!({"ClientId": user_client, "Secret": user_secret})),
        "InvalidParameterException"
    );
    assert_eq!(
        refuse(json!({"ClientId": f.client_id, "Secret": secret})),
        "InvalidParameterException"
    );
}

/// `alice`'s tokens through the client `id` (USER_PASSWORD_AUTH, with its secret's hash).
fn alice_tokens(f: &Fixture, id: &str, secret: &str) -> Value {
    ok(
        &f.emulator,
        "InitiateAuth",
        json!({"ClientId": id, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD,
                                  "SECRET_HASH": cognito_flows_testkit::secret_hash(secret, "alice", id)}}),
    )["AuthenticationResult"]
        .clone()
}

const EXCHANGE: &[&str] = &[
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_TOKEN_EXCHANGE_IMPERSONATION",
];

#[test]
fn a_users_token_is_exchanged_for_one_bound_to_an_audience() {
    let f = world();
    let (id, secret) = client(&f, EXCHANGE, &["api/read"]);
    let tokens = alice_tokens(&f, &id, &secret);
    let subject = verified(&f.emulator, &f.pool_id, &tokens["AccessToken"]);
    let answer = ok(
        &f.emulator,
        "GetDerivedToken",
        json!({"ClientId": id, "ClientSecret": secret, "SubjectToken": tokens["AccessToken"],
               "SubjectTokenType": "ACCESS_TOKEN", "Audiences": ["orders"]}),
    );
    assert_eq!(answer["IssuedTokenType"], "ACCESS_TOKEN");
    assert_eq!(answer["TokenType"], "Bearer");
    assert_eq!(answer["Scopes"], json!(["aws.cognito.signin.user.admin"]));
    let claims = verified(&f.emulator, &f.pool_id, &answer["IssuedToken"]);
    assert_eq!(claims["sub"], subject["sub"]);
    assert_eq!(claims["username"], "alice");
    assert_eq!(claims["aud"], "orders");
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["client_id"], json!(id));
    assert!(claims.get("act").is_none());
    assert_ne!(claims["jti"], subject["jti"]);

    // An id token for a resource server, from the id token.
    let answer = ok(
        &f.emulator,
        "GetDerivedToken",
        json!({"ClientId": id, "ClientSecret": secret, "SubjectToken": tokens["IdToken"],
               "SubjectTokenType": "ID_TOKEN", "RequestedTokenType": "ID_TOKEN",
               "Resources": ["api"]}),
    );
    assert_eq!(answer["IssuedTokenType"], "ID_TOKEN");
    assert_eq!(answer["TokenType"], "N_A");
    let claims = verified(&f.emulator, &f.pool_id, &answer["IssuedToken"]);
    assert_eq!(claims["token_use"], "id");
    assert_eq!(claims["aud"], "api");
    assert_eq!(claims["cognito:username"], "alice");
    assert_eq!(claims["email"], "alice@example.com");
}

#[test]
fn an_actor_is_named_in_act_when_the_client_may_delegate() {
    let f = world();
    let (id, secret) = client(
        &f,
        &[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_TOKEN_EXCHANGE_DELEGATION",
        ],
        &["api/read"],
    );
    let (m2m, m2m_secret) = client(&f, &["ALLOW_CLIENT_TOKEN_AUTH"], &["api/read"]);
    let actor = ok(
        &f.emulator,
        "GetClientToken",
        json!({"ClientId": m2m, "Secret": m2m_secret}),
    )["ClientAuthenticationResult"]["AccessToken"]
        .clone();
    let tokens = alice_tokens(&f, &id, &secret);
    let answer = ok(
        &f.emulator,
        "GetDerivedToken",
        json!({"ClientId": id, "ClientSecret": secret, "SubjectToken": tokens["AccessToken"],
               "SubjectTokenType": "ACCESS_TOKEN", "ActorToken": actor,
               "ActorTokenType": "ACCESS_TOKEN"}),
    );
    let claims = verified(&f.emulator, &f.pool_id, &answer["IssuedToken"]);
    assert_eq!(claims["act"], json!({"sub": m2m}));
    // Without an actor, this client (delegation only) may not impersonate.
    assert_eq!(
        refused(
            &f.emulator,
            "GetDerivedToken",
            json!({"ClientId": id, "ClientSecret": secret, "SubjectToken": tokens["AccessToken"],
                   "SubjectTokenType": "ACCESS_TOKEN"})
        ),
        "InvalidParameterException"
    );
}

#[test]
fn exchanges_are_refused_as_cognito_refuses_them() {
    let f = world();
    let (id, secret) = client(&f, EXCHANGE, &["api/read"]);
    let tokens = alice_tokens(&f, &id, &secret);
    let body = |extra: Value| {
        let mut b = json!({"ClientId": id, "ClientSecret": secret,
                           "SubjectToken": tokens["AccessToken"], "SubjectTokenType": "ACCESS_TOKEN"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let refuse = |b: Value| refused(&f.emulator, "GetDerivedToken", b);
    assert_eq!(
        refuse(body(json!({"ClientSecret": "wrong_secret_of_24_chars_x"}))),
        "NotAuthorizedException"
    );
    assert_eq!(
        refuse(body(json!({"Audiences": ["a"], "Resources": ["api"]}))),
        "InvalidParameterException"
    );
    assert_eq!(
        refuse(body(json!({"Resources": ["nowhere"]}))),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refuse(body(json!({"SubjectTokenType": "ID_TOKEN"}))),
        "NotAuthorizedException"
    );
    assert_eq!(
        refuse(body(json!({"SubjectToken": "e30.e30.AAAA"}))),
        "NotAuthorizedException"
    );
    assert_eq!(
        refuse(body(json!({"SubjectTokenType": "SAML2"}))),
        "InvalidParameterException"
    );
    assert_eq!(
        refuse(body(json!({"ActorToken": tokens["AccessToken"]}))),
        "InvalidParameterException"
    );
    // A client without token exchange.
    assert_eq!(
        refuse(body(json!({"ClientId": f.client_id, "ClientSecret": null}))),
        "InvalidParameterException"
    );
    // A signed-out user's token.
    ok(
        &f.emulator,
        "GlobalSignOut",
        json!({"AccessToken": tokens["AccessToken"]}),
    );
    assert_eq!(refuse(body(json!({}))), "NotAuthorizedException");
}
