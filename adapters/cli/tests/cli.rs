//! The `cognito` binary end to end, spawned as a process against the emulator, in a home of
//! the test's own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Output, Stdio};

use common::{Home, Pool};

use cognito_flows_emulator::{ClientConfig, PoolConfig, RefreshRotation};

struct Env {
    pool: Pool,
    home: Home,
}

/// A pool without MFA or devices, and alice.
fn env() -> Env {
    Env {
        pool: Pool::with(PoolConfig::default(), ClientConfig::default(), "Passw0rd!"),
        home: Home::new(),
    }
}

fn cognito(env: &Env, args: &[&str], stdin: &str) -> Output {
    let mut command = env.home.command(args);
    command
        .env("COGNITO_USER_POOL_ID", &env.pool.pool_id)
        .env("COGNITO_CLIENT_ID", &env.pool.client.id)
        .env("COGNITO_CLIENT_SECRET", env.pool.secret())
        .env("COGNITO_ENDPOINT", env.pool.emulator.endpoint());
    env.home.run_with(command, stdin)
}

#[test]
fn sign_in_prints_tokens_and_whoami_decodes_them() {
    let env = env();
    let out = cognito(
        &env,
        &[
            "sign-in",
            "--username",
            "alice",
            "--password-stdin",
            "--no-save",
        ],
        "Passw0rd!\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tokens["username"], "alice");
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).is_empty(),
        "nothing but tokens, and only on stdout"
    );

    let out = cognito(&env, &["whoami", "--token", "-"], &format!("{access}\n"));
    assert!(out.status.success());
    let claims: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(claims["username"], "alice");
    assert_eq!(claims["token_use"], "access");

    let out = cognito(
        &env,
        &["refresh", "--username", "alice", "--refresh-token", "-"],
        &format!("{refresh}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let refreshed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(refreshed["refresh_token"], refresh);
}

/// `cognito refresh` on an app client that rotates refresh tokens. Such a client refuses
/// `REFRESH_TOKEN_AUTH`, which the command used to send; it now runs the core's one refresh
/// (`GetTokensFromRefreshToken`, as `cognito token` does) and prints the rotated token.
#[test]
fn refresh_works_on_a_client_that_rotates_refresh_tokens() {
    let env = Env {
        pool: Pool::with(
            PoolConfig::default(),
            ClientConfig {
                refresh_rotation: Some(RefreshRotation {
                    retry_grace_seconds: 0,
                }),
                ..ClientConfig::default()
            },
            "Passw0rd!",
        ),
        home: Home::new(),
    };
    let out = cognito(
        &env,
        &[
            "sign-in",
            "--username",
            "alice",
            "--password-stdin",
            "--no-save",
        ],
        "Passw0rd!\n",
    );
    assert!(out.status.success());
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let out = cognito(
        &env,
        &["refresh", "--username", "alice", "--refresh-token", "-"],
        &format!("{refresh}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let refreshed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rotated = refreshed["refresh_token"].as_str().unwrap();
    assert!(
        !rotated.is_empty() && rotated != refresh,
        "a new refresh token"
    );
    assert_eq!(refreshed["username"], "alice");
}

#[test]
fn a_wrong_password_exits_1_with_cognitos_sentence_and_a_hint() {
    let env = env();
    let out = cognito(
        &env,
        &["sign-in", "--username", "alice", "--password-stdin"],
        "wrong\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    // One try (a password from stdin cannot be asked again), no operation or exception name,
    // and never the password.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: Incorrect username or password.\n\
         hint: check the user name and the password; `cognito forgot-password --username alice` \
         resets a forgotten password\n"
    );
}

#[test]
fn usage_and_network_errors_have_their_own_exit_codes() {
    let env = env();
    let out = cognito(&env, &["sign-in", "--username"], "");
    assert_eq!(out.status.code(), Some(2));
    let home = Home::new();
    let mut child = home
        .command(&[
            "--user-pool-id",
            "us-east-1_X",
            "--client-id",
            "c",
            "--endpoint",
            "http://127.0.0.1:9/",
            "sign-in",
            "--username",
            "a",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"pw\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cognito(
        &env,
        &[
            "--user-pool-id",
            "not-a-pool",
            "sign-in",
            "--username",
            "a",
            "--password-stdin",
        ],
        "pw\n",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sign_up_confirm_and_devices() {
    let env = env();
    let out = cognito(
        &env,
        &[
            "sign-up",
            "--username",
            "bob",
            "--attribute",
            "email=bob@example.com",
            "--password-stdin",
        ],
        "Passw0rd!\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = env.pool.emulator.last_code("bob").unwrap();
    let out = cognito(
        &env,
        &["confirm-sign-up", "--username", "bob", "--code-stdin"],
        &format!("{code}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cognito(
        &env,
        &[
            "sign-in",
            "--username",
            "bob",
            "--password-stdin",
            "--no-save",
        ],
        "Passw0rd!\n",
    );
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let out = cognito(
        &env,
        &["devices", "list", "--access-token", "-"],
        &format!("{}\n", tokens["access_token"].as_str().unwrap()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn the_demo_runs() {
    let out = Home::new().command(&["demo"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("done: every step passed."));
    // Every marker explained before it is used; no Rust debug output.
    let legend = stdout
        .find("?? a question the flow asked the user")
        .unwrap();
    assert!(
        legend < stdout.find("?? remember device").unwrap(),
        "{stdout}"
    );
    assert!(stdout.contains("    -> a request sent"), "{stdout}");
    assert!(stdout.contains("    <- Cognito's answer"), "{stdout}");
    assert!(
        stdout.contains("confirmed; remembered: yes (the next sign-in skips MFA)"),
        "{stdout}"
    );
    assert!(!stdout.contains("Some("), "{stdout}");
    assert!(stdout.contains("<- 400 NotAuthorizedException (Incorrect username or password.)"));
}
