//! The admin API over HTTP, as boto3 or any HTTP client drives it: a world set up from nothing
//! (pools, clients, users, groups) signs in as Cognito would let it; ListUsers' filters; disabled
//! users; admin sign-in (password, SRP, custom); the routing table against the list of operations
//! the emulator claims.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use base64::Engine as _;
use cognito_flows::srp::{ChallengeParameters, SrpClient, timestamp};
use cognito_flows_emulator::{
    ChallengeResult, CustomAuth, CustomAuthTriggers, CustomChallenge, Define, Emulator,
    EmulatorConfig, OPERATIONS, PoolConfig,
};
use cognito_flows_testkit::emulator;
use serde_json::{Value, json};

/// The emulator and a way to call it.
struct Api {
    e: Emulator,
    agent: ureq::Agent,
}

type Refusal = (String, String);

impl Api {
    fn start() -> Self {
        Self::with(EmulatorConfig::default())
    }

    fn with(config: EmulatorConfig) -> Self {
        Self {
            e: emulator::start(config),
            agent: cognito_flows_testkit::agent(),
        }
    }

    /// One operation, unsigned; `Err((type, message))` for a Cognito error.
    fn call(&self, operation: &str, body: Value) -> Result<Value, Refusal> {
        self.send(operation, body, &[])
    }

