//! SRP-6a as Amazon Cognito speaks it, over the 3072-bit group of RFC 3526 with SHA-256.
//!
//! This is the math behind `USER_SRP_AUTH` / `PASSWORD_VERIFIER`, device sign-in
//! (`DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER`) and the device verifier sent with
//! `ConfirmDevice`. The flows in [`crate::flows`] use it; it is public for users who drive
//! Cognito's API themselves and for cross-checking other implementations.
//!
//! Every value is computed exactly as `amazon-cognito-identity-js` does (its `padHex`, its signed
//! hex, its HKDF info string), which the reference vectors in `tests/vectors/` pin. Unlike the JS
//! SDK, the private ephemeral `a` is 256 bits (RFC 5054's minimum) and every exponentiation with
//! a secret exponent is constant-time with a fixed exponent size, so timing reveals neither the
//! exponent nor its length. Secrets (`a`, `x`, `S`, the derived key) are zeroized when dropped.
//!
//! ```
//! use cognito_flows::srp::{ChallengeParameters, SrpClient};
//!
//! let client = SrpClient::from_private_key(&[7; 32]);
//! let srp_a = client.public_key_hex(); // goes into AuthParameters.SRP_A
//! // Cognito answers with the PASSWORD_VERIFIER challenge:
//! let challenge = ChallengeParameters {
//!     srp_b: "1f4bd0c92a4e7d62a9b03e5e8c1d6b07f3a5e2c9d8b7a6f5e4d3c2b1a0918273",
//!     salt: "-5ab3e8c0d1f2",
//!     secret_block: "c2VjcmV0IGJsb2Nr",
//! };
//! let signature = client.password_claim(
//!     "AbC123",        // the pool name: the part of the pool id after `_`
//!     "alice",         // USER_ID_FOR_SRP from the challenge
//!     b"hunter22",
//!     &challenge,
//!     "Tue Nov 24 8:05:07 UTC 2026",
//! )?;
//! assert_eq!(signature.len(), 44); // base64 of an HMAC-SHA256
//! # Ok::<(), cognito_flows::srp::SrpError>(())
//! ```

mod comb_table;
pub mod hex;
mod math;
mod mont;

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use crypto_bigint::U256;
use sha2::{Digest as _, Sha256};
use zeroize::{Zeroize, Zeroizing};

use self::hex::{HexError, SignedHex};

pub use self::math::{G, N_HEX};

#[cfg(feature = "fuzzing")]
pub(crate) use self::math::fuzz_against_crypto_bigint;

/// The HKDF `info` Cognito uses for the password claim key.
const HKDF_INFO: &[u8] = b"Caldera Derived Key";

/// The most significant bytes accepted for `SRP_B` (leading zeros are not counted): N's size.
const MAX_B_BYTES: usize = 384;
/// The most bytes accepted for a `SALT` (Cognito's are 16; anything above this is hostile).
const MAX_SALT_BYTES: usize = 1024;

/// Why an SRP computation was refused. The values come from the server, so these are protocol
/// errors: the flows wrap them in [`crate::ProtocolError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SrpError {
    /// `SRP_B` is not Cognito's signed hex.
    InvalidB(HexError),
    /// `SALT` is not Cognito's signed hex.
    InvalidSalt(HexError),
    /// `B % N == 0`: a server (or attacker) trying to force the session key.
    BIsZero,
    /// `u == 0`: the scrambling parameter vanished, which would bypass the password.
    UIsZero,
}

impl fmt::Display for SrpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidB(e) => write!(f, "SRP_B is not valid hex: {e}"),
            Self::InvalidSalt(e) => write!(f, "SALT is not valid hex: {e}"),
            Self::BIsZero => f.write_str("SRP_B is zero modulo N"),
            Self::UIsZero => f.write_str("the SRP scrambling parameter u is zero"),
        }
    }
}

impl std::error::Error for SrpError {}

/// The three challenge parameters the password claim needs, as Cognito sends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChallengeParameters<'a> {
    /// `SRP_B`: the server's public ephemeral, signed hex.
    pub srp_b: &'a str,
    /// `SALT`: the user's (or device's) salt, signed hex.
    pub salt: &'a str,
    /// `SECRET_BLOCK`: an opaque base64 blob, echoed back and signed.
    pub secret_block: &'a str,
}

