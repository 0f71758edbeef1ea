//! The emulator driven by the real client library: SRP that is really checked, MFA, devices,
//! refresh, sign-up, password reset, sign-out, and errors in Cognito's shape.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognito_flows::flows::account::{self, MfaPreferences, NewUser};
use cognito_flows::wire::MfaSettings;
use cognito_flows::{
    Action, Entropy, Error, ErrorKind, Flow, ForgotPassword, Input, Prompt, SignIn, UserPool,
};
use cognito_flows_emulator::{ClientConfig, DeviceTracking, EmulatorConfig, Mfa, PoolConfig};
use cognito_flows_testkit::emulator::{self, Fixture, Options, drive};
use cognito_flows_testkit::no_prompt;
use serde_json::{Value, json};

use common::{agent, send};

const PASSWORD: &str = "Passw0rd!";

fn entropy() -> Entropy {
    use std::sync::atomic::{AtomicU8, Ordering};
    static N: AtomicU8 = AtomicU8::new(0);
    Entropy::from([N.fetch_add(1, Ordering::Relaxed); 32])
}

fn world(config: PoolConfig, secret: bool) -> Fixture {
    Fixture::start(Options::default().pool(config).secret_if(secret))
}

/// The tokens are RS256-signed with the key the JWKS endpoint publishes.
fn verify_rs256(jwks: &Value, token: &str) {
    use rsa::traits::PublicKeyParts as _;
    let key = &jwks["keys"][0];
    let n =
        rsa::BoxedUint::from_be_slice_vartime(&B64URL.decode(key["n"].as_str().unwrap()).unwrap());
    let e =
        rsa::BoxedUint::from_be_slice_vartime(&B64URL.decode(key["e"].as_str().unwrap()).unwrap());
    let public = rsa::PublicKey::new(n, e).unwrap();
    let (input, signature) = token.rsplit_once('.').unwrap();
    public
        .pkcs1v15_verify::<rsa::sha2::Sha256>(input.as_bytes(), &B64URL.decode(signature).unwrap())
        .unwrap();
    assert!(public.n_bytes().len() >= 256);
}

#[test]
fn srp_is_really_checked() {
    let w = world(PoolConfig::default(), false);
    w.add_user("alice", PASSWORD, &[("email", "alice@example.com")]);
    let out = w
        .drive(
            SignIn::user_srp(&w.pool, "alice", PASSWORD, entropy()),
            no_prompt,
        )
        .unwrap();
    assert_eq!(out.username, "alice");
    assert_eq!(
        out.tokens.id_token.as_ref().unwrap().claims().str("email"),
        Some("alice@example.com")
    );
    assert_eq!(
        out.tokens.id_token.as_ref().unwrap().claims().str("iss"),
        Some(w.pool.issuer().as_str())
    );
    assert_eq!(
        w.pool.issuer(),
        format!("https://cognito-idp.us-east-1.amazonaws.com/{}", w.pool_id)
    );
    // The JWKS endpoint serves the key that signed them.
    let jwks: Value = serde_json::from_slice(
        send(
            &agent(),
            http::Request::get(format!(
                "{}{}/.well-known/jwks.json",
                w.emulator.endpoint(),
                w.pool_id
            ))
            .body(Vec::new())
            .unwrap(),
        )
        .body(),
    )
    .unwrap();
    verify_rs256(&jwks, out.tokens.access_token.expose());
    verify_rs256(&jwks, out.tokens.id_token.as_ref().unwrap().expose());

    // A wrong password is refused, by SRP and by USER_PASSWORD_AUTH.
    for flow in [
        SignIn::user_srp(&w.pool, "alice", "Wr0ng-pass!", entropy()),
        SignIn::user_password(&w.pool, "alice", "Wr0ng-pass!", entropy()),
    ] {
        let err = w.drive(flow, no_prompt).unwrap_err();
        let Error::Service(s) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            (s.kind, s.message.as_str(), s.status),
            (
                ErrorKind::NotAuthorized,
                "Incorrect username or password.",
                400
            )
        );
    }
    let err = w
        .drive(
            SignIn::user_srp(&w.pool, "nobody", PASSWORD, entropy()),
            no_prompt,
        )
        .unwrap_err();
    assert_eq!(err.service_kind(), Some(&ErrorKind::NotAuthorized));
}

