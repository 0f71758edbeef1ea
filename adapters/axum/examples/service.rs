//! An example service: `GET /me` answers the verified user's name and groups (a Bearer access
//! token of the pool's app client is required), `GET /health` needs none.
//!
//! ```text
//! POOL_ID=us-east-1_AbC123 CLIENT_ID=1example23456789 cargo run -p cognito-flows-axum --example service
//! ```
//!
//! `ENDPOINT` points the JWKS fetch at another endpoint (a VPC endpoint, the emulator); the
//! issuer stays `https://cognito-idp.{region}.amazonaws.com/{pool id}`. `PORT` is the port on
//! 127.0.0.1 (8080 by default).
#![allow(
    clippy::disallowed_methods,
    reason = "an example reads its environment"
)]

use std::sync::Arc;

use axum::routing::get;
use axum::{Extension, Json, Router};
use cognito_flows::UserPool;
use cognito_flows::verify::{Verifier, VerifyOptions};
use cognito_flows_axum::{BearerAuth, Verified};
use serde_json::{Value, json};

/// The routes: `/health` open, `/me` behind the layer.
pub fn app(auth: &BearerAuth) -> Router {
    let protected = Router::new().route("/me", get(me)).layer(auth.layer());
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(protected)
}

async fn me(Extension(Verified(claims)): Extension<Verified>) -> Json<Value> {
    Json(json!({
        "username": claims.username(),
        "groups": claims.groups(),
    }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool_id = std::env::var("POOL_ID")?;
    let client_id = std::env::var("CLIENT_ID")?;
    let mut pool = UserPool::new(&pool_id, &client_id)?;
    if let Ok(endpoint) = std::env::var("ENDPOINT") {
        pool = pool.with_endpoint(&endpoint)?;
    }
    let verifier = Verifier::builder()
        .pool(&pool, VerifyOptions::access_tokens([client_id]))
        .cache(10_000)
        .build();
    let auth = BearerAuth::new(Arc::new(verifier))?;
    let keys = auth.hydrate().await?;
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "{keys} keys; listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app(&auth)).await?;
    Ok(())
}