/// One SRP exchange: a private ephemeral `a` and its public `A = g^a mod N`.
///
/// Make a new one for every exchange (the flows do); `a` is zeroized on drop.
pub struct SrpClient {
    a: Zeroizing<U256>,
    /// `A` as minimal big-endian bytes (`A % N != 0` is guaranteed).
    public: Vec<u8>,
}

impl fmt::Debug for SrpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrpClient")
            .field("a", &"[redacted]")
            .field("public", &hex::encode(&self.public))
            .finish()
    }
}

impl SrpClient {
    /// A client whose private ephemeral `a` is the given 32 big-endian bytes.
    ///
    /// The flows draw these bytes from their seeded CSPRNG; pass your own only in tests or to
    /// reproduce a reference vector. `A = g^a` is never `0 mod N` (N is prime and g generates a
    /// subgroup of order > 2^256), so every `a` is usable; `a = 0` gives `A = 1`, which Cognito
    /// accepts but is pointless: draw `a` at random.
    pub fn from_private_key(a: &[u8; 32]) -> Self {
        let a = Zeroizing::new(U256::from_be_slice(a));
        let public = math::to_minimal_be(&math::pow_g(&a).retrieve());
        Self { a, public }
    }

    /// `A` as the minimal lowercase hex `SRP_A` parameter (what the JS SDK sends).
    pub fn public_key_hex(&self) -> String {
        let s = hex::encode(&self.public);
        // `BigInteger.toString(16)` has no leading zero digit.
        match s.strip_prefix('0') {
            Some(rest) if !rest.is_empty() => rest.to_owned(),
            _ => s,
        }
    }

    /// `A` as minimal big-endian bytes.
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// Computes `PASSWORD_CLAIM_SIGNATURE`.
    ///
    /// `realm` is the pool name (the part of the pool id after `_`) for a user, or the
    /// `DeviceGroupKey` for a device; `identity` is the challenge's `USER_ID_FOR_SRP` for a user,
    /// or the `DeviceKey` for a device; `password` is the user's password or the device's random
    /// password, as UTF-8. `timestamp` is the `TIMESTAMP` sent alongside (see [`timestamp`]).
    pub fn password_claim(
        &self,
        realm: &str,
        identity: &str,
        password: &[u8],
        challenge: &ChallengeParameters<'_>,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        let b = SignedHex::parse(challenge.srp_b, MAX_B_BYTES).map_err(SrpError::InvalidB)?;
        let salt =
            SignedHex::parse(challenge.salt, MAX_SALT_BYTES).map_err(SrpError::InvalidSalt)?;
        let b_residue = math::residue(&b).ok_or(SrpError::BIsZero)?;

        let u = crate::crypto::sha256(&[&hex::pad_unsigned(&self.public), &b.pad()]);
        self.sign(
            &u,
            &b_residue,
            &salt,
            realm,
            identity,
            password,
            challenge.secret_block,
            timestamp,
        )
    }

    /// The claim for a given scrambling parameter `u` (split out so that `u == 0` is testable).
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        u: &[u8; 32],
        b: &crypto_bigint::U3072,
        salt: &SignedHex,
        realm: &str,
        identity: &str,
        password: &[u8],
        secret_block: &str,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        if u.iter().all(|&v| v == 0) {
            return Err(SrpError::UIsZero);
        }
        let x = private_key(realm, identity, password, salt);
        let s = math::premaster_secret(b, &self.a, &U256::from_be_slice(u), &x);
        let key = derive_key(&s, u);
        let signature = crate::crypto::hmac_sha256(
            key.as_ref(),
            &[
                realm.as_bytes(),
                identity.as_bytes(),
                &decode_secret_block(secret_block),
                timestamp.as_bytes(),
            ],
        );
        Ok(BASE64.encode(signature))
    }
}

#[doc(hidden)]
/// Fixed-size entry points into the secret arithmetic, for the constant-time check (`ct-check/`
/// runs them under valgrind with the secrets marked undefined). Not API.
pub mod ct {
    use crypto_bigint::{U256, U3072};

