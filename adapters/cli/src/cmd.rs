//! The commands that talk to Cognito, over one context: the profile (flags and environment
//! variables over config.toml), its secret store, and one HTTP agent.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_flows::flows::Refresh;
use cognito_flows::flows::account::{self, MfaPreferences, NewUser};
use cognito_flows::flows::client_credentials::{ClientAuth, ClientCredentials};
use cognito_flows::flows::hosted_ui::OAuthErrorCode;
use cognito_flows::flows::sign_in::FirstFactor;
use cognito_flows::verify::{Verifier, VerifyOptions};
use cognito_flows::wire::{AttributeType, MfaSettings};
use cognito_flows::{
    DeviceCredentials, ErrorKind, ForgotPassword, Input, Jwt, Password, Prompt, SecretString,
    SignIn, SignedIn, StoredSession, Tokens, UserPool,
};
use cognito_flows_ureq::{DriveError, PromptError, driver_with, entropy, no_prompt};
use serde_json::json;

use crate::config::{self, Config, Dirs, Profile, StoreChoice};
use crate::explain::About;
use crate::store::Secrets;
use crate::{
    Challenge, Command, DevicesCommand, Failure, FromStdin, MfaCommand, PoolArgs, print_json,
    prompt, stdin_line, term,
};

/// How `cognito sign-in` signs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// `USER_SRP_AUTH` (the default).
    Srp,
    /// `USER_PASSWORD_AUTH` (`--plain-password`).
    Plain,
    /// `USER_AUTH`, with a preferred first factor (`--preferred-challenge`) or the choice
    /// Cognito offers (`--user-auth`).
    UserAuth(Option<Challenge>),
}

impl Method {
    /// Whether the password is asked before the first request.
    fn asks_password(self) -> bool {
        match self {
            Self::Srp | Self::Plain => true,
            Self::UserAuth(challenge) => {
                matches!(
                    challenge,
                    Some(Challenge::Password | Challenge::PasswordSrp)
                )
            }
        }
    }
}

/// `cognito token` refreshes a token that expires within five minutes, or within a fifth of the
/// tokens' lifetime when that is shorter (see [`margin`]).
pub(crate) const MARGIN: Duration = Duration::from_secs(300);

/// How many times `cognito sign-in` asks for the password before it gives up (as `sudo` does).
pub(crate) const PASSWORD_TRIES: u32 = 3;

/// How long before its tokens expire a session is refreshed: [`MARGIN`], or a fifth of the
/// tokens' lifetime (their `exp - iat`, else `expires_in`) when that is shorter, so tokens that
/// live five minutes (Cognito's shortest) are used for four minutes instead of refreshed on
/// every call.
pub(crate) fn margin(tokens: &Tokens) -> Duration {
    let claims = tokens
        .id_token
        .iter()
        .chain([&tokens.access_token])
        .filter_map(|t| Some(t.claims().exp()? - t.claims().iat()?))
        .min();
    match claims.or(tokens.expires_in) {
        Some(lifetime) => {
            let fifth = Duration::from_secs(u64::try_from(lifetime.max(0)).unwrap_or(0) / 5);
            fifth.min(MARGIN)
        }
        None => MARGIN,
    }
}

/// One command's context.
pub(crate) struct Ctx {
    args: PoolArgs,
    dirs: Dirs,
    config: Config,
    /// The profile, flags and environment variables over config.toml.
    profile: Profile,
    agent: ureq::Agent,
    /// ` --profile NAME` for hints, empty for the default profile.
    flag: String,
}

fn seed() -> Result<cognito_flows::Entropy, Failure> {
    entropy().map_err(|e| Failure::Usage(format!("no randomness from the OS: {e}")))
}

fn password(from_stdin: bool, label: &str) -> Result<Password, Failure> {
    if from_stdin {
        return stdin_line().map(|line| Password::from(line.expose()));
    }
    Ok(Password::from(rpassword::prompt_password(format!(
        "{label}: "
    ))?))
}

fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// "in 54m", "3m ago".
fn relative(seconds: i64) -> String {
    let (n, unit) = match seconds.unsigned_abs() {
        s if s < 120 => (s, "s"),
        s if s < 7200 => (s / 60, "m"),
        s if s < 172_800 => (s / 3600, "h"),
        s => (s / 86_400, "d"),
    };
    if seconds >= 0 {
        format!("in {n}{unit}")
    } else {
        format!("{n}{unit} ago")
    }
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
    out
}