#[test]
fn a_stale_timestamp_is_refused() {
    let w = world(PoolConfig::default(), false);
    w.add_user("alice", PASSWORD, &[]);
    let agent = agent();
    let mut flow = SignIn::user_srp(&w.pool, "alice", PASSWORD, entropy());
    let Action::Send(r) = flow.poll_action() else {
        panic!()
    };
    // The client's clock is an hour late.
    flow.handle_response(
        w.emulator.now() - Duration::from_secs(3600),
        send(&agent, r),
    )
    .unwrap();
    let Action::Send(r) = flow.poll_action() else {
        panic!()
    };
    flow.handle_response(w.emulator.now(), send(&agent, r))
        .unwrap_err();
    assert!(
        matches!(flow.poll_action(), Action::Failed(e) if e.service_kind() == Some(&ErrorKind::NotAuthorized))
    );
}

#[test]
fn secret_hash_is_enforced() {
    let w = world(PoolConfig::default(), true);
    w.add_user("bob", PASSWORD, &[]);
    let signed_in = w
        .drive(
            SignIn::user_srp(&w.pool, "bob", PASSWORD, entropy()),
            no_prompt,
        )
        .unwrap();
    let refreshed = w
        .drive(
            SignIn::refresh(
                &w.pool,
                &signed_in.username,
                signed_in.tokens.refresh_token.clone().unwrap(),
                entropy(),
            ),
            no_prompt,
        )
        .unwrap();
    assert!(refreshed.tokens.is_valid(w.emulator.now()));
    let no_secret = UserPool::new(w.pool.id(), w.pool.client_id())
        .unwrap()
        .with_endpoint(w.emulator.endpoint())
        .unwrap();
    let err = w
        .drive(
            SignIn::user_srp(&no_secret, "bob", PASSWORD, entropy()),
            no_prompt,
        )
        .unwrap_err();
    assert_eq!(err.service_kind(), Some(&ErrorKind::NotAuthorized));
}

#[test]
fn totp_setup_then_mfa_sign_in() {
    let w = Fixture::start(Options::default().mfa(Mfa::On));
    w.add_user("carol", PASSWORD, &[]);
    let mut secret = None;
    let now = w.emulator.now();
    w.drive(
        SignIn::user_srp(&w.pool, "carol", PASSWORD, entropy()),
        |p| match p {
            Prompt::TotpSetup { setup, .. } => {
                secret = Some(setup.secret.expose().to_owned());
                Input::Code(cognito_flows::totp::code(setup.secret.expose(), now).unwrap())
            }
            other => panic!("{other:?}"),
        },
    )
    .unwrap();
    let secret = secret.unwrap();
    let mut attempts = 0;
    w.drive(
        SignIn::user_srp(&w.pool, "carol", PASSWORD, entropy()),
        |p| {
            attempts += 1;
            match p {
                Prompt::TotpCode { error: None, .. } => Input::code("000000"),
                Prompt::TotpCode { error: Some(e), .. } => {
                    assert_eq!(e.kind, ErrorKind::CodeMismatch);
                    Input::Code(cognito_flows::totp::code(&secret, now).unwrap())
                }
                other => panic!("{other:?}"),
            }
        },
    )
    .unwrap();
    assert_eq!(attempts, 2);
}

#[test]
fn sms_mfa_with_the_code_from_the_outbox() {
    let w = Fixture::start(Options::default().mfa(Mfa::Optional));
    w.add_user("dave", PASSWORD, &[("phone_number", "+15555550123")]);
    w.emulator.admin_enable_sms_mfa(&w.pool_id, "dave").unwrap();
    let e = &w.emulator;
    drive(
        e,
        SignIn::user_srp(&w.pool, "dave", PASSWORD, entropy()),
        |p| match p {
            Prompt::SmsMfaCode { delivery, .. } => {
                assert_eq!(delivery.destination.as_deref(), Some("+*******0123"));
                Input::code(e.last_code("dave").unwrap())
            }
            other => panic!("{other:?}"),
        },
    )
    .unwrap();
}

