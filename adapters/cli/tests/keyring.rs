//! With an OS keyring (a Secret Service: gnome-keyring on a private session bus of the test's
//! own, from the Debian packages scripts/setup-peers.sh installs), the session and the client
//! secret go there, and no file holds them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Home, PASSWORD, Pool, ok, text};

/// A session bus and a Secret Service on it, stopped on drop.
struct SecretService {
    address: String,
    children: Vec<Child>,
}

impl Drop for SecretService {
    fn drop(&mut self) {
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn secret_service(home: &Home) -> SecretService {
    let socket = home.path().join("bus");
    std::fs::create_dir_all(home.path().join("run")).unwrap();
    let address = format!("unix:path={}", socket.display());
    let mut service = SecretService {
        address: address.clone(),
        children: Vec::new(),
    };
    let missing = "dbus-daemon and gnome-keyring are missing: run scripts/setup-peers.sh";
    service.children.push(
        Command::new("dbus-daemon")
            .args(["--session", "--nofork", &format!("--address={address}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(missing),
    );
    wait_for("the session bus", || Path::new(&socket).exists());
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("HOME", home.path())
        .env("XDG_RUNTIME_DIR", home.path().join("run"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(missing);
    // The password of the new login keyring, on stdin.
    keyring
        .stdin
        .take()
        .unwrap()
        .write_all(b"test-keyring")
        .unwrap();
    service.children.push(keyring);
    // Asked before its login keyring exists, the service has no default collection for good.
    let login = home.path().join("data/keyrings/login.keyring");
    wait_for("the login keyring", || login.exists());
    service
}

#[test]
fn with_a_secret_service_the_session_lives_in_the_keyring() {
    let pool = Pool::start(Vec::new());
    let home = Home::new();
    let service = secret_service(&home);
    let cognito = |args: &[&str]| {
        let mut command = home.command(args);
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &service.address)
            .env("COGNITO_USER_POOL_ID", &pool.pool_id)
            .env("COGNITO_CLIENT_ID", &pool.client.id)
            .env("COGNITO_ENDPOINT", pool.emulator.endpoint());
        command
    };
    // The keyring answers once the service has registered its name.
    wait_for("the secret service", || {
        let out = home.run_with(cognito(&["status"]), "");
        text(&out.stdout).contains("store:     OS keyring")
    });

    // configure at a terminal: the pool and client come from the environment (Enter keeps
    // them), the client secret is typed at the hidden prompt and goes to the keyring.
    let mut p = rexpect::session::spawn_command(cognito(&["configure"]), Some(20_000)).unwrap();
    for _ in 0..4 {
        p.exp_string("]: ").unwrap();
        p.send_line("").unwrap();
    }
    p.exp_string("App client secret (hidden; Enter for none): ")
        .unwrap();
    p.send_line(pool.secret()).unwrap();
    p.exp_string("its secrets go to the OS keyring").unwrap();
    p.exp_eof().unwrap();
    assert!(
        !home.path().join("state/cognito/secrets").exists(),
        "no secret file beside the keyring"
    );

    // Without COGNITO_CLIENT_SECRET: the sign-in's SECRET_HASH comes from the keyring's secret.
    let sign_in = cognito(&["sign-in", "--username", "alice", "--password-stdin"]);
    let out = home.run_with(sign_in, &format!("{PASSWORD}\n"));
    ok(&out);
    assert!(
        text(&out.stderr).contains("saved in the OS keyring"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !home.session_file("default").exists(),
        "no session file beside the keyring"
    );

    let access = ok(&home.run_with(cognito(&["token"]), ""));
    assert_eq!(access.trim().split('.').count(), 3, "a JWT");

    ok(&home.run_with(cognito(&["sign-out"]), ""));
    let out = home.run_with(cognito(&["token"]), "");
    assert_eq!(out.status.code(), Some(1), "the keyring entry is deleted");
    assert!(text(&out.stderr).contains("run `cognito sign-in`"));
}
