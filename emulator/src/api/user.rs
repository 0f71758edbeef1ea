//! The account operations: sign-up, passwords, attributes, MFA settings, sign-out, devices.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use num_bigint::BigUint;
use serde_json::{Value, json};

use crate::api::wire::device_json;
use crate::auth::engine::realm;
use crate::auth::engine::{Who, prepare};
use crate::auth::shared::Shared;
use crate::auth::srp;
use crate::auth::totp;
use crate::fault::{Answer, Fault, NOT_AUTHORIZED, fault, no_device};
use crate::input::field;
use crate::input::{attribute_list, attributes};
use crate::model::state::{Client, Code, Credential, Inner, Mfa, Stage, Status, User};
use crate::rules::check_attributes;

/// The delivery Cognito reports for a user who does not exist, when the client prevents user
/// existence errors: an email, masked like a real one.
fn phantom_delivery(name: &str) -> Value {
    let first = name.chars().next().unwrap_or('u');
    json!({"Destination": format!("{first}***@e***"), "DeliveryMedium": "EMAIL", "AttributeName": "email"})
}

/// The codes a user may ask for in an hour (Cognito's quota is a few per user and hour; its
/// exact figure is not documented).
const CODE_SENDS_PER_HOUR: usize = 5;

/// Cognito verifies `email` and `phone_number` only: any other name would put an
/// `<name>_verified` claim into the id token.
fn verifiable(attribute: &str) -> Result<(), Fault> {
    if attribute == "email" || attribute == "phone_number" {
        Ok(())
    } else {
        Err(fault(
            "InvalidParameterException",
            "Invalid attribute name: only email and phone_number can be verified.",
        ))
    }
}

