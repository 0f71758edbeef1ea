//! The JS SDK's storage keys: what a Rust service writes, the JS SDK reads, and back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use cognito_flows::storage::{self, Key, Saved};
use cognito_flows::{DeviceCredentials, Tokens};
use common::*;

#[test]
fn key_names_are_the_js_sdks() {
    // As written by CognitoUser.cacheTokens / cacheDeviceKeyAndPassword.
    let names: Vec<String> = Key::ALL
        .iter()
        .map(|k| storage::key("cid", "bob", *k))
        .collect();
    assert_eq!(
        names,
        [
            "CognitoIdentityServiceProvider.cid.bob.idToken",
            "CognitoIdentityServiceProvider.cid.bob.accessToken",
            "CognitoIdentityServiceProvider.cid.bob.refreshToken",
            "CognitoIdentityServiceProvider.cid.bob.clockDrift",
            "CognitoIdentityServiceProvider.cid.bob.deviceKey",
            "CognitoIdentityServiceProvider.cid.bob.deviceGroupKey",
            "CognitoIdentityServiceProvider.cid.bob.randomPasswordKey",
        ]
    );
    assert_eq!(
        storage::last_auth_user_key("cid"),
        "CognitoIdentityServiceProvider.cid.LastAuthUser"
    );
}

#[test]
fn what_is_written_reads_back() {
    let answer = tokens_answer("alice", true);
    let result: cognito_flows::wire::AuthenticationResult =
        serde_json::from_value(answer["AuthenticationResult"].clone()).unwrap();
    let tokens = Tokens::from_result(&result, now(), None).unwrap();
    let device = DeviceCredentials {
        device_key: "us-east-1_d".into(),
        device_group_key: "-g".into(),
        password: "pw".into(),
    };
    let store: BTreeMap<String, String> = Saved::items("cid", "alice", &tokens, Some(&device))
        .into_iter()
        .map(|(k, v)| (k, v.expose().to_owned()))
        .collect();
    assert_eq!(store.len(), 8);
    let saved = Saved::read("cid", |k| store.get(k).cloned()).unwrap();
    assert_eq!(saved.username, "alice");
    assert_eq!(saved.access_token.as_ref(), Some(&tokens.access_token));
    assert_eq!(saved.id_token.as_ref(), tokens.id_token.as_ref());
    assert_eq!(saved.refresh_token, tokens.refresh_token);
    assert_eq!(saved.clock_drift, tokens.clock_drift);
    assert_eq!(saved.device, Some(device));
    assert!(!format!("{saved:?}").contains("pw\""));
    // Nothing recorded: nothing read. A device without its password: no device.
    assert!(Saved::read("other", |k| store.get(k).cloned()).is_none());
    let partial = Saved::read("cid", |k| {
        store
            .get(k)
            .filter(|_| !k.ends_with("randomPasswordKey"))
            .cloned()
    })
    .unwrap();
    assert_eq!(partial.device, None);
}
