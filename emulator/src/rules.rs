//! Cognito's validation rules, written once: the names of pools and groups, an app client's
//! callback and logout URLs, auth flows, OAuth flows and token lifetimes, a pool's password
//! length and custom attribute names; which attributes may be written (the API over HTTP and the
//! embedded API), which auth flows a client allows, whether a user may sign in.
//!
//! The value rules return a typed [`Reason`]; each caller (the admin API over HTTP, the embedded
//! Rust API, the binary's config file) words it in its own message format. The sign-in rules
//! return Cognito's refusal as it is answered.

use std::collections::BTreeMap;

use crate::fault::{Fault, NOT_AUTHORIZED, fault};
use crate::model::state::{Client, Inner, PoolConfig, Status, User};

const INVALID: &str = "InvalidParameterException";

/// Why a value breaks one of Cognito's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A name that is not 1 to `max` characters long.
    Length {
        /// The longest name Cognito takes, in characters.
        max: usize,
    },
    /// A name with a character Cognito does not take in it.
    Characters,
    /// A URL that is not absolute, or that holds control characters.
    NotAbsolute,
    /// A URL with a fragment (`#...`): Cognito refuses those as callback and logout URLs.
    Fragment,
    /// A name that is not one of those Cognito knows.
    Unknown {
        /// The names Cognito knows.
        known: &'static [&'static str],
    },
    /// A number outside the range Cognito takes.
    Range {
        /// The least Cognito takes.
        min: u64,
        /// The most Cognito takes.
        max: u64,
    },
}

/// The longest pool name and group name, in characters.
pub const NAME_MAX: usize = 128;
/// The longest custom attribute name (without `custom:`), in characters.
pub const CUSTOM_ATTRIBUTE_MAX: usize = 20;
/// The OAuth flows an app client may allow (`AllowedOAuthFlows`).
pub const OAUTH_FLOWS: &[&str] = &["code", "implicit", "client_credentials"];
/// The OAuth scopes about a user, which a `client_credentials` client may not have (its scopes
/// are the custom scopes of the pool's resource servers, `identifier/name`).
pub const USER_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];
/// A pool's password policy `MinimumLength`.
pub const PASSWORD_MINIMUM_LENGTH: Range = Range { min: 6, max: 99 };
/// An access or id token's lifetime, in seconds: 5 minutes to a day.
pub const ACCESS_OR_ID_SECONDS: Range = Range {
    min: 300,
    max: 86_400,
};
/// A refresh token's lifetime, in seconds: an hour to 3650 days.
pub const REFRESH_SECONDS: Range = Range {
    min: 3600,
    max: 3650 * 86_400,
};
/// Refresh-token rotation's `RetryGracePeriodSeconds`.
pub const ROTATION_GRACE_SECONDS: Range = Range { min: 0, max: 60 };

/// The numbers Cognito takes for a setting, `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// The least.
    pub min: u64,
    /// The most.
    pub max: u64,
}

impl Range {
    /// Whether `n` is in the range; [`Reason::Range`] when it is not.
    pub fn check(self, n: u64) -> Result<(), Reason> {
        if (self.min..=self.max).contains(&n) {
            Ok(())
        } else {
            Err(Reason::Range {
                min: self.min,
                max: self.max,
            })
        }
    }
}

fn length(name: &str, max: usize) -> Result<(), Reason> {
    let n = name.chars().count();
    if n == 0 || n > max {
        Err(Reason::Length { max })
    } else {
        Ok(())
    }
}

/// A user pool's name: 1 to 128 characters.
pub fn pool_name(name: &str) -> Result<(), Reason> {
    length(name, NAME_MAX)
}

/// A group's name: 1 to 128 characters.
pub fn group_name(name: &str) -> Result<(), Reason> {
    length(name, NAME_MAX)
}

/// A custom attribute's name (with or without `custom:`): 1 to 20 characters, letters, digits
/// and `_-:.`.
pub fn custom_attribute_name(name: &str) -> Result<(), Reason> {
    length(name, CUSTOM_ATTRIBUTE_MAX)?;
    let bare = name.strip_prefix("custom:").unwrap_or(name);
    if bare
        .chars()
        .all(|c| c.is_alphanumeric() || "_-:.".contains(c))
    {
        Ok(())
    } else {
        Err(Reason::Characters)
    }
}

/// A callback or logout URL: absolute, without control characters, without a fragment.
pub fn callback_url(url: &str) -> Result<(), Reason> {
    if url.chars().any(char::is_control) || url::Url::parse(url).is_err() {
        Err(Reason::NotAbsolute)
    } else if url.contains('#') {
        Err(Reason::Fragment)
    } else {
        Ok(())
    }
}

/// One of an app client's `ExplicitAuthFlows`.
pub fn auth_flow(name: &str) -> Result<(), Reason> {
    known(name, crate::model::settings::AUTH_FLOWS)
}

