//! The convenience [`Client`]: a pool and a driver, with a method per everyday call. One
//! generic struct serves both adapters: its methods return what the [`Driver`] makes of a
//! call ([`Drive`], [`Ask`]): a `Result` on a blocking transport (`cognito-flows-ureq`'s
//! `Client`), a future of it ([`Running`](crate::Running)) on an async one.

use std::path::Path;

use cognito_flows::flows::account::{self, AccessToken, Pages};
use cognito_flows::flows::sign_in::SignInBuilder;
use cognito_flows::session::SessionCheck;
use cognito_flows::wire::{self, Context, Operation, WebAuthnCredentialDescription};
use cognito_flows::{
    Action, ClientCredentials, Entropy, FirstFactor, Flow, ForgotPassword, Input, MachineToken,
    Misuse, Password, Prompt, SecretString, SignIn, SignedIn, StoredSession, TokenCache, UserAgent,
    UserPool,
};

use crate::driver::{Ask, Drive, Job};
use crate::{Blocking, BlockingSleep, BlockingTransport, DriveError, Driver};

/// What a [`Client`] method that never prompts returns: `Result<O, DriveError<_>>` on a
/// blocking driver, a future of it on an async one.
pub type Call<'a, T, S, O> = <Driver<T, S> as Drive>::Call<'a, O>;

/// What a [`Client`] method whose prompts `FnMut(Prompt) -> R` answers returns:
/// `Result<O, DriveError<_>>` on a blocking driver, a future of it on an async one.
pub type Run<'a, T, S, O, P, R> = <Driver<T, S> as Ask<R>>::Run<'a, O, P>;

/// A user pool and a [`Driver`], with a method per flow and per account call: the client most
/// applications need. Every call is retried by the rules of [`cognito_flows::retry`]. On an
/// async transport each method returns a future:
///
/// ```no_run
/// # #[cfg(feature = "reqwest")]
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use cognito_flows::{Input, Prompt, UserPool};
/// use cognito_flows_async::Client;
///
/// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
/// let client = Client::reqwest(pool)?;
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
///
/// On a [`Blocking`] one (`cognito_flows_ureq::Client`) the same methods return the result.
/// The client is cheap to clone when its transport is: a server acting for many users sets
/// each user's context ([`Client::with_context`]) on a clone.
#[derive(Debug, Clone)]
pub struct Client<T, S> {
    pool: UserPool,
    driver: Driver<T, S>,
    context: Context,
}

#[cfg(feature = "reqwest")]
impl Client<crate::ReqwestTransport, crate::TokioSleep> {
    /// A client on [`ReqwestTransport`](crate::ReqwestTransport) and
    /// [`TokioSleep`](crate::TokioSleep), with the default retry policy. (`Client::new` is the
    /// blocking client's: one generic `Client` serves both.)
    pub fn reqwest(pool: UserPool) -> Result<Self, reqwest::Error> {
        Ok(Self::with_driver(
            pool,
            Driver::new(crate::ReqwestTransport::new()?, crate::TokioSleep),
        ))
    }
}

impl<T: BlockingTransport + Default, S: BlockingSleep + Default> Client<Blocking<T>, S> {
    /// A blocking client on the default transport and sleep, with the default retry policy.
    pub fn new(pool: UserPool) -> Self {
        Self::with_driver(pool, Driver::default())
    }
}

impl<T, S> Client<T, S> {
    /// A client on your driver (your transport, sleep, retry policy, clock).
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
    /// ([`Request::apply_context`](cognito_flows::wire::Request::apply_context)).
    #[must_use]
    pub fn with_context(mut self, context: Context) -> Self {
        self.context = context;
        self
    }

