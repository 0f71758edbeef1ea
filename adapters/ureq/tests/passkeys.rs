//! Passkeys end to end: a software authenticator (1Password's `passkey` crates: ES256, "none"
//! attestation, in `cognito_flows_testkit::passkey`) registers a passkey through the blocking
//! `Client` against the emulator, lists it, signs in with it (`USER_AUTH` preferring
//! `WEB_AUTHN`), and the emulator refuses what a relying party must refuse: a wrong signature, a
//! wrong origin, a replayed challenge, a cloned authenticator, a deleted passkey. The credential's
//! private key never leaves the test's authenticator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognito_flows::wire::{InitiateAuthRequest, RespondToAuthChallengeRequest};
use cognito_flows::{Call, ErrorKind, Input, Prompt};
use cognito_flows_emulator::{PoolConfig, WebAuthnConfig};
use cognito_flows_testkit::emulator::{Fixture, Options, TempDir};
use cognito_flows_testkit::passkey::SoftwareAuthenticator;
use cognito_flows_ureq::{Client, DriveError, PromptError, no_prompt};
use serde_json::{Value, json};

const ORIGIN: &str = "https://app.example.com";

fn options(prompt: &Prompt) -> &str {
    let Prompt::WebAuthn {
        credential_request_options,
    } = prompt
    else {
        panic!("expected the WEB_AUTHN prompt, got {}", prompt.kind());
    };
    credential_request_options
}

/// The answer to the passkey prompt: `tamper` of the device's assertion.
fn sign_with<'a>(
    device: &'a mut SoftwareAuthenticator,
    mut tamper: impl FnMut(&mut SoftwareAuthenticator, &str, Value) -> Value + 'a,
) -> impl FnMut(Prompt) -> Result<Input, PromptError> + 'a {
    move |prompt| {
        let genuine = device.get(options(&prompt))?;
        let answer = tamper(device, options(&prompt), genuine);
        Ok(Input::WebAuthnCredential(answer.to_string()))
    }
}

fn genuine(_: &mut SoftwareAuthenticator, _: &str, assertion: Value) -> Value {
    assertion
}

/// Cognito's refusal: its exception and its message.
fn service(e: &DriveError) -> (ErrorKind, String) {
    match e {
        DriveError::Auth(cognito_flows::Error::Service(s)) => (s.kind.clone(), s.message.clone()),
        other => panic!("not a refusal: {other}"),
    }
}

/// What the tests of one passkey need beside the fixture: alice's client and access token.
struct World {
    _fixture: Fixture,
    client: Client,
    /// alice's access token, from a password sign-in.
    access: String,
}

/// alice, with a password, in a pool whose passkeys belong to `example.com` and must verify
/// the user; the app client has a secret (every sign-in step carries `SECRET_HASH`).
fn world() -> World {
    let fixture = Fixture::start(
        Options::default()
            .pool(PoolConfig {
                web_authn: WebAuthnConfig {
                    relying_party_id: "example.com".into(),
                    require_user_verification: true,
                },
                ..PoolConfig::default()
            })
            .secret()
            .user("alice", "Passw0rd!", &[]),
    );
    let client = Client::new(fixture.pool.clone());
    let signed_in = client.sign_in_srp("alice", "Passw0rd!", no_prompt).unwrap();
    let access = signed_in.tokens.access_token.expose().to_owned();
    World {
        _fixture: fixture,
        client,
        access,
    }
}

/// Registers a passkey of `device` for alice; returns Cognito's creation options.
fn register(w: &World, device: &mut SoftwareAuthenticator) -> Value {
    let started = w.client.start_web_authn_registration(&*w.access).unwrap();
    let created = device.create(&started.credential_creation_options).unwrap();
    w.client
        .complete_web_authn_registration(&*w.access, created)
        .unwrap();
    started.credential_creation_options
}

