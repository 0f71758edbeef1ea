//! Cognito's JSON 1.1 API: one table ([`operations!`]) names every operation, the function that
//! answers it and the Lambda triggers it fires; [`dispatch`] runs them. Each family of operations
//! has its file here (users, admin users, pools and clients, groups, devices, MFA, passkeys,
//! tokens, sign-in); a handler never imports another handler: what two share lives below, in
//! `auth/`, `rules/`, `input` or `model/`.
//!
//! Adding an operation: a function `fn(&Shared, &Value) -> Answer` in the family's file (or a
//! new file), and one line in the table.

use serde_json::Value;

use crate::auth::custom;
use crate::auth::engine::{initiate_auth, respond_to_auth_challenge, sign_tokens};
use crate::auth::shared::Shared;
use crate::fault::{Answer, NOT_AUTHORIZED, fault};
use crate::triggers::{self, Trigger};

pub(crate) mod admin_get_user_auth_factors;
pub(crate) mod admin_reset_user_password;
pub(crate) mod admin_user;
pub(crate) mod feedback;
pub(crate) mod groups;
pub(crate) mod passkeys;
pub(crate) mod pools;
pub(crate) mod user;
pub(crate) mod wire;

/// What answers an operation: the shared state and the request's JSON body in, the answer out
/// (tokens as claims: [`dispatch`] signs them).
pub(crate) type Handler = fn(&Shared, &Value) -> Answer;

/// One row of the table.
pub(crate) struct Operation {
    /// What answers it.
    pub run: Handler,
    /// The Lambda triggers it may fire, in the order they run.
    pub triggers: &'static [Trigger],
}

/// A handler that is a method of the state, run under the lock.
macro_rules! locked {
    ($method:ident $(, $arg:expr)*) => {
        |shared, body| shared.lock().$method(body $(, $arg)*)
    };
}

/// The table: `Name => handler, [triggers];`, sorted by name. It makes [`OPERATIONS`] and
/// [`find`].
macro_rules! operations {
    ($($name:ident => $run:expr $(, [$($trigger:ident),*])?;)*) => {
        /// Every Cognito operation the emulator answers over HTTP (`X-Amz-Target:
        /// AWSCognitoIdentityProviderService.<name>`), sorted. Any other is
        /// `UnknownOperationException`. `cognito-emulator --help` prints it.
        pub const OPERATIONS: &[&str] = &[$(stringify!($name)),*];

        /// The operation of this name.
        pub(crate) fn find(name: &str) -> Option<Operation> {
            match name {
                $(stringify!($name) => Some(Operation {
                    run: $run,
                    triggers: &[$($(Trigger::$trigger),*)?],
                }),)*
                _ => None,
            }
        }
    };
}

operations! {
    AddCustomAttributes => pools::add_custom_attributes;
    AdminAddUserToGroup => groups::admin_add_user_to_group;
    AdminConfirmSignUp => locked!(admin_confirm_sign_up), [PostConfirmation];
    AdminCreateUser => admin_user::admin_create_user;
    AdminDeleteUser => locked!(admin_delete_user);
    AdminDeleteUserAttributes => locked!(admin_delete_user_attributes);
    AdminDisableUser => locked!(admin_set_enabled, false);
    AdminEnableUser => locked!(admin_set_enabled, true);
    AdminGetUser => locked!(admin_get_user);
    AdminGetUserAuthFactors => admin_get_user_auth_factors::run;
    AdminInitiateAuth => admin_user::admin_initiate_auth, [CustomAuth, PreTokenGeneration];
    AdminListGroupsForUser => groups::admin_list_groups_for_user;
    AdminRemoveUserFromGroup => groups::admin_remove_user_from_group;
    AdminResetUserPassword => admin_reset_user_password::run;
    AdminRespondToAuthChallenge => admin_user::admin_respond_to_auth_challenge, [CustomAuth, PreTokenGeneration];
    AdminSetUserMFAPreference => locked!(admin_set_user_mfa_preference);
    AdminSetUserPassword => admin_user::admin_set_user_password;
    AdminUpdateUserAttributes => locked!(admin_update_user_attributes);
    AdminUserGlobalSignOut => locked!(admin_user_global_sign_out);
    AssociateSoftwareToken => locked!(associate_software_token);
    ChangePassword => user::change_password;
    CompleteWebAuthnRegistration => passkeys::complete_web_authn_registration;
    ConfirmDevice => locked!(confirm_device);
    ConfirmForgotPassword => user::confirm_forgot_password;
    ConfirmSignUp => locked!(confirm_sign_up), [PostConfirmation];
    CreateGroup => groups::create_group;
    CreateUserPool => pools::create_user_pool;
    CreateUserPoolClient => pools::create_user_pool_client;
    DeleteGroup => groups::delete_group;
    DeleteUser => locked!(delete_user);
    DeleteUserAttributes => locked!(delete_user_attributes);
    DeleteUserPool => pools::delete_user_pool;
    DeleteUserPoolClient => pools::delete_user_pool_client;
    DeleteWebAuthnCredential => passkeys::delete_web_authn_credential;
    DescribeUserPool => pools::describe_user_pool;
    DescribeUserPoolClient => pools::describe_user_pool_client;
    ForgetDevice => locked!(forget_device);
    ForgotPassword => locked!(forgot_password);
    GetDevice => locked!(get_device);
    GetGroup => groups::get_group;
    GetTokensFromRefreshToken => locked!(get_tokens_from_refresh_token), [PreTokenGeneration];
    GetUser => locked!(get_user);
    GetUserAttributeVerificationCode => locked!(get_user_attribute_verification_code);
    GetUserAuthFactors => passkeys::get_user_auth_factors;
    GetUserPoolMfaConfig => pools::get_user_pool_mfa_config;
    GlobalSignOut => locked!(global_sign_out);
    InitiateAuth => |shared, body| initiate_auth(shared, body, false), [CustomAuth, PreTokenGeneration];
    ListDevices => locked!(list_devices);
    ListGroups => groups::list_groups;
    ListUserPoolClients => pools::list_user_pool_clients;
    ListUserPools => pools::list_user_pools;
    ListUsers => locked!(list_users);
    ListUsersInGroup => groups::list_users_in_group;
    ListWebAuthnCredentials => passkeys::list_web_authn_credentials;
    ResendConfirmationCode => locked!(resend_confirmation_code);
    RespondToAuthChallenge => respond_to_auth_challenge, [CustomAuth, PreTokenGeneration];
    RevokeToken => locked!(revoke_token);
    SetUserMFAPreference => locked!(set_user_mfa_preference);
    SetUserPoolMfaConfig => pools::set_user_pool_mfa_config;
    SetUserSettings => locked!(set_user_settings);
    SignUp => user::sign_up, [PreSignUp];
    StartWebAuthnRegistration => passkeys::start_web_authn_registration;
    UpdateAuthEventFeedback => feedback::update_auth_event_feedback;
    UpdateDeviceStatus => locked!(update_device_status);
    UpdateGroup => groups::update_group;
    UpdateUserAttributes => locked!(update_user_attributes);
    UpdateUserPool => pools::update_user_pool;
    UpdateUserPoolClient => pools::update_user_pool_client;
    VerifySoftwareToken => locked!(verify_software_token);
    VerifyUserAttribute => locked!(verify_user_attribute);
}

