//! The one driver of both adapters: its settings ([`Driver`]), the decisions of a run taken in
//! one place ([`Job`]), and the two loops that do only the I/O around them: a hand-written
//! future ([`Running`]) for async transports, a plain loop for [`Blocking`] ones. Neither holds
//! flow or retry logic: a job asks the core's [`Retrying`] what to do next.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use cognito_flows::retry::{Decision, RetryPolicy, Retrying, TransportFailure};
use cognito_flows::{Action, Entropy, Flow, Input, Prompt, UserAgent};

use crate::{
    Blocking, BlockingSleep, BlockingTransport, DriveError, PromptError, Sleep, Transport,
    UnexpectedPrompt, entropy,
};

/// A transport, a sleep and the settings of every run (retry policy, jitter seed, user agent,
/// clock): drives any flow. The same type serves both adapters: with an async [`Transport`]
/// and [`Sleep`] its runs are futures, with a [`Blocking`] transport and a [`BlockingSleep`]
/// they block (`cognito-flows-ureq`'s `Driver`).
#[derive(Debug, Clone)]
pub struct Driver<T, S> {
    transport: T,
    sleep: S,
    policy: RetryPolicy,
    jitter: Option<Entropy>,
    user_agent: UserAgent,
    clock: fn() -> SystemTime,
}

impl<T: Default, S: Default> Default for Driver<T, S> {
    /// [`Driver::new`] on the defaults of the transport and the sleep.
    fn default() -> Self {
        Self::new(T::default(), S::default())
    }
}

impl<T, S> Driver<T, S> {
    /// A driver with [`RetryPolicy::default`], jitter seeded from the OS at each run, the
    /// default [`UserAgent`] and the system clock.
    pub fn new(transport: T, sleep: S) -> Self {
        Self {
            transport,
            sleep,
            policy: RetryPolicy::default(),
            jitter: None,
            user_agent: UserAgent::default(),
            clock: SystemTime::now,
        }
    }

    /// Reads the time from `clock`, not the system clock: when answers arrive, when waits end,
    /// when a prompt is answered, when a session's tokens are checked and when tokens are
    /// verified. Tests move it with the emulator's.
    #[must_use]
    pub fn with_clock(mut self, clock: fn() -> SystemTime) -> Self {
        self.clock = clock;
        self
    }

    /// The time, from the driver's clock ([`Driver::with_clock`]; the system clock by default).
    pub fn now(&self) -> SystemTime {
        (self.clock)()
    }

    /// The clock ([`Driver::with_clock`]).
    pub fn clock(&self) -> fn() -> SystemTime {
        self.clock
    }

    /// The `x-amz-user-agent` set on every request this driver sends (default
    /// `cognito-flows/<version>`; [`UserAgent::append`] adds yours, as the JS SDK's
    /// `appendToCognitoUserAgent` does). `User-Agent` stays the transport's.
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: UserAgent) -> Self {
        self.user_agent = user_agent;
        self
    }

    /// Another retry policy ([`RetryPolicy::none`] to disable retries).
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Seeds the retries' jitter with `seed` at every run, not from the OS (tests fix it, and
    /// the waits are then reproducible).
    #[must_use]
    pub fn with_jitter_seed(mut self, seed: Entropy) -> Self {
        self.jitter = Some(seed);
        self
    }

    /// The same driver on another transport (a proxy, other TLS settings).
    #[must_use]
    pub fn with_transport(mut self, transport: T) -> Self {
        self.transport = transport;
        self
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The sleep.
    pub fn sleep(&self) -> &S {
        &self.sleep
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.policy
    }

    /// `job` started with this driver's retries.
    fn start<'j, O>(&self, mut job: Job<'j, O>) -> Job<'j, O> {
        if let Stage::Ready(steps) = &mut job.stage {
            let retries = if self.policy.max_attempts <= 1 {
                Ok(None)
            } else {
                match &self.jitter {
                    Some(seed) => Ok(Some((self.policy, seed.clone()))),
                    None => entropy().map(|seed| Some((self.policy, seed))),
                }
            };
            match retries {
                Ok(retries) => steps.start(retries),
                Err(e) => job.stage = Stage::Ended(Some(Err(DriveError::Entropy(e)))),
            }
        }
        job
    }
}

/// What a loop does next for a job.
enum Next {
    Send(http::Request<Vec<u8>>),
    Wait(Duration),
    Ask(Prompt),
    End,
}

