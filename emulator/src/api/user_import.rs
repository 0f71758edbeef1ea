//! User import jobs: GetCSVHeader, CreateUserImportJob, StartUserImportJob, StopUserImportJob,
//! DescribeUserImportJob, ListUserImportJobs. Kept in the pool's record.
//!
//! CreateUserImportJob answers a `PreSignedUrl` that this emulator serves (`web/upload.rs`): a
//! `PUT` of the CSV file to it, with the URL's unguessable token, stores the file (at most
//! [`MAX_CSV`] bytes). StartUserImportJob moves the job to `Pending`; each look at it afterwards
//! (DescribeUserImportJob, ListUserImportJobs) moves it one step, as Cognito's jobs move while a
//! client polls: `Pending` -> `InProgress` (the users are imported then) -> `Succeeded`, or
//! `Failed` when the file cannot be imported at all. StopUserImportJob stops a `Pending` or
//! `InProgress` job (`Stopped`; from `Pending`, nothing is imported).
//!
//! Each row becomes a user in `RESET_REQUIRED` (no password: ForgotPassword and
//! ConfirmForgotPassword set one, as for Cognito's imported users), with the attributes of its
//! non-empty cells. A row that cannot be imported fails alone (`FailedUsers`, its reason kept and
//! the first one in `CompletionMessage`); a user that already exists is skipped (`SkippedUsers`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, listing, opt_int, opt_str};
use crate::model::imports::ImportJob;
use crate::model::state::{Credential, Inner, Status};
use crate::rules::check_attributes;

/// The largest CSV file the pre-signed URL accepts, in bytes (the server reads no more of the
/// upload's body).
pub(crate) const MAX_CSV: usize = 1024 * 1024;

/// The most import jobs a pool keeps.
const MAX_JOBS: usize = 100;

/// The columns GetCSVHeader lists before the pool's custom attributes, in Cognito's order.
const STANDARD: &[&str] = &[
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
];

/// The columns GetCSVHeader lists last.
const LAST: &[&str] = &["cognito:mfa_enabled", "cognito:username"];

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

fn no_job(job_id: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("Import job {job_id} does not exist."),
    )
}

/// The CSV header of the pool: the standard attributes, its custom attributes, then
/// `cognito:mfa_enabled` and `cognito:username`.
fn header(inner: &Inner, pool_id: &str) -> Result<Vec<String>, Fault> {
    let pool = inner.pool_by_id(pool_id)?;
    let mut columns: Vec<String> = STANDARD.iter().map(|c| (*c).to_owned()).collect();
    for name in &pool.config.custom_attributes {
        let name = if name.starts_with("custom:") {
            name.clone()
        } else {
            format!("custom:{name}")
        };
        if !columns.contains(&name) {
            columns.push(name);
        }
    }
    columns.extend(LAST.iter().map(|c| (*c).to_owned()));
    Ok(columns)
}

/// A job as `UserImportJobType`.
fn job_json(endpoint: &str, pool_id: &str, job_id: &str, job: &ImportJob) -> Value {
    let mut out = json!({
        "JobName": job.name,
        "JobId": job_id,
        "UserPoolId": pool_id,
        "PreSignedUrl": upload_url(endpoint, pool_id, job_id, &job.upload_token),
        "CreationDate": job.created,
        "Status": job.status,
        "CloudWatchLogsRoleArn": job.role_arn,
        "ImportedUsers": job.imported,
        "SkippedUsers": job.skipped,
        "FailedUsers": job.failed,
    });
    if let Some(started) = job.started {
        out["StartDate"] = json!(started);
    }
    if let Some(completed) = job.completed {
        out["CompletionDate"] = json!(completed);
    }
    if let Some(message) = &job.message {
        out["CompletionMessage"] = json!(message);
    }
    out
}

/// The pre-signed URL of a job: `PUT` the CSV file there.
fn upload_url(endpoint: &str, pool_id: &str, job_id: &str, token: &str) -> String {
    let endpoint = endpoint.trim_end_matches('/');
    format!("{endpoint}/_emulator/user-import/{pool_id}/{job_id}?token={token}")
}

/// The `JobId` field, checked against the model's `import-[0-9a-zA-Z-]+`.
fn job_id(body: &Value) -> Result<&str, Fault> {
    let id = field(body, "JobId")?;
    let ok = id.len() <= 55
        && id.strip_prefix("import-").is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !ok {
        return Err(invalid(format!(
            "1 validation error detected: Value '{id}' at 'jobId' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: import-[0-9a-zA-Z-]+"
        )));
    }
    Ok(id)
}

