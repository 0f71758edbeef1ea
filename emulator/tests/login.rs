//! The hosted UI's login page over raw HTTP, as a hostile browser or page would use it: CSRF,
//! escaping, registered URLs only, the MFA step, the session cookie and `/logout`. The real
//! browser drives the same pages in `browser.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;

use cognito_flows::{Entropy, Input, Prompt, SignIn};
use cognito_flows_emulator::{ClientConfig, ClientSettings, Emulator, Mfa};
use cognito_flows_testkit::emulator::{Fixture, Options};

use common::{agent, send};

const PASSWORD: &str = "Passw0rd!";
const CALLBACK: &str = "http://localhost:3000/callback";
const SIGNED_OUT: &str = "http://localhost:3000/";
const HOSTILE: &str = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";

/// A browser by hand: a cookie jar and the last page.
struct Browser {
    base: String,
    jar: BTreeMap<String, String>,
}

struct Page {
    status: u16,
    location: Option<String>,
    set_cookies: Vec<String>,
    headers: http::HeaderMap,
    body: String,
}

impl Page {
    /// The value of the hidden or text input named `name`.
    fn input(&self, name: &str) -> String {
        let at = self
            .body
            .find(&format!("name=\"{name}\" value=\""))
            .unwrap_or_else(|| panic!("no input {name} in {}", self.body));
        let rest = &self.body[at + name.len() + 15..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

impl Browser {
    fn new(e: &Emulator) -> Self {
        Self {
            base: e.endpoint().trim_end_matches('/').to_owned(),
            jar: BTreeMap::new(),
        }
    }

    fn run(&mut self, request: http::request::Builder, body: Vec<u8>) -> Page {
        let cookie: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let request = request
            .header("Cookie", cookie.join("; "))
            .body(body)
            .unwrap();
        let response = send(&agent(), request);
        let set_cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for c in &set_cookies {
            let (pair, _) = c.split_once(';').unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.into(), v.into());
            }
        }
        Page {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned()),
            set_cookies,
            headers: response.headers().clone(),
            body: String::from_utf8(response.body().clone()).unwrap(),
        }
    }

    fn get(&mut self, path_and_query: &str) -> Page {
        let url = format!("{}{path_and_query}", self.base);
        self.run(http::Request::get(url), Vec::new())
    }

    fn post<K: AsRef<str>, V: AsRef<str>>(&mut self, path: &str, fields: &[(K, V)]) -> Page {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(fields.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
        let url = format!("{}{path}", self.base);
        self.run(
            http::Request::post(url).header("Content-Type", "application/x-www-form-urlencoded"),
            form.finish().into_bytes(),
        )
    }

    /// Submits the sign-in form of `page` as the browser would (its hidden fields included).
    fn sign_in(&mut self, page: &Page, username: &str, password: &str) -> Page {
        let mut fields: Vec<(String, String)> = hidden_fields(page);
        fields.push(("username".into(), username.into()));
        fields.push(("password".into(), password.into()));
        self.post("/login", &fields)
    }
}

/// Every hidden input of the page, unescaped (`&amp;` and friends) as a browser submits them.
fn hidden_fields(page: &Page) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = page.body.as_str();
    while let Some(at) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[at + 27..];
        let name = &rest[..rest.find('"').unwrap()];
        let value_at = rest.find("value=\"").unwrap() + 7;
        let value = &rest[value_at..value_at + rest[value_at..].find('"').unwrap()];
        out.push((name.to_owned(), unescape(value)));
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn world(mfa: Mfa, secret: bool) -> Fixture {
    Fixture::start(
        Options::default()
            .mfa(mfa)
            .client(ClientConfig {
                callback_urls: vec![CALLBACK.into()],
                settings: ClientSettings {
                    logout_urls: vec![SIGNED_OUT.into()],
                    ..ClientSettings::default()
                },
                ..ClientConfig::default()
            })
            .secret_if(secret),
    )
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn authorize_query(w: &Fixture, redirect: &str, state: &str) -> String {
    format!(
        "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&state={}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        w.client_id,
        enc(redirect),
        enc(state)
    )
}

fn query_of(location: &str) -> BTreeMap<String, String> {
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().into_owned().collect()
}

/// The form: plain HTML, security headers, a CSRF cookie that is HttpOnly and SameSite=Lax, and
/// a hostile `state` echoed escaped (and given back intact in the redirect).
#[test]
fn the_form_escapes_what_it_echoes_and_sets_a_csrf_cookie() {
    let w = world(Mfa::Off, false);
    w.add_user("lee", PASSWORD, &[]);
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, HOSTILE));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(
        page.body
            .contains("<form method=\"post\" action=\"/login\">")
    );
    assert!(!page.body.contains("<script"), "{}", page.body);
    assert!(!page.body.contains("<img"), "{}", page.body);
    assert!(
        page.body.contains("&quot;&gt;&lt;script&gt;"),
        "{}",
        page.body
    );
    let csrf = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("cognito_emulator_csrf="))
        .unwrap();
    assert!(
        csrf.contains("HttpOnly") && csrf.contains("SameSite=Lax"),
        "{csrf}"
    );

    // A hostile username is echoed escaped on the error page.
    let wrong = b.sign_in(&page, HOSTILE, "nope");
    assert_eq!(wrong.status, 400);
    assert!(
        wrong.body.contains("Incorrect username or password."),
        "{}",
        wrong.body
    );
    assert!(
        !wrong.body.contains("<script") && !wrong.body.contains("<img"),
        "{}",
        wrong.body
    );

    let done = b.sign_in(&wrong, "lee", PASSWORD);
    assert_eq!(done.status, 302, "{}", done.body);
    let location = done.location.unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    assert_eq!(query_of(&location)["state"], HOSTILE);
    let session = done
        .set_cookies
        .iter()
        .find(|c| c.starts_with("cognito_emulator_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
}

/// A form posted without its token, with a token made for another browser's cookie, or with a
/// forged one is refused, and nothing is signed in.
#[test]
fn csrf_is_checked_on_every_form() {
    let w = world(Mfa::Off, false);
    w.add_user("lee", PASSWORD, &[]);
    let mut victim = Browser::new(&w.emulator);
    let page = victim.get(&authorize_query(&w, CALLBACK, "s"));
    let mut attacker = Browser::new(&w.emulator);
    let theirs = attacker.get(&authorize_query(&w, CALLBACK, "s"));
    // The attacker's own (valid) token, posted from the victim's browser: another cookie.
    let mut fields = hidden_fields(&theirs);
    fields.push(("username".into(), "lee".into()));
    fields.push(("password".into(), PASSWORD.into()));
    let refused = victim.post("/login", &fields);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.location.is_none());
    assert!(refused.body.contains("CSRF"), "{}", refused.body);
    for token in ["", "x.y", &format!("{}x", page.input("_csrf"))] {
        let mut fields: Vec<(String, String)> = hidden_fields(&page)
            .into_iter()
            .filter(|(k, _)| k != "_csrf")
            .collect();
        fields.push(("_csrf".into(), token.into()));
        fields.push(("username".into(), "lee".into()));
        fields.push(("password".into(), PASSWORD.into()));
        let refused = victim.post("/login", &fields);
        assert_eq!(refused.status, 403, "{token:?}");
    }
    // Without the cookie at all.
    let mut no_cookie = Browser::new(&w.emulator);
    let refused = no_cookie.sign_in(&page, "lee", PASSWORD);
    assert_eq!(refused.status, 403);
    // The victim's own form still works.
    assert_eq!(victim.sign_in(&page, "lee", PASSWORD).status, 302);
}

