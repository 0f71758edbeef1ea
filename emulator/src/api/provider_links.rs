//! AdminLinkProviderForUser and AdminDisableProviderForUser: a federated identity (a user of
//! one of the pool's identity providers, who has not signed in yet) linked to an existing user,
//! and unlinked. The links are kept in the user's record and shown in the user's `identities`
//! attribute as Cognito shows it (AdminGetUser, ListUsers, GetUser). Checked as the API
//! reference says: the source is one of the pool's providers, never `Cognito`; a social
//! provider's identity is named by `Cognito_Subject`; an identity links to one user; a user has
//! at most five links and one per provider. Disabling the `Cognito` provider of a native user
//! turns their password sign-in off. A linked identity that signs in through its provider
//! (`web/federation.rs`) signs the user it is linked to in.

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault, user_not_found};
use crate::input::{field, opt_object};
use crate::model::provider_links::{LinkedIdentity, MAX_LINKS};
use crate::model::state::{Pool, User};

/// The native users' provider.
const COGNITO: &str = "Cognito";
/// The attribute that names an identity by its subject at the provider.
const SUBJECT: &str = "Cognito_Subject";
/// The social providers, whose identities are always named by [`SUBJECT`].
const SOCIAL: &[&str] = &["Facebook", "Google", "LoginWithAmazon", "SignInWithApple"];

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

/// A `ProviderUserIdentifierType` of the body: provider, attribute name, attribute value.
fn identifier<'a>(body: &'a Value, name: &str) -> Result<(&'a str, &'a str, &'a str), Fault> {
    let Some(user) = opt_object(body, name)? else {
        return Err(crate::input::missing(name));
    };
    let provider = field(user, "ProviderName")?;
    let attribute = crate::input::opt_str(user, "ProviderAttributeName")?.unwrap_or_default();
    let value = crate::input::opt_str(user, "ProviderAttributeValue")?.unwrap_or_default();
    Ok((provider, attribute, value))
}

/// The type of the pool's provider `name`, and the check that a social one's identity is named
/// by its subject.
fn provider_type(pool: &Pool, name: &str, attribute: &str, role: &str) -> Result<String, Fault> {
    let provider = pool
        .resources
        .identity_providers
        .get(name)
        .ok_or_else(|| invalid(format!("Invalid {role}: provider {name} does not exist.")))?;
    if SOCIAL.contains(&provider.provider_type.as_str()) && attribute != SUBJECT {
        return Err(invalid(format!(
            "Invalid {role}: the ProviderAttributeName of a {} user must be {SUBJECT}.",
            provider.provider_type
        )));
    }
    Ok(provider.provider_type.clone())
}

/// Whether `link` is the identity `(provider, attribute, value)`: by subject, or by the
/// attribute it was linked with.
fn names(link: &LinkedIdentity, provider: &str, attribute: &str, value: &str) -> bool {
    link.provider_name == provider
        && link.user_id == value
        && (attribute == SUBJECT || attribute == link.attribute_name)
}

/// Writes the user's `identities` attribute from their links.
fn show(user: &mut User, now: u64) {
    match user.linked.attribute() {
        Some(identities) => user.attributes.insert("identities".into(), identities),
        None => user.attributes.remove("identities"),
    };
    user.modified = now;
}

/// AdminLinkProviderForUser.
pub(crate) fn admin_link_provider_for_user(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let now = state.unix();
    let pool_id = field(body, "UserPoolId")?;
    let destination = identifier(body, "DestinationUser")?;
    let (provider, attribute, value) = identifier(body, "SourceUser")?;
    let pool = state.pool_by_id_mut(pool_id)?;
    if provider == COGNITO {
        return Err(invalid(
            "Invalid SourceUser: Cognito users with a username/password may not be passed in as \
             a SourceUser, only as a DestinationUser",
        ));
    }
    let provider_type = provider_type(pool, provider, attribute, "SourceUser")?;
    // A native user by name; a federated one by `<provider>_<id>`, as Cognito names them.
    let target = match destination {
        (COGNITO, _, name) => pool.find(name),
        (other, _, id) => pool.users.get(&format!("{other}_{id}")),
    }
    .ok_or_else(user_not_found)?
    .username
    .clone();
    if let Some(owner) = pool.users.values().find(|u| {
        u.linked
            .0
            .iter()
            .any(|l| names(l, provider, attribute, value))
    }) {
        if owner.username == target {
            return Ok(json!({}));
        }
        return Err(fault(
            "AliasExistsException",
            "This identity is already linked to another user.",
        ));
    }
    let user = pool.users.get_mut(&target).ok_or_else(user_not_found)?;
    if user.linked.0.iter().any(|l| l.provider_name == provider) {
        return Err(invalid(format!(
            "Invalid SourceUser: the user is already linked to an identity of {provider}."
        )));
    }
    if user.linked.0.len() >= MAX_LINKS {
        return Err(fault(
            "LimitExceededException",
            format!("A user can have at most {MAX_LINKS} linked identities."),
        ));
    }
    user.linked.0.push(LinkedIdentity {
        provider_name: provider.to_owned(),
        provider_type,
        attribute_name: if attribute.is_empty() {
            SUBJECT
        } else {
            attribute
        }
        .to_owned(),
        user_id: value.to_owned(),
        created: now,
    });
    show(user, now);
    Ok(json!({}))
}

/// AdminDisableProviderForUser.
pub(crate) fn admin_disable_provider_for_user(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let now = state.unix();
    let pool_id = field(body, "UserPoolId")?;
    let (provider, attribute, value) = identifier(body, "User")?;
    let pool = state.pool_by_id_mut(pool_id)?;
    if provider == COGNITO {
        if attribute != SUBJECT {
            return Err(invalid(format!(
                "Invalid User: the ProviderAttributeName of a Cognito user must be {SUBJECT}."
            )));
        }
        let username = pool
            .find(value)
            .ok_or_else(user_not_found)?
            .username
            .clone();
        let user = pool.users.get_mut(&username).ok_or_else(user_not_found)?;
        user.password_disabled = true;
        user.modified = now;
        return Ok(json!({}));
    }
    provider_type(pool, provider, attribute, "User")?;
    let owner = pool
        .users
        .values()
        .find(|u| {
            u.linked
                .0
                .iter()
                .any(|l| names(l, provider, attribute, value))
        })
        .ok_or_else(user_not_found)?
        .username
        .clone();
    let user = pool.users.get_mut(&owner).ok_or_else(user_not_found)?;
    user.linked
        .0
        .retain(|l| !names(l, provider, attribute, value));
    show(user, now);
    Ok(json!({}))
}
