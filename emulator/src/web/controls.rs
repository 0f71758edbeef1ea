//! The test controls under `/_emulator/` (besides the outbox, in `oauth.rs`), for suites in any
//! language; like every path, they answer only requests whose `Host` is a loopback name (or one
//! allowed by `--allow-host`):
//!
//! - `POST /_emulator/reset` (and moto's `POST /moto-api/reset`): the state of the emulator's
//!   start comes back (the pools, clients, users and groups of its set-up, its clock); tokens,
//!   sessions, OAuth codes, the outbox and armed faults are dropped. Answers `{"status": "ok"}`, as moto does.
//! - `GET /_emulator/clock`: `{"now": <Unix seconds>}`. `POST /_emulator/clock` with
//!   `{"advance_seconds": N}` moves it forward by N seconds (N ≥ 0), with `{"set": <Unix
//!   seconds>}` fixes it at that instant; answers the new `{"now"}`.
//! - `POST /_emulator/faults` with `{"operation": "InitiateAuth", "error":
//!   "TooManyRequestsException", "count": N}`: the next N calls of that operation answer that
//!   error (status 400; 500 for `InternalErrorException`); count 0 disarms it. With
//!   `{"operation": "SignUp", "trigger": "timeout", "count": N}` instead, the next N trigger
//!   (webhook) calls that operation makes time out as a Lambda that does not answer does. `GET
//!   /_emulator/faults` lists what is armed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::Method;
use serde_json::{Value, json};

use crate::api::OPERATIONS;
use crate::auth::shared::Shared;
use crate::model::controls::Armed;
use crate::model::state::Clock;
use crate::web::Reply;

fn reply(status: u16, body: &Value) -> Reply {
    (
        status,
        vec![("Content-Type", "application/json".into())],
        body.to_string(),
    )
}

fn refused(message: &str) -> Reply {
    reply(400, &json!({"message": message}))
}

fn seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The body as a JSON object (an empty body is `{}`).
fn object(body: &[u8]) -> Result<Value, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(refused("the body is not a JSON object")),
    }
}

/// Answers a control path, or `None` for any other.
pub(crate) fn route(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Option<Reply> {
    let answer = match (path, method) {
        ("/_emulator/reset" | "/moto-api/reset", &Method::POST) => {
            shared.reset();
            Ok(reply(200, &json!({"status": "ok"})))
        }
        ("/_emulator/clock", &Method::GET) => Ok(now(shared)),
        ("/_emulator/clock", &Method::POST) => object(body).and_then(|b| clock(shared, &b)),
        ("/_emulator/faults", &Method::GET) => {
            let armed = shared
                .faults
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .armed();
            let armed: Vec<Value> = armed
                .into_iter()
                .map(|(op, armed, n)| match armed {
                    Armed::Error(kind) => json!({"operation": op, "error": kind, "count": n}),
                    Armed::TriggerTimeout => {
                        json!({"operation": op, "trigger": "timeout", "count": n})
                    }
                })
                .collect();
            Ok(reply(200, &json!({"faults": armed})))
        }
        ("/_emulator/faults", &Method::POST) => object(body).and_then(|b| faults(shared, &b)),
        ("/_emulator/reset" | "/moto-api/reset" | "/_emulator/clock" | "/_emulator/faults", _) => {
            Err(reply(405, &json!({"message": "method not allowed"})))
        }
        _ => return None,
    };
    Some(answer.unwrap_or_else(|r| r))
}

fn now(shared: &Shared) -> Reply {
    let now = seconds(shared.lock().now());
    reply(200, &json!({"now": now}))
}

fn clock(shared: &Shared, body: &Value) -> Result<Reply, Reply> {
    match (body.get("advance_seconds"), body.get("set")) {
        (Some(n), None) => {
            let n = n.as_u64().ok_or_else(|| {
                refused("advance_seconds must be a whole number of seconds, 0 or more")
            })?;
            let mut state = shared.lock();
            let by = Duration::from_secs(n);
            state.clock = match state.clock {
                Clock::System(offset) => Clock::System(offset + by),
                Clock::Fixed(t) => Clock::Fixed(t + by),
            };
        }
        (None, Some(at)) => {
            let at = at
                .as_u64()
                .ok_or_else(|| refused("set must be a time in whole Unix seconds"))?;
            shared.lock().clock = Clock::Fixed(UNIX_EPOCH + Duration::from_secs(at));
        }
        _ => {
            return Err(refused(
                "give either advance_seconds (seconds to move forward) or set (Unix seconds)",
            ));
        }
    }
    Ok(now(shared))
}

fn faults(shared: &Shared, body: &Value) -> Result<Reply, Reply> {
    let operation = body
        .get("operation")
        .and_then(Value::as_str)
        .ok_or_else(|| refused("operation is missing"))?;
    if !OPERATIONS.contains(&operation) {
        return Err(refused(&format!(
            "operation {operation:?} is not one the emulator answers"
        )));
    }
    let count = match body.get("count") {
        None => 1,
        Some(n) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| refused("count must be a whole number, 0 or more"))?,
    };
    if let Some(trigger) = body.get("trigger") {
        if trigger.as_str() != Some("timeout") || body.get("error").is_some() {
            return Err(refused(
                "trigger must be \"timeout\" (the operation's triggers time out), without error",
            ));
        }
        shared
            .faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .arm_trigger_timeout(operation, count);
        return Ok(reply(
            200,
            &json!({"operation": operation, "trigger": "timeout", "count": count}),
        ));
    }
    let error = body
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("TooManyRequestsException");
    shared
        .faults
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .arm(operation, error, count)
        .map_err(|why| refused(&why))?;
    Ok(reply(
        200,
        &json!({"operation": operation, "error": error, "count": count}),
    ))
}
