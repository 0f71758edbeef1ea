//! The service model's constraints on request members (lengths, patterns, enums, ranges) and
//! the lookups the configuration families share (log delivery, limits, sessions, replicas,
//! recoveries, CIMD policies, terms, branding): each refusal is Cognito's
//! `InvalidParameterException` with its "1 validation error detected" wording, or
//! `ResourceNotFoundException` for an app client the pool does not have. Not a handler: the
//! families' files import it, as they import `api/wire.rs`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::fault::{Fault, fault};
use crate::input::missing;
use crate::model::state::Pool;

/// `InvalidParameterException`.
pub(crate) fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

/// The model's wording of a failed constraint on `name`.
pub(crate) fn failed(name: &str, value: &str, constraint: &str) -> Fault {
    invalid(format!(
        "1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: \
         {constraint}"
    ))
}

fn wrong_type(name: &str, expected: &str) -> Fault {
    fault(
        "SerializationException",
        format!("{name}: expected {expected}"),
    )
}

/// An optional string member of `min..=max` characters, each accepted by `ok`.
pub(crate) fn opt_text<'a>(
    body: &'a Value,
    name: &str,
    min: usize,
    max: usize,
    ok: impl Fn(char) -> bool,
) -> Result<Option<&'a str>, Fault> {
    let value = match body.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(wrong_type(name, "a string")),
    };
    let length = value.chars().count();
    if length < min || length > max {
        return Err(failed(
            name,
            value,
            &format!("Member must have length between {min} and {max}"),
        ));
    }
    if !value.chars().all(ok) {
        return Err(failed(
            name,
            value,
            "Member must satisfy the model's regular expression pattern",
        ));
    }
    Ok(Some(value))
}

/// A required string member of `min..=max` characters, each accepted by `ok`.
pub(crate) fn text<'a>(
    body: &'a Value,
    name: &str,
    min: usize,
    max: usize,
    ok: impl Fn(char) -> bool,
) -> Result<&'a str, Fault> {
    opt_text(body, name, min, max, ok)?.ok_or_else(|| missing(name))
}

/// An optional member that must be one of `values`.
pub(crate) fn opt_one_of(
    body: &Value,
    name: &str,
    values: &[&'static str],
) -> Result<Option<&'static str>, Fault> {
    let Some(value) = opt_text(body, name, 0, usize::MAX, |_| true)? else {
        return Ok(None);
    };
    values
        .iter()
        .find(|v| **v == value)
        .copied()
        .map(Some)
        .ok_or_else(|| {
            failed(
                name,
                value,
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    values.join(", ")
                ),
            )
        })
}

/// A required member that must be one of `values`.
pub(crate) fn one_of(
    body: &Value,
    name: &str,
    values: &[&'static str],
) -> Result<&'static str, Fault> {
    opt_one_of(body, name, values)?.ok_or_else(|| missing(name))
}

/// A required integer member in `min..=max`.
pub(crate) fn int(body: &Value, name: &str, min: u64, max: u64) -> Result<u64, Fault> {
    crate::input::opt_int(body, name, min, max)?.ok_or_else(|| missing(name))
}

/// A required object member.
pub(crate) fn object<'a>(body: &'a Value, name: &str) -> Result<&'a Value, Fault> {
    crate::input::opt_object(body, name)?.ok_or_else(|| missing(name))
}

/// An optional list member of at most `max` items (absent: `None`).
pub(crate) fn opt_list<'a>(
    body: &'a Value,
    name: &str,
    min: usize,
    max: usize,
) -> Result<Option<&'a [Value]>, Fault> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) if items.len() < min || items.len() > max => {
            Err(invalid(format!(
                "1 validation error detected: Value at '{name}' failed to satisfy constraint: \
                 Member must have length between {min} and {max}"
            )))
        }
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(_) => Err(wrong_type(name, "a list")),
    }
}

/// A Unix time in seconds (the JSON protocol's timestamps are numbers; fractions are dropped).
pub(crate) fn timestamp(body: &Value, name: &str) -> Result<u64, Fault> {
    match body.get(name) {
        None | Some(Value::Null) => Err(missing(name)),
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    // A float of seconds: its whole seconds (in range, checked above).
                    .map(|f| f as u64)
            })
            .ok_or_else(|| failed(name, &n.to_string(), "Member must be a time after 1970")),
        Some(_) => Err(wrong_type(name, "a timestamp")),
    }
}

