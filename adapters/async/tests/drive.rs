//! The async driver on three executors (tokio's two runtimes, async-io's block_on with its own
//! timer, and futures' block_on with no runtime at all), against the emulator and moto, and its
//! retries against scripted faults.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::type_complexity
)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use cognito_flows::retry::RetryPolicy;
use cognito_flows::{Entropy, ErrorKind, Input, SignIn, UserPool};
use cognito_flows_async::{Client, DriveError, Driver, ReqwestTransport, TokioSleep, no_prompt};
use cognito_flows_testkit::emulator::{Fixture, Options};
use cognito_flows_testkit::{ClientOptions, Moto, PoolOptions, user_pool};

const PASSWORD: &str = "Passw0rd!";

/// An emulator whose app client has a secret, and alice.
fn alice() -> Fixture {
    Fixture::start(Options::default().secret().user("alice", PASSWORD, &[]))
}

/// A transport that is only an async closure over a blocking client: no runtime needed.
fn blocking_transport()
-> impl Fn(http::Request<Vec<u8>>) -> std::future::Ready<Result<http::Response<Vec<u8>>, ureq::Error>>
{
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    move |request| {
        std::future::ready((|| {
            let response = agent.run(request)?;
            let (parts, mut body) = response.into_parts();
            Ok(http::Response::from_parts(parts, body.read_to_vec()?))
        })())
    }
}

#[test]
fn runs_on_futures_block_on_without_a_runtime() {
    let w = alice();
    let pool = w.pool.clone();
    let driver = Driver::new(blocking_transport(), |_: Duration| std::future::ready(()));
    let out = futures::executor::block_on(driver.run(
        SignIn::user_srp(&pool, "alice", PASSWORD, Entropy::from([1; 32])),
        no_prompt,
    ))
    .unwrap();
    assert_eq!(out.username, "alice");
    let wrong = futures::executor::block_on(driver.run(
        SignIn::user_srp(&pool, "alice", "nope", Entropy::from([2; 32])),
        no_prompt,
    ))
    .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::NotAuthorized));
    assert!(
        wrong
            .to_string()
            .contains("NotAuthorizedException: Incorrect username or password."),
        "{wrong}"
    );
}

#[test]
fn sign_ins_spawned_on_a_multi_threaded_tokio_runtime() {
    let w = alice();
    let pool = w.pool.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // tokio::spawn takes only Send + 'static futures: the client's and the driver's are.
    let client = std::sync::Arc::new(Client::reqwest(pool.clone()).unwrap());
    let spawned: Vec<_> = (0..3)
        .map(|_| {
            let client = std::sync::Arc::clone(&client);
            runtime.spawn(async move { client.sign_in_srp("alice", PASSWORD, no_prompt).await })
        })
        .collect();
    let driver = Driver::new(ReqwestTransport::new().unwrap(), TokioSleep);
    let mut prompts = 0;
    let by_driver = runtime.spawn(async move {
        let flow = SignIn::user_srp(&pool, "alice", PASSWORD, Entropy::from([7; 32]));
        let out = driver
            .run(flow, |p| {
                prompts += 1;
                async move { Err(format!("unexpected {}", p.kind()).into()) }
            })
            .await;
        (out, prompts)
    });
    for handle in spawned {
        let out = runtime.block_on(handle).unwrap().unwrap();
        assert_eq!(out.username, "alice");
    }
    let (out, prompts) = runtime.block_on(by_driver).unwrap();
    assert_eq!(out.unwrap().username, "alice");
    assert_eq!(prompts, 0);
}

