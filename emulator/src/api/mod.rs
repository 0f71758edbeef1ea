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
use crate::auth::refresh;
use crate::auth::shared::Shared;
use crate::fault::{Answer, NOT_AUTHORIZED, fault};
use crate::triggers::{self, Trigger};

pub(crate) mod admin_devices;
pub(crate) mod admin_get_user_auth_factors;
pub(crate) mod admin_reset_user_password;
pub(crate) mod admin_software_token;
pub(crate) mod admin_user;
pub(crate) mod admin_user_settings;
pub(crate) mod branding;
pub(crate) mod cimd;
pub(crate) mod client_secrets;
pub(crate) mod client_tokens;
pub(crate) mod constraints;
pub(crate) mod domains;
pub(crate) mod feedback;
pub(crate) mod groups;
pub(crate) mod identity_providers;
pub(crate) mod limits;
pub(crate) mod log_delivery;
pub(crate) mod passkeys;
pub(crate) mod pools;
pub(crate) mod provider_links;
pub(crate) mod recovery;
pub(crate) mod replicas;
pub(crate) mod resource_servers;
pub(crate) mod session_configuration;
pub(crate) mod sessions;
pub(crate) mod signing_certificate;
pub(crate) mod tags;
pub(crate) mod terms;
pub(crate) mod threat_protection;
pub(crate) mod ui_customization;
pub(crate) mod user;
pub(crate) mod user_import;
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
    AddUserPoolClientSecret => client_secrets::add_user_pool_client_secret;
    AdminAddUserToGroup => groups::admin_add_user_to_group;
    AdminConfirmSignUp => admin_user::admin_confirm_sign_up, [PostConfirmation];
    AdminCreateUser => admin_user::admin_create_user, [CustomMessage];
    AdminDeleteSoftwareToken => admin_software_token::run;
    AdminDeleteUser => admin_user::admin_delete_user;
    AdminDeleteUserAttributes => admin_user::admin_delete_user_attributes;
    AdminDisableProviderForUser => provider_links::admin_disable_provider_for_user;
    AdminDisableUser => admin_user::admin_disable_user;
    AdminEnableUser => admin_user::admin_enable_user;
    AdminForgetDevice => admin_devices::admin_forget_device;
    AdminGetDevice => admin_devices::admin_get_device;
    AdminGetUser => admin_user::admin_get_user;
    AdminGetUserAuthFactors => admin_get_user_auth_factors::run;
    AdminInitiateAuth => admin_user::admin_initiate_auth, [PreAuthentication, CustomAuth, CustomMessage, PostAuthentication, PreTokenGeneration];
    AdminLinkProviderForUser => provider_links::admin_link_provider_for_user;
    AdminListDevices => admin_devices::admin_list_devices;
    AdminListGroupsForUser => groups::admin_list_groups_for_user;
    AdminListUserAuthEvents => threat_protection::admin_list_user_auth_events;
    AdminListUserSessions => sessions::admin_list_user_sessions;
    AdminRemoveUserFromGroup => groups::admin_remove_user_from_group;
    AdminResetUserPassword => admin_reset_user_password::run, [CustomMessage];
    AdminRespondToAuthChallenge => admin_user::admin_respond_to_auth_challenge, [CustomAuth, CustomMessage, PostAuthentication, PreTokenGeneration];
    AdminRevokeUserSession => sessions::admin_revoke_user_session;
    AdminSetUserMFAPreference => admin_user::admin_set_user_mfa_preference;
    AdminSetUserPassword => admin_user::admin_set_user_password;
    AdminSetUserSettings => admin_user_settings::run;
    AdminUpdateAuthEventFeedback => threat_protection::admin_update_auth_event_feedback;
    AdminUpdateDeviceStatus => admin_devices::admin_update_device_status;
    AdminUpdateUserAttributes => admin_user::admin_update_user_attributes, [CustomMessage];
    AdminUserGlobalSignOut => admin_user::admin_user_global_sign_out;
    AssociateSoftwareToken => user::associate_software_token;
    CancelPointInTimeRecovery => recovery::cancel_point_in_time_recovery;
    ChangePassword => user::change_password;
    CompleteWebAuthnRegistration => passkeys::complete_web_authn_registration;
    ConfirmDevice => user::confirm_device;
    ConfirmForgotPassword => user::confirm_forgot_password;
    ConfirmSignUp => user::confirm_sign_up, [PostConfirmation];
    CreateCIMDPolicy => cimd::create_cimd_policy;
    CreateGroup => groups::create_group;
    CreateIdentityProvider => identity_providers::create_identity_provider;
    CreateManagedLoginBranding => branding::create_managed_login_branding;
    CreateResourceServer => resource_servers::create_resource_server;
    CreateTerms => terms::create_terms;
    CreateUserImportJob => user_import::create_user_import_job;
    CreateUserPool => pools::create_user_pool;
    CreateUserPoolClient => pools::create_user_pool_client;
    CreateUserPoolDomain => domains::create_user_pool_domain;
    CreateUserPoolReplica => replicas::create_user_pool_replica;
    DeleteCIMDPolicy => cimd::delete_cimd_policy;
    DeleteGroup => groups::delete_group;
    DeleteIdentityProvider => identity_providers::delete_identity_provider;
    DeleteManagedLoginBranding => branding::delete_managed_login_branding;
    DeleteResourceServer => resource_servers::delete_resource_server;
    DeleteTerms => terms::delete_terms;
    DeleteUser => user::delete_user;
    DeleteUserAttributes => user::delete_user_attributes;
    DeleteUserPool => pools::delete_user_pool;
    DeleteUserPoolClient => pools::delete_user_pool_client;
    DeleteUserPoolClientSecret => client_secrets::delete_user_pool_client_secret;
    DeleteUserPoolDomain => domains::delete_user_pool_domain;
    DeleteUserPoolReplica => replicas::delete_user_pool_replica;
    DeleteWebAuthnCredential => passkeys::delete_web_authn_credential;
    DescribeCIMDPolicy => cimd::describe_cimd_policy;
    DescribeIdentityProvider => identity_providers::describe_identity_provider;
    DescribeManagedLoginBranding => branding::describe_managed_login_branding;
    DescribeManagedLoginBrandingByClient => branding::describe_managed_login_branding_by_client;
    DescribePointInTimeRecovery => recovery::describe_point_in_time_recovery;
    DescribeResourceServer => resource_servers::describe_resource_server;
    DescribeRiskConfiguration => threat_protection::describe_risk_configuration;
    DescribeTerms => terms::describe_terms;
    DescribeTermsByClient => terms::describe_terms_by_client;
    DescribeUserImportJob => user_import::describe_user_import_job;
    DescribeUserPool => pools::describe_user_pool;
    DescribeUserPoolClient => pools::describe_user_pool_client;
    DescribeUserPoolDomain => domains::describe_user_pool_domain;
    ForgetDevice => user::forget_device;
    ForgotPassword => user::forgot_password, [CustomMessage];
    GetCSVHeader => user_import::get_csv_header;
    GetClientToken => client_tokens::get_client_token;
    GetDerivedToken => client_tokens::get_derived_token;
    GetDevice => user::get_device;
    GetGroup => groups::get_group;
    GetIdentityProviderByIdentifier => identity_providers::get_identity_provider_by_identifier;
    GetLogDeliveryConfiguration => log_delivery::get_log_delivery_configuration;
    GetProvisionedLimit => limits::get_provisioned_limit;
    GetSigningCertificate => signing_certificate::run;
    GetTokensFromRefreshToken => refresh::get_tokens_from_refresh_token, [PreTokenGeneration];
    GetUICustomization => ui_customization::get_ui_customization;
    GetUser => user::get_user;
    GetUserAttributeVerificationCode => user::get_user_attribute_verification_code, [CustomMessage];
    GetUserAuthFactors => passkeys::get_user_auth_factors;
    GetUserPoolClientSessionConfiguration => session_configuration::get_user_pool_client_session_configuration;
    GetUserPoolMfaConfig => pools::get_user_pool_mfa_config;
    GetUserPoolSessionConfiguration => session_configuration::get_user_pool_session_configuration;
    GlobalSignOut => user::global_sign_out;
    InitiateAuth => |shared, body| initiate_auth(shared, body, false), [PreAuthentication, CustomAuth, CustomMessage, PostAuthentication, PreTokenGeneration];
    InitiatePointInTimeRecovery => recovery::initiate_point_in_time_recovery;
    ListCIMDPolicies => cimd::list_cimd_policies;
    ListClientMetadataURLs => cimd::list_client_metadata_urls;
    ListDevices => user::list_devices;
    ListGroups => groups::list_groups;
    ListIdentityProviders => identity_providers::list_identity_providers;
    ListPointInTimeRecoveries => recovery::list_point_in_time_recoveries;
    ListResourceServers => resource_servers::list_resource_servers;
    ListTagsForResource => tags::list_tags_for_resource;
    ListTerms => terms::list_terms;
    ListUserImportJobs => user_import::list_user_import_jobs;
    ListUserPoolClientSecrets => client_secrets::list_user_pool_client_secrets;
    ListUserPoolClients => pools::list_user_pool_clients;
    ListUserPoolReplicas => replicas::list_user_pool_replicas;
    ListUserPools => pools::list_user_pools;
    ListUserSessions => sessions::list_user_sessions;
    ListUsers => admin_user::list_users;
    ListUsersInGroup => groups::list_users_in_group;
    ListWebAuthnCredentials => passkeys::list_web_authn_credentials;
    ResendConfirmationCode => user::resend_confirmation_code, [CustomMessage];
    RespondToAuthChallenge => respond_to_auth_challenge, [CustomAuth, CustomMessage, PostAuthentication, PreTokenGeneration];
    RevokeToken => user::revoke_token;
    RevokeUserSession => sessions::revoke_user_session;
    SetLogDeliveryConfiguration => log_delivery::set_log_delivery_configuration;
    SetRiskConfiguration => threat_protection::set_risk_configuration;
    SetUICustomization => ui_customization::set_ui_customization;
    SetUserMFAPreference => user::set_user_mfa_preference;
    SetUserPoolClientSessionConfiguration => session_configuration::set_user_pool_client_session_configuration;
    SetUserPoolMfaConfig => pools::set_user_pool_mfa_config;
    SetUserPoolSessionConfiguration => session_configuration::set_user_pool_session_configuration;
    SetUserSettings => user::set_user_settings;
    SignUp => user::sign_up, [PreSignUp, CustomMessage];
    StartPointInTimeRecovery => recovery::start_point_in_time_recovery;
    StartUserImportJob => user_import::start_user_import_job;
    StartWebAuthnRegistration => passkeys::start_web_authn_registration;
    StopUserImportJob => user_import::stop_user_import_job;
    TagResource => tags::tag_resource;
    UntagResource => tags::untag_resource;
    UpdateAuthEventFeedback => feedback::update_auth_event_feedback;
    UpdateCIMDPolicy => cimd::update_cimd_policy;
    UpdateClientMetadataURLState => cimd::update_client_metadata_url_state;
    UpdateDeviceStatus => user::update_device_status;
    UpdateGroup => groups::update_group;
    UpdateIdentityProvider => identity_providers::update_identity_provider;
    UpdateManagedLoginBranding => branding::update_managed_login_branding;
    UpdateProvisionedLimit => limits::update_provisioned_limit;
    UpdateResourceServer => resource_servers::update_resource_server;
    UpdateTerms => terms::update_terms;
    UpdateUserAttributes => user::update_user_attributes, [CustomMessage];
    UpdateUserPool => pools::update_user_pool;
    UpdateUserPoolClient => pools::update_user_pool_client;
    UpdateUserPoolDomain => domains::update_user_pool_domain;
    UpdateUserPoolReplica => replicas::update_user_pool_replica;
    VerifySoftwareToken => user::verify_software_token;
    VerifyUserAttribute => user::verify_user_attribute;
}

