//! A session shared with the real amazon-cognito-identity-js through its `CookieStorage`, both
//! ways: the JS SDK (in node, with js-cookie writing a fake `document.cookie`) stores a session
//! and Rust reads its cookies; Rust writes the cookies and the JS SDK's `getSession` reads them.
//! The JS SDK is the one `scripts/setup-peers.sh` installs under `.tools/clients/js`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the JS SDK checks tokens on the real clock"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use cognito_flows::flows::DeviceCredentials;
use cognito_flows::storage::Saved;
use cognito_flows::storage::cookie::{CookieStorage, SameSite, parse_cookie_header};
use cognito_flows::testing::jwt;
use cognito_flows::{StoredSession, Tokens};
use serde_json::{Value, json};

const POOL: &str = "us-east-1_AbC123def";
const CLIENT: &str = "1example23456789";
/// A name with characters js-cookie encodes in cookie names (`@`, a space) and some it does not.
const USERNAME: &str = "alice+test@example.com";

/// The real clients' `node_modules` (installed by `scripts/setup-peers.sh`); the packaged
/// crate's tests are told where it is by `COGNITO_FLOWS_JS_MODULES` (`scripts/package-check`).
fn node_modules() -> PathBuf {
    let dir = std::env::var_os("COGNITO_FLOWS_JS_MODULES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/clients/js/node_modules"),
        PathBuf::from,
    );
    assert!(
        dir.join("amazon-cognito-identity-js").exists(),
        "{} is missing: run scripts/setup-peers.sh",
        dir.display()
    );
    dir
}

/// Runs the JS side (`write` or `read`) with `input` on stdin; its JSON output.
fn js(mode: &str, input: &Value) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/cookie_storage.js");
    let mut child = Command::new("node")
        .arg(script)
        .arg(mode)
        .env("NODE_PATH", node_modules())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "node {mode}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A session whose tokens are valid for an hour on the real clock (the JS SDK's getSession then
/// answers from storage, offline), with a clock drift and a remembered device.
fn session() -> StoredSession {
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let claims = |token_use: &str| {
        json!({"sub": "5b1c", "token_use": token_use, "username": USERNAME,
               "cognito:username": USERNAME, "iat": now - 7, "exp": now + 3600})
    };
    let tokens: Tokens = serde_json::from_value(json!({
        "id_token": jwt(&claims("id")),
        "access_token": jwt(&claims("access")),
        "refresh_token": "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.r=f;resh+/tok",
        "expires_in": 3600,
        "received_at": now,
        "clock_drift": 7,
    }))
    .unwrap();
    StoredSession {
        tokens,
        username: USERNAME.into(),
        device: Some(DeviceCredentials {
            device_key: "us-east-1_0d7e3f9a-1234".into(),
            device_group_key: "-Xy12abc".into(),
            password: "b64/+password==".into(),
        }),
    }
}

fn storage() -> CookieStorage {
    CookieStorage::new()
        .with_domain("app.example")
        .with_expires_days(Some(7))
        .with_same_site(SameSite::Strict)
        .unwrap()
}

/// `name=value` of a `Set-Cookie` value, as the browser sends it back.
fn pair(cookie: &str) -> &str {
    cookie.split("; ").next().unwrap()
}

/// The cookie without its `expires` (the two sides write it a few milliseconds apart).
fn without_expires(cookie: &str) -> String {
    cookie
        .split("; ")
        .filter(|a| !a.starts_with("expires="))
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn the_js_sdk_reads_the_cookies_rust_writes() {
    let s = session();
    let cookies = storage().set_cookies(&s.storage_items(CLIENT), SystemTime::now());
    let header: Vec<&str> = cookies.iter().map(|c| pair(c.expose())).collect();
    let read = js(
        "read",
        &json!({"pool_id": POOL, "client_id": CLIENT, "header": header.join("; ")}),
    );
    assert_eq!(read["username"], USERNAME);
    assert_eq!(
        read["id_token"],
        s.tokens.id_token.as_ref().unwrap().expose()
    );
    assert_eq!(read["access_token"], s.tokens.access_token.expose());
    assert_eq!(read["refresh_token"], s.refresh_token().unwrap().expose());
    assert_eq!(read["clock_drift"], 7);
    let device = s.device.as_ref().unwrap();
    assert_eq!(read["device_key"], device.device_key);
    assert_eq!(read["device_group_key"], device.device_group_key);
    assert_eq!(read["random_password"], device.password.expose());
}

#[test]
fn rust_reads_the_cookies_the_js_sdk_writes_and_writes_the_same_bytes() {
    let s = session();
    let device = s.device.as_ref().unwrap();
    let written = js(
        "write",
        &json!({
            "pool_id": POOL, "client_id": CLIENT, "username": USERNAME,
            "id_token": s.tokens.id_token.as_ref().unwrap().expose(),
            "access_token": s.tokens.access_token.expose(),
            "refresh_token": s.refresh_token().unwrap().expose(),
            "clock_drift": 7,
            "device_key": device.device_key,
            "device_group_key": device.device_group_key,
            "random_password": device.password.expose(),
        }),
    );
    let written: Vec<String> = written
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert!(written.len() >= 8, "{} cookies", written.len());
    // Byte for byte what this crate writes for the same item (the expiry aside).
    let ours = storage();
    for cookie in &written {
        let name_value = pair(cookie);
        let jar = parse_cookie_header(name_value);
        let (name, value) = jar.iter().next().unwrap();
        let mine = ours.set_cookie(name, value.expose(), SystemTime::now());
        assert_eq!(without_expires(cookie), without_expires(mine.expose()));
        assert!(
            cookie.contains("; expires=")
                && cookie.ends_with(" GMT; domain=app.example; secure; sameSite=strict"),
            "{cookie}"
        );
    }
    // The JS SDK writes the last user once per item it caches; the browser keeps the last.
    let mut header = std::collections::BTreeMap::new();
    for cookie in &written {
        let (name, value) = pair(cookie).split_once('=').unwrap();
        header.insert(name.to_owned(), value.to_owned());
    }
    let header: Vec<String> = header.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let saved = Saved::from_cookie_header(CLIENT, &header.join("; ")).unwrap();
    let restored = saved.into_session().unwrap();
    assert_eq!(restored.username, USERNAME);
    assert_eq!(restored.tokens.access_token, s.tokens.access_token);
    assert_eq!(restored.tokens.id_token, s.tokens.id_token);
    assert_eq!(restored.refresh_token(), s.refresh_token());
    assert_eq!(restored.tokens.clock_drift, 7);
    assert_eq!(restored.device, s.device);
    assert!(restored.is_valid(SystemTime::now()));
}