/// A flow being driven, its type erased: what both loops need of it.
trait Steps<O> {
    /// Wraps the flow in the core's retries (`None`: without retries).
    fn start(&mut self, retries: Option<(RetryPolicy, Entropy)>);
    /// The pending action; the end is kept for [`Steps::finish`].
    fn next(&mut self) -> Next;
    fn response(&mut self, now: SystemTime, response: http::Response<Vec<u8>>);
    fn timeout(&mut self, now: SystemTime);
    fn lost(&mut self, now: SystemTime, failure: TransportFailure) -> Decision;
    fn input(&mut self, input: Input) -> Result<(), cognito_flows::Error>;
    fn finish(self: Box<Self>) -> Result<O, DriveError<Infallible>>;
}

/// What a client's call runs: a flow (its retries added when it starts) and what its outcome
/// becomes, or an outcome known before anything is sent; and a clean-up that runs at the end
/// whatever the outcome. Built by [`Client`](crate::Client)'s methods, run by a [`Driver`]
/// ([`Drive::call`], [`Ask::ask`]).
pub struct Job<'a, O> {
    stage: Stage<'a, O>,
    finally: Option<Box<dyn FnOnce() -> std::io::Result<()> + Send + 'a>>,
}

enum Stage<'a, O> {
    Ready(Box<dyn Steps<O> + Send + 'a>),
    Ended(Option<Result<O, DriveError<Infallible>>>),
}

impl<O> fmt::Debug for Job<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = match &self.stage {
            Stage::Ready(_) => "running",
            Stage::Ended(_) => "ended",
        };
        f.debug_struct("Job").field("stage", &stage).finish()
    }
}

impl<'a, O: Send + 'a> Job<'a, O> {
    /// Runs `flow`; its outcome is the job's.
    pub fn new<F>(flow: F) -> Self
    where
        F: Flow<Output = O> + Send + 'a,
    {
        Self::then(flow, Ok)
    }

    /// Runs `flow`, then `then` makes the job's outcome of the flow's.
    pub fn then<F, K>(flow: F, then: K) -> Self
    where
        F: Flow + Send + 'a,
        K: FnOnce(F::Output) -> Result<O, DriveError<Infallible>> + Send + 'a,
    {
        Self {
            stage: Stage::Ready(Box::new(Stepper {
                flow: Driven::Unstarted(flow),
                then: Some(then),
                end: None,
            })),
            finally: None,
        }
    }

    /// A job whose outcome is known: nothing is sent.
    pub fn ended(outcome: Result<O, DriveError<Infallible>>) -> Self {
        Self {
            stage: Stage::Ended(Some(outcome)),
            finally: None,
        }
    }

    /// Runs `cleanup` at the end, whatever the outcome; its failure is the job's only when the
    /// job succeeded ([`DriveError::Storage`]).
    #[must_use]
    pub fn finally(mut self, cleanup: impl FnOnce() -> std::io::Result<()> + Send + 'a) -> Self {
        self.finally = Some(Box::new(cleanup));
        self
    }
}

impl<'a, O> Job<'a, O> {
    /// The pending action, the user agent set on a request.
    fn next(&mut self, user_agent: &UserAgent) -> Next {
        match &mut self.stage {
            Stage::Ready(steps) => match steps.next() {
                Next::Send(mut request) => {
                    user_agent.apply(&mut request);
                    Next::Send(request)
                }
                other => other,
            },
            Stage::Ended(_) => Next::End,
        }
    }

    fn steps(&mut self) -> Option<&mut (dyn Steps<O> + Send + 'a)> {
        match &mut self.stage {
            Stage::Ready(steps) => Some(&mut **steps),
            Stage::Ended(_) => None,
        }
    }

    fn response(&mut self, now: SystemTime, response: http::Response<Vec<u8>>) {
        if let Some(steps) = self.steps() {
            steps.response(now, response);
        }
    }

    fn timeout(&mut self, now: SystemTime) {
        if let Some(steps) = self.steps() {
            steps.timeout(now);
        }
    }

    fn lost(&mut self, now: SystemTime, failure: TransportFailure) -> Decision {
        self.steps()
            .map_or(Decision::GiveUp, |steps| steps.lost(now, failure))
    }

    fn input(&mut self, input: Input) -> Result<(), cognito_flows::Error> {
        self.steps().map_or(Ok(()), |steps| steps.input(input))
    }

    /// The job's outcome, once [`Job::next`] has said [`Next::End`].
    fn finish<E>(&mut self) -> Result<O, DriveError<E>> {
        let stage = std::mem::replace(&mut self.stage, Stage::Ended(None));
        let outcome = match stage {
            Stage::Ready(steps) => steps.finish(),
            Stage::Ended(Some(outcome)) => outcome,
            Stage::Ended(None) => Err(DriveError::Auth(
                cognito_flows::Misuse::InvalidInput("the job has already ended".into()).into(),
            )),
        };
        outcome.map_err(widen)
    }

