//! The blocking client against the emulator for the calls of issue 17: sign-in after sign-up
//! with Cognito's sessions, RevokeToken on an app client with a secret, the metadata trio on
//! every call, UpdateAuthEventFeedback, and the `x-amz-user-agent` the client sends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::time::Duration;

use cognito_flows::flows::account::{Confirmation, NewUser};
use cognito_flows::wire::{
    AnalyticsMetadata, ConfirmSignUpResponse, Context, FeedbackValue, UserContextData,
};
use cognito_flows::{ErrorKind, Misuse, SecretString, StoredSession, UserAgent, UserPool};
use cognito_flows_emulator::{ClientConfig, Emulator};
use cognito_flows_testkit::emulator::{Fixture, Options};
use cognito_flows_testkit::user_pool;
use cognito_flows_ureq::{Client, DriveError, no_prompt};

const PASSWORD: &str = "Corr3ct-Horse!";

/// An emulator, a pool, and a client of it (with a secret or not).
fn world(secret: bool) -> (Emulator, UserPool) {
    let Fixture { emulator, pool, .. } = Fixture::start(Options::default().secret_if(secret));
    (emulator, pool)
}

fn another_client(e: &Emulator, pool: &UserPool) -> Client {
    let other = e.create_client(pool.id(), ClientConfig::default()).unwrap();
    Client::new(user_pool(pool.id(), &other.id, None, e.endpoint()))
}

fn kind(e: &DriveError) -> Option<&ErrorKind> {
    e.service_kind()
}

/// Signs `name` up and confirms them with SignUp's session: ConfirmSignUp's answer.
fn sign_up_and_confirm(e: &Emulator, client: &Client, name: &str) -> ConfirmSignUpResponse {
    let signed_up = client
        .sign_up(&NewUser::new(name, PASSWORD).attribute("email", format!("{name}@example.com")))
        .unwrap();
    assert!(signed_up.session.is_some(), "SignUp answers a session");
    let code = e.last_code(name).unwrap();
    let confirmed = client
        .confirm_registration(&Confirmation::after(&signed_up, name, &code))
        .unwrap();
    assert!(
        confirmed.session.is_some(),
        "ConfirmSignUp answers a session"
    );
    confirmed
}

#[test]
fn sign_in_after_sign_up_without_the_password_once_for_that_user_and_client() {
    for secret in [false, true] {
        let (e, pool) = world(secret);
        let client = Client::new(pool.clone());
        let confirmed = sign_up_and_confirm(&e, &client, "alice");
        // Another user's name, and another client, cannot use alice's session; it stays hers.
        let bob = sign_up_and_confirm(&e, &client, "bob");
        let err = client
            .sign_in_after_sign_up("bob", &confirmed, no_prompt)
            .unwrap_err();
        assert_eq!(kind(&err), Some(&ErrorKind::NotAuthorized), "{err}");
        let err = another_client(&e, &pool)
            .sign_in_after_sign_up("alice", &confirmed, no_prompt)
            .unwrap_err();
        assert_eq!(kind(&err), Some(&ErrorKind::NotAuthorized), "{err}");
        let signed_in = client
            .sign_in_after_sign_up("alice", &confirmed, no_prompt)
            .unwrap();
        assert_eq!(signed_in.username, "alice");
        assert_eq!(
            client
                .get_user(&signed_in.tokens.access_token)
                .unwrap()
                .attribute("email"),
            Some("alice@example.com")
        );
        // Once only.
        let again = client
            .sign_in_after_sign_up("alice", &confirmed, no_prompt)
            .unwrap_err();
        assert_eq!(kind(&again), Some(&ErrorKind::NotAuthorized), "{again}");
        // Within its lifetime only: bob's has expired three minutes later.
        e.advance(Duration::from_secs(181));
        let late = client
            .sign_in_after_sign_up("bob", &bob, no_prompt)
            .unwrap_err();
        assert_eq!(kind(&late), Some(&ErrorKind::NotAuthorized), "{late}");
    }
}

#[test]
fn confirm_sign_up_checks_the_session_it_is_given() {
    let (e, pool) = world(false);
    let client = Client::new(pool);
    let alice = client.sign_up(&NewUser::new("alice", PASSWORD)).unwrap();
    let bob = client.sign_up(&NewUser::new("bob", PASSWORD)).unwrap();
    let code = e.last_code("alice").unwrap();
    // Bob's session does not confirm alice, and her code is not spent by the refusal.
    let err = client
        .confirm_registration(&Confirmation::after(&bob, "alice", &code))
        .unwrap_err();
    assert_eq!(kind(&err), Some(&ErrorKind::NotAuthorized), "{err}");
    // A wrong code leaves her session usable.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let err = client
        .confirm_registration(&Confirmation::after(&alice, "alice", wrong))
        .unwrap_err();
    assert_eq!(kind(&err), Some(&ErrorKind::CodeMismatch), "{err}");
    let confirmed = client
        .confirm_registration(&Confirmation::after(&alice, "alice", &code).force_alias_creation())
        .unwrap();
    assert!(confirmed.session.is_some());
    // Without SignUp's session, the answer carries none: a typed misuse, no request.
    let carol = client.sign_up(&NewUser::new("carol", PASSWORD)).unwrap();
    let code = e.last_code("carol").unwrap();
    assert!(carol.session.is_some());
    let plain = client.confirm_sign_up("carol", &code).unwrap();
    assert!(plain.session.is_none());
    let err = client
        .sign_in_after_sign_up("carol", &plain, no_prompt)
        .unwrap_err();
    assert!(
        matches!(
            err,
            DriveError::Auth(cognito_flows::Error::Misuse(Misuse::InvalidInput(_)))
        ),
        "{err}"
    );
}

