//! Webhook answers: a pool whose six Lambda triggers are webhooks on a local server (one per
//! process, on 127.0.0.1) that answers, in turn, what the fuzzer scripted: a status and a body,
//! mostly shaped like the trigger's response, with fields of any type.

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Value, json};

use super::model::{any_json, string};
use super::world::{USERS, World};
use crate::Webhooks;

/// The webhook server's script: the answers still to give, and the events received.
#[derive(Default)]
struct Script {
    answers: VecDeque<(u16, Vec<u8>)>,
    events: Vec<String>,
}

fn script() -> &'static Mutex<Script> {
    static SCRIPT: Mutex<Script> = Mutex::new(Script {
        answers: VecDeque::new(),
        events: Vec::new(),
    });
    &SCRIPT
}

/// The webhook server's URL (started once per process): every request gets the next scripted
/// answer, or `200 {}` when the script is done.
fn server() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("a webhook server for the fuzz target: {e}"));
        let port = listener.local_addr().map_or(0, |a| a.port());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut reader = BufReader::new(&stream);
                let mut length = 0;
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    if let Some((k, v)) = line.split_once(':')
                        && k.eq_ignore_ascii_case("content-length")
                    {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let mut event = vec![0; length];
                let _ = reader.read_exact(&mut event);
                let (status, body) = {
                    let mut script = script().lock().unwrap_or_else(|p| p.into_inner());
                    script.events.push(String::from_utf8_lossy(&event).into_owned());
                    script.answers.pop_front().unwrap_or((200, b"{}".to_vec()))
                };
                let mut stream = &stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} Fuzz\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            }
        });
        format!("http://127.0.0.1:{port}/")
    })
}

/// Fields of the triggers' responses.
const FIELDS: &[&str] = &[
    "autoConfirmUser",
    "autoVerifyEmail",
    "autoVerifyPhone",
    "challengeName",
    "issueTokens",
    "failAuthentication",
    "publicChallengeParameters",
    "privateChallengeParameters",
    "challengeMetadata",
    "answerCorrect",
    "claimsOverrideDetails",
    "errorMessage",
    "emailMessage",
    "emailSubject",
    "smsMessage",
];

/// Claims a PreTokenGeneration answer may try to add, override or suppress.
const CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "token_use",
    "exp",
    "iat",
    "cognito:username",
    "cognito:groups",
    "email",
    "email_verified",
    "custom:tenant",
    "tenant",
    "jti",
    "auth_time",
];

/// One scripted answer.
fn answer(u: &mut Unstructured<'_>) -> Result<(u16, Vec<u8>)> {
    let status = match u.int_in_range(0..=9)? {
        0 => 400,
        1 => 500,
        2 => u.int_in_range(100..=599)?,
        _ => 200,
    };
    let body = match u.int_in_range(0..=9)? {
        0 => string(u)?.into_bytes(),
        1 => any_json(u, 3)?.to_string().into_bytes(),
        n => {
            let mut response = Map::new();
            for _ in 0..u.int_in_range(0..=4)? {
                let field = *u.choose(FIELDS)?;
                response.insert(field.to_owned(), field_value(u, field)?);
            }
            let body = if n % 2 == 0 {
                json!({"version": "1", "response": response})
            } else {
                Value::Object(response)
            };
            body.to_string().into_bytes()
        }
    };
    Ok((status, body))
}

fn field_value(u: &mut Unstructured<'_>, field: &str) -> Result<Value> {
    if u.ratio(1, 8)? {
        return any_json(u, 2);
    }
    Ok(match field {
        "challengeName" => json!(*u.choose(&[
            "CUSTOM_CHALLENGE",
            "PASSWORD_VERIFIER",
            "SRP_A",
            "DEVICE_SRP_AUTH",
            "SMS_MFA"
        ])?),
        "publicChallengeParameters" | "privateChallengeParameters" => {
            let mut map = Map::new();
            for _ in 0..u.int_in_range(0..=2)? {
                let key = if u.ratio(1, 2)? {
                    "answer".to_owned()
                } else {
                    string(u)?
                };
                map.insert(key, json!(string(u)?));
            }
            Value::Object(map)
        }
        "challengeMetadata" | "errorMessage" | "emailSubject" => json!(string(u)?),
        // CustomMessage's texts: with the code's placeholder, or (refused) without it.
        "emailMessage" | "smsMessage" => {
            let text = string(u)?;
            if u.ratio(3, 4)? {
                json!(format!("{text} {{####}}"))
            } else {
                json!(text)
            }
        }
        "claimsOverrideDetails" => {
            let mut add = Map::new();
            for _ in 0..u.int_in_range(0..=3)? {
                let claim = *u.choose(CLAIMS)?;
                add.insert(
                    claim.to_owned(),
                    if u.ratio(3, 4)? {
                        json!(string(u)?)
                    } else {
                        any_json(u, 1)?
                    },
                );
            }
            let mut suppress = Vec::new();
            for _ in 0..u.int_in_range(0..=2)? {
                suppress.push(json!(*u.choose(CLAIMS)?));
            }
            let mut groups = Vec::new();
            for _ in 0..u.int_in_range(0..=2)? {
                groups.push(json!(string(u)?));
            }
            json!({
                "claimsToAddOrOverride": add,
                "claimsToSuppress": suppress,
                "groupOverrideDetails": {"groupsToOverride": groups},
            })
        }
        _ => json!(u.arbitrary::<bool>()?),
    })
}

