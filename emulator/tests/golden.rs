//! The golden transcript: the emulator with a fixed seed, a fixed clock and a data directory,
//! driven through every operation of `OPERATIONS` (a success and its main refusals), every
//! sign-in path (SRP, password, custom auth by Rust callbacks and by webhooks, MFA, devices,
//! refresh, sign-up sessions), the hosted UI's pages, the OAuth endpoints, the JWKS and the
//! OpenID configuration. Every request and answer (status, headers but `date`, body), the
//! webhook events and the stored records of the data directory are compared byte for byte with
//! `tests/golden/transcript.txt` and `tests/golden/store.txt`.
//!
//! A refactor of the emulator changes neither file. A deliberate change of behaviour rewrites
//! them with `GOLDEN_UPDATE=1 cargo test -p cognito-flows-emulator --test golden`, and the diff
//! is reviewed with the change. The ports of the emulator and of the webhook server are the only
//! values replaced (by `EMULATOR` and `WEBHOOKS`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use cognito_flows::{Action, Entropy, Error, Flow, Input, Prompt, SignIn, UserPool};
use cognito_flows_emulator::{
    ChallengeResult, ClientConfig, Clock, CustomAuth, CustomAuthTriggers, CustomChallenge, Define,
    DeviceTracking, Emulator, EmulatorConfig, Mfa, PoolConfig, Webhooks,
};
use serde_json::{Value, json};

use common::hooks::Hooks;

const PASSWORD: &str = "Passw0rd!";
const CALLBACK: &str = "http://localhost:3000/callback";

/// The emulator under record: every exchange is appended to `log`.
struct Golden {
    e: Emulator,
    agent: ureq::Agent,
    log: String,
    cookies: BTreeMap<String, String>,
    n: u8,
}

