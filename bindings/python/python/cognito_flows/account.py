"""The single account calls, each a flow built by a function: drive it with
``Client.call(flow)`` or your own loop. Each is done with Cognito's answer as a ``dict``
(PascalCase keys, as boto3 returns them; secret fields as ``Secret``)."""

from ._native import (
    associate_software_token,
    change_password,
    confirm_sign_up,
    delete_user,
    delete_user_attributes,
    forget_device,
    get_device,
    get_user,
    get_user_attribute_verification_code,
    global_sign_out,
    list_devices,
    resend_confirmation_code,
    revoke_token,
    set_user_mfa_preference,
    set_user_settings,
    sign_up,
    update_device_status,
    update_user_attributes,
    verify_software_token,
    verify_user_attribute,
)

__all__ = [
    "associate_software_token",
    "change_password",
    "confirm_sign_up",
    "delete_user",
    "delete_user_attributes",
    "forget_device",
    "get_device",
    "get_user",
    "get_user_attribute_verification_code",
    "global_sign_out",
    "list_devices",
    "resend_confirmation_code",
    "revoke_token",
    "set_user_mfa_preference",
    "set_user_settings",
    "sign_up",
    "update_device_status",
    "update_user_attributes",
    "verify_software_token",
    "verify_user_attribute",
]
