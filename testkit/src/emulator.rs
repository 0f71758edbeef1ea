//! The emulator as a test fixture: an emulator with a pool, an app client and users, started
//! from one [`Options`], stopped when the [`Fixture`] is dropped.
//!
//! ```
//! use cognito_flows::SignIn;
//! use cognito_flows_testkit::emulator::{Fixture, Options};
//! use cognito_flows_testkit::no_prompt;
//!
//! let w = Fixture::start(Options::default().secret().user("alice", "Passw0rd!", &[]));
//! let flow = SignIn::user_srp(&w.pool, "alice", "Passw0rd!", [1; 32].into());
//! assert_eq!(w.drive(flow, no_prompt).unwrap().username, "alice");
//! ```

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use cognito_flows::{ClientCredentials, Error, Flow, Input, Prompt, UserPool};
use cognito_flows_emulator::{ClientConfig, ClientInfo, Emulator, EmulatorConfig, Mfa, PoolConfig};
use serde_json::Value;

use crate::Backend;
use crate::backend::user_pool;

/// A user the fixture creates.
#[derive(Debug, Clone)]
pub struct User {
    /// The user name.
    pub name: String,
    /// The password: permanent, or temporary when `temporary` is set.
    pub password: String,
    /// Standard or custom attributes (an `email` or `phone_number` is marked verified).
    pub attributes: Vec<(String, String)>,
    /// The user must choose a new password at first sign-in (`NEW_PASSWORD_REQUIRED`).
    pub temporary: bool,
}

/// What a [`Fixture`] starts: the emulator's settings, one pool, one app client of it and its
/// users. `Options::default()`: an in-memory emulator on a free port, a default pool, a client
/// without a secret, no user.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How the emulator starts (seed, clock, data directory).
    pub emulator: EmulatorConfig,
    /// The pool.
    pub pool: PoolConfig,
    /// The app client.
    pub client: ClientConfig,
    /// The users, created in order.
    pub users: Vec<User>,
}

impl Options {
    /// The pool of `pool`.
    #[must_use]
    pub fn pool(mut self, pool: PoolConfig) -> Self {
        self.pool = pool;
        self
    }

    /// The pool's MFA setting.
    #[must_use]
    pub fn mfa(mut self, mfa: Mfa) -> Self {
        self.pool.mfa = mfa;
        self
    }

    /// The app client of `client`.
    #[must_use]
    pub fn client(mut self, client: ClientConfig) -> Self {
        self.client = client;
        self
    }

    /// The app client has a secret (every call naming a user then carries `SECRET_HASH`).
    #[must_use]
    pub fn secret(self) -> Self {
        self.secret_if(true)
    }

    /// The app client has a secret when `secret` is true.
    #[must_use]
    pub fn secret_if(mut self, secret: bool) -> Self {
        self.client.secret = secret;
        self
    }

    /// The emulator of `emulator`.
    #[must_use]
    pub fn emulator(mut self, emulator: EmulatorConfig) -> Self {
        self.emulator = emulator;
        self
    }

    /// The emulator keeps its state in `dir` (see `EmulatorConfig::data`).
    #[must_use]
    pub fn data(mut self, dir: &Path) -> Self {
        self.emulator.data = Some(dir.to_owned());
        self
    }

    /// A confirmed user with a permanent password.
    #[must_use]
    pub fn user(mut self, name: &str, password: &str, attributes: &[(&str, &str)]) -> Self {
        self.users.push(User {
            name: name.into(),
            password: password.into(),
            attributes: attributes
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            temporary: false,
        });
        self
    }
}

/// A running emulator with a pool, an app client and users; stopped when dropped.
pub struct Fixture {
    /// The emulator.
    pub emulator: Emulator,
    /// The pool's id.
    pub pool_id: String,
    /// The app client's id.
    pub client_id: String,
    /// The app client's secret, if it has one.
    pub client_secret: Option<String>,
    /// The library's `UserPool` for the app client (with its secret), at the emulator.
    pub pool: UserPool,
    /// How the emulator started, for [`Fixture::restart`].
    config: EmulatorConfig,
}

impl Fixture {
    /// Starts the emulator of `options`, creates its pool, client and users. Panics on any
    /// refusal: a fixture's set-up must succeed.
    pub fn start(options: Options) -> Self {
        let config = options.emulator.clone();
        let emulator = start(options.emulator);
        let pool_id = emulator.create_user_pool(options.pool);
        let client = client(&emulator, &pool_id, options.client);
        for user in &options.users {
            let attributes: Vec<(&str, &str)> = user
                .attributes
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let created = if user.temporary {
                emulator.admin_create_user_with_temporary_password(
                    &pool_id,
                    &user.name,
                    &user.password,
                    &attributes,
                )
            } else {
                emulator.admin_create_user(&pool_id, &user.name, &user.password, &attributes)
            };
            if let Err(e) = created {
                panic!("user {} refused: {e}", user.name);
            }
        }
        let pool = user_pool(
            &pool_id,
            &client.id,
            client.secret.clone(),
            emulator.endpoint(),
        );
        Self {
            emulator,
            pool_id,
            client_id: client.id,
            client_secret: client.secret,
            pool,
            config,
        }
    }

