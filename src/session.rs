//! A signed-in user's session, as the JS SDK's `CognitoUserSession` users know it: the tokens,
//! whether they are still valid (with the clock drift), the JS SDK's `getSession` (valid, or the
//! refresh to run), the refresh itself and the sign-out.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::flows::account::{self, Call};
use crate::flows::refresh::Refresh;
use crate::flows::{DeviceCredentials, SignedIn};
use crate::pool::UserPool;
use crate::secret::SecretString;
use crate::tokens::Tokens;
use crate::wire::Empty;

/// A signed-in user's stored session, the JS SDK's `CognitoUserSession` (not Cognito's challenge
/// `Session`, a [`SecretString`] in the wire types). Persist it with serde
/// (it holds secrets), check it with [`StoredSession::is_valid`], refresh it with
/// [`StoredSession::refresh`] when [`StoredSession::needs_refresh`] says so, or ask
/// [`StoredSession::get_session`] for both at once.
///
/// # Storing it safely
///
/// `Debug` redacts every secret, but the **serde form holds the refresh token, the access and id
/// tokens and the device's password in clear**: whoever reads it can sign in as the user for the
/// refresh token's lifetime (30 days by default). Store it where secrets are stored: the OS
/// keyring (for example through the `keyring` crate) on desktops, or a file only the user can read,
/// created with mode `0600` (`std::os::unix::fs::OpenOptionsExt::mode`) and written atomically (a
/// temporary file in the same directory, then a rename) so that a crash never leaves half a
/// session: the adapters' `save_session` and `load_session` (`cognito-flows-ureq`,
/// `cognito-flows-async`) do exactly that, and zeroize the JSON. Never log it, put it in a URL,
/// or pass it on a command line. On sign-out, revoke the refresh token and delete what was stored.
///
/// ```
/// # use cognito_flows::{StoredSession, Tokens, testing::{self, Canned}};
/// # fn demo(session: &mut StoredSession, pool: &cognito_flows::UserPool, cognito: &mut Canned) -> Result<(), cognito_flows::Error> {
/// use cognito_flows::session::SessionCheck;
/// match session.get_session(pool, cognito.now) {
///     SessionCheck::Valid => {}
///     // drive the refresh: its outcome is the session with its new tokens (and its new refresh
///     // token when the app client rotates them), the device kept
///     SessionCheck::Refresh(flow) => *session = cognito.run(flow)?,
///     SessionCheck::SignedOut => { /* sign in again */ }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSession {
    /// The tokens.
    pub tokens: Tokens,
    /// The name Cognito knows the user by.
    pub username: String,
    /// The device credentials, when this device is confirmed.
    #[serde(default)]
    pub device: Option<DeviceCredentials>,
}

impl From<SignedIn> for StoredSession {
    fn from(signed_in: SignedIn) -> Self {
        Self {
            tokens: signed_in.tokens,
            username: signed_in.username,
            device: signed_in.device.map(|d| d.credentials),
        }
    }
}

impl StoredSession {
    /// Whether the id and access tokens are valid at `now` (the JS SDK's `isValid()`).
    pub fn is_valid(&self, now: SystemTime) -> bool {
        self.tokens.is_valid(now)
    }

    /// Whether the id or access token expires within `margin` of `now` (or already has).
    pub fn needs_refresh(&self, now: SystemTime, margin: Duration) -> bool {
        now.checked_add(margin)
            .is_none_or(|deadline| deadline >= self.tokens.expires_at())
    }

    /// The refresh flow, or `None` without a refresh token. Its outcome is this session with the
    /// new tokens, the new refresh token when the app client rotates them (the old one otherwise),
    /// and the device (forgotten if Cognito no longer knows it): replace the stored session with
    /// it. It sends `GetTokensFromRefreshToken`, which every app client accepts, with the device
    /// key; see [`flows::refresh`](crate::flows::refresh) for the method and its fallback.
    pub fn refresh(&self, pool: &UserPool) -> Option<Refresh> {
        self.tokens.refresh_token.as_ref()?;
        Some(Refresh::start(pool, self.clone()))
    }

