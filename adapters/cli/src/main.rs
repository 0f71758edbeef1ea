//! `cognito`: Amazon Cognito User Pools from a terminal, on cognito-flows.
//!
//! Results go to stdout (a token, JSON, a status); prompts, progress and errors to stderr.
//! Secrets never go on the command line: passwords, codes and tokens come from a prompt, from
//! stdin (`--password-stdin`, `--token -`, ...) or from the saved session of the profile.
//!
//! Exit codes: 0 success, 1 Cognito refused (wrong password, bad code, a session that cannot be
//! refreshed, ...), 2 usage or input error, 3 network error, 4 Cognito answered something
//! unusable, 5 the terminal could not be read.

mod cmd;
mod config;
#[cfg(feature = "demo")]
mod demo;
mod explain;
#[cfg(feature = "hosted-ui")]
mod hosted;
mod prompt;
mod store;
mod term;

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use clap::{Args, CommandFactory as _, Parser, Subcommand};
use cognito_flows::Error;
use cognito_flows_ureq::DriveError;

#[derive(Parser)]
#[command(
    name = "cognito",
    version,
    about = "Amazon Cognito User Pools from a terminal",
    long_about = "Amazon Cognito User Pools from a terminal.\n\n\
        Start with `cognito configure`, then `cognito sign-in`; `cognito token` prints a valid \
        access token (refreshed when needed) for `curl -H \"Authorization: Bearer $(cognito token)\" \
        URL`. Against the local emulator, its `/oauth2/userInfo` checks the token and answers the \
        user's attributes: `curl -H \"Authorization: Bearer $(cognito token)\" \
        http://127.0.0.1:9229/oauth2/userInfo`. `cognito status` shows who is signed in; \
        `cognito sign-out` ends the session."
)]
struct Cli {
    #[command(flatten)]
    pool: PoolArgs,
    #[command(subcommand)]
    command: Command,
}

/// What chooses the pool and the client: flags, then environment variables, then the profile.
#[derive(Args, Clone)]
struct PoolArgs {
    /// The profile (a table of config.toml in the config directory).
    #[arg(
        long,
        env = "COGNITO_PROFILE",
        global = true,
        default_value = "default"
    )]
    profile: String,
    /// The user pool id, e.g. us-east-1_AbC123.
    #[arg(long, env = "COGNITO_USER_POOL_ID", global = true)]
    user_pool_id: Option<String>,
    /// The app client id.
    #[arg(long, env = "COGNITO_CLIENT_ID", global = true)]
    client_id: Option<String>,
    /// Read the app client's secret from the first line of stdin (else COGNITO_CLIENT_SECRET,
    /// else the profile's secret store, set by `cognito configure`).
    #[arg(long, global = true, hide = true)]
    client_secret_stdin: bool,
    /// Another endpoint (an emulator, a proxy).
    #[arg(long, env = "COGNITO_ENDPOINT", global = true)]
    endpoint: Option<String>,
    /// The hosted UI's domain, e.g. `https://example.auth.us-east-1.amazoncognito.com`.
    #[arg(long, env = "COGNITO_HOSTED_UI_DOMAIN", global = true)]
    hosted_ui_domain: Option<String>,
    /// Where the session is kept: auto (the OS keyring, else a 0600 file), keyring, file.
    #[arg(long, env = "COGNITO_SESSION_STORE", global = true)]
    session_store: Option<config::StoreChoice>,
}

/// `-`: the value is read from stdin (secrets are never taken on the command line).
#[derive(Clone, Copy, Debug)]
struct FromStdin;

fn stdin_only(s: &str) -> Result<FromStdin, String> {
    if s == "-" {
        Ok(FromStdin)
    } else {
        Err(
            "secrets are never taken on the command line: pass `-` and the value on stdin \
             (or leave the option out to use the saved session)"
                .into(),
        )
    }
}

/// A first factor of a choice-based sign-in, named as Cognito's `PREFERRED_CHALLENGE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Challenge {
    /// A code by email.
    #[value(name = "EMAIL_OTP", alias = "email-otp")]
    EmailOtp,
    /// A code by SMS.
    #[value(name = "SMS_OTP", alias = "sms-otp")]
    SmsOtp,
    /// The password, sent to Cognito.
    #[value(name = "PASSWORD", alias = "password")]
    Password,
    /// The password, proven with SRP.
    #[value(name = "PASSWORD_SRP", alias = "password-srp")]
    PasswordSrp,
}

