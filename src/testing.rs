//! Drive a flow against canned Cognito answers, for your own unit tests (and for the examples of
//! the [`guide`](crate::guide)). No network, no clock: the time is fixed.
//!
//! ```
//! use cognito_flows::testing::Canned;
//! use cognito_flows::flows::account;
//! use cognito_flows::UserPool;
//! use serde_json::json;
//!
//! let pool = UserPool::new("us-east-1_AbC123", "client")?;
//! let mut cognito = Canned::new([json!({"Username": "alice", "UserAttributes": []})]);
//! let user = cognito.run(account::get_user(&pool, "access-token"))?;
//! assert_eq!(user.username, "alice");
//! assert_eq!(cognito.requests()[0].target, "GetUser");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::error::{Error, Misuse};
use crate::flows::{Action, Flow, Input, Prompt};

/// A request the flow sent: the operation and the JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    /// The operation, e.g. `InitiateAuth`.
    pub target: String,
    /// The body.
    pub body: Value,
}

/// Canned answers, handed out in order; an answer with a `__type` is sent as HTTP 400.
#[derive(Debug)]
pub struct Canned {
    answers: VecDeque<Value>,
    sent: Vec<Sent>,
    /// The fixed clock: 2026-11-24T08:05:07Z.
    pub now: SystemTime,
}

impl Canned {
    /// Answers to give, in order.
    pub fn new(answers: impl IntoIterator<Item = Value>) -> Self {
        Self {
            answers: answers.into_iter().collect(),
            sent: Vec::new(),
            now: UNIX_EPOCH + Duration::from_secs(1_795_507_507),
        }
    }

    /// Every request sent so far.
    pub fn requests(&self) -> &[Sent] {
        &self.sent
    }

    /// Runs a flow that needs no answers from the user (a prompt is a misuse error).
    pub fn run<F: Flow>(&mut self, flow: F) -> Result<F::Output, Error> {
        self.drive(flow, |prompt| {
            Err(Misuse::InvalidInput(format!("unexpected prompt: {}", prompt.kind())).into())
        })
    }

    /// Runs a flow, answering its prompts with `answer`.
    pub fn run_with<F: Flow>(
        &mut self,
        flow: F,
        mut answer: impl FnMut(Prompt) -> Input,
    ) -> Result<F::Output, Error> {
        self.drive(flow, |prompt| Ok(answer(prompt)))
    }

    fn drive<F: Flow>(
        &mut self,
        mut flow: F,
        mut answer: impl FnMut(Prompt) -> Result<Input, Error>,
    ) -> Result<F::Output, Error> {
        loop {
            match flow.poll_action() {
                Action::Send(request) => {
                    let target = request
                        .headers()
                        .get(crate::call::X_AMZ_TARGET)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .trim_start_matches("AWSCognitoIdentityProviderService.")
                        .to_owned();
                    let body = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
                    self.sent.push(Sent { target, body });
                    let next = self.answers.pop_front().ok_or(Misuse::Finished)?;
                    let mut response =
                        http::Response::new(serde_json::to_vec(&next).unwrap_or_default());
                    if next.get("__type").is_some() {
                        *response.status_mut() = http::StatusCode::BAD_REQUEST;
                    }
                    let _ = flow.handle_response(self.now, response);
                }
                Action::Prompt(prompt) => flow.handle_input(answer(prompt)?)?,
                // The mock's clock moves on instead of sleeping.
                Action::Wait(delay) => self.now += delay,
                Action::Done(out) => return Ok(out),
                Action::Failed(error) => return Err(error),
            }
        }
    }
}

/// An unsigned JWT with these claims (the core decodes tokens; it does not verify them).
pub fn jwt(claims: &Value) -> String {
    format!(
        "{}.{}.sig",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// A successful `AuthenticationResult` for `username`, valid for an hour from the fixed clock.
pub fn tokens(username: &str) -> Value {
    let iat = 1_795_507_507u64;
    let claims = json!({"sub": "5b1c", "username": username, "cognito:username": username, "iat": iat, "exp": iat + 3600});
    json!({"AuthenticationResult": {
        "AccessToken": jwt(&claims), "IdToken": jwt(&claims), "RefreshToken": "refresh",
        "ExpiresIn": 3600, "TokenType": "Bearer",
    }})
}

/// A `PASSWORD_VERIFIER` challenge (any valid SRP values: the client does not check them).
pub fn password_verifier(username: &str) -> Value {
    json!({"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {
        "SALT": "a3c5ef1f", "SRP_B": "4f0e8c7a1b2d3e4f5a6b", "SECRET_BLOCK": "c2VjcmV0",
        "USERNAME": username, "USER_ID_FOR_SRP": username,
    }})
}
