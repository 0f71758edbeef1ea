//! The account operations: sign-up, password reset, attributes, MFA settings, sign-out, devices.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{AttributeType, ClientMetadata, CodeDeliveryDetails, Context};
use crate::secret::SecretString;

/// An empty answer (`{}`), for operations that return nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub struct Empty {}

/// `SignUp`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpRequest {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH` when the client has a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<SecretString>,
    /// The user name (or email / phone when the pool uses them as user names).
    pub username: String,
    /// The password.
    pub password: SecretString,
    /// Attributes, e.g. `email`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_attributes: Vec<AttributeType>,
    /// Passed to the pre sign-up trigger, not stored.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub validation_data: Vec<AttributeType>,
    /// `ClientMetadata`, `AnalyticsMetadata`, `UserContextData`, flattened into the request.
    #[serde(flatten)]
    pub context: Context,
}

/// `SignUp`'s response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpResponse {
    /// The new user's `sub`.
    #[serde(default)]
    pub user_sub: String,
    /// Whether the user is already confirmed (a pre sign-up trigger may confirm them).
    #[serde(default)]
    pub user_confirmed: bool,
    /// Where the confirmation code went.
    pub code_delivery_details: Option<CodeDeliveryDetails>,
    /// A session for signing in right after confirming (choice-based sign-in pools).
    pub session: Option<SecretString>,
}

/// `ConfirmSignUp`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpRequest {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH` when the client has a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<SecretString>,
    /// The user name.
    pub username: String,
    /// The code sent to the user.
    pub confirmation_code: SecretString,
    /// Move an alias (email, phone) from another user to this one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub force_alias_creation: bool,
    /// The session from SignUp, when there is one: the answer then carries a session that signs
    /// the user in without the password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
    /// `ClientMetadata`, `AnalyticsMetadata`, `UserContextData`, flattened into the request.
    #[serde(flatten)]
    pub context: Context,
}

/// `ConfirmSignUp`'s response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpResponse {
    /// A session to sign in with, without the password (choice-based sign-in pools).
    pub session: Option<SecretString>,
}

/// A request that names a user (and carries the metadata trio): `ResendConfirmationCode`,
/// `ForgotPassword`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserRequest {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH` when the client has a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<SecretString>,
    /// The user name.
    pub username: String,
    /// `ClientMetadata`, `AnalyticsMetadata`, `UserContextData`, flattened into the request.
    #[serde(flatten)]
    pub context: Context,
}

/// A response that says where a code went.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryResponse {
    /// Where the code went.
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}

/// `ConfirmForgotPassword`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPasswordRequest {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH` when the client has a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<SecretString>,
    /// The user name.
    pub username: String,
    /// The code sent to the user.
    pub confirmation_code: SecretString,
    /// The new password.
    pub password: SecretString,
    /// `ClientMetadata`, `AnalyticsMetadata`, `UserContextData`, flattened into the request.
    #[serde(flatten)]
    pub context: Context,
}

/// `ChangePassword`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangePasswordRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The current password.
    pub previous_password: SecretString,
    /// The new password.
    pub proposed_password: SecretString,
}

/// A request carrying only the access token: `GetUser`, `GlobalSignOut`, `DeleteUser`,
/// `AssociateSoftwareToken`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessTokenRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
}

/// An MFA option of the legacy `SetUserSettings` (SMS only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaOption {
    /// `SMS`.
    pub delivery_medium: String,
    /// `phone_number`.
    pub attribute_name: String,
}

/// `GetUser`'s response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserResponse {
    /// The name Cognito knows the user by.
    #[serde(default)]
    pub username: String,
    /// The attributes.
    #[serde(default)]
    pub user_attributes: Vec<AttributeType>,
    /// The legacy SMS MFA settings.
    #[serde(default, rename = "MFAOptions")]
    pub mfa_options: Vec<MfaOption>,
    /// The preferred MFA method, e.g. `SOFTWARE_TOKEN_MFA`.
    pub preferred_mfa_setting: Option<String>,
    /// The MFA methods the user has enabled.
    #[serde(default, rename = "UserMFASettingList")]
    pub user_mfa_setting_list: Vec<String>,
}

impl GetUserResponse {
    /// An attribute's value.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.user_attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }

    /// The attributes as a map.
    pub fn attributes(&self) -> BTreeMap<&str, &str> {
        self.user_attributes
            .iter()
            .map(|a| (a.name.as_str(), a.value.as_str()))
            .collect()
    }
}

/// `UpdateUserAttributes`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The attributes to set.
    pub user_attributes: Vec<AttributeType>,
    /// Passed to Lambda triggers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<ClientMetadata>,
}

/// `UpdateUserAttributes`'s response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesResponse {
    /// Where verification codes went, for changed attributes that need verifying.
    #[serde(default)]
    pub code_delivery_details_list: Vec<CodeDeliveryDetails>,
}

/// `DeleteUserAttributes`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserAttributesRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The names of the attributes to delete.
    pub user_attribute_names: Vec<String>,
}

/// `GetUserAttributeVerificationCode`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeVerificationCodeRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The attribute to verify, e.g. `email`.
    pub attribute_name: String,
    /// Passed to Lambda triggers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<ClientMetadata>,
}

/// `VerifyUserAttribute`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyUserAttributeRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The attribute verified.
    pub attribute_name: String,
    /// The code sent to it.
    pub code: SecretString,
}

/// One MFA method's settings in `SetUserMFAPreference`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSettings {
    /// Whether the method is enabled.
    pub enabled: bool,
    /// Whether it is the preferred one.
    pub preferred_mfa: bool,
}

/// `SetUserMFAPreference`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserMfaPreferenceRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// SMS.
    #[serde(rename = "SMSMfaSettings", skip_serializing_if = "Option::is_none")]
    pub sms_mfa_settings: Option<MfaSettings>,
    /// TOTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_settings: Option<MfaSettings>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_mfa_settings: Option<MfaSettings>,
}

/// `SetUserSettings`'s request (legacy SMS MFA: the JS SDK's `enableMFA` / `disableMFA`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserSettingsRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The options; empty disables SMS MFA.
    #[serde(rename = "MFAOptions")]
    pub mfa_options: Vec<MfaOption>,
}

/// `RevokeToken`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeTokenRequest {
    /// The refresh token to revoke.
    pub token: SecretString,
    /// The app client id.
    pub client_id: String,
    /// The client secret, when the client has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretString>,
}

/// A device, as `ListDevices` and `GetDevice` describe it.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceType {
    /// The device's key.
    #[serde(default)]
    pub device_key: String,
    /// Its attributes (`device_name`, `device_status`, `last_ip_used`, ...).
    #[serde(default)]
    pub device_attributes: Vec<AttributeType>,
    /// Creation time, seconds since the epoch.
    pub device_create_date: Option<f64>,
    /// Last modification time.
    pub device_last_modified_date: Option<f64>,
    /// Last authentication time.
    pub device_last_authenticated_date: Option<f64>,
}

impl DeviceType {
    /// An attribute's value, e.g. `device_name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.device_attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }
}

/// `ListDevices`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevicesRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The most devices per page (Cognito allows up to 60).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The page to read, from the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}

/// `ListDevices`'s response.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevicesResponse {
    /// This page's devices.
    #[serde(default)]
    pub devices: Vec<DeviceType>,
    /// The next page, if any.
    pub pagination_token: Option<String>,
}

/// A request about one device: `GetDevice`, `ForgetDevice`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The device.
    pub device_key: String,
}

/// `GetDevice`'s response.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct GetDeviceResponse {
    /// The device.
    #[serde(default)]
    pub device: DeviceType,
}
