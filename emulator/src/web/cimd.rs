//! Client ID metadata documents (CIMD) at `/oauth2/authorize`: a client whose `client_id` is an
//! `https://` URL that one of a pool's CIMD policies allows (`URLPatterns`, `*` matching any
//! run of characters) has its metadata document retrieved from that URL and cached, as Cognito
//! does during the authorize request, until its `Cache-Control` `max-age` (one day to one year)
//! or else the policy's `CacheDuration` (one day by default) runs out on the emulator's clock.
//! A cached document is used, not retrieved, until then, or until UpdateClientMetadataURLState
//! REFRESHes it (the next authorize retrieves it again) or INVALIDATEs it
//! (`api/cimd.rs`); ListClientMetadataURLs lists what is cached.
//!
//! The document is checked as the draft and Cognito's guide say: a JSON object of at most 5 KB
//! whose `client_id` is the URL it came from, with `redirect_uris` and no
//! `token_endpoint_auth_method` other than `none` (CIMD clients are public); anything else is
//! not cached.
//!
//! Once cached, the client signs users in as an app client does, through the login page and the
//! authorization-code flow ([`Inner::cimd_client`]): its redirect URIs are its document's, PKCE
//! is required (it is public: no secret), the code flow must be allowed by both its document
//! (`grant_types`, `response_types`) and the policy's app client, and so must every scope asked.
//! `/oauth2/token` exchanges the code with `client_id` = the URL and no client authentication;
//! the tokens name the URL as their client (`client_id` in the access token, `aud` in the id
//! token: Cognito's guide does not say, this is the emulator's guess) and get the policy's app
//! client's lifetimes. The scripted authorize (`username` and `password` in the query) works
//! for it too; sign-up from its login page does not.
//!
//! On this machine only: the emulator has no TLS client, so it retrieves an `https://` URL of
//! 127.0.0.1, `localhost`, `[::1]` or an allowed host over plain HTTP (the same host, port and
//! path), and no other.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use http_body_util::Full;
use serde_json::Value;

use crate::auth::shared::Shared;
use crate::model::configuration::CachedDocument;
use crate::model::state::Inner;
use crate::triggers::{Failed, exchange_with_headers};
use crate::web::Reply;
use crate::web::federation::{on_the_machine, printable};
use crate::web::login::error_page;

/// How long the emulator waits for a document.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The largest document retrieved (the draft's recommended limit).
const MAX_DOCUMENT: usize = 5 * 1024;
/// `CacheDurationType`'s bounds, and the default: one day to one year, seconds.
const CACHE_MIN: u64 = 86_400;
const CACHE_MAX: u64 = 31_556_952;

/// `GET /oauth2/authorize` whose `client_id` is an `https://` URL: the document retrieved and
/// cached, or a page that says why it cannot be; `None` once it is cached (the login page then
/// takes the request, with [`Inner::cimd_client`]) and for every other request.
pub(crate) async fn route(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
) -> Option<Reply> {
    if path != "/oauth2/authorize" || (*method != Method::GET && *method != Method::HEAD) {
        return None;
    }
    let p: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let client_id = p.get("client_id")?;
    if !client_id.starts_with("https://") {
        return None;
    }
    authorize(shared, client_id).await
}

