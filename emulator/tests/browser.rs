//! The hosted UI's login page in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `scripts/setup-peers.sh`) driven over WebDriver by
//! fantoccini, with the library's `HostedUi` flow and PKCE end to end: the login page; its other
//! steps (NEW_PASSWORD_REQUIRED, forgot password, EMAIL_OTP, sign-up with the terms accepted, the
//! client's branding); a passkey sign-in with a virtual authenticator (chromedriver's WebAuthn
//! extension commands); and a federated sign-in through an OIDC provider (a second pool of the
//! same emulator).
//!
//! Without Chromium the test fails, unless `COGNITO_EMULATOR_SKIP_BROWSER=1` allows it to skip
//! (loudly). `COGNITO_EMULATOR_SCREENSHOT=path.png` saves the sign-in page (that is how
//! `emulator/docs/login-page.png` was taken); `SCREENSHOTS=1` saves each step's page in
//! `emulator/docs/login-page/` (see its README). The whole test is bounded by a deadline, and the
//! chromedriver it starts (with its Chromium) is stopped however it ends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cognito_flows::flows::hosted_ui::{HostedUi, OAuthErrorCode};
use cognito_flows::{Action, Entropy, Error, Flow, Input, Prompt};
use cognito_flows_emulator::{ClientConfig, ClientSettings, Emulator, Mfa};
use cognito_flows_testkit::emulator::{Fixture, Options};
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use common::{agent, send};

const PASSWORD: &str = "Passw0rd!";
/// The whole browser session's deadline.
const DEADLINE: Duration = Duration::from_secs(120);

/// The first of `candidates` that exists, or one found on `PATH`.
fn find(env: &str, candidates: &[&str], on_path: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    candidates
        .iter()
        .map(PathBuf::from)
        .chain(
            std::env::var_os("PATH")
                .map(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join(on_path))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        )
        .find(|p| p.is_file())
}

/// chromedriver in a process group of its own: dropping it kills the group (the driver and every
/// Chromium process it started) and reaps the driver.
struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The app's side: a callback page on 127.0.0.1 that answers every request with 200, so the
/// browser has somewhere to land. Stops with the test's runtime.
async fn app_server() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let body = "<!DOCTYPE html><title>App</title><p id=\"app\">Back in the app.</p>";
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    port
}

/// Waits (bounded) until the element `css` of the page shows text containing `expected`, and
/// returns that text. A form post navigates: until the next page has loaded, the element may be
/// missing, stale or still the previous page's.
async fn text_of(client: &Client, css: &str, expected: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if text.contains(expected) {
                return text;
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{css} never showed {expected:?} (last: {last:?}) on {}",
        client.source().await.unwrap_or_default()
    )
}

