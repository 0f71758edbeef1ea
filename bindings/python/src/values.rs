//! The values that cross the boundary: requests, prompts, inputs, actions and outcomes. Every
//! class holding a secret prints it as `[redacted]`.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_flows::flows::hosted_ui::OAuthTokens as CoreOAuthTokens;
use cognito_flows::tokens::{Claims, Jwt};
use cognito_flows::wire::{AnalyticsMetadata, Context as CoreContext, UserContextData};
use cognito_flows::{
    CodeDelivery, DeviceCredentials as CoreDevice, Entropy, Error, Input as CoreInput, MfaMethod,
    Password, Prompt as CorePrompt, PromptKind, SecretString, SignedIn as CoreSignedIn,
    Tokens as CoreTokens, UserAgent as CoreUserAgent,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::errors::{invalid_argument, to_py};

/// `now` as Python gives it (`time.time()`: seconds since the epoch) to a `SystemTime`.
pub(crate) fn system_time(now: f64) -> PyResult<SystemTime> {
    if !now.is_finite() || now < 0.0 {
        return Err(invalid_argument(
            "now must be seconds since the epoch (time.time())",
        ));
    }
    Duration::try_from_secs_f64(now)
        .ok()
        .and_then(|d| UNIX_EPOCH.checked_add(d))
        .ok_or_else(|| invalid_argument("now is out of range"))
}

/// A `SystemTime` as seconds since the epoch.
pub(crate) fn seconds(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// 32 bytes of entropy (the convenience layer passes `os.urandom(32)`).
pub(crate) fn entropy(bytes: &[u8]) -> PyResult<Entropy> {
    let seed: [u8; 32] = bytes
        .try_into()
        .map_err(|_| invalid_argument(format!("entropy must be 32 bytes, not {}", bytes.len())))?;
    Ok(Entropy::from(seed))
}

/// Converts a JSON value to the Python object `json.loads` would give.
pub(crate) fn json_to_py(py: Python<'_>, value: &serde_json::Value) -> PyResult<Py<PyAny>> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => py.None(),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any().unbind(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any().unbind(),
            _ => n
                .as_f64()
                .unwrap_or(f64::NAN)
                .into_pyobject(py)?
                .into_any()
                .unbind(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any().unbind(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any().unbind()
        }
    })
}

fn claims_dict(py: Python<'_>, claims: &Claims) -> PyResult<Py<PyAny>> {
    json_to_py(py, &serde_json::Value::Object(claims.as_map().clone()))
}

fn map_dict(py: Python<'_>, map: &BTreeMap<String, String>) -> PyResult<Py<PyAny>> {
    Ok(map.clone().into_pyobject(py)?.into_any().unbind())
}

/// A Python `str` literal of `text` (quoted as `repr()` would), for the classes' `repr()`.
pub(crate) fn py_str(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '\\' => vec!['\\', '\\'],
            '\'' => vec!['\\', '\''],
            c if c.is_control() => c.escape_unicode().collect(),
            c => vec![c],
        })
        .collect();
    format!("'{escaped}'")
}

/// `True` or `False`.
pub(crate) fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// `text` quoted as Python would, or `None`.
pub(crate) fn py_opt_str(text: Option<&str>) -> String {
    text.map_or_else(|| "None".to_owned(), py_str)
}

/// A list of strings as Python prints it.
pub(crate) fn py_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| py_str(s)).collect();
    format!("[{}]", items.join(", "))
}

/// A secret string: `repr()` and `str()` print `Secret([redacted])`; `expose()` gives the value.
#[pyclass(module = "cognito_flows", frozen)]
pub struct Secret(pub(crate) SecretString);

#[pymethods]
impl Secret {
    #[new]
    fn new(value: String) -> Self {
        Self(SecretString::new(value))
    }

    /// The value. Don't log it.
    fn expose(&self) -> &str {
        self.0.expose()
    }

    fn __repr__(&self) -> &'static str {
        "Secret([redacted])"
    }

    fn __str__(&self) -> &'static str {
        "Secret([redacted])"
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

