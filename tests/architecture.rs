//! ARCHITECTURE.md stays true where a test can tell: its code map names every source file of
//! each crate (the emulator's own map is checked by `emulator/tests/architecture.rs`), and the
//! core (`src/`) reads no clock, sleeps, spawns no thread and reads no environment variable or
//! global RNG.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, as its path relative to `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn map() -> String {
    std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap()
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn the_code_map_names_every_core_module() {
    let map = map();
    // Modules named by their folder (src/srp/*, src/wire/*) are covered by the folder's entry.
    let folders = ["srp", "wire"];
    let missing: Vec<_> = sources(&root().join("src"))
        .into_iter()
        .filter(|f| file_name(f) != "mod.rs")
        .filter(|f| {
            let in_folder = f
                .components()
                .next()
                .is_some_and(|c| folders.iter().any(|d| c.as_os_str() == *d));
            !(in_folder
                && map.contains(&format!(
                    "src/{}/",
                    f.components().next().unwrap().as_os_str().to_string_lossy()
                )))
        })
        .filter(|f| !map.contains(&file_name(f)))
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name {missing:?}"
    );
}

/// The code map's entry for `dir` (where it says "`dir`:" or "`dir/`:"), to the end of the
/// bullet.
fn entry<'a>(map: &'a str, dir: &str) -> &'a str {
    let start = map
        .find(&format!("`{dir}`:"))
        .or_else(|| map.find(&format!("`{dir}/`:")))
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no entry for {dir}"));
    let rest = &map[start..];
    let end = rest.find("\n- ").unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn the_code_map_names_every_file_of_every_crate() {
    let map = map();
    let crates = [
        "adapters/async",
        "adapters/ureq",
        "adapters/axum",
        "adapters/cli",
        "bindings/python",
        "testkit",
        "bench",
    ];
    let mut missing = Vec::new();
    for dir in crates {
        let text = entry(&map, dir);
        let files = sources(&root().join(dir).join("src"));
        assert!(!files.is_empty(), "no sources found in {dir}/src");
        for file in files {
            let name = file_name(&file);
            if name != "lib.rs" && name != "mod.rs" && !text.contains(&name) {
                missing.push(format!("{dir}/src/{}", file.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's entries do not name {missing:?}"
    );
}

/// What the core must never call: the clock, sleeping, threads, the environment, a global RNG.
const FORBIDDEN: &[&str] = &[
    "SystemTime::now",
    "Instant::now",
    "thread::sleep",
    "thread::spawn",
    "env::var",
    "thread_rng",
    "OsRng",
    "getrandom",
    "tokio::",
    "std::net::",
];

/// The forbidden calls on the code lines of `source` (comments and doc examples do not count).
fn offending(source: &str) -> Vec<(usize, &'static str)> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .flat_map(|(n, line)| {
            FORBIDDEN
                .iter()
                .filter(move |f| line.contains(**f))
                .map(move |f| (n + 1, *f))
        })
        .collect()
}

#[test]
fn the_core_reads_no_clock_and_never_sleeps() {
    // The scanner finds what it looks for, and skips comments.
    assert_eq!(
        offending("let now = SystemTime::now();\n/// SystemTime::now() in a doc"),
        vec![(1, "SystemTime::now")]
    );
    let src = root().join("src");
    let mut found = Vec::new();
    for file in sources(&src) {
        let text = std::fs::read_to_string(src.join(&file)).unwrap();
        for (line, call) in offending(&text) {
            found.push(format!("src/{}:{line}: {call}", file.display()));
        }
    }
    assert!(found.is_empty(), "the core must stay Sans-IO: {found:?}");
}
