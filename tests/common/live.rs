//! Driving flows against a live server (moto, the emulator) over ureq, as an adapter would,
//! recording every prompt.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Live servers run on the real clock.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, SystemTime};

use cognito_flows::{Entropy, Error, Flow, Input, Prompt};

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .max_redirects_will_error(false)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

pub fn send(agent: &ureq::Agent, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let response = agent.run(request).expect("the server answers");
    let (parts, mut body) = response.into_parts();
    http::Response::from_parts(parts, body.read_to_vec().unwrap())
}

/// Fresh entropy for each flow of a test (tests need no reproducibility against live servers).
pub fn entropy() -> Entropy {
    use std::sync::atomic::{AtomicU8, Ordering};
    static NEXT: AtomicU8 = AtomicU8::new(1);
    let mut seed = [0u8; 32];
    seed[0] = NEXT.fetch_add(1, Ordering::Relaxed);
    seed[1..9].copy_from_slice(
        &SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            .to_le_bytes()[..8],
    );
    Entropy::from(seed)
}

/// Runs `flow` to its end, answering prompts with `answer`; returns the outcome (or the error)
/// and every prompt seen. The testkit's loop, on the system clock.
pub fn drive<F: Flow>(
    agent: &ureq::Agent,
    flow: F,
    answer: impl FnMut(&Prompt) -> Input,
) -> (Result<F::Output, Error>, Vec<Prompt>) {
    cognito_flows_testkit::drive(agent, &SystemTime::now, flow, answer)
}

/// A prompt callback for flows that must not prompt.
pub fn no_prompt(prompt: &Prompt) -> Input {
    panic!("unexpected prompt {prompt:?}")
}