/// The metadata trio sent with a sign-in, a password reset or an account call: `ClientMetadata`
/// (for the Lambda triggers), the Pinpoint `AnalyticsEndpointId`, and the user's IP address and
/// fingerprint for threat protection (`UserContextData`). Each request carries the fields its
/// operation takes. `repr()` names the fields given, not their values.
#[pyclass(module = "cognito_flows", frozen)]
pub struct Context(pub(crate) CoreContext);

#[pymethods]
impl Context {
    #[new]
    #[pyo3(signature = (*, client_metadata=None, analytics_endpoint_id=None, ip_address=None,
        encoded_data=None))]
    fn new(
        client_metadata: Option<BTreeMap<String, String>>,
        analytics_endpoint_id: Option<String>,
        ip_address: Option<String>,
        encoded_data: Option<String>,
    ) -> Self {
        let user_context_data =
            (ip_address.is_some() || encoded_data.is_some()).then_some(UserContextData {
                encoded_data,
                ip_address,
            });
        Self(CoreContext {
            client_metadata,
            analytics_metadata: analytics_endpoint_id.map(|id| AnalyticsMetadata {
                analytics_endpoint_id: Some(id),
            }),
            user_context_data,
        })
    }

    fn __repr__(&self) -> String {
        let mut given = Vec::new();
        if self.0.client_metadata.is_some() {
            given.push("client_metadata");
        }
        if self.0.analytics_metadata.is_some() {
            given.push("analytics_endpoint_id");
        }
        if let Some(data) = &self.0.user_context_data {
            if data.ip_address.is_some() {
                given.push("ip_address");
            }
            if data.encoded_data.is_some() {
                given.push("encoded_data");
            }
        }
        format!("Context({})", given.join(", "))
    }
}

const USER_AGENT_HEADER: &str = "x-amz-user-agent";

/// The `x-amz-user-agent` of every request: `cognito-flows/<version>` and what `append` adds
/// (the JS SDK's `appendToCognitoUserAgent`); printable ASCII only.
#[pyclass(module = "cognito_flows", frozen)]
#[derive(Clone, Default)]
pub struct UserAgent(pub(crate) CoreUserAgent);

#[pymethods]
impl UserAgent {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// This user agent with `part` after it (`"my-app/2.1"`). Raises `InvalidArgumentError`
    /// for anything but printable ASCII.
    fn append(&self, part: &str) -> PyResult<Self> {
        self.0
            .clone()
            .append(part)
            .map(Self)
            .map_err(|e| invalid_argument(e.to_string()))
    }

    fn __str__(&self) -> &str {
        self.0.as_str()
    }

    fn __repr__(&self) -> String {
        format!("UserAgent({})", py_str(self.0.as_str()))
    }
}

/// `Action`: send this request, give the answer to `handle_response`.
#[pyclass(module = "cognito_flows", frozen, get_all)]
pub struct Request {
    /// `POST`, `GET`.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The headers, in the order to send them.
    pub headers: Vec<(String, String)>,
    body: Py<PyBytes>,
}

impl Request {
    pub(crate) fn new(py: Python<'_>, request: &http::Request<Vec<u8>>) -> PyResult<Self> {
        let mut headers = Vec::new();
        for (name, value) in request.headers() {
            let value = value
                .to_str()
                .map_err(|_| invalid_argument("a header the core built is not text"))?;
            headers.push((name.as_str().to_owned(), value.to_owned()));
        }
        Ok(Self {
            method: request.method().as_str().to_owned(),
            url: request.uri().to_string(),
            headers,
            body: PyBytes::new(py, request.body()).unbind(),
        })
    }
}

#[pymethods]
impl Request {
    /// The body (it may hold passwords and tokens: don't log it).
    #[getter]
    fn body(&self, py: Python<'_>) -> Py<PyBytes> {
        self.body.clone_ref(py)
    }

    /// The same request carrying `user_agent` as its `x-amz-user-agent` (what the clients
    /// send with every request of a flow, as the Rust adapters do).
    fn with_user_agent(&self, py: Python<'_>, user_agent: &UserAgent) -> Self {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case(USER_AGENT_HEADER))
            .cloned()
            .collect();
        headers.push((
            USER_AGENT_HEADER.to_owned(),
            user_agent.0.as_str().to_owned(),
        ));
        Self {
            method: self.method.clone(),
            url: self.url.clone(),
            headers,
            body: self.body.clone_ref(py),
        }
    }

