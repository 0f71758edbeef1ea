//! Choice-based sign-in (`USER_AUTH`) in a pseudo-terminal: `cognito sign-in
//! --preferred-challenge EMAIL_OTP` asks for no password, only the code the emulator emailed
//! (read from its outbox, `GET /_emulator/outbox`, as a person reads their mail), and asks again
//! after a wrong one; `--preferred-challenge SMS_OTP` the same with the code sent by SMS; `cognito sign-in --user-auth` lets Cognito offer the first factors
//! (`SELECT_CHALLENGE`) and signs in with the one picked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use cognito_flows_emulator::{ClientConfig, ClientInfo, PoolConfig};
use cognito_flows_testkit::emulator::{Fixture, Options};
use common::{Home, PASSWORD, Pool, exits_0, pty, saved, text};

/// `cognito ARGS` in `home` against `pool`'s emulator (the pool chosen by environment
/// variables, as a script would).
fn command(home: &Home, pool: &Pool, args: &[&str]) -> Command {
    let mut command = home.command(args);
    command
        .env("COGNITO_USER_POOL_ID", &pool.pool_id)
        .env("COGNITO_CLIENT_ID", &pool.client.id)
        .env("COGNITO_CLIENT_SECRET", pool.secret())
        .env("COGNITO_ENDPOINT", pool.emulator.endpoint());
    command
}

