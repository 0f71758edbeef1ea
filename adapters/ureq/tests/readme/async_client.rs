use std::time::SystemTime;

use cognito_flows::{Input, Prompt, SignIn, UserPool};
use cognito_flows_async::{Client, Driver, ReqwestTransport, TokioSleep, entropy};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = UserPool::new(
        &std::env::var("COGNITO_USER_POOL_ID")?,
        std::env::var("COGNITO_CLIENT_ID")?,
    )?;
    if let Ok(endpoint) = std::env::var("COGNITO_ENDPOINT") {
        pool = pool.with_endpoint(&endpoint)?; // the emulator
    }
    let password = std::env::var("COGNITO_PASSWORD")?;

    let client = Client::reqwest(pool.clone())?;
    let signed_in = tokio::spawn(async move {
        client
            .sign_in_srp("alice", password, async |prompt| match prompt {
                Prompt::TotpCode { .. } => Ok(Input::code("123456")), // ask the user
                Prompt::RememberDevice { .. } => Ok(Input::RememberDevice(false)),
                other => Err(format!("cannot answer {}", other.kind()).into()),
            })
            .await
    })
    .await??;

    // The driver runs any flow, e.g. a refresh.
    let driver = Driver::new(ReqwestTransport::new()?, TokioSleep);
    let refresh_token = signed_in.tokens.refresh_token.clone().ok_or("no refresh token")?;
    let refresh = SignIn::refresh(&pool, &signed_in.username, refresh_token, entropy()?);
    let refreshed = driver.run(refresh, cognito_flows_async::no_prompt).await?;
    let left = refreshed.tokens.expires_at().duration_since(SystemTime::now())?;
    println!("refreshed: valid for {} more minutes", left.as_secs() / 60);
    Ok(())
}
