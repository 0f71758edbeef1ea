//! What the fuzz targets of the emulator found (`fuzz/fuzz_targets/emulator_*`), each pinned by
//! a test over HTTP, so that it stays fixed whatever the fuzz bodies become.

mod common;

use std::sync::Arc;

use cognito_flows_emulator::{
    ChallengeResult, CustomAuth, CustomAuthTriggers, CustomChallenge, Define, Emulator,
    EmulatorConfig, PoolConfig,
};
use cognito_flows_testkit::emulator::{Fixture, Options, TempDir};
use serde_json::json;

use common::call;

/// Custom auth that signs anyone in at once, as a define-challenge trigger may.
struct SignEveryoneIn;

impl CustomAuth for SignEveryoneIn {
    fn define(&self, _: &str, _: &[ChallengeResult]) -> Define {
        Define::IssueTokens
    }

    fn create(&self, _: &str, _: &[ChallengeResult]) -> CustomChallenge {
        CustomChallenge {
            public: Default::default(),
            answer: String::new(),
        }
    }
}

/// emulator_webhook_answers: CUSTOM_AUTH signed in a user who had not confirmed the sign-up,
/// when the define-challenge trigger answered `issueTokens`. Cognito refuses an unconfirmed user
/// before any trigger runs, as the other flows do.
#[test]
fn custom_auth_refuses_an_unconfirmed_user() {
    let f = Fixture::start(
        Options::default()
            .pool(PoolConfig {
                custom_auth: Some(CustomAuthTriggers(Arc::new(SignEveryoneIn))),
                ..PoolConfig::default()
            })
            .user("alice", "Passw0rd!alice", &[]),
    );
    let (emulator, client) = (&f.emulator, &f.client_id);
    emulator
        .create_unconfirmed_user(&f.pool_id, "bob", "Passw0rd!bob", &[])
        .unwrap();
    let sign_in = |user: &str| {
        call(
            emulator.endpoint(),
            "InitiateAuth",
            &json!({"ClientId": client, "AuthFlow": "CUSTOM_AUTH",
                "AuthParameters": {"USERNAME": user}}),
        )
    };
    let (status, answer) = sign_in("bob");
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["__type"], "UserNotConfirmedException");
    assert!(answer.get("AuthenticationResult").is_none());
    // A confirmed user still gets the tokens the trigger grants.
    let (status, answer) = sign_in("alice");
    assert_eq!(status, 200, "{answer}");
    assert!(answer["AuthenticationResult"]["AccessToken"].is_string());
}

/// emulator_dispatch: RevokeToken answered ResourceNotFoundException for an unknown client and
/// NotAuthorizedException for a wrong client secret, neither of which Cognito's model declares
/// for RevokeToken (an SDK that knows the operation's errors cannot name them). Both are
/// UnauthorizedException.
#[test]
fn revoke_token_errors_are_the_ones_cognito_declares() {
    let f = Fixture::start(Options::default().secret());
    let (emulator, client) = (&f.emulator, &f.client_id);
    for body in [
        json!({"ClientId": "no-such-client", "Token": "x"}),
        json!({"ClientId": client, "ClientSecret": "wrong", "Token": "x"}),
        json!({"ClientId": client, "Token": "x"}),
    ] {
        let (status, answer) = call(emulator.endpoint(), "RevokeToken", &body);
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(
            answer["__type"], "UnauthorizedException",
            "{body}: {answer}"
        );
    }
}

/// emulator_data_directory: a user record stored under another name than its own (the key
/// column edited) was loaded, and the user then existed for some calls and not for others
/// (GlobalSignOut with her token answered UserNotFoundException). A record whose key is not its
/// own id is corrupt: refused at start-up with a clear error, as any unreadable record is.
#[test]
fn a_record_stored_under_another_key_is_refused_at_start_up() {
    let (dir, config) = alice_on_disk("fuzz-regression-key");
    edit_one_record(
        &dir,
        "UPDATE records SET key = 'mallory' WHERE kind = 'user' AND key = 'alice'",
    );
    let refused = Emulator::start(config).err().map(|e| e.to_string());
    let message = refused.expect("the emulator started on a user record under another name");
    assert!(message.contains("user record"), "{message}");
    assert!(!message.contains("Passw0rd"), "{message}");
}

/// emulator_data_directory: a user record whose sign-out point (`signed_out_seq`, GlobalSignOut's
/// mark in the token sequence) is ahead of the stored sequence was loaded, and every token then
/// issued to that user was revoked at birth ("Access Token has been revoked" for a token just
/// issued). Such a record is corrupt: refused at start-up.
#[test]
fn a_sign_out_ahead_of_the_token_sequence_is_refused_at_start_up() {
    let (dir, config) = alice_on_disk("fuzz-regression-seq");
    edit_one_record(
        &dir,
        "UPDATE records SET value = json_set(value, '$.signed_out_seq', 1000000) \
             WHERE kind = 'user' AND key = 'alice'",
    );
    let refused = Emulator::start(config).err().map(|e| e.to_string());
    let message = refused.expect("the emulator started on a sign-out ahead of the token sequence");
    assert!(message.contains("user record"), "{message}");
}

/// A data directory left by an emulator with a pool and alice (`Passw0rd!alice`), and the
/// settings that start another emulator on it.
fn alice_on_disk(name: &str) -> (TempDir, EmulatorConfig) {
    let dir = TempDir::new(name);
    let config = dir.config();
    let emulator = Emulator::start(config.clone()).unwrap();
    let pool = emulator.create_user_pool(PoolConfig::default());
    emulator
        .admin_create_user(&pool, "alice", "Passw0rd!alice", &[])
        .unwrap();
    drop(emulator);
    (dir, config)
}

/// Runs `sql` on the records of the data directory `dir`; it changes exactly one.
fn edit_one_record(dir: &TempDir, sql: &str) {
    let db = rusqlite::Connection::open(dir.path().join("emulator.sqlite3")).unwrap();
    assert_eq!(db.execute(sql, []).unwrap(), 1);
}
