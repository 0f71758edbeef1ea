//! Test helper for the Python suite: starts the embedded emulator on 127.0.0.1 with the pool a
//! test needs, prints one JSON line (endpoint, pool, client, user), then answers commands on
//! stdin until it closes (the test's way of stopping it):
//!
//! - `code USERNAME`: the last code sent to the user, as `{"code": "..."}` (or `null`).
//!
//! Flags: `--mfa off|optional|on`, `--devices off|always|opt-in`, `--secret` (the app client
//! has a secret), `--user NAME`, `--password PW`, `--temporary` (the password is temporary: the
//! first sign-in must choose a new one).

use std::io::{BufRead as _, Write as _};

use cognito_flows_emulator::{
    ClientConfig, DeviceTracking, Emulator, EmulatorConfig, Mfa, PoolConfig,
};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = PoolConfig::default();
    let mut client = ClientConfig::default();
    let (mut user, mut password) = ("alice".to_owned(), "Passw0rd!".to_owned());
    let mut temporary = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--mfa" => {
                pool.mfa = match value()?.as_str() {
                    "off" => Mfa::Off,
                    "optional" => Mfa::Optional,
                    "on" => Mfa::On,
                    other => return Err(format!("--mfa {other:?}").into()),
                }
            }
            "--devices" => {
                pool.device_tracking = match value()?.as_str() {
                    "off" => DeviceTracking::Off,
                    "always" => DeviceTracking::Always,
                    "opt-in" => DeviceTracking::UserOptIn,
                    other => return Err(format!("--devices {other:?}").into()),
                }
            }
            "--secret" => client.secret = true,
            "--temporary" => temporary = true,
            "--user" => user = value()?,
            "--password" => password = value()?,
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let emulator = Emulator::start(EmulatorConfig::default())?;
    let pool_id = emulator.create_user_pool(pool);
    let info = emulator
        .create_client(&pool_id, client)
        .ok_or("the pool just created is missing")?;
    // A verified address, as Cognito needs one to reset a password.
    let email = format!("{user}@example.com");
    let attributes = [("email", email.as_str())];
    if temporary {
        emulator.admin_create_user_with_temporary_password(
            &pool_id,
            &user,
            &password,
            &attributes,
        )?;
    } else {
        emulator.admin_create_user(&pool_id, &user, &password, &attributes)?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}",
        json!({
            "endpoint": emulator.endpoint(),
            "pool_id": pool_id,
            "client_id": info.id,
            "client_secret": info.secret,
            "username": user,
            "password": password,
        })
    )?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let answer = match line.split_once(' ') {
            Some(("code", name)) => json!({ "code": emulator.last_code(name) }),
            _ => json!({ "error": format!("unknown command {line:?}") }),
        };
        writeln!(out, "{answer}")?;
        out.flush()?;
    }
    Ok(())
}
