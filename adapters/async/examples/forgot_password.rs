//! Reset a forgotten password on tokio and reqwest, reading the answers from stdin without
//! blocking the runtime: `cargo run -p cognito-flows-async --example forgot_password -- POOL_ID
//! CLIENT_ID alice`.

use std::io::{self, BufRead, Write};

use cognito_flows::{Input, Prompt, UserPool};
use cognito_flows_async::Client;

/// Asks on stderr and reads a line of stdin on tokio's blocking pool.
async fn line(question: &'static str) -> io::Result<String> {
    let read = tokio::task::spawn_blocking(move || {
        eprint!("{question}: ");
        io::stderr().flush()?;
        let mut s = String::new();
        io::stdin().lock().read_line(&mut s)?;
        Ok::<_, io::Error>(s.trim().to_owned())
    });
    read.await.map_err(io::Error::other)?
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pool_id, client_id, username] = args.as_slice() else {
        return Err("usage: forgot_password POOL_ID CLIENT_ID USERNAME".into());
    };
    let client = Client::reqwest(UserPool::new(pool_id, client_id.as_str())?)?;
    client
        .forgot_password(username, async |prompt| {
            let Prompt::PasswordReset { delivery, error } = prompt else {
                return Err(format!("unexpected {}", prompt.kind()).into());
            };
            if let Some(e) = error {
                eprintln!("{e}"); // a wrong code or a weak password: asked again
            }
            eprintln!(
                "A code was sent to {}",
                delivery.destination.unwrap_or_default()
            );
            let (code, password) = (line("Code").await?, line("New password").await?);
            Ok(Input::PasswordReset {
                code: code.into(),
                password: password.into(),
            })
        })
        .await?;
    eprintln!("done");
    Ok(())
}
