//! `cognito-emulator`: runs the emulator on 127.0.0.1 with one pool, one client and one user, and
//! prints how to reach them.

use std::time::Duration;

use cognito_flows_emulator::{ClientConfig, Emulator, EmulatorConfig, PoolConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = EmulatorConfig::default();
    let mut args = std::env::args().skip(1);
    let mut user = ("alice".to_owned(), "Passw0rd!".to_owned());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => config.port = args.next().ok_or("--port needs a value")?.parse()?,
            "--seed" => {
                let text = args.next().ok_or("--seed needs a value")?;
                let mut seed = [0u8; 32];
                for (slot, byte) in seed.iter_mut().zip(text.bytes()) {
                    *slot = byte;
                }
                config.seed = Some(seed);
            }
            "--user" => user.0 = args.next().ok_or("--user needs a value")?,
            "--password" => user.1 = args.next().ok_or("--password needs a value")?,
            "--help" | "-h" => {
                println!("cognito-emulator [--port N] [--seed TEXT] [--user NAME] [--password PW]");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let emulator = Emulator::start(config)?;
    let pool = emulator.create_user_pool(PoolConfig::default());
    let client = emulator
        .create_client(&pool, ClientConfig::default())
        .ok_or("no pool")?;
    emulator.admin_create_user(&pool, &user.0, &user.1, &[])?;
    println!("endpoint    {}", emulator.endpoint());
    println!("pool id     {pool}");
    println!("client id   {}", client.id);
    println!("user        {} / {}", user.0, user.1);
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
