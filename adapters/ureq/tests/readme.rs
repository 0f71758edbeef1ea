//! The README's dependency section works as written: a fresh `cargo new` project beside a clone
//! of this repository, with the README's `[dependencies]` pasted in, resolves every crate the
//! README's blocks use, from the clone (the crates are not published). `cargo metadata
//! --offline`: the resolution a first `cargo run` does, without the build (the doc tests of
//! this crate compile and run the blocks themselves).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cognito_flows_emulator::Emulator;
use cognito_flows_emulator::config::{self, Flags};

/// The README's four `no_run` blocks of "The shape of a flow" and the one of "Machine-to-machine
/// tokens", each a whole program as a newcomer
/// pastes it into `src/main.rs` (these files are the README's text: see
/// [`the_readme_blocks_are_the_programs_run_here`]).
mod blocks {
    pub mod sign_in_loop {
        include!("readme/sign_in_loop.rs");
        pub fn run() -> Result<(), Box<dyn std::error::Error>> {
            main()
        }
    }
    pub mod adapter {
        include!("readme/adapter.rs");
        pub fn run() -> Result<(), Box<dyn std::error::Error>> {
            main()
        }
    }
    pub mod async_client {
        include!("readme/async_client.rs");
        pub fn run() -> Result<(), Box<dyn std::error::Error>> {
            main()
        }
    }
    pub mod saved_session {
        include!("readme/saved_session.rs");
        pub fn run() -> Result<(), Box<dyn std::error::Error>> {
            main()
        }
    }
    pub mod machine_token {
        include!("readme/machine_token.rs");
        pub fn run() -> Result<(), Box<dyn std::error::Error>> {
            main()
        }
    }
}

/// A block's `main`.
type Main = fn() -> Result<(), Box<dyn std::error::Error>>;

/// The blocks by name, each in `tests/readme/{name}.rs`, in the README's order.
const BLOCKS: [(&str, Main); 5] = [
    ("sign_in_loop", blocks::sign_in_loop::run),
    ("adapter", blocks::adapter::run),
    ("async_client", blocks::async_client::run),
    ("saved_session", blocks::saved_session::run),
    ("machine_token", blocks::machine_token::run),
];

/// Set in the child process this test binary starts for a block: which block it runs.
const BLOCK_VAR: &str = "COGNITO_FLOWS_README_BLOCK";

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let len = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?}"));
    &text[from..from + len]
}

/// A directory of its own under the system's temporary directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    /// A new empty one, named after `what` and this process.
    fn new(what: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "cognito-flows-readme-{what}-{}",
            std::process::id()
        ));
        fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_readme_dependencies_resolve_in_a_fresh_project_beside_the_clone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let section = between(&readme, "## The shape of a flow", "```rust");
    assert!(
        section.contains("not on crates.io yet"),
        "the README says the crates are unpublished"
    );
    let setup = between(section, "```sh\n", "```");
    let clone = setup
        .lines()
        .find_map(|l| l.strip_prefix("git clone "))
        .expect("the README clones the repository");
    let clone_dir = clone.trim().rsplit('/').next().unwrap();
    let project = setup
        .lines()
        .find_map(|l| l.strip_prefix("cargo new "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the README makes a project with cargo new");
    let dependencies = between(section, "```toml\n", "```");
    assert!(dependencies.starts_with("[dependencies]\n"));

    // The layout the README describes: the clone (here, this checkout) beside the project.
    let scratch =
        Scratch(std::env::temp_dir().join(format!("cognito-flows-readme-{}", std::process::id())));
    let dir = &scratch.0;
    fs::create_dir_all(dir.join(project).join("src")).unwrap();
    std::os::unix::fs::symlink(&root, dir.join(clone_dir)).unwrap();
    fs::write(
        dir.join(project).join("Cargo.toml"),
        format!(
            "[package]\nname = \"{project}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n{dependencies}"
        ),
    )
    .unwrap();
    fs::write(dir.join(project).join("src/main.rs"), "fn main() {}\n").unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(dir.join(project))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the README's dependencies do not resolve:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    for name in [
        "cognito-flows",
        "cognito-flows-ureq",
        "cognito-flows-async",
        "cognito-flows-emulator",
        "tokio",
    ] {
        let found = packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not among the resolved packages"));
        if name.starts_with("cognito-flows") {
            let manifest = found["manifest_path"].as_str().unwrap();
            assert!(
                manifest.contains(&format!("/{clone_dir}/")),
                "{name} comes from the clone: {manifest}"
            );
        }
    }
}

