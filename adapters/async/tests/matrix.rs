//! The async `Client` against moto and against the emulator, with and without a client secret:
//! the blocking adapter's matrix, on tokio with reqwest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cognito_flows::flows::RefreshMethod;
use cognito_flows::flows::account::{MfaPreferences, NewUser};
use cognito_flows::wire::MfaSettings;
use cognito_flows::{ErrorKind, Input, Prompt, StoredSession, UserPool, totp};
use cognito_flows_async::{Client, UnexpectedPrompt, no_prompt};
use cognito_flows_emulator::{ClientConfig, Emulator, EmulatorConfig, Mfa, PoolConfig};
use cognito_flows_testkit::{ClientOptions, MfaConfiguration, Moto, PoolOptions};

const PASSWORD: &str = "Corr3ct-Horse!";

enum Backend {
    Moto(Moto),
    Emulator(Emulator),
}

impl Backend {
    fn pool(&self, secret: bool) -> UserPool {
        match self {
            Self::Moto(m) => {
                let pool = m.create_pool(PoolOptions {
                    mfa: MfaConfiguration::Optional,
                    ..PoolOptions::default()
                });
                let c = m.create_client(
                    &pool.id,
                    ClientOptions {
                        generate_secret: secret,
                        ..ClientOptions::default()
                    },
                );
                // moto lacks GetTokensFromRefreshToken (a bare 500): REFRESH_TOKEN_AUTH.
                let p = UserPool::new(&pool.id, c.id)
                    .unwrap()
                    .with_endpoint(&m.endpoint())
                    .unwrap()
                    .with_refresh_method(RefreshMethod::InitiateAuth);
                if let Some(s) = c.secret {
                    p.with_client_secret(s)
                } else {
                    p
                }
            }
            Self::Emulator(e) => {
                let id = e.create_user_pool(PoolConfig {
                    mfa: Mfa::Optional,
                    ..PoolConfig::default()
                });
                let c = e
                    .create_client(
                        &id,
                        ClientConfig {
                            secret,
                            ..ClientConfig::default()
                        },
                    )
                    .unwrap();
                let p = UserPool::new(&id, c.id)
                    .unwrap()
                    .with_endpoint(e.endpoint())
                    .unwrap();
                if let Some(s) = c.secret {
                    p.with_client_secret(s)
                } else {
                    p
                }
            }
        }
    }

    fn user(&self, pool: &UserPool, name: &str) {
        match self {
            Self::Moto(m) => {
                m.create_confirmed_user(
                    pool.id(),
                    name,
                    PASSWORD,
                    &[("phone_number", "+15555550100")],
                );
            }
            Self::Emulator(e) => {
                e.admin_create_user(
                    pool.id(),
                    name,
                    PASSWORD,
                    &[("phone_number", "+15555550100")],
                )
                .unwrap();
            }
        }
    }

    fn sms_mfa(&self, pool: &UserPool, name: &str) {
        match self {
            Self::Moto(m) => m.enable_sms_mfa(pool.id(), name),
            Self::Emulator(e) => e.admin_enable_sms_mfa(pool.id(), name).unwrap(),
        }
    }

    fn sms_code(&self, name: &str) -> String {
        match self {
            Self::Moto(_) => "123456".into(),
            Self::Emulator(e) => e.last_code(name).unwrap(),
        }
    }
}

async fn matrix(backend: Backend, secret: bool) {
    let pool = backend.pool(secret);
    backend.user(&pool, "alice");
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
    if matches!(backend, Backend::Emulator(_)) {
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

    backend.user(client.pool(), "carol");
    backend.sms_mfa(client.pool(), "carol");
    let code = |name: &str| backend.sms_code(name);
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

    if matches!(backend, Backend::Emulator(_)) {
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
    matrix(Backend::Moto(Moto::start()), false).await;
}

#[tokio::test(flavor = "current_thread")]
async fn moto_with_a_client_secret() {
    matrix(Backend::Moto(Moto::start()), true).await;
}

#[tokio::test(flavor = "current_thread")]
async fn emulator() {
    matrix(
        Backend::Emulator(Emulator::start(EmulatorConfig::default()).unwrap()),
        false,
    )
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn emulator_with_a_client_secret() {
    matrix(
        Backend::Emulator(Emulator::start(EmulatorConfig::default()).unwrap()),
        true,
    )
    .await;
}
