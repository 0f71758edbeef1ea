//! Cognito's errors: the [`Fault`] every operation answers on refusal (status, `__type`,
//! message), the messages several operations share, and [`Answer`].

use serde_json::Value;

/// An error in Cognito's shape.
#[derive(Debug)]
pub(crate) struct Fault {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
}

/// A refusal with status 400.
pub(crate) fn fault(kind: &'static str, message: impl Into<String>) -> Fault {
    Fault {
        status: 400,
        kind,
        message: message.into(),
    }
}

/// `NotAuthorizedException`.
pub(crate) const NOT_AUTHORIZED: &str = "NotAuthorizedException";
/// What every failed sign-in says.
pub(crate) const BAD_CREDENTIALS: &str = "Incorrect username or password.";
/// A session that is unknown, expired or for another step.
pub(crate) const INVALID_SESSION: &str = "Invalid session for the user.";

/// What an operation answers: its JSON, or a refusal.
pub(crate) type Answer = Result<Value, Fault>;

/// A failure of the emulator itself (500 `InternalErrorException`).
pub(crate) fn internal(e: String) -> Fault {
    Fault {
        status: 500,
        kind: "InternalErrorException",
        message: e,
    }
}

/// `ResourceNotFoundException` for a pool id that names no pool.
pub(crate) fn no_pool(pool_id: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("User pool {pool_id} does not exist."),
    )
}

/// `ResourceNotFoundException` for a device key that names none of the user's devices.
pub(crate) fn no_device() -> Fault {
    fault("ResourceNotFoundException", "Device does not exist.")
}

/// `UserNotFoundException` for a user name that names no user of the pool.
pub(crate) fn user_not_found() -> Fault {
    fault("UserNotFoundException", "User does not exist.")
}
