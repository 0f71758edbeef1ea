//! The emulator's data: pools, clients, users, devices, sessions, tokens, the outbox.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use num_bigint::BigUint;
use rand_chacha::ChaCha20Rng;
use rand_core::Rng as _;
use serde::{Deserialize, Serialize};

use crate::model::client_secrets::{ClientSecret, ClientSecrets};
use crate::model::provider_links::LinkedIdentities;
use crate::model::table::{Index, Log, Table};

use crate::model::settings::{ClientSettings, GroupConfig, PoolSettings};

/// Whether a pool asks for MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
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

/// How a user pool behaves. The default is Cognito's plainest pool: MFA off, device tracking
/// off, Cognito's default password policy, no custom attributes, random codes.
///
/// ```
/// use cognito_flows_emulator::{DeviceTracking, Mfa, PoolConfig};
///
/// let plain = PoolConfig::default();
/// assert_eq!((plain.mfa, plain.device_tracking), (Mfa::Off, DeviceTracking::Off));
/// assert_eq!(plain.fixed_code, None);
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolConfig {
    /// The Lambda triggers of `CUSTOM_AUTH`; without them `CUSTOM_AUTH` is refused. Rust
    /// callbacks: not kept in the data directory.
    #[serde(skip)]
    pub custom_auth: Option<CustomAuthTriggers>,
    /// The pool's name (free text).
    pub name: String,
    /// MFA. Default [`Mfa::Off`]: no sign-in asks for a code (the example config file and
    /// `cognito demo` choose [`Mfa::Optional`]).
    pub mfa: Mfa,
    /// Device tracking. Default [`DeviceTracking::Off`]: no sign-in confirms a device or asks
    /// whether to remember it. With [`DeviceTracking::UserOptIn`] (the example config file's),
    /// a sign-in on a new device asks whether to remember it (the library's
    /// `Prompt::RememberDevice`) before it ends.
    pub device_tracking: DeviceTracking,
    /// Password policy.
    pub password_policy: PasswordPolicy,
    /// The pool's custom attributes, with or without the `custom:` prefix (`"tenant"` declares
    /// `custom:tenant`). Only these and the standard attributes are accepted.
    pub custom_attributes: Vec<String>,
    /// Every code the pool sends (sign-up, reset, verification, SMS MFA) is this one, for suites
    /// that cannot read the outbox. `None`: random six-digit codes.
    pub fixed_code: Option<String>,
    /// The rest of Cognito's pool settings (MFA methods, attributes, deletion protection, tags).
    pub settings: PoolSettings,
    /// Passkeys: the relying party id and whether user verification is required.
    pub web_authn: crate::model::passkeys::WebAuthnConfig,
    /// Lambda triggers as HTTP webhooks, for apps in any language (the Rust callbacks of
    /// `custom_auth` take precedence over the custom-auth webhooks).
    pub webhooks: crate::model::settings::Webhooks,
}

/// How an app client behaves.
///
/// ```
/// use cognito_flows_emulator::ClientConfig;
///
/// let hosted_ui = ClientConfig {
///     callback_urls: vec!["http://localhost:3000/callback".into()],
///     ..ClientConfig::default()
/// };
/// assert!(hosted_ui.prevent_user_existence_errors);
/// ```
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Whether the client has a secret (every call naming a user then needs SECRET_HASH).
    pub secret: bool,
    /// The callback URLs `/oauth2/authorize` may redirect to, matched exactly (Cognito's
    /// `CallbackURLs`). Empty: the hosted UI refuses every `redirect_uri`. With callback URLs,
    /// `Emulator::create_client` allows the code flow when `settings.allowed_oauth_flows` is
    /// empty, and every scope when `settings.allowed_oauth_scopes` is.
    pub callback_urls: Vec<String>,
    /// Cognito's `PreventUserExistenceErrors` (on by default, as for new Cognito clients): an
    /// unknown user gets a believable SRP challenge and a believable code delivery, and every
    /// sign-in failure reads "Incorrect username or password.". Off: `UserNotFoundException`.
    pub prevent_user_existence_errors: bool,
    /// The rest of Cognito's app client settings (name, auth flows, OAuth, token validity, and
    /// the sign-out URLs `/logout` may redirect to, `logout_urls`, matched exactly: empty, and
    /// `/logout?logout_uri=...` is refused).
    pub settings: ClientSettings,
    /// Cognito's `RefreshTokenRotation` (`None`: disabled, as by default). With rotation,
    /// `GetTokensFromRefreshToken` answers a new refresh token each time, the one it was given
    /// still accepted for the grace period and refused after it; `REFRESH_TOKEN_AUTH` is
    /// refused, as Cognito refuses it on rotating clients.
    pub refresh_rotation: Option<RefreshRotation>,
}

