//! Refresh a stored session on tokio and reqwest:
//! `cargo run -p cognito-flows-async --example refresh -- POOL_ID CLIENT_ID session.json`.

use cognito_flows::{Input, Prompt, StoredSession, UserPool};
use cognito_flows_async::{Driver, ReqwestTransport, TokioSleep, entropy};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pool_id, client_id, path] = args.as_slice() else {
        return Err("usage: refresh POOL_ID CLIENT_ID SESSION_FILE".into());
    };
    let pool = UserPool::new(pool_id, client_id.as_str())?;
    let mut session: StoredSession = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let flow = session
        .refresh(&pool, entropy()?)
        .ok_or("the session has no refresh token")?;
    let driver = Driver::new(ReqwestTransport::new()?, TokioSleep);
    let refreshed = driver
        .run(flow, |p: Prompt| async move {
            Err::<Input, _>(format!("unexpected {}", p.kind()))
        })
        .await?;
    session.update(refreshed);
    std::fs::write(path, serde_json::to_string(&session)?)?;
    Ok(())
}
