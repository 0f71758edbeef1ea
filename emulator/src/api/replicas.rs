//! Multi-Region replicas: CreateUserPoolReplica, UpdateUserPoolReplica, DeleteUserPoolReplica,
//! ListUserPoolReplicas. Kept in the pool's record. They only configure: the emulator answers in
//! one Region (its own) and copies nothing; a replica is `CREATING` in CreateUserPoolReplica's
//! answer and `ACTIVE` from then on (the copy is done at once), `DELETING` in
//! DeleteUserPoolReplica's answer and gone from then on.
//!
//! Checked as Cognito documents it: a Region name of 5 to 32 characters of the form
//! `xx-name-1`, not the pool's own Region and not replicated twice; tags as the pool's; only an
//! `INACTIVE` replica may be deleted. ListUserPoolReplicas lists the pool itself first, as the
//! `PRIMARY`, then its `SECONDARY` replicas by Region.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::api::constraints::{failed, invalid, one_of, tag_map, text};
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, listing, opt_str};
use crate::model::configuration::Replica;

/// The replicas a page of ListUserPoolReplicas holds.
const PAGE: u64 = 60;

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`: lowercase words joined by hyphens, ending in
/// a number.
fn region_name(body: &Value) -> Result<&str, Fault> {
    let name = text(body, "RegionName", 5, 32, |_| true)?;
    let parts: Vec<&str> = name.split('-').collect();
    let ok = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return Err(failed(
            "regionName",
            name,
            "Member must be the name of an AWS Region",
        ));
    }
    Ok(name)
}

/// `UserPoolTags`: as TagResource's, at most 50.
fn tags(body: &Value) -> Result<BTreeMap<String, String>, Fault> {
    let map = match body.get("UserPoolTags") {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(fault(
                "SerializationException",
                "UserPoolTags: expected an object",
            ));
        }
    };
    let out = tag_map(map, "UserPoolTags")?;
    if out.len() > 50 {
        return Err(invalid("A user pool can have at most 50 tags."));
    }
    Ok(out)
}

fn arn(region: &str, pool_id: &str) -> String {
    format!("arn:aws:cognito-idp:{region}:000000000000:userpool/{pool_id}")
}

fn replica_json(pool_id: &str, region: &str, status: &str, role: &str) -> Value {
    json!({"RegionName": region, "Status": status, "Role": role, "UserPoolArn": arn(region, pool_id)})
}

fn no_replica(pool_id: &str, region: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("User pool {pool_id} has no replica in {region}."),
    )
}

/// CreateUserPoolReplica.
pub(crate) fn create_user_pool_replica(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let region = region_name(body)?;
    let tags = tags(body)?;
    let mut state = shared.lock();
    let home = state.region.clone();
    let pool = state.pool_by_id_mut(pool_id)?;
    if region == home {
        return Err(invalid(format!(
            "User pool {pool_id} is in {region}: a replica goes to another Region."
        )));
    }
    let replicas = &mut pool.resources.configuration.replicas;
    if replicas.contains_key(region) {
        return Err(invalid(format!(
            "User pool {pool_id} already has a replica in {region}."
        )));
    }
    replicas.insert(
        region.to_owned(),
        Replica {
            status: "ACTIVE".into(),
            tags,
        },
    );
    Ok(json!({"UserPoolReplica": replica_json(pool_id, region, "CREATING", "SECONDARY")}))
}

/// UpdateUserPoolReplica: activates or deactivates a replica.
pub(crate) fn update_user_pool_replica(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let region = region_name(body)?;
    let status = one_of(body, "Status", &["ACTIVE", "INACTIVE"])?;
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    let replica = pool
        .resources
        .configuration
        .replicas
        .get_mut(region)
        .ok_or_else(|| no_replica(pool_id, region))?;
    replica.status = status.to_owned();
    Ok(json!({"UserPoolReplica": replica_json(pool_id, region, status, "SECONDARY")}))
}

/// DeleteUserPoolReplica: an `INACTIVE` replica only.
pub(crate) fn delete_user_pool_replica(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let region = region_name(body)?;
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    let replicas = &mut pool.resources.configuration.replicas;
    let replica = replicas
        .get(region)
        .ok_or_else(|| no_replica(pool_id, region))?;
    if replica.status != "INACTIVE" {
        return Err(invalid(format!(
            "The replica in {region} is {}: deactivate it (UpdateUserPoolReplica) before \
             deleting it.",
            replica.status
        )));
    }
    replicas.remove(region);
    Ok(json!({"UserPoolReplica": replica_json(pool_id, region, "DELETING", "SECONDARY")}))
}

/// ListUserPoolReplicas: the primary, then the replicas by Region.
pub(crate) fn list_user_pool_replicas(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let token = opt_str(body, "NextToken")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    // Keys that sort the primary first: "0" for it, "1<region>" for the replicas.
    let primary = (
        "0".to_owned(),
        replica_json(pool_id, &state.region, "ACTIVE", "PRIMARY"),
    );
    let secondaries = pool
        .resources
        .configuration
        .replicas
        .iter()
        .map(|(region, r)| {
            (
                format!("1{region}"),
                replica_json(pool_id, region, &r.status, "SECONDARY"),
            )
        });
    listing(
        std::iter::once(primary).chain(secondaries),
        PAGE,
        token,
        "UserPoolReplicas",
        "NextToken",
    )
}
