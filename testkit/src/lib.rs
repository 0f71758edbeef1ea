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
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod codes;
mod crypto;
mod fixtures;
mod http;
#[cfg(feature = "passkey")]
pub mod passkey;
mod server;

pub use codes::{MOTO_TOTP_SECRET, secret_hash, totp_code, totp_now};
pub use fixtures::{
    Client, ClientOptions, DEFAULT_AUTH_FLOWS, MfaConfiguration, PasswordPolicy, Pool, PoolOptions,
    User,
};
pub use http::{
    CONTENT_TYPE, DUMMY_AUTHORIZATION, MotoError, RawResponse, Signing, TARGET_PREFIX,
    UNSIGNED_OPERATIONS,
};
pub use server::{MOTO_SERVER_ENV, Moto, moto_server_path, workspace_root};
