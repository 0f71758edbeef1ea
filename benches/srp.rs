//! SRP benchmarks: the client's three computations, each a full Cognito-sized exchange step.
//!
//! `cargo bench --bench srp`; criterion prints the median of each.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use cognito_flows::srp::{ChallengeParameters, SrpClient, device_verifier};
use criterion::{Criterion, criterion_group, criterion_main};

const SRP_B: &str = "8a5b4e3f0c1d2e3f405162738495a6b7c8d9eaf0b1c2d3e4f50617283940a1b2c3d4e5f60718293a4b5c6d7e8f901a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80";

fn challenge() -> ChallengeParameters<'static> {
    ChallengeParameters {
        srp_b: SRP_B,
        salt: "a3c5ef1f2a9e3d6b8c7d0e1f2a3b4c5d",
        secret_block: "c2VjcmV0LWJsb2NrLWZyb20tY29nbml0bw==",
    }
}

fn srp(c: &mut Criterion) {
    c.bench_function("srp/A = g^a (256-bit a)", |b| {
        b.iter(|| SrpClient::from_private_key(black_box(&[0x5c; 32])))
    });
    let client = SrpClient::from_private_key(&[0x5c; 32]);
    c.bench_function("srp/password claim (g^x, S, HKDF, HMAC)", |b| {
        b.iter(|| {
            client
                .password_claim(
                    "AbC123def",
                    black_box("alice"),
                    b"correct horse battery staple",
                    &challenge(),
                    "Tue Nov 24 08:05:07 UTC 2026",
                )
                .unwrap()
        })
    });
    c.bench_function("srp/full client (A + password claim)", |b| {
        b.iter(|| {
            SrpClient::from_private_key(black_box(&[0x5c; 32]))
                .password_claim(
                    "AbC123def",
                    "alice",
                    b"correct horse battery staple",
                    &challenge(),
                    "Tue Nov 24 08:05:07 UTC 2026",
                )
                .unwrap()
        })
    });
    c.bench_function("srp/device verifier (g^x)", |b| {
        b.iter(|| {
            device_verifier(
                "-Abc123def",
                black_box("us-east-1_0d7e5a2c-1111-4222-8333-944445555666"),
                b"4dmG3/2H0Bv4B+2jmZkqfQy3rJ1yq7yXo5lpM0M2ZpbWbV0x6WnBvQ==",
                &[0x42; 16],
            )
        })
    });
}

criterion_group!(benches, srp);
criterion_main!(benches);
