//! `cognito_flows._native`: the Sans-IO flows of the Rust crate `cognito-flows` as a Python
//! extension module. A thin layer: every decision (which request, which prompt, which error) is
//! the core's; this crate converts values across the boundary and redacts secrets in `repr()`.
//!
//! The pure-Python package around it (`python/cognito_flows/`) adds the blocking client that
//! does the I/O with the standard library.

mod account;
mod errors;
mod flows;
mod session;
mod values;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<values::Secret>()?;
    m.add_class::<values::Request>()?;
    m.add_class::<values::UserAgent>()?;
    m.add_class::<values::Context>()?;
    m.add_class::<values::Wait>()?;
    m.add_class::<values::Done>()?;
    m.add_class::<values::Failed>()?;
    m.add_class::<values::Prompt>()?;
    m.add_class::<values::Input>()?;
    m.add_class::<values::DeviceCredentials>()?;
    m.add_class::<values::Tokens>()?;
    m.add_class::<values::SignedIn>()?;
    m.add_class::<values::OAuthTokens>()?;
    m.add_class::<values::MachineToken>()?;
    m.add_class::<flows::UserPool>()?;
    m.add_class::<flows::SignIn>()?;
    m.add_class::<flows::ForgotPassword>()?;
    m.add_class::<flows::Call>()?;
    m.add_class::<flows::Authorize>()?;
    m.add_class::<flows::TokenCall>()?;
    m.add_class::<session::Session>()?;
    m.add_class::<session::Refresh>()?;
    account::register(m)?;
    m.add("SERVICE_EXCEPTIONS", errors::SERVICE_EXCEPTIONS.to_vec())?;
    m.add("PROMPT_KINDS", values::prompt_kinds())?;
    Ok(())
}
