//! In-process requests, for the fuzz targets (feature `fuzzing`): [`Emulator::answer`] serves one
//! request through the same routing as the HTTP server, without a socket.

use std::sync::OnceLock;

use http::{HeaderValue, Request, Response};

use crate::Emulator;
use crate::fault::Fault;
use crate::web::Reply;
use crate::web::server::{dispatch, fault_reply};

/// The runtime that drives [`Emulator::answer`]'s futures (webhook calls and their timeouts
/// included), one per process.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("a tokio runtime for Emulator::answer: {e}"))
    })
}

impl Emulator {
    /// Answers one request as the server would (the API, the hosted UI, `/oauth2/*`, the
    /// well-known documents), in-process: no socket, no connection limits or I/O deadlines. The
    /// answer has no `x-amzn-RequestId`. Blocks until the answer is ready.
    ///
    /// ```
    /// use cognito_flows_emulator::{Emulator, EmulatorConfig, PoolConfig};
    ///
    /// let emulator = Emulator::start(EmulatorConfig::default())?;
    /// let pool = emulator.create_user_pool(PoolConfig::default());
    /// let request = http::Request::post("/")
    ///     .header("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool")
    ///     .body(format!(r#"{{"UserPoolId": "{pool}"}}"#).into_bytes())
    ///     .unwrap();
    /// let response = emulator.answer(request);
    /// assert_eq!(response.status(), 200);
    /// assert!(String::from_utf8_lossy(response.body()).contains(&pool));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn answer(&self, request: Request<Vec<u8>>) -> Response<Vec<u8>> {
        let (parts, body) = request.into_parts();
        let reply = runtime().block_on(dispatch(
            &self.shared,
            &parts.method,
            &parts.uri,
            &parts.headers,
            &body,
        ));
        response(reply).unwrap_or_else(|| {
            // As the server answers a reply it cannot send.
            response(fault_reply(&Fault {
                status: 400,
                kind: "InvalidParameterException",
                message: "the answer would carry an invalid header value".into(),
            }))
            .unwrap_or_default()
        })
    }
}

/// The response, or `None` when a header value is not a valid one.
fn response((status, headers, body): Reply) -> Option<Response<Vec<u8>>> {
    let mut response = Response::builder().status(status);
    for (name, value) in headers {
        response = response.header(name, HeaderValue::from_str(&value).ok()?);
    }
    response.body(body.into_bytes()).ok()
}