#[test]
fn devices_confirm_remember_device_srp_refresh_and_forget() {
    let w = world(
        PoolConfig {
            mfa: Mfa::Optional,
            device_tracking: DeviceTracking::UserOptIn,
            ..PoolConfig::default()
        },
        true,
    );
    w.add_user("erin", PASSWORD, &[("phone_number", "+15555550199")]);
    w.emulator.admin_enable_sms_mfa(&w.pool_id, "erin").unwrap();
    let e = &w.emulator;
    let sms = |p: &Prompt| match p {
        Prompt::SmsMfaCode { .. } => Input::code(e.last_code("erin").unwrap()),
        Prompt::RememberDevice { .. } => Input::RememberDevice(true),
        other => panic!("{other:?}"),
    };
    let first = drive(
        e,
        SignIn::user_srp(&w.pool, "erin", PASSWORD, entropy()),
        sms,
    )
    .unwrap();
    let device = first.device.clone().expect("confirmed");
    assert_eq!(device.remembered, Some(true));
    let token = first.tokens.access_token.clone();
    let listed = drive(
        e,
        account::list_devices(&w.pool, &token, None, None),
        no_prompt,
    )
    .unwrap();
    assert_eq!(listed.devices.len(), 1);
    assert_eq!(
        listed.devices[0].attribute("device_name"),
        Some("cognito-flows")
    );

    // With the device, device SRP replaces the SMS code.
    let second = drive(
        e,
        SignIn::builder(&w.pool)
            .with_device(device.credentials.clone())
            .user_srp("erin", PASSWORD, entropy()),
        no_prompt,
    )
    .unwrap();
    assert_eq!(
        second.tokens.access_token.claims().str("device_key"),
        Some(device.credentials.device_key.as_str())
    );
    // A device with the wrong password is refused.
    let mut forged = device.credentials.clone();
    forged.password = "not the device password".into();
    let err = drive(
        e,
        SignIn::builder(&w.pool)
            .with_device(forged)
            .user_srp("erin", PASSWORD, entropy()),
        no_prompt,
    )
    .unwrap_err();
    assert_eq!(err.service_kind(), Some(&ErrorKind::NotAuthorized));

    // Refresh with the device key; then forget the device and see the refresh retried without it.
    let refresh = second.tokens.refresh_token.clone().unwrap();
    drive(
        e,
        SignIn::builder(&w.pool)
            .with_device(device.credentials.clone())
            .refresh("erin", refresh.clone(), entropy()),
        no_prompt,
    )
    .unwrap();
    drive(
        e,
        account::forget_device(
            &w.pool,
            &second.tokens.access_token,
            &device.credentials.device_key,
        ),
        no_prompt,
    )
    .unwrap();
    let after = drive(
        e,
        SignIn::builder(&w.pool)
            .with_device(device.credentials.clone())
            .refresh("erin", refresh, entropy()),
        no_prompt,
    )
    .unwrap();
    assert_eq!(
        after.forgotten_device.as_deref(),
        Some(device.credentials.device_key.as_str())
    );
}

#[test]
fn sign_up_confirm_and_forgot_password_with_codes_from_the_outbox() {
    let w = world(PoolConfig::default(), true);
    let e = &w.emulator;
    let weak = drive(
        e,
        account::sign_up(&w.pool, &NewUser::new("frank", "weak")),
        no_prompt,
    )
    .unwrap_err();
    assert_eq!(weak.service_kind(), Some(&ErrorKind::InvalidPassword));
    let user = NewUser::new("frank", PASSWORD).attribute("email", "frank@example.com");
    let signed_up = drive(e, account::sign_up(&w.pool, &user), no_prompt).unwrap();
    assert!(!signed_up.user_confirmed);
    let again = drive(e, account::sign_up(&w.pool, &user), no_prompt).unwrap_err();
    assert_eq!(again.service_kind(), Some(&ErrorKind::UsernameExists));
    drive(
        e,
        account::resend_confirmation_code(&w.pool, "frank"),
        no_prompt,
    )
    .unwrap();
    let wrong = drive(
        e,
        account::confirm_sign_up(&w.pool, "frank", "000000", false),
        no_prompt,
    )
    .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::CodeMismatch));
    drive(
        e,
        account::confirm_sign_up(&w.pool, "frank", &e.last_code("frank").unwrap(), false),
        no_prompt,
    )
    .unwrap();

    let mut tries = 0;
    drive(e, ForgotPassword::new(&w.pool, "frank"), |p| {
        tries += 1;
        let Prompt::PasswordReset { .. } = p else {
            panic!("{p:?}")
        };
        let code = if tries == 1 {
            "999999".to_owned()
        } else {
            e.last_code("frank").unwrap()
        };
        Input::PasswordReset {
            code: code.into(),
            password: "N3w-Passw0rd!".into(),
        }
    })
    .unwrap();
    assert_eq!(tries, 2);
    drive(
        e,
        SignIn::user_srp(&w.pool, "frank", "N3w-Passw0rd!", entropy()),
        no_prompt,
    )
    .unwrap();
    drive(
        e,
        SignIn::user_srp(&w.pool, "frank", PASSWORD, entropy()),
        no_prompt,
    )
    .unwrap_err();
}