fn is_true(user: &User, attribute: &str) -> bool {
    // Cognito reads `True` (any case) as true.
    user.attributes
        .get(attribute)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

impl Inner {
    /// The pool, client and named user of a call with `ClientId`, `Username` and `SecretHash`,
    /// once the `SecretHash` checks out (a client with a secret). On a pool whose users sign in
    /// with their email or phone (`UsernameAttributes`), the name of the user with that address.
    pub(crate) fn secret_checked_user(
        &self,
        body: &Value,
    ) -> Result<(String, Client, String), Fault> {
        let client_id = field(body, "ClientId")?.to_owned();
        let name = field(body, "Username")?.to_owned();
        let (pool_id, client) = self.client(&client_id)?;
        if client.info.secret.is_some() {
            self.check_secret_hash(
                &client_id,
                &name,
                body.get("SecretHash").and_then(Value::as_str),
            )?;
        }
        let name = self
            .pools
            .get(&pool_id)
            .filter(|p| !p.config.settings.username_attributes.is_empty())
            .and_then(|p| p.find(&name))
            .map_or(name, |u| u.username.clone());
        Ok((pool_id, client, name))
    }

    pub(crate) fn policy_check(&self, pool_id: &str, password: &str) -> Result<(), Fault> {
        let policy = self
            .pools
            .get(pool_id)
            .map(|p| p.config.password_policy)
            .unwrap_or_default();
        policy
            .check(password)
            .map_err(|why| fault("InvalidPasswordException", why))
    }

    pub(crate) fn set_credential(
        &mut self,
        pool_id: &str,
        username: &str,
        credential: Credential,
    ) -> Result<(), Fault> {
        let user = self.user_mut(pool_id, username)?;
        user.credential = credential;
        Ok(())
    }

    pub(crate) fn new_user(
        &mut self,
        pool_id: &str,
        username: &str,
        credential: Credential,
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
        let now = self.unix();
        let mut attributes = attrs;
        attributes.insert("sub".into(), sub.clone());
        let user = User {
            username: username.into(),
            sub: sub.clone(),
            credential,
            status,
            attributes,
            totp_secret: None,
            totp_pending: None,
            totp_name: None,
            sms_mfa: false,
            email_mfa: false,
            preferred_mfa: None,
            signup_code: None,
            reset_code: None,
            attribute_codes: BTreeMap::new(),
            signed_out_seq: 0,
            failed_passwords: 0,
            locked_until: 0,
            disabled: false,
            groups: std::collections::BTreeSet::new(),
            linked: crate::model::provider_links::LinkedIdentities::default(),
            password_disabled: false,
            created: now,
            modified: now,
            temporary_since: 0,
        };
        if let Some(pool) = self.pools.get_mut(pool_id) {
            pool.users.insert(username.into(), user);
        }
        Ok(sub)
    }

    fn signed_in(&self, body: &Value) -> Result<(String, String), Fault> {
        let token = field(body, "AccessToken")?;
        let (pool_id, username, _) = self.access(token)?;
        Ok((pool_id, username))
    }

    /// Cognito's refusal when one of `names` is a custom attribute declared `Mutable: false`.
    pub(crate) fn check_mutable<'a>(
        &self,
        pool_id: &str,
        names: impl Iterator<Item = &'a String>,
    ) -> Result<(), Fault> {
        let settings = self.pools.get(pool_id).map(|p| &p.config.settings);
        match settings.and_then(|s| s.immutable_named(names)) {
            Some(name) => Err(fault(
                "InvalidParameterException",
                format!("Cannot modify the non-mutable attribute {name}"),
            )),
            None => Ok(()),
        }
    }

    /// Cognito's refusal when a change gives the user an email or phone number that another
    /// user of the pool has, on a pool whose users sign in with it (`UsernameAttributes`).
    pub(crate) fn check_alias_free(
        &self,
        pool_id: &str,
        username: &str,
        changes: &BTreeMap<String, String>,
    ) -> Result<(), Fault> {
        let Some(pool) = self.pools.get(pool_id) else {
            return Ok(());
        };
        for attribute in &pool.config.settings.username_attributes {
            let Some(value) = changes.get(attribute) else {
                continue;
            };
            if pool.attribute_taken(attribute, value, username) {
                let what = if attribute == "email" {
                    "email"
                } else {
                    "phone number"
                };
                return Err(fault(
                    "AliasExistsException",
                    format!("An account with the given {what} already exists."),
                ));
            }
        }
        Ok(())
    }

    /// Cognito's limit on the codes a user asks for (ForgotPassword, ResendConfirmationCode,
    /// GetUserAttributeVerificationCode): [`CODE_SENDS_PER_HOUR`] in an hour of the emulator's
    /// clock, then `LimitExceededException` until the oldest is an hour old.
    fn throttle_code_sends(&mut self, pool_id: &str, username: &str) -> Result<(), Fault> {
        let now = self.unix();
        let key = (pool_id.to_owned(), username.to_owned());
        self.code_sends
            .retain(|_, sends| sends.last().is_some_and(|t| now < t + 3600));
        let sends = self.code_sends.entry(key).or_default();
        sends.retain(|t| now < t + 3600);
        if sends.len() >= CODE_SENDS_PER_HOUR {
            return Err(fault(
                "LimitExceededException",
                "Attempt limit exceeded, please try after some time.",
            ));
        }
        sends.push(now);
        Ok(())
    }

    /// The settings of the app client the request's access token was issued to (its
    /// `client_id` claim; `api::dispatch` checked the signature).
    fn token_client(&self, pool_id: &str, body: &Value) -> crate::model::settings::ClientSettings {
        let client_id = body
            .get("AccessToken")
            .and_then(Value::as_str)
            .and_then(crate::auth::jwt::claims)
            .and_then(|c| {
                c.get("client_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        self.pools
            .get(pool_id)
            .and_then(|p| p.clients.get(&client_id))
            .map(|c| c.settings.clone())
            .unwrap_or_default()
    }

    /// Cognito's refusal when the access token's client may not write one of `names`.
    fn check_writable<'a>(
        &self,
        pool_id: &str,
        body: &Value,
        mut names: impl Iterator<Item = &'a String>,
    ) -> Result<(), Fault> {
        let client = self.token_client(pool_id, body);
        if names.any(|name| !client.may_write(name)) {
            return Err(fault(
                NOT_AUTHORIZED,
                "A client attempted to write unauthorized attribute",
            ));
        }
        Ok(())
    }

    fn me(&mut self, body: &Value) -> Result<(String, &mut User), Fault> {
        let (pool_id, username) = self.signed_in(body)?;
        let user = self.user_mut(&pool_id, &username)?;
        Ok((pool_id, user))
    }

    fn mfa_of(&self, pool_id: &str) -> Mfa {
        self.pools
            .get(pool_id)
            .map(|p| p.config.mfa)
            .unwrap_or_default()
    }
}

/// `UserNotFoundException` of the operations a client calls for a user by name.
fn no_such_user() -> Fault {
    fault(
        "UserNotFoundException",
        "Username/client id combination not found.",
    )
}

/// What a code given for an unknown user answers: a code mismatch when the client hides whether
/// users exist (`prevent`), else [`no_such_user`].
fn unknown_user_with_code(prevent: bool) -> Fault {
    if prevent {
        fault(
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        )
    } else {
        no_such_user()
    }
}

/// ConfirmSignUp: the code sent at sign-up confirms the user and verifies the address it went to.
pub(crate) fn confirm_sign_up(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, client, username) = state.secret_checked_user(body)?;
    let code = field(body, "ConfirmationCode")?.to_owned();
    let signed_up = state.check_signed_up_session(body, &pool_id, &client.info.id, &username)?;
    let Ok(user) = state.user_mut(&pool_id, &username) else {
        return Err(unknown_user_with_code(client.prevent_user_existence_errors));
    };
    if user.status != Status::Unconfirmed {
        return Err(fault(
            NOT_AUTHORIZED,
            "User cannot be confirmed. Current status is CONFIRMED",
        ));
    }
    Inner::check_code(&mut user.signup_code, &code)?;
    user.status = Status::Confirmed;
    // The code went to the email if there is one, else to the phone: that one is verified.
    let verified = if user.attributes.contains_key("email") {
        "email_verified"
    } else {
        "phone_number_verified"
    };
    if user.attributes.contains_key("email") || user.attributes.contains_key("phone_number") {
        user.attributes.insert(verified.into(), "true".into());
    }
    match signed_up {
        Some(id) => Ok(json!({"Session": state.confirmed_session(&id)})),
        None => Ok(json!({})),
    }
}

/// ResendConfirmationCode: a new sign-up code for a user not confirmed yet.
pub(crate) fn resend_confirmation_code(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, client, username) = state.secret_checked_user(body)?;
    let Ok(status) = state.user(&pool_id, &username).map(|u| u.status) else {
        if client.prevent_user_existence_errors {
            return Ok(json!({"CodeDeliveryDetails": phantom_delivery(&username)}));
        }
        return Err(no_such_user());
    };
    if status != Status::Unconfirmed {
        return Err(fault(
            "InvalidParameterException",
            "User is already confirmed.",
        ));
    }
    state.throttle_code_sends(&pool_id, &username)?;
    let (code, delivery) = state.send_code(&pool_id, &username, "SignUp", false);
    state.user_mut(&pool_id, &username)?.signup_code = Some(code);
    Ok(json!({"CodeDeliveryDetails": delivery}))
}

