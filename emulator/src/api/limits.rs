//! The account's provisioned API rates: GetProvisionedLimit and UpdateProvisionedLimit, for a
//! limit of class `API_CATEGORY` named by its `Category` attribute (`UserAuthentication`,
//! `UserCreation`, ...), with the free rates of Cognito's quotas page; only the categories that
//! Service Quotas lets an account raise may be raised. They are the account's, not a pool's:
//! kept for the emulator's run (a reset forgets them; the data directory keeps pools only). They
//! only configure: the emulator throttles nothing by rate (`/_emulator/faults` makes a call
//! answer `TooManyRequestsException` on purpose).

use serde_json::{Map, Value, json};

use crate::api::constraints::{failed, int, invalid, object, one_of};
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};

/// The API categories, their free (default) rates in requests a second and whether Service
/// Quotas lets an account raise them, from Cognito's quotas page.
const CATEGORIES: &[(&str, u64, bool)] = &[
    ("ClientAuthentication", 150, false),
    ("UserAccountRecovery", 30, false),
    ("UserAuthentication", 120, true),
    ("UserCreation", 50, true),
    ("UserFederation", 25, true),
    ("UserList", 30, false),
    ("UserPoolClientRead", 15, false),
    ("UserPoolClientUpdate", 15, false),
    ("UserPoolRead", 15, false),
    ("UserPoolResourceRead", 20, false),
    ("UserPoolResourceUpdate", 15, false),
    ("UserPoolUpdate", 15, false),
    ("UserRead", 120, true),
    ("UserResourceRead", 50, true),
    ("UserResourceUpdate", 25, false),
    ("UserToken", 120, true),
    ("UserUpdate", 25, false),
];

/// The most an account may provision, as a multiple of the free rate (the emulator's stand-in
/// for the account's Service Quotas maximum).
const MAX_FACTOR: u64 = 10;

/// The category the request's `LimitDefinition` names, its free rate and whether it may be
/// raised.
fn category(body: &Value) -> Result<(&'static str, u64, bool), Fault> {
    let definition = object(body, "LimitDefinition")?;
    one_of(definition, "LimitClass", &["API_CATEGORY"])?;
    let attributes = match definition.get("Attributes") {
        None | Some(Value::Null) => return Err(crate::input::missing("Attributes")),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(fault(
                "SerializationException",
                "Attributes: expected an object",
            ));
        }
    };
    if let Some(key) = attributes.keys().find(|k| *k != "Category") {
        return Err(invalid(format!(
            "Unsupported limit attribute {key}: an API_CATEGORY limit takes Category only."
        )));
    }
    let name = attributes
        .get("Category")
        .ok_or_else(|| invalid("An API_CATEGORY limit needs the attribute Category."))?
        .as_str()
        .ok_or_else(|| fault("SerializationException", "Attributes: expected strings"))?;
    CATEGORIES
        .iter()
        .find(|(n, _, _)| *n == name)
        .copied()
        .ok_or_else(|| failed("Category", name, "Member must be one of the API categories"))
}

fn answer(name: &str, provisioned: u64, free: u64) -> Value {
    let mut attributes = Map::new();
    attributes.insert("Category".into(), json!(name));
    json!({"Limit": {
        "LimitDefinition": {"LimitClass": "API_CATEGORY", "Attributes": attributes},
        "ProvisionedLimitValue": provisioned,
        "FreeLimitValue": free,
    }})
}

/// GetProvisionedLimit: the rate the account has (the free one until it is raised).
pub(crate) fn get_provisioned_limit(shared: &Shared, body: &Value) -> Answer {
    let (name, free, _) = category(body)?;
    let state = shared.lock();
    let provisioned = state.provisioned_limits.get(name).copied().unwrap_or(free);
    Ok(answer(name, provisioned, free))
}

/// UpdateProvisionedLimit: a rate between the free one and ten times it, of a category that
/// may be raised.
pub(crate) fn update_provisioned_limit(shared: &Shared, body: &Value) -> Answer {
    let (name, free, adjustable) = category(body)?;
    let requested = int(body, "RequestedLimitValue", 0, u64::from(u32::MAX))?;
    if !adjustable {
        return Err(invalid(format!(
            "{name} is not adjustable: only adjustable quota categories support provisioning."
        )));
    }
    if requested < free {
        return Err(invalid(format!(
            "The requested limit {requested} for {name} is below its default limit {free}."
        )));
    }
    if requested > free * MAX_FACTOR {
        return Err(fault(
            "ServiceQuotaExceededException",
            format!(
                "The requested limit {requested} for {name} exceeds the account's maximum {}.",
                free * MAX_FACTOR
            ),
        ));
    }
    let mut state = shared.lock();
    state.provisioned_limits.insert(name.to_owned(), requested);
    Ok(answer(name, requested, free))
}