    /// `g^a mod N`, as 384 big-endian bytes.
    pub fn public_key(a: &[u8; 32]) -> [u8; 384] {
        let v = super::math::pow_g(&U256::from_be_slice(a)).retrieve();
        v.to_be_bytes().into()
    }

    /// `S = (B - k*g^x)^(a + u*x) mod N`, as 384 big-endian bytes (`B` public, < N).
    pub fn premaster_secret(b: &[u8; 384], a: &[u8; 32], u: &[u8; 32], x: &[u8; 32]) -> [u8; 384] {
        let s = super::math::premaster_secret_fixed(
            &U3072::from_be_slice(b),
            &U256::from_be_slice(a),
            &U256::from_be_slice(u),
            &U256::from_be_slice(x),
        );
        s.to_be_bytes().into()
    }
}

/// `x = H(pad(salt) || H(realm || identity || ":" || password))`.
fn private_key(realm: &str, identity: &str, password: &[u8], salt: &SignedHex) -> Zeroizing<U256> {
    let mut inner = Sha256::new();
    inner.update(realm.as_bytes());
    inner.update(identity.as_bytes());
    inner.update(b":");
    inner.update(password);
    let mut identity_hash = Zeroizing::new(<[u8; 32]>::from(inner.finalize()));
    let mut outer = Sha256::new();
    outer.update(salt.pad());
    outer.update(identity_hash.as_ref());
    identity_hash.zeroize();
    let mut x = Zeroizing::new(<[u8; 32]>::from(outer.finalize()));
    let value = Zeroizing::new(U256::from_be_slice(x.as_ref()));
    x.zeroize();
    value
}

/// `HKDF-SHA256(salt = pad(u), ikm = pad(S), info = "Caldera Derived Key")`, first 16 bytes.
fn derive_key(s: &[u8], u: &[u8; 32]) -> Zeroizing<[u8; 16]> {
    let ikm = Zeroizing::new(hex::pad_unsigned(s));
    let salt = hex::pad_unsigned(u);
    let hkdf = hkdf::Hkdf::<Sha256>::new(Some(&salt), &ikm);
    let mut key = Zeroizing::new([0u8; 16]);
    // 16 bytes is far below HKDF-SHA256's limit of 8160, so expand cannot fail.
    let _ = hkdf.expand(HKDF_INFO, key.as_mut());
    key
}

/// Decodes `SECRET_BLOCK` as the JS SDK's `Buffer.from(s, 'base64')` does: standard base64 when
/// it is, and otherwise leniently (both the standard and URL-safe alphabets, anything else
/// skipped, decoding stops at the first `=`). Cognito always sends standard base64; servers such
/// as moto send a UUID, which the JS SDK (and so this) turns into bytes all the same.
pub fn decode_secret_block(s: &str) -> Vec<u8> {
    if let Ok(bytes) = BASE64.decode(s) {
        return bytes;
    }
    let sextets: Vec<u8> = s
        .bytes()
        .take_while(|&c| c != b'=')
        .filter_map(|c| match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        })
        .collect();
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for group in sextets.chunks(4) {
        let bits =
            group.iter().fold(0u32, |acc, &v| (acc << 6) | u32::from(v)) << (6 * (4 - group.len()));
        let bytes = bits.to_be_bytes();
        // 4 sextets -> 3 bytes, 3 -> 2, 2 -> 1, 1 -> none.
        out.extend(bytes.iter().skip(1).take(group.len().saturating_sub(1)));
    }
    out
}

/// The `TIMESTAMP` Cognito expects with a password claim, e.g. `Tue Nov 24 8:05:07 UTC 2026`:
/// English names, day of month not zero-padded, 24-hour clock, UTC.
///
/// Returns `None` for instants outside the years 1970 to 9999.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let now = UNIX_EPOCH + Duration::from_secs(1_767_776_703); // 2026-01-07T09:05:03Z
/// assert_eq!(cognito_flows::srp::timestamp(now).as_deref(), Some("Wed Jan 7 09:05:03 UTC 2026"));
/// ```
pub fn timestamp(now: std::time::SystemTime) -> Option<String> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = now.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).ok()?).ok()?;
    if t.year() > 9999 {
        return None;
    }
    let day = DAYS.get(usize::from(t.weekday().number_days_from_monday()))?;
    let month = MONTHS.get(usize::from(u8::from(t.month()) - 1))?;
    Some(format!(
        "{day} {month} {} {:02}:{:02}:{:02} UTC {}",
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.year()
    ))
}

