//! The sign-in flow against moto's Cognito server on 127.0.0.1 (each test starts its own and
//! stops it). moto checks the wire format, SECRET_HASH and passwords, but not SRP signatures:
//! tests/vectors.rs and the emulator cover those.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::disallowed_methods, reason = "moto runs on the real clock")]

mod common;

use cognito_flows::{ErrorKind, Input, MfaMethod, Prompt, SignIn, UserPool};
use cognito_flows_testkit::{ClientOptions, MfaConfiguration, Moto, PoolOptions};
use common::live::{agent, drive, entropy, no_prompt};

const PASSWORD: &str = "Corr3ct-Horse!";

struct Setup {
    moto: Moto,
    pool: UserPool,
    pool_id: String,
}

fn setup(secret: bool, mfa: MfaConfiguration, env: &[(&str, &str)]) -> Setup {
    let moto = Moto::start_with_env(env);
    let pool = moto.create_pool(PoolOptions {
        mfa,
        ..PoolOptions::default()
    });
    let client = moto.create_client(
        &pool.id,
        ClientOptions {
            generate_secret: secret,
            ..ClientOptions::default()
        },
    );
    let mut user_pool = UserPool::new(&pool.id, client.id.clone())
        .unwrap()
        .with_endpoint(&moto.endpoint())
        .unwrap();
    if let Some(secret) = &client.secret {
        user_pool = user_pool.with_client_secret(secret.as_str());
    }
    Setup {
        pool_id: pool.id.clone(),
        moto,
        pool: user_pool,
    }
}

#[test]
fn srp_sign_in_then_refresh() {
    let s = setup(false, MfaConfiguration::Off, &[]);
    let user = s.moto.create_confirmed_user(
        &s.pool_id,
        "alice",
        PASSWORD,
        &[("email", "alice@example.com")],
    );
    let agent = agent();
    let (out, _) = drive(
        &agent,
        SignIn::user_srp(&s.pool, "alice", PASSWORD, entropy()),
        no_prompt,
    );
    let signed_in = out.unwrap();
    assert_eq!(signed_in.username, "alice");
    assert_eq!(
        signed_in.tokens.access_token.claims().sub(),
        Some(user.sub.as_str())
    );
    assert!(signed_in.tokens.is_valid(std::time::SystemTime::now()));
    let refresh = signed_in.tokens.refresh_token.clone().unwrap();
    let (out, _) = drive(
        &agent,
        SignIn::refresh(&s.pool, "alice", refresh.clone(), entropy()),
        no_prompt,
    );
    let refreshed = out.unwrap();
    assert_eq!(refreshed.tokens.refresh_token.as_ref(), Some(&refresh));
    assert_eq!(
        refreshed.tokens.access_token.claims().sub(),
        Some(user.sub.as_str())
    );
}

#[test]
fn password_sign_in() {
    let s = setup(false, MfaConfiguration::Off, &[]);
    s.moto
        .create_confirmed_user(&s.pool_id, "bob", PASSWORD, &[]);
    let (out, _) = drive(
        &agent(),
        SignIn::user_password(&s.pool, "bob", PASSWORD, entropy()),
        no_prompt,
    );
    assert_eq!(
        out.unwrap().tokens.id_token.unwrap().claims().username(),
        Some("bob")
    );
}

/// moto checks SECRET_HASH: SRP, password and refresh all carry the right one.
#[test]
fn a_client_with_a_secret() {
    let s = setup(true, MfaConfiguration::Off, &[]);
    assert!(s.pool.has_client_secret());
    s.moto
        .create_confirmed_user(&s.pool_id, "carol", PASSWORD, &[]);
    let agent = agent();
    let (out, _) = drive(
        &agent,
        SignIn::user_srp(&s.pool, "carol", PASSWORD, entropy()),
        no_prompt,
    );
    let signed_in = out.unwrap();
    let (out, _) = drive(
        &agent,
        SignIn::user_password(&s.pool, "carol", PASSWORD, entropy()),
        no_prompt,
    );
    out.unwrap();
    let username = signed_in.tokens.username().unwrap().to_owned();
    let refresh = signed_in.tokens.refresh_token.clone().unwrap();
    let (out, _) = drive(
        &agent,
        SignIn::refresh(&s.pool, &username, refresh.clone(), entropy()),
        no_prompt,
    );
    out.unwrap();
    // moto checks the hash on refresh: without it, or computed from another name, it refuses.
    let no_secret = UserPool::new(s.pool.id(), s.pool.client_id())
        .unwrap()
        .with_endpoint(&s.moto.endpoint())
        .unwrap();
    let (out, _) = drive(
        &agent,
        SignIn::refresh(&no_secret, &username, refresh.clone(), entropy()),
        no_prompt,
    );
    assert_eq!(
        out.unwrap_err().service_kind(),
        Some(&ErrorKind::NotAuthorized)
    );
    let (out, _) = drive(
        &agent,
        SignIn::refresh(&s.pool, "someone-else", refresh, entropy()),
        no_prompt,
    );
    assert_eq!(
        out.unwrap_err().service_kind(),
        Some(&ErrorKind::NotAuthorized)
    );
}

