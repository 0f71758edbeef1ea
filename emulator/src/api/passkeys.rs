//! Passkeys (WebAuthn), as Cognito's user pools serve them: registration
//! (`StartWebAuthnRegistration`, `CompleteWebAuthnRegistration`), the user's list
//! (`ListWebAuthnCredentials`, `DeleteWebAuthnCredential`), `GetUserAuthFactors`, and the
//! `WEB_AUTHN` challenge of a `USER_AUTH` sign-in.
//!
//! What is checked, in the order of the WebAuthn specification (level 3, sections 7.1 and 7.2):
//!
//! - registration: `clientDataJSON`'s `type` (`webauthn.create`), its `challenge` (the one
//!   `StartWebAuthnRegistration` issued to this user, single use, expiring), its `origin` (https
//!   on the relying party id or a subdomain of it; `http://localhost` for the id `localhost`),
//!   then the attestation object: `"none"` attestation only, `rpIdHash` = SHA-256 of the pool's
//!   relying party id, the flags (user present always, user verified when the pool requires it,
//!   attested credential data present), and an ES256 public key (COSE EC2, alg -7, P-256) whose
//!   point is on the curve;
//! - sign-in: the credential is one of the user's, `type` `webauthn.get`, the session's
//!   challenge, the origin, `rpIdHash`, the flags, the ECDSA signature over
//!   `authenticatorData || SHA-256(clientDataJSON)`, the user handle, and the signature counter
//!   (it must grow, unless the authenticator keeps none).
//!
//! Every field comes from a client: malformed base64, JSON, CBOR, short or overlong data get
//! Cognito's typed errors, never a panic. The signature check is one P-256 verification
//! (microseconds), so unlike SRP it runs under the state lock. The emulator offers ES256 only
//! (Cognito also offers RS256).

use crate::auth::crypto::{p256_point_is_valid, p256_verify};
use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use ciborium::Value as Cbor;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, NOT_AUTHORIZED, fault};
use crate::input::field;
use crate::model::passkeys::{Passkey, Passkeys, Registration, WebAuthnConfig};
use crate::model::state::{Inner, Session, Stage, Status, User};

/// How long a registration challenge lives, as Cognito's creation options say (`timeout`).
const REGISTRATION_SECONDS: u64 = 300;
/// The most passkeys a user may register (Cognito's quota).
const PASSKEYS_PER_USER: usize = 20;
/// The longest credential id the specification allows.
const MAX_CREDENTIAL_ID: usize = 1023;
/// Cognito's `ListWebAuthnCredentials` page size: 1 to 20.
const MAX_PAGE: u64 = 20;

const INVALID: &str = "InvalidParameterException";
const NOT_SUPPORTED: &str = "WebAuthnCredentialNotSupportedException";

/// The flags byte of authenticator data.
const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
const ATTESTED_DATA: u8 = 0x40;
const EXTENSIONS: u8 = 0x80;

/// Base64url as clients write it: with or without padding.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn invalid(message: impl Into<String>) -> Fault {
    fault(INVALID, message)
}

fn decode(value: Option<&Value>, name: &str) -> Result<Vec<u8>, Fault> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{name} is missing")))?;
    B64URL
        .decode(text)
        .map_err(|_| invalid(format!("{name} is not base64url")))
}

/// A `PublicKeyCredential` as JSON: an object, or a string holding one (as
/// `ChallengeResponses.CREDENTIAL` carries it).
fn credential_json(value: Option<&Value>) -> Result<Value, Fault> {
    let value = match value {
        Some(Value::String(text)) => serde_json::from_str(text)
            .map_err(|_| invalid("The credential is not a PublicKeyCredential JSON"))?,
        Some(object @ Value::Object(_)) => object.clone(),
        _ => return Err(invalid("The credential is missing")),
    };
    if value.get("type").and_then(Value::as_str) != Some("public-key") {
        return Err(invalid("The credential's type is not public-key"));
    }
    Ok(value)
}

