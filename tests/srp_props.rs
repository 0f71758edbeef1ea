//! Property tests of the SRP client against an independent server side (num-bigint, written from
//! RFC 5054): for random users, passwords and salts, the server's S and the client's agree, so
//! the server accepts the client's signature. Hostile B values are refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cognito_flows::srp::{ChallengeParameters, N_HEX, SrpClient, SrpError};
use hmac::{KeyInit, Mac};
use num_bigint::BigUint;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

fn n() -> BigUint {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap()
}

/// RFC 5054's padding as Cognito does it: minimal bytes, 00 in front when the top bit is set.
fn pad(v: &BigUint) -> Vec<u8> {
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

fn h(parts: &[&[u8]]) -> Vec<u8> {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    d.finalize().to_vec()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

struct Server {
    b: BigUint,
    v: BigUint,
    big_b: BigUint,
}

impl Server {
    fn new(pool: &str, user: &str, password: &str, salt: &BigUint, b: BigUint) -> Self {
        let n = n();
        let g = BigUint::from(2u8);
        let k = BigUint::from_bytes_be(&h(&[&pad(&n), &pad(&g)]));
        let inner = h(&[pool.as_bytes(), user.as_bytes(), b":", password.as_bytes()]);
        let x = BigUint::from_bytes_be(&h(&[&pad(salt), &inner]));
        let v = g.modpow(&x, &n);
        let big_b = (k * &v + g.modpow(&b, &n)) % &n;
        Self { b, v, big_b }
    }

    /// The signature the server expects: S = (A * v^u)^b.
    fn expected_signature(
        &self,
        a: &BigUint,
        pool: &str,
        user: &str,
        block: &[u8],
        ts: &str,
    ) -> String {
        let n = n();
        let u = BigUint::from_bytes_be(&h(&[&pad(a), &pad(&self.big_b)]));
        let s = (a * self.v.modpow(&u, &n)).modpow(&self.b, &n);
        let prk = hmac(&pad(&u), &[&pad(&s)]);
        let key = hmac(&prk, &[b"Caldera Derived Key", &[1]]);
        BASE64.encode(hmac(
            &key[..16],
            &[pool.as_bytes(), user.as_bytes(), block, ts.as_bytes()],
        ))
    }
}

fn hex(v: &BigUint) -> String {
    v.to_str_radix(16)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn client_and_independent_server_agree(
        a in any::<[u8; 32]>(),
        b in any::<[u8; 32]>(),
        user in "\\PC{1,24}",
        password in "\\PC{0,40}",
        salt in proptest::collection::vec(any::<u8>(), 1..24),
        block in proptest::collection::vec(any::<u8>(), 0..64),
        pool in "[A-Za-z0-9]{1,12}",
    ) {
        let salt = BigUint::from_bytes_be(&salt);
        let server = Server::new(&pool, &user, &password, &salt, BigUint::from_bytes_be(&b));
        let client = SrpClient::from_private_key(&a);
        let big_a = BigUint::from_bytes_be(client.public_key());
        prop_assert_eq!(hex(&big_a), client.public_key_hex());
        let ts = "Tue Nov 24 8:05:07 UTC 2026";
        let block_b64 = BASE64.encode(&block);
        let challenge = ChallengeParameters {
            srp_b: &hex(&server.big_b),
            salt: &hex(&salt),
            secret_block: &block_b64,
        };
        let signature = client.password_claim(&pool, &user, password.as_bytes(), &challenge, ts).unwrap();
        prop_assert_eq!(signature, server.expected_signature(&big_a, &pool, &user, &block, ts));
    }

    #[test]
    fn multiples_of_n_are_refused(k in 0u32..4, negative in any::<bool>(), leading_zeros in 0usize..3) {
        let b = n() * k;
        let srp_b = format!("{}{}{}", if negative { "-" } else { "" }, "0".repeat(leading_zeros), hex(&b));
        let client = SrpClient::from_private_key(&[1; 32]);
        let challenge = ChallengeParameters { srp_b: &srp_b, salt: "01", secret_block: "" };
        let result = client.password_claim("p", "u", b"pw", &challenge, "t");
        if k < 2 {
            prop_assert_eq!(result, Err(SrpError::BIsZero));
        } else {
            // 2N and 3N are longer than N: refused before any arithmetic.
            prop_assert!(matches!(result, Err(SrpError::InvalidB(_))));
        }
    }

    /// A negative B is reduced into [0, N) for S, but hashed as the SDK's two's complement in u:
    /// the server side that sent `-B'` computes with `N - B'`.
    #[test]
    fn negative_b_is_reduced_for_s(b in any::<[u8; 32]>(), a in any::<[u8; 32]>()) {
        let client = SrpClient::from_private_key(&a);
        let magnitude = BigUint::from_bytes_be(&b) + 1u8;
        let challenge = ChallengeParameters { srp_b: &format!("-{}", hex(&magnitude)), salt: "ab", secret_block: "AAAA" };
        let signature = client.password_claim("p", "u", b"pw", &challenge, "t");
        prop_assert!(signature.is_ok());
        // Same B as a positive residue: same S, but u differs (it hashes the signed form).
        let positive = hex(&(n() - &magnitude));
        let challenge2 = ChallengeParameters { srp_b: &positive, ..challenge };
        prop_assert_ne!(signature.unwrap(), client.password_claim("p", "u", b"pw", &challenge2, "t").unwrap());
    }
}