#[test]
fn account_calls_and_sign_out() {
    // TOTP needs a pool whose MFA is not off.
    let w = Fixture::start(Options::default().mfa(Mfa::Optional));
    let e = &w.emulator;
    e.admin_create_user(
        &w.pool_id,
        "grace",
        PASSWORD,
        &[("email", "grace@example.com")],
    )
    .unwrap();
    let signed_in = drive(
        e,
        SignIn::user_srp(&w.pool, "grace", PASSWORD, entropy()),
        no_prompt,
    )
    .unwrap();
    let t = &signed_in.tokens.access_token;
    let user = drive(e, account::get_user(&w.pool, t), no_prompt).unwrap();
    assert_eq!(user.attribute("email"), Some("grace@example.com"));
    let changed = drive(
        e,
        account::update_user_attributes(
            &w.pool,
            t,
            vec![cognito_flows::wire::AttributeType::new(
                "email",
                "g2@example.com",
            )],
        ),
        no_prompt,
    )
    .unwrap();
    assert_eq!(changed.code_delivery_details_list.len(), 1);
    drive(
        e,
        account::verify_user_attribute(&w.pool, t, "email", &e.last_code("grace").unwrap()),
        no_prompt,
    )
    .unwrap();
    drive(
        e,
        account::delete_user_attributes(&w.pool, t, vec!["email".into()]),
        no_prompt,
    )
    .unwrap();
    assert_eq!(
        drive(e, account::get_user(&w.pool, t), no_prompt)
            .unwrap()
            .attribute("email"),
        None
    );
    let associated = drive(e, account::associate_software_token(&w.pool, t), no_prompt).unwrap();
    let code =
        cognito_flows::totp::code(associated.secret_code.unwrap().expose(), e.now()).unwrap();
    drive(
        e,
        account::verify_software_token(&w.pool, t, code.expose(), None),
        no_prompt,
    )
    .unwrap();
    let on = Some(MfaSettings {
        enabled: true,
        preferred_mfa: true,
    });
    drive(
        e,
        account::set_user_mfa_preference(
            &w.pool,
            t,
            MfaPreferences {
                totp: on,
                ..Default::default()
            },
        ),
        no_prompt,
    )
    .unwrap();
    assert_eq!(
        drive(e, account::get_user(&w.pool, t), no_prompt)
            .unwrap()
            .preferred_mfa_setting
            .as_deref(),
        Some("SOFTWARE_TOKEN_MFA")
    );
    drive(
        e,
        account::change_password(&w.pool, t, &PASSWORD.into(), &"An0ther-pass!".into()),
        no_prompt,
    )
    .unwrap();

    let refresh = signed_in.tokens.refresh_token.clone().unwrap();
    drive(e, account::revoke_token(&w.pool, &refresh, None), no_prompt).unwrap();
    let revoked = drive(
        e,
        SignIn::refresh(&w.pool, "grace", refresh, entropy()),
        no_prompt,
    )
    .unwrap_err();
    assert_eq!(revoked.service_kind(), Some(&ErrorKind::NotAuthorized));
    let revoked = drive(e, account::get_user(&w.pool, t), no_prompt).unwrap_err();
    assert_eq!(revoked.service_kind(), Some(&ErrorKind::NotAuthorized));
}

#[test]
fn global_sign_out_then_delete() {
    let w = world(PoolConfig::default(), false);
    let e = &w.emulator;
    e.admin_create_user(&w.pool_id, "heidi", PASSWORD, &[])
        .unwrap();
    let s = drive(
        e,
        SignIn::user_srp(&w.pool, "heidi", PASSWORD, entropy()),
        no_prompt,
    )
    .unwrap();
    e.advance(Duration::from_secs(2));
    drive(
        e,
        account::global_sign_out(&w.pool, &s.tokens.access_token),
        no_prompt,
    )
    .unwrap();
    let err = drive(
        e,
        SignIn::refresh(
            &w.pool,
            "heidi",
            s.tokens.refresh_token.clone().unwrap(),
            entropy(),
        ),
        no_prompt,
    )
    .unwrap_err();
    assert_eq!(err.service_kind(), Some(&ErrorKind::NotAuthorized));
    e.advance(Duration::from_secs(2));
    let s = drive(
        e,
        SignIn::user_srp(&w.pool, "heidi", PASSWORD, entropy()),
        no_prompt,
    )
    .unwrap();
    drive(
        e,
        account::delete_user(&w.pool, &s.tokens.access_token),
        no_prompt,
    )
    .unwrap();
    drive(
        e,
        SignIn::user_srp(&w.pool, "heidi", PASSWORD, entropy()),
        no_prompt,
    )
    .unwrap_err();
}

