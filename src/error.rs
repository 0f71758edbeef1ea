//! Errors, split by cause: Cognito said no ([`ServiceError`]), Cognito said something we cannot
//! use ([`ProtocolError`]), or the caller did something the flow did not ask for ([`Misuse`]).

use std::fmt;

use crate::srp::SrpError;
use crate::wire::{Endpoint, Operation};

/// Everything a flow can fail with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Cognito answered with an exception, e.g. `NotAuthorizedException`.
    Service(ServiceError),
    /// Cognito's answer could not be used (not JSON, a field missing, an SRP value out of range).
    Protocol(ProtocolError),
    /// The caller's input did not fit the flow's state; the flow is unchanged.
    Misuse(Misuse),
    /// The hosted UI or its token endpoint answered with an OAuth error.
    OAuth(OAuthError),
    /// A hosted UI callback URL was refused (forged state, no code, ...); the flow still waits.
    Callback(CallbackError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Service(e) => e.fmt(f),
            Self::Protocol(e) => e.fmt(f),
            Self::Misuse(e) => e.fmt(f),
            Self::OAuth(e) => e.fmt(f),
            Self::Callback(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Service(e) => Some(e),
            Self::Protocol(e) => Some(e),
            Self::Misuse(e) => Some(e),
            Self::OAuth(e) => Some(e),
            Self::Callback(e) => Some(e),
        }
    }
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Self::Service(e)
    }
}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Self {
        Self::Protocol(e)
    }
}

impl From<Misuse> for Error {
    fn from(e: Misuse) -> Self {
        Self::Misuse(e)
    }
}

impl Error {
    /// The exception kind, when Cognito answered with one.
    pub fn service_kind(&self) -> Option<&ErrorKind> {
        match self {
            Self::Service(e) => Some(&e.kind),
            _ => None,
        }
    }
}

/// An exception Cognito answered with: `{"__type": "...Exception", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// Which operation failed.
    pub operation: Operation,
    /// The exception, typed.
    pub kind: ErrorKind,
    /// Cognito's message, verbatim (it never contains secrets; it may be empty).
    pub message: String,
    /// The HTTP status.
    pub status: u16,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with {}", self.operation, self.kind)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

macro_rules! error_kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// Cognito's exception names, typed. Anything else is kept in [`ErrorKind::Unknown`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[$doc])* $variant,)*
            /// An exception this version does not know, by its name (without any `prefix#`).
            Unknown(String),
        }

        impl ErrorKind {
            /// Every exception name this version knows, in the table's order.
            pub const NAMES: &'static [&'static str] = &[$($name,)*];

            /// Reads an exception name as Cognito sends it in `__type` or `x-amzn-ErrorType`:
            /// `NotAuthorizedException`, `com.amazonaws.cognito#NotAuthorizedException`, or
            /// `NotAuthorizedException:http://...`.
            pub fn from_type(raw: &str) -> Self {
                let name = raw.rsplit('#').next().unwrap_or(raw);
                let name = name.split(':').next().unwrap_or(name).trim();
                match name {
                    $($name => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// The exception's name, e.g. `"NotAuthorizedException"`.
            pub fn name(&self) -> &str {
                match self {
                    $(Self::$variant => $name,)*
                    Self::Unknown(name) => name,
                }
            }
        }
    };
}

