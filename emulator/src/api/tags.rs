//! Tags of user pools (the only Cognito resource that takes tags): TagResource, UntagResource,
//! ListTagsForResource, on the pool's ARN
//! (`arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>`, as DescribeUserPool answers
//! it). They are the pool's `UserPoolTags` (CreateUserPool, UpdateUserPool, DescribeUserPool), so
//! they are kept in the pool's record and survive a restart on a data directory.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::api::constraints::tag_map;
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, missing};

/// A pool has at most this many tags (Cognito's quota).
const MAX_TAGS: usize = 50;

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

/// The pool id of a user pool's ARN.
fn pool_of(arn: &str) -> Result<&str, Fault> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "cognito-idp", region, account, resource]
            if !partition.is_empty() && !region.is_empty() && !account.is_empty() =>
        {
            resource
                .strip_prefix("userpool/")
                .filter(|id| !id.is_empty())
                .ok_or_else(|| invalid(format!("{arn} is not the ARN of a user pool.")))
        }
        _ => Err(invalid(format!("Invalid ARN: {arn}"))),
    }
}

/// Runs `change` on the tags of the pool `ResourceArn` names.
fn with_tags<T>(
    shared: &Shared,
    body: &Value,
    change: impl FnOnce(&mut BTreeMap<String, String>) -> Result<T, Fault>,
) -> Result<T, Fault> {
    let arn = field(body, "ResourceArn")?;
    let pool_id = pool_of(arn)?;
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    let mut tags = pool.config.settings.tags.clone();
    let answer = change(&mut tags)?;
    if tags != pool.config.settings.tags {
        pool.config.settings.tags = tags;
    }
    Ok(answer)
}

/// TagResource: adds or replaces tags (keys of 1 to 128 characters, not starting with `aws:`,
/// values of at most 256; at most 50 on a pool).
pub(crate) fn tag_resource(shared: &Shared, body: &Value) -> Answer {
    let given = match body.get("Tags") {
        None | Some(Value::Null) => return Err(missing("Tags")),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(fault("SerializationException", "Tags: expected an object")),
    };
    let new = tag_map(given, "Tags")?;
    with_tags(shared, body, |tags| {
        tags.extend(new);
        if tags.len() > MAX_TAGS {
            return Err(invalid(format!(
                "A user pool can have at most {MAX_TAGS} tags."
            )));
        }
        Ok(json!({}))
    })
}

/// UntagResource: removes the tags of `TagKeys` (keys it does not have are ignored).
pub(crate) fn untag_resource(shared: &Shared, body: &Value) -> Answer {
    let keys: Vec<String> = match body.get("TagKeys") {
        None | Some(Value::Null) => return Err(missing("TagKeys")),
        Some(Value::Array(items)) => items
            .iter()
            .map(|k| k.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| fault("SerializationException", "TagKeys: expected strings"))?,
        Some(_) => return Err(fault("SerializationException", "TagKeys: expected a list")),
    };
    with_tags(shared, body, |tags| {
        for key in &keys {
            tags.remove(key);
        }
        Ok(json!({}))
    })
}

/// ListTagsForResource: the pool's tags.
pub(crate) fn list_tags_for_resource(shared: &Shared, body: &Value) -> Answer {
    with_tags(shared, body, |tags| Ok(json!({"Tags": tags})))
}
