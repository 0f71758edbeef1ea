//! The JS SDK's storage keys, so that a Rust service can read what a JavaScript front end stored
//! (in `localStorage`, or in cookies with `CookieStorage`) and write what it will read.
//!
//! `amazon-cognito-identity-js` keeps a session under
//! `CognitoIdentityServiceProvider.{clientId}.{username}.{idToken|accessToken|refreshToken|clockDrift}`,
//! a remembered device under `...{username}.{deviceKey|deviceGroupKey|randomPasswordKey}`, and the
//! last user under `CognitoIdentityServiceProvider.{clientId}.LastAuthUser`.
//!
//! ```
//! use std::collections::BTreeMap;
//! use cognito_flows::storage::{self, Key};
//!
//! let mut store = BTreeMap::new();
//! store.insert(storage::last_auth_user_key("client"), "alice".to_owned());
//! store.insert(storage::key("client", "alice", Key::RefreshToken), "r".to_owned());
//! assert_eq!(
//!     storage::key("client", "alice", Key::DeviceKey),
//!     "CognitoIdentityServiceProvider.client.alice.deviceKey"
//! );
//! let saved = storage::Saved::read("client", |k| store.get(k).cloned()).unwrap();
//! assert_eq!(saved.username, "alice");
//! assert_eq!(saved.refresh_token.unwrap().expose(), "r");
//! ```
//!
//! A [`Saved`] is a [`StoredSession`] and back ([`Saved::into_session`], [`Saved::from`]), so a
//! Rust back end or a desktop app and a JS front end share one session: tokens, clock drift,
//! device key, device group key and the device's random password. Cookies written by the JS
//! SDK's `CookieStorage` are read and written by [`cookie`].

pub mod cookie;

use std::fmt;

use crate::flows::DeviceCredentials;
use crate::secret::SecretString;
use crate::session::StoredSession;
use crate::tokens::{Jwt, Tokens};

const PREFIX: &str = "CognitoIdentityServiceProvider";

/// One item the JS SDK stores per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Key {
    /// `idToken`.
    IdToken,
    /// `accessToken`.
    AccessToken,
    /// `refreshToken`.
    RefreshToken,
    /// `clockDrift`, seconds.
    ClockDrift,
    /// `deviceKey`.
    DeviceKey,
    /// `deviceGroupKey`.
    DeviceGroupKey,
    /// `randomPasswordKey`: the device's password.
    RandomPassword,
}

impl Key {
    /// The name as the JS SDK writes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::IdToken => "idToken",
            Self::AccessToken => "accessToken",
            Self::RefreshToken => "refreshToken",
            Self::ClockDrift => "clockDrift",
            Self::DeviceKey => "deviceKey",
            Self::DeviceGroupKey => "deviceGroupKey",
            Self::RandomPassword => "randomPasswordKey",
        }
    }

    /// Every key, in the order above.
    pub const ALL: [Key; 7] = [
        Self::IdToken,
        Self::AccessToken,
        Self::RefreshToken,
        Self::ClockDrift,
        Self::DeviceKey,
        Self::DeviceGroupKey,
        Self::RandomPassword,
    ];
}

/// `CognitoIdentityServiceProvider.{client_id}.{username}.{key}`.
pub fn key(client_id: &str, username: &str, key: Key) -> String {
    format!("{PREFIX}.{client_id}.{username}.{}", key.name())
}

/// `CognitoIdentityServiceProvider.{client_id}.LastAuthUser`.
pub fn last_auth_user_key(client_id: &str) -> String {
    format!("{PREFIX}.{client_id}.LastAuthUser")
}

/// What the JS SDK stored for the last user of a client.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Saved {
    /// `LastAuthUser`: the name Cognito knows the user by.
    pub username: String,
    /// The id token, if stored and decodable.
    pub id_token: Option<Jwt>,
    /// The access token, if stored and decodable.
    pub access_token: Option<Jwt>,
    /// The refresh token.
    pub refresh_token: Option<SecretString>,
    /// `clockDrift` (0 when absent or unreadable, as the JS SDK does).
    pub clock_drift: i64,
    /// The remembered device, when all three of its items are stored.
    pub device: Option<DeviceCredentials>,
}

impl fmt::Debug for Saved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Saved")
            .field("username", &self.username)
            .field("id_token", &self.id_token)
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("clock_drift", &self.clock_drift)
            .field("device", &self.device)
            .finish()
    }
}

impl Saved {
    /// Reads the last user's items through `get` (a map, cookies, ...). `None` when no user is
    /// recorded.
    pub fn read(client_id: &str, get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let username = get(&last_auth_user_key(client_id))?;
        let item = |k| get(&key(client_id, &username, k));
        let device = match (
            item(Key::DeviceKey),
            item(Key::DeviceGroupKey),
            item(Key::RandomPassword),
        ) {
            (Some(device_key), Some(device_group_key), Some(password)) => Some(DeviceCredentials {
                device_key,
                device_group_key,
                password: SecretString::new(password),
            }),
            _ => None,
        };
        Some(Self {
            id_token: item(Key::IdToken).and_then(|t| Jwt::decode(t).ok()),
            access_token: item(Key::AccessToken).and_then(|t| Jwt::decode(t).ok()),
            refresh_token: item(Key::RefreshToken).map(SecretString::new),
            clock_drift: item(Key::ClockDrift)
                .and_then(|d| d.trim().parse().ok())
                .unwrap_or(0),
            device,
            username,
        })
    }

