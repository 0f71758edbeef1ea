//! The CLI as a person keeps it open: configure, sign in with MFA typed at the prompts of a
//! pseudo-terminal, `token` without a prompt, silent refresh after the tokens expire, a second
//! sign-in on the remembered device (no MFA), status, sign-out, and `token` failing with the
//! hint. The real binary, against the embedded emulator, in a home of the test's own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;
use std::time::Duration;

use cognito_flows::flows::account::MfaPreferences;
use cognito_flows::wire::MfaSettings;
use cognito_flows::{Input, Prompt, UserPool, totp};
use cognito_flows_ureq::{Client, no_prompt};
use common::{Home, PASSWORD, Pool, ahead, exits_0, ok, pty, saved, text};
use rexpect::process::WaitStatus;

/// Gives alice an authenticator app (TOTP, preferred); returns its secret.
fn add_totp(pool: &Pool) -> String {
    let user_pool = UserPool::new(&pool.pool_id, pool.client.id.clone())
        .unwrap()
        .with_client_secret(pool.secret())
        .with_endpoint(pool.emulator.endpoint())
        .unwrap();
    let client = Client::new(user_pool);
    let signed_in = client
        .sign_in_srp("alice", PASSWORD, |prompt| match prompt {
            Prompt::RememberDevice { .. } => Ok(Input::RememberDevice(false)),
            other => no_prompt(other),
        })
        .unwrap();
    let access = &signed_in.tokens.access_token;
    let secret = client
        .associate_software_token(access)
        .unwrap()
        .secret_code
        .unwrap();
    let code = totp::code(secret.expose(), pool.emulator.now()).unwrap();
    client
        .verify_software_token(access, code.expose(), Some("phone"))
        .unwrap();
    client
        .set_user_mfa_preference(
            access,
            MfaPreferences {
                totp: Some(MfaSettings {
                    enabled: true,
                    preferred_mfa: true,
                }),
                ..Default::default()
            },
        )
        .unwrap();
    secret.expose().to_owned()
}

/// Every process's command line, as `ps` shows it to anyone on the machine.
fn ps() -> String {
    text(
        &Command::new("ps")
            .args(["-eww", "-o", "args"])
            .output()
            .unwrap()
            .stdout,
    )
}

