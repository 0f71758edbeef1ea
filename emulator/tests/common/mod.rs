//! What the emulator's test files share.

/// Runs `request` on `agent` and reads the whole body.
pub fn send(agent: &ureq::Agent, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let response = agent.run(request).unwrap();
    let (parts, mut body) = response.into_parts();
    http::Response::from_parts(parts, body.read_to_vec().unwrap())
}

/// One JSON 1.1 call to `operation` at `endpoint`: the status and the JSON body. Every answer
/// carries an `x-amzn-RequestId`.
#[allow(dead_code, reason = "not every test file makes raw calls")]
pub fn call(
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