/// What `ConfirmDevice` needs to register a device for device SRP.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceVerifier {
    /// `DeviceSecretVerifierConfig.PasswordVerifier`: base64 of `pad(g^x)`.
    pub password_verifier: String,
    /// `DeviceSecretVerifierConfig.Salt`: base64 of `pad(salt)` (15 to 17 bytes).
    pub salt: String,
}

impl fmt::Debug for DeviceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceVerifier")
            .field("password_verifier", &self.password_verifier)
            .field("salt", &self.salt)
            .finish()
    }
}

/// The device verifier for `ConfirmDevice`: `x = H(pad(salt) || H(DeviceGroupKey || DeviceKey ||
/// ":" || password))`, verifier `pad(g^x)`.
///
/// `password` is the device's random password (base64 of 40 random bytes, see
/// [`crate::flows`]) and `salt` 16 random bytes; keep both the password and the keys: they are
/// the device's credentials for later device SRP sign-ins.
pub fn device_verifier(
    device_group_key: &str,
    device_key: &str,
    password: &[u8],
    salt: &[u8; 16],
) -> DeviceVerifier {
    let salt = SignedHex::from_unsigned_be(salt);
    let x = private_key(device_group_key, device_key, password, &salt);
    let verifier = math::pow_g(&x).retrieve();
    DeviceVerifier {
        password_verifier: BASE64.encode(hex::pad_unsigned(&math::to_minimal_be(&verifier))),
        salt: BASE64.encode(salt.pad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u_zero_is_refused() {
        let client = SrpClient::from_private_key(&[9; 32]);
        let salt = SignedHex::from_unsigned_be(&[1]);
        let b = crypto_bigint::U3072::from_u64(5);
        assert_eq!(
            client.sign(&[0; 32], &b, &salt, "p", "u", b"pw", "", "t"),
            Err(SrpError::UIsZero)
        );
        assert!(
            client
                .sign(&[1; 32], &b, &salt, "p", "u", b"pw", "", "t")
                .is_ok()
        );
    }

    #[test]
    fn secret_blocks_decode_like_node_buffers() {
        assert_eq!(decode_secret_block("AAEC"), vec![0, 1, 2]);
        assert_eq!(decode_secret_block("AAE="), vec![0, 1]);
        // moto's UUID: '-' is base64url's 62, so Node decodes it all the same.
        assert_eq!(decode_secret_block("ab-_").len(), 3);
        assert_eq!(decode_secret_block("ab+/"), decode_secret_block("ab-_"));
        // Junk is skipped, '=' stops decoding, a lone trailing sextet is dropped.
        assert_eq!(decode_secret_block("A A E C"), vec![0, 1, 2]);
        assert_eq!(decode_secret_block("AAEC=AAEC"), vec![0, 1, 2]);
        assert_eq!(decode_secret_block("AAECA"), vec![0, 1, 2]);
        assert_eq!(decode_secret_block(""), Vec::<u8>::new());
    }

    #[test]
    fn timestamps_use_an_unpadded_day() {
        use std::time::{Duration, UNIX_EPOCH};
        let at = |s| timestamp(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(
            at(1_795_507_507).as_deref(),
            Some("Tue Nov 24 08:05:07 UTC 2026")
        );
        assert_eq!(at(0).as_deref(), Some("Thu Jan 1 00:00:00 UTC 1970"));
        assert_eq!(
            at(253_402_300_799).as_deref(),
            Some("Fri Dec 31 23:59:59 UTC 9999")
        );
        assert_eq!(at(253_402_300_800), None);
        assert_eq!(timestamp(UNIX_EPOCH - Duration::from_secs(1)), None);
    }
}
