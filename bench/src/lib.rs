//! The same Cognito SRP client computation three ways, for the comparison bench: this crate's
//! (`cognito_flows::srp`), a straightforward one on crypto-bigint's stock constant-time `pow`,
//! and (feature `openssl`) one on OpenSSL's `BN_mod_exp_mont_consttime`. Each returns the
//! `PASSWORD_CLAIM_SIGNATURE`, so the bench first checks that all three agree.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cognito_flows::srp::{ChallengeParameters, N_HEX, SrpClient};
use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

pub const POOL: &str = "AbC123def";
pub const USER: &str = "alice";
pub const PASSWORD: &[u8] = b"correct horse battery staple";
pub const SALT: &str = "a3c5ef1f2a9e3d6b8c7d0e1f2a3b4c5d";
pub const BLOCK: &[u8] = b"secret block from cognito";
pub const TIMESTAMP: &str = "Tue Nov 24 08:05:07 UTC 2026";

/// A valid B (any value that is not 0 mod N works for the client).
pub fn srp_b() -> String {
    let mut out = String::from("5");
    while out.len() < 768 {
        out.push_str(&hex(&Sha256::digest(out.as_bytes())));
    }
    out.truncate(768);
    out
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    let s = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_owned()
    };
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn pad(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let b = &bytes[start..];
    match b.first() {
        None => vec![0],
        Some(&f) if f >= 0x80 => [&[0u8][..], b].concat(),
        Some(_) => b.to_vec(),
    }
}

fn sha(parts: &[&[u8]]) -> [u8; 32] {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    d.finalize().into()
}

fn signature(u: &[u8; 32], s: &[u8]) -> String {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&pad(u)), &pad(s));
    let mut key = [0u8; 16];
    hk.expand(b"Caldera Derived Key", &mut key).unwrap();
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    for p in [
        POOL.as_bytes(),
        USER.as_bytes(),
        BLOCK,
        TIMESTAMP.as_bytes(),
    ] {
        mac.update(p);
    }
    BASE64.encode(mac.finalize().into_bytes())
}

fn x() -> [u8; 32] {
    let inner = sha(&[POOL.as_bytes(), USER.as_bytes(), b":", PASSWORD]);
    sha(&[&pad(&unhex(SALT)), &inner])
}

/// cognito-flows.
pub fn ours(a: &[u8; 32], srp_b: &str) -> String {
    let block = BASE64.encode(BLOCK);
    let challenge = ChallengeParameters {
        srp_b,
        salt: SALT,
        secret_block: &block,
    };
    SrpClient::from_private_key(a)
        .password_claim(POOL, USER, PASSWORD, &challenge, TIMESTAMP)
        .unwrap()
}

/// crypto-bigint's stock constant-time `pow` (4-bit windows), full exponent sizes.
pub fn stock(a: &[u8; 32], srp_b: &str) -> String {
    use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
    use crypto_bigint::{Odd, U256, U576, U3072};
    let params = FixedMontyParams::new_vartime(Odd::new(U3072::from_be_hex(N_HEX)).unwrap());
    let fe = |v: &U3072| FixedMontyForm::new(v, &params);
    let from = |b: &[u8]| {
        let mut buf = [0u8; 384];
        buf[384 - b.len()..].copy_from_slice(b);
        U3072::from_be_slice(&buf)
    };
    let g = fe(&U3072::from_u64(2));
    let a = U256::from_be_slice(a);
    let big_a = g.pow_bounded_exp(&a, 256).retrieve();
    let big_b = from(&unhex(srp_b));
    let u = sha(&[&pad(&big_a.to_be_bytes()), &pad(&big_b.to_be_bytes())]);
    let x = U256::from_be_slice(&x());
    let k = fe(&from(&sha(&[&pad(&unhex(N_HEX)), &[2]])));
    let gx = g.pow_bounded_exp(&x, 256);
    let base = fe(&big_b).sub(&k.mul(&gx));
    let ux: U576 = U256::from_be_slice(&u)
        .concatenating_mul::<{ U256::LIMBS }, { 2 * U256::LIMBS }>(&x)
        .resize();
    let e = ux.wrapping_add(&a.resize());
    let s = base.pow_bounded_exp(&e, 513).retrieve();
    signature(&u, &s.to_be_bytes())
}

/// OpenSSL's `BN_mod_exp_mont_consttime` (the exponents flagged `BN_FLG_CONSTTIME`).
#[cfg(feature = "openssl")]
pub fn openssl(a: &[u8; 32], srp_b: &str) -> String {
    use openssl::bn::{BigNum, BigNumContext};
    let mut ctx = BigNumContext::new().unwrap();
    let n = BigNum::from_hex_str(N_HEX).unwrap();
    let g = BigNum::from_u32(2).unwrap();
    let pow = |base: &BigNum, e: &BigNum, ctx: &mut BigNumContext| {
        let mut e = BigNum::from_slice(&e.to_vec()).unwrap();
        e.set_const_time();
        let mut r = BigNum::new().unwrap();
        r.mod_exp(base, &e, &n, ctx).unwrap();
        r
    };
    let a = BigNum::from_slice(a).unwrap();
    let big_a = pow(&g, &a, &mut ctx);
    let big_b = BigNum::from_hex_str(srp_b).unwrap();
    let u_bytes = sha(&[&pad(&big_a.to_vec()), &pad(&big_b.to_vec())]);
    let u = BigNum::from_slice(&u_bytes).unwrap();
    let x = BigNum::from_slice(&x()).unwrap();
    let k = BigNum::from_slice(&sha(&[&pad(&n.to_vec()), &[2]])).unwrap();
    let gx = pow(&g, &x, &mut ctx);
    let mut kgx = BigNum::new().unwrap();
    kgx.mod_mul(&k, &gx, &n, &mut ctx).unwrap();
    let mut base = BigNum::new().unwrap();
    base.mod_sub(&big_b, &kgx, &n, &mut ctx).unwrap();
    let mut ux = BigNum::new().unwrap();
    ux.checked_mul(&u, &x, &mut ctx).unwrap();
    let mut e = BigNum::new().unwrap();
    e.checked_add(&a, &ux).unwrap();
    let s = pow(&base, &e, &mut ctx);
    signature(&u_bytes, &s.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_implementations_agree() {
        for seed in 0u8..4 {
            let a = [seed.wrapping_mul(37).wrapping_add(1); 32];
            let expected = ours(&a, &srp_b());
            assert_eq!(stock(&a, &srp_b()), expected);
            #[cfg(feature = "openssl")]
            assert_eq!(openssl(&a, &srp_b()), expected);
        }
    }
}
