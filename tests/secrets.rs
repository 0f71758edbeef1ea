//! Secrets never print: random passwords, new passwords, codes, refresh tokens, sessions, device
//! passwords, client secrets and PKCE verifiers are driven through every reachable state of every
//! flow with canned answers, and `{:?}`, `{:#?}` and `Display` of the flow, of every action, of
//! every request struct and of every error never contain any of them, in clear, in base64, or as
//! the decimal bytes a derived `Debug` of a `Vec<u8>` would print.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Debug;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cognito_flows::flows::account::{self, NewUser};
use cognito_flows::flows::hosted_ui::HostedUi;
use cognito_flows::flows::sign_in::FirstFactor;
use cognito_flows::wire;
use cognito_flows::{
    Action, DeviceCredentials, Entropy, Flow, ForgotPassword, Input, Password, Prompt,
    SecretString, SignIn, UserPool,
};
use common::{error, now, ok, password_verifier_challenge, tokens_answer};
use proptest::prelude::*;
use serde_json::json;

/// The secrets of one run.
#[derive(Debug, Clone)]
struct Secrets {
    password: String,
    new_password: String,
    code: String,
    refresh: String,
    session: String,
    device_password: String,
    client_secret: String,
    /// A verifier cannot be chosen (the flow derives it from the entropy): this is the entropy.
    seed: [u8; 32],
}

