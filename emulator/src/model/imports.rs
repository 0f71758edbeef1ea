//! A pool's user import jobs (CreateUserImportJob and the calls after it), kept in the pool's
//! record: the job, its counts, the upload token of its pre-signed URL and the CSV file uploaded
//! to it until the job has read it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One user import job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ImportJob {
    /// `JobName`.
    pub name: String,
    /// `CloudWatchLogsRoleArn`, as given.
    pub role_arn: String,
    /// `PasswordHashingAlgorithm`, as given (stored only: the emulator imports no hashes).
    pub hashing: Option<String>,
    /// `Status`: `Created`, `Pending`, `InProgress`, `Stopped`, `Failed`, `Succeeded`.
    pub status: String,
    /// The secret of the pre-signed URL (`?token=`): who has it may upload the file.
    pub upload_token: String,
    /// The CSV file uploaded to the URL, until the job reads it.
    pub csv: Option<String>,
    /// `ImportedUsers`, `SkippedUsers`, `FailedUsers`.
    pub imported: u64,
    pub skipped: u64,
    pub failed: u64,
    /// The file could not be imported at all (no file, an unreadable header): the job ends
    /// `Failed`.
    pub refused: bool,
    /// `CompletionMessage`.
    pub message: Option<String>,
    /// Why each failed row failed (what Cognito writes to CloudWatch Logs), in row order.
    pub failures: Vec<String>,
    /// Unix seconds.
    pub created: u64,
    pub started: Option<u64>,
    pub completed: Option<u64>,
}

/// A pool's import jobs, by job id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ImportJobs {
    pub jobs: BTreeMap<String, ImportJob>,
}

impl ImportJobs {
    /// Whether the pool has no import job (the pool's row then leaves the field out).
    pub(crate) fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
}