    /// Runs the clean-up: `outcome` unless it succeeded and the clean-up failed.
    fn conclude<E>(&mut self, outcome: Result<O, DriveError<E>>) -> Result<O, DriveError<E>> {
        match self.finally.take().map(|cleanup| cleanup()) {
            Some(Err(e)) if outcome.is_ok() => Err(DriveError::Storage(e)),
            _ => outcome,
        }
    }
}

/// An error raised before any transport was involved, as the driver's.
fn widen<E>(error: DriveError<Infallible>) -> DriveError<E> {
    match error {
        DriveError::Transport(never) => match never {},
        DriveError::Auth(e) => DriveError::Auth(e),
        DriveError::Prompt(e) => DriveError::Prompt(e),
        DriveError::Entropy(e) => DriveError::Entropy(e),
        DriveError::SignedOut => DriveError::SignedOut,
        DriveError::Storage(e) => DriveError::Storage(e),
    }
}

#[allow(
    clippy::large_enum_variant,
    reason = "the flow before and after its retries are added; the stepper that holds it is boxed"
)]
enum Driven<F> {
    Unstarted(F),
    Started(Retrying<F>),
    Moving,
}

struct Stepper<F: Flow, K, O> {
    flow: Driven<F>,
    then: Option<K>,
    end: Option<Result<O, DriveError<Infallible>>>,
}

impl<F: Flow, K, O> Stepper<F, K, O> {
    fn flow(&mut self) -> Option<&mut Retrying<F>> {
        match &mut self.flow {
            Driven::Started(flow) => Some(flow),
            Driven::Unstarted(_) | Driven::Moving => None,
        }
    }
}

impl<F, K, O> Steps<O> for Stepper<F, K, O>
where
    F: Flow,
    K: FnOnce(F::Output) -> Result<O, DriveError<Infallible>>,
{
    fn start(&mut self, retries: Option<(RetryPolicy, Entropy)>) {
        if let Driven::Unstarted(flow) = std::mem::replace(&mut self.flow, Driven::Moving) {
            self.flow = Driven::Started(match retries {
                Some((policy, seed)) => Retrying::new(flow, policy, seed),
                None => Retrying::without_retries(flow),
            });
        }
    }

    fn next(&mut self) -> Next {
        if self.end.is_some() {
            return Next::End;
        }
        let Some(flow) = self.flow() else {
            self.end = Some(Err(DriveError::Auth(
                cognito_flows::Misuse::InvalidInput("the job was never started".into()).into(),
            )));
            return Next::End;
        };
        match flow.poll_action() {
            Action::Send(request) => Next::Send(request),
            Action::Wait(delay) => Next::Wait(delay),
            Action::Prompt(prompt) => Next::Ask(prompt),
            Action::Done(outcome) => {
                self.end = self.then.take().map(|then| then(outcome));
                Next::End
            }
            Action::Failed(error) => {
                self.end = Some(Err(DriveError::Auth(error)));
                Next::End
            }
        }
    }

    fn response(&mut self, now: SystemTime, response: http::Response<Vec<u8>>) {
        if let Some(flow) = self.flow() {
            // An error comes back from the next poll: Failed, or the prompt again.
            drop(flow.handle_response(now, response));
        }
    }

    fn timeout(&mut self, now: SystemTime) {
        if let Some(flow) = self.flow() {
            flow.handle_timeout(now);
        }
    }

    fn lost(&mut self, now: SystemTime, failure: TransportFailure) -> Decision {
        self.flow().map_or(Decision::GiveUp, |flow| {
            flow.handle_transport_error(now, failure)
        })
    }

    fn input(&mut self, input: Input) -> Result<(), cognito_flows::Error> {
        match self.flow() {
            Some(flow) => flow.handle_input(input),
            None => Ok(()),
        }
    }

    fn finish(self: Box<Self>) -> Result<O, DriveError<Infallible>> {
        self.end.unwrap_or_else(|| {
            Err(DriveError::Auth(
                cognito_flows::Misuse::InvalidInput("the flow has not ended".into()).into(),
            ))
        })
    }
}

/// Runs a client's job: implemented by every [`Driver`]. A call's result is a `Result` for a
/// blocking driver and a future of it ([`Running`]) for an async one, so that one list of
/// [`Client`](crate::Client) methods serves both.
pub trait Drive {
    /// The transport's error.
    type Error;

    /// What a call that never prompts returns.
    type Call<'a, O: 'a>
    where
        Self: 'a;