/// An unregistered `redirect_uri` gets an error page, never a redirect, on every page; a
/// tampered hidden `redirect_uri` in a posted form too.
#[test]
fn unregistered_redirect_uris_get_an_error_page() {
    let w = world(Mfa::Off, false);
    w.add_user("lee", PASSWORD, &[]);
    let mut b = Browser::new(&w.emulator);
    for evil in [
        "https://evil.example/cb",
        "http://localhost:3000/callbackx",
        "http://localhost:3000/callback/../x",
    ] {
        for path in ["/oauth2/authorize", "/login", "/signup"] {
            let query = authorize_query(&w, evil, "s").replacen("/oauth2/authorize", path, 1);
            let page = b.get(&query);
            assert_eq!(page.status, 400, "{path} {evil}");
            assert!(page.location.is_none());
            assert!(page.body.contains("redirect_mismatch"), "{}", page.body);
        }
    }
    let page = b.get(&authorize_query(&w, CALLBACK, "s"));
    let mut fields: Vec<(String, String)> = hidden_fields(&page)
        .into_iter()
        .map(|(k, v)| {
            if k == "redirect_uri" {
                (k, "https://evil.example/cb".into())
            } else {
                (k, v)
            }
        })
        .collect();
    fields.push(("username".into(), "lee".into()));
    fields.push(("password".into(), PASSWORD.into()));
    let refused = b.post("/login", &fields);
    assert_eq!(refused.status, 400);
    assert!(refused.location.is_none());
    // An unknown client too.
    let page = b.get(&authorize_query(&w, CALLBACK, "s").replace(&w.client_id, "nosuchclient"));
    assert_eq!(page.status, 400);
    assert!(page.location.is_none());
}

/// SMS MFA on the page: the code goes to the outbox, a wrong one shows an error, the right one
/// redirects with a code bound to the PKCE challenge.
#[test]
fn sms_mfa_step_then_a_code_bound_to_pkce() {
    let w = world(Mfa::Optional, false);
    w.add_user(
        "sam",
        PASSWORD,
        &[
            ("phone_number", "+15555550100"),
            ("email", "sam@example.com"),
        ],
    );
    w.emulator.admin_enable_sms_mfa(&w.pool_id, "sam").unwrap();
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "st"));
    let mfa = b.sign_in(&page, "sam", PASSWORD);
    assert_eq!(mfa.status, 200, "{}", mfa.body);
    assert!(
        mfa.body.contains("We texted a code to +*******0100."),
        "{}",
        mfa.body
    );
    let code = w.emulator.last_code("sam").unwrap();
    assert_eq!(w.emulator.outbox().last().unwrap().purpose, "SMS_MFA");
    let session = mfa.input("session");
    let csrf = mfa.input("_csrf");
    // Another browser (with a valid form of its own) cannot answer this sign-in's step, and
    // trying leaves it to the browser that gave the password.
    let mut other = Browser::new(&w.emulator);
    let theirs = other.get(&authorize_query(&w, CALLBACK, "x"));
    let hijack = other.post(
        "/login/mfa",
        &[
            ("_csrf", theirs.input("_csrf").as_str()),
            ("session", session.as_str()),
            ("code", w.emulator.last_code("sam").unwrap().as_str()),
        ],
    );
    assert_eq!(hijack.status, 400);
    assert!(hijack.location.is_none());
    let wrong = b.post(
        "/login/mfa",
        &[
            ("_csrf", csrf.as_str()),
            ("session", session.as_str()),
            ("code", "000000x"),
        ],
    );
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("Invalid code"), "{}", wrong.body);
    let done = b.post(
        "/login/mfa",
        &[
            ("_csrf", wrong.input("_csrf").as_str()),
            ("session", session.as_str()),
            ("code", code.as_str()),
        ],
    );
    assert_eq!(done.status, 302, "{}", done.body);
    let location = done.location.unwrap();
    let q = query_of(&location);
    assert_eq!(q["state"], "st");
    // The MFA step is single-use.
    let again = b.post(
        "/login/mfa",
        &[
            ("_csrf", wrong.input("_csrf").as_str()),
            ("session", session.as_str()),
            ("code", code.as_str()),
        ],
    );
    assert_eq!(again.status, 400);

    // The code was bound to the PKCE challenge: without its verifier it is refused (the browser
    // test exchanges one with the library's verifier).
    let without_verifier = {
        let form = format!(
            "grant_type=authorization_code&client_id={}&code={}&redirect_uri={}",
            w.client_id,
            enc(&q["code"]),
            enc(CALLBACK)
        );
        let request = http::Request::post(format!("{}oauth2/token", w.emulator.endpoint()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.into_bytes())
            .unwrap();
        send(&agent(), request)
    };
    assert_eq!(without_verifier.status().as_u16(), 400);
}

/// The session cookie signs the browser in at the next authorize; `/logout` clears it and goes
/// only to a registered sign-out URL.
#[test]
fn session_cookie_and_logout() {
    let w = world(Mfa::Off, false);
    w.add_user("lee", PASSWORD, &[]);
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "one"));
    assert_eq!(b.sign_in(&page, "lee", PASSWORD).status, 302);
    let again = b.get(&authorize_query(&w, CALLBACK, "two"));
    assert_eq!(again.status, 302, "signed in already: {}", again.body);
    assert_eq!(query_of(again.location.as_ref().unwrap())["state"], "two");

    for evil in [
        "https://evil.example/",
        "http://localhost:3000/x",
        "http://localhost:3000/%0d%0aSet-Cookie:a=b",
    ] {
        let refused = b.get(&format!(
            "/logout?client_id={}&logout_uri={}",
            w.client_id,
            enc(evil)
        ));
        assert_eq!(refused.status, 400, "{evil}");
        assert!(refused.location.is_none());
    }
    // Still signed in after the refused logouts.
    assert_eq!(b.get(&authorize_query(&w, CALLBACK, "three")).status, 302);
    let out = b.get(&format!(
        "/logout?client_id={}&logout_uri={}",
        w.client_id,
        enc(SIGNED_OUT)
    ));
    assert_eq!(out.status, 302);
    assert_eq!(out.location.as_deref(), Some(SIGNED_OUT));
    let cleared = out
        .set_cookies
        .iter()
        .find(|c| c.starts_with("cognito_emulator_session=;"))
        .unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let form = b.get(&authorize_query(&w, CALLBACK, "four"));
    assert_eq!(form.status, 200, "signed out: the form again");
}

