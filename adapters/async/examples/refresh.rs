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
    let client = Client::reqwest(UserPool::new(pool_id, client_id.as_str())?)?;
    // getSession in one line: loaded, refreshed only if its tokens have expired (a rotated
    // refresh token replaces the old one), saved again 0600 and atomically.
    let session = client.saved_session(path.as_ref()).await?;
    eprintln!("valid until {:?}", session.tokens.expires_at());
    Ok(())
}