    /// The value of a header, by case-insensitive name.
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let target = self
            .header("x-amz-target")
            .map(|t| format!(" {t}"))
            .unwrap_or_default();
        format!(
            "Request({} {}{}, body=[{} bytes])",
            self.method,
            self.url,
            target,
            self.body.as_bytes(py).len()
        )
    }
}

/// `Action`: wait this long, then poll again (a retry the core decided on).
#[pyclass(module = "cognito_flows", frozen, get_all)]
pub struct Wait {
    /// Seconds to wait.
    pub seconds: f64,
}

#[pymethods]
impl Wait {
    fn __repr__(&self) -> String {
        format!("Wait({} s)", self.seconds)
    }
}

/// `Action`: the flow has finished; `outcome` is its result.
#[pyclass(module = "cognito_flows", frozen, get_all)]
pub struct Done {
    /// The result: a `SignedIn`, `OAuthTokens`, a `dict`, or `None`.
    pub outcome: Py<PyAny>,
}

#[pymethods]
impl Done {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Done({})", self.outcome.bind(py).repr()?))
    }
}

/// `Action`: the flow has failed for good; `error` is the exception (raise it).
#[pyclass(module = "cognito_flows", frozen, get_all)]
pub struct Failed {
    /// The exception, an instance of a `CognitoError` subclass.
    pub error: Py<PyAny>,
}

#[pymethods]
impl Failed {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Failed({})", self.error.bind(py).repr()?))
    }
}

fn mfa_name(method: &MfaMethod) -> String {
    method.challenge_name().to_owned()
}

fn delivery_dict(py: Python<'_>, delivery: &CodeDelivery) -> PyResult<Py<PyAny>> {
    let dict = PyDict::new(py);
    dict.set_item("destination", delivery.destination.clone())?;
    dict.set_item("medium", delivery.medium.clone())?;
    Ok(dict.into_any().unbind())
}

/// `Action`: a question only the user can answer. `kind` says which; answer with the `Input`
/// its documentation names. The other attributes are `None` unless the kind has them.
#[pyclass(module = "cognito_flows", frozen)]
#[derive(Default)]
pub struct Prompt {
    /// `challenge`, `sms_mfa_code`, `email_otp_code`, `sms_otp_code`, `totp_code`,
    /// `select_mfa`, `select_mfa_setup`, `totp_setup`, `email_mfa_setup`, `new_password`,
    /// `custom_challenge`, `select_challenge`, `web_authn`, `authorize`, `password_reset`,
    /// `remember_device`.
    #[pyo3(get)]
    pub kind: String,
    /// The exception of the previous answer, when the user may try again.
    #[pyo3(get)]
    pub error: Option<Py<PyAny>>,
    /// Where a code went: `{"destination": ..., "medium": ...}`.
    #[pyo3(get)]
    pub delivery: Option<Py<PyAny>>,
    /// The challenge's name (`challenge`).
    #[pyo3(get)]
    pub name: Option<String>,
    /// The challenge's parameters, untouched (`challenge`, `custom_challenge`).
    #[pyo3(get)]
    pub parameters: Option<Py<PyAny>>,
    /// The authenticator's name (`totp_code`).
    #[pyo3(get)]
    pub device_name: Option<String>,
    /// The MFA methods to choose from (`select_mfa`, `select_mfa_setup`), e.g.
    /// `SOFTWARE_TOKEN_MFA`; or the sign-in methods (`select_challenge`).
    #[pyo3(get)]
    pub options: Option<Vec<String>>,
    /// The user's attributes (`new_password`).
    #[pyo3(get)]
    pub user_attributes: Option<Py<PyAny>>,
    /// The attributes the user must give (`new_password`).
    #[pyo3(get)]
    pub required_attributes: Option<Vec<String>>,
    /// `CREDENTIAL_REQUEST_OPTIONS` JSON (`web_authn`).
    #[pyo3(get)]
    pub credential_request_options: Option<String>,
    /// The URL to open in a browser (`authorize`).
    #[pyo3(get)]
    pub url: Option<String>,
    /// The device's key (`remember_device`).
    #[pyo3(get)]
    pub device_key: Option<String>,
    secret: Option<SecretString>,
    uri: Option<SecretString>,
}

