//! The settings that Cognito's admin API sets and describes beyond the ones the sign-in flows
//! read: an app client's name, auth flows, OAuth settings and token validity; a pool's MFA methods,
//! attributes and tags; groups.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The `ExplicitAuthFlows` values Cognito knows (`ALLOW_*`, and the legacy names).
pub const AUTH_FLOWS: &[&str] = &[
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
    "ALLOW_CLIENT_TOKEN_AUTH",
    "ALLOW_TOKEN_EXCHANGE_DELEGATION",
    "ALLOW_TOKEN_EXCHANGE_IMPERSONATION",
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
];

/// How long the tokens of an app client live (Cognito's `AccessTokenValidity`,
/// `IdTokenValidity`, `RefreshTokenValidity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenValidity {
    /// The access token: 5 minutes to a day (default an hour).
    #[serde(with = "seconds")]
    pub access: Duration,
    /// The id token: 5 minutes to a day (default an hour).
    #[serde(with = "seconds")]
    pub id: Duration,
    /// The refresh token: an hour to ten years (default 30 days). Stored and described; the
    /// emulator does not expire refresh tokens.
    #[serde(with = "seconds")]
    pub refresh: Duration,
}

/// A duration stored as whole seconds.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

impl Default for TokenValidity {
    /// Cognito's defaults.
    fn default() -> Self {
        Self {
            access: Duration::from_secs(3600),
            id: Duration::from_secs(3600),
            refresh: Duration::from_secs(30 * 86_400),
        }
    }
}

/// The rest of an app client's settings, as `CreateUserPoolClient` takes them.
///
/// ```
/// use cognito_flows_emulator::{ClientConfig, ClientSettings};
///
/// // A client that only allows SRP sign-in and refresh, as Cognito's default client does.
/// let client = ClientConfig {
///     settings: ClientSettings {
///         name: "web".into(),
///         explicit_auth_flows: Some(vec!["ALLOW_USER_SRP_AUTH".into(), "ALLOW_REFRESH_TOKEN_AUTH".into()]),
///         ..ClientSettings::default()
///     },
///     ..ClientConfig::default()
/// };
/// # let _ = client;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientSettings {
    /// `ClientName`.
    pub name: String,
    /// `ExplicitAuthFlows`, enforced on InitiateAuth and AdminInitiateAuth as Cognito does
    /// (`ALLOW_USER_SRP_AUTH`, `ALLOW_USER_PASSWORD_AUTH`, `ALLOW_ADMIN_USER_PASSWORD_AUTH`,
    /// `ALLOW_CUSTOM_AUTH`, `ALLOW_REFRESH_TOKEN_AUTH`, or the legacy names). `None`: every flow
    /// (the embedded emulator's default; a client created over HTTP without the setting gets
    /// Cognito's default, SRP, custom and refresh).
    pub explicit_auth_flows: Option<Vec<String>>,
    /// `LogoutURLs`.
    pub logout_urls: Vec<String>,
    /// `DefaultRedirectURI`.
    pub default_redirect_uri: Option<String>,
    /// `AllowedOAuthFlows`: `code`, `implicit`, `client_credentials`.
    pub allowed_oauth_flows: Vec<String>,
    /// `AllowedOAuthScopes`.
    pub allowed_oauth_scopes: Vec<String>,
    /// `AllowedOAuthFlowsUserPoolClient`.
    pub allowed_oauth_flows_user_pool_client: bool,
    /// `SupportedIdentityProviders`.
    pub supported_identity_providers: Vec<String>,
    /// `ReadAttributes`: the attributes the client's id tokens and GetUser show (empty: all).
    pub read_attributes: Vec<String>,
    /// `WriteAttributes`: the attributes the client's users may write (empty: all).
    pub write_attributes: Vec<String>,
    /// Token lifetimes.
    pub token_validity: TokenValidity,
    /// The units `TokenValidityUnits` named, for DescribeUserPoolClient to answer in (`seconds`,
    /// `minutes`, `hours`, `days`): access, id, refresh.
    pub token_validity_units: [TimeUnit; 3],
    /// `EnableTokenRevocation` (stored and described; RevokeToken always works).
    pub enable_token_revocation: bool,
    /// `AuthSessionValidity`, minutes (stored and described; sessions live 3 minutes).
    pub auth_session_validity: u32,
}

impl ClientSettings {
    /// Whether the client may read `attribute` (`ReadAttributes`; none set: every attribute).
    /// `sub` is always readable.
    pub(crate) fn may_read(&self, attribute: &str) -> bool {
        attribute == "sub"
            || self.read_attributes.is_empty()
            || self.read_attributes.iter().any(|a| a == attribute)
    }

