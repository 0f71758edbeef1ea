//! The account calls, the hosted UI and the token verifier.

use std::collections::BTreeMap;
use std::time::Duration;

use cognito_flows::flows::account::{self, MfaPreferences, NewUser};
use cognito_flows::flows::client_credentials::{
    ClientAuth, ClientCredentials as CoreClientCredentials,
};
use cognito_flows::flows::hosted_ui::{HostedUi as CoreHostedUi, ResponseType};
use cognito_flows::tokens::Jwt;
use cognito_flows::verify::{
    FetchPolicy, JwksFetch as CoreJwksFetch, Verification, Verifier as CoreVerifier, VerifyOptions,
};
use cognito_flows::wire::{AttributeType, FeedbackValue, MfaSettings};
use cognito_flows::{Password, SecretString};
use pyo3::prelude::*;

use crate::errors::{invalid_argument, invalid_token};
use crate::flows::{AnyTokenCall, Authorize, Call, SignIn, TokenCall, UserPool};
use crate::values::{Request, Secret, json_to_py, py_bool, py_str, system_time};

fn attributes(map: Option<BTreeMap<String, String>>) -> Vec<AttributeType> {
    map.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| AttributeType::new(k, v))
        .collect()
}

/// `SignUp`: registers a user. Done with `{"UserConfirmed": ..., "UserSub": ...,
/// "CodeDeliveryDetails": ...}`.
#[pyfunction]
#[pyo3(signature = (pool, username, password, *, attributes=None, validation_data=None,
    client_metadata=None))]
fn sign_up(
    pool: &UserPool,
    username: String,
    password: String,
    attributes: Option<BTreeMap<String, String>>,
    validation_data: Option<BTreeMap<String, String>>,
    client_metadata: Option<BTreeMap<String, String>>,
) -> Call {
    let mut user = NewUser::new(username, Password::new(password));
    user.attributes = self::attributes(attributes);
    user.validation_data = self::attributes(validation_data);
    user.client_metadata = client_metadata;
    Call::new(account::sign_up(&pool.0, &user))
}

/// `ConfirmSignUp` with the code Cognito sent.
#[pyfunction]
#[pyo3(signature = (pool, username, code, *, force_alias_creation=false))]
fn confirm_sign_up(
    pool: &UserPool,
    username: &str,
    code: &str,
    force_alias_creation: bool,
) -> Call {
    Call::new(account::confirm_sign_up(
        &pool.0,
        username,
        code,
        force_alias_creation,
    ))
}

/// `ResendConfirmationCode`.
#[pyfunction]
fn resend_confirmation_code(pool: &UserPool, username: &str) -> Call {
    Call::new(account::resend_confirmation_code(&pool.0, username))
}

/// `ChangePassword`.
#[pyfunction]
fn change_password(
    pool: &UserPool,
    access_token: &str,
    previous: String,
    proposed: String,
) -> Call {
    Call::new(account::change_password(
        &pool.0,
        access_token,
        &Password::new(previous),
        &Password::new(proposed),
    ))
}

/// `GetUser`: the user's name, attributes and MFA settings.
#[pyfunction]
fn get_user(pool: &UserPool, access_token: &str) -> Call {
    Call::new(account::get_user(&pool.0, access_token))
}

/// `UpdateUserAttributes`, e.g. `{"name": "Alice"}`.
#[pyfunction]
fn update_user_attributes(
    pool: &UserPool,
    access_token: &str,
    attributes: BTreeMap<String, String>,
) -> Call {
    Call::new(account::update_user_attributes(
        &pool.0,
        access_token,
        self::attributes(Some(attributes)),
    ))
}

/// `DeleteUserAttributes`.
#[pyfunction]
fn delete_user_attributes(pool: &UserPool, access_token: &str, names: Vec<String>) -> Call {
    Call::new(account::delete_user_attributes(
        &pool.0,
        access_token,
        names,
    ))
}

/// `GetUserAttributeVerificationCode`, e.g. for `email`.
#[pyfunction]
fn get_user_attribute_verification_code(
    pool: &UserPool,
    access_token: &str,
    attribute: &str,
) -> Call {
    Call::new(account::get_user_attribute_verification_code(
        &pool.0,
        access_token,
        attribute,
    ))
}

