//! The config file: its schema (TOML, or JSON when the name ends in `.json`; every key optional,
//! unknown keys refused) and its checks, Cognito's rules from [`crate::rules`] in the file's
//! words.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::Failure;
use crate::api::{client_secrets, pools, resource_servers};
use crate::model::resources::{ResourceServer, Scope};
use crate::model::settings::{ClientSettings, TokenValidity, Webhooks};
use crate::model::state::PasswordPolicy;
use crate::rules;

/// Whether the pool asks for MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum MfaSetting {
    /// Never.
    #[default]
    Off,
    /// When the user has set it up.
    Optional,
    /// Always: users without MFA set up TOTP while signing in.
    #[serde(alias = "on")]
    Required,
}

/// Whether the pool remembers devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum DeviceSetting {
    /// No devices.
    #[default]
    Off,
    /// Every device is remembered.
    Always,
    /// The user chooses.
    UserOptIn,
}

/// The config file.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct FileConfig {
    pub(crate) port: Option<u16>,
    pub(crate) region: Option<String>,
    pub(crate) seed: Option<String>,
    pub(crate) log_codes: Option<bool>,
    pub(crate) pool: PoolFile,
    pub(crate) clients: Vec<ClientFile>,
    pub(crate) groups: Vec<GroupFile>,
    pub(crate) users: Vec<UserFile>,
    /// The first pool's resource servers (with `[pool]`'s).
    pub(crate) resource_servers: Vec<ResourceServerFile>,
    /// More pools, each with its clients, groups and users.
    pub(crate) pools: Vec<PoolFile>,
    /// The AWS account in ARNs.
    pub(crate) account_id: Option<String>,
    /// No pool at start (as moto): suites create their own and `/moto-api/reset` empties it.
    pub(crate) empty: Option<bool>,
}

impl FileConfig {
    /// The most records of one kind in the file (pools, and each pool's clients, groups, users).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn size(&self) -> usize {
        let pools = std::iter::once(&self.pool).chain(&self.pools);
        let most = pools
            .map(|p| {
                p.clients
                    .len()
                    .max(p.groups.len())
                    .max(p.users.len())
                    .max(p.resource_servers.len())
            })
            .max()
            .unwrap_or(0);
        most.max(self.pools.len() + 1)
            .max(self.clients.len())
            .max(self.resource_servers.len())
            .max(self.groups.len())
            .max(self.users.len())
    }

    /// Whether the file gives any pool, client, group or user.
    pub(crate) fn has_pool(&self) -> bool {
        self.pool != PoolFile::default()
            || !self.pools.is_empty()
            || !self.clients.is_empty()
            || !self.groups.is_empty()
            || !self.users.is_empty()
            || !self.resource_servers.is_empty()
    }

    /// Every pool to set up: the top-level one (unless the file only has `[[pools]]`), then
    /// `pools`.
    pub(crate) fn all_pools(self) -> Vec<PoolFile> {
        let mut first = self.pool;
        first.clients.extend(self.clients);
        first.groups.extend(self.groups);
        first.users.extend(self.users);
        first.resource_servers.extend(self.resource_servers);
        let mut all = Vec::new();
        if first != PoolFile::default() || self.pools.is_empty() {
            all.push(first);
        }
        all.extend(self.pools);
        all
    }
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct PoolFile {
    pub(crate) name: String,
    pub(crate) mfa: MfaSetting,
    pub(crate) device_tracking: DeviceSetting,
    pub(crate) password_policy: PolicyFile,
    pub(crate) custom_attributes: Vec<String>,
    pub(crate) fixed_code: Option<String>,
    pub(crate) webhooks: WebhooksFile,
    pub(crate) clients: Vec<ClientFile>,
    pub(crate) groups: Vec<GroupFile>,
    pub(crate) users: Vec<UserFile>,
    /// The pool's resource servers: APIs whose custom scopes (`<identifier>/<scope>`) app
    /// clients may be allowed, as CreateResourceServer makes them.
    pub(crate) resource_servers: Vec<ResourceServerFile>,
}

/// `[[resource_servers]]`: a resource server and its custom scopes.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResourceServerFile {
    /// `Identifier`: the scopes' prefix (`orders` for `orders/read`), often the API's URL.
    pub(crate) identifier: String,
    /// `Name`.
    pub(crate) name: String,
    /// `Scopes`.
    #[serde(default)]
    pub(crate) scopes: Vec<ScopeFile>,
}

