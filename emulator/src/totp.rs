//! TOTP checking (RFC 6238: HMAC-SHA1, 6 digits, 30 s), independent of the client's.

use hmac::{KeyInit, Mac};

pub(crate) const BASE32: data_encoding::Encoding = data_encoding::BASE32_NOPAD;

fn code(key: &[u8], counter: u64) -> Option<u32> {
    let mut mac = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(&counter.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let offset = usize::from(d.get(19)? & 0x0f);
    let w = d.get(offset..offset + 4)?;
    let word = u32::from_be_bytes([w[0] & 0x7f, w[1], w[2], w[3]]);
    Some(word % 1_000_000)
}

/// Whether `given` is the code at `unix`, or one step before or after.
pub(crate) fn check(secret_base32: &str, given: &str, unix: u64) -> bool {
    let Ok(key) = BASE32.decode(secret_base32.as_bytes()) else {
        return false;
    };
    let Ok(given) = given.trim().parse::<u32>() else {
        return false;
    };
    let step = unix / 30;
    [step.saturating_sub(1), step, step + 1]
        .iter()
        .any(|&s| code(&key, s) == Some(given))
}
