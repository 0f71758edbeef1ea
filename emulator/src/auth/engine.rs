//! The sign-in engine (InitiateAuth, RespondToAuthChallenge and their admin twins) and the
//! lookups and checks every operation shares: clients, secret hashes, users, sessions, access and
//! refresh tokens, revocation, codes, token issuing.
//!
//! The state lock is held for bookkeeping only. Each sign-in step that needs SRP maths runs in
//! three phases: under the lock it reads what the maths needs, without the lock it computes, under
//! the lock again it records the outcome. Tokens are built under the lock as claims and signed
//! after it is released ([`sign_tokens`]).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{KeyInit, Mac};
use num_bigint::BigUint;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::auth::custom;
use crate::auth::jwt::Signer;
use crate::auth::shared::Shared;
use crate::auth::srp;
use crate::auth::totp;
use crate::fault::{
    Answer, BAD_CREDENTIALS, Fault, INVALID_SESSION, NOT_AUTHORIZED, fault, internal, no_device,
    no_pool, user_not_found,
};
use crate::input::{field, param};
use crate::model::state::{
    AccessToken, CODE_ATTEMPTS, ChallengeResult, Client, Code, Credential, Device, DeviceTracking,
    Inner, Message, Mfa, Pool, PoolConfig, RefreshToken, SESSION_SECONDS, Session, Stage, Status,
    User,
};

/// Consecutive wrong passwords before the temporary lockout.
const PASSWORD_ATTEMPTS: u32 = 5;

pub(crate) fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut m = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(username.as_bytes());
    m.update(client_id.as_bytes());
    BASE64.encode(m.finalize().into_bytes())
}

fn hmac256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// The realm of SRP: the pool id's part after the region.
pub(crate) fn realm(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or("", |(_, n)| n)
}

/// Replaces the claims that [`Inner::issue`] left in `AuthenticationResult` by signed tokens.
pub(crate) fn sign_tokens(signer: &Signer, answer: &mut Value) -> Result<(), Fault> {
    if let Some(result) = answer.get_mut("AuthenticationResult") {
        for name in ["AccessToken", "IdToken"] {
            if let Some(claims) = result.get(name).filter(|c| c.is_object()) {
                let token = signer.sign(claims).map_err(internal)?;
                result[name] = Value::String(token);
            }
        }
    }
    Ok(())
}

/// Whose new password [`prepare`] derives.
pub(crate) enum Who {
    /// `ClientId` and `Username` in the body.
    Named,
    /// The `AccessToken` in the body.
    Token,
}

/// The credential for the password in `body[password_field]`, derived without the lock (the user
/// is resolved and the salt drawn under a short lock first). `None` when the body names no
/// password; the operation then reports what is missing.
pub(crate) fn prepare(
    shared: &Shared,
    body: &Value,
    password_field: &str,
    who: Who,
) -> Option<Credential> {
    let password = body.get(password_field).and_then(Value::as_str)?;
    let (pool_id, username, salt) = {
        let mut state = shared.lock();
        let (pool_id, username) = match who {
            Who::Named => {
                let client_id = body.get("ClientId").and_then(Value::as_str)?;
                let name = body.get("Username").and_then(Value::as_str)?;
                let (pool_id, _) = state.client(client_id).ok()?;
                let username = state
                    .pools
                    .get(&pool_id)
                    .and_then(|p| p.find(name))
                    .map_or_else(|| name.to_owned(), |u| u.username.clone());
                (pool_id, username)
            }
            Who::Token => {
                let token = body.get("AccessToken").and_then(Value::as_str)?;
                let (pool_id, username, _) = state.access(token).ok()?;
                (pool_id, username)
            }
        };
        (pool_id, username, state.bytes::<16>())
    };
    Some(srp::credential(realm(&pool_id), &username, password, salt))
}

impl Inner {
    /// The pool and client of a `ClientId`.
    pub(crate) fn client(&self, client_id: &str) -> Result<(String, Client), Fault> {
        self.pool_of_client(client_id)
            .and_then(|p| p.clients.get(client_id).map(|c| (p.id.clone(), c.clone())))
            .ok_or_else(|| {
                fault(
                    "ResourceNotFoundException",
                    "User pool client does not exist.",
                )
            })
    }

    /// The pool that has the app client `client_id`.
    pub(crate) fn pool_of_client(&self, client_id: &str) -> Option<&crate::model::state::Pool> {
        self.pools
            .values()
            .find(|p| p.clients.contains_key(client_id))
    }

    pub(crate) fn check_secret_hash(
        &self,
        client_id: &str,
        username: &str,
        given: Option<&str>,
    ) -> Result<(), Fault> {
        let (_, client) = self.client(client_id)?;
        if client.info.secret.is_none() {
            return Ok(());
        }
        // Any of the client's secrets (two while one is rotated out) makes a good hash.
        let right = |given: &str| {
            client.any_secret(|secret| {
                let expected = secret_hash(secret, username, client_id);
                bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
            })
        };
        match given {
            Some(given) if right(given) => Ok(()),
            Some(_) => Err(fault(
                NOT_AUTHORIZED,
                format!("Unable to verify secret hash for client {client_id}"),
            )),
            None => Err(fault(
                NOT_AUTHORIZED,
                format!(
                    "Client {client_id} is configured with secret but SECRET_HASH was not received"
                ),
            )),
        }
    }

    /// The pool `pool_id`, or [`no_pool`].
    pub(crate) fn pool_by_id(&self, pool_id: &str) -> Result<&Pool, Fault> {
        self.pools.get(pool_id).ok_or_else(|| no_pool(pool_id))
    }

    /// The pool `pool_id` to change, or [`no_pool`].
    pub(crate) fn pool_by_id_mut(&mut self, pool_id: &str) -> Result<&mut Pool, Fault> {
        self.pools.get_mut(pool_id).ok_or_else(|| no_pool(pool_id))
    }

    /// The device `key` of `username` in the pool `pool_id`, or [`no_device`].
    pub(crate) fn device(
        &self,
        pool_id: &str,
        username: &str,
        key: &str,
    ) -> Result<&Device, Fault> {
        self.pools
            .get(pool_id)
            .and_then(|p| p.devices.get(key))
            .filter(|d| d.username == username)
            .ok_or_else(no_device)
    }

    /// A copy of [`Inner::device`] when the device is confirmed (it has a verifier), else
    /// [`no_device`].
    fn confirmed_device(&self, pool_id: &str, username: &str, key: &str) -> Result<Device, Fault> {
        self.device(pool_id, username, key)
            .ok()
            .filter(|d| d.verifier != BigUint::ZERO)
            .cloned()
            .ok_or_else(no_device)
    }

    /// The device `key` of `username` in the pool `pool_id` to change, or [`no_device`].
    pub(crate) fn device_mut(
        &mut self,
        pool_id: &str,
        username: &str,
        key: &str,
    ) -> Result<&mut Device, Fault> {
        self.pools
            .get_mut(pool_id)
            .and_then(|p| p.devices.get_mut(key))
            .filter(|d| d.username == username)
            .ok_or_else(no_device)
    }

    pub(crate) fn user(&self, pool_id: &str, name: &str) -> Result<&User, Fault> {
        self.pools
            .get(pool_id)
            .and_then(|p| p.find(name))
            .ok_or_else(user_not_found)
    }

    pub(crate) fn user_mut(&mut self, pool_id: &str, username: &str) -> Result<&mut User, Fault> {
        self.pools
            .get_mut(pool_id)
            .and_then(|p| p.users.get_mut(username))
            .ok_or_else(user_not_found)
    }

    /// `pre` when it was derived for `username`, else a credential derived now (under the lock:
    /// only when the user changed between the two locks).
    pub(crate) fn credential_for(
        &mut self,
        pool_id: &str,
        username: &str,
        password: &str,
        pre: Option<Credential>,
    ) -> Credential {
        match pre {
            Some(c) if c.identity == username => c,
            _ => {
                let salt = self.bytes::<16>();
                srp::credential(realm(pool_id), username, password, salt)
            }
        }
    }

    pub(crate) fn new_session(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        device_key: Option<String>,
        stage: Stage,
    ) -> String {
        self.prune();
        let id = self.token();
        let expires = self.unix() + SESSION_SECONDS;
        self.sessions.insert(
            id.clone(),
            Session {
                pool_id: pool_id.into(),
                client_id: client_id.into(),
                username: username.into(),
                device_key,
                stage,
                expires,
                attempts: 0,
            },
        );
        id
    }

    /// A live session of `client_id`, left in place. Expired sessions are removed.
    pub(crate) fn live_session(&mut self, id: &str, client_id: &str) -> Result<&Session, Fault> {
        let now = self.unix();
        if self.sessions.get(id).is_some_and(|s| s.expires < now) {
            self.sessions.remove(id);
            return Err(fault(
                NOT_AUTHORIZED,
                "Invalid session for the user, session is expired.",
            ));
        }
        self.sessions
            .get(id)
            .filter(|s| s.client_id == client_id)
            .ok_or_else(|| fault(NOT_AUTHORIZED, INVALID_SESSION))
    }

