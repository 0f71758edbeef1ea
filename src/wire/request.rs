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

    /// Sets, from `context`, the fields of the metadata trio this operation takes (Cognito's API
    /// reference): all three on the sign-up, password-reset and sign-in operations, only
    /// `ClientMetadata` on `UpdateUserAttributes` and `GetUserAttributeVerificationCode`, none
    /// on the others. A field `context` leaves `None` keeps the request's own.
    ///
    /// ```
    /// use cognito_flows::wire::{AccessTokenRequest, AnalyticsMetadata, Context, GetUserRequest};
    /// use cognito_flows::wire::{Request, UpdateUserAttributesRequest};
    ///
    /// let context = Context {
    ///     client_metadata: Some([("app".to_owned(), "web".to_owned())].into()),
    ///     analytics_metadata: Some(AnalyticsMetadata { analytics_endpoint_id: Some("e".into()) }),
    ///     ..Context::default()
    /// };
    /// let mut update = UpdateUserAttributesRequest {
    ///     access_token: "token".into(),
    ///     user_attributes: Vec::new(),
    ///     client_metadata: None,
    /// };
    /// update.apply_context(&context);
    /// // UpdateUserAttributes takes ClientMetadata, not AnalyticsMetadata:
    /// assert_eq!(update.client_metadata, context.client_metadata);
    /// assert!(!serde_json::to_string(&update)?.contains("Analytics"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    fn apply_context(&mut self, context: &Context) {
        let _ = context;
    }
}

impl<R: Request> Request for Box<R> {
    const OPERATION: Operation = R::OPERATION;
    type Response = R::Response;

    fn apply_context(&mut self, context: &Context) {
        R::apply_context(self, context);
    }
}

/// Sets the trio's fields that `from` has.
fn merge_trio(into: &mut Context, from: &Context) {
    if from.client_metadata.is_some() {
        into.client_metadata.clone_from(&from.client_metadata);
    }
    if from.analytics_metadata.is_some() {
        into.analytics_metadata.clone_from(&from.analytics_metadata);
    }
    if from.user_context_data.is_some() {
        into.user_context_data.clone_from(&from.user_context_data);
    }
}

/// Sets `ClientMetadata` when `from` has it.
fn merge_client_metadata(into: &mut Option<ClientMetadata>, from: &Context) {
    if from.client_metadata.is_some() {
        into.clone_from(&from.client_metadata);
    }
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

/// `UpdateAuthEventFeedback`'s request: the user's verdict on a sign-in that threat protection
/// flagged, from the links of its notification email. It needs no token: the feedback token in
/// the link authorizes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateAuthEventFeedbackRequest {
    /// The user pool id.
    pub user_pool_id: String,
    /// The user name.
    pub username: String,
    /// The event's id (`event_id` in the link).
    pub event_id: String,
    /// The feedback token of the link: a credential for this one answer.
    pub feedback_token: SecretString,
    /// The verdict.
    pub feedback_value: FeedbackValue,
}

/// The verdict on an authentication event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedbackValue {
    /// It was the user.
    Valid,
    /// It was not the user.
    Invalid,
}

/// The requests that take some of the metadata trio ([`Request::apply_context`]): `trio` for
/// the three, `client_metadata` for `ClientMetadata` alone; the field it goes into.
macro_rules! requests_with_context {
    ($($request:ty => $operation:ident -> $response:ty, $how:ident($($field:tt)+),)*) => {
        $(impl Request for $request {
            const OPERATION: Operation = Operation::$operation;
            type Response = $response;

            fn apply_context(&mut self, context: &Context) {
                requests_with_context!(@$how self.$($field)+, context);
            }
        })*
    };
    (@trio $place:expr, $context:ident) => { merge_trio(&mut $place, $context) };
    (@client_metadata $place:expr, $context:ident) => { merge_client_metadata(&mut $place, $context) };
}

requests_with_context! {
    InitiateAuthRequest => InitiateAuth -> InitiateAuthResponse, trio(context),
    RespondToAuthChallengeRequest => RespondToAuthChallenge -> RespondToAuthChallengeResponse, trio(context),
    SignUpRequest => SignUp -> SignUpResponse, trio(context),
    ConfirmSignUpRequest => ConfirmSignUp -> ConfirmSignUpResponse, trio(context),
    ResendConfirmationCodeRequest => ResendConfirmationCode -> CodeDeliveryResponse, trio(0.context),
    ForgotPasswordRequest => ForgotPassword -> CodeDeliveryResponse, trio(0.context),
    ConfirmForgotPasswordRequest => ConfirmForgotPassword -> Empty, trio(context),
    UpdateUserAttributesRequest => UpdateUserAttributes -> UpdateUserAttributesResponse, client_metadata(client_metadata),
    AttributeVerificationCodeRequest => GetUserAttributeVerificationCode -> CodeDeliveryResponse, client_metadata(client_metadata),
}

requests! {
    ChangePasswordRequest => ChangePassword -> Empty,
    GetUserRequest => GetUser -> GetUserResponse,
    DeleteUserAttributesRequest => DeleteUserAttributes -> Empty,
    UpdateAuthEventFeedbackRequest => UpdateAuthEventFeedback -> Empty,
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
        let start = source
            .find("requests_with_context! {\n")
            .unwrap_or_default();
        let table = source.get(start..).unwrap_or_default();
        for operation in Operation::ALL {
            let arrow = format!("=> {} ->", operation.name());
            assert_eq!(table.matches(&arrow).count(), 1, "{operation}");
        }
    }
}
