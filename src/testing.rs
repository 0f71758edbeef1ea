//! Test support, behind the `testing` feature: drive a flow against canned Cognito answers
//! ([`Canned`], for your own unit tests and the [`guide`](crate::guide)'s examples), canned
//! tokens and challenges ([`tokens_answer`], [`password_verifier_challenge`], [`jwt`]), a fixed
//! RSA test key with its JWKS, signed tokens and a loaded verifier (`test_key`, `jwks`,
//! `signed_jwt`, `verifier`: these need the `testing` feature itself, for its `rsa`), the
//! canonical text the request snapshots pin ([`canonical`]), and a [`Scenario`] that records a
//! transcript and can start a sign-in at any stage ([`Scenario::sign_in_at`]). The crate's own
//! tests use this module (tests/common re-exports it). No network, no clock: the time is fixed.
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
use crate::flows::{Action, Flow, Input, Prompt, SignIn};
use crate::pool::UserPool;

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
            now: now(),
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
                        http::Response::new(serde_json::to_vec(&sorted(&next)).unwrap_or_default());
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

/// The fixed clock of the tests, seconds since the epoch: Tue Nov 24 08:05:07 UTC 2026.
pub const NOW_SECS: u64 = 1_795_507_507;

/// The fixed clock of the tests.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

/// A request as canonical text, as the request snapshots pin it: method, URI, sorted headers,
/// pretty JSON body (or the body as text).
pub fn canonical(request: &http::Request<Vec<u8>>) -> String {
    let mut out = format!("{} {}\n", request.method(), request.uri());
    let mut headers: Vec<_> = request
        .headers()
        .iter()
        .map(|(k, v)| format!("{}: {}", k.as_str(), v.to_str().unwrap_or("<binary>")))
        .collect();
    headers.sort();
    for h in headers {
        out.push_str(&h);
        out.push('\n');
    }
    out.push('\n');
    match serde_json::from_slice::<Value>(request.body()) {
        Ok(v) => out.push_str(&serde_json::to_string_pretty(&sorted(&v)).unwrap_or_default()),
        Err(_) => out.push_str(&String::from_utf8_lossy(request.body())),
    }
    out.push('\n');
    out
}

/// The JSON body of a request (`null` if it is not JSON).
pub fn body(request: &http::Request<Vec<u8>>) -> Value {
    serde_json::from_slice(request.body()).unwrap_or(Value::Null)
}

/// A 200 answer with this JSON.
pub fn ok(json: Value) -> http::Response<Vec<u8>> {
    http::Response::new(serde_json::to_vec(&sorted(&json)).unwrap_or_default())
}

/// `value` with the keys of every object in order, as the snapshots print them, whichever way
/// `serde_json` orders maps: another crate in the same build may turn on its `preserve_order`
/// feature (1Password's `passkey-types` does), and the bytes the tests pin must not move with it.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// A Cognito error answer: `{"__type": kind, "message": message}` with this status.
pub fn error(status: u16, kind: &str, message: &str) -> http::Response<Vec<u8>> {
    raw(
        status,
        &serde_json::to_vec(&json!({"__type": kind, "message": message})).unwrap_or_default(),
    )
}

/// A raw answer.
pub fn raw(status: u16, body: &[u8]) -> http::Response<Vec<u8>> {
    let mut r = http::Response::new(body.to_vec());
    if let Ok(status) = http::StatusCode::from_u16(status) {
        *r.status_mut() = status;
    }
    r
}

/// An unsigned JWT with these claims (the core decodes tokens; it does not verify them).
pub fn jwt(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"test"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&sorted(claims)).unwrap_or_default());
    format!("{header}.{payload}.c2ln")
}

/// The issuer of the verifier fixture's pool (`us-east-1_AbC123`).
pub const TEST_ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123";

