//! Python exceptions: one class per Cognito exception (`NotAuthorizedException`, ...) under
//! `ServiceError`, and the protocol, misuse, OAuth, callback and token classes, all under
//! `CognitoError`.

use std::ffi::CString;

use cognito_flows::Error;
use cognito_flows::flows::hosted_ui::OAuthErrorCode;
use cognito_flows::verify::VerifyError;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyType;

pyo3::create_exception!(
    _native,
    CognitoError,
    PyException,
    "The base class of every error this package raises."
);
pyo3::create_exception!(
    _native,
    ServiceError,
    CognitoError,
    "Cognito answered with an exception. Each exception Cognito names has its own subclass \
     (`NotAuthorizedException`, `CodeMismatchException`, ...); one this version does not know is \
     raised as `ServiceError` itself. Attributes: `operation`, `kind`, `message`, `status`, \
     `retryable`, `correctable`."
);
pyo3::create_exception!(
    _native,
    ProtocolError,
    CognitoError,
    "Cognito's answer could not be used (not JSON, a field missing, an SRP value out of range). \
     Attributes: `operation`, `status`, `reason`."
);
pyo3::create_exception!(
    _native,
    MisuseError,
    CognitoError,
    "The caller gave the flow something its state did not ask for; the flow is unchanged."
);
pyo3::create_exception!(
    _native,
    OAuthError,
    CognitoError,
    "The hosted UI or its token endpoint answered with an OAuth error. Attributes: `code` \
     (e.g. `invalid_grant`), `description`."
);
pyo3::create_exception!(
    _native,
    CallbackError,
    CognitoError,
    "A hosted UI callback URL was refused (forged state, no code, ...); the flow still waits."
);
pyo3::create_exception!(
    _native,
    InvalidTokenError,
    CognitoError,
    "The verifier refused a token. Attribute `reason`: why, never the token itself."
);
pyo3::create_exception!(
    _native,
    InvalidArgumentError,
    CognitoError,
    "An argument is malformed (a pool id, an endpoint, entropy that is not 32 bytes, ...)."
);

pyo3::create_exception!(
    _native,
    SignedOutError,
    CognitoError,
    "The session has expired and holds no refresh token: the user must sign in again."
);

/// Cognito's exception names, the core's `error_kinds!` table: each becomes a subclass of
/// `ServiceError`.
pub(crate) const SERVICE_EXCEPTIONS: &[&str] = cognito_flows::ErrorKind::NAMES;

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("CognitoError", py.get_type::<CognitoError>())?;
    m.add("ServiceError", py.get_type::<ServiceError>())?;
    m.add("ProtocolError", py.get_type::<ProtocolError>())?;
    m.add("MisuseError", py.get_type::<MisuseError>())?;
    m.add("OAuthError", py.get_type::<OAuthError>())?;
    m.add("CallbackError", py.get_type::<CallbackError>())?;
    m.add("InvalidTokenError", py.get_type::<InvalidTokenError>())?;
    m.add(
        "InvalidArgumentError",
        py.get_type::<InvalidArgumentError>(),
    )?;
    m.add("SignedOutError", py.get_type::<SignedOutError>())?;
    let base = py.get_type::<ServiceError>();
    for name in SERVICE_EXCEPTIONS {
        let qualified = CString::new(format!("cognito_flows.{name}"))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let doc = CString::new(format!("Cognito's `{name}`."))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let class = PyErr::new_type(py, &qualified, Some(&doc), Some(&base), None)?;
        m.add(*name, class)?;
    }
    Ok(())
}

fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    let module = py.import("cognito_flows._native")?;
    Ok(module.getattr(name)?.cast_into::<PyType>()?)
}

/// The Python exception for a flow error.
pub(crate) fn to_py(py: Python<'_>, error: &Error) -> PyErr {
    match build(py, error) {
        Ok(err) | Err(err) => err,
    }
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let message = error.to_string();
    let err = match error {
        Error::Service(e) => {
            let name = e.kind.name();
            let class = if SERVICE_EXCEPTIONS.contains(&name) {
                class(py, name)?
            } else {
                py.get_type::<ServiceError>()
            };
            let err = PyErr::from_type(class, (message,));
            let value = err.value(py);
            value.setattr("operation", e.operation.to_string())?;
            value.setattr("kind", name)?;
            value.setattr("message", e.message.as_str())?;
            value.setattr("status", e.status)?;
            value.setattr("retryable", e.kind.is_retryable())?;
            value.setattr("correctable", e.kind.is_correctable())?;
            err
        }
        Error::Protocol(e) => {
            let err = ProtocolError::new_err(message);
            let value = err.value(py);
            // The operation's name (`InitiateAuth`), or the hosted UI endpoint's.
            value.setattr("operation", e.endpoint.to_string())?;
            value.setattr("status", e.status)?;
            value.setattr("reason", e.reason.to_string())?;
            err
        }
        Error::Misuse(_) => MisuseError::new_err(message),
        Error::OAuth(e) => {
            let err = OAuthError::new_err(message);
            let value = err.value(py);
            value.setattr("code", oauth_code(&e.code))?;
            value.setattr("description", e.description.clone())?;
            err
        }
        Error::Callback(_) => CallbackError::new_err(message),
        _ => CognitoError::new_err(message),
    };
    Ok(err)
}

fn oauth_code(code: &OAuthErrorCode) -> String {
    match code {
        OAuthErrorCode::InvalidRequest => "invalid_request".into(),
        OAuthErrorCode::InvalidClient => "invalid_client".into(),
        OAuthErrorCode::InvalidGrant => "invalid_grant".into(),
        OAuthErrorCode::UnauthorizedClient => "unauthorized_client".into(),
        OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type".into(),
        OAuthErrorCode::InvalidScope => "invalid_scope".into(),
        OAuthErrorCode::AccessDenied => "access_denied".into(),
        OAuthErrorCode::ServerError => "server_error".into(),
        OAuthErrorCode::TemporarilyUnavailable => "temporarily_unavailable".into(),
        OAuthErrorCode::Other(other) => other.clone(),
        _ => format!("{code:?}"),
    }
}

/// The Python exception for a refused token.
pub(crate) fn invalid_token(py: Python<'_>, error: &VerifyError) -> PyErr {
    let reason = match error {
        VerifyError::Malformed(_) => "malformed",
        VerifyError::UnsupportedAlgorithm(_) => "unsupported_algorithm",
        VerifyError::MissingKeyId => "missing_key_id",
        VerifyError::UnknownKey(_) => "unknown_key",
        VerifyError::BadSignature => "bad_signature",
        VerifyError::WrongIssuer(_) => "wrong_issuer",
        VerifyError::WrongTokenUse { .. } => "wrong_token_use",
        VerifyError::WrongAudience(_) => "wrong_audience",
        VerifyError::MissingClaim(_) => "missing_claim",
        VerifyError::Expired { .. } => "expired",
        VerifyError::NotYetValid => "not_yet_valid",
        VerifyError::MissingGroup(_) => "missing_group",
        VerifyError::MissingScope(_) => "missing_scope",
        VerifyError::InvalidJwks(_) => "invalid_jwks",
        VerifyError::JwksFetch(_) => "jwks_fetch",
        VerifyError::CriticalHeader => "critical_header",
        VerifyError::Refused(_) => "refused",
        _ => "other",
    };
    let err = InvalidTokenError::new_err(error.to_string());
    match err.value(py).setattr("reason", reason) {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// A malformed argument.
pub(crate) fn invalid_argument(message: impl Into<String>) -> PyErr {
    InvalidArgumentError::new_err(message.into())
}
