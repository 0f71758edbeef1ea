//! The `cognito-emulator` binary as test scripts run it: a config file in, one JSON line out, a
//! pool that works as printed, a clean stop on SIGTERM, and clear exits for bad set-ups.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};

mod common;

const BINARY: &str = env!("CARGO_BIN_EXE_cognito-emulator");

/// A config file of its own for each test.
fn config_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "cognito-emulator-test-{}-{name}",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

/// The running binary; killed if a test fails before stopping it.
struct Running {
    child: Child,
    info: Value,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawns the binary with stdout or stderr piped; in memory unless `args` name a data directory
/// (the default one would be in the package's directory).
fn spawn(args: &[&str], piped_stdout: bool) -> Child {
    let pipe = |yes: bool| if yes { Stdio::piped() } else { Stdio::null() };
    let memory = (!args.contains(&"--data")).then_some("--memory");
    Command::new(BINARY)
        .args(memory)
        .args(args)
        .stdin(Stdio::null())
        .stdout(pipe(piped_stdout))
        .stderr(pipe(!piped_stdout))
        .spawn()
        .unwrap()
}

fn start(args: &[&str]) -> Running {
    let mut child = spawn(args, true);
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    Running { child, info }
}

/// Waits at most 10 s for the process to end (then kills it and fails).
fn wait(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the emulator did not stop in 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs the binary to its end: (exit code, stderr).
fn run_to_end(args: &[&str]) -> (Option<i32>, String) {
    let mut child = spawn(args, false);
    let status = wait(&mut child);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code(), stderr)
}

fn post(endpoint: &str, operation: &str, body: &Value) -> (u16, Value) {
    common::call(endpoint, operation, body)
}

#[test]
fn the_printed_line_reaches_a_pool_set_up_as_the_config_says() {
    let config = config_file(
        "setup.json",
        r#"{"region": "eu-west-3",
            "pool": {"password_policy": {"minimum_length": 12}},
            "clients": [{"name": "public"}, {"name": "server", "secret": true}],
            "users": [{"username": "kim", "password": "Kim-Passw0rd-long",
                       "attributes": {"email": "kim@example.com"}}]}"#,
    );
    let running = start(&["--config", config.to_str().unwrap()]);
    let info = &running.info;
    let endpoint = info["endpoint"].as_str().unwrap();
    let pool = info["pool_id"].as_str().unwrap();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    assert!(pool.starts_with("eu-west-3_"), "{pool}");
    assert_eq!(
        info["issuer"],
        format!("https://cognito-idp.eu-west-3.amazonaws.com/{pool}")
    );
    assert_eq!(
        info["jwks_uri"],
        format!("{endpoint}{pool}/.well-known/jwks.json")
    );
    assert_eq!(info["users"], json!(["kim"]));
    assert_eq!(info["client_id"], info["clients"][0]["client_id"]);
    assert!(info["client_secret"].is_null());
    let server = &info["clients"][1];
    assert_eq!(server["name"], "server");
    let (id, secret) = (
        server["client_id"].as_str().unwrap(),
        server["client_secret"].as_str().unwrap(),
    );

    // The printed secret is the client's: SECRET_HASH made with it is accepted.
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("kim{id}").as_bytes());
    let secret_hash = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let sign_in = |hash: &str| {
        post(
            endpoint,
            "InitiateAuth",
            &json!({"ClientId": id, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": "kim", "PASSWORD": "Kim-Passw0rd-long",
                                       "SECRET_HASH": hash}}),
        )
    };
    let (status, answer) = sign_in(&secret_hash);
    assert_eq!(status, 200, "{answer}");
    assert!(answer["AuthenticationResult"]["AccessToken"].is_string());
    let (status, answer) = sign_in("bm90IGl0");
    assert_eq!(
        (status, answer["__type"].as_str()),
        (400, Some("NotAuthorizedException"))
    );

    // The policy of the config: 12 characters.
    let (status, answer) = post(
        endpoint,
        "SignUp",
        &json!({"ClientId": info["client_id"], "Username": "lee", "Password": "Sh0rt-Pass!"}),
    );
    assert_eq!(
        (status, answer["__type"].as_str()),
        (400, Some("InvalidPasswordException"))
    );
    std::fs::remove_file(config).unwrap();
}

