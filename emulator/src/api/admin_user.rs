//! The admin API's users and admin sign-in: AdminCreateUser, AdminSetUserPassword, AdminConfirmSignUp, AdminDeleteUser, AdminGetUser, ListUsers,
//! AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminDisableUser, AdminEnableUser,
//! AdminSetUserMFAPreference, AdminUserGlobalSignOut, AdminInitiateAuth,
//! AdminRespondToAuthChallenge.
//!
//! Like moto and cognito-local, the emulator takes unsigned requests and ignores SigV4 headers:
//! there is no IAM. Passwords are derived into SRP verifiers without the state lock.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::api::wire::user_json;
use crate::auth::engine::realm;
use crate::auth::shared::Shared;
use crate::auth::srp;
use crate::fault::{Answer, Fault, NOT_AUTHORIZED, fault, user_not_found};
use crate::input::attributes;
use crate::input::field;
use crate::input::{listing, name_field, opt_int, opt_str, page_start, str_list};
use crate::model::filter::status_name;
use crate::model::state::{Inner, Message, Status};
use crate::rules::{check_attributes, in_schema, sign_in_attribute};

const INVALID: &str = "InvalidParameterException";

/// AdminInitiateAuth: InitiateAuth for a client that allows the admin flows.
pub(crate) fn admin_initiate_auth(shared: &Shared, body: &Value) -> Answer {
    shared.lock().admin_client(body)?;
    crate::auth::engine::initiate_auth(shared, body, true)
}

/// AdminRespondToAuthChallenge.
pub(crate) fn admin_respond_to_auth_challenge(shared: &Shared, body: &Value) -> Answer {
    shared.lock().admin_client(body)?;
    crate::auth::engine::respond_to_auth_challenge(shared, body)
}

