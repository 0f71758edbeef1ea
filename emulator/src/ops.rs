//! Cognito's operations, as the emulator answers them.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{KeyInit, Mac};
use num_bigint::BigUint;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::jwt::Signer;
use crate::srp;
use crate::state::{
    AccessToken, ChallengeResult, Define, Device, DeviceTracking, Inner, Message, Mfa,
    RefreshToken, Session, Stage, Status, User,
};
use crate::totp;

/// An error in Cognito's shape.
#[derive(Debug)]
pub(crate) struct Fault {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
}

fn fault(kind: &'static str, message: impl Into<String>) -> Fault {
    Fault {
        status: 400,
        kind,
        message: message.into(),
    }
}

const NOT_AUTHORIZED: &str = "NotAuthorizedException";
const BAD_CREDENTIALS: &str = "Incorrect username or password.";

type Answer = Result<Value, Fault>;

fn field<'a>(body: &'a Value, name: &str) -> Result<&'a str, Fault> {
    body.get(name).and_then(Value::as_str).ok_or_else(|| {
        fault(
            "InvalidParameterException",
            format!("1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"),
        )
    })
}

fn param<'a>(map: &'a Value, name: &str) -> Result<&'a str, Fault> {
    map.get(name).and_then(Value::as_str).ok_or_else(|| {
        fault(
            "InvalidParameterException",
            format!("Missing required parameter {name}"),
        )
    })
}

fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut m = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(username.as_bytes());
    m.update(client_id.as_bytes());
    BASE64.encode(m.finalize().into_bytes())
}

impl Inner {
    /// The pool and client of a `ClientId`.
    fn client(&self, client_id: &str) -> Result<(String, Option<String>), Fault> {
        self.pools
            .values()
            .find_map(|p| {
                p.clients
                    .get(client_id)
                    .map(|c| (p.id.clone(), c.secret.clone()))
            })
            .ok_or_else(|| {
                fault(
                    "ResourceNotFoundException",
                    "User pool client does not exist.",
                )
            })
    }