/// Refresh token rotation of an app client (Cognito's `RefreshTokenRotationType` with
/// `Feature: ENABLED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RefreshRotation {
    /// `RetryGracePeriodSeconds` (0 to 60): how long a rotated-out refresh token is still
    /// accepted, for client-side retries.
    pub retry_grace_seconds: u32,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            secret: false,
            callback_urls: Vec::new(),
            prevent_user_existence_errors: true,
            settings: ClientSettings::default(),
            refresh_rotation: None,
        }
    }
}

/// An app client, as created.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientInfo {
    /// The client id.
    pub id: String,
    /// The client secret, if any.
    pub secret: Option<String>,
}

/// An app client as the emulator keeps it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Client {
    pub info: ClientInfo,
    pub callback_urls: Vec<String>,
    pub prevent_user_existence_errors: bool,
    pub settings: ClientSettings,
    /// Unix seconds.
    pub created: u64,
    pub modified: u64,
    pub refresh_rotation: Option<RefreshRotation>,
    /// Its secrets with their ids and dates, once one was added or deleted (`info.secret` is
    /// then the oldest); left out of the row while there are none.
    #[serde(skip_serializing_if = "ClientSecrets::is_empty")]
    pub secrets: ClientSecrets,
}

impl Client {
    /// Every secret of the client, oldest first (none for a public client).
    pub(crate) fn secrets(&self) -> Vec<ClientSecret> {
        self.secrets
            .all(&self.info.id, self.info.secret.as_deref(), self.created)
    }

    /// Replaces the client's secrets; `info.secret` follows the oldest.
    pub(crate) fn set_secrets(&mut self, secrets: Vec<ClientSecret>) {
        self.info.secret = secrets.first().map(|s| s.value.clone());
        self.secrets = ClientSecrets(secrets);
    }

    /// Whether `check` accepts one of the client's secrets: the one place that decides which
    /// secrets a caller may prove (SECRET_HASH, `ClientSecret`, the OAuth endpoints'
    /// client authentication). Every secret is tried, so the time taken does not say which
    /// matched.
    pub(crate) fn any_secret(&self, check: impl Fn(&str) -> bool) -> bool {
        self.secrets()
            .iter()
            .fold(false, |found, s| check(&s.value) | found)
    }
}

/// A message the emulator "sent": a code by SMS or email.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
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
    /// The text sent, as the pool's CustomMessage webhook wrote it (its placeholders replaced);
    /// empty without one. Left out of the saved state when empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// The email's subject, as the CustomMessage webhook wrote it; empty without one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
}

thread_local! {
    /// The messages of the operation running on this thread, held for the CustomMessage
    /// webhook (`None`: none are held). The handler runs synchronously inside the dispatch,
    /// which holds them right before and takes them right after (see [`hold_messages`]).
    static HELD: std::cell::RefCell<Option<Vec<Message>>> = const { std::cell::RefCell::new(None) };
}

/// From now on, on this thread, [`Inner::send_message`] holds the messages of pools that have a
/// CustomMessage webhook, until [`held_messages`] takes them.
pub(crate) fn hold_messages() {
    HELD.with(|h| *h.borrow_mut() = Some(Vec::new()));
}