/// ForgotPassword: a reset code to the user's verified email (else phone number).
pub(crate) fn forgot_password(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, client, name) = state.secret_checked_user(body)?;
    // A pool whose only recovery is `admin_only` sends no code to anyone.
    let admin_only = state.pools.get(&pool_id).is_some_and(|p| {
        let mechanisms = p.config.settings.account_recovery.get("RecoveryMechanisms");
        let names: Vec<&str> = mechanisms
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| m.get("Name").and_then(Value::as_str))
            .collect();
        names == ["admin_only"]
    });
    if admin_only {
        return Err(fault(
            NOT_AUTHORIZED,
            "Contact administrator to reset password.",
        ));
    }
    let Some(user) = state
        .pools
        .get(&pool_id)
        .and_then(|p| p.find(&name))
        .cloned()
    else {
        if client.prevent_user_existence_errors {
            return Ok(json!({"CodeDeliveryDetails": phantom_delivery(&name)}));
        }
        return Err(no_such_user());
    };
    let email = is_true(&user, "email_verified") && user.attributes.contains_key("email");
    let phone =
        is_true(&user, "phone_number_verified") && user.attributes.contains_key("phone_number");
    if !email && !phone {
        return Err(fault(
            "InvalidParameterException",
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ));
    }
    state.throttle_code_sends(&pool_id, &user.username)?;
    let (code, delivery) = state.send_code(&pool_id, &user.username, "ForgotPassword", !email);
    state.user_mut(&pool_id, &user.username)?.reset_code = Some(code);
    Ok(json!({"CodeDeliveryDetails": delivery}))
}