#[derive(Subcommand)]
enum Command {
    /// Write a profile (pool, client, endpoint, hosted-UI domain) interactively; the client
    /// secret goes to the secret store, never to the config file.
    Configure,
    /// Sign in (SRP by default), answering MFA at the terminal, and save the session. A
    /// remembered device signs in with device SRP next time: no MFA prompt.
    SignIn {
        /// The user name or alias (asked when absent; the saved session's user by default).
        #[arg(long)]
        username: Option<String>,
        /// Read the password from the first line of stdin instead of prompting.
        #[arg(long)]
        password_stdin: bool,
        /// USER_PASSWORD_AUTH instead of SRP.
        #[arg(long)]
        plain_password: bool,
        /// Choice-based sign-in (USER_AUTH): Cognito offers the first factors the pool allows
        /// and the user has (a password, a code by email or SMS) and you pick one.
        #[arg(long, conflicts_with = "plain_password")]
        user_auth: bool,
        /// Choice-based sign-in (USER_AUTH) with this first factor: EMAIL_OTP or SMS_OTP (a
        /// code sent to the user, no password), PASSWORD or PASSWORD_SRP.
        #[arg(
            long,
            value_enum,
            conflicts_with = "plain_password",
            value_name = "CHALLENGE"
        )]
        preferred_challenge: Option<Challenge>,
        /// Save nothing: print the tokens as JSON on stdout instead.
        #[arg(long)]
        no_save: bool,
    },
    /// Sign in through the hosted UI in a browser (code flow with PKCE) and save the session.
    Login {
        /// Use the hosted UI (the only way `login` signs in; `sign-in` uses SRP).
        #[arg(long, required = true)]
        hosted_ui: bool,
        /// Print the URL instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
        /// The loopback port of the redirect `http://localhost:PORT/callback` (the profile's
        /// callback_port, else a random one); register it as a callback URL of the client.
        #[arg(long)]
        port: Option<u16>,
        /// The scopes to ask for.
        #[arg(long = "scope", default_values = ["openid"])]
        scopes: Vec<String>,
        /// Seconds to wait for the browser.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
    /// Print a valid token of the saved session (the access token by default), refreshed
    /// silently when it expires within five minutes (within the last fifth of its lifetime for
    /// tokens that live less than 25 minutes). With --client-credentials, a machine-to-machine
    /// access token of the app client itself instead (no user, no session). Nothing else goes
    /// to stdout.
    Token {
        /// The id token.
        #[arg(long, conflicts_with_all = ["access", "client_credentials"])]
        id: bool,
        /// The access token (the default).
        #[arg(long)]
        access: bool,
        /// The app client's own token (OAuth client credentials): a confidential app client
        /// allowed the client_credentials flow, at the hosted UI domain (else the endpoint).
        /// Its secret comes from COGNITO_CLIENT_SECRET, --client-secret-stdin or the secret
        /// store of `cognito configure`, never from the command line.
        #[arg(long)]
        client_credentials: bool,
        /// A scope to ask for (repeat it); none asks for every scope the app client allows.
        #[arg(long = "scope", requires = "client_credentials")]
        scopes: Vec<String>,
        /// Send the client id and secret in the form body instead of HTTP Basic.
        #[arg(long, requires = "client_credentials")]
        secret_in_body: bool,
    },
    /// The profile, the user, the tokens' expiry, the device and where the session is kept
    /// (never a token).
    Status,
    /// Revoke the refresh token (or, with --global, sign out everywhere) and delete the saved
    /// session. The remembered device is kept (the next sign-in skips MFA) unless
    /// --forget-device.
    #[command(visible_alias = "logout")]
    SignOut {
        /// GlobalSignOut: every token of the user, on every device.
        #[arg(long)]
        global: bool,
        /// Also forget the remembered device, here and at Cognito: the next sign-in asks for
        /// MFA again.
        #[arg(long)]
        forget_device: bool,
    },
    /// Check a token against the pool's JWKS and print the verdict and the claims.
    Verify {
        /// `-`: read the token from stdin (default: the saved session's).
        #[arg(long, value_parser = stdin_only)]
        token: Option<FromStdin>,
        /// The saved session's id token instead of its access token.
        #[arg(long)]
        id: bool,
    },
    /// Decode a token's claims WITHOUT verifying it (see `verify`).
    Whoami {
        /// `-`: read the token from stdin (default: the saved session's).
        #[arg(long, value_parser = stdin_only)]
        token: Option<FromStdin>,
        /// The saved session's id token instead of its access token.
        #[arg(long)]
        id: bool,
    },
    /// New tokens from a refresh token read from stdin, as JSON on stdout (scripts; `token`
    /// refreshes the saved session by itself).
    Refresh {
        /// The name Cognito knows the user by (the access token's `username` claim).
        #[arg(long)]
        username: String,
        /// `-`: the refresh token, read from stdin.
        #[arg(long, value_parser = stdin_only)]
        refresh_token: FromStdin,
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
    /// Confirm a registration with the code sent to the user (asked at the prompt).
    ConfirmSignUp {
        /// The user name.
        #[arg(long)]
        username: String,
        /// Read the code from the first line of stdin.
        #[arg(long, hide = true)]
        code_stdin: bool,
    },
    /// Reset a forgotten password (asks for the code and the new password).
    ForgotPassword {
        /// The user name or alias.
        #[arg(long)]
        username: String,
    },
    /// Change the password of the signed-in user.
    ChangePassword {
        /// `-`: read the access token from stdin (default: the saved session's).
        #[arg(long, value_parser = stdin_only)]
        access_token: Option<FromStdin>,
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
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Run the whole tour against the embedded emulator: sign-up, confirm, SRP sign-in, TOTP
    /// setup, MFA sign-in, remembered device, device sign-in, refresh, forgot password, sign-out.
    Demo,
}

#[derive(Subcommand)]
enum DevicesCommand {
    /// List the devices.
    List {
        /// `-`: read the access token from stdin (default: the saved session's).
        #[arg(long, value_parser = stdin_only)]
        access_token: Option<FromStdin>,
    },
    /// Forget a device.
    Forget {
        /// `-`: read the access token from stdin (default: the saved session's).
        #[arg(long, value_parser = stdin_only)]
        access_token: Option<FromStdin>,
        /// The device to forget.
        #[arg(long)]
        device_key: String,
    },
}

#[derive(Subcommand)]
enum MfaCommand {
    /// Set up an authenticator app and make it the preferred MFA.
    SetupTotp {
        /// `-`: read the access token from stdin (default: the saved session's).
        #[arg(long, value_parser = stdin_only)]
        access_token: Option<FromStdin>,
    },
}

fn parse_attribute(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{s:?} is not name=value"))
}

/// Why the command failed, with its exit code.
pub(crate) enum Failure {
    Usage(String),
    /// The flow failed on something other than Cognito's refusal: an unusable answer, misuse.
    Auth(Error),
    /// Cognito refused, in words, with what to do next (exit 1).
    Cognito(explain::Explained),
    Network(String),
    Terminal(io::Error),
    /// No usable session: the one-line hint says what to run.
    SignInNeeded(String),
    /// Something else refused, in words (exit 1).
    Refused(String),
}

impl Failure {
    fn report(self) -> ExitCode {
        let (code, text) = match self {
            Self::Usage(m) => (2, m),
            Self::Auth(e @ Error::Misuse(_)) => (2, e.to_string()),
            Self::Auth(e) => (4, e.to_string()),
            Self::Cognito(said) => {
                eprint!("{}", said.lines());
                return ExitCode::from(1);
            }
            Self::Network(m) => (3, m),
            Self::Terminal(e) => (5, format!("cannot read the terminal: {e}")),
            Self::SignInNeeded(m) | Self::Refused(m) => (1, m),
        };
        // Errors carry Cognito's messages: printed without their control characters.
        eprintln!("error: {}", term::clean(&text));
        ExitCode::from(code)
    }

    /// Why driving a flow stopped; Cognito's refusals explained with `about` in the hint.
    pub(crate) fn from_drive(e: DriveError, about: explain::About<'_>) -> Self {
        match e {
            DriveError::Transport(e) => Self::Network(format!("could not reach Cognito: {e}")),
            DriveError::Auth(Error::Service(e)) => Self::Cognito(explain::explain(&e, about)),
            DriveError::Auth(e) => Self::Auth(e),
            DriveError::Prompt(e) => match e.downcast::<io::Error>() {
                Ok(e) if e.kind() == io::ErrorKind::TimedOut => Self::Refused(e.to_string()),
                Ok(e) => Self::Terminal(*e),
                Err(e) => Self::Terminal(io::Error::other(e)),
            },
            _ => Self::Usage("unexpected driver error".into()),
        }
    }
}

impl From<DriveError> for Failure {
    fn from(e: DriveError) -> Self {
        Self::from_drive(e, explain::About::default())
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Self::Terminal(e)
    }
}

/// The first line of stdin (a password, a code, a token): held as a secret, the buffer it was
/// read into zeroized.
pub(crate) fn stdin_line() -> Result<cognito_flows::SecretString, Failure> {
    let mut line = zeroize::Zeroizing::new(String::new());
    io::stdin().lock().read_line(&mut line)?;
    Ok(cognito_flows::SecretString::from(
        line.trim_end_matches(['\r', '\n']),
    ))
}

pub(crate) fn print_json(value: &serde_json::Value) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| Failure::Terminal(e.into()))?;
    writeln!(out)?;
    Ok(())
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        #[cfg(feature = "demo")]
        Command::Demo => demo::run().map_err(|e| Failure::Usage(format!("the demo failed: {e}"))),
        #[cfg(not(feature = "demo"))]
        Command::Demo => Err(Failure::Usage(
            "this cognito was built without the `demo` feature: run `cargo demo` in the repository"
                .into(),
        )),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "cognito", &mut io::stdout());
            Ok(())
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut io::stdout())?;
            Ok(())
        }
        command => cmd::Ctx::new(cli.pool)?.run(command),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
