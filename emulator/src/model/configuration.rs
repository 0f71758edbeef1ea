//! What a user pool configures for AWS's infrastructure and its managed login, kept in the
//! pool's record (inside [`crate::model::resources::PoolResources`]): log delivery, session
//! tracking and the app clients' SSO sessions, multi-Region replicas, point-in-time recoveries,
//! client ID metadata document (CIMD) policies, terms documents and managed login branding
//! styles. Every map is keyed so that it lists in Cognito's order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One `LogConfigurationType`: a source of logs, its level and its one destination.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct LogConfiguration {
    /// `EventSource`: `userNotification` or `userAuthEvents`.
    pub source: String,
    /// `LogLevel`: `ERROR` or `INFO`.
    pub level: String,
    /// `CloudWatchLogsConfiguration.LogGroupArn`.
    pub log_group_arn: Option<String>,
    /// `S3Configuration.BucketArn`.
    pub bucket_arn: Option<String>,
    /// `FirehoseConfiguration.StreamArn`.
    pub stream_arn: Option<String>,
}

/// SetUserPoolSessionConfiguration's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct SessionConfiguration {
    /// `UserSessionTracking` is `ENABLED`.
    pub tracking: bool,
    /// `TokenSession.MaxPerUser`.
    pub max_per_user: u32,
}

/// A replica of the pool in another Region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Replica {
    /// `Status`: `ACTIVE` or `INACTIVE` once created.
    pub status: String,
    /// `UserPoolTags` given when it was created.
    pub tags: BTreeMap<String, String>,
}

/// A point-in-time recovery of the pool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Restoration {
    /// `RestoreId`.
    pub id: String,
    /// `RestoreStatus` as last set (an expired preview is worked out when read).
    pub status: String,
    /// `RestoreTimestamp`: the point in time, Unix seconds.
    pub restore_to: u64,
    /// `TriggerTimestamp`: when it was initiated, Unix seconds.
    pub triggered: u64,
}

/// A client ID metadata document policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct CimdPolicy {
    pub client_id: String,
    pub name: String,
    /// `CacheDuration`, seconds.
    pub cache_duration: Option<u64>,
    pub url_patterns: Vec<String>,
    /// Unix seconds.
    pub created: u64,
    pub modified: u64,
    /// The client metadata documents retrieved for this policy, by URL (ListClientMetadataURLs).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cached: BTreeMap<String, CachedDocument>,
}

/// A client metadata document the emulator retrieved from its URL (a CIMD client's id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct CachedDocument {
    /// The document, as retrieved (a JSON object).
    pub document: String,
    /// `CachedDate`: when it was retrieved, Unix seconds.
    pub cached: u64,
    /// `ExpirationDate`: Unix seconds; from then on the next use retrieves it again.
    pub expires: u64,
}

/// A terms document of an app client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Terms {
    pub client_id: String,
    /// `TermsName`: `terms-of-use` or `privacy-policy`.
    pub name: String,
    pub source: String,
    pub enforcement: String,
    /// `Links`: language (`cognito:default`, `cognito:spanish`, ...) to URL.
    pub links: BTreeMap<String, String>,
    /// Unix seconds.
    pub created: u64,
    pub modified: u64,
}

/// An image of a managed login branding style.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Asset {
    pub category: String,
    pub color_mode: String,
    pub extension: String,
    /// `Bytes`, as sent (base64).
    pub bytes: Option<String>,
    pub resource_id: Option<String>,
}

/// A managed login branding style of an app client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Branding {
    pub client_id: String,
    pub use_cognito_provided_values: bool,
    /// `Settings`, the JSON document as given (merged by updates).
    pub settings: Option<serde_json::Value>,
    pub assets: Vec<Asset>,
    /// Unix seconds.
    pub created: u64,
    pub modified: u64,
}

/// All of it, for one pool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct PoolConfiguration {
    /// SetLogDeliveryConfiguration's list (absent: never set).
    pub log_delivery: Option<Vec<LogConfiguration>>,
    /// SetUserPoolSessionConfiguration's (absent: Cognito's defaults).
    pub sessions: Option<SessionConfiguration>,
    /// SetUserPoolClientSessionConfiguration's `SSOSession.MaxValidityMinutes`, by client id.
    pub sso_minutes: BTreeMap<String, u32>,
    /// By Region.
    pub replicas: BTreeMap<String, Replica>,
    /// By restore id.
    pub restorations: BTreeMap<String, Restoration>,
    /// By policy id.
    pub cimd_policies: BTreeMap<String, CimdPolicy>,
    /// By terms id.
    pub terms: BTreeMap<String, Terms>,
    /// By branding id.
    pub brandings: BTreeMap<String, Branding>,
}

/// An app client's SSO session until SetUserPoolClientSessionConfiguration sets it: 60 minutes.
pub(crate) const DEFAULT_SSO_MINUTES: u32 = 60;

impl PoolConfiguration {
    /// How long the app client `client_id` silently reuses a managed login session, minutes.
    pub(crate) fn sso_minutes_of(&self, client_id: &str) -> u32 {
        self.sso_minutes
            .get(client_id)
            .copied()
            .unwrap_or(DEFAULT_SSO_MINUTES)
    }

    /// The longest any of `clients` reuses a session, minutes (at least the default).
    pub(crate) fn longest_sso_minutes<'a>(&self, clients: impl Iterator<Item = &'a String>) -> u32 {
        clients
            .map(|c| self.sso_minutes_of(c))
            .fold(DEFAULT_SSO_MINUTES, u32::max)
    }

    /// Whether nothing is configured.
    pub(crate) fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
