//! A local Amazon Cognito User Pools emulator that really verifies SRP.
//!
//! moto accepts any SRP signature, cognito-local has no SRP, LocalStack's Cognito is commercial:
//! this emulator checks password claims (user and device SRP) with an independent server-side
//! implementation written from RFC 5054, so a wrong password is refused as Cognito refuses it.
//! It speaks Cognito's JSON 1.1 protocol on 127.0.0.1 and answers errors in Cognito's shape.
//!
//! It runs embedded in your tests (hyper on a tokio runtime of its own, in a background thread;
//! stopped on drop) or as the `cognito-emulator` binary. It serves many clients at once, none
//! able to stall another, and refuses what Cognito refuses (sessions bound to their challenge,
//! attempt limits, schema-checked attributes, registered callback URLs, revocation everywhere).
//! Its state stays in memory, or survives restarts in a data directory
//! ([`EmulatorConfig::data`]; the binary's default). The codes it "sends" are in
//! [`Emulator::outbox`] and at `GET /_emulator/outbox?username=...`. With a seed and a fixed clock ([`EmulatorConfig`]) every id, code,
//! salt and token is reproducible, so you can snapshot-test against it.
//!
//! ```
//! use cognito_flows_emulator::{ClientConfig, Emulator, EmulatorConfig, PoolConfig};
//!
//! let emulator = Emulator::start(EmulatorConfig::default())?;
//! let pool = emulator.create_user_pool(PoolConfig::default());
//! let client = emulator.create_client(&pool, ClientConfig::default()).unwrap();
//! emulator.admin_create_user(&pool, "alice", "Passw0rd!", &[("email", "alice@example.com")]).unwrap();
//! println!("point your UserPool at {} (pool {pool}, client {})", emulator.endpoint(), client.id);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The hosted UI is there for the code flow with PKCE: `GET /oauth2/authorize` shows a sign-in
//! page (plain HTML, CSRF-protected, with the MFA step, sign-up and confirmation pages and
//! `/logout`), tested in headless Chromium with the library's `HostedUi` flow. Scripts without a
//! browser may pass `username` and `password` to `/oauth2/authorize` instead. A screenshot of the
//! page is in the repository at `emulator/docs/login-page.png` (shown in the README).
//!
//! Custom authentication runs Rust callbacks in place of the Lambda triggers ([`CustomAuth`]);
//! for apps in any language, the custom-auth triggers, PreSignUp, PostConfirmation,
//! PreAuthentication, PostAuthentication, CustomMessage and PreTokenGeneration can be HTTP
//! webhooks that get the Lambda event JSON ([`Webhooks`]; `emulator/README.md` lists where each
//! runs).
//! Passkeys are real WebAuthn (registration with "none" attestation and ES256 keys, assertions
//! verified on a `USER_AUTH` sign-in with `PREFERRED_CHALLENGE=WEB_AUTHN`), for the relying
//! party of [`WebAuthnConfig`]. What it does not do (yet): the rest of `USER_AUTH` choice-based
//! sign-in, advanced security.
//!
//! Besides the sign-in and account operations, it answers Cognito's admin API over HTTP
//! (pools, app clients, users, groups, admin sign-in: [`OPERATIONS`] lists every operation), so
//! that boto3, the AWS SDKs or any HTTP client can set up a world as they would on Cognito.
//! Requests need no signature; SigV4 headers are accepted and ignored.

mod api;
mod auth;
#[cfg(feature = "config")]
pub mod config;
mod fault;
#[cfg(feature = "fuzzing")]
pub mod fuzz;
mod input;
mod model;
mod rules;
mod seed;
mod triggers;
mod web;

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

pub use crate::api::OPERATIONS;
use crate::auth::{engine as ops, jwt, shared, srp};
pub use crate::model::passkeys::WebAuthnConfig;
pub use crate::model::settings::Webhooks;
pub use crate::model::settings::{
    AUTH_FLOWS, ClientSettings, GroupConfig, PoolSettings, TimeUnit, TokenValidity,
};
pub use crate::model::state::{
    ChallengeResult, ClientConfig, ClientInfo, Clock, CustomAuth, CustomAuthTriggers,
    CustomChallenge, Define, DeviceTracking, Message, Mfa, PasswordPolicy, PoolConfig,
    RefreshRotation,
};
use crate::model::state::{Inner, Status};
use crate::model::{state, store};
use crate::web::server;