/// The credential's id: `rawId` decoded, which `id` must name too.
fn credential_id(credential: &Value) -> Result<Vec<u8>, Fault> {
    let raw = decode(credential.get("rawId"), "rawId")?;
    let id = decode(credential.get("id"), "id")?;
    if raw != id || raw.is_empty() || raw.len() > MAX_CREDENTIAL_ID {
        return Err(invalid("The credential's id and rawId disagree"));
    }
    Ok(raw)
}

/// Whether `origin` may use passkeys of `rp_id`: https on the id or a subdomain of it, or plain
/// http for `localhost` (browsers treat it as a secure context).
fn origin_allowed(origin: &str, rp_id: &str) -> bool {
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let on_rp = host == rp_id
        || host
            .strip_suffix(rp_id)
            .is_some_and(|prefix| prefix.ends_with('.'));
    let secure = url.scheme() == "https" || (url.scheme() == "http" && host == "localhost");
    on_rp && secure && url.path() == "/" && url.query().is_none()
}

/// `clientDataJSON`, checked: its type, its challenge, its origin. Returns its bytes.
fn client_data(
    response: &Value,
    kind: &str,
    challenge: &[u8],
    rp_id: &str,
    wrong_challenge: Fault,
) -> Result<Vec<u8>, Fault> {
    let bytes = decode(response.get("clientDataJSON"), "clientDataJSON")?;
    let data: Value =
        serde_json::from_slice(&bytes).map_err(|_| invalid("clientDataJSON is not JSON"))?;
    if data.get("type").and_then(Value::as_str) != Some(kind) {
        return Err(invalid(format!("clientDataJSON's type is not {kind}")));
    }
    let given = data
        .get("challenge")
        .and_then(Value::as_str)
        .and_then(|c| B64URL.decode(c).ok())
        .unwrap_or_default();
    if !bool::from(given.as_slice().ct_eq(challenge)) {
        return Err(wrong_challenge);
    }
    let origin = data.get("origin").and_then(Value::as_str).unwrap_or("");
    if !origin_allowed(origin, rp_id) || data.get("crossOrigin") == Some(&Value::Bool(true)) {
        return Err(fault(
            "WebAuthnOriginNotAllowedException",
            "The origin of the credential is not allowed for the relying party.",
        ));
    }
    Ok(bytes)
}

/// The fixed part of authenticator data: the relying party hash, the flags and the counter,
/// checked against the pool's relying party and user verification rule.
fn auth_data_head(data: &[u8], rp_id: &str, require_uv: bool) -> Result<(u8, u32), Fault> {
    let (Some(hash), Some(&flags), Some(count)) = (data.get(..32), data.get(32), data.get(33..37))
    else {
        return Err(invalid("authenticatorData is too short"));
    };
    if !bool::from(hash.ct_eq(Sha256::digest(rp_id.as_bytes()).as_slice())) {
        return Err(fault(
            "WebAuthnRelyingPartyMismatchException",
            "The credential's relying party does not match the user pool's.",
        ));
    }
    if flags & USER_PRESENT == 0 {
        return Err(fault(NOT_SUPPORTED, "The user was not present."));
    }
    if require_uv && flags & USER_VERIFIED == 0 {
        return Err(fault(
            NOT_SUPPORTED,
            "The user pool requires user verification.",
        ));
    }
    let count = u32::from_be_bytes(count.try_into().unwrap_or_default());
    Ok((flags, count))
}

/// The integer-keyed entry `key` of a COSE key.
fn cose(map: &[(Cbor, Cbor)], key: i64) -> Option<&Cbor> {
    map.iter()
        .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(key))
        .map(|(_, v)| v)
}