#[test]
fn register_list_sign_in_and_delete_a_passkey() {
    let w = world();
    let factors = w.client.get_user_auth_factors(&*w.access).unwrap();
    assert_eq!(factors.configured_user_auth_factors, ["PASSWORD"]);

    let mut device = SoftwareAuthenticator::new(ORIGIN).unwrap();
    let options = register(&w, &mut device);
    assert_eq!(options["rp"]["id"], "example.com");
    assert_eq!(options["user"]["name"], "alice");
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );

    let listed = w.client.web_authn_credentials(&*w.access).unwrap();
    assert_eq!(listed.len(), 1);
    let passkey = &listed[0];
    assert_eq!(passkey.relying_party_id.as_deref(), Some("example.com"));
    assert_eq!(
        passkey.authenticator_attachment.as_deref(),
        Some("platform")
    );
    assert_eq!(passkey.authenticator_transports, ["internal"]);
    let factors = w.client.get_user_auth_factors(&*w.access).unwrap();
    assert_eq!(
        factors.configured_user_auth_factors,
        ["PASSWORD", "WEB_AUTHN"]
    );

    // Signing in with the passkey gives tokens for alice, twice (its counter grows).
    for _ in 0..2 {
        let signed_in = w
            .client
            .sign_in_passkey("alice", sign_with(&mut device, genuine))
            .unwrap();
        assert_eq!(signed_in.username, "alice");
        let user = w.client.get_user(&signed_in.tokens.access_token).unwrap();
        assert_eq!(user.username, "alice");
    }

    w.client
        .delete_web_authn_credential(&*w.access, &passkey.credential_id)
        .unwrap();
    assert!(
        w.client
            .web_authn_credentials(&*w.access)
            .unwrap()
            .is_empty()
    );
    let err = w
        .client
        .sign_in_passkey("alice", sign_with(&mut device, genuine))
        .unwrap_err();
    let gone = "The passkey is not registered for the user.";
    assert_eq!(service(&err), (ErrorKind::NotAuthorized, gone.into()));
}

/// The sign-in's refusal when the answer to the passkey prompt is `tamper(assertion)`.
fn refused(
    w: &World,
    device: &mut SoftwareAuthenticator,
    tamper: impl FnMut(&mut SoftwareAuthenticator, &str, Value) -> Value,
) -> (ErrorKind, String) {
    let err = w
        .client
        .sign_in_passkey("alice", sign_with(device, tamper))
        .unwrap_err();
    service(&err)
}

