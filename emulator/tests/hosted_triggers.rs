//! The Lambda triggers (as webhooks) on the hosted UI's sign-in page, over raw HTTP with a
//! cookie jar: PreAuthentication before the password is checked, and the page of a custom
//! challenge that DefineAuthChallenge asks after the password.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;

use cognito_flows_emulator::{ClientConfig, PoolConfig, Webhooks};
use cognito_flows_testkit::emulator::{Fixture, Options};

use common::hooks::Hooks;
use common::{agent, send};

const PASSWORD: &str = "Passw0rd!";
const CALLBACK: &str = "http://localhost:3000/callback";

/// A browser by hand: a cookie jar.
struct Browser {
    base: String,
    jar: BTreeMap<String, String>,
}

/// A page: its status, `Location` and body.
struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Page {
    /// Every hidden input of the page (names and values, as the browser submits them).
    fn hidden(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut rest = self.body.as_str();
        while let Some(at) = rest.find("<input type=\"hidden\" name=\"") {
            rest = &rest[at + 27..];
            let name = &rest[..rest.find('"').unwrap()];
            let value_at = rest.find("value=\"").unwrap() + 7;
            let value = &rest[value_at..value_at + rest[value_at..].find('"').unwrap()];
            out.push((name.to_owned(), value.replace("&amp;", "&")));
        }
        out
    }
}

impl Browser {
    fn new(w: &Fixture) -> Self {
        Self {
            base: w.emulator.endpoint().trim_end_matches('/').to_owned(),
            jar: BTreeMap::new(),
        }
    }

    fn run(&mut self, request: http::request::Builder, body: Vec<u8>) -> Page {
        let cookie: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let response = send(
            &agent(),
            request
                .header("Cookie", cookie.join("; "))
                .body(body)
                .unwrap(),
        );
        for c in response.headers().get_all("set-cookie") {
            let (pair, _) = c.to_str().unwrap().split_once(';').unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.jar.insert(k.into(), v.into());
        }
        Page {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned()),
            body: String::from_utf8(response.body().clone()).unwrap(),
        }
    }

    fn authorize(&mut self, w: &Fixture) -> Page {
        let redirect: String = url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect();
        let url = format!(
            "{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={redirect}&state=st",
            self.base, w.client_id
        );
        self.run(http::Request::get(url), Vec::new())
    }

    /// Submits the form of `page` at `path`: its hidden fields and `fields`.
    fn submit(&mut self, page: &Page, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(page.hidden());
        form.extend_pairs(fields.iter().copied());
        self.run(
            http::Request::post(format!("{}{path}", self.base))
                .header("Content-Type", "application/x-www-form-urlencoded"),
            form.finish().into_bytes(),
        )
    }
}

fn world(webhooks: Webhooks) -> Fixture {
    Fixture::start(
        Options::default()
            .pool(PoolConfig {
                webhooks,
                ..PoolConfig::default()
            })
            .client(ClientConfig {
                callback_urls: vec![CALLBACK.into()],
                ..ClientConfig::default()
            }),
    )
}

/// The hosted UI's sign-in form runs PreAuthentication before the password: a refusal is shown
/// on the form in Cognito's words (even for a wrong password), and a user it lets through signs
/// in.
#[test]
fn the_login_page_runs_pre_authentication() {
    let hooks = Hooks::start();
    let w = world(Webhooks {
        pre_authentication: hooks.url("/pre-auth"),
        ..Webhooks::default()
    });
    w.add_user("ann", PASSWORD, &[]);
    w.add_user("blocked-ben", PASSWORD, &[]);
    let mut b = Browser::new(&w);
    for password in [PASSWORD, "Wrong-Passw0rd!"] {
        let page = b.authorize(&w);
        let refused = b.submit(
            &page,
            "/login",
            &[("username", "blocked-ben"), ("password", password)],
        );
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(
            refused.body.contains(
                "PreAuthentication failed with error Sign-ins from blocked users are refused."
            ),
            "{}",
            refused.body
        );
    }
    let page = b.authorize(&w);
    let signed_in = b.submit(
        &page,
        "/login",
        &[("username", "ann"), ("password", PASSWORD)],
    );
    assert_eq!(signed_in.status, 302, "{}", signed_in.body);
    assert!(signed_in.location.unwrap().starts_with(CALLBACK));
    let events = hooks.events("/pre-auth");
    assert_eq!(events.len(), 3);
    assert_eq!(
        events[2]["triggerSource"],
        "PreAuthentication_Authentication"
    );
    assert_eq!(events[2]["userName"], "ann");
    assert_eq!(events[2]["callerContext"]["clientId"], w.client_id.as_str());
}

