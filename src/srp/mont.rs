//! Arithmetic modulo Cognito's N in Montgomery form, on 48 limbs of 64 bits, constant-time.
//!
//! crypto-bigint's `ConstMontyForm` is correct and constant-time, but general: it squares with
//! its multiplication and reduces with a general `-N^-1 mod 2^64`. This module is specialized to
//! the one modulus SRP uses here, RFC 3526's 3072-bit prime, whose lowest (and highest) limb is
//! all ones. So `-N^-1 mod 2^64 = 1`: each digit of the Montgomery reduction is the limb itself,
//! with no multiplication to find it, and its product with `N`'s lowest limb is a mere carry.
//! Squaring, most of the work of an exponentiation, has its own path: each cross product once,
//! doubled.
//!
//! Every function runs the same instructions and touches the same memory whatever the values:
//! no branch and no memory index depends on an operand (`ct-check/` checks this under
//! valgrind). Loops are bounded by the constant limb count, never by data.
//!
//! Values are in Montgomery form `x·R mod N` with `R = 2^3072`, fully reduced into `[0, N)`.

use crypto_bigint::U3072;
use subtle::{Choice, ConditionallySelectable as _};
use zeroize::Zeroize;

/// Limbs of a residue: 3072 bits.
pub(super) const LIMBS: usize = 48;

/// Little-endian 64-bit limbs.
pub(super) type Limbs = [u64; LIMBS];

/// N, least significant limb first.
pub(super) const N: Limbs = limbs_from_be_hex(super::math::N_HEX);

// The reduction below relies on these two facts about N.
const _: () = assert!(N[0] == u64::MAX, "-N^-1 mod 2^64 must be 1");
const _: () = assert!(
    N[LIMBS - 1] >> 63 == 1,
    "N must fill its 3072 bits (R < 2N)"
);

/// `R mod N = 2^3072 - N` (less than N, as N > 2^3071): the Montgomery form of 1.
const R_MOD_N: Limbs = negate(&N);

/// An element of Z/NZ in Montgomery form, fully reduced.
/// No `PartialEq`: nothing compares secrets (tests compare the limbs).
#[derive(Clone, Copy, Zeroize)]
pub(super) struct Elem(Limbs);

impl Elem {
    /// 1.
    pub(super) const ONE: Self = Self(R_MOD_N);

    /// An element from its Montgomery form (a table entry), which must be below N.
    pub(super) const fn from_montgomery(limbs: Limbs) -> Self {
        Self(limbs)
    }

    /// The Montgomery form.
    pub(super) const fn limbs(&self) -> &Limbs {
        &self.0
    }

    /// The element for a value, reduced mod N on the way: any 3072-bit value times `R² < N` is
    /// below `N·R`, which is all the reduction needs.
    pub(super) fn new(value: &U3072) -> Self {
        Self(le_words(value.to_le_bytes().as_ref())).mul(&Self(super::comb_table::R2))
    }

    /// The value this element stands for, in `[0, N)`.
    pub(super) fn retrieve(&self) -> U3072 {
        let mut plain_one = [0u64; LIMBS];
        plain_one[0] = 1;
        // x·R · 1 · R^-1 = x. With x < N this product is already below N.
        let value = self.mul(&Self(plain_one));
        let mut bytes = [0u8; LIMBS * 8];
        for (chunk, limb) in bytes.chunks_exact_mut(8).zip(value.0) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        U3072::from_le_slice(&bytes)
    }

    /// `self · rhs`.
    pub(super) fn mul(&self, rhs: &Self) -> Self {
        let mut t = [0u64; 2 * LIMBS];
        product(&self.0, &rhs.0, &mut t);
        Self(redc(&mut t))
    }

    /// `self²`, with each cross product computed once.
    pub(super) fn square(&self) -> Self {
        let mut t = [0u64; 2 * LIMBS];
        cross_products(&self.0, &mut t);
        double_and_add_squares(&self.0, &mut t);
        Self(redc(&mut t))
    }

    /// `self - rhs`.
    pub(super) fn sub(&self, rhs: &Self) -> Self {
        let mut out = [0u64; LIMBS];
        let mut borrow = false;
        for ((o, &x), &y) in out.iter_mut().zip(&self.0).zip(&rhs.0) {
            (*o, borrow) = x.borrowing_sub(y, borrow);
        }
        // Add N back when it went below zero.
        let mask = mask(borrow);
        let mut carry = false;
        for (o, &n) in out.iter_mut().zip(&N) {
            (*o, carry) = o.carrying_add(n & mask, carry);
        }
        Self(out)
    }

