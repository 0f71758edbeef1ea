//! The config file and the start-up plan (moved from `main.rs` with them).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::json;

use super::file::{FileConfig, check_region, parse_config};
use super::*;
use crate::model::settings::Webhooks;
use crate::model::state::{DeviceTracking, Mfa};

const EXAMPLE: &str = include_str!("../../cognito-emulator.example.toml");

#[test]
fn the_example_config_parses_to_what_it_says() {
    let config = parse_config(EXAMPLE, false).unwrap();
    assert_eq!(config.pool.mfa, MfaSetting::Optional);
    assert_eq!(config.pool.device_tracking, DeviceSetting::UserOptIn);
    assert_eq!(config.clients.len(), 2);
    assert!(config.clients.iter().any(|c| c.secret));
    assert!(config.clients[0].prevent_user_existence_errors);
    assert_eq!(
        config.clients[0].callback_urls,
        ["http://localhost:3000/callback"]
    );
    assert_eq!(config.clients[0].logout_urls, ["http://localhost:3000/"]);
    assert_eq!(config.pool.custom_attributes, ["tenant"]);
    assert_eq!(config.pool.fixed_code, None);
    assert_eq!(
        config.pool.webhooks.webhooks(),
        Webhooks {
            timeout: Some(std::time::Duration::from_secs(5)),
            ..Webhooks::default()
        }
    );
    assert_eq!(config.users[0].username, "alice");
    assert_eq!(
        config.users[0].attributes.get("email").map(String::as_str),
        Some("alice@example.com")
    );
}

#[test]
fn json_config_is_the_same_schema() {
    let config = parse_config(
        r#"{"pool": {"mfa": "required", "device_tracking": "always",
            "password_policy": {"minimum_length": 12, "require_symbols": false}},
            "clients": [{"name": "a", "secret": true}],
            "users": [{"username": "bob", "password": "pw", "attributes": {"email": "b@x"}}]}"#,
        true,
    )
    .unwrap();
    assert_eq!(config.pool.mfa, MfaSetting::Required);
    assert_eq!(config.pool.password_policy.minimum_length, 12);
    assert!(!config.pool.password_policy.require_symbols);
    assert!(config.pool.password_policy.require_numbers);
    assert!(config.clients[0].secret);
}

#[test]
fn an_empty_file_is_the_default_setup() {
    assert_eq!(parse_config("", false).unwrap(), FileConfig::default());
    assert_eq!(parse_config("{}", true).unwrap(), FileConfig::default());
}

#[test]
fn bad_configs_say_what_is_wrong() {
    for (text, json, says) in [
        ("[pool]\nmfa = \"sometimes\"", false, "sometimes"),
        ("[pool]\nmfa_typo = \"off\"", false, "mfa_typo"),
        ("[[users]]\nusername = \"a\"", false, "password"),
        ("port = 70000", false, "70000"),
        (
            "[pool.password_policy]\nminimum_length = 5",
            false,
            "6 to 99",
        ),
        (
            "[[clients]]\nname = \"a\"\n[[clients]]\nname = \"a\"",
            false,
            "\"a\"",
        ),
        ("{\"users\": 3}", true, "invalid type"),
        ("{\"pool\": {\"device_tracking\": \"maybe\"}", true, "maybe"),
        ("[pool", false, "TOML parse error"),
        ("[pool]\nfixed_code = \"12 34\"", false, "white space"),
        (
            "[pool]\ncustom_attributes = [\"has space\"]",
            false,
            "custom_attributes: \"has space\"",
        ),
        (
            "[pool]\ncustom_attributes = [\"a_name_longer_than_twenty\"]",
            false,
            "1 to 20 characters",
        ),
        (
            "[[pools]]\nname = \"ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp\"",
            false,
            "the pool name is 1 to 128 characters",
        ),
        ("[pool]\nfixed_code = \"\"", false, "1 to 2048"),
        (
            "[pool.webhooks]\npre_sign_up = \"https://hooks.example/x\"",
            false,
            "pool.webhook pre_sign_up = \"https://hooks.example/x\" is not an http:// URL",
        ),
        (
            "[pool.webhooks]\ndefine_auth_challenge = \"127.0.0.1:8000\"",
            false,
            "not an http:// URL",
        ),
        ("[pool.webhooks]\ntimeout_ms = 0", false, "above 0"),
        (
            "[pool.webhooks]\npre_signup = \"http://x/\"",
            false,
            "pre_signup",
        ),
        (
            "[[clients]]\nname = \"a\"\ncallback_urls = [\"/relative\"]",
            false,
            "\"/relative\" is not an absolute URL",
        ),
        (
            "[[clients]]\nname = \"a\"\ncallback_urls = [\"http://x/\\r\\nSet-Cookie: a=b\"]",
            false,
            "not an absolute URL",
        ),
        (
            "[[clients]]\nname = \"a\"\nlogout_urls = [\"http://x/#top\"]",
            false,
            "\"http://x/#top\" has a fragment",
        ),
        (
            "[[clients]]\nname = \"a\"\nexplicit_auth_flows = [\"ALLOW_ALL\"]",
            false,
            "\"ALLOW_ALL\" is not one of",
        ),
        (
            "[[clients]]\nname = \"a\"\naccess_token_validity_minutes = 2",
            false,
            "5 to 1440",
        ),
        (
            "[[clients]]\nname = \"a\"\nrefresh_token_rotation_grace_seconds = 61",
            false,
            "0 to 60",
        ),
        (
            "[[users]]\nusername = \"a\"\npassword = \"p\"\ngroups = [\"ghosts\"]",
            false,
            "no group \"ghosts\"",
        ),
        (
            "[[pools]]\nname = \"b\"\n[[pools.clients]]\nname = \"x\"\n[[pools.clients]]\nname = \"x\"",
            false,
            "pool \"b\": clients",
        ),
        (
            "[[users]]\nusername = \"a\"\npassword = \"p\"\ntemporary = true\nconfirmed = false",
            false,
            "do not go together",
        ),
    ] {
        let err = parse_config(text, json).unwrap_err();
        assert!(err.contains(says), "{text:?}: {err}");
    }
}