/// Sign-up on the page: the code goes to the outbox, the confirmation page takes it, then the
/// user signs in. A password the policy refuses shows the policy's message.
#[test]
fn sign_up_and_confirm_pages() {
    let w = world(Mfa::Off, true);
    let mut b = Browser::new(&w.emulator);
    let login = b.get(&authorize_query(&w, CALLBACK, "s"));
    let link_at = login.body.find("href=\"/signup?").unwrap() + 6;
    let link = unescape(&login.body[link_at..link_at + login.body[link_at..].find('"').unwrap()]);
    let form = b.get(&link);
    assert_eq!(form.status, 200, "{}", form.body);
    let submit = |b: &mut Browser, page: &Page, password: &str| {
        let mut fields = hidden_fields(page);
        fields.extend([
            ("username".to_owned(), "newbie".to_owned()),
            ("email".to_owned(), "newbie@example.com".to_owned()),
            ("password".to_owned(), password.to_owned()),
        ]);
        b.post("/signup", &fields)
    };
    let weak = submit(&mut b, &form, "short");
    assert_eq!(weak.status, 400);
    assert!(
        weak.body.contains("Password did not conform with policy"),
        "{}",
        weak.body
    );
    assert!(weak.body.contains("value=\"newbie@example.com\""));
    let sent = submit(&mut b, &weak, PASSWORD);
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(
        sent.body
            .contains("We sent a confirmation code to n***@e***."),
        "{}",
        sent.body
    );
    let code = w.emulator.last_code("newbie").unwrap();
    let mut fields = hidden_fields(&sent);
    fields.push(("code".into(), code));
    let confirmed = b.post("/confirm", &fields);
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed.body.contains("Your account is confirmed"));
    let done = b.sign_in(&confirmed, "newbie", PASSWORD);
    assert_eq!(done.status, 302, "{}", done.body);
}

/// TOTP MFA on the page: a user who set TOTP up (through the library, at a sign-in that required
/// it) is asked for the authenticator's code; a wrong one shows an error, the right one redirects.
/// A pool that requires MFA of a user with none set up says so on the page.
#[test]
fn totp_mfa_step() {
    let w = world(Mfa::On, false);
    w.add_user("tia", PASSWORD, &[]);
    w.add_user("noe", PASSWORD, &[]);
    let flow = SignIn::user_srp(&w.pool, "tia", PASSWORD, Entropy::from([7; 32]));
    let mut secret = None;
    w.drive(flow, |p| match p {
        Prompt::TotpSetup { setup, .. } => {
            secret = Some(setup.secret.expose().to_owned());
            Input::Code(cognito_flows::totp::code(setup.secret.expose(), w.emulator.now()).unwrap())
        }
        other => panic!("{other:?}"),
    })
    .unwrap();
    let secret = secret.expect("TOTP was set up");

    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "t"));
    let mfa = b.sign_in(&page, "tia", PASSWORD);
    assert_eq!(mfa.status, 200, "{}", mfa.body);
    assert!(mfa.body.contains("authenticator app"), "{}", mfa.body);
    let session = mfa.input("session");
    let wrong = b.post(
        "/login/mfa",
        &[
            ("_csrf", mfa.input("_csrf").as_str()),
            ("session", session.as_str()),
            ("code", "12345"),
        ],
    );
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("Invalid code received for user"));
    let code = cognito_flows::totp::code(&secret, w.emulator.now()).unwrap();
    let done = b.post(
        "/login/mfa",
        &[
            ("_csrf", wrong.input("_csrf").as_str()),
            ("session", session.as_str()),
            ("code", code.expose()),
        ],
    );
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(
        done.location
            .unwrap()
            .starts_with(&format!("{CALLBACK}?code="))
    );

    let mut other = Browser::new(&w.emulator);
    let page = other.get(&authorize_query(&w, CALLBACK, "t"));
    let refused = other.sign_in(&page, "noe", PASSWORD);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("MFA_SETUP"), "{}", refused.body);
}

/// The app client's SSO session (SetUserPoolClientSessionConfiguration) decides how long the
/// session cookie signs the browser in again without asking: 0 minutes never, 120 minutes for two
/// hours after the sign-in (past the 60 minutes of the default), counted on the emulator's clock.
#[test]
fn the_clients_sso_session_decides_how_long_the_browser_stays_signed_in() {
    let w = world(Mfa::Off, false);
    w.add_user("lee", PASSWORD, &[]);
    let (pool, client) = (&w.pool_id, &w.client_id);
    let e = &w.emulator;
    common::ok(
        e,
        "SetUserPoolSessionConfiguration",
        serde_json::json!({"UserPoolId": pool, "UserSessionTracking": "ENABLED",
                           "TokenSession": {"MaxPerUser": 20}}),
    );
    let sso = |minutes: u32| {
        common::ok(
            e,
            "SetUserPoolClientSessionConfiguration",
            serde_json::json!({"UserPoolId": pool, "ClientId": client,
                               "SSOSession": {"MaxValidityMinutes": minutes}}),
        );
    };
    sso(0);
    let mut b = Browser::new(e);
    let page = b.get(&authorize_query(&w, CALLBACK, "one"));
    assert_eq!(b.sign_in(&page, "lee", PASSWORD).status, 302);
    let again = b.get(&authorize_query(&w, CALLBACK, "two"));
    assert_eq!(again.status, 200, "no silent reuse at 0 minutes");

    sso(120);
    let mut b = Browser::new(e);
    let page = b.get(&authorize_query(&w, CALLBACK, "three"));
    assert_eq!(b.sign_in(&page, "lee", PASSWORD).status, 302);
    e.advance(std::time::Duration::from_secs(90 * 60));
    let reused = b.get(&authorize_query(&w, CALLBACK, "four"));
    assert_eq!(reused.status, 302, "90 minutes in: {}", reused.body);
    e.advance(std::time::Duration::from_secs(31 * 60));
    let expired = b.get(&authorize_query(&w, CALLBACK, "five"));
    assert_eq!(
        expired.status, 200,
        "121 minutes after the sign-in: the form"
    );
}

/// The sign-up page links to the app client's terms of use and privacy policy once it has both
/// (CreateTerms), in English else the `cognito:default` language, escaped; a document in another
/// language only is not linked.
#[test]
fn the_sign_up_page_links_to_the_clients_terms_once_both_exist() {
    let w = world(Mfa::Off, false);
    let (pool, client) = (&w.pool_id, &w.client_id);
    let terms = |name: &str, url: &str| {
        common::ok(
            &w.emulator,
            "CreateTerms",
            serde_json::json!({"UserPoolId": pool, "ClientId": client, "TermsName": name,
                               "TermsSource": "LINK", "Enforcement": "NONE",
                               "Links": {"cognito:default": url, "cognito:french": "https://example.com/fr"}}),
        );
    };
    let mut b = Browser::new(&w.emulator);
    let sign_up = |b: &mut Browser| {
        let login = b.get(&authorize_query(&w, CALLBACK, "s"));
        let link_at = login.body.find("href=\"/signup?").unwrap() + 6;
        let link =
            unescape(&login.body[link_at..link_at + login.body[link_at..].find('"').unwrap()]);
        b.get(&link)
    };
    terms("terms-of-use", "https://example.com/terms?a=1&b=2");
    let one = sign_up(&mut b);
    assert!(!one.body.contains("id=\"terms-of-use\""), "{}", one.body);
    common::ok(
        &w.emulator,
        "CreateTerms",
        serde_json::json!({"UserPoolId": pool, "ClientId": client, "TermsName": "privacy-policy",
                           "TermsSource": "LINK", "Enforcement": "NONE",
                           "Links": {"cognito:french": "https://example.com/fr/privacy"}}),
    );
    let french_only = sign_up(&mut b);
    assert!(
        !french_only.body.contains("id=\"privacy-policy\""),
        "{}",
        french_only.body
    );
    let id = common::ok(
        &w.emulator,
        "DescribeTermsByClient",
        serde_json::json!({"UserPoolId": pool, "ClientId": client, "TermsName": "privacy-policy"}),
    )["Terms"]["TermsId"]
        .clone();
    common::ok(
        &w.emulator,
        "UpdateTerms",
        serde_json::json!({"UserPoolId": pool, "TermsId": id,
                           "Links": {"cognito:default": "https://example.com/privacy-default",
                                     "cognito:english": "https://example.com/privacy"}}),
    );
    let both = sign_up(&mut b);
    assert!(
        both.body
            .contains("<a id=\"terms-of-use\" href=\"https://example.com/terms?a=1&amp;b=2\">"),
        "{}",
        both.body
    );
    assert!(
        both.body
            .contains("<a id=\"privacy-policy\" href=\"https://example.com/privacy\">"),
        "{}",
        both.body
    );
}