/// A custom scope of a resource server.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScopeFile {
    /// `ScopeName`: the part after `<identifier>/`.
    pub(crate) name: String,
    /// `ScopeDescription`.
    pub(crate) description: String,
}

impl ResourceServerFile {
    /// The resource server as the pool keeps it.
    pub(crate) fn server(&self) -> ResourceServer {
        ResourceServer {
            name: self.name.clone(),
            scopes: self
                .scopes
                .iter()
                .map(|s| Scope {
                    name: s.name.clone(),
                    description: s.description.clone(),
                })
                .collect(),
        }
    }
}

/// A client's `secret`: `true` for one made up at start (printed in the first line of stdout
/// only), or the secret itself (a fixed secret for a development set-up, as the users'
/// passwords are), never shown by `Debug`.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub(crate) enum SecretFile {
    /// `true`: a secret made up; `false`: none.
    MadeUp(bool),
    /// This secret: 24 to 64 characters of `[\w+]`, as AddUserPoolClientSecret takes them.
    Given(GivenSecret),
}

impl Default for SecretFile {
    fn default() -> Self {
        Self::MadeUp(false)
    }
}

impl SecretFile {
    /// Whether the client has a secret.
    pub(crate) fn any(&self) -> bool {
        !matches!(self, Self::MadeUp(false))
    }
}

impl std::fmt::Debug for SecretFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MadeUp(made_up) => made_up.fmt(f),
            Self::Given(given) => given.fmt(f),
        }
    }
}

/// A client secret given in the config file.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub(crate) struct GivenSecret(pub(crate) String);

impl std::fmt::Debug for GivenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupFile {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) precedence: Option<u32>,
    pub(crate) role_arn: Option<String>,
}

/// `[pool.webhooks]`: the Lambda triggers as HTTP webhooks.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct WebhooksFile {
    pub(crate) define_auth_challenge: Option<String>,
    pub(crate) create_auth_challenge: Option<String>,
    pub(crate) verify_auth_challenge_response: Option<String>,
    pub(crate) pre_sign_up: Option<String>,
    pub(crate) post_confirmation: Option<String>,
    pub(crate) pre_token_generation: Option<String>,
    pub(crate) pre_authentication: Option<String>,
    pub(crate) post_authentication: Option<String>,
    pub(crate) custom_message: Option<String>,
    pub(crate) timeout_ms: Option<u64>,
}

impl WebhooksFile {
    pub(crate) fn webhooks(&self) -> Webhooks {
        Webhooks {
            define_auth_challenge: self.define_auth_challenge.clone(),
            create_auth_challenge: self.create_auth_challenge.clone(),
            verify_auth_challenge_response: self.verify_auth_challenge_response.clone(),
            pre_sign_up: self.pre_sign_up.clone(),
            post_confirmation: self.post_confirmation.clone(),
            pre_token_generation: self.pre_token_generation.clone(),
            pre_authentication: self.pre_authentication.clone(),
            post_authentication: self.post_authentication.clone(),
            custom_message: self.custom_message.clone(),
            timeout: self.timeout_ms.map(std::time::Duration::from_millis),
        }
    }
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct PolicyFile {
    pub(crate) minimum_length: usize,
    pub(crate) require_uppercase: bool,
    pub(crate) require_lowercase: bool,
    pub(crate) require_numbers: bool,
    pub(crate) require_symbols: bool,
}

impl Default for PolicyFile {
    fn default() -> Self {
        let p = PasswordPolicy::default();
        Self {
            minimum_length: p.minimum_length,
            require_uppercase: p.require_uppercase,
            require_lowercase: p.require_lowercase,
            require_numbers: p.require_numbers,
            require_symbols: p.require_symbols,
        }
    }
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClientFile {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) secret: SecretFile,
    #[serde(default = "yes")]
    pub(crate) prevent_user_existence_errors: bool,
    #[serde(default)]
    pub(crate) callback_urls: Vec<String>,
    #[serde(default)]
    pub(crate) logout_urls: Vec<String>,
    pub(crate) explicit_auth_flows: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) allowed_oauth_flows: Vec<String>,
    #[serde(default)]
    pub(crate) allowed_oauth_scopes: Vec<String>,
    pub(crate) access_token_validity_minutes: Option<u64>,
    pub(crate) id_token_validity_minutes: Option<u64>,
    pub(crate) refresh_token_validity_days: Option<u64>,
    pub(crate) refresh_token_rotation_grace_seconds: Option<u32>,
}