#[test]
fn configure_sign_in_with_mfa_token_refresh_device_sign_in_sign_out() {
    let pool = Pool::start(Vec::new());
    let totp_secret = add_totp(&pool);
    let home = Home::new();

    // configure, typed at the prompts; the secret at a prompt that does not echo.
    let mut p = pty(home.command(&["configure"]));
    p.exp_string("User pool id []: ").unwrap();
    p.send_line(&pool.pool_id).unwrap();
    p.exp_string("App client id []: ").unwrap();
    p.send_line(&pool.client.id).unwrap();
    p.exp_string("Endpoint (empty for Cognito's) []: ").unwrap();
    p.send_line(pool.emulator.endpoint()).unwrap();
    p.exp_string("Hosted UI domain (optional) []: ").unwrap();
    p.send_line("").unwrap();
    p.exp_string("App client secret (hidden; Enter for none): ")
        .unwrap();
    p.send_line(pool.secret()).unwrap();
    let said = exits_0(&mut p);
    assert!(
        !said.contains(pool.secret()),
        "the secret is not echoed: {said}"
    );
    let config = std::fs::read_to_string(home.config_file()).unwrap();
    assert!(config.contains(&pool.pool_id), "{config}");
    assert!(
        !config.contains(pool.secret()),
        "the client secret is never in the config file"
    );
    let secret_file = home
        .path()
        .join("state/cognito/secrets/default.client-secret");
    assert_eq!(
        std::fs::metadata(&secret_file)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );

    // sign-in: user name, password, TOTP code at the prompts; the device remembered.
    let mut p = pty(home.command(&["sign-in"]));
    p.exp_string("Username: ").unwrap();
    p.send_line("alice").unwrap();
    p.exp_string("Password for alice: ").unwrap();
    p.send_line(PASSWORD).unwrap();
    p.exp_string("Code from your authenticator app: ").unwrap();
    let during = ps();
    let code = totp::code(&totp_secret, pool.emulator.now()).unwrap();
    p.send_line(code.expose()).unwrap();
    p.exp_string("[Y/n]: ").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Signed in as alice (profile default)")
        .unwrap();
    let said = exits_0(&mut p);
    assert!(said.contains("the next sign-in skips MFA"), "{said}");

    // The session file: owner-only, in the state directory; no secret was on any command line.
    let file = home.session_file("default");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let first = saved(&home, "default");
    let access = first["tokens"]["access_token"].as_str().unwrap().to_owned();
    let refresh = first["tokens"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(first["device"]["device_key"].is_string(), "{first}");
    assert!(
        during.contains("cognito sign-in"),
        "ps saw the sign-in: {during}"
    );
    for secret in [PASSWORD, pool.secret(), &access, &refresh] {
        assert!(!during.contains(secret), "ps shows a secret");
    }

    // token: the access token alone on stdout, no prompt (stdin is empty, no terminal).
    let out = home.run(&["token"], "");
    assert_eq!(ok(&out), format!("{access}\n"));
    assert_eq!(text(&out.stderr), "");
    let id = ok(&home.run(&["token", "--id"], ""));
    assert_eq!(id.trim(), first["tokens"]["id_token"].as_str().unwrap());

    // Expiry: the emulator's clock and this command's clock move 58 minutes on, inside the
    // five-minute margin of the one-hour tokens: `token` refreshes silently, with the device
    // key, and saves the new tokens.
    let later = Duration::from_secs(58 * 60);
    pool.emulator.advance(later);
    let out = home.run_with(ahead(home.command(&["token"]), later), "");
    let fresh = ok(&out);
    assert_eq!(text(&out.stderr), "", "a silent refresh");
    assert_ne!(fresh.trim(), access, "a new access token");
    let second = saved(&home, "default");
    assert_eq!(
        second["tokens"]["access_token"].as_str().unwrap(),
        fresh.trim()
    );
    assert_eq!(second["device"], first["device"], "the device is kept");
    // The new token is good: Cognito (the emulator) verifies it.
    let out = home.run_with(ahead(home.command(&["verify"]), later), "");
    let verdict: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(verdict["claims"]["username"], "alice");

    // A second sign-in: the saved user, the password, and no MFA (device SRP).
    let mut p = pty(ahead(home.command(&["sign-in"]), later));
    p.exp_string("Password for alice: ").unwrap();
    p.send_line(PASSWORD).unwrap();
    let (before, _) = p
        .exp_regex("Signed in as alice|Code from your authenticator app")
        .unwrap();
    let said = format!("{before}{}", exits_0(&mut p));
    assert!(
        !said.contains("Code"),
        "no MFA prompt on the remembered device: {said}"
    );

    // status: who, until when, the device, where; never a token.
    let out = home.run_with(ahead(home.command(&["status"]), later), "");
    let status = ok(&out);
    let third = saved(&home, "default");
    assert!(status.contains("user:      alice"), "{status}");
    assert!(status.contains("tokens:    valid, expire in"), "{status}");
    assert!(
        status.contains(first["device"]["device_key"].as_str().unwrap()),
        "{status}"
    );
    assert!(status.contains("no OS keyring"), "{status}");
    for token in ["access_token", "id_token", "refresh_token"] {
        let value = third["tokens"][token].as_str().unwrap();
        assert!(!status.contains(value), "status prints no token");
    }

    // sign-out: the refresh token revoked, the session deleted; then `token` fails with the hint.
    let old_refresh = third["tokens"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = home.run_with(ahead(home.command(&["sign-out"]), later), "");
    ok(&out);
    assert!(
        text(&out.stderr).contains("refresh token revoked"),
        "{}",
        text(&out.stderr)
    );
    assert!(!file.exists(), "the saved session is deleted");
    let out = home.run_with(
        ahead(
            home.command(&["refresh", "--username", "alice", "--refresh-token", "-"]),
            later,
        ),
        &format!("{old_refresh}\n"),
    );
    assert_eq!(out.status.code(), Some(1), "the refresh token is revoked");

    let out = home.run(&["token"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("run `cognito sign-in`"), "{stderr}");
}

#[test]
fn flags_and_environment_override_the_profile_and_profiles_are_separate() {
    let pool = Pool::start(Vec::new());
    let home = Home::new();
    std::fs::create_dir_all(home.config_file().parent().unwrap()).unwrap();
    std::fs::write(
        home.config_file(),
        format!(
            "[profiles.default]\nuser_pool_id = \"us-east-1_Nowhere\"\nclient_id = \"nobody\"\nendpoint = \"http://127.0.0.1:9/\"\n\n\
             [profiles.emu]\nuser_pool_id = \"{}\"\nclient_id = \"{}\"\nendpoint = \"{}\"\n",
            pool.pool_id,
            pool.client.id,
            pool.emulator.endpoint()
        ),
    )
    .unwrap();
    let sign_in = |mut command: Command| {
        command.env("COGNITO_CLIENT_SECRET", pool.secret());
        home.run_with(command, &format!("{PASSWORD}\n"))
    };
    // The default profile points nowhere: a network error.
    let out = sign_in(home.command(&["sign-in", "--username", "alice", "--password-stdin"]));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    // The endpoint flag overrides it (the pool and client still the profile's: refused).
    let out = sign_in(home.command(&[
        "--endpoint",
        pool.emulator.endpoint(),
        "sign-in",
        "--username",
        "alice",
        "--password-stdin",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // COGNITO_PROFILE chooses the emulator's profile.
    let mut command = home.command(&["sign-in", "--username", "alice", "--password-stdin"]);
    command.env("COGNITO_PROFILE", "emu");
    ok(&sign_in(command));
    assert!(home.session_file("emu").exists());
    assert!(!home.session_file("default").exists());
    let out = home.run(&["--profile", "emu", "status"], "");
    assert!(ok(&out).contains("user:      alice"));
    let out = home.run(&["token"], "");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the default profile is not signed in"
    );
    // --no-save: tokens on stdout, nothing saved.
    let mut command = home.command(&[
        "--profile",
        "other",
        "--user-pool-id",
        &pool.pool_id,
        "--client-id",
        &pool.client.id,
        "--endpoint",
        pool.emulator.endpoint(),
        "sign-in",
        "--username",
        "alice",
        "--password-stdin",
        "--no-save",
    ]);
    command.env("COGNITO_CLIENT_SECRET", pool.secret());
    let out = home.run_with(command, &format!("{PASSWORD}\n"));
    let tokens: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(tokens["username"], "alice");
    assert!(!home.session_file("other").exists());
    let out = home.run(&["--profile", "../etc", "status"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_slow_answer_shows_a_progress_line_on_the_terminal() {
    // A server that accepts and answers nothing for a while, then hangs up.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!(
        "http://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    let server = std::thread::spawn(move || {
        let (connection, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        drop(connection);
    });
    let home = Home::new();
    let mut p = pty(home.command(&[
        "--user-pool-id",
        "us-east-1_Slow",
        "--client-id",
        "c",
        "--endpoint",
        &endpoint,
        "sign-in",
        "--username",
        "alice",
        "--password-stdin",
        "--no-save",
    ]));
    p.send_line("not-a-real-password").unwrap();
    p.exp_string("waiting for 127.0.0.1...").unwrap();
    p.exp_string("error: could not reach Cognito").unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(
        p.process().wait().unwrap(),
        WaitStatus::Exited(_, 3)
    ));
    server.join().unwrap();
}

#[test]
fn global_sign_out_ends_every_token_of_the_user() {
    let pool = Pool::start(Vec::new());
    let home = Home::new();
    let with_pool = |args: &[&str]| {
        let mut command = home.command(args);
        command
            .env("COGNITO_USER_POOL_ID", &pool.pool_id)
            .env("COGNITO_CLIENT_ID", &pool.client.id)
            .env("COGNITO_CLIENT_SECRET", pool.secret())
            .env("COGNITO_ENDPOINT", pool.emulator.endpoint());
        command
    };
    ok(&home.run_with(
        with_pool(&["sign-in", "--username", "alice", "--password-stdin"]),
        &format!("{PASSWORD}\n"),
    ));
    let access = ok(&home.run_with(with_pool(&["token"]), ""));
    let out = home.run_with(with_pool(&["devices", "list"]), "");
    ok(&out);
    let out = home.run_with(with_pool(&["sign-out", "--global"]), "");
    ok(&out);
    assert!(
        text(&out.stderr).contains("signed out everywhere"),
        "{}",
        text(&out.stderr)
    );
    let out = home.run_with(
        with_pool(&["devices", "list", "--access-token", "-"]),
        &access,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the old access token is refused"
    );
    assert_eq!(
        text(&out.stderr),
        "error: Access Token has been revoked.\nhint: run `cognito sign-in` to start a new one\n"
    );
}
