//! A user's remembered devices, seen by an administrator: AdminGetDevice, AdminListDevices,
//! AdminForgetDevice, AdminUpdateDeviceStatus (the admin twins of GetDevice, ListDevices,
//! ForgetDevice and UpdateDeviceStatus, naming the user instead of presenting their token). A
//! device listed is one confirmed by ConfirmDevice; a device of another user is "Device does not
//! exist.". For an unknown user, AdminGetDevice and AdminListDevices answer
//! `ResourceNotFoundException` (the model declares no `UserNotFoundException` for them); the
//! other two `UserNotFoundException`.

use num_bigint::BigUint;
use serde_json::{Value, json};

use crate::api::wire::device_json;
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault, no_device};
use crate::input::{field, opt_int, opt_str, page};
use crate::model::state::Inner;

/// The pool id and the user's name (as stored) of the request; `user_error`: the error type of
/// an unknown user.
fn pool_and_user(
    state: &Inner,
    body: &Value,
    user_error: &'static str,
) -> Result<(String, String), Fault> {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "Username")?;
    let pool = state.pool_by_id(pool_id)?;
    let user = pool
        .find(name)
        .ok_or_else(|| fault(user_error, "User does not exist."))?;
    Ok((pool_id.to_owned(), user.username.clone()))
}

/// AdminGetDevice.
pub(crate) fn admin_get_device(shared: &Shared, body: &Value) -> Answer {
    let state = shared.lock();
    let (pool_id, username) = pool_and_user(&state, body, "ResourceNotFoundException")?;
    let key = field(body, "DeviceKey")?;
    let device = state.device(&pool_id, &username, key)?;
    Ok(json!({"Device": device_json(device)}))
}

/// AdminListDevices: the user's confirmed devices by key, `Limit` (0 to 60; 0 or absent: 60) a
/// page.
pub(crate) fn admin_list_devices(shared: &Shared, body: &Value) -> Answer {
    let state = shared.lock();
    let (pool_id, username) = pool_and_user(&state, body, "ResourceNotFoundException")?;
    let limit = match opt_int(body, "Limit", 0, 60)? {
        None | Some(0) => 60,
        Some(n) => usize::try_from(n).unwrap_or(60),
    };
    let token = opt_str(body, "PaginationToken")?;
    let pool = state.pools.get(&pool_id).ok_or_else(no_device)?;
    let items = pool
        .devices
        .values()
        .filter(|d| d.username == username && d.verifier != BigUint::ZERO)
        .map(|d| (d.key.clone(), device_json(d)));
    let (devices, next) = page(items, limit, token)?;
    let mut answer = json!({"Devices": devices});
    if let Some(next) = next {
        answer["PaginationToken"] = json!(next);
    }
    Ok(answer)
}

/// AdminForgetDevice: the device is forgotten; a sign-in from it is a new device's again.
pub(crate) fn admin_forget_device(shared: &Shared, body: &Value) -> Answer {
    let mut state = shared.lock();
    let (pool_id, username) = pool_and_user(&state, body, "UserNotFoundException")?;
    let key = field(body, "DeviceKey")?;
    let pool = state.pools.get_mut(&pool_id).ok_or_else(no_device)?;
    if pool.devices.get(key).is_none_or(|d| d.username != username) {
        return Err(no_device());
    }
    pool.devices.remove(key);
    Ok(json!({}))
}

/// AdminUpdateDeviceStatus: `remembered` or `not_remembered` (absent: `not_remembered`).
pub(crate) fn admin_update_device_status(shared: &Shared, body: &Value) -> Answer {
    let remembered = match opt_str(body, "DeviceRememberedStatus")? {
        Some("remembered") => true,
        None | Some("not_remembered") => false,
        Some(other) => {
            return Err(fault(
                "InvalidParameterException",
                format!(
                    "1 validation error detected: Value '{other}' at 'deviceRememberedStatus' \
                     failed to satisfy constraint: Member must satisfy enum value set: \
                     [remembered, not_remembered]"
                ),
            ));
        }
    };
    let mut state = shared.lock();
    let (pool_id, username) = pool_and_user(&state, body, "UserNotFoundException")?;
    let key = field(body, "DeviceKey")?;
    let device = state.device_mut(&pool_id, &username, key)?;
    device.remembered = Some(remembered);
    Ok(json!({}))
}