/// `VerifyUserAttribute` with the code Cognito sent.
#[pyfunction]
fn verify_user_attribute(pool: &UserPool, access_token: &str, attribute: &str, code: &str) -> Call {
    Call::new(account::verify_user_attribute(
        &pool.0,
        access_token,
        attribute,
        code,
    ))
}

fn mfa_settings(value: Option<(bool, bool)>) -> Option<MfaSettings> {
    value.map(|(enabled, preferred_mfa)| MfaSettings {
        enabled,
        preferred_mfa,
    })
}

/// `SetUserMFAPreference`: each factor is `None` (unchanged) or `(enabled, preferred)`.
#[pyfunction]
#[pyo3(signature = (pool, access_token, *, sms=None, totp=None, email=None))]
fn set_user_mfa_preference(
    pool: &UserPool,
    access_token: &str,
    sms: Option<(bool, bool)>,
    totp: Option<(bool, bool)>,
    email: Option<(bool, bool)>,
) -> Call {
    let preferences = MfaPreferences {
        sms: mfa_settings(sms),
        totp: mfa_settings(totp),
        email: mfa_settings(email),
    };
    Call::new(account::set_user_mfa_preference(
        &pool.0,
        access_token,
        preferences,
    ))
}

/// `SetUserSettings` (legacy SMS MFA on or off).
#[pyfunction]
fn set_user_settings(pool: &UserPool, access_token: &str, sms_mfa: bool) -> Call {
    Call::new(account::set_user_settings(&pool.0, access_token, sms_mfa))
}

/// `AssociateSoftwareToken`: done with `{"SecretCode": Secret(...)}`.
#[pyfunction]
fn associate_software_token(pool: &UserPool, access_token: &str) -> Call {
    Call::new(account::associate_software_token(&pool.0, access_token))
}

/// `VerifySoftwareToken` with the authenticator's current code.
#[pyfunction]
#[pyo3(signature = (pool, access_token, code, device_name=None))]
fn verify_software_token(
    pool: &UserPool,
    access_token: &str,
    code: &str,
    device_name: Option<&str>,
) -> Call {
    Call::new(account::verify_software_token(
        &pool.0,
        access_token,
        code,
        device_name,
    ))
}

/// `GlobalSignOut`: revokes every token of the user.
#[pyfunction]
fn global_sign_out(pool: &UserPool, access_token: &str) -> Call {
    Call::new(account::global_sign_out(&pool.0, access_token))
}

/// `RevokeToken`: revokes a refresh token and the tokens issued from it.
#[pyfunction]
#[pyo3(signature = (pool, refresh_token, client_secret=None))]
fn revoke_token(pool: &UserPool, refresh_token: String, client_secret: Option<String>) -> Call {
    let secret = client_secret.map(SecretString::new);
    Call::new(account::revoke_token(
        &pool.0,
        &SecretString::new(refresh_token),
        secret.as_ref(),
    ))
}

/// `DeleteUser`.
#[pyfunction]
fn delete_user(pool: &UserPool, access_token: &str) -> Call {
    Call::new(account::delete_user(&pool.0, access_token))
}

/// `ListDevices`.
#[pyfunction]
#[pyo3(signature = (pool, access_token, limit=None, pagination_token=None))]
fn list_devices(
    pool: &UserPool,
    access_token: &str,
    limit: Option<u32>,
    pagination_token: Option<&str>,
) -> Call {
    Call::new(account::list_devices(
        &pool.0,
        access_token,
        limit,
        pagination_token,
    ))
}

/// `GetDevice`.
#[pyfunction]
fn get_device(pool: &UserPool, access_token: &str, device_key: &str) -> Call {
    Call::new(account::get_device(&pool.0, access_token, device_key))
}

/// `ForgetDevice`.
#[pyfunction]
fn forget_device(pool: &UserPool, access_token: &str, device_key: &str) -> Call {
    Call::new(account::forget_device(&pool.0, access_token, device_key))
}

/// `UpdateDeviceStatus`: remembered or not.
#[pyfunction]
fn update_device_status(
    pool: &UserPool,
    access_token: &str,
    device_key: &str,
    remembered: bool,
) -> Call {
    Call::new(account::update_device_status(
        &pool.0,
        access_token,
        device_key,
        remembered,
    ))
}