    /// A signed-in user's access token: its pool and user name. The caller checked the token's
    /// signature (`api::dispatch` does it for every `AccessToken`, the OAuth endpoints for bearers).
    pub(crate) fn access(&self, token: &str) -> Result<(String, String, AccessToken), Fault> {
        let invalid = || fault(NOT_AUTHORIZED, "Invalid Access Token");
        let jti = crate::auth::jwt::claims(token)
            .and_then(|c| c.get("jti").and_then(Value::as_str).map(str::to_owned))
            .ok_or_else(invalid)?;
        let t = self.access_tokens.get(&jti).ok_or_else(invalid)?;
        if t.revoked {
            return Err(fault(NOT_AUTHORIZED, "Access Token has been revoked"));
        }
        if t.expires <= self.unix() {
            return Err(fault(NOT_AUTHORIZED, "Access Token has expired"));
        }
        let user = self
            .pools
            .get(&t.pool_id)
            .and_then(|p| p.by_sub(&t.sub))
            .ok_or_else(invalid)?;
        if t.seq <= user.signed_out_seq {
            return Err(fault(NOT_AUTHORIZED, "Access Token has been revoked"));
        }
        Ok((t.pool_id.clone(), user.username.clone(), t.clone()))
    }

    /// The one revocation check of refresh tokens (InitiateAuth and `/oauth2/token`): the token
    /// exists, belongs to the client, is not revoked, and its user still exists and has not
    /// signed out since. Returns the record and the user's name.
    pub(crate) fn refresh_record(
        &self,
        token: &str,
        client_id: &str,
    ) -> Result<(RefreshToken, String), Fault> {
        let invalid = || fault(NOT_AUTHORIZED, "Invalid Refresh Token");
        let record = self
            .refresh_tokens
            .get(&self.refresh_key(token))
            .filter(|r| r.client_id == client_id)
            .ok_or_else(invalid)?;
        let user = self
            .pools
            .get(&record.pool_id)
            .and_then(|p| p.by_sub(&record.sub))
            .ok_or_else(invalid)?;
        if record.revoked || record.seq <= user.signed_out_seq {
            return Err(fault(NOT_AUTHORIZED, "Refresh Token has been revoked"));
        }
        // Past the client's refresh token validity, counted from the sign-in (kept by rotated
        // tokens; tokens stored before `created` existed do not expire).
        let validity = self
            .pools
            .get(&record.pool_id)
            .and_then(|p| p.issuing_client(client_id))
            .map(|c| c.settings.token_validity.refresh.as_secs());
        if record.created != 0
            && validity.is_none_or(|v| record.created.saturating_add(v) <= self.unix())
        {
            return Err(fault(NOT_AUTHORIZED, "Refresh Token has expired"));
        }
        crate::rules::check_enabled(user)?;
        crate::auth::refresh::check_grace(self, record)?;
        Ok((record.clone(), user.username.clone()))
    }

    /// Revokes a refresh token and every access token issued from it.
    pub(crate) fn revoke_refresh(&mut self, token: &str) {
        let key = self.refresh_key(token);
        if let Some(record) = self.refresh_tokens.get_mut(&key) {
            record.revoked = true;
        }
        for t in self.access_tokens.values_mut() {
            if t.refresh.as_deref() == Some(key.as_str()) {
                t.revoked = true;
            }
        }
    }

    /// Deletes a user with every token, session and device of theirs (DeleteUser,
    /// AdminDeleteUser): a new user of the same name starts with nothing.
    pub(crate) fn remove_user(&mut self, pool_id: &str, username: &str) -> Result<(), Fault> {
        let pool = self
            .pools
            .get_mut(pool_id)
            .ok_or_else(|| fault("ResourceNotFoundException", "User pool does not exist."))?;
        let user = pool.users.remove(username).ok_or_else(user_not_found)?;
        pool.devices.retain(|_, d| d.username != username);
        pool.passkeys.forget(&user.sub);
        self.refresh_tokens.retain(|_, r| r.sub != user.sub);
        self.access_tokens.retain(|_, t| t.sub != user.sub);
        self.sessions
            .retain(|_, s| s.pool_id != pool_id || s.username != username);
        Ok(())
    }

    /// Checks `given` against a code sent earlier: a match consumes it; a wrong guess counts, and
    /// the last allowed one invalidates the code (`LimitExceededException`).
    pub(crate) fn check_code(slot: &mut Option<Code>, given: &str) -> Result<(), Fault> {
        let Some(code) = slot.as_mut() else {
            return Err(fault(
                "ExpiredCodeException",
                "Invalid code provided, please request a code again.",
            ));
        };
        if bool::from(code.value.as_bytes().ct_eq(given.trim().as_bytes())) {
            *slot = None;
            return Ok(());
        }
        code.failures += 1;
        if code.failures >= CODE_ATTEMPTS {
            *slot = None;
            return Err(fault(
                "LimitExceededException",
                "Attempt limit exceeded, please try after some time.",
            ));
        }
        Err(fault(
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        ))
    }

    /// The outcome of a password check, with Cognito's attempt limit: after
    /// [`PASSWORD_ATTEMPTS`] wrong passwords in a row the user is locked out for a second,
    /// doubling with each further failure (at most 15 minutes), on the emulator's clock.
    pub(crate) fn password_outcome(
        &mut self,
        pool_id: &str,
        username: &str,
        right: bool,
    ) -> Result<(), Fault> {
        let now = self.unix();
        let user = self.user_mut(pool_id, username)?;
        crate::rules::check_enabled(user)?;
        // AdminDisableProviderForUser turned the user's password sign-in off.
        if user.password_disabled {
            return Err(fault(NOT_AUTHORIZED, BAD_CREDENTIALS));
        }
        if user.locked_until > now {
            return Err(fault(NOT_AUTHORIZED, "Password attempts exceeded"));
        }
        if right {
            user.failed_passwords = 0;
            return Ok(());
        }
        user.failed_passwords += 1;
        if user.failed_passwords >= PASSWORD_ATTEMPTS {
            let doubling = (user.failed_passwords - PASSWORD_ATTEMPTS).min(10);
            user.locked_until = now + (1u64 << doubling).min(900);
        }
        Err(fault(NOT_AUTHORIZED, BAD_CREDENTIALS))
    }

    /// Sends a code: to the phone when `prefer_sms` and there is one, else to the email, else to
    /// the phone. `Err` when the user has neither.
    pub(crate) fn send_code(
        &mut self,
        pool_id: &str,
        username: &str,
        purpose: &str,
        prefer_sms: bool,
    ) -> (Code, Value) {
        let fixed = self
            .pools
            .get(pool_id)
            .and_then(|p| p.config.fixed_code.clone());
        let code = match fixed {
            Some(code) => code,
            None => self.code(),
        };
        let attrs = self
            .pools
            .get(pool_id)
            .and_then(|p| p.users.get(username))
            .map(|u| u.attributes.clone())
            .unwrap_or_default();
        let (medium, attribute, destination) =
            destination(&attrs, prefer_sms).unwrap_or(("EMAIL", "email", String::new()));
        if self.log_codes {
            eprintln!(
                "cognito-emulator: {purpose} code for {username} in {pool_id} by {medium} to {destination:?}: {code}"
            );
        }
        self.send_message(Message {
            pool_id: pool_id.into(),
            username: username.into(),
            medium: medium.into(),
            destination: destination.clone(),
            purpose: purpose.into(),
            code: code.clone(),
            ..Message::default()
        });
        (
            Code {
                value: code,
                failures: 0,
            },
            json!({"Destination": mask(&destination), "DeliveryMedium": medium, "AttributeName": attribute}),
        )
    }

