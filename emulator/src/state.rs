//! The emulator's data: pools, clients, users, devices, sessions, tokens, the outbox.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use num_bigint::BigUint;
use rand_chacha::ChaCha20Rng;
use rand_core::Rng as _;

/// Whether a pool asks for MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mfa {
    /// Never.
    #[default]
    Off,
    /// When the user has set it up.
    Optional,
    /// Always: users without MFA must set it up while signing in (`MFA_SETUP`).
    On,
}

/// Whether a pool tracks devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceTracking {
    /// No devices.
    #[default]
    Off,
    /// Every device is remembered.
    Always,
    /// The user chooses (`UserConfirmationNecessary`).
    UserOptIn,
}

/// A password policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Minimum length.
    pub minimum_length: usize,
    /// An uppercase letter is required.
    pub require_uppercase: bool,
    /// A lowercase letter is required.
    pub require_lowercase: bool,
    /// A digit is required.
    pub require_numbers: bool,
    /// A symbol is required.
    pub require_symbols: bool,
}

impl Default for PasswordPolicy {
    /// Cognito's default policy.
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
        }
    }
}

impl PasswordPolicy {
    pub(crate) fn check(&self, password: &str) -> Result<(), String> {
        let mut missing = Vec::new();
        if password.chars().count() < self.minimum_length {
            missing.push(format!(
                "Password not long enough (minimum {})",
                self.minimum_length
            ));
        }
        if self.require_uppercase && !password.chars().any(char::is_uppercase) {
            missing.push("Password must have uppercase characters".into());
        }
        if self.require_lowercase && !password.chars().any(char::is_lowercase) {
            missing.push("Password must have lowercase characters".into());
        }
        if self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            missing.push("Password must have numeric characters".into());
        }
        if self.require_symbols
            && !password
                .chars()
                .any(|c| c.is_ascii_punctuation() || c == ' ')
        {
            missing.push("Password must have symbol characters".into());
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "Password did not conform with policy: {}",
                missing.join("; ")
            ))
        }
    }
}

/// One step of a custom authentication so far, as Cognito's Lambda triggers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeResult {
    /// `SRP_A` / `PASSWORD_VERIFIER` or `CUSTOM_CHALLENGE`.
    pub name: String,
    /// Whether it was answered right.
    pub correct: bool,
}

/// What the define-challenge trigger decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Define {
    /// Sign the user in.
    IssueTokens,
    /// Refuse (`NotAuthorizedException`).
    Fail,
    /// Ask a custom challenge (the create trigger makes it).
    CustomChallenge,
}

/// A custom challenge made by the create trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomChallenge {
    /// `publicChallengeParameters`: sent to the client.
    pub public: BTreeMap<String, String>,
    /// `privateChallengeParameters.answer`: kept for the verify trigger.
    pub answer: String,
}

/// Custom authentication, like Cognito's three Lambda triggers.
pub trait CustomAuth: Send + Sync {
    /// DefineAuthChallenge.
    fn define(&self, username: &str, session: &[ChallengeResult]) -> Define;
    /// CreateAuthChallenge.
    fn create(&self, username: &str, session: &[ChallengeResult]) -> CustomChallenge;
    /// VerifyAuthChallengeResponse.
    fn verify(&self, username: &str, expected: &str, answer: &str) -> bool {
        let _ = username;
        expected == answer
    }
}

/// A pool's custom auth triggers.
#[derive(Clone)]
pub struct CustomAuthTriggers(pub std::sync::Arc<dyn CustomAuth>);

impl std::fmt::Debug for CustomAuthTriggers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CustomAuthTriggers")
    }
}

/// How a user pool behaves.
#[derive(Debug, Clone, Default)]
pub struct PoolConfig {
    /// The Lambda triggers of `CUSTOM_AUTH`; without them `CUSTOM_AUTH` is refused.
    pub custom_auth: Option<CustomAuthTriggers>,
    /// The pool's name (free text).
    pub name: String,
    /// MFA.
    pub mfa: Mfa,
    /// Device tracking.
    pub device_tracking: DeviceTracking,
    /// Password policy.
    pub password_policy: PasswordPolicy,
}

/// How an app client behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientConfig {
    /// Whether the client has a secret (every call naming a user then needs SECRET_HASH).
    pub secret: bool,
}

/// An app client, as created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client id.
    pub id: String,
    /// The client secret, if any.
    pub secret: Option<String>,
}

