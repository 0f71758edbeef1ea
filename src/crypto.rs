//! Small hashing helpers shared by SRP, SECRET_HASH and PKCE.

use hmac::{KeyInit as _, Mac as _};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

type HmacSha256 = hmac::Hmac<Sha256>;

/// SHA-256's block size, HMAC's key block.
const BLOCK: usize = 64;

/// HMAC-SHA256 over the concatenation of `parts`. Total: keys of any length are handled as
/// RFC 2104 says (hashed when longer than a block, zero-padded otherwise).
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = Zeroizing::new([0u8; BLOCK]);
    if key.len() > BLOCK {
        let digest = Zeroizing::new(<[u8; 32]>::from(Sha256::digest(key)));
        if let Some(head) = block.get_mut(..32) {
            head.copy_from_slice(digest.as_ref());
        }
    } else if let Some(head) = block.get_mut(..key.len()) {
        head.copy_from_slice(key);
    }
    let mut mac = HmacSha256::new(&(*block).into());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// SHA-256 of the concatenation of `parts`.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2 and test case 6 (a key longer than the block).
        assert_eq!(
            crate::srp::hex::encode(&hmac_sha256(
                b"Jefe",
                &[b"what do ya want ", b"for nothing?"]
            )),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            crate::srp::hex::encode(&hmac_sha256(
                &[0xaa; 131],
                &[b"Test Using Larger Than Block-Size Key - Hash Key First"]
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
