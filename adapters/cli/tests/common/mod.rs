//! What the CLI tests share: an emulator with a pool, and a home of the test's own (config,
//! state and runtime directories in a temporary directory, no session bus: never the real
//! user's files or keyring).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use cognito_flows_emulator::{ClientConfig, ClientInfo, DeviceTracking, Emulator, Mfa, PoolConfig};
use cognito_flows_testkit::emulator::{Fixture, Options};
use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

pub const PASSWORD: &str = "Corr3ct-Horse!";

/// An emulator with a pool (optional MFA, devices remembered when the user says so), a client
/// with a secret, and `alice`.
pub struct Pool {
    pub emulator: Emulator,
    pub pool_id: String,
    pub client: ClientInfo,
}

impl Pool {
    pub fn start(callback_urls: Vec<String>) -> Self {
        Self::with(
            PoolConfig {
                mfa: Mfa::Optional,
                device_tracking: DeviceTracking::UserOptIn,
                ..PoolConfig::default()
            },
            ClientConfig {
                callback_urls,
                ..ClientConfig::default()
            },
            PASSWORD,
        )
    }

    /// A pool of `config`, its client of `client` (always with a secret) and `alice` with
    /// `password`.
    pub fn with(config: PoolConfig, client: ClientConfig, password: &str) -> Self {
        let w = Fixture::start(
            Options::default()
                .pool(config)
                .client(client)
                .secret()
                .user("alice", password, &[("email", "alice@example.com")]),
        );
        Self {
            emulator: w.emulator,
            pool_id: w.pool_id,
            client: ClientInfo {
                id: w.client_id,
                secret: w.client_secret,
            },
        }
    }

    pub fn secret(&self) -> &str {
        self.client.secret.as_deref().unwrap()
    }
}

/// A home directory of the test's own.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `$XDG_STATE_HOME/cognito/sessions/{profile}.json`.
    pub fn session_file(&self, profile: &str) -> PathBuf {
        self.path()
            .join("state/cognito/sessions")
            .join(format!("{profile}.json"))
    }

    pub fn config_file(&self) -> PathBuf {
        self.path().join("config/cognito/config.toml")
    }

    /// `cognito ARGS` in this home, with nothing of the environment that could reach the real
    /// user's files, keyring or profile.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cognito"));
        command.args(args);
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().into_owned();
            if k.starts_with("COGNITO_") || k.starts_with("XDG_") || k.starts_with("DBUS_") {
                command.env_remove(k);
            }
        }
        let runtime = self.path().join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        command
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_RUNTIME_DIR", runtime)
            .env_remove("LD_PRELOAD")
            .env_remove("FAKETIME");
        command
    }

    /// Runs `cognito ARGS` with `stdin`, no terminal.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.run_with(self.command(args), stdin)
    }

    pub fn run_with(&self, mut command: Command, stdin: &str) -> Output {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
            _ => {}
        }
        child.wait_with_output().unwrap()
    }
}

/// The command, its clock `ahead` of this machine's (libfaketime: the Debian package
/// `faketime`, installed by scripts/setup-peers.sh), monotonic clocks untouched.
pub fn ahead(mut command: Command, by: Duration) -> Command {
    let lib = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
    .expect("libfaketime is missing: run scripts/setup-peers.sh (apt package faketime)");
    command
        .env("LD_PRELOAD", lib)
        .env("FAKETIME", format!("+{}s", by.as_secs()))
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .env("FAKETIME_DONT_RESET", "1");
    command
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts success, with stderr in the message.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The saved session file's JSON.
pub fn saved(home: &Home, profile: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(home.session_file(profile)).unwrap()).unwrap()
}

/// `command` on a pseudo-terminal, each expectation waiting at most 20 s.
pub fn pty(command: Command) -> PtySession {
    spawn_command(command, Some(20_000)).unwrap()
}

/// Waits for the end of the session's output and asserts exit code 0; the rest of the output.
pub fn exits_0(session: &mut PtySession) -> String {
    let rest = session.exp_eof().unwrap();
    let status = session.process().wait().unwrap();
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "{status:?}\n{rest}"
    );
    rest
}
