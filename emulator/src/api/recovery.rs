//! Point-in-time recovery: InitiatePointInTimeRecovery, DescribePointInTimeRecovery,
//! StartPointInTimeRecovery, CancelPointInTimeRecovery, ListPointInTimeRecoveries. Kept in the
//! pool's record, on the emulator's clock.
//!
//! The life of a recovery is Cognito's: `PREVIEW_GENERATING` in InitiatePointInTimeRecovery's
//! answer, `PREVIEW_GENERATED` from then on (the preview is made at once), `PREVIEW_EXPIRED` 24
//! hours after it was initiated if it was neither started nor cancelled, `PREVIEW_CANCELLED`
//! when cancelled, `RESTORING` in StartPointInTimeRecovery's answer and `RESTORE_COMPLETED` from
//! then on. Cognito's limits are checked: a point at least 15 minutes in the past, not before the
//! pool was created and not more than 14 days back (the Plus plan's reach: the emulator has no
//! feature plans); one active recovery a pool; one completed recovery and three previews in 24
//! hours, ten previews in 30 days.
//!
//! It only records: the emulator keeps no history of its users, so a recovery changes no data
//! (its preview lists no change) and writes are not paused while one is active.

use serde_json::{Value, json};

use crate::api::constraints::{failed, invalid, paging, timestamp, uuid};
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, listing};
use crate::model::configuration::Restoration;
use crate::model::state::Pool;

const MINUTE: u64 = 60;
const DAY: u64 = 24 * 60 * MINUTE;
const GENERATED: &str = "PREVIEW_GENERATED";

/// The recovery's status now: a preview not acted on for 24 hours has expired.
fn status(r: &Restoration, now: u64) -> &str {
    if r.status == GENERATED && now >= r.triggered + DAY {
        "PREVIEW_EXPIRED"
    } else {
        &r.status
    }
}

fn active(status: &str) -> bool {
    matches!(status, "PREVIEW_GENERATING" | GENERATED | "RESTORING")
}

fn restoration_json(r: &Restoration, status: &str, preview: bool) -> Value {
    let mut out = json!({
        "RestoreId": r.id, "RestoreStatus": status,
        "RestoreTimestamp": r.restore_to, "TriggerTimestamp": r.triggered,
    });
    if preview {
        // No history, so nothing to create, update or delete.
        out["RestorePreview"] = json!([]);
    }
    out
}

fn restoration<'a>(pool: &'a mut Pool, body: &Value) -> Result<&'a mut Restoration, Fault> {
    let id = uuid(body, "RestoreId", false, true)?;
    pool.resources
        .configuration
        .restorations
        .get_mut(id)
        .ok_or_else(|| {
            fault(
                "ResourceNotFoundException",
                format!("Point-in-time recovery {id} does not exist."),
            )
        })
}

/// InitiatePointInTimeRecovery.
pub(crate) fn initiate_point_in_time_recovery(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let restore_to = timestamp(body, "RestoreTimestamp")?;
    let mut state = shared.lock();
    let now = state.unix();
    let id = state.uuid();
    let pool = state.pool_by_id_mut(pool_id)?;
    if restore_to.saturating_add(15 * MINUTE) > now {
        return Err(failed(
            "restoreTimestamp",
            &restore_to.to_string(),
            "The recovery point must be at least 15 minutes in the past",
        ));
    }
    if restore_to < pool.created {
        return Err(invalid(
            "The recovery point can't be earlier than the creation time of the user pool.",
        ));
    }
    if restore_to.saturating_add(14 * DAY) < now {
        return Err(invalid(
            "The recovery point can't be more than 14 days in the past.",
        ));
    }
    let past = &pool.resources.configuration.restorations;
    let limit = |why: &str| Err(fault("LimitExceededException", why.to_owned()));
    if past.values().any(|r| active(status(r, now))) {
        return limit("A user pool can have only one active recovery at a time.");
    }
    if past
        .values()
        .any(|r| r.status == "RESTORE_COMPLETED" && r.triggered + DAY > now)
    {
        return limit("You can complete one recovery of a user pool in a 24-hour period.");
    }
    if past.values().filter(|r| r.triggered + DAY > now).count() >= 3 {
        return limit("You can create up to three recovery previews of a user pool in 24 hours.");
    }
    if past
        .values()
        .filter(|r| r.triggered + 30 * DAY > now)
        .count()
        >= 10
    {
        return limit("You can create up to ten recovery previews of a user pool in 30 days.");
    }
    let restoration = Restoration {
        id: id.clone(),
        status: GENERATED.into(),
        restore_to,
        triggered: now,
    };
    let out = restoration_json(&restoration, "PREVIEW_GENERATING", false);
    pool.resources
        .configuration
        .restorations
        .insert(id, restoration);
    Ok(json!({"Restoration": out}))
}

/// DescribePointInTimeRecovery.
pub(crate) fn describe_point_in_time_recovery(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let r = restoration(pool, body)?;
    let status = status(r, now);
    Ok(json!({"Restoration": restoration_json(r, status, status != "PREVIEW_GENERATING")}))
}

/// StartPointInTimeRecovery: a generated preview, applied.
pub(crate) fn start_point_in_time_recovery(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let r = restoration(pool, body)?;
    let current = status(r, now).to_owned();
    if current != GENERATED {
        return Err(invalid(format!(
            "A recovery can be started when its status is PREVIEW_GENERATED; it is {current}."
        )));
    }
    r.status = "RESTORE_COMPLETED".into();
    Ok(json!({"Restoration": restoration_json(r, "RESTORING", true)}))
}

/// CancelPointInTimeRecovery: a preview not started, discarded.
pub(crate) fn cancel_point_in_time_recovery(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let r = restoration(pool, body)?;
    let current = status(r, now).to_owned();
    if !matches!(current.as_str(), "PREVIEW_GENERATING" | GENERATED) {
        return Err(invalid(format!(
            "A recovery can be cancelled when its status is PREVIEW_GENERATING or \
             PREVIEW_GENERATED; it is {current}."
        )));
    }
    r.status = "PREVIEW_CANCELLED".into();
    Ok(json!({"Restoration": restoration_json(r, "PREVIEW_CANCELLED", true)}))
}

/// ListPointInTimeRecoveries: the most recent first, without previews.
pub(crate) fn list_point_in_time_recoveries(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let (limit, token) = paging(body, 60)?;
    let state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id(pool_id)?;
    let items = pool.resources.configuration.restorations.values().map(|r| {
        // Newest first: the key counts down with the time it was initiated.
        let key = format!("{:020}{}", u64::MAX - r.triggered, r.id);
        let item = json!({
            "RestoreId": r.id, "RestoreStatus": status(r, now), "RestoreTimestamp": r.restore_to,
        });
        (key, item)
    });
    let mut items: Vec<(String, Value)> = items.collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    listing(items, limit, token, "Restorations", "NextToken")
}
