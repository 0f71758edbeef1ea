//! cognito-flows' full SRP client computation (A, then the password claim) against crypto-bigint's
//! stock constant-time pow and, with `--features openssl`, OpenSSL's constant-time modexp; all with
//! a 256-bit `a`. Criterion interleaves nothing by itself, so each sample below runs the
//! implementations in alternation within one closure-free loop order: ours, stock, openssl,
//! repeated, sharing the machine's state. Compare the medians (criterion prints them); the ratio
//! is printed at the end from a separate interleaved measurement.
//!
//! On a loaded machine, count instructions instead: a filter that matches no benchmark
//! (`compare zzz`) runs only the interleaved rounds (62 calls of `ours`, 61 of the others), and
//! under `valgrind --tool=callgrind` the inclusive counts of `cognito_flows_bench::ours` and
//! `cognito_flows_bench::openssl`, divided by their calls (`callgrind_annotate --inclusive=yes
//! --tree=caller`), compare the two. Build the workspace crates optimised (see
//! `verify_compare.rs`). Instructions and time need not agree (OpenSSL's assembly and our Rust
//! retire instructions at different rates): quote both.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Instant;

use cognito_flows_bench::{ours, srp_b, stock};
use criterion::{Criterion, criterion_group, criterion_main};

type Impl = (&'static str, fn(&[u8; 32], &str) -> String);

fn impls() -> Vec<Impl> {
    vec![
        ("cognito-flows", ours),
        ("crypto-bigint stock pow", stock),
        #[cfg(feature = "openssl")]
        ("openssl consttime", cognito_flows_bench::openssl),
    ]
}

fn compare(c: &mut Criterion) {
    let b = srp_b();
    let a = [0x5c; 32];
    let expected = ours(&a, &b);
    for (name, f) in impls() {
        assert_eq!(f(&a, &b), expected, "{name} disagrees");
    }
    let mut group = c.benchmark_group("full SRP client, 256-bit a");
    for (name, f) in impls() {
        group.bench_function(name, |bench| bench.iter(|| f(black_box(&a), black_box(&b))));
    }
    group.finish();

    // Interleaved: round-robin over the implementations, median per implementation.
    let rounds = 60;
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); impls().len()];
    for _ in 0..rounds {
        for (i, (_, f)) in impls().iter().enumerate() {
            let start = Instant::now();
            black_box(f(black_box(&a), black_box(&b)));
            times[i].push(start.elapsed().as_secs_f64() * 1e3);
        }
    }
    let medians: Vec<f64> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect();
    let reference = *medians.last().unwrap();
    println!("\ninterleaved medians over {rounds} rounds (ratio to the last):");
    for ((name, _), m) in impls().iter().zip(&medians) {
        println!("  {name:<26} {m:8.3} ms   x{:.2}", m / reference);
    }
}

criterion_group!(benches, compare);
criterion_main!(benches);
