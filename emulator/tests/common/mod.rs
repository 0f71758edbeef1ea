//! What the emulator's test files share.

/// Runs `request` on `agent` and reads the whole body.
#[allow(dead_code)] // not every test file sends requests through it
pub fn send(agent: &ureq::Agent, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let response = agent.run(request).unwrap();
    let (parts, mut body) = response.into_parts();
    http::Response::from_parts(parts, body.read_to_vec().unwrap())
}

/// The TOTP code (RFC 6238: HMAC-SHA1, 30 s, 6 digits) of a key at `now`.
#[allow(dead_code)] // not every test file asks for one
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