/// The fields of the form of `page` whose `action` is `action`: its hidden inputs (the CSRF token
/// and the request) and `extra`.
fn form_of(page: &Page, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = hidden_fields(page);
    fields.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    fields
}

/// A user created with a temporary password gets the "choose a new password" page: the pool's
/// password policy refuses a weak one with Cognito's message, the form needs its CSRF token and
/// the browser that gave the password, and a good one signs the user in (CONFIRMED, the new
/// password works, the temporary one no longer does).
#[test]
fn new_password_required_is_asked_on_the_page() {
    let w = world(Mfa::Off, false);
    common::ok(
        &w.emulator,
        "AdminCreateUser",
        serde_json::json!({"UserPoolId": w.pool_id, "Username": "newbie",
                           "TemporaryPassword": "Temp0rary!", "MessageAction": "SUPPRESS"}),
    );
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "np"));
    let step = b.sign_in(&page, "newbie", "Temp0rary!");
    assert_eq!(step.status, 200, "{}", step.body);
    assert!(step.body.contains("Choose a new password"), "{}", step.body);
    let weak = b.post(
        "/login/new-password",
        &form_of(
            &step,
            &[("password", "short"), ("confirm_password", "short")],
        ),
    );
    assert_eq!(weak.status, 400, "{}", weak.body);
    assert!(
        weak.body
            .contains("Password did not conform with policy: Password not long enough (minimum 8)"),
        "{}",
        weak.body
    );
    let mismatch = b.post(
        "/login/new-password",
        &form_of(
            &weak,
            &[
                ("password", "N3wPassw0rd!"),
                ("confirm_password", "N3wPassw0rd?"),
            ],
        ),
    );
    assert_eq!(mismatch.status, 400);
    assert!(mismatch.body.contains("do not match"), "{}", mismatch.body);
    // No CSRF token: refused; another browser: refused, and the step stays this browser's.
    let session = mismatch.input("session");
    let forged = b.post(
        "/login/new-password",
        &[
            ("session", session.as_str()),
            ("password", "N3wPassw0rd!"),
            ("confirm_password", "N3wPassw0rd!"),
        ],
    );
    assert_eq!(forged.status, 403);
    let mut other = Browser::new(&w.emulator);
    let theirs = other.get(&authorize_query(&w, CALLBACK, "x"));
    let hijack = other.post(
        "/login/new-password",
        &[
            ("_csrf", theirs.input("_csrf").as_str()),
            ("session", session.as_str()),
            ("password", "H1jacked!!"),
            ("confirm_password", "H1jacked!!"),
        ],
    );
    assert_eq!(hijack.status, 400);
    assert!(hijack.location.is_none());
    let done = b.post(
        "/login/new-password",
        &form_of(
            &mismatch,
            &[
                ("password", "N3wPassw0rd!"),
                ("confirm_password", "N3wPassw0rd!"),
            ],
        ),
    );
    assert_eq!(done.status, 302, "{}", done.body);
    let q = query_of(done.location.as_deref().unwrap());
    assert_eq!(q["state"], "np");
    assert!(q.contains_key("code"));
    let user = common::ok(
        &w.emulator,
        "AdminGetUser",
        serde_json::json!({"UserPoolId": w.pool_id, "Username": "newbie"}),
    );
    assert_eq!(user["UserStatus"], "CONFIRMED");
    let mut fresh = Browser::new(&w.emulator);
    let page = fresh.get(&authorize_query(&w, CALLBACK, "again"));
    assert_eq!(fresh.sign_in(&page, "newbie", "Temp0rary!").status, 400);
    let page = fresh.get(&authorize_query(&w, CALLBACK, "again"));
    assert_eq!(fresh.sign_in(&page, "newbie", "N3wPassw0rd!").status, 302);
}

/// Three passwords the policy refuses end the "choose a new password" step, as three wrong
/// answers end RespondToAuthChallenge's session.
#[test]
fn new_password_step_ends_after_three_refused_passwords() {
    let w = world(Mfa::Off, false);
    common::ok(
        &w.emulator,
        "AdminCreateUser",
        serde_json::json!({"UserPoolId": w.pool_id, "Username": "newbie",
                           "TemporaryPassword": "Temp0rary!", "MessageAction": "SUPPRESS"}),
    );
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "np"));
    let mut step = b.sign_in(&page, "newbie", "Temp0rary!");
    let session = step.input("session");
    for _ in 0..2 {
        step = b.post(
            "/login/new-password",
            &form_of(&step, &[("password", "weak"), ("confirm_password", "weak")]),
        );
        assert!(
            step.body.contains("Password did not conform"),
            "{}",
            step.body
        );
    }
    let csrf = step.input("_csrf");
    let third = b.post(
        "/login/new-password",
        &[
            ("_csrf", csrf.as_str()),
            ("session", session.as_str()),
            ("password", "weak"),
            ("confirm_password", "weak"),
        ],
    );
    assert_eq!(third.status, 400);
    assert!(
        third.body.contains("Too many failed attempts"),
        "{}",
        third.body
    );
    let late = b.post(
        "/login/new-password",
        &[
            ("_csrf", csrf.as_str()),
            ("session", session.as_str()),
            ("password", "N3wPassw0rd!"),
            ("confirm_password", "N3wPassw0rd!"),
        ],
    );
    assert_eq!(late.status, 400);
    assert!(late.location.is_none());
    let user = common::ok(
        &w.emulator,
        "AdminGetUser",
        serde_json::json!({"UserPoolId": w.pool_id, "Username": "newbie"}),
    );
    assert_eq!(user["UserStatus"], "FORCE_CHANGE_PASSWORD");
}

/// After the new password, the MFA the pool requires comes next (as RespondToAuthChallenge
/// does): a user with SMS MFA gets the SMS step, then the code.
#[test]
fn new_password_then_mfa() {
    let w = world(Mfa::Optional, false);
    common::ok(
        &w.emulator,
        "AdminCreateUser",
        serde_json::json!({"UserPoolId": w.pool_id, "Username": "newbie",
                           "TemporaryPassword": "Temp0rary!", "MessageAction": "SUPPRESS",
                           "UserAttributes": [{"Name": "phone_number", "Value": "+15555550123"}]}),
    );
    w.emulator
        .admin_enable_sms_mfa(&w.pool_id, "newbie")
        .unwrap();
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "np"));
    let step = b.sign_in(&page, "newbie", "Temp0rary!");
    let mfa = b.post(
        "/login/new-password",
        &form_of(
            &step,
            &[
                ("password", "N3wPassw0rd!"),
                ("confirm_password", "N3wPassw0rd!"),
            ],
        ),
    );
    assert_eq!(mfa.status, 200, "{}", mfa.body);
    assert!(
        mfa.body.contains("We texted a code to +*******0123."),
        "{}",
        mfa.body
    );
    let code = w.emulator.last_code("newbie").unwrap();
    let done = b.post("/login/mfa", &form_of(&mfa, &[("code", code.as_str())]));
    assert_eq!(done.status, 302, "{}", done.body);
}

