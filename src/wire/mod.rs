//! Cognito's JSON 1.1 wire format: one typed request and response per operation, in PascalCase,
//! and the `X-Amz-Target` table.
//!
//! These are the bytes on the wire and nothing more; the flows in [`crate::flows`] decide what to
//! send. They are public for users who call an operation this crate has no flow for.

mod account;
mod auth;
mod device;
mod mfa;
mod refresh;
mod request;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use self::account::*;
pub use self::auth::{
    AuthenticationResult, InitiateAuthRequest, InitiateAuthResponse, NewDeviceMetadata,
    RespondToAuthChallengeRequest, RespondToAuthChallengeResponse,
};
pub use self::device::{
    ConfirmDeviceRequest, ConfirmDeviceResponse, DeviceSecretVerifierConfig,
    UpdateDeviceStatusRequest,
};
pub use self::mfa::{
    AssociateSoftwareTokenRequest, AssociateSoftwareTokenResponse, VerifySoftwareTokenRequest,
    VerifySoftwareTokenResponse,
};
pub use self::refresh::{GetTokensFromRefreshTokenRequest, GetTokensFromRefreshTokenResponse};
pub use self::request::*;

/// `X-Amz-Target`'s service prefix.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService";

/// The media type of every request and response body.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

macro_rules! operations {
    ($($(#[$doc:meta])* $variant:ident,)*) => {
        /// A Cognito user pools operation that a client (not an administrator) calls.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Operation {
            $($(#[$doc])* $variant,)*
        }

        impl Operation {
            /// The operation's name, e.g. `"InitiateAuth"`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant),)*
                }
            }

            /// The `X-Amz-Target` header value, e.g.
            /// `"AWSCognitoIdentityProviderService.InitiateAuth"`.
            pub const fn target(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!("AWSCognitoIdentityProviderService.", stringify!($variant)),)*
                }
            }

            /// Every operation, in declaration order.
            pub const ALL: &'static [Operation] = &[$(Self::$variant,)*];

            /// The operation named by an `X-Amz-Target` header value (or a bare name).
            pub fn from_target(target: &str) -> Option<Self> {
                let name = target.strip_prefix("AWSCognitoIdentityProviderService.").unwrap_or(target);
                Self::ALL.iter().copied().find(|op| op.name() == name)
            }
        }
    };
}

operations! {
    /// Starts a sign-in (SRP, password, custom, refresh, choice-based).
    InitiateAuth,
    /// Answers a sign-in challenge.
    RespondToAuthChallenge,
    /// Registers a user.
    SignUp,
    /// Confirms a registration with the code sent to the user.
    ConfirmSignUp,
    /// Sends the registration code again.
    ResendConfirmationCode,
    /// Starts a password reset.
    ForgotPassword,
    /// Completes a password reset with the code.
    ConfirmForgotPassword,
    /// Changes the signed-in user's password.
    ChangePassword,
    /// Reads the signed-in user.
    GetUser,
    /// Updates the signed-in user's attributes.
    UpdateUserAttributes,
    /// Deletes attributes of the signed-in user.
    DeleteUserAttributes,
    /// Sends a code to verify an attribute.
    GetUserAttributeVerificationCode,
    /// Verifies an attribute with its code.
    VerifyUserAttribute,
    /// Sets the user's MFA preferences.
    SetUserMFAPreference,
    /// Sets the user's (legacy SMS) MFA options.
    SetUserSettings,
    /// Starts TOTP setup.
    AssociateSoftwareToken,
    /// Completes TOTP setup with a code.
    VerifySoftwareToken,
    /// Signs the user out everywhere.
    GlobalSignOut,
    /// Revokes a refresh token.
    RevokeToken,
    /// Deletes the signed-in user.
    DeleteUser,
    /// Registers the device the user signed in on.
    ConfirmDevice,
    /// Remembers or forgets a device.
    UpdateDeviceStatus,
    /// Lists the user's devices.
    ListDevices,
    /// Reads a device.
    GetDevice,
    /// Forgets a device.
    ForgetDevice,
    /// Lists the user's sign-in factors.
    GetUserAuthFactors,
    /// Starts WebAuthn credential registration.
    StartWebAuthnRegistration,
    /// Completes WebAuthn credential registration.
    CompleteWebAuthnRegistration,
    /// Lists WebAuthn credentials.
    ListWebAuthnCredentials,
    /// Deletes a WebAuthn credential.
    DeleteWebAuthnCredential,
    /// New tokens from a refresh token, and a new refresh token when the client rotates them.
    GetTokensFromRefreshToken,
    /// Tells threat protection whether a flagged sign-in was the user's.
    UpdateAuthEventFeedback,
}

