//! An independent server side of Cognito's SRP (num-bigint, written from RFC 5054), to check the
//! client's password claims end to end.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cognito_flows::srp::N_HEX;
use hmac::{KeyInit, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

pub fn n() -> BigUint {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap()
}

/// RFC 5054's padding as Cognito does it: minimal bytes, 00 in front when the top bit is set.
pub fn pad(v: &BigUint) -> Vec<u8> {
    let bytes = if *v == BigUint::ZERO {
        vec![0]
    } else {
        v.to_bytes_be()
    };
    if bytes[0] >= 0x80 {
        [vec![0], bytes].concat()
    } else {
        bytes
    }
}

pub fn h(parts: &[&[u8]]) -> Vec<u8> {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    d.finalize().to_vec()
}

pub fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

pub fn hex(v: &BigUint) -> String {
    v.to_str_radix(16)
}

/// The server's side of one exchange, for one user (or device).
pub struct Server {
    pub realm: String,
    pub identity: String,
    pub salt: BigUint,
    b: BigUint,
    v: BigUint,
    pub big_b: BigUint,
}

impl Server {
    /// `v = g^x` from the password, as at registration.
    pub fn new(realm: &str, identity: &str, password: &str, salt: BigUint, b: BigUint) -> Self {
        let inner = h(&[
            realm.as_bytes(),
            identity.as_bytes(),
            b":",
            password.as_bytes(),
        ]);
        let x = BigUint::from_bytes_be(&h(&[&pad(&salt), &inner]));
        let v = BigUint::from(2u8).modpow(&x, &n());
        Self::with_verifier(realm, identity, salt, v, b)
    }

    /// From a stored verifier (e.g. the one ConfirmDevice registered).
    pub fn with_verifier(
        realm: &str,
        identity: &str,
        salt: BigUint,
        v: BigUint,
        b: BigUint,
    ) -> Self {
        let n = n();
        let g = BigUint::from(2u8);
        let k = BigUint::from_bytes_be(&h(&[&pad(&n), &pad(&g)]));
        let big_b = (k * &v + g.modpow(&b, &n)) % &n;
        Self {
            realm: realm.into(),
            identity: identity.into(),
            salt,
            b,
            v,
            big_b,
        }
    }

    /// The signature the server expects for `A`: `S = (A * v^u)^b`.
    pub fn expected_signature(&self, a_hex: &str, block: &[u8], ts: &str) -> String {
        let n = n();
        let a = BigUint::parse_bytes(a_hex.as_bytes(), 16).unwrap();
        let u = BigUint::from_bytes_be(&h(&[&pad(&a), &pad(&self.big_b)]));
        let s = (a * self.v.modpow(&u, &n)).modpow(&self.b, &n);
        let prk = hmac(&pad(&u), &[&pad(&s)]);
        let key = hmac(&prk, &[b"Caldera Derived Key", &[1]]);
        BASE64.encode(hmac(
            &key[..16],
            &[
                self.realm.as_bytes(),
                self.identity.as_bytes(),
                block,
                ts.as_bytes(),
            ],
        ))
    }
}

/// The verifier ConfirmDevice registered, from its base64 fields.
pub fn stored_verifier(password_verifier_b64: &str, salt_b64: &str) -> (BigUint, BigUint) {
    (
        BigUint::from_bytes_be(&BASE64.decode(password_verifier_b64).unwrap()),
        BigUint::from_bytes_be(&BASE64.decode(salt_b64).unwrap()),
    )
}
