"""Amazon Cognito User Pools sign-in for Python, on the Sans-IO Rust core ``cognito-flows``.

Two layers:

* The flows (``SignIn``, ``ForgotPassword``, the account calls, ``HostedUi``, ``Verifier``) are
  state machines that never do I/O: ``poll_action()`` says what is needed next (a ``Request`` to
  send, a ``Prompt`` for the user, ``Wait``, ``Done`` or ``Failed``), ``handle_response(now,
  status, headers, body)`` and ``handle_input(Input...)`` feed them. Time and 32 bytes of
  entropy are arguments, so the same inputs give the same bytes out.
* ``Client`` drives them with the standard library's ``http.client``: ``sign_in``, ``refresh``,
  ``sign_out``, ``forgot_password``, ``verify``.

Errors are exceptions under ``CognitoError``; each exception Cognito names has its own class
(``NotAuthorizedException``, ``CodeMismatchException``, ...) under ``ServiceError``.
Secrets never appear in ``repr()``.
"""

from . import _native
from ._native import (
    PROMPT_KINDS,
    SERVICE_EXCEPTIONS,
    Confirmation,
    Context,
    Authorize,
    Call,
    CallbackError,
    ClientCredentials,
    CognitoError,
    DeviceCredentials,
    Done,
    Failed,
    ForgotPassword,
    HostedUi,
    Input,
    InvalidArgumentError,
    InvalidTokenError,
    MachineToken,
    MisuseError,
    OAuthError,
    OAuthTokens,
    Prompt,
    ProtocolError,
    Refresh,
    Request,
    Secret,
    Session,
    SignedOutError,
    ServiceError,
    SignedIn,
    SignIn,
    TokenCall,
    Tokens,
    UserAgent,
    UserPool,
    JwksFetch,
    Verifier,
    Wait,
)
from . import account, totp
from .aio import AsyncClient
from .client import ChallengeRequired, Client

# One class per Cognito exception, e.g. cognito_flows.NotAuthorizedException.
globals().update({name: getattr(_native, name) for name in SERVICE_EXCEPTIONS})

__all__ = [
    "PROMPT_KINDS",
    "Confirmation",
    "Context",
    "AsyncClient",
    "Authorize",
    "Call",
    "CallbackError",
    "ChallengeRequired",
    "Client",
    "ClientCredentials",
    "CognitoError",
    "DeviceCredentials",
    "Done",
    "Failed",
    "ForgotPassword",
    "HostedUi",
    "Input",
    "InvalidArgumentError",
    "InvalidTokenError",
    "MachineToken",
    "MisuseError",
    "OAuthError",
    "OAuthTokens",
    "Prompt",
    "ProtocolError",
    "Refresh",
    "Request",
    "Secret",
    "Session",
    "SignedOutError",
    "ServiceError",
    "SignedIn",
    "SignIn",
    "TokenCall",
    "Tokens",
    "UserAgent",
    "UserPool",
    "JwksFetch",
    "Verifier",
    "Wait",
    "account",
    "totp",
    *SERVICE_EXCEPTIONS,
]