/// Forgot password: the link on the sign-in page, the user name, a code through the outbox (as
/// ForgotPassword sends it), a wrong code refused with Cognito's message, then the code and a
/// new password: back at the sign-in page with a banner, and the new password signs in.
#[test]
fn forgot_password_pages() {
    let w = world(Mfa::Off, true);
    w.add_user(
        "lee",
        PASSWORD,
        &[("email", "lee@example.com"), ("email_verified", "true")],
    );
    let mut b = Browser::new(&w.emulator);
    let login = b.get(&authorize_query(&w, CALLBACK, "fp"));
    let link_at = login.body.find("href=\"/forgot-password?").unwrap() + 6;
    let link = unescape(&login.body[link_at..link_at + login.body[link_at..].find('"').unwrap()]);
    let ask = b.get(&link);
    assert_eq!(ask.status, 200, "{}", ask.body);
    assert!(ask.body.contains("Forgot your password?"), "{}", ask.body);
    // CSRF first.
    let forged = b.post("/forgot-password", &[("username", "lee")]);
    assert_eq!(forged.status, 403);
    let sent = b.post("/forgot-password", &form_of(&ask, &[("username", "lee")]));
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(
        sent.body.contains("We sent a code to l***@e***"),
        "{}",
        sent.body
    );
    let message = w.emulator.outbox().last().cloned().unwrap();
    assert_eq!(message.username, "lee");
    assert_eq!(message.medium, "EMAIL");
    let wrong = b.post(
        "/reset-password",
        &form_of(
            &sent,
            &[
                ("code", "000000"),
                ("password", "N3wPassw0rd!"),
                ("confirm_password", "N3wPassw0rd!"),
            ],
        ),
    );
    assert_eq!(wrong.status, 400, "{}", wrong.body);
    assert!(
        wrong
            .body
            .contains("Invalid verification code provided, please try again."),
        "{}",
        wrong.body
    );
    let weak = b.post(
        "/reset-password",
        &form_of(
            &wrong,
            &[
                ("code", message.code.as_str()),
                ("password", "weak"),
                ("confirm_password", "weak"),
            ],
        ),
    );
    assert_eq!(weak.status, 400, "{}", weak.body);
    assert!(
        weak.body.contains("Password did not conform with policy"),
        "{}",
        weak.body
    );
    let done = b.post(
        "/reset-password",
        &form_of(
            &weak,
            &[
                ("code", message.code.as_str()),
                ("password", "N3wPassw0rd!"),
                ("confirm_password", "N3wPassw0rd!"),
            ],
        ),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("id=\"notice\""), "{}", done.body);
    assert!(
        done.body.contains("Your password has been reset"),
        "{}",
        done.body
    );
    assert_eq!(b.sign_in(&done, "lee", PASSWORD).status, 400);
    let page = b.get(&authorize_query(&w, CALLBACK, "fp2"));
    let signed_in = b.sign_in(&page, "lee", "N3wPassw0rd!");
    assert_eq!(signed_in.status, 302, "{}", signed_in.body);
    assert_eq!(
        query_of(signed_in.location.as_deref().unwrap())["state"],
        "fp2"
    );
}

/// The reset code's attempt limit, as ConfirmForgotPassword counts it: after five wrong codes
/// Cognito's LimitExceededException, and the right code is then spent (ExpiredCodeException's
/// message).
#[test]
fn forgot_password_attempt_limit() {
    let w = world(Mfa::Off, false);
    w.add_user(
        "lee",
        PASSWORD,
        &[("email", "lee@example.com"), ("email_verified", "true")],
    );
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "fp"));
    let link_at = page.body.find("href=\"/forgot-password?").unwrap() + 6;
    let link = unescape(&page.body[link_at..link_at + page.body[link_at..].find('"').unwrap()]);
    let ask = b.get(&link);
    let mut step = b.post("/forgot-password", &form_of(&ask, &[("username", "lee")]));
    let code = w.emulator.last_code("lee").unwrap();
    let wrong = [
        ("code", "000000"),
        ("password", "N3wPassw0rd!"),
        ("confirm_password", "N3wPassw0rd!"),
    ];
    for _ in 0..4 {
        step = b.post("/reset-password", &form_of(&step, &wrong));
        assert!(
            step.body.contains("Invalid verification code"),
            "{}",
            step.body
        );
    }
    step = b.post("/reset-password", &form_of(&step, &wrong));
    assert!(
        step.body
            .contains("Attempt limit exceeded, please try after some time."),
        "{}",
        step.body
    );
    let late = b.post(
        "/reset-password",
        &form_of(
            &step,
            &[
                ("code", code.as_str()),
                ("password", "N3wPassw0rd!"),
                ("confirm_password", "N3wPassw0rd!"),
            ],
        ),
    );
    assert_eq!(late.status, 400, "{}", late.body);
    assert!(
        late.body
            .contains("Invalid code provided, please request a code again."),
        "{}",
        late.body
    );
}

/// A pool whose sign-in policy allows EMAIL_OTP, with a verified email user `eve`.
fn passwordless_world(factors: &[&str]) -> Fixture {
    let w = world(Mfa::Off, false);
    common::ok(
        &w.emulator,
        "UpdateUserPool",
        serde_json::json!({"UserPoolId": w.pool_id,
                           "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": factors}}}),
    );
    w.add_user(
        "eve",
        PASSWORD,
        &[("email", "eve@example.com"), ("email_verified", "true")],
    );
    w
}

