"""TOTP for an authenticator app: the code it shows now, and the URI of its QR code.

After ``account.associate_software_token`` answered a ``SecretCode``, show the user
``otpauth_uri(secret, "Example", "alice")`` as a QR code, then verify the first code the app
shows with ``account.verify_software_token``. Tests compute that code with ``code(secret)``.
"""

from __future__ import annotations

import time
from typing import Optional, Union

from ._native import Secret, otpauth_uri as _otpauth_uri, totp_code as _totp_code

__all__ = ["code", "otpauth_uri"]


def code(secret: Union[Secret, str], now: Optional[float] = None) -> str:
    """The six-digit code of ``secret`` (base32) at ``now`` (default: ``time.time()``)."""
    return _totp_code(secret, time.time() if now is None else now)


def otpauth_uri(secret: Union[Secret, str], issuer: str, account: str) -> Secret:
    """The ``otpauth://totp/...`` URI for the app's QR code (a ``Secret``: it holds the key)."""
    return _otpauth_uri(secret, issuer, account)