/// An ES256 COSE key (kty EC2, alg -7, crv P-256) as an uncompressed point on the curve.
fn es256_point(key: &Cbor) -> Result<Vec<u8>, Fault> {
    let unsupported = || {
        fault(
            NOT_SUPPORTED,
            "Only ES256 (COSE alg -7, P-256) credentials are supported.",
        )
    };
    let map = key.as_map().ok_or_else(unsupported)?;
    let int = |k| {
        cose(map, k)
            .and_then(Cbor::as_integer)
            .and_then(|i| i64::try_from(i).ok())
    };
    if int(1) != Some(2) || int(3) != Some(-7) || int(-1) != Some(1) {
        return Err(unsupported());
    }
    let coordinate = |k| {
        cose(map, k)
            .and_then(Cbor::as_bytes)
            .filter(|b| b.len() == 32)
            .ok_or_else(unsupported)
    };
    let mut point = vec![0x04];
    point.extend_from_slice(coordinate(-2)?);
    point.extend_from_slice(coordinate(-3)?);
    if !p256_point_is_valid(&point) {
        return Err(invalid("The credential's public key is not a P-256 point"));
    }
    Ok(point)
}

/// What a `"none"` attestation object registers: the credential id and its ES256 key.
fn attested(
    object: &[u8],
    rp_id: &str,
    require_uv: bool,
) -> Result<(Vec<u8>, Vec<u8>, u32), Fault> {
    let malformed = || invalid("attestationObject is not a CBOR attestation object");
    let value: Cbor = ciborium::de::from_reader(object).map_err(|_| malformed())?;
    let map = value.as_map().ok_or_else(malformed)?;
    let entry = |name: &str| {
        map.iter()
            .find(|(k, _)| k.as_text() == Some(name))
            .map(|(_, v)| v)
    };
    match entry("fmt").and_then(Cbor::as_text) {
        Some("none") => {}
        Some(_) => {
            return Err(fault(
                NOT_SUPPORTED,
                "Only \"none\" attestation is supported.",
            ));
        }
        None => return Err(malformed()),
    }
    if entry("attStmt")
        .and_then(Cbor::as_map)
        .is_none_or(|m| !m.is_empty())
    {
        return Err(malformed());
    }
    let data = entry("authData")
        .and_then(Cbor::as_bytes)
        .ok_or_else(malformed)?;
    let (flags, count) = auth_data_head(data, rp_id, require_uv)?;
    if flags & ATTESTED_DATA == 0 {
        return Err(invalid("authenticatorData has no attested credential data"));
    }
    // aaguid (16 bytes), then the credential id's length and the id.
    let short = || invalid("authenticatorData is too short");
    let length = data.get(53..55).ok_or_else(short)?;
    let length = usize::from(u16::from_be_bytes(length.try_into().unwrap_or_default()));
    if length == 0 || length > MAX_CREDENTIAL_ID {
        return Err(invalid("The credential id's length is out of range"));
    }
    let id = data.get(55..55 + length).ok_or_else(short)?.to_vec();
    let mut rest = data.get(55 + length..).unwrap_or_default();
    let key: Cbor = ciborium::de::from_reader(&mut rest)
        .map_err(|_| invalid("The credential public key is not a COSE key"))?;
    if flags & EXTENSIONS == 0 && !rest.is_empty() {
        return Err(invalid("authenticatorData has trailing bytes"));
    }
    Ok((id, es256_point(&key)?, count))
}

/// The user an access token names, and the pool's passkey settings.
fn signed_in(inner: &Inner, body: &Value) -> Result<(String, User, WebAuthnConfig), Fault> {
    let (pool_id, username, _) = inner.access(field(body, "AccessToken")?)?;
    let user = inner.user(&pool_id, &username)?.clone();
    let config = inner
        .pools
        .get(&pool_id)
        .map(|p| p.config.web_authn.clone())
        .unwrap_or_default();
    Ok((pool_id, user, config))
}

fn descriptor(passkey: &Passkey) -> Value {
    json!({"type": "public-key", "id": URL_SAFE_NO_PAD.encode(&passkey.id), "transports": passkey.transports})
}

impl Inner {
    fn passkeys_mut(&mut self, pool_id: &str) -> Result<&mut Passkeys, Fault> {
        self.pools
            .get_mut(pool_id)
            .map(|p| &mut p.passkeys)
            .ok_or_else(|| fault("ResourceNotFoundException", "User pool does not exist."))
    }

    fn passkeys(&self, pool_id: &str, sub: &str) -> Vec<Passkey> {
        self.pools
            .get(pool_id)
            .map(|p| p.passkeys.of(sub).to_vec())
            .unwrap_or_default()
    }

