//! Single-call operations (sign-up, attributes, MFA settings, sign-out, devices, ...) under the
//! same contract as every flow: one request ([`Action::Send`](crate::Action::Send)), one typed outcome
//! ([`Action::Done`](crate::Action::Done)) or error ([`Action::Failed`](crate::Action::Failed)). One state machine, [`Call`], serves them all;
//! each operation is a constructor.
//!
//! ```text
//!  constructor ──▶ Sending ──response──▶ Done(T)
//!                                  └───▶ Failed(error)
//! ```
//!
//! The JS SDK's `CognitoUser` methods map here: `getUserAttributes`/`getUserData` to
//! [`get_user`], `updateAttributes` to [`update_user_attributes`], `deleteAttributes` to
//! [`delete_user_attributes`], `getAttributeVerificationCode` / `verifyAttribute` to
//! [`get_user_attribute_verification_code`] / [`verify_user_attribute`], `changePassword` to
//! [`change_password`], `enableMFA` / `disableMFA` to [`set_user_settings`],
//! `setUserMfaPreference` to [`set_user_mfa_preference`], `associateSoftwareToken` /
//! `verifySoftwareToken` to [`associate_software_token`] / [`verify_software_token`],
//! `globalSignOut` to [`global_sign_out`], `deleteUser` to [`delete_user`], `listDevices`,
//! `getDevice`, `forgetDevice`, `setDeviceStatusRemembered` to the device calls;
//! `CognitoUserPool.signUp` to [`sign_up`], `confirmRegistration` to [`confirm_sign_up`],
//! `resendConfirmationCode` to [`resend_confirmation_code`]. Amplify's passkey calls map to
//! [`start_web_authn_registration`] then [`complete_web_authn_registration`]
//! (`associateWebAuthnCredential`), [`list_web_authn_credentials`] (one page; [`Pages`] follows
//! them), [`delete_web_authn_credential`], and [`get_user_auth_factors`]; signing in with a
//! passkey is [`SignIn::user_auth`](crate::SignIn::user_auth) with
//! [`FirstFactor::WebAuthn`](crate::FirstFactor::WebAuthn). The adapters' `Client` has them all,
//! with a runnable example (`cognito-flows-ureq`'s "Passkeys").
//!
//! ```
//! use cognito_flows::flows::account;
//! use cognito_flows::{Action, Flow, UserPool};
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let mut call = account::resend_confirmation_code(&pool, "alice");
//! let Action::Send(request) = call.poll_action() else { unreachable!() };
//! assert_eq!(request.headers()["x-amz-target"], "AWSCognitoIdentityProviderService.ResendConfirmationCode");
//! let answer = br#"{"CodeDeliveryDetails":{"Destination":"a***@e***.com","DeliveryMedium":"EMAIL","AttributeName":"email"}}"#;
//! call.handle_response(std::time::SystemTime::UNIX_EPOCH, http::Response::new(answer.to_vec()))?;
//! let Action::Done(sent) = call.poll_action() else { unreachable!() };
//! assert_eq!(sent.code_delivery_details.unwrap().delivery_medium.as_deref(), Some("EMAIL"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::call;
use crate::entropy::Entropy;
use crate::error::Error;
use crate::flows::machine::{Exchange, OneCall};
use crate::pool::UserPool;
use crate::secret::{Password, SecretString};
use crate::tokens::Jwt;
use crate::wire::*;

/// A token that authorizes account calls: a decoded [`Jwt`], a [`SecretString`] or a `&str`.
pub trait AccessToken {
    /// The token as sent.
    fn token(&self) -> &str;
}

impl AccessToken for Jwt {
    fn token(&self) -> &str {
        self.expose()
    }
}

impl AccessToken for SecretString {
    fn token(&self) -> &str {
        self.expose()
    }
}

impl AccessToken for str {
    fn token(&self) -> &str {
        self
    }
}

impl AccessToken for String {
    fn token(&self) -> &str {
        self
    }
}

fn bearer(token: &(impl AccessToken + ?Sized)) -> SecretString {
    SecretString::new(token.token())
}

/// One Cognito operation as a flow: the one call machine, sending a Cognito request. See the
/// [module docs](self).
pub type Call<T> = OneCall<Cognito<T>, T>;

/// Nominally `pub` because [`Call`] names it; unreachable outside the crate.
#[allow(unnameable_types, reason = "sealed: the module is private")]
mod exchange {
    use std::marker::PhantomData;