error_kinds! {
    /// An alias (email or phone) is already used by another user.
    AliasExists = "AliasExistsException",
    /// A verification code could not be sent.
    CodeDeliveryFailure = "CodeDeliveryFailureException",
    /// The code the user entered is wrong.
    CodeMismatch = "CodeMismatchException",
    /// Another request changed the same resource.
    ConcurrentModification = "ConcurrentModificationException",
    /// The TOTP code given while enabling software token MFA is wrong.
    EnableSoftwareTokenMfa = "EnableSoftwareTokenMFAException",
    /// The code expired; ask for a new one.
    ExpiredCode = "ExpiredCodeException",
    /// WAF blocked the request.
    Forbidden = "ForbiddenException",
    /// Cognito failed internally; retrying may help.
    InternalError = "InternalErrorException",
    /// The pool's email configuration is broken.
    InvalidEmailRoleAccessPolicy = "InvalidEmailRoleAccessPolicyException",
    /// A Lambda trigger answered something Cognito could not use.
    InvalidLambdaResponse = "InvalidLambdaResponseException",
    /// A parameter is invalid.
    InvalidParameter = "InvalidParameterException",
    /// The password does not meet the pool's policy.
    InvalidPassword = "InvalidPasswordException",
    /// The pool's SMS role is broken.
    InvalidSmsRoleAccessPolicy = "InvalidSmsRoleAccessPolicyException",
    /// The pool's SMS role trust relationship is broken.
    InvalidSmsRoleTrustRelationship = "InvalidSmsRoleTrustRelationshipException",
    /// The pool is misconfigured for this request.
    InvalidUserPoolConfiguration = "InvalidUserPoolConfigurationException",
    /// A limit was exceeded (e.g. too many code requests).
    LimitExceeded = "LimitExceededException",
    /// The user has no MFA method that fits.
    MfaMethodNotFound = "MFAMethodNotFoundException",
    /// Wrong user name or password, a disabled user, an invalid or revoked token, ...
    NotAuthorized = "NotAuthorizedException",
    /// The new password was used recently.
    PasswordHistoryPolicyViolation = "PasswordHistoryPolicyViolationException",
    /// The user must reset their password.
    PasswordResetRequired = "PasswordResetRequiredException",
    /// A refresh token was reused after rotation.
    RefreshTokenReuse = "RefreshTokenReuseException",
    /// The resource (e.g. a device, a pool, a client) does not exist.
    ResourceNotFound = "ResourceNotFoundException",
    /// The user has no software token.
    SoftwareTokenMfaNotFound = "SoftwareTokenMFANotFoundException",
    /// Too many failed attempts.
    TooManyFailedAttempts = "TooManyFailedAttemptsException",
    /// Throttled; retry later.
    TooManyRequests = "TooManyRequestsException",
    /// The client is not allowed to do this (e.g. RevokeToken without token revocation).
    Unauthorized = "UnauthorizedException",
    /// A Lambda trigger failed.
    UnexpectedLambda = "UnexpectedLambdaException",
    /// The operation is not supported.
    UnsupportedOperation = "UnsupportedOperationException",
    /// The token type is not supported here.
    UnsupportedTokenType = "UnsupportedTokenTypeException",
    /// A Lambda trigger refused the request.
    UserLambdaValidation = "UserLambdaValidationException",
    /// The user has not confirmed their account.
    UserNotConfirmed = "UserNotConfirmedException",
    /// The user does not exist (only when the pool does not hide it).
    UserNotFound = "UserNotFoundException",
    /// The user name is taken.
    UsernameExists = "UsernameExistsException",
    /// The pool's advanced security features are not enabled.
    UserPoolAddOnNotEnabled = "UserPoolAddOnNotEnabledException",
    /// The WebAuthn challenge was not found.
    WebAuthnChallengeNotFound = "WebAuthnChallengeNotFoundException",
    /// The WebAuthn credential belongs to another client.
    WebAuthnClientMismatch = "WebAuthnClientMismatchException",
    /// WebAuthn is not configured.
    WebAuthnConfigurationMissing = "WebAuthnConfigurationMissingException",
    /// The WebAuthn credential is not supported.
    WebAuthnCredentialNotSupported = "WebAuthnCredentialNotSupportedException",
    /// WebAuthn is not enabled.
    WebAuthnNotEnabled = "WebAuthnNotEnabledException",
    /// The WebAuthn origin is not allowed.
    WebAuthnOriginNotAllowed = "WebAuthnOriginNotAllowedException",
    /// The WebAuthn relying party does not match.
    WebAuthnRelyingPartyMismatch = "WebAuthnRelyingPartyMismatchException",
    /// AWS throttled the request.
    Throttling = "ThrottlingException",
    /// AWS refused the request's authorization.
    AccessDenied = "AccessDeniedException",
    /// AWS could not validate the request.
    Validation = "ValidationException",
    /// AWS is unavailable.
    ServiceUnavailable = "ServiceUnavailableException",
}

