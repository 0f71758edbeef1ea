//! The hosted UI's records: signed-in browsers, sign-ins waiting for their MFA code, validated
//! authorization requests and OAuth codes waiting for their exchange. They live in memory only.

use std::collections::BTreeMap;

/// The hosted UI's server-side state: signed-in browsers and sign-ins waiting for their MFA code.
/// (No `Debug`: it holds the CSRF key, session cookies and SMS codes.)
#[derive(Default)]
pub(crate) struct Logins {
    pub key: Option<[u8; 32]>,
    pub sessions: BTreeMap<String, SignedIn>,
    pub pending: BTreeMap<String, PendingMfa>,
    /// Sign-ins gone to an identity provider, by the `state` sent to it.
    pub federating: BTreeMap<String, Federating>,
}

/// A sign-in gone to an identity provider, waiting for the browser to come back to
/// `/oauth2/idpresponse` with the `state` it is kept under.
pub(crate) struct Federating {
    /// The CSRF cookie of the browser that started it: only that browser may finish it.
    pub browser: String,
    pub pool_id: String,
    /// The provider's name (`ProviderName`).
    pub provider: String,
    /// The app's authorization request, answered once the provider signed the user in.
    pub authz: Authz,
    /// The nonce sent to the provider, which its id token must carry.
    pub nonce: String,
    /// The provider's token endpoint and JWKS, as found when the sign-in started.
    pub token_url: String,
    pub jwks_uri: String,
    /// Its userInfo endpoint, when it has one.
    pub user_info: Option<String>,
    pub expires: u64,
}

/// A browser signed in to the hosted UI.
pub(crate) struct SignedIn {
    pub pool_id: String,
    pub username: String,
    /// The `sub` of the user who signed in: a new user of the same name is someone else.
    pub sub: String,
    /// When the user signed in (Unix seconds; its SSO session's `CreateDate`): an app client
    /// reuses the session for its SSO session's minutes from then.
    pub signed_in: u64,
    pub expires: u64,
    /// Its SSO session: [`sso_session_id`] of the cookie it first signed in with, kept when an
    /// authorization of the signed-in browser hands it a new cookie.
    pub sso: String,
}

/// The id of the SSO session of a signed-in browser whose session cookie is `cookie`: `sso` and
/// 25 lowercase hex digits of the cookie's SHA-256 (the cookie itself is never shown).
pub(crate) fn sso_session_id(cookie: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("sso\n{cookie}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sso{}", hex.get(..25).unwrap_or_default())
}

/// The step a pending sign-in waits for.
pub(crate) enum Factor {
    /// The TOTP code of the user's authenticator app.
    Totp,
    /// The SMS MFA code sent.
    Sms(String),
    /// The email MFA code sent (`EMAIL_OTP` as a second factor).
    Email(String),
    /// The code of a passwordless first factor (`EMAIL_OTP`, or `SMS_OTP` when `sms`): no MFA
    /// follows it.
    Otp { code: String, sms: bool },
    /// A new password, for a user created with a temporary one (NEW_PASSWORD_REQUIRED).
    NewPassword,
    /// The user picks one of these MFA methods (SELECT_MFA_TYPE).
    Select(Vec<String>),
    /// A passkey's assertion of `challenge` (WEB_AUTHN as the first factor): the request
    /// `options` (JSON) the page hands to `navigator.credentials.get`. No MFA follows it.
    Passkey { challenge: Vec<u8>, options: String },
}

/// A sign-in of the hosted UI waiting for its next step (an MFA or one-time code, a new
/// password, a choice of MFA method).
pub(crate) struct PendingMfa {
    /// The CSRF cookie of the browser that gave the password: only it may give the code.
    pub browser: String,
    pub pool_id: String,
    pub username: String,
    /// The `sub` of the user who gave the password.
    pub sub: String,
    pub authz: Authz,
    pub method: Factor,
    pub expires: u64,
    pub attempts: u32,
}

/// A validated authorization request: what the forms carry along as hidden fields.
#[derive(Debug, Clone)]
pub(crate) struct Authz {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub scope: Option<String>,
}

/// A code waiting for its exchange.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    /// The `sub` of the user the code was issued to: a new user of the same name is someone
    /// else.
    pub sub: String,
    pub redirect_uri: String,
    pub challenge: Option<String>,
    /// The authorization request's `nonce`, echoed in the id token.
    pub nonce: Option<String>,
    /// The scopes granted: those the request named (the client allowed them), or without any,
    /// every scope the client allows.
    pub scope: String,
    pub expires: u64,
    /// The SSO session (a signed-in browser) the code came through, if any.
    pub sso: Option<String>,
}
