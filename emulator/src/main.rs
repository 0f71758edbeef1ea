//! `cognito-emulator`: runs the emulator on 127.0.0.1 with one user pool, its app clients and
//! users, set up from flags or a small config file; prints one JSON line on stdout saying how to
//! reach them; stops cleanly on SIGTERM or Ctrl-C.
//!
//! ```text
//! $ cognito-emulator --config emulator/cognito-emulator.example.toml
//! {"endpoint":"http://127.0.0.1:41234/","region":"us-east-1","pool_id":"us-east-1_AbCdEfGhI",...}
//! ```
//!
//! Everything a test script needs is in that first line of stdout; the rest of the output (what
//! was set up, the codes as they are sent) goes to stderr.
//!
//! The state is kept in `.cognito-emulator/` in the working directory (`--data DIR`, `--memory`):
//! a restart brings back the pool, its clients and users, and prints the same line.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, ValueEnum};
use cognito_flows_emulator::{
    AUTH_FLOWS, ClientConfig, ClientSettings, DeviceTracking, Emulator, EmulatorConfig,
    GroupConfig, Mfa, OPERATIONS, PasswordPolicy, PoolConfig, RefreshRotation, TokenValidity,
    Webhooks,
};
use serde::Deserialize;
use serde_json::json;
use sha2::Digest as _;

/// The password of the user created when neither flags nor the config file name any.
const DEFAULT_PASSWORD: &str = "Passw0rd!";