#[test]
fn wrong_signatures_origins_replays_and_clones_are_refused() {
    let w = world();
    let mut device = SoftwareAuthenticator::new(ORIGIN).unwrap();
    register(&w, &mut device);

    // A signature with one bit flipped.
    let refusal = refused(&w, &mut device, |_, _, mut assertion| {
        let signature = assertion["response"]["signature"].as_str().unwrap();
        let mut bytes = B64URL.decode(signature).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assertion["response"]["signature"] = json!(B64URL.encode(bytes));
        assertion
    });
    let bad = "The passkey's signature is not valid.";
    assert_eq!(refusal, (ErrorKind::NotAuthorized, bad.into()));

    // A genuine signature, by the genuine device, over client data claiming another origin.
    let refusal = refused(&w, &mut device, |device, options, _| {
        let challenge = serde_json::from_str::<Value>(options).unwrap()["challenge"].clone();
        let client_data = json!({"type": "webauthn.get", "challenge": challenge,
                                 "origin": "https://app.example.net", "crossOrigin": false});
        device
            .get_signing(options, &client_data.to_string())
            .unwrap()
    });
    assert_eq!(
        refusal.0,
        ErrorKind::WebAuthnOriginNotAllowed,
        "{}",
        refusal.1
    );

    // The assertion of an earlier sign-in, replayed on a new one: its challenge is not this one.
    let mut earlier = None;
    w.client
        .sign_in_passkey(
            "alice",
            sign_with(&mut device, |_, _, assertion| {
                earlier = Some(assertion.clone());
                assertion
            }),
        )
        .unwrap();
    let earlier = earlier.unwrap();
    let refusal = refused(&w, &mut device, |_, _, _| earlier.clone());
    let mismatch = "The challenge does not match this session.";
    assert_eq!(refusal, (ErrorKind::NotAuthorized, mismatch.into()));

    // The same assertion on its own session again, after it signed in: the session is used up.
    let pool = w.client.pool();
    let secret_hash = pool.secret_hash("alice").unwrap();
    let start = InitiateAuthRequest {
        auth_flow: "USER_AUTH".into(),
        client_id: pool.client_id().into(),
        auth_parameters: [
            ("USERNAME".to_owned(), "alice".into()),
            ("PREFERRED_CHALLENGE".to_owned(), "WEB_AUTHN".into()),
            ("SECRET_HASH".to_owned(), secret_hash.clone()),
        ]
        .into(),
        context: Default::default(),
        session: None,
    };
    let challenge = w.client.run(Call::new(pool, &start), no_prompt).unwrap();
    let session = challenge.session.unwrap();
    let options = &challenge.challenge_parameters.unwrap()["CREDENTIAL_REQUEST_OPTIONS"];
    let assertion = device.get(options).unwrap();
    let answer = || {
        let request = RespondToAuthChallengeRequest {
            client_id: pool.client_id().into(),
            challenge_name: "WEB_AUTHN".into(),
            session: Some(session.clone()),
            challenge_responses: [
                ("USERNAME".to_owned(), "alice".into()),
                ("CREDENTIAL".to_owned(), assertion.to_string().into()),
                ("SECRET_HASH".to_owned(), secret_hash.clone()),
            ]
            .into(),
            context: Default::default(),
        };
        w.client.run(Call::new(pool, &request), no_prompt)
    };
    assert!(answer().unwrap().authentication_result.is_some());
    let again = answer().unwrap_err();
    let used_up = "Invalid session for the user.";
    assert_eq!(service(&again), (ErrorKind::NotAuthorized, used_up.into()));

    // A copy of the authenticator, taken before the device's last sign-in: its counter is behind.
    let mut clone = device.copy().unwrap();
    w.client
        .sign_in_passkey("alice", sign_with(&mut device, genuine))
        .unwrap();
    let refusal = refused(&w, &mut clone, genuine);
    let went_back = "The passkey's signature counter went back.";
    assert_eq!(refusal, (ErrorKind::NotAuthorized, went_back.into()));
    w.client
        .sign_in_passkey("alice", sign_with(&mut device, genuine))
        .unwrap();
}

#[test]
fn a_passkey_survives_a_restart_of_the_emulator() {
    let dir = TempDir::new("passkeys");
    let mut device = SoftwareAuthenticator::new("http://localhost:3000").unwrap();
    let w = Fixture::start(
        Options::default()
            .data(dir.path())
            .user("alice", "Passw0rd!", &[]),
    );
    {
        let client = Client::new(w.pool.clone());
        let access = client.sign_in_srp("alice", "Passw0rd!", no_prompt).unwrap();
        let access = access.tokens.access_token.expose().to_owned();
        let started = client.start_web_authn_registration(&*access).unwrap();
        let created = device.create(&started.credential_creation_options).unwrap();
        client
            .complete_web_authn_registration(&*access, created)
            .unwrap();
        client
            .sign_in_passkey("alice", sign_with(&mut device, genuine))
            .unwrap();
    }
    let w = w.restart();
    let client = Client::new(w.pool.clone());
    let signed_in = client
        .sign_in_passkey("alice", sign_with(&mut device, genuine))
        .unwrap();
    assert_eq!(
        client
            .web_authn_credentials(&signed_in.tokens.access_token)
            .unwrap()
            .len(),
        1
    );
}
