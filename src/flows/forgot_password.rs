//! Forgot password: `ForgotPassword` sends a code, the user types it with a new password,
//! `ConfirmForgotPassword` sets it (the JS SDK's `forgotPassword` with `inputVerificationCode`,
//! use case 12).
//!
//! ```text
//!  new ──▶ Sending(ForgotPassword) ──▶ Asking(PasswordReset) ──input──▶ Sending(Confirm) ──▶ Done
//!                  ▲                    ▲    │ ResendCode                     │
//!                  └────────────────────┼────┘                                │
//!                                       └── wrong code, weak or reused password
//! ```
//!
//! An expired code ends the flow (`ExpiredCodeException`); so does any other error.
//!
//! ```
//! use cognito_flows::{Action, Flow, ForgotPassword, Prompt, UserPool};
//!
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! let mut flow = ForgotPassword::new(&pool, "alice");
//! let Action::Send(_) = flow.poll_action() else { unreachable!() };
//! let sent = br#"{"CodeDeliveryDetails":{"Destination":"a***@e***.com","DeliveryMedium":"EMAIL"}}"#;
//! flow.handle_response(std::time::SystemTime::UNIX_EPOCH, http::Response::new(sent.to_vec()))?;
//! let Action::Prompt(Prompt::PasswordReset { delivery, .. }) = flow.poll_action() else { unreachable!() };
//! assert_eq!(delivery.destination.as_deref(), Some("a***@e***.com"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::mem;
use std::time::SystemTime;

use crate::call;
use crate::error::{Error, Misuse, ServiceError};
use crate::flows::account::user_request;
use crate::flows::{Action, CodeDelivery, Flow, Input, Prompt};
use crate::pool::UserPool;
use crate::secret::SecretString;
use crate::wire::{
    ClientMetadata, CodeDeliveryResponse, ConfirmForgotPasswordRequest, Empty, Operation,
};

/// A password reset, as a state machine. See the [module docs](self).
#[derive(Debug)]
pub struct ForgotPassword {
    pool: UserPool,
    username: String,
    client_metadata: Option<ClientMetadata>,
    state: State,
}

#[derive(Debug)]
enum State {
    /// ForgotPassword is in flight.
    Requesting,
    /// The user must type the code and the new password.
    Asking {
        delivery: CodeDelivery,
        error: Option<ServiceError>,
    },
    /// ConfirmForgotPassword is in flight.
    Confirming {
        delivery: CodeDelivery,
        request: Box<ConfirmForgotPasswordRequest>,
    },
    Done,
    Failed(Error),
}

impl ForgotPassword {
    /// Starts a reset for `username` (the name or an alias).
    pub fn new(pool: &UserPool, username: &str) -> Self {
        Self {
            pool: pool.clone(),
            username: username.to_owned(),
            client_metadata: None,
            state: State::Requesting,
        }
    }

    /// Sends `ClientMetadata` (for the pool's Lambda triggers) with both requests.
    #[must_use]
    pub fn with_client_metadata(mut self, metadata: ClientMetadata) -> Self {
        self.client_metadata = Some(metadata);
        self
    }

    fn expected(&self) -> &'static str {
        match self.state {
            State::Requesting | State::Confirming { .. } => "a response",
            State::Asking { .. } => "a code and a new password",
            State::Done | State::Failed(_) => "nothing (finished)",
        }
    }
}

impl Flow for ForgotPassword {
    type Output = ();

    fn poll_action(&self) -> Action<()> {
        match &self.state {
            State::Requesting => {
                let mut request = user_request(&self.pool, &self.username);
                request.client_metadata.clone_from(&self.client_metadata);
                Action::Send(call::request(
                    &self.pool,
                    Operation::ForgotPassword,
                    &request,
                ))
            }
            State::Asking { delivery, error } => Action::Prompt(Prompt::PasswordReset {
                delivery: delivery.clone(),
                error: error.clone(),
            }),
            State::Confirming { request, .. } => Action::Send(call::request(
                &self.pool,
                Operation::ConfirmForgotPassword,
                request,
            )),
            State::Done => Action::Done(()),
            State::Failed(e) => Action::Failed(e.clone()),
        }
    }

    fn handle_response(
        &mut self,
        _now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Result<(), Error> {
        let state = mem::replace(&mut self.state, State::Done);
        let (next, result) = match state {
            State::Requesting => {
                match call::parse::<CodeDeliveryResponse>(Operation::ForgotPassword, response) {
                    Ok(parsed) => {
                        let details = parsed.value.code_delivery_details.unwrap_or_default();
                        let delivery = CodeDelivery {
                            destination: details.destination,
                            medium: details.delivery_medium,
                        };
                        (
                            State::Asking {
                                delivery,
                                error: None,
                            },
                            Ok(()),
                        )
                    }
                    Err(e) => (State::Failed(e.clone()), Err(e)),
                }
            }
            State::Confirming { delivery, .. } => {
                match call::parse::<Empty>(Operation::ConfirmForgotPassword, response) {
                    Ok(_) => (State::Done, Ok(())),
                    Err(Error::Service(e)) if e.kind.is_correctable() => (
                        State::Asking {
                            delivery,
                            error: Some(e.clone()),
                        },
                        Err(Error::Service(e)),
                    ),
                    Err(e) => (State::Failed(e.clone()), Err(e)),
                }
            }
            other => {
                self.state = other;
                return Err(Misuse::UnexpectedResponse {
                    expected: self.expected(),
                }
                .into());
            }
        };
        self.state = next;
        result
    }

    fn handle_input(&mut self, input: Input) -> Result<(), Error> {
        let State::Asking { delivery, .. } = &self.state else {
            return Err(Misuse::UnexpectedInput {
                expected: self.expected(),
                got: input.kind(),
            }
            .into());
        };
        match input {
            Input::PasswordReset { code, password } => {
                let code = code.expose().trim();
                if code.is_empty() {
                    return Err(Misuse::InvalidInput("the code is empty".into()).into());
                }
                let request = ConfirmForgotPasswordRequest {
                    client_id: self.pool.client_id().into(),
                    secret_hash: self.pool.secret_hash(&self.username),
                    username: self.username.clone(),
                    confirmation_code: SecretString::new(code),
                    password: SecretString::new(password.expose()),
                    client_metadata: self.client_metadata.clone(),
                };
                self.state = State::Confirming {
                    delivery: delivery.clone(),
                    request: Box::new(request),
                };
                Ok(())
            }
            Input::ResendCode => {
                self.state = State::Requesting;
                Ok(())
            }
            other => Err(Misuse::UnexpectedInput {
                expected: "a code and a new password",
                got: other.kind(),
            }
            .into()),
        }
    }
}