    use crate::pool::UserPool;
    use crate::wire::Operation;

    /// A Cognito operation's request, and its answer read as `T`.
    pub struct Cognito<T> {
        pub(super) pool: UserPool,
        pub(super) operation: Operation,
        /// The typed request (its secrets are secret types, zeroized on drop), kept until sent
        /// so that [`Call::with_context`](super::Call::with_context) can still set its metadata.
        pub(super) body: Box<dyn super::Body>,
        pub(super) response: PhantomData<fn() -> T>,
    }
}
use exchange::Cognito;

/// A typed request whose type the call forgets: its bytes, and its metadata to set.
pub(crate) trait Body: Send + Sync {
    /// The JSON body, zeroized on drop.
    fn bytes(&self) -> Zeroizing<Vec<u8>>;
    /// [`Request::apply_context`].
    fn apply(&mut self, context: &Context);
}

impl<R: Request + Send + Sync> Body for R {
    fn bytes(&self) -> Zeroizing<Vec<u8>> {
        // Serializing the wire types (strings, numbers, maps keyed by strings) cannot fail.
        Zeroizing::new(serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec()))
    }

    fn apply(&mut self, context: &Context) {
        self.apply_context(context);
    }
}

impl<T> fmt::Debug for Cognito<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cognito")
            .field("operation", &self.operation)
            .field(
                "body",
                &format_args!("[{} bytes redacted]", self.body.bytes().len()),
            )
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Clone> Exchange for Cognito<T> {
    type Output = T;

    fn request(&self) -> http::Request<Vec<u8>> {
        call::post(&self.pool, self.operation, self.body.bytes().to_vec())
    }

    fn repeatable(&self) -> bool {
        crate::retry::is_repeatable(self.operation)
    }

    fn read(&self, _now: SystemTime, response: http::Response<Vec<u8>>) -> Result<T, Error> {
        call::parse::<T>(self.operation, response).map(|parsed| parsed.value)
    }
}

impl<T: DeserializeOwned + Clone> Call<T> {
    /// A call of `request`'s own operation, for operations this module has no constructor for.
    pub fn new<R>(pool: &UserPool, request: &R) -> Self
    where
        R: Request<Response = T> + Clone + Send + Sync + 'static,
    {
        OneCall::start(Cognito {
            pool: pool.clone(),
            operation: R::OPERATION,
            body: Box::new(request.clone()),
            response: std::marker::PhantomData,
        })
    }

    /// The operation.
    pub fn operation(&self) -> Operation {
        self.exchange.operation
    }

    /// Sends the metadata trio ([`Context`](crate::wire::Context)) with this call: the fields
    /// its operation takes ([`Request::apply_context`](crate::wire::Request::apply_context)), so
    /// one context can go with every call of a user's session. A field the context leaves `None`
    /// keeps the call's own (e.g. [`NewUser::client_metadata`](crate::flows::account::NewUser::client_metadata)).
    ///
    /// ```
    /// use cognito_flows::flows::account;
    /// use cognito_flows::wire::{Context, UserContextData};
    /// use cognito_flows::{Action, Flow, UserPool};
    ///
    /// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
    /// let context = Context {
    ///     client_metadata: Some([("app".to_owned(), "web".to_owned())].into()),
    ///     user_context_data: Some(UserContextData {
    ///         ip_address: Some("192.0.2.1".into()),
    ///         encoded_data: None,
    ///     }),
    ///     ..Context::default()
    /// };
    /// let call = account::resend_confirmation_code(&pool, "alice").with_context(&context);
    /// let Action::Send(request) = call.poll_action() else { unreachable!() };
    /// let body: serde_json::Value = serde_json::from_slice(request.body())?;
    /// assert_eq!(body["ClientMetadata"]["app"], "web");
    /// assert_eq!(body["UserContextData"]["IpAddress"], "192.0.2.1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_context(mut self, context: &Context) -> Self {
        self.exchange.body.apply(context);
        self
    }
}

/// What a new user signs up with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The user name (or email / phone, in pools that use them as user names).
    pub username: String,
    /// The password.
    pub password: Password,
    /// Attributes, e.g. `email`, `name`, `custom:team`.
    pub attributes: Vec<AttributeType>,
    /// Validation data for the pre sign-up trigger (not stored).
    pub validation_data: Vec<AttributeType>,
    /// Passed to Lambda triggers.
    pub client_metadata: Option<ClientMetadata>,
}

