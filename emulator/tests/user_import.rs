//! User import jobs as boto3 drives them over HTTP: GetCSVHeader, CreateUserImportJob, a `PUT`
//! of the CSV file to the job's pre-signed URL (served by the emulator), Start, Describe until
//! the job ends, List, Stop. Imported users are in `RESET_REQUIRED`, a bad row fails alone, an
//! existing user is skipped, and a job survives a restart on a data directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use cognito_flows_emulator::{EmulatorConfig, PoolConfig};
use cognito_flows_testkit::emulator::{self, Fixture, Options};
use common::{ok, refused};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::000000000000:role/CognitoImport";

fn create_job(e: &cognito_flows_emulator::Emulator, pool: &str, name: &str) -> Value {
    ok(
        e,
        "CreateUserImportJob",
        json!({"UserPoolId": pool, "JobName": name, "CloudWatchLogsRoleArn": ROLE}),
    )["UserImportJob"]
        .clone()
}

/// `PUT`s `body` to `url`: the status and the answer's body.
fn put(url: &str, body: &[u8]) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .put(url)
        .header("x-amz-server-side-encryption", "aws:kms")
        .send(body)
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// Describes the job until it ends: the statuses seen, and the last answer.
fn run_to_end(e: &cognito_flows_emulator::Emulator, pool: &str, job: &str) -> (Vec<String>, Value) {
    let mut seen = Vec::new();
    for _ in 0..5 {
        let described = ok(
            e,
            "DescribeUserImportJob",
            json!({"UserPoolId": pool, "JobId": job}),
        )["UserImportJob"]
            .clone();
        let status = described["Status"].as_str().unwrap().to_owned();
        seen.push(status.clone());
        if matches!(status.as_str(), "Succeeded" | "Failed" | "Stopped") {
            return (seen, described);
        }
    }
    panic!("the job did not end: {seen:?}");
}

#[test]
fn get_csv_header_lists_the_pools_attributes_as_cognito_does() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig {
        custom_attributes: vec!["tenant".into()],
        ..PoolConfig::default()
    });
    let answer = ok(&e, "GetCSVHeader", json!({"UserPoolId": pool}));
    assert_eq!(answer["UserPoolId"], json!(pool));
    let header: Vec<&str> = answer["CSVHeader"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(&header[..3], ["name", "given_name", "family_name"]);
    assert!(header.contains(&"email") && header.contains(&"phone_number_verified"));
    assert!(header.contains(&"custom:tenant"));
    assert_eq!(
        &header[header.len() - 2..],
        ["cognito:mfa_enabled", "cognito:username"]
    );
    assert_eq!(
        refused(
            &e,
            "GetCSVHeader",
            json!({"UserPoolId": "us-east-1_nowhere"})
        ),
        "ResourceNotFoundException"
    );
}

#[test]
fn an_uploaded_csv_imports_its_users_in_reset_required() {
    let f = Fixture::start(Options::default().user("alice", "Passw0rd!", &[]));
    let e = &f.emulator;
    let pool = &f.pool_id;
    let job = create_job(e, pool, "first import");
    assert_eq!(job["Status"], "Created");
    let id = job["JobId"].as_str().unwrap();
    assert!(id.starts_with("import-"));
    let url = job["PreSignedUrl"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let csv = "cognito:username,email,email_verified,given_name,cognito:mfa_enabled\n\
               erin,erin@example.com,TRUE,\"Erin, the first\",false\n\
               frank,frank@example.com,true,Frank,false\n\
               alice,alice@example.com,true,Alice,false\n\
               gina,gina@example.com,maybe,Gina,false\n";
    assert_eq!(put(url, csv.as_bytes()).0, 200);
    let started = ok(
        e,
        "StartUserImportJob",
        json!({"UserPoolId": pool, "JobId": id}),
    );
    assert_eq!(started["UserImportJob"]["Status"], "Pending");
    assert!(started["UserImportJob"]["StartDate"].is_number());
    let (seen, done) = run_to_end(e, pool, id);
    assert_eq!(seen, ["InProgress", "Succeeded"]);
    assert_eq!(done["ImportedUsers"], 2);
    assert_eq!(done["SkippedUsers"], 1);
    assert_eq!(done["FailedUsers"], 1);
    assert!(done["CompletionDate"].is_number());
    let message = done["CompletionMessage"].as_str().unwrap();
    assert!(
        message.contains("row 5") && message.contains("email_verified"),
        "{message}"
    );
    let erin = ok(
        e,
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "erin"}),
    );
    assert_eq!(erin["UserStatus"], "RESET_REQUIRED");
    let attributes = &erin["UserAttributes"];
    let attribute = |name: &str| {
        attributes
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["Name"] == name)
            .map(|a| a["Value"].clone())
    };
    assert_eq!(attribute("given_name"), Some(json!("Erin, the first")));
    assert_eq!(attribute("email_verified"), Some(json!("true")));
    assert!(attribute("sub").is_some());
    assert_eq!(
        refused(
            e,
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "gina"})
        ),
        "UserNotFoundException"
    );
    // An imported user signs in once a password is set through the reset code.
    let (status, answer) = f.call(
        "InitiateAuth",
        &json!({"ClientId": f.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "erin", "PASSWORD": "Whatever1!"}}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        answer["__type"], "PasswordResetRequiredException",
        "{answer}"
    );
    let (status, _) = f.call(
        "ForgotPassword",
        &json!({"ClientId": f.client_id, "Username": "erin"}),
    );
    assert_eq!(status, 200);
    let (status, answer) = f.call(
        "ConfirmForgotPassword",
        &json!({"ClientId": f.client_id, "Username": "erin", "ConfirmationCode": f.code("erin"),
                "Password": "N3w-Passw0rd!"}),
    );
    assert_eq!(status, 200, "{answer}");
    assert!(f.tokens("erin", "N3w-Passw0rd!")["AccessToken"].is_string());
    // A finished job takes no file and cannot start again.
    assert_eq!(put(url, b"cognito:username\nzed\n").0, 403);
    assert_eq!(
        refused(
            e,
            "StartUserImportJob",
            json!({"UserPoolId": pool, "JobId": id})
        ),
        "PreconditionNotMetException"
    );
}

