//! The emulator refuses what Cognito refuses, against a hostile client speaking raw HTTP where the
//! library would never send the attack; and it serves what real clients send.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognito_flows::{Action, Entropy, Flow, SignIn};
use cognito_flows_emulator::{
    ClientConfig, Clock, DeviceTracking, EmulatorConfig, Mfa, PoolConfig,
};
use cognito_flows_testkit::emulator::{Fixture, Options};
use serde_json::{Value, json};

use common::{agent, send, totp};

const PASSWORD: &str = "Passw0rd!";

fn world_with(emulator: EmulatorConfig, pool: PoolConfig, client: ClientConfig) -> Fixture {
    Fixture::start(
        Options::default()
            .emulator(emulator)
            .pool(pool)
            .client(client),
    )
}

fn world(pool: PoolConfig) -> Fixture {
    Fixture::start(Options::default().pool(pool))
}

/// One JSON 1.1 call: status, body, `x-amzn-RequestId`.
fn call(w: &Fixture, operation: &str, body: &Value) -> (u16, Value) {
    w.call(operation, body)
}

fn kind(answer: &(u16, Value)) -> &str {
    answer.1["__type"].as_str().unwrap_or("none")
}

fn password_sign_in(w: &Fixture, user: &str, password: &str) -> (u16, Value) {
    call(
        w,
        "InitiateAuth",
        &json!({"ClientId": w.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": user, "PASSWORD": password}}),
    )
}

fn tokens(w: &Fixture, user: &str) -> Value {
    let (status, body) = password_sign_in(w, user, PASSWORD);
    assert_eq!(status, 200, "{body}");
    body["AuthenticationResult"].clone()
}

fn get_user(w: &Fixture, access: &Value) -> (u16, Value) {
    call(w, "GetUser", &json!({"AccessToken": access}))
}

fn entropy() -> Entropy {
    use std::sync::atomic::AtomicU8;
    static N: AtomicU8 = AtomicU8::new(100);
    Entropy::from([N.fetch_add(1, Ordering::Relaxed); 32])
}

/// Drives an SRP sign-in, letting `tamper` rewrite each request's JSON body (numbered from 0)
/// before it is sent. Returns the last response's body.
fn srp_sign_in(w: &Fixture, user: &str, mut tamper: impl FnMut(usize, &mut Value)) -> Value {
    let agent = agent();
    let mut flow = SignIn::user_srp(&w.pool, user, PASSWORD, entropy());
    let mut last = Value::Null;
    for n in 0..10 {
        match flow.poll_action() {
            Action::Send(request) => {
                let (parts, body) = request.into_parts();
                let mut json: Value = serde_json::from_slice(&body).unwrap();
                tamper(n, &mut json);
                let request = http::Request::from_parts(parts, json.to_string().into_bytes());
                let response = send(&agent, request);
                last = serde_json::from_slice(response.body()).unwrap();
                if flow.handle_response(w.emulator.now(), response).is_err() {
                    return last;
                }
            }
            Action::Done(_) | Action::Failed(_) => return last,
            Action::Prompt(p) => panic!("unexpected prompt {p:?}"),
            _ => unreachable!(),
        }
    }
    panic!("no end")
}

/// Item 1: the PASSWORD_VERIFIER session of a user name alone, a TOTP code of the empty key, and
/// MFA_SETUP gave tokens. A session serves only the challenge it was issued for.
#[test]
fn a_user_name_alone_gets_no_tokens() {
    for mfa in [Mfa::Off, Mfa::On] {
        let w = world(PoolConfig {
            mfa,
            ..PoolConfig::default()
        });
        w.add_user("victim", PASSWORD, &[]);
        let (status, challenge) = call(
            &w,
            "InitiateAuth",
            &json!({"ClientId": w.client_id, "AuthFlow": "USER_SRP_AUTH",
                    "AuthParameters": {"USERNAME": "victim", "SRP_A": "02"}}),
        );
        assert_eq!(status, 200);
        let session = challenge["Session"].clone();
        let empty_key_code = totp(b"", w.emulator.now());
        let verified = call(
            &w,
            "VerifySoftwareToken",
            &json!({"Session": session, "UserCode": empty_key_code}),
        );
        assert_eq!(kind(&verified), "NotAuthorizedException", "{verified:?}");
        let setup = call(
            &w,
            "RespondToAuthChallenge",
            &json!({"ClientId": w.client_id, "ChallengeName": "MFA_SETUP", "Session": session,
                    "ChallengeResponses": {"USERNAME": "victim"}}),
        );
        assert!(setup.1.get("AuthenticationResult").is_none(), "{setup:?}");
        // A session would be used with the code it got, too.
        if let Some(next) = verified.1.get("Session") {
            let setup = call(
                &w,
                "RespondToAuthChallenge",
                &json!({"ClientId": w.client_id, "ChallengeName": "MFA_SETUP", "Session": next,
                        "ChallengeResponses": {"USERNAME": "victim"}}),
            );
            assert!(setup.1.get("AuthenticationResult").is_none(), "{setup:?}");
        }
    }
    // With the password, at MFA_SETUP: no secret was associated, so no code verifies.
    let w = world(PoolConfig {
        mfa: Mfa::On,
        ..PoolConfig::default()
    });
    w.add_user("victim", PASSWORD, &[]);
    let (_, challenge) = password_sign_in(&w, "victim", PASSWORD);
    assert_eq!(challenge["ChallengeName"], "MFA_SETUP");
    let verified = call(
        &w,
        "VerifySoftwareToken",
        &json!({"Session": challenge["Session"], "UserCode": totp(b"", w.emulator.now())}),
    );
    assert_eq!(kind(&verified), "NotAuthorizedException", "{verified:?}");
}

/// Fidelity: pycognito answers PASSWORD_VERIFIER without a `Session`, and Cognito accepts it.
#[test]
fn password_verifier_without_a_session() {
    let w = world(PoolConfig::default());
    w.add_user("py", PASSWORD, &[]);
    let last = srp_sign_in(&w, "py", |n, body| {
        if n == 1 {
            body.as_object_mut().unwrap().remove("Session");
        }
    });
    assert!(
        last["AuthenticationResult"]["AccessToken"].is_string(),
        "{last}"
    );
}

/// Item 8: a wrong USERNAME in the answer is refused and leaves the session for the right one.
#[test]
fn a_wrong_username_does_not_use_up_the_session() {
    let w = world(PoolConfig::default());
    w.add_user("alice", PASSWORD, &[]);
    w.add_user("mallory", PASSWORD, &[]);
    let last = srp_sign_in(&w, "alice", |n, body| {
        if n == 1 {
            let mut forged = body.clone();
            forged["ChallengeResponses"]["USERNAME"] = json!("mallory");
            let refused = call(&w, "RespondToAuthChallenge", &forged);
            assert_eq!(kind(&refused), "NotAuthorizedException");
        }
    });
    assert!(
        last["AuthenticationResult"]["AccessToken"].is_string(),
        "{last}"
    );
}

/// Item 8: sessions live three minutes.
#[test]
fn sessions_expire_after_three_minutes() {
    let w = world(PoolConfig::default());
    w.add_user("slow", PASSWORD, &[]);
    let last = srp_sign_in(&w, "slow", |n, _| {
        if n == 1 {
            w.emulator.advance(Duration::from_secs(181));
        }
    });
    assert_eq!(last["__type"], "NotAuthorizedException", "{last}");
    assert_eq!(
        last["message"],
        "Invalid session for the user, session is expired."
    );
}

fn raw_head(port: u16, length: usize) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.GetUser\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {length}\r\n\r\n"
    )
    .unwrap();
    s
}

