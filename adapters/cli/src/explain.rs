//! Cognito's errors in words a person can act on: a sentence (Cognito's own message when it
//! says more than the exception's name) and a hint of what to do next, never the name of the
//! API operation that failed.

use cognito_flows::{ErrorKind, ServiceError};

use crate::term::clean;

/// What the CLI says about an error: the sentence, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Explained {
    /// What went wrong.
    pub sentence: String,
    /// What to do next.
    pub hint: Option<String>,
}

impl Explained {
    /// `error: SENTENCE` and `hint: HINT` on lines of their own, cleaned of control characters
    /// (the sentence may be Cognito's).
    pub fn lines(&self) -> String {
        let mut out = format!("error: {}\n", clean(&self.sentence));
        if let Some(hint) = &self.hint {
            out.push_str(&format!("hint: {}\n", clean(hint)));
        }
        out
    }
}

/// Who the error was about, for hints that name a command to run.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct About<'a> {
    /// The user name the command was given.
    pub username: Option<&'a str>,
    /// ` --profile NAME` when the profile is not the default one, else empty.
    pub profile_flag: &'a str,
}

impl About<'_> {
    fn user(&self) -> &str {
        self.username.unwrap_or("NAME")
    }
}

/// Cognito's message when it has one, else `fallback`; a sentence ends with a full stop.
fn sentence(error: &ServiceError, fallback: &str) -> String {
    let message = error.message.trim();
    let text = if message.is_empty() {
        fallback
    } else {
        message
    };
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// The sentence and the hint for an exception Cognito answered with.
pub(crate) fn explain(error: &ServiceError, about: About<'_>) -> Explained {
    let p = about.profile_flag;
    let user = about.user();
    let sign_in = format!("run `cognito sign-in{p}`");
    let with = |fallback: &str, hint: Option<String>| Explained {
        sentence: sentence(error, fallback),
        hint,
    };
    let ours = |text: &str, hint: Option<String>| Explained {
        sentence: text.to_owned(),
        hint,
    };
    let message = error.message.to_ascii_lowercase();
    match &error.kind {
        ErrorKind::NotAuthorized if message.contains("incorrect username or password") => with(
            "Incorrect user name or password.",
            Some(format!(
                "check the user name and the password; `cognito forgot-password{p} --username {user}` \
                 resets a forgotten password"
            )),
        ),
        ErrorKind::NotAuthorized if message.contains("disabled") => with(
            "The user is disabled.",
            Some("an administrator of the user pool must enable the user again".into()),
        ),
        ErrorKind::NotAuthorized if message.contains("attempts exceeded") => with(
            "Too many wrong passwords.",
            Some("wait a little (the lock-out doubles with each failure), then try again".into()),
        ),
        ErrorKind::NotAuthorized if message.contains("token") => with(
            "The session has ended.",
            Some(format!("{sign_in} to start a new one")),
        ),
        ErrorKind::NotAuthorized => with(
            "Cognito refused the credentials.",
            Some(format!("check them, or {sign_in}")),
        ),
        ErrorKind::UserNotConfirmed => with(
            "User is not confirmed.",
            Some(format!(
                "confirm the sign-up with the code that was sent: `cognito confirm-sign-up{p} \
                 --username {user}`"
            )),
        ),
        ErrorKind::UserNotFound => ours(
            "There is no such user.",
            Some(format!(
                "check the user name, or register with `cognito sign-up{p} --username {user}`"
            )),
        ),
        ErrorKind::PasswordResetRequired => ours(
            "The password must be reset before signing in.",
            Some(format!(
                "run `cognito forgot-password{p} --username {user}`"
            )),
        ),
        ErrorKind::CodeMismatch => ours(
            "That code is wrong.",
            Some("check the code and type it again".into()),
        ),
        ErrorKind::EnableSoftwareTokenMfa => ours(
            "The authenticator app's code is wrong.",
            Some("type the code the app shows now (they change every 30 seconds)".into()),
        ),
        ErrorKind::ExpiredCode => ours(
            "The code has expired.",
            Some("ask for a new code and use it within its lifetime".into()),
        ),
        ErrorKind::InvalidPassword => with(
            "The password does not meet the user pool's policy.",
            Some("choose a longer password, with the kinds of characters the pool asks for".into()),
        ),
        ErrorKind::PasswordHistoryPolicyViolation => ours(
            "That password was used recently.",
            Some("choose a password you have not used before".into()),
        ),
        ErrorKind::UsernameExists => ours(
            "That user name is taken.",
            Some(format!(
                "choose another, or sign in as {user}: `cognito sign-in{p} --username {user}`"
            )),
        ),
        ErrorKind::AliasExists => ours(
            "That email address or phone number already belongs to another user.",
            Some("use another one, or sign in as the user who has it".into()),
        ),
        ErrorKind::CodeDeliveryFailure => ours(
            "The code could not be sent.",
            Some("check the user's email address or phone number".into()),
        ),
        ErrorKind::LimitExceeded
        | ErrorKind::TooManyFailedAttempts
        | ErrorKind::TooManyRequests
        | ErrorKind::Throttling => with(
            "Too many attempts.",
            Some("wait a while, then try again".into()),
        ),
        ErrorKind::RefreshTokenReuse => ours(
            "This refresh token was already used.",
            Some(format!("{sign_in} to start a new session")),
        ),
        ErrorKind::ResourceNotFound => with(
            "The user pool, app client or device does not exist.",
            Some(format!(
                "check the profile's user pool id and client id: `cognito configure{p}`"
            )),
        ),
        ErrorKind::InvalidParameter if message.contains("auth flow not enabled") => with(
            "The app client does not allow this way of signing in.",
            Some(
                "allow it among the app client's authentication flows: ALLOW_USER_SRP_AUTH \
                 (`cognito sign-in`), ALLOW_USER_PASSWORD_AUTH (--plain-password), \
                 ALLOW_USER_AUTH (--user-auth, --preferred-challenge)"
                    .into(),
            ),
        ),
        ErrorKind::InvalidParameter | ErrorKind::Validation => with(
            "Cognito refused a parameter.",
            Some("check the values given; `cognito help` lists the options".into()),
        ),
        ErrorKind::InvalidUserPoolConfiguration | ErrorKind::UnsupportedOperation => with(
            "The user pool or its app client is not set up for this.",
            Some(
                "check the app client's authentication flows (ALLOW_USER_SRP_AUTH, \
                 ALLOW_REFRESH_TOKEN_AUTH, ...) and the pool's settings"
                    .into(),
            ),
        ),
        ErrorKind::Unauthorized | ErrorKind::AccessDenied | ErrorKind::UnsupportedTokenType => {
            with(
                "The app client is not allowed to do this.",
                Some("check the app client's settings (token revocation, scopes)".into()),
            )
        }
        ErrorKind::Forbidden => ours(
            "The user pool's web application firewall blocked the request.",
            Some("ask the pool's administrator".into()),
        ),
        ErrorKind::MfaMethodNotFound | ErrorKind::SoftwareTokenMfaNotFound => with(
            "The user has no MFA method that fits.",
            Some(format!(
                "set up an authenticator app: `cognito mfa setup-totp{p}`"
            )),
        ),
        ErrorKind::UnexpectedLambda
        | ErrorKind::UserLambdaValidation
        | ErrorKind::InvalidLambdaResponse => with(
            "A Lambda trigger of the user pool failed.",
            Some("the pool's administrator can read the trigger's logs".into()),
        ),
        ErrorKind::InternalError | ErrorKind::ServiceUnavailable => ours(
            "Cognito failed on its side.",
            Some("try again in a moment".into()),
        ),
        ErrorKind::InvalidEmailRoleAccessPolicy
        | ErrorKind::InvalidSmsRoleAccessPolicy
        | ErrorKind::InvalidSmsRoleTrustRelationship
        | ErrorKind::UserPoolAddOnNotEnabled => with(
            "The user pool is not set up to send this.",
            Some("ask the pool's administrator to check its email, SMS or add-on settings".into()),
        ),
        ErrorKind::ConcurrentModification => ours(
            "Something else changed the same thing at the same moment.",
            Some("try again".into()),
        ),
        ErrorKind::WebAuthnChallengeNotFound
        | ErrorKind::WebAuthnClientMismatch
        | ErrorKind::WebAuthnConfigurationMissing
        | ErrorKind::WebAuthnCredentialNotSupported
        | ErrorKind::WebAuthnNotEnabled
        | ErrorKind::WebAuthnOriginNotAllowed
        | ErrorKind::WebAuthnRelyingPartyMismatch => with(
            "The passkey was refused.",
            Some("passkeys need a browser or an authenticator API".into()),
        ),
        // An exception this version does not know: Cognito's words, or its name.
        other => with(other.name(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognito_flows::wire::Operation;

    fn error(kind: ErrorKind, message: &str) -> ServiceError {
        ServiceError {
            operation: Operation::RespondToAuthChallenge,
            kind,
            message: message.into(),
            status: 400,
        }
    }

    #[test]
    fn a_wrong_password_is_a_sentence_and_a_hint_without_the_operation() {
        let about = About {
            username: Some("alice"),
            profile_flag: "",
        };
        let said = explain(
            &error(ErrorKind::NotAuthorized, "Incorrect username or password."),
            about,
        );
        assert_eq!(said.sentence, "Incorrect username or password.");
        assert_eq!(
            said.hint.as_deref(),
            Some(
                "check the user name and the password; `cognito forgot-password --username alice` \
                 resets a forgotten password"
            )
        );
    }

    #[test]
    fn an_unconfirmed_user_is_told_the_command_that_confirms() {
        let about = About {
            username: Some("dan"),
            profile_flag: " --profile emu",
        };
        let said = explain(
            &error(ErrorKind::UserNotConfirmed, "User is not confirmed."),
            about,
        );
        assert_eq!(said.sentence, "User is not confirmed.");
        assert!(
            said.hint.as_deref().is_some_and(
                |h| h.contains("`cognito confirm-sign-up --profile emu --username dan`")
            ),
            "{said:?}"
        );
    }

    #[test]
    fn every_known_exception_has_a_sentence_and_a_hint_and_no_operation_name() {
        for &name in ErrorKind::NAMES {
            let kind = ErrorKind::from_type(name);
            assert!(!matches!(kind, ErrorKind::Unknown(_)), "{name} is known");
            for message in ["", "Some words from Cognito"] {
                let said = explain(&error(kind.clone(), message), About::default());
                assert!(!said.sentence.is_empty(), "{name}");
                assert!(said.sentence.ends_with('.'), "{name}: {}", said.sentence);
                assert!(said.hint.is_some(), "{name} has a hint");
                assert!(
                    !said.sentence.contains("RespondToAuthChallenge")
                        && !said.sentence.contains("failed with"),
                    "{name}: {}",
                    said.sentence
                );
            }
        }
        let unknown = explain(
            &error(ErrorKind::from_type("NewException"), ""),
            About::default(),
        );
        assert_eq!(unknown.sentence, "NewException.");
    }
}