const AFTER_HELP: &str = "\
Output: the first line on stdout is one JSON object, for test scripts in any language:
  {\"endpoint\": \"http://127.0.0.1:PORT/\", \"region\": \"us-east-1\", \"pool_id\": \"us-east-1_...\",
   \"client_id\": \"...\", \"client_secret\": null, \"clients\": [{\"name\": \"default\", \"client_id\": \"...\",
   \"client_secret\": null}], \"users\": [\"alice\"], \"issuer\": \"https://cognito-idp.REGION.amazonaws.com/POOL\",
   \"jwks_uri\": \"http://127.0.0.1:PORT/POOL/.well-known/jwks.json\"}
  client_id / client_secret are those of the first client. Passwords are never printed.
  Everything else (what was set up, codes as they are sent) goes to stderr.

Without --config and --user, one confirmed user `alice` is created, with the password in
$COGNITO_EMULATOR_PASSWORD or else Passw0rd!. Passwords are never taken on the command line.

Config file (TOML; JSON when the name ends in .json). Every key is optional; unknown keys are
errors. Flags override the file (and apply to every pool and client). See
emulator/cognito-emulator.example.toml, which documents every key.
  port = 0                          # 0 picks a free port
  region = \"us-east-1\"
  seed = \"any text\"                 # makes ids, codes and salts reproducible
  log_codes = true                  # print each code to stderr as it is sent
  [pool]
  name = \"example\"
  mfa = \"off\" | \"optional\" | \"required\"
  device_tracking = \"off\" | \"always\" | \"user-opt-in\"
  custom_attributes = [\"tenant\"]     # declares custom:tenant
  fixed_code = \"123456\"             # every code sent is this one (else random, in the outbox)
  [pool.webhooks]                   # Lambda triggers as HTTP webhooks (POST of the event JSON)
  define_auth_challenge = \"http://127.0.0.1:8000/define\"
  create_auth_challenge = \"http://127.0.0.1:8000/create\"
  verify_auth_challenge_response = \"http://127.0.0.1:8000/verify\"
  pre_sign_up = \"http://127.0.0.1:8000/pre-sign-up\"
  post_confirmation = \"http://127.0.0.1:8000/post-confirmation\"
  pre_token_generation = \"http://127.0.0.1:8000/pre-token\"
  timeout_ms = 5000                 # Cognito's 5 s
  [pool.password_policy]            # Cognito's default: 8, and all four classes
  minimum_length = 8                # 6 to 99
  require_uppercase = true
  require_lowercase = true
  require_numbers = true
  require_symbols = true
  [[clients]]                       # none: one client named \"default\"
  name = \"web\"
  secret = false                    # true: every call naming a user needs SECRET_HASH
  prevent_user_existence_errors = true  # false: unknown users get UserNotFoundException
  callback_urls = [\"http://localhost:3000/callback\"]  # the hosted UI's redirect_uri, exact
  logout_urls = [\"http://localhost:3000/\"]  # /logout's logout_uri, exact
  explicit_auth_flows = [\"ALLOW_USER_SRP_AUTH\", \"ALLOW_REFRESH_TOKEN_AUTH\"]  # absent: all
  allowed_oauth_flows = [\"code\"]
  allowed_oauth_scopes = [\"openid\", \"email\"]
  access_token_validity_minutes = 60  # 5 to 1440; id_token_validity_minutes too
  refresh_token_validity_days = 30    # 1 to 3650
  refresh_token_rotation_grace_seconds = 10  # turns refresh-token rotation on (0 to 60)
  [[groups]]
  name = \"admins\"
  precedence = 1                    # cognito:groups lists the lowest first
  description = \"...\"
  role_arn = \"arn:aws:iam::000000000000:role/admin\"
  [[users]]
  username = \"alice\"
  password = \"Passw0rd!\"
  temporary = false                 # true: NEW_PASSWORD_REQUIRED at first sign-in
  confirmed = true                  # false: UNCONFIRMED, as after SignUp
  enabled = true                    # false: \"User is disabled.\"
  sms_mfa = false                   # true: SMS_MFA at sign-in (needs pool.mfa)
  totp_secret = \"BASE32...\"         # a TOTP authenticator with this secret (needs pool.mfa)
  groups = [\"admins\"]
  attributes = { email = \"alice@example.com\", email_verified = \"true\" }
  [[pools]]                         # more pools: the keys of [pool], with their own
  name = \"second\"                   # clients, groups and users tables inside
  [[pools.clients]]
  name = \"app\"
  The line's pool_id, client_id and users are the first pool's; \"pools\" lists every pool:
  [{\"name\", \"pool_id\", \"issuer\", \"jwks_uri\", \"clients\": [...], \"users\": [...]}].

Codes: every code sent (sign-up, password reset, attribute verification, SMS MFA) is printed to
stderr and served as JSON at GET {endpoint}_emulator/outbox?username=NAME, as
{\"messages\": [{\"pool_id\", \"username\", \"medium\", \"destination\", \"purpose\", \"code\"}]},
oldest first. The JWKS is at jwks_uri, beside {endpoint}POOL/.well-known/openid-configuration.

Data: the state (pools, clients, users, devices, token revocations, the outbox) is kept in
DIR/emulator.sqlite3 (--data DIR, by default .cognito-emulator in the working directory), each
change committed before its answer is sent, so it survives a restart or a kill. When DIR already
holds state, the set-up of the flags and config file is skipped: the pool, clients and users of
the first start come back, and the first line is printed as then (with the endpoint of this run;
DIR/setup.json keeps it). Delete DIR to start afresh; --memory keeps nothing. Sign-in sessions
(3 minutes) and OAuth codes are not kept. One emulator at a time per DIR.

Exit codes: 0 stopped by SIGTERM/SIGINT, 1 could not start, 2 bad flags or config.

The admin API is there too (no signature needed; SigV4 headers are ignored): create pools,
clients, users and groups over HTTP with boto3, the AWS SDKs or curl.";

/// The help's epilogue: [`AFTER_HELP`] and the operations the emulator answers.
fn after_help() -> String {
    let mut text = format!(
        "{AFTER_HELP}\n\nOperations (X-Amz-Target AWSCognitoIdentityProviderService.NAME):\n"
    );
    let mut line = String::from(" ");
    for name in OPERATIONS {
        if line.len() + name.len() > 98 {
            text.push_str(&line);
            text.push('\n');
            line = String::from(" ");
        }
        line.push(' ');
        line.push_str(name);
    }
    text.push_str(&line);
    text
}

/// The data directory when neither --data nor --memory is given.
const DEFAULT_DATA: &str = ".cognito-emulator";
/// The first line of the first start, kept in the data directory for the next ones.
const SETUP_FILE: &str = "setup.json";

/// A local Amazon Cognito User Pools emulator on 127.0.0.1 that really verifies SRP.
#[derive(Parser, Debug)]
#[command(name = "cognito-emulator", version, about)]
struct Cli {
    /// A config file (TOML, or JSON when the name ends in .json).
    #[arg(long, short, env = "COGNITO_EMULATOR_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// The port on 127.0.0.1 (0: a free one) [default: 0].
    #[arg(long)]
    port: Option<u16>,
    /// The region in pool ids and the issuer [default: us-east-1].
    #[arg(long)]
    region: Option<String>,
    /// Any text: makes every id, code, salt and SRP value reproducible.
    #[arg(long, value_name = "TEXT")]
    seed: Option<String>,
    /// The pool's MFA.
    #[arg(long, value_enum)]
    mfa: Option<MfaSetting>,
    /// The pool's device tracking.
    #[arg(long, value_enum)]
    device_tracking: Option<DeviceSetting>,
    /// Gives every app client a secret.
    #[arg(long)]
    client_secret: bool,
    /// PreventUserExistenceErrors of every app client [default: true].
    #[arg(long, value_name = "BOOL")]
    prevent_user_existence_errors: Option<bool>,
    /// A callback URL of every app client, for the hosted UI (repeatable).
    #[arg(long, value_name = "URL")]
    callback_url: Vec<String>,
    /// Every code the pool sends is this one (for suites that cannot read the outbox).
    #[arg(long, value_name = "CODE")]
    fixed_code: Option<String>,
    /// Creates this confirmed user (repeatable), with the password in $COGNITO_EMULATOR_PASSWORD
    /// or else Passw0rd!.
    #[arg(long, value_name = "NAME")]
    user: Vec<String>,
    /// Keeps the state in DIR, across restarts [default: .cognito-emulator].
    #[arg(
        long,
        env = "COGNITO_EMULATOR_DATA",
        value_name = "DIR",
        conflicts_with = "memory"
    )]
    data: Option<PathBuf>,
    /// Keeps nothing: the state is in memory only, and gone when the emulator stops.
    #[arg(long)]
    memory: bool,
    /// A host name the emulator answers besides localhost, 127.0.0.1 and [::1] (repeatable).
    #[arg(long, value_name = "NAME")]
    allow_host: Vec<String>,
}

/// Whether the pool asks for MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum MfaSetting {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum DeviceSetting {
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
struct FileConfig {
    port: Option<u16>,
    region: Option<String>,
    seed: Option<String>,
    log_codes: Option<bool>,
    pool: PoolFile,
    clients: Vec<ClientFile>,
    groups: Vec<GroupFile>,
    users: Vec<UserFile>,
    /// More pools, each with its clients, groups and users.
    pools: Vec<PoolFile>,
}

impl FileConfig {
    /// Every pool to set up: the top-level one (unless the file only has `[[pools]]`), then
    /// `pools`.
    fn all_pools(self) -> Vec<PoolFile> {
        let mut first = self.pool;
        first.clients.extend(self.clients);
        first.groups.extend(self.groups);
        first.users.extend(self.users);
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
struct PoolFile {
    name: String,
    mfa: MfaSetting,
    device_tracking: DeviceSetting,
    password_policy: PolicyFile,
    custom_attributes: Vec<String>,
    fixed_code: Option<String>,
    webhooks: WebhooksFile,
    clients: Vec<ClientFile>,
    groups: Vec<GroupFile>,
    users: Vec<UserFile>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct GroupFile {
    name: String,
    description: Option<String>,
    precedence: Option<u32>,
    role_arn: Option<String>,
}

/// `[pool.webhooks]`: the Lambda triggers as HTTP webhooks.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
struct WebhooksFile {
    define_auth_challenge: Option<String>,
    create_auth_challenge: Option<String>,
    verify_auth_challenge_response: Option<String>,
    pre_sign_up: Option<String>,
    post_confirmation: Option<String>,
    pre_token_generation: Option<String>,
    timeout_ms: Option<u64>,
}

impl WebhooksFile {
    fn webhooks(&self) -> Webhooks {
        Webhooks {
            define_auth_challenge: self.define_auth_challenge.clone(),
            create_auth_challenge: self.create_auth_challenge.clone(),
            verify_auth_challenge_response: self.verify_auth_challenge_response.clone(),
            pre_sign_up: self.pre_sign_up.clone(),
            post_confirmation: self.post_confirmation.clone(),
            pre_token_generation: self.pre_token_generation.clone(),
            timeout: self.timeout_ms.map(std::time::Duration::from_millis),
        }
    }
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
struct PolicyFile {
    minimum_length: usize,
    require_uppercase: bool,
    require_lowercase: bool,
    require_numbers: bool,
    require_symbols: bool,
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
struct ClientFile {
    name: String,
    #[serde(default)]
    secret: bool,
    #[serde(default = "yes")]
    prevent_user_existence_errors: bool,
    #[serde(default)]
    callback_urls: Vec<String>,
    #[serde(default)]
    logout_urls: Vec<String>,
    explicit_auth_flows: Option<Vec<String>>,
    #[serde(default)]
    allowed_oauth_flows: Vec<String>,
    #[serde(default)]
    allowed_oauth_scopes: Vec<String>,
    access_token_validity_minutes: Option<u64>,
    id_token_validity_minutes: Option<u64>,
    refresh_token_validity_days: Option<u64>,
    refresh_token_rotation_grace_seconds: Option<u32>,
}

impl ClientFile {
    /// The client's settings, checked as CreateUserPoolClient checks them.
    fn settings(&self) -> Result<ClientSettings, String> {
        let default = TokenValidity::default();
        let minutes = |name: &str, given: Option<u64>, default: Duration| match given {
            None => Ok(default),
            Some(m @ 5..=1440) => Ok(Duration::from_secs(m * 60)),
            Some(m) => Err(format!("{name} is {m}: Cognito takes 5 to 1440")),
        };
        let refresh = match self.refresh_token_validity_days {
            None => default.refresh,
            Some(d @ 1..=3650) => Duration::from_secs(d * 86_400),
            Some(d) => {
                return Err(format!(
                    "refresh_token_validity_days is {d}: Cognito takes 1 to 3650"
                ));
            }
        };
        if let Some(g) = self
            .refresh_token_rotation_grace_seconds
            .filter(|g| *g > 60)
        {
            return Err(format!(
                "refresh_token_rotation_grace_seconds is {g}: Cognito takes 0 to 60"
            ));
        }
        for flow in self.explicit_auth_flows.iter().flatten() {
            if !AUTH_FLOWS.contains(&flow.as_str()) {
                return Err(format!(
                    "explicit_auth_flows: {flow:?} is not one of {}",
                    AUTH_FLOWS.join(", ")
                ));
            }
        }
        for flow in &self.allowed_oauth_flows {
            if !["code", "implicit", "client_credentials"].contains(&flow.as_str()) {
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
struct UserFile {
    username: String,
    password: String,
    #[serde(default)]
    temporary: bool,
    #[serde(default = "yes")]
    confirmed: bool,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    sms_mfa: bool,
    totp_secret: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
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

/// Why the emulator did not start.
#[derive(Debug)]
enum Failure {
    /// Bad flags or config (exit code 2).
    Config(String),
    /// The server could not start (exit code 1).
    Start(String),
}

/// Reads a config file: TOML, or JSON when its name ends in `.json`.
fn read_config(path: &Path) -> Result<FileConfig, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Config(format!("cannot read {}: {e}", path.display())))?;
    let json = path
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("json"));
    parse_config(&text, json).map_err(|e| Failure::Config(format!("{}: {e}", path.display())))
}

/// Parses and checks a config file's text.
fn parse_config(text: &str, json: bool) -> Result<FileConfig, String> {
    let config: FileConfig = if json {
        serde_json::from_str(text).map_err(|e| e.to_string())?
    } else {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?
    };
    let none = (&Vec::new(), &Vec::new(), &Vec::new());
    let (no_clients, no_groups, no_users) = none;
    let pools = std::iter::once((&config.pool, &config.clients, &config.groups, &config.users))
        .chain(
            config
                .pools
                .iter()
                .map(|p| (p, no_clients, no_groups, no_users)),
        );
    for (pool, clients, groups, users) in pools {
        let what = if pool.name.is_empty() {
            "pool".to_owned()
        } else {
            format!("pool {:?}", pool.name)
        };
        check_pool(
            pool,
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
    clients: impl Iterator<Item = &'a ClientFile>,
    groups: impl Iterator<Item = &'a GroupFile>,
    users: impl Iterator<Item = &'a UserFile>,
) -> Result<(), String> {
    let length = pool.password_policy.minimum_length;
    if !(6..=99).contains(&length) {
        return Err(format!(
            "password_policy.minimum_length is {length}: Cognito takes 6 to 99"
        ));
    }
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
            .and_then(|()| client.settings().map(drop))
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

/// Callback URLs as Cognito takes them: absolute, without control characters.
fn check_callback_urls(urls: &[String]) -> Result<(), String> {
    for url in urls {
        if url.chars().any(char::is_control) || url::Url::parse(url).is_err() {
            return Err(format!("callback URL {url:?} is not an absolute URL"));
        }
    }
    Ok(())
}

/// A code as Cognito's ConfirmationCode takes it: 1 to 2048 characters, no white space.
fn check_fixed_code(code: &str) -> Result<(), String> {
    if code.is_empty() || code.len() > 2048 || code.chars().any(char::is_whitespace) {
        return Err(format!(
            "fixed_code {code:?}: a code is 1 to 2048 characters without white space"
        ));
    }
    Ok(())
}

/// A region as AWS spells them: `us-east-1`, `eu-central-2`, `us-gov-west-1`.
fn check_region(region: &str) -> Result<(), Failure> {
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

/// What `main` sets up, from the flags over the config file.
struct Plan {
    emulator: EmulatorConfig,
    pools: Vec<PoolPlan>,
}

/// One pool to set up.
struct PoolPlan {
    pool: PoolConfig,
    clients: Vec<(String, ClientConfig)>,
    groups: Vec<GroupConfig>,
    users: Vec<UserFile>,
}

/// The flags over the config file; `password` is the one of the users named by `--user`.
fn plan(cli: Cli, password: Option<String>) -> Result<Plan, Failure> {
    let file = match &cli.config {
        Some(path) => read_config(path)?,
        None => FileConfig::default(),
    };
    let mut emulator = EmulatorConfig {
        log_codes: file.log_codes.unwrap_or(true),
        data: (!cli.memory).then(|| cli.data.clone().unwrap_or_else(|| DEFAULT_DATA.into())),
        allowed_hosts: cli.allow_host.clone(),
        ..EmulatorConfig::default()
    };
    if let Some(port) = cli.port.or(file.port) {
        emulator.port = port;
    }
    if let Some(region) = cli.region.clone().or(file.region.clone()) {
        check_region(&region)?;
        emulator.region = region;
    }
    emulator.seed = cli
        .seed
        .clone()
        .or(file.seed.clone())
        .map(|text| sha2::Sha256::digest(text.as_bytes()).into());
    if let Some(code) = &cli.fixed_code {
        check_fixed_code(code).map_err(Failure::Config)?;
    }
    check_callback_urls(&cli.callback_url).map_err(Failure::Config)?;
    let mut pools = Vec::new();
    for (index, pool) in file.all_pools().into_iter().enumerate() {
        let mut planned = plan_pool(&cli, pool)?;
        if index == 0 {
            let password = password
                .clone()
                .unwrap_or_else(|| DEFAULT_PASSWORD.to_owned());
            let mut names = cli.user.clone();
            if names.is_empty() && cli.config.is_none() {
                names.push("alice".into());
            }
            planned
                .users
                .extend(names.into_iter().map(|username| UserFile {
                    username,
                    password: password.clone(),
                    temporary: false,
                    confirmed: true,
                    enabled: true,
                    sms_mfa: false,
                    totp_secret: None,
                    groups: Vec::new(),
                    attributes: BTreeMap::new(),
                }));
        }
        pools.push(planned);
    }
    Ok(Plan { emulator, pools })
}

/// One pool of the file, with the flags over it.
fn plan_pool(cli: &Cli, file: PoolFile) -> Result<PoolPlan, Failure> {
    let policy = &file.password_policy;
    let pool = PoolConfig {
        name: file.name,
        mfa: match cli.mfa.unwrap_or(file.mfa) {
            MfaSetting::Off => Mfa::Off,
            MfaSetting::Optional => Mfa::Optional,
            MfaSetting::Required => Mfa::On,
        },
        device_tracking: match cli.device_tracking.unwrap_or(file.device_tracking) {
            DeviceSetting::Off => DeviceTracking::Off,
            DeviceSetting::Always => DeviceTracking::Always,
            DeviceSetting::UserOptIn => DeviceTracking::UserOptIn,
        },
        password_policy: PasswordPolicy {
            minimum_length: policy.minimum_length,
            require_uppercase: policy.require_uppercase,
            require_lowercase: policy.require_lowercase,
            require_numbers: policy.require_numbers,
            require_symbols: policy.require_symbols,
        },
        custom_attributes: file.custom_attributes,
        fixed_code: cli.fixed_code.clone().or(file.fixed_code),
        webhooks: file.webhooks.webhooks(),
        ..PoolConfig::default()
    };
    let mut clients = Vec::new();
    for c in file.clients {
        let settings = c
            .settings()
            .map_err(|why| Failure::Config(format!("client {:?}: {why}", c.name)))?;
        let config = ClientConfig {
            secret: c.secret,
            callback_urls: c.callback_urls,
            prevent_user_existence_errors: c.prevent_user_existence_errors,
            refresh_rotation: c
                .refresh_token_rotation_grace_seconds
                .map(|retry_grace_seconds| RefreshRotation {
                    retry_grace_seconds,
                }),
            settings,
        };
        clients.push((c.name, config));
    }
    if clients.is_empty() {
        let mut config = ClientConfig::default();
        config.settings.name = "default".into();
        clients.push(("default".into(), config));
    }
    for (_, client) in &mut clients {
        client.secret |= cli.client_secret;
        if let Some(prevent) = cli.prevent_user_existence_errors {
            client.prevent_user_existence_errors = prevent;
        }
        client
            .callback_urls
            .extend(cli.callback_url.iter().cloned());
    }
    let groups = file
        .groups
        .into_iter()
        .map(|g| GroupConfig {
            name: g.name,
            description: g.description,
            precedence: g.precedence,
            role_arn: g.role_arn,
        })
        .collect();
    Ok(PoolPlan {
        pool,
        clients,
        groups,
        users: file.users,
    })
}

/// A running emulator and the line that says how to reach it.
struct Running {
    emulator: Emulator,
    line: serde_json::Value,
    summary: Vec<String>,
}

fn start(plan: Plan) -> Result<Running, Failure> {
    let data = plan.emulator.data.clone();
    let emulator = Emulator::start(plan.emulator.clone())
        .map_err(|e| Failure::Start(format!("cannot start the server: {e}")))?;
    match data {
        Some(dir) if emulator.restored() => restore(emulator, &dir),
        Some(dir) => {
            let running = set_up(emulator, plan)?;
            save_setup(&dir, &running.line)?;
            Ok(running)
        }
        None => set_up(emulator, plan),
    }
}

/// A restart on a data directory that holds state: the first start's line, with this run's
/// endpoint.
fn restore(emulator: Emulator, dir: &Path) -> Result<Running, Failure> {
    let path = dir.join(SETUP_FILE);
    let missing = |why: String| {
        Failure::Start(format!(
            "{} holds state but {why}: delete the directory to start afresh, or use --memory",
            dir.display()
        ))
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| missing(format!("its {SETUP_FILE} is unreadable ({e})")))?;
    let mut line: serde_json::Value = serde_json::from_str(&text)
        .ok()
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| missing(format!("its {SETUP_FILE} is not the JSON it should be")))?;
    let pool = line["pool_id"].as_str().unwrap_or_default().to_owned();
    if !emulator.pool_ids().contains(&pool) {
        return Err(missing(format!(
            "the pool its {SETUP_FILE} names is not in it"
        )));
    }
    let endpoint = emulator.endpoint().to_owned();
    line["jwks_uri"] = json!(format!("{endpoint}{pool}/.well-known/jwks.json"));
    if let Some(pools) = line["pools"].as_array_mut() {
        for each in pools {
            let id = each["pool_id"].as_str().unwrap_or_default().to_owned();
            each["jwks_uri"] = json!(format!("{endpoint}{id}/.well-known/jwks.json"));
        }
    }
    line["endpoint"] = json!(endpoint);
    let summary = vec![format!(
        "restored from {}: pool {pool} (flags and config file set-up skipped)",
        dir.display()
    )];
    Ok(Running {
        emulator,
        line,
        summary,
    })
}

/// Keeps the first line for the restarts, owner-only (it names client secrets), atomically.
fn save_setup(dir: &Path, line: &serde_json::Value) -> Result<(), Failure> {
    let path = dir.join(SETUP_FILE);
    let temporary = dir.join(format!("{SETUP_FILE}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(line.to_string().as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, &path)
    };
    write().map_err(|e| Failure::Start(format!("cannot write {}: {e}", path.display())))
}

/// The set-up of the flags and config file, on a new state.
fn set_up(emulator: Emulator, plan: Plan) -> Result<Running, Failure> {
    let region = plan.emulator.region.clone();
    let endpoint = emulator.endpoint().to_owned();
    let mut summary = Vec::new();
    let mut pools = Vec::new();
    for planned in plan.pools {
        pools.push(seed_pool(
            &emulator,
            &endpoint,
            &region,
            planned,
            &mut summary,
        )?);
    }
    let first = pools.first().cloned().unwrap_or_default();
    let first_client = first["clients"].get(0).cloned().unwrap_or_default();
    let line = json!({
        "endpoint": endpoint,
        "region": region,
        "pool_id": first["pool_id"],
        "client_id": first_client["client_id"],
        "client_secret": first_client["client_secret"],
        "clients": first["clients"],
        "users": first["users"],
        "issuer": first["issuer"],
        "jwks_uri": first["jwks_uri"],
        "pools": pools,
    });
    Ok(Running {
        emulator,
        line,
        summary,
    })
}

/// Sets up one pool: its clients, groups and users. Returns its part of the printed line.
fn seed_pool(
    emulator: &Emulator,
    endpoint: &str,
    region: &str,
    plan: PoolPlan,
    summary: &mut Vec<String>,
) -> Result<serde_json::Value, Failure> {
    let pool_name = plan.pool.name.clone();
    let (mfa, devices) = (plan.pool.mfa, plan.pool.device_tracking);
    let pool = emulator.create_user_pool(plan.pool);
    summary.push(format!(
        "pool {pool} {pool_name:?}: MFA {mfa:?}, device tracking {devices:?}"
    ));
    let mut clients = Vec::new();
    for (name, config) in plan.clients {
        let prevent = config.prevent_user_existence_errors;
        let info = emulator
            .create_client(&pool, config)
            .ok_or_else(|| Failure::Config(format!("client {name:?}: refused by the emulator")))?;
        summary.push(format!(
            "client {name:?}: {}{}{}",
            info.id,
            if info.secret.is_some() {
                ", with a secret"
            } else {
                ""
            },
            if prevent {
                ""
            } else {
                ", PreventUserExistenceErrors off"
            }
        ));
        clients.push(json!({"name": name, "client_id": info.id, "client_secret": info.secret}));
    }
    for group in plan.groups {
        let name = group.name.clone();
        emulator
            .create_group(&pool, group)
            .map_err(|why| Failure::Config(format!("group {name:?}: {why}")))?;
        summary.push(format!("group {name:?}"));
    }
    let mut users = Vec::new();
    for user in &plan.users {
        let fail = |why: String| Failure::Config(format!("user {:?}: {why}", user.username));
        let attributes: Vec<(&str, &str)> = user
            .attributes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (name, password) = (&user.username, &user.password);
        let created = if user.temporary {
            emulator.admin_create_user_with_temporary_password(&pool, name, password, &attributes)
        } else if !user.confirmed {
            emulator.create_unconfirmed_user(&pool, name, password, &attributes)
        } else {
            emulator.admin_create_user(&pool, name, password, &attributes)
        };
        let sub = created.map_err(fail)?;
        if user.sms_mfa {
            emulator.admin_enable_sms_mfa(&pool, name).map_err(fail)?;
        }
        if let Some(secret) = &user.totp_secret {
            emulator
                .admin_set_totp_secret(&pool, name, secret)
                .map_err(fail)?;
        }
        for group in &user.groups {
            emulator
                .admin_add_user_to_group(&pool, name, group)
                .map_err(fail)?;
        }
        if !user.enabled {
            emulator.admin_disable_user(&pool, name).map_err(fail)?;
        }
        summary.push(format!("user {name:?} (sub {sub})"));
        users.push(name.clone());
    }
    Ok(json!({
        "name": pool_name,
        "pool_id": pool,
        "clients": clients,
        "users": users,
        "issuer": format!("https://cognito-idp.{region}.amazonaws.com/{pool}"),
        "jwks_uri": format!("{endpoint}{pool}/.well-known/jwks.json"),
    }))
}

fn main() -> ExitCode {
    let matches = Cli::command().after_help(after_help()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Installed first, so that a signal during the set-up stops the emulator as soon as it runs.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    }) {
        eprintln!("cognito-emulator: cannot handle signals: {e}");
        return ExitCode::from(1);
    }
    let password = std::env::var("COGNITO_EMULATOR_PASSWORD").ok();
    let running = match plan(cli, password).and_then(start) {
        Ok(running) => running,
        Err(Failure::Config(why)) => {
            eprintln!("cognito-emulator: {why}");
            return ExitCode::from(2);
        }
        Err(Failure::Start(why)) => {
            eprintln!("cognito-emulator: {why}");
            return ExitCode::from(1);
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", running.line)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("cognito-emulator: cannot write to stdout");
        return ExitCode::from(1);
    }
    drop(stdout);
    eprintln!(
        "cognito-emulator: listening on {}",
        running.emulator.endpoint()
    );
    for line in &running.summary {
        eprintln!("cognito-emulator: {line}");
    }
    // Every sender lives in the signal handler, which is never removed: recv returns on a signal.
    let _ = stop_rx.recv();
    eprintln!("cognito-emulator: stopping");
    drop(running);
    ExitCode::SUCCESS
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../cognito-emulator.example.toml");

    #[test]
    fn the_example_config_parses_to_what_it_says() {
        let config = parse_config(EXAMPLE, false).unwrap();
        assert_eq!(config.pool.mfa, MfaSetting::Optional);
        assert_eq!(config.pool.device_tracking, DeviceSetting::UserOptIn);
        assert_eq!(config.clients.len(), 2);
        assert!(config.clients.iter().any(|c| c.secret));
        assert!(config.clients[0].prevent_user_existence_errors);
        assert_eq!(
            config.clients[0].callback_urls,
            ["http://localhost:3000/callback"]
        );
        assert_eq!(config.clients[0].logout_urls, ["http://localhost:3000/"]);
        assert_eq!(config.pool.custom_attributes, ["tenant"]);
        assert_eq!(config.pool.fixed_code, None);
        assert_eq!(
            config.pool.webhooks.webhooks(),
            Webhooks {
                timeout: Some(std::time::Duration::from_secs(5)),
                ..Webhooks::default()
            }
        );
        assert_eq!(config.users[0].username, "alice");
        assert_eq!(
            config.users[0].attributes.get("email").map(String::as_str),
            Some("alice@example.com")
        );
    }

    #[test]
    fn json_config_is_the_same_schema() {
        let config = parse_config(
            r#"{"pool": {"mfa": "required", "device_tracking": "always",
                "password_policy": {"minimum_length": 12, "require_symbols": false}},
                "clients": [{"name": "a", "secret": true}],
                "users": [{"username": "bob", "password": "pw", "attributes": {"email": "b@x"}}]}"#,
            true,
        )
        .unwrap();
        assert_eq!(config.pool.mfa, MfaSetting::Required);
        assert_eq!(config.pool.password_policy.minimum_length, 12);
        assert!(!config.pool.password_policy.require_symbols);
        assert!(config.pool.password_policy.require_numbers);
        assert!(config.clients[0].secret);
    }

    #[test]
    fn an_empty_file_is_the_default_setup() {
        assert_eq!(parse_config("", false).unwrap(), FileConfig::default());
        assert_eq!(parse_config("{}", true).unwrap(), FileConfig::default());
    }

    #[test]
    fn bad_configs_say_what_is_wrong() {
        for (text, json, says) in [
            ("[pool]\nmfa = \"sometimes\"", false, "sometimes"),
            ("[pool]\nmfa_typo = \"off\"", false, "mfa_typo"),
            ("[[users]]\nusername = \"a\"", false, "password"),
            ("port = 70000", false, "70000"),
            (
                "[pool.password_policy]\nminimum_length = 5",
                false,
                "6 to 99",
            ),
            (
                "[[clients]]\nname = \"a\"\n[[clients]]\nname = \"a\"",
                false,
                "\"a\"",
            ),
            ("{\"users\": 3}", true, "invalid type"),
            ("{\"pool\": {\"device_tracking\": \"maybe\"}", true, "maybe"),
            ("[pool", false, "TOML parse error"),
            ("[pool]\nfixed_code = \"12 34\"", false, "white space"),
            ("[pool]\nfixed_code = \"\"", false, "1 to 2048"),
            (
                "[pool.webhooks]\npre_sign_up = \"https://hooks.example/x\"",
                false,
                "pool.webhook pre_sign_up = \"https://hooks.example/x\" is not an http:// URL",
            ),
            (
                "[pool.webhooks]\ndefine_auth_challenge = \"127.0.0.1:8000\"",
                false,
                "not an http:// URL",
            ),
            ("[pool.webhooks]\ntimeout_ms = 0", false, "above 0"),
            (
                "[pool.webhooks]\npre_signup = \"http://x/\"",
                false,
                "pre_signup",
            ),
            (
                "[[clients]]\nname = \"a\"\ncallback_urls = [\"/relative\"]",
                false,
                "\"/relative\" is not an absolute URL",
            ),
            (
                "[[clients]]\nname = \"a\"\ncallback_urls = [\"http://x/\\r\\nSet-Cookie: a=b\"]",
                false,
                "not an absolute URL",
            ),
            (
                "[[clients]]\nname = \"a\"\nexplicit_auth_flows = [\"ALLOW_ALL\"]",
                false,
                "\"ALLOW_ALL\" is not one of",
            ),
            (
                "[[clients]]\nname = \"a\"\naccess_token_validity_minutes = 2",
                false,
                "5 to 1440",
            ),
            (
                "[[clients]]\nname = \"a\"\nrefresh_token_rotation_grace_seconds = 61",
                false,
                "0 to 60",
            ),
            (
                "[[users]]\nusername = \"a\"\npassword = \"p\"\ngroups = [\"ghosts\"]",
                false,
                "no group \"ghosts\"",
            ),
            (
                "[[pools]]\nname = \"b\"\n[[pools.clients]]\nname = \"x\"\n[[pools.clients]]\nname = \"x\"",
                false,
                "pool \"b\": clients",
            ),
            (
                "[[users]]\nusername = \"a\"\npassword = \"p\"\ntemporary = true\nconfirmed = false",
                false,
                "do not go together",
            ),
        ] {
            let err = parse_config(text, json).unwrap_err();
            assert!(err.contains(says), "{text:?}: {err}");
        }
    }

    #[test]
    fn a_file_of_pools_sets_up_those_pools_only() {
        let config = parse_config(
            "[[pools]]\nname = \"a\"\n[[pools.groups]]\nname = \"g\"\n\
             [[pools.users]]\nusername = \"u\"\npassword = \"Passw0rd!\"\ngroups = [\"g\"]\n\
             [[pools]]\nname = \"b\"\n",
            false,
        )
        .unwrap();
        let pools = config.all_pools();
        let names: Vec<&str> = pools.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(pools[0].users[0].groups, ["g"]);
        let with_top = parse_config("[pool]\nname = \"top\"\n[[pools]]\nname = \"b\"\n", false)
            .unwrap()
            .all_pools();
        let names: Vec<&str> = with_top.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["top", "b"]);
    }

    #[test]
    fn regions_are_checked() {
        for good in ["us-east-1", "eu-central-2", "us-gov-west-1"] {
            assert!(check_region(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-x",
            "us--1",
            "us-east-1/",
        ] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flags_override_the_file_and_passwords_stay_off_the_command_line() {
        let cli = Cli::try_parse_from([
            "cognito-emulator",
            "--mfa",
            "required",
            "--device-tracking",
            "always",
            "--client-secret",
            "--user",
            "carol",
            "--prevent-user-existence-errors",
            "false",
            "--callback-url",
            "http://localhost/cb",
            "--fixed-code",
            "424242",
        ])
        .unwrap();
        let plan = plan(cli, None).unwrap();
        let emulator = plan.emulator;
        let plan = &plan.pools[0];
        assert_eq!(plan.pool.mfa, Mfa::On);
        assert_eq!(plan.pool.device_tracking, DeviceTracking::Always);
        assert!(plan.clients.iter().all(|(_, c)| c.secret));
        assert!(
            plan.clients
                .iter()
                .all(|(_, c)| !c.prevent_user_existence_errors)
        );
        assert_eq!(plan.clients[0].1.callback_urls, ["http://localhost/cb"]);
        assert_eq!(plan.pool.fixed_code.as_deref(), Some("424242"));
        assert!(emulator.log_codes);
        assert_eq!(plan.users.len(), 1);
        assert_eq!(plan.users[0].username, "carol");
        assert!(!format!("{:?}", plan.users[0]).contains(DEFAULT_PASSWORD));
        assert!(Cli::try_parse_from(["cognito-emulator", "--password", "x"]).is_err());
    }

    #[test]
    fn a_fixed_code_is_what_the_outbox_gets() {
        let cli = Cli::try_parse_from(["cognito-emulator", "--memory", "--fixed-code", "123456"])
            .unwrap();
        let running = start(plan(cli, None).unwrap()).unwrap();
        let endpoint = running.line["endpoint"].as_str().unwrap();
        let client_id = running.line["client_id"].as_str().unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let answer = agent
            .post(endpoint)
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
            .send(
                json!({"ClientId": client_id, "Username": "zoe", "Password": "Passw0rd!",
                       "UserAttributes": [{"Name": "email", "Value": "zoe@example.com"}]})
                .to_string(),
            )
            .unwrap();
        assert_eq!(answer.status(), 200);
        let text = agent
            .get(format!("{endpoint}_emulator/outbox?username=zoe"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let outbox: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(outbox["messages"][0]["code"], "123456");
        assert_eq!(outbox["messages"][0]["purpose"], "SignUp");
    }

    #[test]
    fn a_seed_of_any_length_makes_the_same_setup() {
        let seeded = |seed: &str| {
            let cli =
                Cli::try_parse_from(["cognito-emulator", "--memory", "--seed", seed]).unwrap();
            let running = start(plan(cli, None).unwrap()).unwrap();
            (
                running.line["pool_id"].clone(),
                running.line["client_id"].clone(),
            )
        };
        let long = "a seed longer than thirty-two bytes, which used to be cut";
        assert_eq!(seeded(long), seeded(long));
        assert_ne!(seeded(long), seeded("another seed"));
    }
}
