//! Account operations against moto's Cognito server on 127.0.0.1 (each test starts its own and
//! stops it), for every operation moto implements.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::disallowed_methods, reason = "moto runs on the real clock")]

mod common;

use std::time::SystemTime;

use cognito_flows::flows::account::{self, MfaPreferences, NewUser};
use cognito_flows::wire::{AttributeType, MfaSettings};
use cognito_flows::{Action, ErrorKind, Flow, ForgotPassword, Input, Prompt, SignIn, UserPool};
use cognito_flows_testkit::{ClientOptions, Moto, PoolOptions};
use common::live::{agent, drive, entropy, no_prompt, send};

const PASSWORD: &str = "Corr3ct-Horse!";

fn setup(secret: bool) -> (Moto, UserPool, String) {
    let moto = Moto::start();
    let pool = moto.create_pool(PoolOptions::default());
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
    (moto, user_pool, pool.id)
}

fn run<F: Flow>(agent: &ureq::Agent, flow: F) -> Result<F::Output, cognito_flows::Error> {
    drive(agent, flow, no_prompt).0
}

fn sign_in(
    agent: &ureq::Agent,
    pool: &UserPool,
    user: &str,
    password: &str,
) -> cognito_flows::SignedIn {
    run(agent, SignIn::user_srp(pool, user, password, entropy())).unwrap()
}

#[test]
fn sign_up_confirm_resend_and_sign_in() {
    let (moto, pool, pool_id) = setup(true);
    let agent = agent();
    let user = NewUser::new("alice", PASSWORD).attribute("email", "alice@example.com");
    let signed_up = run(&agent, account::sign_up(&pool, &user)).unwrap();
    assert!(!signed_up.user_sub.is_empty());
    assert!(!signed_up.user_confirmed);
    // The name is taken now.
    let again = run(&agent, account::sign_up(&pool, &user)).unwrap_err();
    assert_eq!(again.service_kind(), Some(&ErrorKind::UsernameExists));
    let unconfirmed = run(
        &agent,
        SignIn::user_password(&pool, "alice", PASSWORD, entropy()),
    )
    .unwrap_err();
    assert_eq!(
        unconfirmed.service_kind(),
        Some(&ErrorKind::UserNotConfirmed)
    );
    run(
        &agent,
        account::confirm_sign_up(&pool, "alice", "123456", false),
    )
    .unwrap();
    let status = moto.call_ok(
        "AdminGetUser",
        serde_json::json!({"UserPoolId": pool_id, "Username": "alice"}),
    );
    assert_eq!(status["UserStatus"], "CONFIRMED");
    sign_in(&agent, &pool, "alice", PASSWORD);
}

/// moto returns the code in the `x-moto-forgot-password-confirmation-code` header.
#[test]
fn forgot_password_with_the_code_moto_sent() {
    let (moto, pool, pool_id) = setup(true);
    moto.create_confirmed_user(&pool_id, "bob", PASSWORD, &[("email", "bob@example.com")]);
    let agent = agent();
    let mut flow = ForgotPassword::new(&pool, "bob");
    let mut code = None;
    let mut wrong_tried = false;
    loop {
        match flow.poll_action() {
            Action::Send(request) => {
                let response = send(&agent, request);
                if let Some(c) = response
                    .headers()
                    .get("x-moto-forgot-password-confirmation-code")
                {
                    code = Some(c.to_str().unwrap().to_owned());
                }
                let _ = flow.handle_response(SystemTime::now(), response);
            }
            Action::Prompt(Prompt::PasswordReset { error, .. }) => {
                let answer = if wrong_tried {
                    assert!(error.is_some(), "the wrong code came back as an error");
                    code.clone().expect("moto sent the code in a header")
                } else {
                    wrong_tried = true;
                    "000000".to_owned()
                };
                flow.handle_input(Input::PasswordReset {
                    code: answer.into(),
                    password: "N3w-Passw0rd!".into(),
                })
                .unwrap();
            }
            Action::Done(()) => break,
            other => panic!("{other:?}"),
        }
    }
    sign_in(&agent, &pool, "bob", "N3w-Passw0rd!");
}

#[test]
fn change_password_attributes_and_verification() {
    let (moto, pool, pool_id) = setup(false);
    moto.create_confirmed_user(
        &pool_id,
        "carol",
        PASSWORD,
        &[("email", "carol@example.com"), ("name", "Carol")],
    );
    let agent = agent();
    let tokens = sign_in(&agent, &pool, "carol", PASSWORD).tokens;
    let token = &tokens.access_token;

    let user = run(&agent, account::get_user(&pool, token)).unwrap();
    assert_eq!(user.username, "carol");
    assert_eq!(user.attribute("name"), Some("Carol"));

    run(
        &agent,
        account::update_user_attributes(&pool, token, vec![AttributeType::new("name", "Caroline")]),
    )
    .unwrap();
    let user = run(&agent, account::get_user(&pool, token)).unwrap();
    assert_eq!(user.attribute("name"), Some("Caroline"));

    let changed = run(
        &agent,
        account::update_user_attributes(
            &pool,
            token,
            vec![AttributeType::new("email", "c2@example.com")],
        ),
    )
    .unwrap();
    assert!(changed.code_delivery_details_list.len() <= 1);

    let wrong = run(
        &agent,
        account::change_password(
            &pool,
            token,
            &"Wr0ng-Passw0rd!".into(),
            &"N3w-Passw0rd!".into(),
        ),
    )
    .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::NotAuthorized));
    run(
        &agent,
        account::change_password(&pool, token, &PASSWORD.into(), &"N3w-Passw0rd!".into()),
    )
    .unwrap();
    sign_in(&agent, &pool, "carol", "N3w-Passw0rd!");
}