    /// Stops the emulator and starts it again on the same settings: with a data directory
    /// ([`Options::data`]) the pool, the client and the users come back. The ids stay, the
    /// endpoint (a new free port) and [`Fixture::pool`] follow the new emulator.
    #[must_use]
    pub fn restart(self) -> Self {
        let Self {
            emulator,
            pool_id,
            client_id,
            client_secret,
            config,
            ..
        } = self;
        drop(emulator);
        let emulator = start(config.clone());
        let pool = user_pool(
            &pool_id,
            &client_id,
            client_secret.clone(),
            emulator.endpoint(),
        );
        Self {
            emulator,
            pool_id,
            client_id,
            client_secret,
            pool,
            config,
        }
    }

    /// A default emulator, pool and app client, no user.
    pub fn new() -> Self {
        Self::start(Options::default())
    }

    /// The emulator's endpoint, e.g. `http://127.0.0.1:41234/`.
    pub fn endpoint(&self) -> &str {
        self.emulator.endpoint()
    }

    /// Creates a confirmed user with a permanent password in the pool.
    pub fn add_user(&self, name: &str, password: &str, attributes: &[(&str, &str)]) {
        if let Err(e) = self
            .emulator
            .admin_create_user(&self.pool_id, name, password, attributes)
        {
            panic!("user {name} refused: {e}");
        }
    }

    /// Another app client of the pool, as a `UserPool`.
    pub fn another_client(&self, config: ClientConfig) -> UserPool {
        let other = client(&self.emulator, &self.pool_id, config);
        user_pool(&self.pool_id, &other.id, other.secret, self.endpoint())
    }

    /// Runs `flow` to its end on the emulator's clock, answering prompts with `answer` (see
    /// [`drive`]).
    pub fn drive<F: Flow>(
        &self,
        flow: F,
        answer: impl FnMut(&Prompt) -> Input,
    ) -> Result<F::Output, Error> {
        drive(&self.emulator, flow, answer)
    }

    /// The last code sent to `name`. Panics when none was.
    pub fn code(&self, name: &str) -> String {
        match self.emulator.last_code(name) {
            Some(code) => code,
            None => panic!("no code was sent to {name}"),
        }
    }

    /// The `AuthenticationResult` of a `USER_PASSWORD_AUTH` sign-in of `user` through the app
    /// client (with its `SECRET_HASH` if it has a secret). Panics unless it succeeds.
    pub fn tokens(&self, user: &str, password: &str) -> Value {
        let mut parameters = serde_json::json!({"USERNAME": user, "PASSWORD": password});
        if let Some(secret) = &self.client_secret {
            parameters["SECRET_HASH"] = crate::secret_hash(secret, user, &self.client_id).into();
        }
        let (status, answer) = self.call(
            "InitiateAuth",
            &serde_json::json!({"ClientId": self.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                "AuthParameters": parameters}),
        );
        assert_eq!(status, 200, "{answer}");
        answer["AuthenticationResult"].clone()
    }

    /// The access token of `user`, from [`Fixture::tokens`].
    pub fn access_token(&self, user: &str, password: &str) -> String {
        match self.tokens(user, password)["AccessToken"].as_str() {
            Some(token) => token.to_owned(),
            None => panic!("no access token for {user}"),
        }
    }

    /// A machine-to-machine app client: the resource server `identifier` with `scopes`, and a
    /// confidential client allowed the `client_credentials` flow and every one of them
    /// (`identifier/scope`), as [`ClientCredentials`] at the emulator (HTTP Basic, no scope
    /// asked). Panics on any refusal.
    pub fn machine_client(&self, identifier: &str, scopes: &[&str]) -> ClientCredentials {
        let info = self.machine_app_client(identifier, scopes);
        let secret = info.secret.unwrap_or_default();
        match ClientCredentials::new(self.endpoint(), info.id, secret) {
            Ok(credentials) => credentials,
            Err(e) => panic!("the emulator's endpoint: {e}"),
        }
    }

