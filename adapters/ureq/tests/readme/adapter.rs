use cognito_flows::{Input, Prompt, UserPool};
use cognito_flows_ureq::{Client, no_prompt};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = UserPool::new(
        &std::env::var("COGNITO_USER_POOL_ID")?,
        std::env::var("COGNITO_CLIENT_ID")?,
    )?;
    if let Ok(endpoint) = std::env::var("COGNITO_ENDPOINT") {
        pool = pool.with_endpoint(&endpoint)?; // the emulator
    }
    let client = Client::new(pool);
    let password = std::env::var("COGNITO_PASSWORD")?;
    let signed_in = client.sign_in_srp("alice", password, |prompt| match prompt {
        Prompt::RememberDevice { .. } => Ok(Input::RememberDevice(false)),
        other => no_prompt(other),
    })?;
    let user = client.get_user(&signed_in.tokens.access_token)?;
    println!("{} has {} attributes", signed_in.username, user.user_attributes.len());
    Ok(())
}