impl NewUser {
    /// A user with a name and a password, and no attributes yet.
    pub fn new(username: impl Into<String>, password: impl Into<Password>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            attributes: Vec::new(),
            validation_data: Vec::new(),
            client_metadata: None,
        }
    }

    /// Adds an attribute.
    #[must_use]
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push(AttributeType::new(name, value));
        self
    }
}

/// `SignUp`: registers a user (use case 1).
pub fn sign_up(pool: &UserPool, user: &NewUser) -> Call<SignUpResponse> {
    Call::new(
        pool,
        &SignUpRequest {
            client_id: pool.client_id().into(),
            secret_hash: pool.secret_hash(&user.username),
            username: user.username.clone(),
            password: SecretString::new(user.password.expose()),
            user_attributes: user.attributes.clone(),
            validation_data: user.validation_data.clone(),
            context: Context {
                client_metadata: user.client_metadata.clone(),
                ..Context::default()
            },
        },
    )
}

/// `ConfirmSignUp`: confirms a registration with the code sent to the user (use case 2). To
/// sign the user in afterwards without the password, send the `SignUp` answer's session with
/// [`confirm_registration`] instead.
pub fn confirm_sign_up(
    pool: &UserPool,
    username: &str,
    code: &str,
    force_alias_creation: bool,
) -> Call<ConfirmSignUpResponse> {
    let mut confirmation = Confirmation::new(username, code);
    confirmation.force_alias_creation = force_alias_creation;
    confirm_registration(pool, &confirmation)
}

/// What `ConfirmSignUp` sends: the JS SDK's `confirmRegistration(code, forceAliasCreation)`,
/// plus the session that signs the user in right after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The user name.
    pub username: String,
    /// The code sent to the user.
    pub code: SecretString,
    /// Move the alias (email, phone) to this user when another user has it.
    pub force_alias_creation: bool,
    /// `SignUp`'s session: the answer then carries the session of
    /// [`sign_in_after_confirmation`].
    pub session: Option<SecretString>,
}

impl Confirmation {
    /// A confirmation of `username` with `code`, no session, no alias moved.
    pub fn new(username: impl Into<String>, code: &str) -> Self {
        Self {
            username: username.into(),
            code: SecretString::new(code.trim()),
            force_alias_creation: false,
            session: None,
        }
    }

    /// A confirmation that carries `signed_up`'s session (when Cognito gave one), so that the
    /// user can be signed in without the password once confirmed.
    ///
    /// ```
    /// use cognito_flows::flows::account::{self, Confirmation, NewUser};
    /// use cognito_flows::wire::SignUpResponse;
    /// use cognito_flows::{Action, Entropy, Flow, UserPool};
    ///
    /// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
    /// let signed_up: SignUpResponse = serde_json::from_str(r#"{"UserSub":"s","UserConfirmed":false,"Session":"from-sign-up"}"#)?;
    /// let call = account::confirm_registration(&pool, &Confirmation::after(&signed_up, "alice", "123456"));
    /// let Action::Send(request) = call.poll_action() else { unreachable!() };
    /// assert!(String::from_utf8(request.body().clone())?.contains(r#""Session":"from-sign-up""#));
    /// // Its answer's session signs alice in (USER_AUTH), without the password:
    /// let confirmed = serde_json::from_str(r#"{"Session":"from-confirm"}"#)?;
    /// let sign_in = account::sign_in_after_confirmation(&pool, "alice", &confirmed, Entropy::from([1; 32]));
    /// assert!(sign_in.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn after(signed_up: &SignUpResponse, username: impl Into<String>, code: &str) -> Self {
        Self {
            session: signed_up.session.clone(),
            ..Self::new(username, code)
        }
    }

    /// Moves the alias to this user when another user has it (`ForceAliasCreation`).
    #[must_use]
    pub fn force_alias_creation(mut self) -> Self {
        self.force_alias_creation = true;
        self
    }
}

/// `ConfirmSignUp` with every parameter: the code, `ForceAliasCreation`, and `SignUp`'s session
/// (see [`Confirmation::after`]).
pub fn confirm_registration(
    pool: &UserPool,
    confirmation: &Confirmation,
) -> Call<ConfirmSignUpResponse> {
    let username = confirmation.username.as_str();
    Call::new(
        pool,
        &ConfirmSignUpRequest {
            client_id: pool.client_id().into(),
            secret_hash: pool.secret_hash(username),
            username: username.into(),
            confirmation_code: confirmation.code.clone(),
            force_alias_creation: confirmation.force_alias_creation,
            session: confirmation.session.clone(),
            context: Context::default(),
        },
    )
}

