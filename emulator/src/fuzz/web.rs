//! The browser side: the hosted UI's pages and form posts with their cookies, `/oauth2/*` and
//! the well-known documents, as a sequence of requests whose forms, cookies, codes and tokens come
//! from the earlier answers now and then.

use std::collections::BTreeMap;

use arbitrary::{Result, Unstructured};
use base64::Engine as _;
use http::{Method, Request, Response};
use serde_json::Value;

use super::model::string;
use super::world::{USERS, World};

/// Where the requests go (`{pool}` is the pool id).
const PATHS: &[&str] = &[
    "/oauth2/authorize",
    "/login",
    "/login/mfa",
    "/signup",
    "/confirm",
    "/logout",
    "/oauth2/token",
    "/oauth2/revoke",
    "/oauth2/userInfo",
    "/{pool}/.well-known/openid-configuration",
    "/{pool}/.well-known/jwks.json",
    "/_emulator/outbox",
    "/login/new-password",
    "/login/otp",
    "/forgot-password",
    "/reset-password",
];

/// The parameters and form fields of those paths.
const KEYS: &[&str] = &[
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "username",
    "password",
    "email",
    "phone_number",
    "code",
    "session",
    "_csrf",
    "grant_type",
    "code_verifier",
    "refresh_token",
    "token",
    "logout_uri",
    "client_secret",
    "pool_id",
    "confirm_password",
    "factor",
    "method",
    "credential",
    "accept_terms",
];

/// The PKCE verifier the requests use, and its S256 challenge.
const VERIFIER: &str = "fuzz-verifier-0123456789-0123456789-0123456789";

/// Marks fuzz-made text: the answers must never carry it unescaped into HTML.
const MARKER: &str = "<fz";

/// What the answers so far revealed.
#[derive(Default)]
struct Browser {
    cookies: BTreeMap<String, String>,
    /// The hidden inputs of the last page.
    hidden: BTreeMap<String, String>,
    /// Values by parameter name (codes, tokens, sessions, ...).
    values: BTreeMap<String, Vec<String>>,
}

impl Browser {
    fn remember(&mut self, key: &str, value: &str) {
        let list = self.values.entry(key.to_owned()).or_default();
        if !list.iter().any(|v| v == value) {
            if list.len() == 6 {
                list.remove(0);
            }
            list.push(value.to_owned());
        }
    }

    fn value(&self, u: &mut Unstructured<'_>, key: &str) -> Result<String> {
        if u.ratio(1, 6)? {
            let mut s = string(u)?;
            if u.ratio(1, 2)? {
                s.insert_str(0, MARKER);
            }
            return Ok(s);
        }
        if let Some(list) = self.values.get(key).filter(|l| !l.is_empty()) {
            return Ok(u.choose(list)?.clone());
        }
        string(u)
    }

    fn params(&self, u: &mut Unstructured<'_>, form: bool) -> Result<Vec<(String, String)>> {
        let mut params: Vec<(String, String)> = Vec::new();
        if form && u.ratio(3, 4)? {
            params.extend(self.hidden.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        for _ in 0..u.int_in_range(0..=6)? {
            let key = if u.ratio(7, 8)? {
                (*u.choose(KEYS)?).to_owned()
            } else {
                string(u)?
            };
            let value = self.value(u, &key)?;
            match params.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) if u.ratio(3, 4)? => slot.1 = value,
                _ => params.push((key, value)),
            }
        }
        Ok(params)
    }