    fn send(
        &self,
        operation: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> Result<Value, Refusal> {
        let mut request = self
            .agent
            .post(self.e.endpoint())
            .header("Content-Type", "application/x-amz-json-1.1")
            .header(
                "X-Amz-Target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            );
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let mut response = request.send(body.to_string()).unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        match status {
            200 => Ok(value),
            400 => Err((
                value["__type"].as_str().unwrap().to_owned(),
                value["message"].as_str().unwrap_or_default().to_owned(),
            )),
            other => panic!("{operation}: status {other}: {text}"),
        }
    }

    fn ok(&self, operation: &str, body: Value) -> Value {
        self.call(operation, body)
            .unwrap_or_else(|e| panic!("{operation}: {e:?}"))
    }

    fn refused(&self, operation: &str, body: Value) -> Refusal {
        match self.call(operation, body) {
            Ok(v) => panic!("{operation} succeeded: {v}"),
            Err(e) => e,
        }
    }

    /// A pool and a public client allowing `flows`: (pool id, client id).
    fn pool_and_client(&self, flows: &[&str]) -> (String, String) {
        let pool = self.ok("CreateUserPool", json!({"PoolName": "test"}))["UserPool"]["Id"]
            .as_str()
            .unwrap()
            .to_owned();
        let client = self.ok(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "app", "ExplicitAuthFlows": flows}),
        )["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned();
        (pool, client)
    }

    fn user(&self, pool: &str, name: &str, password: &str, attributes: Value) {
        self.ok(
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": name, "TemporaryPassword": password,
                   "MessageAction": "SUPPRESS", "UserAttributes": attributes}),
        );
        self.ok(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": name, "Password": password, "Permanent": true}),
        );
    }

    fn password_sign_in(
        &self,
        pool: &str,
        client: &str,
        name: &str,
        password: &str,
    ) -> Result<Value, Refusal> {
        self.call(
            "AdminInitiateAuth",
            json!({"UserPoolId": pool, "ClientId": client, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": name, "PASSWORD": password}}),
        )
    }
}

fn claims(token: &Value) -> Value {
    let payload = token.as_str().unwrap().split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

const ADMIN_FLOWS: &[&str] = &[
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
];

#[test]
fn a_world_made_over_http_signs_in_as_cognito_would() {
    let api = Api::start();
    let pool = api.ok(
        "CreateUserPool",
        json!({"PoolName": "made-over-http",
               "Policies": {"PasswordPolicy": {"MinimumLength": 10, "RequireNumbers": true}},
               "Schema": [{"Name": "tenant", "AttributeDataType": "String"},
                          {"Name": "level", "AttributeDataType": "Number"}],
               "DeviceConfiguration": {"DeviceOnlyRememberedOnUserPrompt": true},
               "UserPoolTags": {"team": "auth"}}),
    )["UserPool"]
        .clone();
    let pool_id = pool["Id"].as_str().unwrap();
    assert!(pool_id.starts_with("us-east-1_"), "{pool}");
    assert_eq!(pool["Policies"]["PasswordPolicy"]["MinimumLength"], 10);
    assert_eq!(pool["MfaConfiguration"], "OFF");
    assert_eq!(pool["UserPoolTags"]["team"], "auth");
    let schema: Vec<&Value> = pool["SchemaAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert!(
        schema
            .iter()
            .any(|a| a["Name"] == "custom:level" && a["AttributeDataType"] == "Number")
    );
    assert!(schema.iter().any(|a| a["Name"] == "email"));

    let client = api.ok(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "server", "GenerateSecret": true,
               "ExplicitAuthFlows": ADMIN_FLOWS, "AccessTokenValidity": 30,
               "TokenValidityUnits": {"AccessToken": "minutes"},
               "CallbackURLs": ["https://app.example.com/cb"], "LogoutURLs": ["https://app.example.com/"],
               "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
               "AllowedOAuthFlowsUserPoolClient": true, "PreventUserExistenceErrors": "ENABLED",
               "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}}),
    )["UserPoolClient"]
        .clone();
    let (client_id, secret) = (
        client["ClientId"].as_str().unwrap(),
        client["ClientSecret"].as_str().unwrap(),
    );
    let described = api.ok(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": client_id}),
    )["UserPoolClient"]
        .clone();
    assert_eq!(described["ClientSecret"], secret);
    assert_eq!(described["AccessTokenValidity"], 30);
    assert_eq!(described["TokenValidityUnits"]["AccessToken"], "minutes");
    assert_eq!(described["LogoutURLs"], json!(["https://app.example.com/"]));
    assert_eq!(described["PreventUserExistenceErrors"], "ENABLED");
    assert_eq!(
        described["RefreshTokenRotation"]["RetryGracePeriodSeconds"],
        10
    );
    assert_eq!(described["ExplicitAuthFlows"], json!(ADMIN_FLOWS));

    // AdminCreateUser: a temporary password, no invitation; the first sign-in must change it.
    let created = api.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "alice", "TemporaryPassword": "Temp-pass-1",
               "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "alice@example.com"},
                                  {"Name": "custom:tenant", "Value": "acme"}]}),
    );
    assert_eq!(created["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert!(api.e.outbox().is_empty(), "SUPPRESS sends nothing");
    let hash = |name: &str| {
        use hmac::{KeyInit, Mac};
        let mut mac =
            <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{name}{client_id}").as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    };
    let challenge = api.ok(
        "AdminInitiateAuth",
        json!({"UserPoolId": pool_id, "ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Temp-pass-1", "SECRET_HASH": hash("alice")}}),
    );
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let tokens = api.ok(
        "AdminRespondToAuthChallenge",
        json!({"UserPoolId": pool_id, "ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED",
               "Session": challenge["Session"],
               "ChallengeResponses": {"USERNAME": "alice", "NEW_PASSWORD": "Chosen-pass-2",
                                      "SECRET_HASH": hash("alice")}}),
    )["AuthenticationResult"]
        .clone();
    // The client's token validity: 30 minutes.
    let access = claims(&tokens["AccessToken"]);
    assert_eq!(tokens["ExpiresIn"], 1800);
    assert_eq!(
        access["exp"].as_u64().unwrap() - access["iat"].as_u64().unwrap(),
        1800
    );
    assert_eq!(claims(&tokens["IdToken"])["custom:tenant"], "acme");
    let user = api.ok(
        "AdminGetUser",
        json!({"UserPoolId": pool_id, "Username": "alice"}),
    );
    assert_eq!(user["UserStatus"], "CONFIRMED");
    assert_eq!(user["Enabled"], true);

    // SRP through the admin API: the temporary password is refused, the chosen one signs in.
    let srp_sign_in = |password: &str| {
        let srp = SrpClient::from_private_key(&[9; 32]);
        let challenge = api.ok(
            "AdminInitiateAuth",
            json!({"UserPoolId": pool_id, "ClientId": client_id, "AuthFlow": "USER_SRP_AUTH",
                   "AuthParameters": {"USERNAME": "alice", "SRP_A": srp.public_key_hex(), "SECRET_HASH": hash("alice")}}),
        );
        assert_eq!(challenge["ChallengeName"], "PASSWORD_VERIFIER");
        let p = &challenge["ChallengeParameters"];
        let now = timestamp(api.e.now()).unwrap();
        let params = ChallengeParameters {
            srp_b: p["SRP_B"].as_str().unwrap(),
            salt: p["SALT"].as_str().unwrap(),
            secret_block: p["SECRET_BLOCK"].as_str().unwrap(),
        };
        let realm = pool_id.split_once('_').unwrap().1;
        let signature = srp
            .password_claim(realm, "alice", password.as_bytes(), &params, &now)
            .unwrap();
        api.call(
            "AdminRespondToAuthChallenge",
            json!({"UserPoolId": pool_id, "ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
                   "Session": challenge["Session"],
                   "ChallengeResponses": {"USERNAME": "alice", "TIMESTAMP": now, "SECRET_HASH": hash("alice"),
                                          "PASSWORD_CLAIM_SECRET_BLOCK": params.secret_block,
                                          "PASSWORD_CLAIM_SIGNATURE": signature}}),
        )
    };
    assert_eq!(
        srp_sign_in("Temp-pass-1").unwrap_err().1,
        "Incorrect username or password."
    );
    let signed_in = srp_sign_in("Chosen-pass-2").unwrap();
    let refresh = signed_in["AuthenticationResult"]["RefreshToken"].clone();
    // The client's RefreshTokenRotation is the emulator's: a refresh answers a new refresh token.
    let refreshed = api.ok(
        "GetTokensFromRefreshToken",
        json!({"ClientId": client_id, "ClientSecret": secret, "RefreshToken": refresh}),
    );
    let rotated = &refreshed["AuthenticationResult"]["RefreshToken"];
    assert!(rotated.is_string() && *rotated != refresh, "{refreshed}");

    // The client's ExplicitAuthFlows are enforced; the admin flows are for the admin API only.
    let refused = api.refused(
        "InitiateAuth",
        json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Chosen-pass-2", "SECRET_HASH": hash("alice")}}),
    );
    assert_eq!(
        refused,
        (
            "InvalidParameterException".into(),
            "USER_PASSWORD_AUTH flow not enabled for this client".into()
        )
    );
    let refused = api.refused(
        "InitiateAuth",
        json!({"ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Chosen-pass-2", "SECRET_HASH": hash("alice")}}),
    );
    assert_eq!(refused.0, "InvalidParameterException");
    // The client must be one of the pool named.
    let other = api.ok("CreateUserPool", json!({"PoolName": "other"}))["UserPool"]["Id"].clone();
    let refused = api.refused(
        "AdminInitiateAuth",
        json!({"UserPoolId": other, "ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Chosen-pass-2"}}),
    );
    assert_eq!(refused.0, "ResourceNotFoundException");
}