    /// The items to store for `username`'s `tokens` (and device), as `(key, value)` pairs, the
    /// way the JS SDK's `cacheTokens` and `cacheDeviceKeyAndPassword` write them.
    pub fn items(
        client_id: &str,
        username: &str,
        tokens: &Tokens,
        device: Option<&DeviceCredentials>,
    ) -> Vec<(String, SecretString)> {
        let mut items = Vec::new();
        if let Some(id) = &tokens.id_token {
            items.push((
                key(client_id, username, Key::IdToken),
                SecretString::new(id.expose()),
            ));
        }
        items.extend([
            (
                key(client_id, username, Key::AccessToken),
                SecretString::new(tokens.access_token.expose()),
            ),
            (
                key(client_id, username, Key::ClockDrift),
                SecretString::new(tokens.clock_drift.to_string()),
            ),
            (last_auth_user_key(client_id), SecretString::new(username)),
        ]);
        if let Some(refresh) = &tokens.refresh_token {
            items.push((key(client_id, username, Key::RefreshToken), refresh.clone()));
        }
        if let Some(device) = device {
            items.push((
                key(client_id, username, Key::DeviceKey),
                SecretString::new(device.device_key.as_str()),
            ));
            items.push((
                key(client_id, username, Key::DeviceGroupKey),
                SecretString::new(device.device_group_key.as_str()),
            ));
            items.push((
                key(client_id, username, Key::RandomPassword),
                device.password.clone(),
            ));
        }
        items
    }
}

impl Saved {
    /// The stored session this is: `None` when no access token was stored (or it does not
    /// decode), as the JS SDK's `getSession` then has no session either. The tokens keep the
    /// stored clock drift; they count as received when their earliest `iat` says, corrected by
    /// it (the JS SDK stores no arrival time).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cognito_flows::storage::Saved;
    /// use cognito_flows::testing::{self, Canned};
    /// use cognito_flows::{Entropy, SignIn, StoredSession, UserPool};
    ///
    /// let pool = UserPool::new("us-east-1_AbC123", "client")?;
    /// let mut cognito = Canned::new([testing::tokens("alice")]);
    /// let session = StoredSession::from(cognito.run(SignIn::user_password(&pool, "alice", "pw", Entropy::from([1; 32])))?);
    /// // What the JS SDK would have written to localStorage:
    /// let store: BTreeMap<String, String> = session
    ///     .storage_items("client")
    ///     .into_iter()
    ///     .map(|(k, v)| (k, v.expose().to_owned()))
    ///     .collect();
    /// let saved = Saved::read("client", |k| store.get(k).cloned()).ok_or("nobody signed in")?;
    /// let restored = saved.into_session().ok_or("no access token")?;
    /// assert_eq!(restored.tokens.access_token, session.tokens.access_token);
    /// assert_eq!(restored.tokens.expires_at(), session.tokens.expires_at());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_session(self) -> Option<StoredSession> {
        let access_token = self.access_token?;
        let issued = [
            access_token.claims().iat(),
            self.id_token.as_ref().and_then(|t| t.claims().iat()),
        ]
        .into_iter()
        .flatten()
        .min();
        let tokens = Tokens {
            received_at: issued.map_or(0, |iat| iat.saturating_add(self.clock_drift)),
            clock_drift: self.clock_drift,
            id_token: self.id_token,
            access_token,
            refresh_token: self.refresh_token,
            expires_in: None,
        };
        Some(StoredSession {
            tokens,
            username: self.username,
            device: self.device,
        })
    }
}

impl From<&StoredSession> for Saved {
    /// What the JS SDK would store for this session.
    fn from(session: &StoredSession) -> Self {
        Self {
            username: session.username.clone(),
            id_token: session.tokens.id_token.clone(),
            access_token: Some(session.tokens.access_token.clone()),
            refresh_token: session.tokens.refresh_token.clone(),
            clock_drift: session.tokens.clock_drift,
            device: session.device.clone(),
        }
    }
}

impl StoredSession {
    /// The JS SDK's storage items for this session (`idToken`, `accessToken`, `refreshToken`,
    /// `clockDrift`, `LastAuthUser`, and the device's three), as [`Saved::items`] writes them:
    /// put them in `localStorage`, or in cookies with [`cookie::CookieStorage`].
    pub fn storage_items(&self, client_id: &str) -> Vec<(String, SecretString)> {
        Saved::items(
            client_id,
            &self.username,
            &self.tokens,
            self.device.as_ref(),
        )
    }
}
