//! Session configuration: Get/SetUserPoolSessionConfiguration (session tracking and the most
//! token sessions a user may have) and Get/SetUserPoolClientSessionConfiguration (how long an
//! app client silently reuses a managed login session). Kept in the pool's record.
//!
//! The client's `SSOSession.MaxValidityMinutes` acts: the emulator's login page signs a browser in
//! again without asking for as long as the client allows (60 minutes until it is set, 0: never).
//! The pool's tracking and `MaxPerUser` are stored and described only.

use serde_json::{Value, json};

use crate::api::constraints::{client, int, invalid, object, one_of};
use crate::auth::shared::Shared;
use crate::fault::Answer;
use crate::input::field;
use crate::model::configuration::{DEFAULT_SSO_MINUTES, SessionConfiguration};

/// What Cognito answers for a pool that never set it: tracking off, 20 sessions a user.
const DEFAULT: SessionConfiguration = SessionConfiguration {
    tracking: false,
    max_per_user: 20,
};
/// The longest SSO session: 90 days.
const MAX_SSO_MINUTES: u64 = 129_600;

fn pool_answer(pool_id: &str, config: &SessionConfiguration) -> Value {
    json!({
        "UserPoolId": pool_id,
        "UserSessionTracking": if config.tracking { "ENABLED" } else { "DISABLED" },
        "TokenSession": {"MaxPerUser": config.max_per_user},
    })
}

fn client_answer(pool_id: &str, client_id: &str, minutes: u32) -> Value {
    json!({
        "UserPoolId": pool_id, "ClientId": client_id,
        "SSOSession": {"MaxValidityMinutes": minutes},
    })
}

/// GetUserPoolSessionConfiguration.
pub(crate) fn get_user_pool_session_configuration(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let config = pool
        .resources
        .configuration
        .sessions
        .as_ref()
        .unwrap_or(&DEFAULT);
    Ok(pool_answer(pool_id, config))
}

/// SetUserPoolSessionConfiguration: a full replacement, every member required.
pub(crate) fn set_user_pool_session_configuration(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let tracking = one_of(body, "UserSessionTracking", &["ENABLED", "DISABLED"])? == "ENABLED";
    let max_per_user = int(object(body, "TokenSession")?, "MaxPerUser", 1, 100)?;
    let config = SessionConfiguration {
        tracking,
        max_per_user: u32::try_from(max_per_user).unwrap_or(100),
    };
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    let out = pool_answer(pool_id, &config);
    pool.resources.configuration.sessions = Some(config);
    Ok(out)
}

/// GetUserPoolClientSessionConfiguration.
pub(crate) fn get_user_pool_client_session_configuration(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let client_id = client(pool, body)?;
    let minutes = pool.resources.configuration.sso_minutes_of(client_id);
    Ok(client_answer(pool_id, client_id, minutes))
}

/// SetUserPoolClientSessionConfiguration: the pool must track sessions.
pub(crate) fn set_user_pool_client_session_configuration(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let minutes = int(
        object(body, "SSOSession")?,
        "MaxValidityMinutes",
        0,
        MAX_SSO_MINUTES,
    )?;
    let minutes = u32::try_from(minutes).unwrap_or(DEFAULT_SSO_MINUTES);
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    let client_id = client(pool, body)?.to_owned();
    let configuration = &mut pool.resources.configuration;
    if !configuration.sessions.as_ref().is_some_and(|s| s.tracking) {
        return Err(invalid(
            "Session tracking must be enabled for the user pool (SetUserPoolSessionConfiguration).",
        ));
    }
    configuration.sso_minutes.insert(client_id.clone(), minutes);
    Ok(client_answer(pool_id, &client_id, minutes))
}