#[test]
fn requests_are_taken_unsigned_or_signed_and_the_signature_is_ignored() {
    let api = Api::start();
    let signed = [
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000",
        ),
        ("X-Amz-Date", "20260101T000000Z"),
        ("X-Amz-Security-Token", "session-token"),
    ];
    let created = api
        .send("CreateUserPool", json!({"PoolName": "signed"}), &signed)
        .unwrap();
    let id = created["UserPool"]["Id"].clone();
    let listed = api.ok("ListUserPools", json!({"MaxResults": 10}));
    assert_eq!(listed["UserPools"][0]["Id"], id);
    let described = api
        .send("DescribeUserPool", json!({"UserPoolId": id}), &signed)
        .unwrap();
    assert_eq!(described["UserPool"]["Name"], "signed");
}

#[test]
fn groups_are_the_cognito_groups_claim_of_both_tokens() {
    let api = Api::start();
    let (pool, client) = api.pool_and_client(ADMIN_FLOWS);
    api.user(&pool, "alice", "Passw0rd!", json!([]));
    api.ok(
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "staff", "Precedence": 5}),
    );
    api.ok(
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "admins", "Precedence": 1,
               "RoleArn": "arn:aws:iam::000000000000:role/admin", "Description": "the admins"}),
    );
    assert_eq!(
        api.refused(
            "CreateGroup",
            json!({"UserPoolId": pool, "GroupName": "staff"})
        ),
        (
            "GroupExistsException".into(),
            "A group with the name staff already exists.".into()
        )
    );
    for group in ["staff", "admins"] {
        api.ok(
            "AdminAddUserToGroup",
            json!({"UserPoolId": pool, "Username": "alice", "GroupName": group}),
        );
    }
    let tokens = api
        .password_sign_in(&pool, &client, "alice", "Passw0rd!")
        .unwrap()["AuthenticationResult"]
        .clone();
    let (id, access) = (claims(&tokens["IdToken"]), claims(&tokens["AccessToken"]));
    assert_eq!(
        id["cognito:groups"],
        json!(["admins", "staff"]),
        "by precedence"
    );
    assert_eq!(access["cognito:groups"], json!(["admins", "staff"]));
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::000000000000:role/admin"
    );
    let listed = api.ok(
        "AdminListGroupsForUser",
        json!({"UserPoolId": pool, "Username": "alice"}),
    );
    let names: Vec<&str> = listed["Groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["GroupName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admins", "staff"]);
    let group = api.ok(
        "GetGroup",
        json!({"UserPoolId": pool, "GroupName": "admins"}),
    );
    assert_eq!(group["Group"]["Description"], "the admins");
    let members = api.ok(
        "ListUsersInGroup",
        json!({"UserPoolId": pool, "GroupName": "staff"}),
    );
    assert_eq!(members["Users"][0]["Username"], "alice");

    api.ok(
        "AdminRemoveUserFromGroup",
        json!({"UserPoolId": pool, "Username": "alice", "GroupName": "admins"}),
    );
    api.ok(
        "DeleteGroup",
        json!({"UserPoolId": pool, "GroupName": "staff"}),
    );
    let tokens = api
        .password_sign_in(&pool, &client, "alice", "Passw0rd!")
        .unwrap()["AuthenticationResult"]
        .clone();
    assert!(claims(&tokens["IdToken"]).get("cognito:groups").is_none());
    assert_eq!(
        api.refused(
            "GetGroup",
            json!({"UserPoolId": pool, "GroupName": "staff"})
        ),
        (
            "ResourceNotFoundException".into(),
            "Group not found.".into()
        )
    );
    assert_eq!(
        api.refused(
            "AdminAddUserToGroup",
            json!({"UserPoolId": pool, "Username": "nobody", "GroupName": "admins"})
        )
        .0,
        "UserNotFoundException"
    );
    assert_eq!(
        api.ok("ListGroups", json!({"UserPoolId": pool}))["Groups"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

fn usernames(answer: &Value) -> Vec<String> {
    answer["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Username"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn list_users_takes_cognitos_filters_and_pages() {
    let api = Api::start();
    let (pool, _) = api.pool_and_client(ADMIN_FLOWS);
    for (name, email) in [
        ("ann", "ann@example.com"),
        ("anna", "anna@example.org"),
        ("bob", "bob@example.com"),
        ("carl", "carl@example.com"),
        ("dora", "dora@example.com"),
    ] {
        api.user(
            &pool,
            name,
            "Passw0rd!",
            json!([{"Name": "email", "Value": email}]),
        );
    }
    let list = |filter: &str| {
        usernames(&api.ok("ListUsers", json!({"UserPoolId": pool, "Filter": filter})))
    };
    assert_eq!(list(r#"email = "bob@example.com""#), ["bob"]);
    assert_eq!(list(r#"email ^= "ann""#), ["ann", "anna"]);
    assert_eq!(list(r#"username = "ann""#), ["ann"]);
    assert_eq!(
        list(r#"email = "nobody@example.com""#),
        Vec::<String>::new()
    );
    assert_eq!(list("").len(), 5);
    api.ok(
        "AdminDisableUser",
        json!({"UserPoolId": pool, "Username": "carl"}),
    );
    assert_eq!(list(r#"status = "Disabled""#), ["carl"]);
    api.ok(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "dora", "Password": "Passw0rd!", "Permanent": false}),
    );
    assert_eq!(
        list(r#"cognito:user_status = "FORCE_CHANGE_PASSWORD""#),
        ["dora"]
    );

    // Pages of two, each user once.
    let mut seen = Vec::new();
    let mut token = Value::Null;
    for _ in 0..10 {
        let page = api.ok(
            "ListUsers",
            json!({"UserPoolId": pool, "Limit": 2, "PaginationToken": token, "AttributesToGet": ["email"]}),
        );
        assert!(page["Users"].as_array().unwrap().len() <= 2);
        assert_eq!(page["Users"][0]["Attributes"].as_array().unwrap().len(), 1);
        seen.extend(usernames(&page));
        token = page["PaginationToken"].clone();
        if token.is_null() {
            break;
        }
    }
    assert_eq!(seen, ["ann", "anna", "bob", "carl", "dora"]);

    let refusal =
        |filter: &str| api.refused("ListUsers", json!({"UserPoolId": pool, "Filter": filter}));
    assert_eq!(
        refusal("email = bob"),
        (
            "InvalidParameterException".into(),
            "Error while parsing filter.".into()
        )
    );
    assert_eq!(
        refusal(r#"custom:tenant = "acme""#),
        (
            "InvalidParameterException".into(),
            "Invalid search attribute: custom:tenant".into()
        )
    );
    assert_eq!(
        api.refused(
            "ListUsers",
            json!({"UserPoolId": pool, "PaginationToken": "forged"})
        )
        .0,
        "InvalidParameterException"
    );
    assert_eq!(
        api.refused("ListUsers", json!({"UserPoolId": pool, "Limit": 61}))
            .0,
        "InvalidParameterException"
    );
}

#[test]
fn a_disabled_user_cannot_sign_in_and_loses_every_token() {
    let api = Api::start();
    let (pool, client) = api.pool_and_client(ADMIN_FLOWS);
    api.user(&pool, "alice", "Passw0rd!", json!([]));
    let tokens = api
        .password_sign_in(&pool, &client, "alice", "Passw0rd!")
        .unwrap()["AuthenticationResult"]
        .clone();
    api.ok(
        "AdminDisableUser",
        json!({"UserPoolId": pool, "Username": "alice"}),
    );
    let disabled = (
        "NotAuthorizedException".to_owned(),
        "User is disabled.".to_owned(),
    );
    assert_eq!(
        api.password_sign_in(&pool, &client, "alice", "Passw0rd!")
            .unwrap_err(),
        disabled
    );
    assert_eq!(
        api.refused("GetUser", json!({"AccessToken": tokens["AccessToken"]}))
            .0,
        "NotAuthorizedException"
    );
    assert_eq!(
        api.refused(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
                   "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"]}})
        )
        .0,
        "NotAuthorizedException"
    );
    assert_eq!(
        api.ok(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "alice"})
        )["Enabled"],
        false
    );
    api.ok(
        "AdminEnableUser",
        json!({"UserPoolId": pool, "Username": "alice"}),
    );
    assert!(
        api.password_sign_in(&pool, &client, "alice", "Passw0rd!")
            .is_ok()
    );
}

#[test]
fn the_user_lifecycle_of_the_admin_api() {
    let api = Api::start();
    let (pool, client) =
        api.pool_and_client(&["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]);
    // A user who signed up: unconfirmed until AdminConfirmSignUp.
    api.ok(
        "SignUp",
        json!({"ClientId": client, "Username": "sam", "Password": "Passw0rd!",
               "UserAttributes": [{"Name": "email", "Value": "sam@example.com"}]}),
    );
    assert_eq!(
        api.password_sign_in(&pool, &client, "sam", "Passw0rd!")
            .unwrap_err()
            .0,
        "UserNotConfirmedException"
    );
    api.ok(
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool, "Username": "sam"}),
    );
    assert_eq!(
        api.refused(
            "AdminConfirmSignUp",
            json!({"UserPoolId": pool, "Username": "sam"})
        ),
        (
            "NotAuthorizedException".into(),
            "User cannot be confirmed. Current status is CONFIRMED".into()
        )
    );
    let tokens = api
        .password_sign_in(&pool, &client, "sam", "Passw0rd!")
        .unwrap()["AuthenticationResult"]
        .clone();

    // AdminUserGlobalSignOut revokes the tokens issued so far.
    api.ok(
        "AdminUserGlobalSignOut",
        json!({"UserPoolId": pool, "Username": "sam"}),
    );
    assert_eq!(
        api.refused("GetUser", json!({"AccessToken": tokens["AccessToken"]}))
            .0,
        "NotAuthorizedException"
    );

    // Attributes: a new email is unverified; the verified flags are the administrator's to set.
    api.ok(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": pool, "Username": "sam",
               "UserAttributes": [{"Name": "email", "Value": "sam@example.org"}, {"Name": "name", "Value": "Sam"}]}),
    );
    let user = api.ok(
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "sam"}),
    );
    let attribute = |name: &str| {
        user["UserAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["Name"] == name)
            .map(|a| a["Value"].as_str().unwrap().to_owned())
    };
    assert_eq!(attribute("email").as_deref(), Some("sam@example.org"));
    assert_eq!(attribute("email_verified").as_deref(), Some("false"));
    assert_eq!(attribute("name").as_deref(), Some("Sam"));
    assert_eq!(
        api.refused(
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": pool, "Username": "sam", "UserAttributes": [{"Name": "custom:nope", "Value": "x"}]})
        )
        .0,
        "InvalidParameterException"
    );

    // A temporary password set by the administrator: NEW_PASSWORD_REQUIRED again.
    api.ok(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "sam", "Password": "Temp-Passw0rd", "Permanent": false}),
    );
    let challenge = api
        .password_sign_in(&pool, &client, "sam", "Temp-Passw0rd")
        .unwrap();
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(
        api.refused(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": "sam", "Password": "short", "Permanent": true})
        )
        .0,
        "InvalidPasswordException"
    );

    // An invitation: the generated temporary password is in the outbox and signs in.
    api.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "tia",
               "UserAttributes": [{"Name": "email", "Value": "tia@example.com"}]}),
    );
    let invitation = api.e.outbox().pop().unwrap();
    assert_eq!(
        (invitation.purpose.as_str(), invitation.destination.as_str()),
        ("AdminCreateUser", "tia@example.com")
    );
    let challenge = api
        .password_sign_in(&pool, &client, "tia", &invitation.code)
        .unwrap();
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(
        api.refused(
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "tia"})
        ),
        (
            "UsernameExistsException".into(),
            "User account already exists".into()
        )
    );
    api.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "tia", "MessageAction": "RESEND"}),
    );
    assert_ne!(api.e.outbox().pop().unwrap().code, invitation.code);

    api.ok(
        "AdminDeleteUser",
        json!({"UserPoolId": pool, "Username": "tia"}),
    );
    assert_eq!(
        api.refused(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "tia"})
        ),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
}