/// One of an app client's `AllowedOAuthFlows`.
pub fn oauth_flow(name: &str) -> Result<(), Reason> {
    known(name, OAUTH_FLOWS)
}

fn known(name: &str, known: &'static [&'static str]) -> Result<(), Reason> {
    if known.contains(&name) {
        Ok(())
    } else {
        Err(Reason::Unknown { known })
    }
}

/// An app client's name: 1 to 128 characters.
pub fn client_name(name: &str) -> Result<(), Reason> {
    length(name, NAME_MAX)
}

/// Cognito's refusal of `value`, given in the request field `field`, as the admin API over HTTP
/// answers it.
pub(crate) fn refusal(field: &str, value: &str, reason: &Reason) -> Fault {
    let message = match reason {
        Reason::Length { max } => format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length between 1 and {max}"
        ),
        Reason::Characters => format!("Invalid attribute name {value}"),
        Reason::NotAbsolute | Reason::Fragment => {
            format!("{value} is not a valid callback or logout URL")
        }
        Reason::Unknown { .. } => format!("Invalid {field}: {value}"),
        Reason::Range { min, max } => format!(
            "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must have value between {min} and {max}"
        ),
    };
    fault(INVALID, message)
}

/// The standard attributes a user may write (OpenID Connect's, as Cognito has them).
const STANDARD: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

/// Whether `attributes` may be written: standard attributes and the pool's declared `custom:`
/// ones; `email_verified` and `phone_number_verified` only by an administrator; `sub` and every
/// other name (token claims such as `token_use`, `client_id`, `scope`, `username`) never.
pub(crate) fn check_attributes(
    config: Option<&PoolConfig>,
    attributes: &BTreeMap<String, String>,
    admin: bool,
) -> Result<(), Fault> {
    if let Some(name) = attributes
        .iter()
        .find_map(|(name, value)| (value.chars().count() > 2048).then_some(name))
    {
        return Err(fault(
            INVALID,
            format!(
                "1 validation error detected: Value at 'userAttributes.{name}.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048"
            ),
        ));
    }
    for name in attributes.keys() {
        if name == "sub" {
            return Err(fault(
                "InvalidParameterException",
                "Cannot modify the non-mutable attribute sub",
            ));
        }
        if name == "email_verified" || name == "phone_number_verified" {
            if admin {
                continue;
            }
            return Err(fault(
                "InvalidParameterException",
                format!("A client attempted to write unauthorized attribute {name}"),
            ));
        }
        if !in_schema(config, name) {
            return Err(fault(
                "InvalidParameterException",
                format!(
                    "Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
                ),
            ));
        }
    }
    Ok(())
}

/// Whether the pool's schema has an attribute of this name: a standard one or a declared
/// `custom:` one.
pub(crate) fn in_schema(config: Option<&PoolConfig>, name: &str) -> bool {
    let declared = name.strip_prefix("custom:").is_some_and(|custom| {
        config.is_some_and(|c| {
            c.custom_attributes
                .iter()
                .any(|d| d.strip_prefix("custom:").unwrap_or(d) == custom)
        })
    });
    declared || STANDARD.contains(&name)
}

