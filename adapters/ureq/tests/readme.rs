//! The README's dependency section works as written: a fresh `cargo new` project beside a clone
//! of this repository, with the README's `[dependencies]` pasted in, resolves every crate the
//! README's blocks use, from the clone (the crates are not published). `cargo metadata
//! --offline`: the resolution a first `cargo run` does, without the build (the doc tests of
//! this crate compile and run the blocks themselves).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

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