/// How the emulator starts.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Seeds every random choice (ids, codes, salts, SRP's `b`); `None` draws from the OS.
    pub seed: Option<[u8; 32]>,
    /// The clock.
    pub clock: Clock,
    /// The region in pool ids and device keys.
    pub region: String,
    /// The AWS account in ARNs (DescribeUserPool's `Arn`, DescribeUserPoolDomain's
    /// `AWSAccountId`); `000000000000` by default. moto's suites expect `123456789012`.
    pub account_id: String,
    /// A connection that sends no part of a request head or body, or accepts no byte of a reply,
    /// for this long is closed; a request head must arrive whole within it. An idle keep-alive
    /// connection waits for its next request longer: 60 s (or `io_timeout` if longer), which
    /// every answer says (`Keep-Alive: timeout=60`).
    pub io_timeout: Duration,
    /// Print each code to stderr as it is sent (the binary does), besides keeping it in the
    /// outbox.
    pub log_codes: bool,
    /// A data directory to keep the state in, so that it survives a restart: every pool,
    /// client, user, device, token revocation and outbox message, in `emulator.sqlite3` there
    /// (created owner-only), committed before the answer that acknowledges it. Sign-in sessions
    /// and OAuth codes stay in memory. `None` (the default): in memory only. A commit that fails
    /// (a full disk) is printed to stderr, and the HTTP request that made the change answers
    /// 500 `InternalErrorException`; the change is written by the next commit that succeeds.
    ///
    /// ```
    /// use cognito_flows_emulator::{Emulator, EmulatorConfig, PoolConfig};
    ///
    /// let dir = std::env::temp_dir().join(format!("emulator-doc-{}", std::process::id()));
    /// let config = EmulatorConfig { data: Some(dir.clone()), ..EmulatorConfig::default() };
    /// let pool = Emulator::start(config.clone())?.create_user_pool(PoolConfig::default());
    /// // Started again on the same directory: the pool is still there.
    /// let again = Emulator::start(config)?;
    /// assert!(again.restored());
    /// assert_eq!(again.pool_ids(), [pool]);
    /// # drop(again);
    /// # std::fs::remove_dir_all(dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub data: Option<PathBuf>,
    /// Host names the emulator answers besides the loopback ones (`localhost`, `127.0.0.1`,
    /// `[::1]`, with any port): a request whose `Host` header names another is refused (403),
    /// so that a web page cannot reach the unsigned admin API through DNS rebinding. They are
    /// also the only hosts besides the loopback ones that the emulator calls (an OIDC identity
    /// provider's endpoints, at a federated sign-in).
    pub allowed_hosts: Vec<String>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            port: 0,
            seed: None,
            clock: Clock::System(Duration::ZERO),
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            io_timeout: Duration::from_secs(10),
            log_codes: false,
            data: None,
            allowed_hosts: Vec::new(),
        }
    }
}

/// A running emulator; stopped when dropped.
pub struct Emulator {
    shared: Arc<shared::Shared>,
    port: u16,
    restored: bool,
    // Dropped last: the server stops before the state goes.
    _server: server::Handle,
}