/// The sign-in that follows a confirmation whose answer carried a `Session`.
pub fn sign_in_after_confirmation(
    pool: &UserPool,
    username: &str,
    confirmed: &ConfirmSignUpResponse,
    entropy: Entropy,
) -> Option<crate::SignIn> {
    let session = confirmed.session.clone()?;
    Some(crate::SignIn::after_sign_up(
        pool, username, session, entropy,
    ))
}

/// `ResendConfirmationCode` (use case 3).
pub fn resend_confirmation_code(pool: &UserPool, username: &str) -> Call<CodeDeliveryResponse> {
    Call::new(
        pool,
        &ResendConfirmationCodeRequest(user_request(pool, username)),
    )
}

pub(crate) fn user_request(pool: &UserPool, username: &str) -> UserRequest {
    UserRequest {
        client_id: pool.client_id().into(),
        secret_hash: pool.secret_hash(username),
        username: username.into(),
        context: Context::default(),
    }
}

/// `ChangePassword` (use case 11).
pub fn change_password(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    previous: &Password,
    proposed: &Password,
) -> Call<Empty> {
    Call::new(
        pool,
        &ChangePasswordRequest {
            access_token: bearer(access_token),
            previous_password: SecretString::new(previous.expose()),
            proposed_password: SecretString::new(proposed.expose()),
        },
    )
}

/// `GetUser`: attributes and MFA settings (use cases 5 and 22).
pub fn get_user(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
) -> Call<GetUserResponse> {
    Call::new(
        pool,
        &GetUserRequest(AccessTokenRequest {
            access_token: bearer(access_token),
        }),
    )
}

/// `UpdateUserAttributes` (use case 8); the answer lists the codes sent for attributes that
/// need verifying.
pub fn update_user_attributes(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    attributes: Vec<AttributeType>,
) -> Call<UpdateUserAttributesResponse> {
    Call::new(
        pool,
        &UpdateUserAttributesRequest {
            access_token: bearer(access_token),
            user_attributes: attributes,
            client_metadata: None,
        },
    )
}

/// `DeleteUserAttributes` (use case 7).
pub fn delete_user_attributes(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    names: Vec<String>,
) -> Call<Empty> {
    Call::new(
        pool,
        &DeleteUserAttributesRequest {
            access_token: bearer(access_token),
            user_attribute_names: names,
        },
    )
}

/// `GetUserAttributeVerificationCode` (use case 6, first step).
pub fn get_user_attribute_verification_code(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    attribute: &str,
) -> Call<CodeDeliveryResponse> {
    Call::new(
        pool,
        &AttributeVerificationCodeRequest {
            access_token: bearer(access_token),
            attribute_name: attribute.into(),
            client_metadata: None,
        },
    )
}

/// `VerifyUserAttribute` (use case 6, second step).
pub fn verify_user_attribute(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    attribute: &str,
    code: &str,
) -> Call<Empty> {
    Call::new(
        pool,
        &VerifyUserAttributeRequest {
            access_token: bearer(access_token),
            attribute_name: attribute.into(),
            code: SecretString::new(code.trim()),
        },
    )
}

/// The MFA preferences to set; `None` leaves a method unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MfaPreferences {
    /// SMS.
    pub sms: Option<MfaSettings>,
    /// TOTP.
    pub totp: Option<MfaSettings>,
    /// Email.
    pub email: Option<MfaSettings>,
}

/// `SetUserMFAPreference` (use case 27).
pub fn set_user_mfa_preference(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    preferences: MfaPreferences,
) -> Call<Empty> {
    Call::new(
        pool,
        &SetUserMfaPreferenceRequest {
            access_token: bearer(access_token),
            sms_mfa_settings: preferences.sms,
            software_token_mfa_settings: preferences.totp,
            email_mfa_settings: preferences.email,
        },
    )
}

/// `SetUserSettings`: the JS SDK's `enableMFA` (`true`: SMS to `phone_number`) and `disableMFA`
/// (use cases 9 and 10).
pub fn set_user_settings(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    sms_mfa: bool,
) -> Call<Empty> {
    let mfa_options = if sms_mfa {
        vec![MfaOption {
            delivery_medium: "SMS".into(),
            attribute_name: "phone_number".into(),
        }]
    } else {
        Vec::new()
    };
    Call::new(
        pool,
        &SetUserSettingsRequest {
            access_token: bearer(access_token),
            mfa_options,
        },
    )
}

