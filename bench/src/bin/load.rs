//! Load benchmark: the `cognito-emulator` binary and moto's server side by side, in one run.
//!
//! Both get the same load: `USER_PASSWORD_AUTH` sign-ins of one confirmed user, sent back to
//! back over a fixed number of keep-alive connections (4 by default), one thread each. The two
//! servers take turns in alternating slices (2 s by default), so that whatever else the machine
//! does falls on both alike. It prints each server's requests/s (over all its slices, and the
//! median slice), the ratio, and the CPU time each server process spent per sign-in (from
//! `/proc/PID/stat`, Linux only).
//!
//! ```text
//! bench/load.sh                       # builds the emulator and this binary in release, runs both
//! load --emulator target/release/cognito-emulator [--moto .tools/moto/bin/moto_server]
//!      [--connections 4] [--slice-ms 2000] [--rounds 5] [--emulator-data DIR]
//! ```
//!
//! The emulator runs in memory (`--memory`) unless `--emulator-data` gives it a data directory
//! (emptied first), where every sign-in commits its tokens before the answer:
//!
//! ```text
//! bench/load.sh --emulator-data /tmp/emulator-bench
//! ```
//!
//! Every answer is checked: a sign-in counts only if it is HTTP 200 with an access token; any
//! other answer is counted as an error and reported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

const USERNAME: &str = "alice";
const PASSWORD: &str = "Passw0rd!";
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// moto reads the region and account from a SigV4-shaped header; it checks no signature.
const DUMMY_AUTHORIZATION: &str = "AWS4-HMAC-SHA256 \
    Credential=test/20260101/us-east-1/cognito-idp/aws4_request, \
    SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
    Signature=0000000000000000000000000000000000000000000000000000000000000000";

/// The emulator and moto under the same sign-in load, side by side.
#[derive(Parser, Debug)]
#[command(name = "load")]
struct Args {
    /// The cognito-emulator binary.
    #[arg(long)]
    emulator: PathBuf,
    /// Runs the emulator with its state in this data directory (a new one: it is emptied
    /// first); without it the emulator runs with --memory.
    #[arg(long, value_name = "DIR")]
    emulator_data: Option<PathBuf>,
    /// moto's server.
    #[arg(long, default_value = ".tools/moto/bin/moto_server")]
    moto: PathBuf,
    /// Keep-alive connections (one thread each).
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// The length of one slice, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    slice_ms: u64,
    /// Slices per server (after one warm-up slice each).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
}

/// A server under test: its process, where to send sign-ins, and the client id.
struct Server {
    name: &'static str,
    child: Child,
    endpoint: String,
    client_id: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// CPU seconds the process has used so far (user + system).
    fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds(&self.child.id().to_string())
    }
}

/// CPU seconds process `pid` (or `self`) has used so far, from `/proc/PID/stat`.
fn cpu_seconds(pid: &str) -> Option<f64> {
    {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The fields after the command name, which is in parentheses and may hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some(ticks / clock_ticks())
    }
}