/// Whether `url` matches `pattern`, where `*` stands for any run of characters.
pub(crate) fn matches(pattern: &str, url: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = url.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The CIMD policy that allows `url`: its pool, its id, its cache duration and the document
/// cached for `url` while it has not expired.
struct Allowed {
    pool_id: String,
    policy_id: String,
    cache_duration: u64,
    fresh: Option<String>,
}

fn allowed(shared: &Shared, url: &str) -> Option<Allowed> {
    let state = shared.lock();
    let now = state.unix();
    state.pools.values().find_map(|pool| {
        pool.resources
            .configuration
            .cimd_policies
            .iter()
            .find(|(_, p)| p.url_patterns.iter().any(|pattern| matches(pattern, url)))
            .map(|(id, p)| Allowed {
                pool_id: pool.id.clone(),
                policy_id: id.clone(),
                cache_duration: p.cache_duration.unwrap_or(CACHE_MIN),
                fresh: p
                    .cached
                    .get(url)
                    .filter(|c| c.expires > now)
                    .map(|c| c.document.clone()),
            })
    })
}

async fn authorize(shared: &Shared, url: &str) -> Option<Reply> {
    let Some(allowed) = allowed(shared, url) else {
        return Some(error_page(
            400,
            &format!(
                "{} is not a client metadata URL that a CIMD policy of this user pool allows.",
                printable(url)
            ),
        ));
    };
    if allowed.fresh.is_some() {
        return None;
    }
    match retrieve(shared, url).await {
        Ok((document, max_age)) => {
            let mut state = shared.lock();
            let now = state.unix();
            let lifetime = max_age
                .filter(|age| (CACHE_MIN..=CACHE_MAX).contains(age))
                .unwrap_or(allowed.cache_duration);
            if let Some(policy) = state.pools.get_mut(&allowed.pool_id).and_then(|p| {
                p.resources
                    .configuration
                    .cimd_policies
                    .get_mut(&allowed.policy_id)
            }) {
                policy.cached.insert(
                    url.to_owned(),
                    CachedDocument {
                        document,
                        cached: now,
                        expires: now.saturating_add(lifetime),
                    },
                );
            }
            None
        }
        Err(why) => Some(error_page(400, &why)),
    }
}

/// A client identified by its metadata URL, as the login page and the token endpoint see it.
pub(crate) struct CimdClient {
    /// The pool of the CIMD policy that cached its document.
    pub pool_id: String,
    /// The policy's app client: its OAuth flows and scopes bound the client's, its settings
    /// apply to the tokens.
    pub app_client: String,
    /// The document's `redirect_uris`: the client's registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Whether the document allows the authorization-code flow.
    pub code_flow: bool,
}

impl CimdClient {
    /// Why an authorization request of this client is refused, in the login page's
    /// `error: description` form: a document without the code flow, or no PKCE (the client is
    /// public).
    pub(crate) fn refusal(&self, code_challenge: bool) -> Option<String> {
        if !self.code_flow {
            return Some(
                "unauthorized_client: the client metadata document does not allow the \
                 authorization code flow (grant_types, response_types)."
                    .into(),
            );
        }
        (!code_challenge).then(|| {
            "invalid_request: a client identified by its metadata document is public: \
             code_challenge (PKCE, S256) is required."
                .into()
        })
    }
}

impl Inner {
    /// The client identified by the metadata URL `url`, while a CIMD policy has its document
    /// cached (retrieved by the authorize request that came first; INVALIDATE forgets it).
    pub(crate) fn cimd_client(&self, url: &str) -> Option<CimdClient> {
        self.pools.values().find_map(|pool| {
            pool.resources
                .configuration
                .cimd_policies
                .values()
                .find_map(|policy| {
                    let cached = policy.cached.get(url)?;
                    let document = check_document(url, cached.document.as_bytes()).ok()?;
                    Some(CimdClient {
                        pool_id: pool.id.clone(),
                        app_client: policy.client_id.clone(),
                        redirect_uris: document.redirect_uris,
                        code_flow: document.code_flow,
                    })
                })
        })
    }
}

/// Retrieves and checks the document at `url`: its text and its `Cache-Control` max-age.
async fn retrieve(shared: &Shared, url: &str) -> Result<(String, Option<u64>), String> {
    let shown = printable(url);
    let mut parsed =
        url::Url::parse(url).map_err(|_| format!("{shown} is not a client metadata URL."))?;
    on_the_machine(shared, &parsed)?;
    // No TLS client: the same host, port and path over plain HTTP.
    parsed
        .set_scheme("http")
        .map_err(|()| format!("{shown} is not a client metadata URL."))?;
    let uri: http::Uri = parsed
        .as_str()
        .parse()
        .map_err(|_| format!("{shown} is not a client metadata URL."))?;
    let request = http::Request::get(uri)
        .header("Accept", "application/json")
        .header("User-Agent", "cognito-emulator")
        .body(Full::new(Bytes::new()))
        .map_err(|_| format!("{shown} is not a client metadata URL."))?;
    let (status, headers, body) = exchange_with_headers(request, TIMEOUT, MAX_DOCUMENT)
        .await
        .map_err(|failed| match failed {
            Failed::Unreachable => {
                format!("The client metadata document at {shown} is unreachable.")
            }
            Failed::Body => format!(
                "The client metadata document at {shown} is larger than {MAX_DOCUMENT} bytes."
            ),
            Failed::Timeout => {
                format!("The client metadata document at {shown} did not come in time.")
            }
        })?;
    if status != http::StatusCode::OK {
        return Err(format!(
            "The client metadata document at {shown} answered HTTP {}.",
            status.as_u16()
        ));
    }
    let document = check_document(url, &body)?;
    let max_age = headers
        .get_all(http::header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|d| d.trim().strip_prefix("max-age=")?.parse().ok());
    Ok((document.text, max_age))
}

/// A client metadata document that passed [`check_document`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document {
    /// Its `redirect_uris`: at least one, each a string.
    pub redirect_uris: Vec<String>,
    /// Whether it allows the authorization-code flow: `grant_types` without it or leaving out
    /// `authorization_code`, or `response_types` leaving out `code`, do not (RFC 7591's
    /// defaults are those).
    pub code_flow: bool,
    /// The document as it was served: the JSON text that is cached.
    pub text: String,
}

