//! Amazon Cognito User Pools authentication as Sans-IO state machines.
//!
//! Every flow of `amazon-cognito-identity-js` (SRP sign-in, MFA, devices, refresh, ...) is an
//! explicit state machine here: it takes the user's answers, Cognito's HTTP responses, the
//! current time and 32 bytes of entropy, and emits typed HTTP requests and outcomes. It never
//! opens a socket, reads a clock or a global RNG, sleeps, spawns or logs a secret. The adapters (`cognito-flows-ureq`, `cognito-flows-async`)
//! do the I/O with a loop of a dozen lines, and so can you, in any runtime, executor or WASM.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use cognito_flows::{Action, Entropy, Flow, SignIn, UserPool};
//!
//! # fn cognito(request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
//! #     let body = br#"{"AuthenticationResult":{"AccessToken":"eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6ImFsaWNlIiwiaWF0IjoxNzY0MDAwMDAwLCJleHAiOjE3NjQwMDM2MDB9.","IdToken":"eyJhbGciOiJub25lIn0.eyJpYXQiOjE3NjQwMDAwMDAsImV4cCI6MTc2NDAwMzYwMH0.","RefreshToken":"r","ExpiresIn":3600,"TokenType":"Bearer"}}"#;
//! #     http::Response::new(body.to_vec())
//! # }
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let mut flow = SignIn::user_password(&pool, "alice", "correct horse", Entropy::from([7; 32]));
//! let now = UNIX_EPOCH + Duration::from_secs(1_764_000_000);
//! let signed_in = loop {
//!     match flow.poll_action() {
//!         Action::Send(request) => flow.handle_response(now, cognito(request))?,
//!         Action::Prompt(prompt) => unreachable!("no challenge in this example: {prompt:?}"),
//!         Action::Done(outcome) => break outcome,
//!         Action::Wait(delay) => std::thread::sleep(delay),
//!         Action::Failed(error) => return Err(error.into()),
//!     }
//! };
//! assert_eq!(signed_in.username, "alice");
//! assert!(signed_in.tokens.is_valid(now));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The contract every flow follows is documented on [`Flow`]; errors are split by cause in
//! [`Error`]; the SRP math is in [`srp`], checked against vectors from the JS SDK.
//!
//! The normal path is at the crate root: a [`UserPool`]; the flows [`SignIn`],
//! [`ForgotPassword`], the single calls in [`account`] (each a [`Call`]) and the hosted UI's
//! [`HostedUi`]; what they exchange with you ([`Action`], [`Prompt`], [`Input`], [`Error`]); what
//! they produce ([`Tokens`], kept as a [`StoredSession`]); and the token [`Verifier`]. The
//! modules hold the rest: the wire types ([`wire`]), retry rules ([`retry`]), the JS SDK's
//! storage keys ([`storage`]), and, with the `testing` feature, canned answers for your tests
//! ([`testing`]). ARCHITECTURE.md at the repository root maps the code.

mod call;
mod crypto;
mod entropy;
pub mod error;
pub mod flows;
#[cfg(feature = "fuzzing")]
pub mod fuzz;
#[cfg(any(doc, doctest))]
pub mod guide;
pub mod pool;
pub mod retry;
pub mod secret;
pub mod session;
pub mod srp;
pub mod storage;
#[cfg(any(feature = "testing", doc))]
pub mod testing;
pub mod tokens;
pub mod totp;
pub mod user_agent;
pub mod verify;
pub mod wire;

pub use http;

pub use crate::entropy::Entropy;
pub use crate::error::{Error, ErrorKind, Misuse, ProtocolError, ProtocolReason, ServiceError};
pub use crate::flows::account::{self, Call, NewUser};
pub use crate::flows::client_credentials::{ClientCredentials, MachineToken, TokenCache};
pub use crate::flows::hosted_ui::HostedUi;
pub use crate::flows::sign_in::FirstFactor;
pub use crate::flows::{
    Action, ChallengeName, CodeDelivery, DeviceCredentials, Flow, ForgotPassword, Input, MfaMethod,
    Prompt, PromptKind, SignIn, SignedIn, TotpSetup,
};
pub use crate::pool::{PoolError, UserPool};
pub use crate::secret::{ClientSecret, Password, SecretString};
pub use crate::session::StoredSession;
pub use crate::tokens::{Jwt, Tokens};
pub use crate::user_agent::{InvalidUserAgent, UserAgent};
pub use crate::verify::Verifier;