/// The messages held since [`hold_messages`], oldest first; nothing is held any more.
pub(crate) fn held_messages() -> Vec<Message> {
    HELD.with(|h| h.borrow_mut().take().unwrap_or_default())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) enum Status {
    #[default]
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
    /// AdminResetUserPassword: ConfirmForgotPassword must set a new password first.
    ResetRequired,
    /// A federated user, made by a sign-in through an identity provider: no password.
    ExternalProvider,
}

/// A code sent to a user, with the wrong guesses made so far.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Code {
    pub value: String,
    pub failures: u32,
}

/// Wrong guesses allowed before a code is invalidated (`LimitExceededException`).
pub(crate) const CODE_ATTEMPTS: u32 = 5;

/// What a user's password is stored as: the SRP verifier for SRP sign-ins, and a hash of SRP's
/// `x` for the password checks that have the password itself (USER_PASSWORD_AUTH, ChangePassword,
/// the hosted UI) and need no modular exponentiation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Credential {
    pub identity: String,
    pub salt: [u8; 16],
    pub verifier: BigUint,
    pub check: [u8; 32],
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct User {
    pub username: String,
    pub sub: String,
    pub credential: Credential,
    pub status: Status,
    pub attributes: BTreeMap<String, String>,
    pub totp_secret: Option<String>,
    pub totp_pending: Option<String>,
    /// The name given to the authenticator at VerifySoftwareToken (`FRIENDLY_DEVICE_NAME`).
    pub totp_name: Option<String>,
    pub sms_mfa: bool,
    /// Email MFA is on for the user (`EmailMfaSettings.Enabled`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub email_mfa: bool,
    pub preferred_mfa: Option<String>,
    pub signup_code: Option<Code>,
    pub reset_code: Option<Code>,
    pub attribute_codes: BTreeMap<String, Code>,
    /// Tokens issued at or before this point of the token sequence are invalid (GlobalSignOut).
    pub signed_out_seq: u64,
    /// Consecutive wrong passwords.
    pub failed_passwords: u32,
    /// No sign-in before this instant (unix seconds): "Password attempts exceeded".
    pub locked_until: u64,
    /// AdminDisableUser: a disabled user cannot sign in (`false`, the default, for users stored
    /// before the field existed).
    pub disabled: bool,
    /// The names of the groups the user is a member of.
    pub groups: BTreeSet<String>,
    /// Federated identities linked to the user (AdminLinkProviderForUser); the `identities`
    /// attribute shows them.
    #[serde(skip_serializing_if = "LinkedIdentities::is_empty")]
    pub linked: LinkedIdentities,
    /// AdminDisableProviderForUser with the `Cognito` provider: the user's password no longer
    /// signs them in.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub password_disabled: bool,
    /// Unix seconds.
    pub created: u64,
    pub modified: u64,
    /// When the temporary password of a `FORCE_CHANGE_PASSWORD` user was set (AdminCreateUser's
    /// RESEND, AdminSetUserPassword without `Permanent`), Unix seconds; 0: at `created`.
    #[serde(skip_serializing_if = "is_zero")]
    pub temporary_since: u64,
}

