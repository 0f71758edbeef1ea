//! The README's `cognito token --client-credentials` line, run as written. It reads the
//! repository's README and example config, so it is left out of the packaged crate
//! (`exclude` in Cargo.toml), as the ureq adapter's README tests are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cognito_flows::Jwt;
use common::{Home, ok, text};

/// The README's `cognito token --client-credentials` line, run as written against the emulator
/// started from `emulator/cognito-emulator.example.toml` (its `orders-service` client, the
/// variables the README exports).
#[test]
fn the_readme_line_prints_a_token_of_the_example_configs_service() {
    use cognito_flows_emulator::config::{self, Flags};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let flags = Flags {
        config: Some(root.join("emulator/cognito-emulator.example.toml")),
        memory: true,
        ..Flags::default()
    };
    let running = config::plan(flags, None)
        .and_then(config::start)
        .unwrap_or_else(|f| panic!("the example config does not start: {f:?}"));
    let service = running.line["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "orders-service")
        .expect("the example config's service client")
        .clone();
    let (id, secret) = (
        service["client_id"].as_str().unwrap(),
        service["client_secret"].as_str().unwrap(),
    );
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.contains("cognito token --client-credentials --scope"))
        .expect("the README's example");
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        words[..2],
        [
            "COGNITO_CLIENT_ID=$ORDERS_CLIENT_ID",
            "COGNITO_CLIENT_SECRET=$ORDERS_CLIENT_SECRET"
        ]
    );
    assert_eq!(words[2], "cognito");
    let endpoint = running.emulator.endpoint().to_owned();
    let args: Vec<&str> = words[3..]
        .iter()
        .map(|w| {
            if w.starts_with("http://127.0.0.1:9229/") {
                endpoint.as_str()
            } else {
                w
            }
        })
        .collect();
    let home = Home::new();
    let mut command = home.command(&args);
    command
        .env("COGNITO_CLIENT_ID", id)
        .env("COGNITO_CLIENT_SECRET", secret);
    let out = home.run_with(command, "");
    let token = ok(&out);
    let jwt = Jwt::decode(token.trim()).unwrap();
    assert_eq!(jwt.claims().str("scope"), Some("orders/read"));
    assert_eq!(jwt.claims().str("client_id"), Some(id));
    assert!(!text(&out.stderr).contains(secret));
}
