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
    assert_eq!(config.clients.len(), 3);
    assert!(config.clients.iter().any(|c| c.secret.any()));
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
    assert!(config.clients[0].secret.any());
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
    assert!(plan.clients.iter().all(|(_, c, _)| c.secret));
    assert!(
        plan.clients
            .iter()
            .all(|(_, c, _)| !c.prevent_user_existence_errors)
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

/// A client's settings in a file, for the machine-to-machine tests: the `orders` resource server
/// and its service client, at the top level or in `[[pools]]` (`prefix` `pools.`).
fn machine_file(prefix: &str, secret: &str) -> String {
    format!(
        "[[{prefix}resource_servers]]\nidentifier = \"orders\"\nname = \"Orders API\"\n\
         scopes = [{{ name = \"read\", description = \"Read orders\" }},\n\
                   {{ name = \"write\", description = \"Place orders\" }}]\n\
         [[{prefix}clients]]\nname = \"orders-service\"\nsecret = {secret}\n\
         allowed_oauth_flows = [\"client_credentials\"]\n\
         allowed_oauth_scopes = [\"orders/read\", \"orders/write\"]\n"
    )
}

/// A started file's emulator, its JSON API and its token endpoint.
struct Started {
    running: Running,
    agent: ureq::Agent,
}

impl Started {
    fn new(text: &str) -> Self {
        let file = parse_config(text, false).unwrap();
        let cli = Flags {
            config: Some("test.toml".into()),
            memory: true,
            ..Flags::default()
        };
        let running = start(super::plan::plan_file(cli, file, None).unwrap()).unwrap();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Self { running, agent }
    }

    fn endpoint(&self) -> &str {
        self.running.emulator.endpoint()
    }

    fn call(&self, operation: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let mut answer = self
            .agent
            .post(self.endpoint())
            .header("Content-Type", "application/x-amz-json-1.1")
            .header(
                "X-Amz-Target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .send(body.to_string())
            .unwrap();
        let status = answer.status().as_u16();
        let text = answer.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str(&text).unwrap())
    }

    /// `POST /oauth2/token` with `grant_type=client_credentials`, the client authenticated by
    /// HTTP Basic.
    fn machine_token(&self, id: &str, secret: &str, scope: &str) -> (u16, serde_json::Value) {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        let mut answer = self
            .agent
            .post(format!("{}oauth2/token", self.endpoint()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", format!("Basic {basic}"))
            .send(format!("grant_type=client_credentials&scope={scope}"))
            .unwrap();
        let status = answer.status().as_u16();
        let text = answer.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str(&text).unwrap())
    }
}

/// The id of the client named `name` in the pool of the line's entry `pool`.
fn client_of(pool: &serde_json::Value, name: &str) -> (String, Option<String>) {
    let client = pool["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no client {name:?} in {pool}"));
    (
        client["client_id"].as_str().unwrap().to_owned(),
        client["client_secret"].as_str().map(str::to_owned),
    )
}

#[test]
fn a_resource_server_and_a_service_client_from_the_file_grant_client_credentials() {
    const SECRET: &str = "orders_service_local_secret_0001";
    for prefix in ["", "pools."] {
        let text = if prefix.is_empty() {
            machine_file("", &format!("{SECRET:?}"))
        } else {
            format!(
                "[[pools]]\nname = \"p\"\n{}",
                machine_file(prefix, &format!("{SECRET:?}"))
            )
        };
        let started = Started::new(&text);
        let pool = &started.running.line["pools"][0];
        let pool_id = pool["pool_id"].as_str().unwrap();
        let (id, secret) = client_of(pool, "orders-service");
        assert_eq!(secret.as_deref(), Some(SECRET), "the secret the file gives");

        // The resource server, described as CreateResourceServer would have made it.
        let (status, listed) = started.call(
            "ListResourceServers",
            json!({"UserPoolId": pool_id, "MaxResults": 10}),
        );
        assert_eq!(status, 200, "{listed}");
        assert_eq!(
            listed["ResourceServers"],
            json!([{"UserPoolId": pool_id, "Identifier": "orders", "Name": "Orders API",
                    "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read orders"},
                               {"ScopeName": "write", "ScopeDescription": "Place orders"}]}])
        );
        let (status, client) = started.call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientId": id}),
        );
        assert_eq!(status, 200, "{client}");
        assert_eq!(
            client["UserPoolClient"]["AllowedOAuthFlows"],
            json!(["client_credentials"])
        );
        assert_eq!(
            client["UserPoolClient"]["AllowedOAuthFlowsUserPoolClient"],
            true
        );

        // The grant: a token with the scope asked, none for a wrong secret.
        let (status, token) = started.machine_token(&id, SECRET, "orders/read");
        assert_eq!(status, 200, "{prefix}: {token}");
        assert_eq!(token["token_type"], "Bearer");
        let (status, refused) = started.machine_token(&id, "not_the_secret_at_all_000", "");
        assert_eq!(status, 400);
        assert_eq!(refused["error"], "invalid_client");
    }
}

#[test]
fn a_service_client_secret_made_up_is_in_the_line_only() {
    let started = Started::new(&machine_file("", "true"));
    let (id, secret) = client_of(&started.running.line, "orders-service");
    let secret = secret.expect("a secret made up");
    assert_eq!(secret.len(), 51);
    let (status, token) = started.machine_token(&id, &secret, "orders/write");
    assert_eq!(status, 200, "{token}");
    assert!(
        started.running.summary.iter().all(|l| !l.contains(&secret)),
        "the summary (stderr) never shows it"
    );
}

