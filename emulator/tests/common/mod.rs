//! What the emulator's test files share.
// Each test file uses some of it.
#![allow(dead_code)]

/// Runs `request` on `agent` and reads the whole body.
pub fn send(agent: &ureq::Agent, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let response = agent.run(request).unwrap();
    let (parts, mut body) = response.into_parts();
    http::Response::from_parts(parts, body.read_to_vec().unwrap())
}

/// The TOTP code (RFC 6238: HMAC-SHA1, 30 s, 6 digits) of a key at `now`.
pub fn totp(key: &[u8], now: std::time::SystemTime) -> String {
    use hmac::{KeyInit, Mac};
    let counter = now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 30;
    let mut mac = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(&counter.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let offset = usize::from(d[19] & 0x0f);
    let word = u32::from_be_bytes([
        d[offset] & 0x7f,
        d[offset + 1],
        d[offset + 2],
        d[offset + 3],
    ]);
    format!("{:06}", word % 1_000_000)
}

/// An agent that follows no redirect, answers every status, and ends every call within 20 s.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(std::time::Duration::from_secs(20)))
        .build()
        .into()
}

/// Calls a Cognito operation at `endpoint`: the status and the JSON answer.
pub fn call(endpoint: &str, operation: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    call_with(&agent, endpoint, operation, body)
}

/// [`call`] on `agent`. Every answer carries an `x-amzn-RequestId`.
pub fn call_with(
    agent: &ureq::Agent,
    endpoint: &str,
    operation: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let request = http::Request::post(endpoint)
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body.to_string().into_bytes())
        .unwrap();
    let response = send(agent, request);
    assert!(response.headers().contains_key("x-amzn-requestid"));
    (
        response.status().as_u16(),
        serde_json::from_slice(response.body()).unwrap(),
    )
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
