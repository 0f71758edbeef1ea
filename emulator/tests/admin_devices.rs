//! An administrator's view of a user's devices (AdminGetDevice, AdminListDevices,
//! AdminUpdateDeviceStatus, AdminForgetDevice, on devices a sign-in made and ConfirmDevice
//! confirmed), MFA options (AdminSetUserSettings) and the signing certificate
//! (GetSigningCertificate).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use cognito_flows_emulator::{ClientConfig, DeviceTracking, Emulator, EmulatorConfig, PoolConfig};
use cognito_flows_testkit::emulator;
use common::{ok, refused};
use serde_json::{Value, json};

/// A pool that tracks devices, with alice and bob; alice signed in twice, each sign-in's
/// device confirmed. Returns the emulator, the pool and alice's two device keys.
fn world() -> (Emulator, String, Vec<String>) {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig {
        device_tracking: DeviceTracking::Always,
        ..PoolConfig::default()
    });
    let client = e.create_client(&pool, ClientConfig::default()).unwrap().id;
    e.admin_create_user(&pool, "alice", "Passw0rd!", &[])
        .unwrap();
    e.admin_create_user(&pool, "bob", "Passw0rd!", &[]).unwrap();
    let mut keys = Vec::new();
    for name in ["phone", "laptop"] {
        let result = ok(
            &e,
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
        )["AuthenticationResult"]
            .clone();
        let key = result["NewDeviceMetadata"]["DeviceKey"]
            .as_str()
            .unwrap()
            .to_owned();
        ok(
            &e,
            "ConfirmDevice",
            json!({"AccessToken": result["AccessToken"], "DeviceKey": key, "DeviceName": name,
                   "DeviceSecretVerifierConfig": {"PasswordVerifier": "AQID", "Salt": "BAUG"}}),
        );
        keys.push(key);
    }
    (e, pool, keys)
}

fn attribute(device: &Value, name: &str) -> String {
    device["DeviceAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .map(|a| a["Value"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[test]
fn an_administrator_gets_lists_updates_and_forgets_a_users_devices() {
    let (e, pool, keys) = world();
    let device = ok(
        &e,
        "AdminGetDevice",
        json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": keys[0]}),
    );
    assert_eq!(device["Device"]["DeviceKey"], json!(keys[0]));
    assert_eq!(attribute(&device["Device"], "device_name"), "phone");
    let listed = ok(
        &e,
        "AdminListDevices",
        json!({"UserPoolId": pool, "Username": "alice", "Limit": 1}),
    );
    assert_eq!(listed["Devices"].as_array().unwrap().len(), 1);
    let rest = ok(
        &e,
        "AdminListDevices",
        json!({"UserPoolId": pool, "Username": "alice", "Limit": 1,
        "PaginationToken": listed["PaginationToken"]}),
    );
    assert_eq!(rest["Devices"].as_array().unwrap().len(), 1);
    assert_ne!(
        rest["Devices"][0]["DeviceKey"],
        listed["Devices"][0]["DeviceKey"]
    );
    assert!(rest.get("PaginationToken").is_none());
    let none = ok(
        &e,
        "AdminListDevices",
        json!({"UserPoolId": pool, "Username": "bob"}),
    );
    assert_eq!(none["Devices"], json!([]));

    // A pool that always tracks devices remembers them when they are confirmed.
    assert_eq!(
        attribute(&device["Device"], "dev:device_remembered_status"),
        "remembered"
    );
    ok(
        &e,
        "AdminUpdateDeviceStatus",
        json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": keys[0],
        "DeviceRememberedStatus": "not_remembered"}),
    );
    let device = ok(
        &e,
        "AdminGetDevice",
        json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": keys[0]}),
    );
    assert_eq!(
        attribute(&device["Device"], "dev:device_remembered_status"),
        "not_remembered"
    );

    ok(
        &e,
        "AdminForgetDevice",
        json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": keys[0]}),
    );
    assert_eq!(
        refused(
            &e,
            "AdminGetDevice",
            json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": keys[0]})
        ),
        "ResourceNotFoundException"
    );
    let left = ok(
        &e,
        "AdminListDevices",
        json!({"UserPoolId": pool, "Username": "alice"}),
    );
    assert_eq!(left["Devices"].as_array().unwrap().len(), 1);
}

