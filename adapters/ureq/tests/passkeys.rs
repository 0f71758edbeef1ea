//! Passkeys end to end: a software authenticator (1Password's `passkey` crates: ES256, "none"
//! attestation) registers a passkey through the blocking `Client` against the emulator, lists it,
//! signs in with it (`USER_AUTH` preferring `WEB_AUTHN`), and the emulator refuses what a relying
//! party must refuse: a wrong signature, a wrong origin, a replayed challenge, a deleted passkey.
//! The credential's private key never leaves the test's authenticator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use cognito_flows::{ErrorKind, Input, Prompt, UserPool};
use cognito_flows_emulator::{ClientConfig, Emulator, EmulatorConfig, PoolConfig, WebAuthnConfig};
use cognito_flows_ureq::{Client, DriveError, PromptError};
use passkey::authenticator::{Authenticator, UiHint, UserCheck, UserValidationMethod};
use passkey::client::{DefaultClientData, DefaultClientDataWithCustomHash};
use passkey::crypto::rust_crypto::RustCryptoBackend;
use passkey::types::Passkey;
use passkey::types::ctap2::{Aaguid, Ctap2Error};
use passkey::types::webauthn::{
    AuthenticatedPublicKeyCredential, CreatedPublicKeyCredential, CredentialCreationOptions,
    CredentialRequestOptions, PublicKeyCredentialCreationOptions,
    PublicKeyCredentialRequestOptions,
};
use serde_json::{Value, json};
use sha2::Digest as _;

const ORIGIN: &str = "https://app.example.com";

/// A user who is always present and verified (a fingerprint that always matches).
struct AlwaysVerified;

#[async_trait::async_trait]
impl UserValidationMethod for AlwaysVerified {
    type PasskeyItem = Passkey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Passkey>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck {
            presence,
            verification,
        })
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

type Device = passkey::client::Client<
    Option<Passkey>,
    AlwaysVerified,
    RustCryptoBackend,
    public_suffix::PublicSuffixList,
    (),
>;

/// The software authenticator, holding at most one passkey (its private key stays here).
fn device() -> Device {
    device_with(None)
}

/// An authenticator holding `passkey` (a copy of another's: a cloned authenticator).
fn device_with(passkey: Option<Passkey>) -> Device {
    let mut authenticator = Authenticator::new(
        Aaguid::new_empty(),
        passkey,
        AlwaysVerified,
        RustCryptoBackend,
    );
    authenticator.set_make_credentials_with_signature_counter(true);
    passkey::client::Client::new(authenticator)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

/// A `RegistrationResponseJSON`, as a browser's `PublicKeyCredential.toJSON()` writes it.
fn registration_json(created: &CreatedPublicKeyCredential) -> Value {
    json!({
        "id": created.id, "rawId": B64URL.encode(&*created.raw_id), "type": "public-key",
        "response": {
            "clientDataJSON": B64URL.encode(&*created.response.client_data_json),
            "attestationObject": B64URL.encode(&*created.response.attestation_object),
            "transports": ["internal"],
        },
        "authenticatorAttachment": "platform", "clientExtensionResults": {},
    })
}

/// An `AuthenticationResponseJSON`.
fn assertion_json(asserted: &AuthenticatedPublicKeyCredential) -> Value {
    let r = &asserted.response;
    json!({
        "id": asserted.id, "rawId": B64URL.encode(&*asserted.raw_id), "type": "public-key",
        "response": {
            "clientDataJSON": B64URL.encode(&*r.client_data_json),
            "authenticatorData": B64URL.encode(&*r.authenticator_data),
            "signature": B64URL.encode(&*r.signature),
            "userHandle": r.user_handle.as_ref().map(|h| B64URL.encode(&**h)),
        },
        "authenticatorAttachment": "platform", "clientExtensionResults": {},
    })
}

fn request_options(prompt: &Prompt) -> CredentialRequestOptions {
    let Prompt::WebAuthn {
        credential_request_options,
    } = prompt
    else {
        panic!("expected the WEB_AUTHN prompt, got {}", prompt.kind());
    };
    let public_key: PublicKeyCredentialRequestOptions =
        serde_json::from_str(credential_request_options).unwrap();
    CredentialRequestOptions { public_key }
}

/// Signs the prompt's challenge with the device, from `origin`.
fn assert_with(device: &mut Device, prompt: &Prompt, origin: &str) -> Value {
    let origin = url::Url::parse(origin).unwrap();
    let asserted =
        block_on(device.authenticate(&origin, request_options(prompt), DefaultClientData)).unwrap();
    assertion_json(&asserted)
}

/// Cognito's refusal: its exception and its message.
/// The answer to the passkey prompt: the device's assertion, from the app's origin.
fn sign_with(device: &mut Device) -> impl FnMut(Prompt) -> Result<Input, PromptError> + '_ {
    move |prompt| {
        let assertion = assert_with(device, &prompt, ORIGIN);
        Ok(Input::WebAuthnCredential(assertion.to_string()))
    }
}

