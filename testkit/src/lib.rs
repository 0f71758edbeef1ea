//! Test support for `cognito-flows`: starts and drives moto's Cognito user
//! pools mock (`moto_server`) on `127.0.0.1` for integration tests.
//!
//! Install moto first with `scripts/setup-peers.sh` (into
//! `<workspace>/.tools/moto`), or point `COGNITO_FLOWS_MOTO_SERVER` at a
//! `moto_server` executable.
//!
//! ```no_run
//! use cognito_flows_testkit::{ClientOptions, Moto, PoolOptions};
//! use serde_json::json;
//!
//! let moto = Moto::start(); // killed on drop
//! let pool = moto.create_pool(PoolOptions::default());
//! let client = moto.create_client(&pool.id, ClientOptions::default());
//! moto.create_confirmed_user(&pool.id, "alice", "Passw0rd!", &[("email", "a@example.com")]);
//! let tokens = moto.call("InitiateAuth", json!({
//!     "ClientId": client.id,
//!     "AuthFlow": "USER_PASSWORD_AUTH",
//!     "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
//! }));
//! assert!(tokens.is_ok());
//! ```
//!
//! See the crate's README for the moto behaviours (quirks) that
//! `tests/moto_smoke.rs` pins down.
//!
//! With the `flows` feature: the one loop that drives a flow in tests (`drive`, over `agent`)
//! and the `Backend` trait that lets a test body run against moto or the emulator. With the
//! `emulator` feature: the emulator's fixture (`emulator::Fixture`: an emulator with a pool, an
//! app client and users from one `emulator::Options`) and its `Backend`.
//!
//! For benches: [`race`], side-by-side timing in one process with the min, median and max of
//! each contestant's ratio to an anchor.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "flows")]
mod backend;
mod codes;
mod crypto;
#[cfg(feature = "flows")]
mod drive;
#[cfg(feature = "emulator")]
pub mod emulator;
mod fixtures;
mod http;
#[cfg(feature = "passkey")]
pub mod passkey;
pub mod race;
mod server;

#[cfg(feature = "flows")]
pub use backend::{Backend, user_pool};
pub use codes::{MOTO_TOTP_SECRET, secret_hash, totp_at, totp_code, totp_now};
#[cfg(feature = "flows")]
pub use drive::{agent, drive, no_prompt, send};
pub use fixtures::{
    Client, ClientOptions, DEFAULT_AUTH_FLOWS, MfaConfiguration, PasswordPolicy, Pool, PoolOptions,
    User,
};
pub use http::{
    CONTENT_TYPE, DUMMY_AUTHORIZATION, MotoError, RawResponse, Signing, TARGET_PREFIX,
    UNSIGNED_OPERATIONS,
};
pub use server::{MOTO_SERVER_ENV, Moto, moto_server_path, workspace_root};