    /// `table[index]`, reading every entry, so that the memory accessed does not depend on
    /// `index`. An index past the end gives 0 (never used: callers pass digits below the length).
    pub(super) fn select(table: &[Limbs], index: u32) -> Self {
        let mut out = [0u64; LIMBS];
        for (i, entry) in (0u32..).zip(table) {
            let mask = mask(i == index);
            for (o, &e) in out.iter_mut().zip(entry) {
                *o |= e & mask;
            }
        }
        Self(out)
    }
}

/// `x·y + t + c` as (low, high) limbs: at most `2^128 - 1`, so it never overflows.
#[inline(always)]
fn mul_add(x: u64, y: u64, t: u64, c: u64) -> (u64, u64) {
    // The carry comes last: it is the only input on the critical path.
    let p = u128::from(x) * u128::from(y) + u128::from(t);
    let (lo, overflow) = (p as u64).overflowing_add(c);
    (lo, ((p >> 64) as u64) + u64::from(overflow))
}

// The kernels below index limbs with loop counters over the constant `LIMBS`. In constant-time
// code no index depends on a value, so an index that is in bounds for one input is in bounds
// for all: the tests reach every one, and the compiler removes the checks. They work two rows
// at a time: each limb of `t` is loaded and stored once per pair of rows, and the two rows'
// carries form two independent chains, which a processor runs side by side.

/// `t = a·b` (`t` zero on entry).
#[allow(clippy::indexing_slicing)]
fn product(a: &Limbs, b: &Limbs, t: &mut [u64; 2 * LIMBS]) {
    const _: () = assert!(LIMBS.is_multiple_of(2));
    for i in (0..LIMBS).step_by(2) {
        let (x0, x1) = (a[i], a[i + 1]);
        // Row i adds x0·b at limb i, row i + 1 adds x1·b at limb i + 1.
        let (v, mut c0) = mul_add(x0, b[0], t[i], 0);
        t[i] = v;
        let mut c1 = 0;
        for j in 1..LIMBS {
            let (v, h0) = mul_add(x0, b[j], t[i + j], c0);
            let (v, h1) = mul_add(x1, b[j - 1], v, c1);
            t[i + j] = v;
            (c0, c1) = (h0, h1);
        }
        let (v, h1) = mul_add(x1, b[LIMBS - 1], c0, c1);
        t[i + LIMBS] = v;
        t[i + LIMBS + 1] = h1;
    }
}

/// `t = Σ a_i·a_j·2^(64(i+j))` over `i < j` (`t` zero on entry).
#[allow(clippy::indexing_slicing)]
fn cross_products(a: &Limbs, t: &mut [u64; 2 * LIMBS]) {
    // Row i adds a_i·a_j for j > i at limb i + j, so it starts at limb 2i + 1.
    for i in (0..LIMBS - 2).step_by(2) {
        let (x0, x1) = (a[i], a[i + 1]);
        // Limbs 2i + 1 and 2i + 2 get row i alone.
        let (v, c0) = mul_add(x0, a[i + 1], t[2 * i + 1], 0);
        t[2 * i + 1] = v;
        let (v, mut c0) = mul_add(x0, a[i + 2], t[2 * i + 2], c0);
        t[2 * i + 2] = v;
        let mut c1 = 0;
        for p in 2 * i + 3..i + LIMBS {
            let (v, h0) = mul_add(x0, a[p - i], t[p], c0);
            let (v, h1) = mul_add(x1, a[p - i - 1], v, c1);
            t[p] = v;
            (c0, c1) = (h0, h1);
        }
        // Limb i + L gets row i's carry and row i + 1's last product, limb i + L + 1 the rest.
        let (v, overflow) = t[i + LIMBS].overflowing_add(c0);
        let (v, h1) = mul_add(x1, a[LIMBS - 1], v, c1);
        t[i + LIMBS] = v;
        t[i + LIMBS + 1] = h1 + u64::from(overflow);
    }
    // The last pair of rows has a single product.
    let i = LIMBS - 2;
    let (v, c0) = mul_add(a[i], a[i + 1], t[2 * i + 1], 0);
    t[2 * i + 1] = v;
    t[2 * i + 2] = c0;
}