#[pymethods]
impl Prompt {
    /// The TOTP secret to show (`totp_setup`). Don't log it.
    #[getter]
    fn secret(&self) -> Option<&str> {
        self.secret.as_ref().map(SecretString::expose)
    }

    /// The `otpauth://` URI for a QR code (`totp_setup`). Don't log it.
    #[getter]
    fn uri(&self) -> Option<&str> {
        self.uri.as_ref().map(SecretString::expose)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut parts = vec![self.kind.clone()];
        if let Some(options) = &self.options {
            parts.push(format!("options={}", py_list(options)));
        }
        if let Some(error) = &self.error {
            parts.push(format!("error={}", error.bind(py).repr()?));
        }
        if self.secret.is_some() {
            parts.push("secret=[redacted]".into());
        }
        Ok(format!("Prompt({})", parts.join(", ")))
    }
}

impl Prompt {
    pub(crate) fn new(py: Python<'_>, prompt: &CorePrompt) -> PyResult<Self> {
        let error = prompt.error().map(|e| {
            to_py(py, &Error::Service(e.clone()))
                .into_value(py)
                .into_any()
        });
        let base = || Self {
            kind: prompt.prompt_kind().name().to_owned(),
            error: error.as_ref().map(|e| e.clone_ref(py)),
            ..Self::default()
        };
        Ok(match prompt {
            CorePrompt::Challenge {
                name, parameters, ..
            } => Self {
                name: Some(name.clone()),
                parameters: Some(map_dict(py, parameters)?),
                ..base()
            },
            CorePrompt::SmsMfaCode { delivery, .. } => Self {
                delivery: Some(delivery_dict(py, delivery)?),
                ..base()
            },
            CorePrompt::EmailOtpCode { delivery, .. } => Self {
                delivery: Some(delivery_dict(py, delivery)?),
                ..base()
            },
            CorePrompt::SmsOtpCode { delivery, .. } => Self {
                delivery: Some(delivery_dict(py, delivery)?),
                ..base()
            },
            CorePrompt::TotpCode { device_name, .. } => Self {
                device_name: device_name.clone(),
                ..base()
            },
            CorePrompt::SelectMfa { options } => Self {
                options: Some(options.iter().map(mfa_name).collect()),
                ..base()
            },
            CorePrompt::SelectMfaSetup { options } => Self {
                options: Some(options.iter().map(mfa_name).collect()),
                ..base()
            },
            CorePrompt::TotpSetup { setup, .. } => Self {
                secret: Some(setup.secret.clone()),
                uri: Some(setup.uri.clone()),
                ..base()
            },
            CorePrompt::EmailMfaSetup { .. } => base(),
            CorePrompt::NewPassword {
                user_attributes,
                required_attributes,
                ..
            } => Self {
                user_attributes: Some(map_dict(py, user_attributes)?),
                required_attributes: Some(required_attributes.clone()),
                ..base()
            },
            CorePrompt::CustomChallenge { parameters, .. } => Self {
                parameters: Some(map_dict(py, parameters)?),
                ..base()
            },
            CorePrompt::SelectChallenge { available } => Self {
                options: Some(available.clone()),
                ..base()
            },
            CorePrompt::WebAuthn {
                credential_request_options,
            } => Self {
                credential_request_options: Some(credential_request_options.clone()),
                ..base()
            },
            CorePrompt::Authorize { url } => Self {
                url: Some(url.clone()),
                ..base()
            },
            CorePrompt::PasswordReset { delivery, .. } => Self {
                delivery: Some(delivery_dict(py, delivery)?),
                ..base()
            },
            CorePrompt::RememberDevice { device_key } => Self {
                device_key: Some(device_key.clone()),
                ..base()
            },
        })
    }
}

/// Every `Prompt.kind`, one per prompt of the core (`cognito_flows.PROMPT_KINDS`): the core's
/// `PromptKind::ALL`, so the list cannot drift; the parity test checks the stubs against it.
pub(crate) fn prompt_kinds() -> Vec<&'static str> {
    PromptKind::ALL.iter().map(|kind| kind.name()).collect()
}

