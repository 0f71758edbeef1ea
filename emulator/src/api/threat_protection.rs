//! Threat protection's configuration and history: SetRiskConfiguration and
//! DescribeRiskConfiguration (a pool's, and an app client's own, kept in the pool's record),
//! AdminListUserAuthEvents and AdminUpdateAuthEventFeedback (the sign-ins `auth/risk.rs`
//! recorded). What the configuration makes the sign-ins do is in `auth/risk.rs`.

use serde_json::{Map, Value, json};

use crate::auth::risk::{check_feedback, cidr};
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault, user_not_found};
use crate::input::{field, listing, opt_int, opt_str};
use crate::model::risk::{AuthEvent, RiskConfig};

/// The most ranges of each IP list (the model's `BlockedIPRangeListType`).
const MAX_RANGES: usize = 200;

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

fn wrong_type(name: &str, expected: &str) -> Fault {
    fault(
        "SerializationException",
        format!("{name}: expected {expected}"),
    )
}

/// An optional object member.
fn object<'a>(body: &'a Value, name: &str) -> Result<Option<&'a Map<String, Value>>, Fault> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(wrong_type(name, "an object")),
    }
}

/// A string member that must be one of `allowed` (`None`: absent).
fn choice(
    body: &Value,
    name: &str,
    allowed: &[&str],
    required: bool,
) -> Result<Option<String>, Fault> {
    match opt_str(body, name)? {
        None if required => Err(crate::input::missing(name)),
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_owned())),
        Some(v) => Err(invalid(format!(
            "1 validation error detected: Value '{v}' at '{name}' failed to satisfy constraint: \
             Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        ))),
    }
}

/// `CompromisedCredentialsRiskConfiguration`, checked and reduced to the model's members.
fn compromised(value: &Value) -> Result<Value, Fault> {
    let actions = object(value, "Actions")?.ok_or_else(|| crate::input::missing("Actions"))?;
    let action = choice(
        &Value::Object(actions.clone()),
        "EventAction",
        &["BLOCK", "NO_ACTION"],
        true,
    )?;
    let mut out = json!({"Actions": {"EventAction": action}});
    match value.get("EventFilter") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            let mut filters = Vec::new();
            for item in items {
                let f = item
                    .as_str()
                    .ok_or_else(|| wrong_type("EventFilter", "strings"))?;
                if !matches!(f, "SIGN_IN" | "PASSWORD_CHANGE" | "SIGN_UP") {
                    return Err(invalid(format!(
                        "1 validation error detected: Value '{f}' at 'eventFilter' failed to \
                         satisfy constraint: Member must satisfy enum value set: [SIGN_IN, PASSWORD_CHANGE, SIGN_UP]"
                    )));
                }
                if !filters.contains(&f) {
                    filters.push(f);
                }
            }
            out["EventFilter"] = json!(filters);
        }
        Some(_) => return Err(wrong_type("EventFilter", "a list")),
    }
    Ok(out)
}

/// A notification template (`NotifyEmailType`).
fn email(value: &Value, name: &str) -> Result<Value, Fault> {
    let subject = field(value, "Subject")?;
    if subject.is_empty() || subject.chars().count() > 140 {
        return Err(invalid(format!(
            "1 validation error detected: Value at '{name}.subject' failed to satisfy constraint: \
             Member must have length between 1 and 140"
        )));
    }
    let mut out = json!({"Subject": subject});
    for body in ["HtmlBody", "TextBody"] {
        if let Some(text) = opt_str(value, body)? {
            let length = text.chars().count();
            if !(6..=20_000).contains(&length) {
                return Err(invalid(format!(
                    "1 validation error detected: Value at '{name}.{body}' failed to satisfy \
                     constraint: Member must have length between 6 and 20000"
                )));
            }
            out[body] = json!(text);
        }
    }
    Ok(out)
}

