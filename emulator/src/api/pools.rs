//! The admin API's pools and app clients: CreateUserPool, DescribeUserPool, ListUserPools,
//! UpdateUserPool, DeleteUserPool, AddCustomAttributes, SetUserPoolMfaConfig,
//! GetUserPoolMfaConfig; CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
//! DeleteUserPoolClient, ListUserPoolClients.
//!
//! As Cognito's API reference says of the updates: a setting an update leaves out goes back to
//! its default.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault, no_pool};
use crate::input::field;
use crate::input::{
    listing, missing, name_field, opt_bool, opt_int, opt_object, opt_str, str_list,
};
use crate::model::resources::PoolResources;
use crate::model::settings::{ClientSettings, TimeUnit, TokenValidity};
use crate::model::state::{
    Client, ClientConfig, ClientInfo, DeviceTracking, Inner, Mfa, PasswordPolicy, Pool, PoolConfig,
    RefreshRotation,
};
use crate::rules;

const INVALID: &str = "InvalidParameterException";

/// `ClientName`, checked as Cognito checks it.
fn client_name(body: &Value) -> Result<&str, Fault> {
    let name = field(body, "ClientName")?;
    rules::client_name(name).map_err(|r| rules::refusal("ClientName", name, &r))?;
    Ok(name)
}

fn no_client(client_id: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("User pool client {client_id} does not exist."),
    )
}

/// The standard attributes of every pool's schema, as DescribeUserPool lists them.
const STANDARD_SCHEMA: &[(&str, &str)] = &[
    ("sub", "String"),
    ("name", "String"),
    ("given_name", "String"),
    ("family_name", "String"),
    ("middle_name", "String"),
    ("nickname", "String"),
    ("preferred_username", "String"),
    ("profile", "String"),
    ("picture", "String"),
    ("website", "String"),
    ("email", "String"),
    ("email_verified", "Boolean"),
    ("gender", "String"),
    ("birthdate", "String"),
    ("zoneinfo", "String"),
    ("locale", "String"),
    ("phone_number", "String"),
    ("phone_number_verified", "Boolean"),
    ("address", "String"),
    ("updated_at", "Number"),
];

const DATA_TYPES: &[&str] = &["String", "Number", "DateTime", "Boolean"];

/// The name of the constraints an attribute of this data type has, if any.
fn constraints_name(kind: &str) -> Option<&'static str> {
    match kind {
        "String" => Some("StringAttributeConstraints"),
        "Number" => Some("NumberAttributeConstraints"),
        _ => None,
    }
}

/// Cognito's constraints of a standard attribute, as DescribeUserPool shows them.
fn standard_constraints(name: &str, kind: &str) -> Option<Value> {
    match (name, kind) {
        ("sub", _) => Some(json!({"MinLength": "1", "MaxLength": "2048"})),
        ("birthdate", _) => Some(json!({"MinLength": "10", "MaxLength": "10"})),
        (_, "String") => Some(json!({"MinLength": "0", "MaxLength": "2048"})),
        (_, "Number") => Some(json!({"MinValue": "0"})),
        _ => None,
    }
}

impl Inner {
    /// Adds a pool; returns its id (`{region}_{9 letters}`).
    pub(crate) fn insert_pool(&mut self, config: PoolConfig) -> String {
        let name = self.alnum(9);
        let id = format!("{}_{name}", self.region);
        let phantom_key = self.bytes::<32>();
        let now = self.unix();
        self.pools.insert(
            id.clone(),
            Pool {
                id: id.clone(),
                config,
                clients: crate::model::table::Table::default(),
                users: crate::model::table::Table::default(),
                devices: crate::model::table::Table::default(),
                passkeys: crate::model::passkeys::Passkeys::default(),
                phantom_key,
                groups: BTreeMap::new(),
                resources: crate::model::resources::PoolResources::default(),
                imports: crate::model::imports::ImportJobs::default(),
                risk: crate::model::risk::RiskConfigs::default(),
                created: now,
                modified: now,
            },
        );
        id
    }

    /// Adds an app client to a pool. `None`: no such pool.
    pub(crate) fn insert_client(
        &mut self,
        pool_id: &str,
        config: ClientConfig,
    ) -> Option<ClientInfo> {
        self.pools.get(pool_id)?;
        let id = self.alnum(26).to_lowercase();
        let secret = config.secret.then(|| self.alnum(51));
        let info = ClientInfo {
            id: id.clone(),
            secret,
        };
        let now = self.unix();
        self.pools.get_mut(pool_id)?.clients.insert(
            id,
            Client {
                info: info.clone(),
                callback_urls: config.callback_urls,
                prevent_user_existence_errors: config.prevent_user_existence_errors,
                settings: config.settings,
                refresh_rotation: config.refresh_rotation,
                created: now,
                modified: now,
                secrets: crate::model::client_secrets::ClientSecrets::default(),
            },
        );
        Some(info)
    }

    pub(crate) fn pool(&self, body: &Value) -> Result<&Pool, Fault> {
        self.pool_by_id(field(body, "UserPoolId")?)
    }

