//! The convenience [`Client`]: a pool and a driver, with a method per everyday call. The method
//! list is written once, in [`client_methods!`](crate::__client_methods), for this client and the
//! blocking one of `cognito-flows-ureq`.

use std::future::Future;

use cognito_flows::wire::Context;
use cognito_flows::{Flow, Input, Prompt, UserAgent, UserPool};

use crate::{DriveError, Driver, PromptError, Sleep, Transport};

/// A user pool and a [`Driver`], with a method per flow and per account call: the async client
/// most applications need. Every call is retried by the rules of [`cognito_flows::retry`].
///
/// ```no_run
/// # #[cfg(feature = "reqwest")]
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use cognito_flows::{Input, Prompt, UserPool};
/// use cognito_flows_async::Client;
///
/// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
/// let client = Client::new(pool)?;
/// let signed_in = client
///     .sign_in_srp("alice", "correct horse", async |prompt| match prompt {
///         Prompt::TotpCode { .. } => Ok(Input::code("123456")), // ask the user
///         other => Err(format!("cannot answer {}", other.kind()).into()),
///     })
///     .await?;
/// let user = client.get_user(&signed_in.tokens.access_token).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Client<T, S> {
    pool: UserPool,
    driver: Driver<T, S>,
    context: Context,
}

#[cfg(feature = "reqwest")]
impl Client<crate::ReqwestTransport, crate::TokioSleep> {
    /// A client on [`ReqwestTransport`](crate::ReqwestTransport) and
    /// [`TokioSleep`](crate::TokioSleep), with the default retry policy.
    pub fn new(pool: UserPool) -> Result<Self, reqwest::Error> {
        Ok(Self::with_driver(
            pool,
            Driver::new(crate::ReqwestTransport::new()?, crate::TokioSleep),
        ))
    }
}

impl<T, S> Client<T, S> {
    /// A client on your driver (your transport, sleep and retry policy).
    pub fn with_driver(pool: UserPool, driver: Driver<T, S>) -> Self {
        Self {
            pool,
            driver,
            context: Context::default(),
        }
    }

    /// The same client sending `context` (`ClientMetadata`, `AnalyticsMetadata`,
    /// `UserContextData`) with every sign-in, password reset and account call it makes: each
    /// request carries the fields its operation takes
    /// ([`Request::apply_context`](cognito_flows::wire::Request::apply_context)). A server
    /// acting for many users builds one client per user request, with that user's IP address.
    #[must_use]
    pub fn with_context(mut self, context: Context) -> Self {
        self.context = context;
        self
    }

    /// The same client with this `x-amz-user-agent` ([`Driver::with_user_agent`]).
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: UserAgent) -> Self {
        self.driver = self.driver.with_user_agent(user_agent);
        self
    }

    /// The pool.
    pub fn pool(&self) -> &UserPool {
        &self.pool
    }

    /// The driver.
    pub fn driver(&self) -> &Driver<T, S> {
        &self.driver
    }

    /// The time, from the driver's clock ([`Driver::with_clock`]).
    pub fn now(&self) -> std::time::SystemTime {
        self.driver.now()
    }
}

impl<T: Transport, S: Sleep> Client<T, S> {
    /// Runs any flow, asking `answer` for its prompts.
    pub async fn run<F: Flow, A: Future<Output = Result<Input, PromptError>>>(
        &self,
        flow: F,
        answer: impl FnMut(Prompt) -> A,
    ) -> Result<F::Output, DriveError<T::Error>> {
        self.driver.run(flow, answer).await
    }

    crate::__client_methods! {
        fn: {async fn},
        await: {.await},
        generics: {<A: Future<Output = Result<Input, PromptError>>>},
        answer: impl FnMut(Prompt) -> A,
        no_prompt: crate::no_prompt,
        error: DriveError<T::Error>,
    }
}

