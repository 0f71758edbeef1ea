//! Sending Cognito's JSON 1.1 protocol requests to moto.

use std::fmt;

use serde_json::Value;

use crate::Moto;

/// The `X-Amz-Target` prefix of every Cognito user pools operation.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// The request content type of Cognito's JSON 1.1 protocol. moto needs it:
/// with `application/json` or no `Content-Type` it answers HTTP 500.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// A SigV4-shaped `Authorization` header with dummy values. moto does not
/// check signatures; it would only read the region (`us-east-1`) and the
/// access key (`test`, which maps to moto's default account 123456789012).
pub const DUMMY_AUTHORIZATION: &str = "AWS4-HMAC-SHA256 \
    Credential=test/20260101/us-east-1/cognito-idp/aws4_request, \
    SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
    Signature=0000000000000000000000000000000000000000000000000000000000000000";

/// Operations that real clients send *without* SigV4 (they are public or
/// authorized by a token or a session). Everything else is an IAM-signed
/// administrative operation.
pub const UNSIGNED_OPERATIONS: &[&str] = &[
    "AssociateSoftwareToken",
    "ChangePassword",
    "CompleteWebAuthnRegistration",
    "ConfirmDevice",
    "ConfirmForgotPassword",
    "ConfirmSignUp",
    "DeleteUser",
    "DeleteUserAttributes",
    "DeleteWebAuthnCredential",
    "ForgetDevice",
    "ForgotPassword",
    "GetDevice",
    "GetTokensFromRefreshToken",
    "GetUser",
    "GetUserAttributeVerificationCode",
    "GetUserAuthFactors",
    "GlobalSignOut",
    "InitiateAuth",
    "ListDevices",
    "ListWebAuthnCredentials",
    "ResendConfirmationCode",
    "RespondToAuthChallenge",
    "RevokeToken",
    "SetUserMFAPreference",
    "SetUserSettings",
    "SignUp",
    "StartWebAuthnRegistration",
    "UpdateAuthEventFeedback",
    "UpdateDeviceStatus",
    "UpdateUserAttributes",
    "VerifySoftwareToken",
    "VerifyUserAttribute",
];

/// Whether a request carries the dummy SigV4 `Authorization` header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Signing {
    /// As a real client would: signed unless the operation is in
    /// [`UNSIGNED_OPERATIONS`].
    #[default]
    Auto,
    /// Always send [`DUMMY_AUTHORIZATION`] (and `X-Amz-Date`).
    Dummy,
    /// Never send an `Authorization` header.
    None,
}

impl Signing {
    fn signs(self, operation: &str) -> bool {
        match self {
            Signing::Auto => !UNSIGNED_OPERATIONS.contains(&operation),
            Signing::Dummy => true,
            Signing::None => false,
        }
    }
}

/// One HTTP response from moto, as received.
#[derive(Clone, Debug)]
pub struct RawResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The response headers, names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The response body as text.
    pub body: String,
}

impl RawResponse {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(&self.body)
    }
}

/// A moto answer that is not a 2xx JSON document: Cognito's error
/// responses (`{"__type": "NotAuthorizedException", "message": "..."}` with
/// HTTP 400) and anything else unexpected. Keeps the status and raw body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MotoError {
    /// The Cognito operation that failed, e.g. `InitiateAuth`.
    pub operation: String,
    /// The HTTP status code.
    pub status: u16,
    /// The raw response body.
    pub body: String,
}

impl MotoError {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The error type, from the body's `__type` (moto sends the bare name,
    /// e.g. `NotAuthorizedException`, without a `namespace#` prefix).
    pub fn error_type(&self) -> Option<String> {
        self.string_field("__type")
    }

    /// The error message, from the body's `message` (moto's casing) or
    /// `Message`.
    pub fn message(&self) -> Option<String> {
        self.string_field("message")
            .or_else(|| self.string_field("Message"))
    }

    fn string_field(&self, key: &str) -> Option<String> {
        self.json()?.get(key)?.as_str().map(str::to_owned)
    }
}

impl fmt::Display for MotoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: HTTP {}: {}",
            self.operation, self.status, self.body
        )
    }
}

impl std::error::Error for MotoError {}

impl Moto {
    /// Calls a Cognito operation and returns the JSON result of a 2xx
    /// answer, or the status and body of any other answer.
    ///
    /// Sends `POST /` with `Content-Type: application/x-amz-json-1.1` and
    /// `X-Amz-Target: AWSCognitoIdentityProviderService.{operation}`, plus
    /// the dummy SigV4 header for administrative operations (see
    /// [`Signing::Auto`]). Panics if moto cannot be reached at all.
    pub fn call(&self, operation: &str, body: Value) -> Result<Value, MotoError> {
        self.call_with(operation, body, Signing::Auto)
    }

    /// [`Moto::call`] with an explicit choice about the `Authorization`
    /// header.
    pub fn call_with(
        &self,
        operation: &str,
        body: Value,
        signing: Signing,
    ) -> Result<Value, MotoError> {
        let raw = self.call_raw_with(operation, body, signing);
        let error = |raw: RawResponse| MotoError {
            operation: operation.to_owned(),
            status: raw.status,
            body: raw.body,
        };
        if !(200..300).contains(&raw.status) {
            return Err(error(raw));
        }
        match raw.json() {
            Ok(value) => Ok(value),
            Err(_) => Err(error(raw)),
        }
    }

    /// Calls a Cognito operation and returns the raw answer, headers
    /// included (e.g. `x-moto-forgot-password-confirmation-code` after
    /// `ForgotPassword`). Signs like [`Moto::call`]. Panics if moto cannot
    /// be reached at all.
    pub fn call_raw(&self, operation: &str, body: Value) -> RawResponse {
        self.call_raw_with(operation, body, Signing::Auto)
    }

    /// [`Moto::call_raw`] with an explicit choice about the `Authorization`
    /// header.
    pub fn call_raw_with(&self, operation: &str, body: Value, signing: Signing) -> RawResponse {
        let target = format!("{TARGET_PREFIX}{operation}");
        let mut headers = vec![("Content-Type", CONTENT_TYPE), ("X-Amz-Target", &target)];
        if signing.signs(operation) {
            headers.push(("Authorization", DUMMY_AUTHORIZATION));
            headers.push(("X-Amz-Date", "20260101T000000Z"));
        }
        self.post_raw(&headers, &body.to_string())
    }

    /// Sends `POST /` with exactly these headers (plus ureq's `Host`,
    /// `User-Agent`, `Accept` and `Content-Length`) and body. For probing
    /// how moto routes requests. Panics if moto cannot be reached at all.
    pub fn post_raw(&self, headers: &[(&str, &str)], body: &str) -> RawResponse {
        let mut request = self.agent.post(self.endpoint());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut response = match request.send(body.as_bytes()) {
            Ok(response) => response,
            Err(e) => panic!(
                "moto on {} did not answer ({e}); log {}:\n{}",
                self.endpoint(),
                self.log_path.display(),
                self.log_tail()
            ),
        };
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = match response.body_mut().read_to_string() {
            Ok(body) => body,
            Err(e) => panic!(
                "cannot read moto's answer (HTTP {status}) from {}: {e}",
                self.endpoint()
            ),
        };
        RawResponse {
            status,
            headers,
            body,
        }
    }
}