    pub(crate) fn pool_mut(&mut self, body: &Value) -> Result<&mut Pool, Fault> {
        self.pool_by_id_mut(field(body, "UserPoolId")?)
    }

    /// A pool as DescribeUserPool and CreateUserPool answer it.
    fn describe_pool(&self, id: &str) -> Value {
        let Some(pool) = self.pools.get(id) else {
            return json!({});
        };
        let c = &pool.config;
        let s = &c.settings;
        let p = &c.password_policy;
        let mut schema: Vec<Value> = STANDARD_SCHEMA
            .iter()
            .map(|(name, kind)| {
                let mut attribute = json!({"Name": name, "AttributeDataType": kind,
                    "DeveloperOnlyAttribute": false, "Mutable": *name != "sub",
                    "Required": *name == "sub"});
                let given = s.attribute_constraints.get(*name).map(|c| json!(c));
                if let (Some(key), Some(constraints)) = (
                    constraints_name(kind),
                    given.or_else(|| standard_constraints(name, kind)),
                ) {
                    attribute[key] = constraints;
                }
                attribute
            })
            .collect();
        for custom in &c.custom_attributes {
            let bare = custom.strip_prefix("custom:").unwrap_or(custom);
            let kind = s
                .custom_attribute_types
                .get(bare)
                .map_or("String", String::as_str);
            let mutable = !s.immutable_attributes.iter().any(|a| a == bare);
            let name = format!("custom:{bare}");
            let developer_only = s.developer_only_attributes.iter().any(|a| a == bare);
            let shown = if developer_only {
                format!("dev:{name}")
            } else {
                name.clone()
            };
            let mut attribute = json!({"Name": shown, "AttributeDataType": kind,
                "DeveloperOnlyAttribute": developer_only, "Mutable": mutable, "Required": false});
            if let (Some(key), Some(constraints)) =
                (constraints_name(kind), s.attribute_constraints.get(&name))
            {
                attribute[key] = json!(constraints);
            }
            schema.push(attribute);
        }
        let mut answer = json!({
            "Id": pool.id, "Name": c.name,
            "Arn": format!("arn:aws:cognito-idp:{}:{}:userpool/{}", self.region, self.account_id, pool.id),
            "Policies": {"PasswordPolicy": {
                "MinimumLength": p.minimum_length, "RequireUppercase": p.require_uppercase,
                "RequireLowercase": p.require_lowercase, "RequireNumbers": p.require_numbers,
                "RequireSymbols": p.require_symbols,
                "TemporaryPasswordValidityDays": s.temporary_password_validity_days}},
            "DeletionProtection": if s.deletion_protection { "ACTIVE" } else { "INACTIVE" },
            "LambdaConfig": s.lambda_config,
            "SchemaAttributes": schema,
            "AutoVerifiedAttributes": s.auto_verified_attributes,
            "MfaConfiguration": mfa_name(c.mfa),
            "EstimatedNumberOfUsers": pool.users.len(),
            "UserPoolTags": s.tags,
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": s.admin_create_user_only,
                                      "UnusedAccountValidityDays": s.temporary_password_validity_days},
            "CreationDate": pool.created, "LastModifiedDate": pool.modified,
        });
        if !s.alias_attributes.is_empty() {
            answer["AliasAttributes"] = json!(s.alias_attributes);
        }
        if !s.verification_message_template.is_empty() {
            let template = &s.verification_message_template;
            answer["VerificationMessageTemplate"] = json!(template);
            // The older members say the same as the template's.
            for (older, member) in [
                ("SmsVerificationMessage", "SmsMessage"),
                ("EmailVerificationMessage", "EmailMessage"),
                ("EmailVerificationSubject", "EmailSubject"),
            ] {
                if let Some(text) = template.get(member) {
                    answer[older] = text.clone();
                }
            }
        }
        if let Some(domain) = &pool.resources.domain {
            let key = if domain.certificate_arn.is_some() {
                "CustomDomain"
            } else {
                "Domain"
            };
            answer[key] = json!(domain.name);
        }
        if !s.account_recovery.is_empty() {
            answer["AccountRecoverySetting"] = json!(s.account_recovery);
        }
        if !s.username_attributes.is_empty() {
            answer["UsernameAttributes"] = json!(s.username_attributes);
        }
        if let Some(factors) = &s.allowed_first_auth_factors {
            answer["Policies"]["SignInPolicy"] = json!({"AllowedFirstAuthFactors": factors});
        }
        if c.device_tracking != DeviceTracking::Off {
            answer["DeviceConfiguration"] = json!({
                "ChallengeRequiredOnNewDevice": false,
                "DeviceOnlyRememberedOnUserPrompt": c.device_tracking == DeviceTracking::UserOptIn,
            });
        }
        answer
    }

    fn client_of<'a>(&'a self, body: &Value) -> Result<(&'a Pool, &'a Client), Fault> {
        let pool = self.pool(body)?;
        let client_id = field(body, "ClientId")?;
        let client = pool
            .clients
            .get(client_id)
            .ok_or_else(|| no_client(client_id))?;
        Ok((pool, client))
    }

    /// An app client as DescribeUserPoolClient answers it.
    fn describe_client(&self, pool_id: &str, client_id: &str) -> Value {
        let Some(c) = self
            .pools
            .get(pool_id)
            .and_then(|p| p.clients.get(client_id))
        else {
            return json!({});
        };
        let s = &c.settings;
        let v = &s.token_validity;
        let [access_unit, id_unit, refresh_unit] = s.token_validity_units;
        let mut answer = json!({
            "UserPoolId": pool_id, "ClientName": s.name, "ClientId": c.info.id,
            "CreationDate": c.created, "LastModifiedDate": c.modified,
            "AccessTokenValidity": v.access.as_secs() / access_unit.seconds(),
            "IdTokenValidity": v.id.as_secs() / id_unit.seconds(),
            "RefreshTokenValidity": v.refresh.as_secs() / refresh_unit.seconds(),
            "TokenValidityUnits": {"AccessToken": access_unit.name(), "IdToken": id_unit.name(),
                                   "RefreshToken": refresh_unit.name()},
            "ReadAttributes": s.read_attributes, "WriteAttributes": s.write_attributes,
            "SupportedIdentityProviders": s.supported_identity_providers,
            "CallbackURLs": c.callback_urls, "LogoutURLs": s.logout_urls,
            "AllowedOAuthFlows": s.allowed_oauth_flows, "AllowedOAuthScopes": s.allowed_oauth_scopes,
            "AllowedOAuthFlowsUserPoolClient": s.allowed_oauth_flows_user_pool_client,
            "PreventUserExistenceErrors": if c.prevent_user_existence_errors { "ENABLED" } else { "LEGACY" },
            "EnableTokenRevocation": s.enable_token_revocation,
            "EnablePropagateAdditionalUserContextData": false,
            "AuthSessionValidity": s.auth_session_validity,
            "RefreshTokenRotation": match c.refresh_rotation {
                Some(r) => json!({"Feature": "ENABLED", "RetryGracePeriodSeconds": r.retry_grace_seconds}),
                None => json!({"Feature": "DISABLED"}),
            },
        });
        if let Some(flows) = &s.explicit_auth_flows {
            answer["ExplicitAuthFlows"] = json!(flows);
        }
        if let Some(secret) = &c.info.secret {
            answer["ClientSecret"] = json!(secret);
        }
        if let Some(uri) = &s.default_redirect_uri {
            answer["DefaultRedirectURI"] = json!(uri);
        }
        answer
    }
}

