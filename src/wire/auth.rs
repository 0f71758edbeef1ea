//! InitiateAuth and RespondToAuthChallenge.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Context, Parameters};
use crate::secret::SecretString;

/// `InitiateAuth`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthRequest {
    /// `USER_SRP_AUTH`, `USER_PASSWORD_AUTH`, `REFRESH_TOKEN_AUTH`, `CUSTOM_AUTH`, `USER_AUTH`.
    pub auth_flow: String,
    /// The flow's parameters (`USERNAME`, `SRP_A`, `PASSWORD`, `SECRET_HASH`, `DEVICE_KEY`, ...).
    /// Every value is a secret (passwords, refresh tokens): zeroized on drop, `Debug` redacts it.
    pub auth_parameters: Parameters,
    /// The app client id.
    pub client_id: String,
    /// `ClientMetadata`, `AnalyticsMetadata`, `UserContextData`, flattened into the request.
    #[serde(flatten)]
    pub context: Context,
    /// A session from ConfirmSignUp, to sign in without the password (`USER_AUTH`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
}

/// `InitiateAuth`'s response: a challenge or tokens.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthResponse {
    /// The next challenge, if any.
    pub challenge_name: Option<String>,
    /// The session to send back with the answer.
    pub session: Option<SecretString>,
    /// The challenge's parameters.
    pub challenge_parameters: Option<BTreeMap<String, String>>,
    /// The tokens, when no challenge remains.
    pub authentication_result: Option<AuthenticationResult>,
    /// For `USER_AUTH`: the challenges the user may pick from.
    pub available_challenges: Option<Vec<String>>,
}

/// `RespondToAuthChallenge`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondToAuthChallengeRequest {
    /// The challenge answered.
    pub challenge_name: String,
    /// The answers (`USERNAME`, `SECRET_HASH`, and the challenge's own: codes, new passwords,
    /// SRP claims). Every value is a secret: zeroized on drop, `Debug` redacts it.
    pub challenge_responses: Parameters,
    /// The app client id.
    pub client_id: String,
    /// The session from the challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
    /// `ClientMetadata`, `AnalyticsMetadata`, `UserContextData`, flattened into the request.
    #[serde(flatten)]
    pub context: Context,
}

/// `RespondToAuthChallenge`'s response has the shape of `InitiateAuth`'s.
pub type RespondToAuthChallengeResponse = InitiateAuthResponse;

/// The tokens of a successful sign-in or refresh.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResult {
    /// The access token (JWT).
    pub access_token: Option<SecretString>,
    /// Seconds until the access token expires.
    pub expires_in: Option<i64>,
    /// The id token (JWT).
    pub id_token: Option<SecretString>,
    /// The refresh token (opaque); absent on refresh.
    pub refresh_token: Option<SecretString>,
    /// `Bearer`.
    pub token_type: Option<String>,
    /// A new device to confirm, when the pool tracks devices.
    pub new_device_metadata: Option<NewDeviceMetadata>,
}

/// A device Cognito just created for this sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewDeviceMetadata {
    /// The device's key, e.g. `us-east-1_0d7e...`.
    pub device_key: String,
    /// The device group's key: the realm of device SRP.
    pub device_group_key: String,
}
