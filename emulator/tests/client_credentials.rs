//! Machine-to-machine: `grant_type=client_credentials` at `/oauth2/token` for a confidential
//! client whose OAuth flows are `client_credentials` alone, with the scopes of the pool's
//! resource servers; the refusals of the token endpoint and of Create/UpdateUserPoolClient; the
//! PreTokenGeneration V3 event for M2M.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cognito_flows_emulator::PoolConfig;
use cognito_flows_emulator::Webhooks;
use cognito_flows_testkit::emulator::{Fixture, Options};
use common::hooks::Hooks;
use common::{agent, send};
use serde_json::{Value, json};

/// The pool's resource server `orders` (scopes `read`, `write`, `audit`) and a confidential M2M
/// client allowed `orders/read` and `orders/write`: its id and secret.
fn m2m_client(w: &Fixture) -> (String, String) {
    let (status, answer) = w.call(
        "CreateResourceServer",
        &json!({"UserPoolId": w.pool_id, "Identifier": "orders", "Name": "Orders",
                "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read orders"},
                           {"ScopeName": "write", "ScopeDescription": "Write orders"},
                           {"ScopeName": "audit", "ScopeDescription": "Audit orders"}]}),
    );
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = w.call(
        "CreateUserPoolClient",
        &json!({"UserPoolId": w.pool_id, "ClientName": "service", "GenerateSecret": true,
                "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": true,
                "AllowedOAuthScopes": ["orders/read", "orders/write"]}),
    );
    assert_eq!(status, 200, "{answer}");
    let client = &answer["UserPoolClient"];
    (
        client["ClientId"].as_str().unwrap().to_owned(),
        client["ClientSecret"].as_str().unwrap().to_owned(),
    )
}

/// POSTs `form` to `/oauth2/token`, with `basic` as HTTP Basic credentials: the status and the
/// JSON answer.
fn token(w: &Fixture, basic: Option<(&str, &str)>, form: &str) -> (u16, Value) {
    let mut request = http::Request::post(format!("{}oauth2/token", w.endpoint()))
        .header("Content-Type", "application/x-www-form-urlencoded");
    if let Some((id, secret)) = basic {
        let credentials = STANDARD.encode(format!("{id}:{secret}"));
        request = request.header("Authorization", format!("Basic {credentials}"));
    }
    let response = send(&agent(), request.body(form.as_bytes().to_vec()).unwrap());
    let body = serde_json::from_slice(response.body()).unwrap();
    (response.status().as_u16(), body)
}

fn claims(token: &Value) -> Value {
    let payload = token.as_str().unwrap().split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// With HTTP Basic and no `scope`: every scope of the client, in an access token that names
/// the client and no user, and no refresh or id token.
#[test]
fn basic_authentication_gets_every_allowed_scope() {
    let w = Fixture::new();
    let (id, secret) = m2m_client(&w);
    let (status, answer) = token(&w, Some((&id, &secret)), "grant_type=client_credentials");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["expires_in"], 3600);
    assert!(answer.get("refresh_token").is_none(), "{answer}");
    assert!(answer.get("id_token").is_none(), "{answer}");
    let access = claims(&answer["access_token"]);
    assert_eq!(access["scope"], "orders/read orders/write");
    assert_eq!(access["client_id"], id.as_str());
    assert_eq!(access["sub"], id.as_str());
    assert_eq!(access["token_use"], "access");
    assert!(access.get("username").is_none(), "{access}");
    assert_eq!(
        access["iss"],
        format!("https://cognito-idp.us-east-1.amazonaws.com/{}", w.pool_id)
    );
    assert_eq!(
        access["exp"].as_u64().unwrap() - access["iat"].as_u64().unwrap(),
        3600
    );
}

/// With the credentials in the body and a `scope` among the client's: that scope alone.
#[test]
fn body_authentication_gets_the_requested_scope() {
    let w = Fixture::new();
    let (id, secret) = m2m_client(&w);
    let form = format!(
        "grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=orders%2Fwrite"
    );
    let (status, answer) = token(&w, None, &form);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(claims(&answer["access_token"])["scope"], "orders/write");
}