impl User {
    /// Forgets the preferred MFA method once it is off (Cognito's `PreferredMfaSetting` names
    /// only a method the user has).
    pub(crate) fn drop_disabled_preference(&mut self) {
        let gone = match self.preferred_mfa.as_deref() {
            Some("SMS_MFA") => !self.sms_mfa,
            Some("SOFTWARE_TOKEN_MFA") => self.totp_secret.is_none(),
            Some("EMAIL_OTP") => !self.email_mfa,
            _ => false,
        };
        if gone {
            self.preferred_mfa = None;
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
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

/// A pool's own fields are stored in its row; the tables (`#[serde(skip)]`) one row per record
/// (see `store::pool_tables`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Pool {
    pub id: String,
    pub config: PoolConfig,
    #[serde(skip)]
    pub clients: Table<Client>,
    #[serde(skip)]
    /// Indexed by email, phone number, sub and names (`model::users`).
    pub users: Users,
    #[serde(skip)]
    pub devices: Table<Device>,
    /// Registered passkeys (kept in the pool's row) and pending registrations (not kept).
    pub passkeys: crate::model::passkeys::Passkeys,
    /// Keys the believable answers given for unknown users (PreventUserExistenceErrors).
    pub phantom_key: [u8; 32],
    pub groups: BTreeMap<String, Group>,
    /// Its domain and resource servers (kept in the pool's row; left out of it while there are
    /// none, so that rows written before they existed stay byte for byte the same).
    #[serde(skip_serializing_if = "crate::model::resources::PoolResources::is_empty")]
    pub resources: crate::model::resources::PoolResources,
    /// Its user import jobs (kept in the pool's row, left out of it while there are none).
    #[serde(skip_serializing_if = "crate::model::imports::ImportJobs::is_empty")]
    pub imports: crate::model::imports::ImportJobs,
    /// Its risk configurations (kept in the pool's row, left out of it while there are none).
    #[serde(skip_serializing_if = "crate::model::risk::RiskConfigs::is_empty")]
    pub risk: crate::model::risk::RiskConfigs,
    /// Unix seconds.
    pub created: u64,
    pub modified: u64,
}

impl Pool {
    /// The app client whose settings (token lifetimes, rotation) apply to tokens issued to
    /// `client_id`: the app client of that id, or, for a client identified by its metadata URL
    /// (CIMD) whose document a CIMD policy of the pool has cached, the policy's app client.
    pub(crate) fn issuing_client(&self, client_id: &str) -> Option<&Client> {
        self.clients.get(client_id).or_else(|| {
            self.resources
                .configuration
                .cimd_policies
                .values()
                .find(|policy| policy.cached.contains_key(client_id))
                .and_then(|policy| self.clients.get(&policy.client_id))
        })
    }
}

/// A user pool group as the emulator keeps it (in its pool's row).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Group {
    pub config: GroupConfig,
    /// Unix seconds.
    pub created: u64,
    pub modified: u64,
}

/// The fields of a user the index knows: the ones ListUsers filters on, but for the statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// The `email` attribute.
    Email,
    /// The `phone_number` attribute.
    PhoneNumber,
    /// The user's `sub`.
    Sub,
    /// The `name` attribute.
    Name,
    /// The `given_name` attribute.
    GivenName,
    /// The `family_name` attribute.
    FamilyName,
    /// The `preferred_username` attribute.
    PreferredUsername,
}

impl Field {
    const ALL: [Self; 7] = [
        Self::Email,
        Self::PhoneNumber,
        Self::Sub,
        Self::Name,
        Self::GivenName,
        Self::FamilyName,
        Self::PreferredUsername,
    ];

    /// The field that an attribute of `User::attributes` is, if the index knows it (not `sub`,
    /// which the index reads from `User::sub`).
    pub(crate) fn of_attribute(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| *f != Self::Sub && f.attribute() == name)
    }

    fn attribute(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::PhoneNumber => "phone_number",
            Self::Sub => "sub",
            Self::Name => "name",
            Self::GivenName => "given_name",
            Self::FamilyName => "family_name",
            Self::PreferredUsername => "preferred_username",
        }
    }

    /// The user's value of the field.
    fn value(self, user: &User) -> Option<&String> {
        match self {
            Self::Sub => Some(&user.sub),
            _ => user.attributes.get(self.attribute()),
        }
    }
}

/// The users' keys by the value of each [`Field`].
#[derive(Debug, Default, Clone)]
pub(crate) struct UserIndex {
    /// What each user is indexed under (the field's position in `Field::ALL`, the value).
    entries: HashMap<String, Vec<(usize, String)>>,
    /// By position in `Field::ALL`: value to the keys of the users that have it.
    maps: [BTreeMap<String, BTreeSet<String>>; Field::ALL.len()],
}

impl Index<User> for UserIndex {
    fn add(&mut self, key: &str, user: &User) {
        let mut entry = Vec::new();
        for (i, field) in Field::ALL.into_iter().enumerate() {
            if let (Some(value), Some(map)) = (field.value(user), self.maps.get_mut(i)) {
                map.entry(value.clone()).or_default().insert(key.to_owned());
                entry.push((i, value.clone()));
            }
        }
        self.entries.insert(key.to_owned(), entry);
    }

