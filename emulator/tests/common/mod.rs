//! What the emulator's test files share.

/// Runs `request` on `agent` and reads the whole body.
pub fn send(agent: &ureq::Agent, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let response = agent.run(request).unwrap();
    let (parts, mut body) = response.into_parts();
    http::Response::from_parts(parts, body.read_to_vec().unwrap())
}

/// An agent as the tests want it: error statuses returned as responses, redirects not followed.
#[allow(
    dead_code,
    reason = "attacks.rs uses an agent with a deadline of its own"
)]
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}
