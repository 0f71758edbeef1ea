//! What the emulator's test files share.

/// Runs `request` on `agent` and reads the whole body.
pub fn send(agent: &ureq::Agent, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let response = agent.run(request).unwrap();
    let (parts, mut body) = response.into_parts();
    http::Response::from_parts(parts, body.read_to_vec().unwrap())
}

/// An agent that follows no redirect, answers every status, and ends every call within 20 s.
#[allow(dead_code, reason = "not every test file uses it")]
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(std::time::Duration::from_secs(20)))
        .build()
        .into()
}
