//! The precomputed constants of the SRP arithmetic (`src/srp/comb_table.rs`) are what they say
//! they are: this test derives every one of them again with num-bigint, from N and g alone, and
//! compares the file to the text it would write. To write the file instead (after changing the
//! comb's shape), run `COGNITO_FLOWS_REGENERATE=1 cargo test --test srp_tables`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(
    clippy::disallowed_methods,
    reason = "a test, not the core: it reads COGNITO_FLOWS_REGENERATE"
)]

use std::fmt::Write as _;

use cognito_flows::srp::N_HEX;
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/srp/comb_table.rs");

/// The comb's shape (see `src/srp/math.rs`): exponent bit `44 i + 22 j + k` is bit `i` of the
/// digit that picks from table `j` at column `k`.
const ROWS: u32 = 6;
const ROW_BITS: u32 = 44;
const TABLES: u32 = 2;
const COLUMNS: u32 = 22;

fn n() -> BigUint {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap()
}

/// `v · 2^3072 mod N`: the Montgomery form.
fn montgomery(v: &BigUint) -> BigUint {
    (v << 3072u32) % n()
}

/// 48 little-endian limbs as Rust hex literals.
fn limbs(v: &BigUint) -> String {
    let mut digits = v.to_u64_digits();
    assert!(digits.len() <= 48);
    digits.resize(48, 0);
    digits
        .iter()
        .map(|d| format!("0x{d:016x}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn expected_file() -> String {
    let n = n();
    let two = BigUint::from(2u8);
    let r2 = montgomery(&montgomery(&BigUint::from(1u8)));
    let mut padded_n = vec![0u8];
    padded_n.extend(n.to_bytes_be());
    let k = BigUint::from_bytes_be(
        &Sha256::new()
            .chain_update(&padded_n)
            .chain_update([2u8])
            .finalize(),
    );

    let mut out = String::new();
    out.push_str(
        "//! Precomputed constants of the SRP arithmetic. Generated, with every value derived again\n\
         //! and compared, by `tests/srp_tables.rs`; do not edit (`COGNITO_FLOWS_REGENERATE=1 cargo\n\
         //! test --test srp_tables` rewrites it). Limbs are 64-bit, least significant first.\n\n",
    );
    out.push_str("use super::mont::{LIMBS, Limbs};\n\n");
    let _ = writeln!(
        out,
        "/// `R² mod N` (R = 2^3072): multiplying by it enters Montgomery form."
    );
    let _ = writeln!(
        out,
        "#[rustfmt::skip]\npub(super) const R2: Limbs = [{}];\n",
        limbs(&r2)
    );
    let _ = writeln!(out, "/// `k = H(pad(N) || pad(g))`, in Montgomery form.");
    let _ = writeln!(
        out,
        "#[rustfmt::skip]\npub(super) const K: Limbs = [{}];\n",
        limbs(&montgomery(&k))
    );
    let _ = writeln!(
        out,
        "/// The fixed-base comb for g = 2: `COMB[j][d] = g^(sum of 2^({ROW_BITS} i + {COLUMNS} j) over the bits i of d)`,\n\
         /// in Montgomery form, for j < {TABLES} and d < 2^{ROWS}."
    );
    let _ = writeln!(
        out,
        "#[rustfmt::skip]\npub(super) static COMB: [[Limbs; 1 << {ROWS}]; {TABLES}] = ["
    );
    for j in 0..TABLES {
        out.push_str("    [\n");
        for d in 0..1u32 << ROWS {
            let exponent = (0..ROWS)
                .filter(|i| d >> i & 1 == 1)
                .fold(BigUint::from(0u8), |e, i| {
                    e + (BigUint::from(1u8) << (ROW_BITS * i + COLUMNS * j))
                });
            let value = montgomery(&two.modpow(&exponent, &n));
            let _ = writeln!(out, "        [{}],", limbs(&value));
        }
        out.push_str("    ],\n");
    }
    out.push_str("];\n\nconst _: () = assert!(LIMBS == 48);\n");
    out
}

#[test]
fn the_comb_table_and_constants_are_derived_from_n_and_g() {
    let expected = expected_file();
    if std::env::var_os("COGNITO_FLOWS_REGENERATE").is_some() {
        std::fs::write(PATH, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(PATH).unwrap();
    assert!(
        actual == expected,
        "src/srp/comb_table.rs is not what N and g give: run COGNITO_FLOWS_REGENERATE=1 cargo test --test srp_tables"
    );
}
