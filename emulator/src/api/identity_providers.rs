//! Federated identity providers of a pool: CreateIdentityProvider, DescribeIdentityProvider,
//! UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders,
//! GetIdentityProviderByIdentifier. Kept in the pool's record with their details, attribute
//! mapping and identifiers. `ProviderDetails` are answered as given, without the URLs Cognito
//! derives from the issuer; an OIDC provider signs users in through the hosted UI
//! (`web/federation.rs`, which reads its details and discovers what they lack at sign-in).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, listing, opt_int, opt_str};
use crate::model::resources::IdentityProvider;

/// The social providers, each of which must be named as its type.
const SOCIAL: &[&str] = &["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"];
/// Every provider type of the model.
const TYPES: &[&str] = &[
    "SAML",
    "OIDC",
    "Google",
    "Facebook",
    "LoginWithAmazon",
    "SignInWithApple",
];
/// Cognito's quota of identity providers a pool.
const MAX_PROVIDERS: usize = 300;

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

fn no_provider(name: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("Identity provider {name} does not exist."),
    )
}

/// A map of strings (absent: empty).
fn string_map(body: &Value, name: &str) -> Result<Option<BTreeMap<String, String>>, Fault> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|v| (k.clone(), v.to_owned()))
                    .ok_or_else(|| {
                        fault(
                            "SerializationException",
                            format!("{name}: expected strings"),
                        )
                    })
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(_) => Err(fault(
            "SerializationException",
            format!("{name}: expected an object"),
        )),
    }
}

/// `IdpIdentifiers`: at most 50, each 1 to 40 word characters, spaces or `+=.@-`.
fn identifiers(body: &Value) -> Result<Option<Vec<String>>, Fault> {
    let list = match body.get("IdpIdentifiers") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| fault("SerializationException", "IdpIdentifiers: expected strings"))?,
        Some(_) => {
            return Err(fault(
                "SerializationException",
                "IdpIdentifiers: expected a list",
            ));
        }
    };
    if list.len() > 50 {
        return Err(invalid("A provider has at most 50 identifiers."));
    }
    for id in &list {
        let ok = (1..=40).contains(&id.chars().count())
            && id.chars().all(|c| {
                c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=.@-".contains(c)
            });
        if !ok {
            return Err(invalid(format!("Invalid IdpIdentifier: {id}")));
        }
    }
    Ok(Some(list))
}

/// The details a provider of `kind` must have, as Cognito's API reference lists them.
fn check_details(kind: &str, details: &BTreeMap<String, String>) -> Result<(), Fault> {
    let has = |key: &str| details.get(key).is_some_and(|v| !v.is_empty());
    let needed: &[&str] = match kind {
        "OIDC" => &[
            "client_id",
            "authorize_scopes",
            "oidc_issuer",
            "attributes_request_method",
        ],
        "Google" | "Facebook" | "LoginWithAmazon" => {
            &["client_id", "client_secret", "authorize_scopes"]
        }
        "SignInWithApple" => &[
            "client_id",
            "team_id",
            "key_id",
            "private_key",
            "authorize_scopes",
        ],
        _ => &[],
    };
    if let Some(key) = needed.iter().find(|k| !has(k)) {
        return Err(invalid(format!(
            "{key} is required for {kind} identity providers."
        )));
    }
    if kind == "SAML" && !has("MetadataURL") && !has("MetadataFile") {
        return Err(invalid(
            "MetadataURL or MetadataFile is required for SAML identity providers.",
        ));
    }
    if kind == "OIDC"
        && !matches!(
            details.get("attributes_request_method").map(String::as_str),
            Some("GET" | "POST")
        )
    {
        return Err(invalid("attributes_request_method must be GET or POST."));
    }
    Ok(())
}

fn provider_json(pool_id: &str, name: &str, p: &IdentityProvider) -> Value {
    json!({
        "UserPoolId": pool_id, "ProviderName": name, "ProviderType": p.provider_type,
        "ProviderDetails": p.details, "AttributeMapping": p.attribute_mapping,
        "IdpIdentifiers": p.idp_identifiers,
        "CreationDate": p.created, "LastModifiedDate": p.modified,
    })
}

/// Whether another provider of the pool (not `except`) has one of `ids`.
fn identifier_taken(
    providers: &BTreeMap<String, IdentityProvider>,
    except: &str,
    ids: &[String],
) -> Option<String> {
    providers
        .iter()
        .filter(|(name, _)| name.as_str() != except)
        .flat_map(|(_, p)| &p.idp_identifiers)
        .find(|id| ids.contains(id))
        .cloned()
}