/// `AccountTakeoverRiskConfiguration`, checked and reduced to the model's members.
fn takeover(value: &Value) -> Result<Value, Fault> {
    let actions = object(value, "Actions")?.ok_or_else(|| crate::input::missing("Actions"))?;
    let actions = Value::Object(actions.clone());
    let mut out_actions = json!({});
    for level in ["LowAction", "MediumAction", "HighAction"] {
        let Some(action) = object(&actions, level)? else {
            continue;
        };
        let action = Value::Object(action.clone());
        let notify = match action.get("Notify") {
            Some(Value::Bool(b)) => *b,
            None | Some(Value::Null) => return Err(crate::input::missing("Notify")),
            Some(_) => return Err(wrong_type("Notify", "a boolean")),
        };
        let event = choice(
            &action,
            "EventAction",
            &["BLOCK", "MFA_IF_CONFIGURED", "MFA_REQUIRED", "NO_ACTION"],
            true,
        )?;
        out_actions[level] = json!({"Notify": notify, "EventAction": event});
    }
    let mut out = json!({"Actions": out_actions});
    if let Some(notify) = object(value, "NotifyConfiguration")? {
        let notify = Value::Object(notify.clone());
        let source = field(&notify, "SourceArn")?;
        if source.len() < 20 || !source.starts_with("arn:") {
            return Err(invalid(format!(
                "1 validation error detected: Value '{source}' at 'sourceArn' failed to satisfy \
                 constraint: Member must satisfy regular expression pattern"
            )));
        }
        let mut config = json!({"SourceArn": source});
        for name in ["From", "ReplyTo"] {
            if let Some(v) = opt_str(&notify, name)? {
                config[name] = json!(v);
            }
        }
        for name in ["BlockEmail", "NoActionEmail", "MfaEmail"] {
            if let Some(template) = object(&notify, name)? {
                config[name] = email(&Value::Object(template.clone()), name)?;
            }
        }
        out["NotifyConfiguration"] = config;
    }
    Ok(out)
}

/// One of the IP lists: CIDR ranges, at most [`MAX_RANGES`].
fn ranges(value: &Value, name: &str) -> Result<Vec<String>, Fault> {
    let list = crate::input::str_list(value, name)?;
    if list.len() > MAX_RANGES {
        return Err(invalid(format!(
            "1 validation error detected: Value at '{name}' failed to satisfy constraint: Member \
             must have length less than or equal to {MAX_RANGES}"
        )));
    }
    if let Some(bad) = list.iter().find(|r| cidr(r).is_none()) {
        return Err(invalid(format!(
            "{bad} in {name} is not an IP address range in CIDR notation."
        )));
    }
    Ok(list)
}

/// The risk configuration as `RiskConfigurationType`.
fn config_json(pool_id: &str, client_id: Option<&str>, config: Option<&RiskConfig>) -> Value {
    let mut out = json!({"UserPoolId": pool_id});
    if let Some(client) = client_id {
        out["ClientId"] = json!(client);
    }
    let Some(config) = config else {
        return out;
    };
    if let Some(c) = &config.compromised {
        out["CompromisedCredentialsRiskConfiguration"] = c.clone();
    }
    if let Some(t) = &config.takeover {
        out["AccountTakeoverRiskConfiguration"] = t.clone();
    }
    if config.exceptions {
        let mut exceptions = json!({});
        if !config.blocked.is_empty() {
            exceptions["BlockedIPRangeList"] = json!(config.blocked);
        }
        if !config.skipped.is_empty() {
            exceptions["SkippedIPRangeList"] = json!(config.skipped);
        }
        out["RiskExceptionConfiguration"] = exceptions;
    }
    out["LastModifiedDate"] = json!(config.modified);
    out
}

/// The client `client_id` of the pool, or Cognito's refusal.
fn check_client(
    state: &crate::model::state::Inner,
    pool_id: &str,
    client_id: &str,
) -> Result<(), Fault> {
    if state.pool_by_id(pool_id)?.clients.contains_key(client_id) {
        Ok(())
    } else {
        Err(fault(
            "ResourceNotFoundException",
            format!("Client {client_id} does not exist in user pool {pool_id}."),
        ))
    }
}