    /// A fresh challenge and the request options (`navigator.credentials.get`'s `publicKey`)
    /// that allow the user's passkeys: the `WEB_AUTHN` challenge's, and the login page's.
    pub(crate) fn assertion_options(&mut self, pool_id: &str, user: &User) -> (Vec<u8>, Value) {
        let config = self
            .pools
            .get(pool_id)
            .map(|p| p.config.web_authn.clone())
            .unwrap_or_default();
        let challenge = self.bytes::<32>().to_vec();
        let allow: Vec<Value> = self
            .passkeys(pool_id, &user.sub)
            .iter()
            .map(descriptor)
            .collect();
        let options = json!({
            "challenge": URL_SAFE_NO_PAD.encode(&challenge), "rpId": config.relying_party_id,
            "allowCredentials": allow, "timeout": crate::model::state::SESSION_SECONDS * 1000,
            "userVerification": if config.require_user_verification { "required" } else { "preferred" },
        });
        (challenge, options)
    }

    /// `USER_AUTH` with `PREFERRED_CHALLENGE=WEB_AUTHN`: the `WEB_AUTHN` challenge, whose
    /// request options allow the user's passkeys. A user without passkeys gets the challenge too
    /// (as does a credential the pool does not know): every assertion is then refused.
    pub(crate) fn web_authn_challenge(
        &mut self,
        pool_id: &str,
        client_id: &str,
        user: &User,
    ) -> Answer {
        if user.status == Status::Unconfirmed {
            return Err(fault("UserNotConfirmedException", "User is not confirmed."));
        }
        let (challenge, options) = self.assertion_options(pool_id, user);
        let session = self.new_session(
            pool_id,
            client_id,
            &user.username,
            None,
            Stage::WebAuthn { challenge },
        );
        Ok(json!({
            "ChallengeName": "WEB_AUTHN", "Session": session,
            "ChallengeParameters": {"USERNAME": user.username, "CREDENTIAL_REQUEST_OPTIONS": options.to_string()},
        }))
    }

    /// The answer to a `WEB_AUTHN` challenge (its session already taken out: one try): the
    /// assertion in `CREDENTIAL`, verified, then tokens.
    pub(crate) fn web_authn_answer(
        &mut self,
        session: Session,
        challenge: &[u8],
        responses: &Value,
    ) -> Answer {
        self.verify_assertion(&session.pool_id, &session.username, challenge, responses)?;
        self.sign_in_done(
            &session.pool_id,
            &session.client_id,
            &session.username,
            session.device_key,
        )
    }

    /// Verifies the assertion in `responses`' `CREDENTIAL` (a `PublicKeyCredential` as JSON)
    /// for `username` and `challenge`, and records its signature counter: the `WEB_AUTHN`
    /// answer's check, and the login page's.
    pub(crate) fn verify_assertion(
        &mut self,
        pool_id: &str,
        username: &str,
        challenge: &[u8],
        responses: &Value,
    ) -> Result<(), Fault> {
        let user = self.user(pool_id, username)?.clone();
        let config = self
            .pools
            .get(pool_id)
            .map(|p| p.config.web_authn.clone())
            .unwrap_or_default();
        let credential = credential_json(responses.get("CREDENTIAL"))?;
        let id = credential_id(&credential)?;
        let Some(passkey) = self
            .passkeys(pool_id, &user.sub)
            .into_iter()
            .find(|k| k.id == id)
        else {
            return Err(fault(
                NOT_AUTHORIZED,
                "The passkey is not registered for the user.",
            ));
        };
        let response = credential.get("response").unwrap_or(&Value::Null);
        let rp_id = passkey.relying_party_id.as_str();
        let client_data = client_data(
            response,
            "webauthn.get",
            challenge,
            rp_id,
            fault(NOT_AUTHORIZED, "The challenge does not match this session."),
        )?;
        let data = decode(response.get("authenticatorData"), "authenticatorData")?;
        let (_, count) = auth_data_head(&data, rp_id, config.require_user_verification)?;
        if let Some(handle) = response.get("userHandle").filter(|h| !h.is_null()) {
            let handle = B64URL
                .decode(handle.as_str().unwrap_or_default())
                .map_err(|_| invalid("userHandle is not base64url"))?;
            if handle != user.sub.as_bytes() {
                return Err(fault(
                    NOT_AUTHORIZED,
                    "The passkey belongs to another user.",
                ));
            }
        }
        let signature = decode(response.get("signature"), "signature")?;
        let mut signed = data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        if !p256_verify(&passkey.public_key, &signed, &signature) {
            return Err(fault(
                NOT_AUTHORIZED,
                "The passkey's signature is not valid.",
            ));
        }
        // A counter that does not grow means a cloned authenticator (both zero: it keeps none).
        if (count != 0 || passkey.sign_count != 0) && count <= passkey.sign_count {
            return Err(fault(
                NOT_AUTHORIZED,
                "The passkey's signature counter went back.",
            ));
        }
        if let Some(stored) = self
            .passkeys_mut(pool_id)?
            .by_user
            .get_mut(&user.sub)
            .and_then(|keys| keys.iter_mut().find(|k| k.id == id))
        {
            stored.sign_count = count;
        }
        Ok(())
    }
}