/// Runs one operation (see [`run`]); a sign-in is first screened by threat protection (which may
/// block it) and its outcome then recorded as an auth event (`auth/risk.rs`). Recording takes no
/// random draw and changes no answer.
pub(crate) async fn dispatch(shared: &Shared, name: &str, body: &Value) -> Answer {
    // A fault armed by `POST /_emulator/faults` answers before anything else runs.
    if find(name).is_some()
        && let Some(kind) = shared.injected_fault(name)
    {
        let mut f = fault(kind, format!("{kind} injected by /_emulator/faults"));
        if kind == "InternalErrorException" {
            f.status = 500;
        }
        return Err(f);
    }
    let attempt = crate::auth::risk::Attempt::of(shared, name, body);
    if let Some(attempt) = &attempt {
        attempt.screen(shared)?;
    }
    // Trigger timeouts armed for the operation: its trigger calls take them (`triggers`).
    let answer = match shared.trigger_timeouts(name) {
        Some(left) => crate::triggers::timing_out(left, run(shared, name, body)).await,
        None => run(shared, name, body).await,
    };
    if let Some(attempt) = &attempt {
        attempt.record(shared, &answer);
    }
    answer
}

/// Runs one operation with its triggers: PreSignUp before it (before the `AccessToken` is even
/// looked at, as Cognito calls the Lambda first), then the `AccessToken` of the body checked
/// against the signing key (a forged payload or `alg: none` never reaches the state), the
/// handler, and the triggers after it; the tokens come back signed.
async fn run(shared: &Shared, name: &str, body: &Value) -> Answer {
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
    if fires(Trigger::PreAuthentication) {
        triggers::pre_authentication(shared, body, name == "AdminInitiateAuth").await?;
    }
    // The codes and invitations it sends wait for the CustomMessage webhook.
    let custom_message = fires(Trigger::CustomMessage);
    if custom_message {
        crate::model::state::hold_messages();
    }
    let answer = (operation.run)(shared, body);
    let held = if custom_message {
        crate::model::state::held_messages()
    } else {
        Vec::new()
    };
    // A sign-in whose custom authentication runs through webhooks parked its round: it runs
    // now, without the lock.
    let parked = custom::take_parked();
    if answer.is_err() {
        // What a refused operation sent goes out as it is, as it always did.
        let mut state = shared.lock();
        for message in held {
            state.outbox.push(message);
        }
    } else {
        for message in held {
            triggers::custom_message(shared, name, body, message).await?;
        }
    }
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
    if fires(Trigger::PostAuthentication) {
        triggers::post_authentication(shared, name, body, &answer).await?;
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
