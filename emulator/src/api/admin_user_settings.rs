//! AdminSetUserSettings: an administrator sets a user's (legacy) MFA options, as SetUserSettings
//! does with the user's token: a non-empty `MFAOptions` (SMS to `phone_number`) turns SMS MFA on,
//! an empty one turns it off. Refused on a pool with MFA off, where Cognito would never ask for
//! it (as SetUserSettings is).

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, fault, user_not_found};
use crate::input::{field, missing};
use crate::model::state::Mfa;

/// AdminSetUserSettings.
pub(crate) fn run(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "Username")?;
    let options = match body.get("MFAOptions") {
        None | Some(Value::Null) => return Err(missing("MFAOptions")),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(fault(
                "SerializationException",
                "MFAOptions: expected a list",
            ));
        }
    };
    for option in options {
        let medium = option.get("DeliveryMedium").and_then(Value::as_str);
        let attribute = option.get("AttributeName").and_then(Value::as_str);
        if !matches!(medium, Some("SMS") | None)
            || !matches!(attribute, Some("phone_number") | None)
        {
            return Err(fault(
                "InvalidParameterException",
                "Only SMS to phone_number can be set as an MFA option.",
            ));
        }
    }
    let enable = !options.is_empty();
    let mut state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let off = pool.config.mfa == Mfa::Off;
    let username = pool.find(name).ok_or_else(user_not_found)?.username.clone();
    if enable && off {
        return Err(fault(
            "InvalidParameterException",
            "MFA is not enabled for the user pool.",
        ));
    }
    state.user_mut(pool_id, &username)?.sms_mfa = enable;
    Ok(json!({}))
}
