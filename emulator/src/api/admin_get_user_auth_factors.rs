//! AdminGetUserAuthFactors: GetUserAuthFactors for an administrator, naming the pool and the
//! user: the user's MFA methods and the first factors a `USER_AUTH` sign-in can use.

use serde_json::Value;

use crate::auth::shared::Shared;
use crate::fault::{Answer, no_pool};
use crate::input::field;

/// AdminGetUserAuthFactors.
pub(crate) fn run(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "Username")?;
    let state = shared.lock();
    if !state.pools.contains_key(pool_id) {
        return Err(no_pool(pool_id));
    }
    let user = state.user(pool_id, name)?.clone();
    Ok(state.auth_factors_answer(pool_id, &user))
}
