//! The emulator's two signature algorithms, on one of two backends chosen at build time:
//! RS256 (RSASSA-PKCS1-v1_5 with SHA-256) for its tokens, and ES256 (ECDSA on P-256 with
//! SHA-256) for the passkeys it checks.
//!
//! - With the `aws-lc` feature (on by default): aws-lc-rs. AWS-LC's RSA (AVX-512 IFMA where the
//!   CPU has it, as OpenSSL 3) is several times faster than the pure-Rust `rsa` crate and twice
//!   ring's (`benches/sign_in.rs`), and a sign-in makes two signatures.
//! - Without it: the pure-Rust `rsa` and `p256` crates, so that a build needs no C compiler and no
//!   AWS-LC (the demo's build: `cargo demo`). PKCS#1 v1.5 signatures are deterministic, so both
//!   backends sign the same claims into the same token, byte for byte.

/// The emulator's RSA key.
pub(crate) struct RsaKey(backend::RsaKey);

impl RsaKey {
    /// The key of a PKCS#8 DER document.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        backend::rsa_from_pkcs8(der).map(Self)
    }

    /// The public modulus and exponent, big-endian without leading zeros (a JWK's `n` and `e`).
    pub(crate) fn public_components(&self) -> (Vec<u8>, Vec<u8>) {
        backend::rsa_public_components(&self.0)
    }

    /// The RS256 signature of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        backend::rsa_sign(&self.0, message)
    }

    /// Whether `signature` is this key's RS256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        backend::rsa_verify(&self.0, message, signature)
    }
}

/// Whether `signature` is an RS256 signature of `message` by the RSA public key of modulus `n`
/// and exponent `e` (big-endian: a JWK's `n` and `e`, decoded), 2048 to 8192 bits.
pub(crate) fn rsa_verify_public(n: &[u8], e: &[u8], message: &[u8], signature: &[u8]) -> bool {
    backend::rsa_verify_public(n, e, message, signature)
}

/// Whether `point` is an uncompressed SEC1 point (`04 || x || y`) on P-256.
pub(crate) fn p256_point_is_valid(point: &[u8]) -> bool {
    backend::p256_point_is_valid(point)
}

/// Whether `signature` (ASN.1 DER) is an ES256 signature of `message` by the P-256 key `point`.
pub(crate) fn p256_verify(point: &[u8], message: &[u8], signature: &[u8]) -> bool {
    backend::p256_verify(point, message, signature)
}

#[cfg(feature = "aws-lc")]
mod backend {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{
        self, ECDSA_P256_SHA256_ASN1, KeyPair as _, ParsedPublicKey, RsaKeyPair,
        RsaPublicKeyComponents, UnparsedPublicKey,
    };

    pub(super) struct RsaKey {
        pair: RsaKeyPair,
        rng: SystemRandom,
    }

    pub(super) fn rsa_from_pkcs8(der: &[u8]) -> Result<RsaKey, String> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| e.to_string())?;
        Ok(RsaKey {
            pair,
            rng: SystemRandom::new(),
        })
    }

    pub(super) fn rsa_public_components(key: &RsaKey) -> (Vec<u8>, Vec<u8>) {
        let public: RsaPublicKeyComponents<Vec<u8>> = key.pair.public_key().into();
        (public.n, public.e)
    }

    pub(super) fn rsa_sign(key: &RsaKey, message: &[u8]) -> Result<Vec<u8>, String> {
        let mut signature = vec![0; key.pair.public_modulus_len()];
        key.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &key.rng,
                message,
                &mut signature,
            )
            .map_err(|e| e.to_string())?;
        Ok(signature)
    }

    pub(super) fn rsa_verify(key: &RsaKey, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            key.pair.public_key().as_ref(),
        )
        .verify(message, signature)
        .is_ok()
    }

    pub(super) fn rsa_verify_public(n: &[u8], e: &[u8], message: &[u8], signature: &[u8]) -> bool {
        RsaPublicKeyComponents { n, e }
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, signature)
            .is_ok()
    }

    pub(super) fn p256_point_is_valid(point: &[u8]) -> bool {
        ParsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, point).is_ok()
    }

    pub(super) fn p256_verify(point: &[u8], message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, point)
            .verify(message, signature)
            .is_ok()
    }
}

