//! Calls: one operation's request out as `http::Request<Vec<u8>>`, its response in as
//! `http::Response<Vec<u8>>`, classified into a typed body, a [`ServiceError`] or a
//! [`ProtocolError`].

use http::header::{CONTENT_TYPE, HeaderValue};
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::error::{Error, ProtocolError, ProtocolReason, ServiceError};
use crate::pool::UserPool;
use crate::wire::{self, ErrorBody, Operation, Request};

/// The header that carries the operation.
pub(crate) const X_AMZ_TARGET: &str = "x-amz-target";

/// Builds the `POST` of `body` to its own operation, as JSON, to the pool's endpoint.
pub(crate) fn request<R: Request>(pool: &UserPool, body: &R) -> http::Request<Vec<u8>> {
    // Serializing the wire types (strings, numbers, maps keyed by strings) cannot fail.
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    post(pool, R::OPERATION, bytes)
}

/// The `POST` of `operation` with these bytes as its body.
pub(crate) fn post(
    pool: &UserPool,
    operation: Operation,
    bytes: Vec<u8>,
) -> http::Request<Vec<u8>> {
    let mut request = http::Request::new(bytes);
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = pool.endpoint().clone();
    let headers = request.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(wire::CONTENT_TYPE));
    headers.insert(X_AMZ_TARGET, HeaderValue::from_static(operation.target()));
    request
}

/// A parsed 2xx answer, with its body kept (zeroized on drop) until the flow has checked the
/// fields it needs, so that a [`ProtocolError`] about a missing field can still carry it.
pub(crate) struct Parsed<T> {
    /// The typed body.
    pub value: T,
    operation: Operation,
    status: u16,
    body: Zeroizing<Vec<u8>>,
}

impl<T> Parsed<T> {
    /// A protocol error about this answer, keeping its body.
    pub fn fail(&self, reason: ProtocolReason) -> Error {
        protocol(self.operation, self.status, reason, self.body.to_vec())
    }
}

/// Reads the answer to `operation`: its body as `T` on 2xx (an empty body reads as `{}`), the
/// exception on 4xx/5xx.
pub(crate) fn parse<T: DeserializeOwned>(
    operation: Operation,
    response: http::Response<Vec<u8>>,
) -> Result<Parsed<T>, Error> {
    let status = response.status();
    let header_type = response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.into_body();
    if status.is_success() {
        let parsed = if body.iter().all(u8::is_ascii_whitespace) {
            serde_json::from_slice(b"{}")
        } else {
            serde_json::from_slice(&body)
        };
        return match parsed {
            Ok(value) => Ok(Parsed {
                value,
                operation,
                status: status.as_u16(),
                body: Zeroizing::new(body),
            }),
            Err(e) => Err(protocol(operation, status.as_u16(), json_reason(&e), body)),
        };
    }
    let error_body: Option<ErrorBody> = serde_json::from_slice(&body).ok();
    let error_type = error_body
        .as_ref()
        .and_then(|b| b.error_type.clone())
        .filter(|t| !t.is_empty())
        .or(header_type);
    match error_type {
        Some(error_type) if !status.is_redirection() => Err(Error::Service(ServiceError {
            operation,
            kind: crate::error::ErrorKind::from_type(&error_type),
            message: error_body.and_then(|b| b.message).unwrap_or_default(),
            status: status.as_u16(),
        })),
        _ => Err(protocol(
            operation,
            status.as_u16(),
            ProtocolReason::UnexpectedStatus,
            body,
        )),
    }
}

/// A protocol error about `operation`'s answer.
pub(crate) fn protocol(
    operation: Operation,
    status: u16,
    reason: ProtocolReason,
    body: Vec<u8>,
) -> Error {
    Error::Protocol(ProtocolError::new(operation, status, reason, body))
}

/// serde_json's message without the input it quotes (which may be a token): category and place.
pub(crate) fn json_reason(e: &serde_json::Error) -> ProtocolReason {
    let what = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected shape",
        serde_json::error::Category::Eof => "truncated",
    };
    ProtocolReason::InvalidJson(format!("{what} at line {} column {}", e.line(), e.column()))
}