#[test]
fn new_password_required() {
    let w = world(PoolConfig::default(), false);
    w.emulator
        .admin_create_user_with_temporary_password(
            &w.pool_id,
            "ivan",
            "Temp-Passw0rd!",
            &[("email", "ivan@example.com")],
        )
        .unwrap();
    let mut tries = 0;
    w.drive(
        SignIn::user_srp(&w.pool, "ivan", "Temp-Passw0rd!", entropy()),
        |p| {
            tries += 1;
            let Prompt::NewPassword {
                user_attributes, ..
            } = p
            else {
                panic!("{p:?}")
            };
            assert_eq!(
                user_attributes.get("email").map(String::as_str),
                Some("ivan@example.com")
            );
            let password = if tries == 1 {
                "weak"
            } else {
                "Str0nger-Passw0rd!"
            };
            Input::NewPassword {
                password: password.into(),
                attributes: Default::default(),
            }
        },
    )
    .unwrap();
    assert_eq!(tries, 2);
    w.drive(
        SignIn::user_password(&w.pool, "ivan", "Str0nger-Passw0rd!", entropy()),
        no_prompt,
    )
    .unwrap();
}

/// With a seed and a fixed clock, the same inputs give the same bytes.
#[test]
fn deterministic_mode() {
    let run = || {
        let config = EmulatorConfig {
            seed: Some([9; 32]),
            clock: cognito_flows_emulator::Clock::Fixed(
                UNIX_EPOCH + Duration::from_secs(1_795_507_507),
            ),
            ..EmulatorConfig::default()
        };
        let w = Fixture::start(
            Options::default()
                .emulator(config)
                .user("judy", PASSWORD, &[]),
        );
        let (e, pool_id, pool) = (&w.emulator, w.pool_id.clone(), &w.pool);
        let mut flow = SignIn::user_srp(pool, "judy", PASSWORD, Entropy::from([4; 32]));
        let Action::Send(r) = flow.poll_action() else {
            panic!()
        };
        let challenge = send(&agent(), r).into_body();
        flow.handle_response(e.now(), http::Response::new(challenge.clone()))
            .unwrap();
        let Action::Send(r) = flow.poll_action() else {
            panic!()
        };
        let tokens: Value = serde_json::from_slice(&send(&agent(), r).into_body()).unwrap();
        // The issuer is the AWS form, the same whatever the port.
        let claims = |name: &str| {
            let jwt =
                cognito_flows::Jwt::decode(tokens["AuthenticationResult"][name].as_str().unwrap())
                    .unwrap();
            jwt.claims().as_map().clone()
        };
        (
            pool_id,
            challenge,
            claims("AccessToken"),
            claims("IdToken"),
            tokens["AuthenticationResult"]["RefreshToken"].clone(),
        )
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert_eq!(a.2["iat"], json!(1_795_507_507));
}

#[test]
fn garbage_gets_cognito_shaped_errors() {
    let e = emulator::start(EmulatorConfig::default());
    let agent = agent();
    let post = |target: &str, body: &[u8]| {
        let r = http::Request::post(e.endpoint())
            .header("x-amz-target", target)
            .header("content-type", "application/x-amz-json-1.1")
            .body(body.to_vec())
            .unwrap();
        let response = send(&agent, r);
        (
            response.status().as_u16(),
            serde_json::from_slice::<Value>(response.body()).unwrap(),
        )
    };
    let (status, body) = post(
        "AWSCognitoIdentityProviderService.InitiateAuth",
        b"not json",
    );
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("SerializationException"))
    );
    let (status, body) = post("AWSCognitoIdentityProviderService.Nope", b"{}");
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("UnknownOperationException"))
    );
    let (status, body) = post("AWSCognitoIdentityProviderService.InitiateAuth", b"{}");
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("InvalidParameterException"))
    );
    let (_, body) = post(
        "AWSCognitoIdentityProviderService.InitiateAuth",
        br#"{"ClientId":"nope","AuthFlow":"USER_SRP_AUTH"}"#,
    );
    assert_eq!(body["__type"], "ResourceNotFoundException");
    let (_, body) = post("AWSCognitoIdentityProviderService.RespondToAuthChallenge", br#"{"ClientId":"x","ChallengeName":"PASSWORD_VERIFIER","Session":"forged","ChallengeResponses":{}}"#);
    assert_eq!(
        body,
        json!({"__type": "NotAuthorizedException", "message": "Invalid session for the user."})
    );
    for junk in [
        &b"[]"[..],
        b"{\"ClientId\": 5}",
        b"\xff\xfe",
        b"{\"AuthFlow\":\"USER_SRP_AUTH\",\"ClientId\":\"\",\"AuthParameters\":[]}",
    ] {
        let (status, _) = post("AWSCognitoIdentityProviderService.InitiateAuth", junk);
        assert_eq!(status, 400);
    }
    // Still serving.
    let (status, _) = post(
        "AWSCognitoIdentityProviderService.GetUser",
        br#"{"AccessToken":"x.y.z"}"#,
    );
    assert_eq!(status, 400);
    let _ = SystemTime::now;
}

