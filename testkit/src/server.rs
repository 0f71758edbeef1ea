//! Starting, probing and stopping one `moto_server` process.

use std::fs::{self, File};
use std::io::{self, Read as _};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Environment variable that overrides where `moto_server` is looked up.
pub const MOTO_SERVER_ENV: &str = "COGNITO_FLOWS_MOTO_SERVER";

/// How long one start attempt waits for moto to answer HTTP.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the readiness probe runs.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Start attempts (each with a fresh port) before giving up. Only a lost
/// port race (the free port was taken before moto bound it) is retried.
const START_ATTEMPTS: usize = 5;

/// Distinguishes the log files of the Moto servers of one test process.
static INSTANCE: AtomicU64 = AtomicU64::new(0);

/// A running moto server with the Cognito IDP mock, listening on
/// `127.0.0.1` on a free port. Its state (user pools, clients, users) is
/// its own: start one per test for isolation.
///
/// The process is killed and reaped when the value is dropped. Its output
/// goes to a log file under the OS temp dir ([`Moto::log_path`]); the file
/// is removed on drop unless the thread is panicking, so a failed test
/// leaves the log behind for inspection.
#[derive(Debug)]
pub struct Moto {
    pub(crate) child: Child,
    pub(crate) port: u16,
    pub(crate) log_path: PathBuf,
    pub(crate) agent: ureq::Agent,
    pub(crate) startup: Duration,
}

/// Where `moto_server` is: `$COGNITO_FLOWS_MOTO_SERVER`, or the venv that
/// `scripts/setup-peers.sh` creates at `<workspace>/.tools/moto`.
pub fn moto_server_path() -> PathBuf {
    if let Some(path) = std::env::var_os(MOTO_SERVER_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    workspace_root().join(".tools/moto/bin/moto_server")
}

/// The cargo workspace root (the testkit crate's parent directory).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Outcome of one start attempt.
enum Attempt {
    Ready(Moto),
    /// moto exited before answering, most likely because the port was
    /// taken between our probe and its bind: try another port.
    Exited(String),
}

impl Moto {
    /// Starts a moto server with the default environment. Panics with a
    /// clear message if moto is not installed or does not come up.
    pub fn start() -> Moto {
        Moto::start_with_env(&[])
    }

    /// Starts a moto server with extra environment variables for the
    /// child process, e.g.
    /// `&[("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")]` to make moto
    /// check TOTP codes against its fixed secret.
    ///
    /// Panics with a clear message if moto is not installed (run
    /// `scripts/setup-peers.sh`) or does not answer HTTP within ~30 s.
    pub fn start_with_env(env: &[(&str, &str)]) -> Moto {
        let program = moto_server_path();
        if !program.is_file() {
            panic!(
                "moto is not installed: run scripts/setup-peers.sh (no moto_server at {}; \
                 set {MOTO_SERVER_ENV} to use another one)",
                program.display()
            );
        }
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            match Moto::try_start(&program, env) {
                Ok(Attempt::Ready(moto)) => return moto,
                Ok(Attempt::Exited(why)) => failures.push(why),
                Err(why) => panic!("could not start moto ({}): {why}", program.display()),
            }
        }
        panic!(
            "moto exited before answering, {START_ATTEMPTS} times ({}):\n{}",
            program.display(),
            failures.join("\n---\n")
        );
    }

    fn try_start(program: &Path, env: &[(&str, &str)]) -> Result<Attempt, String> {
        let port = free_port().map_err(|e| format!("no free port on 127.0.0.1: {e}"))?;
        let instance = INSTANCE.fetch_add(1, Ordering::Relaxed);
        let log_path = std::env::temp_dir().join(format!(
            "cognito-flows-moto-{}-{instance}-{port}.log",
            std::process::id()
        ));
        let log = File::create(&log_path)
            .map_err(|e| format!("cannot create log file {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot clone log file handle: {e}"))?;

        let started = Instant::now();
        let mut command = Command::new(program);
        command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command
            .spawn()
            .map_err(|e| format!("spawn {} failed: {e}", program.display()))?;

        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .timeout_connect(Some(Duration::from_secs(2)))
                .timeout_global(Some(Duration::from_secs(60)))
                .build(),
        );
        let mut moto = Moto {
            child,
            port,
            log_path,
            agent,
            startup: Duration::ZERO,
        };

        let deadline = started + READY_TIMEOUT;
        let banner = format!("Running on http://127.0.0.1:{port}");
        loop {
            match moto.child.try_wait() {
                Ok(Some(status)) => {
                    let why = format!("moto exited with {status}; log:\n{}", moto.log_tail());
                    drop(moto);
                    return Ok(Attempt::Exited(why));
                }
                Ok(None) => {}
                Err(e) => return Err(format!("cannot poll moto's process: {e}")),
            }
            // Only trust the port once *our* process says it bound it: a
            // concurrent test may have won the race for the same port.
            if moto.log_contains(&banner) && moto.answers_http() {
                // The first Cognito request imports moto's Cognito backend
                // (~150 ms): pay it here so startup_time() is honest.
                if let Err(e) = moto.call("ListUserPools", serde_json::json!({"MaxResults": 1})) {
                    let tail = moto.log_tail();
                    drop(moto);
                    return Err(format!(
                        "moto's Cognito backend does not answer: {e}\n{tail}"
                    ));
                }
                moto.startup = started.elapsed();
                return Ok(Attempt::Ready(moto));
            }
            if Instant::now() >= deadline {
                let tail = moto.log_tail();
                let log = moto.log_path.display().to_string();
                drop(moto);
                return Err(format!(
                    "moto did not answer HTTP on 127.0.0.1:{port} within {}s (log {log}):\n{tail}",
                    READY_TIMEOUT.as_secs()
                ));
            }
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// The endpoint to send Cognito requests to, e.g. `http://127.0.0.1:40123/`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// The port moto listens on (on `127.0.0.1`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The region moto puts everything in when requests carry no region:
    /// always `"us-east-1"` (pool ids look like `us-east-1_<32 hex>`).
    pub fn region(&self) -> &'static str {
        "us-east-1"
    }

    /// The log file receiving moto's stdout and stderr.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// How long [`Moto::start`] took from spawning the process until moto
    /// answered a first Cognito request.
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// The last lines of moto's log (for failure messages).
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Err(e) = File::open(&self.log_path).and_then(|mut f| f.read_to_string(&mut text)) {
            return format!("(cannot read {}: {e})", self.log_path.display());
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    fn log_contains(&self, needle: &str) -> bool {
        fs::read_to_string(&self.log_path).is_ok_and(|text| text.contains(needle))
    }

    /// Whether something answers HTTP on our port (any status counts).
    fn answers_http(&self) -> bool {
        self.agent
            .get(format!("{}moto-api/config", self.endpoint()))
            .call()
            .is_ok()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // Already exited (kill fails) or killed now: reap it either way.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !thread::panicking() {
            let _ = fs::remove_file(&self.log_path);
        }
    }
}

/// A port that was free on 127.0.0.1 a moment ago (bind :0, read, drop).
fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}
