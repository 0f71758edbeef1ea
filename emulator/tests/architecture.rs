//! The emulator's shape stays as ARCHITECTURE.md draws it: its modules import each other in one
//! direction only (no cycle, no import of a higher layer), and the emulator section of the code
//! map names every file of `emulator/src`.
//!
//! An import is any path `crate::a::b...` in the code (a `use`, a path in an expression or a
//! type, `crate::{a, b::c}` groups included), outside comments and `#[cfg(test)]` modules (tests
//! may reach the whole crate). A module is a file's path under `src/` cut to two segments
//! (`api::user`, `model::state`, `fault`); `lib.rs` and `main.rs` are the crate root. Importing
//! one's own folder's `mod.rs` (`crate::web::Reply` from `web::login`) is not an edge.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first: a module may import its own layer's modules and lower layers only.
/// `crate` is the root (`lib.rs`: the embedded API, `main.rs`: the binary) and `seed` its set-up
/// calls.
const LAYERS: &[&[&str]] = &[
    &["model"],
    &["fault"],
    &["input"],
    &["rules"],
    &["auth"],
    &["triggers"],
    &["api"],
    &["web"],
    &["seed", "config", "fuzz", "crate"],
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `api/user.rs` -> `api::user`, `web/mod.rs` -> `web`, `lib.rs` -> `crate`.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(src()).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.truncate(2);
    if parts.is_empty() {
        "crate".into()
    } else {
        parts.join("::")
    }
}

/// The code without comments and without `#[cfg(test)]` modules.
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            // Skip the attribute's item: to the line that closes it at the same indentation.
            let indent = line.len() - line.trim_start().len();
            let close = format!("{}}}", " ".repeat(indent));
            for skipped in lines.by_ref() {
                if skipped == close {
                    break;
                }
            }
            continue;
        }
        let line = line.split("//").next().unwrap_or("");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every path after `crate::`, as its first two segments (a `{...}` group gives one per item).
fn imports(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        paths(&code[at + "crate::".len()..], &mut Vec::new(), &mut out);
    }
    out
}

fn paths(rest: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    paths(&group[start..i], &mut prefix.clone(), out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    paths(&group[start..i], &mut prefix.clone(), out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() || name == "self" {
        if !prefix.is_empty() {
            out.push(prefix.clone());
        }
        return;
    }
    prefix.push(name.clone());
    let after = &rest[name.len()..];
    match after.strip_prefix("::") {
        Some(next) if prefix.len() < 2 => paths(next, prefix, out),
        _ => out.push(prefix.clone()),
    }
}

/// The module graph: module -> the modules it imports.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut all = Vec::new();
    files(&src(), &mut all);
    let modules: BTreeSet<String> = all.iter().map(|p| module_of(p)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &all {
        let me = module_of(path);
        let text = std::fs::read_to_string(path).unwrap();
        let targets = edges.entry(me.clone()).or_default();
        for parts in imports(&code(&text)) {
            let two = parts.join("::");
            let target = if modules.contains(&two) {
                two
            } else if modules.contains(&parts[0]) {
                parts[0].clone()
            } else {
                // An item of the crate root (`crate::Emulator`).
                "crate".into()
            };
            let related = target == me
                || me.starts_with(&format!("{target}::"))
                || target.starts_with(&format!("{me}::"));
            if !related {
                targets.insert(target);
            }
        }
    }
    edges
}

fn layer(module: &str) -> usize {
    let top = module.split("::").next().unwrap();
    LAYERS
        .iter()
        .position(|l| l.contains(&top))
        .unwrap_or_else(|| panic!("{module} is in no layer: add it to LAYERS"))
}

/// The cycles of the graph (Tarjan's strongly connected components of more than one module).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        out: Vec<Vec<String>>,
    }
    fn visit(w: &mut Walk<'_>, v: &str) {
        let n = w.index.len();
        w.index.insert(v.into(), n);
        w.low.insert(v.into(), n);
        w.stack.push(v.into());
        for t in w.edges.get(v).into_iter().flatten() {
            if !w.index.contains_key(t) {
                visit(w, t);
                let low = w.low[v].min(w.low[t]);
                w.low.insert(v.into(), low);
            } else if w.stack.contains(t) {
                let low = w.low[v].min(w.index[t]);
                w.low.insert(v.into(), low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut component = Vec::new();
            loop {
                let t = w.stack.pop().unwrap();
                let done = t == v;
                component.push(t);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                w.out.push(component);
            }
        }
    }
    let mut w = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !w.index.contains_key(v) {
            visit(&mut w, v);
        }
    }
    w.out
}

#[test]
fn the_emulator_modules_form_no_cycle() {
    let found = cycles(&graph());
    assert!(found.is_empty(), "import cycles in emulator/src: {found:?}");
}

#[test]
fn no_module_imports_a_higher_layer() {
    let mut upward = Vec::new();
    for (from, targets) in graph() {
        for to in targets {
            if layer(&to) > layer(&from) {
                upward.push(format!("{from} -> {to}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports of a higher layer (see LAYERS): {upward:?}"
    );
}

#[test]
fn the_code_map_names_every_emulator_file() {
    let map =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md beside the emulator");
    let start = map
        .find("## The emulator")
        .expect("ARCHITECTURE.md has a section `## The emulator`");
    let section = &map[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let mut all = Vec::new();
    files(&src(), &mut all);
    let mut missing: Vec<String> = all
        .iter()
        .map(|p| {
            p.strip_prefix(src())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|f| !section.contains(&format!("`{f}`")))
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "the emulator section of ARCHITECTURE.md does not name {missing:?} (as `path/under/src.rs`)"
    );
}

/// The checks see what they claim to see: a group, a nested group, a path in an expression, a
/// test module skipped, a comment skipped.
#[test]
fn imports_are_read_as_the_compiler_reads_them() {
    let text = "use crate::a::{b, c::D};\nuse crate::{e, f::{g, h}};\n// crate::commented\nfn x() { crate::i::j(); crate::Emulator::start(); }\n#[cfg(test)]\nmod tests {\n    use crate::k;\n}\n";
    let found: Vec<String> = imports(&code(text)).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        found,
        [
            "a::b",
            "a::c",
            "e",
            "f::g",
            "f::h",
            "i::j",
            "Emulator::start"
        ]
    );
    let mut ring = BTreeMap::new();
    ring.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    ring.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    ring.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycles(&ring), [["a", "b", "c"]]);
}
