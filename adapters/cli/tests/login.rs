//! `cognito login --hosted-ui --no-browser`, completed as a browser would: the test fetches the
//! printed URL, signs in at the emulator's authorize endpoint, and follows the redirect to the
//! CLI's loopback listener. And what a crash mid-write leaves; and the hygiene rules.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use cognito_flows_emulator::{ClientConfig, PoolConfig, RefreshRotation};
use common::{Home, PASSWORD, Pool, ahead, ok, saved, text};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn env_for(command: &mut Command, pool: &Pool) {
    command
        .env("COGNITO_USER_POOL_ID", &pool.pool_id)
        .env("COGNITO_CLIENT_ID", &pool.client.id)
        .env("COGNITO_CLIENT_SECRET", pool.secret())
        .env("COGNITO_ENDPOINT", pool.emulator.endpoint())
        .env("COGNITO_HOSTED_UI_DOMAIN", pool.emulator.endpoint());
}

/// A browser that does not follow redirects by itself.
fn browser() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into()
}

/// `cognito login --hosted-ui --no-browser` on `port`, waiting up to 20 s: the child, its
/// stderr, what it said so far and the authorize URL it printed.
struct HostedLogin {
    child: std::process::Child,
    stderr: BufReader<std::process::ChildStderr>,
    said: String,
    url: String,
}

impl HostedLogin {
    fn start(home: &Home, pool: &Pool, port: u16) -> Self {
        let mut command = home.command(&[
            "login",
            "--hosted-ui",
            "--no-browser",
            "--port",
            &port.to_string(),
            "--timeout",
            "20",
        ]);
        env_for(&mut command, pool);
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut url = String::new();
        let mut said = String::new();
        while url.is_empty() {
            let mut line = String::new();
            assert_ne!(
                stderr.read_line(&mut line).unwrap(),
                0,
                "no URL printed: {said}"
            );
            said.push_str(&line);
            if let Some(u) = line.trim().strip_prefix("http") {
                url = format!("http{u}");
            }
        }
        Self {
            child,
            stderr,
            said,
            url,
        }
    }

    /// The user signs in at the hosted UI (the emulator's authorize endpoint takes the
    /// credentials as parameters), which redirects the browser to the CLI's listener; then the
    /// CLI ends. Its exit status and what it said after the URL.
    fn complete(mut self, port: u16) -> (std::process::ExitStatus, String) {
        let agent = browser();
        let answer = agent
            .get(format!(
                "{}&username=alice&password={}",
                self.url,
                urlencode(PASSWORD)
            ))
            .call()
            .unwrap();
        assert_eq!(answer.status(), 302);
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(&format!("http://localhost:{port}/callback?code=")));
        let page = agent
            .get(location.replace("localhost", "127.0.0.1"))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap();
        assert!(page.contains("Signed in"), "{page}");
        let status = self.child.wait().unwrap();
        let mut rest = std::mem::take(&mut self.said);
        std::io::Read::read_to_string(&mut self.stderr, &mut rest).unwrap();
        let mut stdout = String::new();
        std::io::Read::read_to_string(&mut self.child.stdout.take().unwrap(), &mut stdout).unwrap();
        assert_eq!(stdout, "", "nothing on stdout but a result");
        (status, rest)
    }
}

impl Drop for HostedLogin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn hosted_ui_login_through_the_loopback_listener() {
    let port = free_port();
    let pool = Pool::start(vec![format!("http://localhost:{port}/callback")]);
    let home = Home::new();
    let login = HostedLogin::start(&home, &pool, port);
    let url = login.url.clone();
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(url.contains("state="), "{url}");
    assert!(
        url.contains(&format!(
            "redirect_uri=http%3A%2F%2Flocalhost%3A{port}%2Fcallback"
        )),
        "{url}"
    );
    let (status, said) = login.complete(port);
    assert!(status.success(), "{said}");
    assert!(said.contains("Signed in as alice"), "{said}");

    // The session is saved: `token` prints the hosted UI's access token.
    let session = saved(&home, "default");
    let mut command = home.command(&["token"]);
    env_for(&mut command, &pool);
    let token = ok(&home.run_with(command, ""));
    assert_eq!(
        token.trim(),
        session["tokens"]["access_token"].as_str().unwrap()
    );
    assert_eq!(claims(token.trim())["username"], "alice");
}

/// Issue 26 defect 18: a web page can send the browser to `localhost:PORT/callback` (an
/// `<img>` tag) while a login waits. A callback whose `state` is not the login's is refused
/// and the login goes on waiting for the real one.
#[test]
fn forged_callbacks_do_not_end_a_hosted_ui_login() {
    let port = free_port();
    let pool = Pool::start(vec![format!("http://localhost:{port}/callback")]);
    let home = Home::new();
    let mut login = HostedLogin::start(&home, &pool, port);
    let agent = browser();
    for forged in [
        "/callback?state=forged&code=forged-code",
        "/callback?error=access_denied",
        "/callback",
        "/callback?code=no-state",
    ] {
        let answer = agent
            .get(format!("http://127.0.0.1:{port}{forged}"))
            .call()
            .unwrap();
        assert_eq!(answer.status(), 400, "{forged}");
        let page = answer.into_body().read_to_string().unwrap();
        assert!(!page.contains("Signed in"), "{forged}: {page}");
        // Time for a CLI that took it for the real callback to end.
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            login.child.try_wait().unwrap().is_none(),
            "{forged} ended the login"
        );
    }
    let (status, said) = login.complete(port);
    assert!(status.success(), "{said}");
    assert!(said.contains("Signed in as alice"), "{said}");
    assert!(saved(&home, "default")["tokens"]["access_token"].is_string());
}

