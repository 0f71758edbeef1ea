//! Lambda triggers as HTTP webhooks, served by a Python program (emulator/clients/python/
//! webhook_server.py, standard library only): the custom-auth triggers driven by the library's
//! `SignIn::custom` (and with SRP first, as Cognito orders it), PreSignUp's autoConfirmUser,
//! PostConfirmation, PreTokenGeneration's claim overrides, PreAuthentication, PostAuthentication,
//! CustomMessage, and Cognito's errors for webhooks that time out, fail or answer garbage.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_flows::{Entropy, ErrorKind, Input, Prompt, SignIn};
use cognito_flows_emulator::{Emulator, PoolConfig, Webhooks};
use cognito_flows_testkit::emulator::{Fixture, Options};
use serde_json::{Value, json};

use common::hooks::Hooks;

const PASSWORD: &str = "Passw0rd!";

fn world(webhooks: Webhooks) -> Fixture {
    Fixture::start(Options::default().pool(PoolConfig {
        webhooks,
        ..PoolConfig::default()
    }))
}

fn call(e: &Emulator, operation: &str, body: &Value) -> (u16, Value) {
    common::call(e.endpoint(), operation, body)
}

fn claims(token: &Value) -> Value {
    let payload = token.as_str().unwrap().split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn entropy(n: u8) -> Entropy {
    Entropy::from([n; 32])
}

/// The three custom-auth triggers in Python: a wrong answer asks again, the right one signs in,
/// three wrong ones fail; with SRP first the password is checked before the question. The
/// events are the ones AWS documents.
#[test]
fn custom_challenge_through_python_webhooks() {
    let hooks = Hooks::start();
    let w = world(Webhooks {
        define_auth_challenge: hooks.url("/define"),
        create_auth_challenge: hooks.url("/create"),
        verify_auth_challenge_response: hooks.url("/verify"),
        ..Webhooks::default()
    });
    w.add_user("mia", PASSWORD, &[("email", "mia@example.com")]);
    let mut asked = Vec::new();
    let tokens = w
        .drive(SignIn::custom(&w.pool, "mia", entropy(1)), |p| {
            let Prompt::CustomChallenge { parameters, .. } = p else {
                panic!("{p:?}")
            };
            asked.push(parameters["question"].clone());
            Input::Answer(if asked.len() == 1 { "41" } else { "42" }.into())
        })
        .unwrap();
    assert_eq!(asked, ["What is 6 x 7?", "What is 6 x 7?"]);
    assert_eq!(
        tokens
            .tokens
            .id_token
            .unwrap()
            .claims()
            .str("cognito:username"),
        Some("mia")
    );

    let defines = hooks.events("/define");
    let first = &defines[0];
    assert_eq!(first["version"], "1");
    assert_eq!(first["triggerSource"], "DefineAuthChallenge_Authentication");
    assert_eq!(first["region"], "us-east-1");
    assert_eq!(first["userPoolId"], w.pool_id.as_str());
    assert_eq!(first["userName"], "mia");
    assert_eq!(first["callerContext"]["clientId"], w.client_id.as_str());
    assert_eq!(first["request"]["session"], json!([]));
    assert_eq!(
        first["request"]["userAttributes"]["email"],
        "mia@example.com"
    );
    assert_eq!(first["request"]["userNotFound"], false);
    assert!(first["response"].is_object());
    assert_eq!(
        defines[2]["request"]["session"],
        json!([
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": null},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": null},
        ])
    );
    let verifies = hooks.events("/verify");
    assert_eq!(
        verifies[0]["triggerSource"],
        "VerifyAuthChallengeResponse_Authentication"
    );
    assert_eq!(
        verifies[0]["request"]["privateChallengeParameters"],
        json!({"answer": "42"})
    );
    assert_eq!(verifies[0]["request"]["challengeAnswer"], "41");
    let creates = hooks.events("/create");
    assert_eq!(
        creates[0]["triggerSource"],
        "CreateAuthChallenge_Authentication"
    );
    assert_eq!(creates[0]["request"]["challengeName"], "CUSTOM_CHALLENGE");

    // Three wrong answers: the define trigger fails the sign-in.
    let failed = w
        .drive(SignIn::custom(&w.pool, "mia", entropy(2)), |_| {
            Input::Answer("7".into())
        })
        .unwrap_err();
    assert_eq!(failed.service_kind(), Some(&ErrorKind::NotAuthorized));

    // SRP first: the right password, then the question; a wrong password never reaches it.
    let before = hooks.events("/create").len();
    w.drive(
        SignIn::custom_with_srp(&w.pool, "mia", PASSWORD, entropy(3)),
        |_| Input::Answer("42".into()),
    )
    .unwrap();
    assert_eq!(hooks.events("/create").len(), before + 1);
    let wrong = w
        .drive(
            SignIn::custom_with_srp(&w.pool, "mia", "Wrong-Passw0rd!", entropy(4)),
            |_| Input::Answer("42".into()),
        )
        .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert_eq!(hooks.events("/create").len(), before + 1);
}