/// What `ConfirmSignUp` sends (the JS SDK's `confirmRegistration`): the user name, the code,
/// `force_alias_creation`, and `SignUp`'s session, so that the user can be signed in right
/// after without the password (`sign_in_after_confirmation`). `repr()` hides the code and the
/// session.
#[pyclass(module = "cognito_flows", frozen)]
pub struct Confirmation(pub(crate) account::Confirmation);

#[pymethods]
impl Confirmation {
    #[new]
    #[pyo3(signature = (username, code, *, force_alias_creation=false, session=None))]
    fn new(
        username: String,
        code: &str,
        force_alias_creation: bool,
        session: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut confirmation = account::Confirmation::new(username, code);
        confirmation.force_alias_creation = force_alias_creation;
        confirmation.session = session.map(secret_or_text).transpose()?;
        Ok(Self(confirmation))
    }

    /// A confirmation carrying `signed_up`'s `Session` (the answer of `sign_up`, a `dict`),
    /// when Cognito gave one.
    #[staticmethod]
    fn after(signed_up: &Bound<'_, PyAny>, username: String, code: &str) -> PyResult<Self> {
        let mut confirmation = account::Confirmation::new(username, code);
        confirmation.session = session_of(signed_up)?;
        Ok(Self(confirmation))
    }

    /// The user name.
    #[getter]
    fn username(&self) -> &str {
        &self.0.username
    }

    /// Whether the alias moves to this user when another user has it.
    #[getter]
    fn force_alias_creation(&self) -> bool {
        self.0.force_alias_creation
    }

    /// Whether it carries `SignUp`'s session.
    #[getter]
    fn has_session(&self) -> bool {
        self.0.session.is_some()
    }

    fn __repr__(&self) -> String {
        format!(
            "Confirmation(username={}, code=[redacted], force_alias_creation={}, session={})",
            py_str(&self.0.username),
            py_bool(self.0.force_alias_creation),
            if self.0.session.is_some() {
                "[redacted]"
            } else {
                "None"
            },
        )
    }
}

/// A `Secret` or a `str`, as a secret.
fn secret_or_text(value: &Bound<'_, PyAny>) -> PyResult<SecretString> {
    Ok(match value.cast::<Secret>() {
        Ok(secret) => secret.get().0.clone(),
        Err(_) => SecretString::new(value.extract::<String>()?),
    })
}

/// The `Session` of an answer (`dict`), a `Secret` or a `str`, if any.
fn session_of(answer: &Bound<'_, PyAny>) -> PyResult<Option<SecretString>> {
    match answer.get_item("Session") {
        Ok(value) if !value.is_none() => secret_or_text(&value).map(Some),
        _ => Ok(None),
    }
}

/// `ConfirmSignUp` with every parameter: a `Confirmation` (its code, `force_alias_creation`,
/// and `SignUp`'s session, whose answer `sign_in_after_confirmation` signs in with).
#[pyfunction]
fn confirm_registration(pool: &UserPool, confirmation: &Confirmation) -> Call {
    Call::new(account::confirm_registration(&pool.0, &confirmation.0))
}

/// The `USER_AUTH` sign-in that follows a confirmation whose answer (`confirmed`, the `dict` of
/// `confirm_registration`) carried a `Session`: the user is signed in without the password.
/// `None` when the answer had no session.
#[pyfunction]
fn sign_in_after_confirmation(
    pool: &UserPool,
    username: &str,
    confirmed: &Bound<'_, PyAny>,
    entropy: &[u8],
) -> PyResult<Option<SignIn>> {
    let confirmed = cognito_flows::wire::ConfirmSignUpResponse {
        session: session_of(confirmed)?,
    };
    let entropy = crate::values::entropy(entropy)?;
    Ok(
        account::sign_in_after_confirmation(&pool.0, username, &confirmed, entropy)
            .map(SignIn::from_core),
    )
}

/// `UpdateAuthEventFeedback`: the user's verdict on a sign-in that threat protection flagged
/// (`valid`: it was them), with the `username`, `event_id` and `feedback_token` of the link in
/// its notification email.
#[pyfunction]
fn update_auth_event_feedback(
    pool: &UserPool,
    username: &str,
    event_id: &str,
    feedback_token: &Bound<'_, PyAny>,
    valid: bool,
) -> PyResult<Call> {
    let value = if valid {
        FeedbackValue::Valid
    } else {
        FeedbackValue::Invalid
    };
    Ok(Call::new(account::update_auth_event_feedback(
        &pool.0,
        username,
        event_id,
        &secret_or_text(feedback_token)?,
        value,
    )))
}