    /// The tokens of a sign-in or a refresh, as claims: [`sign_tokens`] signs them once the lock
    /// is released. A refresh (`refresh` given) issues no new refresh token.
    pub(crate) fn issue(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        refresh: Option<String>,
        device_key: Option<&str>,
    ) -> Answer {
        self.prune();
        let now = self.unix();
        let user = self.user(pool_id, username)?.clone();
        // Every issue of tokens checks the user: one disabled in the middle of a sign-in (a
        // challenge answered, a code exchanged after AdminDisableUser) gets none.
        crate::rules::check_enabled(&user)?;
        let settings = self
            .pools
            .get(pool_id)
            .and_then(|p| p.issuing_client(client_id))
            .map(|c| c.settings.clone())
            .unwrap_or_default();
        let validity = settings.token_validity;
        let (access_exp, id_exp) = (now + validity.access.as_secs(), now + validity.id.as_secs());
        let seq = self.next_seq();
        let issuer = aws_issuer(pool_id);
        let (jti, id_jti) = (self.uuid(), self.uuid());
        // A refresh keeps the sign-in's `origin_jti` (Cognito does) and its OAuth scopes.
        let fresh_origin = self.uuid();
        let record = refresh
            .as_ref()
            .and_then(|t| self.refresh_tokens.get(&self.refresh_key(t)));
        let scope = record.and_then(|r| r.scope.clone());
        let origin = record
            .map(|r| r.origin_jti.clone())
            .filter(|o| !o.is_empty())
            .unwrap_or(fresh_origin);
        let mut access = json!({
            "sub": user.sub, "iss": issuer, "client_id": client_id, "origin_jti": origin,
            "event_id": self.uuid(), "token_use": "access", "scope": "aws.cognito.signin.user.admin",
            "auth_time": now, "exp": access_exp, "iat": now, "jti": jti, "username": user.username,
        });
        if let Some(key) = device_key {
            access["device_key"] = json!(key);
        }
        if let Some(scope) = &scope {
            access["scope"] = json!(scope);
        }
        let mut id = json!({
            "sub": user.sub, "iss": issuer, "aud": client_id, "origin_jti": origin, "event_id": self.uuid(),
            "token_use": "id", "auth_time": now, "exp": id_exp, "iat": now, "jti": id_jti,
            "cognito:username": user.username,
        });
        for (k, v) in &user.attributes {
            // Attributes never overwrite the token's own claims; the client's ReadAttributes
            // choose what the id token shows.
            if id.get(k.as_str()).is_some() || !settings.may_read(k) {
                continue;
            }
            // The linked identities: a list in the token, its values as text (Cognito's).
            if k == "identities" {
                id[k.as_str()] = identities_claim(v);
                continue;
            }
            // `True` (any case) is true, as Cognito reads it.
            id[k.as_str()] = match v.as_str() {
                v if k.ends_with("_verified") && v.eq_ignore_ascii_case("true") => json!(true),
                v if k.ends_with("_verified") && v.eq_ignore_ascii_case("false") => json!(false),
                other => json!(other),
            };
        }
        crate::auth::claims::add_claims(self.pools.get(pool_id), &user, &mut access, &mut id);
        let new_refresh = match &refresh {
            Some(_) => None,
            None => {
                let token = self.token();
                self.refresh_tokens.insert(
                    crate::model::state::refresh_hash(&token),
                    RefreshToken {
                        pool_id: pool_id.into(),
                        client_id: client_id.into(),
                        sub: user.sub.clone(),
                        seq,
                        revoked: false,
                        rotated_at: None,
                        origin_jti: origin.clone(),
                        scope: None,
                        created: now,
                        last_active: now,
                        sso: None,
                    },
                );
                Some(token)
            }
        };
        // A refresh is activity of the sign-in's session (`LastActiveDate`).
        if let Some(key) = refresh.as_deref().map(|t| self.refresh_key(t))
            && let Some(record) = self.refresh_tokens.get_mut(&key)
        {
            record.last_active = now;
        }
        let refresh_key = refresh
            .as_deref()
            .map(|t| self.refresh_key(t))
            .or(new_refresh
                .as_deref()
                .map(crate::model::state::refresh_hash));
        self.access_tokens.insert(
            jti,
            AccessToken {
                pool_id: pool_id.into(),
                sub: user.sub.clone(),
                seq,
                expires: access_exp,
                revoked: false,
                refresh: refresh_key,
            },
        );
        let mut result = json!({"AccessToken": access, "IdToken": id, "ExpiresIn": validity.access.as_secs(), "TokenType": "Bearer"});
        if let Some(token) = new_refresh {
            result["RefreshToken"] = json!(token);
        }
        Ok(result)
    }

    /// After the password (or the device) is proven: the next challenge, or tokens.
    pub(crate) fn after_password(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        device_key: Option<String>,
        device_proven: bool,
    ) -> Answer {
        let (config, user) = {
            let pool = self
                .pools
                .get(pool_id)
                .ok_or_else(|| fault("ResourceNotFoundException", "User pool does not exist."))?;
            (pool.config.clone(), self.user(pool_id, username)?.clone())
        };
        let challenge = |name: &str, session: String, params: Value| json!({"ChallengeName": name, "Session": session, "ChallengeParameters": params});
        // A remembered, confirmed device proves itself with device SRP first, and then stands
        // in for MFA (ChallengeRequiredOnNewDevice). A device confirmed and never remembered
        // (UserConfirmationNecessary, no UpdateDeviceStatus) or not remembered is a new device.
        if !device_proven
            && let Some(key) = &device_key
            && let Some(device) = self.pools.get(pool_id).and_then(|p| p.devices.get(key))
            && device.username == user.username
            && device.verifier != BigUint::ZERO
            && device.remembered == Some(true)
        {
            let session = self.new_session(
                pool_id,
                client_id,
                username,
                device_key.clone(),
                Stage::DeviceSrp {
                    device_key: key.clone(),
                },
            );
            return Ok(challenge(
                "DEVICE_SRP_AUTH",
                session,
                json!({"USERNAME": username}),
            ));
        }
        if user.status == Status::ForceChangePassword {
            self.check_temporary_password(&config, &user)?;
            let attrs: BTreeMap<_, _> = user
                .attributes
                .iter()
                .filter(|(k, _)| k.as_str() != "sub")
                .collect();
            let session =
                self.new_session(pool_id, client_id, username, device_key, Stage::NewPassword);
            return Ok(challenge(
                "NEW_PASSWORD_REQUIRED",
                session,
                json!({"USERNAME": username, "userAttributes": serde_json::to_string(&attrs).unwrap_or_default(), "requiredAttributes": "[]"}),
            ));
        }
        if device_proven {
            return self.sign_in_done(pool_id, client_id, username, device_key);
        }
        match mfa_step(&config, &user) {
            MfaStep::None => {}
            MfaStep::Method(method) => {
                return self.mfa_challenge(pool_id, client_id, username, device_key, &method);
            }
            MfaStep::Select(methods) => {
                let choose = serde_json::to_string(&methods).unwrap_or_default();
                let session = self.new_session(
                    pool_id,
                    client_id,
                    username,
                    device_key,
                    Stage::SelectMfa { methods },
                );
                return Ok(challenge(
                    "SELECT_MFA_TYPE",
                    session,
                    json!({"USERNAME": username, "MFAS_CAN_CHOOSE": choose}),
                ));
            }
            MfaStep::Setup => {
                let session =
                    self.new_session(pool_id, client_id, username, device_key, Stage::MfaSetup);
                return Ok(challenge(
                    "MFA_SETUP",
                    session,
                    json!({"USERNAME": username, "MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"}),
                ));
            }
        }
        self.sign_in_done(pool_id, client_id, username, device_key)
    }

    /// Refuses a temporary password past the pool's TemporaryPasswordValidityDays (0: never).
    pub(crate) fn check_temporary_password(
        &self,
        config: &PoolConfig,
        user: &User,
    ) -> Result<(), Fault> {
        let days = u64::from(config.settings.temporary_password_validity_days);
        let since = if user.temporary_since == 0 {
            user.created
        } else {
            user.temporary_since
        };
        if days > 0 && since.saturating_add(days * 86_400) <= self.unix() {
            return Err(fault(
                NOT_AUTHORIZED,
                "Temporary password has expired and must be reset by an administrator.",
            ));
        }
        Ok(())
    }

    /// The challenge of one MFA method (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`), a code
    /// sent for the first and the last.
    fn mfa_challenge(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        device_key: Option<String>,
        method: &str,
    ) -> Answer {
        let mut params = json!({"USERNAME": username});
        let stage = match method {
            "SOFTWARE_TOKEN_MFA" => {
                let name = self.user(pool_id, username)?.totp_name.clone();
                if let Some(name) = name {
                    params["FRIENDLY_DEVICE_NAME"] = json!(name);
                }
                Stage::TotpMfa
            }
            "SMS_MFA" | "EMAIL_OTP" => {
                let sms = method == "SMS_MFA";
                let (code, delivery) = self.send_code(pool_id, username, method, sms);
                params["CODE_DELIVERY_DELIVERY_MEDIUM"] = delivery["DeliveryMedium"].clone();
                params["CODE_DELIVERY_DESTINATION"] = delivery["Destination"].clone();
                if sms {
                    Stage::SmsMfa { code: code.value }
                } else {
                    Stage::EmailOtp { code: code.value }
                }
            }
            other => {
                return Err(fault(
                    "InvalidParameterException",
                    format!("{other} is not an MFA method of this user."),
                ));
            }
        };
        let session = self.new_session(pool_id, client_id, username, device_key, stage);
        Ok(json!({"ChallengeName": method, "Session": session, "ChallengeParameters": params}))
    }

