//! A device's credentials: what a sign-in confirms, and what later device SRP sign-ins and
//! refreshes need.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::entropy::FlowRng;
use crate::secret::SecretString;
use crate::srp::{self, DeviceVerifier};

/// A confirmed device's credentials: `DeviceKey`, `DeviceGroupKey` and the random password that
/// only this device knows. Persist them (serde writes them in full); `Debug` redacts the
/// password, which is zeroized on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCredentials {
    /// `DeviceKey`, e.g. `us-east-1_0d7e5a2c-...`: the identity of device SRP.
    pub device_key: String,
    /// `DeviceGroupKey`: the realm of device SRP.
    pub device_group_key: String,
    /// The device's random password (base64 of 40 random bytes).
    pub password: SecretString,
}

impl fmt::Debug for DeviceCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCredentials")
            .field("device_key", &self.device_key)
            .field("device_group_key", &self.device_group_key)
            .field("password", &self.password)
            .finish()
    }
}

impl DeviceCredentials {
    /// Fresh credentials for a new device: a random password and salt, and the verifier that
    /// ConfirmDevice registers (computed from the DeviceKey, as Cognito checks it).
    pub(crate) fn generate(
        rng: &mut FlowRng,
        device_key: &str,
        device_group_key: &str,
    ) -> (Self, DeviceVerifier) {
        let password = SecretString::new(BASE64.encode(zeroize::Zeroizing::new(rng.bytes::<40>())));
        let salt = zeroize::Zeroizing::new(rng.bytes::<16>());
        let verifier = srp::device_verifier(
            device_group_key,
            device_key,
            password.expose().as_bytes(),
            &salt,
        );
        let credentials = Self {
            device_key: device_key.to_owned(),
            device_group_key: device_group_key.to_owned(),
            password,
        };
        (credentials, verifier)
    }
}

/// A remembered device, as a flow knows it.
#[derive(Debug, Clone)]
pub(crate) enum Device {
    /// `DEVICE_KEY` only (enough for refresh).
    Key(String),
    /// The full credentials, for device SRP.
    Credentials(DeviceCredentials),
}

impl Device {
    /// Its `DEVICE_KEY`.
    pub(crate) fn key(&self) -> &str {
        match self {
            Self::Key(key) => key,
            Self::Credentials(c) => &c.device_key,
        }
    }
}