fn service(e: &DriveError) -> Option<(ErrorKind, &str)> {
    match e {
        DriveError::Auth(cognito_flows::Error::Service(s)) => Some((s.kind.clone(), &s.message)),
        _ => None,
    }
}

struct World {
    emulator: Emulator,
    client: Client,
}

fn world() -> World {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let pool_id = emulator.create_user_pool(PoolConfig {
        web_authn: WebAuthnConfig {
            relying_party_id: "example.com".into(),
            require_user_verification: true,
        },
        ..PoolConfig::default()
    });
    let app = emulator
        .create_client(&pool_id, ClientConfig::default())
        .unwrap();
    emulator
        .admin_create_user(
            &pool_id,
            "alice",
            "Passw0rd!",
            &[("email", "alice@example.com")],
        )
        .unwrap();
    let pool = UserPool::new(&pool_id, app.id)
        .unwrap()
        .with_endpoint(emulator.endpoint())
        .unwrap();
    World {
        emulator,
        client: Client::new(pool),
    }
}

/// Registers a passkey of `device` for the signed-in user; returns the options Cognito gave.
fn register(
    client: &Client,
    access: &str,
    device: &mut Device,
) -> PublicKeyCredentialCreationOptions {
    let started = client.start_web_authn_registration(access).unwrap();
    let options = || -> PublicKeyCredentialCreationOptions {
        serde_json::from_value(started.credential_creation_options.clone()).unwrap()
    };
    let request = CredentialCreationOptions {
        public_key: options(),
    };
    let origin = url::Url::parse(ORIGIN).unwrap();
    let created = block_on(device.register(&origin, request, DefaultClientData)).unwrap();
    client
        .complete_web_authn_registration(access, registration_json(&created))
        .unwrap();
    options()
}

#[test]
fn register_list_sign_in_and_delete_a_passkey() {
    let w = world();
    let password = w
        .client
        .sign_in_srp("alice", "Passw0rd!", cognito_flows_ureq::no_prompt)
        .unwrap();
    let access = password.tokens.access_token.expose().to_owned();
    let factors = w.client.get_user_auth_factors(&*access).unwrap();
    assert_eq!(factors.configured_user_auth_factors, ["PASSWORD"]);

    let mut device = device();
    let options = register(&w.client, &access, &mut device);
    assert_eq!(options.rp.id.as_deref(), Some("example.com"));
    assert_eq!(options.user.name, "alice");

    let listed = w.client.web_authn_credentials(&*access).unwrap();
    assert_eq!(listed.len(), 1);
    let passkey = &listed[0];
    assert_eq!(passkey.relying_party_id.as_deref(), Some("example.com"));
    assert_eq!(
        passkey.authenticator_attachment.as_deref(),
        Some("platform")
    );
    assert_eq!(passkey.authenticator_transports, ["internal"]);
    let factors = w.client.get_user_auth_factors(&*access).unwrap();
    assert_eq!(
        factors.configured_user_auth_factors,
        ["PASSWORD", "WEB_AUTHN"]
    );

    // Signing in with the passkey gives tokens for alice, twice (the counter grows).
    for _ in 0..2 {
        let signed_in = w
            .client
            .sign_in_passkey("alice", sign_with(&mut device))
            .unwrap();
        assert_eq!(signed_in.username, "alice");
        let user = w.client.get_user(&signed_in.tokens.access_token).unwrap();
        assert_eq!(user.username, "alice");
    }

    w.client
        .delete_web_authn_credential(&*access, &passkey.credential_id)
        .unwrap();
    assert!(w.client.web_authn_credentials(&*access).unwrap().is_empty());
    let err = w
        .client
        .sign_in_passkey("alice", sign_with(&mut device))
        .unwrap_err();
    assert_eq!(
        service(&err),
        Some((
            ErrorKind::NotAuthorized,
            "The passkey is not registered for the user."
        )),
        "{err}"
    );
    drop(w.emulator);
}

/// The answer to the WEB_AUTHN prompt is `tamper(assertion)`; the sign-in's refusal.
fn refused(
    w: &World,
    device: &mut Device,
    mut tamper: impl FnMut(&mut Device, &Prompt, Value) -> Value,
) -> (ErrorKind, String) {
    let err = w
        .client
        .sign_in_passkey("alice", |prompt| -> Result<Input, PromptError> {
            let genuine = assert_with(device, &prompt, ORIGIN);
            Ok(Input::WebAuthnCredential(
                tamper(device, &prompt, genuine).to_string(),
            ))
        })
        .unwrap_err();
    service(&err)
        .map(|(kind, message)| (kind, message.to_owned()))
        .unwrap_or_else(|| panic!("{err}"))
}

