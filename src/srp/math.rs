//! Arithmetic modulo Cognito's N, constant-time wherever a secret is involved.

use crypto_bigint::modular::ConstMontyForm;
use crypto_bigint::{CtAssign as _, NonZero, U256, U576, U3072, const_monty_params};
use zeroize::Zeroizing;

use super::hex::SignedHex;

/// RFC 3526's 3072-bit MODP prime (group 15), Cognito's N.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// The generator, 2.
pub const G: u64 = 2;

/// `k = H(pad(N) || pad(g))`, checked against its definition in the tests below.
const K_HEX: &str = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6";

const_monty_params!(CognitoN, U3072, N_HEX, "Cognito's SRP modulus N.");

/// An element of Z/NZ in Montgomery form.
pub type Fe = ConstMontyForm<CognitoN, { U3072::LIMBS }>;

/// Bits of the private ephemeral `a`.
pub const A_BITS: u32 = 256;
/// Bits of the password hash `x` (a SHA-256 output).
pub const X_BITS: u32 = 256;
/// Bits of `a + u*x` (`a` has fewer bits than `u*x`): fixed, so the exponent's length never
/// shows in the timing.
pub const E_BITS: u32 = 2 * X_BITS + 1;

fn n() -> U3072 {
    U3072::from_be_hex(N_HEX)
}

/// `2^e mod N` for a secret `e`, considering exactly its low `bits` bits (a fixed size, never
/// `e`'s own length).
///
/// With g = 2, left-to-right binary exponentiation needs no multiplications: each step squares,
/// and doubles (a modular addition) when the exponent bit is set. The doubling is always computed
/// and kept or not with a constant-time assignment, so the work and the memory accesses are the
/// same for every exponent.
pub fn pow_g(e: &U256, bits: u32) -> Fe {
    let mut r = Fe::ONE;
    for i in (0..bits).rev() {
        r = r.square();
        let doubled = r.double();
        r.ct_assign(&doubled, e.bit(i));
    }
    r
}

/// Minimal big-endian bytes of a value (empty for zero).
pub fn to_minimal_be(v: &U3072) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let bytes: &[u8] = bytes.as_ref();
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default().to_vec()
}

/// The value of a magnitude of at most 384 bytes (callers bound it when parsing).
fn from_be(bytes: &[u8]) -> Option<U3072> {
    let mut buf = [0u8; U3072::BYTES];
    let offset = U3072::BYTES.checked_sub(bytes.len())?;
    buf.get_mut(offset..)?.copy_from_slice(bytes);
    Some(U3072::from_be_slice(&buf))
}

/// The public value `B` reduced into `[1, N)`, or `None` when `B % N == 0` (or out of range).
pub fn residue(b: &SignedHex) -> Option<U3072> {
    let n = NonZero::new(n()).into_option()?;
    // Parsing bounds the magnitude to N's 384 bytes (leading zeros stripped).
    let magnitude = from_be(b.magnitude())?;
    let r = magnitude.rem(&n);
    if bool::from(r.is_zero()) {
        return None;
    }
    Some(if b.is_negative() {
        n.get().wrapping_sub(&r)
    } else {
        r
    })
}

/// `S = (B - k*g^x)^(a + u*x) mod N`, with the base reduced into `[0, N)` as the JS SDK's
/// `modPow` does. Returns `S` as minimal big-endian bytes, zeroized on drop. (Stripping the
/// leading zero bytes is the one step whose timing depends on `S`: Cognito's key derivation
/// hashes the minimal encoding, so every implementation must; it reveals only how many leading
/// bytes of `S` are zero.)
pub fn premaster_secret(b: &U3072, a: &U256, u: &U256, x: &U256) -> Zeroizing<Vec<u8>> {
    let s = Zeroizing::new(premaster_secret_fixed(b, a, u, x));
    Zeroizing::new(to_minimal_be(&s))
}

/// [`premaster_secret`] as a fixed-size integer: constant-time in `a` and `x`.
pub fn premaster_secret_fixed(b: &U3072, a: &U256, u: &U256, x: &U256) -> U3072 {
    let k = Fe::new(&U256::from_be_hex(K_HEX).resize());
    let gx = Zeroizing::new(pow_g(x, X_BITS));
    let base = Zeroizing::new(Fe::new(b).sub(&k.mul(&gx)));
    let ux = Zeroizing::new(u.concatenating_mul::<{ U256::LIMBS }, { 2 * U256::LIMBS }>(x));
    let e: Zeroizing<U576> = Zeroizing::new(ux.resize().wrapping_add(&a.resize()));
    base.pow_bounded_exp(&*e, E_BITS).retrieve()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn k_is_the_hash_of_padded_n_and_g() {
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(n().to_be_bytes());
        h.update([2u8]);
        assert_eq!(super::super::hex::encode(&h.finalize()), K_HEX);
    }

    #[test]
    fn n_is_the_rfc_3526_prime_shape() {
        let bytes = to_minimal_be(&n());
        assert_eq!(bytes.len(), 384);
        assert!(bytes.iter().take(8).all(|&b| b == 0xFF));
        assert!(bytes.iter().rev().take(8).all(|&b| b == 0xFF));
    }

    #[test]
    fn residue_rejects_multiples_of_n_and_reduces_negatives() {
        let zero = SignedHex::parse("0", 400).unwrap();
        assert_eq!(residue(&zero), None);
        let n_hex = SignedHex::parse(N_HEX, 400).unwrap();
        assert_eq!(residue(&n_hex), None);
        let minus_one = SignedHex::parse("-1", 400).unwrap();
        assert_eq!(residue(&minus_one), Some(n().wrapping_sub(&U3072::ONE)));
    }
}

#[cfg(test)]
mod pow_tests {
    use super::*;

    #[test]
    fn the_doubling_ladder_agrees_with_the_generic_pow() {
        for seed in [0u64, 1, 2, 0xFFFF_FFFF_FFFF_FFFF, 0x0123_4567_89AB_CDEF] {
            let e = U256::from_u64(seed).wrapping_mul(&U256::from_be_hex(K_HEX));
            let generic = Fe::new(&U3072::from_u64(G)).pow_bounded_exp(&e, A_BITS);
            assert_eq!(pow_g(&e, A_BITS), generic, "{seed}");
        }
    }
}
