//! RSASSA-PKCS1-v1_5 signature checks with SHA-256 (JWT's `RS256`), on Montgomery arithmetic
//! specialised to the modulus sizes a JWKS carries (2048, 3072 and 4096 bits).
//!
//! Everything here is public: the key, the signature, the message. So the exponentiation is
//! variable time, which is correct for a verify and what makes it fast: for `e = 65537` it is
//! 16 Montgomery squarings of the plain signature and one product with it, which end at
//! `s^e·R^-(e-1)`, compared with the expected encoded message brought to that same form (the
//! padding's part once per key, the digest's with a four-limb product): no conversion into
//! Montgomery form and back. A key is parsed once (`n`, `-n⁻¹ mod 2⁶⁴`, `R^-(e-2) mod n`, the
//! padding) and reused for every token.
//!
//! Checked against crypto-bigint's modular exponentiation by property tests (below) and by the
//! `rsa_arithmetic` fuzz target (`src/fuzz.rs`).
//!
//! With the `aws-lc-rs` feature, the key is also parsed once by AWS-LC, whose RSA verify (x86-64
//! assembly with MULX and ADX, which safe Rust cannot ask for without `target-cpu`) then does the
//! checks; the key limits stay the ones here.

// With the `aws-lc-rs` feature, AWS-LC does the checks: the crate's own arithmetic is still
// built, tested against it and fuzzed, but nothing else calls it.
#![cfg_attr(feature = "aws-lc-rs", allow(dead_code))]

use sha2::{Digest as _, Sha256};

/// The DER `DigestInfo` prefix of a SHA-256 digest (RFC 8017, section 9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Why a JWK's `n` and `e` make no usable RS256 key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// The modulus is under 2048 bits.
    TooSmall,
    /// The modulus is over 4096 bits.
    TooLarge,
    /// The modulus is even.
    EvenModulus,
    /// `e` is even, 1, or over 2^33 (RFC 8017 wants `3 <= e < n`; AWS-LC's limit is 2^33).
    BadExponent,
}

/// A parsed RSA public key, ready for signature checks: our own arithmetic, or with the
/// `aws-lc-rs` feature, AWS-LC's.
#[derive(Clone)]
pub(crate) struct PublicKey {
    ours: Arithmetic,
    /// The same key parsed once by AWS-LC, which then does the checks.
    #[cfg(feature = "aws-lc-rs")]
    aws_lc: std::sync::Arc<aws_lc_rs::signature::ParsedPublicKey>,
}

/// The key in Montgomery form, sized to its modulus.
#[derive(Clone)]
enum Arithmetic {
    /// 2048-bit modulus: 32 limbs.
    Rsa2048(Box<Mont<32, 64>>),
    /// 2049 to 3072 bits: 48 limbs.
    Rsa3072(Box<Mont<48, 96>>),
    /// 3073 to 4096 bits: 64 limbs.
    Rsa4096(Box<Mont<64, 128>>),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({} bits)", self.bits())
    }
}

impl PublicKey {
    /// A key from the big-endian bytes of `n` and `e` (leading zeros allowed).
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let n = strip_zeros(n);
        let e = strip_zeros(e);
        let bits = bit_length(n);
        if bits < 2048 {
            return Err(KeyError::TooSmall);
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(KeyError::EvenModulus);
        }
        let e = exponent(e).ok_or(KeyError::BadExponent)?;
        let ours = match bits {
            ..=2048 => Arithmetic::Rsa2048(Box::new(Mont::new(n, e))),
            2049..=3072 => Arithmetic::Rsa3072(Box::new(Mont::new(n, e))),
            3073..=4096 => Arithmetic::Rsa4096(Box::new(Mont::new(n, e))),
            _ => return Err(KeyError::TooLarge),
        };
        Ok(Self {
            #[cfg(feature = "aws-lc-rs")]
            aws_lc: std::sync::Arc::new(
                aws_lc_rs::signature::ParsedPublicKey::new(
                    &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                    rsa_public_key_der(n, e),
                )
                .map_err(|_| KeyError::BadExponent)?,
            ),
            ours,
        })
    }

    /// The modulus size in bits.
    pub(crate) fn bits(&self) -> usize {
        match &self.ours {
            Arithmetic::Rsa2048(m) => m.bits(),
            Arithmetic::Rsa3072(m) => m.bits(),
            Arithmetic::Rsa4096(m) => m.bits(),
        }
    }

    /// Whether `signature` is this key's RS256 signature of `message`.
    pub(crate) fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        #[cfg(feature = "aws-lc-rs")]
        {
            self.aws_lc.verify_sig(message, signature).is_ok()
        }
        #[cfg(not(feature = "aws-lc-rs"))]
        {
            self.verify_rs256_ours(message, signature)
        }
    }

    /// [`PublicKey::verify_rs256`] on the crate's own arithmetic, whatever the features.
    pub(crate) fn verify_rs256_ours(&self, message: &[u8], signature: &[u8]) -> bool {
        let digest = Sha256::digest(message);
        match &self.ours {
            Arithmetic::Rsa2048(m) => m.verify_pkcs1_sha256(&digest, signature),
            Arithmetic::Rsa3072(m) => m.verify_pkcs1_sha256(&digest, signature),
            Arithmetic::Rsa4096(m) => m.verify_pkcs1_sha256(&digest, signature),
        }
    }

    /// `base^e mod n` as `k` big-endian bytes (the fuzz and property tests' view), or `None`
    /// when `base` is not below `n` or not `k` bytes long.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn public_op(&self, base: &[u8]) -> Option<Vec<u8>> {
        fn run<const L: usize, const W: usize>(m: &Mont<L, W>, base: &[u8]) -> Option<Vec<u8>> {
            let mut out = vec![0; m.len];
            m.public_op(base, &mut out).then_some(out)
        }
        match &self.ours {
            Arithmetic::Rsa2048(m) => run(m, base),
            Arithmetic::Rsa3072(m) => run(m, base),
            Arithmetic::Rsa4096(m) => run(m, base),
        }
    }
}