    /// Tokens at the end of a sign-in, with `NewDeviceMetadata` when the pool tracks devices and
    /// the sign-in named no known device.
    pub(crate) fn sign_in_done(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        device_key: Option<String>,
    ) -> Answer {
        let config = self
            .pools
            .get(pool_id)
            .map(|p| p.config.clone())
            .unwrap_or_default();
        let known_device = device_key.as_ref().is_some_and(|k| {
            self.pools
                .get(pool_id)
                .and_then(|p| p.devices.get(k))
                .is_some_and(|d| d.username == username)
        });
        let mut result = self.issue(
            pool_id,
            client_id,
            username,
            None,
            device_key.as_deref().filter(|_| known_device),
        )?;
        if config.device_tracking != DeviceTracking::Off && !known_device {
            let region = self.region.clone();
            let key = format!("{region}_{}", self.uuid());
            let group = format!("-{}", self.alnum(9));
            let now = self.unix();
            if let Some(pool) = self.pools.get_mut(pool_id) {
                pool.devices.insert(
                    key.clone(),
                    Device {
                        key: key.clone(),
                        group_key: group.clone(),
                        username: username.into(),
                        name: None,
                        salt: Vec::new(),
                        verifier: BigUint::ZERO,
                        remembered: None,
                        created: now,
                        last_authenticated: now,
                    },
                );
            }
            result["NewDeviceMetadata"] = json!({"DeviceKey": key, "DeviceGroupKey": group});
        }
        if let Some(key) = device_key.filter(|_| known_device) {
            let now = self.unix();
            if let Some(device) = self
                .pools
                .get_mut(pool_id)
                .and_then(|p| p.devices.get_mut(&key))
            {
                device.last_authenticated = now;
            }
        }
        Ok(json!({"AuthenticationResult": result, "ChallengeParameters": {}}))
    }

    fn check_timestamp(&self, timestamp: &str) -> Result<(), Fault> {
        let format = time::macros::format_description!(
            "[weekday repr:short] [month repr:short] [day padding:none] [hour]:[minute]:[second] UTC [year]"
        );
        let parsed = time::PrimitiveDateTime::parse(timestamp, format)
            .map_err(|_| fault(NOT_AUTHORIZED, "Invalid TIMESTAMP"))?
            .assume_utc()
            .unix_timestamp();
        let now = i64::try_from(self.unix()).unwrap_or(i64::MAX);
        if (parsed - now).abs() > 300 {
            return Err(fault(
                NOT_AUTHORIZED,
                "TIMESTAMP is more than 5 minutes away from the server's clock",
            ));
        }
        Ok(())
    }

    /// The user named by `USERNAME`, once `SECRET_HASH` checks out. `Ok(None)`: no such user,
    /// and the client prevents user existence errors.
    fn signing_in(
        &self,
        pool_id: &str,
        client: &Client,
        params: &Value,
    ) -> Result<Option<User>, Fault> {
        let name = param(params, "USERNAME")?;
        self.check_secret_hash(
            &client.info.id,
            name,
            params.get("SECRET_HASH").and_then(Value::as_str),
        )?;
        match self.user(pool_id, name) {
            Ok(user) => {
                crate::rules::check_enabled(user)?;
                Ok(Some(user.clone()))
            }
            Err(_) if client.prevent_user_existence_errors => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The first step of InitiateAuth: done, or an SRP challenge to compute.
    fn initiate(&mut self, body: &Value, admin: bool) -> Result<Step<SrpStart>, Fault> {
        let client_id = field(body, "ClientId")?.to_owned();
        let flow = field(body, "AuthFlow")?;
        let params = body.get("AuthParameters").cloned().unwrap_or(json!({}));
        let (pool_id, client) = self.client(&client_id)?;
        crate::rules::check_auth_flow(&client, flow, admin)?;
        let not_found = || fault(NOT_AUTHORIZED, BAD_CREDENTIALS);
        match flow {
            "CUSTOM_AUTH" => {
                let user = self
                    .signing_in(&pool_id, &client, &params)?
                    .ok_or_else(not_found)?;
                // Refused before any trigger runs, as in the other flows.
                if user.status == Status::Unconfirmed {
                    return Err(fault("UserNotConfirmedException", "User is not confirmed."));
                }
                if self
                    .pools
                    .get(&pool_id)
                    .and_then(|p| p.config.custom_auth.as_ref())
                    .is_none()
                    && !self.webhook_custom_auth(&pool_id)
                {
                    return Err(fault(
                        "InvalidParameterException",
                        "Custom auth lambda trigger is not configured for the user pool.",
                    ));
                }
                if params.get("SRP_A").is_some() {
                    return self.srp_start(&pool_id, &client_id, Some(&user), &params, true);
                }
                self.custom_step(&pool_id, &client_id, &user.username, Vec::new())
                    .map(Step::Done)
            }
            // The sign-in that follows a confirmation with SignUp's session (sign_up_session.rs).
            "USER_AUTH" if body.get("Session").is_some() => self
                .sign_in_after_sign_up(&pool_id, &client_id, &params, body)
                .map(Step::Done),
            "USER_SRP_AUTH" => {
                let user = self.signing_in(&pool_id, &client, &params)?;
                if user
                    .as_ref()
                    .is_some_and(|u| u.status == Status::Unconfirmed)
                {
                    return Err(fault("UserNotConfirmedException", "User is not confirmed."));
                }
                if let Some(user) = &user {
                    crate::rules::check_not_reset(user)?;
                }
                self.srp_start(&pool_id, &client_id, user.as_ref(), &params, false)
            }
            "USER_PASSWORD_AUTH" | "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
                let user = self
                    .signing_in(&pool_id, &client, &params)?
                    .ok_or_else(not_found)?;
                crate::rules::check_not_reset(&user)?;
                let password = param(&params, "PASSWORD")?;
                let right = srp::password_matches(realm(&pool_id), password, &user.credential);
                self.password_outcome(&pool_id, &user.username, right)?;
                if user.status == Status::Unconfirmed {
                    return Err(fault("UserNotConfirmedException", "User is not confirmed."));
                }
                let device_key = params
                    .get("DEVICE_KEY")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                self.after_password(&pool_id, &client_id, &user.username, device_key, false)
                    .map(Step::Done)
            }
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
                crate::auth::refresh::refuse_rotating(&client, flow)?;
                let token = param(&params, "REFRESH_TOKEN")?;
                let (record, username) = self.refresh_record(token, &client_id)?;
                if record.pool_id != pool_id {
                    return Err(fault(NOT_AUTHORIZED, "Invalid Refresh Token"));
                }
                self.check_secret_hash(
                    &client_id,
                    &username,
                    params.get("SECRET_HASH").and_then(Value::as_str),
                )?;
                let device_key = params.get("DEVICE_KEY").and_then(Value::as_str);
                self.check_refresh_device(&pool_id, &username, device_key)?;
                let result = self.issue(
                    &pool_id,
                    &client_id,
                    &username,
                    Some(token.to_owned()),
                    device_key,
                )?;
                Ok(Step::Done(
                    json!({"AuthenticationResult": result, "ChallengeParameters": {}}),
                ))
            }
            "USER_AUTH" => {
                let user = self
                    .signing_in(&pool_id, &client, &params)?
                    .ok_or_else(not_found)?;
                if user.status == Status::Unconfirmed {
                    return Err(fault("UserNotConfirmedException", "User is not confirmed."));
                }
                let available = self.first_challenges(&pool_id, &user);
                match params.get("PREFERRED_CHALLENGE").and_then(Value::as_str) {
                    Some(preferred) if available.iter().any(|a| a == preferred) => {
                        self.first_factor(&pool_id, &client_id, &user, preferred, &params)
                    }
                    // A passkey preferred by a user without one (or with a deleted one) still
                    // gets the WEB_AUTHN challenge when the pool allows passkeys, as the emulator
                    // always answered it: every assertion is then refused.
                    Some("WEB_AUTHN") if self.first_factor_allowed(&pool_id, "WEB_AUTHN") => self
                        .web_authn_challenge(&pool_id, &client_id, &user)
                        .map(Step::Done),
                    // No preference, or one the pool does not allow or the user cannot use:
                    // the user picks among what is available.
                    _ => {
                        if available.is_empty() {
                            return Err(fault(NOT_AUTHORIZED, BAD_CREDENTIALS));
                        }
                        let device_key = params
                            .get("DEVICE_KEY")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                        let session = self.new_session(
                            &pool_id,
                            &client_id,
                            &user.username,
                            device_key,
                            Stage::SelectChallenge {
                                available: available.clone(),
                            },
                        );
                        Ok(Step::Done(json!({
                            "ChallengeName": "SELECT_CHALLENGE", "Session": session,
                            "ChallengeParameters": {"USERNAME": user.username},
                            "AvailableChallenges": available,
                        })))
                    }
                }
            }
            other => Err(fault(
                "InvalidParameterException",
                format!("Unsupported or disabled auth flow {other}"),
            )),
        }
    }