/// The user's answer to a `Prompt`. Build one with the static methods; `repr()` names only
/// which answer it is.
#[pyclass(module = "cognito_flows", frozen)]
pub struct Input(pub(crate) CoreInput);

#[pymethods]
impl Input {
    /// A code: SMS, email or TOTP (`sms_mfa_code`, `email_otp_code`, `sms_otp_code`,
    /// `totp_code`).
    #[staticmethod]
    fn code(code: String) -> Self {
        Self(CoreInput::Code(SecretString::new(code)))
    }

    /// Raw `ChallengeResponses` for `challenge` (the flow adds `USERNAME` and `SECRET_HASH`).
    #[staticmethod]
    fn challenge(responses: BTreeMap<String, String>) -> Self {
        Self(CoreInput::Challenge(responses))
    }

    /// An MFA method for `select_mfa` / `select_mfa_setup`, e.g. `SOFTWARE_TOKEN_MFA`.
    #[staticmethod]
    fn select_mfa(method: &str) -> Self {
        Self(CoreInput::SelectMfa(MfaMethod::from_name(method)))
    }

    /// The authenticator's current code, for `totp_setup`.
    #[staticmethod]
    #[pyo3(signature = (code, device_name=None))]
    fn totp_setup(code: String, device_name: Option<String>) -> Self {
        Self(CoreInput::TotpSetup {
            code: SecretString::new(code),
            device_name,
        })
    }

    /// The email address for `email_mfa_setup`.
    #[staticmethod]
    fn email(address: String) -> Self {
        Self(CoreInput::Email(address))
    }

    /// The new password and attributes to set, for `new_password`.
    #[staticmethod]
    #[pyo3(signature = (password, attributes=None))]
    fn new_password(password: String, attributes: Option<BTreeMap<String, String>>) -> Self {
        Self(CoreInput::NewPassword {
            password: Password::new(password),
            attributes: attributes.unwrap_or_default(),
        })
    }

    /// The answer to `custom_challenge`.
    #[staticmethod]
    fn answer(answer: String) -> Self {
        Self(CoreInput::Answer(SecretString::new(answer)))
    }

    /// The sign-in method for `select_challenge`, with the password for `PASSWORD` and
    /// `PASSWORD_SRP`.
    #[staticmethod]
    #[pyo3(signature = (challenge, password=None))]
    fn select_challenge(challenge: String, password: Option<String>) -> Self {
        Self(CoreInput::SelectChallenge {
            challenge,
            password: password.map(Password::new),
        })
    }

    /// The authenticator's `PublicKeyCredential` as JSON, for `web_authn`.
    #[staticmethod]
    fn web_authn_credential(credential: String) -> Self {
        Self(CoreInput::WebAuthnCredential(credential))
    }

    /// Whether to remember the device, for `remember_device`.
    #[staticmethod]
    fn remember_device(remember: bool) -> Self {
        Self(CoreInput::RememberDevice(remember))
    }

    /// The code and the new password, for `password_reset`.
    #[staticmethod]
    fn password_reset(code: String, password: String) -> Self {
        Self(CoreInput::PasswordReset {
            code: SecretString::new(code),
            password: Password::new(password),
        })
    }

    /// Ask for a new code (`password_reset`).
    #[staticmethod]
    fn resend_code() -> Self {
        Self(CoreInput::ResendCode)
    }

    /// The URL the hosted UI redirected the browser to, for `authorize`.
    #[staticmethod]
    fn callback(url: String) -> Self {
        Self(CoreInput::Callback(url))
    }

    fn __repr__(&self) -> String {
        format!("Input({})", self.0.kind())
    }
}

/// A confirmed device's credentials: persist them (they are secrets) to sign in as this device.
#[pyclass(module = "cognito_flows", frozen)]
#[derive(Clone)]
pub struct DeviceCredentials(pub(crate) CoreDevice);

#[pymethods]
impl DeviceCredentials {
    #[new]
    fn new(device_key: String, device_group_key: String, password: String) -> Self {
        Self(CoreDevice {
            device_key,
            device_group_key,
            password: SecretString::new(password),
        })
    }

    /// `DeviceKey`.
    #[getter]
    fn device_key(&self) -> &str {
        &self.0.device_key
    }

