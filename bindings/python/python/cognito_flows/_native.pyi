"""Type stubs for the Rust extension module (the Sans-IO flows)."""

from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Tuple, TypedDict, Union

from typing_extensions import Unpack

Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]
Action = Union["Request", "Prompt", "Wait", "Done", "Failed"]

SERVICE_EXCEPTIONS: List[str]

PromptKind = Literal[
    "challenge",
    "sms_mfa_code",
    "email_otp_code",
    "sms_otp_code",
    "totp_code",
    "select_mfa",
    "select_mfa_setup",
    "totp_setup",
    "email_mfa_setup",
    "new_password",
    "custom_challenge",
    "select_challenge",
    "web_authn",
    "authorize",
    "password_reset",
    "remember_device",
]
PROMPT_KINDS: List[PromptKind]

class CognitoError(Exception): ...

class ServiceError(CognitoError):
    operation: str
    kind: str
    message: str
    status: int
    retryable: bool
    correctable: bool

class ProtocolError(CognitoError):
    operation: str
    status: int
    reason: str

class MisuseError(CognitoError): ...

class OAuthError(CognitoError):
    code: str
    description: Optional[str]

class CallbackError(CognitoError): ...

class InvalidTokenError(CognitoError):
    reason: str

class InvalidArgumentError(CognitoError): ...

class AliasExistsException(ServiceError): ...
class CodeDeliveryFailureException(ServiceError): ...
class CodeMismatchException(ServiceError): ...
class ConcurrentModificationException(ServiceError): ...
class EnableSoftwareTokenMFAException(ServiceError): ...
class ExpiredCodeException(ServiceError): ...
class ForbiddenException(ServiceError): ...
class InternalErrorException(ServiceError): ...
class InvalidEmailRoleAccessPolicyException(ServiceError): ...
class InvalidLambdaResponseException(ServiceError): ...
class InvalidParameterException(ServiceError): ...
class InvalidPasswordException(ServiceError): ...
class InvalidSmsRoleAccessPolicyException(ServiceError): ...
class InvalidSmsRoleTrustRelationshipException(ServiceError): ...
class InvalidUserPoolConfigurationException(ServiceError): ...
class LimitExceededException(ServiceError): ...
class MFAMethodNotFoundException(ServiceError): ...
class NotAuthorizedException(ServiceError): ...
class PasswordHistoryPolicyViolationException(ServiceError): ...
class PasswordResetRequiredException(ServiceError): ...
class RefreshTokenReuseException(ServiceError): ...
class ResourceNotFoundException(ServiceError): ...
class SoftwareTokenMFANotFoundException(ServiceError): ...
class TooManyFailedAttemptsException(ServiceError): ...
class TooManyRequestsException(ServiceError): ...
class UnauthorizedException(ServiceError): ...
class UnexpectedLambdaException(ServiceError): ...
class UnsupportedOperationException(ServiceError): ...
class UnsupportedTokenTypeException(ServiceError): ...
class UserLambdaValidationException(ServiceError): ...
class UserNotConfirmedException(ServiceError): ...
class UserNotFoundException(ServiceError): ...
class UsernameExistsException(ServiceError): ...
class UserPoolAddOnNotEnabledException(ServiceError): ...
class WebAuthnChallengeNotFoundException(ServiceError): ...
class WebAuthnClientMismatchException(ServiceError): ...
class WebAuthnConfigurationMissingException(ServiceError): ...
class WebAuthnCredentialNotSupportedException(ServiceError): ...
class WebAuthnNotEnabledException(ServiceError): ...
class WebAuthnOriginNotAllowedException(ServiceError): ...
class WebAuthnRelyingPartyMismatchException(ServiceError): ...
class ThrottlingException(ServiceError): ...
class AccessDeniedException(ServiceError): ...
class ValidationException(ServiceError): ...
class ServiceUnavailableException(ServiceError): ...

class Secret:
    """A secret string: repr() and str() print Secret([redacted])."""
    def __init__(self, value: str) -> None: ...
    def expose(self) -> str: ...

class Request:
    """Send this request; give the answer to handle_response."""
    method: str
    url: str
    headers: List[Tuple[str, str]]
    body: bytes
    def header(self, name: str) -> Optional[str]: ...
    def with_user_agent(self, user_agent: UserAgent) -> Request: ...