/// The method list of both `Client`s (this crate's and `cognito-flows-ureq`'s), generated for
/// an `impl` block that has `pool: UserPool` and `context: Context` fields and a
/// `run(flow, answer)` method: `fn` is
/// `{fn}` or `{async fn}`, `await` is `{}` or `{.await}`, `generics` those of the methods that
/// take `answer` (the async one's future).
#[doc(hidden)]
#[macro_export]
macro_rules! __client_methods {
    (
        fn: {$($fn:tt)*},
        await: {$($await:tt)*},
        generics: {$($generics:tt)*},
        answer: $answer:ty,
        no_prompt: $no_prompt:path,
        error: $error:ty $(,)?
    ) => {
        /// SRP sign-in (`USER_SRP_AUTH`), answering challenges (MFA, a new password, ...) with
        /// `answer`. A wrong code comes back to `answer` as the same prompt, carrying the error.
        pub $($fn)* sign_in_srp $($generics)* (&self, username: &str, password: impl Into<$crate::__private::cognito_flows::Password>, answer: $answer) -> Result<$crate::__private::cognito_flows::SignedIn, $error> {
            let password = password.into();
            self.sign_in(|builder, entropy| builder.user_srp(username, password, entropy), answer) $($await)*
        }

        /// Password sign-in (`USER_PASSWORD_AUTH`), answering challenges with `answer`.
        pub $($fn)* sign_in_password $($generics)* (&self, username: &str, password: impl Into<$crate::__private::cognito_flows::Password>, answer: $answer) -> Result<$crate::__private::cognito_flows::SignedIn, $error> {
            let password = password.into();
            self.sign_in(|builder, entropy| builder.user_password(username, password, entropy), answer) $($await)*
        }

        /// Signs a user in right after [`confirm_registration`](Self::confirm_registration),
        /// without the password: `USER_AUTH` with the session `ConfirmSignUp` answered (it was
        /// given `SignUp`'s session), once, within its lifetime (three minutes in Cognito). No
        /// session in `confirmed` is a [`Misuse`](cognito_flows::Misuse).
        pub $($fn)* sign_in_after_sign_up $($generics)* (&self, username: &str, confirmed: &$crate::__private::cognito_flows::wire::ConfirmSignUpResponse, answer: $answer) -> Result<$crate::__private::cognito_flows::SignedIn, $error> {
            let Some(session) = confirmed.session.clone() else {
                return Err($crate::DriveError::Auth(
                    $crate::__private::cognito_flows::Misuse::InvalidInput(
                        "ConfirmSignUp answered no session: confirm with SignUp's session".into(),
                    )
                    .into(),
                ));
            };
            self.sign_in(|builder, entropy| builder.after_sign_up(username, session, entropy), answer) $($await)*
        }

        /// Runs the sign-in that `flow` builds from a builder (carrying the client's context)
        /// and fresh entropy.
        $($fn)* sign_in $($generics)* (
            &self,
            flow: impl FnOnce($crate::__private::cognito_flows::flows::sign_in::SignInBuilder, $crate::__private::cognito_flows::Entropy) -> $crate::__private::cognito_flows::SignIn,
            answer: $answer,
        ) -> Result<$crate::__private::cognito_flows::SignedIn, $error> {
            let entropy = $crate::entropy().map_err($crate::DriveError::Entropy)?;
            let builder = $crate::__private::cognito_flows::SignIn::builder(&self.pool).with_context(self.context.clone());
            self.run(flow(builder, entropy), answer) $($await)*
        }

        /// Passkey sign-in (`USER_AUTH` preferring `WEB_AUTHN`): `answer` gets
        /// [`Prompt::WebAuthn`](cognito_flows::Prompt::WebAuthn), hands its
        /// `credential_request_options` to the authenticator (`navigator.credentials.get`) and
        /// answers with [`Input::WebAuthnCredential`](cognito_flows::Input::WebAuthnCredential)
        /// and the authenticator's JSON.
        pub $($fn)* sign_in_passkey $($generics)* (&self, username: &str, answer: $answer) -> Result<$crate::__private::cognito_flows::SignedIn, $error> {
            self.sign_in(|builder, entropy| builder.user_auth(username, $crate::__private::cognito_flows::FirstFactor::WebAuthn, entropy), answer) $($await)*
        }

        /// Every passkey of the signed-in user: `ListWebAuthnCredentials` page after page
        /// (20 a page), following `NextToken` ([`Pages`](cognito_flows::flows::account::Pages)
        /// stops a server whose pages loop). For one page, see
        /// [`list_web_authn_credentials`](Self::list_web_authn_credentials).
        pub $($fn)* web_authn_credentials(
            &self,
            access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
        ) -> Result<Vec<$crate::__private::cognito_flows::wire::WebAuthnCredentialDescription>, $error> {
            let mut pages = $crate::__private::cognito_flows::flows::account::Pages::new(
                $crate::__private::cognito_flows::wire::Operation::ListWebAuthnCredentials,
            );
            let (mut all, mut token) = (Vec::new(), None::<String>);
            loop {
                let call = $crate::__private::cognito_flows::flows::account::list_web_authn_credentials(&self.pool, access_token, Some(20), token.as_deref());
                let page = self.run(call, $no_prompt) $($await)*?;
                all.extend(page.credentials);
                token = pages.next(page.next_token).map_err(|e| $crate::DriveError::Auth(e.into()))?;
                if token.is_none() {
                    return Ok(all);
                }
            }
        }

        /// Refreshes a session now, whether or not its tokens have expired (with its device, if
        /// any), and updates it: new tokens, and the new refresh token when the app client
        /// rotates them. [`get_session`](Self::get_session) refreshes only when needed.
        pub $($fn)* refresh(
            &self,
            session: &mut $crate::__private::cognito_flows::StoredSession,
        ) -> Result<(), $error> {
            let Some(flow) = session.refresh(&self.pool).map(|f| f.with_context(&self.context)) else {
                return Err($crate::DriveError::Auth(
                    $crate::__private::cognito_flows::Misuse::InvalidInput(
                        "the session has no refresh token".into(),
                    )
                    .into(),
                ));
            };
            *session = self.run(flow, $no_prompt) $($await)*?;
            Ok(())
        }

        /// The JS SDK's `getSession`, in one line: when the session's tokens are still valid (for
        /// a minute more, the clock drift corrected) nothing is sent; otherwise its refresh
        /// token brings new ones (`GetTokensFromRefreshToken`, so app clients that rotate
        /// refresh tokens work too: the new refresh token replaces the old one) and the device
        /// is kept. Answers whether it refreshed: store the session again then
        /// ([`save_session`](crate::save_session), or [`saved_session`](Self::saved_session)
        /// which does both). A session that has expired without a refresh token is
        /// [`DriveError::SignedOut`](crate::DriveError::SignedOut).
        pub $($fn)* get_session(
            &self,
            session: &mut $crate::__private::cognito_flows::StoredSession,
        ) -> Result<bool, $error> {
            use $crate::__private::cognito_flows::session::SessionCheck;
            match session.get_session(&self.pool, self.now()) {
                SessionCheck::Valid => Ok(false),
                SessionCheck::Refresh(flow) => {
                    *session = self.run(flow.with_context(&self.context), $no_prompt) $($await)*?;
                    Ok(true)
                }
                SessionCheck::SignedOut => Err($crate::DriveError::SignedOut),
            }
        }

        /// [`get_session`](Self::get_session) on the session saved at `path`
        /// ([`save_session`](crate::save_session)): loaded, refreshed and saved again when its
        /// tokens have expired. Blocking file I/O around the call.
        pub $($fn)* saved_session(
            &self,
            path: &std::path::Path,
        ) -> Result<$crate::__private::cognito_flows::StoredSession, $error> {
            let mut session = $crate::load_session(path).map_err($crate::DriveError::Storage)?;
            if self.get_session(&mut session) $($await)*? {
                $crate::save_session(path, &session).map_err($crate::DriveError::Storage)?;
            }
            Ok(session)
        }

        /// Signs out: revokes the session's refresh token (`RevokeToken`, with the client
        /// secret when the app client has one), which ends the access tokens issued from it
        /// too. The session is consumed: drop what you stored of it (or use
        /// [`sign_out_saved`](Self::sign_out_saved)). A session without a refresh token has
        /// nothing to revoke.
        pub $($fn)* sign_out(
            &self,
            session: $crate::__private::cognito_flows::StoredSession,
        ) -> Result<(), $error> {
            match session.sign_out(&self.pool) {
                Some(call) => self.run(call, $no_prompt) $($await)*.map(drop),
                None => Ok(()),
            }
        }

        /// Signs out the session saved at `path`: revokes its refresh token and deletes the
        /// file, even when Cognito refused the revocation (that error is returned after). A
        /// missing file is a session already signed out.
        pub $($fn)* sign_out_saved(&self, path: &std::path::Path) -> Result<(), $error> {
            let session = match $crate::load_session(path) {
                Ok(session) => Some(session),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                // Unreadable: nothing to revoke, but it goes all the same.
                Err(_) => None,
            };
            let revoked = match session {
                Some(session) => self.sign_out(session) $($await)*,
                None => Ok(()),
            };
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    revoked?;
                    Err($crate::DriveError::Storage(e))
                }
                _ => revoked,
            }
        }

        /// Resets a forgotten password, asking `answer` for the code and the new password
        /// ([`Prompt::PasswordReset`](cognito_flows::Prompt::PasswordReset)).
        pub $($fn)* forgot_password $($generics)* (&self, username: &str, answer: $answer) -> Result<(), $error> {
            let flow = $crate::__private::cognito_flows::ForgotPassword::new(&self.pool, username).with_context(self.context.clone());
            self.run(flow, answer) $($await)*
        }

        $crate::__client_calls! {
            fn: {$($fn)*}, await: {$($await)*}, no_prompt: $no_prompt, error: $error,
            /// Registers a user (`SignUp`).
            sign_up(user: &$crate::__private::cognito_flows::flows::account::NewUser)
                -> SignUpResponse = sign_up(user);
            /// Confirms a registration with the code sent to the user (`ConfirmSignUp`), no alias
            /// moved, no session: see [`confirm_registration`](Self::confirm_registration).
            confirm_sign_up(username: &str, code: &str)
                -> ConfirmSignUpResponse = confirm_sign_up(username, code, false);
            /// `ConfirmSignUp` with every parameter: `ForceAliasCreation`, and `SignUp`'s session
            /// ([`Confirmation::after`](cognito_flows::flows::account::Confirmation::after)),
            /// whose answer [`sign_in_after_sign_up`](Self::sign_in_after_sign_up) signs in with.
            confirm_registration(confirmation: &$crate::__private::cognito_flows::flows::account::Confirmation)
                -> ConfirmSignUpResponse = confirm_registration(confirmation);
            /// Sends the registration code again (`ResendConfirmationCode`).
            resend_confirmation_code(username: &str)
                -> CodeDeliveryResponse = resend_confirmation_code(username);
            /// Changes the signed-in user's password (`ChangePassword`).
            change_password(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                previous: &$crate::__private::cognito_flows::Password,
                proposed: &$crate::__private::cognito_flows::Password,
            ) -> Empty = change_password(access_token, previous, proposed);
            /// The signed-in user: attributes and MFA settings (`GetUser`).
            get_user(access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized))
                -> GetUserResponse = get_user(access_token);
            /// Sets attributes of the signed-in user (`UpdateUserAttributes`); the answer lists
            /// the codes sent for those that need verifying.
            update_user_attributes(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                attributes: Vec<$crate::__private::cognito_flows::wire::AttributeType>,
            ) -> UpdateUserAttributesResponse = update_user_attributes(access_token, attributes);
            /// Deletes attributes of the signed-in user (`DeleteUserAttributes`).
            delete_user_attributes(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                names: Vec<String>,
            ) -> Empty = delete_user_attributes(access_token, names);
            /// Sends a code to verify an attribute (`GetUserAttributeVerificationCode`).
            get_user_attribute_verification_code(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                attribute: &str,
            ) -> CodeDeliveryResponse = get_user_attribute_verification_code(access_token, attribute);
            /// Verifies an attribute with its code (`VerifyUserAttribute`).
            verify_user_attribute(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                attribute: &str,
                code: &str,
            ) -> Empty = verify_user_attribute(access_token, attribute, code);
            /// Starts TOTP setup for the signed-in user (`AssociateSoftwareToken`): put the
            /// answer's `secret_code` into an authenticator app (see
            /// [`cognito_flows::totp::otpauth_uri`] for its QR code), then
            /// [`verify_software_token`](Self::verify_software_token) with the app's code.
            associate_software_token(access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized))
                -> AssociateSoftwareTokenResponse = associate_software_token(access_token);
            /// Completes TOTP setup with the authenticator's current code (`VerifySoftwareToken`);
            /// then make TOTP the user's MFA with
            /// [`set_user_mfa_preference`](Self::set_user_mfa_preference).
            verify_software_token(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                code: &str,
                device_name: Option<&str>,
            ) -> VerifySoftwareTokenResponse = verify_software_token(access_token, code, device_name);
            /// Sets the user's MFA preferences (`SetUserMFAPreference`); `None` leaves a method
            /// unchanged.
            set_user_mfa_preference(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                preferences: $crate::__private::cognito_flows::flows::account::MfaPreferences,
            ) -> Empty = set_user_mfa_preference(access_token, preferences);
            /// The JS SDK's `enableMFA` (`true`: SMS to `phone_number`) and `disableMFA`
            /// (`SetUserSettings`, the legacy MFA options).
            set_user_settings(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                sms_mfa: bool,
            ) -> Empty = set_user_settings(access_token, sms_mfa);
            /// One page of the user's devices, 60 at most (`ListDevices`): pass the previous
            /// page's `pagination_token` for the next.
            list_devices(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                page: Option<&str>,
            ) -> ListDevicesResponse = list_devices(access_token, Some(60), page);
            /// A device (`GetDevice`).
            get_device(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                device_key: &str,
            ) -> GetDeviceResponse = get_device(access_token, device_key);
            /// Remembers a device, so that it may skip MFA, or stops remembering it
            /// (`UpdateDeviceStatus`).
            update_device_status(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                device_key: &str,
                remembered: bool,
            ) -> Empty = update_device_status(access_token, device_key, remembered);
            /// Forgets a device (`ForgetDevice`).
            forget_device(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                device_key: &str,
            ) -> Empty = forget_device(access_token, device_key);
            /// Signs the user out everywhere: every token of the user stops working
            /// (`GlobalSignOut`).
            global_sign_out(access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized))
                -> Empty = global_sign_out(access_token);
            /// Revokes a refresh token and the tokens issued from it (`RevokeToken`), with the
            /// pool's client secret when it has one.
            revoke_token(refresh_token: &$crate::__private::cognito_flows::SecretString)
                -> Empty = revoke_token(refresh_token, None);
            /// The user's sign-in factors (`PASSWORD`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`) and
            /// MFA settings (`GetUserAuthFactors`).
            get_user_auth_factors(access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized))
                -> GetUserAuthFactorsResponse = get_user_auth_factors(access_token);
            /// Starts registering a passkey (`StartWebAuthnRegistration`): give the answer's
            /// `credential_creation_options` to the authenticator (`navigator.credentials.create`),
            /// then [`complete_web_authn_registration`](Self::complete_web_authn_registration)
            /// with what it returns.
            start_web_authn_registration(access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized))
                -> StartWebAuthnRegistrationResponse = start_web_authn_registration(access_token);
            /// Registers the passkey the authenticator created: its `PublicKeyCredential`
            /// (`RegistrationResponseJSON`) as JSON (`CompleteWebAuthnRegistration`).
            complete_web_authn_registration(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                credential: $crate::__private::serde_json::Value,
            ) -> Empty = complete_web_authn_registration(access_token, credential);
            /// One page of the user's passkeys, 20 at most (`ListWebAuthnCredentials`): pass the
            /// previous page's `next_token` for the next, or read them all with
            /// [`web_authn_credentials`](Self::web_authn_credentials).
            list_web_authn_credentials(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                page: Option<&str>,
            ) -> ListWebAuthnCredentialsResponse = list_web_authn_credentials(access_token, Some(20), page);
            /// Deletes one of the user's passkeys by its `credential_id`
            /// (`DeleteWebAuthnCredential`).
            delete_web_authn_credential(
                access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized),
                credential_id: &str,
            ) -> Empty = delete_web_authn_credential(access_token, credential_id);
            /// The user's verdict on a sign-in that threat protection flagged, from the link of
            /// its notification email (`UpdateAuthEventFeedback`).
            update_auth_event_feedback(
                username: &str,
                event_id: &str,
                feedback_token: &$crate::__private::cognito_flows::SecretString,
                value: $crate::__private::cognito_flows::wire::FeedbackValue,
            ) -> Empty = update_auth_event_feedback(username, event_id, feedback_token, value);
            /// Deletes the signed-in user (`DeleteUser`).
            delete_user(access_token: &(impl $crate::__private::cognito_flows::flows::account::AccessToken + ?Sized))
                -> Empty = delete_user(access_token);
        }
    };
}

/// One method per single call of `cognito_flows::flows::account`: `name(params) -> Response =
/// constructor(args)`, the pool added as the constructor's first argument.
#[doc(hidden)]
#[macro_export]
macro_rules! __client_calls {
    (fn: $fn:tt, await: $await:tt, no_prompt: $no_prompt:path, error: $error:ty,) => {};
    (
        fn: {$($fn:tt)*}, await: {$($await:tt)*}, no_prompt: $no_prompt:path, error: $error:ty,
        $(#[$doc:meta])*
        $name:ident($($param:ident: $ty:ty),* $(,)?) -> $out:ident = $call:ident($($arg:expr),* $(,)?);
        $($rest:tt)*
    ) => {
        $(#[$doc])*
        pub $($fn)* $name(&self, $($param: $ty),*) -> Result<$crate::__private::cognito_flows::wire::$out, $error> {
            let call = $crate::__private::cognito_flows::flows::account::$call(&self.pool, $($arg),*)
                .with_context(&self.context);
            self.run(call, $no_prompt) $($await)*
        }
        $crate::__client_calls! {
            fn: {$($fn)*}, await: {$($await)*}, no_prompt: $no_prompt, error: $error,
            $($rest)*
        }
    };
}