#[test]
fn a_file_the_job_cannot_read_fails_the_job_and_imports_nobody() {
    let f = Fixture::new();
    let e = &f.emulator;
    let pool = &f.pool_id;
    for (csv, why) in [
        ("cognito:username,shoe_size\nerin,9\n", "shoe_size"),
        ("email\nerin@example.com\n", "cognito:username"),
    ] {
        let job = create_job(e, pool, "bad");
        let id = job["JobId"].as_str().unwrap();
        assert_eq!(
            put(job["PreSignedUrl"].as_str().unwrap(), csv.as_bytes()).0,
            200
        );
        ok(
            e,
            "StartUserImportJob",
            json!({"UserPoolId": pool, "JobId": id}),
        );
        let (seen, done) = run_to_end(e, pool, id);
        assert_eq!(seen.last().unwrap(), "Failed");
        assert_eq!(done["ImportedUsers"], 0);
        let message = done["CompletionMessage"].as_str().unwrap();
        assert!(message.contains(why), "{message}");
    }
    // No file at all.
    let job = create_job(e, pool, "empty");
    let id = job["JobId"].as_str().unwrap();
    ok(
        e,
        "StartUserImportJob",
        json!({"UserPoolId": pool, "JobId": id}),
    );
    let (_, done) = run_to_end(e, pool, id);
    assert_eq!(done["Status"], "Failed");
    let listed = ok(e, "ListUsers", json!({"UserPoolId": pool}));
    assert_eq!(listed["Users"], json!([]));
}

#[test]
fn the_upload_url_needs_its_token_and_refuses_an_oversize_file() {
    let f = Fixture::new();
    let e = &f.emulator;
    let job = create_job(e, &f.pool_id, "guarded");
    let url = job["PreSignedUrl"].as_str().unwrap();
    let (base, token) = url.split_once("?token=").unwrap();
    assert!(token.len() >= 32, "{url}");
    let (status, body) = put(
        &format!("{base}?token=guess"),
        b"cognito:username\nmallory\n",
    );
    assert_eq!(status, 403);
    assert!(body.contains("SignatureDoesNotMatch"), "{body}");
    assert_eq!(put(base, b"cognito:username\nmallory\n").0, 403);
    let big = vec![b'a'; 1024 * 1024 + 1];
    assert_eq!(put(url, &big).0, 413);
    // Nothing was stored: the job fails for want of a file.
    let id = job["JobId"].as_str().unwrap();
    ok(
        e,
        "StartUserImportJob",
        json!({"UserPoolId": f.pool_id, "JobId": id}),
    );
    let (_, done) = run_to_end(e, &f.pool_id, id);
    assert_eq!(done["Status"], "Failed");
}

#[test]
fn create_user_import_job_refuses_bad_names_roles_and_pools() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    let body = |pool: &str, name: &str, role: &str| json!({"UserPoolId": pool, "JobName": name, "CloudWatchLogsRoleArn": role});
    assert_eq!(
        refused(
            &e,
            "CreateUserImportJob",
            body("us-east-1_nowhere", "job", ROLE)
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(&e, "CreateUserImportJob", body(&pool, "a/b", ROLE)),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(&e, "CreateUserImportJob", body(&pool, "job", "not-an-arn")),
        "InvalidParameterException"
    );
    let mut hashed = body(&pool, "job", ROLE);
    hashed["PasswordHashingAlgorithm"] = json!("MD5");
    assert_eq!(
        refused(&e, "CreateUserImportJob", hashed),
        "InvalidParameterException"
    );
}

