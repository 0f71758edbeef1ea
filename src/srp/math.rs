//! The exponentiations modulo Cognito's N, constant-time wherever a secret is involved: `g^e`
//! with a precomputed comb (g is fixed), `base^e` with fixed windows, both on the Montgomery
//! arithmetic of [`super::mont`].

use crypto_bigint::{NonZero, U256, U576, U3072};
use zeroize::{Zeroize as _, Zeroizing};

use super::comb_table;
use super::hex::SignedHex;
use super::mont::{self, Elem};

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
#[cfg(test)]
const K_HEX: &str = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6";

/// `k` in Montgomery form.
const K: Elem = Elem::from_montgomery(comb_table::K);

/// Bits of the private ephemeral `a` and of the password hash `x` (a SHA-256 output): the
/// exponents of `g`. All of them are used, whatever the value, so timing shows no length.
pub const G_EXPONENT_BITS: u32 = 256;
/// Bits of `a + u*x` (`a` has fewer bits than `u*x`): fixed, so the exponent's length never
/// shows in the timing.
pub const E_BITS: u32 = 2 * G_EXPONENT_BITS + 1;

/// The fixed-base comb for `g^e` (Lim and Lee, "More flexible exponentiation with
/// precomputation", CRYPTO '94). Bit `ROW_BITS*i + COLUMNS*j + k` of the exponent (`i < ROWS`,
/// `j < 2`, `k < COLUMNS`) is bit `i` of the digit that picks an entry of `COMB[j]` at column
/// `k`; `COMB[j][d]` is `g` raised to the bits of `d` spread out that way. So
/// `g^e = prod_k (prod_j COMB[j][digit(j, k)])^(2^k)`: 21 squarings and 43 multiplications in
/// place of 256 squarings, for 48 KiB of constants (`comb_table.rs`, derived again by
/// `tests/srp_tables.rs`).
const ROWS: u32 = 6;
const ROW_BITS: u32 = 44;
const COLUMNS: u32 = 22;
const _: () = assert!(ROWS * ROW_BITS >= G_EXPONENT_BITS && ROW_BITS == 2 * COLUMNS);

/// Window width of the variable-base exponentiation.
const WINDOW: u32 = 5;

fn n() -> U3072 {
    U3072::from_be_hex(N_HEX)
}

/// `count` bits of `e` from bit `from` up (bits past the end are 0), as a digit. The positions
/// are public; the digit is secret and is only ever used by [`Elem::select`].
fn bits(e: &[u64], from: u32, count: u32) -> u32 {
    (0..count).fold(0, |digit, i| {
        let p = from + i;
        let bit = e.get((p / 64) as usize).map_or(0, |w| (w >> (p % 64)) & 1);
        digit | ((bit as u32) << i)
    })
}

/// `2^e mod N` for a secret `e`, using all 256 bits of `e` whatever its value, with the
/// precomputed comb: the same squarings, multiplications and full-table reads for every `e`.
pub fn pow_g(e: &U256) -> Elem {
    let e = Zeroizing::new(mont::le_words::<4>(e.to_le_bytes().as_ref()));
    let digit = |table: u32, column: u32| {
        (0..ROWS).fold(0, |d, i| {
            d | (bits(&*e, ROW_BITS * i + COLUMNS * table + column, 1) << i)
        })
    };
    let [low, high] = &comb_table::COMB;
    let top = COLUMNS - 1;
    let mut r = Zeroizing::new(Elem::select(low, digit(0, top)));
    *r = r.mul(&Elem::select(high, digit(1, top)));
    for column in (0..top).rev() {
        *r = r.square();
        *r = r.mul(&Elem::select(low, digit(0, column)));
        *r = r.mul(&Elem::select(high, digit(1, column)));
    }
    *r
}

