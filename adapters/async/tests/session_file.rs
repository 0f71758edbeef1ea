//! Saved sessions hold secrets: `save_session` writes them owner-only and atomically, and
//! `load_session` refuses what is not a session with a typed error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use cognito_flows::StoredSession;
use cognito_flows_async::{load_session, save_session, write_private};

fn session(refresh: &str) -> StoredSession {
    // {"alg":"none"} . {"username":"alice","iat":1764000000,"exp":1764003600} . (no signature)
    let jwt = "eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6ImFsaWNlIiwiaWF0IjoxNzY0MDAwMDAwLCJleHAiOjE3NjQwMDM2MDB9.";
    let json = serde_json::json!({
        "tokens": {
            "id_token": jwt,
            "access_token": jwt,
            "refresh_token": refresh,
            "expires_in": 3600,
            "received_at": 1_764_000_000,
            "clock_drift": 0,
        },
        "username": "alice",
    });
    serde_json::from_value(json).unwrap_or_else(|e| panic!("a session: {e}"))
}

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cognito-flows-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_saved_session_is_owner_only_and_round_trips() {
    let dir = dir("save");
    let path = dir.join("session.json");
    // An existing world-readable file is replaced by an owner-only one.
    std::fs::write(&path, "old").unwrap();
    save_session(&path, &session("r-1")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
    let loaded = load_session(&path).unwrap();
    assert_eq!(loaded.username, "alice");
    assert_eq!(
        loaded
            .tokens
            .refresh_token
            .as_ref()
            .map(|t| t.expose().to_owned()),
        Some("r-1".to_owned())
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file left"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_crash_mid_write_leaves_the_previous_session_readable() {
    let dir = dir("crash");
    let path = dir.join("session.json");
    save_session(&path, &session("r-1")).unwrap();
    // A crash after the temporary file was created and before the rename: the half-written
    // temporary file is there, the session is still the previous one, and the next save works.
    std::fs::write(dir.join(".session.json.tmp"), "{\"tokens\":").unwrap();
    assert_eq!(load_session(&path).unwrap().username, "alice");
    save_session(&path, &session("r-2")).unwrap();
    let loaded = load_session(&path).unwrap();
    assert_eq!(
        loaded.tokens.refresh_token.map(|t| t.expose().to_owned()),
        Some("r-2".to_owned())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn what_is_not_a_session_is_a_typed_error_that_shows_no_content() {
    let dir = dir("bad");
    let path = dir.join("session.json");
    std::fs::write(&path, "{\"refresh_token\": \"s3cret-refresh\"").unwrap();
    let error = load_session(&path).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    assert!(!error.to_string().contains("s3cret-refresh"), "{error}");
    assert_eq!(
        load_session(&dir.join("missing.json")).unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn write_private_replaces_a_secret_whole_and_owner_only() {
    let dir = dir("private");
    let path = dir.join("client-secret");
    std::fs::write(&path, "old").unwrap();
    std::fs::write(dir.join(".client-secret.tmp"), "half").unwrap();
    write_private(&path, b"s3cret").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"s3cret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "the stale temporary file is gone"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