    /// `DeviceGroupKey`.
    #[getter]
    fn device_group_key(&self) -> &str {
        &self.0.device_group_key
    }

    /// The device's random password. Don't log it.
    #[getter]
    fn password(&self) -> &str {
        self.0.password.expose()
    }

    fn __repr__(&self) -> String {
        format!(
            "DeviceCredentials(device_key={}, device_group_key={}, password=[redacted])",
            py_str(&self.0.device_key),
            py_str(&self.0.device_group_key)
        )
    }
}

/// The tokens of a sign-in. `repr()` redacts them; `to_json()` writes them in full (persist it
/// where secrets belong).
#[pyclass(module = "cognito_flows", frozen)]
#[derive(Clone)]
pub struct Tokens(pub(crate) CoreTokens);

#[pymethods]
impl Tokens {
    /// Reads what `to_json()` wrote.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text)
            .map(Self)
            .map_err(|e| invalid_argument(format!("not stored tokens: {e}")))
    }

    /// The tokens as JSON, secrets included.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.0).map_err(|e| invalid_argument(e.to_string()))
    }

    /// The id token (a JWT), or `None` for hosted-UI tokens asked without the `openid` scope.
    /// Don't log it.
    #[getter]
    fn id_token(&self) -> Option<&str> {
        self.0.id_token.as_ref().map(|jwt| jwt.expose())
    }

    /// The access token (a JWT), for account calls and your APIs. Don't log it.
    #[getter]
    fn access_token(&self) -> &str {
        self.0.access_token.expose()
    }

    /// The refresh token. Don't log it.
    #[getter]
    fn refresh_token(&self) -> Option<&str> {
        self.0.refresh_token.as_ref().map(SecretString::expose)
    }

    /// The id token's claims (decoded, not verified), or `None` without an id token.
    #[getter]
    fn id_claims(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.0
            .id_token
            .as_ref()
            .map(|jwt| claims_dict(py, jwt.claims()))
            .transpose()
    }

    /// The access token's claims (decoded, not verified).
    #[getter]
    fn access_claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        claims_dict(py, self.0.access_token.claims())
    }

    /// The name Cognito knows the user by (the access token's `username`).
    #[getter]
    fn username(&self) -> Option<&str> {
        self.0.username()
    }

    /// `ExpiresIn`, seconds.
    #[getter]
    fn expires_in(&self) -> Option<i64> {
        self.0.expires_in
    }

    /// When the first token expires, seconds since the epoch, in this machine's clock.
    #[getter]
    fn expires_at(&self) -> f64 {
        seconds(self.0.expires_at())
    }

    /// Whether both tokens are still valid at `now` (seconds since the epoch).
    fn is_valid(&self, now: f64) -> PyResult<bool> {
        Ok(self.0.is_valid(system_time(now)?))
    }

    fn __repr__(&self) -> String {
        format!(
            "Tokens(username={}, id_token=[redacted], access_token=[redacted], refresh_token={}, expires_at={})",
            py_opt_str(self.0.username()),
            if self.0.refresh_token.is_some() {
                "[redacted]"
            } else {
                "None"
            },
            self.expires_at()
        )
    }
}

/// A finished sign-in.
#[pyclass(module = "cognito_flows", frozen, get_all)]
pub struct SignedIn {
    /// The tokens.
    pub tokens: Py<Tokens>,
    /// The name Cognito knows the user by (not an alias).
    pub username: String,
    /// The device this sign-in confirmed: persist its credentials.
    pub device: Option<Py<DeviceCredentials>>,
    /// Whether the user chose to remember that device (`None`: Cognito did not ask).
    pub device_remembered: Option<bool>,
    /// The key of a device Cognito created that was not confirmed.
    pub new_device_key: Option<String>,
    /// Why confirming the new device failed (an exception); the sign-in itself succeeded.
    pub device_error: Option<Py<PyAny>>,
    /// A device key Cognito no longer knows: forget its stored credentials.
    pub forgotten_device: Option<String>,
}

