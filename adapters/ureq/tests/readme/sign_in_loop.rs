use std::io::BufRead as _;
use std::time::SystemTime;

use cognito_flows::{Action, Flow, Input, Prompt, SignIn, UserPool};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pool = UserPool::new(
        &std::env::var("COGNITO_USER_POOL_ID")?,
        std::env::var("COGNITO_CLIENT_ID")?,
    )?;
    if let Ok(endpoint) = std::env::var("COGNITO_ENDPOINT") {
        pool = pool.with_endpoint(&endpoint)?; // the emulator
    }
    let password = std::env::var("COGNITO_PASSWORD")?; // never on the command line
    let agent = cognito_flows_ureq::agent(); // no redirects; Cognito's errors come back as answers
    let mut flow = SignIn::user_srp(&pool, "alice", password, cognito_flows_ureq::entropy()?);
    let signed_in = loop {
        match flow.poll_action() {
            Action::Send(request) => {
                let response = cognito_flows_ureq::send(&agent, request)?;
                let _ = flow.handle_response(SystemTime::now(), response); // see poll_action
            }
            Action::Prompt(prompt) => {
                if let Err(refused) = flow.handle_input(ask(&prompt)?) {
                    eprintln!("{refused}"); // e.g. an empty code; the same prompt comes next
                }
            }
            Action::Wait(delay) => std::thread::sleep(delay), // only from the retry wrapper
            Action::Done(signed_in) => break signed_in,
            Action::Failed(error) => return Err(error.into()),
        }
    };
    println!("signed in as {}", signed_in.username);
    Ok(())
}

/// Asks on the terminal; a prompt that comes back after Cognito's answer carries its error.
/// The end of the input (a closed stdin) stops the program: it never answers for the user.
fn ask(prompt: &Prompt) -> Result<Input, Box<dyn std::error::Error>> {
    if let Some(error) = prompt.error() {
        eprintln!("{error}");
    }
    let question = match prompt {
        Prompt::SmsMfaCode { .. } | Prompt::TotpCode { .. } | Prompt::EmailOtpCode { .. } => {
            prompt.kind()
        }
        Prompt::RememberDevice { .. } => "remember this device, so that it skips MFA? [y/N]",
        other => return Err(format!("this program cannot answer {}", other.kind()).into()),
    };
    eprint!("{question}: ");
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        return Err("no answer: the input has ended".into());
    }
    let line = line.trim();
    Ok(match prompt {
        Prompt::RememberDevice { .. } => Input::RememberDevice(line.eq_ignore_ascii_case("y")),
        _ => Input::code(line),
    })
}