    /// Whether the client may write `attribute` (`WriteAttributes`; none set: every attribute
    /// the pool lets users write).
    pub(crate) fn may_write(&self, attribute: &str) -> bool {
        self.write_attributes.is_empty() || self.write_attributes.iter().any(|a| a == attribute)
    }
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            name: String::new(),
            explicit_auth_flows: None,
            logout_urls: Vec::new(),
            default_redirect_uri: None,
            allowed_oauth_flows: Vec::new(),
            allowed_oauth_scopes: Vec::new(),
            allowed_oauth_flows_user_pool_client: false,
            supported_identity_providers: Vec::new(),
            read_attributes: Vec::new(),
            write_attributes: Vec::new(),
            token_validity: TokenValidity::default(),
            token_validity_units: [TimeUnit::Hours, TimeUnit::Hours, TimeUnit::Days],
            enable_token_revocation: true,
            auth_session_validity: 3,
        }
    }
}

/// A unit of `TokenValidityUnits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeUnit {
    /// `seconds`.
    Seconds,
    /// `minutes`.
    Minutes,
    /// `hours`.
    Hours,
    /// `days`.
    Days,
}

impl TimeUnit {
    /// The unit's seconds.
    pub fn seconds(self) -> u64 {
        match self {
            Self::Seconds => 1,
            Self::Minutes => 60,
            Self::Hours => 3600,
            Self::Days => 86_400,
        }
    }

    /// Cognito's name of the unit.
    pub fn name(self) -> &'static str {
        match self {
            Self::Seconds => "seconds",
            Self::Minutes => "minutes",
            Self::Hours => "hours",
            Self::Days => "days",
        }
    }

    /// The unit named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Seconds, Self::Minutes, Self::Hours, Self::Days]
            .into_iter()
            .find(|u| u.name() == name)
    }
}

/// The rest of a pool's settings, as `CreateUserPool` and `SetUserPoolMfaConfig` take them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolSettings {
    /// SMS MFA is one of the pool's methods (`SmsMfaConfiguration`). Described by
    /// GetUserPoolMfaConfig; SetUserPoolMfaConfig refuses MFA on or optional with neither method.
    /// The sign-in itself asks for whichever factor the user has set up.
    pub sms_mfa: bool,
    /// TOTP is one of the pool's methods (`SoftwareTokenMfaConfiguration.Enabled`), as
    /// [`PoolSettings::sms_mfa`].
    pub software_token_mfa: bool,
    /// `AutoVerifiedAttributes`: SignUp sends its code to one of them, and none without them.
    /// Pools of the config file and the embedded API have `email` and `phone_number` (the
    /// default); CreateUserPool stores what it is given.
    pub auto_verified_attributes: Vec<String>,
    /// `UsernameAttributes`: AdminCreateUser and SignUp keep the email or phone number given as
    /// the user name as an attribute and name the user by its `sub`; users sign in with the
    /// address.
    pub username_attributes: Vec<String>,
    /// `AliasAttributes` (stored and described).
    pub alias_attributes: Vec<String>,
    /// `DeletionProtection`: DeleteUserPool is refused while it is on.
    pub deletion_protection: bool,
    /// `AdminCreateUserConfig.AllowAdminCreateUserOnly`: SignUp is refused.
    pub admin_create_user_only: bool,
    /// `TemporaryPasswordValidityDays`: a temporary password older than this no longer signs in
    /// (0: never expires).
    pub temporary_password_validity_days: u32,
    /// `UserPoolTags`.
    pub tags: BTreeMap<String, String>,
    /// The `AttributeDataType` of each custom attribute (by name without `custom:`) that is not a
    /// `String`.
    pub custom_attribute_types: BTreeMap<String, String>,
    /// The custom attributes (by name without `custom:`) declared `Mutable: false`: set when the
    /// user is created, never changed after.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub immutable_attributes: Vec<String>,
    /// `LambdaConfig`, as given (stored and described: the webhooks are what runs).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub lambda_config: serde_json::Map<String, serde_json::Value>,
    /// `VerificationMessageTemplate`, as given (stored and described).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub verification_message_template: serde_json::Map<String, serde_json::Value>,
    /// The custom attributes (by name without `custom:`) declared `DeveloperOnlyAttribute`: the
    /// schema names them `dev:custom:<name>`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub developer_only_attributes: Vec<String>,
    /// `AccountRecoverySetting`, as given (described; `admin_only` refuses ForgotPassword).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub account_recovery: serde_json::Map<String, serde_json::Value>,
    /// The `StringAttributeConstraints` or `NumberAttributeConstraints` the `Schema` gave an
    /// attribute (by its full name: `email`, `custom:tenant`), as given: `MinLength`,
    /// `MaxLength`, `MinValue`, `MaxValue`. Standard attributes not named here have Cognito's.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attribute_constraints: BTreeMap<String, BTreeMap<String, String>>,
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors` (`PASSWORD`, `EMAIL_OTP`, `SMS_OTP`,
    /// `WEB_AUTHN`): the first factors a `USER_AUTH` sign-in may use. `None` (never set, as for
    /// every pool stored before the field existed): all four, as the emulator always offered
    /// passkeys; DescribeUserPool then names no `SignInPolicy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_first_auth_factors: Option<Vec<String>>,
    /// Email MFA is one of the pool's methods (`EmailMfaConfiguration`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub email_mfa: bool,
}