/// The DER `RSAPublicKey` (RFC 8017, A.1.1) of `n` and `e` (stripped of leading zeros): what
/// AWS-LC parses.
#[cfg(any(test, feature = "aws-lc-rs"))]
fn rsa_public_key_der(n: &[u8], e: u64) -> Vec<u8> {
    fn length(out: &mut Vec<u8>, len: usize) {
        match len {
            0..=0x7F => out.push(len as u8),
            0x80..=0xFF => out.extend([0x81, len as u8]),
            _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
        }
    }
    fn integer(out: &mut Vec<u8>, magnitude: &[u8]) {
        // A positive INTEGER: a zero byte in front when the top bit is set.
        let pad = magnitude.first().is_some_and(|b| b & 0x80 != 0);
        out.push(0x02);
        length(out, magnitude.len() + usize::from(pad));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(magnitude);
    }
    let e = e.to_be_bytes();
    let mut body = Vec::with_capacity(n.len() + 16);
    integer(&mut body, n);
    integer(&mut body, strip_zeros(&e));
    let mut der = vec![0x30];
    length(&mut der, body.len());
    der.extend(body);
    der
}

/// `em` (the modulus length, at least 62 bytes) as RS256's encoded message with the digest's 32
/// bytes left zero: `00 01 FF..FF 00 || DigestInfo || 00..00` (RFC 8017, 9.2).
fn encode_padding(em: &mut [u8]) {
    em.fill(0);
    let Some(rest) = em.get_mut(1..) else {
        return;
    };
    let tail = rest.len().saturating_sub(32 + SHA256_DIGEST_INFO.len() + 1);
    let (head, info) = rest.split_at_mut(tail);
    if let Some((one, ff)) = head.split_first_mut() {
        *one = 1;
        ff.fill(0xFF);
    }
    // `info` is the zero byte, the DigestInfo and the digest's place.
    if let Some(place) = info.get_mut(1..=SHA256_DIGEST_INFO.len()) {
        place.copy_from_slice(&SHA256_DIGEST_INFO);
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

fn bit_length(stripped: &[u8]) -> usize {
    stripped
        .first()
        .map_or(0, |&b| stripped.len() * 8 - b.leading_zeros() as usize)
}

/// `e` as a number when it is odd, at least 3 and at most 2^33.
fn exponent(stripped: &[u8]) -> Option<u64> {
    if stripped.len() > 8 {
        return None;
    }
    let e = stripped
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    (e >= 3 && e & 1 == 1 && e <= 1 << 33).then_some(e)
}

/// A modulus of at most `64·L` bits, in Montgomery form with `R = 2^(64·L)`; `W = 2L` (stable
/// Rust cannot write `[u64; 2 * L]` for a generic `L`).
#[derive(Clone)]
pub(crate) struct Mont<const L: usize, const W: usize> {
    /// `n`, least significant limb first.
    n: [u64; L],
    /// `-n⁻¹ mod 2⁶⁴`.
    n0: u64,
    /// The public exponent.
    e: u64,
    /// The modulus length in bytes (`k` of RFC 8017).
    len: usize,
    /// `R^-(e-2) mod n`: a product with it (`x·y·R⁻¹`) takes `x` to `x·R^-(e-1)`, the form in
    /// which [`Mont::verify_pkcs1_sha256`] meets the signature (see there).
    to_verify_form: [u64; L],
    /// The encoded message of RS256 with the digest's bytes zero, in that form.
    padding: [u64; L],
}

impl<const L: usize, const W: usize> Mont<L, W> {
    const WIDE: () = assert!(W == 2 * L && L.is_multiple_of(8) && L >= 8);

    /// `n` (stripped of leading zeros, odd, at most `64·L` bits) and `e`.
    fn new(n: &[u8], e: u64) -> Self {
        let () = Self::WIDE;
        let limbs = limbs_from_be(n);
        let n0 = limbs[0].wrapping_neg_inverse();
        let mut m = Self {
            n: limbs,
            n0,
            e,
            len: n.len(),
            to_verify_form: [0; L],
            padding: [0; L],
        };
        m.to_verify_form = m.r_power(e - 2);
        let mut padding = [0u8; 512];
        if let Some(em) = padding.get_mut(..m.len) {
            encode_padding(em);
            m.padding = m.mul(&limbs_from_be(em), &m.to_verify_form);
        }
        m
    }

    /// `R^-k mod n` for `k ≥ 1`. In Montgomery form `R⁻¹` is 1 (`R⁻¹·R`), so this is 1 raised to
    /// `k` in Montgomery form, then taken out of it.
    fn r_power(&self, k: u64) -> [u64; L] {
        let mut one = [0u64; L];
        one[0] = 1;
        let mut x = one;
        for bit in (0..63 - k.leading_zeros()).rev() {
            x = self.square(&x);
            if (k >> bit) & 1 == 1 {
                x = self.mul(&x, &one);
            }
        }
        self.mul(&x, &one)
    }

    fn bits(&self) -> usize {
        let top = self.n.iter().rposition(|&l| l != 0).unwrap_or(0);
        let high = self.n.get(top).copied().unwrap_or(0);
        top * 64 + 64 - high.leading_zeros() as usize
    }

    /// RSASSA-PKCS1-v1_5 verification (RFC 8017, 8.2.2) of a SHA-256 `digest`: whether
    /// `s^e mod n` is the one encoded message `EM = 00 01 FF..FF 00 || DigestInfo || H`.
    ///
    /// Both sides are compared in the form `x·R^-(e-1) mod n`, which saves the signature's
    /// conversion into Montgomery form: starting from the plain `s`, each Montgomery squaring
    /// and each product with `s` leaves one more `R⁻¹`, so the exponentiation ends at
    /// `s^e·R^-(e-1)`. `EM` in that form is the key's padding in that form (computed once)
    /// plus the digest's product with `R^-(e-2)`, whose first operand has four limbs.
    fn verify_pkcs1_sha256(&self, digest: &[u8], signature: &[u8]) -> bool {
        if signature.len() != self.len || digest.len() != 32 {
            return false;
        }
        let s = limbs_from_be::<L>(signature);
        if !less_than(&s, &self.n) {
            return false;
        }
        self.power_in_verify_form(&s) == self.expected(&limbs_from_be::<4>(digest))
    }

    /// `s^e·R^-(e-1) mod n` for `s < n`, left to right over `e`'s bits from the plain `s`.
    fn power_in_verify_form(&self, s: &[u64; L]) -> [u64; L] {
        let mut x = *s;
        for bit in (0..63 - self.e.leading_zeros()).rev() {
            x = self.square(&x);
            if (self.e >> bit) & 1 == 1 {
                x = self.mul(&x, s);
            }
        }
        x
    }

    /// `EM·R^-(e-1) mod n` for the digest `h` (four limbs): the padding's part plus `h`'s.
    #[allow(
        clippy::indexing_slicing,
        reason = "loop bounds are the constant limb counts"
    )]
    fn expected(&self, h: &[u64; 4]) -> [u64; L] {
        let mut t = [0u64; W];
        for (i, &x) in h.iter().enumerate() {
            let mut carry = 0;
            for (j, &y) in self.to_verify_form.iter().enumerate() {
                (t[i + j], carry) = mul_add(x, y, t[i + j], carry);
            }
            t[i + L] = carry;
        }
        let digest_part = self.redc(&mut t);
        let mut sum = [0u64; L];
        let mut carry = false;
        for ((out, &a), &b) in sum.iter_mut().zip(&self.padding).zip(&digest_part) {
            (*out, carry) = a.carrying_add(b, carry);
        }
        self.reduce_once(sum, u64::from(carry))
    }

    /// The same check on the bytes of `s^e mod n`: the tests' second opinion.
    #[cfg(test)]
    fn verify_pkcs1_sha256_bytes(&self, digest: &[u8], signature: &[u8]) -> bool {
        let mut em = [0u8; 512];
        let Some(em) = em.get_mut(..self.len) else {
            return false;
        };
        if !self.public_op(signature, em) {
            return false;
        }
        let mut expected = vec![0u8; self.len];
        encode_padding(&mut expected);
        let Some(hash) = expected.len().checked_sub(digest.len()) else {
            return false;
        };
        expected[hash..].copy_from_slice(digest);
        em == expected.as_slice()
    }

    /// `out = s^e mod n` as `k` big-endian bytes, for `s` given as exactly `k` big-endian bytes
    /// and below `n`; false otherwise.
    #[cfg(any(test, feature = "fuzzing"))]
    fn public_op(&self, signature: &[u8], out: &mut [u8]) -> bool {
        if signature.len() != self.len || out.len() != self.len {
            return false;
        }
        let s = limbs_from_be::<L>(signature);
        if !less_than(&s, &self.n) {
            return false;
        }
        // Left to right over e's bits: the top bit is `a = s·R`, the last bit (e is odd) is the
        // product with the plain `s`, which also leaves Montgomery form.
        let a = self.mul(&s, &r_squared(&self.n));
        let mut x = a;
        let top = 63 - self.e.leading_zeros();
        for bit in (1..top).rev() {
            x = self.square(&x);
            if (self.e >> bit) & 1 == 1 {
                x = self.mul(&x, &a);
            }
        }
        x = self.square(&x);
        x = self.mul(&x, &s);
        limbs_to_be(&x, out);
        true
    }

    /// `a·b·R⁻¹ mod n`, fully reduced, for `a, b < n`: a full product, then the reduction.
    fn mul(&self, a: &[u64; L], b: &[u64; L]) -> [u64; L] {
        let mut t = [0u64; W];
        product(a, b, &mut t);
        self.redc(&mut t)
    }

    /// The same product by operand scanning with the reduction interleaved (CIOS): slower
    /// here, kept as the tests' second opinion.
    #[cfg(test)]
    #[allow(
        clippy::indexing_slicing,
        reason = "loop bounds are the constant limb count"
    )]
    fn mul_cios(&self, a: &[u64; L], b: &[u64; L]) -> [u64; L] {
        // Operand scanning with the reduction interleaved (CIOS): t stays L + 2 limbs.
        let mut t = [0u64; L];
        let mut t_hi = 0u64;
        for &ai in a {
            // t += ai·b
            let mut c = 0u64;
            for j in 0..L {
                (t[j], c) = mul_add(ai, b[j], t[j], c);
            }
            let (s, o) = t_hi.overflowing_add(c);
            let top = u64::from(o);
            // t += m·n, with m chosen so that t's lowest limb becomes 0; then shift one limb.
            let m = t[0].wrapping_mul(self.n0);
            let (_, mut c) = mul_add(m, self.n[0], t[0], 0);
            for j in 1..L {
                (t[j - 1], c) = mul_add(m, self.n[j], t[j], c);
            }
            let (s, o) = s.overflowing_add(c);
            t[L - 1] = s;
            t_hi = top + u64::from(o);
        }
        self.reduce_once(t, t_hi)
    }

    /// `a²·R⁻¹ mod n`: the cross products once, doubled, plus the squares, then reduced.
    fn square(&self, a: &[u64; L]) -> [u64; L] {
        let mut t = [0u64; W];
        cross_products(a, &mut t);
        double_and_add_squares(a, &mut t);
        self.redc(&mut t)
    }

    /// Montgomery reduction of a `2L`-limb value below `n·R`: `t·R⁻¹ mod n`.
    ///
    /// Eight rows at a time: row `i + r` adds `u_r·n` at limb `i + r`, with the digit
    /// `u_r = t_(i+r)·(-n⁻¹)` read once the rows before have passed there, which clears that
    /// limb. The eight rows' carries are eight independent chains, which a processor runs side
    /// by side, and each limb of `t` is loaded and stored once per block of rows. (Measured
    /// with `bench/benches/verify_compare.rs`: eight rows verify in 0.97 of the time of four;
    /// sixteen, in 1.13, their digits and carries spilled to the stack.) Row `r`'s
    /// last carry lands at limb `i + r + L`; what overflows there is carried to the next limb,
    /// and from the last limb of a block to the first one of the next block's.
    #[allow(
        clippy::indexing_slicing,
        reason = "loop bounds are the constant limb count"
    )]
    fn redc(&self, t: &mut [u64; W]) -> [u64; L] {
        const ROWS: usize = 8;
        let n = &self.n;
        let mut overflow = false;
        for i in (0..L).step_by(ROWS) {
            let mut u = [0u64; ROWS];
            let mut c = [0u64; ROWS];
            // The first limbs: the digits, each once the rows before it have passed.
            for p in 0..ROWS {
                let mut v = t[i + p];
                for r in 0..p {
                    (v, c[r]) = mul_add(u[r], n[p - r], v, c[r]);
                }
                u[p] = v.wrapping_mul(self.n0);
                (_, c[p]) = mul_add(u[p], n[0], v, 0);
            }
            for p in ROWS..L {
                let mut v = t[i + p];
                for r in 0..ROWS {
                    (v, c[r]) = mul_add(u[r], n[p - r], v, c[r]);
                }
                t[i + p] = v;
            }
            // The last limbs: row p - L ends with its carry, the rows after still add.
            for p in L..L + ROWS {
                let (mut v, o) = t[i + p].carrying_add(c[p - L], overflow);
                for r in p - L + 1..ROWS {
                    (v, c[r]) = mul_add(u[r], n[p - r], v, c[r]);
                }
                t[i + p] = v;
                overflow = o;
            }
        }
        let mut out = [0u64; L];
        out.copy_from_slice(&t[L..]);
        self.reduce_once(out, u64::from(overflow))
    }

    /// The reduction two rows at a time: the tests' second opinion on [`Mont::redc`].
    #[cfg(test)]
    #[allow(
        clippy::indexing_slicing,
        reason = "loop bounds are the constant limb count"
    )]
    fn redc2(&self, t: &mut [u64; W]) -> [u64; L] {
        let n = &self.n;
        let mut overflow = false;
        for i in (0..L).step_by(2) {
            let u0 = t[i].wrapping_mul(self.n0);
            let (_, c0) = mul_add(u0, n[0], t[i], 0);
            let (v, mut c0) = mul_add(u0, n[1], t[i + 1], c0);
            let u1 = v.wrapping_mul(self.n0);
            let (_, mut c1) = mul_add(u1, n[0], v, 0);
            for j in 2..L {
                let (v, h0) = mul_add(u0, n[j], t[i + j], c0);
                let (v, h1) = mul_add(u1, n[j - 1], v, c1);
                t[i + j] = v;
                (c0, c1) = (h0, h1);
            }
            // Limb i + L: row i's carry, row i + 1's last product and the bit left over from
            // the pair before; limb i + L + 1: row i + 1's carry, and what is left for the next.
            let (v, o) = t[i + L].carrying_add(c0, overflow);
            let (v, h1) = mul_add(u1, n[L - 1], v, c1);
            t[i + L] = v;
            (t[i + L + 1], overflow) = t[i + L + 1].carrying_add(h1, o);
        }
        let mut out = [0u64; L];
        out.copy_from_slice(&t[L..]);
        self.reduce_once(out, u64::from(overflow))
    }

    /// `t - n` when `t` (plus `hi·R`) is at least `n`: values below `2n` end below `n`.
    fn reduce_once(&self, t: [u64; L], hi: u64) -> [u64; L] {
        if hi == 0 && less_than(&t, &self.n) {
            return t;
        }
        let mut out = [0u64; L];
        let mut borrow = false;
        for ((o, &x), &y) in out.iter_mut().zip(&t).zip(&self.n) {
            let (d, b1) = x.overflowing_sub(y);
            let (d, b2) = d.overflowing_sub(u64::from(borrow));
            *o = d;
            borrow = b1 | b2;
        }
        out
    }
}