/// `t = 2t + Σ a_i²·2^(128i)`: from the cross products to the square.
fn double_and_add_squares(a: &Limbs, t: &mut [u64; 2 * LIMBS]) {
    let (pairs, _) = t.as_chunks_mut::<2>();
    let mut shifted_out = 0;
    let mut carry = false;
    for (pair, &x) in pairs.iter_mut().zip(a) {
        let (lo, hi) = x.carrying_mul(x, 0);
        let doubled_lo = (pair[0] << 1) | shifted_out;
        let doubled_hi = (pair[1] << 1) | (pair[0] >> 63);
        shifted_out = pair[1] >> 63;
        let (sum_lo, c) = doubled_lo.carrying_add(lo, carry);
        let (sum_hi, c) = doubled_hi.carrying_add(hi, c);
        *pair = [sum_lo, sum_hi];
        carry = c;
    }
}

/// Montgomery reduction of a product `t < N·R`: `t·R^-1 mod N`.
///
/// Row i adds `u·N` at limb i, with `u` the limb there (as `-N^-1 mod 2^64 = 1`), which clears
/// it; `u·N[0] + u = u·2^64`, so the row's first product is just a carry of `u`.
#[allow(clippy::indexing_slicing)]
fn redc(t: &mut [u64; 2 * LIMBS]) -> Limbs {
    let mut overflow = false;
    for i in (0..LIMBS).step_by(2) {
        let u0 = t[i];
        // Row i at limb i + 1 fixes row i + 1's digit, whose first product is a carry too.
        let (u1, mut c0) = mul_add(u0, N[1], t[i + 1], u0);
        let mut c1 = u1;
        for j in 2..LIMBS {
            let (v, h0) = mul_add(u0, N[j], t[i + j], c0);
            let (v, h1) = mul_add(u1, N[j - 1], v, c1);
            t[i + j] = v;
            (c0, c1) = (h0, h1);
        }
        // Limb i + L: row i's carry, row i + 1's last product and the bit left over from the
        // rows before; limb i + L + 1: row i + 1's carry, and what is left over for the next.
        let (v, o) = t[i + LIMBS].carrying_add(c0, overflow);
        let (v, h1) = mul_add(u1, N[LIMBS - 1], v, c1);
        t[i + LIMBS] = v;
        (t[i + LIMBS + 1], overflow) = t[i + LIMBS + 1].carrying_add(h1, o);
    }
    let mut out = [0u64; LIMBS];
    out.copy_from_slice(&t[LIMBS..]);
    reduce_once(out, overflow)
}

/// `value + overflow·2^3072`, known to be below `2N`, reduced below N.
fn reduce_once(value: Limbs, overflow: bool) -> Limbs {
    let mut diff = [0u64; LIMBS];
    let mut borrow = false;
    for ((d, &v), &n) in diff.iter_mut().zip(&value).zip(&N) {
        (*d, borrow) = v.borrowing_sub(n, borrow);
    }
    // Keep the difference when the value was at least N: it overflowed, or subtracting did not borrow.
    // subtle's select, not `mask`: it measured 3% faster over a whole client computation.
    let keep = Choice::from(u8::from(overflow | !borrow));
    let mut out = value;
    for (o, &d) in out.iter_mut().zip(&diff) {
        o.conditional_assign(&d, keep);
    }
    out
}

/// All ones when `bit` is set, else 0, for `sub` and `select`. The barrier keeps the compiler
/// from turning the mask back into a branch on `bit` (ct-check caught it doing so in `sub`).
#[inline(always)]
fn mask(bit: bool) -> u64 {
    std::hint::black_box(0u64.wrapping_sub(u64::from(bit)))
}

/// Little-endian 64-bit words of little-endian bytes (missing words are 0).
pub(super) fn le_words<const W: usize>(bytes: &[u8]) -> [u64; W] {
    let mut out = [0u64; W];
    for (word, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(chunk);
        *word = u64::from_le_bytes(buf);
    }
    out
}

