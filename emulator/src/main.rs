//! `cognito-emulator`: runs the emulator on 127.0.0.1 with one user pool, its app clients and
//! users, set up from flags or a small config file; prints one JSON line on stdout saying how to
//! reach them; stops cleanly on SIGTERM or Ctrl-C.
//!
//! ```text
//! $ cognito-emulator --config emulator/cognito-emulator.example.toml
//! {"endpoint":"http://127.0.0.1:41234/","region":"us-east-1","pool_id":"us-east-1_AbCdEfGhI",...}
//! ```
//!
//! Everything a test script needs is in that first line of stdout; the rest of the output (what
//! was set up, the codes as they are sent) goes to stderr.
//!
//! The state is kept in `.cognito-emulator/` in the working directory (`--data DIR`, `--memory`):
//! a restart brings back the pool, its clients and users, and prints the same line.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser};
use cognito_flows_emulator::OPERATIONS;
use cognito_flows_emulator::config::{self, DeviceSetting, Failure, Flags, MfaSetting};

const AFTER_HELP: &str = "\
Output: the first line on stdout is one JSON object, for test scripts in any language:
  {\"endpoint\": \"http://127.0.0.1:PORT/\", \"region\": \"us-east-1\", \"pool_id\": \"us-east-1_...\",
   \"client_id\": \"...\", \"client_secret\": null, \"clients\": [{\"name\": \"default\", \"client_id\": \"...\",
   \"client_secret\": null}], \"users\": [\"alice\"], \"issuer\": \"https://cognito-idp.REGION.amazonaws.com/POOL\",
   \"jwks_uri\": \"http://127.0.0.1:PORT/POOL/.well-known/jwks.json\"}
  client_id / client_secret are those of the first client. Passwords are never printed.
  Everything else (what was set up, codes as they are sent) goes to stderr.

Without --config and --user, one confirmed user `alice` is created, with the password in
$COGNITO_EMULATOR_PASSWORD or else Passw0rd!. Passwords are never taken on the command line.

Config file (TOML; JSON when the name ends in .json). Every key is optional; unknown keys are
errors. Flags override the file (and apply to every pool and client). See
emulator/cognito-emulator.example.toml, which documents every key.
  port = 0                          # 0 picks a free port
  region = \"us-east-1\"
  seed = \"any text\"                 # makes ids, codes and salts reproducible
  log_codes = true                  # print each code to stderr as it is sent
  account_id = \"000000000000\"       # the AWS account in ARNs (moto's suites: 123456789012)
  empty = false                     # true: no pool at start, as moto (no [pool] then)
  [pool]
  name = \"example\"
  mfa = \"off\" | \"optional\" | \"required\"
  device_tracking = \"off\" | \"always\" | \"user-opt-in\"
  custom_attributes = [\"tenant\"]     # declares custom:tenant
  fixed_code = \"123456\"             # every code sent is this one (else random, in the outbox)
  [pool.webhooks]                   # Lambda triggers as HTTP webhooks (POST of the event JSON)
  define_auth_challenge = \"http://127.0.0.1:8000/define\"
  create_auth_challenge = \"http://127.0.0.1:8000/create\"
  verify_auth_challenge_response = \"http://127.0.0.1:8000/verify\"
  pre_sign_up = \"http://127.0.0.1:8000/pre-sign-up\"
  post_confirmation = \"http://127.0.0.1:8000/post-confirmation\"
  pre_token_generation = \"http://127.0.0.1:8000/pre-token\"
  pre_authentication = \"http://127.0.0.1:8000/pre-auth\"
  post_authentication = \"http://127.0.0.1:8000/post-auth\"
  custom_message = \"http://127.0.0.1:8000/custom-message\"
  timeout_ms = 5000                 # Cognito's 5 s
  [pool.password_policy]            # Cognito's default: 8, and all four classes
  minimum_length = 8                # 6 to 99
  require_uppercase = true
  require_lowercase = true
  require_numbers = true
  require_symbols = true
  [[clients]]                       # none: one client named \"default\"
  name = \"web\"
  secret = false                    # true: every call naming a user needs SECRET_HASH;
                                    # \"...\": that secret (24 to 64 of [A-Za-z0-9_+])
  prevent_user_existence_errors = true  # false: unknown users get UserNotFoundException
  callback_urls = [\"http://localhost:3000/callback\"]  # the hosted UI's redirect_uri, exact
  logout_urls = [\"http://localhost:3000/\"]  # /logout's logout_uri, exact
  explicit_auth_flows = [\"ALLOW_USER_SRP_AUTH\", \"ALLOW_REFRESH_TOKEN_AUTH\"]  # absent: all
  allowed_oauth_flows = [\"code\"]
  allowed_oauth_scopes = [\"openid\", \"email\"]
  access_token_validity_minutes = 60  # 5 to 1440; id_token_validity_minutes too
  refresh_token_validity_days = 30    # 1 to 3650
  refresh_token_rotation_grace_seconds = 10  # turns refresh-token rotation on (0 to 60)
  [[resource_servers]]              # custom scopes, as CreateResourceServer makes them
  identifier = \"orders\"             # scopes are orders/read, ...
  name = \"Orders API\"
  scopes = [{ name = \"read\", description = \"Read orders\" }]
  [[clients]]                       # a service: OAuth client credentials at /oauth2/token
  name = \"orders-service\"
  secret = true                     # needed by client_credentials
  allowed_oauth_flows = [\"client_credentials\"]  # alone: not with code or implicit
  allowed_oauth_scopes = [\"orders/read\"]  # resource servers' scopes only
  [[groups]]
  name = \"admins\"
  precedence = 1                    # cognito:groups lists the lowest first
  description = \"...\"
  role_arn = \"arn:aws:iam::000000000000:role/admin\"
  [[users]]
  username = \"alice\"
  password = \"Passw0rd!\"
  temporary = false                 # true: NEW_PASSWORD_REQUIRED at first sign-in
  confirmed = true                  # false: UNCONFIRMED, as after SignUp
  enabled = true                    # false: \"User is disabled.\"
  sms_mfa = false                   # true: SMS_MFA at sign-in (needs pool.mfa)
  totp_secret = \"BASE32...\"         # a TOTP authenticator with this secret (needs pool.mfa)
  groups = [\"admins\"]
  attributes = { email = \"alice@example.com\", email_verified = \"true\" }
  [[pools]]                         # more pools: the keys of [pool], with their own
  name = \"second\"                   # clients, groups, users, resource_servers inside
  [[pools.clients]]
  name = \"app\"
  The line's pool_id, client_id and users are the first pool's; \"pools\" lists every pool:
  [{\"name\", \"pool_id\", \"issuer\", \"jwks_uri\", \"clients\": [...], \"users\": [...]}].

Codes: every code sent (sign-up, password reset, attribute verification, SMS MFA) is printed to
stderr and served as JSON at GET {endpoint}_emulator/outbox?username=NAME, as
{\"messages\": [{\"pool_id\", \"username\", \"medium\", \"destination\", \"purpose\", \"code\"}]},
oldest first. The JWKS is at jwks_uri, beside {endpoint}POOL/.well-known/openid-configuration.

Test controls (loopback only): POST {endpoint}_emulator/reset (or /moto-api/reset) brings back
the state right after the set-up; GET/POST {endpoint}_emulator/clock reads the clock or moves it
({\"advance_seconds\": N} or {\"set\": UNIX_SECONDS}); POST {endpoint}_emulator/faults with
{\"operation\": \"InitiateAuth\", \"error\": \"TooManyRequestsException\", \"count\": N} makes the next
N calls answer that error, with {\"operation\": \"SignUp\", \"trigger\": \"timeout\", \"count\": N}
the next N trigger (webhook) calls of that operation time out.

Data: the state (pools, clients, users, devices, token revocations, the outbox) is kept in
DIR/emulator.sqlite3 (--data DIR, by default .cognito-emulator in the working directory), each
change committed before its answer is sent, so it survives a restart or a kill. When DIR already
holds state, the set-up of the flags and config file is skipped: the pool, clients and users of
the first start come back, and the first line is printed as then (with the endpoint of this run;
DIR/setup.json keeps it). Delete DIR to start afresh; --memory keeps nothing. Sign-in sessions
(3 minutes) and OAuth codes are not kept. One emulator at a time per DIR.

Exit codes: 0 stopped by SIGTERM/SIGINT, 1 could not start, 2 bad flags or config.

The admin API is there too (no signature needed; SigV4 headers are ignored): create pools,
clients, users and groups over HTTP with boto3, the AWS SDKs or curl.";

/// The help's epilogue: [`AFTER_HELP`] and the operations the emulator answers.
fn after_help() -> String {
    let mut text = format!(
        "{AFTER_HELP}\n\nOperations (X-Amz-Target AWSCognitoIdentityProviderService.NAME):\n"
    );
    let mut line = String::from(" ");
    for name in OPERATIONS {
        if line.len() + name.len() > 98 {
            text.push_str(&line);
            text.push('\n');
            line = String::from(" ");
        }
        line.push(' ');
        line.push_str(name);
    }
    text.push_str(&line);
    text
}

/// A local Amazon Cognito User Pools emulator on 127.0.0.1 that really verifies SRP.
#[derive(Parser, Debug)]
#[command(name = "cognito-emulator", version, about)]
struct Cli {
    /// A config file (TOML, or JSON when the name ends in .json).
    #[arg(long, short, env = "COGNITO_EMULATOR_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// The port on 127.0.0.1 (0: a free one) [default: 0].
    #[arg(long)]
    port: Option<u16>,
    /// The region in pool ids and the issuer [default: us-east-1].
    #[arg(long)]
    region: Option<String>,
    /// Any text: makes every id, code, salt and SRP value reproducible.
    #[arg(long, value_name = "TEXT")]
    seed: Option<String>,
    /// The pool's MFA.
    #[arg(long, value_enum)]
    mfa: Option<MfaSetting>,
    /// The pool's device tracking.
    #[arg(long, value_enum)]
    device_tracking: Option<DeviceSetting>,
    /// Gives every app client a secret.
    #[arg(long)]
    client_secret: bool,
    /// PreventUserExistenceErrors of every app client [default: true].
    #[arg(long, value_name = "BOOL")]
    prevent_user_existence_errors: Option<bool>,
    /// A callback URL of every app client, for the hosted UI (repeatable).
    #[arg(long, value_name = "URL")]
    callback_url: Vec<String>,
    /// Every code the pool sends is this one (for suites that cannot read the outbox).
    #[arg(long, value_name = "CODE")]
    fixed_code: Option<String>,
    /// Creates this confirmed user (repeatable), with the password in $COGNITO_EMULATOR_PASSWORD
    /// or else Passw0rd!.
    #[arg(long, value_name = "NAME")]
    user: Vec<String>,
    /// Keeps the state in DIR, across restarts [default: .cognito-emulator].
    #[arg(
        long,
        env = "COGNITO_EMULATOR_DATA",
        value_name = "DIR",
        conflicts_with = "memory"
    )]
    data: Option<PathBuf>,
    /// Keeps nothing: the state is in memory only, and gone when the emulator stops.
    #[arg(long)]
    memory: bool,
    /// A host name the emulator answers besides the loopback ones (localhost, 127.0.0.1, ::1); repeatable.
    #[arg(long, value_name = "NAME")]
    allow_host: Vec<String>,
    /// The AWS account in ARNs, twelve digits [default: 000000000000] (moto's suites expect 123456789012).
    #[arg(long, value_name = "ID")]
    account_id: Option<String>,
    /// Starts with no user pool, as moto does: suites create their own, and a reset empties it.
    #[arg(long)]
    empty: bool,
}

impl From<Cli> for Flags {
    fn from(cli: Cli) -> Self {
        Flags {
            config: cli.config,
            port: cli.port,
            region: cli.region,
            seed: cli.seed,
            mfa: cli.mfa,
            device_tracking: cli.device_tracking,
            client_secret: cli.client_secret,
            prevent_user_existence_errors: cli.prevent_user_existence_errors,
            callback_url: cli.callback_url,
            fixed_code: cli.fixed_code,
            user: cli.user,
            data: cli.data,
            memory: cli.memory,
            allow_host: cli.allow_host,
            account_id: cli.account_id,
            empty: cli.empty,
        }
    }
}

fn main() -> ExitCode {
    let matches = Cli::command().after_help(after_help()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Installed first, so that a signal during the set-up stops the emulator as soon as it runs.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    }) {
        eprintln!("cognito-emulator: cannot handle signals: {e}");
        return ExitCode::from(1);
    }
    let password = std::env::var("COGNITO_EMULATOR_PASSWORD").ok();
    let running = match config::plan(cli.into(), password).and_then(config::start) {
        Ok(running) => running,
        Err(Failure::Config(why)) => {
            eprintln!("cognito-emulator: {why}");
            return ExitCode::from(2);
        }
        Err(Failure::Start(why)) => {
            eprintln!("cognito-emulator: {why}");
            return ExitCode::from(1);
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", running.line)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("cognito-emulator: cannot write to stdout");
        return ExitCode::from(1);
    }
    drop(stdout);
    eprintln!(
        "cognito-emulator: listening on {}",
        running.emulator.endpoint()
    );
    for line in &running.summary {
        eprintln!("cognito-emulator: {line}");
    }
    // Every sender lives in the signal handler, which is never removed: recv returns on a signal.
    let _ = stop_rx.recv();
    eprintln!("cognito-emulator: stopping");
    drop(running);
    ExitCode::SUCCESS
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_become_the_library_flags_and_passwords_stay_off_the_command_line() {
        let cli = Cli::try_parse_from([
            "cognito-emulator",
            "--mfa",
            "required",
            "--user",
            "carol",
            "--callback-url",
            "http://localhost/cb",
        ])
        .unwrap();
        let flags = Flags::from(cli);
        assert_eq!(flags.mfa, Some(MfaSetting::Required));
        assert_eq!(flags.device_tracking, None::<DeviceSetting>);
        assert_eq!(flags.user, ["carol"]);
        assert_eq!(flags.callback_url, ["http://localhost/cb"]);
        assert!(Cli::try_parse_from(["cognito-emulator", "--password", "x"]).is_err());
    }
}