/// `t = a·b` (`t` zero on entry), two rows at a time (see [`Mont::redc`]).
#[allow(
    clippy::indexing_slicing,
    reason = "loop bounds are the constant limb count"
)]
fn product<const L: usize, const W: usize>(a: &[u64; L], b: &[u64; L], t: &mut [u64; W]) {
    for i in (0..L).step_by(2) {
        let (x0, x1) = (a[i], a[i + 1]);
        let (v, mut c0) = mul_add(x0, b[0], t[i], 0);
        t[i] = v;
        let mut c1 = 0;
        for j in 1..L {
            let (v, h0) = mul_add(x0, b[j], t[i + j], c0);
            let (v, h1) = mul_add(x1, b[j - 1], v, c1);
            t[i + j] = v;
            (c0, c1) = (h0, h1);
        }
        let (v, h1) = mul_add(x1, b[L - 1], c0, c1);
        t[i + L] = v;
        t[i + L + 1] = h1;
    }
}

/// `t = Σ a_i·a_j·2^(64(i+j))` over `i < j` (`t` zero on entry), two rows at a time.
#[allow(
    clippy::indexing_slicing,
    reason = "loop bounds are the constant limb count"
)]
fn cross_products<const L: usize, const W: usize>(a: &[u64; L], t: &mut [u64; W]) {
    // Row i adds a_i·a_j for j > i at limb i + j, so it starts at limb 2i + 1.
    for i in (0..L - 2).step_by(2) {
        let (x0, x1) = (a[i], a[i + 1]);
        // Limbs 2i + 1 and 2i + 2 get row i alone.
        let (v, c0) = mul_add(x0, a[i + 1], t[2 * i + 1], 0);
        t[2 * i + 1] = v;
        let (v, mut c0) = mul_add(x0, a[i + 2], t[2 * i + 2], c0);
        t[2 * i + 2] = v;
        let mut c1 = 0;
        for p in 2 * i + 3..i + L {
            let (v, h0) = mul_add(x0, a[p - i], t[p], c0);
            let (v, h1) = mul_add(x1, a[p - i - 1], v, c1);
            t[p] = v;
            (c0, c1) = (h0, h1);
        }
        // Limb i + L gets row i's carry and row i + 1's last product, limb i + L + 1 the rest.
        let (v, overflow) = t[i + L].overflowing_add(c0);
        let (v, h1) = mul_add(x1, a[L - 1], v, c1);
        t[i + L] = v;
        t[i + L + 1] = h1 + u64::from(overflow);
    }
    // The last pair of rows has a single product.
    let i = L - 2;
    let (v, c0) = mul_add(a[i], a[i + 1], t[2 * i + 1], 0);
    t[2 * i + 1] = v;
    t[2 * i + 2] = c0;
}

