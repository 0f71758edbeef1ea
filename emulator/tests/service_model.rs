//! AWS's service model as the judge of the emulator: botocore's `cognito-idp` model (vendored
//! under `tests/fixtures/botocore/`, with its license) against `OPERATIONS` and against what
//! the emulator answers.
//!
//! - every operation the emulator answers is one of the model;
//! - the model's operations the emulator does not answer are exactly those of
//!   `not_yet_emulated.txt`, which may only shrink: a new botocore with new operations, or an
//!   operation now answered but still listed, fails naming them;
//! - every operation, called with bodies built from its input shape (against a world where the
//!   pool, client, user, group and tokens exist, and against one where they do not), answers only
//!   errors the model declares for it (or the JSON protocol's own), and each success answer has
//!   the operation's output shape: known members, the model's types and enums, its required
//!   members.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use cognito_flows_emulator::{Emulator, GroupConfig, OPERATIONS};
use common::call;
use serde_json::{Map, Value, json};

/// Where the model comes from.
const SOURCE: &str = "botocore 1.44.18";
const MODEL: &str = include_str!("fixtures/botocore/cognito-idp-2016-04-18-service-2.json");
const NOT_YET: &str = include_str!("fixtures/botocore/not_yet_emulated.txt");

/// Errors any operation may answer besides its declared ones: the JSON protocol's own.
const PROTOCOL_ERRORS: &[&str] = &["SerializationException", "ValidationException"];

fn model() -> Value {
    serde_json::from_str(MODEL).unwrap()
}

fn not_yet() -> BTreeSet<String> {
    NOT_YET
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn operations_are_the_models_and_the_list_of_missing_ones_only_shrinks() {
    let model = model();
    let modelled: BTreeSet<String> = model["operations"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let ours: BTreeSet<String> = OPERATIONS.iter().map(|s| (*s).to_owned()).collect();
    let unknown: Vec<_> = ours.difference(&modelled).collect();
    assert!(
        unknown.is_empty(),
        "operations the emulator answers that {SOURCE}'s model does not have: {unknown:?}"
    );
    let listed = not_yet();
    let missing: BTreeSet<String> = modelled.difference(&ours).cloned().collect();
    let new: Vec<_> = missing.difference(&listed).collect();
    let done: Vec<_> = listed.difference(&missing).collect();
    assert!(
        new.is_empty() && done.is_empty(),
        "not_yet_emulated.txt is out of date: operations of {SOURCE}'s model neither answered nor \
         listed: {new:?}; listed but answered now (or not in the model): {done:?}"
    );
}

/// A value of `shape` with what the world has where a member's name says what it is.
struct Builder<'a> {
    shapes: &'a Map<String, Value>,
    known: &'a Map<String, Value>,
}

impl Builder<'_> {
    fn value(&self, shape_name: &str, depth: usize) -> Value {
        let shape = &self.shapes[shape_name];
        let min = shape["min"].as_u64().unwrap_or(0);
        match shape["type"].as_str().unwrap() {
            "string" => match shape["enum"].as_array() {
                Some(values) => values[0].clone(),
                None => json!("x".repeat(usize::try_from(min.clamp(1, 64)).unwrap())),
            },
            "integer" | "long" => json!(min.max(1).min(shape["max"].as_u64().unwrap_or(u64::MAX))),
            "boolean" => json!(false),
            "timestamp" => json!(0),
            "blob" => json!(""),
            "list" if min > 0 && depth < 4 => {
                json!([self.value(shape["member"]["shape"].as_str().unwrap(), depth + 1)])
            }
            "list" => json!([]),
            "map" => json!({}),
            "structure" => self.structure(shape, depth),
            other => panic!("shape type {other}"),
        }
    }

    fn structure(&self, shape: &Value, depth: usize) -> Value {
        let mut out = Map::new();
        let members = shape["members"].as_object().unwrap();
        for name in shape["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            let value = match self.known.get(name) {
                Some(v) => v.clone(),
                None if depth < 4 => {
                    self.value(members[name]["shape"].as_str().unwrap(), depth + 1)
                }
                None => continue,
            };
            out.insert(name.to_owned(), value);
        }
        Value::Object(out)
    }
}

/// A world: a pool with a client, a user `alice` signed in, a group; the values a request may
/// name, by member name.
fn world() -> (Emulator, Map<String, Value>) {
    let w = common::alice();
    let (pool, client) = (w.pool_id.clone(), w.client_id.clone());
    let result = w.tokens("alice", "Passw0rd!");
    let e = w.emulator;
    e.create_group(
        &pool,
        GroupConfig {
            name: "admins".into(),
            ..GroupConfig::default()
        },
    )
    .unwrap();
    let known = json!({
        "UserPoolId": pool, "ClientId": client, "Username": "alice", "GroupName": "admins",
        "AccessToken": result["AccessToken"], "RefreshToken": result["RefreshToken"],
        "Token": result["RefreshToken"], "Password": "Passw0rd!", "ProposedPassword": "Passw0rd!2",
        "PreviousPassword": "Passw0rd!",
        "ResourceArn": format!("arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool}"),
    });
    (e, known.as_object().unwrap().clone())
}