/// CreateUserPool.
pub(crate) fn create_user_pool(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let name = field(body, "PoolName")?;
    rules::pool_name(name).map_err(|r| rules::refusal("PoolName", name, &r))?;
    let name = name.to_owned();
    let mut config = PoolConfig {
        name,
        ..PoolConfig::default()
    };
    read_pool_settings(body, &mut config, true)?;
    if let Some(schema) = body.get("Schema") {
        add_schema(&mut config, schema)?;
    }
    let id = state.insert_pool(config);
    Ok(json!({"UserPool": state.describe_pool(&id)}))
}

/// DescribeUserPool.
pub(crate) fn describe_user_pool(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let id = state.pool(body)?.id.clone();
    Ok(json!({"UserPool": state.describe_pool(&id)}))
}

/// UpdateUserPool.
pub(crate) fn update_user_pool(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let now = state.unix();
    let pool = state.pool_mut(body)?;
    let mut config = PoolConfig {
        name: pool.config.name.clone(),
        custom_attributes: pool.config.custom_attributes.clone(),
        custom_auth: pool.config.custom_auth.clone(),
        fixed_code: pool.config.fixed_code.clone(),
        ..PoolConfig::default()
    };
    config.settings.custom_attribute_types = pool.config.settings.custom_attribute_types.clone();
    config.settings.immutable_attributes = pool.config.settings.immutable_attributes.clone();
    // Nor the sign-in attributes, which are fixed at creation.
    config.settings.alias_attributes = pool.config.settings.alias_attributes.clone();
    config.settings.username_attributes = pool.config.settings.username_attributes.clone();
    // UpdateUserPool does not take the MFA methods: SetUserPoolMfaConfig does.
    config.settings.sms_mfa = pool.config.settings.sms_mfa;
    config.settings.software_token_mfa = pool.config.settings.software_token_mfa;
    read_pool_settings(body, &mut config, false)?;
    if let Some(name) = opt_str(body, "PoolName")? {
        config.name = name.to_owned();
    }
    pool.config = config;
    pool.modified = now;
    Ok(json!({}))
}

/// DeleteUserPool.
pub(crate) fn delete_user_pool(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let pool = state.pool(body)?;
    if pool.config.settings.deletion_protection {
        return Err(fault(
            INVALID,
            "The user pool cannot be deleted because deletion protection is activated.",
        ));
    }
    let id = pool.id.clone();
    state.pools.remove(&id);
    state.sessions.retain(|_, s| s.pool_id != id);
    state.refresh_tokens.retain(|_, r| r.pool_id != id);
    state.access_tokens.retain(|_, t| t.pool_id != id);
    state.grants.retain(|_, g| g.pool_id != id);
    Ok(json!({}))
}

