//! Cognito's sign-in challenges, read into typed prompts, and typed answers turned back into
//! `ChallengeResponses`. The state machine that sequences them is in [`super::sign_in`].

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{ErrorKind, Misuse, ServiceError};
use crate::flows::{Input, Prompt};
use crate::secret::SecretString;
use crate::wire::Parameters;

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
            Self::Sms => "SMS_MFA",
            Self::Totp => "SOFTWARE_TOKEN_MFA",
            Self::Email => "EMAIL_OTP",
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
    pub name: String,
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
        match self.name.as_str() {
            "SMS_MFA" => Prompt::SmsMfaCode {
                delivery: CodeDelivery::from_parameters(p),
                error,
            },
            "EMAIL_OTP" => Prompt::EmailOtpCode {
                delivery: CodeDelivery::from_parameters(p),
                error,
            },
            "SMS_OTP" => Prompt::SmsOtpCode {
                delivery: CodeDelivery::from_parameters(p),
                error,
            },
            "SOFTWARE_TOKEN_MFA" => Prompt::TotpCode {
                device_name: p.get("FRIENDLY_DEVICE_NAME").cloned(),
                error,
            },
            "SELECT_MFA_TYPE" => Prompt::SelectMfa {
                options: self.methods("MFAS_CAN_CHOOSE"),
            },
            "MFA_SETUP" => Prompt::SelectMfaSetup {
                options: self.methods("MFAS_CAN_SETUP"),
            },
            "NEW_PASSWORD_REQUIRED" => Prompt::NewPassword {
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
            "CUSTOM_CHALLENGE" => Prompt::CustomChallenge {
                parameters: p.clone(),
                error,
            },
            "SELECT_CHALLENGE" => Prompt::SelectChallenge {
                available: self.available.clone(),
            },
            "WEB_AUTHN" => Prompt::WebAuthn {
                credential_request_options: p
                    .get("CREDENTIAL_REQUEST_OPTIONS")
                    .cloned()
                    .unwrap_or_default(),
            },
            _ => Prompt::Challenge {
                name: self.name.clone(),
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
            || (self.name == "NEW_PASSWORD_REQUIRED" && *kind == ErrorKind::InvalidParameter)
    }

    /// The `ChallengeResponses` of a code or answer input, for the challenges that take one.
    pub fn responses(&self, input: Input) -> Result<Parameters, Misuse> {
        let key = match (self.name.as_str(), &input) {
            (_, Input::Challenge(_)) => None,
            ("SMS_MFA", Input::Code(_)) => Some("SMS_MFA_CODE"),
            ("SOFTWARE_TOKEN_MFA", Input::Code(_)) => Some("SOFTWARE_TOKEN_MFA_CODE"),
            ("EMAIL_OTP", Input::Code(_)) => Some("EMAIL_OTP_CODE"),
            ("SMS_OTP", Input::Code(_)) => Some("SMS_OTP_CODE"),
            ("CUSTOM_CHALLENGE", Input::Answer(_) | Input::Code(_)) => Some("ANSWER"),
            ("SELECT_MFA_TYPE", Input::SelectMfa(_)) => Some("ANSWER"),
            ("WEB_AUTHN", Input::WebAuthnCredential(_)) => Some("CREDENTIAL"),
            ("NEW_PASSWORD_REQUIRED", Input::NewPassword { .. }) => Some("NEW_PASSWORD"),
            _ => {
                return Err(Misuse::UnexpectedInput {
                    expected: self.prompt().kind(),
                    got: input.kind(),
                });
            }
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
            other => {
                return Err(Misuse::UnexpectedInput {
                    expected: self.prompt().kind(),
                    got: other.kind(),
                });
            }
        }
        Ok(responses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