    /// The same client with its driver changed by `configure`: its retry policy, user agent,
    /// clock, jitter seed or transport.
    ///
    /// ```
    /// use cognito_flows::retry::RetryPolicy;
    /// use cognito_flows::{UserAgent, UserPool};
    /// use cognito_flows_async::{Blocking, Client, ThreadSleep};
    ///
    /// # let send = |_: http::Request<Vec<u8>>| Ok::<_, std::io::Error>(http::Response::new(Vec::<u8>::new()));
    /// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
    /// let agent = UserAgent::default().append("my-app/2.1")?;
    /// let client = Client::with_driver(pool, cognito_flows_async::Driver::new(Blocking(send), ThreadSleep))
    ///     .configure(|driver| driver.with_retry_policy(RetryPolicy::none()).with_user_agent(agent));
    /// # let _ = client;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn configure(mut self, configure: impl FnOnce(Driver<T, S>) -> Driver<T, S>) -> Self {
        self.driver = configure(self.driver);
        self
    }

    /// The same client with this `x-amz-user-agent` ([`Driver::with_user_agent`]).
    #[must_use]
    pub fn with_user_agent(self, user_agent: UserAgent) -> Self {
        self.configure(|driver| driver.with_user_agent(user_agent))
    }

    /// The pool.
    pub fn pool(&self) -> &UserPool {
        &self.pool
    }

    /// The driver.
    pub fn driver(&self) -> &Driver<T, S> {
        &self.driver
    }

    /// The context sent with every call ([`Client::with_context`]).
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The time, from the driver's clock ([`Driver::with_clock`]).
    pub fn now(&self) -> std::time::SystemTime {
        self.driver.now()
    }
}

