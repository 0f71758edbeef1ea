//! GetSigningCertificate: the certificate a pool signs SAML requests with, as base64 DER (the
//! PEM's body), as Cognito answers it. The emulator has one: a self-signed certificate of its
//! built-in test key (`auth/emulator-cert.pem`, made with `openssl req -new -x509 -key
//! auth/emulator-key.pem -days 36500 -set_serial 1 -subj "/C=US/O=cognito-flows
//! emulator/CN=cognito-emulator-signing"`), the key whose public half is in every pool's JWKS.

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, no_pool};
use crate::input::field;

/// The certificate, PEM.
const CERT_PEM: &str = include_str!("../auth/emulator-cert.pem");

/// GetSigningCertificate.
pub(crate) fn run(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    if !shared.lock().pools.contains_key(pool_id) {
        return Err(no_pool(pool_id));
    }
    let der: String = CERT_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    Ok(json!({"Certificate": der}))
}