/// `t = 2t + Σ a_i²·2^(128i)`: from the cross products to the square.
fn double_and_add_squares<const L: usize, const W: usize>(a: &[u64; L], t: &mut [u64; W]) {
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

/// `x·y + t + c` as (low, high): at most `2^128 - 1`, never overflowing.
#[inline(always)]
fn mul_add(x: u64, y: u64, t: u64, c: u64) -> (u64, u64) {
    let p = u128::from(x) * u128::from(y) + u128::from(t) + u128::from(c);
    (p as u64, (p >> 64) as u64)
}

trait NegInverse {
    fn wrapping_neg_inverse(self) -> Self;
}

impl NegInverse for u64 {
    /// `-self⁻¹ mod 2⁶⁴` for odd `self`, by Newton's iteration (each step doubles the bits).
    fn wrapping_neg_inverse(self) -> Self {
        let mut inv = self; // correct to 3 bits for odd self
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(self.wrapping_mul(inv)));
        }
        inv.wrapping_neg()
    }
}

/// `a < b`.
fn less_than<const L: usize>(a: &[u64; L], b: &[u64; L]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// Big-endian bytes (at most `8·L`) into little-endian limbs.
fn limbs_from_be<const L: usize>(bytes: &[u8]) -> [u64; L] {
    let mut out = [0u64; L];
    for (limb, chunk) in out.iter_mut().zip(bytes.rchunks(8)) {
        *limb = chunk.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    }
    out
}

/// Little-endian limbs into `out.len()` big-endian bytes (the value must fit).
#[cfg(any(test, feature = "fuzzing"))]
fn limbs_to_be<const L: usize>(limbs: &[u64; L], out: &mut [u8]) {
    for (i, byte) in out.iter_mut().rev().enumerate() {
        *byte = limbs.get(i / 8).map_or(0, |l| (l >> (8 * (i % 8))) as u8);
    }
}

/// `R² mod n` with `R = 2^(64·L)`: from 1, doubled `2·64·L` times modulo `n` (the tests'
/// plain exponentiation).
#[cfg(any(test, feature = "fuzzing"))]
fn r_squared<const L: usize>(n: &[u64; L]) -> [u64; L] {
    let mut x = [0u64; L];
    x[0] = 1;
    for _ in 0..2 * 64 * L {
        let mut top = 0u64;
        for limb in &mut x {
            let next = *limb >> 63;
            *limb = (*limb << 1) | top;
            top = next;
        }
        if top == 1 || !less_than(&x, n) {
            let mut borrow = false;
            for (o, &y) in x.iter_mut().zip(n) {
                let (d, b1) = o.overflowing_sub(y);
                let (d, b2) = d.overflowing_sub(u64::from(borrow));
                *o = d;
                borrow = b1 | b2;
            }
        }
    }
    x
}

/// crypto-bigint's `base^e mod n`, the reference the fuzz target and the tests compare with.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn reference_public_op(n: &[u8], e: u64, base: &[u8]) -> Vec<u8> {
    use crypto_bigint::BoxedUint;
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    let n = BoxedUint::from_be_slice_vartime(n);
    let precision = n.bits_precision();
    let Some(odd) = crypto_bigint::Odd::new(n).into_option() else {
        return Vec::new();
    };
    let params = BoxedMontyParams::new_vartime(odd);
    let base = crypto_bigint::Resize::resize(BoxedUint::from_be_slice_vartime(base), precision);
    let e = BoxedUint::from_be_slice_vartime(&e.to_be_bytes());
    BoxedMontyForm::new(base, &params)
        .pow(&e)
        .retrieve()
        .to_be_bytes()
        .into_vec()
}

