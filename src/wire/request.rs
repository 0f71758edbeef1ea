//! Every request names its operation and its answer: [`Request`]. A request can only be sent to
//! its own operation, and its answer is read as its own type.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::*;
use crate::secret::SecretString;

/// A request to one Cognito operation, with the type of its answer.
///
/// ```
/// use cognito_flows::wire::{GetUserRequest, AccessTokenRequest, Operation, Request};
///
/// fn operation<R: Request>(_: &R) -> Operation {
///     R::OPERATION
/// }
/// let request = GetUserRequest(AccessTokenRequest { access_token: "token".into() });
/// assert_eq!(operation(&request), Operation::GetUser);
/// ```
pub trait Request: Serialize {
    /// The operation this request calls.
    const OPERATION: Operation;
    /// Its answer on success.
    type Response: DeserializeOwned + Clone;
}

impl<R: Request> Request for Box<R> {
    const OPERATION: Operation = R::OPERATION;
    type Response = R::Response;
}

macro_rules! requests {
    ($($request:ty => $operation:ident -> $response:ty,)*) => {
        $(impl Request for $request {
            const OPERATION: Operation = Operation::$operation;
            type Response = $response;
        })*
    };
}

macro_rules! shared_shape {
    ($($(#[$doc:meta])* $name:ident($shape:ty);)*) => {
        $(
            $(#[$doc])*
            ///
            /// Serialized as the shape it wraps.
            #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
            #[serde(transparent)]
            pub struct $name(pub $shape);
        )*
    };
}

shared_shape! {
    /// `GetUser`'s request: the access token.
    GetUserRequest(AccessTokenRequest);
    /// `GlobalSignOut`'s request: the access token.
    GlobalSignOutRequest(AccessTokenRequest);
    /// `DeleteUser`'s request: the access token.
    DeleteUserRequest(AccessTokenRequest);
    /// `GetUserAuthFactors`'s request: the access token.
    GetUserAuthFactorsRequest(AccessTokenRequest);
    /// `StartWebAuthnRegistration`'s request: the access token.
    StartWebAuthnRegistrationRequest(AccessTokenRequest);
    /// `ResendConfirmationCode`'s request: the user.
    ResendConfirmationCodeRequest(UserRequest);
    /// `ForgotPassword`'s request: the user.
    ForgotPasswordRequest(UserRequest);
    /// `GetDevice`'s request: the device.
    GetDeviceRequest(DeviceRequest);
    /// `ForgetDevice`'s request: the device.
    ForgetDeviceRequest(DeviceRequest);
}

/// `GetUserAuthFactors`'s response: the user's sign-in factors and MFA settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAuthFactorsResponse {
    /// The user name.
    #[serde(default)]
    pub username: String,
    /// The preferred MFA method, e.g. `SOFTWARE_TOKEN_MFA`.
    pub preferred_mfa_setting: Option<String>,
    /// The MFA methods set up.
    #[serde(default, rename = "UserMFASettingList")]
    pub user_mfa_setting_list: Vec<String>,
    /// The first factors available, e.g. `PASSWORD`, `EMAIL_OTP`, `WEB_AUTHN`.
    #[serde(default)]
    pub configured_user_auth_factors: Vec<String>,
}

/// `StartWebAuthnRegistration`'s response.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct StartWebAuthnRegistrationResponse {
    /// The options to give the authenticator (`navigator.credentials.create`), untouched.
    #[serde(default)]
    pub credential_creation_options: serde_json::Value,
}

/// `CompleteWebAuthnRegistration`'s request: the authenticator's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteWebAuthnRegistrationRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The `PublicKeyCredential`, as JSON.
    pub credential: serde_json::Value,
}

/// `ListWebAuthnCredentials`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListWebAuthnCredentialsRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The most credentials per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
    /// The page to read, from the previous answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// A passkey of the user.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct WebAuthnCredentialDescription {
    /// Its id.
    #[serde(default)]
    pub credential_id: String,
    /// Its name.
    pub friendly_credential_name: Option<String>,
    /// The relying party, e.g. the app's domain.
    pub relying_party_id: Option<String>,
    /// `platform` or `cross-platform`.
    pub authenticator_attachment: Option<String>,
    /// e.g. `internal`, `usb`.
    #[serde(default)]
    pub authenticator_transports: Vec<String>,
    /// When it was registered, seconds since the epoch.
    pub created_at: Option<f64>,
}