/// GetUser: the signed-in user, with the attributes the token's client may read.
pub(crate) fn get_user(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.signed_in(body)?;
    let client = state.token_client(&pool_id, body);
    let mut user = state.user(&pool_id, &username)?.clone();
    user.attributes.retain(|name, _| client.may_read(name));
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
        answer["MFAOptions"] = json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]);
    }
    Ok(answer)
}

/// UpdateUserAttributes: a changed email or phone number becomes unverified and gets a code.
pub(crate) fn update_user_attributes(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let changes = attributes(body, "UserAttributes");
    let (pool_id, username) = state.signed_in(body)?;
    check_attributes(
        state.pools.get(&pool_id).map(|p| &p.config),
        &changes,
        false,
    )?;
    state.check_writable(&pool_id, body, changes.keys())?;
    state.check_mutable(&pool_id, changes.keys())?;
    state.check_alias_free(&pool_id, &username, &changes)?;
    let user = state.user_mut(&pool_id, &username)?;
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
        deliveries.push(send_attribute_code(state, &pool_id, &username, attribute)?);
    }
    Ok(json!({"CodeDeliveryDetailsList": deliveries}))
}

/// Sends a code to verify `attribute` (`email` or `phone_number`) of the user and keeps it with
/// the user: the delivery details.
fn send_attribute_code(
    state: &mut Inner,
    pool_id: &str,
    username: &str,
    attribute: String,
) -> Result<Value, Fault> {
    let sms = attribute == "phone_number";
    let (code, delivery) = state.send_code(pool_id, username, "VerifyUserAttribute", sms);
    state
        .user_mut(pool_id, username)?
        .attribute_codes
        .insert(attribute, code);
    Ok(delivery)
}

