use std::path::Path;
use std::time::SystemTime;

use cognito_flows::{Input, Prompt, StoredSession, UserPool};
use cognito_flows_ureq::{Client, no_prompt, save_session};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = UserPool::new(
        &std::env::var("COGNITO_USER_POOL_ID")?,
        std::env::var("COGNITO_CLIENT_ID")?,
    )?;
    if let Ok(endpoint) = std::env::var("COGNITO_ENDPOINT") {
        pool = pool.with_endpoint(&endpoint)?; // the emulator
    }
    let client = Client::new(pool);
    let path = Path::new("session.json");
    if !path.exists() {
        let password = std::env::var("COGNITO_PASSWORD")?;
        let signed_in = client.sign_in_srp("alice", password, |prompt| match prompt {
            Prompt::RememberDevice { .. } => Ok(Input::RememberDevice(true)), // kept in the file
            other => no_prompt(other),
        })?;
        save_session(path, &StoredSession::from(signed_in))?;
    }
    let session = client.saved_session(path)?; // valid tokens, refreshed if they had expired
    let user = client.get_user(&session.tokens.access_token)?;
    let left = session.tokens.expires_at().duration_since(SystemTime::now())?;
    println!("{} is signed in for {} more minutes", user.username, left.as_secs() / 60);
    if std::env::args().any(|a| a == "--sign-out") {
        client.sign_out_saved(path)?; // RevokeToken, then the file is gone
    }
    Ok(())
}
