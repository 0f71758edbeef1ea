//! The data directory: what a restart keeps (users, codes, tokens and their revocation, the
//! signing key), files from older emulators, and the hostile ones (not a directory, not SQLite,
//! someone else's database, a newer version, corruption, a second emulator).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use cognito_flows_emulator::{Emulator, EmulatorConfig, PoolConfig};
use cognito_flows_testkit::emulator::{self, Fixture, Options, TempDir};
use serde_json::{Value, json};

mod common;
use common::{call, get_json};

const PASSWORD: &str = "Passw0rd!";

/// The data directory of a test: inside its own directory, so that the hostile cases can put
/// files beside it.
fn data(dir: &TempDir) -> PathBuf {
    dir.path().join("data")
}

/// The test's own directory (removed when dropped).
fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("emulator-persistence-{name}"))
}

fn config(data: &Path) -> EmulatorConfig {
    EmulatorConfig {
        data: Some(data.to_owned()),
        ..EmulatorConfig::default()
    }
}

fn start_on(data: &Path) -> Emulator {
    emulator::start(config(data))
}

/// The start-up error for `data`.
fn refused(data: &Path) -> String {
    match Emulator::start(config(data)) {
        Ok(_) => panic!("{} was accepted", data.display()),
        Err(e) => e.to_string(),
    }
}

fn sign_in(endpoint: &str, client: &str, username: &str) -> (u16, Value) {
    call(
        endpoint,
        "InitiateAuth",
        &json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}}),
    )
}

fn tokens(endpoint: &str, client: &str, username: &str) -> (String, String) {
    let (status, answer) = sign_in(endpoint, client, username);
    assert_eq!(status, 200, "{answer}");
    let result = &answer["AuthenticationResult"];
    (
        result["AccessToken"].as_str().unwrap().to_owned(),
        result["RefreshToken"].as_str().unwrap().to_owned(),
    )
}

fn refresh(endpoint: &str, client: &str, token: &str) -> (u16, Value) {
    call(
        endpoint,
        "InitiateAuth",
        &json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": token}}),
    )
}

fn get_user(endpoint: &str, access: &str) -> (u16, Value) {
    call(endpoint, "GetUser", &json!({"AccessToken": access}))
}

