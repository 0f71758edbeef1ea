//! What the emulator's test files share: the testkit's agent, calls and TOTP codes, and the
//! calls these files make by path.
// Each test file uses some of it.
#![allow(dead_code, unused_imports)]

pub mod hooks;

pub use cognito_flows_testkit::emulator::call as call_with;
pub use cognito_flows_testkit::{agent, send, totp_at as totp};

/// Calls a Cognito operation at `endpoint`: the status and the JSON answer. Every answer
/// carries an `x-amzn-RequestId`.
pub fn call(endpoint: &str, operation: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    call_with(&agent(), endpoint, operation, body)
}

/// Reads `GET {endpoint}{path}` as JSON.
pub fn get_json(endpoint: &str, path: &str) -> serde_json::Value {
    let text = ureq::get(format!("{endpoint}{path}"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Calls a Cognito operation on `e` that must succeed: its answer.
pub fn ok(
    e: &cognito_flows_emulator::Emulator,
    operation: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let (status, answer) = call(e.endpoint(), operation, &body);
    assert_eq!(status, 200, "{operation}: {answer}");
    answer
}

/// Calls a Cognito operation on `e` that must be refused (400): the error type.
pub fn refused(
    e: &cognito_flows_emulator::Emulator,
    operation: &str,
    body: serde_json::Value,
) -> String {
    let (status, answer) = call(e.endpoint(), operation, &body);
    assert_eq!(status, 400, "{operation} {body}: {answer}");
    answer["__type"].as_str().unwrap().to_owned()
}

/// A default pool and app client with the confirmed user `alice` (password `Passw0rd!`,
/// email `alice@example.com`).
pub fn alice() -> cognito_flows_testkit::emulator::Fixture {
    use cognito_flows_testkit::emulator::{Fixture, Options};
    Fixture::start(Options::default().user("alice", "Passw0rd!", &[("email", "alice@example.com")]))
}
