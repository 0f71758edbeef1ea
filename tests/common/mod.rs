//! Shared test support: canonical request text for snapshots, canned Cognito answers, a fixed
//! clock, and a `Scenario` that fast-forwards a flow to any state.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod live;
pub mod srp_server;

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_flows::{Action, Flow, Prompt};
use serde_json::{Value, json};

/// The fixed clock of the tests: Tue Nov 24 08:05:07 UTC 2026.
pub const NOW_SECS: u64 = 1_795_507_507;

pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

/// A request as canonical text: method, URI, sorted headers, pretty JSON body.
pub fn canonical(request: &http::Request<Vec<u8>>) -> String {
    let mut out = format!("{} {}\n", request.method(), request.uri());
    let mut headers: Vec<_> = request
        .headers()
        .iter()
        .map(|(k, v)| format!("{}: {}", k.as_str(), v.to_str().unwrap_or("<binary>")))
        .collect();
    headers.sort();
    for h in headers {
        writeln!(out, "{h}").unwrap();
    }
    out.push('\n');
    match serde_json::from_slice::<Value>(request.body()) {
        Ok(v) => out.push_str(&serde_json::to_string_pretty(&v).unwrap()),
        Err(_) => out.push_str(&String::from_utf8_lossy(request.body())),
    }
    out.push('\n');
    out
}

/// The JSON body of a request.
pub fn body(request: &http::Request<Vec<u8>>) -> Value {
    serde_json::from_slice(request.body()).unwrap()
}

/// A 200 answer with this JSON.
pub fn ok(json: Value) -> http::Response<Vec<u8>> {
    http::Response::new(serde_json::to_vec(&json).unwrap())
}

/// A Cognito error answer.
pub fn error(status: u16, kind: &str, message: &str) -> http::Response<Vec<u8>> {
    let mut r = http::Response::new(
        serde_json::to_vec(&json!({"__type": kind, "message": message})).unwrap(),
    );
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r
}

/// A raw answer.
pub fn raw(status: u16, body: &[u8]) -> http::Response<Vec<u8>> {
    let mut r = http::Response::new(body.to_vec());
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r
}

/// An unsigned JWT with these claims (the core decodes, it does not verify).
pub fn jwt(claims: Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"test"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    format!("{header}.{payload}.c2ln")
}

/// A successful AuthenticationResult for `username`, issued at the fixed clock.
pub fn tokens_answer(username: &str, with_refresh: bool) -> Value {
    let iat = NOW_SECS;
    let access = jwt(json!({
        "sub": "5b1c0e4e-0000-4000-8000-000000000001", "token_use": "access",
        "username": username, "client_id": "client", "iat": iat, "exp": iat + 3600,
    }));
    let id = jwt(json!({
        "sub": "5b1c0e4e-0000-4000-8000-000000000001", "token_use": "id",
        "cognito:username": username, "aud": "client", "iat": iat, "exp": iat + 3600,
    }));
    let mut result = json!({
        "AccessToken": access, "IdToken": id, "ExpiresIn": 3600, "TokenType": "Bearer",
    });
    if with_refresh {
        result["RefreshToken"] = json!("refresh-token-opaque");
    }
    json!({ "AuthenticationResult": result, "ChallengeParameters": {} })
}

/// The PASSWORD_VERIFIER challenge Cognito sends after USER_SRP_AUTH.
pub fn password_verifier_challenge(username: &str, user_id: &str) -> Value {
    json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": "a3c5ef1f2a9e3d6b8c7d0e1f2a3b4c5d",
            "SECRET_BLOCK": "c2VjcmV0LWJsb2NrLWZyb20tY29nbml0bw==",
            "SRP_B": "4f0e8c7a1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f",
            "USERNAME": username,
            "USER_ID_FOR_SRP": user_id,
        },
    })
}

/// Drives a flow through a script of answers, recording a transcript: each action, each
/// request as canonical text, each answer.
pub struct Scenario<F: Flow> {
    pub flow: F,
    pub transcript: String,
}

impl<F: Flow> Scenario<F>
where
    F::Output: std::fmt::Debug,
{
    pub fn new(flow: F) -> Self {
        Self {
            flow,
            transcript: String::new(),
        }
    }

    /// Expects a request, records it, answers it. Returns the request's JSON body.
    pub fn respond(&mut self, response: http::Response<Vec<u8>>) -> Value {
        let Action::Send(request) = self.flow.poll_action() else {
            panic!("expected a request, got {:?}", self.flow.poll_action());
        };
        write!(self.transcript, "--> {}", canonical(&request)).unwrap();
        writeln!(
            self.transcript,
            "<-- {} {}\n",
            response.status(),
            String::from_utf8_lossy(response.body())
        )
        .unwrap();
        let sent = body(&request);
        let result = self.flow.handle_response(now(), response);
        if let Err(e) = &result {
            writeln!(self.transcript, "!!! {e}\n").unwrap();
        }
        sent
    }

    /// Expects a prompt, records it, answers it.
    pub fn answer(&mut self, input: cognito_flows::Input) -> Prompt {
        let Action::Prompt(prompt) = self.flow.poll_action() else {
            panic!("expected a prompt, got {:?}", self.flow.poll_action());
        };
        writeln!(self.transcript, "??? {prompt:?}\n>>> {input:?}\n").unwrap();
        let result = self.flow.handle_input(input);
        if let Err(e) = &result {
            writeln!(self.transcript, "!!! {e}\n").unwrap();
        }
        prompt
    }

    /// The current prompt (the flow must be waiting for one).
    pub fn prompt(&self) -> Prompt {
        match self.flow.poll_action() {
            Action::Prompt(p) => p,
            other => panic!("expected a prompt, got {other:?}"),
        }
    }

    /// The outcome (the flow must be done).
    pub fn done(&mut self) -> F::Output {
        match self.flow.poll_action() {
            Action::Done(out) => {
                writeln!(self.transcript, "=== done").unwrap();
                out
            }
            other => panic!("expected done, got {other:?}"),
        }
    }

    /// The error the flow failed with (it must have failed).
    pub fn failed(&mut self) -> cognito_flows::Error {
        match self.flow.poll_action() {
            Action::Failed(e) => {
                writeln!(self.transcript, "=== failed: {e}").unwrap();
                e
            }
            other => panic!("expected failed, got {other:?}"),
        }
    }
}