/// A username as Cognito takes it: 1 to 128 characters, no white space or control characters.
fn username(body: &Value) -> Result<&str, Fault> {
    let name = name_field(body, "Username", 128)?;
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(fault(
            INVALID,
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    Ok(name)
}

impl Inner {
    /// The pool and user named by `UserPoolId` and `Username` (or an alias): the user's name.
    fn admin_user(&self, body: &Value) -> Result<(String, String), Fault> {
        let pool = self.pool(body)?;
        let user = pool
            .find(field(body, "Username")?)
            .ok_or_else(user_not_found)?;
        Ok((pool.id.clone(), user.username.clone()))
    }

    /// AdminInitiateAuth and AdminRespondToAuthChallenge: `ClientId` is a client of
    /// `UserPoolId`.
    fn admin_client(&self, body: &Value) -> Result<(), Fault> {
        let pool = self.pool(body)?;
        let client_id = field(body, "ClientId")?;
        if !pool.clients.contains_key(client_id) {
            return Err(fault(
                "ResourceNotFoundException",
                format!("User pool client {client_id} does not exist."),
            ));
        }
        Ok(())
    }

    /// A temporary password that meets the pool's policy.
    fn temporary_password(&mut self, pool_id: &str) -> String {
        let length = self
            .pools
            .get(pool_id)
            .map_or(8, |p| p.config.password_policy.minimum_length)
            .max(12);
        format!("Aa1!{}", self.alnum(length - 4))
    }
}

/// AdminConfirmSignUp: an `UNCONFIRMED` user becomes `CONFIRMED`.
pub(crate) fn admin_confirm_sign_up(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.admin_user(body)?;
    let now = state.unix();
    let user = state.user_mut(&pool_id, &username)?;
    if user.status != Status::Unconfirmed {
        return Err(fault(
            NOT_AUTHORIZED,
            format!(
                "User cannot be confirmed. Current status is {}",
                status_name(user.status)
            ),
        ));
    }
    user.status = Status::Confirmed;
    user.signup_code = None;
    user.modified = now;
    Ok(json!({}))
}

/// AdminDeleteUser (`UserPoolId`, `Username`). Like moto, the emulator does not check IAM.
pub(crate) fn admin_delete_user(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let pool_id = field(body, "UserPoolId")?.to_owned();
    let name = field(body, "Username")?;
    let username = state.user(&pool_id, name)?.username.clone();
    state.remove_user(&pool_id, &username)?;
    Ok(json!({}))
}

/// AdminDisableUser: sign-in is refused and every token of the user is revoked.
pub(crate) fn admin_disable_user(shared: &Shared, body: &Value) -> Answer {
    set_enabled(shared, body, false)
}

/// AdminEnableUser.
pub(crate) fn admin_enable_user(shared: &Shared, body: &Value) -> Answer {
    set_enabled(shared, body, true)
}

/// AdminDisableUser (which also revokes every token of the user) and AdminEnableUser.
fn set_enabled(shared: &Shared, body: &Value, enabled: bool) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.admin_user(body)?;
    let (seq, now) = (state.seq, state.unix());
    let user = state.user_mut(&pool_id, &username)?;
    user.disabled = !enabled;
    user.modified = now;
    if !enabled {
        user.signed_out_seq = seq;
    }
    Ok(json!({}))
}

/// AdminGetUser.
pub(crate) fn admin_get_user(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.admin_user(body)?;
    let user = state.user(&pool_id, &username)?;
    let mut list = Vec::new();
    if user.sms_mfa {
        list.push("SMS_MFA");
    }
    if user.totp_secret.is_some() {
        list.push("SOFTWARE_TOKEN_MFA");
    }
    let mut answer = user_json(user, None);
    answer["UserAttributes"] = answer["Attributes"].take();
    if let Some(map) = answer.as_object_mut() {
        map.remove("Attributes");
    }
    answer["UserMFASettingList"] = json!(list);
    if let Some(p) = &user.preferred_mfa {
        answer["PreferredMfaSetting"] = json!(p);
    }
    Ok(answer)
}

/// ListUsers: a page of the pool's users, filtered by `Filter`.
pub(crate) fn list_users(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let filter = crate::model::filter::parse(opt_str(body, "Filter")?.unwrap_or(""))
        .map_err(|e| fault(INVALID, e.to_string()))?;
    // Cognito takes 0 to 60; 0 (or none) lists a full page.
    let limit = match opt_int(body, "Limit", 0, 60)? {
        None | Some(0) => 60,
        Some(n) => n,
    };
    let token = opt_str(body, "PaginationToken")?;
    let only = body
        .get("AttributesToGet")
        .filter(|v| !v.is_null())
        .map(|_| str_list(body, "AttributesToGet"))
        .transpose()?;
    let pool = state.pool(body)?;
    // From the token's user on: the users before it are not read.
    let from = page_start(token)?;
    let items = pool
        .listed(filter.as_ref(), from.as_deref())
        .map(|u| (u.username.clone(), user_json(u, only.as_deref())));
    listing(items, limit, token, "Users", "PaginationToken")
}

/// AdminUpdateUserAttributes.
pub(crate) fn admin_update_user_attributes(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let changes = attributes(body, "UserAttributes");
    let (pool_id, username) = state.admin_user(body)?;
    check_attributes(state.pools.get(&pool_id).map(|p| &p.config), &changes, true)?;
    state.check_mutable(&pool_id, changes.keys())?;
    state.check_alias_free(&pool_id, &username, &changes)?;
    let now = state.unix();
    let user = state.user_mut(&pool_id, &username)?;
    for (k, v) in &changes {
        // A new address is unverified unless the same call says otherwise.
        if (k == "email" || k == "phone_number")
            && user.attributes.get(k) != Some(v)
            && !changes.contains_key(&format!("{k}_verified"))
        {
            user.attributes
                .insert(format!("{k}_verified"), "false".into());
        }
    }
    user.attributes.extend(changes);
    user.modified = now;
    Ok(json!({}))
}

/// AdminDeleteUserAttributes.
pub(crate) fn admin_delete_user_attributes(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let names = str_list(body, "UserAttributeNames")?;
    let (pool_id, username) = state.admin_user(body)?;
    if names.iter().any(|n| n == "sub") {
        return Err(fault(
            INVALID,
            "Cannot modify the non-mutable attribute sub",
        ));
    }
    // Names the schema does not have are refused, as for a write.
    let named: BTreeMap<String, String> =
        names.iter().map(|n| (n.clone(), String::new())).collect();
    // Names the schema does not have are refused in the delete's own words.
    let config = state.pools.get(&pool_id).map(|p| &p.config);
    let unknown: String = names
        .iter()
        .filter(|n| !in_schema(config, n))
        .map(|name| format!("user.{name}: Attribute does not exist in the schema.\n"))
        .collect();
    if !unknown.is_empty() {
        return Err(fault(
            INVALID,
            format!("Invalid user attributes: {unknown}"),
        ));
    }
    check_attributes(config, &named, true)?;
    state.check_mutable(&pool_id, names.iter())?;
    let now = state.unix();
    let user = state.user_mut(&pool_id, &username)?;
    for name in names {
        user.attributes.remove(&name);
    }
    user.modified = now;
    Ok(json!({}))
}

/// AdminUserGlobalSignOut: every token of the user issued so far is revoked.
pub(crate) fn admin_user_global_sign_out(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.admin_user(body)?;
    let seq = state.seq;
    state.user_mut(&pool_id, &username)?.signed_out_seq = seq;
    Ok(json!({}))
}

/// AdminSetUserMFAPreference.
pub(crate) fn admin_set_user_mfa_preference(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, username) = state.admin_user(body)?;
    let email_settings = crate::input::opt_object(body, "EmailMfaSettings")?;
    let email = email_settings
        .map(|s| crate::input::opt_bool(s, "Enabled"))
        .transpose()?
        .flatten();
    let email_preferred = email_settings
        .map(|s| crate::input::opt_bool(s, "PreferredMfa"))
        .transpose()?
        .flatten();
    if email == Some(true) {
        state.check_email_mfa(&pool_id)?;
    }
    let read = |name: &str| -> Result<(Option<bool>, Option<bool>), Fault> {
        match crate::input::opt_object(body, name)? {
            None => Ok((None, None)),
            Some(s) => Ok((
                crate::input::opt_bool(s, "Enabled")?,
                crate::input::opt_bool(s, "PreferredMfa")?,
            )),
        }
    };
    let (sms, sms_preferred) = read("SMSMfaSettings")?;
    let (totp, totp_preferred) = read("SoftwareTokenMfaSettings")?;
    let user = state.user_mut(&pool_id, &username)?;
    // Every check before any change: a refused call changes nothing.
    crate::rules::check_mfa_methods(user, sms == Some(true), totp == Some(true))?;
    if let Some(on) = email {
        user.email_mfa = on;
    }
    if email_preferred == Some(true) {
        user.preferred_mfa = Some("EMAIL_OTP".into());
    }
    if let Some(on) = sms {
        user.sms_mfa = on;
    }
    if totp == Some(false) {
        user.totp_secret = None;
    }
    if sms_preferred == Some(true) {
        user.preferred_mfa = Some("SMS_MFA".into());
    }
    if totp_preferred == Some(true) {
        user.preferred_mfa = Some("SOFTWARE_TOKEN_MFA".into());
    }
    user.drop_disabled_preference();
    Ok(json!({}))
}