/// ListUserPools.
pub(crate) fn list_user_pools(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let limit = opt_int(body, "MaxResults", 1, 60)?.ok_or_else(|| missing("MaxResults"))?;
    let token = opt_str(body, "NextToken")?;
    let items = state.pools.values().map(|p| {
        (
            p.id.clone(),
            json!({"Id": p.id, "Name": p.config.name, "LambdaConfig": p.config.settings.lambda_config,
                   "CreationDate": p.created, "LastModifiedDate": p.modified}),
        )
    });
    listing(items, limit, token, "UserPools", "NextToken")
}

/// AddCustomAttributes.
pub(crate) fn add_custom_attributes(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let schema = body
        .get("CustomAttributes")
        .ok_or_else(|| missing("CustomAttributes"))?
        .clone();
    let now = state.unix();
    let pool = state.pool_mut(body)?;
    let mut config = pool.config.clone();
    add_schema(&mut config, &schema)?;
    pool.config = config;
    pool.modified = now;
    Ok(json!({}))
}

/// The first factors of `Policies.SignInPolicy.AllowedFirstAuthFactors`.
const FIRST_FACTORS: [&str; 4] = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"];

/// SetUserPoolMfaConfig.
pub(crate) fn set_user_pool_mfa_config(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let sms = opt_object(body, "SmsMfaConfiguration")?;
    let email = opt_object(body, "EmailMfaConfiguration")?;
    let totp = opt_object(body, "SoftwareTokenMfaConfiguration")?
        .map(|t| opt_bool(t, "Enabled"))
        .transpose()?
        .flatten();
    // SetUserPoolMfaConfig's own words for what CreateUserPool refuses as a validation error.
    let mfa = opt_str(body, "MfaConfiguration")?
        .map(|name| {
            parse_mfa(name).map_err(|_| {
                fault(
                    INVALID,
                    "[MfaConfiguration] must be one of 'ON', 'OFF', or 'OPTIONAL'.",
                )
            })
        })
        .transpose()?;
    if let Some(sms) = sms
        && opt_object(sms, "SmsConfiguration")?.is_none()
    {
        return Err(fault(
            INVALID,
            "[SmsConfiguration] is a required member of [SoftwareTokenMfaConfiguration].",
        ));
    }
    let pool = state.pool_mut(body)?;
    let mut settings = pool.config.settings.clone();
    if let Some(enabled) = totp {
        settings.software_token_mfa = enabled;
    }
    if sms.is_some() {
        settings.sms_mfa = true;
    }
    if email.is_some() {
        settings.email_mfa = true;
    }
    let mfa = mfa.unwrap_or(pool.config.mfa);
    if mfa != Mfa::Off && !settings.sms_mfa && !settings.software_token_mfa && !settings.email_mfa {
        return Err(fault(
            INVALID,
            "At least one of [SmsMfaConfiguration] or [SoftwareTokenMfaConfiguration] must be provided.",
        ));
    }
    pool.config.settings = settings;
    pool.config.mfa = mfa;
    Ok(mfa_config(&pool.config))
}

/// GetUserPoolMfaConfig.
pub(crate) fn get_user_pool_mfa_config(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    Ok(mfa_config(&state.pool(body)?.config))
}

/// CreateUserPoolClient.
pub(crate) fn create_user_pool_client(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let pool_id = state.pool(body)?.id.clone();
    let name = client_name(body)?.to_owned();
    let secret = opt_bool(body, "GenerateSecret")?.unwrap_or(false);
    let mut config = read_client(body)?;
    client_credentials(&config.settings, secret)?;
    if let Some(pool) = state.pools.get(&pool_id) {
        scopes_exist(&pool.resources, &config.settings.allowed_oauth_scopes)?;
    }
    config.secret = secret;
    config.settings.name = name;
    let info = state
        .insert_client(&pool_id, config)
        .ok_or_else(|| no_pool(&pool_id))?;
    Ok(json!({"UserPoolClient": state.describe_client(&pool_id, &info.id)}))
}

/// DescribeUserPoolClient.
pub(crate) fn describe_user_pool_client(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool, client) = state.client_of(body)?;
    let (pool_id, client_id) = (pool.id.clone(), client.info.id.clone());
    Ok(json!({"UserPoolClient": state.describe_client(&pool_id, &client_id)}))
}

/// UpdateUserPoolClient.
pub(crate) fn update_user_pool_client(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool, client) = state.client_of(body)?;
    let (pool_id, client_id) = (pool.id.clone(), client.info.id.clone());
    let name = match opt_str(body, "ClientName")? {
        Some(_) => client_name(body)?.to_owned(),
        None => client.settings.name.clone(),
    };
    let mut config = read_client(body)?;
    client_credentials(&config.settings, client.info.secret.is_some())?;
    scopes_exist(&pool.resources, &config.settings.allowed_oauth_scopes)?;
    config.settings.name = name;
    let now = state.unix();
    if let Some(client) = state
        .pools
        .get_mut(&pool_id)
        .and_then(|p| p.clients.get_mut(&client_id))
    {
        client.callback_urls = config.callback_urls;
        client.prevent_user_existence_errors = config.prevent_user_existence_errors;
        client.settings = config.settings;
        client.refresh_rotation = config.refresh_rotation;
        client.modified = now;
    }
    Ok(json!({"UserPoolClient": state.describe_client(&pool_id, &client_id)}))
}

