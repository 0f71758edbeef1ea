//! The embedded API's set-up calls beyond pools, clients and users: groups, TOTP secrets,
//! unconfirmed and disabled users (what the binary's
//! config file seeds).

use crate::Emulator;
use crate::model::resources::ResourceServer;
use crate::model::settings::GroupConfig;
use crate::model::state::{Mfa, Status};

impl Emulator {
    /// Adds a resource server with its custom scopes to a pool, checked as CreateResourceServer
    /// checks it (the config file's `[[resource_servers]]`).
    pub(crate) fn insert_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
        server: ResourceServer,
    ) -> Result<(), String> {
        let checked = crate::api::resource_servers::check_identifier(identifier)
            .and_then(|_| crate::api::resource_servers::check_server(&server));
        checked.map_err(|f| f.message)?;
        self.lock()
            .insert_resource_server(pool_id, identifier, server)
            .map(drop)
            .map_err(|f| f.message)
    }

    /// Makes `secret` the secret a new app client was created with (the config file's given
    /// secret, in place of the one made up). `None`: no such client, or one without a secret.
    pub(crate) fn set_first_client_secret(
        &self,
        pool_id: &str,
        client_id: &str,
        secret: &str,
    ) -> Option<()> {
        let mut inner = self.lock();
        let client = inner.pools.get_mut(pool_id)?.clients.get_mut(client_id)?;
        client.info.secret.as_ref()?;
        client.info.secret = Some(secret.to_owned());
        Some(())
    }

    /// Creates a group (`cognito:groups` in its members' tokens).
    ///
    /// ```
    /// use cognito_flows_emulator::{Emulator, EmulatorConfig, GroupConfig, PoolConfig};
    ///
    /// let emulator = Emulator::start(EmulatorConfig::default())?;
    /// let pool = emulator.create_user_pool(PoolConfig::default());
    /// emulator.admin_create_user(&pool, "alice", "Passw0rd!", &[]).unwrap();
    /// let admins = GroupConfig { name: "admins".into(), precedence: Some(1), ..GroupConfig::default() };
    /// emulator.create_group(&pool, admins).unwrap();
    /// emulator.admin_add_user_to_group(&pool, "alice", "admins").unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create_group(&self, pool_id: &str, group: GroupConfig) -> Result<(), String> {
        if let Err(crate::rules::Reason::Length { max }) = crate::rules::group_name(&group.name) {
            return Err(format!("a group name is 1 to {max} characters"));
        }
        self.lock()
            .insert_group(pool_id, group)
            .map(drop)
            .map_err(|f| f.message)
    }

    /// Makes a user (by name or alias) a member of a group.
    pub fn admin_add_user_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<(), String> {
        self.lock()
            .join_group(pool_id, username, group)
            .map_err(|f| f.message)
    }

    /// Gives a user a verified TOTP authenticator with this secret (base32, as
    /// AssociateSoftwareToken's `SecretCode`, at least 16 bytes), preferred for MFA. Refused on a
    /// pool with MFA off.
    pub fn admin_set_totp_secret(
        &self,
        pool_id: &str,
        username: &str,
        secret_base32: &str,
    ) -> Result<(), String> {
        let key = crate::auth::totp::BASE32
            .decode(secret_base32.trim_end_matches('=').as_bytes())
            .map_err(|_| "the TOTP secret is not base32 (A-Z, 2-7)".to_owned())?;
        if key.len() < 16 {
            return Err("the TOTP secret is shorter than 16 bytes (26 base32 letters)".into());
        }
        let mut inner = self.lock();
        let pool = inner.pools.get_mut(pool_id).ok_or("no such pool")?;
        if pool.config.mfa == Mfa::Off {
            return Err("MFA is not enabled for the user pool.".into());
        }
        let user = pool.users.get_mut(username).ok_or("no such user")?;
        user.totp_secret = Some(crate::auth::totp::BASE32.encode(&key));
        user.preferred_mfa = Some("SOFTWARE_TOKEN_MFA".into());
        Ok(())
    }

    /// Creates a user who signed up and has not confirmed yet (`UNCONFIRMED`: sign-in gets
    /// `UserNotConfirmedException` until ConfirmSignUp or AdminConfirmSignUp).
    pub fn create_unconfirmed_user(
        &self,
        pool_id: &str,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<String, String> {
        self.create_user(pool_id, username, password, attributes, Status::Unconfirmed)
    }

    /// Disables a user (AdminDisableUser): sign-in is refused with "User is disabled." and
    /// every token is revoked.
    pub fn admin_disable_user(&self, pool_id: &str, username: &str) -> Result<(), String> {
        let body = serde_json::json!({"UserPoolId": pool_id, "Username": username});
        crate::api::admin_user::admin_disable_user(&self.shared, &body)
            .map(drop)
            .map_err(|f: crate::fault::Fault| f.message)
    }
}
