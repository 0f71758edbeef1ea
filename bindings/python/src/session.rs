//! A stored session (the JS SDK's `CognitoUserSession`): tokens, user name and device, checked,
//! refreshed and revoked by the core's `StoredSession`.

use cognito_flows::flows::refresh::Refresh as CoreRefresh;
use cognito_flows::session::SessionCheck;
use cognito_flows::{Flow, StoredSession};
use pyo3::prelude::*;

use crate::errors::{SignedOutError, invalid_argument};
use crate::flows::{Call, UserPool, action, raise, respond};
use crate::values::{DeviceCredentials, Input, SignedIn, Tokens, py_str, system_time};

/// A signed-in user's session: `Session.from_signed_in(signed_in)`, kept with `to_json()`
/// (secrets inside: store it where secrets belong). `get_session(pool, now)` says whether it
/// must be refreshed, `sign_out(pool)` revokes it. `repr()` hides the tokens.
#[pyclass(module = "cognito_flows", frozen)]
pub struct Session(pub(crate) StoredSession);

#[pymethods]
impl Session {
    /// The session of a finished sign-in (its tokens, user name and device).
    #[staticmethod]
    fn from_signed_in(py: Python<'_>, signed_in: &SignedIn) -> Self {
        Self(StoredSession {
            tokens: signed_in.tokens.bind(py).get().0.clone(),
            username: signed_in.username.clone(),
            device: signed_in
                .device
                .as_ref()
                .map(|device| device.bind(py).get().0.clone()),
        })
    }

    /// A session from its `to_json()`.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text)
            .map(Self)
            .map_err(|e| invalid_argument(format!("not a stored session: {e}")))
    }

    /// The session as JSON, secrets included.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.0).map_err(|e| invalid_argument(e.to_string()))
    }

    /// The tokens.
    #[getter]
    fn tokens(&self) -> Tokens {
        Tokens(self.0.tokens.clone())
    }

    /// The name Cognito knows the user by.
    #[getter]
    fn username(&self) -> &str {
        &self.0.username
    }

    /// The device's credentials, when this device is confirmed.
    #[getter]
    fn device(&self) -> Option<DeviceCredentials> {
        self.0.device.clone().map(DeviceCredentials)
    }

    /// The JS SDK's `getSession` at `now`: `None` while the tokens are valid (for a minute
    /// more, the clock drift corrected), else the `Refresh` flow to run (its outcome is the
    /// refreshed `Session`). Raises `SignedOutError` when they have expired without a refresh
    /// token.
    fn get_session(&self, pool: &UserPool, now: f64) -> PyResult<Option<Refresh>> {
        match self.0.get_session(&pool.0, system_time(now)?) {
            SessionCheck::Valid => Ok(None),
            SessionCheck::Refresh(flow) => Ok(Some(Refresh(flow))),
            SessionCheck::SignedOut => Err(SignedOutError::new_err(
                "the session has expired and has no refresh token: sign in again",
            )),
        }
    }

    /// The refresh flow, whether or not the tokens have expired; `None` without a refresh
    /// token.
    fn refresh(&self, pool: &UserPool) -> Option<Refresh> {
        self.0.refresh(&pool.0).map(Refresh)
    }

    /// The `RevokeToken` call that signs this session out; `None` without a refresh token.
    fn sign_out(&self, pool: &UserPool) -> Option<Call> {
        self.0.sign_out(&pool.0).map(Call::new)
    }

    fn __repr__(&self) -> String {
        format!(
            "Session(username={}, tokens=[redacted], device={})",
            py_str(&self.0.username),
            if self.0.device.is_some() {
                "[redacted]"
            } else {
                "None"
            }
        )
    }
}

/// A session's refresh, as a flow: done with the refreshed `Session` (new tokens, the new
/// refresh token when the app client rotates them, the device kept).
#[pyclass(module = "cognito_flows")]
pub struct Refresh(CoreRefresh);

crate::flows::flow_methods!(
    Refresh,
    |py, out| Ok(Py::new(py, Session(out))?.into_any()),
    {}
);
