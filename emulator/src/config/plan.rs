//! The start-up plan: the flags over the config file (what to set up), then the start: a new
//! state seeded with the plan's pools, clients, groups and users, or a data directory that holds
//! state restored with the first start's line.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;
use sha2::Digest as _;

use super::file::{
    DeviceSetting, FileConfig, GivenSecret, MfaSetting, PoolFile, ResourceServerFile, SecretFile,
    UserFile, check_account_id, check_callback_urls, check_fixed_code, check_region, read_config,
};
use super::{DEFAULT_DATA, DEFAULT_PASSWORD, Failure, SETUP_FILE};
use crate::model::settings::GroupConfig;
use crate::model::state::{
    ClientConfig, DeviceTracking, Mfa, PasswordPolicy, PoolConfig, RefreshRotation,
};
use crate::{Emulator, EmulatorConfig};

/// What the command line gives (the binary's flags, parsed by clap in `main.rs`).
#[derive(Debug, Default, Clone)]
pub struct Flags {
    /// `--config`: a config file (TOML, or JSON when the name ends in .json).
    pub config: Option<PathBuf>,
    /// `--port`: the port on 127.0.0.1 (0: a free one).
    pub port: Option<u16>,
    /// `--region`: the region in pool ids and the issuer.
    pub region: Option<String>,
    /// `--seed`: any text; makes every id, code, salt and SRP value reproducible.
    pub seed: Option<String>,
    /// `--mfa`: the pools' MFA.
    pub mfa: Option<MfaSetting>,
    /// `--device-tracking`: the pools' device tracking.
    pub device_tracking: Option<DeviceSetting>,
    /// `--client-secret`: every app client gets a secret.
    pub client_secret: bool,
    /// `--prevent-user-existence-errors`: of every app client.
    pub prevent_user_existence_errors: Option<bool>,
    /// `--callback-url`: callback URLs of every app client.
    pub callback_url: Vec<String>,
    /// `--fixed-code`: every code the pools send.
    pub fixed_code: Option<String>,
    /// `--user`: confirmed users of the first pool.
    pub user: Vec<String>,
    /// `--data`: the data directory.
    pub data: Option<PathBuf>,
    /// `--memory`: keep nothing.
    pub memory: bool,
    /// `--allow-host`: host names answered besides the loopback ones.
    pub allow_host: Vec<String>,
    /// `--account-id`: the AWS account in ARNs.
    pub account_id: Option<String>,
    /// `--empty`: no pool at start (as moto), whatever else the flags say.
    pub empty: bool,
}

/// What the binary sets up, from the flags over the config file.
pub struct Plan {
    pub(crate) emulator: EmulatorConfig,
    pub(crate) pools: Vec<PoolPlan>,
}

/// One pool to set up.
pub(crate) struct PoolPlan {
    pub(crate) pool: PoolConfig,
    /// Each client's name, settings and the secret the file gives it (else one is made up
    /// when the settings say it has one).
    pub(crate) clients: Vec<(String, ClientConfig, Option<GivenSecret>)>,
    pub(crate) groups: Vec<GroupConfig>,
    /// The resource servers, set up before the clients.
    pub(crate) resource_servers: Vec<ResourceServerFile>,
    pub(crate) users: Vec<UserFile>,
}

/// The flags over the config file; `password` is the one of the users named by `--user`.
pub fn plan(cli: Flags, password: Option<String>) -> Result<Plan, Failure> {
    let file = match &cli.config {
        Some(path) => read_config(path)?,
        None => FileConfig::default(),
    };
    plan_file(cli, file, password)
}

/// The flags over a config file already read and checked.
pub(crate) fn plan_file(
    cli: Flags,
    file: FileConfig,
    password: Option<String>,
) -> Result<Plan, Failure> {
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
    if let Some(account) = cli.account_id.clone().or(file.account_id.clone()) {
        check_account_id(&account)?;
        emulator.account_id = account;
    }
    let empty = cli.empty || file.empty.unwrap_or(false);
    if empty && (file.has_pool() || !cli.user.is_empty()) {
        return Err(Failure::Config(
            "empty = true (--empty) starts with no pool: the config file and --user cannot give one"
                .into(),
        ));
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
    let planned = if empty { Vec::new() } else { file.all_pools() };
    for (index, pool) in planned.into_iter().enumerate() {
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
fn plan_pool(cli: &Flags, file: PoolFile) -> Result<PoolPlan, Failure> {
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
        let secret = c.secret.any();
        let given = match c.secret {
            SecretFile::Given(given) => Some(given),
            SecretFile::MadeUp(_) => None,
        };
        let config = ClientConfig {
            secret,
            callback_urls: c.callback_urls,
            prevent_user_existence_errors: c.prevent_user_existence_errors,
            refresh_rotation: c
                .refresh_token_rotation_grace_seconds
                .map(|retry_grace_seconds| RefreshRotation {
                    retry_grace_seconds,
                }),
            settings,
        };
        clients.push((c.name, config, given));
    }
    if clients.is_empty() {
        let mut config = ClientConfig::default();
        config.settings.name = "default".into();
        clients.push(("default".into(), config, None));
    }
    for (_, client, _) in &mut clients {
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
        resource_servers: file.resource_servers,
    })
}

/// A running emulator and the line that says how to reach it.
pub struct Running {
    /// The emulator.
    pub emulator: Emulator,
    /// The first line of stdout: how to reach the pools, clients and users.
    pub line: serde_json::Value,
    /// What was set up, a line each (for stderr).
    pub summary: Vec<String>,
}

/// Starts the emulator of a plan: on a data directory that holds state, restores it (the set-up
/// is skipped); else sets up the plan's pools, clients, groups and users.
pub fn start(plan: Plan) -> Result<Running, Failure> {
    let data = plan.emulator.data.clone();
    let emulator = Emulator::start(plan.emulator.clone())
        .map_err(|e| Failure::Start(format!("cannot start the server: {e}")))?;
    let running = match data {
        Some(dir) if emulator.restored() => restore(emulator, &dir),
        Some(dir) => {
            let running = set_up(emulator, plan)?;
            save_setup(&dir, &running.line)?;
            Ok(running)
        }
        None => set_up(emulator, plan),
    }?;
    // `POST /_emulator/reset` brings back the pools, clients and users of the set-up.
    running.emulator.keep_as_start();
    Ok(running)
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
    for server in &plan.resource_servers {
        let identifier = &server.identifier;
        emulator
            .insert_resource_server(&pool, identifier, server.server())
            .map_err(|why| Failure::Config(format!("resource server {identifier:?}: {why}")))?;
        summary.push(format!(
            "resource server {identifier:?}: {} scopes",
            server.scopes.len()
        ));
    }
    let mut clients = Vec::new();
    for (name, config, given) in plan.clients {
        let prevent = config.prevent_user_existence_errors;
        let refused = || Failure::Config(format!("client {name:?}: refused by the emulator"));
        let mut info = emulator.create_client(&pool, config).ok_or_else(refused)?;
        if let Some(GivenSecret(secret)) = given {
            emulator
                .set_first_client_secret(&pool, &info.id, &secret)
                .ok_or_else(refused)?;
            info.secret = Some(secret);
        }
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