#[test]
fn a_pool_that_signs_in_by_email_or_phone_names_its_users_by_uuid() {
    let api = Api::start();
    let pool = api.ok(
        "CreateUserPool",
        json!({"PoolName": "by-address", "UsernameAttributes": ["email", "phone_number"]}),
    )["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = api.ok(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ADMIN_FLOWS}),
    )["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    for address in ["zed@example.com", "+15555550199"] {
        let created = api.ok(
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": address, "TemporaryPassword": "Temp-Passw0rd",
                   "MessageAction": "SUPPRESS"}),
        )["User"]
            .clone();
        let name = created["Username"].as_str().unwrap();
        assert_ne!(name, address);
        assert_eq!(name.len(), 36, "a UUID: {name}");
        let attributes = created["Attributes"].as_array().unwrap();
        assert!(
            attributes
                .iter()
                .any(|a| a["Name"] == "sub" && a["Value"] == name)
        );
        assert!(attributes.iter().any(|a| a["Value"] == address));
        let challenge = api
            .password_sign_in(&pool, &client, address, "Temp-Passw0rd")
            .unwrap();
        assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
        assert_eq!(challenge["ChallengeParameters"]["USERNAME"], name);
        assert_eq!(
            api.ok(
                "AdminGetUser",
                json!({"UserPoolId": pool, "Username": address})
            )["Username"],
            name
        );
    }
    assert_eq!(
        api.refused(
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "zed", "MessageAction": "SUPPRESS"})
        ),
        (
            "InvalidParameterException".into(),
            "Username should be either an email or a phone number.".into()
        )
    );
}