impl Ctx {
    pub fn new(args: PoolArgs) -> Result<Self, Failure> {
        config::check_profile_name(&args.profile).map_err(Failure::Usage)?;
        let dirs = Dirs::platform()?;
        let config =
            Config::load(&dirs.config_file()).map_err(|e| Failure::Usage(e.to_string()))?;
        let stored = config
            .profiles
            .get(&args.profile)
            .cloned()
            .unwrap_or_default();
        // Flags and environment variables over the profile.
        let pick = |given: &Option<String>, saved: Option<String>| given.clone().or(saved);
        let profile = Profile {
            user_pool_id: pick(&args.user_pool_id, stored.user_pool_id),
            client_id: pick(&args.client_id, stored.client_id),
            endpoint: pick(&args.endpoint, stored.endpoint),
            hosted_ui_domain: pick(&args.hosted_ui_domain, stored.hosted_ui_domain),
            callback_port: stored.callback_port,
            session_store: args.session_store.or(stored.session_store),
        };
        let flag = if args.profile == "default" {
            String::new()
        } else {
            format!(" --profile {}", args.profile)
        };
        Ok(Self {
            args,
            dirs,
            config,
            profile,
            agent: cognito_flows_ureq::agent(),
            flag,
        })
    }

    fn profile_flag(&self) -> &str {
        &self.flag
    }

    fn hint(&self) -> String {
        format!("run `cognito sign-in{}`", self.profile_flag())
    }

    fn secrets(&self) -> Result<Secrets, Failure> {
        let choice = self.profile.session_store.unwrap_or(StoreChoice::Auto);
        Secrets::open(choice, &self.dirs, &self.args.profile).map_err(Failure::Usage)
    }

    /// The client secret: `--client-secret-stdin`, `COGNITO_CLIENT_SECRET`, the secret store.
    fn client_secret(&self, secrets: &Secrets) -> Result<Option<SecretString>, Failure> {
        if self.args.client_secret_stdin {
            return stdin_line().map(Some);
        }
        if let Ok(secret) = std::env::var("COGNITO_CLIENT_SECRET") {
            return Ok(Some(SecretString::from(secret)));
        }
        Ok(secrets.client_secret()?)
    }

    fn pool_with(&self, secrets: &Secrets) -> Result<UserPool, Failure> {
        let missing = |what: &str| {
            Failure::Usage(format!(
                "no {what}: run `cognito configure{}`, or pass --{what}",
                self.profile_flag()
            ))
        };
        let id = self
            .profile
            .user_pool_id
            .as_deref()
            .ok_or_else(|| missing("user-pool-id"))?;
        let client = self
            .profile
            .client_id
            .as_deref()
            .ok_or_else(|| missing("client-id"))?;
        let mut pool = UserPool::new(id, client).map_err(|e| Failure::Usage(e.to_string()))?;
        if let Some(secret) = self.client_secret(secrets)? {
            pool = pool.with_client_secret(secret.expose());
        }
        if let Some(endpoint) = &self.profile.endpoint {
            pool = pool
                .with_endpoint(endpoint)
                .map_err(|e| Failure::Usage(e.to_string()))?;
        }
        Ok(pool)
    }

    fn drive<F: cognito_flows::Flow + Send>(
        &self,
        flow: F,
        answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
    ) -> Result<F::Output, Failure>
    where
        F::Output: Send,
    {
        self.drive_as(None, flow, answer)
    }

    /// [`Ctx::drive`] for a command that names `username`: Cognito's refusals are explained with
    /// hints that name it.
    fn drive_as<F: cognito_flows::Flow + Send>(
        &self,
        username: Option<&str>,
        flow: F,
        answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
    ) -> Result<F::Output, Failure>
    where
        F::Output: Send,
    {
        self.drive_raw(flow, answer)
            .map_err(|e| Failure::from_drive(e, self.about(username)))
    }

    fn drive_raw<F: cognito_flows::Flow + Send>(
        &self,
        flow: F,
        answer: impl FnMut(Prompt) -> Result<Input, PromptError>,
    ) -> Result<F::Output, DriveError>
    where
        F::Output: Send,
    {
        // Retried by the library's rules, as its Client is.
        driver_with(|request| term::send(&self.agent, request)).run(flow, answer)
    }