    /// The JS SDK's `getSession`: whether the id and access tokens are valid now, for at least
    /// [`StoredSession::REFRESH_MARGIN`] more (this machine's clock corrected by the clock
    /// drift), or the refresh to run, or neither (no refresh token: sign in again).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cognito_flows::session::SessionCheck;
    /// use cognito_flows::testing::{self, Canned};
    /// use cognito_flows::{Entropy, SignIn, StoredSession, UserPool};
    ///
    /// let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
    /// let mut cognito = Canned::new([testing::tokens("alice"), testing::tokens("alice")]);
    /// let signed_in = cognito.run(SignIn::user_password(&pool, "alice", "pw", Entropy::from([1; 32])))?;
    /// let mut session = StoredSession::from(signed_in);
    /// assert!(matches!(session.get_session(&pool, cognito.now), SessionCheck::Valid));
    ///
    /// let later = cognito.now + Duration::from_secs(3600);
    /// let SessionCheck::Refresh(flow) = session.get_session(&pool, later) else { unreachable!() };
    /// session = cognito.run(flow)?;
    /// assert!(session.refresh_token().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get_session(&self, pool: &UserPool, now: SystemTime) -> SessionCheck {
        if !self.needs_refresh(now, Self::REFRESH_MARGIN) {
            return SessionCheck::Valid;
        }
        match self.refresh(pool) {
            Some(flow) => SessionCheck::Refresh(flow),
            None => SessionCheck::SignedOut,
        }
    }

    /// How long before they expire [`StoredSession::get_session`] refreshes the tokens: a
    /// minute, so that a token it calls valid is still valid when a request carries it.
    pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

    /// The identity pool logins map (Cognito Identity's `Logins`): the id token under the
    /// user pool's provider name, `cognito-idp.{region}.amazonaws.com/{pool id}`. `None`
    /// without an id token (a hosted-UI sign-in without the `openid` scope).
    pub fn identity_pool_logins(
        &self,
        pool: &UserPool,
    ) -> Option<std::collections::BTreeMap<String, SecretString>> {
        let id = self.tokens.id_token.as_ref()?;
        let issuer = pool.issuer();
        let provider = issuer
            .strip_prefix("https://")
            .unwrap_or(&issuer)
            .to_owned();
        Some([(provider, SecretString::new(id.expose()))].into())
    }

    /// The refresh token, if any.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.tokens.refresh_token.as_ref()
    }

    /// Sign-out: `RevokeToken` of the refresh token (with the app client's secret when it has
    /// one), which also ends the access tokens issued from it; `None` without a refresh token.
    /// Then delete what was stored (the adapters' `sign_out` does both).
    pub fn sign_out(&self, pool: &UserPool) -> Option<Call<Empty>> {
        let token = self.tokens.refresh_token.as_ref()?;
        let secret = pool.client_secret().map(|s| SecretString::new(s.expose()));
        Some(account::revoke_token(pool, token, secret.as_ref()))
    }

    /// Takes the tokens of a refresh (or a new sign-in); forgets the device if Cognito said it
    /// no longer exists.
    pub fn update(&mut self, signed_in: SignedIn) {
        if signed_in.forgotten_device.is_some() {
            self.device = None;
        }
        if let Some(device) = signed_in.device {
            self.device = Some(device.credentials);
        }
        self.tokens = signed_in.tokens;
        self.username = signed_in.username;
    }
}

impl From<Tokens> for StoredSession {
    /// A session of tokens that came without a sign-in, e.g. from the hosted UI: the user is the
    /// access token's `username` claim, there is no device.
    fn from(tokens: Tokens) -> Self {
        Self {
            username: tokens.username().unwrap_or_default().to_owned(),
            tokens,
            device: None,
        }
    }
}

/// What [`StoredSession::get_session`] found: one of three answers, matched exhaustively.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "returned once and matched at once; a box would only add a deref to every caller"
)]
pub enum SessionCheck {
    /// The id and access tokens are valid now (with the clock drift) and for at least
    /// [`StoredSession::REFRESH_MARGIN`] more: use them.
    Valid,
    /// They have expired, or will soon: run this flow and store its outcome, the refreshed
    /// session.
    Refresh(Refresh),
    /// They have expired and there is no refresh token: the user must sign in again.
    SignedOut,
}
