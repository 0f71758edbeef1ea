//! Property tests of the SRP client against an independent server side (num-bigint, written from
//! RFC 5054): for random users, passwords and salts, the server's S and the client's agree, so
//! the server accepts the client's signature. Hostile B values are refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cognito_flows::srp::{ChallengeParameters, SrpClient, SrpError};
use common::srp_server::{Server, hex, n};
use num_bigint::BigUint;
use proptest::prelude::*;

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
        let server = Server::new(&pool, &user, &password, salt.clone(), BigUint::from_bytes_be(&b));
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
        prop_assert_eq!(signature, server.expected_signature(&client.public_key_hex(), &block, ts));
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
