//! What the driver adds to a flow's traffic: the `x-amz-user-agent` header on every request it
//! sends, and the time on every input (so the hosted UI's implicit tokens know when they
//! arrived). A recording transport, no network.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_flows::flows::account;
use cognito_flows::flows::hosted_ui::{HostedUi, ResponseType};
use cognito_flows::retry::RetryPolicy;
use cognito_flows::{Entropy, Input, Prompt, UserAgent, UserPool};
use cognito_flows_async::{Client, Driver, PromptError, no_prompt};

type Seen = RefCell<Vec<Option<String>>>;
type Answer = std::future::Ready<Result<http::Response<Vec<u8>>, std::io::Error>>;

fn recording(seen: &Seen) -> impl Fn(http::Request<Vec<u8>>) -> Answer + '_ {
    move |request| {
        let agent = request
            .headers()
            .get("x-amz-user-agent")
            .map(|v| v.to_str().unwrap().to_owned());
        seen.borrow_mut().push(agent);
        std::future::ready(Ok(http::Response::new(b"{}".to_vec())))
    }
}

fn no_sleep(_: std::time::Duration) -> std::future::Ready<()> {
    std::future::ready(())
}

#[test]
fn every_request_carries_the_user_agent() {
    let seen = Seen::default();
    let pool = UserPool::new("us-east-1_AbC123", "client").unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let plain = Driver::new(recording(&seen), no_sleep).with_retry_policy(RetryPolicy::none());
    futures::executor::block_on(plain.run(account::get_user(&pool, "t"), no_prompt)).unwrap();
    let client = Client::with_driver(
        pool.clone(),
        Driver::new(recording(&seen), no_sleep).with_retry_policy(RetryPolicy::none()),
    )
    .with_user_agent(UserAgent::default().append("my-app/2.1").unwrap());
    futures::executor::block_on(client.global_sign_out("t")).unwrap();
    assert_eq!(
        *seen.borrow(),
        [
            Some(format!("cognito-flows/{version}")),
            Some(format!("cognito-flows/{version} my-app/2.1")),
        ]
    );
}

fn jwt(claims: &serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
    format!("{header}.{payload}.c2ln")
}

#[test]
fn the_implicit_flow_driven_knows_when_its_tokens_arrived() {
    let seen = Seen::default();
    let driver = Driver::new(recording(&seen), no_sleep);
    let ui = HostedUi::new(
        "https://auth.example.com",
        "client",
        "https://app.example/cb",
    )
    .unwrap()
    .with_response_type(ResponseType::Token);
    let flow = ui.authorize(Entropy::from([1; 32]));
    let nonce = flow.nonce().to_owned();
    // Issued an hour ago by the server's clock.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let iat = now - 3600;
    let claims = serde_json::json!({"sub": "x", "iat": iat, "exp": iat + 7200, "nonce": nonce});
    let callback = |prompt: Prompt| {
        let Prompt::Authorize { url } = prompt else {
            panic!("{prompt:?}")
        };
        let state = url
            .split("state=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        let (access, id) = (jwt(&claims), jwt(&claims));
        std::future::ready(Ok::<_, PromptError>(Input::Callback(format!(
            "https://app.example/cb#access_token={access}&id_token={id}&expires_in=3600&state={state}"
        ))))
    };
    let tokens = futures::executor::block_on(driver.run(flow, callback)).unwrap();
    let received = u64::try_from(tokens.received_at).unwrap();
    assert!(
        received >= now && received < now + 60,
        "{received} vs {now}"
    );
    assert!(tokens.clock_drift >= 3600, "{}", tokens.clock_drift);
    assert!(seen.borrow().is_empty(), "the implicit flow sends nothing");
}
