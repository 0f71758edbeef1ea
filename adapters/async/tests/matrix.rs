//! The async driver against moto and against the emulator: the blocking adapter's matrix, on tokio
//! with reqwest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cognito_flows::flows::account::{self, NewUser};
use cognito_flows::{Entropy, ErrorKind, Input, Prompt, SignIn, UserPool};
use cognito_flows_async::{Driver, ReqwestTransport, TokioSleep};
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
                let p = UserPool::new(&pool.id, c.id)
                    .unwrap()
                    .with_endpoint(&m.endpoint())
                    .unwrap();
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

async fn no_prompt(p: Prompt) -> Result<Input, String> {
    Err(format!("unexpected {}", p.kind()))
}

fn seed(n: u8) -> Entropy {
    Entropy::from([n; 32])
}

async fn matrix(backend: Backend, secret: bool) {
    let driver = Driver::new(ReqwestTransport::new().unwrap(), TokioSleep);
    let pool = backend.pool(secret);
    backend.user(&pool, "alice");
    let signed_in = driver
        .run(
            SignIn::user_srp(&pool, "alice", PASSWORD, seed(1)),
            no_prompt,
        )
        .await
        .unwrap();
    driver
        .run(
            SignIn::user_password(&pool, "alice", PASSWORD, seed(2)),
            no_prompt,
        )
        .await
        .unwrap();
    let refresh = signed_in.tokens.refresh_token.clone().unwrap();
    let username = signed_in.tokens.username().unwrap().to_owned();
    driver
        .run(
            SignIn::refresh(&pool, &username, refresh, seed(3)),
            no_prompt,
        )
        .await
        .unwrap();
    let user = driver
        .run(
            account::get_user(&pool, &signed_in.tokens.access_token),
            no_prompt,
        )
        .await
        .unwrap();
    assert_eq!(user.username, "alice");

    let wrong = driver
        .run(
            SignIn::user_password(&pool, "alice", "Wr0ng-Horse!", seed(4)),
            no_prompt,
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::NotAuthorized));
    let srp = driver
        .run(
            SignIn::user_srp(&pool, "alice", "Wr0ng-Horse!", seed(5)),
            no_prompt,
        )
        .await;
    if matches!(backend, Backend::Emulator(_)) {
        assert_eq!(
            srp.unwrap_err().service_kind(),
            Some(&ErrorKind::NotAuthorized)
        );
    }
    let unknown = driver
        .run(
            SignIn::user_password(&pool, "nobody", PASSWORD, seed(6)),
            no_prompt,
        )
        .await
        .unwrap_err();
    assert!(matches!(
        unknown.service_kind(),
        Some(ErrorKind::NotAuthorized | ErrorKind::UserNotFound)
    ));
    driver
        .run(
            account::sign_up(
                &pool,
                &NewUser::new("bob", PASSWORD).attribute("email", "bob@example.com"),
            ),
            no_prompt,
        )
        .await
        .unwrap();
    let unconfirmed = driver
        .run(
            SignIn::user_password(&pool, "bob", PASSWORD, seed(7)),
            no_prompt,
        )
        .await
        .unwrap_err();
    assert_eq!(
        unconfirmed.service_kind(),
        Some(&ErrorKind::UserNotConfirmed)
    );

    backend.user(&pool, "carol");
    backend.sms_mfa(&pool, "carol");
    let code = |name: &str| backend.sms_code(name);
    let mut asked = 0;
    driver
        .run(SignIn::user_srp(&pool, "carol", PASSWORD, seed(8)), |p| {
            asked += 1;
            let answer = match p {
                Prompt::SmsMfaCode { .. } => Ok(Input::code(code("carol"))),
                other => Err(format!("unexpected {}", other.kind())),
            };
            async move { answer }
        })
        .await
        .unwrap();
    assert_eq!(asked, 1);
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