class Context:
    """The metadata trio: ClientMetadata, the analytics endpoint, UserContextData (IP address,
    fingerprint); each request carries the fields its operation takes."""
    def __init__(
        self,
        *,
        client_metadata: Optional[Dict[str, str]] = None,
        analytics_endpoint_id: Optional[str] = None,
        ip_address: Optional[str] = None,
        encoded_data: Optional[str] = None,
    ) -> None: ...

class UserAgent:
    """The x-amz-user-agent of every request: cognito-flows/<version> and what append adds."""
    def __init__(self) -> None: ...
    def append(self, part: str) -> UserAgent: ...

class Wait:
    """Wait this many seconds, then poll again."""
    seconds: float

class Done:
    """The flow has finished with this outcome."""
    outcome: Any

class Failed:
    """The flow has failed for good; raise error."""
    error: CognitoError

class Prompt:
    """A question for the user; kind says which, and which Input answers it."""
    kind: PromptKind
    error: Optional[ServiceError]
    delivery: Optional[Dict[str, Optional[str]]]
    name: Optional[str]
    parameters: Optional[Dict[str, str]]
    device_name: Optional[str]
    options: Optional[List[str]]
    user_attributes: Optional[Dict[str, str]]
    required_attributes: Optional[List[str]]
    credential_request_options: Optional[str]
    url: Optional[str]
    device_key: Optional[str]
    secret: Optional[str]
    uri: Optional[str]

class Input:
    """The user's answer to a Prompt."""
    @staticmethod
    def code(code: str) -> Input: ...
    @staticmethod
    def challenge(responses: Dict[str, str]) -> Input: ...
    @staticmethod
    def select_mfa(method: str) -> Input: ...
    @staticmethod
    def totp_setup(code: str, device_name: Optional[str] = None) -> Input: ...
    @staticmethod
    def email(address: str) -> Input: ...
    @staticmethod
    def new_password(password: str, attributes: Optional[Dict[str, str]] = None) -> Input: ...
    @staticmethod
    def answer(answer: str) -> Input: ...
    @staticmethod
    def select_challenge(challenge: str, password: Optional[str] = None) -> Input: ...
    @staticmethod
    def web_authn_credential(credential: str) -> Input: ...
    @staticmethod
    def remember_device(remember: bool) -> Input: ...
    @staticmethod
    def password_reset(code: str, password: str) -> Input: ...
    @staticmethod
    def resend_code() -> Input: ...
    @staticmethod
    def callback(url: str) -> Input: ...

class DeviceCredentials:
    """A confirmed device's credentials (secrets: persist them safely)."""
    def __init__(self, device_key: str, device_group_key: str, password: str) -> None: ...
    device_key: str
    device_group_key: str
    password: str

class Tokens:
    """The tokens of a sign-in; repr() redacts them."""
    @staticmethod
    def from_json(text: str) -> Tokens: ...
    def to_json(self) -> str: ...
    id_token: str
    access_token: str
    refresh_token: Optional[str]
    id_claims: Dict[str, Any]
    access_claims: Dict[str, Any]
    username: Optional[str]
    expires_in: Optional[int]
    expires_at: float
    def is_valid(self, now: float) -> bool: ...

class SignedIn:
    """A finished sign-in."""
    tokens: Tokens
    username: str
    device: Optional[DeviceCredentials]
    device_remembered: Optional[bool]
    new_device_key: Optional[str]
    device_error: Optional[CognitoError]
    forgotten_device: Optional[str]

class SignedOutError(CognitoError): ...

class Session:
    """A signed-in user's session (tokens, user name, device); repr() hides the tokens."""
    @staticmethod
    def from_signed_in(signed_in: SignedIn) -> Session: ...
    @staticmethod
    def from_json(text: str) -> Session: ...
    def to_json(self) -> str: ...
    tokens: Tokens
    username: str
    device: Optional[DeviceCredentials]
    def get_session(self, pool: UserPool, now: float) -> Optional[Refresh]: ...
    def refresh(self, pool: UserPool) -> Optional[Refresh]: ...
    def sign_out(self, pool: UserPool) -> Optional[Call]: ...

class OAuthTokens:
    """The hosted UI's tokens."""
    access_token: str
    id_token: Optional[str]
    refresh_token: Optional[str]
    expires_in: Optional[int]
    access_claims: Dict[str, Any]

class MachineToken:
    """A machine-to-machine access token (the client-credentials grant)."""
    access_token: str
    expires_at: float
    scopes: List[str]
    access_claims: Dict[str, Any]
    def is_valid_for(self, now: float, margin: float = 60.0) -> bool: ...
    def has_scope(self, scope: str) -> bool: ...

