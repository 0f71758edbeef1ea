//! `UpdateAuthEventFeedback`: feedback on a sign-in that threat protection flagged. The emulator
//! has no threat protection (no risk scores, no notification emails, so no feedback tokens), and
//! Cognito refuses the call for such a pool with `UserPoolAddOnNotEnabledException`, after
//! checking the request's shape and the pool.

use serde_json::Value;

use crate::auth::shared::Shared;
use crate::fault::{Answer, fault};
use crate::input::field;

/// UpdateAuthEventFeedback.
pub(crate) fn update_auth_event_feedback(shared: &Shared, body: &Value) -> Answer {
    let state = shared.lock();
    let pool_id = field(body, "UserPoolId")?;
    field(body, "Username")?;
    let event_id = field(body, "EventId")?;
    let token = field(body, "FeedbackToken")?;
    let value = field(body, "FeedbackValue")?;
    let invalid = |message: &str| fault("InvalidParameterException", message);
    let word = |s: &str, extra: &[u8]| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    };
    if event_id.len() > 50 || !word(event_id, b"_+-") {
        return Err(invalid(
            "1 validation error detected: Value at 'eventId' failed to satisfy constraint",
        ));
    }
    if !word(token, b"-_=.") {
        return Err(invalid(
            "1 validation error detected: Value at 'feedbackToken' failed to satisfy constraint",
        ));
    }
    if !matches!(value, "Valid" | "Invalid") {
        return Err(invalid(
            "1 validation error detected: Value at 'feedbackValue' failed to satisfy enum value set: [Valid, Invalid]",
        ));
    }
    if !state.pools.contains_key(pool_id) {
        return Err(fault(
            "ResourceNotFoundException",
            "User pool does not exist.",
        ));
    }
    Err(fault(
        "UserPoolAddOnNotEnabledException",
        "Threat protection is not enabled for this user pool.",
    ))
}