/// Whether a client's `ExplicitAuthFlows` allow `flow`: Cognito's refusal when they do not. The
/// admin flows are only for AdminInitiateAuth.
pub(crate) fn check_auth_flow(client: &Client, flow: &str, admin: bool) -> Result<(), Fault> {
    let admin_flow = matches!(flow, "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH");
    if admin_flow && !admin {
        return Err(fault(INVALID, "Initiate Auth method not supported."));
    }
    let Some(allowed) = &client.settings.explicit_auth_flows else {
        return Ok(());
    };
    let has = |names: &[&str]| allowed.iter().any(|a| names.contains(&a.as_str()));
    // A client with only legacy names (no `ALLOW_*`) always allowed SRP and refresh.
    let legacy = !allowed.iter().any(|a| a.starts_with("ALLOW_"));
    let ok = match flow {
        "USER_SRP_AUTH" => has(&["ALLOW_USER_SRP_AUTH"]) || legacy,
        "USER_PASSWORD_AUTH" => has(&["ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"]),
        "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
            has(&["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
        }
        "CUSTOM_AUTH" => has(&["ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"]),
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => has(&["ALLOW_REFRESH_TOKEN_AUTH"]) || legacy,
        "USER_AUTH" => has(&["ALLOW_USER_AUTH"]),
        _ => true,
    };
    if ok {
        Ok(())
    } else if flow == "USER_PASSWORD_AUTH" {
        Err(fault(
            INVALID,
            "USER_PASSWORD_AUTH flow not enabled for this client",
        ))
    } else {
        Err(fault(INVALID, "Auth flow not enabled for this client"))
    }
}

/// Whether a user's password may sign them in: not while AdminResetUserPassword's reset waits.
pub(crate) fn check_not_reset(user: &User) -> Result<(), Fault> {
    if user.status == Status::ResetRequired {
        Err(fault(
            "PasswordResetRequiredException",
            "Password reset required for the user",
        ))
    } else {
        Ok(())
    }
}

/// Whether a user may sign in: Cognito's refusal of a disabled one.
pub(crate) fn check_enabled(user: &User) -> Result<(), Fault> {
    if !user.disabled {
        Ok(())
    } else {
        Err(fault(NOT_AUTHORIZED, "User is disabled."))
    }
}

/// On a pool with `UsernameAttributes`, the attribute a new user's name is (`email` or
/// `phone_number`): `None` on other pools, Cognito's refusal when the name is neither.
pub(crate) fn sign_in_attribute(
    state: &Inner,
    pool_id: &str,
    name: &str,
) -> Result<Option<&'static str>, Fault> {
    let allowed = state
        .pools
        .get(pool_id)
        .map(|p| p.config.settings.username_attributes.clone())
        .unwrap_or_default();
    if allowed.is_empty() {
        return Ok(None);
    }
    let (email, phone) = (
        allowed.iter().any(|a| a == "email"),
        allowed.iter().any(|a| a == "phone_number"),
    );
    if email && name.contains('@') {
        return Ok(Some("email"));
    }
    if phone && name.starts_with('+') {
        return Ok(Some("phone_number"));
    }
    Err(fault(
        INVALID,
        match (email, phone) {
            (true, true) => "Username should be either an email or a phone number.",
            (true, false) => "Username should be an email.",
            _ => "Username should be a phone number.",
        },
    ))
}

/// Whether a user may turn on SMS MFA (`sms`: a phone number to send to) and TOTP (`totp`: a
/// verified software token): Cognito's refusal when not.
pub(crate) fn check_mfa_methods(user: &User, sms: bool, totp: bool) -> Result<(), Fault> {
    if sms && !user.attributes.contains_key("phone_number") {
        return Err(fault(
            INVALID,
            "User does not have delivery config set to turn on SMS_MFA",
        ));
    }
    if totp && user.totp_secret.is_none() {
        return Err(fault(INVALID, "User has not verified software token mfa"));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::settings::ClientSettings;
    use crate::model::state::ClientInfo;

    fn client(flows: Option<&[&str]>) -> Client {
        Client {
            info: ClientInfo {
                id: "c".into(),
                secret: None,
            },
            callback_urls: Vec::new(),
            prevent_user_existence_errors: true,
            settings: ClientSettings {
                explicit_auth_flows: flows.map(|f| f.iter().map(|s| (*s).to_owned()).collect()),
                ..ClientSettings::default()
            },
            refresh_rotation: None,
            created: 0,
            modified: 0,
            secrets: crate::model::client_secrets::ClientSecrets::default(),
        }
    }

    #[test]
    fn explicit_auth_flows_are_enforced_as_cognito_does() {
        let allowed = |flows: Option<&[&str]>, flow: &str, admin: bool| {
            check_auth_flow(&client(flows), flow, admin).is_ok()
        };
        // No setting (the embedded default): every flow, the admin ones only for the admin API.
        assert!(allowed(None, "USER_PASSWORD_AUTH", false));
        assert!(!allowed(None, "ADMIN_USER_PASSWORD_AUTH", false));
        assert!(allowed(None, "ADMIN_USER_PASSWORD_AUTH", true));
        let srp: &[&str] = &["ALLOW_USER_SRP_AUTH"];
        assert!(allowed(Some(srp), "USER_SRP_AUTH", false));
        assert!(!allowed(Some(srp), "USER_PASSWORD_AUTH", false));
        assert!(!allowed(Some(srp), "REFRESH_TOKEN_AUTH", false));
        assert!(!allowed(Some(srp), "CUSTOM_AUTH", true));
        assert!(!allowed(Some(srp), "ADMIN_NO_SRP_AUTH", true));
        // Legacy names: SRP and refresh were always on.
        let legacy: &[&str] = &["ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY"];
        assert!(allowed(Some(legacy), "USER_SRP_AUTH", false));
        assert!(allowed(Some(legacy), "REFRESH_TOKEN", false));
        assert!(allowed(Some(legacy), "ADMIN_USER_PASSWORD_AUTH", true));
        assert!(allowed(Some(legacy), "CUSTOM_AUTH", false));
        assert!(!allowed(Some(legacy), "USER_PASSWORD_AUTH", false));
        assert_eq!(
            check_auth_flow(&client(Some(srp)), "USER_PASSWORD_AUTH", false)
                .unwrap_err()
                .message,
            "USER_PASSWORD_AUTH flow not enabled for this client"
        );
    }
}
