//! Test helper for the Python suite: prints, in one canonical text, every request the Rust core
//! emits for fixed inputs (pool, passwords, entropy, time, canned Cognito answers).
//! `tests/test_snapshot.py` drives the same scenarios through the Python package and checks
//! that it prints exactly the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use cognito_flows::flows::account;
use cognito_flows::flows::hosted_ui::HostedUi;
use cognito_flows::{
    Action, DeviceCredentials, Entropy, Flow, ForgotPassword, Input, SecretString, SignIn, UserPool,
};

/// The canned answers, shared with `tests/test_snapshot.py` (which reads them from this
/// program's `--answers` output so both sides use the very same bytes).
const ACCESS: &str =
    "eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6ImFsaWNlIiwiaWF0IjoxNzY0MDAwMDAwLCJleHAiOjE3NjQwMDM2MDB9.";
const ID: &str = "eyJhbGciOiJub25lIn0.eyJpYXQiOjE3NjQwMDAwMDAsImV4cCI6MTc2NDAwMzYwMH0.";

fn answers() -> BTreeMap<&'static str, String> {
    let tokens = format!(
        r#""AccessToken":"{ACCESS}","IdToken":"{ID}","RefreshToken":"refresh-1","ExpiresIn":3600,"TokenType":"Bearer""#
    );
    BTreeMap::from([
        (
            "srp_challenge",
            r#"{"ChallengeName":"PASSWORD_VERIFIER","ChallengeParameters":{"SALT":"1a2b3c","SRP_B":"5e2a1f","SECRET_BLOCK":"c2VjcmV0LWJsb2Nr","USER_ID_FOR_SRP":"alice","USERNAME":"alice"}}"#.to_owned(),
        ),
        (
            "tokens_new_device",
            format!(
                r#"{{"AuthenticationResult":{{{tokens},"NewDeviceMetadata":{{"DeviceKey":"us-east-1_dev1","DeviceGroupKey":"-group1"}}}}}}"#
            ),
        ),
        ("confirm_device", r#"{"UserConfirmationNecessary":false}"#.to_owned()),
        ("tokens", format!(r#"{{"AuthenticationResult":{{{tokens}}}}}"#)),
        (
            "forgot",
            r#"{"CodeDeliveryDetails":{"Destination":"a***@e***","DeliveryMedium":"EMAIL","AttributeName":"email"}}"#.to_owned(),
        ),
        ("empty", "{}".to_owned()),
    ])
}

const NOW: u64 = 1_764_000_000;
const ENTROPY: [u8; 32] = [7; 32];

fn pool() -> UserPool {
    match UserPool::new("us-east-1_AbC123", "1example23456789") {
        Ok(pool) => pool.with_client_secret("client-secret"),
        Err(e) => unreachable!("a fixed valid pool id: {e}"),
    }
}

fn write_request(out: &mut String, request: &http::Request<Vec<u8>>) {
    let _ = writeln!(out, "--> {} {}", request.method(), request.uri());
    for (name, value) in request.headers() {
        let _ = writeln!(
            out,
            "{}: {}",
            name,
            String::from_utf8_lossy(value.as_bytes())
        );
    }
    let _ = writeln!(out, "\n{}", String::from_utf8_lossy(request.body()));
}

/// Drives `flow`: each request is printed and answered with the next canned answer; each
/// prompt is answered by `answer`. Stops when done, failed, or out of answers.
fn run<F: Flow>(
    out: &mut String,
    name: &str,
    mut flow: F,
    replies: &[&str],
    mut answer: impl FnMut(&cognito_flows::Prompt) -> Input,
) {
    let _ = writeln!(out, "=== {name}");
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    let answers = answers();
    let mut replies = replies.iter();
    loop {
        match flow.poll_action() {
            Action::Send(request) => {
                write_request(out, &request);
                let Some(reply) = replies.next() else { break };
                let body = answers.get(reply).cloned().unwrap_or_default().into_bytes();
                let _ = flow.handle_response(now, http::Response::new(body));
            }
            Action::Prompt(prompt) => {
                let _ = writeln!(out, "<<< prompt");
                let _ = flow.handle_input(answer(&prompt));
            }
            Action::Done(_) => {
                let _ = writeln!(out, "=== done");
                break;
            }
            Action::Failed(error) => {
                let _ = writeln!(out, "=== failed {error}");
                break;
            }
            Action::Wait(_) => break,
        }
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--answers") {
        for (name, body) in answers() {
            println!("{name}\t{body}");
        }
        return;
    }
    let pool = pool();
    let mut out = String::new();
    let never = |_: &cognito_flows::Prompt| Input::ResendCode;
    run(
        &mut out,
        "user_srp",
        SignIn::user_srp(&pool, "alice", "Passw0rd!", Entropy::from(ENTROPY)),
        &["srp_challenge", "tokens_new_device", "confirm_device"],
        never,
    );
    run(
        &mut out,
        "user_password",
        SignIn::user_password(&pool, "alice", "Passw0rd!", Entropy::from(ENTROPY)),
        &["tokens"],
        never,
    );
    let device = DeviceCredentials {
        device_key: "us-east-1_dev1".into(),
        device_group_key: "-group1".into(),
        password: SecretString::new("device-password"),
    };
    run(
        &mut out,
        "refresh_with_device",
        SignIn::builder(&pool).with_device(device).refresh(
            "alice",
            SecretString::new("refresh-1"),
            Entropy::from(ENTROPY),
        ),
        &["tokens"],
        never,
    );
    run(
        &mut out,
        "forgot_password",
        ForgotPassword::new(&pool, "alice"),
        &["forgot", "empty"],
        |_| Input::PasswordReset {
            code: SecretString::new("123456"),
            password: "N3w-Passw0rd!".into(),
        },
    );
    run(
        &mut out,
        "get_user",
        account::get_user(&pool, ACCESS),
        &[],
        never,
    );
    run(
        &mut out,
        "change_password",
        account::change_password(&pool, ACCESS, &"Passw0rd!".into(), &"N3w-Passw0rd!".into()),
        &[],
        never,
    );
    match HostedUi::new(
        "https://auth.example.com",
        "1example23456789",
        "https://app.example.com/callback",
    ) {
        Ok(ui) => {
            let flow = ui.authorize(Entropy::from(ENTROPY));
            let _ = writeln!(out, "=== hosted_ui_authorize\n{}", flow.url());
        }
        Err(e) => unreachable!("fixed valid URLs: {e}"),
    }
    print!("{out}");
}
