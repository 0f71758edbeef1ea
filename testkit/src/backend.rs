//! A Cognito to run the same test body against: moto, or the emulator (feature `emulator`).

use std::time::SystemTime;

use cognito_flows::UserPool;
use cognito_flows::flows::RefreshMethod;

use crate::{ClientOptions, MfaConfiguration, Moto, PoolOptions};

/// A Cognito to test against: what a test matrix needs to set up a world and read its codes.
///
/// ```no_run
/// use cognito_flows_testkit::{Backend, Moto};
///
/// fn sign_in_works(backend: &dyn Backend) {
///     let pool = backend.pool(false);
///     backend.user(&pool, "alice", "Corr3ct-Horse!", &[("email", "alice@example.com")]);
///     // ... drive a sign-in against `pool` ...
/// }
/// sign_in_works(&Moto::start());
/// ```
pub trait Backend {
    /// A new pool with optional MFA and an app client of it (with a secret or not), as the
    /// library's `UserPool` pointed at this backend.
    fn pool(&self, secret: bool) -> UserPool;
    /// Creates a confirmed user with a permanent password.
    fn user(&self, pool: &UserPool, name: &str, password: &str, attributes: &[(&str, &str)]);
    /// Turns SMS MFA on for a user.
    fn sms_mfa(&self, pool: &UserPool, name: &str);
    /// The last code sent to `name` (SMS MFA, sign-up, password reset).
    fn code(&self, name: &str) -> String;
    /// Whether SRP password claims are checked (a wrong password fails an SRP sign-in).
    fn checks_srp(&self) -> bool;
    /// Whether codes are checked (a wrong TOTP or SMS code is refused).
    fn checks_codes(&self) -> bool;
    /// The backend's clock, to hand to a flow with each answer.
    fn now(&self) -> SystemTime;
}

impl Backend for Moto {
    fn pool(&self, secret: bool) -> UserPool {
        let pool = self.create_pool(PoolOptions {
            mfa: MfaConfiguration::Optional,
            ..PoolOptions::default()
        });
        let client = self.create_client(
            &pool.id,
            ClientOptions {
                generate_secret: secret,
                ..ClientOptions::default()
            },
        );
        // moto lacks GetTokensFromRefreshToken (it answers a bare 500): refresh as
        // REFRESH_TOKEN_AUTH.
        user_pool(&pool.id, &client.id, client.secret, &self.endpoint())
            .with_refresh_method(RefreshMethod::InitiateAuth)
    }

    fn user(&self, pool: &UserPool, name: &str, password: &str, attributes: &[(&str, &str)]) {
        self.create_confirmed_user(pool.id(), name, password, attributes);
    }

    fn sms_mfa(&self, pool: &UserPool, name: &str) {
        self.enable_sms_mfa(pool.id(), name);
    }

    fn code(&self, _: &str) -> String {
        "123456".into() // moto accepts any code
    }

    fn checks_srp(&self) -> bool {
        false
    }

    fn checks_codes(&self) -> bool {
        false
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The library's `UserPool` for an app client at `endpoint`. Panics on an id the library
/// refuses: a fixture's ids are the server's own.
pub fn user_pool(
    pool_id: &str,
    client_id: &str,
    secret: Option<String>,
    endpoint: &str,
) -> UserPool {
    let pool = match UserPool::new(pool_id, client_id) {
        Ok(pool) => pool,
        Err(e) => panic!("the server's ids {pool_id} / {client_id} are refused: {e}"),
    };
    let pool = match pool.with_endpoint(endpoint) {
        Ok(pool) => pool,
        Err(e) => panic!("the endpoint {endpoint} is refused: {e}"),
    };
    match secret {
        Some(secret) => pool.with_client_secret(secret),
        None => pool,
    }
}