#[test]
fn runs_on_async_io_with_its_timer() {
    let w = alice();
    let pool = w.pool.clone();
    // The first answer is a throttling: the driver waits on async-io's timer, then resends.
    let calls = Rc::new(std::cell::Cell::new(0));
    let counted = Rc::clone(&calls);
    let inner = blocking_transport();
    let transport = move |request: http::Request<Vec<u8>>| {
        counted.set(counted.get() + 1);
        if counted.get() == 1 {
            let mut throttled = http::Response::new(Vec::new());
            *throttled.status_mut() = http::StatusCode::TOO_MANY_REQUESTS;
            std::future::ready(Ok(throttled))
        } else {
            inner(request)
        }
    };
    let waits = Rc::new(RefCell::new(Vec::new()));
    let recorded = Rc::clone(&waits);
    let sleep = move |d: Duration| {
        recorded.borrow_mut().push(d);
        async move {
            async_io::Timer::after(d).await;
        }
    };
    let client = Client::with_driver(pool, Driver::new(transport, sleep));
    let out = async_io::block_on(client.sign_in_srp("alice", PASSWORD, no_prompt)).unwrap();
    assert_eq!(out.username, "alice");
    // The throttled InitiateAuth, again, then the PASSWORD_VERIFIER answer.
    assert_eq!(calls.get(), 3);
    assert_eq!(waits.borrow().len(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn runs_on_tokio_with_reqwest_against_the_emulator() {
    let w = alice();
    let pool = w.pool.clone();
    let driver = Driver::new(ReqwestTransport::new().unwrap(), TokioSleep);
    let out = driver
        .run(
            SignIn::user_srp(&pool, "alice", PASSWORD, Entropy::from([3; 32])),
            no_prompt,
        )
        .await
        .unwrap();
    let refresh = out.tokens.refresh_token.clone().unwrap();
    let again = driver
        .run(
            SignIn::refresh(&pool, "alice", refresh, Entropy::from([4; 32])),
            no_prompt,
        )
        .await
        .unwrap();
    assert!(again.tokens.refresh_token.is_some());
}

#[tokio::test(flavor = "current_thread")]
async fn runs_on_tokio_with_reqwest_against_moto() {
    let moto = Moto::start();
    let p = moto.create_pool(PoolOptions::default());
    let client = moto.create_client(
        &p.id,
        ClientOptions {
            generate_secret: true,
            ..ClientOptions::default()
        },
    );
    moto.create_confirmed_user(&p.id, "bob", "Corr3ct-Horse!", &[]);
    let pool = user_pool(&p.id, &client.id, client.secret, &moto.endpoint());
    let driver = Driver::new(ReqwestTransport::new().unwrap(), TokioSleep);
    let out = driver
        .run(
            SignIn::user_srp(&pool, "bob", "Corr3ct-Horse!", Entropy::from([5; 32])),
            no_prompt,
        )
        .await
        .unwrap();
    assert_eq!(out.username, "bob");
    let wrong = driver
        .run(
            SignIn::user_password(&pool, "bob", "Wr0ng-Horse!", Entropy::from([6; 32])),
            no_prompt,
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.service_kind(), Some(&ErrorKind::NotAuthorized));
}

fn scripted(
    answers: Vec<(u16, &'static str)>,
) -> (
    impl Fn(http::Request<Vec<u8>>) -> std::future::Ready<Result<http::Response<Vec<u8>>, String>>,
    Rc<RefCell<Vec<String>>>,
) {
    let answers = Rc::new(RefCell::new(VecDeque::from(answers)));
    let sent = Rc::new(RefCell::new(Vec::new()));
    let log = Rc::clone(&sent);
    let transport = move |request: http::Request<Vec<u8>>| {
        let target = request.headers()["x-amz-target"]
            .to_str()
            .unwrap()
            .trim_start_matches("AWSCognitoIdentityProviderService.")
            .to_owned();
        log.borrow_mut().push(target);
        let (status, body) = answers.borrow_mut().pop_front().unwrap_or((500, "{}"));
        let mut response = http::Response::new(body.as_bytes().to_vec());
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
        std::future::ready(Ok(response))
    };
    (transport, sent)
}

const TOKENS: &str = r#"{"AuthenticationResult":{"AccessToken":"eyJhbGciOiJub25lIn0.eyJleHAiOjk5OTk5OTk5OTl9.","IdToken":"eyJhbGciOiJub25lIn0.eyJleHAiOjk5OTk5OTk5OTl9.","RefreshToken":"r"}}"#;
const CHALLENGE: &str =
    r#"{"ChallengeName":"SMS_MFA","Session":"s","ChallengeParameters":{"USERNAME":"a"}}"#;

#[test]
fn retries_follow_the_rules() {
    let pool = UserPool::new("us-east-1_Faults", "client").unwrap();
    let delays = Rc::new(RefCell::new(Vec::new()));
    let recorded = Rc::clone(&delays);
    // Record each wait, and let it pass: the driver reads the clock after it.
    let sleep = move |d: Duration| {
        recorded.borrow_mut().push(d);
        std::thread::sleep(d);
        std::future::ready(())
    };
    // InitiateAuth: 503 then throttled then tokens.
    let (transport, sent) = scripted(vec![
        (503, "<html>"),
        (400, r#"{"__type":"TooManyRequestsException"}"#),
        (200, TOKENS),
    ]);
    let driver = Driver::new(transport, sleep.clone()).with_jitter_seed(Entropy::from([9; 32]));
    futures::executor::block_on(driver.run(
        SignIn::user_password(&pool, "a", "pw", Entropy::from([1; 32])),
        no_prompt,
    ))
    .unwrap();
    assert_eq!(sent.borrow().len(), 3);
    // Full jitter: each wait is at most the backoff of its attempt (100 ms, then 200 ms).
    let waited = delays.borrow().clone();
    assert_eq!(waited.len(), 2);
    assert!(waited[0] <= Duration::from_millis(100), "{waited:?}");
    assert!(waited[1] <= Duration::from_millis(200), "{waited:?}");

    // A challenge answer met with a 5xx is sent once.
    let (transport, sent) = scripted(vec![(200, CHALLENGE), (503, "down"), (200, TOKENS)]);
    let driver = Driver::new(transport, sleep.clone());
    let out = futures::executor::block_on(driver.run(
        SignIn::user_password(&pool, "a", "pw", Entropy::from([1; 32])),
        async |_| Ok(Input::code("123456")),
    ));
    assert!(matches!(out, Err(DriveError::Auth(_))), "{out:?}");
    assert_eq!(*sent.borrow(), ["InitiateAuth", "RespondToAuthChallenge"]);

    // The limit holds.
    let (transport, sent) = scripted(vec![(503, ""), (503, ""), (503, ""), (200, TOKENS)]);
    let driver = Driver::new(transport, sleep).with_retry_policy(RetryPolicy {
        max_attempts: 2,
        ..RetryPolicy::default()
    });
    assert!(
        futures::executor::block_on(driver.run(
            SignIn::user_password(&pool, "a", "pw", Entropy::from([1; 32])),
            no_prompt
        ))
        .is_err()
    );
    assert_eq!(sent.borrow().len(), 2);
}