async fn fill(client: &Client, css: &str, text: &str) {
    let field = client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits (bounded) until the browser is at a URL starting with `prefix`.
async fn wait_for_url(client: &Client, prefix: &str) -> String {
    for _ in 0..100 {
        let url = client.current_url().await.unwrap().to_string();
        if url.starts_with(prefix) {
            return url;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the browser never reached {prefix}: at {}",
        client.current_url().await.unwrap()
    );
}

/// Runs `flow` to its end, sending its requests with ureq.
fn exchange<F: Flow>(e: &Emulator, flow: &mut F, callback: String) -> Result<F::Output, Error>
where
    F::Output: std::fmt::Debug,
{
    flow.handle_input(Input::Callback(callback))?;
    loop {
        match flow.poll_action() {
            Action::Send(request) => flow.handle_response(e.now(), send(&agent(), request))?,
            Action::Done(out) => return Ok(out),
            Action::Failed(err) => return Err(err),
            other => panic!("{other:?}"),
        }
    }
}

fn authorize_url<F: Flow>(flow: &F) -> String
where
    F::Output: std::fmt::Debug,
{
    let Action::Prompt(Prompt::Authorize { url }) = flow.poll_action() else {
        panic!("{:?}", flow.poll_action())
    };
    url
}

#[test]
fn hosted_ui_login_page_in_headless_chromium() {
    in_chromium(|chromium, port| async move { run(&chromium, port).await });
}

#[test]
fn login_page_steps_in_headless_chromium() {
    in_chromium(|chromium, port| async move { run_steps(&chromium, port).await });
}

#[test]
fn passkey_sign_in_in_headless_chromium() {
    in_chromium(|chromium, port| async move { run_passkey(&chromium, port).await });
}

#[test]
fn federated_sign_in_in_headless_chromium() {
    in_chromium(|chromium, port| async move { run_federated(&chromium, port).await });
}

/// Starts chromedriver and runs `body` with Chromium's path and the driver's port, within the
/// deadline; skips (loudly) without Chromium only when `COGNITO_EMULATOR_SKIP_BROWSER=1`.
fn in_chromium<F, Fut>(body: F)
where
    F: FnOnce(PathBuf, u16) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let chromium = find(
        "CHROMIUM",
        &["/usr/lib/chromium/chromium", "/usr/bin/chromium"],
        "chromium",
    );
    let chromedriver = find("CHROMEDRIVER", &["/usr/bin/chromedriver"], "chromedriver");
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        if std::env::var("COGNITO_EMULATOR_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!(
                "\n\n!!!!!!!! SKIPPED: the hosted-UI browser test found no chromium/chromedriver \
                 (COGNITO_EMULATOR_SKIP_BROWSER=1). Install them with scripts/setup-peers.sh. !!!!!!!!\n\n"
            );
            return;
        }
        panic!(
            "chromium and chromedriver are needed (apt-get install chromium chromium-driver, as \
             scripts/setup-peers.sh does); set COGNITO_EMULATOR_SKIP_BROWSER=1 to skip"
        );
    };
    let port = free_port();
    let mut command = Command::new(&chromedriver);
    command
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let _driver = Driver {
        child: command.spawn().expect("chromedriver starts"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let outcome =
        runtime.block_on(async { tokio::time::timeout(DEADLINE, body(chromium, port)).await });
    runtime.shutdown_timeout(Duration::from_secs(1));
    outcome.expect("the browser test ran past its deadline");
}

async fn connect(chromium: &Path, port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-extensions", "--window-size=520,720"],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        let attempt = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await;
        match attempt {
            Ok(client) => return client,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("chromedriver did not accept a session on port {port}");
}

async fn run(chromium: &Path, driver_port: u16) {
    let app = app_server().await;
    let callback = format!("http://127.0.0.1:{app}/callback");
    let signed_out = format!("http://127.0.0.1:{app}/signed-out");
    let w = Fixture::start(
        Options::default()
            .mfa(Mfa::Optional)
            .client(ClientConfig {
                callback_urls: vec![callback.clone()],
                settings: ClientSettings {
                    logout_urls: vec![signed_out.clone()],
                    ..ClientSettings::default()
                },
                ..ClientConfig::default()
            })
            .user("lee", PASSWORD, &[("email", "lee@example.com")])
            .user("sam", PASSWORD, &[("phone_number", "+15555550100")]),
    );
    let (e, pool_id, client_id) = (&w.emulator, &w.pool_id, &w.client_id);
    e.admin_enable_sms_mfa(pool_id, "sam").unwrap();
    let ui = HostedUi::new(e.endpoint(), client_id.clone(), &callback)
        .unwrap()
        .with_scopes(["openid", "email"]);

    let browser = connect(chromium, driver_port).await;

    // 1. The library's authorize URL shows the sign-in form; a wrong password shows an error.
    let mut flow = ui.authorize(Entropy::from([1; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "Sign in - Cognito emulator");
    fill(&browser, "#username", "lee").await;
    if let Some(path) = std::env::var_os("COGNITO_EMULATOR_SCREENSHOT") {
        std::fs::write(path, browser.screenshot().await.unwrap()).unwrap();
    }
    fill(&browser, "#password", "not-the-password").await;
    click(&browser, "#signin").await;
    assert_eq!(
        text_of(&browser, "#error", "Incorrect").await,
        "Incorrect username or password."
    );

    // 2. The right password: the browser lands on the callback, the library exchanges the code
    //    with its PKCE verifier.
    fill(&browser, "#password", PASSWORD).await;
    click(&browser, "#signin").await;
    let landed = wait_for_url(&browser, &format!("{callback}?code=")).await;
    let tokens = exchange(e, &mut flow, landed).unwrap();
    let id = tokens.id_token.clone().unwrap();
    assert_eq!(id.claims().str("email"), Some("lee@example.com"));
    assert_eq!(id.claims().str("nonce"), Some(flow.nonce()));
    let mut info = ui.user_info(&tokens.access_token);
    let Action::Send(request) = info.poll_action() else {
        panic!()
    };
    info.handle_response(e.now(), send(&agent(), request))
        .unwrap();
    let Action::Done(claims) = info.poll_action() else {
        panic!("{:?}", info.poll_action())
    };
    assert_eq!(claims["username"], "lee");

    // 3. A stolen code: the browser is still signed in, so authorize redirects at once; a thief
    //    who has the code but not the verifier (another flow's state and verifier) is refused.
    let victim = ui.authorize(Entropy::from([2; 32]));
    browser.goto(&authorize_url(&victim)).await.unwrap();
    let landed = wait_for_url(&browser, &format!("{callback}?code=")).await;
    let stolen = url::Url::parse(&landed)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let mut thief = ui.authorize(Entropy::from([3; 32]));
    let thief_state = url::Url::parse(&authorize_url(&thief))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let forged = format!(
        "{callback}?code={stolen}&state={}",
        url::form_urlencoded::byte_serialize(thief_state.as_bytes()).collect::<String>()
    );
    let err = exchange(e, &mut thief, forged).unwrap_err();
    assert!(
        matches!(err, Error::OAuth(ref o) if o.code == OAuthErrorCode::InvalidGrant),
        "{err:?}"
    );

    // 4. Sign out through the library's logout URL: back to the registered sign-out page, and
    //    the next authorize shows the form again.
    browser.goto(&ui.logout_url(&signed_out)).await.unwrap();
    wait_for_url(&browser, &signed_out).await;
    let mut flow = ui.authorize(Entropy::from([4; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "Sign in - Cognito emulator");

    // 5. SMS MFA: the code from the outbox, typed into the page.
    fill(&browser, "#username", "sam").await;
    fill(&browser, "#password", PASSWORD).await;
    click(&browser, "#signin").await;
    text_of(&browser, "main", "We texted a code to +*******0100.").await;
    let code = e.last_code("sam").unwrap();
    fill(&browser, "#code", &code).await;
    click(&browser, "#verify").await;
    let landed = wait_for_url(&browser, &format!("{callback}?code=")).await;
    let tokens = exchange(e, &mut flow, landed).unwrap();
    assert_eq!(
        tokens.id_token.unwrap().claims().str("cognito:username"),
        Some("sam")
    );

    // 6. An unregistered redirect_uri: an error page, and the browser stays on the emulator.
    let evil = format!("http://127.0.0.1:{app}/evil");
    let rogue = HostedUi::new(e.endpoint(), client_id.clone(), &evil).unwrap();
    let rogue_flow = rogue.authorize(Entropy::from([5; 32]));
    browser.goto(&authorize_url(&rogue_flow)).await.unwrap();
    text_of(&browser, "#error", "redirect_mismatch").await;
    let at = browser.current_url().await.unwrap().to_string();
    assert!(at.starts_with(e.endpoint()), "{at}");

    browser.close().await.unwrap();
}

/// Federation in the browser: the app pool's login page offers the OIDC provider (a second pool
/// of the same emulator); its link goes to the provider's own sign-in page, and back through
/// `/oauth2/idpresponse` to the app with a code the library exchanges with PKCE. The first time
/// makes the federated user, the second (straight to the provider, `with_identity_provider`)
/// finds it.
async fn run_federated(chromium: &Path, driver_port: u16) {
    use common::ok;
    use serde_json::json;

    let app = app_server().await;
    let callback = format!("http://127.0.0.1:{app}/callback");
    let e = Emulator::start(cognito_flows_emulator::EmulatorConfig::default()).unwrap();
    let base = e.endpoint().trim_end_matches('/').to_owned();
    let upstream = ok(&e, "CreateUserPool", json!({"PoolName": "upstream"}))["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let oauth = |pool: &str, name: &str, callback: &str, providers: &[&str], secret: bool| {
        ok(
            &e,
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": name, "GenerateSecret": secret,
                   "CallbackURLs": [callback], "AllowedOAuthFlows": ["code"],
                   "AllowedOAuthScopes": ["openid", "email"],
                   "AllowedOAuthFlowsUserPoolClient": true,
                   "SupportedIdentityProviders": providers}),
        )["UserPoolClient"]
            .clone()
    };
    let idp = oauth(
        &upstream,
        "idp",
        &format!("{base}/oauth2/idpresponse"),
        &["COGNITO"],
        true,
    );
    let idp_client = idp["ClientId"].as_str().unwrap().to_owned();
    ok(
        &e,
        "AdminCreateUser",
        json!({"UserPoolId": upstream, "Username": "bob", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
    );
    ok(
        &e,
        "AdminSetUserPassword",
        json!({"UserPoolId": upstream, "Username": "bob", "Password": PASSWORD, "Permanent": true}),
    );
    let pool = ok(&e, "CreateUserPool", json!({"PoolName": "app"}))["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let region = upstream.split('_').next().unwrap();
    ok(
        &e,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Upstream", "ProviderType": "OIDC",
               "ProviderDetails": {
                   "client_id": idp_client, "client_secret": idp["ClientSecret"],
                   "authorize_scopes": "openid email", "attributes_request_method": "GET",
                   "oidc_issuer": format!("https://cognito-idp.{region}.amazonaws.com/{upstream}"),
                   "authorize_url": format!("{base}/oauth2/authorize"),
                   "token_url": format!("{base}/oauth2/token"),
                   "jwks_uri": format!("{base}/{upstream}/.well-known/jwks.json")},
               "AttributeMapping": {"email": "email"}}),
    );
    let web = oauth(&pool, "web", &callback, &["COGNITO", "Upstream"], false);
    let web = web["ClientId"].as_str().unwrap().to_owned();
    let ui = HostedUi::new(e.endpoint(), web.clone(), &callback)
        .unwrap()
        .with_scopes(["openid", "email"]);
    let at_provider = format!("{base}/oauth2/authorize?client_id={idp_client}");

    let browser = connect(chromium, driver_port).await;

    // 1. The login page's link to the provider, the provider's own sign-in page, back to the app.
    let mut flow = ui.authorize(Entropy::from([7; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    text_of(&browser, "a.provider", "Sign in with Upstream").await;
    click(&browser, "a.provider").await;
    wait_for_url(&browser, &at_provider).await;
    fill(&browser, "#username", "bob").await;
    fill(&browser, "#password", PASSWORD).await;
    click(&browser, "#signin").await;
    let landed = wait_for_url(&browser, &format!("{callback}?code=")).await;
    let tokens = exchange(&e, &mut flow, landed).unwrap();
    let id = tokens.id_token.clone().unwrap();
    let username = id.claims().str("cognito:username").unwrap().to_owned();
    assert!(username.starts_with("Upstream_"), "{username}");
    assert_eq!(id.claims().str("email"), Some("bob@example.com"));
    assert_eq!(id.claims().str("nonce"), Some(flow.nonce()));
    let sub = id.claims().str("sub").unwrap().to_owned();

    // 2. Straight to the provider (`identity_provider=`): the same federated user.
    let direct = HostedUi::new(e.endpoint(), web, &callback)
        .unwrap()
        .with_scopes(["openid", "email"])
        .with_identity_provider("Upstream");
    let mut flow = direct.authorize(Entropy::from([8; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    wait_for_url(&browser, &at_provider).await;
    fill(&browser, "#username", "bob").await;
    fill(&browser, "#password", PASSWORD).await;
    click(&browser, "#signin").await;
    let landed = wait_for_url(&browser, &format!("{callback}?code=")).await;
    let tokens = exchange(&e, &mut flow, landed).unwrap();
    let id = tokens.id_token.unwrap();
    assert_eq!(id.claims().str("cognito:username"), Some(username.as_str()));
    assert_eq!(id.claims().str("sub"), Some(sub.as_str()));
    let users = ok(&e, "ListUsers", json!({"UserPoolId": pool}));
    assert_eq!(users["Users"].as_array().unwrap().len(), 1);

    browser.close().await.unwrap();
}

/// With `SCREENSHOTS=1`, saves what the browser shows as `emulator/docs/login-page/{name}.png`
/// (so that CI, without it, never rewrites them).
async fn screenshot(client: &Client, name: &str) {
    if std::env::var("SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/login-page");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{name}.png")),
        client.screenshot().await.unwrap(),
    )
    .unwrap();
}

/// Lands on the callback, exchanges the code with the flow's PKCE verifier, and checks whose id
/// token it is; then forgets the browser's cookies (the emulator's and the app's share the host).
async fn signed_in_as<F>(browser: &Client, e: &Emulator, callback: &str, flow: &mut F, user: &str)
where
    F: Flow<Output = cognito_flows::Tokens>,
{
    let landed = wait_for_url(browser, &format!("{callback}?code=")).await;
    let tokens = exchange(e, flow, landed).unwrap();
    let id = tokens.id_token.unwrap();
    assert_eq!(id.claims().str("cognito:username"), Some(user));
    browser.delete_all_cookies().await.unwrap();
}

/// The login page's other steps in Chromium, each through the library's `HostedUi` PKCE flow to
/// tokens: NEW_PASSWORD_REQUIRED, forgot password, EMAIL_OTP, and sign-up with the terms
/// accepted; then the page in the client's managed login branding (its logo loads, its button
/// colour applies). With `SCREENSHOTS=1`, a screenshot of each page.
async fn run_steps(chromium: &Path, driver_port: u16) {
    use common::ok;
    use serde_json::json;

    let app = app_server().await;
    let callback = format!("http://127.0.0.1:{app}/callback");
    let w = Fixture::start(
        Options::default()
            .client(ClientConfig {
                callback_urls: vec![callback.clone()],
                ..ClientConfig::default()
            })
            .user(
                "lee",
                PASSWORD,
                &[("email", "lee@example.com"), ("email_verified", "true")],
            )
            .user(
                "eve",
                PASSWORD,
                &[("email", "eve@example.com"), ("email_verified", "true")],
            ),
    );
    let (e, pool_id, client_id) = (&w.emulator, &w.pool_id, &w.client_id);
    ok(
        e,
        "UpdateUserPool",
        json!({"UserPoolId": pool_id, "AutoVerifiedAttributes": ["email"],
               "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}}),
    );
    ok(
        e,
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "newbie", "TemporaryPassword": "Temp0rary!",
               "MessageAction": "SUPPRESS"}),
    );
    for (name, url) in [
        ("terms-of-use", "https://example.com/terms"),
        ("privacy-policy", "https://example.com/privacy"),
    ] {
        ok(
            e,
            "CreateTerms",
            json!({"UserPoolId": pool_id, "ClientId": client_id, "TermsName": name,
                   "TermsSource": "LINK", "Enforcement": "NONE", "Links": {"cognito:default": url}}),
        );
    }
    let ui = HostedUi::new(e.endpoint(), client_id.clone(), &callback)
        .unwrap()
        .with_scopes(["openid", "email"]);
    let browser = connect(chromium, driver_port).await;

    // 1. NEW_PASSWORD_REQUIRED: the temporary password, then a new one (a weak one refused).
    let mut flow = ui.authorize(Entropy::from([11; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    text_of(&browser, "#email-otp", "Sign in with a code by email").await;
    screenshot(&browser, "sign-in").await;
    fill(&browser, "#username", "newbie").await;
    fill(&browser, "#password", "Temp0rary!").await;
    click(&browser, "#signin").await;
    text_of(&browser, "h1", "Choose a new password").await;
    screenshot(&browser, "new-password").await;
    fill(&browser, "#password", "weakpass").await;
    fill(&browser, "#confirm_password", "weakpass").await;
    click(&browser, "#change-password").await;
    text_of(&browser, "#error", "Password did not conform with policy").await;
    fill(&browser, "#password", "N3wPassw0rd!").await;
    fill(&browser, "#confirm_password", "N3wPassw0rd!").await;
    click(&browser, "#change-password").await;
    signed_in_as(&browser, e, &callback, &mut flow, "newbie").await;

    // 2. Forgot password: the link, the user name, the code from the outbox, a new password,
    //    then the sign-in page with its banner and the new password.
    let mut flow = ui.authorize(Entropy::from([12; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    click(&browser, "#forgot-password").await;
    text_of(&browser, "h1", "Forgot your password?").await;
    fill(&browser, "#username", "lee").await;
    screenshot(&browser, "forgot-password").await;
    click(&browser, "#send-code").await;
    text_of(&browser, "#notice", "We sent a code to l***@e***").await;
    screenshot(&browser, "reset-password").await;
    let code = e.last_code("lee").unwrap();
    fill(&browser, "#code", &code).await;
    fill(&browser, "#password", "Ch4nged-Passw0rd").await;
    fill(&browser, "#confirm_password", "Ch4nged-Passw0rd").await;
    click(&browser, "#reset-password").await;
    text_of(&browser, "#notice", "Your password has been reset").await;
    fill(&browser, "#password", "Ch4nged-Passw0rd").await;
    click(&browser, "#signin").await;
    signed_in_as(&browser, e, &callback, &mut flow, "lee").await;

    // 3. EMAIL_OTP: no password, the code from the outbox, no MFA after it.
    let mut flow = ui.authorize(Entropy::from([13; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    fill(&browser, "#username", "eve").await;
    click(&browser, "#email-otp").await;
    text_of(&browser, "main", "We emailed a code to e***@e***.").await;
    screenshot(&browser, "email-otp").await;
    let message = e.outbox().last().cloned().unwrap();
    assert_eq!(message.purpose, "EMAIL_OTP");
    fill(&browser, "#code", &message.code).await;
    click(&browser, "#verify").await;
    signed_in_as(&browser, e, &callback, &mut flow, "eve").await;

    // 4. Sign-up with the terms accepted, the confirmation code, then the sign-in.
    let mut flow = ui.authorize(Entropy::from([14; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    click(&browser, "#signup-link").await;
    text_of(&browser, "h1", "Sign up").await;
    fill(&browser, "#username", "tia").await;
    fill(&browser, "#email", "tia@example.com").await;
    fill(&browser, "#password", PASSWORD).await;
    click(&browser, "#accept-terms").await;
    screenshot(&browser, "sign-up-terms").await;
    click(&browser, "#signup").await;
    text_of(&browser, "h1", "Confirm your account").await;
    let code = e.last_code("tia").unwrap();
    fill(&browser, "#code", &code).await;
    click(&browser, "#confirm").await;
    text_of(&browser, "#notice", "Your account is confirmed").await;
    fill(&browser, "#password", PASSWORD).await;
    click(&browser, "#signin").await;
    signed_in_as(&browser, e, &callback, &mut flow, "tia").await;

    // 5. The client's managed login branding: its logo and its button colour on the page.
    ok(
        e,
        "CreateManagedLoginBranding",
        json!({"UserPoolId": pool_id, "ClientId": client_id,
               "Settings": {"components": {
                   "primaryButton": {"lightMode": {"defaults": {"backgroundColor": "0972d3ff"}}},
                   "pageBackground": {"lightMode": {"color": "e8f1fbff"}}}},
               "Assets": [{"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG",
                           "Bytes": LOGO}]}),
    );
    let flow = ui.authorize(Entropy::from([15; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    text_of(&browser, "h1", "Sign in").await;
    // The logo loaded (the page's policy allows its data: image): its natural width.
    let width = browser
        .execute(
            "return document.querySelector('img.logo-customizable').naturalWidth",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(width, json!(32));
    let button = browser.find(Locator::Css("#signin")).await.unwrap();
    assert_eq!(
        button.css_value("background-color").await.unwrap(),
        "rgba(9, 114, 211, 1)"
    );
    screenshot(&browser, "branded").await;

    browser.close().await.unwrap();
}

/// A 32x32 PNG logo (a blue disc), base64.
const LOGO: &str = "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAIAAAD8GO2jAAAAb0lEQVR42mP4T2PAQKoGzqLLVLYAaCJ+RL4FBI0mxhoGyo3Gbw0DFU3HagcDdU3HtIOB6qaj2UFHC6hoOrId9LKA6qbD7Ri1YHBYQCPTIWg0DkaOBUO/sBsWFQ496mR6tCro0S6iR8uOTm1TqrSuAUgISr+R7fzLAAAAAElFTkSuQmCC";

/// The W3C WebAuthn extension command of WebDriver that chromedriver serves (Chrome DevTools'
/// WebAuthn domain underneath): a virtual CTAP2 platform authenticator that holds resident keys
/// and verifies its user.
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl fantoccini::wd::WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/webauthn/authenticator",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": true,
            "hasUserVerification": true, "isUserVerified": true,
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// `navigator.credentials.create` run in the page with Cognito's creation options (the first
/// argument, JSON), answering the `RegistrationResponseJSON` CompleteWebAuthnRegistration takes.
const CREATE_PASSKEY: &str = "var done=arguments[arguments.length-1];var o=JSON.parse(arguments[0]);\
function enc(b){var a=new Uint8Array(b),s='';for(var i=0;i<a.length;i++)s+=String.fromCharCode(a[i]);\
return btoa(s).replace(/\\+/g,'-').replace(/\\//g,'_').replace(/=+$/,'');}\
function dec(t){t=t.replace(/-/g,'+').replace(/_/g,'/');while(t.length%4)t+='=';var s=atob(t),\
a=new Uint8Array(s.length);for(var i=0;i<s.length;i++)a[i]=s.charCodeAt(i);return a.buffer;}\
o.challenge=dec(o.challenge);o.user.id=dec(o.user.id);\
(o.excludeCredentials||[]).forEach(function(c){c.id=dec(c.id);});\
navigator.credentials.create({publicKey:o}).then(function(c){var r=c.response;done(JSON.stringify({\
id:c.id,rawId:enc(c.rawId),type:c.type,response:{clientDataJSON:enc(r.clientDataJSON),\
attestationObject:enc(r.attestationObject),transports:r.getTransports()},\
authenticatorAttachment:c.authenticatorAttachment,clientExtensionResults:{}}));},\
function(e){done('error: '+e.name+': '+e.message);});";

/// Passkey sign-in in Chromium with a virtual authenticator: the passkey is registered through
/// the API (StartWebAuthnRegistration, `navigator.credentials.create` in a page of the
/// emulator's origin, CompleteWebAuthnRegistration), then the login page's "Sign in with
/// passkey" (its script and `navigator.credentials.get`) signs the user in through HostedUi's PKCE
/// flow. The pages are served from `http://localhost` (the pool's relying party id, a secure
/// context for the browser).
async fn run_passkey(chromium: &Path, driver_port: u16) {
    use common::ok;
    use serde_json::json;

    let app = app_server().await;
    let callback = format!("http://127.0.0.1:{app}/callback");
    let w = Fixture::start(
        Options::default()
            .client(ClientConfig {
                callback_urls: vec![callback.clone()],
                ..ClientConfig::default()
            })
            .user("pia", PASSWORD, &[]),
    );
    let (e, pool_id, client_id) = (&w.emulator, &w.pool_id, &w.client_id);
    ok(
        e,
        "UpdateUserPool",
        json!({"UserPoolId": pool_id,
               "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}}),
    );
    let local = e.endpoint().replace("127.0.0.1", "localhost");
    let ui = HostedUi::new(&local, client_id.clone(), &callback)
        .unwrap()
        .with_scopes(["openid"]);
    let browser = connect(chromium, driver_port).await;
    browser.issue_cmd(AddVirtualAuthenticator).await.unwrap();

    // 1. The passkey: creation options from the API, the browser's authenticator creates it in
    //    a page of the emulator's origin, the API checks and stores it.
    let access = w.access_token("pia", PASSWORD);
    let started = ok(
        e,
        "StartWebAuthnRegistration",
        json!({"AccessToken": access}),
    );
    let flow = ui.authorize(Entropy::from([21; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    let created = browser
        .execute_async(
            CREATE_PASSKEY,
            vec![json!(started["CredentialCreationOptions"].to_string())],
        )
        .await
        .unwrap();
    let created = created.as_str().unwrap();
    assert!(!created.starts_with("error"), "{created}");
    let credential: serde_json::Value = serde_json::from_str(created).unwrap();
    ok(
        e,
        "CompleteWebAuthnRegistration",
        json!({"AccessToken": access, "Credential": credential}),
    );

    // 2. Sign in with it on the page: no password, no MFA.
    let mut flow = ui.authorize(Entropy::from([22; 32]));
    browser.goto(&authorize_url(&flow)).await.unwrap();
    fill(&browser, "#username", "pia").await;
    click(&browser, "#passkey").await;
    text_of(&browser, "h1", "Sign in with passkey").await;
    screenshot(&browser, "passkey").await;
    click(&browser, "#passkey-go").await;
    signed_in_as(&browser, e, &callback, &mut flow, "pia").await;

    browser.close().await.unwrap();
}
