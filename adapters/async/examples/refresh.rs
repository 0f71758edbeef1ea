//! Refresh a stored session on tokio and reqwest:
//! `cargo run -p cognito-flows-async --example refresh -- POOL_ID CLIENT_ID session.json`.

use cognito_flows::UserPool;
use cognito_flows_async::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pool_id, client_id, path] = args.as_slice() else {
        return Err("usage: refresh POOL_ID CLIENT_ID SESSION_FILE".into());
    };
    let client = Client::new(UserPool::new(pool_id, client_id.as_str())?)?;
    let mut session = cognito_flows_async::load_session(path.as_ref())?;
    client.refresh(&mut session).await?;
    cognito_flows_async::save_session(path.as_ref(), &session)?; // 0600, atomic: see its docs
    Ok(())
}
