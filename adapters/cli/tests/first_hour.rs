//! The traps a newcomer met in their first hour with the CLI, each pinned: a mistyped password
//! is asked again (three tries, in words, no API operation names); Cognito's refusals come with
//! a hint (an unconfirmed user is told the command that confirms); tokens that live five minutes
//! are not refreshed on every call; sign-out keeps the remembered device unless
//! `--forget-device`; the curl example names the emulator's `/oauth2/userInfo`, which answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Command, Output};
use std::time::Duration;

use cognito_flows::totp;
use cognito_flows_emulator::{ClientConfig, DeviceTracking, Mfa, PoolConfig, TokenValidity};
use common::{Home, PASSWORD, Pool, ahead, exits_0, ok, pty, saved, text};
use rexpect::process::WaitStatus;

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

fn run(home: &Home, pool: &Pool, args: &[&str], stdin: &str) -> Output {
    home.run_with(command(home, pool, args), stdin)
}

/// No API operation or exception name: what a person reads.
fn in_words(said: &str) {
    for jargon in [
        "InitiateAuth",
        "RespondToAuthChallenge",
        "Exception",
        "failed with",
    ] {
        assert!(!said.contains(jargon), "{jargon:?} in: {said}");
    }
}

#[test]
fn a_mistyped_password_is_asked_again_up_to_three_times() {
    let pool = Pool::with(PoolConfig::default(), ClientConfig::default(), PASSWORD);
    let home = Home::new();

    // Two typos, then the password: signed in, no error.
    let mut p = pty(command(&home, &pool, &["sign-in", "--username", "alice"]));
    p.exp_string("Password for alice: ").unwrap();
    p.send_line("Wrong-Horse-1").unwrap();
    p.exp_string("Incorrect user name or password; try again (2 of 3).")
        .unwrap();
    p.exp_string("Password for alice: ").unwrap();
    p.send_line("Wrong-Horse-2").unwrap();
    p.exp_string("try again (3 of 3).").unwrap();
    p.exp_string("Password for alice: ").unwrap();
    p.send_line(PASSWORD).unwrap();
    let before = p.exp_string("Signed in as alice").unwrap();
    exits_0(&mut p);
    in_words(&before);
    assert!(home.session_file("default").exists());

    // Three typos (by bob: the emulator locks a user out after five): a sentence and a hint,
    // exit 1, nothing saved.
    pool.emulator
        .admin_create_user(&pool.pool_id, "bob", PASSWORD, &[])
        .unwrap();
    let other = Home::new();
    let mut p = pty(command(&other, &pool, &["sign-in", "--username", "bob"]));
    for _ in 0..3 {
        p.exp_string("Password for bob: ").unwrap();
        p.send_line("Wrong-Horse-3").unwrap();
    }
    p.exp_string("error: Incorrect username or password.")
        .unwrap();
    p.exp_string("hint: check the user name and the password; `cognito forgot-password --username bob` resets a forgotten password")
        .unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(!rest.contains("Password for bob"), "no fourth try: {rest}");
    assert!(matches!(
        p.process().wait().unwrap(),
        WaitStatus::Exited(_, 1)
    ));
    assert!(!other.session_file("default").exists());
}

#[test]
fn an_unconfirmed_user_is_told_the_command_that_confirms() {
    let pool = Pool::with(PoolConfig::default(), ClientConfig::default(), PASSWORD);
    pool.emulator
        .create_unconfirmed_user(&pool.pool_id, "dan", "Dan-Passw0rd", &[])
        .unwrap();
    let home = Home::new();
    let out = run(
        &home,
        &pool,
        &[
            "--profile",
            "emu",
            "sign-in",
            "--username",
            "dan",
            "--password-stdin",
        ],
        "Dan-Passw0rd\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    assert_eq!(
        said,
        "error: User is not confirmed.\n\
         hint: confirm the sign-up with the code that was sent: `cognito confirm-sign-up --profile emu \
         --username dan`\n"
    );
}