    /// [`Fixture::machine_client`]'s resource server and app client, as the client's id and
    /// secret (for a test that hands the secret to a program).
    pub fn machine_app_client(&self, identifier: &str, scopes: &[&str]) -> ClientInfo {
        let listed: Vec<Value> = scopes
            .iter()
            .map(|s| serde_json::json!({"ScopeName": s, "ScopeDescription": s}))
            .collect();
        let (status, answer) = self.call(
            "CreateResourceServer",
            &serde_json::json!({"UserPoolId": self.pool_id, "Identifier": identifier,
                                "Name": identifier, "Scopes": listed}),
        );
        assert_eq!(status, 200, "CreateResourceServer: {answer}");
        let allowed: Vec<String> = scopes.iter().map(|s| format!("{identifier}/{s}")).collect();
        let (status, answer) = self.call(
            "CreateUserPoolClient",
            &serde_json::json!({"UserPoolId": self.pool_id, "ClientName": format!("{identifier}-service"),
                                "GenerateSecret": true, "AllowedOAuthFlows": ["client_credentials"],
                                "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthScopes": allowed}),
        );
        assert_eq!(status, 200, "CreateUserPoolClient: {answer}");
        let client = &answer["UserPoolClient"];
        let (Some(id), Some(secret)) =
            (client["ClientId"].as_str(), client["ClientSecret"].as_str())
        else {
            panic!("no client id or secret in {answer}")
        };
        ClientInfo {
            id: id.to_owned(),
            secret: Some(secret.to_owned()),
        }
    }

    /// Calls a Cognito operation on the emulator: the status and the JSON answer (see [`call`]).
    pub fn call(&self, operation: &str, body: &Value) -> (u16, Value) {
        call(&crate::agent(), self.endpoint(), operation, body)
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

/// Starts an emulator with no pool (for tests that set up their own, or run a [`Backend`]
/// matrix). Panics with the reason when it cannot start.
pub fn start(config: EmulatorConfig) -> Emulator {
    match Emulator::start(config) {
        Ok(emulator) => emulator,
        Err(e) => panic!("the emulator does not start: {e}"),
    }
}

/// Runs `flow` to its end against `emulator`, on the emulator's clock, answering prompts with
/// `answer`: [`crate::drive`] without the prompts. Panics as it does.
pub fn drive<F: Flow>(
    emulator: &Emulator,
    flow: F,
    answer: impl FnMut(&Prompt) -> Input,
) -> Result<F::Output, Error> {
    crate::drive(&crate::agent(), &|| emulator.now(), flow, answer).0
}

/// Calls a Cognito operation at `endpoint` on `agent`: the status and the JSON answer. Panics
/// when the answer is not JSON or carries no `x-amzn-RequestId` (every answer of the emulator
/// does).
pub fn call(agent: &ureq::Agent, endpoint: &str, operation: &str, body: &Value) -> (u16, Value) {
    let request = http::Request::post(endpoint)
        .header(
            "X-Amz-Target",
            format!("{}{operation}", crate::TARGET_PREFIX),
        )
        .header("Content-Type", crate::CONTENT_TYPE)
        .body(body.to_string().into_bytes());
    let request = match request {
        Ok(request) => request,
        Err(e) => panic!("no request for {operation}: {e}"),
    };
    let response = crate::send(agent, request);
    assert!(
        response.headers().contains_key("x-amzn-requestid"),
        "{operation}'s answer has no x-amzn-RequestId"
    );
    match serde_json::from_slice(response.body()) {
        Ok(answer) => (response.status().as_u16(), answer),
        Err(e) => panic!("{operation}'s answer is not JSON: {e}"),
    }
}

fn client(emulator: &Emulator, pool_id: &str, config: ClientConfig) -> ClientInfo {
    match emulator.create_client(pool_id, config) {
        Some(client) => client,
        None => panic!("the app client is refused (pool {pool_id})"),
    }
}

/// An empty directory of the test's own under the OS temp dir, removed when dropped: a data
/// directory for an emulator that is restarted.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh `cognito-flows-{name}-{pid}` directory (emptied if it exists).
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("cognito-flows-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("cannot create {}: {e}", dir.display());
        }
        Self(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The default emulator settings with this directory as the data directory.
    pub fn config(&self) -> EmulatorConfig {
        EmulatorConfig {
            data: Some(self.0.clone()),
            ..EmulatorConfig::default()
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Backend for Emulator {
    fn pool(&self, secret: bool) -> UserPool {
        let id = self.create_user_pool(PoolConfig {
            mfa: Mfa::Optional,
            ..PoolConfig::default()
        });
        let client = client(
            self,
            &id,
            ClientConfig {
                secret,
                ..ClientConfig::default()
            },
        );
        user_pool(&id, &client.id, client.secret, self.endpoint())
    }

    fn user(&self, pool: &UserPool, name: &str, password: &str, attributes: &[(&str, &str)]) {
        if let Err(e) = self.admin_create_user(pool.id(), name, password, attributes) {
            panic!("user {name} refused: {e}");
        }
    }

    fn sms_mfa(&self, pool: &UserPool, name: &str) {
        if let Err(e) = self.admin_enable_sms_mfa(pool.id(), name) {
            panic!("SMS MFA for {name} refused: {e}");
        }
    }

    fn code(&self, name: &str) -> String {
        match self.last_code(name) {
            Some(code) => code,
            None => panic!("no code was sent to {name}"),
        }
    }

    fn checks_srp(&self) -> bool {
        true
    }

    fn checks_codes(&self) -> bool {
        true
    }

    fn now(&self) -> SystemTime {
        Emulator::now(self)
    }
}
