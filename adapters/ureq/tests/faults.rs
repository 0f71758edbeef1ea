//! Retries against a fault-injecting server on 127.0.0.1: they happen where they are safe, stop
//! at the limit, back off, and never resend an answer that may have been consumed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cognito_flows::retry::RetryPolicy;
use cognito_flows::{Entropy, Error, ErrorKind, ProtocolReason, SignIn, UserPool};
use cognito_flows_async::Driver;
use cognito_flows_ureq::{Blocking, DriveError, Ureq, agent};
use serde_json::json;

type Script = BTreeMap<String, VecDeque<(u16, String)>>;

/// A server answering each `X-Amz-Target` from its script, counting requests.
struct FaultServer {
    endpoint: String,
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl FaultServer {
    fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}/", listener.local_addr().unwrap());
        let counts = Arc::new(Mutex::new(BTreeMap::new()));
        let script = Arc::new(Mutex::new(script));
        let (c, s) = (Arc::clone(&counts), Arc::clone(&script));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { break };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (mut target, mut length) = (String::new(), 0usize);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("x-amz-target:") {
                        target = v
                            .trim()
                            .trim_start_matches("awscognitoidentityproviderservice.")
                            .to_owned();
                    }
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                *c.lock().unwrap().entry(target.clone()).or_insert(0) += 1;
                let (status, text) = s
                    .lock()
                    .unwrap()
                    .get_mut(&target)
                    .and_then(VecDeque::pop_front)
                    .unwrap_or((500, "no script".into()));
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        Self { endpoint, counts }
    }

    fn count(&self, target: &str) -> usize {
        self.counts
            .lock()
            .unwrap()
            .get(target)
            .copied()
            .unwrap_or(0)
    }
}