class UserPool:
    """A user pool and one of its app clients."""
    def __init__(
        self,
        pool_id: str,
        client_id: str,
        *,
        client_secret: Optional[str] = None,
        endpoint: Optional[str] = None,
    ) -> None: ...
    id: str
    region: str
    client_id: str
    endpoint: str
    issuer: str
    jwks_uri: str

class _Flow:
    def poll_action(self) -> Action: ...
    def handle_response(self, now: float, status: int, headers: Headers, body: bytes) -> None: ...
    def handle_input(self, input: Input) -> None: ...

class SignInOptions(TypedDict, total=False):
    """The keyword options every sign-in takes."""
    device: Optional[DeviceCredentials]
    device_key: Optional[str]
    device_name: Optional[str]
    confirm_device: bool
    client_metadata: Optional[Dict[str, str]]
    totp_issuer: Optional[str]
    context: Optional[Context]

class SignIn(_Flow):
    """A sign-in flow; build one with the static methods."""
    @staticmethod
    def user_srp(
        pool: UserPool, username: str, password: str, entropy: bytes, **options: Unpack[SignInOptions]
    ) -> SignIn: ...
    @staticmethod
    def user_password(
        pool: UserPool, username: str, password: str, entropy: bytes, **options: Unpack[SignInOptions]
    ) -> SignIn: ...
    @staticmethod
    def custom(
        pool: UserPool, username: str, entropy: bytes, *, password: Optional[str] = None, **options: Unpack[SignInOptions]
    ) -> SignIn: ...
    @staticmethod
    def user_auth(
        pool: UserPool,
        username: str,
        entropy: bytes,
        *,
        preferred: Optional[str] = None,
        password: Optional[str] = None,
        **options: Unpack[SignInOptions],
    ) -> SignIn: ...
    @staticmethod
    def after_sign_up(pool: UserPool, username: str, session: Union[Secret, str], entropy: bytes) -> SignIn: ...
    @staticmethod
    def refresh(
        pool: UserPool, username: str, refresh_token: str, entropy: bytes, **options: Unpack[SignInOptions]
    ) -> SignIn: ...

class ForgotPassword(_Flow):
    """Forgot password: a password_reset prompt, answered with Input.password_reset."""
    def __init__(
        self,
        pool: UserPool,
        username: str,
        *,
        client_metadata: Optional[Dict[str, str]] = None,
        context: Optional[Context] = None,
    ) -> None: ...

class Call(_Flow):
    """One account call; done with Cognito's answer as a dict."""
    operation: str
    def with_context(self, context: Context) -> Call: ...

class Refresh(_Flow):
    """A session's refresh; done with the refreshed Session."""

class Authorize(_Flow):
    """The hosted UI sign-in (code + PKCE)."""
    url: str
    nonce: str

class TokenCall(_Flow):
    """One request to the OAuth endpoints."""

class HostedUi:
    def __init__(
        self,
        domain: str,
        client_id: str,
        redirect_uri: str,
        *,
        client_secret: Optional[str] = None,
        scopes: Optional[List[str]] = None,
        identity_provider: Optional[str] = None,
        idp_identifier: Optional[str] = None,
        response_type: str = "code",
    ) -> None: ...
    def authorize(self, entropy: bytes) -> Authorize: ...
    def refresh(self, refresh_token: str) -> TokenCall: ...
    def revoke(self, refresh_token: str) -> TokenCall: ...
    def user_info(self, access_token: str) -> TokenCall: ...
    def logout_url(self, logout_uri: str) -> str: ...

class ClientCredentials:
    """A confidential app client allowed the client_credentials OAuth flow."""
    def __init__(
        self,
        domain: str,
        client_id: str,
        client_secret: str,
        *,
        scopes: Optional[List[str]] = None,
        auth: str = "basic",
    ) -> None: ...
    client_id: str
    scopes: List[str]
    def token(self) -> TokenCall: ...

class Verifier:
    def __init__(
        self,
        pool: UserPool,
        *,
        token_use: str = "access",
        client_ids: Optional[List[str]] = None,
        leeway: float = 60.0,
        required_groups: Optional[List[str]] = None,
        required_scopes: Optional[List[str]] = None,
        refetch_interval: float = 10.0,
        issuer: Optional[str] = None,
        jwks_uri: Optional[str] = None,
    ) -> None: ...
    issuer: str
    key_count: int
    def hydrate(self, now: float) -> List[JwksFetch]: ...
    def handle_jwks_response(
        self, fetch: JwksFetch, now: float, status: int, headers: Headers, body: bytes
    ) -> int: ...
    def handle_jwks_failure(self, fetch: JwksFetch, now: float, reason: str) -> InvalidTokenError: ...
    def verify(self, token: str, now: float) -> Union[Dict[str, Any], JwksFetch]: ...

