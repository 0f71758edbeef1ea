//! Log delivery: SetLogDeliveryConfiguration and GetLogDeliveryConfiguration. Kept in the pool's
//! record. It only configures: the emulator sends no log anywhere (its codes go to the outbox,
//! and to stderr with `--log-codes`).
//!
//! Checked as Cognito documents it: at most two configurations, one a source; user notification
//! logs (`userNotification`) are `ERROR` logs to a CloudWatch Logs group, user activity logs
//! (`userAuthEvents`) are `INFO` logs to CloudWatch Logs, S3 or Data Firehose; each
//! configuration has exactly one destination, given as an ARN of the model's form.

use serde_json::{Value, json};

use crate::api::constraints::{failed, invalid, is_arn, is_s3_arn, one_of, opt_list};
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault};
use crate::input::{field, missing, opt_object, opt_str};
use crate::model::configuration::LogConfiguration;

const SOURCES: &[&str] = &["userNotification", "userAuthEvents"];
const LEVELS: &[&str] = &["ERROR", "INFO"];

/// The ARN member `key` of the optional destination `name` of `item`.
fn destination(
    item: &Value,
    name: &str,
    key: &str,
    ok: fn(&str) -> bool,
) -> Result<Option<String>, Fault> {
    let Some(config) = opt_object(item, name)? else {
        return Ok(None);
    };
    let Some(arn) = opt_str(config, key)? else {
        return Err(missing(key));
    };
    if !ok(arn) {
        return Err(failed(
            key,
            arn,
            "Member must satisfy regular expression pattern: arn:...",
        ));
    }
    Ok(Some(arn.to_owned()))
}

fn read(item: &Value) -> Result<LogConfiguration, Fault> {
    if !item.is_object() {
        return Err(crate::fault::fault(
            "SerializationException",
            "LogConfigurations: expected objects",
        ));
    }
    let config = LogConfiguration {
        source: one_of(item, "EventSource", SOURCES)?.to_owned(),
        level: one_of(item, "LogLevel", LEVELS)?.to_owned(),
        log_group_arn: destination(item, "CloudWatchLogsConfiguration", "LogGroupArn", is_arn)?,
        bucket_arn: destination(item, "S3Configuration", "BucketArn", is_s3_arn)?,
        stream_arn: destination(item, "FirehoseConfiguration", "StreamArn", is_arn)?,
    };
    let destinations = [
        &config.log_group_arn,
        &config.bucket_arn,
        &config.stream_arn,
    ]
    .iter()
    .filter(|d| d.is_some())
    .count();
    if destinations != 1 {
        return Err(invalid(format!(
            "A log configuration for {} must have exactly one destination.",
            config.source
        )));
    }
    if config.source == "userNotification" {
        if config.level != "ERROR" {
            return Err(invalid(
                "userNotification logs are delivered at the ERROR level only.",
            ));
        }
        if config.log_group_arn.is_none() {
            return Err(invalid(
                "userNotification logs are delivered to CloudWatch Logs only.",
            ));
        }
    } else if config.level != "INFO" {
        return Err(invalid(
            "userAuthEvents logs are delivered at the INFO level only.",
        ));
    }
    Ok(config)
}

fn answer(pool_id: &str, configs: &[LogConfiguration]) -> Value {
    let list: Vec<Value> = configs
        .iter()
        .map(|c| {
            let mut out = json!({"EventSource": c.source, "LogLevel": c.level});
            if let Some(arn) = &c.log_group_arn {
                out["CloudWatchLogsConfiguration"] = json!({"LogGroupArn": arn});
            }
            if let Some(arn) = &c.bucket_arn {
                out["S3Configuration"] = json!({"BucketArn": arn});
            }
            if let Some(arn) = &c.stream_arn {
                out["FirehoseConfiguration"] = json!({"StreamArn": arn});
            }
            out
        })
        .collect();
    json!({"LogDeliveryConfiguration": {"UserPoolId": pool_id, "LogConfigurations": list}})
}

/// SetLogDeliveryConfiguration: replaces the pool's list (an empty list turns logging off).
pub(crate) fn set_log_delivery_configuration(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let items =
        opt_list(body, "LogConfigurations", 0, 2)?.ok_or_else(|| missing("LogConfigurations"))?;
    let configs = items.iter().map(read).collect::<Result<Vec<_>, _>>()?;
    if configs.len() == 2 && configs[0].source == configs[1].source {
        return Err(invalid(format!(
            "Duplicate log configuration for event source {}.",
            configs[0].source
        )));
    }
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    let out = answer(pool_id, &configs);
    pool.resources.configuration.log_delivery = Some(configs);
    Ok(out)
}

/// GetLogDeliveryConfiguration: the pool's list (empty when never set).
pub(crate) fn get_log_delivery_configuration(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let configs = pool
        .resources
        .configuration
        .log_delivery
        .as_deref()
        .unwrap_or_default();
    Ok(answer(pool_id, configs))
}
