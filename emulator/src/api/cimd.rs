//! Client ID metadata document (CIMD) policies: CreateCIMDPolicy, DescribeCIMDPolicy,
//! UpdateCIMDPolicy, DeleteCIMDPolicy, ListCIMDPolicies, and the URLs a policy has cached:
//! ListClientMetadataURLs, UpdateClientMetadataURLState. Kept in the pool's record.
//!
//! Checked as the model says: a policy name of 1 to 32 characters (no control characters), a
//! cache duration of one day to one year in seconds, one to five `https://` URL patterns of 12 to
//! 256 characters of the model's set (`*` is the wildcard). DescribeCIMDPolicy leaves out the
//! `ClientId` of an app client deleted since, as Cognito does.
//!
//! The documents a policy has cached are those `/oauth2/authorize` retrieved for CIMD clients
//! (`web/cimd.rs`, on this machine only): ListClientMetadataURLs lists them with their
//! `CachedDate` and `ExpirationDate`; UpdateClientMetadataURLState REFRESHes one (it expires
//! now, so the next authorize retrieves it again) or INVALIDATEs it (removed), and answers
//! `CachedCIMDURLDoesNotExistException` for a URL the policy has not cached.

use serde_json::{Value, json};

use crate::api::constraints::{client, failed, opt_list, opt_text, paging, printable, text};
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, listing, missing, opt_int};
use crate::model::configuration::CimdPolicy;
use crate::model::state::Pool;

/// `CacheDurationType`: one day to one year, seconds.
const CACHE_MIN: u64 = 86_400;
const CACHE_MAX: u64 = 31_556_952;

/// `^https://[!$-;=@-\[\]_a-z~]+$`.
fn pattern_char(c: char) -> bool {
    matches!(c, '!' | '$'..=';' | '=' | '@'..='[' | ']' | '_' | 'a'..='z' | '~')
}

/// `URLPatterns`: one to five.
fn url_patterns(body: &Value) -> Result<Vec<String>, Fault> {
    let items = opt_list(body, "URLPatterns", 1, 5)?.ok_or_else(|| missing("URLPatterns"))?;
    items
        .iter()
        .map(|item| {
            let url = item
                .as_str()
                .ok_or_else(|| fault("SerializationException", "URLPatterns: expected strings"))?;
            let length = url.chars().count();
            let rest = url.strip_prefix("https://").unwrap_or("");
            if !(12..=256).contains(&length) || rest.is_empty() || !rest.chars().all(pattern_char)
            {
                return Err(failed(
                    "urlPatterns",
                    url,
                    "Member must satisfy regular expression pattern: ^https://[!$-;=@-\\[\\]_a-z~]+$",
                ));
            }
            Ok(url.to_owned())
        })
        .collect()
}

fn policy_id(body: &Value) -> Result<&str, Fault> {
    text(body, "CIMDPolicyId", 1, 64, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit()
    })
}

fn policy<'a>(pool: &'a Pool, id: &str) -> Result<&'a CimdPolicy, Fault> {
    pool.resources
        .configuration
        .cimd_policies
        .get(id)
        .ok_or_else(|| no_policy(id))
}

fn no_policy(id: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("CIMD policy {id} does not exist."),
    )
}

fn policy_json(pool: &Pool, id: &str, p: &CimdPolicy, summary: bool) -> Value {
    let mut out = json!({
        "CIMDPolicyId": id, "PolicyName": p.name,
        "CreationDate": p.created, "LastModifiedDate": p.modified,
    });
    if !summary {
        out["UserPoolId"] = json!(pool.id);
        out["URLPatterns"] = json!(p.url_patterns);
    }
    if pool.clients.contains_key(&p.client_id) {
        out["ClientId"] = json!(p.client_id);
    }
    if let Some(seconds) = p.cache_duration {
        out["CacheDuration"] = json!(seconds);
    }
    out
}