#[test]
fn a_file_of_pools_sets_up_those_pools_only() {
    let config = parse_config(
        "[[pools]]\nname = \"a\"\n[[pools.groups]]\nname = \"g\"\n\
         [[pools.users]]\nusername = \"u\"\npassword = \"Passw0rd!\"\ngroups = [\"g\"]\n\
         [[pools]]\nname = \"b\"\n",
        false,
    )
    .unwrap();
    let pools = config.all_pools();
    let names: Vec<&str> = pools.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(pools[0].users[0].groups, ["g"]);
    let with_top = parse_config("[pool]\nname = \"top\"\n[[pools]]\nname = \"b\"\n", false)
        .unwrap()
        .all_pools();
    let names: Vec<&str> = with_top.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["top", "b"]);
}

#[test]
fn regions_are_checked() {
    for good in ["us-east-1", "eu-central-2", "us-gov-west-1"] {
        assert!(check_region(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "us",
        "us-east",
        "US-EAST-1",
        "us-east-x",
        "us--1",
        "us-east-1/",
    ] {
        assert!(check_region(bad).is_err(), "{bad}");
    }
}

#[test]
fn flags_override_the_file_and_passwords_stay_out_of_debug() {
    let cli = Flags {
        mfa: Some(MfaSetting::Required),
        device_tracking: Some(DeviceSetting::Always),
        client_secret: true,
        user: vec!["carol".into()],
        prevent_user_existence_errors: Some(false),
        callback_url: vec!["http://localhost/cb".into()],
        fixed_code: Some("424242".into()),
        ..Flags::default()
    };
    let plan = plan(cli, None).unwrap();
    let emulator = plan.emulator;
    let plan = &plan.pools[0];
    assert_eq!(plan.pool.mfa, Mfa::On);
    assert_eq!(plan.pool.device_tracking, DeviceTracking::Always);
    assert!(plan.clients.iter().all(|(_, c)| c.secret));
    assert!(
        plan.clients
            .iter()
            .all(|(_, c)| !c.prevent_user_existence_errors)
    );
    assert_eq!(plan.clients[0].1.callback_urls, ["http://localhost/cb"]);
    assert_eq!(plan.pool.fixed_code.as_deref(), Some("424242"));
    assert!(emulator.log_codes);
    assert_eq!(plan.users.len(), 1);
    assert_eq!(plan.users[0].username, "carol");
    assert!(!format!("{:?}", plan.users[0]).contains(DEFAULT_PASSWORD));
}

#[test]
fn a_fixed_code_is_what_the_outbox_gets() {
    let cli = Flags {
        memory: true,
        fixed_code: Some("123456".into()),
        ..Flags::default()
    };
    let running = start(plan(cli, None).unwrap()).unwrap();
    let endpoint = running.line["endpoint"].as_str().unwrap();
    let client_id = running.line["client_id"].as_str().unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let answer = agent
        .post(endpoint)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", "AWSCognitoIdentityProviderService.SignUp")
        .send(
            json!({"ClientId": client_id, "Username": "zoe", "Password": "Passw0rd!",
                   "UserAttributes": [{"Name": "email", "Value": "zoe@example.com"}]})
            .to_string(),
        )
        .unwrap();
    assert_eq!(answer.status(), 200);
    let text = agent
        .get(format!("{endpoint}_emulator/outbox?username=zoe"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let outbox: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(outbox["messages"][0]["code"], "123456");
    assert_eq!(outbox["messages"][0]["purpose"], "SignUp");
}

#[test]
fn a_seed_of_any_length_makes_the_same_setup() {
    let seeded = |seed: &str| {
        let cli = Flags {
            memory: true,
            seed: Some(seed.into()),
            ..Flags::default()
        };
        let running = start(plan(cli, None).unwrap()).unwrap();
        (
            running.line["pool_id"].clone(),
            running.line["client_id"].clone(),
        )
    };
    let long = "a seed longer than thirty-two bytes, which used to be cut";
    assert_eq!(seeded(long), seeded(long));
    assert_ne!(seeded(long), seeded("another seed"));
}

#[test]
fn a_reset_brings_back_the_users_of_the_setup() {
    let cli = Flags {
        memory: true,
        user: vec!["carol".into()],
        ..Flags::default()
    };
    let running = start(plan(cli, None).unwrap()).unwrap();
    let endpoint = running.line["endpoint"].as_str().unwrap();
    let pool = running.line["pool_id"].as_str().unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let call = |operation: &str, body: serde_json::Value| {
        agent
            .post(endpoint)
            .header("Content-Type", "application/x-amz-json-1.1")
            .header(
                "X-Amz-Target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .send(body.to_string())
            .unwrap()
            .status()
            .as_u16()
    };
    let get = |user: &str| {
        call(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": user}),
        )
    };
    assert_eq!(
        call(
            "AdminDeleteUser",
            json!({"UserPoolId": pool, "Username": "carol"})
        ),
        200
    );
    assert_eq!(get("carol"), 400);
    let reset = agent
        .post(format!("{endpoint}_emulator/reset"))
        .send("")
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(get("carol"), 200, "the set-up's user is back");
}