/// The last code the emulator sent to `username`, from its outbox over HTTP, with its purpose.
fn last_code(pool: &Pool, username: &str) -> (String, String) {
    let url = format!(
        "{}_emulator/outbox?username={username}",
        pool.emulator.endpoint()
    );
    let body = ureq::get(&url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let outbox: serde_json::Value = serde_json::from_str(&body).unwrap();
    let last = outbox["messages"]
        .as_array()
        .and_then(|m| m.last())
        .unwrap_or_else(|| panic!("nothing sent to {username}: {body}"));
    (
        last["code"].as_str().unwrap().to_owned(),
        last["purpose"].as_str().unwrap().to_owned(),
    )
}

/// A pool without MFA or device tracking: nothing asked after the first factor.
fn pool() -> Pool {
    Pool::with(PoolConfig::default(), ClientConfig::default(), PASSWORD)
}

#[test]
fn an_email_otp_sign_in_types_the_code_from_the_outbox() {
    let pool = pool();
    let home = Home::new();
    let mut p = pty(command(
        &home,
        &pool,
        &[
            "sign-in",
            "--username",
            "alice",
            "--preferred-challenge",
            "EMAIL_OTP",
        ],
    ));
    let before = p.exp_string("Code sent to ").unwrap();
    assert!(!before.contains("Password"), "no password asked: {before}");
    p.exp_string(": ").unwrap();
    let (code, purpose) = last_code(&pool, "alice");
    assert_eq!(purpose, "EMAIL_OTP");

    // A wrong code: said in words, and the code asked again.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    p.send_line(wrong).unwrap();
    p.exp_string("That code is wrong.").unwrap();
    p.exp_string("Code sent to ").unwrap();
    p.exp_string(": ").unwrap();
    p.send_line(&code).unwrap();
    let said = p.exp_string("Signed in as alice").unwrap();
    assert!(!said.contains("Password"), "{said}");
    exits_0(&mut p);
    let session = saved(&home, "default");
    assert_eq!(session["username"], "alice");
    assert!(
        session.to_string().contains("access_token"),
        "tokens saved: {session}"
    );

    // The session works: `cognito token` prints its access token.
    let out = home.run_with(command(&home, &pool, &["token"]), "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).split('.').count(), 3, "a JWT");
}

/// `alice` with a verified phone number (and her email), in a pool without MFA.
fn pool_with_phone() -> Pool {
    let w = Fixture::start(Options::default().secret().user(
        "alice",
        PASSWORD,
        &[
            ("email", "alice@example.com"),
            ("phone_number", "+15555550123"),
        ],
    ));
    Pool {
        emulator: w.emulator,
        pool_id: w.pool_id,
        client: ClientInfo {
            id: w.client_id,
            secret: w.client_secret,
        },
    }
}

#[test]
fn an_sms_otp_sign_in_types_the_code_from_the_outbox() {
    let pool = pool_with_phone();
    let home = Home::new();
    let mut p = pty(command(
        &home,
        &pool,
        &[
            "sign-in",
            "--username",
            "alice",
            "--preferred-challenge",
            "SMS_OTP",
        ],
    ));
    let before = p.exp_string("Code sent to ").unwrap();
    assert!(!before.contains("Password"), "no password asked: {before}");
    // The number, masked as Cognito masks it: its last digits only.
    let to = p.exp_string(": ").unwrap();
    assert!(to.ends_with("0123"), "{to}");
    assert!(!to.contains("5555550123"), "{to}");
    let (code, purpose) = last_code(&pool, "alice");
    assert_eq!(purpose, "SMS_OTP");

    // A wrong code: said in words, and the code asked again.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    p.send_line(wrong).unwrap();
    p.exp_string("That code is wrong.").unwrap();
    p.exp_string("Code sent to ").unwrap();
    p.exp_string(": ").unwrap();
    p.send_line(&code).unwrap();
    let said = p.exp_string("Signed in as alice").unwrap();
    assert!(!said.contains("Password"), "{said}");
    exits_0(&mut p);
    let session = saved(&home, "default");
    assert_eq!(session["username"], "alice");

    // The session works: `cognito token` prints its access token.
    let out = home.run_with(command(&home, &pool, &["token"]), "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).split('.').count(), 3, "a JWT");
}

#[test]
fn a_user_auth_sign_in_without_preference_offers_the_choice() {
    let pool = pool();
    let home = Home::new();
    let mut p = pty(command(
        &home,
        &pool,
        &["sign-in", "--username", "alice", "--user-auth"],
    ));
    let offered = p.exp_string("Method: ").unwrap();
    assert!(offered.contains("Sign in with: "), "{offered}");
    assert!(offered.contains("EMAIL_OTP"), "{offered}");
    assert!(offered.contains("PASSWORD"), "{offered}");
    p.send_line("EMAIL_OTP").unwrap();
    p.exp_string("Code sent to ").unwrap();
    p.exp_string(": ").unwrap();
    let (code, purpose) = last_code(&pool, "alice");
    assert_eq!(purpose, "EMAIL_OTP");
    p.send_line(&code).unwrap();
    p.exp_string("Signed in as alice").unwrap();
    exits_0(&mut p);

    // Picking the password instead: asked without echo, then signed in.
    let other = Home::new();
    let mut p = pty(command(
        &other,
        &pool,
        &["sign-in", "--username", "alice", "--user-auth"],
    ));
    p.exp_string("Method: ").unwrap();
    p.send_line("PASSWORD_SRP").unwrap();
    p.exp_string("Password: ").unwrap();
    p.send_line(PASSWORD).unwrap();
    p.exp_string("Signed in as alice").unwrap();
    exits_0(&mut p);
}

/// As Cognito does when the preferred first factor is not available (here, the pool allows
/// only passwords): the choice of what is (`SELECT_CHALLENGE`).
#[test]
fn a_preferred_challenge_the_pool_does_not_allow_offers_what_it_does() {
    let pool = Pool::with(
        PoolConfig {
            settings: cognito_flows_emulator::PoolSettings {
                allowed_first_auth_factors: Some(vec!["PASSWORD".into()]),
                ..Default::default()
            },
            ..PoolConfig::default()
        },
        ClientConfig::default(),
        PASSWORD,
    );
    let home = Home::new();
    let mut p = pty(command(
        &home,
        &pool,
        &[
            "sign-in",
            "--username",
            "alice",
            "--preferred-challenge",
            "EMAIL_OTP",
        ],
    ));
    let offered = p.exp_string("Method: ").unwrap();
    assert!(offered.contains("Sign in with: "), "{offered}");
    assert!(!offered.contains("EMAIL_OTP"), "{offered}");
    assert!(
        pool.emulator.last_code("alice").is_none(),
        "no code was sent"
    );
    p.send_line("PASSWORD").unwrap();
    p.exp_string("Password: ").unwrap();
    p.send_line(PASSWORD).unwrap();
    p.exp_string("Signed in as alice").unwrap();
    exits_0(&mut p);
}

#[test]
fn a_password_from_stdin_does_not_go_with_a_one_time_code() {
    let pool = pool();
    let home = Home::new();
    let out = home.run_with(
        command(
            &home,
            &pool,
            &[
                "sign-in",
                "--username",
                "alice",
                "--preferred-challenge",
                "EMAIL_OTP",
                "--password-stdin",
            ],
        ),
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--password-stdin goes with a password"));
    assert!(pool.emulator.last_code("alice").is_none(), "nothing sent");
}

/// An app client without `ALLOW_USER_AUTH`: said in a sentence, with the flow to allow.
#[test]
fn a_client_without_user_auth_is_told_the_flow_to_allow() {
    let pool = Pool::with(
        PoolConfig::default(),
        ClientConfig {
            settings: cognito_flows_emulator::ClientSettings {
                explicit_auth_flows: Some(vec![
                    "ALLOW_USER_SRP_AUTH".into(),
                    "ALLOW_REFRESH_TOKEN_AUTH".into(),
                ]),
                ..Default::default()
            },
            ..ClientConfig::default()
        },
        PASSWORD,
    );
    let home = Home::new();
    let out = home.run_with(
        command(
            &home,
            &pool,
            &[
                "sign-in",
                "--username",
                "alice",
                "--preferred-challenge",
                "EMAIL_OTP",
            ],
        ),
        "",
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(said.contains("error: "), "{said}");
    assert!(
        said.contains("hint: ") && said.contains("ALLOW_USER_AUTH"),
        "the flow to allow: {said}"
    );
    assert!(!said.contains("Exception"), "{said}");
}