/// `getconf CLK_TCK`: the unit of /proc/PID/stat's times (100 on Linux).
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .max_idle_connections_per_host(1)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// One Cognito call; `(status, body)`.
fn call(agent: &ureq::Agent, endpoint: &str, operation: &str, body: &Value) -> (u16, Value) {
    let mut response = agent
        .post(endpoint)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", format!("{TARGET_PREFIX}{operation}"))
        .header("Authorization", DUMMY_AUTHORIZATION)
        .send(body.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("{operation} to {endpoint}: {e}"));
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn call_ok(agent: &ureq::Agent, endpoint: &str, operation: &str, body: Value) -> Value {
    let (status, answer) = call(agent, endpoint, operation, &body);
    assert_eq!(status, 200, "{operation}: {answer}");
    answer
}

/// Starts the emulator binary (its default set-up: user alice) and reads its first stdout line:
/// the JSON line of this branch's binary, or the text lines older builds printed.
fn start_emulator(path: &PathBuf, data: Option<&PathBuf>) -> Server {
    let mut command = Command::new(path);
    match data {
        Some(dir) => {
            let _ = std::fs::remove_dir_all(dir);
            command.arg("--data").arg(dir)
        }
        None => command.arg("--memory"),
    };
    let mut child = command
        .env("COGNITO_EMULATOR_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let (endpoint, client_id) = if let Ok(info) = serde_json::from_str::<Value>(&first) {
        (
            info["endpoint"].as_str().unwrap().to_owned(),
            info["client_id"].as_str().unwrap().to_owned(),
        )
    } else {
        // endpoint    http://127.0.0.1:PORT/ / pool id ... / client id ...
        let mut text = vec![first];
        text.extend(lines.by_ref().take(2).map_while(Result::ok));
        let value = |label: &str| {
            text.iter()
                .find_map(|l| l.strip_prefix(label))
                .map(|v| v.trim().to_owned())
                .unwrap_or_else(|| panic!("no {label:?} line in {text:?}"))
        };
        (value("endpoint"), value("client id"))
    };
    // Keep reading stdout so the emulator never blocks on a full pipe.
    thread::spawn(move || lines.for_each(drop));
    Server {
        name: "emulator",
        child,
        endpoint,
        client_id,
    }
}

/// Starts moto's server on a free port, and creates a pool, a client and alice there.
fn start_moto(path: &PathBuf) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let child = Command::new(path)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} (run scripts/setup-peers.sh): {e}",
                path.display()
            )
        });
    let mut server = Server {
        name: "moto",
        child,
        endpoint: format!("http://127.0.0.1:{port}/"),
        client_id: String::new(),
    };
    let agent = agent();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let up = agent
            .post(&server.endpoint)
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("X-Amz-Target", format!("{TARGET_PREFIX}ListUserPools"))
            .header("Authorization", DUMMY_AUTHORIZATION)
            .send(&b"{\"MaxResults\": 1}"[..])
            .is_ok_and(|r| r.status() == 200);
        if up {
            break;
        }
        assert!(Instant::now() < deadline, "moto did not answer in 30 s");
        thread::sleep(Duration::from_millis(50));
    }
    let e = &server.endpoint;
    let pool = call_ok(&agent, e, "CreateUserPool", json!({"PoolName": "load"}));
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = call_ok(
        &agent,
        e,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "load",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    );
    server.client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    call_ok(
        &agent,
        e,
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": USERNAME, "MessageAction": "SUPPRESS"}),
    );
    call_ok(
        &agent,
        e,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": USERNAME, "Password": PASSWORD, "Permanent": true}),
    );
    server
}

/// What one slice measured.
struct Slice {
    ok: u64,
    errors: u64,
    seconds: f64,
    cpu_seconds: Option<f64>,
    /// The CPU this benchmark itself used (the clients' side of the load).
    client_cpu_seconds: Option<f64>,
}

