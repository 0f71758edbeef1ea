//! The data directory: a database written by the emulator (a pool, a client with a secret, users,
//! tokens, outbox messages), corrupted by the fuzzer, then started on. A corrupt record must be a
//! clear error at start-up, never a panic or a broken answer later.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use arbitrary::{Result, Unstructured};
use rusqlite::Connection;
use serde_json::{Value, json};

use super::model::{any_json, string};
use super::world::{NOW, USERS, World};
use crate::{Clock, Emulator, EmulatorConfig};

/// The template: the database's bytes, the pool and client of the world that wrote it, and the
/// secrets it holds (which no start-up error may print).
struct Template {
    bytes: Vec<u8>,
    pool: String,
    client: crate::ClientInfo,
    secrets: Vec<String>,
    access: String,
    refresh: String,
}

fn dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("cognito-fuzz-store-{}-{name}", std::process::id()))
}

fn config(dir: PathBuf) -> EmulatorConfig {
    EmulatorConfig {
        seed: Some([7; 32]),
        clock: Clock::Fixed(UNIX_EPOCH + Duration::from_secs(NOW)),
        data: Some(dir),
        ..EmulatorConfig::default()
    }
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = dir("template");
        let _ = std::fs::remove_dir_all(&dir);
        let emulator = Emulator::start(config(dir.clone()))
            .unwrap_or_else(|e| panic!("the template emulator does not start: {e}"));
        let pool = emulator.create_user_pool(crate::PoolConfig {
            custom_attributes: vec!["tenant".into()],
            ..crate::PoolConfig::default()
        });
        let client = emulator
            .create_client(&pool, crate::ClientConfig { secret: true, ..crate::ClientConfig::default() })
            .unwrap_or_else(|| panic!("the template client"));
        for &(name, password, ..) in USERS {
            emulator
                .admin_create_user(&pool, name, password, &[("email", &format!("{name}@example.com"))])
                .unwrap_or_else(|e| panic!("the template user {name}: {e}"));
        }
        let world = World { emulator, pool, client };
        let (alice, password, ..) = USERS[0];
        let secret = world.client.secret.clone().unwrap_or_default();
        let hash = crate::auth::engine::secret_hash(&secret, alice, &world.client.id);
        let (_, signed_in) = world.call(
            "InitiateAuth",
            &json!({"ClientId": world.client.id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": alice, "PASSWORD": password, "SECRET_HASH": hash}}),
        );
        let result = &signed_in["AuthenticationResult"];
        let access = result["AccessToken"].as_str().unwrap_or_default().to_owned();
        let refresh = result["RefreshToken"].as_str().unwrap_or_default().to_owned();
        assert!(!refresh.is_empty(), "the template sign-in: {signed_in}");
        let hash = crate::auth::engine::secret_hash(&secret, "erin", &world.client.id);
        world.call(
            "SignUp",
            &json!({"ClientId": world.client.id, "Username": "erin", "Password": "Passw0rd!erin",
                "SecretHash": hash, "UserAttributes": [{"Name": "email", "Value": "erin@example.com"}]}),
        );
        let World { emulator, pool, client } = world;
        drop(emulator);
        let bytes = std::fs::read(dir.join(crate::model::store::FILE))
            .unwrap_or_else(|e| panic!("the template database: {e}"));
        let _ = std::fs::remove_dir_all(&dir);
        let mut secrets = vec![secret, access.clone(), refresh.clone()];
        secrets.extend(USERS.iter().map(|(_, p, ..)| (*p).to_owned()));
        Template { bytes, pool, client, secrets, access, refresh }
    })
}

