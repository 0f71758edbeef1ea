//! `SECRET_HASH` and TOTP codes, computed independently of the library.

use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::crypto;

/// The TOTP secret moto hands out from `AssociateSoftwareToken`, for every
/// user (base32, 12 characters, unpadded).
pub const MOTO_TOTP_SECRET: &str = "asdfasdfasdf";

/// Cognito's `SECRET_HASH`: `base64(HMAC-SHA256(key = client secret,
/// message = username + client id))`.
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    let message = format!("{username}{client_id}");
    crypto::base64_encode(&crypto::hmac_sha256(
        client_secret.as_bytes(),
        message.as_bytes(),
    ))
}

/// The RFC 6238 TOTP code (HMAC-SHA1, 30 s steps, 6 digits) of a base32
/// secret at a Unix time. Panics if the secret is not base32.
pub fn totp_code(secret_base32: &str, unix_time: u64) -> String {
    let Some(key) = crypto::base32_decode(secret_base32) else {
        panic!("TOTP secret {secret_base32:?} is not base32");
    };
    totp_of_key(&key, unix_time)
}

/// The RFC 6238 TOTP code of a raw key (the bytes a base32 secret decodes to) at `at`.
pub fn totp_at(key: &[u8], at: SystemTime) -> String {
    let unix_time = at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    totp_of_key(key, unix_time.as_secs())
}

fn totp_of_key(key: &[u8], unix_time: u64) -> String {
    let counter = unix_time / 30;
    let mac = crypto::hmac_sha1(key, &counter.to_be_bytes());
    let offset = usize::from(mac[19] & 0x0f);
    let word = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    format!("{:06}", word % 1_000_000)
}

/// The current TOTP code of a base32 secret. If the current 30 s step ends
/// within 3 s, first sleeps into the next step, so that a server checking
/// only the current step (moto does) still accepts the code.
pub fn totp_now(secret_base32: &str) -> String {
    let mut now = unix_now();
    let into_step = now.as_secs() % 30;
    if into_step >= 27 {
        let wait =
            Duration::from_secs(30 - into_step) - Duration::from_nanos(now.subsec_nanos().into());
        thread::sleep(wait + Duration::from_millis(50));
        now = unix_now();
    }
    totp_code(secret_base32, now.as_secs())
}

fn unix_now() -> Duration {
    // A clock before 1970 is a broken test machine.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 seed "12345678901234567890"
        // (base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ), last 6 digits.
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assert_eq!(totp_code(secret, 59), "287082");
        assert_eq!(totp_code(secret, 1_111_111_109), "081804");
        assert_eq!(totp_code(secret, 1_234_567_890), "005924");
        assert_eq!(totp_code(secret, 2_000_000_000), "279037");
        let at = |secs| UNIX_EPOCH + Duration::from_secs(secs);
        assert_eq!(totp_at(b"12345678901234567890", at(59)), "287082");
        assert_eq!(
            totp_at(b"12345678901234567890", at(1_111_111_109)),
            "081804"
        );
    }

    #[test]
    fn secret_hash_matches_hmac_sha256_base64() {
        // Independent value: python3 -c 'import hmac,hashlib,base64;
        // print(base64.b64encode(hmac.new(b"secret", b"aliceclient",
        // hashlib.sha256).digest()).decode())'
        assert_eq!(
            secret_hash("secret", "alice", "client"),
            "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0="
        );
    }
}