impl<T, S> Client<T, S>
where
    Driver<T, S>: Drive,
{
    /// Runs any flow, asking `answer` for its prompts.
    pub fn run<'a, F, P, R>(&'a self, flow: F, answer: P) -> Run<'a, T, S, F::Output, P, R>
    where
        F: Flow + Send + 'a,
        F::Output: Send + 'a,
        P: FnMut(Prompt) -> R + 'a,
        Driver<T, S>: Ask<R>,
    {
        self.driver.ask(Job::new(flow), answer)
    }

    /// One account call, with the client's context.
    fn single<'a, O>(&'a self, call: account::Call<O>) -> Call<'a, T, S, O>
    where
        O: serde::de::DeserializeOwned + Clone + Send + 'a,
        account::Call<O>: Flow<Output = O> + Send,
    {
        self.driver.call(Job::new(call.with_context(&self.context)))
    }

    /// Runs the sign-in that `flow` builds from a builder (carrying the client's context) and
    /// fresh entropy.
    fn sign_in<'a, P, R>(
        &'a self,
        flow: impl FnOnce(SignInBuilder, Entropy) -> SignIn,
        answer: P,
    ) -> Run<'a, T, S, SignedIn, P, R>
    where
        P: FnMut(Prompt) -> R + 'a,
        Driver<T, S>: Ask<R>,
    {
        let job = match crate::entropy() {
            Ok(entropy) => {
                let builder = SignIn::builder(&self.pool).with_context(self.context.clone());
                Job::new(flow(builder, entropy))
            }
            Err(e) => Job::ended(Err(DriveError::Entropy(e))),
        };
        self.driver.ask(job, answer)
    }

    /// SRP sign-in (`USER_SRP_AUTH`), answering challenges (MFA, a new password, ...) with
    /// `answer`. A wrong code comes back to `answer` as the same prompt, carrying the error.
    pub fn sign_in_srp<'a, P, R>(
        &'a self,
        username: &str,
        password: impl Into<Password>,
        answer: P,
    ) -> Run<'a, T, S, SignedIn, P, R>
    where
        P: FnMut(Prompt) -> R + 'a,
        Driver<T, S>: Ask<R>,
    {
        let password = password.into();
        self.sign_in(
            |builder, entropy| builder.user_srp(username, password, entropy),
            answer,
        )
    }

    /// Password sign-in (`USER_PASSWORD_AUTH`), answering challenges with `answer`.
    pub fn sign_in_password<'a, P, R>(
        &'a self,
        username: &str,
        password: impl Into<Password>,
        answer: P,
    ) -> Run<'a, T, S, SignedIn, P, R>
    where
        P: FnMut(Prompt) -> R + 'a,
        Driver<T, S>: Ask<R>,
    {
        let password = password.into();
        self.sign_in(
            |builder, entropy| builder.user_password(username, password, entropy),
            answer,
        )
    }

    /// Signs a user in right after [`confirm_registration`](Self::confirm_registration),
    /// without the password: `USER_AUTH` with the session `ConfirmSignUp` answered (it was
    /// given `SignUp`'s session), once, within its lifetime (three minutes in Cognito). No
    /// session in `confirmed` is a [`Misuse`].
    pub fn sign_in_after_sign_up<'a, P, R>(
        &'a self,
        username: &str,
        confirmed: &wire::ConfirmSignUpResponse,
        answer: P,
    ) -> Run<'a, T, S, SignedIn, P, R>
    where
        P: FnMut(Prompt) -> R + 'a,
        Driver<T, S>: Ask<R>,
    {
        let Some(session) = confirmed.session.clone() else {
            let misuse = Misuse::InvalidInput(
                "ConfirmSignUp answered no session: confirm with SignUp's session".into(),
            );
            return self
                .driver
                .ask(Job::ended(Err(DriveError::Auth(misuse.into()))), answer);
        };
        self.sign_in(
            |builder, entropy| builder.after_sign_up(username, session, entropy),
            answer,
        )
    }

    /// Passkey sign-in (`USER_AUTH` preferring `WEB_AUTHN`): `answer` gets
    /// [`Prompt::WebAuthn`], hands its `credential_request_options` to the authenticator
    /// (`navigator.credentials.get`) and answers with [`Input::WebAuthnCredential`] and the
    /// authenticator's JSON.
    pub fn sign_in_passkey<'a, P, R>(
        &'a self,
        username: &str,
        answer: P,
    ) -> Run<'a, T, S, SignedIn, P, R>
    where
        P: FnMut(Prompt) -> R + 'a,
        Driver<T, S>: Ask<R>,
    {
        self.sign_in(
            |builder, entropy| builder.user_auth(username, FirstFactor::WebAuthn, entropy),
            answer,
        )
    }

    /// Resets a forgotten password, asking `answer` for the code and the new password
    /// ([`Prompt::PasswordReset`]).
    pub fn forgot_password<'a, P, R>(&'a self, username: &str, answer: P) -> Run<'a, T, S, (), P, R>
    where
        P: FnMut(Prompt) -> R + 'a,
        Driver<T, S>: Ask<R>,
    {
        let flow = ForgotPassword::new(&self.pool, username).with_context(self.context.clone());
        self.driver.ask(Job::new(flow), answer)
    }

    /// Every passkey of the signed-in user: `ListWebAuthnCredentials` page after page (20 a
    /// page), following `NextToken` ([`Pages`] stops a server whose pages loop). For one page,
    /// see [`list_web_authn_credentials`](Self::list_web_authn_credentials).
    pub fn web_authn_credentials(
        &self,
        access_token: &(impl AccessToken + ?Sized),
    ) -> Call<'_, T, S, Vec<WebAuthnCredentialDescription>> {
        let token = SecretString::new(access_token.token());
        let first = account::list_web_authn_credentials(&self.pool, &token, Some(20), None);
        self.driver.call(Job::new(EveryPasskey {
            pool: &self.pool,
            token,
            pages: Pages::new(Operation::ListWebAuthnCredentials),
            page: first,
            all: Vec::new(),
            end: None,
        }))
    }

    /// Refreshes a session now, whether or not its tokens have expired (with its device, if
    /// any), and updates it: new tokens, and the new refresh token when the app client
    /// rotates them. [`get_session`](Self::get_session) refreshes only when needed.
    pub fn refresh<'a>(&'a self, session: &'a mut StoredSession) -> Call<'a, T, S, ()> {
        let job = match session.refresh(&self.pool) {
            Some(flow) => Job::then(flow.with_context(&self.context), move |new| {
                *session = new;
                Ok(())
            }),
            None => Job::ended(Err(DriveError::Auth(
                Misuse::InvalidInput("the session has no refresh token".into()).into(),
            ))),
        };
        self.driver.call(job)
    }

    /// The JS SDK's `getSession`, in one line: when the session's tokens are still valid (for
    /// a minute more, the clock drift corrected) nothing is sent; otherwise its refresh
    /// token brings new ones (`GetTokensFromRefreshToken`, so app clients that rotate
    /// refresh tokens work too: the new refresh token replaces the old one) and the device
    /// is kept. Answers whether it refreshed: store the session again then
    /// ([`save_session`](crate::save_session), or [`saved_session`](Self::saved_session)
    /// which does both). A session that has expired without a refresh token is
    /// [`DriveError::SignedOut`].
    pub fn get_session<'a>(&'a self, session: &'a mut StoredSession) -> Call<'a, T, S, bool> {
        let job = match session.get_session(&self.pool, self.now()) {
            SessionCheck::Valid => Job::ended(Ok(false)),
            SessionCheck::Refresh(flow) => {
                Job::then(flow.with_context(&self.context), move |new| {
                    *session = new;
                    Ok(true)
                })
            }
            SessionCheck::SignedOut => Job::ended(Err(DriveError::SignedOut)),
        };
        self.driver.call(job)
    }

    /// [`get_session`](Self::get_session) on the session saved at `path`
    /// ([`save_session`](crate::save_session)): loaded, refreshed and saved again when its
    /// tokens have expired. Blocking file I/O around the call.
    pub fn saved_session<'a>(&'a self, path: &'a Path) -> Call<'a, T, S, StoredSession> {
        let job = match crate::load_session(path) {
            Err(e) => Job::ended(Err(DriveError::Storage(e))),
            Ok(session) => match session.get_session(&self.pool, self.now()) {
                SessionCheck::Valid => Job::ended(Ok(session)),
                SessionCheck::Refresh(flow) => {
                    Job::then(flow.with_context(&self.context), move |new| {
                        crate::save_session(path, &new).map_err(DriveError::Storage)?;
                        Ok(new)
                    })
                }
                SessionCheck::SignedOut => Job::ended(Err(DriveError::SignedOut)),
            },
        };
        self.driver.call(job)
    }

    /// Signs out: revokes the session's refresh token (`RevokeToken`, with the client
    /// secret when the app client has one), which ends the access tokens issued from it
    /// too. The session is consumed: drop what you stored of it (or use
    /// [`sign_out_saved`](Self::sign_out_saved)). A session without a refresh token has
    /// nothing to revoke.
    pub fn sign_out(&self, session: StoredSession) -> Call<'_, T, S, ()> {
        self.driver.call(revoking(&self.pool, Some(session)))
    }

    /// Signs out the session saved at `path`: revokes its refresh token and deletes the
    /// file, even when Cognito refused the revocation (that error is returned after). A
    /// missing file is a session already signed out.
    pub fn sign_out_saved<'a>(&'a self, path: &'a Path) -> Call<'a, T, S, ()> {
        let job =
            match crate::load_session(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Job::ended(Ok(())),
                // Unreadable: nothing to revoke, but it goes all the same.
                loaded => revoking(&self.pool, loaded.ok()).finally(move || {
                    match std::fs::remove_file(path) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                        _ => Ok(()),
                    }
                }),
            };
        self.driver.call(job)
    }

    /// A machine-to-machine access token: the client-credentials grant of `credentials` (an
    /// app client with a secret, allowed the `client_credentials` OAuth flow) at its domain's
    /// `/oauth2/token`, retried as every call is. The client's pool plays no part: one client
    /// can fetch tokens for any app client. See [`machine_token`](Self::machine_token) to keep
    /// the token until it nears its expiry.
    ///
    /// ```no_run
    /// use cognito_flows::{ClientCredentials, UserPool};
    /// use cognito_flows_async::{Blocking, Client, Driver, ThreadSleep};
    ///
    /// # let send = |_: http::Request<Vec<u8>>| Ok::<_, std::io::Error>(http::Response::new(Vec::<u8>::new()));
    /// let client = Client::with_driver(
    ///     UserPool::new("us-east-1_AbC123", "1example23456789")?,
    ///     Driver::new(Blocking(send), ThreadSleep),
    /// );
    /// let secret = std::env::var("CLIENT_SECRET")?; // never on a command line
    /// let credentials = ClientCredentials::new(
    ///     "https://example.auth.us-east-1.amazoncognito.com",
    ///     "1example23456789",
    ///     secret,
    /// )?
    /// .with_scopes(["orders/read"]);
    /// let token = client.client_credentials(&credentials)?;
    /// println!("granted {:?} until {:?}", token.scopes, token.expires_at);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn client_credentials(
        &self,
        credentials: &ClientCredentials,
    ) -> Call<'_, T, S, MachineToken> {
        self.driver.call(Job::new(credentials.token()))
    }

    /// [`client_credentials`](Self::client_credentials) through `cache`: its token when it is
    /// valid for longer than the cache's margin at the driver's clock (nothing is sent),
    /// otherwise a new one, kept in the cache. Keep one cache per app client and scopes.
    pub fn machine_token<'a>(
        &'a self,
        credentials: &ClientCredentials,
        cache: &'a mut TokenCache,
    ) -> Call<'a, T, S, MachineToken> {
        let job = match cache.get(self.now()) {
            Some(token) => Job::ended(Ok(token.clone())),
            None => Job::then(credentials.token(), move |token| {
                Ok(cache.store(token).clone())
            }),
        };
        self.driver.call(job)
    }

    /// Registers a user (`SignUp`).
    pub fn sign_up(&self, user: &account::NewUser) -> Call<'_, T, S, wire::SignUpResponse> {
        self.single(account::sign_up(&self.pool, user))
    }

    /// Confirms a registration with the code sent to the user (`ConfirmSignUp`), no alias
    /// moved, no session: see [`confirm_registration`](Self::confirm_registration).
    pub fn confirm_sign_up(
        &self,
        username: &str,
        code: &str,
    ) -> Call<'_, T, S, wire::ConfirmSignUpResponse> {
        self.single(account::confirm_sign_up(&self.pool, username, code, false))
    }

    /// `ConfirmSignUp` with every parameter: `ForceAliasCreation`, and `SignUp`'s session
    /// ([`Confirmation::after`](cognito_flows::flows::account::Confirmation::after)),
    /// whose answer [`sign_in_after_sign_up`](Self::sign_in_after_sign_up) signs in with.
    pub fn confirm_registration(
        &self,
        confirmation: &account::Confirmation,
    ) -> Call<'_, T, S, wire::ConfirmSignUpResponse> {
        self.single(account::confirm_registration(&self.pool, confirmation))
    }

    /// Sends the registration code again (`ResendConfirmationCode`).
    pub fn resend_confirmation_code(
        &self,
        username: &str,
    ) -> Call<'_, T, S, wire::CodeDeliveryResponse> {
        self.single(account::resend_confirmation_code(&self.pool, username))
    }

    /// Changes the signed-in user's password (`ChangePassword`).
    pub fn change_password(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        previous: &Password,
        proposed: &Password,
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::change_password(
            &self.pool,
            access_token,
            previous,
            proposed,
        ))
    }

    /// The signed-in user: attributes and MFA settings (`GetUser`).
    pub fn get_user(
        &self,
        access_token: &(impl AccessToken + ?Sized),
    ) -> Call<'_, T, S, wire::GetUserResponse> {
        self.single(account::get_user(&self.pool, access_token))
    }

    /// Sets attributes of the signed-in user (`UpdateUserAttributes`); the answer lists
    /// the codes sent for those that need verifying.
    pub fn update_user_attributes(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        attributes: Vec<wire::AttributeType>,
    ) -> Call<'_, T, S, wire::UpdateUserAttributesResponse> {
        self.single(account::update_user_attributes(
            &self.pool,
            access_token,
            attributes,
        ))
    }

    /// Deletes attributes of the signed-in user (`DeleteUserAttributes`).
    pub fn delete_user_attributes(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        names: Vec<String>,
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::delete_user_attributes(
            &self.pool,
            access_token,
            names,
        ))
    }

    /// Sends a code to verify an attribute (`GetUserAttributeVerificationCode`).
    pub fn get_user_attribute_verification_code(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        attribute: &str,
    ) -> Call<'_, T, S, wire::CodeDeliveryResponse> {
        self.single(account::get_user_attribute_verification_code(
            &self.pool,
            access_token,
            attribute,
        ))
    }

    /// Verifies an attribute with its code (`VerifyUserAttribute`).
    pub fn verify_user_attribute(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        attribute: &str,
        code: &str,
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::verify_user_attribute(
            &self.pool,
            access_token,
            attribute,
            code,
        ))
    }

    /// Starts TOTP setup for the signed-in user (`AssociateSoftwareToken`): put the
    /// answer's `secret_code` into an authenticator app (see
    /// [`cognito_flows::totp::otpauth_uri`] for its QR code), then
    /// [`verify_software_token`](Self::verify_software_token) with the app's code.
    pub fn associate_software_token(
        &self,
        access_token: &(impl AccessToken + ?Sized),
    ) -> Call<'_, T, S, wire::AssociateSoftwareTokenResponse> {
        self.single(account::associate_software_token(&self.pool, access_token))
    }

    /// Completes TOTP setup with the authenticator's current code (`VerifySoftwareToken`);
    /// then make TOTP the user's MFA with
    /// [`set_user_mfa_preference`](Self::set_user_mfa_preference).
    pub fn verify_software_token(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        code: &str,
        device_name: Option<&str>,
    ) -> Call<'_, T, S, wire::VerifySoftwareTokenResponse> {
        self.single(account::verify_software_token(
            &self.pool,
            access_token,
            code,
            device_name,
        ))
    }

    /// Sets the user's MFA preferences (`SetUserMFAPreference`); `None` leaves a method
    /// unchanged.
    pub fn set_user_mfa_preference(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        preferences: account::MfaPreferences,
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::set_user_mfa_preference(
            &self.pool,
            access_token,
            preferences,
        ))
    }

    /// The JS SDK's `enableMFA` (`true`: SMS to `phone_number`) and `disableMFA`
    /// (`SetUserSettings`, the legacy MFA options).
    pub fn set_user_settings(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        sms_mfa: bool,
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::set_user_settings(
            &self.pool,
            access_token,
            sms_mfa,
        ))
    }

    /// One page of the user's devices, 60 at most (`ListDevices`): pass the previous
    /// page's `pagination_token` for the next.
    pub fn list_devices(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        page: Option<&str>,
    ) -> Call<'_, T, S, wire::ListDevicesResponse> {
        self.single(account::list_devices(
            &self.pool,
            access_token,
            Some(60),
            page,
        ))
    }

    /// A device (`GetDevice`).
    pub fn get_device(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        device_key: &str,
    ) -> Call<'_, T, S, wire::GetDeviceResponse> {
        self.single(account::get_device(&self.pool, access_token, device_key))
    }

    /// Remembers a device, so that it may skip MFA, or stops remembering it
    /// (`UpdateDeviceStatus`).
    pub fn update_device_status(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        device_key: &str,
        remembered: bool,
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::update_device_status(
            &self.pool,
            access_token,
            device_key,
            remembered,
        ))
    }

    /// Forgets a device (`ForgetDevice`).
    pub fn forget_device(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        device_key: &str,
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::forget_device(&self.pool, access_token, device_key))
    }

    /// Signs the user out everywhere: every token of the user stops working
    /// (`GlobalSignOut`).
    pub fn global_sign_out(
        &self,
        access_token: &(impl AccessToken + ?Sized),
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::global_sign_out(&self.pool, access_token))
    }

    /// Revokes a refresh token and the tokens issued from it (`RevokeToken`), with the
    /// pool's client secret when it has one.
    pub fn revoke_token(&self, refresh_token: &SecretString) -> Call<'_, T, S, wire::Empty> {
        self.single(account::revoke_token(&self.pool, refresh_token, None))
    }

    /// The user's sign-in factors (`PASSWORD`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`) and
    /// MFA settings (`GetUserAuthFactors`).
    pub fn get_user_auth_factors(
        &self,
        access_token: &(impl AccessToken + ?Sized),
    ) -> Call<'_, T, S, wire::GetUserAuthFactorsResponse> {
        self.single(account::get_user_auth_factors(&self.pool, access_token))
    }

    /// Starts registering a passkey (`StartWebAuthnRegistration`): give the answer's
    /// `credential_creation_options` to the authenticator (`navigator.credentials.create`),
    /// then [`complete_web_authn_registration`](Self::complete_web_authn_registration)
    /// with what it returns.
    pub fn start_web_authn_registration(
        &self,
        access_token: &(impl AccessToken + ?Sized),
    ) -> Call<'_, T, S, wire::StartWebAuthnRegistrationResponse> {
        self.single(account::start_web_authn_registration(
            &self.pool,
            access_token,
        ))
    }

    /// Registers the passkey the authenticator created: its `PublicKeyCredential`
    /// (`RegistrationResponseJSON`) as JSON (`CompleteWebAuthnRegistration`).
    pub fn complete_web_authn_registration(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        credential: serde_json::Value,
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::complete_web_authn_registration(
            &self.pool,
            access_token,
            credential,
        ))
    }

    /// One page of the user's passkeys, 20 at most (`ListWebAuthnCredentials`): pass the
    /// previous page's `next_token` for the next, or read them all with
    /// [`web_authn_credentials`](Self::web_authn_credentials).
    pub fn list_web_authn_credentials(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        page: Option<&str>,
    ) -> Call<'_, T, S, wire::ListWebAuthnCredentialsResponse> {
        self.single(account::list_web_authn_credentials(
            &self.pool,
            access_token,
            Some(20),
            page,
        ))
    }

    /// Deletes one of the user's passkeys by its `credential_id`
    /// (`DeleteWebAuthnCredential`).
    pub fn delete_web_authn_credential(
        &self,
        access_token: &(impl AccessToken + ?Sized),
        credential_id: &str,
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::delete_web_authn_credential(
            &self.pool,
            access_token,
            credential_id,
        ))
    }

    /// The user's verdict on a sign-in that threat protection flagged, from the link of
    /// its notification email (`UpdateAuthEventFeedback`).
    pub fn update_auth_event_feedback(
        &self,
        username: &str,
        event_id: &str,
        feedback_token: &SecretString,
        value: wire::FeedbackValue,
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::update_auth_event_feedback(
            &self.pool,
            username,
            event_id,
            feedback_token,
            value,
        ))
    }

    /// Deletes the signed-in user (`DeleteUser`).
    pub fn delete_user(
        &self,
        access_token: &(impl AccessToken + ?Sized),
    ) -> Call<'_, T, S, wire::Empty> {
        self.single(account::delete_user(&self.pool, access_token))
    }
}