impl ClientFile {
    /// The client's settings, checked as CreateUserPoolClient checks them.
    pub(crate) fn settings(&self) -> Result<ClientSettings, String> {
        let default = TokenValidity::default();
        let minutes = |name: &str, given: Option<u64>, default: Duration| match given {
            None => Ok(default),
            Some(m) => match rules::ACCESS_OR_ID_SECONDS.check(m.saturating_mul(60)) {
                Ok(()) => Ok(Duration::from_secs(m * 60)),
                Err(_) => Err(format!(
                    "{name} is {m}: Cognito takes {} to {}",
                    rules::ACCESS_OR_ID_SECONDS.min / 60,
                    rules::ACCESS_OR_ID_SECONDS.max / 60
                )),
            },
        };
        let refresh = match self.refresh_token_validity_days {
            None => default.refresh,
            Some(d) => match rules::REFRESH_SECONDS.check(d.saturating_mul(86_400)) {
                Ok(()) => Duration::from_secs(d * 86_400),
                Err(_) => {
                    return Err(format!(
                        "refresh_token_validity_days is {d}: Cognito takes 1 to {}",
                        rules::REFRESH_SECONDS.max / 86_400
                    ));
                }
            },
        };
        if let Some(g) = self.refresh_token_rotation_grace_seconds
            && let Err(rules::Reason::Range { min, max }) =
                rules::ROTATION_GRACE_SECONDS.check(u64::from(g))
        {
            return Err(format!(
                "refresh_token_rotation_grace_seconds is {g}: Cognito takes {min} to {max}"
            ));
        }
        for flow in self.explicit_auth_flows.iter().flatten() {
            if let Err(rules::Reason::Unknown { known }) = rules::auth_flow(flow) {
                return Err(format!(
                    "explicit_auth_flows: {flow:?} is not one of {}",
                    known.join(", ")
                ));
            }
        }
        for flow in &self.allowed_oauth_flows {
            if rules::oauth_flow(flow).is_err() {
                return Err(format!(
                    "allowed_oauth_flows: {flow:?} is not code, implicit or client_credentials"
                ));
            }
        }
        Ok(ClientSettings {
            name: self.name.clone(),
            explicit_auth_flows: self.explicit_auth_flows.clone(),
            logout_urls: self.logout_urls.clone(),
            allowed_oauth_flows: self.allowed_oauth_flows.clone(),
            allowed_oauth_scopes: self.allowed_oauth_scopes.clone(),
            allowed_oauth_flows_user_pool_client: !self.allowed_oauth_flows.is_empty(),
            supported_identity_providers: vec!["COGNITO".into()],
            token_validity: TokenValidity {
                access: minutes(
                    "access_token_validity_minutes",
                    self.access_token_validity_minutes,
                    default.access,
                )?,
                id: minutes(
                    "id_token_validity_minutes",
                    self.id_token_validity_minutes,
                    default.id,
                )?,
                refresh,
            },
            ..ClientSettings::default()
        })
    }
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserFile {
    pub(crate) username: String,
    pub(crate) password: String,
    #[serde(default)]
    pub(crate) temporary: bool,
    #[serde(default = "yes")]
    pub(crate) confirmed: bool,
    #[serde(default = "yes")]
    pub(crate) enabled: bool,
    #[serde(default)]
    pub(crate) sms_mfa: bool,
    pub(crate) totp_secret: Option<String>,
    #[serde(default)]
    pub(crate) groups: Vec<String>,
    #[serde(default)]
    pub(crate) attributes: BTreeMap<String, String>,
}

impl std::fmt::Debug for UserFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserFile")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("temporary", &self.temporary)
            .field("confirmed", &self.confirmed)
            .field("enabled", &self.enabled)
            .field("sms_mfa", &self.sms_mfa)
            .field(
                "totp_secret",
                &self.totp_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("groups", &self.groups)
            .field("attributes", &self.attributes)
            .finish()
    }
}