#[test]
fn admin_device_calls_refuse_unknown_pools_users_devices_and_other_users_devices() {
    let (e, pool, keys) = world();
    let nowhere = "us-east-1_nowhere";
    for operation in [
        "AdminGetDevice",
        "AdminListDevices",
        "AdminForgetDevice",
        "AdminUpdateDeviceStatus",
    ] {
        assert_eq!(
            refused(
                &e,
                operation,
                json!({"UserPoolId": nowhere, "Username": "alice", "DeviceKey": keys[0]})
            ),
            "ResourceNotFoundException",
            "{operation}"
        );
    }
    assert_eq!(
        refused(
            &e,
            "AdminGetDevice",
            json!({"UserPoolId": pool, "Username": "nobody", "DeviceKey": keys[0]})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "AdminListDevices",
            json!({"UserPoolId": pool, "Username": "nobody"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "AdminForgetDevice",
            json!({"UserPoolId": pool, "Username": "nobody", "DeviceKey": keys[0]})
        ),
        "UserNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "AdminUpdateDeviceStatus",
            json!({"UserPoolId": pool, "Username": "nobody", "DeviceKey": keys[0]})
        ),
        "UserNotFoundException"
    );
    // bob cannot reach alice's device.
    for operation in [
        "AdminGetDevice",
        "AdminForgetDevice",
        "AdminUpdateDeviceStatus",
    ] {
        assert_eq!(
            refused(
                &e,
                operation,
                json!({"UserPoolId": pool, "Username": "bob", "DeviceKey": keys[0]})
            ),
            "ResourceNotFoundException",
            "{operation}"
        );
    }
    assert_eq!(
        refused(
            &e,
            "AdminUpdateDeviceStatus",
            json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": keys[0],
        "DeviceRememberedStatus": "forever"})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            &e,
            "AdminListDevices",
            json!({"UserPoolId": pool, "Username": "alice", "Limit": 61})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            &e,
            "AdminListDevices",
            json!({"UserPoolId": pool, "Username": "alice", "PaginationToken": "forged"})
        ),
        "InvalidParameterException"
    );
    let device = ok(
        &e,
        "AdminGetDevice",
        json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": keys[0]}),
    );
    assert_eq!(
        attribute(&device["Device"], "dev:device_remembered_status"),
        "remembered",
        "nothing changed"
    );
}

#[test]
fn admin_set_user_settings_turns_sms_mfa_on_and_off() {
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig {
        mfa: cognito_flows_emulator::Mfa::Optional,
        ..PoolConfig::default()
    });
    e.admin_create_user(
        &pool,
        "alice",
        "Passw0rd!",
        &[("phone_number", "+15550100")],
    )
    .unwrap();
    let sms = json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]);
    ok(
        &e,
        "AdminSetUserSettings",
        json!({"UserPoolId": pool, "Username": "alice", "MFAOptions": sms}),
    );
    let user = ok(
        &e,
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "alice"}),
    );
    assert_eq!(user["MFAOptions"], sms);
    ok(
        &e,
        "AdminSetUserSettings",
        json!({"UserPoolId": pool, "Username": "alice", "MFAOptions": []}),
    );
    let user = ok(
        &e,
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "alice"}),
    );
    assert!(user.get("MFAOptions").is_none(), "{user}");
}

#[test]
fn admin_set_user_settings_refuses_what_cognito_refuses() {
    let e = emulator::start(EmulatorConfig::default());
    let off = e.create_user_pool(PoolConfig::default());
    e.admin_create_user(&off, "alice", "Passw0rd!", &[("phone_number", "+15550100")])
        .unwrap();
    let sms = json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]);
    assert_eq!(
        refused(
            &e,
            "AdminSetUserSettings",
            json!({"UserPoolId": off, "Username": "alice", "MFAOptions": sms})
        ),
        "InvalidParameterException",
        "MFA off"
    );
    assert_eq!(
        refused(
            &e,
            "AdminSetUserSettings",
            json!({"UserPoolId": off, "Username": "nobody", "MFAOptions": []})
        ),
        "UserNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "AdminSetUserSettings",
            json!({"UserPoolId": "us-east-1_nowhere", "Username": "alice", "MFAOptions": []})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            &e,
            "AdminSetUserSettings",
            json!({"UserPoolId": off, "Username": "alice"})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            &e,
            "AdminSetUserSettings",
            json!({"UserPoolId": off, "Username": "alice",
        "MFAOptions": [{"DeliveryMedium": "EMAIL", "AttributeName": "email"}]})
        ),
        "InvalidParameterException"
    );
}

#[test]
fn the_signing_certificate_is_of_the_key_in_the_jwks() {
    use base64::Engine as _;
    let e = emulator::start(EmulatorConfig::default());
    let pool = e.create_user_pool(PoolConfig::default());
    let answer = ok(&e, "GetSigningCertificate", json!({"UserPoolId": pool}));
    let der = base64::engine::general_purpose::STANDARD
        .decode(answer["Certificate"].as_str().unwrap())
        .unwrap();
    assert_eq!(der[0], 0x30, "a DER SEQUENCE");
    // The certificate carries the public key whose modulus the JWKS publishes.
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(e.jwks()["keys"][0]["n"].as_str().unwrap())
        .unwrap();
    assert!(
        der.windows(n.len()).any(|w| w == n.as_slice()),
        "the JWKS key's modulus is in the certificate"
    );
    assert_eq!(
        refused(
            &e,
            "GetSigningCertificate",
            json!({"UserPoolId": "us-east-1_nowhere"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(&e, "GetSigningCertificate", json!({})),
        "InvalidParameterException"
    );
}
