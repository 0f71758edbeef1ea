//! The blocking client against moto and against the emulator: the same test bodies on both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cognito_flows::flows::account::NewUser;
use cognito_flows::{ErrorKind, Input, Prompt, StoredSession};
use cognito_flows_emulator::EmulatorConfig;
use cognito_flows_testkit::{Backend, Moto, emulator};
use cognito_flows_ureq::{Client, DriveError, UnexpectedPrompt, no_prompt};

const PASSWORD: &str = "Corr3ct-Horse!";

fn sign_in_refresh_and_errors(backend: &dyn Backend, secret: bool) {
    let pool = backend.pool(secret);
    backend.user(&pool, "alice", PASSWORD, &[("email", "alice@example.com")]);
    let client = Client::new(pool.clone());
    let signed_in = client.sign_in_srp("alice", PASSWORD, no_prompt).unwrap();
    assert_eq!(signed_in.username, "alice");
    // A callback that must not be reached may panic, with no type annotations.
    client
        .sign_in_password("alice", PASSWORD, |p| panic!("{p:?}"))
        .unwrap();
    let mut session = StoredSession::from(signed_in);
    client.refresh(&mut session).unwrap();
    assert_eq!(
        client
            .get_user(&session.tokens.access_token)
            .unwrap()
            .username,
        "alice"
    );

    let wrong = client
        .sign_in_password("alice", "Wr0ng-pass!", no_prompt)
        .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert!(
        wrong
            .to_string()
            .contains("InitiateAuth failed with NotAuthorizedException"),
        "{wrong}"
    );
    let srp = client.sign_in_srp("alice", "Wr0ng-pass!", no_prompt);
    if backend.checks_srp() {
        assert_eq!(
            srp.unwrap_err().service_kind(),
            Some(&ErrorKind::NotAuthorized)
        );
    }
    let unknown = client
        .sign_in_password("nobody", PASSWORD, no_prompt)
        .unwrap_err();
    assert!(
        matches!(
            unknown.service_kind(),
            Some(ErrorKind::NotAuthorized | ErrorKind::UserNotFound)
        ),
        "{unknown}"
    );

    client
        .sign_up(&NewUser::new("bob", PASSWORD).attribute("email", "bob@example.com"))
        .unwrap();
    let unconfirmed = client
        .sign_in_password("bob", PASSWORD, no_prompt)
        .unwrap_err();
    assert_eq!(
        unconfirmed.service_kind(),
        Some(&ErrorKind::UserNotConfirmed)
    );
    let taken: DriveError = client.sign_up(&NewUser::new("bob", PASSWORD)).unwrap_err();
    assert_eq!(taken.service_kind(), Some(&ErrorKind::UsernameExists));
}

fn sms_mfa(backend: &dyn Backend) {
    let pool = backend.pool(false);
    backend.user(
        &pool,
        "carol",
        PASSWORD,
        &[("phone_number", "+15555550100")],
    );
    backend.sms_mfa(&pool, "carol");
    let client = Client::new(pool);
    let mut asked = 0;
    client
        .sign_in_srp("carol", PASSWORD, |p| match p {
            Prompt::SmsMfaCode { .. } => {
                asked += 1;
                Ok(Input::code(backend.code("carol")))
            }
            other => panic!("{other:?}"),
        })
        .unwrap();
    assert_eq!(asked, 1);

    // A flow that should never prompt, and does: the refusal says which prompt it was.
    let refused = client
        .sign_in_srp("carol", PASSWORD, no_prompt)
        .unwrap_err();
    assert_eq!(
        refused.unexpected_prompt(),
        Some(&UnexpectedPrompt("an SMS MFA code"))
    );
    assert_eq!(
        refused.to_string(),
        "prompt failed: unexpected prompt for an SMS MFA code"
    );
    let source = std::error::Error::source(&refused).unwrap();
    assert_eq!(source.to_string(), "unexpected prompt for an SMS MFA code");
}

#[test]
fn moto_sign_in_refresh_and_errors() {
    sign_in_refresh_and_errors(&Moto::start(), false);
}

#[test]
fn moto_with_a_client_secret() {
    sign_in_refresh_and_errors(&Moto::start(), true);
}

#[test]
fn moto_sms_mfa() {
    sms_mfa(&Moto::start());
}

#[test]
fn emulator_sign_in_refresh_and_errors() {
    sign_in_refresh_and_errors(&emulator::start(EmulatorConfig::default()), false);
}

#[test]
fn emulator_with_a_client_secret() {
    sign_in_refresh_and_errors(&emulator::start(EmulatorConfig::default()), true);
}

#[test]
fn emulator_sms_mfa() {
    sms_mfa(&emulator::start(EmulatorConfig::default()));
}

/// Choice-based sign-in (`USER_AUTH`) through the blocking driver, with a client secret: an
/// `EMAIL_OTP` first factor answered with the code from the outbox, and `SELECT_CHALLENGE`
/// answered with `PASSWORD_SRP`. The emulator only: moto does not answer `USER_AUTH`.
#[test]
fn emulator_user_auth() {
    use cognito_flows::{Entropy, FirstFactor, SignIn};
    let backend = emulator::start(EmulatorConfig::default());
    let pool = backend.pool(true);
    backend.user(&pool, "dave", PASSWORD, &[("email", "dave@example.com")]);
    let agent = cognito_flows_testkit::agent();
    let emailed = SignIn::user_auth(&pool, "dave", FirstFactor::EmailOtp, Entropy::from([1; 32]));
    let out = cognito_flows_ureq::drive(&agent, emailed, |p| match p {
        Prompt::EmailOtpCode { .. } => Ok(Input::code(backend.code("dave"))),
        other => panic!("{other:?}"),
    })
    .unwrap();
    assert_eq!(out.username, "dave");
    let chosen = SignIn::user_auth(&pool, "dave", FirstFactor::Select, Entropy::from([2; 32]));
    let out = cognito_flows_ureq::drive(&agent, chosen, |p| match p {
        Prompt::SelectChallenge { available } => {
            assert!(available.iter().any(|a| a == "EMAIL_OTP"), "{available:?}");
            Ok(Input::SelectChallenge {
                challenge: "PASSWORD_SRP".into(),
                password: Some(PASSWORD.into()),
            })
        }
        other => panic!("{other:?}"),
    })
    .unwrap();
    assert_eq!(out.username, "dave");
}