/// `StartWebAuthnRegistration`: creation options with a fresh challenge, which the next
/// `CompleteWebAuthnRegistration` of this user must sign.
pub(crate) fn start_web_authn_registration(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, user, config) = signed_in(state, body)?;
    let challenge = state.bytes::<32>();
    let expires = state.unix() + REGISTRATION_SECONDS;
    let exclude: Vec<Value> = state
        .passkeys(&pool_id, &user.sub)
        .iter()
        .map(descriptor)
        .collect();
    state
        .passkeys_mut(&pool_id)?
        .pending
        .insert(user.sub.clone(), Registration { challenge, expires });
    let verification = if config.require_user_verification {
        "required"
    } else {
        "preferred"
    };
    Ok(json!({"CredentialCreationOptions": {
        "challenge": URL_SAFE_NO_PAD.encode(challenge),
        "rp": {"id": config.relying_party_id, "name": config.relying_party_id},
        "user": {"id": URL_SAFE_NO_PAD.encode(user.sub.as_bytes()), "name": user.username, "displayName": user.username},
        "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
        "timeout": REGISTRATION_SECONDS * 1000,
        "excludeCredentials": exclude,
        "authenticatorSelection": {"residentKey": "required", "requireResidentKey": true, "userVerification": verification},
        "attestation": "none",
    }}))
}

/// `CompleteWebAuthnRegistration`: verifies the authenticator's attestation against the
/// pending challenge (consumed either way) and stores the passkey.
pub(crate) fn complete_web_authn_registration(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, user, config) = signed_in(state, body)?;
    let now = state.unix();
    let pending = state.passkeys_mut(&pool_id)?.pending.remove(&user.sub);
    let not_found = || {
        fault(
            "WebAuthnChallengeNotFoundException",
            "The registration challenge was not found or has expired.",
        )
    };
    let pending = pending.filter(|p| p.expires >= now).ok_or_else(not_found)?;
    let credential = credential_json(body.get("Credential"))?;
    let id = credential_id(&credential)?;
    let response = credential.get("response").unwrap_or(&Value::Null);
    let rp_id = config.relying_party_id.as_str();
    client_data(
        response,
        "webauthn.create",
        &pending.challenge,
        rp_id,
        not_found(),
    )?;
    let object = decode(response.get("attestationObject"), "attestationObject")?;
    let (attested_id, public_key, sign_count) =
        attested(&object, rp_id, config.require_user_verification)?;
    if attested_id != id {
        return Err(invalid(
            "The attested credential id is not the credential's id",
        ));
    }
    let taken = state
        .pools
        .get(&pool_id)
        .is_some_and(|p| p.passkeys.by_user.values().flatten().any(|k| k.id == id));
    if taken {
        return Err(invalid("The credential is already registered."));
    }
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .take(8)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let transports = strings(response.get("transports"));
    let attachment = credential
        .get("authenticatorAttachment")
        .and_then(Value::as_str)
        .filter(|a| matches!(*a, "platform" | "cross-platform"))
        .map(str::to_owned);
    let store = state.passkeys_mut(&pool_id)?;
    let keys = store.by_user.entry(user.sub.clone()).or_default();
    if keys.len() >= PASSKEYS_PER_USER {
        return Err(fault(
            "LimitExceededException",
            "The user has the most passkeys allowed.",
        ));
    }
    keys.push(Passkey {
        name: format!("Passkey {}", keys.len() + 1),
        id,
        public_key,
        sign_count,
        relying_party_id: config.relying_party_id,
        attachment,
        transports,
        created: now,
    });
    Ok(json!({}))
}