/// What a step of the script asks the emulator.
fn step(
    u: &mut Unstructured<'_>,
    world: &World,
    session: &str,
    refresh: &str,
    n: usize,
) -> Result<(&'static str, Value)> {
    let client = &world.client.id;
    let (alice, alice_password, ..) = USERS[0];
    let new_user = format!("hook{n}");
    Ok(match u.int_in_range(0..=7)? {
        0 => (
            "SignUp",
            json!({"ClientId": client, "Username": new_user, "Password": "Passw0rd!hook",
            "UserAttributes": [{"Name": "email", "Value": format!("{new_user}@example.com")}]}),
        ),
        1 => {
            let code = world
                .emulator
                .outbox()
                .last()
                .map(|m| m.code.clone())
                .unwrap_or_default();
            let username = world
                .emulator
                .outbox()
                .last()
                .map(|m| m.username.clone())
                .unwrap_or_default();
            (
                "ConfirmSignUp",
                json!({"ClientId": client, "Username": username, "ConfirmationCode": code}),
            )
        }
        2 => (
            "AdminConfirmSignUp",
            json!({"UserPoolId": world.pool, "Username": *u.choose(&[new_user.as_str(), "bob", "hook0"])?}),
        ),
        3 => (
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": alice, "PASSWORD": alice_password}}),
        ),
        4 => (
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "CUSTOM_AUTH",
            "AuthParameters": {"USERNAME": *u.choose(&[alice, "bob", "carol", "nobody"])?}}),
        ),
        5 => (
            "RespondToAuthChallenge",
            json!({"ClientId": client, "ChallengeName": "CUSTOM_CHALLENGE",
            "Session": session, "ChallengeResponses": {"USERNAME": alice, "ANSWER": string(u)?}}),
        ),
        6 => (
            "ForgotPassword",
            json!({"ClientId": client, "Username": *u.choose(&[alice, "bob", new_user.as_str()])?}),
        ),
        _ => (
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": refresh}}),
        ),
    })
}

/// A sequence of up to 8 calls that run webhooks (PreSignUp, PostConfirmation,
/// PreAuthentication, PostAuthentication, CustomMessage, the custom-auth triggers,
/// PreTokenGeneration), each with up to 4 scripted webhook answers. Every answer is a
/// well-formed Cognito answer whose error the model declares; tokens go to enabled, confirmed
/// users only, and whatever the PreTokenGeneration answer says, an ID token keeps its `sub`,
/// `iss`, `aud`, `token_use` and `cognito:username`; no event sent to a webhook holds a password.
pub fn webhook_answers(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let url = server();
    let world = World::with_webhooks(
        0,
        Webhooks {
            define_auth_challenge: Some(format!("{url}define")),
            create_auth_challenge: Some(format!("{url}create")),
            verify_auth_challenge_response: Some(format!("{url}verify")),
            pre_sign_up: Some(format!("{url}pre-sign-up")),
            post_confirmation: Some(format!("{url}post-confirmation")),
            pre_token_generation: Some(format!("{url}pre-token")),
            pre_authentication: Some(format!("{url}pre-authentication")),
            post_authentication: Some(format!("{url}post-authentication")),
            custom_message: Some(format!("{url}custom-message")),
            timeout: Some(Duration::from_secs(2)),
        },
    );
    let (mut session, mut refresh) = (String::new(), String::new());
    for n in 0..8 {
        if u.is_empty() {
            break;
        }
        let Ok((operation, body)) = step(&mut u, &world, &session, &refresh, n) else {
            break;
        };
        let mut answers = VecDeque::new();
        for _ in 0..u.int_in_range(0..=4).unwrap_or(0) {
            let Ok(a) = answer(&mut u) else { break };
            answers.push_back(a);
        }
        {
            let mut script = script().lock().unwrap_or_else(|p| p.into_inner());
            script.answers = answers;
            script.events.clear();
        }
        let (_, answer) = world.call(operation, &body);
        world.check_tokens(operation, &answer);
        world.check_state();
        check_id_token(&world, operation, &answer);
        let events = std::mem::take(&mut script().lock().unwrap_or_else(|p| p.into_inner()).events);
        for event in events {
            assert!(
                !event.contains("Passw0rd!"),
                "{operation}: a webhook event holds a password: {event}"
            );
        }
        if let Some(s) = answer["Session"].as_str() {
            session = s.to_owned();
        }
        if let Some(r) = answer["AuthenticationResult"]["RefreshToken"].as_str() {
            refresh = r.to_owned();
        }
    }
}

fn check_id_token(world: &World, operation: &str, answer: &Value) {
    let Some(id) = answer["AuthenticationResult"]["IdToken"].as_str() else {
        return;
    };
    let claims = crate::auth::jwt::claims(id)
        .unwrap_or_else(|| panic!("{operation}: an unreadable ID token"));
    let username = claims["cognito:username"]
        .as_str()
        .unwrap_or_else(|| panic!("{operation}: an ID token without cognito:username: {claims}"));
    let inner = world.emulator.lock();
    let user = inner
        .user(&world.pool, username)
        .unwrap_or_else(|_| panic!("{operation}: an ID token for {username}, who does not exist"));
    assert_eq!(
        claims["sub"],
        json!(user.sub),
        "{operation}: sub overridden: {claims}"
    );
    assert_eq!(
        claims["token_use"],
        json!("id"),
        "{operation}: token_use overridden: {claims}"
    );
    assert_eq!(
        claims["aud"],
        json!(world.client.id),
        "{operation}: aud overridden: {claims}"
    );
    assert!(
        claims["iss"]
            .as_str()
            .is_some_and(|iss| iss.ends_with(&format!("/{}", world.pool))),
        "{operation}: iss overridden: {claims}"
    );
}