#[test]
fn a_given_client_secret_stays_out_of_debug() {
    let secret = "orders_service_local_secret_0001";
    let config = parse_config(&machine_file("", &format!("{secret:?}")), false).unwrap();
    assert!(!format!("{config:?}").contains(secret));
    let cli = Flags {
        memory: true,
        ..Flags::default()
    };
    let plan = super::plan::plan_file(cli, config, None).unwrap();
    assert!(!format!("{:?}", plan.pools[0].clients).contains(secret));
}

#[test]
fn bad_resource_servers_and_service_clients_say_what_is_wrong() {
    let server = |body: &str| format!("[[resource_servers]]\n{body}\n");
    let service = |body: &str| {
        format!(
            "{}[[clients]]\nname = \"s\"\n{body}\n",
            server(
                "identifier = \"orders\"\nname = \"Orders\"\nscopes = [{ name = \"read\", description = \"r\" }]"
            )
        )
    };
    for (text, says) in [
        (
            server("identifier = \"has space\"\nname = \"n\""),
            "resource server \"has space\": 1 validation error detected: Value 'has space' at 'identifier'",
        ),
        (
            server("identifier = \"o\"\nname = \"bad/name\""),
            "resource server \"o\": 1 validation error detected: Value 'bad/name' at 'name'",
        ),
        (
            server(
                "identifier = \"o\"\nname = \"n\"\nscopes = [{ name = \"a/b\", description = \"d\" }]",
            ),
            "Value 'a/b' at 'scopeName'",
        ),
        (
            server(
                "identifier = \"o\"\nname = \"n\"\nscopes = [{ name = \"a\", description = \"\" }]",
            ),
            "at 'scopeDescription'",
        ),
        (
            server(
                "identifier = \"o\"\nname = \"n\"\nscopes = [{ name = \"a\", description = \"d\" }, { name = \"a\", description = \"e\" }]",
            ),
            "Duplicate scope name a.",
        ),
        (
            server("identifier = \"o\"\nname = \"n\"\nscopes = [{ name = \"a\" }]"),
            "description",
        ),
        (
            server("identifier = \"o\"\nname = \"n\"\nscope = []"),
            "unknown field `scope`",
        ),
        (
            format!(
                "{}{}",
                server("identifier = \"o\"\nname = \"n\""),
                server("identifier = \"o\"\nname = \"m\"")
            ),
            "resource_servers: each needs an identifier of its own (found \"o\" twice)",
        ),
        (
            (0..26)
                .map(|i| server(&format!("identifier = \"r{i}\"\nname = \"n\"")))
                .collect(),
            "at most 25 resource servers",
        ),
        (
            service(
                "allowed_oauth_flows = [\"client_credentials\"]\nallowed_oauth_scopes = [\"orders/read\"]",
            ),
            "client \"s\": client_credentials flow can not be selected if client does not have a client secret.",
        ),
        (
            service(
                "secret = true\nallowed_oauth_flows = [\"client_credentials\", \"code\"]\ncallback_urls = [\"http://localhost/cb\"]",
            ),
            "client \"s\": client_credentials flow can not be selected along with code flow or implicit flow.",
        ),
        (
            service(
                "secret = true\nallowed_oauth_flows = [\"client_credentials\"]\nallowed_oauth_scopes = [\"openid\"]",
            ),
            "client \"s\": openid is not supported with client_credentials flow",
        ),
        (
            service(
                "secret = true\nallowed_oauth_flows = [\"client_credentials\"]\nallowed_oauth_scopes = [\"orders/admin\"]",
            ),
            "client \"s\": allowed_oauth_scopes: \"orders/admin\" is not a scope of this pool's resource_servers",
        ),
        (
            service("secret = \"short\""),
            "client \"s\": secret: 24 to 64 letters, digits, _ and + (or true for one made up)",
        ),
        (
            service("secret = \"has-a-dash-which-is-not-allowed\""),
            "client \"s\": secret: 24 to 64 letters",
        ),
        (service("secret = 3"), "secret"),
    ] {
        let err = parse_config(&text, false).unwrap_err();
        assert!(err.contains(says), "{text:?}: {err}");
        assert!(
            !err.contains("has-a-dash-which-is-not-allowed"),
            "a refused secret is not repeated: {err}"
        );
    }
    // In [[pools]] too, named by its pool.
    let text =
        "[[pools]]\nname = \"b\"\n[[pools.resource_servers]]\nidentifier = \"o\"\nname = \"n/\"\n";
    let err = parse_config(text, false).unwrap_err();
    assert!(
        err.starts_with("pool \"b\": resource server \"o\""),
        "{err}"
    );
}

#[test]
fn the_example_config_declares_the_orders_api_and_its_service_client() {
    let config = parse_config(EXAMPLE, false).unwrap();
    let orders = &config.resource_servers[0];
    assert_eq!(orders.identifier, "orders");
    let scopes: Vec<&str> = orders.scopes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(scopes, ["read", "write"]);
    let started = Started::new(EXAMPLE);
    let line = &started.running.line;
    assert_eq!(line["clients"][0]["name"], "web", "still the first client");
    let (id, secret) = client_of(line, "orders-service");
    let secret = secret.unwrap();
    let (status, token) = started.machine_token(&id, &secret, "orders/read");
    assert_eq!(status, 200, "{token}");
}