    /// `cognito token --client-credentials`: the app client's machine-to-machine access token,
    /// printed alone. Not kept: each run asks for a new one.
    fn client_credentials_token(
        &self,
        scopes: Vec<String>,
        secret_in_body: bool,
    ) -> Result<(), Failure> {
        let client_id = self.profile.client_id.as_deref().ok_or_else(|| {
            Failure::Usage(format!(
                "no client-id: run `cognito configure{}`, or pass --client-id",
                self.profile_flag()
            ))
        })?;
        let domain = self
            .profile
            .hosted_ui_domain
            .as_deref()
            .or(self.profile.endpoint.as_deref())
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "no hosted UI domain: run `cognito configure{}` or pass --hosted-ui-domain",
                    self.profile_flag()
                ))
            })?;
        let secret = self.client_secret(&self.secrets()?)?.ok_or_else(|| {
            Failure::Usage(
                "no client secret: set COGNITO_CLIENT_SECRET, pass --client-secret-stdin with \
                 the secret on stdin, or store it with `cognito configure`"
                    .into(),
            )
        })?;
        let auth = if secret_in_body {
            ClientAuth::Body
        } else {
            ClientAuth::Basic
        };
        let credentials = ClientCredentials::new(domain, client_id, secret.expose())
            .map_err(|e| Failure::Usage(e.to_string()))?
            .with_auth(auth)
            .with_scopes(scopes);
        let token = match self.drive_raw(credentials.token(), no_prompt) {
            Ok(token) => token,
            // The token endpoint's refusals (invalid_client, unauthorized_client,
            // invalid_scope): Cognito said no, about the app client's settings or its secret.
            Err(DriveError::Auth(cognito_flows::Error::OAuth(e))) => {
                let hint = match e.code {
                    OAuthErrorCode::InvalidClient => "check the client id and its secret",
                    OAuthErrorCode::UnauthorizedClient => {
                        "the app client needs a secret and the client_credentials OAuth flow \
                         (alone)"
                    }
                    OAuthErrorCode::InvalidScope => {
                        "ask only for scopes the app client is allowed (resource-server/scope)"
                    }
                    _ => "check the app client's OAuth settings",
                };
                let said = e
                    .description
                    .as_deref()
                    .map(|d| format!(": {}", term::clean(d)))
                    .unwrap_or_default();
                return Err(Failure::Refused(format!(
                    "Cognito refused the client credentials ({}){said}; {hint}",
                    term::clean(e.code.as_str())
                )));
            }
            Err(e) => return Err(Failure::from_drive(e, self.about(None))),
        };
        println!("{}", token.access_token.expose());
        Ok(())
    }

    fn about<'a>(&'a self, username: Option<&'a str>) -> About<'a> {
        About {
            username,
            profile_flag: &self.flag,
        }
    }

    pub fn run(self, command: Command) -> Result<(), Failure> {
        match command {
            Command::Configure => self.configure(),
            Command::SignIn {
                username,
                password_stdin,
                plain_password,
                user_auth,
                preferred_challenge,
                no_save,
            } => {
                let method = match (preferred_challenge, user_auth) {
                    (Some(challenge), _) => Method::UserAuth(Some(challenge)),
                    (None, true) => Method::UserAuth(None),
                    (None, false) if plain_password => Method::Plain,
                    (None, false) => Method::Srp,
                };
                self.sign_in(username, password_stdin, method, no_save)
            }
            Command::Login {
                hosted_ui: _,
                no_browser,
                port,
                scopes,
                timeout,
            } => self.login(no_browser, port, scopes, Duration::from_secs(timeout)),
            Command::Token {
                client_credentials: true,
                scopes,
                secret_in_body,
                ..
            } => self.client_credentials_token(scopes, secret_in_body),
            Command::Token { id, .. } => {
                let secrets = self.secrets()?;
                let session = self.fresh_session(&secrets)?;
                let token = if id {
                    session.tokens.id_token.as_ref().ok_or_else(|| {
                        Failure::Refused("the saved session has no id token".into())
                    })?
                } else {
                    &session.tokens.access_token
                };
                println!("{}", token.expose());
                Ok(())
            }
            Command::Status => self.status(),
            Command::SignOut {
                global,
                forget_device,
            } => self.sign_out(global, forget_device),
            Command::Verify { token, id } => self.verify(token, id),
            Command::Whoami { token, id } => {
                let token = self.token_for_reading(token, id)?;
                let jwt = Jwt::decode(token).map_err(|e| Failure::Usage(e.to_string()))?;
                eprintln!(
                    "note: decoded WITHOUT verifying the signature (`cognito verify` checks it)"
                );
                print_json(&term::clean_json(&serde_json::Value::Object(
                    jwt.claims().as_map().clone(),
                )))
            }
            Command::Refresh {
                username,
                refresh_token: FromStdin,
                device_key,
            } => {
                let secrets = self.secrets()?;
                let pool = self.pool_with(&secrets)?;
                let token = stdin_line()?;
                // The core's one refresh, by the pool's method (`GetTokensFromRefreshToken`,
                // which app clients that rotate refresh tokens accept), as `token` refreshes.
                let mut flow = Refresh::new(&pool, &username, token.expose().into());
                if let Some(key) = device_key {
                    flow = flow.with_device_key(key);
                }
                let signed_in = self.drive(flow, no_prompt)?;
                print_json(&tokens_json(&signed_in))
            }
            Command::SignUp {
                username,
                attributes,
                password_stdin,
            } => {
                let pool = self.pool_with(&self.secrets()?)?;
                let pw = password(password_stdin, "Password")?;
                let mut user = NewUser::new(username, pw);
                user.attributes = attributes
                    .into_iter()
                    .map(|(k, v)| AttributeType::new(k, v))
                    .collect();
                let out = self.drive(account::sign_up(&pool, &user), prompt::interactive)?;
                print_json(&term::clean_json(&json!({
                    "user_sub": out.user_sub, "user_confirmed": out.user_confirmed,
                    "code_delivery": out.code_delivery_details.map(|d| json!({"destination": d.destination, "medium": d.delivery_medium})),
                })))
            }
            Command::ConfirmSignUp {
                username,
                code_stdin,
            } => {
                let pool = self.pool_with(&self.secrets()?)?;
                let code = if code_stdin {
                    stdin_line()?.expose().to_owned()
                } else {
                    prompt::ask("Confirmation code")?
                };
                self.drive(
                    account::confirm_sign_up(&pool, &username, &code, false),
                    prompt::interactive,
                )?;
                eprintln!("{username} is confirmed");
                Ok(())
            }
            Command::ForgotPassword { username } => {
                let pool = self.pool_with(&self.secrets()?)?;
                self.drive(ForgotPassword::new(&pool, &username), prompt::interactive)?;
                eprintln!("the password of {username} is reset");
                Ok(())
            }
            Command::ChangePassword { access_token } => {
                let old = password(false, "Current password")?;
                let new = password(false, "New password")?;
                self.with_access(access_token, |pool, token| {
                    account::change_password(pool, token, &old, &new)
                })?;
                eprintln!("password changed");
                Ok(())
            }
            Command::Devices {
                command: DevicesCommand::List { access_token },
            } => self.list_devices(access_token),
            Command::Devices {
                command:
                    DevicesCommand::Forget {
                        access_token,
                        device_key,
                    },
            } => {
                self.with_access(access_token, |pool, token| {
                    account::forget_device(pool, token, &device_key)
                })?;
                eprintln!("device {} forgotten", term::clean(&device_key));
                Ok(())
            }
            Command::Mfa {
                command: MfaCommand::SetupTotp { access_token },
            } => self.setup_totp(access_token),
            Command::Completions { .. } | Command::Man | Command::Demo => Ok(()),
        }
    }

    /// `configure`: each field asked with its current value as the default (flags and
    /// environment variables given are the defaults too); Enter keeps it, `-` clears it.
    fn configure(mut self) -> Result<(), Failure> {
        let name = self.args.profile.clone();
        eprintln!(
            "Profile {name:?} in {} (Enter keeps the value in brackets, '-' clears it)",
            self.dirs.config_file().display()
        );
        let mut p = self.profile.clone();
        let ask = |label: &str, current: Option<String>| -> Result<Option<String>, Failure> {
            let shown = current.as_deref().unwrap_or("");
            let answer = prompt::ask(&format!("{label} [{shown}]"))?;
            Ok(match answer.as_str() {
                "" => current,
                "-" => None,
                _ => Some(answer),
            })
        };
        p.user_pool_id = ask("User pool id", p.user_pool_id)?;
        if let Some(id) = &p.user_pool_id {
            UserPool::new(id, "x").map_err(|e| Failure::Usage(e.to_string()))?;
        }
        p.client_id = ask("App client id", p.client_id)?;
        p.endpoint = ask("Endpoint (empty for Cognito's)", p.endpoint)?;
        p.hosted_ui_domain = ask("Hosted UI domain (optional)", p.hosted_ui_domain)?;
        self.profile = p.clone();
        let secrets = self.secrets()?;
        let had = secrets.client_secret()?.is_some();
        let label = if had {
            "App client secret (hidden; Enter keeps it, '-' removes it)"
        } else {
            "App client secret (hidden; Enter for none)"
        };
        let secret = SecretString::from(rpassword::prompt_password(format!("{label}: "))?);
        match secret.expose() {
            "" => {}
            "-" => secrets.set_client_secret(None)?,
            _ => secrets.set_client_secret(Some(&secret))?,
        }
        self.config.profiles.insert(name.clone(), p);
        self.config
            .save(&self.dirs.config_file())
            .map_err(|e| Failure::Usage(format!("cannot write the config: {e}")))?;
        eprintln!(
            "Saved profile {name:?}; its secrets go to the {}",
            secrets.describe()
        );
        Ok(())
    }

    fn sign_in(
        &self,
        username: Option<String>,
        password_stdin: bool,
        method: Method,
        no_save: bool,
    ) -> Result<(), Failure> {
        let asks_password = method.asks_password();
        if password_stdin && !asks_password {
            return Err(Failure::Usage(
                "--password-stdin goes with a password: not with --user-auth or a one-time code \
                 (--preferred-challenge PASSWORD or PASSWORD_SRP)"
                    .into(),
            ));
        }
        let secrets = self.secrets()?;
        let pool = self.pool_with(&secrets)?;
        let previous = if no_save {
            None
        } else {
            secrets.load_session().unwrap_or_else(|e| {
                eprintln!("note: the saved session is unreadable ({e}); signing in anew");
                None
            })
        };
        let kept = if no_save {
            None
        } else {
            secrets.load_device().unwrap_or_else(|e| {
                eprintln!("note: the kept device is unreadable ({e}); signing in without it");
                None
            })
        };
        let username = match username {
            Some(u) => u,
            None => match (&previous, &kept) {
                (Some(s), _) => s.username.clone(),
                (None, Some(k)) => k.username.clone(),
                (None, None) => prompt::ask("Username")?,
            },
        };
        let previous = previous.filter(|s| s.username == username);
        // The session's device, else the one kept at the last sign-out.
        let device: Option<DeviceCredentials> = previous
            .as_ref()
            .and_then(|s| s.device.clone())
            .or_else(|| kept.filter(|k| k.username == username).map(|k| k.device));
        let remember = !no_save;
        let label = format!("Password for {username}");
        let mut attempt = 1;
        let signed_in = loop {
            let mut builder = SignIn::builder(&pool).with_device_name("cognito CLI");
            if let Some(device) = device.clone() {
                builder = builder.with_device(device);
            }
            let asked = || password(password_stdin, &label);
            let flow = match method {
                Method::Plain => builder.user_password(&username, asked()?, seed()?),
                Method::Srp => builder.user_srp(&username, asked()?, seed()?),
                Method::UserAuth(challenge) => {
                    let first = match challenge {
                        Some(Challenge::EmailOtp) => FirstFactor::EmailOtp,
                        Some(Challenge::SmsOtp) => FirstFactor::SmsOtp,
                        Some(Challenge::Password) => FirstFactor::Password(asked()?),
                        Some(Challenge::PasswordSrp) => FirstFactor::PasswordSrp(asked()?),
                        None => FirstFactor::Select,
                    };
                    builder.user_auth(&username, first, seed()?)
                }
            };
            match self.drive_raw(flow, |p| prompt::answer(p, remember)) {
                Ok(signed_in) => break signed_in,
                // A typo: asked again at the prompt (a password from stdin cannot be).
                Err(e)
                    if asks_password
                        && wrong_password(&e)
                        && !password_stdin
                        && attempt < PASSWORD_TRIES =>
                {
                    attempt += 1;
                    eprintln!(
                        "Incorrect user name or password; try again ({attempt} of {PASSWORD_TRIES})."
                    );
                }
                Err(e) => return Err(Failure::from_drive(e, self.about(Some(&username)))),
            }
        };
        if no_save {
            if let Some(gone) = &signed_in.forgotten_device {
                eprintln!(
                    "note: Cognito no longer knows device {gone}; forget its stored credentials"
                );
            }
            return print_json(&tokens_json(&signed_in));
        }
        let remembered = signed_in
            .device
            .as_ref()
            .is_some_and(|d| d.remembered != Some(false));
        let forgotten = signed_in.forgotten_device.is_some();
        let mut session = match previous {
            Some(mut s) => {
                s.update(signed_in);
                s
            }
            None => StoredSession::from(signed_in),
        };
        // The device kept at the last sign-out signed in (device SRP): it goes on with the
        // session, unless Cognito no longer knows it.
        if session.device.is_none() && !forgotten {
            session.device = device;
        }
        self.save_signed_in(&secrets, &session)?;
        // The session holds the device now (or Cognito forgot it): nothing is kept beside it.
        secrets.delete_device()?;
        if remembered {
            eprintln!("This device is remembered: the next sign-in skips MFA.");
        }
        Ok(())
    }

    /// `login --hosted-ui` in a build without the `hosted-ui` feature: says how to get it.
    #[cfg(not(feature = "hosted-ui"))]
    fn login(&self, _: bool, _: Option<u16>, _: Vec<String>, _: Duration) -> Result<(), Failure> {
        Err(Failure::Usage(
            "this cognito was built without the `hosted-ui` feature: `cargo install --path \
             adapters/cli` builds it with every feature"
                .into(),
        ))
    }

    #[cfg(feature = "hosted-ui")]
    fn login(
        &self,
        no_browser: bool,
        port: Option<u16>,
        scopes: Vec<String>,
        timeout: Duration,
    ) -> Result<(), Failure> {
        let secrets = self.secrets()?;
        let pool = self.pool_with(&secrets)?;
        let domain = self.profile.hosted_ui_domain.clone().ok_or_else(|| {
            Failure::Usage(format!(
                "no hosted UI domain: run `cognito configure{}` or pass --hosted-ui-domain",
                self.profile_flag()
            ))
        })?;
        let tokens = crate::hosted::Login {
            domain: &domain,
            client_id: pool.client_id(),
            client_secret: self.client_secret(&secrets)?,
            port: port.or(self.profile.callback_port).unwrap_or(0),
            scopes,
            open_browser: !no_browser,
            timeout,
        }
        .run(&self.agent)?;
        if tokens.username().is_none() {
            return Err(Failure::Refused("the access token names no user".into()));
        }
        let session = StoredSession::from(tokens);
        self.save_signed_in(&secrets, &session)?;
        Ok(())
    }

    /// Saves the session of a sign-in and says so.
    fn save_signed_in(&self, secrets: &Secrets, session: &StoredSession) -> Result<(), Failure> {
        secrets.save_session(session)?;
        eprintln!(
            "Signed in as {} (profile {}); session saved in the {}.",
            term::clean(&session.username),
            self.args.profile,
            secrets.describe()
        );
        Ok(())
    }

    /// The one place a saved session is refreshed: the core's `StoredSession::refresh`
    /// (`GetTokensFromRefreshToken` with the remembered device's key, falling back as the core
    /// decides), whose outcome is the session with its new tokens, the rotated refresh token
    /// when the app client rotates them, and the device (forgotten if Cognito no longer knows
    /// it).
    fn refresh(&self, pool: &UserPool, session: &mut StoredSession) -> Result<(), Failure> {
        let flow = session.refresh(pool).ok_or_else(|| {
            Failure::SignInNeeded(format!(
                "the saved session has no refresh token: {}",
                self.hint()
            ))
        })?;
        *session = self.drive(flow, no_prompt)?;
        Ok(())
    }

    /// The saved session with tokens valid for at least their [`margin`], refreshed (and saved)
    /// when needed. No session, or one Cognito will not refresh: [`Failure::SignInNeeded`].
    fn fresh_session(&self, secrets: &Secrets) -> Result<StoredSession, Failure> {
        let session = self.saved_session(secrets)?;
        if !session.needs_refresh(SystemTime::now(), margin(&session.tokens)) {
            return Ok(session);
        }
        // One refresh at a time per profile: `$(cognito token)` in parallel scripts refreshes
        // once, and the others take what it saved (a rotated refresh token is used only once).
        let _lock = secrets.lock()?;
        let mut session = self.saved_session(secrets)?;
        let now = SystemTime::now();
        if !session.needs_refresh(now, margin(&session.tokens)) {
            return Ok(session);
        }
        let pool = self.pool_with(secrets)?;
        match self.refresh(&pool, &mut session) {
            Ok(()) => {
                secrets.save_session(&session)?;
                Ok(session)
            }
            // Cognito unreachable, the token still valid a little longer: use it.
            Err(Failure::Network(m)) if session.is_valid(now) => {
                eprintln!("warning: could not refresh ({m}); the token expires soon");
                Ok(session)
            }
            Err(Failure::Network(m)) => Err(Failure::Network(m)),
            Err(Failure::Cognito(said)) => Err(Failure::SignInNeeded(format!(
                "the session cannot be refreshed ({}): {}",
                term::clean(said.sentence.trim_end_matches('.')),
                self.hint()
            ))),
            Err(Failure::Auth(e)) => Err(Failure::SignInNeeded(format!(
                "the session cannot be refreshed ({}): {}",
                term::clean(&e.to_string()),
                self.hint()
            ))),
            Err(other) => Err(other),
        }
    }

    /// The saved session; none, or one that cannot be read: [`Failure::SignInNeeded`].
    fn saved_session(&self, secrets: &Secrets) -> Result<StoredSession, Failure> {
        let saved = secrets.load_session().map_err(|e| {
            Failure::SignInNeeded(format!(
                "the saved session cannot be read ({e}): {}",
                self.hint()
            ))
        })?;
        saved.ok_or_else(|| {
            Failure::SignInNeeded(format!(
                "not signed in (profile {}): {}",
                self.args.profile,
                self.hint()
            ))
        })
    }

    /// The access token of `--access-token -`, else of the saved session (refreshed).
    fn access(&self, from: Option<FromStdin>) -> Result<(UserPool, SecretString), Failure> {
        let secrets = self.secrets()?;
        let pool = self.pool_with(&secrets)?;
        let token = match from {
            Some(FromStdin) => stdin_line()?,
            None => SecretString::from(
                self.fresh_session(&secrets)?
                    .tokens
                    .access_token
                    .expose()
                    .to_owned(),
            ),
        };
        Ok((pool, token))
    }

    /// One account call with the access token of [`Ctx::access`].
    fn with_access<F: cognito_flows::Flow + Send>(
        &self,
        from: Option<FromStdin>,
        call: impl FnOnce(&UserPool, &str) -> F,
    ) -> Result<F::Output, Failure>
    where
        F::Output: Send,
    {
        let (pool, token) = self.access(from)?;
        self.drive(call(&pool, token.expose()), prompt::interactive)
    }

    /// A token to read: stdin with `-`, else the saved session's (as it is: reading needs no
    /// refresh).
    fn token_for_reading(
        &self,
        from: Option<FromStdin>,
        id: bool,
    ) -> Result<SecretString, Failure> {
        if let Some(FromStdin) = from {
            return stdin_line();
        }
        let secrets = self.secrets()?;
        let session = secrets.load_session()?.ok_or_else(|| {
            Failure::SignInNeeded(format!(
                "not signed in (profile {}): {}, or pass --token - and the token on stdin",
                self.args.profile,
                self.hint()
            ))
        })?;
        let token = if id {
            session
                .tokens
                .id_token
                .as_ref()
                .ok_or_else(|| Failure::Refused("the saved session has no id token".into()))?
        } else {
            &session.tokens.access_token
        };
        Ok(SecretString::from(token.expose()))
    }

    fn status(&self) -> Result<(), Failure> {
        let secrets = self.secrets()?;
        let or_none = |v: Option<&str>| v.unwrap_or("(not set)").to_owned();
        let mut lines = vec![
            format!("profile:   {}", self.args.profile),
            format!(
                "pool:      {}",
                or_none(self.profile.user_pool_id.as_deref())
            ),
            format!("client:    {}", or_none(self.profile.client_id.as_deref())),
        ];
        if let Some(endpoint) = &self.profile.endpoint {
            lines.push(format!("endpoint:  {endpoint}"));
        }
        lines.push(format!("store:     {}", secrets.describe()));
        match secrets.load_session() {
            Ok(Some(s)) => {
                let now = unix(SystemTime::now());
                let expires = unix(s.tokens.expires_at());
                lines.push(format!("user:      {}", term::clean(&s.username)));
                lines.push(if expires > now {
                    format!("tokens:    valid, expire {}", relative(expires - now))
                } else {
                    format!(
                        "tokens:    expired {} (`cognito token` refreshes them)",
                        relative(expires - now)
                    )
                });
                lines.push(format!(
                    "refresh:   {}",
                    if s.tokens.refresh_token.is_some() {
                        "a refresh token is saved"
                    } else {
                        "no refresh token"
                    }
                ));
                lines.push(match &s.device {
                    Some(d) => format!(
                        "device:    {} (remembered: signs in without MFA)",
                        term::clean(&d.device_key)
                    ),
                    None => "device:    none".into(),
                });
            }
            Ok(None) => {
                lines.push(format!("user:      not signed in ({})", self.hint()));
                if let Ok(Some(kept)) = secrets.load_device() {
                    lines.push(format!(
                        "device:    {} kept for {} (their next sign-in skips MFA)",
                        term::clean(&kept.device.device_key),
                        term::clean(&kept.username)
                    ));
                }
            }
            Err(e) => lines.push(format!("user:      the saved session cannot be read: {e}")),
        }
        println!("{}", lines.join("\n"));
        Ok(())
    }

    /// Sign-out keeps the remembered device, as the JS SDK keeps its device keys: the next
    /// sign-in of the same user skips MFA. `forget_device` forgets it, here and at Cognito.
    fn sign_out(&self, global: bool, forget_device: bool) -> Result<(), Failure> {
        let secrets = self.secrets()?;
        let Some(session) = secrets.load_session().unwrap_or(None) else {
            secrets.delete_session()?;
            if forget_device && secrets.delete_device()? {
                eprintln!(
                    "Not signed in (profile {}); the kept device's credentials are deleted \
                     (`cognito devices list` after a sign-in shows what Cognito still lists).",
                    self.args.profile
                );
            } else {
                eprintln!("Not signed in (profile {}).", self.args.profile);
            }
            return Ok(());
        };
        let pool = self.pool_with(&secrets)?;
        let mut session = session;
        let now = SystemTime::now();
        if session.needs_refresh(now, Duration::from_secs(30))
            && self.refresh(&pool, &mut session).is_err()
        {
            eprintln!("note: the session could not be refreshed; revoking its refresh token");
        }
        let access_valid = session.is_valid(SystemTime::now());
        let mut device_note = "";
        if let (Some(device), false) = (&session.device, forget_device) {
            secrets.keep_device(&session.username, device)?;
            device_note = " The device stays remembered: the next sign-in skips MFA \
                           (`cognito sign-out --forget-device` forgets it).";
        }
        if forget_device {
            secrets.delete_device()?;
        }
        if let (Some(device), true, true) = (&session.device, access_valid, forget_device) {
            // Forgotten at Cognito too, so no orphan stays in the user's device list.
            let forget = account::forget_device(
                &pool,
                session.tokens.access_token.expose(),
                &device.device_key,
            );
            if let Err(e) = self.drive(forget, no_prompt) {
                eprintln!(
                    "note: the device could not be forgotten: {}",
                    term::clean(&describe(&e))
                );
            }
        }
        let outcome = if global && access_valid {
            self.drive(
                account::global_sign_out(&pool, session.tokens.access_token.expose()),
                no_prompt,
            )
            .map(|_| "signed out everywhere")
        } else if let Some(revoke) = session.sign_out(&pool) {
            if global {
                eprintln!("note: the access token has expired; revoking the refresh token instead");
            }
            self.drive(revoke, no_prompt)
                .map(|_| "refresh token revoked")
        } else {
            Ok("nothing to revoke")
        };
        secrets.delete_session()?;
        match outcome {
            Ok(what) => {
                eprintln!(
                    "Signed out {} (profile {}): {what}; the saved session is deleted.{device_note}",
                    term::clean(&session.username),
                    self.args.profile
                );
                Ok(())
            }
            Err(e) => {
                eprintln!("The saved session is deleted, but Cognito was not told:");
                Err(e)
            }
        }
    }

    fn verify(&self, from: Option<FromStdin>, id: bool) -> Result<(), Failure> {
        let token = match from {
            Some(_) => stdin_line()?,
            None => {
                let session = self.fresh_session(&self.secrets()?)?;
                let jwt = if id {
                    session.tokens.id_token.clone().ok_or_else(|| {
                        Failure::Refused("the saved session has no id token".into())
                    })?
                } else {
                    session.tokens.access_token.clone()
                };
                SecretString::from(jwt.expose())
            }
        };
        let secrets = self.secrets()?;
        let pool = self.pool_with(&secrets)?;
        let decoded = Jwt::decode(token.expose()).map_err(|e| Failure::Usage(e.to_string()))?;
        let client = [pool.client_id().to_owned()];
        let options = match decoded.claims().token_use() {
            Some("id") => VerifyOptions::id_tokens(client),
            _ => VerifyOptions::access_tokens(client),
        };
        let verifier = Verifier::new(&pool, options);
        let claims = term::clean_json(&serde_json::Value::Object(
            decoded.claims().as_map().clone(),
        ));
        match cognito_flows_ureq::verify(&self.agent, &verifier, token.expose()) {
            Ok(_) => {
                eprintln!(
                    "valid: signature (JWKS of {}), issuer, client, token use and expiry checked",
                    pool.jwks_uri()
                );
                print_json(&json!({"valid": true, "claims": claims}))
            }
            Err(e) if e.is_unavailable() => {
                Err(Failure::Network(format!("cannot fetch the JWKS: {e}")))
            }
            Err(e) => {
                let why = term::clean(&e.to_string());
                print_json(&json!({"valid": false, "error": why, "claims": claims}))?;
                Err(Failure::Refused(format!("invalid token: {why}")))
            }
        }
    }

    fn list_devices(&self, from: Option<FromStdin>) -> Result<(), Failure> {
        let (pool, token) = self.access(from)?;
        let mut devices = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let out = self.drive(
                account::list_devices(&pool, token.expose(), Some(60), page.as_deref()),
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
        print_json(&term::clean_json(&json!(devices)))
    }

    fn setup_totp(&self, from: Option<FromStdin>) -> Result<(), Failure> {
        let (pool, token) = self.access(from)?;
        let associated = self.drive(
            account::associate_software_token(&pool, token.expose()),
            prompt::interactive,
        )?;
        let secret = associated
            .secret_code
            .ok_or_else(|| Failure::Usage("Cognito sent no secret".into()))?;
        let account_name = Jwt::decode(token.expose())
            .ok()
            .and_then(|j| j.claims().username().map(str::to_owned))
            .unwrap_or_default();
        eprintln!("secret: {}", term::clean(secret.expose()));
        eprintln!(
            "uri:    {}",
            term::clean(
                cognito_flows::totp::otpauth_uri(secret.expose(), "Cognito", &account_name)
                    .expose()
            )
        );
        let code = prompt::ask("Code from the authenticator")?;
        self.drive(
            account::verify_software_token(&pool, token.expose(), &code, Some("cognito CLI")),
            prompt::interactive,
        )?;
        let on = Some(MfaSettings {
            enabled: true,
            preferred_mfa: true,
        });
        self.drive(
            account::set_user_mfa_preference(
                &pool,
                token.expose(),
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
}

/// Whether Cognito refused the password itself (not a locked-out or disabled user).
fn wrong_password(error: &DriveError) -> bool {
    matches!(
        error,
        DriveError::Auth(cognito_flows::Error::Service(e))
            if e.kind == ErrorKind::NotAuthorized
                && e.message.contains("Incorrect username or password")
    )
}

fn describe(failure: &Failure) -> String {
    match failure {
        Failure::Usage(m)
        | Failure::Network(m)
        | Failure::SignInNeeded(m)
        | Failure::Refused(m) => m.clone(),
        Failure::Auth(e) => e.to_string(),
        Failure::Cognito(said) => said.sentence.clone(),
        Failure::Terminal(e) => e.to_string(),
    }
}
