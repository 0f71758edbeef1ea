//! A signed-in user's session, as the JS SDK's `CognitoUserSession` users know it: the tokens,
//! whether they are still valid (with the clock drift), whether it is time to refresh, and the
//! refresh itself.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::entropy::Entropy;
use crate::flows::{DeviceCredentials, SignIn, SignedIn};
use crate::pool::UserPool;
use crate::tokens::Tokens;

/// A signed-in user's stored session, the JS SDK's `CognitoUserSession` (not Cognito's challenge
/// `Session`, a [`SecretString`](crate::SecretString) in the wire types). Persist it with serde
/// (it holds secrets), check it with [`StoredSession::is_valid`], refresh it with
/// [`StoredSession::refresh`] when [`StoredSession::needs_refresh`] says so.
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
/// # use cognito_flows::{StoredSession, Tokens};
/// # fn demo(session: &mut StoredSession, pool: &cognito_flows::UserPool, now: std::time::SystemTime) {
/// use std::time::Duration;
/// if session.needs_refresh(now, Duration::from_secs(300)) {
///     if let Some(flow) = session.refresh(pool, cognito_flows::Entropy::from([0; 32])) {
///         // drive `flow`, then: session.update(signed_in)
///     }
/// }
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

    /// The refresh flow (`REFRESH_TOKEN_AUTH`, with the device key when there is one), or
    /// `None` without a refresh token.
    pub fn refresh(&self, pool: &UserPool, entropy: Entropy) -> Option<SignIn> {
        let token = self.tokens.refresh_token.clone()?;
        let username = self.tokens.username().unwrap_or(&self.username).to_owned();
        let builder = SignIn::builder(pool);
        let builder = match &self.device {
            Some(device) => builder.with_device(device.clone()),
            None => builder,
        };
        Some(builder.refresh(&username, token, entropy))
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