/// The arithmetic on arbitrary values against crypto-bigint: `data` is a flag byte (the
/// exponent's choice and the size), then a modulus and a base of the same length.
#[cfg(feature = "fuzzing")]
#[allow(
    clippy::panic,
    reason = "a fuzz body panics when an invariant breaks: that is the finding"
)]
pub(crate) fn fuzz_against_crypto_bigint(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let len = 256 + 128 * usize::from(flags % 3);
    let e: u64 = match (flags >> 2) % 4 {
        0 => 65537,
        1 => 3,
        2 => 17,
        _ => (1 << 33) - 1,
    };
    let (Some(n), Some(base)) = (rest.get(..len), rest.get(len..2 * len)) else {
        return;
    };
    let mut n = n.to_vec();
    if let Some(first) = n.first_mut() {
        *first |= 0x80;
    }
    if let Some(last) = n.last_mut() {
        *last |= 1;
    }
    let Ok(key) = PublicKey::new(&n, &e.to_be_bytes()) else {
        panic!("a full-size odd modulus must load");
    };
    let ours = key.public_op(base);
    let below = limbs_cmp_be(base, &n);
    match ours {
        Some(out) => {
            assert!(below, "accepted a base not below n");
            let reference = reference_public_op(&n, e, base);
            assert_eq!(
                strip_zeros(&out),
                strip_zeros(&reference),
                "differs from crypto-bigint"
            );
        }
        None => assert!(!below, "refused a base below n"),
    }
}

