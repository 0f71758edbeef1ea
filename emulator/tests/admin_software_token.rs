//! AdminDeleteSoftwareToken: an administrator removes a user's TOTP authenticator (a lost
//! phone); the user is no longer asked for its codes, and may register a new one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::UNIX_EPOCH;

use cognito_flows_emulator::{Mfa, PoolConfig};
use cognito_flows_testkit::emulator::{Fixture, Options};
use cognito_flows_testkit::totp_code;
use common::{ok, refused};
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";

fn sign_in(f: &Fixture) -> Value {
    ok(
        &f.emulator,
        "InitiateAuth",
        json!({"ClientId": f.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
    )
}

fn set_up_totp(f: &Fixture) {
    let access = sign_in(f)["AuthenticationResult"]["AccessToken"].clone();
    let secret = ok(
        &f.emulator,
        "AssociateSoftwareToken",
        json!({"AccessToken": access}),
    )["SecretCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = f
        .emulator
        .now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    ok(
        &f.emulator,
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": totp_code(&secret, now)}),
    );
    ok(
        &f.emulator,
        "SetUserMFAPreference",
        json!({"AccessToken": access,
               "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
}

#[test]
fn the_users_authenticator_is_removed_and_no_longer_asked_for() {
    let f = Fixture::start(
        Options::default()
            .pool(PoolConfig {
                mfa: Mfa::Optional,
                ..PoolConfig::default()
            })
            .user("alice", PASSWORD, &[]),
    );
    set_up_totp(&f);
    assert_eq!(sign_in(&f)["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let user = json!({"UserPoolId": f.pool_id, "Username": "alice"});
    ok(&f.emulator, "AdminDeleteSoftwareToken", user.clone());
    let described = ok(&f.emulator, "AdminGetUser", user.clone());
    assert_eq!(described["UserMFASettingList"], json!([]));
    assert!(
        described.get("PreferredMfaSetting").is_none(),
        "{described}"
    );
    assert!(sign_in(&f)["AuthenticationResult"]["AccessToken"].is_string());
    // A new authenticator can be registered.
    set_up_totp(&f);
    assert_eq!(sign_in(&f)["ChallengeName"], "SOFTWARE_TOKEN_MFA");
}

#[test]
fn unknown_users_and_pools_are_refused() {
    let f = common::alice();
    assert_eq!(
        refused(
            &f.emulator,
            "AdminDeleteSoftwareToken",
            json!({"UserPoolId": f.pool_id, "Username": "nobody"})
        ),
        "UserNotFoundException"
    );
    assert_eq!(
        refused(
            &f.emulator,
            "AdminDeleteSoftwareToken",
            json!({"UserPoolId": "us-east-1_nowhere", "Username": "alice"})
        ),
        "ResourceNotFoundException"
    );
}
