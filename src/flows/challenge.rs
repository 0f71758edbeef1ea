//! Cognito's sign-in challenges, read into typed prompts, and typed answers turned back into
//! `ChallengeResponses`. The state machine that sequences them is in [`super::sign_in`].

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{ErrorKind, Misuse, ServiceError};
use crate::flows::{Input, Prompt};
use crate::secret::SecretString;
use crate::wire::Parameters;

/// The one list of Cognito's challenges and of the prompts the flows show. It generates
/// [`ChallengeName`] (the names, their parsing, `Other` for the rest), [`PromptKind`] (one per
/// [`Prompt`] variant: its name, e.g. `sms_mfa_code`, and its words for misuse errors) and
/// [`Prompt::prompt_kind`]. Adding a challenge is one row here and its prompt handling: the
/// exhaustive matches on [`ChallengeName`] ([`Challenge::prompt`], [`Challenge::responses`]) do
/// not compile until it has one, and a new [`Prompt`] variant does not compile without its row,
/// nor in the CLI and the Python binding (which match [`Prompt`] without a wildcard) until they
/// show it.
macro_rules! challenges {
    (
        challenges {
            $($(#[$cdoc:meta])* $challenge:ident = $name:literal,)*
        }
        prompts {
            $($(#[$pdoc:meta])* $prompt:ident = $kind:literal, $words:literal,)*
        }
    ) => {
        /// A challenge's name (`ChallengeName`, and the values of `AvailableChallenges` and
        /// `PREFERRED_CHALLENGE`), typed. Anything else is kept in [`ChallengeName::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ChallengeName {
            $($(#[$cdoc])* $challenge,)*
            /// A challenge this version does not know, by its name.
            Other(String),
        }

        impl ChallengeName {
            /// Every challenge this version knows.
            pub const ALL: &'static [ChallengeName] = &[$(Self::$challenge,)*];

            /// Reads a challenge name as Cognito sends it, e.g. `SMS_MFA`.
            pub fn parse(name: &str) -> Self {
                match name {
                    $($name => Self::$challenge,)*
                    other => Self::Other(other.to_owned()),
                }
            }

            /// The name as Cognito spells it, e.g. `"SOFTWARE_TOKEN_MFA"`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$challenge => $name,)*
                    Self::Other(name) => name,
                }
            }
        }

        /// Which prompt a [`Prompt`] is, without its fields.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum PromptKind {
            $($(#[$pdoc])* $prompt,)*
        }

        impl PromptKind {
            /// Every prompt.
            pub const ALL: &'static [PromptKind] = &[$(Self::$prompt,)*];

            /// The prompt's name, e.g. `"sms_mfa_code"` (the Python binding's `Prompt.kind`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$prompt => $kind,)*
                }
            }

            /// What the prompt asks for, in words, e.g. `"an SMS MFA code"` (misuse errors).
            pub fn words(self) -> &'static str {
                match self {
                    $(Self::$prompt => $words,)*
                }
            }
        }

        impl Prompt {
            /// Which prompt this is.
            pub fn prompt_kind(&self) -> PromptKind {
                match self {
                    $(Self::$prompt { .. } => PromptKind::$prompt,)*
                }
            }
        }
    };
}

challenges! {
    challenges {
        /// `SMS_MFA`: a code texted to the user, as a second factor.
        SmsMfa = "SMS_MFA",
        /// `EMAIL_OTP`: a code emailed to the user (MFA, or a first factor of `USER_AUTH`).
        EmailOtp = "EMAIL_OTP",
        /// `SMS_OTP`: a code texted as a first factor of `USER_AUTH`.
        SmsOtp = "SMS_OTP",
        /// `SOFTWARE_TOKEN_MFA`: the code of an authenticator app.
        SoftwareTokenMfa = "SOFTWARE_TOKEN_MFA",
        /// `SELECT_MFA_TYPE`: which of the user's MFA methods to use now.
        SelectMfaType = "SELECT_MFA_TYPE",
        /// `MFA_SETUP`: the user must set up MFA.
        MfaSetup = "MFA_SETUP",
        /// `NEW_PASSWORD_REQUIRED`: a temporary password to replace.
        NewPasswordRequired = "NEW_PASSWORD_REQUIRED",
        /// `CUSTOM_CHALLENGE`: the pool's Lambda triggers ask.
        CustomChallenge = "CUSTOM_CHALLENGE",
        /// `SELECT_CHALLENGE`: which first factor of `USER_AUTH`.
        SelectChallenge = "SELECT_CHALLENGE",
        /// `WEB_AUTHN`: a passkey.
        WebAuthn = "WEB_AUTHN",
        /// `PASSWORD`: the password, sent (a first factor of `USER_AUTH`).
        Password = "PASSWORD",
        /// `PASSWORD_SRP`: the password, proven by SRP (a first factor of `USER_AUTH`).
        PasswordSrp = "PASSWORD_SRP",
        /// `PASSWORD_VERIFIER`: the SRP claim, answered by the flow.
        PasswordVerifier = "PASSWORD_VERIFIER",
        /// `DEVICE_SRP_AUTH`: a remembered device starts its SRP exchange, answered by the flow.
        DeviceSrpAuth = "DEVICE_SRP_AUTH",
        /// `DEVICE_PASSWORD_VERIFIER`: the device's SRP claim, answered by the flow.
        DevicePasswordVerifier = "DEVICE_PASSWORD_VERIFIER",
        /// `ADMIN_NO_SRP_AUTH`: the admin API's password sign-in.
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
    }
    prompts {
        /// [`Prompt::Challenge`].
        Challenge = "challenge", "a challenge answer",
        /// [`Prompt::SmsMfaCode`].
        SmsMfaCode = "sms_mfa_code", "an SMS MFA code",
        /// [`Prompt::EmailOtpCode`].
        EmailOtpCode = "email_otp_code", "an email code",
        /// [`Prompt::SmsOtpCode`].
        SmsOtpCode = "sms_otp_code", "an SMS code",
        /// [`Prompt::TotpCode`].
        TotpCode = "totp_code", "a TOTP code",
        /// [`Prompt::SelectMfa`].
        SelectMfa = "select_mfa", "an MFA method",
        /// [`Prompt::SelectMfaSetup`].
        SelectMfaSetup = "select_mfa_setup", "an MFA method to set up",
        /// [`Prompt::TotpSetup`].
        TotpSetup = "totp_setup", "a TOTP setup code",
        /// [`Prompt::EmailMfaSetup`].
        EmailMfaSetup = "email_mfa_setup", "an email address for MFA",
        /// [`Prompt::NewPassword`].
        NewPassword = "new_password", "a new password",
        /// [`Prompt::CustomChallenge`].
        CustomChallenge = "custom_challenge", "a custom challenge answer",
        /// [`Prompt::SelectChallenge`].
        SelectChallenge = "select_challenge", "a sign-in method",
        /// [`Prompt::WebAuthn`].
        WebAuthn = "web_authn", "a WebAuthn credential",
        /// [`Prompt::Authorize`].
        Authorize = "authorize", "the callback URL",
        /// [`Prompt::PasswordReset`].
        PasswordReset = "password_reset", "a code and a new password",
        /// [`Prompt::RememberDevice`].
        RememberDevice = "remember_device", "whether to remember the device",
    }
}

impl fmt::Display for ChallengeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for ChallengeName {
    fn from(name: &str) -> Self {
        Self::parse(name)
    }
}

/// Where Cognito sent a code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeDelivery {
    /// The masked destination, e.g. `+*******1234`.
    pub destination: Option<String>,
    /// `SMS` or `EMAIL`.
    pub medium: Option<String>,
}