impl Secrets {
    fn all(&self) -> [(&'static str, &str); 7] {
        [
            ("password", &self.password),
            ("new password", &self.new_password),
            ("code", &self.code),
            ("refresh token", &self.refresh),
            ("session", &self.session),
            ("device password", &self.device_password),
            ("client secret", &self.client_secret),
        ]
    }
}

/// The forms a secret may take in printed text.
fn forms(secret: &str) -> Vec<String> {
    let bytes = format!("{:?}", secret.as_bytes());
    vec![
        secret.to_owned(),
        STANDARD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
        bytes.trim_matches(['[', ']']).to_owned(),
    ]
}

/// Fails if `text` holds any secret of `s`, or `extra` (e.g. a PKCE verifier).
fn clean(what: &str, text: &str, s: &Secrets, extra: &[(&str, String)]) {
    let named = s
        .all()
        .into_iter()
        .map(|(n, v)| (n, v.to_owned()))
        .chain(extra.iter().cloned());
    for (name, secret) in named {
        for form in forms(&secret) {
            assert!(
                !text.contains(&form),
                "{what} shows the {name} ({form}):\n{text}"
            );
        }
    }
    // The client's Basic credentials, and any bearer of the client secret.
    let basic = STANDARD.encode(format!("client:{}", s.client_secret));
    assert!(!text.contains(&basic), "{what} shows the Basic credentials");
}

fn printed(value: &impl Debug) -> [String; 2] {
    [format!("{value:?}"), format!("{value:#?}")]
}

/// Checks the flow and its pending action.
fn check<F: Flow + Debug>(flow: &F, s: &Secrets, extra: &[(&str, String)])
where
    F::Output: Debug,
{
    for text in printed(flow) {
        clean("the flow", &text, s, extra);
    }
    let action = flow.poll_action();
    for text in printed(&action) {
        clean("the action", &text, s, extra);
    }
    if let Action::Failed(e) = &action {
        clean("the error", &e.to_string(), s, extra);
    }
}

fn checked(result: Result<(), cognito_flows::Error>, s: &Secrets, extra: &[(&str, String)]) {
    if let Err(e) = result {
        clean("the error", &e.to_string(), s, extra);
        for text in printed(&e) {
            clean("the error", &text, s, extra);
        }
    }
}

fn respond<F: Flow + Debug>(
    flow: &mut F,
    answer: serde_json::Value,
    s: &Secrets,
    extra: &[(&str, String)],
) where
    F::Output: Debug,
{
    respond_raw(flow, ok(answer), s, extra);
}

fn respond_raw<F: Flow + Debug>(
    flow: &mut F,
    answer: http::Response<Vec<u8>>,
    s: &Secrets,
    extra: &[(&str, String)],
) where
    F::Output: Debug,
{
    check(flow, s, extra);
    assert!(
        matches!(flow.poll_action(), Action::Send(_)),
        "{:?}",
        flow.poll_action()
    );
    // A misplaced input is refused without moving the flow or printing anything.
    checked(flow.handle_input(Input::code(&s.code)), s, extra);
    checked(flow.handle_response(now(), answer), s, extra);
    check(flow, s, extra);
}

fn input<F: Flow + Debug>(flow: &mut F, input: Input, s: &Secrets, extra: &[(&str, String)])
where
    F::Output: Debug,
{
    check(flow, s, extra);
    assert!(
        matches!(flow.poll_action(), Action::Prompt(_)),
        "{:?}",
        flow.poll_action()
    );
    checked(flow.handle_response(now(), ok(json!({}))), s, extra);
    checked(flow.handle_input(input), s, extra);
    check(flow, s, extra);
}

fn pool(s: &Secrets) -> UserPool {
    UserPool::new("us-east-1_AbC123", "client")
        .unwrap()
        .with_client_secret(s.client_secret.as_str())
}

fn challenge(name: &str, session: &str, parameters: serde_json::Value) -> serde_json::Value {
    json!({"ChallengeName": name, "Session": session, "ChallengeParameters": parameters})
}

fn sms(session: &str) -> serde_json::Value {
    challenge(
        "SMS_MFA",
        session,
        json!({"CODE_DELIVERY_DESTINATION": "+*******1234", "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "USER_ID_FOR_SRP": "alice"}),
    )
}

fn tokens_with_device(s: &Secrets) -> serde_json::Value {
    let mut answer = tokens_answer("alice", false);
    answer["AuthenticationResult"]["RefreshToken"] = json!(s.refresh);
    answer["AuthenticationResult"]["NewDeviceMetadata"] =
        json!({"DeviceKey": "us-east-1_dev", "DeviceGroupKey": "-group"});
    answer
}

fn entropy(s: &Secrets) -> Entropy {
    Entropy::from(s.seed)
}

/// Password sign-in, SMS MFA (a wrong code, then the right one), a new device remembered.
fn password_sms_device(s: &Secrets) {
    let mut flow = SignIn::user_password(&pool(s), "alice", s.password.as_str(), entropy(s));
    respond(&mut flow, sms(&s.session), s, &[]);
    input(&mut flow, Input::code(&s.code), s, &[]);
    respond_raw(
        &mut flow,
        error(400, "CodeMismatchException", "Invalid code."),
        s,
        &[],
    );
    input(&mut flow, Input::code(&s.code), s, &[]);
    respond(&mut flow, tokens_with_device(s), s, &[]);
    // ConfirmDevice: the flow made up a device password; it must not print either.
    respond(
        &mut flow,
        json!({"UserConfirmationNecessary": true}),
        s,
        &[],
    );
    input(&mut flow, Input::RememberDevice(true), s, &[]);
    respond(&mut flow, json!({}), s, &[]);
    let Action::Done(done) = flow.poll_action() else {
        panic!("{:?}", flow.poll_action())
    };
    let device = done.device.expect("confirmed");
    let made_up = [(
        "made-up device password",
        device.credentials.password.expose().to_owned(),
    )];
    check(&flow, s, &made_up);
    for text in printed(&done.tokens) {
        clean("the tokens", &text, s, &made_up);
    }
}

/// SRP sign-in, then NEW_PASSWORD_REQUIRED.
fn srp_new_password(s: &Secrets) {
    let mut flow = SignIn::user_srp(&pool(s), "alice", s.password.as_str(), entropy(s));
    let mut verifier = password_verifier_challenge("alice", "alice");
    verifier["Session"] = json!(s.session);
    respond(&mut flow, verifier, s, &[]);
    respond(
        &mut flow,
        challenge(
            "NEW_PASSWORD_REQUIRED",
            &s.session,
            json!({"userAttributes": "{}", "requiredAttributes": "[]", "USER_ID_FOR_SRP": "alice"}),
        ),
        s,
        &[],
    );
    input(
        &mut flow,
        Input::NewPassword {
            password: Password::new(s.new_password.as_str()),
            attributes: BTreeMap::new(),
        },
        s,
        &[],
    );
    respond(&mut flow, tokens_answer("alice", true), s, &[]);
}

/// A remembered device: DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER.
fn device_srp(s: &Secrets) {
    let device = DeviceCredentials {
        device_key: "us-east-1_dev".into(),
        device_group_key: "-group".into(),
        password: SecretString::new(s.device_password.as_str()),
    };
    let mut flow = SignIn::builder(&pool(s)).with_device(device).user_srp(
        "alice",
        s.password.as_str(),
        entropy(s),
    );
    let mut verifier = password_verifier_challenge("alice", "alice");
    verifier["Session"] = json!(s.session);
    respond(&mut flow, verifier, s, &[]);
    respond(
        &mut flow,
        challenge("DEVICE_SRP_AUTH", &s.session, json!({"USERNAME": "alice"})),
        s,
        &[],
    );
    let mut device_verifier = password_verifier_challenge("alice", "alice");
    device_verifier["ChallengeName"] = json!("DEVICE_PASSWORD_VERIFIER");
    device_verifier["Session"] = json!(s.session);
    respond(&mut flow, device_verifier, s, &[]);
    respond(&mut flow, tokens_answer("alice", true), s, &[]);
}

/// MFA_SETUP with TOTP: AssociateSoftwareToken, a code, VerifySoftwareToken, tokens.
fn totp_setup(s: &Secrets) {
    let mut flow = SignIn::user_password(&pool(s), "alice", s.password.as_str(), entropy(s));
    respond(
        &mut flow,
        challenge(
            "MFA_SETUP",
            &s.session,
            json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]", "USER_ID_FOR_SRP": "alice"}),
        ),
        s,
        &[],
    );
    respond(
        &mut flow,
        json!({"SecretCode": "JBSWY3DPEHPK3PXP", "Session": s.session}),
        s,
        &[],
    );
    input(
        &mut flow,
        Input::TotpSetup {
            code: SecretString::new(s.code.as_str()),
            device_name: Some("Phone".into()),
        },
        s,
        &[],
    );
    respond(
        &mut flow,
        json!({"Status": "SUCCESS", "Session": s.session}),
        s,
        &[],
    );
    respond(&mut flow, tokens_answer("alice", true), s, &[]);
}

/// USER_AUTH: SELECT_CHALLENGE, the password given with the choice; then a custom challenge.
fn user_auth_and_custom(s: &Secrets) {
    let mut flow = SignIn::user_auth(&pool(s), "alice", FirstFactor::Select, entropy(s));
    respond(
        &mut flow,
        json!({"ChallengeName": "SELECT_CHALLENGE", "Session": s.session, "ChallengeParameters": {}, "AvailableChallenges": ["PASSWORD", "EMAIL_OTP"]}),
        s,
        &[],
    );
    input(
        &mut flow,
        Input::SelectChallenge {
            challenge: "PASSWORD".into(),
            password: Some(Password::new(s.password.as_str())),
        },
        s,
        &[],
    );
    respond(&mut flow, tokens_answer("alice", true), s, &[]);

    let mut custom = SignIn::custom(&pool(s), "alice", entropy(s));
    respond(
        &mut custom,
        challenge("CUSTOM_CHALLENGE", &s.session, json!({"q": "2+2"})),
        s,
        &[],
    );
    input(
        &mut custom,
        Input::Answer(SecretString::new(s.code.as_str())),
        s,
        &[],
    );
    respond_raw(
        &mut custom,
        error(
            400,
            "NotAuthorizedException",
            "Incorrect username or password.",
        ),
        s,
        &[],
    );
}

/// Refresh (with a device Cognito no longer knows), and the sign-in after sign-up's session.
fn refresh_and_after_sign_up(s: &Secrets) {
    let mut flow = SignIn::builder(&pool(s))
        .with_device_key("us-east-1_gone")
        .refresh("alice", SecretString::new(s.refresh.as_str()), entropy(s));
    respond_raw(
        &mut flow,
        error(400, "ResourceNotFoundException", "Device does not exist."),
        s,
        &[],
    );
    respond(&mut flow, tokens_answer("alice", false), s, &[]);

    let mut after = SignIn::after_sign_up(
        &pool(s),
        "alice",
        SecretString::new(s.session.as_str()),
        entropy(s),
    );
    // An answer that is not JSON: a protocol error, which keeps the body but never prints it.
    respond_raw(
        &mut after,
        http::Response::new(format!("{{\"Session\": \"{}\"", s.session).into_bytes()),
        s,
        &[],
    );
}

/// A stored session's refresh (GetTokensFromRefreshToken with the client secret and the device,
/// the fallback, a device Cognito forgot, a rotated refresh token) and its sign-out.
fn session_refresh_and_sign_out(s: &Secrets) {
    let mut sign_in = SignIn::user_password(&pool(s), "alice", s.password.as_str(), entropy(s));
    let mut answer = tokens_answer("alice", false);
    answer["AuthenticationResult"]["RefreshToken"] = json!(s.refresh);
    respond(&mut sign_in, answer, s, &[]);
    let cognito_flows::Action::Done(signed_in) = sign_in.poll_action() else {
        panic!("signed in")
    };
    let mut session = cognito_flows::StoredSession::from(signed_in);
    session.device = Some(cognito_flows::flows::DeviceCredentials {
        device_key: "us-east-1_dev".into(),
        device_group_key: "-group".into(),
        password: s.device_password.as_str().into(),
    });
    let mut flow = session.refresh(&pool(s)).unwrap();
    check(&flow, s, &[]);
    respond_raw(
        &mut flow,
        error(400, "UnknownOperationException", "unknown operation"),
        s,
        &[],
    );
    respond_raw(
        &mut flow,
        error(400, "ResourceNotFoundException", "Device does not exist."),
        s,
        &[],
    );
    let mut rotated = tokens_answer("alice", false);
    rotated["AuthenticationResult"]["RefreshToken"] = json!(s.new_password);
    respond(&mut flow, rotated, s, &[]);
    let mut sign_out = session.sign_out(&pool(s)).unwrap();
    respond(&mut sign_out, json!({}), s, &[]);
}

/// ForgotPassword: the code and a new password, refused once, then accepted.
fn forgot_password(s: &Secrets) {
    let mut flow = ForgotPassword::new(&pool(s), "alice");
    respond(
        &mut flow,
        json!({"CodeDeliveryDetails": {"Destination": "a***@e***", "DeliveryMedium": "EMAIL"}}),
        s,
        &[],
    );
    let reset = || Input::PasswordReset {
        code: SecretString::new(s.code.as_str()),
        password: Password::new(s.new_password.as_str()),
    };
    input(&mut flow, reset(), s, &[]);
    respond_raw(
        &mut flow,
        error(
            400,
            "InvalidPasswordException",
            "Password does not conform.",
        ),
        s,
        &[],
    );
    input(&mut flow, reset(), s, &[]);
    respond(&mut flow, json!({}), s, &[]);
}

/// The single calls that carry a secret.
fn account_calls(s: &Secrets) {
    let p = pool(s);
    let refresh = SecretString::new(s.refresh.as_str());
    let client_secret = SecretString::new(s.client_secret.as_str());
    let old = Password::new(s.password.as_str());
    let new = Password::new(s.new_password.as_str());
    let user = NewUser::new("alice", s.password.as_str());
    let mut sign_up = account::sign_up(&p, &user);
    respond(
        &mut sign_up,
        json!({"UserSub": "x", "UserConfirmed": false}),
        s,
        &[],
    );
    let mut confirm = account::confirm_sign_up(&p, "alice", &s.code, false);
    respond(&mut confirm, json!({"Session": s.session}), s, &[]);
    let mut change = account::change_password(&p, "access", &old, &new);
    respond_raw(
        &mut change,
        error(400, "LimitExceededException", "no"),
        s,
        &[],
    );
    let mut verify = account::verify_user_attribute(&p, "access", "email", &s.code);
    respond(&mut verify, json!({}), s, &[]);
    let mut revoke = account::revoke_token(&p, &refresh, Some(&client_secret));
    respond(&mut revoke, json!({}), s, &[]);
    let mut totp = account::verify_software_token(&p, "access", &s.code, None);
    respond(&mut totp, json!({"Status": "SUCCESS"}), s, &[]);
}

/// The hosted UI: authorize, callback, code exchange, refresh, revoke, userInfo.
fn hosted_ui(s: &Secrets) {
    let ui = HostedUi::new(
        "https://example.auth.us-east-1.amazoncognito.com",
        "client",
        "https://app.example/cb",
    )
    .unwrap()
    .with_client_secret(s.client_secret.as_str())
    .with_scopes(["openid"]);
    let mut flow = ui.authorize(entropy(s));
    let Action::Prompt(Prompt::Authorize { url }) = flow.poll_action() else {
        panic!()
    };
    let state = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    // The PKCE verifier is the one secret the flow makes: read it off the request it sends,
    // then check nothing else ever shows it.
    let callback = format!("https://app.example/cb?code={}&state={state}", s.code);
    checked(flow.handle_input(Input::Callback(callback)), s, &[]);
    let Action::Send(exchange) = flow.poll_action() else {
        panic!()
    };
    let verifier = url::form_urlencoded::parse(exchange.body())
        .find(|(k, _)| k == "code_verifier")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let extra = [("PKCE verifier", verifier)];
    let access = common::jwt(&json!({"token_use": "access", "username": "alice", "exp": 1}));
    respond(
        &mut flow,
        json!({"access_token": access, "refresh_token": s.refresh, "expires_in": 3600, "token_type": "Bearer"}),
        s,
        &extra,
    );
    let mut refresh = ui.refresh(SecretString::new(s.refresh.as_str()));
    respond_raw(
        &mut refresh,
        common::raw(400, br#"{"error":"invalid_grant"}"#),
        s,
        &extra,
    );
    let mut revoke = ui.revoke(&SecretString::new(s.refresh.as_str()));
    respond(&mut revoke, json!({}), s, &extra);
}

/// The wire structs, filled with secrets, print none of them.
fn wire_structs(s: &Secrets) {
    let initiate: wire::InitiateAuthRequest = serde_json::from_value(json!({
        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "client", "Session": s.session,
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": s.password, "REFRESH_TOKEN": s.refresh, "NEW_PASSWORD": s.new_password},
    }))
    .unwrap();
    let respond: wire::RespondToAuthChallengeRequest = serde_json::from_value(json!({
        "ChallengeName": "SMS_MFA", "ClientId": "client", "Session": s.session,
        "ChallengeResponses": {"USERNAME": "alice", "SMS_MFA_CODE": s.code, "NEW_PASSWORD": s.new_password},
    }))
    .unwrap();
    let verify: wire::VerifySoftwareTokenRequest = serde_json::from_value(json!({
        "Session": s.session, "UserCode": s.code,
    }))
    .unwrap();
    let confirm = wire::ConfirmForgotPasswordRequest {
        client_id: "client".into(),
        secret_hash: None,
        username: "alice".into(),
        confirmation_code: SecretString::new(s.code.as_str()),
        password: SecretString::new(s.new_password.as_str()),
        context: wire::Context::default(),
    };
    let feedback = wire::UpdateAuthEventFeedbackRequest {
        user_pool_id: "us-east-1_AbC123".into(),
        username: "alice".into(),
        event_id: "event".into(),
        feedback_token: SecretString::new(s.code.as_str()),
        feedback_value: wire::FeedbackValue::Invalid,
    };
    let confirmation = cognito_flows::flows::account::Confirmation {
        session: Some(SecretString::new(s.session.as_str())),
        ..cognito_flows::flows::account::Confirmation::new("alice", &s.code)
    };
    let pool = UserPool::new("us-east-1_AbC123", "client").unwrap();
    let confirm_call = cognito_flows::flows::account::confirm_registration(&pool, &confirmation);
    let feedback_call = cognito_flows::flows::account::update_auth_event_feedback(
        &pool,
        "alice",
        "event",
        &SecretString::new(s.code.as_str()),
        wire::FeedbackValue::Valid,
    );
    let revoke = wire::RevokeTokenRequest {
        token: SecretString::new(s.refresh.as_str()),
        client_id: "client".into(),
        client_secret: Some(SecretString::new(s.client_secret.as_str())),
    };
    let texts = [
        printed(&initiate),
        printed(&respond),
        printed(&verify),
        printed(&confirm),
        printed(&revoke),
        printed(&feedback),
        printed(&confirmation),
        printed(&confirm_call),
        printed(&feedback_call),
        printed(&confirm_call.poll_action()),
    ];
    for text in texts.iter().flatten() {
        clean("a wire struct", text, s, &[]);
    }
}

fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{16,24}"
}

prop_compose! {
    fn secrets()(
        password in secret(), new_password in secret(), code in secret(), refresh in secret(),
        session in secret(), device_password in secret(), client_secret in secret(),
        seed in any::<[u8; 32]>(),
    ) -> Secrets {
        Secrets { password, new_password, code, refresh, session, device_password, client_secret, seed }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_flow_state_action_request_or_error_prints_a_secret(s in secrets()) {
        password_sms_device(&s);
        srp_new_password(&s);
        device_srp(&s);
        totp_setup(&s);
        user_auth_and_custom(&s);
        refresh_and_after_sign_up(&s);
        session_refresh_and_sign_out(&s);
        forgot_password(&s);
        account_calls(&s);
        hosted_ui(&s);
        wire_structs(&s);
    }
}

/// The report that opened this: a password sign-in printed its password.
#[test]
fn a_password_sign_in_does_not_print_its_password() {
    let pool = UserPool::new("us-east-1_AbC123", "client").unwrap();
    let flow = SignIn::user_password(&pool, "alice", "hunter2", Entropy::from([7; 32]));
    let text = format!("{flow:?}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("[redacted]"), "{text}");
}