impl ErrorKind {
    /// Whether retrying the same request later may succeed (throttling, internal errors). The
    /// core's retries ([`crate::retry`]) send again exactly these.
    pub fn is_retryable(&self) -> bool {
        self.is_throttling() || matches!(self, Self::InternalError | Self::ServiceUnavailable)
    }

    /// Whether the server refused the request for its rate (`TooManyRequestsException`,
    /// `ThrottlingException`): it was not processed, so sending it again is always safe.
    pub fn is_throttling(&self) -> bool {
        matches!(self, Self::TooManyRequests | Self::Throttling)
    }

    /// Whether the user can correct the input and try again (a wrong code, a weak password):
    /// the flows then return to the same prompt.
    pub fn is_correctable(&self) -> bool {
        matches!(
            self,
            Self::CodeMismatch
                | Self::InvalidPassword
                | Self::PasswordHistoryPolicyViolation
                | Self::EnableSoftwareTokenMfa
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Cognito answered something this library cannot use. The body is kept (see
/// [`ProtocolError::body`]) but never printed, since it may hold tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// Which endpoint's answer it was.
    pub endpoint: Endpoint,
    /// The HTTP status of the answer.
    pub status: u16,
    /// What was wrong with it.
    pub reason: ProtocolReason,
    body: Vec<u8>,
}

impl ProtocolError {
    /// A protocol error about an answer with the given status and body.
    pub fn new(
        endpoint: impl Into<Endpoint>,
        status: u16,
        reason: ProtocolReason,
        body: Vec<u8>,
    ) -> Self {
        Self {
            endpoint: endpoint.into(),
            status,
            reason,
            body,
        }
    }

    /// The offending body, verbatim. It may contain tokens: handle it as a secret.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl fmt::Debug for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtocolError")
            .field("endpoint", &self.endpoint)
            .field("status", &self.status)
            .field("reason", &self.reason)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unusable {} response (HTTP {}): {}",
            self.endpoint, self.status, self.reason
        )
    }
}

impl std::error::Error for ProtocolError {}

/// What was wrong with an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolReason {
    /// The body is not the JSON expected; the parser's message, without any of the body.
    InvalidJson(String),
    /// An error status without a recognizable `__type` (e.g. an HTML page from a proxy, or a
    /// 5xx with an empty body).
    UnexpectedStatus,
    /// A field the flow needs is missing.
    MissingField(&'static str),
    /// A field has a value the flow cannot use.
    InvalidField {
        /// The field's name.
        field: &'static str,
        /// Why it is unusable.
        detail: String,
    },
    /// The SRP values in the challenge are unusable or hostile.
    Srp(SrpError),
    /// A token in the answer is not a decodable JWT.
    InvalidToken(&'static str),
}

impl fmt::Display for ProtocolReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidJson(e) => write!(f, "invalid JSON: {e}"),
            Self::UnexpectedStatus => f.write_str("error status without a Cognito exception"),
            Self::MissingField(field) => write!(f, "missing field {field}"),
            Self::InvalidField { field, detail } => write!(f, "invalid {field}: {detail}"),
            Self::Srp(e) => write!(f, "SRP: {e}"),
            Self::InvalidToken(which) => write!(f, "{which} is not a valid JWT"),
        }
    }
}

/// The caller did something the flow's current state does not allow. The flow is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misuse {
    /// An input was given while the flow waits for something else.
    UnexpectedInput {
        /// What the flow is waiting for.
        expected: &'static str,
        /// What it got.
        got: &'static str,
    },
    /// A response was given while no request is in flight.
    UnexpectedResponse {
        /// What the flow is waiting for.
        expected: &'static str,
    },
    /// The flow has finished (done or failed); start a new one.
    Finished,
    /// An input is malformed (e.g. an empty code); the message says how.
    InvalidInput(String),
    /// The clock given is outside what Cognito accepts (before 1970 or after 9999).
    ClockOutOfRange,
}