/// EMAIL_OTP on the page: the choice shows when the pool allows it, the code goes to the outbox,
/// a wrong code is refused (three tries), the right one signs in without MFA.
#[test]
fn email_otp_sign_in_on_the_page() {
    let without = world(Mfa::Off, false);
    let mut b = Browser::new(&without.emulator);
    let page = b.get(&authorize_query(&without, CALLBACK, "s"));
    assert!(!page.body.contains("id=\"email-otp\""), "{}", page.body);

    let w = passwordless_world(&["PASSWORD", "EMAIL_OTP"]);
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "otp"));
    assert!(page.body.contains("id=\"email-otp\""), "{}", page.body);
    assert!(
        page.body.contains("formaction=\"/login/otp\""),
        "{}",
        page.body
    );
    let forged = b.post(
        "/login/otp",
        &[("username", "eve"), ("factor", "EMAIL_OTP")],
    );
    assert_eq!(forged.status, 403);
    // A factor the pool does not offer is refused.
    let sms = b.post(
        "/login/otp",
        &form_of(&page, &[("username", "eve"), ("factor", "SMS_OTP")]),
    );
    assert_eq!(sms.status, 400, "{}", sms.body);
    let step = b.post(
        "/login/otp",
        &form_of(&page, &[("username", "eve"), ("factor", "EMAIL_OTP")]),
    );
    assert_eq!(step.status, 200, "{}", step.body);
    assert!(
        step.body.contains("We emailed a code to e***@e***."),
        "{}",
        step.body
    );
    let message = w.emulator.outbox().last().cloned().unwrap();
    assert_eq!(message.purpose, "EMAIL_OTP");
    assert_eq!(message.medium, "EMAIL");
    let wrong = b.post("/login/mfa", &form_of(&step, &[("code", "000000x")]));
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("Invalid code"), "{}", wrong.body);
    let done = b.post(
        "/login/mfa",
        &form_of(&wrong, &[("code", message.code.as_str())]),
    );
    assert_eq!(done.status, 302, "{}", done.body);
    assert_eq!(query_of(done.location.as_deref().unwrap())["state"], "otp");

    // Three wrong codes end the sign-in; the right code then no longer works.
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "otp"));
    let mut step = b.post(
        "/login/otp",
        &form_of(&page, &[("username", "eve"), ("factor", "EMAIL_OTP")]),
    );
    let code = w.emulator.last_code("eve").unwrap();
    let session = step.input("session");
    for _ in 0..2 {
        step = b.post("/login/mfa", &form_of(&step, &[("code", "000000x")]));
        assert_eq!(step.status, 400);
    }
    let csrf = step.input("_csrf");
    let third = b.post(
        "/login/mfa",
        &[
            ("_csrf", csrf.as_str()),
            ("session", session.as_str()),
            ("code", "000000x"),
        ],
    );
    assert!(
        third.body.contains("Too many wrong codes"),
        "{}",
        third.body
    );
    let late = b.post(
        "/login/mfa",
        &[
            ("_csrf", csrf.as_str()),
            ("session", session.as_str()),
            ("code", code.as_str()),
        ],
    );
    assert_eq!(late.status, 400);
    assert!(late.location.is_none());

    // A user without a verified email gets no code.
    w.add_user(
        "nov",
        PASSWORD,
        &[("email", "nov@example.com"), ("email_verified", "false")],
    );
    let page = b.get(&authorize_query(&w, CALLBACK, "otp"));
    let before = w.emulator.outbox().len();
    let refused = b.post(
        "/login/otp",
        &form_of(&page, &[("username", "nov"), ("factor", "EMAIL_OTP")]),
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(w.emulator.outbox().len(), before);
}

/// A code past the sign-in's three minutes is refused.
#[test]
fn email_otp_code_expires() {
    let w = passwordless_world(&["PASSWORD", "EMAIL_OTP"]);
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "otp"));
    let step = b.post(
        "/login/otp",
        &form_of(&page, &[("username", "eve"), ("factor", "EMAIL_OTP")]),
    );
    let code = w.emulator.last_code("eve").unwrap();
    w.emulator.advance(std::time::Duration::from_secs(181));
    let late = b.post("/login/mfa", &form_of(&step, &[("code", code.as_str())]));
    assert_eq!(late.status, 400);
    assert!(late.body.contains("expired"), "{}", late.body);
}

