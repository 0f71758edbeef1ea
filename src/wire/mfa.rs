//! TOTP setup: AssociateSoftwareToken and VerifySoftwareToken (with a sign-in `Session` or an
//! access token).

use serde::{Deserialize, Serialize};

use crate::secret::SecretString;

/// `AssociateSoftwareToken`'s request: exactly one of the two is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenRequest {
    /// A signed-in user's access token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretString>,
    /// The `MFA_SETUP` challenge's session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
}

/// `AssociateSoftwareToken`'s response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenResponse {
    /// The TOTP secret, base32.
    pub secret_code: Option<SecretString>,
    /// The session to continue with.
    pub session: Option<SecretString>,
}

/// `VerifySoftwareToken`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenRequest {
    /// A signed-in user's access token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretString>,
    /// The session from AssociateSoftwareToken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
    /// The current TOTP code.
    pub user_code: SecretString,
    /// A name for the authenticator, shown to the user later.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_device_name: Option<String>,
}

/// `VerifySoftwareToken`'s response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenResponse {
    /// `SUCCESS` or `ERROR`.
    pub status: Option<String>,
    /// The session to answer `MFA_SETUP` with.
    pub session: Option<SecretString>,
}