    /// Runs `job`; a prompt ends it with [`UnexpectedPrompt`].
    fn call<'a, O: 'a>(&'a self, job: Job<'a, O>) -> Self::Call<'a, O>;
}

/// Runs a client's job whose prompts `FnMut(Prompt) -> R` answers: `R` is
/// `Result<Input, PromptError>` for a blocking driver and a future of it for an async one.
pub trait Ask<R>: Drive {
    /// What a call that may prompt returns.
    type Run<'a, O: 'a, P: 'a>
    where
        Self: 'a;

    /// Runs `job`, asking `answer` for its prompts.
    fn ask<'a, O: 'a, P>(&'a self, job: Job<'a, O>, answer: P) -> Self::Run<'a, O, P>
    where
        P: FnMut(Prompt) -> R + 'a;
}

/// The prompt callback of the calls that never prompt.
pub type Refuse = fn(Prompt) -> std::future::Ready<Result<Input, PromptError>>;

fn refuse(prompt: Prompt) -> std::future::Ready<Result<Input, PromptError>> {
    std::future::ready(Err(Box::new(UnexpectedPrompt::of(&prompt))))
}

impl<T: Transport, S: Sleep> Driver<T, S> {
    /// Drives `flow` to its end, asking `answer` for its prompts ([`no_prompt`](crate::no_prompt)
    /// when there should be none). A service error the user can correct (a wrong code) comes
    /// back to `answer` as the same prompt, carrying the error; any other error ends the flow.
    pub fn run<'a, F, P, A>(&'a self, flow: F, answer: P) -> Running<'a, T, S, F::Output, P, A>
    where
        F: Flow + Send + 'a,
        F::Output: Send + 'a,
        P: FnMut(Prompt) -> A,
        A: Future<Output = Result<Input, PromptError>>,
    {
        self.running(Job::new(flow), answer)
    }

    fn running<'a, O, P, A>(&'a self, job: Job<'a, O>, answer: P) -> Running<'a, T, S, O, P, A> {
        Running {
            driver: self,
            job: self.start(job),
            answer,
            waiting: None,
        }
    }
}

impl<T: Transport, S: Sleep> Drive for Driver<T, S> {
    type Error = T::Error;
    type Call<'a, O: 'a>
        = Running<'a, T, S, O, Refuse, std::future::Ready<Result<Input, PromptError>>>
    where
        Self: 'a;

    fn call<'a, O: 'a>(&'a self, job: Job<'a, O>) -> Self::Call<'a, O> {
        self.running(job, refuse as Refuse)
    }
}

impl<T, S, R> Ask<R> for Driver<T, S>
where
    T: Transport,
    S: Sleep,
    R: Future<Output = Result<Input, PromptError>>,
{
    type Run<'a, O: 'a, P: 'a>
        = Running<'a, T, S, O, P, R>
    where
        Self: 'a;

    fn ask<'a, O: 'a, P>(&'a self, job: Job<'a, O>, answer: P) -> Self::Run<'a, O, P>
    where
        P: FnMut(Prompt) -> R + 'a,
    {
        self.running(job, answer)
    }
}

/// A run on an async driver: the future of [`Driver::run`] and of the async
/// [`Client`](crate::Client)'s methods. It is `Send` when the transport, the sleep, their
/// futures and the prompt callback are.
#[must_use = "a future does nothing unless awaited"]
pub struct Running<'a, T: Transport, S: Sleep, O, P, A> {
    driver: &'a Driver<T, S>,
    job: Job<'a, O>,
    answer: P,
    waiting: Option<Waiting<T::Sending, S::Sleeping, A>>,
}

/// What a run waits for. Each future is boxed, so that the run never needs pinning.
enum Waiting<Sending, Sleeping, A> {
    Response(Pin<Box<Sending>>),
    Timeout(Pin<Box<Sleeping>>),
    Answer(Pin<Box<A>>),
}

// The run holds no self-reference and pins nothing of its own: its futures are boxed.
impl<T: Transport, S: Sleep, O, P, A> Unpin for Running<'_, T, S, O, P, A> {}

impl<T: Transport, S: Sleep, O, P, A> fmt::Debug for Running<'_, T, S, O, P, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Running").field("job", &self.job).finish()
    }
}