/// DeleteUserAttributes.
pub(crate) fn delete_user_attributes(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let names: Vec<String> = body
        .get("UserAttributeNames")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let (pool_id, _) = state.signed_in(body)?;
    state.check_writable(&pool_id, body, names.iter())?;
    state.check_mutable(&pool_id, names.iter())?;
    let (_, user) = state.me(body)?;
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

/// GetUserAttributeVerificationCode: a code to verify `email` or `phone_number`.
pub(crate) fn get_user_attribute_verification_code(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let attribute = field(body, "AttributeName")?.to_owned();
    let (pool_id, username) = state.signed_in(body)?;
    verifiable(&attribute)?;
    state.throttle_code_sends(&pool_id, &username)?;
    let delivery = send_attribute_code(state, &pool_id, &username, attribute)?;
    Ok(json!({"CodeDeliveryDetails": delivery}))
}

/// VerifyUserAttribute: the code marks the attribute verified.
pub(crate) fn verify_user_attribute(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let attribute = field(body, "AttributeName")?.to_owned();
    let code = field(body, "Code")?.to_owned();
    verifiable(&attribute)?;
    let (_, user) = state.me(body)?;
    let mut slot: Option<Code> = user.attribute_codes.remove(&attribute);
    let checked = Inner::check_code(&mut slot, &code);
    if let Some(still) = slot {
        user.attribute_codes.insert(attribute.clone(), still);
    }
    checked?;
    user.attributes
        .insert(format!("{attribute}_verified"), "true".into());
    Ok(json!({}))
}

/// SetUserMFAPreference. On a pool with MFA off, turning a factor on is refused (Cognito's
/// pool-level switch wins: the factor would never be asked).
pub(crate) fn set_user_mfa_preference(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, _) = state.signed_in(body)?;
    let enabling = [
        "SMSMfaSettings",
        "SoftwareTokenMfaSettings",
        "EmailMfaSettings",
    ]
    .iter()
    .any(|k| {
        body.get(k)
            .and_then(|s| s.get("Enabled"))
            .and_then(Value::as_bool)
            == Some(true)
    });
    if enabling && state.mfa_of(&pool_id) == Mfa::Off {
        return Err(fault(
            "InvalidParameterException",
            "MFA is not enabled for the user pool.",
        ));
    }
    let email_on = body
        .get("EmailMfaSettings")
        .and_then(|s| s.get("Enabled"))
        .and_then(Value::as_bool);
    if email_on == Some(true) {
        state.check_email_mfa(&pool_id)?;
    }
    let (_, user) = state.me(body)?;
    let turns_on = |k: &str| {
        body.get(k)
            .and_then(|s| s.get("Enabled"))
            .and_then(Value::as_bool)
            == Some(true)
    };
    // Every check before any change: a refused call changes nothing.
    crate::rules::check_mfa_methods(
        user,
        turns_on("SMSMfaSettings"),
        turns_on("SoftwareTokenMfaSettings"),
    )?;
    if let Some(s) = body.get("EmailMfaSettings") {
        user.email_mfa = email_on.unwrap_or(user.email_mfa);
        if s.get("PreferredMfa").and_then(Value::as_bool) == Some(true) {
            user.preferred_mfa = Some("EMAIL_OTP".into());
        }
    }
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
        if s.get("Enabled").and_then(Value::as_bool) == Some(false) {
            user.totp_secret = None;
        }
        if s.get("PreferredMfa").and_then(Value::as_bool) == Some(true) {
            user.preferred_mfa = Some("SOFTWARE_TOKEN_MFA".into());
        }
    }
    user.drop_disabled_preference();
    Ok(json!({}))
}

/// SetUserSettings: `MFAOptions` turns SMS MFA on or off.
pub(crate) fn set_user_settings(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let enable = body
        .get("MFAOptions")
        .and_then(Value::as_array)
        .is_some_and(|l| !l.is_empty());
    let (pool_id, _) = state.signed_in(body)?;
    if enable && state.mfa_of(&pool_id) == Mfa::Off {
        return Err(fault(
            "InvalidParameterException",
            "MFA is not enabled for the user pool.",
        ));
    }
    let (_, user) = state.me(body)?;
    user.sms_mfa = enable;
    Ok(json!({}))
}

/// AssociateSoftwareToken: with a sign-in session waiting for `MFA_SETUP`, or with an access
/// token. On a pool with MFA off, `SoftwareTokenMFANotFoundException` (Cognito: TOTP is not
/// activated for the pool).
pub(crate) fn associate_software_token(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let secret = crate::auth::totp::BASE32.encode(&state.bytes::<20>());
    if let Some(session_id) = body.get("Session").and_then(Value::as_str) {
        let now = state.unix();
        let session = state
            .sessions
            .get(session_id)
            .filter(|s| s.expires >= now)
            .filter(|s| matches!(s.stage, Stage::MfaSetup | Stage::MfaSetupAssociated))
            .ok_or_else(|| fault(NOT_AUTHORIZED, "Invalid session for the user."))?;
        let (pool_id, username) = (session.pool_id.clone(), session.username.clone());
        let Some(mut session) = state.sessions.remove(session_id) else {
            return Err(fault(NOT_AUTHORIZED, "Invalid session for the user."));
        };
        state.user_mut(&pool_id, &username)?.totp_pending = Some(secret.clone());
        session.stage = Stage::MfaSetupAssociated;
        session.expires = now + crate::model::state::SESSION_SECONDS;
        let id = state.token();
        state.sessions.insert(id.clone(), session);
        return Ok(json!({"SecretCode": secret, "Session": id}));
    }
    let (pool_id, _) = state.signed_in(body)?;
    if state.mfa_of(&pool_id) == Mfa::Off {
        return Err(fault(
            "SoftwareTokenMFANotFoundException",
            "Software Token MFA is not enabled for the user pool.",
        ));
    }
    let (_, user) = state.me(body)?;
    user.totp_pending = Some(secret.clone());
    Ok(json!({"SecretCode": secret}))
}