#[test]
fn wrong_password_unknown_user_and_unconfirmed_user_are_typed() {
    let s = setup(false, MfaConfiguration::Off, &[]);
    s.moto
        .create_confirmed_user(&s.pool_id, "dave", PASSWORD, &[]);
    let agent = agent();
    let (out, _) = drive(
        &agent,
        SignIn::user_password(&s.pool, "dave", "Wr0ng-password!", entropy()),
        no_prompt,
    );
    let err = out.unwrap_err();
    assert_eq!(err.service_kind(), Some(&ErrorKind::NotAuthorized), "{err}");
    // moto's quirk: it accepts any SRP signature, so a wrong password signs in with SRP.
    // (The emulator and tests/vectors.rs check signatures.)
    let (out, _) = drive(
        &agent,
        SignIn::user_srp(&s.pool, "dave", "Wr0ng-password!", entropy()),
        no_prompt,
    );
    assert!(
        out.is_ok(),
        "moto started checking SRP signatures: make this test assert NotAuthorized"
    );
    let (out, _) = drive(
        &agent,
        SignIn::user_password(&s.pool, "nobody", PASSWORD, entropy()),
        no_prompt,
    );
    let err = out.unwrap_err();
    assert!(
        matches!(
            err.service_kind(),
            Some(ErrorKind::UserNotFound | ErrorKind::NotAuthorized)
        ),
        "{err}"
    );
    let client = cognito_flows_testkit::Client {
        id: s.pool.client_id().into(),
        pool_id: s.pool_id.clone(),
        secret: None,
    };
    s.moto
        .create_unconfirmed_user(&client, "erin", PASSWORD, &[]);
    let (out, _) = drive(
        &agent,
        SignIn::user_password(&s.pool, "erin", PASSWORD, entropy()),
        no_prompt,
    );
    assert_eq!(
        out.unwrap_err().service_kind(),
        Some(&ErrorKind::UserNotConfirmed)
    );
}

/// moto's quirks: USER_ID_FOR_SRP is the sub, USERNAME the user name (which must be sent back),
/// and SECRET_BLOCK is not base64. The flow copes with all three.
#[test]
fn moto_srp_quirks() {
    let s = setup(true, MfaConfiguration::Off, &[]);
    let user = s
        .moto
        .create_confirmed_user(&s.pool_id, "frank", PASSWORD, &[]);
    let agent = agent();
    let mut flow = SignIn::user_srp(&s.pool, "frank", PASSWORD, entropy());
    let cognito_flows::Action::Send(initiate) = cognito_flows::Flow::poll_action(&flow) else {
        panic!()
    };
    let response = common::live::send(&agent, initiate);
    let challenge: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    let params = &challenge["ChallengeParameters"];
    assert_eq!(params["USER_ID_FOR_SRP"].as_str(), Some(user.sub.as_str()));
    assert_eq!(params["USERNAME"], "frank");
    let block = params["SECRET_BLOCK"].as_str().unwrap();
    use base64::Engine as _;
    assert!(
        base64::engine::general_purpose::STANDARD
            .decode(block)
            .is_err(),
        "moto's SECRET_BLOCK is not base64: {block}"
    );
    cognito_flows::Flow::handle_response(&mut flow, std::time::SystemTime::now(), response)
        .unwrap();
    let cognito_flows::Action::Send(respond) = cognito_flows::Flow::poll_action(&flow) else {
        panic!()
    };
    let body: serde_json::Value = serde_json::from_slice(respond.body()).unwrap();
    assert_eq!(body["ChallengeResponses"]["USERNAME"], "frank");
    assert_eq!(
        body["ChallengeResponses"]["SECRET_HASH"],
        s.pool.secret_hash("frank").unwrap().expose()
    );
    let (out, _) = drive(&agent, flow, no_prompt);
    out.unwrap();
}