#[test]
fn tokens_verify_with_the_library_verifier_and_the_jwks_endpoint() {
    use cognito_flows::verify::{Verifier, VerifyOptions};
    let w = world(PoolConfig::default(), false);
    w.add_user("kim", PASSWORD, &[]);
    let out = w
        .drive(
            SignIn::user_srp(&w.pool, "kim", PASSWORD, entropy()),
            no_prompt,
        )
        .unwrap();
    let verifier = Verifier::new(&w.pool, VerifyOptions::access_tokens([w.pool.client_id()]));
    let claims = cognito_flows_ureq_verify(&verifier, out.tokens.access_token.expose());
    assert_eq!(claims.username(), Some("kim"));
}

/// The blocking adapter's helper, inlined (the emulator does not depend on the adapters).
fn cognito_flows_ureq_verify(
    verifier: &cognito_flows::verify::Verifier,
    token: &str,
) -> cognito_flows::tokens::Claims {
    use cognito_flows::verify::Verification;
    let now = SystemTime::now();
    if let Verification::FetchKeys(fetch) = verifier.verify(token, now) {
        verifier
            .handle_jwks_response(now, &fetch, send(&agent(), fetch.request()))
            .unwrap();
    }
    match verifier.verify(token, now) {
        Verification::Valid(claims) => claims,
        other => panic!("{other:?}"),
    }
}