    fn remove(&mut self, key: &str) {
        for (i, value) in self.entries.remove(key).unwrap_or_default() {
            if let Some(map) = self.maps.get_mut(i)
                && let Some(keys) = map.get_mut(&value)
            {
                keys.remove(key);
                if keys.is_empty() {
                    map.remove(&value);
                }
            }
        }
    }
}

impl UserIndex {
    /// The keys of the users whose `field` is `value`, or starts with it (`prefix`).
    pub(crate) fn keys<'a>(
        &'a self,
        field: Field,
        prefix: bool,
        value: &'a str,
    ) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        let Some(i) = Field::ALL.iter().position(|f| *f == field) else {
            return Box::new(std::iter::empty());
        };
        let Some(map) = self.maps.get(i) else {
            return Box::new(std::iter::empty());
        };
        if prefix {
            Box::new(
                map.range::<str, _>((Bound::Included(value), Bound::Unbounded))
                    .take_while(move |(v, _)| v.starts_with(value))
                    .flat_map(|(_, keys)| keys.iter().map(String::as_str)),
            )
        } else {
            Box::new(map.get(value).into_iter().flatten().map(String::as_str))
        }
    }
}

/// A pool's users, indexed by email, phone number, sub and names (read by `model::users`).
pub(crate) type Users = Table<User, UserIndex>;

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
        /// A challenge made up for an unknown user: every answer is wrong.
        phantom: bool,
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
    /// AssociateSoftwareToken ran with this session: VerifySoftwareToken may follow.
    MfaSetupAssociated,
    MfaSetupVerified,
    /// A `USER_AUTH` sign-in waits for a passkey's assertion of this challenge.
    WebAuthn {
        challenge: Vec<u8>,
    },
    /// A `USER_AUTH` sign-in waits for the user to pick one of these first factors.
    SelectChallenge {
        available: Vec<String>,
    },
    /// The user has several MFA methods, email among them, and no preference: which one now.
    SelectMfa {
        methods: Vec<String>,
    },
    /// A code was sent by email: a first factor (`USER_AUTH`) or email MFA after the password.
    /// It lives as long as the session (3 minutes); three wrong answers end the session.
    EmailOtp {
        code: String,
    },
    /// A code was sent by SMS as a `USER_AUTH` first factor, as [`Stage::EmailOtp`].
    SmsOtp {
        code: String,
    },
    /// SignUp's session: ConfirmSignUp may send it back (sign_up_session.rs).
    SignedUp,
    /// ConfirmSignUp's session: one `USER_AUTH` sign-in without the password.
    SignUpConfirmed,
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

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct RefreshToken {
    pub pool_id: String,
    pub client_id: String,
    pub sub: String,
    pub seq: u64,
    pub revoked: bool,
    /// When rotation replaced it (emulator clock, seconds): accepted until the grace period
    /// after that ends.
    pub rotated_at: Option<u64>,
    /// The `origin_jti` of the sign-in it came from, kept by every token refreshed from it
    /// (empty for tokens stored before the field existed: a refresh then starts a new one).
    pub origin_jti: String,
    /// The OAuth scopes of a hosted-UI sign-in, carried by every access token refreshed from it
    /// (`None`: the API's `aws.cognito.signin.user.admin`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// When the sign-in it came from happened (emulator clock, seconds; kept by every token
    /// rotated from it): its session's `CreateDate` (0 for tokens stored before the field).
    #[serde(skip_serializing_if = "is_zero")]
    pub created: u64,
    /// When it was last issued or used to refresh: its session's `LastActiveDate`.
    #[serde(skip_serializing_if = "is_zero")]
    pub last_active: u64,
    /// The SSO session (a browser signed in to the hosted UI) the sign-in came through, kept by
    /// every token rotated from it: its session's `OriginSessionId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sso: Option<String>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct AccessToken {
    pub pool_id: String,
    pub sub: String,
    pub seq: u64,
    pub expires: u64,
    pub revoked: bool,
    /// The key of the refresh token it was issued from ([`Inner::refresh_key`]).
    pub refresh: Option<String>,
}