    fn check_secret_hash(
        &self,
        client_id: &str,
        username: &str,
        given: Option<&str>,
    ) -> Result<(), Fault> {
        let (_, secret) = self.client(client_id)?;
        let Some(secret) = secret else { return Ok(()) };
        let expected = secret_hash(&secret, username, client_id);
        match given {
            Some(given) if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) => Ok(()),
            Some(_) => Err(fault(
                NOT_AUTHORIZED,
                format!(
                    "Client {client_id} is configured with secret but SECRET_HASH was not received"
                ),
            )),
            None => Err(fault(
                NOT_AUTHORIZED,
                format!(
                    "Client {client_id} is configured with secret but SECRET_HASH was not received"
                ),
            )),
        }
    }

    fn user(&self, pool_id: &str, name: &str) -> Result<&User, Fault> {
        self.pools
            .get(pool_id)
            .and_then(|p| p.find(name))
            .ok_or_else(|| fault("UserNotFoundException", "User does not exist."))
    }

    fn user_mut(&mut self, pool_id: &str, username: &str) -> Result<&mut User, Fault> {
        self.pools
            .get_mut(pool_id)
            .and_then(|p| p.users.get_mut(username))
            .ok_or_else(|| fault("UserNotFoundException", "User does not exist."))
    }

    fn new_session(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        device_key: Option<String>,
        stage: Stage,
    ) -> String {
        let id = self.token();
        let expires = self.unix() + 180;
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

    fn take_session(&mut self, id: Option<&str>, client_id: &str) -> Result<Session, Fault> {
        let invalid = || fault(NOT_AUTHORIZED, "Invalid session for the user.");
        let session = self
            .sessions
            .remove(id.ok_or_else(invalid)?)
            .ok_or_else(invalid)?;
        if session.client_id != client_id || session.expires < self.unix() {
            return Err(fault(
                NOT_AUTHORIZED,
                "Invalid session for the user, session is expired.",
            ));
        }
        Ok(session)
    }

    /// A signed-in user's access token: its pool and user name.
    fn access(&self, token: &str) -> Result<(String, String, AccessToken), Fault> {
        let invalid = || fault(NOT_AUTHORIZED, "Invalid Access Token");
        let jti = crate::jwt::claims(token)
            .and_then(|c| c.get("jti").and_then(Value::as_str).map(str::to_owned))
            .ok_or_else(invalid)?;
        let t = self.access_tokens.get(&jti).ok_or_else(invalid)?;
        if t.revoked {
            return Err(fault(NOT_AUTHORIZED, "Access Token has been revoked"));
        }
        if t.expires <= self.unix() {
            return Err(fault(NOT_AUTHORIZED, "Access Token has expired"));
        }
        let user = self.user(&t.pool_id, &t.username).map_err(|_| invalid())?;
        if t.issued < user.signed_out_at {
            return Err(fault(NOT_AUTHORIZED, "Access Token has been revoked"));
        }
        Ok((t.pool_id.clone(), t.username.clone(), t.clone()))
    }

    pub(crate) fn send_code_public(
        &mut self,
        pool_id: &str,
        username: &str,
        purpose: &str,
    ) -> (String, Value) {
        let (message, delivery) = self.send_code(pool_id, username, purpose, false);
        (message.code, delivery)
    }

    pub(crate) fn access_public(
        &self,
        token: &str,
    ) -> Result<(String, String, AccessToken), Fault> {
        self.access(token)
    }

    fn send_code(
        &mut self,
        pool_id: &str,
        username: &str,
        purpose: &str,
        prefer_sms: bool,
    ) -> (Message, Value) {
        let code = self.code();
        let attrs = self
            .pools
            .get(pool_id)
            .and_then(|p| p.users.get(username))
            .map(|u| u.attributes.clone())
            .unwrap_or_default();
        let (medium, attribute, destination) = match (attrs.get("phone_number"), attrs.get("email"))
        {
            (Some(phone), _) if prefer_sms => ("SMS", "phone_number", phone.clone()),
            (_, Some(email)) => ("EMAIL", "email", email.clone()),
            (Some(phone), None) => ("SMS", "phone_number", phone.clone()),
            (None, None) => ("EMAIL", "email", String::new()),
        };
        let message = Message {
            pool_id: pool_id.into(),
            username: username.into(),
            medium: medium.into(),
            destination: destination.clone(),
            purpose: purpose.into(),
            code,
        };
        self.outbox.push(message.clone());
        let masked = mask(&destination);
        (
            message,
            json!({"Destination": masked, "DeliveryMedium": medium, "AttributeName": attribute}),
        )
    }

    pub(crate) fn issue_public(
        &mut self,
        signer: &Signer,
        pool_id: &str,
        client_id: &str,
        username: &str,
        refresh: Option<String>,
    ) -> Answer {
        self.issue(signer, pool_id, client_id, username, refresh, None)
    }

    fn issue(
        &mut self,
        signer: &Signer,
        pool_id: &str,
        client_id: &str,
        username: &str,
        refresh: Option<String>,
        device_key: Option<&str>,
    ) -> Answer {
        let now = self.unix();
        let user = self.user(pool_id, username)?.clone();
        let issuer = aws_issuer(pool_id);
        let (jti, id_jti) = (self.uuid(), self.uuid());
        let origin = self.uuid();
        let mut access = json!({
            "sub": user.sub, "iss": issuer, "client_id": client_id, "origin_jti": origin,
            "event_id": self.uuid(), "token_use": "access", "scope": "aws.cognito.signin.user.admin",
            "auth_time": now, "exp": now + 3600, "iat": now, "jti": jti, "username": user.username,
        });
        if let Some(key) = device_key {
            access["device_key"] = json!(key);
        }
        let mut id = json!({
            "sub": user.sub, "iss": issuer, "aud": client_id, "origin_jti": origin, "event_id": self.uuid(),
            "token_use": "id", "auth_time": now, "exp": now + 3600, "iat": now, "jti": id_jti,
            "cognito:username": user.username,
        });
        for (k, v) in &user.attributes {
            id[k.as_str()] = match v.as_str() {
                "true" => json!(true),
                "false" => json!(false),
                other => json!(other),
            };
        }
        let access_token = signer.sign(&access).map_err(internal)?;
        let id_token = signer.sign(&id).map_err(internal)?;
        let new_refresh = match &refresh {
            Some(_) => None,
            None => {
                let token = self.token();
                self.refresh_tokens.insert(
                    token.clone(),
                    RefreshToken {
                        pool_id: pool_id.into(),
                        client_id: client_id.into(),
                        username: user.username.clone(),
                        issued: now,
                        revoked: false,
                    },
                );
                Some(token)
            }
        };
        self.access_tokens.insert(
            jti,
            AccessToken {
                pool_id: pool_id.into(),
                username: user.username.clone(),
                issued: now,
                expires: now + 3600,
                revoked: false,
                refresh: refresh.clone().or(new_refresh.clone()),
            },
        );
        let mut result = json!({"AccessToken": access_token, "IdToken": id_token, "ExpiresIn": 3600, "TokenType": "Bearer"});
        if let Some(token) = new_refresh {
            result["RefreshToken"] = json!(token);
        }
        Ok(result)
    }

    /// After the password (or the device) is proven: the next challenge, or tokens.
    fn after_password(
        &mut self,
        signer: &Signer,
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
        // A remembered device proves itself with device SRP first.
        if !device_proven
            && let Some(key) = &device_key
            && let Some(device) = self.pools.get(pool_id).and_then(|p| p.devices.get(key))
            && device.username == user.username
            && device.remembered != Some(false)
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
        if config.mfa != Mfa::Off && !device_proven {
            let totp =
                user.totp_secret.is_some() && user.preferred_mfa.as_deref() != Some("SMS_MFA");
            if totp {
                let session =
                    self.new_session(pool_id, client_id, username, device_key, Stage::TotpMfa);
                return Ok(challenge(
                    "SOFTWARE_TOKEN_MFA",
                    session,
                    json!({"USERNAME": username}),
                ));
            }
            if user.sms_mfa {
                let (message, delivery) = self.send_code(pool_id, username, "SMS_MFA", true);
                let session = self.new_session(
                    pool_id,
                    client_id,
                    username,
                    device_key,
                    Stage::SmsMfa { code: message.code },
                );
                return Ok(challenge(
                    "SMS_MFA",
                    session,
                    json!({"USERNAME": username, "CODE_DELIVERY_DELIVERY_MEDIUM": delivery["DeliveryMedium"], "CODE_DELIVERY_DESTINATION": delivery["Destination"]}),
                ));
            }
            if config.mfa == Mfa::On {
                let session =
                    self.new_session(pool_id, client_id, username, device_key, Stage::MfaSetup);
                return Ok(challenge(
                    "MFA_SETUP",
                    session,
                    json!({"USERNAME": username, "MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"}),
                ));
            }
        }
        self.sign_in_done(signer, pool_id, client_id, username, device_key)
    }

    /// Tokens at the end of a sign-in, with `NewDeviceMetadata` when the pool tracks devices and
    /// the sign-in named no known device.
    fn sign_in_done(
        &mut self,
        signer: &Signer,
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
                .is_some_and(|p| p.devices.contains_key(k))
        });
        let mut result = self.issue(
            signer,
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

    /// The user named by `USERNAME`, once `SECRET_HASH` checks out; unknown users are refused as
    /// a wrong password is (Cognito's user existence error prevention).
    fn signing_in(&self, pool_id: &str, client_id: &str, params: &Value) -> Result<User, Fault> {
        let name = param(params, "USERNAME")?;
        self.check_secret_hash(
            client_id,
            name,
            params.get("SECRET_HASH").and_then(Value::as_str),
        )?;
        self.user(pool_id, name)
            .cloned()
            .map_err(|_| fault(NOT_AUTHORIZED, BAD_CREDENTIALS))
    }

    pub(crate) fn initiate_auth(&mut self, signer: &Signer, body: &Value) -> Answer {
        let client_id = field(body, "ClientId")?.to_owned();
        let flow = field(body, "AuthFlow")?;
        let params = body.get("AuthParameters").cloned().unwrap_or(json!({}));
        let (pool_id, _) = self.client(&client_id)?;
        match flow {
            "CUSTOM_AUTH" => {
                let user = self.signing_in(&pool_id, &client_id, &params)?;
                if self
                    .pools
                    .get(&pool_id)
                    .and_then(|p| p.config.custom_auth.as_ref())
                    .is_none()
                {
                    return Err(fault(
                        "InvalidParameterException",
                        "Custom auth lambda trigger is not configured for the user pool.",
                    ));
                }
                if params.get("SRP_A").is_some() {
                    return self.srp_challenge(&pool_id, &client_id, &user, &params, true);
                }
                self.custom_step(signer, &pool_id, &client_id, &user.username, Vec::new())
            }
            "USER_SRP_AUTH" => {
                let user = self.signing_in(&pool_id, &client_id, &params)?;
                if user.status == Status::Unconfirmed {
                    return Err(fault("UserNotConfirmedException", "User is not confirmed."));
                }
                self.srp_challenge(&pool_id, &client_id, &user, &params, false)
            }
            "USER_PASSWORD_AUTH" => {
                let user = self.signing_in(&pool_id, &client_id, &params)?;
                let password = param(&params, "PASSWORD")?;
                let realm = self
                    .pools
                    .get(&pool_id)
                    .map(|p| p.name().to_owned())
                    .unwrap_or_default();
                if srp::verifier(&realm, &user.username, password, &user.salt) != user.verifier {
                    return Err(fault(NOT_AUTHORIZED, BAD_CREDENTIALS));
                }
                if user.status == Status::Unconfirmed {
                    return Err(fault("UserNotConfirmedException", "User is not confirmed."));
                }
                let device_key = params
                    .get("DEVICE_KEY")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                self.after_password(
                    signer,
                    &pool_id,
                    &client_id,
                    &user.username,
                    device_key,
                    false,
                )
            }
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
                let token = param(&params, "REFRESH_TOKEN")?;
                let record = self
                    .refresh_tokens
                    .get(token)
                    .cloned()
                    .filter(|r| !r.revoked && r.client_id == client_id && r.pool_id == pool_id)
                    .ok_or_else(|| fault(NOT_AUTHORIZED, "Invalid Refresh Token"))?;
                let user = self
                    .user(&pool_id, &record.username)
                    .map_err(|_| fault(NOT_AUTHORIZED, "Invalid Refresh Token"))?
                    .clone();
                if record.issued < user.signed_out_at {
                    return Err(fault(NOT_AUTHORIZED, "Refresh Token has been revoked"));
                }
                self.check_secret_hash(
                    &client_id,
                    &user.username,
                    params.get("SECRET_HASH").and_then(Value::as_str),
                )?;
                let device_key = params.get("DEVICE_KEY").and_then(Value::as_str);
                if let Some(key) = device_key
                    && !self.pools.get(&pool_id).is_some_and(|p| {
                        p.devices
                            .get(key)
                            .is_some_and(|d| d.username == user.username)
                    })
                {
                    return Err(fault("ResourceNotFoundException", "Device does not exist."));
                }
                let result = self.issue(
                    signer,
                    &pool_id,
                    &client_id,
                    &user.username,
                    Some(token.to_owned()),
                    device_key,
                )?;
                Ok(json!({"AuthenticationResult": result, "ChallengeParameters": {}}))
            }
            other => Err(fault(
                "InvalidParameterException",
                format!("Unsupported or disabled auth flow {other}"),
            )),
        }
    }

    fn srp_challenge(
        &mut self,
        pool_id: &str,
        client_id: &str,
        user: &User,
        params: &Value,
        custom: bool,
    ) -> Answer {
        let big_a = srp::parse_public(param(params, "SRP_A")?)
            .filter(|a| *a != BigUint::ZERO)
            .ok_or_else(|| fault("InvalidParameterException", "SRP_A is invalid"))?;
        let b = BigUint::from_bytes_be(&self.bytes::<32>());
        let exchange = srp::start(&user.verifier, b);
        let secret_block = self.bytes::<64>().to_vec();
        let challenge = json!({
            "SALT": srp::to_hex(&BigUint::from_bytes_be(&user.salt)), "SRP_B": srp::to_hex(&exchange.big_b),
            "SECRET_BLOCK": BASE64.encode(&secret_block), "USER_ID_FOR_SRP": user.username, "USERNAME": user.username,
        });
        let device_key = params
            .get("DEVICE_KEY")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let stage = Stage::PasswordVerifier {
            b: exchange.b,
            big_b: exchange.big_b,
            secret_block,
            big_a,
            custom,
        };
        let session = self.new_session(pool_id, client_id, &user.username, device_key, stage);
        Ok(
            json!({"ChallengeName": "PASSWORD_VERIFIER", "Session": session, "ChallengeParameters": challenge}),
        )
    }

    /// One round of the custom auth triggers: define, then create or finish.
    fn custom_step(
        &mut self,
        signer: &Signer,
        pool_id: &str,
        client_id: &str,
        username: &str,
        results: Vec<ChallengeResult>,
    ) -> Answer {
        let triggers = self
            .pools
            .get(pool_id)
            .and_then(|p| p.config.custom_auth.clone())
            .ok_or_else(|| {
                fault(
                    "InvalidParameterException",
                    "Custom auth lambda trigger is not configured for the user pool.",
                )
            })?;
        match triggers.0.define(username, &results) {
            Define::Fail => Err(fault(NOT_AUTHORIZED, BAD_CREDENTIALS)),
            Define::IssueTokens => {
                let result = self.issue(signer, pool_id, client_id, username, None, None)?;
                Ok(json!({"AuthenticationResult": result, "ChallengeParameters": {}}))
            }
            Define::CustomChallenge => {
                let challenge = triggers.0.create(username, &results);
                let mut params = json!({"USERNAME": username});
                for (k, v) in &challenge.public {
                    params[k.as_str()] = json!(v);
                }
                let session = self.new_session(
                    pool_id,
                    client_id,
                    username,
                    None,
                    Stage::Custom {
                        results,
                        answer: challenge.answer,
                    },
                );
                Ok(
                    json!({"ChallengeName": "CUSTOM_CHALLENGE", "Session": session, "ChallengeParameters": params}),
                )
            }
        }
    }

    pub(crate) fn respond_to_auth_challenge(&mut self, signer: &Signer, body: &Value) -> Answer {
        let client_id = field(body, "ClientId")?.to_owned();
        let name = field(body, "ChallengeName")?.to_owned();
        let responses = body.get("ChallengeResponses").cloned().unwrap_or(json!({}));
        let session_id = body
            .get("Session")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut session = self.take_session(Some(&session_id), &client_id)?;
        let username = param(&responses, "USERNAME")?.to_owned();
        self.check_secret_hash(
            &client_id,
            &username,
            responses.get("SECRET_HASH").and_then(Value::as_str),
        )?;
        if self
            .user(&session.pool_id, &username)
            .map(|u| u.username.clone())
            .ok()
            .as_deref()
            != Some(session.username.as_str())
        {
            return Err(fault(NOT_AUTHORIZED, "Invalid session for the user."));
        }
        let (pool_id, user_name) = (session.pool_id.clone(), session.username.clone());
        let realm = self
            .pools
            .get(&pool_id)
            .map(|p| p.name().to_owned())
            .unwrap_or_default();
        let stage = std::mem::replace(&mut session.stage, Stage::NewPassword);
        match (name.as_str(), stage) {
            (
                "PASSWORD_VERIFIER",
                Stage::PasswordVerifier {
                    b,
                    big_b,
                    secret_block,
                    big_a,
                    custom,
                },
            ) => {
                let timestamp = param(&responses, "TIMESTAMP")?;
                self.check_timestamp(timestamp)?;
                let user = self.user(&pool_id, &user_name)?.clone();
                let exchange = srp::Exchange { b, big_b };
                let expected = srp::expected_signature(
                    &exchange,
                    &user.verifier,
                    &big_a,
                    &realm,
                    &user.username,
                    &secret_block,
                    timestamp,
                )
                .ok_or_else(|| fault(NOT_AUTHORIZED, BAD_CREDENTIALS))?;
                let given = param(&responses, "PASSWORD_CLAIM_SIGNATURE")?;
                if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
                    return Err(fault(NOT_AUTHORIZED, BAD_CREDENTIALS));
                }
                if custom {
                    let results = vec![ChallengeResult {
                        name: "SRP_A".into(),
                        correct: true,
                    }];
                    return self.custom_step(signer, &pool_id, &client_id, &user_name, results);
                }
                let device_key = responses
                    .get("DEVICE_KEY")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or(session.device_key);
                self.after_password(signer, &pool_id, &client_id, &user_name, device_key, false)
            }
            ("DEVICE_SRP_AUTH", Stage::DeviceSrp { device_key }) => {
                let device = self
                    .pools
                    .get(&pool_id)
                    .and_then(|p| p.devices.get(&device_key))
                    .cloned()
                    .ok_or_else(|| fault("ResourceNotFoundException", "Device does not exist."))?;
                let big_a = srp::parse_public(param(&responses, "SRP_A")?)
                    .filter(|a| *a != BigUint::ZERO)
                    .ok_or_else(|| fault("InvalidParameterException", "SRP_A is invalid"))?;
                let exchange = srp::start(
                    &device.verifier,
                    BigUint::from_bytes_be(&self.bytes::<32>()),
                );
                let secret_block = self.bytes::<64>().to_vec();
                let params = json!({
                    "SRP_B": srp::to_hex(&exchange.big_b), "SALT": srp::to_hex(&BigUint::from_bytes_be(&device.salt)),
                    "SECRET_BLOCK": BASE64.encode(&secret_block), "USERNAME": user_name, "DEVICE_KEY": device_key,
                });
                let id = self.new_session(
                    &pool_id,
                    &client_id,
                    &user_name,
                    Some(device_key.clone()),
                    Stage::DevicePasswordVerifier {
                        device_key,
                        b: exchange.b,
                        big_b: exchange.big_b,
                        secret_block,
                        big_a,
                    },
                );
                Ok(
                    json!({"ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": id, "ChallengeParameters": params}),
                )
            }
            (
                "DEVICE_PASSWORD_VERIFIER",
                Stage::DevicePasswordVerifier {
                    device_key,
                    b,
                    big_b,
                    secret_block,
                    big_a,
                },
            ) => {
                let timestamp = param(&responses, "TIMESTAMP")?;
                self.check_timestamp(timestamp)?;
                let device = self
                    .pools
                    .get(&pool_id)
                    .and_then(|p| p.devices.get(&device_key))
                    .cloned()
                    .ok_or_else(|| fault("ResourceNotFoundException", "Device does not exist."))?;
                let exchange = srp::Exchange { b, big_b };
                let expected = srp::expected_signature(
                    &exchange,
                    &device.verifier,
                    &big_a,
                    &device.group_key,
                    &device.key,
                    &secret_block,
                    timestamp,
                )
                .ok_or_else(|| fault(NOT_AUTHORIZED, "Incorrect device password."))?;
                if !bool::from(
                    param(&responses, "PASSWORD_CLAIM_SIGNATURE")?
                        .as_bytes()
                        .ct_eq(expected.as_bytes()),
                ) {
                    return Err(fault(NOT_AUTHORIZED, "Incorrect device password."));
                }
                self.after_password(
                    signer,
                    &pool_id,
                    &client_id,
                    &user_name,
                    Some(device_key),
                    true,
                )
            }
            ("SOFTWARE_TOKEN_MFA", Stage::TotpMfa) => {
                let code = param(&responses, "SOFTWARE_TOKEN_MFA_CODE")?;
                let secret = self
                    .user(&pool_id, &user_name)?
                    .totp_secret
                    .clone()
                    .unwrap_or_default();
                if !totp::check(&secret, code, self.unix()) {
                    return self.retry(
                        &session_id,
                        session,
                        Stage::TotpMfa,
                        fault("CodeMismatchException", "Invalid code received for user"),
                    );
                }
                self.finish_mfa(signer, &pool_id, &client_id, &user_name, session.device_key)
            }
            ("SMS_MFA", Stage::SmsMfa { code }) => {
                let given = param(&responses, "SMS_MFA_CODE")?;
                if !bool::from(given.trim().as_bytes().ct_eq(code.as_bytes())) {
                    return self.retry(
                        &session_id,
                        session,
                        Stage::SmsMfa { code },
                        fault(
                            "CodeMismatchException",
                            "Invalid code or auth state for the user.",
                        ),
                    );
                }
                self.finish_mfa(signer, &pool_id, &client_id, &user_name, session.device_key)
            }
            ("NEW_PASSWORD_REQUIRED", Stage::NewPassword) => {
                let password = param(&responses, "NEW_PASSWORD")?;
                let policy = self
                    .pools
                    .get(&pool_id)
                    .map(|p| p.config.password_policy)
                    .unwrap_or_default();
                if let Err(why) = policy.check(password) {
                    return self.retry(
                        &session_id,
                        session,
                        Stage::NewPassword,
                        fault("InvalidPasswordException", why),
                    );
                }
                let salt = self.bytes::<16>();
                let user = self.user_mut(&pool_id, &user_name)?;
                user.salt = salt;
                user.verifier = srp::verifier(&realm, &user_name, password, &salt);
                user.status = Status::Confirmed;
                if let Some(attrs) = responses.as_object() {
                    for (k, v) in attrs {
                        if let (Some(attr), Some(v)) =
                            (k.strip_prefix("userAttributes."), v.as_str())
                        {
                            user.attributes.insert(attr.to_owned(), v.to_owned());
                        }
                    }
                }
                self.after_password(
                    signer,
                    &pool_id,
                    &client_id,
                    &user_name,
                    session.device_key,
                    false,
                )
            }
            ("MFA_SETUP", Stage::MfaSetupVerified) => {
                let user = self.user_mut(&pool_id, &user_name)?;
                user.totp_secret = user.totp_pending.take();
                user.preferred_mfa = Some("SOFTWARE_TOKEN_MFA".into());
                self.finish_mfa(signer, &pool_id, &client_id, &user_name, session.device_key)
            }
            (
                "CUSTOM_CHALLENGE",
                Stage::Custom {
                    mut results,
                    answer,
                },
            ) => {
                let given = param(&responses, "ANSWER")?;
                let triggers = self
                    .pools
                    .get(&pool_id)
                    .and_then(|p| p.config.custom_auth.clone())
                    .ok_or_else(|| {
                        fault(
                            "InvalidParameterException",
                            "Custom auth lambda trigger is not configured for the user pool.",
                        )
                    })?;
                let correct = triggers.0.verify(&user_name, &answer, given);
                results.push(ChallengeResult {
                    name: "CUSTOM_CHALLENGE".into(),
                    correct,
                });
                self.custom_step(signer, &pool_id, &client_id, &user_name, results)
            }
            ("MFA_SETUP", Stage::MfaSetup) => Err(fault(
                "InvalidParameterException",
                "Software token MFA has not been verified (VerifySoftwareToken)",
            )),
            _ => Err(fault(
                "InvalidParameterException",
                format!("{name} does not answer this session's challenge"),
            )),
        }
    }

    /// A wrong answer: the same session stays valid for another try, three tries in all.
    fn retry(&mut self, id: &str, mut session: Session, stage: Stage, error: Fault) -> Answer {
        session.attempts += 1;
        session.stage = stage;
        if session.attempts < 3 {
            self.sessions.insert(id.to_owned(), session);
        }
        Err(error)
    }

    fn finish_mfa(
        &mut self,
        signer: &Signer,
        pool_id: &str,
        client_id: &str,
        username: &str,
        device_key: Option<String>,
    ) -> Answer {
        self.sign_in_done(signer, pool_id, client_id, username, device_key)
    }
}

fn internal(e: String) -> Fault {
    Fault {
        status: 500,
        kind: "InternalErrorException",
        message: e,
    }
}

/// `a***@e***.com` / `+*******0100`.
fn mask(destination: &str) -> String {
    if let Some((local, domain)) = destination.split_once('@') {
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
        format!("{}***@{}***.{tld}", first(local), first(host))
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