#[test]
fn pools_and_clients_are_described_updated_and_deleted() {
    let api = Api::start();
    let (pool, client) = api.pool_and_client(ADMIN_FLOWS);
    api.ok(
        "UpdateUserPool",
        json!({"UserPoolId": pool, "MfaConfiguration": "OPTIONAL",
               "DeviceConfiguration": {"DeviceOnlyRememberedOnUserPrompt": false},
               "DeletionProtection": "ACTIVE",
               "Policies": {"PasswordPolicy": {"MinimumLength": 12}}}),
    );
    let described = api.ok("DescribeUserPool", json!({"UserPoolId": pool}))["UserPool"].clone();
    assert_eq!(described["MfaConfiguration"], "OPTIONAL");
    assert_eq!(
        described["DeviceConfiguration"]["DeviceOnlyRememberedOnUserPrompt"],
        false
    );
    assert_eq!(described["Policies"]["PasswordPolicy"]["MinimumLength"], 12);
    assert_eq!(described["Name"], "test", "an update keeps the name");
    let aliased = api.ok(
        "CreateUserPool",
        json!({"PoolName": "aliased", "AliasAttributes": ["email"]}),
    )["UserPool"]["Id"]
        .clone();
    api.ok("UpdateUserPool", json!({"UserPoolId": aliased}));
    assert_eq!(
        api.ok("DescribeUserPool", json!({"UserPoolId": aliased}))["UserPool"]["AliasAttributes"],
        json!(["email"]),
        "an update keeps the sign-in attributes"
    );
    let mfa = api.ok(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "SoftwareTokenMfaConfiguration": {"Enabled": true}, "MfaConfiguration": "ON"}),
    );
    assert_eq!(mfa["MfaConfiguration"], "ON");
    let mfa = api.ok("GetUserPoolMfaConfig", json!({"UserPoolId": pool}));
    assert_eq!(mfa["SoftwareTokenMfaConfiguration"]["Enabled"], true);
    api.ok(
        "AddCustomAttributes",
        json!({"UserPoolId": pool, "CustomAttributes": [{"Name": "plan", "AttributeDataType": "String"}]}),
    );
    assert_eq!(
        api.refused(
            "AddCustomAttributes",
            json!({"UserPoolId": pool, "CustomAttributes": [{"Name": "plan"}]})
        )
        .0,
        "InvalidParameterException"
    );

    // Clients: an update leaves out what it does not name (Cognito: back to the default).
    api.ok(
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client, "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]}),
    );
    let described = api.ok(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    )["UserPoolClient"]
        .clone();
    assert_eq!(described["ClientName"], "app");
    assert_eq!(
        described["ExplicitAuthFlows"],
        json!(["ALLOW_USER_SRP_AUTH"])
    );
    assert_eq!(
        api.password_sign_in(&pool, &client, "x", "y").unwrap_err(),
        (
            "InvalidParameterException".into(),
            "Auth flow not enabled for this client".into()
        )
    );
    let second = api.ok(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "second"}),
    );
    assert_eq!(
        second["UserPoolClient"]["ExplicitAuthFlows"],
        json!([
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_CUSTOM_AUTH"
        ]),
        "Cognito's default"
    );
    assert_eq!(
        second["UserPoolClient"]["PreventUserExistenceErrors"],
        "LEGACY"
    );
    let page = api.ok(
        "ListUserPoolClients",
        json!({"UserPoolId": pool, "MaxResults": 1}),
    );
    assert_eq!(page["UserPoolClients"].as_array().unwrap().len(), 1);
    let rest = api.ok(
        "ListUserPoolClients",
        json!({"UserPoolId": pool, "MaxResults": 1, "NextToken": page["NextToken"]}),
    );
    assert_eq!(rest["UserPoolClients"].as_array().unwrap().len(), 1);
    assert!(rest.get("NextToken").is_none());
    api.ok(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    );
    assert_eq!(
        api.refused(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": "x", "SRP_A": "01"}})
        )
        .0,
        "ResourceNotFoundException"
    );

    // Deletion protection, then deletion.
    assert_eq!(
        api.refused("DeleteUserPool", json!({"UserPoolId": pool})).0,
        "InvalidParameterException"
    );
    api.ok(
        "UpdateUserPool",
        json!({"UserPoolId": pool, "DeletionProtection": "INACTIVE"}),
    );
    api.ok("DeleteUserPool", json!({"UserPoolId": pool}));
    assert_eq!(
        api.refused("DescribeUserPool", json!({"UserPoolId": pool})),
        (
            "ResourceNotFoundException".into(),
            format!("User pool {pool} does not exist.")
        )
    );
    assert_eq!(
        api.refused("ListUserPools", json!({})).0,
        "InvalidParameterException",
        "MaxResults is required"
    );
}