#[test]
fn tokens_that_live_five_minutes_are_refreshed_only_near_their_end() {
    let five = Duration::from_secs(300);
    let mut client = ClientConfig::default();
    client.settings.token_validity = TokenValidity {
        access: five,
        id: five,
        ..TokenValidity::default()
    };
    let pool = Pool::with(PoolConfig::default(), client, PASSWORD);
    let home = Home::new();
    ok(&run(
        &home,
        &pool,
        &["sign-in", "--username", "alice", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    ));
    let first = saved(&home, "default")["tokens"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Three calls in a row: the same token (with a five-minute margin, each would refresh).
    for _ in 0..3 {
        assert_eq!(ok(&run(&home, &pool, &["token"], "")).trim(), first);
    }
    // Three minutes on, two are left: still the same token.
    let three = Duration::from_secs(180);
    pool.emulator.advance(three);
    let out = home.run_with(ahead(command(&home, &pool, &["token"]), three), "");
    assert_eq!(ok(&out).trim(), first);
    // Four and a half minutes on, inside the last minute (a fifth of five): refreshed.
    let later = Duration::from_secs(270);
    pool.emulator.advance(later - three);
    let out = home.run_with(ahead(command(&home, &pool, &["token"]), later), "");
    let second = ok(&out);
    assert_ne!(second.trim(), first);
    let out = home.run_with(ahead(command(&home, &pool, &["token"]), later), "");
    assert_eq!(ok(&out), second, "and not again on the next call");
}

#[test]
fn sign_out_keeps_the_remembered_device_unless_told_to_forget_it() {
    let pool = Pool::with(
        PoolConfig {
            mfa: Mfa::Optional,
            device_tracking: DeviceTracking::UserOptIn,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
        PASSWORD,
    );
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    pool.emulator
        .admin_set_totp_secret(&pool.pool_id, "alice", secret)
        .unwrap();
    let home = Home::new();
    let sign_in = |stdin: String| {
        run(
            &home,
            &pool,
            &["sign-in", "--username", "alice", "--password-stdin"],
            &stdin,
        )
    };
    let with_code = || {
        let code = totp::code(secret, pool.emulator.now()).unwrap();
        format!("{PASSWORD}\n{}\n", code.expose())
    };

    // MFA, and the device remembered (the default answer when the input ends).
    let out = sign_in(with_code());
    ok(&out);
    assert!(text(&out.stderr).contains("the next sign-in skips MFA"));
    let device = saved(&home, "default")["device"]["device_key"]
        .as_str()
        .unwrap()
        .to_owned();

    // Sign-out: the session goes, the device stays, here and at Cognito.
    let out = run(&home, &pool, &["sign-out"], "");
    ok(&out);
    let said = text(&out.stderr);
    assert!(said.contains("The device stays remembered"), "{said}");
    assert!(!home.session_file("default").exists());
    let status = ok(&run(&home, &pool, &["status"], ""));
    assert!(
        status.contains(&format!("device:    {device} kept for alice")),
        "{status}"
    );

    // The next sign-in: the password alone (no code on stdin), device SRP instead of MFA.
    let out = sign_in(format!("{PASSWORD}\n"));
    let said = text(&out.stderr);
    ok(&out);
    assert!(!said.contains("Code"), "no MFA prompt: {said}");
    assert_eq!(saved(&home, "default")["device"]["device_key"], device);

    // --forget-device: forgotten here and at Cognito; the next sign-in asks for the code.
    let out = run(&home, &pool, &["sign-out", "--forget-device"], "");
    ok(&out);
    assert!(!text(&out.stderr).contains("stays remembered"));
    let status = ok(&run(&home, &pool, &["status"], ""));
    assert!(!status.contains("kept for"), "{status}");
    let out = sign_in(format!("{PASSWORD}\n"));
    assert_ne!(out.status.code(), Some(0), "MFA is asked again");
    assert!(
        text(&out.stderr).contains("Code from your authenticator app"),
        "{}",
        text(&out.stderr)
    );
    pool.emulator.advance(Duration::from_secs(30)); // a fresh code: a used one is refused
    ok(&sign_in(with_code()));
    let new_device = saved(&home, "default")["device"]["device_key"].clone();
    assert_ne!(new_device, device, "a new device");
}

#[test]
fn the_curl_example_names_the_emulators_user_info_which_checks_the_token() {
    let help = ok(&Home::new().run(&["--help"], ""));
    let example =
        "curl -H \"Authorization: Bearer $(cognito token)\" http://127.0.0.1:9229/oauth2/userInfo";
    assert!(help.contains(example), "{help}");

    // What the example does, against this test's emulator.
    let pool = Pool::with(PoolConfig::default(), ClientConfig::default(), PASSWORD);
    let home = Home::new();
    ok(&run(
        &home,
        &pool,
        &["sign-in", "--username", "alice", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    ));
    let token = ok(&run(&home, &pool, &["token"], ""));
    let url = format!("{}oauth2/userInfo", pool.emulator.endpoint());
    let mut answer = ureq::get(&url)
        .header("Authorization", format!("Bearer {}", token.trim()))
        .call()
        .unwrap();
    let body = answer.body_mut().read_to_string().unwrap();
    let user: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(user["username"], "alice");
    assert_eq!(user["email"], "alice@example.com");
    let refused = ureq::get(&url)
        .header("Authorization", "Bearer not-a-token")
        .call();
    assert!(matches!(refused, Err(ureq::Error::StatusCode(401))));
}