/// Email MFA (EMAIL_OTP as the second factor, EmailMfaSettings) on the MFA step.
#[test]
fn email_mfa_step() {
    let w = world(Mfa::Optional, false);
    common::ok(
        &w.emulator,
        "SetUserPoolMfaConfig",
        serde_json::json!({"UserPoolId": w.pool_id, "MfaConfiguration": "OPTIONAL",
                           "EmailMfaConfiguration": {"Message": "Your code is {####}", "Subject": "Code"}}),
    );
    w.add_user(
        "em",
        PASSWORD,
        &[("email", "em@example.com"), ("email_verified", "true")],
    );
    common::ok(
        &w.emulator,
        "AdminSetUserMFAPreference",
        serde_json::json!({"UserPoolId": w.pool_id, "Username": "em",
                           "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "em"));
    let mfa = b.sign_in(&page, "em", PASSWORD);
    assert_eq!(mfa.status, 200, "{}", mfa.body);
    assert!(
        mfa.body.contains("We emailed a code to e***@e***."),
        "{}",
        mfa.body
    );
    let message = w.emulator.outbox().last().cloned().unwrap();
    assert_eq!(message.purpose, "EMAIL_OTP");
    let done = b.post(
        "/login/mfa",
        &form_of(&mfa, &[("code", message.code.as_str())]),
    );
    assert_eq!(done.status, 302, "{}", done.body);
}

/// Where the client has terms, sign-up needs them accepted (a checkbox): refused without it.
#[test]
fn sign_up_requires_accepting_the_terms() {
    let w = world(Mfa::Off, false);
    for (name, url) in [
        ("terms-of-use", "https://example.com/terms"),
        ("privacy-policy", "https://example.com/privacy"),
    ] {
        common::ok(
            &w.emulator,
            "CreateTerms",
            serde_json::json!({"UserPoolId": w.pool_id, "ClientId": w.client_id, "TermsName": name,
                               "TermsSource": "LINK", "Enforcement": "NONE",
                               "Links": {"cognito:default": url}}),
        );
    }
    let mut b = Browser::new(&w.emulator);
    let login = b.get(&authorize_query(&w, CALLBACK, "t"));
    let link_at = login.body.find("href=\"/signup?").unwrap() + 6;
    let link = unescape(&login.body[link_at..link_at + login.body[link_at..].find('"').unwrap()]);
    let page = b.get(&link);
    assert!(page.body.contains("id=\"accept-terms\""), "{}", page.body);
    let fields = [
        ("username", "tia"),
        ("email", "tia@example.com"),
        ("password", PASSWORD),
    ];
    let refused = b.post("/signup", &form_of(&page, &fields));
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("accept the terms"),
        "{}",
        refused.body
    );
    let (status, _) = common::call(
        w.emulator.endpoint(),
        "AdminGetUser",
        &serde_json::json!({"UserPoolId": w.pool_id, "Username": "tia"}),
    );
    assert_eq!(status, 400, "no user was made");
    let mut accepted = fields.to_vec();
    accepted.push(("accept_terms", "yes"));
    let signed_up = b.post("/signup", &form_of(&refused, &accepted));
    assert_eq!(signed_up.status, 200, "{}", signed_up.body);
    assert!(
        signed_up.body.contains("Confirm your account"),
        "{}",
        signed_up.body
    );
}

/// A 1x1 PNG, base64.
const PIXEL: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// The classic hosted UI's customization (SetUICustomization: CSS and logo) on the pages: the
/// logo as an image the page's policy allows, the CSS in the page's style, unable to leave its
/// `<style>` element.
#[test]
fn the_pages_wear_the_ui_customization() {
    let w = world(Mfa::Off, false);
    common::ok(
        &w.emulator,
        "CreateUserPoolDomain",
        serde_json::json!({"UserPoolId": w.pool_id, "Domain": "branded-app"}),
    );
    common::ok(
        &w.emulator,
        "SetUICustomization",
        serde_json::json!({"UserPoolId": w.pool_id, "ImageFile": PIXEL,
            "CSS": ".submitButton-customizable{background-color:#123456}</style><script>alert(1)</script>"}),
    );
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "b"));
    assert!(
        page.body
            .contains(".submitButton-customizable{background-color:#123456}"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert_eq!(page.body.matches("</style>").count(), 1, "{}", page.body);
    assert!(
        page.body.contains(&format!(
            "<img class=\"logo-customizable\" alt=\"\" src=\"data:image/png;base64,{PIXEL}\">"
        )),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("class=\"submitButton-customizable\""),
        "{}",
        page.body
    );
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("img-src data:"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    // The sign-up page too.
    let link_at = page.body.find("href=\"/signup?").unwrap() + 6;
    let link = unescape(&page.body[link_at..link_at + page.body[link_at..].find('"').unwrap()]);
    let sign_up = b.get(&link);
    assert!(
        sign_up.body.contains("logo-customizable"),
        "{}",
        sign_up.body
    );
}

/// Managed login branding (CreateManagedLoginBranding): its button, background and text colours
/// and its logo asset on the pages; a colour that is not one is ignored, never echoed.
#[test]
fn the_pages_wear_the_managed_login_branding() {
    let w = world(Mfa::Off, false);
    common::ok(
        &w.emulator,
        "CreateManagedLoginBranding",
        serde_json::json!({"UserPoolId": w.pool_id, "ClientId": w.client_id,
            "Settings": {"components": {
                "primaryButton": {"lightMode": {"defaults": {"backgroundColor": "0972d3ff", "textColor": "ffffffff"}}},
                "pageBackground": {"lightMode": {"color": "red;}</style><script>alert(1)</script>"}},
                "form": {"lightMode": {"backgroundColor": "fafafaff"}},
                "pageText": {"lightMode": {"headingColor": "000716ff", "bodyColor": "414d5cff"}}}},
            "Assets": [{"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": PIXEL}]}),
    );
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "b"));
    assert!(page.body.contains("background:#0972d3ff"), "{}", page.body);
    assert!(page.body.contains("background:#fafafaff"), "{}", page.body);
    assert!(page.body.contains("h1{color:#000716ff}"), "{}", page.body);
    assert!(page.body.contains("main{color:#414d5cff}"), "{}", page.body);
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(!page.body.contains("red;"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("src=\"data:image/png;base64,{PIXEL}\"")),
        "{}",
        page.body
    );
}

/// The scripted `/oauth2/authorize?username=&password=` takes the login page's decision (the
/// engine's): a user who must choose a new password or who has email MFA gets no code from it
/// (`access_denied`, the reason said), a plain user gets one.
#[test]
fn the_scripted_authorize_takes_the_same_decision() {
    let w = world(Mfa::Optional, false);
    common::ok(
        &w.emulator,
        "AdminCreateUser",
        serde_json::json!({"UserPoolId": w.pool_id, "Username": "newbie",
                           "TemporaryPassword": "Temp0rary!", "MessageAction": "SUPPRESS"}),
    );
    common::ok(
        &w.emulator,
        "SetUserPoolMfaConfig",
        serde_json::json!({"UserPoolId": w.pool_id, "MfaConfiguration": "OPTIONAL",
                           "EmailMfaConfiguration": {"Message": "Your code is {####}", "Subject": "Code"}}),
    );
    w.add_user(
        "em",
        PASSWORD,
        &[("email", "em@example.com"), ("email_verified", "true")],
    );
    common::ok(
        &w.emulator,
        "AdminSetUserMFAPreference",
        serde_json::json!({"UserPoolId": w.pool_id, "Username": "em",
                           "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    w.add_user("lee", PASSWORD, &[]);
    let mut b = Browser::new(&w.emulator);
    let scripted = |b: &mut Browser, user: &str, password: &str| {
        let page = b.get(&format!(
            "{}&username={}&password={}",
            authorize_query(&w, CALLBACK, "sc"),
            enc(user),
            enc(password)
        ));
        assert_eq!(page.status, 302, "{}", page.body);
        query_of(page.location.as_deref().unwrap())
    };
    let newbie = scripted(&mut b, "newbie", "Temp0rary!");
    assert_eq!(newbie["error"], "access_denied");
    assert!(
        newbie["error_description"].contains("NEW_PASSWORD_REQUIRED"),
        "{newbie:?}"
    );
    let em = scripted(&mut b, "em", PASSWORD);
    assert_eq!(em["error"], "access_denied");
    assert!(em["error_description"].contains("MFA"), "{em:?}");
    let lee = scripted(&mut b, "lee", PASSWORD);
    assert!(lee.contains_key("code"), "{lee:?}");
}

/// A pool whose sign-in policy allows passkeys, with `pia` holding one of `device`'s (registered
/// through StartWebAuthnRegistration and CompleteWebAuthnRegistration, from http://localhost).
fn passkey_world() -> (
    Fixture,
    cognito_flows_testkit::passkey::SoftwareAuthenticator,
) {
    let w = world(Mfa::Optional, false);
    common::ok(
        &w.emulator,
        "UpdateUserPool",
        serde_json::json!({"UserPoolId": w.pool_id, "MfaConfiguration": "OPTIONAL",
                           "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}}),
    );
    w.add_user("pia", PASSWORD, &[]);
    let access = w.access_token("pia", PASSWORD);
    let started = common::ok(
        &w.emulator,
        "StartWebAuthnRegistration",
        serde_json::json!({"AccessToken": access}),
    );
    let mut device =
        cognito_flows_testkit::passkey::SoftwareAuthenticator::new("http://localhost").unwrap();
    let created = device
        .create(&started["CredentialCreationOptions"])
        .unwrap();
    common::ok(
        &w.emulator,
        "CompleteWebAuthnRegistration",
        serde_json::json!({"AccessToken": access, "Credential": created}),
    );
    (w, device)
}

/// The `data-options` of the passkey page: the request options for `navigator.credentials.get`.
fn passkey_options(page: &Page) -> String {
    let at = page
        .body
        .find("data-options=\"")
        .unwrap_or_else(|| panic!("no passkey options in {}", page.body));
    let rest = &page.body[at + 14..];
    unescape(&rest[..rest.find('"').unwrap()])
}

/// Passkey sign-in on the page: the button where the pool allows WEB_AUTHN, a page whose one
/// inline script (allowed by its hash, nothing else) asks the browser for an assertion with the
/// options the engine's WEB_AUTHN challenge makes, the assertion checked by the API's verifier:
/// signed in without MFA. An assertion of another sign-in's challenge is refused, and ends it.
#[test]
fn passkey_sign_in_on_the_page() {
    let (w, mut device) = passkey_world();
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "pk"));
    assert!(page.body.contains("id=\"passkey\""), "{}", page.body);
    let step = b.post(
        "/login/otp",
        &form_of(&page, &[("username", "pia"), ("factor", "WEB_AUTHN")]),
    );
    assert_eq!(step.status, 200, "{}", step.body);
    let csp = step.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    let scripts = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!scripts.contains("unsafe"), "{csp}");
    let options = passkey_options(&step);
    let parsed: serde_json::Value = serde_json::from_str(&options).unwrap();
    assert_eq!(parsed["rpId"], "localhost");
    assert_eq!(parsed["allowCredentials"].as_array().unwrap().len(), 1);
    let assertion = device.get(&options).unwrap();
    let done = b.post(
        "/login/mfa",
        &form_of(&step, &[("credential", assertion.to_string().as_str())]),
    );
    assert_eq!(done.status, 302, "{}", done.body);
    let q = query_of(done.location.as_deref().unwrap());
    assert_eq!(q["state"], "pk");
    assert!(q.contains_key("code"));

    // An assertion for an earlier challenge: refused with the verifier's message; the sign-in
    // is over (one try, as the API's WEB_AUTHN session).
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "pk2"));
    let step = b.post(
        "/login/otp",
        &form_of(&page, &[("username", "pia"), ("factor", "WEB_AUTHN")]),
    );
    let stale = device.get(&options).unwrap();
    let refused = b.post(
        "/login/mfa",
        &form_of(&step, &[("credential", stale.to_string().as_str())]),
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.location.is_none());
    assert!(
        refused
            .body
            .contains("The challenge does not match this session."),
        "{}",
        refused.body
    );
    let fresh = device.get(&passkey_options(&step)).unwrap();
    let late = b.post(
        "/login/mfa",
        &form_of(&step, &[("credential", fresh.to_string().as_str())]),
    );
    assert_eq!(late.status, 400);
    assert!(late.location.is_none());

    // A user without a passkey gets no passkey page.
    w.add_user("noa", PASSWORD, &[]);
    let page = b.get(&authorize_query(&w, CALLBACK, "pk3"));
    let none = b.post(
        "/login/otp",
        &form_of(&page, &[("username", "noa"), ("factor", "WEB_AUTHN")]),
    );
    assert_eq!(none.status, 400, "{}", none.body);
    assert!(!none.body.contains("data-options"), "{}", none.body);
}

/// SMS_OTP on the page, where the pool allows it: the code by text message through the outbox,
/// then signed in (no MFA after it).
#[test]
fn sms_otp_sign_in_on_the_page() {
    let w = world(Mfa::Optional, false);
    common::ok(
        &w.emulator,
        "UpdateUserPool",
        serde_json::json!({"UserPoolId": w.pool_id, "MfaConfiguration": "OPTIONAL",
                           "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}}}),
    );
    w.add_user(
        "sid",
        PASSWORD,
        &[
            ("phone_number", "+15555550199"),
            ("phone_number_verified", "true"),
        ],
    );
    w.emulator.admin_enable_sms_mfa(&w.pool_id, "sid").unwrap();
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "sms"));
    assert!(page.body.contains("id=\"sms-otp\""), "{}", page.body);
    assert!(!page.body.contains("id=\"email-otp\""), "{}", page.body);
    let step = b.post(
        "/login/otp",
        &form_of(&page, &[("username", "sid"), ("factor", "SMS_OTP")]),
    );
    assert_eq!(step.status, 200, "{}", step.body);
    assert!(
        step.body.contains("We texted a code to +*******0199."),
        "{}",
        step.body
    );
    let message = w.emulator.outbox().last().cloned().unwrap();
    assert_eq!(
        (message.purpose.as_str(), message.medium.as_str()),
        ("SMS_OTP", "SMS")
    );
    let done = b.post(
        "/login/mfa",
        &form_of(&step, &[("code", message.code.as_str())]),
    );
    assert_eq!(done.status, 302, "{}", done.body);
    assert_eq!(
        w.emulator.outbox().len(),
        1,
        "no MFA code after a passwordless factor"
    );
}

/// A user with email and SMS MFA and no preference picks the method on the page
/// (SELECT_MFA_TYPE, as RespondToAuthChallenge offers it); a method not offered is refused.
#[test]
fn select_mfa_type_on_the_page() {
    let w = world(Mfa::Optional, false);
    common::ok(
        &w.emulator,
        "SetUserPoolMfaConfig",
        serde_json::json!({"UserPoolId": w.pool_id, "MfaConfiguration": "OPTIONAL",
                           "EmailMfaConfiguration": {"Message": "Your code is {####}", "Subject": "Code"}}),
    );
    w.add_user(
        "two",
        PASSWORD,
        &[
            ("email", "two@example.com"),
            ("email_verified", "true"),
            ("phone_number", "+15555550142"),
        ],
    );
    common::ok(
        &w.emulator,
        "AdminSetUserMFAPreference",
        serde_json::json!({"UserPoolId": w.pool_id, "Username": "two",
                           "EmailMfaSettings": {"Enabled": true, "PreferredMfa": false},
                           "SMSMfaSettings": {"Enabled": true, "PreferredMfa": false}}),
    );
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "sel"));
    let choice = b.sign_in(&page, "two", PASSWORD);
    assert_eq!(choice.status, 200, "{}", choice.body);
    assert!(
        choice.body.contains("id=\"mfa-EMAIL_OTP\""),
        "{}",
        choice.body
    );
    assert!(
        choice.body.contains("id=\"mfa-SMS_MFA\""),
        "{}",
        choice.body
    );
    assert!(
        !choice.body.contains("id=\"mfa-SOFTWARE_TOKEN_MFA\""),
        "{}",
        choice.body
    );
    let wrong = b.post(
        "/login/mfa",
        &form_of(&choice, &[("method", "SOFTWARE_TOKEN_MFA")]),
    );
    assert_eq!(wrong.status, 400);
    assert!(
        wrong
            .body
            .contains("SOFTWARE_TOKEN_MFA is not an MFA method of this user."),
        "{}",
        wrong.body
    );
    let code_page = b.post("/login/mfa", &form_of(&wrong, &[("method", "EMAIL_OTP")]));
    assert_eq!(code_page.status, 200, "{}", code_page.body);
    assert!(
        code_page.body.contains("We emailed a code to t***@e***."),
        "{}",
        code_page.body
    );
    let message = w.emulator.outbox().last().cloned().unwrap();
    assert_eq!(message.purpose, "EMAIL_OTP");
    let done = b.post(
        "/login/mfa",
        &form_of(&code_page, &[("code", message.code.as_str())]),
    );
    assert_eq!(done.status, 302, "{}", done.body);
}

