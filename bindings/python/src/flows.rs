//! The flows as Python classes. Each has the three methods of the core's `Flow` contract:
//! `poll_action()`, `handle_response(now, status, headers, body)` and `handle_input(input)`.

use std::collections::BTreeMap;

use cognito_flows::flows::Refresh as CoreRefresh;
use cognito_flows::flows::account::Call as CoreCall;
use cognito_flows::flows::hosted_ui::{
    Authorize as CoreAuthorize, Revoked, TokenCall as CoreTokenCall, UserInfo,
};
use cognito_flows::flows::sign_in::{FirstFactor, SignInBuilder};
use cognito_flows::wire::Context as CoreContext;
use cognito_flows::{
    Action, Error, Flow, ForgotPassword as CoreForgotPassword, Input as CoreInput, Misuse,
    Password, SecretString, SignIn as CoreSignIn, SignedIn as CoreSignedIn,
    UserPool as CoreUserPool,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::de::DeserializeOwned;

use crate::errors::{invalid_argument, to_py};
use crate::values::{
    Context, DeviceCredentials, Done, Failed, Input, OAuthTokens, Prompt, Request, Secret,
    SignedIn, Wait, json_to_py, py_str, system_time,
};

/// A user pool and one of its app clients.
///
/// `endpoint` points the flows elsewhere than `https://cognito-idp.{region}.amazonaws.com/`
/// (a local emulator, a proxy). The client secret, when the app client has one, is used for
/// `SECRET_HASH` and never printed.
#[pyclass(module = "cognito_flows", frozen)]
pub struct UserPool(pub(crate) CoreUserPool);

#[pymethods]
impl UserPool {
    #[new]
    #[pyo3(signature = (pool_id, client_id, *, client_secret=None, endpoint=None))]
    fn new(
        pool_id: &str,
        client_id: String,
        client_secret: Option<String>,
        endpoint: Option<&str>,
    ) -> PyResult<Self> {
        let mut pool =
            CoreUserPool::new(pool_id, client_id).map_err(|e| invalid_argument(e.to_string()))?;
        if let Some(secret) = client_secret {
            pool = pool.with_client_secret(secret);
        }
        if let Some(endpoint) = endpoint {
            pool = pool
                .with_endpoint(endpoint)
                .map_err(|e| invalid_argument(e.to_string()))?;
        }
        Ok(Self(pool))
    }

    /// The pool id, e.g. `us-east-1_AbC123`.
    #[getter]
    fn id(&self) -> &str {
        self.0.id()
    }

    /// The region, e.g. `us-east-1`.
    #[getter]
    fn region(&self) -> &str {
        self.0.region()
    }

    /// The app client id.
    #[getter]
    fn client_id(&self) -> &str {
        self.0.client_id()
    }

    /// Where the flows send their requests.
    #[getter]
    fn endpoint(&self) -> String {
        self.0.endpoint().to_string()
    }

    /// The `iss` of the pool's tokens.
    #[getter]
    fn issuer(&self) -> String {
        self.0.issuer()
    }

    /// The address of the pool's JWKS.
    #[getter]
    fn jwks_uri(&self) -> String {
        self.0.jwks_uri()
    }

    fn __repr__(&self) -> String {
        format!(
            "UserPool(id={}, client_id={}, client_secret={}, endpoint={})",
            py_str(self.0.id()),
            py_str(self.0.client_id()),
            if self.0.has_client_secret() {
                "[redacted]"
            } else {
                "None"
            },
            py_str(&self.0.endpoint().to_string())
        )
    }
}

/// Reads `headers` (a mapping, or pairs, e.g. `http.client.HTTPResponse.getheaders()`) and the
/// rest of an answer into an `http::Response`.
pub(crate) fn response(
    status: u16,
    headers: &Bound<'_, PyAny>,
    body: &[u8],
) -> PyResult<http::Response<Vec<u8>>> {
    let mut response = http::Response::new(body.to_vec());
    *response.status_mut() = http::StatusCode::from_u16(status)
        .map_err(|_| invalid_argument(format!("{status} is not an HTTP status")))?;
    let pairs = if headers.hasattr("items")? {
        headers.call_method0("items")?
    } else {
        headers.clone()
    };
    for pair in pairs.try_iter()? {
        let (name, value): (String, String) = pair?.extract()?;
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid_argument(format!("{name:?} is not a header name")))?;
        let value = http::HeaderValue::from_str(&value)
            .map_err(|_| invalid_argument(format!("the value of {name} is not a header value")))?;
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

/// Converts an action, with `done` converting the outcome.
pub(crate) fn action<O>(
    py: Python<'_>,
    action: Action<O>,
    done: impl FnOnce(Python<'_>, O) -> PyResult<Py<PyAny>>,
) -> PyResult<Py<PyAny>> {
    Ok(match action {
        Action::Send(request) => Py::new(py, Request::new(py, &request)?)?.into_any(),
        Action::Prompt(prompt) => Py::new(py, Prompt::new(py, &prompt)?)?.into_any(),
        Action::Done(outcome) => Py::new(
            py,
            Done {
                outcome: done(py, outcome)?,
            },
        )?
        .into_any(),
        Action::Failed(error) => Py::new(
            py,
            Failed {
                error: to_py(py, &error).into_value(py).into_any(),
            },
        )?
        .into_any(),
        Action::Wait(delay) => Py::new(
            py,
            Wait {
                seconds: delay.as_secs_f64(),
            },
        )?
        .into_any(),
    })
}

pub(crate) fn raise(py: Python<'_>, result: Result<(), Error>) -> PyResult<()> {
    result.map_err(|e| to_py(py, &e))
}

/// `handle_response` of any flow, from what Python has.
pub(crate) fn respond(
    py: Python<'_>,
    flow: &mut impl Flow,
    now: f64,
    status: u16,
    headers: &Bound<'_, PyAny>,
    body: &[u8],
) -> PyResult<()> {
    let now = system_time(now)?;
    let response = response(status, headers, body)?;
    raise(py, flow.handle_response(now, response))
}

/// The three methods of the flow contract, for a class whose `.0` is a core flow.
macro_rules! flow_methods {
    ($class:ident, $done:expr, { $($extra:tt)* }) => {
        #[pymethods]
        impl $class {
            $($extra)*

            /// The one pending action: `Request`, `Prompt`, `Wait`, `Done` or `Failed`.
            /// Idempotent: only `handle_*` move the flow.
            fn poll_action(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                action(py, self.0.poll_action(), $done)
            }

            /// Cognito's answer to the last `Request`, received at `now` (seconds since the
            /// epoch). Raises the flow's error, which the next `poll_action` also reports (as
            /// `Failed`, or as the prompt again with `error` set).
            fn handle_response(
                &mut self,
                py: Python<'_>,
                now: f64,
                status: u16,
                headers: &Bound<'_, PyAny>,
                body: &[u8],
            ) -> PyResult<()> {
                respond(py, &mut self.0, now, status, headers, body)
            }

            /// The user's answer to the last `Prompt`. Raises `MisuseError` (the flow is
            /// unchanged) if the flow did not ask for it.
            fn handle_input(&mut self, py: Python<'_>, input: &Input) -> PyResult<()> {
                raise(py, self.0.handle_input(input.0.clone()))
            }

            fn __repr__(&self) -> String {
                format!("{}(...)", stringify!($class))
            }
        }
    };
}
pub(crate) use flow_methods;

/// A sign-in: SRP, password, custom, choice-based (`USER_AUTH`) or refresh. Build one with the
/// static methods, then drive it with `poll_action` / `handle_response` / `handle_input`.
#[pyclass(module = "cognito_flows")]
pub struct SignIn(SignInFlow);

/// What `SignIn`'s static methods build: a sign-in, or the core's one refresh flow (which
/// `SignIn.refresh` builds, as the core's `SignIn::refresh` does). Both end in a `SignedIn`.
enum SignInFlow {
    SignIn(Box<CoreSignIn>),
    Refresh(Box<CoreRefresh<CoreSignedIn>>),
}

impl From<CoreSignIn> for SignInFlow {
    fn from(flow: CoreSignIn) -> Self {
        Self::SignIn(Box::new(flow))
    }
}

impl From<CoreRefresh<CoreSignedIn>> for SignInFlow {
    fn from(flow: CoreRefresh<CoreSignedIn>) -> Self {
        Self::Refresh(Box::new(flow))
    }
}

impl Flow for SignInFlow {
    type Output = CoreSignedIn;

    fn poll_action(&self) -> Action<CoreSignedIn> {
        match self {
            Self::SignIn(flow) => flow.poll_action(),
            Self::Refresh(flow) => flow.poll_action(),
        }
    }

    fn handle_response(
        &mut self,
        now: std::time::SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<(), Error> {
        match self {
            Self::SignIn(flow) => flow.handle_response(now, response),
            Self::Refresh(flow) => flow.handle_response(now, response),
        }
    }

    fn handle_input(&mut self, input: CoreInput) -> Result<(), Error> {
        match self {
            Self::SignIn(flow) => flow.handle_input(input),
            Self::Refresh(flow) => flow.handle_input(input),
        }
    }

    fn resend(&self) -> cognito_flows::flows::Resend {
        match self {
            Self::SignIn(flow) => flow.resend(),
            Self::Refresh(flow) => flow.resend(),
        }
    }
}

impl SignIn {
    fn of(flow: impl Into<SignInFlow>) -> Self {
        Self(flow.into())
    }

    /// The Python class of a core sign-in.
    pub(crate) fn from_core(flow: CoreSignIn) -> Self {
        Self::of(flow)
    }
}

/// The options every sign-in takes as keyword arguments: `device` (`DeviceCredentials`),
/// `device_key`, `device_name`, `confirm_device` (default `True`), `client_metadata` (a `dict`),
/// `totp_issuer`. `None` means not given.
fn builder(pool: &UserPool, options: Option<&Bound<'_, PyDict>>) -> PyResult<SignInBuilder> {
    let mut flow = CoreSignIn::builder(&pool.0);
    let Some(options) = options else {
        return Ok(flow);
    };
    let (mut device, mut device_key) = (None, None);
    for (name, value) in options.iter() {
        let name: String = name.extract()?;
        if value.is_none() {
            continue;
        }
        match name.as_str() {
            "device" => device = Some(value.cast::<DeviceCredentials>()?.get().0.clone()),
            "device_key" => device_key = Some(value.extract::<String>()?),
            "device_name" => flow = flow.with_device_name(value.extract::<String>()?),
            "confirm_device" => {
                if !value.extract::<bool>()? {
                    flow = flow.without_device_confirmation();
                }
            }
            "client_metadata" => {
                flow = flow.with_client_metadata(value.extract::<BTreeMap<String, String>>()?);
            }
            "totp_issuer" => flow = flow.with_totp_issuer(value.extract::<String>()?),
            "context" => flow = flow.with_context(value.cast::<Context>()?.get().0.clone()),
            other => {
                return Err(invalid_argument(format!(
                    "unknown sign-in option {other:?} (device, device_key, device_name, \
                     confirm_device, client_metadata, totp_issuer, context)"
                )));
            }
        }
    }
    flow = match (device, device_key) {
        (Some(device), _) => flow.with_device(device),
        (None, Some(key)) => flow.with_device_key(key),
        (None, None) => flow,
    };
    Ok(flow)
}

flow_methods!(
    SignIn,
    |py, out| Ok(Py::new(py, SignedIn::new(py, out)?)?.into_any()),
    {}
);

// A second `#[pymethods]` block (PyO3's `multiple-pymethods`): `**options` does not survive
// being passed through `flow_methods!`.
#[pymethods]
impl SignIn {
    /// Secure Remote Password sign-in (`USER_SRP_AUTH`): the password never leaves this
    /// process. `entropy`: 32 random bytes (`os.urandom(32)`). Keyword options: `device`,
    /// `device_key`, `device_name`, `confirm_device`, `client_metadata`, `totp_issuer`.
    #[staticmethod]
    #[pyo3(signature = (pool, username, password, entropy, **options))]
    fn user_srp(
        pool: &UserPool,
        username: &str,
        password: String,
        entropy: &[u8],
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let entropy = crate::values::entropy(entropy)?;
        Ok(Self::of(
            builder(pool, options)?.user_srp(username, password, entropy),
        ))
    }

    /// Plain password sign-in (`USER_PASSWORD_AUTH`): the password goes to Cognito over TLS.
    /// The options of `user_srp`.
    #[staticmethod]
    #[pyo3(signature = (pool, username, password, entropy, **options))]
    fn user_password(
        pool: &UserPool,
        username: &str,
        password: String,
        entropy: &[u8],
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let entropy = crate::values::entropy(entropy)?;
        Ok(Self::of(
            builder(pool, options)?.user_password(username, password, entropy),
        ))
    }

    /// Custom authentication (`CUSTOM_AUTH`): each of the triggers' challenges is a
    /// `custom_challenge` prompt. With `password`, it starts with SRP (`CHALLENGE_NAME=SRP_A`).
    /// The options of `user_srp`.
    #[staticmethod]
    #[pyo3(signature = (pool, username, entropy, *, password=None, **options))]
    fn custom(
        pool: &UserPool,
        username: &str,
        entropy: &[u8],
        password: Option<String>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let entropy = crate::values::entropy(entropy)?;
        let builder = builder(pool, options)?;
        Ok(Self::of(match password {
            Some(password) => builder.custom_with_srp(username, password, entropy),
            None => builder.custom(username, entropy),
        }))
    }

    /// Choice-based sign-in (`USER_AUTH`). `preferred`: `PASSWORD`, `PASSWORD_SRP` (both need
    /// `password`), `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`, or `None` to let Cognito offer the
    /// choice (a `select_challenge` prompt). The options of `user_srp`.
    #[staticmethod]
    #[pyo3(signature = (pool, username, entropy, *, preferred=None, password=None, **options))]
    fn user_auth(
        pool: &UserPool,
        username: &str,
        entropy: &[u8],
        preferred: Option<&str>,
        password: Option<String>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let need_password = |password: Option<String>| {
            password
                .map(Password::new)
                .ok_or_else(|| invalid_argument("this preferred challenge needs a password"))
        };
        let first = match preferred {
            None => FirstFactor::Select,
            Some("PASSWORD") => FirstFactor::Password(need_password(password)?),
            Some("PASSWORD_SRP") => FirstFactor::PasswordSrp(need_password(password)?),
            Some("EMAIL_OTP") => FirstFactor::EmailOtp,
            Some("SMS_OTP") => FirstFactor::SmsOtp,
            Some("WEB_AUTHN") => FirstFactor::WebAuthn,
            Some(other) => {
                return Err(invalid_argument(format!(
                    "{other:?} is not PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP or WEB_AUTHN"
                )));
            }
        };
        let entropy = crate::values::entropy(entropy)?;
        Ok(Self::of(
            builder(pool, options)?.user_auth(username, first, entropy),
        ))
    }

    /// The `USER_AUTH` sign-in that follows a `confirm_sign_up` which returned a `Session`.
    #[staticmethod]
    fn after_sign_up(
        pool: &UserPool,
        username: &str,
        session: &Bound<'_, PyAny>,
        entropy: &[u8],
    ) -> PyResult<Self> {
        let session = match session.cast::<Secret>() {
            Ok(secret) => secret.get().0.clone(),
            Err(_) => SecretString::new(session.extract::<String>()?),
        };
        let entropy = crate::values::entropy(entropy)?;
        Ok(Self::of(CoreSignIn::after_sign_up(
            &pool.0, username, session, entropy,
        )))
    }

    /// New id and access tokens from a refresh token (`REFRESH_TOKEN_AUTH`). `username`: the
    /// name Cognito knows the user by (`Tokens.username`). With `device` (or `device_key`),
    /// `DEVICE_KEY` is sent, and a device Cognito forgot is dropped
    /// (`SignedIn.forgotten_device`).
    #[staticmethod]
    #[pyo3(signature = (pool, username, refresh_token, entropy, **options))]
    fn refresh(
        pool: &UserPool,
        username: &str,
        refresh_token: String,
        entropy: &[u8],
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let entropy = crate::values::entropy(entropy)?;
        let token = SecretString::new(refresh_token);
        Ok(Self::of(
            builder(pool, options)?.refresh(username, token, entropy),
        ))
    }
}

/// Forgot password: `ForgotPassword` sends the code, a `password_reset` prompt takes it and the
/// new password (`Input.password_reset`), or `Input.resend_code()`. Done with `None`.
#[pyclass(module = "cognito_flows")]
pub struct ForgotPassword(CoreForgotPassword);

flow_methods!(ForgotPassword, |py, ()| Ok(py.None()), {
    #[new]
    #[pyo3(signature = (pool, username, *, client_metadata=None, context=None))]
    fn new(
        pool: &UserPool,
        username: &str,
        client_metadata: Option<BTreeMap<String, String>>,
        context: Option<&Context>,
    ) -> Self {
        let mut flow = CoreForgotPassword::new(&pool.0, username);
        if let Some(metadata) = client_metadata {
            flow = flow.with_client_metadata(metadata);
        }
        if let Some(context) = context {
            flow = flow.with_context(context.0.clone());
        }
        Self(flow)
    }
});

/// Fields of Cognito's answers that are secrets: given to Python as `Secret`.
const SECRET_FIELDS: &[&str] = &[
    "SecretCode",
    "Session",
    "AccessToken",
    "IdToken",
    "RefreshToken",
];

fn answer_to_py(py: Python<'_>, value: &serde_json::Value) -> PyResult<Py<PyAny>> {
    let object = json_to_py(py, value)?;
    if let Ok(dict) = object.bind(py).cast::<PyDict>() {
        for field in SECRET_FIELDS {
            if let Some(v) = dict.get_item(field)?
                && let Ok(text) = v.extract::<String>()
            {
                dict.set_item(field, Secret(SecretString::new(text)))?;
            }
        }
    }
    Ok(object)
}

/// A single Cognito call, whatever its answer type, as one Python class.
trait AnyCall: Send + Sync {
    fn poll(&self) -> Action<()>;
    fn handle_response(
        &mut self,
        now: std::time::SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<(), Error>;
    fn handle_input(&mut self, input: CoreInput) -> Result<(), Error>;
    /// The same call carrying `context` (the fields its operation takes).
    fn with_context(self: Box<Self>, context: &CoreContext) -> Box<dyn AnyCall>;
}

/// What a `Call` holds while its request is rebuilt with a context: nothing to do.
struct Rebuilding;

impl AnyCall for Rebuilding {
    fn poll(&self) -> Action<()> {
        Action::Failed(Misuse::InvalidInput("the call is being rebuilt".into()).into())
    }

    fn handle_response(
        &mut self,
        _: std::time::SystemTime,
        _: http::Response<Vec<u8>>,
    ) -> Result<(), Error> {
        Err(Misuse::InvalidInput("the call is being rebuilt".into()).into())
    }

    fn handle_input(&mut self, _: CoreInput) -> Result<(), Error> {
        Err(Misuse::InvalidInput("the call is being rebuilt".into()).into())
    }

    fn with_context(self: Box<Self>, _: &CoreContext) -> Box<dyn AnyCall> {
        self
    }
}

impl<T: DeserializeOwned + Clone + Send + Sync + 'static> AnyCall for CoreCall<T> {
    fn poll(&self) -> Action<()> {
        match Flow::poll_action(self) {
            Action::Send(request) => Action::Send(request),
            Action::Prompt(prompt) => Action::Prompt(prompt),
            Action::Done(_) => Action::Done(()),
            Action::Failed(error) => Action::Failed(error),
            Action::Wait(delay) => Action::Wait(delay),
        }
    }

    fn handle_response(
        &mut self,
        now: std::time::SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<(), Error> {
        Flow::handle_response(self, now, response)
    }

    fn handle_input(&mut self, input: CoreInput) -> Result<(), Error> {
        Flow::handle_input(self, input)
    }

    fn with_context(self: Box<Self>, context: &CoreContext) -> Box<dyn AnyCall> {
        Box::new((*self).with_context(context))
    }
}

/// One account call (`get_user`, `change_password`, ...), as a flow. Done with Cognito's
/// answer as a `dict` (PascalCase keys, as boto3 gives them; secrets as `Secret`).
#[pyclass(module = "cognito_flows")]
pub struct Call {
    call: Box<dyn AnyCall>,
    operation: String,
    answer: Option<serde_json::Value>,
}

impl Call {
    pub(crate) fn new<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        call: CoreCall<T>,
    ) -> Self {
        Self {
            operation: call.operation().to_string(),
            call: Box::new(call),
            answer: None,
        }
    }
}

#[pymethods]
impl Call {
    /// The one pending action: `Request`, `Done` or `Failed`.
    fn poll_action(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        action(py, self.call.poll(), |py, ()| match &self.answer {
            Some(answer) => answer_to_py(py, answer),
            None => Ok(PyDict::new(py).into_any().unbind()),
        })
    }

    /// Cognito's answer, received at `now`. Raises the call's error.
    fn handle_response(
        &mut self,
        py: Python<'_>,
        now: f64,
        status: u16,
        headers: &Bound<'_, PyAny>,
        body: &[u8],
    ) -> PyResult<()> {
        let now = system_time(now)?;
        let response = response(status, headers, body)?;
        raise(py, self.call.handle_response(now, response))?;
        // The core has checked the answer; Python gets it as JSON.
        self.answer = serde_json::from_slice(body).ok();
        Ok(())
    }

    /// A call asks nothing: this always raises `MisuseError`.
    fn handle_input(&mut self, py: Python<'_>, input: &Input) -> PyResult<()> {
        raise(py, self.call.handle_input(input.0.clone()))
    }

    /// Sends `context` (`ClientMetadata`, `AnalyticsMetadata`, `UserContextData`: the fields
    /// this operation takes) with the call. Returns the call, for chaining.
    fn with_context<'py>(mut slf: PyRefMut<'py, Self>, context: &Context) -> PyRefMut<'py, Self> {
        let call = std::mem::replace(&mut slf.call, Box::new(Rebuilding));
        slf.call = call.with_context(&context.0);
        slf
    }

    /// The operation, e.g. `GetUser`.
    #[getter]
    fn operation(&self) -> &str {
        &self.operation
    }

    fn __repr__(&self) -> String {
        format!("Call({})", self.operation)
    }
}

/// What a Python `TokenCall` ends in: the core's typed outcome of each kind of call.
pub(crate) enum TokenOutcome {
    Tokens(Box<cognito_flows::Tokens>),
    Revoked,
    UserInfo(UserInfo),
    Machine(Box<cognito_flows::MachineToken>),
}

fn token_outcome(py: Python<'_>, outcome: TokenOutcome) -> PyResult<Py<PyAny>> {
    Ok(match outcome {
        TokenOutcome::Tokens(tokens) => Py::new(py, OAuthTokens(*tokens))?.into_any(),
        TokenOutcome::Revoked => py.None(),
        TokenOutcome::UserInfo(claims) => json_to_py(py, &serde_json::Value::Object(claims))?,
        TokenOutcome::Machine(token) => {
            Py::new(py, crate::values::MachineToken(*token))?.into_any()
        }
    })
}

/// The action of a typed call, its outcome converted.
fn map_done<O, P>(action: Action<O>, done: impl FnOnce(O) -> P) -> Action<P> {
    match action {
        Action::Send(request) => Action::Send(request),
        Action::Wait(delay) => Action::Wait(delay),
        Action::Prompt(prompt) => Action::Prompt(prompt),
        Action::Done(outcome) => Action::Done(done(outcome)),
        Action::Failed(error) => Action::Failed(error),
    }
}

/// The four kinds of OAuth call, behind the one Python class.
pub(crate) enum AnyTokenCall {
    Tokens(Box<CoreTokenCall<cognito_flows::Tokens>>),
    Revoke(CoreTokenCall<Revoked>),
    UserInfo(CoreTokenCall<UserInfo>),
    Machine(Box<CoreTokenCall<cognito_flows::MachineToken>>),
}

impl Flow for AnyTokenCall {
    type Output = TokenOutcome;

    fn poll_action(&self) -> Action<TokenOutcome> {
        match self {
            Self::Tokens(call) => {
                map_done(call.poll_action(), |t| TokenOutcome::Tokens(Box::new(t)))
            }
            Self::Revoke(call) => map_done(call.poll_action(), |Revoked| TokenOutcome::Revoked),
            Self::UserInfo(call) => map_done(call.poll_action(), TokenOutcome::UserInfo),
            Self::Machine(call) => {
                map_done(call.poll_action(), |t| TokenOutcome::Machine(Box::new(t)))
            }
        }
    }

    fn handle_response(
        &mut self,
        now: std::time::SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<(), Error> {
        match self {
            Self::Tokens(call) => call.handle_response(now, response),
            Self::Revoke(call) => call.handle_response(now, response),
            Self::UserInfo(call) => call.handle_response(now, response),
            Self::Machine(call) => call.handle_response(now, response),
        }
    }

    fn handle_input(&mut self, input: CoreInput) -> Result<(), Error> {
        match self {
            Self::Tokens(call) => call.handle_input(input),
            Self::Revoke(call) => call.handle_input(input),
            Self::UserInfo(call) => call.handle_input(input),
            Self::Machine(call) => call.handle_input(input),
        }
    }

    fn resend(&self) -> cognito_flows::flows::Resend {
        match self {
            Self::Tokens(call) => call.resend(),
            Self::Revoke(call) => call.resend(),
            Self::UserInfo(call) => call.resend(),
            Self::Machine(call) => call.resend(),
        }
    }
}

/// The hosted UI sign-in (authorization code + PKCE): an `authorize` prompt with the URL to
/// open, then `Input.callback(url)`, then the token request. Done with `OAuthTokens`.
#[pyclass(module = "cognito_flows")]
pub struct Authorize(pub(crate) CoreAuthorize);

flow_methods!(
    Authorize,
    |py, o| Ok(Py::new(py, OAuthTokens(o))?.into_any()),
    {
        /// The `/oauth2/authorize` URL.
        #[getter]
        fn url(&self) -> String {
            self.0.url()
        }

        /// The `nonce` sent: the id token must carry it.
        #[getter]
        fn nonce(&self) -> &str {
            self.0.nonce()
        }
    }
);

/// One request to the OAuth endpoints (refresh, revoke, userInfo, client credentials). Done
/// with `OAuthTokens`, `None` (revoked), the userInfo claims (`dict`) or a `MachineToken`.
#[pyclass(module = "cognito_flows")]
pub struct TokenCall(pub(crate) AnyTokenCall);

flow_methods!(TokenCall, token_outcome, {});