impl CodeDelivery {
    fn from_parameters(p: &BTreeMap<String, String>) -> Self {
        Self {
            destination: p.get("CODE_DELIVERY_DESTINATION").cloned(),
            medium: p.get("CODE_DELIVERY_DELIVERY_MEDIUM").cloned(),
        }
    }
}

/// An MFA method.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MfaMethod {
    /// `SMS_MFA`: codes by text message.
    Sms,
    /// `SOFTWARE_TOKEN_MFA`: an authenticator app (TOTP).
    Totp,
    /// `EMAIL_OTP`: codes by email.
    Email,
    /// A method this version does not know, by its challenge name.
    Other(String),
}

impl MfaMethod {
    /// The method of a challenge name (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`; `SMS` and
    /// `EMAIL` too, as some pools spell them).
    pub fn from_name(name: &str) -> Self {
        match name {
            "SMS_MFA" | "SMS" | "SMS_OTP" => Self::Sms,
            "SOFTWARE_TOKEN_MFA" | "TOTP" => Self::Totp,
            "EMAIL_OTP" | "EMAIL" => Self::Email,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The challenge name, e.g. `SOFTWARE_TOKEN_MFA`.
    pub fn challenge_name(&self) -> &str {
        match self {
            Self::Sms => ChallengeName::SmsMfa.as_str(),
            Self::Totp => ChallengeName::SoftwareTokenMfa.as_str(),
            Self::Email => ChallengeName::EmailOtp.as_str(),
            Self::Other(name) => name,
        }
    }
}

/// Reads a list parameter (`MFAS_CAN_CHOOSE`, `MFAS_CAN_SETUP`, `requiredAttributes`) however
/// it is spelled: a JSON array (`["SMS_MFA","SOFTWARE_TOKEN_MFA"]`, Cognito), a Python list
/// (`['SOFTWARE_TOKEN_MFA']`, moto), or a bare comma-separated list.
pub(crate) fn parse_list(raw: &str) -> Vec<String> {
    if let Ok(list) = serde_json::from_str::<Vec<String>>(raw) {
        return list;
    }
    raw.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|item| item.trim().trim_matches(|c| c == '\'' || c == '"').trim())
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Attributes Cognito refuses in `NEW_PASSWORD_REQUIRED` answers (immutable or verified-only).
const REFUSED_ATTRIBUTES: &[&str] = &["sub", "email_verified", "phone_number_verified"];

/// A TOTP secret to set up, with its `otpauth://` URI. `Debug` redacts both.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSetup {
    /// The secret, base32 (for manual entry).
    pub secret: SecretString,
    /// `otpauth://totp/{issuer}:{account}?secret=...&issuer=...`, for a QR code.
    pub uri: SecretString,
}

impl fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSetup([redacted])")
    }
}