/// A pool whose custom authentication runs through webhooks: after the right password the login
/// page asks the custom challenge DefineAuthChallenge asks (told `[SRP_A, PASSWORD_VERIFIER]`),
/// shows its public parameters, takes the answer with a CSRF-checked form, asks again
/// after a wrong answer, and signs in with a code after the right one. A wrong password never
/// reaches the webhooks; a session is answered once.
#[test]
fn the_login_page_asks_custom_challenges() {
    let hooks = Hooks::start();
    let w = world(Webhooks {
        define_auth_challenge: hooks.url("/define"),
        create_auth_challenge: hooks.url("/create"),
        verify_auth_challenge_response: hooks.url("/verify"),
        ..Webhooks::default()
    });
    w.add_user("mia", PASSWORD, &[]);
    let mut b = Browser::new(&w);

    let page = b.authorize(&w);
    let wrong = b.submit(
        &page,
        "/login",
        &[("username", "mia"), ("password", "Wrong-Passw0rd!")],
    );
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("Incorrect username or password."));
    assert!(hooks.events("/define").is_empty());

    let page = b.authorize(&w);
    let challenge = b.submit(
        &page,
        "/login",
        &[("username", "mia"), ("password", PASSWORD)],
    );
    assert_eq!(challenge.status, 200, "{}", challenge.body);
    assert!(
        challenge.body.contains("What is 6 x 7?"),
        "{}",
        challenge.body
    );
    assert!(challenge.body.contains("action=\"/login/custom\""));
    assert!(challenge.body.contains("name=\"_csrf\""));
    assert_eq!(
        hooks.events("/define")[0]["request"]["session"],
        serde_json::json!([
            {"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null},
            {"challengeName": "PASSWORD_VERIFIER", "challengeResult": true, "challengeMetadata": null},
        ])
    );

    // Without the form's CSRF token: refused.
    let forged: Vec<(String, String)> = challenge
        .hidden()
        .into_iter()
        .filter(|(k, _)| k != "_csrf")
        .collect();
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(forged);
    form.append_pair("answer", "42");
    let refused = b.run(
        http::Request::post(format!("{}/login/custom", b.base))
            .header("Content-Type", "application/x-www-form-urlencoded"),
        form.finish().into_bytes(),
    );
    assert_eq!(refused.status, 403);

    let again = b.submit(&challenge, "/login/custom", &[("answer", "41")]);
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.body.contains("What is 6 x 7?"));
    // The first challenge's session was answered once: it is gone.
    let replay = b.submit(&challenge, "/login/custom", &[("answer", "42")]);
    assert_eq!(replay.status, 400);
    let done = b.submit(&again, "/login/custom", &[("answer", "42")]);
    assert_eq!(done.status, 302, "{}", done.body);
    let location = done.location.unwrap();
    assert!(location.starts_with(CALLBACK), "{location}");
    assert!(location.contains("code="), "{location}");
    assert!(location.contains("state=st"), "{location}");
}

/// A public challenge parameter is shown as text, never as markup.
#[test]
fn the_custom_challenge_page_escapes_the_parameters() {
    let hooks = Hooks::start();
    let w = world(Webhooks {
        define_auth_challenge: hooks.url("/define"),
        create_auth_challenge: hooks.url("/create-hostile"),
        verify_auth_challenge_response: hooks.url("/verify"),
        ..Webhooks::default()
    });
    w.add_user("mia", PASSWORD, &[]);
    let mut b = Browser::new(&w);
    let page = b.authorize(&w);
    let challenge = b.submit(
        &page,
        "/login",
        &[("username", "mia"), ("password", PASSWORD)],
    );
    assert_eq!(challenge.status, 200, "{}", challenge.body);
    assert!(
        !challenge.body.contains("<script>alert(1)"),
        "{}",
        challenge.body
    );
    assert!(
        challenge
            .body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; 6 x 7?"),
        "{}",
        challenge.body
    );
}

/// The login page runs PostAuthentication once the user is signed in, before the code goes to
/// the app: a refusal shows Cognito's message instead of the redirect, and leaves neither a
/// code nor a signed-in browser session.
#[test]
fn the_login_page_runs_post_authentication() {
    let hooks = Hooks::start();
    let w = world(Webhooks {
        post_authentication: hooks.url("/post-auth"),
        ..Webhooks::default()
    });
    w.add_user("ann", PASSWORD, &[]);
    w.add_user("audited-al", PASSWORD, &[]);
    let mut b = Browser::new(&w);
    let page = b.authorize(&w);
    let signed_in = b.submit(
        &page,
        "/login",
        &[("username", "ann"), ("password", PASSWORD)],
    );
    assert_eq!(signed_in.status, 302, "{}", signed_in.body);
    let events = hooks.events("/post-auth");
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["triggerSource"],
        "PostAuthentication_Authentication"
    );
    assert_eq!(events[0]["userName"], "ann");
    assert_eq!(events[0]["callerContext"]["clientId"], w.client_id.as_str());
    assert_eq!(events[0]["request"]["newDeviceUsed"], false);

    let mut b = Browser::new(&w);
    let page = b.authorize(&w);
    let refused = b.submit(
        &page,
        "/login",
        &[("username", "audited-al"), ("password", PASSWORD)],
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.location.is_none());
    assert!(
        refused
            .body
            .contains("PostAuthentication failed with error The audit log is down."),
        "{}",
        refused.body
    );
    // The browser is not signed in: the next authorization shows the sign-in form again.
    let again = b.authorize(&w);
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.body.contains("name=\"password\""));
}
