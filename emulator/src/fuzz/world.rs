//! A fresh embedded emulator per fuzz input (fixed seed, fixed clock), with a pool, a client and
//! users in each state, and the checks every answer must pass.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant, UNIX_EPOCH};

use http::{Method, Request, Response};
use serde_json::Value;

use crate::model::state::{Credential, Status};
use crate::{ClientConfig, ClientInfo, Clock, Emulator, EmulatorConfig, Mfa, PoolConfig};

/// The fixed clock of every fuzz input.
pub(crate) const NOW: u64 = 1_795_507_507;
/// No single request may use more CPU than this (SRP and RSA take a few milliseconds).
const CPU_BOUND: Duration = Duration::from_secs(1);
/// Nor take longer than this on the wall clock (generous: the fuzzers run at the lowest
/// priority on a busy machine).
const WALL_BOUND: Duration = Duration::from_secs(8);

/// The client's callback URL.
pub(crate) const CALLBACK: &str = "http://localhost/cb";
/// The client's sign-out URL.
pub(crate) const LOGOUT: &str = "http://localhost/bye";

/// The users every input starts with: name, password, status, disabled.
pub(crate) const USERS: &[(&str, &str, Status, bool)] = &[
    ("alice", "Passw0rd!alice", Status::Confirmed, false),
    ("bob", "Passw0rd!bob", Status::Unconfirmed, false),
    ("carol", "Passw0rd!carol", Status::Confirmed, true),
    ("dave", "Passw0rd!dave", Status::ForceChangePassword, false),
];

/// The embedded emulator of one input and what the calls so far revealed.
pub(crate) struct World {
    pub emulator: Emulator,
    pub pool: String,
    pub client: ClientInfo,
}

/// The credentials of the set-up users, derived once per process (the seed is fixed, so the
/// salts and pool ids are the same for every input).
fn credential(realm: &str, username: &str, password: &str, salt: [u8; 16]) -> Credential {
    type Key = (String, String, String, [u8; 16]);
    static CACHE: Mutex<Option<HashMap<Key, Credential>>> = Mutex::new(None);
    let key = (
        realm.to_owned(),
        username.to_owned(),
        password.to_owned(),
        salt,
    );
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .get_or_insert_with(HashMap::new)
        .entry(key)
        .or_insert_with(|| crate::auth::srp::credential(realm, username, password, salt))
        .clone()
}

impl World {
    /// The emulator, a pool (MFA off or optional, as `flags` says) and a client (with a secret or
    /// not, with [`CALLBACK`] and [`LOGOUT`]), and the [`USERS`].
    pub(crate) fn new(flags: u8) -> Self {
        Self::with_webhooks(flags, crate::Webhooks::default())
    }

    /// As [`World::new`], with these webhooks on the pool.
    pub(crate) fn with_webhooks(flags: u8, webhooks: crate::Webhooks) -> Self {
        let config = EmulatorConfig {
            seed: Some([7; 32]),
            clock: Clock::Fixed(UNIX_EPOCH + Duration::from_secs(NOW)),
            ..EmulatorConfig::default()
        };
        let emulator = Emulator::start(config)
            .unwrap_or_else(|e| panic!("the embedded emulator does not start: {e}"));
        let pool = emulator.create_user_pool(PoolConfig {
            mfa: if flags & 1 == 0 {
                Mfa::Off
            } else {
                Mfa::Optional
            },
            custom_attributes: vec!["tenant".into()],
            webhooks,
            ..PoolConfig::default()
        });
        let client = emulator
            .create_client(
                &pool,
                ClientConfig {
                    secret: flags & 2 != 0,
                    callback_urls: vec![CALLBACK.into()],
                    prevent_user_existence_errors: flags & 4 == 0,
                    settings: crate::ClientSettings {
                        logout_urls: vec![LOGOUT.into()],
                        allowed_oauth_flows: vec!["code".into()],
                        allowed_oauth_scopes: vec!["openid".into(), "email".into()],
                        allowed_oauth_flows_user_pool_client: true,
                        ..crate::ClientSettings::default()
                    },
                    ..ClientConfig::default()
                },
            )
            .unwrap_or_else(|| panic!("the fuzz client is refused"));
        {
            let mut inner = emulator.lock();
            for &(name, password, status, disabled) in USERS {
                let salt = inner.bytes::<16>();
                let credential =
                    credential(crate::auth::engine::realm(&pool), name, password, salt);
                let attributes = BTreeMap::from([
                    ("email".to_owned(), format!("{name}@example.com")),
                    ("email_verified".to_owned(), "true".to_owned()),
                ]);
                inner
                    .new_user(&pool, name, credential, attributes, status)
                    .unwrap_or_else(|f| panic!("set-up user {name}: {}", f.message));
                if let Some(user) = inner
                    .pools
                    .get_mut(&pool)
                    .and_then(|p| p.users.get_mut(name))
                {
                    user.disabled = disabled;
                }
            }
        }
        Self {
            emulator,
            pool,
            client,
        }
    }

    /// One request, timed; panics when it takes longer than the bounds.
    pub(crate) fn answer(&self, request: Request<Vec<u8>>) -> Response<Vec<u8>> {
        let what = format!("{} {}", request.method(), request.uri());
        let (cpu, wall) = (thread_cpu(), Instant::now());
        let response = self.emulator.answer(request);
        let (cpu, wall) = (thread_cpu().saturating_sub(cpu), wall.elapsed());
        assert!(cpu <= CPU_BOUND, "{what} used {cpu:?} of CPU");
        assert!(wall <= WALL_BOUND, "{what} took {wall:?}");
        response
    }