    /// Whether users of the pool may turn email MFA on: the pool has `EmailMfaConfiguration`
    /// (SetUserPoolMfaConfig).
    pub(crate) fn check_email_mfa(&self, pool_id: &str) -> Result<(), Fault> {
        if self
            .pools
            .get(pool_id)
            .is_some_and(|p| p.config.settings.email_mfa)
        {
            Ok(())
        } else {
            Err(fault(
                "InvalidParameterException",
                "Email MFA is not enabled for the user pool.",
            ))
        }
    }

    /// Whether the pool's `AllowedFirstAuthFactors` name `factor` (all do when it was never set).
    fn first_factor_allowed(&self, pool_id: &str, factor: &str) -> bool {
        self.pools.get(pool_id).is_some_and(|p| {
            p.config
                .settings
                .allowed_first_auth_factors
                .as_ref()
                .is_none_or(|a| a.iter().any(|f| f == factor))
        })
    }

    /// The user's sign-in factors that the pool allows (`GetUserAuthFactors`'
    /// `ConfiguredUserAuthFactors`): `PASSWORD` (every emulated user has one), `EMAIL_OTP` with a
    /// verified email, `SMS_OTP` with a verified phone number, `WEB_AUTHN` with a passkey.
    pub(crate) fn auth_factors(&self, pool_id: &str, user: &User) -> Vec<String> {
        let Some(pool) = self.pools.get(pool_id) else {
            return Vec::new();
        };
        let allowed = |factor: &str| self.first_factor_allowed(pool_id, factor);
        let verified = |attr: &str, flag: &str| {
            user.attributes.contains_key(attr)
                && user
                    .attributes
                    .get(flag)
                    .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        let mut factors = Vec::new();
        if allowed("PASSWORD") {
            factors.push("PASSWORD".to_owned());
        }
        if allowed("EMAIL_OTP") && verified("email", "email_verified") {
            factors.push("EMAIL_OTP".to_owned());
        }
        if allowed("SMS_OTP") && verified("phone_number", "phone_number_verified") {
            factors.push("SMS_OTP".to_owned());
        }
        if allowed("WEB_AUTHN") && !pool.passkeys.of(&user.sub).is_empty() {
            factors.push("WEB_AUTHN".to_owned());
        }
        factors
    }

    /// GetUserAuthFactors' and AdminGetUserAuthFactors' answer: the user's MFA methods, the
    /// preferred one, and the sign-in factors ([`Inner::auth_factors`]).
    pub(crate) fn auth_factors_answer(&self, pool_id: &str, user: &User) -> Value {
        let mut mfa = Vec::new();
        if user.sms_mfa {
            mfa.push("SMS_MFA");
        }
        if user.totp_secret.is_some() {
            mfa.push("SOFTWARE_TOKEN_MFA");
        }
        if user.email_mfa {
            mfa.push("EMAIL_OTP");
        }
        let mut answer = json!({
            "Username": user.username, "UserMFASettingList": mfa,
            "ConfiguredUserAuthFactors": self.auth_factors(pool_id, user),
        });
        if let Some(preferred) = &user.preferred_mfa {
            answer["PreferredMfaSetting"] = json!(preferred);
        }
        answer
    }

    /// The first-factor challenges a `USER_AUTH` sign-in offers the user: their
    /// [`Inner::auth_factors`], a password both as `PASSWORD` and `PASSWORD_SRP`.
    fn first_challenges(&self, pool_id: &str, user: &User) -> Vec<String> {
        let mut challenges = Vec::new();
        for factor in self.auth_factors(pool_id, user) {
            if factor == "PASSWORD" {
                challenges.push("PASSWORD_SRP".to_owned());
            }
            challenges.push(factor);
        }
        challenges
    }

    /// A `USER_AUTH` first factor the user may use, started with `params` (InitiateAuth's
    /// `AuthParameters`, or the answer to `SELECT_CHALLENGE`): the password checked, an SRP
    /// challenge to compute, a code sent, or the passkey challenge.
    fn first_factor(
        &mut self,
        pool_id: &str,
        client_id: &str,
        user: &User,
        factor: &str,
        params: &Value,
    ) -> Result<Step<SrpStart>, Fault> {
        let device_key = params
            .get("DEVICE_KEY")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match factor {
            "PASSWORD" => {
                crate::rules::check_not_reset(user)?;
                let password = param(params, "PASSWORD")?;
                let right = srp::password_matches(realm(pool_id), password, &user.credential);
                self.password_outcome(pool_id, &user.username, right)?;
                self.after_password(pool_id, client_id, &user.username, device_key, false)
                    .map(Step::Done)
            }
            "PASSWORD_SRP" => {
                crate::rules::check_not_reset(user)?;
                self.srp_start(pool_id, client_id, Some(user), params, false)
            }
            "EMAIL_OTP" | "SMS_OTP" => {
                let sms = factor == "SMS_OTP";
                let (code, delivery) = self.send_code(pool_id, &user.username, factor, sms);
                let stage = if sms {
                    Stage::SmsOtp { code: code.value }
                } else {
                    Stage::EmailOtp { code: code.value }
                };
                let session =
                    self.new_session(pool_id, client_id, &user.username, device_key, stage);
                Ok(Step::Done(json!({
                    "ChallengeName": factor, "Session": session,
                    "ChallengeParameters": {"USERNAME": user.username,
                        "CODE_DELIVERY_DELIVERY_MEDIUM": delivery["DeliveryMedium"],
                        "CODE_DELIVERY_DESTINATION": delivery["Destination"]},
                })))
            }
            "WEB_AUTHN" => self
                .web_authn_challenge(pool_id, client_id, user)
                .map(Step::Done),
            other => Err(fault(
                "InvalidParameterException",
                format!("{other} is not an available challenge for this user."),
            )),
        }
    }

    /// A wrong one-time code: two more tries in the same session; the third wrong code ends it.
    fn otp_retry(&mut self, id: &str, mut session: Session, stage: Stage) -> Answer {
        session.attempts += 1;
        session.stage = stage;
        if session.attempts < 3 {
            self.sessions.insert(id.to_owned(), session);
            return Err(fault(
                "CodeMismatchException",
                "Invalid code or auth state for the user.",
            ));
        }
        Err(fault(
            NOT_AUTHORIZED,
            "Invalid session for the user, too many failed attempts.",
        ))
    }

    /// What an SRP challenge needs, read under the lock. An unknown user (`None`) gets a
    /// believable one: a salt and verifier derived from the pool's phantom key and the name, so
    /// that asking twice gives the same salt.
    fn srp_start(
        &mut self,
        pool_id: &str,
        client_id: &str,
        user: Option<&User>,
        params: &Value,
        custom: bool,
    ) -> Result<Step<SrpStart>, Fault> {
        let big_a = srp::parse_public(param(params, "SRP_A")?)
            .filter(|a| *a != BigUint::ZERO)
            .ok_or_else(|| fault("InvalidParameterException", "SRP_A is invalid"))?;
        let (username, salt, verifier) = match user {
            Some(u) => (
                u.username.clone(),
                u.credential.salt.to_vec(),
                u.credential.verifier.clone(),
            ),
            None => {
                let name = param(params, "USERNAME")?.to_owned();
                let key = self
                    .pools
                    .get(pool_id)
                    .map(|p| p.phantom_key)
                    .unwrap_or_default();
                let salt = hmac256(&key, &[b"salt", name.as_bytes()]);
                let v = hmac256(&key, &[b"verifier", name.as_bytes()]);
                (
                    name,
                    salt.get(..16).unwrap_or_default().to_vec(),
                    BigUint::from_bytes_be(&v),
                )
            }
        };
        Ok(Step::Compute(SrpStart {
            pool_id: pool_id.into(),
            client_id: client_id.into(),
            username,
            salt,
            verifier,
            b: BigUint::from_bytes_be(&self.bytes::<32>()),
            secret_block: self.bytes::<64>().to_vec(),
            big_a,
            device_key: params
                .get("DEVICE_KEY")
                .and_then(Value::as_str)
                .map(str::to_owned),
            custom,
            phantom: user.is_none(),
        }))
    }

    /// The PASSWORD_VERIFIER challenge, once `B` is computed.
    fn srp_challenge(&mut self, start: SrpStart, exchange: srp::Exchange) -> Answer {
        let challenge = json!({
            "SALT": srp::to_hex(&BigUint::from_bytes_be(&start.salt)), "SRP_B": srp::to_hex(&exchange.big_b),
            "SECRET_BLOCK": BASE64.encode(&start.secret_block), "USER_ID_FOR_SRP": start.username, "USERNAME": start.username,
        });
        let stage = Stage::PasswordVerifier {
            b: exchange.b,
            big_b: exchange.big_b,
            secret_block: start.secret_block,
            big_a: start.big_a,
            custom: start.custom,
            phantom: start.phantom,
        };
        let custom = start.custom && self.webhook_custom_auth(&start.pool_id);
        let session = self.new_session(
            &start.pool_id,
            &start.client_id,
            &start.username,
            start.device_key,
            stage,
        );
        let answer = json!({"ChallengeName": "PASSWORD_VERIFIER", "Session": session, "ChallengeParameters": challenge});
        // CUSTOM_AUTH with SRP through webhooks: DefineAuthChallenge, told `[SRP_A]`, decides
        // whether this challenge is asked (the dispatch runs it once the lock is released).
        if custom {
            custom::park_verifier(session, answer.clone());
        }
        Ok(answer)
    }

    /// The first round of the custom auth triggers: define, then create or finish.
    fn custom_step(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        results: Vec<ChallengeResult>,
    ) -> Answer {
        self.custom_round(custom::Round {
            pool_id: pool_id.into(),
            client_id: client_id.into(),
            username: username.into(),
            results,
            private: String::new(),
            given: None,
            verifier: None,
        })
    }

    /// A round of the custom auth triggers: the Rust callbacks at once, the webhooks once the
    /// lock is released.
    fn custom_round(&mut self, round: custom::Round) -> Answer {
        if self.webhook_custom_auth(&round.pool_id) {
            return custom::park(self, round);
        }
        let triggers = self
            .pools
            .get(&round.pool_id)
            .and_then(|p| p.config.custom_auth.clone())
            .ok_or_else(|| {
                fault(
                    "InvalidParameterException",
                    "Custom auth lambda trigger is not configured for the user pool.",
                )
            })?;
        custom::now(custom::round(&triggers, self, round))
    }

    /// The session an answer without `Session` belongs to, as Cognito finds it: a password
    /// verifier by its secret block, a device challenge by the device key.
    fn session_of(&self, client_id: &str, name: &str, responses: &Value) -> Result<String, Fault> {
        let block = responses
            .get("PASSWORD_CLAIM_SECRET_BLOCK")
            .and_then(Value::as_str)
            .and_then(|b| BASE64.decode(b).ok());
        let device = responses.get("DEVICE_KEY").and_then(Value::as_str);
        self.sessions
            .iter()
            .find(|(_, s)| {
                s.client_id == client_id
                    && match (&s.stage, name) {
                        (Stage::PasswordVerifier { secret_block, .. }, "PASSWORD_VERIFIER")
                        | (
                            Stage::DevicePasswordVerifier { secret_block, .. },
                            "DEVICE_PASSWORD_VERIFIER",
                        ) => block.as_deref() == Some(secret_block.as_slice()),
                        (Stage::DeviceSrp { device_key }, "DEVICE_SRP_AUTH") => {
                            device == Some(device_key.as_str())
                        }
                        _ => false,
                    }
            })
            .map(|(id, _)| id.clone())
            .ok_or_else(|| fault(NOT_AUTHORIZED, INVALID_SESSION))
    }

    /// The first step of RespondToAuthChallenge: done, or maths to do without the lock.
    fn respond(&mut self, body: &Value) -> Result<Step<Pending>, Fault> {
        let client_id = field(body, "ClientId")?.to_owned();
        let name = field(body, "ChallengeName")?.to_owned();
        let responses = body.get("ChallengeResponses").cloned().unwrap_or(json!({}));
        let session_id = match body.get("Session").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => self.session_of(&client_id, &name, &responses)?,
        };
        self.live_session(&session_id, &client_id)?;
        let username = param(&responses, "USERNAME")?.to_owned();
        self.check_secret_hash(
            &client_id,
            &username,
            responses.get("SECRET_HASH").and_then(Value::as_str),
        )?;
        let session = self.live_session(&session_id, &client_id)?;
        // A sign-up session is no challenge's (sign_up_session.rs).
        if matches!(session.stage, Stage::SignedUp | Stage::SignUpConfirmed) {
            return Err(fault(NOT_AUTHORIZED, INVALID_SESSION));
        }
        let phantom = matches!(session.stage, Stage::PasswordVerifier { phantom: true, .. });
        let expected = stage_name(&session.stage);
        let (session_pool, session_user) = (session.pool_id.clone(), session.username.clone());
        let named = if phantom {
            Some(username.clone())
        } else {
            self.user(&session_pool, &username)
                .ok()
                .map(|u| u.username.clone())
        };
        // A wrong USERNAME leaves the session for the right one.
        if named.as_deref() != Some(session_user.as_str()) {
            return Err(fault(NOT_AUTHORIZED, INVALID_SESSION));
        }
        if expected != name {
            return Err(fault(
                "InvalidParameterException",
                format!("{name} does not answer this session's challenge"),
            ));
        }
        let Some(mut session) = self.sessions.remove(&session_id) else {
            return Err(fault(NOT_AUTHORIZED, INVALID_SESSION));
        };
        let (pool_id, user_name) = (session.pool_id.clone(), session.username.clone());
        let stage = std::mem::replace(&mut session.stage, Stage::NewPassword);
        match stage {
            // Sign-up sessions answer no challenge.
            Stage::SignedUp | Stage::SignUpConfirmed => Err(fault(NOT_AUTHORIZED, INVALID_SESSION)),
            Stage::PasswordVerifier {
                b,
                big_b,
                secret_block,
                big_a,
                custom,
                phantom,
            } => {
                let timestamp = param(&responses, "TIMESTAMP")?.to_owned();
                self.check_timestamp(&timestamp)?;
                let verifier = if phantom {
                    BigUint::from(1u8)
                } else {
                    self.user(&pool_id, &user_name)?.credential.verifier.clone()
                };
                let device_key = responses
                    .get("DEVICE_KEY")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or(session.device_key);
                Ok(Step::Compute(Pending::Verify(Verify {
                    kind: if phantom {
                        Proof::Phantom
                    } else {
                        Proof::User { custom }
                    },
                    pool_id: pool_id.clone(),
                    client_id,
                    username: user_name.clone(),
                    realm: realm(&pool_id).to_owned(),
                    identity: user_name,
                    exchange: srp::Exchange { b, big_b },
                    verifier,
                    big_a,
                    secret_block,
                    timestamp,
                    signature: param(&responses, "PASSWORD_CLAIM_SIGNATURE")?.to_owned(),
                    device_key,
                })))
            }
            Stage::DeviceSrp { device_key } => {
                let device = self.confirmed_device(&pool_id, &user_name, &device_key)?;
                let big_a = srp::parse_public(param(&responses, "SRP_A")?)
                    .filter(|a| *a != BigUint::ZERO)
                    .ok_or_else(|| fault("InvalidParameterException", "SRP_A is invalid"))?;
                Ok(Step::Compute(Pending::DeviceSrp(DeviceStart {
                    pool_id,
                    client_id,
                    username: user_name,
                    device,
                    big_a,
                    b: BigUint::from_bytes_be(&self.bytes::<32>()),
                    secret_block: self.bytes::<64>().to_vec(),
                })))
            }
            Stage::DevicePasswordVerifier {
                device_key,
                b,
                big_b,
                secret_block,
                big_a,
            } => {
                let timestamp = param(&responses, "TIMESTAMP")?.to_owned();
                self.check_timestamp(&timestamp)?;
                let device = self.confirmed_device(&pool_id, &user_name, &device_key)?;
                Ok(Step::Compute(Pending::Verify(Verify {
                    kind: Proof::Device,
                    pool_id,
                    client_id,
                    username: user_name,
                    realm: device.group_key.clone(),
                    identity: device.key.clone(),
                    exchange: srp::Exchange { b, big_b },
                    verifier: device.verifier,
                    big_a,
                    secret_block,
                    timestamp,
                    signature: param(&responses, "PASSWORD_CLAIM_SIGNATURE")?.to_owned(),
                    device_key: Some(device_key),
                })))
            }
            Stage::NewPassword => {
                let password = param(&responses, "NEW_PASSWORD")?.to_owned();
                let policy = self
                    .pools
                    .get(&pool_id)
                    .map(|p| p.config.password_policy)
                    .unwrap_or_default();
                let mut attributes = BTreeMap::new();
                if let Some(map) = responses.as_object() {
                    for (k, v) in map {
                        if let (Some(attr), Some(v)) =
                            (k.strip_prefix("userAttributes."), v.as_str())
                        {
                            attributes.insert(attr.to_owned(), v.to_owned());
                        }
                    }
                }
                let checked = policy
                    .check(&password)
                    .map_err(|why| fault("InvalidPasswordException", why))
                    .and_then(|()| {
                        let config = self.pools.get(&pool_id).map(|p| &p.config);
                        crate::rules::check_attributes(config, &attributes, false)
                    });
                if let Err(e) = checked {
                    return self
                        .retry(&session_id, session, Stage::NewPassword, e)
                        .map(Step::Done);
                }
                let salt = self.bytes::<16>();
                Ok(Step::Compute(Pending::NewPassword(NewPassword {
                    session,
                    password,
                    attributes,
                    salt,
                })))
            }
            Stage::TotpMfa => {
                let code = param(&responses, "SOFTWARE_TOKEN_MFA_CODE")?;
                let secret = self.user(&pool_id, &user_name)?.totp_secret.clone();
                if !totp::check(secret.as_deref(), code, self.unix()) {
                    return self
                        .retry(
                            &session_id,
                            session,
                            Stage::TotpMfa,
                            fault("CodeMismatchException", "Invalid code received for user"),
                        )
                        .map(Step::Done);
                }
                self.sign_in_done(&pool_id, &client_id, &user_name, session.device_key)
                    .map(Step::Done)
            }
            Stage::SmsMfa { code } => {
                let given = param(&responses, "SMS_MFA_CODE")?;
                if !bool::from(given.trim().as_bytes().ct_eq(code.as_bytes())) {
                    return self
                        .retry(
                            &session_id,
                            session,
                            Stage::SmsMfa { code },
                            fault(
                                "CodeMismatchException",
                                "Invalid code or auth state for the user.",
                            ),
                        )
                        .map(Step::Done);
                }
                self.sign_in_done(&pool_id, &client_id, &user_name, session.device_key)
                    .map(Step::Done)
            }
            Stage::MfaSetupVerified => {
                let user = self.user_mut(&pool_id, &user_name)?;
                let Some(secret) = user.totp_pending.take() else {
                    return Err(fault(NOT_AUTHORIZED, INVALID_SESSION));
                };
                user.totp_secret = Some(secret);
                user.preferred_mfa = Some("SOFTWARE_TOKEN_MFA".into());
                self.sign_in_done(&pool_id, &client_id, &user_name, session.device_key)
                    .map(Step::Done)
            }
            Stage::Custom { results, answer } => {
                let given = param(&responses, "ANSWER")?;
                self.custom_round(custom::Round {
                    pool_id,
                    client_id,
                    username: user_name,
                    results,
                    private: answer,
                    given: Some(given.to_owned()),
                    verifier: None,
                })
                .map(Step::Done)
            }
            Stage::WebAuthn { challenge } => self
                .web_authn_answer(session, &challenge, &responses)
                .map(Step::Done),
            Stage::SelectChallenge { available } => {
                let (answer, session) = self.chosen(
                    &session_id,
                    session,
                    &responses,
                    &available,
                    "is not an available challenge for this user.",
                    || Stage::SelectChallenge {
                        available: available.clone(),
                    },
                )?;
                let user = self.user(&pool_id, &user_name)?.clone();
                crate::rules::check_enabled(&user)?;
                let mut params = responses.clone();
                if let (Some(key), Some(map)) = (&session.device_key, params.as_object_mut()) {
                    map.entry("DEVICE_KEY").or_insert_with(|| json!(key));
                }
                match self.first_factor(&pool_id, &client_id, &user, &answer, &params)? {
                    Step::Done(answer) => Ok(Step::Done(answer)),
                    Step::Compute(start) => Ok(Step::Compute(Pending::Srp(start))),
                }
            }
            Stage::SelectMfa { methods } => {
                let (answer, session) = self.chosen(
                    &session_id,
                    session,
                    &responses,
                    &methods,
                    "is not an MFA method of this user.",
                    || Stage::SelectMfa {
                        methods: methods.clone(),
                    },
                )?;
                self.mfa_challenge(
                    &pool_id,
                    &client_id,
                    &user_name,
                    session.device_key,
                    &answer,
                )
                .map(Step::Done)
            }
            Stage::EmailOtp { code } | Stage::SmsOtp { code } => {
                let sms = name == "SMS_OTP";
                let given = param(
                    &responses,
                    if sms {
                        "SMS_OTP_CODE"
                    } else {
                        "EMAIL_OTP_CODE"
                    },
                )?;
                if !bool::from(given.trim().as_bytes().ct_eq(code.as_bytes())) {
                    let stage = if sms {
                        Stage::SmsOtp { code }
                    } else {
                        Stage::EmailOtp { code }
                    };
                    return self.otp_retry(&session_id, session, stage).map(Step::Done);
                }
                self.sign_in_done(&pool_id, &client_id, &user_name, session.device_key)
                    .map(Step::Done)
            }
            Stage::MfaSetup | Stage::MfaSetupAssociated => Err(fault(
                "InvalidParameterException",
                "Software token MFA has not been verified (VerifySoftwareToken)",
            )),
        }
    }