/// The hosted UI code flow with PKCE against the emulator's /oauth2 endpoints: the verifier is
/// really checked, and a wrong one is refused.
#[test]
fn hosted_ui_code_flow_with_pkce() {
    use cognito_flows::flows::hosted_ui::{HostedUi, OAuthErrorCode};
    let w = world(PoolConfig::default(), true);
    w.add_user("lee", PASSWORD, &[("email", "lee@example.com")]);
    let emulator_secret = {
        let c = w
            .emulator
            .create_client(
                &w.pool_id,
                ClientConfig {
                    secret: true,
                    callback_urls: vec!["http://127.0.0.1:1/callback".into()],
                    ..ClientConfig::default()
                },
            )
            .unwrap();
        (c.id, c.secret.unwrap())
    };
    let redirect = "http://127.0.0.1:1/callback";
    let ui = HostedUi::new(w.emulator.endpoint(), emulator_secret.0.clone(), redirect)
        .unwrap()
        .with_client_secret(emulator_secret.1.clone());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .build()
        .into();
    let browser = |url: &str, user: &str, password: &str| -> String {
        // The emulator has no login page: credentials go in the query, the redirect comes back at once.
        let url = format!("{url}&username={user}&password={password}");
        let response = send(&agent, http::Request::get(url).body(Vec::new()).unwrap());
        assert_eq!(response.status().as_u16(), 302);
        response.headers()["location"].to_str().unwrap().to_owned()
    };

    let mut flow = ui.authorize(Entropy::from([8; 32]));
    let Action::Prompt(Prompt::Authorize { url }) = flow.poll_action() else {
        panic!()
    };
    let callback = browser(&url, "lee", PASSWORD);
    flow.handle_input(Input::Callback(callback)).unwrap();
    let Action::Send(exchange) = flow.poll_action() else {
        panic!()
    };
    flow.handle_response(w.emulator.now(), send(&agent, exchange))
        .unwrap();
    let Action::Done(tokens) = flow.poll_action() else {
        panic!("{:?}", flow.poll_action())
    };
    assert_eq!(
        tokens.id_token.unwrap().claims().str("email"),
        Some("lee@example.com")
    );
    let refresh = tokens.refresh_token.unwrap();

    // userInfo, refresh, revoke.
    let mut info = ui.user_info(&tokens.access_token);
    let Action::Send(r) = info.poll_action() else {
        panic!()
    };
    info.handle_response(w.emulator.now(), send(&agent, r))
        .unwrap();
    let Action::Done(claims) = info.poll_action() else {
        panic!()
    };
    assert_eq!(claims["username"], "lee");
    let mut again = ui.refresh(refresh.clone());
    let Action::Send(r) = again.poll_action() else {
        panic!()
    };
    again
        .handle_response(w.emulator.now(), send(&agent, r))
        .unwrap();
    assert!(matches!(again.poll_action(), Action::Done(_)));
    let mut revoke = ui.revoke(&refresh);
    let Action::Send(r) = revoke.poll_action() else {
        panic!()
    };
    revoke
        .handle_response(w.emulator.now(), send(&agent, r))
        .unwrap();
    let mut dead = ui.refresh(refresh);
    let Action::Send(r) = dead.poll_action() else {
        panic!()
    };
    let err = dead
        .handle_response(w.emulator.now(), send(&agent, r))
        .unwrap_err();
    assert!(
        matches!(err, Error::OAuth(ref e) if e.code == OAuthErrorCode::InvalidGrant),
        "{err:?}"
    );

    // A code exchanged by someone without the verifier (another flow's) is refused.
    let stolen_from = ui.authorize(Entropy::from([9; 32]));
    let Action::Prompt(Prompt::Authorize { url }) = stolen_from.poll_action() else {
        panic!()
    };
    let callback = browser(&url, "lee", PASSWORD);
    let mut thief = ui.authorize(Entropy::from([10; 32]));
    let Action::Prompt(Prompt::Authorize { url: thief_url }) = thief.poll_action() else {
        panic!()
    };
    let thief_state = url::Url::parse(&thief_url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let code = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    thief
        .handle_input(Input::Callback(format!(
            "{redirect}?code={code}&state={thief_state}"
        )))
        .unwrap();
    let Action::Send(r) = thief.poll_action() else {
        panic!()
    };
    let err = thief
        .handle_response(w.emulator.now(), send(&agent, r))
        .unwrap_err();
    assert!(
        matches!(err, Error::OAuth(ref e) if e.code == OAuthErrorCode::InvalidGrant),
        "{err:?}"
    );

    // Wrong credentials come back as an OAuth error in the callback.
    let mut denied = ui.authorize(Entropy::from([11; 32]));
    let Action::Prompt(Prompt::Authorize { url }) = denied.poll_action() else {
        panic!()
    };
    let callback = browser(&url, "lee", "wrong");
    let err = denied.handle_input(Input::Callback(callback)).unwrap_err();
    assert!(
        matches!(err, Error::OAuth(ref e) if e.code == OAuthErrorCode::AccessDenied),
        "{err:?}"
    );
}

/// Two questions; a wrong answer fails the sign-in (a small quiz, as Cognito's Lambda triggers would
/// implement it).
struct Quiz;

impl cognito_flows_emulator::CustomAuth for Quiz {
    fn define(
        &self,
        _: &str,
        session: &[cognito_flows_emulator::ChallengeResult],
    ) -> cognito_flows_emulator::Define {
        use cognito_flows_emulator::Define;
        let answered = session
            .iter()
            .filter(|r| r.name == "CUSTOM_CHALLENGE")
            .count();
        if session.iter().any(|r| !r.correct) {
            Define::Fail
        } else if answered == 2 {
            Define::IssueTokens
        } else {
            Define::CustomChallenge
        }
    }

    fn create(
        &self,
        _: &str,
        session: &[cognito_flows_emulator::ChallengeResult],
    ) -> cognito_flows_emulator::CustomChallenge {
        let n = session
            .iter()
            .filter(|r| r.name == "CUSTOM_CHALLENGE")
            .count();
        let (question, answer) = if n == 0 { ("2+2", "4") } else { ("3*3", "9") };
        cognito_flows_emulator::CustomChallenge {
            public: std::collections::BTreeMap::from([(
                "question".to_owned(),
                question.to_owned(),
            )]),
            answer: answer.to_owned(),
        }
    }
}

#[test]
fn custom_auth_runs_the_callbacks_with_and_without_srp() {
    let config = PoolConfig {
        custom_auth: Some(cognito_flows_emulator::CustomAuthTriggers(
            std::sync::Arc::new(Quiz),
        )),
        ..PoolConfig::default()
    };
    let w = world(config, true);
    w.add_user("mia", PASSWORD, &[]);
    let answers = |p: &Prompt| match p {
        Prompt::CustomChallenge { parameters, .. } => match parameters["question"].as_str() {
            "2+2" => Input::Answer("4".into()),
            _ => Input::Answer("9".into()),
        },
        other => panic!("{other:?}"),
    };
    let mut seen = Vec::new();
    w.drive(SignIn::custom(&w.pool, "mia", entropy()), |p| {
        seen.push(p.clone());
        answers(p)
    })
    .unwrap();
    assert_eq!(seen.len(), 2);
    // With SRP first: the password is checked, then the quiz.
    w.drive(
        SignIn::custom_with_srp(&w.pool, "mia", PASSWORD, entropy()),
        answers,
    )
    .unwrap();
    let wrong_password = w
        .drive(
            SignIn::custom_with_srp(&w.pool, "mia", "wrong", entropy()),
            answers,
        )
        .unwrap_err();
    assert_eq!(
        wrong_password.service_kind(),
        Some(&ErrorKind::NotAuthorized)
    );
    // A wrong answer fails.
    let wrong = w
        .drive(SignIn::custom(&w.pool, "mia", entropy()), |_| {
            Input::Answer("5".into())
        })
        .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::NotAuthorized));
    // Without triggers, CUSTOM_AUTH is refused.
    let plain = world(PoolConfig::default(), false);
    plain
        .emulator
        .admin_create_user(&plain.pool_id, "mia", PASSWORD, &[])
        .unwrap();
    let refused = drive(
        &plain.emulator,
        SignIn::custom(&plain.pool, "mia", entropy()),
        answers,
    )
    .unwrap_err();
    assert_eq!(refused.service_kind(), Some(&ErrorKind::InvalidParameter));
}

