//! Sign in with SRP on tokio and reqwest, answering MFA on stdin:
//! `cargo run -p cognito-flows-async --example sign_in -- POOL_ID CLIENT_ID alice` (password on stdin).

use std::io::{self, BufRead, Write};

use cognito_flows::{Input, Prompt, UserPool};
use cognito_flows_async::Client;

fn line(question: &str) -> io::Result<String> {
    eprint!("{question}: ");
    io::stderr().flush()?;
    let mut s = String::new();
    io::stdin().lock().read_line(&mut s)?;
    Ok(s.trim().to_owned())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pool_id, client_id, username] = args.as_slice() else {
        return Err("usage: sign_in POOL_ID CLIENT_ID USERNAME".into());
    };
    let client = Client::reqwest(UserPool::new(pool_id, client_id.as_str())?)?;
    let signed_in = client
        .sign_in_srp(username, line("Password")?, async |prompt| match prompt {
            Prompt::SmsMfaCode { .. } | Prompt::TotpCode { .. } => Ok(Input::code(line("Code")?)),
            other => Err(format!("cannot answer {}", other.kind()).into()),
        })
        .await?;
    if let Some(id_token) = &signed_in.tokens.id_token {
        println!("{}", id_token.expose());
    }
    Ok(())
}