fn script(entries: &[(&str, &[(u16, serde_json::Value)])]) -> Script {
    entries
        .iter()
        .map(|(t, rs)| {
            (
                (*t).to_ascii_lowercase(),
                rs.iter()
                    .map(|(s, v)| {
                        (
                            *s,
                            if v.is_string() {
                                v.as_str().unwrap().to_owned()
                            } else {
                                v.to_string()
                            },
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

fn tokens() -> serde_json::Value {
    let jwt = "eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6ImEiLCJpYXQiOjEsImV4cCI6OTk5OTk5OTk5OX0.";
    json!({"AuthenticationResult": {"AccessToken": jwt, "IdToken": jwt, "RefreshToken": "r", "ExpiresIn": 3600}})
}

fn challenge() -> serde_json::Value {
    json!({"ChallengeName": "SMS_MFA", "Session": "s", "ChallengeParameters": {"USERNAME": "a"}})
}

fn pool(endpoint: &str) -> UserPool {
    UserPool::new("us-east-1_Faults", "client")
        .unwrap()
        .with_endpoint(endpoint)
        .unwrap()
}

/// Drives with a recording sleep; returns the outcome and the delays.
fn run(
    endpoint: &str,
    policy: RetryPolicy,
    flow: SignIn,
) -> (Result<cognito_flows::SignedIn, DriveError>, Vec<Duration>) {
    let delays = RefCell::new(Vec::new());
    // Record each wait, and let it pass: the driver reads the clock after it.
    let sleep = |d| {
        delays.borrow_mut().push(d);
        std::thread::sleep(d);
    };
    let driver = Driver::new(Blocking(Ureq::new(agent())), sleep)
        .with_retry_policy(policy)
        .with_jitter_seed(Entropy::from([9; 32]));
    let out = driver.run(flow, |_| Ok(cognito_flows::Input::code("123456")));
    let _ = endpoint;
    (out, delays.into_inner())
}

#[test]
fn initiate_auth_is_retried_through_5xx_and_throttling_with_backoff() {
    let server = FaultServer::start(script(&[(
        "InitiateAuth",
        &[
            (503, json!("<html>Service Unavailable</html>")),
            (
                400,
                json!({"__type": "TooManyRequestsException", "message": "Rate exceeded"}),
            ),
            (200, tokens()),
        ],
    )]));
    let (out, delays) = run(
        &server.endpoint,
        RetryPolicy::default(),
        SignIn::user_password(&pool(&server.endpoint), "a", "pw", Entropy::from([1; 32])),
    );
    out.unwrap();
    assert_eq!(server.count("initiateauth"), 3);
    // Full jitter: each wait is at most the backoff of its attempt (100 ms, then 200 ms).
    assert_eq!(delays.len(), 2);
    assert!(delays[0] <= Duration::from_millis(100), "{delays:?}");
    assert!(delays[1] <= Duration::from_millis(200), "{delays:?}");
}

#[test]
fn retries_stop_at_the_limit() {
    let server = FaultServer::start(script(&[(
        "InitiateAuth",
        &[
            (503, json!("down")),
            (503, json!("down")),
            (503, json!("down")),
            (200, tokens()),
        ],
    )]));
    let policy = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    };
    let (out, delays) = run(
        &server.endpoint,
        policy,
        SignIn::user_password(&pool(&server.endpoint), "a", "pw", Entropy::from([1; 32])),
    );
    let Err(DriveError::Auth(Error::Protocol(p))) = out else {
        panic!("{out:?}")
    };
    assert_eq!(
        (p.status, p.reason),
        (503, ProtocolReason::UnexpectedStatus)
    );
    assert_eq!(server.count("initiateauth"), 3);
    assert_eq!(delays.len(), 2);
}

#[test]
fn a_challenge_answer_is_never_resent_after_a_5xx() {
    let server = FaultServer::start(script(&[
        ("InitiateAuth", &[(200, challenge())]),
        (
            "RespondToAuthChallenge",
            &[
                (
                    500,
                    json!({"__type": "InternalErrorException", "message": "oops"}),
                ),
                (200, tokens()),
            ],
        ),
    ]));
    let (out, delays) = run(
        &server.endpoint,
        RetryPolicy::default(),
        SignIn::user_password(&pool(&server.endpoint), "a", "pw", Entropy::from([1; 32])),
    );
    assert_eq!(
        out.unwrap_err().service_kind(),
        Some(&ErrorKind::InternalError)
    );
    assert_eq!(server.count("respondtoauthchallenge"), 1, "sent once");
    assert!(delays.is_empty());
}

#[test]
fn a_throttled_challenge_answer_is_resent() {
    let server = FaultServer::start(script(&[
        ("InitiateAuth", &[(200, challenge())]),
        (
            "RespondToAuthChallenge",
            &[
                (400, json!({"__type": "TooManyRequestsException"})),
                (200, tokens()),
            ],
        ),
    ]));
    let (out, _) = run(
        &server.endpoint,
        RetryPolicy::default(),
        SignIn::user_password(&pool(&server.endpoint), "a", "pw", Entropy::from([1; 32])),
    );
    out.unwrap();
    assert_eq!(server.count("respondtoauthchallenge"), 2);
}

#[test]
fn refused_connections_are_retried_then_reported() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}/");
    let (out, delays) = run(
        &endpoint,
        RetryPolicy::default(),
        SignIn::user_password(&pool(&endpoint), "a", "pw", Entropy::from([1; 32])),
    );
    assert!(matches!(out, Err(DriveError::Transport(_))), "{out:?}");
    assert_eq!(delays.len(), 2);
    let message = out.unwrap_err().to_string();
    assert!(message.starts_with("could not reach Cognito"), "{message}");
}

#[test]
fn without_a_policy_nothing_is_retried() {
    let server = FaultServer::start(script(&[(
        "InitiateAuth",
        &[(503, json!("down")), (200, tokens())],
    )]));
    let (out, _) = run(
        &server.endpoint,
        RetryPolicy::none(),
        SignIn::user_password(&pool(&server.endpoint), "a", "pw", Entropy::from([1; 32])),
    );
    assert!(out.is_err());
    assert_eq!(server.count("initiateauth"), 1);
}