/// The account calls moto lacks, against the emulator.
#[test]
fn calls_moto_lacks() {
    let w = world(
        PoolConfig {
            device_tracking: DeviceTracking::Always,
            mfa: Mfa::Optional,
            ..PoolConfig::default()
        },
        false,
    );
    let e = &w.emulator;
    e.admin_create_user(
        &w.pool_id,
        "noa",
        PASSWORD,
        &[
            ("email", "noa@example.com"),
            ("phone_number", "+15555550111"),
        ],
    )
    .unwrap();
    let s = drive(
        e,
        SignIn::user_srp(&w.pool, "noa", PASSWORD, entropy()),
        no_prompt,
    )
    .unwrap();
    let t = &s.tokens.access_token;
    let device = s.device.expect("devices are always remembered here");
    assert_eq!(device.remembered, None, "Cognito did not ask");
    let sent = drive(
        e,
        account::get_user_attribute_verification_code(&w.pool, t, "email"),
        no_prompt,
    )
    .unwrap();
    assert_eq!(
        sent.code_delivery_details
            .unwrap()
            .delivery_medium
            .as_deref(),
        Some("EMAIL")
    );
    let wrong = drive(
        e,
        account::verify_user_attribute(&w.pool, t, "email", "000000"),
        no_prompt,
    )
    .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::CodeMismatch));
    drive(
        e,
        account::verify_user_attribute(&w.pool, t, "email", &e.last_code("noa").unwrap()),
        no_prompt,
    )
    .unwrap();
    assert_eq!(
        drive(e, account::get_user(&w.pool, t), no_prompt)
            .unwrap()
            .attribute("email_verified"),
        Some("true")
    );
    drive(e, account::set_user_settings(&w.pool, t, true), no_prompt).unwrap();
    assert_eq!(
        drive(e, account::get_user(&w.pool, t), no_prompt)
            .unwrap()
            .mfa_options
            .len(),
        1
    );
    drive(e, account::set_user_settings(&w.pool, t, false), no_prompt).unwrap();
    let key = &device.credentials.device_key;
    let got = drive(e, account::get_device(&w.pool, t, key), no_prompt).unwrap();
    assert_eq!(got.device.device_key, *key);
    drive(
        e,
        account::update_device_status(&w.pool, t, key, false),
        no_prompt,
    )
    .unwrap();
    let got = drive(e, account::get_device(&w.pool, t, key), no_prompt).unwrap();
    assert_eq!(
        got.device.attribute("dev:device_remembered_status"),
        Some("not_remembered")
    );
    let missing = drive(
        e,
        account::get_device(&w.pool, t, "us-east-1_nope"),
        no_prompt,
    )
    .unwrap_err();
    assert_eq!(missing.service_kind(), Some(&ErrorKind::ResourceNotFound));
    // Pagination: a second device, one per page.
    let s2 = drive(
        e,
        SignIn::user_srp(&w.pool, "noa", PASSWORD, entropy()),
        no_prompt,
    )
    .unwrap();
    assert!(s2.device.is_some());
    let first = drive(
        e,
        account::list_devices(&w.pool, t, Some(1), None),
        no_prompt,
    )
    .unwrap();
    assert_eq!(first.devices.len(), 1);
    let next = first.pagination_token.expect("a second page");
    let second = drive(
        e,
        account::list_devices(&w.pool, t, Some(1), Some(&next)),
        no_prompt,
    )
    .unwrap();
    assert_eq!(second.devices.len(), 1);
    assert_ne!(first.devices[0].device_key, second.devices[0].device_key);
    assert!(second.pagination_token.is_none());
}