    /// An API call: `X-Amz-Target` and a JSON body. The answer is JSON, with a status of 200 or
    /// 4xx, and an error is one Cognito declares for the operation, named in `__type` and
    /// `x-amzn-ErrorType`, with a message.
    pub(crate) fn call(&self, operation: &str, body: &Value) -> (u16, Value) {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/")
            .header("Content-Type", "application/x-amz-json-1.1")
            .header(
                "X-Amz-Target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .body(body.to_string().into_bytes())
            .unwrap_or_else(|e| panic!("a request for {operation}: {e}"));
        let response = self.answer(request);
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("x-amzn-ErrorType")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        let value: Value = serde_json::from_slice(response.body()).unwrap_or_else(|e| {
            panic!("{operation} answered {status} with a body that is not JSON: {e}")
        });
        assert!(
            value.is_object(),
            "{operation} answered {status} with {value}"
        );
        if status == 200 {
            assert!(
                kind.is_none(),
                "{operation} succeeded with an error type {kind:?}"
            );
        } else {
            assert!(
                (400..500).contains(&status),
                "{operation} answered {status}: {value}"
            );
            let kind_in_body = value["__type"]
                .as_str()
                .unwrap_or_else(|| panic!("{operation} answered {status} without __type: {value}"));
            assert!(
                value["message"].is_string(),
                "{operation} answered {status} without a message: {value}"
            );
            assert_eq!(
                kind.as_deref(),
                Some(kind_in_body),
                "{operation}: x-amzn-ErrorType and __type differ"
            );
            let declared = super::model::model()
                .operations
                .get(operation)
                .map_or(&[][..], |o| &o.errors[..]);
            assert!(
                declared.iter().any(|e| e == kind_in_body)
                    || super::model::PROTOCOL_ERRORS.contains(&kind_in_body),
                "{operation} answered {kind_in_body}, which Cognito does not declare for it: {value}"
            );
        }
        (status, value)
    }

    /// The state's invariants: every user's attributes pass the pool's schema, and `sub` is the
    /// user's.
    pub(crate) fn check_state(&self) {
        let inner = self.emulator.lock();
        for pool in inner.pools.values() {
            for user in pool.users.values() {
                let mut attributes = user.attributes.clone();
                if let Some(sub) = attributes.remove("sub") {
                    assert_eq!(
                        sub, user.sub,
                        "{}: the sub attribute is not the user's",
                        user.username
                    );
                }
                if let Err(f) =
                    crate::rules::check_attributes(Some(&pool.config), &attributes, true)
                {
                    panic!(
                        "{} of {} holds attributes outside the schema ({}): {attributes:?}",
                        user.username, pool.id, f.message
                    );
                }
            }
        }
    }

    /// Tokens in an answer went to an enabled, confirmed user, and the access token is live.
    pub(crate) fn check_tokens(&self, context: &str, answer: &Value) {
        let Some(access) = answer
            .get("AuthenticationResult")
            .and_then(|r| r.get("AccessToken"))
            .and_then(Value::as_str)
        else {
            return;
        };
        let inner = self.emulator.lock();
        let (pool_id, username, _) = inner.access(access).unwrap_or_else(|f| {
            panic!(
                "{context}: a freshly issued access token is refused: {}",
                f.message
            )
        });
        let user = inner
            .user(&pool_id, &username)
            .unwrap_or_else(|_| panic!("{context}: a token for {username}, who does not exist"));
        assert!(
            !user.disabled,
            "{context}: a token for {username}, who is disabled"
        );
        assert!(
            user.status == Status::Confirmed,
            "{context}: a token for {username}, who is {:?}",
            user.status
        );
    }
}

/// The CPU time of the calling thread so far (`/proc/thread-self/schedstat`; zero where there is
/// none, which disables the CPU bound).
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

impl World {
    /// Replaces each [`super::model::SECRET_HASH`] placeholder with the secret hash of the body's
    /// user and client (the client's secret from the state; a wrong hash when it has none).
    pub(crate) fn fill_secret_hashes(&self, body: &mut Value) {
        let client_id = body["ClientId"].as_str().unwrap_or_default().to_owned();
        let username = ["Username", "AuthParameters", "ChallengeResponses"]
            .iter()
            .find_map(|k| {
                let v = &body[*k];
                v.as_str().or_else(|| v["USERNAME"].as_str())
            })
            .unwrap_or_default()
            .to_owned();
        let secret = self
            .emulator
            .lock()
            .client(&client_id)
            .ok()
            .and_then(|(_, c)| c.info.secret)
            .unwrap_or_else(|| "no secret".into());
        let hash = crate::auth::engine::secret_hash(&secret, &username, &client_id);
        fill(body, &hash);
    }
}

fn fill(value: &mut Value, hash: &str) {
    match value {
        Value::Object(map) => map.values_mut().for_each(|v| fill(v, hash)),
        Value::Array(list) => list.iter_mut().for_each(|v| fill(v, hash)),
        Value::String(s) if s == super::model::SECRET_HASH => *s = hash.to_owned(),
        _ => {}
    }
}