#[cfg(feature = "testing")]
/// One of the two fixed RSA test keys (`n` is 1 or 2; any other `n` gives key 2). Public test
/// fixtures: never use them outside tests.
pub fn test_key(n: u8) -> rsa::PrivateKey {
    use rsa::pkcs8::DecodePrivateKey as _;
    let pem = if n == 1 {
        include_str!("../tests/fixtures/verify-key-1.pem")
    } else {
        include_str!("../tests/fixtures/verify-key-2.pem")
    };
    #[allow(clippy::expect_used, reason = "a fixed, valid key compiled in")]
    rsa::PrivateKey::from_pkcs8_pem(pem).expect("the test key parses")
}

#[cfg(feature = "testing")]
/// A JWKS answer (`/.well-known/jwks.json`) publishing these keys under these `kid`s.
pub fn jwks(keys: &[(&str, &rsa::PrivateKey)]) -> http::Response<Vec<u8>> {
    use rsa::traits::PublicKeyParts as _;
    let keys: Vec<Value> = keys
        .iter()
        .map(|(kid, key)| {
            let public = key.to_public_key();
            json!({"kid": kid, "kty": "RSA", "alg": "RS256", "use": "sig",
                   "n": URL_SAFE_NO_PAD.encode(public.n_bytes()),
                   "e": URL_SAFE_NO_PAD.encode(public.e_bytes())})
        })
        .collect();
    ok(json!({ "keys": keys }))
}

#[cfg(feature = "testing")]
/// A JWT with this header and these claims, signed RS256 by `key` (whatever `alg` the header
/// names, so tests can forge).
pub fn sign_jwt(key: &rsa::PrivateKey, header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(sorted(header).to_string()),
        URL_SAFE_NO_PAD.encode(sorted(claims).to_string())
    );
    let signature = key
        .pkcs1v15_sign::<rsa::sha2::Sha256>(input.as_bytes())
        .unwrap_or_default();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[cfg(feature = "testing")]
/// A JWT with these claims, signed by test key 1 as `kid` `k1`: what [`verifier`] accepts.
pub fn signed_jwt(claims: &Value) -> String {
    sign_jwt(&test_key(1), &json!({"alg": "RS256", "kid": "k1"}), claims)
}

#[cfg(feature = "testing")]
/// A [`Verifier`](crate::Verifier) for pool `us-east-1_AbC123` ([`TEST_ISSUER`]), its JWKS
/// (test key 1 as `k1`) loaded an hour before the fixed clock.
///
/// ```
/// use cognito_flows::testing::{TEST_ISSUER, now, signed_jwt, verifier};
/// use cognito_flows::verify::{Verification, VerifyOptions};
/// use serde_json::json;
///
/// let v = verifier(VerifyOptions::access_tokens(["client-1"]));
/// let secs = cognito_flows::testing::NOW_SECS;
/// let token = signed_jwt(&json!({"iss": TEST_ISSUER, "token_use": "access", "client_id": "client-1",
///     "sub": "u", "iat": secs, "exp": secs + 3600}));
/// assert!(matches!(v.verify(&token, now()), Verification::Valid(_)));
/// ```
pub fn verifier(options: crate::verify::VerifyOptions) -> crate::Verifier {
    let verifier = crate::Verifier::with_issuer(TEST_ISSUER, options);
    // A JWKS of a fixed, valid key: it always loads.
    let at = now() - Duration::from_secs(3600);
    for fetch in verifier.hydrate(at) {
        let _ = verifier.handle_jwks_response(at, &fetch, jwks(&[("k1", &test_key(1))]));
    }
    verifier
}

/// A successful `AuthenticationResult` for `username`, issued at the fixed clock, valid for an
/// hour; with a refresh token when `with_refresh`.
pub fn tokens_answer(username: &str, with_refresh: bool) -> Value {
    let iat = NOW_SECS;
    let access = jwt(&json!({
        "sub": "5b1c0e4e-0000-4000-8000-000000000001", "token_use": "access",
        "username": username, "client_id": "client", "iat": iat, "exp": iat + 3600,
    }));
    let id = jwt(&json!({
        "sub": "5b1c0e4e-0000-4000-8000-000000000001", "token_use": "id",
        "cognito:username": username, "aud": "client", "iat": iat, "exp": iat + 3600,
    }));
    let mut result = serde_json::Map::new();
    result.insert("AccessToken".into(), json!(access));
    result.insert("IdToken".into(), json!(id));
    result.insert("ExpiresIn".into(), json!(3600));
    result.insert("TokenType".into(), json!("Bearer"));
    if with_refresh {
        result.insert("RefreshToken".into(), json!("refresh-token-opaque"));
    }
    json!({ "AuthenticationResult": result, "ChallengeParameters": {} })
}