/// `GetUserAuthFactors`: the user's sign-in factors (`PASSWORD`, `EMAIL_OTP`, `SMS_OTP`,
/// `WEB_AUTHN`) and MFA settings.
#[pyfunction]
fn get_user_auth_factors(pool: &UserPool, access_token: &str) -> Call {
    Call::new(account::get_user_auth_factors(&pool.0, access_token))
}

/// `StartWebAuthnRegistration`: its `CredentialCreationOptions` go to the authenticator
/// (`navigator.credentials.create`), then `complete_web_authn_registration`.
#[pyfunction]
fn start_web_authn_registration(pool: &UserPool, access_token: &str) -> Call {
    Call::new(account::start_web_authn_registration(&pool.0, access_token))
}

/// `CompleteWebAuthnRegistration`: the authenticator's `PublicKeyCredential`
/// (`RegistrationResponseJSON`) as JSON text.
#[pyfunction]
fn complete_web_authn_registration(
    pool: &UserPool,
    access_token: &str,
    credential: &str,
) -> PyResult<Call> {
    let credential: serde_json::Value = serde_json::from_str(credential)
        .map_err(|e| invalid_argument(format!("the credential is not JSON: {e}")))?;
    Ok(Call::new(account::complete_web_authn_registration(
        &pool.0,
        access_token,
        credential,
    )))
}

/// `ListWebAuthnCredentials`: one page of the user's passkeys; pass the previous page's
/// `NextToken` for the next.
#[pyfunction]
#[pyo3(signature = (pool, access_token, max_results=None, next_token=None))]
fn list_web_authn_credentials(
    pool: &UserPool,
    access_token: &str,
    max_results: Option<u32>,
    next_token: Option<&str>,
) -> Call {
    Call::new(account::list_web_authn_credentials(
        &pool.0,
        access_token,
        max_results,
        next_token,
    ))
}

/// `DeleteWebAuthnCredential`: deletes one of the user's passkeys by its `CredentialId`.
#[pyfunction]
fn delete_web_authn_credential(pool: &UserPool, access_token: &str, credential_id: &str) -> Call {
    Call::new(account::delete_web_authn_credential(
        &pool.0,
        access_token,
        credential_id,
    ))
}

/// The TOTP code of `secret` (base32, as `associate_software_token` answers it in
/// `SecretCode`) at `now` (`time.time()`): what an authenticator app shows. Raises
/// `InvalidArgumentError` for a secret that is not base32.
#[pyfunction]
fn totp_code(secret: &Bound<'_, PyAny>, now: f64) -> PyResult<String> {
    let secret = secret_or_text(secret)?;
    cognito_flows::totp::code(secret.expose(), system_time(now)?)
        .map(|code| code.expose().to_owned())
        .map_err(|e| invalid_argument(e.to_string()))
}

/// The `otpauth://` URI of `secret` for an authenticator app (its QR code), labelled
/// `issuer:account`. It holds the secret: show it, don't log it.
#[pyfunction]
fn otpauth_uri(secret: &Bound<'_, PyAny>, issuer: &str, account: &str) -> PyResult<Secret> {
    let secret = secret_or_text(secret)?;
    Ok(Secret(cognito_flows::totp::otpauth_uri(
        secret.expose(),
        issuer,
        account,
    )))
}

/// A Cognito domain and app client, for the hosted UI (OAuth2 code flow with PKCE).
#[pyclass(module = "cognito_flows", frozen)]
pub struct HostedUi(CoreHostedUi);