/// What AdminCreateUser does once the password is derived.
enum Invitation {
    New,
    Resend,
}

/// AdminCreateUser: a user in `FORCE_CHANGE_PASSWORD` with the temporary password given (or one
/// made to the pool's policy), and an invitation in the outbox unless `MessageAction` is
/// `SUPPRESS`. `RESEND` sends a new temporary password to a user who has not signed in yet.
pub(crate) fn admin_create_user(shared: &Shared, body: &Value) -> Answer {
    let mut attrs = attributes(body, "UserAttributes");
    let action = opt_str(body, "MessageAction")?;
    let mediums = str_list(body, "DesiredDeliveryMediums")?;
    let (pool_id, name, password, salt, invitation, renamed) = {
        let mut state = shared.lock();
        let pool_id = state.pool(body)?.id.clone();
        let name = username(body)?.to_owned();
        check_attributes(state.pools.get(&pool_id).map(|p| &p.config), &attrs, true)?;
        let existing = state
            .pools
            .get(&pool_id)
            .and_then(|p| p.find(&name))
            .map(|u| u.status);
        let invitation = match (action, existing) {
            (None | Some("SUPPRESS"), None) => Invitation::New,
            (None | Some("SUPPRESS"), Some(_)) => {
                return Err(fault(
                    "UsernameExistsException",
                    "User account already exists",
                ));
            }
            (Some("RESEND"), Some(Status::ForceChangePassword)) => Invitation::Resend,
            (Some("RESEND"), Some(_)) => {
                return Err(fault(
                    "UnsupportedUserStateException",
                    "Resend not possible. User is not in FORCE_CHANGE_PASSWORD state.",
                ));
            }
            (Some("RESEND"), None) => {
                return Err(user_not_found());
            }
            (Some(other), _) => {
                return Err(fault(
                    INVALID,
                    format!(
                        "1 validation error detected: Value '{other}' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]"
                    ),
                ));
            }
        };
        if let Some(bad) = mediums.iter().find(|m| *m != "SMS" && *m != "EMAIL") {
            return Err(fault(
                INVALID,
                format!("Invalid DesiredDeliveryMediums: {bad}"),
            ));
        }
        let password = match opt_str(body, "TemporaryPassword")? {
            Some(p) => {
                state.policy_check(&pool_id, p)?;
                p.to_owned()
            }
            None => state.temporary_password(&pool_id),
        };
        let (name, renamed) = match invitation {
            Invitation::New => match sign_in_attribute(&state, &pool_id, &name)? {
                // A pool whose users sign in with their email or phone: the address is an
                // attribute and the user name a UUID (the `sub`), as Cognito makes it.
                Some(attribute) => {
                    attrs.insert(attribute.into(), name);
                    (state.uuid(), true)
                }
                None => (name, false),
            },
            Invitation::Resend => (state.user(&pool_id, &name)?.username.clone(), false),
        };
        (
            pool_id,
            name,
            password,
            state.bytes::<16>(),
            invitation,
            renamed,
        )
    };
    let credential = srp::credential(realm(&pool_id), &name, &password, salt);
    let mut state = shared.lock();
    let now = state.unix();
    match invitation {
        Invitation::New => {
            state.new_user(
                &pool_id,
                &name,
                credential,
                attrs,
                Status::ForceChangePassword,
            )?;
            if renamed {
                let user = state.user_mut(&pool_id, &name)?;
                user.sub.clone_from(&name);
                user.attributes.insert("sub".into(), name.clone());
            }
        }
        Invitation::Resend => {
            let user = state.user_mut(&pool_id, &name)?;
            if user.status != Status::ForceChangePassword {
                return Err(fault(
                    "UnsupportedUserStateException",
                    "Resend not possible. User is not in FORCE_CHANGE_PASSWORD state.",
                ));
            }
            user.credential = credential;
            user.temporary_since = now;
        }
    }
    if action != Some("SUPPRESS") {
        invite(
            &mut state,
            &pool_id,
            &name,
            &password,
            mediums.iter().any(|m| m == "SMS"),
        );
    }
    let user = state.user(&pool_id, &name)?;
    Ok(json!({"User": user_json(user, None)}))
}