/// [`tokens_answer`] with a refresh token.
pub fn tokens(username: &str) -> Value {
    tokens_answer(username, true)
}

/// The `PASSWORD_VERIFIER` challenge Cognito sends after `USER_SRP_AUTH` (any valid SRP values:
/// the client does not check them).
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

/// [`password_verifier_challenge`] for a user whose SRP id is their name.
pub fn password_verifier(username: &str) -> Value {
    password_verifier_challenge(username, username)
}

/// Drives a flow through a script of answers, recording a transcript: each request as
/// canonical text, each answer, each prompt and input, each error.
///
/// [`Scenario::sign_in_at`] starts a sign-in at any stage, for a test about that stage:
///
/// ```
/// use cognito_flows::testing::{Scenario, Stage, tokens};
/// use cognito_flows::{Input, Prompt, UserPool};
///
/// let pool = UserPool::new("us-east-1_AbC123", "client")?;
/// let mut s = Scenario::sign_in_at(&pool, "alice", Stage::SmsMfaCode);
/// assert!(matches!(s.prompt(), Prompt::SmsMfaCode { .. }));
/// s.answer(Input::code("123456"));
/// s.respond(cognito_flows::testing::ok(tokens("alice")));
/// assert_eq!(s.done().username, "alice");
/// # Ok::<(), cognito_flows::PoolError>(())
/// ```
pub struct Scenario<F: Flow> {
    /// The flow.
    pub flow: F,
    /// What happened so far.
    pub transcript: String,
}

/// A stage a sign-in can be started at by [`Scenario::sign_in_at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Waiting for the SMS MFA code.
    SmsMfaCode,
    /// Waiting for the authenticator app's code.
    TotpCode,
    /// Waiting for the emailed code.
    EmailOtpCode,
    /// Waiting for the choice of an MFA method.
    SelectMfa,
    /// Waiting for a new password (`NEW_PASSWORD_REQUIRED`).
    NewPassword,
    /// Waiting for the custom challenge's answer.
    CustomChallenge,
    /// Waiting for the app's code while setting up TOTP (after AssociateSoftwareToken).
    TotpSetup,
    /// Waiting for whether to remember the new device (after ConfirmDevice).
    RememberDevice,
    /// Waiting for Cognito's answer to the SRP claim (after `PASSWORD_VERIFIER`).
    PasswordVerifierAnswer,
}

