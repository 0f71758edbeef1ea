//! Running a flow against a live server (moto, the emulator) as an adapter would: one loop for
//! every test that drives a flow by hand.

use std::time::{Duration, SystemTime};

use cognito_flows::{Action, Error, Flow, Input, Prompt};

/// The most actions a test flow may take before [`drive`] gives up (a sign-in with MFA and a
/// device takes about ten).
const MAX_STEPS: usize = 50;

/// The HTTP agent of the tests: follows no redirect (the hosted UI's answers are read, not
/// followed), reads every status as an answer, and ends every call within 20 s, far below the
/// emulator's 60 s deadline for a stalled client, so a frozen server fails a test instead of
/// hanging it.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .max_redirects_will_error(false)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// Sends `request` on `agent` and reads the whole answer. Panics when no answer comes (a
/// refused connection, a timeout): a test's server must answer.
pub fn send(agent: &ureq::Agent, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let response = match agent.run(request) {
        Ok(response) => response,
        Err(e) => panic!("the server did not answer: {e}"),
    };
    let (parts, mut body) = response.into_parts();
    match body.read_to_vec() {
        Ok(body) => http::Response::from_parts(parts, body),
        Err(e) => panic!("the answer's body could not be read: {e}"),
    }
}

/// Runs `flow` to its end over `agent`, reading the time from `now` when each answer arrives
/// (the server's clock, so that a test can move it) and answering each prompt with `answer`.
/// Returns the outcome (or the error) and every prompt seen, in order.
///
/// Panics when an answer is refused as misuse (the test answered the wrong prompt) or when the
/// flow takes more than 50 actions.
pub fn drive<F: Flow>(
    agent: &ureq::Agent,
    now: &dyn Fn() -> SystemTime,
    mut flow: F,
    mut answer: impl FnMut(&Prompt) -> Input,
) -> (Result<F::Output, Error>, Vec<Prompt>) {
    let mut prompts = Vec::new();
    for _ in 0..MAX_STEPS {
        match flow.poll_action() {
            Action::Send(request) => {
                let response = send(agent, request);
                // A refusal ends the flow: the next poll says how.
                let _ = flow.handle_response(now(), response);
            }
            Action::Prompt(prompt) => {
                let input = answer(&prompt);
                prompts.push(prompt);
                if let Err(Error::Misuse(m)) = flow.handle_input(input) {
                    panic!("the test answered wrongly: {m}");
                }
            }
            Action::Done(outcome) => return (Ok(outcome), prompts),
            Action::Failed(error) => return (Err(error), prompts),
            Action::Wait(delay) => std::thread::sleep(delay),
        }
    }
    panic!("the flow did not finish in {MAX_STEPS} steps");
}

/// A prompt callback for flows that must not prompt.
pub fn no_prompt(prompt: &Prompt) -> Input {
    panic!("unexpected prompt {prompt:?}")
}