/// Checks the document retrieved from `url` as the draft and Cognito's guide say: a JSON object
/// whose `client_id` is `url`, with `redirect_uris` (a non-empty list of strings) and no
/// `token_endpoint_auth_method` other than `none`. The refusal says why, in words that show at
/// most 200 printable characters of `url`.
pub(crate) fn check_document(url: &str, body: &[u8]) -> Result<Document, String> {
    let shown = printable(url);
    let invalid = |why: &str| format!("The client metadata document at {shown} {why}.");
    let document: Value = serde_json::from_slice(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| invalid("is not a JSON object"))?;
    if document.get("client_id").and_then(Value::as_str) != Some(url) {
        return Err(invalid("names another client_id"));
    }
    let redirect_uris: Vec<String> = document
        .get("redirect_uris")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .and_then(|r| {
            r.iter()
                .map(|uri| uri.as_str().map(str::to_owned))
                .collect()
        })
        .ok_or_else(|| invalid("has no redirect_uris"))?;
    match document.get("token_endpoint_auth_method") {
        None => {}
        Some(Value::String(method)) if method == "none" => {}
        Some(_) => {
            return Err(invalid(
                "is not a public client's (token_endpoint_auth_method)",
            ));
        }
    }
    let lists = |field: &str, value: &str| match document.get(field) {
        None => true,
        Some(Value::Array(listed)) => listed.iter().any(|v| v == value),
        Some(_) => false,
    };
    let code_flow = lists("grant_types", "authorization_code") && lists("response_types", "code");
    // As served (JSON that parsed is UTF-8): the parsed value written out again could differ
    // in its numbers.
    let text = String::from_utf8_lossy(body).into_owned();
    Ok(Document {
        redirect_uris,
        code_flow,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::{check_document, matches};

    /// The cache holds the document as it was served, byte for byte: a number is not rewritten
    /// (serde_json's default float parsing is not always correctly rounded, so writing the
    /// parsed value out again changed `333333333333366666666666660` into `3.3333333333366666e+28`,
    /// and that text, checked again, into `3.333333333336666e+28`: found by the
    /// `emulator_cimd_document` fuzz target).
    #[test]
    fn the_cached_text_is_the_document_as_served() {
        let url = "https://127.0.0.1:9/client.json";
        let served = format!(
            "{{\"client_id\": \"{url}\", \"n\": 333333333333366666666666660,\n \"redirect_uris\": [\"x\"] }}"
        );
        let document = check_document(url, served.as_bytes()).unwrap();
        assert_eq!(document.text, served);
        assert_eq!(
            check_document(url, document.text.as_bytes()).unwrap(),
            document
        );
    }

    #[test]
    fn a_star_matches_any_run_of_characters() {
        assert!(matches(
            "https://apps.example.com/*",
            "https://apps.example.com/a/b.json"
        ));
        assert!(matches(
            "https://*.example.com/c.json",
            "https://x.example.com/c.json"
        ));
        assert!(matches(
            "https://a.example/c.json",
            "https://a.example/c.json"
        ));
        assert!(!matches(
            "https://a.example/c.json",
            "https://a.example/c.jsonx"
        ));
        assert!(!matches(
            "https://apps.example.com/*",
            "https://evil.example/apps.example.com/"
        ));
        assert!(!matches("https://*.example.com/*", "https://example.org/"));
        assert!(matches("https://*/*", "https://h/p"));
    }
}
