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