/// `a < b` for big-endian byte strings of the same length.
#[cfg(feature = "fuzzing")]
fn limbs_cmp_be(a: &[u8], b: &[u8]) -> bool {
    a < b
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn modulus(len: usize, seed: &[u8]) -> Vec<u8> {
        let mut n: Vec<u8> = seed.iter().cycle().take(len).copied().collect();
        n[0] |= 0x80;
        n[len - 1] |= 1;
        n
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn matches_crypto_bigint(
            size in 0usize..3,
            e in prop::sample::select(vec![3u64, 17, 65537, (1 << 33) - 1]),
            seed in prop::collection::vec(any::<u8>(), 1..600),
            base in prop::collection::vec(any::<u8>(), 512),
        ) {
            let len = [256, 384, 512][size];
            let n = modulus(len, &seed);
            let key = PublicKey::new(&n, &e.to_be_bytes()).unwrap();
            let mut base = base[..len].to_vec();
            if base >= n { base[0] = n[0] - 1; }
            let ours = key.public_op(&base).unwrap();
            let reference = reference_public_op(&n, e, &base);
            prop_assert_eq!(strip_zeros(&ours), strip_zeros(&reference));
        }

        #[test]
        fn moduli_of_any_bit_length_in_a_size_class(bits in 2048usize..=4096, seed in prop::collection::vec(any::<u8>(), 1..64)) {
            let len = bits.div_ceil(8);
            let mut n = modulus(len, &seed);
            // Clear the bits above `bits`, keeping the top one.
            let extra = len * 8 - bits;
            n[0] = (n[0] & (0xFF >> extra)) | (0x80 >> extra);
            let key = PublicKey::new(&n, &[1, 0, 1]).unwrap();
            prop_assert_eq!(key.bits(), bits);
            let mut base = vec![0u8; len];
            base[len - 1] = 7;
            base[len / 2] = 0x5a;
            let ours = key.public_op(&base).unwrap();
            let reference = reference_public_op(&n, 65537, &base);
            prop_assert_eq!(strip_zeros(&ours), strip_zeros(&reference));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// The exponentiation from the plain signature is `s^e mod n` in the verify form, and
        /// a verify agrees with the check on the bytes of `s^e mod n`.
        #[test]
        fn the_verify_form_is_the_plain_power_times_a_power_of_r(
            size in 0usize..3,
            e in prop::sample::select(vec![3u64, 17, 65537, (1 << 33) - 1]),
            seed in prop::collection::vec(any::<u8>(), 1..600),
            base in prop::collection::vec(any::<u8>(), 512),
            digest in prop::collection::vec(any::<u8>(), 32),
        ) {
            fn check<const L: usize, const W: usize>(n: &[u8], e: u64, base: &[u8], digest: &[u8]) -> Result<(), TestCaseError> {
                let m = Mont::<L, W>::new(n, e);
                let s = limbs_from_be::<L>(base);
                let mut plain = vec![0u8; n.len()];
                prop_assert!(m.public_op(base, &mut plain));
                let expected = m.mul(&limbs_from_be::<L>(&plain), &m.to_verify_form);
                prop_assert_eq!(m.power_in_verify_form(&s), expected);
                prop_assert_eq!(
                    m.verify_pkcs1_sha256(digest, base),
                    m.verify_pkcs1_sha256_bytes(digest, base)
                );
                Ok(())
            }
            let len = [256, 384, 512][size];
            let n = modulus(len, &seed);
            let mut base = base[..len].to_vec();
            if base >= n { base[0] = n[0] - 1; }
            match size {
                0 => check::<32, 64>(&n, e, &base, &digest)?,
                1 => check::<48, 96>(&n, e, &base, &digest)?,
                _ => check::<64, 128>(&n, e, &base, &digest)?,
            }
        }
    }

    /// A message, a signature and whether it is the message's.
    type SignedCase = (Vec<u8>, Vec<u8>, bool);

    /// The fixture key, and RS256 signatures with their verdicts: the right one, a flipped bit
    /// of it, another message, a signature one byte short.
    fn signed_cases() -> (PublicKey, Vec<SignedCase>) {
        use rsa::pkcs8::DecodePrivateKey as _;
        use rsa::traits::PublicKeyParts as _;
        let pem = include_str!("../../tests/fixtures/verify-key-1.pem");
        let private = rsa::PrivateKey::from_pkcs8_pem(pem).unwrap();
        let public = private.to_public_key();
        let key = PublicKey::new(&public.n_bytes(), &public.e_bytes()).unwrap();
        let message = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0".to_vec();
        let signature = private
            .sign(
                rsa::Pkcs1v15Sign::new::<rsa::sha2::Sha256>(),
                &Sha256::digest(&message),
            )
            .unwrap();
        let mut flipped = signature.clone();
        flipped[100] ^= 1;
        let other = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiIn0".to_vec();
        let cases = vec![
            (message.clone(), signature.clone(), true),
            (message.clone(), flipped, false),
            (other, signature.clone(), false),
            (message, signature[1..].to_vec(), false),
        ];
        (key, cases)
    }

    /// Real signatures pass and altered ones fail, as the check on the bytes of `s^e` says.
    #[test]
    fn real_signatures() {
        let (key, cases) = signed_cases();
        let Arithmetic::Rsa2048(m) = &key.ours else {
            panic!("a 2048-bit key");
        };
        for (message, signature, valid) in cases {
            assert_eq!(key.verify_rs256_ours(&message, &signature), valid);
            let digest = Sha256::digest(&message);
            assert_eq!(m.verify_pkcs1_sha256_bytes(&digest, &signature), valid);
        }
    }

    #[test]
    fn the_edges_of_the_signature_range() {
        let n = modulus(256, &[0xC3, 0x5A, 0x17]);
        let key = PublicKey::new(&n, &[1, 0, 1]).unwrap();
        // 0, 1 and n - 1 are below n; n itself and anything above are refused.
        let mut zero = vec![0u8; 256];
        assert_eq!(strip_zeros(&key.public_op(&zero).unwrap()), &[] as &[u8]);
        zero[255] = 1;
        assert_eq!(strip_zeros(&key.public_op(&zero).unwrap()), &[1]);
        let mut n_minus_1 = n.clone();
        n_minus_1[255] -= 1;
        let out = key.public_op(&n_minus_1).unwrap();
        assert_eq!(out, n_minus_1, "(-1)^odd = -1");
        assert_eq!(key.public_op(&n), None);
        assert_eq!(key.public_op(&[0xFF; 256]), None);
        // Not k bytes: refused, even when the value would be below n.
        assert_eq!(key.public_op(&[1]), None);
    }

    #[test]
    fn keys_that_are_refused() {
        let n = modulus(256, &[0xC3, 0x5A, 0x17]);
        assert_eq!(
            PublicKey::new(&n[1..], &[1, 0, 1]).unwrap_err(),
            KeyError::TooSmall
        );
        assert_eq!(
            PublicKey::new(&modulus(513, &[9]), &[1, 0, 1]).unwrap_err(),
            KeyError::TooLarge
        );
        let mut even = n.clone();
        even[255] &= 0xFE;
        assert_eq!(
            PublicKey::new(&even, &[1, 0, 1]).unwrap_err(),
            KeyError::EvenModulus
        );
        for e in [&[1u8][..], &[0], &[], &[2], &[1, 0, 0, 0, 0, 0, 0, 0, 1]] {
            assert_eq!(
                PublicKey::new(&n, e).unwrap_err(),
                KeyError::BadExponent,
                "{e:?}"
            );
        }
        // Leading zeros are fine.
        let mut padded = vec![0u8; 3];
        padded.extend_from_slice(&n);
        assert_eq!(PublicKey::new(&padded, &[0, 1, 0, 1]).unwrap().bits(), 2048);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn both_products_agree(seed in prop::collection::vec(any::<u8>(), 1..300), a in prop::collection::vec(any::<u8>(), 256), b in prop::collection::vec(any::<u8>(), 256)) {
            let n = modulus(256, &seed);
            let m = Mont::<32, 64>::new(&n, 65537);
            let (mut a, mut b) = (a, b);
            a[0] &= 0x7F;
            b[0] &= 0x7F;
            let (a, b) = (limbs_from_be::<32>(&a), limbs_from_be::<32>(&b));
            prop_assert_eq!(m.mul(&a, &b), m.mul_cios(&a, &b));
            prop_assert_eq!(m.square(&a), m.mul(&a, &a));
            let mut t = [0u64; 64];
            product(&a, &b, &mut t);
            let mut t2 = t;
            prop_assert_eq!(m.redc(&mut t), m.redc2(&mut t2));

        }
    }

    #[test]
    fn the_der_public_key_is_what_the_rsa_crate_writes() {
        use rsa::pkcs1::EncodeRsaPublicKey as _;
        for (n, e) in [
            (modulus(256, &[0xC3, 0x5A, 0x17]), 65537u64),
            (modulus(384, &[0x11]), 3),
            (modulus(512, &[0x7F, 0x01]), (1 << 33) - 1),
        ] {
            let reference = rsa::PublicKey::new(
                rsa::BoxedUint::from_be_slice_vartime(&n),
                rsa::BoxedUint::from(e),
            )
            .unwrap()
            .to_pkcs1_der()
            .unwrap();
            assert_eq!(rsa_public_key_der(&n, e), reference.as_bytes());
        }
    }

    /// With the `aws-lc-rs` feature, AWS-LC and the crate's own arithmetic give the same
    /// verdict on real signatures, altered signatures and altered messages.
    #[cfg(feature = "aws-lc-rs")]
    #[test]
    fn both_backends_agree() {
        let (key, cases) = signed_cases();
        for (message, signature, valid) in cases {
            assert_eq!(key.verify_rs256(&message, &signature), valid);
            assert_eq!(key.verify_rs256_ours(&message, &signature), valid);
        }
    }

    #[test]
    fn neg_inverse() {
        for x in [1u64, 3, 0xFFFF_FFFF_FFFF_FFFF, 0x1234_5678_9abc_def1] {
            assert_eq!(x.wrapping_mul(x.wrapping_neg_inverse()), u64::MAX);
        }
    }
}
