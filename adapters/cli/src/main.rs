//! `cognito`: Amazon Cognito User Pools from a terminal, on cognito-flows.
//!
//! Tokens go to stdout as JSON; prompts, progress and errors to stderr. Exit codes: 0 success,
//! 1 Cognito refused (wrong password, bad code, ...), 2 usage or input error, 3 network error,
//! 4 Cognito answered something unusable, 5 the terminal could not be read.

mod demo;
mod prompt;

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use cognito_flows::flows::account::{self, MfaPreferences, NewUser};
use cognito_flows::wire::{AttributeType, MfaSettings};
use cognito_flows::{Error, ForgotPassword, Jwt, Password, SignIn, SignedIn, UserPool};
use cognito_flows_ureq::{DriveError, agent, drive, entropy};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "cognito",
    version,
    about = "Amazon Cognito User Pools from a terminal"
)]
struct Cli {
    #[command(flatten)]
    pool: PoolArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct PoolArgs {
    /// The user pool id, e.g. us-east-1_AbC123.
    #[arg(long, env = "COGNITO_USER_POOL_ID", global = true)]
    user_pool_id: Option<String>,
    /// The app client id.
    #[arg(long, env = "COGNITO_CLIENT_ID", global = true)]
    client_id: Option<String>,
    /// The app client secret, when the client has one.
    #[arg(
        long,
        env = "COGNITO_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    client_secret: Option<String>,
    /// Another endpoint (an emulator, a proxy).
    #[arg(long, env = "COGNITO_ENDPOINT", global = true)]
    endpoint: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Sign in (SRP by default), answering MFA and other challenges at the terminal.
    SignIn {
        /// The user name or alias.
        #[arg(long)]
        username: String,
        /// Read the password from the first line of stdin instead of prompting.
        #[arg(long)]
        password_stdin: bool,
        /// USER_PASSWORD_AUTH instead of SRP.
        #[arg(long)]
        plain_password: bool,
    },
    /// New tokens from a refresh token.
    Refresh {
        /// The name Cognito knows the user by (the access token's `username` claim).
        #[arg(long)]
        username: String,
        /// The refresh token; `-` reads it from stdin.
        #[arg(long)]
        refresh_token: String,
        /// The remembered device's key, if any.
        #[arg(long)]
        device_key: Option<String>,
    },
    /// Register a user.
    SignUp {
        /// The user name.
        #[arg(long)]
        username: String,
        /// Attributes, as name=value.
        #[arg(long = "attribute", value_parser = parse_attribute)]
        attributes: Vec<(String, String)>,
        /// Read the password from the first line of stdin instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Confirm a registration with the code sent to the user.
    ConfirmSignUp {
        /// The user name.
        #[arg(long)]
        username: String,
        /// The code.
        #[arg(long)]
        code: String,
    },
    /// Reset a forgotten password (asks for the code and the new password).
    ForgotPassword {
        /// The user name or alias.
        #[arg(long)]
        username: String,
    },
    /// Change the password of a signed-in user.
    ChangePassword {
        /// The access token; `-` reads it from stdin.
        #[arg(long)]
        access_token: String,
    },
    /// The user's devices.
    Devices {
        #[command(subcommand)]
        command: DevicesCommand,
    },
    /// MFA settings.
    Mfa {
        #[command(subcommand)]
        command: MfaCommand,
    },
    /// Decode a token's claims (no verification).
    Whoami {
        /// An id or access token; `-` reads it from stdin.
        #[arg(long)]
        token: String,
    },
    /// Run the whole tour against the embedded emulator: sign-up, confirm, SRP sign-in, TOTP
    /// setup, MFA sign-in, remembered device, device sign-in, refresh, forgot password, sign-out.
    Demo,
}

#[derive(Subcommand)]
enum DevicesCommand {
    /// List the devices.
    List {
        /// The access token; `-` reads it from stdin.
        #[arg(long)]
        access_token: String,
    },
    /// Forget a device.
    Forget {
        /// The access token; `-` reads it from stdin.
        #[arg(long)]
        access_token: String,
        /// The device to forget.
        #[arg(long)]
        device_key: String,
    },
}

#[derive(Subcommand)]
enum MfaCommand {
    /// Set up an authenticator app and make it the preferred MFA.
    SetupTotp {
        /// The access token; `-` reads it from stdin.
        #[arg(long)]
        access_token: String,
    },
}

fn parse_attribute(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{s:?} is not name=value"))
}

/// Why the command failed, with its exit code.
enum Failure {
    Usage(String),
    Auth(Error),
    Network(String),
    Terminal(io::Error),
}

impl Failure {
    fn report(self) -> ExitCode {
        let (code, text) = match self {
            Self::Usage(m) => (2, m),
            Self::Auth(e @ Error::Service(_)) => (1, e.to_string()),
            Self::Auth(e @ Error::Misuse(_)) => (2, e.to_string()),
            Self::Auth(e) => (4, e.to_string()),
            Self::Network(m) => (3, m),
            Self::Terminal(e) => (5, format!("cannot read the terminal: {e}")),
        };
        eprintln!("error: {text}");
        ExitCode::from(code)
    }
}

impl From<DriveError> for Failure {
    fn from(e: DriveError) -> Self {
        match e {
            DriveError::Transport(e) => Self::Network(format!("could not reach Cognito: {e}")),
            DriveError::Auth(e) => Self::Auth(e),
            DriveError::Prompt(e) => Self::Terminal(match e.downcast::<io::Error>() {
                Ok(e) => *e,
                Err(e) => io::Error::other(e),
            }),
            _ => Self::Usage("unexpected driver error".into()),
        }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Self::Terminal(e)
    }
}

fn pool(args: &PoolArgs) -> Result<UserPool, Failure> {
    let id = args
        .user_pool_id
        .as_deref()
        .ok_or_else(|| Failure::Usage("--user-pool-id is required".into()))?;
    let client = args
        .client_id
        .as_deref()
        .ok_or_else(|| Failure::Usage("--client-id is required".into()))?;
    let mut pool = UserPool::new(id, client).map_err(|e| Failure::Usage(e.to_string()))?;
    if let Some(secret) = &args.client_secret {
        pool = pool.with_client_secret(secret.as_str());
    }
    if let Some(endpoint) = &args.endpoint {
        pool = pool
            .with_endpoint(endpoint)
            .map_err(|e| Failure::Usage(e.to_string()))?;
    }
    Ok(pool)
}

fn stdin_line() -> Result<String, Failure> {
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn value_or_stdin(value: &str) -> Result<String, Failure> {
    if value == "-" {
        stdin_line()
    } else {
        Ok(value.to_owned())
    }
}

fn password(from_stdin: bool, label: &str) -> Result<Password, Failure> {
    if from_stdin {
        return stdin_line().map(Password::from);
    }
    Ok(Password::from(rpassword::prompt_password(format!(
        "{label}: "
    ))?))
}

fn print_json(value: &serde_json::Value) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| Failure::Terminal(e.into()))?;
    writeln!(out)?;
    Ok(())
}

fn tokens_json(signed_in: &SignedIn) -> serde_json::Value {
    let t = &signed_in.tokens;
    let mut out = json!({
        "username": signed_in.username,
        "id_token": t.id_token.as_ref().map(|j| j.expose()),
        "access_token": t.access_token.expose(),
        "refresh_token": t.refresh_token.as_ref().map(|r| r.expose().to_owned()),
        "expires_in": t.expires_in,
    });
    if let Some(device) = &signed_in.device {
        out["device"] = json!({
            "device_key": device.credentials.device_key,
            "device_group_key": device.credentials.device_group_key,
            "device_password": device.credentials.password.expose(),
            "remembered": device.remembered,
        });
    }
    if let Some(gone) = &signed_in.forgotten_device {
        eprintln!("note: Cognito no longer knows device {gone}; forget its stored credentials");
    }
    out
}

fn run(cli: Cli) -> Result<(), Failure> {
    if matches!(cli.command, Command::Demo) {
        return demo::run().map_err(|e| Failure::Usage(format!("the demo failed: {e}")));
    }
    let pool = pool(&cli.pool)?;
    let agent = agent();
    let seed = || entropy().map_err(|e| Failure::Terminal(io::Error::other(e.to_string())));
    match cli.command {
        Command::SignIn {
            username,
            password_stdin,
            plain_password,
        } => {
            let pw = password(password_stdin, "Password")?;
            let flow = if plain_password {
                SignIn::user_password(&pool, &username, pw, seed()?)
            } else {
                SignIn::user_srp(&pool, &username, pw, seed()?)
            };
            let signed_in = drive(&agent, flow, prompt::interactive)?;
            print_json(&tokens_json(&signed_in))
        }
        Command::Refresh {
            username,
            refresh_token,
            device_key,
        } => {
            let token = value_or_stdin(&refresh_token)?;
            let mut builder = SignIn::builder(&pool);
            if let Some(key) = device_key {
                builder = builder.with_device_key(key);
            }
            let flow = builder.refresh(&username, token.into(), seed()?);
            let signed_in = drive(&agent, flow, prompt::interactive)?;
            print_json(&tokens_json(&signed_in))
        }
        Command::SignUp {
            username,
            attributes,
            password_stdin,
        } => {
            let pw = password(password_stdin, "Password")?;
            let mut user = NewUser::new(username, pw);
            user.attributes = attributes
                .into_iter()
                .map(|(k, v)| AttributeType::new(k, v))
                .collect();
            let out = drive(&agent, account::sign_up(&pool, &user), prompt::interactive)?;
            print_json(
                &json!({"user_sub": out.user_sub, "user_confirmed": out.user_confirmed,
                "code_delivery": out.code_delivery_details.map(|d| json!({"destination": d.destination, "medium": d.delivery_medium}))}),
            )
        }
        Command::ConfirmSignUp { username, code } => {
            drive(
                &agent,
                account::confirm_sign_up(&pool, &username, &code, false),
                prompt::interactive,
            )?;
            eprintln!("{username} is confirmed");
            Ok(())
        }
        Command::ForgotPassword { username } => {
            drive(
                &agent,
                ForgotPassword::new(&pool, &username),
                prompt::interactive,
            )?;
            eprintln!("the password of {username} is reset");
            Ok(())
        }
        Command::ChangePassword { access_token } => {
            let token = value_or_stdin(&access_token)?;
            let old = password(false, "Current password")?;
            let new = password(false, "New password")?;
            drive(
                &agent,
                account::change_password(&pool, token.as_str(), &old, &new),
                prompt::interactive,
            )?;
            eprintln!("password changed");
            Ok(())
        }
        Command::Devices {
            command: DevicesCommand::List { access_token },
        } => {
            let token = value_or_stdin(&access_token)?;
            let mut devices = Vec::new();
            let mut page: Option<String> = None;
            loop {
                let out = drive(
                    &agent,
                    account::list_devices(&pool, token.as_str(), Some(60), page.as_deref()),
                    prompt::interactive,
                )?;
                devices.extend(out.devices.iter().map(|d| json!({
                    "device_key": d.device_key, "name": d.attribute("device_name"),
                    "remembered": d.attribute("dev:device_remembered_status"), "last_authenticated": d.device_last_authenticated_date,
                })));
                match out.pagination_token {
                    Some(next) => page = Some(next),
                    None => break,
                }
            }
            print_json(&json!(devices))
        }
        Command::Devices {
            command:
                DevicesCommand::Forget {
                    access_token,
                    device_key,
                },
        } => {
            let token = value_or_stdin(&access_token)?;
            drive(
                &agent,
                account::forget_device(&pool, token.as_str(), &device_key),
                prompt::interactive,
            )?;
            eprintln!("device {device_key} forgotten");
            Ok(())
        }
        Command::Mfa {
            command: MfaCommand::SetupTotp { access_token },
        } => {
            let token = value_or_stdin(&access_token)?;
            let associated = drive(
                &agent,
                account::associate_software_token(&pool, token.as_str()),
                prompt::interactive,
            )?;
            let secret = associated
                .secret_code
                .ok_or_else(|| Failure::Usage("Cognito sent no secret".into()))?;
            let account_name = Jwt::decode(token.as_str())
                .ok()
                .and_then(|j| j.claims().username().map(str::to_owned))
                .unwrap_or_default();
            eprintln!("secret: {}", secret.expose());
            eprintln!(
                "uri:    {}",
                cognito_flows::totp::otpauth_uri(secret.expose(), "Cognito", &account_name)
                    .expose()
            );
            let code = prompt::ask("Code from the authenticator")?;
            drive(
                &agent,
                account::verify_software_token(&pool, token.as_str(), &code, Some("cognito CLI")),
                prompt::interactive,
            )?;
            let on = Some(MfaSettings {
                enabled: true,
                preferred_mfa: true,
            });
            drive(
                &agent,
                account::set_user_mfa_preference(
                    &pool,
                    token.as_str(),
                    MfaPreferences {
                        totp: on,
                        ..Default::default()
                    },
                ),
                prompt::interactive,
            )?;
            eprintln!("TOTP MFA is set up and preferred");
            Ok(())
        }
        Command::Whoami { token } => {
            let token = value_or_stdin(&token)?;
            let jwt = Jwt::decode(token).map_err(|e| Failure::Usage(e.to_string()))?;
            print_json(&serde_json::Value::Object(jwt.claims().as_map().clone()))
        }
        Command::Demo => Ok(()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