/// The invitation: the temporary password in the outbox, by email (or SMS when asked and the
/// user has a phone number). Its content is never printed.
fn invite(state: &mut Inner, pool_id: &str, username: &str, password: &str, sms: bool) {
    let attrs = state
        .pools
        .get(pool_id)
        .and_then(|p| p.users.get(username))
        .map(|u| u.attributes.clone())
        .unwrap_or_default();
    let Some((medium, _, destination)) = crate::auth::engine::destination(&attrs, sms) else {
        return;
    };
    if state.log_codes {
        eprintln!(
            "cognito-emulator: invitation for {username} in {pool_id} by {medium} to {destination:?} (the temporary password is in the outbox)"
        );
    }
    state.send_message(Message {
        pool_id: pool_id.into(),
        username: username.into(),
        medium: medium.into(),
        destination,
        purpose: "AdminCreateUser".into(),
        code: password.into(),
        ..Message::default()
    });
}

/// AdminSetUserPassword: `Permanent` confirms the user; otherwise the password is temporary
/// (`FORCE_CHANGE_PASSWORD`: NEW_PASSWORD_REQUIRED at the next sign-in).
pub(crate) fn admin_set_user_password(shared: &Shared, body: &Value) -> Answer {
    let permanent = crate::input::opt_bool(body, "Permanent")?.unwrap_or(false);
    let password = field(body, "Password")?;
    let (pool_id, username, salt) = {
        let mut state = shared.lock();
        let (pool_id, username) = state.admin_user(body)?;
        state.policy_check(&pool_id, password)?;
        (pool_id, username, state.bytes::<16>())
    };
    let credential = srp::credential(realm(&pool_id), &username, password, salt);
    let mut state = shared.lock();
    let now = state.unix();
    let user = state.user_mut(&pool_id, &username)?;
    user.credential = credential;
    user.failed_passwords = 0;
    user.locked_until = 0;
    user.modified = now;
    user.status = if permanent {
        Status::Confirmed
    } else {
        user.temporary_since = now;
        Status::ForceChangePassword
    };
    Ok(json!({}))
}
