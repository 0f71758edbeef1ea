//! `cognito token --client-credentials`: a service's machine-to-machine token, the app client's
//! secret from `COGNITO_CLIENT_SECRET` or stdin and never from the command line, against the
//! emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cognito_flows::Jwt;
use cognito_flows_testkit::emulator::Fixture;
use common::{Home, ok, text};

#[test]
fn a_service_prints_its_machine_token() {
    let w = Fixture::new();
    let service = w.machine_app_client("orders", &["read", "write"]);
    let (client_id, secret) = (service.id.as_str(), service.secret.clone().unwrap());
    let home = Home::new();
    let command = |args: &[&str]| {
        let mut command = home.command(args);
        command
            .env("COGNITO_CLIENT_ID", client_id)
            .env("COGNITO_ENDPOINT", w.endpoint());
        command
    };

    // The secret from the environment, one scope asked: only the token on stdout.
    let mut env = command(&["token", "--client-credentials", "--scope", "orders/read"]);
    env.env("COGNITO_CLIENT_SECRET", &secret);
    let out = home.run_with(env, "");
    let token = ok(&out);
    let jwt = Jwt::decode(token.trim()).unwrap();
    assert_eq!(jwt.claims().str("scope"), Some("orders/read"));
    assert_eq!(jwt.claims().str("client_id"), Some(client_id));
    assert!(!text(&out.stderr).contains(&secret));

    // The secret on stdin: every scope of the app client.
    let out = home.run_with(
        command(&["token", "--client-credentials", "--client-secret-stdin"]),
        &format!("{secret}\n"),
    );
    let jwt = Jwt::decode(ok(&out).trim()).unwrap();
    assert_eq!(jwt.claims().str("scope"), Some("orders/read orders/write"));

    // A scope the client is not allowed, a wrong secret: Cognito refused (exit 1), said in a
    // sentence, and the secret is in no output.
    let mut env = command(&["token", "--client-credentials", "--scope", "orders/admin"]);
    env.env("COGNITO_CLIENT_SECRET", &secret);
    let out = home.run_with(env, "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("invalid_scope"),
        "{}",
        text(&out.stderr)
    );
    let mut env = command(&["token", "--client-credentials"]);
    env.env("COGNITO_CLIENT_SECRET", "not-the-secret");
    let out = home.run_with(env, "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("invalid_client"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());

    // No secret anywhere: a usage error that says where to put it.
    let out = home.run_with(command(&["token", "--client-credentials"]), "");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("COGNITO_CLIENT_SECRET"),
        "{}",
        text(&out.stderr)
    );

    // Never on the command line.
    let out = home.run_with(
        command(&["token", "--client-credentials", "--client-secret", &secret]),
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