/// PreSignUp: autoConfirmUser and autoVerifyEmail (no code sent, sign-in at once, the email
/// verified); a refusal is UserLambdaValidationException with the webhook's message.
/// PostConfirmation gets the confirmed user.
#[test]
fn pre_sign_up_auto_confirms_and_post_confirmation_is_told() {
    let hooks = Hooks::start();
    let w = world(Webhooks {
        pre_sign_up: hooks.url("/pre-sign-up"),
        post_confirmation: hooks.url("/post-confirmation"),
        ..Webhooks::default()
    });
    let sign_up = |name: &str, email: &str| {
        call(
            &w.emulator,
            "SignUp",
            &json!({"ClientId": w.client_id, "Username": name, "Password": PASSWORD,
                    "UserAttributes": [{"Name": "email", "Value": email}],
                    "ClientMetadata": {"app": "test"}}),
        )
    };
    let (status, answer) = sign_up("ada", "ada@auto.example");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["UserConfirmed"], true);
    assert!(answer.get("CodeDeliveryDetails").is_none());
    // The code SignUp sent confirms nothing: the user is confirmed already.
    let (_, again) = call(
        &w.emulator,
        "ConfirmSignUp",
        &json!({"ClientId": w.client_id, "Username": "ada",
                "ConfirmationCode": w.emulator.last_code("ada").unwrap()}),
    );
    assert_eq!(again["__type"], "NotAuthorizedException", "{again}");
    let event = &hooks.events("/pre-sign-up")[0];
    assert_eq!(event["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(event["userName"], "ada");
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "ada@auto.example"
    );
    assert_eq!(event["request"]["clientMetadata"], json!({"app": "test"}));
    let (status, signed_in) = call(
        &w.emulator,
        "InitiateAuth",
        &json!({"ClientId": w.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "ada", "PASSWORD": PASSWORD}}),
    );
    assert_eq!(status, 200, "{signed_in}");
    assert_eq!(
        claims(&signed_in["AuthenticationResult"]["IdToken"])["email_verified"],
        true
    );

    let (status, refused) = sign_up("blocked-bob", "bob@example.com");
    assert_eq!(status, 400);
    assert_eq!(refused["__type"], "UserLambdaValidationException");
    assert_eq!(
        refused["message"],
        "PreSignUp failed with error Sign-ups from blocked users are refused."
    );

    // An ordinary sign-up: a code, then PostConfirmation with the confirmed user.
    let (status, answer) = sign_up("cy", "cy@example.com");
    assert_eq!(status, 200);
    assert_eq!(answer["UserConfirmed"], false);
    let code = w.emulator.last_code("cy").unwrap();
    assert!(hooks.events("/post-confirmation").is_empty());
    let (status, _) = call(
        &w.emulator,
        "ConfirmSignUp",
        &json!({"ClientId": w.client_id, "Username": "cy", "ConfirmationCode": code}),
    );
    assert_eq!(status, 200);
    let confirmed = &hooks.events("/post-confirmation")[0];
    assert_eq!(confirmed["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        confirmed["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(
        confirmed["request"]["userAttributes"]["email_verified"],
        "true"
    );
}

/// PreTokenGeneration: a claim added, a protected one (`sub`) left alone, one suppressed, the
/// groups overridden in both tokens; on refresh too, with its own trigger source.
#[test]
fn pre_token_generation_overrides_claims() {
    let hooks = Hooks::start();
    let w = world(Webhooks {
        pre_token_generation: hooks.url("/pre-token"),
        ..Webhooks::default()
    });
    let sub = w
        .emulator
        .admin_create_user(
            &w.pool_id,
            "lee",
            PASSWORD,
            &[
                ("email", "lee@example.com"),
                ("phone_number", "+15555550100"),
            ],
        )
        .unwrap();
    let (status, answer) = call(
        &w.emulator,
        "InitiateAuth",
        &json!({"ClientId": w.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "lee", "PASSWORD": PASSWORD}}),
    );
    assert_eq!(status, 200, "{answer}");
    let result = &answer["AuthenticationResult"];
    let id = claims(&result["IdToken"]);
    assert_eq!(id["tenant"], "acme");
    assert_eq!(id["sub"], sub.as_str());
    assert_eq!(id["email"], "lee@example.com");
    assert!(id.get("phone_number").is_none(), "{id}");
    assert_eq!(id["cognito:groups"], json!(["admins"]));
    assert_eq!(
        claims(&result["AccessToken"])["cognito:groups"],
        json!(["admins"])
    );
    let event = &hooks.events("/pre-token")[0];
    assert_eq!(event["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(event["request"]["userAttributes"]["sub"], sub.as_str());
    assert!(event["request"]["groupConfiguration"].is_object());

    let (status, refreshed) = call(
        &w.emulator,
        "InitiateAuth",
        &json!({"ClientId": w.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": result["RefreshToken"]}}),
    );
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(
        claims(&refreshed["AuthenticationResult"]["IdToken"])["tenant"],
        "acme"
    );
    assert_eq!(
        hooks.events("/pre-token")[1]["triggerSource"],
        "TokenGeneration_RefreshTokens"
    );
}

/// A webhook that times out or cannot be reached is UnexpectedLambdaException, one that fails
/// UserLambdaValidationException, one that answers garbage InvalidLambdaResponseException. A slow
/// webhook holds up only its own call: the emulator serves others meanwhile.
#[test]
fn bad_webhooks_give_cognito_errors() {
    let hooks = Hooks::start();
    let unreachable = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}/", l.local_addr().unwrap().port())
    };
    for (url, timeout, kind, message) in [
        (
            hooks.url("/slow"),
            300,
            "UnexpectedLambdaException",
            "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.",
        ),
        (
            Some(unreachable),
            2000,
            "UnexpectedLambdaException",
            "PreSignUp invocation failed due to error Connection refused.",
        ),
        (
            hooks.url("/error"),
            2000,
            "UserLambdaValidationException",
            "PreSignUp failed with error boom.",
        ),
        (
            hooks.url("/garbage"),
            2000,
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
    ] {
        let w = world(Webhooks {
            pre_sign_up: url.clone(),
            timeout: Some(Duration::from_millis(timeout)),
            ..Webhooks::default()
        });
        let (status, answer) = call(
            &w.emulator,
            "SignUp",
            &json!({"ClientId": w.client_id, "Username": "zed", "Password": PASSWORD}),
        );
        assert_eq!(status, 400, "{url:?}");
        assert_eq!(answer["__type"], kind, "{url:?}: {answer}");
        assert_eq!(answer["message"], message, "{url:?}");
        // Nothing was created.
        let (_, again) = call(
            &w.emulator,
            "InitiateAuth",
            &json!({"ClientId": w.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": "zed", "PASSWORD": PASSWORD}}),
        );
        assert_eq!(again["__type"], "NotAuthorizedException");
    }
    assert_eq!(
        call(
            &world(Webhooks {
                pre_sign_up: hooks.url("/error"),
                ..Webhooks::default()
            })
            .emulator,
            "SignUp",
            &json!({"ClientId": "nosuchclient", "Username": "zed", "Password": PASSWORD}),
        )
        .1["__type"],
        "ResourceNotFoundException"
    );

    // A webhook that takes 3 s (under a 10 s timeout) while another client signs in.
    let w = Arc::new(world(Webhooks {
        pre_sign_up: hooks.url("/slow"),
        timeout: Some(Duration::from_secs(10)),
        ..Webhooks::default()
    }));
    w.add_user("lee", PASSWORD, &[]);
    let done = Arc::new(AtomicBool::new(false));
    let slow = {
        let (w, done) = (Arc::clone(&w), Arc::clone(&done));
        std::thread::spawn(move || {
            let answer = call(
                &w.emulator,
                "SignUp",
                &json!({"ClientId": w.client_id, "Username": "slowpoke", "Password": PASSWORD}),
            );
            done.store(true, Ordering::SeqCst);
            answer
        })
    };
    while hooks.events("/slow").is_empty() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, _) = call(
        &w.emulator,
        "InitiateAuth",
        &json!({"ClientId": w.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "lee", "PASSWORD": PASSWORD}}),
    );
    assert_eq!(status, 200);
    assert!(
        !done.load(Ordering::SeqCst),
        "the sign-in was served while the webhook ran"
    );
    let (status, answer) = slow.join().unwrap();
    assert_eq!(status, 200, "{answer}");
}

/// The `request.session` of every DefineAuthChallenge call to `path`, oldest first.
fn define_sessions(hooks: &Hooks, path: &str) -> Vec<Value> {
    hooks
        .events(path)
        .iter()
        .map(|e| e["request"]["session"].clone())
        .collect()
}

fn result(name: &str, right: bool) -> Value {
    json!({"challengeName": name, "challengeResult": right, "challengeMetadata": null})
}

/// CUSTOM_AUTH started with SRP (`CHALLENGE_NAME=SRP_A`), as Cognito runs it with webhooks:
/// DefineAuthChallenge sees `[SRP_A]` and asks PASSWORD_VERIFIER, then `[SRP_A,
/// PASSWORD_VERIFIER]` and asks the custom challenge, then the answer and issues tokens. A wrong
/// password reaches it as a failed PASSWORD_VERIFIER; a define that fails after one wrong answer
/// fails the sign-in.
#[test]
fn custom_auth_with_srp_asks_define_at_every_step() {
    let hooks = Hooks::start();
    let w = world(Webhooks {
        define_auth_challenge: hooks.url("/define"),
        create_auth_challenge: hooks.url("/create"),
        verify_auth_challenge_response: hooks.url("/verify"),
        ..Webhooks::default()
    });
    w.add_user("sam", PASSWORD, &[]);
    let mut asked = Vec::new();
    let tokens = w
        .drive(
            SignIn::custom_with_srp(&w.pool, "sam", PASSWORD, entropy(5)),
            |p| {
                let Prompt::CustomChallenge { parameters, .. } = p else {
                    panic!("{p:?}")
                };
                asked.push(parameters["question"].clone());
                Input::Answer("42".into())
            },
        )
        .unwrap();
    assert_eq!(asked, ["What is 6 x 7?"]);
    assert_eq!(
        tokens
            .tokens
            .id_token
            .unwrap()
            .claims()
            .str("cognito:username"),
        Some("sam")
    );
    assert_eq!(
        define_sessions(&hooks, "/define"),
        [
            json!([result("SRP_A", true)]),
            json!([result("SRP_A", true), result("PASSWORD_VERIFIER", true)]),
            json!([
                result("SRP_A", true),
                result("PASSWORD_VERIFIER", true),
                result("CUSTOM_CHALLENGE", true)
            ]),
        ]
    );
    let creates = hooks.events("/create");
    assert_eq!(creates.len(), 1);
    assert_eq!(
        creates[0]["request"]["session"],
        json!([result("SRP_A", true), result("PASSWORD_VERIFIER", true)])
    );

    // A wrong password: define is told, fails the sign-in, and no question is asked.
    let wrong = w
        .drive(
            SignIn::custom_with_srp(&w.pool, "sam", "Wrong-Passw0rd!", entropy(6)),
            |_| Input::Answer("42".into()),
        )
        .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert_eq!(
        define_sessions(&hooks, "/define").last().unwrap(),
        &json!([result("SRP_A", true), result("PASSWORD_VERIFIER", false)])
    );
    assert_eq!(hooks.events("/create").len(), 1);

    // One wrong answer, and a define that allows no second try.
    let strict = world(Webhooks {
        define_auth_challenge: hooks.url("/define-one-try"),
        create_auth_challenge: hooks.url("/create"),
        verify_auth_challenge_response: hooks.url("/verify"),
        ..Webhooks::default()
    });
    strict.add_user("sam", PASSWORD, &[]);
    let failed = strict
        .drive(
            SignIn::custom_with_srp(&strict.pool, "sam", PASSWORD, entropy(7)),
            |_| Input::Answer("41".into()),
        )
        .unwrap_err();
    assert_eq!(failed.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert_eq!(
        define_sessions(&hooks, "/define-one-try").last().unwrap(),
        &json!([
            result("SRP_A", true),
            result("PASSWORD_VERIFIER", true),
            result("CUSTOM_CHALLENGE", false)
        ])
    );
}

/// PreAuthentication runs before the password is checked, on every sign-in flow: a refusal is
/// UserLambdaValidationException ("PreAuthentication failed with error ...") even with a wrong
/// password, and no challenge is started; the event carries the user's attributes, the
/// `ClientMetadata` as `validationData`, and `userNotFound` for an unknown user of a client that
/// prevents user existence errors. A refresh does not run it.
#[test]
fn pre_authentication_runs_before_every_password_check() {
    let hooks = Hooks::start();
    let w = world(Webhooks {
        pre_authentication: hooks.url("/pre-auth"),
        ..Webhooks::default()
    });
    w.add_user("ann", PASSWORD, &[("email", "ann@example.com")]);
    w.add_user("blocked-ben", PASSWORD, &[("email", "ben@example.com")]);
    let initiate = |operation: &str, flow: &str, params: Value| {
        let mut body = json!({"ClientId": w.client_id, "AuthFlow": flow, "AuthParameters": params,
                              "ClientMetadata": {"app": "test"}});
        if operation == "AdminInitiateAuth" {
            body["UserPoolId"] = json!(w.pool_id);
        }
        call(&w.emulator, operation, &body)
    };
    let (status, answer) = initiate(
        "InitiateAuth",
        "USER_PASSWORD_AUTH",
        json!({"USERNAME": "ann", "PASSWORD": PASSWORD}),
    );
    assert_eq!(status, 200, "{answer}");
    let event = &hooks.events("/pre-auth")[0];
    assert_eq!(event["triggerSource"], "PreAuthentication_Authentication");
    assert_eq!(event["userName"], "ann");
    assert_eq!(event["userPoolId"], w.pool_id.as_str());
    assert_eq!(event["callerContext"]["clientId"], w.client_id.as_str());
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "ann@example.com"
    );
    assert_eq!(event["request"]["validationData"], json!({"app": "test"}));
    assert_eq!(event["request"]["userNotFound"], false);
    assert_eq!(event["response"], json!({}));

    let srp_a = "a".repeat(256);
    for (operation, flow, params) in [
        (
            "InitiateAuth",
            "USER_PASSWORD_AUTH",
            json!({"USERNAME": "blocked-ben", "PASSWORD": PASSWORD}),
        ),
        (
            "InitiateAuth",
            "USER_PASSWORD_AUTH",
            json!({"USERNAME": "blocked-ben", "PASSWORD": "Wrong-Passw0rd!"}),
        ),
        (
            "AdminInitiateAuth",
            "ADMIN_USER_PASSWORD_AUTH",
            json!({"USERNAME": "blocked-ben", "PASSWORD": PASSWORD}),
        ),
        (
            "InitiateAuth",
            "USER_SRP_AUTH",
            json!({"USERNAME": "blocked-ben", "SRP_A": srp_a}),
        ),
        (
            "InitiateAuth",
            "USER_AUTH",
            json!({"USERNAME": "blocked-ben", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}),
        ),
        (
            "InitiateAuth",
            "USER_AUTH",
            json!({"USERNAME": "blocked-ben"}),
        ),
        (
            "InitiateAuth",
            "CUSTOM_AUTH",
            json!({"USERNAME": "blocked-ben", "CHALLENGE_NAME": "SRP_A", "SRP_A": srp_a}),
        ),
    ] {
        let (status, refused) = initiate(operation, flow, params);
        assert_eq!(status, 400, "{flow}: {refused}");
        assert_eq!(
            refused["__type"], "UserLambdaValidationException",
            "{flow}: {refused}"
        );
        assert_eq!(
            refused["message"],
            "PreAuthentication failed with error Sign-ins from blocked users are refused.",
            "{flow}"
        );
    }
    // An unknown user of a client that prevents user existence errors: userNotFound.
    let before = hooks.events("/pre-auth").len();
    let (_, unknown) = initiate(
        "InitiateAuth",
        "USER_PASSWORD_AUTH",
        json!({"USERNAME": "nobody", "PASSWORD": PASSWORD}),
    );
    assert_eq!(unknown["__type"], "NotAuthorizedException", "{unknown}");
    let events = hooks.events("/pre-auth");
    assert_eq!(events.len(), before + 1);
    assert_eq!(events[before]["request"]["userNotFound"], true);
    assert_eq!(events[before]["userName"], "nobody");

    // A refresh is no sign-in.
    let (status, refreshed) = initiate(
        "InitiateAuth",
        "REFRESH_TOKEN_AUTH",
        json!({"REFRESH_TOKEN": answer["AuthenticationResult"]["RefreshToken"]}),
    );
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(hooks.events("/pre-auth").len(), before + 1);
}

/// PostAuthentication runs once a sign-in succeeded, before the tokens are returned: on a
/// password sign-in (no `clientMetadata`: InitiateAuth's is not passed, as AWS documents) and on
/// an SRP one finished by RespondToAuthChallenge (its `ClientMetadata`), with `newDeviceUsed`.
/// A webhook error fails the sign-in in Cognito's words and leaves no live session; a failed
/// sign-in does not run it.
#[test]
fn post_authentication_runs_after_a_successful_sign_in() {
    let hooks = Hooks::start();
    let w = Fixture::start(Options::default().pool(PoolConfig {
        webhooks: Webhooks {
            post_authentication: hooks.url("/post-auth"),
            ..Webhooks::default()
        },
        device_tracking: cognito_flows_emulator::DeviceTracking::Always,
        ..PoolConfig::default()
    }));
    w.add_user("ann", PASSWORD, &[("email", "ann@example.com")]);
    w.add_user("audited-al", PASSWORD, &[]);
    let password = |name: &str, password: &str| {
        call(
            &w.emulator,
            "InitiateAuth",
            &json!({"ClientId": w.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": name, "PASSWORD": password},
                    "ClientMetadata": {"app": "test"}}),
        )
    };
    let (status, answer) = password("ann", PASSWORD);
    assert_eq!(status, 200, "{answer}");
    assert!(answer["AuthenticationResult"]["NewDeviceMetadata"].is_object());
    let events = hooks.events("/post-auth");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["triggerSource"], "PostAuthentication_Authentication");
    assert_eq!(event["userName"], "ann");
    assert_eq!(event["callerContext"]["clientId"], w.client_id.as_str());
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "ann@example.com"
    );
    assert_eq!(event["request"]["newDeviceUsed"], true);
    assert_eq!(event["request"]["clientMetadata"], json!({}));

    // A wrong password: no call.
    let (status, _) = password("ann", "Wrong-Passw0rd!");
    assert_eq!(status, 400);
    assert_eq!(hooks.events("/post-auth").len(), 1);

    // SRP, finished by RespondToAuthChallenge with its ClientMetadata.
    let metadata = [("step".to_owned(), "srp".to_owned())]
        .into_iter()
        .collect();
    w.drive(
        SignIn::builder(&w.pool)
            .with_client_metadata(metadata)
            .without_device_confirmation()
            .user_srp("ann", PASSWORD, entropy(8)),
        |p| panic!("{p:?}"),
    )
    .unwrap();
    let events = hooks.events("/post-auth");
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[1]["request"]["clientMetadata"],
        json!({"step": "srp"})
    );

    // A refusal fails the sign-in.
    let (status, refused) = password("audited-al", PASSWORD);
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["__type"], "UserLambdaValidationException");
    assert_eq!(
        refused["message"],
        "PostAuthentication failed with error The audit log is down."
    );
    assert_eq!(hooks.events("/post-auth").len(), 3);
    // The refused sign-in left no live session (its refresh token was revoked).
    let (status, sessions) = call(
        &w.emulator,
        "AdminListUserSessions",
        &json!({"UserPoolId": w.pool_id, "Username": "audited-al"}),
    );
    assert_eq!(status, 200, "{sessions}");
    assert_eq!(sessions["Sessions"], json!([]), "{sessions}");
}