/// `base^e mod N` for a secret `e`, considering exactly its low [`E_BITS`] bits, with fixed
/// windows of [`WINDOW`] bits: every window costs the same squarings, one multiplication and a
/// read of the whole table, whatever its digit.
fn pow(base: &Elem, e: &U576) -> Elem {
    let e = Zeroizing::new(mont::le_words::<{ U576::BYTES / 8 }>(
        e.to_le_bytes().as_ref(),
    ));
    let mut table = Zeroizing::new([[0u64; mont::LIMBS]; 1 << WINDOW]);
    // table[d] = base^d.
    let mut power = Elem::ONE;
    for (d, entry) in table.iter_mut().enumerate() {
        if d > 0 {
            power = power.mul(base);
        }
        *entry = *power.limbs();
    }
    power.zeroize();
    let top = E_BITS.div_ceil(WINDOW) - 1;
    // The top window holds what is left of the E_BITS bits (3 of them), so no bit above counts.
    let top_bits = E_BITS - top * WINDOW;
    let mut r = Zeroizing::new(Elem::select(&*table, bits(&*e, top * WINDOW, top_bits)));
    for w in (0..top).rev() {
        for _ in 0..WINDOW {
            *r = r.square();
        }
        *r = r.mul(&Elem::select(&*table, bits(&*e, w * WINDOW, WINDOW)));
    }
    *r
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

/// [`premaster_secret`] as a fixed-size integer: constant-time in `a` and `x`. `b` is public and
/// may be any value: it enters reduced.
pub fn premaster_secret_fixed(b: &U3072, a: &U256, u: &U256, x: &U256) -> U3072 {
    let gx = Zeroizing::new(pow_g(x));
    let base = Zeroizing::new(Elem::new(b).sub(&K.mul(&gx)));
    let ux = Zeroizing::new(u.concatenating_mul::<{ U256::LIMBS }, { 2 * U256::LIMBS }>(x));
    let e: Zeroizing<U576> = Zeroizing::new(ux.resize().wrapping_add(&a.resize()));
    pow(&base, &e).retrieve()
}

/// crypto-bigint's own Montgomery arithmetic modulo N: what the tests and the fuzz target
/// compare this module's with.
#[cfg(any(test, feature = "fuzzing"))]
pub(super) mod reference {
    use crypto_bigint::U3072;
    use crypto_bigint::modular::ConstMontyForm;

    crypto_bigint::const_monty_params!(CognitoN, U3072, super::N_HEX, "N, for the reference.");

    /// An element of Z/NZ, crypto-bigint's way.
    pub type Fe = ConstMontyForm<CognitoN, { U3072::LIMBS }>;
}

/// The fuzz body for the arithmetic (feature `fuzzing`): Montgomery products, squares and
/// differences on arbitrary values must equal crypto-bigint's (the exponentiations built on them
/// are checked by the property tests below). Byte 0 holds flags (bits 0 and 1: take the first or
/// second value from the top of the range), then up to two 384-byte values.
#[cfg(feature = "fuzzing")]
pub fn fuzz_against_crypto_bigint(data: &[u8]) {
    use reference::Fe;

    let Some(n) = NonZero::new(n()).into_option() else {
        return;
    };
    let (flags, data) = data.split_first().unwrap_or((&0, &[]));
    let mut chunks = data.chunks(U3072::BYTES);
    // A value below N from up to 384 bytes; with its flag, N - 1 - it, to reach the top of the range.
    let mut value = |flag: u8| {
        let mut buf = [0u8; U3072::BYTES];
        let bytes = chunks.next().unwrap_or_default();
        buf.get_mut(..bytes.len())
            .unwrap_or_default()
            .copy_from_slice(bytes);
        let v = U3072::from_le_slice(&buf).rem(&n);
        if flags & flag != 0 {
            n.get().wrapping_sub(&U3072::ONE).wrapping_sub(&v)
        } else {
            v
        }
    };
    let (x, y) = (value(1), value(2));
    let (ex, ey) = (Elem::new(&x), Elem::new(&y));
    let (fx, fy) = (Fe::new(&x), Fe::new(&y));
    assert_eq!(ex.retrieve(), x, "round trip");
    assert_eq!(ex.mul(&ey).retrieve(), fx.mul(&fy).retrieve(), "product");
    assert_eq!(ex.square().retrieve(), fx.square().retrieve(), "square");
    assert_eq!(ex.sub(&ey).retrieve(), fx.sub(&fy).retrieve(), "difference");
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
    use super::reference::Fe;
    use super::*;
    use proptest::prelude::*;

    fn exponents() -> impl Strategy<Value = [u8; 32]> {
        prop_oneof![
            any::<[u8; 32]>(),
            Just([0; 32]),
            Just([0xFF; 32]),
            (0usize..256).prop_map(|bit| {
                let mut e = [0u8; 32];
                e[31 - bit / 8] = 1 << (bit % 8);
                e
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn the_comb_agrees_with_the_generic_pow(e in exponents()) {
            let e = U256::from_be_slice(&e);
            let generic = Fe::new(&U3072::from_u64(G)).pow_bounded_exp(&e, G_EXPONENT_BITS);
            prop_assert_eq!(pow_g(&e).retrieve(), generic.retrieve());
        }

        #[test]
        fn the_windowed_pow_agrees_with_the_generic_pow(base in proptest::collection::vec(any::<u8>(), 384), e in any::<[u8; 72]>()) {
            // Bits above E_BITS (set at random here) must not count.
            let e = U576::from_be_slice(&e);
            let b = U3072::from_be_slice(&base).rem(&NonZero::new(n()).unwrap());
            let generic = Fe::new(&b).pow_bounded_exp(&e, E_BITS);
            prop_assert_eq!(pow(&Elem::new(&b), &e).retrieve(), generic.retrieve());
        }
    }

    #[test]
    fn k_in_montgomery_form_is_k() {
        assert_eq!(K.retrieve(), U256::from_be_hex(K_HEX).resize());
    }
}