/// `ListWebAuthnCredentials`: a page of the user's passkeys, oldest first. `NextToken` is
/// the id of the first passkey of the next page.
pub(crate) fn list_web_authn_credentials(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, user, _) = signed_in(state, body)?;
    let page = match body.get("MaxResults") {
        None | Some(Value::Null) => MAX_PAGE,
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| invalid("MaxResults must be between 1 and 20"))?,
    };
    let keys = state.passkeys(&pool_id, &user.sub);
    let start = match body.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(token) => keys
            .iter()
            .position(|k| URL_SAFE_NO_PAD.encode(&k.id) == token)
            .ok_or_else(|| invalid("Invalid NextToken"))?,
    };
    let end = keys
        .len()
        .min(start + usize::try_from(page).unwrap_or(usize::MAX));
    let credentials: Vec<Value> = keys
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|k| {
            let mut d = json!({
                "CredentialId": URL_SAFE_NO_PAD.encode(&k.id), "FriendlyCredentialName": k.name,
                "RelyingPartyId": k.relying_party_id, "AuthenticatorTransports": k.transports,
                "CreatedAt": k.created,
            });
            if let Some(attachment) = &k.attachment {
                d["AuthenticatorAttachment"] = json!(attachment);
            }
            d
        })
        .collect();
    let mut answer = json!({ "Credentials": credentials });
    if let Some(next) = keys.get(end) {
        answer["NextToken"] = json!(URL_SAFE_NO_PAD.encode(&next.id));
    }
    Ok(answer)
}

/// `DeleteWebAuthnCredential`: one of the user's passkeys, by its id.
pub(crate) fn delete_web_authn_credential(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, user, _) = signed_in(state, body)?;
    let id = field(body, "CredentialId")?.to_owned();
    let keys = state
        .passkeys_mut(&pool_id)?
        .by_user
        .entry(user.sub.clone())
        .or_default();
    let before = keys.len();
    keys.retain(|k| URL_SAFE_NO_PAD.encode(&k.id) != id);
    if keys.len() == before {
        return Err(fault(
            "ResourceNotFoundException",
            "The credential was not found.",
        ));
    }
    Ok(json!({}))
}

/// `GetUserAuthFactors`: the user's MFA settings and sign-in factors: `PASSWORD` (every
/// emulated user has one), `EMAIL_OTP` / `SMS_OTP` with a verified email / phone number, and
/// `WEB_AUTHN` once a passkey is registered, each when the pool allows it as a first factor.
pub(crate) fn get_user_auth_factors(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, user, _) = signed_in(state, body)?;
    Ok(state.auth_factors_answer(&pool_id, &user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_secure_and_on_the_relying_party() {
        assert!(origin_allowed("https://example.com", "example.com"));
        assert!(origin_allowed("https://app.example.com", "example.com"));
        assert!(origin_allowed("http://localhost:3000", "localhost"));
        assert!(!origin_allowed("http://example.com", "example.com"));
        assert!(!origin_allowed("https://badexample.com", "example.com"));
        assert!(!origin_allowed(
            "https://example.com.evil.test",
            "example.com"
        ));
        assert!(!origin_allowed("not a url", "example.com"));
        assert!(!origin_allowed("https://example.com/path", "example.com"));
    }
}