/// CreateCIMDPolicy.
pub(crate) fn create_cimd_policy(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = text(body, "PolicyName", 1, 32, printable)?.to_owned();
    let cache_duration = opt_int(body, "CacheDuration", CACHE_MIN, CACHE_MAX)?;
    let url_patterns = url_patterns(body)?;
    let mut state = shared.lock();
    let now = state.unix();
    let id = state.alnum(26).to_ascii_lowercase();
    let pool = state.pool_by_id_mut(pool_id)?;
    let client_id = client(pool, body)?.to_owned();
    let created = CimdPolicy {
        client_id,
        name,
        cache_duration,
        url_patterns,
        created: now,
        modified: now,
        cached: std::collections::BTreeMap::new(),
    };
    let out = policy_json(pool, &id, &created, false);
    pool.resources
        .configuration
        .cimd_policies
        .insert(id, created);
    Ok(json!({"CIMDPolicy": out}))
}

/// DescribeCIMDPolicy.
pub(crate) fn describe_cimd_policy(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = policy_id(body)?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let p = policy(pool, id)?;
    Ok(json!({"CIMDPolicy": policy_json(pool, id, p, false)}))
}

/// UpdateCIMDPolicy: the client and the patterns replaced; the name and the cache duration
/// when given.
pub(crate) fn update_cimd_policy(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = policy_id(body)?;
    let name = opt_text(body, "PolicyName", 1, 32, printable)?.map(str::to_owned);
    let cache_duration = opt_int(body, "CacheDuration", CACHE_MIN, CACHE_MAX)?;
    let url_patterns = url_patterns(body)?;
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let client_id = client(pool, body)?.to_owned();
    let mut p = policy(pool, id)?.clone();
    p.client_id = client_id;
    p.url_patterns = url_patterns;
    if let Some(name) = name {
        p.name = name;
    }
    if cache_duration.is_some() {
        p.cache_duration = cache_duration;
    }
    p.modified = now;
    let out = policy_json(pool, id, &p, false);
    pool.resources
        .configuration
        .cimd_policies
        .insert(id.to_owned(), p);
    Ok(json!({"CIMDPolicy": out}))
}

/// DeleteCIMDPolicy.
pub(crate) fn delete_cimd_policy(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = policy_id(body)?;
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    pool.resources
        .configuration
        .cimd_policies
        .remove(id)
        .ok_or_else(|| no_policy(id))?;
    Ok(json!({}))
}

/// ListCIMDPolicies: by id, `MaxResults` (1 to 60) a page.
pub(crate) fn list_cimd_policies(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let (limit, token) = paging(body, 60)?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let items = pool
        .resources
        .configuration
        .cimd_policies
        .iter()
        .map(|(id, p)| (id.clone(), policy_json(pool, id, p, true)));
    listing(items, limit, token, "CIMDPolicies", "NextToken")
}

/// ListClientMetadataURLs: the URLs of the documents the policy has cached, by URL,
/// `MaxResults` (1 to 60) a page.
pub(crate) fn list_client_metadata_urls(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = policy_id(body)?;
    let (limit, token) = paging(body, 60)?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let items = policy(pool, id)?.cached.iter().map(|(url, cached)| {
        (
            url.clone(),
            json!({"URL": url, "CachedDate": cached.cached, "ExpirationDate": cached.expires}),
        )
    });
    listing(items, limit, token, "ClientMetadataURLs", "NextToken")
}

/// UpdateClientMetadataURLState: REFRESH makes a cached document expire now (the next
/// `/oauth2/authorize` of its client retrieves it again); INVALIDATE removes it.
pub(crate) fn update_client_metadata_url_state(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = policy_id(body)?;
    let url = text(body, "URL", 12, 256, |c| !c.is_whitespace())?;
    if !url.starts_with("https://") || url.len() == "https://".len() {
        return Err(failed(
            "url",
            url,
            "Member must satisfy regular expression pattern: ^https://[^\\s]+$",
        ));
    }
    let action = crate::api::constraints::one_of(body, "Action", &["REFRESH", "INVALIDATE"])?;
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    policy(pool, id)?;
    let cached = pool
        .resources
        .configuration
        .cimd_policies
        .get_mut(id)
        .map(|p| &mut p.cached);
    let not_cached = || {
        fault(
            "CachedCIMDURLDoesNotExistException",
            format!("There is no cached client metadata document for {url}."),
        )
    };
    let Some(cached) = cached else {
        return Err(not_cached());
    };
    if action == "INVALIDATE" {
        cached.remove(url).ok_or_else(not_cached)?;
    } else {
        cached.get_mut(url).ok_or_else(not_cached)?.expires = now;
    }
    Ok(json!({}))
}