#[test]
fn sigterm_stops_it_cleanly() {
    let mut running = start(&[]);
    let endpoint = running.info["endpoint"].as_str().unwrap().to_owned();
    let port = endpoint
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches('/')
        .to_owned();
    let killed = Command::new("kill")
        .args(["-TERM", &running.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait(&mut running.child);
    assert_eq!(status.code(), Some(0), "{status}");
    assert!(std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_err());
}

#[test]
fn a_bad_config_is_a_clear_error_not_a_panic() {
    let config = config_file("bad.toml", "[pool]\nmfa = \"sometimes\"\n");
    let (code, stderr) = run_to_end(&["--config", config.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("bad.toml"), "{stderr}");
    assert!(stderr.contains("sometimes"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::fs::remove_file(config).unwrap();

    let (code, stderr) = run_to_end(&["--config", "/nonexistent/cognito.toml"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read /nonexistent/cognito.toml"),
        "{stderr}"
    );

    let config = config_file(
        "twice.toml",
        "[[users]]\nusername = \"a\"\npassword = \"Secret-Passw0rd\"\n\
         [[users]]\nusername = \"a\"\npassword = \"Secret-Passw0rd\"\n",
    );
    let (code, stderr) = run_to_end(&["--config", config.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("user \"a\": User already exists"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Secret-Passw0rd"),
        "the password is in the error: {stderr}"
    );
    std::fs::remove_file(config).unwrap();
}

/// Cognito refuses a callback or logout URL with a fragment (`#...`), and so does every door of
/// the emulator: the admin API over HTTP, the embedded API, the config file and the flags.
#[test]
fn a_callback_url_with_a_fragment_is_refused_by_every_door() {
    let url = "http://localhost:3000/callback#token";
    let config = config_file(
        "fragment.toml",
        &format!("[[clients]]\nname = \"web\"\ncallback_urls = [\"{url}\"]\n"),
    );
    let (code, stderr) = run_to_end(&["--config", config.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "client \"web\": callback URL \"{url}\" has a fragment"
        )),
        "{stderr}"
    );
    std::fs::remove_file(config).unwrap();
    let config = config_file(
        "logout-fragment.toml",
        "[[clients]]\nname = \"web\"\nlogout_urls = [\"http://localhost/#out\"]\n",
    );
    let (code, stderr) = run_to_end(&["--config", config.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("has a fragment"), "{stderr}");
    std::fs::remove_file(config).unwrap();

    let (code, stderr) = run_to_end(&["--callback-url", url]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("has a fragment"), "{stderr}");

    let emulator =
        cognito_flows_emulator::Emulator::start(cognito_flows_emulator::EmulatorConfig::default())
            .unwrap();
    let pool = emulator.create_user_pool(cognito_flows_emulator::PoolConfig::default());
    let with = |urls: Vec<String>, logout: Vec<String>| {
        let mut config = cognito_flows_emulator::ClientConfig {
            callback_urls: urls,
            ..cognito_flows_emulator::ClientConfig::default()
        };
        config.settings.logout_urls = logout;
        emulator.create_client(&pool, config)
    };
    assert!(with(vec![url.into()], Vec::new()).is_none());
    assert!(with(Vec::new(), vec!["http://localhost/#out".into()]).is_none());
    assert!(with(vec!["http://localhost:3000/callback".into()], Vec::new()).is_some());

    let (status, answer) = post(
        emulator.endpoint(),
        "CreateUserPoolClient",
        &json!({"UserPoolId": pool, "ClientName": "web", "CallbackURLs": [url]}),
    );
    assert_eq!(status, 400);
    assert_eq!(answer["__type"], "InvalidParameterException");
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, stderr) = run_to_end(&["--port", &port]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot start the server"), "{stderr}");
}

fn payload(token: &Value) -> Value {
    let part = token.as_str().unwrap().split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn the_example_config_brings_up_its_world_and_its_users_sign_in() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/cognito-emulator.example.toml");
    let running = start(&["--config", example]);
    let info = &running.info;
    let endpoint = info["endpoint"].as_str().unwrap();
    let web = info["client_id"].as_str().unwrap();
    assert_eq!(info["clients"][0]["name"], "web");
    assert_eq!(
        info["users"],
        json!(["alice", "bob", "carol", "dan", "eve"])
    );
    let password_auth = |client: &str, name: &str, password: &str| {
        post(
            endpoint,
            "InitiateAuth",
            &json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": name, "PASSWORD": password}}),
        )
    };

    // alice: her groups and custom attribute in the tokens, by password and by SRP.
    let (status, answer) = password_auth(web, "alice", "Passw0rd!");
    assert_eq!(status, 200, "{answer}");
    let id = payload(&answer["AuthenticationResult"]["IdToken"]);
    assert_eq!(id["cognito:groups"], json!(["admins", "staff"]));
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::000000000000:role/admins"
    );
    assert_eq!(id["custom:tenant"], "acme");
    assert_eq!(
        payload(&answer["AuthenticationResult"]["AccessToken"])["cognito:groups"],
        json!(["admins", "staff"])
    );
    let srp = cognito_flows::srp::SrpClient::from_private_key(&[3; 32]);
    let (status, challenge) = post(
        endpoint,
        "InitiateAuth",
        &json!({"ClientId": web, "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {"USERNAME": "alice", "SRP_A": srp.public_key_hex()}}),
    );
    assert_eq!(status, 200, "{challenge}");
    let p = &challenge["ChallengeParameters"];
    let params = cognito_flows::srp::ChallengeParameters {
        srp_b: p["SRP_B"].as_str().unwrap(),
        salt: p["SALT"].as_str().unwrap(),
        secret_block: p["SECRET_BLOCK"].as_str().unwrap(),
    };
    let now = cognito_flows::srp::timestamp(std::time::SystemTime::now()).unwrap();
    let pool = info["pool_id"].as_str().unwrap();
    let signature = srp
        .password_claim(
            pool.split_once('_').unwrap().1,
            "alice",
            b"Passw0rd!",
            &params,
            &now,
        )
        .unwrap();
    let (status, answer) = post(
        endpoint,
        "RespondToAuthChallenge",
        &json!({"ClientId": web, "ChallengeName": "PASSWORD_VERIFIER", "Session": challenge["Session"],
                "ChallengeResponses": {"USERNAME": "alice", "TIMESTAMP": now,
                                       "PASSWORD_CLAIM_SECRET_BLOCK": params.secret_block,
                                       "PASSWORD_CLAIM_SIGNATURE": signature}}),
    );
    assert_eq!(status, 200, "{answer}");
    assert!(answer["AuthenticationResult"]["RefreshToken"].is_string());

    // bob must choose a password; carol's TOTP is asked and her authenticator's code works.
    let (_, answer) = password_auth(web, "bob", "Temp-Passw0rd1");
    assert_eq!(answer["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{answer}");
    let (_, challenge) = password_auth(web, "carol", "Carol-Passw0rd");
    assert_eq!(
        challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA",
        "{challenge}"
    );
    let key = data_encoding::BASE32_NOPAD
        .decode(b"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        .unwrap();
    let (status, answer) = post(
        endpoint,
        "RespondToAuthChallenge",
        &json!({"ClientId": web, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": challenge["Session"],
                "ChallengeResponses": {"USERNAME": "carol",
                                       "SOFTWARE_TOKEN_MFA_CODE": common::totp(&key, std::time::SystemTime::now())}}),
    );
    assert_eq!(status, 200, "{answer}");

    // dan has not confirmed; eve is disabled.
    let (_, answer) = password_auth(web, "dan", "Dan-Passw0rd");
    assert_eq!(answer["__type"], "UserNotConfirmedException", "{answer}");
    let (_, answer) = password_auth(web, "eve", "Eve-Passw0rd");
    assert_eq!(
        (answer["__type"].as_str(), answer["message"].as_str()),
        (Some("NotAuthorizedException"), Some("User is disabled."))
    );

    // The web client's flows are enforced: no admin sign-in through it.
    let (_, answer) = post(
        endpoint,
        "AdminInitiateAuth",
        &json!({"UserPoolId": pool, "ClientId": web, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    );
    assert_eq!(answer["message"], "Auth flow not enabled for this client");

    // The second pool: pat's SMS MFA code is the pool's fixed code.
    let partners = &info["pools"][1];
    assert_eq!(partners["name"], "partners");
    let portal = partners["clients"][0]["client_id"].as_str().unwrap();
    let (_, challenge) = password_auth(portal, "pat", "Pat-Passw0rd");
    assert_eq!(challenge["ChallengeName"], "SMS_MFA", "{challenge}");
    let (status, answer) = post(
        endpoint,
        "RespondToAuthChallenge",
        &json!({"ClientId": portal, "ChallengeName": "SMS_MFA", "Session": challenge["Session"],
                "ChallengeResponses": {"USERNAME": "pat", "SMS_MFA_CODE": "123456"}}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        payload(&answer["AuthenticationResult"]["IdToken"])["iss"],
        partners["issuer"]
    );
}

#[test]
fn help_lists_every_operation_the_emulator_answers() {
    let output = Command::new(BINARY).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    let listed: Vec<&str> = help
        .split_once("Operations (")
        .unwrap()
        .1
        .lines()
        .skip(1)
        .flat_map(str::split_whitespace)
        .collect();
    assert_eq!(listed, cognito_flows_emulator::OPERATIONS);
}

/// A data directory of its own for each test (removed when dropped).
struct DataDir(PathBuf);

impl DataDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "cognito-emulator-test-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A SignUp that may meet a dead server: `Some(status)` when an answer came.
fn try_sign_up(agent: &ureq::Agent, endpoint: &str, client_id: &str, name: &str) -> Option<u16> {
    let body = json!({"ClientId": client_id, "Username": name, "Password": "Passw0rd!",
                      "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")}]});
    agent
        .post(endpoint)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
        .send(body.to_string())
        .ok()
        .map(|r| r.status().as_u16())
}

#[test]
fn every_acknowledged_sign_up_survives_a_sigkill() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    const CLIENTS: usize = 8;
    const PER_CLIENT: usize = 40;
    const KILL_AFTER: usize = 100;
    let data = DataDir::new("sigkill");
    let mut running = start(&["--data", data.path(), "--user", "alice"]);
    let first = running.info.clone();
    let endpoint = first["endpoint"].as_str().unwrap().to_owned();
    let client_id = first["client_id"].as_str().unwrap().to_owned();

    // Several clients sign up at once, a bounded number each, until the server is gone.
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stopped = Arc::new(AtomicBool::new(false));
    let storm: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (endpoint, client_id) = (endpoint.clone(), client_id.clone());
            let (acknowledged, stopped) = (Arc::clone(&acknowledged), Arc::clone(&stopped));
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(10)))
                    .build()
                    .into();
                for i in 0..PER_CLIENT {
                    let name = format!("storm-{c}-{i}");
                    match try_sign_up(&agent, &endpoint, &client_id, &name) {
                        Some(200) => acknowledged.lock().unwrap().push(name),
                        Some(status) => panic!("SignUp {name}: {status}"),
                        None => return,
                    }
                    if stopped.load(Ordering::SeqCst) {
                        return;
                    }
                }
            })
        })
        .collect();
    // SIGKILL in the middle of it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().unwrap().len() < KILL_AFTER && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    running.child.kill().unwrap();
    running.child.wait().unwrap();
    stopped.store(true, Ordering::SeqCst);
    for client in storm {
        client.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= KILL_AFTER && acknowledged.len() < CLIENTS * PER_CLIENT,
        "not killed in the middle of the storm: {} sign-ups acknowledged",
        acknowledged.len()
    );

    // Restarted on the same directory: the same pool and client, and every acknowledged user,
    // with the code that was sent and the password that was given.
    let running = start(&["--data", data.path(), "--user", "someone-else"]);
    let info = &running.info;
    for key in ["pool_id", "client_id", "clients", "users", "issuer"] {
        assert_eq!(info[key], first[key], "{key}");
    }
    let endpoint = info["endpoint"].as_str().unwrap();
    let outbox = common::get_json(endpoint, "_emulator/outbox");
    let codes: std::collections::BTreeMap<&str, &str> = outbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["username"].as_str().unwrap(), m["code"].as_str().unwrap()))
        .collect();
    for name in &acknowledged {
        let code = codes
            .get(name.as_str())
            .unwrap_or_else(|| panic!("{name}'s code was lost"));
        let (status, answer) = post(
            endpoint,
            "ConfirmSignUp",
            &json!({"ClientId": client_id, "Username": name, "ConfirmationCode": code}),
        );
        assert_eq!(status, 200, "{name} was lost: {answer}");
        let (status, answer) = post(
            endpoint,
            "InitiateAuth",
            &json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": name, "PASSWORD": "Passw0rd!"}}),
        );
        assert_eq!(status, 200, "{name}: {answer}");
    }
}

#[test]
fn the_data_directory_is_the_default_and_memory_keeps_nothing() {
    let cwd = DataDir::new("cwd");
    std::fs::create_dir_all(&cwd.0).unwrap();
    let in_cwd = |args: &[&str]| {
        let mut child = Command::new(BINARY)
            .args(args)
            .current_dir(&cwd.0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        Running { child, info }
    };
    let first = in_cwd(&[]);
    assert!(cwd.0.join(".cognito-emulator/emulator.sqlite3").is_file());
    let pool = first.info["pool_id"].clone();
    drop(first);
    assert_eq!(in_cwd(&[]).info["pool_id"], pool, "not restored");
    assert_ne!(in_cwd(&["--memory"]).info["pool_id"], pool);
    let (code, stderr) = run_to_end(&["--memory", "--data", cwd.path()]);
    assert_eq!(code, Some(2), "{stderr}");

    // A data directory that cannot be one: a clear error, exit code 1.
    let file = cwd.0.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let (code, stderr) = run_to_end(&["--data", file.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("is not a directory"), "{stderr}");
    let text = cwd.0.join("text");
    std::fs::create_dir(&text).unwrap();
    std::fs::write(text.join("emulator.sqlite3"), "not SQLite\n".repeat(100)).unwrap();
    let (code, stderr) = run_to_end(&["--data", text.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("is not an SQLite database"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
