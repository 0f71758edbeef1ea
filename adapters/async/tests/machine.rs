//! The async client's machine-to-machine token on tokio and reqwest, against the emulator: the
//! client-credentials grant with body authentication, and a client without the flow refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cognito_flows::flows::client_credentials::{ClientAuth, ClientCredentials};
use cognito_flows::flows::hosted_ui::{OAuthError, OAuthErrorCode};
use cognito_flows::{Error, TokenCache};
use cognito_flows_async::{Client, DriveError};
use cognito_flows_testkit::emulator::{Fixture, Options};

#[tokio::test(flavor = "current_thread")]
async fn a_service_gets_a_machine_token() {
    let w = Fixture::start(Options::default().secret());
    let credentials = w
        .machine_client("reports", &["read"])
        .with_auth(ClientAuth::Body);
    let client = Client::reqwest(w.pool.clone()).unwrap();
    let token = client.client_credentials(&credentials).await.unwrap();
    assert_eq!(token.scopes, ["reports/read"]);
    assert_eq!(token.access_token.claims().str("token_use"), Some("access"));
    let mut cache = TokenCache::new();
    let cached = client
        .machine_token(&credentials, &mut cache)
        .await
        .unwrap();
    let again = client
        .machine_token(&credentials, &mut cache)
        .await
        .unwrap();
    assert_eq!(cached, again);

    // The fixture's own app client has a secret but not the flow.
    let user_client = ClientCredentials::new(
        w.endpoint(),
        w.client_id.clone(),
        w.client_secret.clone().unwrap(),
    )
    .unwrap();
    let error = client.client_credentials(&user_client).await.unwrap_err();
    let DriveError::Auth(Error::OAuth(OAuthError { code, .. })) = error else {
        panic!("not an OAuth error: {error:?}")
    };
    assert_eq!(code, OAuthErrorCode::UnauthorizedClient);
}
