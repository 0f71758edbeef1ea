//! In-process requests, for the fuzz targets (feature `fuzzing`): [`Emulator::answer`] serves one
//! request through the same routing as the HTTP server, without a socket.
//!
//! And the fuzz target bodies (the one-line targets are in the repository's `fuzz/`): each takes
//! the fuzzer's bytes, drives a fresh embedded emulator (fixed seed, fixed clock) and panics when
//! an invariant breaks, which is the finding. Beyond "no panic", every body checks that each
//! answer is a well-formed Cognito answer, that no request takes more than a bound of CPU or
//! wall time, and what its surface promises (below).

#![allow(
    clippy::panic,
    reason = "a fuzz body panics when an invariant breaks: that is the finding"
)]

mod cimd;
#[cfg(feature = "config")]
mod config;
mod filter;
mod hooks;
mod id_token;
mod imports;
mod model;
mod store;
mod web;
mod world;

pub use self::cimd::cimd_document;
#[cfg(feature = "config")]
pub use self::config::config_file;
pub use self::filter::list_users_filter;
pub use self::hooks::webhook_answers;
pub use self::id_token::id_token;
pub use self::imports::user_import_csv;
pub use self::store::data_directory;
pub use self::web::web as hosted_ui;

use std::sync::OnceLock;

use arbitrary::Unstructured;
use http::{HeaderValue, Request, Response};
use serde_json::Value;

use self::model::{Builder, Known};
use self::world::World;
use crate::Emulator;
use crate::fault::Fault;
use crate::web::Reply;
use crate::web::server::fault_reply;

/// The runtime that drives [`Emulator::answer`]'s futures (webhook calls and their timeouts
/// included), one per process.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("a tokio runtime for Emulator::answer: {e}"))
    })
}

impl Emulator {
    /// Answers one request as the server would (the API, the hosted UI, `/oauth2/*`, the
    /// well-known documents), in-process: no socket, no connection limits or I/O deadlines. The
    /// answer has no `x-amzn-RequestId`. Blocks until the answer is ready.
    ///
    /// ```
    /// use cognito_flows_emulator::{Emulator, EmulatorConfig, PoolConfig};
    ///
    /// let emulator = Emulator::start(EmulatorConfig::default())?;
    /// let pool = emulator.create_user_pool(PoolConfig::default());
    /// let request = http::Request::post("/")
    ///     .header("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool")
    ///     .body(format!(r#"{{"UserPoolId": "{pool}"}}"#).into_bytes())
    ///     .unwrap();
    /// let response = emulator.answer(request);
    /// assert_eq!(response.status(), 200);
    /// assert!(String::from_utf8_lossy(response.body()).contains(&pool));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn answer(&self, request: Request<Vec<u8>>) -> Response<Vec<u8>> {
        let (parts, body) = request.into_parts();
        let reply = runtime().block_on(crate::web::server::dispatch(
            &self.shared,
            &parts.method,
            &parts.uri,
            &parts.headers,
            &body,
        ));
        response(reply).unwrap_or_else(|| {
            // As the server answers a reply it cannot send.
            response(fault_reply(&Fault {
                status: 400,
                kind: "InvalidParameterException",
                message: "the answer would carry an invalid header value".into(),
            }))
            .unwrap_or_default()
        })
    }
}

/// The response, or `None` when a header value is not a valid one.
fn response((status, headers, body): Reply) -> Option<Response<Vec<u8>>> {
    let mut response = Response::builder().status(status);
    for (name, value) in headers {
        response = response.header(name, HeaderValue::from_str(&value).ok()?);
    }
    response.body(body.into_bytes()).ok()
}

/// The dispatch, structure-aware: a sequence of up to 12 API calls against one state, each an
/// operation of [`crate::OPERATIONS`] with a body built from Cognito's model of its input (fields
/// filled, now and then, with what earlier answers revealed: ids, sessions, tokens, devices,
/// codes from the outbox). Every error is one the model declares for the operation, no error
/// message repeats a password, every token goes to an enabled, confirmed user, and every stored
/// user's attributes pass the pool's schema.
pub fn dispatch(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(flags) = u.arbitrary::<u8>() else {
        return;
    };
    let world = World::new(flags);
    let mut known = Known::default();
    known.add("pool", &world.pool);
    known.add("client", &world.client.id);
    if let Some(secret) = &world.client.secret {
        known.add("secret", secret);
    }
    for (name, password, ..) in world::USERS {
        known.add("user", name);
        known.add("password", password);
        known.add("attribute_value", &format!("{name}@example.com"));
    }
    for _ in 0..12 {
        if u.is_empty() {
            break;
        }
        let Ok(operation) = u.choose(crate::OPERATIONS) else {
            break;
        };
        let Ok(mut body) = Builder::new(&known).body(&mut u, operation) else {
            break;
        };
        world.fill_secret_hashes(&mut body);
        let (status, answer) = world.call(operation, &body);
        if status != 200 {
            let message = answer["message"].as_str().unwrap_or_default();
            for password in secrets(&body) {
                assert!(
                    !message.contains(&password),
                    "{operation}'s error message repeats a password: {message}"
                );
            }
        }
        world.check_tokens(operation, &answer);
        world.check_state();
        known.learn(&answer);
        for message in world.emulator.outbox().iter().rev().take(4) {
            known.add("code", &message.code);
        }
    }
}

/// The passwords of a body (8 characters or more) that no other field of it contains.
fn secrets(body: &Value) -> Vec<String> {
    fn walk(value: &Value, secret: bool, out: &mut Vec<(bool, String)>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let secret = matches!(
                        k.as_str(),
                        "Password"
                            | "ProposedPassword"
                            | "PreviousPassword"
                            | "TemporaryPassword"
                            | "PASSWORD"
                            | "NEW_PASSWORD"
                    );
                    walk(v, secret, out);
                }
            }
            Value::Array(list) => list.iter().for_each(|v| walk(v, false, out)),
            Value::String(s) => out.push((secret, s.clone())),
            _ => {}
        }
    }
    let mut strings = Vec::new();
    walk(body, false, &mut strings);
    strings
        .iter()
        .filter(|(secret, s)| {
            *secret
                && s.chars().count() >= 8
                && !strings
                    .iter()
                    .any(|(other, o)| !other && o.contains(s.as_str()))
        })
        .map(|(_, s)| s.clone())
        .collect()
}
