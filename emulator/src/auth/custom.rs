//! Custom authentication (`CUSTOM_AUTH`): one round of Cognito's three Lambda triggers,
//! VerifyAuthChallengeResponse (when an answer waits), DefineAuthChallenge, then
//! CreateAuthChallenge or the tokens, written once in [`round`] over the one trait [`Triggers`].
//! Two things implement it: the pool's Rust callbacks ([`CustomAuthTriggers`], run at once under
//! the state lock) and its webhooks (`triggers::Webhooks`, run on the server's runtime once the
//! lock is released: the round waits in a session, handed to the dispatch by [`park`]).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::{Future, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, BAD_CREDENTIALS, Fault, NOT_AUTHORIZED, fault};
use crate::model::state::{ChallengeResult, CustomAuthTriggers, Define, Inner, Stage};

/// One round of custom authentication: whose, the results so far, and the answer to check.
#[derive(Debug)]
pub(crate) struct Round {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    /// The challenges answered so far, oldest first.
    pub results: Vec<ChallengeResult>,
    /// What the create trigger kept for the verify trigger (the expected answer of a callback,
    /// the `privateChallengeParameters` of a webhook, as JSON); empty before the first challenge.
    pub private: String,
    /// The answer given to the last challenge (`None` when the round starts the sign-in).
    pub given: Option<String>,
    /// The PASSWORD_VERIFIER challenge of a `CUSTOM_AUTH` started with SRP (`CHALLENGE_NAME=
    /// SRP_A`), ready: the answer when DefineAuthChallenge asks for it.
    pub verifier: Option<Value>,
}

/// What DefineAuthChallenge decides: [`Define`], or (webhooks only, after `SRP_A`) the
/// PASSWORD_VERIFIER challenge.
#[derive(Debug)]
pub(crate) enum Next {
    /// What the Rust callbacks can decide too.
    Define(Define),
    /// `challengeName: PASSWORD_VERIFIER`.
    PasswordVerifier,
}

/// A challenge made by CreateAuthChallenge.
pub(crate) struct Created {
    /// `publicChallengeParameters`: sent to the client.
    pub public: BTreeMap<String, String>,
    /// Kept in the session for VerifyAuthChallengeResponse.
    pub private: String,
}

/// Cognito's three custom-auth triggers, wherever they run.
pub(crate) trait Triggers {
    /// VerifyAuthChallengeResponse: whether `given` answers the round's challenge.
    fn verify(&self, round: &Round, given: &str) -> impl Future<Output = Result<bool, Fault>>;
    /// DefineAuthChallenge, on the results so far.
    fn define(
        &self,
        round: &Round,
        results: &[ChallengeResult],
    ) -> impl Future<Output = Result<Next, Fault>>;
    /// CreateAuthChallenge, on the results so far.
    fn create(
        &self,
        round: &Round,
        results: &[ChallengeResult],
    ) -> impl Future<Output = Result<Created, Fault>>;
}

/// The Rust callbacks of [`crate::CustomAuth`]: every answer is ready at once.
impl Triggers for CustomAuthTriggers {
    fn verify(&self, round: &Round, given: &str) -> impl Future<Output = Result<bool, Fault>> {
        ready(Ok(self.0.verify(&round.username, &round.private, given)))
    }

    fn define(
        &self,
        round: &Round,
        results: &[ChallengeResult],
    ) -> impl Future<Output = Result<Next, Fault>> {
        ready(Ok(Next::Define(self.0.define(&round.username, results))))
    }

    fn create(
        &self,
        round: &Round,
        results: &[ChallengeResult],
    ) -> impl Future<Output = Result<Created, Fault>> {
        let challenge = self.0.create(&round.username, results);
        ready(Ok(Created {
            public: challenge.public,
            private: challenge.answer,
        }))
    }
}

/// What a round writes to the state: the tokens, or the session of the next challenge.
pub(crate) trait Outcome {
    /// Signs the round's user in: the tokens.
    fn sign_in(&mut self, round: &Round) -> Answer;
    /// A session waiting for the answer to a custom challenge.
    fn next_challenge(
        &mut self,
        round: &Round,
        results: Vec<ChallengeResult>,
        private: String,
    ) -> String;
}

impl Outcome for Inner {
    fn sign_in(&mut self, round: &Round) -> Answer {
        self.issue(
            &round.pool_id,
            &round.client_id,
            &round.username,
            None,
            None,
        )
    }

    fn next_challenge(
        &mut self,
        round: &Round,
        results: Vec<ChallengeResult>,
        private: String,
    ) -> String {
        waiting(self, round, results, private)
    }
}