/// CreateIdentityProvider.
pub(crate) fn create_identity_provider(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "ProviderName")?;
    let kind = field(body, "ProviderType")?;
    if !TYPES.contains(&kind) {
        return Err(invalid(format!(
            "1 validation error detected: Value '{kind}' at 'providerType' failed to satisfy \
             constraint: Member must satisfy enum value set: {TYPES:?}"
        )));
    }
    let chars: Vec<char> = name.chars().collect();
    let name_ok = (3..=32).contains(&chars.len())
        && !chars.iter().any(|c| *c == '_' || c.is_whitespace())
        && !name.eq_ignore_ascii_case("cognito");
    if !name_ok {
        return Err(invalid(format!(
            "Invalid ProviderName {name:?}: 3 to 32 characters, no spaces or underscores."
        )));
    }
    if (SOCIAL.contains(&kind) || SOCIAL.contains(&name)) && kind != name {
        return Err(invalid(format!(
            "A {kind} identity provider must be named {kind}."
        )));
    }
    let details = string_map(body, "ProviderDetails")?
        .ok_or_else(|| crate::input::missing("ProviderDetails"))?;
    check_details(kind, &details)?;
    let attribute_mapping = string_map(body, "AttributeMapping")?.unwrap_or_default();
    let idp_identifiers = identifiers(body)?.unwrap_or_default();
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let providers = &mut pool.resources.identity_providers;
    if providers.contains_key(name) {
        return Err(fault(
            "DuplicateProviderException",
            format!("A provider with the name {name} already exists in this user pool."),
        ));
    }
    if let Some(id) = identifier_taken(providers, name, &idp_identifiers) {
        return Err(fault(
            "DuplicateProviderException",
            format!("The identifier {id} is already used by another provider of this user pool."),
        ));
    }
    if providers.len() >= MAX_PROVIDERS {
        return Err(fault(
            "LimitExceededException",
            format!("A user pool can have at most {MAX_PROVIDERS} identity providers."),
        ));
    }
    let provider = IdentityProvider {
        provider_type: kind.to_owned(),
        details,
        attribute_mapping,
        idp_identifiers,
        created: now,
        modified: now,
    };
    let answer = provider_json(pool_id, name, &provider);
    providers.insert(name.to_owned(), provider);
    Ok(json!({"IdentityProvider": answer}))
}

/// DescribeIdentityProvider.
pub(crate) fn describe_identity_provider(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "ProviderName")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let provider = pool
        .resources
        .identity_providers
        .get(name)
        .ok_or_else(|| no_provider(name))?;
    Ok(json!({"IdentityProvider": provider_json(pool_id, name, provider)}))
}

/// UpdateIdentityProvider: what is given replaces what was (details are checked again).
pub(crate) fn update_identity_provider(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "ProviderName")?;
    let details = string_map(body, "ProviderDetails")?;
    let mapping = string_map(body, "AttributeMapping")?;
    let ids = identifiers(body)?;
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let providers = &mut pool.resources.identity_providers;
    let kind = providers
        .get(name)
        .ok_or_else(|| no_provider(name))?
        .provider_type
        .clone();
    if let Some(details) = &details {
        check_details(&kind, details)?;
    }
    if let Some(ids) = &ids
        && let Some(id) = identifier_taken(providers, name, ids)
    {
        return Err(invalid(format!(
            "The identifier {id} is already used by another provider of this user pool."
        )));
    }
    let provider = providers.get_mut(name).ok_or_else(|| no_provider(name))?;
    if let Some(details) = details {
        provider.details = details;
    }
    if let Some(mapping) = mapping {
        provider.attribute_mapping = mapping;
    }
    if let Some(ids) = ids {
        provider.idp_identifiers = ids;
    }
    provider.modified = now;
    Ok(json!({"IdentityProvider": provider_json(pool_id, name, provider)}))
}

/// DeleteIdentityProvider.
pub(crate) fn delete_identity_provider(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "ProviderName")?;
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    pool.resources
        .identity_providers
        .remove(name)
        .ok_or_else(|| no_provider(name))?;
    Ok(json!({}))
}

/// ListIdentityProviders: by name, `MaxResults` (1 to 60, default 60) a page.
pub(crate) fn list_identity_providers(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let limit = opt_int(body, "MaxResults", 1, 60)?.unwrap_or(60);
    let token = opt_str(body, "NextToken")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let items = pool.resources.identity_providers.iter().map(|(name, p)| {
        (
            name.clone(),
            json!({"ProviderName": name, "ProviderType": p.provider_type,
                   "CreationDate": p.created, "LastModifiedDate": p.modified}),
        )
    });
    listing(items, limit, token, "Providers", "NextToken")
}

/// GetIdentityProviderByIdentifier: the provider with that `IdpIdentifier`.
pub(crate) fn get_identity_provider_by_identifier(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = field(body, "IdpIdentifier")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let (name, provider) = pool
        .resources
        .identity_providers
        .iter()
        .find(|(_, p)| p.idp_identifiers.iter().any(|i| i == id))
        .ok_or_else(|| {
            fault(
                "ResourceNotFoundException",
                format!("No identity provider has the identifier {id}."),
            )
        })?;
    Ok(json!({"IdentityProvider": provider_json(pool_id, name, provider)}))
}