/// The revocation of `session`'s refresh token, or nothing to do.
fn revoking<'a>(pool: &UserPool, session: Option<StoredSession>) -> Job<'a, ()> {
    match session.and_then(|session| session.sign_out(pool)) {
        Some(call) => Job::then(call, |_| Ok(())),
        None => Job::ended(Ok(())),
    }
}

/// Every page of `ListWebAuthnCredentials`, as one flow: each page's call runs in turn.
struct EveryPasskey<'a> {
    pool: &'a UserPool,
    token: SecretString,
    pages: Pages,
    page: account::Call<wire::ListWebAuthnCredentialsResponse>,
    all: Vec<WebAuthnCredentialDescription>,
    end: Option<cognito_flows::Error>,
}

impl Flow for EveryPasskey<'_> {
    type Output = Vec<WebAuthnCredentialDescription>;

    fn poll_action(&self) -> Action<Self::Output> {
        if let Some(error) = &self.end {
            return Action::Failed(error.clone());
        }
        match self.page.poll_action() {
            Action::Send(request) => Action::Send(request),
            Action::Wait(delay) => Action::Wait(delay),
            Action::Prompt(prompt) => Action::Prompt(prompt),
            // A page that ends the list is kept as the last (see `handle_response`).
            Action::Done(_) => Action::Done(self.all.clone()),
            Action::Failed(error) => Action::Failed(error),
        }
    }

    fn handle_response(
        &mut self,
        now: std::time::SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<(), cognito_flows::Error> {
        self.page.handle_response(now, response)?;
        if let Action::Done(page) = self.page.poll_action() {
            self.all.extend(page.credentials);
            match self.pages.next(page.next_token) {
                Ok(Some(token)) => {
                    self.page = account::list_web_authn_credentials(
                        self.pool,
                        &self.token,
                        Some(20),
                        Some(&token),
                    );
                }
                Ok(None) => {}
                Err(e) => {
                    self.end = Some(e.clone().into());
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    fn handle_input(&mut self, input: Input) -> Result<(), cognito_flows::Error> {
        self.page.handle_input(input)
    }

    fn resend(&self) -> cognito_flows::flows::Resend {
        match &self.end {
            Some(_) => cognito_flows::flows::Resend::NoRequest,
            None => self.page.resend(),
        }
    }
}