/// GetCSVHeader.
pub(crate) fn get_csv_header(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let state = shared.lock();
    let columns = header(&state, pool_id)?;
    Ok(json!({"UserPoolId": pool_id, "CSVHeader": columns}))
}

/// CreateUserImportJob.
pub(crate) fn create_user_import_job(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "JobName")?;
    let name_ok =
        |c: char| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c);
    if name.is_empty() || name.chars().count() > 128 || !name.chars().all(name_ok) {
        return Err(invalid(format!(
            "1 validation error detected: Value '{name}' at 'jobName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
        )));
    }
    let role = field(body, "CloudWatchLogsRoleArn")?;
    if role.len() < 20
        || role.len() > 2048
        || !role.starts_with("arn:")
        || role.split(':').count() < 6
    {
        return Err(invalid(format!(
            "1 validation error detected: Value '{role}' at 'cloudWatchLogsRoleArn' failed to \
             satisfy constraint: Member must satisfy regular expression pattern: \
             arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?"
        )));
    }
    let hashing = opt_str(body, "PasswordHashingAlgorithm")?;
    if let Some(h) = hashing
        && !matches!(h, "BCRYPT" | "SCRYPT" | "ARGON2ID" | "PBKDF2_SHA256")
    {
        return Err(invalid(format!(
            "1 validation error detected: Value '{h}' at 'passwordHashingAlgorithm' failed to \
             satisfy constraint: Member must satisfy enum value set: [BCRYPT, SCRYPT, ARGON2ID, PBKDF2_SHA256]"
        )));
    }
    let mut state = shared.lock();
    if state.pool_by_id(pool_id)?.imports.jobs.len() >= MAX_JOBS {
        return Err(fault(
            "LimitExceededException",
            format!("A user pool keeps at most {MAX_JOBS} import jobs."),
        ));
    }
    let id = format!("import-{}", state.alnum(10));
    let job = ImportJob {
        name: name.to_owned(),
        role_arn: role.to_owned(),
        hashing: hashing.map(str::to_owned),
        status: "Created".into(),
        upload_token: state.token(),
        created: state.unix(),
        ..ImportJob::default()
    };
    let answer = job_json(&shared.endpoint, pool_id, &id, &job);
    state.pool_by_id_mut(pool_id)?.imports.jobs.insert(id, job);
    Ok(json!({"UserImportJob": answer}))
}

/// Moves the job `JobId` names on with `change`, when its status is one of `from` (else
/// PreconditionNotMetException saying `only`); answers the job.
fn transition(
    shared: &Shared,
    body: &Value,
    from: &[&str],
    only: &str,
    change: impl FnOnce(&mut ImportJob, u64),
) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = job_id(body)?;
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let job = pool.imports.jobs.get_mut(id).ok_or_else(|| no_job(id))?;
    if !from.contains(&job.status.as_str()) {
        return Err(fault(
            "PreconditionNotMetException",
            format!("Import job {id} is {}: {only}", job.status),
        ));
    }
    change(job, now);
    let job = job.clone();
    Ok(json!({"UserImportJob": job_json(&shared.endpoint, pool_id, id, &job)}))
}

/// StartUserImportJob: a `Created` job becomes `Pending`.
pub(crate) fn start_user_import_job(shared: &Shared, body: &Value) -> Answer {
    transition(
        shared,
        body,
        &["Created"],
        "only a Created job can start.",
        |job, now| {
            job.status = "Pending".into();
            job.started = Some(now);
        },
    )
}

/// StopUserImportJob: a `Pending` or `InProgress` job becomes `Stopped`.
pub(crate) fn stop_user_import_job(shared: &Shared, body: &Value) -> Answer {
    transition(
        shared,
        body,
        &["Pending", "InProgress"],
        "only a Pending or InProgress job can stop.",
        |job, now| {
            job.status = "Stopped".into();
            job.completed = Some(now);
            job.csv = None;
            job.message = Some("The import job was stopped.".into());
        },
    )
}

/// DescribeUserImportJob: moves the job one step on (see the module), then describes it.
pub(crate) fn describe_user_import_job(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = job_id(body)?;
    let mut state = shared.lock();
    if !state.pool_by_id(pool_id)?.imports.jobs.contains_key(id) {
        return Err(no_job(id));
    }
    advance(&mut state, pool_id, id);
    let job = state
        .pool_by_id(pool_id)?
        .imports
        .jobs
        .get(id)
        .ok_or_else(|| no_job(id))?;
    Ok(json!({"UserImportJob": job_json(&shared.endpoint, pool_id, id, job)}))
}

