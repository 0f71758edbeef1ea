//! Passkeys as records: a pool's WebAuthn settings, its registered passkeys and its pending
//! registrations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A pool's passkey settings (Cognito's `WebAuthnConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebAuthnConfig {
    /// The relying party id: the domain passkeys are bound to (Cognito: the user pool's domain
    /// by default). Origins must be on it or on a subdomain of it.
    pub relying_party_id: String,
    /// Cognito's `UserVerification = required`: registrations and sign-ins without user
    /// verification (the UV flag) are refused. `false` is Cognito's `preferred`.
    pub require_user_verification: bool,
}

impl Default for WebAuthnConfig {
    /// `localhost`, user verification preferred.
    fn default() -> Self {
        Self {
            relying_party_id: "localhost".into(),
            require_user_verification: false,
        }
    }
}

/// A registered passkey: its id and public key, never a private key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Passkey {
    pub id: Vec<u8>,
    /// The uncompressed P-256 point, `04 || x || y`.
    pub public_key: Vec<u8>,
    pub sign_count: u32,
    pub relying_party_id: String,
    pub name: String,
    pub attachment: Option<String>,
    pub transports: Vec<String>,
    pub created: u64,
}

/// A registration started and not yet completed.
#[derive(Debug, Clone)]
pub(crate) struct Registration {
    pub challenge: [u8; 32],
    pub expires: u64,
}

/// A pool's passkeys, by the `sub` of their user (a user re-created under the same name does
/// not inherit them), kept in the pool's row of the data directory; and its pending
/// registrations, which live five minutes and are not kept (as sign-in sessions are not).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Passkeys {
    pub by_user: BTreeMap<String, Vec<Passkey>>,
    #[serde(skip)]
    pub pending: BTreeMap<String, Registration>,
}

impl Passkeys {
    /// Forgets a deleted user's passkeys.
    pub(crate) fn forget(&mut self, sub: &str) {
        self.by_user.remove(sub);
        self.pending.remove(sub);
    }

    /// A user's passkeys.
    pub(crate) fn of(&self, sub: &str) -> &[Passkey] {
        self.by_user.get(sub).map_or(&[], Vec::as_slice)
    }
}