/// Reads a config file: TOML, or JSON when its name ends in `.json`.
pub(crate) fn read_config(path: &Path) -> Result<FileConfig, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Config(format!("cannot read {}: {e}", path.display())))?;
    let json = path
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("json"));
    parse_config(&text, json).map_err(|e| Failure::Config(format!("{}: {e}", path.display())))
}

/// Parses and checks a config file's text (`json`: JSON, else TOML): the first thing wrong,
/// in words, never a panic.
pub(crate) fn parse_config(text: &str, json: bool) -> Result<FileConfig, String> {
    let config: FileConfig = if json {
        serde_json::from_str(text).map_err(|e| e.to_string())?
    } else {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?
    };
    let none = (&Vec::new(), &Vec::new(), &Vec::new(), &Vec::new());
    let (no_clients, no_groups, no_users, no_servers) = none;
    let top = (
        &config.pool,
        &config.clients,
        &config.groups,
        &config.users,
        &config.resource_servers,
    );
    let pools = std::iter::once(top).chain(
        config
            .pools
            .iter()
            .map(|p| (p, no_clients, no_groups, no_users, no_servers)),
    );
    for (pool, clients, groups, users, servers) in pools {
        let servers: Vec<&ResourceServerFile> =
            servers.iter().chain(&pool.resource_servers).collect();
        let what = if pool.name.is_empty() {
            "pool".to_owned()
        } else {
            format!("pool {:?}", pool.name)
        };
        check_pool(
            pool,
            &servers,
            clients.iter().chain(&pool.clients),
            groups.iter().chain(&pool.groups),
            users.iter().chain(&pool.users),
        )
        .map_err(|why| format!("{what}: {why}"))?;
    }
    Ok(config)
}

/// One pool of the config file, with its clients, groups and users.
fn check_pool<'a>(
    pool: &PoolFile,
    servers: &[&ResourceServerFile],
    clients: impl Iterator<Item = &'a ClientFile>,
    groups: impl Iterator<Item = &'a GroupFile>,
    users: impl Iterator<Item = &'a UserFile>,
) -> Result<(), String> {
    let length = pool.password_policy.minimum_length;
    if let Err(rules::Reason::Range { min, max }) =
        rules::PASSWORD_MINIMUM_LENGTH.check(u64::try_from(length).unwrap_or(u64::MAX))
    {
        return Err(format!(
            "password_policy.minimum_length is {length}: Cognito takes {min} to {max}"
        ));
    }
    // An empty name is the file's default pool; any other is checked as CreateUserPool checks it.
    if !pool.name.is_empty()
        && let Err(rules::Reason::Length { max }) = rules::pool_name(&pool.name)
    {
        return Err(format!("the pool name is 1 to {max} characters"));
    }
    for name in &pool.custom_attributes {
        match rules::custom_attribute_name(name) {
            Ok(()) => {}
            Err(rules::Reason::Length { max }) => {
                return Err(format!(
                    "custom_attributes: {name:?}: a name is 1 to {max} characters"
                ));
            }
            Err(_) => {
                return Err(format!(
                    "custom_attributes: {name:?}: letters, digits and _-:. only"
                ));
            }
        }
    }
    check_resource_servers(servers)?;
    let mut names = std::collections::BTreeSet::new();
    for client in clients {
        if client.name.is_empty() || !names.insert(client.name.as_str()) {
            return Err(format!(
                "clients: each needs a name of its own (found {:?} twice or empty)",
                client.name
            ));
        }
        check_callback_urls(&client.callback_urls)
            .and_then(|()| check_callback_urls(&client.logout_urls))
            .and_then(|()| check_client(client, servers))
            .map_err(|why| format!("client {:?}: {why}", client.name))?;
    }
    let groups: Vec<&str> = groups.map(|g| g.name.as_str()).collect();
    for user in users {
        if let Some(group) = user.groups.iter().find(|g| !groups.contains(&g.as_str())) {
            return Err(format!(
                "user {:?}: no group {group:?} in this pool's groups",
                user.username
            ));
        }
        if user.temporary && !user.confirmed {
            return Err(format!(
                "user {:?}: temporary and confirmed = false do not go together",
                user.username
            ));
        }
    }
    if let Some(code) = &pool.fixed_code {
        check_fixed_code(code)?;
    }
    pool.webhooks
        .webhooks()
        .check()
        .map_err(|why| format!("pool.{why}"))?;
    if pool.webhooks.timeout_ms == Some(0) {
        return Err("pool.webhooks.timeout_ms must be above 0".into());
    }
    Ok(())
}