/// The README's example config is the one its blocks are tested against: the block the doc tests
/// run (the only ```` ```rust ```` block without `no_run`) starts the embedded emulator from
/// `emulator/cognito-emulator.example.toml` itself, as the `cognito-emulator` binary does, not
/// from a hand-made copy of it that could drift (the trap: the example config's
/// `device_tracking = "user-opt-in"` broke every block written for a pool without it).
#[test]
fn the_readme_block_that_runs_starts_the_emulator_from_the_example_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let running: Vec<&str> = readme
        .split("```rust\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert_eq!(running.len(), 1, "one README block runs in the doc tests");
    let block = running[0];
    let example = "emulator/cognito-emulator.example.toml";
    assert!(root.join(example).exists());
    assert!(
        block.contains(example),
        "the block reads {example}:\n{block}"
    );
    assert!(
        block.contains("config::plan") && block.contains("config::start"),
        "the block starts the emulator from the file, as the binary does:\n{block}"
    );
    assert!(
        !block.contains("PoolConfig {"),
        "no hand-made copy of the example's pool:\n{block}"
    );
}

/// The README's `no_run` blocks of "The shape of a flow", then of "Machine-to-machine tokens".
fn readme_blocks() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    [
        between(&readme, "## The shape of a flow", "## Workspace"),
        between(&readme, "## Machine-to-machine tokens", "## The CLI"),
    ]
    .into_iter()
    .flat_map(|section| {
        section
            .split("```rust,no_run\n")
            .skip(1)
            .map(|rest| rest.split("```").next().unwrap().to_owned())
    })
    .collect()
}

#[test]
fn the_readme_blocks_are_the_programs_run_here() {
    let blocks = readme_blocks();
    assert_eq!(blocks.len(), BLOCKS.len());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readme");
    for (text, (name, _)) in blocks.iter().zip(BLOCKS) {
        let file = fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        assert_eq!(
            *text, file,
            "tests/readme/{name}.rs is the README's block, as pasted"
        );
    }
}

/// The emulator as the README starts it: `cognito-emulator --config
/// emulator/cognito-emulator.example.toml --memory`; its endpoint, pool id and first client id
/// (`web`).
fn example_emulator() -> (Emulator, [String; 3]) {
    let (emulator, ids, _) = example_emulator_line();
    (emulator, ids)
}

/// [`example_emulator`], with the first line it prints.
fn example_emulator_line() -> (Emulator, [String; 3], serde_json::Value) {
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../emulator/cognito-emulator.example.toml");
    let flags = Flags {
        config: Some(example),
        memory: true,
        ..Flags::default()
    };
    let running = config::plan(flags, None)
        .and_then(config::start)
        .unwrap_or_else(|f| panic!("the example config does not start: {f:?}"));
    let ids = [
        running.emulator.endpoint().to_owned(),
        running.line["pool_id"].as_str().unwrap().to_owned(),
        running.line["client_id"].as_str().unwrap().to_owned(),
    ];
    (running.emulator, ids, running.line)
}

/// Runs the README block `name` as the program a newcomer builds: a process of its own (this
/// test binary again, told by [`BLOCK_VAR`] which block to run), in `dir`, with the README's
/// environment variables (the password given unless `password` is false) and `stdin`.
fn run_block(name: &str, ids: &[String; 3], dir: &Path, password: bool, stdin: &str) -> Output {
    run_block_with(name, ids, dir, password, stdin, &[])
}

/// [`run_block`] with more environment variables.
fn run_block_with(
    name: &str,
    ids: &[String; 3],
    dir: &Path,
    password: bool,
    stdin: &str,
    vars: &[(&str, &str)],
) -> Output {
    let test = format!("block_{name}_runs_against_the_example_config");
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([test.as_str(), "--exact", "--nocapture", "--quiet"])
        .current_dir(dir)
        .env(BLOCK_VAR, name)
        .env("COGNITO_ENDPOINT", &ids[0])
        .env("COGNITO_USER_POOL_ID", &ids[1])
        .env("COGNITO_CLIENT_ID", &ids[2])
        .env_remove("COGNITO_PASSWORD")
        .env_remove("COGNITO_HOSTED_UI_DOMAIN")
        .envs(vars.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if password {
        command.env("COGNITO_PASSWORD", "Passw0rd!"); // alice's in the example config
    }
    let mut child = command.spawn().unwrap();
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => {}
    }
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).unwrap();
        out
    });
    // A program that asks again and again once the input has ended (the trap: megabytes of
    // prompts a second) is stopped when it has said more than any of these blocks says.
    let mut stderr = Vec::new();
    let mut said = child.stderr.take().unwrap().take(STDERR_LIMIT);
    said.read_to_end(&mut stderr).unwrap();
    if stderr.len() as u64 == STDERR_LIMIT {
        let _ = child.kill();
    }
    let status = child.wait().unwrap();
    Output {
        status,
        stdout: reader.join().unwrap(),
        stderr,
    }
}

/// More than a block's stderr ever holds: past it, the block is looping.
const STDERR_LIMIT: u64 = 64 * 1024;