/// Runs one operation with its triggers: PreSignUp before it (before the `AccessToken` is even
/// looked at, as Cognito calls the Lambda first), then the `AccessToken` of the body checked
/// against the signing key (a forged payload or `alg: none` never reaches the state), the
/// handler, and the triggers after it; the tokens come back signed.
pub(crate) async fn dispatch(shared: &Shared, name: &str, body: &Value) -> Answer {
    let operation = find(name);
    let fired: &[Trigger] = operation.as_ref().map_or(&[], |o| o.triggers);
    let fires = |trigger| fired.contains(&trigger);
    let pre_sign_up = if fires(Trigger::PreSignUp) {
        // A caller without the client's secret never makes the app's webhook hear of it.
        shared.lock().secret_checked_user(body)?;
        triggers::pre_sign_up(shared, body).await?
    } else {
        None
    };
    if let Some(token) = body.get("AccessToken").and_then(Value::as_str)
        && !shared.signer.verify(token)
    {
        return Err(fault(NOT_AUTHORIZED, "Invalid Access Token"));
    }
    // The user API takes only access tokens with the API's scope (an OAuth token for `openid
    // email` is refused, as Cognito refuses it).
    if let Some(token) = body.get("AccessToken").and_then(Value::as_str) {
        let scope = crate::auth::jwt::claims(token)
            .and_then(|c| c.get("scope").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        if !scope
            .split(' ')
            .any(|s| s == "aws.cognito.signin.user.admin")
        {
            return Err(fault(
                NOT_AUTHORIZED,
                "Access Token does not have required scopes",
            ));
        }
    }
    let Some(operation) = operation else {
        return Err(fault(
            "UnknownOperationException",
            format!("unknown operation {name:?}"),
        ));
    };
    let answer = (operation.run)(shared, body);
    // A sign-in whose custom authentication runs through webhooks parked its round: it runs
    // now, without the lock.
    let parked = custom::take_parked();
    let mut answer = answer?;
    if let Some(response) = pre_sign_up {
        triggers::auto_confirm(shared, body, &response, &mut answer)?;
    }
    if fires(Trigger::PostConfirmation) {
        triggers::post_confirmation(shared, body).await?;
    }
    if fires(Trigger::CustomAuth)
        && let Some(parked) = parked
    {
        answer = triggers::custom_auth(shared, body, parked).await?;
    }
    if fires(Trigger::PreTokenGeneration) {
        triggers::pre_token_generation_of(shared, body, &mut answer).await?;
        sign_tokens(&shared.signer, &mut answer)?;
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_as_help_prints_it_and_every_line_is_found() {
        let mut sorted = OPERATIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, OPERATIONS);
        assert!(OPERATIONS.iter().all(|name| find(name).is_some()));
        assert!(find("NotAnOperation").is_none());
    }
}
