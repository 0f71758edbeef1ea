//! AdminResetUserPassword: an administrator resets a user's password. The user becomes
//! `RESET_REQUIRED`: the old password signs in no more (`PasswordResetRequiredException`), a code
//! goes to the user's verified email or phone number (the outbox), and ConfirmForgotPassword
//! with that code sets the new password and confirms the user again.

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, fault, no_pool};
use crate::input::field;
use crate::model::state::Status;

/// AdminResetUserPassword.
pub(crate) fn run(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let mut state = shared.lock();
    if !state.pools.contains_key(pool_id) {
        return Err(no_pool(pool_id));
    }
    let user = state.user(pool_id, field(body, "Username")?)?.clone();
    let verified = |name: &str| {
        user.attributes
            .get(&format!("{name}_verified"))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            && user.attributes.contains_key(name)
    };
    let (email, phone) = (verified("email"), verified("phone_number"));
    if !email && !phone {
        return Err(fault(
            "InvalidParameterException",
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ));
    }
    let (code, _) = state.send_code(pool_id, &user.username, "ForgotPassword", !email);
    let user = state.user_mut(pool_id, &user.username)?;
    user.reset_code = Some(code);
    user.status = Status::ResetRequired;
    Ok(json!({}))
}
