//! TOTP (RFC 6238): the codes an authenticator app shows, from the base32 secret Cognito's
//! `AssociateSoftwareToken` returns. SHA-1, 6 digits, 30-second steps, as Cognito uses them.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use cognito_flows::totp;
//!
//! // RFC 6238's SHA-1 key "12345678901234567890", in base32.
//! let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
//! let code = totp::code(secret, UNIX_EPOCH + Duration::from_secs(59))?;
//! assert_eq!(code.expose(), "287082");
//! # Ok::<(), totp::TotpError>(())
//! ```

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{KeyInit as _, Mac as _};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use zeroize::Zeroizing;

use crate::secret::SecretString;

/// The step, in seconds.
pub const STEP: u64 = 30;
/// The number of digits.
pub const DIGITS: u32 = 6;

/// A TOTP secret that is not base32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TotpError {
    /// The secret is not base32 (RFC 4648, padding optional, case-insensitive).
    InvalidSecret,
    /// The time is before 1970.
    ClockBeforeEpoch,
}

impl fmt::Display for TotpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidSecret => "the TOTP secret is not base32",
            Self::ClockBeforeEpoch => "the clock is before 1970",
        })
    }
}

impl std::error::Error for TotpError {}

fn decode_secret(secret: &str) -> Result<Zeroizing<Vec<u8>>, TotpError> {
    let cleaned: Zeroizing<String> = Zeroizing::new(
        secret
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    // Lenient about the unused bits of the last character, like the authenticator apps and
    // Python's base64 (moto hands out "asdfasdfasdf").
    let mut spec = data_encoding::BASE32_NOPAD.specification();
    spec.check_trailing_bits = false;
    spec.encoding()
        .map_err(|_| TotpError::InvalidSecret)?
        .decode(cleaned.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| TotpError::InvalidSecret)
}

/// The code for the 30-second step `counter` (HOTP, RFC 4226).
pub fn code_at_step(secret: &str, counter: u64) -> Result<SecretString, TotpError> {
    let key = decode_secret(secret)?;
    let mut mac =
        hmac::Hmac::<sha1::Sha1>::new_from_slice(&key).map_err(|_| TotpError::InvalidSecret)?;
    mac.update(&counter.to_be_bytes());
    let digest: [u8; 20] = mac.finalize().into_bytes().into();
    let offset = usize::from(digest[19] & 0x0F);
    let mut word = [0u8; 4];
    word.copy_from_slice(
        digest
            .get(offset..offset + 4)
            .ok_or(TotpError::InvalidSecret)?,
    );
    let value = (u32::from_be_bytes(word) & 0x7FFF_FFFF) % 10u32.pow(DIGITS);
    Ok(SecretString::new(format!("{value:06}")))
}

/// The code shown at `now`.
pub fn code(secret: &str, now: SystemTime) -> Result<SecretString, TotpError> {
    let secs = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| TotpError::ClockBeforeEpoch)?
        .as_secs();
    code_at_step(secret, secs / STEP)
}

/// What to characters to escape in an `otpauth://` label or parameter.
const OTPAUTH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `otpauth://totp/{issuer}:{account}?secret=...&issuer=...` URI that authenticator apps
/// scan as a QR code (Google's Key Uri Format).
///
/// ```
/// let uri = cognito_flows::totp::otpauth_uri("JBSWY3DPEHPK3PXP", "My App", "alice@example.com");
/// assert_eq!(
///     uri.expose(),
///     "otpauth://totp/My%20App:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=My%20App"
/// );
/// ```
pub fn otpauth_uri(secret: &str, issuer: &str, account: &str) -> SecretString {
    let issuer = utf8_percent_encode(issuer, OTPAUTH).to_string();
    let account = utf8_percent_encode(account, OTPAUTH);
    let secret: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
    SecretString::new(format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// RFC 6238, appendix B, SHA-1 column (8 digits there; Cognito's 6 are the low 6).
    #[test]
    fn rfc_6238_vectors() {
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        for (t, eight) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            let code = code(secret, UNIX_EPOCH + Duration::from_secs(t)).unwrap();
            assert_eq!(code.expose(), &eight[2..], "t = {t}");
        }
    }

    #[test]
    fn secrets_are_read_leniently_but_never_panic() {
        let at = UNIX_EPOCH + Duration::from_secs(59);
        let lower = code("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", at).unwrap();
        let spaced = code("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", at).unwrap();
        assert_eq!(lower, spaced);
        assert_eq!(code("not base32!", at), Err(TotpError::InvalidSecret));
        assert_eq!(code("A", at), Err(TotpError::InvalidSecret));
        // moto's secret: 12 characters whose last one has unused bits set.
        assert!(code("asdfasdfasdf", at).is_ok());
        assert!(code("", at).is_ok());
        assert_eq!(
            code("GEZDGNBV", UNIX_EPOCH - Duration::from_secs(1)),
            Err(TotpError::ClockBeforeEpoch)
        );
    }
}
