//! The federated identities linked to a native user (AdminLinkProviderForUser), kept in the
//! user's record, and the `identities` attribute Cognito shows for them.

use serde::{Deserialize, Serialize};

/// Cognito's limit of identities linked to one user.
pub(crate) const MAX_LINKS: usize = 5;

/// One identity of an external provider linked to a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct LinkedIdentity {
    /// The pool's identity provider (`ProviderName`).
    pub provider_name: String,
    /// Its `ProviderType` (`Google`, `OIDC`, `SAML`, ...).
    pub provider_type: String,
    /// The `ProviderAttributeName` it was linked with (`Cognito_Subject` or a mapped attribute).
    pub attribute_name: String,
    /// The `ProviderAttributeValue`: the user's id at the provider.
    pub user_id: String,
    /// Unix seconds.
    pub created: u64,
}

/// A user's linked identities, in the order linked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct LinkedIdentities(pub Vec<LinkedIdentity>);

impl LinkedIdentities {
    /// Whether none is linked (the user's row then leaves the field out).
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `identities` attribute as Cognito shows it: a JSON array, one object a link
    /// (`dateCreated` in epoch milliseconds); `None` without links.
    pub(crate) fn attribute(&self) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        let list: Vec<serde_json::Value> = self
            .0
            .iter()
            .map(|l| {
                serde_json::json!({
                    "userId": l.user_id, "providerName": l.provider_name,
                    "providerType": l.provider_type, "issuer": null, "primary": false,
                    "dateCreated": l.created.saturating_mul(1000),
                })
            })
            .collect();
        Some(serde_json::Value::Array(list).to_string())
    }
}