#[test]
fn a_restart_keeps_users_codes_tokens_and_revocations() {
    let dir = temp_dir("restart");
    let Fixture {
        emulator,
        pool_id: pool,
        client_id: client,
        ..
    } = Fixture::start(Options::default().data(&data(&dir)).user(
        "alice",
        PASSWORD,
        &[("email", "alice@example.com")],
    ));
    assert!(!emulator.restored());
    let endpoint = emulator.endpoint().to_owned();
    let (status, answer) = call(
        &endpoint,
        "SignUp",
        &json!({"ClientId": client, "Username": "bob", "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
    );
    assert_eq!(status, 200, "{answer}");
    let (access, kept) = tokens(&endpoint, &client, "alice");
    let (_, revoked) = tokens(&endpoint, &client, "alice");
    let (status, answer) = call(
        &endpoint,
        "RevokeToken",
        &json!({"ClientId": client, "Token": revoked}),
    );
    assert_eq!(status, 200, "{answer}");
    let jwks = emulator.jwks();
    let outbox = emulator.outbox();
    drop(emulator);

    let emulator = start_on(&data(&dir));
    let endpoint = emulator.endpoint().to_owned();
    assert!(emulator.restored());
    assert_eq!(emulator.pool_ids(), [pool]);
    // The signing key is the same: tokens issued before the restart still verify.
    assert_eq!(emulator.jwks(), jwks);
    assert_eq!(emulator.outbox(), outbox);
    let (status, answer) = get_user(&endpoint, &access);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["Username"], "alice");
    let (status, answer) = refresh(&endpoint, &client, &kept);
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = refresh(&endpoint, &client, &revoked);
    assert_eq!(
        (status, answer["__type"].as_str()),
        (400, Some("NotAuthorizedException")),
        "{answer}"
    );
    // Bob's code came through the restart: it confirms him.
    let code = get_json(&endpoint, "_emulator/outbox?username=bob")["messages"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, answer) = call(
        &endpoint,
        "ConfirmSignUp",
        &json!({"ClientId": client, "Username": "bob", "ConfirmationCode": code}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(sign_in(&endpoint, &client, "bob").0, 200);

    // A GlobalSignOut is kept too, and tokens issued after a restart come after it.
    let (access, _) = tokens(&endpoint, &client, "alice");
    let (status, answer) = call(&endpoint, "GlobalSignOut", &json!({"AccessToken": access}));
    assert_eq!(status, 200, "{answer}");
    drop(emulator);
    let emulator = start_on(&data(&dir));
    let endpoint = emulator.endpoint().to_owned();
    assert_eq!(get_user(&endpoint, &access).0, 400);
    assert_eq!(refresh(&endpoint, &client, &kept).0, 400);
    let (access, _) = tokens(&endpoint, &client, "alice");
    let (status, answer) = get_user(&endpoint, &access);
    assert_eq!(
        status, 200,
        "a token issued after the restart is revoked: {answer}"
    );
}

#[test]
fn a_seeded_emulator_draws_new_ids_after_a_restart() {
    let dir = temp_dir("seed");
    let seeded = EmulatorConfig {
        seed: Some([7; 32]),
        ..config(&data(&dir))
    };
    let first = emulator::start(seeded.clone()).create_user_pool(PoolConfig::default());
    let emulator = emulator::start(seeded);
    let second = emulator.create_user_pool(PoolConfig::default());
    assert_ne!(first, second);
    assert_eq!(emulator.pool_ids().len(), 2);
}

#[test]
fn the_embedded_emulator_keeps_nothing_by_default() {
    let emulator = emulator::start(EmulatorConfig::default());
    assert!(!emulator.restored());
    assert!(EmulatorConfig::default().data.is_none());
}

#[test]
fn a_file_written_before_a_field_existed_opens_with_its_default() {
    let dir = temp_dir("older");
    let w = Fixture::start(
        Options::default()
            .data(&data(&dir))
            .user("alice", PASSWORD, &[]),
    );
    let client = w.client_id.clone();
    drop(w);
    // As an emulator wrote it before these fields were added.
    let db = rusqlite::Connection::open(data(&dir).join("emulator.sqlite3")).unwrap();
    let changed = db
        .execute(
            "UPDATE records SET value = json_remove(value, '$.totp_name', '$.failed_passwords', '$.locked_until')
             WHERE kind = 'user'",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    db.execute(
        "UPDATE records SET value = json_remove(value, '$.prevent_user_existence_errors') WHERE kind = 'client'",
        [],
    )
    .unwrap();
    drop(db);
    let emulator = start_on(&data(&dir));
    assert_eq!(sign_in(emulator.endpoint(), &client, "alice").0, 200);
}

#[test]
fn hostile_data_directories_are_clear_errors() {
    let dir = temp_dir("hostile");

    // A file where the directory should be, or above it.
    let file = dir.path().join("file");
    std::fs::write(&file, "not a directory").unwrap();
    let why = refused(&file);
    assert!(why.contains("is not a directory"), "{why}");
    let why = refused(&file.join("data"));
    assert!(
        why.contains("the data directory") && why.contains("file/data: Not a directory"),
        "{why}"
    );

    // A database file that is not SQLite.
    let text = dir.path().join("text");
    std::fs::create_dir(&text).unwrap();
    std::fs::write(
        text.join("emulator.sqlite3"),
        "hello, I am a text file\n".repeat(300),
    )
    .unwrap();
    let why = refused(&text);
    assert!(why.contains("is not an SQLite database"), "{why}");

    // Someone else's SQLite database.
    let foreign = dir.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    rusqlite::Connection::open(foreign.join("emulator.sqlite3"))
        .unwrap()
        .execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
        .unwrap();
    let why = refused(&foreign);
    assert!(why.contains("of something else"), "{why}");

    // A file of a newer emulator.
    let newer = dir.path().join("newer");
    drop(start_on(&newer));
    rusqlite::Connection::open(newer.join("emulator.sqlite3"))
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let why = refused(&newer);
    assert!(
        why.contains("newer cognito-emulator (data version 99; this one reads versions up to 1)"),
        "{why}"
    );

    // A second emulator on a directory in use.
    let busy = dir.path().join("busy");
    let running = start_on(&busy);
    let why = refused(&busy);
    assert!(why.contains("another cognito-emulator is using"), "{why}");
    drop(running);
    drop(start_on(&busy));
}

/// A data file with users in it, closed (checkpointed into the main file).
fn populated(data: &Path) -> PathBuf {
    let emulator = start_on(data);
    let pool = emulator.create_user_pool(PoolConfig::default());
    for i in 0..40 {
        emulator
            .admin_create_user(&pool, &format!("user{i}"), PASSWORD, &[])
            .unwrap();
    }
    drop(emulator);
    data.join("emulator.sqlite3")
}

#[test]
fn a_corrupt_file_is_a_clear_error() {
    let dir = temp_dir("corrupt");
    let file = populated(&data(&dir));
    let mut bytes = std::fs::read(&file).unwrap();
    assert!(bytes.len() > 3 * 4096, "{}", bytes.len());
    // Pages 2 and 3 (the first pages of the tables) overwritten.
    bytes[4096..3 * 4096].fill(0xa5);
    std::fs::write(&file, &bytes).unwrap();
    let why = refused(&data(&dir));
    assert!(why.contains("is corrupt"), "{why}");

    // Cut short.
    let dir = temp_dir("truncated");
    let file = populated(&data(&dir));
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let why = refused(&data(&dir));
    assert!(why.contains("is corrupt"), "{why}");
}

#[test]
fn an_unreadable_record_is_named_without_its_content() {
    let dir = temp_dir("record");
    let file = populated(&data(&dir));
    let db = rusqlite::Connection::open(&file).unwrap();
    db.execute(
        "UPDATE records SET value = '{\"credential\": \"s3cret-verifier\"}' WHERE kind = 'user' AND key = 'user7'",
        [],
    )
    .unwrap();
    drop(db);
    let why = refused(&data(&dir));
    assert!(why.contains("a user record of us-east-1_"), "{why}");
    assert!(why.contains("is unreadable"), "{why}");
    assert!(
        !why.contains("s3cret"),
        "the record's content is in the error: {why}"
    );
}

/// Whether this process runs as root (who may write anything that is only write-protected).
fn root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .is_some_and(|ids| ids.split_whitespace().next() == Some("0"))
}

/// `path` made unwritable: immutable for root (`chattr +i`), read-only for anyone else.
struct Unwritable(PathBuf);

impl Unwritable {
    fn new(path: PathBuf) -> Self {
        if root() {
            let done = std::process::Command::new("chattr")
                .arg("+i")
                .arg(&path)
                .status()
                .expect("chattr (e2fsprogs) makes a file unwritable for root");
            assert!(done.success(), "chattr +i {}", path.display());
        } else {
            let mut permissions = std::fs::metadata(&path).unwrap().permissions();
            permissions.set_readonly(true);
            std::fs::set_permissions(&path, permissions).unwrap();
        }
        Self(path)
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        if root() {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.0)
                .status();
        } else if let Ok(metadata) = std::fs::metadata(&self.0) {
            let mut permissions = metadata.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            let _ = std::fs::set_permissions(&self.0, permissions);
        }
    }
}

#[test]
fn an_unwritable_data_directory_or_file_is_a_clear_error() {
    let dir = temp_dir("unwritable");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let guard = Unwritable::new(empty.clone());
    let why = refused(&empty);
    assert!(why.contains("cannot write in the data directory"), "{why}");
    let why = refused(&empty.join("below"));
    assert!(why.contains("cannot create the data directory"), "{why}");
    drop(guard);

    let data = data(&dir);
    drop(start_on(&data));
    let guard = Unwritable::new(data.join("emulator.sqlite3"));
    let why = refused(&data);
    assert!(
        why.contains("cannot write") && why.contains("emulator.sqlite3"),
        "{why}"
    );
    drop(guard);
    drop(start_on(&data));
}

#[test]
fn a_version_1_file_opens_in_this_emulator() {
    let dir = temp_dir("v1");
    std::fs::create_dir(data(&dir)).unwrap();
    rusqlite::Connection::open(data(&dir).join("emulator.sqlite3"))
        .unwrap()
        .execute_batch(include_str!("fixtures/data-v1.sql"))
        .unwrap();
    let emulator = start_on(&data(&dir));
    assert!(emulator.restored());
    assert_eq!(emulator.pool_ids(), ["us-east-1_uy4XtiWb8"]);
    let (endpoint, client) = (emulator.endpoint(), "ycu3r9ibzbupqcmh6fn5bcxoob");
    let (status, answer) = sign_in(endpoint, client, "alice");
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = refresh(
        endpoint,
        client,
        "oTN7hCK5H1veah4JR8P5_cT2gYUznYQvwwhfMlaPE5E",
    );
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = call(
        endpoint,
        "ConfirmSignUp",
        &json!({"ClientId": client, "Username": "bob", "ConfirmationCode": "432212"}),
    );
    assert_eq!(status, 200, "{answer}");
}