impl Scenario<SignIn> {
    /// A sign-in of `username` (SRP, password `Passw0rd!`, fixed entropy), driven with canned
    /// answers until it waits at `stage`.
    pub fn sign_in_at(pool: &UserPool, username: &str, stage: Stage) -> Self {
        let entropy = crate::Entropy::from([7; 32]);
        let mut s = Self::new(SignIn::user_srp(pool, username, "Passw0rd!", entropy));
        s.respond(ok(password_verifier(username)));
        let challenge = |name: &str, parameters: Value| json!({"ChallengeName": name, "Session": "session", "ChallengeParameters": parameters});
        let answer = match stage {
            Stage::PasswordVerifierAnswer => return s,
            Stage::SmsMfaCode => challenge(
                "SMS_MFA",
                json!({"CODE_DELIVERY_DESTINATION": "+*******1234", "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS"}),
            ),
            Stage::TotpCode => challenge("SOFTWARE_TOKEN_MFA", json!({})),
            Stage::EmailOtpCode => challenge(
                "EMAIL_OTP",
                json!({"CODE_DELIVERY_DESTINATION": "a***@e***.com", "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"}),
            ),
            Stage::SelectMfa => challenge(
                "SELECT_MFA_TYPE",
                json!({"MFAS_CAN_CHOOSE": "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]"}),
            ),
            Stage::NewPassword => challenge(
                "NEW_PASSWORD_REQUIRED",
                json!({"userAttributes": "{}", "requiredAttributes": "[]"}),
            ),
            Stage::CustomChallenge => challenge("CUSTOM_CHALLENGE", json!({"question": "2+2"})),
            Stage::TotpSetup => {
                s.respond(ok(challenge(
                    "MFA_SETUP",
                    json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"}),
                )));
                json!({"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "session"})
            }
            Stage::RememberDevice => {
                let mut tokens = tokens(username);
                if let Some(result) = tokens
                    .get_mut("AuthenticationResult")
                    .and_then(Value::as_object_mut)
                {
                    let device =
                        json!({"DeviceKey": "us-east-1_device", "DeviceGroupKey": "-group"});
                    result.insert("NewDeviceMetadata".into(), device);
                }
                s.respond(ok(tokens));
                json!({"UserConfirmationNecessary": true})
            }
        };
        s.respond(ok(answer));
        s
    }
}

impl<F: Flow> Scenario<F>
where
    F::Output: std::fmt::Debug,
{
    /// A scenario from the flow's start.
    pub fn new(flow: F) -> Self {
        Self {
            flow,
            transcript: String::new(),
        }
    }

    /// Expects a request, records it, answers it. Returns the request's JSON body.
    ///
    /// # Panics
    /// If the flow does not wait for a response (a test support's way to fail).
    #[allow(clippy::panic, reason = "test support: a wrong script fails the test")]
    pub fn respond(&mut self, response: http::Response<Vec<u8>>) -> Value {
        let Action::Send(request) = self.flow.poll_action() else {
            panic!("expected a request, got {:?}", self.flow.poll_action());
        };
        self.transcript.push_str("--> ");
        self.transcript.push_str(&canonical(&request));
        self.transcript.push_str(&format!(
            "<-- {} {}\n\n",
            response.status(),
            String::from_utf8_lossy(response.body())
        ));
        let sent = body(&request);
        if let Err(e) = self.flow.handle_response(now(), response) {
            self.transcript.push_str(&format!("!!! {e}\n\n"));
        }
        sent
    }

    /// Expects a prompt, records it, answers it.
    ///
    /// # Panics
    /// If the flow does not wait for an input.
    #[allow(clippy::panic, reason = "test support: a wrong script fails the test")]
    pub fn answer(&mut self, input: Input) -> Prompt {
        let Action::Prompt(prompt) = self.flow.poll_action() else {
            panic!("expected a prompt, got {:?}", self.flow.poll_action());
        };
        self.transcript
            .push_str(&format!("??? {prompt:?}\n>>> {input:?}\n\n"));
        if let Err(e) = self.flow.handle_input(input) {
            self.transcript.push_str(&format!("!!! {e}\n\n"));
        }
        prompt
    }

    /// The current prompt (the flow must be waiting for one).
    ///
    /// # Panics
    /// If it is not.
    #[allow(clippy::panic, reason = "test support: a wrong script fails the test")]
    pub fn prompt(&self) -> Prompt {
        match self.flow.poll_action() {
            Action::Prompt(p) => p,
            other => panic!("expected a prompt, got {other:?}"),
        }
    }

    /// The outcome (the flow must be done).
    ///
    /// # Panics
    /// If it is not.
    #[allow(clippy::panic, reason = "test support: a wrong script fails the test")]
    pub fn done(&mut self) -> F::Output {
        match self.flow.poll_action() {
            Action::Done(out) => {
                self.transcript.push_str("=== done\n");
                out
            }
            other => panic!("expected done, got {other:?}"),
        }
    }

    /// The error the flow failed with (it must have failed).
    ///
    /// # Panics
    /// If it has not.
    #[allow(clippy::panic, reason = "test support: a wrong script fails the test")]
    pub fn failed(&mut self) -> Error {
        match self.flow.poll_action() {
            Action::Failed(e) => {
                self.transcript.push_str(&format!("=== failed: {e}\n"));
                e
            }
            other => panic!("expected failed, got {other:?}"),
        }
    }
}