#[pymethods]
impl HostedUi {
    #[new]
    #[pyo3(signature = (domain, client_id, redirect_uri, *, client_secret=None, scopes=None,
        identity_provider=None, idp_identifier=None, response_type="code"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        domain: &str,
        client_id: String,
        redirect_uri: &str,
        client_secret: Option<String>,
        scopes: Option<Vec<String>>,
        identity_provider: Option<String>,
        idp_identifier: Option<String>,
        response_type: &str,
    ) -> PyResult<Self> {
        let mut ui = CoreHostedUi::new(domain, client_id, redirect_uri)
            .map_err(|e| invalid_argument(e.to_string()))?;
        if let Some(secret) = client_secret {
            ui = ui.with_client_secret(secret);
        }
        if let Some(scopes) = scopes {
            ui = ui.with_scopes(scopes);
        }
        if let Some(provider) = identity_provider {
            ui = ui.with_identity_provider(provider);
        }
        if let Some(identifier) = idp_identifier {
            ui = ui.with_idp_identifier(identifier);
        }
        ui = ui.with_response_type(match response_type {
            "code" => ResponseType::Code,
            "token" => ResponseType::Token,
            other => {
                return Err(invalid_argument(format!(
                    "response_type {other:?} is not \"code\" or \"token\""
                )));
            }
        });
        Ok(Self(ui))
    }

    /// The sign-in: an `authorize` prompt with the URL to open, then `Input.callback(url)`.
    fn authorize(&self, entropy: &[u8]) -> PyResult<Authorize> {
        Ok(Authorize(
            self.0.authorize(crate::values::entropy(entropy)?),
        ))
    }

    /// New tokens from a refresh token (`grant_type=refresh_token`).
    fn refresh(&self, refresh_token: String) -> TokenCall {
        TokenCall(AnyTokenCall::Tokens(Box::new(
            self.0.refresh(SecretString::new(refresh_token)),
        )))
    }

    /// Revokes a refresh token (`/oauth2/revoke`).
    fn revoke(&self, refresh_token: String) -> TokenCall {
        TokenCall(AnyTokenCall::Revoke(
            self.0.revoke(&SecretString::new(refresh_token)),
        ))
    }

    /// The user's claims from `/oauth2/userInfo`.
    fn user_info(&self, access_token: String) -> PyResult<TokenCall> {
        let jwt = Jwt::decode(access_token).map_err(|e| invalid_argument(e.to_string()))?;
        Ok(TokenCall(AnyTokenCall::UserInfo(self.0.user_info(&jwt))))
    }

    /// The `/logout` URL that signs the browser out and goes to `logout_uri`.
    fn logout_url(&self, logout_uri: &str) -> String {
        self.0.logout_url(logout_uri)
    }

    fn __repr__(&self) -> &'static str {
        "HostedUi(...)"
    }
}

/// A confidential app client allowed the `client_credentials` OAuth flow, on the pool's domain
/// (or the emulator's endpoint): `token()` is the machine-to-machine token request, done with a
/// `MachineToken`. `auth`: `"basic"` (HTTP Basic, the default) or `"body"` (`client_id` and
/// `client_secret` in the form). `scopes`: the custom scopes to ask for (none: every scope the
/// app client allows). `repr()` never shows the secret.
#[pyclass(module = "cognito_flows", frozen)]
pub struct ClientCredentials(CoreClientCredentials);

#[pymethods]
impl ClientCredentials {
    #[new]
    #[pyo3(signature = (domain, client_id, client_secret, *, scopes=None, auth="basic"))]
    fn new(
        domain: &str,
        client_id: String,
        client_secret: String,
        scopes: Option<Vec<String>>,
        auth: &str,
    ) -> PyResult<Self> {
        let auth = match auth {
            "basic" => ClientAuth::Basic,
            "body" => ClientAuth::Body,
            other => {
                return Err(invalid_argument(format!(
                    "auth {other:?} is not \"basic\" or \"body\""
                )));
            }
        };
        let credentials = CoreClientCredentials::new(domain, client_id, client_secret)
            .map_err(|e| invalid_argument(e.to_string()))?
            .with_auth(auth)
            .with_scopes(scopes.unwrap_or_default());
        Ok(Self(credentials))
    }

    /// The app client's id.
    #[getter]
    fn client_id(&self) -> &str {
        self.0.client_id()
    }

    /// The scopes asked for.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.0.scopes().to_vec()
    }

    /// The token request (`POST /oauth2/token`, `grant_type=client_credentials`).
    fn token(&self) -> TokenCall {
        TokenCall(AnyTokenCall::Machine(Box::new(self.0.token())))
    }

    fn __repr__(&self) -> String {
        format!(
            "ClientCredentials(client_id={}, scopes={:?}, client_secret=[redacted])",
            py_str(self.0.client_id()),
            self.0.scopes()
        )
    }
}