impl Outcome for &Shared {
    fn sign_in(&mut self, round: &Round) -> Answer {
        Outcome::sign_in(&mut *self.lock(), round)
    }

    fn next_challenge(
        &mut self,
        round: &Round,
        results: Vec<ChallengeResult>,
        private: String,
    ) -> String {
        Outcome::next_challenge(&mut *self.lock(), round, results, private)
    }
}

/// A session of the round's user waiting in [`Stage::Custom`].
fn waiting(
    inner: &mut Inner,
    round: &Round,
    results: Vec<ChallengeResult>,
    private: String,
) -> String {
    let stage = Stage::Custom {
        results,
        answer: private,
    };
    inner.new_session(
        &round.pool_id,
        &round.client_id,
        &round.username,
        None,
        stage,
    )
}

/// One round: verify the answer given (when there is one), define, then the tokens or the next
/// challenge.
pub(crate) async fn round(
    triggers: &impl Triggers,
    state: &mut impl Outcome,
    round: Round,
) -> Answer {
    let mut results = round.results.clone();
    if let Some(given) = &round.given {
        let correct = triggers.verify(&round, given).await?;
        results.push(ChallengeResult {
            name: "CUSTOM_CHALLENGE".into(),
            correct,
        });
    }
    match triggers.define(&round, &results).await? {
        // Only before the password was checked: its challenge, computed already.
        Next::PasswordVerifier => round.verifier.clone().ok_or_else(|| {
            fault(
                "InvalidLambdaResponseException",
                "Unrecognizable lambda output",
            )
        }),
        Next::Define(Define::Fail) => Err(fault(NOT_AUTHORIZED, BAD_CREDENTIALS)),
        Next::Define(Define::IssueTokens) => {
            let result = state.sign_in(&round)?;
            Ok(json!({"AuthenticationResult": result, "ChallengeParameters": {}}))
        }
        Next::Define(Define::CustomChallenge) => {
            let created = triggers.create(&round, &results).await?;
            let mut params = json!({"USERNAME": round.username});
            for (k, v) in &created.public {
                params[k.as_str()] = json!(v);
            }
            let session = state.next_challenge(&round, results, created.private);
            Ok(
                json!({"ChallengeName": "CUSTOM_CHALLENGE", "Session": session, "ChallengeParameters": params}),
            )
        }
    }
}

/// Runs a round whose triggers answer at once (the Rust callbacks), under the lock.
pub(crate) fn now(future: impl Future<Output = Answer>) -> Answer {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(answer) => answer,
        Poll::Pending => Err(fault(
            "InternalErrorException",
            "A custom authentication callback did not answer at once.",
        )),
    }
}

/// A round that waits for the webhooks in a session: the session and the answer given.
#[derive(Debug)]
pub(crate) struct Parked {
    pub session: String,
    pub given: Option<String>,
    /// A `CUSTOM_AUTH` started with SRP: `session` is the PASSWORD_VERIFIER one, this its
    /// challenge, given when DefineAuthChallenge (told `[SRP_A]`) asks for it.
    pub verifier: Option<Value>,
}

thread_local! {
    /// The round the operation running on this thread parked. The handler runs synchronously
    /// inside the dispatch, which takes it right after (on the same thread, in the same poll).
    static PARKED: RefCell<Option<Parked>> = const { RefCell::new(None) };
}

/// Parks a round for the webhooks: it waits in a session, and the dispatch runs it once the lock
/// is released. What the handler answers meanwhile is replaced by the round's answer.
pub(crate) fn park(inner: &mut Inner, round: Round) -> Answer {
    let session = waiting(inner, &round, round.results.clone(), round.private.clone());
    PARKED.with(|p| {
        *p.borrow_mut() = Some(Parked {
            session,
            given: round.given,
            verifier: None,
        })
    });
    Ok(Value::Null)
}

/// Parks the first round of a `CUSTOM_AUTH` started with SRP, for the webhooks: `answer` (the
/// PASSWORD_VERIFIER challenge of `session`) is what the sign-in answers if DefineAuthChallenge,
/// told `[SRP_A]`, asks for it.
pub(crate) fn park_verifier(session: String, answer: Value) {
    PARKED.with(|p| {
        *p.borrow_mut() = Some(Parked {
            session,
            given: None,
            verifier: Some(answer),
        })
    });
}

/// The round the operation that just ran on this thread parked, if any.
pub(crate) fn take_parked() -> Option<Parked> {
    PARKED.with(|p| p.borrow_mut().take())
}
