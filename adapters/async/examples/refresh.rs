//! Refresh a stored session on tokio and reqwest:
//! `cargo run -p cognito-flows-async --example refresh -- POOL_ID CLIENT_ID session.json`.

use cognito_flows::{StoredSession, UserPool};
use cognito_flows_async::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pool_id, client_id, path] = args.as_slice() else {
        return Err("usage: refresh POOL_ID CLIENT_ID SESSION_FILE".into());
    };
    let client = Client::new(UserPool::new(pool_id, client_id.as_str())?)?;
    let mut session: StoredSession = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    client.refresh(&mut session).await?;
    std::fs::write(path, serde_json::to_string(&session)?)?;
    Ok(())
}
