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

use std::time::SystemTime;

use crate::call;
use crate::error::{Error, Misuse};
use crate::flows::account::user_request;
use crate::flows::machine::{self, Machine, Pending, Phase, Step};
use crate::flows::{CodeDelivery, Input, Prompt};
use crate::pool::UserPool;
use crate::secret::SecretString;
use crate::wire::{
    ClientMetadata, CodeDeliveryResponse, ConfirmForgotPasswordRequest, Context, Empty,
    ForgotPasswordRequest, Operation,
};

/// A password reset, as a state machine. See the [module docs](self).
#[derive(Debug)]
pub struct ForgotPassword {
    pool: UserPool,
    username: String,
    context: Context,
    phase: Phase<State, ()>,
}

/// Nominally `pub` because the core's `Machine` trait names it; unreachable outside the crate.
mod state {
    use crate::error::ServiceError;
    use crate::flows::CodeDelivery;
    use crate::wire::ConfirmForgotPasswordRequest;

    /// What a running reset waits for.
    #[derive(Debug)]
    pub enum State {
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
    }
}
use state::State;

impl ForgotPassword {
    /// Starts a reset for `username` (the name or an alias).
    pub fn new(pool: &UserPool, username: &str) -> Self {
        Self {
            pool: pool.clone(),
            username: username.to_owned(),
            context: Context::default(),
            phase: Phase::Running(State::Requesting),
        }
    }

    /// Sends `ClientMetadata` (for the pool's Lambda triggers) with both requests.
    #[must_use]
    pub fn with_client_metadata(mut self, metadata: ClientMetadata) -> Self {
        self.context.client_metadata = Some(metadata);
        self
    }

    /// Sends the metadata trio (`ClientMetadata`, `AnalyticsMetadata`, `UserContextData`) with
    /// both requests; it replaces what [`with_client_metadata`](Self::with_client_metadata) set.
    #[must_use]
    pub fn with_context(mut self, context: Context) -> Self {
        self.context = context;
        self
    }
}

impl Machine for ForgotPassword {
    type State = State;
    type Output = ();

    machine::phase!(phase);

    fn sending(state: &State) -> bool {
        !matches!(state, State::Asking { .. })
    }

    fn pending(&self, state: &State) -> Pending {
        match state {
            State::Requesting => {
                let mut request = user_request(&self.pool, &self.username);
                request.context.clone_from(&self.context);
                Pending::Send(call::request(&self.pool, &ForgotPasswordRequest(request)))
            }
            State::Asking { delivery, error } => Pending::Prompt(Prompt::PasswordReset {
                delivery: delivery.clone(),
                error: error.clone(),
            }),
            State::Confirming { request, .. } => Pending::Send(call::request(&self.pool, request)),
        }
    }

    fn repeatable(&self, state: &State) -> bool {
        match state {
            State::Requesting => crate::retry::is_repeatable(Operation::ForgotPassword),
            State::Confirming { .. } => {
                crate::retry::is_repeatable(Operation::ConfirmForgotPassword)
            }
            State::Asking { .. } => false,
        }
    }

    fn on_response(
        &mut self,
        state: State,
        _now: SystemTime,
        response: http::Response<Vec<u8>>,
    ) -> Step<State, ()> {
        match state {
            State::Requesting => {
                match call::parse::<CodeDeliveryResponse>(Operation::ForgotPassword, response) {
                    Ok(parsed) => {
                        let details = parsed.value.code_delivery_details.unwrap_or_default();
                        let delivery = CodeDelivery {
                            destination: details.destination,
                            medium: details.delivery_medium,
                        };
                        Step::Next(State::Asking {
                            delivery,
                            error: None,
                        })
                    }
                    Err(e) => Step::Fail(e),
                }
            }
            State::Confirming { delivery, .. } => {
                match call::parse::<Empty>(Operation::ConfirmForgotPassword, response) {
                    Ok(_) => Step::Done(()),
                    Err(Error::Service(e)) if e.kind.is_correctable() => Step::Again(
                        State::Asking {
                            delivery,
                            error: Some(e.clone()),
                        },
                        Error::Service(e),
                    ),
                    Err(e) => Step::Fail(e),
                }
            }
            asking @ State::Asking { .. } => Step::Unexpected(asking),
        }
    }

    fn on_input(&mut self, state: State, input: Input) -> Step<State, ()> {
        let State::Asking { delivery, error } = state else {
            return Step::Unexpected(state);
        };
        match input {
            Input::PasswordReset { code, password } => {
                let code = code.expose().trim();
                if code.is_empty() {
                    let misuse = Misuse::InvalidInput("the code is empty".into());
                    return Step::Refuse(State::Asking { delivery, error }, misuse);
                }
                let request = ConfirmForgotPasswordRequest {
                    client_id: self.pool.client_id().into(),
                    secret_hash: self.pool.secret_hash(&self.username),
                    username: self.username.clone(),
                    confirmation_code: SecretString::new(code),
                    password: SecretString::new(password.expose()),
                    context: self.context.clone(),
                };
                Step::Next(State::Confirming {
                    delivery,
                    request: Box::new(request),
                })
            }
            Input::ResendCode => Step::Next(State::Requesting),
            _ => Step::Unexpected(State::Asking { delivery, error }),
        }
    }
}