    /// After a password claim was checked without the lock.
    fn verified(&mut self, v: Verify, right: bool) -> Answer {
        match v.kind {
            Proof::Phantom => Err(fault(NOT_AUTHORIZED, BAD_CREDENTIALS)),
            Proof::User { custom } => {
                let outcome = self.password_outcome(&v.pool_id, &v.username, right);
                if custom && self.webhook_custom_auth(&v.pool_id) {
                    // As Cognito runs the webhooks: a wrong password (counted towards the
                    // lockout) is a failed PASSWORD_VERIFIER that DefineAuthChallenge decides on.
                    match outcome {
                        Ok(()) => {}
                        Err(f) if !right && f.message == BAD_CREDENTIALS => {}
                        Err(f) => return Err(f),
                    }
                    let results = ["SRP_A", "PASSWORD_VERIFIER"]
                        .into_iter()
                        .zip([true, right])
                        .map(|(name, correct)| ChallengeResult {
                            name: name.into(),
                            correct,
                        })
                        .collect();
                    return self.custom_step(&v.pool_id, &v.client_id, &v.username, results);
                }
                outcome?;
                if custom {
                    let results = vec![ChallengeResult {
                        name: "SRP_A".into(),
                        correct: true,
                    }];
                    return self.custom_step(&v.pool_id, &v.client_id, &v.username, results);
                }
                self.after_password(&v.pool_id, &v.client_id, &v.username, v.device_key, false)
            }
            Proof::Device if !right => Err(fault(NOT_AUTHORIZED, "Incorrect device password.")),
            Proof::Device => {
                self.after_password(&v.pool_id, &v.client_id, &v.username, v.device_key, true)
            }
        }
    }