/// `connections` threads send sign-ins back to back to `server` for `length`.
fn slice(server: &Server, connections: usize, length: Duration) -> Slice {
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(connections + 1));
    let body = json!({
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": server.client_id,
        "AuthParameters": {"USERNAME": USERNAME, "PASSWORD": PASSWORD},
    });
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (ok, errors, stop, start) = (
                Arc::clone(&ok),
                Arc::clone(&errors),
                Arc::clone(&stop),
                Arc::clone(&start),
            );
            let (endpoint, body) = (server.endpoint.clone(), body.clone());
            thread::spawn(move || {
                let agent = agent();
                // The connection is opened before the slice starts.
                let _ = call(&agent, &endpoint, "InitiateAuth", &body);
                start.wait();
                while !stop.load(Ordering::Relaxed) {
                    let (status, answer) = call(&agent, &endpoint, "InitiateAuth", &body);
                    if status == 200 && answer["AuthenticationResult"]["AccessToken"].is_string() {
                        ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    start.wait();
    let cpu_before = server.cpu_seconds();
    let client_before = cpu_seconds("self");
    let began = Instant::now();
    thread::sleep(length);
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }
    let seconds = began.elapsed().as_secs_f64();
    let server_cpu = server
        .cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let client_cpu_seconds = cpu_seconds("self")
        .zip(client_before)
        .map(|(after, before)| after - before);
    Slice {
        ok: ok.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        seconds,
        cpu_seconds: server_cpu,
        client_cpu_seconds,
    }
}

/// What all the slices of one server add up to.
struct Total {
    rate: f64,
    median: f64,
    errors: u64,
    cpu_ms_per_sign_in: Option<f64>,
    client_cpu_ms_per_sign_in: Option<f64>,
}

fn total(slices: &[Slice]) -> Total {
    let ok: u64 = slices.iter().map(|s| s.ok).sum();
    let seconds: f64 = slices.iter().map(|s| s.seconds).sum();
    let mut rates: Vec<f64> = slices.iter().map(|s| s.ok as f64 / s.seconds).collect();
    rates.sort_by(f64::total_cmp);
    let cpu: Option<f64> = slices.iter().map(|s| s.cpu_seconds).sum();
    let client_cpu: Option<f64> = slices.iter().map(|s| s.client_cpu_seconds).sum();
    Total {
        rate: ok as f64 / seconds,
        median: rates[rates.len() / 2],
        errors: slices.iter().map(|s| s.errors).sum(),
        cpu_ms_per_sign_in: cpu.filter(|_| ok > 0).map(|c| c * 1000.0 / ok as f64),
        client_cpu_ms_per_sign_in: client_cpu
            .filter(|_| ok > 0)
            .map(|c| c * 1000.0 / ok as f64),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.connections == 0 || args.rounds == 0 || args.slice_ms == 0 {
        eprintln!("load: --connections, --rounds and --slice-ms must be positive");
        return ExitCode::from(2);
    }
    let servers = [
        start_emulator(&args.emulator, args.emulator_data.as_ref()),
        start_moto(&args.moto),
    ];
    let length = Duration::from_millis(args.slice_ms);
    println!(
        "USER_PASSWORD_AUTH sign-ins, {} keep-alive connections, {} slices of {} ms each, alternating",
        args.connections, args.rounds, args.slice_ms
    );
    // Warm-up: moto imports its Cognito backend on first use, both fill their caches.
    for server in &servers {
        let warm = slice(server, args.connections, length / 4);
        if warm.ok == 0 {
            eprintln!(
                "load: {} signed no one in during the warm-up ({} errors)",
                server.name, warm.errors
            );
            return ExitCode::from(1);
        }
    }
    let mut slices: [Vec<Slice>; 2] = [Vec::new(), Vec::new()];
    for round in 0..args.rounds {
        for (i, server) in servers.iter().enumerate() {
            let s = slice(server, args.connections, length);
            println!(
                "  round {round} {:<8} {:>8.1} requests/s",
                server.name,
                s.ok as f64 / s.seconds
            );
            slices[i].push(s);
        }
    }
    let totals = [total(&slices[0]), total(&slices[1])];
    for (server, t) in servers.iter().zip(&totals) {
        let ms = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |c| format!("{c:.3} ms"));
        println!(
            "{:<8} {:>8.1} requests/s (median slice {:.1}), {} errors, CPU per sign-in {} \
             (the load's own: {})",
            server.name,
            t.rate,
            t.median,
            t.errors,
            ms(t.cpu_ms_per_sign_in),
            ms(t.client_cpu_ms_per_sign_in)
        );
    }
    println!(
        "ratio    emulator / moto = {:.2}x (median slices {:.2}x)",
        totals[0].rate / totals[1].rate,
        totals[0].median / totals[1].median
    );
    if totals.iter().any(|t| t.errors > 0) {
        eprintln!("load: some sign-ins failed");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