/// Limbs of a 768-digit big-endian hex constant. Only ever evaluated at compile time (for
/// [`N`]), where an out-of-range index or a bad digit is a compile error, not a panic.
#[allow(clippy::indexing_slicing, clippy::panic)]
const fn limbs_from_be_hex(hex: &str) -> Limbs {
    let bytes = hex.as_bytes();
    assert!(bytes.len() == LIMBS * 16, "N_HEX has 768 digits");
    let mut limbs = [0u64; LIMBS];
    let mut i = 0;
    while i < bytes.len() {
        let digit = match bytes[i] {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            c @ b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("N_HEX is hex"),
        };
        let position = bytes.len() - 1 - i; // nibble index from the least significant end
        limbs[position / 16] |= (digit as u64) << (4 * (position % 16));
        i += 1;
    }
    limbs
}

/// `2^3072 - v`. Only ever evaluated at compile time (for [`R_MOD_N`]).
#[allow(clippy::indexing_slicing)]
const fn negate(v: &Limbs) -> Limbs {
    let mut out = [0u64; LIMBS];
    let mut carry = 1u64;
    let mut i = 0;
    while i < LIMBS {
        let (sum, overflow) = (!v[i]).overflowing_add(carry);
        out[i] = sum;
        carry = overflow as u64;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::math::reference::Fe;
    use super::*;
    use crypto_bigint::NonZero;
    use proptest::prelude::*;

    fn n() -> NonZero<U3072> {
        NonZero::new(U3072::from_be_hex(super::super::math::N_HEX)).unwrap()
    }

    fn value(bytes: &[u8]) -> U3072 {
        let mut buf = [0u8; 384];
        buf[..bytes.len()].copy_from_slice(bytes);
        U3072::from_le_slice(&buf).rem(&n())
    }

    fn residues() -> impl Strategy<Value = U3072> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 384).prop_map(|b| value(&b)),
            // Edges: 0, 1, N - 1, N - 2, and values with long runs of ones or zeros.
            Just(U3072::ZERO),
            Just(U3072::ONE),
            Just(n().get().wrapping_sub(&U3072::ONE)),
            Just(n().get().wrapping_sub(&U3072::from_u64(2))),
            (0usize..384).prop_map(|k| value(&[0xFF; 384][..k])),
            (0usize..384).prop_map(|k| value(&[&[0u8; 384][..k], &[0xFFu8; 1][..]].concat())),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn mul_square_and_sub_agree_with_crypto_bigint(x in residues(), y in residues()) {
            let (ex, ey) = (Elem::new(&x), Elem::new(&y));
            let (fx, fy) = (Fe::new(&x), Fe::new(&y));
            prop_assert_eq!(ex.retrieve(), x);
            prop_assert_eq!(ex.mul(&ey).retrieve(), fx.mul(&fy).retrieve());
            prop_assert_eq!(ex.square().retrieve(), fx.square().retrieve());
            prop_assert_eq!(ex.sub(&ey).retrieve(), fx.sub(&fy).retrieve());
            // The Montgomery forms are the same numbers too.
            prop_assert_eq!(ex.mul(&ey).0, *fx.mul(&fy).as_montgomery().as_words());
        }

        #[test]
        fn select_reads_the_entry_at_the_index(index in 0u32..40) {
            let table: Vec<Limbs> = (0..32u64).map(|i| [i.wrapping_mul(0x9E37_79B9_7F4A_7C15); LIMBS]).collect();
            let expected = table.get(index as usize).copied().unwrap_or([0; LIMBS]);
            prop_assert_eq!(Elem::select(&table, index).0, expected);
        }
    }

    #[test]
    fn long_chains_of_squares_stay_reduced_and_agree() {
        let x = value(&[0xA7; 384]);
        let (mut e, mut f) = (Elem::new(&x), Fe::new(&x));
        for _ in 0..600 {
            e = e.square();
            f = f.square();
        }
        assert_eq!(e.0, *f.as_montgomery().as_words());
        assert_eq!(Elem::ONE.retrieve(), U3072::ONE);
        // Values at or above N enter reduced.
        assert_eq!(Elem::new(n().as_ref()).retrieve(), U3072::ZERO);
        assert_eq!(Elem::new(&U3072::MAX).retrieve(), U3072::MAX.rem(&n()));
        assert_eq!(Elem::ONE.0, *Fe::ONE.as_montgomery().as_words());
    }
}