/// A pool's resource servers: each as CreateResourceServer checks it, in Cognito's words, each
/// identifier once, at most Cognito's quota.
fn check_resource_servers(servers: &[&ResourceServerFile]) -> Result<(), String> {
    let mut identifiers = std::collections::BTreeSet::new();
    for server in servers {
        let what = |why: String| format!("resource server {:?}: {why}", server.identifier);
        resource_servers::check_identifier(&server.identifier).map_err(|f| what(f.message))?;
        resource_servers::check_server(&server.server()).map_err(|f| what(f.message))?;
        if !identifiers.insert(server.identifier.as_str()) {
            return Err(format!(
                "resource_servers: each needs an identifier of its own (found {:?} twice)",
                server.identifier
            ));
        }
    }
    if servers.len() > resource_servers::MAX_SERVERS {
        return Err(format!(
            "resource_servers: a pool has at most {} resource servers",
            resource_servers::MAX_SERVERS
        ));
    }
    Ok(())
}

/// A client's settings, its secret and its OAuth flows and scopes, as CreateUserPoolClient
/// checks them: `client_credentials` only with a secret and without the user flows and scopes,
/// and every custom scope one of the pool's resource servers has.
fn check_client(client: &ClientFile, servers: &[&ResourceServerFile]) -> Result<(), String> {
    let settings = client.settings()?;
    if let SecretFile::Given(GivenSecret(secret)) = &client.secret
        && client_secrets::given_secret(secret).is_err()
    {
        return Err("secret: 24 to 64 letters, digits, _ and + (or true for one made up)".into());
    }
    pools::client_credentials(&settings, client.secret.any()).map_err(|f| f.message)?;
    for scope in &client.allowed_oauth_scopes {
        if rules::USER_SCOPES.contains(&scope.as_str()) {
            continue;
        }
        let exists = scope.rsplit_once('/').is_some_and(|(identifier, name)| {
            servers
                .iter()
                .any(|s| s.identifier == identifier && s.scopes.iter().any(|s| s.name == name))
        });
        if !exists {
            return Err(format!(
                "allowed_oauth_scopes: {scope:?} is not a scope of this pool's resource_servers \
                 (<identifier>/<scope name>) nor one of {}",
                rules::USER_SCOPES.join(", ")
            ));
        }
    }
    Ok(())
}

/// Callback URLs as Cognito takes them: absolute, without control characters, without a fragment.
pub(crate) fn check_callback_urls(urls: &[String]) -> Result<(), String> {
    for url in urls {
        match rules::callback_url(url) {
            Ok(()) => {}
            Err(rules::Reason::Fragment) => {
                return Err(format!(
                    "callback URL {url:?} has a fragment (#...): Cognito refuses those"
                ));
            }
            Err(_) => return Err(format!("callback URL {url:?} is not an absolute URL")),
        }
    }
    Ok(())
}

/// A code as Cognito's ConfirmationCode takes it: 1 to 2048 characters, no white space.
pub(crate) fn check_fixed_code(code: &str) -> Result<(), String> {
    if code.is_empty() || code.len() > 2048 || code.chars().any(char::is_whitespace) {
        return Err(format!(
            "fixed_code {code:?}: a code is 1 to 2048 characters without white space"
        ));
    }
    Ok(())
}

/// An AWS account id: twelve digits.
pub(crate) fn check_account_id(account: &str) -> Result<(), Failure> {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Failure::Config(format!(
            "account id {account:?} is not twelve digits like 123456789012"
        )))
    }
}

/// A region as AWS spells them: `us-east-1`, `eu-central-2`, `us-gov-west-1`.
pub(crate) fn check_region(region: &str) -> Result<(), Failure> {
    let parts: Vec<&str> = region.split('-').collect();
    let well_formed = parts.len() >= 3
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .iter()
            .rev()
            .skip(1)
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()));
    if well_formed {
        Ok(())
    } else {
        Err(Failure::Config(format!(
            "region {region:?} is not a region name like us-east-1"
        )))
    }
}