#[test]
fn totp_setup_and_mfa_preferences() {
    let (moto, pool, pool_id) = setup(false);
    moto.create_confirmed_user(
        &pool_id,
        "dave",
        PASSWORD,
        &[("phone_number", "+15555550100")],
    );
    let agent = agent();
    let tokens = sign_in(&agent, &pool, "dave", PASSWORD).tokens;
    let token = &tokens.access_token;
    let associated = run(&agent, account::associate_software_token(&pool, token)).unwrap();
    let secret = associated.secret_code.unwrap();
    let code = cognito_flows::totp::code(secret.expose(), SystemTime::now()).unwrap();
    let verified = run(
        &agent,
        account::verify_software_token(&pool, token, code.expose(), Some("phone")),
    )
    .unwrap();
    assert_eq!(verified.status.as_deref(), Some("SUCCESS"));
    let on = Some(MfaSettings {
        enabled: true,
        preferred_mfa: true,
    });
    run(
        &agent,
        account::set_user_mfa_preference(
            &pool,
            token,
            MfaPreferences {
                totp: on,
                ..Default::default()
            },
        ),
    )
    .unwrap();
    let user = run(&agent, account::get_user(&pool, token)).unwrap();
    assert_eq!(
        user.preferred_mfa_setting.as_deref(),
        Some("SOFTWARE_TOKEN_MFA")
    );
    // The next sign-in asks for the TOTP code.
    let (out, prompts) = drive(
        &agent,
        SignIn::user_srp(&pool, "dave", PASSWORD, entropy()),
        |p| match p {
            Prompt::TotpCode { .. } => {
                Input::Code(cognito_flows::totp::code(secret.expose(), SystemTime::now()).unwrap())
            }
            other => panic!("{other:?}"),
        },
    );
    out.unwrap();
    assert_eq!(prompts.len(), 1);
}

/// What moto (the pinned version) does not implement answers HTTP 500 with an HTML page, which
/// the library reports as a protocol error keeping the page. These operations are exercised
/// against the emulator instead; this test notices when moto starts implementing them.
#[test]
fn operations_moto_lacks_are_protocol_errors() {
    let (moto, pool, pool_id) = setup(false);
    moto.create_confirmed_user(
        &pool_id,
        "erin",
        PASSWORD,
        &[("phone_number", "+15555550101")],
    );
    let agent = agent();
    let tokens = sign_in(&agent, &pool, "erin", PASSWORD).tokens;
    let t = &tokens.access_token;
    let refresh = tokens.refresh_token.clone().unwrap();
    let errors = [
        run(&agent, account::resend_confirmation_code(&pool, "erin")).map(|_| ()),
        run(
            &agent,
            account::delete_user_attributes(&pool, t, vec!["phone_number".into()]),
        )
        .map(|_| ()),
        run(&agent, account::set_user_settings(&pool, t, true)).map(|_| ()),
        run(&agent, account::revoke_token(&pool, &refresh, None)).map(|_| ()),
        run(&agent, account::list_devices(&pool, t, None, None)).map(|_| ()),
        run(
            &agent,
            account::get_user_attribute_verification_code(&pool, t, "phone_number"),
        )
        .map(|_| ()),
        run(&agent, account::delete_user(&pool, t)).map(|_| ()),
        run(
            &agent,
            account::verify_user_attribute(&pool, t, "phone_number", "1"),
        )
        .map(|_| ()),
    ];
    for result in errors {
        let Err(cognito_flows::Error::Protocol(p)) = result else {
            panic!("moto implements it now: {result:?}")
        };
        assert_eq!(
            (p.status, &p.reason),
            (500, &cognito_flows::ProtocolReason::UnexpectedStatus)
        );
        assert!(String::from_utf8_lossy(p.body()).contains("Internal Server Error"));
    }
}

#[test]
fn global_sign_out_invalidates_every_token() {
    let (moto, pool, pool_id) = setup(true);
    moto.create_confirmed_user(&pool_id, "frank", PASSWORD, &[]);
    let agent = agent();
    let signed_in = sign_in(&agent, &pool, "frank", PASSWORD);
    let username = signed_in.tokens.username().unwrap().to_owned();
    let refresh = signed_in.tokens.refresh_token.clone().unwrap();
    run(
        &agent,
        account::global_sign_out(&pool, &signed_in.tokens.access_token),
    )
    .unwrap();
    let after = run(
        &agent,
        account::get_user(&pool, &signed_in.tokens.access_token),
    )
    .unwrap_err();
    assert_eq!(after.service_kind(), Some(&ErrorKind::NotAuthorized));
    let refused = run(
        &agent,
        SignIn::refresh(&pool, &username, refresh, entropy()),
    )
    .unwrap_err();
    assert_eq!(refused.service_kind(), Some(&ErrorKind::NotAuthorized));
}