/// `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}`: the
/// ids of terms and branding styles (`lower`: only lowercase hex, as restore ids).
pub(crate) fn is_uuid(value: &str, version_4: bool, lower: bool) -> bool {
    let bytes = value.as_bytes();
    let hex = |b: u8| {
        b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || (!lower && (b'A'..=b'F').contains(&b))
    };
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => hex(*b),
        })
        && (!version_4 || (bytes[14] == b'4' && b"89abAB".contains(&bytes[19])))
}

/// A required id member of the UUID form (see [`is_uuid`]).
pub(crate) fn uuid<'a>(
    body: &'a Value,
    name: &str,
    version_4: bool,
    lower: bool,
) -> Result<&'a str, Fault> {
    let value = text(body, name, 1, 36, |_| true)?;
    if !is_uuid(value, version_4, lower) {
        return Err(failed(
            name,
            value,
            "Member must satisfy regular expression pattern of a UUID",
        ));
    }
    Ok(value)
}

/// The model's `ArnType`: `arn:<partition>:<service>:<region?>:<account digits>:<resource>`, 20
/// to 2048 characters of `[\w+=/,.@-]` in each part.
pub(crate) fn is_arn(value: &str) -> bool {
    let part = |p: &str| {
        p.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || "+=/,.@-".contains(c))
    };
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    (20..=2048).contains(&value.chars().count())
        && matches!(parts.as_slice(), ["arn", partition, service, region, account, resource]
            if !partition.is_empty() && part(partition) && !service.is_empty() && part(service)
                && part(region) && !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit())
                && !resource.is_empty() && resource.split(':').take(3).all(|r| !r.is_empty() && part(r))
                && resource.split(':').count() <= 3)
}

/// The model's `S3ArnType`: `arn:<partition>:<service>:::<bucket>`, 3 to 1024 characters.
pub(crate) fn is_s3_arn(value: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || "+=/,.@-".contains(c))
    };
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    (3..=1024).contains(&value.chars().count())
        && matches!(parts.as_slice(), ["arn", partition, service, "", "", resource]
            if part(partition) && part(service) && resource.split(':').count() <= 3
                && resource.split(':').all(part))
}

/// `ClientId`, required: an app client of `pool`, else `ResourceNotFoundException`.
pub(crate) fn client<'a>(pool: &Pool, body: &'a Value) -> Result<&'a str, Fault> {
    let id = text(body, "ClientId", 1, 128, |c| {
        c.is_alphanumeric() || c == '_' || c == '+'
    })?;
    if !pool.clients.contains_key(id) {
        return Err(fault(
            "ResourceNotFoundException",
            format!("User pool client {id} does not exist."),
        ));
    }
    Ok(id)
}

/// `[\p{L}\p{M}\p{S}\p{N}\p{P}]`: any character but white space and controls.
pub(crate) fn visible(c: char) -> bool {
    !c.is_whitespace() && !c.is_control()
}

/// `[\p{L}\p{M}\p{S}\p{N}\p{P}\p{Z}]`: any character but controls.
pub(crate) fn printable(c: char) -> bool {
    !c.is_control()
}

/// `MaxResults` (1 to `max`, default `max`) and `NextToken` of a list operation.
pub(crate) fn paging(body: &Value, max: u64) -> Result<(u64, Option<&str>), Fault> {
    let limit = crate::input::opt_int(body, "MaxResults", 1, max)?.unwrap_or(max);
    let token = crate::input::opt_str(body, "NextToken")?;
    Ok((limit, token))
}

/// A pool's tags as a request gives them under `name` (TagResource's `Tags`,
/// CreateUserPoolReplica's `UserPoolTags`): keys of 1 to 128 characters not starting with `aws:`,
/// values of at most 256. (The most a pool has, 50, is the caller's to check.)
pub(crate) fn tag_map(
    given: &Map<String, Value>,
    name: &str,
) -> Result<BTreeMap<String, String>, Fault> {
    let mut out = BTreeMap::new();
    for (key, value) in given {
        let value = value.as_str().ok_or_else(|| {
            fault(
                "SerializationException",
                format!("{name}: expected strings"),
            )
        })?;
        let length = key.chars().count();
        if length == 0 || length > 128 || value.chars().count() > 256 {
            return Err(invalid(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: \
                 Map keys must have length between 1 and 128, values at most 256",
                lower_first(name)
            )));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(invalid("Tag keys starting with aws: are reserved."));
        }
        out.insert(key.clone(), value.to_owned());
    }
    Ok(out)
}

/// `UserPoolTags` -> `userPoolTags`, as Cognito names members in its validation messages.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}
