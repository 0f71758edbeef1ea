//! An app client's secrets, as AddUserPoolClientSecret and DeleteUserPoolClientSecret keep
//! them: at most two at once (Cognito's limit), each with its id (`<client-id>--<epoch
//! milliseconds>`) and creation date. A client that never had a second one keeps only
//! `ClientInfo::secret` (its first secret, whose id and date come from the client's creation),
//! so that its stored row is the same as before secrets had records.

use serde::{Deserialize, Serialize};

/// Cognito's limit of secrets an app client has at once.
pub(crate) const MAX_SECRETS: usize = 2;

/// One secret of an app client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ClientSecret {
    /// `ClientSecretId`: `<client-id>--<epoch milliseconds of its creation>`.
    pub id: String,
    /// The secret itself.
    pub value: String,
    /// `ClientSecretCreateDate`, unix seconds.
    pub created: u64,
}

/// Every secret of a client, oldest first, once it has been added to or deleted from; empty
/// while the client has only the secret it was created with (`ClientInfo::secret`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct ClientSecrets(pub Vec<ClientSecret>);

impl ClientSecrets {
    /// Whether no secret was ever added or deleted (the row then leaves the field out).
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The id of the secret a client created at `created` (unix seconds) was made with.
    pub(crate) fn first_id(client_id: &str, created: u64) -> String {
        format!("{client_id}--{}", created.saturating_mul(1000))
    }

    /// Every secret of the client `client_id` (created at `created`, first secret `first`),
    /// oldest first.
    pub(crate) fn all(
        &self,
        client_id: &str,
        first: Option<&str>,
        created: u64,
    ) -> Vec<ClientSecret> {
        if !self.0.is_empty() {
            return self.0.clone();
        }
        first
            .map(|value| ClientSecret {
                id: Self::first_id(client_id, created),
                value: value.to_owned(),
                created,
            })
            .into_iter()
            .collect()
    }
}