#[test]
fn revoke_token_sends_the_client_secret() {
    let (e, pool) = world(true);
    e.admin_create_user(pool.id(), "alice", PASSWORD, &[])
        .unwrap();
    let client = Client::new(pool);
    let signed_in = client.sign_in_srp("alice", PASSWORD, no_prompt).unwrap();
    let mut session = StoredSession::from(signed_in);
    let refresh = session.tokens.refresh_token.clone().unwrap();
    client
        .revoke_token(&SecretString::new(refresh.expose()))
        .unwrap();
    let err = client.refresh(&mut session).unwrap_err();
    assert_eq!(kind(&err), Some(&ErrorKind::NotAuthorized), "{err}");
}

#[test]
fn the_metadata_trio_goes_with_every_call_and_cognito_takes_it() {
    let (e, pool) = world(true);
    let context = Context {
        client_metadata: Some([("app".to_owned(), "web".to_owned())].into()),
        analytics_metadata: Some(AnalyticsMetadata {
            analytics_endpoint_id: Some("endpoint-1".into()),
        }),
        user_context_data: Some(UserContextData {
            ip_address: Some("192.0.2.1".into()),
            encoded_data: Some("fingerprint".into()),
        }),
    };
    let client = Client::new(pool).with_context(context);
    let confirmed = sign_up_and_confirm(&e, &client, "alice");
    client
        .sign_in_after_sign_up("alice", &confirmed, no_prompt)
        .unwrap();
    let signed_in = client.sign_in_srp("alice", PASSWORD, no_prompt).unwrap();
    client
        .sign_in_password("alice", PASSWORD, no_prompt)
        .unwrap();
    let access = &signed_in.tokens.access_token;
    client
        .update_user_attributes(
            access,
            vec![cognito_flows::wire::AttributeType::new("name", "Alice")],
        )
        .unwrap();
    client
        .get_user_attribute_verification_code(access, "email")
        .unwrap();
    client
        .forgot_password("alice", |_| {
            let code = e.last_code("alice").unwrap();
            Ok(cognito_flows::Input::PasswordReset {
                code: code.into(),
                password: "N3w-Passw0rd!".into(),
            })
        })
        .unwrap();
    client
        .sign_in_srp("alice", "N3w-Passw0rd!", no_prompt)
        .unwrap();
}

#[test]
fn update_auth_event_feedback_is_refused_without_threat_protection() {
    let (_e, pool) = world(false);
    let client = Client::new(pool);
    let token = SecretString::new("feedback.token-1");
    let err = client
        .update_auth_event_feedback("alice", "event-1", &token, FeedbackValue::Invalid)
        .unwrap_err();
    assert_eq!(
        kind(&err),
        Some(&ErrorKind::UserPoolAddOnNotEnabled),
        "{err}"
    );
    let err = client
        .update_auth_event_feedback(
            "alice",
            "event id with spaces",
            &token,
            FeedbackValue::Valid,
        )
        .unwrap_err();
    assert_eq!(kind(&err), Some(&ErrorKind::InvalidParameter), "{err}");
}

/// One HTTP exchange on a loopback listener: the request head as received, a `{}` answer.
fn capture_one(listener: &TcpListener) -> String {
    let (mut stream, _) = listener.accept().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        if stream.read(&mut byte).unwrap() == 0 {
            break;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8(head).unwrap();
    let length: usize = text
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
    stream.write_all(answer.as_bytes()).unwrap();
    text
}

#[test]
fn the_client_sends_the_user_agent_the_caller_extended() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || [capture_one(&listener), capture_one(&listener)]);
    let pool = UserPool::new("us-east-1_AbC123", "client")
        .unwrap()
        .with_endpoint(&endpoint)
        .unwrap();
    let plain = Client::new(pool.clone());
    plain.global_sign_out("token").unwrap();
    let extended =
        Client::new(pool).with_user_agent(UserAgent::default().append("my-app/2.1").unwrap());
    extended.global_sign_out("token").unwrap();
    let [first, second] = server.join().unwrap();
    let header = |head: &str, name: &str| -> Vec<String> {
        head.lines()
            .filter_map(|l| l.split_once(": "))
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_owned())
            .collect()
    };
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        header(&first, "x-amz-user-agent"),
        [format!("cognito-flows/{version}")]
    );
    assert_eq!(
        header(&second, "x-amz-user-agent"),
        [format!("cognito-flows/{version} my-app/2.1")]
    );
    // User-Agent stays the HTTP client's.
    assert_eq!(
        header(&second, "user-agent"),
        [format!("cognito-flows-ureq/{version}")]
    );
    // What could inject a header never reaches a request.
    for bad in ["x\r\nAuthorization: forged", "x\nSet-Cookie: a=b", "\u{7f}"] {
        assert!(UserAgent::default().append(bad).is_err(), "{bad:?}");
    }
}
