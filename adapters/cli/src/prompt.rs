//! Answers to the flows' prompts from the terminal: questions on stderr, answers on stdin,
//! passwords without echo.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use cognito_flows::{Input, MfaMethod, Password, Prompt};

use crate::term::clean;

/// Asks a question on stderr; reads a line from stdin.
pub(crate) fn ask(question: &str) -> io::Result<String> {
    eprint!("{question}: ");
    io::stderr().flush()?;
    let mut line = String::new();
    if io::stdin().lock().read_line(&mut line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "no more input",
        ));
    }
    Ok(line.trim().to_owned())
}

fn secret(question: &str) -> io::Result<Password> {
    rpassword::prompt_password(format!("{question}: ")).map(Password::from)
}

fn choose(options: &[MfaMethod]) -> io::Result<MfaMethod> {
    for (i, o) in options.iter().enumerate() {
        eprintln!("  {}. {}", i + 1, o.challenge_name());
    }
    let picked = ask("Choose")?;
    picked
        .parse::<usize>()
        .ok()
        .and_then(|i| options.get(i.wrapping_sub(1)))
        .cloned()
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{picked:?} is not one of the options"),
            )
        })
}

/// The interactive answer to any prompt; "remember this device?" defaults to no.
pub(crate) fn interactive(prompt: Prompt) -> Result<Input, cognito_flows_ureq::PromptError> {
    answer(prompt, false)
}

/// The interactive answer to any prompt, "remember this device?" defaulting to `remember`.
/// Everything shown that came from Cognito (errors, delivery destinations, challenge
/// parameters, the TOTP secret) is printed without its control characters.
pub(crate) fn answer(
    prompt: Prompt,
    remember: bool,
) -> Result<Input, cognito_flows_ureq::PromptError> {
    if let Some(error) = prompt.error() {
        // Asked again after a correctable error (a wrong code, a weak password): in words.
        let said = crate::explain::explain(error, crate::explain::About::default());
        eprint!("{}", said.lines().trim_start_matches("error: "));
    }
    Ok(match prompt {
        Prompt::SmsMfaCode { delivery, .. }
        | Prompt::EmailOtpCode { delivery, .. }
        | Prompt::SmsOtpCode { delivery, .. } => {
            let to = clean(delivery.destination.as_deref().unwrap_or("you"));
            Input::code(ask(&format!("Code sent to {to}"))?)
        }
        Prompt::TotpCode { .. } => Input::code(ask("Code from your authenticator app")?),
        Prompt::SelectMfa { options } | Prompt::SelectMfaSetup { options } => {
            Input::SelectMfa(choose(&options)?)
        }
        Prompt::TotpSetup { setup, .. } => {
            eprintln!(
                "Add this to your authenticator app:\n  secret: {}\n  uri:    {}",
                clean(setup.secret.expose()),
                clean(setup.uri())
            );
            Input::TotpSetup {
                code: ask("Code from the app")?.into(),
                device_name: Some("cognito CLI".into()),
            }
        }
        Prompt::EmailMfaSetup { .. } => Input::Email(ask("Email address for MFA codes")?),
        Prompt::NewPassword {
            required_attributes,
            ..
        } => {
            let password = secret("New password")?;
            let mut attributes = BTreeMap::new();
            for name in required_attributes {
                attributes.insert(name.clone(), ask(&name)?);
            }
            Input::NewPassword {
                password,
                attributes,
            }
        }
        Prompt::CustomChallenge { parameters, .. } => {
            for (k, v) in &parameters {
                eprintln!("  {}: {}", clean(k), clean(v));
            }
            Input::Answer(ask("Answer")?.into())
        }
        Prompt::SelectChallenge { available } => {
            eprintln!("Sign in with: {}", clean(&available.join(", ")));
            let challenge = ask("Method")?.to_ascii_uppercase();
            let password = if challenge.starts_with("PASSWORD") {
                Some(secret("Password")?)
            } else {
                None
            };
            Input::SelectChallenge {
                challenge,
                password,
            }
        }
        Prompt::RememberDevice { .. } => {
            let question = if remember {
                "Remember this device (the next sign-in skips MFA)? [Y/n]"
            } else {
                "Remember this device? [y/N]"
            };
            // No more input (a script that piped only the password): the default.
            let yes = match ask(question) {
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    eprintln!();
                    String::new()
                }
                other => other?,
            };
            Input::RememberDevice(if yes.is_empty() {
                remember
            } else {
                yes.eq_ignore_ascii_case("y") || yes.eq_ignore_ascii_case("yes")
            })
        }
        Prompt::PasswordReset { delivery, .. } => {
            let to = clean(delivery.destination.as_deref().unwrap_or("you"));
            let code = ask(&format!("Code sent to {to}"))?;
            Input::PasswordReset {
                code: code.into(),
                password: secret("New password")?,
            }
        }
        Prompt::WebAuthn { .. } => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "passkeys need a browser or an authenticator API",
            )
            .into());
        }
        Prompt::Challenge {
            name, parameters, ..
        } => {
            eprintln!(
                "Challenge {}: {}",
                clean(&name),
                clean(&format!("{parameters:?}"))
            );
            let answer = ask("ANSWER")?;
            Input::Challenge(BTreeMap::from([("ANSWER".to_owned(), answer)]))
        }
        // The hosted UI's callback needs a browser: `cognito hosted` answers it itself.
        Prompt::Authorize { .. } => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("cannot answer {} here", prompt.kind()),
            )
            .into());
        }
    })
}
