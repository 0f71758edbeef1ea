use cognito_flows::{ClientCredentials, TokenCache, UserPool};
use cognito_flows_ureq::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool_id = std::env::var("COGNITO_USER_POOL_ID")?;
    let client_id = std::env::var("ORDERS_CLIENT_ID")?; // the service's own app client
    // The secret from the environment or a secret store: never a command-line argument.
    let secret = std::env::var("ORDERS_CLIENT_SECRET")?;
    // The pool's domain (https://PREFIX.auth.REGION.amazoncognito.com), else the emulator's.
    let domain = std::env::var("COGNITO_HOSTED_UI_DOMAIN")
        .or_else(|_| std::env::var("COGNITO_ENDPOINT"))?;
    let credentials = ClientCredentials::new(&domain, &client_id, secret)?
        .with_scopes(["orders/read"]); // none: every scope the app client is allowed
    let client = Client::new(UserPool::new(&pool_id, &client_id)?);
    let mut cache = TokenCache::new();
    for _ in 0..3 {
        // The first call fetches the token; the next ones answer it from the cache.
        let token = client.machine_token(&credentials, &mut cache)?;
        println!("Authorization: Bearer ... for {:?}", token.scopes);
    }
    Ok(())
}