/// `AssociateSoftwareToken` for a signed-in user (use case 25): the answer's `SecretCode` goes
/// into an authenticator app (see [`crate::totp::otpauth_uri`]).
pub fn associate_software_token(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
) -> Call<AssociateSoftwareTokenResponse> {
    Call::new(
        pool,
        &AssociateSoftwareTokenRequest {
            access_token: Some(bearer(access_token)),
            session: None,
        },
    )
}

/// `VerifySoftwareToken` for a signed-in user (use case 25, second step).
pub fn verify_software_token(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    code: &str,
    device_name: Option<&str>,
) -> Call<VerifySoftwareTokenResponse> {
    Call::new(
        pool,
        &VerifySoftwareTokenRequest {
            access_token: Some(bearer(access_token)),
            session: None,
            user_code: SecretString::new(code.trim()),
            friendly_device_name: device_name.map(str::to_owned),
        },
    )
}

/// `GlobalSignOut`: invalidates every token of the user, everywhere (use case 15).
pub fn global_sign_out(pool: &UserPool, access_token: &(impl AccessToken + ?Sized)) -> Call<Empty> {
    Call::new(
        pool,
        &GlobalSignOutRequest(AccessTokenRequest {
            access_token: bearer(access_token),
        }),
    )
}

/// `RevokeToken`: revokes a refresh token and the tokens issued from it (use case 14's
/// `signOut` with `{ global: false }` in Amplify terms).
///
/// `client_secret` defaults to the pool's ([`UserPool::with_client_secret`]): Cognito refuses
/// the call without it for an app client that has one.
pub fn revoke_token(
    pool: &UserPool,
    refresh_token: &SecretString,
    client_secret: Option<&SecretString>,
) -> Call<Empty> {
    let client_secret = client_secret.cloned().or_else(|| {
        pool.client_secret()
            .map(|secret| SecretString::new(secret.expose()))
    });
    Call::new(
        pool,
        &RevokeTokenRequest {
            token: refresh_token.clone(),
            client_id: pool.client_id().into(),
            client_secret,
        },
    )
}

/// `UpdateAuthEventFeedback`: the user's verdict on a sign-in that threat protection flagged,
/// from the link in its notification email (`username`, `event_id` and the feedback token come
/// from that link). A pool without threat protection answers
/// [`ErrorKind::UserPoolAddOnNotEnabled`](crate::ErrorKind::UserPoolAddOnNotEnabled).
pub fn update_auth_event_feedback(
    pool: &UserPool,
    username: &str,
    event_id: &str,
    feedback_token: &SecretString,
    value: FeedbackValue,
) -> Call<Empty> {
    Call::new(
        pool,
        &UpdateAuthEventFeedbackRequest {
            user_pool_id: pool.id().into(),
            username: username.into(),
            event_id: event_id.into(),
            feedback_token: feedback_token.clone(),
            feedback_value: value,
        },
    )
}

/// `DeleteUser` (use case 13).
pub fn delete_user(pool: &UserPool, access_token: &(impl AccessToken + ?Sized)) -> Call<Empty> {
    Call::new(
        pool,
        &DeleteUserRequest(AccessTokenRequest {
            access_token: bearer(access_token),
        }),
    )
}

/// `ListDevices`, one page (use case 23). Pass the previous page's `pagination_token` to read the
/// next.
pub fn list_devices(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    limit: Option<u32>,
    pagination_token: Option<&str>,
) -> Call<ListDevicesResponse> {
    Call::new(
        pool,
        &ListDevicesRequest {
            access_token: bearer(access_token),
            limit,
            pagination_token: pagination_token.map(str::to_owned),
        },
    )
}

/// `GetDevice`.
pub fn get_device(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    device_key: &str,
) -> Call<GetDeviceResponse> {
    Call::new(
        pool,
        &GetDeviceRequest(DeviceRequest {
            access_token: bearer(access_token),
            device_key: device_key.into(),
        }),
    )
}

/// `ForgetDevice` (use case 24): this device (its key from the stored credentials) or any other.
pub fn forget_device(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    device_key: &str,
) -> Call<Empty> {
    Call::new(
        pool,
        &ForgetDeviceRequest(DeviceRequest {
            access_token: bearer(access_token),
            device_key: device_key.into(),
        }),
    )
}