class JwksFetch:
    uri: str
    request: Request

def sign_up(
    pool: UserPool,
    username: str,
    password: str,
    *,
    attributes: Optional[Dict[str, str]] = None,
    validation_data: Optional[Dict[str, str]] = None,
    client_metadata: Optional[Dict[str, str]] = None,
) -> Call: ...
def confirm_sign_up(pool: UserPool, username: str, code: str, *, force_alias_creation: bool = False) -> Call: ...
def resend_confirmation_code(pool: UserPool, username: str) -> Call: ...
def change_password(pool: UserPool, access_token: str, previous: str, proposed: str) -> Call: ...
def get_user(pool: UserPool, access_token: str) -> Call: ...
def update_user_attributes(pool: UserPool, access_token: str, attributes: Dict[str, str]) -> Call: ...
def delete_user_attributes(pool: UserPool, access_token: str, names: List[str]) -> Call: ...
def get_user_attribute_verification_code(pool: UserPool, access_token: str, attribute: str) -> Call: ...
def verify_user_attribute(pool: UserPool, access_token: str, attribute: str, code: str) -> Call: ...
def set_user_mfa_preference(
    pool: UserPool,
    access_token: str,
    *,
    sms: Optional[Tuple[bool, bool]] = None,
    totp: Optional[Tuple[bool, bool]] = None,
    email: Optional[Tuple[bool, bool]] = None,
) -> Call: ...
def set_user_settings(pool: UserPool, access_token: str, sms_mfa: bool) -> Call: ...
def associate_software_token(pool: UserPool, access_token: str) -> Call: ...
def verify_software_token(pool: UserPool, access_token: str, code: str, device_name: Optional[str] = None) -> Call: ...
def global_sign_out(pool: UserPool, access_token: str) -> Call: ...
def revoke_token(pool: UserPool, refresh_token: str, client_secret: Optional[str] = None) -> Call: ...
def delete_user(pool: UserPool, access_token: str) -> Call: ...
def list_devices(pool: UserPool, access_token: str, limit: Optional[int] = None, pagination_token: Optional[str] = None) -> Call: ...
def get_device(pool: UserPool, access_token: str, device_key: str) -> Call: ...
def forget_device(pool: UserPool, access_token: str, device_key: str) -> Call: ...
def update_device_status(pool: UserPool, access_token: str, device_key: str, remembered: bool) -> Call: ...

class Confirmation:
    """What ConfirmSignUp sends: the code, force_alias_creation and SignUp's session; repr()
    hides the code and the session."""
    def __init__(
        self,
        username: str,
        code: str,
        *,
        force_alias_creation: bool = False,
        session: Optional[Union[Secret, str]] = None,
    ) -> None: ...
    @staticmethod
    def after(signed_up: Mapping[str, Any], username: str, code: str) -> Confirmation: ...
    username: str
    force_alias_creation: bool
    has_session: bool

def confirm_registration(pool: UserPool, confirmation: Confirmation) -> Call: ...
def sign_in_after_confirmation(
    pool: UserPool, username: str, confirmed: Mapping[str, Any], entropy: bytes
) -> Optional[SignIn]: ...
def update_auth_event_feedback(
    pool: UserPool, username: str, event_id: str, feedback_token: Union[Secret, str], valid: bool
) -> Call: ...
def get_user_auth_factors(pool: UserPool, access_token: str) -> Call: ...
def start_web_authn_registration(pool: UserPool, access_token: str) -> Call: ...
def complete_web_authn_registration(pool: UserPool, access_token: str, credential: str) -> Call: ...
def list_web_authn_credentials(
    pool: UserPool, access_token: str, max_results: Optional[int] = None, next_token: Optional[str] = None
) -> Call: ...
def delete_web_authn_credential(pool: UserPool, access_token: str, credential_id: str) -> Call: ...
def totp_code(secret: Union[Secret, str], now: float) -> str: ...
def otpauth_uri(secret: Union[Secret, str], issuer: str, account: str) -> Secret: ...