/// VerifySoftwareToken: only with the session AssociateSoftwareToken returned (a sign-in
/// session at any other stage is refused), or with an access token; only against a secret
/// AssociateSoftwareToken made. `FriendlyDeviceName` is kept and sent back as
/// `FRIENDLY_DEVICE_NAME` in `SOFTWARE_TOKEN_MFA` challenges.
pub(crate) fn verify_software_token(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let code = field(body, "UserCode")?.to_owned();
    let friendly = body
        .get("FriendlyDeviceName")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let now = state.unix();
    let mismatch = || {
        fault(
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
        )
    };
    if let Some(session_id) = body.get("Session").and_then(Value::as_str) {
        let session = state
            .sessions
            .get(session_id)
            .filter(|s| s.expires >= now && matches!(s.stage, Stage::MfaSetupAssociated))
            .ok_or_else(|| fault(NOT_AUTHORIZED, "Invalid session for the user."))?;
        let (pool_id, username) = (session.pool_id.clone(), session.username.clone());
        let user = state.user_mut(&pool_id, &username)?;
        if !totp::check(user.totp_pending.as_deref(), &code, now) {
            return Err(mismatch());
        }
        // The authenticator is the user's from now on, even if the MFA_SETUP challenge is
        // never answered: the next sign-in asks for its code (Cognito does).
        user.totp_secret.clone_from(&user.totp_pending);
        user.totp_name = friendly;
        let Some(mut session) = state.sessions.remove(session_id) else {
            return Err(fault(NOT_AUTHORIZED, "Invalid session for the user."));
        };
        session.stage = Stage::MfaSetupVerified;
        let id = state.token();
        state.sessions.insert(id.clone(), session);
        return Ok(json!({"Status": "SUCCESS", "Session": id}));
    }
    let (_, user) = state.me(body)?;
    if !totp::check(user.totp_pending.as_deref(), &code, now) {
        return Err(mismatch());
    }
    user.totp_secret = user.totp_pending.take();
    user.totp_name = friendly;
    Ok(json!({"Status": "SUCCESS"}))
}

/// GlobalSignOut: every token issued so far is revoked; tokens issued after it (even in the
/// same second) are not.
pub(crate) fn global_sign_out(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.signed_in(body)?;
    let seq = state.seq;
    state.user_mut(&pool_id, &username)?.signed_out_seq = seq;
    Ok(json!({}))
}