impl<T, S, O, P, A> Future for Running<'_, T, S, O, P, A>
where
    T: Transport,
    S: Sleep,
    P: FnMut(Prompt) -> A,
    A: Future<Output = Result<Input, PromptError>>,
{
    type Output = Result<O, DriveError<T::Error>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let driver = this.driver;
        loop {
            // The clock is read when an answer arrives (SRP's TIMESTAMP, token expiry), when a
            // wait ends and when a prompt is answered (implicit tokens' drift).
            match this.waiting.as_mut() {
                Some(Waiting::Response(sending)) => {
                    let Poll::Ready(result) = sending.as_mut().poll(cx) else {
                        return Poll::Pending;
                    };
                    this.waiting = None;
                    match result {
                        Ok(response) => this.job.response(driver.now(), response),
                        Err(e) => {
                            let failure = driver.transport.failure(&e);
                            if this.job.lost(driver.now(), failure) == Decision::GiveUp {
                                let out = Err(DriveError::Transport(e));
                                return Poll::Ready(this.job.conclude(out));
                            }
                        }
                    }
                }
                Some(Waiting::Timeout(sleeping)) => {
                    if sleeping.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    this.waiting = None;
                    this.job.timeout(driver.now());
                }
                Some(Waiting::Answer(answering)) => {
                    let Poll::Ready(answer) = answering.as_mut().poll(cx) else {
                        return Poll::Pending;
                    };
                    this.waiting = None;
                    let step = answer
                        .map_err(DriveError::Prompt)
                        .and_then(|input| Ok(this.job.input(input.at(driver.now()))?));
                    if let Err(e) = step {
                        return Poll::Ready(this.job.conclude(Err(e)));
                    }
                }
                None => {}
            }
            this.waiting = Some(match this.job.next(&driver.user_agent) {
                Next::Send(request) => Waiting::Response(Box::pin(driver.transport.send(request))),
                Next::Wait(delay) => Waiting::Timeout(Box::pin(driver.sleep.sleep(delay))),
                Next::Ask(prompt) => Waiting::Answer(Box::pin((this.answer)(prompt))),
                Next::End => {
                    let out = this.job.finish();
                    return Poll::Ready(this.job.conclude(out));
                }
            });
        }
    }
}

impl<T: BlockingTransport, S: BlockingSleep> Driver<Blocking<T>, S> {
    /// Drives `flow` to its end, blocking, asking `answer` for its prompts
    /// ([`no_prompt`](crate::no_prompt) when there should be none). A service error the user can
    /// correct (a wrong code) comes back to `answer` as the same prompt, carrying the error;
    /// any other error ends the flow.
    pub fn run<'a, F>(
        &'a self,
        flow: F,
        answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
    ) -> Result<F::Output, DriveError<T::Error>>
    where
        F: Flow + Send + 'a,
        F::Output: Send + 'a,
    {
        self.block(Job::new(flow), answer)
    }

    /// The blocking loop: the same steps as [`Running`], each done at once.
    fn block<O>(
        &self,
        job: Job<'_, O>,
        mut answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
    ) -> Result<O, DriveError<T::Error>> {
        let mut job = self.start(job);
        let outcome = loop {
            match job.next(&self.user_agent) {
                Next::Send(request) => match self.transport.0.send(request) {
                    Ok(response) => job.response(self.now(), response),
                    Err(e) => {
                        let failure = self.transport.0.failure(&e);
                        if job.lost(self.now(), failure) == Decision::GiveUp {
                            break Err(DriveError::Transport(e));
                        }
                    }
                },
                Next::Wait(delay) => {
                    self.sleep.sleep(delay);
                    job.timeout(self.now());
                }
                Next::Ask(prompt) => {
                    let step = answer(prompt)
                        .map_err(DriveError::Prompt)
                        .and_then(|input| Ok(job.input(input.at(self.now()))?));
                    if let Err(e) = step {
                        break Err(e);
                    }
                }
                Next::End => break job.finish(),
            }
        };
        job.conclude(outcome)
    }
}

impl<T: BlockingTransport, S: BlockingSleep> Drive for Driver<Blocking<T>, S> {
    type Error = T::Error;
    type Call<'a, O: 'a>
        = Result<O, DriveError<T::Error>>
    where
        Self: 'a;

    fn call<'a, O: 'a>(&'a self, job: Job<'a, O>) -> Self::Call<'a, O> {
        self.block(job, |prompt| Err(Box::new(UnexpectedPrompt::of(&prompt))))
    }
}

impl<T: BlockingTransport, S: BlockingSleep> Ask<Result<Input, PromptError>>
    for Driver<Blocking<T>, S>
{
    type Run<'a, O: 'a, P: 'a>
        = Result<O, DriveError<T::Error>>
    where
        Self: 'a;

    fn ask<'a, O: 'a, P>(&'a self, job: Job<'a, O>, answer: P) -> Self::Run<'a, O, P>
    where
        P: FnMut(Prompt) -> Result<Input, PromptError> + 'a,
    {
        self.block(job, answer)
    }
}