fn patient() -> EmulatorConfig {
    EmulatorConfig {
        io_timeout: Duration::from_secs(60),
        ..EmulatorConfig::default()
    }
}

/// Item 2: a client sending its body a byte a second, and one that never sends it, delay no one.
#[test]
fn slowloris_does_not_delay_another_sign_in() {
    let w = world_with(patient(), PoolConfig::default(), ClientConfig::default());
    w.add_user("alice", PASSWORD, &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let silent = raw_head(w.emulator.port(), 4096);
    let mut trickle = raw_head(w.emulator.port(), 4096);
    let trickle_clone = trickle.try_clone().unwrap();
    let flag = Arc::clone(&stop);
    let dripper = std::thread::spawn(move || {
        // At most 30 bytes, one a second, until the test is done.
        for _ in 0..30 {
            if flag.load(Ordering::SeqCst) || trickle.write_all(b" ").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    std::thread::sleep(Duration::from_millis(1500));
    for _ in 0..3 {
        let last = srp_sign_in(&w, "alice", |_, _| {});
        assert!(
            last["AuthenticationResult"]["AccessToken"].is_string(),
            "{last}"
        );
    }
    stop.store(true, Ordering::SeqCst);
    let _ = trickle_clone.shutdown(Shutdown::Both);
    let _ = silent.shutdown(Shutdown::Both);
    dripper.join().unwrap();
}

/// Item 2: 20,000 pipelined requests whose replies are never read block no one, and the stalled
/// connection is closed at its write deadline.
#[test]
fn pipelining_without_reading_blocks_no_one() {
    let w = world_with(
        EmulatorConfig {
            io_timeout: Duration::from_secs(2),
            ..EmulatorConfig::default()
        },
        PoolConfig::default(),
        ClientConfig::default(),
    );
    w.add_user("alice", PASSWORD, &[]);
    let mut flood = TcpStream::connect(("127.0.0.1", w.emulator.port())).unwrap();
    flood
        .set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let closer = flood.try_clone().unwrap();
    let request = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSCognitoIdentityProviderService.GetUser\r\nContent-Length: 2\r\n\r\n{}";
    let flooder = std::thread::spawn(move || {
        let mut sent = 0;
        for _ in 0..20_000 {
            if flood.write_all(request.as_bytes()).is_err() {
                break;
            }
            sent += 1;
        }
        sent
    });
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..3 {
        let last = srp_sign_in(&w, "alice", |_, _| {});
        assert!(
            last["AuthenticationResult"]["AccessToken"].is_string(),
            "{last}"
        );
    }
    // The flooder either sent everything or was cut off by the server's write deadline; either
    // way it ends, and nothing it did stopped the sign-ins above.
    let sent = flooder.join().unwrap();
    assert!(sent > 0);
    let _ = closer.shutdown(Shutdown::Both);
}

/// Item 3: tokens belong to the user (`sub`), not to the name: after DeleteUser and a new
/// SignUp of the same name, the old tokens are dead.
#[test]
fn tokens_die_with_their_user() {
    let w = world(PoolConfig::default());
    for admin in [false, true] {
        w.add_user("reborn", PASSWORD, &[]);
        let old = tokens(&w, "reborn");
        if admin {
            w.emulator.admin_delete_user(&w.pool_id, "reborn").unwrap();
        } else {
            let deleted = call(
                &w,
                "DeleteUser",
                &json!({"AccessToken": old["AccessToken"]}),
            );
            assert_eq!(deleted.0, 200);
        }
        let signed_up = call(
            &w,
            "SignUp",
            &json!({"ClientId": w.client_id, "Username": "reborn", "Password": PASSWORD}),
        );
        assert_eq!(signed_up.0, 200, "{signed_up:?}");
        assert_eq!(
            kind(&get_user(&w, &old["AccessToken"])),
            "NotAuthorizedException"
        );
        let refreshed = call(
            &w,
            "InitiateAuth",
            &json!({"ClientId": w.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "AuthParameters": {"REFRESH_TOKEN": old["RefreshToken"]}}),
        );
        assert_eq!(kind(&refreshed), "NotAuthorizedException");
        w.emulator.admin_delete_user(&w.pool_id, "reborn").unwrap();
    }
}

/// Item 4: only standard and declared custom attributes; never a token claim, `sub` or a
/// `*_verified` flag from the user.
#[test]
fn attributes_are_checked_against_the_schema() {
    let w = world(PoolConfig {
        custom_attributes: vec!["tenant".into()],
        ..PoolConfig::default()
    });
    w.add_user("ann", PASSWORD, &[("email", "ann@example.com")]);
    let t = tokens(&w, "ann");
    for name in [
        "token_use",
        "client_id",
        "scope",
        "username",
        "iss",
        "custom:undeclared",
        "email_verified",
        "phone_number_verified",
        "sub",
    ] {
        let refused = call(
            &w,
            "UpdateUserAttributes",
            &json!({"AccessToken": t["AccessToken"], "UserAttributes": [{"Name": name, "Value": "true"}]}),
        );
        assert_eq!(kind(&refused), "InvalidParameterException", "{name}");
        let refused = call(
            &w,
            "SignUp",
            &json!({"ClientId": w.client_id, "Username": format!("x{}", name.len()), "Password": PASSWORD,
                    "UserAttributes": [{"Name": name, "Value": "true"}]}),
        );
        assert_eq!(kind(&refused), "InvalidParameterException", "{name}");
    }
    let (status, _) = call(
        &w,
        "UpdateUserAttributes",
        &json!({"AccessToken": t["AccessToken"], "UserAttributes": [
            {"Name": "custom:tenant", "Value": "acme"}, {"Name": "given_name", "Value": "Ann"}]}),
    );
    assert_eq!(status, 200);
    let id = tokens(&w, "ann")["IdToken"].as_str().unwrap().to_owned();
    let claims: Value =
        serde_json::from_slice(&B64URL.decode(id.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(
        (
            &claims["custom:tenant"],
            &claims["token_use"],
            &claims["email_verified"]
        ),
        (&json!("acme"), &json!("id"), &json!(true))
    );

    // NEW_PASSWORD_REQUIRED takes the same attributes only.
    w.emulator
        .admin_create_user_with_temporary_password(&w.pool_id, "ned", "Temp-Passw0rd!", &[])
        .unwrap();
    let (_, challenge) = password_sign_in(&w, "ned", "Temp-Passw0rd!");
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let refused = call(
        &w,
        "RespondToAuthChallenge",
        &json!({"ClientId": w.client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": challenge["Session"],
                "ChallengeResponses": {"USERNAME": "ned", "NEW_PASSWORD": PASSWORD, "userAttributes.token_use": "access"}}),
    );
    assert_eq!(kind(&refused), "InvalidParameterException");
    let done = call(
        &w,
        "RespondToAuthChallenge",
        &json!({"ClientId": w.client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": challenge["Session"],
                "ChallengeResponses": {"USERNAME": "ned", "NEW_PASSWORD": PASSWORD, "userAttributes.name": "Ned"}}),
    );
    assert!(done.1["AuthenticationResult"].is_object(), "{done:?}");
}

fn get(w: &Fixture, path_and_query: &str) -> http::Response<Vec<u8>> {
    send(
        &agent(),
        http::Request::get(format!("{}{path_and_query}", w.emulator.endpoint()))
            .body(Vec::new())
            .unwrap(),
    )
}

/// Item 5: `/oauth2/authorize` redirects only to a registered callback URL, matched exactly,
/// and refuses control characters.
#[test]
fn authorize_redirects_only_to_registered_callbacks() {
    let callback = "http://localhost:3000/cb";
    let w = world_with(
        EmulatorConfig::default(),
        PoolConfig::default(),
        ClientConfig {
            callback_urls: vec![callback.into()],
            ..ClientConfig::default()
        },
    );
    w.add_user("lee", PASSWORD, &[]);
    let authorize = |redirect: &str| {
        get(
            &w,
            &format!(
                "oauth2/authorize?response_type=code&client_id={}&redirect_uri={redirect}&username=lee&password={}",
                w.client_id,
                url::form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect::<String>()
            ),
        )
    };
    for evil in [
        "https://evil.example/cb",
        "http://localhost:3000/cb/../x",
        "http://localhost:3000/cbx",
        "http://localhost:3000/cb%0d%0aSet-Cookie:%20a=b",
        "http://localhost:3000/cb%0d%0a",
    ] {
        let response = authorize(evil);
        assert_eq!(response.status().as_u16(), 400, "{evil}");
        assert!(response.headers().get("location").is_none());
        assert!(response.headers().get("set-cookie").is_none());
    }
    let response = authorize("http%3A%2F%2Flocalhost%3A3000%2Fcb");
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{callback}?code=")),
        "{location}"
    );
}

fn oauth_post(w: &Fixture, path: &str, form: &str) -> http::Response<Vec<u8>> {
    send(
        &agent(),
        http::Request::post(format!("{}{path}", w.emulator.endpoint()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.as_bytes().to_vec())
            .unwrap(),
    )
}

/// Item 6: one revocation check for every path.
#[test]
fn sign_out_and_revoke_hold_on_every_path() {
    let w = world(PoolConfig::default());
    w.add_user("sam", PASSWORD, &[]);
    let t = tokens(&w, "sam");
    assert_eq!(
        call(
            &w,
            "GlobalSignOut",
            &json!({"AccessToken": t["AccessToken"]})
        )
        .0,
        200
    );
    let refreshed = oauth_post(
        &w,
        "oauth2/token",
        &format!(
            "grant_type=refresh_token&client_id={}&refresh_token={}",
            w.client_id,
            t["RefreshToken"].as_str().unwrap()
        ),
    );
    assert_eq!(refreshed.status().as_u16(), 400);

    // Item 8: signing in again at once (same second) gives tokens that work.
    let t = tokens(&w, "sam");
    assert_eq!(get_user(&w, &t["AccessToken"]).0, 200);
    let refresh = t["RefreshToken"].as_str().unwrap();
    let from_refresh = oauth_post(
        &w,
        "oauth2/token",
        &format!(
            "grant_type=refresh_token&client_id={}&refresh_token={refresh}",
            w.client_id
        ),
    );
    assert_eq!(from_refresh.status().as_u16(), 200);
    let from_refresh: Value = serde_json::from_slice(from_refresh.body()).unwrap();
    let revoked = oauth_post(
        &w,
        "oauth2/revoke",
        &format!("token={refresh}&client_id={}", w.client_id),
    );
    assert_eq!(revoked.status().as_u16(), 200);
    for access in [&t["AccessToken"], &from_refresh["access_token"]] {
        assert_eq!(kind(&get_user(&w, access)), "NotAuthorizedException");
    }
}

/// Item 8 with a fixed clock: a GlobalSignOut revokes what came before it, in the same second.
#[test]
fn sign_out_then_sign_in_in_the_same_second() {
    let w = world_with(
        EmulatorConfig {
            clock: Clock::Fixed(UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
            ..EmulatorConfig::default()
        },
        PoolConfig::default(),
        ClientConfig::default(),
    );
    w.add_user("fast", PASSWORD, &[]);
    let before = tokens(&w, "fast");
    assert_eq!(
        call(
            &w,
            "GlobalSignOut",
            &json!({"AccessToken": before["AccessToken"]})
        )
        .0,
        200
    );
    let after = tokens(&w, "fast");
    assert_eq!(get_user(&w, &after["AccessToken"]).0, 200);
    assert_eq!(
        kind(&get_user(&w, &before["AccessToken"])),
        "NotAuthorizedException"
    );
}

/// Item 7: codes die after five wrong guesses; wrong passwords lock the user out for a while.
#[test]
fn attempt_limits() {
    // A fixed clock: the one-second lockout must not pass while a loaded machine runs the test.
    let w = world_with(
        EmulatorConfig {
            clock: Clock::Fixed(SystemTime::now()),
            ..EmulatorConfig::default()
        },
        PoolConfig::default(),
        ClientConfig::default(),
    );
    let (status, _) = call(
        &w,
        "SignUp",
        &json!({"ClientId": w.client_id, "Username": "guess", "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "guess@example.com"}]}),
    );
    assert_eq!(status, 200);
    let right = w.emulator.last_code("guess").unwrap();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let confirm = |code: &str| {
        call(
            &w,
            "ConfirmSignUp",
            &json!({"ClientId": w.client_id, "Username": "guess", "ConfirmationCode": code}),
        )
    };
    let answers: Vec<String> = (0..5).map(|_| kind(&confirm(wrong)).to_owned()).collect();
    assert_eq!(answers[..4], ["CodeMismatchException"; 4]);
    assert_eq!(answers[4], "LimitExceededException");
    assert_ne!(confirm(&right).0, 200, "the code is dead");

    w.add_user("locked", PASSWORD, &[]);
    for _ in 0..5 {
        let refused = password_sign_in(&w, "locked", "Wr0ng-pass!");
        assert_eq!(refused.1["message"], "Incorrect username or password.");
    }
    let locked = password_sign_in(&w, "locked", PASSWORD);
    assert_eq!(
        (kind(&locked), locked.1["message"].as_str()),
        ("NotAuthorizedException", Some("Password attempts exceeded"))
    );
    let locked = srp_sign_in(&w, "locked", |_, _| {});
    assert_eq!(locked["message"], "Password attempts exceeded");
    w.emulator.advance(Duration::from_secs(2));
    let unlocked = password_sign_in(&w, "locked", PASSWORD);
    assert_eq!(unlocked.0, 200, "{unlocked:?}");
}

/// Item 8: access tokens are checked against the signing key.
#[test]
fn forged_access_tokens_are_refused() {
    let w = world(PoolConfig::default());
    w.add_user("eve", PASSWORD, &[]);
    w.add_user("boss", PASSWORD, &[]);
    let t = tokens(&w, "eve");
    let token = t["AccessToken"].as_str().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&B64URL.decode(parts[1]).unwrap()).unwrap();
    claims["username"] = json!("boss");
    let payload = B64URL.encode(claims.to_string());
    let none = B64URL.encode(r#"{"alg":"none","typ":"JWT"}"#);
    for forged in [
        format!("{}.{payload}.{}", parts[0], parts[2]),
        format!("{none}.{}.", parts[1]),
        format!("{none}.{payload}."),
        format!("{}.{}", parts[0], parts[1]),
    ] {
        assert_eq!(
            kind(&get_user(&w, &json!(forged))),
            "NotAuthorizedException"
        );
    }
    assert_eq!(get_user(&w, &t["AccessToken"]).1["Username"], "eve");
}

/// Item 8: device SRP needs a confirmed device with a real verifier.
#[test]
fn device_srp_refuses_an_unconfirmed_device() {
    let w = world(PoolConfig {
        device_tracking: DeviceTracking::Always,
        ..PoolConfig::default()
    });
    w.add_user("dev", PASSWORD, &[]);
    let t = tokens(&w, "dev");
    let key = t["NewDeviceMetadata"]["DeviceKey"].clone();
    // Unconfirmed: a sign-in naming it goes straight on, with no device challenge to answer.
    let (_, answer) = call(
        &w,
        "InitiateAuth",
        &json!({"ClientId": w.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "dev", "PASSWORD": PASSWORD, "DEVICE_KEY": key}}),
    );
    assert!(answer["AuthenticationResult"].is_object(), "{answer}");
    let device_srp = call(
        &w,
        "RespondToAuthChallenge",
        &json!({"ClientId": w.client_id, "ChallengeName": "DEVICE_SRP_AUTH",
                "ChallengeResponses": {"USERNAME": "dev", "DEVICE_KEY": key, "SRP_A": "02"}}),
    );
    assert_eq!(kind(&device_srp), "NotAuthorizedException");
    let zero = call(
        &w,
        "ConfirmDevice",
        &json!({"AccessToken": t["AccessToken"], "DeviceKey": key,
                "DeviceSecretVerifierConfig": {"PasswordVerifier": "AA==", "Salt": "AA=="}}),
    );
    assert_eq!(kind(&zero), "InvalidParameterException");
}

/// Item 8: PreventUserExistenceErrors (on by default) hides who exists; off, Cognito says.
#[test]
fn unknown_users_look_like_known_ones() {
    let w = world(PoolConfig::default());
    w.add_user("real", PASSWORD, &[("email", "real@example.com")]);
    let challenge = |name: &str| {
        call(
            &w,
            "InitiateAuth",
            &json!({"ClientId": w.client_id, "AuthFlow": "USER_SRP_AUTH",
                    "AuthParameters": {"USERNAME": name, "SRP_A": "02"}}),
        )
    };
    let (real, ghost, again) = (challenge("real"), challenge("ghost"), challenge("ghost"));
    for answer in [&real, &ghost] {
        assert_eq!(answer.0, 200);
        let params = &answer.1["ChallengeParameters"];
        assert_eq!(answer.1["ChallengeName"], "PASSWORD_VERIFIER");
        for key in ["SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"] {
            assert!(params[key].is_string(), "{key}");
        }
    }
    assert_eq!(
        ghost.1["ChallengeParameters"]["SALT"],
        again.1["ChallengeParameters"]["SALT"]
    );
    // Answering the made-up challenge fails as a wrong password does.
    w.add_user("ghostless", PASSWORD, &[]);
    let last = srp_sign_in(&w, "ghost", |_, _| {});
    assert_eq!(
        (&last["__type"], &last["message"]),
        (
            &json!("NotAuthorizedException"),
            &json!("Incorrect username or password.")
        )
    );
    let forgot = call(
        &w,
        "ForgotPassword",
        &json!({"ClientId": w.client_id, "Username": "ghost"}),
    );
    assert_eq!(forgot.0, 200);
    assert_eq!(forgot.1["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");

    let open = w
        .emulator
        .create_client(
            &w.pool_id,
            ClientConfig {
                prevent_user_existence_errors: false,
                ..ClientConfig::default()
            },
        )
        .unwrap();
    let forgot = call(
        &w,
        "ForgotPassword",
        &json!({"ClientId": open.id, "Username": "ghost"}),
    );
    assert_eq!(kind(&forgot), "UserNotFoundException");
}

/// Fidelity: request ids everywhere, the JWKS as JSON beside the OpenID configuration, GET.
#[test]
fn http_details_real_clients_rely_on() {
    let w = world(PoolConfig::default());
    let jwks = get(&w, &format!("{}/.well-known/jwks.json", w.pool_id));
    assert_eq!(jwks.status().as_u16(), 200);
    assert_eq!(jwks.headers()["content-type"], "application/json");
    assert!(jwks.headers().contains_key("x-amzn-requestid"));
    let config = get(
        &w,
        &format!("{}/.well-known/openid-configuration", w.pool_id),
    );
    assert_eq!(config.status().as_u16(), 200);
    let config: Value = serde_json::from_slice(config.body()).unwrap();
    assert_eq!(config["issuer"], w.pool.issuer());
    assert_eq!(
        config["jwks_uri"],
        format!(
            "{}{}/.well-known/jwks.json",
            w.emulator.endpoint(),
            w.pool_id
        )
    );
    let unknown = call(&w, "Nope", &json!({}));
    assert_eq!(kind(&unknown), "UnknownOperationException");
    let a = get(&w, "oauth2/userInfo");
    let b = get(&w, "oauth2/userInfo");
    assert_ne!(
        a.headers()["x-amzn-requestid"],
        b.headers()["x-amzn-requestid"]
    );
}

/// Fidelity: ForgotPassword needs a verified email or phone.
#[test]
fn forgot_password_needs_a_verified_address() {
    let w = world(PoolConfig::default());
    w.add_user("nomail", PASSWORD, &[]);
    w.add_user(
        "unverified",
        PASSWORD,
        &[("email", "u@example.com"), ("email_verified", "false")],
    );
    for user in ["nomail", "unverified"] {
        let forgot = call(
            &w,
            "ForgotPassword",
            &json!({"ClientId": w.client_id, "Username": user}),
        );
        assert_eq!(kind(&forgot), "InvalidParameterException", "{user}");
    }
}

/// Fidelity: codes readable from any language, and a fixed code for simple suites.
#[test]
fn the_outbox_endpoint_and_a_fixed_code() {
    let w = world(PoolConfig {
        fixed_code: Some("424242".into()),
        ..PoolConfig::default()
    });
    call(
        &w,
        "SignUp",
        &json!({"ClientId": w.client_id, "Username": "ola", "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "ola@example.com"}]}),
    );
    let outbox = get(&w, "_emulator/outbox?username=ola");
    assert_eq!(outbox.headers()["content-type"], "application/json");
    let outbox: Value = serde_json::from_slice(outbox.body()).unwrap();
    assert_eq!(
        outbox["messages"],
        json!([{"pool_id": w.pool_id, "username": "ola", "medium": "EMAIL",
                "destination": "ola@example.com", "purpose": "SignUp", "code": "424242"}])
    );
    let confirmed = call(
        &w,
        "ConfirmSignUp",
        &json!({"ClientId": w.client_id, "Username": "ola", "ConfirmationCode": "424242"}),
    );
    assert_eq!(confirmed.0, 200);
    let other: Value =
        serde_json::from_slice(get(&w, "_emulator/outbox?username=nobody").body()).unwrap();
    assert_eq!(other["messages"], json!([]));
}

/// Issue 20 item 6: TOTP on a pool with MFA off is refused; the authenticator's name comes back
/// as FRIENDLY_DEVICE_NAME.
#[test]
fn totp_follows_the_pool_and_keeps_its_name() {
    let off = world(PoolConfig::default());
    off.emulator
        .admin_create_user(&off.pool_id, "otto", PASSWORD, &[])
        .unwrap();
    let t = tokens(&off, "otto");
    let associated = call(
        &off,
        "AssociateSoftwareToken",
        &json!({"AccessToken": t["AccessToken"]}),
    );
    assert_eq!(kind(&associated), "SoftwareTokenMFANotFoundException");
    assert!(
        off.emulator
            .admin_enable_sms_mfa(&off.pool_id, "otto")
            .is_err()
    );

    let w = world(PoolConfig {
        mfa: Mfa::Optional,
        ..PoolConfig::default()
    });
    w.add_user("tina", PASSWORD, &[]);
    let t = tokens(&w, "tina");
    let (_, associated) = call(
        &w,
        "AssociateSoftwareToken",
        &json!({"AccessToken": t["AccessToken"]}),
    );
    let key = data_encoding::BASE32_NOPAD
        .decode(associated["SecretCode"].as_str().unwrap().as_bytes())
        .unwrap();
    let verified = call(
        &w,
        "VerifySoftwareToken",
        &json!({"AccessToken": t["AccessToken"], "UserCode": totp(&key, w.emulator.now()), "FriendlyDeviceName": "my phone"}),
    );
    assert_eq!(verified.0, 200, "{verified:?}");
    call(
        &w,
        "SetUserMFAPreference",
        &json!({"AccessToken": t["AccessToken"], "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let (_, challenge) = password_sign_in(&w, "tina", PASSWORD);
    assert_eq!(challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(
        challenge["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"],
        "my phone"
    );
}

/// A body larger than the bound is refused, not read.
#[test]
fn bodies_are_bounded() {
    let w = world(PoolConfig::default());
    let mut s = raw_head(w.emulator.port(), 10 * 1024 * 1024);
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..8 {
        if s.write_all(&chunk).is_err() {
            break;
        }
    }
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    let text = String::from_utf8_lossy(&reply);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
}

/// Many clients at once: 50 concurrent SRP sign-ins all succeed.
#[test]
fn fifty_concurrent_srp_sign_ins() {
    let w = world(PoolConfig::default());
    for i in 0..50 {
        w.add_user(&format!("user{i}"), PASSWORD, &[]);
    }
    let signed_in = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let w = &w;
                scope.spawn(move || {
                    let last = srp_sign_in(w, &format!("user{i}"), |_, _| {});
                    last["AuthenticationResult"]["AccessToken"].is_string()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|ok| *ok)
            .count()
    });
    assert_eq!(signed_in, 50);
}