/// ListUserImportJobs: the pool's jobs in the order they were created, each moved one step on.
pub(crate) fn list_user_import_jobs(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let limit =
        opt_int(body, "MaxResults", 1, 60)?.ok_or_else(|| crate::input::missing("MaxResults"))?;
    let token = opt_str(body, "PaginationToken")?;
    let mut state = shared.lock();
    let ids: Vec<String> = state
        .pool_by_id(pool_id)?
        .imports
        .jobs
        .keys()
        .cloned()
        .collect();
    for id in &ids {
        advance(&mut state, pool_id, id);
    }
    let pool = state.pool_by_id(pool_id)?;
    let items = pool.imports.jobs.iter().map(|(id, job)| {
        (
            format!("{:020}-{id}", job.created),
            job_json(&shared.endpoint, pool_id, id, job),
        )
    });
    let mut sorted: Vec<(String, Value)> = items.collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut answer = listing(sorted, limit, token, "UserImportJobs", "PaginationToken")?;
    if answer["UserImportJobs"]
        .as_array()
        .is_some_and(Vec::is_empty)
        && let Some(map) = answer.as_object_mut()
    {
        // The model's list has at least one member: a pool without jobs answers none.
        map.remove("UserImportJobs");
    }
    Ok(answer)
}

/// Moves a started job one step: `Pending` -> `InProgress` (its file imported now) -> its end.
fn advance(inner: &mut Inner, pool_id: &str, id: &str) {
    let status = inner
        .pools
        .get(pool_id)
        .and_then(|p| p.imports.jobs.get(id))
        .map(|j| j.status.clone());
    let now = inner.unix();
    match status.as_deref() {
        Some("Pending") => {
            let csv = inner
                .pools
                .get_mut(pool_id)
                .and_then(|p| p.imports.jobs.get_mut(id))
                .and_then(|j| {
                    j.status = "InProgress".into();
                    j.csv.take()
                });
            let outcome = match csv {
                Some(csv) => import(inner, pool_id, &csv),
                None => Outcome::failed("No CSV file was uploaded to the job's pre-signed URL."),
            };
            if let Some(job) = inner
                .pools
                .get_mut(pool_id)
                .and_then(|p| p.imports.jobs.get_mut(id))
            {
                job.imported = outcome.imported;
                job.skipped = outcome.skipped;
                job.failed = outcome.failures.len() as u64;
                job.message = Some(outcome.message());
                job.refused = outcome.aborted.is_some();
                job.failures = outcome.failures;
            }
        }
        Some("InProgress") => {
            if let Some(job) = inner
                .pools
                .get_mut(pool_id)
                .and_then(|p| p.imports.jobs.get_mut(id))
            {
                job.status = if job.refused { "Failed" } else { "Succeeded" }.into();
                job.completed = Some(now);
            }
        }
        _ => {}
    }
}

/// What an import did.
#[derive(Debug, Default)]
struct Outcome {
    imported: u64,
    skipped: u64,
    /// Why each failed row failed.
    failures: Vec<String>,
    /// Why the whole file was refused.
    aborted: Option<String>,
}

impl Outcome {
    fn failed(why: &str) -> Self {
        Self {
            aborted: Some(why.to_owned()),
            ..Self::default()
        }
    }

    /// `CompletionMessage` (at most 128 characters).
    fn message(&self) -> String {
        let text = match (&self.aborted, self.failures.first()) {
            (Some(why), _) => why.clone(),
            (None, None) => "Import Job Completed Successfully.".to_owned(),
            (None, Some(first)) => format!(
                "Import Job Completed; {} user(s) failed, the first: {first}",
                self.failures.len()
            ),
        };
        text.chars().take(128).collect()
    }
}

/// A message about a CSV value, never longer than this many characters of the value.
fn shown(value: &str) -> String {
    let short: String = value.chars().take(40).collect();
    format!("{short:?}")
}