/// Replaces one node of `value` (chosen by the fuzzer) with another of the same type or of any.
fn mutate(u: &mut Unstructured<'_>, value: &mut Value) -> Result<()> {
    let children = match value {
        Value::Object(map) => map.len(),
        Value::Array(list) => list.len(),
        _ => 0,
    };
    if children > 0 && u.ratio(3, 4)? {
        let i = u.choose_index(children)?;
        return match value {
            Value::Object(map) => {
                if u.ratio(1, 8)? {
                    let key = map.keys().nth(i).cloned().unwrap_or_default();
                    map.remove(&key);
                    Ok(())
                } else {
                    map.values_mut().nth(i).map_or(Ok(()), |v| mutate(u, v))
                }
            }
            Value::Array(list) => {
                if u.ratio(1, 8)? {
                    list.truncate(i);
                    Ok(())
                } else {
                    list.get_mut(i).map_or(Ok(()), |v| mutate(u, v))
                }
            }
            _ => Ok(()),
        };
    }
    *value = match (&*value, u.int_in_range(0..=3)?) {
        (Value::Number(_), 0..=2) => match u.int_in_range(0..=3)? {
            0 => json!(u.arbitrary::<u64>()?),
            1 => json!(u.arbitrary::<i64>()?),
            2 => json!(u.arbitrary::<f64>()?),
            _ => json!(u.int_in_range(0..=300)?),
        },
        (Value::String(s), 0..=2) => {
            let mut s = s.clone();
            match u.int_in_range(0..=2)? {
                0 => s = string(u)?,
                1 => s.truncate(
                    s.char_indices()
                        .nth(u.int_in_range(0..=s.len())?)
                        .map_or(s.len(), |(i, _)| i),
                ),
                _ => s.push_str(&string(u)?),
            }
            json!(s)
        }
        (Value::Array(list), 0..=1) => {
            let mut list = list.clone();
            list.push(any_json(u, 1)?);
            Value::Array(list)
        }
        _ => any_json(u, 2)?,
    };
    Ok(())
}

/// Corrupts the database in `dir` as the fuzzer says: a field of a record, a whole record's
/// value or key, a new record, the counters and version, or raw bytes of the file.
fn corrupt(u: &mut Unstructured<'_>, path: &std::path::Path) -> Result<()> {
    let mode = u.int_in_range(0..=5)?;
    if mode == 5 {
        let mut bytes = std::fs::read(path).unwrap_or_default();
        for _ in 0..u.int_in_range(1..=8)? {
            if bytes.is_empty() {
                break;
            }
            let at = u.choose_index(bytes.len())?;
            if let Some(b) = bytes.get_mut(at) {
                *b = u.arbitrary()?;
            }
        }
        if u.ratio(1, 8)? {
            bytes.truncate(u.choose_index(bytes.len().max(1))?);
        }
        let _ = std::fs::write(path, bytes);
        return Ok(());
    }
    // An earlier corruption may have left the file unreadable: then nothing more to corrupt.
    let Ok(conn) = Connection::open(path) else {
        return Ok(());
    };
    let Ok(rows) = conn
        .prepare("SELECT kind, scope, key, value FROM records ORDER BY kind, scope, key")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<Vec<(String, String, String, String)>>>()
        })
    else {
        return Ok(());
    };
    let (kind, scope, key, value) = u.choose(&rows)?.clone();
    let update = |k: &str, s: &str, key2: &str, v: &str| {
        let _ = conn.execute(
            "UPDATE records SET kind = ?1, scope = ?2, key = ?3, value = ?4 WHERE kind = ?5 AND scope = ?6 AND key = ?7",
            [k, s, key2, v, &kind, &scope, &key],
        );
    };
    match mode {
        0 | 1 => {
            let mut parsed: Value = serde_json::from_str(&value).unwrap_or(Value::Null);
            for _ in 0..u.int_in_range(1..=3)? {
                mutate(u, &mut parsed)?;
            }
            update(&kind, &scope, &key, &parsed.to_string());
        }
        2 => update(&kind, &scope, &key, &string(u)?),
        3 => {
            let (k2, s2, key2) = match u.int_in_range(0..=2)? {
                0 => (kind.clone(), scope.clone(), string(u)?),
                1 => (kind.clone(), string(u)?, key.clone()),
                _ => (string(u)?, scope.clone(), key.clone()),
            };
            if u.ratio(1, 2)? {
                update(&k2, &s2, &key2, &value);
            } else {
                let _ = conn.execute(
                    "INSERT OR REPLACE INTO records (kind, scope, key, value) VALUES (?1, ?2, ?3, ?4)",
                    [&k2, &s2, &key2, &value],
                );
            }
        }
        _ => {
            let statement = match u.int_in_range(0..=3)? {
                0 => format!(
                    "UPDATE counters SET value = {} WHERE name = 'seq'",
                    u.arbitrary::<i64>()?
                ),
                1 => format!(
                    "UPDATE counters SET value = {} WHERE name = 'boots'",
                    u.arbitrary::<i64>()?
                ),
                2 => format!("PRAGMA user_version = {}", u.arbitrary::<i32>()?),
                _ => format!("PRAGMA application_id = {}", u.arbitrary::<i32>()?),
            };
            let _ = conn.execute_batch(&statement);
        }
    }
    Ok(())
}