struct OneQuestion;

impl CustomAuth for OneQuestion {
    fn define(&self, _: &str, session: &[ChallengeResult]) -> Define {
        match session.last() {
            None => Define::CustomChallenge,
            Some(r) if r.correct => Define::IssueTokens,
            Some(_) => Define::Fail,
        }
    }
    fn create(&self, _: &str, _: &[ChallengeResult]) -> CustomChallenge {
        CustomChallenge {
            public: [("question".to_owned(), "2 + 2".to_owned())].into(),
            answer: "4".into(),
        }
    }
}

#[test]
fn the_custom_flow_runs_through_the_admin_api() {
    let api = Api::start();
    let pool = api.e.create_user_pool(PoolConfig {
        custom_auth: Some(CustomAuthTriggers(Arc::new(OneQuestion))),
        ..PoolConfig::default()
    });
    let client = api.ok(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH"]}),
    )["UserPoolClient"]["ClientId"]
        .clone();
    api.e
        .admin_create_user(&pool, "alice", "Passw0rd!", &[])
        .unwrap();
    let challenge = api.ok(
        "AdminInitiateAuth",
        json!({"UserPoolId": pool, "ClientId": client, "AuthFlow": "CUSTOM_AUTH",
               "AuthParameters": {"USERNAME": "alice"}}),
    );
    assert_eq!(challenge["ChallengeParameters"]["question"], "2 + 2");
    let done = api.ok(
        "AdminRespondToAuthChallenge",
        json!({"UserPoolId": pool, "ClientId": client, "ChallengeName": "CUSTOM_CHALLENGE",
               "Session": challenge["Session"], "ChallengeResponses": {"USERNAME": "alice", "ANSWER": "4"}}),
    );
    assert!(done["AuthenticationResult"]["IdToken"].is_string());
}

