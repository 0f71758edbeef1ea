//! The check of a client metadata document (`web/cimd.rs`), against a model: the fuzzer picks
//! each field right, wrong or absent (`client_id` as the URL, another URL, a number;
//! `redirect_uris` as a list of strings, an empty list, a list with a number in it, a string;
//! `token_endpoint_auth_method` as `none`, a confidential client's method, `null`;
//! `grant_types` and `response_types` with or without the code flow) and extra fields, for one
//! of a few client metadata URLs; the check must accept exactly the documents the model
//! accepts, and say whether they allow the code flow as the model does. Or arbitrary bytes as the document, which must be refused without a panic
//! unless they are a document the check's promises hold for. Whatever is accepted names the
//! client_id, has redirect_uris (each a string), is a public client's, and is accepted again, as
//! the same document, from the text that is cached.

use arbitrary::{Result, Unstructured};
use serde_json::{Value, json};

use crate::web::cimd::{Document, check_document};

/// Client metadata URLs: plain, with a port, a query, characters a URL may hold, control
/// characters and one long enough to be cut in messages.
const URLS: &[&str] = &[
    "https://127.0.0.1:9/client.json",
    "https://app.example.com/oauth/client-metadata.json",
    "https://localhost/c?v=1",
    "https://x.example/\u{e9}/\"quoted\"",
    "https://x.example/line\nbreak",
    "https://long.example/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json",
];

/// Strings a redirect URI or an extra field may hold.
const TEXTS: &[&str] = &[
    "https://app.example.com/cb",
    "http://127.0.0.1:8080/callback",
    "com.example.app:/cb",
    "",
    "<script>",
    "\u{0}",
];

/// What the check must answer for a document the model accepts.
struct Expected {
    uris: Vec<String>,
    code_flow: bool,
}

/// A document built from the fuzzer's choices, and what the check must say of it: accepted
/// (`Some`), with these redirect URIs and code flow, or refused.
fn model(u: &mut Unstructured<'_>, url: &str) -> Result<(Value, Option<Expected>)> {
    let mut document = serde_json::Map::new();
    let mut good = true;
    match u.int_in_range(0..=5u8)? {
        0 => good = false,
        1 => {
            document.insert("client_id".into(), json!(format!("{url}/")));
            good = false;
        }
        2 => {
            document.insert("client_id".into(), json!(7));
            good = false;
        }
        _ => {
            document.insert("client_id".into(), json!(url));
        }
    }
    let mut uris = Vec::new();
    for _ in 0..u.int_in_range(0..=3u8)? {
        uris.push((*u.choose(TEXTS)?).to_owned());
    }
    match u.int_in_range(0..=5u8)? {
        0 => good = false,
        1 => {
            document.insert("redirect_uris".into(), json!("https://app.example.com/cb"));
            good = false;
        }
        2 => {
            let mut listed: Vec<Value> = uris.iter().map(|uri| json!(uri)).collect();
            listed.push(json!(1));
            document.insert("redirect_uris".into(), Value::Array(listed));
            good = false;
        }
        _ => {
            good &= !uris.is_empty();
            document.insert("redirect_uris".into(), json!(uris));
        }
    }
    match u.int_in_range(0..=4u8)? {
        0 => {}
        1 => {
            document.insert("token_endpoint_auth_method".into(), json!("none"));
        }
        2 => {
            let method = *u.choose(&[
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
                "None",
            ])?;
            document.insert("token_endpoint_auth_method".into(), json!(method));
            good = false;
        }
        3 => {
            document.insert("token_endpoint_auth_method".into(), Value::Null);
            good = false;
        }
        _ => {
            document.insert("client_name".into(), json!(*u.choose(TEXTS)?));
        }
    }
    // The code flow: allowed unless `grant_types` or `response_types` is there without it.
    let mut code_flow = true;
    for (field, value, other) in [
        ("grant_types", "authorization_code", "refresh_token"),
        ("response_types", "code", "token"),
    ] {
        match u.int_in_range(0..=4u8)? {
            0 => {
                document.insert(field.into(), json!([other]));
                code_flow = false;
            }
            1 => {
                document.insert(field.into(), json!(value));
                code_flow = false;
            }
            2 => {
                document.insert(field.into(), json!([other, value]));
            }
            3 => {
                document.insert(field.into(), json!([]));
                code_flow = false;
            }
            _ => {}
        }
    }
    Ok((
        Value::Object(document),
        good.then_some(Expected { uris, code_flow }),
    ))
}

/// What every accepted document promises.
fn promises(url: &str, accepted: &Document) {
    let parsed: Value = serde_json::from_str(&accepted.text)
        .unwrap_or_else(|e| panic!("the cached text is not JSON ({e}): {}", accepted.text));
    assert_eq!(
        parsed.get("client_id"),
        Some(&json!(url)),
        "{}",
        accepted.text
    );
    assert!(!accepted.redirect_uris.is_empty(), "{}", accepted.text);
    assert_eq!(
        parsed.get("redirect_uris"),
        Some(&json!(accepted.redirect_uris))
    );
    assert!(
        matches!(
            parsed.get("token_endpoint_auth_method"),
            None | Some(Value::String(_))
        ) && parsed
            .get("token_endpoint_auth_method")
            .is_none_or(|m| m == "none"),
        "a confidential client's document is accepted: {}",
        accepted.text
    );
    let again = check_document(url, accepted.text.as_bytes())
        .unwrap_or_else(|e| panic!("the cached text is refused ({e}): {}", accepted.text));
    assert_eq!(
        &again, accepted,
        "the cached text checks as another document"
    );
}

/// A refusal's message: one sentence about the document, with no control character of the URL.
fn refusal(message: &str) {
    assert!(
        message.starts_with("The client metadata document at ") && message.ends_with('.'),
        "{message}"
    );
    assert!(!message.chars().any(char::is_control), "{message:?}");
}

/// The fuzz body: the first byte chooses the URL and the model (even) or arbitrary bytes (odd).
pub fn cimd_document(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let url = URLS[usize::from(mode / 2) % URLS.len()];
    if mode % 2 == 0 {
        let mut u = Unstructured::new(rest);
        let Ok((document, expected)) = model(&mut u, url) else {
            return;
        };
        let checked = check_document(url, document.to_string().as_bytes());
        match (&checked, expected) {
            (Ok(accepted), Some(expected)) => {
                assert_eq!(accepted.redirect_uris, expected.uris, "{document}");
                assert_eq!(accepted.code_flow, expected.code_flow, "{document}");
                promises(url, accepted);
            }
            (Err(message), None) => refusal(message),
            (checked, expected) => panic!(
                "model says {:?}, check says {checked:?} for {document}",
                expected.is_some()
            ),
        }
        return;
    }
    match check_document(url, rest) {
        Ok(accepted) => promises(url, &accepted),
        Err(message) => refusal(&message),
    }
}