impl PoolSettings {
    /// The first of `names` that is a custom attribute declared `Mutable: false`.
    pub(crate) fn immutable_named<'a>(
        &self,
        mut names: impl Iterator<Item = &'a String>,
    ) -> Option<&'a String> {
        names.find(|name| {
            name.strip_prefix("custom:")
                .is_some_and(|bare| self.immutable_attributes.iter().any(|a| a == bare))
        })
    }
}

impl Default for PoolSettings {
    /// Both MFA methods on, as the emulator always offered them; SignUp codes sent to the email
    /// or phone number (CreateUserPool replaces this with what it is given).
    fn default() -> Self {
        Self {
            sms_mfa: true,
            software_token_mfa: true,
            auto_verified_attributes: vec!["email".into(), "phone_number".into()],
            username_attributes: Vec::new(),
            alias_attributes: Vec::new(),
            deletion_protection: false,
            admin_create_user_only: false,
            temporary_password_validity_days: 7,
            tags: BTreeMap::new(),
            custom_attribute_types: BTreeMap::new(),
            immutable_attributes: Vec::new(),
            lambda_config: serde_json::Map::new(),
            verification_message_template: serde_json::Map::new(),
            developer_only_attributes: Vec::new(),
            account_recovery: serde_json::Map::new(),
            attribute_constraints: BTreeMap::new(),
            allowed_first_auth_factors: None,
            email_mfa: false,
        }
    }
}

/// A user pool group: its members get its name in the `cognito:groups` claim of their id and
/// access tokens, lowest precedence first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupConfig {
    /// `GroupName`.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// `Precedence`: the lower, the earlier in the claim (and the one whose role is
    /// `cognito:preferred_role`).
    pub precedence: Option<u32>,
    /// `RoleArn`: listed in `cognito:roles` of the id token.
    pub role_arn: Option<String>,
}

/// A pool's Lambda triggers as webhooks: each `Some` is an `http://` URL the emulator POSTs the
/// trigger's event to. The custom-auth triggers are used when the pool has no Rust
/// [`CustomAuth`](crate::CustomAuth) callbacks; `CUSTOM_AUTH` needs `define_auth_challenge`
/// (and `create_auth_challenge` and `verify_auth_challenge_response` once it asks a challenge).
///
/// ```
/// use cognito_flows_emulator::{PoolConfig, Webhooks};
///
/// let pool = PoolConfig {
///     webhooks: Webhooks {
///         pre_sign_up: Some("http://127.0.0.1:8000/pre-sign-up".into()),
///         ..Webhooks::default()
///     },
///     ..PoolConfig::default()
/// };
/// assert!(pool.webhooks.check().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Webhooks {
    /// DefineAuthChallenge.
    pub define_auth_challenge: Option<String>,
    /// CreateAuthChallenge.
    pub create_auth_challenge: Option<String>,
    /// VerifyAuthChallengeResponse.
    pub verify_auth_challenge_response: Option<String>,
    /// PreSignUp (`autoConfirmUser`, `autoVerifyEmail`, `autoVerifyPhone`).
    pub pre_sign_up: Option<String>,
    /// PostConfirmation.
    pub post_confirmation: Option<String>,
    /// PreTokenGeneration (`claimsOverrideDetails`).
    pub pre_token_generation: Option<String>,
    /// PreAuthentication: before a sign-in checks the password (an error refuses it). This
    /// and the two below are left out of the saved state when unset, as before they existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_authentication: Option<String>,
    /// PostAuthentication: after a sign-in succeeds, before the tokens are returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_authentication: Option<String>,
    /// CustomMessage (`emailMessage`, `smsMessage`, `emailSubject`): the text of every code
    /// and invitation sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_message: Option<String>,
    /// How long a webhook may take; `None`: Cognito's 5 seconds.
    pub timeout: Option<Duration>,
}

impl Webhooks {
    /// Every URL given is an absolute `http://` URL (the emulator speaks plain HTTP to them).
    pub fn check(&self) -> Result<(), String> {
        for (name, url) in self.all() {
            let Some(url) = url else { continue };
            let ok = url::Url::parse(url)
                .ok()
                .is_some_and(|u| u.scheme() == "http" && u.host_str().is_some())
                && !url.chars().any(char::is_control);
            if !ok {
                return Err(format!("webhook {name} = {url:?} is not an http:// URL"));
            }
        }
        Ok(())
    }

    fn all(&self) -> [(&'static str, &Option<String>); 9] {
        [
            ("define_auth_challenge", &self.define_auth_challenge),
            ("create_auth_challenge", &self.create_auth_challenge),
            (
                "verify_auth_challenge_response",
                &self.verify_auth_challenge_response,
            ),
            ("pre_sign_up", &self.pre_sign_up),
            ("post_confirmation", &self.post_confirmation),
            ("pre_token_generation", &self.pre_token_generation),
            ("pre_authentication", &self.pre_authentication),
            ("post_authentication", &self.post_authentication),
            ("custom_message", &self.custom_message),
        ]
    }
}