#[cfg(not(any(feature = "aws-lc", feature = "rust-crypto")))]
compile_error!("the emulator needs a crypto backend: the `aws-lc` or the `rust-crypto` feature");

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
mod backend {
    use p256::ecdsa::{DerSignature, VerifyingKey as EcKey};
    use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
    use rsa::pkcs8::DecodePrivateKey as _;
    use rsa::signature::{Keypair as _, SignatureEncoding as _, Signer as _, Verifier as _};
    use rsa::traits::PublicKeyParts as _;
    use sha2::Sha256;

    pub(super) struct RsaKey {
        signing: SigningKey<Sha256>,
        verifying: VerifyingKey<Sha256>,
    }

    pub(super) fn rsa_from_pkcs8(der: &[u8]) -> Result<RsaKey, String> {
        let private = rsa::PrivateKey::from_pkcs8_der(der).map_err(|e| e.to_string())?;
        let signing = SigningKey::<Sha256>::new(private);
        let verifying = signing.verifying_key();
        Ok(RsaKey { signing, verifying })
    }

    pub(super) fn rsa_public_components(key: &RsaKey) -> (Vec<u8>, Vec<u8>) {
        let public = key.verifying.as_ref();
        (
            public.n().to_be_bytes_trimmed_vartime().into_vec(),
            public.e().to_be_bytes_trimmed_vartime().into_vec(),
        )
    }

    pub(super) fn rsa_sign(key: &RsaKey, message: &[u8]) -> Result<Vec<u8>, String> {
        let signature = key.signing.try_sign(message).map_err(|e| e.to_string())?;
        Ok(signature.to_vec())
    }

    pub(super) fn rsa_verify(key: &RsaKey, message: &[u8], signature: &[u8]) -> bool {
        Signature::try_from(signature).is_ok_and(|s| key.verifying.verify(message, &s).is_ok())
    }

    pub(super) fn rsa_verify_public(n: &[u8], e: &[u8], message: &[u8], signature: &[u8]) -> bool {
        let n = rsa::BoxedUint::from_be_slice_vartime(n);
        let e = rsa::BoxedUint::from_be_slice_vartime(e);
        let Ok(key) = rsa::RsaPublicKey::new(n, e) else {
            return false;
        };
        if key.size() < 256 {
            return false;
        }
        let key = VerifyingKey::<Sha256>::new(key);
        Signature::try_from(signature).is_ok_and(|s| key.verify(message, &s).is_ok())
    }

    pub(super) fn p256_point_is_valid(point: &[u8]) -> bool {
        point.first() == Some(&0x04) && EcKey::from_sec1_bytes(point).is_ok()
    }

    pub(super) fn p256_verify(point: &[u8], message: &[u8], signature: &[u8]) -> bool {
        let Ok(key) = EcKey::from_sec1_bytes(point) else {
            return false;
        };
        DerSignature::from_bytes(signature).is_ok_and(|s| key.verify(message, &s).is_ok())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The emulator's key, as `jwt.rs` reads it.
    fn key() -> RsaKey {
        use base64::Engine as _;
        let base64: String = include_str!("emulator-key.pem")
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(base64)
            .unwrap();
        RsaKey::from_pkcs8(&der).unwrap()
    }

    #[test]
    fn rs256_is_deterministic_and_the_same_on_both_backends() {
        use sha2::Digest as _;
        let key = key();
        let signature = key.sign(b"header.payload").unwrap();
        assert_eq!(signature.len(), 256);
        assert!(key.verify(b"header.payload", &signature));
        assert!(!key.verify(b"header.payloaD", &signature));
        // Whichever backend signed: PKCS#1 v1.5 has no randomness, so this digest of the
        // signature pins both to the same bytes.
        let pinned = hex(&sha2::Sha256::digest(&signature));
        assert_eq!(pinned, RS256_OF_HEADER_PAYLOAD);
        let (n, e) = key.public_components();
        assert_eq!((n.len(), e), (256, vec![1, 0, 1]));
    }

    #[test]
    fn p256_refuses_what_is_not_a_point_or_a_signature() {
        assert!(!p256_point_is_valid(&[0x04; 65]));
        assert!(!p256_point_is_valid(&[]));
        assert!(!p256_verify(&[0x04; 65], b"m", &[0x30, 0x00]));
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// `openssl dgst -sha256 -sign emulator-key.pem` of `header.payload`, hashed with SHA-256.
    const RS256_OF_HEADER_PAYLOAD: &str =
        "ab34b8ef2d4214b733f0f092df296821da8339b639792546cb33e237b137f6f6";
}
