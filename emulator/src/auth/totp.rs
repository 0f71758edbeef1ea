//! TOTP checking (RFC 6238: HMAC-SHA1, 6 digits, 30 s), independent of the client's.

use hmac::{KeyInit, Mac};

pub(crate) const BASE32: data_encoding::Encoding = data_encoding::BASE32_NOPAD;

fn code(key: &[u8], counter: u64) -> Option<u32> {
    let mut mac = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(&counter.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let offset = usize::from(d.get(19)? & 0x0f);
    let w = d.get(offset..offset + 4)?;
    let word = u32::from_be_bytes([w.first()? & 0x7f, *w.get(1)?, *w.get(2)?, *w.get(3)?]);
    Some(word % 1_000_000)
}

/// Whether `given` is the code at `unix`, or one step before or after. A missing, empty or
/// short secret (under 16 bytes: the emulator makes 20) matches no code.
pub(crate) fn check(secret_base32: Option<&str>, given: &str, unix: u64) -> bool {
    use subtle::ConstantTimeEq as _;
    let Some(Ok(key)) = secret_base32.map(|s| BASE32.decode(s.as_bytes())) else {
        return false;
    };
    if key.len() < 16 {
        return false;
    }
    let given = given.trim();
    if given.len() != 6 || !given.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let step = unix / 30;
    let mut found = subtle::Choice::from(0);
    for s in [step.saturating_sub(1), step, step + 1] {
        if let Some(c) = code(&key, s) {
            found |= format!("{c:06}").as_bytes().ct_eq(given.as_bytes());
        }
    }
    found.into()
}