#[test]
fn what_the_admin_api_makes_survives_a_restart_on_a_data_directory() {
    let dir = emulator::TempDir::new("emulator-admin");
    let config = || dir.config();
    let (pool, client) = {
        let api = Api::with(config());
        let (pool, client) = api.pool_and_client(ADMIN_FLOWS);
        api.ok(
            "UpdateUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": client, "ExplicitAuthFlows": ADMIN_FLOWS,
                   "AccessTokenValidity": 10, "TokenValidityUnits": {"AccessToken": "minutes"}}),
        );
        api.ok(
            "CreateGroup",
            json!({"UserPoolId": pool, "GroupName": "admins", "Precedence": 1}),
        );
        for name in ["alice", "bob"] {
            api.user(&pool, name, "Passw0rd!", json!([]));
        }
        api.ok(
            "AdminAddUserToGroup",
            json!({"UserPoolId": pool, "Username": "alice", "GroupName": "admins"}),
        );
        api.ok(
            "AdminDisableUser",
            json!({"UserPoolId": pool, "Username": "bob"}),
        );
        (pool, client)
    };
    let api = Api::with(config());
    let tokens = api
        .password_sign_in(&pool, &client, "alice", "Passw0rd!")
        .unwrap()["AuthenticationResult"]
        .clone();
    assert_eq!(
        claims(&tokens["IdToken"])["cognito:groups"],
        json!(["admins"])
    );
    assert_eq!(tokens["ExpiresIn"], 600);
    assert_eq!(
        api.password_sign_in(&pool, &client, "bob", "Passw0rd!")
            .unwrap_err()
            .1,
        "User is disabled."
    );
    let described = api.ok(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    );
    assert_eq!(
        described["UserPoolClient"]["ExplicitAuthFlows"],
        json!(ADMIN_FLOWS)
    );
    drop(api);
}

