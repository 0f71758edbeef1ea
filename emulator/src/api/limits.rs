//! The account's provisioned API rates: GetProvisionedLimit and UpdateProvisionedLimit, for a
//! limit of class `API_CATEGORY` named by its `Category` attribute (`UserAuthentication`,
//! `UserCreation`, ...). They are the account's, not a pool's: kept for the emulator's run (a
//! reset forgets them; the data directory keeps pools only). They only configure: the emulator
//! throttles nothing by rate (`/_emulator/faults` makes a call answer
//! `TooManyRequestsException` on purpose).

use serde_json::{Map, Value, json};

use crate::api::constraints::{failed, int, invalid, object, one_of};
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};

/// The API categories and their free (default) rates in requests a second, from Cognito's
/// quotas page.
const CATEGORIES: &[(&str, u64)] = &[
    ("ClientAuthentication", 150),
    ("UserAccountRecovery", 30),
    ("UserAuthentication", 120),
    ("UserCreation", 50),
    ("UserFederation", 25),
    ("UserList", 30),
    ("UserPoolClientRead", 15),
    ("UserPoolClientUpdate", 15),
    ("UserPoolRead", 15),
    ("UserPoolResourceRead", 20),
    ("UserPoolResourceUpdate", 15),
    ("UserPoolUpdate", 15),
    ("UserRead", 120),
    ("UserResourceRead", 50),
    ("UserResourceUpdate", 25),
    ("UserUpdate", 25),
];

/// The most an account may provision, as a multiple of the free rate (the emulator's stand-in
/// for the account's Service Quotas maximum).
const MAX_FACTOR: u64 = 10;

/// The category the request's `LimitDefinition` names, and its free rate.
fn category(body: &Value) -> Result<(&'static str, u64), Fault> {
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
        .find(|(n, _)| *n == name)
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
    let (name, free) = category(body)?;
    let state = shared.lock();
    let provisioned = state.provisioned_limits.get(name).copied().unwrap_or(free);
    Ok(answer(name, provisioned, free))
}

/// UpdateProvisionedLimit: a rate between the free one and ten times it.
pub(crate) fn update_provisioned_limit(shared: &Shared, body: &Value) -> Answer {
    let (name, free) = category(body)?;
    let requested = int(body, "RequestedLimitValue", 0, u64::from(u32::MAX))?;
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