/// The messages in the outbox for `username`, as `/_emulator/outbox` lists them.
fn outbox(w: &Fixture, username: &str) -> Vec<Value> {
    let listed = common::get_json(
        w.emulator.endpoint(),
        &format!("_emulator/outbox?username={username}"),
    );
    listed["messages"].as_array().unwrap().clone()
}

/// CustomMessage runs for every code and invitation the emulator sends, with the trigger source
/// of what sent it and `codeParameter` (`usernameParameter` for the invitation); its message
/// (the placeholders replaced) and subject are what the outbox records, beside the code. A
/// message without the code placeholder is refused as Cognito refuses it.
#[test]
fn custom_message_writes_every_code_and_invitation() {
    let hooks = Hooks::start();
    let w = Fixture::start(Options::default().pool(PoolConfig {
        webhooks: Webhooks {
            custom_message: hooks.url("/custom-message"),
            ..Webhooks::default()
        },
        mfa: cognito_flows_emulator::Mfa::Optional,
        ..PoolConfig::default()
    }));
    let client = json!(w.client_id);
    let last = |username: &str| outbox(&w, username).last().cloned().unwrap();
    let expect = |username: &str, source: &str| {
        let message = last(username);
        let code = message["code"].as_str().unwrap().to_owned();
        assert_eq!(
            message["message"],
            format!("[{source}] your code is {code}"),
            "{message}"
        );
        if message["medium"] == "EMAIL" {
            assert_eq!(message["subject"], format!("Subject {source}"));
        }
        let event = hooks.events("/custom-message").last().cloned().unwrap();
        assert_eq!(event["triggerSource"], source);
        assert_eq!(event["userName"], username);
        assert_eq!(event["request"]["codeParameter"], "{####}");
        code
    };

    let (status, answer) = call(
        &w.emulator,
        "SignUp",
        &json!({"ClientId": client, "Username": "ann", "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "ann@example.com"}],
                "ClientMetadata": {"app": "test"}}),
    );
    assert_eq!(status, 200, "{answer}");
    expect("ann", "CustomMessage_SignUp");
    let event = &hooks.events("/custom-message")[0];
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "ann@example.com"
    );
    assert_eq!(event["request"]["clientMetadata"], json!({"app": "test"}));
    assert_eq!(event["callerContext"]["clientId"], w.client_id.as_str());

    call(
        &w.emulator,
        "ResendConfirmationCode",
        &json!({"ClientId": client, "Username": "ann"}),
    );
    let code = expect("ann", "CustomMessage_ResendCode");
    let (status, _) = call(
        &w.emulator,
        "ConfirmSignUp",
        &json!({"ClientId": client, "Username": "ann", "ConfirmationCode": code}),
    );
    assert_eq!(status, 200);

    call(
        &w.emulator,
        "ForgotPassword",
        &json!({"ClientId": client, "Username": "ann"}),
    );
    expect("ann", "CustomMessage_ForgotPassword");

    let access = w.access_token("ann", PASSWORD);
    let (status, answer) = call(
        &w.emulator,
        "UpdateUserAttributes",
        &json!({"AccessToken": access,
                "UserAttributes": [{"Name": "email", "Value": "ann@new.example"}]}),
    );
    assert_eq!(status, 200, "{answer}");
    expect("ann", "CustomMessage_UpdateUserAttribute");
    call(
        &w.emulator,
        "GetUserAttributeVerificationCode",
        &json!({"AccessToken": access, "AttributeName": "email"}),
    );
    expect("ann", "CustomMessage_VerifyUserAttribute");

    // The invitation: the user name and the temporary password.
    let (status, answer) = call(
        &w.emulator,
        "AdminCreateUser",
        &json!({"UserPoolId": w.pool_id, "Username": "carl", "TemporaryPassword": "Temp-Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value": "carl@example.com"}]}),
    );
    assert_eq!(status, 200, "{answer}");
    let invitation = last("carl");
    assert_eq!(
        invitation["message"],
        "Welcome carl, your temporary password is Temp-Passw0rd!"
    );
    assert_eq!(
        invitation["subject"],
        "Subject CustomMessage_AdminCreateUser"
    );
    let event = hooks.events("/custom-message").last().cloned().unwrap();
    assert_eq!(event["triggerSource"], "CustomMessage_AdminCreateUser");
    assert_eq!(event["request"]["usernameParameter"], "{username}");

    // An SMS MFA code at sign-in.
    w.add_user("sam", PASSWORD, &[("phone_number", "+15555550100")]);
    w.emulator.admin_enable_sms_mfa(&w.pool_id, "sam").unwrap();
    let (status, answer) = call(
        &w.emulator,
        "InitiateAuth",
        &json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "sam", "PASSWORD": PASSWORD}}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["ChallengeName"], "SMS_MFA");
    assert_eq!(last("sam")["medium"], "SMS");
    expect("sam", "CustomMessage_Authentication");

    // A message without the code placeholder: refused, nothing sent.
    let (status, refused) = call(
        &w.emulator,
        "SignUp",
        &json!({"ClientId": client, "Username": "nocode-ned", "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "ned@example.com"}]}),
    );
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["__type"], "InvalidParameterException");
    assert!(
        refused["message"].as_str().unwrap().contains(
            "failed to satisfy constraint: Member must satisfy regular expression pattern"
        ),
        "{refused}"
    );
    assert!(outbox(&w, "nocode-ned").is_empty());
}