    /// Keeps the cookies set, the page's hidden inputs, and the codes and tokens of an answer.
    fn learn(&mut self, response: &Response<Vec<u8>>) {
        for value in response.headers().get_all("set-cookie") {
            let Some((pair, _)) = value.to_str().unwrap_or_default().split_once(';') else {
                continue;
            };
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        if let Some(location) = response.headers().get("location") {
            let location = location.to_str().unwrap_or_default();
            if let Some((_, query)) = location.split_once('?') {
                for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                    self.remember(&k, &v);
                }
            }
        }
        let body = String::from_utf8_lossy(response.body());
        if body.starts_with('{') {
            if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&body) {
                for (k, v) in map {
                    if let Value::String(s) = v {
                        self.remember(&k, &s);
                        if k == "access_token" || k == "refresh_token" {
                            self.remember("token", &s);
                        }
                    }
                }
            }
            return;
        }
        let mut hidden = BTreeMap::new();
        for input in body.split("<input").skip(1) {
            let attribute = |name: &str| {
                let start = input.find(&format!("{name}=\""))? + name.len() + 2;
                let end = input[start..].find('"')? + start;
                Some(unescape(&input[start..end]))
            };
            if let (Some(name), Some(value)) = (attribute("name"), attribute("value")) {
                self.remember(&name, &value);
                hidden.insert(name, value);
            }
        }
        if !hidden.is_empty() {
            self.hidden = hidden;
        }
    }
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn encode(params: &[(String, String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        out.append_pair(k, v);
    }
    out.finish()
}

/// The hosted UI and `/oauth2/*`: up to 10 requests against one state. Every answer is a page,
/// a redirect or JSON with a status below 500; no page carries fuzz-made markup unescaped; a
/// redirect leaves the emulator only for a registered callback or sign-out URL; `/oauth2/token`
/// answers tokens only for an enabled, confirmed user, and its errors are OAuth errors.
pub fn web(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(flags) = u.arbitrary::<u8>() else {
        return;
    };
    let world = World::new(flags);
    let mut browser = Browser::default();
    let challenge = {
        use sha2::Digest as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(VERIFIER.as_bytes()))
    };
    for (key, value) in [
        ("client_id", world.client.id.as_str()),
        ("redirect_uri", super::world::CALLBACK),
        ("logout_uri", super::world::LOGOUT),
        ("response_type", "code"),
        ("scope", "openid email"),
        ("code_challenge_method", "S256"),
        ("code_challenge", &challenge),
        ("code_verifier", VERIFIER),
        ("grant_type", "authorization_code"),
        ("grant_type", "refresh_token"),
        ("grant_type", "client_credentials"),
        ("pool_id", &world.pool),
        ("state", "st"),
    ] {
        browser.remember(key, value);
    }
    if let Some(secret) = &world.client.secret {
        browser.remember("client_secret", secret);
    }
    for (name, password, ..) in USERS {
        browser.remember("username", name);
        browser.remember("password", password);
        browser.remember("email", &format!("{name}@example.com"));
    }
    for _ in 0..10 {
        if u.is_empty() {
            break;
        }
        let Ok(request) = request(&mut u, &world, &browser) else {
            break;
        };
        let what = format!("{} {}", request.method(), request.uri().path());
        let response = world.answer(request);
        check(&world, &what, &response);
        world.check_state();
        browser.learn(&response);
        for message in world.emulator.outbox().iter().rev().take(3) {
            browser.remember("code", &message.code);
        }
    }
}

fn request(u: &mut Unstructured<'_>, world: &World, browser: &Browser) -> Result<Request<Vec<u8>>> {
    let method = match u.int_in_range(0..=7)? {
        0..=3 => Method::POST,
        4..=6 => Method::GET,
        _ => Method::HEAD,
    };
    let path = if u.ratio(1, 16)? {
        format!("/{}", string(u)?)
    } else {
        u.choose(PATHS)?.replace("{pool}", &world.pool)
    };
    let form = method == Method::POST;
    let query = if u.ratio(1, 16)? {
        string(u)?
    } else if form && u.ratio(2, 3)? {
        String::new()
    } else {
        encode(&browser.params(u, false)?)
    };
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let body = if !form {
        Vec::new()
    } else if u.ratio(1, 16)? {
        string(u)?.into_bytes()
    } else {
        encode(&browser.params(u, true)?).into_bytes()
    };
    let mut builder = Request::builder().method(method);
    builder = match http::Uri::try_from(uri) {
        Ok(uri) => builder.uri(uri),
        Err(_) => builder.uri("/login"),
    };
    builder = builder.header("Content-Type", "application/x-www-form-urlencoded");
    if u.ratio(5, 6)? && !browser.cookies.is_empty() {
        let cookie: Vec<String> = browser
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        builder = builder.header("Cookie", cookie.join("; "));
    }
    if u.ratio(1, 8)? {
        builder = builder.header("Cookie", string(u)?);
    }
    if u.ratio(1, 3)? {
        let authorization = match u.int_in_range(0..=2)? {
            0 => {
                let secret = world.client.secret.as_deref().unwrap_or_default();
                let pair = format!("{}:{secret}", world.client.id);
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            1 => format!("Bearer {}", browser.value(u, "access_token")?),
            _ => string(u)?,
        };
        builder = builder.header("Authorization", authorization);
    }
    Ok(builder
        .body(body)
        .unwrap_or_else(|_| Request::new(Vec::new())))
}

/// What every answer of the browser side must be.
fn check(world: &World, what: &str, response: &Response<Vec<u8>>) {
    let status = response.status().as_u16();
    assert!(status < 500, "{what} answered {status}");
    let body = String::from_utf8_lossy(response.body());
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("text/html") {
        assert!(
            !body.contains(MARKER),
            "{what}: fuzz-made markup reached the page unescaped"
        );
    }
    if content_type.contains("json") {
        let value: Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{what} answered {status} with broken JSON: {e}"));
        if what.ends_with("/oauth2/token") {
            if status == 200 {
                let token = value["access_token"].as_str().unwrap_or_else(|| {
                    panic!("{what} answered 200 without an access token: {value}")
                });
                world.check_tokens(
                    what,
                    &serde_json::json!({"AuthenticationResult": {"AccessToken": token}}),
                );
            } else {
                assert!(
                    value["error"].is_string(),
                    "{what} answered {status} without an OAuth error: {value}"
                );
            }
        }
    }
    if (300..400).contains(&status) {
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what} redirected ({status}) without a Location"));
        let inside = location.starts_with('/') && !location.starts_with("//");
        let registered = [super::world::CALLBACK, super::world::LOGOUT]
            .iter()
            .any(|url| {
                location
                    .strip_prefix(url)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['?', '#']))
            });
        assert!(
            inside || registered,
            "{what} redirected to {location}, neither the emulator nor a registered URL"
        );
    }
}
