//! GetTokensFromRefreshToken: new tokens from a refresh token, and a new refresh token when the
//! app client rotates them.

use serde::{Deserialize, Serialize};

use super::{AuthenticationResult, ClientMetadata};
use crate::secret::SecretString;

/// `GetTokensFromRefreshToken`'s request. Unlike `InitiateAuth`'s `REFRESH_TOKEN_AUTH`, it takes
/// the client secret itself (not a `SECRET_HASH`), and it is the only refresh an app client with
/// refresh token rotation accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenRequest {
    /// The refresh token. When the client rotates them, Cognito invalidates it after the answer
    /// (and after the client's retry grace period).
    pub refresh_token: SecretString,
    /// The app client id.
    pub client_id: String,
    /// The app client's secret, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretString>,
    /// The remembered device's key: without it, a pool that remembers devices issues a new one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    /// Passed to the pool's Lambda triggers (pre token generation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<ClientMetadata>,
}

/// `GetTokensFromRefreshToken`'s response: the new tokens, with a new `RefreshToken` when the app
/// client rotates them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenResponse {
    /// The tokens.
    pub authentication_result: Option<AuthenticationResult>,
}
