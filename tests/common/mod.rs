//! Shared test support: the crate's `testing` module (canonical request text for snapshots, canned
//! Cognito answers, a fixed clock, a `Scenario` that starts a flow at any stage), plus the live
//! drivers and the SRP test server.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod live;
pub mod srp_server;

#[allow(unused_imports, reason = "each test file uses its part")]
pub use cognito_flows::testing::*;