/// In the child process: runs the block and exits with its outcome (0, or 1 with its error on
/// stderr, as `main` returning an error does). Elsewhere: nothing.
fn child(name: &str) -> bool {
    if std::env::var(BLOCK_VAR).as_deref() != Ok(name) {
        return false;
    }
    let (_, main) = BLOCKS.iter().find(|(n, _)| *n == name).unwrap();
    match main() {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("Error: {e:?}");
            std::process::exit(1)
        }
    }
}

/// The minutes in `said` (`... for N more minutes`): the example's tokens live 60 minutes, so
/// 59 or 60 by when the clock read it.
fn minutes_left(said: &str) -> u64 {
    let n = said
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no minutes in {said:?}"));
    assert!((59..=60).contains(&n), "{said}");
    n
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The block's stdout (after the test harness's first line), once it exited 0.
fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    match stdout.strip_prefix("\nrunning 1 test\n") {
        Some(said) => said.to_owned(),
        None => panic!("not the test harness's output: {stdout:?}"),
    }
}

#[test]
fn block_sign_in_loop_runs_against_the_example_config() {
    if child("sign_in_loop") {
        return;
    }
    let (_emulator, ids) = example_emulator();
    let dir = Scratch::new("loop");
    // alice: no MFA; the pool asks whether to remember the device, the user says no.
    let out = run_block("sign_in_loop", &ids, &dir.0, true, "n\n");
    assert_eq!(succeeded(&out), "signed in as alice\n");
    assert!(text(&out.stderr).contains("remember this device"));

    // The input closed at the question: the program stops with a word, no answer made up, no
    // loop (one question asked).
    let out = run_block("sign_in_loop", &ids, &dir.0, true, "");
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    assert!(said.contains("no answer: the input has ended"), "{said}");
    assert_eq!(said.matches("remember this device").count(), 1, "{said}");
}

#[test]
fn block_adapter_runs_against_the_example_config() {
    if child("adapter") {
        return;
    }
    let (_emulator, ids) = example_emulator();
    let dir = Scratch::new("adapter");
    let out = run_block("adapter", &ids, &dir.0, true, "");
    // sub, and email, email_verified and custom:tenant from the example config.
    assert_eq!(succeeded(&out), "alice has 4 attributes\n");
}

#[test]
fn block_async_client_runs_against_the_example_config() {
    if child("async_client") {
        return;
    }
    let (_emulator, ids) = example_emulator();
    let dir = Scratch::new("async");
    let out = run_block("async_client", &ids, &dir.0, true, "");
    // The example's web client: access tokens live 60 minutes.
    let said = succeeded(&out);
    assert!(said.starts_with("refreshed: valid for "), "{said}");
    minutes_left(&said);
}

#[test]
fn block_saved_session_runs_against_the_example_config() {
    if child("saved_session") {
        return;
    }
    let (_emulator, ids) = example_emulator();
    let dir = Scratch::new("session");
    let out = run_block("saved_session", &ids, &dir.0, true, "");
    let said = succeeded(&out);
    assert!(said.starts_with("alice is signed in for "), "{said}");
    minutes_left(&said);
    let saved: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.0.join("session.json")).unwrap()).unwrap();
    assert!(
        saved.to_string().contains("device_key"),
        "the remembered device is kept in the file"
    );
    // The next run: from the file, without the password.
    let out = run_block("saved_session", &ids, &dir.0, false, "");
    let said = succeeded(&out);
    assert!(said.starts_with("alice is signed in for "), "{said}");
    minutes_left(&said);
}

#[test]
fn block_machine_token_runs_against_the_example_config() {
    if child("machine_token") {
        return;
    }
    let (_emulator, ids, line) = example_emulator_line();
    let orders = line["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "orders-service")
        .expect("the example config's service client");
    let id = orders["client_id"].as_str().unwrap();
    let secret = orders["client_secret"].as_str().unwrap();
    // The secret the README exports is the example config's.
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let section = between(&readme, "## Machine-to-machine tokens", "## The CLI");
    assert!(
        section.contains(&format!("export ORDERS_CLIENT_SECRET={secret}")),
        "the README exports the example config's secret"
    );
    let dir = Scratch::new("machine");
    let vars = [("ORDERS_CLIENT_ID", id), ("ORDERS_CLIENT_SECRET", secret)];
    let out = run_block_with("machine_token", &ids, &dir.0, false, "", &vars);
    assert_eq!(
        succeeded(&out),
        "Authorization: Bearer ... for [\"orders/read\"]\n".repeat(3)
    );
    assert!(
        !text(&out.stdout).contains(secret) && !text(&out.stderr).contains(secret),
        "the secret is never printed"
    );

    // A wrong secret: Cognito's refusal, nothing printed as a token.
    let vars = [
        ("ORDERS_CLIENT_ID", id),
        ("ORDERS_CLIENT_SECRET", "not_the_orders_service_secret"),
    ];
    let out = run_block_with("machine_token", &ids, &dir.0, false, "", &vars);
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    assert!(said.contains("InvalidClient"), "{said}");
    assert!(!said.contains("not_the_orders_service_secret"), "{said}");
}