/// SetRiskConfiguration: with only `UserPoolId`, the pool's configuration goes back to the
/// defaults (nothing configured, threat protection still on); with only `UserPoolId` and
/// `ClientId`, the client inherits the pool's again.
pub(crate) fn set_risk_configuration(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let client_id = opt_str(body, "ClientId")?;
    let compromised = match body.get("CompromisedCredentialsRiskConfiguration") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(compromised(v)?),
        Some(_) => {
            return Err(wrong_type(
                "CompromisedCredentialsRiskConfiguration",
                "an object",
            ));
        }
    };
    let takeover = match body.get("AccountTakeoverRiskConfiguration") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(takeover(v)?),
        Some(_) => return Err(wrong_type("AccountTakeoverRiskConfiguration", "an object")),
    };
    let exceptions = object(body, "RiskExceptionConfiguration")?.map(|m| Value::Object(m.clone()));
    let (blocked, skipped) = match &exceptions {
        Some(e) => (
            ranges(e, "BlockedIPRangeList")?,
            ranges(e, "SkippedIPRangeList")?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut state = shared.lock();
    if let Some(client) = client_id {
        check_client(&state, pool_id, client)?;
    }
    let modified = state.unix();
    let config = RiskConfig {
        compromised,
        takeover,
        blocked,
        skipped,
        exceptions: exceptions.is_some(),
        modified,
    };
    let nothing = config.compromised.is_none() && config.takeover.is_none() && !config.exceptions;
    let pool = state.pool_by_id_mut(pool_id)?;
    let answer = match client_id {
        Some(client) if nothing => {
            pool.risk.clients.remove(client);
            // Cognito's pool-level configuration now applies to the client.
            config_json(pool_id, Some("ALL"), pool.risk.pool.as_ref())
        }
        Some(client) => {
            let answer = config_json(pool_id, Some(client), Some(&config));
            pool.risk.clients.insert(client.to_owned(), config);
            answer
        }
        None => {
            let answer = config_json(pool_id, None, Some(&config));
            pool.risk.pool = Some(config);
            answer
        }
    };
    Ok(json!({"RiskConfiguration": answer}))
}

/// DescribeRiskConfiguration: the pool's, or the client's (its own, else the pool's with
/// `ClientId: ALL`).
pub(crate) fn describe_risk_configuration(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let client_id = opt_str(body, "ClientId")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let answer = match client_id {
        Some(client) => {
            check_client(&state, pool_id, client)?;
            match pool.risk.clients.get(client) {
                Some(own) => config_json(pool_id, Some(client), Some(own)),
                None => config_json(pool_id, Some("ALL"), pool.risk.pool.as_ref()),
            }
        }
        None => config_json(pool_id, None, pool.risk.pool.as_ref()),
    };
    Ok(json!({"RiskConfiguration": answer}))
}

/// An event as `AuthEventType`.
fn event_json(event: &AuthEvent) -> Value {
    let challenges: Vec<Value> = event
        .challenges
        .iter()
        .map(|c| {
            json!({"ChallengeName": c.name,
                   "ChallengeResponse": if c.success { "Success" } else { "Failure" }})
        })
        .collect();
    let mut out = json!({
        "EventId": event.id,
        "EventType": event.kind,
        "CreationDate": event.created,
        "EventResponse": event.response,
        "EventRisk": {
            "RiskDecision": event.decision,
            "CompromisedCredentialsDetected": event.compromised,
        },
        "ChallengeResponses": challenges,
    });
    if let Some(ip) = &event.ip {
        out["EventContextData"] = json!({"IpAddress": ip});
    }
    if let Some((value, provider, date)) = &event.feedback {
        out["EventFeedback"] =
            json!({"FeedbackValue": value, "Provider": provider, "FeedbackDate": date});
    }
    out
}

/// The pool's user named by `Username` (or an alias): their name in the pool.
fn user_of(shared: &Shared, pool_id: &str, name: &str) -> Result<String, Fault> {
    let state = shared.lock();
    state.threat_protection(pool_id)?;
    Ok(state
        .pool_by_id(pool_id)?
        .find(name)
        .ok_or_else(user_not_found)?
        .username
        .clone())
}

/// AdminListUserAuthEvents: the user's sign-ins, newest first (`MaxResults` 0 or absent: 60).
pub(crate) fn admin_list_user_auth_events(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "Username")?;
    let limit = match opt_int(body, "MaxResults", 0, 60)? {
        None | Some(0) => 60,
        Some(n) => n,
    };
    let token = opt_str(body, "NextToken")?;
    let username = user_of(shared, pool_id, name)?;
    let events = shared.events();
    let items: Vec<(String, Value)> = events
        .by_pool
        .get(pool_id)
        .into_iter()
        .flatten()
        .filter(|e| e.username == username)
        .map(|e| (format!("{:020}", u64::MAX - e.seq), event_json(e)))
        .rev()
        .collect();
    listing(items, limit, token, "AuthEvents", "NextToken")
}

/// AdminUpdateAuthEventFeedback: an administrator's feedback on an event (`Provider: Admin`).
pub(crate) fn admin_update_auth_event_feedback(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "Username")?;
    let event_id = field(body, "EventId")?;
    let value = field(body, "FeedbackValue")?;
    check_feedback(event_id, None, value)?;
    let username = user_of(shared, pool_id, name)?;
    shared.event_feedback(pool_id, &username, event_id, None, value)?;
    Ok(json!({}))
}
