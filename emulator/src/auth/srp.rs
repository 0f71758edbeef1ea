//! The server side of Cognito's SRP, written from RFC 5054 with num-bigint, independently of the
//! client in `cognito_flows::srp`. Not constant-time: this is a test server.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{KeyInit, Mac};
use num_bigint::{BigInt, BigUint, Sign};
use sha2::{Digest, Sha256};

use crate::model::state::Credential;

const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

pub(crate) fn n() -> BigUint {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap_or_default()
}

fn g() -> BigUint {
    BigUint::from(2u8)
}

/// RFC 5054's PAD as Cognito's SDKs do it: minimal big-endian bytes, a 00 in front when the top
/// bit is set.
pub(crate) fn pad(v: &BigUint) -> Vec<u8> {
    let bytes = if *v == BigUint::ZERO {
        vec![0]
    } else {
        v.to_bytes_be()
    };
    match bytes.first() {
        Some(&b) if b >= 0x80 => [&[0u8][..], &bytes].concat(),
        _ => bytes,
    }
}

fn h(parts: &[&[u8]]) -> [u8; 32] {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    d.finalize().into()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| {
        <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(&[0]).unwrap_or_else(|_| unreachable!())
    });
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// `x = H(pad(salt) || H(realm || identity || ":" || password))`.
fn x(realm: &str, identity: &str, password: &str, salt: &[u8]) -> [u8; 32] {
    let inner = h(&[
        realm.as_bytes(),
        identity.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    h(&[&pad(&BigUint::from_bytes_be(salt)), &inner])
}

/// `H("check" || x)`: what a password is checked against without SRP.
fn check_of(x: &[u8; 32]) -> [u8; 32] {
    h(&[b"cognito-flows-emulator password check", x])
}

/// A password's credential: the verifier `v = g^x` (one modular exponentiation: call it
/// without the state lock) and the hash of `x` that [`password_matches`] compares.
pub(crate) fn credential(
    realm: &str,
    identity: &str,
    password: &str,
    salt: [u8; 16],
) -> Credential {
    let x = x(realm, identity, password, &salt);
    Credential {
        identity: identity.to_owned(),
        salt,
        verifier: g().modpow(&BigUint::from_bytes_be(&x), &n()),
        check: check_of(&x),
    }
}

/// Whether `password` is the one of `credential` (two SHA-256, compared in constant time).
pub(crate) fn password_matches(realm: &str, password: &str, credential: &Credential) -> bool {
    use subtle::ConstantTimeEq as _;
    let x = x(realm, &credential.identity, password, &credential.salt);
    bool::from(check_of(&x).ct_eq(&credential.check))
}

/// Parses hex as the JS SDK's `BigInteger(hex, 16)` would (an optional `-`), reduced mod N.
pub(crate) fn parse_public(hex: &str) -> Option<BigUint> {
    let (sign, digits) = match hex.strip_prefix('-') {
        Some(rest) => (Sign::Minus, rest),
        None => (Sign::Plus, hex),
    };
    let magnitude = BigUint::parse_bytes(digits.as_bytes(), 16)?;
    let value = BigInt::from_biguint(sign, magnitude);
    let n = BigInt::from_biguint(Sign::Plus, n());
    let reduced = ((value % &n) + &n) % &n;
    reduced.to_biguint()
}

/// One exchange: the server's ephemeral `b`, `B = k*v + g^b`.
pub(crate) struct Exchange {
    pub b: BigUint,
    pub big_b: BigUint,
}

pub(crate) fn start(v: &BigUint, b: BigUint) -> Exchange {
    let n = n();
    let k = BigUint::from_bytes_be(&h(&[&pad(&n), &pad(&g())]));
    let big_b = (k * v + g().modpow(&b, &n)) % &n;
    Exchange { b, big_b }
}

/// The signature a client that knows the password produces:
/// `S = (A * v^u)^b`, key = HKDF(pad(u), pad(S)), HMAC(key, realm || identity || block || ts).
pub(crate) fn expected_signature(
    exchange: &Exchange,
    v: &BigUint,
    big_a: &BigUint,
    realm: &str,
    identity: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> Option<String> {
    let n = n();
    if (big_a % &n) == BigUint::ZERO {
        return None;
    }
    let u = BigUint::from_bytes_be(&h(&[&pad(big_a), &pad(&exchange.big_b)]));
    if u == BigUint::ZERO {
        return None;
    }
    let s = (big_a * v.modpow(&u, &n) % &n).modpow(&exchange.b, &n);
    let prk = hmac(&pad(&u), &[&pad(&s)]);
    let okm = hmac(&prk, &[b"Caldera Derived Key", &[1]]);
    let key = okm.get(..16)?;
    Some(BASE64.encode(hmac(
        key,
        &[
            realm.as_bytes(),
            identity.as_bytes(),
            secret_block,
            timestamp.as_bytes(),
        ],
    )))
}

/// Lowercase hex without leading zeros, as `BigInteger.toString(16)` prints.
pub(crate) fn to_hex(v: &BigUint) -> String {
    v.to_str_radix(16)
}