/// Verifies a pool's tokens (RS256 against the pool's JWKS, and Cognito's claims), Sans-IO:
/// `verify` returns the claims, or a `JwksFetch` to make first (send its `request`, give the
/// answer to `handle_jwks_response`, or the failure to `handle_jwks_failure`, verify again).
/// Fetches are rate-limited by the verifier itself: a token naming an unknown key costs at most
/// one fetch per `refetch_interval`, so forged tokens cannot flood the JWKS endpoint.
#[pyclass(module = "cognito_flows")]
pub struct Verifier(CoreVerifier);

/// A JWKS fetch the verifier asked for (already recorded as issued): send `request`.
#[pyclass(module = "cognito_flows", frozen)]
pub struct JwksFetch(CoreJwksFetch);

#[pymethods]
impl JwksFetch {
    /// The JWKS address.
    #[getter]
    fn uri(&self) -> &str {
        self.0.uri()
    }

    /// The `GET` to send.
    #[getter]
    fn request(&self, py: Python<'_>) -> PyResult<Request> {
        Request::new(py, &self.0.request())
    }

    fn __repr__(&self) -> String {
        format!("JwksFetch(uri={})", py_str(self.0.uri()))
    }
}

#[pymethods]
impl Verifier {
    /// `token_use`: `"access"` or `"id"`. `client_ids`: the app clients allowed (empty: any).
    /// `leeway`, `refetch_interval`: seconds. `issuer`: another issuer than the pool's (a local
    /// server), with its keys at `jwks_uri` (default `{issuer}/.well-known/jwks.json`).
    #[new]
    #[pyo3(signature = (pool, *, token_use="access", client_ids=None, leeway=60.0,
        required_groups=None, required_scopes=None, refetch_interval=10.0, issuer=None,
        jwks_uri=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        pool: &UserPool,
        token_use: &str,
        client_ids: Option<Vec<String>>,
        leeway: f64,
        required_groups: Option<Vec<String>>,
        required_scopes: Option<Vec<String>>,
        refetch_interval: f64,
        issuer: Option<String>,
        jwks_uri: Option<String>,
    ) -> PyResult<Self> {
        let clients = client_ids.unwrap_or_else(|| vec![pool.0.client_id().to_owned()]);
        let mut options = match token_use {
            "access" => VerifyOptions::access_tokens(clients),
            "id" => VerifyOptions::id_tokens(clients),
            other => {
                return Err(invalid_argument(format!(
                    "token_use {other:?} is not \"access\" or \"id\""
                )));
            }
        };
        let duration = |what: &str, s: f64| {
            Duration::try_from_secs_f64(s)
                .map_err(|_| invalid_argument(format!("{what} must be a number of seconds >= 0")))
        };
        options.leeway = duration("leeway", leeway)?;
        options.required_groups = required_groups.unwrap_or_default();
        options.required_scopes = required_scopes.unwrap_or_default();
        let policy = FetchPolicy {
            refetch_interval: duration("refetch_interval", refetch_interval)?,
            ..FetchPolicy::default()
        };
        let builder = CoreVerifier::builder().fetch_policy(policy);
        let builder = match issuer {
            Some(issuer) => {
                let jwks_uri = jwks_uri.unwrap_or_else(|| {
                    format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'))
                });
                builder.issuer(issuer, jwks_uri, options)
            }
            None => builder.pool(&pool.0, options),
        };
        Ok(Self(builder.build()))
    }

    /// The `iss` tokens must carry.
    #[getter]
    fn issuer(&self) -> &str {
        self.0.issuer()
    }

    /// How many keys the verifier has.
    #[getter]
    fn key_count(&self) -> usize {
        self.0.key_count()
    }

    /// The fetches to make at startup (prefetching the keys), as `JwksFetch` objects.
    fn hydrate(&self, now: f64) -> PyResult<Vec<JwksFetch>> {
        Ok(self
            .0
            .hydrate(system_time(now)?)
            .into_iter()
            .map(JwksFetch)
            .collect())
    }

    /// The answer to `fetch`, received at `now`: the number of usable keys. Raises
    /// `InvalidTokenError` (reason `invalid_jwks`) if it is unusable.
    #[allow(clippy::too_many_arguments)]
    fn handle_jwks_response(
        &self,
        py: Python<'_>,
        fetch: &JwksFetch,
        now: f64,
        status: u16,
        headers: &Bound<'_, PyAny>,
        body: &[u8],
    ) -> PyResult<usize> {
        let now = system_time(now)?;
        let response = crate::flows::response(status, headers, body)?;
        self.0
            .handle_jwks_response(now, &fetch.0, response)
            .map_err(|e| invalid_token(py, &e))
    }

    /// Records that `fetch` failed (a transport error, a timeout), so the next fetch waits
    /// longer, and returns the `InvalidTokenError` (reason `jwks_fetch`) to raise.
    fn handle_jwks_failure(
        &self,
        py: Python<'_>,
        fetch: &JwksFetch,
        now: f64,
        reason: &str,
    ) -> PyResult<PyErr> {
        Ok(invalid_token(
            py,
            &self
                .0
                .handle_jwks_failure(system_time(now)?, &fetch.0, reason),
        ))
    }

    /// Verifies `token` at `now`: its claims (`dict`), or a `JwksFetch` to make first. Raises
    /// `InvalidTokenError`.
    fn verify(&self, py: Python<'_>, token: &str, now: f64) -> PyResult<Py<PyAny>> {
        match self.0.verify(token, system_time(now)?) {
            Verification::Valid(claims) => {
                json_to_py(py, &serde_json::Value::Object(claims.as_map().clone()))
            }
            Verification::FetchKeys(fetch) => Ok(Py::new(py, JwksFetch(fetch))?.into_any()),
            Verification::Invalid(e) => Err(invalid_token(py, &e)),
        }
    }

    fn __repr__(&self) -> String {
        format!("Verifier(issuer={})", py_str(self.0.issuer()))
    }
}