/// A user whose password an administrator reset (AdminResetUserPassword: RESET_REQUIRED) is sent
/// from the sign-in form to the reset page with a fresh code (ForgotPassword), as InitiateAuth's
/// PasswordResetRequiredException asks; the new password then signs in.
#[test]
fn reset_required_goes_to_the_reset_page() {
    let w = world(Mfa::Off, false);
    w.add_user(
        "lee",
        PASSWORD,
        &[("email", "lee@example.com"), ("email_verified", "true")],
    );
    common::ok(
        &w.emulator,
        "AdminResetUserPassword",
        serde_json::json!({"UserPoolId": w.pool_id, "Username": "lee"}),
    );
    let before = w.emulator.outbox().len();
    let mut b = Browser::new(&w.emulator);
    let page = b.get(&authorize_query(&w, CALLBACK, "rr"));
    let reset = b.sign_in(&page, "lee", PASSWORD);
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert!(
        reset.body.contains("Password reset required for the user"),
        "{}",
        reset.body
    );
    assert!(
        reset.body.contains("action=\"/reset-password\""),
        "{}",
        reset.body
    );
    assert_eq!(w.emulator.outbox().len(), before + 1, "a fresh code");
    let code = w.emulator.last_code("lee").unwrap();
    let done = b.post(
        "/reset-password",
        &form_of(
            &reset,
            &[
                ("code", code.as_str()),
                ("password", "N3wPassw0rd!"),
                ("confirm_password", "N3wPassw0rd!"),
            ],
        ),
    );
    assert!(
        done.body.contains("Your password has been reset"),
        "{}",
        done.body
    );
    let signed_in = b.sign_in(&done, "lee", "N3wPassw0rd!");
    assert_eq!(signed_in.status, 302, "{}", signed_in.body);
}