/// How long a sign-in session lives (Cognito: 3 minutes).
pub(crate) const SESSION_SECONDS: u64 = 180;

/// The clock: the system's, or a settable one.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// The system clock (plus an offset moved by `advance`).
    System(Duration),
    /// A fixed instant (moved by `advance` and `set_clock`).
    Fixed(SystemTime),
}

/// The emulator's state. What is kept in the data directory is listed in `store::Store::commit`,
/// which names every field: a new one must be placed there, kept or not (see ARCHITECTURE.md,
/// "How to persist new state").
pub(crate) struct Inner {
    pub pools: Table<Pool>,
    pub grants: BTreeMap<String, crate::model::hosted_ui::Grant>,
    pub sessions: BTreeMap<String, Session>,
    /// By [`Inner::refresh_key`]: the token's hash.
    pub refresh_tokens: Table<RefreshToken>,
    pub access_tokens: Table<AccessToken>,
    pub outbox: Log<Message>,
    pub rng: ChaCha20Rng,
    pub clock: Clock,
    pub region: String,
    /// The AWS account in ARNs.
    pub account_id: String,
    /// Orders token issues and sign-outs: a token is revoked by a GlobalSignOut that comes after
    /// it, never by one in the same second before it.
    pub seq: u64,
    /// Sessions created since the last prune of expired ones.
    pub since_prune: u32,
    /// Print each code to stderr as it is sent.
    pub log_codes: bool,
    /// The hosted UI's signed-in browsers and pending MFA steps.
    pub login: crate::model::hosted_ui::Logins,
    /// When each user asked for a code (ForgotPassword, ResendConfirmationCode,
    /// GetUserAttributeVerificationCode), by pool and user name: the sends of the last hour.
    pub code_sends: BTreeMap<(String, String), Vec<u64>>,
    /// UpdateProvisionedLimit's rates (requests a second), by API category: the account's, not a
    /// pool's, so of this run (the data directory keeps pools, not the account).
    pub provisioned_limits: BTreeMap<String, u64>,
}

/// The key a refresh token's record is kept under: its SHA-256 (base64url), so that the data
/// directory holds no live refresh token.
pub(crate) fn refresh_hash(token: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(token.as_bytes()))
}

impl Inner {
    /// Sends a message (a code, an invitation): into the outbox, or held for the pool's
    /// CustomMessage webhook when the running operation holds messages ([`hold_messages`]).
    pub(crate) fn send_message(&mut self, message: Message) {
        let hooked = self
            .pools
            .get(&message.pool_id)
            .is_some_and(|p| p.config.webhooks.custom_message.is_some());
        let unheld = if hooked {
            HELD.with(|h| match h.borrow_mut().as_mut() {
                Some(held) => {
                    held.push(message);
                    None
                }
                None => Some(message),
            })
        } else {
            Some(message)
        };
        if let Some(message) = unheld {
            self.outbox.push(message);
        }
    }

    /// The key of `token`'s record in `refresh_tokens`: its hash, or the token itself for a
    /// record stored before they were hashed.
    pub(crate) fn refresh_key(&self, token: &str) -> String {
        let hash = refresh_hash(token);
        if !self.refresh_tokens.contains_key(&hash) && self.refresh_tokens.contains_key(token) {
            return token.to_owned();
        }
        hash
    }

    pub(crate) fn now(&self) -> SystemTime {
        match self.clock {
            #[allow(clippy::disallowed_methods)]
            Clock::System(offset) => SystemTime::now() + offset,
            Clock::Fixed(t) => t,
        }
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Drops expired sessions, grants and access tokens (every 256 new sessions or tokens).
    pub(crate) fn prune(&mut self) {
        self.since_prune += 1;
        if self.since_prune < 256 {
            return;
        }
        self.since_prune = 0;
        let now = self.unix();
        self.sessions.retain(|_, s| s.expires >= now);
        self.grants.retain(|_, g| g.expires >= now);
        self.access_tokens.retain(|_, t| t.expires > now);
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
