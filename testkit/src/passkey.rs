//! A software passkey authenticator for WebAuthn tests (feature `passkey`): 1Password's
//! `passkey` client and authenticator, ES256 with "none" attestation, playing the browser
//! (`navigator.credentials.create` / `get` on an origin) and the authenticator (a user always
//! present and verified). Its credential's private key never leaves it.
//!
//! It speaks the JSON that Cognito and browsers exchange: Cognito's `CredentialCreationOptions`
//! and `CREDENTIAL_REQUEST_OPTIONS` in, `RegistrationResponseJSON` and
//! `AuthenticationResponseJSON` (what `PublicKeyCredential.toJSON()` writes) out.
//!
//! ```
//! use cognito_flows_testkit::passkey::SoftwareAuthenticator;
//!
//! let mut device = SoftwareAuthenticator::new("https://app.example.com")?;
//! let options = serde_json::json!({
//!     "challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
//!     "rp": {"id": "example.com", "name": "Example"},
//!     "user": {"id": "YWxpY2U", "name": "alice", "displayName": "alice"},
//!     "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
//! });
//! let registration = device.create(&options)?;
//! assert_eq!(registration["type"], "public-key");
//! # Ok::<(), cognito_flows_testkit::passkey::Error>(())
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use passkey::authenticator::{Authenticator, UiHint, UserCheck, UserValidationMethod};
use passkey::client::{DefaultClientData, DefaultClientDataWithCustomHash};
use passkey::crypto::rust_crypto::RustCryptoBackend;
use passkey::types::Passkey;
use passkey::types::ctap2::{Aaguid, Ctap2Error};
use passkey::types::webauthn::{
    AuthenticatedPublicKeyCredential, CredentialCreationOptions, CredentialRequestOptions,
};
use serde_json::{Value, json};
use sha2::Digest as _;

/// What the authenticator or the client refused, or options it could not read.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A user who is always there and always verified (a fingerprint that always matches).
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

type Client = passkey::client::Client<
    Option<Passkey>,
    AlwaysVerified,
    RustCryptoBackend,
    public_suffix::PublicSuffixList,
    (),
>;

/// A browser on one origin with a platform authenticator holding at most one passkey, whose
/// signature counter grows with each use.
pub struct SoftwareAuthenticator {
    client: Client,
    origin: url::Url,
}

impl std::fmt::Debug for SoftwareAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareAuthenticator")
            .field("origin", &self.origin.as_str())
            .finish_non_exhaustive()
    }
}

fn error(e: impl std::fmt::Debug) -> Error {
    format!("{e:?}").into()
}

impl SoftwareAuthenticator {
    /// An authenticator with no passkey yet, used from `origin` (e.g. `https://app.example.com`).
    pub fn new(origin: &str) -> Result<Self, Error> {
        Self::holding(None, origin)
    }

    fn holding(passkey: Option<Passkey>, origin: &str) -> Result<Self, Error> {
        let mut authenticator = Authenticator::new(
            Aaguid::new_empty(),
            passkey,
            AlwaysVerified,
            RustCryptoBackend,
        );
        authenticator.set_make_credentials_with_signature_counter(true);
        Ok(Self {
            // As browsers do, http://localhost counts as a secure context.
            client: passkey::client::Client::new(authenticator).allows_insecure_localhost(true),
            origin: url::Url::parse(origin)?,
        })
    }

    /// A copy of this authenticator as it is now (its passkey, its counter): what a cloned
    /// device would present.
    pub fn copy(&self) -> Result<Self, Error> {
        Self::holding(
            self.client.authenticator().store().clone(),
            self.origin.as_str(),
        )
    }

    /// `navigator.credentials.create` with Cognito's `CredentialCreationOptions` (the
    /// `publicKey` member): a new passkey, as `RegistrationResponseJSON`.
    pub fn create(&mut self, creation_options: &Value) -> Result<Value, Error> {
        let request = CredentialCreationOptions {
            public_key: serde_json::from_value(creation_options.clone())?,
        };
        let created = futures::executor::block_on(self.client.register(
            &self.origin,
            request,
            DefaultClientData,
        ))
        .map_err(error)?;
        let r = &created.response;
        Ok(json!({
            "id": created.id, "rawId": B64URL.encode(&*created.raw_id), "type": "public-key",
            "response": {
                "clientDataJSON": B64URL.encode(&*r.client_data_json),
                "attestationObject": B64URL.encode(&*r.attestation_object),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform", "clientExtensionResults": {},
        }))
    }

    /// `navigator.credentials.get` with Cognito's `CREDENTIAL_REQUEST_OPTIONS` (JSON text): an
    /// assertion, as `AuthenticationResponseJSON`.
    pub fn get(&mut self, request_options: &str) -> Result<Value, Error> {
        self.assert(request_options, None)
    }

    /// An assertion whose genuine signature covers `client_data_json` instead of the client
    /// data the browser would write: what a compromised browser could send (e.g. claiming
    /// another origin).
    pub fn get_signing(
        &mut self,
        request_options: &str,
        client_data_json: &str,
    ) -> Result<Value, Error> {
        self.assert(request_options, Some(client_data_json))
    }

    fn assert(&mut self, request_options: &str, client_data: Option<&str>) -> Result<Value, Error> {
        let request = CredentialRequestOptions {
            public_key: serde_json::from_str(request_options)?,
        };
        let asserted = match client_data {
            None => futures::executor::block_on(self.client.authenticate(
                &self.origin,
                request,
                DefaultClientData,
            )),
            Some(data) => {
                let hash = sha2::Sha256::digest(data.as_bytes()).to_vec();
                futures::executor::block_on(self.client.authenticate(
                    &self.origin,
                    request,
                    DefaultClientDataWithCustomHash(hash),
                ))
            }
        }
        .map_err(error)?;
        let mut json = assertion_json(&asserted);
        if let Some(data) = client_data {
            json["response"]["clientDataJSON"] = json!(B64URL.encode(data));
        }
        Ok(json)
    }
}

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
