//! Threat protection: a pool's risk configurations (its own and its app clients'), kept in the
//! pool's record, and the sign-in events the emulator recorded (in memory only).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A risk configuration (SetRiskConfiguration), for the pool or for one app client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct RiskConfig {
    /// `CompromisedCredentialsRiskConfiguration`, as checked.
    pub compromised: Option<Value>,
    /// `AccountTakeoverRiskConfiguration`, as checked (stored and described: the emulator
    /// assesses no risk level).
    pub takeover: Option<Value>,
    /// `RiskExceptionConfiguration.BlockedIPRangeList`, CIDR ranges as given.
    pub blocked: Vec<String>,
    /// `RiskExceptionConfiguration.SkippedIPRangeList`.
    pub skipped: Vec<String>,
    /// Whether `RiskExceptionConfiguration` was given.
    pub exceptions: bool,
    /// Unix seconds.
    pub modified: u64,
}

/// A pool's risk configurations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct RiskConfigs {
    /// The pool's (`None`: never set).
    pub pool: Option<RiskConfig>,
    /// By client id: the clients with their own.
    pub clients: BTreeMap<String, RiskConfig>,
}

impl RiskConfigs {
    /// Whether nothing is configured (the pool's row then leaves the field out).
    pub(crate) fn is_empty(&self) -> bool {
        self.pool.is_none() && self.clients.is_empty()
    }

    /// What applies to a sign-in through `client_id`: the client's own, else the pool's.
    pub(crate) fn applying(&self, client_id: &str) -> Option<&RiskConfig> {
        self.clients.get(client_id).or(self.pool.as_ref())
    }
}

/// One answer to a challenge of a sign-in event (`ChallengeResponseType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChallengeOutcome {
    /// `Password` or `Mfa`.
    pub name: &'static str,
    /// Whether it was answered right.
    pub success: bool,
}

/// A sign-in as AdminListUserAuthEvents lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthEvent {
    /// `EventId`.
    pub id: String,
    /// Its place among the events recorded (newest: highest).
    pub seq: u64,
    /// The user's name in the pool.
    pub username: String,
    /// `SignIn`.
    pub kind: &'static str,
    /// Unix seconds.
    pub created: u64,
    /// `Pass`, `Fail` or `InProgress`.
    pub response: &'static str,
    /// `EventRisk.RiskDecision`: `NoRisk` or `Block`.
    pub decision: &'static str,
    /// `EventRisk.CompromisedCredentialsDetected`.
    pub compromised: bool,
    pub challenges: Vec<ChallengeOutcome>,
    /// `EventContextData.IpAddress`.
    pub ip: Option<String>,
    /// The token of UpdateAuthEventFeedback (as a notification email would carry it).
    pub feedback_token: String,
    /// `EventFeedback`: value, provider (`Admin` or `User`), date.
    pub feedback: Option<(String, &'static str, u64)>,
}

/// The events the emulator recorded, by pool: not kept in the data directory.
#[derive(Debug, Default)]
pub(crate) struct AuthEvents {
    /// By pool id, oldest first.
    pub by_pool: BTreeMap<String, Vec<AuthEvent>>,
    /// Sign-ins in progress: the session they answered -> (pool id, event id).
    pub sessions: BTreeMap<String, (String, String)>,
    /// Events recorded so far (makes the event ids).
    pub count: u64,
}

/// The most events kept per pool (the oldest go first).
pub(crate) const MAX_EVENTS: usize = 1000;
