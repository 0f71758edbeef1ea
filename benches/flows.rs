//! Whole flows on canned answers: the state machine's own cost (no network), and the number of
//! heap allocations per sign-in, counted by a wrapping global allocator.
#![allow(missing_docs, clippy::unwrap_used)]

use std::alloc::System;
use std::hint::black_box;

use cognito_flows::testing::{self, Canned};
use cognito_flows::{Entropy, SignIn, UserPool};
use criterion::{Criterion, criterion_group, criterion_main};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn password_sign_in(pool: &UserPool) {
    let mut cognito = Canned::new([testing::tokens("alice")]);
    black_box(
        cognito
            .run(SignIn::user_password(
                pool,
                "alice",
                "pw",
                Entropy::from([1; 32]),
            ))
            .unwrap(),
    );
}

fn srp_sign_in(pool: &UserPool) {
    let mut cognito = Canned::new([
        testing::password_verifier("alice"),
        testing::tokens("alice"),
    ]);
    black_box(
        cognito
            .run(SignIn::user_srp(
                pool,
                "alice",
                "pw",
                Entropy::from([1; 32]),
            ))
            .unwrap(),
    );
}

fn allocations(f: impl Fn()) -> usize {
    f();
    let region = Region::new(GLOBAL);
    f();
    region.change().allocations
}

fn flows(c: &mut Criterion) {
    let pool = UserPool::new("us-east-1_AbC123", "client")
        .unwrap()
        .with_client_secret("secret");
    println!(
        "heap allocations per sign-in, including the canned answers' JSON: password {}, SRP {}",
        allocations(|| password_sign_in(&pool)),
        allocations(|| srp_sign_in(&pool)),
    );
    c.bench_function("flow/password sign-in on canned answers", |b| {
        b.iter(|| password_sign_in(&pool))
    });
    c.bench_function("flow/SRP sign-in on canned answers", |b| {
        b.iter(|| srp_sign_in(&pool))
    });
}

criterion_group!(benches, flows);
criterion_main!(benches);
