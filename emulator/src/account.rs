//! The account operations: sign-up, passwords, attributes, MFA settings, sign-out, devices.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use num_bigint::BigUint;
use serde_json::{Value, json};

use crate::ops::Fault;
use crate::srp;
use crate::state::{Inner, Stage, Status, User};
use crate::totp;

type Answer = Result<Value, Fault>;

fn fault(kind: &'static str, message: impl Into<String>) -> Fault {
    Fault {
        status: 400,
        kind,
        message: message.into(),
    }
}

fn field<'a>(body: &'a Value, name: &str) -> Result<&'a str, Fault> {
    body.get(name).and_then(Value::as_str).ok_or_else(|| {
        fault(
            "InvalidParameterException",
            format!("1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"),
        )
    })
}

fn attributes(body: &Value, name: &str) -> BTreeMap<String, String> {
    body.get(name)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    Some((
                        a.get("Name")?.as_str()?.to_owned(),
                        a.get("Value")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn attribute_list(map: &BTreeMap<String, String>) -> Value {
    Value::Array(
        map.iter()
            .map(|(k, v)| json!({"Name": k, "Value": v}))
            .collect(),
    )
}

impl Inner {
    fn secret_checked_user(&self, body: &Value) -> Result<(String, String, String), Fault> {
        let client_id = field(body, "ClientId")?.to_owned();
        let name = field(body, "Username")?.to_owned();
        let (pool_id, secret) = self
            .pools
            .values()
            .find_map(|p| {
                p.clients
                    .get(&client_id)
                    .map(|c| (p.id.clone(), c.secret.clone()))
            })
            .ok_or_else(|| {
                fault(
                    "ResourceNotFoundException",
                    "User pool client does not exist.",
                )
            })?;
        if let Some(secret) = secret {
            use hmac::{KeyInit, Mac};
            let mut m = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
                .map_err(|_| fault("InternalErrorException", "hmac"))?;
            m.update(name.as_bytes());
            m.update(client_id.as_bytes());
            let expected = BASE64.encode(m.finalize().into_bytes());
            if body.get("SecretHash").and_then(Value::as_str) != Some(expected.as_str()) {
                return Err(fault(
                    "NotAuthorizedException",
                    format!(
                        "Client {client_id} is configured with secret but SECRET_HASH was not received"
                    ),
                ));
            }
        }
        Ok((pool_id, client_id, name))
    }

    fn policy_check(&self, pool_id: &str, password: &str) -> Result<(), Fault> {
        let policy = self
            .pools
            .get(pool_id)
            .map(|p| p.config.password_policy)
            .unwrap_or_default();
        policy
            .check(password)
            .map_err(|why| fault("InvalidPasswordException", why))
    }

    pub(crate) fn set_password(
        &mut self,
        pool_id: &str,
        username: &str,
        password: &str,
    ) -> Result<(), Fault> {
        let salt = self.bytes::<16>();
        let realm = self
            .pools
            .get(pool_id)
            .map(|p| p.name().to_owned())
            .unwrap_or_default();
        let user = self
            .pools
            .get_mut(pool_id)
            .and_then(|p| p.users.get_mut(username))
            .ok_or_else(|| fault("UserNotFoundException", "User does not exist."))?;
        user.salt = salt;
        user.verifier = srp::verifier(&realm, username, password, &salt);
        Ok(())
    }

    pub(crate) fn new_user(
        &mut self,
        pool_id: &str,
        username: &str,
        password: &str,
        attrs: BTreeMap<String, String>,
        status: Status,
    ) -> Result<String, Fault> {
        let pool = self
            .pools
            .get(pool_id)
            .ok_or_else(|| fault("ResourceNotFoundException", "User pool does not exist."))?;
        if pool.users.contains_key(username) {
            return Err(fault("UsernameExistsException", "User already exists"));
        }
        let sub = self.uuid();
        let mut attributes = attrs;
        attributes.insert("sub".into(), sub.clone());
        let user = User {
            username: username.into(),
            sub: sub.clone(),
            salt: [0; 16],
            verifier: BigUint::ZERO,
            status,
            attributes,
            totp_secret: None,
            totp_pending: None,
            sms_mfa: false,
            preferred_mfa: None,
            signup_code: None,
            reset_code: None,
            attribute_codes: BTreeMap::new(),
            signed_out_at: 0,
        };
        if let Some(pool) = self.pools.get_mut(pool_id) {
            pool.users.insert(username.into(), user);
        }
        self.set_password(pool_id, username, password)?;
        Ok(sub)
    }

    pub(crate) fn sign_up(&mut self, body: &Value) -> Answer {
        let (pool_id, _, username) = self.secret_checked_user(body)?;
        let password = field(body, "Password")?;
        self.policy_check(&pool_id, password)?;
        let sub = self.new_user(
            &pool_id,
            &username,
            password,
            attributes(body, "UserAttributes"),
            Status::Unconfirmed,
        )?;
        let (message, delivery) = self.send_code_for(&pool_id, &username, "SignUp");
        if let Some(user) = self
            .pools
            .get_mut(&pool_id)
            .and_then(|p| p.users.get_mut(&username))
        {
            user.signup_code = Some(message);
        }
        Ok(json!({"UserSub": sub, "UserConfirmed": false, "CodeDeliveryDetails": delivery}))
    }

    fn send_code_for(&mut self, pool_id: &str, username: &str, purpose: &str) -> (String, Value) {
        let (message, delivery) = self.send_code_public(pool_id, username, purpose);
        (message, delivery)
    }

    pub(crate) fn confirm_sign_up(&mut self, body: &Value) -> Answer {
        let (pool_id, _, username) = self.secret_checked_user(body)?;
        let code = field(body, "ConfirmationCode")?.trim().to_owned();
        let user = self
            .pools
            .get_mut(&pool_id)
            .and_then(|p| p.users.get_mut(&username))
            .ok_or_else(|| {
                fault(
                    "UserNotFoundException",
                    "Username/client id combination not found.",
                )
            })?;
        if user.status != Status::Unconfirmed {
            return Err(fault(
                "NotAuthorizedException",
                "User cannot be confirmed. Current status is CONFIRMED",
            ));
        }
        if user.signup_code.as_deref() != Some(code.as_str()) {
            return Err(fault(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            ));
        }
        user.status = Status::Confirmed;
        user.signup_code = None;
        Ok(json!({}))
    }

    pub(crate) fn resend_confirmation_code(&mut self, body: &Value) -> Answer {
        let (pool_id, _, username) = self.secret_checked_user(body)?;
        let status = self
            .pools
            .get(&pool_id)
            .and_then(|p| p.users.get(&username))
            .map(|u| u.status)
            .ok_or_else(|| {
                fault(
                    "UserNotFoundException",
                    "Username/client id combination not found.",
                )
            })?;
        if status != Status::Unconfirmed {
            return Err(fault(
                "InvalidParameterException",
                "User is already confirmed.",
            ));
        }
        let (code, delivery) = self.send_code_for(&pool_id, &username, "SignUp");
        if let Some(user) = self
            .pools
            .get_mut(&pool_id)
            .and_then(|p| p.users.get_mut(&username))
        {
            user.signup_code = Some(code);
        }
        Ok(json!({"CodeDeliveryDetails": delivery}))
    }

    pub(crate) fn forgot_password(&mut self, body: &Value) -> Answer {
        let (pool_id, _, name) = self.secret_checked_user(body)?;
        let username = self
            .pools
            .get(&pool_id)
            .and_then(|p| p.find(&name))
            .map(|u| u.username.clone())
            .ok_or_else(|| {
                fault(
                    "UserNotFoundException",
                    "Username/client id combination not found.",
                )
            })?;
        let (code, delivery) = self.send_code_for(&pool_id, &username, "ForgotPassword");
        if let Some(user) = self
            .pools
            .get_mut(&pool_id)
            .and_then(|p| p.users.get_mut(&username))
        {
            user.reset_code = Some(code);
        }
        Ok(json!({"CodeDeliveryDetails": delivery}))
    }

    pub(crate) fn confirm_forgot_password(&mut self, body: &Value) -> Answer {
        let (pool_id, _, name) = self.secret_checked_user(body)?;
        let code = field(body, "ConfirmationCode")?.trim().to_owned();
        let password = field(body, "Password")?.to_owned();
        let username = self
            .pools
            .get(&pool_id)
            .and_then(|p| p.find(&name))
            .map(|u| u.username.clone())
            .ok_or_else(|| {
                fault(
                    "UserNotFoundException",
                    "Username/client id combination not found.",
                )
            })?;
        let expected = self
            .pools
            .get(&pool_id)
            .and_then(|p| p.users.get(&username))
            .and_then(|u| u.reset_code.clone());
        match expected {
            None => {
                return Err(fault(
                    "ExpiredCodeException",
                    "Invalid code provided, please request a code again.",
                ));
            }
            Some(c) if c != code => {
                return Err(fault(
                    "CodeMismatchException",
                    "Invalid verification code provided, please try again.",
                ));
            }
            Some(_) => {}
        }
        self.policy_check(&pool_id, &password)?;
        self.set_password(&pool_id, &username, &password)?;
        if let Some(user) = self
            .pools
            .get_mut(&pool_id)
            .and_then(|p| p.users.get_mut(&username))
        {
            user.reset_code = None;
            if user.status == Status::ForceChangePassword {
                user.status = Status::Confirmed;
            }
        }
        Ok(json!({}))
    }

    fn signed_in(&self, body: &Value) -> Result<(String, String), Fault> {
        let token = field(body, "AccessToken")?;
        let (pool_id, username, _) = self.access_public(token)?;
        Ok((pool_id, username))
    }

    fn me(&mut self, body: &Value) -> Result<(String, &mut User), Fault> {
        let (pool_id, username) = self.signed_in(body)?;
        let user = self
            .pools
            .get_mut(&pool_id)
            .and_then(|p| p.users.get_mut(&username))
            .ok_or_else(|| fault("UserNotFoundException", "User does not exist."))?;
        Ok((pool_id, user))
    }

    pub(crate) fn change_password(&mut self, body: &Value) -> Answer {
        let (pool_id, username) = self.signed_in(body)?;
        let previous = field(body, "PreviousPassword")?;
        let proposed = field(body, "ProposedPassword")?.to_owned();
        let realm = self
            .pools
            .get(&pool_id)
            .map(|p| p.name().to_owned())
            .unwrap_or_default();
        let user = self
            .pools
            .get(&pool_id)
            .and_then(|p| p.users.get(&username))
            .ok_or_else(|| fault("UserNotFoundException", "User does not exist."))?;
        if srp::verifier(&realm, &username, previous, &user.salt) != user.verifier {
            return Err(fault(
                "NotAuthorizedException",
                "Incorrect username or password.",
            ));
        }
        self.policy_check(&pool_id, &proposed)?;
        self.set_password(&pool_id, &username, &proposed)?;
        Ok(json!({}))
    }

    pub(crate) fn get_user(&mut self, body: &Value) -> Answer {
        let (_, user) = self.me(body)?;
        let mut list = Vec::new();
        if user.sms_mfa {
            list.push("SMS_MFA");
        }
        if user.totp_secret.is_some() {
            list.push("SOFTWARE_TOKEN_MFA");
        }
        let mut answer = json!({"Username": user.username, "UserAttributes": attribute_list(&user.attributes), "UserMFASettingList": list});
        if let Some(p) = &user.preferred_mfa {
            answer["PreferredMfaSetting"] = json!(p);
        }
        if user.sms_mfa {
            answer["MFAOptions"] =
                json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]);
        }
        Ok(answer)
    }

    pub(crate) fn update_user_attributes(&mut self, body: &Value) -> Answer {
        let changes = attributes(body, "UserAttributes");
        if changes.contains_key("sub") {
            return Err(fault(
                "InvalidParameterException",
                "Cannot modify the non-mutable attribute sub",
            ));
        }
        let (pool_id, user) = self.me(body)?;
        let username = user.username.clone();
        let mut to_verify = Vec::new();
        for (k, v) in changes {
            if (k == "email" || k == "phone_number") && user.attributes.get(&k) != Some(&v) {
                user.attributes
                    .insert(format!("{k}_verified"), "false".into());
                to_verify.push(k.clone());
            }
            user.attributes.insert(k, v);
        }
        let mut deliveries = Vec::new();
        for attribute in to_verify {
            let (code, delivery) =
                self.send_code_public(&pool_id, &username, "VerifyUserAttribute");
            if let Some(user) = self
                .pools
                .get_mut(&pool_id)
                .and_then(|p| p.users.get_mut(&username))
            {
                user.attribute_codes.insert(attribute, code);
            }
            deliveries.push(delivery);
        }
        Ok(json!({"CodeDeliveryDetailsList": deliveries}))
    }

    pub(crate) fn delete_user_attributes(&mut self, body: &Value) -> Answer {
        let names: Vec<String> = body
            .get("UserAttributeNames")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let (_, user) = self.me(body)?;
        for name in names {
            if name == "sub" {
                return Err(fault(
                    "InvalidParameterException",
                    "Cannot delete the non-mutable attribute sub",
                ));
            }
            user.attributes.remove(&name);
        }
        Ok(json!({}))
    }

    pub(crate) fn get_user_attribute_verification_code(&mut self, body: &Value) -> Answer {
        let attribute = field(body, "AttributeName")?.to_owned();
        let (pool_id, username) = self.signed_in(body)?;
        let (code, delivery) = self.send_code_public(&pool_id, &username, "VerifyUserAttribute");
        if let Some(user) = self
            .pools
            .get_mut(&pool_id)
            .and_then(|p| p.users.get_mut(&username))
        {
            user.attribute_codes.insert(attribute, code);
        }
        Ok(json!({"CodeDeliveryDetails": delivery}))
    }

    pub(crate) fn verify_user_attribute(&mut self, body: &Value) -> Answer {
        let attribute = field(body, "AttributeName")?.to_owned();
        let code = field(body, "Code")?.trim().to_owned();
        let (_, user) = self.me(body)?;
        match user.attribute_codes.get(&attribute) {
            Some(c) if *c == code => {
                user.attribute_codes.remove(&attribute);
                user.attributes
                    .insert(format!("{attribute}_verified"), "true".into());
                Ok(json!({}))
            }
            Some(_) => Err(fault(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            )),
            None => Err(fault(
                "ExpiredCodeException",
                "Invalid code provided, please request a code again.",
            )),
        }
    }

    pub(crate) fn set_user_mfa_preference(&mut self, body: &Value) -> Answer {
        let (_, user) = self.me(body)?;
        if let Some(s) = body.get("SMSMfaSettings") {
            user.sms_mfa = s
                .get("Enabled")
                .and_then(Value::as_bool)
                .unwrap_or(user.sms_mfa);
            if s.get("PreferredMfa").and_then(Value::as_bool) == Some(true) {
                user.preferred_mfa = Some("SMS_MFA".into());
            }
        }
        if let Some(s) = body.get("SoftwareTokenMfaSettings") {
            if s.get("Enabled").and_then(Value::as_bool) == Some(true) && user.totp_secret.is_none()
            {
                return Err(fault(
                    "InvalidParameterException",
                    "User has not verified software token mfa",
                ));
            }
            if s.get("Enabled").and_then(Value::as_bool) == Some(false) {
                user.totp_secret = None;
            }
            if s.get("PreferredMfa").and_then(Value::as_bool) == Some(true) {
                user.preferred_mfa = Some("SOFTWARE_TOKEN_MFA".into());
            }
        }
        Ok(json!({}))
    }

    pub(crate) fn set_user_settings(&mut self, body: &Value) -> Answer {
        let enable = body
            .get("MFAOptions")
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty());
        let (_, user) = self.me(body)?;
        user.sms_mfa = enable;
        Ok(json!({}))
    }

    pub(crate) fn associate_software_token(&mut self, body: &Value) -> Answer {
        let secret = crate::totp::BASE32.encode(&self.bytes::<20>());
        if let Some(session_id) = body.get("Session").and_then(Value::as_str) {
            let mut session = self
                .sessions
                .remove(session_id)
                .ok_or_else(|| fault("NotAuthorizedException", "Invalid session for the user."))?;
            if !matches!(session.stage, Stage::MfaSetup) {
                return Err(fault(
                    "NotAuthorizedException",
                    "Invalid session for the user.",
                ));
            }
            let (pool_id, username) = (session.pool_id.clone(), session.username.clone());
            if let Some(user) = self
                .pools
                .get_mut(&pool_id)
                .and_then(|p| p.users.get_mut(&username))
            {
                user.totp_pending = Some(secret.clone());
            }
            session.expires = self.unix() + 180;
            let id = self.token();
            self.sessions.insert(id.clone(), session);
            return Ok(json!({"SecretCode": secret, "Session": id}));
        }
        let (_, user) = self.me(body)?;
        user.totp_pending = Some(secret.clone());
        Ok(json!({"SecretCode": secret}))
    }

    pub(crate) fn verify_software_token(&mut self, body: &Value) -> Answer {
        let code = field(body, "UserCode")?.to_owned();
        let now = self.unix();
        if let Some(session_id) = body.get("Session").and_then(Value::as_str) {
            let mut session = self
                .sessions
                .remove(session_id)
                .ok_or_else(|| fault("NotAuthorizedException", "Invalid session for the user."))?;
            let (pool_id, username) = (session.pool_id.clone(), session.username.clone());
            let pending = self
                .pools
                .get(&pool_id)
                .and_then(|p| p.users.get(&username))
                .and_then(|u| u.totp_pending.clone())
                .unwrap_or_default();
            let id = self.token();
            if !totp::check(&pending, &code, now) {
                self.sessions.insert(session_id.to_owned(), session);
                return Err(fault(
                    "EnableSoftwareTokenMFAException",
                    "Code mismatch and fail enable Software Token MFA",
                ));
            }
            session.stage = Stage::MfaSetupVerified;
            self.sessions.insert(id.clone(), session);
            return Ok(json!({"Status": "SUCCESS", "Session": id}));
        }
        let (_, user) = self.me(body)?;
        let pending = user.totp_pending.clone().unwrap_or_default();
        if !totp::check(&pending, &code, now) {
            return Err(fault(
                "EnableSoftwareTokenMFAException",
                "Code mismatch and fail enable Software Token MFA",
            ));
        }
        user.totp_secret = user.totp_pending.take();
        Ok(json!({"Status": "SUCCESS"}))
    }

    pub(crate) fn global_sign_out(&mut self, body: &Value) -> Answer {
        let now = self.unix() + 1;
        let (_, user) = self.me(body)?;
        user.signed_out_at = now;
        Ok(json!({}))
    }

    pub(crate) fn revoke_token(&mut self, body: &Value) -> Answer {
        let token = field(body, "Token")?.to_owned();
        let client_id = field(body, "ClientId")?.to_owned();
        let secret = self
            .pools
            .values()
            .find_map(|p| p.clients.get(&client_id).map(|c| c.secret.clone()))
            .ok_or_else(|| {
                fault(
                    "ResourceNotFoundException",
                    "User pool client does not exist.",
                )
            })?;
        if secret.is_some() && body.get("ClientSecret").and_then(Value::as_str) != secret.as_deref()
        {
            return Err(fault(
                "NotAuthorizedException",
                "Client secret is incorrect.",
            ));
        }
        let Some(record) = self.refresh_tokens.get_mut(&token) else {
            return Err(fault(
                "UnsupportedTokenTypeException",
                "Token is not a refresh token",
            ));
        };
        if record.client_id != client_id {
            return Err(fault(
                "UnauthorizedException",
                "The client is not allowed to revoke this token",
            ));
        }
        record.revoked = true;
        for t in self.access_tokens.values_mut() {
            if t.refresh.as_deref() == Some(token.as_str()) {
                t.revoked = true;
            }
        }
        Ok(json!({}))
    }

    pub(crate) fn delete_user(&mut self, body: &Value) -> Answer {
        let (pool_id, username) = self.signed_in(body)?;
        if let Some(pool) = self.pools.get_mut(&pool_id) {
            pool.users.remove(&username);
            pool.devices.retain(|_, d| d.username != username);
        }
        Ok(json!({}))
    }

    pub(crate) fn confirm_device(&mut self, body: &Value) -> Answer {
        let (pool_id, username) = self.signed_in(body)?;
        let key = field(body, "DeviceKey")?.to_owned();
        let config = body
            .get("DeviceSecretVerifierConfig")
            .cloned()
            .unwrap_or(json!({}));
        let decode = |name: &str| {
            config
                .get(name)
                .and_then(Value::as_str)
                .and_then(|s| BASE64.decode(s).ok())
        };
        let (Some(verifier), Some(salt)) = (decode("PasswordVerifier"), decode("Salt")) else {
            return Err(fault(
                "InvalidParameterException",
                "DeviceSecretVerifierConfig is invalid",
            ));
        };
        let tracking = self
            .pools
            .get(&pool_id)
            .map(|p| p.config.device_tracking)
            .unwrap_or_default();
        let device = self
            .pools
            .get_mut(&pool_id)
            .and_then(|p| p.devices.get_mut(&key))
            .filter(|d| d.username == username)
            .ok_or_else(|| fault("ResourceNotFoundException", "Device does not exist."))?;
        device.verifier = BigUint::from_bytes_be(&verifier);
        device.salt = salt;
        device.name = body
            .get("DeviceName")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let necessary = tracking == crate::state::DeviceTracking::UserOptIn;
        if !necessary {
            device.remembered = Some(true);
        }
        Ok(json!({"UserConfirmationNecessary": necessary}))
    }

    pub(crate) fn update_device_status(&mut self, body: &Value) -> Answer {
        let (pool_id, username) = self.signed_in(body)?;
        let key = field(body, "DeviceKey")?.to_owned();
        let remembered =
            body.get("DeviceRememberedStatus").and_then(Value::as_str) == Some("remembered");
        let device = self
            .pools
            .get_mut(&pool_id)
            .and_then(|p| p.devices.get_mut(&key))
            .filter(|d| d.username == username)
            .ok_or_else(|| fault("ResourceNotFoundException", "Device does not exist."))?;
        device.remembered = Some(remembered);
        Ok(json!({}))
    }

    fn device_json(d: &crate::state::Device) -> Value {
        let mut attrs = BTreeMap::new();
        if let Some(name) = &d.name {
            attrs.insert("device_name".to_owned(), name.clone());
        }
        attrs.insert("device_status".into(), "valid".into());
        attrs.insert(
            "dev:device_remembered_status".into(),
            if d.remembered == Some(true) {
                "remembered"
            } else {
                "not_remembered"
            }
            .into(),
        );
        json!({"DeviceKey": d.key, "DeviceAttributes": attribute_list(&attrs), "DeviceCreateDate": d.created,
               "DeviceLastModifiedDate": d.created, "DeviceLastAuthenticatedDate": d.last_authenticated})
    }

    pub(crate) fn list_devices(&mut self, body: &Value) -> Answer {
        let (pool_id, username) = self.signed_in(body)?;
        let limit = body
            .get("Limit")
            .and_then(Value::as_u64)
            .unwrap_or(60)
            .clamp(1, 60) as usize;
        let start = body
            .get("PaginationToken")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let devices: Vec<_> = self
            .pools
            .get(&pool_id)
            .map(|p| {
                p.devices
                    .values()
                    .filter(|d| d.username == username && d.verifier != BigUint::ZERO)
                    .filter(|d| start.as_ref().is_none_or(|s| d.key >= *s))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let page: Vec<Value> = devices.iter().take(limit).map(Self::device_json).collect();
        let mut answer = json!({"Devices": page});
        if let Some(next) = devices.get(limit) {
            answer["PaginationToken"] = json!(next.key);
        }
        Ok(answer)
    }

    pub(crate) fn get_device(&mut self, body: &Value) -> Answer {
        let (pool_id, username) = self.signed_in(body)?;
        let key = field(body, "DeviceKey")?;
        let device = self
            .pools
            .get(&pool_id)
            .and_then(|p| p.devices.get(key))
            .filter(|d| d.username == username)
            .ok_or_else(|| fault("ResourceNotFoundException", "Device does not exist."))?;
        Ok(json!({"Device": Self::device_json(device)}))
    }

    pub(crate) fn forget_device(&mut self, body: &Value) -> Answer {
        let (pool_id, username) = self.signed_in(body)?;
        let key = field(body, "DeviceKey")?.to_owned();
        let pool = self
            .pools
            .get_mut(&pool_id)
            .ok_or_else(|| fault("ResourceNotFoundException", "Device does not exist."))?;
        match pool.devices.get(&key) {
            Some(d) if d.username == username => {
                pool.devices.remove(&key);
                Ok(json!({}))
            }
            _ => Err(fault("ResourceNotFoundException", "Device does not exist.")),
        }
    }
}