#[test]
fn a_login_nobody_completes_times_out_cleanly() {
    let pool = Pool::start(Vec::new());
    let home = Home::new();
    let mut command = home.command(&["login", "--hosted-ui", "--no-browser", "--timeout", "1"]);
    env_for(&mut command, &pool);
    let started = Instant::now();
    let out = home.run_with(command, "");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no answer from the browser in time"),
        "{stderr}"
    );
    assert!(!home.session_file("default").exists());
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn signed_in_home(pool: &Pool) -> Home {
    let home = Home::new();
    let mut command = home.command(&["sign-in", "--username", "alice", "--password-stdin"]);
    env_for(&mut command, pool);
    ok(&home.run_with(command, &format!("{PASSWORD}\nn\n")));
    home
}

#[test]
fn a_crash_during_a_write_leaves_the_previous_session_readable() {
    let pool = Pool::start(Vec::new());
    let home = signed_in_home(&pool);
    let file = home.session_file("default");
    let before = std::fs::read(&file).unwrap();

    // A crash after the temporary file was half written, before the rename: the session
    // still reads, and the next write replaces the stale temporary file.
    let tmp = file.with_file_name(".default.json.tmp");
    std::fs::write(&tmp, &before[..before.len() / 2]).unwrap();
    let mut command = home.command(&["status"]);
    env_for(&mut command, &pool);
    assert!(ok(&home.run_with(command, "")).contains("user:      alice"));

    // Real crashes: `token` refreshing (its clock hours on) and writing the session, killed
    // with SIGKILL at staggered moments. Whatever moment the kill hits, the file is a whole
    // session: the previous one or the new one.
    // Each run's clock an hour further on than the last, so that each has a refresh to write.
    let hours = |n: u64| Duration::from_secs(3600 * n);
    for i in 0..8u64 {
        let mut command = ahead(home.command(&["token"]), hours(i + 1));
        env_for(&mut command, &pool);
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(5 + 6 * i));
        let _ = child.kill();
        child.wait().unwrap();
        let session = cognito_flows_ureq::load_session(&file).unwrap();
        assert_eq!(session.username, "alice");
    }
    let mut command = ahead(home.command(&["token"]), hours(10));
    env_for(&mut command, &pool);
    ok(&home.run_with(command, ""));
    assert!(!tmp.exists(), "no temporary file is left behind");
    assert_ne!(
        std::fs::read(&file).unwrap(),
        before,
        "the refresh was saved"
    );
}

#[test]
fn no_secret_on_argv_and_server_strings_are_defanged() {
    let home = Home::new();
    let jwt = |claims: &str| {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.c2ln", b64(r#"{"alg":"RS256"}"#), b64(claims))
    };
    let token = jwt(r#"{"username":"mallory\u001b[2J\u001b]0;pwned\u0007","token_use":"access"}"#);
    for args in [
        vec!["whoami", "--token", token.as_str()],
        vec!["verify", "--token", token.as_str()],
        vec!["devices", "list", "--access-token", token.as_str()],
        vec!["refresh", "--username", "a", "--refresh-token", "abc"],
    ] {
        let out = home.run(&args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains("never taken on the command line"),
            "{}",
            text(&out.stderr)
        );
    }
    let out = home.run(&["whoami", "--token", "-"], &format!("{token}\n"));
    let stdout = ok(&out);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(stdout.contains("mallory\\\\u{1b}[2J"), "{stdout}");
    assert!(
        text(&out.stderr).contains("WITHOUT verifying"),
        "whoami says it did not verify"
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_clap_definitions() {
    let home = Home::new();
    for (shell, mark) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef cognito"),
        ("fish", "complete -c cognito"),
    ] {
        let out = ok(&home.run(&["completions", shell], ""));
        assert!(out.contains(mark), "{shell}");
        assert!(out.contains("sign-in") && out.contains("token"), "{shell}");
    }
    let man = ok(&home.run(&["man"], ""));
    assert!(
        man.starts_with(".ie") || man.contains(".TH cognito"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("sign\\-in"), "the subcommands are in the page");
}

#[test]
fn parallel_tokens_refresh_once_and_agree() {
    let pool = Pool::start(Vec::new());
    let home = signed_in_home(&pool);
    let later = Duration::from_secs(3600);
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut command = ahead(home.command(&["token"]), later);
            env_for(&mut command, &pool);
            command
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let tokens: Vec<String> = children
        .into_iter()
        .map(|child| ok(&child.wait_with_output().unwrap()))
        .collect();
    // Each refresh makes a token of its own (a new jti): one token for all means one refresh,
    // the others waiting on the profile's lock and then taking what it saved.
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    assert_eq!(
        saved(&home, "default")["tokens"]["access_token"]
            .as_str()
            .unwrap(),
        tokens[0].trim()
    );
}

#[test]
fn on_a_rotating_client_token_keeps_the_rotated_refresh_token() {
    let pool = Pool::with(
        PoolConfig::default(),
        ClientConfig {
            refresh_rotation: Some(RefreshRotation {
                retry_grace_seconds: 0,
            }),
            ..ClientConfig::default()
        },
        PASSWORD,
    );
    let home = signed_in_home(&pool);
    let first = saved(&home, "default")["tokens"]["refresh_token"].clone();
    let mut previous = first.clone();
    // Two refreshes, an hour apart: the second works only with the refresh token the first
    // was given (the one before it is refused once rotated out, with no grace period).
    for hours in [1, 2] {
        let later = Duration::from_secs(3600 * hours);
        pool.emulator.advance(Duration::from_secs(3600));
        let mut command = ahead(home.command(&["token"]), later);
        env_for(&mut command, &pool);
        ok(&home.run_with(command, ""));
        let now = saved(&home, "default")["tokens"]["refresh_token"].clone();
        assert_ne!(now, previous, "a rotated refresh token, saved");
        previous = now;
    }
}