impl Operation {
    /// The operation a request calls, from its `X-Amz-Target` header (`None` for a request to
    /// another endpoint, e.g. the hosted UI's).
    ///
    /// ```
    /// use cognito_flows::wire::Operation;
    /// use cognito_flows::{Entropy, Flow, SignIn, UserPool, Action};
    ///
    /// let pool = UserPool::new("us-east-1_AbC123", "client")?;
    /// let flow = SignIn::user_srp(&pool, "alice", "pw", Entropy::from([1; 32]));
    /// let Action::Send(request) = flow.poll_action() else { unreachable!() };
    /// assert_eq!(Operation::of(&request), Some(Operation::InitiateAuth));
    /// # Ok::<(), cognito_flows::PoolError>(())
    /// ```
    pub fn of<B>(request: &http::Request<B>) -> Option<Self> {
        request
            .headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .and_then(Self::from_target)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a request goes: a Cognito operation, or one of the hosted UI's OAuth endpoints, or the
/// pool's JWKS. Errors, retries and snapshots name requests by it.
///
/// ```
/// use cognito_flows::wire::{Endpoint, Operation};
///
/// let mut request = http::Request::new(Vec::<u8>::new());
/// *request.uri_mut() = "https://example.auth.us-east-1.amazoncognito.com/oauth2/token".parse()?;
/// assert_eq!(Endpoint::of(&request), Some(Endpoint::OAuthToken));
/// assert_eq!(Endpoint::from(Operation::InitiateAuth).to_string(), "InitiateAuth");
/// # Ok::<(), http::uri::InvalidUri>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Endpoint {
    /// A Cognito user pools operation (`X-Amz-Target`).
    Cognito(Operation),
    /// The hosted UI's `/oauth2/token`: code exchange and refresh.
    OAuthToken,
    /// The hosted UI's `/oauth2/revoke`.
    OAuthRevoke,
    /// The hosted UI's `/oauth2/userInfo`.
    UserInfo,
    /// The pool's `/.well-known/jwks.json`.
    Jwks,
}

impl Endpoint {
    /// The endpoint a request goes to, from its `X-Amz-Target` or its path.
    pub fn of<B>(request: &http::Request<B>) -> Option<Self> {
        if let Some(operation) = Operation::of(request) {
            return Some(Self::Cognito(operation));
        }
        match request.uri().path() {
            "/oauth2/token" => Some(Self::OAuthToken),
            "/oauth2/revoke" => Some(Self::OAuthRevoke),
            "/oauth2/userInfo" => Some(Self::UserInfo),
            path if path.ends_with("/.well-known/jwks.json") => Some(Self::Jwks),
            _ => None,
        }
    }

    /// A short name: the operation's, or `OAuth token`, `OAuth revoke`, `userInfo`, `JWKS`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Cognito(operation) => operation.name(),
            Self::OAuthToken => "OAuth token",
            Self::OAuthRevoke => "OAuth revoke",
            Self::UserInfo => "userInfo",
            Self::Jwks => "JWKS",
        }
    }
}

impl From<Operation> for Endpoint {
    fn from(operation: Operation) -> Self {
        Self::Cognito(operation)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `AuthParameters` or `ChallengeResponses`: names to secret values (passwords, refresh tokens,
/// codes, SRP claims), zeroized on drop and redacted by `Debug`.
pub type Parameters = BTreeMap<String, crate::secret::SecretString>;

/// Free-form key-value pairs passed to the pool's Lambda triggers.
pub type ClientMetadata = BTreeMap<String, String>;

/// What the sign-in and sign-up requests carry besides their own fields, for the pool's Lambda
/// triggers, analytics and threat protection; flattened into each request (absent fields are
/// not written). Set it once per flow or call: [`SignInBuilder::with_context`](crate::flows::sign_in::SignInBuilder::with_context),
/// [`ForgotPassword::with_context`](crate::ForgotPassword::with_context),
/// `Call::with_context` ([`account::Call`](crate::flows::account::Call)); each request then carries
/// the fields its operation takes ([`Request::apply_context`]).
///
/// # Not secret, but personal
///
/// None of it is a credential: Cognito and your triggers only read it, and nothing here can sign
/// anyone in, so it is not a secret type (not zeroized, printed by `Debug`). It may still be
/// personal data (an IP address, a device fingerprint, whatever your app puts in
/// `ClientMetadata`): do not log it where you would not log the user's address, and never put a
/// secret in `ClientMetadata` (Cognito passes it to Lambda triggers, which may log it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Context {
    /// Passed to Lambda triggers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<ClientMetadata>,
    /// Pinpoint analytics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadata>,
    /// Threat protection data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextData>,
}

/// Amazon Pinpoint analytics metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AnalyticsMetadata {
    /// The endpoint id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytics_endpoint_id: Option<String>,
}

/// Contextual data for threat protection (advanced security): the user's IP address and the
/// fingerprint that AWS's `amazon-cognito-advanced-security-data.js` computes in the browser
/// (pass its output through untouched).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserContextData {
    /// The encoded fingerprint collected by Cognito's JS snippet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_data: Option<String>,
    /// The user's IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
}

/// Where a code was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    /// The masked destination, e.g. `+*******1234` or `a***@e***.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// `SMS` or `EMAIL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_medium: Option<String>,
    /// The attribute the code verifies, e.g. `email`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

/// A user attribute: a name and a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    /// The attribute's name, e.g. `email` or `custom:team`.
    pub name: String,
    /// Its value.
    #[serde(default)]
    pub value: String,
}

impl AttributeType {
    /// An attribute.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// The error body of every failed call: `{"__type": "...", "message": "..."}` (some services
/// write `Message`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorBody {
    /// The exception name, maybe with a `prefix#`.
    #[serde(rename = "__type")]
    pub error_type: Option<String>,
    /// The message.
    #[serde(alias = "Message")]
    pub message: Option<String>,
}
