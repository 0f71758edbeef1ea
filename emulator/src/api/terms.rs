//! Terms documents of app clients: CreateTerms, DescribeTerms, DescribeTermsByClient,
//! UpdateTerms, DeleteTerms, ListTerms. Kept in the pool's record.
//!
//! Checked as the model says: a name of `terms-of-use` or `privacy-policy` (one of each a
//! client: `TermsExistsException`), `TermsSource` `LINK`, `Enforcement` `NONE`, one to thirteen
//! links by managed login language (`cognito:default`, `cognito:spanish`, ...) to URLs of 1 to
//! 1024 characters without white space.
//!
//! They act: once an app client has both documents in English or the default language, the
//! emulator's sign-up page (in English) links to them, `cognito:english` before
//! `cognito:default`, as managed login falls back.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::api::constraints::{client, failed, invalid, one_of, opt_one_of, paging, uuid, visible};
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, listing, missing};
use crate::model::configuration::Terms;
use crate::model::state::Pool;

const NAMES: &[&str] = &["terms-of-use", "privacy-policy"];
/// `LanguageIdType`'s languages, after `cognito:`.
const LANGUAGES: &[&str] = &[
    "default",
    "dutch",
    "english",
    "french",
    "spanish",
    "german",
    "bahasa-indonesia",
    "italian",
    "japanese",
    "korean",
    "portuguese-brazil",
    "chinese-simplified",
    "chinese-traditional",
];

/// `Links`: 1 to 13 languages, each to a URL.
fn links(body: &Value) -> Result<Option<BTreeMap<String, String>>, Fault> {
    let map = match body.get("Links") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(fault("SerializationException", "Links: expected an object")),
    };
    if map.is_empty() || map.len() > 13 {
        return Err(invalid(
            "1 validation error detected: Value at 'links' failed to satisfy constraint: Member \
             must have length between 1 and 13",
        ));
    }
    let mut out = BTreeMap::new();
    for (language, url) in map {
        let url = url
            .as_str()
            .ok_or_else(|| fault("SerializationException", "Links: expected strings"))?;
        if !language
            .strip_prefix("cognito:")
            .is_some_and(|l| LANGUAGES.contains(&l))
        {
            return Err(failed(
                "links",
                language,
                "Map keys must satisfy regular expression pattern: ^cognito:(default|dutch|\
                 english|french|spanish|german|bahasa-indonesia|italian|japanese|korean|\
                 portuguese-brazil|chinese-(simplified|traditional))$",
            ));
        }
        let length = url.chars().count();
        if !(1..=1024).contains(&length) || !url.chars().all(visible) {
            return Err(failed(
                "links",
                url,
                "Map values must have length between 1 and 1024, without white space",
            ));
        }
        out.insert(language.clone(), url.to_owned());
    }
    Ok(Some(out))
}

fn terms_json(pool_id: &str, id: &str, t: &Terms) -> Value {
    json!({
        "TermsId": id, "UserPoolId": pool_id, "ClientId": t.client_id, "TermsName": t.name,
        "TermsSource": t.source, "Enforcement": t.enforcement, "Links": t.links,
        "CreationDate": t.created, "LastModifiedDate": t.modified,
    })
}

fn no_terms(id: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("Terms {id} do not exist."),
    )
}

fn exists(client_id: &str, name: &str) -> Fault {
    fault(
        "TermsExistsException",
        format!("App client {client_id} already has terms named {name}."),
    )
}

/// The id of `client_id`'s terms named `name`.
fn by_name<'a>(pool: &'a Pool, client_id: &str, name: &str) -> Option<&'a String> {
    pool.resources
        .configuration
        .terms
        .iter()
        .find(|(_, t)| t.client_id == client_id && t.name == name)
        .map(|(id, _)| id)
}

/// CreateTerms.
pub(crate) fn create_terms(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = one_of(body, "TermsName", NAMES)?;
    let source = one_of(body, "TermsSource", &["LINK"])?;
    let enforcement = one_of(body, "Enforcement", &["NONE"])?;
    let links = links(body)?.ok_or_else(|| missing("Links"))?;
    let mut state = shared.lock();
    let now = state.unix();
    let id = state.uuid();
    let pool = state.pool_by_id_mut(pool_id)?;
    let client_id = client(pool, body)?.to_owned();
    if by_name(pool, &client_id, name).is_some() {
        return Err(exists(&client_id, name));
    }
    let terms = Terms {
        client_id,
        name: name.into(),
        source: source.into(),
        enforcement: enforcement.into(),
        links,
        created: now,
        modified: now,
    };
    let out = terms_json(pool_id, &id, &terms);
    pool.resources.configuration.terms.insert(id, terms);
    Ok(json!({"Terms": out}))
}

/// DescribeTerms.
pub(crate) fn describe_terms(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = uuid(body, "TermsId", true, false)?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let terms = pool
        .resources
        .configuration
        .terms
        .get(id)
        .ok_or_else(|| no_terms(id))?;
    Ok(json!({"Terms": terms_json(pool_id, id, terms)}))
}

/// DescribeTermsByClient: the client's terms of that name.
pub(crate) fn describe_terms_by_client(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = one_of(body, "TermsName", NAMES)?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let client_id = client(pool, body)?;
    let id = by_name(pool, client_id, name).ok_or_else(|| {
        fault(
            "ResourceNotFoundException",
            format!("App client {client_id} has no terms named {name}."),
        )
    })?;
    let terms = &pool.resources.configuration.terms[id];
    Ok(json!({"Terms": terms_json(pool_id, id, terms)}))
}

/// UpdateTerms: what is given replaces what was set.
pub(crate) fn update_terms(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = uuid(body, "TermsId", true, false)?;
    let name = opt_one_of(body, "TermsName", NAMES)?;
    let source = opt_one_of(body, "TermsSource", &["LINK"])?;
    let enforcement = opt_one_of(body, "Enforcement", &["NONE"])?;
    let links = links(body)?;
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let mut terms = pool
        .resources
        .configuration
        .terms
        .get(id)
        .ok_or_else(|| no_terms(id))?
        .clone();
    if let Some(name) = name {
        if by_name(pool, &terms.client_id, name).is_some_and(|other| other != id) {
            return Err(exists(&terms.client_id, name));
        }
        terms.name = name.into();
    }
    if let Some(source) = source {
        terms.source = source.into();
    }
    if let Some(enforcement) = enforcement {
        terms.enforcement = enforcement.into();
    }
    if let Some(links) = links {
        terms.links = links;
    }
    terms.modified = now;
    let out = terms_json(pool_id, id, &terms);
    pool.resources
        .configuration
        .terms
        .insert(id.to_owned(), terms);
    Ok(json!({"Terms": out}))
}

/// DeleteTerms.
pub(crate) fn delete_terms(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = uuid(body, "TermsId", true, false)?;
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    pool.resources
        .configuration
        .terms
        .remove(id)
        .ok_or_else(|| no_terms(id))?;
    Ok(json!({}))
}

/// ListTerms: the pool's terms by id, `MaxResults` (1 to 60) a page.
pub(crate) fn list_terms(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let (limit, token) = paging(body, 60)?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let items = pool.resources.configuration.terms.iter().map(|(id, t)| {
        let item = json!({
            "TermsId": id, "TermsName": t.name, "Enforcement": t.enforcement,
            "CreationDate": t.created, "LastModifiedDate": t.modified,
        });
        (id.clone(), item)
    });
    listing(items, limit, token, "Terms", "NextToken")
}
