//! Reset a forgotten password: `cargo run -p cognito-flows-ureq --example forgot_password -- POOL_ID CLIENT_ID alice`.

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
        return Err("usage: forgot_password POOL_ID CLIENT_ID USERNAME".into());
    };
    let client = Client::new(UserPool::new(pool_id, client_id.as_str())?);
    client.forgot_password(username, |prompt| match prompt {
        Prompt::PasswordReset { delivery, error } => {
            if let Some(e) = error {
                eprintln!("{e}");
            }
            let code = line(&format!("Code sent to {:?}", delivery.destination))?;
            Ok(Input::PasswordReset {
                code: code.into(),
                password: line("New password")?.into(),
            })
        }
        other => Err(format!("unexpected {}", other.kind()).into()),
    })?;
    eprintln!("done");
    Ok(())
}
