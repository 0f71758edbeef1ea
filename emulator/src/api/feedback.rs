//! `UpdateAuthEventFeedback`: a user's feedback on one of their sign-ins, with the
//! `FeedbackToken` of the notification Cognito emailed them (the emulator puts it in the outbox
//! when it blocks a sign-in, see `auth/risk.rs`). A pool without threat protection (no risk
//! configuration) refuses it with `UserPoolAddOnNotEnabledException`, after checking the
//! request's shape and the pool.

use serde_json::{Value, json};

use crate::auth::risk::check_feedback;
use crate::auth::shared::Shared;
use crate::fault::{Answer, user_not_found};
use crate::input::field;

/// UpdateAuthEventFeedback.
pub(crate) fn update_auth_event_feedback(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "Username")?;
    let event_id = field(body, "EventId")?;
    let token = field(body, "FeedbackToken")?;
    let value = field(body, "FeedbackValue")?;
    check_feedback(event_id, Some(token), value)?;
    let username = {
        let state = shared.lock();
        state.threat_protection(pool_id)?;
        state
            .pool_by_id(pool_id)?
            .find(name)
            .ok_or_else(user_not_found)?
            .username
            .clone()
    };
    shared.event_feedback(pool_id, &username, event_id, Some(token), value)?;
    Ok(json!({}))
}