impl fmt::Display for Misuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedInput { expected, got } => {
                write!(f, "the flow is waiting for {expected}, not {got}")
            }
            Self::UnexpectedResponse { expected } => {
                write!(
                    f,
                    "no request is in flight: the flow is waiting for {expected}"
                )
            }
            Self::Finished => f.write_str("the flow has finished"),
            Self::InvalidInput(why) => write!(f, "invalid input: {why}"),
            Self::ClockOutOfRange => f.write_str("the clock is outside the years 1970 to 9999"),
        }
    }
}

impl std::error::Error for Misuse {}

/// An OAuth error code, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// `invalid_request`.
    InvalidRequest,
    /// `invalid_client`.
    InvalidClient,
    /// `invalid_grant`: a wrong, used or expired code or refresh token.
    InvalidGrant,
    /// `unauthorized_client`.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `invalid_scope`.
    InvalidScope,
    /// `access_denied`: the user (or a trigger) said no.
    AccessDenied,
    /// `server_error`.
    ServerError,
    /// `temporarily_unavailable`.
    TemporarilyUnavailable,
    /// Anything else.
    Other(String),
}

impl OAuthErrorCode {
    /// The code as the server sent it (`invalid_scope`, ...).
    ///
    /// ```
    /// use cognito_flows::flows::hosted_ui::OAuthErrorCode;
    ///
    /// assert_eq!(OAuthErrorCode::InvalidScope.as_str(), "invalid_scope");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::Other(other) => other,
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            "access_denied" => Self::AccessDenied,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// An OAuth error: from the callback (`error=...`) or from the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// `error`.
    pub code: OAuthErrorCode,
    /// `error_description`.
    pub description: Option<String>,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OAuth error {:?}", self.code)?;
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for OAuthError {}

/// Why a callback URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// Not an absolute URL.
    NotAUrl,
    /// It does not go to the configured redirect URI.
    WrongRedirect,
    /// No `state`.
    MissingState,
    /// `state` is not the one sent: a forged or stale callback (CSRF).
    StateMismatch,
    /// No `code` (code flow) or no `access_token` (implicit flow).
    MissingCode,
    /// A parameter appears twice.
    DuplicateParameter,
    /// A token in the fragment (implicit flow) is not a JWT.
    InvalidToken,
    /// The id token's `nonce` is not the one sent (or it has none, in the implicit flow): a
    /// replayed or injected token.
    NonceMismatch,
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotAUrl => "the callback is not a URL",
            Self::WrongRedirect => "the callback does not go to the redirect URI",
            Self::MissingState => "the callback has no state",
            Self::StateMismatch => "the callback's state is not ours",
            Self::MissingCode => "the callback has no code or token",
            Self::DuplicateParameter => "the callback repeats a parameter",
            Self::InvalidToken => "a token in the callback is not a JWT",
            Self::NonceMismatch => "the id token's nonce is not ours",
        })
    }
}

impl std::error::Error for CallbackError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_names_are_read_with_or_without_prefixes() {
        assert_eq!(
            ErrorKind::from_type("NotAuthorizedException"),
            ErrorKind::NotAuthorized
        );
        assert_eq!(
            ErrorKind::from_type("com.amazonaws.cognito.identity.idp.model#CodeMismatchException"),
            ErrorKind::CodeMismatch
        );
        assert_eq!(
            ErrorKind::from_type("UserNotFoundException:http://internal.amazon.com/coral/"),
            ErrorKind::UserNotFound
        );
        assert_eq!(
            ErrorKind::from_type("BrandNewException"),
            ErrorKind::Unknown("BrandNewException".into())
        );
        assert_eq!(
            ErrorKind::MfaMethodNotFound.name(),
            "MFAMethodNotFoundException"
        );
    }
}
