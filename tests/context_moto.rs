//! The metadata trio against moto's Cognito server (on 127.0.0.1, started and stopped by the
//! test): every operation moto implements takes the requests that carry it. (moto has no
//! ResendConfirmationCode, RevokeToken or UpdateAuthEventFeedback, and no sign-up sessions: the
//! emulator's tests in adapters/ureq/tests/api_calls.rs cover those.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::disallowed_methods, reason = "moto runs on the real clock")]

mod common;

use cognito_flows::flows::account::{self, Confirmation, NewUser};
use cognito_flows::wire::{AnalyticsMetadata, AttributeType, Context, UserContextData};
use cognito_flows::{Flow, SignIn, UserPool};
use cognito_flows_testkit::{ClientOptions, Moto, PoolOptions};
use common::live::{agent, drive, entropy, no_prompt};

const PASSWORD: &str = "Corr3ct-Horse!";

fn run<F: Flow>(agent: &ureq::Agent, flow: F) -> Result<F::Output, cognito_flows::Error> {
    drive(agent, flow, no_prompt).0
}

#[test]
fn moto_takes_the_metadata_trio_on_every_call_that_carries_it() {
    let moto = Moto::start();
    let created = moto.create_pool(PoolOptions::default());
    let client = moto.create_client(
        &created.id,
        ClientOptions {
            generate_secret: true,
            ..ClientOptions::default()
        },
    );
    let pool = UserPool::new(&created.id, client.id.clone())
        .unwrap()
        .with_endpoint(&moto.endpoint())
        .unwrap()
        .with_client_secret(client.secret.unwrap().as_str());
    let context = Context {
        client_metadata: Some([("app".to_owned(), "web".to_owned())].into()),
        analytics_metadata: Some(AnalyticsMetadata {
            analytics_endpoint_id: Some("endpoint-1".into()),
        }),
        user_context_data: Some(UserContextData {
            ip_address: Some("192.0.2.1".into()),
            encoded_data: Some("fingerprint".into()),
        }),
    };
    let agent = agent();
    let user = NewUser::new("alice", PASSWORD).attribute("email", "alice@example.com");
    let signed_up = run(
        &agent,
        account::sign_up(&pool, &user).with_context(&context),
    )
    .unwrap();
    assert!(!signed_up.user_confirmed);
    run(
        &agent,
        account::confirm_registration(&pool, &Confirmation::new("alice", "123456"))
            .with_context(&context),
    )
    .unwrap();
    let signed_in = run(
        &agent,
        SignIn::builder(&pool)
            .with_context(context.clone())
            .user_srp("alice", PASSWORD, entropy()),
    )
    .unwrap();
    let access = &signed_in.tokens.access_token;
    run(
        &agent,
        account::update_user_attributes(&pool, access, vec![AttributeType::new("name", "Alice")])
            .with_context(&context),
    )
    .unwrap();
    let user = run(
        &agent,
        account::get_user(&pool, access).with_context(&context),
    )
    .unwrap();
    assert_eq!(user.attribute("name"), Some("Alice"));
}