/// Starts the emulator on a corrupted copy of a data directory. Either it refuses to start with
/// an error that says what is wrong and prints none of the secrets the records hold, or it
/// answers a round of calls (listings, descriptions, sign-in, the stored tokens, a sign-up, the
/// outbox) with well-formed Cognito answers.
pub fn data_directory(data: &[u8]) {
    let template = template();
    let mut u = Unstructured::new(data);
    let dir = dir("input");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(crate::model::store::FILE);
    std::fs::write(&path, &template.bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for _ in 0..2 {
        if u.is_empty() || corrupt(&mut u, &path).is_err() {
            break;
        }
    }
    let emulator = match Emulator::start(config(dir.clone())) {
        Ok(emulator) => emulator,
        Err(e) => {
            let message = e.to_string();
            assert!(message.len() > 20, "an unclear start-up error: {message:?}");
            for secret in &template.secrets {
                assert!(
                    !message.contains(secret.as_str()),
                    "a start-up error prints a secret: {message}"
                );
            }
            return;
        }
    };
    let world = World {
        emulator,
        pool: template.pool.clone(),
        client: template.client.clone(),
    };
    let (pool, client) = (&world.pool, &world.client.id);
    let secret = world.client.secret.clone().unwrap_or_default();
    let (alice, password, ..) = USERS[0];
    let hash = |user: &str| crate::auth::engine::secret_hash(&secret, user, client);
    let calls = [
        ("ListUserPools", json!({"MaxResults": 60})),
        ("DescribeUserPool", json!({"UserPoolId": pool})),
        ("ListUserPoolClients", json!({"UserPoolId": pool})),
        (
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": client}),
        ),
        ("ListUsers", json!({"UserPoolId": pool})),
        ("ListGroups", json!({"UserPoolId": pool})),
        (
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": alice}),
        ),
        (
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "erin"}),
        ),
        ("GetUser", json!({"AccessToken": template.access})),
        ("ListDevices", json!({"AccessToken": template.access})),
        (
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": alice, "PASSWORD": password, "SECRET_HASH": hash(alice)}}),
        ),
        (
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": template.refresh, "SECRET_HASH": hash(alice)}}),
        ),
        (
            "ForgotPassword",
            json!({"ClientId": client, "Username": "bob", "SecretHash": hash("bob")}),
        ),
        (
            "SignUp",
            json!({"ClientId": client, "Username": "zed", "Password": "Passw0rd!zed",
            "SecretHash": hash("zed")}),
        ),
        (
            "AdminDeleteUser",
            json!({"UserPoolId": pool, "Username": "dave"}),
        ),
        ("GlobalSignOut", json!({"AccessToken": template.access})),
    ];
    for (operation, body) in &calls {
        let (_, answer) = world.call(operation, body);
        world.check_tokens(operation, &answer);
    }
    let outbox = world.answer(
        http::Request::get("/_emulator/outbox")
            .body(Vec::new())
            .unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(outbox.status(), 200, "the outbox");
    drop(world);
}