/// `UpdateDeviceStatus`: remember a device (it may skip MFA) or stop remembering it.
pub fn update_device_status(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    device_key: &str,
    remembered: bool,
) -> Call<Empty> {
    Call::new(
        pool,
        &UpdateDeviceStatusRequest {
            access_token: bearer(access_token),
            device_key: device_key.into(),
            device_remembered_status: Some(
                if remembered {
                    "remembered"
                } else {
                    "not_remembered"
                }
                .into(),
            ),
        },
    )
}

/// `GetUserAuthFactors`: the user's sign-in factors (passwords, codes, passkeys) and MFA.
pub fn get_user_auth_factors(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
) -> Call<GetUserAuthFactorsResponse> {
    Call::new(
        pool,
        &GetUserAuthFactorsRequest(AccessTokenRequest {
            access_token: bearer(access_token),
        }),
    )
}

/// `StartWebAuthnRegistration`: the options to create a passkey with.
pub fn start_web_authn_registration(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
) -> Call<StartWebAuthnRegistrationResponse> {
    Call::new(
        pool,
        &StartWebAuthnRegistrationRequest(AccessTokenRequest {
            access_token: bearer(access_token),
        }),
    )
}

/// `CompleteWebAuthnRegistration`: registers the passkey the authenticator created
/// (`credential`, the `PublicKeyCredential` as JSON).
pub fn complete_web_authn_registration(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    credential: serde_json::Value,
) -> Call<Empty> {
    Call::new(
        pool,
        &CompleteWebAuthnRegistrationRequest {
            access_token: bearer(access_token),
            credential,
        },
    )
}

/// `ListWebAuthnCredentials`: the user's passkeys, a page at a time.
pub fn list_web_authn_credentials(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    max_results: Option<u32>,
    next_token: Option<&str>,
) -> Call<ListWebAuthnCredentialsResponse> {
    Call::new(
        pool,
        &ListWebAuthnCredentialsRequest {
            access_token: bearer(access_token),
            max_results,
            next_token: next_token.map(str::to_owned),
        },
    )
}

/// `DeleteWebAuthnCredential`: deletes one of the user's passkeys.
pub fn delete_web_authn_credential(
    pool: &UserPool,
    access_token: &(impl AccessToken + ?Sized),
    credential_id: &str,
) -> Call<Empty> {
    Call::new(
        pool,
        &DeleteWebAuthnCredentialRequest {
            access_token: bearer(access_token),
            credential_id: credential_id.into(),
        },
    )
}

/// Follows a paginated operation's `NextToken`s (`ListWebAuthnCredentials`, `ListDevices`'
/// `PaginationToken`) for a loop that reads every page, and stops a server that never ends: a
/// token that comes back again, or more than [`Pages::MAX`] pages, is a [`ProtocolError`](crate::ProtocolError).
///
/// ```
/// use cognito_flows::flows::account::Pages;
/// use cognito_flows::wire::Operation;
///
/// let mut pages = Pages::new(Operation::ListWebAuthnCredentials);
/// assert_eq!(pages.next(Some("page-2".into()))?, Some("page-2".to_owned()));
/// assert!(pages.next(Some("page-2".into())).is_err()); // the same page again: a loop
/// assert_eq!(Pages::new(Operation::ListWebAuthnCredentials).next(None)?, None); // the last page
/// # Ok::<(), cognito_flows::ProtocolError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pages {
    operation: Operation,
    seen: std::collections::BTreeSet<String>,
}

impl Pages {
    /// The most pages read (Cognito's largest lists are far shorter: 20 passkeys per user).
    pub const MAX: usize = 1000;

    /// Before the first page of `operation`.
    pub fn new(operation: Operation) -> Self {
        Self {
            operation,
            seen: std::collections::BTreeSet::new(),
        }
    }

    /// The token of the page to read next, from the page just read: `None` when it was the last.
    pub fn next(&mut self, token: Option<String>) -> Result<Option<String>, crate::ProtocolError> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let refuse = |detail: &str| {
            crate::ProtocolError::new(
                self.operation,
                200,
                crate::ProtocolReason::InvalidField {
                    field: "NextToken",
                    detail: detail.into(),
                },
                Vec::new(),
            )
        };
        if self.seen.len() >= Self::MAX {
            return Err(refuse("more pages than any Cognito list has"));
        }
        if !self.seen.insert(token.clone()) {
            return Err(refuse("a page token came back: the pages loop"));
        }
        Ok(Some(token))
    }
}
