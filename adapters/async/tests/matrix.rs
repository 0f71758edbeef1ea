//! The async `Client` against moto and against the emulator, with and without a client secret:
//! the blocking adapter's matrix, on tokio with reqwest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cognito_flows::flows::account::{MfaPreferences, NewUser};
use cognito_flows::wire::MfaSettings;
use cognito_flows::{ErrorKind, Input, Prompt, StoredSession, totp};
use cognito_flows_async::{Client, UnexpectedPrompt, no_prompt};
use cognito_flows_emulator::EmulatorConfig;
use cognito_flows_testkit::{Backend, Moto, emulator};

const PASSWORD: &str = "Corr3ct-Horse!";
const PHONE: &[(&str, &str)] = &[("phone_number", "+15555550100")];

async fn matrix(backend: &dyn Backend, secret: bool) {
    let pool = backend.pool(secret);
    backend.user(&pool, "alice", PASSWORD, PHONE);
    let client = Client::reqwest(pool).unwrap();
    let signed_in = client
        .sign_in_srp("alice", PASSWORD, no_prompt)
        .await
        .unwrap();
    assert_eq!(signed_in.username, "alice");
    // A callback that must not be reached may panic, with no type annotations.
    client
        .sign_in_password("alice", PASSWORD, async |p| panic!("{p:?}"))
        .await
        .unwrap();
    let mut session = StoredSession::from(signed_in);
    client.refresh(&mut session).await.unwrap();
    let user = client.get_user(&session.tokens.access_token).await.unwrap();
    assert_eq!(user.username, "alice");

    let wrong = client
        .sign_in_password("alice", "Wr0ng-Horse!", no_prompt)
        .await
        .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::NotAuthorized));
    let srp = client.sign_in_srp("alice", "Wr0ng-Horse!", no_prompt).await;
    if backend.checks_srp() {
        assert_eq!(
            srp.unwrap_err().service_kind(),
            Some(&ErrorKind::NotAuthorized)
        );
    }
    let unknown = client
        .sign_in_password("nobody", PASSWORD, no_prompt)
        .await
        .unwrap_err();
    assert!(matches!(
        unknown.service_kind(),
        Some(ErrorKind::NotAuthorized | ErrorKind::UserNotFound)
    ));
    client
        .sign_up(&NewUser::new("bob", PASSWORD).attribute("email", "bob@example.com"))
        .await
        .unwrap();
    let unconfirmed = client
        .sign_in_password("bob", PASSWORD, no_prompt)
        .await
        .unwrap_err();
    assert_eq!(
        unconfirmed.service_kind(),
        Some(&ErrorKind::UserNotConfirmed)
    );
    let taken = client
        .sign_up(&NewUser::new("bob", PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(taken.service_kind(), Some(&ErrorKind::UsernameExists));

    backend.user(client.pool(), "carol", PASSWORD, PHONE);
    backend.sms_mfa(client.pool(), "carol");
    let code = |name: &str| backend.code(name);
    let mut asked = 0;
    client
        .sign_in_srp("carol", PASSWORD, |p| {
            asked += 1;
            let answer = match p {
                Prompt::SmsMfaCode { .. } => Ok(Input::code(code("carol"))),
                other => Err(format!("unexpected {}", other.kind()).into()),
            };
            async move { answer }
        })
        .await
        .unwrap();
    assert_eq!(asked, 1);
    let refused = client
        .sign_in_srp("carol", PASSWORD, no_prompt)
        .await
        .unwrap_err();
    assert_eq!(
        refused.unexpected_prompt(),
        Some(&UnexpectedPrompt("an SMS MFA code"))
    );

    // moto accepts any TOTP code.
    if backend.checks_codes() {
        totp_setup(&client).await;
    }
}

/// TOTP setup with an access token, then a sign-in that asks for the authenticator's code.
async fn totp_setup<T, S>(client: &Client<T, S>)
where
    T: cognito_flows_async::Transport,
    T::Error: std::fmt::Debug,
    S: cognito_flows_async::Sleep,
{
    let signed_in = client
        .sign_in_srp("alice", PASSWORD, no_prompt)
        .await
        .unwrap();
    let access = &signed_in.tokens.access_token;
    let associated = client.associate_software_token(access).await.unwrap();
    let secret = associated.secret_code.unwrap();
    let now = std::time::SystemTime::now();
    let step = now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 30;
    let near: Vec<String> = (step - 1..=step + 1)
        .map(|n| {
            totp::code_at_step(secret.expose(), n)
                .unwrap()
                .expose()
                .to_owned()
        })
        .collect();
    let wrong = if near.iter().any(|c| c == "000000") {
        "999999"
    } else {
        "000000"
    };
    // Cognito says a wrong first code with EnableSoftwareTokenMFAException.
    let refused = client.verify_software_token(access, wrong, None).await;
    assert_eq!(
        refused.unwrap_err().service_kind(),
        Some(&ErrorKind::EnableSoftwareTokenMfa)
    );
    let code = totp::code(secret.expose(), now).unwrap();
    client
        .verify_software_token(access, code.expose(), Some("Phone"))
        .await
        .unwrap();
    let preferred = MfaSettings {
        enabled: true,
        preferred_mfa: true,
    };
    client
        .set_user_mfa_preference(
            access,
            MfaPreferences {
                totp: Some(preferred),
                ..MfaPreferences::default()
            },
        )
        .await
        .unwrap();
    let mut asked = Vec::new();
    client
        .sign_in_srp("alice", PASSWORD, |p| {
            asked.push(p.kind());
            let code = totp::code(secret.expose(), std::time::SystemTime::now());
            async move { Ok(Input::Code(code?)) }
        })
        .await
        .unwrap();
    assert_eq!(asked, ["a TOTP code"]);
}

#[tokio::test(flavor = "current_thread")]
async fn moto() {
    matrix(&Moto::start(), false).await;
}

#[tokio::test(flavor = "current_thread")]
async fn moto_with_a_client_secret() {
    matrix(&Moto::start(), true).await;
}

#[tokio::test(flavor = "current_thread")]
async fn emulator() {
    matrix(&emulator::start(EmulatorConfig::default()), false).await;
}

#[tokio::test(flavor = "current_thread")]
async fn emulator_with_a_client_secret() {
    matrix(&emulator::start(EmulatorConfig::default()), true).await;
}

/// Choice-based sign-in (`USER_AUTH`) through the async `Client`: an `EMAIL_OTP` first factor
/// answered with the code from the outbox, and `SELECT_CHALLENGE` answered with `PASSWORD`. The
/// emulator only: moto does not answer `USER_AUTH`.
#[tokio::test(flavor = "current_thread")]
async fn emulator_user_auth() {
    use cognito_flows::{Entropy, FirstFactor, SignIn};
    let backend = emulator::start(EmulatorConfig::default());
    let pool = backend.pool(false);
    backend.user(&pool, "dave", PASSWORD, &[("email", "dave@example.com")]);
    let client = Client::reqwest(pool.clone()).unwrap();
    let emailed = SignIn::user_auth(&pool, "dave", FirstFactor::EmailOtp, Entropy::from([1; 32]));
    let out = client
        .run(emailed, async |p| match p {
            Prompt::EmailOtpCode { .. } => Ok(Input::code(backend.code("dave"))),
            other => Err(cognito_flows_async::PromptError::from(format!("{other:?}"))),
        })
        .await
        .unwrap();
    assert_eq!(out.username, "dave");
    let chosen = SignIn::user_auth(&pool, "dave", FirstFactor::Select, Entropy::from([2; 32]));
    let out = client
        .run(chosen, async |p| match p {
            Prompt::SelectChallenge { .. } => Ok(Input::SelectChallenge {
                challenge: "PASSWORD".into(),
                password: Some(PASSWORD.into()),
            }),
            other => Err(cognito_flows_async::PromptError::from(format!("{other:?}"))),
        })
        .await
        .unwrap();
    assert_eq!(out.username, "dave");
}