    /// The DEVICE_PASSWORD_VERIFIER challenge, once `B` is computed.
    fn device_challenge(&mut self, d: DeviceStart, exchange: srp::Exchange) -> Answer {
        let params = json!({
            "SRP_B": srp::to_hex(&exchange.big_b), "SALT": srp::to_hex(&BigUint::from_bytes_be(&d.device.salt)),
            "SECRET_BLOCK": BASE64.encode(&d.secret_block), "USERNAME": d.username, "DEVICE_KEY": d.device.key,
        });
        let id = self.new_session(
            &d.pool_id,
            &d.client_id,
            &d.username,
            Some(d.device.key.clone()),
            Stage::DevicePasswordVerifier {
                device_key: d.device.key,
                b: exchange.b,
                big_b: exchange.big_b,
                secret_block: d.secret_block,
                big_a: d.big_a,
            },
        );
        Ok(
            json!({"ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": id, "ChallengeParameters": params}),
        )
    }

    /// NEW_PASSWORD_REQUIRED, once the new credential is derived.
    fn new_password_set(&mut self, n: NewPassword, credential: Credential) -> Answer {
        let s = n.session;
        let user = self.user_mut(&s.pool_id, &s.username)?;
        user.credential = credential;
        user.status = Status::Confirmed;
        user.attributes.extend(n.attributes);
        drop(n.password);
        self.after_password(&s.pool_id, &s.client_id, &s.username, s.device_key, false)
    }

    /// A wrong answer: the same session stays valid for another try, three tries in all.
    /// The `ANSWER` to a choice among `offered` (SELECT_CHALLENGE, SELECT_MFA_TYPE), with the
    /// session. An answer not offered is a wrong try (see [`Inner::wrong_try`]: the session waits
    /// at `again()`), refused as `"{answer} {not_offered}"`.
    fn chosen(
        &mut self,
        id: &str,
        session: Session,
        responses: &Value,
        offered: &[String],
        not_offered: &str,
        again: impl FnOnce() -> Stage,
    ) -> Result<(String, Session), Fault> {
        let answer = param(responses, "ANSWER")?.to_owned();
        if offered.contains(&answer) {
            return Ok((answer, session));
        }
        let refusal = fault(
            "InvalidParameterException",
            format!("{answer} {not_offered}"),
        );
        self.wrong_try(id, session, again());
        Err(refusal)
    }

    fn retry(&mut self, id: &str, session: Session, stage: Stage, error: Fault) -> Answer {
        self.wrong_try(id, session, stage);
        Err(error)
    }