#[test]
fn sms_mfa() {
    let s = setup(false, MfaConfiguration::Optional, &[]);
    s.moto.create_confirmed_user(
        &s.pool_id,
        "grace",
        PASSWORD,
        &[("phone_number", "+15555550100")],
    );
    s.moto.enable_sms_mfa(&s.pool_id, "grace");
    let (out, prompts) = drive(
        &agent(),
        SignIn::user_srp(&s.pool, "grace", PASSWORD, entropy()),
        |p| match p {
            Prompt::SmsMfaCode { .. } => Input::code("123456"),
            other => panic!("{other:?}"),
        },
    );
    out.unwrap();
    assert!(matches!(prompts.as_slice(), [Prompt::SmsMfaCode { .. }]));
}

/// With MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP moto checks real TOTP codes, so our RFC 6238
/// codes are proven right, and a wrong one returns to the prompt.
#[test]
fn totp_mfa_with_a_wrong_then_a_real_code() {
    let s = setup(
        false,
        MfaConfiguration::Optional,
        &[("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")],
    );
    s.moto
        .create_confirmed_user(&s.pool_id, "heidi", PASSWORD, &[]);
    let client = cognito_flows_testkit::Client {
        id: s.pool.client_id().into(),
        pool_id: s.pool_id.clone(),
        secret: None,
    };
    let secret = s.moto.enable_totp_mfa(&client, "heidi", PASSWORD);
    let mut attempts = 0;
    let (out, prompts) = drive(
        &agent(),
        SignIn::user_srp(&s.pool, "heidi", PASSWORD, entropy()),
        |p| {
            attempts += 1;
            match p {
                Prompt::TotpCode { .. } if attempts == 1 => Input::code("000000"),
                Prompt::TotpCode { .. } => Input::Code(
                    cognito_flows::totp::code(&secret, std::time::SystemTime::now()).unwrap(),
                ),
                other => panic!("{other:?}"),
            }
        },
    );
    out.unwrap();
    assert_eq!(prompts.len(), 2);
    assert_eq!(
        prompts[1].error().map(|e| &e.kind),
        Some(&ErrorKind::CodeMismatch)
    );
}

/// MFA required but not set up: MFA_SETUP (moto's Python-style MFAS_CAN_SETUP), TOTP set up with
/// the session, then signed in.
#[test]
fn mfa_setup_during_sign_in() {
    let s = setup(
        false,
        MfaConfiguration::On,
        &[("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")],
    );
    s.moto
        .create_confirmed_user(&s.pool_id, "ivan", PASSWORD, &[]);
    let (out, prompts) = drive(
        &agent(),
        SignIn::user_srp(&s.pool, "ivan", PASSWORD, entropy()),
        |p| match p {
            Prompt::SelectMfaSetup { options } if options.contains(&MfaMethod::Totp) => {
                Input::SelectMfa(MfaMethod::Totp)
            }
            Prompt::TotpSetup { setup, .. } => Input::TotpSetup {
                code: cognito_flows::totp::code(
                    setup.secret.expose(),
                    std::time::SystemTime::now(),
                )
                .unwrap(),
                device_name: Some("test phone".into()),
            },
            other => panic!("{other:?}"),
        },
    );
    let out = out.unwrap_or_else(|e| panic!("{e}; prompts: {prompts:?}"));
    assert_eq!(out.username, "ivan");
    assert!(
        prompts
            .iter()
            .any(|p| matches!(p, Prompt::TotpSetup { .. }))
    );
}

#[test]
fn new_password_required() {
    let s = setup(false, MfaConfiguration::Off, &[]);
    s.moto.create_force_change_password_user(
        &s.pool_id,
        "judy",
        "Temp-Passw0rd!",
        &[("email", "judy@example.com")],
    );
    let agent = agent();
    let (out, prompts) = drive(
        &agent,
        SignIn::user_srp(&s.pool, "judy", "Temp-Passw0rd!", entropy()),
        |p| match p {
            Prompt::NewPassword {
                user_attributes, ..
            } => {
                assert!(!user_attributes.contains_key("email_verified"));
                Input::NewPassword {
                    password: "N3w-Passw0rd!".into(),
                    attributes: Default::default(),
                }
            }
            other => panic!("{other:?}"),
        },
    );
    out.unwrap();
    assert_eq!(prompts.len(), 1);
    let (out, _) = drive(
        &agent,
        SignIn::user_password(&s.pool, "judy", "N3w-Passw0rd!", entropy()),
        no_prompt,
    );
    out.unwrap();
}