/// The `operations!` table generates `OPERATIONS` and the dispatch from one list, so they cannot
/// disagree; what is left to check is that a name outside it gets Cognito's answer.
#[test]
fn an_unknown_operation_answers_cognitos_unknown_operation_error() {
    let api = Api::start();
    for name in [
        "NotAnOperation",
        "",
        "initiateauth",
        "AWSCognitoIdentityProviderService.SignUp",
    ] {
        assert!(!OPERATIONS.contains(&name));
        let (kind, _) = api.call(name, json!({})).unwrap_err();
        assert_eq!(kind, "UnknownOperationException", "{name}");
    }
}

#[test]
fn hostile_admin_bodies_get_typed_errors() {
    let api = Api::start();
    let (pool, _) = api.pool_and_client(ADMIN_FLOWS);
    let long = "x".repeat(5000);
    for (operation, body) in [
        ("CreateUserPool", json!({"PoolName": 7})),
        ("CreateUserPool", json!({"PoolName": long})),
        (
            "CreateUserPool",
            json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": -1}}}),
        ),
        ("CreateUserPool", json!({"PoolName": "p", "Schema": "nope"})),
        (
            "CreateUserPool",
            json!({"PoolName": "p", "MfaConfiguration": "SOMETIMES"}),
        ),
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_EVERYTHING"]}),
        ),
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c", "CallbackURLs": ["not a url"]}),
        ),
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c", "AccessTokenValidity": 99999999}),
        ),
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c", "TokenValidityUnits": {"AccessToken": "weeks"}}),
        ),
        (
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "a b"}),
        ),
        (
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "a", "MessageAction": "SHOUT"}),
        ),
        (
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "a", "TemporaryPassword": "weak"}),
        ),
        (
            "AdminCreateUser",
            json!({"UserPoolId": "us-east-1_nope", "Username": "a"}),
        ),
        (
            "ListUsers",
            json!({"UserPoolId": pool, "Filter": "\u{0}\"\\"}),
        ),
        ("ListUsers", json!({"UserPoolId": pool, "Filter": long})),
        ("ListUsers", json!({"UserPoolId": pool, "Limit": "ten"})),
        (
            "ListUsers",
            json!({"UserPoolId": pool, "AttributesToGet": [1]}),
        ),
        ("ListGroups", json!({"UserPoolId": pool, "NextToken": long})),
        (
            "CreateGroup",
            json!({"UserPoolId": pool, "GroupName": "g", "Precedence": -3}),
        ),
        (
            "AdminInitiateAuth",
            json!({"UserPoolId": pool, "ClientId": "nope", "AuthFlow": "ADMIN_USER_PASSWORD_AUTH"}),
        ),
    ] {
        let (kind, _) = api.refused(operation, body.clone());
        assert!(
            [
                "InvalidParameterException",
                "SerializationException",
                "ResourceNotFoundException",
                "InvalidPasswordException"
            ]
            .contains(&kind.as_str()),
            "{operation} {body}: {kind}"
        );
    }
}