/// DeleteUserPoolClient.
pub(crate) fn delete_user_pool_client(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool, client) = state.client_of(body)?;
    let (pool_id, client_id) = (pool.id.clone(), client.info.id.clone());
    if let Some(pool) = state.pools.get_mut(&pool_id) {
        pool.clients.remove(&client_id);
    }
    state.sessions.retain(|_, s| s.client_id != client_id);
    state.refresh_tokens.retain(|_, r| r.client_id != client_id);
    state.grants.retain(|_, g| g.client_id != client_id);
    Ok(json!({}))
}

/// ListUserPoolClients.
pub(crate) fn list_user_pool_clients(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let limit = opt_int(body, "MaxResults", 1, 60)?.unwrap_or(60);
    let token = opt_str(body, "NextToken")?;
    let pool = state.pool(body)?;
    let items = pool.clients.values().map(|c| {
        (
            c.info.id.clone(),
            json!({"ClientId": c.info.id, "UserPoolId": pool.id, "ClientName": c.settings.name}),
        )
    });
    listing(items, limit, token, "UserPoolClients", "NextToken")
}

fn mfa_name(mfa: Mfa) -> &'static str {
    match mfa {
        Mfa::Off => "OFF",
        Mfa::Optional => "OPTIONAL",
        Mfa::On => "ON",
    }
}

fn parse_mfa(name: &str) -> Result<Mfa, Fault> {
    match name {
        "OFF" => Ok(Mfa::Off),
        "OPTIONAL" => Ok(Mfa::Optional),
        "ON" => Ok(Mfa::On),
        other => Err(fault(
            INVALID,
            format!(
                "1 validation error detected: Value '{other}' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
            ),
        )),
    }
}

fn mfa_config(config: &PoolConfig) -> Value {
    let mut answer = json!({
        "MfaConfiguration": mfa_name(config.mfa),
        "SoftwareTokenMfaConfiguration": {"Enabled": config.settings.software_token_mfa},
    });
    if config.settings.sms_mfa {
        answer["SmsMfaConfiguration"] = json!({"SmsConfiguration": {}});
    }
    if config.settings.email_mfa {
        answer["EmailMfaConfiguration"] = json!({});
    }
    answer
}