    /// Counts a wrong try of the session `id`: it waits at `stage` again, or ends at the third.
    fn wrong_try(&mut self, id: &str, mut session: Session, stage: Stage) {
        session.attempts += 1;
        session.stage = stage;
        if session.attempts < 3 {
            self.sessions.insert(id.to_owned(), session);
        }
    }
}

/// The MFA step that follows a proven password, as Cognito decides it: the one decision of
/// InitiateAuth's challenges and of the hosted UI's pages.
pub(crate) enum MfaStep {
    /// No MFA: signed in.
    None,
    /// The code of this method (`SOFTWARE_TOKEN_MFA`, `SMS_MFA` or `EMAIL_OTP`).
    Method(String),
    /// The user picks one of these (SELECT_MFA_TYPE).
    Select(Vec<String>),
    /// The pool requires MFA and the user has none (MFA_SETUP).
    Setup,
}

/// [`MfaStep`] for `user` in a pool configured as `config`. Email MFA when it is the user's
/// preference or their only method; with others and no preference, the user picks. Without
/// email MFA: TOTP unless SMS is preferred, else SMS.
pub(crate) fn mfa_step(config: &PoolConfig, user: &User) -> MfaStep {
    if config.mfa == Mfa::Off {
        return MfaStep::None;
    }
    // The user's preferred method; without one, their only method, or with more than one the
    // user picks (SELECT_MFA_TYPE, as Cognito asks it).
    let mut methods = Vec::new();
    if user.sms_mfa {
        methods.push("SMS_MFA".to_owned());
    }
    if user.totp_secret.is_some() {
        methods.push("SOFTWARE_TOKEN_MFA".to_owned());
    }
    if user.email_mfa && config.settings.email_mfa {
        methods.push("EMAIL_OTP".to_owned());
    }
    match user.preferred_mfa.clone().filter(|p| methods.contains(p)) {
        Some(method) => MfaStep::Method(method),
        None if methods.len() > 1 => MfaStep::Select(methods),
        None => match methods.pop() {
            Some(only) => MfaStep::Method(only),
            None if config.mfa == Mfa::On => MfaStep::Setup,
            None => MfaStep::None,
        },
    }
}

/// The challenge a stage waits for.
fn stage_name(stage: &Stage) -> &'static str {
    match stage {
        Stage::PasswordVerifier { .. } => "PASSWORD_VERIFIER",
        Stage::Custom { .. } => "CUSTOM_CHALLENGE",
        Stage::DeviceSrp { .. } => "DEVICE_SRP_AUTH",
        Stage::DevicePasswordVerifier { .. } => "DEVICE_PASSWORD_VERIFIER",
        Stage::NewPassword => "NEW_PASSWORD_REQUIRED",
        Stage::SmsMfa { .. } => "SMS_MFA",
        Stage::TotpMfa => "SOFTWARE_TOKEN_MFA",
        Stage::MfaSetup | Stage::MfaSetupAssociated | Stage::MfaSetupVerified => "MFA_SETUP",
        Stage::WebAuthn { .. } => "WEB_AUTHN",
        Stage::SelectChallenge { .. } => "SELECT_CHALLENGE",
        Stage::SelectMfa { .. } => "SELECT_MFA_TYPE",
        Stage::EmailOtp { .. } => "EMAIL_OTP",
        Stage::SmsOtp { .. } => "SMS_OTP",
        // Not challenges: no RespondToAuthChallenge answers them.
        Stage::SignedUp | Stage::SignUpConfirmed => "",
    }
}

/// A step under the lock: finished, or maths to do without it.
enum Step<T> {
    Done(Value),
    Compute(T),
}

/// What an SRP challenge needs: `B = k*v + g^b`.
struct SrpStart {
    pool_id: String,
    client_id: String,
    username: String,
    salt: Vec<u8>,
    verifier: BigUint,
    b: BigUint,
    secret_block: Vec<u8>,
    big_a: BigUint,
    device_key: Option<String>,
    custom: bool,
    phantom: bool,
}

enum Proof {
    User { custom: bool },
    Device,
    Phantom,
}

/// A password claim to check.
struct Verify {
    kind: Proof,
    pool_id: String,
    client_id: String,
    username: String,
    realm: String,
    identity: String,
    exchange: srp::Exchange,
    verifier: BigUint,
    big_a: BigUint,
    secret_block: Vec<u8>,
    timestamp: String,
    signature: String,
    device_key: Option<String>,
}

struct DeviceStart {
    pool_id: String,
    client_id: String,
    username: String,
    device: Device,
    big_a: BigUint,
    b: BigUint,
    secret_block: Vec<u8>,
}

struct NewPassword {
    session: Session,
    password: String,
    attributes: BTreeMap<String, String>,
    salt: [u8; 16],
}

enum Pending {
    /// `SELECT_CHALLENGE` answered with `PASSWORD_SRP`: the `PASSWORD_VERIFIER` challenge.
    Srp(SrpStart),
    Verify(Verify),
    DeviceSrp(DeviceStart),
    NewPassword(NewPassword),
}

/// InitiateAuth, and AdminInitiateAuth (`admin`: the admin flows are allowed).
pub(crate) fn initiate_auth(shared: &Shared, body: &Value, admin: bool) -> Answer {
    let start = match shared.lock().initiate(body, admin)? {
        Step::Done(answer) => return Ok(answer),
        Step::Compute(start) => start,
    };
    let exchange = srp::start(&start.verifier, start.b.clone());
    shared.lock().srp_challenge(start, exchange)
}

pub(crate) fn respond_to_auth_challenge(shared: &Shared, body: &Value) -> Answer {
    let pending = match shared.lock().respond(body)? {
        Step::Done(answer) => return Ok(answer),
        Step::Compute(pending) => pending,
    };
    match pending {
        Pending::Srp(start) => {
            let exchange = srp::start(&start.verifier, start.b.clone());
            shared.lock().srp_challenge(start, exchange)
        }
        Pending::Verify(v) => {
            let expected = srp::expected_signature(
                &v.exchange,
                &v.verifier,
                &v.big_a,
                &v.realm,
                &v.identity,
                &v.secret_block,
                &v.timestamp,
            );
            let right =
                expected.is_some_and(|e| bool::from(e.as_bytes().ct_eq(v.signature.as_bytes())));
            shared.lock().verified(v, right)
        }
        Pending::DeviceSrp(d) => {
            let exchange = srp::start(&d.device.verifier, d.b.clone());
            shared.lock().device_challenge(d, exchange)
        }
        Pending::NewPassword(n) => {
            let s = &n.session;
            let credential = srp::credential(realm(&s.pool_id), &s.username, &n.password, n.salt);
            shared.lock().new_password_set(n, credential)
        }
    }
}

/// Where a message to a user goes: (medium, attribute, address). The phone when `prefer_sms` and
/// there is one, else the email, else the phone; `None` when the user has neither.
pub(crate) fn destination(
    attrs: &BTreeMap<String, String>,
    prefer_sms: bool,
) -> Option<(&'static str, &'static str, String)> {
    match (attrs.get("phone_number"), attrs.get("email")) {
        (Some(phone), _) if prefer_sms => Some(("SMS", "phone_number", phone.clone())),
        (_, Some(email)) => Some(("EMAIL", "email", email.clone())),
        (Some(phone), None) => Some(("SMS", "phone_number", phone.clone())),
        (None, None) => None,
    }
}

/// `a***@e***` / `+*******0100`, as Cognito masks them.
pub(crate) fn mask(destination: &str) -> String {
    if let Some((local, domain)) = destination.split_once('@') {
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}***@{}***", first(local), first(domain))
    } else {
        let tail: String = destination
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("+*******{tail}")
    }
}

/// The issuer real Cognito names in its tokens, `https://cognito-idp.{region}.amazonaws.com/{pool}`,
/// whatever endpoint the client used: libraries that build the issuer from the pool id (the
/// AWS SDKs, aws-jwt-verify) accept the emulator's tokens. The JWKS is still served locally.
pub(crate) fn aws_issuer(pool_id: &str) -> String {
    let region = pool_id
        .split_once('_')
        .map_or(pool_id, |(region, _)| region);
    format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}")
}

/// The `identities` claim of an id token from the `identities` attribute: the same list, with
/// each value as text (`"primary": "true"`, `"dateCreated": "1700000000000"`), `issuer` null,
/// as Cognito's tokens show it.
fn identities_claim(attribute: &str) -> Value {
    let Ok(Value::Array(list)) = serde_json::from_str::<Value>(attribute) else {
        return json!(attribute);
    };
    let list: Vec<Value> = list
        .into_iter()
        .map(|identity| match identity {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::Bool(_) | Value::Number(_) => Value::String(v.to_string()),
                            other => other,
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            other => other,
        })
        .collect();
    Value::Array(list)
}