/// The same names for things that do not exist.
fn nowhere() -> Map<String, Value> {
    json!({
        "UserPoolId": "us-east-1_nowhere", "ClientId": "nosuchclient1234567890abcd",
        "Username": "nobody", "GroupName": "nogroup", "AccessToken": "not.a.token",
        "ResourceArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_nowhere",
    })
    .as_object()
    .unwrap()
    .clone()
}

/// Where `value` is not of `shape`: a line each.
fn shape_problems(
    shapes: &Map<String, Value>,
    shape_name: &str,
    value: &Value,
    path: &str,
    out: &mut Vec<String>,
) {
    let shape = &shapes[shape_name];
    let kind = shape["type"].as_str().unwrap();
    let ok = match kind {
        "string" => match value.as_str() {
            Some(s) => {
                if let Some(values) = shape["enum"].as_array()
                    && !values.iter().any(|v| v == s)
                {
                    out.push(format!(
                        "{path}: {s:?} is not one of {shape_name}'s {values:?}"
                    ));
                }
                true
            }
            None => false,
        },
        "integer" | "long" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        "timestamp" | "double" | "float" => value.is_number(),
        "blob" => value.is_string(),
        "list" => match value.as_array() {
            Some(items) => {
                let member = shape["member"]["shape"].as_str().unwrap();
                for (i, item) in items.iter().enumerate() {
                    shape_problems(shapes, member, item, &format!("{path}[{i}]"), out);
                }
                true
            }
            None => false,
        },
        "map" => match value.as_object() {
            Some(map) => {
                let v = shape["value"]["shape"].as_str().unwrap();
                for (k, item) in map {
                    shape_problems(shapes, v, item, &format!("{path}.{k}"), out);
                }
                true
            }
            None => false,
        },
        // A document (WebAuthn's options): any JSON.
        "structure" if shape["document"] == true => true,
        "structure" => match value.as_object() {
            Some(object) => {
                let members = shape["members"].as_object().unwrap();
                for (name, item) in object {
                    match members.get(name) {
                        Some(m) => shape_problems(
                            shapes,
                            m["shape"].as_str().unwrap(),
                            item,
                            &format!("{path}.{name}"),
                            out,
                        ),
                        None => out.push(format!("{path}.{name}: not a member of {shape_name}")),
                    }
                }
                for name in shape["required"].as_array().into_iter().flatten() {
                    if !object.contains_key(name.as_str().unwrap()) {
                        out.push(format!(
                            "{path}: required member {name} of {shape_name} is missing"
                        ));
                    }
                }
                true
            }
            None => false,
        },
        _ => true,
    };
    if !ok {
        out.push(format!("{path}: {value} is not a {kind} ({shape_name})"));
    }
}

#[test]
fn every_answer_is_an_error_the_model_declares_or_the_output_shape() {
    let model = model();
    let shapes = model["shapes"].as_object().unwrap();
    let mut problems = Vec::new();
    let mut answered = 0;
    for name in OPERATIONS {
        let operation = &model["operations"][name];
        let declared: BTreeSet<&str> = operation["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["shape"].as_str().unwrap())
            .chain(PROTOCOL_ERRORS.iter().copied())
            .collect();
        let input = &shapes[operation["input"]["shape"].as_str().unwrap()];
        let (e, known) = world();
        let absent = nowhere();
        let here = Builder {
            shapes,
            known: &known,
        };
        let there = Builder {
            shapes,
            known: &absent,
        };
        let bodies = [
            json!({}),
            here.structure(input, 0),
            there.structure(input, 0),
        ];
        for body in bodies {
            let (status, answer) = call(e.endpoint(), name, &body);
            if status == 200 {
                answered += 1;
                if let Some(output) = operation["output"]["shape"].as_str() {
                    shape_problems(shapes, output, &answer, name, &mut problems);
                }
                continue;
            }
            let kind = answer["__type"].as_str().unwrap_or("(no __type)");
            if !declared.contains(kind) {
                problems.push(format!(
                    "{name} answered {kind} ({}), which {SOURCE}'s model does not declare for it; body {body}",
                    answer["message"]
                ));
            }
        }
    }
    eprintln!("{answered} success answers checked against their output shapes");
    assert!(answered > 0);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