/// The pool settings of CreateUserPool and UpdateUserPool. `create`: MFA methods are read from
/// the request (UpdateUserPool leaves them to SetUserPoolMfaConfig, except SMS).
fn read_pool_settings(body: &Value, config: &mut PoolConfig, create: bool) -> Result<(), Fault> {
    if let Some(mfa) = opt_str(body, "MfaConfiguration")? {
        config.mfa = parse_mfa(mfa)?;
    }
    let s = &mut config.settings;
    if create {
        // A pool made over the API has TOTP off until SetUserPoolMfaConfig turns it on.
        s.software_token_mfa = false;
        s.sms_mfa = opt_object(body, "SmsConfiguration")?.is_some();
    }
    if let Some(policies) = opt_object(body, "Policies")?
        && let Some(sign_in) = opt_object(policies, "SignInPolicy")?
    {
        let factors = str_list(sign_in, "AllowedFirstAuthFactors")?;
        if let Some(bad) = factors
            .iter()
            .find(|f| !FIRST_FACTORS.contains(&f.as_str()))
        {
            return Err(fault(
                INVALID,
                format!(
                    "1 validation error detected: Value '[{bad}]' at 'policies.signInPolicy.allowedFirstAuthFactors' failed to satisfy constraint: Member must satisfy enum value set: [PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN]"
                ),
            ));
        }
        s.allowed_first_auth_factors = Some(factors);
    }
    if let Some(policies) = opt_object(body, "Policies")?
        && let Some(p) = opt_object(policies, "PasswordPolicy")?
    {
        let default = PasswordPolicy::default();
        config.password_policy = PasswordPolicy {
            minimum_length: opt_int(
                p,
                "MinimumLength",
                rules::PASSWORD_MINIMUM_LENGTH.min,
                rules::PASSWORD_MINIMUM_LENGTH.max,
            )?
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(default.minimum_length),
            require_uppercase: opt_bool(p, "RequireUppercase")?.unwrap_or(false),
            require_lowercase: opt_bool(p, "RequireLowercase")?.unwrap_or(false),
            require_numbers: opt_bool(p, "RequireNumbers")?.unwrap_or(false),
            require_symbols: opt_bool(p, "RequireSymbols")?.unwrap_or(false),
        };
        if let Some(days) = opt_int(p, "TemporaryPasswordValidityDays", 0, 365)? {
            s.temporary_password_validity_days = u32::try_from(days).unwrap_or(7);
        }
    }
    config.device_tracking = match opt_object(body, "DeviceConfiguration")? {
        None => DeviceTracking::Off,
        Some(d) => {
            if opt_bool(d, "DeviceOnlyRememberedOnUserPrompt")?.unwrap_or(false) {
                DeviceTracking::UserOptIn
            } else {
                DeviceTracking::Always
            }
        }
    };
    // Kept as given and described (the emulator runs webhooks, not Lambdas).
    s.lambda_config = opt_object(body, "LambdaConfig")?
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    s.verification_message_template = opt_object(body, "VerificationMessageTemplate")?
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // The older members, where the template does not say otherwise.
    for (older, member) in [
        ("SmsVerificationMessage", "SmsMessage"),
        ("EmailVerificationMessage", "EmailMessage"),
        ("EmailVerificationSubject", "EmailSubject"),
    ] {
        if let Some(text) = opt_str(body, older)?
            && !s.verification_message_template.contains_key(member)
        {
            s.verification_message_template
                .insert(member.into(), json!(text));
        }
    }
    s.account_recovery = opt_object(body, "AccountRecoverySetting")?
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    s.auto_verified_attributes = str_list(body, "AutoVerifiedAttributes")?;
    for a in &s.auto_verified_attributes {
        if a != "email" && a != "phone_number" {
            return Err(fault(
                INVALID,
                format!("Invalid AutoVerifiedAttributes: {a}"),
            ));
        }
    }
    if create {
        s.alias_attributes = str_list(body, "AliasAttributes")?;
        s.username_attributes = str_list(body, "UsernameAttributes")?;
        if !s.alias_attributes.is_empty() && !s.username_attributes.is_empty() {
            return Err(fault(
                INVALID,
                "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool",
            ));
        }
    }
    s.deletion_protection = match opt_str(body, "DeletionProtection")? {
        None | Some("INACTIVE") => false,
        Some("ACTIVE") => true,
        Some(other) => {
            return Err(fault(
                INVALID,
                format!("Invalid DeletionProtection: {other} (ACTIVE or INACTIVE)"),
            ));
        }
    };
    if let Some(admin) = opt_object(body, "AdminCreateUserConfig")? {
        s.admin_create_user_only = opt_bool(admin, "AllowAdminCreateUserOnly")?.unwrap_or(false);
    }
    if let Some(tags) = opt_object(body, "UserPoolTags")? {
        s.tags = tags
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                v.as_str()
                    .map(|v| (k.clone(), v.to_owned()))
                    .ok_or_else(|| {
                        fault("SerializationException", "UserPoolTags: expected strings")
                    })
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

/// An attribute's `StringAttributeConstraints` (lengths of at most 2048, min <= max) or
/// `NumberAttributeConstraints` (min <= max), as Cognito checks them: those of its data type, to
/// keep (the other kind is ignored, as Cognito does).
fn check_constraints(
    attribute: &Value,
    name: &str,
    kind: &str,
) -> Result<Option<BTreeMap<String, String>>, Fault> {
    let Some(constraints) = constraints_name(kind) else {
        return Ok(None);
    };
    let Some(given) = opt_object(attribute, constraints)? else {
        return Ok(None);
    };
    let keys: &[&str] = if kind == "String" {
        &["MinLength", "MaxLength"]
    } else {
        &["MinValue", "MaxValue"]
    };
    let invalid = || {
        fault(
            INVALID,
            format!("Invalid {constraints} for schema attribute {name}"),
        )
    };
    let mut kept = BTreeMap::new();
    let mut bounds = [None, None];
    for (bound, key) in bounds.iter_mut().zip(keys) {
        if let Some(text) = opt_str(given, key)? {
            *bound = Some(text.trim().parse::<i64>().map_err(|_| invalid())?);
            kept.insert((*key).to_owned(), text.to_owned());
        }
    }
    let bare = name.strip_prefix("custom:").unwrap_or(name);
    if kind == "String" {
        if bounds.iter().flatten().any(|n| *n > 2048) {
            return Err(fault(
                INVALID,
                format!("user.{bare}: String attributes cannot have a length of more than 2048"),
            ));
        }
        if bounds.iter().flatten().any(|n| *n < 0) {
            return Err(fault(
                INVALID,
                format!("user.{bare}: String attributes cannot have a negative length"),
            ));
        }
    }
    if let [Some(min), Some(max)] = bounds
        && min > max
    {
        let what = if kind == "String" { "length" } else { "value" };
        return Err(fault(
            INVALID,
            format!("user.{bare}: Max {what} cannot be less than min {what}."),
        ));
    }
    Ok(Some(kept))
}

/// Declares the custom attributes of a `Schema` / `CustomAttributes` list (standard attributes in
/// it are accepted and left as they are).
fn add_schema(config: &mut PoolConfig, schema: &Value) -> Result<(), Fault> {
    let list = schema
        .as_array()
        .ok_or_else(|| fault("SerializationException", "Schema: expected a list"))?;
    for attribute in list {
        let name = name_field(attribute, "Name", rules::CUSTOM_ATTRIBUTE_MAX)?;
        let bare = name.strip_prefix("custom:").unwrap_or(name);
        let standard = STANDARD_SCHEMA.iter().find(|(n, _)| *n == bare);
        let given = opt_str(attribute, "AttributeDataType")?;
        let kind = match (given, standard) {
            (Some(kind), _) => kind,
            (None, Some((_, kind))) => kind,
            (None, None) => {
                return Err(fault(
                    INVALID,
                    "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
                ));
            }
        };
        if !DATA_TYPES.contains(&kind) {
            return Err(fault(
                INVALID,
                format!(
                    "Validation error detected: Value '{kind}' failed to satisfy constraint: \
                     Member must satisfy enum value set: [Boolean, Number, String, DateTime]"
                ),
            ));
        }
        let developer_only = opt_bool(attribute, "DeveloperOnlyAttribute")?.unwrap_or(false);
        if let Some((_, standard)) = standard {
            if kind != *standard || developer_only {
                return Err(fault(
                    INVALID,
                    format!(
                        "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {bare}"
                    ),
                ));
            }
            if let Some(kept) = check_constraints(attribute, bare, kind)? {
                config
                    .settings
                    .attribute_constraints
                    .insert(bare.to_owned(), kept);
            }
            continue;
        }
        if opt_bool(attribute, "Required")?.unwrap_or(false) {
            return Err(fault(
                INVALID,
                "Required custom attributes are not supported currently.",
            ));
        }
        let constraints = check_constraints(attribute, name, kind)?;
        rules::custom_attribute_name(name).map_err(|r| rules::refusal("Name", name, &r))?;
        if config
            .custom_attributes
            .iter()
            .any(|d| d.strip_prefix("custom:").unwrap_or(d) == bare)
        {
            let existing = if config
                .settings
                .developer_only_attributes
                .iter()
                .any(|a| a == bare)
            {
                format!("dev:custom:{bare}")
            } else {
                format!("custom:{bare}")
            };
            return Err(fault(
                INVALID,
                format!("custom:{bare}: Existing attribute already has name {existing}."),
            ));
        }
        if config.custom_attributes.len() >= 50 {
            return Err(fault(
                INVALID,
                "A user pool has at most 50 custom attributes",
            ));
        }
        config.custom_attributes.push(bare.to_owned());
        if let Some(kept) = constraints {
            config
                .settings
                .attribute_constraints
                .insert(format!("custom:{bare}"), kept);
        }
        if opt_bool(attribute, "Mutable")? == Some(false) {
            config.settings.immutable_attributes.push(bare.to_owned());
        }
        if developer_only {
            config
                .settings
                .developer_only_attributes
                .push(bare.to_owned());
        }
        if kind != "String" {
            config
                .settings
                .custom_attribute_types
                .insert(bare.to_owned(), kind.to_owned());
        }
    }
    Ok(())
}

/// Cognito's rules for the `client_credentials` OAuth flow: only on a client with a secret, never
/// beside the code or implicit flow, and with custom (resource-server) scopes only.
pub(crate) fn client_credentials(settings: &ClientSettings, secret: bool) -> Result<(), Fault> {
    let flows = &settings.allowed_oauth_flows;
    if !flows.iter().any(|f| f == "client_credentials") {
        return Ok(());
    }
    let refusal = |message: String| fault("InvalidOAuthFlowException", message);
    if !secret {
        return Err(refusal(
            "client_credentials flow can not be selected if client does not have a client secret."
                .into(),
        ));
    }
    if flows.iter().any(|f| f != "client_credentials") {
        return Err(refusal(
            "client_credentials flow can not be selected along with code flow or implicit flow."
                .into(),
        ));
    }
    if let Some(scope) = settings
        .allowed_oauth_scopes
        .iter()
        .find(|s| rules::USER_SCOPES.contains(&s.as_str()))
    {
        return Err(refusal(format!(
            "{scope} is not supported with client_credentials flow"
        )));
    }
    Ok(())
}

/// Cognito's rule for an app client's `AllowedOAuthScopes`: each is a standard scope or
/// `<identifier>/<scope name>` of one of the pool's resource servers (a scope name has no `/`,
/// an identifier may), else ScopeDoesNotExistException, worded as Cognito words it.
pub(crate) fn scopes_exist(resources: &PoolResources, scopes: &[String]) -> Result<(), Fault> {
    let exists = |scope: &str| {
        rules::USER_SCOPES.contains(&scope)
            || scope.rsplit_once('/').is_some_and(|(identifier, name)| {
                resources
                    .resource_servers
                    .get(identifier)
                    .is_some_and(|server| server.scopes.iter().any(|s| s.name == name))
            })
    };
    match scopes.iter().find(|scope| !exists(scope)) {
        Some(scope) => Err(fault(
            "ScopeDoesNotExistException",
            format!("Invalid scope requested: {scope}"),
        )),
        None => Ok(()),
    }
}

/// The settings of CreateUserPoolClient and UpdateUserPoolClient, with Cognito's defaults for
/// what the request leaves out.
fn read_client(body: &Value) -> Result<ClientConfig, Fault> {
    let callback_urls = str_list(body, "CallbackURLs")?;
    let logout_urls = str_list(body, "LogoutURLs")?;
    for url in callback_urls.iter().chain(&logout_urls) {
        rules::callback_url(url).map_err(|r| rules::refusal("CallbackURLs", url, &r))?;
    }
    let flows = str_list(body, "ExplicitAuthFlows")?;
    for flow in &flows {
        rules::auth_flow(flow).map_err(|r| rules::refusal("ExplicitAuthFlows", flow, &r))?;
    }
    let explicit_auth_flows = if body.get("ExplicitAuthFlows").is_some_and(|v| !v.is_null()) {
        flows
    } else {
        [
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_CUSTOM_AUTH",
        ]
        .map(String::from)
        .to_vec()
    };
    let oauth_flows = str_list(body, "AllowedOAuthFlows")?;
    for flow in &oauth_flows {
        rules::oauth_flow(flow).map_err(|r| rules::refusal("AllowedOAuthFlows", flow, &r))?;
    }
    let oauth_client = opt_bool(body, "AllowedOAuthFlowsUserPoolClient")?.unwrap_or(false);
    if oauth_client
        && oauth_flows.iter().any(|f| f != "client_credentials")
        && callback_urls.is_empty()
    {
        return Err(fault(
            INVALID,
            "CallbackURLs can not be empty when the code or implicit OAuth flow is allowed",
        ));
    }
    let prevent = match opt_str(body, "PreventUserExistenceErrors")? {
        None | Some("LEGACY") => false,
        Some("ENABLED") => true,
        Some(other) => {
            return Err(fault(
                INVALID,
                format!("Invalid PreventUserExistenceErrors: {other} (ENABLED or LEGACY)"),
            ));
        }
    };
    let default = ClientSettings::default();
    let mut units = default.token_validity_units;
    if let Some(given) = opt_object(body, "TokenValidityUnits")? {
        for (slot, name) in units
            .iter_mut()
            .zip(["AccessToken", "IdToken", "RefreshToken"])
        {
            if let Some(unit) = opt_str(given, name)? {
                *slot = TimeUnit::from_name(unit).ok_or_else(|| {
                    fault(
                        INVALID,
                        format!("Invalid TokenValidityUnits.{name}: {unit}"),
                    )
                })?;
            }
        }
    }
    let validity = |name: &str, unit: TimeUnit, default: Duration, range: rules::Range| {
        let Some(n) = opt_int(body, name, 0, u64::from(u32::MAX))? else {
            return Ok(default);
        };
        let seconds = n.saturating_mul(unit.seconds());
        if range.check(seconds).is_err() {
            return Err(fault(
                INVALID,
                format!("Invalid {name}: {n} {} is out of range", unit.name()),
            ));
        }
        Ok(Duration::from_secs(seconds))
    };
    let d = default.token_validity;
    let token_validity = TokenValidity {
        access: validity(
            "AccessTokenValidity",
            units[0],
            d.access,
            rules::ACCESS_OR_ID_SECONDS,
        )?,
        id: validity(
            "IdTokenValidity",
            units[1],
            d.id,
            rules::ACCESS_OR_ID_SECONDS,
        )?,
        refresh: validity(
            "RefreshTokenValidity",
            units[2],
            d.refresh,
            rules::REFRESH_SECONDS,
        )?,
    };
    let rotation = match opt_object(body, "RefreshTokenRotation")? {
        None => None,
        Some(r) => match opt_str(r, "Feature")? {
            Some("ENABLED") => Some(
                opt_int(
                    r,
                    "RetryGracePeriodSeconds",
                    rules::ROTATION_GRACE_SECONDS.min,
                    rules::ROTATION_GRACE_SECONDS.max,
                )?
                .and_then(|g| u32::try_from(g).ok())
                .unwrap_or(0),
            ),
            None | Some("DISABLED") => None,
            Some(other) => {
                return Err(fault(
                    INVALID,
                    format!("Invalid RefreshTokenRotation.Feature: {other}"),
                ));
            }
        },
    };
    Ok(ClientConfig {
        secret: false,
        callback_urls,
        prevent_user_existence_errors: prevent,
        settings: ClientSettings {
            name: String::new(),
            explicit_auth_flows: Some(explicit_auth_flows),
            logout_urls,
            default_redirect_uri: opt_str(body, "DefaultRedirectURI")?.map(str::to_owned),
            allowed_oauth_flows: oauth_flows,
            allowed_oauth_scopes: str_list(body, "AllowedOAuthScopes")?,
            allowed_oauth_flows_user_pool_client: oauth_client,
            supported_identity_providers: str_list(body, "SupportedIdentityProviders")?,
            read_attributes: str_list(body, "ReadAttributes")?,
            write_attributes: str_list(body, "WriteAttributes")?,
            token_validity,
            token_validity_units: units,
            enable_token_revocation: opt_bool(body, "EnableTokenRevocation")?.unwrap_or(true),
            auth_session_validity: opt_int(body, "AuthSessionValidity", 3, 15)?
                .and_then(|m| u32::try_from(m).ok())
                .unwrap_or(3),
        },
        refresh_rotation: rotation.map(|retry_grace_seconds| RefreshRotation {
            retry_grace_seconds,
        }),
    })
}
