//! AdminDeleteSoftwareToken: an administrator removes a user's TOTP authenticator (a lost or
//! reset phone). The user is no longer asked for its codes (a preference for it is dropped), and
//! may register a new one with AssociateSoftwareToken; on a pool where MFA is required, the next
//! sign-in asks them to set MFA up again. A user without an authenticator is left as they are.

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, user_not_found};
use crate::input::field;

/// AdminDeleteSoftwareToken.
pub(crate) fn run(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "Username")?;
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let username = pool.find(name).ok_or_else(user_not_found)?.username.clone();
    let user = pool.users.get_mut(&username).ok_or_else(user_not_found)?;
    if user.totp_secret.is_some() || user.totp_pending.is_some() {
        user.totp_secret = None;
        user.totp_pending = None;
        user.totp_name = None;
        user.drop_disabled_preference();
        user.modified = now;
    }
    Ok(json!({}))
}