/// A body as text, JSON with its keys sorted: a workspace build turns on serde_json's
/// `preserve_order` (through passkey-types), which keeps maps in insertion order, so the order of
/// keys depends on the build and is not what this transcript pins.
fn canonical(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut v) => {
            v.sort_all_objects();
            v.to_string()
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

impl Golden {
    fn record(&mut self, label: &str, request: &http::Request<Vec<u8>>) {
        let _ = writeln!(self.log, "\n## {label}");
        let _ = writeln!(self.log, "> {} {}", request.method(), request.uri());
        let mut headers: Vec<_> = request.headers().iter().collect();
        headers.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        for (k, v) in headers {
            let _ = writeln!(self.log, "> {k}: {}", v.to_str().unwrap());
        }
        let _ = writeln!(self.log, "> {}", canonical(request.body()));
    }

    /// Sends a request, records it and its answer, keeps the cookies the answer sets.
    fn send(
        &mut self,
        label: &str,
        mut request: http::Request<Vec<u8>>,
    ) -> http::Response<Vec<u8>> {
        if !self.cookies.is_empty() && !request.headers().contains_key("x-amz-target") {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request
                .headers_mut()
                .insert("cookie", jar.join("; ").parse().unwrap());
        }
        self.record(label, &request);
        let response = common::send(&self.agent, request);
        let _ = writeln!(self.log, "< {}", response.status().as_u16());
        let mut headers: Vec<_> = response
            .headers()
            .iter()
            .filter(|(k, _)| k.as_str() != "date")
            .collect();
        headers.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        for (k, v) in headers {
            let v = v.to_str().unwrap();
            let _ = writeln!(self.log, "< {k}: {v}");
            if k == "set-cookie"
                && let Some((name, rest)) = v.split_once('=')
            {
                let value = rest.split(';').next().unwrap_or_default();
                if value.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let _ = writeln!(self.log, "< {}", canonical(response.body()));
        response
    }

    /// Calls a Cognito operation; the JSON answer (refusals included).
    fn call(&mut self, operation: &str, body: Value) -> Value {
        let request = http::Request::post(self.e.endpoint())
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .header("content-type", "application/x-amz-json-1.1")
            .body(body.to_string().into_bytes())
            .unwrap();
        let response = self.send(operation, request);
        serde_json::from_slice(response.body()).unwrap_or(Value::Null)
    }

    fn get(&mut self, label: &str, path: &str) -> http::Response<Vec<u8>> {
        let request = http::Request::get(format!("{}{path}", self.e.endpoint()))
            .body(Vec::new())
            .unwrap();
        self.send(label, request)
    }

    fn post_form(
        &mut self,
        label: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> http::Response<Vec<u8>> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = http::Request::post(format!("{}{path}", self.e.endpoint()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.into_bytes())
            .unwrap();
        self.send(label, request)
    }

    /// Submits the page's form: its hidden fields plus `fields`.
    fn submit(
        &mut self,
        label: &str,
        page: &http::Response<Vec<u8>>,
        path: &str,
        fields: &[(&str, &str)],
    ) -> http::Response<Vec<u8>> {
        let html = String::from_utf8_lossy(page.body()).into_owned();
        let mut all: Vec<(String, String)> = html
            .split("<input type=\"hidden\" name=\"")
            .skip(1)
            .filter_map(|s| {
                let (name, rest) = s.split_once("\" value=\"")?;
                let value = rest.split('"').next()?;
                Some((name.to_owned(), unescape(value)))
            })
            .collect();
        all.extend(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post_form(label, path, &pairs)
    }

    fn entropy(&mut self) -> Entropy {
        self.n += 1;
        Entropy::from([self.n; 32])
    }

    /// Drives a flow of the client library; every request it sends is recorded.
    fn drive<F: Flow>(
        &mut self,
        label: &str,
        mut flow: F,
        mut answer: impl FnMut(&Emulator, &Prompt) -> Input,
    ) -> Result<F::Output, Error> {
        for _ in 0..40 {
            match flow.poll_action() {
                Action::Send(r) => {
                    let response = self.send(label, r);
                    let _ = flow.handle_response(self.e.now(), response);
                }
                Action::Prompt(p) => flow.handle_input(answer(&self.e, &p)).unwrap(),
                Action::Done(out) => return Ok(out),
                Action::Failed(err) => return Err(err),
                Action::Wait(delay) => std::thread::sleep(delay),
            }
        }
        panic!("no end")
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn no_prompt(_: &Emulator, p: &Prompt) -> Input {
    panic!("unexpected prompt {p:?}")
}

/// A quiz in Rust: "What is 6 x 7?", three tries.
struct Quiz;

impl CustomAuth for Quiz {
    fn define(&self, _: &str, session: &[ChallengeResult]) -> Define {
        match session.last() {
            Some(r) if r.name == "CUSTOM_CHALLENGE" && r.correct => Define::IssueTokens,
            _ if session
                .iter()
                .filter(|r| r.name == "CUSTOM_CHALLENGE")
                .count()
                >= 3 =>
            {
                Define::Fail
            }
            _ => Define::CustomChallenge,
        }
    }

    fn create(&self, _: &str, _: &[ChallengeResult]) -> CustomChallenge {
        CustomChallenge {
            public: BTreeMap::from([("question".to_owned(), "What is 6 x 7?".to_owned())]),
            answer: "42".into(),
        }
    }
}

fn a(name: &str, value: &str) -> Value {
    json!({"Name": name, "Value": value})
}

/// The world and the calls, in one order.
fn run(g: &mut Golden, hooks: &Hooks) {
    // Pools and clients over HTTP, with their refusals.
    let pool = g.call(
        "CreateUserPool",
        json!({"PoolName": "main", "MfaConfiguration": "OPTIONAL",
               "Policies": {"PasswordPolicy": {"MinimumLength": 8}},
               "AutoVerifiedAttributes": ["email"],
               "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": false, "DeviceOnlyRememberedOnUserPrompt": true},
               "Schema": [{"Name": "tenant", "AttributeDataType": "String", "Mutable": true}]}),
    );
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    g.call("CreateUserPool", json!({}));
    g.call(
        "CreateUserPool",
        json!({"PoolName": "bad", "Policies": {"PasswordPolicy": {"MinimumLength": 3}}}),
    );
    g.call("DescribeUserPool", json!({"UserPoolId": pool_id}));
    g.call("DescribeUserPool", json!({"UserPoolId": "us-east-1_nope"}));
    g.call("UpdateUserPool", json!({"UserPoolId": pool_id, "MfaConfiguration": "OPTIONAL", "AutoVerifiedAttributes": ["email"]}));
    g.call("UpdateUserPool", json!({"UserPoolId": "us-east-1_nope"}));
    g.call("ListUserPools", json!({"MaxResults": 10}));
    g.call("ListUserPools", json!({}));
    g.call("AddCustomAttributes", json!({"UserPoolId": pool_id, "CustomAttributes": [{"Name": "plan", "AttributeDataType": "String"}]}));
    g.call("AddCustomAttributes", json!({"UserPoolId": pool_id, "CustomAttributes": [{"Name": "plan", "AttributeDataType": "String"}]}));
    g.call("SetUserPoolMfaConfig", json!({"UserPoolId": pool_id, "MfaConfiguration": "OPTIONAL",
        "SoftwareTokenMfaConfiguration": {"Enabled": true}, "SmsMfaConfiguration": {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns"}}}));
    g.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool_id, "MfaConfiguration": "SOMETIMES"}),
    );
    g.call("GetUserPoolMfaConfig", json!({"UserPoolId": pool_id}));
    g.call(
        "GetUserPoolMfaConfig",
        json!({"UserPoolId": "us-east-1_nope"}),
    );
    let client = g.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "web",
               "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH"],
               "CallbackURLs": [CALLBACK], "LogoutURLs": ["http://localhost:3000/"],
               "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
               "AllowedOAuthFlowsUserPoolClient": true, "SupportedIdentityProviders": ["COGNITO"],
               "EnableTokenRevocation": true}),
    );
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    g.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "bad", "CallbackURLs": ["not a url"]}),
    );
    g.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": "us-east-1_nope", "ClientName": "x"}),
    );
    let other = g.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "server", "GenerateSecret": true}),
    );
    let other_id = other["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    g.call(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": client_id}),
    );
    g.call(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": "nope"}),
    );
    g.call("UpdateUserPoolClient", json!({"UserPoolId": pool_id, "ClientId": other_id, "ClientName": "server2", "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}));
    g.call(
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": "nope"}),
    );
    g.call(
        "ListUserPoolClients",
        json!({"UserPoolId": pool_id, "MaxResults": 10}),
    );
    g.call(
        "ListUserPoolClients",
        json!({"UserPoolId": "us-east-1_nope"}),
    );

    // Users and groups, by an administrator.
    g.call("AdminCreateUser", json!({"UserPoolId": pool_id, "Username": "alice", "TemporaryPassword": "Temp0rary!",
        "MessageAction": "SUPPRESS", "UserAttributes": [a("email", "alice@example.com"), a("email_verified", "true"), a("custom:tenant", "acme")]}));
    g.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "alice", "TemporaryPassword": "Temp0rary!"}),
    );
    g.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "bob", "UserAttributes": [a("nickname!", "x")]}),
    );
    g.call("AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": "alice", "Password": PASSWORD, "Permanent": true}));
    g.call(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": "alice", "Password": "short", "Permanent": true}),
    );
    g.call("AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": "nobody", "Password": PASSWORD, "Permanent": true}));
    g.call("AdminCreateUser", json!({"UserPoolId": pool_id, "Username": "bob", "TemporaryPassword": "Temp0rary!",
        "MessageAction": "SUPPRESS", "UserAttributes": [a("email", "bob@example.com"), a("phone_number", "+15555550100"), a("phone_number_verified", "true")]}));
    g.call(
        "AdminGetUser",
        json!({"UserPoolId": pool_id, "Username": "alice"}),
    );
    g.call(
        "AdminGetUser",
        json!({"UserPoolId": pool_id, "Username": "nobody"}),
    );
    g.call(
        "ListUsers",
        json!({"UserPoolId": pool_id, "Filter": "email ^= \"alice\""}),
    );
    g.call(
        "ListUsers",
        json!({"UserPoolId": pool_id, "Filter": "bogus"}),
    );
    g.call("AdminUpdateUserAttributes", json!({"UserPoolId": pool_id, "Username": "alice", "UserAttributes": [a("custom:plan", "gold"), a("name", "Alice")]}));
    g.call("AdminUpdateUserAttributes", json!({"UserPoolId": pool_id, "Username": "alice", "UserAttributes": [a("custom:unknown", "x")]}));
    g.call(
        "AdminDeleteUserAttributes",
        json!({"UserPoolId": pool_id, "Username": "alice", "UserAttributeNames": ["name"]}),
    );
    g.call(
        "AdminDeleteUserAttributes",
        json!({"UserPoolId": pool_id, "Username": "nobody", "UserAttributeNames": ["name"]}),
    );
    g.call("CreateGroup", json!({"UserPoolId": pool_id, "GroupName": "admins", "Precedence": 1, "Description": "the admins"}));
    g.call(
        "CreateGroup",
        json!({"UserPoolId": pool_id, "GroupName": "admins"}),
    );
    g.call(
        "CreateGroup",
        json!({"UserPoolId": pool_id, "GroupName": ""}),
    );
    g.call(
        "CreateGroup",
        json!({"UserPoolId": pool_id, "GroupName": "readers"}),
    );
    g.call(
        "GetGroup",
        json!({"UserPoolId": pool_id, "GroupName": "admins"}),
    );
    g.call(
        "GetGroup",
        json!({"UserPoolId": pool_id, "GroupName": "nope"}),
    );
    g.call(
        "UpdateGroup",
        json!({"UserPoolId": pool_id, "GroupName": "admins", "Precedence": 2}),
    );
    g.call(
        "UpdateGroup",
        json!({"UserPoolId": pool_id, "GroupName": "nope"}),
    );
    g.call("ListGroups", json!({"UserPoolId": pool_id}));
    g.call("ListGroups", json!({"UserPoolId": "us-east-1_nope"}));
    g.call(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool_id, "Username": "alice", "GroupName": "admins"}),
    );
    g.call(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool_id, "Username": "alice", "GroupName": "nope"}),
    );
    g.call(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool_id, "Username": "bob", "GroupName": "readers"}),
    );
    g.call(
        "AdminListGroupsForUser",
        json!({"UserPoolId": pool_id, "Username": "alice"}),
    );
    g.call(
        "AdminListGroupsForUser",
        json!({"UserPoolId": pool_id, "Username": "nobody"}),
    );
    g.call(
        "ListUsersInGroup",
        json!({"UserPoolId": pool_id, "GroupName": "admins"}),
    );
    g.call(
        "ListUsersInGroup",
        json!({"UserPoolId": pool_id, "GroupName": "nope"}),
    );
    g.call(
        "AdminRemoveUserFromGroup",
        json!({"UserPoolId": pool_id, "Username": "bob", "GroupName": "readers"}),
    );
    g.call(
        "AdminRemoveUserFromGroup",
        json!({"UserPoolId": pool_id, "Username": "nobody", "GroupName": "readers"}),
    );
    g.call(
        "DeleteGroup",
        json!({"UserPoolId": pool_id, "GroupName": "readers"}),
    );
    g.call(
        "DeleteGroup",
        json!({"UserPoolId": pool_id, "GroupName": "readers"}),
    );
    g.call(
        "AdminDisableUser",
        json!({"UserPoolId": pool_id, "Username": "bob"}),
    );
    g.call(
        "AdminDisableUser",
        json!({"UserPoolId": pool_id, "Username": "nobody"}),
    );
    g.call("InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id, "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Temp0rary!"}}));
    g.call(
        "AdminEnableUser",
        json!({"UserPoolId": pool_id, "Username": "bob"}),
    );
    g.call(
        "AdminEnableUser",
        json!({"UserPoolId": pool_id, "Username": "nobody"}),
    );

    // Sign-in: a new password required, by password and by an administrator.
    let started = g.call("InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id, "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Temp0rary!"}}));
    let session = started["Session"].clone();
    g.call("RespondToAuthChallenge", json!({"ChallengeName": "NEW_PASSWORD_REQUIRED", "ClientId": client_id, "Session": "garbage",
        "ChallengeResponses": {"USERNAME": "bob", "NEW_PASSWORD": PASSWORD}}));
    g.call(
        "RespondToAuthChallenge",
        json!({"ChallengeName": "NEW_PASSWORD_REQUIRED", "ClientId": client_id, "Session": session,
        "ChallengeResponses": {"USERNAME": "bob", "NEW_PASSWORD": PASSWORD}}),
    );
    g.call("InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id, "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Wr0ng-pass!"}}));
    g.call(
        "InitiateAuth",
        json!({"AuthFlow": "NOPE", "ClientId": client_id, "AuthParameters": {}}),
    );
    g.call(
        "AdminInitiateAuth",
        json!({"UserPoolId": pool_id, "ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
    );
    g.call(
        "AdminInitiateAuth",
        json!({"UserPoolId": pool_id, "ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Wr0ng-pass!"}}),
    );
    g.call("AdminCreateUser", json!({"UserPoolId": pool_id, "Username": "carl", "TemporaryPassword": "Temp0rary!", "MessageAction": "SUPPRESS"}));
    let started = g.call(
        "AdminInitiateAuth",
        json!({"UserPoolId": pool_id, "ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "carl", "PASSWORD": "Temp0rary!"}}),
    );
    g.call("AdminRespondToAuthChallenge", json!({"UserPoolId": pool_id, "ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": started["Session"], "ChallengeResponses": {"USERNAME": "carl", "NEW_PASSWORD": PASSWORD}}));
    g.call("AdminRespondToAuthChallenge", json!({"UserPoolId": pool_id, "ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": started["Session"], "ChallengeResponses": {"USERNAME": "carl", "NEW_PASSWORD": PASSWORD}}));

    // SRP through the client library.
    let user_pool = UserPool::new(&pool_id, client_id.clone())
        .unwrap()
        .with_endpoint(g.e.endpoint())
        .unwrap();
    let entropy = g.entropy();
    let alice = g
        .drive(
            "SRP alice",
            SignIn::user_srp(&user_pool, "alice", PASSWORD, entropy),
            no_prompt,
        )
        .unwrap();
    let entropy = g.entropy();
    g.drive(
        "SRP wrong password",
        SignIn::user_srp(&user_pool, "alice", "Wr0ng-pass!", entropy),
        no_prompt,
    )
    .unwrap_err();
    let entropy = g.entropy();
    g.drive(
        "SRP unknown user",
        SignIn::user_srp(&user_pool, "nobody", PASSWORD, entropy),
        no_prompt,
    )
    .unwrap_err();
    let access = alice.tokens.access_token.expose().to_owned();
    let refresh = alice
        .tokens
        .refresh_token
        .as_ref()
        .unwrap()
        .expose()
        .to_owned();

    // The user's own operations.
    g.call("GetUser", json!({"AccessToken": access}));
    g.call("GetUser", json!({"AccessToken": "not-a-token"}));
    g.call("UpdateUserAttributes", json!({"AccessToken": access, "UserAttributes": [a("email", "alice@new.example"), a("nickname", "al")]}));
    g.call(
        "UpdateUserAttributes",
        json!({"AccessToken": access, "UserAttributes": [a("sub", "x")]}),
    );
    g.call(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": access, "AttributeName": "email"}),
    );
    g.call(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": access, "AttributeName": "phone_number"}),
    );
    let code = g.e.last_code("alice").unwrap();
    g.call(
        "VerifyUserAttribute",
        json!({"AccessToken": access, "AttributeName": "email", "Code": "000000"}),
    );
    g.call(
        "VerifyUserAttribute",
        json!({"AccessToken": access, "AttributeName": "email", "Code": code}),
    );
    g.call(
        "DeleteUserAttributes",
        json!({"AccessToken": access, "UserAttributeNames": ["nickname"]}),
    );
    g.call(
        "DeleteUserAttributes",
        json!({"AccessToken": access, "UserAttributeNames": ["sub"]}),
    );
    g.call("ChangePassword", json!({"AccessToken": access, "PreviousPassword": "Wr0ng-pass!", "ProposedPassword": "N3w-Passw0rd!"}));
    g.call("ChangePassword", json!({"AccessToken": access, "PreviousPassword": PASSWORD, "ProposedPassword": "N3w-Passw0rd!"}));
    g.call("ChangePassword", json!({"AccessToken": access, "PreviousPassword": "N3w-Passw0rd!", "ProposedPassword": PASSWORD}));
    g.call("SetUserSettings", json!({"AccessToken": access, "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]}));
    g.call(
        "SetUserSettings",
        json!({"AccessToken": "not-a-token", "MFAOptions": []}),
    );
    g.call("GetUserAuthFactors", json!({"AccessToken": access}));
    g.call("GetUserAuthFactors", json!({"AccessToken": "not-a-token"}));
    g.call("UpdateAuthEventFeedback", json!({"UserPoolId": pool_id, "Username": "alice", "EventId": "nope", "FeedbackToken": "x", "FeedbackValue": "Valid"}));
    g.call(
        "UpdateAuthEventFeedback",
        json!({"UserPoolId": pool_id, "Username": "alice"}),
    );

    // TOTP: associate, verify, then sign in with it.
    let associated = g.call("AssociateSoftwareToken", json!({"AccessToken": access}));
    g.call("AssociateSoftwareToken", json!({}));
    let secret = associated["SecretCode"].as_str().unwrap().to_owned();
    let now = g.e.now();
    g.call(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": "000000"}),
    );
    let code = cognito_flows::totp::code(&secret, now).unwrap();
    g.call(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": code.expose(), "FriendlyDeviceName": "phone"}),
    );
    g.call("SetUserMFAPreference", json!({"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}));
    g.call("SetUserMFAPreference", json!({"AccessToken": access, "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}));
    let entropy = g.entropy();
    let alice = g
        .drive(
            "SRP with TOTP",
            SignIn::user_srp(&user_pool, "alice", PASSWORD, entropy),
            |_, p| match p {
                Prompt::TotpCode { error: None, .. } => Input::code("000000"),
                Prompt::TotpCode { .. } => {
                    Input::Code(cognito_flows::totp::code(&secret, now).unwrap())
                }
                other => panic!("{other:?}"),
            },
        )
        .unwrap();
    let access = alice.tokens.access_token.expose().to_owned();
    g.call("AdminSetUserMFAPreference", json!({"UserPoolId": pool_id, "Username": "alice", "SoftwareTokenMfaSettings": {"Enabled": false, "PreferredMfa": false}}));
    g.call("AdminSetUserMFAPreference", json!({"UserPoolId": pool_id, "Username": "nobody", "SoftwareTokenMfaSettings": {"Enabled": false}}));

    // SMS MFA and a remembered device: ConfirmDevice, device SRP, the device operations.
    g.call("AdminSetUserMFAPreference", json!({"UserPoolId": pool_id, "Username": "bob", "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}));
    let entropy = g.entropy();
    let bob = g
        .drive(
            "SRP with SMS and a new device",
            SignIn::user_srp(&user_pool, "bob", PASSWORD, entropy),
            |e, p| match p {
                Prompt::SmsMfaCode { .. } => Input::code(e.last_code("bob").unwrap()),
                Prompt::RememberDevice { .. } => Input::RememberDevice(true),
                other => panic!("{other:?}"),
            },
        )
        .unwrap();
    let bob_access = bob.tokens.access_token.expose().to_owned();
    // Devices, on a pool that lets the user remember them.
    let devices_pool = g.e.create_user_pool(PoolConfig {
        name: "devices".into(),
        mfa: Mfa::Optional,
        device_tracking: DeviceTracking::UserOptIn,
        ..PoolConfig::default()
    });
    let devices_client =
        g.e.create_client(&devices_pool, ClientConfig::default())
            .unwrap();
    g.e.admin_create_user(
        &devices_pool,
        "erin",
        PASSWORD,
        &[("phone_number", "+15555550199")],
    )
    .unwrap();
    g.e.admin_enable_sms_mfa(&devices_pool, "erin").unwrap();
    let devices = UserPool::new(&devices_pool, devices_client.id)
        .unwrap()
        .with_endpoint(g.e.endpoint())
        .unwrap();
    let entropy = g.entropy();
    let erin = g
        .drive(
            "SRP with SMS and a new device",
            SignIn::user_srp(&devices, "erin", PASSWORD, entropy),
            |e, p| match p {
                Prompt::SmsMfaCode { .. } => Input::code(e.last_code("erin").unwrap()),
                Prompt::RememberDevice { .. } => Input::RememberDevice(true),
                other => panic!("{other:?}"),
            },
        )
        .unwrap();
    let device = erin.device.clone().unwrap().credentials;
    let erin_access = erin.tokens.access_token.expose().to_owned();
    let entropy = g.entropy();
    let erin2 = g
        .drive(
            "device SRP",
            SignIn::builder(&devices)
                .with_device(device.clone())
                .user_srp("erin", PASSWORD, entropy),
            no_prompt,
        )
        .unwrap();
    let entropy = g.entropy();
    g.drive(
        "refresh with the device",
        SignIn::builder(&devices)
            .with_device(device.clone())
            .refresh("erin", erin2.tokens.refresh_token.clone().unwrap(), entropy),
        no_prompt,
    )
    .unwrap();
    g.call("ConfirmDevice", json!({"AccessToken": erin_access, "DeviceKey": "us-east-1_nope", "DeviceSecretVerifierConfig": {"PasswordVerifier": "AA", "Salt": "AA"}}));
    g.call("ListDevices", json!({"AccessToken": erin_access}));
    g.call("ListDevices", json!({"AccessToken": "not-a-token"}));
    g.call(
        "GetDevice",
        json!({"AccessToken": erin_access, "DeviceKey": device.device_key}),
    );
    g.call(
        "GetDevice",
        json!({"AccessToken": erin_access, "DeviceKey": "us-east-1_nope"}),
    );
    g.call("UpdateDeviceStatus", json!({"AccessToken": erin_access, "DeviceKey": device.device_key, "DeviceRememberedStatus": "not_remembered"}));
    g.call("UpdateDeviceStatus", json!({"AccessToken": erin_access, "DeviceKey": device.device_key, "DeviceRememberedStatus": "maybe"}));
    g.call(
        "ForgetDevice",
        json!({"AccessToken": erin_access, "DeviceKey": device.device_key}),
    );
    g.call(
        "ForgetDevice",
        json!({"AccessToken": erin_access, "DeviceKey": device.device_key}),
    );

    // Refresh, tokens, revocation, sign-out.
    g.call("InitiateAuth", json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id, "AuthParameters": {"REFRESH_TOKEN": refresh}}));
    g.call("InitiateAuth", json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id, "AuthParameters": {"REFRESH_TOKEN": "garbage"}}));
    g.call(
        "GetTokensFromRefreshToken",
        json!({"ClientId": client_id, "RefreshToken": refresh}),
    );
    g.call(
        "GetTokensFromRefreshToken",
        json!({"ClientId": client_id, "RefreshToken": "garbage"}),
    );
    g.call(
        "RevokeToken",
        json!({"ClientId": client_id, "Token": refresh}),
    );
    g.call("RevokeToken", json!({"ClientId": "nope", "Token": refresh}));
    g.call("InitiateAuth", json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id, "AuthParameters": {"REFRESH_TOKEN": refresh}}));
    g.call("GlobalSignOut", json!({"AccessToken": access}));
    g.call("GlobalSignOut", json!({"AccessToken": access}));
    g.call(
        "AdminUserGlobalSignOut",
        json!({"UserPoolId": pool_id, "Username": "bob"}),
    );
    g.call(
        "AdminUserGlobalSignOut",
        json!({"UserPoolId": pool_id, "Username": "nobody"}),
    );
    g.call("GetUser", json!({"AccessToken": bob_access}));

    // Sign-up, confirmation, a sign-up session, forgotten passwords.
    g.call("SignUp", json!({"ClientId": client_id, "Username": "dora", "Password": PASSWORD, "UserAttributes": [a("email", "dora@example.com")]}));
    g.call(
        "SignUp",
        json!({"ClientId": client_id, "Username": "dora", "Password": PASSWORD}),
    );
    g.call(
        "SignUp",
        json!({"ClientId": client_id, "Username": "weak", "Password": "short"}),
    );
    g.call(
        "ResendConfirmationCode",
        json!({"ClientId": client_id, "Username": "dora"}),
    );
    g.call(
        "ResendConfirmationCode",
        json!({"ClientId": "nope", "Username": "dora"}),
    );
    g.call(
        "ConfirmSignUp",
        json!({"ClientId": client_id, "Username": "dora", "ConfirmationCode": "000000"}),
    );
    let code = g.e.last_code("dora").unwrap();
    let confirmed = g.call(
        "ConfirmSignUp",
        json!({"ClientId": client_id, "Username": "dora", "ConfirmationCode": code}),
    );
    let entropy = g.entropy();
    let session = cognito_flows::SecretString::from(
        confirmed["Session"].as_str().unwrap_or_default().to_owned(),
    );
    let _ = g.drive(
        "sign-in after sign-up",
        SignIn::builder(&user_pool).after_sign_up("dora", session, entropy),
        no_prompt,
    );
    g.call("SignUp", json!({"ClientId": client_id, "Username": "ed", "Password": PASSWORD, "UserAttributes": [a("email", "ed@example.com")]}));
    g.call(
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool_id, "Username": "ed"}),
    );
    g.call(
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool_id, "Username": "nobody"}),
    );
    g.call(
        "ForgotPassword",
        json!({"ClientId": client_id, "Username": "dora"}),
    );
    g.call(
        "ForgotPassword",
        json!({"ClientId": "nope", "Username": "dora"}),
    );
    g.call("ConfirmForgotPassword", json!({"ClientId": client_id, "Username": "dora", "ConfirmationCode": "000000", "Password": "N3w-Passw0rd!"}));
    let code = g.e.last_code("dora").unwrap();
    g.call("ConfirmForgotPassword", json!({"ClientId": client_id, "Username": "dora", "ConfirmationCode": code, "Password": "N3w-Passw0rd!"}));
    g.call("InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id, "AuthParameters": {"USERNAME": "dora", "PASSWORD": "N3w-Passw0rd!"}}));
    g.call("InitiateAuth", json!({"AuthFlow": "USER_AUTH", "ClientId": client_id, "AuthParameters": {"USERNAME": "dora", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "N3w-Passw0rd!"}}));

    // Passkeys: the operations without an authenticator (registration needs a signature-less
    // attestation the test does not forge; the passkey suites sign in with real ones).
    let dora = g.call("InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id, "AuthParameters": {"USERNAME": "dora", "PASSWORD": "N3w-Passw0rd!"}}));
    let dora_access = dora["AuthenticationResult"]["AccessToken"].clone();
    g.call(
        "StartWebAuthnRegistration",
        json!({"AccessToken": dora_access}),
    );
    g.call(
        "StartWebAuthnRegistration",
        json!({"AccessToken": "not-a-token"}),
    );
    g.call("CompleteWebAuthnRegistration", json!({"AccessToken": dora_access, "Credential": {"id": "x", "type": "public-key", "response": {}}}));
    g.call(
        "CompleteWebAuthnRegistration",
        json!({"AccessToken": dora_access}),
    );
    g.call(
        "ListWebAuthnCredentials",
        json!({"AccessToken": dora_access}),
    );
    g.call(
        "ListWebAuthnCredentials",
        json!({"AccessToken": "not-a-token"}),
    );
    g.call(
        "DeleteWebAuthnCredential",
        json!({"AccessToken": dora_access, "CredentialId": "nope"}),
    );
    g.call("InitiateAuth", json!({"AuthFlow": "USER_AUTH", "ClientId": client_id, "AuthParameters": {"USERNAME": "dora", "PREFERRED_CHALLENGE": "WEB_AUTHN"}}));

    // The hosted UI and OAuth: authorize, the sign-in page, a wrong then a right password, the
    // code for tokens, userInfo, refresh, revoke, sign-up pages, logout.
    let authorize = format!(
        "oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid+email&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    g.get(
        "authorize: a bad client",
        "oauth2/authorize?response_type=code&client_id=nope&redirect_uri=x",
    );
    let page = g.get("authorize: the sign-in page", &authorize);
    let wrong = g.submit(
        "login: a wrong password",
        &page,
        "login",
        &[("username", "alice"), ("password", "Wr0ng-pass!")],
    );
    g.post_form(
        "login: no CSRF token",
        "login",
        &[("username", "alice"), ("password", PASSWORD)],
    );
    let mfa = g.submit(
        "login: alice",
        &wrong,
        "login",
        &[("username", "alice"), ("password", PASSWORD)],
    );
    let secret_now = cognito_flows::totp::code(&secret, now).unwrap();
    g.submit(
        "login: TOTP",
        &mfa,
        "login/mfa",
        &[("code", secret_now.expose())],
    );
    // A code for tokens: at once when the browser is signed in, else through ed's sign-in.
    let again = g.get("authorize again", &authorize);
    let redirect = if again.status() == 302 {
        again
    } else {
        g.submit(
            "login: ed",
            &again,
            "login",
            &[("username", "ed"), ("password", PASSWORD)],
        )
    };
    let location = redirect
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let code = url::Url::parse(&location)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    let token_fields = [
        ("grant_type", "authorization_code"),
        ("client_id", client_id.as_str()),
        ("redirect_uri", CALLBACK),
        ("code", code.as_str()),
        (
            "code_verifier",
            "dBjftJeZ4CVP-mJ0kzJwfjC68y2Ds-J0tgxDrPxplSGmUGrW-dbOvzDc",
        ),
    ];
    let tokens = g.post_form("token: the code", "oauth2/token", &token_fields);
    g.post_form("token: the code again", "oauth2/token", &token_fields);
    let tokens: Value = serde_json::from_slice(tokens.body()).unwrap_or(Value::Null);
    let bearer = format!(
        "Bearer {}",
        tokens["access_token"].as_str().unwrap_or_default()
    );
    let request = http::Request::get(format!("{}oauth2/userInfo", g.e.endpoint()))
        .header("authorization", bearer)
        .body(Vec::new())
        .unwrap();
    g.send("userInfo", request);
    g.get("userInfo without a token", "oauth2/userInfo");
    let oauth_refresh = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    g.post_form(
        "token: refresh",
        "oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client_id.as_str()),
            ("refresh_token", oauth_refresh.as_str()),
        ],
    );
    g.post_form(
        "revoke",
        "oauth2/revoke",
        &[
            ("client_id", client_id.as_str()),
            ("token", oauth_refresh.as_str()),
        ],
    );
    g.post_form(
        "token: a revoked refresh",
        "oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client_id.as_str()),
            ("refresh_token", oauth_refresh.as_str()),
        ],
    );
    g.get(
        "logout: an unregistered URL",
        &format!("logout?client_id={client_id}&logout_uri=http://evil.example/"),
    );
    g.get(
        "logout",
        &format!("logout?client_id={client_id}&logout_uri=http://localhost:3000/"),
    );
    let signup = g.get(
        "sign-up page",
        &format!(
            "signup?{}",
            authorize.trim_start_matches("oauth2/authorize?")
        ),
    );
    let confirm = g.submit(
        "sign-up",
        &signup,
        "signup",
        &[
            ("username", "fay"),
            ("email", "fay@example.com"),
            ("password", PASSWORD),
        ],
    );
    let code = g.e.last_code("fay").unwrap_or_default();
    g.submit(
        "confirm: a wrong code",
        &confirm,
        "confirm",
        &[("code", "000000")],
    );
    g.submit("confirm", &confirm, "confirm", &[("code", code.as_str())]);
    g.get(
        "login page",
        &format!(
            "login?{}",
            authorize.trim_start_matches("oauth2/authorize?")
        ),
    );
    g.get(
        "authorize without a browser",
        &format!("{authorize}&username=dora&password=N3w-Passw0rd!"),
    );
    g.get("JWKS", &format!("{pool_id}/.well-known/jwks.json"));
    g.get(
        "OpenID configuration",
        &format!("{pool_id}/.well-known/openid-configuration"),
    );
    g.get("outbox", "_emulator/outbox?username=dora");
    g.get("an unknown page", "nope");

    // Custom auth through Rust callbacks.
    let quiz_pool = g.e.create_user_pool(PoolConfig {
        name: "quiz".into(),
        custom_auth: Some(CustomAuthTriggers(Arc::new(Quiz))),
        ..PoolConfig::default()
    });
    let quiz_client =
        g.e.create_client(&quiz_pool, ClientConfig::default())
            .unwrap();
    g.e.admin_create_user(&quiz_pool, "gil", PASSWORD, &[("email", "gil@example.com")])
        .unwrap();
    let quiz = UserPool::new(&quiz_pool, quiz_client.id)
        .unwrap()
        .with_endpoint(g.e.endpoint())
        .unwrap();
    let mut tries = 0;
    let answer = move |_: &Emulator, p: &Prompt| {
        tries += 1;
        match p {
            Prompt::CustomChallenge { .. } => {
                Input::Answer(if tries == 1 { "41" } else { "42" }.into())
            }
            other => panic!("{other:?}"),
        }
    };
    let entropy = g.entropy();
    g.drive(
        "custom auth by callbacks",
        SignIn::custom(&quiz, "gil", entropy),
        answer,
    )
    .unwrap();
    let entropy = g.entropy();
    g.drive(
        "custom auth by callbacks, all wrong",
        SignIn::custom(&quiz, "gil", entropy),
        |_, _| Input::Answer("0".into()),
    )
    .unwrap_err();
    let entropy = g.entropy();
    g.drive(
        "custom auth with SRP first",
        SignIn::custom_with_srp(&quiz, "gil", PASSWORD, entropy),
        |_, _| Input::Answer("42".into()),
    )
    .unwrap();

    // Custom auth, PreSignUp, PostConfirmation and PreTokenGeneration through webhooks.
    let hooked_pool = g.e.create_user_pool(PoolConfig {
        name: "hooked".into(),
        mfa: Mfa::Off,
        device_tracking: DeviceTracking::Off,
        webhooks: Webhooks {
            define_auth_challenge: hooks.url("/define"),
            create_auth_challenge: hooks.url("/create"),
            verify_auth_challenge_response: hooks.url("/verify"),
            pre_sign_up: hooks.url("/pre-sign-up"),
            post_confirmation: hooks.url("/post-confirmation"),
            pre_token_generation: hooks.url("/pre-token"),
            timeout: None,
            ..Webhooks::default()
        },
        ..PoolConfig::default()
    });
    let hooked_client =
        g.e.create_client(&hooked_pool, ClientConfig::default())
            .unwrap();
    let hooked = UserPool::new(&hooked_pool, hooked_client.id.clone())
        .unwrap()
        .with_endpoint(g.e.endpoint())
        .unwrap();
    g.call("SignUp", json!({"ClientId": hooked_client.id, "Username": "hal", "Password": PASSWORD, "UserAttributes": [a("email", "hal@auto.example")]}));
    g.call(
        "SignUp",
        json!({"ClientId": hooked_client.id, "Username": "blocked-ivy", "Password": PASSWORD}),
    );
    g.call("SignUp", json!({"ClientId": hooked_client.id, "Username": "ivy", "Password": PASSWORD, "UserAttributes": [a("email", "ivy@example.com")]}));
    let code = g.e.last_code("ivy").unwrap();
    g.call(
        "ConfirmSignUp",
        json!({"ClientId": hooked_client.id, "Username": "ivy", "ConfirmationCode": code}),
    );
    let mut tries = 0;
    let entropy = g.entropy();
    g.drive(
        "custom auth by webhooks",
        SignIn::custom(&hooked, "hal", entropy),
        move |_, p| {
            tries += 1;
            match p {
                Prompt::CustomChallenge { .. } => {
                    Input::Answer(if tries == 1 { "41" } else { "42" }.into())
                }
                other => panic!("{other:?}"),
            }
        },
    )
    .unwrap();
    g.call("InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": hooked_client.id, "AuthParameters": {"USERNAME": "ivy", "PASSWORD": PASSWORD}}));

    // Deletions, last.
    g.call("DeleteUser", json!({"AccessToken": dora_access}));
    g.call("DeleteUser", json!({"AccessToken": dora_access}));
    g.call(
        "AdminDeleteUser",
        json!({"UserPoolId": pool_id, "Username": "carl"}),
    );
    g.call(
        "AdminDeleteUser",
        json!({"UserPoolId": pool_id, "Username": "carl"}),
    );
    g.call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": other_id}),
    );
    g.call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientId": other_id}),
    );
    let doomed = g.call("CreateUserPool", json!({"PoolName": "doomed"}));
    g.call(
        "DeleteUserPool",
        json!({"UserPoolId": doomed["UserPool"]["Id"]}),
    );
    g.call(
        "DeleteUserPool",
        json!({"UserPoolId": doomed["UserPool"]["Id"]}),
    );
    g.call("NoSuchOperation", json!({}));
    let request = http::Request::get(g.e.endpoint()).body(Vec::new()).unwrap();
    g.send("GET on the API", request);
    let request = http::Request::post(g.e.endpoint())
        .header("x-amz-target", "AWSCognitoIdentityProviderService.GetUser")
        .body(b"not json".to_vec())
        .unwrap();
    g.send("a body that is not JSON", request);
}

/// The stored records, table by table, each table's rows sorted.
fn dump(dir: &Path) -> String {
    let db = rusqlite::Connection::open_with_flags(
        dir.join("emulator.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut out = String::new();
    let mut tables = db
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    let tables: Vec<(String, String)> = tables
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (table, sql) in tables {
        let _ = writeln!(out, "# {sql}");
        let mut rows = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let n = rows.column_count();
        let mut lines: Vec<String> = rows
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| match r.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                        rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                        rusqlite::types::ValueRef::Real(v) => v.to_string(),
                        rusqlite::types::ValueRef::Text(t) => canonical(t),
                        rusqlite::types::ValueRef::Blob(b) => {
                            b.iter().map(|x| format!("{x:02x}")).collect()
                        }
                    })
                    .collect();
                Ok(cells.join(" | "))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        lines.sort();
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// Compares `actual` with the file, or writes it with `GOLDEN_UPDATE=1`; a mismatch shows the
/// first differing lines.
fn compare(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("GOLDEN_UPDATE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected == actual {
        return;
    }
    let mut diff = String::new();
    let (old, new): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut shown = 0;
    for i in 0..old.len().max(new.len()) {
        let (o, n) = (old.get(i), new.get(i));
        if o != n && shown < 12 {
            shown += 1;
            let _ = writeln!(
                diff,
                "line {}:\n- {}\n+ {}",
                i + 1,
                o.unwrap_or(&"<end>"),
                n.unwrap_or(&"<end>")
            );
        }
    }
    let fresh = path.with_extension("actual");
    std::fs::write(&fresh, actual).unwrap();
    panic!(
        "{} differs from this run (written to {}; `diff` them):\n{diff}",
        path.display(),
        fresh.display()
    );
}

#[test]
fn golden_transcript() {
    let dir = std::env::temp_dir().join(format!("emulator-golden-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let hooks = Hooks::start();
    let e = Emulator::start(EmulatorConfig {
        seed: Some([7; 32]),
        clock: Clock::Fixed(UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
        data: Some(dir.clone()),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let port = e.port();
    let mut g = Golden {
        e,
        agent: common::agent(),
        log: String::new(),
        cookies: BTreeMap::new(),
        n: 0,
    };
    run(&mut g, &hooks);
    let mut events = hooks.calls();
    events.sort_all_objects();
    let _ = writeln!(
        g.log,
        "\n## webhook events\n{}",
        serde_json::to_string_pretty(&events).unwrap()
    );
    let Golden { e, log, .. } = g;
    drop(e);
    let ports = |s: &str| {
        s.replace(&format!("127.0.0.1:{port}"), "127.0.0.1:EMULATOR")
            .replace(&format!("127.0.0.1:{}", hooks.port), "127.0.0.1:WEBHOOKS")
    };
    let store = dump(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    compare("transcript.txt", &ports(&log));
    compare("store.txt", &ports(&store));
}