#[test]
fn wrong_signatures_origins_and_replays_are_refused() {
    let w = world();
    let password = w
        .client
        .sign_in_srp("alice", "Passw0rd!", cognito_flows_ureq::no_prompt)
        .unwrap();
    let access = password.tokens.access_token.expose().to_owned();
    let mut device = device();
    register(&w.client, &access, &mut device);

    // A signature with one bit flipped.
    let kind = refused(&w, &mut device, |_, _, mut assertion| {
        let signature = assertion["response"]["signature"].as_str().unwrap();
        let mut bytes = B64URL.decode(signature).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assertion["response"]["signature"] = json!(B64URL.encode(bytes));
        assertion
    });
    assert_eq!(
        kind,
        (
            ErrorKind::NotAuthorized,
            "The passkey's signature is not valid.".into()
        )
    );

    // A genuine signature, by the genuine device, over client data from another origin (what a
    // phishing page's compromised client would send).
    let kind = refused(&w, &mut device, |device, prompt, _| {
        let options = request_options(prompt);
        let client_data = json!({
            "type": "webauthn.get", "challenge": B64URL.encode(&*options.public_key.challenge),
            "origin": "https://app.example.net", "crossOrigin": false,
        })
        .to_string();
        let hash = sha2::Sha256::digest(client_data.as_bytes()).to_vec();
        let origin = url::Url::parse(ORIGIN).unwrap();
        let signed =
            block_on(device.authenticate(&origin, options, DefaultClientDataWithCustomHash(hash)))
                .unwrap();
        let mut assertion = assertion_json(&signed);
        assertion["response"]["clientDataJSON"] = json!(B64URL.encode(client_data));
        assertion
    });
    assert_eq!(kind.0, ErrorKind::WebAuthnOriginNotAllowed);

    // The assertion of an earlier sign-in, replayed on a new one: its challenge is not this one.
    let mut first = None;
    let signed_in = w
        .client
        .sign_in_passkey("alice", |prompt| {
            let assertion = assert_with(&mut device, &prompt, ORIGIN);
            first = Some(assertion.clone());
            Ok(Input::WebAuthnCredential(assertion.to_string()))
        })
        .unwrap();
    assert_eq!(signed_in.username, "alice");
    let old = first.unwrap();
    let kind = refused(&w, &mut device, |_, _, _| old.clone());
    let mismatch = "The challenge does not match this session.";
    assert_eq!(kind, (ErrorKind::NotAuthorized, mismatch.into()));

    // The same assertion on its own session, again: the session was used up.
    let answer = |session: &str, assertion: &Value| {
        let request = cognito_flows::wire::RespondToAuthChallengeRequest {
            client_id: w.client.pool().client_id().into(),
            challenge_name: "WEB_AUTHN".into(),
            session: Some(session.into()),
            challenge_responses: [
                ("USERNAME".to_owned(), "alice".into()),
                ("CREDENTIAL".to_owned(), assertion.to_string().into()),
            ]
            .into(),
            context: Default::default(),
        };
        let call = cognito_flows::Call::new(w.client.pool(), &request);
        w.client.run(call, cognito_flows_ureq::no_prompt)
    };
    let start = cognito_flows::wire::InitiateAuthRequest {
        auth_flow: "USER_AUTH".into(),
        client_id: w.client.pool().client_id().into(),
        auth_parameters: [
            ("USERNAME".to_owned(), "alice".into()),
            ("PREFERRED_CHALLENGE".to_owned(), "WEB_AUTHN".into()),
        ]
        .into(),
        context: Default::default(),
        session: None,
    };
    let challenge = w
        .client
        .run(
            cognito_flows::Call::new(w.client.pool(), &start),
            cognito_flows_ureq::no_prompt,
        )
        .unwrap();
    let session = challenge.session.unwrap();
    let options = challenge.challenge_parameters.unwrap()["CREDENTIAL_REQUEST_OPTIONS"].clone();
    let prompt = Prompt::WebAuthn {
        credential_request_options: options,
    };
    let assertion = assert_with(&mut device, &prompt, ORIGIN);
    assert!(
        answer(session.expose(), &assertion)
            .unwrap()
            .authentication_result
            .is_some()
    );
    let again = answer(session.expose(), &assertion).unwrap_err();
    let used_up = "Invalid session for the user.";
    assert_eq!(
        service(&again),
        Some((ErrorKind::NotAuthorized, used_up)),
        "{again}"
    );

    // A copy of the authenticator, taken before its last sign-in: its counter is behind.
    let mut clone = device_with(device.authenticator().store().clone());
    w.client
        .sign_in_passkey("alice", sign_with(&mut device))
        .unwrap();
    let err = w
        .client
        .sign_in_passkey("alice", sign_with(&mut clone))
        .unwrap_err();
    let went_back = "The passkey's signature counter went back.";
    assert_eq!(
        service(&err),
        Some((ErrorKind::NotAuthorized, went_back)),
        "{err}"
    );
    w.client
        .sign_in_passkey("alice", sign_with(&mut device))
        .unwrap();
}
