//! Reading the admin API's request fields with Cognito's errors: a field of the wrong JSON type
//! is a `SerializationException`, a value out of range an `InvalidParameterException`; and the
//! opaque pagination tokens of the list operations.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::fault::{Fault, fault};

/// A required string field of the body.
pub(crate) fn field<'a>(body: &'a Value, name: &str) -> Result<&'a str, Fault> {
    body.get(name).and_then(Value::as_str).ok_or_else(|| {
        fault(
            "InvalidParameterException",
            format!("1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"),
        )
    })
}

/// A required string parameter of a map (`AuthParameters`, `ChallengeResponses`).
pub(crate) fn param<'a>(map: &'a Value, name: &str) -> Result<&'a str, Fault> {
    map.get(name).and_then(Value::as_str).ok_or_else(|| {
        fault(
            "InvalidParameterException",
            format!("Missing required parameter {name}"),
        )
    })
}

fn wrong_type(name: &str, expected: &str) -> Fault {
    fault(
        "SerializationException",
        format!("{name}: expected {expected}"),
    )
}

/// Cognito's error for a required field that is absent.
pub(crate) fn missing(name: &str) -> Fault {
    fault(
        "InvalidParameterException",
        format!(
            "1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"
        ),
    )
}

/// An optional string field.
pub(crate) fn opt_str<'a>(body: &'a Value, name: &str) -> Result<Option<&'a str>, Fault> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type(name, "a string")),
    }
}

/// An optional boolean field.
pub(crate) fn opt_bool(body: &Value, name: &str) -> Result<Option<bool>, Fault> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(wrong_type(name, "a boolean")),
    }
}

/// An optional integer field in `min..=max`.
pub(crate) fn opt_int(body: &Value, name: &str, min: u64, max: u64) -> Result<Option<u64>, Fault> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let n = v.as_u64().ok_or_else(|| wrong_type(name, "an integer"))?;
            if n < min || n > max {
                return Err(fault(
                    "InvalidParameterException",
                    format!(
                        "1 validation error detected: Value '{n}' at '{name}' failed to satisfy constraint: Member must have value between {min} and {max}"
                    ),
                ));
            }
            Ok(Some(n))
        }
    }
}

/// An optional list of strings (absent: empty).
pub(crate) fn str_list(body: &Value, name: &str) -> Result<Vec<String>, Fault> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| wrong_type(name, "a list of strings"))
            })
            .collect(),
        Some(_) => Err(wrong_type(name, "a list of strings")),
    }
}

/// An optional object field (absent: `None`).
pub(crate) fn opt_object<'a>(body: &'a Value, name: &str) -> Result<Option<&'a Value>, Fault> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        Some(_) => Err(wrong_type(name, "an object")),
    }
}

/// A required string field of at most `max` characters, not empty.
pub(crate) fn name_field<'a>(body: &'a Value, name: &str, max: usize) -> Result<&'a str, Fault> {
    let value = field(body, name)?;
    let length = value.chars().count();
    if length == 0 || length > max {
        return Err(fault(
            "InvalidParameterException",
            format!(
                "1 validation error detected: Value at '{name}' failed to satisfy constraint: Member must have length between 1 and {max}"
            ),
        ));
    }
    Ok(value)
}

/// The key a pagination token (as [`page`] writes them) starts from. A token that is not one of
/// ours is an `InvalidParameterException`.
pub(crate) fn page_start(token: Option<&str>) -> Result<Option<String>, Fault> {
    token
        .map(|token| {
            URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.strip_prefix("next:").map(str::to_owned))
                .ok_or_else(|| fault("InvalidParameterException", "Invalid pagination token"))
        })
        .transpose()
}

/// One page of `items` (sorted by key): at most `limit` from the key the token names, and the
/// token of the next page. A token that is not one of ours is an `InvalidParameterException`.
pub(crate) fn page<T>(
    items: impl IntoIterator<Item = (String, T)>,
    limit: usize,
    token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), Fault> {
    let start = page_start(token)?;
    let mut items = items
        .into_iter()
        .filter(|(key, _)| start.as_ref().is_none_or(|s| key >= s))
        .peekable();
    let mut out = Vec::new();
    while out.len() < limit {
        match items.next() {
            Some((_, item)) => out.push(item),
            None => break,
        }
    }
    let next = items
        .peek()
        .map(|(key, _)| URL_SAFE_NO_PAD.encode(format!("next:{key}")));
    Ok((out, next))
}

/// A list operation's answer: one page of `items` (see [`page`]) under `list`, and the next
/// page's token under `token_key` when there is a next page.
pub(crate) fn listing(
    items: impl IntoIterator<Item = (String, Value)>,
    limit: u64,
    token: Option<&str>,
    list: &str,
    token_key: &str,
) -> Result<Value, Fault> {
    let (items, next) = page(items, usize::try_from(limit).unwrap_or(usize::MAX), token)?;
    let mut answer = serde_json::json!({ list: items });
    if let Some(next) = next {
        answer[token_key] = Value::String(next);
    }
    Ok(answer)
}

/// A list of `{Name, Value}` attributes of the body, as a map.
pub(crate) fn attributes(body: &Value, name: &str) -> BTreeMap<String, String> {
    body.get(name)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    Some((
                        a.get("Name")?.as_str()?.to_owned(),
                        a.get("Value")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A map of attributes as Cognito lists them: `[{Name, Value}]`.
pub(crate) fn attribute_list(map: &BTreeMap<String, String>) -> Value {
    Value::Array(
        map.iter()
            .map(|(k, v)| json!({"Name": k, "Value": v}))
            .collect(),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once_and_foreign_tokens_are_refused() {
        let items: Vec<(String, u32)> = (0..7).map(|i| (format!("k{i}"), i)).collect();
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let (got, next) = page(items.clone(), 3, token.as_deref()).unwrap();
            seen.extend(got);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
        for bad in ["", "!!!", "bmV4dA", "\u{0}"] {
            let err = page(items.clone(), 3, Some(bad)).unwrap_err();
            assert_eq!(err.kind, "InvalidParameterException", "{bad:?}");
        }
    }

    #[test]
    fn wrong_types_are_serialization_errors() {
        let body = serde_json::json!({"A": 1, "B": "x", "C": [1], "D": 70});
        assert_eq!(
            opt_str(&body, "A").unwrap_err().kind,
            "SerializationException"
        );
        assert_eq!(
            opt_bool(&body, "B").unwrap_err().kind,
            "SerializationException"
        );
        assert_eq!(
            str_list(&body, "C").unwrap_err().kind,
            "SerializationException"
        );
        assert_eq!(
            opt_int(&body, "D", 1, 60).unwrap_err().kind,
            "InvalidParameterException"
        );
        assert_eq!(opt_int(&body, "D", 1, 99).unwrap(), Some(70));
        assert_eq!(opt_str(&body, "Z").unwrap(), None);
    }
}