/// RevokeToken: a refresh token, by the client it was issued to.
pub(crate) fn revoke_token(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let token = field(body, "Token")?.to_owned();
    let client_id = field(body, "ClientId")?.to_owned();
    // UnauthorizedException: the only refusal of the caller Cognito declares for RevokeToken.
    let (_, client) = state
        .client(&client_id)
        .map_err(|f| fault("UnauthorizedException", f.message))?;
    if !crate::auth::refresh::client_secret_matches(&client, body) {
        return Err(fault(
            "UnauthorizedException",
            "Client secret is incorrect.",
        ));
    }
    let Some(record) = state.refresh_tokens.get(&state.refresh_key(&token)) else {
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
    state.revoke_refresh(&token);
    Ok(json!({}))
}

/// DeleteUser: the signed-in user deletes their account.
pub(crate) fn delete_user(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.signed_in(body)?;
    state.remove_user(&pool_id, &username)?;
    Ok(json!({}))
}

/// ConfirmDevice: the device's SRP verifier, kept; remembered at once unless the pool lets users opt in.
pub(crate) fn confirm_device(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.signed_in(body)?;
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
    let tracking = state
        .pools
        .get(&pool_id)
        .map(|p| p.config.device_tracking)
        .unwrap_or_default();
    let device = state.device_mut(&pool_id, &username, &key)?;
    let verifier = BigUint::from_bytes_be(&verifier);
    if (&verifier % crate::auth::srp::n()) == BigUint::ZERO {
        return Err(fault(
            "InvalidParameterException",
            "DeviceSecretVerifierConfig is invalid",
        ));
    }
    device.verifier = verifier;
    device.salt = salt;
    device.name = body
        .get("DeviceName")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let necessary = tracking == crate::model::state::DeviceTracking::UserOptIn;
    if !necessary {
        device.remembered = Some(true);
    }
    Ok(json!({"UserConfirmationNecessary": necessary}))
}

/// UpdateDeviceStatus: remembered or not.
pub(crate) fn update_device_status(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.signed_in(body)?;
    let key = field(body, "DeviceKey")?.to_owned();
    let remembered =
        body.get("DeviceRememberedStatus").and_then(Value::as_str) == Some("remembered");
    let device = state.device_mut(&pool_id, &username, &key)?;
    device.remembered = Some(remembered);
    Ok(json!({}))
}

/// ListDevices: a page of the user's confirmed devices.
pub(crate) fn list_devices(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.signed_in(body)?;
    let limit = body
        .get("Limit")
        .and_then(Value::as_u64)
        .unwrap_or(60)
        .clamp(1, 60) as usize;
    let start = body
        .get("PaginationToken")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let devices: Vec<_> = state
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
    let page: Vec<Value> = devices.iter().take(limit).map(device_json).collect();
    let mut answer = json!({"Devices": page});
    if let Some(next) = devices.get(limit) {
        answer["PaginationToken"] = json!(next.key);
    }
    Ok(answer)
}

/// GetDevice.
pub(crate) fn get_device(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.signed_in(body)?;
    let key = field(body, "DeviceKey")?;
    let device = state.device(&pool_id, &username, key)?;
    Ok(json!({"Device": device_json(device)}))
}

/// ForgetDevice.
pub(crate) fn forget_device(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.signed_in(body)?;
    let key = field(body, "DeviceKey")?.to_owned();
    let pool = state.pools.get_mut(&pool_id).ok_or_else(no_device)?;
    match pool.devices.get(&key) {
        Some(d) if d.username == username => {
            pool.devices.remove(&key);
            Ok(json!({}))
        }
        _ => Err(no_device()),
    }
}

/// SignUp: the password is derived without the lock.
pub(crate) fn sign_up(shared: &Shared, body: &Value) -> Answer {
    let credential = prepare(shared, body, "Password", Who::Named);
    let state = &mut *shared.lock();
    let (pool_id, client, _) = state.secret_checked_user(body)?;
    // The name as given (not the user an address may already name).
    let username = field(body, "Username")?.to_owned();
    if state
        .pools
        .get(&pool_id)
        .is_some_and(|p| p.config.settings.admin_create_user_only)
    {
        return Err(fault(
            NOT_AUTHORIZED,
            "SignUp is not permitted for this user pool",
        ));
    }
    let password = field(body, "Password")?;
    state.policy_check(&pool_id, password)?;
    // A pool whose users sign in with their email or phone: the name must be one, it becomes
    // that attribute, and the user's name is its `sub` (as AdminCreateUser makes it).
    let address = crate::rules::sign_in_attribute(state, &pool_id, &username)?;
    if address.is_some() && state.user(&pool_id, &username).is_ok() {
        return Err(fault(
            "UsernameExistsException",
            "An account with the given email already exists.",
        ));
    }
    let mut attrs = attributes(body, "UserAttributes");
    check_attributes(state.pools.get(&pool_id).map(|p| &p.config), &attrs, false)?;
    if attrs.keys().any(|name| !client.settings.may_write(name)) {
        return Err(fault(
            NOT_AUTHORIZED,
            "A client attempted to write unauthorized attribute",
        ));
    }
    // The code goes to the auto-verified attribute (the phone when only it is), and
    // CodeDeliveryDetails names it; a user with neither gets none (the code is still kept,
    // and in the outbox). A pool with no auto-verified attribute sends no code at all, as
    // Cognito (an administrator confirms the user).
    let auto = state
        .pools
        .get(&pool_id)
        .map(|p| p.config.settings.auto_verified_attributes.clone())
        .unwrap_or_default();
    let prefer_sms = auto.iter().any(|a| a == "phone_number") && !auto.iter().any(|a| a == "email");
    let username = match address {
        Some(attribute) => {
            attrs.insert(attribute.into(), username);
            state.uuid()
        }
        None => username,
    };
    let deliverable = crate::auth::engine::destination(&attrs, prefer_sms).is_some();
    let credential = state.credential_for(&pool_id, &username, password, credential);
    let mut sub = state.new_user(&pool_id, &username, credential, attrs, Status::Unconfirmed)?;
    if address.is_some() {
        let user = state.user_mut(&pool_id, &username)?;
        user.sub.clone_from(&username);
        user.attributes.insert("sub".into(), username.clone());
        sub.clone_from(&username);
    }
    let delivery = if auto.is_empty() {
        None
    } else {
        let (code, delivery) = state.send_code(&pool_id, &username, "SignUp", prefer_sms);
        state.user_mut(&pool_id, &username)?.signup_code = Some(code);
        Some(delivery)
    };
    let session = state.signed_up_session(&pool_id, &client.info.id, &username);
    let mut answer = json!({"UserSub": sub, "UserConfirmed": false, "Session": session});
    if let Some(delivery) = delivery.filter(|_| deliverable) {
        answer["CodeDeliveryDetails"] = delivery;
    }
    Ok(answer)
}

/// ConfirmForgotPassword: the new password is derived without the lock.
pub(crate) fn confirm_forgot_password(shared: &Shared, body: &Value) -> Answer {
    let credential = prepare(shared, body, "Password", Who::Named);
    let state = &mut *shared.lock();
    let (pool_id, client, name) = state.secret_checked_user(body)?;
    let code = field(body, "ConfirmationCode")?.to_owned();
    let password = field(body, "Password")?.to_owned();
    let Some(username) = state
        .pools
        .get(&pool_id)
        .and_then(|p| p.find(&name))
        .map(|u| u.username.clone())
    else {
        return Err(unknown_user_with_code(client.prevent_user_existence_errors));
    };
    state.policy_check(&pool_id, &password)?;
    let user = state.user_mut(&pool_id, &username)?;
    Inner::check_code(&mut user.reset_code, &code)?;
    let credential = state.credential_for(&pool_id, &username, &password, credential);
    let user = state.user_mut(&pool_id, &username)?;
    user.credential = credential;
    user.failed_passwords = 0;
    user.locked_until = 0;
    if matches!(
        user.status,
        Status::ForceChangePassword | Status::ResetRequired
    ) {
        user.status = Status::Confirmed;
    }
    Ok(json!({}))
}

/// ChangePassword: the new password is derived without the lock.
pub(crate) fn change_password(shared: &Shared, body: &Value) -> Answer {
    let credential = prepare(shared, body, "ProposedPassword", Who::Token);
    let state = &mut *shared.lock();
    let (pool_id, username) = state.signed_in(body)?;
    let previous = field(body, "PreviousPassword")?;
    let proposed = field(body, "ProposedPassword")?.to_owned();
    let user = state.user(&pool_id, &username)?;
    if !srp::password_matches(realm(&pool_id), previous, &user.credential) {
        return Err(fault(NOT_AUTHORIZED, "Incorrect username or password."));
    }
    state.policy_check(&pool_id, &proposed)?;
    let credential = state.credential_for(&pool_id, &username, &proposed, credential);
    state.set_credential(&pool_id, &username, credential)?;
    Ok(json!({}))
}
