//! SRP benchmarks (being written).
fn main() {}
