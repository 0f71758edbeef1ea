//! Devices: ConfirmDevice and UpdateDeviceStatus.

use serde::{Deserialize, Serialize};

use crate::secret::SecretString;

/// The device's SRP verifier, as ConfirmDevice takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceSecretVerifierConfig {
    /// base64 of `pad(g^x)`.
    pub password_verifier: String,
    /// base64 of `pad(salt)`.
    pub salt: String,
}

/// `ConfirmDevice`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The device's key, from NewDeviceMetadata.
    pub device_key: String,
    /// The verifier.
    pub device_secret_verifier_config: DeviceSecretVerifierConfig,
    /// A name for the device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

/// `ConfirmDevice`'s response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceResponse {
    /// Whether the user must choose to remember the device (pools with "user opt-in").
    #[serde(default)]
    pub user_confirmation_necessary: bool,
}

/// `UpdateDeviceStatus`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDeviceStatusRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The device.
    pub device_key: String,
    /// `remembered` or `not_remembered`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_remembered_status: Option<String>,
}