impl TotpSetup {
    pub(crate) fn new(secret: SecretString, issuer: &str, account: &str) -> Self {
        let uri = crate::totp::otpauth_uri(secret.expose(), issuer, account);
        Self { secret, uri }
    }

    /// The `otpauth://` URI.
    pub fn uri(&self) -> &str {
        self.uri.expose()
    }
}

/// A challenge Cognito asked, waiting for the user.
#[derive(Debug, Clone)]
pub(crate) struct Challenge {
    pub name: ChallengeName,
    pub parameters: BTreeMap<String, String>,
    pub session: Option<SecretString>,
    /// `AvailableChallenges` (USER_AUTH).
    pub available: Vec<String>,
    pub error: Option<ServiceError>,
}

impl Challenge {
    /// The prompt for this challenge.
    pub fn prompt(&self) -> Prompt {
        let p = &self.parameters;
        let error = self.error.clone();
        match &self.name {
            ChallengeName::SmsMfa => Prompt::SmsMfaCode {
                delivery: CodeDelivery::from_parameters(p),
                error,
            },
            ChallengeName::EmailOtp => Prompt::EmailOtpCode {
                delivery: CodeDelivery::from_parameters(p),
                error,
            },
            ChallengeName::SmsOtp => Prompt::SmsOtpCode {
                delivery: CodeDelivery::from_parameters(p),
                error,
            },
            ChallengeName::SoftwareTokenMfa => Prompt::TotpCode {
                device_name: p.get("FRIENDLY_DEVICE_NAME").cloned(),
                error,
            },
            ChallengeName::SelectMfaType => Prompt::SelectMfa {
                options: self.methods("MFAS_CAN_CHOOSE"),
            },
            ChallengeName::MfaSetup => Prompt::SelectMfaSetup {
                options: self.methods("MFAS_CAN_SETUP"),
            },
            ChallengeName::NewPasswordRequired => Prompt::NewPassword {
                user_attributes: p
                    .get("userAttributes")
                    .and_then(|raw| {
                        serde_json::from_str::<BTreeMap<String, serde_json::Value>>(raw).ok()
                    })
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(name, _)| !REFUSED_ATTRIBUTES.contains(&name.as_str()))
                    .map(|(name, value)| {
                        let value = match value {
                            serde_json::Value::String(s) => s,
                            other => other.to_string(),
                        };
                        (name, value)
                    })
                    .collect(),
                required_attributes: p
                    .get("requiredAttributes")
                    .map(|raw| parse_list(raw))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| {
                        a.strip_prefix("userAttributes.")
                            .map(str::to_owned)
                            .unwrap_or(a)
                    })
                    .collect(),
                error,
            },
            ChallengeName::CustomChallenge => Prompt::CustomChallenge {
                parameters: p.clone(),
                error,
            },
            ChallengeName::SelectChallenge => Prompt::SelectChallenge {
                available: self.available.clone(),
            },
            ChallengeName::WebAuthn => Prompt::WebAuthn {
                credential_request_options: p
                    .get("CREDENTIAL_REQUEST_OPTIONS")
                    .cloned()
                    .unwrap_or_default(),
            },
            // No typed prompt: the flow answers these itself, or they are not asked of a
            // user signing in with this crate; if Cognito asks one, the caller answers raw.
            ChallengeName::Password
            | ChallengeName::PasswordSrp
            | ChallengeName::PasswordVerifier
            | ChallengeName::DeviceSrpAuth
            | ChallengeName::DevicePasswordVerifier
            | ChallengeName::AdminNoSrpAuth
            | ChallengeName::Other(_) => Prompt::Challenge {
                name: self.name.to_string(),
                parameters: p.clone(),
                error,
            },
        }
    }

    pub fn methods(&self, parameter: &str) -> Vec<MfaMethod> {
        self.parameters
            .get(parameter)
            .map(|raw| parse_list(raw))
            .unwrap_or_default()
            .iter()
            .map(|name| MfaMethod::from_name(name))
            .collect()
    }

    /// Whether `kind` lets the user answer this challenge again.
    pub fn is_correctable(&self, kind: &ErrorKind) -> bool {
        kind.is_correctable()
            || (self.name == ChallengeName::NewPasswordRequired
                && *kind == ErrorKind::InvalidParameter)
    }

    /// The `ChallengeResponses` of a code or answer input, for the challenges that take one.
    pub fn responses(&self, input: Input) -> Result<Parameters, Misuse> {
        let unexpected = |input: &Input| Misuse::UnexpectedInput {
            expected: self.prompt().kind(),
            got: input.kind(),
        };
        let key = match (&self.name, &input) {
            (_, Input::Challenge(_)) => None,
            (ChallengeName::SmsMfa, Input::Code(_)) => Some("SMS_MFA_CODE"),
            (ChallengeName::SoftwareTokenMfa, Input::Code(_)) => Some("SOFTWARE_TOKEN_MFA_CODE"),
            (ChallengeName::EmailOtp, Input::Code(_)) => Some("EMAIL_OTP_CODE"),
            (ChallengeName::SmsOtp, Input::Code(_)) => Some("SMS_OTP_CODE"),
            (ChallengeName::CustomChallenge, Input::Answer(_) | Input::Code(_)) => Some("ANSWER"),
            (ChallengeName::SelectMfaType, Input::SelectMfa(_)) => Some("ANSWER"),
            (ChallengeName::WebAuthn, Input::WebAuthnCredential(_)) => Some("CREDENTIAL"),
            (ChallengeName::NewPasswordRequired, Input::NewPassword { .. }) => Some("NEW_PASSWORD"),
            // The sign-in answers these itself (`MFA_SETUP`, `SELECT_CHALLENGE`) or takes only
            // raw responses for them.
            (
                ChallengeName::SmsMfa
                | ChallengeName::SoftwareTokenMfa
                | ChallengeName::EmailOtp
                | ChallengeName::SmsOtp
                | ChallengeName::CustomChallenge
                | ChallengeName::SelectMfaType
                | ChallengeName::WebAuthn
                | ChallengeName::NewPasswordRequired
                | ChallengeName::MfaSetup
                | ChallengeName::SelectChallenge
                | ChallengeName::Password
                | ChallengeName::PasswordSrp
                | ChallengeName::PasswordVerifier
                | ChallengeName::DeviceSrpAuth
                | ChallengeName::DevicePasswordVerifier
                | ChallengeName::AdminNoSrpAuth
                | ChallengeName::Other(_),
                _,
            ) => return Err(unexpected(&input)),
        };
        let mut responses = BTreeMap::new();
        match input {
            Input::Challenge(raw) => {
                responses = raw
                    .into_iter()
                    .map(|(k, v)| (k, SecretString::from(v)))
                    .collect();
            }
            Input::Code(code) | Input::Answer(code) => {
                let code = code.expose().trim();
                if code.is_empty() {
                    return Err(Misuse::InvalidInput("the answer is empty".into()));
                }
                responses.insert(key.unwrap_or("ANSWER").to_owned(), SecretString::new(code));
            }
            Input::SelectMfa(method) => {
                responses.insert("ANSWER".to_owned(), method.challenge_name().into());
            }
            Input::WebAuthnCredential(json) => {
                responses.insert("CREDENTIAL".to_owned(), json.into());
            }
            Input::NewPassword {
                password,
                attributes,
            } => {
                responses.insert("NEW_PASSWORD".to_owned(), password.expose().into());
                for (name, value) in attributes {
                    if !REFUSED_ATTRIBUTES.contains(&name.as_str()) {
                        responses.insert(format!("userAttributes.{name}"), value.into());
                    }
                }
            }
            other => return Err(unexpected(&other)),
        }
        Ok(responses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_names_read_back_as_sent() {
        for name in ChallengeName::ALL {
            assert_eq!(ChallengeName::parse(name.as_str()), *name);
        }
        assert_eq!(ChallengeName::ALL.len(), 16);
        assert_eq!(
            ChallengeName::parse("SOME_NEW_CHALLENGE"),
            ChallengeName::Other("SOME_NEW_CHALLENGE".into())
        );
        assert_eq!(ChallengeName::Other("X".into()).as_str(), "X");
    }

    #[test]
    fn lists_are_read_in_every_spelling() {
        let both = vec!["SMS_MFA".to_owned(), "SOFTWARE_TOKEN_MFA".to_owned()];
        assert_eq!(parse_list(r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#), both);
        assert_eq!(parse_list("['SMS_MFA', 'SOFTWARE_TOKEN_MFA']"), both);
        assert_eq!(parse_list("SMS_MFA,SOFTWARE_TOKEN_MFA"), both);
        assert_eq!(parse_list("[]"), Vec::<String>::new());
        assert_eq!(parse_list(""), Vec::<String>::new());
    }
}