/// Adds the account calls and classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sign_up, m)?)?;
    m.add_function(wrap_pyfunction!(confirm_sign_up, m)?)?;
    m.add_function(wrap_pyfunction!(resend_confirmation_code, m)?)?;
    m.add_function(wrap_pyfunction!(change_password, m)?)?;
    m.add_function(wrap_pyfunction!(get_user, m)?)?;
    m.add_function(wrap_pyfunction!(update_user_attributes, m)?)?;
    m.add_function(wrap_pyfunction!(delete_user_attributes, m)?)?;
    m.add_function(wrap_pyfunction!(get_user_attribute_verification_code, m)?)?;
    m.add_function(wrap_pyfunction!(verify_user_attribute, m)?)?;
    m.add_function(wrap_pyfunction!(set_user_mfa_preference, m)?)?;
    m.add_function(wrap_pyfunction!(set_user_settings, m)?)?;
    m.add_function(wrap_pyfunction!(associate_software_token, m)?)?;
    m.add_function(wrap_pyfunction!(verify_software_token, m)?)?;
    m.add_function(wrap_pyfunction!(global_sign_out, m)?)?;
    m.add_function(wrap_pyfunction!(revoke_token, m)?)?;
    m.add_function(wrap_pyfunction!(delete_user, m)?)?;
    m.add_function(wrap_pyfunction!(list_devices, m)?)?;
    m.add_function(wrap_pyfunction!(get_device, m)?)?;
    m.add_function(wrap_pyfunction!(forget_device, m)?)?;
    m.add_function(wrap_pyfunction!(update_device_status, m)?)?;
    m.add_function(wrap_pyfunction!(confirm_registration, m)?)?;
    m.add_function(wrap_pyfunction!(sign_in_after_confirmation, m)?)?;
    m.add_function(wrap_pyfunction!(update_auth_event_feedback, m)?)?;
    m.add_function(wrap_pyfunction!(get_user_auth_factors, m)?)?;
    m.add_function(wrap_pyfunction!(start_web_authn_registration, m)?)?;
    m.add_function(wrap_pyfunction!(complete_web_authn_registration, m)?)?;
    m.add_function(wrap_pyfunction!(list_web_authn_credentials, m)?)?;
    m.add_function(wrap_pyfunction!(delete_web_authn_credential, m)?)?;
    m.add_class::<Confirmation>()?;
    m.add_function(wrap_pyfunction!(totp_code, m)?)?;
    m.add_function(wrap_pyfunction!(otpauth_uri, m)?)?;
    m.add_class::<HostedUi>()?;
    m.add_class::<ClientCredentials>()?;
    m.add_class::<Verifier>()?;
    m.add_class::<JwksFetch>()?;
    Ok(())
}