/// Imports the users of `csv` into the pool (see the module).
fn import(inner: &mut Inner, pool_id: &str, csv: &str) -> Outcome {
    let Ok(known) = header(inner, pool_id) else {
        return Outcome::failed("The user pool no longer exists.");
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let columns: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Err(e) => return Outcome::failed(&format!("The CSV header cannot be read: {e}")),
    };
    for (i, column) in columns.iter().enumerate() {
        if !known.contains(column) {
            return Outcome::failed(&format!(
                "The CSV header has a column that is not an attribute of the user pool: {}",
                shown(column)
            ));
        }
        if columns[..i].contains(column) {
            return Outcome::failed(&format!("The CSV header names {} twice.", shown(column)));
        }
    }
    if !columns.iter().any(|c| c == "cognito:username") {
        return Outcome::failed("The CSV header has no cognito:username column.");
    }
    let mut outcome = Outcome::default();
    for (index, record) in reader.records().enumerate() {
        // The header is row 1.
        let row = index + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                outcome.failures.push(format!("row {row}: unreadable: {e}"));
                continue;
            }
        };
        if record.len() != columns.len() {
            outcome.failures.push(format!(
                "row {row}: {} values for {} columns",
                record.len(),
                columns.len()
            ));
            continue;
        }
        let cells: BTreeMap<&str, &str> = columns
            .iter()
            .map(String::as_str)
            .zip(record.iter())
            .collect();
        match import_row(inner, pool_id, &cells) {
            Ok(true) => outcome.imported += 1,
            Ok(false) => outcome.skipped += 1,
            Err(why) => outcome.failures.push(format!("row {row}: {why}")),
        }
    }
    outcome
}

/// A `true`/`false` cell (any case; empty: false).
fn boolean(cells: &BTreeMap<&str, &str>, column: &str) -> Result<bool, String> {
    match cells.get(column).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(false),
        Some(v) if v.is_empty() || v == "false" => Ok(false),
        Some(v) if v == "true" => Ok(true),
        Some(v) => Err(format!("{column} must be true or false, not {}", shown(&v))),
    }
}

/// One row: `Ok(true)` imported, `Ok(false)` skipped (the user exists), `Err` why it failed.
fn import_row(
    inner: &mut Inner,
    pool_id: &str,
    cells: &BTreeMap<&str, &str>,
) -> Result<bool, String> {
    let username = cells.get("cognito:username").copied().unwrap_or("");
    if username.is_empty() {
        return Err("cognito:username is empty".into());
    }
    if username.chars().count() > 128
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "cognito:username {} is not a valid user name",
            shown(username)
        ));
    }
    let mfa = boolean(cells, "cognito:mfa_enabled")?;
    let mut attributes = BTreeMap::new();
    for (column, value) in cells {
        if column.starts_with("cognito:") || value.is_empty() {
            continue;
        }
        let value = if *column == "email_verified" || *column == "phone_number_verified" {
            boolean(cells, column)?.to_string()
        } else {
            (*value).to_owned()
        };
        attributes.insert((*column).to_owned(), value);
    }
    if mfa && !attributes.contains_key("phone_number") {
        return Err("cognito:mfa_enabled is true but the user has no phone_number".into());
    }
    let pool = inner
        .pools
        .get(pool_id)
        .ok_or("the user pool no longer exists")?;
    if pool.find(username).is_some() {
        return Ok(false);
    }
    check_attributes(Some(&pool.config), &attributes, true).map_err(|f| f.message)?;
    inner
        .new_user(
            pool_id,
            username,
            Credential::default(),
            attributes,
            Status::ResetRequired,
        )
        .map_err(|f| f.message)?;
    if mfa
        && let Some(user) = inner
            .pools
            .get_mut(pool_id)
            .and_then(|p| p.users.get_mut(username))
    {
        user.sms_mfa = true;
    }
    Ok(true)
}

/// Stores an upload to a job's pre-signed URL: the CSV file of a `Created` job whose token is
/// `token`. The refusal: HTTP status and S3's error code and message.
pub(crate) fn upload(
    shared: &Shared,
    pool_id: &str,
    job_id: &str,
    token: &str,
    body: &[u8],
) -> Result<(), (u16, &'static str, String)> {
    use subtle::ConstantTimeEq as _;
    let denied = || {
        (
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided."
                .to_owned(),
        )
    };
    let mut state = shared.lock();
    let job = state
        .pools
        .get_mut(pool_id)
        .and_then(|p| p.imports.jobs.get_mut(job_id))
        .ok_or_else(denied)?;
    if !bool::from(job.upload_token.as_bytes().ct_eq(token.as_bytes())) {
        return Err(denied());
    }
    if body.len() > MAX_CSV {
        return Err((
            413,
            "EntityTooLarge",
            format!("Your proposed upload exceeds the maximum allowed size of {MAX_CSV} bytes."),
        ));
    }
    if job.status != "Created" {
        return Err((
            403,
            "AccessDenied",
            format!(
                "The import job is {}: its file can no longer change.",
                job.status
            ),
        ));
    }
    let text = String::from_utf8(body.to_vec()).map_err(|_| {
        (
            400,
            "InvalidArgument",
            "The CSV file must be UTF-8.".to_owned(),
        )
    })?;
    job.csv = Some(text);
    Ok(())
}