impl SignedIn {
    pub(crate) fn new(py: Python<'_>, out: CoreSignedIn) -> PyResult<Self> {
        let (device, device_remembered) = match out.device {
            Some(d) => (
                Some(Py::new(py, DeviceCredentials(d.credentials))?),
                d.remembered,
            ),
            None => (None, None),
        };
        Ok(Self {
            tokens: Py::new(py, Tokens(out.tokens))?,
            username: out.username,
            device,
            device_remembered,
            new_device_key: out.new_device.map(|d| d.device_key),
            device_error: out
                .device_error
                .map(|e| to_py(py, &e).into_value(py).into_any()),
            forgotten_device: out.forgotten_device,
        })
    }
}

#[pymethods]
impl SignedIn {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let device = match &self.device {
            Some(d) => d.bind(py).repr()?.to_string(),
            None => "None".into(),
        };
        Ok(format!(
            "SignedIn(username={}, tokens={}, device={device})",
            py_str(&self.username),
            self.tokens.bind(py).repr()?
        ))
    }
}

/// A machine-to-machine access token (the client-credentials grant): the token, when it
/// expires (seconds since the epoch, this machine's clock) and the scopes granted. `repr()`
/// redacts the token.
#[pyclass(module = "cognito_flows", frozen)]
pub struct MachineToken(pub(crate) cognito_flows::MachineToken);

#[pymethods]
impl MachineToken {
    /// The access token, for `Authorization: Bearer ...`. Don't log it.
    #[getter]
    fn access_token(&self) -> &str {
        self.0.access_token.expose()
    }

    /// When it expires, seconds since the epoch (as `time.time()`).
    #[getter]
    fn expires_at(&self) -> f64 {
        seconds(self.0.expires_at)
    }

    /// The scopes granted (`resource-server/scope`).
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.0.scopes.clone()
    }

    /// The access token's claims (decoded, not verified).
    #[getter]
    fn access_claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        claims_dict(py, self.0.access_token.claims())
    }

    /// Whether the token is still valid at `now` (`time.time()`) for `margin` seconds more:
    /// keep it until this says no, then ask for another.
    #[pyo3(signature = (now, margin=60.0))]
    fn is_valid_for(&self, now: f64, margin: f64) -> PyResult<bool> {
        let margin = Duration::try_from_secs_f64(margin)
            .map_err(|_| invalid_argument("margin is not a number of seconds >= 0"))?;
        Ok(self.0.is_valid_for(system_time(now)?, margin))
    }

    /// Whether the token carries `scope`.
    fn has_scope(&self, scope: &str) -> bool {
        self.0.has_scope(scope)
    }

    fn __repr__(&self) -> String {
        format!(
            "MachineToken(access_token=[redacted], scopes={:?}, expires_at={})",
            self.0.scopes,
            seconds(self.0.expires_at)
        )
    }
}

/// The hosted UI's tokens (`id_token` only with the `openid` scope).
#[pyclass(module = "cognito_flows", frozen)]
pub struct OAuthTokens(pub(crate) CoreOAuthTokens);

#[pymethods]
impl OAuthTokens {
    /// The access token. Don't log it.
    #[getter]
    fn access_token(&self) -> &str {
        self.0.access_token.expose()
    }

    /// The id token, when `openid` was asked. Don't log it.
    #[getter]
    fn id_token(&self) -> Option<&str> {
        self.0.id_token.as_ref().map(Jwt::expose)
    }

    /// The refresh token (code flow). Don't log it.
    #[getter]
    fn refresh_token(&self) -> Option<&str> {
        self.0.refresh_token.as_ref().map(SecretString::expose)
    }

    /// Seconds until the access token expires.
    #[getter]
    fn expires_in(&self) -> Option<i64> {
        self.0.expires_in
    }

    /// The access token's claims (decoded, not verified).
    #[getter]
    fn access_claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        claims_dict(py, self.0.access_token.claims())
    }

    fn __repr__(&self) -> String {
        format!(
            "OAuthTokens(access_token=[redacted], id_token={}, refresh_token={}, expires_in={})",
            if self.0.id_token.is_some() {
                "[redacted]"
            } else {
                "None"
            },
            if self.0.refresh_token.is_some() {
                "[redacted]"
            } else {
                "None"
            },
            self.0
                .expires_in
                .map_or_else(|| "None".to_owned(), |n| n.to_string())
        )
    }
}
