//! What a user pool configures besides its settings, kept in the pool's record: its domain, its
//! resource servers with their custom scopes, its identity providers, its UI customization.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A pool's domain: a prefix (`<prefix>.auth.<region>.amazoncognito.com`) or a custom domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Domain {
    /// `Domain`: the prefix, or the custom domain's name.
    pub name: String,
    /// `CustomDomainConfig.CertificateArn`, for a custom domain.
    pub certificate_arn: Option<String>,
    /// `ManagedLoginVersion`: 1 (the classic hosted UI) or 2 (managed login).
    pub managed_login_version: u8,
}

/// A scope of a resource server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Scope {
    /// `ScopeName`: the part after `<identifier>/`.
    pub name: String,
    /// `ScopeDescription`.
    pub description: String,
}

/// A resource server: an API whose custom scopes (`<identifier>/<scope>`) clients may ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ResourceServer {
    /// `Name`.
    pub name: String,
    /// `Scopes`, in the order given.
    pub scopes: Vec<Scope>,
}

/// A federated identity provider (SAML, OIDC or a social one) as the pool keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct IdentityProvider {
    /// `ProviderType`.
    pub provider_type: String,
    /// `ProviderDetails`, as given.
    pub details: BTreeMap<String, String>,
    /// `AttributeMapping`: pool attribute -> the provider's.
    pub attribute_mapping: BTreeMap<String, String>,
    /// `IdpIdentifiers`.
    pub idp_identifiers: Vec<String>,
    /// Unix seconds.
    pub created: u64,
    pub modified: u64,
}

/// The hosted UI's customization of a pool (client `ALL`) or of one client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct UiCustomization {
    /// `CSS`.
    pub css: Option<String>,
    /// `ImageFile`, as sent (base64).
    pub image: Option<String>,
    /// Unix seconds.
    pub created: u64,
    pub modified: u64,
}

/// A pool's domain and resource servers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct PoolResources {
    /// The pool's domain (a pool has at most one).
    pub domain: Option<Domain>,
    /// By identifier.
    pub resource_servers: BTreeMap<String, ResourceServer>,
    /// By provider name.
    pub identity_providers: BTreeMap<String, IdentityProvider>,
    /// The UI customizations, by client id (`ALL`: the pool's).
    pub ui: BTreeMap<String, UiCustomization>,
    /// Log delivery, sessions, replicas, recoveries, CIMD policies, terms and branding (left out
    /// of the row while none is set).
    #[serde(skip_serializing_if = "crate::model::configuration::PoolConfiguration::is_empty")]
    pub configuration: crate::model::configuration::PoolConfiguration,
}

impl PoolResources {
    /// Whether the pool has no domain and no resource server.
    pub(crate) fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