/// `ListWebAuthnCredentials`'s response.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ListWebAuthnCredentialsResponse {
    /// This page's credentials.
    #[serde(default)]
    pub credentials: Vec<WebAuthnCredentialDescription>,
    /// The next page, if any.
    pub next_token: Option<String>,
}

/// `DeleteWebAuthnCredential`'s request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteWebAuthnCredentialRequest {
    /// The signed-in user's access token.
    pub access_token: SecretString,
    /// The credential to delete.
    pub credential_id: String,
}

requests! {
    InitiateAuthRequest => InitiateAuth -> InitiateAuthResponse,
    RespondToAuthChallengeRequest => RespondToAuthChallenge -> RespondToAuthChallengeResponse,
    SignUpRequest => SignUp -> SignUpResponse,
    ConfirmSignUpRequest => ConfirmSignUp -> ConfirmSignUpResponse,
    ResendConfirmationCodeRequest => ResendConfirmationCode -> CodeDeliveryResponse,
    ForgotPasswordRequest => ForgotPassword -> CodeDeliveryResponse,
    ConfirmForgotPasswordRequest => ConfirmForgotPassword -> Empty,
    ChangePasswordRequest => ChangePassword -> Empty,
    GetUserRequest => GetUser -> GetUserResponse,
    UpdateUserAttributesRequest => UpdateUserAttributes -> UpdateUserAttributesResponse,
    DeleteUserAttributesRequest => DeleteUserAttributes -> Empty,
    AttributeVerificationCodeRequest => GetUserAttributeVerificationCode -> CodeDeliveryResponse,
    VerifyUserAttributeRequest => VerifyUserAttribute -> Empty,
    SetUserMfaPreferenceRequest => SetUserMFAPreference -> Empty,
    SetUserSettingsRequest => SetUserSettings -> Empty,
    AssociateSoftwareTokenRequest => AssociateSoftwareToken -> AssociateSoftwareTokenResponse,
    VerifySoftwareTokenRequest => VerifySoftwareToken -> VerifySoftwareTokenResponse,
    GlobalSignOutRequest => GlobalSignOut -> Empty,
    RevokeTokenRequest => RevokeToken -> Empty,
    DeleteUserRequest => DeleteUser -> Empty,
    ConfirmDeviceRequest => ConfirmDevice -> ConfirmDeviceResponse,
    UpdateDeviceStatusRequest => UpdateDeviceStatus -> Empty,
    ListDevicesRequest => ListDevices -> ListDevicesResponse,
    GetDeviceRequest => GetDevice -> GetDeviceResponse,
    ForgetDeviceRequest => ForgetDevice -> Empty,
    GetUserAuthFactorsRequest => GetUserAuthFactors -> GetUserAuthFactorsResponse,
    StartWebAuthnRegistrationRequest => StartWebAuthnRegistration -> StartWebAuthnRegistrationResponse,
    CompleteWebAuthnRegistrationRequest => CompleteWebAuthnRegistration -> Empty,
    ListWebAuthnCredentialsRequest => ListWebAuthnCredentials -> ListWebAuthnCredentialsResponse,
    DeleteWebAuthnCredentialRequest => DeleteWebAuthnCredential -> Empty,
    GetTokensFromRefreshTokenRequest => GetTokensFromRefreshToken -> GetTokensFromRefreshTokenResponse,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation has exactly one request type (the list above names each once).
    #[test]
    fn every_operation_has_a_request_type() {
        let source = include_str!("request.rs");
        let start = source.find("requests! {").unwrap_or_default();
        let table = source.get(start..).unwrap_or_default();
        for operation in Operation::ALL {
            let arrow = format!("=> {} ->", operation.name());
            assert_eq!(table.matches(&arrow).count(), 1, "{operation}");
        }
    }
}