/// The refusals: a wrong secret, an unknown client, no credentials (invalid_client); a scope
/// the client is not allowed, even one its resource server has (invalid_scope); a client
/// without the flow (unauthorized_client); a grant type Cognito does not know.
#[test]
fn refusals_are_the_token_endpoints() {
    let w = Fixture::new();
    let (id, secret) = m2m_client(&w);
    let grant = "grant_type=client_credentials";
    let error = |(status, answer): (u16, Value)| {
        assert_eq!(status, 400, "{answer}");
        answer["error"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        error(token(&w, Some((&id, "not-the-secret")), grant)),
        "invalid_client"
    );
    assert_eq!(
        error(token(&w, Some(("nosuchclient", &secret)), grant)),
        "invalid_client"
    );
    assert_eq!(
        error(token(
            &w,
            None,
            &format!("{grant}&client_id={id}&client_secret=wrong")
        )),
        "invalid_client"
    );
    assert_eq!(error(token(&w, None, grant)), "invalid_client");
    assert_eq!(
        error(token(
            &w,
            Some((&id, &secret)),
            &format!("{grant}&scope=orders%2Faudit")
        )),
        "invalid_scope"
    );
    assert_eq!(
        error(token(
            &w,
            Some((&id, &secret)),
            &format!("{grant}&scope=orders%2Fread+openid")
        )),
        "invalid_scope"
    );
    assert_eq!(
        error(token(
            &w,
            Some((&id, &secret)),
            &format!("grant_type=password&client_id={id}")
        )),
        "unsupported_grant_type"
    );

    // A confidential client without the flow.
    let (status, answer) = w.call(
        "CreateUserPoolClient",
        &json!({"UserPoolId": w.pool_id, "ClientName": "web", "GenerateSecret": true}),
    );
    assert_eq!(status, 200, "{answer}");
    let web = &answer["UserPoolClient"];
    let (web_id, web_secret) = (
        web["ClientId"].as_str().unwrap(),
        web["ClientSecret"].as_str().unwrap(),
    );
    assert_eq!(
        error(token(&w, Some((web_id, web_secret)), grant)),
        "unauthorized_client"
    );
}

/// Cognito refuses the flow on a client without a secret, and beside the code or implicit
/// flow, in CreateUserPoolClient and UpdateUserPoolClient alike, with InvalidOAuthFlowException.
#[test]
fn clients_that_cannot_have_the_flow_are_refused() {
    let w = Fixture::new();
    let (id, _) = m2m_client(&w);
    let refused = |operation: &str, body: Value| {
        let (status, answer) = w.call(operation, &body);
        assert_eq!(status, 400, "{operation} {body}: {answer}");
        assert_eq!(answer["__type"], "InvalidOAuthFlowException", "{answer}");
        answer["message"].as_str().unwrap().to_owned()
    };
    let public = json!({"UserPoolId": w.pool_id, "ClientName": "public",
                        "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": true,
                        "AllowedOAuthScopes": ["orders/read"]});
    assert_eq!(
        refused("CreateUserPoolClient", public),
        "client_credentials flow can not be selected if client does not have a client secret."
    );
    let mixed = json!({"UserPoolId": w.pool_id, "ClientName": "mixed", "GenerateSecret": true,
                       "AllowedOAuthFlows": ["client_credentials", "code"], "AllowedOAuthFlowsUserPoolClient": true,
                       "CallbackURLs": ["https://example.com/cb"], "AllowedOAuthScopes": ["orders/read"]});
    assert_eq!(
        refused("CreateUserPoolClient", mixed),
        "client_credentials flow can not be selected along with code flow or implicit flow."
    );
    let update = json!({"UserPoolId": w.pool_id, "ClientId": id,
                        "AllowedOAuthFlows": ["client_credentials", "implicit"], "AllowedOAuthFlowsUserPoolClient": true,
                        "CallbackURLs": ["https://example.com/cb"], "AllowedOAuthScopes": ["orders/read"]});
    refused("UpdateUserPoolClient", update);
    // The app client of the fixture has no secret.
    let public_update = json!({"UserPoolId": w.pool_id, "ClientId": w.client_id,
                               "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": true,
                               "AllowedOAuthScopes": ["orders/read"]});
    refused("UpdateUserPoolClient", public_update);
    // An OpenID scope has no place in a token without a user.
    let openid = json!({"UserPoolId": w.pool_id, "ClientName": "openid", "GenerateSecret": true,
                        "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": true,
                        "AllowedOAuthScopes": ["orders/read", "openid"]});
    assert_eq!(
        refused("CreateUserPoolClient", openid),
        "openid is not supported with client_credentials flow"
    );
}

/// A PreTokenGeneration webhook gets the V3 event of M2M (TokenGeneration_ClientCredentials,
/// the scopes, the `aws_client_metadata`) and changes the access token's claims and scopes,
/// but not its protected claims.
#[test]
fn pre_token_generation_v3_changes_claims_and_scopes() {
    let hooks = Hooks::start();
    let w = Fixture::start(Options::default().pool(PoolConfig {
        webhooks: Webhooks {
            pre_token_generation: hooks.url("/pre-token-m2m"),
            ..Webhooks::default()
        },
        ..PoolConfig::default()
    }));
    let (id, secret) = m2m_client(&w);
    let form = "grant_type=client_credentials&aws_client_metadata=%7B%22job%22%3A%22nightly%22%7D";
    let (status, answer) = token(&w, Some((&id, &secret)), form);
    assert_eq!(status, 200, "{answer}");
    let access = claims(&answer["access_token"]);
    assert_eq!(access["tenant"], "acme");
    assert_eq!(access["client_id"], id.as_str());
    assert_eq!(access["scope"], "orders/read orders/audit");
    let event = &hooks.events("/pre-token-m2m")[0];
    assert_eq!(event["version"], "3");
    assert_eq!(event["triggerSource"], "TokenGeneration_ClientCredentials");
    assert_eq!(event["userPoolId"], w.pool_id.as_str());
    assert_eq!(event["callerContext"]["clientId"], id.as_str());
    assert_eq!(
        event["request"]["scopes"],
        json!(["orders/read", "orders/write"])
    );
    assert_eq!(
        event["request"]["clientMetadata"],
        json!({"job": "nightly"})
    );
}

/// A machine token names no user: the user API refuses it (NotAuthorizedException), and so does
/// `/oauth2/userInfo` (401).
#[test]
fn a_machine_token_is_no_users_token() {
    let w = Fixture::new();
    let (id, secret) = m2m_client(&w);
    let (status, answer) = token(&w, Some((&id, &secret)), "grant_type=client_credentials");
    assert_eq!(status, 200, "{answer}");
    let access = answer["access_token"].as_str().unwrap();
    let (status, refused) = w.call("GetUser", &json!({"AccessToken": access}));
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["__type"], "NotAuthorizedException", "{refused}");
    let response = send(
        &agent(),
        http::Request::get(format!("{}oauth2/userInfo", w.endpoint()))
            .header("Authorization", format!("Bearer {access}"))
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(response.status().as_u16(), 401);
}