/// A message the emulator "sent": a code by SMS or email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The pool.
    pub pool_id: String,
    /// The user it was for.
    pub username: String,
    /// `SMS` or `EMAIL`.
    pub medium: String,
    /// The address or number.
    pub destination: String,
    /// Why: `SignUp`, `ForgotPassword`, `SMS_MFA`, `EMAIL_OTP`, `VerifyUserAttribute`.
    pub purpose: String,
    /// The code.
    pub code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub username: String,
    pub sub: String,
    pub salt: [u8; 16],
    pub verifier: BigUint,
    pub status: Status,
    pub attributes: BTreeMap<String, String>,
    pub totp_secret: Option<String>,
    pub totp_pending: Option<String>,
    pub sms_mfa: bool,
    pub preferred_mfa: Option<String>,
    pub signup_code: Option<String>,
    pub reset_code: Option<String>,
    pub attribute_codes: BTreeMap<String, String>,
    /// Tokens issued before this instant are invalid (GlobalSignOut).
    pub signed_out_at: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Device {
    pub key: String,
    pub group_key: String,
    pub username: String,
    pub name: Option<String>,
    pub salt: Vec<u8>,
    pub verifier: BigUint,
    pub remembered: Option<bool>,
    pub created: u64,
    pub last_authenticated: u64,
}

#[derive(Debug)]
pub(crate) struct Pool {
    pub id: String,
    pub config: PoolConfig,
    pub clients: BTreeMap<String, ClientInfo>,
    pub users: BTreeMap<String, User>,
    pub devices: BTreeMap<String, Device>,
}

impl Pool {
    pub(crate) fn name(&self) -> &str {
        self.id.split_once('_').map_or("", |(_, n)| n)
    }

    /// A user by name or alias (email).
    pub(crate) fn find(&self, name: &str) -> Option<&User> {
        self.users.get(name).or_else(|| {
            self.users
                .values()
                .find(|u| u.attributes.get("email").is_some_and(|e| e == name) || u.sub == name)
        })
    }
}

/// What a sign-in session waits for.
#[derive(Debug)]
pub(crate) enum Stage {
    PasswordVerifier {
        b: BigUint,
        big_b: BigUint,
        secret_block: Vec<u8>,
        big_a: BigUint,
        /// A `CUSTOM_AUTH` that started with SRP: the triggers decide what follows.
        custom: bool,
    },
    Custom {
        results: Vec<ChallengeResult>,
        answer: String,
    },
    DeviceSrp {
        device_key: String,
    },
    DevicePasswordVerifier {
        device_key: String,
        b: BigUint,
        big_b: BigUint,
        secret_block: Vec<u8>,
        big_a: BigUint,
    },
    NewPassword,
    SmsMfa {
        code: String,
    },
    TotpMfa,
    MfaSetup,
    MfaSetupVerified,
}

#[derive(Debug)]
pub(crate) struct Session {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub device_key: Option<String>,
    pub stage: Stage,
    pub expires: u64,
    pub attempts: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub issued: u64,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub pool_id: String,
    pub username: String,
    pub issued: u64,
    pub expires: u64,
    pub revoked: bool,
    pub refresh: Option<String>,
}

/// The clock: the system's, or a settable one.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// The system clock (plus an offset moved by `advance`).
    System(Duration),
    /// A fixed instant (moved by `advance` and `set_clock`).
    Fixed(SystemTime),
}

pub(crate) struct Inner {
    pub pools: BTreeMap<String, Pool>,
    pub grants: BTreeMap<String, crate::oauth::Grant>,
    pub sessions: BTreeMap<String, Session>,
    pub refresh_tokens: BTreeMap<String, RefreshToken>,
    pub access_tokens: BTreeMap<String, AccessToken>,
    pub outbox: Vec<Message>,
    pub rng: ChaCha20Rng,
    pub clock: Clock,
    pub region: String,
}

impl Inner {
    pub(crate) fn now(&self) -> SystemTime {
        match self.clock {
            #[allow(clippy::disallowed_methods)]
            Clock::System(offset) => SystemTime::now() + offset,
            Clock::Fixed(t) => t,
        }
    }

    pub(crate) fn unix(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    pub(crate) fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut b = [0u8; N];
        self.rng.fill_bytes(&mut b);
        b
    }

    pub(crate) fn token(&mut self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.bytes::<32>())
    }

    pub(crate) fn uuid(&mut self) -> String {
        let b = self.bytes::<16>();
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "{}-{}-4{}-8{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }

    pub(crate) fn code(&mut self) -> String {
        let v = u32::from_be_bytes(self.bytes::<4>()) % 1_000_000;
        format!("{v:06}")
    }

    pub(crate) fn alnum(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| char::from(ALPHABET[usize::from(self.bytes::<1>()[0]) % ALPHABET.len()]))
            .collect()
    }
}
