//! The CSV file of a user import job, uploaded to the job's pre-signed URL and imported: arbitrary
//! bytes, or a file written by the `csv` crate from the pool's own header with arbitrary cells.

use arbitrary::{Result, Unstructured};
use http::{Method, Request};
use serde_json::{Value, json};

use super::world::{USERS, World};
use crate::api::user_import::MAX_CSV;
use crate::model::state::Status;

/// Values a cell may hold.
const CELLS: &[&str] = &[
    "",
    "true",
    "FALSE",
    "maybe",
    "erin",
    "alice",
    "erin@example.com",
    "+15555550100",
    "a,b",
    "line\nbreak",
    "quote\"d",
    "Zoë",
    " ",
];

/// A CSV file written from a choice of the pool's columns (`cognito:username` always among
/// them) and up to 8 rows of cells from [`CELLS`] or arbitrary text: the file and its number of
/// rows.
fn grammatical(u: &mut Unstructured<'_>, header: &[String]) -> Result<(Vec<u8>, usize)> {
    let mut columns: Vec<&str> = vec!["cognito:username"];
    for column in header {
        if column != "cognito:username" && u.ratio(1, 4)? {
            columns.push(column);
        }
    }
    if u.ratio(1, 8)? {
        columns.push("shoe_size");
    }
    let rows = u.int_in_range(0..=8)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let written = writer.write_record(&columns);
    let mut ok = written.is_ok();
    for _ in 0..rows {
        let mut record = Vec::new();
        for _ in &columns {
            let cell = if u.ratio(3, 4)? {
                (*u.choose(CELLS)?).to_owned()
            } else {
                u.arbitrary::<String>()?
            };
            record.push(cell);
        }
        ok &= writer.write_record(&record).is_ok();
    }
    let bytes = writer.into_inner().unwrap_or_default();
    if !ok {
        return Ok((Vec::new(), 0));
    }
    Ok((bytes, rows))
}

/// The users of the pool and their statuses.
fn users(world: &World) -> Vec<(String, Status)> {
    let inner = world.emulator.lock();
    inner.pools[&world.pool]
        .users
        .values()
        .map(|u| (u.username.clone(), u.status))
        .collect()
}

/// The CSV file: arbitrary bytes (first byte even) or a file the `csv` crate wrote from the
/// pool's header (odd). Uploaded to a new job's pre-signed URL (accepted when it is UTF-8 and at
/// most [`MAX_CSV`] bytes), the job started and described until it ends. Then: the job ended
/// `Succeeded` or `Failed`, every answer was a well-formed Cognito answer, the users it imported
/// are exactly the new users of the pool, each in `RESET_REQUIRED` with attributes that pass the
/// pool's schema, the users that were there are unchanged, a failed job imported nobody, and for
/// a written file whose header the pool knows, each row was imported, skipped or failed.
pub fn user_import_csv(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(mode) = u.arbitrary::<u8>() else {
        return;
    };
    let world = World::new(0);
    let (status, header) = world.call("GetCSVHeader", &json!({"UserPoolId": world.pool}));
    assert_eq!(status, 200, "{header}");
    let header: Vec<String> = header["CSVHeader"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect();
    let (file, rows) = if mode % 2 == 0 {
        (u.take_rest().to_vec(), None)
    } else {
        let Ok((file, rows)) = grammatical(&mut u, &header) else {
            return;
        };
        (file, Some(rows))
    };
    let before = users(&world);
    let (status, job) = world.call(
        "CreateUserImportJob",
        &json!({"UserPoolId": world.pool, "JobName": "fuzz",
                "CloudWatchLogsRoleArn": "arn:aws:iam::000000000000:role/import"}),
    );
    assert_eq!(status, 200, "{job}");
    let job_id = job["UserImportJob"]["JobId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let url = job["UserImportJob"]["PreSignedUrl"]
        .as_str()
        .unwrap_or_default();
    let path = url
        .find("/_emulator/")
        .map_or_else(|| panic!("the pre-signed URL {url:?}"), |at| &url[at..]);
    let request = Request::builder()
        .method(Method::PUT)
        .uri(path)
        .body(file.clone())
        .unwrap_or_else(|e| panic!("the upload request: {e}"));
    let uploaded = world.answer(request).status().as_u16();
    let acceptable = file.len() <= MAX_CSV && std::str::from_utf8(&file).is_ok();
    assert_eq!(
        uploaded == 200,
        acceptable,
        "an upload of {} bytes answered {uploaded}",
        file.len()
    );
    let ids = json!({"UserPoolId": world.pool, "JobId": job_id});
    let (status, started) = world.call("StartUserImportJob", &ids);
    assert_eq!(status, 200, "{started}");
    let mut done = Value::Null;
    for _ in 0..3 {
        let (status, described) = world.call("DescribeUserImportJob", &ids);
        assert_eq!(status, 200, "{described}");
        done = described["UserImportJob"].clone();
        if matches!(done["Status"].as_str(), Some("Succeeded" | "Failed")) {
            break;
        }
    }
    let end = done["Status"].as_str().unwrap_or_default();
    assert!(
        matches!(end, "Succeeded" | "Failed"),
        "the job ended {done}"
    );
    let count = |name: &str| {
        done[name]
            .as_u64()
            .unwrap_or_else(|| panic!("{name} in {done}"))
    };
    let (imported, skipped, failed) = (
        count("ImportedUsers"),
        count("SkippedUsers"),
        count("FailedUsers"),
    );
    let message = done["CompletionMessage"].as_str().unwrap_or_default();
    assert!(
        !message.is_empty() && message.chars().count() <= 128,
        "CompletionMessage {message:?}"
    );
    let after = users(&world);
    for (name, status) in &before {
        assert!(
            after.contains(&(name.clone(), *status)),
            "{name} changed or went away"
        );
    }
    let new: Vec<_> = after.iter().filter(|u| !before.contains(u)).collect();
    assert_eq!(u64::try_from(new.len()).ok(), Some(imported), "{done}");
    assert!(
        new.iter()
            .all(|(_, status)| *status == Status::ResetRequired),
        "{new:?}"
    );
    world.check_state();
    if end == "Failed" {
        assert_eq!(imported, 0, "{done}");
    }
    if let Some(rows) = rows
        && acceptable
        && end == "Succeeded"
    {
        assert_eq!(
            u64::try_from(rows).ok(),
            Some(imported + skipped + failed),
            "{done}"
        );
    }
    // A user named in the file that was there before is skipped, never replaced.
    assert!(
        USERS
            .iter()
            .all(|(name, ..)| after.iter().any(|(n, _)| n == name))
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_runs_on_raw_bytes_and_on_written_files() {
        user_import_csv(b"");
        user_import_csv(b"\x00cognito:username,email\nerin,erin@example.com\nalice,x\n,\n");
        user_import_csv(b"\x00\xff\xfe not utf-8");
        for seed in 0u8..16 {
            let data: Vec<u8> = (0..=199u8)
                .map(|i| i.wrapping_mul(31).wrapping_add(seed) | 1)
                .collect();
            user_import_csv(&data);
        }
    }
}
