//! The JSON shapes that several families of operations answer: a user as the admin listings
//! show it, a device as GetDevice and AdminGetDevice show it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::input::attribute_list;
use crate::model::filter::status_name;
use crate::model::state::{Device, User};

/// A user as AdminCreateUser, ListUsers and ListUsersInGroup answer it; `only`: the attributes
/// to include (ListUsers' `AttributesToGet`).
pub(crate) fn user_json(user: &User, only: Option<&[String]>) -> Value {
    let attrs: BTreeMap<String, String> = user
        .attributes
        .iter()
        .filter(|(k, _)| only.is_none_or(|names| names.contains(k)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut answer = json!({
        "Username": user.username, "Attributes": attribute_list(&attrs),
        "UserCreateDate": user.created, "UserLastModifiedDate": user.modified,
        "Enabled": !user.disabled, "UserStatus": status_name(user.status),
    });
    if user.sms_mfa {
        answer["MFAOptions"] = json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]);
    }
    answer
}

/// A device as GetDevice, ListDevices, AdminGetDevice and AdminListDevices answer it.
pub(crate) fn device_json(d: &Device) -> Value {
    let mut attrs = BTreeMap::new();
    if let Some(name) = &d.name {
        attrs.insert("device_name".to_owned(), name.clone());
    }
    attrs.insert("device_status".into(), "valid".into());
    let remembered = if d.remembered == Some(true) {
        "remembered"
    } else {
        "not_remembered"
    };
    attrs.insert("dev:device_remembered_status".into(), remembered.into());
    json!({"DeviceKey": d.key, "DeviceAttributes": attribute_list(&attrs), "DeviceCreateDate": d.created,
           "DeviceLastModifiedDate": d.created, "DeviceLastAuthenticatedDate": d.last_authenticated})
}
