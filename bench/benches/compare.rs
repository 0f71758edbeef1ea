//! cognito-flows' full SRP client computation (A, then the password claim) against crypto-bigint's
//! stock constant-time pow and, with `--features openssl`, OpenSSL's constant-time modexp; all with
//! a 256-bit `a`. Criterion interleaves nothing by itself, so each sample below runs the
//! implementations in alternation within one closure-free loop order: ours, stock, openssl,
//! repeated, sharing the machine's state. Compare the medians (criterion prints them); the
//! ratios are printed at the end from a separate interleaved race (`cognito_flows_testkit::race`):
//! the min, median and max over its rounds of each one's time over OpenSSL's (or the stock pow's
//! without the `openssl` feature) in that same round.
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

use cognito_flows_bench::{ours, srp_b, stock};
use cognito_flows_testkit::race::{Contestant, race};
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

    // Interleaved: the implementations in turn, round after round, with the ratios to the
    // last one (OpenSSL with `--features openssl`) within each round.
    let (a, b) = (&a, b.as_str());
    let mut runs: Vec<_> = impls()
        .into_iter()
        .map(|(name, f)| {
            let expected = expected.clone();
            (name, move || f(black_box(a), black_box(b)) == expected)
        })
        .collect();
    let mut contestants: Vec<Contestant<'_>> = runs
        .iter_mut()
        .map(|(name, run)| Contestant::new(name, run))
        .collect();
    let anchor = contestants.len() - 1;
    let report = race(&mut contestants, anchor, 60, 1);
    println!("\nfull SRP client (A, then the password claim), interleaved:");
    print!("{}", report.table());
}

criterion_group!(benches, compare);
criterion_main!(benches);