impl Emulator {
    /// Starts the emulator on 127.0.0.1.
    ///
    /// With a data directory ([`EmulatorConfig::data`]), an error says what is wrong with it:
    /// not writable, not a directory, not this emulator's database, written by a newer
    /// emulator, corrupt, or in use by another emulator.
    pub fn start(config: EmulatorConfig) -> io::Result<Self> {
        let (store, loaded) = match &config.data {
            Some(dir) => {
                let (store, loaded) = store::Store::open(dir)?;
                (Some(store), loaded)
            }
            None => (None, store::Loaded::default()),
        };
        let seed = match config.seed {
            // A restart with the same seed must not draw the same ids and tokens again.
            Some(seed) if loaded.boots > 0 => {
                use sha2::Digest as _;
                sha2::Sha256::new()
                    .chain_update(seed)
                    .chain_update(loaded.boots.to_be_bytes())
                    .finalize()
                    .into()
            }
            Some(seed) => seed,
            None => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| io::Error::other(e.to_string()))?;
                seed
            }
        };
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        let port = listener.local_addr()?.port();
        let endpoint = format!("http://127.0.0.1:{port}/");
        let mut rng = ChaCha20Rng::from_seed(seed);
        let prefix = rand_core::Rng::next_u64(&mut rng);
        let restored = loaded.restored;
        let inner = Inner {
            pools: loaded.pools,
            grants: BTreeMap::new(),
            sessions: BTreeMap::new(),
            refresh_tokens: loaded.refresh_tokens,
            access_tokens: loaded.access_tokens,
            outbox: loaded.outbox,
            rng,
            clock: config.clock,
            region: config.region,
            account_id: config.account_id,
            seq: loaded.seq,
            since_prune: 0,
            log_codes: config.log_codes,
            login: crate::model::hosted_ui::Logins::default(),
            code_sends: std::collections::BTreeMap::new(),
            provisioned_limits: std::collections::BTreeMap::new(),
        };
        let signer = jwt::Signer::new().map_err(io::Error::other)?;
        let mut shared =
            shared::Shared::new(inner, store, signer, endpoint, config.io_timeout, prefix);
        shared.allowed_hosts.clone_from(&config.allowed_hosts);
        let shared = Arc::new(shared);
        shared.keep_baseline();
        let server = server::serve(listener, Arc::clone(&shared), config.allowed_hosts.clone())?;
        Ok(Self {
            shared,
            port,
            restored,
            _server: server,
        })
    }

    fn lock(&self) -> shared::Guard<'_> {
        self.shared.lock()
    }

    /// Whether the data directory held state from an earlier run when this one started.
    pub fn restored(&self) -> bool {
        self.restored
    }

    /// The ids of the user pools, in order.
    pub fn pool_ids(&self) -> Vec<String> {
        self.lock().pools.keys().cloned().collect()
    }

    /// The endpoint to give `UserPool::with_endpoint`, e.g. `http://127.0.0.1:41234/`.
    pub fn endpoint(&self) -> &str {
        &self.shared.endpoint
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates a user pool; returns its id (`{region}_{name}`).
    pub fn create_user_pool(&self, config: PoolConfig) -> String {
        self.lock().insert_pool(config)
    }

    /// Creates an app client of a pool. `None`: no such pool, or a callback or logout URL that
    /// Cognito refuses (not an absolute URL, control characters, a fragment).
    pub fn create_client(&self, pool_id: &str, mut config: ClientConfig) -> Option<ClientInfo> {
        if config
            .callback_urls
            .iter()
            .chain(&config.settings.logout_urls)
            .any(|url| rules::callback_url(url).is_err())
        {
            return None;
        }
        // A client with callback URLs is a hosted-UI client: without OAuth flows it gets the code
        // flow, without scopes every scope (the hosted UI refuses flows and scopes a client does
        // not allow).
        let oauth = &mut config.settings;
        if !config.callback_urls.is_empty() {
            if oauth.allowed_oauth_flows.is_empty() {
                oauth.allowed_oauth_flows = vec!["code".into()];
                oauth.allowed_oauth_flows_user_pool_client = true;
            }
            if oauth.allowed_oauth_scopes.is_empty() {
                oauth.allowed_oauth_scopes = ["openid", "email", "phone", "profile"]
                    .into_iter()
                    .chain(["aws.cognito.signin.user.admin"])
                    .map(String::from)
                    .collect();
            }
        }
        self.lock().insert_client(pool_id, config)
    }

    /// A credential for `password`, derived without the state lock.
    fn credential(&self, pool_id: &str, username: &str, password: &str) -> state::Credential {
        let salt = self.lock().bytes::<16>();
        srp::credential(ops::realm(pool_id), username, password, salt)
    }

    fn create_user(
        &self,
        pool_id: &str,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
        status: Status,
    ) -> Result<String, String> {
        let mut attrs: BTreeMap<String, String> = attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        // As an administrator who ticks "mark as verified": the email and phone given are
        // verified unless the attributes say otherwise.
        for (attribute, verified) in [
            ("email", "email_verified"),
            ("phone_number", "phone_number_verified"),
        ] {
            if attrs.contains_key(attribute) && !attrs.contains_key(verified) {
                attrs.insert(verified.into(), "true".into());
            }
        }
        let credential = self.credential(pool_id, username, password);
        let mut inner = self.lock();
        crate::rules::check_attributes(inner.pools.get(pool_id).map(|p| &p.config), &attrs, true)
            .map_err(|f| f.message)?;
        inner
            .new_user(pool_id, username, credential, attrs, status)
            .map_err(|f| f.message)
    }

    /// Creates a confirmed user with a permanent password. Returns the user's `sub`.
    ///
    /// The attributes are standard ones or the pool's declared custom ones; an `email` or
    /// `phone_number` given is marked verified unless `email_verified` / `phone_number_verified`
    /// is given too.
    pub fn admin_create_user(
        &self,
        pool_id: &str,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<String, String> {
        self.create_user(pool_id, username, password, attributes, Status::Confirmed)
    }

    /// Creates a user who must choose a new password at first sign-in (`NEW_PASSWORD_REQUIRED`).
    pub fn admin_create_user_with_temporary_password(
        &self,
        pool_id: &str,
        username: &str,
        temporary: &str,
        attributes: &[(&str, &str)],
    ) -> Result<String, String> {
        self.create_user(
            pool_id,
            username,
            temporary,
            attributes,
            Status::ForceChangePassword,
        )
    }

    /// Sets a user's password (permanent).
    pub fn admin_set_password(
        &self,
        pool_id: &str,
        username: &str,
        password: &str,
    ) -> Result<(), String> {
        let credential = self.credential(pool_id, username, password);
        self.lock()
            .set_credential(pool_id, username, credential)
            .map_err(|f| f.message)
    }

    /// Deletes a user, with every token, session and device of theirs (AdminDeleteUser).
    pub fn admin_delete_user(&self, pool_id: &str, username: &str) -> Result<(), String> {
        self.lock()
            .remove_user(pool_id, username)
            .map_err(|f| f.message)
    }

    /// Turns SMS MFA on for a user (codes land in the [`Emulator::outbox`]). Refused on a pool
    /// with MFA off, where Cognito would never ask for it.
    pub fn admin_enable_sms_mfa(&self, pool_id: &str, username: &str) -> Result<(), String> {
        let mut inner = self.lock();
        let pool = inner.pools.get_mut(pool_id).ok_or("no such pool")?;
        if pool.config.mfa == Mfa::Off {
            return Err("MFA is not enabled for the user pool.".into());
        }
        let user = pool.users.get_mut(username).ok_or("no such user")?;
        user.sms_mfa = true;
        user.preferred_mfa = Some("SMS_MFA".into());
        Ok(())
    }

    /// Every code sent so far (also served as JSON at `GET /_emulator/outbox?username=...`).
    pub fn outbox(&self) -> Vec<Message> {
        self.lock().outbox.clone()
    }

    /// The last code sent to `username`.
    pub fn last_code(&self, username: &str) -> Option<String> {
        self.lock()
            .outbox
            .iter()
            .rev()
            .find(|m| m.username == username)
            .map(|m| m.code.clone())
    }

    /// The emulator's current time.
    pub fn now(&self) -> SystemTime {
        self.lock().now()
    }

    /// Fixes the clock at `at`.
    pub fn set_clock(&self, at: SystemTime) {
        self.lock().clock = Clock::Fixed(at);
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut inner = self.lock();
        inner.clock = match inner.clock {
            Clock::System(offset) => Clock::System(offset + by),
            Clock::Fixed(t) => Clock::Fixed(t + by),
        };
    }

    /// Keeps the state as it is now as what [`Emulator::reset`] (and `POST /_emulator/reset`)
    /// brings back. [`Emulator::start`] keeps the state it starts with; the binary keeps the
    /// state after its set-up (the pools, clients and users of the flags and config file).
    pub fn keep_as_start(&self) {
        self.shared.keep_baseline();
    }

    /// Brings the emulator back to its start ([`Emulator::keep_as_start`]): the pools, clients,
    /// users, devices and groups it had then, and its clock; no token, sign-in session, OAuth code
    /// or outbox message, and no armed fault. The same as `POST /_emulator/reset`.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// The JWKS the emulator signs its tokens with (also served at
    /// `GET /{pool id}/.well-known/jwks.json`, beside `/{pool id}/.well-known/openid-configuration`).
    pub fn jwks(&self) -> serde_json::Value {
        self.shared.signer.jwks().clone()
    }
}
