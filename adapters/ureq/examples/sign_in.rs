//! Sign in with SRP, answering MFA on stdin:
//! `cargo run -p cognito-flows-ureq --example sign_in -- us-east-1_AbC123 CLIENT_ID alice`
//! (the password is read from the first line of stdin).

use std::io::{self, BufRead, Write};

use cognito_flows::{Input, Prompt, UserPool};
use cognito_flows_ureq::Client;

fn line(question: &str) -> io::Result<String> {
    eprint!("{question}: ");
    io::stderr().flush()?;
    let mut s = String::new();
    io::stdin().lock().read_line(&mut s)?;
    Ok(s.trim().to_owned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pool_id, client_id, username] = args.as_slice() else {
        return Err("usage: sign_in POOL_ID CLIENT_ID USERNAME".into());
    };
    let client = Client::new(UserPool::new(pool_id, client_id.as_str())?);
    let password = line("Password")?;
    let signed_in = client.sign_in_srp(username, password, |prompt| match prompt {
        Prompt::SmsMfaCode { delivery, .. } => Ok(Input::code(line(&format!(
            "Code sent to {:?}",
            delivery.destination
        ))?)),
        Prompt::TotpCode { .. } => Ok(Input::code(line("Authenticator code")?)),
        Prompt::RememberDevice { .. } => Ok(Input::RememberDevice(
            line("Remember this device? [y/N]")? == "y",
        )),
        other => Err(format!("this example cannot answer {}", other.kind()).into()),
    })?;
    if let Some(id_token) = &signed_in.tokens.id_token {
        println!("{}", id_token.expose());
    }
    Ok(())
}