#[test]
fn stop_user_import_job_stops_a_pending_job_before_it_imports() {
    let f = Fixture::new();
    let e = &f.emulator;
    let pool = &f.pool_id;
    let job = create_job(e, pool, "stopped");
    let id = job["JobId"].as_str().unwrap();
    put(
        job["PreSignedUrl"].as_str().unwrap(),
        b"cognito:username\nerin\n",
    );
    assert_eq!(
        refused(
            e,
            "StopUserImportJob",
            json!({"UserPoolId": pool, "JobId": id})
        ),
        "PreconditionNotMetException"
    );
    ok(
        e,
        "StartUserImportJob",
        json!({"UserPoolId": pool, "JobId": id}),
    );
    let stopped = ok(
        e,
        "StopUserImportJob",
        json!({"UserPoolId": pool, "JobId": id}),
    );
    assert_eq!(stopped["UserImportJob"]["Status"], "Stopped");
    let described = ok(
        e,
        "DescribeUserImportJob",
        json!({"UserPoolId": pool, "JobId": id}),
    );
    assert_eq!(described["UserImportJob"]["Status"], "Stopped");
    assert_eq!(described["UserImportJob"]["ImportedUsers"], 0);
    assert_eq!(
        refused(
            e,
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "erin"})
        ),
        "UserNotFoundException"
    );
    assert_eq!(
        refused(
            e,
            "StopUserImportJob",
            json!({"UserPoolId": pool, "JobId": "import-nope"})
        ),
        "ResourceNotFoundException"
    );
}

#[test]
fn jobs_are_described_and_listed_in_pages_and_unknown_ones_refused() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    assert!(
        ok(
            &e,
            "ListUserImportJobs",
            json!({"UserPoolId": pool, "MaxResults": 10})
        )
        .get("UserImportJobs")
        .is_none()
    );
    let ids: Vec<String> = (0..3)
        .map(|i| {
            create_job(&e, &pool, &format!("job {i}"))["JobId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let first = ok(
        &e,
        "ListUserImportJobs",
        json!({"UserPoolId": pool, "MaxResults": 2}),
    );
    let token = first["PaginationToken"].as_str().unwrap();
    let second = ok(
        &e,
        "ListUserImportJobs",
        json!({"UserPoolId": pool, "MaxResults": 2, "PaginationToken": token}),
    );
    let listed: Vec<&str> = first["UserImportJobs"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["UserImportJobs"].as_array().unwrap())
        .map(|j| j["JobId"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut got = listed.clone();
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected);
    let described = ok(
        &e,
        "DescribeUserImportJob",
        json!({"UserPoolId": pool, "JobId": ids[1]}),
    );
    assert_eq!(described["UserImportJob"]["JobName"], "job 1");
    assert_eq!(described["UserImportJob"]["CloudWatchLogsRoleArn"], ROLE);
    assert_eq!(
        refused(
            &e,
            "DescribeUserImportJob",
            json!({"UserPoolId": pool, "JobId": "import-nope"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "DescribeUserImportJob",
            json!({"UserPoolId": pool, "JobId": "nope"})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(&e, "ListUserImportJobs", json!({"UserPoolId": pool})),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            &e,
            "ListUserImportJobs",
            json!({"UserPoolId": "us-east-1_nowhere", "MaxResults": 1})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "StartUserImportJob",
            json!({"UserPoolId": pool, "JobId": "import-nope"})
        ),
        "ResourceNotFoundException"
    );
}

#[test]
fn a_job_and_its_uploaded_file_survive_a_restart() {
    let dir = emulator::TempDir::new("emulator-user-import");
    let f = Fixture::start(Options::default().emulator(dir.config()));
    let job = create_job(&f.emulator, &f.pool_id, "kept");
    let id = job["JobId"].as_str().unwrap().to_owned();
    assert_eq!(
        put(
            job["PreSignedUrl"].as_str().unwrap(),
            b"cognito:username,email\nerin,erin@example.com\n"
        )
        .0,
        200
    );
    let f = f.restart();
    let described = ok(
        &f.emulator,
        "DescribeUserImportJob",
        json!({"UserPoolId": f.pool_id, "JobId": id}),
    );
    assert_eq!(described["UserImportJob"]["Status"], "Created");
    assert_eq!(described["UserImportJob"]["JobName"], "kept");
    ok(
        &f.emulator,
        "StartUserImportJob",
        json!({"UserPoolId": f.pool_id, "JobId": id}),
    );
    let (_, done) = run_to_end(&f.emulator, &f.pool_id, &id);
    assert_eq!(done["Status"], "Succeeded");
    assert_eq!(done["ImportedUsers"], 1);
}
