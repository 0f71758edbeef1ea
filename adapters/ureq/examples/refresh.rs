//! Refresh a stored session: `cargo run -p cognito-flows-ureq --example refresh -- POOL_ID CLIENT_ID session.json`
//! (the session as `serde_json::to_string(&StoredSession)` wrote it).

use cognito_flows::{StoredSession, UserPool};
use cognito_flows_ureq::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pool_id, client_id, path] = args.as_slice() else {
        return Err("usage: refresh POOL_ID CLIENT_ID SESSION_FILE".into());
    };
    let client = Client::new(UserPool::new(pool_id, client_id.as_str())?);
    let mut session: StoredSession = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    if session.needs_refresh(
        std::time::SystemTime::now(),
        std::time::Duration::from_secs(300),
    ) {
        client.refresh(&mut session)?;
        std::fs::write(path, serde_json::to_string(&session)?)?;
        eprintln!("refreshed");
    }
    Ok(())
}
